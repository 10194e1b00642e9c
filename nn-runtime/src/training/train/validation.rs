//! Where validation data comes from: none, a fraction split off the training data, or a dataset
//! given to the trainer (its widths checked at compile time).

use crate::Dataset;

/// No validation dataset was given (a validation fraction may still be set).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoValidationData;

/// A source of validation samples of widths `VI → VO` (`0 → 0` when there is none).
pub trait ValidationData<T, const VI: usize, const VO: usize> {
    /// The validation dataset, if one was given.
    fn dataset(&self) -> Option<&Dataset<T, VI, VO>>;
}

impl<T> ValidationData<T, 0, 0> for NoValidationData {
    fn dataset(&self) -> Option<&Dataset<T, 0, 0>> {
        None
    }
}

impl<T, const IN: usize, const OUT: usize> ValidationData<T, IN, OUT> for &Dataset<T, IN, OUT> {
    fn dataset(&self) -> Option<&Dataset<T, IN, OUT>> {
        Some(self)
    }
}

/// Proof that validation data `V` of widths `VI → VO` fits a network of widths `NI → NO` that
/// computes in `Self`: implemented only when the widths are equal (or there is no validation
/// data), so a mismatch is a compile error that states all four widths.
///
/// It is implemented for the network's element type: that type is only known once `fit` has read
/// its arguments, so the compiler takes the widths from the network rather than from the
/// validation data, and a mismatch reaches this message instead of one blaming the network.
#[diagnostic::on_unimplemented(
    message = "the validation data's input and target widths are {VI} and {VO}, but the network's input and output widths are {NI} and {NO}",
    label = "the network's widths are {NI} → {NO}",
    note = "validation data must be a `Dataset<_, {NI}, {NO}>`, like the training data"
)]
pub trait ValidationWidth<V, const VI: usize, const VO: usize, const NI: usize, const NO: usize>:
    Sized
{
    /// The validation dataset of `source`, at the network's widths.
    fn fit(data: Option<&Dataset<Self, VI, VO>>) -> Option<&Dataset<Self, NI, NO>>;
}

/// Implements [`ValidationWidth`] for one element type.
macro_rules! impl_validation_width {
    ($t:ty) => {
        impl<const NI: usize, const NO: usize> ValidationWidth<NoValidationData, 0, 0, NI, NO>
            for $t
        {
            fn fit(_: Option<&Dataset<$t, 0, 0>>) -> Option<&Dataset<$t, NI, NO>> {
                None
            }
        }

        impl<const IN: usize, const OUT: usize>
            ValidationWidth<&Dataset<$t, IN, OUT>, IN, OUT, IN, OUT> for $t
        {
            fn fit(data: Option<&Dataset<$t, IN, OUT>>) -> Option<&Dataset<$t, IN, OUT>> {
                data
            }
        }
    };
}

impl_validation_width!(f32);
impl_validation_width!(f64);
