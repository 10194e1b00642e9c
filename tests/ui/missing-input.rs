use nn::prelude::*;

network! {
    struct Net: Dense<4> -> Dense<1>;
}

fn main() {}
