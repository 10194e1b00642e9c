//! Per-layer training buffers, held by each network's generated workspace.

use crate::{BatchMatrix, Float};

/// The buffers of one dense layer during training.
#[derive(Clone, Debug)]
pub struct DenseBuffers<T, const N: usize> {
    /// The layer's activations `a = f(W·x + b)`, `N × batch`.
    pub output: BatchMatrix<T, N>,
    /// `∂L/∂z`, the gradient with respect to the layer's pre-activation, `N × batch`.
    pub delta: BatchMatrix<T, N>,
}

impl<T: Float, const N: usize> DenseBuffers<T, N> {
    /// Buffers for up to `capacity` samples.
    pub fn new(capacity: usize) -> Self {
        Self {
            output: BatchMatrix::zeros(capacity),
            delta: BatchMatrix::zeros(capacity),
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
