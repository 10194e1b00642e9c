//! Errors of a regression: MSE, RMSE, MAE and R².

use super::error::{MetricError, Values, check_finite, check_lengths};
use crate::Float;

/// How far predictions are from targets, as scikit-learn's `mean_squared_error`,
/// `root_mean_squared_error`, `mean_absolute_error` and `r2_score`.
///
/// With several outputs per sample ([`from_rows`](Self::from_rows)) each figure is computed
/// per output and averaged over the outputs, as scikit-learn's default
/// `multioutput="uniform_average"`: the MSE and MAE are then the means over every value, and
/// the RMSE is the mean of the outputs' RMSEs (not the root of the MSE).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RegressionMetrics {
    /// The mean of `(prediction − target)²`.
    pub mse: f64,
    /// The root of the mean squared error.
    pub rmse: f64,
    /// The mean of `|prediction − target|`.
    pub mae: f64,
    /// The coefficient of determination `1 − Σ(t − p)² / Σ(t − t̄)²`: 1 for perfect predictions,
    /// 0 for predicting the mean, negative for worse. Of a constant target it is 1.0 when the
    /// predictions are perfect and 0.0 otherwise (scikit-learn's `force_finite=True`). `None`
    /// with fewer than two samples, where scikit-learn warns and returns NaN.
    pub r2: Option<f64>,
}

impl RegressionMetrics {
    /// The metrics of one prediction per sample.
    ///
    /// Errors: [`MetricError::LengthMismatch`] when the slices differ in length,
    /// [`MetricError::Empty`] when they are empty and [`MetricError::NotFinite`] for a NaN or
    /// infinite value.
    pub fn new<T: Float>(predictions: &[T], targets: &[T]) -> Result<Self, MetricError> {
        Self::from_rows(predictions.as_chunks::<1>().0, targets.as_chunks::<1>().0)
    }

    /// The metrics of `N` predictions per sample, averaged over the outputs.
    ///
    /// Errors as [`new`](Self::new), and [`MetricError::NoOutputs`] when `N` is 0.
    pub fn from_rows<T: Float, const N: usize>(
        predictions: &[[T; N]],
        targets: &[[T; N]],
    ) -> Result<Self, MetricError> {
        check_lengths(predictions.len(), targets.len())?;
        if N == 0 {
            return Err(MetricError::NoOutputs);
        }
        for (sample, (p, t)) in predictions.iter().zip(targets).enumerate() {
            check_finite(p, Values::Predictions, sample)?;
            check_finite(t, Values::Targets, sample)?;
        }
        let samples = targets.len() as f64;
        let (mut mse, mut rmse, mut mae, mut r2) = (0.0, 0.0, 0.0, 0.0);
        for output in 0..N {
            let errors = column(predictions, output).zip(column(targets, output));
            let (squared, absolute) = errors
                .map(|(p, t)| t - p)
                .fold((0.0, 0.0), |(s, a), e| (s + e * e, a + e.abs()));
            let mean = column(targets, output).sum::<f64>() / samples;
            let spread: f64 = column(targets, output)
                .map(|t| (t - mean) * (t - mean))
                .sum();
            mse += squared / samples;
            rmse += (squared / samples).sqrt();
            mae += absolute / samples;
            r2 += determination(squared, spread);
        }
        let outputs = N as f64;
        Ok(Self {
            mse: mse / outputs,
            rmse: rmse / outputs,
            mae: mae / outputs,
            r2: (targets.len() >= 2).then_some(r2 / outputs),
        })
    }
}

/// The values of `output` in every row, in `f64`.
fn column<T: Float, const N: usize>(
    rows: &[[T; N]],
    output: usize,
) -> impl Iterator<Item = f64> + '_ {
    rows.iter().map(move |row| row[output].as_f64())
}

/// `1 − residual / spread`, with scikit-learn's finite values where `spread` is 0 (a constant
/// target): 1 when the residual is 0 too, else 0.
fn determination(residual: f64, spread: f64) -> f64 {
    if residual == 0.0 {
        1.0
    } else if spread == 0.0 {
        0.0
    } else {
        1.0 - residual / spread
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // scikit-learn's docstring examples: r2_score([3, -0.5, 2, 7], [2.5, 0.0, 2, 8]).
        let metrics =
            RegressionMetrics::new(&[2.5, 0.0, 2.0, 8.0], &[3.0, -0.5, 2.0, 7.0]).unwrap();
        assert_eq!(metrics.mse, 0.375);
        assert_eq!(metrics.rmse, 0.375f64.sqrt());
        assert_eq!(metrics.mae, 0.5);
        assert!((metrics.r2.unwrap() - 0.948_608_137_044_967_9).abs() < 1e-15);
        let reversed = RegressionMetrics::new(&[3.0, 2.0, 1.0], &[1.0, 2.0, 3.0]).unwrap();
        assert_eq!(reversed.r2, Some(-3.0));
    }

    #[test]
    fn perfect_predictions() {
        let values = [1.5f32, -2.0, 4.0];
        let metrics = RegressionMetrics::new(&values, &values).unwrap();
        assert_eq!(
            metrics,
            RegressionMetrics {
                mse: 0.0,
                rmse: 0.0,
                mae: 0.0,
                r2: Some(1.0)
            }
        );
    }

    #[test]
    fn r2_of_a_constant_target_is_one_if_perfect_else_zero() {
        let target = [-2.0; 3];
        assert_eq!(
            RegressionMetrics::new(&target, &target).unwrap().r2,
            Some(1.0)
        );
        let off = [-2.0, -2.0, -2.0 + 1e-8];
        assert_eq!(RegressionMetrics::new(&off, &target).unwrap().r2, Some(0.0));
    }

    #[test]
    fn several_outputs_average_per_output() {
        // Output 0: errors 1 and 1; output 1: errors 0 and 2, a constant target.
        let predictions = [[1.0, 5.0], [3.0, 7.0]];
        let targets = [[0.0, 5.0], [2.0, 5.0]];
        let metrics = RegressionMetrics::from_rows(&predictions, &targets).unwrap();
        assert_eq!(metrics.mse, (1.0 + 2.0) / 2.0);
        assert_eq!(metrics.mae, (1.0 + 1.0) / 2.0);
        assert_eq!(metrics.rmse, (1.0 + 2.0f64.sqrt()) / 2.0);
        // Output 0: 1 − 2/2 = 0; output 1: constant and missed, 0.
        assert_eq!(metrics.r2, Some(0.0));
    }

    #[test]
    fn r2_needs_two_samples() {
        let metrics = RegressionMetrics::new(&[1.0], &[3.0]).unwrap();
        assert_eq!((metrics.mse, metrics.mae, metrics.r2), (4.0, 2.0, None));
    }

    #[test]
    fn bad_input_is_an_error_naming_it() {
        assert_eq!(
            RegressionMetrics::new::<f64>(&[], &[]),
            Err(MetricError::Empty)
        );
        assert_eq!(
            RegressionMetrics::new(&[1.0, 2.0], &[1.0]),
            Err(MetricError::LengthMismatch {
                predictions: 2,
                targets: 1
            })
        );
        assert_eq!(
            RegressionMetrics::new(&[1.0, f64::NAN], &[1.0, 2.0])
                .unwrap_err()
                .to_string(),
            "prediction of sample 1, column 0, is NaN, expected a finite number"
        );
        assert!(matches!(
            RegressionMetrics::from_rows(&[[1.0, 2.0]], &[[1.0, f64::INFINITY]]),
            Err(MetricError::NotFinite {
                values: Values::Targets,
                sample: 0,
                column: 1,
                ..
            })
        ));
        let none: [[f64; 0]; 1] = [[]];
        assert_eq!(
            RegressionMetrics::from_rows(&none, &none),
            Err(MetricError::NoOutputs)
        );
    }
}
