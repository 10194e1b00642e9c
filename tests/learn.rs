//! Learning through the inline learner, the `no_std` code path a device runs: it learns, and it
//! ends bit for bit where the trainer ends on the same batches (SGD with momentum and Adam, `f32`
//! and `f64`), and bad input is an error that leaves the network as it was.

use nn::prelude::*;
use nn::rand::RngExt;
use nn::{HyperparameterError, LearnError};

network! {
    struct Xor: Input<2> -> Dense<4, Tanh> -> Dense<1, Sigmoid>;
    struct Regressor: Input<8> -> Dense<16, Relu> -> Dense<1>;
    struct Regressor64<f64>: Input<8> -> Dense<16, Tanh> -> Dense<1>;
    struct Classifier: Input<4> -> Dense<8, LeakyRelu> -> Dense<3, Softmax>;
}

const XOR_INPUTS: [[f32; 2]; 4] = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];
const XOR_TARGETS: [[f32; 1]; 4] = [[0.0], [1.0], [1.0], [0.0]];

#[test]
fn xor_learns_with_momentum_and_ends_where_the_trainer_ends() {
    const EPOCHS: usize = 300;
    let start = Xor::new(&mut StdRng::seed_from_u64(3));
    let sgd = Sgd::new(0.5).with_momentum(0.9);

    let mut trained = start.clone();
    let data = Dataset::from_arrays(&XOR_INPUTS, &XOR_TARGETS).unwrap();
    let history = Trainer::new(sgd.clone(), BinaryCrossEntropy)
        .batch_size(4)
        .epochs(EPOCHS)
        .shuffle(false)
        .fit(&mut trained, &data)
        .unwrap();

    let mut network = *start.freeze();
    let mut learner = XorLearner::<Sgd, 4>::new(sgd);
    let losses: Vec<f32> = (0..EPOCHS)
        .map(|_| {
            learner
                .step(&mut network, &BinaryCrossEntropy, &XOR_INPUTS, &XOR_TARGETS)
                .unwrap()
        })
        .collect();

    assert_eq!(
        network,
        *trained.freeze(),
        "weights differ from the trainer's"
    );
    for (loss, record) in losses.iter().zip(&history.epochs) {
        assert_eq!(
            f64::from(*loss),
            record.train_loss,
            "epoch {}",
            record.epoch
        );
    }
    assert!(
        losses[EPOCHS - 1] < 0.05,
        "final loss {}",
        losses[EPOCHS - 1]
    );
    for (x, y) in XOR_INPUTS.iter().zip(XOR_TARGETS) {
        assert_eq!(network.forward(x)[0].round(), y[0], "xor{x:?}");
    }
}

/// 64 samples of `y = Σ wᵢ·xᵢ` with fixed weights.
fn regression<T: nn::Float>() -> (Vec<[T; 8]>, Vec<[T; 1]>) {
    let mut rng = StdRng::seed_from_u64(9);
    let weights: [f64; 8] = std::array::from_fn(|i| (i as f64 - 3.5) / 4.0);
    (0..64)
        .map(|_| {
            let x: [f64; 8] = std::array::from_fn(|_| rng.random_range(-1.0..1.0));
            let y = x.iter().zip(&weights).map(|(x, w)| x * w).sum::<f64>();
            (x.map(T::of_f64), [T::of_f64(y)])
        })
        .unzip()
}

#[test]
fn a_regression_learns_with_adam_over_several_batches_as_the_trainer_does() {
    const EPOCHS: usize = 40;
    let (inputs, targets) = regression::<f32>();
    let start = Regressor::new(&mut StdRng::seed_from_u64(5));
    let adam = Adam::new(1e-2).with_weight_decay(1e-4);

    let mut trained = start.clone();
    let data = Dataset::from_arrays(&inputs, &targets).unwrap();
    Trainer::new(adam.clone(), MeanSquaredError)
        .batch_size(16)
        .epochs(EPOCHS)
        .shuffle(false)
        .fit(&mut trained, &data)
        .unwrap();

    let mut network = *start.freeze();
    let mut learner = RegressorLearner::<Adam, 16>::new(adam);
    let first_loss = learner
        .step(
            &mut network,
            &MeanSquaredError,
            &inputs[..16],
            &targets[..16],
        )
        .unwrap();
    let mut last_loss = first_loss;
    for step in 1..EPOCHS * 4 {
        let batch = (step % 4) * 16..(step % 4 + 1) * 16;
        last_loss = learner
            .step(
                &mut network,
                &MeanSquaredError,
                &inputs[batch.clone()],
                &targets[batch],
            )
            .unwrap();
    }
    assert_eq!(
        network,
        *trained.freeze(),
        "weights differ from the trainer's"
    );
    assert!(
        last_loss < first_loss / 10.0,
        "loss {first_loss} → {last_loss}"
    );
}

#[test]
fn f64_and_a_short_last_batch_match_the_trainer_too() {
    const EPOCHS: usize = 10;
    let (inputs, targets) = regression::<f64>();
    let start = Regressor64::new(&mut StdRng::seed_from_u64(6));
    let sgd = Sgd::new(0.05).with_momentum(0.5).with_nesterov(true);

    let mut trained = start.clone();
    let data = Dataset::from_arrays(&inputs, &targets).unwrap();
    Trainer::new(sgd.clone(), MeanSquaredError)
        .batch_size(24)
        .epochs(EPOCHS)
        .shuffle(false)
        .fit(&mut trained, &data)
        .unwrap();

    let mut network = *start.freeze();
    let mut learner = Regressor64Learner::<Sgd, 24>::new(sgd);
    for _ in 0..EPOCHS {
        // 24 + 24 + 16: the trainer keeps the short last batch.
        for (x, y) in inputs.chunks(24).zip(targets.chunks(24)) {
            learner.step(&mut network, &MeanSquaredError, x, y).unwrap();
        }
    }
    assert_eq!(
        network,
        *trained.freeze(),
        "weights differ from the trainer's"
    );
}

#[test]
fn softmax_classification_learns_in_a_static_learner() {
    use std::sync::Mutex;
    // A `const fn`, so the learner can be a `static`.
    static LEARNER: Mutex<ClassifierLearner<Adam, 6>> =
        Mutex::new(ClassifierLearner::new(Adam::new(0.05)));
    let inputs: [[f32; 4]; 6] = std::array::from_fn(|i| {
        std::array::from_fn(|j| if j == i % 3 { 1.0 } else { 0.1 * j as f32 })
    });
    let targets: [[f32; 3]; 6] =
        std::array::from_fn(|i| std::array::from_fn(|j| (j == i % 3) as u8 as f32));
    let mut network = *Classifier::new(&mut StdRng::seed_from_u64(2)).freeze();
    let mut learner = LEARNER.lock().unwrap();
    let first = learner
        .step(&mut network, &SoftmaxCrossEntropy, &inputs, &targets)
        .unwrap();
    let mut last = first;
    for _ in 0..100 {
        last = learner
            .step(&mut network, &SoftmaxCrossEntropy, &inputs, &targets)
            .unwrap();
    }
    assert!(last < first / 10.0, "loss {first} → {last}");
}

#[test]
fn bad_batches_and_hyperparameters_are_errors_that_change_nothing() {
    let start = *Xor::new(&mut StdRng::seed_from_u64(3)).freeze();
    let mut network = start.clone();
    let mut learner = XorLearner::<Sgd, 4>::new(Sgd::new(0.5));
    let bce = BinaryCrossEntropy;
    assert_eq!(
        learner.step(&mut network, &bce, &XOR_INPUTS, &XOR_TARGETS[..3]),
        Err(LearnError::Mismatch {
            inputs: 4,
            targets: 3
        })
    );
    assert_eq!(
        learner.step(&mut network, &bce, &[], &[]),
        Err(LearnError::BatchSize {
            found: 0,
            capacity: 4
        })
    );
    let five_inputs = [[0.0f32; 2]; 5];
    let five_targets = [[0.0f32; 1]; 5];
    let error = learner
        .step(&mut network, &bce, &five_inputs, &five_targets)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "the batch has 5 samples, expected 1 to 4"
    );

    let mut nan_input = XOR_INPUTS;
    nan_input[1][0] = f32::NAN;
    assert!(matches!(
        learner.step(&mut network, &bce, &nan_input, &XOR_TARGETS),
        Err(LearnError::Diverged { .. })
    ));

    let mut invalid = XorLearner::<Sgd, 4>::new(Sgd::new(-1.0));
    assert!(matches!(
        invalid.step(&mut network, &bce, &XOR_INPUTS, &XOR_TARGETS),
        Err(LearnError::Hyperparameter(HyperparameterError {
            name: "lr",
            ..
        }))
    ));
    let mut amsgrad = XorLearner::<Adam, 4>::new(Adam::new(1e-3).with_amsgrad(true));
    let error = amsgrad
        .step(&mut network, &bce, &XOR_INPUTS, &XOR_TARGETS)
        .unwrap_err();
    assert!(error.to_string().contains("`amsgrad`"), "{error}");
    assert_eq!(network, start, "a refused step changed the network");
}
