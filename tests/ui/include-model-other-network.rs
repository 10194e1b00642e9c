use nn::prelude::*;

network! {
    struct Digits: Input<64> -> Dense<32, Relu> -> Dense<10, Softmax>;
}

static NET: DigitsFrozen = include_model!(Digits, "models/xor.nnm");

fn main() {
    let _ = NET.forward(&[0.0; DigitsFrozen::INPUTS]);
}
