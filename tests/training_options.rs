//! Gradient clipping (by norm and by value), learning-rate warmup and schedules of one's own.

use nn::prelude::*;
use nn::{HyperparameterError, TrainError};

network! {
    pub struct Net: Input<4> -> Dense<8, Tanh> -> Dense<3, Softmax>;
}

fn data() -> Dataset<f32, 4, 3> {
    let inputs: Vec<[f32; 4]> = (0..32)
        .map(|i| std::array::from_fn(|f| ((i * (f + 3)) % 11) as f32 / 5.0 - 1.0))
        .collect();
    let targets: Vec<[f32; 3]> = (0..32)
        .map(|i| std::array::from_fn(|c| f32::from(c == i % 3)))
        .collect();
    Dataset::from_arrays(&inputs, &targets).unwrap()
}

fn flat(net: &Net) -> Vec<f64> {
    let mut values = Vec::new();
    net.for_each_tensor(|_, v| values.extend(v.iter().map(|&x| f64::from(x))));
    values
}

/// The change of every parameter over one full-batch step of plain SGD with rate 1, which is
/// minus the (clipped) gradient.
fn one_step(trainer: Trainer<'_, Sgd, SoftmaxCrossEntropy>) -> Vec<f64> {
    let start = Net::new(&mut StdRng::seed_from_u64(2));
    let mut net = start.clone();
    trainer
        .batch_size(32)
        .epochs(1)
        .progress(false)
        .fit(&mut net, &data())
        .unwrap();
    flat(&net)
        .iter()
        .zip(flat(&start))
        .map(|(a, b)| a - b)
        .collect()
}

fn norm(values: &[f64]) -> f64 {
    values.iter().map(|v| v * v).sum::<f64>().sqrt()
}

#[test]
fn clipping_by_norm_scales_the_whole_gradient_to_the_bound() {
    let sgd = || Trainer::new(Sgd::new(1.0), SoftmaxCrossEntropy);
    let free = one_step(sgd());
    assert!(
        norm(&free) > 0.01,
        "the gradient is too small to clip: {}",
        norm(&free)
    );
    let clipped = one_step(sgd().clip_grad_norm(0.01));
    // ‖Δθ‖ = 0.01·‖g‖/(‖g‖ + 1e-6), within f32 rounding of the parameters.
    assert!((norm(&clipped) - 0.01).abs() < 1e-5, "{}", norm(&clipped));
    // Scaled, not clamped: the direction is the unclipped one.
    let scale = norm(&clipped) / norm(&free);
    for (c, f) in clipped.iter().zip(&free) {
        assert!((c - f * scale).abs() < 1e-6, "{c} against {}", f * scale);
    }
    // A bound above the norm changes nothing.
    assert_eq!(one_step(sgd().clip_grad_norm(1e6)), free);
}

#[test]
fn clipping_by_value_clamps_each_gradient() {
    let sgd = || Trainer::new(Sgd::new(1.0), SoftmaxCrossEntropy);
    let free = one_step(sgd());
    let bound = 0.02;
    assert!(free.iter().any(|d| d.abs() > bound));
    let clipped = one_step(sgd().clip_grad_value(bound));
    for (c, f) in clipped.iter().zip(&free) {
        let expected = f.clamp(-bound, bound);
        assert!((c - expected).abs() < 1e-6, "{c} against {expected}");
    }
}

fn rates(schedule: LrSchedule, epochs: usize) -> Vec<f64> {
    let mut net = Net::new(&mut StdRng::seed_from_u64(2));
    let history = Trainer::new(Sgd::new(0.1), SoftmaxCrossEntropy)
        .epochs(epochs)
        .schedule(schedule)
        .progress(false)
        .fit(&mut net, &data())
        .unwrap();
    history.epochs.iter().map(|r| r.learning_rate).collect()
}

fn assert_close(found: &[f64], expected: &[f64]) {
    assert_eq!(found.len(), expected.len());
    for (f, e) in found.iter().zip(expected) {
        assert!((f - e).abs() < 1e-15, "{found:?} against {expected:?}");
    }
}

#[test]
fn warmup_rises_linearly_then_the_schedule_starts() {
    assert_close(
        &rates(LrSchedule::constant().with_warmup(4), 6),
        &[0.025, 0.05, 0.075, 0.1, 0.1, 0.1],
    );
    // Then a step schedule halving every 2 epochs, counted from the end of the warmup.
    assert_close(
        &rates(LrSchedule::step(2).with_gamma(0.5).with_warmup(2), 7),
        &[0.05, 0.1, 0.1, 0.1, 0.05, 0.05, 0.025],
    );
}

#[test]
fn a_schedule_of_ones_own_sets_each_epochs_rate() {
    assert_close(
        &rates(
            LrSchedule::custom(|epoch, base| base / (1 + epoch) as f64),
            4,
        ),
        &[0.1, 0.05, 0.1 / 3.0, 0.025],
    );
    let mut net = Net::new(&mut StdRng::seed_from_u64(2));
    let error = Trainer::new(Sgd::new(0.1), SoftmaxCrossEntropy)
        .epochs(3)
        .schedule(LrSchedule::custom(
            |epoch, _| if epoch == 2 { f64::NAN } else { 0.1 },
        ))
        .progress(false)
        .fit(&mut net, &data())
        .unwrap_err();
    assert!(matches!(
        error,
        TrainError::Hyperparameter(HyperparameterError {
            name: "learning rate from the schedule",
            ..
        })
    ));
}

#[test]
fn clipping_bounds_must_be_positive() {
    let mut net = Net::new(&mut StdRng::seed_from_u64(2));
    let error = Trainer::new(Sgd::new(0.1), SoftmaxCrossEntropy)
        .clip_grad_norm(0.0)
        .progress(false)
        .fit(&mut net, &data())
        .unwrap_err();
    assert!(error.to_string().contains("clip_grad_norm"), "{error}");
}
