//! Text for the report: HTML escaping and the formats of numbers in labels, cells and data
//! attributes.

use std::fmt::Write;

/// `text` escaped for HTML text and attribute values (`&`, `<`, `>`, `"`, `'`).
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A value as a data attribute holds it: the shortest text that reads back as the same `f64`
/// (`NaN`, `inf` and `-inf` for the others).
pub(super) fn exact(value: f64) -> String {
    format!("{value}")
}

/// A value with four significant digits, for figures and cells: `0.07342`, `12.35`, `1234`,
/// `1.235e-5`; `–` for NaN.
pub(super) fn figure(value: f64) -> String {
    if value.is_nan() {
        return "–".to_string();
    }
    if value.is_infinite() {
        return if value > 0.0 { "∞" } else { "−∞" }.to_string();
    }
    if value == 0.0 {
        return "0".to_string();
    }
    let magnitude = value.abs().log10().floor() as i32;
    if !(-4..6).contains(&magnitude) {
        let text = format!("{value:.3e}");
        return tidy_exponent(&text);
    }
    let decimals = (3 - magnitude).max(0) as usize;
    trim_zeros(&format!("{value:.decimals$}"))
}

/// A fraction as a percentage with two decimals: `97.21 %`.
pub(super) fn percent(fraction: f64) -> String {
    format!("{:.2}\u{a0}%", 100.0 * fraction)
}

/// An integer with thin spaces between thousands: `12 345`.
pub(super) fn integer(value: usize) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

/// A tick label on an axis whose ticks are `step` apart: as many decimals as the step needs.
pub(super) fn tick(value: f64, step: f64) -> String {
    if value == 0.0 {
        return "0".to_string();
    }
    let magnitude = value.abs().log10().floor() as i32;
    if !(-4..6).contains(&magnitude) {
        return power_of_ten_label(value);
    }
    let decimals = decimals_for(step);
    let text = format!("{value:.decimals$}");
    if decimals > 0 {
        trim_zeros(&text)
    } else {
        text
    }
}

/// The decimals that tell apart ticks `step` apart.
fn decimals_for(step: f64) -> usize {
    let mut decimals = 0usize;
    let mut scaled = step;
    while decimals < 12 && (scaled - scaled.round()).abs() > 1e-9 * scaled.abs().max(1.0) {
        scaled *= 10.0;
        decimals += 1;
    }
    decimals
}

/// A tick label on a log axis: `0.05`, `200`, or `2·10⁻⁵` far from 1.
pub(super) fn log_tick(value: f64) -> String {
    let magnitude = value.abs().log10().floor() as i32;
    if (-3..5).contains(&magnitude) {
        let decimals = (-magnitude).max(0) as usize;
        return trim_zeros(&format!("{value:.decimals$}"));
    }
    power_of_ten_label(value)
}

/// `m·10ⁿ` with a one-digit mantissa, `10ⁿ` when it is 1.
fn power_of_ten_label(value: f64) -> String {
    let exponent = value.abs().log10().floor() as i32;
    let mantissa = value / 10f64.powi(exponent);
    let mut out = String::new();
    let rounded = (mantissa * 10.0).round() / 10.0;
    if (rounded - 1.0).abs() > 1e-9 {
        let _ = write!(out, "{}·", trim_zeros(&format!("{rounded:.1}")));
    }
    out.push_str("10");
    out.push_str(&superscript(exponent));
    out
}

/// `n` in superscript digits: `⁻⁵`.
fn superscript(n: i32) -> String {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let mut out = String::new();
    if n < 0 {
        out.push('⁻');
    }
    for c in n.unsigned_abs().to_string().chars() {
        out.push(DIGITS[c as usize - '0' as usize]);
    }
    out
}

/// `1.500` → `1.5`, `2.000` → `2`; text without a decimal point is left alone.
fn trim_zeros(text: &str) -> String {
    if !text.contains('.') {
        return text.to_string();
    }
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// `1.235e-5` with trailing zeros of the mantissa removed: `1.2e-5` for `1.200e-5`.
fn tidy_exponent(text: &str) -> String {
    match text.split_once('e') {
        Some((mantissa, exponent)) => format!("{}e{exponent}", trim_zeros(mantissa)),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn exact_values_read_back_bit_for_bit() {
        for value in [0.1 + 0.2, 1e-300, 123456.789, -0.0] {
            assert_eq!(
                exact(value).parse::<f64>().unwrap().to_bits(),
                value.to_bits()
            );
        }
    }

    #[test]
    fn figures_keep_four_significant_digits() {
        assert_eq!(figure(0.0734215), "0.07342");
        assert_eq!(figure(12.3456), "12.35");
        assert_eq!(figure(1234.0), "1234");
        assert_eq!(figure(2.0), "2");
        assert_eq!(figure(0.0000123456), "1.235e-5");
        assert_eq!(figure(f64::NAN), "–");
        assert_eq!(percent(0.97214), "97.21\u{a0}%");
        assert_eq!(integer(1234567), "1\u{202f}234\u{202f}567");
        assert_eq!(integer(999), "999");
    }

    #[test]
    fn ticks_show_the_decimals_their_step_needs() {
        assert_eq!(tick(0.25, 0.05), "0.25");
        assert_eq!(tick(0.3, 0.05), "0.3");
        assert_eq!(tick(40.0, 10.0), "40");
        assert_eq!(tick(0.00002, 0.00001), "2·10⁻⁵");
        assert_eq!(log_tick(0.05), "0.05");
        assert_eq!(log_tick(200.0), "200");
        assert_eq!(log_tick(1e-6), "10⁻⁶");
        assert_eq!(log_tick(5e-6), "5·10⁻⁶");
    }
}
