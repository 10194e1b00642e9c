//! The preallocated predictor: batches of inputs through [`Network::forward_batch`].

use super::{PredictError, ProbabilityOutput};
use crate::training::train::class_of;
use crate::{BatchMatrix, Dataset, Float, Network};

/// Runs a network over many inputs, in batches through the kernels that training and evaluation
/// use, in inference mode (dropout off, batch normalization by its running statistics).
///
/// The buffers are allocated once, for a batch capacity; predicting then allocates nothing,
/// however many inputs there are: they are cut into batches of at most the capacity. A sample's
/// outputs depend neither on the capacity nor on the other samples of its batch: they are
/// [`evaluate`](crate::evaluate)'s to the bit.
///
/// They are the network's `forward` of the sample to the bit where the layers take the portable
/// kernels (every layer of at most 32 weights, and every layer on a CPU without AVX2 and FMA).
/// The SIMD kernels of larger layers sum one sample's products in several interleaved chains
/// (hiding the latency of each multiply-add) and a batch's in one chain per value, so there the
/// two may differ by a few units in the last place.
///
/// ```text
/// use nn::prelude::*;
///
/// network! {
///     struct Classifier: Input<2> -> Dense<8, Relu> -> Dense<3, Softmax>;
/// }
///
/// let net = Classifier::new(&mut StdRng::seed_from_u64(0));
/// let inputs = [[0.5, -1.0], [2.0, 0.25], [0.0, 0.0]];
/// let mut predictor = Predictor::new(); // buffers for 256 samples, allocated once
/// let (mut outputs, mut classes) = ([[0.0; 3]; 3], [0; 3]);
/// predictor.predict(&net, &inputs, &mut outputs)?;
/// predictor.predict_classes(&net, &inputs, &mut classes)?;
/// ```
pub struct Predictor<N: Network<IN, OUT>, const IN: usize, const OUT: usize> {
    workspace: N::Workspace,
    input: BatchMatrix<N::Scalar, IN>,
}

impl<N: Network<IN, OUT>, const IN: usize, const OUT: usize> Predictor<N, IN, OUT> {
    /// The batch capacity of [`new`](Self::new), and the largest of the one-off functions: as
    /// many samples as [`evaluate`](crate::evaluate)'s batches.
    pub const DEFAULT_CAPACITY: usize = 256;

    /// A predictor for batches of [`DEFAULT_CAPACITY`](Self::DEFAULT_CAPACITY) samples.
    pub fn new() -> Self {
        Self::allocate(Self::DEFAULT_CAPACITY)
    }

    /// A predictor for batches of up to `capacity` samples. Each sample of capacity costs a few
    /// buffers of the widest layer's width; few samples cost speed, though past a dozen or so
    /// little (the N3 network's 784-128-10 predicts as fast in batches of 16 as of 512). A
    /// capacity of 0 is a [`PredictError::ZeroCapacity`].
    pub fn with_capacity(capacity: usize) -> Result<Self, PredictError> {
        if capacity == 0 {
            return Err(PredictError::ZeroCapacity);
        }
        Ok(Self::allocate(capacity))
    }

    /// The buffers for `capacity` samples, at least 1.
    pub(super) fn allocate(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            workspace: N::workspace(capacity),
            input: BatchMatrix::zeros(capacity),
        }
    }

    /// The most samples one batch holds.
    pub fn capacity(&self) -> usize {
        self.input.capacity()
    }

    /// Writes `net`'s outputs for each of `inputs` into the slot of `outputs` at the same index.
    ///
    /// A count mismatch is a [`PredictError::CountMismatch`], and a NaN or infinite input value a
    /// [`PredictError::NotFinite`] naming the sample: the batches before the sample's have been
    /// written then, the rest of `outputs` is as it was.
    pub fn predict(
        &mut self,
        net: &N,
        inputs: &[[N::Scalar; IN]],
        outputs: &mut [[N::Scalar; OUT]],
    ) -> Result<(), PredictError> {
        check_count(inputs.len(), outputs.len())?;
        self.run(net, inputs, |first, batch| {
            let slots = &mut outputs[first..first + batch.columns()];
            slots.as_flattened_mut().copy_from_slice(batch.as_slice());
        })
    }

    /// [`predict`](Self::predict) for the inputs of a dataset (its targets are not read).
    pub fn predict_dataset(
        &mut self,
        net: &N,
        data: &Dataset<N::Scalar, IN, OUT>,
        outputs: &mut [[N::Scalar; OUT]],
    ) -> Result<(), PredictError> {
        self.predict(net, data.inputs(), outputs)
    }

    /// Writes the class `net` picks for each of `inputs` into `classes`: the index of its largest
    /// output (the first, on ties), or for a network with a single output 1 when that output
    /// exceeds 0.5 and 0 otherwise, as [`Metric::Accuracy`](crate::Metric::Accuracy) counts.
    ///
    /// Errors as [`predict`](Self::predict).
    pub fn predict_classes(
        &mut self,
        net: &N,
        inputs: &[[N::Scalar; IN]],
        classes: &mut [usize],
    ) -> Result<(), PredictError> {
        check_count(inputs.len(), classes.len())?;
        self.run(net, inputs, |first, batch| {
            let slots = &mut classes[first..first + batch.columns()];
            for (class, output) in slots.iter_mut().zip(batch.columns_iter()) {
                *class = class_of(output);
            }
        })
    }

    /// [`predict`](Self::predict) for a network whose outputs are probabilities: a `Softmax`
    /// output's sum to 1 per sample, a `Sigmoid` output's are each the probability of its own
    /// label. A network with another output activation does not compile.
    pub fn predict_probabilities(
        &mut self,
        net: &N,
        inputs: &[[N::Scalar; IN]],
        probabilities: &mut [[N::Scalar; OUT]],
    ) -> Result<(), PredictError>
    where
        N::OutputActivation: ProbabilityOutput,
    {
        self.predict(net, inputs, probabilities)
    }

    /// Runs `inputs` through `net` a batch at a time, handing `each` the index of the batch's
    /// first sample and the batch's outputs.
    fn run(
        &mut self,
        net: &N,
        inputs: &[[N::Scalar; IN]],
        mut each: impl FnMut(usize, &BatchMatrix<N::Scalar, OUT>),
    ) -> Result<(), PredictError> {
        let capacity = self.capacity();
        for (batch, samples) in inputs.chunks(capacity).enumerate() {
            let first = batch * capacity;
            load(&mut self.input, samples, first)?;
            each(first, net.forward_batch(&self.input, &mut self.workspace));
        }
        Ok(())
    }
}

impl<N: Network<IN, OUT>, const IN: usize, const OUT: usize> Default for Predictor<N, IN, OUT> {
    fn default() -> Self {
        Self::new()
    }
}

/// Checks that there are as many slots as inputs.
fn check_count(inputs: usize, outputs: usize) -> Result<(), PredictError> {
    if inputs == outputs {
        Ok(())
    } else {
        Err(PredictError::CountMismatch { inputs, outputs })
    }
}

/// Copies `samples` into the columns of `input` (one contiguous copy: both are column-major),
/// after checking every value is finite; `first` is the index of the first sample, for the error.
fn load<T: Float, const IN: usize>(
    input: &mut BatchMatrix<T, IN>,
    samples: &[[T; IN]],
    first: usize,
) -> Result<(), PredictError> {
    let values = samples.as_flattened();
    // Without an early exit, so that the check runs as vector compares.
    if !values
        .iter()
        .fold(true, |finite, v| finite & v.is_finite_value())
    {
        let index = values
            .iter()
            .position(|v| !v.is_finite_value())
            .expect("a value that is not finite");
        return Err(PredictError::NotFinite {
            sample: first + index / IN,
            column: index % IN,
            value: values[index].as_f64(),
        });
    }
    input.set_columns(samples.len());
    input.as_mut_slice().copy_from_slice(values);
    Ok(())
}
