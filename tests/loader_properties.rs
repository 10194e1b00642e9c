//! Every reader of outside bytes keeps its promise on any input: CSV data
//! (`Dataset::from_csv_reader`, `Dataset::from_csv_reader_with_labels`), JSON and binary model
//! files (`model::from_json_str`, `model::from_bytes`, nn-format's `decode`), checkpoints
//! (`Checkpoint::from_bytes`, and a trainer resumed from one), safetensors
//! (`model::from_safetensors`, `model::from_safetensors_with`) and model bundles
//! (`Model::from_bytes`, `Model::from_json_str`). Arbitrary bytes, and valid files mutated — bits
//! flipped, bytes overwritten, truncated, inserted and deleted, spliced with another valid file,
//! tokens the formats give meaning to inserted or written over — give a value or a typed error,
//! never a panic, and a value read writes and reads back equal. Binary input is also read with
//! its trailing CRC-32 recomputed, so that mutations reach what the checksum guards.
//!
//! The valid files are the seeds of the fuzz targets under `fuzz/` (see `fuzz/README.md`): run
//! `fuzz_seeds_are_valid_files` with `NN_WRITE_FUZZ_SEEDS=1` to write them into
//! `fuzz/corpus/<target>/` again.

use std::fmt::{Debug, Display};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use nn::data::{CsvOptions, Labels, Standardizer, TargetStandardizer};
use nn::model::{self, Model, TensorNames};
use nn::prelude::*;
use nn::train::CheckpointError;
use nn::{Float, Network};
use nn_format::Values;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{Index, select};

network! {
    /// The network of `tests/ui/models/xor.nnm`.
    struct Xor: Input<2> -> Dense<4, Tanh> -> Dense<1, Sigmoid>;

    /// The networks of the files under `tests/models/` (see `tests/frozen.rs`).
    struct EveryActivation: Input<5> -> Dense<16, Relu> -> Dense<12, Tanh> -> Dense<8, Sigmoid>
        -> Dense<8, LeakyRelu<0.2>> -> Dropout<0.1> -> Dense<6> -> Dense<3, Softmax>;
    struct EveryActivation64<f64>: Input<5> -> Dense<16, Relu> -> Dense<12, Tanh>
        -> Dense<8, Sigmoid> -> Dense<8, LeakyRelu<0.2>> -> Dropout<0.1> -> Dense<6>
        -> Dense<3, Softmax>;
    struct Modern: Input<5> -> Dense<12, Gelu> -> BatchNorm<GeluTanh> -> Dense<10, Silu>
        -> LayerNorm<Elu<0.5>> -> Dense<8, Softplus> -> Dense<6, HardTanh> -> Dense<3, Softmax>;
    struct Modern64<f64>: Input<5> -> Dense<12, Gelu> -> BatchNorm<GeluTanh>
        -> Dense<10, Silu> -> LayerNorm<Elu<0.5>> -> Dense<8, Softplus> -> Dense<6, HardTanh>
        -> Dense<3, Softmax>;

    /// The networks of the files under `tests/fixtures/torch/` (see `tests/interop.rs` and
    /// `tests/norm_reference.rs`).
    struct Classifier: Input<13> -> Dense<16, Relu> -> Dense<3, Softmax>;
    struct Regressor<f64>: Input<5> -> Dense<8, Tanh> -> Dense<8, Tanh> -> Dense<1, Sigmoid>;
    struct NormNet<f64>:
        Input<4> -> Dense<8> -> BatchNorm<Relu> -> Dense<6, Tanh> -> LayerNorm -> Dense<3>;

    /// The networks of the model bundles (see `tests/bundle.rs`).
    struct Iris: Input<4> -> Dense<8, Relu> -> Dense<3, Softmax>;
    struct Prices<f64>: Input<3> -> Dense<6, Tanh> -> Dense<2>;
    struct Diagnosis: Input<2> -> Dense<4, Tanh> -> Dense<1, Sigmoid>;

    /// The network of the checkpoints.
    struct Tiny: Input<3> -> Dense<4, Tanh> -> Dropout<0.1> -> Dense<2, Softmax>;
}

mod double {
    use nn::prelude::*;

    network! {
        /// The network of `tests/ui/models/xor_f64.nnm`.
        pub struct Xor<f64>: Input<2> -> Dense<4, Tanh> -> Dense<1, Sigmoid>;
    }
}

/// The cases of each property: a few seconds for them all in a debug build.
const CASES: u32 = 1024;

// ---------------------------------------------------------------------------------------------
// The readers. Each reads its bytes every way it can, asserts the promise of what it read, and
// returns how many ways read a value.

/// The CRC-32 (IEEE) that binary model files and checkpoints end with.
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

/// `bytes` with the last four replaced by the CRC-32 of the others, or `None` when shorter or
/// when that changes nothing.
fn resigned(bytes: &[u8]) -> Option<Vec<u8>> {
    let body = bytes.len().checked_sub(4)?;
    let mut out = bytes.to_vec();
    out[body..].copy_from_slice(&crc32(&bytes[..body]).to_le_bytes());
    (out != bytes).then_some(out)
}

/// `bytes`, then `bytes` re-signed.
fn with_resigned(bytes: &[u8], mut read: impl FnMut(&[u8]) -> usize) -> usize {
    read(bytes) + resigned(bytes).map_or(0, |resigned| read(&resigned))
}

/// `rows` of fields as CSV.
fn csv(rows: impl Iterator<Item = Vec<String>>) -> String {
    rows.map(|row| row.join(",") + "\n").collect()
}

fn numbers<T: Display>(values: &[T]) -> Vec<String> {
    values.iter().map(T::to_string).collect()
}

/// A name quoted, its quotes doubled.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The class of a target: one-hot among `OUT`, or for a single output the value, 0 or 1.
fn class_of<T: Float, const OUT: usize>(target: &[T; OUT]) -> usize {
    if OUT == 1 {
        usize::from(target[0].as_f64() == 1.0)
    } else {
        let class = target.iter().position(|v| v.as_f64() == 1.0);
        class.expect("a label's target is one-hot")
    }
}

/// Reads numeric `bytes`; a dataset read writes and reads back equal.
fn csv_values<T: Float + Display, const IN: usize, const OUT: usize>(
    bytes: &[u8],
    options: &CsvOptions,
) -> usize {
    let Ok(data) = Dataset::<T, IN, OUT>::from_csv_reader(bytes, options) else {
        return 0;
    };
    let text = csv(data
        .inputs()
        .iter()
        .zip(data.targets())
        .map(|(x, y)| [numbers(x), numbers(y)].concat()));
    let back =
        Dataset::<T, IN, OUT>::from_csv_reader(text.as_bytes(), &CsvOptions::new().header(false))
            .expect("a dataset written reads back");
    assert_eq!(back, data);
    1
}

/// Reads `bytes` with a label column of integers; a dataset read writes and reads back equal.
fn csv_integer_labels<const IN: usize, const OUT: usize>(
    bytes: &[u8],
    options: &CsvOptions,
) -> usize {
    let Ok(data) = Dataset::<f32, IN, OUT>::from_csv_reader(bytes, options) else {
        return 0;
    };
    let text = csv(data
        .inputs()
        .iter()
        .zip(data.targets())
        .map(|(x, y)| [numbers(x), vec![class_of(y).to_string()]].concat()));
    let options = CsvOptions::new().header(false).label(IN);
    let back = Dataset::<f32, IN, OUT>::from_csv_reader(text.as_bytes(), &options)
        .expect("a dataset written reads back");
    assert_eq!(back, data);
    1
}

/// `data` as CSV, its classes written as their names in `labels`.
fn named<const IN: usize, const OUT: usize>(
    data: &Dataset<f32, IN, OUT>,
    labels: &Labels,
) -> String {
    csv(data.inputs().iter().zip(data.targets()).map(|(x, y)| {
        let name = labels.name(class_of(y)).expect("a class among the labels");
        [numbers(x), vec![quoted(name)]].concat()
    }))
}

/// Reads `bytes` with a label column of names, learned; a dataset read writes and reads back
/// equal, with the same labels learned, and with them known.
fn csv_learned_labels<const IN: usize, const OUT: usize>(
    bytes: &[u8],
    options: &CsvOptions,
) -> usize {
    let Ok((data, labels)) = Dataset::<f32, IN, OUT>::from_csv_reader_with_labels(bytes, options)
    else {
        return 0;
    };
    let text = named(&data, &labels);
    let options = CsvOptions::new().header(false).label(IN);
    let (back, learned) =
        Dataset::<f32, IN, OUT>::from_csv_reader_with_labels(text.as_bytes(), &options)
            .expect("a dataset written reads back");
    assert_eq!((&back, &learned), (&data, &labels));
    let known = options.known_labels(labels);
    let back = Dataset::<f32, IN, OUT>::from_csv_reader(text.as_bytes(), &known)
        .expect("a dataset written reads back with its labels");
    assert_eq!(back, data);
    1
}

/// Reads `bytes` with a label column of names among `labels`; a dataset read writes and reads
/// back equal.
fn csv_known_labels<const IN: usize, const OUT: usize>(
    bytes: &[u8],
    options: CsvOptions,
    labels: &Labels,
) -> usize {
    let options = options.known_labels(labels.clone());
    let Ok(data) = Dataset::<f32, IN, OUT>::from_csv_reader(bytes, &options) else {
        return 0;
    };
    let text = named(&data, labels);
    let options = CsvOptions::new()
        .header(false)
        .label(IN)
        .known_labels(labels.clone());
    let back = Dataset::<f32, IN, OUT>::from_csv_reader(text.as_bytes(), &options)
        .expect("a dataset written reads back");
    assert_eq!(back, data);
    1
}

/// CSV data, with the option sets of the fuzz target `csv`.
fn read_csv(bytes: &[u8]) -> usize {
    let species = Labels::new(["setosa", "versicolor", "virginica"]).unwrap();
    let mut read = csv_values::<f32, 2, 1>(bytes, &CsvOptions::new())
        + csv_values::<f64, 3, 2>(bytes, &CsvOptions::new().header(false))
        + csv_values::<f64, 1, 1>(
            bytes,
            &CsvOptions::new()
                .delimiter(b';')
                .inputs(["x"])
                .targets(["y"]),
        )
        + csv_values::<f32, 2, 1>(
            bytes,
            &CsvOptions::new()
                .delimiter(b'\t')
                .header(false)
                .inputs([2, 0])
                .targets([1]),
        )
        + csv_integer_labels::<2, 3>(bytes, &CsvOptions::new().header(false).label(2))
        + csv_integer_labels::<3, 3>(bytes, &CsvOptions::new().label("species"))
        + csv_learned_labels::<2, 3>(
            bytes,
            &CsvOptions::new()
                .inputs(["sepal_length", "petal_length"])
                .label("species"),
        )
        + csv_learned_labels::<2, 1>(
            bytes,
            &CsvOptions::new().header(false).delimiter(b';').label(0),
        )
        + csv_known_labels::<2, 3>(bytes, CsvOptions::new().label(2), &species);
    // Any delimiter at all, from the first byte; the rest is the data.
    if let Some((&delimiter, rest)) = bytes.split_first() {
        read += csv_values::<f32, 2, 1>(rest, &CsvOptions::new().delimiter(delimiter).targets([0]));
        read += csv_learned_labels::<2, 3>(rest, &CsvOptions::new().delimiter(delimiter).label(0));
    }
    read
}

/// Decodes `bytes` without a network type; a file decoded holds as many values as its header
/// says, every one finite, and (an nn file without preprocessing) encodes and decodes back equal.
fn decode(bytes: &[u8], encode_again: bool) -> usize {
    let Ok(file) = nn_format::decode(bytes) else {
        return 0;
    };
    let expected = file
        .header
        .value_count()
        .expect("a decoded header counts its values");
    let finite = match &file.values {
        Values::F32(values) => {
            assert_eq!(values.len(), expected);
            values.iter().all(|v| v.is_finite())
        }
        Values::F64(values) => {
            assert_eq!(values.len(), expected);
            values.iter().all(|v| v.is_finite())
        }
    };
    assert!(finite, "a decoded file holds only finite values");
    if encode_again && file.header.preprocessing.is_none() {
        let raw = file.values.to_le_bytes();
        let again = nn_format::binary::encode(&file.header, raw.len(), |out| {
            out.extend_from_slice(&raw);
        });
        let back = nn_format::decode(&again).expect("a decoded file encodes and decodes back");
        assert_eq!(back, file);
    }
    1
}

/// A network read saves and reads back equal as JSON, in the binary format and as safetensors.
fn network_round_trips<N, const IN: usize, const OUT: usize>(net: &N)
where
    N: Network<IN, OUT> + PartialEq + Debug,
{
    let json = model::to_json_string(net).expect("a network read saves as JSON");
    let back = model::from_json_str::<N, IN, OUT>(&json).expect("a saved network reads back");
    assert_eq!(&back, net);
    let bytes = model::to_bytes(net).expect("a network read saves in the binary format");
    let back = model::from_bytes::<N, IN, OUT>(&bytes).expect("a saved network reads back");
    assert_eq!(&back, net);
    let bytes = model::to_safetensors(net).expect("a network read saves as safetensors");
    let back = model::from_safetensors::<N, IN, OUT>(&bytes).expect("a saved network reads back");
    assert_eq!(&back, net);
}

fn json_as<N, const IN: usize, const OUT: usize>(text: &str) -> usize
where
    N: Network<IN, OUT> + PartialEq + Debug,
{
    model::from_json_str::<N, IN, OUT>(text).map_or(0, |net| {
        network_round_trips(&net);
        1
    })
}

/// JSON model files, as the fuzz target `model_json` reads them.
fn read_json(bytes: &[u8]) -> usize {
    let decoded = decode(bytes, true);
    let Ok(text) = std::str::from_utf8(bytes) else {
        return decoded;
    };
    decoded
        + json_as::<Xor, 2, 1>(text)
        + json_as::<double::Xor, 2, 1>(text)
        + json_as::<EveryActivation, 5, 3>(text)
        + json_as::<EveryActivation64, 5, 3>(text)
        + json_as::<Modern, 5, 3>(text)
        + json_as::<Modern64, 5, 3>(text)
}

fn binary_as<N, const IN: usize, const OUT: usize>(bytes: &[u8]) -> usize
where
    N: Network<IN, OUT> + PartialEq + Debug,
{
    model::from_bytes::<N, IN, OUT>(bytes).map_or(0, |net| {
        network_round_trips(&net);
        1
    })
}

/// Binary model files, as the fuzz target `model_binary` reads them.
fn read_binary(bytes: &[u8]) -> usize {
    with_resigned(bytes, |bytes| {
        decode(bytes, true)
            + binary_as::<Xor, 2, 1>(bytes)
            + binary_as::<double::Xor, 2, 1>(bytes)
            + binary_as::<EveryActivation, 5, 3>(bytes)
            + binary_as::<EveryActivation64, 5, 3>(bytes)
            + binary_as::<Modern, 5, 3>(bytes)
            + binary_as::<Modern64, 5, 3>(bytes)
    })
}

fn safetensors_as<N, const IN: usize, const OUT: usize>(bytes: &[u8]) -> usize
where
    N: Network<IN, OUT> + PartialEq + Debug,
{
    model::from_safetensors::<N, IN, OUT>(bytes).map_or(0, |net| {
        network_round_trips(&net);
        1
    })
}

/// safetensors files, as the fuzz target `safetensors` reads them.
fn read_safetensors(bytes: &[u8]) -> usize {
    let names = TensorNames::Explicit(&[("0.weight", "0.bias"), ("2.weight", "2.bias")]);
    let explicit = model::from_safetensors_with::<Classifier, 13, 3>(bytes, names);
    decode(bytes, false)
        + safetensors_as::<Classifier, 13, 3>(bytes)
        + safetensors_as::<Regressor, 5, 1>(bytes)
        + safetensors_as::<NormNet, 4, 3>(bytes)
        + explicit.map_or(0, |net| {
            network_round_trips(&net);
            1
        })
}

/// The training data of the checkpoints: 12 samples.
fn tiny_data() -> Dataset<f32, 3, 2> {
    let inputs: Vec<[f32; 3]> = (0..12)
        .map(|i| {
            let x = i as f32;
            [(x * 0.7).sin(), (x * 1.3).cos(), x / 12.0 - 0.5]
        })
        .collect();
    let labels: Vec<usize> = (0..12).map(|i| i % 2).collect();
    Dataset::from_labels(&inputs, &labels).unwrap()
}

/// The settings of the checkpoints, with `optimizer`, for `epochs` epochs.
fn tiny_trainer<'a, O: Optimizer>(
    optimizer: O,
    epochs: usize,
) -> Trainer<'a, O, SoftmaxCrossEntropy> {
    Trainer::new(optimizer, SoftmaxCrossEntropy)
        .batch_size(4)
        .epochs(epochs)
        .seed(7)
        .early_stopping(EarlyStopping::new(5).with_restore_best_weights(true))
        .schedule(LrSchedule::reduce_on_plateau().with_patience(1))
        .progress(false)
        .threads(1)
}

/// Resumes a run from `checkpoint` for one more epoch; a run that ends well gives a checkpoint
/// that writes and reads back. Returns whether it trained.
fn resume<O: Optimizer>(optimizer: O, checkpoint: &Checkpoint) -> usize {
    let Some(epochs) = checkpoint.epoch().checked_add(1) else {
        return 0;
    };
    let mut trainer = tiny_trainer(optimizer, epochs).resume_from(checkpoint.clone());
    let mut net = Tiny::new(&mut StdRng::seed_from_u64(1));
    if trainer.fit(&mut net, &tiny_data()).is_err() {
        return 0;
    }
    let next = trainer
        .checkpoint(&net)
        .expect("a run with Adam or Sgd gives a checkpoint");
    let next = next.expect("a trained network is finite");
    let bytes = next.to_bytes().expect("a checkpoint taken writes");
    let back =
        Checkpoint::from_bytes(&bytes).expect("a checkpoint taken after resuming reads back");
    // Compared as bytes: the norms of epochs before a resume from a checkpoint without them are
    // NaN, which no value equals.
    assert_eq!(back.to_bytes().expect("it writes again"), bytes);
    1
}

/// Checkpoints, as the fuzz target `checkpoint` reads them.
fn read_checkpoint(bytes: &[u8]) -> usize {
    with_resigned(bytes, |bytes| {
        let Ok(checkpoint) = Checkpoint::from_bytes(bytes) else {
            return 0;
        };
        let written = checkpoint.to_bytes().expect("a checkpoint read writes");
        let back = Checkpoint::from_bytes(&written).expect("a written checkpoint reads back");
        assert_eq!(back.to_bytes().expect("it writes again"), written);
        assert_eq!(back.history().len(), back.epoch());
        let Ok(net) = checkpoint.network::<Tiny, 3, 2>() else {
            return 1;
        };
        network_round_trips(&net);
        1 + resume(Adam::new(0.01), &checkpoint)
            + resume(Sgd::new(0.1).with_momentum(0.9), &checkpoint)
    })
}

/// A model read predicts and classifies from a raw input, and saves and reads back equal in
/// both formats.
fn model_round_trips<N, const IN: usize, const OUT: usize>(
    model: &Model<N, IN, OUT>,
    input: [N::Scalar; IN],
) -> usize
where
    N: Network<IN, OUT> + PartialEq + Debug,
{
    let _ = model.predict_raw(&input);
    let _ = model.classify_raw(&input);
    let bytes = model
        .to_bytes()
        .expect("a model read saves in the binary format");
    let back = Model::<N, IN, OUT>::from_bytes(&bytes).expect("a saved model reads back");
    assert_eq!(&back, model);
    let json = model.to_json_string().expect("a model read saves as JSON");
    let back = Model::<N, IN, OUT>::from_json_str(&json).expect("a saved model reads back");
    assert_eq!(&back, model);
    1
}

fn bundle_as<N, const IN: usize, const OUT: usize>(bytes: &[u8], input: [N::Scalar; IN]) -> usize
where
    N: Network<IN, OUT> + PartialEq + Debug,
{
    let binary = with_resigned(bytes, |bytes| {
        Model::<N, IN, OUT>::from_bytes(bytes).map_or(0, |model| model_round_trips(&model, input))
    });
    let json = std::str::from_utf8(bytes)
        .ok()
        .and_then(|text| Model::<N, IN, OUT>::from_json_str(text).ok())
        .map_or(0, |model| model_round_trips(&model, input));
    binary + json
}

/// Model bundles, as the fuzz target `bundle` reads them.
fn read_bundle(bytes: &[u8]) -> usize {
    bundle_as::<Iris, 4, 3>(bytes, [5.1, 3.5, 1.4, 0.2])
        + bundle_as::<Prices, 3, 2>(bytes, [120.0, 210.0, 290.0])
        + bundle_as::<Diagnosis, 2, 1>(bytes, [12.0, 1.0])
}

// ---------------------------------------------------------------------------------------------
// The valid files: committed ones and files written here.

/// A file's name and bytes.
type File = (&'static str, Vec<u8>);

fn committed(path: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(path);
    std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn csv_files() -> Vec<File> {
    let texts: [(&str, &str); 11] = [
        (
            "iris.csv",
            "sepal_length,sepal_width,petal_length,species\n5.1,3.5,1.4,setosa\n\
             7.0,3.2,4.7,versicolor\n6.3,3.3,6.0, virginica\n4.9,3.0,1.4,setosa\n",
        ),
        ("numbers.csv", "a,b,y\n0.5,-1.25,1\n2e-3,3.5,0\n-7,0,1\n"),
        (
            "no_header.csv",
            "1,2,3,4,5\n-1.5,2.25,0,1e3,7\n0.001,-0.002,3,4,5.5\n",
        ),
        ("semicolon.csv", "x;y\n1.5;2\n -3 ;4.25\n"),
        ("tab.tsv", "1\t2\t3\n4.5\t-5\t6e-2\n"),
        ("integer_labels.csv", "0.5,1.5,2\n-1,0.25,0\n3,4,1.0\n"),
        (
            "species_index.csv",
            "a,b,c,species\n1,2,3,0\n4,5,6,2\n7,8,9,1\n",
        ),
        (
            "binary_names.csv",
            "benign;1.0;2.0\nmalignant;3.5;-1\nbenign;0;0\n",
        ),
        (
            "known_labels.csv",
            "sepal_length,petal_length,species\n5.1,1.4,setosa\n6.3,6.0,\"virginica\"\n",
        ),
        (
            "quoted_bom_crlf.csv",
            "\u{feff}\"a\",b,y\r\n\r\n\"1.5\",2,0\r\n3,\" 4 \",1\r\n",
        ),
        ("pipe_delimiter.csv", "|y|a|b\n1|2|3\n0.5|-1|2\n"),
    ];
    texts
        .into_iter()
        .map(|(name, text)| (name, text.as_bytes().to_vec()))
        .collect()
}

fn model_json_files() -> Vec<File> {
    let modern: Modern = model::from_bytes(&committed("models/modern_f32.nnm")).unwrap();
    vec![
        (
            "every_activation_f32.json",
            committed("models/every_activation_f32.json"),
        ),
        (
            "every_activation_f64.json",
            committed("models/every_activation_f64.json"),
        ),
        ("modern_f64.json", committed("models/modern_f64.json")),
        (
            "modern_f32.json",
            model::to_json_string(&modern).unwrap().into_bytes(),
        ),
        (
            "xor.json",
            model::to_json_string(&Xor::new(&mut StdRng::seed_from_u64(1)))
                .unwrap()
                .into_bytes(),
        ),
        (
            "xor_f64.json",
            model::to_json_string(&double::Xor::new(&mut StdRng::seed_from_u64(2)))
                .unwrap()
                .into_bytes(),
        ),
    ]
}

fn model_binary_files() -> Vec<File> {
    let modern64: Modern64 =
        model::from_json_str(std::str::from_utf8(&committed("models/modern_f64.json")).unwrap())
            .unwrap();
    vec![
        (
            "every_activation_f32.nnm",
            committed("models/every_activation_f32.nnm"),
        ),
        (
            "every_activation_f64.nnm",
            committed("models/every_activation_f64.nnm"),
        ),
        ("modern_f32.nnm", committed("models/modern_f32.nnm")),
        ("modern_f64.nnm", model::to_bytes(&modern64).unwrap()),
        ("xor.nnm", committed("ui/models/xor.nnm")),
        ("xor_f64.nnm", committed("ui/models/xor_f64.nnm")),
    ]
}

fn safetensors_files() -> Vec<File> {
    [
        "nn_saved_13_16_3_f32.safetensors",
        "sequential_13_16_3_f32.safetensors",
        "sequential_5_8_8_1_f64.safetensors",
        "norm_4_8_6_3_f64.safetensors",
    ]
    .into_iter()
    .map(|name| (name, committed(&format!("fixtures/torch/{name}"))))
    .collect()
}

/// A checkpoint after `epochs` epochs with `optimizer`.
fn checkpoint_after<O: Optimizer>(optimizer: O, epochs: usize) -> Vec<u8> {
    let mut trainer = tiny_trainer(optimizer, epochs);
    let mut net = Tiny::new(&mut StdRng::seed_from_u64(1));
    trainer.fit(&mut net, &tiny_data()).unwrap();
    let checkpoint = trainer.checkpoint(&net).unwrap().unwrap();
    checkpoint.to_bytes().unwrap()
}

fn checkpoint_files() -> Vec<File> {
    vec![
        ("adam_epoch1.ckpt", checkpoint_after(Adam::new(0.01), 1)),
        ("adam_epoch3.ckpt", checkpoint_after(Adam::new(0.01), 3)),
        (
            "sgd_momentum_epoch2.ckpt",
            checkpoint_after(Sgd::new(0.1).with_momentum(0.9), 2),
        ),
    ]
}

/// Rows far from mean 0 and deviation 1, as in `tests/bundle.rs`.
fn rows<const N: usize>(count: usize, seed: u64) -> Vec<[f64; N]> {
    (0..count)
        .map(|i| {
            std::array::from_fn(|c| {
                let x = ((i * 7 + c * 13) as f64 + seed as f64).sin();
                100.0 * (c + 1) as f64 + 20.0 * x + 0.1 * i as f64
            })
        })
        .collect()
}

fn bundle_files() -> Vec<File> {
    let inputs: Vec<[f32; 4]> = rows::<4>(12, 1)
        .into_iter()
        .map(|row| row.map(|x| x as f32))
        .collect();
    let labels: Vec<usize> = (0..12).map(|i| i % 3).collect();
    let iris_data = Dataset::<f32, 4, 3>::from_labels(&inputs, &labels).unwrap();
    let iris = Model::new(Iris::new(&mut StdRng::seed_from_u64(1)))
        .with_inputs(Standardizer::fit(&iris_data))
        .with_labels(Labels::new(["setosa", "versicolor", "virginica"]).unwrap())
        .unwrap();
    let prices_data =
        Dataset::<f64, 3, 2>::from_arrays(&rows::<3>(12, 2), &rows::<2>(12, 3)).unwrap();
    let prices = Model::new(Prices::new(&mut StdRng::seed_from_u64(2)))
        .with_inputs(Standardizer::fit(&prices_data))
        .with_targets(TargetStandardizer::fit(&prices_data))
        .unwrap();
    let diagnosis_data =
        Dataset::<f32, 2, 1>::from_arrays(&[[10.0, -3.0], [14.0, 5.0]], &[[0.0], [1.0]]).unwrap();
    let diagnosis = Model::new(Diagnosis::new(&mut StdRng::seed_from_u64(4)))
        .with_inputs(Standardizer::fit(&diagnosis_data))
        .with_labels(Labels::new(["benign", "malignant"]).unwrap())
        .unwrap();
    let bare = Model::new(Iris::new(&mut StdRng::seed_from_u64(5)));
    vec![
        ("iris.nnm", iris.to_bytes().unwrap()),
        ("iris.json", iris.to_json_string().unwrap().into_bytes()),
        ("prices.nnm", prices.to_bytes().unwrap()),
        ("prices.json", prices.to_json_string().unwrap().into_bytes()),
        ("diagnosis.nnm", diagnosis.to_bytes().unwrap()),
        (
            "diagnosis.json",
            diagnosis.to_json_string().unwrap().into_bytes(),
        ),
        ("bare_iris.nnm", bare.to_bytes().unwrap()),
    ]
}

/// A reader, its fuzz target's name and its valid files.
struct Reader {
    target: &'static str,
    read: fn(&[u8]) -> usize,
    files: Vec<File>,
}

fn readers() -> &'static [Reader; 6] {
    static READERS: OnceLock<[Reader; 6]> = OnceLock::new();
    READERS.get_or_init(|| {
        let reader = |target, read, files| Reader {
            target,
            read,
            files,
        };
        [
            reader("csv", read_csv as fn(&[u8]) -> usize, csv_files()),
            reader("model_json", read_json, model_json_files()),
            reader("model_binary", read_binary, model_binary_files()),
            reader("checkpoint", read_checkpoint, checkpoint_files()),
            reader("safetensors", read_safetensors, safetensors_files()),
            reader("bundle", read_bundle, bundle_files()),
        ]
    })
}

fn reader(target: &str) -> &'static Reader {
    let found = readers().iter().find(|reader| reader.target == target);
    found.expect("a reader of that name")
}

// ---------------------------------------------------------------------------------------------
// Mutations.

/// Bytes the formats give meaning to.
const TOKENS: &[&[u8]] = &[
    b"0",
    b"-1",
    b"1e999",
    b"-1e-999",
    b"3.4028236e38",
    b"18446744073709551616",
    b"NaN",
    b"inf",
    b"null",
    b"true",
    b"\"",
    b"\"\"",
    b"\\u0000",
    b"[",
    b"]",
    b"{",
    b"}",
    b",",
    b":",
    b";",
    b"\t",
    b"\n",
    b"\r\n",
    b" ",
    b"\"f32\"",
    b"\"f64\"",
    b"\"layer_norm\"",
    b"\"batch_norm\"",
    b"\"preprocessing\"",
    b"\"version\":2",
    b"[0,0]",
    b"[4294967295,4294967295]",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\xc3",
    b"\0\0\0\0",
    b"\xff\xff\xff\xff",
    b"\xff\xff\xff\xff\xff\xff\xff\x7f",
    b"\0\0\xc0\x7f",
    b"\0\0\x80\x7f",
    b"nn-model",
    b"nn-ckpt\0",
    b"__metadata__",
    b"F16",
    b"I64",
    b"data_offsets",
];

/// One change to a file.
#[derive(Clone, Debug)]
enum Mutation {
    /// Flips one bit.
    Flip(Index, u8),
    /// Writes a byte over one.
    Set(Index, u8),
    /// Cuts the file there.
    Truncate(Index),
    /// Inserts bytes there.
    Insert(Index, Vec<u8>),
    /// Deletes up to this many bytes from there.
    Delete(Index, usize),
    /// Keeps the file up to there, then another valid file from a position on.
    Splice(Index, Index, Index),
    /// Inserts a token there, or writes it over what is there.
    Token(Index, Index, bool),
    /// Replaces the first decimal digit from there on with another: text that stays well formed.
    Digit(Index, u8),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<Index>(), 0u8..8).prop_map(|(at, bit)| Mutation::Flip(at, bit)),
        2 => (any::<Index>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Set(at, byte)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
        1 => (any::<Index>(), vec(any::<u8>(), 1..8))
            .prop_map(|(at, bytes)| Mutation::Insert(at, bytes)),
        1 => (any::<Index>(), 1usize..32).prop_map(|(at, len)| Mutation::Delete(at, len)),
        1 => (any::<Index>(), any::<Index>(), any::<Index>())
            .prop_map(|(at, file, from)| Mutation::Splice(at, file, from)),
        3 => (any::<Index>(), any::<Index>(), any::<bool>())
            .prop_map(|(at, token, over)| Mutation::Token(at, token, over)),
        3 => (any::<Index>(), b'0'..=b'9').prop_map(|(at, digit)| Mutation::Digit(at, digit)),
    ]
}

fn apply(bytes: &mut Vec<u8>, mutation: &Mutation, files: &[File]) {
    let len = bytes.len();
    match mutation {
        Mutation::Flip(at, bit) if len > 0 => bytes[at.index(len)] ^= 1 << bit,
        Mutation::Set(at, byte) if len > 0 => bytes[at.index(len)] = *byte,
        Mutation::Flip(..) | Mutation::Set(..) => {}
        Mutation::Truncate(at) => bytes.truncate(at.index(len + 1)),
        Mutation::Insert(at, inserted) => {
            let at = at.index(len + 1);
            bytes.splice(at..at, inserted.iter().copied());
        }
        Mutation::Delete(at, count) => {
            let at = at.index(len + 1);
            bytes.drain(at..(at + count).min(len));
        }
        Mutation::Splice(at, file, from) => {
            let other = &files[file.index(files.len())].1;
            bytes.truncate(at.index(len + 1));
            bytes.extend_from_slice(&other[from.index(other.len() + 1)..]);
        }
        Mutation::Token(at, token, over) => {
            let token = TOKENS[token.index(TOKENS.len())];
            let at = at.index(len + 1);
            let end = if *over {
                (at + token.len()).min(len)
            } else {
                at
            };
            bytes.splice(at..end, token.iter().copied());
        }
        Mutation::Digit(at, digit) => {
            let from = at.index(len + 1);
            if let Some(byte) = bytes[from..].iter_mut().find(|b| b.is_ascii_digit()) {
                *byte = *digit;
            }
        }
    }
}

/// A valid file of `reader` with one to three mutations.
fn mutated(reader: &'static Reader) -> impl Strategy<Value = Vec<u8>> {
    (any::<Index>(), vec(mutation(), 1..4)).prop_map(move |(file, mutations)| {
        let mut bytes = reader.files[file.index(reader.files.len())].1.clone();
        for mutation in &mutations {
            apply(&mut bytes, mutation, &reader.files);
        }
        bytes
    })
}

/// Arbitrary bytes: any bytes, or text of the characters the formats use.
fn arbitrary() -> impl Strategy<Value = Vec<u8>> {
    let text = select(b"0123456789.-+eE,;\t\n\r\" []{}:abfnrstu_\\".to_vec());
    prop_oneof![vec(any::<u8>(), 0..256), vec(text, 0..256)]
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: CASES,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn csv_mutations_read_or_fail_typed(bytes in mutated(reader("csv"))) {
        read_csv(&bytes);
    }

    #[test]
    fn model_json_mutations_read_or_fail_typed(bytes in mutated(reader("model_json"))) {
        read_json(&bytes);
    }

    #[test]
    fn model_binary_mutations_read_or_fail_typed(bytes in mutated(reader("model_binary"))) {
        read_binary(&bytes);
    }

    #[test]
    fn checkpoint_mutations_read_or_fail_typed(bytes in mutated(reader("checkpoint"))) {
        read_checkpoint(&bytes);
    }

    #[test]
    fn safetensors_mutations_read_or_fail_typed(bytes in mutated(reader("safetensors"))) {
        read_safetensors(&bytes);
    }

    #[test]
    fn bundle_mutations_read_or_fail_typed(bytes in mutated(reader("bundle"))) {
        read_bundle(&bytes);
    }

    #[test]
    fn arbitrary_bytes_read_or_fail_typed_in_every_reader(bytes in arbitrary()) {
        for reader in readers() {
            (reader.read)(&bytes);
        }
    }
}

/// The files mutated above are valid, so that mutations start from what the readers accept.
#[test]
fn every_valid_file_reads() {
    for reader in readers() {
        for (name, bytes) in &reader.files {
            let read = (reader.read)(bytes);
            assert!(read > 0, "{}: {name} does not read", reader.target);
        }
    }
}

/// The committed seeds of the fuzz targets are these valid files, and read; with
/// `NN_WRITE_FUZZ_SEEDS=1`, writes them first. Other files in a corpus (inputs a fuzzer added)
/// are left alone.
#[test]
fn fuzz_seeds_are_valid_files() {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let write = std::env::var_os("NN_WRITE_FUZZ_SEEDS").is_some_and(|v| v == "1");
    for reader in readers() {
        let directory = corpus.join(reader.target);
        if write {
            std::fs::create_dir_all(&directory).unwrap();
        }
        for (name, bytes) in &reader.files {
            let path = directory.join(name);
            if write {
                std::fs::write(&path, bytes).unwrap();
            }
            let seed = std::fs::read(&path).unwrap_or_else(|error| {
                panic!(
                    "{}: {error}: run with NN_WRITE_FUZZ_SEEDS=1 to write the seeds",
                    path.display()
                )
            });
            assert!(
                (reader.read)(&seed) > 0,
                "{} does not read: run with NN_WRITE_FUZZ_SEEDS=1 to write the seeds again",
                path.display()
            );
        }
    }
}

/// The inputs kept under `fuzz/regressions/<target>/` (see its README) read or fail typed, as
/// every input does; there is at least one.
#[test]
fn fuzz_regressions_read_or_fail_typed() {
    let regressions = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut inputs = 0;
    for reader in readers() {
        let Ok(entries) = std::fs::read_dir(regressions.join(reader.target)) else {
            continue;
        };
        for entry in entries {
            (reader.read)(&std::fs::read(entry.unwrap().path()).unwrap());
            inputs += 1;
        }
    }
    assert!(inputs > 0, "no inputs under {}", regressions.display());
}

/// A checkpoint with its training state edited by `edit`, framed and signed again.
fn with_state(bytes: &[u8], edit: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    let length = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap()) as usize;
    let model_end = 20 + length(12);
    let state_at = model_end + 8;
    let state = &bytes[state_at..state_at + length(model_end)];
    let mut state: serde_json::Value = serde_json::from_slice(state).unwrap();
    edit(&mut state);
    let state = serde_json::to_vec(&state).unwrap();
    let mut out = bytes[..model_end].to_vec();
    out.extend_from_slice(&(state.len() as u64).to_le_bytes());
    out.extend_from_slice(&state);
    out.extend_from_slice(&crc32(&out).to_le_bytes());
    out
}

/// Training states no run reaches, each of which made resuming panic on an overflow (a best
/// epoch after the last, a schedule's or optimizer's count at its maximum) or end with a network
/// of infinities (best weights beyond `f32`), or would train with a negative learning rate:
/// refused when read, with the field named, and resuming from them never runs.
#[test]
fn checkpoint_states_no_run_reaches_are_refused() {
    type Edit = fn(&mut serde_json::Value);
    let bytes = checkpoint_after(Adam::new(0.01), 3);
    let cases: [(&str, Edit); 6] = [
        ("its best epoch is epoch 1000 of 3", |state| {
            state["best_epoch"] = 1000.into();
            state["best_loss"] = 0.0.into();
        }),
        (
            "the schedule counts 18446744073709551615 epochs without improvement in 3 epochs",
            |state| {
                state["schedule"]["bad_epochs"] = u64::MAX.into();
                state["schedule"]["best"] = 0.0.into();
            },
        ),
        (
            "the optimizer took 18446744073709551615 steps in 3 epochs of 12 samples",
            |state| state["optimizer"]["steps"] = u64::MAX.into(),
        ),
        (
            "its learning rate is -1, expected a finite number >= 0",
            |state| state["optimizer"]["learning_rate"] = (-1.0).into(),
        ),
        (
            "its base learning rate is -0.5, expected a finite number >= 0",
            |state| state["base_learning_rate"] = (-0.5).into(),
        ),
        ("best weight 2 is 1e300, beyond the range of f32", |state| {
            state["session"]["best"][2] = 1e300.into();
            state["best_loss"] = 0.0.into();
        }),
    ];
    for (message, edit) in cases {
        let edited = with_state(&bytes, edit);
        let error = Checkpoint::from_bytes(&edited).unwrap_err();
        assert!(matches!(error, CheckpointError::State(_)), "{error}");
        let expected = format!("the checkpoint's training state is malformed: {message}");
        assert_eq!(error.to_string(), expected);
        assert_eq!(read_checkpoint(&edited), 0, "{message}");
    }
    // The limits themselves are states a run reaches: read, and resumed by both trainers' first
    // check (only the matching optimizer trains).
    let limits = with_state(&bytes, |state| {
        state["best_epoch"] = 3.into();
        state["schedule"]["bad_epochs"] = 3.into();
        state["optimizer"]["steps"] = 36.into();
        state["optimizer"]["learning_rate"] = 0.0.into();
    });
    assert_eq!(read_checkpoint(&limits), 2);
    assert_eq!(read_checkpoint(&bytes), 2);
}
