use nn::prelude::*;

network! {
    struct Regressor: Input<2> -> Dense<4, Relu> -> Dense<1>;
}

fn main() {
    let net = Regressor::new(&mut StdRng::seed_from_u64(0));
    let _ = nn::predict_probabilities(&net, &[[0.0, 1.0]]);
    let mut probabilities = [[0.0]];
    let _ = Predictor::new().predict_probabilities(&net, &[[0.0, 1.0]], &mut probabilities);
}
