//! 8 lanes of `f64` in a `zmm` register.

use core::arch::x86_64::*;

use crate::compute::kernels::simd::Simd;
use crate::compute::simd as detect;

/// 8 lanes of `f64` in a `zmm` register; a value proves the CPU has AVX-512F, AVX2 and FMA.
#[derive(Clone, Copy)]
pub(in crate::compute::kernels) struct F64x8(());

impl F64x8 {
    /// The token, if the CPU has AVX-512F, AVX2 and FMA.
    #[inline]
    pub(in crate::compute::kernels) fn new() -> Option<Self> {
        detect::avx512().then_some(Self(()))
    }
}

// SAFETY: `F64x8::new` is the only constructor and checks AVX-512F, AVX2 and FMA at run time.
unsafe impl Simd for F64x8 {
    type Elem = f64;
    type Vector = __m512d;
    type Mask = __mmask8;
    type Shift = (__m512i, __mmask8);
    const LANES: usize = 8;

    /// As for `f32`: 4 × 8 = 32 rows.
    const NN_ROWS: usize = 4;
    /// As for `f32`.
    const NN_ACCUMULATORS: usize = 24;
    /// As for `f32`: a 16 KiB row panel.
    const KC: usize = 64;
    /// As for `f32`.
    const SHORT_DOT: usize = 129;

    #[inline(always)]
    fn vectorize<R>(self, f: impl FnOnce() -> R) -> R {
        #[target_feature(enable = "avx512f,avx2,fma")]
        #[inline]
        fn build<R>(f: impl FnOnce() -> R) -> R {
            f()
        }
        // SAFETY: the token proves AVX-512F, AVX2 and FMA.
        unsafe { build(f) }
    }

    #[inline(always)]
    fn zero(self) -> __m512d {
        // SAFETY: the token proves AVX-512F (trait contract).
        unsafe { _mm512_setzero_pd() }
    }

    #[inline(always)]
    fn fmadd(self, a: __m512d, b: __m512d, c: __m512d) -> __m512d {
        // SAFETY: the token proves AVX-512F.
        unsafe { _mm512_fmadd_pd(a, b, c) }
    }

    #[inline(always)]
    fn add(self, a: __m512d, b: __m512d) -> __m512d {
        // SAFETY: the token proves AVX-512F.
        unsafe { _mm512_add_pd(a, b) }
    }

    #[inline(always)]
    fn mask(self, lanes: usize) -> __mmask8 {
        ((1u32 << lanes) - 1) as __mmask8
    }

    /// Always: one permute of two registers per register (a 784-128 single-sample product
    /// whose weights lie 16 bytes past a cache line: 6.0 µs split, 3.8 µs joined; 3.3 µs
    /// aligned).
    #[inline(always)]
    fn shift(self, lanes: usize) -> Option<(__m512i, __mmask8)> {
        // SAFETY: the token proves AVX-512F; no memory is touched.
        let indices = unsafe {
            let iota = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
            _mm512_add_epi64(iota, _mm512_set1_epi64(lanes as i64))
        };
        Some((indices, !((1u32 << lanes) - 1) as __mmask8))
    }

    #[inline(always)]
    fn shifted(self, low: __m512d, high: __m512d, (indices, _): (__m512i, __mmask8)) -> __m512d {
        // SAFETY: the token proves AVX-512F. Indices 8 and up select lanes of `high`.
        unsafe { _mm512_permutex2var_pd(low, indices, high) }
    }

    #[inline(always)]
    fn shift_head(self, (_, head): (__m512i, __mmask8)) -> __mmask8 {
        head
    }

    #[inline(always)]
    fn hsum(self, v: __m512d) -> f64 {
        // SAFETY: the token proves AVX-512F; no memory is touched.
        unsafe { _mm512_reduce_add_pd(v) }
    }

    #[inline(always)]
    unsafe fn load(self, p: *const f64) -> __m512d {
        // SAFETY: the caller guarantees 8 readable elements; AVX-512F is available.
        unsafe { _mm512_loadu_pd(p) }
    }

    #[inline(always)]
    unsafe fn load_masked(self, p: *const f64, m: __mmask8) -> __m512d {
        // SAFETY: masked-off lanes are not accessed (nor fault); the caller guarantees the
        // others.
        unsafe { _mm512_maskz_loadu_pd(m, p) }
    }

    #[inline(always)]
    unsafe fn splat(self, p: *const f64) -> __m512d {
        // SAFETY: the caller guarantees `p` is readable.
        unsafe { _mm512_set1_pd(*p) }
    }

    #[inline(always)]
    unsafe fn store(self, p: *mut f64, v: __m512d) {
        // SAFETY: the caller guarantees 8 writable elements.
        unsafe { _mm512_storeu_pd(p, v) }
    }

    #[inline(always)]
    unsafe fn store_masked(self, p: *mut f64, m: __mmask8, v: __m512d) {
        // SAFETY: masked-off lanes are not accessed; the caller guarantees the others.
        unsafe { _mm512_mask_storeu_pd(p, m, v) }
    }

    #[inline(always)]
    unsafe fn transpose(self, src: *const f64, lds: usize, dst: *mut f64, ldd: usize) {
        // SAFETY: the caller guarantees the 8 columns read and the 8 rows written; AVX-512F is
        // available.
        unsafe {
            let columns = core::array::from_fn(|c| _mm512_loadu_pd(src.add(c * lds)));
            for (r, row) in transpose8(columns).into_iter().enumerate() {
                _mm512_storeu_pd(dst.add(r * ldd), row);
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
        // `cols` elements of the `rows` rows written; masked-off lanes are not accessed;
        // AVX-512F is available.
        unsafe {
            let columns = core::array::from_fn(|c| {
                if c < cols {
                    _mm512_maskz_loadu_pd(load, src.add(c * lds))
                } else {
                    _mm512_setzero_pd()
                }
            });
            for (r, row) in transpose8(columns).into_iter().enumerate().take(rows) {
                _mm512_mask_storeu_pd(dst.add(r * ldd), store, row);
            }
        }
    }

    #[inline(always)]
    unsafe fn store_sums4(self, p: *mut f64, v: [__m512d; 4]) {
        // SAFETY: the caller guarantees 4 writable elements; AVX-512F and AVX are available.
        unsafe {
            // Each register's halves added, then as on 4 lanes: [a01 b01 a23 b23] and [c01 d01
            // c23 d23]; then the halves paired.
            let [a, b, c, d] =
                v.map(|v| _mm256_add_pd(_mm512_castpd512_pd256(v), _mm512_extractf64x4_pd::<1>(v)));
            let ab = _mm256_hadd_pd(a, b);
            let cd = _mm256_hadd_pd(c, d);
            let low = _mm256_permute2f128_pd::<0x20>(ab, cd);
            let high = _mm256_permute2f128_pd::<0x31>(ab, cd);
            _mm256_storeu_pd(p, _mm256_add_pd(low, high));
        }
    }
}

/// The rows of the 8 × 8 block whose columns are `r`.
///
/// # Safety
/// AVX-512F must be available.
#[inline(always)]
unsafe fn transpose8(r: [__m512d; 8]) -> [__m512d; 8] {
    // SAFETY: AVX-512F is available, as the caller guarantees.
    unsafe {
        // `s[2g + j]` holds, in 128-bit lane `l`, element `2l + j` of columns `2g, 2g + 1`.
        let s: [__m512d; 8] = core::array::from_fn(|i| {
            let (g, j) = (i / 2, i % 2);
            if j == 0 {
                _mm512_unpacklo_pd(r[2 * g], r[2 * g + 1])
            } else {
                _mm512_unpackhi_pd(r[2 * g], r[2 * g + 1])
            }
        });
        // Row `2l + j` gathers lane `l` of `s[j]`, `s[2 + j]`, `s[4 + j]`, `s[6 + j]`: a 4 × 4
        // transpose of 128-bit lanes.
        let mut rows = [_mm512_setzero_pd(); 8];
        for j in 0..2 {
            let (a, b, c, d) = (s[j], s[2 + j], s[4 + j], s[6 + j]);
            let ab_low = _mm512_shuffle_f64x2::<0x44>(a, b);
            let ab_high = _mm512_shuffle_f64x2::<0xEE>(a, b);
            let cd_low = _mm512_shuffle_f64x2::<0x44>(c, d);
            let cd_high = _mm512_shuffle_f64x2::<0xEE>(c, d);
            rows[j] = _mm512_shuffle_f64x2::<0x88>(ab_low, cd_low);
            rows[2 + j] = _mm512_shuffle_f64x2::<0xDD>(ab_low, cd_low);
            rows[4 + j] = _mm512_shuffle_f64x2::<0x88>(ab_high, cd_high);
            rows[6 + j] = _mm512_shuffle_f64x2::<0xDD>(ab_high, cd_high);
        }
        rows
    }
}
