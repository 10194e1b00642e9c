//! The parameters of one dense (fully connected) layer.

use nalgebra::{SMatrix, SVector};
use rand::Rng;

use crate::{DenseParameters, DenseParametersMut, Float, Initializer};

/// The weight `W` (`OUT × IN`, column-major) and bias `b` (`OUT`) of a dense layer computing
/// `W·x + b`.
///
/// Both live on the heap and are allocated zeroed in place, so a 784-input layer never passes
/// through the stack. Gradients use the same type, so parameters, gradients and optimizer state
/// share one layout.
#[derive(Clone, Debug, PartialEq)]
pub struct Dense<T: Float, const OUT: usize, const IN: usize> {
    /// The weight matrix, `OUT × IN`.
    pub weight: Box<SMatrix<T, OUT, IN>>,
    /// The bias vector, `OUT`.
    pub bias: Box<SVector<T, OUT>>,
}

impl<T: Float, const OUT: usize, const IN: usize> Dense<T, OUT, IN> {
    /// The number of parameters: `OUT·IN` weights and `OUT` biases.
    pub const PARAMETERS: usize = OUT * IN + OUT;

    /// A layer with every weight and bias zero, allocated directly on the heap.
    pub fn zeros() -> Self {
        Self {
            weight: bytemuck::zeroed_box(),
            bias: bytemuck::zeroed_box(),
        }
    }

    /// A layer with weights filled by `weight` and biases by `bias` (fan-in `IN`, fan-out
    /// `OUT`), drawn from `rng` in that order.
    pub fn random<R: Rng + ?Sized>(weight: Initializer, bias: Initializer, rng: &mut R) -> Self {
        let mut layer = Self::zeros();
        weight.fill(layer.weight.as_mut_slice(), IN, OUT, rng);
        bias.fill(layer.bias.as_mut_slice(), IN, OUT, rng);
        layer
    }

    /// Sets every weight and bias to zero.
    pub fn fill_zero(&mut self) {
        self.weight.fill(T::zero());
        self.bias.fill(T::zero());
    }

    /// The weights as one flat column-major slice.
    pub fn weight_slice(&self) -> &[T] {
        self.weight.as_slice()
    }

    /// The biases as a flat slice.
    pub fn bias_slice(&self) -> &[T] {
        self.bias.as_slice()
    }
}

impl<T: Float, const OUT: usize, const IN: usize> DenseParameters<T, OUT, IN>
    for Dense<T, OUT, IN>
{
    #[inline(always)]
    fn weight_columns(&self) -> &[[T; OUT]; IN] {
        &self.weight.data.0
    }

    #[inline(always)]
    fn bias_array(&self) -> &[T; OUT] {
        &self.bias.data.0[0]
    }
}

impl<T: Float, const OUT: usize, const IN: usize> DenseParametersMut<T, OUT, IN>
    for Dense<T, OUT, IN>
{
    #[inline(always)]
    fn weight_columns_mut(&mut self) -> &mut [[T; OUT]; IN] {
        &mut self.weight.data.0
    }

    #[inline(always)]
    fn bias_array_mut(&mut self) -> &mut [T; OUT] {
        &mut self.bias.data.0[0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_layer_is_built_on_the_heap_without_overflowing_a_small_stack() {
        let handle = std::thread::Builder::new()
            .stack_size(64 * 1024)
            .spawn(|| Dense::<f32, 256, 784>::zeros().weight.len())
            .unwrap();
        assert_eq!(handle.join().unwrap(), 256 * 784);
    }
}
