//! The smooth L1 loss.

use super::{Loss, residual_gradient, residual_mean};
use crate::learning::error::require;
use crate::{Activation, Batch, BatchMut, Float, HyperparameterError};

/// `L = mean over all outputs and samples of s(a − y)`, with `s(r) = r²/(2β)` where `|r| < β` and
/// `|r| − β/2` elsewhere, as PyTorch's `SmoothL1Loss` with mean reduction (`β` is 1 by default).
///
/// For `β > 0` this is the [`Huber`](super::Huber) loss with `δ = β`, divided by `β`: its slope
/// far from the target is 1 whatever `β`. At `β = 0` it is the mean absolute error (L1), whose
/// gradient at a zero residual is 0, as PyTorch's.
///
/// Fits any output activation: its derivative is applied after
/// `∂L/∂a = clamp((a − y)/β, −1, 1)/(N·n)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SmoothL1 {
    beta: f64,
}

impl SmoothL1 {
    /// The smooth L1 loss with threshold `beta`, which must be finite and at least 0 (PyTorch
    /// refuses a negative one too).
    pub fn new(beta: f64) -> Result<Self, HyperparameterError> {
        require("beta", beta, "a finite number >= 0", |v| {
            v >= 0.0 && v.is_finite()
        })?;
        Ok(Self { beta })
    }

    /// The threshold `β` between the quadratic and the linear part.
    pub fn beta(&self) -> f64 {
        self.beta
    }
}

impl Default for SmoothL1 {
    /// `β = 1`, PyTorch's default.
    fn default() -> Self {
        Self { beta: 1.0 }
    }
}

impl<A: Activation> Loss<A> for SmoothL1 {
    const NAME: &'static str = "smooth L1 loss";
    const CLASSIFICATION: bool = false;

    fn loss<T: Float, const N: usize>(
        &self,
        output: &impl Batch<T, N>,
        target: &impl Batch<T, N>,
    ) -> T {
        let (beta, half) = (T::of_f64(self.beta), T::of_f64(0.5));
        if self.beta == 0.0 {
            return residual_mean(output, target, |r: T| r.abs());
        }
        residual_mean(
            output,
            target,
            #[inline(always)]
            |r| {
                let z = r.abs();
                if z < beta {
                    half * z * z / beta
                } else {
                    z - half * beta
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
        let beta = T::of_f64(self.beta);
        let scale = T::of_f64(1.0 / (N * output.columns()) as f64);
        if self.beta == 0.0 {
            // L1's sign: 0 for a zero residual, NaN stays NaN.
            residual_gradient(gradient, output, target, |r: T| {
                if r > T::zero() {
                    scale
                } else if r < T::zero() {
                    -scale
                } else {
                    scale * r
                }
            });
        } else {
            residual_gradient(
                gradient,
                output,
                target,
                #[inline(always)]
                |r| {
                    // PyTorch's branches: a NaN residual stays NaN.
                    if r <= -beta {
                        -scale
                    } else if r >= beta {
                        scale
                    } else {
                        scale * r / beta
                    }
                },
            );
        }
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

    fn batch(columns: [[f64; 2]; 2]) -> BatchMatrix<f64, 2> {
        BatchMatrix::from_columns(&columns.map(SVector::from))
    }

    #[test]
    fn matches_a_value_worked_out_by_hand() {
        // Residuals −3, 0.5, 2 and 0 against β = 2: linear, quadratic, at β, zero.
        let output = batch([[-1.0, 1.5], [2.0, 4.0]]);
        let target = batch([[2.0, 1.0], [0.0, 4.0]]);
        let smooth = SmoothL1::new(2.0).unwrap();
        let mut gradient = BatchMatrix::zeros(2);
        let loss = smooth.loss_and_gradient(&Identity, &output, &output, &target, &mut gradient);
        // (3 − 1) + 0.0625 + (2 − 1) + 0, over 4: Huber's over β.
        assert_eq!(loss, (2.0 + 0.0625 + 1.0) / 4.0);
        assert_eq!(gradient.as_slice(), &[-0.25, 0.0625, 0.25, 0.0]);
    }

    #[test]
    fn beta_zero_is_the_mean_absolute_error() {
        let output = batch([[-1.0, 1.5], [2.0, 4.0]]);
        let target = batch([[2.0, 1.0], [0.0, 4.0]]);
        let l1 = SmoothL1::new(0.0).unwrap();
        let mut gradient = BatchMatrix::zeros(2);
        let loss = l1.loss_and_gradient(&Identity, &output, &output, &target, &mut gradient);
        assert_eq!(loss, (3.0 + 0.5 + 2.0) / 4.0);
        assert_eq!(gradient.as_slice(), &[-0.25, 0.25, 0.25, 0.0]);
    }

    #[test]
    fn beta_must_be_finite_and_not_negative() {
        assert_eq!(SmoothL1::default().beta(), 1.0);
        assert_eq!(SmoothL1::new(0.0).unwrap().beta(), 0.0);
        for beta in [-0.5, f64::NAN, f64::INFINITY] {
            let error = SmoothL1::new(beta).unwrap_err();
            assert_eq!(error.name, "beta");
            assert_eq!(error.expected, "a finite number >= 0");
        }
    }
}
