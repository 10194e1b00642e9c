//! 4 lanes of `f64` in a `ymm` register.

use core::arch::x86_64::*;
use core::convert::Infallible;

use crate::compute::kernels::simd::Simd;
use crate::compute::simd as detect;

/// `-1` lanes followed by `0` lanes: a window of 4 starting at `4 − n` selects `n` lanes.
static MASK64: [i64; 8] = [-1, -1, -1, -1, 0, 0, 0, 0];

/// 4 lanes of `f64` in a `ymm` register; a value proves the CPU has AVX2 and FMA.
#[derive(Clone, Copy)]
pub(in crate::compute::kernels) struct F64x4(());

impl F64x4 {
    /// The token, if the CPU has AVX2 and FMA.
    #[inline]
    pub(in crate::compute::kernels) fn new() -> Option<Self> {
        detect::avx2_fma().then_some(Self(()))
    }
}

// SAFETY: `F64x4::new` is the only constructor and checks AVX2 and FMA at run time.
unsafe impl Simd for F64x4 {
    type Elem = f64;
    type Vector = __m256d;
    type Mask = __m256i;
    type Shift = Infallible;
    const LANES: usize = 4;

    /// As for `f32`: 2 × 4 = 8 rows.
    const NN_ROWS: usize = 2;
    /// As for `f32`.
    const NN_ACCUMULATORS: usize = 12;
    /// As for `f32`.
    const KC: usize = 64;
    /// As for `f32`.
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
    fn zero(self) -> __m256d {
        // SAFETY: the token proves AVX is available (trait contract).
        unsafe { _mm256_setzero_pd() }
    }

    #[inline(always)]
    fn fmadd(self, a: __m256d, b: __m256d, c: __m256d) -> __m256d {
        // SAFETY: the token proves FMA is available.
        unsafe { _mm256_fmadd_pd(a, b, c) }
    }

    #[inline(always)]
    fn add(self, a: __m256d, b: __m256d) -> __m256d {
        // SAFETY: the token proves AVX is available.
        unsafe { _mm256_add_pd(a, b) }
    }

    #[inline(always)]
    fn mask(self, lanes: usize) -> __m256i {
        let window = &MASK64[4 - lanes..8 - lanes];
        // SAFETY: `window` holds 4 `i64`, exactly one unaligned 256-bit load; AVX is available.
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
    fn hsum(self, v: __m256d) -> f64 {
        // SAFETY: the token proves AVX is available; no memory is touched.
        unsafe {
            let s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd::<1>(v));
            _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)))
        }
    }

    #[inline(always)]
    unsafe fn load(self, p: *const f64) -> __m256d {
        // SAFETY: the caller guarantees 4 readable elements; AVX is available.
        unsafe { _mm256_loadu_pd(p) }
    }

    #[inline(always)]
    unsafe fn load_masked(self, p: *const f64, m: __m256i) -> __m256d {
        // SAFETY: masked-off lanes are not accessed; the caller guarantees the others.
        unsafe { _mm256_maskload_pd(p, m) }
    }

    #[inline(always)]
    unsafe fn splat(self, p: *const f64) -> __m256d {
        // SAFETY: the caller guarantees `p` is readable.
        unsafe { _mm256_broadcast_sd(&*p) }
    }

    #[inline(always)]
    unsafe fn store(self, p: *mut f64, v: __m256d) {
        // SAFETY: the caller guarantees 4 writable elements.
        unsafe { _mm256_storeu_pd(p, v) }
    }

    #[inline(always)]
    unsafe fn store_masked(self, p: *mut f64, m: __m256i, v: __m256d) {
        // SAFETY: masked-off lanes are not accessed; the caller guarantees the others.
        unsafe { _mm256_maskstore_pd(p, m, v) }
    }

    #[inline(always)]
    unsafe fn transpose(self, src: *const f64, lds: usize, dst: *mut f64, ldd: usize) {
        // SAFETY: the caller guarantees the 4 columns read and the 4 rows written; AVX is
        // available.
        unsafe {
            let columns = core::array::from_fn(|c| _mm256_loadu_pd(src.add(c * lds)));
            for (r, row) in transpose4(columns).into_iter().enumerate() {
                _mm256_storeu_pd(dst.add(r * ldd), row);
            }
        }
    }

    #[inline(always)]
    unsafe fn transpose_edge(
        self,
        src: *const f64,
        lds: usize,
        dst: *mut f64,
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
                    _mm256_maskload_pd(src.add(c * lds), load)
                } else {
                    _mm256_setzero_pd()
                }
            });
            for (r, row) in transpose4(columns).into_iter().enumerate().take(rows) {
                _mm256_maskstore_pd(dst.add(r * ldd), store, row);
            }
        }
    }

    #[inline(always)]
    unsafe fn store_sums4(self, p: *mut f64, [a, b, c, d]: [__m256d; 4]) {
        // SAFETY: the caller guarantees 4 writable elements; AVX is available.
        unsafe {
            // [a01 b01 a23 b23] and [c01 d01 c23 d23]; then pair the halves.
            let ab = _mm256_hadd_pd(a, b);
            let cd = _mm256_hadd_pd(c, d);
            let low = _mm256_permute2f128_pd::<0x20>(ab, cd);
            let high = _mm256_permute2f128_pd::<0x31>(ab, cd);
            _mm256_storeu_pd(p, _mm256_add_pd(low, high));
        }
    }
}

/// The rows of the 4 × 4 block whose columns are `columns`.
///
/// # Safety
/// AVX must be available.
#[inline(always)]
unsafe fn transpose4([r0, r1, r2, r3]: [__m256d; 4]) -> [__m256d; 4] {
    // SAFETY: AVX is available, as the caller guarantees.
    unsafe {
        // [r0[k] r1[k] | r0[k + 2] r1[k + 2]] for k = 0, 1, likewise for r2, r3.
        let (t0, t1) = (_mm256_unpacklo_pd(r0, r1), _mm256_unpackhi_pd(r0, r1));
        let (t2, t3) = (_mm256_unpacklo_pd(r2, r3), _mm256_unpackhi_pd(r2, r3));
        [
            _mm256_permute2f128_pd::<0x20>(t0, t2),
            _mm256_permute2f128_pd::<0x20>(t1, t3),
            _mm256_permute2f128_pd::<0x31>(t0, t2),
            _mm256_permute2f128_pd::<0x31>(t1, t3),
        ]
    }
}
