use nn::prelude::*;

network! {
    struct Net: Input<2> -> Dense<Relu> -> Dense<1>;
}

fn main() {}
