//! safetensors files (the format of Hugging Face's `safetensors`, which PyTorch's `state_dict`s
//! are saved in), read and written with the `safetensors` crate.
//!
//! A dense layer is two tensors laid out as PyTorch's `nn.Linear`: `<name>.weight` of shape
//! `[out, in]`, row-major, and `<name>.bias` of shape `[out]`, in `F32` or `F64`. nn writes its
//! own layer names (`dense1.weight`, …) and, in the file's metadata, the format, its version, the
//! network's name, the element type and the layers in order. A file without that metadata (saved
//! by PyTorch) is read by [`TensorNames::Auto`] in the order of its numbered keys, as
//! `nn.Sequential` numbers its modules (`0.weight`, `2.weight`, … where activations and dropout
//! take the indices between), or by an explicit map.

use std::collections::{BTreeSet, HashMap};

use safetensors::tensor::{Dtype, SafeTensors, TensorView};

use crate::{FORMAT, Header, LayerHeader, ModelError, ModelFile, VERSION, Values};

/// Which tensors of a file hold which dense layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TensorNames<'a> {
    /// The layers the metadata lists (files nn wrote), or else the 2-D `<key>.weight` tensors in
    /// the numeric order of their keys, each with its `<key>.bias` (PyTorch's `nn.Sequential`).
    Auto,
    /// Per dense layer, in order: the names of its weight and bias tensors.
    Explicit(&'a [(&'a str, &'a str)]),
}

/// The metadata keys nn writes.
const NETWORK: &str = "network";
const LAYERS: &str = "layers";

/// Encodes a file from `bytes`, the little-endian values of the layers of `header` in nn's order
/// (per layer the weight column-major, then the bias): each weight row-major as `[out, in]`, each
/// bias, and the header in the metadata.
pub fn encode(header: &Header, bytes: &[u8]) -> Result<Vec<u8>, ModelError> {
    let dtype = match header.scalar_size()? {
        4 => Dtype::F32,
        _ => Dtype::F64,
    };
    let size = dtype.bitsize() / 8;
    let mut tensors: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
    let mut offset = 0;
    for layer in &header.layers {
        let [outputs, inputs] = layer.shape;
        let weight = &bytes[offset..offset + outputs * inputs * size];
        offset += weight.len();
        let bias = bytes[offset..offset + outputs * size].to_vec();
        offset += bias.len();
        // Column-major (`i·out + o`) to row-major (`o·in + i`).
        let mut row_major = Vec::with_capacity(weight.len());
        for o in 0..outputs {
            for i in 0..inputs {
                let at = (i * outputs + o) * size;
                row_major.extend_from_slice(&weight[at..at + size]);
            }
        }
        tensors.push((
            format!("{}.weight", layer.name),
            vec![outputs, inputs],
            row_major,
        ));
        tensors.push((format!("{}.bias", layer.name), vec![outputs], bias));
    }
    let views = tensors
        .iter()
        .map(|(name, shape, data)| {
            let view = TensorView::new(dtype, shape.clone(), data).map_err(malformed)?;
            Ok((name.clone(), view))
        })
        .collect::<Result<Vec<_>, ModelError>>()?;
    let layers: Vec<&str> = header
        .layers
        .iter()
        .map(|layer| layer.name.as_str())
        .collect();
    let metadata = HashMap::from([
        ("format".to_owned(), FORMAT.to_owned()),
        ("version".to_owned(), VERSION.to_string()),
        (NETWORK.to_owned(), header.network.clone()),
        ("scalar".to_owned(), header.scalar.clone()),
        (LAYERS.to_owned(), layers.join(",")),
    ]);
    let mut bytes = safetensors::tensor::serialize(views, Some(metadata)).map_err(malformed)?;
    sort_header(&mut bytes)?;
    Ok(bytes)
}

/// Rewrites the header of a serialized file with its keys sorted, in place: the crate writes the
/// metadata in a hash map's order, which changes from run to run, and the same network should
/// give the same bytes. The content, and so the length, stay the same.
fn sort_header(bytes: &mut [u8]) -> Result<(), ModelError> {
    let (length, rest) = bytes
        .split_first_chunk_mut::<8>()
        .ok_or_else(|| ModelError::Malformed("the safetensors header is missing".into()))?;
    let header = &mut rest[..u64::from_le_bytes(*length) as usize];
    // serde_json's maps are ordered by key.
    let value: serde_json::Value = serde_json::from_slice(header)
        .map_err(|error| ModelError::Malformed(format!("the safetensors header: {error}")))?;
    let sorted = serde_json::to_vec(&value).expect("a JSON value serializes");
    if sorted.len() > header.len() {
        return Err(ModelError::Malformed(
            "the sorted safetensors header is longer than the original".into(),
        ));
    }
    header[..sorted.len()].copy_from_slice(&sorted);
    header[sorted.len()..].fill(b' ');
    Ok(())
}

/// Reads a file: the layers named by `names`, checked for shape, type, missing and extra
/// tensors, into nn's layout (weights column-major). The header's network is the one the
/// metadata names, or empty when the file names none.
pub fn decode(bytes: &[u8], names: TensorNames) -> Result<ModelFile, ModelError> {
    let file = SafeTensors::deserialize(bytes).map_err(malformed)?;
    let (_, metadata) = SafeTensors::read_metadata(bytes).map_err(malformed)?;
    let metadata = metadata.metadata().clone().unwrap_or_default();
    let keys = layer_keys(&file, &metadata, names)?;
    let mut used = BTreeSet::new();
    let mut layers = Vec::new();
    let mut values: Option<Values> = None;
    for (index, (weight_key, bias_key)) in keys.iter().enumerate() {
        let layer = layer_name(weight_key, &metadata, names, index);
        let weight = tensor(&file, weight_key, "weight", &layer)?;
        let shape = weight.shape().to_vec();
        let [outputs, inputs] = shape[..] else {
            return Err(ModelError::Malformed(format!(
                "tensor `{weight_key}` has shape {shape:?}, expected a weight matrix [out, in]"
            )));
        };
        let bias = tensor(&file, bias_key, "bias", &layer)?;
        if bias.shape() != [outputs] {
            return Err(ModelError::TensorShape {
                name: bias_key.clone(),
                found: bias.shape().to_vec(),
                expected: vec![outputs],
            });
        }
        let values = values.get_or_insert_with(|| match weight.dtype() {
            Dtype::F64 => Values::empty(8),
            _ => Values::empty(4),
        });
        for (key, view) in [(weight_key, &weight), (bias_key, &bias)] {
            check_type(key, view.dtype(), values)?;
        }
        append_column_major(values, weight.data(), outputs, inputs);
        values.extend_from_le(bias.data());
        used.insert(weight_key.clone());
        used.insert(bias_key.clone());
        layers.push(LayerHeader {
            name: layer,
            kind: crate::LayerKind::Dense,
            shape: [outputs, inputs],
        });
    }
    if let Some(extra) = file.names().into_iter().find(|name| !used.contains(*name)) {
        return Err(ModelError::ExtraTensor {
            name: extra.to_owned(),
        });
    }
    let values = values.unwrap_or(Values::empty(4));
    let scalar = match values {
        Values::F32(_) => "f32",
        Values::F64(_) => "f64",
    };
    let header = Header {
        network: metadata.get(NETWORK).cloned().unwrap_or_default(),
        scalar: scalar.to_owned(),
        layers,
    };
    let file = ModelFile { header, values };
    crate::check_finite_values(&file)?;
    Ok(file)
}

/// The weight and bias keys of each layer, in order.
fn layer_keys(
    file: &SafeTensors,
    metadata: &HashMap<String, String>,
    names: TensorNames,
) -> Result<Vec<(String, String)>, ModelError> {
    let pair = |prefix: &str| (format!("{prefix}.weight"), format!("{prefix}.bias"));
    match names {
        TensorNames::Explicit(map) => Ok(map
            .iter()
            .map(|&(weight, bias)| (weight.to_owned(), bias.to_owned()))
            .collect()),
        TensorNames::Auto => match metadata.get(LAYERS) {
            Some(layers) => Ok(layers.split(',').map(pair).collect()),
            None => {
                let mut numbered = Vec::new();
                for name in file.names() {
                    let Some(prefix) = name.strip_suffix(".weight") else {
                        continue;
                    };
                    let is_matrix = file.tensor(name).is_ok_and(|t| t.shape().len() == 2);
                    if !is_matrix {
                        continue;
                    }
                    let position = prefix
                        .rsplit('.')
                        .next()
                        .and_then(|last| last.parse::<u64>().ok())
                        .ok_or_else(|| {
                            ModelError::Malformed(format!(
                                "tensor `{name}` is not numbered as nn.Sequential numbers its modules, so the layer order is unknown; give the tensor names explicitly"
                            ))
                        })?;
                    numbered.push((position, prefix.to_owned()));
                }
                numbered.sort();
                Ok(numbered.iter().map(|(_, prefix)| pair(prefix)).collect())
            }
        },
    }
}

/// The name of layer `index`: the metadata's for a file nn wrote and read by its names, else
/// (layers found by position or by an explicit map) `dense1`, `dense2`, … as `network!` names
/// dense layers.
fn layer_name(
    weight_key: &str,
    metadata: &HashMap<String, String>,
    names: TensorNames,
    index: usize,
) -> String {
    match (
        names,
        metadata.get(LAYERS),
        weight_key.strip_suffix(".weight"),
    ) {
        (TensorNames::Auto, Some(_), Some(prefix)) => prefix.to_owned(),
        _ => format!("dense{}", index + 1),
    }
}

fn tensor<'a>(
    file: &SafeTensors<'a>,
    key: &str,
    what: &'static str,
    layer: &str,
) -> Result<TensorView<'a>, ModelError> {
    file.tensor(key).map_err(|_| ModelError::MissingTensor {
        name: key.to_owned(),
        what,
        layer: layer.to_owned(),
    })
}

fn check_type(key: &str, found: Dtype, values: &Values) -> Result<(), ModelError> {
    let expected = match values {
        Values::F32(_) => Dtype::F32,
        Values::F64(_) => Dtype::F64,
    };
    if found == expected {
        return Ok(());
    }
    let expected = if matches!(found, Dtype::F32 | Dtype::F64) {
        format!("{expected:?}, as the file's first weight")
    } else {
        "F32 or F64".to_owned()
    };
    Err(ModelError::TensorType {
        name: key.to_owned(),
        found: format!("{found:?}"),
        expected,
    })
}

/// Appends a row-major `[out, in]` matrix of little-endian values column-major.
fn append_column_major(values: &mut Values, bytes: &[u8], outputs: usize, inputs: usize) {
    let size = match values {
        Values::F32(_) => 4,
        Values::F64(_) => 8,
    };
    let mut column_major = Vec::with_capacity(bytes.len());
    for i in 0..inputs {
        for o in 0..outputs {
            let at = (o * inputs + i) * size;
            column_major.extend_from_slice(&bytes[at..at + size]);
        }
    }
    values.extend_from_le(&column_major);
}

fn malformed(error: safetensors::SafeTensorError) -> ModelError {
    ModelError::Malformed(format!("the safetensors file is invalid: {error}"))
}
