//! Data and model files at their limits: flat data of zero width, standardizing columns near the
//! largest finite number, saving onto links, devices, protected and read-only files and under the
//! longest names, and JSON model files with wrong fields or a byte order mark — typed errors
//! naming what is wrong, never a panic, a replaced device or a silently wrong statistic.

use std::fs;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};

use nn::data::{Standardizer, TargetStandardizer};
use nn::model::{self, Model, ModelError};
use nn::prelude::*;
use nn::train::{Checkpoint, Checkpoints};
use nn::{DataError, Side};

network! {
    struct Xor: Input<2> -> Dense<4, Tanh> -> Dense<1, Sigmoid>;
}

fn xor() -> Xor {
    Xor::new(&mut StdRng::seed_from_u64(7))
}

fn relative(found: f64, expected: f64) -> f64 {
    ((found - expected) / expected).abs()
}

#[test]
fn flat_data_of_zero_width_is_a_typed_error() {
    let error = Dataset::<f32, 0, 1>::from_flat(&[], &[1.0, 0.0]).unwrap_err();
    assert_eq!(error, DataError::ZeroWidth { side: Side::Input });
    let error = Dataset::<f64, 3, 0>::from_flat(&[1.0, 2.0, 3.0], &[]).unwrap_err();
    assert_eq!(error, DataError::ZeroWidth { side: Side::Target });
    assert!(error.to_string().contains("width of at least 1"), "{error}");
}

#[test]
fn columns_near_the_largest_f64_are_standardized_with_their_true_statistics() {
    let inputs = [
        [1e200, 1e308],
        [-1e200, 1e308],
        [3e200, 1e308],
        [5e200, 1e308],
    ];
    let mut data = Dataset::<f64, 2, 2>::from_arrays(&inputs, &inputs).unwrap();
    let std = 5f64.sqrt() * 1e200;

    let standardizer = Standardizer::fit(&data);
    assert!(relative(standardizer.mean()[0], 2e200) < 1e-12);
    assert!(relative(standardizer.std()[0], std) < 1e-12);
    assert_eq!(standardizer.mean()[1], 1e308);
    assert_eq!(standardizer.std()[1], 1.0, "a constant column gets std 1");

    let targets = TargetStandardizer::fit(&data);
    assert_eq!(targets.mean(), standardizer.mean());
    assert_eq!(targets.std(), standardizer.std());

    standardizer.transform(&mut data).unwrap();
    targets.transform(&mut data).unwrap();
    for row in data.inputs().iter().chain(data.targets()) {
        assert_eq!(row[1], 0.0, "a constant column maps to 0");
    }
    let expected = [-1.0, -3.0, 1.0, 3.0].map(|x| x / 5f64.sqrt());
    for (row, expected) in data.inputs().iter().zip(expected) {
        assert!(
            (row[0] - expected).abs() < 1e-12,
            "{} for {expected}",
            row[0]
        );
    }
    let mut prediction = *data.target(3);
    targets.inverse_target(&mut prediction);
    assert!(relative(prediction[0], 5e200) < 1e-12, "{}", prediction[0]);
    assert_eq!(prediction[1], 1e308);
}

#[test]
fn columns_near_the_largest_f32_are_standardized_with_their_true_statistics() {
    let max = f32::MAX;
    let inputs = [[max, max], [-max, max], [max / 2.0, max], [max, max]];
    let data = Dataset::<f32, 2, 2>::from_arrays(&inputs, &inputs).unwrap();
    let column: Vec<f64> = inputs.iter().map(|row| f64::from(row[0])).collect();
    let mean = column.iter().sum::<f64>() / 4.0;
    let std = (column.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 4.0).sqrt();
    for (found_mean, found_std) in [
        (
            Standardizer::fit(&data).mean(),
            Standardizer::fit(&data).std(),
        ),
        (
            TargetStandardizer::fit(&data).mean(),
            TargetStandardizer::fit(&data).std(),
        ),
    ]
    .map(|(m, s)| (*m, *s))
    {
        assert!(
            relative(found_mean[0].into(), mean) < 1e-7,
            "{found_mean:?}"
        );
        assert!(relative(found_std[0].into(), std) < 1e-7, "{found_std:?}");
        assert_eq!((found_mean[1], found_std[1]), (max, 1.0));
    }
}

/// A way of writing a file to the path it is given, returning the error's words.
type Writer = Box<dyn Fn(&Path) -> Result<(), String>>;

/// Every way the library writes a file, each named.
fn writers() -> Vec<(&'static str, Writer)> {
    let checkpoint = checkpoint();
    vec![
        (
            "binary",
            Box::new(|path: &Path| model::save_binary(&xor(), path).map_err(|e| e.to_string())),
        ),
        (
            "json",
            Box::new(|path: &Path| model::save_json(&xor(), path).map_err(|e| e.to_string())),
        ),
        (
            "safetensors",
            Box::new(|path: &Path| {
                model::save_safetensors(&xor(), path).map_err(|e| e.to_string())
            }),
        ),
        (
            "onnx",
            Box::new(|path: &Path| model::save_onnx(&xor(), path).map_err(|e| e.to_string())),
        ),
        (
            "bundle",
            Box::new(|path: &Path| {
                Model::new(xor())
                    .save_binary(path)
                    .map_err(|e| e.to_string())
            }),
        ),
        (
            "checkpoint",
            Box::new(move |path: &Path| checkpoint.save(path).map_err(|e| e.to_string())),
        ),
    ]
}

/// A checkpoint of one epoch of training.
fn checkpoint() -> Checkpoint {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("run.ckpt");
    let data = Dataset::<f32, 2, 1>::from_arrays(
        &[[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]],
        &[[0.0], [1.0], [1.0], [0.0]],
    )
    .unwrap();
    Trainer::new(Sgd::new(0.1), BinaryCrossEntropy)
        .epochs(1)
        .batch_size(4)
        .progress(false)
        .checkpoints(Checkpoints::to(path.to_str().unwrap()))
        .fit(&mut xor(), &data)
        .unwrap();
    Checkpoint::load(&path).unwrap()
}

fn mode(path: &Path) -> u32 {
    fs::symlink_metadata(path).unwrap().permissions().mode() & 0o7777
}

fn names(directory: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(directory)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn saving_onto_a_symbolic_link_is_refused_and_keeps_the_link_and_its_target() {
    for (writer, write) in writers() {
        let directory = tempfile::tempdir().unwrap();
        let target = directory.path().join("kept.bin");
        fs::write(&target, b"kept").unwrap();
        let link = directory.path().join("model");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let error = write(&link).unwrap_err();
        assert!(
            error.contains("it is a symbolic link, expected a regular file")
                && error.contains(&link.display().to_string()),
            "{writer}: {error}"
        );
        assert_eq!(fs::read_link(&link).unwrap(), target, "{writer}");
        assert_eq!(fs::read(&target).unwrap(), b"kept", "{writer}");
        assert_eq!(names(directory.path()), ["kept.bin", "model"], "{writer}");
    }
}

#[test]
fn saving_onto_a_device_or_directory_is_refused_and_keeps_it() {
    let null = Path::new("/dev/null");
    for (writer, write) in writers() {
        let error = write(null).unwrap_err();
        assert!(
            error.contains("`/dev/null`: it is a character device, expected a regular file"),
            "{writer}: {error}"
        );
        let metadata = fs::symlink_metadata(null).unwrap();
        assert!(metadata.file_type().is_char_device(), "{writer}");

        let directory = tempfile::tempdir().unwrap();
        let inner = directory.path().join("model");
        fs::create_dir(&inner).unwrap();
        let error = write(&inner).unwrap_err();
        assert!(error.contains("it is a directory"), "{writer}: {error}");
        assert!(inner.is_dir(), "{writer}");
        assert_eq!(names(directory.path()), ["model"], "{writer}");
    }
    let typed = model::save_binary(&xor(), null).unwrap_err();
    assert!(
        matches!(&typed, ModelError::NotAFile { path, kind: "a character device" } if path == null),
        "{typed}"
    );
}

#[test]
fn a_replaced_file_keeps_its_permissions() {
    for (writer, write) in writers() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("model");
        fs::write(&path, b"old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        write(&path).unwrap();
        assert_eq!(mode(&path), 0o600, "{writer}: {:o}", mode(&path));
        assert_ne!(fs::read(&path).unwrap(), b"old", "{writer}");
        assert_eq!(names(directory.path()), ["model"], "{writer}");
    }
}

#[test]
fn a_read_only_file_is_refused_even_for_a_privileged_process() {
    for (writer, write) in writers() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("model");
        fs::write(&path, b"old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o444)).unwrap();
        let error = write(&path).unwrap_err();
        assert!(
            error.contains("read-only") && error.contains(&path.display().to_string()),
            "{writer}: {error}"
        );
        assert_eq!(fs::read(&path).unwrap(), b"old", "{writer}");
        assert_eq!(mode(&path), 0o444, "{writer}");
        assert_eq!(names(directory.path()), ["model"], "{writer}");
    }
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("model.json");
    fs::write(&path, b"old").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o444)).unwrap();
    match model::save_json(&xor(), &path).unwrap_err() {
        ModelError::Io {
            action: "replace",
            path: named,
            source,
        } => {
            assert_eq!(named, path);
            assert_eq!(source.kind(), std::io::ErrorKind::PermissionDenied);
        }
        other => panic!("expected a permission error, got {other:?}"),
    }
}

#[test]
fn a_file_with_a_250_byte_name_is_saved_and_replaced() {
    for (writer, write) in writers() {
        let directory = tempfile::tempdir().unwrap();
        let name = format!("{writer}-{}", "n".repeat(250 - writer.len() - 1));
        assert_eq!(name.len(), 250);
        let path: PathBuf = directory.path().join(&name);
        write(&path).unwrap();
        let first = fs::read(&path).unwrap();
        write(&path).unwrap();
        assert_eq!(fs::read(&path).unwrap(), first, "{writer}");
        assert_eq!(names(directory.path()), [name], "{writer}");
    }
}

/// The JSON file of `xor()`, edited as a value.
fn edited_json(edit: impl Fn(&mut serde_json::Value)) -> String {
    let mut document: serde_json::Value =
        serde_json::from_str(&model::to_json_string(&xor()).unwrap()).unwrap();
    edit(&mut document);
    document.to_string()
}

fn malformed(text: &str) -> String {
    let bare = model::from_json_str::<Xor, 2, 1>(text).unwrap_err();
    let bundle = Model::<Xor, 2, 1>::from_json_str(text).unwrap_err();
    assert_eq!(bare.to_string(), bundle.to_string());
    match bare {
        ModelError::Malformed(message) => message,
        other => panic!("expected a malformed-file error, got {other:?}"),
    }
}

#[test]
fn missing_unknown_and_duplicate_fields_are_malformed_and_named() {
    let missing = edited_json(|d| {
        d.as_object_mut().unwrap().remove("scalar");
    });
    assert!(malformed(&missing).contains("missing field `scalar`"));
    let missing_in_layer = edited_json(|d| {
        d["layers"][1].as_object_mut().unwrap().remove("bias");
    });
    assert!(malformed(&missing_in_layer).contains("missing field `bias`"));

    let unknown = edited_json(|d| d["comment"] = serde_json::json!("trained on Tuesday"));
    assert!(malformed(&unknown).contains("unknown field `comment`"));
    let unknown_in_layer = edited_json(|d| d["layers"][0]["bias2"] = serde_json::json!([]));
    assert!(malformed(&unknown_in_layer).contains("unknown field `bias2`"));

    let text = model::to_json_string(&xor()).unwrap();
    let duplicate = text.replacen("\"network\":", "\"network\": \"Other\",\n  \"network\":", 1);
    assert_ne!(duplicate, text);
    assert!(malformed(&duplicate).contains("duplicate field `network`"));

    // Text that is not JSON stays a syntax error.
    let error = model::from_json_str::<Xor, 2, 1>(&text[..text.len() - 2]).unwrap_err();
    assert!(matches!(error, ModelError::Syntax { .. }), "{error}");
}

#[test]
fn a_json_file_starting_with_a_byte_order_mark_loads() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("xor.json");
    let text = model::to_json_string(&xor()).unwrap();
    fs::write(&path, format!("\u{feff}{text}")).unwrap();
    let loaded: Xor = model::load_json(&path).unwrap();
    assert_eq!(loaded, xor());
    let bundle = Model::<Xor, 2, 1>::load_json(&path).unwrap();
    assert_eq!(bundle.network(), &xor());
}
