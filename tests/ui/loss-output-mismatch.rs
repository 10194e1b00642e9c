use nn::prelude::*;

network! {
    struct Classifier: Input<2> -> Dense<4, Relu> -> Dense<3, Softmax>;
}

fn main() {
    let mut net = Classifier::new(&mut StdRng::seed_from_u64(0));
    let data = Dataset::<f32, 2, 3>::from_arrays(&[[0.0, 1.0]], &[[1.0, 0.0, 0.0]]).unwrap();
    let _ = Trainer::new(Adam::default(), BinaryCrossEntropy).fit(&mut net, &data);
}
