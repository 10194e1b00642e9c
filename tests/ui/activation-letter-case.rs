use nn::prelude::*;

network! {
    struct Net: Input<2> -> Dense<4, ReLU> -> Dense<1, GELU>;
}

fn main() {}
