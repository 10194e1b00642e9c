use nn::prelude::*;

const FEATURES: usize = 4;

network! {
    struct Net: Input<{ FEATURES - 4 }> -> Dense<3> -> Dense<1>;
}

fn main() {}
