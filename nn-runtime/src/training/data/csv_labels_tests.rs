//! Tests of CSV label columns holding class names, from in-memory readers.

use super::{CsvOptions, Dataset, Labels};
use crate::DataError;

const TRAIN: &str = "\
sepal_length,petal_length,species
5.1,1.4,setosa
7.0,4.7,versicolor
6.3,6.0, virginica
4.9,1.5,setosa
";

fn learn<const OUT: usize>(
    text: &str,
    options: &CsvOptions,
) -> Result<(Dataset<f32, 2, OUT>, Labels), DataError> {
    Dataset::from_csv_reader_with_labels(text.as_bytes(), options)
}

#[test]
fn string_labels_are_learned_sorted_and_one_hot_encoded() {
    // The first row's label is not the first class: the order is sorted, not of appearance.
    let text = TRAIN.replace("5.1,1.4,setosa", "5.1,1.4,virginica");
    let (data, labels) = learn::<3>(&text, &CsvOptions::new().label("species")).unwrap();
    assert_eq!(labels.names(), ["setosa", "versicolor", "virginica"]);
    assert_eq!(
        data.targets(),
        &[
            [0.0, 0.0, 1.0],
            [0.0, 1.0, 0.0],
            [0.0, 0.0, 1.0],
            [1.0, 0.0, 0.0]
        ]
    );
    assert_eq!(data.input(1), &[7.0, 4.7]);
}

#[test]
fn a_later_file_is_read_with_the_same_labels() {
    let options = CsvOptions::new().label("species");
    let (_, labels) = learn::<3>(TRAIN, &options).unwrap();
    let test = "sepal_length,petal_length,species\n6.0,5.0,virginica\n5.0,1.3,setosa\n";
    let options = options.known_labels(labels.clone());
    let data = Dataset::<f32, 2, 3>::from_csv_reader(test.as_bytes(), &options).unwrap();
    assert_eq!(data.targets(), &[[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]);
    // Known labels are given back as they are, not relearned from this file.
    let (_, again) = learn::<3>(test, &options).unwrap();
    assert_eq!(again, labels);
}

#[test]
fn an_unseen_label_names_the_label_and_its_line() {
    let (_, labels) = learn::<3>(TRAIN, &CsvOptions::new().label(2)).unwrap();
    let test = "a,b,species\n6.0,5.0,virginica\n\n5.0,1.3,Setosa\n";
    let options = CsvOptions::new().label(2).known_labels(labels);
    let error = Dataset::<f32, 2, 3>::from_csv_reader(test.as_bytes(), &options).unwrap_err();
    assert_eq!(
        error,
        DataError::CsvUnknownLabel {
            line: 4,
            column: 2,
            label: "Setosa".into(),
            known: vec!["setosa".into(), "versicolor".into(), "virginica".into()],
        }
    );
    assert_eq!(
        error.to_string(),
        "line 4, column 2: `Setosa` is not a known class label, expected one of `setosa`, `versicolor`, `virginica` (columns count from 0)"
    );
}

#[test]
fn empty_labels_are_errors() {
    let text = "a,b,species\n1,2,setosa\n3,4,\n";
    let error = learn::<3>(text, &CsvOptions::new().label(2)).unwrap_err();
    assert_eq!(error, DataError::CsvEmptyLabel { line: 3, column: 2 });
    let labels = Labels::new(["setosa", "versicolor", "virginica"]).unwrap();
    let options = CsvOptions::new().label(2).known_labels(labels);
    let error = Dataset::<f32, 2, 3>::from_csv_reader(text.as_bytes(), &options).unwrap_err();
    assert_eq!(error, DataError::CsvEmptyLabel { line: 3, column: 2 });
}

#[test]
fn the_number_of_labels_must_fit_the_outputs() {
    let error = learn::<4>(TRAIN, &CsvOptions::new().label(2)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "there are 3 class labels (`setosa`, `versicolor`, `virginica`), expected 4, one per output"
    );
    let two = Labels::new(["setosa", "virginica"]).unwrap();
    let options = CsvOptions::new().label(2).known_labels(two);
    let error = Dataset::<f32, 2, 3>::from_csv_reader(TRAIN.as_bytes(), &options).unwrap_err();
    assert!(
        matches!(
            error,
            DataError::LabelCount {
                expected: 3,
                outputs: 3,
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn a_single_output_takes_two_labels_as_targets_0_and_1() {
    let text = "x,y,diagnosis\n1,2,malignant\n3,4,benign\n5,6,malignant\n";
    let (data, labels) = learn::<1>(text, &CsvOptions::new().label(2)).unwrap();
    assert_eq!(labels.names(), ["benign", "malignant"]);
    assert_eq!(data.targets(), &[[1.0], [0.0], [1.0]]);
    let error = learn::<1>(TRAIN, &CsvOptions::new().label(2)).unwrap_err();
    assert!(
        error
            .to_string()
            .ends_with("expected 2 for a single output (target 0 for the first, 1 for the second)"),
        "{error}"
    );
}

#[test]
fn numeric_labels_learned_sort_by_value() {
    let text = "a,b,y\n0,0,10\n0,0,2\n0,0,1\n";
    let (data, labels) = learn::<3>(text, &CsvOptions::new().label(2)).unwrap();
    assert_eq!(labels.names(), ["1", "2", "10"]);
    assert_eq!(
        data.targets(),
        &[[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
    );
}

#[test]
fn integer_labels_are_read_as_before() {
    let text = "a,b,y\n1,2,0\n3,4,2.0\n";
    let data = Dataset::<f32, 2, 3>::from_csv_reader(text.as_bytes(), &CsvOptions::new().label(2))
        .unwrap();
    assert_eq!(data.targets(), &[[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]);
    let error = Dataset::<f32, 2, 3>::from_csv_reader(
        TRAIN.as_bytes(),
        &CsvOptions::new().label("species"),
    )
    .unwrap_err();
    assert_eq!(
        error,
        DataError::CsvNotALabel {
            line: 2,
            column: 2,
            field: "setosa".into()
        }
    );
}

#[test]
fn labels_need_a_label_column() {
    let error = learn::<1>(TRAIN, &CsvOptions::new().targets([2])).unwrap_err();
    assert_eq!(error, DataError::CsvNoLabelColumn);
    let labels = Labels::new(["no", "yes"]).unwrap();
    let options = CsvOptions::new().targets([2]).known_labels(labels);
    let error = Dataset::<f32, 2, 1>::from_csv_reader(TRAIN.as_bytes(), &options).unwrap_err();
    assert_eq!(error, DataError::CsvNoLabelColumn);
}

#[test]
fn a_file_on_disk_gives_its_labels() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("iris.csv");
    std::fs::write(&path, TRAIN).unwrap();
    let options = CsvOptions::new().label("species");
    let (data, labels) = Dataset::<f64, 2, 3>::from_csv_with_labels(&path, &options).unwrap();
    assert_eq!(data.len(), 4);
    assert_eq!(labels.index("virginica"), Some(2));
    let missing = Dataset::<f64, 2, 3>::from_csv_with_labels(dir.path().join("none.csv"), &options);
    assert!(matches!(missing, Err(DataError::CsvRead { .. })));
}
