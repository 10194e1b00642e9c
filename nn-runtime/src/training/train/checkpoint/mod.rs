//! Checkpoints: everything a training run needs to continue later with the same bits — the
//! network, the optimizer's state, the schedule's state, the epoch count, early stopping's
//! tracker and best weights, the history so far and the random streams — in one atomically
//! written, checksummed file; and the policy saying when the trainer writes one.

mod error;
mod file;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use error::CheckpointError;

use super::snapshot::SessionState;
use super::{EpochRecord, LayerHistory};
use crate::optim::{OptimizerState, ScheduleState};
use crate::{Network, model};

/// A training run stopped after some epoch, ready to continue: written by the trainer (see
/// [`Checkpoints`]) or taken from it with [`Trainer::checkpoint`](super::Trainer::checkpoint),
/// and resumed with [`Trainer::resume_from`](super::Trainer::resume_from).
#[derive(Clone, Debug, PartialEq)]
pub struct Checkpoint {
    /// The network, as a binary model file.
    model: Vec<u8>,
    pub(crate) state: TrainingState,
}

/// The training state a checkpoint holds beside the network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct TrainingState {
    /// The epochs finished.
    pub epoch: usize,
    /// The seed of the run.
    pub seed: u64,
    /// The number of training samples (after any validation split).
    pub samples: usize,
    /// The batch size.
    pub batch_size: usize,
    /// The records of the finished epochs.
    pub history: Vec<EpochRecord>,
    /// Each layer's norms over the finished epochs (empty in checkpoints written before they
    /// were recorded).
    #[serde(default)]
    pub layers: Vec<LayerHistory>,
    /// The best epoch so far (0 before any) and its monitored loss.
    pub best_epoch: usize,
    /// The best monitored loss, `None` before any epoch.
    pub best_loss: Option<f64>,
    /// The optimizer's learning rate before any schedule changed it.
    pub base_learning_rate: f64,
    /// The optimizer's state, learning rate of the next epoch included.
    pub optimizer: OptimizerState,
    /// The learning-rate schedule's state.
    pub schedule: ScheduleState,
    /// The sample order, random streams and best weights.
    pub session: SessionState,
}

impl TrainingState {
    /// Checks the counts and values that resuming relies on against what a run can reach: one
    /// record per epoch, a best epoch and a schedule's epochs without improvement among the
    /// epochs done, at most one optimizer step per sample and epoch, learning rates that are
    /// finite numbers >= 0, and best weights within the range of the network's type (`f32`
    /// when `f32`).
    fn check(&self, f32: bool) -> Result<(), CheckpointError> {
        let error = |message: String| Err(CheckpointError::State(message));
        if self.history.len() != self.epoch {
            return error(format!(
                "{} epoch records for {} epochs",
                self.history.len(),
                self.epoch
            ));
        }
        if self.best_epoch > self.epoch {
            return error(format!(
                "its best epoch is epoch {} of {}",
                self.best_epoch, self.epoch
            ));
        }
        if self.schedule.bad_epochs > self.epoch {
            return error(format!(
                "the schedule counts {} epochs without improvement in {} epochs",
                self.schedule.bad_epochs, self.epoch
            ));
        }
        let most_steps = (self.epoch as u64).checked_mul(self.samples as u64);
        if most_steps.is_none_or(|most| self.optimizer.steps > most) {
            return error(format!(
                "the optimizer took {} steps in {} epochs of {} samples",
                self.optimizer.steps, self.epoch, self.samples
            ));
        }
        for (name, rate) in [
            ("learning rate", self.optimizer.learning_rate),
            ("base learning rate", self.base_learning_rate),
        ] {
            if !(rate >= 0.0 && rate.is_finite()) {
                return error(format!(
                    "its {name} is {rate}, expected a finite number >= 0"
                ));
            }
        }
        let in_range = |value: f64| {
            if f32 {
                (value as f32).is_finite()
            } else {
                value.is_finite()
            }
        };
        if let Some(index) = self.session.best.iter().position(|&value| !in_range(value)) {
            return error(format!(
                "best weight {index} is {:?}, beyond the range of {}",
                self.session.best[index],
                if f32 { "f32" } else { "f64" }
            ));
        }
        Ok(())
    }
}

impl Checkpoint {
    pub(crate) fn new<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
        network: &N,
        state: TrainingState,
    ) -> Result<Self, CheckpointError> {
        Ok(Self {
            model: model::to_bytes(network)?,
            state,
        })
    }

    /// The number of epochs finished when it was taken.
    pub fn epoch(&self) -> usize {
        self.state.epoch
    }

    /// The records of the epochs finished.
    pub fn history(&self) -> &[EpochRecord] {
        &self.state.history
    }

    /// The network, checked as a model file is (name, element type, layers, values).
    pub fn network<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
        &self,
    ) -> Result<N, CheckpointError> {
        Ok(model::from_bytes(&self.model)?)
    }

    /// The checkpoint as the bytes [`save`](Self::save) writes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, CheckpointError> {
        let state = serde_json::to_vec(&self.state)
            .map_err(|error| CheckpointError::State(error.to_string()))?;
        Ok(file::encode(&self.model, &state))
    }

    /// Reads a checkpoint from bytes, checking its framing, checksum, model file and state.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CheckpointError> {
        let (model, state) = file::decode(bytes)?;
        let network = nn_format::decode(model)?;
        let state: TrainingState = serde_json::from_slice(state)
            .map_err(|error| CheckpointError::State(error.to_string()))?;
        state.check(matches!(network.values, nn_format::Values::F32(_)))?;
        Ok(Self {
            model: model.to_vec(),
            state,
        })
    }

    /// Writes the checkpoint to `path`, replacing any file there atomically: a failure leaves
    /// what was there.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), CheckpointError> {
        let bytes = self.to_bytes()?;
        Ok(model::file::write_atomic(path.as_ref(), &bytes)?)
    }

    /// Reads the checkpoint at `path`.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, CheckpointError> {
        Self::from_bytes(&model::file::read(path.as_ref())?)
    }
}

/// When and where the trainer writes checkpoints: to a path pattern in which `{epoch}` stands
/// for the epoch just finished, every few epochs and/or whenever the monitored loss improves.
///
/// ```text
/// Trainer::new(Adam::new(1e-3), SoftmaxCrossEntropy)
///     .checkpoints(Checkpoints::to("runs/digits-{epoch}.ckpt").every(5).on_improvement())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Checkpoints {
    pattern: String,
    every: Option<usize>,
    on_improvement: bool,
}

impl Checkpoints {
    /// Checkpoints written to `pattern` (`{epoch}` is replaced by the epoch number; a pattern
    /// without it is overwritten each time), after every epoch unless [`every`](Self::every) or
    /// [`on_improvement`](Self::on_improvement) says otherwise.
    pub fn to(pattern: impl Into<String>) -> Self {
        Self {
            pattern: pattern.into(),
            every: None,
            on_improvement: false,
        }
    }

    /// Writes one after every `epochs` epochs (at least 1).
    pub fn every(mut self, epochs: usize) -> Self {
        self.every = Some(epochs);
        self
    }

    /// Writes one whenever the monitored loss (the validation loss, or the training loss
    /// without validation data) improves, as early stopping counts improvement.
    pub fn on_improvement(mut self) -> Self {
        self.on_improvement = true;
        self
    }

    /// The path of the checkpoint after `epoch`.
    pub fn path(&self, epoch: usize) -> PathBuf {
        PathBuf::from(self.pattern.replace("{epoch}", &epoch.to_string()))
    }

    /// Whether to write one after `epoch`, given whether it improved the monitored loss.
    pub(crate) fn due(&self, epoch: usize, improved: bool) -> bool {
        let periodic = match self.every {
            Some(every) => epoch.is_multiple_of(every.max(1)),
            None => !self.on_improvement,
        };
        periodic || (self.on_improvement && improved)
    }

    /// Checks the settings.
    pub(crate) fn validate(&self) -> Result<(), crate::HyperparameterError> {
        if self.every == Some(0) {
            return Err(crate::HyperparameterError {
                name: "checkpoint every",
                value: 0.0,
                expected: "an integer >= 1",
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_writes_every_few_epochs_and_on_improvement() {
        let periodic = Checkpoints::to("run-{epoch}.ckpt").every(3);
        let due: Vec<usize> = (1..=7).filter(|&e| periodic.due(e, true)).collect();
        assert_eq!(due, [3, 6]);
        let improving = Checkpoints::to("best.ckpt").on_improvement();
        assert!(improving.due(2, true) && !improving.due(3, false));
        assert!(Checkpoints::to("x").due(1, false));
        assert_eq!(periodic.path(12), PathBuf::from("run-12.ckpt"));
        assert!(Checkpoints::to("x").every(0).validate().is_err());
    }
}
