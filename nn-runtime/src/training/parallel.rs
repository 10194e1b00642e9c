//! Elementwise loops over long flat slices split across the threads of a training session's
//! rayon pool: the optimizers' updates and the sum of the threads' gradients.
//!
//! A loop runs in parallel only inside [`spread`], which a session with more than one thread
//! wraps around its update; everywhere else it runs on the calling thread. Each piece runs under
//! [`simd::wide`]. Each element is computed by the same operations either way, so results do
//! not depend on the split.

use core::cell::Cell;

use crate::compute::simd;
use crate::learning::pieces::Split;
#[cfg(test)]
use crate::learning::pieces::for_each_piece;

/// Slices shorter than this stay on one thread: below it, waking another costs more than the
/// loop (an Adam update of 16 384 `f32` takes about 6 µs).
const MIN_PARALLEL_LEN: usize = 16_384;

std::thread_local! {
    /// Whether loops started on this thread may spread over the current rayon pool.
    static SPREAD: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with the loops it starts on this thread spread over the current rayon pool.
pub(crate) fn spread<R>(f: impl FnOnce() -> R) -> R {
    /// Restores the previous setting, also when `f` unwinds.
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            SPREAD.with(|spread| spread.set(self.0));
        }
    }
    let _restore = Restore(SPREAD.with(|spread| spread.replace(true)));
    f()
}

/// Whether a loop over `len` elements started on this thread should spread over the pool: inside
/// [`spread`] and long enough.
#[inline(always)]
pub(crate) fn spreads(len: usize) -> bool {
    len >= 2 * MIN_PARALLEL_LEN && SPREAD.with(Cell::get)
}

/// Runs `f` on about one piece of `parts` per pool thread, in parallel.
pub(crate) fn split_over_pool<P: Split>(parts: P, f: &(impl Fn(P) + Sync)) {
    let pieces = rayon::current_num_threads().min(parts.len() / MIN_PARALLEL_LEN);
    split_among(parts, pieces, f);
}

/// Cuts `parts` into `pieces` nearly equal pieces and runs `f` on them in parallel.
fn split_among<P: Split>(parts: P, pieces: usize, f: &(impl Fn(P) + Sync)) {
    if pieces <= 1 {
        return simd::wide(
            parts.len(),
            #[inline(always)]
            || f(parts),
        );
    }
    let left_pieces = pieces / 2;
    let at = parts.len() * left_pieces / pieces;
    let (left, right) = parts.split_at(at);
    rayon::join(
        || split_among(left, left_pieces, f),
        || split_among(right, pieces - left_pieces, f),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Doubles every element of `values` by pieces and records the piece lengths.
    fn double(values: &mut [u32]) -> Vec<usize> {
        let lengths = std::sync::Mutex::new(Vec::new());
        let source: Vec<u32> = values.to_vec();
        for_each_piece((values, &source[..]), |(out, input)| {
            lengths.lock().unwrap().push(out.len());
            for (o, &i) in out.iter_mut().zip(input) {
                *o = 2 * i;
            }
        });
        let mut lengths = lengths.into_inner().unwrap();
        lengths.sort_unstable();
        lengths
    }

    #[test]
    fn outside_spread_the_whole_runs_as_one_piece() {
        let mut values: Vec<u32> = (0..100_000).collect();
        assert_eq!(double(&mut values), vec![100_000]);
        assert!(values.iter().enumerate().all(|(i, &v)| v == 2 * i as u32));
    }

    #[test]
    fn inside_spread_long_slices_split_over_the_pool() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let mut long: Vec<u32> = (0..100_000).collect();
        let mut short: Vec<u32> = (0..1_000).collect();
        let (long_pieces, short_pieces) =
            pool.install(|| spread(|| (double(&mut long), double(&mut short))));
        assert_eq!(long_pieces, vec![33_333, 33_333, 33_334]);
        assert_eq!(short_pieces, vec![1_000]);
        assert!(long.iter().enumerate().all(|(i, &v)| v == 2 * i as u32));
        assert!(short.iter().enumerate().all(|(i, &v)| v == 2 * i as u32));
        // The setting ends with `spread`.
        assert_eq!(pool.install(|| double(&mut long)), vec![100_000]);
    }
}
