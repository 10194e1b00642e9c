//! `C = A·B (+ bias)` on column-major `A` and `C` and a strided `B`, no packing: the forward pass
//! `W·X + b` and the weight gradient `Δ·Xᵀ`.
//!
//! A tile of `V` registers of rows × `nn_columns(V)` columns of `C` lives in registers while each
//! step of the reduction loads one contiguous piece of a column of `A` and broadcasts one element
//! of `B` per column. The row panels are `S::NN_ROWS` registers tall, the last one narrower and
//! masked (its loads of `A` only at the last steps); the column tiles are as even as possible.
//!
//! Every value of `C` is its start (zero, the bias, or the value left by the previous block of
//! the reduction) followed by one fused multiply-add per reduction step, in order: the result
//! does not depend on the tile shapes, the register width or the number of columns.

use super::lanes::{MAX_COLUMNS, Simd, nn_columns};

/// The operands of `C = A·B (+ bias)`, all in bounds for the sizes they are used with.
#[derive(Clone, Copy)]
pub(super) struct Nn<E> {
    /// `A`, `m × depth`, column-major: `A[i, r] = a[i + r·lda]`.
    pub(super) a: *const E,
    /// The distance between columns of `A`.
    pub(super) lda: usize,
    /// How many initialized elements can be read from `a` (at least `(depth − 1)·lda + m`): a
    /// masked panel loads whole registers, past its last row, wherever they stay within these.
    pub(super) a_len: usize,
    /// `B`, `depth × n`: `B[r, c] = b[r·rsb + c·csb]`.
    pub(super) b: *const E,
    /// The distance between rows of `B`.
    pub(super) rsb: usize,
    /// The distance between columns of `B`.
    pub(super) csb: usize,
    /// `C`, `m × n`, column-major with leading dimension `ldc`.
    pub(super) c: *mut E,
    /// The distance between columns of `C`.
    pub(super) ldc: usize,
    /// What `C` starts from.
    pub(super) init: Init<E>,
    /// The length of the reduction.
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

/// Evaluates `$call` with the constant `$N` bound to `$value`, one of `1..=12`, where
/// `$allowed` (a constant expression of `$N`) holds; the other instantiations are never compiled.
macro_rules! with_constant {
    ($value:expr, $N:ident if $allowed:expr => $call:expr) => {
        with_constant!(@arms $value, $N, $allowed, $call; 1 2 3 4 5 6 7 8 9 10 11 12)
    };
    (@arms $value:expr, $N:ident, $allowed:expr, $call:expr; $($n:literal)*) => {
        match $value {
            $($n => {
                const $N: usize = $n;
                if const { $allowed } { $call } else { unreachable!() }
            })*
            _ => unreachable!(),
        }
    };
}
const _: () = assert!(MAX_COLUMNS <= 12, "`with_constant` covers the tile widths");
pub(super) use with_constant;

/// `C = A·B (+ bias)` for `C` of `m × n`: the depth in blocks of `S::KC`, each block in row
/// panels of `S::NN_ROWS` registers (the last one narrower and masked), each panel in tiles of
/// columns.
///
/// # Safety
/// `p` must be in bounds for `m`, `n` and `p.depth`.
pub(super) unsafe fn gemm_nn<S: Simd>(s: S, p: Nn<S::Elem>, m: usize, n: usize) {
    if m == 0 || n == 0 {
        return;
    }
    s.vectorize(
        #[inline(always)]
        || {
            let full = S::NN_ROWS * S::LANES;
            let mut k = 0;
            loop {
                let depth = S::KC.min(p.depth - k);
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
                    unsafe {
                        with_constant!(S::NN_ROWS, V if V == S::NN_ROWS =>
                            columns_nn::<S, V, false>(s, block, i, n, s.mask(S::LANES)))
                    };
                    i += full;
                }
                let rest = m - i;
                if rest > 0 {
                    let registers = rest.div_ceil(S::LANES);
                    let mask = s.mask(rest - (registers - 1) * S::LANES);
                    // SAFETY: rows `i..m` are the masked lanes of `registers <= NN_ROWS` registers; as
                    // above.
                    unsafe {
                        with_constant!(registers, V if V <= S::NN_ROWS =>
                            columns_nn::<S, V, true>(s, block, i, n, mask))
                    };
                }
                k += depth;
                if k >= p.depth {
                    break;
                }
            }
        },
    )
}

/// One row panel of `V` registers at row `i`, in tiles of up to `nn_columns(V)` columns.
///
/// # Safety
/// As [`gemm_nn`], with rows `i..i + V·LANES` (up to the mask when `MASKED`) within `0..m`.
unsafe fn columns_nn<S: Simd, const V: usize, const MASKED: bool>(
    s: S,
    p: Nn<S::Elem>,
    i: usize,
    n: usize,
    mask: S::Mask,
) {
    let widest = nn_columns::<S>(V);
    // Tiles as even as possible (32 columns in tiles of 6: 6, 6, 5, 5, 5, 5 rather than five
    // 6s and a 2): a narrow last tile has too few accumulators to hide the FMA latency.
    let tiles = n.div_ceil(widest);
    let (narrow, wide) = (n / tiles, n % tiles);
    // A masked panel loads whole registers of `A` (running into the next column) for the
    // reduction steps where they stay within `A`: all but the last or last few. Saves the mask
    // register, so a masked panel takes tiles as wide as a full one (a 10-output layer's weight
    // gradient over 64 inputs: 1.47 → 1.10 µs).
    let unmasked_steps = match p.a_len.checked_sub(i + V * S::LANES) {
        Some(room) => (room / p.lda.max(1) + 1).min(p.depth),
        None => 0,
    };
    s.vectorize(
        #[inline(always)]
        || {
            let mut j = 0;
            for tile in 0..tiles {
                let cols = narrow + usize::from(tile < wide);
                // SAFETY: columns `j..j + cols` lie within `0..n`, `cols <= nn_columns(V)`;
                // the caller vouches for the rest.
                unsafe {
                    with_constant!(cols, C if C <= nn_columns::<S>(V) =>
                        tile_nn::<S, V, C, MASKED>(s, p, (i, j), mask, unmasked_steps))
                }
                j += cols;
            }
        },
    )
}

/// One `V`-register × `C`-column tile of `C` at row `i`, column `j`, accumulated over the
/// block's depth in registers. With `MASKED`, the last register holds only the lanes of `mask`:
/// it is loaded whole for the first `unmasked_steps` steps of the reduction (its extra lanes
/// never reach `C`) and masked for the rest.
///
/// # Safety
/// As [`gemm_nn`], with rows `i..i + V·LANES` (the last register masked) and columns `j..j + C`
/// within `C`, and whole registers of `A` readable for the first `unmasked_steps` steps.
#[inline(always)]
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
