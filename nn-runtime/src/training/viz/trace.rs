//! One sample's training step through a network, with every number a page of it shows: the
//! generated forward and backward passes on a batch of one in inference mode (no dropout mask
//! drawn), the loss, the gradients, and the change one real optimizer step makes.

use crate::optim::Optimizer;
use crate::train::Penalty;
use crate::{
    BatchMatrix, Float, InputVector, LayerActivation, LayerKind, LayerTrace, Loss, Network, Side,
    TensorKind, Tensors, TraceKind,
};

use super::VizError;

/// A sample's pass through a network. Values are kept as `f64`, which holds an `f32` exactly;
/// [`scalar`](Self::scalar) says which type computed them.
#[derive(Clone, Debug)]
pub(crate) struct Pass {
    /// The network's name.
    pub network: &'static str,
    /// `f32` or `f64`.
    pub scalar: &'static str,
    /// The sample.
    pub input: Vec<f64>,
    /// Its target.
    pub target: Vec<f64>,
    /// Every layer after the input, in order.
    pub layers: Vec<LayerPass>,
    /// The loss's name (`SoftmaxCrossEntropy`).
    pub loss_name: &'static str,
    /// The loss of the sample, in the network's type.
    pub loss: f64,
    /// The weight penalty's value (`f64`, as the trainer adds it).
    pub penalty_value: f64,
    /// The loss the trainer reports: `loss + penalty_value`, in `f64`.
    pub total_loss: f64,
    /// The optimizer's name (`Adam`).
    pub optimizer: String,
    /// Its learning rate.
    pub learning_rate: f64,
    /// The weight penalty.
    pub penalty: Penalty,
}

/// One layer of a [`Pass`]: its trace and its parameters.
#[derive(Clone, Debug)]
pub(crate) struct LayerPass {
    pub name: &'static str,
    pub description: &'static str,
    pub kind: TraceKind,
    pub function: Option<LayerActivation>,
    pub inputs: usize,
    pub width: usize,
    pub pre_activation: Option<Vec<f64>>,
    pub normalized: Option<Vec<f64>>,
    pub mask: Option<Vec<f64>>,
    pub activation: Vec<f64>,
    pub output_gradient: Option<Vec<f64>>,
    pub delta: Option<Vec<f64>>,
    /// A dense layer's weight and bias, a normalization layer's scale and shift; none for
    /// dropout.
    pub parameters: Vec<TensorPass>,
}

/// One trainable tensor of a layer in a [`Pass`].
#[derive(Clone, Debug)]
pub(crate) struct TensorPass {
    pub kind: TensorKind,
    /// The values before the step (a weight column-major, `outputs × inputs`).
    pub values: Vec<f64>,
    /// `∂L/∂θ` from the backward pass.
    pub gradient: Vec<f64>,
    /// The gradient with the weight penalty's terms, for weights when a penalty is set.
    pub penalized: Option<Vec<f64>>,
    /// The optimizer step's change, the values after it less those before (in the network's
    /// type).
    pub update: Vec<f64>,
}

fn to_f64<T: Float>(values: &[T]) -> Vec<f64> {
    values.iter().map(|v| v.as_f64()).collect()
}

impl LayerPass {
    fn of<T: Float>(trace: LayerTrace<'_, T>) -> Self {
        LayerPass {
            name: trace.name,
            description: trace.description,
            kind: trace.kind,
            function: trace.function,
            inputs: trace.inputs,
            width: trace.width,
            pre_activation: trace.pre_activation.map(to_f64),
            normalized: trace.normalized.map(to_f64),
            mask: trace.mask.map(to_f64),
            activation: to_f64(trace.activation),
            output_gradient: trace.output_gradient.map(to_f64),
            delta: trace.delta.map(to_f64),
            parameters: Vec::new(),
        }
    }
}

/// Checks every value is finite.
fn check_finite<T: Float>(values: &[T], side: Side) -> Result<(), VizError> {
    match values.iter().position(|v| !v.as_f64().is_finite()) {
        Some(index) => Err(VizError::NotFinite {
            side,
            index,
            value: values[index].as_f64(),
        }),
        None => Ok(()),
    }
}

/// Runs one training step of `net` on `input` and `target` without changing `net`: the
/// generated forward pass (no dropout mask drawn, so dropout keeps everything), the loss and its
/// gradient, the backward pass, the penalty, and one step of a fresh copy of `optimizer` on a
/// copy of the network.
pub(crate) fn run<N, L, O, const IN: usize, const OUT: usize>(
    net: &N,
    input: &impl InputVector<N::Scalar, IN>,
    target: &impl InputVector<N::Scalar, OUT>,
    loss: &L,
    optimizer: &O,
    penalty: &Penalty,
) -> Result<Pass, VizError>
where
    N: Network<IN, OUT> + Clone,
    L: Loss<N::OutputActivation>,
    O: Optimizer + Clone,
{
    let (input, target) = (input.as_array(), target.as_array());
    check_finite(input, Side::Input)?;
    check_finite(target, Side::Target)?;
    if let Some(layer) = N::LAYERS.iter().find(|l| l.kind == LayerKind::BatchNorm) {
        return Err(VizError::BatchStatistics { layer: layer.name });
    }
    optimizer.validate()?;
    penalty.validate()?;

    let input_batch = BatchMatrix::<N::Scalar, IN>::from_columns(&[(*input).into()]);
    let target_batch = BatchMatrix::<N::Scalar, OUT>::from_columns(&[(*target).into()]);
    let mut workspace = N::workspace(1);
    net.forward_train(&input_batch, &mut workspace);
    let data_loss = net.output_gradient(loss, &target_batch, &mut workspace);
    let mut gradients = N::gradients();
    net.backward(&input_batch, &mut workspace, &mut gradients);

    let mut layers = Vec::new();
    net.for_each_layer_trace(&input_batch, &workspace, |trace| {
        layers.push(LayerPass::of(trace));
    });
    if layers.is_empty() {
        return Err(VizError::NoTrace { network: N::NAME });
    }

    let (tensors, penalty_value) = step(net, &mut gradients, optimizer, penalty);
    attach_parameters::<N, IN, OUT>(&mut layers, tensors);
    let loss_value = data_loss.as_f64();
    Ok(Pass {
        network: N::NAME,
        scalar: <N::Scalar as Float>::NAME,
        input: to_f64(input),
        target: to_f64(target),
        layers,
        loss_name: L::NAME,
        loss: loss_value,
        penalty_value,
        total_loss: loss_value + penalty_value,
        optimizer: optimizer_name(optimizer),
        learning_rate: optimizer.learning_rate(),
        penalty: *penalty,
    })
}

/// One optimizer step on a copy of `net`, as the trainer takes it (the penalty's terms added to
/// each tensor's gradient, then the optimizer's update): each trainable tensor's values, gradient,
/// penalized gradient and change, in the network's tensor order, and the penalty's value.
fn step<N, O, const IN: usize, const OUT: usize>(
    net: &N,
    gradients: &mut N::Gradients,
    optimizer: &O,
    penalty: &Penalty,
) -> (Vec<TensorPass>, f64)
where
    N: Network<IN, OUT> + Clone,
    O: Optimizer + Clone,
{
    let mut tensors = Vec::new();
    let mut before = Vec::new();
    net.for_each_tensor(|kind, values| {
        if kind.is_trained() {
            before.push(values.to_vec());
        }
    });
    gradients.for_each_tensor(|kind, gradient| {
        tensors.push(TensorPass {
            kind,
            values: to_f64(&before[tensors.len()]),
            gradient: to_f64(gradient),
            penalized: None,
            update: Vec::new(),
        });
    });

    let mut stepped = net.clone();
    let mut optimizer = optimizer.clone();
    optimizer.prepare::<N::Scalar>(N::LEN);
    optimizer.begin_step();
    let (mut offset, mut index, mut penalty_value) = (0, 0, 0.0);
    stepped.update(gradients, |kind, parameters, gradient| {
        penalty_value += penalty.apply(kind, parameters, gradient);
        if penalty.is_active() && kind == TensorKind::Weight {
            tensors[index].penalized = Some(to_f64(gradient));
        }
        optimizer.update(kind, parameters, gradient, offset);
        offset += parameters.len();
        index += 1;
    });

    let mut index = 0;
    stepped.for_each_tensor(|kind, after| {
        if kind.is_trained() {
            tensors[index].update = after
                .iter()
                .zip(&before[index])
                .map(|(&after, &before)| (after - before).as_f64())
                .collect();
            index += 1;
        }
    });
    (tensors, penalty_value)
}

/// Gives each layer with parameters its tensors, which come in the order of
/// [`Network::LAYERS`].
fn attach_parameters<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    layers: &mut [LayerPass],
    tensors: Vec<TensorPass>,
) {
    let mut tensors = tensors.into_iter();
    for shape in N::LAYERS {
        let count = shape
            .kind
            .tensors()
            .iter()
            .filter(|k| k.is_trained())
            .count();
        let taken: Vec<TensorPass> = tensors.by_ref().take(count).collect();
        if let Some(layer) = layers.iter_mut().find(|layer| layer.name == shape.name) {
            layer.parameters = taken;
        }
    }
}

/// The optimizer's name as its checkpoints write it (`Adam`), or its type's name.
fn optimizer_name<O: Optimizer>(optimizer: &O) -> String {
    match optimizer.state() {
        Some(state) => state.kind,
        None => {
            let full = core::any::type_name::<O>();
            let base = full.split('<').next().unwrap_or(full);
            base.rsplit("::").next().unwrap_or(base).to_string()
        }
    }
}

/// Each dense layer's name and weight (column-major, as `f64`), in order.
pub(crate) fn dense_weights<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    net: &N,
) -> Vec<(&'static str, Vec<f64>)> {
    let mut tensors = Vec::new();
    net.for_each_tensor(|kind, values| tensors.push((kind, to_f64(values))));
    let mut tensors = tensors.into_iter();
    let mut weights = Vec::new();
    for shape in N::LAYERS {
        let taken: Vec<_> = tensors.by_ref().take(shape.kind.tensors().len()).collect();
        if shape.kind == LayerKind::Dense
            && let Some((_, weight)) = taken.into_iter().find(|(k, _)| *k == TensorKind::Weight)
        {
            weights.push((shape.name, weight));
        }
    }
    weights
}
