//! The API `network!` generates: constants, construction, inference, summary, serialization.

use nn::prelude::*;
use nn::{Initializer, Summary};

network! {
    /// Learns XOR.
    #[allow(dead_code)]
    pub struct Xor: Input<2> -> Dense<4, Tanh> -> Dense<1, Sigmoid>;

    pub(crate) struct Digits: Input<64> -> Dense<32, Relu> -> Dropout<0.2> -> Dense<10, Softmax>;

    struct Precise<f64>: Input<3> -> Dense<8, LeakyRelu<0.2>> -> Dense<1>;

    struct Leaky<f64>: Input<1> -> Dense<1, LeakyRelu> -> Dense<1, LeakyRelu<0.2>>;

    struct InputDropout: Input<4> -> Dropout<0.5> -> Dense<3, Sigmoid>;
}

fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

#[test]
fn constants_state_the_widths_and_the_parameter_count() {
    assert_eq!(
        (Xor::INPUTS, Xor::OUTPUTS, Xor::PARAMETERS),
        (2, 1, 2 * 4 + 4 + 4 + 1)
    );
    assert_eq!((Digits::INPUTS, Digits::OUTPUTS), (64, 10));
    assert_eq!(Digits::PARAMETERS, 64 * 32 + 32 + 32 * 10 + 10);
    assert_eq!(<Digits as Tensors<f32>>::LEN, Digits::PARAMETERS);
}

#[test]
fn the_summary_lists_every_layer_with_shapes_and_totals() {
    let summary: Summary = Digits::summary();
    assert_eq!(summary.parameters(), Digits::PARAMETERS);
    let text = summary.to_string();
    for expected in [
        "Network: \"Digits\" (f32)",
        "input (Input)",
        "dense1 (Dense, Relu)",
        "(None, 32)",
        "2,080",
        "dropout1 (Dropout 0.2)",
        "dense2 (Dense, Softmax)",
        "(None, 10)",
        "Total params: 2,410",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    assert!(Precise::summary().to_string().contains("(f64)"));
}

#[test]
fn relu_layers_get_he_initialization_and_others_glorot_with_zero_biases() {
    let net = Digits::new(&mut rng(3));
    let he = Initializer::HeUniform.scale(64, 32) as f32;
    let glorot_hidden = Initializer::GlorotUniform.scale(64, 32) as f32;
    let weights = net.dense1.weight.as_slice();
    assert!(weights.iter().all(|w| w.abs() <= he));
    // He is wider than Glorot here: a fair share of weights lies between the two limits.
    let beyond = weights.iter().filter(|w| w.abs() > glorot_hidden).count();
    assert!(
        beyond > weights.len() / 10,
        "{beyond} of {} beyond the Glorot limit",
        weights.len()
    );
    let glorot_out = Initializer::GlorotUniform.scale(32, 10) as f32;
    assert!(net.dense2.weight.iter().all(|w| w.abs() <= glorot_out));
    assert!(
        net.dense1
            .bias
            .iter()
            .chain(net.dense2.bias.iter())
            .all(|b| *b == 0.0)
    );
}

#[test]
fn the_same_seed_gives_the_same_network() {
    assert_eq!(Digits::new(&mut rng(9)), Digits::new(&mut rng(9)));
    assert_ne!(Digits::new(&mut rng(9)), Digits::new(&mut rng(10)));
}

#[test]
fn forward_accepts_vectors_and_arrays_and_softmax_outputs_sum_to_one() {
    let net = Digits::new(&mut rng(1));
    let array: [f32; 64] = core::array::from_fn(|i| (i as f32 / 8.0).sin());
    let vector = SVector::<f32, 64>::from(array);
    let y = net.forward(&vector);
    assert_eq!(y, net.forward(&array));
    assert!((y.sum() - 1.0).abs() < 1e-5);
    assert!(y.iter().all(|p| *p > 0.0));
}

#[test]
fn an_f64_network_computes_in_f64() {
    let net = Precise::new(&mut rng(2));
    let y: SVector<f64, 1> = net.forward(&[0.1, 0.2, 0.3]);
    assert!(y[0].is_finite());
}

#[test]
fn leaky_relu_uses_slope_001_by_default_and_the_declared_slope_otherwise() {
    let mut net = Leaky::new(&mut rng(0));
    net.dense1.weight.fill(1.0);
    net.dense2.weight.fill(1.0);
    // -2 → dense1: -2 · 0.01 = -0.02 → dense2: -0.02 · 0.2 = -0.004
    let y = net.forward(&[-2.0]);
    assert!((y[0] - -0.004).abs() < 1e-15, "{}", y[0]);
}

#[test]
fn batched_inference_matches_single_sample_inference_and_skips_dropout() {
    let net = Digits::new(&mut rng(4));
    let samples: Vec<SVector<f32, 64>> = (0..5)
        .map(|s| SVector::from_fn(|i, _| ((i * 7 + s * 13) % 17) as f32 / 17.0))
        .collect();
    let input = BatchMatrix::from_columns(&samples);
    let mut workspace = Digits::workspace(8);
    let outputs = net.forward_batch(&input, &mut workspace).clone();
    for (sample, column) in samples.iter().zip(outputs.columns_iter()) {
        let single = net.forward(sample);
        for (a, b) in single.iter().zip(column) {
            assert!((a - b).abs() < 1e-6);
        }
    }
    // In training, dropout changes the outputs.
    net.resample_dropout(&mut workspace, 5, &mut rng(5));
    let trained = net.forward_train(&input, &mut workspace);
    assert_ne!(trained.as_slice(), outputs.as_slice());
}

#[test]
fn dropout_on_the_inputs_scales_kept_values_by_the_inverse_keep_rate() {
    let mut net = InputDropout::new(&mut rng(0));
    net.dense1.weight.fill(0.0);
    net.dense1.weight[(0, 0)] = 1.0;
    let input = BatchMatrix::from_columns(&[SVector::from([1.0f32, 0.0, 0.0, 0.0]); 64]);
    let mut workspace = InputDropout::workspace(64);
    net.resample_dropout(&mut workspace, 64, &mut rng(1));
    let output = net.forward_train(&input, &mut workspace).clone();
    let kept = workspace
        .dropout1
        .mask
        .columns_iter()
        .filter(|m| m[0] != 0.0)
        .count();
    assert!((16..48).contains(&kept), "kept {kept} of 64");
    for (mask, y) in workspace
        .dropout1
        .mask
        .columns_iter()
        .zip(output.columns_iter())
    {
        // sigmoid(2) when the input is kept and doubled, sigmoid(0) when dropped.
        let expected = if mask[0] == 0.0 { 0.5 } else { 0.880_797_1 };
        assert!((y[0] - expected).abs() < 1e-6);
    }
}

#[test]
fn parameters_survive_a_json_round_trip() {
    let net = Digits::new(&mut rng(6));
    let json = serde_json::to_string(&net).unwrap();
    let back: Digits = serde_json::from_str(&json).unwrap();
    assert_eq!(back, net);
}

#[test]
fn a_model_file_of_another_architecture_is_rejected_with_both_shapes() {
    let json = serde_json::to_string(&Digits::new(&mut rng(6))).unwrap();
    let error = serde_json::from_str::<Xor>(&json).unwrap_err().to_string();
    assert!(error.contains("shape 32×64, expected 4×2"), "{error}");
}
