//! One layer's numbers after a training pass, as a network's generated
//! [`for_each_layer_trace`](crate::Network::for_each_layer_trace) hands them out.

use crate::LayerActivation;

/// What a traced layer is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TraceKind {
    /// A dense layer: `z = W·x + b`, `a = f(z)`.
    Dense,
    /// Dropout: `a = x ⊙ mask`, the mask `0` or `1 / (1 − rate)` per value.
    Dropout {
        /// The probability of dropping a value while training.
        rate: f64,
    },
    /// Layer normalization: `x̂` from each sample's mean and variance, `y = γ ⊙ x̂ + β`,
    /// `a = f(y)`.
    LayerNorm,
    /// Batch normalization: `x̂` from each feature's batch mean and variance,
    /// `y = γ ⊙ x̂ + β`, `a = f(y)`.
    BatchNorm,
}

impl TraceKind {
    /// The kind's name (`dense`, `dropout`, `layer_norm`, `batch_norm`).
    pub const fn name(self) -> &'static str {
        match self {
            TraceKind::Dense => "dense",
            TraceKind::Dropout { .. } => "dropout",
            TraceKind::LayerNorm => "layer_norm",
            TraceKind::BatchNorm => "batch_norm",
        }
    }

    /// Whether the layer has trainable parameters (dense and normalization layers).
    pub const fn has_parameters(self) -> bool {
        !matches!(self, TraceKind::Dropout { .. })
    }
}

/// One layer after `forward_train`, `output_gradient` and `backward` on a batch: its buffers
/// for the batch, each `width × samples`, column-major (one column per sample).
#[derive(Clone, Copy, Debug)]
pub struct LayerTrace<'a, T> {
    /// The layer's field name (`dense1`, `dropout1`, `layernorm1`).
    pub name: &'static str,
    /// The layer as declared (`Dense<4, Tanh>`).
    pub description: &'static str,
    /// What the layer is.
    pub kind: TraceKind,
    /// The activation after the layer (`None` for dropout).
    pub function: Option<LayerActivation>,
    /// The layer's input width.
    pub inputs: usize,
    /// The layer's output width.
    pub width: usize,
    /// The values before the activation: `z = W·x + b` for a dense layer, `y = γ ⊙ x̂ + β` for
    /// a normalization layer; `None` for dropout.
    pub pre_activation: Option<&'a [T]>,
    /// A normalization layer's normalized values `x̂`.
    pub normalized: Option<&'a [T]>,
    /// A dropout layer's mask (all ones when none was drawn).
    pub mask: Option<&'a [T]>,
    /// The layer's outputs `a`.
    pub activation: &'a [T],
    /// `∂L/∂a`, the gradient the next layer passes back; `None` for the last layer (the loss
    /// gives its `δ` directly) and for layers that get no gradient (a dropout before every
    /// layer with parameters).
    pub output_gradient: Option<&'a [T]>,
    /// `δ = ∂L/∂z` (for a normalization layer `∂L/∂y`, for dropout `∂L/∂a`); `None` for layers
    /// that get no gradient.
    pub delta: Option<&'a [T]>,
}
