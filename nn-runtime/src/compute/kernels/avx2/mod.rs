//! AVX2 registers for the SIMD kernels: 8 `f32` or 4 `f64` lanes in a `ymm` register, 16
//! registers, masks as vectors of `-1` and `0` lanes. Each token proves AVX2 and FMA.

mod f32x8;
mod f64x4;

pub(super) use f32x8::F32x8;
pub(super) use f64x4::F64x4;
