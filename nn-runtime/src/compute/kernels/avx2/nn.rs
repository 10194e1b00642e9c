//! `C = A·B (+ bias)` on column-major `A` and `C` and a strided `B`, no packing: the forward pass
//! `W·X + b` and the weight gradient `Δ·Xᵀ`.
//!
//! A tile of `MV` registers of rows × `NR` columns of `C` lives in registers while each step of
//! the reduction loads one contiguous piece of a column of `A` and broadcasts `NR` elements of
//! `B`. The last row panel is masked (its loads of `A` only at the last steps); the last column
//! tile is narrower.

use super::lanes::Simd;

/// Row registers per tile (2 × 8 = 16 rows of `f32`, 2 × 4 = 8 of `f64`).
pub(super) const MV: usize = 2;
/// Columns per tile: `MV·NR = 12` accumulators, `MV` loaded rows and one broadcast fill the 16
/// registers (3 × 4 tiles spilled an accumulator).
const NR: usize = 6;
/// Reduction steps per pass over `C`: keeps the row panel of `A` that every column tile of a pass
/// re-reads (`MV·LANES × KC`, 4 KiB of `f32`) in L1 even when `A`'s columns are a power-of-two
/// apart and so share a few cache sets (the forward `W·X` of a 128-row layer: 78 GFLOP/s at 64,
/// 60 at 256).
const KC: usize = 64;
const _: () = assert!(MV == 2, "`gemm_nn` masks panels of 1 or 2 registers");

/// The operands of `C = A·B (+ bias)`, all in bounds for the sizes they are used with.
#[derive(Clone, Copy)]
pub(super) struct Nn<E> {
    /// `A`, `m × depth`, column-major: `A[i, r] = a[i + r·lda]`.
    pub(super) a: *const E,
    pub(super) lda: usize,
    /// How many initialized elements can be read from `a` (at least `(depth − 1)·lda + m`): a
    /// masked panel loads whole registers, past its last row, wherever they stay within these.
    pub(super) a_len: usize,
    /// `B`, `depth × n`: `B[r, c] = b[r·rsb + c·csb]`.
    pub(super) b: *const E,
    pub(super) rsb: usize,
    pub(super) csb: usize,
    /// `C`, `m × n`, column-major with leading dimension `ldc`.
    pub(super) c: *mut E,
    pub(super) ldc: usize,
    /// What `C` starts from.
    pub(super) init: Init<E>,
    pub(super) depth: usize,
}

/// What the accumulators of a tile of `C` start from.
#[derive(Clone, Copy)]
pub(super) enum Init<E> {
    /// Zero.
    Zero,
    /// The `m` values at this pointer, in every column.
    Bias(*const E),
    /// The values in `C` (a later block of the depth).
    Accumulate,
}

/// `C = A·B (+ bias)` for `C` of `m × n`: the depth in blocks of `KC`, each block in row panels
/// of `MV` registers (the last one masked), each panel in tiles of `NR` columns.
///
/// # Safety
/// AVX2 and FMA must be available and `p` must be in bounds for `m`, `n` and `p.depth`.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn gemm_nn<S: Simd>(s: S, p: Nn<S::Elem>, m: usize, n: usize) {
    if m == 0 || n == 0 {
        return;
    }
    let full = MV * S::LANES;
    let mut k = 0;
    loop {
        let depth = KC.min(p.depth - k);
        // SAFETY: `k <= p.depth` and `m, n > 0`: the offsets stay within (or one past) `A`
        // and `B`, which hold `p.depth` steps of the reduction.
        let block = unsafe {
            Nn {
                a: p.a.add(k * p.lda),
                a_len: p.a_len - k * p.lda,
                b: p.b.add(k * p.rsb),
                init: if k == 0 { p.init } else { Init::Accumulate },
                depth,
                ..p
            }
        };
        let mut i = 0;
        while i + full <= m {
            // SAFETY: rows `i..i + full` lie within `0..m` and the block's depth within
            // `p.depth`; the caller vouches for the rest.
            unsafe { columns_nn::<S, MV, false>(s, block, i, n, s.mask(S::LANES)) };
            i += full;
        }
        let rest = m - i;
        if rest > 0 {
            let registers = rest.div_ceil(S::LANES);
            let mask = s.mask(rest - (registers - 1) * S::LANES);
            // SAFETY: rows `i..m` are the masked lanes of `registers` registers; as above.
            unsafe {
                match registers {
                    1 => columns_nn::<S, 1, true>(s, block, i, n, mask),
                    _ => columns_nn::<S, MV, true>(s, block, i, n, mask),
                }
            }
        }
        k += depth;
        if k >= p.depth {
            break;
        }
    }
}

/// One row panel of `V` registers at row `i`, in tiles of `NR` columns (narrower at the end).
///
/// # Safety
/// As [`gemm_nn`], with rows `i..i + V·LANES` (up to the mask when `MASKED`) within `0..m`.
#[target_feature(enable = "avx2,fma")]
unsafe fn columns_nn<S: Simd, const V: usize, const MASKED: bool>(
    s: S,
    p: Nn<S::Elem>,
    i: usize,
    n: usize,
    mask: S::Mask,
) {
    // Tiles as even as possible (32 columns: 6, 6, 5, 5, 5, 5 rather than five 6s and a 2): a
    // narrow last tile has too few accumulators to hide the FMA latency.
    let tiles = n.div_ceil(NR);
    let (narrow, wide) = (n / tiles, n % tiles);
    // A masked panel loads whole registers of `A` (running into the next column) for the
    // reduction steps where they stay within `A`: all but the last or last few. Saves the mask
    // register, so a masked panel takes tiles as wide as a full one (a 10-output layer's weight
    // gradient over 64 inputs: 1.47 → 1.10 µs).
    let unmasked_steps = match p.a_len.checked_sub(i + V * S::LANES) {
        Some(room) => (room / p.lda.max(1) + 1).min(p.depth),
        None => 0,
    };
    let mut j = 0;
    for tile in 0..tiles {
        let cols = narrow + usize::from(tile < wide);
        // SAFETY: columns `j..j + cols` lie within `0..n`; the caller vouches for the rest.
        unsafe {
            match cols {
                6 => tile_nn::<S, V, 6, MASKED>(s, p, (i, j), mask, unmasked_steps),
                5 => tile_nn::<S, V, 5, MASKED>(s, p, (i, j), mask, unmasked_steps),
                4 => tile_nn::<S, V, 4, MASKED>(s, p, (i, j), mask, unmasked_steps),
                3 => tile_nn::<S, V, 3, MASKED>(s, p, (i, j), mask, unmasked_steps),
                2 => tile_nn::<S, V, 2, MASKED>(s, p, (i, j), mask, unmasked_steps),
                _ => tile_nn::<S, V, 1, MASKED>(s, p, (i, j), mask, unmasked_steps),
            }
        }
        j += cols;
    }
}

/// One `V`-register × `C`-column tile of `C` at row `i`, column `j`, accumulated over the
/// block's depth in registers. With `MASKED`, the last register holds only the lanes of `mask`:
/// it is loaded whole for the first `unmasked_steps` steps of the reduction (its extra lanes
/// never reach `C`) and masked for the rest.
///
/// # Safety
/// As [`gemm_nn`], with rows `i..i + V·LANES` (the last register masked) and columns `j..j + C`
/// within `C`, and whole registers of `A` readable for the first `unmasked_steps` steps.
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn tile_nn<S: Simd, const V: usize, const C: usize, const MASKED: bool>(
    s: S,
    p: Nn<S::Elem>,
    (i, j): (usize, usize),
    mask: S::Mask,
    unmasked_steps: usize,
) {
    /// One step of the reduction: a piece of a column of `A` times `C` elements of a row of `B`.
    #[inline(always)]
    unsafe fn step<S: Simd, const V: usize, const C: usize>(
        s: S,
        acc: &mut [[S::Vector; V]; C],
        av: [S::Vector; V],
        b: *const S::Elem,
        csb: usize,
    ) {
        for (c, acc) in acc.iter_mut().enumerate() {
            // SAFETY: the caller's row of `B` holds these `C` elements.
            let bc = unsafe { s.splat(b.add(c * csb)) };
            for (acc, &av) in acc.iter_mut().zip(&av) {
                *acc = s.fmadd(av, bc, *acc);
            }
        }
    }
    // SAFETY: the caller guarantees that these rows and columns of `A`, `B`, `C` and the bias
    // are in bounds; masked lanes past the edge are never touched.
    unsafe {
        let out = p.c.add(i + j * p.ldc);
        let mut acc = match p.init {
            Init::Zero => [[s.zero(); V]; C],
            Init::Bias(bias) => [s.load_registers::<V, MASKED>(bias.add(i), mask); C],
            Init::Accumulate => {
                core::array::from_fn(|c| s.load_registers::<V, MASKED>(out.add(c * p.ldc), mask))
            }
        };
        let mut a = p.a.add(i);
        let mut b = p.b.add(j * p.csb);
        let unmasked_steps = if MASKED { unmasked_steps } else { p.depth };
        // Two steps per iteration: the loop's own instructions and the addresses of the row of
        // `B` are shared by twice the multiplications.
        for _ in 0..unmasked_steps / 2 {
            let av = s.load_registers::<V, false>(a, mask);
            step::<S, V, C>(s, &mut acc, av, b, p.csb);
            let av = s.load_registers::<V, false>(a.add(p.lda), mask);
            step::<S, V, C>(s, &mut acc, av, b.add(p.rsb), p.csb);
            // Past the last step these point beyond `A` and `B`, never read.
            a = a.wrapping_add(2 * p.lda);
            b = b.wrapping_add(2 * p.rsb);
        }
        for _ in unmasked_steps / 2 * 2..unmasked_steps {
            let av = s.load_registers::<V, false>(a, mask);
            step::<S, V, C>(s, &mut acc, av, b, p.csb);
            a = a.wrapping_add(p.lda);
            b = b.wrapping_add(p.rsb);
        }
        for _ in unmasked_steps..p.depth {
            let av = s.load_registers::<V, true>(a, mask);
            step::<S, V, C>(s, &mut acc, av, b, p.csb);
            a = a.wrapping_add(p.lda);
            b = b.wrapping_add(p.rsb);
        }
        for (c, acc) in acc.into_iter().enumerate() {
            s.store_registers::<V, MASKED>(out.add(c * p.ldc), mask, acc);
        }
    }
}
