//! The trainer's behaviour, end to end: iterations per epoch, determinism, divergence recovery,
//! early stopping, weight penalties, metrics, validation, hyperparameter errors, schedules,
//! callbacks, evaluation and the optimizers. Every run is seeded and small.

use nn::prelude::*;
use nn::rand::RngExt;
use nn::{Float, HyperparameterError, TensorKind};

network! {
    /// Regression with a hidden layer.
    struct Regressor: Input<2> -> Dense<8, Tanh> -> Dense<1>;

    /// Three classes, with dropout.
    struct Classifier: Input<2> -> Dense<16, Relu> -> Dropout<0.2> -> Dense<3, Softmax>;

    /// Three classes, no dropout.
    struct Plain: Input<2> -> Dense<8, Tanh> -> Dense<3, Softmax>;

    /// Two classes on one sigmoid output.
    struct Binary: Input<2> -> Dense<4, Tanh> -> Dense<1, Sigmoid>;

    /// Linear regression in f64.
    struct Linear<f64>: Input<2> -> Dense<1>;

    /// A small f64 network for exact penalty arithmetic.
    struct Penalized<f64>: Input<3> -> Dense<4, Tanh> -> Dense<2>;
}

fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// `n` points uniform in [-1, 1]² with the target `scale·(x₀ + x₁)`.
fn sums<T: Float>(n: usize, scale: f64, seed: u64) -> Dataset<T, 2, 1> {
    let mut rng = rng(seed);
    let inputs: Vec<[T; 2]> = (0..n)
        .map(|_| {
            [
                T::of_f64(rng.random_range(-1.0..1.0)),
                T::of_f64(rng.random_range(-1.0..1.0)),
            ]
        })
        .collect();
    let targets: Vec<[T; 1]> = inputs
        .iter()
        .map(|x| [T::of_f64(scale * (x[0].as_f64() + x[1].as_f64()))])
        .collect();
    Dataset::from_arrays(&inputs, &targets).unwrap()
}

/// `n` points in three well-separated clusters (radius 0.5 around centres 2 apart), one-hot.
fn clusters(n: usize, seed: u64) -> Dataset<f32, 2, 3> {
    const CENTRES: [[f32; 2]; 3] = [[-2.0, 0.0], [2.0, 0.0], [0.0, 2.0]];
    let mut rng = rng(seed);
    let labels: Vec<usize> = (0..n).map(|i| i % 3).collect();
    let inputs: Vec<[f32; 2]> = labels
        .iter()
        .map(|&c| {
            [
                CENTRES[c][0] + rng.random_range(-0.5..0.5),
                CENTRES[c][1] + rng.random_range(-0.5..0.5),
            ]
        })
        .collect();
    Dataset::from_labels(&inputs, &labels).unwrap()
}

/// `n` points in [-1, 1]², labelled 1 when `x₀ > 0`.
fn halves(n: usize, seed: u64) -> Dataset<f32, 2, 1> {
    let mut rng = rng(seed);
    let inputs: Vec<[f32; 2]> = (0..n)
        .map(|_| [rng.random_range(-1.0..1.0), rng.random_range(-1.0..1.0)])
        .collect();
    let targets: Vec<[f32; 1]> = inputs
        .iter()
        .map(|x| [if x[0] > 0.0 { 1.0 } else { 0.0 }])
        .collect();
    Dataset::from_arrays(&inputs, &targets).unwrap()
}

/// `n` points in [-1, 1]³ with two linear targets of large weights.
fn linear3(n: usize, seed: u64) -> Dataset<f64, 3, 2> {
    let mut rng = rng(seed);
    let inputs: Vec<[f64; 3]> = (0..n)
        .map(|_| core::array::from_fn(|_| rng.random_range(-1.0..1.0)))
        .collect();
    let targets: Vec<[f64; 2]> = inputs
        .iter()
        .map(|x| [3.0 * x[0] - 2.0 * x[1] + x[2], -x[0] + 2.5 * x[2]])
        .collect();
    Dataset::from_arrays(&inputs, &targets).unwrap()
}

fn assert_relative(got: f64, expected: f64, tolerance: f64, what: &str) {
    assert!(
        (got - expected).abs() <= tolerance * expected.abs(),
        "{what}: got {got}, expected {expected} (relative tolerance {tolerance})"
    );
}

/// Σ|w| and Σw² over the tensors of one kind.
fn sums_of<N: Tensors<f64>>(net: &N, kind: TensorKind) -> (f64, f64) {
    let (mut abs, mut squares) = (0.0, 0.0);
    net.for_each_tensor(|k, values| {
        if k == kind {
            abs += values.iter().map(|v| v.abs()).sum::<f64>();
            squares += values.iter().map(|v| v * v).sum::<f64>();
        }
    });
    (abs, squares)
}

/// Plain SGD that counts its steps and, optionally, switches to a learning rate of 1e30 at one
/// step to make the loss overflow.
#[derive(Debug)]
struct Counting {
    inner: Sgd,
    steps: usize,
    explode_at: Option<usize>,
}

impl Counting {
    fn new(lr: f64) -> Self {
        Self {
            inner: Sgd::new(lr),
            steps: 0,
            explode_at: None,
        }
    }

    fn exploding_at(lr: f64, step: usize) -> Self {
        Self {
            explode_at: Some(step),
            ..Self::new(lr)
        }
    }
}

impl Optimizer for Counting {
    fn validate(&self) -> Result<(), HyperparameterError> {
        self.inner.validate()
    }

    fn learning_rate(&self) -> f64 {
        self.inner.learning_rate()
    }

    fn set_learning_rate(&mut self, lr: f64) {
        self.inner.set_learning_rate(lr);
    }

    fn prepare<T: nn::Float>(&mut self, parameters: usize) {
        self.inner.prepare::<T>(parameters);
    }

    fn begin_step(&mut self) {
        self.steps += 1;
        if self.explode_at == Some(self.steps) {
            self.inner.set_learning_rate(1e30);
        }
        self.inner.begin_step();
    }

    fn update<T: Float>(
        &mut self,
        kind: TensorKind,
        parameters: &mut [T],
        gradients: &[T],
        offset: usize,
    ) {
        self.inner.update(kind, parameters, gradients, offset);
    }
}

// 1. Iterations per epoch.

/// The optimizer steps of training a regressor on `samples` samples.
fn steps(samples: usize, batch_size: usize, epochs: usize) -> usize {
    let data = sums::<f32>(samples, 1.0, 1);
    let mut net = Regressor::new(&mut rng(0));
    let mut trainer = Trainer::new(Counting::new(0.01), MeanSquaredError)
        .batch_size(batch_size)
        .epochs(epochs)
        .progress(false);
    let history = trainer.fit(&mut net, &data).unwrap();
    assert_eq!(history.epochs.len(), epochs);
    trainer.optimizer().steps
}

#[test]
fn an_epoch_is_one_step_per_batch_and_a_short_last_batch_is_kept() {
    assert_eq!(steps(1000, 100, 1), 10);
    assert_eq!(steps(1003, 100, 1), 11);
    assert_eq!(steps(1003, 100, 3), 33);
    assert_eq!(steps(1, 100, 1), 1);
    // A batch larger than the data is the whole data.
    assert_eq!(steps(50, 100, 2), 2);
}

// 2. Determinism.

/// A dropout classifier trained with shuffling (or not) and `seed`.
fn train_classifier(seed: u64, shuffle: bool) -> (Classifier, History) {
    let data = clusters(150, 3);
    let mut net = Classifier::new(&mut rng(11));
    let history = Trainer::new(Sgd::new(0.05).with_momentum(0.9), SoftmaxCrossEntropy)
        .batch_size(16)
        .epochs(4)
        .seed(seed)
        .shuffle(shuffle)
        .progress(false)
        .fit(&mut net, &data)
        .unwrap();
    (net, history)
}

#[test]
fn the_same_seed_gives_bit_identical_weights_and_another_seed_does_not() {
    let (a, history_a) = train_classifier(1, true);
    let (b, history_b) = train_classifier(1, true);
    assert_ne!(a, Classifier::new(&mut rng(11)), "training changed nothing");
    assert_eq!(a, b);
    assert_eq!(history_a, history_b);
    let (c, _) = train_classifier(2, true);
    assert_ne!(a, c);
    // Without shuffling only the dropout masks depend on the seed, and they still do.
    let (d, _) = train_classifier(1, false);
    let (e, _) = train_classifier(2, false);
    assert_ne!(d, e);
    assert_eq!(d, train_classifier(1, false).0);
}

// 3. Divergence.

#[test]
fn divergence_in_the_first_epoch_restores_the_initial_weights() {
    let data = sums::<f32>(100, 1.0, 3);
    let start = Regressor::new(&mut rng(4));
    let mut net = start.clone();
    let error = Trainer::new(Sgd::new(1e30), MeanSquaredError)
        .batch_size(10)
        .epochs(5)
        .progress(false)
        .fit(&mut net, &data)
        .unwrap_err();
    match error {
        TrainError::Diverged {
            epoch,
            iteration,
            loss,
        } => {
            assert_eq!(epoch, 1);
            // The first batch's loss is taken before any update, so it is finite.
            assert!((2..=10).contains(&iteration), "iteration {iteration}");
            assert!(!loss.is_finite(), "loss {loss}");
        }
        other => panic!("expected divergence, got {other:?}"),
    }
    assert_eq!(net, start);
}

#[test]
fn divergence_in_a_later_epoch_restores_the_weights_from_that_epochs_start() {
    let data = sums::<f32>(100, 1.0, 3);
    let start = Regressor::new(&mut rng(4));
    let trainer = |optimizer| {
        Trainer::new(optimizer, MeanSquaredError)
            .batch_size(10)
            .seed(8)
            .progress(false)
    };
    // The weights after one good epoch.
    let mut after_one = start.clone();
    trainer(Counting::new(0.05))
        .epochs(1)
        .fit(&mut after_one, &data)
        .unwrap();
    assert_ne!(after_one, start);

    // The same run, but step 15 (epoch 2, iteration 5) uses a learning rate of 1e30.
    let mut net = start.clone();
    let error = trainer(Counting::exploding_at(0.05, 15))
        .epochs(5)
        .fit(&mut net, &data)
        .unwrap_err();
    match error {
        TrainError::Diverged {
            epoch, iteration, ..
        } => {
            assert_eq!(epoch, 2);
            assert!((6..=10).contains(&iteration), "iteration {iteration}");
        }
        other => panic!("expected divergence, got {other:?}"),
    }
    assert!(error.to_string().contains("epoch 2"), "{error}");
    assert_eq!(net, after_one);
}

// 4. Early stopping.

/// A linear model starting at zero, trained towards `x₀ + x₁` while validated against
/// `0.5·(x₀ + x₁)`: the validation loss falls until the weights pass 0.5, then rises.
fn overfit(epochs: usize, early_stopping: EarlyStopping) -> (Linear, History, Dataset<f64, 2, 1>) {
    let train = sums::<f64>(100, 1.0, 21);
    let validation = sums::<f64>(50, 0.5, 22);
    let mut net = Linear::new(&mut rng(0));
    net.dense1.weight.fill(0.0);
    let history = Trainer::new(Sgd::new(0.01), MeanSquaredError)
        .batch_size(10)
        .epochs(epochs)
        .seed(5)
        .early_stopping(early_stopping)
        .validation_data(&validation)
        .progress(false)
        .fit(&mut net, &train)
        .unwrap();
    (net, history, validation)
}

/// The 1-based epoch of the lowest validation loss.
fn lowest_validation_epoch(history: &History) -> usize {
    let mut best = 0;
    for (i, record) in history.epochs.iter().enumerate() {
        if record.validation_loss.unwrap() < history.epochs[best].validation_loss.unwrap() {
            best = i;
        }
    }
    best + 1
}

#[test]
fn early_stopping_stops_after_patience_and_restores_the_best_weights() {
    let patience = 3;
    let (net, history, validation) = overfit(100, EarlyStopping::new(patience));
    let best = history.best_epoch;
    assert!(
        best > 1,
        "the validation loss should fall first, best epoch {best}"
    );
    assert_eq!(best, lowest_validation_epoch(&history));
    assert_eq!(
        history.stop_reason,
        StopReason::EarlyStopping {
            epoch: best + patience
        }
    );
    assert_eq!(history.epochs.len(), best + patience);
    assert!(history.restored_best_weights);
    let best_loss = history.best().unwrap().validation_loss.unwrap();
    let last_loss = history.last().unwrap().validation_loss.unwrap();
    assert!(best_loss < last_loss);
    let now = evaluate(&net, &validation, &MeanSquaredError).loss;
    assert_relative(now, best_loss, 1e-6, "restored validation loss");
}

#[test]
fn without_restore_the_last_weights_stay() {
    let early = EarlyStopping::new(3).with_restore_best_weights(false);
    let (net, history, validation) = overfit(100, early);
    assert!(matches!(
        history.stop_reason,
        StopReason::EarlyStopping { .. }
    ));
    assert!(!history.restored_best_weights);
    let best_loss = history.best().unwrap().validation_loss.unwrap();
    let last_loss = history.last().unwrap().validation_loss.unwrap();
    assert!(best_loss < last_loss);
    let now = evaluate(&net, &validation, &MeanSquaredError).loss;
    assert_relative(now, last_loss, 1e-6, "last validation loss");
}

#[test]
fn the_best_weights_are_restored_when_the_epoch_limit_comes_first() {
    let (_, stopped, _) = overfit(100, EarlyStopping::new(3));
    // Run a few epochs past the best one, with patience to spare.
    let epochs = stopped.best_epoch + 2;
    let (net, history, validation) = overfit(epochs, EarlyStopping::new(50));
    assert_eq!(history.stop_reason, StopReason::EpochLimit);
    assert_eq!(history.epochs.len(), epochs);
    assert_eq!(history.best_epoch, stopped.best_epoch);
    assert!(history.restored_best_weights);
    let best_loss = history.best().unwrap().validation_loss.unwrap();
    assert!(best_loss < history.last().unwrap().validation_loss.unwrap());
    let now = evaluate(&net, &validation, &MeanSquaredError).loss;
    assert_relative(now, best_loss, 1e-6, "restored validation loss");
}

#[test]
fn min_delta_decides_what_counts_as_an_improvement() {
    // With a min_delta larger than any epoch's gain, only the first epoch is ever best.
    let early = EarlyStopping::new(2).with_min_delta(1.0);
    let (_, history, _) = overfit(100, early);
    assert_eq!(history.best_epoch, 1);
    assert_eq!(history.stop_reason, StopReason::EarlyStopping { epoch: 3 });
}

#[test]
fn patience_zero_stops_at_the_first_epoch_without_improvement() {
    let (_, history, _) = overfit(100, EarlyStopping::new(0));
    let best = history.best_epoch;
    assert!(best > 1);
    assert_eq!(best, lowest_validation_epoch(&history));
    assert_eq!(
        history.stop_reason,
        StopReason::EarlyStopping { epoch: best + 1 }
    );
}

// 5. L1 and L2.

/// The network for the penalty tests, with biases set far from zero.
fn penalized() -> Penalized {
    let mut net = Penalized::new(&mut rng(31));
    net.dense1.bias.fill(0.5);
    net.dense2.bias.fill(-0.75);
    net
}

/// The first epoch's training loss at a learning rate too small to move the weights.
fn first_epoch_loss(l1: f64, l2: f64) -> f64 {
    let data = linear3(64, 32);
    let mut net = penalized();
    let history = Trainer::new(Sgd::new(1e-12), MeanSquaredError)
        .batch_size(10)
        .epochs(1)
        .seed(4)
        .l1(l1)
        .l2(l2)
        .progress(false)
        .fit(&mut net, &data)
        .unwrap();
    history.epochs[0].train_loss
}

#[test]
fn the_reported_loss_includes_the_penalty_on_weights_only() {
    let net = penalized();
    let (weight_abs, weight_squares) = sums_of(&net, TensorKind::Weight);
    let (bias_abs, bias_squares) = sums_of(&net, TensorKind::Bias);
    assert!(bias_abs > 1.0 && bias_squares > 1.0);
    let plain = first_epoch_loss(0.0, 0.0);
    // The weights move by about 1e-12 in the epoch; rounding is about 1e-16.
    let tolerance = 1e-9;

    let l2 = 0.01;
    let expected = l2 * weight_squares;
    assert_relative(first_epoch_loss(0.0, l2) - plain, expected, tolerance, "L2");
    // Counting the biases would be far outside the tolerance.
    assert!(l2 * bias_squares > 1e3 * tolerance * expected);

    let l1 = 0.02;
    let expected = l1 * weight_abs;
    assert_relative(first_epoch_loss(l1, 0.0) - plain, expected, tolerance, "L1");
    assert!(l1 * bias_abs > 1e3 * tolerance * expected);

    let expected = l1 * weight_abs + l2 * weight_squares;
    assert_relative(
        first_epoch_loss(l1, l2) - plain,
        expected,
        tolerance,
        "L1 + L2",
    );
}

#[test]
fn l2_shrinks_the_weights() {
    let data = linear3(128, 33);
    let train = |l2: f64| {
        let mut net = penalized();
        Trainer::new(Sgd::new(0.05), MeanSquaredError)
            .batch_size(16)
            .epochs(30)
            .seed(6)
            .l2(l2)
            .progress(false)
            .fit(&mut net, &data)
            .unwrap();
        sums_of(&net, TensorKind::Weight).1
    };
    let free = train(0.0);
    let shrunk = train(0.05);
    assert!(shrunk < 0.9 * free, "Σw² with L2 {shrunk}, without {free}");
}

// 6. Metrics.

#[test]
fn classification_losses_report_accuracy_only() {
    let data = clusters(60, 41);
    let validation = clusters(30, 42);
    let mut net = Plain::new(&mut rng(43));
    let history = Trainer::new(Adam::new(0.01), SoftmaxCrossEntropy)
        .epochs(2)
        .validation_data(&validation)
        .progress(false)
        .fit(&mut net, &data)
        .unwrap();
    for record in &history.epochs {
        let validation = record.validation_metrics.unwrap();
        for metrics in [record.train_metrics, validation] {
            let accuracy = metrics.accuracy.unwrap();
            assert!((0.0..=1.0).contains(&accuracy));
            assert_eq!((metrics.mse, metrics.mae), (None, None));
        }
    }

    let data = halves(60, 44);
    let validation = halves(30, 45);
    let mut net = Binary::new(&mut rng(46));
    let history = Trainer::new(Adam::new(0.01), BinaryCrossEntropy)
        .epochs(2)
        .validation_data(&validation)
        .progress(false)
        .fit(&mut net, &data)
        .unwrap();
    let record = history.last().unwrap();
    let validation = record.validation_metrics.unwrap();
    for metrics in [record.train_metrics, validation] {
        assert!(metrics.accuracy.is_some());
        assert_eq!((metrics.mse, metrics.mae), (None, None));
    }
}

#[test]
fn mean_squared_error_reports_mse_and_mae_and_no_accuracy() {
    let data = sums::<f32>(64, 1.0, 51);
    let validation = sums::<f32>(32, 1.0, 52);
    let mut net = Regressor::new(&mut rng(53));
    let history = Trainer::new(Sgd::new(0.05), MeanSquaredError)
        .batch_size(8)
        .epochs(3)
        .validation_data(&validation)
        .progress(false)
        .fit(&mut net, &data)
        .unwrap();
    for record in &history.epochs {
        let validation = record.validation_metrics.unwrap();
        for metrics in [record.train_metrics, validation] {
            assert!(metrics.accuracy.is_none());
            let (mse, mae) = (metrics.mse.unwrap(), metrics.mae.unwrap());
            // With one output, mean |e| <= sqrt(mean e²).
            assert!(mae > 0.0 && mae * mae <= mse * (1.0 + 1e-9), "{mse} {mae}");
        }
        // With no penalty and no dropout the MSE metric is the MSE loss.
        assert_relative(
            record.train_metrics.mse.unwrap(),
            record.train_loss,
            1e-5,
            "training MSE",
        );
        assert_relative(
            validation.mse.unwrap(),
            record.validation_loss.unwrap(),
            1e-5,
            "validation MSE",
        );
    }
}

#[test]
fn requested_metrics_override_the_defaults() {
    let data = sums::<f32>(40, 1.0, 54);
    let mut net = Regressor::new(&mut rng(55));
    let history = Trainer::new(Sgd::new(0.05), MeanSquaredError)
        .epochs(1)
        .metrics(&[Metric::Accuracy])
        .validation_fraction(0.25)
        .progress(false)
        .fit(&mut net, &data)
        .unwrap();
    let record = history.last().unwrap();
    for metrics in [record.train_metrics, record.validation_metrics.unwrap()] {
        assert!(metrics.accuracy.is_some());
        assert_eq!((metrics.mse, metrics.mae), (None, None));
    }

    let data = clusters(30, 56);
    let mut net = Plain::new(&mut rng(57));
    let history = Trainer::new(Sgd::new(0.05), SoftmaxCrossEntropy)
        .epochs(1)
        .metrics(&[Metric::MeanAbsoluteError, Metric::MeanSquaredError])
        .progress(false)
        .fit(&mut net, &data)
        .unwrap();
    let metrics = history.last().unwrap().train_metrics;
    assert!(metrics.accuracy.is_none());
    assert!(metrics.mse.is_some() && metrics.mae.is_some());
    assert!(history.last().unwrap().validation_metrics.is_none());
}

#[test]
fn a_separable_problem_reaches_full_accuracy() {
    let data = clusters(150, 61);
    let validation = clusters(60, 62);
    let mut net = Plain::new(&mut rng(63));
    let history = Trainer::new(Adam::new(0.05), SoftmaxCrossEntropy)
        .batch_size(16)
        .epochs(30)
        .validation_data(&validation)
        .progress(false)
        .fit(&mut net, &data)
        .unwrap();
    let last = history.last().unwrap();
    assert_eq!(last.train_metrics.accuracy, Some(1.0));
    assert_eq!(last.validation_metrics.unwrap().accuracy, Some(1.0));
    assert!(history.epochs[0].train_metrics.accuracy.unwrap() < 1.0);
    assert_eq!(
        evaluate(&net, &data, &SoftmaxCrossEntropy).metrics.accuracy,
        Some(1.0)
    );
}

// 7. Validation fraction.

#[test]
fn a_validation_fraction_holds_out_samples_validated_every_epoch() {
    let data = sums::<f32>(100, 1.0, 71);
    let mut net = Regressor::new(&mut rng(72));
    let mut trainer = Trainer::new(Counting::new(0.05), MeanSquaredError)
        .batch_size(25)
        .epochs(3)
        .validation_fraction(0.25)
        .progress(false);
    let history = trainer.fit(&mut net, &data).unwrap();
    // 75 training samples: 3 batches of 25 per epoch.
    assert_eq!(trainer.optimizer().steps, 9);
    assert_eq!(history.validation_losses().count(), 3);
    assert!(history.epochs.iter().all(|r| {
        r.validation_loss.is_some_and(f64::is_finite) && r.validation_metrics.is_some()
    }));

    // Validation data given explicitly wins over the fraction: all 100 samples train.
    let validation = sums::<f32>(10, 1.0, 73);
    let mut trainer = Trainer::new(Counting::new(0.05), MeanSquaredError)
        .batch_size(25)
        .epochs(1)
        .validation_fraction(0.25)
        .validation_data(&validation)
        .progress(false);
    trainer.fit(&mut net, &data).unwrap();
    assert_eq!(trainer.optimizer().steps, 4);
}

// 8. Hyperparameter errors.

/// Fits a regressor with `trainer`, expecting a hyperparameter error naming `name` and no
/// training at all.
fn assert_rejected<O: Optimizer>(name: &str, trainer: Trainer<'_, O, MeanSquaredError>) {
    let data = sums::<f32>(20, 1.0, 81);
    let start = Regressor::new(&mut rng(82));
    let mut net = start.clone();
    let result = trainer
        .progress(false)
        .on_epoch(|record| panic!("epoch {} ran", record.epoch))
        .fit(&mut net, &data);
    match result {
        Err(TrainError::Hyperparameter(error)) => {
            assert_eq!(error.name, name);
            assert!(error.to_string().contains(&format!("`{name}`")), "{error}");
        }
        other => panic!("expected an invalid `{name}`, got {other:?}"),
    }
    assert_eq!(net, start, "an invalid `{name}` still trained");
}

#[test]
fn invalid_hyperparameters_are_named_and_nothing_trains() {
    let sgd = || Trainer::new(Sgd::new(0.1), MeanSquaredError);
    assert_rejected("batch_size", sgd().batch_size(0));
    assert_rejected("epochs", sgd().epochs(0));
    assert_rejected("lr", Trainer::new(Sgd::new(0.0), MeanSquaredError));
    assert_rejected(
        "beta1",
        Trainer::new(Adam::new(0.01).with_betas(1.0, 0.999), MeanSquaredError),
    );
    assert_rejected("l1", sgd().l1(-0.1));
    assert_rejected("l2", sgd().l2(f64::NAN));
    assert_rejected(
        "min_delta",
        sgd().early_stopping(EarlyStopping::new(3).with_min_delta(f64::NAN)),
    );
    assert_rejected(
        "factor",
        sgd().schedule(LrSchedule::step(1).with_factor(0.5)),
    );
    assert_rejected("step_size", sgd().schedule(LrSchedule::step(0)));
    for fraction in [0.0, 1.0, f64::NAN, -0.5, 1.5] {
        assert_rejected("validation_fraction", sgd().validation_fraction(fraction));
    }
    // The optimizer is checked too, even when every trainer setting is valid, and through a
    // wrapper.
    assert_rejected(
        "lr",
        Trainer::new(Counting::new(-1.0), MeanSquaredError).epochs(3),
    );
}

// 9. Learning-rate schedule.

#[test]
fn a_step_schedule_lowers_the_recorded_learning_rate_every_step_size_epochs() {
    let data = sums::<f32>(40, 1.0, 91);
    let mut net = Regressor::new(&mut rng(92));
    let mut trainer = Trainer::new(Sgd::new(0.1), MeanSquaredError)
        .batch_size(10)
        .epochs(5)
        .schedule(LrSchedule::step(2))
        .progress(false);
    let history = trainer.fit(&mut net, &data).unwrap();
    let rates: Vec<f64> = history.epochs.iter().map(|r| r.learning_rate).collect();
    let expected = [0.1, 0.1, 0.01, 0.01, 0.001];
    assert_eq!(rates.len(), expected.len());
    for (got, want) in rates.iter().zip(expected) {
        assert!((got - want).abs() < 1e-12, "rates {rates:?}");
    }
    // After epoch 5 the rate is set for a sixth: 0.1·0.1^⌊5/2⌋.
    assert!((trainer.optimizer().learning_rate() - 0.001).abs() < 1e-12);
}

// 10. The per-epoch callback.

#[test]
fn the_callback_sees_every_epoch_once_in_order() {
    let data = sums::<f32>(40, 1.0, 101);
    let mut net = Regressor::new(&mut rng(102));
    let mut seen = Vec::new();
    let history = Trainer::new(Sgd::new(0.05), MeanSquaredError)
        .batch_size(10)
        .epochs(6)
        .on_epoch(|record| seen.push(*record))
        .progress(false)
        .fit(&mut net, &data)
        .unwrap();
    let epochs: Vec<usize> = seen.iter().map(|r| r.epoch).collect();
    assert_eq!(epochs, [1, 2, 3, 4, 5, 6]);
    assert_eq!(seen, history.epochs);

    // When early stopping ends training, only the epochs that ran are reported.
    let train = sums::<f64>(100, 1.0, 21);
    let validation = sums::<f64>(50, 0.5, 22);
    let mut net = Linear::new(&mut rng(0));
    net.dense1.weight.fill(0.0);
    let mut count = 0;
    let history = Trainer::new(Sgd::new(0.01), MeanSquaredError)
        .batch_size(10)
        .epochs(100)
        .early_stopping(EarlyStopping::new(3))
        .validation_data(&validation)
        .on_epoch(|_| count += 1)
        .progress(false)
        .fit(&mut net, &train)
        .unwrap();
    assert!(history.epochs.len() < 100);
    assert_eq!(count, history.epochs.len());
}

// 11. Evaluation.

#[test]
fn evaluate_matches_the_final_validation_loss() {
    let data = clusters(90, 111);
    let validation = clusters(45, 112);
    let mut net = Plain::new(&mut rng(113));
    let history = Trainer::new(Adam::new(0.01), SoftmaxCrossEntropy)
        .batch_size(16)
        .epochs(5)
        .validation_data(&validation)
        .progress(false)
        .fit(&mut net, &data)
        .unwrap();
    let last = history.last().unwrap();
    let evaluation = evaluate(&net, &validation, &SoftmaxCrossEntropy);
    assert_relative(
        evaluation.loss,
        last.validation_loss.unwrap(),
        1e-6,
        "validation loss",
    );
    assert_eq!(
        evaluation.metrics.accuracy,
        last.validation_metrics.unwrap().accuracy
    );
    // Only the metrics that fit the loss: no errors for a classifier, no accuracy below.
    assert_eq!(
        (evaluation.metrics.mse, evaluation.metrics.mae),
        (None, None)
    );
    // The same for regression, where MSE and MAE are reported.
    let data = sums::<f32>(60, 1.0, 114);
    let validation = sums::<f32>(30, 1.0, 115);
    let mut net = Regressor::new(&mut rng(116));
    let history = Trainer::new(Sgd::new(0.05), MeanSquaredError)
        .batch_size(7)
        .epochs(3)
        .validation_data(&validation)
        .progress(false)
        .fit(&mut net, &data)
        .unwrap();
    let last = history.last().unwrap();
    let evaluation = evaluate(&net, &validation, &MeanSquaredError);
    assert_relative(
        evaluation.loss,
        last.validation_loss.unwrap(),
        1e-6,
        "validation loss",
    );
    let reported = last.validation_metrics.unwrap();
    assert_relative(
        evaluation.metrics.mae.unwrap(),
        reported.mae.unwrap(),
        1e-9,
        "MAE",
    );
    assert_relative(
        evaluation.metrics.mse.unwrap(),
        reported.mse.unwrap(),
        1e-9,
        "MSE",
    );
    assert_eq!(evaluation.metrics.accuracy, None);
}

// 12. The optimizers.

/// The first and last epochs' training losses of a dropout classifier trained with `optimizer`.
fn first_and_last_loss<O: Optimizer>(optimizer: O) -> (f64, f64) {
    let data = clusters(150, 121);
    let mut net = Classifier::new(&mut rng(122));
    let history = Trainer::new(optimizer, SoftmaxCrossEntropy)
        .batch_size(16)
        .epochs(15)
        .progress(false)
        .fit(&mut net, &data)
        .unwrap();
    let losses: Vec<f64> = history.train_losses().collect();
    (losses[0], *losses.last().unwrap())
}

#[test]
fn adam_adamw_and_rmsprop_each_halve_the_loss() {
    for (name, (first, last)) in [
        ("Adam", first_and_last_loss(Adam::new(0.01))),
        ("AdamW", first_and_last_loss(AdamW::new(0.01))),
        ("RmsProp", first_and_last_loss(RmsProp::new(0.01))),
    ] {
        assert!(
            last < first / 2.0,
            "{name}: first loss {first}, last {last}"
        );
    }
}

// A known gap, kept as a failing test until it is fixed: an epoch's last update is never
// checked, so when it is the one that diverges, the next epoch snapshots the diverged weights as
// its "start" and restores them (and with one epoch left, `fit` returns `Ok`).

#[test]
fn divergence_from_an_epochs_last_update_restores_good_weights() {
    let data = sums::<f32>(100, 1.0, 3);
    let mut net = Regressor::new(&mut rng(4));
    // 10 iterations per epoch: step 10 is epoch 1's last update.
    let result = Trainer::new(Counting::exploding_at(0.05, 10), MeanSquaredError)
        .batch_size(10)
        .epochs(3)
        .progress(false)
        .fit(&mut net, &data);
    assert!(
        matches!(result, Err(TrainError::Diverged { .. })),
        "{result:?}"
    );
    let loss = evaluate(&net, &data, &MeanSquaredError).loss;
    assert!(
        loss.is_finite(),
        "the restored weights give a loss of {loss}"
    );
}
