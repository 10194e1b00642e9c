//! Class weights and sample weights against PyTorch, in f64. The fixtures
//! (`tests/fixtures/torch/weighted_*_f64.safetensors` and `weights_reference.json`) are made by
//! `tools/make_weight_fixtures.py`, whose doc describes every key:
//!
//! - a 4-6-3 classifier trained with `CrossEntropyLoss(weight=[0.5, 2, 1.25])` and SGD, one
//!   batch of 10 samples, 3 steps: its first weighted loss and gradients, and its final weights;
//! - a 3-5-1 binary classifier whose samples weigh their sample weight times their class's
//!   weight, trained with SGD in batches of 4, 4 and 2 for 2 epochs: its epoch losses and final
//!   weights.
//!
//! Tolerances: both sides compute the same formulas in f64 in nearly the same order, so values
//! agree to rounding (≈1e-15 relative after a few steps); 1e-12 relative (against 1e-3 for values
//! smaller than that) leaves room for it, while an unnormalized weighted mean, a weight applied
//! to the wrong class, or a share merged by count rather than weight misses by orders more.
//! Other tests check the same runs on two threads, and what bad weights give.

use std::path::{Path, PathBuf};

use nn::model;
use nn::prelude::*;

network! {
    /// `Sequential(Linear(4, 6), Tanh(), Linear(6, 3))` with a softmax output.
    pub struct WeightedClassifier<f64>: Input<4> -> Dense<6, Tanh> -> Dense<3, Softmax>;
}

network! {
    /// `Sequential(Linear(3, 5), ReLU(), Linear(5, 1))` with a sigmoid output.
    pub struct WeightedBinary<f64>: Input<3> -> Dense<5, Relu> -> Dense<1, Sigmoid>;
}

const TOLERANCE: f64 = 1e-12;
const FLOOR: f64 = 1e-3;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/torch")
}

fn reference() -> serde_json::Value {
    let text = std::fs::read_to_string(fixtures().join("weights_reference.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn floats(value: &serde_json::Value) -> Vec<f64> {
    serde_json::from_value(value.clone()).unwrap()
}

fn rows(value: &serde_json::Value) -> Vec<Vec<f64>> {
    serde_json::from_value(value.clone()).unwrap()
}

fn assert_close(what: &str, got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    for (index, (&g, &w)) in got.iter().zip(want).enumerate() {
        let scale = w.abs().max(FLOOR);
        assert!(
            (g - w).abs() <= TOLERANCE * scale,
            "{what}[{index}]: nn {g:e}, PyTorch {w:e}"
        );
    }
}

/// A PyTorch tensor in nn's layout: a Linear weight (`[out][in]` rows) column-major.
fn nn_layout(value: &serde_json::Value) -> Vec<f64> {
    match value.as_array().and_then(|items| items.first()) {
        Some(serde_json::Value::Array(_)) => {
            let matrix = rows(value);
            (0..matrix[0].len())
                .flat_map(|i| matrix.iter().map(move |row| row[i]))
                .collect()
        }
        _ => floats(value),
    }
}

/// Checks every tensor `each` visits (in nn's order) against PyTorch's `values`, keyed as a
/// two-Linear `Sequential`'s `state_dict`.
fn assert_tensors(what: &str, each: impl Fn(&mut dyn FnMut(&[f64])), values: &serde_json::Value) {
    let keys = ["0.weight", "0.bias", "2.weight", "2.bias"];
    let mut next = keys.iter();
    each(&mut |tensor| {
        let key = next.next().expect("more tensors than PyTorch's");
        assert_close(&format!("{what} {key}"), tensor, &nn_layout(&values[*key]));
    });
    assert!(
        next.next().is_none(),
        "{what}: fewer tensors than PyTorch's"
    );
}

fn dataset<const IN: usize, const OUT: usize>(case: &serde_json::Value) -> Dataset<f64, IN, OUT> {
    Dataset::from_rows(&rows(&case["input"]), &rows(&case["target"])).unwrap()
}

fn classifier() -> WeightedClassifier {
    let bytes = std::fs::read(fixtures().join("weighted_classifier_f64.safetensors")).unwrap();
    model::from_safetensors::<WeightedClassifier, 4, 3>(&bytes).unwrap()
}

fn binary() -> WeightedBinary {
    let bytes = std::fs::read(fixtures().join("weighted_binary_f64.safetensors")).unwrap();
    model::from_safetensors::<WeightedBinary, 3, 1>(&bytes).unwrap()
}

#[test]
fn class_weighted_cross_entropy_matches_pytorch() {
    let json = reference();
    let case = &json["classifier"];
    let data = dataset::<4, 3>(case);
    let class_weights = floats(&case["class_weights"]);

    // The first step's loss and gradients, through the network's weighted output gradient.
    let net = classifier();
    let inputs: Vec<SVector<f64, 4>> = data.inputs().iter().map(|x| (*x).into()).collect();
    let targets: Vec<SVector<f64, 3>> = data.targets().iter().map(|y| (*y).into()).collect();
    let (input, target) = (
        BatchMatrix::from_columns(&inputs),
        BatchMatrix::from_columns(&targets),
    );
    let weights: Vec<f64> = data
        .targets()
        .iter()
        .map(|y| class_weights[nn::train::argmax(y)])
        .collect();
    let mut workspace = WeightedClassifier::workspace(data.len());
    let mut gradients = WeightedClassifier::gradients();
    net.forward_train(&input, &mut workspace);
    let loss =
        net.weighted_output_gradient(&SoftmaxCrossEntropy, &target, &weights, &mut workspace);
    assert_close(
        "first loss",
        &[loss],
        &[case["first_loss"].as_f64().unwrap()],
    );
    net.backward(&input, &mut workspace, &mut gradients);
    assert_tensors(
        "first gradients",
        |f| gradients.for_each_tensor(|_, values| f(values)),
        &case["first_gradients"],
    );

    // Three full-batch steps of the trainer with the class weights.
    let mut net = classifier();
    let mut trainer = Trainer::new(Sgd::new(0.2), SoftmaxCrossEntropy)
        .batch_size(10)
        .epochs(3)
        .shuffle(false)
        .progress(false)
        .class_weights(ClassWeights::new(&class_weights));
    let history = trainer.fit(&mut net, &data).unwrap();
    assert_close(
        "first epoch loss",
        &[history.epochs[0].train_loss],
        &[case["first_loss"].as_f64().unwrap()],
    );
    assert_tensors(
        "final",
        |f| net.for_each_tensor(|_, values| f(values)),
        &case["final"],
    );
}

/// The binary case's trainer: SGD(0.3) in ordered batches of 4 for 2 epochs, the class weights
/// of the fixture, on `threads` threads.
fn train_binary(case: &serde_json::Value, threads: usize) -> (WeightedBinary, History) {
    let data = dataset::<3, 1>(case)
        .with_sample_weights(&floats(&case["sample_weights"]))
        .unwrap();
    let mut net = binary();
    let mut trainer = Trainer::new(Sgd::new(0.3), BinaryCrossEntropy)
        .batch_size(4)
        .epochs(2)
        .shuffle(false)
        .progress(false)
        .threads(threads)
        .class_weights(ClassWeights::new(&floats(&case["class_weights"])));
    let history = trainer.fit(&mut net, &data).unwrap();
    (net, history)
}

#[test]
fn sample_and_class_weights_with_sigmoid_cross_entropy_match_pytorch() {
    let json = reference();
    let case = &json["binary"];
    for threads in [1, 2] {
        let (net, history) = train_binary(case, threads);
        let losses: Vec<f64> = history.train_losses().collect();
        assert_close(
            &format!("epoch losses on {threads} threads"),
            &losses,
            &floats(&case["epoch_losses"]),
        );
        assert_tensors(
            &format!("final on {threads} threads"),
            |f| net.for_each_tensor(|_, values| f(values)),
            &case["final"],
        );
    }
}

#[test]
fn weights_change_training_and_unit_weights_do_not() {
    let json = reference();
    let case = &json["binary"];
    let train = |weights: Option<Vec<f64>>| {
        let mut data = dataset::<3, 1>(case);
        if let Some(weights) = weights {
            data = data.with_sample_weights(&weights).unwrap();
        }
        let mut net = binary();
        Trainer::new(Sgd::new(0.3), BinaryCrossEntropy)
            .batch_size(4)
            .epochs(2)
            .shuffle(false)
            .progress(false)
            .fit(&mut net, &data)
            .unwrap();
        let mut values = Vec::new();
        net.for_each_tensor(|_, tensor| values.extend_from_slice(tensor));
        values
    };
    let plain = train(None);
    // Equal weights: the same training up to the order of the loss's sums.
    for (a, b) in train(Some(vec![2.5; 10])).iter().zip(&plain) {
        assert!((a - b).abs() <= 1e-14 * b.abs().max(1.0), "{a} vs {b}");
    }
    let weighted = train(Some(floats(&case["sample_weights"])));
    let moved = weighted
        .iter()
        .zip(&plain)
        .filter(|(a, b)| (*a - *b).abs() > 1e-6);
    assert!(moved.count() > 5, "sample weights left training as it was");
}

#[test]
fn bad_class_weights_are_typed_errors() {
    let json = reference();
    let data = dataset::<4, 3>(&json["classifier"]);
    let fit = |weights: ClassWeights| {
        Trainer::new(Sgd::new(0.2), SoftmaxCrossEntropy)
            .progress(false)
            .class_weights(weights)
            .fit(&mut classifier(), &data)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        fit(ClassWeights::new(&[1.0, 2.0])),
        "2 class weights were given, expected 3, one per class"
    );
    assert_eq!(
        fit(ClassWeights::new(&[1.0, -2.0, 1.0])),
        "the class weight of class 1 is -2, expected a finite number ≥ 0"
    );
    let mut regressor = binary();
    let regression = Dataset::<f64, 3, 1>::from_arrays(&[[0.0; 3]], &[[0.5]]).unwrap();
    let err = Trainer::new(Sgd::new(0.1), MeanSquaredError)
        .progress(false)
        .class_weights(ClassWeights::balanced())
        .fit(&mut regressor, &regression)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "class weights need a classification loss (`SoftmaxCrossEntropy` or `BinaryCrossEntropy`), found mean squared error; weigh samples with `Dataset::with_sample_weights` instead"
    );
}
