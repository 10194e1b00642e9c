//! Elementary functions for the activations, written so that the compiler vectorizes them.

mod special;

pub(crate) use special::{erf_f32, expm1_f32, log1p_f32};

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
/// degree-7 polynomial for `eʳ`, and `2ⁿ` built from its bits (in two factors, so that results
/// just below overflow come out right). Within 2 ulp of the true value; no branch, table or
/// library call, so a loop over a slice vectorizes. Overflows to +∞ past 88.72283; 0 below
/// -87.33654, where the true value is subnormal: a softmax of a confident network otherwise
/// fills with subnormal probabilities, and every later operation on them (the loss, the
/// gradient, the products of the backward pass) runs many times slower. NaN stays NaN.
#[inline(always)]
pub(crate) fn exp_f32(x: f32) -> f32 {
    /// Above about 88.72283 `eˣ` overflows `f32`; clamped here, `x` still yields `n = 128`,
    /// so that `y·2ⁿ` overflows to +∞ by itself.
    const HIGH: f32 = 89.0;
    /// `ln` of the smallest normal `f32`: below it `eˣ` is subnormal, and flushed to 0.
    const LOWEST_NORMAL: f32 = -87.336_54;
    let clamped = x.clamp(LOWEST_NORMAL, HIGH);
    let (n, em1) = exp_reduction(clamped);
    let (low, high) = power_of_two_halves(n);
    // NaN flows through the arithmetic; only the flush needs a select, made a product so that
    // even a fully unrolled loop stays free of branches and vectorizes.
    let kept = if x >= LOWEST_NORMAL { 1.0 } else { 0.0 };
    (em1 + 1.0) * low * high * kept
}

/// Cephes' reduction for [`exp_f32`] and [`expm1_f32`], of an `x` already clamped to where
/// `2ⁿ` stays a normal number or overflows as it should: `x = n·ln 2 + r` with
/// `|r| <= ln 2 / 2`. Returns `n` and `eʳ − 1 = r + r²·P(r)`, `P` of degree 5.
#[inline(always)]
pub(crate) fn exp_reduction(clamped: f32) -> (i32, f32) {
    /// `1.5·2²³`: adding it rounds a float of magnitude below 2²² to an integer, which then
    /// sits in the low bits of the sum.
    const ROUND: f32 = 12_582_912.0;
    /// `ln 2` split in a part exact in a few bits and the rest (Cody–Waite reduction).
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    let shifted = clamped * core::f32::consts::LOG2_E + ROUND;
    let n = shifted - ROUND;
    let r = clamped - n * LN2_HI - n * LN2_LO;
    let p = 1.987_569_2e-4_f32;
    let p = p * r + 1.398_199_9e-3;
    let p = p * r + 8.333_452e-3;
    let p = p * r + 4.166_579_6e-2;
    let p = p * r + 1.666_666_5e-1;
    let p = p * r + 0.5;
    // n = bits(shifted) − bits(ROUND), exactly the integer `n` above.
    let n = shifted.to_bits() as i32 - ROUND.to_bits() as i32;
    (n, p * r * r + r)
}

/// `2ⁿ` as the two normal factors `2^⌊n/2⌋` and `2^(n − ⌊n/2⌋)`, for `n` in `[-252, 254]`:
/// multiplied in turn, results just below overflow (`n = 128`) come out right.
#[inline(always)]
pub(crate) fn power_of_two_halves(n: i32) -> (f32, f32) {
    let power = |e: i32| f32::from_bits(((e + 127) as u32) << 23);
    let half = n >> 1;
    (power(half), power(n - half))
}

/// `ln(x)` for `f32` by Cephes' `logf` scheme: `x = 2ᵉ·m` with `m` in `[√½, √2)`, and a
/// degree-9 polynomial in `m − 1`; subnormal `x` are first scaled by 2²³. Within 2 ulp of the
/// true value (1.2e-7 absolute near `x = 1`); no branch, table or library call, so a loop over a
/// slice vectorizes. Gives −∞ at 0, +∞ at +∞ and NaN below 0 and at NaN.
#[inline(always)]
pub(crate) fn ln_f32(x: f32) -> f32 {
    /// `2²³`, which lifts a subnormal into the normal range.
    const SUBNORMAL_SCALE: f32 = 8_388_608.0;
    /// `ln 2` split in a part exact in a few bits and the rest (Cody–Waite).
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    let subnormal = x < f32::MIN_POSITIVE;
    let scaled = if subnormal { x * SUBNORMAL_SCALE } else { x };
    let bits = scaled.to_bits();
    // `m` in [1, 2), then halved above √2 so that `m − 1` stays within ±0.29.
    let m = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000);
    let big = m > core::f32::consts::SQRT_2;
    let m = if big { m * 0.5 } else { m };
    let e = ((bits >> 23) & 0xff) as i32 - 127 + i32::from(big) - if subnormal { 23 } else { 0 };
    let e = e as f32;
    let f = m - 1.0;
    let z = f * f;
    let p = 7.037_683_6e-2_f32;
    let p = p * f - 1.151_461e-1;
    let p = p * f + 1.167_699_9e-1;
    let p = p * f - 1.242_014_1e-1;
    let p = p * f + 1.424_932_3e-1;
    let p = p * f - 1.666_805_8e-1;
    let p = p * f + 2.000_071_4e-1;
    let p = p * f - 2.499_999_4e-1;
    let p = p * f + 3.333_333e-1;
    let y = p * f * z + e * LN2_LO - 0.5 * z;
    let ln = f + y + e * LN2_HI;
    if x == 0.0 {
        f32::NEG_INFINITY
    } else if x.is_nan() || x < 0.0 {
        f32::NAN
    } else if x == f32::INFINITY {
        x
    } else {
        ln
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
        for x in coarse.chain(fine).filter(|x| (-87.33..=88.72).contains(x)) {
            let exact = (x as f64).exp();
            let got = exp_f32(x) as f64;
            let ulp = exact as f32;
            let ulp = (f32::from_bits(ulp.to_bits() + 1) - ulp) as f64;
            assert!(
                (got - exact).abs() <= 2.0 * ulp,
                "exp({x}) = {got}, true {exact}"
            );
        }
    }

    #[test]
    fn ln_is_within_2_ulp_of_the_true_value() {
        // Every 2⁻¹² of the exponent's range (subnormals included), and every 2⁻¹⁸ around 1,
        // where the result is small and an absolute error counts most.
        let coarse = (-(149 << 12)..(128 << 12)).map(|i| (i as f64 / 4096.0).exp2() as f32);
        let near_one = (-(1 << 16)..=(1 << 16)).map(|i| 1.0 + i as f32 / 262_144.0);
        for x in coarse.chain(near_one).filter(|&x| x > 0.0 && x.is_finite()) {
            let exact = (x as f64).ln();
            let got = ln_f32(x) as f64;
            let ulp = (exact as f32).abs();
            let ulp = (f32::from_bits(ulp.to_bits() + 1) - ulp) as f64;
            assert!(
                (got - exact).abs() <= 2.0 * ulp.max(f64::from(f32::EPSILON) / 2.0),
                "ln({x:e}) = {got}, true {exact}"
            );
        }
    }

    #[test]
    fn ln_of_zero_infinity_negatives_and_nan() {
        assert_eq!(ln_f32(1.0), 0.0);
        assert_eq!(ln_f32(0.0), f32::NEG_INFINITY);
        assert_eq!(ln_f32(-0.0), f32::NEG_INFINITY);
        assert_eq!(ln_f32(f32::INFINITY), f32::INFINITY);
        assert!(ln_f32(-1.0).is_nan());
        assert!(ln_f32(f32::NEG_INFINITY).is_nan());
        assert!(ln_f32(f32::NAN).is_nan());
        assert!((ln_f32(f32::from_bits(1)) as f64 - (-103.278_929_903_431_85)).abs() < 1e-5);
    }

    #[test]
    fn exp_never_returns_a_subnormal() {
        // Every representable `f32` from -80 down to -88, across the switch to 0.
        let mut x = -80.0f32;
        while x > -88.0 {
            let got = exp_f32(x);
            assert!(got == 0.0 || got >= f32::MIN_POSITIVE, "exp({x}) = {got:e}");
            x = f32::from_bits(x.to_bits() + 1);
        }
        assert!(exp_f32(-87.33) >= f32::MIN_POSITIVE);
    }

    #[test]
    fn exp_overflows_underflows_and_keeps_nan() {
        assert_eq!(exp_f32(0.0), 1.0);
        for x in [88.723, 88.8, 88.99, 89.0, 89.5, 1e3, f32::MAX] {
            assert_eq!(exp_f32(x), f32::INFINITY, "exp({x})");
        }
        assert_eq!(exp_f32(f32::INFINITY), f32::INFINITY);
        for x in [-87.34, -90.0, -100.0, -104.0, f32::MIN, f32::NEG_INFINITY] {
            assert_eq!(exp_f32(x), 0.0, "exp({x})");
        }
        assert!(exp_f32(f32::NAN).is_nan());
        assert!(exp_f32(88.72).is_finite());
    }
}
