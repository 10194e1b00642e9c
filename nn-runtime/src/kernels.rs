//! Dense-layer products over column-major batches: forward `Z = W·X + b`, weight gradient
//! `∂W = Δ·Xᵀ`, bias gradient `∂b = Σ_columns Δ` and input gradient `∂X = Wᵀ·Δ`.
//!
//! Every loop runs over contiguous columns (`W` is column-major, so `W[:, k]` is contiguous), which
//! the compiler vectorizes. None allocates.

use crate::{BatchMatrix, Dense, Float};

/// `y += alpha · x`, elementwise over equal-length slices.
#[inline(always)]
fn axpy<T: Float>(y: &mut [T], alpha: T, x: &[T]) {
    for (y, &x) in y.iter_mut().zip(x) {
        *y += alpha * x;
    }
}

/// The dot product of two equal-length slices.
#[inline(always)]
fn dot<T: Float>(a: &[T], b: &[T]) -> T {
    a.iter().zip(b).fold(T::zero(), |acc, (&a, &b)| acc + a * b)
}

/// `out = W·x + b` for one sample `x` (`IN` values) into `out` (`OUT` values).
#[inline]
pub fn dense_vector<T: Float, const OUT: usize, const IN: usize>(
    layer: &Dense<T, OUT, IN>,
    x: &[T; IN],
    out: &mut [T; OUT],
) {
    out.copy_from_slice(layer.bias.as_slice());
    for (column, &xk) in layer.weight.as_slice().chunks_exact(OUT).zip(x) {
        axpy(out, xk, column);
    }
}

/// `Z = W·X + b` over a batch: `X` is `IN × n`, `Z` becomes `OUT × n`.
pub fn dense_forward<T: Float, const OUT: usize, const IN: usize>(
    layer: &Dense<T, OUT, IN>,
    x: &BatchMatrix<T, IN>,
    z: &mut BatchMatrix<T, OUT>,
) {
    z.set_columns(x.columns());
    let weight = layer.weight.as_slice();
    for (z, x) in z.columns_mut().zip(x.columns_iter()) {
        z.copy_from_slice(layer.bias.as_slice());
        for (column, &xk) in weight.chunks_exact(OUT).zip(x) {
            axpy(z, xk, column);
        }
    }
}

/// Writes the parameter gradients of a dense layer: `∂W = Δ·Xᵀ` and `∂b = Σ_j Δ[:, j]`, where
/// `Δ = ∂L/∂Z` is `OUT × n` and `X` is the layer's `IN × n` input.
pub fn dense_parameter_gradient<T: Float, const OUT: usize, const IN: usize>(
    gradient: &mut Dense<T, OUT, IN>,
    x: &BatchMatrix<T, IN>,
    delta: &BatchMatrix<T, OUT>,
) {
    assert_eq!(
        x.columns(),
        delta.columns(),
        "input and delta batch sizes differ"
    );
    gradient.fill_zero();
    let bias = gradient.bias.as_mut_slice();
    let weight = gradient.weight.as_mut_slice();
    for (x, d) in x.columns_iter().zip(delta.columns_iter()) {
        axpy(bias, T::one(), d);
        for (column, &xk) in weight.chunks_exact_mut(OUT).zip(x) {
            axpy(column, xk, d);
        }
    }
}

/// `∂X = Wᵀ·Δ`: the gradient with respect to the layer's input, `IN × n`.
pub fn dense_input_gradient<T: Float, const OUT: usize, const IN: usize>(
    layer: &Dense<T, OUT, IN>,
    delta: &BatchMatrix<T, OUT>,
    dx: &mut BatchMatrix<T, IN>,
) {
    dx.set_columns(delta.columns());
    let weight = layer.weight.as_slice();
    for (dx, d) in dx.columns_mut().zip(delta.columns_iter()) {
        for (dxk, column) in dx.iter_mut().zip(weight.chunks_exact(OUT)) {
            *dxk = dot(column, d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::{DMatrix, SVector};

    fn layer() -> Dense<f64, 3, 2> {
        let mut layer = Dense::<f64, 3, 2>::zeros();
        layer
            .weight
            .as_mut_slice()
            .copy_from_slice(&[1., 2., 3., -1., 0.5, 4.]);
        layer.bias.as_mut_slice().copy_from_slice(&[0.1, 0.2, 0.3]);
        layer
    }

    fn batch<const R: usize>(columns: &[[f64; R]]) -> BatchMatrix<f64, R> {
        let columns: Vec<SVector<f64, R>> = columns.iter().map(|c| SVector::from(*c)).collect();
        BatchMatrix::from_columns(&columns)
    }

    #[test]
    fn forward_matches_nalgebra() {
        let layer = layer();
        let x = batch(&[[1., 2.], [-3., 0.5]]);
        let mut z = BatchMatrix::<f64, 3>::zeros(4);
        dense_forward(&layer, &x, &mut z);
        let expected = *layer.weight * x.view() + DMatrix::from_fn(3, 2, |i, _| layer.bias[i]);
        assert_eq!(z.columns(), 2);
        assert!((z.view() - expected).abs().max() < 1e-12);
    }

    #[test]
    fn vector_forward_matches_batch_forward() {
        let layer = layer();
        let mut out = [0.0; 3];
        dense_vector(&layer, &[-3., 0.5], &mut out);
        let mut z = BatchMatrix::<f64, 3>::zeros(1);
        dense_forward(&layer, &batch(&[[-3., 0.5]]), &mut z);
        assert_eq!(out, z.as_slice());
    }

    #[test]
    fn gradients_match_nalgebra() {
        let layer = layer();
        let x = batch(&[[1., 2.], [-3., 0.5]]);
        let delta = batch(&[[0.5, -1., 2.], [1., 1., -0.25]]);
        let mut gradient = Dense::<f64, 3, 2>::zeros();
        dense_parameter_gradient(&mut gradient, &x, &delta);
        let expected_w = delta.view() * x.view().transpose();
        assert!((*gradient.weight - expected_w).abs().max() < 1e-12);
        assert_eq!(gradient.bias.as_slice(), &[1.5, 0.0, 1.75]);

        let mut dx = BatchMatrix::<f64, 2>::zeros(2);
        dense_input_gradient(&layer, &delta, &mut dx);
        let expected_dx = layer.weight.transpose() * delta.view();
        assert!((dx.view() - expected_dx).abs().max() < 1e-12);
    }
}
