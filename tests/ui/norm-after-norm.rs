use nn::prelude::*;

network! {
    struct Net: Input<2> -> Dense<4> -> BatchNorm -> LayerNorm<Relu> -> Dense<1>;
}

fn main() {}
