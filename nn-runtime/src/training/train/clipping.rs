//! Gradient clipping before each update, as PyTorch's `torch.nn.utils.clip_grad_norm_` and
//! `clip_grad_value_` do it between `backward()` and `step()`.

use crate::learning::error::require;
use crate::{Float, HyperparameterError};

/// How the gradients of a step are clipped, after the weight penalty is added and before the
/// optimizer uses them.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum GradientClipping {
    /// No clipping.
    #[default]
    Off,
    /// Every gradient scaled by `min(1, max_norm / (‖g‖ + 1e-6))`, where `‖g‖` is the L2 norm
    /// of all trainable gradients together (`clip_grad_norm_`). Needs every gradient before the
    /// first update, so the step makes two passes over them.
    Norm {
        /// The largest norm let through.
        max_norm: f64,
    },
    /// Every gradient clamped to `[−value, value]` (`clip_grad_value_`), in the same pass as the
    /// update.
    Value {
        /// The largest magnitude let through.
        value: f64,
    },
}

impl GradientClipping {
    /// Checks the bound: a finite number > 0.
    pub fn validate(&self) -> Result<(), HyperparameterError> {
        let expected = "a finite number > 0";
        match *self {
            GradientClipping::Off => Ok(()),
            GradientClipping::Norm { max_norm } => {
                require("clip_grad_norm", max_norm, expected, |v| {
                    v > 0.0 && v.is_finite()
                })
            }
            GradientClipping::Value { value } => require("clip_grad_value", value, expected, |v| {
                v > 0.0 && v.is_finite()
            }),
        }
    }

    /// The factor `clip_grad_norm_` scales the gradients by, given the sum of their squares.
    pub(crate) fn norm_factor(max_norm: f64, square_sum: f64) -> f64 {
        (max_norm / (square_sum.sqrt() + 1e-6)).min(1.0)
    }
}

/// Clamps each gradient to `[−bound, bound]`.
#[inline]
pub(crate) fn clamp<T: Float>(gradients: &mut [T], bound: f64) {
    let bound = T::of_f64(bound);
    for g in gradients {
        *g = g.clamp(-bound, bound);
    }
}

/// Scales each gradient by `factor`.
#[inline]
pub(crate) fn scale<T: Float>(gradients: &mut [T], factor: f64) {
    let factor = T::of_f64(factor);
    for g in gradients {
        *g *= factor;
    }
}

/// The sum of the squares of `gradients`, in `f64`.
#[inline]
pub(crate) fn square_sum<T: Float>(gradients: &[T]) -> f64 {
    gradients.iter().map(|g| g.as_f64() * g.as_f64()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_norm_factor_is_pytorchs_and_never_grows_gradients() {
        assert!((GradientClipping::norm_factor(1.0, 16.0) - 1.0 / (4.0 + 1e-6)).abs() < 1e-15);
        assert_eq!(GradientClipping::norm_factor(10.0, 16.0), 1.0);
        let mut g = [3.0f32, -5.0, 0.5];
        clamp(&mut g, 1.0);
        assert_eq!(g, [1.0, -1.0, 0.5]);
        assert!(GradientClipping::Norm { max_norm: 0.0 }.validate().is_err());
        assert!(
            GradientClipping::Value { value: f64::NAN }
                .validate()
                .is_err()
        );
    }
}
