//! Progress over epochs: a bar when stderr is a terminal, otherwise a line every few epochs.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

use super::{EpochRecord, StopReason};

/// How progress shows.
pub(crate) enum Progress {
    /// A bar on a terminal.
    Bar(ProgressBar),
    /// A line on stderr every `every` epochs and after the last of `epochs`.
    Lines { every: usize, epochs: usize },
    /// Nothing.
    Off,
}

impl Progress {
    /// Progress over `epochs` epochs of which `done` are already done (a resumed run): a bar on
    /// a terminal, lines every `every` epochs otherwise, or nothing when `show` is `false`.
    pub(crate) fn new(show: Option<bool>, every: usize, done: usize, epochs: usize) -> Self {
        let terminal = std::io::stderr().is_terminal();
        match show {
            Some(false) => Self::Off,
            Some(true) | None if terminal || show == Some(true) => {
                let bar = ProgressBar::new(epochs as u64);
                let style = ProgressStyle::with_template(
                    "{bar:30} epoch {pos}/{len} {msg} [{elapsed}<{eta}]",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar());
                bar.set_style(style);
                bar.set_position(done as u64);
                // The epochs done before a resume took no time in this run: the rate, and so
                // the time left, comes from the epochs this run trains.
                bar.reset_eta();
                Self::Bar(bar)
            }
            _ => Self::Lines {
                every: every.max(1),
                epochs,
            },
        }
    }

    /// Shows a finished epoch's figures.
    pub(crate) fn epoch(&self, record: &EpochRecord) {
        match self {
            Self::Bar(bar) => {
                bar.set_message(figures(record));
                bar.inc(1);
            }
            Self::Lines { every, epochs } => {
                if record.epoch.is_multiple_of(*every) || record.epoch == *epochs {
                    eprintln!("epoch {}/{epochs} {}", record.epoch, figures(record));
                }
            }
            Self::Off => {}
        }
    }

    /// Leaves the bar where it is, for a run that ends in an error.
    pub(crate) fn finish(&self) {
        if let Self::Bar(bar) = self {
            bar.abandon();
        }
    }

    /// Ends the progress of a run that stopped for `reason` after `last`: a bar ends full at the
    /// epoch training stopped at (not at the limit) with the last figures and the reason; lines
    /// end with the last epoch's, if it was not shown, and the reason.
    pub(crate) fn stopped(&self, last: Option<&EpochRecord>, reason: &StopReason) {
        match self {
            Self::Bar(bar) => {
                bar.set_length(bar.position());
                let figures = last.map(figures).unwrap_or_default();
                bar.finish_with_message(format!("{figures} · {reason}"));
            }
            Self::Lines { every, epochs } => {
                if let Some(record) = last
                    && !(record.epoch.is_multiple_of(*every) || record.epoch == *epochs)
                {
                    eprintln!("epoch {}/{epochs} {}", record.epoch, figures(record));
                }
                eprintln!("{reason}");
            }
            Self::Off => {}
        }
    }
}

/// An epoch's figures on one line: `loss 0.1234 acc 0.950 val_loss 0.2000 val_acc 0.930`.
fn figures(record: &EpochRecord) -> String {
    {
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
        message
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::MetricValues;

    #[test]
    fn a_resumed_bar_counts_on_from_the_epochs_done_and_lines_name_the_figures() {
        let Progress::Bar(bar) = Progress::new(Some(true), 1, 3, 10) else {
            panic!("a bar was asked for");
        };
        assert_eq!((bar.position(), bar.length()), (3, Some(10)));
        assert!(matches!(
            Progress::new(Some(false), 1, 0, 10),
            Progress::Off
        ));
        let record = EpochRecord {
            epoch: 4,
            train_loss: 0.25,
            validation_loss: Some(0.5),
            train_metrics: MetricValues {
                accuracy: Some(0.9),
                ..MetricValues::default()
            },
            validation_metrics: None,
            learning_rate: 0.01,
        };
        assert_eq!(figures(&record), "loss 0.2500 acc 0.900 val_loss 0.5000");
    }

    #[test]
    fn a_bar_that_stops_early_ends_full_at_the_stopping_epoch() {
        let progress = Progress::new(Some(true), 1, 0, 300);
        let record = EpochRecord {
            epoch: 1,
            train_loss: 0.25,
            validation_loss: None,
            train_metrics: MetricValues::default(),
            validation_metrics: None,
            learning_rate: 0.01,
        };
        for epoch in 1..=37 {
            progress.epoch(&EpochRecord { epoch, ..record });
        }
        let reason = StopReason::EarlyStopping { epoch: 37 };
        progress.stopped(
            Some(&EpochRecord {
                epoch: 37,
                ..record
            }),
            &reason,
        );
        let Progress::Bar(bar) = progress else {
            panic!("a bar was asked for");
        };
        assert_eq!((bar.position(), bar.length()), (37, Some(37)));
        assert!(bar.is_finished());
        assert!(
            bar.message().ends_with(&reason.to_string()),
            "{}",
            bar.message()
        );
    }
}
