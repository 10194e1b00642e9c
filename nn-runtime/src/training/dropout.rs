//! Inverted dropout (Srivastava et al., 2014, "Dropout: A Simple Way to Prevent Neural Networks
//! from Overfitting"): in training each value is kept with probability `1 − p` and scaled by
//! `1 / (1 − p)`, so inference needs no rescaling and simply skips the layer.

use rand::Rng;

use crate::{BatchMatrix, Float};

/// Draws a fresh mask for `columns` samples: each entry is `0` with probability `p`, otherwise
/// `1 / (1 − p)`.
pub fn resample_mask<T: Float, const N: usize, R: Rng + ?Sized>(
    p: f64,
    mask: &mut BatchMatrix<T, N>,
    columns: usize,
    rng: &mut R,
) {
    mask.set_columns(columns);
    let keep = T::of_f64(1.0 / (1.0 - p));
    // One 32-bit draw per entry, dropped when below p·2³² (p in steps of 2⁻³²): half the random
    // bits of an `f64` draw and no conversion.
    let threshold = (p * 4_294_967_296.0) as u64;
    for m in mask.as_mut_slice() {
        *m = if u64::from(rng.next_u32()) < threshold {
            T::zero()
        } else {
            keep
        };
    }
}

/// `y = x ⊙ mask`.
pub fn dropout_forward<T: Float, const N: usize>(
    x: &BatchMatrix<T, N>,
    mask: &BatchMatrix<T, N>,
    y: &mut BatchMatrix<T, N>,
) {
    assert!(
        x.columns() <= mask.columns(),
        "dropout mask drawn for {} samples, batch has {}",
        mask.columns(),
        x.columns()
    );
    y.set_columns(x.columns());
    for ((y, &x), &m) in y
        .as_mut_slice()
        .iter_mut()
        .zip(x.as_slice())
        .zip(mask.as_slice())
    {
        *y = x * m;
    }
}

/// `∂X = ∂Y ⊙ mask`.
pub fn dropout_backward<T: Float, const N: usize>(
    mask: &BatchMatrix<T, N>,
    dy: &BatchMatrix<T, N>,
    dx: &mut BatchMatrix<T, N>,
) {
    dx.set_columns(dy.columns());
    for ((dx, &dy), &m) in dx
        .as_mut_slice()
        .iter_mut()
        .zip(dy.as_slice())
        .zip(mask.as_slice())
    {
        *dx = dy * m;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{SeedableRng, rngs::StdRng};

    #[test]
    fn the_mask_drops_about_p_and_scales_the_rest() {
        let mut mask = BatchMatrix::<f64, 100>::zeros(100);
        resample_mask(0.25, &mut mask, 100, &mut StdRng::seed_from_u64(1));
        let dropped = mask.as_slice().iter().filter(|&&m| m == 0.0).count();
        assert!(
            (2300..2700).contains(&dropped),
            "dropped {dropped} of 10000"
        );
        assert!(
            mask.as_slice()
                .iter()
                .all(|&m| m == 0.0 || (m - 4.0 / 3.0).abs() < 1e-12)
        );
    }

    #[test]
    fn a_zero_rate_keeps_everything_unscaled() {
        let mut mask = BatchMatrix::<f32, 8>::zeros(4);
        resample_mask(0.0, &mut mask, 3, &mut StdRng::seed_from_u64(1));
        assert_eq!(mask.columns(), 3);
        assert!(mask.as_slice().iter().all(|&m| m == 1.0));
    }
}
