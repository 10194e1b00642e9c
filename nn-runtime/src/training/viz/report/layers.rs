//! The layers section: each layer's parameter norm and mean gradient norm over the epochs, as
//! two charts with one line per layer, and a table of their first and last values.

use std::fmt::Write;

use super::axis::Scale;
use super::chart::{BestMarker, Series, legend, line_chart};
use super::text::{escape, exact, figure};
use crate::train::History;

/// The section, or nothing when the history records no layer norms.
pub(super) fn section(history: &History) -> String {
    let layers = &history.layers;
    let epochs = history.epochs.len();
    if epochs == 0 || layers.iter().all(|l| l.parameter_norms.is_empty()) {
        return String::new();
    }
    let series = |read: fn(&crate::train::LayerHistory) -> &Vec<f64>| -> Vec<Series> {
        layers
            .iter()
            .enumerate()
            .map(|(i, layer)| Series {
                label: layer.name.clone(),
                color: i,
                dashed: i >= 8,
                values: read(layer).clone(),
            })
            .collect()
    };
    let parameters = series(|l| &l.parameter_norms);
    let gradients = series(|l| &l.gradient_norms);
    let best = history.best().map(|b| BestMarker {
        epoch: b.epoch,
        value: None,
    });
    let mut html = String::from(
        r#"<section id="nn-layers" class="panel"><h2>Layers</h2><p class="note">Per layer with parameters: the L2 norm of its weights and biases (or scale and shift) after each epoch, and the L2 norm of its gradient averaged over the epoch's steps (weight penalty included, before clipping). Gradients that shrink by orders of magnitude vanish; growing ones explode.</p><div class="pair">"#,
    );
    let charts = [
        (
            "nn-layers-parameters",
            "Parameter norm",
            &parameters,
            Scale::Linear,
        ),
        (
            "nn-layers-gradients",
            "Mean gradient norm",
            &gradients,
            Scale::Log,
        ),
    ];
    for (id, title, series, scale) in charts {
        let chart =
            line_chart(id, title, series, best.as_ref(), epochs, scale).unwrap_or_else(|| {
                r#"<p class="empty">No positive values to show on a log scale.</p>"#.to_string()
            });
        let _ = write!(
            html,
            "<figure>{chart}<figcaption>{title}, {} scale</figcaption></figure>",
            scale.name()
        );
    }
    html.push_str("</div>");
    html.push_str(&legend(&parameters, best.as_ref(), epochs));
    html.push_str(&table(history));
    html.push_str("</section>");
    html
}

/// The first and last norms of each layer.
fn table(history: &History) -> String {
    let mut html = String::from(
        r#"<div class="scroll"><table id="nn-layers-table"><thead><tr><th>layer</th><th>parameter norm, first → last</th><th>mean gradient norm, first → last</th></tr></thead><tbody>"#,
    );
    for layer in &history.layers {
        let ends = |values: &[f64]| {
            let first = values.first().copied().unwrap_or(f64::NAN);
            let last = values.last().copied().unwrap_or(f64::NAN);
            (first, last)
        };
        let (p0, p1) = ends(&layer.parameter_norms);
        let (g0, g1) = ends(&layer.gradient_norms);
        let _ = write!(
            html,
            r#"<tr data-layer="{}" data-parameter-norm="{}" data-gradient-norm="{}"><th>{}</th><td>{} → {}</td><td>{} → {}</td></tr>"#,
            escape(&layer.name),
            exact(p1),
            exact(g1),
            escape(&layer.name),
            figure(p0),
            figure(p1),
            figure(g0),
            figure(g1)
        );
    }
    html.push_str("</tbody></table></div>");
    html
}
