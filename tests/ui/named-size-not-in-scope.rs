use nn::prelude::*;

const HIDDEN: usize = 8;

network! {
    struct Net: Input<2> -> Dense<HIDEN, Relu> -> Dense<1>;
}

fn main() {}
