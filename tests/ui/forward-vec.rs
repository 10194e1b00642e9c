use nn::prelude::*;

network! {
    struct Xor: Input<2> -> Dense<4, Tanh> -> Dense<1, Sigmoid>;
}

fn main() {
    let net = Xor::new(&mut StdRng::seed_from_u64(0));
    net.forward(&vec![0.0f32, 1.0]);
}
