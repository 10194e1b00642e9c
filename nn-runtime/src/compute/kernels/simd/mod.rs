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
    assert!(w.len() == out * inp && bias.len() == out);
    assert!(x.len() == inp * n && z.len() == out * n);
    let p = Nn {
        a: w.as_ptr(),
        lda: out,
        a_len: w.len(),
        b: x.as_ptr(),
        rsb: 1,
        csb: inp,
        c: z.as_mut_ptr(),
        ldc: out,
        init: Init::Bias(bias.as_ptr()),
        depth: inp,
    };
    // SAFETY: the lengths checked above cover every access of an `out × n` product with
    // reduction depth `inp` through these strides.
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
    assert!(dw.len() == out * inp);
    assert!(x.len() == inp * n && delta.len() == out * n);
    if out < S::NN_ROWS * S::LANES {
        // SAFETY: the lengths are checked above.
        return unsafe { weight_gradient_transposed(s, dw, x, delta, (out, inp, n)) };
    }
    let p = Nn {
        a: delta.as_ptr(),
        lda: out,
        a_len: delta.len(),
        b: x.as_ptr(),
        rsb: inp,
        csb: 1,
        c: dw.as_mut_ptr(),
        ldc: out,
        init: Init::Zero,
        depth: n,
    };
    // SAFETY: `Xᵀ[j, k] = x[j·inp + k]` and the lengths checked above cover every access of an
    // `out × inp` product with reduction depth `n`.
    unsafe { gemm_nn(s, p, out, inp) }
}

/// [`weight_gradient`] for layers with fewer outputs than a row panel, whose rows would fill
/// only part of its registers (10 of 16 for a 10-class output on AVX2): computes `∂Wᵀ = X·Δᵀ`,
/// with the inputs along the registers, a block of rows at a time into a stack buffer, and
/// transposes each block into `∂W` (AVX2, best of interleaved runs over 32 samples: a 10×64
/// layer 0.97 → 0.61 µs, 10×32 0.51 → 0.33 µs). Each value is the same chain of fused
/// multiply-adds as in [`gemm_nn`], so the two give the same bits.
///
/// # Safety
/// `out < NN_ROWS·LANES`, and the slices as [`weight_gradient`] checks them.
unsafe fn weight_gradient_transposed<S: Simd>(
    s: S,
    dw: &mut [S::Elem],
    x: &[S::Elem],
    delta: &[S::Elem],
    (out, inp, n): (usize, usize, usize),
) {
    if out == 0 || inp == 0 {
        return;
    }
    let mut buffer = Transposed::new();
    let at = buffer.as_mut_ptr::<S::Elem>();
    let block = block_rows::<S>(out, inp);
    let mut i = 0;
    while i < inp {
        let rows = block.min(inp - i);
        // SAFETY: rows `i..i + rows` of `X` (`inp × n`, so `x.len() − i` elements readable from
        // row `i`), `Δᵀ[r, c] = delta[c + r·out]` within `delta`, and a `rows × out` block of
        // `∂Wᵀ` in `buffer` (`rows·out` fits, as `block` does, and `block > 0` as `out` is less
        // than a panel); its transpose lands in columns `i..i + rows` of `∂W`.
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
            transpose(s, at, rows, dw.as_mut_ptr().add(i * out), (rows, out));
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
    assert!(w.len() == out * inp && delta.len() == out * n && dx.len() == inp * n);
    let (w, delta, dx) = (w.as_ptr(), delta.as_ptr(), dx.as_mut_ptr());
    if out < S::SHORT_DOT {
        // SAFETY: the lengths checked above cover `inp` columns of `W` and `n` columns of `Δ`,
        // each `out < SHORT_DOT` long, and the `inp × n` result.
        unsafe { transposed_tn(s, w, delta, dx, (out, inp, n)) }
    } else {
        // SAFETY: as above, without the bound on `out`.
        unsafe { gemm_tn(s, w, delta, dx, (out, inp, n)) }
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
