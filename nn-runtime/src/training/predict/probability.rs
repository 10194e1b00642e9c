//! The output activations whose outputs are probabilities.

use crate::{Activation, Sigmoid, Softmax};

/// An output activation whose outputs are probabilities: [`Softmax`], a distribution over the
/// classes that sums to 1, and [`Sigmoid`], each output the probability of its own label.
///
/// [`Predictor::predict_probabilities`](super::Predictor::predict_probabilities) and
/// [`predict_probabilities`](super::predict_probabilities) need it of the network's output
/// activation, so that asking a regression network for probabilities does not compile.
/// Implement it for an activation of your own only if its outputs are probabilities too.
#[diagnostic::on_unimplemented(
    message = "the outputs of a network whose output activation is `{Self}` are not probabilities",
    label = "not a network with a `Softmax` or `Sigmoid` output",
    note = "probabilities come from a last layer `Dense<_, Softmax>` or `Dense<_, Sigmoid>`; `predict` gives the outputs of any network"
)]
pub trait ProbabilityOutput: Activation {}

impl ProbabilityOutput for Softmax {}
impl ProbabilityOutput for Sigmoid {}
