use nn::prelude::*;

network! {
    struct Xor: Input<2> -> Dense<4, Tanh> -> Dense<1, Sigmoid>;
}

static NET: XorFrozen = include_model!(Xor, "models/xor_f64.nnm");

fn main() {
    let _ = NET.forward(&[0.0; XorFrozen::INPUTS]);
}
