//! A normalization layer frozen for inference: its `K` tensors of `N` values inline.

use crate::Float;
use crate::compute::norm::{NormParameters, NormParametersMut, RunningStatistics};
use crate::inference::frozen::reverse_each;

/// The tensors of a normalization layer of `N` features, inline, in file order: for a
/// `LayerNorm` (`K = 2`) the scale `γ` and shift `β`; for a `BatchNorm` (`K = 4`) also the
/// running mean and variance.
#[derive(Clone, Debug, PartialEq)]
#[repr(C)]
pub struct FrozenNorm<T, const N: usize, const K: usize> {
    /// The tensors, in file order.
    pub tensors: [[T; N]; K],
}

// SAFETY: only `Float` values (all-zero bytes are 0.0), no padding between arrays of one type.
unsafe impl<T: Float, const N: usize, const K: usize> bytemuck::Zeroable for FrozenNorm<T, N, K> {}

impl<T: Float, const N: usize, const K: usize> FrozenNorm<T, N, K> {
    /// The number of values.
    pub const VALUES: usize = N * K;

    /// Every value zero.
    pub const fn filled(zero: T) -> Self {
        Self {
            tensors: [[zero; N]; K],
        }
    }

    /// Reads the layer from the little-endian values of a model file, starting at byte `offset`
    /// of `values`. Meant for evaluation while compiling (`include_model!`).
    ///
    /// # Panics
    /// If `values` ends before the layer does.
    #[doc(hidden)]
    #[track_caller]
    pub const fn from_le_bytes(values: &[u8], offset: usize) -> Self {
        assert!(
            offset + Self::VALUES * size_of::<T>() <= values.len(),
            "the model's values end before this layer's"
        );
        // SAFETY: the read lies within `values`, as just checked; every bit pattern is a value
        // of an IEEE float type, which `T: Float` (sealed) is.
        let mut layer = unsafe {
            Self {
                tensors: core::ptr::read_unaligned(values.as_ptr().add(offset).cast()),
            }
        };
        if cfg!(target_endian = "big") {
            reverse_each((&raw mut layer.tensors).cast(), N * K, size_of::<T>());
        }
        layer
    }

    /// Sets tensor `index` (in file order) to `values`.
    ///
    /// # Panics
    /// If `values` does not hold `N` values.
    pub fn copy_tensor(&mut self, index: usize, values: &[T]) {
        self.tensors[index].copy_from_slice(values);
    }
}

impl<T, const N: usize, const K: usize> NormParameters<T, N> for FrozenNorm<T, N, K> {
    #[inline(always)]
    fn scale(&self) -> &[T; N] {
        &self.tensors[0]
    }
    #[inline(always)]
    fn shift(&self) -> &[T; N] {
        &self.tensors[1]
    }
}

impl<T, const N: usize, const K: usize> NormParametersMut<T, N> for FrozenNorm<T, N, K> {
    #[inline(always)]
    fn scale_mut(&mut self) -> &mut [T; N] {
        &mut self.tensors[0]
    }
    #[inline(always)]
    fn shift_mut(&mut self) -> &mut [T; N] {
        &mut self.tensors[1]
    }
}

impl<T, const N: usize> RunningStatistics<T, N> for FrozenNorm<T, N, 4> {
    #[inline(always)]
    fn running_mean(&self) -> &[T; N] {
        &self.tensors[2]
    }
    #[inline(always)]
    fn running_variance(&self) -> &[T; N] {
        &self.tensors[3]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_layer_reads_its_tensors_in_order_at_an_offset() {
        const VALUES: [u8; 20] = {
            let mut bytes = [0u8; 20];
            let values = [9.0f32, 1.0, 2.0, 3.0, 4.0];
            let mut i = 0;
            while i < 5 {
                let b = values[i].to_le_bytes();
                bytes[4 * i] = b[0];
                bytes[4 * i + 1] = b[1];
                bytes[4 * i + 2] = b[2];
                bytes[4 * i + 3] = b[3];
                i += 1;
            }
            bytes
        };
        const LAYER: FrozenNorm<f32, 2, 2> = FrozenNorm::from_le_bytes(&VALUES, 4);
        assert_eq!(LAYER.scale(), &[1.0, 2.0]);
        assert_eq!(LAYER.shift(), &[3.0, 4.0]);
    }
}
