use nn::prelude::*;

network! {
    struct Net: Input<2> -> Dense<4> -> Dropout -> Dense<1>;
}

fn main() {}
