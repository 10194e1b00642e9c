//! The JSON format: a readable document with the header fields and, per layer, its name, shape,
//! weight (column-major) and bias. Written and read with serde_json, whose `float_roundtrip`
//! parsing gives back every value bit for bit.

use serde::{Deserialize, Serialize};

use super::ModelError;
use super::header::{FORMAT, Header, LayerHeader, Layout, VERSION};
use super::tensors::{check_finite, non_finite, tensor_name, visit, visit_mut};
use crate::{Network, TensorKind};

/// A model file in JSON, as written and read.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document<T> {
    format: String,
    version: u32,
    network: String,
    scalar: String,
    layers: Vec<Layer<T>>,
}

/// One dense layer: its name, `[outputs, inputs]`, column-major weight and bias.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Layer<T> {
    name: String,
    shape: [usize; 2],
    weight: Vec<T>,
    bias: Vec<T>,
}

/// Writes `network` as a pretty-printed JSON document. Fails on a NaN or infinite value.
pub(crate) fn write<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    network: &N,
) -> Result<String, ModelError> {
    check_finite(network)?;
    let layout = Layout::of::<N, IN, OUT>();
    let mut layers = Vec::with_capacity(layout.layers.len());
    visit(network, |layer, kind, values| match kind {
        TensorKind::Weight => layers.push(Layer {
            name: layer.name.to_owned(),
            shape: [layer.outputs, layer.inputs],
            weight: values.to_vec(),
            bias: Vec::new(),
        }),
        TensorKind::Bias => {
            if let Some(last) = layers.last_mut() {
                last.bias = values.to_vec();
            }
        }
    });
    let document = Document {
        format: FORMAT.to_owned(),
        version: VERSION,
        network: layout.network.to_owned(),
        scalar: layout.scalar.to_owned(),
        layers,
    };
    serde_json::to_string_pretty(&document)
        .map_err(|error| ModelError::Malformed(error.to_string()))
}

/// Reads a JSON document into a new `N`, after checking every field against `N`.
pub(crate) fn read<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    text: &str,
) -> Result<N, ModelError> {
    let document: Document<N::Scalar> =
        serde_json::from_str(text).map_err(|error| ModelError::Syntax {
            line: error.line(),
            column: error.column(),
            message: error.to_string(),
        })?;
    if document.format != FORMAT {
        return Err(ModelError::Format {
            found: document.format.escape_debug().to_string(),
            expected: FORMAT,
        });
    }
    if document.version != VERSION {
        return Err(ModelError::Version {
            found: u64::from(document.version),
            expected: VERSION,
        });
    }
    let header = Header {
        network: document.network,
        scalar: document.scalar,
        layers: document
            .layers
            .iter()
            .map(|layer| LayerHeader {
                name: layer.name.clone(),
                shape: layer.shape,
            })
            .collect(),
    };
    header.check(Layout::of::<N, IN, OUT>())?;

    let mut network = N::zeros();
    let mut sources = document
        .layers
        .iter()
        .flat_map(|layer| [&layer.weight, &layer.bias]);
    let mut error = None;
    visit_mut(&mut network, |layer, kind, target| {
        let Some(source) = sources.next() else { return };
        if error.is_some() {
            return;
        }
        if source.len() != target.len() {
            error = Some(ModelError::ValueCount {
                layer: layer.name,
                tensor: tensor_name(kind),
                found: source.len(),
                expected: target.len(),
            });
        } else if let Some(not_finite) = non_finite(layer, kind, source) {
            error = Some(not_finite);
        } else {
            target.copy_from_slice(source);
        }
    });
    error.map_or(Ok(network), Err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_unknown_and_malformed_fields_are_named() {
        let base = r#""format": "nn-model", "version": 1, "network": "T", "scalar": "f32""#;
        let cases = [
            (format!("{{{base}}}"), "missing field `layers`"),
            (format!("{{{base}, \"extra\": 1}}"), "unknown field `extra`"),
            (
                format!(
                    "{{{base}, \"layers\": [{{\"name\": \"d\", \"shape\": [1], \"weight\": [], \"bias\": []}}]}}"
                ),
                "invalid length 1",
            ),
            (
                format!(
                    "{{{base}, \"layers\": [{{\"name\": \"d\", \"shape\": [1, 1], \"weight\": [1]}}]}}"
                ),
                "missing field `bias`",
            ),
        ];
        for (text, expected) in cases {
            let error = serde_json::from_str::<Document<f32>>(&text)
                .err()
                .unwrap()
                .to_string();
            assert!(error.contains(expected), "{error}");
        }
    }
}
