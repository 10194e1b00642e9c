//! The element types a network can compute in.

use core::fmt::{Debug, Display};

use nalgebra::RealField;
use serde::{Serialize, de::DeserializeOwned};

#[cfg(feature = "train")]
use crate::optim::StateBuffer;

/// A floating-point element type of a network: `f32` (the default) or `f64`.
///
/// Sealed: the generated code and the kernels are written for IEEE binary floats only.
pub trait Float:
    RealField
    + Copy
    + Default
    + Debug
    + Display
    + bytemuck::Pod
    + Serialize
    + DeserializeOwned
    + Send
    + Sync
    + sealed::Sealed
    + 'static
{
    /// The type's name as written in a description (`"f32"` or `"f64"`).
    const NAME: &'static str;

    /// The smallest positive normal number.
    #[doc(hidden)]
    const MIN_NORMAL: Self;

    /// Converts from `f64`, rounding to nearest.
    fn of_f64(value: f64) -> Self;

    /// Converts to `f64` exactly.
    fn as_f64(self) -> f64;

    /// Returns `true` when the value is neither NaN nor infinite.
    fn is_finite_value(self) -> bool;

    /// The hyperbolic tangent as the `Tanh` activation computes it: `libm`'s for `f64` (the same bits
    /// with and without `std`, on every platform), a vectorizable rational approximation within 5e-7 for `f32`.
    #[doc(hidden)]
    fn activation_tanh(self) -> Self;

    /// `eˣ` as the `Sigmoid` and `Softmax` activations compute it: `libm`'s for
    /// `f64`, a vectorizable version within 2 ulp for `f32` that gives 0 where the true value is
    /// subnormal.
    #[doc(hidden)]
    fn activation_exp(self) -> Self;

    /// The error function as the `Gelu` activation computes it: `libm`'s for `f64`, a
    /// vectorizable rational approximation within 1 ulp (6e-8) for `f32`.
    #[doc(hidden)]
    fn activation_erf(self) -> Self;

    /// `eˣ − 1`, accurate for small `x`, as the `Elu` and `Softplus` activations compute it:
    /// `libm`'s `expm1` for `f64`, a vectorizable version within 2 ulp for `f32`.
    #[doc(hidden)]
    fn activation_expm1(self) -> Self;

    /// `ln(1 + x)`, accurate for small `x`, as the `Softplus` activation computes it: `libm`'s
    /// `log1p` for `f64`, a vectorizable version within 2 ulp for `f32`.
    #[doc(hidden)]
    fn activation_log1p(self) -> Self;

    /// `ln(x)` as the cross-entropy losses compute it: `libm`'s for `f64`, a
    /// vectorizable version within 2 ulp for `f32`.
    #[doc(hidden)]
    fn loss_ln(self) -> Self;

    /// `ln(x)` by `libm`, for a few values one at a time (the same bits with and without `std`).
    #[doc(hidden)]
    fn library_ln(self) -> Self;

    /// The value, or zero if it is subnormal (nonzero and smaller in magnitude than the smallest
    /// normal number); NaN and infinities stay. For state that decays geometrically, such as an
    /// optimizer's moment whose gradient stays zero, and for loss gradients made from tiny
    /// probabilities: arithmetic on subnormals is many times slower on x86 CPUs, and such a value
    /// is far too small to move any parameter.
    #[doc(hidden)]
    fn flush_subnormal(self) -> Self;

    /// The part of an optimizer's state buffer held in this type.
    #[cfg(feature = "train")]
    #[doc(hidden)]
    fn state(buffer: &mut StateBuffer) -> &mut Vec<Self>;
}

macro_rules! impl_float {
    (
        $t:ident,
        $tanh:expr,
        $exp:expr,
        $erf:expr,
        $expm1:expr,
        $log1p:expr,
        $ln:expr,
        $library_ln:expr
    ) => {
        impl sealed::Sealed for $t {}

        impl Float for $t {
            const NAME: &'static str = stringify!($t);

            const MIN_NORMAL: Self = <$t>::MIN_POSITIVE;

            #[inline(always)]
            fn of_f64(value: f64) -> Self {
                value as $t
            }

            #[inline(always)]
            fn as_f64(self) -> f64 {
                self as f64
            }

            #[inline(always)]
            fn is_finite_value(self) -> bool {
                self.is_finite()
            }

            #[inline(always)]
            fn activation_tanh(self) -> Self {
                $tanh(self)
            }

            #[inline(always)]
            fn activation_exp(self) -> Self {
                $exp(self)
            }

            #[inline(always)]
            fn activation_erf(self) -> Self {
                $erf(self)
            }

            #[inline(always)]
            fn activation_expm1(self) -> Self {
                $expm1(self)
            }

            #[inline(always)]
            fn activation_log1p(self) -> Self {
                $log1p(self)
            }

            #[inline(always)]
            fn loss_ln(self) -> Self {
                $ln(self)
            }

            #[inline(always)]
            fn library_ln(self) -> Self {
                $library_ln(self)
            }

            #[inline(always)]
            fn flush_subnormal(self) -> Self {
                // A select on a comparison, which vectorizes into a mask and an `and`.
                if <$t>::abs(self) < Self::MIN_NORMAL {
                    0.0
                } else {
                    self
                }
            }

            #[cfg(feature = "train")]
            #[inline(always)]
            fn state(buffer: &mut StateBuffer) -> &mut Vec<Self> {
                &mut buffer.$t
            }
        }
    };
}

impl_float!(
    f32,
    crate::compute::math::tanh_f32,
    crate::compute::math::exp_f32,
    crate::compute::math::erf_f32,
    crate::compute::math::expm1_f32,
    crate::compute::math::log1p_f32,
    crate::compute::math::ln_f32,
    libm::logf
);
impl_float!(
    f64,
    libm::tanh,
    libm::exp,
    libm::erf,
    libm::expm1,
    libm::log1p,
    libm::log,
    libm::log
);

mod sealed {
    pub trait Sealed {}
}
