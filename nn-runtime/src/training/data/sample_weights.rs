//! Sample weights: how much each sample counts in the training loss.

use super::Dataset;
use crate::{DataError, Float};

impl<T: Float, const IN: usize, const OUT: usize> Dataset<T, IN, OUT> {
    /// The dataset with one weight per sample: in training, the loss becomes the weighted mean
    /// `Σ wᵢ·lᵢ / Σ wᵢ` over each batch (see
    /// [`weighted_loss_and_gradient`](crate::loss::weighted_loss_and_gradient)), so a sample of
    /// weight 2 counts as two copies of it. Combined with the trainer's
    /// [`class_weights`](crate::Trainer::class_weights) by product. Splits keep each sample's
    /// weight; evaluation and metrics stay unweighted.
    ///
    /// A count other than [`len`](Self::len) is a [`DataError::WeightCount`], a negative, NaN
    /// or infinite weight a [`DataError::InvalidWeight`] naming its row, and weights that are all
    /// zero a [`DataError::ZeroWeights`].
    pub fn with_sample_weights(mut self, weights: &[T]) -> Result<Self, DataError> {
        if weights.len() != self.len() {
            return Err(DataError::WeightCount {
                what: "sample",
                found: weights.len(),
                expected: self.len(),
            });
        }
        check_weights(weights, "sample", "row")?;
        self.weights = Some(weights.to_vec());
        Ok(self)
    }

    /// The sample weights, if given.
    pub fn sample_weights(&self) -> Option<&[T]> {
        self.weights.as_deref()
    }
}

/// Checks that every weight is finite and non-negative and that one is positive; `what` and
/// `which` name them in errors (`sample`/`row`, `class`/`class`).
pub(crate) fn check_weights<T: Float>(
    weights: &[T],
    what: &'static str,
    which: &'static str,
) -> Result<(), DataError> {
    if let Some(index) = weights
        .iter()
        .position(|w| !(w.is_finite_value() && *w >= T::zero()))
    {
        return Err(DataError::InvalidWeight {
            what,
            which,
            index,
            value: weights[index].as_f64(),
        });
    }
    if weights.iter().all(|&w| w == T::zero()) {
        return Err(DataError::ZeroWeights { what });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn three() -> Dataset<f64, 1, 1> {
        Dataset::from_arrays(&[[0.0], [1.0], [2.0]], &[[0.0], [1.0], [0.0]]).unwrap()
    }

    #[test]
    fn weights_are_kept_and_follow_a_split() {
        let data = three().with_sample_weights(&[1.0, 2.0, 3.0]).unwrap();
        assert_eq!(data.sample_weights(), Some(&[1.0, 2.0, 3.0][..]));
        let (train, validation) = data.split(1.0 / 3.0, 7).unwrap();
        for part in [&train, &validation] {
            for (input, weight) in part.inputs().iter().zip(part.sample_weights().unwrap()) {
                assert_eq!(*weight, input[0] + 1.0, "sample {input:?} lost its weight");
            }
        }
        assert_eq!(three().sample_weights(), None);
    }

    #[test]
    fn bad_weights_are_named() {
        assert_eq!(
            three().with_sample_weights(&[1.0, 2.0]).unwrap_err(),
            DataError::WeightCount {
                what: "sample",
                found: 2,
                expected: 3
            }
        );
        let err = three().with_sample_weights(&[1.0, -0.5, 1.0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the sample weight of row 1 is -0.5, expected a finite number ≥ 0"
        );
        assert!(matches!(
            three().with_sample_weights(&[1.0, 1.0, f64::NAN]),
            Err(DataError::InvalidWeight { index: 2, .. })
        ));
        assert_eq!(
            three()
                .with_sample_weights(&[0.0; 3])
                .unwrap_err()
                .to_string(),
            "every sample weight is 0, expected at least one above 0"
        );
    }
}
