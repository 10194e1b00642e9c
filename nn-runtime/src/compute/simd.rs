//! Which instruction sets the running CPU offers, detected once and cached, and [`wide`], which
//! runs an elementwise loop compiled for the widest registers of the kernel path in use.

#[cfg(target_arch = "x86_64")]
pub(crate) use x86::{avx2_fma, avx512};

/// Loops shorter than this run as they are: the call into the AVX2 build costs more than it
/// saves on a few values.
const WIDE_MIN_LEN: usize = 64;

/// Runs `body`, a loop over `len` elements, compiled for the widest registers of the kernel
/// path in use ([`kernels::path`](crate::kernels::path)) when the loop is long enough to gain:
/// the compiler then vectorizes its loops over flat slices 16 `f32` (8 `f64`) wide with
/// AVX-512, 8 (4) with AVX2, instead of the 4 (2) of the x86-64 baseline. Rust never contracts
/// `a * b + c` into a fused multiply-add nor reorders a sum, so every build of `body` rounds
/// alike and gives bit-identical results.
#[inline(always)]
pub(crate) fn wide<R>(len: usize, body: impl FnOnce() -> R) -> R {
    if len >= WIDE_MIN_LEN {
        widest(body)
    } else {
        body()
    }
}

/// Runs `body` compiled for the widest registers of the kernel path in use, whatever its length:
/// for short loops whose elements each cost tens of instructions (exponentials), where the wider
/// registers repay the call at a few elements already.
#[inline(always)]
pub(crate) fn widest<R>(body: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    match crate::kernels::path() {
        // SAFETY: a path is only ever selected when the CPU supports it.
        crate::kernels::KernelPath::Avx512 => return unsafe { x86::avx512_build(body) },
        // SAFETY: as above.
        crate::kernels::KernelPath::Avx2 => return unsafe { x86::avx2_fma_build(body) },
        crate::kernels::KernelPath::Portable => {}
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

    /// `body` compiled with AVX-512F, AVX2 and FMA enabled.
    ///
    /// # Safety
    /// The CPU must support AVX-512F, AVX2 and FMA.
    #[target_feature(enable = "avx512f,avx2,fma")]
    pub(super) unsafe fn avx512_build<R>(body: impl FnOnce() -> R) -> R {
        body()
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
