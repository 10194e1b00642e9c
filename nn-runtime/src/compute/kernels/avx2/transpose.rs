//! Transposition of column-major blocks through registers, and the size of the stack buffers
//! the kernels transpose into.

use super::lanes::Simd;
use super::nn::MV;

/// Elements in a kernel's stack buffer for a transposed block (8 KiB of `f32`).
pub(super) const TRANSPOSED: usize = 2048;

/// How many rows of `row_len` elements one such buffer holds at a time, in whole row panels of
/// `gemm_nn` and at most `rows`: the rows of a block the kernels transpose and multiply.
pub(super) fn block_rows<S: Simd>(row_len: usize, rows: usize) -> usize {
    let panel = MV * S::LANES;
    (TRANSPOSED / row_len.max(1) / panel * panel).min(rows)
}

/// Writes the transpose of the `depth × rows` column-major block at `a` (columns `lda` apart)
/// to `at` as a `rows × depth` column-major block: `at[r + i·rows] = a[i + r·lda]`. Whole
/// `LANES × LANES` squares go through registers, the edges one element at a time.
///
/// # Safety
/// AVX2 must be available, `a` readable and `at` writable for those blocks.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn transpose<S: Simd>(
    s: S,
    a: *const S::Elem,
    lda: usize,
    at: *mut S::Elem,
    (depth, rows): (usize, usize),
) {
    let lanes = S::LANES;
    let (whole_depth, whole_rows) = (depth / lanes * lanes, rows / lanes * lanes);
    // SAFETY: every square and element lies within the two blocks, as the caller guarantees.
    unsafe {
        for r in (0..whole_rows).step_by(lanes) {
            for i in (0..whole_depth).step_by(lanes) {
                s.transpose(a.add(i + r * lda), lda, at.add(r + i * rows), rows);
            }
            for i in whole_depth..depth {
                for r in r..r + lanes {
                    at.add(r + i * rows).write(*a.add(i + r * lda));
                }
            }
        }
        for r in whole_rows..rows {
            for i in 0..depth {
                at.add(r + i * rows).write(*a.add(i + r * lda));
            }
        }
    }
}
