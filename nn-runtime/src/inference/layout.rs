//! What describes a network's parameters without holding them on the heap: the layers'
//! names, kinds and shapes, and the order in which their tensors are visited.

use crate::Float;

/// What a tensor of parameters is: optimizers and regularizers treat them apart (L1/L2 penalties
/// apply to dense weights only; running statistics are not trained at all).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TensorKind {
    /// A dense layer's weight matrix.
    Weight,
    /// A dense layer's bias vector.
    Bias,
    /// A normalization layer's scale `γ` (PyTorch's `weight`).
    Scale,
    /// A normalization layer's shift `β` (PyTorch's `bias`).
    Shift,
    /// A batch normalization layer's running mean: updated by training, not by the optimizer.
    RunningMean,
    /// A batch normalization layer's running variance: updated by training, not by the optimizer.
    RunningVariance,
}

impl TensorKind {
    /// The tensor's name in model files and messages, as PyTorch names it (`weight`,
    /// `running_mean`).
    pub const fn name(self) -> &'static str {
        match self {
            TensorKind::Weight | TensorKind::Scale => "weight",
            TensorKind::Bias | TensorKind::Shift => "bias",
            TensorKind::RunningMean => "running_mean",
            TensorKind::RunningVariance => "running_var",
        }
    }

    /// Whether the optimizer trains this tensor.
    pub const fn is_trained(self) -> bool {
        !matches!(self, TensorKind::RunningMean | TensorKind::RunningVariance)
    }
}

/// What a layer with parameters is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LayerKind {
    /// A dense layer: a weight (`outputs × inputs`) and a bias.
    Dense,
    /// Layer normalization: a scale and a shift per feature.
    LayerNorm,
    /// Batch normalization: a scale, a shift, a running mean and a running variance per feature.
    BatchNorm,
}

impl LayerKind {
    /// The layer's tensors, in file order.
    pub const fn tensors(self) -> &'static [TensorKind] {
        match self {
            LayerKind::Dense => &[TensorKind::Weight, TensorKind::Bias],
            LayerKind::LayerNorm => &[TensorKind::Scale, TensorKind::Shift],
            LayerKind::BatchNorm => &[
                TensorKind::Scale,
                TensorKind::Shift,
                TensorKind::RunningMean,
                TensorKind::RunningVariance,
            ],
        }
    }

    /// The kind's name in model files (`dense`, `layer_norm`, `batch_norm`).
    pub const fn name(self) -> &'static str {
        match self {
            LayerKind::Dense => "dense",
            LayerKind::LayerNorm => "layer_norm",
            LayerKind::BatchNorm => "batch_norm",
        }
    }
}

/// The name, kind and shape of one layer with parameters, as declared. A dense layer's weight is
/// `outputs × inputs`; a normalization layer has `outputs = inputs` features.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LayerShape {
    /// The layer's field name (`dense1`, `batchnorm1`).
    pub name: &'static str,
    /// What the layer is.
    pub kind: LayerKind,
    /// The layer's output width (rows of a dense weight).
    pub outputs: usize,
    /// The layer's input width (columns of a dense weight).
    pub inputs: usize,
}

impl LayerShape {
    /// A dense layer's shape.
    pub const fn dense(name: &'static str, outputs: usize, inputs: usize) -> Self {
        Self {
            name,
            kind: LayerKind::Dense,
            outputs,
            inputs,
        }
    }

    /// The length of each of the layer's tensors, in file order.
    pub fn tensor_lengths(&self) -> impl Iterator<Item = (TensorKind, usize)> + '_ {
        self.kind.tensors().iter().map(|&kind| {
            let len = match kind {
                TensorKind::Weight => self.outputs * self.inputs,
                _ => self.outputs,
            };
            (kind, len)
        })
    }

    /// The number of values the layer holds.
    pub const fn values(&self) -> usize {
        match self.kind {
            LayerKind::Dense => self.outputs * self.inputs + self.outputs,
            LayerKind::LayerNorm => 2 * self.outputs,
            LayerKind::BatchNorm => 4 * self.outputs,
        }
    }
}

/// A set of parameter tensors in a fixed order: a network's parameters, or its gradients, which
/// share their layout.
pub trait Tensors<T: Float> {
    /// The total number of values over all tensors.
    const LEN: usize;

    /// Calls `f` on each tensor, in layer order, each layer's in the order of
    /// [`LayerKind::tensors`].
    fn for_each_tensor(&self, f: impl FnMut(TensorKind, &[T]));

    /// Calls `f` on each tensor mutably, in the same order.
    fn for_each_tensor_mut(&mut self, f: impl FnMut(TensorKind, &mut [T]));
}

/// The activation after a layer, as declared: what exporters write for it.
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
    /// The exact GELU, `z·Φ(z)`.
    Gelu,
    /// The GELU's tanh approximation.
    GeluTanh,
    /// `z·σ(z)`.
    Silu,
    /// `z` for `z > 0`, `alpha·(eᶻ − 1)` otherwise.
    Elu {
        /// The scale of the negative part.
        alpha: f64,
    },
    /// `ln(1 + eᶻ)`.
    Softplus,
    /// `z` clamped to `[−1, 1]`.
    HardTanh,
    /// A user's activation type, by its name.
    Custom {
        /// The type's `Activation::NAME`.
        name: &'static str,
    },
}
