use nn::prelude::*;

network! {
    struct Net: Input<2> -> Dense<4, Relu, bias = HeNormal> -> Dense<1>;
}

fn main() {}
