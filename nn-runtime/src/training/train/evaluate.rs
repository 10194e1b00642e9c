//! Evaluating a trained network on a dataset.

use super::{Metric, MetricValues, Session};
use crate::{Activation, Batch, BatchMatrix, DataWidth, Float, Loss, Network, TrainingData};

/// A network's loss and metrics on a dataset.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evaluation {
    /// The mean loss (no weight penalty).
    pub loss: f64,
    /// The metrics that fit the loss, as the trainer reports them by default
    /// ([`Metric::defaults`]): accuracy for a classification loss, MSE and MAE otherwise. The
    /// others are `None`.
    pub metrics: MetricValues,
}

/// Evaluates `net` on `data` in inference mode (dropout off), in batches of 256.
///
/// Reports the metrics that fit the loss ([`Loss::CLASSIFICATION`]): accuracy for a classifier,
/// the mean squared and absolute errors for a regression. [`metrics`](crate::metrics) has the
/// others (per-class scores, a confusion matrix, R², ROC AUC). A dataset whose widths differ
/// from the network's does not compile.
pub fn evaluate<N, D, L, const IN: usize, const OUT: usize, const DI: usize, const DO: usize>(
    net: &N,
    data: &D,
    loss: &L,
) -> Evaluation
where
    N: Network<IN, OUT>,
    D: TrainingData<N::Scalar, DI, DO> + DataWidth<DI, DO, IN, OUT>,
    L: Loss<N::OutputActivation>,
{
    let data = <D as DataWidth<DI, DO, IN, OUT>>::fit(data.dataset());
    let metrics = Metric::defaults(L::CLASSIFICATION);
    // A dataset holds at least one sample, so the batch capacity is at least 1.
    let mut session = Session::<N, IN, OUT>::with_pool(256.min(data.len()).max(1), 0, 0, None);
    session.set_metrics(metrics);
    let totals = session.evaluate(net, data, loss);
    Evaluation {
        loss: totals.loss,
        metrics: totals.metrics(metrics),
    }
}

/// The mean loss of a batch in `f64`: the loss's own batch mean where that is finite, otherwise
/// the mean of each sample's loss, so that a sum of finite losses that overflows the network's
/// type (an `f32` sum beyond 3.4·10³⁸) still gives a finite mean. NaN or infinity only when some
/// sample's loss is.
pub(super) fn batch_mean_loss<L, A, T, const N: usize>(
    loss: &L,
    output: &BatchMatrix<T, N>,
    target: &BatchMatrix<T, N>,
) -> f64
where
    L: Loss<A>,
    A: Activation,
    T: Float,
{
    let mean = loss.loss(output, target).as_f64();
    if mean.is_finite() {
        return mean;
    }
    let count = output.columns() as f64;
    let columns = output.as_slice().chunks_exact(N.max(1));
    columns
        .zip(target.as_slice().chunks_exact(N.max(1)))
        .map(|(y, t)| loss.loss::<T, N>(&Column(y), &Column(t)).as_f64() / count)
        .sum()
}

/// One sample's column of a batch, as a batch of one.
struct Column<'a, T>(&'a [T]);

impl<T, const N: usize> Batch<T, N> for Column<'_, T> {
    fn columns(&self) -> usize {
        1
    }

    fn as_slice(&self) -> &[T] {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loss::MeanSquaredError;
    use nalgebra::SVector;

    #[test]
    fn a_batch_whose_sum_overflows_still_has_a_finite_mean() {
        // Each sample's squared error is 10³⁸, finite in f32; four of them overflow the sum.
        let output = BatchMatrix::from_columns(&[SVector::from([1e19f32]); 4]);
        let target = BatchMatrix::from_columns(&[SVector::from([0.0f32]); 4]);
        let sum: f32 = Loss::<crate::Identity>::loss(&MeanSquaredError, &output, &target);
        assert!(sum.is_infinite(), "the f32 batch mean overflows: {sum}");
        let mean = batch_mean_loss::<_, crate::Identity, _, 1>(&MeanSquaredError, &output, &target);
        let expected = f64::from(1e19f32).powi(2);
        assert!((mean - expected).abs() <= expected * 1e-6, "{mean}");
    }

    #[test]
    fn a_nan_or_infinite_sample_loss_stays_non_finite() {
        let output = BatchMatrix::from_columns(&[SVector::from([f32::NAN]), SVector::from([0.0])]);
        let target = BatchMatrix::from_columns(&[SVector::from([0.0f32]); 2]);
        let mean = batch_mean_loss::<_, crate::Identity, _, 1>(&MeanSquaredError, &output, &target);
        assert!(mean.is_nan());
        let output = BatchMatrix::from_columns(&[SVector::from([f32::MAX]), SVector::from([0.0])]);
        let mean = batch_mean_loss::<_, crate::Identity, _, 1>(&MeanSquaredError, &output, &target);
        assert_eq!(mean, f64::INFINITY);
    }
}
