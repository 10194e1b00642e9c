//! Small hand-made cases against nalgebra, through the public functions.

use nalgebra::{DMatrix, SVector};

use crate::{BatchMatrix, Dense};

use super::super::*;

/// A 3×2 layer with round weights.
fn layer() -> Dense<f64, 3, 2> {
    let mut layer = Dense::<f64, 3, 2>::zeros();
    layer
        .weight
        .as_mut_slice()
        .copy_from_slice(&[1., 2., 3., -1., 0.5, 4.]);
    layer.bias.as_mut_slice().copy_from_slice(&[0.1, 0.2, 0.3]);
    layer
}

/// A batch of these columns.
fn columns<const R: usize>(columns: &[[f64; R]]) -> BatchMatrix<f64, R> {
    let columns: Vec<SVector<f64, R>> = columns.iter().map(|c| SVector::from(*c)).collect();
    BatchMatrix::from_columns(&columns)
}

#[test]
fn forward_matches_nalgebra() {
    let layer = layer();
    let x = columns(&[[1., 2.], [-3., 0.5]]);
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
    dense_forward(&layer, &columns(&[[-3., 0.5]]), &mut z);
    assert_eq!(out, z.as_slice());
}

#[test]
fn gradients_match_nalgebra() {
    let layer = layer();
    let x = columns(&[[1., 2.], [-3., 0.5]]);
    let delta = columns(&[[0.5, -1., 2.], [1., 1., -0.25]]);
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
