use nn::prelude::*;

network! {
    struct Xor: Input<2> -> Dense<4, Tanh> -> Dense<1, Sigmoid>;
}

static NET: XorFrozen = include_model!(Xor, "models/missing.nnm");

fn main() {
    let _ = NET.forward(&[0.0; XorFrozen::INPUTS]);
}
