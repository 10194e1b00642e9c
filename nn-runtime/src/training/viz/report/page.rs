//! The report's page: head, heading and summary, then the sections in order (loss, metrics,
//! test set, learning rate, layers, every epoch's figures).

use std::fmt::Write;

use super::text::{escape, exact, figure, integer, percent};
use super::{TestResults, TrainingReport, confusion, figures, layers, panels, scatter, style};
use crate::train::{History, MetricValues};

/// The whole page of `report`.
pub(super) fn render(report: &TrainingReport) -> String {
    let history = report.history;
    let title = report.title.as_deref().unwrap_or("Training report");
    let heading = match &report.title {
        Some(title) => format!("{title} — training report"),
        None => "Training report".to_string(),
    };
    let mut html = String::with_capacity(64 * 1024);
    let _ = write!(
        html,
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{}</title>
<style>{}</style>
<script>{}</script>
</head>
<body>
<main id="nn-report" data-epochs="{}" data-best-epoch="{}" data-stop-reason="{}">
<header><h1>{}</h1><p>{}</p></header>
"#,
        escape(&heading),
        style::CSS,
        style::SCRIPT,
        history.epochs.len(),
        history.best_epoch,
        figures::stop_kind(&history.stop_reason),
        escape(title),
        escape(&subtitle(report)),
    );
    html.push_str(&figures::summary(report));
    if history.epochs.is_empty() {
        html.push_str(r#"<p class="empty">No epoch finished: there is nothing to plot.</p>"#);
    } else {
        html.push_str(&panels::loss(history));
        html.push_str(&panels::metrics(history));
    }
    html.push_str(&test_section(report));
    if !history.epochs.is_empty() {
        html.push_str(&panels::learning_rate(history));
        html.push_str(&layers::section(history));
        html.push_str(&epoch_table(history));
    }
    html.push_str(
        r#"<pre id="nn-errors"></pre>
<footer>Written by nn from the training history: one file, no network access.</footer>
</main>
</body>
</html>
"#,
    );
    html
}

/// Under the heading: `Training report` when the heading is the title, and the network's name,
/// widths and parameter count when known.
fn subtitle(report: &TrainingReport) -> String {
    let mut parts = Vec::new();
    if report.title.is_some() {
        parts.push("Training report".to_string());
    }
    if let Some(network) = &report.network {
        let widths: Vec<String> = network.widths.iter().map(|w| w.to_string()).collect();
        parts.push(format!(
            "{} ({}, {} parameters)",
            network.name,
            widths.join(" → "),
            integer(network.parameters)
        ));
    }
    parts.join(" · ")
}

/// The test set's section: the confusion matrix or the scatter plot, if given.
fn test_section(report: &TrainingReport) -> String {
    match &report.test {
        Some(TestResults::Classification(matrix)) => {
            let names = report.names(matrix.classes());
            format!(
                r#"<section id="nn-test" class="panel"><h2>Test set: confusion matrix</h2><p class="note">Rows are the true classes, columns the predicted ones; {} of {} test samples predicted right ({}).</p><figure>{}</figure>{}</section>"#,
                integer(matrix.correct()),
                integer(matrix.samples()),
                percent(matrix.accuracy()),
                confusion::heat_map(matrix, &names),
                confusion::legend()
            )
        }
        Some(TestResults::Regression {
            predictions,
            metrics,
        }) => {
            let r2 = metrics
                .r2
                .map_or(String::new(), |r2| format!("R² {}, ", figure(r2)));
            format!(
                r#"<section id="nn-test" class="panel"><h2>Test set: predicted against true</h2><p class="note">Each test sample's prediction against its true value; perfect predictions lie on the dashed line. {r2}RMSE {}, MAE {} over {} samples.</p><figure>{}</figure>{}</section>"#,
                figure(metrics.rmse),
                figure(metrics.mae),
                integer(predictions.samples()),
                scatter::scatter(predictions),
                scatter::legend(predictions)
            )
        }
        None => String::new(),
    }
}

/// Every epoch's figures in a table that opens on demand; the best epoch's row is marked.
fn epoch_table(history: &History) -> String {
    type Read = fn(&MetricValues) -> Option<f64>;
    let metrics: [(&str, Read); 3] = [
        ("accuracy", |m| m.accuracy),
        ("MSE", |m| m.mse),
        ("MAE", |m| m.mae),
    ];
    let epochs = &history.epochs;
    let validation = epochs.iter().any(|r| r.validation_loss.is_some());
    let present: Vec<(&str, Read)> = metrics
        .into_iter()
        .filter(|(_, read)| epochs.iter().any(|r| read(&r.train_metrics).is_some()))
        .collect();
    let mut html = String::from(
        r#"<details id="nn-epochs-details"><summary>Every epoch's figures</summary><div class="scroll"><table id="nn-epochs-table"><thead><tr><th>epoch</th><th>training loss</th>"#,
    );
    if validation {
        html.push_str("<th>validation loss</th>");
    }
    for (name, _) in &present {
        let _ = write!(html, "<th>training {name}</th>");
        if validation {
            let _ = write!(html, "<th>validation {name}</th>");
        }
    }
    html.push_str("<th>learning rate</th></tr></thead><tbody>");
    for record in epochs {
        let best = if record.epoch == history.best_epoch {
            r#" class="best""#
        } else {
            ""
        };
        let _ = write!(
            html,
            r#"<tr{best} data-epoch="{}" data-train-loss="{}" data-validation-loss="{}" data-learning-rate="{}"><th>{}</th><td>{}</td>"#,
            record.epoch,
            exact(record.train_loss),
            record.validation_loss.map_or(String::new(), exact),
            exact(record.learning_rate),
            record.epoch,
            figure(record.train_loss)
        );
        if validation {
            let _ = write!(
                html,
                "<td>{}</td>",
                figure(record.validation_loss.unwrap_or(f64::NAN))
            );
        }
        for (_, read) in &present {
            let cell = |m: Option<&MetricValues>| figure(m.and_then(read).unwrap_or(f64::NAN));
            let _ = write!(html, "<td>{}</td>", cell(Some(&record.train_metrics)));
            if validation {
                let _ = write!(
                    html,
                    "<td>{}</td>",
                    cell(record.validation_metrics.as_ref())
                );
            }
        }
        let _ = write!(html, "<td>{}</td></tr>", figure(record.learning_rate));
    }
    html.push_str("</tbody></table></div></details>");
    html
}
