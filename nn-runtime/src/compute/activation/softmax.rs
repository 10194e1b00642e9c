//! The softmax over each column.

use super::Activation;
use crate::Float;

/// Folds `values` with `f` in 8 interleaved lanes, then the lanes pairwise and the leftover
/// values in order: short dependency chains, in a fixed order, so the result is deterministic
/// (and exact for `max`).
#[inline(always)]
fn reduce_by_lanes<T: Float>(values: &[T], init: T, f: impl Fn(T, T) -> T) -> T {
    let (chunks, rest) = values.as_chunks::<8>();
    let mut lanes = [init; 8];
    for chunk in chunks {
        for (lane, &v) in lanes.iter_mut().zip(chunk) {
            *lane = f(*lane, v);
        }
    }
    let l = lanes;
    let quads = [f(l[0], l[4]), f(l[1], l[5]), f(l[2], l[6]), f(l[3], l[7])];
    let pairs = [f(quads[0], quads[2]), f(quads[1], quads[3])];
    rest.iter().fold(f(pairs[0], pairs[1]), |acc, &v| f(acc, v))
}

/// Scales `values` so that they sum to 1: the last step of a softmax.
#[inline(always)]
fn divide_by_sum<T: Float>(values: &mut [T]) {
    let inverse = T::one() / reduce_by_lanes(values, T::zero(), |sum, v| sum + v);
    values.iter_mut().for_each(|v| *v *= inverse);
}

/// A sample of at most this many values takes [`softmax_short`].
const SHORT: usize = 16;

/// The softmax of one sample of at most [`SHORT`] values, in registers from the load to the
/// store (a 64-32-10 network's forward call on an AVX-512 EPYC: 99–104 → 85–88 ns). The maximum
/// is taken in halves: it is exact, so any order finds the same value, and where a NaN would
/// change it every output is NaN anyway. The exponentials are summed in [`divide_by_sum`]'s order:
/// the same bits as the batch path.
#[inline(always)]
fn softmax_short<T: Float>(values: &mut [T]) {
    let n = values.len();
    let mut exps = [T::of_f64(f64::NEG_INFINITY); SHORT];
    exps[..n].copy_from_slice(values);
    let mut halves = exps;
    for width in [8, 4, 2, 1] {
        let (low, high) = halves.split_at_mut(width);
        for (low, &high) in low.iter_mut().zip(&high[..width]) {
            // Unlike `max`, NaN may win here: then every output is NaN, as it is anyway when a
            // value is NaN (its exponential, and so the sum, is NaN).
            if high > *low {
                *low = high;
            }
        }
    }
    let max = halves[0];
    // The padding's exponentials are 0, and left out of the sum.
    for e in &mut exps {
        *e = (*e - max).activation_exp();
    }
    let inverse = T::one() / reduce_by_lanes(&exps[..n], T::zero(), |sum, v| sum + v);
    for (value, e) in values.iter_mut().zip(exps) {
        *value = e * inverse;
    }
}

/// The softmax over each column: `f(z)_i = e^{z_i} / Σ_j e^{z_j}`, computed after subtracting the
/// column's maximum so it never overflows.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Softmax;

impl Activation for Softmax {
    const NAME: &'static str = "Softmax";

    #[inline(always)]
    fn apply<T: Float>(&self, values: &mut [T], rows: usize) {
        if values.len() == rows && rows <= SHORT {
            return softmax_short(values);
        }
        if values.len() == rows {
            // One sample: no batch loop to gain from.
            let max = reduce_by_lanes(values, values[0], T::max);
            values
                .iter_mut()
                .for_each(|v| *v = (*v - max).activation_exp());
            divide_by_sum(values);
            return;
        }
        // In three passes, so that the exponentials run as one long loop over the batch.
        for column in values.chunks_exact_mut(rows) {
            let max = reduce_by_lanes(column, column[0], T::max);
            column.iter_mut().for_each(|v| *v -= max);
        }
        values.iter_mut().for_each(|v| *v = v.activation_exp());
        values.chunks_exact_mut(rows).for_each(divide_by_sum);
    }

    /// The Jacobian-vector product `∂L/∂z = a ⊙ (δ − (δ·a))`, column by column.
    #[inline(always)]
    fn backward<T: Float>(&self, _inputs: &[T], outputs: &[T], delta: &mut [T], rows: usize) {
        assert_eq!(
            outputs.len(),
            delta.len(),
            "outputs and deltas differ in length"
        );
        for (d, a) in delta.chunks_exact_mut(rows).zip(outputs.chunks_exact(rows)) {
            let dot = d.iter().zip(a).fold(T::zero(), |acc, (&d, &a)| acc + d * a);
            for (d, &a) in d.iter_mut().zip(a) {
                *d = a * (*d - dot);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_columns_sum_to_one_and_survive_large_inputs() {
        let mut v = [1000.0f32, 1001.0, 0.0, 1.0];
        Softmax.apply(&mut v, 2);
        assert!((v[0] + v[1] - 1.0).abs() < 1e-6);
        assert!((v[1] - 0.731_058_6).abs() < 1e-6);
        assert!((v[3] - 0.731_058_6).abs() < 1e-6);
    }

    /// One sample's softmax against the same values as the first column of a batch of two, bit
    /// for bit (NaN as NaN), for `rows` values taken from `pool` in turn.
    fn check_one_sample_matches_batch<T: Float>(pool: &[f64]) {
        for rows in 1..=SHORT + 3 {
            for start in 0..pool.len() {
                let sample: Vec<T> = (0..rows)
                    .map(|i| T::of_f64(pool[(start + 7 * i) % pool.len()]))
                    .collect();
                let mut one = sample.clone();
                Softmax.apply(&mut one, rows);
                let mut batch: Vec<T> = sample.iter().chain(sample.iter().rev()).copied().collect();
                Softmax.apply(&mut batch, rows);
                for (i, (a, b)) in one.iter().zip(&batch).enumerate() {
                    let (a, b) = (a.as_f64(), b.as_f64());
                    assert!(
                        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                        "{} rows {rows}, value {i} of {sample:?}: {a} alone, {b} in a batch",
                        T::NAME
                    );
                }
            }
        }
    }

    #[test]
    fn one_sample_gives_the_batch_paths_bits() {
        // Ties, signed zeros, large and tiny values, infinities and NaN.
        let pool = [
            0.5,
            -1.25,
            3.0,
            3.0,
            -0.0,
            0.0,
            88.0,
            -90.0,
            1e-8,
            17.5,
            -3.0,
            2.0,
            0.75,
            -0.5,
            40.0,
            -40.0,
            1.0,
            6.0,
            -7.5,
            0.125,
            9.0,
            11.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        let finite = &pool[..pool.len() - 3];
        check_one_sample_matches_batch::<f32>(finite);
        check_one_sample_matches_batch::<f64>(finite);
        check_one_sample_matches_batch::<f32>(&pool);
        check_one_sample_matches_batch::<f64>(&pool);
    }

    #[test]
    fn a_nan_makes_one_samples_softmax_nan() {
        for rows in [1, 3, 10, 16] {
            for at in [0, rows - 1] {
                let mut v = vec![0.5f32; rows];
                v[at] = f32::NAN;
                Softmax.apply(&mut v, rows);
                assert!(
                    v.iter().all(|v| v.is_nan()),
                    "{rows} rows, NaN at {at}: {v:?}"
                );
            }
        }
    }
}
