//! The softplus function.

use super::{Activation, elementwise_backward};
use crate::Float;

/// Above this `z` (PyTorch's default `threshold`), softplus is `z` itself.
const THRESHOLD: f64 = 20.0;

/// The softplus function `f(z) = ln(1 + eᶻ)`, and `z` itself for `z > 20`: PyTorch's
/// `torch.nn.Softplus()` with its defaults `beta = 1` and `threshold = 20` (Dugas et al., 2001,
/// "Incorporating second-order functional knowledge for better option pricing").
///
/// Computed as `max(z, 0) + log1p(e^−|z|)`, which neither overflows nor loses the small values
/// of large negative `z` (in `f32`, values below about `e⁻⁸⁷`, which are subnormal, become 0).
/// The derivative `σ(z)` comes from the output alone: 1 where `a > 20`, `1 − e^−a` otherwise,
/// computed as `−expm1(−a)` so that it stays accurate for small `a`. Since `ln(1 + e²⁰)` is just
/// above 20, that is 1 rather than PyTorch's `σ(20) = 1 − 2.1e-9` for `z` in
/// `(20 − 2.1e-9, 20]`, the one place where it departs from PyTorch by more than rounding.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Softplus;

impl Activation for Softplus {
    const NAME: &'static str = "Softplus";

    #[inline(always)]
    fn apply<T: Float>(&self, values: &mut [T], _rows: usize) {
        let threshold = T::of_f64(THRESHOLD);
        for v in values {
            let z = *v;
            let smooth = z.max(T::zero()) + (-z.abs()).activation_exp().activation_log1p();
            *v = if z > threshold { z } else { smooth };
        }
    }

    #[inline(always)]
    fn backward<T: Float>(&self, _inputs: &[T], outputs: &[T], delta: &mut [T], _rows: usize) {
        let threshold = T::of_f64(THRESHOLD);
        elementwise_backward(outputs, delta, |a| {
            let sigmoid = -(-a).activation_expm1();
            if a > threshold { T::one() } else { sigmoid }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::reference_values::SOFTPLUS;
    use super::super::testing::{check_derivatives, check_odd_lengths, check_reference, points};
    use super::*;

    #[test]
    fn softplus_derivative_matches_finite_differences() {
        // Also past the threshold, where the function is z itself.
        let mut points = points();
        points.extend([19.5, 21.0, 25.0]);
        check_derivatives::<_, f64>(&Softplus, &points, 1e-6, 1e-6, &[], 0.0);
        check_derivatives::<_, f32>(&Softplus, &points, 1e-2, 1e-3, &[], 0.0);
    }

    #[test]
    fn softplus_matches_pytorch() {
        check_reference::<_, f64>(&Softplus, &SOFTPLUS, 1e-15, 0.0, |_| [0.0; 2]);
        check_reference::<_, f32>(&Softplus, &SOFTPLUS, 2e-6, 1e-7, |_| [1.0; 2]);
    }

    #[test]
    fn softplus_handles_lengths_off_the_vector_width() {
        check_odd_lengths::<_, f64>(&Softplus);
        check_odd_lengths::<_, f32>(&Softplus);
    }

    #[test]
    fn softplus_never_overflows_and_keeps_nan() {
        let mut v = [f64::NAN, f64::NEG_INFINITY, -800.0, 800.0, f64::INFINITY];
        Softplus.apply(&mut v, 5);
        assert!(v[0].is_nan());
        assert_eq!(v[1..], [0.0, 0.0, 800.0, f64::INFINITY]);
        let mut v = [f32::NAN, f32::NEG_INFINITY, -800.0, 800.0, f32::INFINITY];
        Softplus.apply(&mut v, 5);
        assert!(v[0].is_nan());
        assert_eq!(v[1..], [0.0, 0.0, 800.0, f32::INFINITY]);
    }
}
