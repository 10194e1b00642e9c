//! What the batch kernels, activations and losses read and write: `ROWS × columns` matrices
//! stored column-major, one column per sample, whatever holds them (a heap buffer for the
//! trainer, an inline array for a learner on a device).

/// A column-major batch of samples of `ROWS` values.
pub trait Batch<T, const ROWS: usize> {
    /// The number of columns (samples) in use.
    fn columns(&self) -> usize;

    /// The columns in use, one after the other: `ROWS · columns()` values.
    fn as_slice(&self) -> &[T];
}

/// A batch whose values and column count can be written.
pub trait BatchMut<T, const ROWS: usize>: Batch<T, ROWS> {
    /// Sets the number of columns in use.
    ///
    /// # Panics
    /// If `columns` exceeds the capacity.
    fn set_columns(&mut self, columns: usize);

    /// The columns in use, mutably.
    fn as_mut_slice(&mut self) -> &mut [T];
}
