//! Batches held inline, for a learner on a device: a fixed capacity of `CAP` samples, no heap.

use crate::{Batch, BatchMut, Float};

/// A `ROWS × columns` batch stored column-major in an inline array of `CAP` columns.
#[derive(Clone, Debug, PartialEq)]
pub struct InlineBatch<T, const ROWS: usize, const CAP: usize> {
    data: [[T; ROWS]; CAP],
    columns: usize,
}

impl<T: Copy, const ROWS: usize, const CAP: usize> InlineBatch<T, ROWS, CAP> {
    /// A batch of `CAP` columns of `zero`, none of them in use. A `const fn`, so that a learner
    /// can be a `static`.
    pub const fn filled(zero: T) -> Self {
        Self {
            data: [[zero; ROWS]; CAP],
            columns: 0,
        }
    }

    /// Copies `samples` into the first columns and uses exactly those.
    ///
    /// # Panics
    /// If there are more than `CAP` samples.
    pub fn load(&mut self, samples: &[[T; ROWS]]) {
        self.set_columns_within(samples.len());
        self.data[..samples.len()].copy_from_slice(samples);
    }

    fn set_columns_within(&mut self, columns: usize) {
        assert!(
            columns <= CAP,
            "batch of {columns} columns exceeds the capacity of {CAP} set up for this buffer"
        );
        self.columns = columns;
    }
}

impl<T: Float, const ROWS: usize, const CAP: usize> Batch<T, ROWS> for InlineBatch<T, ROWS, CAP> {
    #[inline(always)]
    fn columns(&self) -> usize {
        self.columns
    }

    #[inline(always)]
    fn as_slice(&self) -> &[T] {
        &self.data.as_flattened()[..ROWS * self.columns]
    }
}

impl<T: Float, const ROWS: usize, const CAP: usize> BatchMut<T, ROWS>
    for InlineBatch<T, ROWS, CAP>
{
    #[inline(always)]
    fn set_columns(&mut self, columns: usize) {
        self.set_columns_within(columns);
    }

    #[inline(always)]
    fn as_mut_slice(&mut self) -> &mut [T] {
        &mut self.data.as_flattened_mut()[..ROWS * self.columns]
    }
}

/// The buffers of one dense layer while learning: its activations and `∂L/∂z`, `N × batch`,
/// and room for `KEPT` columns of pre-activations: `CAP` for an activation whose derivative
/// needs them ([`Activation::NEEDS_INPUTS`](crate::Activation::NEEDS_INPUTS)), otherwise 0.
#[derive(Clone, Debug, PartialEq)]
pub struct InlineBuffers<T, const N: usize, const CAP: usize, const KEPT: usize> {
    /// The layer's activations `a = f(W·x + b)`.
    pub output: InlineBatch<T, N, CAP>,
    /// The gradient with respect to the layer's pre-activation.
    pub delta: InlineBatch<T, N, CAP>,
    /// The pre-activations `z = W·x + b`, where kept.
    pub inputs: InlineBatch<T, N, KEPT>,
}

impl<T: Copy, const N: usize, const CAP: usize, const KEPT: usize> InlineBuffers<T, N, CAP, KEPT> {
    /// Buffers of `zero`.
    pub const fn filled(zero: T) -> Self {
        Self {
            output: InlineBatch::filled(zero),
            delta: InlineBatch::filled(zero),
            inputs: InlineBatch::filled(zero),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_uses_the_columns_loaded_and_refuses_more_than_its_capacity() {
        let mut batch = InlineBatch::<f32, 2, 3>::filled(0.0);
        assert_eq!(Batch::<f32, 2>::columns(&batch), 0);
        batch.load(&[[1.0, 2.0], [3.0, 4.0]]);
        assert_eq!(Batch::<f32, 2>::as_slice(&batch), &[1.0, 2.0, 3.0, 4.0]);
        BatchMut::<f32, 2>::set_columns(&mut batch, 1);
        assert_eq!(
            BatchMut::<f32, 2>::as_mut_slice(&mut batch),
            &mut [1.0, 2.0]
        );
        let refused = std::panic::catch_unwind(move || batch.load(&[[0.0; 2]; 4]));
        assert!(refused.is_err());
    }
}
