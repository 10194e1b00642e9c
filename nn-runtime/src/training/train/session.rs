//! The preallocated state of a training run and the allocation-free training step, on one thread
//! or split across several.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::Arc;

use rand::SeedableRng;
use rand::rngs::ChaCha12Rng;
use rand::seq::SliceRandom;

use super::clipping::{self, GradientClipping};
use super::evaluate;
use super::fused_step::{self, FusedBuffers, FusedStep};
use super::layer_norms::GradientNorms;
use super::metrics::{Measured, MetricTotals};
use super::pool::TrainingPool;
use super::regularization::Penalty;
use super::snapshot::{RngState, SessionState};
use super::worker::{Worker, load_batch};
use crate::training::{parallel, team};
use crate::{Dataset, Float, HyperparameterError, LayerKind, Loss, Network, Optimizer, TrainError};

/// Everything a training step touches, allocated once for a network, a batch capacity, a dataset
/// size and a thread count. [`Session::step`], [`Session::epoch`] and [`Session::evaluate`] then
/// allocate nothing.
///
/// With several threads, the threads work as one team on each step: the products of a large
/// dense layer are split by columns of its weights, and the optimizer's update of a large tensor
/// into the same pieces, so that each thread keeps its part of the weights, gradients and
/// optimizer state in its own cache; the rest of the step runs on one thread. Results are the
/// same for a given seed and thread count. Between thread counts they are the same bit for bit
/// where no product is large enough to split (dropout draws the same masks), and otherwise differ
/// within rounding: a split forward pass adds up the threads' parts of each sum. Dropping the
/// session waits for its threads to end.
///
/// A panic in the user's [`Loss`] or [`Optimizer`] during [`epoch`](Session::epoch) leaves the
/// network with the weights of the epoch's start; during a lone [`step`](Session::step), with
/// the tensors updated so far (see there).
pub struct Session<N: Network<IN, OUT>, const IN: usize, const OUT: usize> {
    batch_size: usize,
    worker: Worker<N, IN, OUT>,
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
    /// What the fused update of large layers' weights keeps between steps.
    fused: FusedBuffers,
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

/// The seed of the dropout stream, distinct from the shuffling stream's.
fn dropout_seed(seed: u64) -> u64 {
    seed ^ 0x9E37_79B9_7F4A_7C15
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

    /// Like [`new`](Self::new), running each step on `threads` threads (at least 1, at most
    /// the cores available: a team waits for every thread at each piece of a step, and a thread
    /// without a core would hold up every piece) of a pool made here; on the calling thread alone
    /// when the network has no product or tensor large enough to share (see
    /// [`Trainer::threads`](super::Trainer::threads)). [`threads`](Self::threads) reports the
    /// count. Dropping the session waits for its threads to end.
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
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let threads = match parallel::shares_work(N::LAYERS, batch_size) {
            true => threads.clamp(1, cores),
            false => 1,
        };
        // The threads first: if they cannot start, nothing else is allocated.
        let pool = match threads {
            1 => None,
            _ => Some(Arc::new(TrainingPool::new(
                threads,
                scratch_bytes::<N, IN, OUT>(batch_size),
            )?)),
        };
        Ok(Self::with_pool(batch_size, samples, seed, pool))
    }

    /// The session of [`with_threads`](Self::with_threads) once `batch_size` (at least 1) is
    /// checked and `pool` (`None` for one thread) has started.
    pub(super) fn with_pool(
        batch_size: usize,
        samples: usize,
        seed: u64,
        pool: Option<Arc<TrainingPool>>,
    ) -> Self {
        let zero = <N::Scalar as Default>::default();
        let threads = pool.as_ref().map_or(1, |pool| pool.threads());
        Self {
            fused: FusedBuffers::new(N::LAYERS, threads),
            batch_size,
            worker: Worker::new(batch_size, dropout_seed(seed)),
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
        self.pool.as_ref().map_or(1, |pool| pool.threads())
    }

    /// One training step on the samples `indices` of `data`: forward, loss, backward, weight
    /// penalty, update. Adds the batch to `totals`' metrics and returns the batch-mean loss,
    /// penalty included.
    ///
    /// The weights of a large dense layer are updated during the backward pass, block by block
    /// as their gradient is computed, when the optimizer offers an
    /// [`elementwise`](Optimizer::elementwise) update, the clipping is not by norm and the step's
    /// gradient norms are not measured (the fused update: the same bits as after the backward
    /// pass); the other tensors after it.
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

    /// Runs `f` on one of the session's threads with the others as its team when it has
    /// several (on the calling thread otherwise), so that the work `f` spreads stays on the
    /// session's pool.
    fn on_pool<R: Send>(&mut self, f: impl FnOnce(&mut Self) -> R + Send) -> R {
        match self.pool.clone() {
            Some(pool) => pool.run_as_team(|| f(self)),
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
        let worker = &mut self.worker;
        worker.forward_and_loss(net, data, indices, weights, loss, self.measured);
        let data_loss = worker.loss;
        self.step_weight = worker.weight;
        totals.metrics.merge(&worker.metrics);
        worker.metrics = MetricTotals::default();
        optimizer.begin_step();
        let clipping = self.clipping;
        // Each layer's gradient norm is taken with the penalty and before clipping.
        let norms = &mut self.gradient_norms;
        let mut penalty_value = 0.0;
        // Large layers' weights are updated during the backward pass where that gives the same
        // bits (see `fused_step`); the update pass below skips the tensors it claimed.
        let fused = &mut self.fused;
        fused.clear();
        if worker.samples > 0 {
            let rule = match fused_step::fuses(clipping, norms.measuring()) {
                true => optimizer.elementwise::<N::Scalar>(),
                false => None,
            };
            let (input, workspace) = (&worker.input, &mut worker.workspace);
            match rule {
                Some(rule) => {
                    let mut step = FusedStep::new(rule, fused, *penalty, clipping);
                    net.backward_updating(input, workspace, &mut worker.gradients, &mut step);
                    penalty_value += step.penalty();
                }
                None => net.backward(input, workspace, &mut worker.gradients),
            }
        }
        let mut offset = 0;
        let gradients = &mut worker.gradients;
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
                if fused.claimed(tensor) {
                    offset += parameters.len();
                    tensor += 1;
                    return;
                }
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
        net.update_statistics(&worker.workspace);
        data_loss + penalty_value
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
            session_threads_ready();
            let start = std::time::Instant::now();
            let mut totals = PassTotals::default();
            let penalty = Penalty::default();
            session.step_here(net, data, indices, optimizer, loss, &penalty, &mut totals);
            start.elapsed()
        })
    }

    /// Runs the gradient half of a step (forward, loss and backward; no update) on the samples
    /// `indices` of `data` and returns how long it took. The network is left as it was; the
    /// session's dropout stream advances, so the trainer times throwaway sessions.
    pub(super) fn time_gradients<L: Loss<N::OutputActivation>>(
        &mut self,
        net: &N,
        data: &Dataset<N::Scalar, IN, OUT>,
        indices: &[usize],
        loss: &L,
    ) -> std::time::Duration {
        self.on_pool(|session| {
            session_threads_ready();
            let start = std::time::Instant::now();
            let measured = session.measured;
            session
                .worker
                .compute(net, data, indices, None, loss, measured);
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
        self.worker.metrics = MetricTotals::default();
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
            // The next batch's inputs are fetched while this step runs.
            let next = order.chunks(batch_size).nth(i + 1).unwrap_or_default();
            self.worker.next.clear();
            self.worker.next.extend_from_slice(next);
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
        let worker = &mut self.worker;
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

    /// Whether `net` gives a finite loss, in inference mode, on the last batch.
    fn last_batch_loss_is_finite<L: Loss<N::OutputActivation>>(
        &mut self,
        net: &N,
        loss: &L,
    ) -> bool {
        let worker = &mut self.worker;
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
            dropout: vec![RngState::of(&self.worker.rng)],
            best: self.best.iter().map(|v| v.as_f64()).collect(),
        }
    }

    /// Continues from a state [`state`](Self::state) saved from a session of the same network
    /// and data size, on any number of threads.
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
        let [dropout] = state.dropout.as_slice() else {
            return Err(format!(
                "the checkpoint holds {} dropout streams, expected 1 (checkpoints of runs on \
                 several threads from before the threads shared each step hold one per thread)",
                state.dropout.len()
            ));
        };
        if state.best.len() != self.best.len() {
            return Err(format!(
                "the checkpoint's best weights hold {} values, expected {}",
                state.best.len(),
                self.best.len()
            ));
        }
        let dropout = dropout.restore()?;
        self.rng = state.shuffle.restore()?;
        self.worker.rng = dropout;
        self.order.copy_from_slice(&state.order);
        for (best, &value) in self.best.iter_mut().zip(&state.best) {
            *best = N::Scalar::of_f64(value);
        }
        Ok(())
    }
}

/// Returns once every helper of the team serving this thread (if any) waits for work: a timed
/// step then measures the step, not the helpers' wake-up, which an epoch pays once.
fn session_threads_ready() {
    team::run(team::threads(), &|_| {});
}

/// The scratch memory each helper of a session's team needs: room for one partial result of
/// the widest dense layer's forward pass over a batch of `batch_size` (see `kernels::split`).
fn scratch_bytes<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    batch_size: usize,
) -> usize {
    let widest = N::LAYERS
        .iter()
        .filter(|layer| layer.kind == LayerKind::Dense)
        .map(|layer| layer.outputs)
        .max()
        .unwrap_or(0);
    widest * batch_size * core::mem::size_of::<N::Scalar>()
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
