//! Predictions that allocate their results, for one-off use.

use super::{PredictError, Predictor, ProbabilityOutput};
use crate::Network;

/// `net`'s outputs for each of `inputs`, in order.
///
/// Allocates a [`Predictor`] of up to [`Predictor::DEFAULT_CAPACITY`] samples and the result on
/// every call: to predict again and again, keep a `Predictor` and preallocated outputs instead. A
/// NaN or infinite input value is a [`PredictError::NotFinite`] naming the sample.
///
/// ```text
/// use nn::prelude::*;
///
/// network! {
///     struct Regressor: Input<3> -> Dense<4, Tanh> -> Dense<2>;
/// }
///
/// let net = Regressor::new(&mut StdRng::seed_from_u64(0));
/// let outputs: Vec<[f32; 2]> = nn::predict(&net, &[[0.1, 0.2, 0.3], [1.0, -1.0, 0.5]])?;
/// ```
pub fn predict<N, const IN: usize, const OUT: usize>(
    net: &N,
    inputs: &[[N::Scalar; IN]],
) -> Result<Vec<[N::Scalar; OUT]>, PredictError>
where
    N: Network<IN, OUT>,
{
    let mut outputs = vec![[<N::Scalar as Default>::default(); OUT]; inputs.len()];
    predictor_for::<N, IN, OUT>(inputs.len()).predict(net, inputs, &mut outputs)?;
    Ok(outputs)
}

/// The class `net` picks for each of `inputs`, in order, as
/// [`Predictor::predict_classes`] defines it. Allocates as [`predict`] does.
pub fn predict_classes<N, const IN: usize, const OUT: usize>(
    net: &N,
    inputs: &[[N::Scalar; IN]],
) -> Result<Vec<usize>, PredictError>
where
    N: Network<IN, OUT>,
{
    let mut classes = vec![0; inputs.len()];
    predictor_for::<N, IN, OUT>(inputs.len()).predict_classes(net, inputs, &mut classes)?;
    Ok(classes)
}

/// The probabilities `net` gives each of `inputs`, in order, for a network with a `Softmax` or
/// `Sigmoid` output (any other does not compile); see [`Predictor::predict_probabilities`].
/// Allocates as [`predict`] does.
pub fn predict_probabilities<N, const IN: usize, const OUT: usize>(
    net: &N,
    inputs: &[[N::Scalar; IN]],
) -> Result<Vec<[N::Scalar; OUT]>, PredictError>
where
    N: Network<IN, OUT>,
    N::OutputActivation: ProbabilityOutput,
{
    predict(net, inputs)
}

/// A predictor just large enough for `samples` samples, up to
/// [`Predictor::DEFAULT_CAPACITY`].
fn predictor_for<N, const IN: usize, const OUT: usize>(samples: usize) -> Predictor<N, IN, OUT>
where
    N: Network<IN, OUT>,
{
    Predictor::allocate(samples.min(Predictor::<N, IN, OUT>::DEFAULT_CAPACITY))
}
