//! Early stopping on the monitored loss (Prechelt, 1998, "Early Stopping — But When?").

use crate::HyperparameterError;
use crate::learning::error::require;

/// Stops training once the monitored loss (the validation loss, or the training loss when there
/// is no validation data) has not improved by more than `min_delta` for `patience` epochs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EarlyStopping {
    /// Epochs without improvement tolerated before stopping (default 5).
    pub patience: usize,
    /// The least decrease that counts as an improvement (default 0).
    pub min_delta: f64,
    /// Whether to give the network back the weights of its best epoch when training ends, by
    /// early stopping or by reaching the epoch limit (default true).
    pub restore_best_weights: bool,
}

impl Default for EarlyStopping {
    fn default() -> Self {
        Self {
            patience: 5,
            min_delta: 0.0,
            restore_best_weights: true,
        }
    }
}

impl EarlyStopping {
    /// Early stopping with the given patience and the other settings at their defaults.
    pub fn new(patience: usize) -> Self {
        Self {
            patience,
            ..Self::default()
        }
    }

    /// Sets the least decrease that counts as an improvement.
    pub fn with_min_delta(mut self, min_delta: f64) -> Self {
        self.min_delta = min_delta;
        self
    }

    /// Sets whether the best weights are restored at the end.
    pub fn with_restore_best_weights(mut self, restore: bool) -> Self {
        self.restore_best_weights = restore;
        self
    }

    /// Checks `min_delta` is finite and non-negative.
    pub fn validate(&self) -> Result<(), HyperparameterError> {
        require("min_delta", self.min_delta, "a finite number >= 0", |v| {
            v >= 0.0 && v.is_finite()
        })
    }
}

/// The best epoch so far and how long ago it was.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct BestTracker {
    pub best_loss: f64,
    pub best_epoch: usize,
}

impl BestTracker {
    pub(crate) fn new() -> Self {
        Self {
            best_loss: f64::INFINITY,
            best_epoch: 0,
        }
    }

    /// Records `loss` for `epoch`; returns whether it improved on the best by more than
    /// `min_delta`.
    pub(crate) fn observe(&mut self, epoch: usize, loss: f64, min_delta: f64) -> bool {
        let improved = loss < self.best_loss - min_delta;
        if improved {
            self.best_loss = loss;
            self.best_epoch = epoch;
        }
        improved
    }

    /// Epochs since the best one.
    pub(crate) fn epochs_since_best(&self, epoch: usize) -> usize {
        epoch - self.best_epoch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn improvements_smaller_than_min_delta_do_not_count() {
        let mut best = BestTracker::new();
        assert!(best.observe(1, 1.0, 0.1));
        assert!(!best.observe(2, 0.95, 0.1));
        assert!(best.observe(3, 0.85, 0.1));
        assert_eq!(best.best_epoch, 3);
        assert_eq!(best.epochs_since_best(5), 2);
    }
}
