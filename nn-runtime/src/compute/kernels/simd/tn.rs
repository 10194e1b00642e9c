//! `C = Aᵀ·B` on column-major `A`, `B` and `C`: the input gradient `Wᵀ·Δ`. Both operands are
//! contiguous along the reduction, so this is a block of dot products; when they are short, a
//! block of `Aᵀ` is transposed on the stack (through registers) and multiplied as `A·B` instead.

use super::lanes::Simd;
use super::nn::{Init, Nn, gemm_nn, with_constant};
use super::transpose::{Transposed, block_rows, transpose};

/// Columns of `A` per tile: one 4-lane store of sums per column of `C`.
pub(super) const KB: usize = 4;

/// Columns of `B` per dot-product tile: `KB` times as many accumulators as `gemm_nn` uses, with
/// the loaded columns of `B` and one of `A` (AVX2: 3 columns, 12 accumulators in 16 registers;
/// AVX-512: 6 and 24 in 32).
const fn tn_columns<S: Simd>() -> usize {
    S::NN_ACCUMULATORS / KB
}

/// `C = Aᵀ·B` as in [`gemm_tn`] for a short `depth` (below `S::SHORT_DOT`), where dot products
/// would spend more time summing across lanes than multiplying: blocks of `Aᵀ` are transposed
/// into a buffer on the stack, then multiplied by [`gemm_nn`].
///
/// # Safety
/// As [`gemm_tn`], and `depth < S::SHORT_DOT`.
pub(super) unsafe fn transposed_tn<S: Simd>(
    s: S,
    a: *const S::Elem,
    b: *const S::Elem,
    (c, ldc): (*mut S::Elem, usize),
    (depth, m, n): (usize, usize, usize),
) {
    const {
        assert!(
            Transposed::capacity::<S::Elem>() / (S::SHORT_DOT - 1) >= S::NN_ROWS * S::LANES,
            "a transposed block holds a panel"
        )
    };
    let mut buffer = Transposed::new();
    let at = buffer.as_mut_ptr::<S::Elem>();
    let block = block_rows::<S>(depth, m);
    let mut k = 0;
    while k < m {
        let rows = block.min(m - k);
        // SAFETY: `rows·depth` fits the buffer (as `depth < SHORT_DOT` leaves at least one
        // panel), so every write lands in `buffer`; the reads are columns `k..k + rows` of `A`,
        // in bounds. `gemm_nn` then reads exactly the written `rows × depth` block of `buffer`,
        // the `depth × n` `B` and writes rows `k..k + rows` of the `m × n` `C` (columns `ldc`
        // apart).
        unsafe {
            transpose(s, a.add(k * depth), depth, at, (depth, rows));
            let p = Nn {
                a: at,
                lda: rows,
                a_len: rows * depth,
                b,
                rsb: 1,
                csb: depth,
                c: c.add(k),
                ldc,
                init: Init::Zero,
                depth,
            };
            gemm_nn(s, p, rows, n);
        }
        k += rows;
    }
}

/// `C = Aᵀ·B`: `A` is `depth × m`, `B` is `depth × n`, `C` is `m × n`, all column-major, the
/// columns of `C` `ldc` (at least `m`) apart.
///
/// # Safety
/// `a` and `b` must hold `depth·m` and `depth·n` elements, `c` be valid for writes of the `m`
/// rows of `n` columns `ldc` apart.
pub(super) unsafe fn gemm_tn<S: Simd>(
    s: S,
    a: *const S::Elem,
    b: *const S::Elem,
    (c, ldc): (*mut S::Elem, usize),
    (depth, m, n): (usize, usize, usize),
) {
    s.vectorize(
        #[inline(always)]
        || {
            let tail = depth % S::LANES;
            let mask = s.mask(if tail == 0 { S::LANES } else { tail });
            let shape = Tn {
                a,
                b,
                c,
                ldc,
                depth,
                mask,
            };
            let mut k = 0;
            while k < m {
                let rows = KB.min(m - k);
                // SAFETY: rows `k..k + rows` of `C` lie within `0..m`; the caller vouches for
                // the rest.
                unsafe { with_constant!(rows, K if K <= KB => columns_tn::<S, K>(s, shape, k, n)) }
                k += rows;
            }
        },
    )
}

/// The operands of `C = Aᵀ·B` (see [`gemm_tn`]) and the mask of the last partial register.
#[derive(Clone, Copy)]
struct Tn<S: Simd> {
    /// `A`, `depth × m`.
    a: *const S::Elem,
    /// `B`, `depth × n`.
    b: *const S::Elem,
    /// `C`, `m × n`.
    c: *mut S::Elem,
    /// The distance between columns of `C`.
    ldc: usize,
    /// The length of the dot products.
    depth: usize,
    /// The lanes of the last register of a column that lie within it.
    mask: S::Mask,
}

/// Rows `k..k + K` of `C = Aᵀ·B`, in tiles of up to [`tn_columns`] columns.
///
/// # Safety
/// As [`gemm_tn`], with `k + K <= m`.
unsafe fn columns_tn<S: Simd, const K: usize>(s: S, t: Tn<S>, k: usize, n: usize) {
    s.vectorize(
        #[inline(always)]
        || {
            let mut j = 0;
            while j < n {
                let cols = tn_columns::<S>().min(n - j);
                // SAFETY: columns `j..j + cols` lie within `0..n`; the caller vouches for the
                // rest.
                unsafe {
                    with_constant!(cols, J if J <= tn_columns::<S>() =>
                        tile_tn::<S, K, J>(s, t, k, j))
                }
                j += cols;
            }
        },
    )
}

/// `C[k..k + K, j..j + J]`: `K·J` dot products of length `depth`, one register each.
///
/// # Safety
/// As [`gemm_tn`], with `k + K <= m` and `j + J <= n`.
#[inline(always)]
unsafe fn tile_tn<S: Simd, const K: usize, const J: usize>(s: S, t: Tn<S>, k: usize, j: usize) {
    let lanes = S::LANES;
    let full = t.depth / lanes * lanes;
    // SAFETY: columns `k..k + K` of `A` and `j..j + J` of `B` are `depth` long and in bounds (the
    // caller's contract); the last partial register is masked; `C[k..k + K, j + q]` is in bounds.
    unsafe {
        let a = t.a.add(k * t.depth);
        let b = t.b.add(j * t.depth);
        let mut acc = [[s.zero(); K]; J];
        let mut r = 0;
        while r < full {
            dot_step::<S, K, J, false>(s, &mut acc, a, b, t, r);
            r += lanes;
        }
        if r < t.depth {
            dot_step::<S, K, J, true>(s, &mut acc, a, b, t, r);
        }
        for (q, acc) in acc.iter().enumerate() {
            let out = t.c.add(k + (j + q) * t.ldc);
            if K == 4 {
                s.store_sums4(out, core::array::from_fn(|kk| acc[kk]));
            } else {
                for (kk, &acc) in acc.iter().enumerate() {
                    *out.add(kk) = s.hsum(acc);
                }
            }
        }
    }
}

/// One register of rows `r..` of every dot product of a [`tile_tn`], masked with `MASKED`.
///
/// # Safety
/// As [`tile_tn`], with `a` and `b` its first columns and `r + LANES <= depth` unless `MASKED`.
#[inline(always)]
unsafe fn dot_step<S: Simd, const K: usize, const J: usize, const MASKED: bool>(
    s: S,
    acc: &mut [[S::Vector; K]; J],
    a: *const S::Elem,
    b: *const S::Elem,
    t: Tn<S>,
    r: usize,
) {
    // SAFETY: the caller guarantees one register (or its masked part) at row `r` of each column.
    let load = |q: *const S::Elem| unsafe { load_at::<S, MASKED>(s, q.add(r), t.mask) };
    let bv: [S::Vector; J] = core::array::from_fn(|q| load(b.wrapping_add(q * t.depth)));
    for kk in 0..K {
        let av = load(a.wrapping_add(kk * t.depth));
        for (acc, &bv) in acc.iter_mut().zip(&bv) {
            acc[kk] = s.fmadd(av, bv, acc[kk]);
        }
    }
}

/// One register at `p`, masked with `MASKED`.
///
/// # Safety
/// The register (its lanes of `mask` with `MASKED`) must be readable.
#[inline(always)]
unsafe fn load_at<S: Simd, const MASKED: bool>(
    s: S,
    p: *const S::Elem,
    mask: S::Mask,
) -> S::Vector {
    // SAFETY: as the caller guarantees.
    unsafe {
        if MASKED {
            s.load_masked(p, mask)
        } else {
            s.load(p)
        }
    }
}
