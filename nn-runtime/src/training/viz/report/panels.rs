//! The report's sections of per-epoch charts: the loss and each metric on linear and log
//! scales side by side, and the learning rate.

use std::fmt::Write;

use super::axis::Scale;
use super::chart::{BestMarker, Series, legend, line_chart};
use super::text::escape;
use crate::train::{EpochRecord, History, MetricValues};

/// A section `id` titled `title`: a chart of `series` per scale in `scales`, side by side
/// when there is room, then one legend. `note` is a sentence under the title.
pub(super) fn panel(
    id: &str,
    title: &str,
    note: &str,
    series: &[Series],
    best: Option<&BestMarker>,
    epochs: usize,
    scales: &[Scale],
) -> String {
    let mut html = String::new();
    let layout = if scales.len() > 1 { "pair" } else { "single" };
    let _ = write!(
        html,
        r#"<section id="{id}" class="panel"><h2>{}</h2><p class="note">{}</p><div class="{layout}">"#,
        escape(title),
        escape(note)
    );
    for &scale in scales {
        let chart_id = format!("{id}-{}", scale.name());
        let label = format!("{title} per epoch, {} scale", scale.name());
        let chart =
            line_chart(&chart_id, &label, series, best, epochs, scale).unwrap_or_else(|| {
                r#"<p class="empty">No positive values to show on a log scale.</p>"#.to_string()
            });
        let _ = write!(
            html,
            "<figure>{chart}<figcaption>{} scale</figcaption></figure>",
            capitalized(scale.name())
        );
    }
    html.push_str("</div>");
    html.push_str(&legend(series, best, epochs));
    html.push_str("</section>");
    html
}

/// The loss section: training and validation loss, the best epoch ringed on the monitored one.
pub(super) fn loss(history: &History) -> String {
    let epochs = &history.epochs;
    let mut series = vec![Series {
        label: "training loss".to_string(),
        color: 0,
        dashed: false,
        values: epochs.iter().map(|r| r.train_loss).collect(),
    }];
    if epochs.iter().any(|r| r.validation_loss.is_some()) {
        series.push(Series {
            label: "validation loss".to_string(),
            color: 1,
            dashed: true,
            values: values(epochs, |r| r.validation_loss),
        });
    }
    let best = history.best().map(|b| BestMarker {
        epoch: b.epoch,
        value: Some(b.monitored_loss()),
    });
    let monitored = if series.len() > 1 {
        "validation"
    } else {
        "training"
    };
    let note = format!(
        "The mean loss of each epoch. The log scale shows the tail, where early stopping watches the {monitored} loss for improvement."
    );
    panel(
        "nn-loss",
        "Loss",
        &note,
        &series,
        best.as_ref(),
        epochs.len(),
        &[Scale::Linear, Scale::Log],
    )
}

/// A section per metric the history holds (accuracy, MSE, MAE), training and validation.
pub(super) fn metrics(history: &History) -> String {
    type Read = fn(&MetricValues) -> Option<f64>;
    let kinds: [(&str, &str, &str, Read); 3] = [
        (
            "accuracy",
            "Accuracy",
            "The fraction of samples classified right.",
            |m| m.accuracy,
        ),
        (
            "mse",
            "Mean squared error",
            "The mean of (output − target)² over all outputs.",
            |m| m.mse,
        ),
        (
            "mae",
            "Mean absolute error",
            "The mean of |output − target| over all outputs.",
            |m| m.mae,
        ),
    ];
    let epochs = &history.epochs;
    let mut html = String::new();
    for (key, title, note, read) in kinds {
        if !epochs.iter().any(|r| read(&r.train_metrics).is_some()) {
            continue;
        }
        let mut series = vec![Series {
            label: format!("training {}", title.to_lowercase()),
            color: 0,
            dashed: false,
            values: values(epochs, |r| read(&r.train_metrics)),
        }];
        let validation = values(epochs, |r| r.validation_metrics.as_ref().and_then(read));
        if validation.iter().any(|v| !v.is_nan()) {
            series.push(Series {
                label: format!("validation {}", title.to_lowercase()),
                color: 1,
                dashed: true,
                values: validation,
            });
        }
        let best = history.best().map(|b| BestMarker {
            epoch: b.epoch,
            value: series
                .last()
                .and_then(|s| s.values.get(b.epoch - 1).copied()),
        });
        html.push_str(&panel(
            &format!("nn-{key}"),
            title,
            note,
            &series,
            best.as_ref(),
            epochs.len(),
            &[Scale::Linear, Scale::Log],
        ));
    }
    html
}

/// The learning-rate section, on a log scale when the rate changed tenfold or more.
pub(super) fn learning_rate(history: &History) -> String {
    let epochs = &history.epochs;
    let rates: Vec<f64> = epochs.iter().map(|r| r.learning_rate).collect();
    let positive = rates.iter().copied().filter(|&r| r > 0.0);
    let (lo, hi) = positive.fold((f64::INFINITY, 0.0f64), |(lo, hi), r| {
        (lo.min(r), hi.max(r))
    });
    let scale = if hi >= 10.0 * lo {
        Scale::Log
    } else {
        Scale::Linear
    };
    let constant = rates.windows(2).all(|w| w[0] == w[1]);
    let note = if constant {
        "The rate each epoch trained with: constant in this run."
    } else {
        "The rate each epoch trained with, as the schedule set it."
    };
    let series = [Series {
        label: "learning rate".to_string(),
        color: 2,
        dashed: false,
        values: rates,
    }];
    let best = history.best().map(|b| BestMarker {
        epoch: b.epoch,
        value: None,
    });
    panel(
        "nn-learning-rate",
        "Learning rate",
        note,
        &series,
        best.as_ref(),
        epochs.len(),
        &[scale],
    )
}

/// `read` of each record, NaN where it gives nothing.
fn values(epochs: &[EpochRecord], read: impl Fn(&EpochRecord) -> Option<f64>) -> Vec<f64> {
    epochs.iter().map(|r| read(r).unwrap_or(f64::NAN)).collect()
}

/// `word` with its first letter in upper case.
fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
