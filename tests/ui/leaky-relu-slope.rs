use nn::prelude::*;

network! {
    struct Net: Input<2> -> Dense<4, LeakyRelu<-0.1>> -> Dense<1>;
}

fn main() {}
