//! Dense-layer products over column-major batches: forward `Z = W·X + b`, weight gradient
//! `∂W = Δ·Xᵀ`, bias gradient `∂b = Σ_columns Δ` and input gradient `∂X = Wᵀ·Δ`.
//!
//! On x86-64 CPUs with AVX-512F, or else AVX2 and FMA (detected once at run time, no
//! `target-cpu` flag needed), `f32` and `f64` products run register-blocked SIMD kernels that
//! work on the column-major data in place, without packing; elsewhere, and for small layers,
//! portable loops that the compiler vectorizes. None allocates. [`path`] names the
//! implementation in use and [`set_kernel_path`] (or the `NN_KERNELS` environment variable)
//! forces one.
//!
//! The forward pass and the weight gradient of a batch give the same bits on both SIMD paths and
//! whatever the batch size: each value is one chain of fused multiply-adds in the order of the
//! reduction. The single-sample product, the input gradient over long reductions and the
//! portable loops sum in other orders, within rounding of the same values.

#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod avx512;
mod path;
mod portable;
#[cfg(target_arch = "x86_64")]
mod simd;
#[cfg(all(target_arch = "x86_64", feature = "train"))]
mod split;

/// The batch products (no threads without the `train` feature).
#[cfg(all(target_arch = "x86_64", not(feature = "train")))]
use simd as products;
/// The batch products: split across a training session's threads where there are several.
#[cfg(all(target_arch = "x86_64", feature = "train"))]
use split as products;

#[cfg(test)]
pub(crate) use path::testing::with_path;
pub use path::{KernelPath, UnsupportedPath, path, set_kernel_path};

#[cfg(feature = "train")]
use crate::training::team::SharedMut;
use crate::{Batch, BatchMut, DenseParameters, DenseParametersMut, Float};

/// Layers with at most this many weights take the portable loops even when SIMD kernels exist:
/// their fully unrolled loops beat the tiled kernels' setup (measured: a 4×2 layer's forward pass
/// over 4 samples takes 16 ns portable, 58 ns tiled; at 8×8 the two are even).
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
const SMALL_LAYER: usize = 32;

/// Runs `$simd` with `$s` bound to the SIMD token of `$T` on the [`path`] in use when `$large`
/// holds, returning its value from the enclosing function; otherwise evaluates to `$portable`.
/// The type tests are constants, so each instantiation keeps the branches of its type.
macro_rules! simd_or_portable {
    ($T:ty, $large:expr, $s:ident => $simd:expr, $portable:expr) => {{
        #[cfg(target_arch = "x86_64")]
        if $large {
            match path() {
                KernelPath::Avx512 => {
                    simd_with!($T, avx512::F32x16, avx512::F64x8, $s => $simd)
                }
                KernelPath::Avx2 => simd_with!($T, avx2::F32x8, avx2::F64x4, $s => $simd),
                KernelPath::Portable => {}
            }
        }
        $portable
    }};
}

/// Returns `$simd` from the enclosing function with `$s` bound to a token of `$F32` or `$F64`,
/// whichever matches `$T`, if the CPU supports it.
#[cfg(target_arch = "x86_64")]
macro_rules! simd_with {
    ($T:ty, $F32:ty, $F64:ty, $s:ident => $simd:expr) => {{
        use core::any::TypeId;
        if TypeId::of::<$T>() == TypeId::of::<f32>() {
            if let Some($s) = <$F32>::new() {
                return $simd;
            }
        } else if TypeId::of::<$T>() == TypeId::of::<f64>() {
            if let Some($s) = <$F64>::new() {
                return $simd;
            }
        }
    }};
}

/// Whether the batch products of a dense layer of `outputs × inputs` weights over `batch`
/// samples are split across the threads of a training session (see `split`).
#[cfg(feature = "train")]
pub(crate) fn splits_products(outputs: usize, inputs: usize, batch: usize) -> bool {
    #[cfg(target_arch = "x86_64")]
    if path() != KernelPath::Portable {
        return split::splits(outputs * inputs * batch);
    }
    let _ = (outputs, inputs, batch);
    false
}

/// Views a slice of `T` as a slice of `U`; used only where `T` and `U` are the same type.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn cast<T: Float, U: Float>(s: &[T]) -> &[U] {
    bytemuck::cast_slice(s)
}

/// Mutable [`cast`].
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn cast_mut<T: Float, U: Float>(s: &mut [T]) -> &mut [U] {
    bytemuck::cast_slice_mut(s)
}

/// `out = W·x + b` for one sample `x` (`IN` values) into `out` (`OUT` values), for a training
/// layer and a frozen one alike: the same parameters give the same bits.
#[inline]
pub fn dense_vector<T: Float, const OUT: usize, const IN: usize>(
    layer: &impl DenseParameters<T, OUT, IN>,
    x: &[T; IN],
    out: &mut [T; OUT],
) {
    let (w, b) = (layer.weight_columns().as_flattened(), layer.bias_array());
    simd_or_portable!(
        T,
        OUT * IN > SMALL_LAYER,
        s => simd::vector(s, cast(w), cast(b), cast(x), cast_mut(out), (OUT, IN)),
        portable::vector::<T, OUT, IN>(w, b, x, out)
    )
}

/// `Z = W·X + b` over a batch: `X` is `IN × n`, `Z` becomes `OUT × n` (its column count is set to
/// `n`; its capacity must allow it).
#[inline]
pub fn dense_forward<T: Float, const OUT: usize, const IN: usize>(
    layer: &impl DenseParameters<T, OUT, IN>,
    x: &impl Batch<T, IN>,
    z: &mut impl BatchMut<T, OUT>,
) {
    let n = x.columns();
    z.set_columns(n);
    let (w, b) = (layer.weight_columns().as_flattened(), layer.bias_array());
    let (x, z) = (x.as_slice(), z.as_mut_slice());
    simd_or_portable!(
        T,
        OUT * IN > SMALL_LAYER,
        s => products::forward(s, cast(w), cast(b), cast(x), cast_mut(z), (OUT, IN, n)),
        portable::forward::<T, OUT, IN>(w, b, x, z)
    )
}

/// Writes the parameter gradients of a dense layer: `∂W = Δ·Xᵀ` and `∂b = Σ_j Δ[:, j]`, where
/// `Δ = ∂L/∂Z` is `OUT × n` and `X` is the layer's `IN × n` input. Both are overwritten, not
/// accumulated into.
#[inline]
pub fn dense_parameter_gradient<T: Float, const OUT: usize, const IN: usize>(
    gradient: &mut impl DenseParametersMut<T, OUT, IN>,
    x: &impl Batch<T, IN>,
    delta: &impl Batch<T, OUT>,
) {
    assert_eq!(
        x.columns(),
        delta.columns(),
        "input and delta batch sizes differ"
    );
    let n = x.columns();
    let (x, delta) = (x.as_slice(), delta.as_slice());
    bias_gradient(gradient.bias_array_mut(), delta, n);
    let dw = gradient.weight_columns_mut().as_flattened_mut();
    simd_or_portable!(
        T,
        OUT * IN > SMALL_LAYER,
        s => products::weight_gradient(s, cast_mut(dw), cast(x), cast(delta), (OUT, IN, n)),
        portable::weight_gradient::<T, OUT, IN>(dw, x, delta)
    )
}

/// `∂b = Σ_j Δ[:, j]` over the `n` columns of `delta`.
#[inline(always)]
fn bias_gradient<T: Float, const OUT: usize>(db: &mut [T; OUT], delta: &[T], n: usize) {
    crate::compute::simd::wide(
        delta.len(),
        #[inline(always)]
        || portable::row_sums(db, delta, n),
    );
}

/// [`dense_parameter_gradient`] for the backward pass of a training step with the fused update:
/// when the layer's products are large (those a session's team splits) and `update` claims its
/// weights, trained tensor number `tensor`, each block of columns of `∂W` is handed to `update`
/// with the same columns of `layer`'s weights as soon as it is computed, by the thread that
/// computed it. The bias is left to the step's update pass. Call it after the layer's input
/// gradient, which needs the weights before the update.
///
/// The gradients written are the same bits as [`dense_parameter_gradient`]'s.
#[cfg(feature = "train")]
#[inline]
pub fn dense_parameter_gradient_updating<T: Float, const OUT: usize, const IN: usize>(
    layer: &mut impl DenseParametersMut<T, OUT, IN>,
    gradient: &mut impl DenseParametersMut<T, OUT, IN>,
    x: &impl Batch<T, IN>,
    delta: &impl Batch<T, OUT>,
    update: &mut impl crate::FusedUpdate<T>,
    tensor: usize,
) {
    let n = x.columns();
    if !(splits_products(OUT, IN, n) && update.claim(tensor)) {
        return dense_parameter_gradient(gradient, x, delta);
    }
    assert_eq!(n, delta.columns(), "input and delta batch sizes differ");
    let (x, delta) = (x.as_slice(), delta.as_slice());
    bias_gradient(gradient.bias_array_mut(), delta, n);
    let weights = SharedMut(layer.weight_columns_mut().as_flattened_mut().as_mut_ptr());
    let dw = gradient.weight_columns_mut().as_flattened_mut();
    let gradients = SharedMut(dw.as_mut_ptr());
    let update = &*update;
    let then = move |piece: usize, values: core::ops::Range<usize>| {
        let (weights, gradients) = (weights, gradients);
        // SAFETY: `values` lies within the `OUT × IN` weights and gradients, both borrowed until
        // this function returns; the kernel hands each block to one thread, once, after it has
        // written the block, and the blocks of different threads are disjoint.
        unsafe {
            let parameters =
                core::slice::from_raw_parts_mut(weights.0.add(values.start), values.len());
            let gradients =
                core::slice::from_raw_parts_mut(gradients.0.add(values.start), values.len());
            update.update(piece, tensor, values.start, parameters, gradients);
        }
    };
    simd_or_portable!(
        T,
        true,
        s => products::weight_gradient_then(s, cast_mut(dw), cast(x), cast(delta), (OUT, IN, n), &then),
        {
            portable::weight_gradient::<T, OUT, IN>(dw, x, delta);
            then(0, 0..OUT * IN)
        }
    )
}

/// `∂X = Wᵀ·Δ`: the gradient with respect to the layer's input, `IN × n` for `Δ` of `OUT × n`
/// (its column count is set to `n`; its capacity must allow it).
#[inline]
pub fn dense_input_gradient<T: Float, const OUT: usize, const IN: usize>(
    layer: &impl DenseParameters<T, OUT, IN>,
    delta: &impl Batch<T, OUT>,
    dx: &mut impl BatchMut<T, IN>,
) {
    let n = delta.columns();
    dx.set_columns(n);
    let w = layer.weight_columns().as_flattened();
    let (delta, dx) = (delta.as_slice(), dx.as_mut_slice());
    simd_or_portable!(
        T,
        OUT * IN > SMALL_LAYER,
        s => products::input_gradient(s, cast(w), cast(delta), cast_mut(dx), (OUT, IN, n)),
        portable::input_gradient::<T, OUT, IN>(w, delta, dx, n)
    )
}

#[cfg(all(test, feature = "train"))]
mod tests;
