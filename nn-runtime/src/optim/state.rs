//! Optimizer state kept in the network's element type, so an `f32` network's updates run as
//! `f32` vector loops, as PyTorch keeps its state in the parameters' dtype.

use crate::Float;

/// A flat buffer of optimizer state (a moment, a velocity), one value per parameter, in the
/// element type chosen by [`reset`](Self::reset).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StateBuffer {
    pub(crate) f32: Vec<f32>,
    pub(crate) f64: Vec<f64>,
}

impl StateBuffer {
    /// Holds `len` zeros of type `T` (and nothing of the other type).
    pub fn reset<T: Float>(&mut self, len: usize) {
        *self = Self::default();
        T::state(self).resize(len, T::zero());
    }

    /// Holds nothing.
    pub fn clear(&mut self) {
        *self = Self::default();
    }

    /// The `len` values from `offset`, as set up by `reset::<T>`.
    ///
    /// # Panics
    /// If the buffer was not reset for `T` with room for `offset + len` values.
    #[inline]
    pub fn slice<T: Float>(&mut self, offset: usize, len: usize) -> &mut [T] {
        &mut T::state(self)[offset..offset + len]
    }
}
