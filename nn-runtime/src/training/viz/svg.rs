//! The SVG of a network: columns of units joined by edges whose colour and width show each
//! weight's sign and magnitude. The page draws it with hooks for its script; alone it is a
//! static picture for documents.

use std::fmt::Write as _;
use std::path::Path;

use crate::{BatchMatrix, Network};

use super::VizError;
use super::svg_layout::{ColumnSpec, Layout, Link};
use super::trace::dense_weights;

/// The colour of a positive weight.
const POSITIVE: &str = "#2563eb";
/// The colour of a negative weight.
const NEGATIVE: &str = "#dc2626";
/// The colour of a zero weight and of one-to-one links.
const NEUTRAL: &str = "#9ca3af";

/// The style of a static drawing; the page styles its own.
const STATIC_STYLE: &str = "text{font-family:system-ui,sans-serif;fill:#111827}\
.h1{font-size:13px;font-weight:600}.h2{font-size:10px;fill:#4b5563}\
.u circle{fill:#fff;stroke:#374151;stroke-width:1.5}.more{font-size:11px;fill:#4b5563}";

/// Whether a drawing carries hooks for the page's script.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// For the page: data attributes naming each unit and edge, and a number slot per unit.
    Page,
    /// For documents: self-styled, no numbers.
    Static,
}

/// The widest edge between layers with at most this many edges; more are drawn thinner.
const FEW_EDGES: usize = 64;

/// An edge's colour, width and opacity for a weight `w` among `count` edges whose largest `|w|`
/// is `largest` (the page's script has the same rule).
fn edge_style(w: f64, largest: f64, count: usize) -> (&'static str, f64, f64) {
    if largest <= 0.0 || w == 0.0 || !w.is_finite() {
        return (NEUTRAL, 0.8, 0.5);
    }
    let relative = (w.abs() / largest).min(1.0);
    let colour = if w > 0.0 { POSITIVE } else { NEGATIVE };
    let widest = if count <= FEW_EDGES { 3.6 } else { 2.0 };
    (
        colour,
        0.4 + widest * relative,
        0.2 + 0.7 * relative * relative,
    )
}

/// `text` with `&`, `<`, `>` and `"` escaped, for HTML and SVG text and attributes.
pub(crate) fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// `text` cut to `limit` characters, with an ellipsis if cut.
fn shorten(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        text.to_string()
    } else {
        let cut: String = text.chars().take(limit - 1).collect();
        format!("{cut}…")
    }
}

/// Draws `layout`; `weights[c]` colours the edges into column `c` (dense layers).
pub(crate) fn draw(layout: &Layout, weights: &[Option<&[f64]>], mode: Mode) -> String {
    let page = mode == Mode::Page;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w:.0} {h:.0}" width="{w:.0}" height="{h:.0}" class="nn-net" role="img">"#,
        w = layout.width,
        h = layout.height
    );
    if !page {
        let _ = write!(svg, "<style>{STATIC_STYLE}</style>");
    }
    svg.push_str(r#"<g class="edges">"#);
    for (index, link) in layout.links.iter().enumerate() {
        let c = index + 1;
        let (from, to) = (&layout.columns[c - 1], &layout.columns[c]);
        match link {
            Link::Dense { edges, .. } => {
                let weight = weights.get(c).copied().flatten().unwrap_or(&[]);
                let at = |i: usize, j: usize| weight.get(j * to.width + i).copied().unwrap_or(0.0);
                let largest = edges
                    .iter()
                    .map(|&(i, j)| at(i, j).abs())
                    .fold(0.0, f64::max);
                for &(i, j) in edges {
                    let (Some(y1), Some(y2)) = (from.y_of(j), to.y_of(i)) else {
                        continue;
                    };
                    let (colour, width, opacity) = edge_style(at(i, j), largest, edges.len());
                    let hooks = if page {
                        format!(r#" class="e" data-c="{c}" data-i="{i}" data-j="{j}""#)
                    } else {
                        String::new()
                    };
                    let _ = write!(
                        svg,
                        r#"<line{hooks} x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke="{colour}" stroke-width="{width:.2}" stroke-opacity="{opacity:.2}"/>"#,
                        x1 = from.x,
                        x2 = to.x
                    );
                }
            }
            Link::OneToOne => {
                for (&i, &y2) in to.shown.iter().zip(&to.ys) {
                    if let Some(y1) = from.y_of(i) {
                        let _ = write!(
                            svg,
                            r#"<line x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke="{NEUTRAL}" stroke-width="1" stroke-dasharray="3 3"/>"#,
                            x1 = from.x,
                            x2 = to.x
                        );
                    }
                }
            }
        }
    }
    svg.push_str("</g><g class=\"units\">");
    for (c, column) in layout.columns.iter().enumerate() {
        let _ = write!(
            svg,
            r#"<text class="h1" x="{x:.1}" y="16" text-anchor="middle">{name}</text><text class="h2" x="{x:.1}" y="31" text-anchor="middle">{title}</text>"#,
            x = column.x,
            name = escape(&column.name),
            title = escape(&shorten(&column.title, 26))
        );
        for (&i, &y) in column.shown.iter().zip(&column.ys) {
            let hooks = if page {
                format!(r#" data-c="{c}" data-i="{i}" tabindex="0""#)
            } else {
                String::new()
            };
            let _ = write!(
                svg,
                r#"<g class="u"{hooks}><circle cx="{x:.1}" cy="{y:.1}" r="{r:.1}"/>"#,
                x = column.x,
                r = layout.radius
            );
            if page {
                let label = if layout.labels { "v" } else { "v hidden" };
                let _ = write!(
                    svg,
                    r#"<text class="{label}" x="{x:.1}" y="{y:.1}" dy="0.35em" text-anchor="middle"></text>"#,
                    x = column.x
                );
            }
            svg.push_str("</g>");
        }
        if let Some(y) = column.more_y {
            let _ = write!(
                svg,
                r#"<text class="more" x="{x:.1}" y="{y:.1}" dy="0.35em" text-anchor="middle">⋮ {n} more</text>"#,
                x = column.x,
                n = column.hidden()
            );
        }
    }
    svg.push_str("</g></svg>");
    svg
}

/// The columns of `net`'s drawing without a sample: units ranked by the size of their weights.
fn static_specs<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    net: &N,
) -> Vec<ColumnSpec> {
    let weights = dense_weights::<N, IN, OUT>(net);
    // Two samples, so that batch normalization has its statistics.
    let input = BatchMatrix::<N::Scalar, IN>::zeros(2);
    let mut workspace = N::workspace(2);
    net.forward_train(&input, &mut workspace);
    let mut specs = vec![ColumnSpec {
        name: "input".into(),
        title: format!("Input<{IN}>"),
        strength: vec![0.0; IN],
        weight: None,
    }];
    net.for_each_layer_trace(&input, &workspace, |trace| {
        let weight = weights
            .iter()
            .find(|(name, _)| *name == trace.name)
            .map(|(_, w)| w.clone());
        let mut strength = vec![0.0; trace.width];
        if let Some(weight) = &weight {
            let previous = &mut specs.last_mut().expect("the input column").strength;
            for (k, w) in weight.iter().enumerate() {
                strength[k % trace.width] += w.abs();
                previous[k / trace.width] += w.abs();
            }
        }
        specs.push(ColumnSpec {
            name: trace.name.into(),
            title: trace.description.into(),
            strength,
            weight,
        });
    });
    specs
}

/// A static SVG of `net`: its layers as columns of units, dense layers' edges coloured by
/// sign (blue positive, red negative) and as wide as the weight is large, no numbers. A layer of
/// more than 64 units shows its 16 with the largest weights, and a dense layer at most its 160
/// largest weights. For documents; [`network_page`](super::network_page) draws the same with one
/// sample's numbers.
///
/// A network without traces (a hand-written `Network` implementation) shows its input alone.
pub fn network_svg<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(net: &N) -> String {
    let specs = static_specs::<N, IN, OUT>(net);
    let layout = Layout::new(&specs);
    let weights: Vec<Option<&[f64]>> = specs.iter().map(|s| s.weight.as_deref()).collect();
    let mut svg = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    svg.push_str(&draw(&layout, &weights, Mode::Static));
    svg.push('\n');
    svg
}

/// Writes [`network_svg`] of `net` to `path` atomically (a temporary file renamed over it).
pub fn save_network_svg<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    path: impl AsRef<Path>,
    net: &N,
) -> Result<(), VizError> {
    let svg = network_svg::<N, IN, OUT>(net);
    crate::training::model::file::write_atomic(path.as_ref(), svg.as_bytes())?;
    Ok(())
}
