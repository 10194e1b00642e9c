//! Axes: the domain of a chart's axis, linear or logarithmic, its ticks and their labels, and
//! the position of a value along it.

use super::text;

/// How values are laid along an axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Scale {
    /// Equal differences at equal distances.
    Linear,
    /// Equal ratios at equal distances (positive values only).
    Log,
}

impl Scale {
    /// The word for captions: `linear` or `log`.
    pub(super) fn name(self) -> &'static str {
        match self {
            Scale::Linear => "linear",
            Scale::Log => "log",
        }
    }
}

/// An axis: a domain `lo..=hi` laid out by `scale`, with labelled ticks inside it.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Axis {
    pub scale: Scale,
    pub lo: f64,
    pub hi: f64,
    pub ticks: Vec<(f64, String)>,
}

/// The most ticks a linear axis aims at.
const LINEAR_TICKS: f64 = 5.0;

impl Axis {
    /// A linear axis around the finite `values` (0 to 1 without any), extended to whole ticks.
    pub(super) fn linear(values: impl IntoIterator<Item = f64>) -> Self {
        let (mut min, mut max) =
            bounds(values.into_iter().filter(|v| v.is_finite())).unwrap_or((0.0, 1.0));
        if max - min <= f64::EPSILON * max.abs().max(min.abs()) {
            let delta = if max == 0.0 { 1.0 } else { 0.1 * max.abs() };
            min -= delta;
            max += delta;
        }
        let step = nice_step((max - min) / LINEAR_TICKS);
        let lo = (min / step).floor() * step;
        let hi = (max / step).ceil() * step;
        let count = ((hi - lo) / step).round() as usize;
        let ticks = (0..=count)
            .map(|i| {
                let value = lo + i as f64 * step;
                // -0.0 and 1e-17 read as 0.
                let value = if value.abs() < step * 1e-9 {
                    0.0
                } else {
                    value
                };
                (value, text::tick(value, step))
            })
            .collect();
        Self {
            scale: Scale::Linear,
            lo,
            hi,
            ticks,
        }
    }

    /// A logarithmic axis around the positive finite `values`, from a tick at or below the
    /// smallest to one at or above the largest; `None` without a positive value.
    pub(super) fn log(values: impl IntoIterator<Item = f64>) -> Option<Self> {
        let (min, max) = bounds(values.into_iter().filter(|v| v.is_finite() && *v > 0.0))?;
        let span = max.log10() - min.log10();
        let (lo, hi, ticks) = if span > 2.5 {
            // Decades only; every few of them over a wide span.
            let every = (span / 8.0).ceil().max(1.0) as i32;
            let first = (min.log10() + 1e-9).floor() as i32;
            let first = first.div_euclid(every) * every;
            let last = (max.log10() - 1e-9).ceil() as i32;
            let last = last + (every - (last - first).rem_euclid(every)) % every;
            let ticks = (first..=last)
                .step_by(every as usize)
                .map(|e| 10f64.powi(e))
                .collect::<Vec<_>>();
            (10f64.powi(first), 10f64.powi(last), ticks)
        } else {
            let mut snapped = snap(min, max, &[1.0, 2.0, 5.0]);
            if snapped.2.len() < 3 {
                snapped = snap(min, max, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]);
            }
            snapped
        };
        let ticks = ticks.into_iter().map(|v| (v, text::log_tick(v))).collect();
        Some(Self {
            scale: Scale::Log,
            lo,
            hi,
            ticks,
        })
    }

    /// The epoch axis of a run of `epochs` epochs: from 1 to the last, ticks on whole epochs.
    pub(super) fn epochs(epochs: usize) -> Self {
        let epochs = epochs.max(1);
        if epochs == 1 {
            return Self {
                scale: Scale::Linear,
                lo: 0.5,
                hi: 1.5,
                ticks: vec![(1.0, "1".to_string())],
            };
        }
        let step = (nice_step((epochs - 1) as f64 / 8.0).round() as usize).max(1);
        let mut ticks: Vec<usize> = (1..=epochs / step).map(|i| i * step).collect();
        if step == 1 || step >= 5 {
            ticks.retain(|&t| t != 1);
            ticks.insert(0, 1);
        }
        Self {
            scale: Scale::Linear,
            lo: 1.0,
            hi: epochs as f64,
            ticks: ticks
                .into_iter()
                .map(|t| (t as f64, t.to_string()))
                .collect(),
        }
    }

    /// Where `value` falls, from 0 at `lo` to 1 at `hi`; `None` for a value the axis cannot
    /// show (NaN, or not positive on a log axis).
    pub(super) fn fraction(&self, value: f64) -> Option<f64> {
        if !value.is_finite() {
            return None;
        }
        match self.scale {
            Scale::Linear => Some((value - self.lo) / (self.hi - self.lo)),
            Scale::Log if value > 0.0 => {
                let (lo, hi) = (self.lo.log10(), self.hi.log10());
                Some((value.log10() - lo) / (hi - lo))
            }
            Scale::Log => None,
        }
    }
}

/// The smallest and largest of `values`, if any.
fn bounds(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values.fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// A step of 1, 2, 2.5 or 5 times a power of ten, at least `raw`.
fn nice_step(raw: f64) -> f64 {
    let raw = if raw > 0.0 && raw.is_finite() {
        raw
    } else {
        1.0
    };
    let power = 10f64.powf(raw.log10().floor());
    let mantissa = raw / power;
    let nice = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .find(|&m| m >= mantissa - 1e-9)
        .unwrap_or(10.0);
    nice * power
}

/// The values `m·10ᵉ` for `m` in `mantissas` from the largest at or below `min` to the smallest
/// at or above `max`: the domain's ends and the ticks between.
fn snap(min: f64, max: f64, mantissas: &[f64]) -> (f64, f64, Vec<f64>) {
    let first = min.log10().floor() as i32 - 1;
    let last = max.log10().ceil() as i32 + 1;
    let candidates: Vec<f64> = (first..=last)
        .flat_map(|e| mantissas.iter().map(move |m| m * 10f64.powi(e)))
        .collect();
    let tolerance = 1e-9;
    let lo = candidates
        .iter()
        .copied()
        .filter(|&c| c <= min * (1.0 + tolerance))
        .fold(f64::NAN, f64::max);
    let hi = candidates
        .iter()
        .copied()
        .filter(|&c| c >= max * (1.0 - tolerance))
        .fold(f64::NAN, f64::min);
    let ticks = candidates
        .into_iter()
        .filter(|&c| c >= lo * (1.0 - tolerance) && c <= hi * (1.0 + tolerance))
        .collect();
    (lo, hi, ticks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(axis: &Axis) -> Vec<&str> {
        axis.ticks.iter().map(|(_, label)| label.as_str()).collect()
    }

    #[test]
    fn linear_axes_end_on_whole_ticks() {
        let axis = Axis::linear([0.0734, 2.31]);
        assert_eq!((axis.lo, axis.hi), (0.0, 2.5));
        assert_eq!(labels(&axis), ["0", "0.5", "1", "1.5", "2", "2.5"]);
        let flat = Axis::linear([3.0, 3.0]);
        assert!(flat.lo < 3.0 && flat.hi > 3.0);
        let empty = Axis::linear([f64::NAN]);
        assert_eq!((empty.lo, empty.hi), (0.0, 1.0));
    }

    #[test]
    fn log_axes_tick_at_one_two_five_or_decades() {
        let axis = Axis::log([0.0734, 2.31, -1.0, 0.0]).unwrap();
        assert_eq!(labels(&axis), ["0.05", "0.1", "0.2", "0.5", "1", "2", "5"]);
        assert_eq!((axis.lo, axis.hi), (0.05, 5.0));
        let wide = Axis::log([1e-6, 3.0]).unwrap();
        assert_eq!(
            labels(&wide),
            ["10⁻⁶", "10⁻⁵", "10⁻⁴", "0.001", "0.01", "0.1", "1", "10"]
        );
        let narrow = Axis::log([0.31, 0.42]).unwrap();
        assert_eq!(labels(&narrow), ["0.3", "0.4", "0.5"]);
        assert!(Axis::log([0.0, -2.0, f64::NAN]).is_none());
    }

    #[test]
    fn epoch_axes_tick_on_whole_epochs() {
        assert_eq!(labels(&Axis::epochs(1)), ["1"]);
        assert_eq!(labels(&Axis::epochs(5)), ["1", "2", "3", "4", "5"]);
        assert_eq!(labels(&Axis::epochs(12)), ["2", "4", "6", "8", "10", "12"]);
        assert_eq!(labels(&Axis::epochs(45)), ["1", "10", "20", "30", "40"]);
        assert_eq!(labels(&Axis::epochs(300))[..3], ["1", "50", "100"]);
        for epochs in 1..400 {
            let axis = Axis::epochs(epochs);
            assert!(
                axis.ticks
                    .iter()
                    .all(|(v, l)| v.fract() == 0.0 && l.parse::<usize>().is_ok())
            );
            assert!(
                axis.ticks
                    .iter()
                    .all(|(v, _)| *v >= 1.0 && *v <= epochs as f64)
            );
        }
    }

    #[test]
    fn fractions_place_values_along_the_axis() {
        let axis = Axis::linear([0.0, 10.0]);
        assert_eq!(axis.fraction(5.0), Some(0.5));
        let log = Axis::log([1.0, 100.0]).unwrap();
        assert!((log.fraction(10.0).unwrap() - 0.5).abs() < 1e-12);
        assert_eq!(log.fraction(-1.0), None);
        assert_eq!(axis.fraction(f64::NAN), None);
    }
}
