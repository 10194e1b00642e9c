//! Batch normalization (Ioffe & Szegedy, 2015, "Batch Normalization"; PyTorch's
//! `torch.nn.BatchNorm1d` with its defaults: learnable `γ` and `β`, running statistics with
//! momentum 0.1): while training, each feature is normalized by its mean and biased variance over
//! the batch, and running averages of them are kept; in inference, by the running averages.

use super::{NormParameters, RunningStatistics, RunningStatisticsMut, inverse_deviation};
use crate::{Batch, BatchMut, Float};

/// One sample through batch normalization in inference: each feature normalized by the running
/// statistics.
pub fn batch_norm_vector<T: Float, const N: usize>(
    parameters: &(impl NormParameters<T, N> + RunningStatistics<T, N>),
    epsilon: f64,
    input: &[T; N],
    output: &mut [T; N],
) {
    normalize_by_running(parameters, T::of_f64(epsilon), input, output);
}

#[inline(always)]
fn normalize_by_running<T: Float, const N: usize>(
    parameters: &(impl NormParameters<T, N> + RunningStatistics<T, N>),
    epsilon: T,
    x: &[T],
    y: &mut [T],
) {
    let (scale, shift) = (parameters.scale(), parameters.shift());
    let (mean, variance) = (parameters.running_mean(), parameters.running_variance());
    for i in 0..N {
        y[i] = (x[i] - mean[i]) * inverse_deviation(variance[i], epsilon) * scale[i] + shift[i];
    }
}

/// A batch through batch normalization in inference, by the running statistics.
pub fn batch_norm_forward<T: Float, const N: usize>(
    parameters: &(impl NormParameters<T, N> + RunningStatistics<T, N>),
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
        normalize_by_running(parameters, epsilon, x, y);
    }
}

/// A batch through batch normalization while training: each feature normalized by its batch
/// mean and biased variance, written into `mean` and `variance` (`N` each) with `1/√(σ² + ε)`
/// into `inverse_deviations`, and `x̂` into `normalized`, for the backward pass and the running
/// statistics.
///
/// # Panics
/// On a batch of fewer than 2 samples, whose variance says nothing (PyTorch refuses it too); the
/// trainer checks batch sizes before training.
#[allow(clippy::too_many_arguments)]
pub fn batch_norm_forward_train<T: Float, const N: usize>(
    parameters: &impl NormParameters<T, N>,
    epsilon: f64,
    input: &impl Batch<T, N>,
    output: &mut impl BatchMut<T, N>,
    normalized: &mut impl BatchMut<T, N>,
    mean: &mut [T],
    variance: &mut [T],
    inverse_deviations: &mut [T],
) {
    let columns = input.columns();
    assert!(
        columns >= 2,
        "batch normalization needs at least 2 samples per batch, found {columns}"
    );
    output.set_columns(columns);
    normalized.set_columns(columns);
    let (mean, variance, inverse) = (
        &mut mean[..N],
        &mut variance[..N],
        &mut inverse_deviations[..N],
    );
    let n = T::of_f64(columns as f64);
    let input = input.as_slice();
    mean.fill(T::zero());
    for x in input.chunks_exact(N) {
        mean.iter_mut().zip(x).for_each(|(m, &v)| *m += v);
    }
    mean.iter_mut().for_each(|m| *m /= n);
    variance.fill(T::zero());
    for x in input.chunks_exact(N) {
        for ((s, &v), &m) in variance.iter_mut().zip(x).zip(&*mean) {
            *s += (v - m) * (v - m);
        }
    }
    variance.iter_mut().for_each(|s| *s /= n);
    let epsilon = T::of_f64(epsilon);
    for (inv, &s) in inverse.iter_mut().zip(&*variance) {
        *inv = inverse_deviation(s, epsilon);
    }
    let (scale, shift) = (parameters.scale(), parameters.shift());
    for ((x, y), x_hat) in input
        .chunks_exact(N)
        .zip(output.as_mut_slice().chunks_exact_mut(N))
        .zip(normalized.as_mut_slice().chunks_exact_mut(N))
    {
        for i in 0..N {
            x_hat[i] = (x[i] - mean[i]) * inverse[i];
            y[i] = x_hat[i] * scale[i] + shift[i];
        }
    }
}

/// Folds one batch's statistics into the running ones, as PyTorch does:
/// `running = (1 − momentum)·running + momentum·batch`, with the batch variance made unbiased
/// (`· n/(n − 1)` for `samples = n`).
pub fn batch_norm_update_running<T: Float, const N: usize>(
    statistics: &mut impl RunningStatisticsMut<T, N>,
    momentum: f64,
    mean: &[T],
    variance: &[T],
    samples: usize,
) {
    let momentum = T::of_f64(momentum);
    let keep = T::one() - momentum;
    let unbiased = T::of_f64(samples as f64 / (samples as f64 - 1.0));
    for (r, &m) in statistics.running_mean_mut().iter_mut().zip(mean) {
        *r = keep * *r + momentum * m;
    }
    for (r, &v) in statistics.running_variance_mut().iter_mut().zip(variance) {
        *r = keep * *r + momentum * (v * unbiased);
    }
}

/// `∂L/∂x` of batch normalization into `input_delta`, given `δ = ∂L/∂y` and what the forward
/// pass kept: per feature over the `n` samples,
/// `∂L/∂x = γ·(1/√(σ² + ε))/n · (n·δ − Σδ − x̂·Σ(δ ⊙ x̂))`.
pub fn batch_norm_input_gradient<T: Float, const N: usize>(
    parameters: &impl NormParameters<T, N>,
    normalized: &impl Batch<T, N>,
    inverse_deviations: &[T],
    delta: &impl Batch<T, N>,
    input_delta: &mut impl BatchMut<T, N>,
) {
    let columns = delta.columns();
    input_delta.set_columns(columns);
    let (normalized, delta) = (normalized.as_slice(), delta.as_slice());
    let mut sums = [T::zero(); N];
    let mut dots = [T::zero(); N];
    for (x_hat, d) in normalized.chunks_exact(N).zip(delta.chunks_exact(N)) {
        for i in 0..N {
            sums[i] += d[i];
            dots[i] += d[i] * x_hat[i];
        }
    }
    let n = T::of_f64(columns as f64);
    let scale = parameters.scale();
    let mut factors = [T::zero(); N];
    for i in 0..N {
        factors[i] = scale[i] * inverse_deviations[i] / n;
    }
    for ((x_hat, d), dx) in normalized
        .chunks_exact(N)
        .zip(delta.chunks_exact(N))
        .zip(input_delta.as_mut_slice().chunks_exact_mut(N))
    {
        for i in 0..N {
            dx[i] = factors[i] * (n * d[i] - sums[i] - x_hat[i] * dots[i]);
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
    fn training_normalizes_each_feature_over_the_batch_and_updates_the_running_statistics() {
        let mut params = Params {
            scale: [1.0, 3.0],
            shift: [0.0, -1.0],
            mean: [0.0; 2],
            variance: [1.0; 2],
        };
        let input =
            BatchMatrix::from_columns(&[SVector::from([1.0f64, 10.0]), SVector::from([3.0, 10.0])]);
        let (mut output, mut normalized) = (BatchMatrix::zeros(2), BatchMatrix::zeros(2));
        let (mut mean, mut variance, mut inverse) = ([0.0; 2], [0.0; 2], [0.0; 2]);
        batch_norm_forward_train(
            &params,
            0.0,
            &input,
            &mut output,
            &mut normalized,
            &mut mean,
            &mut variance,
            &mut inverse,
        );
        assert_eq!(mean, [2.0, 10.0]);
        assert_eq!(variance, [1.0, 0.0]);
        assert_eq!(&normalized.as_slice()[..1], &[-1.0]);
        // A feature without spread gives x̂ = 0 (ε = 0 here makes it 0·∞; guard with ε > 0).
        batch_norm_forward_train(
            &params,
            1e-5,
            &input,
            &mut output,
            &mut normalized,
            &mut mean,
            &mut variance,
            &mut inverse,
        );
        assert_eq!(output.as_slice()[1], -1.0);
        batch_norm_update_running(&mut params, 0.1, &mean, &variance, 2);
        assert!((params.mean[0] - 0.2).abs() < 1e-15 && (params.mean[1] - 1.0).abs() < 1e-15);
        // Unbiased: 1·2/1 = 2, so 0.9·1 + 0.1·2.
        assert!((params.variance[0] - 1.1).abs() < 1e-15);
        assert!((params.variance[1] - 0.9).abs() < 1e-15);
    }
}
