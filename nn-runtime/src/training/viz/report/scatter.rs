//! Predicted against true values of a regressor as an SVG scatter plot, with the line
//! `predicted = true` on which perfect predictions lie.

use std::fmt::Write;

use super::axis::Axis;
use super::text::{escape, figure};

/// The plot's size in SVG units.
const SIZE: f64 = 400.0;
const TOP: f64 = 10.0;
const RIGHT: f64 = 12.0;
const BOTTOM: f64 = 40.0;
const CHAR_WIDTH: f64 = 7.2;
/// At most this many points are drawn; above it every k-th sample is.
const MOST_POINTS: usize = 2000;
/// Up to this many points each get a title with their values.
const MOST_TITLED: usize = 300;

/// A regressor's predictions on a test set: per sample, per output, the true value and the
/// predicted one.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Predictions {
    /// The outputs per sample.
    pub outputs: usize,
    /// `(true, predicted)` of sample `s`'s output `o` at `s * outputs + o`.
    pub pairs: Vec<(f64, f64)>,
}

impl Predictions {
    /// The number of samples.
    pub(super) fn samples(&self) -> usize {
        self.pairs.len() / self.outputs.max(1)
    }
}

/// The scatter plot of `predictions`: one color per output (of the first eight).
pub(super) fn scatter(predictions: &Predictions) -> String {
    let values = predictions.pairs.iter().flat_map(|&(t, p)| [t, p]);
    let axis = Axis::linear(values);
    let longest = axis
        .ticks
        .iter()
        .map(|(_, l)| l.chars().count())
        .max()
        .unwrap_or(1);
    let left = 30.0 + CHAR_WIDTH * longest as f64;
    let span = (SIZE - RIGHT - left).min(SIZE - TOP - BOTTOM);
    let (x0, y0) = (left, TOP + span);
    let at = |value: f64| axis.fraction(value).map(|f| f * span);
    let samples = predictions.samples();
    let every = samples.div_ceil(MOST_POINTS).max(1);
    let drawn = samples.div_ceil(every);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg id="nn-scatter" class="scatter" data-samples="{samples}" data-points="{drawn}" viewBox="0 0 {:.1} {:.1}" role="img" aria-label="Predicted against true values on the test set">"#,
        x0 + span + RIGHT,
        y0 + BOTTOM
    );
    for (value, label) in &axis.ticks {
        let Some(d) = at(*value) else { continue };
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{x0:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}"/><line class="grid" x1="{:.1}" y1="{TOP:.1}" x2="{:.1}" y2="{y0:.1}"/><text class="tick" x="{:.1}" y="{:.1}" text-anchor="end">{label}</text><text class="tick" x="{:.1}" y="{:.1}" text-anchor="middle">{label}</text>"#,
            y0 - d,
            x0 + span,
            y0 - d,
            x0 + d,
            x0 + d,
            x0 - 6.0,
            y0 - d + 4.0,
            x0 + d,
            y0 + 16.0,
            label = escape(label)
        );
    }
    let _ = write!(
        svg,
        r#"<rect class="frame" x="{x0:.1}" y="{TOP:.1}" width="{span:.1}" height="{span:.1}"/><line class="identity" x1="{x0:.1}" y1="{y0:.1}" x2="{:.1}" y2="{TOP:.1}"/><text class="axis-title" x="{:.1}" y="{:.1}" text-anchor="middle">true value</text><text class="axis-title" transform="translate(12 {:.1}) rotate(-90)" text-anchor="middle">predicted value</text>"#,
        x0 + span,
        x0 + span / 2.0,
        y0 + BOTTOM - 6.0,
        TOP + span / 2.0
    );
    let outputs = predictions.outputs.max(1);
    for sample in (0..samples).step_by(every) {
        for output in 0..outputs {
            let (actual, predicted) = predictions.pairs[sample * outputs + output];
            let (Some(dx), Some(dy)) = (at(actual), at(predicted)) else {
                continue;
            };
            let _ = write!(
                svg,
                r#"<circle class="point c{}" cx="{:.1}" cy="{:.1}" r="2.5">"#,
                output % 8,
                x0 + dx,
                y0 - dy
            );
            if drawn <= MOST_TITLED {
                let _ = write!(
                    svg,
                    "<title>sample {sample}: true {}, predicted {}</title>",
                    figure(actual),
                    figure(predicted)
                );
            }
            svg.push_str("</circle>");
        }
    }
    svg.push_str("</svg>");
    svg
}

/// The legend: the points (one entry per output when there are several) and the line.
pub(super) fn legend(predictions: &Predictions) -> String {
    let mut html = String::from(r#"<ul class="legend">"#);
    let outputs = predictions.outputs.max(1);
    for output in 0..outputs.min(8) {
        let name = if outputs == 1 {
            "test sample".to_string()
        } else {
            format!("output {}", output + 1)
        };
        let _ = write!(
            html,
            r#"<li><svg class="swatch" viewBox="0 0 28 12" aria-hidden="true"><circle class="point c{output}" cx="14" cy="6" r="3"/></svg>{name}</li>"#
        );
    }
    html.push_str(r#"<li><svg class="swatch" viewBox="0 0 28 12" aria-hidden="true"><line class="identity" x1="1" y1="11" x2="27" y2="1"/></svg>predicted = true</li></ul>"#);
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sample_is_a_point_beside_the_identity_line() {
        let predictions = Predictions {
            outputs: 1,
            pairs: vec![(1.0, 1.1), (2.0, 1.8), (3.0, 3.3)],
        };
        let svg = scatter(&predictions);
        assert_eq!(svg.matches("<circle class=\"point c0\"").count(), 3);
        assert!(svg.contains(r#"data-samples="3" data-points="3""#));
        assert!(svg.contains("class=\"identity\""));
        assert!(legend(&predictions).contains("predicted = true"));
    }

    #[test]
    fn large_test_sets_are_thinned() {
        let pairs = (0..10_000).map(|i| (i as f64, i as f64 + 0.5)).collect();
        let predictions = Predictions { outputs: 2, pairs };
        let svg = scatter(&predictions);
        assert!(
            svg.contains(r#"data-samples="5000" data-points="1667""#),
            "{}",
            &svg[..200]
        );
        assert_eq!(svg.matches("<circle").count(), 2 * 1667);
        assert!(legend(&predictions).contains("output 2"));
    }
}
