use nn::prelude::*;

network! {
    struct Net: Input<2>;
}

fn main() {}
