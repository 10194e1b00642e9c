//! Column-major batch matrices with a run-time column count and a fixed capacity.

use nalgebra::{Const, Dyn, MatrixView, MatrixViewMut, SVector};

use crate::{Batch, BatchMut, Float};

/// A `ROWS × columns` matrix stored column-major, one column per sample.
///
/// The buffer is allocated once for `capacity` columns; [`set_columns`](Self::set_columns) then
/// chooses how many are in use without allocating. This is how a batch of run-time size (the last
/// batch of an epoch may be short) flows through statically shaped layers.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchMatrix<T, const ROWS: usize> {
    data: Vec<T>,
    columns: usize,
}

impl<T: Float, const ROWS: usize> BatchMatrix<T, ROWS> {
    /// A zeroed matrix with room for `capacity` columns, all of them in use.
    pub fn zeros(capacity: usize) -> Self {
        Self {
            data: vec![T::zero(); ROWS * capacity],
            columns: capacity,
        }
    }

    /// Builds a matrix from column vectors (one per sample).
    pub fn from_columns(columns: &[SVector<T, ROWS>]) -> Self {
        let mut matrix = Self::zeros(columns.len());
        for (target, column) in matrix.columns_mut().zip(columns) {
            target.copy_from_slice(column.as_slice());
        }
        matrix
    }

    /// The number of rows (the width of one sample).
    pub const ROWS: usize = ROWS;

    /// The number of columns in use.
    #[inline]
    pub fn columns(&self) -> usize {
        self.columns
    }

    /// The largest number of columns the buffer holds.
    #[inline]
    pub fn capacity(&self) -> usize {
        self.data.len() / ROWS.max(1)
    }

    /// Sets the number of columns in use, keeping the buffer.
    ///
    /// # Panics
    /// If `columns` exceeds the capacity fixed at construction.
    #[inline]
    pub fn set_columns(&mut self, columns: usize) {
        assert!(
            columns <= self.capacity(),
            "batch of {columns} columns exceeds the capacity of {} set up for this buffer",
            self.capacity()
        );
        self.columns = columns;
    }

    /// The columns in use as one flat column-major slice of `ROWS * columns()` values.
    #[inline]
    pub fn as_slice(&self) -> &[T] {
        &self.data[..ROWS * self.columns]
    }

    /// The columns in use as one flat mutable column-major slice.
    #[inline]
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        &mut self.data[..ROWS * self.columns]
    }

    /// Column `index` (one sample).
    ///
    /// # Panics
    /// If `index >= columns()`.
    #[inline]
    pub fn column(&self, index: usize) -> &[T] {
        assert!(
            index < self.columns,
            "column {index} out of {}",
            self.columns
        );
        &self.data[index * ROWS..(index + 1) * ROWS]
    }

    /// Column `index` (one sample), mutably.
    ///
    /// # Panics
    /// If `index >= columns()`.
    #[inline]
    pub fn column_mut(&mut self, index: usize) -> &mut [T] {
        assert!(
            index < self.columns,
            "column {index} out of {}",
            self.columns
        );
        &mut self.data[index * ROWS..(index + 1) * ROWS]
    }

    /// Iterates over the columns in use.
    #[inline]
    pub fn columns_iter(&self) -> impl ExactSizeIterator<Item = &[T]> {
        self.as_slice().chunks_exact(ROWS.max(1)).take(self.columns)
    }

    /// Iterates mutably over the columns in use.
    #[inline]
    pub fn columns_mut(&mut self) -> impl ExactSizeIterator<Item = &mut [T]> {
        let columns = self.columns;
        self.as_mut_slice()
            .chunks_exact_mut(ROWS.max(1))
            .take(columns)
    }

    /// The columns in use as an nalgebra view.
    pub fn view(&self) -> MatrixView<'_, T, Const<ROWS>, Dyn> {
        MatrixView::from_slice_generic(self.as_slice(), Const::<ROWS>, Dyn(self.columns))
    }

    /// The columns in use as a mutable nalgebra view.
    pub fn view_mut(&mut self) -> MatrixViewMut<'_, T, Const<ROWS>, Dyn> {
        let columns = self.columns;
        MatrixViewMut::from_slice_generic(self.as_mut_slice(), Const::<ROWS>, Dyn(columns))
    }
}

impl<T: Float, const ROWS: usize> Batch<T, ROWS> for BatchMatrix<T, ROWS> {
    #[inline(always)]
    fn columns(&self) -> usize {
        self.columns
    }

    #[inline(always)]
    fn as_slice(&self) -> &[T] {
        BatchMatrix::as_slice(self)
    }
}

impl<T: Float, const ROWS: usize> BatchMut<T, ROWS> for BatchMatrix<T, ROWS> {
    #[inline(always)]
    fn set_columns(&mut self, columns: usize) {
        BatchMatrix::set_columns(self, columns);
    }

    #[inline(always)]
    fn as_mut_slice(&mut self) -> &mut [T] {
        BatchMatrix::as_mut_slice(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_can_shrink_and_grow_within_capacity() {
        let mut m = BatchMatrix::<f32, 3>::zeros(4);
        m.set_columns(2);
        assert_eq!(m.as_slice().len(), 6);
        m.column_mut(1).copy_from_slice(&[1.0, 2.0, 3.0]);
        assert_eq!(m.view()[(2, 1)], 3.0);
        m.set_columns(4);
        assert_eq!(m.capacity(), 4);
        assert_eq!(m.columns_iter().count(), 4);
    }

    #[test]
    #[should_panic(expected = "exceeds the capacity of 4")]
    fn exceeding_the_capacity_panics_with_the_sizes() {
        BatchMatrix::<f64, 2>::zeros(4).set_columns(5);
    }
}
