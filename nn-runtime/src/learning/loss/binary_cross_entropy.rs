//! Binary cross-entropy, fused with a sigmoid output.

use super::{FusedOutput, Loss, clamped_ln, negated_mean, scaled_difference};
use crate::{Batch, BatchMut, Float};

/// `L = −mean over all outputs and samples of [y·ln a + (1 − y)·ln(1 − a)]`, as PyTorch's
/// `BCELoss` with mean reduction (logarithms clamped at −100).
///
/// Fused with the sigmoid output, `∂L/∂z = (a − y)/(N·n)`, which never saturates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BinaryCrossEntropy;

impl BinaryCrossEntropy {
    /// The batch-mean loss of `output` (the network's activations) against `target`.
    pub fn loss<T: Float, const N: usize>(
        &self,
        output: &impl Batch<T, N>,
        target: &impl Batch<T, N>,
    ) -> T {
        negated_mean(
            output,
            target,
            N * output.columns(),
            #[inline(always)]
            |a, y, ln| {
                // A hard label needs one logarithm: the other term is 0 times a finite (clamped)
                // value, so the sum is the same to the bit.
                if y == T::one() {
                    clamped_ln(a, ln)
                } else if y == T::zero() {
                    clamped_ln(T::one() - a, ln)
                } else {
                    y * clamped_ln(a, ln) + (T::one() - y) * clamped_ln(T::one() - a, ln)
                }
            },
        )
    }
}

impl<A: FusedOutput<BinaryCrossEntropy>> Loss<A> for BinaryCrossEntropy {
    const NAME: &'static str = "binary cross-entropy";
    const CLASSIFICATION: bool = true;

    fn loss<T: Float, const N: usize>(
        &self,
        output: &impl Batch<T, N>,
        target: &impl Batch<T, N>,
    ) -> T {
        BinaryCrossEntropy::loss(self, output, target)
    }

    fn loss_and_gradient<T: Float, const N: usize>(
        &self,
        _activation: &A,
        _inputs: &impl Batch<T, N>,
        output: &impl Batch<T, N>,
        target: &impl Batch<T, N>,
        gradient: &mut impl BatchMut<T, N>,
    ) -> T {
        let loss = BinaryCrossEntropy::loss(self, output, target);
        let scale = T::of_f64(1.0 / (N * output.columns()) as f64);
        scaled_difference(gradient, output, target, scale);
        loss
    }
}

#[cfg(all(test, feature = "train"))]
mod tests {
    use super::*;
    use crate::BatchMatrix;
    use crate::Sigmoid;
    use nalgebra::SVector;

    #[test]
    fn matches_a_value_worked_out_by_hand() {
        let output = BatchMatrix::from_columns(&[SVector::from([0.8f64]), SVector::from([0.4])]);
        let target = BatchMatrix::from_columns(&[SVector::from([1.0f64]), SVector::from([0.0])]);
        let mut gradient = BatchMatrix::zeros(2);
        let loss = BinaryCrossEntropy.loss_and_gradient(
            &Sigmoid,
            &output,
            &output,
            &target,
            &mut gradient,
        );
        let expected = -(0.8f64.ln() + 0.6f64.ln()) / 2.0;
        assert!((loss - expected).abs() < 1e-15);
        assert!((gradient.as_slice()[0] - -0.1).abs() < 1e-15);
        assert!((gradient.as_slice()[1] - 0.2).abs() < 1e-15);
    }

    #[test]
    fn a_saturated_wrong_prediction_gives_a_large_finite_loss() {
        let output = BatchMatrix::from_columns(&[SVector::from([0.0f32])]);
        let target = BatchMatrix::from_columns(&[SVector::from([1.0f32])]);
        assert_eq!(BinaryCrossEntropy.loss(&output, &target), 100.0);
    }

    #[test]
    fn soft_labels_take_both_terms_and_hard_ones_agree_with_them() {
        // Nine values: a whole vector of eight and one more, both paths of the sum.
        let outputs = [0.9f32, 0.2, 0.7, 0.5, 0.01, 0.99, 0.3, 0.6, 0.45];
        let targets = [1.0f32, 0.0, 0.25, 0.5, 0.0, 1.0, 0.9, 0.6, 1.0];
        let output = BatchMatrix::<f32, 9>::from_columns(&[SVector::from(outputs)]);
        let target = BatchMatrix::<f32, 9>::from_columns(&[SVector::from(targets)]);
        let expected: f64 = outputs
            .iter()
            .zip(&targets)
            .map(|(&a, &y)| {
                let (a, y) = (f64::from(a), f64::from(y));
                -(y * a.ln() + (1.0 - y) * (1.0 - a).ln())
            })
            .sum::<f64>()
            / 9.0;
        let loss = f64::from(BinaryCrossEntropy.loss(&output, &target));
        assert!((loss - expected).abs() < 1e-6, "{loss} against {expected}");
    }
}
