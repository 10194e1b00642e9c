//! Why a checkpoint could not be written, read or resumed from.

use thiserror::Error;

use crate::model::ModelError;

/// A checkpoint that could not be written, read or resumed from. Each says what was found and
/// what was expected.
#[derive(Debug, Error)]
pub enum CheckpointError {
    /// The file could not be read or written, or the network in it is not the one expected
    /// (the words of model files).
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The file does not start as a checkpoint does.
    #[error("the file is not an nn checkpoint: it starts with `{found}`, expected `nn-ckpt`")]
    Format {
        /// The first bytes, escaped.
        found: String,
    },
    /// A checkpoint of another format version.
    #[error("the checkpoint has format version {found}, expected version {expected}")]
    Version {
        /// The version in the file.
        found: u32,
        /// The version read.
        expected: u32,
    },
    /// The file ends early.
    #[error("the checkpoint is truncated: it ends in its {what}")]
    Truncated {
        /// The part that is cut short.
        what: &'static str,
    },
    /// The file's checksum does not match its content.
    #[error(
        "the checkpoint is corrupt: checksum mismatch (stored {stored:08x}, computed {computed:08x})"
    )]
    Checksum {
        /// The checksum in the file.
        stored: u32,
        /// The checksum of the content.
        computed: u32,
    },
    /// The training state in the file cannot be read.
    #[error("the checkpoint's training state is malformed: {0}")]
    State(String),
    /// The checkpoint does not fit the training it is resumed in: another optimizer, data size
    /// or number of epochs.
    #[error("the checkpoint cannot resume this training: {0}")]
    Mismatch(String),
    /// The optimizer cannot save its state.
    #[error("the optimizer cannot be checkpointed: it gives no state (`Optimizer::state`)")]
    UnsupportedOptimizer,
}
