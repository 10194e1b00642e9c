//! Activations defined one value at a time: the simplest way to add one of your own.

use core::fmt::Debug;

use super::Activation;
use crate::Float;

/// An activation given as a function of one value and its derivative. Every type implementing
/// it is an [`Activation`], so a type of your own can be named in a description (by its path;
/// the layer uses its `Default` value, where parameters of the function can live):
///
/// ```text
/// use nn::prelude::*;
/// use nn::{ElementwiseActivation, Float};
///
/// /// `z·tanh(softplus(z))` (Misra, 2019, "Mish: A Self Regularized Non-Monotonic Activation").
/// #[derive(Clone, Copy, Debug, Default)]
/// pub struct Mish;
///
/// impl ElementwiseActivation for Mish {
///     const NAME: &'static str = "Mish";
///
///     fn value<T: Float>(&self, z: T) -> T {
///         z * (T::one() + z.exp()).ln().tanh()
///     }
///
///     fn derivative<T: Float>(&self, z: T, _a: T) -> T {
///         let t = (T::one() + z.exp()).ln().tanh();
///         let sigmoid = T::one() / (T::one() + (-z).exp());
///         t + z * sigmoid * (T::one() - t * t)
///     }
/// }
///
/// network! {
///     pub struct Smooth: Input<2> -> Dense<8, Mish> -> Dense<1>;
/// }
/// ```
///
/// The derivative receives both the pre-activation `z` and the output `a = f(z)`, so layers
/// with such an activation keep `z` while training.
pub trait ElementwiseActivation: Copy + Debug + Default + Send + Sync + 'static {
    /// The name shown in summaries and model descriptions (`"Mish"`).
    const NAME: &'static str;

    /// `f(z)`.
    fn value<T: Float>(&self, z: T) -> T;

    /// `f'(z)`, given `z` and `a = f(z)`.
    fn derivative<T: Float>(&self, z: T, a: T) -> T;
}

impl<E: ElementwiseActivation> Activation for E {
    const NAME: &'static str = E::NAME;
    const NEEDS_INPUTS: bool = true;

    #[inline(always)]
    fn apply<T: Float>(&self, values: &mut [T], _rows: usize) {
        for v in values {
            *v = self.value(*v);
        }
    }

    #[inline(always)]
    fn backward<T: Float>(&self, inputs: &[T], outputs: &[T], delta: &mut [T], _rows: usize) {
        assert!(
            inputs.len() == delta.len() && outputs.len() == delta.len(),
            "pre-activations, outputs and deltas differ in length"
        );
        for ((d, &z), &a) in delta.iter_mut().zip(inputs).zip(outputs) {
            *d *= self.derivative(z, a);
        }
    }
}
