//! Per-layer training buffers, held by each network's generated workspace.

use crate::{BatchMatrix, Float};

/// The buffers of one dense layer during training.
#[derive(Clone, Debug)]
pub struct DenseBuffers<T, const N: usize> {
    /// The layer's activations `a = f(W·x + b)`, `N × batch`.
    pub output: BatchMatrix<T, N>,
    /// `∂L/∂z`, the gradient with respect to the layer's pre-activation, `N × batch`.
    pub delta: BatchMatrix<T, N>,
    /// The pre-activations `z = W·x + b`, `N × batch`, kept only for activations whose
    /// derivative needs them ([`Activation::NEEDS_INPUTS`](crate::Activation::NEEDS_INPUTS));
    /// otherwise empty.
    pub inputs: BatchMatrix<T, N>,
}

impl<T: Float, const N: usize> DenseBuffers<T, N> {
    /// Buffers for up to `capacity` samples, with room for the pre-activations if
    /// `keeps_inputs`.
    pub fn new(capacity: usize, keeps_inputs: bool) -> Self {
        Self {
            output: BatchMatrix::zeros(capacity),
            delta: BatchMatrix::zeros(capacity),
            inputs: BatchMatrix::zeros(if keeps_inputs { capacity } else { 0 }),
        }
    }
}

/// The buffers of one normalization layer during training.
#[derive(Clone, Debug)]
pub struct NormBuffers<T, const N: usize> {
    /// The layer's outputs `a = f(y)`, `N × batch`.
    pub output: BatchMatrix<T, N>,
    /// `∂L/∂y`, the gradient with respect to the normalized, scaled and shifted values (before
    /// the layer's activation), `N × batch`.
    pub delta: BatchMatrix<T, N>,
    /// `y` before the activation, kept only for activations whose derivative needs it.
    pub inputs: BatchMatrix<T, N>,
    /// The normalized values `x̂`, `N × batch`.
    pub normalized: BatchMatrix<T, N>,
    /// `1/√(σ² + ε)`: per sample for layer normalization, per feature for batch normalization.
    pub inverse_deviations: Vec<T>,
    /// The batch's mean of each feature (batch normalization).
    pub mean: Vec<T>,
    /// The batch's biased variance of each feature (batch normalization).
    pub variance: Vec<T>,
}

impl<T: Float, const N: usize> NormBuffers<T, N> {
    /// Buffers for up to `capacity` samples, with room for the values before the activation if
    /// `keeps_inputs`.
    pub fn new(capacity: usize, keeps_inputs: bool) -> Self {
        Self {
            output: BatchMatrix::zeros(capacity),
            delta: BatchMatrix::zeros(capacity),
            inputs: BatchMatrix::zeros(if keeps_inputs { capacity } else { 0 }),
            normalized: BatchMatrix::zeros(capacity),
            inverse_deviations: vec![T::zero(); capacity.max(N)],
            mean: vec![T::zero(); N],
            variance: vec![T::zero(); N],
        }
    }
}

/// The buffers of one dropout layer during training.
#[derive(Clone, Debug)]
pub struct DropoutBuffers<T, const N: usize> {
    /// The mask drawn for the current batch: `0` or `1 / (1 − p)`.
    pub mask: BatchMatrix<T, N>,
    /// The masked values passed on to the next layer.
    pub output: BatchMatrix<T, N>,
    /// `∂L/∂output`, written by the next layer's backward pass.
    pub delta: BatchMatrix<T, N>,
}

impl<T: Float, const N: usize> DropoutBuffers<T, N> {
    /// Buffers for up to `capacity` samples, with a mask that keeps everything.
    pub fn new(capacity: usize) -> Self {
        let mut mask = BatchMatrix::zeros(capacity);
        mask.as_mut_slice().fill(T::one());
        Self {
            mask,
            output: BatchMatrix::zeros(capacity),
            delta: BatchMatrix::zeros(capacity),
        }
    }
}
