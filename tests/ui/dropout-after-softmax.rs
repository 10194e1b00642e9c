use nn::prelude::*;

network! {
    struct Classifier: Input<4> -> Dense<3, Softmax> -> Dropout<0.2>;
}

fn main() {}
