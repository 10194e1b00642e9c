//! Categorical cross-entropy, fused with a softmax output.

use super::{FusedOutput, Loss, clamped_ln, negated_mean, scaled_difference};
use crate::{Batch, BatchMut, Float};

/// `L = −mean over samples of Σ_i y_i·ln a_i` for one-hot (or probability) targets `y`, as
/// PyTorch's `CrossEntropyLoss` on logits with mean reduction (logarithms clamped at −100).
///
/// Fused with the softmax output, `∂L/∂z = (a − y)/n`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SoftmaxCrossEntropy;

impl SoftmaxCrossEntropy {
    /// The batch-mean loss of `output` (the network's activations) against `target`.
    pub fn loss<T: Float, const N: usize>(
        &self,
        output: &impl Batch<T, N>,
        target: &impl Batch<T, N>,
    ) -> T {
        // Every term, zero targets included (0·ln a = 0, as `ln a` is clamped: only a NaN
        // output, which should show, gives NaN): no branch, so the loop vectorizes.
        negated_mean(
            output,
            target,
            output.columns(),
            #[inline(always)]
            |a, y, ln| y * clamped_ln(a, ln),
        )
    }
}

impl<A: FusedOutput<SoftmaxCrossEntropy>> Loss<A> for SoftmaxCrossEntropy {
    const NAME: &'static str = "softmax cross-entropy";
    const CLASSIFICATION: bool = true;

    fn loss<T: Float, const N: usize>(
        &self,
        output: &impl Batch<T, N>,
        target: &impl Batch<T, N>,
    ) -> T {
        SoftmaxCrossEntropy::loss(self, output, target)
    }

    fn loss_and_gradient<T: Float, const N: usize>(
        &self,
        _activation: &A,
        _inputs: &impl Batch<T, N>,
        output: &impl Batch<T, N>,
        target: &impl Batch<T, N>,
        gradient: &mut impl BatchMut<T, N>,
    ) -> T {
        let loss = SoftmaxCrossEntropy::loss(self, output, target);
        let scale = T::of_f64(1.0 / output.columns() as f64);
        scaled_difference(gradient, output, target, scale);
        loss
    }
}

#[cfg(all(test, feature = "train"))]
mod tests {
    use super::*;
    use crate::BatchMatrix;
    use crate::Softmax;
    use nalgebra::SVector;

    #[test]
    fn matches_a_value_worked_out_by_hand() {
        let output = BatchMatrix::from_columns(&[SVector::from([0.7f64, 0.2, 0.1])]);
        let target = BatchMatrix::from_columns(&[SVector::from([0.0f64, 1.0, 0.0])]);
        let mut gradient = BatchMatrix::zeros(1);
        let loss = SoftmaxCrossEntropy.loss_and_gradient(
            &Softmax,
            &output,
            &output,
            &target,
            &mut gradient,
        );
        assert!((loss - -(0.2f64.ln())).abs() < 1e-15);
        assert_eq!(gradient.as_slice(), &[0.7, 0.2 - 1.0, 0.1]);
    }
}
