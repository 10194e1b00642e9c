//! Batch and layer normalization against PyTorch, in f64: a network with both, loaded from the
//! `state_dict` PyTorch saved, must give PyTorch's training-mode outputs, loss, gradients and
//! running statistics, and its evaluation-mode outputs. The fixtures
//! (`tests/fixtures/torch/norm_4_8_6_3_f64.safetensors` and `norm_reference.json`) are made by
//! `tools/make_norm_fixtures.py`, whose doc describes every key.
//!
//! Tolerances. Both sides compute in f64 the same formulas in nearly the same order of
//! operations, so they differ by rounding only: a few units in the last place (≈1e-16 relative)
//! per operation, growing to ≈1e-15 through the network's depth. Outputs, the loss and the
//! running statistics must match to 1e-12 relative, gradients to 1e-10 relative (the backward
//! pass sums more terms, and PyTorch's autograd orders the sums of the normalizations' backward
//! differently). Both leave three orders of magnitude for rounding while a wrong formula —
//! a biased running variance, ε outside the square root, a missing term of the normalizations'
//! backward pass — misses them by many orders. Values smaller in magnitude than [`FLOOR`] are
//! compared against `FLOOR` instead of themselves: the gradient of the bias of the dense layer
//! before the batch normalization is zero in exact arithmetic (the normalization subtracts the
//! batch mean), and both sides give rounding noise of ≈1e-17 there.

use std::path::{Path, PathBuf};

use nn::TensorKind;
use nn::model;
use nn::prelude::*;

network! {
    /// `torch.nn.Sequential(Linear(4, 8), BatchNorm1d(8), ReLU(), Linear(8, 6), Tanh(),
    /// LayerNorm(6), Linear(6, 3))` in float64.
    pub struct NormNet<f64>:
        Input<4> -> Dense<8> -> BatchNorm<Relu> -> Dense<6, Tanh> -> LayerNorm -> Dense<3>;
}

/// The samples of the reference batch.
const SAMPLES: usize = 7;
/// Outputs, the loss and running statistics: see the module's doc.
const VALUE_TOLERANCE: f64 = 1e-12;
/// Gradients: see the module's doc.
const GRADIENT_TOLERANCE: f64 = 1e-10;
/// The magnitude below which values are compared absolutely: see the module's doc.
const FLOOR: f64 = 1e-3;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/torch")
}

/// `norm_reference.json`.
fn reference() -> serde_json::Value {
    let text = std::fs::read_to_string(fixtures().join("norm_reference.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn floats(value: &serde_json::Value) -> Vec<f64> {
    serde_json::from_value(value.clone()).unwrap()
}

fn rows(value: &serde_json::Value) -> Vec<Vec<f64>> {
    serde_json::from_value(value.clone()).unwrap()
}

/// A batch of `rows` (one per sample), as the columns of a batch matrix.
fn batch<const N: usize>(rows: &[Vec<f64>]) -> BatchMatrix<f64, N> {
    let columns: Vec<SVector<f64, N>> = rows
        .iter()
        .map(|row| {
            assert_eq!(row.len(), N);
            SVector::from_fn(|i, _| row[i])
        })
        .collect();
    BatchMatrix::from_columns(&columns)
}

/// PyTorch's network, loaded from its `state_dict` by position.
fn torch_network() -> NormNet {
    let bytes = std::fs::read(fixtures().join("norm_4_8_6_3_f64.safetensors")).unwrap();
    model::from_safetensors::<NormNet, 4, 3>(&bytes).unwrap()
}

/// The largest deviation seen in one comparison, absolute and relative.
#[derive(Default, Debug)]
struct Deviation {
    absolute: f64,
    relative: f64,
}

/// Asserts `|g − w| ≤ tolerance·max(|w|, FLOOR)` for each pair, naming `what` and the index;
/// returns the largest deviations.
fn assert_close(what: &str, got: &[f64], want: &[f64], tolerance: f64) -> Deviation {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    let mut deviation = Deviation::default();
    for (index, (&g, &w)) in got.iter().zip(want).enumerate() {
        let error = (g - w).abs();
        let scale = w.abs().max(FLOOR);
        assert!(
            error <= tolerance * scale,
            "{what}[{index}]: nn {g:e}, PyTorch {w:e}: |difference| {error:e} > {tolerance:e}·{scale:e}"
        );
        deviation.absolute = deviation.absolute.max(error);
        deviation.relative = deviation.relative.max(error / scale);
    }
    deviation
}

/// The values of a batch matrix as rows, one per sample.
fn sample_rows<const N: usize>(matrix: &BatchMatrix<f64, N>) -> Vec<f64> {
    (0..matrix.columns())
        .flat_map(|j| matrix.column(j).to_vec())
        .collect()
}

/// The values of a PyTorch tensor from the fixture in nn's layout: a Linear weight (`[out][in]`
/// rows) column-major, anything else as it is.
fn nn_layout(value: &serde_json::Value) -> Vec<f64> {
    match value.as_array().and_then(|items| items.first()) {
        Some(serde_json::Value::Array(_)) => {
            let matrix = rows(value);
            let (outputs, inputs) = (matrix.len(), matrix[0].len());
            (0..inputs)
                .flat_map(|i| (0..outputs).map(move |o| (o, i)))
                .map(|(o, i)| matrix[o][i])
                .collect()
        }
        _ => floats(value),
    }
}

/// The running statistics of every batch normalization, in order: `(means, variances)`.
fn running_statistics(net: &NormNet) -> (Vec<f64>, Vec<f64>) {
    let (mut means, mut variances) = (Vec::new(), Vec::new());
    net.for_each_tensor(|kind, values| match kind {
        TensorKind::RunningMean => means.extend_from_slice(values),
        TensorKind::RunningVariance => variances.extend_from_slice(values),
        _ => {}
    });
    (means, variances)
}

#[test]
fn the_pytorch_state_dict_loads_by_position_into_the_declared_layers() {
    let layers: Vec<_> = <NormNet as Network<4, 3>>::LAYERS
        .iter()
        .map(|layer| (layer.name, layer.kind.name(), layer.outputs, layer.inputs))
        .collect();
    assert_eq!(
        layers,
        [
            ("dense1", "dense", 8, 4),
            ("batchnorm1", "batch_norm", 8, 8),
            ("dense2", "dense", 6, 8),
            ("layernorm1", "layer_norm", 6, 6),
            ("dense3", "dense", 3, 6),
        ]
    );
    // Every tensor of the file, in nn's order, holds PyTorch's values (the fixture lists the
    // initial running statistics; the weights are checked by the outputs below).
    let json = reference();
    let net = torch_network();
    let (means, variances) = running_statistics(&net);
    assert_eq!(means, floats(&json["initial"]["running_mean"]));
    assert_eq!(variances, floats(&json["initial"]["running_var"]));
    let names: Vec<String> = json["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|parameter| parameter["nn"].as_str().unwrap().to_owned())
        .collect();
    let mut visited = Vec::new();
    let mut layer = 0;
    net.for_each_tensor(|kind, _| {
        let shape = <NormNet as Network<4, 3>>::LAYERS[layer];
        visited.push(format!("{}.{}", shape.name, kind.name()));
        if *shape.kind.tensors().last().unwrap() == kind {
            layer += 1;
        }
    });
    assert_eq!(visited, names);

    // nn's own file of it round-trips, with the kinds in its metadata.
    let bytes = model::to_safetensors(&net).unwrap();
    assert_eq!(
        model::from_safetensors::<NormNet, 4, 3>(&bytes).unwrap(),
        net
    );
    let text = String::from_utf8_lossy(&bytes[8..]);
    assert!(
        text.contains(r#""kinds":"dense,batch_norm,dense,layer_norm,dense""#),
        "{text}"
    );
}

#[test]
fn training_and_evaluation_match_pytorch() {
    let json = reference();
    let mut net = torch_network();
    let input = batch::<4>(&rows(&json["input"]));
    let target = batch::<3>(&rows(&json["target"]));
    assert_eq!(input.columns(), SAMPLES);
    let mut workspace = NormNet::workspace(SAMPLES);
    let mut gradients = NormNet::gradients();

    // (a) Training mode: batch statistics.
    let output = sample_rows(net.forward_train(&input, &mut workspace));
    let train = &json["train"];
    let outputs = assert_close(
        "train.output",
        &output,
        &rows(&train["output"]).concat(),
        VALUE_TOLERANCE,
    );
    let loss = net.output_gradient(&MeanSquaredError, &target, &mut workspace);
    let loss = assert_close(
        "train.loss",
        &[loss],
        &[train["loss"].as_f64().unwrap()],
        VALUE_TOLERANCE,
    );
    net.backward(&input, &mut workspace, &mut gradients);
    // The fixture's trained tensors in nn's order, matched with the gradients' tensors.
    let trained: Vec<&serde_json::Value> = json["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|parameter| {
            train["gradients"]
                .get(parameter["torch"].as_str().unwrap())
                .is_some()
        })
        .collect();
    let mut next = trained.iter();
    let mut gradient = Deviation::default();
    let mut checked = 0;
    gradients.for_each_tensor(|kind, values| {
        if !kind.is_trained() {
            return;
        }
        let parameter = next
            .next()
            .expect("more gradient tensors than PyTorch parameters");
        let what = parameter["nn"].as_str().unwrap();
        let torch = parameter["torch"].as_str().unwrap();
        let want = nn_layout(&train["gradients"][torch]);
        let deviation = assert_close(
            &format!("gradient of {what} ({torch})"),
            values,
            &want,
            GRADIENT_TOLERANCE,
        );
        gradient.absolute = gradient.absolute.max(deviation.absolute);
        gradient.relative = gradient.relative.max(deviation.relative);
        checked += values.len();
    });
    assert!(
        next.next().is_none(),
        "fewer gradient tensors than PyTorch parameters"
    );
    // 8·4 + 8 + 8 + 8 + 6·8 + 6 + 6 + 6 + 3·6 + 3.
    assert_eq!(checked, 143);

    // The running statistics: PyTorch folds the batch's into them during its forward pass.
    net.update_statistics(&workspace);
    let (means, variances) = running_statistics(&net);
    let running_mean = assert_close(
        "train.running_mean",
        &means,
        &floats(&train["running_mean"]),
        VALUE_TOLERANCE,
    );
    let running_var = assert_close(
        "train.running_var",
        &variances,
        &floats(&train["running_var"]),
        VALUE_TOLERANCE,
    );

    // (b) Evaluation mode, by the updated running statistics: the whole batch, then each sample.
    let want = rows(&json["eval"]["output"]);
    let evaluated = sample_rows(net.forward_batch(&input, &mut workspace));
    let eval_batch = assert_close(
        "eval.output (batch)",
        &evaluated,
        &want.concat(),
        VALUE_TOLERANCE,
    );
    let mut eval_single = Deviation::default();
    for (j, want) in want.iter().enumerate() {
        let x: [f64; 4] = input.column(j).try_into().unwrap();
        let y = net.forward(&x);
        let deviation = assert_close(
            &format!("eval.output (sample {j})"),
            y.as_slice(),
            want,
            VALUE_TOLERANCE,
        );
        eval_single.absolute = eval_single.absolute.max(deviation.absolute);
        eval_single.relative = eval_single.relative.max(deviation.relative);
    }
    eprintln!(
        "largest deviations from PyTorch (absolute, relative to max(|PyTorch|, {FLOOR:e})):\n\
         train outputs {outputs:?}\nloss {loss:?}\ngradients {gradient:?}\n\
         running mean {running_mean:?}\nrunning variance {running_var:?}\n\
         eval outputs, batch {eval_batch:?}\neval outputs, per sample {eval_single:?}"
    );
}
