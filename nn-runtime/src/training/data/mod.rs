//! Datasets: validated samples of `IN` input values and `OUT` target values, and the tools that
//! prepare them for training.
//!
//! - [`Dataset`] holds the samples; every constructor checks them.
//! - [`one_hot`], [`Dataset::from_labels`] and [`argmax`] turn class labels into one-hot targets
//!   and predictions back into labels.
//! - [`Dataset::split`] makes a seeded train/validation split.
//! - [`Standardizer`] and [`TargetStandardizer`] rescale columns to mean 0 and standard deviation 1
//!   with statistics fitted on training data.
//! - [`Dataset::from_csv`] and [`Dataset::from_csv_reader`] load CSV data chosen by [`CsvOptions`];
//!   [`Dataset::from_csv_with_labels`] reads a label column of names and gives their [`Labels`].

mod column_stats;
mod csv_labels;
#[cfg(test)]
mod csv_labels_tests;
mod csv_load;
#[cfg(test)]
mod csv_load_tests;
mod csv_options;
mod labels;
mod one_hot;
mod sample_weights;
mod split;
mod standardize;
mod target_standardize;

pub use crate::train::argmax;
pub use csv_options::{Column, CsvOptions};
pub use labels::Labels;
pub use one_hot::one_hot;
pub(crate) use sample_weights::check_weights;
pub use standardize::Standardizer;
pub use target_standardize::TargetStandardizer;

use crate::{DataError, Float, Side};

/// Samples for a network with `IN` inputs and `OUT` outputs, stored row by row.
///
/// Every constructor checks the data: a row of the wrong length, a NaN or infinite value, or an
/// empty set is a [`DataError`] naming the row.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset<T, const IN: usize, const OUT: usize> {
    inputs: Vec<[T; IN]>,
    targets: Vec<[T; OUT]>,
    /// One weight per sample, if given ([`Dataset::with_sample_weights`]).
    weights: Option<Vec<T>>,
}

impl<T: Float, const IN: usize, const OUT: usize> Dataset<T, IN, OUT> {
    /// Builds a dataset from fixed-size input and target arrays.
    pub fn from_arrays(inputs: &[[T; IN]], targets: &[[T; OUT]]) -> Result<Self, DataError> {
        Self::from_vecs(inputs.to_vec(), targets.to_vec())
    }

    /// Builds a dataset from rows of any length, checking each against `IN` and `OUT`.
    pub fn from_rows<I, O>(inputs: &[I], targets: &[O]) -> Result<Self, DataError>
    where
        I: AsRef<[T]>,
        O: AsRef<[T]>,
    {
        let inputs = to_arrays(inputs, Side::Input)?;
        let targets = to_arrays(targets, Side::Target)?;
        Self::from_vecs(inputs, targets)
    }

    /// Builds a dataset from flat row-major slices: `inputs.len()` must be a multiple of `IN`.
    ///
    /// Flat values cannot be split into rows of no values: an `IN` or `OUT` of 0 is a
    /// [`DataError::ZeroWidth`].
    pub fn from_flat(inputs: &[T], targets: &[T]) -> Result<Self, DataError> {
        for (side, width) in [(Side::Input, IN), (Side::Target, OUT)] {
            if width == 0 {
                return Err(DataError::ZeroWidth { side });
            }
        }
        let inputs: Vec<&[T]> = inputs.chunks(IN).collect();
        let targets: Vec<&[T]> = targets.chunks(OUT).collect();
        Self::from_rows(&inputs, &targets)
    }

    fn from_vecs(inputs: Vec<[T; IN]>, targets: Vec<[T; OUT]>) -> Result<Self, DataError> {
        if inputs.len() != targets.len() {
            return Err(DataError::CountMismatch {
                inputs: inputs.len(),
                targets: targets.len(),
            });
        }
        if inputs.is_empty() {
            return Err(DataError::Empty);
        }
        check_finite(&inputs, Side::Input)?;
        check_finite(&targets, Side::Target)?;
        Ok(Self {
            inputs,
            targets,
            weights: None,
        })
    }

    /// The number of samples (never zero).
    pub fn len(&self) -> usize {
        self.inputs.len()
    }

    /// Always `false`: an empty dataset cannot be built.
    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty()
    }

    /// The input of sample `index`.
    pub fn input(&self, index: usize) -> &[T; IN] {
        &self.inputs[index]
    }

    /// The target of sample `index`.
    pub fn target(&self, index: usize) -> &[T; OUT] {
        &self.targets[index]
    }

    /// Every sample's input, in order: `len()` arrays of `IN` values.
    pub fn inputs(&self) -> &[[T; IN]] {
        &self.inputs
    }

    /// Every sample's target, in order: `len()` arrays of `OUT` values.
    pub fn targets(&self) -> &[[T; OUT]] {
        &self.targets
    }
}

fn to_arrays<T: Float, R: AsRef<[T]>, const N: usize>(
    rows: &[R],
    side: Side,
) -> Result<Vec<[T; N]>, DataError> {
    rows.iter()
        .enumerate()
        .map(|(row, values)| {
            let values = values.as_ref();
            values.try_into().map_err(|_| DataError::RowLength {
                side,
                row,
                found: values.len(),
                expected: N,
            })
        })
        .collect()
}

fn check_finite<T: Float, const N: usize>(rows: &[[T; N]], side: Side) -> Result<(), DataError> {
    for (row, values) in rows.iter().enumerate() {
        if let Some(column) = values.iter().position(|v| !v.is_finite_value()) {
            return Err(DataError::NotFinite {
                side,
                row,
                column,
                value: values[column].as_f64(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_row_is_named() {
        let err = Dataset::<f32, 2, 1>::from_rows(&[vec![0.0, 1.0], vec![1.0]], &[[1.0], [0.0]]);
        assert_eq!(
            err.unwrap_err().to_string(),
            "input row 1 has 1 values, expected 2"
        );
    }

    #[test]
    fn nan_and_empty_sets_are_rejected() {
        let err = Dataset::<f64, 1, 1>::from_arrays(&[[0.0], [1.0]], &[[0.0], [f64::NAN]]);
        assert!(matches!(
            err,
            Err(DataError::NotFinite {
                side: Side::Target,
                row: 1,
                column: 0,
                ..
            })
        ));
        assert_eq!(
            Dataset::<f64, 1, 1>::from_arrays(&[], &[]),
            Err(DataError::Empty)
        );
    }

    #[test]
    fn flat_slices_are_split_into_rows() {
        let data = Dataset::<f32, 2, 1>::from_flat(&[1.0, 2.0, 3.0, 4.0], &[0.0, 1.0]).unwrap();
        assert_eq!(data.len(), 2);
        assert_eq!(data.input(1), &[3.0, 4.0]);
        let err = Dataset::<f32, 2, 1>::from_flat(&[1.0, 2.0, 3.0], &[0.0, 1.0]).unwrap_err();
        assert!(matches!(
            err,
            DataError::RowLength {
                row: 1,
                found: 1,
                ..
            }
        ));
    }

    #[test]
    fn flat_slices_of_a_zero_width_side_are_an_error() {
        let err = Dataset::<f32, 0, 1>::from_flat(&[], &[0.0, 1.0]).unwrap_err();
        assert_eq!(err, DataError::ZeroWidth { side: Side::Input });
        let err = Dataset::<f32, 2, 0>::from_flat(&[1.0, 2.0], &[]).unwrap_err();
        assert_eq!(err, DataError::ZeroWidth { side: Side::Target });
        assert_eq!(
            err.to_string(),
            "flat target values cannot be split into rows of 0 values, expected a width of at least 1"
        );
    }
}
