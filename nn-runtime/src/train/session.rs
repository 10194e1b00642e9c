//! The preallocated state of a training run and the allocation-free training step.

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use crate::{BatchMatrix, Dataset, Float, Loss, Network, Optimizer};

/// Everything a training step touches, allocated once for a network, a batch capacity and a
/// dataset size. [`Session::step`] and [`Session::epoch`] then allocate nothing.
pub struct Session<N: Network<IN, OUT>, const IN: usize, const OUT: usize> {
    workspace: N::Workspace,
    gradients: N::Gradients,
    input: BatchMatrix<N::Scalar, IN>,
    target: BatchMatrix<N::Scalar, OUT>,
    order: Vec<usize>,
    snapshot: Vec<N::Scalar>,
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

impl<N: Network<IN, OUT>, const IN: usize, const OUT: usize> Session<N, IN, OUT> {
    /// Allocates buffers for batches of up to `batch_size` samples over `samples` samples.
    pub fn new(batch_size: usize, samples: usize, seed: u64) -> Self {
        Self {
            workspace: N::workspace(batch_size),
            gradients: N::gradients(),
            input: BatchMatrix::zeros(batch_size),
            target: BatchMatrix::zeros(batch_size),
            order: (0..samples).collect(),
            snapshot: vec![<N::Scalar as Default>::default(); N::LEN],
            rng: StdRng::seed_from_u64(seed),
        }
    }

    /// One training step on the samples `indices` of `data`: forward, loss, backward, update.
    /// Returns the batch-mean loss.
    pub fn step<O: Optimizer, L: Loss<N::OutputActivation>>(
        &mut self,
        net: &mut N,
        data: &Dataset<N::Scalar, IN, OUT>,
        indices: &[usize],
        optimizer: &mut O,
        loss: &L,
    ) -> N::Scalar {
        load_batch(data, indices, &mut self.input, &mut self.target);
        net.resample_dropout(&mut self.workspace, indices.len(), &mut self.rng);
        net.forward_train(&self.input, &mut self.workspace);
        let value = net.output_gradient(loss, &self.target, &mut self.workspace);
        net.backward(&self.input, &mut self.workspace, &mut self.gradients);
        optimizer.begin_step();
        let mut offset = 0;
        net.update(&self.gradients, |kind, parameters, gradients| {
            optimizer.update(kind, parameters, gradients, offset);
            offset += parameters.len();
        });
        value
    }

    /// One epoch over `data` in batches of the session's capacity (the last may be short),
    /// shuffled first when `shuffle` is set. Returns the sample-weighted mean loss.
    ///
    /// On a NaN or infinite loss the network gets back the weights it had when the epoch began.
    pub fn epoch<O: Optimizer, L: Loss<N::OutputActivation>>(
        &mut self,
        net: &mut N,
        data: &Dataset<N::Scalar, IN, OUT>,
        optimizer: &mut O,
        loss: &L,
        shuffle: bool,
    ) -> Result<f64, NonFiniteLoss> {
        self.save(net);
        if shuffle {
            self.order.shuffle(&mut self.rng);
        }
        let batch_size = self.input.capacity();
        let mut order = core::mem::take(&mut self.order);
        let mut total = 0.0;
        let mut outcome = Ok(());
        for (i, indices) in order.chunks(batch_size).enumerate() {
            let value = self.step(net, data, indices, optimizer, loss).as_f64();
            if !value.is_finite() {
                outcome = Err(NonFiniteLoss {
                    iteration: i + 1,
                    loss: value,
                });
                break;
            }
            total += value * indices.len() as f64;
        }
        core::mem::swap(&mut self.order, &mut order);
        match outcome {
            Ok(()) => Ok(total / data.len() as f64),
            Err(error) => {
                self.restore(net);
                Err(error)
            }
        }
    }

    fn save(&mut self, net: &N) {
        let mut offset = 0;
        net.for_each_tensor(|_, values| {
            self.snapshot[offset..offset + values.len()].copy_from_slice(values);
            offset += values.len();
        });
    }

    fn restore(&self, net: &mut N) {
        let mut offset = 0;
        net.for_each_tensor_mut(|_, values| {
            values.copy_from_slice(&self.snapshot[offset..offset + values.len()]);
            offset += values.len();
        });
    }
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
