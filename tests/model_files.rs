//! Model files: exact round trips in JSON and binary, and every kind of bad file rejected with a
//! typed error that says what was expected — never a panic.

use std::fs;
use std::path::Path;

use nn::prelude::*;
use nn_runtime::model::{self, ModelError};

network! {
    struct Digits: Input<64> -> Dense<32, Relu> -> Dropout<0.2> -> Dense<10, Softmax>;

    struct Xor: Input<2> -> Dense<4, Tanh> -> Dense<1, Sigmoid>;
}

/// A network with the name `Xor` but a wider hidden layer.
mod wide {
    use nn::prelude::*;

    network! {
        pub struct Xor: Input<2> -> Dense<8, Tanh> -> Dense<1, Sigmoid>;
    }
}

/// A network with the name and shape of `Xor`, computing in `f64`.
mod precise {
    use nn::prelude::*;

    network! {
        pub struct Xor<f64>: Input<2> -> Dense<4, Tanh> -> Dense<1, Sigmoid>;
    }
}

fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// A network whose biases are not zero, so that every value is exercised.
fn xor(seed: u64) -> Xor {
    let mut net = Xor::new(&mut rng(seed));
    net.dense1.bias.iter_mut().for_each(|b| *b = 0.1);
    net.dense2.bias[0] = -1.0 / 3.0;
    net
}

fn digits_input() -> [f32; 64] {
    core::array::from_fn(|i| (i as f32 / 5.0).sin())
}

#[test]
fn a_json_round_trip_gives_identical_parameters_and_outputs() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("digits.json");
    let net = Digits::new(&mut rng(1));
    model::save_json(&net, &path).unwrap();
    let back: Digits = model::load_json(&path).unwrap();
    assert_eq!(back, net);
    assert_eq!(back.forward(&digits_input()), net.forward(&digits_input()));

    // f64 values come back bit for bit too.
    let net = precise::Xor::new(&mut rng(2));
    let text = model::to_json_string(&net).unwrap();
    let back = model::from_json_str::<precise::Xor, _, _>(&text).unwrap();
    assert_eq!(back, net);
    assert_eq!(back.forward(&[0.3, -0.7]), net.forward(&[0.3, -0.7]));
}

#[test]
fn a_binary_round_trip_gives_identical_parameters_and_outputs() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("digits.bin");
    let net = Digits::new(&mut rng(3));
    model::save_binary(&net, &path).unwrap();
    let back: Digits = model::load_binary(&path).unwrap();
    assert_eq!(back, net);
    assert_eq!(back.forward(&digits_input()), net.forward(&digits_input()));

    let net = precise::Xor::new(&mut rng(4));
    let back: precise::Xor = model::from_bytes(&model::to_bytes(&net).unwrap()).unwrap();
    assert_eq!(back, net);
}

#[test]
fn the_json_document_is_readable() {
    let text = model::to_json_string(&xor(5)).unwrap();
    let document: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(document["format"], "nn-model");
    assert_eq!(document["version"], 1);
    assert_eq!(document["network"], "Xor");
    assert_eq!(document["scalar"], "f32");
    assert_eq!(document["layers"][0]["name"], "dense1");
    assert_eq!(document["layers"][0]["shape"], serde_json::json!([4, 2]));
    assert_eq!(
        document["layers"][0]["bias"],
        serde_json::json!([0.1, 0.1, 0.1, 0.1])
    );
    assert_eq!(
        document["layers"][1]["bias"],
        serde_json::json!([-0.33333334])
    );
    assert_eq!(document["layers"][1]["weight"].as_array().unwrap().len(), 4);
}

#[test]
fn the_binary_is_much_smaller_than_the_json() {
    let net = Digits::new(&mut rng(6));
    let bytes = model::to_bytes(&net).unwrap();
    let text = model::to_json_string(&net).unwrap();
    assert!(
        bytes.len() < text.len() / 2,
        "{} vs {}",
        bytes.len(),
        text.len()
    );
    assert!(bytes.len() < Digits::PARAMETERS * 4 + 200);
}

#[test]
fn another_networks_file_names_both_networks() {
    let expected = "the model file holds network `Xor`, expected `Digits`";
    let text = model::to_json_string(&xor(7)).unwrap();
    let error = model::from_json_str::<Digits, _, _>(&text).unwrap_err();
    assert_eq!(error.to_string(), expected);
    let bytes = model::to_bytes(&xor(7)).unwrap();
    let error = model::from_bytes::<Digits, _, _>(&bytes).unwrap_err();
    assert_eq!(error.to_string(), expected);
}

#[test]
fn the_same_name_with_another_shape_names_the_layer_and_both_shapes() {
    let text = model::to_json_string(&xor(8)).unwrap();
    let error = model::from_json_str::<wide::Xor, _, _>(&text).unwrap_err();
    assert!(
        matches!(
            error,
            ModelError::LayerShape {
                layer: "dense1",
                found: [4, 2],
                expected: [8, 2]
            }
        ),
        "{error}"
    );
    assert_eq!(
        error.to_string(),
        "layer `dense1` has shape 4×2 in the file, expected 8×2"
    );
    let bytes = model::to_bytes(&wide::Xor::new(&mut rng(8))).unwrap();
    let error = model::from_bytes::<Xor, _, _>(&bytes).unwrap_err();
    assert_eq!(
        error.to_string(),
        "layer `dense1` has shape 8×2 in the file, expected 4×2"
    );
}

#[test]
fn an_f32_file_does_not_load_into_an_f64_network() {
    let expected = "the model file holds f32 values, expected f64";
    let text = model::to_json_string(&xor(9)).unwrap();
    let error = model::from_json_str::<precise::Xor, _, _>(&text).unwrap_err();
    assert_eq!(error.to_string(), expected);
    let bytes = model::to_bytes(&xor(9)).unwrap();
    let error = model::from_bytes::<precise::Xor, _, _>(&bytes).unwrap_err();
    assert_eq!(error.to_string(), expected);
}

#[test]
fn a_flipped_byte_in_the_binary_is_a_checksum_error() {
    let bytes = model::to_bytes(&xor(10)).unwrap();
    let mut damaged = bytes.clone();
    let in_the_values = bytes.len() - 10;
    damaged[in_the_values] ^= 0x01;
    let error = model::from_bytes::<Xor, _, _>(&damaged).unwrap_err();
    assert!(matches!(error, ModelError::Checksum { .. }), "{error}");
    assert!(
        error
            .to_string()
            .starts_with("the file is corrupt: checksum mismatch")
    );

    // Anywhere in the file, a flipped bit is an error, never a panic or a wrong network.
    for at in 0..bytes.len() {
        for bit in [0x01, 0x80] {
            let mut damaged = bytes.clone();
            damaged[at] ^= bit;
            assert!(
                model::from_bytes::<Xor, _, _>(&damaged).is_err(),
                "bit {bit:#x} of byte {at} flipped"
            );
        }
    }
}

#[test]
fn a_truncated_binary_is_an_error() {
    let bytes = model::to_bytes(&xor(11)).unwrap();
    for len in 0..bytes.len() {
        assert!(
            model::from_bytes::<Xor, _, _>(&bytes[..len]).is_err(),
            "{len} bytes"
        );
    }
    let values = Xor::PARAMETERS * 4;
    let error = model::from_bytes::<Xor, _, _>(&bytes[..bytes.len() - 8]).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "the file is truncated: expected {} bytes of values and checksum, found {}",
            values + 4,
            values - 4
        )
    );
    let mut longer = bytes.clone();
    longer.extend_from_slice(b"extra");
    let error = model::from_bytes::<Xor, _, _>(&longer).unwrap_err();
    assert!(
        matches!(error, ModelError::TrailingBytes { found: 5 }),
        "{error}"
    );
}

#[test]
fn truncated_or_garbled_json_is_an_error() {
    let text = model::to_json_string(&xor(12)).unwrap();
    // Every prefix short of the closing brace.
    for (len, _) in text.trim_end().char_indices() {
        assert!(
            model::from_json_str::<Xor, _, _>(&text[..len]).is_err(),
            "{len} characters"
        );
    }
    let error = model::from_json_str::<Xor, _, _>(&text[..text.len() / 2]).unwrap_err();
    assert!(matches!(error, ModelError::Syntax { .. }), "{error}");

    let edited = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut document: serde_json::Value = serde_json::from_str(&text).unwrap();
        edit(&mut document);
        document.to_string()
    };
    let garbled = [
        edited(&|d| d["layers"][0]["shape"] = serde_json::json!([4, 2, 1])),
        edited(&|d| d["format"] = serde_json::json!("onnx")),
        edited(&|d| d["version"] = serde_json::json!(2)),
        edited(&|d| d["layers"][0]["bias"][0] = serde_json::json!("0.1")),
        edited(&|d| d["layers"][0]["extra"] = serde_json::json!(1)),
        edited(&|d| {
            d["layers"][0]["bias"].as_array_mut().unwrap().pop();
        }),
        text.replacen(',', ",,", 1),
        text.replacen("0.1", "0.1.1", 1),
        text.replacen('{', "[", 1),
        format!("{text}}}"),
        String::from("not json at all"),
        String::new(),
    ];
    for text in &garbled {
        assert!(
            model::from_json_str::<Xor, _, _>(text).is_err(),
            "accepted:\n{text}"
        );
    }
    let error = model::from_json_str::<Xor, _, _>(&garbled[5]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "layer `dense1` has 3 bias values in the file, expected 4"
    );
}

#[test]
fn a_nan_or_infinity_in_a_json_file_is_rejected() {
    let text = model::to_json_string(&xor(13)).unwrap();
    // JSON has no NaN: the reader stops at it and says where.
    let with_nan = text.replacen("-0.33333334", "NaN", 1);
    let nan_line = with_nan
        .lines()
        .position(|line| line.contains("NaN"))
        .unwrap()
        + 1;
    let error = model::from_json_str::<Xor, _, _>(&with_nan).unwrap_err();
    assert!(
        matches!(error, ModelError::Syntax { line, .. } if line == nan_line),
        "{error}"
    );
    let overflowing = text.replacen("-0.33333334", "1e39", 1);
    let error = model::from_json_str::<Xor, _, _>(&overflowing).unwrap_err();
    assert!(error.to_string().contains("number out of range"), "{error}");
}

#[test]
fn a_network_with_a_nan_is_not_saved() {
    let mut net = xor(14);
    net.dense1.weight[(1, 0)] = f32::NAN;
    let error = model::to_json_string(&net).unwrap_err();
    assert_eq!(
        error.to_string(),
        "value 1 of the weight of layer `dense1` is NaN, expected a finite number"
    );
    assert!(model::to_bytes(&net).is_err());
}

fn entries(directory: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(directory)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_failed_save_returns_an_error_and_leaves_the_existing_file_unchanged() {
    let directory = tempfile::tempdir().unwrap();
    let missing = directory.path().join("no such directory").join("xor.bin");
    let error = model::save_binary(&xor(15), &missing).unwrap_err();
    assert!(matches!(error, ModelError::Io { .. }), "{error}");
    assert!(error.to_string().contains("no such directory"), "{error}");
    assert!(entries(directory.path()).is_empty());

    let path = directory.path().join("xor.json");
    model::save_json(&xor(15), &path).unwrap();
    let before = fs::read(&path).unwrap();
    let mut broken = xor(16);
    broken.dense2.bias[0] = f32::INFINITY;
    assert!(model::save_json(&broken, &path).is_err());
    assert!(model::save_binary(&broken, &path).is_err());
    assert_eq!(fs::read(&path).unwrap(), before);
    assert_eq!(entries(directory.path()), ["xor.json"]);
}

#[test]
fn saving_over_an_existing_file_replaces_it() {
    let directory = tempfile::tempdir().unwrap();
    for (name, binary) in [("xor.json", false), ("xor.bin", true)] {
        let path = directory.path().join(name);
        for seed in [17, 18] {
            if binary {
                model::save_binary(&xor(seed), &path).unwrap();
            } else {
                model::save_json(&xor(seed), &path).unwrap();
            }
        }
        let back: Xor = if binary {
            model::load_binary(&path).unwrap()
        } else {
            model::load_json(&path).unwrap()
        };
        assert_eq!(back, xor(18));
        assert_ne!(back, xor(17));
    }
    assert_eq!(entries(directory.path()), ["xor.bin", "xor.json"]);
}

#[test]
fn files_of_the_other_format_and_missing_files_are_errors() {
    let directory = tempfile::tempdir().unwrap();
    let (json, binary) = (
        directory.path().join("xor.json"),
        directory.path().join("xor.bin"),
    );
    model::save_json(&xor(19), &json).unwrap();
    model::save_binary(&xor(19), &binary).unwrap();
    let error = model::load_binary::<Xor, _, _>(&json).unwrap_err();
    assert!(matches!(error, ModelError::Format { .. }), "{error}");
    assert!(model::load_json::<Xor, _, _>(&binary).is_err());
    let missing = directory.path().join("missing.bin");
    let error = model::load_binary::<Xor, _, _>(&missing).unwrap_err();
    assert!(error.to_string().starts_with("cannot read `"), "{error}");
    assert!(error.to_string().contains("missing.bin"), "{error}");
}
