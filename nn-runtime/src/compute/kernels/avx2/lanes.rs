//! One AVX2 register of `f32` or `f64` lanes, behind a token that proves the CPU has AVX2 and FMA.
//!
//! The kernels are written once against [`Simd`] and instantiated for both element
//! types. Every method is `#[inline(always)]`, so inside the kernels' `#[target_feature]`
//! functions each one becomes a single instruction (or a short fixed sequence).

use core::arch::x86_64::*;

use crate::compute::simd as detect;

/// The lanes of one vector register and the operations the kernels use on it.
///
/// # Safety
///
/// A value of an implementing type may exist only when the running CPU supports every
/// instruction the methods use; the safe methods rely on it.
pub(in crate::compute::kernels) unsafe trait Simd: Copy {
    /// The element type, `f32` or `f64`.
    type Elem: Copy;
    /// One register of `LANES` elements.
    type Vector: Copy;
    /// A lane mask for partial loads and stores.
    type Mask: Copy;
    /// The number of elements in one register.
    const LANES: usize;

    /// All lanes zero.
    fn zero(self) -> Self::Vector;
    /// `a · b + c` in every lane, rounded once.
    fn fmadd(self, a: Self::Vector, b: Self::Vector, c: Self::Vector) -> Self::Vector;
    /// `a + b` in every lane.
    fn add(self, a: Self::Vector, b: Self::Vector) -> Self::Vector;
    /// A mask selecting the first `lanes` lanes, `1 ≤ lanes ≤ LANES`.
    fn mask(self, lanes: usize) -> Self::Mask;
    /// The sum of the lanes.
    fn hsum(self, v: Self::Vector) -> Self::Elem;

    /// Loads `LANES` elements from `p`.
    ///
    /// # Safety
    /// `p..p + LANES` must be readable.
    unsafe fn load(self, p: *const Self::Elem) -> Self::Vector;
    /// Loads the lanes selected by `m` from `p`; the others are zero.
    ///
    /// # Safety
    /// The selected elements of `p..p + LANES` must be readable.
    unsafe fn load_masked(self, p: *const Self::Elem, m: Self::Mask) -> Self::Vector;
    /// `*p` in every lane.
    ///
    /// # Safety
    /// `p` must be readable.
    unsafe fn splat(self, p: *const Self::Elem) -> Self::Vector;
    /// Stores `LANES` elements at `p`.
    ///
    /// # Safety
    /// `p..p + LANES` must be writable.
    unsafe fn store(self, p: *mut Self::Elem, v: Self::Vector);
    /// Stores the lanes selected by `m` at `p`.
    ///
    /// # Safety
    /// The selected elements of `p..p + LANES` must be writable.
    unsafe fn store_masked(self, p: *mut Self::Elem, m: Self::Mask, v: Self::Vector);
    /// Stores the lane sums of the four registers at `p[0..4]`.
    ///
    /// # Safety
    /// `p..p + 4` must be writable.
    unsafe fn store_sums4(self, p: *mut Self::Elem, v: [Self::Vector; 4]);

    /// Transposes a `LANES × LANES` block: `dst[c + r·ldd] = src[r + c·lds]` for every row `r`
    /// and column `c` below `LANES`.
    ///
    /// # Safety
    /// The `LANES` columns of `LANES` elements at `src`, `lds` apart, must be readable, and the
    /// `LANES` rows of `LANES` elements at `dst`, `ldd` apart, writable.
    unsafe fn transpose(self, src: *const Self::Elem, lds: usize, dst: *mut Self::Elem, ldd: usize);

    /// Loads `V` consecutive registers from `p`; with `MASKED`, only the lanes of `m` of the
    /// last one (the others zero).
    ///
    /// # Safety
    /// `p..p + V·LANES` must be readable, up to the unselected lanes of the last register when
    /// `MASKED`.
    #[inline(always)]
    unsafe fn load_registers<const V: usize, const MASKED: bool>(
        self,
        p: *const Self::Elem,
        m: Self::Mask,
    ) -> [Self::Vector; V] {
        // SAFETY: as the caller guarantees.
        core::array::from_fn(|v| unsafe {
            let q = p.add(v * Self::LANES);
            if MASKED && v == V - 1 {
                self.load_masked(q, m)
            } else {
                self.load(q)
            }
        })
    }

    /// Stores `V` consecutive registers at `p`; with `MASKED`, only the lanes of `m` of the
    /// last one.
    ///
    /// # Safety
    /// `p..p + V·LANES` must be writable, up to the unselected lanes of the last register when
    /// `MASKED`.
    #[inline(always)]
    unsafe fn store_registers<const V: usize, const MASKED: bool>(
        self,
        p: *mut Self::Elem,
        m: Self::Mask,
        registers: [Self::Vector; V],
    ) {
        for (v, register) in registers.into_iter().enumerate() {
            // SAFETY: as the caller guarantees.
            unsafe {
                let q = p.add(v * Self::LANES);
                if MASKED && v == V - 1 {
                    self.store_masked(q, m, register);
                } else {
                    self.store(q, register);
                }
            }
        }
    }
}

/// `-1` lanes followed by `0` lanes: a window of 8 starting at `8 − n` selects `n` lanes.
static MASK32: [i32; 16] = [-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0];
/// As [`MASK32`], for 4 lanes of 64 bits.
static MASK64: [i64; 8] = [-1, -1, -1, -1, 0, 0, 0, 0];

/// 8 lanes of `f32` in a `ymm` register.
#[derive(Clone, Copy)]
pub(in crate::compute::kernels) struct F32x8(());

/// 4 lanes of `f64` in a `ymm` register.
#[derive(Clone, Copy)]
pub(in crate::compute::kernels) struct F64x4(());

impl F32x8 {
    /// The token, if the CPU has AVX2 and FMA.
    #[inline]
    pub(in crate::compute::kernels) fn new() -> Option<Self> {
        detect::avx2_fma().then_some(Self(()))
    }
}

impl F64x4 {
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
    const LANES: usize = 8;

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
            let [r0, r1, r2, r3, r4, r5, r6, r7]: [__m256; 8] =
                core::array::from_fn(|c| _mm256_loadu_ps(src.add(c * lds)));
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
            for (k, (low, high)) in quads.into_iter().enumerate() {
                _mm256_storeu_ps(dst.add(k * ldd), _mm256_permute2f128_ps::<0x20>(low, high));
                _mm256_storeu_ps(
                    dst.add((k + 4) * ldd),
                    _mm256_permute2f128_ps::<0x31>(low, high),
                );
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

// SAFETY: `F64x4::new` is the only constructor and checks AVX2 and FMA at run time.
unsafe impl Simd for F64x4 {
    type Elem = f64;
    type Vector = __m256d;
    type Mask = __m256i;
    const LANES: usize = 4;

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
            let [r0, r1, r2, r3]: [__m256d; 4] =
                core::array::from_fn(|c| _mm256_loadu_pd(src.add(c * lds)));
            // [r0[k] r1[k] | r0[k + 2] r1[k + 2]] for k = 0, 1, likewise for r2, r3.
            let (t0, t1) = (_mm256_unpacklo_pd(r0, r1), _mm256_unpackhi_pd(r0, r1));
            let (t2, t3) = (_mm256_unpacklo_pd(r2, r3), _mm256_unpackhi_pd(r2, r3));
            _mm256_storeu_pd(dst, _mm256_permute2f128_pd::<0x20>(t0, t2));
            _mm256_storeu_pd(dst.add(ldd), _mm256_permute2f128_pd::<0x20>(t1, t3));
            _mm256_storeu_pd(dst.add(2 * ldd), _mm256_permute2f128_pd::<0x31>(t0, t2));
            _mm256_storeu_pd(dst.add(3 * ldd), _mm256_permute2f128_pd::<0x31>(t1, t3));
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
