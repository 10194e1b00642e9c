//! Loading a [`Dataset`] from CSV with the `csv` crate.
//!
//! Records are read as bytes, one at a time; every failure is a [`DataError`] naming the 1-based
//! line of the record in the file and the 0-based column.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use ::csv::{ByteRecord, Reader, ReaderBuilder};

use super::csv_labels::LabelReader;
use super::csv_options::{Column, CsvOptions, Targets};
use super::{Dataset, Labels};
use crate::{DataError, Float, Side};

impl<T: Float, const IN: usize, const OUT: usize> Dataset<T, IN, OUT> {
    /// Reads the CSV file at `path`, choosing columns as `options` say.
    ///
    /// A file that cannot be opened is a [`DataError::CsvRead`]; everything else is as for
    /// [`from_csv_reader`](Self::from_csv_reader).
    pub fn from_csv(path: impl AsRef<Path>, options: &CsvOptions) -> Result<Self, DataError> {
        Self::from_csv_reader(open(path.as_ref())?, options)
    }

    /// Reads CSV data from `reader` (a file, `text.as_bytes()`, …), choosing columns as
    /// `options` say.
    ///
    /// Fields are parsed as decimal numbers, surrounding spaces ignored. Empty lines are
    /// skipped. Each failure is a typed [`DataError`] naming the line and column: no data rows
    /// ([`CsvEmpty`](DataError::CsvEmpty)), a record with another field count than the first
    /// ([`CsvFieldCount`](DataError::CsvFieldCount)), a column name the header lacks or a
    /// column index past the last field, chosen columns not matching `IN` or `OUT`, a field that
    /// is not a number or not finite (NaN, `inf`, too large for `T`), a label that is not an
    /// integer in `0..OUT` (or, with [`known_labels`](CsvOptions::known_labels), a label not
    /// among them, [`CsvUnknownLabel`](DataError::CsvUnknownLabel), or an empty one), and I/O
    /// errors ([`CsvRead`](DataError::CsvRead)).
    pub fn from_csv_reader(reader: impl Read, options: &CsvOptions) -> Result<Self, DataError> {
        read(reader, options, false).map(|(data, _)| data)
    }

    /// Reads the CSV file at `path` as [`from_csv`](Self::from_csv) does, its label column
    /// holding class names (`setosa`) rather than integers; returns the dataset and its
    /// [`Labels`].
    ///
    /// The labels are the [`known_labels`](CsvOptions::known_labels) of `options` if it has
    /// them; otherwise they are learned from the file: its distinct labels, sorted (see
    /// [`Labels`]), which must number `OUT` (one-hot targets), or 2 for `OUT = 1` (targets 0 and
    /// 1), else a [`DataError::LabelCount`] lists them. Read a later file with the same classes
    /// through `options.clone().known_labels(labels)`. `options` must choose a label column
    /// ([`CsvNoLabelColumn`](DataError::CsvNoLabelColumn)); an empty label is a
    /// [`CsvEmptyLabel`](DataError::CsvEmptyLabel).
    pub fn from_csv_with_labels(
        path: impl AsRef<Path>,
        options: &CsvOptions,
    ) -> Result<(Self, Labels), DataError> {
        Self::from_csv_reader_with_labels(open(path.as_ref())?, options)
    }

    /// Reads CSV data from `reader` as [`from_csv_with_labels`](Self::from_csv_with_labels)
    /// does.
    pub fn from_csv_reader_with_labels(
        reader: impl Read,
        options: &CsvOptions,
    ) -> Result<(Self, Labels), DataError> {
        if !matches!(options.targets, Targets::Label(_)) {
            return Err(DataError::CsvNoLabelColumn);
        }
        match read(reader, options, true)? {
            (data, Some(labels)) => Ok((data, labels)),
            (_, None) => Err(DataError::CsvNoLabelColumn),
        }
    }
}

/// Opens the file at `path`, naming it in the error.
fn open(path: &Path) -> Result<File, DataError> {
    File::open(path).map_err(|error| DataError::CsvRead {
        message: format!("{}: {error}", path.display()),
    })
}

/// Reads CSV data as `options` say, with the label column's names learned when `learn` and no
/// labels are known; returns the labels the label column was read with, if it holds names.
fn read<T: Float, const IN: usize, const OUT: usize>(
    reader: impl Read,
    options: &CsvOptions,
    learn: bool,
) -> Result<(Dataset<T, IN, OUT>, Option<Labels>), DataError> {
    if options.known_labels.is_some() && !matches!(options.targets, Targets::Label(_)) {
        return Err(DataError::CsvNoLabelColumn);
    }
    let mut labels = LabelReader::new::<OUT>(options.known_labels.as_ref(), learn)?;
    let mut records = Records::new(reader, options.delimiter);
    let header = if options.header {
        let Some((line, record)) = records.next()? else {
            return Err(DataError::CsvEmpty);
        };
        Some((line, names(record)))
    } else {
        None
    };
    let Some((first_line, first)) = records.next()? else {
        return Err(DataError::CsvEmpty);
    };
    let (layout_line, fields) = match &header {
        Some((line, names)) => (*line, names.len()),
        None => (first_line, first.len()),
    };
    let header = header
        .as_ref()
        .map(|(line, names)| (*line, names.as_slice()));
    let layout = Layout::resolve::<IN, OUT>(options, header, layout_line, fields)?;

    let mut inputs = Vec::new();
    let mut targets = Vec::new();
    let mut row = Some((first_line, first));
    while let Some((line, record)) = row {
        if record.len() != fields {
            return Err(DataError::CsvFieldCount {
                line,
                found: record.len(),
                expected: fields,
            });
        }
        inputs.push(layout.inputs::<T, IN>(&record, line)?);
        targets.push(layout.targets::<T, OUT>(&record, line, &mut labels)?);
        row = records.next()?;
    }
    let labels = labels.finish(&mut targets)?;
    Ok((Dataset::from_vecs(inputs, targets)?, labels))
}

/// The records of a CSV source with their 1-based lines.
///
/// The `csv` crate's record positions count blank lines skipped before a record and a `\n` left
/// over from a `\r\n` as part of it, so the line is worked out from the position after the
/// record instead: that line, less the line ends inside the record's quoted fields, less one if
/// the record's own line end was consumed (told by [`LineEnds`]).
struct Records<R> {
    reader: Reader<LineEnds<R>>,
}

impl<R: Read> Records<R> {
    fn new(reader: R, delimiter: u8) -> Self {
        let reader = ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(LineEnds::new(reader));
        Self { reader }
    }

    /// The next record and its line, `None` at the end.
    fn next(&mut self) -> Result<Option<(u64, ByteRecord)>, DataError> {
        let mut record = ByteRecord::new();
        match self.reader.read_byte_record(&mut record) {
            Ok(true) => {
                let end = self.reader.position().clone();
                let inside = record.as_slice().iter().filter(|&&b| b == b'\n').count() as u64;
                let ended = end.byte() > 0 && self.reader.get_mut().is_line_end(end.byte() - 1);
                let line = end.line().saturating_sub(inside + u64::from(ended));
                Ok(Some((line.max(1), record)))
            }
            Ok(false) => Ok(None),
            Err(error) => Err(DataError::CsvRead {
                message: error.to_string(),
            }),
        }
    }
}

/// A reader that notes the byte offsets of the `\n`s it passes on, for [`Records`].
struct LineEnds<R> {
    inner: R,
    offset: u64,
    line_ends: VecDeque<u64>,
}

impl<R> LineEnds<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            offset: 0,
            line_ends: VecDeque::new(),
        }
    }

    /// Whether the byte at `offset` is a `\n`. Offsets asked must not decrease; the ones
    /// before are forgotten, so only the reader's read-ahead is remembered.
    fn is_line_end(&mut self, offset: u64) -> bool {
        while self.line_ends.front().is_some_and(|&at| at < offset) {
            self.line_ends.pop_front();
        }
        self.line_ends.front() == Some(&offset)
    }
}

impl<R: Read> Read for LineEnds<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        let bytes = buf.get(..read).unwrap_or_default();
        for (i, _) in bytes.iter().enumerate().filter(|&(_, &b)| b == b'\n') {
            self.line_ends.push_back(self.offset + i as u64);
        }
        self.offset += read as u64;
        Ok(read)
    }
}

/// The header's column names, trimmed, without a byte-order mark.
fn names(record: ByteRecord) -> Vec<String> {
    record
        .iter()
        .map(|name| {
            String::from_utf8_lossy(name)
                .trim_start_matches('\u{feff}')
                .trim()
                .to_owned()
        })
        .collect()
}

/// The chosen columns, resolved to indices.
struct Layout {
    inputs: Vec<usize>,
    targets: TargetColumns,
}

/// The resolved target columns.
enum TargetColumns {
    Values(Vec<usize>),
    Label(usize),
}

impl Layout {
    /// Resolves `options` against the header (its line and names) or, without one, the first
    /// record's line and field count.
    fn resolve<const IN: usize, const OUT: usize>(
        options: &CsvOptions,
        header: Option<(u64, &[String])>,
        line: u64,
        fields: usize,
    ) -> Result<Self, DataError> {
        let find = |column: &Column| find(column, header, line, fields);
        let targets = match &options.targets {
            Targets::Last => TargetColumns::Values((fields.saturating_sub(OUT)..fields).collect()),
            Targets::Columns(columns) => {
                TargetColumns::Values(columns.iter().map(find).collect::<Result<_, _>>()?)
            }
            Targets::Label(column) => TargetColumns::Label(find(column)?),
        };
        let inputs: Vec<usize> = match &options.inputs {
            Some(columns) => columns.iter().map(find).collect::<Result<_, _>>()?,
            None => (0..fields).filter(|c| !targets.contains(*c)).collect(),
        };
        check_count(Side::Input, inputs.len(), IN)?;
        if let TargetColumns::Values(columns) = &targets {
            check_count(Side::Target, columns.len(), OUT)?;
        }
        Ok(Self { inputs, targets })
    }

    fn inputs<T: Float, const IN: usize>(
        &self,
        record: &ByteRecord,
        line: u64,
    ) -> Result<[T; IN], DataError> {
        values(record, line, &self.inputs)
    }

    fn targets<T: Float, const OUT: usize>(
        &self,
        record: &ByteRecord,
        line: u64,
        labels: &mut LabelReader<'_>,
    ) -> Result<[T; OUT], DataError> {
        match &self.targets {
            TargetColumns::Values(columns) => values(record, line, columns),
            TargetColumns::Label(column) => labels.target(record, line, *column),
        }
    }
}

impl TargetColumns {
    fn contains(&self, column: usize) -> bool {
        match self {
            TargetColumns::Values(columns) => columns.contains(&column),
            TargetColumns::Label(label) => *label == column,
        }
    }
}

/// The index of `column`, checked against the header or the field count.
fn find(
    column: &Column,
    header: Option<(u64, &[String])>,
    line: u64,
    fields: usize,
) -> Result<usize, DataError> {
    match column {
        Column::Index(index) if *index < fields => Ok(*index),
        Column::Index(index) => Err(DataError::CsvColumnOutOfRange {
            line,
            column: *index,
            fields,
        }),
        Column::Name(name) => {
            let Some((line, names)) = header else {
                return Err(DataError::CsvNoHeader { name: name.clone() });
            };
            let wanted = name.trim();
            names
                .iter()
                .position(|n| n == wanted)
                .ok_or_else(|| DataError::CsvMissingColumn {
                    line,
                    name: name.clone(),
                })
        }
    }
}

fn check_count(side: Side, found: usize, expected: usize) -> Result<(), DataError> {
    if found == expected {
        Ok(())
    } else {
        Err(DataError::CsvColumnCount {
            side,
            found,
            expected,
        })
    }
}

/// The field at `column`, trimmed; a field that is not UTF-8 comes back lossily converted.
pub(super) fn field(record: &ByteRecord, column: usize) -> Result<&str, String> {
    let bytes = record.get(column).unwrap_or_default();
    match core::str::from_utf8(bytes) {
        Ok(text) => Ok(text.trim()),
        Err(_) => Err(String::from_utf8_lossy(bytes).into_owned()),
    }
}

/// The numbers at `columns`, in order.
fn values<T: Float, const N: usize>(
    record: &ByteRecord,
    line: u64,
    columns: &[usize],
) -> Result<[T; N], DataError> {
    let mut row = [T::zero(); N];
    for (slot, &column) in row.iter_mut().zip(columns) {
        let not_a_number = |field: String| DataError::CsvNotANumber {
            line,
            column,
            field,
        };
        let text = field(record, column).map_err(not_a_number)?;
        let number: f64 = text.parse().map_err(|_| not_a_number(text.to_owned()))?;
        let value = T::of_f64(number);
        if !value.is_finite_value() {
            return Err(DataError::CsvNotFinite {
                line,
                column,
                field: text.to_owned(),
            });
        }
        *slot = value;
    }
    Ok(row)
}
