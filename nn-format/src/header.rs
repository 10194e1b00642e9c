//! What a model file says about its network before the values: name, scalar type and layers.

use serde::{Deserialize, Serialize};

use crate::ModelError;

/// The format tag of both formats: the JSON document's `format` and the binary file's magic bytes.
pub const FORMAT: &str = "nn-model";
/// The format version written, and the only one read.
pub const VERSION: u32 = 1;

/// A header as stored in a file: what it claims to hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// The network's declared name.
    pub network: String,
    /// The element type: `f32` or `f64`.
    pub scalar: String,
    /// The dense layers, in order.
    pub layers: Vec<LayerHeader>,
}

/// One dense layer of a header: its name and `[outputs, inputs]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerHeader {
    /// The layer's field name (`dense1`).
    pub name: String,
    /// `[outputs, inputs]`: the weight's rows and columns.
    pub shape: [usize; 2],
}

impl Header {
    /// The number of values the header's layers hold (weights and biases), or `None` when it
    /// overflows.
    pub fn value_count(&self) -> Option<usize> {
        self.layers.iter().try_fold(0usize, |total, layer| {
            let [outputs, inputs] = layer.shape;
            total.checked_add(outputs.checked_mul(inputs)?.checked_add(outputs)?)
        })
    }

    /// The size in bytes of one value of the header's scalar type.
    pub fn scalar_size(&self) -> Result<usize, ModelError> {
        match self.scalar.as_str() {
            "f32" => Ok(4),
            "f64" => Ok(8),
            other => Err(ModelError::Malformed(format!(
                "unknown scalar type `{other}`, expected `f32` or `f64`"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xor() -> Header {
        Header {
            network: "Xor".into(),
            scalar: "f32".into(),
            layers: vec![
                LayerHeader {
                    name: "dense1".into(),
                    shape: [4, 2],
                },
                LayerHeader {
                    name: "dense2".into(),
                    shape: [1, 4],
                },
            ],
        }
    }

    #[test]
    fn a_header_counts_its_values_and_sizes_its_scalar() {
        let header = xor();
        assert_eq!(header.value_count(), Some(4 * 2 + 4 + 4 + 1));
        assert_eq!(header.scalar_size().unwrap(), 4);
    }

    #[test]
    fn huge_shapes_do_not_overflow_and_unknown_scalars_are_errors() {
        let mut header = xor();
        header.layers[0].shape = [usize::MAX, 2];
        assert_eq!(header.value_count(), None);
        header.scalar = "f16".into();
        assert!(header.scalar_size().is_err());
    }
}
