//! The ways the checks compute the products of some operands: the public functions over
//! [`BatchMatrix`] batches with poisoned spare columns, the public functions over guarded
//! operands, the portable loops, and each SIMD path's kernels called directly on guarded
//! operands (also for layers the public functions hand to the portable loops).

use crate::{BatchMatrix, Dense};

use super::super::*;
use super::guard::{Guarded, GuardedBatch, GuardedLayer, Placement};
use super::reference::{Operands, Outputs};

/// A value written beyond the batch of every output, which must survive.
const SENTINEL: f64 = 7.0;

/// `values` in `T`.
pub(super) fn of<T: Float>(values: &[f64]) -> Vec<T> {
    values.iter().map(|&v| T::of_f64(v)).collect()
}

/// `values` in `f64`.
fn to_f64<T: Float>(values: &[T]) -> Vec<f64> {
    values.iter().map(|v| v.as_f64()).collect()
}

/// A batch of `values` in a buffer of 3 more columns, which hold NaN.
pub(super) fn poisoned<T: Float, const R: usize>(values: &[f64]) -> BatchMatrix<T, R> {
    let n = values.len() / R.max(1);
    let mut m = BatchMatrix::zeros(n + 3);
    m.as_mut_slice().fill(T::of_f64(f64::NAN));
    m.set_columns(n);
    m.as_mut_slice().copy_from_slice(&of::<T>(values));
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

/// The single-sample products of every column of `x`, through the public function.
fn vectors<T: Float, const OUT: usize, const IN: usize>(
    layer: &impl DenseParameters<T, OUT, IN>,
    x: &[T],
) -> Vec<f64> {
    let mut vectors = Vec::new();
    for x in x.chunks_exact(IN.max(1)) {
        let mut out = [T::zero(); OUT];
        dense_vector(layer, x.try_into().unwrap(), &mut out);
        vectors.extend(to_f64(&out));
    }
    vectors
}

/// Through the public functions, on the path in use, over [`BatchMatrix`] batches whose spare
/// columns hold NaN (inputs) or a sentinel (outputs), checking the batch bookkeeping on the way.
pub(super) fn public<T: Float, const OUT: usize, const IN: usize>(o: &Operands) -> Outputs {
    let n = o.n;
    let mut layer = Dense::<T, OUT, IN>::zeros();
    layer.weight.as_mut_slice().copy_from_slice(&of::<T>(&o.w));
    layer.bias.as_mut_slice().copy_from_slice(&of::<T>(&o.b));
    let (x, delta) = (poisoned::<T, IN>(&o.x), poisoned::<T, OUT>(&o.d));
    let mut z = output::<T, OUT>(n);
    dense_forward(&layer, &x, &mut z);
    assert_untouched_beyond(&mut z, n);
    let mut dx = output::<T, IN>(n);
    dense_input_gradient(&layer, &delta, &mut dx);
    assert_untouched_beyond(&mut dx, n);
    let mut gradient = Dense::<T, OUT, IN>::zeros();
    gradient.weight.fill(T::of_f64(SENTINEL));
    gradient.bias.fill(T::of_f64(SENTINEL));
    dense_parameter_gradient(&mut gradient, &x, &delta);
    Outputs {
        z: to_f64(z.as_slice()),
        vectors: vectors(&layer, x.as_slice()),
        dw: to_f64(gradient.weight.as_slice()),
        db: to_f64(gradient.bias.as_slice()),
        dx: to_f64(dx.as_slice()),
    }
}

/// Through the public functions, on the path in use, with every operand guarded.
pub(super) fn public_guarded<T: Float, const OUT: usize, const IN: usize>(
    o: &Operands,
    placement: Placement,
) -> Outputs {
    let sentinel = T::of_f64(SENTINEL);
    let layer = GuardedLayer::<T, OUT, IN>::new(&of(&o.w), &of(&o.b), placement);
    let x = GuardedBatch::<T, IN>::new(&of(&o.x), placement);
    let delta = GuardedBatch::<T, OUT>::new(&of(&o.d), placement);
    let mut z = GuardedBatch::<T, OUT>::empty(o.n, sentinel, placement);
    dense_forward(&layer, &x, &mut z);
    let mut dx = GuardedBatch::<T, IN>::empty(o.n, sentinel, placement);
    dense_input_gradient(&layer, &delta, &mut dx);
    let (weight, bias) = (vec![sentinel; OUT * IN], vec![sentinel; OUT]);
    let mut gradient = GuardedLayer::<T, OUT, IN>::new(&weight, &bias, placement);
    dense_parameter_gradient(&mut gradient, &x, &delta);
    Outputs {
        z: to_f64(z.as_slice()),
        vectors: vectors(&layer, x.as_slice()),
        dw: to_f64(gradient.weight()),
        db: to_f64(gradient.bias()),
        dx: to_f64(dx.as_slice()),
    }
}

/// Through the portable loops, called directly.
pub(super) fn portable<T: Float, const OUT: usize, const IN: usize>(o: &Operands) -> Outputs {
    let n = o.n;
    let (w, b, x, delta) = (of::<T>(&o.w), of::<T>(&o.b), of::<T>(&o.x), of::<T>(&o.d));
    let b: &[T; OUT] = b.as_slice().try_into().unwrap();
    let sentinel = T::of_f64(SENTINEL);
    let (mut z, mut vectors) = (vec![sentinel; OUT * n], vec![sentinel; OUT * n]);
    let (mut dw, mut db, mut dx) = (
        vec![sentinel; OUT * IN],
        [sentinel; OUT],
        vec![sentinel; IN * n],
    );
    portable::forward::<T, OUT, IN>(&w, b, &x, &mut z);
    let columns = vectors.chunks_exact_mut(OUT.max(1)).zip(x.chunks_exact(IN));
    for (y, x) in columns {
        portable::vector::<T, OUT, IN>(&w, b, x.try_into().unwrap(), y.try_into().unwrap());
    }
    portable::weight_gradient::<T, OUT, IN>(&mut dw, &x, &delta);
    portable::row_sums::<T, OUT>(&mut db, &delta, n);
    portable::input_gradient::<T, OUT, IN>(&w, &delta, &mut dx, n);
    Outputs {
        z: to_f64(&z),
        vectors: to_f64(&vectors),
        dw: to_f64(&dw),
        db: to_f64(&db),
        dx: to_f64(&dx),
    }
}

/// Through the SIMD kernels of `path` for `T`, called directly on guarded operands; `None` where
/// the CPU lacks the path.
#[cfg(target_arch = "x86_64")]
pub(super) fn simd<T: Float>(
    path: KernelPath,
    o: &Operands,
    placement: Placement,
) -> Option<Outputs> {
    let f32 = T::NAME == "f32";
    match path {
        KernelPath::Avx512 if f32 => Some(direct(avx512::F32x16::new()?, o, placement)),
        KernelPath::Avx512 => Some(direct(avx512::F64x8::new()?, o, placement)),
        KernelPath::Avx2 if f32 => Some(direct(avx2::F32x8::new()?, o, placement)),
        KernelPath::Avx2 => Some(direct(avx2::F64x4::new()?, o, placement)),
        KernelPath::Portable => None,
    }
}

/// Every SIMD kernel on `o`, through the token `s`, each operand guarded.
#[cfg(target_arch = "x86_64")]
fn direct<S: simd::Simd>(s: S, o: &Operands, placement: Placement) -> Outputs
where
    S::Elem: Float,
{
    let (out, inp, n) = (o.out, o.inp, o.n);
    let guard = |values: &[f64]| Guarded::new(&of::<S::Elem>(values), placement);
    let (w, b, x, delta) = (guard(&o.w), guard(&o.b), guard(&o.x), guard(&o.d));
    let (w, b, x, delta) = (w.as_slice(), b.as_slice(), x.as_slice(), delta.as_slice());
    let shape = (out, inp, n);
    let sentinels = |len: usize| guard(&vec![SENTINEL; len]);
    let mut z = sentinels(out * n);
    simd::forward(s, w, b, x, z.as_mut_slice(), shape);
    let mut vectors = Vec::new();
    for j in 0..n {
        let x = Guarded::new(&x[j * inp..(j + 1) * inp], placement);
        let mut y = sentinels(out);
        simd::vector(s, w, b, x.as_slice(), y.as_mut_slice(), (out, inp));
        vectors.extend(to_f64(y.as_slice()));
    }
    let mut dw = sentinels(out * inp);
    simd::weight_gradient(s, dw.as_mut_slice(), x, delta, shape);
    let mut dx = sentinels(inp * n);
    simd::input_gradient(s, w, delta, dx.as_mut_slice(), shape);
    Outputs {
        z: to_f64(z.as_slice()),
        vectors,
        dw: to_f64(dw.as_slice()),
        db: Vec::new(),
        dx: to_f64(dx.as_slice()),
    }
}
