use nn::prelude::*;

network! {
    struct Net: Input<2> -> Dense<4, Elu<0>> -> Dense<1>;
}

fn main() {}
