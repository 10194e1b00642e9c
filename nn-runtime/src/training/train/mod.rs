//! Training: the [`Trainer`] builder and its batch/epoch loop, the allocation-free [`Session`]
//! beneath it, metrics, weight penalties, early stopping and [`evaluate`].

mod auto_threads;
mod checkpoint;
mod class_weights;
mod clipping;
mod early_stopping;
mod evaluate;
mod fused_step;
mod history;
mod layer_norms;
mod metrics;
mod pool;
mod progress;
mod regularization;
mod session;
mod snapshot;
mod trainer;
mod validation;
mod worker;

pub use checkpoint::{Checkpoint, CheckpointError, Checkpoints};
pub use class_weights::ClassWeights;
pub(crate) use class_weights::training_weights;
pub use clipping::GradientClipping;
pub use early_stopping::EarlyStopping;
pub use evaluate::{Evaluation, evaluate};
pub use history::{EpochRecord, History, LayerHistory, StopReason};
pub(crate) use metrics::class_of;
pub use metrics::{Metric, MetricValues, argmax};
pub use regularization::Penalty;
pub use session::{PassTotals, Session};
pub use snapshot::{RngState, SessionState};
pub use trainer::Trainer;
pub use validation::{NoValidationData, ValidationData, ValidationWidth};
