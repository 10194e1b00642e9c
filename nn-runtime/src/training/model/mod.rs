//! Saving and loading trained networks, as readable JSON or as compact, checksummed binary.
//!
//! Both formats record a header — the format tag and version, the network's declared name, its
//! scalar type and each layer's name, kind and `[outputs, inputs]` shape — then every tensor in
//! layer order: a dense layer's weight (column-major) and bias; a normalization layer's scale and
//! shift (PyTorch's `weight` and `bias`) and, for `BatchNorm`, its `running_mean` and
//! `running_var`. A dense layer's kind is left out of the header, so files written before
//! normalization layers existed read as they did. Loading checks all of it against the network type being
//! loaded before accepting the file, and reports the first difference with what was expected:
//!
//! ```text
//! the model file holds network `Xor`, expected `Digits`
//! layer `dense1` has shape 4×2 in the file, expected 32×64
//! the file is corrupt: checksum mismatch (stored 1a2b3c4d, computed 5e6f7a8b)
//! ```
//!
//! Values round-trip exactly in both formats. Saving refuses NaN or infinite values, and replaces
//! the target file atomically, keeping its permissions; a read-only target is refused, as is one
//! that is not a regular file (a symbolic link, a directory, a device: [`ModelError::NotAFile`]).
//! Loading never panics, whatever the bytes; a JSON file may start with a UTF-8 byte order mark.
//!
//! The JSON document:
//!
//! ```json
//! {
//!   "format": "nn-model",
//!   "version": 1,
//!   "network": "Xor",
//!   "scalar": "f32",
//!   "layers": [
//!     {
//!       "name": "dense1",
//!       "shape": [4, 2],
//!       "weight": [
//!         0.5, -0.25, 1.0, 0.75,
//!         -1.5, 0.125, 2.0, -0.5
//!       ],
//!       "bias": [0.0, 0.0, 0.0, 0.0]
//!     }
//!   ]
//! }
//! ```
//!
//! A normalization layer adds `"kind": "layer_norm"` or `"batch_norm"`, and a batch normalization
//! layer its `running_mean` and `running_var`. Each line of a `weight` is one column: the weights
//! from one input to every output. The binary
//! layout is described in the documentation of [`to_bytes`].
//!
//! The functions are generic over the network `N` and its widths; the widths are inferred from
//! `N`, so `let net: Xor = load_json(path)?` or `load_json::<Xor, _, _>(path)` both work.
//!
//! A [`Model`] saves the network with its preprocessing — input standardization, target
//! standardization, class labels — in an optional, versioned `preprocessing` section of the same
//! formats, and loads them back checked against the network. A file without the section is
//! exactly a network's file, and the functions here read the network of a file with one,
//! passing the section over (a section of an unknown version is a
//! [`PreprocessingError::Version`] for every reader).

mod binary;
mod bundle;
pub(crate) mod file;
mod header;
mod json;
pub mod onnx;
mod safetensors;
mod tensors;

use std::path::Path;

pub use bundle::Model;
pub use nn_format::safetensors::TensorNames;
pub use nn_format::{ModelError, PreprocessingError};

use crate::Network;

/// Saves `network` as a JSON document at `path`, replacing any file there atomically.
///
/// Fails, leaving any existing file untouched, on a NaN or infinite value or an I/O error.
pub fn save_json<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    network: &N,
    path: impl AsRef<Path>,
) -> Result<(), ModelError> {
    file::write_atomic(path.as_ref(), to_json_string(network)?.as_bytes())
}

/// Loads a network of type `N` from the JSON document at `path`, checking every header field,
/// layer shape and value against `N`.
pub fn load_json<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    path: impl AsRef<Path>,
) -> Result<N, ModelError> {
    from_json_str(&file::read_text(path.as_ref())?)
}

/// Saves `network` in the binary format at `path`, replacing any file there atomically.
///
/// Fails, leaving any existing file untouched, on a NaN or infinite value or an I/O error.
pub fn save_binary<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    network: &N,
    path: impl AsRef<Path>,
) -> Result<(), ModelError> {
    file::write_atomic(path.as_ref(), &to_bytes(network)?)
}

/// Loads a network of type `N` from the binary file at `path`, checking the magic bytes, version,
/// checksum, header and every value against `N`.
pub fn load_binary<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    path: impl AsRef<Path>,
) -> Result<N, ModelError> {
    from_bytes(&file::read(path.as_ref())?)
}

/// Writes `network` as a JSON document (the text [`save_json`] writes).
///
/// Fails on a NaN or infinite value, which JSON cannot hold and loading would reject.
pub fn to_json_string<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    network: &N,
) -> Result<String, ModelError> {
    json::write(network)
}

/// Reads a network of type `N` from a JSON document, checking it like [`load_json`].
pub fn from_json_str<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    text: &str,
) -> Result<N, ModelError> {
    json::read(text)
}

/// Encodes `network` in the binary format (the bytes [`save_binary`] writes):
///
/// ```text
/// offset  size  content
/// 0       8     magic bytes `nn-model`
/// 8       4     format version, u32 little-endian
/// 12      4     header length H, u32 little-endian
/// 16      H     header, compact JSON: {"network":…,"scalar":…,"layers":[{"name":…,"shape":[o,i]},…]}
/// 16+H    V     values, little-endian f32/f64: per layer the weight (column-major), then the bias
/// 16+H+V  4     CRC-32 (IEEE) of every byte before it, u32 little-endian
/// ```
///
/// A [`Model`] with preprocessing adds `"preprocessing":{"version":1,…}` to the header and its
/// values between the network's and the checksum.
///
/// Fails on a NaN or infinite value, which loading would reject.
pub fn to_bytes<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    network: &N,
) -> Result<Vec<u8>, ModelError> {
    binary::write(network)
}

/// Decodes a network of type `N` from the binary format, checking it like [`load_binary`].
pub fn from_bytes<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    bytes: &[u8],
) -> Result<N, ModelError> {
    binary::read(bytes)
}

/// Saves `network` as a safetensors file at `path`, replacing any file there atomically: per dense
/// layer `dense1.weight` (`[out, in]`, row-major, as PyTorch's `nn.Linear`) and `dense1.bias`,
/// per normalization layer `batchnorm1.weight`, `.bias` (and `.running_mean`, `.running_var`),
/// as PyTorch's `LayerNorm` and `BatchNorm1d` name them, in `F32` or `F64`, with the network's
/// name, element type and layers (and their kinds) in the metadata. It loads
/// into a `torch.nn.Sequential` of the same layers after renaming the keys, or into a module with
/// these attribute names directly.
///
/// Fails, leaving any existing file untouched, on a NaN or infinite value or an I/O error.
pub fn save_safetensors<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    network: &N,
    path: impl AsRef<Path>,
) -> Result<(), ModelError> {
    file::write_atomic(path.as_ref(), &to_safetensors(network)?)
}

/// Loads a network of type `N` from the safetensors file at `path`: a file nn saved, or one
/// saved from a `torch.nn.Sequential`, its modules taken in the numeric order of their keys: a
/// 2-D `<n>.weight` with its `<n>.bias` is a dense layer, a 1-D one with running statistics a
/// `BatchNorm1d` (its `num_batches_tracked` ignored), without them a `LayerNorm`. Every tensor's shape and type, and the layer count,
/// are checked against `N`; a missing or extra tensor is an error.
pub fn load_safetensors<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    path: impl AsRef<Path>,
) -> Result<N, ModelError> {
    from_safetensors(&file::read(path.as_ref())?)
}

/// Encodes `network` as a safetensors file (the bytes [`save_safetensors`] writes).
pub fn to_safetensors<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    network: &N,
) -> Result<Vec<u8>, ModelError> {
    safetensors::write(network)
}

/// Decodes a network of type `N` from a safetensors file, as [`load_safetensors`] does.
pub fn from_safetensors<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    bytes: &[u8],
) -> Result<N, ModelError> {
    safetensors::read(bytes, TensorNames::Auto)
}

/// Decodes a network of type `N` of dense layers only from a safetensors file whose layers are
/// named otherwise: `names` gives, per dense layer in order, its weight and bias tensors, as in
/// `TensorNames::Explicit(&[("encoder.weight", "encoder.bias"), ("head.weight", "head.bias")])`.
pub fn from_safetensors_with<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    bytes: &[u8],
    names: TensorNames,
) -> Result<N, ModelError> {
    safetensors::read(bytes, names)
}

/// Saves the inference graph of `network` as an ONNX model at `path`, replacing any file there
/// atomically: per dense layer a `MatMul`, an `Add` and its activation's operators, per
/// normalization layer its inference formula, dropout left out, from the input `input`
/// (`[batch, IN]`) to the output `output` (`[batch, OUT]`), `batch` symbolic; see [`onnx`].
///
/// Fails, leaving any existing file untouched, on a NaN or infinite value, an activation ONNX
/// cannot express (a user's type) or an I/O error.
pub fn save_onnx<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    network: &N,
    path: impl AsRef<Path>,
) -> Result<(), ModelError> {
    file::write_atomic(path.as_ref(), &to_onnx(network)?)
}

/// Encodes the inference graph of `network` as an ONNX model (the bytes [`save_onnx`] writes).
pub fn to_onnx<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    network: &N,
) -> Result<Vec<u8>, ModelError> {
    onnx::write(network)
}
