//! Export to ONNX: the inference graph of a network, layer by layer, each layer's nodes followed
//! by those of its activation:
//!
//! * A dense layer: a `MatMul` and an `Add` (`Y = X·W + b`, with the initializer
//!   `<layer>.weight` of shape `[in, out]`, the transpose of PyTorch's `nn.Linear` weight, and
//!   `<layer>.bias` of shape `[out]`). (`Gemm` would do in one node, but some runtimes, tract
//!   among them, do not run it in `double`.)
//! * A `LayerNorm`: its formula, `(x − μ)·(1/√(σ² + ε))·γ + β` over each sample's features, in
//!   elementary operators (`LayerNormalization` needs operator set 17). A `BatchNorm`: the
//!   `BatchNormalization` operator in `float`; in `double`, whose `ε` that operator's `float`
//!   attribute would round, the same formula on its running statistics. Their nodes are named
//!   `<layer>.norm[.<step>]`; `γ` and `β` are the initializers `<layer>.weight` and
//!   `<layer>.bias`, a `BatchNorm`'s running statistics `<layer>.running_mean` and
//!   `<layer>.running_var` (PyTorch's unbiased variance), all of shape `[features]`, with
//!   PyTorch's names.
//! * The activation: its operator, or, for the activations operator set 13 lacks, their formula
//!   in several nodes named after the layer (`dense1.gelu.erf`).
//!
//! Dropout, which inference skips, is left out.
//!
//! The graph takes `input`, `[batch, IN]`, and gives `output`, `[batch, OUT]`, in the network's
//! element type (`float` or `double`), `batch` being a symbolic size. Operator set 13.

mod activation;
mod norm;
mod proto;

use prost::Message;

use super::ModelError;
use super::binary::push_le;
use super::tensors::{check_finite, tensor_name, visit};
use crate::{Float, LayerActivation, LayerKind, LayerShape, Network, TensorKind};
use proto::{
    AttributeProto, DATA_DOUBLE, DATA_FLOAT, Dimension, FLOAT, GraphProto, INT, INTS, ModelProto,
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

/// Encodes `network` as an ONNX model. Fails on a NaN or infinite value, on a user's activation,
/// which ONNX cannot express, and on a normalization layer whose `ε` the network does not give
/// (in [`Network::NORM_EPSILONS`], which `network!` fills).
pub(crate) fn write<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    network: &N,
) -> Result<Vec<u8>, ModelError> {
    check_finite(network)?;
    let data_type = match <N::Scalar as Float>::NAME {
        "f32" => DATA_FLOAT,
        _ => DATA_DOUBLE,
    };
    let mut graph = Graph {
        node: Vec::new(),
        initializer: Vec::new(),
        data_type,
    };
    visit(network, |layer, kind, values| {
        let mut raw_data = Vec::with_capacity(size_of_val(values));
        // Column-major `[out, in]` in nn is row-major `[in, out]`, as `MatMul` takes it.
        push_le(&mut raw_data, values);
        let dims = match kind {
            TensorKind::Weight => vec![layer.inputs as i64, layer.outputs as i64],
            _ => vec![layer.outputs as i64],
        };
        graph.initializer.push(TensorProto {
            dims,
            data_type,
            name: format!("{}.{}", layer.name, tensor_name(kind)),
            raw_data,
        });
    });

    let mut previous = INPUT.to_owned();
    let last = N::LAYERS.len() - 1;
    for (index, (layer, &activation)) in N::LAYERS.iter().zip(N::ACTIVATIONS).enumerate() {
        let name = layer.name;
        let activated = if index == last {
            OUTPUT.to_owned()
        } else {
            name.to_owned()
        };
        let sum = match activation {
            LayerActivation::Identity => activated.clone(),
            _ => format!("{name}.z"),
        };
        match layer.kind {
            LayerKind::Dense => dense(&mut graph, name, &previous, &sum),
            LayerKind::LayerNorm => {
                let epsilon = epsilon::<N, IN, OUT>(index, layer)?;
                norm::layer_norm(&mut graph, layer, epsilon, &previous, &sum);
            }
            LayerKind::BatchNorm => {
                let epsilon = epsilon::<N, IN, OUT>(index, layer)?;
                norm::batch_norm(&mut graph, layer, epsilon, &previous, &sum);
            }
        }
        activation::emit(&mut graph, name, activation, &sum, &activated)?;
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
            node: graph.node,
            name: N::NAME.into(),
            initializer: graph.initializer,
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

/// The `ε` of the normalization layer `layer`, the `index`th of [`Network::LAYERS`]: its entry
/// of [`Network::NORM_EPSILONS`]. Fails when the network gives none (a hand-written
/// implementation of [`Network`] that keeps the empty default), rather than guess one and write
/// a graph that computes something else.
fn epsilon<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    index: usize,
    layer: &LayerShape,
) -> Result<f64, ModelError> {
    N::NORM_EPSILONS
        .get(index)
        .copied()
        .ok_or(ModelError::MissingEpsilon {
            network: N::NAME,
            layer: layer.name,
            kind: layer.kind.name(),
            found: N::NORM_EPSILONS.len(),
            expected: N::LAYERS.len(),
            format: "ONNX",
        })
}

/// Appends the nodes of dense layer `layer` before its activation, from the value `input` to
/// `sum`: `<layer>.product = input·<layer>.weight` and `sum = <layer>.product + <layer>.bias`.
fn dense(graph: &mut Graph, layer: &str, input: &str, sum: &str) {
    let product = format!("{layer}.product");
    let (weight, bias) = (format!("{layer}.weight"), format!("{layer}.bias"));
    graph.node(
        format!("{layer}.matmul"),
        "MatMul",
        &[input, &weight],
        &product,
        Vec::new(),
    );
    graph.node(
        format!("{layer}.add"),
        "Add",
        &[&product, &bias],
        sum,
        Vec::new(),
    );
}

/// The nodes and initializers of the graph being written, in order.
struct Graph {
    node: Vec<NodeProto>,
    initializer: Vec<TensorProto>,
    /// The element type of every value: [`DATA_FLOAT`] or [`DATA_DOUBLE`].
    data_type: i32,
}

impl Graph {
    /// Whether the values are `double`.
    fn is_double(&self) -> bool {
        self.data_type == DATA_DOUBLE
    }

    /// Appends the node `name`, the operator `op` of `inputs` giving `output`.
    fn node(
        &mut self,
        name: String,
        op: &str,
        inputs: &[&str],
        output: &str,
        attribute: Vec<AttributeProto>,
    ) {
        self.node.push(NodeProto {
            input: inputs.iter().map(|&input| input.to_owned()).collect(),
            output: vec![output.to_owned()],
            name,
            op_type: op.into(),
            attribute,
        });
    }

    /// Appends the scalar (rank 0) initializer `name` holding `value` rounded to the element type.
    fn scalar(&mut self, name: &str, value: f64) {
        self.filled(name, Vec::new(), value);
    }

    /// Appends the initializer `name` of shape `dims`, each value `value` rounded to the element
    /// type.
    fn filled(&mut self, name: &str, dims: Vec<i64>, value: f64) {
        let count = dims.iter().product::<i64>() as usize;
        let mut raw_data = Vec::new();
        if self.is_double() {
            push_le(&mut raw_data, &vec![value; count]);
        } else {
            push_le(&mut raw_data, &vec![value as f32; count]);
        }
        self.initializer.push(TensorProto {
            dims,
            data_type: self.data_type,
            name: name.into(),
            raw_data,
        });
    }
}

/// The nodes of one decomposed step of one layer (its activation, its normalization), each
/// node, value and constant named `<prefix>.<step>`, the last node `<prefix>`, where the prefix
/// is `<layer>.<part>` (`dense1.gelu`, `layernorm1.norm`).
struct Steps<'a> {
    graph: &'a mut Graph,
    prefix: String,
}

impl<'a> Steps<'a> {
    fn new(graph: &'a mut Graph, layer: &str, part: &str) -> Self {
        Self {
            graph,
            prefix: format!("{layer}.{part}"),
        }
    }

    /// A scalar initializer holding `value` in the network's element type; returns its name.
    fn constant(&mut self, step: &str, value: f64) -> String {
        let name = format!("{}.{step}", self.prefix);
        self.graph.scalar(&name, value);
        name
    }

    /// An initializer of shape `dims` filled with `value` in the network's element type; returns
    /// its name.
    fn filled(&mut self, step: &str, dims: Vec<i64>, value: f64) -> String {
        let name = format!("{}.{step}", self.prefix);
        self.graph.filled(&name, dims, value);
        name
    }

    /// A node `op` of `inputs`; returns the name of its output.
    fn node(&mut self, step: &str, op: &str, inputs: &[&str]) -> String {
        self.node_with(step, op, inputs, Vec::new())
    }

    /// A node `op` of `inputs` with attributes; returns the name of its output.
    fn node_with(
        &mut self,
        step: &str,
        op: &str,
        inputs: &[&str],
        attribute: Vec<AttributeProto>,
    ) -> String {
        let name = format!("{}.{step}", self.prefix);
        self.graph.node(name.clone(), op, inputs, &name, attribute);
        name
    }

    /// The last node, `op` of `inputs`, giving `y`.
    fn last(self, op: &str, inputs: &[&str], y: &str) {
        self.last_with(op, inputs, y, Vec::new());
    }

    /// The last node, `op` of `inputs` with attributes, giving `y`.
    fn last_with(self, op: &str, inputs: &[&str], y: &str, attribute: Vec<AttributeProto>) {
        self.graph.node(self.prefix, op, inputs, y, attribute);
    }
}

/// A `float` attribute (ONNX has no `double` one).
fn float_attribute(name: &str, value: f64) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        f: Some(value as f32),
        i: None,
        ints: Vec::new(),
        r#type: FLOAT,
    }
}

/// An `int` attribute.
fn int_attribute(name: &str, value: i64) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        f: None,
        i: Some(value),
        ints: Vec::new(),
        r#type: INT,
    }
}

/// An `ints` attribute: a list of integers.
fn ints_attribute(name: &str, values: &[i64]) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        f: None,
        i: None,
        ints: values.to_vec(),
        r#type: INTS,
    }
}
