//! Elementary functions for the activations, written so that the compiler vectorizes them.

/// `tanh(x)` for `f32` as the rational function `x·P(x²)/Q(x²)` (degrees 13 and 6) on
/// `[-7.905311, 7.905311]`, where the `f32` result saturates to ±1; `x` itself below `4e-4`,
/// where `tanh(x)` rounds to `x`. The approximation of Eigen's `generic_fast_tanh_float`:
/// at most 5e-7 from the true value (the library `tanhf` stays within 1.1e-7), with no branch
/// or table, so a loop over a slice runs 8 values per instruction under AVX2 instead of calling
/// `tanhf` per value. NaN stays NaN; ±∞ gives ±1.
#[inline(always)]
pub(crate) fn tanh_f32(x: f32) -> f32 {
    /// Past this the rational function rounds to ±1 (and its polynomials stay finite).
    const SATURATION: f32 = 7.905_311;
    /// Below this in magnitude, `tanh(x)` rounds to `x`.
    const TINY: f32 = 4e-4;
    let x_c = x.clamp(-SATURATION, SATURATION);
    let x2 = x_c * x_c;
    let p = -2.760_768_5e-16_f32;
    let p = p * x2 + 2.000_188e-13;
    let p = p * x2 - 8.604_672e-11;
    let p = p * x2 + 5.122_297e-8;
    let p = p * x2 + 1.485_722_4e-5;
    let p = p * x2 + 6.372_619_3e-4;
    let p = p * x2 + 4.893_524_6e-3;
    let q = 1.198_258_4e-6_f32;
    let q = q * x2 + 1.185_347e-4;
    let q = q * x2 + 2.268_434_7e-3;
    let q = q * x2 + 4.893_525e-3;
    if x.abs() < TINY { x } else { x_c * p / q }
}

/// `eˣ` for `f32` by Cephes' `expf` scheme: `x = n·ln 2 + r` with `|r| <= ln 2 / 2`, a
/// degree-7 polynomial for `eʳ`, and `2ⁿ` built from its bits (in two factors, so results down
/// to the smallest subnormal come out right). Within 2 ulp of the true value; no branch, table
/// or library call, so a loop over a slice vectorizes. Overflows to +∞ past 88.72283, reaches
/// 0 below -103.97208; NaN stays NaN.
#[inline(always)]
pub(crate) fn exp_f32(x: f32) -> f32 {
    /// Above this `eˣ` overflows `f32`.
    const OVERFLOW: f32 = 88.722_83;
    /// Below this `eˣ` rounds to 0.
    const UNDERFLOW: f32 = -103.972_08;
    /// `1.5·2²³`: adding it rounds a float of magnitude below 2²² to an integer, which then
    /// sits in the low bits of the sum.
    const ROUND: f32 = 12_582_912.0;
    /// `ln 2` split in a part exact in a few bits and the rest (Cody–Waite reduction).
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    let clamped = x.clamp(UNDERFLOW, OVERFLOW);
    let shifted = clamped * core::f32::consts::LOG2_E + ROUND;
    let n = shifted - ROUND;
    let r = clamped - n * LN2_HI - n * LN2_LO;
    let p = 1.987_569_2e-4_f32;
    let p = p * r + 1.398_199_9e-3;
    let p = p * r + 8.333_452e-3;
    let p = p * r + 4.166_579_6e-2;
    let p = p * r + 1.666_666_5e-1;
    let p = p * r + 0.5;
    let y = p * r * r + r + 1.0;
    // n = bits(shifted) − bits(ROUND), in [-150, 128]; 2ⁿ = 2^half · 2^(n − half).
    let n = shifted.to_bits() as i32 - ROUND.to_bits() as i32;
    let half = n >> 1;
    let power = |e: i32| f32::from_bits(((e + 127) as u32) << 23);
    let value = y * power(half) * power(n - half);
    if x > OVERFLOW {
        f32::INFINITY
    } else if x < UNDERFLOW {
        0.0
    } else if x.is_nan() {
        x
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tanh_is_within_5e_7_of_the_true_value() {
        // Every 2⁻¹⁴ over [-12, 12], plus values around the two switch points.
        let grid = (-(12 << 14)..=(12 << 14)).map(|i| i as f32 / 16_384.0);
        let edges = [4e-4f32, 3.9999e-4, 7.905_311, 7.9053, 7.9054].into_iter();
        let mut worst = (0.0f64, 0.0f32);
        for x in grid.chain(edges.clone()).chain(edges.map(|x| -x)) {
            let error = (tanh_f32(x) as f64 - (x as f64).tanh()).abs();
            if error > worst.0 {
                worst = (error, x);
            }
        }
        assert!(worst.0 <= 5e-7, "error {} at x = {}", worst.0, worst.1);
    }

    #[test]
    fn tanh_is_odd_saturates_and_keeps_nan() {
        for x in [1e-6f32, 3e-4, 0.1, 0.5, 1.0, 2.5, 6.0, 7.5, 7.9, 20.0] {
            assert_eq!(tanh_f32(-x), -tanh_f32(x), "x = {x}");
            assert!(tanh_f32(x) > 0.0 && tanh_f32(x) <= 1.0, "x = {x}");
        }
        assert_eq!(tanh_f32(0.0), 0.0);
        assert_eq!(tanh_f32(1e-5), 1e-5);
        assert_eq!(tanh_f32(100.0), 1.0);
        assert_eq!(tanh_f32(f32::INFINITY), 1.0);
        assert_eq!(tanh_f32(f32::NEG_INFINITY), -1.0);
        assert!(tanh_f32(f32::NAN).is_nan());
    }

    #[test]
    fn exp_is_within_2_ulp_of_the_true_value() {
        // Every 2⁻⁸ over the whole range, and every 2⁻¹⁶ over [-2, 2].
        let coarse = (-(104 << 8)..=(89 << 8)).map(|i| i as f32 / 256.0);
        let fine = (-(2 << 16)..=(2 << 16)).map(|i| i as f32 / 65_536.0);
        for x in coarse.chain(fine).filter(|x| (-103.97..=88.72).contains(x)) {
            let exact = (x as f64).exp();
            let got = exp_f32(x) as f64;
            // One ulp of the result, at least that of the smallest subnormal.
            let ulp = (exact as f32).abs().max(f32::from_bits(1));
            let ulp = (f32::from_bits(ulp.to_bits() + 1) - ulp) as f64;
            assert!(
                (got - exact).abs() <= 2.0 * ulp,
                "exp({x}) = {got}, true {exact}"
            );
        }
    }

    #[test]
    fn exp_overflows_underflows_and_keeps_nan() {
        assert_eq!(exp_f32(0.0), 1.0);
        assert_eq!(exp_f32(88.8), f32::INFINITY);
        assert_eq!(exp_f32(f32::INFINITY), f32::INFINITY);
        assert_eq!(exp_f32(-104.0), 0.0);
        assert_eq!(exp_f32(f32::NEG_INFINITY), 0.0);
        assert!(exp_f32(-100.0) > 0.0, "subnormal results survive");
        assert!(exp_f32(f32::NAN).is_nan());
        assert!(exp_f32(88.72).is_finite());
    }
}
