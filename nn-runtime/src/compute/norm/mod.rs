//! Normalization layers: layer normalization over each sample's features and batch
//! normalization over each feature's batch, forward and backward, on column-major batches.
//! Needs neither `std` nor a heap; the layers' parameters are reached through the traits here,
//! so that the heap-backed training type and the inline frozen type run the same code.
//!
//! Both follow PyTorch's formulas and order of operations, `y = (x − μ)·(1/√(σ² + ε))·γ + β`
//! with the biased variance `σ²`, so that results agree with it to `f64` precision.

mod batch_norm;
mod layer_norm;

pub use batch_norm::{
    batch_norm_forward, batch_norm_forward_train, batch_norm_input_gradient,
    batch_norm_update_running, batch_norm_vector,
};
pub use layer_norm::{
    layer_norm_forward, layer_norm_forward_train, layer_norm_input_gradient, layer_norm_vector,
};

use crate::{Batch, Float};

/// `ε`, added to the variance before its square root: PyTorch's default for `LayerNorm` and
/// `BatchNorm1d`.
pub const DEFAULT_EPSILON: f64 = 1e-5;

/// The weight of a new batch's statistics in batch normalization's running averages:
/// PyTorch's default `momentum` of `BatchNorm1d`.
pub const DEFAULT_MOMENTUM: f64 = 0.1;

/// The learnable parameters of a normalization layer of `N` features: the scale `γ` and the
/// shift `β`.
pub trait NormParameters<T, const N: usize> {
    /// The scale `γ`.
    fn scale(&self) -> &[T; N];
    /// The shift `β`.
    fn shift(&self) -> &[T; N];
}

/// Write access to a normalization layer's parameters (or to their gradients).
pub trait NormParametersMut<T, const N: usize>: NormParameters<T, N> {
    /// The scale `γ`, mutably.
    fn scale_mut(&mut self) -> &mut [T; N];
    /// The shift `β`, mutably.
    fn shift_mut(&mut self) -> &mut [T; N];
}

/// The running statistics a batch normalization layer normalizes by in inference.
pub trait RunningStatistics<T, const N: usize> {
    /// The running mean of each feature.
    fn running_mean(&self) -> &[T; N];
    /// The running (unbiased) variance of each feature.
    fn running_variance(&self) -> &[T; N];
}

/// Write access to the running statistics.
pub trait RunningStatisticsMut<T, const N: usize>: RunningStatistics<T, N> {
    /// The running mean, mutably.
    fn running_mean_mut(&mut self) -> &mut [T; N];
    /// The running variance, mutably.
    fn running_variance_mut(&mut self) -> &mut [T; N];
}

/// `1/√(σ² + ε)`.
#[inline(always)]
fn inverse_deviation<T: Float>(variance: T, epsilon: T) -> T {
    T::one() / (variance + epsilon).sqrt()
}

/// The gradients of `γ` and `β` of either normalization, written into `gradient`:
/// `∂L/∂γ = Σ δ ⊙ x̂` and `∂L/∂β = Σ δ` over the batch's columns, given the normalized values
/// `x̂` of the forward pass and `δ = ∂L/∂y`.
pub fn norm_parameter_gradient<T: Float, const N: usize>(
    gradient: &mut impl NormParametersMut<T, N>,
    normalized: &impl Batch<T, N>,
    delta: &impl Batch<T, N>,
) {
    let (normalized, delta) = (normalized.as_slice(), delta.as_slice());
    assert_eq!(
        normalized.len(),
        delta.len(),
        "normalized values and deltas differ in length"
    );
    gradient.scale_mut().fill(T::zero());
    gradient.shift_mut().fill(T::zero());
    for (x_hat, d) in normalized.chunks_exact(N).zip(delta.chunks_exact(N)) {
        for ((g, &x), &d) in gradient.scale_mut().iter_mut().zip(x_hat).zip(d) {
            *g += d * x;
        }
        for (g, &d) in gradient.shift_mut().iter_mut().zip(d) {
            *g += d;
        }
    }
}

/// Inline parameters for tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    #[derive(Clone, Debug)]
    pub struct Params<const N: usize> {
        pub scale: [f64; N],
        pub shift: [f64; N],
        pub mean: [f64; N],
        pub variance: [f64; N],
    }

    impl<const N: usize> NormParameters<f64, N> for Params<N> {
        fn scale(&self) -> &[f64; N] {
            &self.scale
        }
        fn shift(&self) -> &[f64; N] {
            &self.shift
        }
    }

    impl<const N: usize> NormParametersMut<f64, N> for Params<N> {
        fn scale_mut(&mut self) -> &mut [f64; N] {
            &mut self.scale
        }
        fn shift_mut(&mut self) -> &mut [f64; N] {
            &mut self.shift
        }
    }

    impl<const N: usize> RunningStatistics<f64, N> for Params<N> {
        fn running_mean(&self) -> &[f64; N] {
            &self.mean
        }
        fn running_variance(&self) -> &[f64; N] {
            &self.variance
        }
    }

    impl<const N: usize> RunningStatisticsMut<f64, N> for Params<N> {
        fn running_mean_mut(&mut self) -> &mut [f64; N] {
            &mut self.mean
        }
        fn running_variance_mut(&mut self) -> &mut [f64; N] {
            &mut self.variance
        }
    }
}
