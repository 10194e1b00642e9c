//! Top-k accuracy: whether the true class is among the k highest-scored.

use super::error::{MetricError, Values, check_finite, check_lengths};
use crate::Float;

/// The fraction of samples whose true class is among the `k` classes with the highest scores,
/// as scikit-learn's `top_k_accuracy_score(labels, scores, k=k, labels=range(classes))`.
///
/// `scores` holds a row per sample with one score per class (probabilities, logits, any
/// order-preserving values); `labels` the true class of each sample. Equal scores are ranked
/// as scikit-learn ranks them, the higher class index first, so with ties a top-1 accuracy can
/// differ from [`accuracy`](super::accuracy) of [`argmax`](crate::train::argmax), which takes
/// the lowest index.
///
/// Errors: [`MetricError::LengthMismatch`], [`MetricError::Empty`],
/// [`MetricError::NoOutputs`] for empty rows, [`MetricError::RowLength`] for a row longer or
/// shorter than the first, [`MetricError::NotFinite`] for a NaN or infinite score,
/// [`MetricError::ClassOutOfRange`] for a label not below the row length and
/// [`MetricError::InvalidK`] for a `k` of 0 or more than the number of classes (a `k` equal
/// to it gives 1.0).
pub fn top_k_accuracy<T: Float, R: AsRef<[T]>>(
    scores: &[R],
    labels: &[usize],
    k: usize,
) -> Result<f64, MetricError> {
    check_lengths(scores.len(), labels.len())?;
    let classes = scores[0].as_ref().len();
    if classes == 0 {
        return Err(MetricError::NoOutputs);
    }
    if k == 0 || k > classes {
        return Err(MetricError::InvalidK { k, classes });
    }
    let mut hits = 0;
    for (sample, (row, &label)) in scores.iter().zip(labels).enumerate() {
        let row = row.as_ref();
        if row.len() != classes {
            return Err(MetricError::RowLength {
                values: Values::Scores,
                sample,
                found: row.len(),
                expected: classes,
            });
        }
        check_finite(row, Values::Scores, sample)?;
        if label >= classes {
            return Err(MetricError::ClassOutOfRange {
                values: Values::Targets,
                sample,
                class: label,
                classes,
            });
        }
        hits += usize::from(rank(row, label) < k);
    }
    Ok(hits as f64 / labels.len() as f64)
}

/// The 0-based place of class `label` when the classes are ordered by decreasing score, equal
/// scores by decreasing index: the classes scored higher, and those scored the same with a
/// higher index.
fn rank<T: Float>(scores: &[T], label: usize) -> usize {
    let own = scores[label];
    scores
        .iter()
        .enumerate()
        .filter(|&(class, &score)| score > own || (score == own && class > label))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_a_hit_when_the_label_is_among_the_k_best() {
        let scores = [[0.1, 0.6, 0.3], [0.5, 0.2, 0.3], [0.2, 0.3, 0.5]];
        let labels = [2, 2, 0];
        assert_eq!(top_k_accuracy(&scores, &labels, 1), Ok(0.0));
        assert_eq!(top_k_accuracy(&scores, &labels, 2), Ok(2.0 / 3.0));
        assert_eq!(top_k_accuracy(&scores, &labels, 3), Ok(1.0));
        // Rows of any slice type, in f32 too.
        let rows = vec![vec![0.1f32, 0.9], vec![0.8, 0.2]];
        assert_eq!(top_k_accuracy(&rows, &[1, 1], 1), Ok(0.5));
    }

    #[test]
    fn ties_rank_the_higher_class_first_as_scikit_learn() {
        let scores = [[0.4, 0.4, 0.2]];
        assert_eq!(top_k_accuracy(&scores, &[1], 1), Ok(1.0));
        assert_eq!(top_k_accuracy(&scores, &[0], 1), Ok(0.0));
        assert_eq!(top_k_accuracy(&scores, &[0], 2), Ok(1.0));
    }

    #[test]
    fn bad_input_is_an_error_naming_it() {
        let scores = [[0.1, 0.9], [0.3, 0.7]];
        let empty: [[f64; 2]; 0] = [];
        assert_eq!(top_k_accuracy(&empty, &[], 1), Err(MetricError::Empty));
        for k in [0, 3] {
            assert_eq!(
                top_k_accuracy(&scores, &[0, 1], k),
                Err(MetricError::InvalidK { k, classes: 2 })
            );
        }
        assert_eq!(
            top_k_accuracy(&scores, &[0, 2], 1),
            Err(MetricError::ClassOutOfRange {
                values: Values::Targets,
                sample: 1,
                class: 2,
                classes: 2
            })
        );
        let error = top_k_accuracy(&[[0.1, 0.9], [f64::NAN, 0.7]], &[0, 1], 1).unwrap_err();
        assert_eq!(
            error.to_string(),
            "score of sample 1, column 0, is NaN, expected a finite number"
        );
        let ragged = [vec![0.1, 0.9], vec![0.3]];
        assert!(matches!(
            top_k_accuracy(&ragged, &[0, 0], 1),
            Err(MetricError::RowLength {
                sample: 1,
                found: 1,
                expected: 2,
                ..
            })
        ));
        assert_eq!(
            top_k_accuracy(&scores, &[0], 1),
            Err(MetricError::LengthMismatch {
                predictions: 2,
                targets: 1
            })
        );
        let no_classes: [[f64; 0]; 1] = [[]];
        assert_eq!(
            top_k_accuracy(&no_classes, &[0], 1),
            Err(MetricError::NoOutputs)
        );
    }
}
