//! Seeded train/validation splits.

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use super::Dataset;
use crate::{DataError, Float};

impl<T: Float, const IN: usize, const OUT: usize> Dataset<T, IN, OUT> {
    /// Splits the samples into `(train, validation)`, shuffled with `seed`.
    ///
    /// The validation side gets `round(len × validation_fraction)` samples, the training side the
    /// rest; each keeps the samples' original order. The same seed gives the same split.
    ///
    /// A fraction outside (0, 1) is a [`DataError::SplitFraction`]; a split leaving either side
    /// empty is a [`DataError::SplitSide`].
    pub fn split(&self, validation_fraction: f64, seed: u64) -> Result<(Self, Self), DataError> {
        let fraction = validation_fraction;
        if !(fraction > 0.0 && fraction < 1.0) {
            return Err(DataError::SplitFraction { fraction });
        }
        let samples = self.len();
        let validation = (samples as f64 * fraction).round() as usize;
        let train = samples - validation.min(samples);
        if validation == 0 || train == 0 {
            return Err(DataError::SplitSide {
                samples,
                fraction,
                train,
                validation,
            });
        }
        let mut order: Vec<usize> = (0..samples).collect();
        order.shuffle(&mut StdRng::seed_from_u64(seed));
        let (validation_rows, train_rows) = order.split_at_mut(validation);
        validation_rows.sort_unstable();
        train_rows.sort_unstable();
        Ok((self.select(train_rows), self.select(validation_rows)))
    }

    /// The samples at `rows`, which must be valid and non-empty.
    fn select(&self, rows: &[usize]) -> Self {
        Self {
            inputs: rows.iter().map(|&i| self.inputs[i]).collect(),
            targets: rows.iter().map(|&i| self.targets[i]).collect(),
            weights: self
                .weights
                .as_ref()
                .map(|weights| rows.iter().map(|&i| weights[i]).collect()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` samples whose input is their index, so each can be traced.
    fn numbered(n: usize) -> Dataset<f64, 1, 1> {
        let inputs: Vec<[f64; 1]> = (0..n).map(|i| [i as f64]).collect();
        let targets: Vec<[f64; 1]> = (0..n).map(|i| [2.0 * i as f64]).collect();
        Dataset::from_arrays(&inputs, &targets).unwrap()
    }

    fn ids(data: &Dataset<f64, 1, 1>) -> Vec<usize> {
        data.inputs().iter().map(|x| x[0] as usize).collect()
    }

    #[test]
    fn sizes_follow_the_fraction() {
        let (train, validation) = numbered(1000).split(0.2, 7).unwrap();
        assert_eq!((train.len(), validation.len()), (800, 200));
        let (train, validation) = numbered(10).split(0.25, 7).unwrap();
        assert_eq!((train.len(), validation.len()), (7, 3));
    }

    #[test]
    fn sides_are_disjoint_cover_everything_and_keep_pairs() {
        let (train, validation) = numbered(100).split(0.3, 1).unwrap();
        let mut all = ids(&train);
        all.extend(ids(&validation));
        all.sort_unstable();
        assert_eq!(all, (0..100).collect::<Vec<_>>());
        for side in [&train, &validation] {
            for i in 0..side.len() {
                assert_eq!(side.target(i)[0], 2.0 * side.input(i)[0]);
            }
        }
    }

    #[test]
    fn the_seed_decides_the_split() {
        let data = numbered(100);
        let (a, va) = data.split(0.2, 42).unwrap();
        let (b, vb) = data.split(0.2, 42).unwrap();
        assert_eq!((a, va), (b, vb));
        let (_, vc) = data.split(0.2, 43).unwrap();
        let (_, vd) = data.split(0.2, 42).unwrap();
        assert_ne!(ids(&vc), ids(&vd));
    }

    #[test]
    fn bad_fractions_and_empty_sides_are_errors() {
        let data = numbered(10);
        for fraction in [0.0, 1.0, -0.1, 1.5, f64::NAN, f64::INFINITY] {
            let err = data.split(fraction, 0).unwrap_err();
            assert!(matches!(err, DataError::SplitFraction { .. }), "{fraction}");
        }
        assert!(
            data.split(1.5, 0)
                .unwrap_err()
                .to_string()
                .contains("validation fraction 1.5")
        );
        assert_eq!(
            data.split(0.01, 0),
            Err(DataError::SplitSide {
                samples: 10,
                fraction: 0.01,
                train: 10,
                validation: 0
            })
        );
        assert!(matches!(
            data.split(0.99, 0),
            Err(DataError::SplitSide {
                train: 0,
                validation: 10,
                ..
            })
        ));
        assert!(numbered(1).split(0.5, 0).is_err());
    }
}
