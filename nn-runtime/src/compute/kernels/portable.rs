//! Portable kernels: plain loops over contiguous columns of compile-time length, which the
//! compiler unrolls and vectorizes for any target. They serve every CPU without AVX2+FMA, and
//! small layers, where a tiled kernel's setup costs more than it saves.
//!
//! Shapes as in the public functions: every matrix is column-major, `W` is `OUT × IN`, a batch
//! `X` is `IN × n`, `Δ` and `Z` are `OUT × n`.

use crate::Float;

/// Independent partial sums per dot product: enough for the compiler to fill whole registers.
const LANES: usize = 16;

/// Column `k` of a column-major matrix with `N` rows.
#[inline(always)]
fn column<T, const N: usize>(matrix: &[T], k: usize) -> &[T; N] {
    matrix[k * N..(k + 1) * N].try_into().unwrap()
}

/// Column `k` of a column-major matrix with `N` rows, mutably.
#[inline(always)]
fn column_mut<T, const N: usize>(matrix: &mut [T], k: usize) -> &mut [T; N] {
    (&mut matrix[k * N..(k + 1) * N]).try_into().unwrap()
}

/// Four consecutive columns of a column-major matrix with `N` rows, from column `k`. (Written
/// out: `[0, 1, 2, 3].map(…)` compiled to a call that was not inlined.)
#[inline(always)]
fn columns4<T, const N: usize>(matrix: &[T], k: usize) -> [&[T; N]; 4] {
    [
        column(matrix, k),
        column(matrix, k + 1),
        column(matrix, k + 2),
        column(matrix, k + 3),
    ]
}

/// `y += Σ_q a[q] · columns[q]` over four columns in one pass over `y`.
#[inline(always)]
fn axpy4<T: Float, const N: usize>(y: &mut [T; N], a: [T; 4], columns: [&[T; N]; 4]) {
    let [c0, c1, c2, c3] = columns;
    for i in 0..N {
        y[i] += a[0] * c0[i] + a[1] * c1[i] + a[2] * c2[i] + a[3] * c3[i];
    }
}

/// `y += a · x`.
#[inline(always)]
fn axpy<T: Float, const N: usize>(y: &mut [T; N], a: T, x: &[T; N]) {
    for (y, &x) in y.iter_mut().zip(x) {
        *y += a * x;
    }
}

/// The dot product of two columns, in `LANES` independent partial sums.
#[inline(always)]
fn dot<T: Float, const N: usize>(a: &[T; N], b: &[T; N]) -> T {
    let mut sums = [T::zero(); LANES];
    let (a16, b16) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail = a16.remainder().iter().zip(b16.remainder());
    for (a, b) in a16.zip(b16) {
        for l in 0..LANES {
            sums[l] += a[l] * b[l];
        }
    }
    let tail = tail.fold(T::zero(), |acc, (&a, &b)| acc + a * b);
    sums.iter().fold(tail, |acc, &s| acc + s)
}

/// `y = W·x + b` for one sample.
#[inline(always)]
pub(super) fn vector<T: Float, const OUT: usize, const IN: usize>(
    w: &[T],
    bias: &[T; OUT],
    x: &[T; IN],
    y: &mut [T; OUT],
) {
    *y = *bias;
    let mut w4 = w.chunks_exact(4 * OUT.max(1));
    let mut x4 = x.chunks_exact(4);
    for (w, x) in (&mut w4).zip(&mut x4) {
        let columns = columns4::<T, OUT>(w, 0);
        axpy4(y, [x[0], x[1], x[2], x[3]], columns);
    }
    for (w, &x) in w4.remainder().chunks_exact(OUT.max(1)).zip(x4.remainder()) {
        axpy(y, x, w.try_into().unwrap());
    }
}

/// `Z = W·X + b` over the `n` columns of `x` and `z`.
#[inline(always)]
pub(super) fn forward<T: Float, const OUT: usize, const IN: usize>(
    w: &[T],
    bias: &[T; OUT],
    x: &[T],
    z: &mut [T],
) {
    if IN == 0 {
        z.chunks_exact_mut(OUT.max(1))
            .for_each(|z| z.copy_from_slice(bias));
    }
    let columns = z
        .chunks_exact_mut(OUT.max(1))
        .zip(x.chunks_exact(IN.max(1)));
    for (z, x) in columns {
        vector::<T, OUT, IN>(w, bias, x.try_into().unwrap(), z.try_into().unwrap());
    }
}

/// `∂W = Δ·Xᵀ` over the `n` columns of `x` and `delta`: `∂W[:, k] = Σ_j X[k, j] · Δ[:, j]`.
#[inline(always)]
pub(super) fn weight_gradient<T: Float, const OUT: usize, const IN: usize>(
    dw: &mut [T],
    x: &[T],
    delta: &[T],
) {
    dw.fill(T::zero());
    let mut x4 = x.chunks_exact(4 * IN.max(1));
    let mut d4 = delta.chunks_exact(4 * OUT.max(1));
    for (x, d) in (&mut x4).zip(&mut d4) {
        let ds = columns4::<T, OUT>(d, 0);
        for (k, dw) in dw.chunks_exact_mut(OUT.max(1)).enumerate() {
            let xs = [x[k], x[IN + k], x[2 * IN + k], x[3 * IN + k]];
            axpy4(dw.try_into().unwrap(), xs, ds);
        }
    }
    let columns = x4.remainder().chunks_exact(IN.max(1));
    for (x, d) in columns.zip(d4.remainder().chunks_exact(OUT.max(1))) {
        for (dw, &xk) in dw.chunks_exact_mut(OUT.max(1)).zip(x) {
            axpy::<T, OUT>(dw.try_into().unwrap(), xk, d.try_into().unwrap());
        }
    }
}

/// `∂X = Wᵀ·Δ` over `n` columns: `∂X[k, j]` is the dot product of columns `W[:, k]`, `Δ[:, j]`.
#[inline]
pub(super) fn input_gradient<T: Float, const OUT: usize, const IN: usize>(
    w: &[T],
    delta: &[T],
    dx: &mut [T],
    n: usize,
) {
    assert!(w.len() == OUT * IN && delta.len() == OUT * n && dx.len() == IN * n);
    for j in 0..n {
        let d = column::<T, OUT>(delta, j);
        for (k, dx) in column_mut::<T, IN>(dx, j).iter_mut().enumerate() {
            *dx = dot(column(w, k), d);
        }
    }
}

/// `∂b = Σ_j Δ[:, j]` over `n` columns of `Δ`.
#[inline(always)]
pub(super) fn row_sums<T: Float, const OUT: usize>(db: &mut [T; OUT], delta: &[T], n: usize) {
    assert_eq!(delta.len(), OUT * n);
    // Summed in a local array, which the compiler keeps in registers, rather than through `db`.
    let mut sums = [T::zero(); OUT];
    for column in delta.chunks_exact(OUT.max(1)) {
        for (sum, &d) in sums.iter_mut().zip(column) {
            *sum += d;
        }
    }
    *db = sums;
}
