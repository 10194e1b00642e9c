//! The confusion matrix: how often each true class was predicted as each class.

use core::fmt;

use super::ClassificationReport;
use super::error::{MetricError, Values, check_lengths};

/// Counts of samples by true class (rows) and predicted class (columns), as scikit-learn's
/// `confusion_matrix(actual, predicted, labels=range(classes))`.
///
/// Print it with `{}`: a table headed `true\pred`, one row per true class.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfusionMatrix {
    classes: usize,
    /// Row-major: `counts[actual * classes + predicted]`.
    counts: Vec<usize>,
}

impl ConfusionMatrix {
    /// Counts `predicted` against `actual`, class indices in `0..classes`, one of each per
    /// sample.
    ///
    /// Errors: [`MetricError::NoClasses`] for 0 classes, [`MetricError::LengthMismatch`] when
    /// the slices differ in length, [`MetricError::Empty`] when they are empty and
    /// [`MetricError::ClassOutOfRange`] naming the first sample whose class is `classes` or
    /// more.
    pub fn from_predictions(
        classes: usize,
        predicted: &[usize],
        actual: &[usize],
    ) -> Result<Self, MetricError> {
        if classes == 0 {
            return Err(MetricError::NoClasses);
        }
        check_lengths(predicted.len(), actual.len())?;
        let mut counts = vec![0; classes * classes];
        for (sample, (&p, &a)) in predicted.iter().zip(actual).enumerate() {
            for (class, values) in [(a, Values::Targets), (p, Values::Predictions)] {
                if class >= classes {
                    return Err(MetricError::ClassOutOfRange {
                        values,
                        sample,
                        class,
                        classes,
                    });
                }
            }
            counts[a * classes + p] += 1;
        }
        Ok(Self { classes, counts })
    }

    /// The number of classes: the matrix is `classes × classes`.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// The number of samples of class `actual` predicted as `predicted`, or `None` when either
    /// is not below [`classes`](Self::classes).
    pub fn get(&self, actual: usize, predicted: usize) -> Option<usize> {
        (actual < self.classes && predicted < self.classes)
            .then(|| self.counts[actual * self.classes + predicted])
    }

    /// The rows in class order: row `c` counts the samples of true class `c` by predicted class.
    pub fn rows(&self) -> impl ExactSizeIterator<Item = &[usize]> {
        self.counts.chunks_exact(self.classes)
    }

    /// The counts row by row (`actual * classes + predicted`).
    pub fn as_slice(&self) -> &[usize] {
        &self.counts
    }

    /// The number of samples counted.
    pub fn samples(&self) -> usize {
        self.counts.iter().sum()
    }

    /// The number of samples of each true class (the row sums), scikit-learn's support.
    pub fn support(&self) -> Vec<usize> {
        self.rows().map(|row| row.iter().sum()).collect()
    }

    /// The number of samples predicted as each class (the column sums).
    pub fn predicted(&self) -> Vec<usize> {
        (0..self.classes)
            .map(|column| self.rows().map(|row| row[column]).sum())
            .collect()
    }

    /// The number of samples on the diagonal: predicted right.
    pub fn correct(&self) -> usize {
        self.rows().enumerate().map(|(class, row)| row[class]).sum()
    }

    /// The fraction of samples predicted right.
    pub fn accuracy(&self) -> f64 {
        self.correct() as f64 / self.samples() as f64
    }

    /// Per-class precision, recall and F1 with their averages: see [`ClassificationReport`].
    pub fn report(&self) -> ClassificationReport {
        ClassificationReport::from_confusion(self)
    }
}

impl fmt::Display for ConfusionMatrix {
    /// A header `true\pred` and the predicted classes, then a row per true class: its index
    /// right-aligned under the header and its counts under the classes, in columns 5 wide (wider
    /// if a count needs it). No newline at the end.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let largest = self.counts.iter().copied().max().unwrap_or(0);
        let width = (decimal_digits(largest.max(self.classes - 1)) + 1).max(5);
        write!(f, "true\\pred")?;
        for class in 0..self.classes {
            write!(f, "{class:>width$}")?;
        }
        for (class, row) in self.rows().enumerate() {
            write!(f, "\n{class:>9}")?;
            for count in row {
                write!(f, "{count:>width$}")?;
            }
        }
        Ok(())
    }
}

/// The number of decimal digits of `n`.
fn decimal_digits(n: usize) -> usize {
    n.checked_ilog10().map_or(1, |log| log as usize + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_true_classes_and_columns_predicted_ones() {
        let matrix = ConfusionMatrix::from_predictions(3, &[0, 2, 2, 1], &[0, 1, 2, 1]).unwrap();
        assert_eq!(matrix.as_slice(), &[1, 0, 0, 0, 1, 1, 0, 0, 1]);
        assert_eq!(matrix.get(1, 2), Some(1));
        assert_eq!(matrix.get(3, 0), None);
        assert_eq!(matrix.support(), [1, 2, 1]);
        assert_eq!(matrix.predicted(), [1, 1, 2]);
        assert_eq!((matrix.samples(), matrix.correct()), (4, 3));
        assert_eq!(matrix.accuracy(), 0.75);
    }

    #[test]
    fn prints_like_the_digits_example_did() {
        let matrix = ConfusionMatrix::from_predictions(3, &[0, 2, 2, 1], &[0, 1, 2, 1]).unwrap();
        assert_eq!(
            matrix.to_string(),
            "true\\pred    0    1    2\n        0    1    0    0\n        1    0    1    1\n        2    0    0    1"
        );
        // Columns widen for a count of 5 digits.
        let many = vec![0; 12_345];
        let matrix = ConfusionMatrix::from_predictions(2, &many, &many).unwrap();
        assert_eq!(
            matrix.to_string(),
            "true\\pred     0     1\n        0 12345     0\n        1     0     0"
        );
    }

    #[test]
    fn bad_input_is_an_error_naming_it() {
        assert_eq!(
            ConfusionMatrix::from_predictions(2, &[], &[]),
            Err(MetricError::Empty)
        );
        assert_eq!(
            ConfusionMatrix::from_predictions(0, &[0], &[0]),
            Err(MetricError::NoClasses)
        );
        assert_eq!(
            ConfusionMatrix::from_predictions(2, &[0, 1], &[0]),
            Err(MetricError::LengthMismatch {
                predictions: 2,
                targets: 1
            })
        );
        let error = ConfusionMatrix::from_predictions(2, &[0, 2], &[0, 1]).unwrap_err();
        assert_eq!(
            error,
            MetricError::ClassOutOfRange {
                values: Values::Predictions,
                sample: 1,
                class: 2,
                classes: 2
            }
        );
        assert_eq!(
            error.to_string(),
            "prediction of sample 1 is class 2, expected a class below 2"
        );
        assert!(matches!(
            ConfusionMatrix::from_predictions(2, &[0], &[5]),
            Err(MetricError::ClassOutOfRange {
                values: Values::Targets,
                class: 5,
                ..
            })
        ));
    }
}
