//! Typed errors of the runtime: bad data, bad hyperparameters, divergence.

use thiserror::Error;

/// Which side of a sample a value belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The network's input.
    Input,
    /// The training target.
    Target,
}

impl core::fmt::Display for Side {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Side::Input => "input",
            Side::Target => "target",
        })
    }
}

/// A dataset that cannot be used.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum DataError {
    /// There are no samples.
    #[error("the dataset is empty, expected at least one sample")]
    Empty,
    /// Inputs and targets differ in count.
    #[error(
        "the dataset has {inputs} input rows but {targets} target rows, expected as many of each"
    )]
    CountMismatch {
        /// The number of input rows.
        inputs: usize,
        /// The number of target rows.
        targets: usize,
    },
    /// A row has the wrong number of values.
    #[error("{side} row {row} has {found} values, expected {expected}")]
    RowLength {
        /// Input or target.
        side: Side,
        /// The row's index.
        row: usize,
        /// Its length.
        found: usize,
        /// The network's width on that side.
        expected: usize,
    },
    /// A value is NaN or infinite.
    #[error("{side} row {row}, column {column} is {value}, expected a finite number")]
    NotFinite {
        /// Input or target.
        side: Side,
        /// The row's index.
        row: usize,
        /// The column's index.
        column: usize,
        /// The value found.
        value: f64,
    },
}

/// A hyperparameter outside its valid range.
#[derive(Clone, Debug, Error, PartialEq)]
#[error("invalid hyperparameter `{name}` = {value}, expected {expected}")]
pub struct HyperparameterError {
    /// The hyperparameter's name (`lr`, `momentum`).
    pub name: &'static str,
    /// The value given.
    pub value: f64,
    /// The valid range, in words.
    pub expected: &'static str,
}

/// Why training failed. Nothing is lost: on divergence the last good weights are restored.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum TrainError {
    /// A hyperparameter is invalid.
    #[error(transparent)]
    Hyperparameter(#[from] HyperparameterError),
    /// The training data is unusable.
    #[error(transparent)]
    Data(#[from] DataError),
    /// The loss became NaN or infinite. The network holds the weights from the start of `epoch`.
    #[error(
        "the loss diverged to {loss} at epoch {epoch}, iteration {iteration}; the weights from the start of epoch {epoch} were restored"
    )]
    Diverged {
        /// The 1-based epoch.
        epoch: usize,
        /// The 1-based iteration within the epoch.
        iteration: usize,
        /// The loss value seen.
        loss: f64,
    },
}

/// Checks `check(value)`, or returns an error naming the hyperparameter and its valid range.
pub(crate) fn require(
    name: &'static str,
    value: f64,
    expected: &'static str,
    check: impl Fn(f64) -> bool,
) -> Result<(), HyperparameterError> {
    if !value.is_nan() && check(value) {
        Ok(())
    } else {
        Err(HyperparameterError {
            name,
            value,
            expected,
        })
    }
}
