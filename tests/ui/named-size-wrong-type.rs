use nn::prelude::*;

const HIDDEN: u32 = 8;

network! {
    struct Net: Input<2> -> Dense<HIDDEN, Relu> -> Dense<1>;
}

fn main() {}
