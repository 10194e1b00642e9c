//! Stochastic gradient descent with momentum, as PyTorch's `torch.optim.SGD`.

#[cfg(feature = "train")]
use super::{ElementwiseUpdate, Optimizer, OptimizerState, SharedState, StateBuffer};
#[cfg(feature = "train")]
use crate::TensorKind;
use crate::learning::error::require;
use crate::learning::pieces as parallel;
use crate::{Float, HyperparameterError};

/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum
/// (Sutskever et al., 2013) and L2 weight decay, following PyTorch's update:
///
/// ```text
/// g ← ∇θ + weight_decay·θ
/// b ← g                                  (first step)
/// b ← momentum·b + (1 − dampening)·g      (later steps)
/// g ← g + momentum·b  (Nesterov)   or   g ← b
/// θ ← θ − lr·g
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Sgd {
    lr: f64,
    momentum: f64,
    dampening: f64,
    nesterov: bool,
    weight_decay: f64,
    #[cfg(feature = "train")]
    velocity: StateBuffer,
    steps: u64,
}

impl Sgd {
    /// Plain SGD with learning rate `lr` (no momentum, no weight decay).
    pub const fn new(lr: f64) -> Self {
        Self {
            lr,
            momentum: 0.0,
            dampening: 0.0,
            nesterov: false,
            weight_decay: 0.0,
            #[cfg(feature = "train")]
            velocity: StateBuffer::new(),
            steps: 0,
        }
    }

    /// Sets the momentum factor (default 0).
    pub const fn with_momentum(mut self, momentum: f64) -> Self {
        self.momentum = momentum;
        self
    }

    /// Sets the dampening of momentum (default 0).
    pub const fn with_dampening(mut self, dampening: f64) -> Self {
        self.dampening = dampening;
        self
    }

    /// Switches Nesterov momentum on or off (default off).
    pub const fn with_nesterov(mut self, nesterov: bool) -> Self {
        self.nesterov = nesterov;
        self
    }

    /// Sets the L2 weight decay added to the gradient (default 0): each step adds
    /// `weight_decay·θ` to the gradient of every parameter, weights, biases and normalization
    /// scales and shifts alike, as PyTorch's `weight_decay` does (same value, same effect), and
    /// nothing to the reported loss.
    ///
    /// The trainer's `l2(λ)` (`Trainer::l2`) differs: it penalizes `λ·Σw²` on dense
    /// weights only, adding `2λ·w` to their gradients and the penalty to the loss; on the
    /// weights, `with_weight_decay(2λ)` equals `.l2(λ)`, and PyTorch's `weight_decay=λ` equals
    /// `.l2(λ / 2)` (which leaves the biases undecayed).
    pub const fn with_weight_decay(mut self, weight_decay: f64) -> Self {
        self.weight_decay = weight_decay;
        self
    }
}

#[cfg(feature = "train")]
impl Optimizer for Sgd {
    fn state(&self) -> Option<OptimizerState> {
        Some(OptimizerState {
            kind: "Sgd".into(),
            steps: self.steps,
            learning_rate: self.lr,
            buffers: vec![self.velocity.clone()],
        })
    }

    fn restore_state(&mut self, state: &OptimizerState) -> Result<(), String> {
        state.restore_into("Sgd", &mut [&mut self.velocity])?;
        self.steps = state.steps;
        self.lr = state.learning_rate;
        Ok(())
    }

    fn validate(&self) -> Result<(), HyperparameterError> {
        self.check()
    }

    fn learning_rate(&self) -> f64 {
        self.lr
    }

    fn set_learning_rate(&mut self, lr: f64) {
        self.lr = lr;
    }

    fn prepare<T: Float>(&mut self, parameters: usize) {
        if self.momentum > 0.0 {
            self.velocity.reset::<T>(parameters);
        } else {
            self.velocity.clear();
        }
        self.steps = 0;
    }

    fn begin_step(&mut self) {
        self.count_step();
    }

    #[inline(always)]
    fn update<T: Float>(
        &mut self,
        kind: TensorKind,
        parameters: &mut [T],
        gradients: &[T],
        offset: usize,
    ) {
        let pieces = self.pieces::<T>();
        // SAFETY: `&mut self` holds the whole state: no other update uses it meanwhile.
        unsafe { pieces.update(kind, parameters, gradients, offset) }
    }

    fn elementwise<T: Float>(&mut self) -> Option<impl ElementwiseUpdate<T>> {
        Some(self.pieces::<T>())
    }
}

#[cfg(feature = "train")]
impl Sgd {
    /// The current step over the whole state, for the threads of a fused update and for
    /// `update`, which applies it to one whole tensor.
    #[inline(always)]
    fn pieces<T: Float>(&mut self) -> SgdPieces<'_, T> {
        let step = self.coefficients::<T>();
        let velocity = match step {
            SgdStep::Plain { .. } => None,
            SgdStep::Momentum { .. } => Some(self.velocity.shared()),
        };
        SgdPieces { step, velocity }
    }
}

/// One SGD step over the whole state, which the threads of a fused update apply to their own
/// pieces of the parameters.
#[cfg(feature = "train")]
struct SgdPieces<'a, T> {
    step: SgdStep<T>,
    /// The velocity, with momentum.
    velocity: Option<SharedState<'a, T>>,
}

#[cfg(feature = "train")]
impl<T: Float> ElementwiseUpdate<T> for SgdPieces<'_, T> {
    #[inline(always)]
    unsafe fn update(&self, _: TensorKind, parameters: &mut [T], gradients: &[T], offset: usize) {
        let velocity = match &self.velocity {
            None => &mut [][..],
            // SAFETY: the caller vouches that no other call uses these elements meanwhile.
            Some(velocity) => unsafe { velocity.slice(offset, parameters.len()) },
        };
        self.step.apply(parameters, gradients, velocity);
    }
}

impl Sgd {
    /// Checks every hyperparameter, naming the first invalid one.
    pub fn check(&self) -> Result<(), HyperparameterError> {
        require("lr", self.lr, "a finite number > 0", |v| {
            v > 0.0 && v.is_finite()
        })?;
        require("momentum", self.momentum, "a number in [0, 1)", |v| {
            (0.0..1.0).contains(&v)
        })?;
        require("dampening", self.dampening, "a number in [0, 1]", |v| {
            (0.0..=1.0).contains(&v)
        })?;
        require(
            "weight_decay",
            self.weight_decay,
            "a finite number >= 0",
            |v| v >= 0.0 && v.is_finite(),
        )?;
        if self.nesterov {
            require(
                "momentum",
                self.momentum,
                "> 0 with Nesterov momentum",
                |v| v > 0.0,
            )?;
            require(
                "dampening",
                self.dampening,
                "0 with Nesterov momentum",
                |v| v == 0.0,
            )?;
        }
        Ok(())
    }

    /// Counts a new step (the first one starts the velocity at the gradient).
    pub(crate) fn count_step(&mut self) {
        self.steps += 1;
    }

    /// The scalars of the current step in the parameters' type.
    #[inline(always)]
    pub(crate) fn coefficients<T: Float>(&self) -> SgdStep<T> {
        let (lr, decay) = (T::of_f64(self.lr), T::of_f64(self.weight_decay));
        if self.momentum == 0.0 {
            return SgdStep::Plain { lr, decay };
        }
        SgdStep::Momentum {
            c: Coefficients {
                lr,
                decay,
                momentum: T::of_f64(self.momentum),
                undamped: T::of_f64(1.0 - self.dampening),
            },
            first: self.steps <= 1,
            nesterov: self.nesterov,
        }
    }
}

/// One SGD step's scalars, applied to any run of parameters with its velocity: the heap-backed
/// optimizer and the inline learner share it.
#[derive(Clone, Copy)]
pub(crate) enum SgdStep<T> {
    /// Without momentum: `θ ← θ − lr·(g + decay·θ)`.
    Plain { lr: T, decay: T },
    /// With momentum, on the first step or a later one, Nesterov's or not.
    Momentum {
        c: Coefficients<T>,
        first: bool,
        nesterov: bool,
    },
}

impl<T: Float> SgdStep<T> {
    /// Updates `parameters` from `gradients` and `velocity` (unused, and may be empty, without
    /// momentum).
    #[inline(always)]
    pub(crate) fn apply(self, parameters: &mut [T], gradients: &[T], velocity: &mut [T]) {
        let (c, first, nesterov) = match self {
            SgdStep::Plain { lr, decay } => {
                parallel::for_each_piece(
                    (parameters, gradients),
                    #[inline(always)]
                    move |(parameters, gradients)| {
                        for (p, &g) in parameters.iter_mut().zip(gradients) {
                            *p -= lr * (g + decay * *p);
                        }
                    },
                );
                return;
            }
            SgdStep::Momentum { c, first, nesterov } => (c, first, nesterov),
        };
        let parts = (parameters, gradients, velocity);
        // The case is a constant of each loop, so that none branches per element.
        match (first, nesterov) {
            (true, false) => parallel::for_each_piece(
                parts,
                #[inline(always)]
                move |p| momentum_step::<T, true, false>(p, c),
            ),
            (true, true) => parallel::for_each_piece(
                parts,
                #[inline(always)]
                move |p| momentum_step::<T, true, true>(p, c),
            ),
            (false, false) => parallel::for_each_piece(
                parts,
                #[inline(always)]
                move |p| momentum_step::<T, false, false>(p, c),
            ),
            (false, true) => parallel::for_each_piece(
                parts,
                #[inline(always)]
                move |p| momentum_step::<T, false, true>(p, c),
            ),
        }
    }
}

/// The scalars of an SGD step with momentum.
#[derive(Clone, Copy)]
pub(crate) struct Coefficients<T> {
    lr: T,
    decay: T,
    momentum: T,
    undamped: T,
}

/// The SGD update with momentum over one piece of a tensor: on the `FIRST` step the velocity
/// starts as the gradient; with `NESTEROV` the step looks ahead along it.
#[inline(always)]
fn momentum_step<T: Float, const FIRST: bool, const NESTEROV: bool>(
    (parameters, gradients, velocity): (&mut [T], &[T], &mut [T]),
    c: Coefficients<T>,
) {
    for ((p, &g), b) in parameters.iter_mut().zip(gradients).zip(velocity) {
        // Read and written once each, through locals: see `Averages::advance` in Adam.
        let theta = *p;
        let g = g + c.decay * theta;
        // Flushed to zero once subnormal, as the `state` module explains.
        let velocity = if FIRST {
            g
        } else {
            (c.momentum * *b + c.undamped * g).flush_subnormal()
        };
        *b = velocity;
        *p = theta
            - c.lr
                * if NESTEROV {
                    g + c.momentum * velocity
                } else {
                    velocity
                };
    }
}

#[cfg(all(test, feature = "train"))]
mod tests {
    use super::*;

    use crate::optim::run_steps as run;

    #[test]
    fn plain_sgd_steps_against_the_gradient() {
        assert!((run(Sgd::new(0.1), &[2.0, 1.0]) - 0.7).abs() < 1e-15);
    }

    #[test]
    fn momentum_matches_pytorch_worked_by_hand() {
        // b1 = 2, p = 1 - 0.2 = 0.8; b2 = 0.9·2 + 1 = 2.8, p = 0.8 - 0.28 = 0.52
        assert!((run(Sgd::new(0.1).with_momentum(0.9), &[2.0, 1.0]) - 0.52).abs() < 1e-15);
        // Nesterov: b1 = 2, step 2 + 1.8 = 3.8, p = 0.62; b2 = 2.8, step 1 + 2.52, p = 0.268
        let nesterov = Sgd::new(0.1).with_momentum(0.9).with_nesterov(true);
        assert!((run(nesterov, &[2.0, 1.0]) - 0.268).abs() < 1e-15);
    }

    #[test]
    fn a_decayed_velocity_flushes_to_zero() {
        for nesterov in [false, true] {
            let sgd = Sgd::new(0.1).with_momentum(0.9).with_nesterov(nesterov);
            let (_, state) = crate::optim::decay_to_zero(sgd, 1_500, |sgd| {
                sgd.velocity.slice::<f32>(0, 1).to_vec()
            });
            assert_eq!(state, [0.0], "nesterov {nesterov}");
        }
    }

    #[test]
    fn invalid_hyperparameters_are_named() {
        let err = Sgd::new(0.0).validate().unwrap_err();
        assert_eq!(err.name, "lr");
        let err = Sgd::new(0.1)
            .with_momentum(f64::NAN)
            .validate()
            .unwrap_err();
        assert_eq!(err.name, "momentum");
        assert!(
            err.to_string().contains("expected a number in [0, 1)"),
            "{err}"
        );
    }
}
