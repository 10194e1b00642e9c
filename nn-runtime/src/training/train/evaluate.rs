//! Evaluating a trained network on a dataset.

use super::{Metric, MetricValues, Session};
use crate::{DataWidth, Loss, Network, TrainingData};

/// A network's loss and metrics on a dataset.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evaluation {
    /// The mean loss (no weight penalty).
    pub loss: f64,
    /// The metrics that fit the loss, as the trainer reports them by default
    /// ([`Metric::defaults`]): accuracy for a classification loss, MSE and MAE otherwise. The
    /// others are `None`.
    pub metrics: MetricValues,
}

/// Evaluates `net` on `data` in inference mode (dropout off), in batches of 256.
///
/// Reports the metrics that fit the loss ([`Loss::CLASSIFICATION`]): accuracy for a classifier,
/// the mean squared and absolute errors for a regression. [`metrics`](crate::metrics) has the
/// others (per-class scores, a confusion matrix, R², ROC AUC). A dataset whose widths differ
/// from the network's does not compile.
pub fn evaluate<N, D, L, const IN: usize, const OUT: usize, const DI: usize, const DO: usize>(
    net: &N,
    data: &D,
    loss: &L,
) -> Evaluation
where
    N: Network<IN, OUT>,
    D: TrainingData<N::Scalar, DI, DO> + DataWidth<DI, DO, IN, OUT>,
    L: Loss<N::OutputActivation>,
{
    let data = <D as DataWidth<DI, DO, IN, OUT>>::fit(data.dataset());
    let metrics = Metric::defaults(L::CLASSIFICATION);
    let mut session = Session::<N, IN, OUT>::new(256.min(data.len()), 0, 0);
    session.set_metrics(metrics);
    let totals = session.evaluate(net, data, loss);
    Evaluation {
        loss: totals.loss,
        metrics: totals.metrics(metrics),
    }
}
