use nn::prelude::*;

network! {
    struct Net: Input<0> -> Dense<1>;
}

fn main() {}
