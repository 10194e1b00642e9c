use nn::prelude::*;

network! {
    struct Net<i32>: Input<2> -> Dense<1>;
}

fn main() {}
