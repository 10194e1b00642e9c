//! Checks shared by the tests of the activations: derivatives against finite differences,
//! values and derivatives against PyTorch's, and slices of awkward lengths.

use super::Activation;
use crate::Float;
use crate::compute::simd;

/// Every 0.25 over [−6, 6], and points near 0.
pub(super) fn points() -> Vec<f64> {
    let grid = (-24..=24).map(|i| f64::from(i) / 4.0);
    grid.chain([-0.1, -0.01, -1e-3, 1e-3, 0.01, 0.1]).collect()
}

/// `f(z)` and `f'(z)` at each point by the activation's own `apply` and `backward`: one slice
/// for all points, `inputs` = `z` (empty unless the activation needs them), `outputs` = `f(z)`
/// and a delta of ones.
fn values_and_derivatives<A: Activation, T: Float>(activation: &A, z: &[T]) -> (Vec<T>, Vec<T>) {
    let mut values = z.to_vec();
    activation.apply(&mut values, z.len());
    let inputs: &[T] = if A::NEEDS_INPUTS { z } else { &[] };
    let mut derivatives = vec![T::one(); z.len()];
    activation.backward(inputs, &values, &mut derivatives, z.len());
    (values, derivatives)
}

/// Checks `backward` against central differences `(f(z + h) − f(z − h)) / 2h` of `apply` in
/// `T`, to within `tolerance` relative or absolute, at every point farther than `skip` from the
/// `kinks`.
pub(super) fn check_derivatives<A: Activation, T: Float>(
    activation: &A,
    points: &[f64],
    h: f64,
    tolerance: f64,
    kinks: &[f64],
    skip: f64,
) {
    let points: Vec<f64> = (points.iter().copied())
        .filter(|p| kinks.iter().all(|k| (p - k).abs() > skip))
        .collect();
    let z: Vec<T> = points.iter().map(|&p| T::of_f64(p)).collect();
    let above: Vec<T> = z.iter().map(|&z| z + T::of_f64(h)).collect();
    let below: Vec<T> = z.iter().map(|&z| z - T::of_f64(h)).collect();
    let (_, derivatives) = values_and_derivatives(activation, &z);
    let (high, _) = values_and_derivatives(activation, &above);
    let (low, _) = values_and_derivatives(activation, &below);
    for i in 0..z.len() {
        // Divided by the step as rounded in `T`.
        let step = (above[i] - below[i]).as_f64();
        let numeric = (high[i] - low[i]).as_f64() / step;
        let analytic = derivatives[i].as_f64();
        assert!(
            (analytic - numeric).abs() <= tolerance * numeric.abs().max(1.0),
            "{} in {}: f'({}) = {analytic}, finite differences {numeric}",
            A::NAME,
            T::NAME,
            points[i],
        );
    }
}

/// Checks `f(z)` and `f'(z)` against rows `[z, f(z), f'(z)]` of PyTorch's: each within
/// `relative·|reference| + absolute·scale(z)`, where `scale` is the size of the terms the
/// formula adds up (so that where they cancel, the bound is the rounding error of that sum).
pub(super) fn check_reference<A: Activation, T: Float>(
    activation: &A,
    table: &[[f64; 3]],
    relative: f64,
    absolute: f64,
    scale: impl Fn(f64) -> [f64; 2],
) {
    let z: Vec<T> = table.iter().map(|row| T::of_f64(row[0])).collect();
    let (values, derivatives) = values_and_derivatives(activation, &z);
    for (i, row) in table.iter().enumerate() {
        let ours = [values[i].as_f64(), derivatives[i].as_f64()];
        for (k, what) in ["f", "f'"].iter().enumerate() {
            let (got, expected) = (ours[k], row[k + 1]);
            let bound = relative * expected.abs() + absolute * scale(row[0])[k];
            assert!(
                (got - expected).abs() <= bound,
                "{} in {}: {what}({}) = {got:e}, PyTorch {expected:e} (off by {:e}, bound {bound:e})",
                A::NAME,
                T::NAME,
                row[0],
                (got - expected).abs(),
            );
        }
    }
}

/// Checks that `apply` and `backward` over 13 and 67 values (not a multiple of any vector
/// width) give, bit for bit, what they give one value at a time, both in the baseline build and
/// in the AVX2 one that `activate` runs for long batches (`simd::widest`).
pub(super) fn check_odd_lengths<A: Activation, T: Float>(activation: &A) {
    for len in [13usize, 67] {
        let z: Vec<T> = (0..len)
            .map(|i| T::of_f64(-6.1 + 12.2 * i as f64 / (len - 1) as f64))
            .collect();
        let one_by_one: Vec<(T, T)> = z
            .iter()
            .map(|z| {
                let (value, derivative) = values_and_derivatives(activation, &[*z]);
                (value[0], derivative[0])
            })
            .collect();
        let plain = values_and_derivatives(activation, &z);
        let inputs: &[T] = if A::NEEDS_INPUTS { &z } else { &[] };
        let mut wide = (z.clone(), vec![T::one(); len]);
        simd::widest(
            #[inline(always)]
            || {
                activation.apply(&mut wide.0, z.len());
                activation.backward(inputs, &wide.0, &mut wide.1, z.len());
            },
        );
        let same = |a: T, b: T| bytemuck::bytes_of(&a) == bytemuck::bytes_of(&b);
        for (values, derivatives) in [plain, wide] {
            for (i, &(value, derivative)) in one_by_one.iter().enumerate() {
                assert!(
                    same(values[i], value) && same(derivatives[i], derivative),
                    "{} in {}: {len} values, index {i}",
                    A::NAME,
                    T::NAME,
                );
            }
        }
    }
}
