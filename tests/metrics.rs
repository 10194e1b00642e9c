//! The metrics of a network on a dataset (`nn::metrics::{confusion_matrix, …}`): the same as
//! running the network sample by sample and measuring its outputs with the slice functions,
//! the same accuracy and errors as `evaluate`, over several batches, and typed errors for bad
//! `k`, a network that is not binary and NaN outputs. The slice functions themselves are checked
//! against scikit-learn in `tests/metrics_reference.rs`.

use nn::metrics::{
    self, ConfusionMatrix, MetricError, RegressionMetrics, Values, roc_auc, top_k_accuracy,
};
use nn::prelude::*;
use nn::train::argmax;

network! {
    /// Three classes.
    struct Three: Input<2> -> Dense<8, Tanh> -> Dense<3, Softmax>;

    /// Two classes, one output each.
    struct Two: Input<2> -> Dense<8, Tanh> -> Dense<2, Softmax>;

    /// Two classes on one sigmoid output.
    struct Binary: Input<2> -> Dense<4, Tanh> -> Dense<1, Sigmoid>;

    /// Regression with two outputs, in f64.
    struct Regressor<f64>: Input<2> -> Dense<8, Tanh> -> Dense<2>;
}

/// More samples than one batch of 256, so that the last batch is short.
const SAMPLES: usize = 300;

fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// Deterministic inputs spread over [-1, 1]².
fn inputs<T: Float>() -> Vec<[T; 2]> {
    (0..SAMPLES)
        .map(|i| {
            let i = i as f64;
            [T::of_f64((1.3 * i).sin()), T::of_f64((0.7 * i).cos())]
        })
        .collect()
}

/// A class per sample from the inputs' quadrant, `classes` of them.
fn labels(classes: usize) -> Vec<usize> {
    inputs::<f64>()
        .iter()
        .map(|x| (usize::from(x[0] > 0.0) + 2 * usize::from(x[1] > 0.3)) % classes)
        .collect()
}

/// The network's outputs sample by sample, through `forward`.
fn forward_each<N: Network<2, OUT>, const OUT: usize>(
    net: &N,
    data: &Dataset<N::Scalar, 2, OUT>,
) -> Vec<Vec<f64>> {
    (0..data.len())
        .map(|i| {
            let input = SVector::from(*data.input(i));
            net.forward(&input).iter().map(|v| v.as_f64()).collect()
        })
        .collect()
}

#[test]
fn classification_of_a_network_is_that_of_its_outputs() {
    let data = Dataset::<f32, 2, 3>::from_labels(&inputs(), &labels(3)).unwrap();
    let net = Three::new(&mut rng(1));
    let outputs = forward_each(&net, &data);
    let predicted: Vec<usize> = outputs.iter().map(|y| argmax(y)).collect();
    let actual = labels(3);

    let matrix = metrics::confusion_matrix(&net, &data).unwrap();
    assert_eq!(
        matrix,
        ConfusionMatrix::from_predictions(3, &predicted, &actual).unwrap()
    );
    assert_eq!(matrix.samples(), SAMPLES);
    let report = metrics::classification_report(&net, &data).unwrap();
    assert_eq!(report, matrix.report());
    assert_eq!(
        Some(report.accuracy),
        evaluate(&net, &data, &SoftmaxCrossEntropy).metrics.accuracy
    );
    for k in 1..=3 {
        assert_eq!(
            metrics::top_k_accuracy_of(&net, &data, k).unwrap(),
            top_k_accuracy(&outputs, &actual, k).unwrap()
        );
    }
    for k in [0, 4] {
        assert_eq!(
            metrics::top_k_accuracy_of(&net, &data, k),
            Err(MetricError::InvalidK { k, classes: 3 })
        );
    }
    assert_eq!(
        metrics::roc_auc_of(&net, &data),
        Err(MetricError::NotBinary { outputs: 3 })
    );
}

#[test]
fn a_single_output_is_two_classes_split_at_one_half() {
    let labels = labels(2);
    let targets: Vec<[f32; 1]> = labels.iter().map(|&c| [c as f32]).collect();
    let data = Dataset::from_arrays(&inputs(), &targets).unwrap();
    let net = Binary::new(&mut rng(2));
    let outputs = forward_each(&net, &data);
    let predicted: Vec<usize> = outputs.iter().map(|y| usize::from(y[0] > 0.5)).collect();

    let matrix = metrics::confusion_matrix(&net, &data).unwrap();
    assert_eq!(
        matrix,
        ConfusionMatrix::from_predictions(2, &predicted, &labels).unwrap()
    );
    assert_eq!(
        Some(matrix.accuracy()),
        evaluate(&net, &data, &BinaryCrossEntropy).metrics.accuracy
    );
    assert_eq!(
        metrics::top_k_accuracy_of(&net, &data, 1),
        Ok(matrix.accuracy())
    );
    assert_eq!(metrics::top_k_accuracy_of(&net, &data, 2), Ok(1.0));
    assert_eq!(
        metrics::top_k_accuracy_of(&net, &data, 3),
        Err(MetricError::InvalidK { k: 3, classes: 2 })
    );
    let scores: Vec<f64> = outputs.iter().map(|y| y[0]).collect();
    let positive: Vec<bool> = labels.iter().map(|&c| c == 1).collect();
    assert_eq!(
        metrics::roc_auc_of(&net, &data),
        roc_auc(&scores, &positive)
    );
}

#[test]
fn roc_auc_of_two_outputs_scores_by_the_second() {
    let labels = labels(2);
    let data = Dataset::<f32, 2, 2>::from_labels(&inputs(), &labels).unwrap();
    let net = Two::new(&mut rng(3));
    let scores: Vec<f64> = forward_each(&net, &data).iter().map(|y| y[1]).collect();
    let positive: Vec<bool> = labels.iter().map(|&c| c == 1).collect();
    let auc = metrics::roc_auc_of(&net, &data).unwrap();
    assert_eq!(auc, roc_auc(&scores, &positive).unwrap());

    // Targets all of one class.
    let data = Dataset::<f32, 2, 2>::from_labels(&inputs(), &[1; SAMPLES]).unwrap();
    assert_eq!(
        metrics::roc_auc_of(&net, &data),
        Err(MetricError::OneClass {
            positives: SAMPLES,
            negatives: 0
        })
    );
}

#[test]
fn regression_of_a_network_is_that_of_its_outputs() {
    let targets: Vec<[f64; 2]> = inputs::<f64>()
        .iter()
        .map(|x| [x[0] + x[1], x[0] * x[1]])
        .collect();
    let data = Dataset::from_arrays(&inputs(), &targets).unwrap();
    let net = Regressor::new(&mut rng(4));
    let outputs: Vec<[f64; 2]> = forward_each(&net, &data)
        .iter()
        .map(|y| [y[0], y[1]])
        .collect();

    let ours = metrics::regression_metrics(&net, &data).unwrap();
    assert_eq!(
        ours,
        RegressionMetrics::from_rows(&outputs, &targets).unwrap()
    );
    // The MSE and MAE over every value are `evaluate`'s, summed in another order.
    let evaluation = evaluate(&net, &data, &MeanSquaredError).metrics;
    assert!((ours.mse - evaluation.mse.unwrap()).abs() <= 1e-12 * ours.mse);
    assert!((ours.mae - evaluation.mae.unwrap()).abs() <= 1e-12 * ours.mae);
    assert!(ours.r2.unwrap() < 1.0);
}

#[test]
fn a_nan_output_is_an_error_naming_the_sample() {
    let data = Dataset::<f32, 2, 3>::from_labels(&inputs(), &labels(3)).unwrap();
    let mut net = Three::new(&mut rng(5));
    net.dense2.bias[1] = f32::NAN;
    let error = metrics::classification_report(&net, &data).unwrap_err();
    // Softmax spreads the NaN over every output of every sample: the first is named.
    assert!(
        matches!(
            error,
            MetricError::NotFinite {
                values: Values::Scores,
                sample: 0,
                column: 0,
                value,
            } if value.is_nan()
        ),
        "{error}"
    );
    assert_eq!(
        error.to_string(),
        "score of sample 0, column 0, is NaN, expected a finite number"
    );
}
