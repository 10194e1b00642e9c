//! Target standardization for regression: each target column to mean 0 and standard deviation 1.

use serde::{Deserialize, Serialize};

use super::Dataset;
use super::column_stats::ColumnStats;
use crate::{DataError, Float, Side};

/// Per-column target statistics for regression, fitted on training data.
///
/// Regression with targets of very different scales (prices in thousands next to rates below 1)
/// trains better on standardized targets. Fit on the training set,
/// [`transform`](Self::transform) the training and validation sets, train, then map each
/// prediction back to the original units with [`inverse_target`](Self::inverse_target).
/// Losses reported during training are in standardized units. Not for classification: one-hot
/// targets must stay 0 and 1. Serializes like [`Standardizer`](super::Standardizer).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(transparent, bound(serialize = "T: Float", deserialize = "T: Float"))]
pub struct TargetStandardizer<T, const OUT: usize> {
    stats: ColumnStats<T, OUT>,
}

impl<T: Float, const OUT: usize> TargetStandardizer<T, OUT> {
    /// Fits the mean and population standard deviation of each target column of `data` (a
    /// constant column gets standard deviation 1).
    pub fn fit<const IN: usize>(data: &Dataset<T, IN, OUT>) -> Self {
        Self {
            stats: ColumnStats::fit(data.targets()),
        }
    }

    /// A target standardizer of given statistics (`(y − mean) / std` per column), checked like
    /// [`Standardizer::new`](super::Standardizer::new).
    pub fn new(mean: [T; OUT], std: [T; OUT]) -> Result<Self, DataError> {
        Ok(Self {
            stats: ColumnStats::checked(mean, std)?,
        })
    }

    /// Standardizes the targets of `data` with the fitted statistics (not refitted).
    ///
    /// If a value would overflow to infinity, `data` is left unchanged and the error names its
    /// row and column.
    pub fn transform<const IN: usize>(
        &self,
        data: &mut Dataset<T, IN, OUT>,
    ) -> Result<(), DataError> {
        self.stats.apply_all(&mut data.targets, Side::Target)
    }

    /// Standardizes one target in place: `(y − mean) / std`.
    pub fn transform_target(&self, target: &mut [T; OUT]) {
        self.stats.apply(target);
    }

    /// Maps a prediction in standardized units back to the original ones: `y × std + mean`.
    pub fn inverse_target(&self, prediction: &mut [T; OUT]) {
        self.stats.invert(prediction);
    }

    /// A standardizer of these statistics, which the caller has checked: every value finite, every
    /// standard deviation positive (a model file's, see `nn::model::Model`).
    pub(crate) fn from_parts(mean: [T; OUT], std: [T; OUT]) -> Self {
        Self {
            stats: ColumnStats { mean, std },
        }
    }

    /// The fitted mean of each target column.
    pub fn mean(&self) -> &[T; OUT] {
        &self.stats.mean
    }

    /// The fitted population standard deviation of each target column (1 for a constant one).
    pub fn std(&self) -> &[T; OUT] {
        &self.stats.std
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_standardized_and_predictions_mapped_back() {
        let inputs = [[0.0], [1.0], [2.0], [3.0]];
        let targets = [[100.0, 5.0], [200.0, 5.0], [300.0, 5.0], [400.0, 5.0]];
        let mut data = Dataset::<f64, 1, 2>::from_arrays(&inputs, &targets).unwrap();
        let scaler = TargetStandardizer::fit(&data);
        assert_eq!(scaler.mean(), &[250.0, 5.0]);
        assert!((scaler.std()[0] - 125f64.sqrt() * 10.0).abs() < 1e-9);
        assert_eq!(scaler.std()[1], 1.0);
        scaler.transform(&mut data).unwrap();
        let mean: f64 = data.targets().iter().map(|t| t[0]).sum::<f64>() / 4.0;
        let var: f64 = data.targets().iter().map(|t| t[0] * t[0]).sum::<f64>() / 4.0;
        assert!(mean.abs() < 1e-12 && (var - 1.0).abs() < 1e-12);
        assert!(data.targets().iter().all(|t| t[1] == 0.0));
        assert_eq!(data.inputs(), &inputs, "inputs are untouched");

        let mut prediction = *data.target(2);
        scaler.inverse_target(&mut prediction);
        assert!((prediction[0] - 300.0).abs() < 1e-9 && prediction[1] == 5.0);
        scaler.transform_target(&mut prediction);
        assert!((prediction[0] - data.target(2)[0]).abs() < 1e-12);
    }
}
