use nn::prelude::*;

#[derive(Clone, Copy, Debug, Default)]
struct Squash;

network! {
    struct Net: Input<2> -> Dense<4, Squash> -> Dense<1>;
}

fn main() {}
