//! The Huber loss.

use super::{Loss, residual_gradient, residual_mean};
use crate::learning::error::require;
use crate::{Activation, Batch, BatchMut, Float, HyperparameterError};

/// `L = mean over all outputs and samples of h(a − y)`, with `h(r) = r²/2` where `|r| < δ` and
/// `δ·(|r| − δ/2)` elsewhere: quadratic near the target and linear far from it, so that an outlier
/// pulls with a force of at most `δ`. As PyTorch's `HuberLoss` with mean reduction (`δ` is 1 by
/// default).
///
/// Fits any output activation: its derivative is applied after
/// `∂L/∂a = clamp(a − y, −δ, δ)/(N·n)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Huber {
    delta: f64,
}

impl Huber {
    /// The Huber loss with threshold `delta`, which must be finite and greater than 0 (PyTorch
    /// refuses 0 and below too).
    pub fn new(delta: f64) -> Result<Self, HyperparameterError> {
        require("delta", delta, "a finite number > 0", |v| {
            v > 0.0 && v.is_finite()
        })?;
        Ok(Self { delta })
    }

    /// The threshold `δ` between the quadratic and the linear part.
    pub fn delta(&self) -> f64 {
        self.delta
    }
}

impl Default for Huber {
    /// `δ = 1`, PyTorch's default.
    fn default() -> Self {
        Self { delta: 1.0 }
    }
}

impl<A: Activation> Loss<A> for Huber {
    const NAME: &'static str = "Huber loss";
    const CLASSIFICATION: bool = false;

    fn loss<T: Float, const N: usize>(
        &self,
        output: &impl Batch<T, N>,
        target: &impl Batch<T, N>,
    ) -> T {
        let (delta, half) = (T::of_f64(self.delta), T::of_f64(0.5));
        residual_mean(
            output,
            target,
            #[inline(always)]
            |r| {
                let z = r.abs();
                if z < delta {
                    half * z * z
                } else {
                    delta * (z - half * delta)
                }
            },
        )
    }

    fn loss_and_gradient<T: Float, const N: usize>(
        &self,
        activation: &A,
        inputs: &impl Batch<T, N>,
        output: &impl Batch<T, N>,
        target: &impl Batch<T, N>,
        gradient: &mut impl BatchMut<T, N>,
    ) -> T {
        let loss = <Self as Loss<A>>::loss(self, output, target);
        let delta = T::of_f64(self.delta);
        let scale = T::of_f64(1.0 / (N * output.columns()) as f64);
        residual_gradient(
            gradient,
            output,
            target,
            #[inline(always)]
            |r| {
                // PyTorch's branches: a NaN residual stays NaN.
                if r <= -delta {
                    -(scale * delta)
                } else if r >= delta {
                    scale * delta
                } else {
                    scale * r
                }
            },
        );
        crate::activation_backward(activation, inputs, output, gradient);
        loss
    }
}

#[cfg(all(test, feature = "train"))]
mod tests {
    use super::*;
    use crate::BatchMatrix;
    use crate::Identity;
    use nalgebra::SVector;

    #[test]
    fn matches_a_value_worked_out_by_hand() {
        // Residuals −3, 0.5, 2 and 0 against δ = 2: linear, quadratic, at δ, zero.
        let output =
            BatchMatrix::from_columns(&[SVector::from([-1.0f64, 1.5]), SVector::from([2.0, 4.0])]);
        let target =
            BatchMatrix::from_columns(&[SVector::from([2.0f64, 1.0]), SVector::from([0.0, 4.0])]);
        let huber = Huber::new(2.0).unwrap();
        let mut gradient = BatchMatrix::zeros(2);
        let loss = huber.loss_and_gradient(&Identity, &output, &output, &target, &mut gradient);
        // 2·(3 − 1) + 0.125 + 2·(2 − 1) + 0, over 4.
        assert_eq!(loss, (4.0 + 0.125 + 2.0) / 4.0);
        assert_eq!(gradient.as_slice(), &[-0.5, 0.125, 0.5, 0.0]);
    }

    #[test]
    fn delta_must_be_finite_and_positive() {
        assert_eq!(Huber::default().delta(), 1.0);
        assert_eq!(Huber::new(0.25).unwrap().delta(), 0.25);
        for delta in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let error = Huber::new(delta).unwrap_err();
            assert_eq!(error.name, "delta");
            assert_eq!(error.expected, "a finite number > 0");
        }
    }
}
