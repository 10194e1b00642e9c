//! The exponential linear unit.

use super::{Activation, elementwise_backward};
use crate::Float;

/// The exponential linear unit `f(z) = z` for `z > 0`, `α·(eᶻ − 1)` otherwise: PyTorch's
/// `torch.nn.ELU` (Clevert et al., 2015, "Fast and accurate deep network learning by exponential
/// linear units (ELUs)"), with the same default `α = 1`.
///
/// `eᶻ − 1` is computed as `expm1`, accurate for small `|z|`. The derivative comes from the
/// output alone: 1 where `a > 0`, else `a + α` (which is `α·eᶻ`); telling the two sides apart by
/// the sign of `a` needs `α > 0`, which the macro checks. Where `a` is close to `−α` (large
/// negative `z`), `a + α` cancels: it is then accurate to a rounding error of `α` rather than of
/// itself, where PyTorch computes `α·eᶻ` from `z`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Elu {
    /// The scale `α` of the negative part, which tends to `−α`.
    pub alpha: f64,
}

impl Elu {
    /// The `α` used when a description writes plain `Elu`, as in PyTorch.
    pub const DEFAULT_ALPHA: f64 = 1.0;
}

impl Default for Elu {
    fn default() -> Self {
        Self {
            alpha: Self::DEFAULT_ALPHA,
        }
    }
}

impl Activation for Elu {
    const NAME: &'static str = "Elu";

    #[inline(always)]
    fn apply<T: Float>(&self, values: &mut [T], _rows: usize) {
        let alpha = T::of_f64(self.alpha);
        // Both sides for every value and a select, which vectorizes (as in `LeakyRelu`); the
        // exponential of a large positive `z` may overflow, but is not chosen.
        for v in values {
            let negative = alpha * v.activation_expm1();
            *v = if *v > T::zero() { *v } else { negative };
        }
    }

    #[inline(always)]
    fn backward<T: Float>(&self, _inputs: &[T], outputs: &[T], delta: &mut [T], _rows: usize) {
        let alpha = T::of_f64(self.alpha);
        elementwise_backward(outputs, delta, |a| {
            if a > T::zero() { T::one() } else { a + alpha }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::reference_values::ELU;
    use super::super::testing::{check_derivatives, check_odd_lengths, check_reference, points};
    use super::*;

    #[test]
    fn elu_derivative_matches_finite_differences() {
        // Away from the kink at 0: by 1e-4 with h = 1e-6, by 2h with h = 1e-2.
        for alpha in [Elu::DEFAULT_ALPHA, 0.5, 1.7] {
            let elu = Elu { alpha };
            check_derivatives::<_, f64>(&elu, &points(), 1e-6, 1e-6, &[0.0], 1e-4);
            check_derivatives::<_, f32>(&elu, &points(), 1e-2, 1e-3, &[0.0], 2e-2);
        }
    }

    #[test]
    fn elu_matches_pytorch() {
        // The derivative a + α cancels where a ≈ −α: its error is then one of α's size (1).
        let scale = |_| [0.0, 1.0];
        check_reference::<_, f64>(&Elu::default(), &ELU, 1e-15, 1e-16, scale);
        check_reference::<_, f32>(&Elu::default(), &ELU, 2e-6, 1e-7, |_| [1.0; 2]);
    }

    #[test]
    fn elu_handles_lengths_off_the_vector_width() {
        check_odd_lengths::<_, f64>(&Elu::default());
        check_odd_lengths::<_, f32>(&Elu { alpha: 0.5 });
    }

    #[test]
    fn elu_keeps_nan_and_tends_to_minus_alpha() {
        let mut v = [f64::NAN, f64::NEG_INFINITY, -800.0, f64::INFINITY];
        Elu { alpha: 2.0 }.apply(&mut v, 4);
        assert!(v[0].is_nan());
        assert_eq!(v[1..], [-2.0, -2.0, f64::INFINITY]);
        let mut v = [f32::NAN, f32::NEG_INFINITY, -800.0, f32::INFINITY];
        Elu { alpha: 2.0 }.apply(&mut v, 4);
        assert!(v[0].is_nan());
        assert_eq!(v[1..], [-2.0, -2.0, f32::INFINITY]);
    }
}
