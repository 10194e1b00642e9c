//! Export to ONNX: the inference graph of a network, per dense layer a `MatMul` and an `Add`
//! (`Y = X·W + b`, with the initializer `<layer>.weight` of shape `[in, out]`, the transpose of
//! PyTorch's `nn.Linear` weight, and `<layer>.bias` of shape `[out]`) followed by its activation's
//! operator; dropout, which inference skips, is left out. (`Gemm` would do in one node, but some
//! runtimes, tract among them, do not run it in `double`.)
//!
//! The graph takes `input`, `[batch, IN]`, and gives `output`, `[batch, OUT]`, in the network's
//! element type (`float` or `double`), `batch` being a symbolic size. Operator set 13.

mod proto;

use prost::Message;

use super::ModelError;
use super::binary::push_le;
use super::tensors::{check_finite, tensor_name, visit};
use crate::{Float, LayerActivation, Network, TensorKind};
use proto::{
    AttributeProto, DATA_DOUBLE, DATA_FLOAT, Dimension, FLOAT, GraphProto, INT, ModelProto,
    NodeProto, OperatorSetIdProto, TensorProto, TensorShapeProto, TensorType, TypeProto,
    ValueInfoProto,
};

/// The name of the graph's input.
pub const INPUT: &str = "input";
/// The name of the graph's output.
pub const OUTPUT: &str = "output";
/// The name of the symbolic batch size.
pub const BATCH: &str = "batch";
/// The ONNX IR version written.
const IR_VERSION: i64 = 7;
/// The version of the default operator set used.
const OPSET: i64 = 13;

/// Encodes `network` as an ONNX model. Fails on a NaN or infinite value.
pub(crate) fn write<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    network: &N,
) -> Result<Vec<u8>, ModelError> {
    check_finite(network)?;
    let data_type = match <N::Scalar as Float>::NAME {
        "f32" => DATA_FLOAT,
        _ => DATA_DOUBLE,
    };
    let mut initializer = Vec::new();
    visit(network, |layer, kind, values| {
        let mut raw_data = Vec::with_capacity(size_of_val(values));
        // Column-major `[out, in]` in nn is row-major `[in, out]`, as `MatMul` takes it.
        push_le(&mut raw_data, values);
        let dims = match kind {
            TensorKind::Weight => vec![layer.inputs as i64, layer.outputs as i64],
            _ => vec![layer.outputs as i64],
        };
        initializer.push(TensorProto {
            dims,
            data_type,
            name: format!("{}.{}", layer.name, tensor_name(kind)),
            raw_data,
        });
    });

    let mut node = Vec::new();
    let mut previous = INPUT.to_owned();
    let last = N::LAYERS.len() - 1;
    for (index, (layer, activation)) in N::LAYERS.iter().zip(N::ACTIVATIONS).enumerate() {
        let name = layer.name;
        let activated = if index == last {
            OUTPUT.to_owned()
        } else {
            name.to_owned()
        };
        let (op, attribute) =
            activation_op(*activation).ok_or_else(|| ModelError::UnsupportedActivation {
                layer: name.to_owned(),
                activation: format!("{activation:?}"),
                format: "ONNX",
            })?;
        let sum = match op {
            None => activated.clone(),
            Some(_) => format!("{name}.z"),
        };
        let product = format!("{name}.product");
        node.push(NodeProto {
            input: vec![previous.clone(), format!("{name}.weight")],
            output: vec![product.clone()],
            name: format!("{name}.matmul"),
            op_type: "MatMul".into(),
            attribute: Vec::new(),
        });
        node.push(NodeProto {
            input: vec![product, format!("{name}.bias")],
            output: vec![sum.clone()],
            name: format!("{name}.add"),
            op_type: "Add".into(),
            attribute: Vec::new(),
        });
        let product = sum;
        if let Some(op) = op {
            node.push(NodeProto {
                input: vec![product],
                output: vec![activated.clone()],
                name: format!("{name}.{}", op.to_lowercase()),
                op_type: op.into(),
                attribute,
            });
        }
        previous = activated;
    }

    let value = |name: &str, width: usize, doc: String| ValueInfoProto {
        name: name.into(),
        r#type: Some(TypeProto {
            tensor_type: Some(TensorType {
                elem_type: data_type,
                shape: Some(TensorShapeProto {
                    dim: vec![
                        Dimension {
                            dim_value: None,
                            dim_param: Some(BATCH.into()),
                        },
                        Dimension {
                            dim_value: Some(width as i64),
                            dim_param: None,
                        },
                    ],
                }),
            }),
        }),
        doc_string: doc,
    };
    let model = ModelProto {
        ir_version: IR_VERSION,
        producer_name: "nn".into(),
        producer_version: env!("CARGO_PKG_VERSION").into(),
        doc_string: format!("The network `{}` declared with nn's `network!`.", N::NAME),
        graph: Some(GraphProto {
            node,
            name: N::NAME.into(),
            initializer,
            input: vec![value(INPUT, IN, format!("{IN} values per sample"))],
            output: vec![value(OUTPUT, OUT, format!("{OUT} values per sample"))],
        }),
        opset_import: vec![OperatorSetIdProto {
            domain: String::new(),
            version: OPSET,
        }],
    };
    Ok(model.encode_to_vec())
}

/// The operator of an activation, with its attributes (no operator for the identity); `None`
/// for an activation without one.
#[allow(clippy::type_complexity)]
fn activation_op(
    activation: LayerActivation,
) -> Option<(Option<&'static str>, Vec<AttributeProto>)> {
    Some(match activation {
        LayerActivation::Identity => (None, Vec::new()),
        LayerActivation::Sigmoid => (Some("Sigmoid"), Vec::new()),
        LayerActivation::Tanh => (Some("Tanh"), Vec::new()),
        LayerActivation::Relu => (Some("Relu"), Vec::new()),
        LayerActivation::LeakyRelu { slope } => (
            Some("LeakyRelu"),
            vec![AttributeProto {
                name: "alpha".into(),
                f: Some(slope as f32),
                i: None,
                r#type: FLOAT,
            }],
        ),
        LayerActivation::Softmax => (Some("Softmax"), vec![int_attribute("axis", -1)]),
        _ => return None,
    })
}

fn int_attribute(name: &str, value: i64) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        f: None,
        i: Some(value),
        r#type: INT,
    }
}
