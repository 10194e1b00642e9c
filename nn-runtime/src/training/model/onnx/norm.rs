//! The nodes of a normalization layer, from its input `x` to `z`, the value its activation takes,
//! computing what nn's inference does (`nn_runtime::compute::norm`), in its order of operations:
//! `z = (x − μ)·(1/√(σ² + ε))·γ + β`, `γ` and `β` the initializers `<layer>.weight` and
//! `<layer>.bias`.
//!
//! * `LayerNorm`: `μ` and the biased `σ²` over each sample's features. ONNX's
//!   `LayerNormalization` exists from operator set 17 only, so it is its formula, in every
//!   element type: `ReduceMean` (over the last axis, an attribute in operator set 13), `Sub`,
//!   `Mul` (the square), `ReduceMean`, `Add ε`, `Sqrt`, `Div` (`1/…`), `Mul`, `Mul γ`, `Add β`.
//!   In `double`, `σ²` is `MatMul` by a column of ones (`<layer>.norm.ones`, `[N, 1]`) and `Div`
//!   by `N`, the same sum and quotient: tract rewrites `ReduceMean(v·v)` into a mean of squares
//!   that it computes in `float` (1e-8 off in `double`).
//! * `BatchNorm`: `μ` and `σ²` the running statistics `<layer>.running_mean` and
//!   `<layer>.running_var`. In `float`, the `BatchNormalization` operator (its inference form,
//!   operator set 9), whose `epsilon` attribute holds nn's `f32` `ε` exactly. In `double`, its
//!   formula, on those initializers (which a runtime folds into one scale and shift per
//!   feature): tract and onnxruntime run the operator in `double`, but its `float` `epsilon`
//!   would round `ε = 1e-5` by 2.5e-8 relative, moving the output by up to
//!   `1.3e-13/(σ² + ε)` relative, 1e-9 for a feature of variance 1e-4.
//!
//! The nodes, their values and constants (initializers in the network's element type) are named
//! `<layer>.norm.<step>` (`layernorm1.norm.mean`, `layernorm1.norm.epsilon`), the last node
//! `<layer>.norm`.

use super::{Graph, Steps, float_attribute, ints_attribute};
use crate::LayerShape;

/// Appends the nodes of the `LayerNorm` `layer` of `ε = epsilon`, from `x` to `z`.
pub(super) fn layer_norm(graph: &mut Graph, layer: &LayerShape, epsilon: f64, x: &str, z: &str) {
    let double = graph.is_double();
    let mut steps = Steps::new(graph, layer.name, "norm");
    // Over the features, keeping the axis so that `[batch, 1]` broadcasts against `[batch, N]`.
    let last_axis = || vec![ints_attribute("axes", &[-1])];
    let mean = steps.node_with("mean", "ReduceMean", &[x], last_axis());
    let centered = steps.node("centered", "Sub", &[x, &mean]);
    let squared = steps.node("squared", "Mul", &[&centered, &centered]);
    let variance = if double {
        // `Σ (x − μ)²` as a product with a column of ones, then `/ N`: tract rewrites
        // `ReduceMean(v·v)` into its mean of squares, which it computes in `float`.
        let ones = steps.filled("ones", vec![layer.outputs as i64, 1], 1.0);
        let sum = steps.node("sum_of_squares", "MatMul", &[&squared, &ones]);
        let count = steps.constant("count", layer.outputs as f64);
        steps.node("variance", "Div", &[&sum, &count])
    } else {
        steps.node_with("variance", "ReduceMean", &[&squared], last_axis())
    };
    normalize(steps, layer.name, epsilon, &centered, &variance, z);
}

/// Appends the nodes of the `BatchNorm` `layer` of `ε = epsilon` in inference, from `x` to `z`.
pub(super) fn batch_norm(graph: &mut Graph, layer: &LayerShape, epsilon: f64, x: &str, z: &str) {
    let name = layer.name;
    let (mean, variance) = (
        format!("{name}.running_mean"),
        format!("{name}.running_var"),
    );
    let double = graph.is_double();
    let mut steps = Steps::new(graph, name, "norm");
    if double {
        let centered = steps.node("centered", "Sub", &[x, &mean]);
        normalize(steps, name, epsilon, &centered, &variance, z);
    } else {
        let (scale, shift) = (format!("{name}.weight"), format!("{name}.bias"));
        steps.last_with(
            "BatchNormalization",
            &[x, &scale, &shift, &mean, &variance],
            z,
            vec![float_attribute("epsilon", epsilon)],
        );
    }
}

/// The nodes common to both normalizations, from `centered = x − μ` and `variance = σ²` to
/// `z = centered·(1/√(σ² + ε))·γ + β`.
fn normalize(mut steps: Steps, layer: &str, epsilon: f64, centered: &str, variance: &str, z: &str) {
    let epsilon = steps.constant("epsilon", epsilon);
    let shifted = steps.node("variance_plus_epsilon", "Add", &[variance, &epsilon]);
    let deviation = steps.node("deviation", "Sqrt", &[&shifted]);
    let one = steps.constant("one", 1.0);
    let inverse = steps.node("inverse_deviation", "Div", &[&one, &deviation]);
    let normalized = steps.node("normalized", "Mul", &[centered, &inverse]);
    let scale = format!("{layer}.weight");
    let scaled = steps.node("scaled", "Mul", &[&normalized, &scale]);
    steps.last("Add", &[&scaled, &format!("{layer}.bias")], z);
}
