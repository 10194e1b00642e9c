//! Where a drawing of a network puts its units and which edges it draws: every unit of a
//! layer up to [`MAX_DRAWN_UNITS`], else the [`SUMMARY_UNITS`] strongest; every edge between
//! drawn units up to [`MAX_EDGES`] a layer, else the strongest by weight.

/// The widest layer drawn unit by unit.
pub(crate) const MAX_DRAWN_UNITS: usize = 64;
/// How many units of a wider layer are drawn: the strongest.
pub(crate) const SUMMARY_UNITS: usize = 16;
/// The most edges drawn between two layers: the strongest by weight.
pub(crate) const MAX_EDGES: usize = 160;

/// The horizontal distance between two columns.
const COLUMN_GAP: f64 = 170.0;
/// The space left and right of the outer columns.
const MARGIN: f64 = 70.0;
/// The height of the column headings.
const HEADING: f64 = 46.0;
/// The height the units of the tallest column share.
const UNITS_HEIGHT: f64 = 520.0;
/// Unit spacing at least this wide leaves room for a number on each unit.
const LABEL_SPACING: f64 = 26.0;

/// What a column of the drawing shows: the input or one layer.
#[derive(Clone, Debug)]
pub(crate) struct ColumnSpec {
    /// `input`, or the layer's name (`dense1`).
    pub name: String,
    /// `Input<3>`, or the layer as declared.
    pub title: String,
    /// How strongly each unit shows: the strongest are drawn when not all can be.
    pub strength: Vec<f64>,
    /// For a dense layer, its weight (column-major, `width × previous width`); `None` for a layer
    /// whose unit `i` reads unit `i` of the previous one, and for the input.
    pub weight: Option<Vec<f64>>,
}

/// One column as drawn.
#[derive(Clone, Debug)]
pub(crate) struct Column {
    pub name: String,
    pub title: String,
    /// The number of units of the layer.
    pub width: usize,
    /// The units drawn, in increasing order.
    pub shown: Vec<usize>,
    /// The centre's x.
    pub x: f64,
    /// Each drawn unit's centre y, in the order of `shown`.
    pub ys: Vec<f64>,
    /// The y of the note counting the units not drawn, if any are not.
    pub more_y: Option<f64>,
}

impl Column {
    /// The units of the layer not drawn.
    pub fn hidden(&self) -> usize {
        self.width - self.shown.len()
    }

    /// The y of unit `unit`, if it is drawn.
    pub fn y_of(&self, unit: usize) -> Option<f64> {
        self.shown
            .binary_search(&unit)
            .ok()
            .map(|index| self.ys[index])
    }
}

/// How a column is joined to the one before.
#[derive(Clone, Debug)]
pub(crate) enum Link {
    /// A dense layer's edges `(output i, input j)` drawn, and how many there are in all.
    Dense {
        edges: Vec<(usize, usize)>,
        total: usize,
    },
    /// Unit `i` reads unit `i` of the previous column.
    OneToOne,
}

/// A network's drawing: its columns, the links into each column after the first, and the size.
#[derive(Clone, Debug)]
pub(crate) struct Layout {
    pub columns: Vec<Column>,
    /// `links[c - 1]` joins column `c - 1` to column `c`.
    pub links: Vec<Link>,
    pub width: f64,
    pub height: f64,
    pub radius: f64,
    /// Whether units are large enough to carry a number.
    pub labels: bool,
}

/// The units of a layer to draw: all up to [`MAX_DRAWN_UNITS`], else the [`SUMMARY_UNITS`]
/// strongest (the lower index first among equals), in increasing order.
fn shown_units(strength: &[f64]) -> Vec<usize> {
    if strength.len() <= MAX_DRAWN_UNITS {
        return (0..strength.len()).collect();
    }
    let mut order: Vec<usize> = (0..strength.len()).collect();
    order.sort_by(|&a, &b| strength[b].total_cmp(&strength[a]).then(a.cmp(&b)));
    order.truncate(SUMMARY_UNITS);
    order.sort_unstable();
    order
}

/// The edges of a dense layer between drawn units, the strongest [`MAX_EDGES`] by `|w|`.
fn dense_edges(weight: &[f64], outputs: usize, from: &Column, to: &Column) -> Vec<(usize, usize)> {
    let mut edges: Vec<(usize, usize)> = to
        .shown
        .iter()
        .flat_map(|&i| from.shown.iter().map(move |&j| (i, j)))
        .collect();
    if edges.len() > MAX_EDGES {
        let magnitude = |&(i, j): &(usize, usize)| weight[j * outputs + i].abs();
        edges.sort_by(|a, b| magnitude(b).total_cmp(&magnitude(a)).then(a.cmp(b)));
        edges.truncate(MAX_EDGES);
        edges.sort_unstable();
    }
    edges
}

impl Layout {
    /// Lays out `specs`, the input first.
    pub fn new(specs: &[ColumnSpec]) -> Layout {
        let shown: Vec<Vec<usize>> = specs.iter().map(|s| shown_units(&s.strength)).collect();
        let slots =
            |c: usize| shown[c].len() + usize::from(shown[c].len() < specs[c].strength.len());
        let most = (0..specs.len()).map(slots).max().unwrap_or(1).max(1);
        let spacing = (UNITS_HEIGHT / most as f64).clamp(9.0, 44.0);
        let content = most as f64 * spacing;
        let columns: Vec<Column> = specs
            .iter()
            .enumerate()
            .map(|(c, spec)| {
                let top = HEADING + (content - slots(c) as f64 * spacing) / 2.0 + spacing / 2.0;
                let ys: Vec<f64> = (0..shown[c].len())
                    .map(|k| top + k as f64 * spacing)
                    .collect();
                let more_y = (shown[c].len() < spec.strength.len())
                    .then(|| top + shown[c].len() as f64 * spacing);
                Column {
                    name: spec.name.clone(),
                    title: spec.title.clone(),
                    width: spec.strength.len(),
                    shown: shown[c].clone(),
                    x: MARGIN + c as f64 * COLUMN_GAP,
                    ys,
                    more_y,
                }
            })
            .collect();
        let links = (1..specs.len())
            .map(|c| match &specs[c].weight {
                Some(weight) => Link::Dense {
                    edges: dense_edges(weight, columns[c].width, &columns[c - 1], &columns[c]),
                    total: columns[c].width * columns[c - 1].width,
                },
                None => Link::OneToOne,
            })
            .collect();
        Layout {
            width: 2.0 * MARGIN + (specs.len().max(1) - 1) as f64 * COLUMN_GAP,
            height: HEADING + content + 16.0,
            radius: (spacing * 0.38).min(16.0),
            labels: spacing >= LABEL_SPACING,
            columns,
            links,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(width: usize, weight: Option<Vec<f64>>) -> ColumnSpec {
        ColumnSpec {
            name: "layer".into(),
            title: "Layer".into(),
            strength: (0..width).map(|i| (i % 10) as f64).collect(),
            weight,
        }
    }

    #[test]
    fn narrow_layers_are_drawn_whole_and_wide_ones_by_their_strongest_units() {
        let weight: Vec<f64> = (0..784 * 4).map(|k| (k % 7) as f64 - 3.0).collect();
        let layout = Layout::new(&[spec(784, None), spec(4, Some(weight))]);
        let input = &layout.columns[0];
        assert_eq!(input.shown.len(), SUMMARY_UNITS);
        assert_eq!(input.hidden(), 784 - SUMMARY_UNITS);
        assert!(input.shown.iter().all(|&i| i % 10 == 9));
        assert!(input.more_y.is_some());
        assert_eq!(layout.columns[1].shown, [0, 1, 2, 3]);
        match &layout.links[0] {
            Link::Dense { edges, total } => {
                assert_eq!(edges.len(), 4 * SUMMARY_UNITS);
                assert_eq!(*total, 4 * 784);
            }
            Link::OneToOne => panic!("a dense layer has edges"),
        }
    }

    #[test]
    fn only_the_strongest_edges_are_drawn_between_large_layers() {
        let weight: Vec<f64> = (0..64 * 32).map(|k| k as f64).collect();
        let layout = Layout::new(&[spec(64, None), spec(32, Some(weight))]);
        let Link::Dense { edges, .. } = &layout.links[0] else {
            panic!("a dense layer has edges");
        };
        assert_eq!(edges.len(), MAX_EDGES);
        // The largest weights are those of the last inputs (column-major).
        assert!(edges.iter().all(|&(_, j)| j >= 64 - MAX_EDGES / 32));
        assert!(!layout.labels);
    }
}
