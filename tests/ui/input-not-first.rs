use nn::prelude::*;

network! {
    struct Net: Dense<4> -> Input<2> -> Dense<1>;
}

fn main() {}
