//! A 784-256-128-10 network constructs, runs and trains inside an ordinary test thread of a
//! debug build: its 1 MiB of parameters never pass through the stack.

use nn::prelude::*;
use rand::RngExt;

network! {
    struct Mnist: Input<784> -> Dense<256, Relu> -> Dense<128, Relu> -> Dense<10, Softmax>;
}

#[test]
fn a_784_256_128_10_network_constructs_runs_and_trains() {
    let mut rng = StdRng::seed_from_u64(11);
    let mut net = Mnist::new(&mut rng);
    assert_eq!(
        Mnist::PARAMETERS,
        784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10
    );

    // 64 samples of 10 classes, each class a distinct pattern plus noise.
    let inputs: Vec<[f32; 784]> = (0..64)
        .map(|i| {
            core::array::from_fn(|p| {
                if p % 10 == i % 10 {
                    1.0
                } else {
                    rng.random_range(-0.1..0.1)
                }
            })
        })
        .collect();
    let targets: Vec<[f32; 10]> = (0..64)
        .map(|i| core::array::from_fn(|c| f32::from(c == i % 10)))
        .collect();
    let data = Dataset::from_arrays(&inputs, &targets).unwrap();

    let before = net.forward(&inputs[0]);
    assert!((before.sum() - 1.0).abs() < 1e-4);

    let history = Trainer::new(Sgd::new(0.05), SoftmaxCrossEntropy)
        .batch_size(16)
        .epochs(5)
        .fit(&mut net, &data)
        .unwrap();
    let losses: Vec<f64> = history.train_losses().collect();
    assert_eq!(losses.len(), 5);
    assert!(
        losses[4] < losses[0] * 0.5,
        "the loss did not fall: {losses:?}"
    );
}
