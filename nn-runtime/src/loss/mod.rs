//! Losses. Each returns the batch-mean loss and writes its gradient with respect to the output
//! layer's *pre-activation*, fusing the output activation's derivative where that is simpler and
//! more stable (sigmoid + binary cross-entropy, softmax + cross-entropy).

mod binary_cross_entropy;
mod mean_squared_error;
mod softmax_cross_entropy;

pub use binary_cross_entropy::BinaryCrossEntropy;
pub use mean_squared_error::MeanSquaredError;
pub use softmax_cross_entropy::SoftmaxCrossEntropy;

use crate::{Activation, BatchMatrix, Float};

/// A loss that can train a network whose output layer uses the activation `A`.
///
/// Pairings are checked at compile time: binary cross-entropy needs a `Sigmoid` output, softmax
/// cross-entropy a `Softmax` output; mean squared error works with any.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a loss for a network whose output activation is `{A}`",
    label = "not a loss for this network",
    note = "the losses are `MeanSquaredError`, `BinaryCrossEntropy` and `SoftmaxCrossEntropy`"
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
        output: &BatchMatrix<T, N>,
        target: &BatchMatrix<T, N>,
    ) -> T;

    /// The batch-mean loss, with `∂L/∂z` (the gradient with respect to the output layer's
    /// pre-activation, `N × n`) written into `gradient`.
    fn loss_and_gradient<T: Float, const N: usize>(
        &self,
        activation: &A,
        output: &BatchMatrix<T, N>,
        target: &BatchMatrix<T, N>,
        gradient: &mut BatchMatrix<T, N>,
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
    note = "`BinaryCrossEntropy` needs a `Sigmoid` output, `SoftmaxCrossEntropy` a `Softmax` output; `MeanSquaredError` fits any"
)]
pub trait FusedOutput<L>: Activation {}

impl FusedOutput<BinaryCrossEntropy> for crate::Sigmoid {}
impl FusedOutput<SoftmaxCrossEntropy> for crate::Softmax {}

/// `ln(x)` clamped below at −100, as PyTorch does, so a saturated prediction gives a large finite
/// loss rather than infinity.
#[inline(always)]
pub(crate) fn clamped_ln<T: Float>(x: T) -> T {
    let floor = T::of_f64(-100.0);
    if x > T::zero() {
        x.ln().max(floor)
    } else {
        floor
    }
}

/// Checks that `output` and `target` describe the same batch.
#[inline]
pub(crate) fn check_batch<T: Float, const N: usize>(
    output: &BatchMatrix<T, N>,
    target: &BatchMatrix<T, N>,
) {
    assert_eq!(
        output.columns(),
        target.columns(),
        "the output has {} samples but the target has {}",
        output.columns(),
        target.columns()
    );
}
