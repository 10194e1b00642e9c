use nn::prelude::*;

network! {
    struct Net: Input<2> -> Dense<4, Relu, init = HeNormall> -> Dense<1>;
}

fn main() {}
