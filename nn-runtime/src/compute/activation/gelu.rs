//! The Gaussian error linear unit, exact and in its tanh approximation.

use super::silu::logistic_pair;
use super::{Activation, input_backward};
use crate::Float;

/// `1/√2`.
const FRAC_1_SQRT_2: f64 = core::f64::consts::FRAC_1_SQRT_2;
/// `1/√(2π)`, the standard normal density at 0.
const FRAC_1_SQRT_2PI: f64 = 0.398_942_280_401_432_7;
/// `√(2/π)`, the scale inside the tanh approximation.
const SQRT_2_OVER_PI: f64 = 0.797_884_560_802_865_4;
/// The cubic coefficient of the tanh approximation.
const KAPPA: f64 = 0.044_715;

/// The Gaussian error linear unit `f(z) = z·Φ(z) = 0.5·z·(1 + erf(z/√2))`, with `Φ` the standard
/// normal distribution function: PyTorch's `torch.nn.GELU()` (Hendrycks and Gimpel, 2016,
/// "Gaussian error linear units (GELUs)"), computed as PyTorch does.
///
/// Its derivative `Φ(z) + z·φ(z)`, with `φ` the standard normal density, needs `z`, which layers
/// keep while training. For large negative `z`, `1 + erf(z/√2)` cancels: the value is then
/// accurate to a few rounding errors of `z/2` rather than of itself, as in PyTorch.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Gelu;

impl Activation for Gelu {
    const NAME: &'static str = "Gelu";
    const NEEDS_INPUTS: bool = true;

    #[inline(always)]
    fn apply<T: Float>(&self, values: &mut [T], _rows: usize) {
        let half = T::of_f64(0.5);
        let frac_1_sqrt_2 = T::of_f64(FRAC_1_SQRT_2);
        for v in values {
            *v = *v * half * (T::one() + (*v * frac_1_sqrt_2).activation_erf());
        }
    }

    #[inline(always)]
    fn backward<T: Float>(&self, inputs: &[T], _outputs: &[T], delta: &mut [T], _rows: usize) {
        let half = T::of_f64(0.5);
        let frac_1_sqrt_2 = T::of_f64(FRAC_1_SQRT_2);
        let frac_1_sqrt_2pi = T::of_f64(FRAC_1_SQRT_2PI);
        input_backward(inputs, delta, |z| {
            let cdf = half * (T::one() + (z * frac_1_sqrt_2).activation_erf());
            let pdf = frac_1_sqrt_2pi * (z * z * -half).activation_exp();
            cdf + z * pdf
        });
    }
}

/// The tanh approximation of the GELU, `f(z) = 0.5·z·(1 + tanh(√(2/π)·(z + 0.044715·z³)))`:
/// PyTorch's `torch.nn.GELU(approximate='tanh')` (Hendrycks and Gimpel, 2016, "Gaussian error
/// linear units (GELUs)").
///
/// Computed as the equal `z·σ(2u)`, with `u = √(2/π)·(z + 0.044715·z³)` and `σ` the logistic
/// function, since `0.5·(1 + tanh(u)) = σ(2u)`: one exponential, accurate to a few rounding
/// errors of the value itself even for large negative `z`, where `1 + tanh(u)` cancels. Its
/// derivative `σ(2u) + 2·z·σ(2u)·σ(−2u)·√(2/π)·(1 + 3·0.044715·z²)` needs `z`, which layers
/// keep while training.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct GeluTanh;

/// `(σ(2u), σ(−2u))` for the `u` of `z`.
#[inline(always)]
fn tanh_gate<T: Float>(z: T) -> (T, T) {
    let u = T::of_f64(SQRT_2_OVER_PI) * (z + T::of_f64(KAPPA) * z * z * z);
    logistic_pair(u + u)
}

impl Activation for GeluTanh {
    const NAME: &'static str = "GeluTanh";
    const NEEDS_INPUTS: bool = true;

    #[inline(always)]
    fn apply<T: Float>(&self, values: &mut [T], _rows: usize) {
        for v in values {
            *v *= tanh_gate(*v).0;
        }
    }

    #[inline(always)]
    fn backward<T: Float>(&self, inputs: &[T], _outputs: &[T], delta: &mut [T], _rows: usize) {
        let scale = T::of_f64(2.0 * SQRT_2_OVER_PI);
        let kappa_3 = T::of_f64(3.0 * KAPPA);
        input_backward(inputs, delta, |z| {
            let (s, one_minus_s) = tanh_gate(z);
            s + z * (s * one_minus_s) * (scale * (T::one() + kappa_3 * z * z))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::reference_values::{GELU, GELU_TANH};
    use super::super::testing::{check_derivatives, check_odd_lengths, check_reference, points};
    use super::*;

    #[test]
    fn gelu_derivative_matches_finite_differences() {
        check_derivatives::<_, f64>(&Gelu, &points(), 1e-6, 1e-6, &[], 0.0);
        check_derivatives::<_, f32>(&Gelu, &points(), 1e-2, 1e-3, &[], 0.0);
    }

    #[test]
    fn gelu_tanh_derivative_matches_finite_differences() {
        check_derivatives::<_, f64>(&GeluTanh, &points(), 1e-6, 1e-6, &[], 0.0);
        check_derivatives::<_, f32>(&GeluTanh, &points(), 1e-2, 1e-3, &[], 0.0);
    }

    #[test]
    fn gelu_matches_pytorch() {
        // The value adds z/2 and z/2·erf(z/√2), the derivative Φ(z) (made of 1/2 and erf/2) and
        // z·φ(z): where they cancel, PyTorch's rounding error and ours are of their size.
        let scale = |z: f64| [z.abs() / 2.0, 0.5];
        check_reference::<_, f64>(&Gelu, &GELU, 1e-15, 1e-15, scale);
        check_reference::<_, f32>(&Gelu, &GELU, 2e-6, 1e-7, |_| [1.0; 2]);
    }

    #[test]
    fn gelu_tanh_matches_pytorch() {
        // PyTorch computes 0.5·z·(1 + tanh(u)), which cancels for negative z as above; ours
        // does not, and differs from it by PyTorch's rounding error there.
        let scale = |z: f64| [z.abs() / 2.0, 0.5];
        check_reference::<_, f64>(&GeluTanh, &GELU_TANH, 1e-15, 1e-15, scale);
        check_reference::<_, f32>(&GeluTanh, &GELU_TANH, 2e-6, 1e-7, |_| [1.0; 2]);
    }

    #[test]
    fn gelu_handles_lengths_off_the_vector_width() {
        check_odd_lengths::<_, f64>(&Gelu);
        check_odd_lengths::<_, f32>(&Gelu);
        check_odd_lengths::<_, f64>(&GeluTanh);
        check_odd_lengths::<_, f32>(&GeluTanh);
    }
}
