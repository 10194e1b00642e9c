//! Mean squared error.

use super::{Loss, check_batch, scaled_difference};
use crate::{Activation, Batch, BatchMut, Float};

/// `L = mean over all outputs and samples of (a − y)²`, as PyTorch's `MSELoss` with mean
/// reduction. Fits any output activation: its derivative is applied after `∂L/∂a = 2(a − y)/(N·n)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MeanSquaredError;

impl<A: Activation> Loss<A> for MeanSquaredError {
    const NAME: &'static str = "mean squared error";
    const CLASSIFICATION: bool = false;

    fn loss<T: Float, const N: usize>(
        &self,
        output: &impl Batch<T, N>,
        target: &impl Batch<T, N>,
    ) -> T {
        check_batch(output, target);
        let sum = output
            .as_slice()
            .iter()
            .zip(target.as_slice())
            .fold(T::zero(), |acc, (&a, &y)| acc + (a - y) * (a - y));
        sum / T::of_f64((N * output.columns()) as f64)
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
        let scale = T::of_f64(2.0 / (N * output.columns()) as f64);
        scaled_difference(gradient, output, target, scale);
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
        let output =
            BatchMatrix::from_columns(&[SVector::from([1.0f64, 2.0]), SVector::from([0.0, 0.0])]);
        let target =
            BatchMatrix::from_columns(&[SVector::from([0.0f64, 2.0]), SVector::from([1.0, -1.0])]);
        let mut gradient = BatchMatrix::zeros(2);
        let loss =
            MeanSquaredError.loss_and_gradient(&Identity, &output, &output, &target, &mut gradient);
        assert_eq!(loss, 3.0 / 4.0);
        assert_eq!(gradient.as_slice(), &[0.5, 0.0, -0.5, 0.5]);
    }
}
