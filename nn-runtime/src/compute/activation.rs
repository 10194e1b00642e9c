//! Activation functions and their derivatives, applied in place to column-major batches.
//!
//! Derivatives are computed from the activation's *output* `a = f(z)`, which the forward pass
//! keeps anyway, so no layer stores its pre-activation.

use core::fmt::Debug;

use crate::compute::simd;
use crate::{Batch, BatchMut, Float};

/// An activation function applied after a dense layer.
///
/// [`activate`] and the other entry points run the methods inside a build for the widest
/// registers the CPU has (`simd::wide`); implementations are `#[inline(always)]` so that their
/// loops are compiled into that build rather than called from it.
pub trait Activation: Copy + Debug + Send + Sync + 'static {
    /// The name used in a network description (`"Relu"`).
    const NAME: &'static str;

    /// Replaces each pre-activation `z` by `f(z)`. `values` holds columns of `rows` values.
    fn apply<T: Float>(&self, values: &mut [T], rows: usize);

    /// Turns `delta = ∂L/∂a` into `∂L/∂z` in place, given the outputs `a = f(z)`.
    /// Both slices hold columns of `rows` values.
    fn backward<T: Float>(&self, outputs: &[T], delta: &mut [T], rows: usize);
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

/// Turns `delta = ∂L/∂a` into `∂L/∂z` in place, given the batch's outputs `a`.
#[inline]
pub fn activation_backward<A: Activation, T: Float, const N: usize>(
    activation: &A,
    outputs: &impl Batch<T, N>,
    delta: &mut impl BatchMut<T, N>,
) {
    let delta = delta.as_mut_slice();
    simd::wide(
        delta.len(),
        #[inline(always)]
        || activation.backward(outputs.as_slice(), delta, N),
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

/// `f(z) = z`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Identity;

impl Activation for Identity {
    const NAME: &'static str = "Identity";

    #[inline(always)]
    fn apply<T: Float>(&self, _values: &mut [T], _rows: usize) {}

    #[inline(always)]
    fn backward<T: Float>(&self, outputs: &[T], delta: &mut [T], _rows: usize) {
        assert_eq!(
            outputs.len(),
            delta.len(),
            "outputs and deltas differ in length"
        );
    }
}

/// The logistic function `f(z) = 1 / (1 + e^-z)`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sigmoid;

/// A logistic function that never overflows: `e^z / (1 + e^z)` for negative `z`.
#[inline(always)]
pub fn sigmoid<T: Float>(z: T) -> T {
    if z >= T::zero() {
        T::one() / (T::one() + (-z).activation_exp())
    } else {
        let e = z.activation_exp();
        e / (T::one() + e)
    }
}

impl Activation for Sigmoid {
    const NAME: &'static str = "Sigmoid";

    #[inline(always)]
    fn apply<T: Float>(&self, values: &mut [T], _rows: usize) {
        for v in values {
            *v = sigmoid(*v);
        }
    }

    #[inline(always)]
    fn backward<T: Float>(&self, outputs: &[T], delta: &mut [T], _rows: usize) {
        elementwise_backward(outputs, delta, |a| a * (T::one() - a));
    }
}

/// The hyperbolic tangent.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Tanh;

impl Activation for Tanh {
    const NAME: &'static str = "Tanh";

    #[inline(always)]
    fn apply<T: Float>(&self, values: &mut [T], _rows: usize) {
        for v in values {
            *v = v.activation_tanh();
        }
    }

    #[inline(always)]
    fn backward<T: Float>(&self, outputs: &[T], delta: &mut [T], _rows: usize) {
        elementwise_backward(outputs, delta, |a| T::one() - a * a);
    }
}

/// The rectifier `f(z) = max(z, 0)`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Relu;

impl Activation for Relu {
    const NAME: &'static str = "Relu";

    #[inline(always)]
    fn apply<T: Float>(&self, values: &mut [T], _rows: usize) {
        // `max` rather than "set to zero where negative": every value is stored, so the loop
        // does not become masked stores, which some CPUs run an order of magnitude slower.
        // NaN becomes 0 either way.
        for v in values {
            *v = v.max(T::zero());
        }
    }

    #[inline(always)]
    fn backward<T: Float>(&self, outputs: &[T], delta: &mut [T], _rows: usize) {
        elementwise_backward(outputs, delta, |a| {
            if a > T::zero() { T::one() } else { T::zero() }
        });
    }
}

/// The leaky rectifier `f(z) = z` for `z > 0`, `slope·z` otherwise (Maas et al., 2013).
///
/// The slope is non-negative (the macro checks it), so the sign of the output tells the branch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LeakyRelu {
    /// The slope for negative inputs.
    pub slope: f64,
}

impl LeakyRelu {
    /// The slope used when a description writes plain `LeakyRelu`.
    pub const DEFAULT_SLOPE: f64 = 0.01;
}

impl Default for LeakyRelu {
    fn default() -> Self {
        Self {
            slope: Self::DEFAULT_SLOPE,
        }
    }
}

impl Activation for LeakyRelu {
    const NAME: &'static str = "LeakyRelu";

    #[inline(always)]
    fn apply<T: Float>(&self, values: &mut [T], _rows: usize) {
        let slope = T::of_f64(self.slope);
        // A factor for every value rather than a conditional update, as in `Relu`.
        for v in values {
            *v *= if *v > T::zero() { T::one() } else { slope };
        }
    }

    #[inline(always)]
    fn backward<T: Float>(&self, outputs: &[T], delta: &mut [T], _rows: usize) {
        let slope = T::of_f64(self.slope);
        elementwise_backward(
            outputs,
            delta,
            |a| if a > T::zero() { T::one() } else { slope },
        );
    }
}

/// Folds `values` with `f` in 8 interleaved lanes, then the lanes pairwise and the leftover
/// values in order: short dependency chains, in a fixed order, so the result is deterministic
/// (and exact for `max`).
#[inline(always)]
fn reduce_by_lanes<T: Float>(values: &[T], init: T, f: impl Fn(T, T) -> T) -> T {
    let (chunks, rest) = values.as_chunks::<8>();
    let mut lanes = [init; 8];
    for chunk in chunks {
        for (lane, &v) in lanes.iter_mut().zip(chunk) {
            *lane = f(*lane, v);
        }
    }
    let l = lanes;
    let quads = [f(l[0], l[4]), f(l[1], l[5]), f(l[2], l[6]), f(l[3], l[7])];
    let pairs = [f(quads[0], quads[2]), f(quads[1], quads[3])];
    rest.iter().fold(f(pairs[0], pairs[1]), |acc, &v| f(acc, v))
}

/// Scales `values` so that they sum to 1: the last step of a softmax.
#[inline(always)]
fn divide_by_sum<T: Float>(values: &mut [T]) {
    let inverse = T::one() / reduce_by_lanes(values, T::zero(), |sum, v| sum + v);
    values.iter_mut().for_each(|v| *v *= inverse);
}

/// The softmax over each column: `f(z)_i = e^{z_i} / Σ_j e^{z_j}`, computed after subtracting the
/// column's maximum so it never overflows.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Softmax;

impl Activation for Softmax {
    const NAME: &'static str = "Softmax";

    #[inline(always)]
    fn apply<T: Float>(&self, values: &mut [T], rows: usize) {
        if values.len() == rows {
            // One sample: no batch loop to gain from.
            let max = reduce_by_lanes(values, values[0], T::max);
            values
                .iter_mut()
                .for_each(|v| *v = (*v - max).activation_exp());
            divide_by_sum(values);
            return;
        }
        // In three passes, so that the exponentials run as one long loop over the batch.
        for column in values.chunks_exact_mut(rows) {
            let max = reduce_by_lanes(column, column[0], T::max);
            column.iter_mut().for_each(|v| *v -= max);
        }
        values.iter_mut().for_each(|v| *v = v.activation_exp());
        values.chunks_exact_mut(rows).for_each(divide_by_sum);
    }

    /// The Jacobian-vector product `∂L/∂z = a ⊙ (δ − (δ·a))`, column by column.
    #[inline(always)]
    fn backward<T: Float>(&self, outputs: &[T], delta: &mut [T], rows: usize) {
        assert_eq!(
            outputs.len(),
            delta.len(),
            "outputs and deltas differ in length"
        );
        for (d, a) in delta.chunks_exact_mut(rows).zip(outputs.chunks_exact(rows)) {
            let dot = d.iter().zip(a).fold(T::zero(), |acc, (&d, &a)| acc + d * a);
            for (d, &a) in d.iter_mut().zip(a) {
                *d = a * (*d - dot);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_columns_sum_to_one_and_survive_large_inputs() {
        let mut v = [1000.0f32, 1001.0, 0.0, 1.0];
        Softmax.apply(&mut v, 2);
        assert!((v[0] + v[1] - 1.0).abs() < 1e-6);
        assert!((v[1] - 0.731_058_6).abs() < 1e-6);
        assert!((v[3] - 0.731_058_6).abs() < 1e-6);
    }

    #[test]
    fn sigmoid_matches_reference_values_at_the_extremes() {
        assert_eq!(sigmoid(0.0f64), 0.5);
        assert!((sigmoid(-800.0f64)).abs() < 1e-300);
        assert_eq!(sigmoid(800.0f64), 1.0);
        assert!((sigmoid(2.0f64) - 0.880_797_077_977_882_3).abs() < 1e-15);
    }

    #[test]
    fn leaky_relu_scales_only_negative_inputs() {
        let mut v = [-2.0f64, 3.0];
        LeakyRelu { slope: 0.2 }.apply(&mut v, 2);
        assert_eq!(v, [-0.4, 3.0]);
        let mut d = [1.0, 1.0];
        LeakyRelu { slope: 0.2 }.backward(&v, &mut d, 2);
        assert_eq!(d, [0.2, 1.0]);
    }
}
