use nn::prelude::*;

network! {
    struct Xor: Input<2> -> Dense<4, Tanh> -> Dense<1, Sigmoid>;
}

fn main() {
    let mut net = Xor::new(&mut StdRng::seed_from_u64(0));
    let data = Dataset::<f64, 2, 1>::from_arrays(&[[0.0, 1.0]], &[[1.0]]).unwrap();
    let _ = Trainer::new(Sgd::new(0.1), BinaryCrossEntropy).fit(&mut net, &data);
}
