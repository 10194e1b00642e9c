//! What a model file says about its network before the values: name, scalar type and layers.

use serde::{Deserialize, Serialize};

use super::ModelError;
use crate::{Float, LayerShape, Network};

/// The format tag of both formats: the JSON document's `format` and the binary file's magic bytes.
pub(crate) const FORMAT: &str = "nn-model";
/// The format version written, and the only one read.
pub(crate) const VERSION: u32 = 1;

/// The network a file must hold to be loaded: the declared name, scalar type and dense layers.
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

/// A header as stored in a file: what it claims to hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Header {
    pub network: String,
    pub scalar: String,
    pub layers: Vec<LayerHeader>,
}

/// One dense layer of a header: its name and `[outputs, inputs]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LayerHeader {
    pub name: String,
    pub shape: [usize; 2],
}

impl Header {
    /// The header describing `layout`.
    pub fn describe(layout: Layout) -> Self {
        Header {
            network: layout.network.to_owned(),
            scalar: layout.scalar.to_owned(),
            layers: layout
                .layers
                .iter()
                .map(|layer| LayerHeader {
                    name: layer.name.to_owned(),
                    shape: [layer.outputs, layer.inputs],
                })
                .collect(),
        }
    }

    /// Checks that the header describes `layout`: network name, scalar type, layer count, then
    /// each layer's name and shape, reporting the first difference.
    pub fn check(&self, layout: Layout) -> Result<(), ModelError> {
        if self.network != layout.network {
            return Err(ModelError::Network {
                found: self.network.clone(),
                expected: layout.network,
            });
        }
        if self.scalar != layout.scalar {
            return Err(ModelError::Scalar {
                found: self.scalar.clone(),
                expected: layout.scalar,
            });
        }
        if self.layers.len() != layout.layers.len() {
            return Err(ModelError::LayerCount {
                found: self.layers.len(),
                expected: layout.layers.len(),
            });
        }
        for (index, (found, expected)) in self.layers.iter().zip(layout.layers).enumerate() {
            if found.name != expected.name {
                return Err(ModelError::LayerName {
                    index,
                    found: found.name.clone(),
                    expected: expected.name,
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

    const LAYERS: &[LayerShape] = &[
        LayerShape {
            name: "dense1",
            outputs: 4,
            inputs: 2,
        },
        LayerShape {
            name: "dense2",
            outputs: 1,
            inputs: 4,
        },
    ];
    const XOR: Layout = Layout {
        network: "Xor",
        scalar: "f32",
        layers: LAYERS,
    };

    #[test]
    fn a_header_matches_the_layout_it_describes_and_counts_its_values() {
        let header = Header::describe(XOR);
        assert!(header.check(XOR).is_ok());
        assert_eq!(header.value_count(), Some(4 * 2 + 4 + 4 + 1));
        assert_eq!(header.scalar_size().unwrap(), 4);
    }

    #[test]
    fn each_difference_is_reported_with_both_sides() {
        let mut header = Header::describe(XOR);
        header.layers[1].shape = [2, 4];
        let message = header.check(XOR).unwrap_err().to_string();
        assert_eq!(
            message,
            "layer `dense2` has shape 2×4 in the file, expected 1×4"
        );
        header.layers[0].name = "hidden".into();
        let message = header.check(XOR).unwrap_err().to_string();
        assert!(message.contains("`hidden`") && message.contains("`dense1`"));
        header.layers.pop();
        assert!(matches!(
            header.check(XOR),
            Err(ModelError::LayerCount {
                found: 1,
                expected: 2
            })
        ));
        header.scalar = "f64".into();
        assert!(matches!(header.check(XOR), Err(ModelError::Scalar { .. })));
        header.network = "Digits".into();
        let message = header.check(XOR).unwrap_err().to_string();
        assert_eq!(
            message,
            "the model file holds network `Digits`, expected `Xor`"
        );
    }

    #[test]
    fn huge_shapes_do_not_overflow_and_unknown_scalars_are_errors() {
        let mut header = Header::describe(XOR);
        header.layers[0].shape = [usize::MAX, 2];
        assert_eq!(header.value_count(), None);
        header.scalar = "f16".into();
        assert!(header.scalar_size().is_err());
    }
}
