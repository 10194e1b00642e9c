//! `C = Aᵀ·B` on column-major `A`, `B` and `C`: the input gradient `Wᵀ·Δ`. Both operands are
//! contiguous along the reduction, so this is a block of dot products; when they are short, a
//! block of `Aᵀ` is transposed on the stack (through registers) and multiplied as `A·B` instead.

use super::lanes::Simd;
use super::nn::{Init, MV, Nn, gemm_nn};
use super::transpose::{TRANSPOSED, block_rows, transpose};

/// Columns of `A` per tile: one 4-lane store of sums per column of `C`.
const KB: usize = 4;
/// Columns of `B` per tile: `KB·JB = 12` accumulators, `JB` loaded columns of `B` and one of `A`
/// fill the 16 registers.
const JB: usize = 3;
/// Reductions shorter than this are transposed instead of summed across lanes, which would
/// cost more than the multiplications (a 10-output layer ran at 50 % of `sgemm` as dot products).
/// Transposed through registers, a square at a time, the copy stays cheaper than the sums up to
/// a depth of 64 (best of interleaved runs, `Wᵀ·Δ` over 32 samples: 64×64 3.9 → 3.3 µs, 32×64
/// 2.2 → 1.7 µs) and is even with them at 128.
pub(super) const SHORT_DOT: usize = 65;
const _: () = assert!(
    TRANSPOSED / SHORT_DOT >= MV * 8,
    "a transposed block holds a panel"
);

/// `C = Aᵀ·B` as in [`gemm_tn`] for a short `depth`, where dot products would spend more time
/// summing across lanes than multiplying: blocks of `Aᵀ` are transposed into a buffer on the
/// stack, then multiplied by [`gemm_nn`].
///
/// # Safety
/// As [`gemm_tn`], and `depth < SHORT_DOT`.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn transposed_tn<S: Simd>(
    s: S,
    a: *const S::Elem,
    b: *const S::Elem,
    c: *mut S::Elem,
    (depth, m, n): (usize, usize, usize),
) {
    let mut buffer = [core::mem::MaybeUninit::<S::Elem>::uninit(); TRANSPOSED];
    let block = block_rows::<S>(depth, m);
    let at = buffer.as_mut_ptr().cast::<S::Elem>();
    let mut k = 0;
    while k < m {
        let rows = block.min(m - k);
        // SAFETY: `rows·depth <= TRANSPOSED` (as `depth < SHORT_DOT` leaves at least one panel),
        // so every write lands in `buffer`; the reads are columns `k..k + rows` of `A`, in bounds.
        // `gemm_nn` then reads exactly the written `rows × depth` block of `buffer`, the `depth × n`
        // `B` and writes rows `k..k + rows` of the `m × n` `C`.
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
                ldc: m,
                init: Init::Zero,
                depth,
            };
            gemm_nn(s, p, rows, n);
        }
        k += rows;
    }
}

/// `C = Aᵀ·B`: `A` is `depth × m`, `B` is `depth × n`, `C` is `m × n`, all column-major.
///
/// # Safety
/// AVX2 and FMA must be available; `a`, `b` and `c` must hold `depth·m`, `depth·n` and `m·n`
/// elements.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn gemm_tn<S: Simd>(
    s: S,
    a: *const S::Elem,
    b: *const S::Elem,
    c: *mut S::Elem,
    (depth, m, n): (usize, usize, usize),
) {
    let tail = depth % S::LANES;
    let mask = s.mask(if tail == 0 { S::LANES } else { tail });
    let shape = Tn {
        a,
        b,
        c,
        depth,
        m,
        mask,
    };
    let mut k = 0;
    while k < m {
        let rows = KB.min(m - k);
        // SAFETY: rows `k..k + rows` of `C` lie within `0..m`; the caller vouches for the rest.
        unsafe {
            match rows {
                KB => columns_tn::<S, KB>(s, shape, k, n),
                3 => columns_tn::<S, 3>(s, shape, k, n),
                2 => columns_tn::<S, 2>(s, shape, k, n),
                _ => columns_tn::<S, 1>(s, shape, k, n),
            }
        }
        k += rows;
    }
}

/// The operands of `C = Aᵀ·B` (see [`gemm_tn`]) and the mask of the last partial register.
#[derive(Clone, Copy)]
struct Tn<S: Simd> {
    a: *const S::Elem,
    b: *const S::Elem,
    c: *mut S::Elem,
    depth: usize,
    m: usize,
    mask: S::Mask,
}

/// Rows `k..k + K` of `C = Aᵀ·B`, in tiles of `JB` columns.
///
/// # Safety
/// As [`gemm_tn`], with `k + K <= m`.
#[target_feature(enable = "avx2,fma")]
unsafe fn columns_tn<S: Simd, const K: usize>(s: S, t: Tn<S>, k: usize, n: usize) {
    let mut j = 0;
    while j < n {
        let cols = JB.min(n - j);
        // SAFETY: columns `j..j + cols` lie within `0..n`; the caller vouches for the rest.
        unsafe {
            match cols {
                JB => tile_tn::<S, K, JB>(s, t, k, j),
                2 => tile_tn::<S, K, 2>(s, t, k, j),
                _ => tile_tn::<S, K, 1>(s, t, k, j),
            }
        }
        j += cols;
    }
}

/// `C[k..k + K, j..j + J]`: `K·J` dot products of length `depth`, one register each.
///
/// # Safety
/// As [`gemm_tn`], with `k + K <= m` and `j + J <= n`.
#[target_feature(enable = "avx2,fma")]
#[inline]
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
            let out = t.c.add(k + (j + q) * t.m);
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
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn dot_step<S: Simd, const K: usize, const J: usize, const MASKED: bool>(
    s: S,
    acc: &mut [[S::Vector; K]; J],
    a: *const S::Elem,
    b: *const S::Elem,
    t: Tn<S>,
    r: usize,
) {
    // SAFETY: the caller guarantees one register (or its masked part) at row `r` of each column.
    let load = |q: *const S::Elem| unsafe {
        if MASKED {
            s.load_masked(q.add(r), t.mask)
        } else {
            s.load(q.add(r))
        }
    };
    let bv: [S::Vector; J] = core::array::from_fn(|q| load(b.wrapping_add(q * t.depth)));
    for kk in 0..K {
        let av = load(a.wrapping_add(kk * t.depth));
        for (acc, &bv) in acc.iter_mut().zip(&bv) {
            acc[kk] = s.fmadd(av, bv, acc[kk]);
        }
    }
}
