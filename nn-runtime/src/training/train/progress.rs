//! A progress bar over epochs, shown only when stderr is a terminal.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

use super::EpochRecord;

/// An epoch progress bar, or nothing.
pub(crate) struct Progress(Option<ProgressBar>);

impl Progress {
    /// A bar over `epochs` epochs when `show` says so, or, by default, when stderr is a terminal.
    pub(crate) fn new(show: Option<bool>, epochs: usize) -> Self {
        if !show.unwrap_or_else(|| std::io::stderr().is_terminal()) {
            return Self(None);
        }
        let bar = ProgressBar::new(epochs as u64);
        let style =
            ProgressStyle::with_template("{bar:30} epoch {pos}/{len} {msg} [{elapsed}<{eta}]")
                .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        Self(Some(bar))
    }

    /// Shows a finished epoch's figures.
    pub(crate) fn epoch(&self, record: &EpochRecord) {
        let Some(bar) = &self.0 else { return };
        let mut message = format!("loss {:.4}", record.train_loss);
        if let Some(accuracy) = record.train_metrics.accuracy {
            message.push_str(&format!(" acc {accuracy:.3}"));
        }
        if let Some(loss) = record.validation_loss {
            message.push_str(&format!(" val_loss {loss:.4}"));
        }
        if let Some(accuracy) = record.validation_metrics.and_then(|m| m.accuracy) {
            message.push_str(&format!(" val_acc {accuracy:.3}"));
        }
        bar.set_message(message);
        bar.inc(1);
    }

    /// Leaves the bar at its final state.
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish();
        }
    }
}
