//! Tests of CSV loading, from in-memory readers.

use super::{CsvOptions, Dataset};
use crate::{DataError, Side};

fn load<const IN: usize, const OUT: usize>(
    text: &str,
    options: CsvOptions,
) -> Result<Dataset<f32, IN, OUT>, DataError> {
    Dataset::from_csv_reader(text.as_bytes(), &options)
}

const IRIS: &str = "\
sepal_length,sepal_width,petal_length,species
5.1,3.5,1.4,0
7.0,3.2,4.7,1
6.3,3.3,6.0,2
";

#[test]
fn columns_by_header_name() {
    let options = CsvOptions::new()
        .inputs(["petal_length", " sepal_length "])
        .targets(["sepal_width"]);
    let data = load::<2, 1>(IRIS, options).unwrap();
    assert_eq!(data.len(), 3);
    assert_eq!(data.input(1), &[4.7, 7.0]);
    assert_eq!(data.target(2), &[3.3]);
}

#[test]
fn columns_by_index_without_header_and_other_delimiter() {
    let text = "1;2;3\n4; 5 ;6\n";
    let options = CsvOptions::new()
        .header(false)
        .delimiter(b';')
        .inputs([2, 0])
        .targets(1..2);
    let data = load::<2, 1>(text, options).unwrap();
    assert_eq!(data.inputs(), &[[3.0, 1.0], [6.0, 4.0]]);
    assert_eq!(data.targets(), &[[2.0], [5.0]]);
}

#[test]
fn defaults_take_the_last_columns_as_targets() {
    let data = load::<3, 1>(IRIS, CsvOptions::new()).unwrap();
    assert_eq!(data.input(0), &[5.1, 3.5, 1.4]);
    assert_eq!(data.target(2), &[2.0]);
    // Targets chosen alone leave every other column as an input, in file order.
    let data = load::<3, 1>(IRIS, CsvOptions::new().targets(["sepal_width"])).unwrap();
    assert_eq!(data.input(0), &[5.1, 1.4, 0.0]);
}

#[test]
fn a_label_column_is_one_hot_encoded() {
    let data = load::<3, 3>(IRIS, CsvOptions::new().label("species")).unwrap();
    assert_eq!(
        data.targets(),
        &[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    );
    assert_eq!(data.input(2), &[6.3, 3.3, 6.0]);
    let text = "x,label\n0.5,1.0\n";
    let data = load::<1, 2>(text, CsvOptions::new().label(1)).unwrap();
    assert_eq!(data.target(0), &[0.0, 1.0]);
}

#[test]
fn quoted_fields_blank_lines_and_a_byte_order_mark() {
    let text = "\u{feff}\"a\",b\n\n\"1.5\",2\n";
    let data = load::<1, 1>(text, CsvOptions::new().inputs(["a"]).targets(["b"])).unwrap();
    assert_eq!(data.input(0), &[1.5]);
}

#[test]
fn empty_data_is_an_error() {
    assert_eq!(
        load::<1, 1>("", CsvOptions::new()),
        Err(DataError::CsvEmpty)
    );
    assert_eq!(
        load::<1, 1>("a,b\n", CsvOptions::new()),
        Err(DataError::CsvEmpty)
    );
    let no_header = CsvOptions::new().header(false);
    assert_eq!(load::<1, 1>("\n\n", no_header), Err(DataError::CsvEmpty));
}

#[test]
fn a_non_numeric_field_names_line_and_column() {
    let text = "a,b,c\n1,2,3\n4,oops,6\n";
    let err = load::<2, 1>(text, CsvOptions::new()).unwrap_err();
    assert_eq!(
        err,
        DataError::CsvNotANumber {
            line: 3,
            column: 1,
            field: "oops".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "line 3, column 1: `oops` is not a number (columns count from 0)"
    );
    let err = load::<2, 1>("1,2,\n", CsvOptions::new().header(false)).unwrap_err();
    assert!(matches!(
        err,
        DataError::CsvNotANumber {
            line: 1,
            column: 2,
            ..
        }
    ));
    let invalid_utf8: &[u8] = b"a,b\n1,\xff\n";
    let err = Dataset::<f64, 1, 1>::from_csv_reader(invalid_utf8, &CsvOptions::new());
    assert!(matches!(
        err,
        Err(DataError::CsvNotANumber {
            line: 2,
            column: 1,
            ..
        })
    ));
}

#[test]
fn nan_infinity_and_overflow_name_line_and_column() {
    for (field, line) in [("NaN", 2), ("inf", 2), ("-infinity", 2), ("1e39", 2)] {
        let text = format!("a,b\n{field},1\n");
        let err = load::<1, 1>(&text, CsvOptions::new()).unwrap_err();
        assert_eq!(
            err,
            DataError::CsvNotFinite {
                line,
                column: 0,
                field: field.into()
            }
        );
    }
    // 1e39 fits in f64.
    let data = Dataset::<f64, 1, 1>::from_csv_reader(&b"a,b\n1e39,1\n"[..], &CsvOptions::new());
    assert!(data.is_ok());
}

#[test]
fn a_wrong_field_count_names_the_line() {
    let text = "a,b,c\n1,2,3\n\n4,5\n";
    let err = load::<2, 1>(text, CsvOptions::new()).unwrap_err();
    assert_eq!(
        err,
        DataError::CsvFieldCount {
            line: 4,
            found: 2,
            expected: 3
        }
    );
    // A quoted field spanning lines: the next record starts on line 4.
    let text = "a,b\n\"1\n\",2\n1,2,3\n";
    let err = load::<1, 1>(text, CsvOptions::new()).unwrap_err();
    assert!(
        matches!(err, DataError::CsvFieldCount { line: 4, .. }),
        "{err}"
    );
    // Windows line ends, blank lines and no final line end.
    let text = "a,b\r\n\r\n1,2\r\n\r\n\r\n3";
    let err = load::<1, 1>(text, CsvOptions::new()).unwrap_err();
    assert!(
        matches!(err, DataError::CsvFieldCount { line: 6, .. }),
        "{err}"
    );
    let text = "\n\na,b\n\"1\n\",2\n\n\n1,2,3";
    let err = load::<1, 1>(text, CsvOptions::new().header(false)).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::CsvNotANumber {
                line: 3,
                column: 0,
                ..
            }
        ),
        "{err}"
    );
    let err = load::<1, 1>(text, CsvOptions::new()).unwrap_err();
    assert!(
        matches!(err, DataError::CsvFieldCount { line: 8, .. }),
        "{err}"
    );
}

#[test]
fn missing_and_out_of_range_columns_are_named() {
    let err =
        load::<1, 1>(IRIS, CsvOptions::new().inputs(["petal_width"]).targets([0])).unwrap_err();
    assert_eq!(
        err,
        DataError::CsvMissingColumn {
            line: 1,
            name: "petal_width".into()
        }
    );
    let err = load::<1, 1>(IRIS, CsvOptions::new().inputs([4]).targets([0])).unwrap_err();
    assert_eq!(
        err,
        DataError::CsvColumnOutOfRange {
            line: 1,
            column: 4,
            fields: 4
        }
    );
    let err = load::<1, 1>("1,2\n", CsvOptions::new().header(false).label("y")).unwrap_err();
    assert_eq!(err, DataError::CsvNoHeader { name: "y".into() });
}

#[test]
fn column_counts_must_match_the_widths() {
    let err = load::<2, 1>(IRIS, CsvOptions::new()).unwrap_err();
    assert_eq!(
        err,
        DataError::CsvColumnCount {
            side: Side::Input,
            found: 3,
            expected: 2
        }
    );
    let err = load::<3, 2>(IRIS, CsvOptions::new().inputs(0..3).targets([3])).unwrap_err();
    assert!(matches!(
        err,
        DataError::CsvColumnCount {
            side: Side::Target,
            found: 1,
            expected: 2
        }
    ));
    // A file narrower than the target width does not panic.
    assert!(load::<1, 5>("a\n1\n", CsvOptions::new()).is_err());
}

#[test]
fn bad_labels_name_line_and_column() {
    let text = "x,y\n1,0\n2,3\n";
    let err = load::<1, 3>(text, CsvOptions::new().label("y")).unwrap_err();
    assert_eq!(
        err,
        DataError::CsvLabelOutOfRange {
            line: 3,
            column: 1,
            label: 3,
            classes: 3
        }
    );
    for field in ["-1", "1.5", "cat", "NaN", ""] {
        let text = format!("x,y\n1,0\n2,{field}\n");
        let err = load::<1, 3>(&text, CsvOptions::new().label(1)).unwrap_err();
        assert_eq!(
            err,
            DataError::CsvNotALabel {
                line: 3,
                column: 1,
                field: field.into()
            }
        );
    }
}

#[test]
fn a_missing_file_is_a_read_error() {
    let err = Dataset::<f32, 1, 1>::from_csv("/nonexistent/data.csv", &CsvOptions::new());
    assert!(matches!(err, Err(DataError::CsvRead { .. })));
}

#[test]
fn a_file_on_disk_loads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.csv");
    std::fs::write(&path, IRIS).unwrap();
    let data = Dataset::<f64, 3, 3>::from_csv(&path, &CsvOptions::new().label(3)).unwrap();
    assert_eq!(data.len(), 3);
}
