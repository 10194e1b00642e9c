//! What a model file says about its network before the values: name, scalar type and layers.

use serde::{Deserialize, Serialize};

use crate::ModelError;
use crate::preprocessing::PreprocessingHeader;

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
    /// The layers with parameters, in order.
    pub layers: Vec<LayerHeader>,
    /// The preprocessing saved with the network, if any (absent in files without it, which read
    /// and write as before); in a binary file its values follow the network's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preprocessing: Option<PreprocessingHeader>,
}

/// One layer with parameters: its name, kind and `[outputs, inputs]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerHeader {
    /// The layer's field name (`dense1`, `batchnorm1`).
    pub name: String,
    /// What the layer is; absent in files means `dense`, as every file before normalization
    /// layers.
    #[serde(default, skip_serializing_if = "LayerKind::is_dense")]
    pub kind: LayerKind,
    /// `[outputs, inputs]`: a dense weight's rows and columns; a normalization layer's features,
    /// twice.
    pub shape: [usize; 2],
}

/// What a layer with parameters is, and so which tensors it holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LayerKind {
    /// A weight `[outputs, inputs]` (column-major) and a bias `[outputs]`.
    #[default]
    Dense,
    /// A scale and a shift (PyTorch's `weight` and `bias`) per feature.
    LayerNorm,
    /// A scale, a shift, a running mean and a running variance per feature.
    BatchNorm,
}

impl LayerKind {
    /// Whether this is a dense layer (the kind a header leaves unwritten).
    pub fn is_dense(&self) -> bool {
        *self == LayerKind::Dense
    }

    /// The kind as files write it (`dense`, `layer_norm`, `batch_norm`).
    pub fn name(self) -> &'static str {
        match self {
            LayerKind::Dense => "dense",
            LayerKind::LayerNorm => "layer_norm",
            LayerKind::BatchNorm => "batch_norm",
        }
    }

    /// The names of the layer's tensors in file order, as PyTorch names them.
    pub fn tensor_names(self) -> &'static [&'static str] {
        match self {
            LayerKind::Dense | LayerKind::LayerNorm => &["weight", "bias"],
            LayerKind::BatchNorm => &["weight", "bias", "running_mean", "running_var"],
        }
    }
}

impl LayerHeader {
    /// Each tensor's name and number of values, in file order; `None` when a size overflows.
    pub fn tensors(&self) -> Option<Vec<(&'static str, usize)>> {
        let [outputs, inputs] = self.shape;
        let weight = match self.kind {
            LayerKind::Dense => outputs.checked_mul(inputs)?,
            _ => outputs,
        };
        Some(
            self.kind
                .tensor_names()
                .iter()
                .enumerate()
                .map(|(index, &name)| (name, if index == 0 { weight } else { outputs }))
                .collect(),
        )
    }

    /// The number of values the layer holds, or `None` when it overflows.
    pub fn value_count(&self) -> Option<usize> {
        self.tensors()?
            .iter()
            .try_fold(0usize, |total, &(_, len)| total.checked_add(len))
    }
}

impl Header {
    /// The number of values the header's layers hold (the preprocessing section's not
    /// included), or `None` when it overflows.
    pub fn value_count(&self) -> Option<usize> {
        self.layers.iter().try_fold(0usize, |total, layer| {
            total.checked_add(layer.value_count()?)
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
                    kind: LayerKind::Dense,
                    shape: [4, 2],
                },
                LayerHeader {
                    name: "batchnorm1".into(),
                    kind: LayerKind::BatchNorm,
                    shape: [4, 4],
                },
                LayerHeader {
                    name: "dense2".into(),
                    kind: LayerKind::Dense,
                    shape: [1, 4],
                },
            ],
            preprocessing: None,
        }
    }

    #[test]
    fn a_header_counts_its_values_and_sizes_its_scalar() {
        let header = xor();
        assert_eq!(header.value_count(), Some(4 * 2 + 4 + 4 * 4 + 4 + 1));
        // A dense layer's kind is left out, so files without normalization read as before.
        let text = serde_json::to_string(&header).unwrap();
        assert!(
            text.contains(r#"{"name":"dense1","shape":[4,2]}"#),
            "{text}"
        );
        assert!(text.contains(r#""kind":"batch_norm""#), "{text}");
        assert_eq!(serde_json::from_str::<Header>(&text).unwrap(), header);
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
