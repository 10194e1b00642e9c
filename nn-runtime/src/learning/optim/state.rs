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
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
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

#[cfg(feature = "train")]
impl StateBuffer {
    /// The whole buffer, as set up by `reset::<T>`, for the threads of a fused update to read and
    /// write, each its own elements.
    pub(crate) fn shared<T: Float>(&mut self) -> SharedState<'_, T> {
        SharedState::new(T::state(self))
    }
}

/// A state buffer borrowed by the threads of a fused update (see
/// [`ElementwiseUpdate`](super::ElementwiseUpdate)), each of which takes slices of its own
/// elements.
#[cfg(feature = "train")]
pub(crate) struct SharedState<'a, T> {
    values: *mut T,
    len: usize,
    borrow: core::marker::PhantomData<&'a mut [T]>,
}

// SAFETY: a `SharedState` hands out slices of disjoint elements (the contract of `slice`), each
// used on one thread, of `T: Send`.
#[cfg(feature = "train")]
unsafe impl<T: Send> Send for SharedState<'_, T> {}
// SAFETY: as above.
#[cfg(feature = "train")]
unsafe impl<T: Send> Sync for SharedState<'_, T> {}

#[cfg(feature = "train")]
impl<'a, T> SharedState<'a, T> {
    /// Shares `values` for as long as they are borrowed.
    pub(crate) fn new(values: &'a mut [T]) -> Self {
        Self {
            values: values.as_mut_ptr(),
            len: values.len(),
            borrow: core::marker::PhantomData,
        }
    }

    /// The `len` values from `offset`.
    ///
    /// # Safety
    /// No other slice of any of these values is in use while the returned one is.
    ///
    /// # Panics
    /// If the buffer holds fewer than `offset + len` values.
    #[inline(always)]
    #[allow(clippy::mut_from_ref)]
    pub(crate) unsafe fn slice(&self, offset: usize, len: usize) -> &'a mut [T] {
        assert!(
            offset.checked_add(len).is_some_and(|end| end <= self.len),
            "optimizer state of {} values has no values {offset}..{offset}+{len}",
            self.len
        );
        // SAFETY: within the borrowed buffer (checked above); the caller vouches that no other
        // slice of these values is in use.
        unsafe { core::slice::from_raw_parts_mut(self.values.add(offset), len) }
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

/// An optimizer's state as a checkpoint holds it: what resuming needs to continue with the same
/// bits.
#[cfg(feature = "train")]
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OptimizerState {
    /// The optimizer's name (`Adam`), checked when restoring.
    pub kind: String,
    /// The steps taken.
    pub steps: u64,
    /// The learning rate of the next step.
    pub learning_rate: f64,
    /// Its state buffers (moments, velocities), in the optimizer's own order.
    pub buffers: Vec<StateBuffer>,
}

#[cfg(feature = "train")]
impl OptimizerState {
    /// Copies the buffers into `targets` after checking that this state is `kind`'s and that
    /// each buffer has the length the target was prepared with.
    pub(crate) fn restore_into(
        &self,
        kind: &str,
        targets: &mut [&mut StateBuffer],
    ) -> Result<(), String> {
        if self.kind != kind {
            return Err(format!(
                "the checkpoint holds the state of `{}`, expected `{kind}`",
                self.kind
            ));
        }
        if self.buffers.len() != targets.len() {
            return Err(format!(
                "the checkpoint holds {} state buffers of `{kind}`, expected {}",
                self.buffers.len(),
                targets.len()
            ));
        }
        for (index, (found, target)) in self.buffers.iter().zip(targets.iter()).enumerate() {
            let lengths = |b: &StateBuffer| (b.f32.len(), b.f64.len());
            if lengths(found) != lengths(target) {
                return Err(format!(
                    "state buffer {index} of `{kind}` holds {:?} (f32, f64) values, expected {:?}",
                    lengths(found),
                    lengths(target)
                ));
            }
        }
        for (found, target) in self.buffers.iter().zip(targets.iter_mut()) {
            (**target).clone_from(found);
        }
        Ok(())
    }
}
