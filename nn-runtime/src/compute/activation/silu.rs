//! The sigmoid-weighted linear unit.

use super::{Activation, input_backward};
use crate::Float;

/// `σ(x)` and `1 − σ(x) = σ(−x)`, both to full relative accuracy and without overflow: with
/// `e = e^−|x|`, they are `1 / (1 + e)` and `e / (1 + e)`, in the order the sign of `x` says.
/// One exponential, and selects that vectorize.
#[inline(always)]
pub(super) fn logistic_pair<T: Float>(x: T) -> (T, T) {
    let e = (-x.abs()).activation_exp();
    let large = T::one() / (T::one() + e);
    let small = e * large;
    if x >= T::zero() {
        (large, small)
    } else {
        (small, large)
    }
}

/// The sigmoid-weighted linear unit `f(z) = z·σ(z)`, PyTorch's `torch.nn.SiLU` (Elfwing et al.,
/// 2018, "Sigmoid-weighted linear units for neural network function approximation in
/// reinforcement learning"; Ramachandran et al., 2017, "Searching for activation functions",
/// as Swish with `β = 1`).
///
/// Its derivative `σ(z)·(1 + z·(1 − σ(z)))` needs `z`, which layers keep while training.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Silu;

impl Activation for Silu {
    const NAME: &'static str = "Silu";
    const NEEDS_INPUTS: bool = true;

    #[inline(always)]
    fn apply<T: Float>(&self, values: &mut [T], _rows: usize) {
        for v in values {
            *v *= logistic_pair(*v).0;
        }
    }

    #[inline(always)]
    fn backward<T: Float>(&self, inputs: &[T], _outputs: &[T], delta: &mut [T], _rows: usize) {
        input_backward(inputs, delta, |z| {
            let (s, one_minus_s) = logistic_pair(z);
            s * (T::one() + z * one_minus_s)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::reference_values::SILU;
    use super::super::testing::{check_derivatives, check_odd_lengths, check_reference, points};
    use super::*;

    #[test]
    fn silu_derivative_matches_finite_differences() {
        check_derivatives::<_, f64>(&Silu, &points(), 1e-6, 1e-6, &[], 0.0);
        check_derivatives::<_, f32>(&Silu, &points(), 1e-2, 1e-3, &[], 0.0);
    }

    #[test]
    fn silu_matches_pytorch() {
        // PyTorch computes the derivative as σ(z)·(1 + z·(1 − σ(z))), where 1 − σ(z) cancels
        // for large z: its rounding error is then of the size of z·ε (6 ulp at z = 25), while
        // ours, with σ(−z) for 1 − σ(z), is not.
        check_reference::<_, f64>(&Silu, &SILU, 1e-15, 1e-15, |z: f64| [0.0, z.abs()]);
        check_reference::<_, f32>(&Silu, &SILU, 2e-6, 1e-7, |_| [1.0; 2]);
    }

    #[test]
    fn silu_handles_lengths_off_the_vector_width() {
        check_odd_lengths::<_, f64>(&Silu);
        check_odd_lengths::<_, f32>(&Silu);
    }

    #[test]
    fn logistic_pair_sums_to_one_and_never_overflows() {
        for x in [-800.0f64, -30.0, -1.0, 0.0, 1e-9, 2.0, 30.0, 800.0] {
            let (s, c) = logistic_pair(x);
            assert!((s + c - 1.0).abs() <= f64::EPSILON, "x = {x}");
            assert_eq!(logistic_pair(-x), (c, s), "x = {x}");
        }
        // σ(−30) = e⁻³⁰ / (1 + e⁻³⁰), to 1 ulp.
        let tiny = logistic_pair(-30.0f64).0;
        assert!((tiny / 9.357_622_968_839_299e-14 - 1.0).abs() <= f64::EPSILON);
    }
}
