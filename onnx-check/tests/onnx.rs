//! ONNX export, checked by a real ONNX runtime (tract): the exported graph gives nn's outputs
//! for every activation, `f32` and `f64`, a 784-128-10 network, and batches of any size.

use nn::model;
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
