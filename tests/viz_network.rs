//! Pictures of networks: the layer traces behind them, and the HTML page run in headless
//! Chromium, where every number shown must be nn's own for the sample.

use nn::nalgebra::SVector;
use nn::prelude::*;
use nn::{LayerTrace, Loss, TraceKind, viz};

network! {
    /// The small network of the page tests.
    pub struct Small: Input<3> -> Dense<4, Tanh> -> Dense<2, Softmax>;
    /// Every kind of layer a page shows, with an activation that keeps its inputs.
    pub struct Mixed: Input<3> -> Dense<5, Gelu> -> Dropout<0.25> -> LayerNorm<Relu>
        -> Dense<4> -> Dense<2, Sigmoid>;
    /// Dropout first: the layer before every parameter gets no gradient.
    pub struct DropFirst: Input<3> -> Dropout<0.5> -> Dense<2, Tanh> -> Dense<1>;
}

/// A copy of one layer's trace.
#[derive(Clone, Debug)]
struct Owned {
    name: &'static str,
    kind: TraceKind,
    width: usize,
    pre_activation: Option<Vec<f32>>,
    activation: Vec<f32>,
    output_gradient: Option<Vec<f32>>,
    delta: Option<Vec<f32>>,
}

impl Owned {
    fn of(trace: LayerTrace<'_, f32>) -> Self {
        Owned {
            name: trace.name,
            kind: trace.kind,
            width: trace.width,
            pre_activation: trace.pre_activation.map(<[f32]>::to_vec),
            activation: trace.activation.to_vec(),
            output_gradient: trace.output_gradient.map(<[f32]>::to_vec),
            delta: trace.delta.map(<[f32]>::to_vec),
        }
    }
}

/// A training pass of `net` on one sample, then its traces; also the network's outputs.
fn trace_one<N: Network<IN, OUT, Scalar = f32>, const IN: usize, const OUT: usize>(
    net: &N,
    input: [f32; IN],
    target: [f32; OUT],
    loss: &impl Loss<N::OutputActivation>,
) -> (Vec<Owned>, Vec<f32>, N::Workspace) {
    let input = BatchMatrix::from_columns(&[SVector::from(input)]);
    let target = BatchMatrix::from_columns(&[SVector::from(target)]);
    let mut workspace = N::workspace(1);
    let outputs = net
        .forward_train(&input, &mut workspace)
        .as_slice()
        .to_vec();
    net.output_gradient(loss, &target, &mut workspace);
    let mut gradients = N::gradients();
    net.backward(&input, &mut workspace, &mut gradients);
    let mut traces = Vec::new();
    net.for_each_layer_trace(&input, &workspace, |trace| traces.push(Owned::of(trace)));
    (traces, outputs, workspace)
}

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() <= 1e-6 * (1.0 + a.abs().max(b.abs()))
}

#[test]
fn traces_give_each_layer_its_values_before_and_after_the_activation_and_its_gradients() {
    let net = Small::new(&mut StdRng::seed_from_u64(7));
    let (traces, outputs, _) = trace_one(&net, [0.5, -1.0, 2.0], [0.0, 1.0], &SoftmaxCrossEntropy);
    let names: Vec<_> = traces.iter().map(|t| (t.name, t.kind, t.width)).collect();
    assert_eq!(
        names,
        [
            ("dense1", TraceKind::Dense, 4),
            ("dense2", TraceKind::Dense, 2)
        ]
    );
    let (hidden, last) = (&traces[0], &traces[1]);
    assert_eq!(last.activation, outputs);
    let z = hidden.pre_activation.as_ref().unwrap();
    for (a, z) in hidden.activation.iter().zip(z) {
        assert!(close(*a, z.tanh()), "a = {a}, tanh(z) = {}", z.tanh());
    }
    // The loss gives the last layer δ = a − y and no ∂L/∂a.
    assert!(last.output_gradient.is_none());
    let delta = last.delta.as_ref().unwrap();
    assert!(close(delta[0], outputs[0]) && close(delta[1], outputs[1] - 1.0));
    // δ of the hidden layer = tanh'(z)·∂L/∂a, and ∂L/∂a = Wᵀ·δ of the last layer.
    let gradient = hidden.output_gradient.as_ref().unwrap();
    let weight = net.dense2.weight.as_slice();
    for j in 0..4 {
        let expected = weight[2 * j] * delta[0] + weight[2 * j + 1] * delta[1];
        assert!(close(gradient[j], expected));
        let a = hidden.activation[j];
        assert!(close(
            hidden.delta.as_ref().unwrap()[j],
            (1.0 - a * a) * gradient[j]
        ));
    }
}

#[test]
fn values_computed_again_equal_those_the_pass_kept_to_the_bit() {
    let net = Mixed::new(&mut StdRng::seed_from_u64(3));
    let (traces, outputs, workspace) =
        trace_one(&net, [1.5, -0.25, 0.75], [1.0, 0.0], &BinaryCrossEntropy);
    let kinds: Vec<_> = traces.iter().map(|t| t.name).collect();
    assert_eq!(
        kinds,
        ["dense1", "dropout1", "layernorm1", "dense2", "dense3"]
    );
    // Gelu keeps its inputs: the trace computes z again, and gets the same bits.
    let kept = workspace.dense1.inputs.as_slice();
    let traced = traces[0].pre_activation.as_ref().unwrap();
    assert_eq!(
        kept.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        traced.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
    );
    // No mask was drawn: dropout passes its input on.
    assert_eq!(traces[1].activation, traces[0].activation);
    assert!(traces[1].pre_activation.is_none());
    assert_eq!(traces[1].delta, traces[1].output_gradient);
    // LayerNorm<Relu>: a = relu(y).
    let y = traces[2].pre_activation.as_ref().unwrap();
    for (a, y) in traces[2].activation.iter().zip(y) {
        assert_eq!(*a, y.max(0.0));
    }
    // The identity: z is the output.
    assert_eq!(
        traces[3].pre_activation.as_ref(),
        Some(&traces[3].activation)
    );
    assert_eq!(traces[4].activation, outputs);
}

#[test]
fn a_layer_before_every_parameter_gets_no_gradient() {
    let net = DropFirst::new(&mut StdRng::seed_from_u64(1));
    let (traces, _, _) = trace_one(&net, [1.0, 2.0, 3.0], [0.5], &MeanSquaredError);
    assert_eq!(traces[0].kind, TraceKind::Dropout { rate: 0.5 });
    assert!(traces[0].delta.is_none() && traces[0].output_gradient.is_none());
    assert!(traces[1].delta.is_some() && traces[1].output_gradient.is_some());
    assert_eq!(traces[0].activation, [1.0, 2.0, 3.0]);
    let _ = viz::TraceKind::Dense.name();
}
