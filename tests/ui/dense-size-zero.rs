use nn::prelude::*;

network! {
    struct Net: Input<2> -> Dense<0> -> Dense<1>;
}

fn main() {}
