//! Line charts of per-epoch values as inline SVG: one line per series over the epochs on a
//! linear or log axis, a dot per epoch on short runs, and the best epoch's marker; and the HTML
//! legend that names every line and marker.

use std::fmt::Write;

use super::axis::{Axis, Scale};
use super::text::{escape, exact, figure};

/// The chart's size in SVG units (it scales to its container's width).
const WIDTH: f64 = 480.0;
const HEIGHT: f64 = 270.0;
const TOP: f64 = 10.0;
const RIGHT: f64 = 14.0;
const BOTTOM: f64 = 40.0;
/// The width the y-axis labels take per character.
const CHAR_WIDTH: f64 = 7.2;
/// Runs up to this many epochs get a dot per epoch.
const MOST_DOTS: usize = 60;

/// One line: a value per epoch (NaN where there is none), drawn in palette color `color`.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Series {
    /// What the legend calls it.
    pub label: String,
    /// The palette index (`c0` … `c7` in the page's style).
    pub color: usize,
    /// Whether the line is dashed (validation beside training).
    pub dashed: bool,
    /// The value of each epoch, epoch 1 first.
    pub values: Vec<f64>,
}

/// The best epoch, drawn as a vertical line, with a ring at `value` when given.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct BestMarker {
    /// The 1-based epoch.
    pub epoch: usize,
    /// The value to ring at that epoch (the monitored loss on the loss chart).
    pub value: Option<f64>,
}

/// A line chart of `series` over `epochs` epochs on `scale`, with `best` marked; `None` on a
/// log scale when no value is positive. `id` names the `<svg>`, `label` describes it.
pub(super) fn line_chart(
    id: &str,
    label: &str,
    series: &[Series],
    best: Option<&BestMarker>,
    epochs: usize,
    scale: Scale,
) -> Option<String> {
    let values = series.iter().flat_map(|s| s.values.iter().copied());
    let y = match scale {
        Scale::Linear => Axis::linear(values),
        Scale::Log => Axis::log(values)?,
    };
    let x = Axis::epochs(epochs);
    let longest = y
        .ticks
        .iter()
        .map(|(_, l)| l.chars().count())
        .max()
        .unwrap_or(1);
    let left = 14.0 + CHAR_WIDTH * longest as f64;
    let plot = Plot {
        left,
        right: WIDTH - RIGHT,
        top: TOP,
        bottom: HEIGHT - BOTTOM,
    };
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg id="{id}" class="chart" data-scale="{}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{}">"#,
        scale.name(),
        escape(label)
    );
    grid(&mut svg, &plot, &x, &y);
    if let Some(best) = best {
        marker_line(&mut svg, &plot, &x, best);
    }
    for (index, s) in series.iter().enumerate() {
        line(&mut svg, &plot, &x, &y, s, index, epochs <= MOST_DOTS);
    }
    if let Some(best) = best {
        marker_ring(&mut svg, &plot, &x, &y, best);
    }
    svg.push_str("</svg>");
    Some(svg)
}

/// The legend of a chart of `series` over `epochs` epochs with `best` marked: one entry per
/// line and one for the marker, each with a swatch drawn as the chart draws it (with a dot
/// when the chart has a dot per epoch).
pub(super) fn legend(series: &[Series], best: Option<&BestMarker>, epochs: usize) -> String {
    let mut html = String::from(r#"<ul class="legend">"#);
    for s in series {
        let color = s.color % 8;
        let dash = if s.dashed { " dashed" } else { "" };
        let dot = if epochs <= MOST_DOTS {
            format!(r#"<circle class="dot c{color}" cx="14" cy="6" r="2.5"/>"#)
        } else {
            String::new()
        };
        let _ = write!(
            html,
            r#"<li><svg class="swatch" viewBox="0 0 28 12" aria-hidden="true"><line class="line c{color}{dash}" x1="1" y1="6" x2="27" y2="6"/>{dot}</svg>{}</li>"#,
            escape(&s.label)
        );
    }
    if let Some(best) = best {
        let ring = if best.value.is_some() {
            r#"<circle class="best-ring" cx="14" cy="6" r="4"/>"#
        } else {
            ""
        };
        let _ = write!(
            html,
            r#"<li><svg class="swatch" viewBox="0 0 28 12" aria-hidden="true"><line class="best swatch-best" x1="14" y1="-1" x2="14" y2="13"/>{ring}</svg>best epoch ({})</li>"#,
            best.epoch
        );
    }
    html.push_str("</ul>");
    html
}

/// The plotting area in SVG units.
struct Plot {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
}

impl Plot {
    fn x(&self, axis: &Axis, value: f64) -> Option<f64> {
        Some(self.left + axis.fraction(value)? * (self.right - self.left))
    }

    fn y(&self, axis: &Axis, value: f64) -> Option<f64> {
        Some(self.bottom - axis.fraction(value)? * (self.bottom - self.top))
    }
}

/// The frame, the grid lines at the ticks and the tick labels, and the `epoch` title.
fn grid(svg: &mut String, plot: &Plot, x: &Axis, y: &Axis) {
    for (value, label) in &y.ticks {
        let Some(py) = plot.y(y, *value) else {
            continue;
        };
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{:.1}" y1="{py:.1}" x2="{:.1}" y2="{py:.1}"/><text class="tick" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            plot.left,
            plot.right,
            plot.left - 6.0,
            py + 4.0,
            escape(label)
        );
    }
    for (value, label) in &x.ticks {
        let Some(px) = plot.x(x, *value) else {
            continue;
        };
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{px:.1}" y1="{:.1}" x2="{px:.1}" y2="{:.1}"/><text class="tick" x="{px:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            plot.top,
            plot.bottom,
            plot.bottom + 16.0,
            escape(label)
        );
    }
    let _ = write!(
        svg,
        r#"<rect class="frame" x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}"/><text class="axis-title" x="{:.1}" y="{:.1}" text-anchor="middle">epoch</text>"#,
        plot.left,
        plot.top,
        plot.right - plot.left,
        plot.bottom - plot.top,
        (plot.left + plot.right) / 2.0,
        HEIGHT - 4.0
    );
}

/// One series as a path broken where values are missing, with a dot per epoch when `dots`.
fn line(svg: &mut String, plot: &Plot, x: &Axis, y: &Axis, s: &Series, index: usize, dots: bool) {
    let color = s.color % 8;
    let dash = if s.dashed { " dashed" } else { "" };
    let points: Vec<Option<(f64, f64)>> = s
        .values
        .iter()
        .enumerate()
        .map(|(i, &v)| Some((plot.x(x, (i + 1) as f64)?, plot.y(y, v)?)))
        .collect();
    let mut path = String::new();
    let mut pen_down = false;
    for point in &points {
        match point {
            Some((px, py)) => {
                let command = if pen_down { 'L' } else { 'M' };
                let _ = write!(path, "{command}{px:.1} {py:.1}");
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    let _ = write!(
        svg,
        r#"<path class="line c{color}{dash}" data-series="{index}" d="{path}"/>"#
    );
    if dots {
        for (i, point) in points.iter().enumerate() {
            if let Some((px, py)) = point {
                let _ = write!(
                    svg,
                    r#"<circle class="dot c{color}" cx="{px:.1}" cy="{py:.1}" r="2.5" data-epoch="{}" data-value="{}"><title>epoch {}: {} {}</title></circle>"#,
                    i + 1,
                    exact(s.values[i]),
                    i + 1,
                    escape(&s.label),
                    figure(s.values[i])
                );
            }
        }
    }
}

/// The best epoch's vertical line, drawn beneath the series.
fn marker_line(svg: &mut String, plot: &Plot, x: &Axis, best: &BestMarker) {
    if let Some(px) = plot.x(x, best.epoch as f64) {
        let _ = write!(
            svg,
            r#"<line class="best" data-epoch="{}" x1="{px:.1}" y1="{:.1}" x2="{px:.1}" y2="{:.1}"/>"#,
            best.epoch, plot.top, plot.bottom
        );
    }
}

/// The ring around the best epoch's value, drawn above the series.
fn marker_ring(svg: &mut String, plot: &Plot, x: &Axis, y: &Axis, best: &BestMarker) {
    let Some(value) = best.value else {
        return;
    };
    if let (Some(px), Some(py)) = (plot.x(x, best.epoch as f64), plot.y(y, value)) {
        let _ = write!(
            svg,
            r#"<circle class="best-ring" cx="{px:.1}" cy="{py:.1}" r="5"><title>best epoch {}: {}</title></circle>"#,
            best.epoch,
            figure(value)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(values: Vec<f64>) -> Series {
        Series {
            label: "training <loss>".to_string(),
            color: 0,
            dashed: false,
            values,
        }
    }

    #[test]
    fn a_chart_draws_each_value_and_the_marker() {
        let best = BestMarker {
            epoch: 2,
            value: Some(0.5),
        };
        let s = [series(vec![1.0, 0.5, 0.7])];
        let svg = line_chart("loss", "Loss", &s, Some(&best), 3, Scale::Linear).unwrap();
        assert!(svg.starts_with(r#"<svg id="loss" class="chart" data-scale="linear""#));
        assert_eq!(svg.matches("<circle class=\"dot c0\"").count(), 3);
        assert!(svg.contains(r#"data-epoch="2" data-value="0.5""#));
        assert!(svg.contains(r#"<line class="best" data-epoch="2""#));
        assert!(svg.contains("best-ring"));
        assert!(svg.contains("training &lt;loss&gt;"));
        assert!(svg.ends_with("</svg>"));
        let legend = legend(&s, Some(&best), 3);
        assert!(legend.contains("training &lt;loss&gt;") && legend.contains("best epoch (2)"));
        assert!(legend.contains("class=\"dot c0\"") && legend.contains("best-ring"));
    }

    #[test]
    fn missing_values_break_the_line_and_log_charts_need_positive_values() {
        let s = [series(vec![1.0, f64::NAN, 0.5, 0.25])];
        let svg = line_chart("x", "x", &s, None, 4, Scale::Log).unwrap();
        let path = svg.split(" d=\"").nth(1).unwrap();
        assert_eq!(path.matches('M').count(), 2, "{path}");
        let zeros = [series(vec![0.0, 0.0])];
        assert!(line_chart("z", "z", &zeros, None, 2, Scale::Log).is_none());
    }

    #[test]
    fn long_runs_have_no_dots() {
        let s = [series((1..=100).map(|i| 1.0 / i as f64).collect())];
        let svg = line_chart("long", "long", &s, None, 100, Scale::Linear).unwrap();
        assert!(!svg.contains("class=\"dot"));
        assert!(!legend(&s, None, 100).contains("class=\"dot"));
    }
}
