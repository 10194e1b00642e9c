//! AdamW, as PyTorch's `torch.optim.AdamW`.

use super::{Adam, ElementwiseUpdate, Optimizer, OptimizerState};
use crate::learning::error::require;
use crate::{Float, HyperparameterError, TensorKind};

/// Adam with decoupled weight decay (Loshchilov & Hutter, 2019, *Decoupled Weight Decay
/// Regularization*), following PyTorch's update: the parameters shrink by `lr·weight_decay`
/// first, then take the [`Adam`] step on the unmodified gradient:
///
/// ```text
/// θ ← θ − lr·weight_decay·θ
/// m ← β1·m + (1 − β1)·∇θ
/// v ← β2·v + (1 − β2)·(∇θ)²
/// v̂ ← max(v̂, v)                                   (amsgrad; v̂ starts at 0)
/// d ← √v / √(1 − β2ᵗ) + eps    or    d ← √v̂ / √(1 − β2ᵗ) + eps    (amsgrad)
/// θ ← θ − lr / (1 − β1ᵗ) · m / d
/// ```
///
/// Defaults are PyTorch's: `lr` 1e-3, betas (0.9, 0.999), `eps` 1e-8, `weight_decay` 1e-2, no
/// AMSGrad.
#[derive(Clone, Debug, PartialEq)]
pub struct AdamW {
    /// The Adam step, with its own (L2) weight decay left at 0.
    adam: Adam,
    weight_decay: f64,
}

impl AdamW {
    /// AdamW with learning rate `lr` and PyTorch's other defaults.
    pub fn new(lr: f64) -> Self {
        Self {
            adam: Adam::new(lr),
            weight_decay: 1e-2,
        }
    }

    /// Sets the decay rates of the first and second moment averages (default 0.9 and 0.999).
    pub fn with_betas(mut self, beta1: f64, beta2: f64) -> Self {
        self.adam = self.adam.with_betas(beta1, beta2);
        self
    }

    /// Sets the term added to the denominator for numerical stability (default 1e-8).
    pub fn with_eps(mut self, eps: f64) -> Self {
        self.adam = self.adam.with_eps(eps);
        self
    }

    /// Sets the decoupled weight decay: each step multiplies every parameter (weights, biases
    /// and normalization scales and shifts alike) by `1 − lr·weight_decay` before the Adam step,
    /// as PyTorch's `AdamW(weight_decay=…)` does with the same value (default 1e-2). Nothing is
    /// added to the gradient or the loss.
    ///
    /// Unlike the trainer's [`l2(λ)`](crate::Trainer::l2), which adds `2λ·w` to the gradients of
    /// dense weights only and so passes through Adam's adaptive scaling, this decay does not
    /// depend on the gradients' size.
    pub fn with_weight_decay(mut self, weight_decay: f64) -> Self {
        self.weight_decay = weight_decay;
        self
    }

    /// Switches the AMSGrad variant on or off (default off).
    pub fn with_amsgrad(mut self, amsgrad: bool) -> Self {
        self.adam = self.adam.with_amsgrad(amsgrad);
        self
    }
}

impl Default for AdamW {
    /// AdamW with PyTorch's default learning rate 1e-3.
    fn default() -> Self {
        Self::new(1e-3)
    }
}

impl Optimizer for AdamW {
    fn state(&self) -> Option<OptimizerState> {
        let mut state = self.adam.state()?;
        state.kind = "AdamW".into();
        Some(state)
    }

    fn restore_state(&mut self, state: &OptimizerState) -> Result<(), String> {
        if state.kind != "AdamW" {
            return Err(format!(
                "the checkpoint holds the state of `{}`, expected `AdamW`",
                state.kind
            ));
        }
        let adam = OptimizerState {
            kind: "Adam".into(),
            ..state.clone()
        };
        self.adam.restore_state(&adam)
    }

    fn validate(&self) -> Result<(), HyperparameterError> {
        self.adam.validate_moments()?;
        require(
            "weight_decay",
            self.weight_decay,
            "a finite number >= 0",
            |v| v >= 0.0 && v.is_finite(),
        )
    }

    fn learning_rate(&self) -> f64 {
        self.adam.learning_rate()
    }

    fn set_learning_rate(&mut self, lr: f64) {
        self.adam.set_learning_rate(lr);
    }

    fn prepare<T: Float>(&mut self, parameters: usize) {
        self.adam.prepare::<T>(parameters);
    }

    fn begin_step(&mut self) {
        self.adam.begin_step();
    }

    #[inline(always)]
    fn update<T: Float>(
        &mut self,
        _kind: TensorKind,
        parameters: &mut [T],
        gradients: &[T],
        offset: usize,
    ) {
        let shrink = 1.0 - self.adam.learning_rate() * self.weight_decay;
        self.adam.step(parameters, gradients, offset, 0.0, shrink);
    }

    fn elementwise<T: Float>(&mut self) -> Option<impl ElementwiseUpdate<T>> {
        let shrink = 1.0 - self.adam.learning_rate() * self.weight_decay;
        Some(self.adam.pieces::<T>(0.0, shrink))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EPS: f64 = 1e-8;

    use crate::optim::run_steps as run;

    #[test]
    fn defaults_are_pytorchs() {
        let default = AdamW::default();
        assert_eq!(default, AdamW::new(1e-3));
        assert_eq!(default.learning_rate(), 1e-3);
        assert_eq!(default.weight_decay, 1e-2);
        assert_eq!(default.adam, Adam::new(1e-3));
    }

    #[test]
    fn two_steps_worked_by_hand() {
        // lr 0.1, weight_decay 0.01, betas (0.9, 0.999), θ = 1.
        // t = 1, g = 2: θ ← 1·(1 − 0.1·0.01) = 0.999, then the Adam step of Adam's test:
        //   m = 0.2, v = 0.004, θ = 0.999 − 0.2/(2 + 1e-8) = 0.8990000005
        let expected1 = 0.999 - 0.1 / 0.1 * 0.2 / (2.0 + EPS);
        let got = run(AdamW::new(0.1), &[2.0]);
        assert!((got - expected1).abs() < 1e-15, "{got}");
        assert!((got - 0.8990000005).abs() < 1e-15, "{got}");
        // t = 2, g = 1: θ ← 0.8990000005·0.999 = 0.8981010005, m = 0.28, v = 0.004996,
        //   θ = 0.8981010005 − 0.1·(0.28/0.19)/(√0.004996/√0.001999 + eps)
        //     = 0.8981010005 − 0.0932180 = 0.8048830
        let bc2 = 1.0 - 0.999f64 * 0.999;
        let expected2 =
            expected1 * 0.999 - 0.1 / 0.19 * 0.28 / (0.004996f64.sqrt() / bc2.sqrt() + EPS);
        let got = run(AdamW::new(0.1), &[2.0, 1.0]);
        assert!((got - expected2).abs() < 1e-14, "{got}");
        assert!((got - 0.8048830372).abs() < 1e-9, "{got}");
    }

    #[test]
    fn decay_is_decoupled_from_the_gradient() {
        // With a zero gradient Adam's step is 0/(0 + eps) = 0, so only the decay acts:
        // θ = 1·(1 − 0.1·0.5)² = 0.95² = 0.9025. Adam's L2 decay would instead feed 0.5·θ
        // through the moments and move θ by about lr per step.
        let got = run(AdamW::new(0.1).with_weight_decay(0.5), &[0.0, 0.0]);
        assert!((got - 0.9025).abs() < 1e-15, "{got}");
        let no_decay = run(AdamW::new(0.1).with_weight_decay(0.0), &[2.0]);
        assert!((no_decay - (1.0 - 0.2 / (2.0 + EPS))).abs() < 1e-15);
    }

    #[test]
    fn amsgrad_matches_adam_after_the_decay() {
        // AdamW with decay 0 is Adam, AMSGrad included.
        let mut adamw = AdamW::new(0.1).with_weight_decay(0.0).with_amsgrad(true);
        let mut adam = Adam::new(0.1).with_amsgrad(true);
        adamw.prepare::<f64>(1);
        adam.prepare::<f64>(1);
        let (mut a, mut b) = ([1.0f64], [1.0f64]);
        for g in [2.0, 0.0, 0.5] {
            adamw.begin_step();
            adam.begin_step();
            adamw.update(TensorKind::Weight, &mut a, &[g], 0);
            adam.update(TensorKind::Weight, &mut b, &[g], 0);
        }
        assert_eq!(a, b);
    }

    #[test]
    fn set_learning_rate_drives_the_decay() {
        let mut adamw = AdamW::new(0.1).with_weight_decay(0.5);
        adamw.set_learning_rate(0.2);
        assert_eq!(adamw.learning_rate(), 0.2);
        // θ = 1·(1 − 0.2·0.5) = 0.9, zero gradient step.
        adamw.prepare::<f64>(1);
        adamw.begin_step();
        let mut p = [1.0f64];
        adamw.update(TensorKind::Weight, &mut p, &[0.0], 0);
        assert!((p[0] - 0.9).abs() < 1e-15);
    }

    #[test]
    fn invalid_hyperparameters_are_named() {
        let name = |o: AdamW| o.validate().unwrap_err().name;
        assert_eq!(name(AdamW::new(0.0)), "lr");
        assert_eq!(name(AdamW::new(f64::INFINITY)), "lr");
        assert_eq!(name(AdamW::default().with_betas(-0.1, 0.999)), "beta1");
        assert_eq!(name(AdamW::default().with_betas(0.9, f64::NAN)), "beta2");
        assert_eq!(name(AdamW::default().with_eps(-1e-8)), "eps");
        assert_eq!(
            name(AdamW::default().with_weight_decay(-0.01)),
            "weight_decay"
        );
        assert_eq!(
            name(AdamW::default().with_weight_decay(f64::NAN)),
            "weight_decay"
        );
        assert!(AdamW::default().with_weight_decay(0.0).validate().is_ok());
    }
}
