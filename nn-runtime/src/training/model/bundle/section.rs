//! A model's preprocessing as a model file's section and back, checked both ways by the same
//! rules.

use nn_format::preprocessing::{Preprocessing, PreprocessingError, Scaling};

use super::Model;
use crate::data::{Labels, Standardizer, TargetStandardizer};
use crate::{Activation, Float, LayerActivation, Network};

use super::ModelError;

impl<N: Network<IN, OUT>, const IN: usize, const OUT: usize> Model<N, IN, OUT> {
    /// The section to save, or `None` for a model without preprocessing (saved as its network
    /// alone).
    pub(super) fn section(&self) -> Option<Preprocessing<N::Scalar>> {
        let section = Preprocessing {
            inputs: self
                .inputs
                .as_ref()
                .map(|scale| scaling(scale.mean(), scale.std())),
            targets: self
                .targets
                .as_ref()
                .map(|scale| scaling(scale.mean(), scale.std())),
            classes: self.labels.as_ref().map(|labels| labels.names().to_vec()),
            ..Preprocessing::new()
        };
        (!section.is_empty()).then_some(section)
    }

    /// Checks the parts against `N`, by the rules a file's section is checked by.
    pub(super) fn check(&self) -> Result<(), ModelError> {
        self.section()
            .map_or(Ok(()), |section| check::<N, IN, OUT>(&section))
    }

    /// The model of a loaded `network` and the file's `section`, once the section is checked.
    pub(super) fn from_file(
        network: N,
        section: Option<Preprocessing<N::Scalar>>,
    ) -> Result<Self, ModelError> {
        let mut model = Self::new(network);
        let Some(section) = section else {
            return Ok(model);
        };
        check::<N, IN, OUT>(&section)?;
        if let Some(scaling) = section.inputs {
            let [mean, std] = arrays(scaling, ["inputs.mean", "inputs.std"], "input")?;
            model.inputs = Some(Standardizer::from_parts(mean, std));
        }
        if let Some(scaling) = section.targets {
            let [mean, std] = arrays(scaling, ["targets.mean", "targets.std"], "output")?;
            model.targets = Some(TargetStandardizer::from_parts(mean, std));
        }
        model.labels = section.classes.map(Labels::checked);
        Ok(model)
    }
}

/// The section's form of a standardizer's statistics.
fn scaling<T: Float>(mean: &[T], std: &[T]) -> Scaling<T> {
    Scaling {
        mean: mean.to_vec(),
        std: std.to_vec(),
    }
}

/// Checks `section` against `N`: class names only for a classifier, then the section's own
/// checks against the widths.
fn check<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    section: &Preprocessing<N::Scalar>,
) -> Result<(), ModelError> {
    if section.classes.is_some() {
        check_classifier::<N, IN, OUT>()?;
    }
    section.map(|value| value.as_f64()).check(IN, OUT)?;
    Ok(())
}

/// Checks that `N`'s outputs are class probabilities: `Softmax` over several outputs, or a single
/// `Sigmoid` output.
fn check_classifier<N: Network<IN, OUT>, const IN: usize, const OUT: usize>()
-> Result<(), PreprocessingError> {
    match N::ACTIVATIONS.last() {
        Some(LayerActivation::Softmax) if OUT > 1 => Ok(()),
        Some(LayerActivation::Sigmoid) if OUT == 1 => Ok(()),
        _ => Err(PreprocessingError::NotAClassifier {
            network: N::NAME.to_owned(),
            activation: <N::OutputActivation as Activation>::NAME.to_owned(),
            outputs: OUT,
        }),
    }
}

/// A checked part's means and standard deviations as arrays of the network's width `W`.
fn arrays<T, const W: usize>(
    scaling: Scaling<T>,
    fields: [&'static str; 2],
    side: &'static str,
) -> Result<[[T; W]; 2], PreprocessingError> {
    let array = |values: Vec<T>, field| {
        let found = values.len();
        <[T; W]>::try_from(values).map_err(|_| PreprocessingError::Length {
            field,
            found,
            expected: W,
            side,
        })
    };
    Ok([
        array(scaling.mean, fields[0])?,
        array(scaling.std, fields[1])?,
    ])
}
