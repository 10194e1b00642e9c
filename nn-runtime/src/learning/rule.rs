//! The update rules a learner on a device runs: [`Sgd`] and [`Adam`], with their state held by
//! the learner in network-shaped buffers instead of on the heap. Each element is updated by the
//! same code as in the trainer, so both give the same bits.

use crate::{Adam, Float, HyperparameterError, Sgd};

/// An update rule whose state the caller holds: two buffers as long as the parameters (SGD's
/// velocity uses the first, Adam's two moment averages both).
pub trait InlineRule {
    /// Checks every hyperparameter, naming the first invalid one.
    fn check(&self) -> Result<(), HyperparameterError>;

    /// Starts a new step (advances the step count).
    fn start_step(&mut self);

    /// Updates one tensor of `parameters` from its `gradients` and its two state buffers.
    fn update_inline<T: Float>(&self, parameters: &mut [T], gradients: &[T], state: [&mut [T]; 2]);
}

impl InlineRule for Sgd {
    fn check(&self) -> Result<(), HyperparameterError> {
        Sgd::check(self)
    }

    fn start_step(&mut self) {
        self.count_step();
    }

    #[inline(always)]
    fn update_inline<T: Float>(&self, parameters: &mut [T], gradients: &[T], state: [&mut [T]; 2]) {
        let [velocity, _] = state;
        self.coefficients::<T>()
            .apply(parameters, gradients, velocity);
    }
}

impl InlineRule for Adam {
    /// As [`Adam::check`]; AMSGrad, which needs a third buffer, is refused.
    fn check(&self) -> Result<(), HyperparameterError> {
        Adam::check(self)?;
        if self.amsgrad() {
            return Err(HyperparameterError {
                name: "amsgrad",
                value: 1.0,
                expected: "off (0) in an inline learner, which keeps two moments",
            });
        }
        Ok(())
    }

    fn start_step(&mut self) {
        self.count_step();
    }

    #[inline(always)]
    fn update_inline<T: Float>(&self, parameters: &mut [T], gradients: &[T], state: [&mut [T]; 2]) {
        let [exp_avg, exp_avg_sq] = state;
        let step = self.coefficients::<T>(self.weight_decay(), 1.0);
        step.apply(parameters, gradients, exp_avg, exp_avg_sq, None);
    }
}
