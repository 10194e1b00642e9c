//! The HTML page of one sample's pass through a network: one file with its SVG, style, data and
//! script inline, no network access.

use std::fmt::Write as _;
use std::path::Path;

use crate::optim::Optimizer;
use crate::train::Penalty;
use crate::{InputVector, Loss, Network};

use super::VizError;
use super::page_data::PageData;
use super::svg::{Mode, draw, escape};
use super::svg_layout::{ColumnSpec, Layout};
use super::trace::{Pass, run};

const ERRORS_JS: &str = include_str!("assets/errors.js");
const PAGE_CSS: &str = include_str!("assets/page.css");
const PAGE_JS: &str = include_str!("assets/page.js");

/// The columns of a pass's drawing: units ranked by their size for the sample (inputs by their
/// value times the size of the weights they feed).
fn specs(pass: &Pass) -> Vec<ColumnSpec> {
    let weight_of = |index: usize| {
        pass.layers
            .get(index)
            .and_then(|layer| layer.parameters.first())
            .filter(|tensor| tensor.kind == crate::TensorKind::Weight)
            .map(|tensor| tensor.values.clone())
    };
    let mut fed = vec![1.0; pass.input.len()];
    if let Some(weight) = weight_of(0) {
        fed.fill(0.0);
        let outputs = pass.layers[0].width;
        for (k, w) in weight.iter().enumerate() {
            fed[k / outputs] += w.abs();
        }
    }
    let input_strength = pass
        .input
        .iter()
        .zip(&fed)
        .map(|(x, f)| x.abs() * f)
        .collect();
    let mut specs = vec![ColumnSpec {
        name: "input".into(),
        title: format!("Input<{}>", pass.input.len()),
        strength: input_strength,
        weight: None,
    }];
    for (index, layer) in pass.layers.iter().enumerate() {
        specs.push(ColumnSpec {
            name: layer.name.into(),
            title: layer.description.into(),
            strength: layer.activation.iter().map(|a| a.abs()).collect(),
            weight: weight_of(index),
        });
    }
    specs
}

/// The notes under the title: what was run and how.
fn notes(pass: &Pass, data: &PageData) -> Vec<String> {
    let mut notes = vec![
        "One sample through nn's own code: the generated forward pass on a batch of one, the \
         loss and its gradient, the generated backward pass, then one optimizer step on a copy \
         of the network. Every number is nn's, computed in Rust; the page only shows them."
            .to_string(),
        "Inference mode: no dropout mask is drawn, so dropout is off (it keeps every value)."
            .to_string(),
        format!(
            "Update: one step of a fresh {} (learning rate {}); a stateful optimizer's first step \
             is shown, its moments or velocities starting at zero.",
            pass.optimizer, pass.learning_rate
        ),
    ];
    if !data.has_dropout() {
        notes[1] = "Inference mode (dropout would be off); this network has no dropout.".into();
    }
    if pass.penalty.is_active() {
        notes.push(format!(
            "Weight penalty λ₁ = {}, λ₂ = {}: λ₁·sign(w) + 2λ₂·w is added to each dense weight's \
             gradient before the step, and λ₁·Σ|w| + λ₂·Σw² to the loss.",
            pass.penalty.l1, pass.penalty.l2
        ));
    }
    notes.push(
        "Numbers are rounded; hover or select one for its exact value, and a unit or an edge for \
         its numbers and formulas. Keys ← and → step through the pass."
            .into(),
    );
    notes
}

/// The page of `pass`.
fn render(pass: &Pass) -> String {
    let specs = specs(pass);
    let layout = Layout::new(&specs);
    let weights: Vec<Option<&[f64]>> = specs.iter().map(|s| s.weight.as_deref()).collect();
    let svg = draw(&layout, &weights, Mode::Page);
    let data = PageData::new(pass, &layout);
    let title = format!("{}: one sample through the network", pass.network);
    let mut html = String::with_capacity(svg.len() + 4096);
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<script>\n{ERRORS_JS}</script>\n<style>\n{PAGE_CSS}</style>\n\
         </head>\n<body>\n<main>\n<header>\n<h1>{name}</h1>\n<p><code>{description}</code></p>\n\
         <ul class=\"notes\">\n",
        title = escape(&title),
        name = escape(pass.network),
        description = escape(&description(pass)),
    );
    for note in notes(pass, &data) {
        let _ = writeln!(html, "<li>{}</li>", escape(&note));
    }
    html.push_str(
        "</ul>\n</header>\n<nav class=\"controls\" aria-label=\"steps\">\n\
         <button id=\"nn-prev\" type=\"button\">◀ Back</button>\n\
         <button id=\"nn-next\" type=\"button\">Next ▶</button>\n\
         <span id=\"nn-step\" aria-live=\"polite\"></span>\n</nav>\n<ul class=\"phases\">\n",
    );
    for phase in ["input", "forward", "loss", "backward", "update"] {
        let _ = writeln!(html, "<li data-phase=\"{phase}\">{phase}</li>");
    }
    html.push_str("</ul>\n<figure class=\"net\">\n");
    html.push_str(&svg);
    html.push_str(
        "\n</figure>\n<p class=\"legend\">Edges: <span class=\"swatch\" \
         style=\"background:#2563eb\"></span>positive <span class=\"swatch\" \
         style=\"background:#dc2626\"></span>negative, wider for larger; backward and update \
         steps draw the active layer's ∂L/∂w and Δw. Units: the step's value, blue positive, red \
         negative.</p>\n<div class=\"panels\">\n<section class=\"card\" id=\"nn-panel\"></section>\n\
         <section class=\"card\" id=\"nn-detail\"></section>\n</div>\n\
         <section class=\"card\" id=\"nn-heat\" hidden></section>\n\
         <pre id=\"nn-errors\" hidden></pre>\n</main>\n\
         <script type=\"application/json\" id=\"nn-data\">",
    );
    html.push_str(&data.to_script_json());
    let _ = write!(
        html,
        "</script>\n<script>\n{PAGE_JS}</script>\n</body>\n</html>\n"
    );
    html
}

/// `Input<3> -> Dense<4, Tanh> -> Dense<2, Softmax>`.
fn description(pass: &Pass) -> String {
    let mut text = format!("Input<{}>", pass.input.len());
    for layer in &pass.layers {
        text.push_str(" -> ");
        text.push_str(layer.description);
    }
    text
}

/// A self-contained HTML page of `net` with one sample's training step: the network drawn as
/// layers of units joined by edges (colour and width for each weight's sign and size; a layer
/// of more than 64 units shows its 16 strongest, with heat maps of whole weight matrices), then,
/// step by step with buttons or the ← and → keys, the forward pass (each unit's `z` and `a`), the
/// loss, the backward pass (each unit's `δ = ∂L/∂z` and each weight's `∂L/∂w`) and the change
/// one step of `optimizer` makes to each parameter, with the trainer's `penalty`. Hovering or
/// selecting a unit or an edge shows its numbers and formulas.
///
/// Every number is nn's: the network's generated forward and backward passes on a batch of one
/// sample with no dropout mask drawn (inference mode: dropout off), the loss's gradient, and
/// the difference of the parameters before and after one real step of a fresh copy of
/// `optimizer` (a stateful optimizer's first step) on a copy of the network. `net` is not
/// changed. The page needs no network access: its SVG, style, data (JSON) and script are inline.
///
/// For tests the page reads `#step=K` (advance `K` steps on load) and `select=u:C:I` or
/// `e:C:I:J`; shows the step in `#nn-step` (`data-step`); writes script errors into
/// `#nn-errors`; gives each number shown its exact value (Rust's `{:?}`) in `data-value`; and
/// sets `data-overflow` on the body to `yes` or `no`.
///
/// # Errors
/// [`VizError::NotFinite`] for a NaN or infinite input or target value,
/// [`VizError::BatchStatistics`] for a network with `BatchNorm` (one sample has no batch
/// statistics), [`VizError::Hyperparameter`] for an invalid optimizer or penalty, and
/// [`VizError::NoTrace`] for a hand-written `Network` implementation without traces.
pub fn network_page<N, L, O, const IN: usize, const OUT: usize>(
    net: &N,
    input: &impl InputVector<N::Scalar, IN>,
    target: &impl InputVector<N::Scalar, OUT>,
    loss: &L,
    optimizer: &O,
    penalty: &Penalty,
) -> Result<String, VizError>
where
    N: Network<IN, OUT> + Clone,
    L: Loss<N::OutputActivation>,
    O: Optimizer + Clone,
{
    let pass = run(net, input, target, loss, optimizer, penalty)?;
    Ok(render(&pass))
}

/// Writes [`network_page`] to `path` atomically (a temporary file renamed over it).
///
/// # Errors
/// Those of [`network_page`], and [`VizError::File`] if the file cannot be written.
pub fn save_network_page<N, L, O, const IN: usize, const OUT: usize>(
    path: impl AsRef<Path>,
    net: &N,
    input: &impl InputVector<N::Scalar, IN>,
    target: &impl InputVector<N::Scalar, OUT>,
    loss: &L,
    optimizer: &O,
    penalty: &Penalty,
) -> Result<(), VizError>
where
    N: Network<IN, OUT> + Clone,
    L: Loss<N::OutputActivation>,
    O: Optimizer + Clone,
{
    let page = network_page(net, input, target, loss, optimizer, penalty)?;
    crate::training::model::file::write_atomic(path.as_ref(), page.as_bytes())?;
    Ok(())
}
