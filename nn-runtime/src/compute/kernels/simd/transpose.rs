//! Transposition of column-major blocks through registers, and the stack buffer the kernels
//! transpose into.

use core::mem::MaybeUninit;

use super::lanes::Simd;

/// Bytes in a kernel's stack buffer for a transposed block: 8 192 `f32` or 4 096 `f64`, a
/// 64-row panel of AVX-512 `f32` (a 32-row one of `f64`) over a depth of 128.
const TRANSPOSED_BYTES: usize = 32 * 1024;

/// A stack buffer for a transposed block, aligned to a cache line.
#[repr(C, align(64))]
pub(super) struct Transposed([MaybeUninit<u8>; TRANSPOSED_BYTES]);

impl Transposed {
    /// An uninitialized buffer.
    #[inline(always)]
    pub(super) fn new() -> Self {
        Self([MaybeUninit::uninit(); TRANSPOSED_BYTES])
    }

    /// The buffer as elements of `E`: [`Self::capacity`] of them can be written.
    #[inline(always)]
    pub(super) fn as_mut_ptr<E>(&mut self) -> *mut E {
        self.0.as_mut_ptr().cast()
    }

    /// How many elements of `E` the buffer holds.
    #[inline(always)]
    pub(super) const fn capacity<E>() -> usize {
        TRANSPOSED_BYTES / core::mem::size_of::<E>()
    }
}

/// How many rows of `row_len` elements one [`Transposed`] buffer holds at a time, in whole row
/// panels of `gemm_nn` and at most `rows`: the rows of a block the kernels transpose and multiply
/// (zero when one panel does not fit).
#[inline(always)]
pub(super) fn block_rows<S: Simd>(row_len: usize, rows: usize) -> usize {
    let panel = S::NN_ROWS * S::LANES;
    (Transposed::capacity::<S::Elem>() / row_len.max(1) / panel * panel).min(rows)
}

/// Writes the transpose of the `depth × rows` column-major block at `a` (columns `lda` apart)
/// to `at` as a `rows × depth` column-major block: `at[r + i·rows] = a[i + r·lda]`. Whole
/// `LANES × LANES` squares go through registers, and so do the partial squares at the edges,
/// through masked loads and stores.
///
/// # Safety
/// `a` must be readable and `at` writable for those blocks.
pub(super) unsafe fn transpose<S: Simd>(
    s: S,
    a: *const S::Elem,
    lda: usize,
    at: *mut S::Elem,
    (depth, rows): (usize, usize),
) {
    let lanes = S::LANES;
    s.vectorize(
        #[inline(always)]
        || {
            for r in (0..rows).step_by(lanes) {
                let square_rows = lanes.min(rows - r);
                for i in (0..depth).step_by(lanes) {
                    let square_depth = lanes.min(depth - i);
                    // SAFETY: elements `i..i + square_depth` of columns `r..r + square_rows`
                    // of the first block and their places in the second lie within the blocks,
                    // as the caller guarantees.
                    unsafe {
                        let (from, to) = (a.add(i + r * lda), at.add(r + i * rows));
                        if square_rows == lanes && square_depth == lanes {
                            s.transpose(from, lda, to, rows);
                        } else {
                            s.transpose_edge(from, lda, to, rows, (square_depth, square_rows));
                        }
                    }
                }
            }
        },
    )
}
