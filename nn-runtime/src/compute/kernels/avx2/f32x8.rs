//! 8 lanes of `f32` in a `ymm` register.

use core::arch::x86_64::*;
use core::convert::Infallible;

use crate::compute::kernels::simd::Simd;
use crate::compute::simd as detect;

/// `-1` lanes followed by `0` lanes: a window of 8 starting at `8 − n` selects `n` lanes.
static MASK32: [i32; 16] = [-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0];

/// 8 lanes of `f32` in a `ymm` register; a value proves the CPU has AVX2 and FMA.
#[derive(Clone, Copy)]
pub(in crate::compute::kernels) struct F32x8(());

impl F32x8 {
    /// The token, if the CPU has AVX2 and FMA.
    #[inline]
    pub(in crate::compute::kernels) fn new() -> Option<Self> {
        detect::avx2_fma().then_some(Self(()))
    }
}

// SAFETY: `F32x8::new` is the only constructor and checks AVX2 and FMA at run time.
unsafe impl Simd for F32x8 {
    type Elem = f32;
    type Vector = __m256;
    type Mask = __m256i;
    type Shift = Infallible;
    const LANES: usize = 8;

    /// 2 × 8 = 16 rows.
    const NN_ROWS: usize = 2;
    /// 12 accumulators, 2 loaded rows and a broadcast fill the 16 registers (3 × 4 tiles
    /// spilled an accumulator).
    const NN_ACCUMULATORS: usize = 12;
    /// The row panel (4 KiB) stays in L1 even when `A`'s columns are a power of two apart and
    /// share a few cache sets (the forward `W·X` of a 128-row layer: 78 GFLOP/s at 64, 60 at
    /// 256).
    const KC: usize = 64;
    /// Transposed through registers, a square at a time, the copy stays cheaper than the sums
    /// across lanes up to a depth of 64 (best of interleaved runs, `Wᵀ·Δ` over 32 samples: 64×64
    /// 3.9 → 3.3 µs, 32×64 2.2 → 1.7 µs) and is even with them at 128.
    const SHORT_DOT: usize = 65;

    #[inline(always)]
    fn vectorize<R>(self, f: impl FnOnce() -> R) -> R {
        #[target_feature(enable = "avx2,fma")]
        #[inline]
        fn build<R>(f: impl FnOnce() -> R) -> R {
            f()
        }
        // SAFETY: the token proves AVX2 and FMA.
        unsafe { build(f) }
    }

    #[inline(always)]
    fn zero(self) -> __m256 {
        // SAFETY: the token proves AVX is available (trait contract).
        unsafe { _mm256_setzero_ps() }
    }

    #[inline(always)]
    fn fmadd(self, a: __m256, b: __m256, c: __m256) -> __m256 {
        // SAFETY: the token proves FMA is available.
        unsafe { _mm256_fmadd_ps(a, b, c) }
    }

    #[inline(always)]
    fn add(self, a: __m256, b: __m256) -> __m256 {
        // SAFETY: the token proves AVX is available.
        unsafe { _mm256_add_ps(a, b) }
    }

    #[inline(always)]
    fn mask(self, lanes: usize) -> __m256i {
        let window = &MASK32[8 - lanes..16 - lanes];
        // SAFETY: `window` holds 8 `i32`, exactly one unaligned 256-bit load; AVX is available.
        unsafe { _mm256_loadu_si256(window.as_ptr().cast()) }
    }

    /// Never: joining registers costs two permutes and a blend on AVX2, more than the split
    /// loads it saves (a 784-128 single-sample product: 6.2 µs split, 8.2 µs joined).
    #[inline(always)]
    fn shift(self, _lanes: usize) -> Option<Infallible> {
        None
    }

    #[inline(always)]
    fn shifted(self, _low: Self::Vector, _high: Self::Vector, shift: Infallible) -> Self::Vector {
        match shift {}
    }

    #[inline(always)]
    fn shift_head(self, shift: Infallible) -> __m256i {
        match shift {}
    }

    #[inline(always)]
    fn hsum(self, v: __m256) -> f32 {
        // SAFETY: the token proves AVX is available; no memory is touched.
        unsafe {
            let s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
            let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
            _mm_cvtss_f32(_mm_add_ss(s, _mm_shuffle_ps::<1>(s, s)))
        }
    }

    #[inline(always)]
    unsafe fn load(self, p: *const f32) -> __m256 {
        // SAFETY: the caller guarantees 8 readable elements; AVX is available.
        unsafe { _mm256_loadu_ps(p) }
    }

    #[inline(always)]
    unsafe fn load_masked(self, p: *const f32, m: __m256i) -> __m256 {
        // SAFETY: masked-off lanes are not accessed; the caller guarantees the others.
        unsafe { _mm256_maskload_ps(p, m) }
    }

    #[inline(always)]
    unsafe fn splat(self, p: *const f32) -> __m256 {
        // SAFETY: the caller guarantees `p` is readable.
        unsafe { _mm256_broadcast_ss(&*p) }
    }

    #[inline(always)]
    unsafe fn store(self, p: *mut f32, v: __m256) {
        // SAFETY: the caller guarantees 8 writable elements.
        unsafe { _mm256_storeu_ps(p, v) }
    }

    #[inline(always)]
    unsafe fn store_masked(self, p: *mut f32, m: __m256i, v: __m256) {
        // SAFETY: masked-off lanes are not accessed; the caller guarantees the others.
        unsafe { _mm256_maskstore_ps(p, m, v) }
    }

    #[inline(always)]
    unsafe fn transpose(self, src: *const f32, lds: usize, dst: *mut f32, ldd: usize) {
        // SAFETY: the caller guarantees the 8 columns read and the 8 rows written; AVX is
        // available.
        unsafe {
            let columns = core::array::from_fn(|c| _mm256_loadu_ps(src.add(c * lds)));
            for (r, row) in transpose8(columns).into_iter().enumerate() {
                _mm256_storeu_ps(dst.add(r * ldd), row);
            }
        }
    }

    #[inline(always)]
    unsafe fn transpose_edge(
        self,
        src: *const f32,
        lds: usize,
        dst: *mut f32,
        ldd: usize,
        (rows, cols): (usize, usize),
    ) {
        let (load, store) = (self.mask(rows), self.mask(cols));
        // SAFETY: the caller guarantees the `rows` elements of the `cols` columns read and the
        // `cols` elements of the `rows` rows written; masked-off lanes are not accessed; AVX is
        // available.
        unsafe {
            let columns = core::array::from_fn(|c| {
                if c < cols {
                    _mm256_maskload_ps(src.add(c * lds), load)
                } else {
                    _mm256_setzero_ps()
                }
            });
            for (r, row) in transpose8(columns).into_iter().enumerate().take(rows) {
                _mm256_maskstore_ps(dst.add(r * ldd), store, row);
            }
        }
    }

    #[inline(always)]
    unsafe fn store_sums4(self, p: *mut f32, [a, b, c, d]: [__m256; 4]) {
        // SAFETY: the caller guarantees 4 writable elements; AVX is available.
        unsafe {
            // [a01 a23 b01 b23 | a45 a67 b45 b67], likewise for c, d; then [a b c d | a b c d].
            let h = _mm256_hadd_ps(_mm256_hadd_ps(a, b), _mm256_hadd_ps(c, d));
            let s = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps::<1>(h));
            _mm_storeu_ps(p, s);
        }
    }
}

/// The rows of the 8 × 8 block whose columns are `columns`.
///
/// # Safety
/// AVX must be available.
#[inline(always)]
unsafe fn transpose8(columns: [__m256; 8]) -> [__m256; 8] {
    let [r0, r1, r2, r3, r4, r5, r6, r7] = columns;
    // SAFETY: AVX is available, as the caller guarantees.
    unsafe {
        // Pairs of columns interleaved, then quadruples: [r0[k] r1[k] r2[k] r3[k] | same k + 4].
        let (t0, t1) = (_mm256_unpacklo_ps(r0, r1), _mm256_unpackhi_ps(r0, r1));
        let (t2, t3) = (_mm256_unpacklo_ps(r2, r3), _mm256_unpackhi_ps(r2, r3));
        let (t4, t5) = (_mm256_unpacklo_ps(r4, r5), _mm256_unpackhi_ps(r4, r5));
        let (t6, t7) = (_mm256_unpacklo_ps(r6, r7), _mm256_unpackhi_ps(r6, r7));
        let quads = [
            (
                _mm256_shuffle_ps::<0x44>(t0, t2),
                _mm256_shuffle_ps::<0x44>(t4, t6),
            ),
            (
                _mm256_shuffle_ps::<0xEE>(t0, t2),
                _mm256_shuffle_ps::<0xEE>(t4, t6),
            ),
            (
                _mm256_shuffle_ps::<0x44>(t1, t3),
                _mm256_shuffle_ps::<0x44>(t5, t7),
            ),
            (
                _mm256_shuffle_ps::<0xEE>(t1, t3),
                _mm256_shuffle_ps::<0xEE>(t5, t7),
            ),
        ];
        // Row k from the low halves, row k + 4 from the high ones.
        let mut rows = [_mm256_setzero_ps(); 8];
        for (k, (low, high)) in quads.into_iter().enumerate() {
            rows[k] = _mm256_permute2f128_ps::<0x20>(low, high);
            rows[k + 4] = _mm256_permute2f128_ps::<0x31>(low, high);
        }
        rows
    }
}
