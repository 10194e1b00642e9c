//! What training records, epoch by epoch.

/// The figures of one finished epoch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EpochRecord {
    /// The 1-based epoch number.
    pub epoch: usize,
    /// The sample-weighted mean training loss over the epoch's batches.
    pub train_loss: f64,
}

/// Why training stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// The configured number of epochs ran.
    EpochLimit,
}

/// The record of a training run.
#[derive(Clone, Debug, PartialEq)]
pub struct History {
    /// One record per finished epoch, in order.
    pub epochs: Vec<EpochRecord>,
    /// Why training stopped.
    pub stop_reason: StopReason,
}

impl History {
    /// The last epoch's record.
    pub fn last(&self) -> Option<&EpochRecord> {
        self.epochs.last()
    }

    /// The training losses, one per epoch.
    pub fn train_losses(&self) -> impl Iterator<Item = f64> + '_ {
        self.epochs.iter().map(|record| record.train_loss)
    }
}
