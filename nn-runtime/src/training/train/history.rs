//! What training records, epoch by epoch.

use super::MetricValues;

/// The figures of one finished epoch.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EpochRecord {
    /// The 1-based epoch number.
    pub epoch: usize,
    /// The sample-weighted mean training loss over the epoch's batches, weight penalty included.
    pub train_loss: f64,
    /// The loss on the validation data after the epoch, if there is validation data.
    pub validation_loss: Option<f64>,
    /// The training metrics, accumulated over the epoch's batches (dropout on), as Keras does.
    pub train_metrics: MetricValues,
    /// The validation metrics after the epoch, if there is validation data.
    pub validation_metrics: Option<MetricValues>,
    /// The learning rate used during the epoch.
    pub learning_rate: f64,
}

impl EpochRecord {
    /// The loss early stopping watches: the validation loss, or the training loss without
    /// validation data.
    pub fn monitored_loss(&self) -> f64 {
        self.validation_loss.unwrap_or(self.train_loss)
    }
}

/// Why training stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// The configured number of epochs ran.
    EpochLimit,
    /// The monitored loss stopped improving for `patience` epochs.
    EarlyStopping {
        /// The epoch after which training stopped.
        epoch: usize,
    },
    /// The callback given to [`fit_with`](super::Trainer::fit_with) asked to stop.
    Callback {
        /// The epoch after which training stopped.
        epoch: usize,
    },
}

impl core::fmt::Display for StopReason {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            StopReason::EpochLimit => f.write_str("stopped at the epoch limit"),
            StopReason::EarlyStopping { epoch } => write!(
                f,
                "stopped early after epoch {epoch}: the monitored loss stopped improving"
            ),
            StopReason::Callback { epoch } => {
                write!(f, "stopped after epoch {epoch}: the callback asked to stop")
            }
        }
    }
}

/// The norms of one layer's parameters and gradients, one value per finished epoch (aligned
/// with [`History::epochs`]), to see weights grow or gradients vanish or explode.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LayerHistory {
    /// The layer's name (`dense1`, `batchnorm1`).
    pub name: String,
    /// The L2 norm of the layer's trained parameters at the epoch's end: a dense layer's weight
    /// and bias, a normalization layer's scale and shift (not its running statistics).
    #[serde(with = "norms")]
    pub parameter_norms: Vec<f64>,
    /// The L2 norm of the layer's gradient (weight penalty included, before any clipping),
    /// averaged over the epoch's steps: every step of an epoch of up to 16, otherwise 16 or
    /// fewer spread evenly over it (every k-th), so that measuring costs little per epoch.
    #[serde(with = "norms")]
    pub gradient_norms: Vec<f64>,
}

/// A layer's norms in a checkpoint: numbers, with `null` for an epoch without one (NaN: the
/// epochs before a resume from a checkpoint that did not record norms), which reads back as NaN.
mod norms {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(
        values: &[f64],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(values.iter().map(|v| v.is_finite().then_some(*v)))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<f64>, D::Error> {
        let values = Vec::<Option<f64>>::deserialize(deserializer)?;
        Ok(values.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect())
    }
}

/// The record of a training run.
#[derive(Clone, Debug, PartialEq)]
pub struct History {
    /// One record per finished epoch, in order.
    pub epochs: Vec<EpochRecord>,
    /// Per layer with parameters, in layer order: its norms over the epochs.
    pub layers: Vec<LayerHistory>,
    /// The epoch with the lowest monitored loss (1-based).
    pub best_epoch: usize,
    /// Why training stopped.
    pub stop_reason: StopReason,
    /// Whether the network was given back the weights of `best_epoch` at the end.
    pub restored_best_weights: bool,
    /// The threads each step ran on: the trainer's [`threads`](super::Trainer::threads), or
    /// what [`auto_threads`](super::Trainer::auto_threads) chose, at most the cores available;
    /// 1 for a network with nothing large enough to share.
    pub threads: usize,
}

impl History {
    /// The last epoch's record.
    pub fn last(&self) -> Option<&EpochRecord> {
        self.epochs.last()
    }

    /// The best epoch's record.
    pub fn best(&self) -> Option<&EpochRecord> {
        self.epochs.get(self.best_epoch.checked_sub(1)?)
    }

    /// The training losses, one per epoch.
    pub fn train_losses(&self) -> impl Iterator<Item = f64> + '_ {
        self.epochs.iter().map(|record| record.train_loss)
    }

    /// The validation losses, one per epoch (empty without validation data).
    pub fn validation_losses(&self) -> impl Iterator<Item = f64> + '_ {
        self.epochs
            .iter()
            .filter_map(|record| record.validation_loss)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_reasons_read_as_words() {
        assert_eq!(
            StopReason::EpochLimit.to_string(),
            "stopped at the epoch limit"
        );
        assert_eq!(
            StopReason::EarlyStopping { epoch: 37 }.to_string(),
            "stopped early after epoch 37: the monitored loss stopped improving"
        );
        assert_eq!(
            StopReason::Callback { epoch: 4 }.to_string(),
            "stopped after epoch 4: the callback asked to stop"
        );
    }
}
