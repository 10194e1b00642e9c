use nn::prelude::*;

network! {
    struct Net: Input<2> -> Dense<4, Relu, seed = 3> -> Dense<1, init = Zeros, init = Zeros>;
}

fn main() {}
