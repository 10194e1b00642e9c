//! The summary at the top of the report: the run's key figures, each with an id and its exact
//! value in `data-value`.

use std::fmt::Write;

use super::text::{escape, exact, figure, integer, percent};
use super::{TestResults, TrainingReport};
use crate::train::StopReason;

/// One figure: `<div><dt>label</dt><dd id data-value>shown</dd></div>`.
struct Figure {
    id: &'static str,
    label: String,
    shown: String,
    value: String,
    wide: bool,
}

impl Figure {
    fn new(id: &'static str, label: impl Into<String>, shown: String, value: String) -> Self {
        Self {
            id,
            label: label.into(),
            shown,
            value,
            wide: false,
        }
    }

    /// A figure of a value shown with four significant digits.
    fn number(id: &'static str, label: impl Into<String>, value: f64) -> Self {
        Self::new(id, label, figure(value), exact(value))
    }

    /// A fraction shown as a percentage.
    fn fraction(id: &'static str, label: impl Into<String>, value: f64) -> Self {
        Self::new(id, label, percent(value), exact(value))
    }
}

/// The word for a stop reason in `data-kind`.
pub(super) fn stop_kind(reason: &StopReason) -> &'static str {
    match reason {
        StopReason::EpochLimit => "epoch-limit",
        StopReason::EarlyStopping { .. } => "early-stopping",
        StopReason::Callback { .. } => "callback",
    }
}

/// The summary of `report` as a definition list.
pub(super) fn summary(report: &TrainingReport) -> String {
    let history = report.history;
    let epochs = history.epochs.len();
    let mut figures = vec![Figure::new(
        "nn-epochs",
        "Epochs",
        integer(epochs),
        epochs.to_string(),
    )];
    let best = history.best();
    figures.push(Figure::new(
        "nn-best-epoch",
        "Best epoch",
        best.map_or("–".to_string(), |b| b.epoch.to_string()),
        history.best_epoch.to_string(),
    ));
    if let Some(best) = best {
        let monitored = if best.validation_loss.is_some() {
            "Best validation loss"
        } else {
            "Best training loss"
        };
        figures.push(Figure::number(
            "nn-best-loss",
            monitored,
            best.monitored_loss(),
        ));
        if let Some(accuracy) = best.validation_metrics.and_then(|m| m.accuracy) {
            figures.push(Figure::fraction(
                "nn-best-validation-accuracy",
                "Validation accuracy at best",
                accuracy,
            ));
        }
    }
    if let Some(last) = history.last() {
        figures.push(Figure::number(
            "nn-last-train-loss",
            "Last training loss",
            last.train_loss,
        ));
        if let Some(loss) = last.validation_loss {
            figures.push(Figure::number(
                "nn-last-validation-loss",
                "Last validation loss",
                loss,
            ));
        }
    }
    match &report.test {
        Some(TestResults::Classification(matrix)) => {
            figures.push(Figure::fraction(
                "nn-test-accuracy",
                "Test accuracy",
                matrix.accuracy(),
            ));
            figures.push(Figure::new(
                "nn-test-samples",
                "Test samples",
                integer(matrix.samples()),
                matrix.samples().to_string(),
            ));
        }
        Some(TestResults::Regression {
            predictions,
            metrics,
        }) => {
            if let Some(r2) = metrics.r2 {
                figures.push(Figure::number("nn-test-r2", "Test R²", r2));
            }
            figures.push(Figure::number("nn-test-rmse", "Test RMSE", metrics.rmse));
            figures.push(Figure::number("nn-test-mae", "Test MAE", metrics.mae));
            figures.push(Figure::new(
                "nn-test-samples",
                "Test samples",
                integer(predictions.samples()),
                predictions.samples().to_string(),
            ));
        }
        None => {}
    }
    let restored = if history.restored_best_weights {
        "yes"
    } else {
        "no"
    };
    figures.push(Figure::new(
        "nn-restored",
        "Best weights restored",
        restored.to_string(),
        restored.to_string(),
    ));
    let mut stop = Figure::new(
        "nn-stop-reason",
        "Stopped",
        history.stop_reason.to_string(),
        stop_kind(&history.stop_reason).to_string(),
    );
    stop.wide = true;
    figures.push(stop);

    let mut html = String::from(r#"<dl class="figures">"#);
    for f in figures {
        let class = if f.wide { r#" class="wide""# } else { "" };
        let _ = write!(
            html,
            r#"<div{class}><dt>{}</dt><dd id="{}" data-value="{}">{}</dd></div>"#,
            escape(&f.label),
            f.id,
            escape(&f.value),
            escape(&f.shown)
        );
    }
    html.push_str("</dl>");
    html
}
