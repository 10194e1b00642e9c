//! AVX-512 registers for the SIMD kernels: 16 `f32` or 8 `f64` lanes in a `zmm` register, 32
//! registers, masks in `k` registers (`__mmask16`, `__mmask8`), whose masked-off lanes are
//! neither read nor written. Each token proves AVX-512F, AVX2 and FMA.

mod f32x16;
mod f64x8;

pub(super) use f32x16::F32x16;
pub(super) use f64x8::F64x8;
