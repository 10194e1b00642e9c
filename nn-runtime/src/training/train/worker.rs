//! The buffers of a training step: the batch, the layers' workspace, the dropout stream and the
//! gradients.

use rand::SeedableRng;
use rand::rngs::ChaCha12Rng;

use super::metrics::{Measured, MetricTotals};
use crate::compute::simd;
use crate::training::team::{self, SharedMut};
use crate::{BatchMatrix, Dataset, Float, Loss, Network};

/// The buffers a session needs to run forward, loss and backward on a batch.
pub(crate) struct Worker<N: Network<IN, OUT>, const IN: usize, const OUT: usize> {
    pub workspace: N::Workspace,
    pub gradients: N::Gradients,
    pub input: BatchMatrix<N::Scalar, IN>,
    pub target: BatchMatrix<N::Scalar, OUT>,
    /// The dropout stream of this worker.
    pub rng: ChaCha12Rng,
    /// The metrics of the samples this worker has seen since they were last collected.
    pub metrics: MetricTotals,
    /// The weights of the batch's samples, when training is weighted.
    pub weights: Vec<N::Scalar>,
    /// The samples of the step after the next `compute`, if known: their inputs are fetched into
    /// the caches while it runs.
    pub next: Vec<usize>,
    /// The batch-mean loss of the last `compute` (weighted when training is).
    pub loss: f64,
    /// The number of samples of the last `compute` (0: idle).
    pub samples: usize,
    /// What the last `compute`'s samples weigh together: their weight sum when training is
    /// weighted, their count otherwise. An epoch's loss weighs its batches by it.
    pub weight: f64,
}

impl<N: Network<IN, OUT>, const IN: usize, const OUT: usize> Worker<N, IN, OUT> {
    /// A worker for up to `capacity` samples per step, its dropout stream seeded by `seed`.
    pub fn new(capacity: usize, seed: u64) -> Self {
        Self {
            workspace: N::workspace(capacity),
            gradients: N::gradients(),
            input: BatchMatrix::zeros(capacity),
            target: BatchMatrix::zeros(capacity),
            rng: ChaCha12Rng::seed_from_u64(seed),
            metrics: MetricTotals::default(),
            weights: Vec::with_capacity(capacity),
            next: Vec::with_capacity(capacity),
            loss: 0.0,
            samples: 0,
            weight: 0.0,
        }
    }

    /// Forward, loss and backward on the samples `indices` of `data`, leaving the gradients of
    /// their mean loss (weighted by `weights`, one per sample of `data`, if given) in
    /// `self.gradients` and the `measured` metric sums in `self.metrics`.
    pub fn compute<L: Loss<N::OutputActivation>>(
        &mut self,
        net: &N,
        data: &Dataset<N::Scalar, IN, OUT>,
        indices: &[usize],
        weights: Option<&[N::Scalar]>,
        loss: &L,
        measured: Measured,
    ) {
        self.forward_and_loss(net, data, indices, weights, loss, measured);
        if self.samples > 0 {
            net.backward(&self.input, &mut self.workspace, &mut self.gradients);
        }
    }

    /// [`compute`](Self::compute) but the backward pass, which the caller runs next when
    /// `self.samples > 0`.
    pub fn forward_and_loss<L: Loss<N::OutputActivation>>(
        &mut self,
        net: &N,
        data: &Dataset<N::Scalar, IN, OUT>,
        indices: &[usize],
        weights: Option<&[N::Scalar]>,
        loss: &L,
        measured: Measured,
    ) {
        self.samples = indices.len();
        self.weight = indices.len() as f64;
        if indices.is_empty() {
            return;
        }
        load_training_batch(data, indices, &self.next, &mut self.input, &mut self.target);
        // Set again before each step that knows its successor.
        self.next.clear();
        net.resample_dropout(&mut self.workspace, indices.len(), &mut self.rng);
        let output = net.forward_train(&self.input, &mut self.workspace);
        self.metrics.add(output, &self.target, measured);
        self.loss = match weights {
            None => net.output_gradient(loss, &self.target, &mut self.workspace),
            Some(weights) => {
                self.weights.clear();
                self.weights.extend(indices.iter().map(|&i| weights[i]));
                self.weight = self.weights.iter().map(|w| w.as_f64()).sum();
                net.weighted_output_gradient(loss, &self.target, &self.weights, &mut self.workspace)
            }
        }
        .as_f64();
    }
}

/// Inputs of fewer values than this are loaded on one thread.
const MIN_SPLIT_INPUTS: usize = 8192;

/// [`load_batch`] for a training step, which then asks for the inputs of the samples `next` (of
/// the following step) to be fetched into the caches meanwhile: gathering a batch of rows from
/// memory is otherwise a long wait (N3's 32 rows of 784 `f32` took 14 µs, 8 % of a step).
/// Inside a session's team, when the inputs are large, each thread copies and fetches the rows of
/// the inputs that the first layer's split products give it (see `kernels::split`), so that they
/// are in its cache when it reads them.
fn load_training_batch<T: Float, const IN: usize, const OUT: usize>(
    data: &Dataset<T, IN, OUT>,
    indices: &[usize],
    next: &[usize],
    input: &mut BatchMatrix<T, IN>,
    target: &mut BatchMatrix<T, OUT>,
) {
    let pieces = team::threads().min(IN);
    if pieces <= 1 || IN * indices.len() < MIN_SPLIT_INPUTS {
        load_batch(data, indices.iter().copied(), input, target);
        return prefetch_inputs(data, next, 0..IN);
    }
    input.set_columns(indices.len());
    target.set_columns(indices.len());
    for (y, &index) in target.columns_mut().zip(indices) {
        y.copy_from_slice(data.target(index));
    }
    let inputs = SharedMut(input.as_mut_slice().as_mut_ptr());
    team::run(pieces, &|piece| {
        let (inputs, rows) = (inputs, team::cut(IN, pieces, piece));
        for (column, &index) in indices.iter().enumerate() {
            // SAFETY: `input` holds `IN` values for each of the batch's samples and stays
            // borrowed until every piece has ended; the pieces' rows are disjoint.
            let x = unsafe {
                core::slice::from_raw_parts_mut(inputs.0.add(column * IN + rows.start), rows.len())
            };
            x.copy_from_slice(&data.input(index)[rows.clone()]);
        }
        prefetch_inputs(data, next, rows);
    });
}

/// Asks the CPU to fetch values `rows` of the inputs of the samples `indices` of `data` into its
/// level-2 cache, without waiting for them.
fn prefetch_inputs<T: Float, const IN: usize, const OUT: usize>(
    data: &Dataset<T, IN, OUT>,
    indices: &[usize],
    rows: core::ops::Range<usize>,
) {
    #[cfg(target_arch = "x86_64")]
    for &index in indices {
        let values = &data.input(index)[rows.clone()];
        let (start, len) = (values.as_ptr().cast::<u8>(), core::mem::size_of_val(values));
        // Every cache line the values touch: one address in each, and the last.
        for offset in (0..len).step_by(64).chain(len.checked_sub(1)) {
            use core::arch::x86_64::{_MM_HINT_T1, _mm_prefetch};
            // SAFETY: a prefetch only hints the cache and never faults; the address lies within
            // `values`.
            unsafe { _mm_prefetch::<_MM_HINT_T1>(start.wrapping_add(offset).cast()) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (data, indices, rows);
}

/// Copies the samples `indices` of `data` into the columns of `input` and `target`: a training
/// step's shuffled batch, or a range in order for an evaluation.
pub(super) fn load_batch<T: Float, const IN: usize, const OUT: usize>(
    data: &Dataset<T, IN, OUT>,
    indices: impl ExactSizeIterator<Item = usize>,
    input: &mut BatchMatrix<T, IN>,
    target: &mut BatchMatrix<T, OUT>,
) {
    let count = indices.len();
    input.set_columns(count);
    target.set_columns(count);
    // As arrays, whose length the compiler knows, in the AVX2 build: samples of up to 64 `f32`
    // are then copied by a few moves inline rather than by a call to `memcpy` per column
    // (4 % of a 64-input network's step).
    let columns = input.columns_mut().zip(target.columns_mut()).zip(indices);
    simd::wide(
        count * (IN + OUT),
        #[inline(always)]
        || {
            for ((x, y), index) in columns {
                let (x, y): (&mut [T; IN], &mut [T; OUT]) = (
                    x.try_into().expect("a column holds IN values"),
                    y.try_into().expect("a column holds OUT values"),
                );
                (*x, *y) = (*data.input(index), *data.target(index));
            }
        },
    );
}
