//! nn's model files: the binary and JSON formats, the header they share, their checks and their
//! errors.
//!
//! The `nn` runtime reads a file into a network type it knows; [`decode`] reads one without
//! knowing the network, into a [`ModelFile`], which is what `include_model!` bakes into a program
//! while compiling. Both report problems as a [`ModelError`] in the same words.

#![warn(missing_docs)]

pub mod binary;
mod error;
mod header;
pub mod json;
pub mod preprocessing;
pub mod safetensors;

pub use error::ModelError;
pub use header::{FORMAT, Header, LayerHeader, LayerKind, VERSION};
pub use preprocessing::{Preprocessing, PreprocessingError, PreprocessingHeader};

/// A model file read without knowing the network: its header and its values.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelFile {
    /// The network's name, element type and layers with parameters (and what any preprocessing
    /// section holds, whose values are not kept here).
    pub header: Header,
    /// Every value of the network in file order: per layer its tensors (a dense weight
    /// column-major).
    pub values: Values,
}

/// The values of a model file, in its element type.
#[derive(Clone, Debug, PartialEq)]
pub enum Values {
    /// The values of an `f32` network.
    F32(Vec<f32>),
    /// The values of an `f64` network.
    F64(Vec<f64>),
}

impl Values {
    /// No values, of the type whose size in bytes is `scalar_size` (4: `f32`, else `f64`).
    pub(crate) fn empty(scalar_size: usize) -> Self {
        match scalar_size {
            4 => Values::F32(Vec::new()),
            _ => Values::F64(Vec::new()),
        }
    }

    /// Appends the values of `bytes`, little-endian, as the binary format stores them.
    pub(crate) fn extend_from_le(&mut self, bytes: &[u8]) {
        match self {
            Values::F32(values) => values.extend(
                bytes
                    .chunks_exact(4)
                    .map(|b| f32::from_le_bytes(b.try_into().expect("chunks of 4"))),
            ),
            Values::F64(values) => values.extend(
                bytes
                    .chunks_exact(8)
                    .map(|b| f64::from_le_bytes(b.try_into().expect("chunks of 8"))),
            ),
        }
    }

    /// The values as little-endian bytes, as the binary format stores them.
    pub fn to_le_bytes(&self) -> Vec<u8> {
        match self {
            Values::F32(values) => values.iter().flat_map(|v| v.to_le_bytes()).collect(),
            Values::F64(values) => values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        }
    }
}

/// Reads a model file in any of the formats, told apart by their first bytes (the binary
/// format's magic bytes, a safetensors header, or else JSON text), checking its framing,
/// checksum, header and that every value is finite and present. A preprocessing section's version
/// is checked, and its values left out. A safetensors file is read with
/// [`TensorNames::Auto`](safetensors::TensorNames::Auto); one that names no network (saved by
/// PyTorch) gives an empty network name.
pub fn decode(bytes: &[u8]) -> Result<ModelFile, ModelError> {
    if bytes.starts_with(binary::MAGIC) {
        decode_binary(bytes)
    } else if is_safetensors(bytes) {
        safetensors::decode(bytes, safetensors::TensorNames::Auto)
    } else {
        let text = std::str::from_utf8(bytes).map_err(|error| {
            ModelError::Malformed(format!(
                "the file is neither an nn binary model nor UTF-8 JSON text: invalid byte at offset {}",
                error.valid_up_to()
            ))
        })?;
        decode_json(text)
    }
}

/// Whether `bytes` start as a safetensors file: a little-endian header length that fits, then `{`.
fn is_safetensors(bytes: &[u8]) -> bool {
    let Some((length, rest)) = bytes.split_first_chunk::<8>() else {
        return false;
    };
    let length = u64::from_le_bytes(*length);
    rest.first() == Some(&b'{') && length <= rest.len() as u64
}

fn decode_binary(bytes: &[u8]) -> Result<ModelFile, ModelError> {
    let binary::Framed {
        header,
        values: raw,
        ..
    } = binary::split(bytes)?;
    let mut values = Values::empty(header.scalar_size()?);
    values.extend_from_le(raw);
    let file = ModelFile { header, values };
    check_finite_values(&file)?;
    Ok(file)
}

fn decode_json(text: &str) -> Result<ModelFile, ModelError> {
    // The element type decides how each number is parsed (an `f32` parsed through `f64` could
    // round twice), so the header is read first.
    let outline = json::parse::<serde::de::IgnoredAny>(text)?.header();
    let values = match outline.scalar_size()? {
        4 => Values::F32(json::parse::<f32>(text)?.values()?),
        _ => Values::F64(json::parse::<f64>(text)?.values()?),
    };
    let file = ModelFile {
        header: outline,
        values,
    };
    check_finite_values(&file)?;
    Ok(file)
}

/// Checks that every value of `file` is finite, naming the first that is not.
pub(crate) fn check_finite_values(file: &ModelFile) -> Result<(), ModelError> {
    match &file.values {
        Values::F32(values) => check_finite(&file.header, values),
        Values::F64(values) => check_finite(&file.header, values),
    }
}

/// The error for the first NaN or infinite value, naming its layer and tensor.
fn check_finite<T: Copy + Into<f64>>(header: &Header, values: &[T]) -> Result<(), ModelError> {
    let mut offset = 0;
    for layer in &header.layers {
        for (tensor, len) in layer.tensors().unwrap_or_default() {
            let tensor_values = values.get(offset..offset + len).unwrap_or_default();
            if let Some(index) = tensor_values
                .iter()
                .position(|value| !(*value).into().is_finite())
            {
                return Err(ModelError::NotFinite {
                    layer: layer.name.clone(),
                    tensor,
                    index,
                    value: tensor_values[index].into(),
                });
            }
            offset += len;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
