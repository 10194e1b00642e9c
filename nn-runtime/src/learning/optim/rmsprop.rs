//! RMSProp, as PyTorch's `torch.optim.RMSprop`.

use super::state::flush_square_average;
use super::{ElementwiseUpdate, Optimizer, OptimizerState, SharedState, StateBuffer};
use crate::learning::error::require;
use crate::learning::pieces as parallel;
use crate::{Float, HyperparameterError, TensorKind};

/// RMSProp (Hinton, *Neural Networks for Machine Learning*, lecture 6e, 2012), with the centered
/// variant of Graves (2013, *Generating Sequences With Recurrent Neural Networks*), momentum and
/// L2 weight decay, following PyTorch's update:
///
/// ```text
/// g ← ∇θ + weight_decay·θ
/// v ← alpha·v + (1 − alpha)·g²
/// ḡ ← alpha·ḡ + (1 − alpha)·g;   d ← √(v − ḡ²) + eps    (centered)
///                                 d ← √v + eps           (otherwise)
/// b ← momentum·b + g/d;   θ ← θ − lr·b                   (momentum > 0)
///                         θ ← θ − lr·g/d                 (otherwise)
/// ```
///
/// `v`, `ḡ` and `b` start at zero. Defaults are PyTorch's: `lr` 0.01, `alpha` 0.99, `eps` 1e-8,
/// no weight decay, no momentum, not centered.
#[derive(Clone, Debug, PartialEq)]
pub struct RmsProp {
    lr: f64,
    alpha: f64,
    eps: f64,
    weight_decay: f64,
    momentum: f64,
    centered: bool,
    square_avg: StateBuffer,
    grad_avg: StateBuffer,
    momentum_buffer: StateBuffer,
}

impl RmsProp {
    /// RMSProp with learning rate `lr` and PyTorch's other defaults.
    pub fn new(lr: f64) -> Self {
        Self {
            lr,
            alpha: 0.99,
            eps: 1e-8,
            weight_decay: 0.0,
            momentum: 0.0,
            centered: false,
            square_avg: StateBuffer::default(),
            grad_avg: StateBuffer::default(),
            momentum_buffer: StateBuffer::default(),
        }
    }

    /// Sets the smoothing constant of the squared-gradient average (default 0.99).
    pub fn with_alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }

    /// Sets the term added to the denominator for numerical stability (default 1e-8).
    pub fn with_eps(mut self, eps: f64) -> Self {
        self.eps = eps;
        self
    }

    /// Sets the L2 weight decay added to the gradient (default 0): each step adds
    /// `weight_decay·θ` to the gradient of every parameter, weights, biases and normalization
    /// scales and shifts alike, as PyTorch's `weight_decay` does (same value, same effect), and
    /// nothing to the reported loss.
    ///
    /// The trainer's [`l2(λ)`](crate::Trainer::l2) differs: it penalizes `λ·Σw²` on dense
    /// weights only, adding `2λ·w` to their gradients and the penalty to the loss; on the
    /// weights, `with_weight_decay(2λ)` equals `.l2(λ)`, and PyTorch's `weight_decay=λ` equals
    /// `.l2(λ / 2)` (which leaves the biases undecayed).
    pub fn with_weight_decay(mut self, weight_decay: f64) -> Self {
        self.weight_decay = weight_decay;
        self
    }

    /// Sets the momentum factor (default 0).
    pub fn with_momentum(mut self, momentum: f64) -> Self {
        self.momentum = momentum;
        self
    }

    /// Switches the centered variant on or off (default off): it normalizes by an estimate of
    /// the gradient's variance instead of its uncentered second moment.
    pub fn with_centered(mut self, centered: bool) -> Self {
        self.centered = centered;
        self
    }
}

impl Default for RmsProp {
    /// RMSProp with PyTorch's default learning rate 0.01.
    fn default() -> Self {
        Self::new(0.01)
    }
}

impl Optimizer for RmsProp {
    fn state(&self) -> Option<OptimizerState> {
        Some(OptimizerState {
            kind: "RmsProp".into(),
            steps: 0,
            learning_rate: self.lr,
            buffers: vec![
                self.square_avg.clone(),
                self.grad_avg.clone(),
                self.momentum_buffer.clone(),
            ],
        })
    }

    fn restore_state(&mut self, state: &OptimizerState) -> Result<(), String> {
        state.restore_into(
            "RmsProp",
            &mut [
                &mut self.square_avg,
                &mut self.grad_avg,
                &mut self.momentum_buffer,
            ],
        )?;
        self.lr = state.learning_rate;
        Ok(())
    }

    fn validate(&self) -> Result<(), HyperparameterError> {
        require("lr", self.lr, "a finite number > 0", |v| {
            v > 0.0 && v.is_finite()
        })?;
        require("alpha", self.alpha, "a number in [0, 1)", |v| {
            (0.0..1.0).contains(&v)
        })?;
        require("eps", self.eps, "a finite number > 0", |v| {
            v > 0.0 && v.is_finite()
        })?;
        require(
            "weight_decay",
            self.weight_decay,
            "a finite number >= 0",
            |v| v >= 0.0 && v.is_finite(),
        )?;
        require("momentum", self.momentum, "a number in [0, 1)", |v| {
            (0.0..1.0).contains(&v)
        })?;
        Ok(())
    }

    fn learning_rate(&self) -> f64 {
        self.lr
    }

    fn set_learning_rate(&mut self, lr: f64) {
        self.lr = lr;
    }

    fn prepare<T: Float>(&mut self, parameters: usize) {
        self.square_avg.reset::<T>(parameters);
        if self.centered {
            self.grad_avg.reset::<T>(parameters);
        } else {
            self.grad_avg.clear();
        }
        if self.momentum > 0.0 {
            self.momentum_buffer.reset::<T>(parameters);
        } else {
            self.momentum_buffer.clear();
        }
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

impl RmsProp {
    /// The current step over the whole state, for the threads of a fused update and for
    /// `update`, which applies it to one whole tensor.
    #[inline(always)]
    fn pieces<T: Float>(&mut self) -> RmsPropPieces<'_, T> {
        RmsPropPieces {
            step: self.coefficients::<T>(),
            square_avg: self.square_avg.shared(),
            grad_avg: self.centered.then(|| self.grad_avg.shared()),
            buffer: (self.momentum > 0.0).then(|| self.momentum_buffer.shared()),
        }
    }

    /// The scalars of a step in the parameters' type.
    #[inline(always)]
    fn coefficients<T: Float>(&self) -> RmsPropStep<T> {
        RmsPropStep {
            lr: T::of_f64(self.lr),
            alpha: T::of_f64(self.alpha),
            rest: T::of_f64(1.0 - self.alpha),
            eps: T::of_f64(self.eps),
            decay: T::of_f64(self.weight_decay),
            momentum: T::of_f64(self.momentum),
        }
    }
}

/// The scalars of one RMSProp step, applied to any run of parameters with their state.
#[derive(Clone, Copy)]
struct RmsPropStep<T> {
    lr: T,
    alpha: T,
    /// `1 − alpha`.
    rest: T,
    eps: T,
    decay: T,
    momentum: T,
}

impl<T: Float> RmsPropStep<T> {
    /// Updates `parameters` from `gradients` and the state at the same positions (the gradient
    /// average when centered, the momentum buffer with momentum).
    #[inline(always)]
    fn apply(
        self,
        parameters: &mut [T],
        gradients: &[T],
        square_avg: &mut [T],
        grad_avg: Option<&mut [T]>,
        buffer: Option<&mut [T]>,
    ) {
        let RmsPropStep {
            lr,
            alpha,
            rest,
            eps,
            decay,
            momentum,
        } = self;
        let parts = (parameters, gradients, square_avg, grad_avg, buffer);
        parallel::for_each_piece(
            parts,
            #[inline(always)]
            |(parameters, gradients, square_avg, grad_avg, buffer)| {
                rmsprop_loop(
                    parameters, gradients, square_avg, grad_avg, buffer, lr, alpha, rest, eps,
                    decay, momentum,
                )
            },
        );
    }
}

/// One RMSProp step over the whole state, which the threads of a fused update apply to their own
/// pieces of the parameters.
struct RmsPropPieces<'a, T> {
    step: RmsPropStep<T>,
    square_avg: SharedState<'a, T>,
    grad_avg: Option<SharedState<'a, T>>,
    buffer: Option<SharedState<'a, T>>,
}

impl<T: Float> ElementwiseUpdate<T> for RmsPropPieces<'_, T> {
    #[inline(always)]
    unsafe fn update(&self, _: TensorKind, parameters: &mut [T], gradients: &[T], offset: usize) {
        let len = parameters.len();
        // SAFETY: the caller vouches that no other call uses these elements meanwhile.
        let (square_avg, grad_avg, buffer) = unsafe {
            (
                self.square_avg.slice(offset, len),
                self.grad_avg.as_ref().map(|state| state.slice(offset, len)),
                self.buffer.as_ref().map(|state| state.slice(offset, len)),
            )
        };
        self.step
            .apply(parameters, gradients, square_avg, grad_avg, buffer);
    }
}

/// The RMSProp update of `parameters`, with the running averages and the momentum buffer (when
/// present) at the same positions; `rest` is `1 − alpha`.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn rmsprop_loop<T: Float>(
    parameters: &mut [T],
    gradients: &[T],
    square_avg: &mut [T],
    mut grad_avg: Option<&mut [T]>,
    mut buffer: Option<&mut [T]>,
    lr: T,
    alpha: T,
    rest: T,
    eps: T,
    decay: T,
    momentum: T,
) {
    for (i, (p, &g)) in parameters.iter_mut().zip(gradients).enumerate() {
        let g = g + decay * *p;
        let v = &mut square_avg[i];
        // The averages are flushed to zero once subnormal, as the `state` module explains.
        *v = flush_square_average(alpha * *v + rest * g * g);
        let denominator = match grad_avg.as_deref_mut() {
            Some(grad_avg) => {
                let mean = &mut grad_avg[i];
                *mean = (alpha * *mean + rest * g).flush_subnormal();
                // ḡ² <= v in exact arithmetic; rounding must not turn a zero variance
                // into the root of a tiny negative number (NaN still propagates).
                let variance = *v - *mean * *mean;
                let variance = if variance < T::zero() {
                    T::zero()
                } else {
                    variance
                };
                variance.sqrt() + eps
            }
            None => v.sqrt() + eps,
        };
        let step = match buffer.as_deref_mut() {
            Some(buffer) => {
                let b = &mut buffer[i];
                *b = (momentum * *b + g / denominator).flush_subnormal();
                *b
            }
            None => g / denominator,
        };
        *p -= lr * step;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::optim::run_steps as run;

    #[test]
    fn defaults_are_pytorchs() {
        let default = RmsProp::default();
        assert_eq!(default, RmsProp::new(0.01));
        assert_eq!(default.learning_rate(), 0.01);
        assert_eq!((default.alpha, default.eps), (0.99, 1e-8));
        assert_eq!((default.weight_decay, default.momentum), (0.0, 0.0));
        assert!(!default.centered);
    }

    #[test]
    fn decayed_averages_flush_to_zero() {
        let rmsprop = RmsProp::new(0.01).with_centered(true).with_momentum(0.9);
        let (_, state) = crate::optim::decay_to_zero(rmsprop, 12_000, |rmsprop| {
            [
                &mut rmsprop.square_avg,
                &mut rmsprop.grad_avg,
                &mut rmsprop.momentum_buffer,
            ]
            .map(|buffer| buffer.slice::<f32>(0, 1)[0])
            .to_vec()
        });
        assert_eq!(state, [0.0, 0.0, 0.0]);
    }

    #[test]
    fn plain_rmsprop_worked_by_hand() {
        // lr 0.01, alpha 0.99, θ = 1.
        // g = 2: v = 0.01·4 = 0.04, d = 0.2 + 1e-8, θ = 1 − 0.01·2/d ≈ 0.9
        let expected1 = 1.0 - 0.01 * 2.0 / (0.2 + 1e-8);
        assert!((run(RmsProp::new(0.01), &[2.0]) - expected1).abs() < 1e-15);
        // g = 1: v = 0.99·0.04 + 0.01·1 = 0.0496, d = √0.0496 + 1e-8 ≈ 0.2227106,
        // θ ≈ 0.9 − 0.01/0.2227106 ≈ 0.9 − 0.0449013 = 0.8550987
        let expected2 = expected1 - 0.01 / (0.0496f64.sqrt() + 1e-8);
        let got = run(RmsProp::new(0.01), &[2.0, 1.0]);
        assert!((got - expected2).abs() < 1e-15, "{got}");
        assert!((got - 0.8550987).abs() < 1e-7, "{got}");
    }

    #[test]
    fn centered_worked_by_hand() {
        // g = 2: v = 0.04, ḡ = 0.01·2 = 0.02, d = √(0.04 − 0.0004) = √0.0396 ≈ 0.1989975,
        // θ = 1 − 0.02/0.1989975 ≈ 1 − 0.1005038 = 0.8994962
        let centered = RmsProp::new(0.01).with_centered(true);
        let got = run(centered, &[2.0]);
        let expected = 1.0 - 0.01 * 2.0 / (0.0396f64.sqrt() + 1e-8);
        assert!((got - expected).abs() < 1e-15, "{got}");
        assert!((got - 0.8994962).abs() < 1e-7, "{got}");
    }

    #[test]
    fn momentum_worked_by_hand() {
        // g = 2: v = 0.04, b = 2/(0.2 + 1e-8) = 9.9999995, θ = 1 − 0.01·b = 0.900000005
        // g = 1: v = 0.0496, b = 0.9·9.9999995 + 1/(0.2227106 + 1e-8)
        //                      = 8.99999955 + 4.4901323 = 13.4901319,
        //        θ = 0.900000005 − 0.134901319 = 0.765098686
        let with_momentum = RmsProp::new(0.01).with_momentum(0.9);
        let got = run(with_momentum, &[2.0, 1.0]);
        let b1 = 2.0 / (0.2 + 1e-8);
        let b2 = 0.9 * b1 + 1.0 / (0.0496f64.sqrt() + 1e-8);
        let expected = 1.0 - 0.01 * b1 - 0.01 * b2;
        assert!((got - expected).abs() < 1e-15, "{got}");
        assert!((got - 0.765098686).abs() < 1e-9, "{got}");
    }

    #[test]
    fn weight_decay_is_added_to_the_gradient() {
        // g = 2 + 0.1·1 = 2.1, v = 0.01·4.41 = 0.0441, d = 0.21 + 1e-8,
        // θ = 1 − 0.01·2.1/d = 1 − 0.01·9.9999995 = 0.9000000048
        let decayed = RmsProp::new(0.01).with_weight_decay(0.1);
        let got = run(decayed, &[2.0]);
        assert!(
            (got - (1.0 - 0.01 * 2.1 / (0.21 + 1e-8))).abs() < 1e-15,
            "{got}"
        );
        assert!((got - 0.9000000048).abs() < 1e-10, "{got}");
    }

    #[test]
    fn invalid_hyperparameters_are_named() {
        let name = |o: RmsProp| o.validate().unwrap_err().name;
        assert_eq!(name(RmsProp::new(0.0)), "lr");
        assert_eq!(name(RmsProp::new(f64::INFINITY)), "lr");
        assert_eq!(name(RmsProp::new(f64::NAN)), "lr");
        assert_eq!(name(RmsProp::default().with_alpha(1.0)), "alpha");
        assert_eq!(name(RmsProp::default().with_alpha(-0.1)), "alpha");
        assert_eq!(name(RmsProp::default().with_alpha(f64::NAN)), "alpha");
        assert_eq!(name(RmsProp::default().with_eps(0.0)), "eps");
        assert_eq!(name(RmsProp::default().with_eps(f64::NAN)), "eps");
        assert_eq!(
            name(RmsProp::default().with_weight_decay(-1e-3)),
            "weight_decay"
        );
        assert_eq!(
            name(RmsProp::default().with_weight_decay(f64::INFINITY)),
            "weight_decay"
        );
        assert_eq!(name(RmsProp::default().with_momentum(1.0)), "momentum");
        assert_eq!(name(RmsProp::default().with_momentum(f64::NAN)), "momentum");
        let err = RmsProp::default().with_alpha(1.5).validate().unwrap_err();
        assert!(
            err.to_string().contains("expected a number in [0, 1)"),
            "{err}"
        );
    }
}
