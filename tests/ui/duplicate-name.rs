use nn::prelude::*;

network! {
    struct Net: Input<2> -> Dense<1>;
    struct Net: Input<3> -> Dense<1>;
}

fn main() {}
