//! Metrics reported per epoch: accuracy for classification, MSE and MAE for regression.

use crate::{BatchMatrix, Float};

/// A figure computed over a whole epoch's samples.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Metric {
    /// The fraction of samples classified right: the largest output matches the largest target
    /// (one-hot labels), or for a single output, both sides of 0.5 agree.
    Accuracy,
    /// The mean over all outputs of `(output − target)²`.
    MeanSquaredError,
    /// The mean over all outputs of `|output − target|`.
    MeanAbsoluteError,
}

/// The metrics of one pass over data; a metric not requested is `None`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MetricValues {
    /// The fraction of samples classified right.
    pub accuracy: Option<f64>,
    /// The mean squared error.
    pub mse: Option<f64>,
    /// The mean absolute error.
    pub mae: Option<f64>,
}

/// Running sums from which [`MetricValues`] are computed, without allocating.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct MetricTotals {
    samples: usize,
    values: usize,
    correct: usize,
    squared_error: f64,
    absolute_error: f64,
}

impl MetricTotals {
    /// Adds a batch of outputs and targets.
    pub(crate) fn add<T: Float, const N: usize>(
        &mut self,
        output: &BatchMatrix<T, N>,
        target: &BatchMatrix<T, N>,
    ) {
        for (y, t) in output.columns_iter().zip(target.columns_iter()) {
            self.samples += 1;
            self.values += N;
            self.correct += usize::from(classified_right(y, t));
            for (&y, &t) in y.iter().zip(t) {
                let error = (y - t).as_f64();
                self.squared_error += error * error;
                self.absolute_error += error.abs();
            }
        }
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
        if self.samples == 0 {
            return values;
        }
        for metric in metrics {
            match metric {
                Metric::Accuracy => {
                    values.accuracy = Some(self.correct as f64 / self.samples as f64)
                }
                Metric::MeanSquaredError => {
                    values.mse = Some(self.squared_error / self.values as f64)
                }
                Metric::MeanAbsoluteError => {
                    values.mae = Some(self.absolute_error / self.values as f64)
                }
            }
        }
        values
    }
}

/// Whether one sample's output picks the target's class.
fn classified_right<T: Float>(output: &[T], target: &[T]) -> bool {
    if let ([y], [t]) = (output, target) {
        let half = T::of_f64(0.5);
        return (*y > half) == (*t > half);
    }
    argmax(output) == argmax(target)
}

/// The index of the largest value (the first, on ties).
pub fn argmax<T: Float>(values: &[T]) -> usize {
    let mut best = 0;
    for (i, v) in values.iter().enumerate() {
        if *v > values[best] {
            best = i;
        }
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
        totals.add(&output, &target);
        assert_eq!(totals.values(&[Metric::Accuracy]).accuracy, Some(0.5));

        let output = BatchMatrix::from_columns(&[SVector::from([0.8f32]), SVector::from([0.4])]);
        let target = BatchMatrix::from_columns(&[SVector::from([1.0f32]), SVector::from([1.0])]);
        let mut totals = MetricTotals::default();
        totals.add(&output, &target);
        assert_eq!(totals.values(&[Metric::Accuracy]).accuracy, Some(0.5));
    }

    #[test]
    fn regression_errors_average_over_every_value() {
        let output =
            BatchMatrix::from_columns(&[SVector::from([1.0f64, 2.0]), SVector::from([0.0, 0.0])]);
        let target =
            BatchMatrix::from_columns(&[SVector::from([0.0f64, 2.0]), SVector::from([2.0, 0.0])]);
        let mut totals = MetricTotals::default();
        totals.add(&output, &target);
        let values = totals.values(&[Metric::MeanSquaredError, Metric::MeanAbsoluteError]);
        assert_eq!(values.mse, Some(5.0 / 4.0));
        assert_eq!(values.mae, Some(3.0 / 4.0));
        assert_eq!(values.accuracy, None);
    }
}
