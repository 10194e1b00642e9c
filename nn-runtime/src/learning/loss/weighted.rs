//! Weighted losses: each sample's loss counts by its weight (a class weight, a sample weight or
//! their product), normalized by the batch's weight sum.

use super::Loss;
use crate::{Activation, Batch, BatchMut, Float};

/// The weighted mean `Σ wᵢ·lᵢ / Σ wᵢ` of the per-sample losses `lᵢ` of `output` against `target`,
/// with its gradient with respect to the output layer's pre-activation written into `gradient`.
///
/// This is PyTorch's `CrossEntropyLoss(weight=…)` with `reduction="mean"`, extended to every
/// loss and to per-sample weights: with class weights `c` and sample weights `s`, `wᵢ = sᵢ·c[yᵢ]`.
/// Equal weights give the unweighted batch mean (up to the order of the sums). A batch whose
/// weights sum to zero has loss 0 and a zero gradient.
///
/// `weights` holds one non-negative, finite weight per column of `output`.
///
/// # Panics
/// If `weights` does not hold one weight per column.
pub fn weighted_loss_and_gradient<A, L, T, const N: usize>(
    loss: &L,
    activation: &A,
    inputs: &impl Batch<T, N>,
    output: &impl Batch<T, N>,
    target: &impl Batch<T, N>,
    weights: &[T],
    gradient: &mut impl BatchMut<T, N>,
) -> T
where
    A: Activation,
    L: Loss<A>,
    T: Float,
{
    let samples = output.columns();
    assert_eq!(weights.len(), samples, "one weight per sample");
    // The unweighted gradient's column i is ∂lᵢ/∂zᵢ / n; the weighted one is wᵢ/W · ∂lᵢ/∂zᵢ.
    loss.loss_and_gradient(activation, inputs, output, target, gradient);
    let total = weights.iter().fold(T::zero(), |sum, &w| sum + w);
    let columns = gradient.as_mut_slice().chunks_exact_mut(N);
    if total <= T::zero() {
        columns.for_each(|column| column.fill(T::zero()));
        return T::zero();
    }
    let count = T::of_f64(samples as f64);
    let pairs = output
        .as_slice()
        .chunks_exact(N)
        .zip(target.as_slice().chunks_exact(N));
    let mut weighted = T::zero();
    for ((column, (a, y)), &w) in columns.zip(pairs).zip(weights) {
        let scale = count * w / total;
        column.iter_mut().for_each(|g| *g *= scale);
        if w != T::zero() {
            weighted += w * loss.loss::<T, N>(&Sample(a), &Sample(y));
        }
    }
    weighted / total
}

/// One sample's column, seen as a batch of one.
struct Sample<'a, T>(&'a [T]);

impl<T, const N: usize> Batch<T, N> for Sample<'_, T> {
    fn columns(&self) -> usize {
        1
    }

    fn as_slice(&self) -> &[T] {
        self.0
    }
}

#[cfg(all(test, feature = "train"))]
mod tests {
    use super::*;
    use crate::{
        BatchMatrix, BinaryCrossEntropy, Identity, MeanSquaredError, Sigmoid, Softmax,
        SoftmaxCrossEntropy,
    };

    fn batch<const N: usize>(columns: &[[f64; N]]) -> BatchMatrix<f64, N> {
        let mut batch = BatchMatrix::zeros(columns.len());
        batch.set_columns(columns.len());
        for (column, values) in batch.columns_mut().zip(columns) {
            column.copy_from_slice(values);
        }
        batch
    }

    /// The loss of each sample alone, as a batch of one.
    fn per_sample<L: Loss<A>, A: Activation, const N: usize>(
        loss: &L,
        output: &[[f64; N]],
        target: &[[f64; N]],
    ) -> Vec<f64> {
        output
            .iter()
            .zip(target)
            .map(|(a, y)| loss.loss(&batch(&[*a]), &batch(&[*y])))
            .collect()
    }

    #[test]
    fn the_loss_is_the_weighted_mean_and_each_gradient_column_scales_by_its_weight() {
        let output = [[0.2, 0.7, 0.1], [0.5, 0.25, 0.25], [0.1, 0.1, 0.8]];
        let target = [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]];
        let weights = [2.0, 0.5, 0.0];
        let (a, y) = (batch(&output), batch(&target));
        let mut plain = BatchMatrix::zeros(3);
        SoftmaxCrossEntropy.loss_and_gradient(&Softmax, &a, &a, &y, &mut plain);
        let mut weighted = BatchMatrix::zeros(3);
        let value = weighted_loss_and_gradient(
            &SoftmaxCrossEntropy,
            &Softmax,
            &a,
            &a,
            &y,
            &weights,
            &mut weighted,
        );
        let l = per_sample::<_, Softmax, 3>(&SoftmaxCrossEntropy, &output, &target);
        let expected = (2.0 * l[0] + 0.5 * l[1]) / 2.5;
        assert!(
            (value - expected).abs() <= 1e-15 * expected,
            "{value} vs {expected}"
        );
        for (i, (w, p)) in weighted
            .columns_iter()
            .zip(plain.columns_iter())
            .enumerate()
        {
            for (w, p) in w.iter().zip(p) {
                let scaled = p * 3.0 * weights[i] / 2.5;
                assert!((w - scaled).abs() <= 1e-15, "column {i}: {w} vs {scaled}");
            }
        }
    }

    #[test]
    fn equal_weights_give_the_unweighted_loss_and_gradient() {
        let output = [[0.3], [0.9], [-0.4], [1.5]];
        let target = [[0.0], [1.0], [0.5], [1.0]];
        let (a, y) = (batch(&output), batch(&target));
        let mut plain = BatchMatrix::zeros(4);
        let unweighted = MeanSquaredError.loss_and_gradient(&Identity, &a, &a, &y, &mut plain);
        let mut weighted = BatchMatrix::zeros(4);
        let value = weighted_loss_and_gradient(
            &MeanSquaredError,
            &Identity,
            &a,
            &a,
            &y,
            &[3.0; 4],
            &mut weighted,
        );
        assert!((value - unweighted).abs() <= 1e-15 * unweighted);
        assert_eq!(weighted.as_slice(), plain.as_slice());
    }

    #[test]
    fn a_batch_of_zero_weights_has_no_loss_and_no_gradient() {
        let (a, y) = (batch(&[[0.8], [0.1]]), batch(&[[0.0], [1.0]]));
        let mut gradient = BatchMatrix::zeros(2);
        let value = weighted_loss_and_gradient(
            &BinaryCrossEntropy,
            &Sigmoid,
            &a,
            &a,
            &y,
            &[0.0, 0.0],
            &mut gradient,
        );
        assert_eq!(value, 0.0);
        assert!(gradient.as_slice().iter().all(|&g| g == 0.0));
    }
}
