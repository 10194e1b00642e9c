//! Interop: networks trained in PyTorch load from their safetensors `state_dict` and give
//! PyTorch's outputs; nn's own safetensors files round-trip and give in PyTorch the outputs nn
//! gives; every mismatch is a `ModelError`. The fixtures under `tests/fixtures/torch/` are made by
//! `tools/make_torch_fixtures.py` (see its doc for the order of the steps).

use std::path::{Path, PathBuf};

use nn::model::{self, ModelError, TensorNames};
use nn::prelude::*;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};

network! {
    /// `torch.nn.Sequential(Linear(13, 16), ReLU(), Linear(16, 3), Softmax(-1))`.
    pub struct Classifier: Input<13> -> Dense<16, Relu> -> Dense<3, Softmax>;

    /// `torch.nn.Sequential(Linear(5, 8), Tanh(), Linear(8, 8), Tanh(), Linear(8, 1), Sigmoid())`
    /// in float64.
    pub struct Regressor<f64>: Input<5> -> Dense<8, Tanh> -> Dense<8, Tanh> -> Dense<1, Sigmoid>;

    /// One layer fewer than `Regressor`.
    pub struct Shallow<f64>: Input<5> -> Dense<1, Sigmoid>;
}

/// PyTorch's weights, baked while compiling: a file that names no network is checked by its
/// layers.
static BAKED_TORCH: ClassifierFrozen = include_model!(
    Classifier,
    "fixtures/torch/sequential_13_16_3_f32.safetensors"
);

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/torch")
}

/// nn's own file of a seeded `Classifier`, which the fixture script loads in PyTorch.
fn nn_saved() -> Classifier {
    Classifier::new(&mut StdRng::seed_from_u64(13))
}

/// nn's ONNX export of a seeded `Regressor` (with `Sigmoid` in `f64`, which tract does not run),
/// which the fixture script runs in onnxruntime.
fn exported_regressor() -> Regressor {
    Regressor::new(&mut StdRng::seed_from_u64(15))
}

#[test]
fn fixtures_nn_saved_is_what_nn_saves() {
    let files = [
        (
            fixtures().join("nn_saved_13_16_3_f32.safetensors"),
            model::to_safetensors(&nn_saved()).unwrap(),
        ),
        (
            onnx_fixtures().join("classifier_f32.onnx"),
            model::to_onnx(&nn_saved()).unwrap(),
        ),
        (
            onnx_fixtures().join("regressor_f64.onnx"),
            model::to_onnx(&exported_regressor()).unwrap(),
        ),
    ];
    for (path, bytes) in files {
        if std::env::var_os("NN_WRITE_FIXTURES").is_some() {
            std::fs::write(&path, &bytes).unwrap();
        }
        assert!(
            std::fs::read(&path).unwrap() == bytes,
            "{} differs: run with NN_WRITE_FIXTURES=1, then tools/make_torch_fixtures.py",
            path.display()
        );
    }
}

fn onnx_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/onnx")
}

#[test]
fn nns_onnx_exports_give_in_onnxruntime_what_nn_gives() {
    let text = std::fs::read_to_string(onnx_fixtures().join("onnxruntime_outputs.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let rows = |key: &str, field: &str| -> Vec<Vec<f64>> {
        serde_json::from_value(json[key][field].clone()).unwrap()
    };
    let classifier = nn_saved();
    let cases = rows("classifier_f32", "inputs")
        .into_iter()
        .zip(rows("classifier_f32", "outputs"));
    for (x, y) in cases {
        let x: [f32; 13] = std::array::from_fn(|i| x[i] as f32);
        let got: Vec<f64> = classifier
            .forward(&x)
            .iter()
            .map(|&v| f64::from(v))
            .collect();
        assert_close(&got, &y, 1e-5);
    }
    let regressor = exported_regressor();
    let cases = rows("regressor_f64", "inputs")
        .into_iter()
        .zip(rows("regressor_f64", "outputs"));
    for (x, y) in cases {
        let x: [f64; 5] = std::array::from_fn(|i| x[i]);
        assert_close(regressor.forward(&x).as_slice(), &y, 1e-12);
    }
}

/// The inputs and PyTorch's outputs recorded for `key` in `file`.
fn recorded(file: &str, key: &str) -> Vec<(Vec<f64>, Vec<f64>)> {
    let text = std::fs::read_to_string(fixtures().join(file)).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let rows = |field: &str| -> Vec<Vec<f64>> {
        serde_json::from_value(json[key][field].clone()).unwrap()
    };
    rows("inputs").into_iter().zip(rows("outputs")).collect()
}

/// Asserts `|got − want| ≤ tolerance·|want|` for every output.
fn assert_close(got: &[f64], want: &[f64], tolerance: f64) {
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g - w).abs() <= tolerance * w.abs(),
            "{g} against PyTorch's {w} (relative {:e})",
            (g - w).abs() / w.abs()
        );
    }
}

#[test]
fn a_pytorch_f32_sequential_gives_pytorchs_outputs() {
    let net: Classifier =
        model::load_safetensors(fixtures().join("sequential_13_16_3_f32.safetensors")).unwrap();
    let cases = recorded("torch_outputs.json", "sequential_13_16_3_f32");
    assert_eq!(cases.len(), 6);
    for (x, y) in cases {
        let x: [f32; 13] = std::array::from_fn(|i| x[i] as f32);
        let got: Vec<f64> = net.forward(&x).iter().map(|&v| f64::from(v)).collect();
        assert_close(&got, &y, 1e-6);
        let baked: Vec<f64> = BAKED_TORCH
            .forward(&x)
            .iter()
            .map(|&v| f64::from(v))
            .collect();
        assert_eq!(baked, got, "baked and loaded differ");
    }
}

#[test]
fn a_pytorch_f64_sequential_gives_pytorchs_outputs() {
    let net: Regressor =
        model::load_safetensors(fixtures().join("sequential_5_8_8_1_f64.safetensors")).unwrap();
    for (x, y) in recorded("torch_outputs.json", "sequential_5_8_8_1_f64") {
        let x: [f64; 5] = std::array::from_fn(|i| x[i]);
        assert_close(net.forward(&x).as_slice(), &y, 1e-12);
    }
}

#[test]
fn nns_own_file_gives_in_pytorch_what_nn_gives_and_round_trips() {
    let net = nn_saved();
    let path = fixtures().join("nn_saved_13_16_3_f32.safetensors");
    let again: Classifier = model::load_safetensors(&path).unwrap();
    assert_eq!(again, net);
    for (x, y) in recorded("nn_saved_outputs.json", "nn_saved_13_16_3_f32") {
        let x: [f32; 13] = std::array::from_fn(|i| x[i] as f32);
        let got: Vec<f64> = net.forward(&x).iter().map(|&v| f64::from(v)).collect();
        assert_close(&got, &y, 1e-6);
    }
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("regressor.safetensors");
    let regressor = Regressor::new(&mut StdRng::seed_from_u64(4));
    model::save_safetensors(&regressor, &path).unwrap();
    assert_eq!(
        model::load_safetensors::<Regressor, 5, 1>(&path).unwrap(),
        regressor
    );
}

/// The tensors of `bytes`, re-encoded with its metadata after `edit` (which may rename, drop or
/// add tensors).
fn edited(
    bytes: &[u8],
    edit: impl FnOnce(&mut Vec<(String, Dtype, Vec<usize>, Vec<u8>)>),
) -> Vec<u8> {
    let file = SafeTensors::deserialize(bytes).unwrap();
    let mut tensors: Vec<(String, Dtype, Vec<usize>, Vec<u8>)> = file
        .tensors()
        .into_iter()
        .map(|(name, view)| {
            (
                name,
                view.dtype(),
                view.shape().to_vec(),
                view.data().to_vec(),
            )
        })
        .collect();
    edit(&mut tensors);
    let views = tensors
        .iter()
        .map(|(name, dtype, shape, data)| {
            (
                name.clone(),
                TensorView::new(*dtype, shape.clone(), data).unwrap(),
            )
        })
        .collect::<Vec<_>>();
    // The metadata stays as it was.
    let (_, metadata) = SafeTensors::read_metadata(bytes).unwrap();
    safetensors::tensor::serialize(views, metadata.metadata().clone()).unwrap()
}

#[test]
fn an_explicit_name_map_reads_other_names() {
    let bytes = std::fs::read(fixtures().join("sequential_13_16_3_f32.safetensors")).unwrap();
    let renamed = edited(&bytes, |tensors| {
        for (name, ..) in tensors.iter_mut() {
            *name = name.replace("0.", "encoder.").replace("2.", "head.");
        }
    });
    assert!(matches!(
        model::from_safetensors::<Classifier, 13, 3>(&renamed),
        Err(ModelError::Malformed(message)) if message.contains("give the tensor names explicitly")
    ));
    let names = TensorNames::Explicit(&[
        ("encoder.weight", "encoder.bias"),
        ("head.weight", "head.bias"),
    ]);
    let net: Classifier = model::from_safetensors_with(&renamed, names).unwrap();
    let expected: Classifier = model::from_safetensors(&bytes).unwrap();
    assert_eq!(net, expected);
    // nn's own file, its keys renamed (its metadata still lists `dense1`, `dense2`).
    let own = model::to_safetensors(&nn_saved()).unwrap();
    let own_renamed = edited(&own, |tensors| {
        for (name, ..) in tensors.iter_mut() {
            *name = name
                .replace("dense1.", "encoder.")
                .replace("dense2.", "head.");
        }
    });
    let net: Classifier = model::from_safetensors_with(&own_renamed, names).unwrap();
    assert_eq!(net, nn_saved());
}

#[test]
fn every_mismatch_is_a_model_error_in_words() {
    let torch = std::fs::read(fixtures().join("sequential_13_16_3_f32.safetensors")).unwrap();
    let error = |bytes: &[u8]| model::from_safetensors::<Classifier, 13, 3>(bytes).unwrap_err();

    let no_bias = edited(&torch, |t| t.retain(|(name, ..)| name != "2.bias"));
    assert_eq!(
        error(&no_bias).to_string(),
        "the file has no tensor `2.bias`, expected the bias of layer `dense2`"
    );
    let extra = edited(&torch, |t| {
        t.push(("running_mean".into(), Dtype::F32, vec![1], vec![0; 4]))
    });
    assert_eq!(
        error(&extra).to_string(),
        "the file holds tensor `running_mean`, which no dense layer uses"
    );
    let short_bias = edited(&torch, |t| {
        for (name, _, shape, data) in t.iter_mut() {
            if name == "0.bias" {
                *shape = vec![15];
                data.truncate(60);
            }
        }
    });
    assert_eq!(
        error(&short_bias).to_string(),
        "tensor `0.bias` has shape [15] in the file, expected [16]"
    );
    let half = edited(&torch, |t| {
        for (name, dtype, _, data) in t.iter_mut() {
            if name == "2.weight" {
                *dtype = Dtype::F16;
                data.truncate(data.len() / 2);
            }
        }
    });
    assert!(
        error(&half)
            .to_string()
            .contains("tensor `2.weight` holds F16 values, expected F32"),
        "{}",
        error(&half)
    );
    let f64_file = std::fs::read(fixtures().join("sequential_5_8_8_1_f64.safetensors")).unwrap();
    assert_eq!(
        error(&f64_file).to_string(),
        "the model file holds f64 values, expected f32"
    );
    assert_eq!(
        model::from_safetensors::<Shallow, 5, 1>(&f64_file)
            .unwrap_err()
            .to_string(),
        "the model file has 3 layers, expected 1"
    );
    let nn_file = model::to_safetensors(&nn_saved()).unwrap();
    assert_eq!(
        model::from_safetensors::<Shallow, 5, 1>(&nn_file)
            .unwrap_err()
            .to_string(),
        "the model file holds network `Classifier`, expected `Shallow`"
    );
    // Every truncation is an error, never a panic.
    for len in 0..torch.len() {
        assert!(
            matches!(error(&torch[..len]), ModelError::Malformed(_)),
            "{len} bytes: {}",
            error(&torch[..len])
        );
    }
    let mut nan = torch.clone();
    let last = nan.len() - 4;
    nan[last..].copy_from_slice(&f32::NAN.to_le_bytes());
    assert!(
        matches!(error(&nan), ModelError::NotFinite { .. }),
        "{}",
        error(&nan)
    );
}
