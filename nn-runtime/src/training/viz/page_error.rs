//! Why a picture of a network was refused or not saved.

use thiserror::Error;

use crate::{HyperparameterError, Side};
use nn_format::ModelError;

/// Why [`network_page`](super::network_page) or a `save_*` function failed.
#[derive(Debug, Error)]
pub enum VizError {
    /// A value of the sample is NaN or infinite.
    #[error("{side} value {index} is {value}, expected a finite number")]
    NotFinite {
        /// Whether the value is the input's or the target's.
        side: Side,
        /// The value's index within the sample.
        index: usize,
        /// The value found.
        value: f64,
    },
    /// The network normalizes by batch statistics, which a single sample does not have.
    #[error(
        "`{layer}` normalizes by batch statistics, which one sample does not have: nn trains it \
         on batches of at least 2 samples, so a one-sample training step cannot be shown \
         (LayerNorm normalizes each sample by itself; `save_network_svg` draws any network)"
    )]
    BatchStatistics {
        /// The first `BatchNorm` layer's name (`batchnorm1`).
        layer: &'static str,
    },
    /// The network's [`Network`](crate::Network) implementation traces no layer (a hand-written
    /// one that keeps the default `for_each_layer_trace`).
    #[error("`{network}` traces no layer: only networks declared with `network!` can be drawn")]
    NoTrace {
        /// The network's name.
        network: &'static str,
    },
    /// The optimizer or the penalty has an invalid hyperparameter.
    #[error(transparent)]
    Hyperparameter(#[from] HyperparameterError),
    /// The file could not be written.
    #[error(transparent)]
    File(#[from] ModelError),
}
