//! The Huber and smooth L1 losses against PyTorch's `HuberLoss` and `SmoothL1Loss` (mean
//! reduction), in f64: values and gradients for batches whose residuals lie below, exactly at and
//! above the threshold. The fixture (`tests/fixtures/torch/losses.json`) is made by
//! `tools/make_loss_fixtures.py`, whose doc describes every key.
//!
//! Tolerance: 1e-14 relative. Each gradient is one or two roundings of the same formula on both
//! sides (equal to the bit here, as it happens); the value is a sum of 12 terms that PyTorch adds
//! in another order, which may differ by a few units in the last place (≈1e-16). A wrong branch at
//! the threshold, a missing `1/β` or a gradient not divided by the number of values misses it by
//! orders of magnitude.

use std::path::Path;

use nn::prelude::*;
use nn::{Huber, Identity, Loss, SmoothL1};

/// Relative tolerance of every comparison: see the module's doc.
const TOLERANCE: f64 = 1e-14;
/// Samples and values per sample of each fixture batch.
const SAMPLES: usize = 4;
const WIDTH: usize = 3;

/// One case of `losses.json`.
struct Case {
    loss: String,
    parameter: f64,
    output: BatchMatrix<f64, WIDTH>,
    target: BatchMatrix<f64, WIDTH>,
    residuals: Vec<f64>,
    value: f64,
    gradient: Vec<f64>,
}

/// The rows of a fixture matrix (one per sample), flattened sample by sample: the layout of a
/// batch matrix's slice.
fn flat(value: &serde_json::Value) -> Vec<f64> {
    let rows: Vec<Vec<f64>> = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(rows.len(), SAMPLES);
    assert!(rows.iter().all(|row| row.len() == WIDTH));
    rows.concat()
}

fn batch(value: &serde_json::Value) -> BatchMatrix<f64, WIDTH> {
    let values = flat(value);
    let columns: Vec<SVector<f64, WIDTH>> = values
        .chunks_exact(WIDTH)
        .map(SVector::from_column_slice)
        .collect();
    BatchMatrix::from_columns(&columns)
}

fn cases() -> Vec<Case> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/torch/losses.json");
    let reference: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    reference["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| Case {
            loss: case["loss"].as_str().unwrap().to_owned(),
            parameter: case["parameter"].as_f64().unwrap(),
            output: batch(&case["output"]),
            target: batch(&case["target"]),
            residuals: flat(&case["residuals"]),
            value: case["value"].as_f64().unwrap(),
            gradient: flat(&case["gradient"]),
        })
        .collect()
}

/// Asserts `|got − want| ≤ TOLERANCE·|want|` (exact equality for a zero).
fn assert_close(what: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() <= TOLERANCE * want.abs(),
        "{what}: nn {got:e}, PyTorch {want:e}"
    );
}

/// The value and gradient of `loss` on a case, through an identity output (so that the gradient
/// with respect to the pre-activation is the one with respect to the output).
fn evaluate_case<L: Loss<Identity>>(loss: &L, case: &Case) -> (f64, Vec<f64>) {
    let mut gradient = BatchMatrix::zeros(SAMPLES);
    let value = loss.loss_and_gradient(
        &Identity,
        &case.output,
        &case.output,
        &case.target,
        &mut gradient,
    );
    assert_eq!(
        value.to_bits(),
        Loss::<Identity>::loss(loss, &case.output, &case.target).to_bits(),
        "the value alone and with the gradient differ"
    );
    (value, gradient.as_slice().to_vec())
}

#[test]
fn huber_and_smooth_l1_match_pytorch_below_at_and_above_the_threshold() {
    let cases = cases();
    assert_eq!(cases.len(), 7);
    for case in &cases {
        let (value, gradient) = match case.loss.as_str() {
            "huber" => evaluate_case(&Huber::new(case.parameter).unwrap(), case),
            "smooth_l1" => evaluate_case(&SmoothL1::new(case.parameter).unwrap(), case),
            other => panic!("unknown loss {other}"),
        };
        let name = format!("{} {}", case.loss, case.parameter);
        assert_close(&format!("{name}: value"), value, case.value);
        for (index, (&got, &want)) in gradient.iter().zip(&case.gradient).enumerate() {
            assert_close(&format!("{name}: gradient[{index}]"), got, want);
        }
        // The batch really has residuals exactly at the threshold, on both sides.
        let threshold = if case.parameter > 0.0 {
            case.parameter
        } else {
            1.0
        };
        for at in [threshold, -threshold] {
            assert!(case.residuals.contains(&at), "{name}: no residual {at}");
        }
        let below = case.residuals.iter().filter(|r| r.abs() < threshold);
        let above = case.residuals.iter().filter(|r| r.abs() > threshold);
        assert!(below.count() >= 3 && above.count() >= 3, "{name}");
    }
}

#[test]
fn the_defaults_are_pytorchs() {
    let cases = cases();
    let default_case = |loss: &str| {
        cases
            .iter()
            .find(|case| case.loss == loss && case.parameter == 1.0)
            .unwrap()
    };
    let huber = default_case("huber");
    assert_close(
        "Huber",
        evaluate_case(&Huber::default(), huber).0,
        huber.value,
    );
    let smooth = default_case("smooth_l1");
    assert_close(
        "SmoothL1",
        evaluate_case(&SmoothL1::default(), smooth).0,
        smooth.value,
    );
}

#[test]
fn smooth_l1_is_huber_over_beta() {
    for case in cases().iter().filter(|case| case.parameter > 0.0) {
        let beta = case.parameter;
        let (huber, huber_gradient) = evaluate_case(&Huber::new(beta).unwrap(), case);
        let (smooth, smooth_gradient) = evaluate_case(&SmoothL1::new(beta).unwrap(), case);
        assert_close("value", smooth, huber / beta);
        for (&s, &h) in smooth_gradient.iter().zip(&huber_gradient) {
            assert_close("gradient", s, h / beta);
        }
    }
}

#[test]
fn f32_agrees_with_f64() {
    for case in cases() {
        let narrow = |m: &BatchMatrix<f64, WIDTH>| {
            let columns: Vec<SVector<f32, WIDTH>> = m
                .columns_iter()
                .map(|c| SVector::from_fn(|i, _| c[i] as f32))
                .collect();
            BatchMatrix::from_columns(&columns)
        };
        let (output, target) = (narrow(&case.output), narrow(&case.target));
        let value = match case.loss.as_str() {
            "huber" => {
                Loss::<Identity>::loss(&Huber::new(case.parameter).unwrap(), &output, &target)
            }
            _ => Loss::<Identity>::loss(&SmoothL1::new(case.parameter).unwrap(), &output, &target),
        };
        let error = (f64::from(value) - case.value).abs();
        assert!(error <= 1e-6 * case.value.abs(), "{}: {value}", case.loss);
    }
}

#[test]
fn invalid_thresholds_are_typed_errors() {
    let huber = Huber::new(0.0).unwrap_err();
    assert_eq!(
        huber.to_string(),
        "invalid hyperparameter `delta` = 0, expected a finite number > 0"
    );
    let smooth = SmoothL1::new(-1.0).unwrap_err();
    assert_eq!(
        smooth.to_string(),
        "invalid hyperparameter `beta` = -1, expected a finite number >= 0"
    );
    assert!(Huber::new(f64::NAN).is_err() && SmoothL1::new(f64::INFINITY).is_err());
}
