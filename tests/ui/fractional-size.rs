use nn::prelude::*;

network! {
    struct Net: Input<2> -> Dense<3.5> -> Dense<1>;
}

fn main() {}
