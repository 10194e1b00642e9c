//! Which instruction sets the running x86-64 CPU offers, detected once and cached.

use core::sync::atomic::{AtomicU8, Ordering};

/// Not yet detected.
const UNKNOWN: u8 = 0;
/// Detected: no AVX2+FMA.
const ABSENT: u8 = 1;
/// Detected: AVX2 and FMA are available.
const PRESENT: u8 = 2;

/// The cached answer of [`avx2_fma`].
static AVX2_FMA: AtomicU8 = AtomicU8::new(UNKNOWN);

/// Whether the CPU supports AVX2 and FMA. The first call asks the CPU; later calls read a cache.
#[inline]
pub(super) fn avx2_fma() -> bool {
    match AVX2_FMA.load(Ordering::Relaxed) {
        UNKNOWN => detect_avx2_fma(),
        state => state == PRESENT,
    }
}

#[cold]
fn detect_avx2_fma() -> bool {
    let present = std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma");
    let state = if present { PRESENT } else { ABSENT };
    AVX2_FMA.store(state, Ordering::Relaxed);
    present
}
