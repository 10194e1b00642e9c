//! Losses. Each returns the batch-mean loss and writes its gradient with respect to the output
//! layer's *pre-activation*, fusing the output activation's derivative where that is simpler and
//! more stable (sigmoid + binary cross-entropy, softmax + cross-entropy).

mod binary_cross_entropy;
mod huber;
mod mean_squared_error;
mod smooth_l1;
mod softmax_cross_entropy;
mod weighted;

pub use binary_cross_entropy::BinaryCrossEntropy;
pub use huber::Huber;
pub use mean_squared_error::MeanSquaredError;
pub use smooth_l1::SmoothL1;
pub use softmax_cross_entropy::SoftmaxCrossEntropy;
pub use weighted::weighted_loss_and_gradient;

use crate::{Activation, Batch, BatchMut, Float};

/// A loss that can train a network whose output layer uses the activation `A`.
///
/// Pairings are checked at compile time: binary cross-entropy needs a `Sigmoid` output, softmax
/// cross-entropy a `Softmax` output; mean squared error, Huber and smooth L1 work with any.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a loss for a network whose output activation is `{A}`",
    label = "not a loss for this network",
    note = "the losses are `MeanSquaredError`, `Huber`, `SmoothL1`, `BinaryCrossEntropy` and `SoftmaxCrossEntropy`"
)]
pub trait Loss<A: Activation>: Sync {
    /// The loss's name, for reports.
    const NAME: &'static str;

    /// Whether the loss trains a classifier, so accuracy is the metric to report (otherwise
    /// mean squared and mean absolute error are).
    const CLASSIFICATION: bool;

    /// The batch-mean loss of `output` (the network's activations, `N × n`) against `target`.
    fn loss<T: Float, const N: usize>(
        &self,
        output: &impl Batch<T, N>,
        target: &impl Batch<T, N>,
    ) -> T;

    /// The batch-mean loss, with `∂L/∂z` (the gradient with respect to the output layer's
    /// pre-activation, `N × n`) written into `gradient`. `inputs` holds the pre-activations `z`
    /// where the activation's derivative needs them ([`Activation::NEEDS_INPUTS`]).
    fn loss_and_gradient<T: Float, const N: usize>(
        &self,
        activation: &A,
        inputs: &impl Batch<T, N>,
        output: &impl Batch<T, N>,
        target: &impl Batch<T, N>,
        gradient: &mut impl BatchMut<T, N>,
    ) -> T;
}

/// The output activations a fused loss `L` can train: `Sigmoid` for [`BinaryCrossEntropy`],
/// `Softmax` for [`SoftmaxCrossEntropy`].
///
/// Those losses implement [`Loss`] for every activation of this trait rather than for their one
/// activation, so that the compiler checks the pairing only once it knows the network, and a
/// mismatch is this message rather than a type mismatch.
#[diagnostic::on_unimplemented(
    message = "the loss `{L}` cannot train a network whose output activation is `{Self}`",
    label = "this network's output layer does not fit `{L}`",
    note = "`BinaryCrossEntropy` needs a `Sigmoid` output, `SoftmaxCrossEntropy` a `Softmax` output; `MeanSquaredError`, `Huber` and `SmoothL1` fit any"
)]
pub trait FusedOutput<L>: Activation {}

impl FusedOutput<BinaryCrossEntropy> for crate::Sigmoid {}
impl FusedOutput<SoftmaxCrossEntropy> for crate::Softmax {}

/// Which logarithm a loss term takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ln {
    /// [`Float::loss_ln`], which vectorizes: for whole vectors of terms.
    Vectorized,
    /// `libm`'s, the quickest for a few values one at a time.
    Library,
}

/// `ln(x)` by `how`, clamped below at −100 as PyTorch does, so that a saturated prediction gives
/// a large finite loss rather than infinity; −100 also for negative `x`. NaN stays NaN, as in
/// PyTorch, so that a diverged output shows in the loss.
#[inline(always)]
pub(crate) fn clamped_ln<T: Float>(x: T, how: Ln) -> T {
    let floor = T::of_f64(-100.0);
    if x > T::zero() {
        let ln = match how {
            Ln::Vectorized => x.loss_ln(),
            Ln::Library => x.library_ln(),
        };
        ln.max(floor)
    } else if x.is_finite_value() || x < T::zero() {
        floor
    } else {
        // NaN (+∞ took the first branch).
        x
    }
}

/// `−(Σ term(a, y, ln)) / count` over the paired values of `output` and `target`: the mean
/// cross-entropy both losses report, with `term` the log-likelihood of one value. Negated as
/// `0 − sum`, so that a perfect prediction reports +0 rather than −0.
#[inline(always)]
pub(crate) fn negated_mean<T: Float, const N: usize>(
    output: &impl Batch<T, N>,
    target: &impl Batch<T, N>,
    count: usize,
    term: impl Fn(T, T, Ln) -> T,
) -> T {
    check_batch(output, target);
    let sum = sum_by_lanes(output.as_slice(), target.as_slice(), term);
    (T::zero() - sum) / T::of_f64(count as f64)
}

/// `Σ term(a, y, ln)` over the paired elements of `output` and `target`: whole eights in eight
/// running sums added pairwise at the end, with [`Ln::Vectorized`] so that the loop vectorizes
/// (compiled for AVX2 when long enough), then the last few one by one with [`Ln::Library`].
#[inline(always)]
fn sum_by_lanes<T: Float>(output: &[T], target: &[T], term: impl Fn(T, T, Ln) -> T) -> T {
    assert_eq!(
        output.len(),
        target.len(),
        "output and target differ in length"
    );
    crate::compute::simd::wide(
        output.len(),
        #[inline(always)]
        || {
            let (outputs, output_rest) = output.as_chunks::<8>();
            let (targets, target_rest) = target.as_chunks::<8>();
            let mut lanes = [T::zero(); 8];
            for (a, y) in outputs.iter().zip(targets) {
                for l in 0..8 {
                    lanes[l] += term(a[l], y[l], Ln::Vectorized);
                }
            }
            let l = lanes;
            let quads = [l[0] + l[4], l[1] + l[5], l[2] + l[6], l[3] + l[7]];
            let mut sum = (quads[0] + quads[2]) + (quads[1] + quads[3]);
            for (&a, &y) in output_rest.iter().zip(target_rest) {
                sum += term(a, y, Ln::Library);
            }
            sum
        },
    )
}

/// `gradient = scale·(output − target)`, over the batch's columns: the gradient of the mean
/// squared error with respect to the output, and of a cross-entropy through its fused output
/// activation. Compiled for AVX2 when long enough.
///
/// Subnormal values are flushed to zero: the probabilities of a confident softmax (down to the
/// smallest normal number) times `1/n` would otherwise be, and would slow down every product of
/// the backward pass; a gradient that small moves no weight.
#[inline(always)]
pub(crate) fn scaled_difference<T: Float, const N: usize>(
    gradient: &mut impl BatchMut<T, N>,
    output: &impl Batch<T, N>,
    target: &impl Batch<T, N>,
    scale: T,
) {
    gradient.set_columns(output.columns());
    let (g, a, y) = (
        gradient.as_mut_slice(),
        output.as_slice(),
        target.as_slice(),
    );
    crate::compute::simd::wide(
        g.len(),
        #[inline(always)]
        || {
            for ((g, &a), &y) in g.iter_mut().zip(a).zip(y) {
                *g = (scale * (a - y)).flush_subnormal();
            }
        },
    );
}

/// The mean of `term(a − y)` over the paired values of `output` and `target`: the regression
/// losses' value, summed in order.
#[inline(always)]
pub(crate) fn residual_mean<T: Float, const N: usize>(
    output: &impl Batch<T, N>,
    target: &impl Batch<T, N>,
    term: impl Fn(T) -> T,
) -> T {
    check_batch(output, target);
    let sum = output
        .as_slice()
        .iter()
        .zip(target.as_slice())
        .fold(T::zero(), |acc, (&a, &y)| acc + term(a - y));
    sum / T::of_f64((N * output.columns()) as f64)
}

/// `gradient = derivative(a − y)` over the batch's columns: a regression loss's `∂L/∂a` (the
/// derivative including the `1/(N·n)` of the mean), subnormal values flushed to zero as
/// [`scaled_difference`] does. Compiled for AVX2 when long enough.
#[inline(always)]
pub(crate) fn residual_gradient<T: Float, const N: usize>(
    gradient: &mut impl BatchMut<T, N>,
    output: &impl Batch<T, N>,
    target: &impl Batch<T, N>,
    derivative: impl Fn(T) -> T,
) {
    check_batch(output, target);
    gradient.set_columns(output.columns());
    let (g, a, y) = (
        gradient.as_mut_slice(),
        output.as_slice(),
        target.as_slice(),
    );
    crate::compute::simd::wide(
        g.len(),
        #[inline(always)]
        || {
            for ((g, &a), &y) in g.iter_mut().zip(a).zip(y) {
                *g = derivative(a - y).flush_subnormal();
            }
        },
    );
}

/// Checks that `output` and `target` describe the same batch.
#[inline]
pub(crate) fn check_batch<T: Float, const N: usize>(
    output: &impl Batch<T, N>,
    target: &impl Batch<T, N>,
) {
    assert_eq!(
        output.columns(),
        target.columns(),
        "the output has {} samples but the target has {}",
        output.columns(),
        target.columns()
    );
}

#[cfg(all(test, feature = "train"))]
mod tests {
    use super::*;
    use crate::BatchMatrix;

    /// The binary cross-entropy term, the heavier of the two that `sum_by_lanes` serves.
    fn bce_term(a: f32, y: f32, ln: Ln) -> f32 {
        y * clamped_ln(a, ln) + (1.0 - y) * clamped_ln(1.0 - a, ln)
    }

    #[test]
    fn lane_sums_match_a_plain_sum_at_every_length() {
        for len in [1, 3, 7, 8, 9, 16, 37, 64, 100, 321] {
            let output: Vec<f32> = (0..len)
                .map(|i| (i as f32 * 0.37).sin() * 0.49 + 0.5)
                .collect();
            let target: Vec<f32> = (0..len).map(|i| (i % 3 == 0) as u8 as f32).collect();
            let got = sum_by_lanes(&output, &target, bce_term) as f64;
            let expected: f64 = output
                .iter()
                .zip(&target)
                .map(|(&a, &y)| {
                    let (a, y) = (a as f64, y as f64);
                    y * a.ln() + (1.0 - y) * (1.0 - a).ln()
                })
                .sum();
            assert!(
                (got - expected).abs() <= 1e-5 * expected.abs(),
                "length {len}: {got} against {expected}"
            );
        }
    }

    #[test]
    fn gradients_below_the_smallest_normal_flush_to_zero() {
        use nalgebra::SVector;
        let column =
            |values: [f32; 4]| BatchMatrix::<f32, 4>::from_columns(&[SVector::from(values)]);
        // Probabilities down to the smallest normal, times 1/32: subnormal but for the last two.
        let output = column([f32::MIN_POSITIVE, 1e-37, 1e-36, 0.5]);
        let target = column([0.0, 0.0, 0.0, 1.0]);
        let mut gradient = BatchMatrix::zeros(1);
        scaled_difference(&mut gradient, &output, &target, 1.0 / 32.0);
        assert_eq!(gradient.as_slice(), &[0.0, 0.0, 1e-36 / 32.0, -0.5 / 32.0]);
        assert!(gradient.as_slice().iter().all(|g| !g.is_subnormal()));
    }

    #[test]
    fn logarithms_clamp_at_minus_100() {
        for how in [Ln::Vectorized, Ln::Library] {
            assert_eq!(clamped_ln(0.0f32, how), -100.0);
            assert_eq!(clamped_ln(1e-45f32, how), -100.0);
            assert!(clamped_ln(f32::NAN, how).is_nan());
            assert_eq!(clamped_ln(f32::NEG_INFINITY, how), -100.0);
            assert_eq!(clamped_ln(-1.0f64, how), -100.0);
            assert!((clamped_ln(0.5f32, how) - 0.5f32.ln()).abs() < 1e-7);
        }
    }

    #[test]
    fn a_nan_output_makes_the_loss_nan_and_a_perfect_one_plus_zero() {
        use nalgebra::SVector;
        let column =
            |values: [f32; 3]| BatchMatrix::<f32, 3>::from_columns(&[SVector::from(values)]);
        let target = column([0.0, 1.0, 0.0]);
        let nan = column([f32::NAN, 0.5, 0.5]);
        assert!(SoftmaxCrossEntropy.loss(&nan, &target).is_nan());
        assert!(BinaryCrossEntropy.loss(&nan, &target).is_nan());
        for perfect in [
            SoftmaxCrossEntropy.loss(&target, &target),
            BinaryCrossEntropy.loss(&target, &target),
        ] {
            assert_eq!(perfect.to_bits(), 0.0f32.to_bits(), "{perfect}");
        }
    }
}
