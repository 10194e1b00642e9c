//! Typed errors of the runtime: bad data, bad hyperparameters, divergence.

use thiserror::Error;

pub use crate::learning::error::HyperparameterError;

/// Which side of a sample a value belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The network's input.
    Input,
    /// The training target.
    Target,
}

impl core::fmt::Display for Side {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Side::Input => "input",
            Side::Target => "target",
        })
    }
}

/// A dataset that cannot be used.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum DataError {
    /// There are no samples.
    #[error("the dataset is empty, expected at least one sample")]
    Empty,
    /// Inputs and targets differ in count.
    #[error(
        "the dataset has {inputs} input rows but {targets} target rows, expected as many of each"
    )]
    CountMismatch {
        /// The number of input rows.
        inputs: usize,
        /// The number of target rows.
        targets: usize,
    },
    /// A row has the wrong number of values.
    #[error("{side} row {row} has {found} values, expected {expected}")]
    RowLength {
        /// Input or target.
        side: Side,
        /// The row's index.
        row: usize,
        /// Its length.
        found: usize,
        /// The network's width on that side.
        expected: usize,
    },
    /// Flat values given for a side of width 0, which no number of rows can hold.
    #[error(
        "flat {side} values cannot be split into rows of 0 values, expected a width of at least 1"
    )]
    ZeroWidth {
        /// Input or target.
        side: Side,
    },
    /// A value is NaN or infinite.
    #[error("{side} row {row}, column {column} is {value}, expected a finite number")]
    NotFinite {
        /// Input or target.
        side: Side,
        /// The row's index.
        row: usize,
        /// The column's index.
        column: usize,
        /// The value found.
        value: f64,
    },
    /// A class label is not below the number of classes.
    #[error("row {row} has class label {label}, expected a label below {classes}")]
    LabelOutOfRange {
        /// The row's index.
        row: usize,
        /// The label found.
        label: usize,
        /// The number of classes.
        classes: usize,
    },
    /// A validation fraction outside (0, 1).
    #[error("validation fraction {fraction} is invalid, expected a number in (0, 1)")]
    SplitFraction {
        /// The fraction given.
        fraction: f64,
    },
    /// A split that would leave one side without samples.
    #[error(
        "splitting {samples} samples with validation fraction {fraction} leaves {train} training and {validation} validation samples, expected at least one on each side"
    )]
    SplitSide {
        /// The number of samples split.
        samples: usize,
        /// The validation fraction.
        fraction: f64,
        /// The training samples it would leave.
        train: usize,
        /// The validation samples it would leave.
        validation: usize,
    },
    /// A standardizer's statistic that cannot scale data.
    #[error("the {statistic} of column {column} is {value}, expected a finite number{}", if *statistic == "mean" { "" } else { " above 0" })]
    InvalidStatistic {
        /// `mean` or `standard deviation`.
        statistic: &'static str,
        /// The column's index.
        column: usize,
        /// The value given.
        value: f64,
    },
    /// Sample or class weights of another count than the samples or classes.
    #[error("{found} {what} weights were given, expected {expected}, one per {what}")]
    WeightCount {
        /// `sample` or `class`.
        what: &'static str,
        /// The number of weights given.
        found: usize,
        /// The number of samples or classes.
        expected: usize,
    },
    /// A sample or class weight that is negative, NaN or infinite.
    #[error("the {what} weight of {which} {index} is {value}, expected a finite number ≥ 0")]
    InvalidWeight {
        /// `sample` or `class`.
        what: &'static str,
        /// `row` or `class`.
        which: &'static str,
        /// The row or class.
        index: usize,
        /// The weight given.
        value: f64,
    },
    /// Weights that are all zero, so that no sample would count.
    #[error("every {what} weight is 0, expected at least one above 0")]
    ZeroWeights {
        /// `sample` or `class`.
        what: &'static str,
    },
    /// CSV data that cannot be read at all (a missing file, an I/O error).
    #[error("cannot read the CSV data: {message}")]
    CsvRead {
        /// What went wrong, in words.
        message: String,
    },
    /// CSV data with no data rows.
    #[error("the CSV data has no data rows, expected at least one")]
    CsvEmpty,
    /// A CSV record with another number of fields than the first.
    #[error("line {line} has {found} fields, expected {expected} like the first line")]
    CsvFieldCount {
        /// The record's 1-based line in the file.
        line: u64,
        /// Its number of fields.
        found: usize,
        /// The first record's number of fields.
        expected: usize,
    },
    /// A column named in the options that the header lacks.
    #[error("the header on line {line} has no column `{name}`")]
    CsvMissingColumn {
        /// The header's 1-based line in the file.
        line: u64,
        /// The name looked for.
        name: String,
    },
    /// Columns chosen by name for CSV data without a header row.
    #[error("column `{name}` is chosen by name, but the CSV data has no header row")]
    CsvNoHeader {
        /// The name given.
        name: String,
    },
    /// A column index at or beyond the number of fields.
    #[error(
        "column {column} does not exist: line {line} has {fields} fields (columns count from 0)"
    )]
    CsvColumnOutOfRange {
        /// The 1-based line of the first record.
        line: u64,
        /// The 0-based column index given.
        column: usize,
        /// The number of fields.
        fields: usize,
    },
    /// The chosen columns do not match the dataset's width.
    #[error("{found} {side} columns are chosen, expected {expected}")]
    CsvColumnCount {
        /// Input or target.
        side: Side,
        /// The number of columns chosen.
        found: usize,
        /// The dataset's width on that side.
        expected: usize,
    },
    /// A CSV field that is not a number.
    #[error("line {line}, column {column}: `{field}` is not a number (columns count from 0)")]
    CsvNotANumber {
        /// The record's 1-based line in the file.
        line: u64,
        /// The 0-based column.
        column: usize,
        /// The field's text.
        field: String,
    },
    /// A CSV field that is NaN or infinite, or too large for the element type.
    #[error(
        "line {line}, column {column}: `{field}` is not a finite number (columns count from 0)"
    )]
    CsvNotFinite {
        /// The record's 1-based line in the file.
        line: u64,
        /// The 0-based column.
        column: usize,
        /// The field's text.
        field: String,
    },
    /// A CSV class label that is not a non-negative integer.
    #[error(
        "line {line}, column {column}: `{field}` is not a class label, expected an integer from 0 (columns count from 0)"
    )]
    CsvNotALabel {
        /// The record's 1-based line in the file.
        line: u64,
        /// The 0-based column.
        column: usize,
        /// The field's text.
        field: String,
    },
    /// A CSV class label not below the number of classes.
    #[error(
        "line {line}, column {column}: class label {label} is out of range, expected a label below {classes} (columns count from 0)"
    )]
    CsvLabelOutOfRange {
        /// The record's 1-based line in the file.
        line: u64,
        /// The 0-based column.
        column: usize,
        /// The label found.
        label: usize,
        /// The number of classes.
        classes: usize,
    },
    /// A class label name that is empty or only spaces.
    #[error("class label {index} is empty, expected a non-empty name")]
    EmptyLabel {
        /// The name's 0-based position.
        index: usize,
    },
    /// A class label name given twice.
    #[error("class label {index} `{name}` repeats class label {first}, expected unique labels")]
    DuplicateLabel {
        /// The name.
        name: String,
        /// The 0-based position of its first occurrence.
        first: usize,
        /// The 0-based position of the repeat.
        index: usize,
    },
    /// Another number of class labels than the dataset's outputs call for: one per output, or 2
    /// for a single output.
    #[error(
        "there are {} class labels ({}), expected {}",
        labels.len(),
        list(labels),
        class_rule(*expected, *outputs)
    )]
    LabelCount {
        /// The labels learned from the file, or given.
        labels: Vec<String>,
        /// The number the outputs call for.
        expected: usize,
        /// The dataset's output width.
        outputs: usize,
    },
    /// A CSV class label that is not among the known labels.
    #[error(
        "line {line}, column {column}: `{label}` is not a known class label, expected one of {} (columns count from 0)",
        list(known)
    )]
    CsvUnknownLabel {
        /// The record's 1-based line in the file.
        line: u64,
        /// The 0-based column.
        column: usize,
        /// The label found.
        label: String,
        /// The known labels, in the order of their classes.
        known: Vec<String>,
    },
    /// A CSV class label field that is empty.
    #[error(
        "line {line}, column {column}: the class label is empty, expected a name (columns count from 0)"
    )]
    CsvEmptyLabel {
        /// The record's 1-based line in the file.
        line: u64,
        /// The 0-based column.
        column: usize,
    },
    /// Class labels asked for (learned or known), but no label column chosen.
    #[error(
        "class labels are asked for, but the CSV options choose no label column, expected one chosen with `CsvOptions::label`"
    )]
    CsvNoLabelColumn,
}

/// Up to 10 names in backquotes, then how many more there are.
fn list(names: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut text = names
        .iter()
        .take(SHOWN)
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        text.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    text
}

/// What `expected` class labels are for `outputs` outputs, in words.
fn class_rule(expected: usize, outputs: usize) -> String {
    if outputs == 1 {
        format!("{expected} for a single output (target 0 for the first, 1 for the second)")
    } else {
        format!("{expected}, one per output")
    }
}

/// Why training failed. Nothing is lost: on divergence the last good weights are restored.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum TrainError {
    /// A hyperparameter is invalid.
    #[error(transparent)]
    Hyperparameter(#[from] HyperparameterError),
    /// The training data is unusable.
    #[error(transparent)]
    Data(#[from] DataError),
    /// The loss became NaN or infinite. The network holds the weights from the start of `epoch`.
    #[error(
        "the loss diverged to {loss} at epoch {epoch}, iteration {iteration}; the weights from the start of epoch {epoch} were restored"
    )]
    Diverged {
        /// The 1-based epoch.
        epoch: usize,
        /// The 1-based iteration within the epoch.
        iteration: usize,
        /// The loss value seen.
        loss: f64,
    },
    /// A checkpoint could not be written. Training stopped after `epoch`, whose weights the
    /// network holds.
    #[error("cannot write the checkpoint after epoch {epoch} to `{}`: {message}; the network holds the weights of epoch {epoch}", path.display())]
    Checkpoint {
        /// The epoch just finished.
        epoch: usize,
        /// Where the checkpoint was to go.
        path: std::path::PathBuf,
        /// What went wrong.
        message: String,
    },
    /// Class weights were set for a loss that does not train a classifier.
    #[error(
        "class weights need a classification loss (`SoftmaxCrossEntropy` or `BinaryCrossEntropy`), found {loss}; weigh samples with `Dataset::with_sample_weights` instead"
    )]
    ClassWeightsNeedClasses {
        /// The loss's name.
        loss: &'static str,
    },
    /// A checkpoint cannot resume this training (another optimizer or data size, or more epochs
    /// done than asked for).
    #[error("cannot resume from the checkpoint: {0}")]
    Resume(String),
    /// The network normalizes over each batch (`BatchNorm`), and some batch would hold a
    /// single sample, whose variance says nothing (PyTorch refuses it too).
    #[error(
        "`{network}` normalizes over each batch (`BatchNorm`) and needs batches of at least 2 samples, but {samples} training samples in batches of {batch_size} leave a batch of {smallest}; choose another batch size"
    )]
    BatchTooSmall {
        /// The network's name.
        network: &'static str,
        /// The batch size set.
        batch_size: usize,
        /// The number of training samples.
        samples: usize,
        /// The size of the smallest batch.
        smallest: usize,
    },
    /// The training threads could not be started: more than a pool holds, or the operating
    /// system refused (a limit on processes, threads or memory). No thread is left running.
    #[error(
        "cannot start {threads} training threads: {message}; expected the operating system to allow them, ask for fewer threads"
    )]
    ThreadSpawn {
        /// The number of threads asked for.
        threads: usize,
        /// The kind of the operating system's error.
        kind: std::io::ErrorKind,
        /// The operating system's error, in words.
        message: String,
    },
    /// An epoch of a [`Session`](crate::train::Session) was given a dataset of another size
    /// than the session was built for.
    #[error(
        "the dataset has {dataset} samples, but the session was built for {session}; expected a dataset of {session} samples"
    )]
    SampleCount {
        /// The number of samples the session was built for.
        session: usize,
        /// The number of samples in the dataset given.
        dataset: usize,
    },
}
