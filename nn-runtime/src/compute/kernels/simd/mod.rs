//! The SIMD kernels, written once against [`Simd`] and instantiated for every instruction set
//! and element type: register-blocked products straight on the column-major data, no packing and
//! no allocation.
//!
//! * `nn`: `A·B (+ bias)`, for the forward pass `W·X + b` and the weight gradient `Δ·Xᵀ`;
//! * `tn`: `Aᵀ·B`, for the input gradient `Wᵀ·Δ`;
//! * `gemv`: `A·x + bias`, for one sample;
//! * `transpose`: blocks transposed through registers into a stack buffer;
//! * `lanes`: the [`Simd`] trait that the register types of `avx2` and `avx512` implement.
//!
//! The functions here check the slice lengths once; everything below works on raw pointers within
//! those bounds. Edges (sizes that are not multiples of a tile) use narrower tiles and masked
//! loads and stores, never touching memory outside the slices.

mod gemv;
mod lanes;
mod nn;
mod tn;
mod transpose;

pub(super) use lanes::Simd;
use nn::{Init, Nn, gemm_nn};
use tn::{gemm_tn, transposed_tn};
use transpose::{Transposed, block_rows, transpose};

/// `Z = W·X + b`: `w` is `out × inp`, `x` is `inp × n`, `z` is `out × n`, all column-major.
pub(super) fn forward<S: Simd>(
    s: S,
    w: &[S::Elem],
    bias: &[S::Elem],
    x: &[S::Elem],
    z: &mut [S::Elem],
    (out, inp, n): (usize, usize, usize),
) {
    assert!(z.len() == out * n);
    // SAFETY: `z` holds the `out × n` result and is borrowed mutably here.
    unsafe { forward_columns(s, w, Some(bias), x, z.as_mut_ptr(), (out, inp, n), 0..inp) }
}

/// The part of [`forward`]'s `Z` that columns `columns` of `W` (steps `columns` of the
/// reduction) contribute, plus the bias if given, written through `z`. Each value is one chain
/// of fused multiply-adds, as in [`forward`], over the given steps.
///
/// # Safety
/// `z` must be valid for writes of `out × n` values that nothing else accesses meanwhile.
pub(super) unsafe fn forward_columns<S: Simd>(
    s: S,
    w: &[S::Elem],
    bias: Option<&[S::Elem]>,
    x: &[S::Elem],
    z: *mut S::Elem,
    (out, inp, n): (usize, usize, usize),
    columns: core::ops::Range<usize>,
) {
    assert!(w.len() == out * inp && x.len() == inp * n);
    assert!(columns.start <= columns.end && columns.end <= inp);
    assert!(bias.is_none_or(|bias| bias.len() == out));
    let first = columns.start;
    // SAFETY: `first <= inp`: the offsets stay within (or one past the end of) `w` and `x`.
    let p = unsafe {
        Nn {
            a: w.as_ptr().add(first * out),
            lda: out,
            a_len: w.len() - first * out,
            b: x.as_ptr().add(first),
            rsb: 1,
            csb: inp,
            c: z,
            ldc: out,
            init: bias.map_or(Init::Zero, |bias| Init::Bias(bias.as_ptr())),
            depth: columns.len(),
        }
    };
    // SAFETY: the lengths checked above (and the caller's `z`) cover every access of an
    // `out × n` product over reduction steps `columns` through these strides.
    unsafe { gemm_nn(s, p, out, n) }
}

/// `∂W = Δ·Xᵀ` (`out × inp`) from `Δ` (`out × n`) and `X` (`inp × n`), all column-major.
pub(super) fn weight_gradient<S: Simd>(
    s: S,
    dw: &mut [S::Elem],
    x: &[S::Elem],
    delta: &[S::Elem],
    (out, inp, n): (usize, usize, usize),
) {
    weight_gradient_columns(s, dw, x, delta, (out, inp, n), 0..inp);
}

/// Columns `columns` of [`weight_gradient`]'s `∂W` into `dw`, which holds just them
/// (`out × columns.len()`). Each value is the same chain of operations as in
/// [`weight_gradient`], so pieces of columns computed apart give the same bits as the whole.
pub(super) fn weight_gradient_columns<S: Simd>(
    s: S,
    dw: &mut [S::Elem],
    x: &[S::Elem],
    delta: &[S::Elem],
    (out, inp, n): (usize, usize, usize),
    columns: core::ops::Range<usize>,
) {
    assert!(columns.start <= columns.end && columns.end <= inp);
    assert!(dw.len() == out * columns.len());
    assert!(x.len() == inp * n && delta.len() == out * n);
    if out < S::NN_ROWS * S::LANES {
        // SAFETY: the lengths are checked above.
        return unsafe { weight_gradient_transposed(s, dw, x, delta, (out, inp, n), columns) };
    }
    if columns.is_empty() {
        return;
    }
    // SAFETY: `columns.start < inp`: the offset stays within `x`.
    let p = unsafe {
        Nn {
            a: delta.as_ptr(),
            lda: out,
            a_len: delta.len(),
            b: x.as_ptr().add(columns.start),
            rsb: inp,
            csb: 1,
            c: dw.as_mut_ptr(),
            ldc: out,
            init: Init::Zero,
            depth: n,
        }
    };
    // SAFETY: `Xᵀ[j, k] = x[j·inp + k]`; columns `columns` of it, and the lengths checked above,
    // cover every access of an `out × columns.len()` product with reduction depth `n`.
    unsafe { gemm_nn(s, p, out, columns.len()) }
}

/// [`weight_gradient`] for layers with fewer outputs than a row panel, whose rows would fill
/// only part of its registers (10 of 16 for a 10-class output on AVX2): computes `∂Wᵀ = X·Δᵀ`,
/// with the inputs along the registers, a block of rows at a time into a stack buffer, and
/// transposes each block into `∂W` (AVX2, best of interleaved runs over 32 samples: a 10×64
/// layer 0.97 → 0.61 µs, 10×32 0.51 → 0.33 µs). Each value is the same chain of fused
/// multiply-adds as in [`gemm_nn`], so the two give the same bits.
///
/// # Safety
/// `out < NN_ROWS·LANES`, and the slices as [`weight_gradient_columns`] checks them.
unsafe fn weight_gradient_transposed<S: Simd>(
    s: S,
    dw: &mut [S::Elem],
    x: &[S::Elem],
    delta: &[S::Elem],
    (out, inp, n): (usize, usize, usize),
    columns: core::ops::Range<usize>,
) {
    if out == 0 || columns.is_empty() {
        return;
    }
    let mut buffer = Transposed::new();
    let at = buffer.as_mut_ptr::<S::Elem>();
    let block = block_rows::<S>(out, inp);
    let mut i = columns.start;
    while i < columns.end {
        let rows = block.min(columns.end - i);
        // SAFETY: rows `i..i + rows` of `X` (`inp × n`, so `x.len() − i` elements readable from
        // row `i`), `Δᵀ[r, c] = delta[c + r·out]` within `delta`, and a `rows × out` block of
        // `∂Wᵀ` in `buffer` (`rows·out` fits, as `block` does, and `block > 0` as `out` is less
        // than a panel); its transpose lands in columns `i..i + rows` of `∂W`, within `dw`, which
        // starts at column `columns.start`.
        unsafe {
            let p = Nn {
                a: x.as_ptr().add(i),
                lda: inp,
                a_len: x.len() - i,
                b: delta.as_ptr(),
                rsb: out,
                csb: 1,
                c: at,
                ldc: rows,
                init: Init::Zero,
                depth: n,
            };
            gemm_nn(s, p, rows, out);
            transpose(
                s,
                at,
                rows,
                dw.as_mut_ptr().add((i - columns.start) * out),
                (rows, out),
            );
        }
        i += rows;
    }
}

/// `∂X = Wᵀ·Δ` (`inp × n`) from `W` (`out × inp`) and `Δ` (`out × n`), all column-major.
pub(super) fn input_gradient<S: Simd>(
    s: S,
    w: &[S::Elem],
    delta: &[S::Elem],
    dx: &mut [S::Elem],
    (out, inp, n): (usize, usize, usize),
) {
    assert!(dx.len() == inp * n);
    // SAFETY: `dx` holds the `inp × n` result and is borrowed mutably here.
    unsafe { input_gradient_rows(s, w, delta, dx.as_mut_ptr(), (out, inp, n), 0..inp) }
}

/// The rows of `∂X` whose sums [`input_gradient_rows`] finishes together, from the first of its
/// rows: pieces that start at multiples of it give the same bits as the whole.
#[cfg(feature = "train")]
pub(super) const INPUT_GRADIENT_GROUP: usize = tn::KB;

/// Rows `rows` of [`input_gradient`]'s `∂X` (from columns `rows` of `W`), written through
/// `dx`; the other rows are not touched. Each value is the same dot product as in
/// [`input_gradient`] where `rows` starts at a multiple of [`INPUT_GRADIENT_GROUP`], so such
/// pieces of rows computed apart give the same bits as the whole.
///
/// # Safety
/// `dx` must be valid for writes of the `inp × n` result, and nothing else may access its rows
/// `rows` meanwhile.
pub(super) unsafe fn input_gradient_rows<S: Simd>(
    s: S,
    w: &[S::Elem],
    delta: &[S::Elem],
    dx: *mut S::Elem,
    (out, inp, n): (usize, usize, usize),
    rows: core::ops::Range<usize>,
) {
    assert!(w.len() == out * inp && delta.len() == out * n);
    assert!(rows.start <= rows.end && rows.end <= inp);
    // SAFETY: `rows.start <= inp`: the offsets stay within (or one past the end of) `W` and the
    // caller's `dx`.
    let (w, delta, dx) = unsafe {
        (
            w.as_ptr().add(rows.start * out),
            delta.as_ptr(),
            dx.add(rows.start),
        )
    };
    let shape = (out, rows.len(), n);
    if out < S::SHORT_DOT {
        // SAFETY: the lengths checked above cover columns `rows` of `W` and `n` columns of `Δ`,
        // each `out < SHORT_DOT` long; the caller's `dx` the rows `rows` of `n` columns `inp`
        // apart.
        unsafe { transposed_tn(s, w, delta, (dx, inp), shape) }
    } else {
        // SAFETY: as above, without the bound on `out`.
        unsafe { gemm_tn(s, w, delta, (dx, inp), shape) }
    }
}

/// `y = W·x + b` for one sample: `w` is `out × inp` column-major, `x` has `inp` values.
pub(super) fn vector<S: Simd>(
    s: S,
    w: &[S::Elem],
    bias: &[S::Elem],
    x: &[S::Elem],
    y: &mut [S::Elem],
    (out, inp): (usize, usize),
) {
    assert!(w.len() == out * inp && bias.len() == out && x.len() == inp && y.len() == out);
    let product = if gemv::wants_blocks(out, inp, core::mem::size_of::<S::Elem>()) {
        gemv::gemv_blocked::<S>
    } else {
        gemv::gemv::<S>
    };
    // SAFETY: the lengths checked above cover every access.
    unsafe {
        product(
            s,
            w.as_ptr(),
            bias.as_ptr(),
            x.as_ptr(),
            y.as_mut_ptr(),
            (out, inp),
        )
    }
}
