//! The preallocated state of a training run and the allocation-free training step, on one thread
//! or split across several.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::Arc;

use rand::SeedableRng;
use rand::rngs::ChaCha12Rng;
use rand::seq::SliceRandom;

use super::clipping::{self, GradientClipping};
use super::evaluate;
use super::layer_norms::GradientNorms;
use super::metrics::{Measured, MetricTotals};
use super::pool::TrainingPool;
use super::regularization::Penalty;
use super::snapshot::{RngState, SessionState};
use super::worker::{Worker, load_batch};
use crate::training::parallel;
use crate::{Dataset, Float, HyperparameterError, Loss, Network, Optimizer, Tensors, TrainError};

/// Everything a training step touches, allocated once for a network, a batch capacity, a dataset
/// size and a thread count. [`Session::step`], [`Session::epoch`] and [`Session::evaluate`] then
/// allocate nothing.
///
/// With several threads each batch is cut into one contiguous share per thread; every thread
/// runs forward and backward on its share with its own buffers and dropout stream, and the
/// gradients are summed in a fixed order, weighted by share size. The result is deterministic
/// for a given seed and thread count. Dropping the session waits for its threads to end.
///
/// A panic in the user's [`Loss`] or [`Optimizer`] during [`epoch`](Session::epoch) leaves the
/// network with the weights of the epoch's start; during a lone [`step`](Session::step), with
/// the tensors updated so far (see there).
pub struct Session<N: Network<IN, OUT>, const IN: usize, const OUT: usize> {
    batch_size: usize,
    workers: Vec<Worker<N, IN, OUT>>,
    pool: Option<Arc<TrainingPool>>,
    order: Vec<usize>,
    /// The weights at the start of the current epoch, restored if it diverges.
    last_good: Vec<N::Scalar>,
    /// The weights of the best epoch, for early stopping.
    best: Vec<N::Scalar>,
    /// The shuffling stream.
    rng: ChaCha12Rng,
    /// The order the running epoch cuts its batches from: a copy of `order`, kept here between
    /// epochs so that copying allocates nothing.
    running: Vec<usize>,
    /// The epochs run so far, which number divergence errors.
    epochs: usize,
    /// The metric sums that steps, epochs and evaluations keep.
    measured: Measured,
    /// How gradients are clipped before each update.
    clipping: GradientClipping,
    /// Each sample's weight in the loss, when set; otherwise the dataset's own, if any.
    weights: Option<Vec<N::Scalar>>,
    /// What the last step's batch weighs: its weight sum, or its sample count unweighted.
    step_weight: f64,
    /// Each layer's gradient norm, summed over the steps of the running epoch.
    gradient_norms: GradientNorms,
}

/// A batch whose loss was NaN or infinite.
#[derive(Clone, Copy, Debug, PartialEq)]
struct NonFiniteLoss {
    /// The 1-based iteration within the epoch.
    pub iteration: usize,
    /// The loss seen.
    pub loss: f64,
}

/// The loss and metric sums of one pass over data.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PassTotals {
    /// The mean loss per sample: in training, weighted by the sample and class weights if any,
    /// and including any weight penalty.
    pub loss: f64,
    pub(crate) metrics: MetricTotals,
}

impl PassTotals {
    /// The requested metrics of the pass.
    pub fn metrics(&self, metrics: &[super::Metric]) -> super::MetricValues {
        self.metrics.values(metrics)
    }
}

/// The seed of worker `index`'s dropout stream, distinct from the shuffling stream's.
fn worker_seed(seed: u64, index: usize) -> u64 {
    seed ^ 0x9E37_79B9_7F4A_7C15u64.wrapping_mul(index as u64 + 1)
}

impl<N: Network<IN, OUT>, const IN: usize, const OUT: usize> Session<N, IN, OUT> {
    /// Allocates buffers for batches of up to `batch_size` samples over `samples` samples, on
    /// the calling thread.
    ///
    /// A `batch_size` of 0 is a [`TrainError::Hyperparameter`] naming `batch_size`, as the
    /// [`Trainer`](super::Trainer) reports it.
    ///
    /// A network with batch normalization ([`Network::BATCH_STATISTICS`]) needs every batch to
    /// hold at least 2 samples: a step on a batch of one panics. The [`Trainer`](super::Trainer)
    /// refuses such a setup with an error before it starts.
    pub fn new(batch_size: usize, samples: usize, seed: u64) -> Result<Self, TrainError> {
        Self::with_threads(batch_size, samples, seed, 1)
    }

    /// Like [`new`](Self::new), splitting each batch across `threads` threads (at least 1) of a
    /// pool made here; one for a network with batch normalization, whose statistics need the
    /// whole batch. Dropping the session waits for its threads to end.
    ///
    /// Threads the operating system refuses to start are a [`TrainError::ThreadSpawn`] naming
    /// the count asked for.
    pub fn with_threads(
        batch_size: usize,
        samples: usize,
        seed: u64,
        threads: usize,
    ) -> Result<Self, TrainError> {
        if batch_size == 0 {
            return Err(HyperparameterError {
                name: "batch_size",
                value: 0.0,
                expected: "an integer >= 1",
            }
            .into());
        }
        let threads = if N::BATCH_STATISTICS {
            1
        } else {
            threads.max(1)
        };
        // The threads first: if they cannot start, nothing else is allocated.
        let pool = match threads {
            1 => None,
            _ => Some(Arc::new(TrainingPool::new(threads)?)),
        };
        Ok(Self::with_pool(batch_size, samples, seed, threads, pool))
    }

    /// The session of [`with_threads`](Self::with_threads) once `batch_size` (at least 1) is
    /// checked and `pool` (with `threads` threads, `None` for 1) has started.
    pub(super) fn with_pool(
        batch_size: usize,
        samples: usize,
        seed: u64,
        threads: usize,
        pool: Option<Arc<TrainingPool>>,
    ) -> Self {
        let share = batch_size.div_ceil(threads);
        let workers = (0..threads)
            .map(|i| {
                Worker::new(
                    if threads == 1 { batch_size } else { share },
                    worker_seed(seed, i),
                )
            })
            .collect();
        let zero = <N::Scalar as Default>::default();
        Self {
            batch_size,
            workers,
            pool,
            order: (0..samples).collect(),
            running: Vec::with_capacity(samples),
            epochs: 0,
            last_good: vec![zero; N::LEN],
            best: vec![zero; N::LEN],
            rng: ChaCha12Rng::seed_from_u64(seed),
            measured: Measured::ALL,
            clipping: GradientClipping::Off,
            weights: None,
            step_weight: 0.0,
            gradient_norms: GradientNorms::new(N::LAYERS),
        }
    }

    /// Weighs each sample's loss by `weights` (one per sample of the training data, finite and
    /// non-negative; see [`Dataset::with_sample_weights`]) in every later step, instead of the
    /// dataset's own sample weights; `None` goes back to the dataset's. The
    /// [`Trainer`](super::Trainer) sets the product of the sample and class weights here.
    pub fn set_sample_weights(&mut self, weights: Option<Vec<N::Scalar>>) {
        self.weights = weights;
    }

    /// Keeps only the sums `metrics` need from now on (all three metrics by default); the
    /// others then read as `None`. Each costs a pass over the batch's outputs per step: the
    /// trainer keeps the metrics it reports.
    pub fn set_metrics(&mut self, metrics: &[super::Metric]) {
        self.measured = Measured::of(metrics);
    }

    /// Clips the gradients of every later step as `clipping` says.
    pub fn set_clipping(&mut self, clipping: GradientClipping) {
        self.clipping = clipping;
    }

    /// The batch capacity.
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// The number of samples an epoch runs over.
    pub fn samples(&self) -> usize {
        self.order.len()
    }

    /// The number of threads a step runs on.
    pub fn threads(&self) -> usize {
        self.workers.len()
    }

    /// One training step on the samples `indices` of `data`: forward, loss, backward, weight
    /// penalty, update. Adds the batch to `totals`' metrics and returns the batch-mean loss,
    /// penalty included.
    ///
    /// The update runs tensor by tensor: if the optimizer panics, the network holds the tensors
    /// updated before the panic with their new values and the others with their old ones (a
    /// panic in the loss comes before any update, and leaves the network as it was).
    /// [`epoch`](Self::epoch) gives back the weights of the epoch's start in either case.
    #[allow(clippy::too_many_arguments)]
    pub fn step<O: Optimizer, L: Loss<N::OutputActivation>>(
        &mut self,
        net: &mut N,
        data: &Dataset<N::Scalar, IN, OUT>,
        indices: &[usize],
        optimizer: &mut O,
        loss: &L,
        penalty: &Penalty,
        totals: &mut PassTotals,
    ) -> f64 {
        self.on_pool(|session| {
            session.step_here(net, data, indices, optimizer, loss, penalty, totals)
        })
    }

    /// Runs `f` on one of the session's threads when it has several (the calling thread
    /// otherwise), so that the work `f` spreads stays on the session's pool.
    fn on_pool<R: Send>(&mut self, f: impl FnOnce(&mut Self) -> R + Send) -> R {
        match self.pool.clone() {
            Some(pool) => pool.run(|| f(self)),
            None => f(self),
        }
    }

    /// [`step`](Self::step) on the current thread, which is one of the session's pool when it
    /// has several threads.
    #[allow(clippy::too_many_arguments)]
    fn step_here<O: Optimizer, L: Loss<N::OutputActivation>>(
        &mut self,
        net: &mut N,
        data: &Dataset<N::Scalar, IN, OUT>,
        indices: &[usize],
        optimizer: &mut O,
        loss: &L,
        penalty: &Penalty,
        totals: &mut PassTotals,
    ) -> f64 {
        let weights = self.weights.as_deref().or(data.sample_weights());
        let (data_loss, weight) = Self::compute_gradients(
            &mut self.workers,
            self.pool.is_some(),
            self.measured,
            net,
            data,
            indices,
            weights,
            loss,
        );
        self.step_weight = weight;
        for worker in &mut self.workers {
            totals.metrics.merge(&worker.metrics);
            worker.metrics = MetricTotals::default();
        }
        optimizer.begin_step();
        let mut offset = 0;
        let mut penalty_value = 0.0;
        let gradients = &mut self.workers[0].gradients;
        let clipping = self.clipping;
        // Each layer's gradient norm is taken with the penalty and before clipping.
        let norms = &mut self.gradient_norms;
        let mut update = || {
            // Clipping by norm needs every gradient, penalty included, before any update.
            let mut factor = 1.0;
            if let GradientClipping::Norm { max_norm } = clipping {
                let mut squares = 0.0;
                let mut tensor = 0;
                net.update(gradients, |kind, parameters, gradients| {
                    penalty_value += penalty.apply(kind, parameters, gradients);
                    let tensor_squares = clipping::square_sum(gradients);
                    squares += tensor_squares;
                    norms.add_squares(tensor, tensor_squares);
                    tensor += 1;
                });
                factor = GradientClipping::norm_factor(max_norm, squares);
            }
            let mut tensor = 0;
            net.update(
                gradients,
                #[inline(always)]
                |kind, parameters, gradients| {
                    match clipping {
                        GradientClipping::Off => {
                            penalty_value += penalty.apply(kind, parameters, gradients);
                            norms.add(tensor, gradients);
                        }
                        GradientClipping::Value { value } => {
                            penalty_value += penalty.apply(kind, parameters, gradients);
                            norms.add(tensor, gradients);
                            clipping::clamp(gradients, value);
                        }
                        GradientClipping::Norm { .. } => clipping::scale(gradients, factor),
                    }
                    optimizer.update(kind, parameters, gradients, offset);
                    offset += parameters.len();
                    tensor += 1;
                },
            );
            norms.end_step();
        };
        if self.pool.is_some() {
            parallel::spread(update);
        } else {
            update();
        }
        // One worker when the network has batch statistics (the trainer sees to it).
        net.update_statistics(&self.workers[0].workspace);
        data_loss + penalty_value
    }

    /// Forward, loss and backward on the samples `indices` of `data`, on the one worker or, when
    /// `parallel`, on every worker's share with their gradients summed into the first's.
    /// Returns the batch-mean loss and what the batch weighs (its weight sum, or its sample
    /// count unweighted).
    #[allow(clippy::too_many_arguments)]
    fn compute_gradients<L: Loss<N::OutputActivation>>(
        workers: &mut [Worker<N, IN, OUT>],
        parallel: bool,
        measured: Measured,
        net: &N,
        data: &Dataset<N::Scalar, IN, OUT>,
        indices: &[usize],
        weights: Option<&[N::Scalar]>,
        loss: &L,
    ) -> (f64, f64) {
        if parallel {
            Self::compute_in_parallel(workers, measured, net, data, indices, weights, loss)
        } else {
            let worker = &mut workers[0];
            worker.compute(net, data, indices, weights, loss, measured);
            (worker.loss, worker.weight)
        }
    }

    /// Runs each worker on its contiguous share of `indices` in parallel, then leaves the
    /// share-weighted sum of their gradients in the first worker's. Returns the batch-mean loss
    /// and what the batch weighs (its weight sum, or its sample count unweighted).
    fn compute_in_parallel<L: Loss<N::OutputActivation>>(
        workers: &mut [Worker<N, IN, OUT>],
        measured: Measured,
        net: &N,
        data: &Dataset<N::Scalar, IN, OUT>,
        indices: &[usize],
        weights: Option<&[N::Scalar]>,
        loss: &L,
    ) -> (f64, f64) {
        let threads = workers.len();
        let share = indices.len().div_ceil(threads);
        run_all(workers, 0, &|i, worker| {
            let start = (i * share).min(indices.len());
            let end = ((i + 1) * share).min(indices.len());
            worker.compute(net, data, &indices[start..end], weights, loss, measured);
        });
        // Each share counts by its weight: its sample count, or its weight sum when weighted (a
        // batch of zero weights has a zero gradient and loss, whatever the divisor).
        let weight: f64 = workers.iter().map(|worker| worker.weight).sum();
        let total = if weight > 0.0 { weight } else { 1.0 };
        let mean_loss = workers
            .iter()
            .map(|worker| worker.loss * worker.weight / total)
            .sum();
        parallel::spread(|| sum_gradients(workers, total));
        (mean_loss, weight)
    }

    /// Runs a whole training step (no penalty) on the samples `indices` of `data` on the
    /// session's threads, as an epoch runs it, and returns how long it took. The step trains
    /// `net` and advances `optimizer`.
    pub(super) fn time_step<O: Optimizer, L: Loss<N::OutputActivation>>(
        &mut self,
        net: &mut N,
        data: &Dataset<N::Scalar, IN, OUT>,
        indices: &[usize],
        optimizer: &mut O,
        loss: &L,
    ) -> std::time::Duration {
        self.on_pool(|session| {
            let start = std::time::Instant::now();
            let mut totals = PassTotals::default();
            let penalty = Penalty::default();
            session.step_here(net, data, indices, optimizer, loss, &penalty, &mut totals);
            start.elapsed()
        })
    }

    /// Runs the gradient half of a step (forward, loss, backward and, on several threads, the
    /// sum of the threads' gradients; no update) on the samples `indices` of `data` and returns
    /// how long it took. The network is left as it was; the session's dropout streams advance,
    /// so the trainer times throwaway sessions.
    pub(super) fn time_gradients<L: Loss<N::OutputActivation>>(
        &mut self,
        net: &N,
        data: &Dataset<N::Scalar, IN, OUT>,
        indices: &[usize],
        loss: &L,
    ) -> std::time::Duration {
        self.on_pool(|session| {
            let start = std::time::Instant::now();
            Self::compute_gradients(
                &mut session.workers,
                session.pool.is_some(),
                session.measured,
                net,
                data,
                indices,
                None,
                loss,
            );
            start.elapsed()
        })
    }

    /// One epoch over `data` in batches of the session's capacity (the last may be short),
    /// shuffled first when `shuffle` is set.
    ///
    /// `data` must hold the number of samples the session was built for; another number is a
    /// [`TrainError::SampleCount`] naming both, and nothing is trained. On a NaN or infinite loss
    /// the network gets back the weights it had when the epoch began, and the error is a
    /// [`TrainError::Diverged`] numbering the epoch among this session's (1 for its first).
    ///
    /// If the loss or the optimizer panics, the network gets back the weights (and running
    /// statistics) it had when the epoch began before the panic goes on, and the session can run
    /// further epochs; the optimizer keeps whatever state its updates had reached.
    pub fn epoch<O: Optimizer, L: Loss<N::OutputActivation>>(
        &mut self,
        net: &mut N,
        data: &Dataset<N::Scalar, IN, OUT>,
        optimizer: &mut O,
        loss: &L,
        penalty: &Penalty,
        shuffle: bool,
    ) -> Result<PassTotals, TrainError> {
        if data.len() != self.order.len() {
            return Err(TrainError::SampleCount {
                session: self.order.len(),
                dataset: data.len(),
            });
        }
        self.epochs += 1;
        let epoch = self.epochs;
        self.on_pool(|session| {
            let run = || session.epoch_here(net, data, optimizer, loss, penalty, shuffle);
            match catch_unwind(AssertUnwindSafe(run)) {
                Ok(outcome) => outcome,
                Err(panic) => {
                    session.recover_from_panic(net);
                    resume_unwind(panic)
                }
            }
        })
        .map_err(|error| TrainError::Diverged {
            epoch,
            iteration: error.iteration,
            loss: error.loss,
        })
    }

    /// After a panic in an epoch: gives the network the weights it had when the epoch began and
    /// drops the metric sums of the unfinished step.
    fn recover_from_panic(&mut self, net: &mut N) {
        restore_parameters(net, &self.last_good);
        for worker in &mut self.workers {
            worker.metrics = MetricTotals::default();
        }
    }

    fn epoch_here<O: Optimizer, L: Loss<N::OutputActivation>>(
        &mut self,
        net: &mut N,
        data: &Dataset<N::Scalar, IN, OUT>,
        optimizer: &mut O,
        loss: &L,
        penalty: &Penalty,
        shuffle: bool,
    ) -> Result<PassTotals, NonFiniteLoss> {
        copy_parameters(net, &mut self.last_good);
        self.gradient_norms
            .begin_epoch(self.order.len().div_ceil(self.batch_size));
        if shuffle {
            self.order.shuffle(&mut self.rng);
        }
        let batch_size = self.batch_size;
        // A copy to cut batches from, so that `self.order` outlives a panic in a step.
        let mut order = core::mem::take(&mut self.running);
        order.clone_from(&self.order);
        let mut totals = PassTotals::default();
        // The sum of the batches' weights (their sample counts, unweighted).
        let mut epoch_weight = 0.0;
        let mut outcome = Ok(());
        for (i, indices) in order.chunks(batch_size).enumerate() {
            self.gradient_norms.begin_step(i);
            let value = self.step(net, data, indices, optimizer, loss, penalty, &mut totals);
            if !value.is_finite() {
                outcome = Err(NonFiniteLoss {
                    iteration: i + 1,
                    loss: value,
                });
                break;
            }
            totals.loss += value * self.step_weight;
            epoch_weight += self.step_weight;
        }
        self.running = order;
        self.gradient_norms.end_epoch();
        // The epoch's last update is checked too, since no later step reveals a NaN or an
        // overflow it caused: the weights must be finite and give a finite loss on the last batch.
        if outcome.is_ok()
            && !(parameters_are_finite(net) && self.last_batch_loss_is_finite(net, loss))
        {
            let iteration = data.len().div_ceil(batch_size);
            outcome = Err(NonFiniteLoss {
                iteration,
                loss: f64::NAN,
            });
        }
        match outcome {
            Ok(()) => {
                totals.loss /= epoch_weight;
                Ok(totals)
            }
            Err(error) => {
                restore_parameters(net, &self.last_good);
                Err(error)
            }
        }
    }

    /// The mean loss and metrics of `net` on `data` in inference mode (dropout off, no penalty),
    /// on the calling thread. Each batch's loss is taken in `f64`, so that finite sample losses
    /// give a finite mean even where their sum overflows the network's type; it is NaN or
    /// infinite only when some sample's loss is.
    pub fn evaluate<L: Loss<N::OutputActivation>>(
        &mut self,
        net: &N,
        data: &Dataset<N::Scalar, IN, OUT>,
        loss: &L,
    ) -> PassTotals {
        let measured = self.measured;
        let worker = &mut self.workers[0];
        let batch_size = worker.input.capacity();
        let mut totals = PassTotals::default();
        let mut start = 0;
        while start < data.len() {
            let end = (start + batch_size).min(data.len());
            let count = end - start;
            load_batch(data, start..end, &mut worker.input, &mut worker.target);
            let output = net.forward_batch(&worker.input, &mut worker.workspace);
            totals.metrics.add(output, &worker.target, measured);
            // Scaled by the batch's share rather than summed and divided at the end, so that
            // even `f64` losses near the largest `f64` give a finite mean.
            let share = count as f64 / data.len() as f64;
            totals.loss += evaluate::batch_mean_loss(loss, output, &worker.target) * share;
            start = end;
        }
        totals
    }

    /// Whether `net` gives a finite loss, in inference mode, on the first worker's share of the
    /// last batch.
    fn last_batch_loss_is_finite<L: Loss<N::OutputActivation>>(
        &mut self,
        net: &N,
        loss: &L,
    ) -> bool {
        let worker = &mut self.workers[0];
        if worker.samples == 0 {
            return true;
        }
        let output = net.forward_batch(&worker.input, &mut worker.workspace);
        loss.loss(output, &worker.target).is_finite_value()
    }

    /// Each layer's gradient norm (weight penalty included, before clipping), averaged over the
    /// measured steps of the last epoch (up to 16 spread evenly over it; every step of a shorter
    /// one) and any steps taken since, in layer order.
    pub(crate) fn gradient_norms(&self) -> impl Iterator<Item = f64> + '_ {
        self.gradient_norms.means()
    }

    /// Gives the network back the weights it had when the last epoch began.
    pub fn restore_epoch_start(&self, net: &mut N) {
        restore_parameters(net, &self.last_good);
    }

    /// Remembers the network's current weights as the best so far.
    pub fn save_best(&mut self, net: &N) {
        copy_parameters(net, &mut self.best);
    }

    /// Gives the network back the weights saved by [`save_best`](Self::save_best).
    pub fn restore_best(&self, net: &mut N) {
        restore_parameters(net, &self.best);
    }

    /// The order, random streams and best weights, for a checkpoint.
    pub fn state(&self) -> SessionState {
        SessionState {
            order: self.order.clone(),
            shuffle: RngState::of(&self.rng),
            dropout: self
                .workers
                .iter()
                .map(|worker| RngState::of(&worker.rng))
                .collect(),
            best: self.best.iter().map(|v| v.as_f64()).collect(),
        }
    }

    /// Continues from a state [`state`](Self::state) saved from a session of the same network,
    /// data size and thread count.
    pub fn restore(&mut self, state: &SessionState) -> Result<(), String> {
        let mut sorted = state.order.clone();
        sorted.sort_unstable();
        if sorted.iter().enumerate().any(|(i, &index)| i != index)
            || sorted.len() != self.order.len()
        {
            return Err(format!(
                "the checkpoint's sample order is not a permutation of the {} training samples",
                self.order.len()
            ));
        }
        if state.dropout.len() != self.workers.len() {
            return Err(format!(
                "the checkpoint was written with {} threads, expected {}",
                state.dropout.len(),
                self.workers.len()
            ));
        }
        if state.best.len() != self.best.len() {
            return Err(format!(
                "the checkpoint's best weights hold {} values, expected {}",
                state.best.len(),
                self.best.len()
            ));
        }
        let rngs = state
            .dropout
            .iter()
            .map(RngState::restore)
            .collect::<Result<Vec<_>, _>>()?;
        self.rng = state.shuffle.restore()?;
        for (worker, rng) in self.workers.iter_mut().zip(rngs) {
            worker.rng = rng;
        }
        self.order.copy_from_slice(&state.order);
        for (best, &value) in self.best.iter_mut().zip(&state.best) {
            *best = N::Scalar::of_f64(value);
        }
        Ok(())
    }
}

/// Leaves in the first worker's gradients the sum of every worker's, each weighted by its share
/// of the `total` weight (samples, unweighted): `g₀·w₀ + g₁·w₁ + …`, added in worker order, one pass per worker.
fn sum_gradients<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    workers: &mut [Worker<N, IN, OUT>],
    total: f64,
) {
    let (first, rest) = workers.split_first_mut().expect("a session has a worker");
    let weight = |worker: &Worker<N, IN, OUT>| N::Scalar::of_f64(worker.weight / total);
    let first_weight = weight(first);
    let mut tensor = 0;
    first.gradients.for_each_tensor_mut(|_, sum| {
        let mut weighted = false;
        for worker in rest.iter().filter(|worker| worker.samples > 0) {
            let w = weight(worker);
            with_tensor(&worker.gradients, tensor, |values| {
                crate::learning::pieces::for_each_piece(
                    (&mut *sum, values),
                    #[inline(always)]
                    |(sum, values)| {
                        let pairs = sum.iter_mut().zip(values);
                        if weighted {
                            pairs.for_each(|(s, &g)| *s += g * w);
                        } else {
                            pairs.for_each(|(s, &g)| *s = *s * first_weight + g * w);
                        }
                    },
                )
            });
            weighted = true;
        }
        if !weighted {
            sum.iter_mut().for_each(|s| *s *= first_weight);
        }
        tensor += 1;
    });
}

/// Calls `f` on tensor number `index` (in [`Tensors`] order) of `tensors`.
fn with_tensor<T: Float>(tensors: &impl Tensors<T>, index: usize, f: impl FnOnce(&[T])) {
    let mut f = Some(f);
    let mut current = 0;
    tensors.for_each_tensor(|_, values| {
        if current == index
            && let Some(f) = f.take()
        {
            f(values);
        }
        current += 1;
    });
}

/// Runs `f(index, worker)` for every worker, in parallel on the current rayon pool, with
/// `rayon::join` (no heap allocation).
fn run_all<W: Send>(workers: &mut [W], base: usize, f: &(impl Fn(usize, &mut W) + Sync)) {
    match workers.len() {
        0 => {}
        1 => f(base, &mut workers[0]),
        n => {
            let (left, right) = workers.split_at_mut(n / 2);
            rayon::join(
                || run_all(left, base, f),
                || run_all(right, base + n / 2, f),
            );
        }
    }
}

/// Whether every parameter of `net` is finite.
fn parameters_are_finite<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(net: &N) -> bool {
    let mut finite = true;
    net.for_each_tensor(|_, values| finite &= values.iter().all(|v| v.is_finite_value()));
    finite
}

/// Copies every parameter of `net` into the flat `buffer`.
pub(super) fn copy_parameters<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    net: &N,
    buffer: &mut [N::Scalar],
) {
    let mut offset = 0;
    net.for_each_tensor(|_, values| {
        buffer[offset..offset + values.len()].copy_from_slice(values);
        offset += values.len();
    });
}

/// Copies the flat `buffer` back into every parameter of `net`.
pub(super) fn restore_parameters<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    net: &mut N,
    buffer: &[N::Scalar],
) {
    let mut offset = 0;
    net.for_each_tensor_mut(|_, values| {
        values.copy_from_slice(&buffer[offset..offset + values.len()]);
        offset += values.len();
    });
}
