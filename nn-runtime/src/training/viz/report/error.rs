//! The typed error of the training report.

use thiserror::Error;

use crate::PredictError;
use crate::metrics::MetricError;
use crate::model::ModelError;

/// What keeps a [`TrainingReport`](super::TrainingReport) from measuring its test set or from
/// being saved.
#[derive(Debug, Error)]
pub enum ReportError {
    /// The test set's figures cannot be computed: no samples, lengths that differ, or a NaN or
    /// infinite output of the network.
    #[error("the test set cannot be measured: {0}")]
    Metric(#[from] MetricError),
    /// The network cannot run on the test set's inputs.
    #[error("the network cannot run on the test set: {0}")]
    Predict(#[from] PredictError),
    /// The class names given are not one per class of the confusion matrix.
    #[error("{names} class names for {classes} classes, expected one name per class")]
    ClassNames {
        /// The number of names given.
        names: usize,
        /// The number of classes.
        classes: usize,
    },
    /// Writing the report's file failed.
    #[error("the report cannot be saved: {0}")]
    File(#[from] ModelError),
}
