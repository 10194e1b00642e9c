//! Metrics reported per epoch: accuracy for classification, MSE and MAE for regression.

use crate::compute::simd;
use crate::{BatchMatrix, Float};

/// A figure computed over a whole epoch's samples.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Metric {
    /// The fraction of samples classified right: the largest output matches the largest target
    /// (one-hot labels), or for a single output, both sides of 0.5 agree. A sample whose output
    /// holds a NaN counts as wrong.
    Accuracy,
    /// The mean over all outputs of `(output − target)²`.
    MeanSquaredError,
    /// The mean over all outputs of `|output − target|`.
    MeanAbsoluteError,
}

impl Metric {
    /// The metrics reported when none are chosen: accuracy for a classification loss, the mean
    /// squared and absolute errors otherwise.
    pub fn defaults(classification: bool) -> &'static [Metric] {
        if classification {
            &[Metric::Accuracy]
        } else {
            &[Metric::MeanSquaredError, Metric::MeanAbsoluteError]
        }
    }
}

/// Which sums a pass keeps: accuracy needs an argmax per sample, the two errors a pass over
/// every output in `f64`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Measured {
    pub(crate) accuracy: bool,
    pub(crate) errors: bool,
}

impl Measured {
    /// Every metric.
    pub(crate) const ALL: Self = Self {
        accuracy: true,
        errors: true,
    };

    /// What `metrics` need.
    pub(crate) fn of(metrics: &[Metric]) -> Self {
        Self {
            accuracy: metrics.contains(&Metric::Accuracy),
            errors: metrics
                .iter()
                .any(|m| matches!(m, Metric::MeanSquaredError | Metric::MeanAbsoluteError)),
        }
    }
}

/// The metrics of one pass over data; a metric not requested is `None`.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MetricValues {
    /// The fraction of samples classified right.
    pub accuracy: Option<f64>,
    /// The mean squared error.
    pub mse: Option<f64>,
    /// The mean absolute error.
    pub mae: Option<f64>,
}

/// Running sums from which [`MetricValues`] are computed, without allocating. Only the sums a
/// pass measured count: `samples` and `values` stay 0 for the others, which then read as `None`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct MetricTotals {
    /// Samples whose accuracy was measured.
    samples: usize,
    /// Outputs whose errors were measured.
    values: usize,
    correct: usize,
    squared_error: f64,
    absolute_error: f64,
}

impl MetricTotals {
    /// Adds the `measured` sums of a batch of outputs and targets.
    pub(crate) fn add<T: Float, const N: usize>(
        &mut self,
        output: &BatchMatrix<T, N>,
        target: &BatchMatrix<T, N>,
        measured: Measured,
    ) {
        if measured.accuracy {
            self.samples += output.columns();
        }
        if measured.errors {
            self.values += N * output.columns();
        }
        let (outputs, targets) = (output.as_slice(), target.as_slice());
        let (correct, squared, absolute) = simd::wide(
            outputs.len(),
            #[inline(always)]
            || {
                let correct: usize = if measured.accuracy {
                    let columns = outputs.chunks_exact(N.max(1));
                    columns
                        .zip(targets.chunks_exact(N.max(1)))
                        .map(
                            #[inline(always)]
                            |(y, t)| usize::from(classified_right(y, t)),
                        )
                        .sum()
                } else {
                    0
                };
                let (squared, absolute) = if measured.errors {
                    error_sums(outputs, targets)
                } else {
                    (0.0, 0.0)
                };
                (correct, squared, absolute)
            },
        );
        self.correct += correct;
        self.squared_error += squared;
        self.absolute_error += absolute;
    }

    /// Adds the sums of `other` (another thread's share of the same pass).
    pub(crate) fn merge(&mut self, other: &Self) {
        self.samples += other.samples;
        self.values += other.values;
        self.correct += other.correct;
        self.squared_error += other.squared_error;
        self.absolute_error += other.absolute_error;
    }

    /// The requested metrics of everything added so far.
    pub(crate) fn values(&self, metrics: &[Metric]) -> MetricValues {
        let mut values = MetricValues::default();
        let ratio = |sum: f64, count: usize| (count > 0).then(|| sum / count as f64);
        for metric in metrics {
            match metric {
                Metric::Accuracy => values.accuracy = ratio(self.correct as f64, self.samples),
                Metric::MeanSquaredError => values.mse = ratio(self.squared_error, self.values),
                Metric::MeanAbsoluteError => values.mae = ratio(self.absolute_error, self.values),
            }
        }
        values
    }
}

/// `Σ (y − t)²` and `Σ |y − t|` in `f64`, in 4 interleaved lanes so that the loop vectorizes.
#[inline(always)]
fn error_sums<T: Float>(outputs: &[T], targets: &[T]) -> (f64, f64) {
    let (mut squared, mut absolute) = ([0.0f64; 4], [0.0f64; 4]);
    let (output_chunks, output_rest) = outputs.as_chunks::<4>();
    let (target_chunks, target_rest) = targets.as_chunks::<4>();
    for (y, t) in output_chunks.iter().zip(target_chunks) {
        for lane in 0..4 {
            let error = (y[lane] - t[lane]).as_f64();
            squared[lane] += error * error;
            absolute[lane] += error.abs();
        }
    }
    for (&y, &t) in output_rest.iter().zip(target_rest) {
        let error = (y - t).as_f64();
        squared[0] += error * error;
        absolute[0] += error.abs();
    }
    (
        (squared[0] + squared[1]) + (squared[2] + squared[3]),
        (absolute[0] + absolute[1]) + (absolute[2] + absolute[3]),
    )
}

/// Whether one sample's output picks the target's class. An output holding a NaN picks no
/// class, so it is never right (rather than "class 0", which would be right by chance).
#[inline(always)]
fn classified_right<T: Float>(output: &[T], target: &[T]) -> bool {
    class_of(output) == class_of(target) && !output.iter().any(|v| v.as_f64().is_nan())
}

/// The class a row of outputs or targets stands for: the largest value's index (the first, on
/// ties), or for a single value, 1 where it is above 0.5.
#[inline]
pub(crate) fn class_of<T: Float>(row: &[T]) -> usize {
    match row {
        [value] => usize::from(*value > T::of_f64(0.5)),
        _ => argmax(row),
    }
}

/// The index of the largest value (the first, on ties).
#[inline]
pub fn argmax<T: Float>(values: &[T]) -> usize {
    let Some(&first) = values.first() else {
        return 0;
    };
    // Selects rather than jumps: which value wins is data, not a predictable branch.
    let (mut best, mut largest) = (0, first);
    for (i, &v) in values.iter().enumerate().skip(1) {
        let larger = v > largest;
        best = if larger { i } else { best };
        largest = if larger { v } else { largest };
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::SVector;

    #[test]
    fn accuracy_uses_argmax_or_the_half_threshold() {
        let output = BatchMatrix::from_columns(&[
            SVector::from([0.1f64, 0.7, 0.2]),
            SVector::from([0.5, 0.3, 0.2]),
        ]);
        let target = BatchMatrix::from_columns(&[
            SVector::from([0.0f64, 1.0, 0.0]),
            SVector::from([0.0, 1.0, 0.0]),
        ]);
        let mut totals = MetricTotals::default();
        totals.add(&output, &target, Measured::ALL);
        assert_eq!(totals.values(&[Metric::Accuracy]).accuracy, Some(0.5));

        let output = BatchMatrix::from_columns(&[SVector::from([0.8f32]), SVector::from([0.4])]);
        let target = BatchMatrix::from_columns(&[SVector::from([1.0f32]), SVector::from([1.0])]);
        let mut totals = MetricTotals::default();
        totals.add(&output, &target, Measured::ALL);
        assert_eq!(totals.values(&[Metric::Accuracy]).accuracy, Some(0.5));
    }

    #[test]
    fn nan_outputs_are_never_classified_right() {
        // NaN compares false everywhere: as a class it would read as 0, right for these targets.
        let output = BatchMatrix::from_columns(&[
            SVector::from([f32::NAN, f32::NAN, f32::NAN]),
            SVector::from([f32::NAN, 0.1, 0.2]),
            SVector::from([0.9f32, 0.05, 0.05]),
        ]);
        let target = BatchMatrix::from_columns(&[
            SVector::from([1.0f32, 0.0, 0.0]),
            SVector::from([1.0, 0.0, 0.0]),
            SVector::from([1.0, 0.0, 0.0]),
        ]);
        let mut totals = MetricTotals::default();
        totals.add(&output, &target, Measured::ALL);
        let values = totals.values(&[Metric::Accuracy, Metric::MeanSquaredError]);
        assert_eq!(values.accuracy, Some(1.0 / 3.0));
        assert!(values.mse.unwrap().is_nan(), "{values:?}");

        let output = BatchMatrix::from_columns(&[SVector::from([f64::NAN]), SVector::from([0.2])]);
        let target = BatchMatrix::from_columns(&[SVector::from([0.0f64]), SVector::from([0.0])]);
        let mut totals = MetricTotals::default();
        totals.add(&output, &target, Measured::ALL);
        assert_eq!(totals.values(&[Metric::Accuracy]).accuracy, Some(0.5));
    }

    #[test]
    fn unmeasured_metrics_read_as_none() {
        let output = BatchMatrix::from_columns(&[SVector::from([0.1f64, 0.9])]);
        let target = BatchMatrix::from_columns(&[SVector::from([0.0f64, 1.0])]);
        let all = [
            Metric::Accuracy,
            Metric::MeanSquaredError,
            Metric::MeanAbsoluteError,
        ];
        let mut totals = MetricTotals::default();
        totals.add(&output, &target, Measured::of(&[Metric::Accuracy]));
        let values = totals.values(&all);
        assert_eq!(values.accuracy, Some(1.0));
        assert_eq!((values.mse, values.mae), (None, None));

        let mut totals = MetricTotals::default();
        totals.add(&output, &target, Measured::of(&[Metric::MeanAbsoluteError]));
        let values = totals.values(&all);
        assert_eq!(values.accuracy, None);
        assert!((values.mae.unwrap() - 0.1).abs() < 1e-12);
        assert!((values.mse.unwrap() - 0.01).abs() < 1e-12);
    }

    #[test]
    fn defaults_follow_the_kind_of_loss() {
        assert_eq!(Metric::defaults(true), &[Metric::Accuracy]);
        assert_eq!(
            Metric::defaults(false),
            &[Metric::MeanSquaredError, Metric::MeanAbsoluteError]
        );
    }

    #[test]
    fn regression_errors_average_over_every_value() {
        let output =
            BatchMatrix::from_columns(&[SVector::from([1.0f64, 2.0]), SVector::from([0.0, 0.0])]);
        let target =
            BatchMatrix::from_columns(&[SVector::from([0.0f64, 2.0]), SVector::from([2.0, 0.0])]);
        let mut totals = MetricTotals::default();
        totals.add(&output, &target, Measured::ALL);
        let values = totals.values(&[Metric::MeanSquaredError, Metric::MeanAbsoluteError]);
        assert_eq!(values.mse, Some(5.0 / 4.0));
        assert_eq!(values.mae, Some(3.0 / 4.0));
        assert_eq!(values.accuracy, None);
    }
}
