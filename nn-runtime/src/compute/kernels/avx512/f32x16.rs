//! 16 lanes of `f32` in a `zmm` register.

use core::arch::x86_64::*;

use crate::compute::kernels::simd::Simd;
use crate::compute::simd as detect;

/// 16 lanes of `f32` in a `zmm` register; a value proves the CPU has AVX-512F, AVX2 and FMA.
#[derive(Clone, Copy)]
pub(in crate::compute::kernels) struct F32x16(());

impl F32x16 {
    /// The token, if the CPU has AVX-512F, AVX2 and FMA.
    #[inline]
    pub(in crate::compute::kernels) fn new() -> Option<Self> {
        detect::avx512().then_some(Self(()))
    }
}

// SAFETY: `F32x16::new` is the only constructor and checks AVX-512F, AVX2 and FMA at run time.
unsafe impl Simd for F32x16 {
    type Elem = f32;
    type Vector = __m512;
    type Mask = __mmask16;
    type Shift = (__m512i, __mmask16);
    const LANES: usize = 16;

    /// 4 × 16 = 64 rows.
    const NN_ROWS: usize = 4;
    /// 24 accumulators, 4 loaded rows and the broadcasts (folded into the FMAs) fit the 32
    /// registers.
    const NN_ACCUMULATORS: usize = 24;
    /// A 16 KiB row panel, a third of L1.
    const KC: usize = 64;
    /// Every depth up to a transposed buffer of one 64-row panel: summing 16 lanes per dot
    /// product costs more than the copy.
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
    fn zero(self) -> __m512 {
        // SAFETY: the token proves AVX-512F (trait contract).
        unsafe { _mm512_setzero_ps() }
    }

    #[inline(always)]
    fn fmadd(self, a: __m512, b: __m512, c: __m512) -> __m512 {
        // SAFETY: the token proves AVX-512F.
        unsafe { _mm512_fmadd_ps(a, b, c) }
    }

    #[inline(always)]
    fn add(self, a: __m512, b: __m512) -> __m512 {
        // SAFETY: the token proves AVX-512F.
        unsafe { _mm512_add_ps(a, b) }
    }

    #[inline(always)]
    fn mask(self, lanes: usize) -> __mmask16 {
        ((1u32 << lanes) - 1) as __mmask16
    }

    /// Always: one permute of two registers per register (a 784-128 single-sample product
    /// whose weights lie 16 bytes past a cache line: 6.0 µs split, 3.8 µs joined; 3.3 µs
    /// aligned).
    #[inline(always)]
    fn shift(self, lanes: usize) -> Option<(__m512i, __mmask16)> {
        // SAFETY: the token proves AVX-512F; no memory is touched.
        let indices = unsafe {
            let iota = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
            _mm512_add_epi32(iota, _mm512_set1_epi32(lanes as i32))
        };
        Some((indices, !((1u32 << lanes) - 1) as __mmask16))
    }

    #[inline(always)]
    fn shifted(self, low: __m512, high: __m512, (indices, _): (__m512i, __mmask16)) -> __m512 {
        // SAFETY: the token proves AVX-512F. Indices 16 and up select lanes of `high`.
        unsafe { _mm512_permutex2var_ps(low, indices, high) }
    }

    #[inline(always)]
    fn shift_head(self, (_, head): (__m512i, __mmask16)) -> __mmask16 {
        head
    }

    #[inline(always)]
    fn hsum(self, v: __m512) -> f32 {
        // SAFETY: the token proves AVX-512F; no memory is touched.
        unsafe { _mm512_reduce_add_ps(v) }
    }

    #[inline(always)]
    unsafe fn load(self, p: *const f32) -> __m512 {
        // SAFETY: the caller guarantees 16 readable elements; AVX-512F is available.
        unsafe { _mm512_loadu_ps(p) }
    }

    #[inline(always)]
    unsafe fn load_masked(self, p: *const f32, m: __mmask16) -> __m512 {
        // SAFETY: masked-off lanes are not accessed (nor fault); the caller guarantees the
        // others.
        unsafe { _mm512_maskz_loadu_ps(m, p) }
    }

    #[inline(always)]
    unsafe fn splat(self, p: *const f32) -> __m512 {
        // SAFETY: the caller guarantees `p` is readable.
        unsafe { _mm512_set1_ps(*p) }
    }

    #[inline(always)]
    unsafe fn store(self, p: *mut f32, v: __m512) {
        // SAFETY: the caller guarantees 16 writable elements.
        unsafe { _mm512_storeu_ps(p, v) }
    }

    #[inline(always)]
    unsafe fn store_masked(self, p: *mut f32, m: __mmask16, v: __m512) {
        // SAFETY: masked-off lanes are not accessed; the caller guarantees the others.
        unsafe { _mm512_mask_storeu_ps(p, m, v) }
    }

    #[inline(always)]
    unsafe fn transpose(self, src: *const f32, lds: usize, dst: *mut f32, ldd: usize) {
        // SAFETY: the caller guarantees the 16 columns read and the 16 rows written; AVX-512F
        // is available.
        unsafe {
            let columns = core::array::from_fn(|c| _mm512_loadu_ps(src.add(c * lds)));
            for (r, row) in transpose16(columns).into_iter().enumerate() {
                _mm512_storeu_ps(dst.add(r * ldd), row);
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
        // `cols` elements of the `rows` rows written; masked-off lanes are not accessed;
        // AVX-512F is available.
        unsafe {
            let columns = core::array::from_fn(|c| {
                if c < cols {
                    _mm512_maskz_loadu_ps(load, src.add(c * lds))
                } else {
                    _mm512_setzero_ps()
                }
            });
            for (r, row) in transpose16(columns).into_iter().enumerate().take(rows) {
                _mm512_mask_storeu_ps(dst.add(r * ldd), store, row);
            }
        }
    }

    #[inline(always)]
    unsafe fn store_sums4(self, p: *mut f32, v: [__m512; 4]) {
        // SAFETY: the caller guarantees 4 writable elements; AVX-512F and AVX are available.
        unsafe {
            // Each register's halves added, then as on 8 lanes: [a01 a23 b01 b23 | a45 a67 b45
            // b67], likewise for c, d; then [a b c d | a b c d].
            let [a, b, c, d] = v.map(|v| {
                let high = _mm512_extractf64x4_pd::<1>(_mm512_castps_pd(v));
                _mm256_add_ps(_mm512_castps512_ps256(v), _mm256_castpd_ps(high))
            });
            let h = _mm256_hadd_ps(_mm256_hadd_ps(a, b), _mm256_hadd_ps(c, d));
            let s = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps::<1>(h));
            _mm_storeu_ps(p, s);
        }
    }
}

/// The rows of the 16 × 16 block whose columns are `r`.
///
/// # Safety
/// AVX-512F must be available.
#[inline(always)]
unsafe fn transpose16(r: [__m512; 16]) -> [__m512; 16] {
    // SAFETY: AVX-512F is available, as the caller guarantees.
    unsafe {
        // Within each 128-bit lane `l`, pairs of columns interleaved, then quadruples:
        // `s[4g + j]` holds, in lane `l`, element `4l + j` of columns `4g..4g + 4`.
        let mut s = [_mm512_setzero_ps(); 16];
        for g in 0..4 {
            let c = 4 * g;
            let (t0, t1) = (
                _mm512_unpacklo_ps(r[c], r[c + 1]),
                _mm512_unpackhi_ps(r[c], r[c + 1]),
            );
            let (t2, t3) = (
                _mm512_unpacklo_ps(r[c + 2], r[c + 3]),
                _mm512_unpackhi_ps(r[c + 2], r[c + 3]),
            );
            s[c] = _mm512_shuffle_ps::<0x44>(t0, t2);
            s[c + 1] = _mm512_shuffle_ps::<0xEE>(t0, t2);
            s[c + 2] = _mm512_shuffle_ps::<0x44>(t1, t3);
            s[c + 3] = _mm512_shuffle_ps::<0xEE>(t1, t3);
        }
        // Row `4l + j` gathers lane `l` of `s[j]`, `s[4 + j]`, `s[8 + j]`, `s[12 + j]`: a 4 × 4
        // transpose of 128-bit lanes.
        let mut rows = [_mm512_setzero_ps(); 16];
        for j in 0..4 {
            let (a, b, c, d) = (s[j], s[4 + j], s[8 + j], s[12 + j]);
            let ab_low = _mm512_shuffle_f32x4::<0x44>(a, b);
            let ab_high = _mm512_shuffle_f32x4::<0xEE>(a, b);
            let cd_low = _mm512_shuffle_f32x4::<0x44>(c, d);
            let cd_high = _mm512_shuffle_f32x4::<0xEE>(c, d);
            rows[j] = _mm512_shuffle_f32x4::<0x88>(ab_low, cd_low);
            rows[4 + j] = _mm512_shuffle_f32x4::<0xDD>(ab_low, cd_low);
            rows[8 + j] = _mm512_shuffle_f32x4::<0x88>(ab_high, cd_high);
            rows[12 + j] = _mm512_shuffle_f32x4::<0xDD>(ab_high, cd_high);
        }
        rows
    }
}
