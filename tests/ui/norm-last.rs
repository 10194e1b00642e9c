use nn::prelude::*;

network! {
    struct Net: Input<2> -> Dense<4> -> LayerNorm;
}

fn main() {}
