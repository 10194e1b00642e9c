use nn::prelude::*;

network! {
    struct Net: Input<2> -> Dense<4> -> BatchNorm<momentum = 1.5, eps = 0> -> Dense<4>
        -> LayerNorm<Softmax, momentum = 0.1> -> Dense<1>;
}

fn main() {}
