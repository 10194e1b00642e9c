//! L1 and L2 penalties on weights (never biases), added to both the loss and the gradient.

use crate::learning::error::require;
use crate::{Float, HyperparameterError, TensorKind};

/// Weight penalties: `λ₁·Σ|w| + λ₂·Σw²` is added to the loss, and `λ₁·sign(w) + 2λ₂·w` to each
/// weight's gradient, as Keras's `l1`/`l2` regularizers do. Biases are never penalized.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Penalty {
    /// The L1 strength λ₁ (drives irrelevant weights to zero).
    pub l1: f64,
    /// The L2 strength λ₂ (shrinks every weight).
    pub l2: f64,
}

impl Penalty {
    /// Whether any penalty is switched on.
    pub fn is_active(&self) -> bool {
        self.l1 != 0.0 || self.l2 != 0.0
    }

    /// Checks both strengths are finite and non-negative.
    pub fn validate(&self) -> Result<(), HyperparameterError> {
        let expected = "a finite number >= 0";
        require("l1", self.l1, expected, |v| v >= 0.0 && v.is_finite())?;
        require("l2", self.l2, expected, |v| v >= 0.0 && v.is_finite())
    }

    /// Adds the penalty's gradient to `gradients` for a weight tensor and returns the penalty's
    /// value over it; does nothing and returns 0 for a bias.
    #[inline]
    pub fn apply<T: Float>(&self, kind: TensorKind, weights: &[T], gradients: &mut [T]) -> f64 {
        if kind != TensorKind::Weight || !self.is_active() {
            return 0.0;
        }
        let (l1, l2) = (T::of_f64(self.l1), T::of_f64(self.l2));
        let two_l2 = l2 + l2;
        // Summed in `f64`, so that the value hardly depends on the order of the sum: a fused
        // update sums a tensor by blocks (see `fused_step`).
        let (mut abs_sum, mut square_sum) = (0.0f64, 0.0f64);
        for (g, &w) in gradients.iter_mut().zip(weights) {
            let sign = if w > T::zero() {
                T::one()
            } else if w < T::zero() {
                -T::one()
            } else {
                T::zero()
            };
            *g += l1 * sign + two_l2 * w;
            let w = w.as_f64();
            abs_sum += w.abs();
            square_sum += w * w;
        }
        self.l1 * abs_sum + self.l2 * square_sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_get_both_terms_and_biases_none() {
        let penalty = Penalty { l1: 0.1, l2: 0.5 };
        let weights = [2.0f64, -1.0, 0.0];
        let mut gradients = [0.0; 3];
        let value = penalty.apply(TensorKind::Weight, &weights, &mut gradients);
        // 0.1·(2 + 1 + 0) + 0.5·(4 + 1 + 0) = 2.8
        assert!((value - 2.8).abs() < 1e-12);
        // 0.1·sign(w) + 2·0.5·w
        assert_eq!(gradients, [2.1, -1.1, 0.0]);
        let mut bias_gradients = [0.0; 3];
        assert_eq!(
            penalty.apply(TensorKind::Bias, &weights, &mut bias_gradients),
            0.0
        );
        assert_eq!(bias_gradients, [0.0; 3]);
    }

    #[test]
    fn negative_strengths_are_rejected_by_name() {
        let error = Penalty { l1: 0.0, l2: -1.0 }.validate().unwrap_err();
        assert_eq!(error.name, "l2");
    }
}
