//! The confusion matrix as an SVG heat map: a cell per true and predicted class holding its
//! count, shaded by its share of the true class, blue on the diagonal and red off it.

use std::fmt::Write;

use super::text::{escape, percent};
use crate::metrics::ConfusionMatrix;

/// The width of the label characters, in SVG units.
const CHAR_WIDTH: f64 = 7.2;
/// The grid's target width in SVG units.
const GRID: f64 = 400.0;
/// The most the heat map is enlarged on a wide screen: few classes keep their cells' size.
const MOST_SCALE: f64 = 1.25;
/// Above this many classes the cells hold no numbers (their titles still do).
const MOST_LABELLED: usize = 30;

/// The heat map of `matrix`, its classes named by `names` (one per class).
pub(super) fn heat_map(matrix: &ConfusionMatrix, names: &[String]) -> String {
    let classes = matrix.classes();
    let cell = (GRID / classes as f64).clamp(12.0, 44.0);
    let longest = names.iter().map(|n| n.chars().count()).max().unwrap_or(1);
    let left = 26.0 + CHAR_WIDTH * longest as f64 + 8.0;
    let top = 44.0;
    let width = left + cell * classes as f64 + 8.0;
    let height = top + cell * classes as f64 + 8.0;
    let font = (cell * 0.36).min(13.0);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg id="nn-confusion" class="heat" data-classes="{classes}" data-samples="{}" viewBox="0 0 {width:.1} {height:.1}" style="max-width:{:.0}px" role="img" aria-label="Confusion matrix of the test set: true classes in rows, predicted classes in columns">"#,
        matrix.samples(),
        width * MOST_SCALE
    );
    let middle = left + cell * classes as f64 / 2.0;
    let _ = write!(
        svg,
        r#"<text class="axis-title" x="{middle:.1}" y="14" text-anchor="middle">predicted class</text><text class="axis-title" transform="translate(14 {:.1}) rotate(-90)" text-anchor="middle">true class</text>"#,
        top + cell * classes as f64 / 2.0
    );
    for (i, name) in names.iter().enumerate() {
        let center = i as f64 * cell + cell / 2.0;
        let _ = write!(
            svg,
            r#"<text class="tick" x="{:.1}" y="{:.1}" text-anchor="middle">{name}</text><text class="tick" x="{:.1}" y="{:.1}" text-anchor="end">{name}</text>"#,
            left + center,
            top - 8.0,
            left - 6.0,
            top + center + 4.0,
            name = escape(name)
        );
    }
    for (actual, row) in matrix.rows().enumerate() {
        let total: usize = row.iter().sum();
        for (predicted, &count) in row.iter().enumerate() {
            let share = if total == 0 {
                0.0
            } else {
                count as f64 / total as f64
            };
            let correct = actual == predicted;
            let x = left + predicted as f64 * cell;
            let y = top + actual as f64 * cell;
            let _ = write!(
                svg,
                r#"<rect class="cell" x="{x:.1}" y="{y:.1}" width="{cell:.1}" height="{cell:.1}" fill="{}" data-true="{actual}" data-predicted="{predicted}" data-value="{count}"><title>true {}, predicted {}: {count} ({} of the true class)</title></rect>"#,
                shade(share, correct),
                escape(&names[actual]),
                escape(&names[predicted]),
                percent(share)
            );
            if count > 0 && classes <= MOST_LABELLED {
                let ink = if share > 0.55 {
                    "ink-light"
                } else {
                    "ink-dark"
                };
                let _ = write!(
                    svg,
                    r#"<text class="count {ink}" x="{:.1}" y="{:.1}" font-size="{font:.1}" text-anchor="middle">{count}</text>"#,
                    x + cell / 2.0,
                    y + cell / 2.0 + font * 0.35
                );
            }
        }
    }
    svg.push_str("</svg>");
    svg
}

/// The legend of the heat map's two shades, each shown light (a small share) and full.
pub(super) fn legend() -> String {
    let swatch = |correct: bool| {
        format!(
            r#"<svg class="swatch" viewBox="0 0 28 12" aria-hidden="true"><rect x="1" y="0" width="12" height="12" fill="{}"/><rect x="15" y="0" width="12" height="12" fill="{}"/></svg>"#,
            shade(0.2, correct),
            shade(1.0, correct)
        )
    };
    format!(
        r#"<ul class="legend"><li>{}predicted right, shaded by share of the true class</li><li>{}predicted wrong, shaded by share of the true class</li></ul>"#,
        swatch(true),
        swatch(false)
    )
}

/// The fill of a cell holding `share` of its true class: from white to blue on the diagonal,
/// to red off it; a cell that is not empty is never white.
fn shade(share: f64, correct: bool) -> String {
    let (r, g, b) = if correct {
        (37.0, 99.0, 235.0)
    } else {
        (220.0, 38.0, 38.0)
    };
    let t = if share > 0.0 { share.max(0.15) } else { 0.0 };
    let mix = |c: f64| (255.0 + (c - 255.0) * t).round() as u8;
    format!("#{:02x}{:02x}{:02x}", mix(r), mix(g), mix(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cell_carries_its_count() {
        let matrix =
            ConfusionMatrix::from_predictions(3, &[0, 1, 1, 2, 0], &[0, 1, 2, 2, 1]).unwrap();
        let names = ["cat", "dog", "<bird>"].map(String::from);
        let svg = heat_map(&matrix, &names);
        assert_eq!(svg.matches("<rect class=\"cell\"").count(), 9);
        for (actual, row) in matrix.rows().enumerate() {
            for (predicted, count) in row.iter().enumerate() {
                let cell = format!(
                    r#"data-true="{actual}" data-predicted="{predicted}" data-value="{count}""#
                );
                assert!(svg.contains(&cell), "{cell}");
            }
        }
        assert!(svg.contains("&lt;bird&gt;") && !svg.contains("<bird>"));
        assert!(svg.contains(r#"data-classes="3" data-samples="5""#));
    }

    #[test]
    fn shades_run_from_white_to_the_full_color() {
        assert_eq!(shade(0.0, true), "#ffffff");
        assert_eq!(shade(1.0, true), "#2563eb");
        assert_eq!(shade(1.0, false), "#dc2626");
        assert_ne!(shade(0.001, false), "#ffffff");
    }
}
