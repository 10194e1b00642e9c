//! The hard hyperbolic tangent.

use super::{Activation, elementwise_backward};
use crate::Float;

/// The hard hyperbolic tangent `f(z) = clamp(z, −1, 1)`: PyTorch's `torch.nn.Hardtanh()` with
/// its defaults `min_val = −1` and `max_val = 1` (Collobert, 2004, "Large scale machine learning",
/// PhD thesis).
///
/// The derivative is 1 where `−1 < a < 1` and 0 elsewhere, at ±1 included, as in PyTorch. NaN
/// stays NaN, as with PyTorch's clamp.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct HardTanh;

impl Activation for HardTanh {
    const NAME: &'static str = "HardTanh";

    #[inline(always)]
    fn apply<T: Float>(&self, values: &mut [T], _rows: usize) {
        // Two selects on comparisons rather than `max` and `min`, which would turn NaN into −1.
        for v in values {
            let z = *v;
            let low = if z < -T::one() { -T::one() } else { z };
            *v = if z > T::one() { T::one() } else { low };
        }
    }

    #[inline(always)]
    fn backward<T: Float>(&self, _inputs: &[T], outputs: &[T], delta: &mut [T], _rows: usize) {
        elementwise_backward(outputs, delta, |a| {
            if a > -T::one() && a < T::one() {
                T::one()
            } else {
                T::zero()
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::reference_values::HARD_TANH;
    use super::super::testing::{check_derivatives, check_odd_lengths, check_reference, points};
    use super::*;

    #[test]
    fn hard_tanh_derivative_matches_finite_differences() {
        // Away from the kinks at ±1: by 1e-4 with h = 1e-6, by 2h with h = 1e-2.
        let kinks = [-1.0, 1.0];
        check_derivatives::<_, f64>(&HardTanh, &points(), 1e-6, 1e-6, &kinks, 1e-4);
        check_derivatives::<_, f32>(&HardTanh, &points(), 1e-2, 1e-3, &kinks, 2e-2);
    }

    #[test]
    fn hard_tanh_matches_pytorch() {
        // Exact: a clamp and 0 or 1.
        check_reference::<_, f64>(&HardTanh, &HARD_TANH, 0.0, 0.0, |_| [0.0; 2]);
        check_reference::<_, f32>(&HardTanh, &HARD_TANH, 2e-6, 1e-7, |_| [1.0; 2]);
    }

    #[test]
    fn hard_tanh_handles_lengths_off_the_vector_width() {
        check_odd_lengths::<_, f64>(&HardTanh);
        check_odd_lengths::<_, f32>(&HardTanh);
    }

    #[test]
    fn hard_tanh_keeps_nan_and_has_no_gradient_at_the_bounds() {
        let mut v = [f32::NAN, -2.0, -1.0, 0.5, 1.0, f32::INFINITY];
        HardTanh.apply(&mut v, 6);
        assert!(v[0].is_nan());
        assert_eq!(v[1..], [-1.0, -1.0, 0.5, 1.0, 1.0]);
        let mut d = [1.0f32; 6];
        HardTanh.backward(&[], &v, &mut d, 6);
        assert_eq!(d[1..], [0.0, 0.0, 1.0, 0.0, 0.0]);
    }
}
