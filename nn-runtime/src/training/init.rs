//! How a dense layer's parameters are filled when a network is created, by the formulas of
//! PyTorch's `torch.nn.init`.

use rand::{Rng, RngExt};
use rand_distr::{Distribution, Normal};

use crate::Float;

/// How a tensor is filled before training, from the layer's fan-in (inputs) and fan-out
/// (outputs). Uniform initializers draw from `U(−a, a)`, normal ones from `N(0, σ²)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Initializer {
    /// Glorot (Xavier) uniform, `a = √(6 / (fan_in + fan_out))`: PyTorch's `xavier_uniform_`
    /// (Glorot & Bengio, 2010, "Understanding the difficulty of training deep feedforward neural
    /// networks"). The default weights of layers without a rectifier.
    GlorotUniform,
    /// Glorot (Xavier) normal, `σ = √(2 / (fan_in + fan_out))`: PyTorch's `xavier_normal_`.
    GlorotNormal,
    /// He (Kaiming) uniform, `a = √(6 / fan_in)`: PyTorch's `kaiming_uniform_` with
    /// `nonlinearity='relu'` (He et al., 2015, "Delving Deep into Rectifiers"). The default
    /// weights of layers followed by `Relu` or `LeakyRelu`.
    HeUniform,
    /// He (Kaiming) normal, `σ = √(2 / fan_in)`: PyTorch's `kaiming_normal_` with
    /// `nonlinearity='relu'`.
    HeNormal,
    /// LeCun normal, `σ = √(1 / fan_in)`: PyTorch's `kaiming_normal_` with
    /// `nonlinearity='linear'` (LeCun et al., 1998, "Efficient BackProp"; the initializer SELU
    /// networks assume).
    LecunNormal,
    /// Every value 0: PyTorch's `zeros_`. The default biases.
    Zeros,
    /// Every value the given constant: PyTorch's `constant_`.
    Constant(f64),
}

impl Initializer {
    /// The spread for a layer of `fan_in` inputs and `fan_out` outputs: the half-width `a` of a
    /// uniform initializer, the standard deviation `σ` of a normal one, the value of a constant
    /// (0 for `Zeros`).
    pub fn scale(self, fan_in: usize, fan_out: usize) -> f64 {
        let (fan_in, fan_out) = (fan_in as f64, fan_out as f64);
        match self {
            Initializer::GlorotUniform => (6.0 / (fan_in + fan_out)).sqrt(),
            Initializer::GlorotNormal => (2.0 / (fan_in + fan_out)).sqrt(),
            Initializer::HeUniform => (6.0 / fan_in).sqrt(),
            Initializer::HeNormal => (2.0 / fan_in).sqrt(),
            Initializer::LecunNormal => (1.0 / fan_in).sqrt(),
            Initializer::Zeros => 0.0,
            Initializer::Constant(value) => value,
        }
    }

    /// Fills `values` for a layer of `fan_in` inputs and `fan_out` outputs, drawing from `rng`
    /// (constants draw nothing).
    pub fn fill<T: Float, R: Rng + ?Sized>(
        self,
        values: &mut [T],
        fan_in: usize,
        fan_out: usize,
        rng: &mut R,
    ) {
        let scale = self.scale(fan_in, fan_out);
        match self {
            Initializer::GlorotUniform | Initializer::HeUniform => {
                for v in values {
                    *v = T::of_f64(rng.random_range(-scale..scale));
                }
            }
            Initializer::GlorotNormal | Initializer::HeNormal | Initializer::LecunNormal => {
                let normal = Normal::new(0.0, scale).expect("a finite, positive deviation");
                for v in values {
                    *v = T::of_f64(normal.sample(rng));
                }
            }
            Initializer::Zeros | Initializer::Constant(_) => values.fill(T::of_f64(scale)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{SeedableRng, rngs::StdRng};

    /// Mean and standard deviation of many draws.
    fn moments(init: Initializer, fan_in: usize, fan_out: usize) -> (f64, f64, f64) {
        let mut values = vec![0.0f64; 200_000];
        init.fill(&mut values, fan_in, fan_out, &mut StdRng::seed_from_u64(3));
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
        let max = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        (mean, var.sqrt(), max)
    }

    #[test]
    fn uniform_initializers_stay_within_their_bound_with_the_uniform_deviation() {
        for (init, bound) in [
            (Initializer::GlorotUniform, (6.0f64 / 96.0).sqrt()),
            (Initializer::HeUniform, (6.0f64 / 64.0).sqrt()),
        ] {
            let (mean, std, max) = moments(init, 64, 32);
            assert!(max <= bound && max > 0.99 * bound, "{init:?}: max {max}");
            // The deviation of U(−a, a) is a/√3; 200 000 draws give it within 1 %.
            assert!((std / (bound / 3f64.sqrt()) - 1.0).abs() < 0.01, "{init:?}");
            assert!(mean.abs() < 0.01 * bound, "{init:?}");
        }
    }

    #[test]
    fn normal_initializers_have_pytorchs_standard_deviation() {
        for (init, sigma) in [
            (Initializer::GlorotNormal, (2.0f64 / 96.0).sqrt()),
            (Initializer::HeNormal, (2.0f64 / 64.0).sqrt()),
            (Initializer::LecunNormal, (1.0f64 / 64.0).sqrt()),
        ] {
            let (mean, std, max) = moments(init, 64, 32);
            assert!(
                (std / sigma - 1.0).abs() < 0.01,
                "{init:?}: {std} vs {sigma}"
            );
            assert!(mean.abs() < 0.01 * sigma, "{init:?}");
            // Not truncated: 200 000 normal draws reach past 4σ.
            assert!(max > 4.0 * sigma, "{init:?}");
        }
    }

    #[test]
    fn constants_fill_without_drawing() {
        let mut rng = StdRng::seed_from_u64(1);
        let mut values = [1.0f32; 5];
        Initializer::Zeros.fill(&mut values, 3, 5, &mut rng);
        assert_eq!(values, [0.0; 5]);
        Initializer::Constant(0.1).fill(&mut values, 3, 5, &mut rng);
        assert_eq!(values, [0.1; 5]);
        let untouched: u64 = rng.random();
        assert_eq!(untouched, StdRng::seed_from_u64(1).random::<u64>());
    }
}
