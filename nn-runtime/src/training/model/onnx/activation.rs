//! The nodes of a layer's activation, in operator set 13, each built-in activation with
//! PyTorch's definition:
//!
//! * `Sigmoid`, `Tanh`, `Relu`, `LeakyRelu` (attribute `alpha`, the slope) and `Softmax` (over
//!   the last axis): the operator of that name, one node `<layer>.<op>` (`dense1.relu`).
//! * `Elu` and `Softplus`: the operator of that name in `float`; in `double` their formula, since
//!   onnxruntime has neither operator in `double`, and `Elu`'s `alpha` is a `float` attribute.
//! * `Gelu`, `GeluTanh`, `Silu` and `HardTanh`: their formula in elementary operators (ONNX's
//!   `Gelu` exists from operator set 20 only), below.
//! * The identity: no node. A user's activation type: [`ModelError::UnsupportedActivation`],
//!   since ONNX has no operator for an arbitrary function.
//!
//! An activation given by its formula names its nodes, the values they give and its constants
//! (scalar initializers in the network's element type) `<layer>.<activation>.<step>`
//! (`dense1.gelu.erf`, `dense1.gelu.half`), its last node `<layer>.<activation>`.
//!
//! A runtime needs `Erf` in `double` to run the `Gelu` of an `f64` network: neither tract nor
//! onnxruntime has it. (Nor does tract have `Sigmoid` in `double`, which `Silu` avoids.)

use core::f64::consts::FRAC_1_SQRT_2;

use super::{Graph, Steps, float_attribute, int_attribute};
use crate::LayerActivation;
use crate::training::model::ModelError;

/// `√(2/π)`, the scale inside the tanh approximation of the GELU (as nn's kernel writes it).
const SQRT_2_OVER_PI: f64 = 0.797_884_560_802_865_4;
/// The cubic coefficient of the tanh approximation of the GELU.
const KAPPA: f64 = 0.044_715;

/// Appends to `graph` the nodes that apply `activation` of layer `layer` to the value `z`, the
/// last of them giving the value `y` (none for the identity, whose caller names `z` `y`).
/// Fails for a user's activation.
pub(super) fn emit(
    graph: &mut Graph,
    layer: &str,
    activation: LayerActivation,
    z: &str,
    y: &str,
) -> Result<(), ModelError> {
    let single = |graph: &mut Graph, op: &str, attribute| {
        let name = format!("{layer}.{}", op.to_lowercase());
        graph.node(name, op, &[z], y, attribute);
    };
    let double = graph.is_double();
    match activation {
        LayerActivation::Identity => {}
        LayerActivation::Sigmoid => single(graph, "Sigmoid", Vec::new()),
        LayerActivation::Tanh => single(graph, "Tanh", Vec::new()),
        LayerActivation::Relu => single(graph, "Relu", Vec::new()),
        LayerActivation::LeakyRelu { slope } => {
            single(graph, "LeakyRelu", vec![float_attribute("alpha", slope)]);
        }
        LayerActivation::Softmax => single(graph, "Softmax", vec![int_attribute("axis", -1)]),
        // `ln(1 + eᶻ)`, see `softplus`.
        LayerActivation::Softplus if !double => single(graph, "Softplus", Vec::new()),
        LayerActivation::Softplus => softplus(Steps::new(graph, layer, "softplus"), z, y),
        // The `f32` network computes with `alpha` rounded to `f32`, as the attribute holds it.
        LayerActivation::Elu { alpha } if !double => {
            single(graph, "Elu", vec![float_attribute("alpha", alpha)]);
        }
        LayerActivation::Elu { alpha } => elu(Steps::new(graph, layer, "elu"), alpha, z, y),
        LayerActivation::Gelu => gelu(Steps::new(graph, layer, "gelu"), z, y),
        LayerActivation::GeluTanh => gelu_tanh(Steps::new(graph, layer, "gelu_tanh"), z, y),
        LayerActivation::Silu => silu(Steps::new(graph, layer, "silu"), z, y),
        LayerActivation::HardTanh => hard_tanh(Steps::new(graph, layer, "hardtanh"), z, y),
        LayerActivation::Custom { name } => {
            return Err(ModelError::UnsupportedActivation {
                layer: layer.to_owned(),
                activation: name.to_owned(),
                format: "ONNX",
            });
        }
    }
    Ok(())
}

/// The exact GELU, `x·Φ(x) = 0.5·x·(1 + erf(x/√2))` (Hendrycks and Gimpel, 2016, "Gaussian Error
/// Linear Units"; PyTorch's `nn.GELU()`), computed as nn does: `(x·0.5)·(1 + erf(x·(1/√2)))`.
fn gelu(mut steps: Steps, x: &str, y: &str) {
    let frac_1_sqrt_2 = steps.constant("frac_1_sqrt_2", FRAC_1_SQRT_2);
    let scaled = steps.node("scaled", "Mul", &[x, &frac_1_sqrt_2]);
    let erf = steps.node("erf", "Erf", &[&scaled]);
    let one = steps.constant("one", 1.0);
    let gate = steps.node("gate", "Add", &[&erf, &one]);
    let half = steps.constant("half", 0.5);
    let half_x = steps.node("half_x", "Mul", &[x, &half]);
    steps.last("Mul", &[&half_x, &gate], y);
}

/// The tanh approximation of the GELU, `0.5·x·(1 + tanh(u))` with `u = √(2/π)·(x + 0.044715·x³)`
/// (Hendrycks and Gimpel, 2016; PyTorch's `nn.GELU(approximate="tanh")`), computed as nn does,
/// as `x·σ(2u)`, since `½·(1 + tanh(u)) = σ(2u)`: `1 + tanh(u)` cancels for negative `x`, where a
/// `float` `Tanh` a few ulps short of −1 (tract's) would give `−x·3e-7` for `0`.
fn gelu_tanh(mut steps: Steps, x: &str, y: &str) {
    let square = steps.node("square", "Mul", &[x, x]);
    let cube = steps.node("cube", "Mul", &[&square, x]);
    let kappa = steps.constant("kappa", KAPPA);
    let cubic = steps.node("cubic", "Mul", &[&cube, &kappa]);
    let inner = steps.node("inner", "Add", &[x, &cubic]);
    let scale = steps.constant("minus_2_sqrt_2_over_pi", -2.0 * SQRT_2_OVER_PI);
    let minus_2u = steps.node("minus_2u", "Mul", &[&inner, &scale]);
    times_logistic(steps, x, &minus_2u, y);
}

/// The SiLU, `x·σ(x)` (Elfwing et al., 2018, "Sigmoid-Weighted Linear Units"; PyTorch's
/// `nn.SiLU()`).
fn silu(mut steps: Steps, x: &str, y: &str) {
    let minus_x = steps.node("minus_x", "Neg", &[x]);
    times_logistic(steps, x, &minus_x, y);
}

/// The last nodes of `y = x·σ(t) = x / (1 + e⁻ᵗ)`, given `minus_t`. With `Exp` and `Div`
/// rather than `Sigmoid`, which some runtimes (tract) lack in `double`; `e⁻ᵗ` overflowing to
/// infinity for very negative `t` gives `±0`, the limit.
fn times_logistic(mut steps: Steps, x: &str, minus_t: &str, y: &str) {
    let exp = steps.node("exp", "Exp", &[minus_t]);
    let one = steps.constant("one", 1.0);
    let denominator = steps.node("denominator", "Add", &[&exp, &one]);
    steps.last("Div", &[x, &denominator], y);
}

/// The ELU, `x` for `x > 0`, `α·(eˣ − 1)` otherwise (Clevert et al., 2015, "Fast and Accurate
/// Deep Network Learning by Exponential Linear Units"; PyTorch's `nn.ELU(alpha)`), for `double`,
/// with `α` a `double` constant: the `Elu` operator's `alpha` attribute, a `float`, would round
/// `0.7` by 2e-8 relative. (`eˣ` overflowing for large `x` is not selected.)
fn elu(mut steps: Steps, alpha: f64, x: &str, y: &str) {
    let zero = steps.constant("zero", 0.0);
    let positive = steps.node("positive", "Greater", &[x, &zero]);
    let exp = steps.node("exp", "Exp", &[x]);
    let one = steps.constant("one", 1.0);
    let exp_minus_one = steps.node("exp_minus_one", "Sub", &[&exp, &one]);
    let alpha = steps.constant("alpha", alpha);
    let negative = steps.node("negative", "Mul", &[&exp_minus_one, &alpha]);
    steps.last("Where", &[&positive, x, &negative], y);
}

/// The softplus, `ln(1 + eˣ) = max(x, 0) + ln(1 + e^−|x|)` (PyTorch's `nn.Softplus()`), for
/// `double`, in the second form, nn's, which does not overflow where `eˣ` does (`x > 709`).
/// PyTorch and nn give `x` above 20, where this, like ONNX's `Softplus` operator, which has no
/// threshold, gives `x + ln(1 + e⁻ˣ)`: they differ by less than `e⁻²⁰ < 2.1e-9`.
fn softplus(mut steps: Steps, x: &str, y: &str) {
    let positive_part = steps.node("positive_part", "Relu", &[x]);
    let abs = steps.node("abs", "Abs", &[x]);
    let minus_abs = steps.node("minus_abs", "Neg", &[&abs]);
    let exp = steps.node("exp", "Exp", &[&minus_abs]);
    let one = steps.constant("one", 1.0);
    let one_plus_exp = steps.node("one_plus_exp", "Add", &[&exp, &one]);
    let log = steps.node("log", "Log", &[&one_plus_exp]);
    steps.last("Add", &[&positive_part, &log], y);
}

/// The hard tanh, `x` clamped to `[−1, 1]` (PyTorch's `nn.Hardtanh()`): `Clip`, whose bounds are
/// scalar inputs from operator set 11.
fn hard_tanh(mut steps: Steps, x: &str, y: &str) {
    let min = steps.constant("min", -1.0);
    let max = steps.constant("max", 1.0);
    steps.last("Clip", &[x, &min, &max], y);
}
