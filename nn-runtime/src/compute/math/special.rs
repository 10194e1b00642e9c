//! The error function and the `eˣ − 1` and `ln(1 + x)` that stay accurate near 0, for `f32`,
//! written like the rest of [`math`](super) so that the compiler vectorizes them: what the GELU,
//! ELU and softplus activations need beyond `exp`, `ln` and `tanh`.

use super::{exp_reduction, ln_f32, power_of_two_halves};

/// `erf(x)` for `f32` as Eigen's `generic_fast_erf_float`: the rational function
/// `x·P(x²)/Q(x²)` (degrees 9 and 12, within 3e-8 of `erf` in exact arithmetic), of `x` clamped
/// to ±3.85, where it rounds to ±1 as the true value does from about ±3.8325 on (it exceeds 1
/// a little further out). Evaluated in `f64` and rounded once, as `f32` arithmetic without fused
/// multiply-adds would round the polynomials to 6 ulp (4e-7) off: within 1 ulp and 6e-8 of the
/// true value (see the tests), and with no branch or table, so that a loop over a slice
/// vectorizes (4 values per instruction under AVX2). NaN stays NaN; ±∞ gives ±1.
#[inline(always)]
pub(crate) fn erf_f32(x: f32) -> f32 {
    /// Past this the ratio would exceed 1; at it, it rounds to 1.
    const SATURATION: f32 = 3.85;
    let wide = f64::from(x.clamp(-SATURATION, SATURATION));
    let x2 = wide * wide;
    let p = 2.290_506_586_135_064_6e-4_f64;
    let p = p * x2 + 3.408_291_010_710_950_7e-3;
    let p = p * x2 + 5.095_569_506_238_086e-2;
    let p = p * x2 + 1.852_083_223_997_614_5e-1;
    let p = p * x2 + 1.128_379_143_519_084;
    let q = -1.179_160_295_436_169_7e-7_f64;
    let q = q * x2 + 2.354_796_647_131_318_3e-5;
    let q = q * x2 + 1.017_962_527_891_488_4e-3;
    let q = q * x2 + 1.407_047_017_116_766_7e-2;
    let q = q * x2 + 1.109_850_517_828_536_2e-1;
    let q = q * x2 + 4.974_692_511_006_753_6e-1;
    let q = q * x2 + 1.0;
    (wide * p / q) as f32
}

/// `eˣ − 1` for `f32`, accurate for small `x` too, by fdlibm's `expm1` scheme on top of
/// [`exp_f32`](super::exp_f32)'s reduction: `x = n·ln 2 + r` with `|r| <= ln 2 / 2`,
/// `eʳ − 1 = r + r²·P(r)` with `exp_f32`'s polynomial, then `2ⁿ·(eʳ − 1) + (2ⁿ − 1)`, both terms
/// exact for `n <= 24` (`(eʳ − 1 + 1)·2ⁿ − 1` above). Within 2 ulp of the true value; no branch,
/// table or library call. Overflows to +∞ past 88.72283, gives −1 below −17.33 (where the true
/// value rounds to −1) and at −∞; NaN stays NaN.
#[inline(always)]
pub(crate) fn expm1_f32(x: f32) -> f32 {
    /// Below this `eˣ − 1` rounds to −1; clamped here, `2ⁿ` stays a normal number.
    const LOW: f32 = -30.0;
    /// As in `exp_f32`: clamped here, `x` yields `n = 128` and the result overflows to +∞.
    const HIGH: f32 = 89.0;
    let (n, em1) = exp_reduction(x.clamp(LOW, HIGH));
    let (low, high) = power_of_two_halves(n);
    let scale = low * high;
    // For n <= 24 both terms are exact, so the sum rounds once; above, −1 hardly matters.
    let small = scale * em1 + (scale - 1.0);
    let large = (em1 + 1.0) * low * high - 1.0;
    if n <= 24 { small } else { large }
}

/// `ln(1 + x)` for `f32`, accurate for small `x` too, by Goldberg's correction (Goldberg, 1991,
/// "What every computer scientist should know about floating-point arithmetic", theorem 4):
/// `u = 1 + x`, then `x` where `u == 1`, else `ln(u)·x/(u − 1)`, which cancels the rounding of
/// `1 + x`. With [`ln_f32`]: within 2 ulp of the true value; no branch, table or library call.
/// Gives −∞ at −1, NaN below −1 and at NaN, +∞ at +∞.
#[inline(always)]
pub(crate) fn log1p_f32(x: f32) -> f32 {
    let u = 1.0 + x;
    let d = u - 1.0;
    // `x / d` before the product, so that huge `x` do not overflow; it is 0/0 where `d == 0`,
    // and ∞/∞ at +∞, neither of which is chosen.
    let corrected = ln_f32(u) * (x / d);
    if d == 0.0 || x == f32::INFINITY {
        x
    } else {
        corrected
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `|got − exact|` in units of the spacing of `f32` at `exact` (at least the smallest
    /// subnormal), and in absolute terms.
    fn error(got: f32, exact: f64) -> (f64, f64) {
        let rounded = (exact as f32).abs();
        let ulp = f32::from_bits(rounded.to_bits() + 1) - rounded;
        let absolute = (got as f64 - exact).abs();
        (absolute / ulp as f64, absolute)
    }

    /// The largest errors of `f` from `exact` over `xs`, in ulp and absolute, with where they are.
    fn worst(
        xs: impl Iterator<Item = f32>,
        f: impl Fn(f32) -> f32,
        exact: impl Fn(f64) -> f64,
    ) -> ((f64, f32), (f64, f32)) {
        let (mut ulps, mut absolute) = ((0.0, 0.0), (0.0, 0.0));
        for x in xs {
            let (u, a) = error(f(x), exact(x as f64));
            if u > ulps.0 {
                ulps = (u, x);
            }
            if a > absolute.0 {
                absolute = (a, x);
            }
        }
        (ulps, absolute)
    }

    /// `±2^(i/16)` from the smallest subnormal up to `2^top`.
    fn geometric(top: i32) -> impl Iterator<Item = f32> + Clone {
        let powers = (-149 * 16..=top * 16).map(|i| (i as f64 / 16.0).exp2() as f32);
        powers.clone().chain(powers.map(|x| -x))
    }

    #[test]
    fn erf_is_within_1_ulp_and_6e_8_of_the_true_value() {
        // Every 2⁻¹⁴ over [-5, 5], tiny to huge magnitudes, and both sides of the saturation.
        let dense = (-(5 << 14)..=(5 << 14)).map(|i| i as f32 / 16_384.0);
        let edges = [3.85f32, 3.849_999_7, -3.85, -3.849_999_7, 1e30, f32::MAX];
        let xs = dense.chain(geometric(127)).chain(edges);
        let ((ulps, at), (absolute, at_abs)) = worst(xs, erf_f32, libm::erf);
        eprintln!("erf_f32: {ulps:.2} ulp at {at}, {absolute:.2e} absolute at {at_abs}");
        assert!(ulps <= 1.0 && absolute <= 6e-8);
    }

    #[test]
    fn erf_never_decreases() {
        // Every `f32` from 3 to 4, across the clamp, where the ratio is flattest.
        let mut x = 3.0f32;
        while x < 4.0 {
            let next = f32::from_bits(x.to_bits() + 1);
            assert!(erf_f32(next) >= erf_f32(x), "erf({next}) < erf({x})");
            x = next;
        }
    }

    #[test]
    fn erf_is_odd_saturates_and_keeps_nan() {
        for x in [1e-30f32, 1e-3, 0.5, 1.0, 2.0, 3.0, 3.83, 3.85, 4.0, 10.0] {
            assert_eq!(erf_f32(-x), -erf_f32(x), "x = {x}");
            assert!(erf_f32(x) > 0.0 && erf_f32(x) <= 1.0, "x = {x}");
        }
        assert_eq!(erf_f32(0.0), 0.0);
        assert_eq!(erf_f32(3.85), 1.0);
        assert_eq!(erf_f32(f32::INFINITY), 1.0);
        assert_eq!(erf_f32(f32::NEG_INFINITY), -1.0);
        assert!(erf_f32(f32::NAN).is_nan());
    }

    #[test]
    fn expm1_is_within_2_ulp_of_the_true_value() {
        // Every 2⁻⁸ over the whole range, every 2⁻¹⁶ over [-2, 2], and tiny magnitudes.
        let coarse = (-(104 << 8)..=(89 << 8)).map(|i| i as f32 / 256.0);
        let fine = (-(2 << 16)..=(2 << 16)).map(|i| i as f32 / 65_536.0);
        let xs = coarse
            .chain(fine)
            .chain(geometric(6))
            .filter(|&x| x <= 88.72);
        let ((ulps, at), _) = worst(xs, expm1_f32, libm::expm1);
        eprintln!("expm1_f32: {ulps:.2} ulp at {at}");
        assert!(ulps <= 2.0);
    }

    #[test]
    fn expm1_overflows_saturates_and_keeps_nan() {
        assert_eq!(expm1_f32(0.0), 0.0);
        assert_eq!(expm1_f32(1e-30), 1e-30);
        assert!(expm1_f32(88.72).is_finite());
        for x in [88.8f32, 89.0, 1e3, f32::MAX, f32::INFINITY] {
            assert_eq!(expm1_f32(x), f32::INFINITY, "expm1({x})");
        }
        for x in [-17.4f32, -30.0, -1e3, f32::MIN, f32::NEG_INFINITY] {
            assert_eq!(expm1_f32(x), -1.0, "expm1({x})");
        }
        assert!(expm1_f32(f32::NAN).is_nan());
    }

    #[test]
    fn log1p_is_within_2_ulp_of_the_true_value() {
        // Every 2⁻²⁴ above −1 (where the result is large and negative), every 2⁻¹⁴ over
        // [−1, 8], and tiny to huge magnitudes.
        let near_minus_one = (1..=1 << 16).map(|i| -1.0 + i as f32 / 16_777_216.0);
        let dense = (-(1 << 14)..=(8 << 14)).map(|i| i as f32 / 16_384.0);
        let xs = near_minus_one.chain(dense).chain(geometric(127));
        let xs = xs.filter(|&x| x > -1.0 && x.is_finite());
        let ((ulps, at), _) = worst(xs, log1p_f32, libm::log1p);
        eprintln!("log1p_f32: {ulps:.2} ulp at {at}");
        assert!(ulps <= 2.0);
    }

    #[test]
    fn log1p_of_minus_one_infinity_and_nan() {
        assert_eq!(log1p_f32(0.0), 0.0);
        assert_eq!(log1p_f32(1e-30), 1e-30);
        assert_eq!(log1p_f32(-1.0), f32::NEG_INFINITY);
        assert_eq!(log1p_f32(f32::INFINITY), f32::INFINITY);
        assert!((log1p_f32(f32::MAX) - 88.722_84).abs() < 1e-5);
        for x in [-1.000_001f32, -2.0, f32::NEG_INFINITY, f32::NAN] {
            assert!(log1p_f32(x).is_nan(), "log1p({x})");
        }
    }
}
