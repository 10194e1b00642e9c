//! Where validation data comes from: none, a fraction split off the training data, or a dataset
//! given to the trainer (its widths checked at compile time).

use crate::Dataset;

/// No validation dataset was given (a validation fraction may still be set).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoValidationData;

/// A source of validation samples for a network of widths `IN → OUT`.
#[diagnostic::on_unimplemented(
    message = "the validation data does not fit a network of input width {IN} and output width {OUT}",
    label = "validation data of other widths",
    note = "validation data must be a `Dataset<_, {IN}, {OUT}>`, like the training data"
)]
pub trait ValidationData<T, const IN: usize, const OUT: usize> {
    /// The validation dataset, if one was given.
    fn dataset(&self) -> Option<&Dataset<T, IN, OUT>>;
}

impl<T, const IN: usize, const OUT: usize> ValidationData<T, IN, OUT> for NoValidationData {
    fn dataset(&self) -> Option<&Dataset<T, IN, OUT>> {
        None
    }
}

impl<T, const IN: usize, const OUT: usize> ValidationData<T, IN, OUT> for &Dataset<T, IN, OUT> {
    fn dataset(&self) -> Option<&Dataset<T, IN, OUT>> {
        Some(self)
    }
}
