//! The parameters of the normalization layers in the heap-backed training network: `γ` and `β`,
//! and for batch normalization the running statistics. They are small (a few values per
//! feature), so they sit inline.

use nalgebra::SVector;
use serde::{Deserialize, Serialize};

use crate::Float;
use crate::compute::norm::{
    NormParameters, NormParametersMut, RunningStatistics, RunningStatisticsMut,
};

/// The learnable parameters of a `LayerNorm` layer of `N` features, and the gradients of either
/// normalization layer: the scale `γ` (initially 1) and the shift `β` (initially 0), as
/// PyTorch's `weight` and `bias`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound = "T: Float")]
pub struct LayerNorm<T: Float, const N: usize> {
    /// The scale `γ`.
    pub scale: SVector<T, N>,
    /// The shift `β`.
    pub shift: SVector<T, N>,
}

impl<T: Float, const N: usize> LayerNorm<T, N> {
    /// `γ = 1`, `β = 0`: the identity on normalized values, where PyTorch starts.
    pub fn new() -> Self {
        Self {
            scale: SVector::repeat(T::one()),
            shift: SVector::zeros(),
        }
    }

    /// Every value zero: where gradients start.
    pub fn zeros() -> Self {
        Self {
            scale: SVector::zeros(),
            shift: SVector::zeros(),
        }
    }
}

impl<T: Float, const N: usize> Default for LayerNorm<T, N> {
    fn default() -> Self {
        Self::new()
    }
}

/// The parameters of a `BatchNorm` layer of `N` features: the learnable scale `γ` and shift
/// `β`, and the running mean and (unbiased) variance it normalizes by in inference, which
/// training updates and the optimizer never touches.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound = "T: Float")]
pub struct BatchNorm<T: Float, const N: usize> {
    /// The scale `γ`.
    pub scale: SVector<T, N>,
    /// The shift `β`.
    pub shift: SVector<T, N>,
    /// The running mean of each feature (initially 0).
    pub running_mean: SVector<T, N>,
    /// The running variance of each feature (initially 1).
    pub running_variance: SVector<T, N>,
}

impl<T: Float, const N: usize> BatchNorm<T, N> {
    /// `γ = 1`, `β = 0`, running mean 0 and variance 1, as PyTorch starts.
    pub fn new() -> Self {
        Self {
            scale: SVector::repeat(T::one()),
            shift: SVector::zeros(),
            running_mean: SVector::zeros(),
            running_variance: SVector::repeat(T::one()),
        }
    }

    /// Every value zero.
    pub fn zeros() -> Self {
        Self {
            scale: SVector::zeros(),
            shift: SVector::zeros(),
            running_mean: SVector::zeros(),
            running_variance: SVector::zeros(),
        }
    }
}

impl<T: Float, const N: usize> Default for BatchNorm<T, N> {
    fn default() -> Self {
        Self::new()
    }
}

/// `[T; N]` views of a vector's storage.
fn array<T: Float, const N: usize>(vector: &SVector<T, N>) -> &[T; N] {
    &vector.data.0[0]
}

fn array_mut<T: Float, const N: usize>(vector: &mut SVector<T, N>) -> &mut [T; N] {
    &mut vector.data.0[0]
}

macro_rules! norm_parameters {
    ($layer:ident) => {
        impl<T: Float, const N: usize> NormParameters<T, N> for $layer<T, N> {
            #[inline(always)]
            fn scale(&self) -> &[T; N] {
                array(&self.scale)
            }
            #[inline(always)]
            fn shift(&self) -> &[T; N] {
                array(&self.shift)
            }
        }

        impl<T: Float, const N: usize> NormParametersMut<T, N> for $layer<T, N> {
            #[inline(always)]
            fn scale_mut(&mut self) -> &mut [T; N] {
                array_mut(&mut self.scale)
            }
            #[inline(always)]
            fn shift_mut(&mut self) -> &mut [T; N] {
                array_mut(&mut self.shift)
            }
        }
    };
}

norm_parameters!(LayerNorm);
norm_parameters!(BatchNorm);

impl<T: Float, const N: usize> RunningStatistics<T, N> for BatchNorm<T, N> {
    #[inline(always)]
    fn running_mean(&self) -> &[T; N] {
        array(&self.running_mean)
    }
    #[inline(always)]
    fn running_variance(&self) -> &[T; N] {
        array(&self.running_variance)
    }
}

impl<T: Float, const N: usize> RunningStatisticsMut<T, N> for BatchNorm<T, N> {
    #[inline(always)]
    fn running_mean_mut(&mut self) -> &mut [T; N] {
        array_mut(&mut self.running_mean)
    }
    #[inline(always)]
    fn running_variance_mut(&mut self) -> &mut [T; N] {
        array_mut(&mut self.running_variance)
    }
}
