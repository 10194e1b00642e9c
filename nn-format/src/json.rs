//! The JSON format: a readable document with the header fields, any preprocessing section and,
//! per layer, its name, shape, weight (column-major) and bias. Written and read with serde_json,
//! whose `float_roundtrip` parsing gives back every value bit for bit.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::error::Category;

use crate::ModelError;
use crate::header::{FORMAT, Header, LayerHeader, LayerKind, VERSION};
use crate::preprocessing::{Preprocessing, check_version};

/// A model file in JSON, as written and read.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document<T> {
    /// The format tag, `nn-model`.
    pub format: String,
    /// The format version.
    pub version: u32,
    /// The network's declared name.
    pub network: String,
    /// The element type: `f32` or `f64`.
    pub scalar: String,
    /// The preprocessing saved with the network, if any (absent in files without it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preprocessing: Option<Preprocessing<T>>,
    /// The layers with parameters, in order.
    pub layers: Vec<Layer<T>>,
}

/// One layer: its name, kind, `[outputs, inputs]` and tensors (a dense weight column-major; a
/// normalization layer's scale and shift as `weight` and `bias`, and a batch normalization
/// layer's running statistics, as PyTorch names them).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layer<T> {
    /// The layer's field name (`dense1`).
    pub name: String,
    /// What the layer is; absent means `dense`.
    #[serde(default, skip_serializing_if = "LayerKind::is_dense")]
    pub kind: LayerKind,
    /// `[outputs, inputs]`.
    pub shape: [usize; 2],
    /// The weight (column-major) or scale.
    pub weight: Vec<T>,
    /// The bias or shift.
    pub bias: Vec<T>,
    /// A batch normalization layer's running mean.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub running_mean: Option<Vec<T>>,
    /// A batch normalization layer's running variance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub running_var: Option<Vec<T>>,
}

impl<T> Layer<T> {
    /// The tensors the document holds for this layer, by name, in file order.
    fn tensors(&self) -> [(&'static str, Option<&Vec<T>>); 4] {
        [
            ("weight", Some(&self.weight)),
            ("bias", Some(&self.bias)),
            ("running_mean", self.running_mean.as_ref()),
            ("running_var", self.running_var.as_ref()),
        ]
    }
}

impl<T> Document<T> {
    /// A document of the current format and version, without preprocessing (whatever `header`
    /// says of it: its values are set in [`preprocessing`](Self::preprocessing)).
    pub fn new(header: Header, values: impl IntoIterator<Item = Vec<Vec<T>>>) -> Self {
        let layers = header
            .layers
            .into_iter()
            .zip(values)
            .map(|(layer, tensors)| {
                let mut tensors = tensors.into_iter();
                Layer {
                    name: layer.name,
                    kind: layer.kind,
                    shape: layer.shape,
                    weight: tensors.next().unwrap_or_default(),
                    bias: tensors.next().unwrap_or_default(),
                    running_mean: tensors.next(),
                    running_var: tensors.next(),
                }
            })
            .collect();
        Document {
            format: FORMAT.to_owned(),
            version: VERSION,
            network: header.network,
            scalar: header.scalar,
            preprocessing: None,
            layers,
        }
    }

    /// What the document says about its network before the values.
    pub fn header(&self) -> Header {
        Header {
            network: self.network.clone(),
            scalar: self.scalar.clone(),
            layers: self
                .layers
                .iter()
                .map(|layer| LayerHeader {
                    name: layer.name.clone(),
                    kind: layer.kind,
                    shape: layer.shape,
                })
                .collect(),
            preprocessing: self.preprocessing.as_ref().map(Preprocessing::header),
        }
    }
}

impl<T: Copy> Document<T> {
    /// Every value in file order (per layer the weight, then the bias), after checking each
    /// tensor's length against its layer's shape.
    pub fn values(&self) -> Result<Vec<T>, ModelError> {
        let mut values = Vec::new();
        for layer in &self.layers {
            let header = LayerHeader {
                name: layer.name.clone(),
                kind: layer.kind,
                shape: layer.shape,
            };
            let expected = header.tensors().ok_or_else(|| {
                ModelError::Malformed(format!("layer `{}` is too large", layer.name))
            })?;
            for (name, found) in layer.tensors() {
                let length = expected
                    .iter()
                    .find(|(tensor, _)| *tensor == name)
                    .map(|&(_, length)| length);
                match (found, length) {
                    (Some(found), Some(expected)) if found.len() != expected => {
                        return Err(ModelError::ValueCount {
                            layer: layer.name.clone(),
                            tensor: name,
                            found: found.len(),
                            expected,
                        });
                    }
                    (Some(found), Some(_)) => values.extend_from_slice(found),
                    (None, Some(_)) => {
                        return Err(ModelError::Malformed(format!(
                            "layer `{}` has no `{name}`, which a `{}` layer holds",
                            layer.name,
                            layer.kind.name()
                        )));
                    }
                    (Some(_), None) => {
                        return Err(ModelError::Malformed(format!(
                            "layer `{}` has a `{name}`, which a `{}` layer does not hold",
                            layer.name,
                            layer.kind.name()
                        )));
                    }
                    (None, None) => {}
                }
            }
        }
        Ok(values)
    }
}

/// The byte order mark some editors put at the start of a UTF-8 file.
const BYTE_ORDER_MARK: char = '\u{feff}';

/// Parses a JSON document with values of type `T`, checking its syntax, format tag and version,
/// and the version of any preprocessing section. A leading UTF-8 byte order mark is passed over.
///
/// Text that is not JSON, or ends early, is a [`ModelError::Syntax`]; JSON whose fields do not
/// make a model (a missing, unknown or repeated field, a value of the wrong type) is a
/// [`ModelError::Malformed`] naming the field.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<Document<T>, ModelError> {
    // Columns are then counted from the first character after the mark, which editors hide.
    let text = text.strip_prefix(BYTE_ORDER_MARK).unwrap_or(text);
    let document: Document<T> =
        serde_json::from_str(text).map_err(|error| document_error(&error))?;
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
    if let Some(section) = &document.preprocessing {
        check_version(section.version)?;
    }
    Ok(document)
}

/// The error for a document serde_json could not read: a [`ModelError::Syntax`] for text that is
/// not JSON or ends early, a [`ModelError::Malformed`] for JSON that does not fit the document
/// (serde_json's message names the field and where it is).
fn document_error(error: &serde_json::Error) -> ModelError {
    match error.classify() {
        Category::Data => ModelError::Malformed(error.to_string()),
        Category::Syntax | Category::Eof | Category::Io => ModelError::Syntax {
            line: error.line(),
            column: error.column(),
            message: error.to_string(),
        },
    }
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

    /// A valid document of one 1×1 dense layer, with `extra` spliced into its top-level object.
    fn document_with(extra: &str) -> String {
        format!(
            r#"{{"format": "nn-model", "version": 1, "network": "T", "scalar": "f32"{extra}, "layers": [{{"name": "d", "shape": [1, 1], "weight": [0.5], "bias": [0.25]}}]}}"#
        )
    }

    fn malformed(text: &str) -> String {
        match parse::<f32>(text) {
            Err(ModelError::Malformed(message)) => message,
            Err(other) => panic!("expected a malformed-file error, got {other:?}"),
            Ok(_) => panic!("accepted:\n{text}"),
        }
    }

    #[test]
    fn wrong_fields_in_valid_json_are_malformed_and_named() {
        assert!(parse::<f32>(&document_with("")).is_ok());
        let missing = document_with("").replace(r#""scalar": "f32", "#, "");
        assert!(malformed(&missing).contains("missing field `scalar`"));
        let unknown = malformed(&document_with(r#", "author": "x""#));
        assert!(unknown.contains("unknown field `author`"), "{unknown}");
        let duplicate = malformed(&document_with(r#", "network": "U""#));
        assert!(
            duplicate.contains("duplicate field `network`"),
            "{duplicate}"
        );
        let in_layer =
            document_with("").replace(r#""bias": [0.25]"#, r#""bias": [0.25], "bias": [1]"#);
        assert!(malformed(&in_layer).contains("duplicate field `bias`"));
    }

    #[test]
    fn broken_or_truncated_json_is_a_syntax_error() {
        let text = document_with("");
        for broken in [
            &text[..text.len() - 1],
            "",
            "{,}",
            &text.replacen(':', "", 1),
        ] {
            assert!(
                matches!(parse::<f32>(broken), Err(ModelError::Syntax { .. })),
                "{broken}"
            );
        }
    }

    #[test]
    fn a_leading_byte_order_mark_is_passed_over() {
        let text = document_with("");
        let marked = format!("\u{feff}{text}");
        let document = parse::<f32>(&marked).unwrap();
        assert_eq!(document.values().unwrap(), [0.5, 0.25]);
        // Only at the start: a mark anywhere else is not JSON.
        let inside = text.replacen('{', "{\u{feff}", 1);
        assert!(matches!(
            parse::<f32>(&inside),
            Err(ModelError::Syntax { .. })
        ));
    }
}
