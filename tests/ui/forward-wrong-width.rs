use nn::prelude::*;

network! {
    struct Xor: Input<2> -> Dense<4, Tanh> -> Dense<1, Sigmoid>;
}

fn main() {
    let net = Xor::new(&mut StdRng::seed_from_u64(0));
    net.forward(&SVector::<f32, 3>::zeros());
}
