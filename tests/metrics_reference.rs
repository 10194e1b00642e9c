//! The metrics of `nn::metrics` against scikit-learn on the fixture
//! `tests/fixtures/sklearn/metrics.json`, made by `tools/make_metric_fixtures.py` (whose doc
//! describes every key and records the versions): a 4-class problem with imbalanced classes,
//! a class never predicted and tied scores, binary scores with ties, and regressions with one
//! and three outputs and constant targets.
//!
//! Tolerance. Counts, supports, the confusion matrix and the printed report must be equal;
//! every float within [`TOLERANCE`] = 1e-12, absolute for values up to 1 in magnitude and
//! relative above (`|ours − sklearn| ≤ 1e-12 · max(1, |sklearn|)`). Both sides compute the
//! same formulas in f64 and differ only in the order of their sums (numpy sums pairwise): a
//! few units in the last place, ≈1e-16 to 1e-15, while a wrong definition — the other tie
//! rule of top-k, NaN instead of 0 for a zero division, RMSE as the root of the pooled MSE —
//! misses by far more than 1e-12.

use std::path::Path;

use nn::metrics::{
    ClassificationReport, ConfusionMatrix, MetricError, RegressionMetrics, accuracy, roc_auc,
    top_k_accuracy,
};
use serde_json::Value;

/// See the module's doc.
const TOLERANCE: f64 = 1e-12;

fn fixture() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sklearn/metrics.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn parse<T: serde::de::DeserializeOwned>(value: &Value) -> T {
    serde_json::from_value(value.clone()).unwrap()
}

/// Asserts `ours` is within [`TOLERANCE`] of scikit-learn's and returns the deviation.
fn check(ours: f64, sklearn: &Value, what: &str) -> f64 {
    let expected = sklearn.as_f64().unwrap();
    let deviation = (ours - expected).abs() / expected.abs().max(1.0);
    assert!(
        deviation <= TOLERANCE,
        "{what}: ours {ours:e}, scikit-learn {expected:e} (deviation {deviation:e})"
    );
    deviation
}

#[test]
fn classification_matches_scikit_learn() {
    let fixture = fixture();
    let case = &fixture["classification"];
    let classes: usize = parse(&case["classes"]);
    let actual: Vec<usize> = parse(&case["actual"]);
    let predicted: Vec<usize> = parse(&case["predicted"]);
    let mut largest = 0.0f64;

    let matrix = ConfusionMatrix::from_predictions(classes, &predicted, &actual).unwrap();
    let rows: Vec<Vec<usize>> = parse(&case["confusion_matrix"]);
    assert_eq!(
        matrix.rows().map(<[usize]>::to_vec).collect::<Vec<_>>(),
        rows
    );
    assert_eq!(
        matrix.predicted()[2],
        0,
        "the fixture has a class never predicted"
    );

    largest = largest.max(check(
        accuracy(&predicted, &actual).unwrap(),
        &case["accuracy"],
        "accuracy",
    ));
    let report = ClassificationReport::from_predictions(classes, &predicted, &actual).unwrap();
    assert_eq!(report, matrix.report());
    largest = largest.max(check(report.accuracy, &case["accuracy"], "report accuracy"));
    let per_class = &case["per_class"];
    let supports: Vec<usize> = parse(&per_class["support"]);
    for (class, scores) in report.per_class.iter().enumerate() {
        assert_eq!(scores.support, supports[class], "support of class {class}");
        for (name, value) in [
            ("precision", scores.precision),
            ("recall", scores.recall),
            ("f1", scores.f1),
        ] {
            let what = format!("{name} of class {class}");
            largest = largest.max(check(value, &per_class[name][class], &what));
        }
    }
    for (average, scores) in [
        ("macro", report.macro_average),
        ("weighted", report.weighted_average),
    ] {
        for (name, value) in [
            ("precision", scores.precision),
            ("recall", scores.recall),
            ("f1", scores.f1),
        ] {
            let what = format!("{average} {name}");
            largest = largest.max(check(value, &case[average][name], &what));
        }
    }
    // scikit-learn's text ends with a newline; `Display` leaves it to the caller.
    assert_eq!(format!("{report}\n"), case["report"].as_str().unwrap());
    assert_eq!(format!("{report:.4}\n"), case["report_4"].as_str().unwrap());

    let scores: Vec<Vec<f64>> = parse(&case["scores"]);
    for k in 1..=classes {
        let ours = top_k_accuracy(&scores, &actual, k).unwrap();
        largest = largest.max(check(ours, &case["top_k"][k.to_string()], "top-k"));
    }
    // The fixture's ties make scikit-learn's top-1 differ from the accuracy of the argmax.
    assert_ne!(case["top_k"]["1"], case["accuracy"]);
    eprintln!("classification: largest deviation from scikit-learn {largest:e}");
}

#[test]
fn roc_auc_matches_scikit_learn() {
    let fixture = fixture();
    let mut largest = 0.0f64;
    for name in ["tied", "distinct", "all_tied"] {
        let case = &fixture["binary"][name];
        let scores: Vec<f64> = parse(&case["scores"]);
        let labels: Vec<bool> = parse(&case["labels"]);
        let ours = roc_auc(&scores, &labels).unwrap();
        largest = largest.max(check(ours, &case["roc_auc"], name));
    }
    // scikit-learn returns NaN with a warning; here it is an error.
    let labels: Vec<bool> = parse(&fixture["binary"]["one_class"]["labels"]);
    let scores = vec![0.5; labels.len()];
    assert_eq!(
        roc_auc(&scores, &labels),
        Err(MetricError::OneClass {
            positives: labels.len(),
            negatives: 0
        })
    );
    eprintln!("ROC AUC: largest deviation from scikit-learn {largest:e}");
}

#[test]
fn regression_matches_scikit_learn() {
    let fixture = fixture();
    let mut largest = 0.0f64;
    for name in ["single", "multi", "constant_perfect", "constant_missed"] {
        let case = &fixture["regression"][name];
        let predictions: Vec<Vec<f64>> = parse(&case["predictions"]);
        let targets: Vec<Vec<f64>> = parse(&case["targets"]);
        let metrics = if predictions[0].len() == 1 {
            let column = |rows: &[Vec<f64>]| rows.iter().map(|row| row[0]).collect::<Vec<_>>();
            RegressionMetrics::new(&column(&predictions), &column(&targets)).unwrap()
        } else {
            let rows = |rows: &[Vec<f64>]| {
                rows.iter()
                    .map(|row| <[f64; 3]>::try_from(row.as_slice()).unwrap())
                    .collect::<Vec<_>>()
            };
            RegressionMetrics::from_rows(&rows(&predictions), &rows(&targets)).unwrap()
        };
        for (metric, value) in [
            ("mse", metrics.mse),
            ("rmse", metrics.rmse),
            ("mae", metrics.mae),
            ("r2", metrics.r2.unwrap()),
        ] {
            largest = largest.max(check(value, &case[metric], &format!("{name} {metric}")));
        }
    }
    eprintln!("regression: largest deviation from scikit-learn {largest:e}");
}
