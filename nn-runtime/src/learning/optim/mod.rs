//! Optimizers. Each sees the parameters as flat tensors with a [`TensorKind`] tag, so one loop
//! serves every network; its state is one flat buffer allocated before training starts.
//! [`LrSchedule`] changes an optimizer's learning rate between epochs.

mod adam;
#[cfg(feature = "train")]
mod adamw;
#[cfg(feature = "train")]
mod custom_rate;
#[cfg(all(test, feature = "train"))]
mod paths_tests;
#[cfg(feature = "train")]
mod rmsprop;
#[cfg(feature = "train")]
mod schedule;
mod sgd;
mod state;

pub use adam::Adam;
#[cfg(feature = "train")]
pub use adamw::AdamW;
#[cfg(feature = "train")]
pub use rmsprop::RmsProp;
#[cfg(feature = "train")]
pub use schedule::{LrSchedule, ScheduleState};
pub use sgd::Sgd;
#[cfg(feature = "train")]
pub(crate) use state::SharedState;
#[cfg(feature = "train")]
pub use state::{OptimizerState, StateBuffer};

#[cfg(feature = "train")]
use crate::{Float, HyperparameterError, TensorKind};

/// An update rule for parameters from their gradients, with its state on the heap: what the
/// trainer drives.
#[cfg(feature = "train")]
pub trait Optimizer: Send {
    /// Checks every hyperparameter, naming the first invalid one.
    fn validate(&self) -> Result<(), HyperparameterError>;

    /// The current learning rate.
    fn learning_rate(&self) -> f64;

    /// Sets the learning rate, as a schedule does between epochs.
    fn set_learning_rate(&mut self, lr: f64);

    /// Allocates state for `parameters` values of type `T` and resets the step count. Called
    /// once before training.
    fn prepare<T: Float>(&mut self, parameters: usize);

    /// Starts a new step (advances step counters).
    fn begin_step(&mut self) {}

    /// Updates one tensor. `offset` is the tensor's position in the flat parameter order, which
    /// indexes the optimizer's state.
    ///
    /// The optimizers here are `#[inline(always)]`: inlined into each of a network's per-tensor
    /// calls, their loops see the tensor's length as a constant, and tiny tensors' updates are
    /// unrolled without a call each (a 2-4-1 network's step: 7 % fewer instructions).
    fn update<T: Float>(
        &mut self,
        kind: TensorKind,
        parameters: &mut [T],
        gradients: &[T],
        offset: usize,
    );

    /// The current step's update as a handle that several threads run at once, each on its own
    /// elements, or `None` (the default) to update whole tensors through
    /// [`update`](Self::update) only.
    ///
    /// An optimizer whose update of each parameter reads and writes only that parameter, its
    /// gradient and its own state at the parameter's offset (every optimizer here) returns one:
    /// the trainer then updates a large layer's weights piece by piece while their gradient is
    /// computed (the fused update), and each piece must come out as `update` would make it.
    /// Called after [`begin_step`](Self::begin_step), at most once per step.
    fn elementwise<T: Float>(&mut self) -> Option<impl ElementwiseUpdate<T>> {
        None::<WholeTensors>
    }

    /// The state a checkpoint saves, or `None` for an optimizer that cannot be checkpointed
    /// (the default, for optimizers of one's own).
    fn state(&self) -> Option<OptimizerState> {
        None
    }

    /// Restores a state saved by [`state`](Self::state), after [`prepare`](Self::prepare) for
    /// the same network. An error says what differs.
    fn restore_state(&mut self, state: &OptimizerState) -> Result<(), String> {
        Err(format!(
            "this optimizer cannot restore the state of `{}`",
            state.kind
        ))
    }
}

/// One step of an element-wise optimizer, run by several threads at once on disjoint pieces of
/// the parameters: what [`Optimizer::elementwise`] returns.
#[cfg(feature = "train")]
pub trait ElementwiseUpdate<T>: Sync {
    /// Updates `parameters`, whose flat position in the parameter order starts at `offset`,
    /// from their `gradients`, as [`Optimizer::update`] would in this step.
    ///
    /// # Safety
    /// Calls that run at the same time update disjoint runs `offset..offset + parameters.len()`,
    /// each within the parameters the optimizer was prepared for.
    unsafe fn update(&self, kind: TensorKind, parameters: &mut [T], gradients: &[T], offset: usize);
}

/// The [`ElementwiseUpdate`] of an optimizer that has none: no value exists.
#[cfg(feature = "train")]
#[derive(Debug)]
pub enum WholeTensors {}

#[cfg(feature = "train")]
impl<T> ElementwiseUpdate<T> for WholeTensors {
    unsafe fn update(&self, _: TensorKind, _: &mut [T], _: &[T], _: usize) {
        match *self {}
    }
}

/// Runs `optimizer` on a single weight starting at 1 through the gradients `steps`, one step
/// each, and returns the weight: the harness of the optimizers' worked examples.
#[cfg(all(test, feature = "train"))]
pub(crate) fn run_steps(mut optimizer: impl Optimizer, steps: &[f64]) -> f64 {
    optimizer.validate().unwrap();
    optimizer.prepare::<f64>(1);
    let mut weight = [1.0f64];
    for &gradient in steps {
        optimizer.begin_step();
        optimizer.update(TensorKind::Weight, &mut weight, &[gradient], 0);
    }
    weight[0]
}

/// Runs `optimizer` on a single `f32` weight starting at 0.5 for `steps` steps, the gradient 1
/// on the first and 0 after, and checks after each that no value of its state (read by `state`)
/// is subnormal. Returns the weights after each step and the final state: the harness of the
/// optimizers' flush tests.
#[cfg(all(test, feature = "train"))]
pub(crate) fn decay_to_zero<O: Optimizer>(
    mut optimizer: O,
    steps: usize,
    state: impl Fn(&mut O) -> Vec<f32>,
) -> (Vec<f32>, Vec<f32>) {
    optimizer.validate().unwrap();
    optimizer.prepare::<f32>(1);
    let mut weight = [0.5f32];
    let mut weights = Vec::with_capacity(steps);
    for step in 0..steps {
        optimizer.begin_step();
        let gradient = if step == 0 { 1.0 } else { 0.0 };
        optimizer.update(TensorKind::Weight, &mut weight, &[gradient], 0);
        weights.push(weight[0]);
        let values = state(&mut optimizer);
        assert!(
            values.iter().all(|v| !v.is_subnormal()),
            "step {step}: subnormal state {values:?}"
        );
    }
    (weights, state(&mut optimizer))
}

#[cfg(all(test, feature = "train"))]
mod tests {
    use super::*;

    /// Updates two one-value tensors at offsets 0 and 1 together, and each alone, for three
    /// steps: with separate state the results agree exactly.
    fn keeps_separate_state<O: Optimizer + Clone>(optimizer: O) {
        let (ga, gb) = ([2.0, -1.0, 0.5], [-3.0, 0.25, 4.0]);
        let mut together = optimizer.clone();
        together.validate().unwrap();
        together.prepare::<f64>(2);
        let (mut a, mut b) = ([1.0f64], [-0.5f64]);
        for step in 0..3 {
            together.begin_step();
            together.update(TensorKind::Weight, &mut a, &[ga[step]], 0);
            together.update(TensorKind::Bias, &mut b, &[gb[step]], 1);
        }
        let alone = |start: f64, grads: [f64; 3]| {
            let mut optimizer = optimizer.clone();
            optimizer.prepare::<f64>(1);
            let mut p = [start];
            for g in grads {
                optimizer.begin_step();
                optimizer.update(TensorKind::Weight, &mut p, &[g], 0);
            }
            p[0]
        };
        assert_eq!(a[0], alone(1.0, ga));
        assert_eq!(b[0], alone(-0.5, gb));
        assert_ne!(a[0], 1.0);
        assert_ne!(b[0], -0.5);
    }

    #[test]
    fn tensors_at_different_offsets_keep_separate_state() {
        keeps_separate_state(Sgd::new(0.1).with_momentum(0.9));
        keeps_separate_state(
            RmsProp::new(0.01)
                .with_momentum(0.9)
                .with_centered(true)
                .with_weight_decay(0.1),
        );
        keeps_separate_state(Adam::new(0.1).with_amsgrad(true).with_weight_decay(0.1));
        keeps_separate_state(AdamW::new(0.1).with_amsgrad(true));
    }

    /// Updates 257 values as one tensor (a loop long enough for the AVX2 build, where the CPU
    /// has it) and one value at a time (the baseline build) for three steps: bit-identical.
    fn long_and_short_loops_agree<O: Optimizer + Clone>(optimizer: O) {
        const LEN: usize = 257;
        let start: Vec<f32> = (0..LEN).map(|i| (i as f32 * 0.37).sin()).collect();
        let gradient = |step: usize, i: usize| ((i * 7 + step * 3) as f32 * 0.11).cos();
        let (mut whole, mut single) = (optimizer.clone(), optimizer);
        whole.validate().unwrap();
        whole.prepare::<f32>(LEN);
        single.prepare::<f32>(LEN);
        let (mut a, mut b) = (start.clone(), start);
        for step in 0..3 {
            let gradients: Vec<f32> = (0..LEN).map(|i| gradient(step, i)).collect();
            whole.begin_step();
            whole.update(TensorKind::Weight, &mut a, &gradients, 0);
            single.begin_step();
            for (i, value) in b.iter_mut().enumerate() {
                let value = core::slice::from_mut(value);
                single.update(TensorKind::Weight, value, &gradients[i..=i], i);
            }
        }
        let bits = |values: &[f32]| values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&a), bits(&b));
    }

    #[test]
    fn long_and_short_loops_give_the_same_bits() {
        long_and_short_loops_agree(Sgd::new(0.1).with_momentum(0.9).with_nesterov(true));
        long_and_short_loops_agree(Sgd::new(0.1).with_weight_decay(0.01));
        long_and_short_loops_agree(RmsProp::new(0.01).with_momentum(0.9).with_centered(true));
        long_and_short_loops_agree(Adam::new(0.01).with_weight_decay(0.1));
        long_and_short_loops_agree(AdamW::new(0.01).with_amsgrad(true));
    }

    #[test]
    fn learning_rates_can_be_set() {
        fn check<O: Optimizer>(mut optimizer: O, default: f64) {
            assert_eq!(optimizer.learning_rate(), default);
            optimizer.set_learning_rate(0.5);
            assert_eq!(optimizer.learning_rate(), 0.5);
        }
        check(RmsProp::default(), 0.01);
        check(Adam::default(), 1e-3);
        check(AdamW::default(), 1e-3);
    }
}
