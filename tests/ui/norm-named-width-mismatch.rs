use nn::prelude::*;

const HIDDEN: usize = 4;
const WIDE: usize = 8;

network! {
    struct Net: Input<2> -> Dense<HIDDEN> -> LayerNorm<WIDE> -> Dense<1>;
}

fn main() {}
