//! Every product against a naive triple loop in `f64`, on odd shapes and batch sizes, through three
//! paths: the public functions (whatever they dispatch to), the portable loops called directly,
//! and the SIMD kernels called directly when the CPU has them (also for layers the public
//! functions would hand to the portable loops).
//!
//! Tolerance: `|got − want| ≤ (depth + 2)·ε·Σ|terms|`, where `ε` is the element type's machine
//! epsilon and `Σ|terms|` sums the magnitudes of the products (and the bias) making up the value:
//! the worst-case rounding error of summing `depth + 1` terms in any order. A single missing or
//! doubled term is far larger on these random operands.
//!
//! Batches are views of fewer columns than their capacity: the columns beyond hold NaN (inputs) or
//! a sentinel (outputs), so reading or writing past the batch shows up.

use nalgebra::{DMatrix, SVector};

use crate::{BatchMatrix, Dense};

use super::*;

/// A value written beyond the batch of every output, which must survive.
const SENTINEL: f64 = 7.0;
/// The batch sizes each shape is checked with.
const BATCHES: [usize; 6] = [1, 2, 5, 31, 32, 33];

/// Deterministic values in `[-1, 1)`.
fn values(len: usize, seed: u64) -> Vec<f64> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    };
    (0..len).map(|_| next()).collect()
}

fn to_f64<T: Float>(s: &[T]) -> Vec<f64> {
    s.iter().map(|v| v.as_f64()).collect()
}

/// A batch of `n` random columns in a buffer of `n + 3`, the rest NaN.
fn batch<T: Float, const R: usize>(n: usize, seed: u64) -> BatchMatrix<T, R> {
    let mut m = BatchMatrix::zeros(n + 3);
    m.as_mut_slice().fill(T::of_f64(f64::NAN));
    m.set_columns(n);
    for (v, r) in m.as_mut_slice().iter_mut().zip(values(R * n, seed)) {
        *v = T::of_f64(r);
    }
    m
}

/// An output buffer with room for `n + 2` columns, all holding the sentinel.
fn output<T: Float, const R: usize>(n: usize) -> BatchMatrix<T, R> {
    let mut m = BatchMatrix::zeros(n + 2);
    m.as_mut_slice().fill(T::of_f64(SENTINEL));
    m
}

/// Asserts that `m` uses `n` columns and still holds the sentinel beyond them.
fn assert_untouched_beyond<T: Float, const R: usize>(m: &mut BatchMatrix<T, R>, n: usize) {
    assert_eq!(m.columns(), n);
    m.set_columns(m.capacity());
    let beyond = &m.as_slice()[R * n..];
    assert!(
        beyond.iter().all(|v| v.as_f64() == SENTINEL),
        "wrote past the batch"
    );
    m.set_columns(n);
}

/// The exact value and `Σ|terms|` of each entry.
type Expected = Vec<(f64, f64)>;

/// `sum_{r < depth} a(r)·b(r) + start`, exactly enough, and the sum of the magnitudes.
fn sum(start: f64, depth: usize, term: impl Fn(usize) -> f64) -> (f64, f64) {
    (0..depth).fold((start, start.abs()), |(s, m), r| {
        (s + term(r), m + term(r).abs())
    })
}

fn assert_close<T: Float>(got: &[T], want: &Expected, depth: usize, what: &str) {
    let eps = if T::NAME == "f32" {
        f64::from(f32::EPSILON)
    } else {
        f64::EPSILON
    };
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (index, (&got, &(value, magnitude))) in got.iter().zip(want).enumerate() {
        let error = (got.as_f64() - value).abs();
        let bound = (depth + 2) as f64 * eps * magnitude;
        assert!(
            error <= bound,
            "{what}: entry {index} is {got}, expected {value} (error {error:e} > bound {bound:e})"
        );
    }
}

/// Everything the products compute for one batch.
struct Outputs<T> {
    z: Vec<T>,
    vectors: Vec<T>,
    dw: Vec<T>,
    db: Vec<T>,
    dx: Vec<T>,
}

/// The operands of one check.
struct Case<T: Float, const OUT: usize, const IN: usize> {
    layer: Dense<T, OUT, IN>,
    x: BatchMatrix<T, IN>,
    delta: BatchMatrix<T, OUT>,
}

impl<T: Float, const OUT: usize, const IN: usize> Case<T, OUT, IN> {
    fn new(n: usize) -> Self {
        let mut layer = Dense::<T, OUT, IN>::zeros();
        let weights = values(OUT * IN, 1);
        for (w, r) in layer.weight.as_mut_slice().iter_mut().zip(weights) {
            *w = T::of_f64(r);
        }
        for (b, r) in layer.bias.iter_mut().zip(values(OUT, 2)) {
            *b = T::of_f64(r);
        }
        Self {
            layer,
            x: batch(n, 3),
            delta: batch(n, 4),
        }
    }

    /// Through the public functions, checking the batch bookkeeping on the way.
    fn public(&self) -> Outputs<T> {
        let n = self.x.columns();
        let mut z = output::<T, OUT>(n);
        dense_forward(&self.layer, &self.x, &mut z);
        assert_untouched_beyond(&mut z, n);
        let mut dx = output::<T, IN>(n);
        dense_input_gradient(&self.layer, &self.delta, &mut dx);
        assert_untouched_beyond(&mut dx, n);
        let mut gradient = Dense::<T, OUT, IN>::zeros();
        gradient.weight.fill(T::of_f64(SENTINEL));
        gradient.bias.fill(T::of_f64(SENTINEL));
        dense_parameter_gradient(&mut gradient, &self.x, &self.delta);
        let mut vectors = vec![T::zero(); OUT * n];
        for (j, y) in vectors.chunks_exact_mut(OUT.max(1)).enumerate() {
            let mut out = [T::zero(); OUT];
            dense_vector(&self.layer, self.x.column(j).try_into().unwrap(), &mut out);
            y.copy_from_slice(&out);
        }
        Outputs {
            z: z.as_slice().to_vec(),
            vectors,
            dw: gradient.weight.as_slice().to_vec(),
            db: gradient.bias.as_slice().to_vec(),
            dx: dx.as_slice().to_vec(),
        }
    }

    /// Through the portable loops, called directly.
    fn portable(&self) -> Outputs<T> {
        let n = self.x.columns();
        let (w, b) = (self.layer.weight.as_slice(), &self.layer.bias.data.0[0]);
        let (x, delta) = (self.x.as_slice(), self.delta.as_slice());
        let mut o = Outputs::new(OUT, IN, n);
        portable::forward::<T, OUT, IN>(w, b, x, &mut o.z);
        for (y, x) in o
            .vectors
            .chunks_exact_mut(OUT.max(1))
            .zip(x.chunks_exact(IN))
        {
            let (x, y) = (x.try_into().unwrap(), y.try_into().unwrap());
            portable::vector::<T, OUT, IN>(w, b, x, y);
        }
        portable::weight_gradient::<T, OUT, IN>(&mut o.dw, x, delta);
        portable::row_sums::<T, OUT>(o.db.as_mut_slice().try_into().unwrap(), delta, n);
        portable::input_gradient::<T, OUT, IN>(w, delta, &mut o.dx, n);
        o
    }

    /// Through the SIMD kernels, called directly; `None` where the CPU has none.
    #[cfg(not(target_arch = "x86_64"))]
    fn simd(&self) -> Option<Outputs<T>> {
        None
    }

    /// Through the SIMD kernels, called directly; `None` where the CPU has none.
    #[cfg(target_arch = "x86_64")]
    fn simd(&self) -> Option<Outputs<T>> {
        let n = self.x.columns();
        let (w, b) = (self.layer.weight.as_slice(), self.layer.bias.as_slice());
        let (x, delta) = (self.x.as_slice(), self.delta.as_slice());
        let mut o = Outputs::new(OUT, IN, n);
        portable::row_sums::<T, OUT>(o.db.as_mut_slice().try_into().unwrap(), delta, n);
        let run = |o: &mut Outputs<T>| {
            simd_or_portable!(T, true, s => {
                let shape = (OUT, IN, n);
                avx2::forward(s, cast(w), cast(b), cast(x), cast_mut(&mut o.z), shape);
                let columns = o.vectors.chunks_exact_mut(OUT.max(1)).zip(x.chunks_exact(IN));
                for (y, x) in columns {
                    avx2::vector(s, cast(w), cast(b), cast(x), cast_mut(y), (OUT, IN));
                }
                avx2::weight_gradient(s, cast_mut(&mut o.dw), cast(x), cast(delta), shape);
                avx2::input_gradient(s, cast(w), cast(delta), cast_mut(&mut o.dx), shape);
                true
            }, false)
        };
        run(&mut o).then_some(o)
    }
}

impl<T: Float> Outputs<T> {
    fn new(out: usize, inp: usize, n: usize) -> Self {
        let sentinel = T::of_f64(SENTINEL);
        Self {
            z: vec![sentinel; out * n],
            vectors: vec![sentinel; out * n],
            dw: vec![sentinel; out * inp],
            db: vec![sentinel; out],
            dx: vec![sentinel; inp * n],
        }
    }
}

/// Checks all paths on one shape and batch size.
fn check_batch<T: Float, const OUT: usize, const IN: usize>(n: usize) {
    let case = Case::<T, OUT, IN>::new(n);
    let w = to_f64(case.layer.weight.as_slice());
    let b = to_f64(case.layer.bias.as_slice());
    let (x, d) = (to_f64(case.x.as_slice()), to_f64(case.delta.as_slice()));
    let forward: Expected = (0..OUT * n)
        .map(|e| {
            let (i, j) = (e % OUT, e / OUT);
            sum(b[i], IN, |k| w[i + k * OUT] * x[k + j * IN])
        })
        .collect();
    let dw: Expected = (0..OUT * IN)
        .map(|e| {
            let (i, k) = (e % OUT, e / OUT);
            sum(0.0, n, |j| d[i + j * OUT] * x[k + j * IN])
        })
        .collect();
    let db: Expected = (0..OUT).map(|i| sum(0.0, n, |j| d[i + j * OUT])).collect();
    let dx: Expected = (0..IN * n)
        .map(|e| {
            let (k, j) = (e % IN, e / IN);
            sum(0.0, OUT, |i| w[i + k * OUT] * d[i + j * OUT])
        })
        .collect();

    let paths = [
        ("public", Some(case.public())),
        ("portable", Some(case.portable())),
    ];
    for (path, outputs) in paths.into_iter().chain([("simd", case.simd())]) {
        let Some(o) = outputs else { continue };
        let what = |product: &str| format!("{OUT}×{IN}, n = {n}, {path} {product}");
        assert_close(&o.z, &forward, IN, &what("forward"));
        assert_close(&o.vectors, &forward, IN, &what("vector"));
        assert_close(&o.dw, &dw, n, &what("weight gradient"));
        assert_close(&o.db, &db, n, &what("bias gradient"));
        assert_close(&o.dx, &dx, OUT, &what("input gradient"));
    }
}

/// Checks all paths on one shape, every batch size, both element types.
fn check<const OUT: usize, const IN: usize>() {
    for n in BATCHES {
        check_batch::<f32, OUT, IN>(n);
        check_batch::<f64, OUT, IN>(n);
    }
}

#[test]
fn thin_shapes_match_the_reference() {
    check::<1, 1>();
    check::<1, 17>();
    check::<17, 1>();
    check::<1, 129>();
    check::<129, 1>();
    check::<3, 7>();
    check::<7, 3>();
}

#[test]
fn small_shapes_at_the_dispatch_threshold_match_the_reference() {
    check::<4, 2>();
    check::<1, 4>();
    check::<4, 8>();
    check::<3, 11>();
    check::<8, 5>();
}

#[test]
fn odd_shapes_match_the_reference() {
    check::<17, 33>();
    check::<33, 17>();
    check::<7, 65>();
    check::<65, 7>();
    check::<33, 33>();
    check::<3, 129>();
    check::<129, 3>();
    // The deepest input gradient transposed through registers, with rows left over.
    check::<64, 41>();
}

#[test]
fn tall_and_wide_shapes_match_the_reference() {
    check::<65, 129>();
    check::<129, 65>();
    check::<31, 31>();
    check::<32, 64>();
    check::<10, 32>();
    // Transposed in several blocks of rows.
    check::<31, 129>();
}

#[test]
fn mnist_shapes_with_a_full_and_a_short_last_batch_match_the_reference() {
    for n in [32, 7] {
        check_batch::<f32, 128, 784>(n);
        check_batch::<f64, 128, 784>(n);
        check_batch::<f32, 10, 128>(n);
        check_batch::<f64, 10, 128>(n);
    }
}

#[test]
fn an_empty_batch_writes_only_the_zero_gradients() {
    check_batch::<f32, 33, 17>(0);
    check_batch::<f64, 4, 2>(0);
}

#[test]
fn a_batch_longer_than_a_block_of_the_reduction_matches_the_reference() {
    check_batch::<f32, 17, 33>(300);
    check_batch::<f64, 17, 33>(300);
}

fn layer() -> Dense<f64, 3, 2> {
    let mut layer = Dense::<f64, 3, 2>::zeros();
    layer
        .weight
        .as_mut_slice()
        .copy_from_slice(&[1., 2., 3., -1., 0.5, 4.]);
    layer.bias.as_mut_slice().copy_from_slice(&[0.1, 0.2, 0.3]);
    layer
}

fn columns<const R: usize>(columns: &[[f64; R]]) -> BatchMatrix<f64, R> {
    let columns: Vec<SVector<f64, R>> = columns.iter().map(|c| SVector::from(*c)).collect();
    BatchMatrix::from_columns(&columns)
}

#[test]
fn forward_matches_nalgebra() {
    let layer = layer();
    let x = columns(&[[1., 2.], [-3., 0.5]]);
    let mut z = BatchMatrix::<f64, 3>::zeros(4);
    dense_forward(&layer, &x, &mut z);
    let expected = *layer.weight * x.view() + DMatrix::from_fn(3, 2, |i, _| layer.bias[i]);
    assert_eq!(z.columns(), 2);
    assert!((z.view() - expected).abs().max() < 1e-12);
}

#[test]
fn vector_forward_matches_batch_forward() {
    let layer = layer();
    let mut out = [0.0; 3];
    dense_vector(&layer, &[-3., 0.5], &mut out);
    let mut z = BatchMatrix::<f64, 3>::zeros(1);
    dense_forward(&layer, &columns(&[[-3., 0.5]]), &mut z);
    assert_eq!(out, z.as_slice());
}

#[test]
fn gradients_match_nalgebra() {
    let layer = layer();
    let x = columns(&[[1., 2.], [-3., 0.5]]);
    let delta = columns(&[[0.5, -1., 2.], [1., 1., -0.25]]);
    let mut gradient = Dense::<f64, 3, 2>::zeros();
    dense_parameter_gradient(&mut gradient, &x, &delta);
    let expected_w = delta.view() * x.view().transpose();
    assert!((*gradient.weight - expected_w).abs().max() < 1e-12);
    assert_eq!(gradient.bias.as_slice(), &[1.5, 0.0, 1.75]);

    let mut dx = BatchMatrix::<f64, 2>::zeros(2);
    dense_input_gradient(&layer, &delta, &mut dx);
    let expected_dx = layer.weight.transpose() * delta.view();
    assert!((dx.view() - expected_dx).abs().max() < 1e-12);
}
