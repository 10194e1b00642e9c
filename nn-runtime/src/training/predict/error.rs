//! Inputs that cannot be predicted.

use thiserror::Error;

/// Why a prediction was refused.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum PredictError {
    /// The inputs and the slots for their results differ in count.
    #[error("{inputs} inputs but room for {outputs} results, expected as many of each")]
    CountMismatch {
        /// The number of inputs.
        inputs: usize,
        /// The number of output slots given.
        outputs: usize,
    },
    /// An input value is NaN or infinite.
    #[error("input {sample}, column {column} is {value}, expected a finite number")]
    NotFinite {
        /// The sample's index among the inputs.
        sample: usize,
        /// The column's index within the sample.
        column: usize,
        /// The value found.
        value: f64,
    },
    /// A predictor asked to hold no samples at all.
    #[error("a predictor's capacity is 0, expected at least 1 sample")]
    ZeroCapacity,
}
