use nn::prelude::*;

network! {
    struct Net: Input<2> -> Dense<4, Rleu> -> Dense<1>;
}

fn main() {}
