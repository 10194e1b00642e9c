//! Per-column means and population standard deviations, shared by the standardizers.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{DataError, Float, Side};

/// The mean and population standard deviation of each of `N` columns.
///
/// Invariants: every value finite, every standard deviation positive (a constant column gets 1).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct ColumnStats<T, const N: usize> {
    pub(super) mean: [T; N],
    pub(super) std: [T; N],
}

impl<T: Float, const N: usize> ColumnStats<T, N> {
    /// Given statistics, checked: every mean finite, every standard deviation finite and
    /// positive, or a [`DataError::InvalidStatistic`] naming the first column that is not.
    pub(super) fn checked(mean: [T; N], std: [T; N]) -> Result<Self, DataError> {
        let invalid = |statistic, column: usize, value: T| DataError::InvalidStatistic {
            statistic,
            column,
            value: value.as_f64(),
        };
        if let Some(column) = mean.iter().position(|m| !m.is_finite_value()) {
            return Err(invalid("mean", column, mean[column]));
        }
        if let Some(column) = std
            .iter()
            .position(|s| !(s.is_finite_value() && *s > T::zero()))
        {
            return Err(invalid("standard deviation", column, std[column]));
        }
        Ok(Self { mean, std })
    }

    /// Fits the statistics of `rows`, which must be non-empty and finite (a dataset's rows).
    ///
    /// Each column is computed in `f64` by [`mean_and_std`], which cannot overflow, so columns
    /// of values near the largest finite number get their true mean and standard deviation.
    pub(super) fn fit(rows: &[[T; N]]) -> Self {
        let mut mean = [T::zero(); N];
        let mut std = [T::one(); N];
        for (column, (mean, std)) in mean.iter_mut().zip(&mut std).enumerate() {
            let (m, s) = mean_and_std(rows.iter().map(|row| row[column].as_f64()));
            *mean = T::of_f64(m);
            if let Some(s) = s.map(T::of_f64)
                && s.is_finite_value()
                && s > T::zero()
            {
                *std = s;
            }
        }
        Self { mean, std }
    }

    /// The standardized value of `x` in `column`: `(x − mean) / std`, computed in `f64`, and as
    /// `x / std − mean / std` where the difference alone would overflow.
    fn forward(&self, column: usize, x: T) -> T {
        let (x, m, s) = (
            x.as_f64(),
            self.mean[column].as_f64(),
            self.std[column].as_f64(),
        );
        let difference = x - m;
        T::of_f64(if difference.is_finite() {
            difference / s
        } else {
            x / s - m / s
        })
    }

    /// Standardizes `row` in place. A value far outside the fitted range may overflow to
    /// infinity in `f32`.
    pub(super) fn apply(&self, row: &mut [T; N]) {
        for (column, x) in row.iter_mut().enumerate() {
            *x = self.forward(column, *x);
        }
    }

    /// Undoes [`apply`](Self::apply): `x × std + mean`, computed in `f64` (in halves where
    /// `x × std` alone would overflow but the sum does not).
    pub(super) fn invert(&self, row: &mut [T; N]) {
        for ((x, m), s) in row.iter_mut().zip(&self.mean).zip(&self.std) {
            let (x_, m, s) = (x.as_f64(), m.as_f64(), s.as_f64());
            let scaled = x_ * s;
            *x = T::of_f64(if scaled.is_finite() {
                scaled + m
            } else {
                (x_ * (s / 2.0) + m / 2.0) * 2.0
            });
        }
    }

    /// Standardizes every row, or changes nothing and names the first value that would not be
    /// finite.
    pub(super) fn apply_all(&self, rows: &mut [[T; N]], side: Side) -> Result<(), DataError> {
        for (row, values) in rows.iter().enumerate() {
            for (column, x) in values.iter().enumerate() {
                let value = self.forward(column, *x);
                if !value.is_finite_value() {
                    return Err(DataError::NotFinite {
                        side,
                        row,
                        column,
                        value: value.as_f64(),
                    });
                }
            }
        }
        rows.iter_mut().for_each(|row| self.apply(row));
        Ok(())
    }
}

/// The mean and population standard deviation of a non-empty column of finite values, or `None`
/// for the deviation of a constant column (whose mean is then its value, exactly).
///
/// Every value is first divided by the power of two `2ᵉ` at or just below the column's largest
/// magnitude, which is exact and leaves values in (−2, 2): the sums cannot overflow, however
/// close the values are to `f64::MAX`, and the results are those of the plain two-pass formulas
/// (mean, then mean squared deviation) bit for bit wherever those do not overflow.
fn mean_and_std(column: impl Iterator<Item = f64> + Clone) -> (f64, Option<f64>) {
    let (mut count, mut low, mut high) = (0usize, f64::INFINITY, f64::NEG_INFINITY);
    for x in column.clone() {
        count += 1;
        low = low.min(x);
        high = high.max(x);
    }
    if count == 0 {
        return (0.0, None);
    }
    if low == high {
        return (low, None);
    }
    let magnitude = low.abs().max(high.abs());
    let scale = power_of_two_at_most(magnitude);
    let n = count as f64;
    let mean = column.clone().map(|x| x / scale).sum::<f64>() / n;
    let variance = column
        .map(|x| {
            let d = x / scale - mean;
            d * d
        })
        .sum::<f64>()
        / n;
    // The true mean lies in [low, high] and the deviation is at most the largest magnitude;
    // clamping keeps a last rounding from stepping past `f64::MAX`.
    (
        (mean * scale).clamp(low, high),
        Some((variance.sqrt() * scale).min(magnitude)),
    )
}

/// The largest power of two at most `magnitude` (a positive finite number); the smallest normal
/// number for a smaller `magnitude`, which divides without overflow all the same.
fn power_of_two_at_most(magnitude: f64) -> f64 {
    if magnitude < f64::MIN_POSITIVE {
        f64::MIN_POSITIVE
    } else {
        // Clearing the significand of a normal number leaves 2 to its exponent.
        f64::from_bits(magnitude.to_bits() & 0x7ff0_0000_0000_0000)
    }
}

/// The serialized form: the two lists of `N` values.
#[derive(Serialize, Deserialize)]
struct Repr<M, S> {
    mean: M,
    std: S,
}

impl<T: Float, const N: usize> Serialize for ColumnStats<T, N> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Repr {
            mean: &self.mean[..],
            std: &self.std[..],
        }
        .serialize(serializer)
    }
}

impl<'de, T: Float, const N: usize> Deserialize<'de> for ColumnStats<T, N> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let repr = Repr::<Vec<T>, Vec<T>>::deserialize(deserializer)?;
        let array = |values: Vec<T>, name: &str| -> Result<[T; N], D::Error> {
            let found = values.len();
            <[T; N]>::try_from(values)
                .map_err(|_| D::Error::custom(format!("`{name}` has {found} values, expected {N}")))
        };
        let mean = array(repr.mean, "mean")?;
        let std = array(repr.std, "std")?;
        Self::checked(mean, std).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain two-pass formulas, which overflow for values beyond about 1e154.
    fn plain(values: &[f64]) -> (f64, f64) {
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let variance = values.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
        (mean, variance.sqrt())
    }

    fn relative(found: f64, expected: f64) -> f64 {
        ((found - expected) / expected).abs()
    }

    #[test]
    fn values_near_the_largest_f64_get_their_true_statistics() {
        let stats = ColumnStats::<f64, 1>::fit(&[[1e200], [-1e200], [3e200], [5e200]]);
        assert!(relative(stats.mean[0], 2e200) < 1e-12, "{}", stats.mean[0]);
        let std = 5f64.sqrt() * 1e200;
        assert!(relative(stats.std[0], std) < 1e-12, "{}", stats.std[0]);

        let extremes = ColumnStats::<f64, 1>::fit(&[[f64::MAX], [-f64::MAX]]);
        assert_eq!((extremes.mean[0], extremes.std[0]), (0.0, f64::MAX));
        let mut row = [-f64::MAX];
        extremes.apply(&mut row);
        assert_eq!(row, [-1.0]);
        extremes.invert(&mut row);
        assert_eq!(row, [-f64::MAX]);

        // Squared deviations of values this small would underflow to 0 unscaled.
        let tiny = ColumnStats::<f64, 1>::fit(&[[1e-300], [3e-300]]);
        assert!(relative(tiny.mean[0], 2e-300) < 1e-12, "{}", tiny.mean[0]);
        assert!(relative(tiny.std[0], 1e-300) < 1e-12, "{}", tiny.std[0]);
    }

    #[test]
    fn a_constant_column_keeps_its_exact_value_as_mean_and_std_1() {
        for value in [1e308, f64::MAX, -f64::MAX, 0.1, 0.0, 5e-324] {
            let stats = ColumnStats::<f64, 1>::fit(&[[value]; 3]);
            assert_eq!((stats.mean[0], stats.std[0]), (value, 1.0), "{value:e}");
            let mut rows = [[value]; 3];
            stats.apply_all(&mut rows, Side::Input).unwrap();
            assert_eq!(rows, [[0.0]; 3], "{value:e}");
        }
    }

    #[test]
    fn f32_values_near_the_largest_f32_get_their_true_statistics() {
        let values = [f32::MAX, -f32::MAX, f32::MAX, f32::MAX / 2.0];
        let rows = values.map(|x| [x]);
        let stats = ColumnStats::<f32, 1>::fit(&rows);
        let (mean, std) = plain(&values.map(f64::from));
        assert!(
            relative(stats.mean[0].into(), mean) < 1e-7,
            "{}",
            stats.mean[0]
        );
        assert!(
            relative(stats.std[0].into(), std) < 1e-7,
            "{}",
            stats.std[0]
        );

        let constant = ColumnStats::<f32, 1>::fit(&[[f32::MAX]; 4]);
        assert_eq!((constant.mean[0], constant.std[0]), (f32::MAX, 1.0));
    }

    #[test]
    fn ordinary_values_get_the_plain_formulas_bit_for_bit() {
        let columns: [&[f64]; 4] = [
            &[1.0, 2.0, 3.0, 4.5],
            &[-0.1, 0.3, 1e-3, 7.25, -2.5],
            &[1e-150, 3e-150, -2e-150],
            &[1000.0, 1000.0 + 1e-9, 999.5],
        ];
        for values in columns {
            let (mean, std) = mean_and_std(values.iter().copied());
            assert_eq!((mean, std), {
                let (m, s) = plain(values);
                (m, Some(s))
            });
        }
    }

    #[test]
    fn standardizing_across_the_whole_range_does_not_overflow() {
        let stats = ColumnStats::<f64, 1> {
            mean: [-1e308],
            std: [1e308],
        };
        let mut row = [1e308];
        stats.apply(&mut row);
        assert_eq!(row, [2.0]);
        let mut rows = [[1.5e308]];
        stats.apply_all(&mut rows, Side::Target).unwrap();
        assert!(relative(rows[0][0], 2.5) < 1e-15, "{}", rows[0][0]);
        stats.invert(&mut rows[0]);
        assert!(relative(rows[0][0], 1.5e308) < 1e-15, "{}", rows[0][0]);
    }

    #[test]
    fn power_of_two_scales() {
        assert_eq!(power_of_two_at_most(1.0), 1.0);
        assert_eq!(power_of_two_at_most(3.9), 2.0);
        assert_eq!(power_of_two_at_most(f64::MAX), 2f64.powi(1023));
        assert_eq!(power_of_two_at_most(1e-320), f64::MIN_POSITIVE);
    }
}
