//! What describes a network's parameters without holding them on the heap: the dense layers'
//! names and shapes, and the order in which their tensors are visited.

use crate::Float;

/// What a tensor of parameters is: optimizers and regularizers treat weights and biases apart
/// (L1/L2 penalties apply to weights only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TensorKind {
    /// A dense layer's weight matrix.
    Weight,
    /// A dense layer's bias vector.
    Bias,
}

/// The name and shape of one dense layer, as declared: its weight is `outputs × inputs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LayerShape {
    /// The layer's field name (`dense1`).
    pub name: &'static str,
    /// The layer's output width (rows of its weight).
    pub outputs: usize,
    /// The layer's input width (columns of its weight).
    pub inputs: usize,
}

/// A set of parameter tensors in a fixed order: a network's parameters, or its gradients, which
/// share their layout.
pub trait Tensors<T: Float> {
    /// The total number of values over all tensors.
    const LEN: usize;

    /// Calls `f` on each tensor, in layer order, weight before bias.
    fn for_each_tensor(&self, f: impl FnMut(TensorKind, &[T]));

    /// Calls `f` on each tensor mutably, in the same order.
    fn for_each_tensor_mut(&mut self, f: impl FnMut(TensorKind, &mut [T]));
}

/// The activation of a dense layer, as declared: what exporters write for it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LayerActivation {
    /// `f(z) = z`.
    Identity,
    /// The logistic function.
    Sigmoid,
    /// The hyperbolic tangent.
    Tanh,
    /// `max(z, 0)`.
    Relu,
    /// `z` for `z > 0`, `slope·z` otherwise.
    LeakyRelu {
        /// The slope for negative inputs.
        slope: f64,
    },
    /// The softmax over the layer's outputs.
    Softmax,
}
