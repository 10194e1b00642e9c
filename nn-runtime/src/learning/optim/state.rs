//! Optimizer state kept in the network's element type, so an `f32` network's updates run as
//! `f32` vector loops, as PyTorch keeps its state in the parameters' dtype.
//!
//! Running averages (moments, velocities) are flushed to zero once they decay below the smallest
//! normal number, with [`Float::flush_subnormal`] or [`flush_square_average`]. An average whose
//! gradient stays zero (the weight of an input that is rarely nonzero) decays geometrically
//! into the subnormals and stays there for a hundred steps or more, and x86 CPUs compute on
//! subnormals many times slower: a tenth of Adam's first moments sat there in a long N2 run.
//! Flushing them, with the softmax's subnormal probabilities and the gradients made from them,
//! took its epoch from 0.386 to 0.322 ms. No result can tell the difference: such an average
//! moves a parameter by less than 10⁻³⁰.

use crate::Float;

/// A flat buffer of optimizer state (a moment, a velocity), one value per parameter, in the
/// element type chosen by [`reset`](Self::reset).
#[cfg(feature = "train")]
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StateBuffer {
    pub(crate) f32: Vec<f32>,
    pub(crate) f64: Vec<f64>,
}

#[cfg(feature = "train")]
impl StateBuffer {
    /// Holds nothing; a `const fn`, so that an optimizer can be built in a constant.
    pub const fn new() -> Self {
        Self {
            f32: Vec::new(),
            f64: Vec::new(),
        }
    }

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

/// `average`, or zero below the smallest normal number: [`Float::flush_subnormal`] for an
/// average of squares, never negative, so one comparison suffices (no absolute value).
#[inline(always)]
pub(super) fn flush_square_average<T: Float>(average: T) -> T {
    if average < T::MIN_NORMAL {
        T::zero()
    } else {
        average
    }
}
