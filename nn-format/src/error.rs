//! Why a model could not be saved or loaded.

use std::io;
use std::path::PathBuf;

use thiserror::Error;

use crate::preprocessing::PreprocessingError;

/// A model that could not be saved or loaded. Each variant names what did not match and what was
/// expected; nothing is accepted until every check has passed.
#[derive(Debug, Error)]
pub enum ModelError {
    /// Reading or writing the file failed.
    #[error("cannot {action} `{}`: {source}", path.display())]
    Io {
        /// What was being done: `read`, `write` or `replace`.
        action: &'static str,
        /// The file's path.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// The path to save to names something other than a regular file (a symbolic link, a
    /// directory, a device, a FIFO or a socket), which saving would replace.
    #[error("cannot replace `{}`: it is {kind}, expected a regular file", path.display())]
    NotAFile {
        /// The path.
        path: PathBuf,
        /// What it names, with its article: `a symbolic link`, `a directory`, `a character
        /// device`, `a block device`, `a FIFO`, `a socket`.
        kind: &'static str,
    },
    /// The file is not a model of this format (wrong format tag or magic bytes).
    #[error("the file is not an nn model: its format tag is `{found}`, expected `{expected}`")]
    Format {
        /// The tag found, escaped.
        found: String,
        /// The tag of this format.
        expected: &'static str,
    },
    /// The file was written by a format version this library does not read.
    #[error("the model file has format version {found}, expected version {expected}")]
    Version {
        /// The version in the file.
        found: u64,
        /// The version this library reads and writes.
        expected: u32,
    },
    /// The file holds another network.
    #[error("the model file holds network `{found}`, expected `{expected}`")]
    Network {
        /// The network name in the file.
        found: String,
        /// The name of the network being loaded.
        expected: &'static str,
    },
    /// The file's values have another element type.
    #[error("the model file holds {found} values, expected {expected}")]
    Scalar {
        /// The scalar type in the file.
        found: String,
        /// The network's scalar type (`f32` or `f64`).
        expected: &'static str,
    },
    /// The file has another number of layers with parameters.
    #[error("the model file has {found} layers, expected {expected}")]
    LayerCount {
        /// The number in the file.
        found: usize,
        /// The network's number of layers with parameters.
        expected: usize,
    },
    /// A layer has another name.
    #[error("layer {index} is named `{found}` in the file, expected `{expected}`")]
    LayerName {
        /// The layer's 0-based position among the layers with parameters.
        index: usize,
        /// The name in the file.
        found: String,
        /// The network's layer name.
        expected: &'static str,
    },
    /// A layer is of another kind (a `LayerNorm` where the network has a `BatchNorm`).
    #[error("layer `{layer}` is a `{found}` layer in the file, expected `{expected}`")]
    LayerKind {
        /// The layer's name.
        layer: &'static str,
        /// The kind in the file (`dense`, `layer_norm`, `batch_norm`).
        found: &'static str,
        /// The network's kind.
        expected: &'static str,
    },
    /// A layer has another shape.
    #[error(
        "layer `{layer}` has shape {}×{} in the file, expected {}×{}",
        found[0], found[1], expected[0], expected[1]
    )]
    LayerShape {
        /// The layer's name.
        layer: &'static str,
        /// `[outputs, inputs]` in the file.
        found: [usize; 2],
        /// The network's `[outputs, inputs]`.
        expected: [usize; 2],
    },
    /// A layer's weight or bias has the wrong number of values.
    #[error("layer `{layer}` has {found} {tensor} values in the file, expected {expected}")]
    ValueCount {
        /// The layer's name.
        layer: String,
        /// `weight`, `bias`, `running_mean` or `running_var`.
        tensor: &'static str,
        /// The number of values in the file.
        found: usize,
        /// The number its shape requires.
        expected: usize,
    },
    /// A value is NaN or infinite (in a file being loaded, or in a network being saved).
    #[error(
        "value {index} of the {tensor} of layer `{layer}` is {value}, expected a finite number"
    )]
    NotFinite {
        /// The layer's name.
        layer: String,
        /// `weight`, `bias`, `running_mean` or `running_var`.
        tensor: &'static str,
        /// The value's 0-based index in the tensor (column-major for weights).
        index: usize,
        /// The value.
        value: f64,
    },
    /// The file ends too early.
    #[error("the file is truncated: expected {expected} bytes of {what}, found {found}")]
    Truncated {
        /// The part that is cut short.
        what: &'static str,
        /// The number of bytes the part needs.
        expected: usize,
        /// The number of bytes left.
        found: usize,
    },
    /// The file goes on after its end.
    #[error("the file has {found} bytes after the end of the model, expected none")]
    TrailingBytes {
        /// The number of extra bytes.
        found: usize,
    },
    /// The binary file's checksum does not match its contents.
    #[error(
        "the file is corrupt: checksum mismatch (stored {stored:08x}, computed {computed:08x})"
    )]
    Checksum {
        /// The CRC-32 stored in the file.
        stored: u32,
        /// The CRC-32 of the bytes read.
        computed: u32,
    },
    /// A tensor the network needs is not in the file.
    #[error("the file has no tensor `{name}`, expected the {what} of layer `{layer}`")]
    MissingTensor {
        /// The tensor's name.
        name: String,
        /// `weight`, `bias`, `running_mean` or `running_var`.
        what: &'static str,
        /// The layer it belongs to.
        layer: String,
    },
    /// The file holds a tensor that belongs to no layer.
    #[error("the file holds tensor `{name}`, which no dense layer uses")]
    ExtraTensor {
        /// The tensor's name.
        name: String,
    },
    /// A tensor has another shape than its layer needs.
    #[error("tensor `{name}` has shape {found:?} in the file, expected {expected:?}")]
    TensorShape {
        /// The tensor's name.
        name: String,
        /// Its shape in the file.
        found: Vec<usize>,
        /// The shape its layer needs.
        expected: Vec<usize>,
    },
    /// A tensor has an element type other than `f32` or `f64`, or another one than the rest.
    #[error("tensor `{name}` holds {found} values, expected {expected}")]
    TensorType {
        /// The tensor's name.
        name: String,
        /// Its element type in the file (`F16`, `I64`, …).
        found: String,
        /// What was expected: `F32`, `F64`, or the type of the other tensors.
        expected: String,
    },
    /// The JSON text is not valid JSON.
    #[error("the file is not valid JSON at line {line}, column {column}: {message}")]
    Syntax {
        /// The 1-based line.
        line: usize,
        /// The 1-based column, in characters.
        column: usize,
        /// What was wrong.
        message: String,
    },
    /// The file is well formed but its content is not a model: a missing, unknown or repeated
    /// field, or a header that cannot be read.
    #[error("the model file is malformed: {0}")]
    Malformed(String),
    /// A network does not give the `ε` of one of its normalization layers (a hand-written
    /// `Network` implementation), which an exporter needs to write it.
    #[error(
        "network `{network}` gives no epsilon for its {kind} layer `{layer}` ({found} entries in `NORM_EPSILONS`, expected {expected}), which {format} export needs"
    )]
    MissingEpsilon {
        /// The network's name.
        network: &'static str,
        /// The layer's name.
        layer: &'static str,
        /// The layer's kind (`batch_norm`).
        kind: &'static str,
        /// The number of epsilons the network gives.
        found: usize,
        /// One per layer with parameters.
        expected: usize,
        /// The format being written (`ONNX`).
        format: &'static str,
    },
    /// An exporter has no way to write a layer's activation (a user's activation type, which
    /// ONNX has no operator for).
    #[error(
        "layer `{layer}` uses the activation `{activation}`, which {format} export cannot express"
    )]
    UnsupportedActivation {
        /// The layer's name (`dense1`).
        layer: String,
        /// The activation's name.
        activation: String,
        /// The format being written (`ONNX`).
        format: &'static str,
    },
    /// The preprocessing saved with the network does not fit it, or has an unknown version.
    #[error(transparent)]
    Preprocessing(#[from] PreprocessingError),
}
