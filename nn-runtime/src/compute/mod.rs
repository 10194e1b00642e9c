//! What both inference and training compute with: the element types, elementary functions,
//! SIMD detection, dense-layer kernels and activations. Needs neither `std` nor a heap.

pub(crate) mod activation;
pub(crate) mod batch;
pub mod kernels;
pub(crate) mod math;
pub(crate) mod norm;
pub(crate) mod scalar;
pub(crate) mod simd;
