//! The batch/epoch training loop.

mod history;
mod session;

pub use history::{EpochRecord, History, StopReason};
pub use session::{NonFiniteLoss, Session};

use crate::{
    DataError, DataWidth, HyperparameterError, Loss, Network, Optimizer, TrainError, TrainingData,
};

/// A per-epoch callback, given each finished epoch's record.
type EpochCallback<'a> = Box<dyn FnMut(&EpochRecord) + 'a>;

/// Trains a network: an optimizer and a loss, run over a dataset in shuffled batches for a number
/// of epochs.
///
/// With 1000 samples and a batch size of 100, an epoch is 10 iterations; a short last batch is
/// kept. The same seed gives bit-identical weights.
pub struct Trainer<'a, O, L> {
    optimizer: O,
    loss: L,
    batch_size: usize,
    epochs: usize,
    seed: u64,
    shuffle: bool,
    on_epoch: Option<EpochCallback<'a>>,
}

impl<'a, O: Optimizer, L> Trainer<'a, O, L> {
    /// A trainer with batch size 32, 10 epochs, shuffling on and seed 0.
    pub fn new(optimizer: O, loss: L) -> Self {
        Self {
            optimizer,
            loss,
            batch_size: 32,
            epochs: 10,
            seed: 0,
            shuffle: true,
            on_epoch: None,
        }
    }

    /// Sets the number of samples per batch (default 32).
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }

    /// Sets the number of passes over the data (default 10).
    pub fn epochs(mut self, epochs: usize) -> Self {
        self.epochs = epochs;
        self
    }

    /// Sets the seed of shuffling and dropout (default 0).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Shuffles the samples before every epoch (default on).
    pub fn shuffle(mut self, shuffle: bool) -> Self {
        self.shuffle = shuffle;
        self
    }

    /// Calls `callback` after each epoch with its record.
    pub fn on_epoch(mut self, callback: impl FnMut(&EpochRecord) + 'a) -> Self {
        self.on_epoch = Some(Box::new(callback));
        self
    }

    /// Trains `net` on `data`.
    ///
    /// Checks the hyperparameters first. On a NaN or infinite loss training stops with
    /// [`TrainError::Diverged`] and `net` holds the weights it had when that epoch began.
    ///
    /// A dataset whose widths differ from the network's does not compile.
    pub fn fit<N, D, const IN: usize, const OUT: usize, const DI: usize, const DO: usize>(
        &mut self,
        net: &mut N,
        data: &D,
    ) -> Result<History, TrainError>
    where
        N: Network<IN, OUT>,
        D: TrainingData<N::Scalar, DI, DO> + DataWidth<DI, DO, IN, OUT>,
        L: Loss<N::OutputActivation>,
    {
        let data = <D as DataWidth<DI, DO, IN, OUT>>::fit(data.dataset());
        self.validate(data.len())?;
        self.optimizer.prepare(N::LEN);
        let capacity = self.batch_size.min(data.len());
        let mut session = Session::<N, IN, OUT>::new(capacity, data.len(), self.seed);
        let mut epochs = Vec::with_capacity(self.epochs);
        for epoch in 1..=self.epochs {
            let train_loss = session
                .epoch(net, data, &mut self.optimizer, &self.loss, self.shuffle)
                .map_err(|error| TrainError::Diverged {
                    epoch,
                    iteration: error.iteration,
                    loss: error.loss,
                })?;
            let record = EpochRecord { epoch, train_loss };
            if let Some(callback) = self.on_epoch.as_mut() {
                callback(&record);
            }
            epochs.push(record);
        }
        Ok(History {
            epochs,
            stop_reason: StopReason::EpochLimit,
        })
    }

    fn validate(&self, samples: usize) -> Result<(), TrainError> {
        if samples == 0 {
            return Err(DataError::Empty.into());
        }
        let positive = |name, value: usize| {
            if value == 0 {
                Err(HyperparameterError {
                    name,
                    value: 0.0,
                    expected: "an integer >= 1",
                })
            } else {
                Ok(())
            }
        };
        positive("batch_size", self.batch_size)?;
        positive("epochs", self.epochs)?;
        self.optimizer.validate()?;
        Ok(())
    }
}
