//! Input standardization: each input column to mean 0 and standard deviation 1.

use serde::{Deserialize, Serialize};

use super::Dataset;
use super::column_stats::ColumnStats;
use crate::{DataError, Float, Side};

/// Per-column input statistics fitted on training data, applied unchanged to any other data.
///
/// [`fit`](Self::fit) takes each input column's mean and population standard deviation (a
/// constant column gets standard deviation 1, so it maps to 0); [`transform`](Self::transform)
/// and [`transform_input`](Self::transform_input) map `x` to `(x − mean) / std`. Fit on the
/// training set only, then transform the training, validation and test sets and every input
/// given to the trained network. It serializes as `{ "mean": [..], "std": [..] }` (checked on
/// load), so it can be saved beside the model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(transparent, bound(serialize = "T: Float", deserialize = "T: Float"))]
pub struct Standardizer<T, const IN: usize> {
    stats: ColumnStats<T, IN>,
}

impl<T: Float, const IN: usize> Standardizer<T, IN> {
    /// Fits the mean and population standard deviation of each input column of `data`.
    pub fn fit<const OUT: usize>(data: &Dataset<T, IN, OUT>) -> Self {
        Self {
            stats: ColumnStats::fit(data.inputs()),
        }
    }

    /// A standardizer of given statistics, mapping `x` to `(x − mean) / std` per column: a
    /// scaling chosen by hand (`new([0.0; 64], [16.0; 64])` maps pixels of 0 to 16 to [0, 1]) or
    /// the normalization a network was trained with elsewhere (torchvision's
    /// `Normalize(mean, std)`). A NaN or infinite mean, or a standard deviation that is not
    /// finite and positive, is a [`DataError::InvalidStatistic`] naming its column.
    pub fn new(mean: [T; IN], std: [T; IN]) -> Result<Self, DataError> {
        Ok(Self {
            stats: ColumnStats::checked(mean, std)?,
        })
    }

    /// Standardizes the inputs of `data` with the fitted statistics (not refitted).
    ///
    /// If a value would overflow to infinity (possible in `f32` for a value far outside the
    /// training range), `data` is left unchanged and the error names its row and column.
    pub fn transform<const OUT: usize>(
        &self,
        data: &mut Dataset<T, IN, OUT>,
    ) -> Result<(), DataError> {
        self.stats.apply_all(&mut data.inputs, Side::Input)
    }

    /// Standardizes one input in place, e.g. before `net.forward(&input)`.
    pub fn transform_input(&self, input: &mut [T; IN]) {
        self.stats.apply(input);
    }

    /// Undoes [`transform_input`](Self::transform_input): `x × std + mean`.
    pub fn inverse_input(&self, input: &mut [T; IN]) {
        self.stats.invert(input);
    }

    /// A standardizer of these statistics, which the caller has checked: every value finite, every
    /// standard deviation positive (a model file's, see `nn::model::Model`).
    pub(crate) fn from_parts(mean: [T; IN], std: [T; IN]) -> Self {
        Self {
            stats: ColumnStats { mean, std },
        }
    }

    /// The fitted mean of each input column.
    pub fn mean(&self) -> &[T; IN] {
        &self.stats.mean
    }

    /// The fitted population standard deviation of each input column (1 for a constant one).
    pub fn std(&self) -> &[T; IN] {
        &self.stats.std
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{RngExt, SeedableRng};

    #[test]
    fn given_statistics_scale_as_written_and_bad_ones_are_named() {
        let pixels = Standardizer::<f32, 2>::new([0.0; 2], [16.0; 2]).unwrap();
        let mut input = [16.0, 3.0];
        pixels.transform_input(&mut input);
        assert_eq!(input, [1.0, 3.0 / 16.0]);
        let err = Standardizer::<f64, 3>::new([0.0, f64::NAN, 0.0], [1.0; 3]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the mean of column 1 is NaN, expected a finite number"
        );
        let err = Standardizer::<f64, 2>::new([0.0; 2], [1.0, 0.0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the standard deviation of column 1 is 0, expected a finite number above 0"
        );
        let targets = super::super::TargetStandardizer::<f64, 1>::new([5.0], [-2.0]);
        assert!(matches!(
            targets,
            Err(DataError::InvalidStatistic { column: 0, .. })
        ));
    }

    fn random_data(n: usize, seed: u64) -> Dataset<f64, 3, 1> {
        let mut rng = StdRng::seed_from_u64(seed);
        let inputs: Vec<[f64; 3]> = (0..n)
            .map(|_| {
                [
                    rng.random_range(-5.0..15.0),
                    1000.0 + 50.0 * rng.random::<f64>(),
                    3.5,
                ]
            })
            .collect();
        Dataset::from_arrays(&inputs, &vec![[0.0]; n]).unwrap()
    }

    fn column_mean_std<const IN: usize>(data: &Dataset<f64, IN, 1>, column: usize) -> (f64, f64) {
        let n = data.len() as f64;
        let mean = data.inputs().iter().map(|x| x[column]).sum::<f64>() / n;
        let var = data
            .inputs()
            .iter()
            .map(|x| (x[column] - mean).powi(2))
            .sum::<f64>()
            / n;
        (mean, var.sqrt())
    }

    #[test]
    fn training_inputs_get_mean_0_and_std_1() {
        let mut train = random_data(500, 1);
        let standardizer = Standardizer::fit(&train);
        standardizer.transform(&mut train).unwrap();
        for column in 0..2 {
            let (mean, std) = column_mean_std(&train, column);
            assert!(mean.abs() < 1e-12, "column {column}: mean {mean}");
            assert!((std - 1.0).abs() < 1e-12, "column {column}: std {std}");
        }
    }

    #[test]
    fn a_constant_column_gets_std_1_and_maps_to_0() {
        let mut train = random_data(50, 2);
        let standardizer = Standardizer::fit(&train);
        assert_eq!(standardizer.mean()[2], 3.5);
        assert_eq!(standardizer.std()[2], 1.0);
        standardizer.transform(&mut train).unwrap();
        assert!(train.inputs().iter().all(|x| x[2] == 0.0));
    }

    #[test]
    fn other_data_gets_the_training_statistics() {
        let train = random_data(200, 3);
        let standardizer = Standardizer::fit(&train);
        let mut test = random_data(100, 4);
        let original = test.clone();
        standardizer.transform(&mut test).unwrap();
        for i in 0..test.len() {
            for c in 0..3 {
                let expected =
                    (original.input(i)[c] - standardizer.mean()[c]) / standardizer.std()[c];
                assert!((test.input(i)[c] - expected).abs() < 1e-12);
            }
        }
        // Refitting would give exactly mean 0; the training statistics do not.
        assert!(column_mean_std(&test, 0).0.abs() > 1e-6);

        let mut x = *original.input(0);
        standardizer.transform_input(&mut x);
        assert_eq!(&x, test.input(0));
        standardizer.inverse_input(&mut x);
        assert!((x[1] - original.input(0)[1]).abs() < 1e-9);
    }

    #[test]
    fn an_overflow_leaves_the_data_unchanged() {
        let train = Dataset::<f32, 1, 1>::from_arrays(&[[0.0], [1e-30]], &[[0.0], [0.0]]).unwrap();
        let standardizer = Standardizer::fit(&train);
        let mut other =
            Dataset::<f32, 1, 1>::from_arrays(&[[1.0], [1e30]], &[[0.0], [0.0]]).unwrap();
        let before = other.clone();
        let err = standardizer.transform(&mut other).unwrap_err();
        assert!(matches!(
            err,
            DataError::NotFinite {
                side: Side::Input,
                row: 1,
                column: 0,
                ..
            }
        ));
        assert_eq!(other, before);
    }

    #[test]
    fn it_round_trips_through_serde_and_checks_on_load() {
        let standardizer = Standardizer::fit(&random_data(20, 5));
        let json = serde_json::to_string(&standardizer).unwrap();
        assert!(json.starts_with("{\"mean\":["), "{json}");
        let back: Standardizer<f64, 3> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, standardizer);
        let err = serde_json::from_str::<Standardizer<f64, 2>>(&json).unwrap_err();
        assert!(err.to_string().contains("expected 2"), "{err}");
        let zero_std = r#"{"mean":[0.0],"std":[0.0]}"#;
        assert!(serde_json::from_str::<Standardizer<f64, 1>>(zero_std).is_err());
    }
}
