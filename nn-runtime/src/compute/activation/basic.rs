//! The classic activations: identity, logistic, hyperbolic tangent and the rectifiers.

use super::{Activation, elementwise_backward};
use crate::Float;

/// `f(z) = z`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Identity;

impl Activation for Identity {
    const NAME: &'static str = "Identity";

    #[inline(always)]
    fn apply<T: Float>(&self, _values: &mut [T], _rows: usize) {}

    #[inline(always)]
    fn backward<T: Float>(&self, _inputs: &[T], outputs: &[T], delta: &mut [T], _rows: usize) {
        assert_eq!(
            outputs.len(),
            delta.len(),
            "outputs and deltas differ in length"
        );
    }
}

/// The logistic function `f(z) = 1 / (1 + e^-z)`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sigmoid;

/// A logistic function that never overflows: `e^z / (1 + e^z)` for negative `z`.
#[inline(always)]
pub fn sigmoid<T: Float>(z: T) -> T {
    if z >= T::zero() {
        T::one() / (T::one() + (-z).activation_exp())
    } else {
        let e = z.activation_exp();
        e / (T::one() + e)
    }
}

impl Activation for Sigmoid {
    const NAME: &'static str = "Sigmoid";

    #[inline(always)]
    fn apply<T: Float>(&self, values: &mut [T], _rows: usize) {
        for v in values {
            *v = sigmoid(*v);
        }
    }

    #[inline(always)]
    fn backward<T: Float>(&self, _inputs: &[T], outputs: &[T], delta: &mut [T], _rows: usize) {
        elementwise_backward(outputs, delta, |a| a * (T::one() - a));
    }
}

/// The hyperbolic tangent.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Tanh;

impl Activation for Tanh {
    const NAME: &'static str = "Tanh";

    #[inline(always)]
    fn apply<T: Float>(&self, values: &mut [T], _rows: usize) {
        for v in values {
            *v = v.activation_tanh();
        }
    }

    #[inline(always)]
    fn backward<T: Float>(&self, _inputs: &[T], outputs: &[T], delta: &mut [T], _rows: usize) {
        elementwise_backward(outputs, delta, |a| T::one() - a * a);
    }
}

/// The rectifier `f(z) = max(z, 0)`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Relu;

impl Activation for Relu {
    const NAME: &'static str = "Relu";

    #[inline(always)]
    fn apply<T: Float>(&self, values: &mut [T], _rows: usize) {
        // `max` rather than "set to zero where negative": every value is stored, so the loop
        // does not become masked stores, which some CPUs run an order of magnitude slower.
        // NaN becomes 0 either way.
        for v in values {
            *v = v.max(T::zero());
        }
    }

    #[inline(always)]
    fn backward<T: Float>(&self, _inputs: &[T], outputs: &[T], delta: &mut [T], _rows: usize) {
        elementwise_backward(outputs, delta, |a| {
            if a > T::zero() { T::one() } else { T::zero() }
        });
    }
}

/// The leaky rectifier `f(z) = z` for `z > 0`, `slope·z` otherwise (Maas et al., 2013).
///
/// The slope is non-negative (the macro checks it), so the sign of the output tells the branch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LeakyRelu {
    /// The slope for negative inputs.
    pub slope: f64,
}

impl LeakyRelu {
    /// The slope used when a description writes plain `LeakyRelu`.
    pub const DEFAULT_SLOPE: f64 = 0.01;
}

impl Default for LeakyRelu {
    fn default() -> Self {
        Self {
            slope: Self::DEFAULT_SLOPE,
        }
    }
}

impl Activation for LeakyRelu {
    const NAME: &'static str = "LeakyRelu";

    #[inline(always)]
    fn apply<T: Float>(&self, values: &mut [T], _rows: usize) {
        let slope = T::of_f64(self.slope);
        // A factor for every value rather than a conditional update, as in `Relu`.
        for v in values {
            *v *= if *v > T::zero() { T::one() } else { slope };
        }
    }

    #[inline(always)]
    fn backward<T: Float>(&self, _inputs: &[T], outputs: &[T], delta: &mut [T], _rows: usize) {
        let slope = T::of_f64(self.slope);
        elementwise_backward(
            outputs,
            delta,
            |a| if a > T::zero() { T::one() } else { slope },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigmoid_matches_reference_values_at_the_extremes() {
        assert_eq!(sigmoid(0.0f64), 0.5);
        assert!((sigmoid(-800.0f64)).abs() < 1e-300);
        assert_eq!(sigmoid(800.0f64), 1.0);
        assert!((sigmoid(2.0f64) - 0.880_797_077_977_882_3).abs() < 1e-15);
    }

    #[test]
    fn leaky_relu_scales_only_negative_inputs() {
        let mut v = [-2.0f64, 3.0];
        LeakyRelu { slope: 0.2 }.apply(&mut v, 2);
        assert_eq!(v, [-0.4, 3.0]);
        let mut d = [1.0, 1.0];
        LeakyRelu { slope: 0.2 }.backward(&[], &v, &mut d, 2);
        assert_eq!(d, [0.2, 1.0]);
    }
}
