//! The label column of CSV data: integer class labels, or names mapped to classes through
//! [`Labels`], known beforehand or learned from the file.

use std::collections::HashMap;

use ::csv::ByteRecord;
use nn_format::preprocessing::class_count;

use super::Labels;
use super::csv_load::field;
use crate::{DataError, Float};

/// How the label column is read, and what it has learned so far.
pub(super) enum LabelReader<'a> {
    /// Non-negative integers in `0..OUT`, one-hot encoded.
    Integers,
    /// Names among known labels.
    Known(&'a Labels),
    /// Names learned from the file.
    Learn(Learned),
}

/// The names met so far, in order of first appearance, and each row's among them.
#[derive(Default)]
pub(super) struct Learned {
    names: Vec<String>,
    indices: HashMap<String, usize>,
    rows: Vec<usize>,
}

impl<'a> LabelReader<'a> {
    /// A reader of names among `known`, or else of names to learn when `learn`, or else of
    /// integers. Known labels must be as many as `OUT` outputs call for.
    pub(super) fn new<const OUT: usize>(
        known: Option<&'a Labels>,
        learn: bool,
    ) -> Result<Self, DataError> {
        match known {
            Some(labels) => {
                check_count(labels.names(), OUT)?;
                Ok(Self::Known(labels))
            }
            None if learn => Ok(Self::Learn(Learned::default())),
            None => Ok(Self::Integers),
        }
    }

    /// The target of the label at `column` of `record` on `line`: one-hot among `OUT` classes,
    /// or for `OUT = 1` a named class's index, 0 or 1. A name to learn gets a placeholder, which
    /// [`finish`](Self::finish) fills.
    pub(super) fn target<T: Float, const OUT: usize>(
        &mut self,
        record: &ByteRecord,
        line: u64,
        column: usize,
    ) -> Result<[T; OUT], DataError> {
        match self {
            Self::Integers => {
                let label = integer(record, line, column)?;
                if label >= OUT {
                    return Err(DataError::CsvLabelOutOfRange {
                        line,
                        column,
                        label,
                        classes: OUT,
                    });
                }
                Ok(one_hot(label))
            }
            Self::Known(labels) => {
                let name = name(record, line, column)?;
                let index = labels
                    .index(name)
                    .ok_or_else(|| DataError::CsvUnknownLabel {
                        line,
                        column,
                        label: name.to_owned(),
                        known: labels.names().to_vec(),
                    })?;
                Ok(class_target(index))
            }
            Self::Learn(learned) => {
                let name = name(record, line, column)?;
                let next = learned.names.len();
                let index = *learned.indices.entry(name.to_owned()).or_insert(next);
                if index == next {
                    learned.names.push(name.to_owned());
                }
                learned.rows.push(index);
                Ok([T::zero(); OUT])
            }
        }
    }

    /// The labels the column was read with: the known ones, or the learned ones sorted (see
    /// [`Labels`]), checked against `OUT` and written into `targets`, the rows' placeholders; none
    /// for integers.
    pub(super) fn finish<T: Float, const OUT: usize>(
        self,
        targets: &mut [[T; OUT]],
    ) -> Result<Option<Labels>, DataError> {
        match self {
            Self::Integers => Ok(None),
            Self::Known(labels) => Ok(Some(labels.clone())),
            Self::Learn(learned) => {
                let labels = Labels::sorted(learned.names.clone());
                check_count(labels.names(), OUT)?;
                let class: Vec<usize> = learned
                    .names
                    .iter()
                    .map(|name| labels.index(name).unwrap_or_default())
                    .collect();
                for (target, &row) in targets.iter_mut().zip(&learned.rows) {
                    *target = class_target(class.get(row).copied().unwrap_or_default());
                }
                Ok(Some(labels))
            }
        }
    }
}

/// Checks that `labels` are as many as `outputs` outputs call for.
fn check_count(labels: &[String], outputs: usize) -> Result<(), DataError> {
    let expected = class_count(outputs);
    if labels.len() == expected {
        Ok(())
    } else {
        Err(DataError::LabelCount {
            labels: labels.to_vec(),
            expected,
            outputs,
        })
    }
}

/// The target of named class `index`: one-hot, or for a single output the index itself.
fn class_target<T: Float, const OUT: usize>(index: usize) -> [T; OUT] {
    if OUT == 1 {
        [if index == 1 { T::one() } else { T::zero() }; OUT]
    } else {
        one_hot(index)
    }
}

/// 1 at `index`, 0 elsewhere (all 0 past the end, which the callers rule out).
fn one_hot<T: Float, const OUT: usize>(index: usize) -> [T; OUT] {
    let mut target = [T::zero(); OUT];
    if let Some(slot) = target.get_mut(index) {
        *slot = T::one();
    }
    target
}

/// The class label at `column`: a non-negative integer, written `3` or `3.0`.
fn integer(record: &ByteRecord, line: u64, column: usize) -> Result<usize, DataError> {
    let not_a_label = |field: String| DataError::CsvNotALabel {
        line,
        column,
        field,
    };
    let text = field(record, column).map_err(not_a_label)?;
    if let Ok(label) = text.parse::<usize>() {
        return Ok(label);
    }
    match text.parse::<f64>() {
        Ok(x) if x >= 0.0 && x.fract() == 0.0 && x < 2f64.powi(53) => Ok(x as usize),
        _ => Err(not_a_label(text.to_owned())),
    }
}

/// The class name at `column`, trimmed and not empty.
fn name(record: &ByteRecord, line: u64, column: usize) -> Result<&str, DataError> {
    let name = field(record, column).map_err(|field| DataError::CsvNotALabel {
        line,
        column,
        field,
    })?;
    if name.is_empty() {
        return Err(DataError::CsvEmptyLabel { line, column });
    }
    Ok(name)
}
