//! Learning-rate schedules, as PyTorch's `torch.optim.lr_scheduler`, applied between epochs.

use core::f64::consts::PI;

use crate::HyperparameterError;
use crate::learning::error::require;

/// How far the learning rate must fall before ReduceLROnPlateau changes it (PyTorch's `eps`).
const PLATEAU_EPS: f64 = 1e-8;

/// A learning-rate schedule: after each finished epoch, [`next_learning_rate`] gives the rate for
/// the next one. Each kind mirrors a PyTorch scheduler, with PyTorch's defaults:
///
/// | constructor | PyTorch | rate after `epoch` finished epochs |
/// |---|---|---|
/// | [`constant`] (the default) | none | unchanged |
/// | [`step`]`(step_size)` | `StepLR(step_size, gamma=0.1)` | `base·γ^⌊epoch/step_size⌋` |
/// | [`exponential`]`(γ)` | `ExponentialLR(gamma)` | `base·γ^epoch` |
/// | [`cosine_annealing`]`(t_max)` | `CosineAnnealingLR(T_max, eta_min=0)` | `η_min + (base − η_min)·(1 + cos(π·epoch/t_max))/2` |
/// | [`reduce_on_plateau`]`()` | `ReduceLROnPlateau(mode="min", factor=0.1, patience=10, threshold=1e-4, threshold_mode="rel", cooldown=0, min_lr=0)` | multiplied by `factor` when the monitored loss stops improving |
///
/// Optional arguments are set with the `with_…` builders, each of which belongs to one kind; one
/// used on another kind makes [`validate`](LrSchedule::validate) fail, naming it. The cosine schedule uses PyTorch's closed form, which is periodic: after
/// `t_max` epochs the rate rises again towards `base` over the next `t_max`.
///
/// [`next_learning_rate`]: LrSchedule::next_learning_rate
/// [`constant`]: LrSchedule::constant
/// [`step`]: LrSchedule::step
/// [`exponential`]: LrSchedule::exponential
/// [`cosine_annealing`]: LrSchedule::cosine_annealing
/// [`reduce_on_plateau`]: LrSchedule::reduce_on_plateau
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LrSchedule {
    kind: Kind,
    /// Epochs of linear warmup before the schedule starts.
    warmup: usize,
    /// A setter used on a kind of schedule that lacks its setting, reported by `validate`.
    misused: Option<(&'static str, f64)>,
}

#[derive(Clone, Debug, Default, PartialEq)]
enum Kind {
    #[default]
    Constant,
    Step {
        step_size: usize,
        gamma: f64,
    },
    Exponential {
        gamma: f64,
    },
    CosineAnnealing {
        t_max: usize,
        eta_min: f64,
    },
    ReduceOnPlateau(Plateau),
    Custom(super::custom_rate::CustomRate),
}

/// What a learning-rate schedule has seen, as a checkpoint holds it: reduce-on-plateau's best
/// loss (`None` before any), bad epochs and cooldown.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ScheduleState {
    /// The best loss seen.
    pub best: Option<f64>,
    /// Epochs without improvement.
    pub bad_epochs: usize,
    /// Epochs of cooldown left.
    pub cooldown_counter: usize,
}

/// ReduceLROnPlateau's settings and state (mode "min", relative threshold).
#[derive(Clone, Debug, PartialEq)]
struct Plateau {
    factor: f64,
    patience: usize,
    threshold: f64,
    cooldown: usize,
    min_lr: f64,
    best: f64,
    bad_epochs: usize,
    cooldown_counter: usize,
}

impl Plateau {
    fn reset(&mut self) {
        self.best = f64::INFINITY;
        self.bad_epochs = 0;
        self.cooldown_counter = 0;
    }

    /// PyTorch's `ReduceLROnPlateau.step(metrics)` for one parameter group.
    fn step(&mut self, current_lr: f64, loss: f64) -> f64 {
        // mode "min", threshold_mode "rel": better means below best·(1 − threshold).
        if loss < self.best * (1.0 - self.threshold) {
            self.best = loss;
            self.bad_epochs = 0;
        } else {
            self.bad_epochs += 1;
        }
        if self.cooldown_counter > 0 {
            self.cooldown_counter -= 1;
            self.bad_epochs = 0;
        }
        if self.bad_epochs > self.patience {
            self.cooldown_counter = self.cooldown;
            self.bad_epochs = 0;
            let reduced = (current_lr * self.factor).max(self.min_lr);
            if current_lr - reduced > PLATEAU_EPS {
                return reduced;
            }
        }
        current_lr
    }
}

impl LrSchedule {
    /// No schedule: the learning rate stays as it is. The default.
    pub fn constant() -> Self {
        Self {
            misused: None,
            warmup: 0,
            kind: Kind::Constant,
        }
    }

    /// PyTorch's `StepLR`: the rate is multiplied by `gamma` (default 0.1, see
    /// [`with_gamma`](Self::with_gamma)) every `step_size` epochs.
    pub fn step(step_size: usize) -> Self {
        Self {
            misused: None,
            warmup: 0,
            kind: Kind::Step {
                step_size,
                gamma: 0.1,
            },
        }
    }

    /// PyTorch's `ExponentialLR`: the rate is multiplied by `gamma` every epoch.
    pub fn exponential(gamma: f64) -> Self {
        Self {
            misused: None,
            warmup: 0,
            kind: Kind::Exponential { gamma },
        }
    }

    /// PyTorch's `CosineAnnealingLR`: the rate follows half a cosine from the base rate down to
    /// `eta_min` (default 0, see [`with_eta_min`](Self::with_eta_min)) over `t_max` epochs.
    pub fn cosine_annealing(t_max: usize) -> Self {
        Self {
            misused: None,
            warmup: 0,
            kind: Kind::CosineAnnealing {
                t_max,
                eta_min: 0.0,
            },
        }
    }

    /// PyTorch's `ReduceLROnPlateau` in mode "min" with a relative threshold: when the monitored
    /// loss has not fallen below `best·(1 − threshold)` for more than `patience` epochs, the rate
    /// is multiplied by `factor` (not below `min_lr`), then `cooldown` epochs pass before bad
    /// epochs count again. Defaults: factor 0.1, patience 10, threshold 1e-4, cooldown 0,
    /// min_lr 0.
    pub fn reduce_on_plateau() -> Self {
        Self {
            misused: None,
            warmup: 0,
            kind: Kind::ReduceOnPlateau(Plateau {
                factor: 0.1,
                patience: 10,
                threshold: 1e-4,
                cooldown: 0,
                min_lr: 0.0,
                best: f64::INFINITY,
                bad_epochs: 0,
                cooldown_counter: 0,
            }),
        }
    }

    /// Sets the multiplicative factor of [`step`](Self::step) (default 0.1) or
    /// [`exponential`](Self::exponential).
    pub fn with_gamma(mut self, new_gamma: f64) -> Self {
        match &mut self.kind {
            Kind::Step { gamma, .. } | Kind::Exponential { gamma } => *gamma = new_gamma,
            _ => self.misused = Some(("gamma", new_gamma)),
        }
        self
    }

    /// Sets the final rate of [`cosine_annealing`](Self::cosine_annealing) (default 0).
    pub fn with_eta_min(mut self, new_eta_min: f64) -> Self {
        match &mut self.kind {
            Kind::CosineAnnealing { eta_min, .. } => *eta_min = new_eta_min,
            _ => self.misused = Some(("eta_min", new_eta_min)),
        }
        self
    }

    /// Applies `set` to the plateau settings, or records the misuse of `name` on another kind.
    fn plateau(mut self, name: &'static str, value: f64, set: impl FnOnce(&mut Plateau)) -> Self {
        match &mut self.kind {
            Kind::ReduceOnPlateau(plateau) => set(plateau),
            _ => self.misused = Some((name, value)),
        }
        self
    }

    /// Sets the factor by which [`reduce_on_plateau`](Self::reduce_on_plateau) multiplies the
    /// rate (default 0.1).
    pub fn with_factor(self, factor: f64) -> Self {
        self.plateau("factor", factor, |plateau| plateau.factor = factor)
    }

    /// Sets how many epochs without improvement
    /// [`reduce_on_plateau`](Self::reduce_on_plateau) tolerates (default 10).
    pub fn with_patience(self, patience: usize) -> Self {
        self.plateau("patience", patience as f64, |plateau| {
            plateau.patience = patience
        })
    }

    /// Sets the relative improvement that [`reduce_on_plateau`](Self::reduce_on_plateau)
    /// counts as one (default 1e-4).
    pub fn with_threshold(self, threshold: f64) -> Self {
        self.plateau("threshold", threshold, |plateau| {
            plateau.threshold = threshold
        })
    }

    /// Sets how many epochs [`reduce_on_plateau`](Self::reduce_on_plateau) waits after a
    /// reduction before counting bad epochs again (default 0).
    pub fn with_cooldown(self, cooldown: usize) -> Self {
        self.plateau("cooldown", cooldown as f64, |plateau| {
            plateau.cooldown = cooldown
        })
    }

    /// Sets the rate below which [`reduce_on_plateau`](Self::reduce_on_plateau) does not go
    /// (default 0).
    pub fn with_min_lr(self, min_lr: f64) -> Self {
        self.plateau("min_lr", min_lr, |plateau| plateau.min_lr = min_lr)
    }

    /// Checks every hyperparameter, naming the first invalid one.
    pub fn validate(&self) -> Result<(), HyperparameterError> {
        let gamma_in_range = |gamma: f64| {
            require("gamma", gamma, "a number in (0, 1]", |v| {
                v > 0.0 && v <= 1.0
            })
        };
        if let Some((name, value)) = self.misused {
            return Err(HyperparameterError {
                name,
                value,
                expected: "to be set only on a schedule that has it",
            });
        }
        match &self.kind {
            Kind::Constant | Kind::Custom(_) => Ok(()),
            Kind::Step { step_size, gamma } => {
                require("step_size", *step_size as f64, "an integer >= 1", |v| {
                    v >= 1.0
                })?;
                gamma_in_range(*gamma)
            }
            Kind::Exponential { gamma } => gamma_in_range(*gamma),
            Kind::CosineAnnealing { t_max, eta_min } => {
                require("t_max", *t_max as f64, "an integer >= 1", |v| v >= 1.0)?;
                require("eta_min", *eta_min, "a finite number >= 0", |v| {
                    v >= 0.0 && v.is_finite()
                })
            }
            Kind::ReduceOnPlateau(plateau) => {
                require("factor", plateau.factor, "a number in (0, 1)", |v| {
                    v > 0.0 && v < 1.0
                })?;
                require("threshold", plateau.threshold, "a number in [0, 1)", |v| {
                    (0.0..1.0).contains(&v)
                })?;
                require("min_lr", plateau.min_lr, "a finite number >= 0", |v| {
                    v >= 0.0 && v.is_finite()
                })
            }
        }
    }

    /// What [`reduce_on_plateau`](Self::reduce_on_plateau) has seen (the other schedules have no
    /// state), for a checkpoint.
    pub fn state(&self) -> ScheduleState {
        match &self.kind {
            Kind::ReduceOnPlateau(plateau) => ScheduleState {
                best: plateau.best.is_finite().then_some(plateau.best),
                bad_epochs: plateau.bad_epochs,
                cooldown_counter: plateau.cooldown_counter,
            },
            _ => ScheduleState::default(),
        }
    }

    /// Restores what [`state`](Self::state) saved.
    pub fn restore_state(&mut self, state: &ScheduleState) {
        if let Kind::ReduceOnPlateau(plateau) = &mut self.kind {
            plateau.best = state.best.unwrap_or(f64::INFINITY);
            plateau.bad_epochs = state.bad_epochs;
            plateau.cooldown_counter = state.cooldown_counter;
        }
    }

    /// A schedule of one's own: `rate(epoch, base_lr)` gives the learning rate of the epoch after
    /// `epoch` finished epochs (1 after the first), from the optimizer's rate before training.
    /// A rate that is not a finite number > 0 stops training with an error.
    pub fn custom(rate: impl Fn(usize, f64) -> f64 + Send + Sync + 'static) -> Self {
        Self {
            kind: Kind::Custom(super::custom_rate::CustomRate(std::sync::Arc::new(rate))),
            misused: None,
            warmup: 0,
        }
    }

    /// Raises the rate linearly over the first `epochs` epochs, `base_lr·e/epochs` in epoch `e`,
    /// then runs this schedule as if training began there (PyTorch's `LinearLR` followed by the
    /// schedule in a `SequentialLR`, per epoch).
    pub fn with_warmup(mut self, epochs: usize) -> Self {
        self.warmup = epochs;
        self
    }

    /// The rate of the first epoch: `base_lr`, or its first warmup step.
    pub fn initial_learning_rate(&self, base_lr: f64) -> f64 {
        if self.warmup > 0 {
            base_lr / self.warmup as f64
        } else {
            base_lr
        }
    }

    /// Forgets what [`reduce_on_plateau`](Self::reduce_on_plateau) has seen (best loss, bad
    /// epochs, cooldown), as before the first epoch; call it before training again. The other
    /// schedules have no state.
    pub fn reset(&mut self) {
        if let Kind::ReduceOnPlateau(plateau) = &mut self.kind {
            plateau.reset();
        }
    }

    /// The learning rate for the next epoch, after `epoch` finished epochs (1 after the first).
    /// `base_lr` is the optimizer's rate before training, `current_lr` its rate during the epoch
    /// just finished, and `monitored_loss` the loss that
    /// [`reduce_on_plateau`](Self::reduce_on_plateau) watches (the validation loss when there is
    /// validation data). Does not allocate.
    pub fn next_learning_rate(
        &mut self,
        epoch: usize,
        base_lr: f64,
        current_lr: f64,
        monitored_loss: f64,
    ) -> f64 {
        if epoch < self.warmup {
            return base_lr * (epoch + 1) as f64 / self.warmup as f64;
        }
        if epoch == self.warmup && self.warmup > 0 {
            return base_lr;
        }
        let epoch = epoch - self.warmup;
        match &mut self.kind {
            Kind::Constant => current_lr,
            Kind::Custom(rate) => (rate.0)(epoch, base_lr),
            Kind::Step { step_size, gamma } => {
                base_lr * gamma.powf((epoch / (*step_size).max(1)) as f64)
            }
            Kind::Exponential { gamma } => base_lr * gamma.powf(epoch as f64),
            Kind::CosineAnnealing { t_max, eta_min } => {
                let phase = PI * epoch as f64 / (*t_max).max(1) as f64;
                *eta_min + (base_lr - *eta_min) * (1.0 + phase.cos()) / 2.0
            }
            Kind::ReduceOnPlateau(plateau) => plateau.step(current_lr, monitored_loss),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `schedule` for one epoch per loss, as the trainer does, returning the rates.
    fn rates(mut schedule: LrSchedule, base_lr: f64, losses: &[f64]) -> Vec<f64> {
        schedule.validate().unwrap();
        let mut lr = base_lr;
        let mut out = Vec::new();
        for (i, &loss) in losses.iter().enumerate() {
            lr = schedule.next_learning_rate(i + 1, base_lr, lr, loss);
            out.push(lr);
        }
        out
    }

    fn assert_close(got: &[f64], expected: &[f64]) {
        assert_eq!(got.len(), expected.len());
        for (g, e) in got.iter().zip(expected) {
            assert!((g - e).abs() < 1e-12, "got {got:?}, expected {expected:?}");
        }
    }

    #[test]
    fn constant_keeps_the_current_rate() {
        assert_eq!(LrSchedule::default(), LrSchedule::constant());
        let mut schedule = LrSchedule::default();
        assert_eq!(schedule.next_learning_rate(3, 0.1, 0.05, 1.0), 0.05);
    }

    #[test]
    fn step_worked_by_hand() {
        // base 1, step 2, γ 0.5: epochs 1..=5 give 0.5^⌊e/2⌋ = 0.5^0, 0.5^1, 0.5^1, 0.5^2, 0.5^2
        let schedule = LrSchedule::step(2).with_gamma(0.5);
        assert_close(
            &rates(schedule, 1.0, &[0.0; 5]),
            &[1.0, 0.5, 0.5, 0.25, 0.25],
        );
        // Default γ 0.1, step 1, base 0.1: 0.1·0.1 = 0.01, 0.1·0.01 = 0.001.
        assert_close(&rates(LrSchedule::step(1), 0.1, &[0.0; 2]), &[0.01, 0.001]);
    }

    #[test]
    fn exponential_worked_by_hand() {
        // base 0.8, γ 0.5: 0.8·0.5 = 0.4, 0.8·0.25 = 0.2, 0.8·0.125 = 0.1
        assert_close(
            &rates(LrSchedule::exponential(0.5), 0.8, &[0.0; 3]),
            &[0.4, 0.2, 0.1],
        );
    }

    #[test]
    fn cosine_annealing_worked_by_hand() {
        // base 1, t_max 4, η_min 0: (1 + cos(π·e/4))/2 for e = 1..=4:
        // (1 + 0.7071068)/2 = 0.8535534, (1 + 0)/2 = 0.5, (1 − 0.7071068)/2 = 0.1464466, 0;
        // then the closed form rises again: e = 5 gives 0.1464466.
        let half_root = 0.5f64.sqrt();
        assert_close(
            &rates(LrSchedule::cosine_annealing(4), 1.0, &[0.0; 5]),
            &[
                (1.0 + half_root) / 2.0,
                0.5,
                (1.0 - half_root) / 2.0,
                0.0,
                (1.0 - half_root) / 2.0,
            ],
        );
        // base 1.1, η_min 0.1, t_max 2: e = 1 gives 0.1 + 1.0·(1 + 0)/2 = 0.6, e = 2 gives 0.1.
        let schedule = LrSchedule::cosine_annealing(2).with_eta_min(0.1);
        assert_close(&rates(schedule, 1.1, &[0.0; 2]), &[0.6, 0.1]);
    }

    #[test]
    fn reduce_on_plateau_worked_by_hand() {
        // factor 0.5, patience 2, threshold 0.1 (better = below 0.9·best), cooldown 1,
        // min_lr 0.3, base 1:
        // e1 1.0: better than ∞, best 1.                        lr 1
        // e2 0.95: not below 0.9, bad 1.                        lr 1
        // e3 0.85: below 0.9, best 0.85, bad 0.                 lr 1
        // e4–e5 0.8: not below 0.765, bad 1, 2.                 lr 1
        // e6 0.8: bad 3 > 2: lr 0.5, cooldown 1, bad 0.         lr 0.5
        // e7 0.8: bad 1, cooldown 1 → 0 resets bad to 0.        lr 0.5
        // e8–e9 0.8: bad 1, 2.                                  lr 0.5
        // e10 0.8: bad 3: lr max(0.25, 0.3) = 0.3, cooldown 1.  lr 0.3
        // e11 cooldown; e12–e13 bad 1, 2; e14 bad 3: max(0.15, 0.3) = 0.3, unchanged.
        let schedule = LrSchedule::reduce_on_plateau()
            .with_factor(0.5)
            .with_patience(2)
            .with_threshold(0.1)
            .with_cooldown(1)
            .with_min_lr(0.3);
        let mut losses = vec![1.0, 0.95, 0.85];
        losses.extend([0.8; 11]);
        assert_close(
            &rates(schedule, 1.0, &losses),
            &[
                1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.3, 0.3, 0.3, 0.3, 0.3,
            ],
        );
    }

    #[test]
    fn reduce_on_plateau_defaults_wait_ten_bad_epochs() {
        // e1 sets best 1; e2–e11 are bad 1..=10 (not > 10); e12 is bad 11: lr 0.2·0.1 = 0.02.
        // A loss within the 1e-4 relative threshold is no improvement: 0.99995 > 0.9999.
        let mut losses = vec![1.0];
        losses.extend([0.99995; 11]);
        let mut expected = vec![0.2; 11];
        expected.push(0.02);
        assert_close(
            &rates(LrSchedule::reduce_on_plateau(), 0.2, &losses),
            &expected,
        );
    }

    #[test]
    fn reset_forgets_the_plateau() {
        let mut schedule = LrSchedule::reduce_on_plateau().with_patience(0);
        assert_eq!(schedule.next_learning_rate(1, 1.0, 1.0, 0.5), 1.0);
        // Not better than 0.5: bad 1 > 0, reduced.
        assert!((schedule.next_learning_rate(2, 1.0, 1.0, 0.5) - 0.1).abs() < 1e-15);
        schedule.reset();
        assert_eq!(schedule, LrSchedule::reduce_on_plateau().with_patience(0));
        // After the reset 0.5 is the first loss seen, so an improvement.
        assert_eq!(schedule.next_learning_rate(1, 1.0, 1.0, 0.5), 1.0);
    }

    #[test]
    fn invalid_hyperparameters_are_named() {
        let name = |s: LrSchedule| s.validate().unwrap_err().name;
        assert_eq!(name(LrSchedule::step(0)), "step_size");
        assert_eq!(name(LrSchedule::step(1).with_gamma(0.0)), "gamma");
        assert_eq!(name(LrSchedule::step(1).with_gamma(1.5)), "gamma");
        assert_eq!(name(LrSchedule::exponential(f64::NAN)), "gamma");
        assert_eq!(name(LrSchedule::exponential(-0.5)), "gamma");
        assert_eq!(name(LrSchedule::cosine_annealing(0)), "t_max");
        assert_eq!(
            name(LrSchedule::cosine_annealing(1).with_eta_min(-1e-3)),
            "eta_min"
        );
        assert_eq!(
            name(LrSchedule::cosine_annealing(1).with_eta_min(f64::NAN)),
            "eta_min"
        );
        let plateau = LrSchedule::reduce_on_plateau;
        assert_eq!(name(plateau().with_factor(1.0)), "factor");
        assert_eq!(name(plateau().with_factor(0.0)), "factor");
        assert_eq!(name(plateau().with_factor(f64::NAN)), "factor");
        assert_eq!(name(plateau().with_threshold(-1e-4)), "threshold");
        assert_eq!(name(plateau().with_threshold(f64::NAN)), "threshold");
        assert_eq!(name(plateau().with_min_lr(-1.0)), "min_lr");
        assert_eq!(name(plateau().with_min_lr(f64::INFINITY)), "min_lr");
        assert!(LrSchedule::exponential(1.0).validate().is_ok());
        assert!(
            plateau()
                .with_patience(0)
                .with_cooldown(5)
                .validate()
                .is_ok()
        );
        let err = LrSchedule::step(0).validate().unwrap_err();
        assert!(
            err.to_string()
                .contains("`step_size` = 0, expected an integer >= 1"),
            "{err}"
        );
    }

    #[test]
    fn a_setter_of_another_kind_is_a_validation_error_naming_it() {
        let error = LrSchedule::step(1).with_factor(0.5).validate().unwrap_err();
        assert_eq!((error.name, error.value), ("factor", 0.5));
        let error = LrSchedule::reduce_on_plateau()
            .with_gamma(0.2)
            .validate()
            .unwrap_err();
        assert_eq!(error.name, "gamma");
    }
}
