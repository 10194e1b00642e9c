//! Training and I/O, behind the `train` feature: heap-backed layers and batches, losses,
//! optimizers, datasets, the trainer, threads, progress, metrics and model files.

pub(crate) mod batch;
pub mod data;
pub(crate) mod data_width;
pub(crate) mod dense;
mod dense_serde;
pub(crate) mod dropout;
pub(crate) mod error;
pub(crate) mod fused;
pub(crate) mod init;
pub mod metrics;
pub mod model;
pub(crate) mod network;
pub(crate) mod norm;
pub(crate) mod parallel;
pub(crate) mod predict;
pub(crate) mod team;
pub mod train;
pub mod viz;
pub(crate) mod workspace;
