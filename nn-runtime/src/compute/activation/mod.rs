//! Activation functions and their derivatives, applied in place to column-major batches.
//!
//! Most derivatives are computed from the activation's *output* `a = f(z)`, which the forward
//! pass keeps anyway. Activations whose derivative needs the pre-activation `z` as well (GELU,
//! SiLU and every user-defined one) say so with [`Activation::NEEDS_INPUTS`], and their layers
//! keep `z` during training.

mod basic;
mod elementwise;
mod elu;
mod gelu;
mod hardtanh;
#[cfg(test)]
mod reference_values;
mod silu;
mod softmax;
mod softplus;
#[cfg(test)]
mod testing;

use core::fmt::Debug;

pub use basic::{Identity, LeakyRelu, Relu, Sigmoid, Tanh, sigmoid};
pub use elementwise::ElementwiseActivation;
pub use elu::Elu;
pub use gelu::{Gelu, GeluTanh};
pub use hardtanh::HardTanh;
pub use silu::Silu;
pub use softmax::Softmax;
pub use softplus::Softplus;

use crate::compute::simd;
use crate::{Batch, BatchMut, Float};

/// An activation function applied after a dense or normalization layer.
///
/// Implement it for a type of your own to name that type in a description (`Dense<32, Mish>`,
/// the layer using its `Default` value) when the activation is best written over a whole slice
/// (a softmax-like function of each column); for a function of one value at a time, implement
/// the simpler [`ElementwiseActivation`] instead.
///
/// [`activate`] and the other entry points run the methods inside a build for the widest
/// registers the CPU has; implementations should be `#[inline(always)]` so that their loops are
/// compiled into that build rather than called from it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an activation",
    label = "not an activation",
    note = "implement `nn::ElementwiseActivation` (a function of one value and its derivative) or `nn::Activation` for it"
)]
pub trait Activation: Copy + Debug + Default + Send + Sync + 'static {
    /// The name used in a network description and in summaries (`"Relu"`).
    const NAME: &'static str;

    /// Whether [`backward`](Activation::backward) reads the pre-activations `z`. When `false`,
    /// layers keep no copy of `z` and `backward` receives an empty slice for it.
    const NEEDS_INPUTS: bool = false;

    /// Replaces each pre-activation `z` by `f(z)`. `values` holds columns of `rows` values.
    fn apply<T: Float>(&self, values: &mut [T], rows: usize);

    /// Turns `delta = ∂L/∂a` into `∂L/∂z` in place, given the pre-activations `inputs` (`z`,
    /// empty unless [`NEEDS_INPUTS`](Activation::NEEDS_INPUTS)) and the outputs `a = f(z)`.
    /// The slices hold columns of `rows` values.
    fn backward<T: Float>(&self, inputs: &[T], outputs: &[T], delta: &mut [T], rows: usize);
}

/// Applies `activation` in place to every column of a batch.
#[inline]
pub fn activate<A: Activation, T: Float, const N: usize>(
    activation: &A,
    values: &mut impl BatchMut<T, N>,
) {
    let values = values.as_mut_slice();
    simd::wide(
        values.len(),
        #[inline(always)]
        || activation.apply(values, N),
    );
}

/// Applies `activation` in place to every column of a batch while training: first copies the
/// pre-activations into `inputs` when the activation's derivative needs them (otherwise leaves
/// `inputs` alone, and it may have no capacity).
#[inline]
pub fn activate_keeping_inputs<A: Activation, T: Float, const N: usize>(
    activation: &A,
    values: &mut impl BatchMut<T, N>,
    inputs: &mut impl BatchMut<T, N>,
) {
    if A::NEEDS_INPUTS {
        inputs.set_columns(values.columns());
        inputs.as_mut_slice().copy_from_slice(values.as_slice());
    }
    activate(activation, values);
}

/// Applies `activation` in place to one sample.
#[inline]
pub fn activate_array<A: Activation, T: Float, const N: usize>(
    activation: &A,
    values: &mut [T; N],
) {
    // Compiled for the widest registers, with the length a constant, so that even the few
    // values of one sample run as whole vectors (the N2 network's single-sample forward pass:
    // 1 368 instructions before, 1 061 after, counted with callgrind).
    simd::widest(
        #[inline(always)]
        || activation.apply(values, N),
    );
}

/// Turns `delta = ∂L/∂a` into `∂L/∂z` in place, given the batch's pre-activations `z` (kept by
/// [`activate_keeping_inputs`]; read only when the activation needs them) and outputs `a`.
#[inline]
pub fn activation_backward<A: Activation, T: Float, const N: usize>(
    activation: &A,
    inputs: &impl Batch<T, N>,
    outputs: &impl Batch<T, N>,
    delta: &mut impl BatchMut<T, N>,
) {
    let delta = delta.as_mut_slice();
    let inputs: &[T] = if A::NEEDS_INPUTS {
        let inputs = inputs.as_slice();
        assert_eq!(
            inputs.len(),
            delta.len(),
            "pre-activations and deltas differ in length"
        );
        inputs
    } else {
        &[]
    };
    simd::wide(
        delta.len(),
        #[inline(always)]
        || activation.backward(inputs, outputs.as_slice(), delta, N),
    );
}

/// Applies `f` to each pair of output and delta, for activations that act elementwise.
#[inline(always)]
fn elementwise_backward<T: Float>(outputs: &[T], delta: &mut [T], derivative: impl Fn(T) -> T) {
    assert_eq!(
        outputs.len(),
        delta.len(),
        "outputs and deltas differ in length"
    );
    for (d, &a) in delta.iter_mut().zip(outputs) {
        *d *= derivative(a);
    }
}

/// Multiplies each delta by `derivative(z)` of its pre-activation `z`, for elementwise
/// activations whose derivative needs `z`.
#[inline(always)]
fn input_backward<T: Float>(inputs: &[T], delta: &mut [T], derivative: impl Fn(T) -> T) {
    assert_eq!(
        inputs.len(),
        delta.len(),
        "pre-activations and deltas differ in length"
    );
    for (d, &z) in delta.iter_mut().zip(inputs) {
        *d *= derivative(z);
    }
}
