//! ONNX export, checked by a real ONNX runtime (tract): the exported graph gives nn's outputs
//! for every activation, `f32` and `f64` (but `Sigmoid` and `Gelu` in `f64`, which need `Sigmoid`
//! and `Erf` in `double`, which tract lacks), for `LayerNorm` and `BatchNorm` layers with any
//! `ε`, a 784-128-10 network, and batches of any size; a user's activation is not exported, nor
//! a normalization layer whose `ε` the network does not give.

use nn::model::{self, ModelError};
use nn::prelude::*;
use nn::rand::RngExt;
use tract_onnx::prelude::*;

network! {
    /// Every activation, a custom LeakyRelu slope and a dropout layer the export leaves out.
    pub struct EveryActivation: Input<6> -> Dense<12, Relu> -> Dense<10, Tanh> -> Dense<8, Sigmoid>
        -> Dense<8, LeakyRelu<0.3>> -> Dropout<0.2> -> Dense<7> -> Dense<4, Softmax>;

    /// The same in `f64`, but for `Sigmoid`, which tract does not run in `f64` (onnxruntime
    /// checks it, in `tests/interop.rs`).
    pub struct EveryActivation64<f64>: Input<6> -> Dense<12, Relu> -> Dense<10, Tanh>
        -> Dense<8, LeakyRelu<0.3>> -> Dense<7> -> Dense<4, Softmax>;

    /// The N3 network.
    pub struct Mnist: Input<784> -> Dense<128, Relu> -> Dense<10, Softmax>;

    /// The activations exported as a formula of several nodes (`Gelu`, `GeluTanh`, `Silu`),
    /// with an attribute (`Elu`) or with constant inputs (`HardTanh`, as `Clip`), and `Softplus`.
    pub struct Smooth: Input<3> -> Dense<5, Gelu> -> Dense<5, GeluTanh> -> Dense<5, Silu>
        -> Dense<5, Elu<0.7>> -> Dense<5, Softplus> -> Dense<4, HardTanh>;

    /// The same in `f64`, but for `Gelu`: tract (nor onnxruntime) has no `Erf` in `f64`. In
    /// `f64`, `Elu` and `Softplus` are exported as their formulas.
    pub struct Smooth64<f64>: Input<3> -> Dense<5, GeluTanh> -> Dense<5, Silu>
        -> Dense<5, Elu<0.7>> -> Dense<5, Softplus> -> Dense<4, HardTanh>;

    /// One activation applied to the input itself (weight 1, bias 0): `z = x`.
    pub struct OneGelu: Input<1> -> Dense<1, Gelu>;
    /// As `OneGelu`.
    pub struct OneGeluTanh: Input<1> -> Dense<1, GeluTanh>;
    /// As `OneGelu`.
    pub struct OneSilu: Input<1> -> Dense<1, Silu>;
    /// As `OneGelu`.
    pub struct OneElu: Input<1> -> Dense<1, Elu<0.7>>;
    /// As `OneGelu`.
    pub struct OneSoftplus: Input<1> -> Dense<1, Softplus>;
    /// As `OneGelu`.
    pub struct OneHardTanh: Input<1> -> Dense<1, HardTanh>;
    /// As `OneGelu`, in `f64` (no `Gelu`, as in `Smooth64`).
    pub struct OneGeluTanh64<f64>: Input<1> -> Dense<1, GeluTanh>;
    /// As `OneGeluTanh64`.
    pub struct OneSilu64<f64>: Input<1> -> Dense<1, Silu>;
    /// As `OneGeluTanh64`.
    pub struct OneElu64<f64>: Input<1> -> Dense<1, Elu<0.7>>;
    /// As `OneGeluTanh64`.
    pub struct OneSoftplus64<f64>: Input<1> -> Dense<1, Softplus>;
    /// As `OneGeluTanh64`.
    pub struct OneHardTanh64<f64>: Input<1> -> Dense<1, HardTanh>;

    /// A user's activation on its second layer.
    pub struct Cubic: Input<2> -> Dense<3, Relu> -> Dense<1, Cube>;

    /// Batch normalization with an activation and without, layer normalization without and
    /// with one, every `ε` the default, 1e-5.
    pub struct Normed: Input<4> -> Dense<8> -> BatchNorm<Relu> -> Dense<6, Tanh> -> BatchNorm
        -> Dense<5> -> LayerNorm -> Dense<5, Relu> -> LayerNorm<Elu<0.7>> -> Dense<3>;
    /// The same in `f64`.
    pub struct Normed64<f64>: Input<4> -> Dense<8> -> BatchNorm<Relu> -> Dense<6, Tanh>
        -> BatchNorm -> Dense<5> -> LayerNorm -> Dense<5, Relu> -> LayerNorm<Elu<0.7>>
        -> Dense<3>;

    /// Both normalizations with an activation and another `ε`, the first normalizing the input
    /// itself.
    pub struct NormedEps: Input<4> -> LayerNorm<Tanh, eps = 1e-3> -> Dense<5>
        -> BatchNorm<Silu, eps = 1e-2> -> Dense<3>;
    /// The same in `f64`.
    pub struct NormedEps64<f64>: Input<4> -> LayerNorm<Tanh, eps = 1e-3> -> Dense<5>
        -> BatchNorm<Silu, eps = 1e-2> -> Dense<3>;
}

/// `z³`: a user's activation, which ONNX export cannot express.
#[derive(Clone, Copy, Debug, Default)]
pub struct Cube;

impl ElementwiseActivation for Cube {
    const NAME: &'static str = "Cube";

    fn value<T: nn::Float>(&self, z: T) -> T {
        z * z * z
    }

    fn derivative<T: nn::Float>(&self, z: T, _a: T) -> T {
        T::of_f64(3.0) * z * z
    }
}

/// Runs the ONNX model `bytes` in tract on `inputs` (one row per sample), returning one row of
/// outputs per sample.
fn run_in_tract<T: Datum + Copy, const IN: usize>(bytes: &[u8], inputs: &[[T; IN]]) -> Vec<Vec<T>> {
    let model = tract_onnx::onnx()
        .model_for_read(&mut std::io::Cursor::new(bytes))
        .unwrap()
        .into_optimized()
        .unwrap()
        .into_runnable()
        .unwrap();
    let flat: Vec<T> = inputs.iter().flatten().copied().collect();
    let input = tract_ndarray::Array2::from_shape_vec((inputs.len(), IN), flat).unwrap();
    let outputs = model.run(tvec!(input.into_tensor().into())).unwrap();
    let view = outputs[0].to_plain_array_view::<T>().unwrap();
    view.outer_iter()
        .map(|row| row.iter().copied().collect())
        .collect()
}

fn random_inputs<T: nn::Float, const N: usize>(count: usize, seed: u64) -> Vec<[T; N]> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..count)
        .map(|_| std::array::from_fn(|_| T::of_f64(rng.random_range(-3.0..3.0))))
        .collect()
}

/// Asserts `|got − want| ≤ tolerance·max(|want|, 1e-3)` for every value.
fn assert_close(got: &[f64], want: &[f64], tolerance: f64) {
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g - w).abs() <= tolerance * w.abs().max(1e-3),
            "tract gives {g}, nn {w}"
        );
    }
}

/// Random weights and non-zero biases.
fn with_biases<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(mut net: N) -> N {
    let mut i = 0u32;
    net.for_each_tensor_mut(|kind, values| {
        if kind == nn::TensorKind::Bias {
            for value in values {
                i += 1;
                *value = nn::Float::of_f64(f64::from(i % 5) * 0.1 - 0.2);
            }
        }
    });
    net
}

#[test]
fn every_activation_in_f32_gives_nns_outputs_for_batches_of_1_and_7() {
    let net = with_biases(EveryActivation::new(&mut StdRng::seed_from_u64(1)));
    let bytes = model::to_onnx(&net).unwrap();
    for count in [1, 7] {
        let inputs = random_inputs::<f32, 6>(count, count as u64);
        let got = run_in_tract(&bytes, &inputs);
        for (x, row) in inputs.iter().zip(&got) {
            let want: Vec<f64> = net.forward(x).iter().map(|&v| f64::from(v)).collect();
            let row: Vec<f64> = row.iter().map(|&v| f64::from(v)).collect();
            assert_close(&row, &want, 1e-5);
        }
    }
}

#[test]
fn every_activation_in_f64_gives_nns_outputs() {
    let net = with_biases(EveryActivation64::new(&mut StdRng::seed_from_u64(2)));
    let inputs = random_inputs::<f64, 6>(5, 3);
    let got = run_in_tract(&model::to_onnx(&net).unwrap(), &inputs);
    for (x, row) in inputs.iter().zip(&got) {
        // The LeakyRelu slope is an ONNX float attribute: 0.3 rounded to f32.
        assert_close(row, net.forward(x).as_slice(), 1e-7);
    }
}

#[test]
fn a_784_128_10_network_gives_nns_outputs() {
    let net = with_biases(Mnist::new(&mut StdRng::seed_from_u64(3)));
    let inputs = random_inputs::<f32, 784>(4, 4);
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("mnist.onnx");
    model::save_onnx(&net, &path).unwrap();
    let got = run_in_tract(&std::fs::read(&path).unwrap(), &inputs);
    for (x, row) in inputs.iter().zip(&got) {
        let want: Vec<f64> = net.forward(x).iter().map(|&v| f64::from(v)).collect();
        let row: Vec<f64> = row.iter().map(|&v| f64::from(v)).collect();
        assert_close(&row, &want, 1e-5);
    }
}

#[test]
fn the_graph_names_its_input_and_output_and_has_a_symbolic_batch() {
    let net = EveryActivation::new(&mut StdRng::seed_from_u64(1));
    let model = tract_onnx::onnx()
        .model_for_read(&mut std::io::Cursor::new(model::to_onnx(&net).unwrap()))
        .unwrap();
    let input = model.input_outlets().unwrap()[0];
    let output = model.output_outlets().unwrap()[0];
    assert_eq!(model.node(input.node).name, model::onnx::INPUT);
    assert_eq!(model.outlet_label(output), Some(model::onnx::OUTPUT));
    let fact = format!("{:?}", model.outlet_fact(input).unwrap());
    assert!(
        fact.contains(model::onnx::BATCH) && fact.contains('6'),
        "{fact}"
    );
    // Dropout is left out: 5 hidden activations, the identity layer, softmax.
    let ops: Vec<String> = model
        .nodes()
        .iter()
        .map(|n| n.op().name().to_string())
        .collect();
    assert!(!ops.iter().any(|op| op.contains("ropout")), "{ops:?}");
}

#[test]
fn a_network_with_a_nan_is_not_exported() {
    let mut net = EveryActivation::new(&mut StdRng::seed_from_u64(1));
    net.dense3.bias[2] = f32::NAN;
    let error = model::to_onnx(&net).unwrap_err().to_string();
    assert_eq!(
        error,
        "value 2 of the bias of layer `dense3` is NaN, expected a finite number"
    );
}

/// The largest `|got − want|` and the largest `|got − want| / max(|want|, floor)` over the rows
/// of tract's outputs `got` and nn's `want`.
fn differences(got: &[Vec<f64>], want: &[Vec<f64>], floor: f64) -> (f64, f64) {
    assert_eq!(got.len(), want.len());
    let (mut absolute, mut relative) = (0.0f64, 0.0f64);
    for (g, w) in got.iter().zip(want) {
        assert_eq!(g.len(), w.len());
        for (g, w) in g.iter().zip(w) {
            absolute = absolute.max((g - w).abs());
            relative = relative.max((g - w).abs() / w.abs().max(floor));
        }
    }
    (absolute, relative)
}

/// Runs `net` on `inputs` in nn and, exported, in tract; returns the rows of both, in `f64`.
fn both<N, T, const IN: usize, const OUT: usize>(
    net: &N,
    inputs: &[[T; IN]],
) -> (Vec<Vec<f64>>, Vec<Vec<f64>>)
where
    N: Network<IN, OUT, Scalar = T>,
    T: nn::Float + Datum,
{
    let got = run_in_tract(&model::to_onnx(net).unwrap(), inputs);
    let got = got
        .iter()
        .map(|row| row.iter().map(|v| v.as_f64()).collect())
        .collect();
    let want = inputs
        .iter()
        .map(|x| {
            Network::forward(net, &SVector::from(*x))
                .iter()
                .map(|v| v.as_f64())
                .collect()
        })
        .collect();
    (got, want)
}

/// `Smooth`'s inputs: every sign pattern of `±2.5`, zero, and random values in `[−3, 3]`.
fn smooth_inputs<T: nn::Float>() -> Vec<[T; 3]> {
    let mut inputs: Vec<[T; 3]> = (0..8)
        .map(|bits| std::array::from_fn(|i| T::of_f64(if bits >> i & 1 == 1 { 2.5 } else { -2.5 })))
        .collect();
    inputs.push([T::zero(); 3]);
    inputs.extend(random_inputs::<T, 3>(7, 5));
    inputs
}

/// Random weights scaled by 2, so that every layer sees pre-activations of both signs beyond
/// ±1 (where `HardTanh` clips), and non-zero biases.
fn spread<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(net: N) -> N {
    let mut net = with_biases(net);
    net.for_each_tensor_mut(|kind, values| {
        if kind == nn::TensorKind::Weight {
            for value in values {
                *value *= <N::Scalar as nn::Float>::of_f64(2.0);
            }
        }
    });
    net
}

/// Asserts that tract's outputs `got` are within `tolerance·max(|want|, floor)` of nn's `want`,
/// printing the largest differences (`--nocapture`).
fn check(what: &str, got: &[Vec<f64>], want: &[Vec<f64>], floor: f64, tolerance: f64) {
    let (absolute, relative) = differences(got, want, floor);
    eprintln!(
        "{what}: largest difference {absolute:.1e}, relative to max(|nn|, {floor:e}) {relative:.1e}"
    );
    assert!(
        relative <= tolerance,
        "{what}: {relative:e} > {tolerance:e}"
    );
}

/// The tolerance of the `f32` checks, relative to `max(|nn|, F32_FLOOR)`.
const F32_TOLERANCE: f64 = 1e-5;
/// Below it, `f32` checks are absolute (`1e-6`): `1 + erf(z)` and `ln(1 + eᶻ)` (how the ONNX
/// Softplus is defined) cancel for negative `z`, where the runtime's and nn's `f32` functions,
/// a few ulps apart, differ by up to `6e-7` (tract's `Erf` at `z = −4`).
const F32_FLOOR: f64 = 0.1;
/// The tolerance of the `f64` checks, relative to `max(|nn|, 1e-3)`, as in `assert_close`.
const F64_TOLERANCE: f64 = 1e-12;

#[test]
fn the_smooth_activations_in_f32_give_nns_outputs() {
    let net = spread(Smooth::new(&mut StdRng::seed_from_u64(6)));
    let (got, want) = both(&net, &smooth_inputs::<f32>());
    check("Smooth (f32)", &got, &want, F32_FLOOR, F32_TOLERANCE);
    // The last layer clips.
    assert!(want.iter().flatten().any(|v| v.abs() == 1.0), "{want:?}");
}

#[test]
fn the_smooth_activations_in_f64_give_nns_outputs() {
    let net = spread(Smooth64::new(&mut StdRng::seed_from_u64(7)));
    let (got, want) = both(&net, &smooth_inputs::<f64>());
    check("Smooth64 (f64)", &got, &want, 1e-3, F64_TOLERANCE);
    assert!(want.iter().flatten().any(|v| v.abs() == 1.0), "{want:?}");
}

/// The inputs of the one-unit probes: both signs, the kinks of `Elu` and `HardTanh`, and the
/// tails.
const PROBES: [f64; 15] = [
    -30.0, -8.0, -4.0, -2.0, -1.0, -0.7, -0.01, 0.0, 0.01, 0.7, 1.0, 2.0, 4.0, 8.0, 19.5,
];

/// `net` set to weight 1 and bias 0, so that its activation sees the input itself, run on
/// [`PROBES`] in tract and in nn.
fn probe<N, T>(mut net: N) -> (Vec<Vec<f64>>, Vec<Vec<f64>>)
where
    N: Network<1, 1, Scalar = T>,
    T: nn::Float + Datum,
{
    net.for_each_tensor_mut(|kind, values| {
        values[0] = match kind {
            nn::TensorKind::Weight => T::one(),
            _ => T::zero(),
        };
    });
    let inputs: Vec<[T; 1]> = PROBES.iter().map(|&x| [T::of_f64(x)]).collect();
    both(&net, &inputs)
}

#[test]
fn each_smooth_activation_in_f32_gives_nns_values_on_both_sides_of_zero() {
    let rng = &mut StdRng::seed_from_u64(9);
    let probes = [
        ("Gelu (f32)", probe(OneGelu::new(rng))),
        ("GeluTanh (f32)", probe(OneGeluTanh::new(rng))),
        ("Silu (f32)", probe(OneSilu::new(rng))),
        ("Elu<0.7> (f32)", probe(OneElu::new(rng))),
        ("Softplus (f32)", probe(OneSoftplus::new(rng))),
        ("HardTanh (f32)", probe(OneHardTanh::new(rng))),
    ];
    for (what, (got, want)) in probes {
        check(what, &got, &want, F32_FLOOR, F32_TOLERANCE);
    }
}

#[test]
fn each_smooth_activation_in_f64_gives_nns_values_on_both_sides_of_zero() {
    let rng = &mut StdRng::seed_from_u64(10);
    let probes = [
        ("GeluTanh (f64)", probe(OneGeluTanh64::new(rng))),
        ("Silu (f64)", probe(OneSilu64::new(rng))),
        ("Elu<0.7> (f64)", probe(OneElu64::new(rng))),
        ("Softplus (f64)", probe(OneSoftplus64::new(rng))),
        ("HardTanh (f64)", probe(OneHardTanh64::new(rng))),
    ];
    for (what, (got, want)) in probes {
        check(what, &got, &want, 1e-3, F64_TOLERANCE);
    }
}

#[test]
fn softplus_above_20_differs_from_nn_by_less_than_2_1e_9() {
    // nn (like PyTorch) gives `z` above 20; the export (in f64 the formula of ONNX's Softplus,
    // which has no threshold) `z + ln(1 + e⁻ᶻ)`.
    let mut net = OneSoftplus64::new(&mut StdRng::seed_from_u64(11));
    net.dense1.weight[0] = 1.0;
    net.dense1.bias[0] = 0.0;
    let inputs = [[20.0 + 1e-9], [21.0], [30.0]];
    let (got, want) = both(&net, &inputs);
    for ((got, want), x) in got.iter().zip(&want).zip(&inputs) {
        assert_eq!(want[0], x[0]);
        let difference = got[0] - want[0];
        assert!(difference > 0.0 && difference < 2.1e-9, "{difference:e}");
    }
}

/// The ONNX model `bytes`, as protobuf messages.
fn proto(bytes: &[u8]) -> tract_onnx::pb::ModelProto {
    tract_onnx::onnx()
        .proto_model_for_read(&mut std::io::Cursor::new(bytes))
        .unwrap()
}

/// The scalar initializer `name` of `model`: its ONNX data type and value.
fn scalar(model: &tract_onnx::pb::ModelProto, name: &str) -> (i32, f64) {
    let graph = model.graph.as_ref().unwrap();
    let tensor = graph.initializer.iter().find(|t| t.name == name);
    let tensor = tensor.unwrap_or_else(|| panic!("no initializer {name}"));
    assert!(tensor.dims.is_empty(), "{name}: {:?}", tensor.dims);
    let raw = &tensor.raw_data;
    let value = match tensor.data_type {
        1 => f64::from(f32::from_le_bytes(raw[..].try_into().unwrap())),
        11 => f64::from_le_bytes(raw[..].try_into().unwrap()),
        other => panic!("{name}: data type {other}"),
    };
    (tensor.data_type, value)
}

/// The operator of each node of `model` whose name starts with `prefix`, in order.
fn ops(model: &tract_onnx::pb::ModelProto, prefix: &str) -> Vec<String> {
    let graph = model.graph.as_ref().unwrap();
    let nodes = graph.node.iter().filter(|n| n.name.starts_with(prefix));
    nodes.map(|n| n.op_type.clone()).collect()
}

#[test]
fn decomposed_activations_name_their_constants_after_the_layer_in_the_element_type() {
    let (float, double) = (1, 11);
    let f32_model = proto(&model::to_onnx(&Smooth::new(&mut StdRng::seed_from_u64(1))).unwrap());
    assert_eq!(f32_model.opset_import[0].version, 13);
    let sqrt_2_over_pi = (2.0 / std::f64::consts::PI).sqrt();
    for (name, value) in [
        ("dense1.gelu.half", 0.5),
        ("dense1.gelu.one", 1.0),
        ("dense1.gelu.frac_1_sqrt_2", std::f64::consts::FRAC_1_SQRT_2),
        ("dense2.gelu_tanh.kappa", 0.044715),
        (
            "dense2.gelu_tanh.minus_2_sqrt_2_over_pi",
            -2.0 * sqrt_2_over_pi,
        ),
        ("dense2.gelu_tanh.one", 1.0),
        ("dense3.silu.one", 1.0),
        ("dense6.hardtanh.min", -1.0),
        ("dense6.hardtanh.max", 1.0),
    ] {
        assert_eq!(
            scalar(&f32_model, name),
            (float, f64::from(value as f32)),
            "{name}"
        );
    }
    let expected: [(&str, &[&str]); 6] = [
        ("dense1.gelu", &["Mul", "Erf", "Add", "Mul", "Mul"]),
        (
            "dense2.gelu_tanh",
            &["Mul", "Mul", "Mul", "Add", "Mul", "Exp", "Add", "Div"],
        ),
        ("dense3.silu", &["Neg", "Exp", "Add", "Div"]),
        // `Elu<0.7>` in f32: the operator, α its f32 attribute.
        ("dense4.elu", &["Elu"]),
        ("dense5.softplus", &["Softplus"]),
        ("dense6.hardtanh", &["Clip"]),
    ];
    for (prefix, want) in expected {
        assert_eq!(ops(&f32_model, prefix), want, "{prefix}");
    }

    // In f64, the constants are doubles, and `Elu<0.7>` and `Softplus` are their formulas, α a
    // double.
    let f64_model = proto(&model::to_onnx(&Smooth64::new(&mut StdRng::seed_from_u64(1))).unwrap());
    for (name, value) in [
        (
            "dense1.gelu_tanh.minus_2_sqrt_2_over_pi",
            -2.0 * sqrt_2_over_pi,
        ),
        ("dense3.elu.alpha", 0.7),
        ("dense4.softplus.one", 1.0),
        ("dense5.hardtanh.min", -1.0),
    ] {
        let (data_type, got) = scalar(&f64_model, name);
        assert_eq!(data_type, double, "{name}");
        assert!((got - value).abs() <= 1e-16, "{name}: {got}");
    }
    let elu = ops(&f64_model, "dense3.elu");
    assert_eq!(elu, ["Greater", "Exp", "Sub", "Mul", "Where"]);
    let softplus = ops(&f64_model, "dense4.softplus");
    assert_eq!(softplus, ["Relu", "Abs", "Neg", "Exp", "Add", "Log", "Add"]);
}

#[test]
fn a_users_activation_is_not_exported() {
    let net = Cubic::new(&mut StdRng::seed_from_u64(12));
    let error = model::to_onnx(&net).unwrap_err();
    assert!(
        matches!(
            &error,
            ModelError::UnsupportedActivation { layer, activation, format: "ONNX" }
                if layer == "dense2" && activation == "Cube"
        ),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "layer `dense2` uses the activation `Cube`, which ONNX export cannot express"
    );
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("cubic.onnx");
    assert!(model::save_onnx(&net, &path).is_err());
    assert!(!path.exists());
}

/// `net` with random non-trivial parameters: dense biases in `[−0.3, 0.3]`; per normalization
/// feature, `γ` of either sign with `0.5 ≤ |γ| ≤ 1.5`, `β` in `[−0.5, 0.5]`, a running mean in
/// `[−1, 1]` and a running variance in `[0.05, 3]` (the small ones making `ε` count).
fn with_statistics<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    mut net: N,
    seed: u64,
) -> N {
    let mut rng = StdRng::seed_from_u64(seed);
    net.for_each_tensor_mut(|kind, values| {
        for value in values {
            let random = match kind {
                nn::TensorKind::Weight => continue,
                nn::TensorKind::Bias => rng.random_range(-0.3..0.3),
                nn::TensorKind::Scale => {
                    let sign = if rng.random_bool(0.5) { 1.0 } else { -1.0 };
                    sign * rng.random_range(0.5..1.5)
                }
                nn::TensorKind::Shift => rng.random_range(-0.5..0.5),
                nn::TensorKind::RunningMean => rng.random_range(-1.0..1.0),
                nn::TensorKind::RunningVariance => rng.random_range(0.05..3.0),
            };
            *value = nn::Float::of_f64(random);
        }
    });
    net
}

/// Inputs of the normalized networks: random values in `[−3, 3]`, and rows whose features are
/// equal or nearly so, where a `LayerNorm` of the input divides by `√ε` or little more.
fn norm_inputs<T: nn::Float>(count: usize, seed: u64) -> Vec<[T; 4]> {
    let mut inputs = random_inputs::<T, 4>(count, seed);
    for row in [[1.0, 1.0, 1.0, 1.0], [0.5, 0.5, 0.5, 0.51], [0.0; 4]] {
        inputs.push(row.map(T::of_f64));
    }
    inputs
}

/// Checks the export of `net` in tract against nn on [`norm_inputs`] (their random rows
/// `count`) in batches of 1 and all at once.
fn check_normed<N, T>(what: &str, net: &N, count: usize, floor: f64, tolerance: f64)
where
    N: Network<4, 3, Scalar = T>,
    T: nn::Float + Datum,
{
    let inputs = norm_inputs::<T>(count, 21);
    let (got, want) = both(net, &inputs);
    check(what, &got, &want, floor, tolerance);
    for x in &inputs[..2] {
        let (got, want) = both(net, std::slice::from_ref(x));
        check(
            &format!("{what}, one sample"),
            &got,
            &want,
            floor,
            tolerance,
        );
    }
}

#[test]
fn batch_and_layer_normalization_in_f32_give_nns_outputs() {
    let net = with_statistics(Normed::new(&mut StdRng::seed_from_u64(20)), 22);
    check_normed("Normed (f32)", &net, 9, F32_FLOOR, F32_TOLERANCE);
}

#[test]
fn batch_and_layer_normalization_in_f64_give_nns_outputs() {
    let net = with_statistics(Normed64::new(&mut StdRng::seed_from_u64(23)), 24);
    check_normed("Normed64 (f64)", &net, 9, 1e-3, F64_TOLERANCE);
}

#[test]
fn normalization_with_another_epsilon_in_f32_gives_nns_outputs() {
    let net = with_statistics(NormedEps::new(&mut StdRng::seed_from_u64(25)), 26);
    check_normed("NormedEps (f32)", &net, 9, F32_FLOOR, F32_TOLERANCE);
}

#[test]
fn normalization_with_another_epsilon_in_f64_gives_nns_outputs() {
    let net = with_statistics(NormedEps64::new(&mut StdRng::seed_from_u64(27)), 28);
    check_normed("NormedEps64 (f64)", &net, 9, 1e-3, F64_TOLERANCE);
}

/// The `float` attribute `name` of the node `node` of `model`.
fn float_attribute(model: &tract_onnx::pb::ModelProto, node: &str, name: &str) -> f32 {
    let graph = model.graph.as_ref().unwrap();
    let node = graph.node.iter().find(|n| n.name == node);
    let node = node.unwrap_or_else(|| panic!("no node {node:?}"));
    let attribute = node.attribute.iter().find(|a| a.name == name).unwrap();
    attribute.f
}

/// The dimensions of the initializer `name` of `model`.
fn dims(model: &tract_onnx::pb::ModelProto, name: &str) -> Vec<i64> {
    let graph = model.graph.as_ref().unwrap();
    let tensor = graph.initializer.iter().find(|t| t.name == name);
    tensor
        .unwrap_or_else(|| panic!("no initializer {name}"))
        .dims
        .clone()
}

#[test]
fn normalization_layers_are_their_formula_or_batch_normalization_with_the_layers_epsilon() {
    let (float, double) = (1, 11);
    let layer_norm = [
        "ReduceMean",
        "Sub",
        "Mul",
        "ReduceMean",
        "Add",
        "Sqrt",
        "Div",
        "Mul",
        "Mul",
        "Add",
    ];
    let batch_norm = ["Sub", "Add", "Sqrt", "Div", "Mul", "Mul", "Add"];
    // In f64, `Σ (x − μ)²` is a `MatMul` by a column of ones (tract computes `ReduceMean(v·v)`
    // in `float`).
    let layer_norm_64 = [
        "ReduceMean",
        "Sub",
        "Mul",
        "MatMul",
        "Div",
        "Add",
        "Sqrt",
        "Div",
        "Mul",
        "Mul",
        "Add",
    ];

    // f32: the LayerNorm its formula, the BatchNorm the operator, ε its float attribute.
    let f32_model = proto(&model::to_onnx(&NormedEps::new(&mut StdRng::seed_from_u64(1))).unwrap());
    assert_eq!(f32_model.opset_import[0].version, 13);
    assert_eq!(ops(&f32_model, "layernorm1.norm"), layer_norm);
    assert_eq!(
        scalar(&f32_model, "layernorm1.norm.epsilon"),
        (float, f64::from(1e-3f32))
    );
    assert_eq!(ops(&f32_model, "batchnorm1.norm"), ["BatchNormalization"]);
    assert_eq!(
        float_attribute(&f32_model, "batchnorm1.norm", "epsilon"),
        1e-2f32
    );
    let inputs = |model: &tract_onnx::pb::ModelProto, node: &str| {
        let graph = model.graph.as_ref().unwrap();
        graph
            .node
            .iter()
            .find(|n| n.name == node)
            .unwrap()
            .input
            .clone()
    };
    assert_eq!(
        inputs(&f32_model, "batchnorm1.norm"),
        [
            "dense1",
            "batchnorm1.weight",
            "batchnorm1.bias",
            "batchnorm1.running_mean",
            "batchnorm1.running_var"
        ]
    );
    // The LayerNorm normalizes the graph's input.
    assert_eq!(inputs(&f32_model, "layernorm1.norm.mean"), ["input"]);
    for name in ["layernorm1.weight", "layernorm1.bias"] {
        assert_eq!(dims(&f32_model, name), [4], "{name}");
    }
    for tensor in ["weight", "bias", "running_mean", "running_var"] {
        assert_eq!(dims(&f32_model, &format!("batchnorm1.{tensor}")), [5]);
    }

    // f64: both formulas, ε a double.
    let f64_model =
        proto(&model::to_onnx(&NormedEps64::new(&mut StdRng::seed_from_u64(1))).unwrap());
    assert_eq!(f64_model.opset_import[0].version, 13);
    assert_eq!(ops(&f64_model, "layernorm1.norm"), layer_norm_64);
    assert_eq!(dims(&f64_model, "layernorm1.norm.ones"), [4, 1]);
    assert_eq!(scalar(&f64_model, "layernorm1.norm.count"), (double, 4.0));
    assert_eq!(ops(&f64_model, "batchnorm1.norm"), batch_norm);
    assert_eq!(
        scalar(&f64_model, "layernorm1.norm.epsilon"),
        (double, 1e-3)
    );
    assert_eq!(
        scalar(&f64_model, "batchnorm1.norm.epsilon"),
        (double, 1e-2)
    );
    assert_eq!(
        inputs(&f64_model, "batchnorm1.norm.centered"),
        ["dense1", "batchnorm1.running_mean"]
    );
    assert_eq!(
        inputs(&f64_model, "batchnorm1.norm.variance_plus_epsilon"),
        ["batchnorm1.running_var", "batchnorm1.norm.epsilon"]
    );

    // The default ε, in both.
    let normed = proto(&model::to_onnx(&Normed::new(&mut StdRng::seed_from_u64(1))).unwrap());
    assert_eq!(
        float_attribute(&normed, "batchnorm2.norm", "epsilon"),
        1e-5f32
    );
    assert_eq!(
        scalar(&normed, "layernorm2.norm.epsilon"),
        (float, f64::from(1e-5f32))
    );
    let normed64 = proto(&model::to_onnx(&Normed64::new(&mut StdRng::seed_from_u64(1))).unwrap());
    assert_eq!(scalar(&normed64, "batchnorm2.norm.epsilon"), (double, 1e-5));
}

/// `Normed` through a hand-written implementation of [`Network`] that keeps the trait's default,
/// empty `NORM_EPSILONS`: nothing tells the export its layers' `ε`.
struct WithoutEpsilons(Normed);

impl nn::Tensors<f32> for WithoutEpsilons {
    const LEN: usize = <Normed as nn::Tensors<f32>>::LEN;

    fn for_each_tensor(&self, f: impl FnMut(nn::TensorKind, &[f32])) {
        self.0.for_each_tensor(f);
    }

    fn for_each_tensor_mut(&mut self, f: impl FnMut(nn::TensorKind, &mut [f32])) {
        self.0.for_each_tensor_mut(f);
    }
}

impl Network<4, 3> for WithoutEpsilons {
    type Scalar = f32;
    type OutputActivation = <Normed as Network<4, 3>>::OutputActivation;
    type Gradients = <Normed as Network<4, 3>>::Gradients;
    type Workspace = <Normed as Network<4, 3>>::Workspace;

    const NAME: &'static str = "WithoutEpsilons";
    const LAYERS: &'static [nn::LayerShape] = <Normed as Network<4, 3>>::LAYERS;
    const ACTIVATIONS: &'static [nn::LayerActivation] = <Normed as Network<4, 3>>::ACTIVATIONS;

    fn forward(&self, input: &SVector<f32, 4>) -> SVector<f32, 3> {
        Network::forward(&self.0, input)
    }

    fn zeros() -> Self {
        Self(<Normed as Network<4, 3>>::zeros())
    }

    fn workspace(capacity: usize) -> Self::Workspace {
        <Normed as Network<4, 3>>::workspace(capacity)
    }

    fn gradients() -> Self::Gradients {
        <Normed as Network<4, 3>>::gradients()
    }

    fn resample_dropout<R: nn::rand::Rng + ?Sized>(
        &self,
        workspace: &mut Self::Workspace,
        samples: usize,
        rng: &mut R,
    ) {
        self.0.resample_dropout(workspace, samples, rng);
    }

    fn forward_train<'w>(
        &self,
        input: &BatchMatrix<f32, 4>,
        workspace: &'w mut Self::Workspace,
    ) -> &'w BatchMatrix<f32, 3> {
        self.0.forward_train(input, workspace)
    }

    fn forward_batch<'w>(
        &self,
        input: &BatchMatrix<f32, 4>,
        workspace: &'w mut Self::Workspace,
    ) -> &'w BatchMatrix<f32, 3> {
        self.0.forward_batch(input, workspace)
    }

    fn output_gradient<L: nn::Loss<Self::OutputActivation>>(
        &self,
        loss: &L,
        target: &BatchMatrix<f32, 3>,
        workspace: &mut Self::Workspace,
    ) -> f32 {
        self.0.output_gradient(loss, target, workspace)
    }

    fn weighted_output_gradient<L: nn::Loss<Self::OutputActivation>>(
        &self,
        loss: &L,
        target: &BatchMatrix<f32, 3>,
        weights: &[f32],
        workspace: &mut Self::Workspace,
    ) -> f32 {
        self.0
            .weighted_output_gradient(loss, target, weights, workspace)
    }

    fn backward(
        &self,
        input: &BatchMatrix<f32, 4>,
        workspace: &mut Self::Workspace,
        gradients: &mut Self::Gradients,
    ) {
        self.0.backward(input, workspace, gradients);
    }

    fn update(
        &mut self,
        gradients: &mut Self::Gradients,
        f: impl FnMut(nn::TensorKind, &mut [f32], &mut [f32]),
    ) {
        self.0.update(gradients, f);
    }
}

#[test]
fn a_normalization_layer_whose_epsilon_the_network_does_not_give_is_not_exported() {
    assert_eq!(
        <Normed as Network<4, 3>>::NORM_EPSILONS,
        [0.0, 1e-5, 0.0, 1e-5, 0.0, 1e-5, 0.0, 1e-5, 0.0]
    );
    let net = WithoutEpsilons(Normed::new(&mut StdRng::seed_from_u64(29)));
    let error = model::to_onnx(&net).unwrap_err();
    assert!(
        matches!(error, ModelError::MissingEpsilon { .. }),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "network `WithoutEpsilons` gives no epsilon for its batch_norm layer `batchnorm1` \
         (0 entries in `NORM_EPSILONS`, expected 9), which ONNX export needs"
    );
}
