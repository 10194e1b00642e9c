//! The area under the ROC curve of a binary classifier's scores.

use super::error::{MetricError, Values, check_finite, check_lengths};
use crate::Float;

/// The area under the receiver operating characteristic curve: the probability that a random
/// positive sample scores higher than a random negative one, a tie counting one half. This is
/// scikit-learn's `roc_auc_score(labels, scores)`, the trapezoid under the curve through the
/// distinct score thresholds, which is what ties give.
///
/// `scores` holds one score per sample, higher meaning more likely positive (a probability or
/// a logit); `labels` whether each sample is positive. The area is computed from exact integer
/// counts and divided once.
///
/// Errors: [`MetricError::LengthMismatch`], [`MetricError::Empty`],
/// [`MetricError::NotFinite`] for a NaN or infinite score, and [`MetricError::OneClass`] when
/// every label is the same (scikit-learn warns and returns NaN).
pub fn roc_auc<T: Float>(scores: &[T], labels: &[bool]) -> Result<f64, MetricError> {
    check_lengths(scores.len(), labels.len())?;
    for (sample, score) in scores.iter().enumerate() {
        check_finite(core::slice::from_ref(score), Values::Scores, sample)?;
    }
    let positives = labels.iter().filter(|&&positive| positive).count();
    let negatives = labels.len() - positives;
    if positives == 0 || negatives == 0 {
        return Err(MetricError::OneClass {
            positives,
            negatives,
        });
    }
    let mut order: Vec<(f64, bool)> = scores
        .iter()
        .map(|s| s.as_f64())
        .zip(labels.iter().copied())
        .collect();
    order.sort_unstable_by(|a, b| b.0.total_cmp(&a.0));
    // Walks the thresholds from the highest score down; each group of equal scores moves the
    // curve from (fp, tp) to (fp + Δfp, tp + Δtp), adding the trapezoid Δfp · (2·tp + Δtp) / 2.
    // Twice the area, scaled by positives × negatives, is an integer.
    let (mut true_positives, mut false_positives, mut twice_area) = (0u128, 0u128, 0u128);
    for group in order.chunk_by(|a, b| a.0 == b.0) {
        let added_true = group.iter().filter(|&&(_, positive)| positive).count() as u128;
        let added_false = group.len() as u128 - added_true;
        twice_area += added_false * (2 * true_positives + added_true);
        true_positives += added_true;
        false_positives += added_false;
    }
    debug_assert_eq!(false_positives, negatives as u128);
    Ok(twice_area as f64 / (2.0 * positives as f64 * negatives as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_reversed_and_tied_rankings() {
        let labels = [false, false, true, true];
        assert_eq!(roc_auc(&[0.1, 0.2, 0.8, 0.9], &labels), Ok(1.0));
        assert_eq!(roc_auc(&[0.9, 0.8, 0.2, 0.1], &labels), Ok(0.0));
        assert_eq!(roc_auc(&[0.5f32; 4], &labels), Ok(0.5));
    }

    #[test]
    fn a_tie_between_classes_counts_one_half() {
        // Pairs (positive, negative): 0.8 > 0.1, 0.8 > 0.4, 0.4 = 0.4, 0.4 > 0.1: 3.5 of 4.
        let auc = roc_auc(&[0.1, 0.4, 0.4, 0.8], &[false, false, true, true]);
        assert_eq!(auc, Ok(3.5 / 4.0));
        // Negative zero is the same threshold as zero.
        assert_eq!(roc_auc(&[-0.0, 0.0], &[false, true]), Ok(0.5));
    }

    #[test]
    fn bad_input_is_an_error_naming_it() {
        assert_eq!(roc_auc::<f64>(&[], &[]), Err(MetricError::Empty));
        let error = roc_auc(&[0.2, 0.7], &[true, true]).unwrap_err();
        assert_eq!(
            error,
            MetricError::OneClass {
                positives: 2,
                negatives: 0
            }
        );
        assert_eq!(
            error.to_string(),
            "the labels have 2 positive and 0 negative samples, but ROC AUC needs at least one of each"
        );
        assert!(matches!(
            roc_auc(&[0.2, f64::INFINITY], &[true, false]),
            Err(MetricError::NotFinite { sample: 1, .. })
        ));
        assert!(matches!(
            roc_auc(&[0.2], &[true, false]),
            Err(MetricError::LengthMismatch { .. })
        ));
    }
}
