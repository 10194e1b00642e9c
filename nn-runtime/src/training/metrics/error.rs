//! The typed error of the metrics: input they cannot measure.

use core::fmt;

use thiserror::Error;

/// Which of a metric's inputs a value belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Values {
    /// The predictions: predicted classes or values, or a regressor's outputs.
    Predictions,
    /// The targets: true classes, labels or values.
    Targets,
    /// The scores a ranking metric orders, or a classifier's outputs.
    Scores,
}

impl fmt::Display for Values {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Values::Predictions => "prediction",
            Values::Targets => "target",
            Values::Scores => "score",
        })
    }
}

/// Predictions and targets a metric cannot measure.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum MetricError {
    /// There are no samples.
    #[error("there are no samples, expected at least one")]
    Empty,
    /// Predictions (or scores) and targets differ in count.
    #[error("there are {predictions} predictions but {targets} targets, expected as many of each")]
    LengthMismatch {
        /// The number of predictions or rows of scores.
        predictions: usize,
        /// The number of targets or labels.
        targets: usize,
    },
    /// Zero classes were given.
    #[error("the number of classes is 0, expected at least 1")]
    NoClasses,
    /// Rows of zero values were given: a regression with no outputs, or scores of no class.
    #[error("the rows have no values, expected at least one per sample")]
    NoOutputs,
    /// A class index is not below the number of classes.
    #[error("{values} of sample {sample} is class {class}, expected a class below {classes}")]
    ClassOutOfRange {
        /// Predictions or targets.
        values: Values,
        /// The sample's index.
        sample: usize,
        /// The class found.
        class: usize,
        /// The number of classes.
        classes: usize,
    },
    /// A row of scores is not as long as the first.
    #[error("{values} of sample {sample} has {found} values, expected {expected} like sample 0")]
    RowLength {
        /// Which input the row belongs to.
        values: Values,
        /// The sample's index.
        sample: usize,
        /// The row's length.
        found: usize,
        /// The first row's length.
        expected: usize,
    },
    /// A value is NaN or infinite.
    #[error("{values} of sample {sample}, column {column}, is {value}, expected a finite number")]
    NotFinite {
        /// Predictions, targets or scores.
        values: Values,
        /// The sample's index.
        sample: usize,
        /// The value's column in its row (0 for a single value per sample).
        column: usize,
        /// The value found.
        value: f64,
    },
    /// A `k` of top-k accuracy that is 0 or more than the number of classes.
    #[error("k = {k} is invalid, expected a k from 1 to {classes} (the number of classes)")]
    InvalidK {
        /// The `k` given.
        k: usize,
        /// The number of classes.
        classes: usize,
    },
    /// ROC AUC of labels that are all positive or all negative, where it is undefined
    /// (scikit-learn warns and returns NaN).
    #[error(
        "the labels have {positives} positive and {negatives} negative samples, but ROC AUC needs at least one of each"
    )]
    OneClass {
        /// The number of positive samples.
        positives: usize,
        /// The number of negative samples.
        negatives: usize,
    },
    /// ROC AUC of a network that is not a binary classifier.
    #[error(
        "ROC AUC needs a binary classifier, with one output (the positive class's probability) or two (one per class), found {outputs} outputs"
    )]
    NotBinary {
        /// The network's number of outputs.
        outputs: usize,
    },
}

/// The first of `values` that is NaN or infinite, as a [`MetricError::NotFinite`] naming
/// `sample` and the column.
pub(super) fn check_finite<T: crate::Float>(
    values: &[T],
    which: Values,
    sample: usize,
) -> Result<(), MetricError> {
    match values.iter().position(|v| !v.is_finite_value()) {
        None => Ok(()),
        Some(column) => Err(MetricError::NotFinite {
            values: which,
            sample,
            column,
            value: values[column].as_f64(),
        }),
    }
}

/// That `predictions` and `targets` count as many samples, and at least one.
pub(super) fn check_lengths(predictions: usize, targets: usize) -> Result<(), MetricError> {
    if predictions != targets {
        return Err(MetricError::LengthMismatch {
            predictions,
            targets,
        });
    }
    if predictions == 0 {
        return Err(MetricError::Empty);
    }
    Ok(())
}
