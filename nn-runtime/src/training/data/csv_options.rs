//! Which CSV columns become inputs and targets, and how the file is laid out.

use core::fmt;

use super::Labels;

/// A CSV column, by 0-based index or by its name in the header row.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Column {
    /// The 0-based position of the field in each record.
    Index(usize),
    /// The column's name in the header row (surrounding spaces ignored).
    Name(String),
}

impl From<usize> for Column {
    fn from(index: usize) -> Self {
        Column::Index(index)
    }
}

impl From<&str> for Column {
    fn from(name: &str) -> Self {
        Column::Name(name.to_owned())
    }
}

impl From<String> for Column {
    fn from(name: String) -> Self {
        Column::Name(name)
    }
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Column::Index(index) => write!(f, "column {index}"),
            Column::Name(name) => write!(f, "column `{name}`"),
        }
    }
}

/// Where the targets come from.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Targets {
    /// The last `OUT` columns.
    Last,
    /// These columns, in order.
    Columns(Vec<Column>),
    /// One column of class labels (integers in `0..OUT`, or names), one-hot encoded.
    Label(Column),
}

/// How to read a CSV file into a [`Dataset`](super::Dataset): the columns that hold the inputs
/// and the targets, whether the first row is a header, the delimiter, and the class names of a
/// label column.
///
/// By default the first row is a header, fields are separated by commas, the targets are the
/// last `OUT` columns and the inputs every other column, in file order. Choosing targets (or a
/// label column) without inputs makes the inputs every column not chosen as a target.
///
/// ```
/// use nn_runtime::data::CsvOptions;
///
/// // Inputs from named columns, the class label (one-hot encoded) from the last field.
/// let options = CsvOptions::new()
///     .inputs(["sepal_length", "sepal_width"])
///     .label(4);
/// // No header, semicolons, columns 0..3 as inputs and column 5 as the target.
/// let options = CsvOptions::new().header(false).delimiter(b';').inputs(0..3).targets([5]);
/// ```
///
/// A label column of names (`setosa`) is read by
/// [`Dataset::from_csv_with_labels`](super::Dataset::from_csv_with_labels), which learns them,
/// and later files with the same names through [`known_labels`](Self::known_labels).
#[derive(Clone, Debug, PartialEq)]
pub struct CsvOptions {
    pub(super) inputs: Option<Vec<Column>>,
    pub(super) targets: Targets,
    pub(super) header: bool,
    pub(super) delimiter: u8,
    pub(super) known_labels: Option<Labels>,
}

impl Default for CsvOptions {
    fn default() -> Self {
        Self {
            inputs: None,
            targets: Targets::Last,
            header: true,
            delimiter: b',',
            known_labels: None,
        }
    }
}

impl CsvOptions {
    /// The defaults: a header row, commas, the last `OUT` columns as targets, the rest as inputs.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes the inputs from `columns`, in this order: indices (`[0, 1, 2]`, `0..3`) or header
    /// names (`["age", "height"]`). Exactly `IN` columns must be given.
    pub fn inputs<C: Into<Column>>(mut self, columns: impl IntoIterator<Item = C>) -> Self {
        self.inputs = Some(columns.into_iter().map(Into::into).collect());
        self
    }

    /// Takes the targets from `columns`, in this order (exactly `OUT` of them), replacing any
    /// [`label`](Self::label) column.
    pub fn targets<C: Into<Column>>(mut self, columns: impl IntoIterator<Item = C>) -> Self {
        self.targets = Targets::Columns(columns.into_iter().map(Into::into).collect());
        self
    }

    /// Takes the targets from one column of class labels in `0..OUT` (integers such as `3` or
    /// `3.0`), each stored one-hot, replacing any [`targets`](Self::targets). With
    /// [`known_labels`](Self::known_labels), or read by
    /// [`Dataset::from_csv_with_labels`](super::Dataset::from_csv_with_labels), the labels are
    /// names instead.
    pub fn label(mut self, column: impl Into<Column>) -> Self {
        self.targets = Targets::Label(column.into());
        self
    }

    /// Whether the first row is a header of column names (default `true`).
    pub fn header(mut self, header: bool) -> Self {
        self.header = header;
        self
    }

    /// The field delimiter (default `b','`), e.g. `b';'` or `b'\t'`.
    pub fn delimiter(mut self, delimiter: u8) -> Self {
        self.delimiter = delimiter;
        self
    }

    /// Reads the [`label`](Self::label) column as names among `labels` (learned from the training
    /// file, or a model's): the label named `labels.name(i)` is class `i`, and any other is a
    /// [`DataError::CsvUnknownLabel`](crate::DataError::CsvUnknownLabel) naming it and its line.
    /// There must be as many labels as the dataset's outputs (2 for a single output), and a
    /// label column must be chosen.
    pub fn known_labels(mut self, labels: Labels) -> Self {
        self.known_labels = Some(labels);
        self
    }
}
