use nn::prelude::*;

network! {
    struct Net: Input<2> -> Dense<4> -> Dropout<0.5>;
}

fn main() {}
