//! Models saved with their preprocessing: round trips in both formats with every optional part,
//! old files, files without preprocessing byte for byte as before, the bare loaders on files with
//! it, damaged or mismatched sections as typed errors, and predictions from raw inputs equal to
//! the preprocessing and `forward` done by hand, bit for bit.

use nn::data::{CsvOptions, Labels, Standardizer, TargetStandardizer};
use nn::model::{self, Model, ModelError, PreprocessingError};
use nn::prelude::*;

network! {
    /// A classifier of three species from four measurements.
    struct Iris: Input<4> -> Dense<8, Relu> -> Dense<3, Softmax>;

    /// A regression of two prices from three features, in `f64`.
    struct Prices<f64>: Input<3> -> Dense<6, Tanh> -> Dense<2>;

    /// The same regression in `f32`.
    struct Prices32: Input<3> -> Dense<6, Tanh> -> Dense<2>;

    /// A binary classifier with one sigmoid output.
    struct Diagnosis: Input<2> -> Dense<4, Tanh> -> Dense<1, Sigmoid>;

    /// The network of the committed files under `tests/models/` (see `tests/frozen.rs`).
    struct EveryActivation: Input<5> -> Dense<16, Relu> -> Dense<12, Tanh> -> Dense<8, Sigmoid>
        -> Dense<8, LeakyRelu<0.2>> -> Dropout<0.1> -> Dense<6> -> Dense<3, Softmax>;
}

fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// Rows far from mean 0 and deviation 1, so that standardizing changes every value.
fn rows<const N: usize>(count: usize, seed: u64) -> Vec<[f64; N]> {
    (0..count)
        .map(|i| {
            core::array::from_fn(|c| {
                let x = ((i * 7 + c * 13) as f64 + seed as f64).sin();
                100.0 * (c + 1) as f64 + 20.0 * x + 0.1 * i as f64
            })
        })
        .collect()
}

fn iris_inputs() -> Standardizer<f32, 4> {
    let inputs: Vec<[f32; 4]> = rows::<4>(30, 1)
        .into_iter()
        .map(|row| row.map(|x| x as f32))
        .collect();
    let labels: Vec<usize> = (0..30).map(|i| i % 3).collect();
    Standardizer::fit(&Dataset::<f32, 4, 3>::from_labels(&inputs, &labels).unwrap())
}

fn species() -> Labels {
    Labels::new(["setosa", "versicolor", "virginica"]).unwrap()
}

fn iris_model() -> Model<Iris, 4, 3> {
    Model::new(Iris::new(&mut rng(1)))
        .with_inputs(iris_inputs())
        .with_labels(species())
        .unwrap()
}

fn prices_model() -> Model<Prices, 3, 2> {
    let data = Dataset::<f64, 3, 2>::from_arrays(&rows::<3>(40, 2), &rows::<2>(40, 3)).unwrap();
    Model::new(Prices::new(&mut rng(2)))
        .with_inputs(Standardizer::fit(&data))
        .with_targets(TargetStandardizer::fit(&data))
        .unwrap()
}

fn prices32_model() -> Model<Prices32, 3, 2> {
    let to32 = |rows: Vec<[f64; 3]>| -> Vec<[f32; 3]> {
        rows.into_iter().map(|row| row.map(|x| x as f32)).collect()
    };
    let targets: Vec<[f32; 2]> = rows::<2>(40, 5)
        .into_iter()
        .map(|row| row.map(|x| x as f32))
        .collect();
    let data = Dataset::<f32, 3, 2>::from_arrays(&to32(rows::<3>(40, 4)), &targets).unwrap();
    Model::new(Prices32::new(&mut rng(3)))
        .with_inputs(Standardizer::fit(&data))
        .with_targets(TargetStandardizer::fit(&data))
        .unwrap()
}

fn diagnosis_model() -> Model<Diagnosis, 2, 1> {
    let data =
        Dataset::<f32, 2, 1>::from_arrays(&[[10.0, -3.0], [14.0, 5.0]], &[[0.0], [1.0]]).unwrap();
    Model::new(Diagnosis::new(&mut rng(4)))
        .with_inputs(Standardizer::fit(&data))
        .with_labels(Labels::new(["benign", "malignant"]).unwrap())
        .unwrap()
}

/// The CRC-32 (IEEE) the binary format ends with, to re-sign a file edited on purpose.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// `bytes` with a new checksum.
fn resigned(mut bytes: Vec<u8>) -> Vec<u8> {
    let body = bytes.len() - 4;
    let checksum = crc32(&bytes[..body]);
    bytes[body..].copy_from_slice(&checksum.to_le_bytes());
    bytes
}

/// A binary file with its JSON header edited by `edit`, its length and checksum updated.
fn with_header(bytes: &[u8], edit: impl Fn(&str) -> String) -> Vec<u8> {
    let length = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
    let header = edit(std::str::from_utf8(&bytes[16..16 + length]).unwrap());
    let mut out = bytes[..12].to_vec();
    out.extend_from_slice(&(header.len() as u32).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(&bytes[16 + length..]);
    resigned(out)
}

fn bits<const N: usize, T: Copy + Into<f64>>(values: [T; N]) -> [u64; N] {
    values.map(|value| value.into().to_bits())
}

#[test]
fn every_part_round_trips_in_both_formats() {
    let directory = tempfile::tempdir().unwrap();
    let iris = iris_model();
    iris.save_binary(directory.path().join("iris.nnm")).unwrap();
    iris.save_json(directory.path().join("iris.json")).unwrap();
    let back: Model<Iris, 4, 3> = Model::load_binary(directory.path().join("iris.nnm")).unwrap();
    assert_eq!(back, iris);
    let back: Model<Iris, 4, 3> = Model::load_json(directory.path().join("iris.json")).unwrap();
    assert_eq!(back, iris);
    assert_eq!(
        back.classes().unwrap(),
        ["setosa", "versicolor", "virginica"]
    );
    assert!(back.targets().is_none());

    let prices = prices_model();
    let back = Model::<Prices, 3, 2>::from_bytes(&prices.to_bytes().unwrap()).unwrap();
    assert_eq!(back, prices);
    let back = Model::<Prices, 3, 2>::from_json_str(&prices.to_json_string().unwrap()).unwrap();
    assert_eq!(back, prices);
    assert!(back.labels().is_none());

    // f32 statistics come back bit for bit from the JSON text too.
    let prices = prices32_model();
    let back = Model::<Prices32, 3, 2>::from_json_str(&prices.to_json_string().unwrap()).unwrap();
    assert_eq!(back, prices);
    let back = Model::<Prices32, 3, 2>::from_bytes(&prices.to_bytes().unwrap()).unwrap();
    assert_eq!(back, prices);

    let diagnosis = diagnosis_model();
    let back = Model::<Diagnosis, 2, 1>::from_bytes(&diagnosis.to_bytes().unwrap()).unwrap();
    assert_eq!(back, diagnosis);
}

#[test]
fn the_sections_say_what_they_hold() {
    let bytes = iris_model().to_bytes().unwrap();
    let length = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
    let header = std::str::from_utf8(&bytes[16..16 + length]).unwrap();
    assert!(
        header.ends_with(
            r#""preprocessing":{"version":1,"inputs":4,"classes":["setosa","versicolor","virginica"]}}"#
        ),
        "{header}"
    );
    // The network's values, then 4 means and 4 deviations, then the checksum.
    let network_values = Iris::PARAMETERS * 4;
    assert_eq!(bytes.len(), 16 + length + network_values + 8 * 4 + 4);

    let text = prices_model().to_json_string().unwrap();
    let preprocessing = text.find("\"preprocessing\"").unwrap();
    assert!(preprocessing < text.find("\"layers\"").unwrap(), "{text}");
    assert!(text.contains("\"version\": 1"), "{text}");
    assert!(text.contains("\"targets\": {"), "{text}");
}

#[test]
fn old_files_load_and_files_without_preprocessing_are_unchanged() {
    let models = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/models");
    for name in ["every_activation_f32.nnm", "every_activation_f32.json"] {
        let path = models.join(name);
        let stored = std::fs::read(&path).unwrap();
        let model: Model<EveryActivation, 5, 3> = if name.ends_with(".nnm") {
            Model::load_binary(&path).unwrap()
        } else {
            Model::load_json(&path).unwrap()
        };
        assert!(model.inputs().is_none() && model.targets().is_none());
        assert!(model.labels().is_none());
        let saved = if name.ends_with(".nnm") {
            model.to_bytes().unwrap()
        } else {
            model.to_json_string().unwrap().into_bytes()
        };
        assert_eq!(saved, stored, "{name} is saved again byte for byte");
    }
    let net = Iris::new(&mut rng(5));
    let bare = Model::new(net.clone());
    assert_eq!(bare.to_bytes().unwrap(), model::to_bytes(&net).unwrap());
    assert_eq!(
        bare.to_json_string().unwrap(),
        model::to_json_string(&net).unwrap()
    );
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("bare.nnm");
    bare.save_binary(&path).unwrap();
    assert_eq!(
        std::fs::read(&path).unwrap(),
        model::to_bytes(&net).unwrap()
    );
}

#[test]
fn the_bare_loaders_read_the_network_of_a_file_with_preprocessing() {
    let iris = iris_model();
    let net: Iris = model::from_bytes(&iris.to_bytes().unwrap()).unwrap();
    assert_eq!(&net, iris.network());
    let net: Iris = model::from_json_str(&iris.to_json_string().unwrap()).unwrap();
    assert_eq!(&net, iris.network());
    // Another network is still refused, with the same words.
    let error = model::from_bytes::<Diagnosis, _, _>(&iris.to_bytes().unwrap()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the model file holds network `Iris`, expected `Diagnosis`"
    );
    let error = Model::<Diagnosis, 2, 1>::from_bytes(&iris.to_bytes().unwrap()).unwrap_err();
    assert!(matches!(error, ModelError::Network { .. }), "{error}");
}

#[test]
fn predictions_from_raw_inputs_equal_the_steps_by_hand_bit_for_bit() {
    let prices = prices_model();
    let loaded = Model::<Prices, 3, 2>::from_bytes(&prices.to_bytes().unwrap()).unwrap();
    for raw in rows::<3>(5, 9) {
        let mut x = raw;
        prices.inputs().unwrap().transform_input(&mut x);
        let mut y: [f64; 2] = prices.network().forward(&x).into();
        prices.targets().unwrap().inverse_target(&mut y);
        assert_eq!(bits(prices.predict_raw(&raw)), bits(y));
        assert_eq!(bits(loaded.predict_raw(&raw)), bits(y));
        // The preprocessing does something: the bare network's output differs.
        let bare: [f64; 2] = prices.network().forward(&raw).into();
        assert_ne!(bits(bare), bits(y));
    }

    let prices = prices32_model();
    let loaded = Model::<Prices32, 3, 2>::from_json_str(&prices.to_json_string().unwrap()).unwrap();
    for raw in rows::<3>(5, 10) {
        let raw = raw.map(|x| x as f32);
        let mut x = raw;
        prices.inputs().unwrap().transform_input(&mut x);
        let mut y: [f32; 2] = prices.network().forward(&x).into();
        prices.targets().unwrap().inverse_target(&mut y);
        assert_eq!(bits(prices.predict_raw(&raw)), bits(y));
        assert_eq!(bits(loaded.predict_raw(&raw)), bits(y));
    }

    // Without preprocessing, a prediction is `forward`.
    let net = Iris::new(&mut rng(6));
    let raw = [5.1, 3.5, 1.4, 0.2];
    let y: [f32; 3] = net.forward(&raw).into();
    assert_eq!(bits(Model::new(net).predict_raw(&raw)), bits(y));
}

#[test]
fn a_classifier_names_its_class_from_raw_inputs() {
    let iris = iris_model();
    let loaded = Model::<Iris, 4, 3>::from_bytes(&iris.to_bytes().unwrap()).unwrap();
    for raw in rows::<4>(6, 11) {
        let raw = raw.map(|x| x as f32);
        let p = iris.predict_raw(&raw);
        let best = (0..3).max_by(|&a, &b| p[a].total_cmp(&p[b])).unwrap();
        let (name, probability) = loaded.classify_raw(&raw).unwrap();
        assert_eq!(name, species().names()[best]);
        assert_eq!(probability.to_bits(), p[best].to_bits());
    }
    assert_eq!(
        Model::new(Iris::new(&mut rng(7))).classify_raw(&[0.0; 4]),
        None
    );

    // One sigmoid output: the second label at p ≥ ½, else the first with 1 − p.
    let diagnosis = diagnosis_model();
    for raw in [[10.0, -3.0], [14.0, 5.0], [12.0, 1.0], [-40.0, 60.0]] {
        let p = diagnosis.predict_raw(&raw)[0];
        let expected = if p >= 0.5 {
            ("malignant", p)
        } else {
            ("benign", 1.0 - p)
        };
        assert_eq!(diagnosis.classify_raw(&raw), Some(expected));
    }
}

#[test]
fn parts_that_do_not_fit_the_network_are_refused_when_added() {
    let message = |error: ModelError| error.to_string();
    let error = Model::new(Prices::new(&mut rng(8)))
        .with_labels(Labels::new(["cheap", "dear"]).unwrap())
        .unwrap_err();
    assert!(
        matches!(
            error,
            ModelError::Preprocessing(PreprocessingError::NotAClassifier { .. })
        ),
        "{error}"
    );
    assert_eq!(
        message(error),
        "the model has class names, but network `Prices` ends in `Identity` with 2 outputs, expected `Softmax`, or `Sigmoid` with one output"
    );
    let error = Model::new(Iris::new(&mut rng(9)))
        .with_labels(Labels::new(["setosa", "virginica"]).unwrap())
        .unwrap_err();
    assert_eq!(
        message(error),
        "the model has 2 class names, expected 3, one per output"
    );
    let targets = Dataset::<f32, 2, 1>::from_arrays(&[[0.0, 0.0], [1.0, 1.0]], &[[0.0], [1.0]])
        .map(|data| TargetStandardizer::fit(&data))
        .unwrap();
    let error = diagnosis_model().with_targets(targets).unwrap_err();
    assert!(
        matches!(
            error,
            ModelError::Preprocessing(PreprocessingError::TargetsWithClasses)
        ),
        "{error}"
    );
}

#[test]
fn damaged_or_mismatched_json_sections_are_errors_naming_the_field() {
    let iris = iris_model().to_json_string().unwrap();
    let prices = prices_model().to_json_string().unwrap();
    let load_iris = |text: &str| Model::<Iris, 4, 3>::from_json_str(text).unwrap_err();
    let load_prices = |text: &str| Model::<Prices, 3, 2>::from_json_str(text).unwrap_err();

    // A deviation of 0, a missing mean, another version, an unknown field.
    let std = prices.find("\"std\": [").unwrap() + "\"std\": [".len();
    let end = std + prices[std..].find(',').unwrap();
    let zero = format!("{}\n 0.0{}", &prices[..std], &prices[end..]);
    assert_eq!(
        load_prices(&zero).to_string(),
        "value 0 of the preprocessing `inputs.std` is 0, expected a finite positive number"
    );
    let mean = prices.find("\"mean\": [").unwrap() + "\"mean\": [".len();
    let end = mean + prices[mean..].find(',').unwrap() + 1;
    let short = format!("{}{}", &prices[..mean], &prices[end..]);
    assert_eq!(
        load_prices(&short).to_string(),
        "the preprocessing `inputs.mean` has 2 values, expected 3, the network's input width"
    );
    let newer = prices.replacen(
        "\"version\": 1,\n    \"inputs\"",
        "\"version\": 2,\n    \"inputs\"",
        1,
    );
    assert_ne!(newer, prices);
    let error = load_prices(&newer);
    assert!(
        matches!(
            error,
            ModelError::Preprocessing(PreprocessingError::Version {
                found: 2,
                expected: 1
            })
        ),
        "{error}"
    );
    // Every reader refuses a section it cannot read, the bare one too.
    assert!(model::from_json_str::<Prices, _, _>(&newer).is_err());
    let unknown = prices.replacen("\"targets\": {", "\"outputs\": {", 1);
    assert!(
        load_prices(&unknown)
            .to_string()
            .contains("unknown field `outputs`"),
        "{}",
        load_prices(&unknown)
    );

    // Class names: repeated, empty, too few.
    let repeated = iris.replacen("\"virginica\"", "\"setosa\"", 1);
    assert_eq!(
        load_iris(&repeated).to_string(),
        "class name 2 `setosa` repeats class name 0, expected unique names"
    );
    let empty = iris.replacen("\"versicolor\"", "\"\"", 1);
    assert_eq!(
        load_iris(&empty).to_string(),
        "class name 1 is empty, expected a non-empty name"
    );
    let few = iris.replacen(",\n      \"virginica\"", "", 1);
    assert_ne!(few, iris);
    assert!(matches!(
        load_iris(&few),
        ModelError::Preprocessing(PreprocessingError::ClassCount {
            found: 2,
            expected: 3,
            outputs: 3
        })
    ));
}

#[test]
fn damaged_or_mismatched_binary_sections_are_errors() {
    let bytes = iris_model().to_bytes().unwrap();
    assert_eq!(
        resigned(bytes.clone()),
        bytes,
        "the test's checksum is the format's"
    );
    let load = |bytes: &[u8]| Model::<Iris, 4, 3>::from_bytes(bytes).unwrap_err();

    // A flipped bit among the preprocessing values, a truncated file.
    let mut flipped = bytes.clone();
    let at = bytes.len() - 10;
    flipped[at] ^= 0x04;
    let error = load(&flipped).to_string();
    assert!(
        error.starts_with("the file is corrupt: checksum mismatch"),
        "{error}"
    );
    assert!(matches!(
        load(&bytes[..bytes.len() - 8]),
        ModelError::Truncated { .. }
    ));

    // A deviation of 0 or NaN, written with a valid checksum.
    let last_std = bytes.len() - 8;
    for (value, shown) in [(0.0f32, "0"), (f32::NAN, "NaN")] {
        let mut edited = bytes.clone();
        edited[last_std..last_std + 4].copy_from_slice(&value.to_le_bytes());
        assert_eq!(
            load(&resigned(edited)).to_string(),
            format!(
                "value 3 of the preprocessing `inputs.std` is {shown}, expected a finite positive number"
            )
        );
    }

    // Header sections that do not fit: another version, repeated or too few names, a width
    // other than the network's.
    let newer = with_header(&bytes, |h| h.replace(r#""version":1"#, r#""version":7"#));
    let error = load(&newer);
    assert_eq!(
        error.to_string(),
        "the model file's preprocessing section has version 7, expected version 1"
    );
    assert!(model::from_bytes::<Iris, _, _>(&newer).is_err());
    let repeated = with_header(&bytes, |h| h.replace("versicolor", "setosa"));
    assert!(matches!(
        load(&repeated),
        ModelError::Preprocessing(PreprocessingError::DuplicateClassName {
            index: 1,
            first: 0,
            ..
        })
    ));
    let few = with_header(&bytes, |h| h.replace(r#","virginica""#, ""));
    assert!(matches!(
        load(&few),
        ModelError::Preprocessing(PreprocessingError::ClassCount { found: 2, .. })
    ));
    let narrow = with_header(&bytes, |h| h.replace(r#""inputs":4"#, r#""inputs":3"#));
    let narrow = [&narrow[..narrow.len() - 12], &narrow[narrow.len() - 4..]].concat();
    let narrow = resigned(narrow);
    assert_eq!(
        load(&narrow).to_string(),
        "the preprocessing `inputs.mean` has 3 values, expected 4, the network's input width"
    );
}

#[test]
fn labels_learned_from_csv_are_saved_and_read_the_next_file() {
    let train = "\
sepal_length,sepal_width,petal_length,petal_width,species
5.1,3.5,1.4,0.2,setosa
7.0,3.2,4.7,1.4,versicolor
6.3,3.3,6.0,2.5,virginica
4.9,3.0,1.4,0.2,setosa
";
    let options = CsvOptions::new().label("species");
    let (data, labels) =
        Dataset::<f32, 4, 3>::from_csv_reader_with_labels(train.as_bytes(), &options).unwrap();
    let model = Model::new(Iris::new(&mut rng(12)))
        .with_inputs(Standardizer::fit(&data))
        .with_labels(labels)
        .unwrap();
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("iris.nnm");
    model.save_binary(&path).unwrap();

    let loaded: Model<Iris, 4, 3> = Model::load_binary(&path).unwrap();
    let options = options.known_labels(loaded.labels().unwrap().clone());
    let test =
        "sepal_length,sepal_width,petal_length,petal_width,species\n5.9,3.0,5.1,1.8,virginica\n";
    let data = Dataset::<f32, 4, 3>::from_csv_reader(test.as_bytes(), &options).unwrap();
    assert_eq!(data.target(0), &[0.0, 0.0, 1.0]);
    let unseen = format!("{test}6.1,2.8,4.0,1.3,versicolour\n");
    let error = Dataset::<f32, 4, 3>::from_csv_reader(unseen.as_bytes(), &options).unwrap_err();
    assert_eq!(
        error,
        nn::DataError::CsvUnknownLabel {
            line: 3,
            column: 4,
            label: "versicolour".into(),
            known: vec!["setosa".into(), "versicolor".into(), "virginica".into()],
        }
    );
    let (name, _) = loaded.classify_raw(&[5.9, 3.0, 5.1, 1.8]).unwrap();
    assert!(loaded.classes().unwrap().iter().any(|class| class == name));
}
