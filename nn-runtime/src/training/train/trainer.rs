//! The trainer: a builder of settings, and `fit`, the batch/epoch loop with validation, metrics,
//! penalties, early stopping and divergence recovery.

use std::borrow::Cow;
use std::ops::ControlFlow;

use super::auto_threads;
use super::checkpoint::{Checkpoint, Checkpoints, TrainingState};
use super::early_stopping::BestTracker;
use super::layer_norms;
use super::progress::Progress;
use super::validation::{NoValidationData, ValidationData, ValidationWidth};
use super::{
    ClassWeights, EarlyStopping, EpochRecord, GradientClipping, History, LayerHistory, Metric,
    Penalty, Session, StopReason, training_weights,
};
use crate::learning::error::require;
use crate::optim::LrSchedule;
use crate::{
    DataWidth, Dataset, HyperparameterError, Loss, Network, Optimizer, TrainError, TrainingData,
};

/// A per-epoch callback, given each finished epoch's record.
type EpochCallback<'a> = Box<dyn FnMut(&EpochRecord) + 'a>;

/// Trains a network: an optimizer and a loss, run over a dataset in shuffled batches for a number
/// of epochs, with optional weight penalties, validation, early stopping and progress display.
///
/// With 1000 samples and a batch size of 100, an epoch is 10 iterations; a short last batch is
/// kept. The same seed gives bit-identical weights.
pub struct Trainer<'a, O, L, V = NoValidationData> {
    optimizer: O,
    loss: L,
    batch_size: usize,
    epochs: usize,
    seed: u64,
    shuffle: bool,
    penalty: Penalty,
    early_stopping: Option<EarlyStopping>,
    schedule: LrSchedule,
    validation_data: V,
    validation_fraction: Option<f64>,
    metrics: Option<Vec<Metric>>,
    progress: Option<bool>,
    threads: Threads,
    /// The optimizer's learning rate before any schedule changed it.
    base_learning_rate: Option<f64>,
    on_epoch: Option<EpochCallback<'a>>,
    /// Epochs between log lines when stderr is not a terminal.
    log_every: usize,
    checkpoints: Option<Checkpoints>,
    clipping: GradientClipping,
    class_weights: Option<ClassWeights>,
    /// The checkpoint the next `fit` continues from.
    resume: Option<Checkpoint>,
    /// The state after the last `fit`, for [`checkpoint`](Trainer::checkpoint).
    last: Option<TrainingState>,
}

/// How many threads a training step runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Threads {
    /// Exactly this many (at least 1).
    Fixed(usize),
    /// Every core when that measures faster than one thread on the fit's network and batch size;
    /// otherwise one.
    Auto,
}

impl<'a, O: Optimizer, L> Trainer<'a, O, L> {
    /// A trainer with batch size 32, 10 epochs, shuffling on, seed 0, no penalty, no validation
    /// and no early stopping.
    pub fn new(optimizer: O, loss: L) -> Self {
        Self {
            optimizer,
            loss,
            batch_size: 32,
            epochs: 10,
            seed: 0,
            shuffle: true,
            penalty: Penalty::default(),
            early_stopping: None,
            schedule: LrSchedule::constant(),
            validation_data: NoValidationData,
            validation_fraction: None,
            metrics: None,
            progress: None,
            threads: Threads::Fixed(1),
            base_learning_rate: None,
            on_epoch: None,
            log_every: 1,
            checkpoints: None,
            clipping: GradientClipping::Off,
            class_weights: None,
            resume: None,
            last: None,
        }
    }
}

impl<'a, O: Optimizer, L, V> Trainer<'a, O, L, V> {
    /// Sets the number of samples per batch (default 32).
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }

    /// Sets the number of passes over the data (default 10).
    pub fn epochs(mut self, epochs: usize) -> Self {
        self.epochs = epochs;
        self
    }

    /// Sets the seed of shuffling, dropout and the validation split (default 0).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Shuffles the samples before every epoch (default on).
    pub fn shuffle(mut self, shuffle: bool) -> Self {
        self.shuffle = shuffle;
        self
    }

    /// Adds an L1 penalty `λ·Σ|w|` on the weights to the loss, and so `λ·sign(w)` to each
    /// weight's gradient (Keras's `l1(λ)`). Only dense layers' weight matrices are penalized:
    /// not biases, nor a normalization layer's scale and shift.
    pub fn l1(mut self, lambda: f64) -> Self {
        self.penalty.l1 = lambda;
        self
    }

    /// Adds an L2 penalty `λ·Σw²` on the weights to the loss (and to the reported training
    /// loss), and so `2λ·w` to each weight's gradient, as Keras's `l2(λ)` does. Only dense
    /// layers' weight matrices are penalized: not biases, nor a normalization layer's scale and
    /// shift.
    ///
    /// This is not an optimizer's `with_weight_decay(λ)` ([`Sgd`](crate::Sgd),
    /// [`Adam`](crate::Adam), [`RmsProp`](crate::RmsProp)), which adds `λ·θ` (no factor 2) to the
    /// gradient of *every* parameter the optimizer updates, biases, scales and shifts included,
    /// and adds nothing to the loss. PyTorch's `weight_decay=λ` is the optimizer's
    /// `with_weight_decay(λ)` exactly; `.l2(λ / 2)` matches it on the weights only, leaving the
    /// biases undecayed, and only without gradient clipping (the penalty's gradient is added
    /// before clipping, an optimizer's decay after). [`AdamW`](crate::AdamW)'s decay is
    /// decoupled from the gradient altogether.
    pub fn l2(mut self, lambda: f64) -> Self {
        self.penalty.l2 = lambda;
        self
    }

    /// Scales each step's gradients so that their overall L2 norm is at most `max_norm`
    /// (PyTorch's `clip_grad_norm_`, after the weight penalty is added); see
    /// [`GradientClipping::Norm`].
    pub fn clip_grad_norm(mut self, max_norm: f64) -> Self {
        self.clipping = GradientClipping::Norm { max_norm };
        self
    }

    /// Clamps each gradient to `[−value, value]` (PyTorch's `clip_grad_value_`); see
    /// [`GradientClipping::Value`].
    pub fn clip_grad_value(mut self, value: f64) -> Self {
        self.clipping = GradientClipping::Value { value };
        self
    }

    /// Weighs each training sample's loss by its class's weight (and by its sample weight, if the
    /// dataset has them; see [`ClassWeights`]), for imbalanced classification. Validation loss and
    /// metrics stay unweighted, so early stopping watches the plain loss.
    ///
    /// A loss that does not train a classifier is a [`TrainError::ClassWeightsNeedClasses`];
    /// weights of another count than the classes, negative or all zero, a [`TrainError::Data`].
    pub fn class_weights(mut self, weights: ClassWeights) -> Self {
        self.class_weights = Some(weights);
        self
    }

    /// Stops when the monitored loss stops improving; see [`EarlyStopping`].
    pub fn early_stopping(mut self, early_stopping: EarlyStopping) -> Self {
        self.early_stopping = Some(early_stopping);
        self
    }

    /// Changes the learning rate after each epoch; see [`LrSchedule`]. Reduce-on-plateau
    /// watches the validation loss, or the training loss without validation data.
    ///
    /// A rate of 0 from the schedule is allowed (cosine annealing reaches it at `t_max` with
    /// `eta_min` 0); a negative, NaN or infinite one stops training with a
    /// [`HyperparameterError`] named `learning rate from the schedule`. Every
    /// [`fit`](Self::fit) starts again from the optimizer's own rate.
    pub fn schedule(mut self, schedule: LrSchedule) -> Self {
        self.schedule = schedule;
        self
    }

    /// Holds out this fraction of the training data, drawn with the seed, for validation.
    /// Ignored when validation data is given.
    pub fn validation_fraction(mut self, fraction: f64) -> Self {
        self.validation_fraction = Some(fraction);
        self
    }

    /// Validates on `data` after every epoch. Its widths must match the network's.
    pub fn validation_data<T, const IN: usize, const OUT: usize>(
        self,
        data: &'a Dataset<T, IN, OUT>,
    ) -> Trainer<'a, O, L, &'a Dataset<T, IN, OUT>> {
        Trainer {
            optimizer: self.optimizer,
            loss: self.loss,
            batch_size: self.batch_size,
            epochs: self.epochs,
            seed: self.seed,
            shuffle: self.shuffle,
            penalty: self.penalty,
            early_stopping: self.early_stopping,
            schedule: self.schedule,
            validation_data: data,
            validation_fraction: self.validation_fraction,
            metrics: self.metrics,
            progress: self.progress,
            threads: self.threads,
            base_learning_rate: self.base_learning_rate,
            on_epoch: self.on_epoch,
            log_every: self.log_every,
            checkpoints: self.checkpoints,
            clipping: self.clipping,
            class_weights: self.class_weights,
            resume: self.resume,
            last: self.last,
        }
    }

    /// The metrics to report (default: accuracy for a classification loss, MSE and MAE
    /// otherwise).
    pub fn metrics(mut self, metrics: &[Metric]) -> Self {
        self.metrics = Some(metrics.to_vec());
        self
    }

    /// Shows or hides the progress (default: a bar when stderr is a terminal, otherwise a line
    /// per epoch on stderr).
    pub fn progress(mut self, show: bool) -> Self {
        self.progress = Some(show);
        self
    }

    /// When stderr is not a terminal, writes a progress line every `epochs` epochs (default 1;
    /// the last epoch always gets one).
    pub fn log_every(mut self, epochs: usize) -> Self {
        self.log_every = epochs;
        self
    }

    /// Writes checkpoints as `checkpoints` says. A checkpoint that cannot be written stops
    /// training with [`TrainError::Checkpoint`]; the network keeps its weights.
    pub fn checkpoints(mut self, checkpoints: Checkpoints) -> Self {
        self.checkpoints = Some(checkpoints);
        self
    }

    /// Makes the next [`fit`](Self::fit) continue from `checkpoint` rather than start over: it
    /// gives the network the checkpoint's weights, restores the optimizer's and schedule's state,
    /// the random streams, early stopping and the history, and runs the epochs after the
    /// checkpoint's up to [`epochs`](Self::epochs). With the same settings and data, the result
    /// is bit for bit that of a run never interrupted.
    ///
    /// Without it every `fit` starts over: fresh optimizer state, epoch 1.
    pub fn resume_from(mut self, checkpoint: Checkpoint) -> Self {
        self.resume = Some(checkpoint);
        self
    }

    /// The state after the last [`fit`](Self::fit) with `net` (the network it trained), to save
    /// or to continue from with [`resume_from`](Self::resume_from); `None` before any fit, or
    /// with an optimizer that gives no state.
    pub fn checkpoint<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
        &self,
        net: &N,
    ) -> Option<Result<Checkpoint, super::CheckpointError>> {
        let state = self.last.clone()?;
        Some(Checkpoint::new(net, state))
    }

    /// Runs each step on `threads` threads (default 1; at most the cores available), which share
    /// the products and the optimizer update of each large dense layer (one with at least 2¹⁸
    /// multiply-adds per product over a batch, or 32 768 weights): each thread computes and
    /// updates its own columns of the weights. The rest of a step runs on one thread, and a
    /// network without a large layer runs on one thread alone ([`History::threads`] says so).
    /// Results are deterministic for a given seed and thread count; they equal one thread's bit
    /// for bit where nothing is split, and within rounding otherwise (a split forward pass sums
    /// the threads' parts). On two vCPUs of an Intel Xeon, a 784-128-10 network (batch 32)
    /// trained 1.2–1.5× as fast on two threads as on one.
    ///
    /// [`auto_threads`](Self::auto_threads) measures whether it is faster.
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = Threads::Fixed(threads.max(1));
        self
    }

    /// Uses every core when that is faster than one thread, and one thread otherwise, as
    /// measured when `fit` starts: a few training steps of the network on the fit's batch size,
    /// on one thread and on every core, alternately (about 40 ms, or 8 steps where a step takes
    /// longer; once per network type and batch size in a process), after which the network and the optimizer are given back
    /// their state bit for bit. A loaded machine may so choose one thread where a quiet
    /// one chooses every core; results are deterministic for the thread count chosen, which
    /// [`History::threads`] records ([`threads`](Self::threads) fixes it instead).
    pub fn auto_threads(mut self) -> Self {
        self.threads = Threads::Auto;
        self
    }

    /// Calls `callback` after each epoch with its record.
    pub fn on_epoch(mut self, callback: impl FnMut(&EpochRecord) + 'a) -> Self {
        self.on_epoch = Some(Box::new(callback));
        self
    }

    /// The optimizer, with its state after training.
    pub fn optimizer(&self) -> &O {
        &self.optimizer
    }

    /// Trains `net` on `data`; see [`fit_with`](Self::fit_with).
    #[allow(clippy::type_complexity)]
    pub fn fit<
        N,
        D,
        const IN: usize,
        const OUT: usize,
        const DI: usize,
        const DO: usize,
        const VI: usize,
        const VO: usize,
    >(
        &mut self,
        net: &mut N,
        data: &D,
    ) -> Result<History, TrainError>
    where
        N: Network<IN, OUT>,
        D: TrainingData<N::Scalar, DI, DO> + DataWidth<DI, DO, IN, OUT>,
        L: Loss<N::OutputActivation>,
        V: ValidationData<N::Scalar, VI, VO>,
        N::Scalar: ValidationWidth<V, VI, VO, IN, OUT>,
    {
        self.fit_with(net, data, |_, _| ControlFlow::Continue(()))
    }

    /// Trains `net` on `data`, calling `callback` after each epoch with its record and the
    /// network (after any checkpoint of that epoch is written): returning
    /// `ControlFlow::Break(())` stops training with [`StopReason::Callback`].
    ///
    /// Checks the hyperparameters first. On a NaN or infinite loss training stops with
    /// [`TrainError::Diverged`] and `net` holds the weights it had when that epoch began. With
    /// early stopping and `restore_best_weights`, `net` ends with its best epoch's weights,
    /// whether training stopped early or ran to the epoch limit.
    ///
    /// A dataset whose widths differ from the network's does not compile.
    #[allow(clippy::type_complexity)]
    pub fn fit_with<
        N,
        D,
        const IN: usize,
        const OUT: usize,
        const DI: usize,
        const DO: usize,
        const VI: usize,
        const VO: usize,
    >(
        &mut self,
        net: &mut N,
        data: &D,
        mut callback: impl FnMut(&EpochRecord, &N) -> ControlFlow<()>,
    ) -> Result<History, TrainError>
    where
        N: Network<IN, OUT>,
        D: TrainingData<N::Scalar, DI, DO> + DataWidth<DI, DO, IN, OUT>,
        L: Loss<N::OutputActivation>,
        V: ValidationData<N::Scalar, VI, VO>,
        N::Scalar: ValidationWidth<V, VI, VO, IN, OUT>,
    {
        let data = <D as DataWidth<DI, DO, IN, OUT>>::fit(data.dataset());
        let validation_data =
            <N::Scalar as ValidationWidth<V, VI, VO, IN, OUT>>::fit(self.validation_data.dataset());
        // A schedule may have left the optimizer at another rate (cosine annealing at 0): the
        // rate checked, like the one trained with, is the one the optimizer was built with.
        if let Some(base_learning_rate) = self.base_learning_rate {
            self.optimizer.set_learning_rate(base_learning_rate);
        }
        self.validate()?;
        let (train, validation) =
            split(validation_data, self.validation_fraction, self.seed, data)?;
        let metrics: &[Metric] = match &self.metrics {
            Some(metrics) => metrics,
            None => Metric::defaults(L::CLASSIFICATION),
        };
        self.optimizer.prepare::<N::Scalar>(N::LEN);
        self.schedule.reset();
        // Every fit starts from the rate the optimizer was built with, whatever a schedule did
        // in an earlier fit.
        let base_learning_rate = *self
            .base_learning_rate
            .get_or_insert_with(|| self.optimizer.learning_rate());
        self.optimizer
            .set_learning_rate(self.schedule.initial_learning_rate(base_learning_rate));
        let capacity = self.batch_size.min(train.len());
        if N::BATCH_STATISTICS {
            check_batch_statistics::<N, IN, OUT>(capacity, train.len())?;
        }
        let threads = match self.threads {
            Threads::Fixed(threads) => threads,
            Threads::Auto => auto_threads::choose(
                net,
                &mut self.optimizer,
                &train,
                capacity,
                &self.loss,
                metrics,
                std::thread::available_parallelism().map_or(1, usize::from),
            )?,
        };
        let mut session =
            Session::<N, IN, OUT>::with_threads(capacity, train.len(), self.seed, threads)?;
        session.set_metrics(metrics);
        session.set_clipping(self.clipping);
        if self.class_weights.is_some() && !L::CLASSIFICATION {
            return Err(TrainError::ClassWeightsNeedClasses { loss: L::NAME });
        }
        session.set_sample_weights(training_weights(&train, self.class_weights.as_ref())?);
        if self.checkpoints.is_some() && self.optimizer.state().is_none() {
            return Err(TrainError::Resume(
                super::CheckpointError::UnsupportedOptimizer.to_string(),
            ));
        }
        let mut best = BestTracker::new();
        // Grown as epochs finish: the epoch limit may be far above the epochs that run.
        let mut epochs = Vec::new();
        let mut layers = layer_norms::histories::<N, IN, OUT>();
        let mut stop_reason = StopReason::EpochLimit;
        let mut base_learning_rate = base_learning_rate;
        let first_epoch = match self.resume.take() {
            Some(checkpoint) => {
                let state = &checkpoint.state;
                if state.epoch > self.epochs {
                    return Err(TrainError::Resume(format!(
                        "the checkpoint is after epoch {}, but training is set to {} epochs",
                        state.epoch, self.epochs
                    )));
                }
                if (state.samples, state.batch_size, state.seed)
                    != (train.len(), capacity, self.seed)
                {
                    return Err(TrainError::Resume(format!(
                        "the checkpoint trained on {} samples in batches of {} with seed {}, this training on {} in batches of {} with seed {}",
                        state.samples,
                        state.batch_size,
                        state.seed,
                        train.len(),
                        capacity,
                        self.seed
                    )));
                }
                let restored: N = checkpoint
                    .network()
                    .map_err(|error| TrainError::Resume(error.to_string()))?;
                self.optimizer
                    .restore_state(&state.optimizer)
                    .map_err(TrainError::Resume)?;
                session
                    .restore(&state.session)
                    .map_err(TrainError::Resume)?;
                self.schedule.restore_state(&state.schedule);
                base_learning_rate = state.base_learning_rate;
                self.base_learning_rate = Some(base_learning_rate);
                best.best_epoch = state.best_epoch;
                best.best_loss = state.best_loss.unwrap_or(f64::INFINITY);
                epochs.extend_from_slice(&state.history);
                layers = layer_norms::resumed::<N, IN, OUT>(&state.layers, state.epoch)?;
                *net = restored;
                state.epoch + 1
            }
            None => 1,
        };
        let progress = Progress::new(self.progress, self.log_every, first_epoch - 1, self.epochs);

        for epoch in first_epoch..=self.epochs {
            let learning_rate = self.optimizer.learning_rate();
            let totals = session
                .epoch(
                    net,
                    &train,
                    &mut self.optimizer,
                    &self.loss,
                    &self.penalty,
                    self.shuffle,
                )
                .map_err(|error| {
                    progress.finish();
                    match error {
                        // The session counts its own epochs; a resumed run counts on from the
                        // checkpoint's.
                        TrainError::Diverged {
                            iteration, loss, ..
                        } => TrainError::Diverged {
                            epoch,
                            iteration,
                            loss,
                        },
                        other => other,
                    }
                })?;
            let validated = validation
                .as_deref()
                .map(|v| session.evaluate(net, v, &self.loss));
            if let Some(loss) = validated.map(|v| v.loss).filter(|loss| !loss.is_finite()) {
                // Finite weights whose outputs overflow: as lost as a NaN loss.
                session.restore_epoch_start(net);
                progress.finish();
                let iteration = train.len().div_ceil(capacity);
                return Err(TrainError::Diverged {
                    epoch,
                    iteration,
                    loss,
                });
            }
            let record = EpochRecord {
                epoch,
                train_loss: totals.loss,
                validation_loss: validated.map(|v| v.loss),
                train_metrics: totals.metrics(metrics),
                validation_metrics: validated.map(|v| v.metrics(metrics)),
                learning_rate,
            };
            let min_delta = self.early_stopping.map_or(0.0, |e| e.min_delta);
            let improved = best.observe(epoch, record.monitored_loss(), min_delta);
            if improved && self.early_stopping.is_some() {
                session.save_best(net);
            }
            let next_rate = self.schedule.next_learning_rate(
                epoch,
                base_learning_rate,
                learning_rate,
                record.monitored_loss(),
            );
            // 0 is a rate a schedule may reach (cosine annealing to `eta_min` 0 at `t_max`, as
            // in PyTorch): its epoch leaves the weights as they are.
            if !(next_rate.is_finite() && next_rate >= 0.0) {
                progress.finish();
                return Err(HyperparameterError {
                    name: "learning rate from the schedule",
                    value: next_rate,
                    expected: "a finite number >= 0",
                }
                .into());
            }
            self.optimizer.set_learning_rate(next_rate);
            progress.epoch(&record);
            if let Some(callback) = self.on_epoch.as_mut() {
                callback(&record);
            }
            epochs.push(record);
            layer_norms::record(&mut layers, net, &session);
            if let Some(policy) = &self.checkpoints
                && policy.due(epoch, improved)
            {
                let path = policy.path(epoch);
                let state = self.state(&session, &best, (&epochs, &layers), base_learning_rate);
                let written = state
                    .ok_or(super::CheckpointError::UnsupportedOptimizer)
                    .and_then(|state| Checkpoint::new(net, state))
                    .and_then(|c| c.save(&path));
                if let Err(error) = written {
                    progress.finish();
                    return Err(TrainError::Checkpoint {
                        epoch,
                        path,
                        message: error.to_string(),
                    });
                }
            }
            if callback(&record, net).is_break() {
                stop_reason = StopReason::Callback { epoch };
                break;
            }
            if let Some(early) = self.early_stopping
                && best.epochs_since_best(epoch) >= early.patience.max(1)
            {
                stop_reason = StopReason::EarlyStopping { epoch };
                break;
            }
        }
        progress.stopped(epochs.last(), &stop_reason);
        self.last = self.state(&session, &best, (&epochs, &layers), base_learning_rate);
        let restored_best_weights = match self.early_stopping {
            Some(early) if early.restore_best_weights && best.best_epoch > 0 => {
                session.restore_best(net);
                true
            }
            _ => false,
        };
        Ok(History {
            epochs,
            layers,
            best_epoch: best.best_epoch,
            stop_reason,
            restored_best_weights,
            threads: session.threads(),
        })
    }

    /// The training state after the epochs of `history` (their records and layer norms), for
    /// a checkpoint.
    fn state<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
        &self,
        session: &Session<N, IN, OUT>,
        best: &BestTracker,
        (epochs, layers): (&[EpochRecord], &[LayerHistory]),
        base_learning_rate: f64,
    ) -> Option<TrainingState> {
        Some(TrainingState {
            epoch: epochs.len(),
            seed: self.seed,
            samples: session.samples(),
            batch_size: session.batch_size(),
            history: epochs.to_vec(),
            layers: layers.to_vec(),
            best_epoch: best.best_epoch,
            best_loss: best.best_loss.is_finite().then_some(best.best_loss),
            base_learning_rate,
            optimizer: self.optimizer.state()?,
            schedule: self.schedule.state(),
            session: session.state(),
        })
    }

    fn validate(&self) -> Result<(), TrainError> {
        let at_least_one = |name, value: usize| {
            if value == 0 {
                Err(HyperparameterError {
                    name,
                    value: 0.0,
                    expected: "an integer >= 1",
                })
            } else {
                Ok(())
            }
        };
        at_least_one("batch_size", self.batch_size)?;
        at_least_one("epochs", self.epochs)?;
        if let Some(fraction) = self.validation_fraction {
            require("validation_fraction", fraction, "a number in (0, 1)", |v| {
                v > 0.0 && v < 1.0
            })?;
        }
        self.penalty.validate()?;
        self.clipping.validate()?;
        if let Some(early) = &self.early_stopping {
            early.validate()?;
        }
        self.schedule.validate()?;
        self.optimizer.validate()?;
        if let Some(checkpoints) = &self.checkpoints {
            checkpoints.validate()?;
        }
        Ok(())
    }
}

/// Checks that a network with batch normalization gets batches of at least 2 samples.
fn check_batch_statistics<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    capacity: usize,
    samples: usize,
) -> Result<(), TrainError> {
    let smallest = match samples % capacity {
        0 => capacity,
        rest => rest,
    };
    if smallest < 2 {
        return Err(TrainError::BatchTooSmall {
            network: N::NAME,
            batch_size: capacity,
            samples,
            smallest,
        });
    }
    Ok(())
}

/// The training data and the validation data, split off with `seed` when a fraction is set.
#[allow(clippy::type_complexity)]
fn split<'d, T: crate::Float, const IN: usize, const OUT: usize>(
    validation_data: Option<&'d Dataset<T, IN, OUT>>,
    validation_fraction: Option<f64>,
    seed: u64,
    data: &'d Dataset<T, IN, OUT>,
) -> Result<
    (
        Cow<'d, Dataset<T, IN, OUT>>,
        Option<Cow<'d, Dataset<T, IN, OUT>>>,
    ),
    TrainError,
> {
    if let Some(validation) = validation_data {
        return Ok((Cow::Borrowed(data), Some(Cow::Borrowed(validation))));
    }
    match validation_fraction {
        Some(fraction) => {
            let (train, validation) = data.split(fraction, seed)?;
            Ok((Cow::Owned(train), Some(Cow::Owned(validation))))
        }
        None => Ok((Cow::Borrowed(data), None)),
    }
}
