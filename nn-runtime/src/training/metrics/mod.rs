//! Metrics as functions of predictions and targets, checked against scikit-learn.
//!
//! - Classification, from class indices: [`accuracy`], the [`ConfusionMatrix`] (printed with
//!   `{}`), and the [`ClassificationReport`] of per-class precision, recall and F1 with their
//!   macro and weighted averages. From a row of scores per sample: [`top_k_accuracy`].
//! - Binary classification, from scores and labels: [`roc_auc`].
//! - Regression: [`RegressionMetrics`], the MSE, RMSE, MAE and R².
//! - Of a network on a [`Dataset`](crate::Dataset), running it in batches as
//!   [`evaluate`](crate::evaluate) does: [`confusion_matrix`], [`classification_report`],
//!   [`top_k_accuracy_of`], [`roc_auc_of`] and [`regression_metrics`].
//!
//! Each follows the scikit-learn function its doc names, edge cases included (a ratio with a
//! zero denominator is 0, R² of a constant target is 1 or 0). Input a metric cannot measure —
//! no samples, lengths that differ, a class out of range, a NaN score, a `k` out of range —
//! is a [`MetricError`] naming the problem.

mod classification;
mod confusion;
mod error;
mod network;
mod regression;
mod roc;
mod top_k;

pub use classification::{ClassScores, ClassificationReport, accuracy};
pub use confusion::ConfusionMatrix;
pub use error::{MetricError, Values};
pub use network::{
    classification_report, confusion_matrix, regression_metrics, roc_auc_of, top_k_accuracy_of,
};
pub use regression::RegressionMetrics;
pub use roc::roc_auc;
pub use top_k::top_k_accuracy;
