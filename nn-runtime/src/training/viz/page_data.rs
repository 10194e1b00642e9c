//! The page's data: a [`Pass`] as the JSON its script reads, every number as the exact
//! shortest round-trip text Rust writes for it (`{:?}`), the steps to walk through, and the
//! formulas to show.

use serde::Serialize;

use crate::{LayerActivation, TensorKind, TraceKind};

use super::svg_layout::{Layout, Link};
use super::trace::{LayerPass, Pass};

/// Everything the page's script shows.
#[derive(Serialize)]
pub(crate) struct PageData {
    network: &'static str,
    scalar: &'static str,
    loss: LossData,
    optimizer: OptimizerData,
    penalty: Option<PenaltyData>,
    target: Vec<String>,
    columns: Vec<ColumnData>,
    steps: Vec<StepData>,
}

#[derive(Serialize)]
struct LossData {
    name: &'static str,
    value: String,
    penalty: String,
    total: String,
}

#[derive(Serialize)]
struct OptimizerData {
    name: String,
    learning_rate: String,
    rule: String,
}

#[derive(Serialize)]
struct PenaltyData {
    l1: String,
    l2: String,
}

/// The input (column 0) or one layer, as drawn in the SVG's column of the same index.
#[derive(Serialize)]
struct ColumnData {
    name: &'static str,
    title: String,
    kind: &'static str,
    /// The activation as a formula of `z` (`tanh(z)`), for layers with one.
    function: Option<String>,
    /// Its derivative, as the backward pass applies it (`1 − a²`).
    derivative: Option<String>,
    width: usize,
    inputs: usize,
    /// The units drawn.
    shown: Vec<usize>,
    /// Whether units or edges were left out of the drawing, so that a heat map shows them all.
    summarized: bool,
    /// The side of the square image the values make, for a square input of 16 or more.
    square: Option<usize>,
    z: Option<Vec<String>>,
    xhat: Option<Vec<String>>,
    mask: Option<Vec<String>>,
    a: Vec<String>,
    grad_a: Option<Vec<String>>,
    delta: Option<Vec<String>>,
    parameters: Vec<TensorData>,
}

/// One trainable tensor: values, gradient, penalized gradient and the optimizer's change.
#[derive(Serialize)]
struct TensorData {
    kind: &'static str,
    values: Vec<String>,
    gradient: Vec<String>,
    penalized: Option<Vec<String>>,
    update: Vec<String>,
}

/// One step of the walk through the pass.
#[derive(Serialize)]
struct StepData {
    phase: &'static str,
    column: usize,
    title: String,
}

/// The exact text of values the network's type computed.
struct Repr {
    f32: bool,
}

impl Repr {
    fn one(&self, value: f64) -> String {
        if self.f32 {
            format!("{:?}", value as f32)
        } else {
            format!("{value:?}")
        }
    }

    fn all(&self, values: &[f64]) -> Vec<String> {
        values.iter().map(|&v| self.one(v)).collect()
    }

    fn some(&self, values: &Option<Vec<f64>>) -> Option<Vec<String>> {
        values.as_deref().map(|v| self.all(v))
    }
}

/// The activation as a formula of `z`, and its derivative as the backward pass applies it.
fn function_text(function: LayerActivation) -> (String, String) {
    let (f, d) = match function {
        LayerActivation::Identity => ("z".into(), "1".into()),
        LayerActivation::Sigmoid => ("σ(z) = 1/(1 + e^−z)".into(), "a·(1 − a)".into()),
        LayerActivation::Tanh => ("tanh(z)".into(), "1 − a²".into()),
        LayerActivation::Relu => ("relu(z) = max(z, 0)".into(), "1 if z > 0, else 0".into()),
        LayerActivation::LeakyRelu { slope } => (
            format!("z if z > 0, else {slope}·z"),
            format!("1 if z > 0, else {slope}"),
        ),
        LayerActivation::Softmax => (
            "softmax(z)ᵢ = e^zᵢ / Σⱼ e^zⱼ".into(),
            "aᵢ·(δᵢⱼ − aⱼ)".into(),
        ),
        LayerActivation::Gelu => ("gelu(z) = z·Φ(z)".into(), "Φ(z) + z·φ(z)".into()),
        LayerActivation::GeluTanh => ("gelu_tanh(z)".into(), "gelu_tanh′(z)".into()),
        LayerActivation::Silu => ("silu(z) = z·σ(z)".into(), "σ(z)·(1 + z·(1 − σ(z)))".into()),
        LayerActivation::Elu { alpha } => (
            format!("z if z > 0, else {alpha}·(e^z − 1)"),
            format!("1 if z > 0, else a + {alpha}"),
        ),
        LayerActivation::Softplus => ("softplus(z) = ln(1 + e^z)".into(), "σ(z)".into()),
        LayerActivation::HardTanh => (
            "hardtanh(z) = clamp(z, −1, 1)".into(),
            "1 if −1 < z < 1, else 0".into(),
        ),
        LayerActivation::Custom { name } => (format!("{name}(z)"), format!("{name}′(z)")),
    };
    (f, d)
}

/// The first step of the optimizer `name`, as a formula.
fn optimizer_rule(name: &str) -> String {
    match name {
        "Sgd" => "SGD, first step: b = g (+ weight_decay·w when set); Δw = −lr·b \
                  (with Nesterov momentum −lr·(g + momentum·b))"
            .into(),
        "Adam" => "Adam, first step (moments start at 0): m = (1 − β₁)·g, v = (1 − β₂)·g², \
                   m̂ = m/(1 − β₁), v̂ = v/(1 − β₂); Δw = −lr·m̂/(√v̂ + ε), about −lr·sign(g)"
            .into(),
        "AdamW" => "AdamW, first step: w ← w·(1 − lr·λ), then Adam's Δw = −lr·m̂/(√v̂ + ε) with \
                    m̂ = g, v̂ = g² on the first step"
            .into(),
        "RmsProp" => "RMSprop, first step (average starts at 0): v = (1 − α)·g²; \
                      Δw = −lr·g/(√v + ε) (with momentum: the same on the first step)"
            .into(),
        other => format!("one step of {other}: Δw = w after − w before"),
    }
}

fn tensor_name(kind: TensorKind) -> &'static str {
    match kind {
        TensorKind::Weight => "weight",
        TensorKind::Bias => "bias",
        TensorKind::Scale => "scale",
        TensorKind::Shift => "shift",
        TensorKind::RunningMean => "running_mean",
        TensorKind::RunningVariance => "running_variance",
    }
}

/// The side of the square `width` values make, if they make one of 16 or more.
fn square_side(width: usize) -> Option<usize> {
    let side = (width as f64).sqrt().round() as usize;
    (width >= 16 && side * side == width).then_some(side)
}

fn layer_column(layer: &LayerPass, repr: &Repr, shown: Vec<usize>, summarized: bool) -> ColumnData {
    let texts = layer.function.map(function_text);
    ColumnData {
        name: layer.name,
        title: layer.description.to_string(),
        kind: layer.kind.name(),
        function: texts.as_ref().map(|t| t.0.clone()),
        derivative: texts.map(|t| t.1),
        width: layer.width,
        inputs: layer.inputs,
        shown,
        summarized,
        square: None,
        z: repr.some(&layer.pre_activation),
        xhat: repr.some(&layer.normalized),
        mask: repr.some(&layer.mask),
        a: repr.all(&layer.activation),
        grad_a: repr.some(&layer.output_gradient),
        delta: repr.some(&layer.delta),
        parameters: layer
            .parameters
            .iter()
            .map(|tensor| TensorData {
                kind: tensor_name(tensor.kind),
                values: repr.all(&tensor.values),
                gradient: repr.all(&tensor.gradient),
                penalized: repr.some(&tensor.penalized),
                update: repr.all(&tensor.update),
            })
            .collect(),
    }
}

/// The walk: the input, each layer forward, the loss, each layer with a gradient backward, each
/// layer with parameters' update.
fn steps(pass: &Pass) -> Vec<StepData> {
    let last = pass.layers.len();
    let title = |layer: &LayerPass| format!("{} ({})", layer.name, layer.description);
    let mut steps = vec![StepData {
        phase: "input",
        column: 0,
        title: format!("the sample's {} input values", pass.input.len()),
    }];
    for (index, layer) in pass.layers.iter().enumerate() {
        steps.push(StepData {
            phase: "forward",
            column: index + 1,
            title: title(layer),
        });
    }
    steps.push(StepData {
        phase: "loss",
        column: last,
        title: pass.loss_name.to_string(),
    });
    for (index, layer) in pass.layers.iter().enumerate().rev() {
        if layer.delta.is_some() {
            steps.push(StepData {
                phase: "backward",
                column: index + 1,
                title: title(layer),
            });
        }
    }
    for (index, layer) in pass.layers.iter().enumerate() {
        if layer.kind.has_parameters() {
            steps.push(StepData {
                phase: "update",
                column: index + 1,
                title: title(layer),
            });
        }
    }
    steps
}

impl PageData {
    /// The data of `pass`, drawn as `layout`.
    pub fn new(pass: &Pass, layout: &Layout) -> PageData {
        let repr = Repr {
            f32: pass.scalar == "f32",
        };
        let input_column = &layout.columns[0];
        let mut columns = vec![ColumnData {
            name: "input",
            title: format!("Input<{}>", pass.input.len()),
            kind: "input",
            function: None,
            derivative: None,
            width: pass.input.len(),
            inputs: 0,
            shown: input_column.shown.clone(),
            summarized: input_column.hidden() > 0,
            square: square_side(pass.input.len()),
            z: None,
            xhat: None,
            mask: None,
            a: repr.all(&pass.input),
            grad_a: None,
            delta: None,
            parameters: Vec::new(),
        }];
        for (index, layer) in pass.layers.iter().enumerate() {
            let column = &layout.columns[index + 1];
            let culled = match &layout.links[index] {
                Link::Dense { edges, total } => edges.len() < *total,
                Link::OneToOne => false,
            };
            let summarized = culled || column.hidden() > 0 || layout.columns[index].hidden() > 0;
            columns.push(layer_column(layer, &repr, column.shown.clone(), summarized));
        }
        PageData {
            network: pass.network,
            scalar: pass.scalar,
            loss: LossData {
                name: pass.loss_name,
                value: repr.one(pass.loss),
                penalty: format!("{:?}", pass.penalty_value),
                total: format!("{:?}", pass.total_loss),
            },
            optimizer: OptimizerData {
                name: pass.optimizer.clone(),
                learning_rate: format!("{:?}", pass.learning_rate),
                rule: optimizer_rule(&pass.optimizer),
            },
            penalty: pass.penalty.is_active().then(|| PenaltyData {
                l1: format!("{:?}", pass.penalty.l1),
                l2: format!("{:?}", pass.penalty.l2),
            }),
            target: repr.all(&pass.target),
            columns,
            steps: steps(pass),
        }
    }

    /// Whether the network has a dropout layer.
    pub fn has_dropout(&self) -> bool {
        self.columns
            .iter()
            .any(|c| c.kind == TraceKind::Dropout { rate: 0.0 }.name())
    }

    /// The data as JSON that can sit inside a `<script>` element (`</` written `<\/`).
    pub fn to_script_json(&self) -> String {
        serde_json::to_string(self)
            .expect("page data serializes")
            .replace("</", "<\\/")
    }
}
