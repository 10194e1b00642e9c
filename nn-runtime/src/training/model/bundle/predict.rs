//! Predictions from raw inputs: the model's preprocessing, the network, and back.

use nalgebra::SVector;

use super::Model;
use crate::data::argmax;
use crate::{Float, Network};

impl<N: Network<IN, OUT>, const IN: usize, const OUT: usize> Model<N, IN, OUT> {
    /// The network's prediction for a raw, unscaled `input`: standardized by the input
    /// standardizer (if any) as [`Standardizer::transform_input`](crate::data::Standardizer::transform_input)
    /// does, run through [`forward`](Network::forward), mapped back to the targets' units by the
    /// target standardizer (if any) as
    /// [`TargetStandardizer::inverse_target`](crate::data::TargetStandardizer::inverse_target)
    /// does: the same values, bit for bit, as those three calls made by hand.
    ///
    /// An input far outside the training range may standardize to infinity in `f32`, and a
    /// non-finite input gives non-finite outputs, as `forward` does.
    pub fn predict_raw(&self, input: &[N::Scalar; IN]) -> [N::Scalar; OUT] {
        let mut input = *input;
        if let Some(standardizer) = &self.inputs {
            standardizer.transform_input(&mut input);
        }
        let mut output: [N::Scalar; OUT] = self.network.forward(&SVector::from(input)).into();
        if let Some(standardizer) = &self.targets {
            standardizer.inverse_target(&mut output);
        }
        output
    }

    /// The class of a raw, unscaled `input` and its probability, from
    /// [`predict_raw`](Self::predict_raw): the label of the largest output (the first of equal
    /// ones), or for a single `Sigmoid` output `p` the second label with `p` when `p ≥ ½` and
    /// the first with `1 − p` otherwise.
    ///
    /// `None` for a model without labels.
    pub fn classify_raw(&self, input: &[N::Scalar; IN]) -> Option<(&str, N::Scalar)> {
        let labels = self.labels.as_ref()?;
        let output = self.predict_raw(input);
        let (class, probability) = if OUT == 1 {
            let p = *output.first()?;
            if p >= N::Scalar::of_f64(0.5) {
                (1, p)
            } else {
                (0, N::Scalar::of_f64(1.0) - p)
            }
        } else {
            let class = argmax(&output);
            (class, *output.get(class)?)
        };
        Some((labels.name(class)?, probability))
    }
}
