//! The values a training pass does not keep, computed again by the kernels that computed them,
//! from the same buffers: what a network's generated
//! [`for_each_layer_trace`](crate::Network::for_each_layer_trace) calls. Each allocates its
//! result.

use crate::{
    Batch, BatchMatrix, DenseParameters, Float, NormParameters, batch_norm_forward_train,
    batch_norm_input_gradient, dropout_backward, kernels, layer_norm_forward_train,
    layer_norm_input_gradient,
};

/// A dense layer's pre-activations `z = W·x + b` for the batch `x`.
pub fn dense_pre_activation<T: Float, const OUT: usize, const IN: usize>(
    layer: &impl DenseParameters<T, OUT, IN>,
    x: &impl Batch<T, IN>,
) -> BatchMatrix<T, OUT> {
    let mut z = BatchMatrix::zeros(x.columns());
    kernels::dense_forward(layer, x, &mut z);
    z
}

/// Layer normalization's `y = γ ⊙ x̂ + β` (before its activation) for the batch `x`.
pub fn layer_norm_pre_activation<T: Float, const N: usize>(
    parameters: &impl NormParameters<T, N>,
    epsilon: f64,
    x: &impl Batch<T, N>,
) -> BatchMatrix<T, N> {
    let columns = x.columns();
    let (mut y, mut normalized) = (BatchMatrix::zeros(columns), BatchMatrix::zeros(columns));
    let mut inverse_deviations = vec![T::zero(); columns];
    layer_norm_forward_train(
        parameters,
        epsilon,
        x,
        &mut y,
        &mut normalized,
        &mut inverse_deviations,
    );
    y
}

/// Batch normalization's `y = γ ⊙ x̂ + β` (before its activation) for the batch `x`, from the
/// batch's statistics.
///
/// # Panics
/// On a batch of fewer than 2 samples, as the training pass does.
pub fn batch_norm_pre_activation<T: Float, const N: usize>(
    parameters: &impl NormParameters<T, N>,
    epsilon: f64,
    x: &impl Batch<T, N>,
) -> BatchMatrix<T, N> {
    let columns = x.columns();
    let (mut y, mut normalized) = (BatchMatrix::zeros(columns), BatchMatrix::zeros(columns));
    let (mut mean, mut variance) = (vec![T::zero(); N], vec![T::zero(); N]);
    let mut inverse_deviations = vec![T::zero(); columns.max(N)];
    batch_norm_forward_train(
        parameters,
        epsilon,
        x,
        &mut y,
        &mut normalized,
        &mut mean,
        &mut variance,
        &mut inverse_deviations,
    );
    y
}

/// `∂L/∂x = Wᵀ·δ`: the gradient a dense layer passes back, from its `δ`.
pub fn gradient_through_dense<T: Float, const OUT: usize, const IN: usize>(
    layer: &impl DenseParameters<T, OUT, IN>,
    delta: &impl Batch<T, OUT>,
) -> BatchMatrix<T, IN> {
    let mut gradient = BatchMatrix::zeros(delta.columns());
    kernels::dense_input_gradient(layer, delta, &mut gradient);
    gradient
}

/// `∂L/∂x = δ ⊙ mask`: the gradient a dropout layer passes back.
pub fn gradient_through_dropout<T: Float, const N: usize>(
    mask: &BatchMatrix<T, N>,
    delta: &BatchMatrix<T, N>,
) -> BatchMatrix<T, N> {
    let mut gradient = BatchMatrix::zeros(delta.columns());
    dropout_backward(mask, delta, &mut gradient);
    gradient
}

/// The gradient a layer normalization passes back, from its `δ = ∂L/∂y` and what its forward
/// pass kept.
pub fn gradient_through_layer_norm<T: Float, const N: usize>(
    parameters: &impl NormParameters<T, N>,
    normalized: &impl Batch<T, N>,
    inverse_deviations: &[T],
    delta: &impl Batch<T, N>,
) -> BatchMatrix<T, N> {
    let mut gradient = BatchMatrix::zeros(delta.columns());
    layer_norm_input_gradient(
        parameters,
        normalized,
        inverse_deviations,
        delta,
        &mut gradient,
    );
    gradient
}

/// The gradient a batch normalization passes back, from its `δ = ∂L/∂y` and what its forward
/// pass kept.
pub fn gradient_through_batch_norm<T: Float, const N: usize>(
    parameters: &impl NormParameters<T, N>,
    normalized: &impl Batch<T, N>,
    inverse_deviations: &[T],
    delta: &impl Batch<T, N>,
) -> BatchMatrix<T, N> {
    let mut gradient = BatchMatrix::zeros(delta.columns());
    batch_norm_input_gradient(
        parameters,
        normalized,
        inverse_deviations,
        delta,
        &mut gradient,
    );
    gradient
}
