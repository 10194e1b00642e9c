//! The trainer and the low-level `Session` under input that used to break them: epoch limits
//! far above the epochs run, threads that cannot start, empty batches, a second fit after a
//! schedule, validation losses whose sum overflows, NaN outputs, panics in a user's optimizer,
//! datasets of the wrong size, dropped sessions, and what `.l2` means next to weight decay.

use std::cell::RefCell;
use std::ops::ControlFlow;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, MutexGuard};

use nn::prelude::*;
use nn::rand::RngExt;
use nn::train::{Penalty, Session};
use nn::{HyperparameterError, TensorKind};

network! {
    /// `y = w·x + b`, whose two parameters the tests set by hand.
    struct Line: Input<1> -> Dense<1>;

    /// Regression with a hidden layer: four tensors (two weights, two biases).
    struct Regressor: Input<2> -> Dense<8, Tanh> -> Dense<1>;

    /// A hidden layer of 32 768 weights, large enough for threads to share its update.
    struct Wide: Input<2> -> Dense<16384, Tanh> -> Dense<1>;

    /// Three classes.
    struct Classifier: Input<2> -> Dense<8, Tanh> -> Dense<3, Softmax>;

    /// Two classes on one sigmoid output.
    struct Binary: Input<2> -> Dense<4, Tanh> -> Dense<1, Sigmoid>;

    /// Linear regression in f64, for exact update arithmetic.
    struct Linear<f64>: Input<2> -> Dense<1>;
}

/// Held by every test that starts training threads, so that the others see no threads of theirs.
static THREADS: Mutex<()> = Mutex::new(());

fn threads_lock() -> MutexGuard<'static, ()> {
    THREADS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// `n` points uniform in [-1, 1]² with the target `x₀ + x₁`.
fn sums(n: usize, seed: u64) -> Dataset<f32, 2, 1> {
    let mut rng = rng(seed);
    let inputs: Vec<[f32; 2]> = (0..n)
        .map(|_| [rng.random_range(-1.0..1.0), rng.random_range(-1.0..1.0)])
        .collect();
    let targets: Vec<[f32; 1]> = inputs.iter().map(|x| [x[0] + x[1]]).collect();
    Dataset::from_arrays(&inputs, &targets).unwrap()
}

/// Every parameter of `net`, in order.
fn flat<T: Float, N: Tensors<T>>(net: &N) -> Vec<T> {
    let mut values = Vec::new();
    net.for_each_tensor(|_, v| values.extend_from_slice(v));
    values
}

/// Plain SGD that counts its steps (over its whole life) and panics at one update: tensor
/// `tensor` (from 0) of step `step` (from 1). Its state can be saved when `checkpointable`.
struct Panicking {
    inner: Sgd,
    steps: usize,
    tensor: usize,
    panic_at: Option<(usize, usize)>,
    checkpointable: bool,
}

impl Panicking {
    fn new(lr: f64) -> Self {
        Self {
            inner: Sgd::new(lr),
            steps: 0,
            tensor: 0,
            panic_at: None,
            checkpointable: false,
        }
    }
}

impl Optimizer for Panicking {
    fn validate(&self) -> Result<(), HyperparameterError> {
        self.inner.validate()
    }

    fn learning_rate(&self) -> f64 {
        self.inner.learning_rate()
    }

    fn set_learning_rate(&mut self, lr: f64) {
        self.inner.set_learning_rate(lr);
    }

    fn prepare<T: Float>(&mut self, parameters: usize) {
        self.inner.prepare::<T>(parameters);
    }

    fn begin_step(&mut self) {
        self.steps += 1;
        self.tensor = 0;
        self.inner.begin_step();
    }

    fn update<T: Float>(
        &mut self,
        kind: TensorKind,
        parameters: &mut [T],
        gradients: &[T],
        offset: usize,
    ) {
        if self.panic_at == Some((self.steps, self.tensor)) {
            panic!("the optimizer fails at step {}", self.steps);
        }
        self.inner.update(kind, parameters, gradients, offset);
        self.tensor += 1;
    }

    fn state(&self) -> Option<nn::optim::OptimizerState> {
        self.checkpointable.then(|| self.inner.state()).flatten()
    }

    fn restore_state(&mut self, state: &nn::optim::OptimizerState) -> Result<(), String> {
        self.inner.restore_state(state)
    }
}

// 1. The epoch limit is a limit, not an allocation.

#[test]
fn an_epoch_limit_of_usize_max_with_early_stopping_trains_and_stops() {
    let data = sums(32, 1);
    let mut net = Regressor::new(&mut rng(2));
    // No later epoch can improve by 10⁹: training stops after the second.
    let history = Trainer::new(Sgd::new(0.05), MeanSquaredError)
        .epochs(usize::MAX)
        .early_stopping(EarlyStopping::new(1).with_min_delta(1e9))
        .progress(false)
        .fit(&mut net, &data)
        .unwrap();
    assert_eq!(history.stop_reason, StopReason::EarlyStopping { epoch: 2 });
    assert_eq!(history.epochs.len(), 2);
    assert!(
        history.epochs.capacity() < 1000,
        "the history grows as epochs run"
    );
}

#[test]
fn an_epoch_limit_of_a_billion_allocates_only_the_epochs_run() {
    let data = sums(32, 3);
    let mut net = Regressor::new(&mut rng(4));
    let history = Trainer::new(Sgd::new(0.05), MeanSquaredError)
        .epochs(1_000_000_000)
        .progress(false)
        .fit_with(&mut net, &data, |record, _| {
            if record.epoch == 3 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap();
    assert_eq!(history.stop_reason, StopReason::Callback { epoch: 3 });
    assert_eq!(history.epochs.len(), 3);
    assert!(
        history.epochs.capacity() < 1000,
        "the history grows as epochs run"
    );
}

// 2. More threads than cores train on the cores (threads the operating system refuses are a
// typed error: the pool's own tests inject and provoke refusals).

#[test]
fn more_threads_than_cores_train_on_the_cores() {
    let _threads = threads_lock();
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let data = sums(32, 5);
    let mut net = Wide::new(&mut rng(6));
    let before = flat(&net);
    let history = Trainer::new(Sgd::new(0.05), MeanSquaredError)
        .threads(usize::MAX)
        .epochs(2)
        .progress(false)
        .fit(&mut net, &data)
        .unwrap();
    assert_eq!(history.threads, cores);
    assert_ne!(flat(&net), before, "the network trained");
    let session = Session::<Wide, 2, 1>::with_threads(8, 32, 0, usize::MAX).unwrap();
    assert_eq!(session.threads(), cores);
}

// 3. The low-level session checks its batch capacity as the trainer does.

#[test]
fn a_session_of_batch_capacity_zero_is_a_typed_error() {
    for session in [
        Session::<Regressor, 2, 1>::new(0, 10, 0),
        Session::<Regressor, 2, 1>::with_threads(0, 10, 0, 2),
    ] {
        let error = session.err().expect("a batch capacity of 0 is refused");
        assert!(
            matches!(
                error,
                TrainError::Hyperparameter(HyperparameterError {
                    name: "batch_size",
                    ..
                })
            ),
            "{error:?}"
        );
        assert!(error.to_string().contains("batch_size"), "{error}");
    }
}

#[test]
fn a_session_for_evaluation_only_evaluates_every_sample() {
    let data = sums(5, 7);
    let net = Regressor::new(&mut rng(8));
    // No training samples, batches of 1: five batches of one.
    let mut session = Session::<Regressor, 2, 1>::new(1, 0, 0).unwrap();
    let totals = session.evaluate(&net, &data, &MeanSquaredError);
    let expected = evaluate(&net, &data, &MeanSquaredError).loss;
    assert!(
        (totals.loss - expected).abs() <= 1e-6 * expected,
        "{}",
        totals.loss
    );
}

// 4. A second fit with the same trainer.

#[test]
fn a_second_fit_after_cosine_annealing_starts_again_from_the_base_rate() {
    let data = sums(32, 9);
    let mut trainer = Trainer::new(Sgd::new(0.05), MeanSquaredError)
        .epochs(4)
        .schedule(LrSchedule::cosine_annealing(4).with_eta_min(1e-3))
        .progress(false);
    let rates = |history: &History| -> Vec<f64> {
        history.epochs.iter().map(|r| r.learning_rate).collect()
    };
    let mut net = Regressor::new(&mut rng(10));
    let first = trainer.fit(&mut net, &data).unwrap();
    assert_eq!(
        trainer.optimizer().learning_rate(),
        1e-3,
        "annealed to eta_min"
    );
    let second = trainer.fit(&mut net, &data).unwrap();
    assert_eq!(rates(&second), rates(&first));
    assert_eq!(rates(&first)[0], 0.05);
}

#[test]
fn a_second_fit_after_annealing_to_zero_is_accepted() {
    let data = sums(32, 11);
    // Annealed to 0 over 3 epochs: the rate after the last epoch is 0, and no epoch runs at it.
    let mut trainer = Trainer::new(Sgd::new(0.05), MeanSquaredError)
        .epochs(3)
        .schedule(LrSchedule::cosine_annealing(3))
        .progress(false);
    let mut net = Regressor::new(&mut rng(12));
    let first = trainer.fit(&mut net, &data).unwrap();
    let second = trainer.fit(&mut net, &data).unwrap();
    assert_eq!(first.epochs.len(), 3);
    assert_eq!(second.epochs.len(), 3);
    assert_eq!(second.epochs[0].learning_rate, 0.05);
}

// 5. A validation loss whose f32 sum overflows is large, not divergence.

#[test]
fn a_finite_validation_loss_whose_sum_overflows_is_not_divergence() {
    // y = x, fitted exactly: training has nothing to change.
    let mut net = Line::new(&mut rng(13));
    net.for_each_tensor_mut(|kind, values| {
        values[0] = if kind == TensorKind::Weight { 1.0 } else { 0.0 };
    });
    let xs: Vec<[f32; 1]> = (0..8).map(|i| [i as f32 / 4.0 - 1.0]).collect();
    let train = Dataset::from_arrays(&xs, &xs).unwrap();
    // Each sample's squared error is 10³⁸, finite in f32; eight of them overflow f32.
    let far = vec![[1e19f32]; 8];
    let validation = Dataset::from_arrays(&far, &[[0.0f32]; 8]).unwrap();
    let history = Trainer::new(Sgd::new(0.01), MeanSquaredError)
        .batch_size(8)
        .epochs(2)
        .validation_data(&validation)
        .progress(false)
        .fit(&mut net, &train)
        .unwrap();
    let expected = f64::from(1e19f32).powi(2);
    for record in &history.epochs {
        let loss = record.validation_loss.unwrap();
        assert!((loss - expected).abs() <= 1e-6 * expected, "{loss}");
    }
    let evaluation = evaluate(&net, &validation, &MeanSquaredError);
    assert!((evaluation.loss - expected).abs() <= 1e-6 * expected);
}

// 6. NaN outputs are not right answers.

#[test]
fn nan_outputs_score_an_accuracy_of_zero() {
    let inputs = vec![[0.5f32, -0.5]; 6];
    let mut classifier = Classifier::new(&mut rng(14));
    classifier.for_each_tensor_mut(|_, values| values.fill(f32::NAN));
    // Class 0 everywhere: what a NaN output would read as.
    let labels = Dataset::from_labels(&inputs, &[0; 6]).unwrap();
    let evaluation = evaluate(&classifier, &labels, &SoftmaxCrossEntropy);
    assert_eq!(evaluation.metrics.accuracy, Some(0.0));
    assert!(evaluation.loss.is_nan());

    let mut binary = Binary::new(&mut rng(15));
    binary.for_each_tensor_mut(|_, values| values.fill(f32::NAN));
    let zeros = Dataset::from_arrays(&inputs, &[[0.0f32]; 6]).unwrap();
    let evaluation = evaluate(&binary, &zeros, &BinaryCrossEntropy);
    assert_eq!(evaluation.metrics.accuracy, Some(0.0));
}

// 7 and 9. A panic in the optimizer: the epoch's start weights, and later epochs train.

/// An epoch of 3 steps, then one that panics at tensor 2 of its second step (after half of that
/// step's update), then one more on `threads` threads.
fn panic_in_an_epoch_then_train(threads: usize) {
    let data = sums(24, 16);
    let mut net = Regressor::new(&mut rng(17));
    let mut optimizer = Panicking::new(0.05);
    optimizer.prepare::<f32>(Regressor::PARAMETERS);
    let mut session = Session::<Regressor, 2, 1>::with_threads(8, data.len(), 18, threads).unwrap();
    let penalty = Penalty::default();
    let mut epoch = |net: &mut Regressor, optimizer: &mut Panicking| {
        session.epoch(net, &data, optimizer, &MeanSquaredError, &penalty, true)
    };
    epoch(&mut net, &mut optimizer).unwrap();
    let start = flat(&net);
    optimizer.panic_at = Some((5, 2));
    let outcome = catch_unwind(AssertUnwindSafe(|| epoch(&mut net, &mut optimizer)));
    assert!(outcome.is_err(), "the optimizer panicked");
    assert_eq!(optimizer.steps, 5);
    assert_eq!(flat(&net), start, "the weights of the epoch's start");

    optimizer.panic_at = None;
    let totals = epoch(&mut net, &mut optimizer).unwrap();
    assert_eq!(optimizer.steps, 8, "three steps over all 24 samples");
    assert!(
        totals.loss.is_finite() && totals.loss > 0.0,
        "{}",
        totals.loss
    );
    assert_ne!(flat(&net), start, "the epoch trained");
    // The metric sums hold this epoch's samples only, not those of the step that panicked.
    let mse = totals.metrics(&[Metric::MeanSquaredError]).mse.unwrap();
    assert!(
        (mse - totals.loss).abs() <= 1e-5 * totals.loss,
        "{mse} vs {}",
        totals.loss
    );
}

#[test]
fn a_panic_in_an_epoch_restores_its_start_and_later_epochs_train() {
    panic_in_an_epoch_then_train(1);
}

#[test]
fn a_panic_in_an_epoch_on_two_threads_restores_its_start_and_later_epochs_train() {
    let _threads = threads_lock();
    panic_in_an_epoch_then_train(2);
}

#[test]
fn a_panic_in_fit_leaves_the_weights_of_the_epochs_start() {
    let data = sums(24, 19);
    let mut net = Regressor::new(&mut rng(20));
    let start = flat(&net);
    let mut optimizer = Panicking::new(0.05);
    // Half-way through the second step of the first epoch.
    optimizer.panic_at = Some((2, 2));
    let mut trainer = Trainer::new(optimizer, MeanSquaredError)
        .batch_size(8)
        .epochs(3)
        .progress(false);
    let outcome = catch_unwind(AssertUnwindSafe(|| trainer.fit(&mut net, &data)));
    assert!(outcome.is_err(), "the optimizer panicked");
    assert_eq!(flat(&net), start);
}

#[test]
fn a_panic_while_auto_threads_measures_leaves_the_weights_as_they_were() {
    let data = sums(24, 19);
    let mut net = Regressor::new(&mut rng(20));
    let start = flat(&net);
    let mut optimizer = Panicking::new(0.05);
    // Its state can be saved, so the measuring runs whole steps; the second is the first on
    // every core (on a machine of one core, the first epoch's second step).
    optimizer.checkpointable = true;
    optimizer.panic_at = Some((2, 1));
    let mut trainer = Trainer::new(optimizer, MeanSquaredError)
        .batch_size(8)
        .epochs(3)
        .auto_threads()
        .progress(false);
    let outcome = catch_unwind(AssertUnwindSafe(|| trainer.fit(&mut net, &data)));
    assert!(outcome.is_err(), "the optimizer panicked");
    assert_eq!(flat(&net), start);
}

// 8. A dataset of another size than the session's.

#[test]
fn an_epoch_on_a_dataset_of_another_size_is_a_typed_error() {
    let mut net = Regressor::new(&mut rng(21));
    let mut optimizer = Sgd::new(0.05);
    optimizer.prepare::<f32>(Regressor::PARAMETERS);
    let mut session = Session::<Regressor, 2, 1>::new(8, 24, 0).unwrap();
    for data in [sums(40, 22), sums(10, 23)] {
        let before = flat(&net);
        let error = session
            .epoch(
                &mut net,
                &data,
                &mut optimizer,
                &MeanSquaredError,
                &Penalty::default(),
                true,
            )
            .unwrap_err();
        assert_eq!(
            error,
            TrainError::SampleCount {
                session: 24,
                dataset: data.len()
            }
        );
        let message = error.to_string();
        assert!(
            message.contains("24") && message.contains(&data.len().to_string()),
            "{message}"
        );
        assert_eq!(flat(&net), before, "nothing was trained");
    }
}

#[test]
fn a_session_numbers_the_epochs_that_diverge() {
    let data = sums(24, 24);
    let mut net = Regressor::new(&mut rng(25));
    let mut optimizer = Sgd::new(1e30);
    optimizer.prepare::<f32>(Regressor::PARAMETERS);
    let mut session = Session::<Regressor, 2, 1>::new(8, 24, 0).unwrap();
    for expected in 1..=2 {
        let error = session
            .epoch(
                &mut net,
                &data,
                &mut optimizer,
                &MeanSquaredError,
                &Penalty::default(),
                true,
            )
            .unwrap_err();
        assert!(
            matches!(error, TrainError::Diverged { epoch, .. } if epoch == expected),
            "{error:?}"
        );
    }
}

// 10. Dropping a session waits for its threads.

thread_local! {
    /// A training thread's hold on the counter of the test below, dropped when the thread ends.
    static HOLD: RefCell<Option<Arc<()>>> = const { RefCell::new(None) };
}

/// Plain SGD whose updates, which run on the session's threads, leave each such thread holding
/// a clone of `alive` until it ends.
struct Holding {
    inner: Sgd,
    alive: Arc<()>,
}

impl Optimizer for Holding {
    fn validate(&self) -> Result<(), HyperparameterError> {
        self.inner.validate()
    }

    fn learning_rate(&self) -> f64 {
        self.inner.learning_rate()
    }

    fn set_learning_rate(&mut self, lr: f64) {
        self.inner.set_learning_rate(lr);
    }

    fn prepare<T: Float>(&mut self, parameters: usize) {
        self.inner.prepare::<T>(parameters);
    }

    fn begin_step(&mut self) {
        self.inner.begin_step();
    }

    fn update<T: Float>(
        &mut self,
        kind: TensorKind,
        parameters: &mut [T],
        gradients: &[T],
        offset: usize,
    ) {
        HOLD.with(|hold| {
            hold.borrow_mut()
                .get_or_insert_with(|| Arc::clone(&self.alive));
        });
        self.inner.update(kind, parameters, gradients, offset);
    }
}

#[test]
fn dropping_a_session_waits_for_its_threads_to_end() {
    let _threads = threads_lock();
    let data = sums(24, 26);
    let mut net = Wide::new(&mut rng(27));
    let alive = Arc::new(());
    let mut optimizer = Holding {
        inner: Sgd::new(0.05),
        alive: Arc::clone(&alive),
    };
    optimizer.prepare::<f32>(Wide::PARAMETERS);
    let mut session = Session::<Wide, 2, 1>::with_threads(8, 24, 0, 2).unwrap();
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    assert_eq!(session.threads(), 2.min(cores));
    session
        .epoch(
            &mut net,
            &data,
            &mut optimizer,
            &MeanSquaredError,
            &Penalty::default(),
            true,
        )
        .unwrap();
    assert!(
        Arc::strong_count(&alive) > 2,
        "the updates ran on the session's threads, which hold the counter"
    );
    drop(session);
    assert_eq!(
        Arc::strong_count(&alive),
        2,
        "only the test and the optimizer hold it: every thread has ended"
    );
}

// 11. `.l2(λ)` against an optimizer's weight decay.

#[test]
fn l2_lambda_equals_weight_decay_two_lambda_on_weights_and_leaves_biases_alone() {
    let inputs = [[1.0, 2.0], [-1.0, 0.5], [0.5, -1.5], [2.0, 1.0]];
    let targets = [[1.0], [0.0], [-1.0], [2.0]];
    let data = Dataset::<f64, 2, 1>::from_arrays(&inputs, &targets).unwrap();
    let mut start = Linear::new(&mut rng(28));
    start.for_each_tensor_mut(|kind, values| {
        if kind == TensorKind::Bias {
            values.fill(0.75);
        }
    });
    let (lr, lambda) = (0.1, 0.05);
    // One full-batch step each.
    let step = |optimizer: Sgd, l2: f64| {
        let mut net = start.clone();
        Trainer::new(optimizer, MeanSquaredError)
            .batch_size(4)
            .epochs(1)
            .shuffle(false)
            .l2(l2)
            .progress(false)
            .fit(&mut net, &data)
            .unwrap();
        net
    };
    let penalized = step(Sgd::new(lr), lambda);
    let decayed = step(Sgd::new(lr).with_weight_decay(2.0 * lambda), 0.0);
    let tensor = |net: &Linear, wanted: TensorKind| {
        let mut found = Vec::new();
        net.for_each_tensor(|kind, values| {
            if kind == wanted {
                found.extend_from_slice(values);
            }
        });
        found
    };
    for (p, d) in tensor(&penalized, TensorKind::Weight)
        .iter()
        .zip(tensor(&decayed, TensorKind::Weight))
    {
        assert!((p - d).abs() < 1e-12, "weights: {p} vs {d}");
    }
    // Weight decay also shrinks the bias, by lr·2λ·b; the penalty does not touch it.
    let (p, d) = (
        tensor(&penalized, TensorKind::Bias)[0],
        tensor(&decayed, TensorKind::Bias)[0],
    );
    assert!(
        (p - d - lr * 2.0 * lambda * 0.75).abs() < 1e-12,
        "biases: {p} vs {d}"
    );
}
