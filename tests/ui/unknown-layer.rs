use nn::prelude::*;

network! {
    struct Net: Input<2> -> Dens<4> -> Dense<1>;
}

fn main() {}
