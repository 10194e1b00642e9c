//! The metrics of a network on a dataset: its outputs in batches, read as classes, scores or
//! values.

use super::error::{MetricError, Values, check_finite};
use super::{ClassificationReport, ConfusionMatrix, RegressionMetrics};
use super::{accuracy, roc_auc, top_k_accuracy};
use crate::training::train::class_of;
use crate::{DataWidth, Dataset, Float, Network, TrainingData};

/// The confusion matrix of a classifier on `data`: see [`classification_report`] for how
/// outputs and targets are read as classes.
pub fn confusion_matrix<N, D, const IN: usize, const OUT: usize, const DI: usize, const DO: usize>(
    net: &N,
    data: &D,
) -> Result<ConfusionMatrix, MetricError>
where
    N: Network<IN, OUT>,
    D: TrainingData<N::Scalar, DI, DO> + DataWidth<DI, DO, IN, OUT>,
{
    let data = <D as DataWidth<DI, DO, IN, OUT>>::fit(data.dataset());
    let outputs = outputs(net, data);
    let (predicted, actual) = classes_of(&outputs, data.targets())?;
    ConfusionMatrix::from_predictions(class_count(OUT), &predicted, &actual)
}

/// Per-class precision, recall and F1 of a classifier on `data`, in inference mode (dropout
/// off), in batches of 256 like [`evaluate`](crate::evaluate).
///
/// The classes are read as [`Metric::Accuracy`](crate::Metric::Accuracy) reads them: with
/// several outputs, the predicted class is the largest output and the true class the largest
/// target (one-hot labels), the first on ties; with a single output there are two classes, 1
/// where the value is above 0.5. A network output that is NaN or infinite is a
/// [`MetricError::NotFinite`] naming the sample. A dataset whose widths differ from the
/// network's does not compile.
pub fn classification_report<
    N,
    D,
    const IN: usize,
    const OUT: usize,
    const DI: usize,
    const DO: usize,
>(
    net: &N,
    data: &D,
) -> Result<ClassificationReport, MetricError>
where
    N: Network<IN, OUT>,
    D: TrainingData<N::Scalar, DI, DO> + DataWidth<DI, DO, IN, OUT>,
{
    Ok(confusion_matrix(net, data)?.report())
}

/// [`top_k_accuracy`] of a classifier's outputs on `data`, the true class read from the
/// targets as [`classification_report`] reads it.
///
/// A network with a single output has two classes: `k = 1` is then its accuracy (the value
/// above 0.5 or not, as scikit-learn's binary case), `k = 2` always 1. A `k` of 0 or more than
/// the classes is a [`MetricError::InvalidK`]; a NaN or infinite output a
/// [`MetricError::NotFinite`].
pub fn top_k_accuracy_of<
    N,
    D,
    const IN: usize,
    const OUT: usize,
    const DI: usize,
    const DO: usize,
>(
    net: &N,
    data: &D,
    k: usize,
) -> Result<f64, MetricError>
where
    N: Network<IN, OUT>,
    D: TrainingData<N::Scalar, DI, DO> + DataWidth<DI, DO, IN, OUT>,
{
    let data = <D as DataWidth<DI, DO, IN, OUT>>::fit(data.dataset());
    let outputs = outputs(net, data);
    let (predicted, actual) = classes_of(&outputs, data.targets())?;
    match (OUT, k) {
        (1, 1) => accuracy(&predicted, &actual),
        (1, 2) => Ok(1.0),
        (1, _) => Err(MetricError::InvalidK { k, classes: 2 }),
        _ => top_k_accuracy(&outputs, &actual, k),
    }
}

/// [`roc_auc`] of a binary classifier on `data`: with one output, its value scores the sample
/// and a target above 0.5 is positive; with two (one per class), the second output scores it
/// and the target's larger value says its class. Other widths are a
/// [`MetricError::NotBinary`]; targets all of one class a [`MetricError::OneClass`].
pub fn roc_auc_of<N, D, const IN: usize, const OUT: usize, const DI: usize, const DO: usize>(
    net: &N,
    data: &D,
) -> Result<f64, MetricError>
where
    N: Network<IN, OUT>,
    D: TrainingData<N::Scalar, DI, DO> + DataWidth<DI, DO, IN, OUT>,
{
    if !matches!(OUT, 1 | 2) {
        return Err(MetricError::NotBinary { outputs: OUT });
    }
    let data = <D as DataWidth<DI, DO, IN, OUT>>::fit(data.dataset());
    let outputs = outputs(net, data);
    let scores: Vec<N::Scalar> = outputs.iter().map(|row| row[OUT - 1]).collect();
    let labels: Vec<bool> = data.targets().iter().map(|t| class_of(t) == 1).collect();
    roc_auc(&scores, &labels)
}

/// The MSE, RMSE, MAE and R² of a regressor on `data`, in inference mode, in batches of 256;
/// with several outputs, averaged over them (see [`RegressionMetrics`]). A NaN or infinite
/// output is a [`MetricError::NotFinite`] naming the sample.
pub fn regression_metrics<
    N,
    D,
    const IN: usize,
    const OUT: usize,
    const DI: usize,
    const DO: usize,
>(
    net: &N,
    data: &D,
) -> Result<RegressionMetrics, MetricError>
where
    N: Network<IN, OUT>,
    D: TrainingData<N::Scalar, DI, DO> + DataWidth<DI, DO, IN, OUT>,
{
    let data = <D as DataWidth<DI, DO, IN, OUT>>::fit(data.dataset());
    RegressionMetrics::from_rows(&outputs(net, data), data.targets())
}

/// The outputs of `net` for every sample of `data` in order, in inference mode, through the
/// batched [`predict`](crate::predict) (256 samples a pass, as [`evaluate`](crate::evaluate)).
fn outputs<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    net: &N,
    data: &Dataset<N::Scalar, IN, OUT>,
) -> Vec<[N::Scalar; OUT]> {
    crate::predict(net, data.inputs()).expect(
        "a dataset's inputs are finite (its constructors check them), so prediction succeeds",
    )
}

/// The predicted classes of `outputs` and the true classes of `targets`; a NaN or infinite
/// output is an error.
fn classes_of<T: Float, const OUT: usize>(
    outputs: &[[T; OUT]],
    targets: &[[T; OUT]],
) -> Result<(Vec<usize>, Vec<usize>), MetricError> {
    let mut predicted = Vec::with_capacity(outputs.len());
    for (sample, row) in outputs.iter().enumerate() {
        check_finite(row, Values::Scores, sample)?;
        predicted.push(class_of(row));
    }
    Ok((predicted, targets.iter().map(|t| class_of(t)).collect()))
}

/// The number of classes of a classifier with `outputs` outputs: two for a single output.
fn class_count(outputs: usize) -> usize {
    if outputs == 1 { 2 } else { outputs }
}
