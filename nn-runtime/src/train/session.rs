//! The preallocated state of a training run and the allocation-free training step.

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use super::metrics::MetricTotals;
use super::regularization::Penalty;
use crate::{BatchMatrix, Dataset, Float, Loss, Network, Optimizer};

/// Everything a training step touches, allocated once for a network, a batch capacity and a
/// dataset size. [`Session::step`], [`Session::epoch`] and [`Session::evaluate`] then allocate
/// nothing.
pub struct Session<N: Network<IN, OUT>, const IN: usize, const OUT: usize> {
    workspace: N::Workspace,
    gradients: N::Gradients,
    input: BatchMatrix<N::Scalar, IN>,
    target: BatchMatrix<N::Scalar, OUT>,
    order: Vec<usize>,
    /// The weights at the start of the current epoch, restored if it diverges.
    last_good: Vec<N::Scalar>,
    /// The weights of the best epoch, for early stopping.
    best: Vec<N::Scalar>,
    rng: StdRng,
}

/// A batch whose loss was NaN or infinite.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NonFiniteLoss {
    /// The 1-based iteration within the epoch.
    pub iteration: usize,
    /// The loss seen.
    pub loss: f64,
}

/// The loss and metric sums of one pass over data.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PassTotals {
    /// The sample-weighted mean loss (including any weight penalty in training).
    pub loss: f64,
    pub(crate) metrics: MetricTotals,
}

impl PassTotals {
    /// The requested metrics of the pass.
    pub fn metrics(&self, metrics: &[super::Metric]) -> super::MetricValues {
        self.metrics.values(metrics)
    }
}

impl<N: Network<IN, OUT>, const IN: usize, const OUT: usize> Session<N, IN, OUT> {
    /// Allocates buffers for batches of up to `batch_size` samples over `samples` samples.
    pub fn new(batch_size: usize, samples: usize, seed: u64) -> Self {
        let zero = <N::Scalar as Default>::default();
        Self {
            workspace: N::workspace(batch_size),
            gradients: N::gradients(),
            input: BatchMatrix::zeros(batch_size),
            target: BatchMatrix::zeros(batch_size),
            order: (0..samples).collect(),
            last_good: vec![zero; N::LEN],
            best: vec![zero; N::LEN],
            rng: StdRng::seed_from_u64(seed),
        }
    }

    /// One training step on the samples `indices` of `data`: forward, loss, backward, weight
    /// penalty, update. Adds the batch to `totals`' metrics and returns the batch-mean loss,
    /// penalty included.
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
        load_batch(data, indices, &mut self.input, &mut self.target);
        net.resample_dropout(&mut self.workspace, indices.len(), &mut self.rng);
        let output = net.forward_train(&self.input, &mut self.workspace);
        totals.metrics.add(output, &self.target);
        let data_loss = net.output_gradient(loss, &self.target, &mut self.workspace);
        net.backward(&self.input, &mut self.workspace, &mut self.gradients);
        optimizer.begin_step();
        let mut offset = 0;
        let mut penalty_value = 0.0;
        net.update(&mut self.gradients, |kind, parameters, gradients| {
            penalty_value += penalty.apply(kind, parameters, gradients);
            optimizer.update(kind, parameters, gradients, offset);
            offset += parameters.len();
        });
        data_loss.as_f64() + penalty_value
    }

    /// One epoch over `data` in batches of the session's capacity (the last may be short),
    /// shuffled first when `shuffle` is set.
    ///
    /// On a NaN or infinite loss the network gets back the weights it had when the epoch began.
    pub fn epoch<O: Optimizer, L: Loss<N::OutputActivation>>(
        &mut self,
        net: &mut N,
        data: &Dataset<N::Scalar, IN, OUT>,
        optimizer: &mut O,
        loss: &L,
        penalty: &Penalty,
        shuffle: bool,
    ) -> Result<PassTotals, NonFiniteLoss> {
        copy_parameters(net, &mut self.last_good);
        if shuffle {
            self.order.shuffle(&mut self.rng);
        }
        let batch_size = self.input.capacity();
        let order = core::mem::take(&mut self.order);
        let mut totals = PassTotals::default();
        let mut outcome = Ok(());
        for (i, indices) in order.chunks(batch_size).enumerate() {
            let value = self.step(net, data, indices, optimizer, loss, penalty, &mut totals);
            if !value.is_finite() {
                outcome = Err(NonFiniteLoss {
                    iteration: i + 1,
                    loss: value,
                });
                break;
            }
            totals.loss += value * indices.len() as f64;
        }
        self.order = order;
        match outcome {
            Ok(()) => {
                totals.loss /= data.len() as f64;
                Ok(totals)
            }
            Err(error) => {
                restore_parameters(net, &self.last_good);
                Err(error)
            }
        }
    }

    /// The mean loss and metrics of `net` on `data` in inference mode (dropout off, no penalty).
    pub fn evaluate<L: Loss<N::OutputActivation>>(
        &mut self,
        net: &N,
        data: &Dataset<N::Scalar, IN, OUT>,
        loss: &L,
    ) -> PassTotals {
        let batch_size = self.input.capacity();
        let mut totals = PassTotals::default();
        let mut start = 0;
        while start < data.len() {
            let end = (start + batch_size).min(data.len());
            let count = end - start;
            self.input.set_columns(count);
            self.target.set_columns(count);
            for (offset, (x, y)) in self
                .input
                .columns_mut()
                .zip(self.target.columns_mut())
                .enumerate()
            {
                x.copy_from_slice(data.input(start + offset));
                y.copy_from_slice(data.target(start + offset));
            }
            let output = net.forward_batch(&self.input, &mut self.workspace);
            totals.metrics.add(output, &self.target);
            totals.loss += loss.loss(output, &self.target).as_f64() * count as f64;
            start = end;
        }
        totals.loss /= data.len() as f64;
        totals
    }

    /// Remembers the network's current weights as the best so far.
    pub fn save_best(&mut self, net: &N) {
        copy_parameters(net, &mut self.best);
    }

    /// Gives the network back the weights saved by [`save_best`](Self::save_best).
    pub fn restore_best(&self, net: &mut N) {
        restore_parameters(net, &self.best);
    }
}

/// Copies every parameter of `net` into the flat `buffer`.
fn copy_parameters<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
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
fn restore_parameters<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    net: &mut N,
    buffer: &[N::Scalar],
) {
    let mut offset = 0;
    net.for_each_tensor_mut(|_, values| {
        values.copy_from_slice(&buffer[offset..offset + values.len()]);
        offset += values.len();
    });
}

/// Copies the samples `indices` of `data` into the columns of `input` and `target`.
fn load_batch<T: Float, const IN: usize, const OUT: usize>(
    data: &Dataset<T, IN, OUT>,
    indices: &[usize],
    input: &mut BatchMatrix<T, IN>,
    target: &mut BatchMatrix<T, OUT>,
) {
    input.set_columns(indices.len());
    target.set_columns(indices.len());
    for ((x, y), &index) in input.columns_mut().zip(target.columns_mut()).zip(indices) {
        x.copy_from_slice(data.input(index));
        y.copy_from_slice(data.target(index));
    }
}
