//! Layer normalization (Ba et al., 2016, "Layer Normalization"; PyTorch's `torch.nn.LayerNorm`
//! over the last dimension, with its learnable `γ` and `β`): each sample's features are
//! normalized by their own mean and biased variance.

use super::{NormParameters, inverse_deviation};
use crate::{Batch, BatchMut, Float};

/// Normalizes one column `x` into `y = (x − μ)·(1/√(σ² + ε))·γ + β`; writes `x̂` into
/// `normalized` when given and returns `1/√(σ² + ε)`.
#[inline(always)]
fn normalize_column<T: Float, const N: usize>(
    parameters: &impl NormParameters<T, N>,
    epsilon: T,
    x: &[T],
    y: &mut [T],
    mut normalized: Option<&mut [T]>,
) -> T {
    let n = T::of_f64(N as f64);
    let mean = x.iter().fold(T::zero(), |sum, &v| sum + v) / n;
    let variance = x
        .iter()
        .fold(T::zero(), |sum, &v| sum + (v - mean) * (v - mean))
        / n;
    let inverse = inverse_deviation(variance, epsilon);
    let (scale, shift) = (parameters.scale(), parameters.shift());
    for i in 0..N {
        let x_hat = (x[i] - mean) * inverse;
        if let Some(normalized) = normalized.as_deref_mut() {
            normalized[i] = x_hat;
        }
        y[i] = x_hat * scale[i] + shift[i];
    }
    inverse
}

/// One sample through layer normalization.
pub fn layer_norm_vector<T: Float, const N: usize>(
    parameters: &impl NormParameters<T, N>,
    epsilon: f64,
    input: &[T; N],
    output: &mut [T; N],
) {
    normalize_column(parameters, T::of_f64(epsilon), input, output, None);
}

/// A batch through layer normalization, for inference.
pub fn layer_norm_forward<T: Float, const N: usize>(
    parameters: &impl NormParameters<T, N>,
    epsilon: f64,
    input: &impl Batch<T, N>,
    output: &mut impl BatchMut<T, N>,
) {
    output.set_columns(input.columns());
    let epsilon = T::of_f64(epsilon);
    for (x, y) in input
        .as_slice()
        .chunks_exact(N)
        .zip(output.as_mut_slice().chunks_exact_mut(N))
    {
        normalize_column(parameters, epsilon, x, y, None);
    }
}

/// A batch through layer normalization while training: also keeps `x̂` in `normalized` and each
/// column's `1/√(σ² + ε)` in `inverse_deviations` (at least one per column), for the backward
/// pass.
pub fn layer_norm_forward_train<T: Float, const N: usize>(
    parameters: &impl NormParameters<T, N>,
    epsilon: f64,
    input: &impl Batch<T, N>,
    output: &mut impl BatchMut<T, N>,
    normalized: &mut impl BatchMut<T, N>,
    inverse_deviations: &mut [T],
) {
    let columns = input.columns();
    output.set_columns(columns);
    normalized.set_columns(columns);
    let epsilon = T::of_f64(epsilon);
    for (((x, y), x_hat), inverse) in input
        .as_slice()
        .chunks_exact(N)
        .zip(output.as_mut_slice().chunks_exact_mut(N))
        .zip(normalized.as_mut_slice().chunks_exact_mut(N))
        .zip(&mut inverse_deviations[..columns])
    {
        *inverse = normalize_column(parameters, epsilon, x, y, Some(x_hat));
    }
}

/// `∂L/∂x` of layer normalization into `input_delta`, given `δ = ∂L/∂y` and what the forward
/// pass kept: per column, with `g = δ ⊙ γ`, `∂L/∂x = (1/√(σ² + ε))·(g − mean(g) − x̂·mean(g ⊙ x̂))`.
pub fn layer_norm_input_gradient<T: Float, const N: usize>(
    parameters: &impl NormParameters<T, N>,
    normalized: &impl Batch<T, N>,
    inverse_deviations: &[T],
    delta: &impl Batch<T, N>,
    input_delta: &mut impl BatchMut<T, N>,
) {
    let columns = delta.columns();
    input_delta.set_columns(columns);
    let n = T::of_f64(N as f64);
    let scale = parameters.scale();
    for (((x_hat, d), dx), &inverse) in normalized
        .as_slice()
        .chunks_exact(N)
        .zip(delta.as_slice().chunks_exact(N))
        .zip(input_delta.as_mut_slice().chunks_exact_mut(N))
        .zip(&inverse_deviations[..columns])
    {
        let (mut sum, mut dot) = (T::zero(), T::zero());
        for i in 0..N {
            let g = d[i] * scale[i];
            sum += g;
            dot += g * x_hat[i];
        }
        let (mean, mean_dot) = (sum / n, dot / n);
        for i in 0..N {
            dx[i] = (d[i] * scale[i] - mean - x_hat[i] * mean_dot) * inverse;
        }
    }
}

#[cfg(all(test, feature = "train"))]
mod tests {
    use super::super::testing::Params;
    use super::*;
    use crate::BatchMatrix;
    use nalgebra::SVector;

    #[test]
    fn each_column_gets_zero_mean_and_unit_variance_before_the_affine_step() {
        let params = Params {
            scale: [2.0, 2.0, 2.0],
            shift: [1.0, 1.0, 1.0],
            mean: [0.0; 3],
            variance: [1.0; 3],
        };
        let input = BatchMatrix::from_columns(&[
            SVector::from([1.0f64, 2.0, 3.0]),
            SVector::from([-5.0, 0.0, 5.0]),
        ]);
        let mut output = BatchMatrix::zeros(2);
        let (mut normalized, mut inverse) = (BatchMatrix::zeros(2), [0.0; 2]);
        layer_norm_forward_train(
            &params,
            0.0,
            &input,
            &mut output,
            &mut normalized,
            &mut inverse,
        );
        let root = (1.5f64).sqrt();
        let expected = [-root, 0.0, root];
        for column in normalized.as_slice().chunks(3) {
            for (a, b) in column.iter().zip(expected) {
                assert!((a - b).abs() < 1e-15);
            }
        }
        assert!((inverse[0] - (1.5f64).sqrt() / 1.0).abs() < 1e-15);
        assert!((output.as_slice()[2] - (2.0 * root + 1.0)).abs() < 1e-15);
        let mut single = [0.0; 3];
        layer_norm_vector(&params, 0.0, &[-5.0, 0.0, 5.0], &mut single);
        assert_eq!(&single[..], &output.as_slice()[3..]);
    }
}
