//! The compile-time check of weights baked in with `include_model!`: the file's network, element
//! type and layers against the frozen type's, evaluated while compiling. A mismatch is a compile
//! error in the words a model file loaded at run time gets (`ModelError`).

use const_panic::concat_panic;

use crate::LayerShape;

/// A network's name, element type and layers with parameters: what a model file holds, or what
/// a frozen network expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BakedLayout {
    /// The network's declared name.
    pub network: &'static str,
    /// The element type: `f32` or `f64`.
    pub scalar: &'static str,
    /// The layers with parameters, in order.
    pub layers: &'static [LayerShape],
}

/// Panics, while compiling when called in a constant, unless `found` (a file's layout) is
/// `expected`: network name (unless the file names none, as a safetensors file from PyTorch),
/// element type, layer count, then each layer's name and shape. The
/// message is the one `ModelError` gives for the first difference, and points at the caller.
#[track_caller]
pub const fn check_baked_layout(found: BakedLayout, expected: BakedLayout) {
    if !found.network.is_empty() && !same(found.network, expected.network) {
        concat_panic!(
            "the model file holds network `",
            display: found.network,
            "`, expected `",
            display: expected.network,
            "`"
        );
    }
    if !same(found.scalar, expected.scalar) {
        concat_panic!(
            "the model file holds ",
            display: found.scalar,
            " values, expected ",
            display: expected.scalar
        );
    }
    if found.layers.len() != expected.layers.len() {
        concat_panic!(
            "the model file has ",
            found.layers.len(),
            " layers, expected ",
            expected.layers.len()
        );
    }
    let mut index = 0;
    while index < found.layers.len() {
        let (file, network) = (found.layers[index], expected.layers[index]);
        if !same(file.name, network.name) {
            concat_panic!(
                "layer ",
                index,
                " is named `",
                display: file.name,
                "` in the file, expected `",
                display: network.name,
                "`"
            );
        }
        if !same(file.kind.name(), network.kind.name()) {
            concat_panic!(
                "layer `",
                display: network.name,
                "` is a `",
                display: file.kind.name(),
                "` layer in the file, expected `",
                display: network.kind.name(),
                "`"
            );
        }
        if file.outputs != network.outputs || file.inputs != network.inputs {
            concat_panic!(
                "layer `",
                display: network.name,
                "` has shape ",
                file.outputs,
                "×",
                file.inputs,
                " in the file, expected ",
                network.outputs,
                "×",
                network.inputs
            );
        }
        index += 1;
    }
}

/// String equality, usable in constants.
const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn layer(name: &'static str, outputs: usize, inputs: usize) -> LayerShape {
        LayerShape::dense(name, outputs, inputs)
    }

    const DENSE1: LayerShape = layer("dense1", 4, 2);
    const DENSE2: LayerShape = layer("dense2", 1, 4);
    const XOR: BakedLayout = BakedLayout {
        network: "Xor",
        scalar: "f32",
        layers: &[DENSE1, DENSE2],
    };

    // Evaluated while compiling: a matching layout passes.
    const _: () = check_baked_layout(XOR, XOR);

    /// The panic message of checking `found` against `XOR`.
    fn message(found: BakedLayout) -> String {
        let panic = std::panic::catch_unwind(|| check_baked_layout(found, XOR)).unwrap_err();
        panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap()
    }

    #[test]
    fn each_difference_is_named_with_both_sides() {
        let cases = [
            (
                BakedLayout {
                    network: "Digits",
                    ..XOR
                },
                "the model file holds network `Digits`, expected `Xor`",
            ),
            (
                BakedLayout {
                    scalar: "f64",
                    ..XOR
                },
                "the model file holds f64 values, expected f32",
            ),
            (
                BakedLayout {
                    layers: &[DENSE1],
                    ..XOR
                },
                "the model file has 1 layers, expected 2",
            ),
            (
                BakedLayout {
                    layers: &const { [layer("hidden", 4, 2), DENSE2] },
                    ..XOR
                },
                "layer 0 is named `hidden` in the file, expected `dense1`",
            ),
            (
                BakedLayout {
                    layers: &const { [DENSE1, layer("dense2", 2, 4)] },
                    ..XOR
                },
                "layer `dense2` has shape 2×4 in the file, expected 1×4",
            ),
            (
                BakedLayout {
                    layers: &const {
                        [
                            DENSE1,
                            LayerShape {
                                name: "dense2",
                                kind: crate::LayerKind::LayerNorm,
                                outputs: 1,
                                inputs: 4,
                            },
                        ]
                    },
                    ..XOR
                },
                "layer `dense2` is a `layer_norm` layer in the file, expected `dense`",
            ),
        ];
        for (found, expected) in cases {
            assert_eq!(message(found), expected);
        }
    }

    /// The words are those a model file loaded at run time gets.
    #[cfg(feature = "train")]
    #[test]
    fn the_words_are_model_errors() {
        use nn_format::ModelError;
        let cases = [
            (
                BakedLayout {
                    network: "Digits",
                    ..XOR
                },
                ModelError::Network {
                    found: "Digits".into(),
                    expected: "Xor",
                },
            ),
            (
                BakedLayout {
                    scalar: "f64",
                    ..XOR
                },
                ModelError::Scalar {
                    found: "f64".into(),
                    expected: "f32",
                },
            ),
            (
                BakedLayout {
                    layers: &[DENSE1],
                    ..XOR
                },
                ModelError::LayerCount {
                    found: 1,
                    expected: 2,
                },
            ),
            (
                BakedLayout {
                    layers: &const { [layer("hidden", 4, 2), DENSE2] },
                    ..XOR
                },
                ModelError::LayerName {
                    index: 0,
                    found: "hidden".into(),
                    expected: "dense1",
                },
            ),
            (
                BakedLayout {
                    layers: &const { [DENSE1, layer("dense2", 2, 4)] },
                    ..XOR
                },
                ModelError::LayerShape {
                    layer: "dense2",
                    found: [2, 4],
                    expected: [1, 4],
                },
            ),
            (
                BakedLayout {
                    layers: &const {
                        [
                            DENSE1,
                            LayerShape {
                                name: "dense2",
                                kind: crate::LayerKind::BatchNorm,
                                outputs: 1,
                                inputs: 4,
                            },
                        ]
                    },
                    ..XOR
                },
                ModelError::LayerKind {
                    layer: "dense2",
                    found: "batch_norm",
                    expected: "dense",
                },
            ),
        ];
        for (found, error) in cases {
            assert_eq!(message(found), error.to_string());
        }
    }
}
