//! Why a preprocessing section does not fit its network.

use thiserror::Error;

/// A preprocessing section that cannot be saved or loaded with its network. Each variant names
/// the part of the section (`inputs.mean`, `targets.std`, `classes`) and what was expected.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum PreprocessingError {
    /// The section was written by a version this library does not read.
    #[error(
        "the model file's preprocessing section has version {found}, expected version {expected}"
    )]
    Version {
        /// The version in the file.
        found: u64,
        /// The version this library reads and writes.
        expected: u32,
    },
    /// A list of means or standard deviations is not as long as the network is wide.
    #[error(
        "the preprocessing `{field}` has {found} values, expected {expected}, the network's {side} width"
    )]
    Length {
        /// `inputs.mean`, `inputs.std`, `targets.mean` or `targets.std`.
        field: &'static str,
        /// The number of values in the section.
        found: usize,
        /// The network's width on that side.
        expected: usize,
        /// `input` or `output`.
        side: &'static str,
    },
    /// A mean that is not finite, or a standard deviation that is not finite and positive.
    #[error("value {index} of the preprocessing `{field}` is {value}, expected {expected}")]
    Value {
        /// `inputs.mean`, `inputs.std`, `targets.mean` or `targets.std`.
        field: &'static str,
        /// The value's 0-based column.
        index: usize,
        /// The value.
        value: f64,
        /// `a finite number` or `a finite positive number`.
        expected: &'static str,
    },
    /// Another number of class names than the network's outputs call for.
    #[error("the model has {found} class names, expected {}", class_rule(*expected, *outputs))]
    ClassCount {
        /// The number of names.
        found: usize,
        /// The number the outputs call for: one per output, or 2 for a single output.
        expected: usize,
        /// The network's output width.
        outputs: usize,
    },
    /// A class name that is empty or only spaces.
    #[error("class name {index} is empty, expected a non-empty name")]
    EmptyClassName {
        /// The name's 0-based position.
        index: usize,
    },
    /// A class name given twice.
    #[error("class name {index} `{name}` repeats class name {first}, expected unique names")]
    DuplicateClassName {
        /// The name.
        name: String,
        /// The 0-based position of its first occurrence.
        first: usize,
        /// The 0-based position of the repeat.
        index: usize,
    },
    /// Class names for a network whose outputs are not class probabilities.
    #[error(
        "the model has class names, but network `{network}` ends in `{activation}` with {outputs} outputs, expected `Softmax`, or `Sigmoid` with one output"
    )]
    NotAClassifier {
        /// The network's name.
        network: String,
        /// The activation of its output layer.
        activation: String,
        /// Its output width.
        outputs: usize,
    },
    /// Class names together with a target standardization.
    #[error(
        "the model has both class names and a target standardizer, expected at most one of them: a classifier's targets are one-hot and not standardized"
    )]
    TargetsWithClasses,
}

/// What `expected` class names are for `outputs` outputs, in words.
fn class_rule(expected: usize, outputs: usize) -> String {
    if outputs == 1 {
        format!("{expected} for a single output (the probability of the second class)")
    } else {
        format!("{expected}, one per output")
    }
}
