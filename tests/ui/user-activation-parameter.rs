use nn::prelude::*;

network! {
    struct Net: Input<2> -> Dense<4, Mish<2>> -> Dense<1>;
}

fn main() {}
