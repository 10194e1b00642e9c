//! Which instruction sets the running CPU offers, detected once and cached, and [`wide`], which
//! runs an elementwise loop compiled for the widest of them.

#[cfg(target_arch = "x86_64")]
pub(crate) use x86::{avx2_fma, avx512};

/// Loops shorter than this run as they are: the call into the AVX2 build costs more than it
/// saves on a few values.
const WIDE_MIN_LEN: usize = 64;

/// Runs `body`, a loop over `len` elements, compiled for AVX2 and FMA when the CPU has them and
/// the loop is long enough to gain: the compiler then vectorizes its loops over flat slices
/// 8 `f32` (4 `f64`) wide instead of the 4 (2) of the x86-64 baseline. Rust never contracts
/// `a * b + c` into a fused multiply-add, so both builds of `body` round alike and give
/// bit-identical results.
#[inline(always)]
pub(crate) fn wide<R>(len: usize, body: impl FnOnce() -> R) -> R {
    if len >= WIDE_MIN_LEN {
        widest(body)
    } else {
        body()
    }
}

/// Runs `body` compiled for AVX2 and FMA when the CPU has them, whatever its length: for short
/// loops whose elements each cost tens of instructions (exponentials), where the wider
/// registers repay the call at a few elements already.
#[inline(always)]
pub(crate) fn widest<R>(body: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    if avx2_fma() {
        // SAFETY: the CPU supports AVX2 and FMA, as just checked.
        return unsafe { x86::avx2_fma_build(body) };
    }
    body()
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    // Detected once and cached, by CPUID and (for the operating system's support of the wide
    // registers) XGETBV: works without `std`.
    cpufeatures::new!(avx2_fma_detected, "avx2", "fma");
    cpufeatures::new!(avx512_detected, "avx512f", "avx2", "fma");

    /// Whether the CPU supports AVX2 and FMA. The first call asks the CPU; later calls read a
    /// cache.
    #[inline]
    pub(crate) fn avx2_fma() -> bool {
        avx2_fma_detected::get()
    }

    /// Whether the CPU supports AVX-512F (with the operating system saving the `zmm` and mask
    /// registers), AVX2 and FMA. Cached like [`avx2_fma`].
    #[inline]
    pub(crate) fn avx512() -> bool {
        avx512_detected::get()
    }

    /// `body` compiled with AVX2 and FMA enabled.
    ///
    /// # Safety
    /// The CPU must support AVX2 and FMA.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn avx2_fma_build<R>(body: impl FnOnce() -> R) -> R {
        body()
    }
}
