//! A dense layer frozen for inference: weight and bias inline, so that a whole network can sit
//! in a `static` (or in read-only memory) and run with no heap.

use crate::Float;

/// The parameters of a dense layer as the inference kernels read them: the weight as `IN`
/// columns of `OUT` values (column-major, as nalgebra stores it) and the bias.
///
/// Implemented by the training layer (`Dense`, on the heap) and by [`FrozenDense`] (inline), so
/// that both run the same kernel and give the same bits.
pub trait DenseParameters<T, const OUT: usize, const IN: usize> {
    /// The weight `W` (`OUT × IN`), column by column.
    fn weight_columns(&self) -> &[[T; OUT]; IN];
    /// The bias `b` (`OUT`).
    fn bias_array(&self) -> &[T; OUT];
}

/// [`DenseParameters`] that can be written: where the batch kernels put a layer's gradients.
pub trait DenseParametersMut<T, const OUT: usize, const IN: usize>:
    DenseParameters<T, OUT, IN>
{
    /// The weight, column by column, mutably.
    fn weight_columns_mut(&mut self) -> &mut [[T; OUT]; IN];
    /// The bias, mutably.
    fn bias_array_mut(&mut self) -> &mut [T; OUT];
}

/// The weight `W` (`OUT × IN`, column-major) and bias `b` (`OUT`) of a dense layer computing
/// `W·x + b`, held inline: a frozen network is plain data, made while compiling by
/// `include_model!` or at run time by `freeze`.
///
/// Aligned to a cache line, so that the kernels' vector loads never straddle two.
#[derive(Clone, Debug, PartialEq)]
#[repr(C, align(64))]
pub struct FrozenDense<T, const OUT: usize, const IN: usize> {
    /// The weight matrix, `IN` columns of `OUT` values.
    pub weight: [[T; OUT]; IN],
    /// The bias vector.
    pub bias: [T; OUT],
}

impl<T, const OUT: usize, const IN: usize> DenseParameters<T, OUT, IN> for FrozenDense<T, OUT, IN> {
    #[inline(always)]
    fn weight_columns(&self) -> &[[T; OUT]; IN] {
        &self.weight
    }

    #[inline(always)]
    fn bias_array(&self) -> &[T; OUT] {
        &self.bias
    }
}

impl<T, const OUT: usize, const IN: usize> DenseParametersMut<T, OUT, IN>
    for FrozenDense<T, OUT, IN>
{
    #[inline(always)]
    fn weight_columns_mut(&mut self) -> &mut [[T; OUT]; IN] {
        &mut self.weight
    }

    #[inline(always)]
    fn bias_array_mut(&mut self) -> &mut [T; OUT] {
        &mut self.bias
    }
}

// SAFETY: a `FrozenDense` holds only `Float` values (IEEE floats, for which all-zero bytes are
// 0.0) and padding.
unsafe impl<T: Float, const OUT: usize, const IN: usize> bytemuck::Zeroable
    for FrozenDense<T, OUT, IN>
{
}

impl<T: Float, const OUT: usize, const IN: usize> FrozenDense<T, OUT, IN> {
    /// The number of parameters: `OUT·IN` weights and `OUT` biases.
    pub const PARAMETERS: usize = OUT * IN + OUT;

    /// The size in bytes of the layer's values as a model file stores them.
    pub const VALUE_BYTES: usize = Self::PARAMETERS * size_of::<T>();

    /// Reads the layer from the little-endian values of a model file, starting at byte `offset`
    /// of `values`: the weight (column-major), then the bias.
    ///
    /// Meant for evaluation while compiling (`include_model!`): at run time the layer would pass
    /// through the stack.
    ///
    /// # Panics
    /// If `values` ends before the layer does.
    #[doc(hidden)]
    #[track_caller]
    pub const fn from_le_bytes(values: &[u8], offset: usize) -> Self {
        let weight_bytes = size_of::<[[T; OUT]; IN]>();
        assert!(
            offset + Self::VALUE_BYTES <= values.len(),
            "the model's values end before this layer's"
        );
        // SAFETY: both reads lie within `values`, as just checked; every bit pattern is a value
        // of an IEEE float type, which `T: Float` (sealed) is.
        let mut layer = unsafe {
            let start = values.as_ptr().add(offset);
            Self {
                weight: core::ptr::read_unaligned(start.cast()),
                bias: core::ptr::read_unaligned(start.add(weight_bytes).cast()),
            }
        };
        if cfg!(target_endian = "big") {
            reverse_each((&raw mut layer.weight).cast(), OUT * IN, size_of::<T>());
            reverse_each((&raw mut layer.bias).cast(), OUT, size_of::<T>());
        }
        layer
    }

    /// Sets the layer to the given column-major weight and bias (of a training layer).
    ///
    /// # Panics
    /// If the slices' lengths differ from `OUT·IN` and `OUT`.
    pub fn copy_from(&mut self, weight: &[T], bias: &[T]) {
        self.weight.as_flattened_mut().copy_from_slice(weight);
        self.bias.copy_from_slice(bias);
    }
}

/// Reverses the bytes of each of `count` values of `width` bytes from `bytes`: little-endian to
/// the target's order on big-endian targets.
pub(crate) const fn reverse_each(bytes: *mut u8, count: usize, width: usize) {
    let mut value = 0;
    while value < count {
        let mut i = 0;
        while i < width / 2 {
            // SAFETY: the caller passes `count` values of `width` bytes from `bytes`.
            unsafe {
                let a = bytes.add(value * width + i);
                let b = bytes.add(value * width + width - 1 - i);
                let t = *a;
                *a = *b;
                *b = t;
            }
            i += 1;
        }
        value += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn le_bytes(values: &[f32]) -> [u8; 24] {
        let mut bytes = [0u8; 24];
        for (chunk, value) in bytes.chunks_exact_mut(4).zip(values) {
            chunk.copy_from_slice(&value.to_le_bytes());
        }
        bytes
    }

    #[test]
    fn a_layer_reads_column_major_weights_then_biases_at_an_offset() {
        const VALUES: [u8; 24] = {
            let mut bytes = [0u8; 24];
            let values = [9.0f32, 1.0, 2.0, 3.0, 4.0, -0.5];
            let mut i = 0;
            while i < 6 {
                let b = values[i].to_le_bytes();
                bytes[4 * i] = b[0];
                bytes[4 * i + 1] = b[1];
                bytes[4 * i + 2] = b[2];
                bytes[4 * i + 3] = b[3];
                i += 1;
            }
            bytes
        };
        // Evaluated while compiling, as `include_model!` does.
        const LAYER: FrozenDense<f32, 1, 4> = FrozenDense::from_le_bytes(&VALUES, 4);
        assert_eq!(LAYER.weight, [[1.0], [2.0], [3.0], [4.0]]);
        assert_eq!(LAYER.bias, [-0.5]);
        assert_eq!(VALUES, le_bytes(&[9.0, 1.0, 2.0, 3.0, 4.0, -0.5]));
    }

    #[test]
    fn reversing_each_value_turns_little_endian_into_big_endian() {
        let mut bytes = le_bytes(&[1.5, -2.0, 3.25, 0.0, 0.0, 0.0]);
        reverse_each(bytes.as_mut_ptr(), 3, 4);
        assert_eq!(bytes[..4], 1.5f32.to_be_bytes());
        assert_eq!(bytes[4..8], (-2.0f32).to_be_bytes());
        assert_eq!(bytes[8..12], 3.25f32.to_be_bytes());
    }

    #[test]
    #[should_panic(expected = "the model's values end before this layer's")]
    fn values_that_end_early_are_refused() {
        let _ = FrozenDense::<f64, 2, 2>::from_le_bytes(&[0; 40], 0);
    }
}
