//! Prediction: a network's outputs, classes and probabilities for many inputs, in batches through
//! the kernels that training and evaluation use.
//!
//! - [`Predictor`] holds the buffers for a batch capacity and then predicts into the caller's
//!   slices without allocating.
//! - [`predict`], [`predict_classes`] and [`predict_probabilities`] allocate their results, for
//!   one-off use.
//! - [`ProbabilityOutput`] marks the output activations whose outputs are probabilities, the only
//!   networks that `predict_probabilities` accepts.

mod error;
mod one_off;
mod predictor;
mod probability;

pub use error::PredictError;
pub use one_off::{predict, predict_classes, predict_probabilities};
pub use predictor::Predictor;
pub use probability::ProbabilityOutput;
