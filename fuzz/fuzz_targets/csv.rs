//! CSV data: any bytes, read by `Dataset::from_csv_reader` and
//! `Dataset::from_csv_reader_with_labels` with each of a set of options (header or not, other
//! delimiters, columns by index and by name, targets, integer labels, names learned or known,
//! and a delimiter taken from the input's first byte), give a dataset or a typed `DataError`,
//! never a panic; a dataset read writes as CSV and reads back equal (with the same labels), and
//! a network trains on it for an epoch or stops with a typed `TrainError`.

#![no_main]

use std::fmt::Display;

use libfuzzer_sys::fuzz_target;
use nn::Float;
use nn::data::{CsvOptions, Labels};
use nn::prelude::*;

network! {
    struct Tiny: Input<2> -> Dense<3, Tanh> -> Dense<1, Sigmoid>;
}

/// `rows` of `fields` as CSV, each field written so that it reads back as it is.
fn csv(rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut out = String::new();
    for row in rows {
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

fn numbers<T: Display>(values: &[T]) -> Vec<String> {
    values.iter().map(|v| v.to_string()).collect()
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
        target
            .iter()
            .position(|v| v.as_f64() == 1.0)
            .expect("a one-hot target")
    }
}

/// Reads numeric `bytes`; a dataset read writes and reads back equal.
fn values<T: Float + Display, const IN: usize, const OUT: usize>(
    bytes: &[u8],
    options: &CsvOptions,
) {
    let Ok(data) = Dataset::<T, IN, OUT>::from_csv_reader(bytes, options) else {
        return;
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
}

/// Reads `bytes` with a label column of integers; a dataset read writes and reads back equal.
fn integer_labels<const IN: usize, const OUT: usize>(bytes: &[u8], options: &CsvOptions) {
    let Ok(data) = Dataset::<f32, IN, OUT>::from_csv_reader(bytes, options) else {
        return;
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
fn learned_labels<const IN: usize, const OUT: usize>(bytes: &[u8], options: &CsvOptions) {
    let Ok((data, labels)) = Dataset::<f32, IN, OUT>::from_csv_reader_with_labels(bytes, options)
    else {
        return;
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
}

/// Reads `bytes` with a label column of names among `labels`; a dataset read writes and reads
/// back equal.
fn known_labels<const IN: usize, const OUT: usize>(
    bytes: &[u8],
    options: CsvOptions,
    labels: &Labels,
) {
    let Ok(data) =
        Dataset::<f32, IN, OUT>::from_csv_reader(bytes, &options.known_labels(labels.clone()))
    else {
        return;
    };
    let text = named(&data, labels);
    let options = CsvOptions::new()
        .header(false)
        .label(IN)
        .known_labels(labels.clone());
    let back = Dataset::<f32, IN, OUT>::from_csv_reader(text.as_bytes(), &options)
        .expect("a dataset written reads back");
    assert_eq!(back, data);
}

/// Reads `bytes` with the default options and trains a network on the data for an epoch.
fn train(bytes: &[u8]) {
    let Ok(data) = Dataset::<f32, 2, 1>::from_csv_reader(bytes, &CsvOptions::new()) else {
        return;
    };
    let mut net = Tiny::new(&mut StdRng::seed_from_u64(1));
    let _ = Trainer::new(Sgd::new(0.1), BinaryCrossEntropy)
        .batch_size(4)
        .epochs(1)
        .progress(false)
        .fit(&mut net, &data);
}

fuzz_target!(|bytes: &[u8]| {
    let species = Labels::new(["setosa", "versicolor", "virginica"]).expect("valid labels");
    values::<f32, 2, 1>(bytes, &CsvOptions::new());
    train(bytes);
    values::<f64, 3, 2>(bytes, &CsvOptions::new().header(false));
    values::<f64, 1, 1>(
        bytes,
        &CsvOptions::new()
            .delimiter(b';')
            .inputs(["x"])
            .targets(["y"]),
    );
    values::<f32, 2, 1>(
        bytes,
        &CsvOptions::new()
            .delimiter(b'\t')
            .header(false)
            .inputs([2, 0])
            .targets([1]),
    );
    integer_labels::<2, 3>(bytes, &CsvOptions::new().header(false).label(2));
    integer_labels::<3, 3>(bytes, &CsvOptions::new().label("species"));
    learned_labels::<2, 3>(
        bytes,
        &CsvOptions::new()
            .inputs(["sepal_length", "petal_length"])
            .label("species"),
    );
    learned_labels::<2, 1>(
        bytes,
        &CsvOptions::new().header(false).delimiter(b';').label(0),
    );
    known_labels::<2, 3>(bytes, CsvOptions::new().label(2), &species);
    // Any delimiter at all, from the first byte; the rest is the data.
    if let Some((&delimiter, rest)) = bytes.split_first() {
        let options = CsvOptions::new().delimiter(delimiter).targets([0]);
        values::<f32, 2, 1>(rest, &options);
        learned_labels::<2, 3>(rest, &CsvOptions::new().delimiter(delimiter).label(0));
    }
});
