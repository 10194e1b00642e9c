use nn::prelude::*;

const HIDDEN: usize = 0;

network! {
    struct Net: Input<2> -> Dense<HIDDEN, Relu> -> Dense<1>;
}

fn main() {}
