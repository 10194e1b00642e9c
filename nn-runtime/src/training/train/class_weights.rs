//! Class weights for imbalanced classification, combined with the dataset's sample weights.

use super::class_of;
use crate::data::check_weights;
use crate::{DataError, Dataset, Float};

/// How much each class counts in a classifier's training loss
/// ([`Trainer::class_weights`](super::Trainer::class_weights)).
///
/// A sample of class `c` counts `weights[c]` times in its batch's weighted mean loss (PyTorch's
/// `CrossEntropyLoss(weight=…)`); with sample weights too, it counts their product. A sample's
/// class is its target's largest value, or for one output whether the target is above 0.5 (class
/// 1) or not (class 0), as for accuracy.
#[derive(Clone, Debug, PartialEq)]
pub enum ClassWeights {
    /// `n / (k · nᶜ)` for class `c` with `nᶜ` of the `n` training samples and `k` classes:
    /// scikit-learn's `class_weight="balanced"`, so each class counts as much in total.
    Balanced,
    /// One weight per class, in class order.
    Given(Vec<f64>),
}

impl ClassWeights {
    /// One weight per class, in class order.
    pub fn new(weights: &[f64]) -> Self {
        ClassWeights::Given(weights.to_vec())
    }

    /// Weights that make every class count as much in total ([`ClassWeights::Balanced`]).
    pub fn balanced() -> Self {
        ClassWeights::Balanced
    }

    /// Each class's weight for `data`, whose targets have `OUT` values (`max(OUT, 2)` classes).
    ///
    /// A count other than the classes' is a [`DataError::WeightCount`]; a negative, NaN or
    /// infinite weight a [`DataError::InvalidWeight`]; all zero a [`DataError::ZeroWeights`].
    pub fn resolve<T: Float, const IN: usize, const OUT: usize>(
        &self,
        data: &Dataset<T, IN, OUT>,
    ) -> Result<Vec<f64>, DataError> {
        let classes = OUT.max(2);
        let weights = match self {
            ClassWeights::Given(weights) => {
                if weights.len() != classes {
                    return Err(DataError::WeightCount {
                        what: "class",
                        found: weights.len(),
                        expected: classes,
                    });
                }
                weights.clone()
            }
            ClassWeights::Balanced => {
                let mut counts = vec![0usize; classes];
                for target in data.targets() {
                    counts[class_of(target)] += 1;
                }
                let samples = data.len() as f64;
                counts
                    .iter()
                    .map(|&count| match count {
                        0 => 0.0,
                        count => samples / (classes as f64 * count as f64),
                    })
                    .collect()
            }
        };
        check_weights(&weights, "class", "class")?;
        Ok(weights)
    }
}

/// Each sample's weight in training: its sample weight (1 without) times its class's weight (1
/// without). `None` when neither is given, so that training runs unweighted.
pub(crate) fn training_weights<T: Float, const IN: usize, const OUT: usize>(
    data: &Dataset<T, IN, OUT>,
    class_weights: Option<&ClassWeights>,
) -> Result<Option<Vec<T>>, DataError> {
    let Some(class_weights) = class_weights else {
        return Ok(data.sample_weights().map(<[T]>::to_vec));
    };
    let classes = class_weights.resolve(data)?;
    let weights: Vec<T> = data
        .targets()
        .iter()
        .enumerate()
        .map(|(i, target)| {
            let sample = data
                .sample_weights()
                .map_or(T::of_f64(1.0), |weights| weights[i]);
            sample * T::of_f64(classes[class_of(target)])
        })
        .collect();
    check_weights(&weights, "sample", "row")?;
    Ok(Some(weights))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three samples of class 0 and one of class 1, one-hot over two outputs.
    fn imbalanced() -> Dataset<f64, 1, 2> {
        Dataset::from_arrays(
            &[[0.0], [1.0], [2.0], [3.0]],
            &[[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 0.0]],
        )
        .unwrap()
    }

    #[test]
    fn balanced_weights_follow_scikit_learn() {
        // compute_class_weight("balanced", classes=[0, 1], y=[0, 0, 1, 0]) = [4/6, 4/2].
        let weights = ClassWeights::balanced().resolve(&imbalanced()).unwrap();
        assert_eq!(weights, vec![4.0 / 6.0, 2.0]);
        let single = Dataset::<f32, 1, 1>::from_arrays(&[[0.0], [1.0]], &[[1.0], [0.0]]).unwrap();
        assert_eq!(
            ClassWeights::balanced().resolve(&single).unwrap(),
            vec![1.0, 1.0]
        );
    }

    #[test]
    fn sample_and_class_weights_multiply() {
        let data = imbalanced()
            .with_sample_weights(&[1.0, 0.5, 2.0, 3.0])
            .unwrap();
        let weights = training_weights(&data, Some(&ClassWeights::new(&[1.0, 10.0]))).unwrap();
        assert_eq!(weights, Some(vec![1.0, 0.5, 20.0, 3.0]));
        assert_eq!(
            training_weights(&data, None).unwrap(),
            Some(vec![1.0, 0.5, 2.0, 3.0])
        );
        assert_eq!(training_weights(&imbalanced(), None).unwrap(), None);
    }

    #[test]
    fn bad_class_weights_are_named() {
        assert_eq!(
            ClassWeights::new(&[1.0, 2.0, 3.0])
                .resolve(&imbalanced())
                .unwrap_err(),
            DataError::WeightCount {
                what: "class",
                found: 3,
                expected: 2
            }
        );
        assert_eq!(
            ClassWeights::new(&[1.0, f64::INFINITY])
                .resolve(&imbalanced())
                .unwrap_err()
                .to_string(),
            "the class weight of class 1 is inf, expected a finite number ≥ 0"
        );
        // Weights that zero every sample present.
        let err = training_weights(&imbalanced(), Some(&ClassWeights::new(&[0.0, 0.0])));
        assert_eq!(err, Err(DataError::ZeroWeights { what: "class" }));
        let data = Dataset::<f64, 1, 2>::from_arrays(&[[0.0]], &[[1.0, 0.0]]).unwrap();
        let err = training_weights(&data, Some(&ClassWeights::new(&[0.0, 1.0])));
        assert_eq!(err, Err(DataError::ZeroWeights { what: "sample" }));
    }
}
