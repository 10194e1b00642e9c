//! The compile-time check that a dataset fits the network it trains.

use crate::Dataset;

/// Samples the trainer can draw from, for a network with `IN` inputs and `OUT` outputs.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot train a network that computes in `{T}`",
    label = "not a dataset of `{T}` values",
    note = "the network computes in `{T}`: build the dataset as a `Dataset<{T}, {IN}, {OUT}>`, or declare the network in the dataset's type (`struct Name<f64>: …` for `f64`; `f32` is the default)"
)]
pub trait TrainingData<T, const IN: usize, const OUT: usize> {
    /// The samples.
    fn dataset(&self) -> &Dataset<T, IN, OUT>;
}

/// Proof that a dataset of widths `DI → DO` fits a network of widths `NI → NO`: implemented only
/// when they are equal, so a mismatch is a compile error that states all four widths.
#[diagnostic::on_unimplemented(
    message = "the dataset's input and target widths are {DI} and {DO}, but the network's input and output widths are {NI} and {NO}",
    label = "a dataset of width {DI} → {DO}, expected {NI} → {NO}",
    note = "a network declared `Input<{NI}> -> … -> Dense<{NO}, …>` trains on a `Dataset<_, {NI}, {NO}>`"
)]
pub trait DataWidth<const DI: usize, const DO: usize, const NI: usize, const NO: usize> {
    /// The same dataset, at the network's widths.
    fn fit<T>(data: &Dataset<T, DI, DO>) -> &Dataset<T, NI, NO>;
}

// One impl per element type: with the data's type still unknown, the two candidates keep the
// compiler from inferring the widths from the network before it has read the argument, so a
// mismatch reaches `DataWidth`'s message rather than a bare type mismatch.
impl<const IN: usize, const OUT: usize> TrainingData<f32, IN, OUT> for Dataset<f32, IN, OUT> {
    #[inline]
    fn dataset(&self) -> &Dataset<f32, IN, OUT> {
        self
    }
}

impl<const IN: usize, const OUT: usize> TrainingData<f64, IN, OUT> for Dataset<f64, IN, OUT> {
    #[inline]
    fn dataset(&self) -> &Dataset<f64, IN, OUT> {
        self
    }
}

impl<const IN: usize, const OUT: usize> DataWidth<IN, OUT, IN, OUT> for Dataset<f32, IN, OUT> {
    #[inline]
    fn fit<T>(data: &Dataset<T, IN, OUT>) -> &Dataset<T, IN, OUT> {
        data
    }
}

impl<const IN: usize, const OUT: usize> DataWidth<IN, OUT, IN, OUT> for Dataset<f64, IN, OUT> {
    #[inline]
    fn fit<T>(data: &Dataset<T, IN, OUT>) -> &Dataset<T, IN, OUT> {
        data
    }
}
