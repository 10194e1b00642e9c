use nn::prelude::*;

network! {
    struct Net: Input<4294967296> -> Dense<4294967296>;
}

fn main() {}
