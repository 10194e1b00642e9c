use nn::prelude::*;

network! {
    struct Net: Input<2, 3> -> Dense<1>;
}

fn main() {}
