//! Class labels as one-hot targets.

use super::Dataset;
use crate::{DataError, Float};

/// The one-hot encoding of class `label` among `CLASSES`: 1 at index `label`, 0 elsewhere.
///
/// A label of `CLASSES` or more is a [`DataError::LabelOutOfRange`] with row 0;
/// [`Dataset::from_labels`] names the real row. [`argmax`](super::argmax) is the inverse.
pub fn one_hot<T: Float, const CLASSES: usize>(label: usize) -> Result<[T; CLASSES], DataError> {
    one_hot_row(0, label)
}

/// [`one_hot`], naming `row` in the error.
pub(super) fn one_hot_row<T: Float, const CLASSES: usize>(
    row: usize,
    label: usize,
) -> Result<[T; CLASSES], DataError> {
    if label >= CLASSES {
        return Err(DataError::LabelOutOfRange {
            row,
            label,
            classes: CLASSES,
        });
    }
    let mut target = [T::zero(); CLASSES];
    target[label] = T::one();
    Ok(target)
}

impl<T: Float, const IN: usize, const CLASSES: usize> Dataset<T, IN, CLASSES> {
    /// Builds a classification dataset: one input per sample and its class label in
    /// `0..CLASSES`, stored as a one-hot target.
    ///
    /// A label out of range is a [`DataError::LabelOutOfRange`] naming the row; the counts must
    /// match and the inputs be finite, as for [`Dataset::from_arrays`].
    pub fn from_labels(inputs: &[[T; IN]], labels: &[usize]) -> Result<Self, DataError> {
        if inputs.len() != labels.len() {
            return Err(DataError::CountMismatch {
                inputs: inputs.len(),
                targets: labels.len(),
            });
        }
        let targets = labels
            .iter()
            .enumerate()
            .map(|(row, &label)| one_hot_row(row, label))
            .collect::<Result<Vec<_>, _>>()?;
        Self::from_vecs(inputs.to_vec(), targets)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::argmax;

    #[test]
    fn one_hot_and_argmax_round_trip() {
        for label in 0..4 {
            let target = one_hot::<f32, 4>(label).unwrap();
            assert_eq!(target.iter().sum::<f32>(), 1.0);
            assert_eq!(argmax(&target), label);
        }
        assert_eq!(one_hot::<f64, 3>(1).unwrap(), [0.0, 1.0, 0.0]);
    }

    #[test]
    fn a_label_out_of_range_names_row_label_and_classes() {
        let err = one_hot::<f32, 3>(3).unwrap_err();
        assert_eq!(
            err,
            DataError::LabelOutOfRange {
                row: 0,
                label: 3,
                classes: 3
            }
        );
        let err =
            Dataset::<f32, 1, 3>::from_labels(&[[0.0], [1.0], [2.0]], &[0, 2, 7]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "row 2 has class label 7, expected a label below 3"
        );
    }

    #[test]
    fn from_labels_builds_one_hot_targets() {
        let data = Dataset::<f64, 2, 3>::from_labels(&[[0.0, 1.0], [2.0, 3.0]], &[2, 0]).unwrap();
        assert_eq!(data.targets(), &[[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]);
        assert_eq!(data.inputs()[1], [2.0, 3.0]);
        assert!(matches!(
            Dataset::<f64, 2, 3>::from_labels(&[[0.0, 1.0]], &[0, 1]),
            Err(DataError::CountMismatch {
                inputs: 1,
                targets: 2
            })
        ));
    }
}
