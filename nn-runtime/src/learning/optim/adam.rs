//! Adam, as PyTorch's `torch.optim.Adam`.

use super::state::flush_square_average;
#[cfg(feature = "train")]
use super::{ElementwiseUpdate, Optimizer, OptimizerState, SharedState, StateBuffer};
#[cfg(feature = "train")]
use crate::TensorKind;
use crate::learning::error::require;
use crate::learning::pieces as parallel;
use crate::{Float, HyperparameterError};

/// Adam (Kingma & Ba, 2015, *Adam: A Method for Stochastic Optimization*), with optional L2
/// weight decay and the AMSGrad variant (Reddi et al., 2018), following PyTorch's update at
/// step `t` (counting from 1):
///
/// ```text
/// g ← ∇θ + weight_decay·θ
/// m ← β1·m + (1 − β1)·g
/// v ← β2·v + (1 − β2)·g²
/// v̂ ← max(v̂, v)                                   (amsgrad; v̂ starts at 0)
/// d ← √v / √(1 − β2ᵗ) + eps    or    d ← √v̂ / √(1 − β2ᵗ) + eps    (amsgrad)
/// θ ← θ − lr / (1 − β1ᵗ) · m / d
/// ```
///
/// `m` and `v` start at zero. Defaults are PyTorch's: `lr` 1e-3, betas (0.9, 0.999), `eps` 1e-8,
/// no weight decay, no AMSGrad. For weight decay decoupled from the gradient, use
/// [`AdamW`](super::AdamW).
#[derive(Clone, Debug, PartialEq)]
pub struct Adam {
    lr: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
    amsgrad: bool,
    #[cfg(feature = "train")]
    exp_avg: StateBuffer,
    #[cfg(feature = "train")]
    exp_avg_sq: StateBuffer,
    #[cfg(feature = "train")]
    max_exp_avg_sq: StateBuffer,
    steps: u64,
    /// The bias corrections of the current step, computed once per step rather than per tensor
    /// (`None` until the first step, or after the betas changed).
    corrections: Option<BiasCorrections>,
}

/// Adam's bias corrections at step `t` (counting from 1): `1 − β1ᵗ` and `√(1 − β2ᵗ)`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct BiasCorrections {
    first: f64,
    second_sqrt: f64,
}

impl BiasCorrections {
    /// The corrections after `steps` calls of `begin_step`; at least those of step 1, so that
    /// an update before any `begin_step` does not divide 0 by 0.
    fn at(beta1: f64, beta2: f64, steps: u64) -> Self {
        let t = steps.max(1) as f64;
        // `libm`'s, with and without `std`, so that the inline learner computes the same bits.
        Self {
            first: 1.0 - libm::pow(beta1, t),
            second_sqrt: libm::sqrt(1.0 - libm::pow(beta2, t)),
        }
    }
}

impl Adam {
    /// Adam with learning rate `lr` and PyTorch's other defaults.
    pub const fn new(lr: f64) -> Self {
        let (beta1, beta2) = (0.9, 0.999);
        Self {
            lr,
            beta1,
            beta2,
            eps: 1e-8,
            weight_decay: 0.0,
            amsgrad: false,
            #[cfg(feature = "train")]
            exp_avg: StateBuffer::new(),
            #[cfg(feature = "train")]
            exp_avg_sq: StateBuffer::new(),
            #[cfg(feature = "train")]
            max_exp_avg_sq: StateBuffer::new(),
            steps: 0,
            corrections: None,
        }
    }

    /// Sets the decay rates of the first and second moment averages (default 0.9 and 0.999).
    pub const fn with_betas(mut self, beta1: f64, beta2: f64) -> Self {
        self.beta1 = beta1;
        self.beta2 = beta2;
        self.corrections = None;
        self
    }

    /// Sets the term added to the denominator for numerical stability (default 1e-8).
    pub const fn with_eps(mut self, eps: f64) -> Self {
        self.eps = eps;
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
    ///
    /// Added to the gradient, the decay is scaled by Adam's adaptive step like the rest of it;
    /// [`AdamW`](super::AdamW) decays the parameters directly instead.
    pub const fn with_weight_decay(mut self, weight_decay: f64) -> Self {
        self.weight_decay = weight_decay;
        self
    }

    /// Switches the AMSGrad variant on or off (default off): it divides by the running maximum
    /// of the second moment average instead of the average itself.
    pub const fn with_amsgrad(mut self, amsgrad: bool) -> Self {
        self.amsgrad = amsgrad;
        self
    }

    /// Checks every hyperparameter, naming the first invalid one.
    pub fn check(&self) -> Result<(), HyperparameterError> {
        self.validate_moments()?;
        require(
            "weight_decay",
            self.weight_decay,
            "a finite number >= 0",
            |v| v >= 0.0 && v.is_finite(),
        )
    }

    /// Checks every hyperparameter but the weight decay, naming the first invalid one.
    pub(super) fn validate_moments(&self) -> Result<(), HyperparameterError> {
        require("lr", self.lr, "a finite number > 0", |v| {
            v > 0.0 && v.is_finite()
        })?;
        require("beta1", self.beta1, "a number in [0, 1)", |v| {
            (0.0..1.0).contains(&v)
        })?;
        require("beta2", self.beta2, "a number in [0, 1)", |v| {
            (0.0..1.0).contains(&v)
        })?;
        require("eps", self.eps, "a finite number > 0", |v| {
            v > 0.0 && v.is_finite()
        })
    }

    /// The Adam step on one tensor, with `l2` added to the gradient as `l2·θ` and the parameters
    /// first multiplied by `shrink` (AdamW's decoupled weight decay; 1 leaves them as they are).
    #[cfg(feature = "train")]
    #[inline(always)]
    pub(super) fn step<T: Float>(
        &mut self,
        parameters: &mut [T],
        gradients: &[T],
        offset: usize,
        l2: f64,
        shrink: f64,
    ) {
        let pieces = self.pieces::<T>(l2, shrink);
        // SAFETY: `&mut self` holds the whole state: no other update uses it meanwhile.
        unsafe { pieces.update(TensorKind::Weight, parameters, gradients, offset) }
    }

    /// The Adam step of [`step`](Self::step) as a handle for the threads of a fused update
    /// (and for `step`, which applies it to one whole tensor).
    #[cfg(feature = "train")]
    #[inline(always)]
    pub(super) fn pieces<T: Float>(&mut self, l2: f64, shrink: f64) -> AdamPieces<'_, T> {
        AdamPieces {
            step: self.coefficients::<T>(l2, shrink),
            exp_avg: self.exp_avg.shared(),
            exp_avg_sq: self.exp_avg_sq.shared(),
            max_exp_avg_sq: self.amsgrad.then(|| self.max_exp_avg_sq.shared()),
        }
    }

    /// The L2 weight decay added to the gradient.
    pub(crate) fn weight_decay(&self) -> f64 {
        self.weight_decay
    }

    /// Whether the rule keeps the running maximum of the second moment (AMSGrad).
    pub(crate) fn amsgrad(&self) -> bool {
        self.amsgrad
    }

    /// Counts a new step and computes its bias corrections.
    pub(crate) fn count_step(&mut self) {
        self.steps += 1;
        self.corrections = Some(BiasCorrections::at(self.beta1, self.beta2, self.steps));
    }

    /// The scalars of the current step in the parameters' type, with `l2` and `shrink` as in
    /// [`step`](Self::step).
    #[inline(always)]
    pub(crate) fn coefficients<T: Float>(&self, l2: f64, shrink: f64) -> AdamStep<T> {
        let BiasCorrections { first, second_sqrt } = self
            .corrections
            .unwrap_or_else(|| BiasCorrections::at(self.beta1, self.beta2, self.steps));
        // θ − lr/(1 − β1ᵗ) · m / (√v/√(1 − β2ᵗ) + eps) with the factor √(1 − β2ᵗ) moved out of
        // the denominator: the same update with one division per element instead of two.
        let step_size = T::of_f64(self.lr / first * second_sqrt);
        let eps = T::of_f64(self.eps * second_sqrt);
        let (beta1, beta2) = (T::of_f64(self.beta1), T::of_f64(self.beta2));
        let (rest1, rest2) = (T::of_f64(1.0 - self.beta1), T::of_f64(1.0 - self.beta2));
        // Without weight decay (the default) the loop skips `θ·1` and `g + 0·θ`: the same
        // values, with three fewer operations per element.
        let decay = l2 != 0.0 || shrink != 1.0;
        let (l2, shrink) = (T::of_f64(l2), T::of_f64(shrink));
        AdamStep {
            averages: Averages {
                beta1,
                beta2,
                rest1,
                rest2,
                l2,
                shrink,
            },
            step_size,
            eps,
            decay,
        }
    }
}

/// One Adam (or AdamW) step over the whole state, which the threads of a fused update apply to
/// their own pieces of the parameters.
#[cfg(feature = "train")]
pub(super) struct AdamPieces<'a, T> {
    step: AdamStep<T>,
    exp_avg: SharedState<'a, T>,
    exp_avg_sq: SharedState<'a, T>,
    max_exp_avg_sq: Option<SharedState<'a, T>>,
}

#[cfg(feature = "train")]
impl<T: Float> ElementwiseUpdate<T> for AdamPieces<'_, T> {
    #[inline(always)]
    unsafe fn update(&self, _: TensorKind, parameters: &mut [T], gradients: &[T], offset: usize) {
        let len = parameters.len();
        // SAFETY: the caller vouches that no other call uses these elements meanwhile.
        let (exp_avg, exp_avg_sq, max) = unsafe {
            (
                self.exp_avg.slice(offset, len),
                self.exp_avg_sq.slice(offset, len),
                self.max_exp_avg_sq
                    .as_ref()
                    .map(|max| max.slice(offset, len)),
            )
        };
        self.step
            .apply(parameters, gradients, exp_avg, exp_avg_sq, max);
    }
}

/// One Adam step's scalars, applied to any run of parameters with its moments: the heap-backed
/// optimizer and the inline learner share it.
#[derive(Clone, Copy)]
pub(crate) struct AdamStep<T> {
    averages: Averages<T>,
    step_size: T,
    eps: T,
    /// Whether `l2` or `shrink` take part.
    decay: bool,
}

impl<T: Float> AdamStep<T> {
    /// Updates `parameters` from `gradients` and the moment averages (`max`: AMSGrad's running
    /// maximum of the second, where it is on).
    #[inline(always)]
    pub(crate) fn apply(
        self,
        parameters: &mut [T],
        gradients: &[T],
        exp_avg: &mut [T],
        exp_avg_sq: &mut [T],
        max: Option<&mut [T]>,
    ) {
        if self.decay {
            self.apply_moments::<true>(parameters, gradients, exp_avg, exp_avg_sq, max);
        } else {
            self.apply_moments::<false>(parameters, gradients, exp_avg, exp_avg_sq, max);
        }
    }

    /// The elementwise loops of [`apply`](Self::apply): with `DECAY`, applying the weight
    /// decays, otherwise leaving them out.
    #[inline(always)]
    fn apply_moments<const DECAY: bool>(
        self,
        parameters: &mut [T],
        gradients: &[T],
        exp_avg: &mut [T],
        exp_avg_sq: &mut [T],
        max: Option<&mut [T]>,
    ) {
        let AdamStep {
            averages,
            step_size,
            eps,
            ..
        } = self;
        if let Some(max_exp_avg_sq) = max {
            let parts = (parameters, gradients, exp_avg, exp_avg_sq, max_exp_avg_sq);
            parallel::for_each_piece(
                parts,
                #[inline(always)]
                |(parameters, gradients, exp_avg, exp_avg_sq, max)| {
                    let moments = parameters.iter_mut().zip(gradients).zip(exp_avg);
                    for ((((p, &g), m), v), max) in moments.zip(exp_avg_sq).zip(max) {
                        let (theta, m_new, v_new) = averages.advance::<DECAY>(*p, g, *m, *v);
                        // PyTorch's `torch.maximum` propagates NaN; so does this.
                        #[allow(clippy::eq_op)]
                        let max_new = if *max < v_new || v_new != v_new {
                            v_new
                        } else {
                            *max
                        };
                        (*m, *v, *max) = (m_new, v_new, max_new);
                        *p = theta - step_size * m_new / (max_new.sqrt() + eps);
                    }
                },
            );
        } else {
            let parts = (parameters, gradients, exp_avg, exp_avg_sq);
            parallel::for_each_piece(
                parts,
                #[inline(always)]
                |(parameters, gradients, exp_avg, exp_avg_sq)| {
                    let moments = parameters.iter_mut().zip(gradients).zip(exp_avg);
                    for (((p, &g), m), v) in moments.zip(exp_avg_sq) {
                        let (theta, m_new, v_new) = averages.advance::<DECAY>(*p, g, *m, *v);
                        (*m, *v) = (m_new, v_new);
                        *p = theta - step_size * m_new / (v_new.sqrt() + eps);
                    }
                },
            );
        }
    }
}

/// The factors of one Adam step that do not depend on the element.
#[derive(Clone, Copy)]
struct Averages<T> {
    beta1: T,
    beta2: T,
    /// `1 − beta1`.
    rest1: T,
    /// `1 − beta2`.
    rest2: T,
    l2: T,
    shrink: T,
}

impl<T: Float> Averages<T> {
    /// The shrunk parameter and both new averages from the element's parameter, gradient and
    /// averages. The loops read each value once and store each once: writing through the
    /// references as they went made the compiler store values and load them back (Adam took
    /// 20 % longer). Without `DECAY`, `l2` and `shrink` are taken as 0 and 1.
    #[inline(always)]
    fn advance<const DECAY: bool>(self, theta: T, g: T, m: T, v: T) -> (T, T, T) {
        let (theta, g) = if DECAY {
            let theta = theta * self.shrink;
            (theta, g + self.l2 * theta)
        } else {
            (theta, g)
        };
        // Flushed to zero once subnormal, as the `state` module explains.
        let m = (self.beta1 * m + self.rest1 * g).flush_subnormal();
        let v = flush_square_average(self.beta2 * v + self.rest2 * g * g);
        (theta, m, v)
    }
}

impl Default for Adam {
    /// Adam with PyTorch's default learning rate 1e-3.
    fn default() -> Self {
        Self::new(1e-3)
    }
}

#[cfg(feature = "train")]
impl Optimizer for Adam {
    fn state(&self) -> Option<OptimizerState> {
        Some(OptimizerState {
            kind: "Adam".into(),
            steps: self.steps,
            learning_rate: self.lr,
            buffers: vec![
                self.exp_avg.clone(),
                self.exp_avg_sq.clone(),
                self.max_exp_avg_sq.clone(),
            ],
        })
    }

    fn restore_state(&mut self, state: &OptimizerState) -> Result<(), String> {
        state.restore_into(
            "Adam",
            &mut [
                &mut self.exp_avg,
                &mut self.exp_avg_sq,
                &mut self.max_exp_avg_sq,
            ],
        )?;
        self.steps = state.steps;
        self.lr = state.learning_rate;
        self.corrections = None;
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
        self.exp_avg.reset::<T>(parameters);
        self.exp_avg_sq.reset::<T>(parameters);
        if self.amsgrad {
            self.max_exp_avg_sq.reset::<T>(parameters);
        } else {
            self.max_exp_avg_sq.clear();
        }
        self.steps = 0;
        self.corrections = None;
    }

    fn begin_step(&mut self) {
        self.count_step();
    }

    #[inline(always)]
    fn update<T: Float>(
        &mut self,
        _kind: TensorKind,
        parameters: &mut [T],
        gradients: &[T],
        offset: usize,
    ) {
        let l2 = self.weight_decay();
        self.step(parameters, gradients, offset, l2, 1.0);
    }

    fn elementwise<T: Float>(&mut self) -> Option<impl ElementwiseUpdate<T>> {
        let l2 = self.weight_decay();
        Some(self.pieces::<T>(l2, 1.0))
    }
}

#[cfg(all(test, feature = "train"))]
mod tests {
    use super::*;

    const EPS: f64 = 1e-8;

    use crate::optim::run_steps as run;

    #[test]
    fn defaults_are_pytorchs() {
        let default = Adam::default();
        assert_eq!(default, Adam::new(1e-3));
        assert_eq!(default.learning_rate(), 1e-3);
        assert_eq!((default.beta1, default.beta2), (0.9, 0.999));
        assert_eq!((default.eps, default.weight_decay), (1e-8, 0.0));
        assert!(!default.amsgrad);
    }

    #[test]
    fn two_steps_worked_by_hand() {
        // lr 0.1, betas (0.9, 0.999), θ = 1.
        // t = 1, g = 2: m = 0.1·2 = 0.2, v = 0.001·4 = 0.004, 1 − β1 = 0.1, 1 − β2 = 0.001,
        //   d = √0.004/√0.001 + eps = 2 + 1e-8, θ = 1 − (0.1/0.1)·0.2/d = 0.9000000005
        let expected1 = 1.0 - 0.1 / 0.1 * 0.2 / (2.0 + EPS);
        let got = run(Adam::new(0.1), &[2.0]);
        assert!((got - expected1).abs() < 1e-15, "{got}");
        assert!((got - 0.9000000005).abs() < 1e-15, "{got}");
        // t = 2, g = 1: m = 0.18 + 0.1 = 0.28, v = 0.003996 + 0.001 = 0.004996,
        //   1 − β1² = 0.19, 1 − β2² = 0.001999, m/0.19 = 1.4736842, √(v/0.001999) = 1.5809015,
        //   θ = 0.9000000005 − 0.1·1.4736842/1.5809015 = 0.9000000005 − 0.0932180 = 0.8067820
        let bc2 = 1.0 - 0.999f64 * 0.999;
        let expected2 = expected1 - 0.1 / 0.19 * 0.28 / (0.004996f64.sqrt() / bc2.sqrt() + EPS);
        let got = run(Adam::new(0.1), &[2.0, 1.0]);
        assert!((got - expected2).abs() < 1e-14, "{got}");
        assert!((got - 0.8067820372).abs() < 1e-9, "{got}");
    }

    #[test]
    fn amsgrad_divides_by_the_largest_second_moment() {
        // t = 1, g = 2: as plain Adam, v = v̂ = 0.004, θ = 0.9000000005.
        // t = 2, g = 0: m = 0.18, v = 0.999·0.004 = 0.003996 < v̂ = 0.004, so AMSGrad keeps 0.004:
        //   θ = 0.9000000005 − 0.1·(0.18/0.19)/(√0.004/√0.001999 + eps)
        //     = 0.9000000005 − 0.1·0.9473684/1.4145672 = 0.8330277
        //   plain Adam divides by √0.003996/√0.001999 = 1.4138598 instead: θ = 0.8329942
        let theta1 = 1.0 - 0.2 / (2.0 + EPS);
        let bc2 = 1.0 - 0.999f64 * 0.999;
        let amsgrad = run(Adam::new(0.1).with_amsgrad(true), &[2.0, 0.0]);
        let expected = theta1 - 0.1 / 0.19 * 0.18 / (0.004f64.sqrt() / bc2.sqrt() + EPS);
        assert!((amsgrad - expected).abs() < 1e-14, "{amsgrad}");
        assert!((amsgrad - 0.8330277).abs() < 1e-7, "{amsgrad}");
        let plain = run(Adam::new(0.1), &[2.0, 0.0]);
        let expected = theta1 - 0.1 / 0.19 * 0.18 / (0.003996f64.sqrt() / bc2.sqrt() + EPS);
        assert!((plain - expected).abs() < 1e-14, "{plain}");
        assert!((plain - 0.8329942).abs() < 1e-7, "{plain}");
    }

    #[test]
    fn weight_decay_is_added_to_the_gradient() {
        // g = 2 + 0.1·1 = 2.1: m = 0.21, v = 0.001·4.41, d = 2.1 + eps,
        // θ = 1 − 1·0.21/(2.1 + 1e-8) = 0.9000000004761904
        let got = run(Adam::new(0.1).with_weight_decay(0.1), &[2.0]);
        assert!((got - (1.0 - 0.21 / (2.1 + EPS))).abs() < 1e-15, "{got}");
    }

    #[test]
    fn computes_in_f32_parameters_too() {
        let mut adam = Adam::new(0.1);
        adam.prepare::<f32>(1);
        adam.begin_step();
        let mut p = [1.0f32];
        adam.update(TensorKind::Bias, &mut p, &[2.0], 0);
        assert!((p[0] - 0.9).abs() < 1e-7, "{}", p[0]);
    }

    #[test]
    fn decayed_averages_flush_to_zero_and_change_no_weight() {
        let (beta1, beta2) = (0.9, 0.99);
        let adam = Adam::new(1e-3).with_betas(beta1, beta2);
        let (weights, state) = crate::optim::decay_to_zero(adam, 12_000, |adam| {
            let m = adam.exp_avg.slice::<f32>(0, 1)[0];
            vec![m, adam.exp_avg_sq.slice::<f32>(0, 1)[0]]
        });
        // Both averages decayed past the subnormals (0.9ᵗ and 0.99ᵗ) and were flushed.
        assert_eq!(state, [0.0, 0.0]);
        // Each weight is the one the update gives without flushing, bit for bit.
        let (mut theta, mut m, mut v) = (0.5f32, 0.0f32, 0.0f32);
        for (step, &weight) in weights.iter().enumerate() {
            let g = if step == 0 { 1.0f32 } else { 0.0 };
            let c = BiasCorrections::at(beta1, beta2, step as u64 + 1);
            let step_size = (1e-3 / c.first * c.second_sqrt) as f32;
            let eps = (1e-8 * c.second_sqrt) as f32;
            m = beta1 as f32 * m + (1.0 - beta1) as f32 * g;
            v = beta2 as f32 * v + (1.0 - beta2) as f32 * g * g;
            theta -= step_size * m / (v.sqrt() + eps);
            assert_eq!(weight, theta, "step {step}");
        }
    }

    #[test]
    fn invalid_hyperparameters_are_named() {
        let name = |o: Adam| o.validate().unwrap_err().name;
        assert_eq!(name(Adam::new(-1e-3)), "lr");
        assert_eq!(name(Adam::new(f64::NAN)), "lr");
        assert_eq!(name(Adam::default().with_betas(1.0, 0.999)), "beta1");
        assert_eq!(name(Adam::default().with_betas(f64::NAN, 0.999)), "beta1");
        assert_eq!(name(Adam::default().with_betas(0.9, -0.5)), "beta2");
        assert_eq!(name(Adam::default().with_betas(0.9, 1.0)), "beta2");
        assert_eq!(name(Adam::default().with_eps(0.0)), "eps");
        assert_eq!(name(Adam::default().with_eps(f64::INFINITY)), "eps");
        assert_eq!(
            name(Adam::default().with_weight_decay(f64::NAN)),
            "weight_decay"
        );
        assert_eq!(
            name(Adam::default().with_weight_decay(-1.0)),
            "weight_decay"
        );
        let err = Adam::default().with_betas(0.9, 2.0).validate().unwrap_err();
        assert!(
            err.to_string()
                .contains("`beta2` = 2, expected a number in [0, 1)"),
            "{err}"
        );
    }
}
