//! The network a model file must hold to be loaded, and the check of a file's header against it.

use nn_format::{Header, LayerHeader};

use super::ModelError;
use crate::{Float, LayerKind, LayerShape, Network};

/// The network a file must hold to be loaded: the declared name, scalar type and layers.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Layout {
    pub network: &'static str,
    pub scalar: &'static str,
    pub layers: &'static [LayerShape],
}

impl Layout {
    /// The layout of `N`.
    pub fn of<N: Network<IN, OUT>, const IN: usize, const OUT: usize>() -> Self {
        Layout {
            network: N::NAME,
            scalar: <N::Scalar as Float>::NAME,
            layers: N::LAYERS,
        }
    }
}

impl Layout {
    /// The header describing this layout.
    pub fn header(self) -> Header {
        Header {
            network: self.network.to_owned(),
            scalar: self.scalar.to_owned(),
            layers: self
                .layers
                .iter()
                .map(|layer| LayerHeader {
                    name: layer.name.to_owned(),
                    kind: file_kind(layer.kind),
                    shape: [layer.outputs, layer.inputs],
                })
                .collect(),
            preprocessing: None,
        }
    }
}

/// Checks that `header` describes `layout`: network name (unless the file names none, as a
/// safetensors file from PyTorch), scalar type, layer count, then each layer's name and shape,
/// reporting the first difference.
pub(crate) fn check(header: &Header, layout: Layout) -> Result<(), ModelError> {
    if !header.network.is_empty() && header.network != layout.network {
        return Err(ModelError::Network {
            found: header.network.clone(),
            expected: layout.network,
        });
    }
    if header.scalar != layout.scalar {
        return Err(ModelError::Scalar {
            found: header.scalar.clone(),
            expected: layout.scalar,
        });
    }
    if header.layers.len() != layout.layers.len() {
        return Err(ModelError::LayerCount {
            found: header.layers.len(),
            expected: layout.layers.len(),
        });
    }
    for (index, (found, expected)) in header.layers.iter().zip(layout.layers).enumerate() {
        if found.name != expected.name {
            return Err(ModelError::LayerName {
                index,
                found: found.name.clone(),
                expected: expected.name,
            });
        }
        if found.kind != file_kind(expected.kind) {
            return Err(ModelError::LayerKind {
                layer: expected.name,
                found: found.kind.name(),
                expected: expected.kind.name(),
            });
        }
        let shape = [expected.outputs, expected.inputs];
        if found.shape != shape {
            return Err(ModelError::LayerShape {
                layer: expected.name,
                found: found.shape,
                expected: shape,
            });
        }
    }
    Ok(())
}

/// A layer kind as model files write it.
pub(crate) fn file_kind(kind: LayerKind) -> nn_format::LayerKind {
    match kind {
        LayerKind::Dense => nn_format::LayerKind::Dense,
        LayerKind::LayerNorm => nn_format::LayerKind::LayerNorm,
        LayerKind::BatchNorm => nn_format::LayerKind::BatchNorm,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAYERS: &[LayerShape] = &[
        LayerShape::dense("dense1", 4, 2),
        LayerShape {
            name: "batchnorm1",
            kind: LayerKind::BatchNorm,
            outputs: 4,
            inputs: 4,
        },
        LayerShape::dense("dense2", 1, 4),
    ];
    const XOR: Layout = Layout {
        network: "Xor",
        scalar: "f32",
        layers: LAYERS,
    };

    #[test]
    fn a_header_matches_the_layout_it_describes() {
        let header = XOR.header();
        assert!(check(&header, XOR).is_ok());
        assert_eq!(header.value_count(), Some(4 * 2 + 4 + 4 * 4 + 4 + 1));
    }

    #[test]
    fn a_layer_of_another_kind_is_named_with_both_kinds() {
        let mut header = XOR.header();
        header.layers[1].kind = nn_format::LayerKind::LayerNorm;
        let message = check(&header, XOR).unwrap_err().to_string();
        assert_eq!(
            message,
            "layer `batchnorm1` is a `layer_norm` layer in the file, expected `batch_norm`"
        );
    }

    #[test]
    fn each_difference_is_reported_with_both_sides() {
        let mut header = XOR.header();
        header.layers[2].shape = [2, 4];
        let message = check(&header, XOR).unwrap_err().to_string();
        assert_eq!(
            message,
            "layer `dense2` has shape 2×4 in the file, expected 1×4"
        );
        header.layers[0].name = "hidden".into();
        let message = check(&header, XOR).unwrap_err().to_string();
        assert!(message.contains("`hidden`") && message.contains("`dense1`"));
        header.layers.pop();
        assert!(matches!(
            check(&header, XOR),
            Err(ModelError::LayerCount {
                found: 2,
                expected: 3
            })
        ));
        header.scalar = "f64".into();
        assert!(matches!(
            check(&header, XOR),
            Err(ModelError::Scalar { .. })
        ));
        header.network = "Digits".into();
        let message = check(&header, XOR).unwrap_err().to_string();
        assert_eq!(
            message,
            "the model file holds network `Digits`, expected `Xor`"
        );
    }
}
