//! The optional preprocessing section of a model file: the input standardization, the target
//! standardization and the class names a network was trained with, stored beside it so that one
//! file is enough to predict from raw inputs.
//!
//! Both formats hold it under `preprocessing` and leave it out when a model has none, so that such
//! a file is byte for byte the file of the bare network:
//!
//! - the JSON document has it before `layers`, values and names in full:
//!   `"preprocessing": {"version": 1, "inputs": {"mean": [..], "std": [..]}, "targets": {"mean":
//!   [..], "std": [..]}, "classes": ["setosa", ..]}`;
//! - the binary file's header has it after `layers`, with widths in place of values:
//!   `"preprocessing":{"version":1,"inputs":4,"targets":1,"classes":[..]}`, and the values follow
//!   the network's, before the checksum, in the element type of the network: the input means,
//!   the input standard deviations, the target means, the target standard deviations.
//!
//! Every part is optional. The section carries its own version, [`PREPROCESSING_VERSION`]: a
//! reader refuses a section of another version (its binary values could not be located), and a
//! reader of the bare network otherwise ignores the section. Its contents are checked against the
//! network by [`Preprocessing::check`].

mod check;
mod error;

use serde::{Deserialize, Serialize};

pub use check::{check_version, class_count};
pub use error::PreprocessingError;

/// The version of the preprocessing section written, and the only one read.
pub const PREPROCESSING_VERSION: u32 = 1;

/// The preprocessing section as the binary file's header holds it: the widths of its parts, whose
/// values follow the network's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreprocessingHeader {
    /// The section's version.
    pub version: u32,
    /// The number of input columns standardized, if the inputs are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<usize>,
    /// The number of target columns standardized, if the targets are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targets: Option<usize>,
    /// The class names, in the order of the network's outputs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classes: Option<Vec<String>>,
}

impl PreprocessingHeader {
    /// The number of values the section holds after the network's, or `None` when it overflows.
    pub fn value_count(&self) -> Option<usize> {
        let inputs = self.inputs.unwrap_or(0).checked_mul(2)?;
        inputs.checked_add(self.targets.unwrap_or(0).checked_mul(2)?)
    }
}

/// The preprocessing section with its values, as the JSON document holds it and as loading gives
/// it back from either format.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preprocessing<T> {
    /// The section's version.
    pub version: u32,
    /// The standardization of the inputs: `x ↦ (x − mean) / std`, before the network.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inputs: Option<Scaling<T>>,
    /// The standardization of the targets, undone on the outputs: `y ↦ y × std + mean`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub targets: Option<Scaling<T>>,
    /// The class names, in the order of the network's outputs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub classes: Option<Vec<String>>,
}

/// The mean and population standard deviation of each column, as a `Standardizer` serializes
/// them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scaling<T> {
    /// The mean of each column.
    pub mean: Vec<T>,
    /// The standard deviation of each column.
    pub std: Vec<T>,
}

impl<T> Preprocessing<T> {
    /// A section of the current version with no parts.
    pub fn new() -> Self {
        Self {
            version: PREPROCESSING_VERSION,
            inputs: None,
            targets: None,
            classes: None,
        }
    }

    /// Whether the section has no part at all (a model saved without one writes none).
    pub fn is_empty(&self) -> bool {
        self.inputs.is_none() && self.targets.is_none() && self.classes.is_none()
    }

    /// The same section with each value mapped by `f` (to another element type).
    pub fn map<U>(&self, f: impl Fn(&T) -> U) -> Preprocessing<U> {
        let scaling = |scaling: &Scaling<T>| Scaling {
            mean: scaling.mean.iter().map(&f).collect(),
            std: scaling.std.iter().map(&f).collect(),
        };
        Preprocessing {
            version: self.version,
            inputs: self.inputs.as_ref().map(scaling),
            targets: self.targets.as_ref().map(scaling),
            classes: self.classes.clone(),
        }
    }

    /// The section as the binary header describes it: each part's width is its number of means.
    pub fn header(&self) -> PreprocessingHeader {
        PreprocessingHeader {
            version: self.version,
            inputs: self.inputs.as_ref().map(|scaling| scaling.mean.len()),
            targets: self.targets.as_ref().map(|scaling| scaling.mean.len()),
            classes: self.classes.clone(),
        }
    }
}

impl<T> Default for Preprocessing<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Copy> Preprocessing<T> {
    /// The values in binary file order: input means and deviations, then target means and
    /// deviations.
    pub fn values(&self) -> Vec<T> {
        [&self.inputs, &self.targets]
            .into_iter()
            .flatten()
            .flat_map(|scaling| scaling.mean.iter().chain(&scaling.std))
            .copied()
            .collect()
    }

    /// The section a binary header describes, its values taken in order from `values` (the
    /// values after the network's). A part cut short by a short `values` comes back short, for
    /// [`check`](Self::check) to report.
    pub fn from_header(header: PreprocessingHeader, values: &[T]) -> Self {
        let mut rest = values;
        let mut take = |len: usize| {
            let (taken, left) = rest.split_at(len.min(rest.len()));
            rest = left;
            taken.to_vec()
        };
        let mut scaling = |width: Option<usize>| {
            width.map(|width| Scaling {
                mean: take(width),
                std: take(width),
            })
        };
        let inputs = scaling(header.inputs);
        let targets = scaling(header.targets);
        Self {
            version: header.version,
            inputs,
            targets,
            classes: header.classes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section() -> Preprocessing<f32> {
        Preprocessing {
            version: PREPROCESSING_VERSION,
            inputs: Some(Scaling {
                mean: vec![1.0, 2.0],
                std: vec![0.5, 4.0],
            }),
            targets: Some(Scaling {
                mean: vec![-3.0],
                std: vec![10.0],
            }),
            classes: None,
        }
    }

    #[test]
    fn a_section_goes_through_its_header_and_values_unchanged() {
        let section = section();
        let header = section.header();
        assert_eq!(header.inputs, Some(2));
        assert_eq!(header.targets, Some(1));
        assert_eq!(header.value_count(), Some(6));
        let values = section.values();
        assert_eq!(values, [1.0, 2.0, 0.5, 4.0, -3.0, 10.0]);
        assert_eq!(Preprocessing::from_header(header.clone(), &values), section);
        // Cut short, the parts come back short rather than panicking.
        let short = Preprocessing::from_header(header, &values[..3]);
        assert_eq!(short.inputs.unwrap().std, [0.5]);
        assert_eq!(short.targets.unwrap().mean, [] as [f32; 0]);
    }

    #[test]
    fn absent_parts_are_left_out_of_both_forms() {
        let mut section = Preprocessing::<f64>::new();
        assert!(section.is_empty());
        section.classes = Some(vec!["a".into(), "b".into()]);
        assert_eq!(
            serde_json::to_string(&section.header()).unwrap(),
            r#"{"version":1,"classes":["a","b"]}"#
        );
        assert_eq!(
            serde_json::to_string(&section).unwrap(),
            r#"{"version":1,"classes":["a","b"]}"#
        );
        let huge = PreprocessingHeader {
            version: 1,
            inputs: Some(usize::MAX),
            targets: None,
            classes: None,
        };
        assert_eq!(huge.value_count(), None);
    }
}
