//! Hyperparameters outside their valid range, checked before anything trains.

use thiserror::Error;

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

/// Why a learner's step did not update the network. The network is left as it was.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum LearnError {
    /// A hyperparameter of the update rule is invalid.
    #[error(transparent)]
    Hyperparameter(#[from] HyperparameterError),
    /// The inputs and targets hold different numbers of samples.
    #[error("the batch has {inputs} inputs but {targets} targets, expected as many of each")]
    Mismatch {
        /// The number of inputs.
        inputs: usize,
        /// The number of targets.
        targets: usize,
    },
    /// The batch is empty or larger than the learner's capacity.
    #[error("the batch has {found} samples, expected 1 to {capacity}")]
    BatchSize {
        /// The number of samples given.
        found: usize,
        /// The learner's batch capacity.
        capacity: usize,
    },
    /// The loss is NaN or infinite, so the step was not taken.
    #[error("the loss diverged to {loss}; the step was not taken")]
    Diverged {
        /// The loss value.
        loss: f64,
    },
}

/// Checks a learner's batch: as many inputs as targets, and 1 to `capacity` of them.
pub fn check_learning_batch(
    inputs: usize,
    targets: usize,
    capacity: usize,
) -> Result<(), LearnError> {
    if inputs != targets {
        return Err(LearnError::Mismatch { inputs, targets });
    }
    if inputs == 0 || inputs > capacity {
        return Err(LearnError::BatchSize {
            found: inputs,
            capacity,
        });
    }
    Ok(())
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
