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
    /// Fits the statistics of `rows`, which must be non-empty and finite (a dataset's rows).
    ///
    /// Sums run in `f64`, in two passes (mean, then squared deviations).
    pub(super) fn fit(rows: &[[T; N]]) -> Self {
        let count = rows.len().max(1) as f64;
        let mut mean = [0.0f64; N];
        for row in rows {
            for (sum, x) in mean.iter_mut().zip(row) {
                *sum += x.as_f64();
            }
        }
        mean.iter_mut().for_each(|m| *m /= count);
        let mut variance = [0.0f64; N];
        for row in rows {
            for ((sum, x), m) in variance.iter_mut().zip(row).zip(&mean) {
                let d = x.as_f64() - m;
                *sum += d * d;
            }
        }
        Self {
            mean: mean.map(T::of_f64),
            std: variance.map(|v| {
                let std = T::of_f64((v / count).sqrt());
                if std.is_finite_value() && std > T::zero() {
                    std
                } else {
                    T::one()
                }
            }),
        }
    }

    /// The standardized value of `x` in `column`: `(x − mean) / std`, computed in `f64`.
    fn forward(&self, column: usize, x: T) -> T {
        T::of_f64((x.as_f64() - self.mean[column].as_f64()) / self.std[column].as_f64())
    }

    /// Standardizes `row` in place. A value far outside the fitted range may overflow to
    /// infinity in `f32`.
    pub(super) fn apply(&self, row: &mut [T; N]) {
        for (column, x) in row.iter_mut().enumerate() {
            *x = self.forward(column, *x);
        }
    }

    /// Undoes [`apply`](Self::apply): `x × std + mean`.
    pub(super) fn invert(&self, row: &mut [T; N]) {
        for ((x, m), s) in row.iter_mut().zip(&self.mean).zip(&self.std) {
            *x = T::of_f64(x.as_f64() * s.as_f64() + m.as_f64());
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
        if let Some(m) = mean.iter().find(|m| !m.is_finite_value()) {
            return Err(D::Error::custom(format!(
                "a mean is {m}, expected a finite number"
            )));
        }
        if let Some(s) = std
            .iter()
            .find(|s| !(s.is_finite_value() && **s > T::zero()))
        {
            return Err(D::Error::custom(format!(
                "a standard deviation is {s}, expected a finite positive number"
            )));
        }
        Ok(Self { mean, std })
    }
}
