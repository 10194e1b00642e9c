//! safetensors files (the format of Hugging Face's `safetensors`, which PyTorch's `state_dict`s
//! are saved in), read and written with the `safetensors` crate.
//!
//! Each layer's tensors are named `<layer>.<tensor>` as PyTorch names them, in `F32` or `F64`:
//!
//! * a dense layer, as PyTorch's `nn.Linear`: `weight` of shape `[out, in]`, row-major, and
//!   `bias` of shape `[out]`;
//! * a layer normalization of `N` features, as `nn.LayerNorm(N)`: `weight` (the scale `γ`) and
//!   `bias` (the shift `β`), each of shape `[N]`;
//! * a batch normalization of `N` features, as `nn.BatchNorm1d(N)`: `weight` (`γ`), `bias`
//!   (`β`), `running_mean` and `running_var` (the unbiased running variance), each of shape
//!   `[N]`. PyTorch's `num_batches_tracked` (an `I64` scalar) is accepted and ignored.
//!
//! nn writes its own layer names (`dense1.weight`, `batchnorm1.running_var`, …) and, in the
//! file's metadata, the format, its version, the network's name, the element type, the layers in
//! order (`layers`: `dense1,batchnorm1,dense2`) and, when any layer is not dense, their kinds
//! (`kinds`: `dense,batch_norm,dense`; a file without `kinds` holds dense layers only, as every
//! file before normalization layers, and its bytes are the same as then).
//!
//! A file without that metadata (saved by PyTorch) is read by [`TensorNames::Auto`] in the order
//! of its numbered keys, as `nn.Sequential` numbers its modules (`0.weight`, `2.weight`, … where
//! activations and dropout take the indices between): a module with a 2-D `weight` is a dense
//! layer, one with a 1-D `weight` and any of `running_mean`, `running_var` or
//! `num_batches_tracked` a batch normalization, one with a 1-D `weight` otherwise a layer
//! normalization. Its layers are named as `network!` names its fields, each kind counted apart:
//! `dense1`, `batchnorm1`, `dense2`, `layernorm1`, …. Dense layers named otherwise are read by an
//! explicit map ([`TensorNames::Explicit`]), which names dense layers only.

use std::collections::{BTreeSet, HashMap};

use safetensors::tensor::{Dtype, SafeTensors, TensorView};

use crate::{FORMAT, Header, LayerHeader, LayerKind, ModelError, ModelFile, VERSION, Values};

/// Which tensors of a file hold which layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TensorNames<'a> {
    /// The layers the metadata lists, with their kinds (files nn wrote), or else the modules of
    /// the file's numbered keys in numeric order, each a dense layer, a layer normalization or a
    /// batch normalization by its tensors (PyTorch's `nn.Sequential`).
    Auto,
    /// Per dense layer, in order: the names of its weight and bias tensors. The layers are named
    /// `dense1`, `dense2`, …; a network with normalization layers is read by [`Auto`](Self::Auto)
    /// only.
    Explicit(&'a [(&'a str, &'a str)]),
}

/// The metadata keys nn writes.
const NETWORK: &str = "network";
const LAYERS: &str = "layers";
const KINDS: &str = "kinds";
/// PyTorch's count of the batches a batch normalization has seen: read and ignored.
const BATCHES_TRACKED: &str = "num_batches_tracked";

/// Encodes a file from `bytes`, the little-endian values of the layers of `header` in nn's order
/// (per layer its tensors in the order of [`LayerHeader::tensors`], a dense weight
/// column-major): each dense weight row-major as `[out, in]`, every other tensor as `[len]`, and
/// the header in the metadata.
pub fn encode(header: &Header, bytes: &[u8]) -> Result<Vec<u8>, ModelError> {
    let dtype = match header.scalar_size()? {
        4 => Dtype::F32,
        _ => Dtype::F64,
    };
    let size = dtype.bitsize() / 8;
    let mut tensors: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
    let mut offset = 0usize;
    for layer in &header.layers {
        let [outputs, inputs] = layer.shape;
        let lengths = layer
            .tensors()
            .ok_or_else(|| ModelError::Malformed(format!("layer `{}` is too large", layer.name)))?;
        for (name, len) in lengths {
            let data = len
                .checked_mul(size)
                .and_then(|len| bytes.get(offset..offset.checked_add(len)?))
                .ok_or_else(|| {
                    ModelError::Malformed(format!(
                        "the values end before the {name} of layer `{}`",
                        layer.name
                    ))
                })?;
            offset += data.len();
            let (shape, data) = if layer.kind == LayerKind::Dense && name == "weight" {
                (
                    vec![outputs, inputs],
                    row_major(data, outputs, inputs, size),
                )
            } else {
                (vec![len], data.to_vec())
            };
            tensors.push((format!("{}.{name}", layer.name), shape, data));
        }
    }
    if offset != bytes.len() {
        return Err(ModelError::Malformed(format!(
            "{} bytes of values are left after the last layer",
            bytes.len() - offset
        )));
    }
    let views = tensors
        .iter()
        .map(|(name, shape, data)| {
            let view = TensorView::new(dtype, shape.clone(), data).map_err(malformed)?;
            Ok((name.clone(), view))
        })
        .collect::<Result<Vec<_>, ModelError>>()?;
    let join = |field: fn(&LayerHeader) -> &str| {
        header
            .layers
            .iter()
            .map(field)
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut metadata = HashMap::from([
        ("format".to_owned(), FORMAT.to_owned()),
        ("version".to_owned(), VERSION.to_string()),
        (NETWORK.to_owned(), header.network.clone()),
        ("scalar".to_owned(), header.scalar.clone()),
        (LAYERS.to_owned(), join(|layer| &layer.name)),
    ]);
    // Only when needed, so that a dense network's file stays byte for byte what it was before
    // layer kinds.
    if header.layers.iter().any(|layer| !layer.kind.is_dense()) {
        metadata.insert(KINDS.to_owned(), join(|layer| layer.kind.name()));
    }
    let mut bytes = safetensors::tensor::serialize(views, Some(metadata)).map_err(malformed)?;
    sort_header(&mut bytes)?;
    Ok(bytes)
}

/// A column-major (`i·out + o`) matrix of `size`-byte values, row-major (`o·in + i`).
fn row_major(column_major: &[u8], outputs: usize, inputs: usize, size: usize) -> Vec<u8> {
    let mut row_major = Vec::with_capacity(column_major.len());
    for o in 0..outputs {
        for i in 0..inputs {
            let at = (i * outputs + o) * size;
            row_major.extend_from_slice(&column_major[at..at + size]);
        }
    }
    row_major
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
/// tensors, into nn's layout (dense weights column-major). The header's network is the one the
/// metadata names, or empty when the file names none.
pub fn decode(bytes: &[u8], names: TensorNames) -> Result<ModelFile, ModelError> {
    let file = SafeTensors::deserialize(bytes).map_err(malformed)?;
    let (_, metadata) = SafeTensors::read_metadata(bytes).map_err(malformed)?;
    let metadata = metadata.metadata().clone().unwrap_or_default();
    let mut used = BTreeSet::new();
    let mut layers = Vec::new();
    let mut values: Option<Values> = None;
    for keys in layer_keys(&file, &metadata, names)? {
        let shape = read_layer(&file, &keys, &mut values)?;
        used.extend(keys.tensors.iter().cloned());
        used.extend(keys.ignored.filter(|key| file.tensor(key).is_ok()));
        layers.push(LayerHeader {
            name: keys.name,
            kind: keys.kind,
            shape,
        });
    }
    // The first by name, so that the same file gives the same error (the crate lists the
    // tensors in a hash map's order).
    let mut stored = file.names();
    stored.sort_unstable();
    if let Some(extra) = stored.into_iter().find(|name| !used.contains(*name)) {
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
        preprocessing: None,
    };
    let file = ModelFile { header, values };
    crate::check_finite_values(&file)?;
    Ok(file)
}

/// The tensors of one layer to read.
#[derive(Debug)]
struct LayerKeys {
    /// The layer's name in nn (`dense1`, `batchnorm1`).
    name: String,
    kind: LayerKind,
    /// The keys of its tensors, in the order of [`LayerKind::tensor_names`].
    tensors: Vec<String>,
    /// The key of a tensor the layer may have that is read and ignored (a batch normalization's
    /// `num_batches_tracked`).
    ignored: Option<String>,
}

impl LayerKeys {
    /// The layer `name` of `kind` whose tensors are `<prefix>.weight`, ….
    fn of(prefix: &str, name: String, kind: LayerKind) -> Self {
        LayerKeys {
            name,
            kind,
            tensors: kind
                .tensor_names()
                .iter()
                .map(|tensor| format!("{prefix}.{tensor}"))
                .collect(),
            ignored: (kind == LayerKind::BatchNorm).then(|| format!("{prefix}.{BATCHES_TRACKED}")),
        }
    }
}

/// Reads the tensors of one layer into `values` (made, at the file's first tensor, of its
/// element type), checking each one's presence, shape and type; returns the layer's
/// `[outputs, inputs]`.
fn read_layer(
    file: &SafeTensors,
    keys: &LayerKeys,
    values: &mut Option<Values>,
) -> Result<[usize; 2], ModelError> {
    let mut shape = [0; 2];
    let mut views = Vec::with_capacity(keys.tensors.len());
    for (index, (key, &what)) in keys
        .tensors
        .iter()
        .zip(keys.kind.tensor_names())
        .enumerate()
    {
        let view = file.tensor(key).map_err(|_| ModelError::MissingTensor {
            name: key.clone(),
            what,
            layer: keys.name.clone(),
        })?;
        if index == 0 {
            shape = weight_shape(key, keys.kind, view.shape())?;
        } else if view.shape() != [shape[0]] {
            return Err(ModelError::TensorShape {
                name: key.clone(),
                found: view.shape().to_vec(),
                expected: vec![shape[0]],
            });
        }
        views.push(view);
    }
    let values = values.get_or_insert_with(|| match views[0].dtype() {
        Dtype::F64 => Values::empty(8),
        _ => Values::empty(4),
    });
    for (key, view) in keys.tensors.iter().zip(&views) {
        check_type(key, view.dtype(), values)?;
    }
    for (index, view) in views.iter().enumerate() {
        if index == 0 && keys.kind == LayerKind::Dense {
            append_column_major(values, view.data(), shape[0], shape[1]);
        } else {
            values.extend_from_le(view.data());
        }
    }
    Ok(shape)
}

/// The `[outputs, inputs]` of a layer whose weight (`key`) has shape `found`: a dense weight's
/// `[out, in]`, a normalization's `[N]` as `[N, N]`.
fn weight_shape(key: &str, kind: LayerKind, found: &[usize]) -> Result<[usize; 2], ModelError> {
    match (kind, found) {
        (LayerKind::Dense, &[outputs, inputs]) => Ok([outputs, inputs]),
        (LayerKind::Dense, _) => Err(ModelError::Malformed(format!(
            "tensor `{key}` has shape {found:?}, expected a weight matrix [out, in]"
        ))),
        (_, &[features]) => Ok([features, features]),
        (_, _) => Err(ModelError::Malformed(format!(
            "tensor `{key}` has shape {found:?}, expected a scale per feature [features]"
        ))),
    }
}

/// The layers to read, in order.
fn layer_keys(
    file: &SafeTensors,
    metadata: &HashMap<String, String>,
    names: TensorNames,
) -> Result<Vec<LayerKeys>, ModelError> {
    match names {
        TensorNames::Explicit(map) => Ok(map
            .iter()
            .enumerate()
            .map(|(index, &(weight, bias))| LayerKeys {
                name: format!("dense{}", index + 1),
                kind: LayerKind::Dense,
                tensors: vec![weight.to_owned(), bias.to_owned()],
                ignored: None,
            })
            .collect()),
        TensorNames::Auto => match metadata.get(LAYERS) {
            Some(layers) => listed(layers, metadata.get(KINDS)),
            None => numbered(file),
        },
    }
}

/// The layers the metadata lists (`layers`), of the kinds it lists (`kinds`; all dense without
/// it), each named as its tensors' prefix.
fn listed(layers: &str, kinds: Option<&String>) -> Result<Vec<LayerKeys>, ModelError> {
    let names: Vec<&str> = layers.split(',').collect();
    let kinds = match kinds {
        None => vec![LayerKind::Dense; names.len()],
        Some(kinds) => {
            let kinds = kinds
                .split(',')
                .map(kind_named)
                .collect::<Result<Vec<_>, _>>()?;
            if kinds.len() != names.len() {
                return Err(ModelError::Malformed(format!(
                    "the metadata lists {} layers and {} layer kinds",
                    names.len(),
                    kinds.len()
                )));
            }
            kinds
        }
    };
    Ok(names
        .into_iter()
        .zip(kinds)
        .map(|(name, kind)| LayerKeys::of(name, name.to_owned(), kind))
        .collect())
}

/// The layer kind `name` names in metadata (`dense`, `layer_norm`, `batch_norm`).
fn kind_named(name: &str) -> Result<LayerKind, ModelError> {
    [LayerKind::Dense, LayerKind::LayerNorm, LayerKind::BatchNorm]
        .into_iter()
        .find(|kind| kind.name() == name)
        .ok_or_else(|| {
            ModelError::Malformed(format!(
                "the metadata lists a layer of kind `{name}`, expected `dense`, `layer_norm` or `batch_norm`"
            ))
        })
}

/// The modules of a file without nn's metadata, in the numeric order of their keys: each
/// `<prefix>.weight` a dense layer when 2-D, a normalization when 1-D (batch normalization when
/// the module has running statistics), named by kind and order as `network!` names fields.
fn numbered(file: &SafeTensors) -> Result<Vec<LayerKeys>, ModelError> {
    let has = |prefix: &str, tensor: &str| file.tensor(&format!("{prefix}.{tensor}")).is_ok();
    let mut numbered = Vec::new();
    for name in file.names() {
        let Some(prefix) = name.strip_suffix(".weight") else {
            continue;
        };
        let rank = file.tensor(name).map_or(0, |tensor| tensor.shape().len());
        let kind = match rank {
            2 => LayerKind::Dense,
            1 if ["running_mean", "running_var", BATCHES_TRACKED]
                .iter()
                .any(|tensor| has(prefix, tensor)) =>
            {
                LayerKind::BatchNorm
            }
            1 => LayerKind::LayerNorm,
            // Not a layer nn has: left for the check of extra tensors.
            _ => continue,
        };
        let position = prefix
            .rsplit('.')
            .next()
            .and_then(|last| last.parse::<u64>().ok())
            .ok_or_else(|| {
                ModelError::Malformed(format!(
                    "tensor `{name}` is not numbered as nn.Sequential numbers its modules, so the layer order is unknown; give the tensor names explicitly"
                ))
            })?;
        numbered.push((position, prefix.to_owned(), kind));
    }
    numbered.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    let mut counts = [0usize; 3];
    Ok(numbered
        .into_iter()
        .map(|(_, prefix, kind)| {
            let (field, index) = match kind {
                LayerKind::Dense => ("dense", 0),
                LayerKind::LayerNorm => ("layernorm", 1),
                LayerKind::BatchNorm => ("batchnorm", 2),
            };
            counts[index] += 1;
            LayerKeys::of(&prefix, format!("{field}{}", counts[index]), kind)
        })
        .collect())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(name: &str, kind: LayerKind, shape: [usize; 2]) -> LayerHeader {
        LayerHeader {
            name: name.into(),
            kind,
            shape,
        }
    }

    /// A header with every kind of layer: 3 → 4 → batch norm → 5 → layer norm → 2.
    fn all_kinds() -> Header {
        Header {
            network: "Normed".into(),
            scalar: "f64".into(),
            layers: vec![
                layer("dense1", LayerKind::Dense, [4, 3]),
                layer("batchnorm1", LayerKind::BatchNorm, [4, 4]),
                layer("dense2", LayerKind::Dense, [5, 4]),
                layer("layernorm1", LayerKind::LayerNorm, [5, 5]),
                layer("dense3", LayerKind::Dense, [2, 5]),
            ],
            preprocessing: None,
        }
    }

    /// `count` distinct values.
    fn values(count: usize) -> Vec<f64> {
        (0..count).map(|i| 0.25 + i as f64 * 0.5).collect()
    }

    fn le_bytes(values: &[f64]) -> Vec<u8> {
        values.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    /// A tensor to store: its name, type, shape and little-endian values.
    type Tensor = (&'static str, Dtype, Vec<usize>, Vec<u8>);

    /// A file of `tensors` without metadata, as PyTorch saves one.
    fn pytorch_file(tensors: &[Tensor]) -> Vec<u8> {
        let views = tensors
            .iter()
            .map(|(name, dtype, shape, data)| {
                let view = TensorView::new(*dtype, shape.clone(), data).unwrap();
                (name.to_string(), view)
            })
            .collect::<Vec<_>>();
        safetensors::tensor::serialize(views, None).unwrap()
    }

    #[test]
    fn every_kind_of_layer_round_trips_with_pytorchs_names_and_shapes() {
        let header = all_kinds();
        let values = values(header.value_count().unwrap());
        let bytes = encode(&header, &le_bytes(&values)).unwrap();
        let file = decode(&bytes, TensorNames::Auto).unwrap();
        assert_eq!(file.header, header);
        assert_eq!(file.values, Values::F64(values.clone()));

        let stored = SafeTensors::deserialize(&bytes).unwrap();
        let mut names: Vec<_> = stored
            .tensors()
            .into_iter()
            .map(|(name, view)| (name, view.shape().to_vec()))
            .collect();
        names.sort();
        let expected = [
            ("batchnorm1.bias", vec![4]),
            ("batchnorm1.running_mean", vec![4]),
            ("batchnorm1.running_var", vec![4]),
            ("batchnorm1.weight", vec![4]),
            ("dense1.bias", vec![4]),
            ("dense1.weight", vec![4, 3]),
            ("dense2.bias", vec![5]),
            ("dense2.weight", vec![5, 4]),
            ("dense3.bias", vec![2]),
            ("dense3.weight", vec![2, 5]),
            ("layernorm1.bias", vec![5]),
            ("layernorm1.weight", vec![5]),
        ]
        .map(|(name, shape)| (name.to_owned(), shape));
        assert_eq!(names, expected);
        // The dense weight row-major: row 1 of dense1 is its weights from each input to output
        // 1, at column-major indices 1, 5, 9.
        let weight = stored.tensor("dense1.weight").unwrap();
        assert_eq!(
            weight.data()[3 * 8..6 * 8],
            le_bytes(&[values[1], values[5], values[9]])
        );
        // Batch norm's tensors follow dense1's 12 + 4 values in file order.
        let running_var = stored.tensor("batchnorm1.running_var").unwrap();
        assert_eq!(running_var.data(), le_bytes(&values[16 + 12..16 + 16]));

        let (_, metadata) = SafeTensors::read_metadata(&bytes).unwrap();
        let metadata = metadata.metadata().clone().unwrap();
        assert_eq!(
            metadata[LAYERS],
            "dense1,batchnorm1,dense2,layernorm1,dense3"
        );
        assert_eq!(metadata[KINDS], "dense,batch_norm,dense,layer_norm,dense");
    }

    #[test]
    fn a_dense_network_writes_no_kinds_and_files_without_kinds_read_as_dense() {
        let mut header = all_kinds();
        header.layers = vec![layer("dense1", LayerKind::Dense, [2, 3])];
        let values = values(8);
        let bytes = encode(&header, &le_bytes(&values)).unwrap();
        let (_, metadata) = SafeTensors::read_metadata(&bytes).unwrap();
        assert!(!metadata.metadata().as_ref().unwrap().contains_key(KINDS));
        assert_eq!(decode(&bytes, TensorNames::Auto).unwrap().header, header);
    }

    #[test]
    fn encoding_too_few_or_too_many_values_is_an_error() {
        let header = all_kinds();
        let values = le_bytes(&values(header.value_count().unwrap()));
        let error = encode(&header, &values[..values.len() - 8]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the model file is malformed: the values end before the bias of layer `dense3`"
        );
        let mut long = values.clone();
        long.extend([0; 8]);
        assert!(matches!(
            encode(&header, &long),
            Err(ModelError::Malformed(_))
        ));
    }

    /// The tensors of a PyTorch `nn.Sequential(Linear(3, 4), BatchNorm1d(4), ReLU(),
    /// Linear(4, 5), LayerNorm(5), Linear(5, 2))` in float64, with the values `values(48)` in
    /// nn's file order.
    fn sequential() -> Vec<Tensor> {
        let v = values(all_kinds().value_count().unwrap());
        // Row-major [out, in] from nn's column-major values at `offset`.
        let matrix = |offset: usize, outputs: usize, inputs: usize| {
            let rows: Vec<f64> = (0..outputs)
                .flat_map(|o| (0..inputs).map(move |i| (o, i)))
                .map(|(o, i)| v[offset + i * outputs + o])
                .collect();
            le_bytes(&rows)
        };
        let vector = |offset: usize, len: usize| le_bytes(&v[offset..offset + len]);
        vec![
            ("0.weight", Dtype::F64, vec![4, 3], matrix(0, 4, 3)),
            ("0.bias", Dtype::F64, vec![4], vector(12, 4)),
            ("1.weight", Dtype::F64, vec![4], vector(16, 4)),
            ("1.bias", Dtype::F64, vec![4], vector(20, 4)),
            ("1.running_mean", Dtype::F64, vec![4], vector(24, 4)),
            ("1.running_var", Dtype::F64, vec![4], vector(28, 4)),
            (
                "1.num_batches_tracked",
                Dtype::I64,
                vec![],
                3i64.to_le_bytes().to_vec(),
            ),
            ("3.weight", Dtype::F64, vec![5, 4], matrix(32, 5, 4)),
            ("3.bias", Dtype::F64, vec![5], vector(52, 5)),
            ("4.weight", Dtype::F64, vec![5], vector(57, 5)),
            ("4.bias", Dtype::F64, vec![5], vector(62, 5)),
            ("5.weight", Dtype::F64, vec![2, 5], matrix(67, 2, 5)),
            ("5.bias", Dtype::F64, vec![2], vector(77, 2)),
        ]
    }

    #[test]
    fn a_pytorch_sequential_reads_its_layers_by_kind_in_numeric_order() {
        let file = decode(&pytorch_file(&sequential()), TensorNames::Auto).unwrap();
        let mut expected = all_kinds();
        expected.network = String::new();
        assert_eq!(file.header, expected);
        assert_eq!(
            file.values,
            Values::F64(values(expected.value_count().unwrap()))
        );
    }

    #[test]
    fn numbers_order_numerically_and_each_kind_is_counted_apart() {
        // Modules 2 and 10: 10 comes after 2, though "10" sorts before "2" as text.
        let file = pytorch_file(&[
            ("10.weight", Dtype::F32, vec![3], vec![0; 12]),
            ("10.bias", Dtype::F32, vec![3], vec![0; 12]),
            ("2.weight", Dtype::F32, vec![3, 1], vec![0; 12]),
            ("2.bias", Dtype::F32, vec![3], vec![0; 12]),
            ("11.weight", Dtype::F32, vec![3], vec![0; 12]),
            ("11.bias", Dtype::F32, vec![3], vec![0; 12]),
        ]);
        let header = decode(&file, TensorNames::Auto).unwrap().header;
        let names: Vec<_> = header
            .layers
            .iter()
            .map(|layer| (layer.name.as_str(), layer.kind))
            .collect();
        assert_eq!(
            names,
            [
                ("dense1", LayerKind::Dense),
                ("layernorm1", LayerKind::LayerNorm),
                ("layernorm2", LayerKind::LayerNorm)
            ]
        );
        assert_eq!(header.scalar, "f32");
    }

    #[test]
    fn a_missing_running_variance_is_named_with_its_layer() {
        let mut tensors = sequential();
        tensors.retain(|(name, ..)| *name != "1.running_var");
        let error = decode(&pytorch_file(&tensors), TensorNames::Auto).unwrap_err();
        assert!(
            matches!(
                &error,
                ModelError::MissingTensor { name, what: "running_var", layer }
                    if name == "1.running_var" && layer == "batchnorm1"
            ),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            "the file has no tensor `1.running_var`, expected the running_var of layer `batchnorm1`"
        );
    }

    #[test]
    fn wrong_shapes_types_and_extra_tensors_of_normalization_layers_are_errors() {
        let edited = |edit: &dyn Fn(&mut Vec<Tensor>)| {
            let mut tensors = sequential();
            edit(&mut tensors);
            decode(&pytorch_file(&tensors), TensorNames::Auto).unwrap_err()
        };
        let short_mean = edited(&|tensors| {
            let mean = tensors
                .iter_mut()
                .find(|t| t.0 == "1.running_mean")
                .unwrap();
            mean.2 = vec![3];
            mean.3.truncate(24);
        });
        assert_eq!(
            short_mean.to_string(),
            "tensor `1.running_mean` has shape [3] in the file, expected [4]"
        );
        let single = edited(&|tensors| {
            let shift = tensors.iter_mut().find(|t| t.0 == "4.bias").unwrap();
            shift.1 = Dtype::F32;
            shift.3.truncate(20);
        });
        assert_eq!(
            single.to_string(),
            "tensor `4.bias` holds F32 values, expected F64, as the file's first weight"
        );
        let matrix_scale = edited(&|tensors| {
            let scale = tensors.iter_mut().find(|t| t.0 == "4.weight").unwrap();
            scale.0 = "4.running_mean";
        });
        // `4` has running statistics but no weight now: its bias is left over.
        assert!(
            matches!(&matrix_scale, ModelError::ExtraTensor { name } if name == "4.bias"),
            "{matrix_scale}"
        );
        let extra = edited(&|tensors| {
            tensors.push(("1.momentum", Dtype::F64, vec![1], vec![0; 8]));
        });
        assert!(
            matches!(&extra, ModelError::ExtraTensor { name } if name == "1.momentum"),
            "{extra}"
        );
    }

    #[test]
    fn metadata_kinds_must_be_known_and_one_per_layer() {
        let header = all_kinds();
        let values = le_bytes(&values(header.value_count().unwrap()));
        let bytes = encode(&header, &values).unwrap();
        let with_kinds = |kinds: &str| {
            let file = SafeTensors::deserialize(&bytes).unwrap();
            let (_, metadata) = SafeTensors::read_metadata(&bytes).unwrap();
            let mut metadata = metadata.metadata().clone().unwrap();
            metadata.insert(KINDS.into(), kinds.into());
            let views = file.tensors();
            let edited = safetensors::tensor::serialize(views, Some(metadata)).unwrap();
            decode(&edited, TensorNames::Auto)
        };
        assert!(with_kinds("dense,batch_norm,dense,layer_norm,dense").is_ok());
        let error = with_kinds("dense,batch_norm,dense,dense").unwrap_err();
        assert_eq!(
            error.to_string(),
            "the model file is malformed: the metadata lists 5 layers and 4 layer kinds"
        );
        let error = with_kinds("dense,group_norm,dense,layer_norm,dense").unwrap_err();
        assert!(error.to_string().contains("`group_norm`"), "{error}");
        // Read as dense, the batch norm's weight is not a matrix.
        let error = with_kinds("dense,dense,dense,layer_norm,dense").unwrap_err();
        assert_eq!(
            error.to_string(),
            "the model file is malformed: tensor `batchnorm1.weight` has shape [4], expected a weight matrix [out, in]"
        );
    }
}
