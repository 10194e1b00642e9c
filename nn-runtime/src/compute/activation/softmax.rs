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

/// The softmax over each column: `f(z)_i = e^{z_i} / Σ_j e^{z_j}`, computed after subtracting the
/// column's maximum so it never overflows.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Softmax;

impl Activation for Softmax {
    const NAME: &'static str = "Softmax";

    #[inline(always)]
    fn apply<T: Float>(&self, values: &mut [T], rows: usize) {
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
}
