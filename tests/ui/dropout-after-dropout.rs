use nn::prelude::*;

network! {
    struct Net: Input<2> -> Dense<4> -> Dropout<0.2> -> Dropout<0.3> -> Dense<1>;
}

fn main() {}
