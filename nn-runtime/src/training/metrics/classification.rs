//! Accuracy, and precision, recall and F1 per class and averaged over classes.

use core::fmt;

use super::ConfusionMatrix;
use super::error::{MetricError, check_lengths};

/// The fraction of samples whose predicted class is the actual one, as scikit-learn's
/// `accuracy_score`.
///
/// Errors: [`MetricError::LengthMismatch`] when the slices differ in length and
/// [`MetricError::Empty`] when they are empty.
pub fn accuracy(predicted: &[usize], actual: &[usize]) -> Result<f64, MetricError> {
    check_lengths(predicted.len(), actual.len())?;
    let correct = predicted.iter().zip(actual).filter(|(p, a)| p == a).count();
    Ok(correct as f64 / actual.len() as f64)
}

/// Precision, recall and F1 of one class, or their average over the classes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClassScores {
    /// Of the samples predicted as the class, the fraction that are: `tp / (tp + fp)`, 0 when
    /// the class is never predicted.
    pub precision: f64,
    /// Of the samples of the class, the fraction predicted as it: `tp / (tp + fn)`, 0 when the
    /// class has no samples.
    pub recall: f64,
    /// The harmonic mean of precision and recall: `2·tp / (2·tp + fp + fn)`, 0 when the class
    /// is neither present nor predicted.
    pub f1: f64,
    /// The number of samples of the class; for an average, of all classes.
    pub support: usize,
}

/// Per-class precision, recall and F1 with their macro and weighted averages, and accuracy:
/// scikit-learn's `classification_report` and `precision_recall_fscore_support` with
/// `labels=range(classes)` and the default `zero_division="warn"` (a ratio whose denominator
/// is 0 is 0.0).
///
/// Print it with `{}` for scikit-learn's text table (2 decimals; `{:.4}` for 4).
#[derive(Clone, Debug, PartialEq)]
pub struct ClassificationReport {
    /// The scores of each class, by class index.
    pub per_class: Vec<ClassScores>,
    /// The fraction of samples predicted right.
    pub accuracy: f64,
    /// The unweighted mean over every class of `0..classes`, including classes with no samples
    /// (which count 0 for recall and for precision unless predicted).
    pub macro_average: ClassScores,
    /// The mean over the classes weighted by their support.
    pub weighted_average: ClassScores,
}

impl ClassificationReport {
    /// The report of `predicted` against `actual`, class indices in `0..classes`.
    ///
    /// Errors as [`ConfusionMatrix::from_predictions`].
    pub fn from_predictions(
        classes: usize,
        predicted: &[usize],
        actual: &[usize],
    ) -> Result<Self, MetricError> {
        Ok(Self::from_confusion(&ConfusionMatrix::from_predictions(
            classes, predicted, actual,
        )?))
    }

    /// The report of the samples a confusion matrix counts.
    pub fn from_confusion(matrix: &ConfusionMatrix) -> Self {
        let ratio = |numerator: f64, denominator: usize| {
            if denominator == 0 {
                0.0
            } else {
                numerator / denominator as f64
            }
        };
        let predicted = matrix.predicted();
        let per_class: Vec<ClassScores> = matrix
            .rows()
            .zip(predicted)
            .enumerate()
            .map(|(class, (row, predicted))| {
                let true_positives = row[class] as f64;
                let support = row.iter().sum();
                ClassScores {
                    precision: ratio(true_positives, predicted),
                    recall: ratio(true_positives, support),
                    f1: ratio(2.0 * true_positives, support + predicted),
                    support,
                }
            })
            .collect();
        let samples = matrix.samples();
        let macro_average = average(&per_class, |_| 1.0, samples);
        let weighted_average = average(&per_class, |c| c.support as f64, samples);
        Self {
            accuracy: matrix.accuracy(),
            per_class,
            macro_average,
            weighted_average,
        }
    }
}

/// The mean of each score over `per_class`, weighted by `weight`, as numpy's `average`:
/// `Σ wᵢ·sᵢ / Σ wᵢ`. Its support is all `samples`.
fn average(
    per_class: &[ClassScores],
    weight: impl Fn(&ClassScores) -> f64,
    samples: usize,
) -> ClassScores {
    let total: f64 = per_class.iter().map(&weight).sum();
    let mean = |score: fn(&ClassScores) -> f64| {
        per_class.iter().map(|c| score(c) * weight(c)).sum::<f64>() / total
    };
    ClassScores {
        precision: mean(|c| c.precision),
        recall: mean(|c| c.recall),
        f1: mean(|c| c.f1),
        support: samples,
    }
}

impl fmt::Display for ClassificationReport {
    /// scikit-learn's `classification_report` text: a row per class, then accuracy and the macro
    /// and weighted averages, with the formatter's precision as `digits` (2 by default). No
    /// newline at the end.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = f.precision().unwrap_or(2);
        let width = "weighted avg"
            .len()
            .max(digits)
            .max(self.per_class.len().saturating_sub(1).to_string().len());
        write!(f, "{:>width$} ", "")?;
        for header in ["precision", "recall", "f1-score", "support"] {
            write!(f, " {header:>9}")?;
        }
        writeln!(f, "\n")?;
        let row = |f: &mut fmt::Formatter<'_>, name: &dyn fmt::Display, scores: &ClassScores| {
            write!(
                f,
                "{:>width$}  {:>9.digits$} {:>9.digits$} {:>9.digits$} {:>9}",
                name, scores.precision, scores.recall, scores.f1, scores.support
            )
        };
        for (class, scores) in self.per_class.iter().enumerate() {
            row(f, &class, scores)?;
            writeln!(f)?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "{:>width$}  {:>9} {:>9} {:>9.digits$} {:>9}",
            "accuracy", "", "", self.accuracy, self.macro_average.support
        )?;
        row(f, &"macro avg", &self.macro_average)?;
        writeln!(f)?;
        row(f, &"weighted avg", &self.weighted_average)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-15
    }

    #[test]
    fn scores_follow_the_confusion_matrix() {
        // Class 0: tp 1, fp 1, fn 1. Class 1: tp 2, fp 1, fn 0. Class 2: tp 0, fp 0, fn 1.
        let report =
            ClassificationReport::from_predictions(3, &[0, 1, 1, 0, 1], &[0, 1, 1, 2, 0]).unwrap();
        let [c0, c1, c2] = report.per_class[..] else {
            panic!("three classes")
        };
        assert_eq!(
            (c0.precision, c0.recall, c0.f1, c0.support),
            (0.5, 0.5, 0.5, 2)
        );
        assert!(close(c1.precision, 2.0 / 3.0) && c1.recall == 1.0 && close(c1.f1, 0.8));
        // Never predicted: precision 0 rather than NaN, as scikit-learn's default.
        assert_eq!(
            (c2.precision, c2.recall, c2.f1, c2.support),
            (0.0, 0.0, 0.0, 1)
        );
        assert_eq!(report.accuracy, 0.6);
        assert!(close(
            report.macro_average.precision,
            (0.5 + 2.0 / 3.0) / 3.0
        ));
        assert!(close(report.macro_average.f1, 1.3 / 3.0));
        assert!(close(
            report.weighted_average.recall,
            (2.0 * 0.5 + 2.0) / 5.0
        ));
        assert_eq!(report.weighted_average.support, 5);
    }

    #[test]
    fn a_class_with_no_support_counts_zero_in_the_macro_average() {
        let report = ClassificationReport::from_predictions(3, &[0, 1], &[0, 1]).unwrap();
        assert_eq!(report.per_class[2].support, 0);
        assert_eq!(
            (
                report.per_class[2].precision,
                report.per_class[2].recall,
                report.per_class[2].f1
            ),
            (0.0, 0.0, 0.0)
        );
        assert!(close(report.macro_average.recall, 2.0 / 3.0));
        // Weighted by support, the empty class has no weight.
        assert_eq!(report.weighted_average.recall, 1.0);
    }

    #[test]
    fn perfect_predictions_score_one() {
        let labels = [0, 1, 2, 2, 1];
        let report = ClassificationReport::from_predictions(3, &labels, &labels).unwrap();
        assert_eq!(report.accuracy, 1.0);
        for scores in report.per_class.iter().chain([&report.macro_average]) {
            assert_eq!(
                (scores.precision, scores.recall, scores.f1),
                (1.0, 1.0, 1.0)
            );
        }
        assert_eq!(accuracy(&labels, &labels), Ok(1.0));
    }

    #[test]
    fn empty_or_mismatched_input_is_an_error() {
        assert_eq!(accuracy(&[], &[]), Err(MetricError::Empty));
        assert_eq!(
            ClassificationReport::from_predictions(2, &[], &[]),
            Err(MetricError::Empty)
        );
        assert_eq!(
            accuracy(&[1], &[1, 0]),
            Err(MetricError::LengthMismatch {
                predictions: 1,
                targets: 2
            })
        );
    }

    #[test]
    fn prints_like_scikit_learn() {
        let report =
            ClassificationReport::from_predictions(3, &[0, 1, 1, 0, 1], &[0, 1, 1, 2, 0]).unwrap();
        let expected = "              precision    recall  f1-score   support

           0       0.50      0.50      0.50         2
           1       0.67      1.00      0.80         2
           2       0.00      0.00      0.00         1

    accuracy                           0.60         5
   macro avg       0.39      0.50      0.43         5
weighted avg       0.47      0.60      0.52         5";
        assert_eq!(report.to_string(), expected);
    }
}
