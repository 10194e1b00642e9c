//! Optimizers. Each sees the parameters as flat tensors with a [`TensorKind`] tag, so one loop
//! serves every network; its state is one flat buffer allocated before training starts.

mod sgd;

pub use sgd::Sgd;

use crate::{Float, HyperparameterError, TensorKind};

/// An update rule for parameters from their gradients.
pub trait Optimizer {
    /// Checks every hyperparameter, naming the first invalid one.
    fn validate(&self) -> Result<(), HyperparameterError>;

    /// The current learning rate.
    fn learning_rate(&self) -> f64;

    /// Sets the learning rate, as a schedule does between epochs.
    fn set_learning_rate(&mut self, lr: f64);

    /// Allocates state for `parameters` values. Called once before training.
    fn prepare(&mut self, parameters: usize);

    /// Starts a new step (advances step counters).
    fn begin_step(&mut self) {}

    /// Updates one tensor. `offset` is the tensor's position in the flat parameter order, which
    /// indexes the optimizer's state.
    fn update<T: Float>(
        &mut self,
        kind: TensorKind,
        parameters: &mut [T],
        gradients: &[T],
        offset: usize,
    );
}
