//! Elementwise loops over long flat slices split across the threads of a training session's
//! rayon pool: the optimizers' updates and the sum of the threads' gradients.
//!
//! A loop runs in parallel only inside [`spread`], which a session with more than one thread
//! wraps around its update; everywhere else it runs on the calling thread. Each piece runs under
//! [`simd::wide`]. Each element is computed by the same operations either way, so results do
//! not depend on the split.

use core::cell::Cell;

use crate::compute::simd;

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

/// Equal-length slices (or tuples of them) that can be cut at the same position.
pub(crate) trait Split: Sized + Send {
    /// The common length.
    fn len(&self) -> usize;
    /// The first `at` elements of each, and the rest.
    fn split_at(self, at: usize) -> (Self, Self);
}

impl<T: Sync> Split for &[T] {
    fn len(&self) -> usize {
        <[T]>::len(self)
    }
    fn split_at(self, at: usize) -> (Self, Self) {
        <[T]>::split_at(self, at)
    }
}

impl<T: Send> Split for &mut [T] {
    fn len(&self) -> usize {
        <[T]>::len(self)
    }
    fn split_at(self, at: usize) -> (Self, Self) {
        self.split_at_mut(at)
    }
}

/// An absent slice splits into two absent ones; a present one as itself.
impl<S: Split> Split for Option<S> {
    fn len(&self) -> usize {
        self.as_ref().map_or(0, Split::len)
    }
    fn split_at(self, at: usize) -> (Self, Self) {
        match self {
            Some(parts) => {
                let (left, right) = parts.split_at(at);
                (Some(left), Some(right))
            }
            None => (None, None),
        }
    }
}

/// Implements [`Split`] for a tuple of `Split`s; the first sets the length.
macro_rules! impl_split_tuple {
    ($first:ident $(, $rest:ident)*) => {
        impl<$first: Split $(, $rest: Split)*> Split for ($first, $($rest,)*) {
            fn len(&self) -> usize {
                self.0.len()
            }
            #[allow(non_snake_case)]
            fn split_at(self, at: usize) -> (Self, Self) {
                let ($first, $($rest,)*) = self;
                let $first = $first.split_at(at);
                $(let $rest = $rest.split_at(at);)*
                (($first.0, $($rest.0,)*), ($first.1, $($rest.1,)*))
            }
        }
    };
}

impl_split_tuple!(A, B);
impl_split_tuple!(A, B, C);
impl_split_tuple!(A, B, C, D);
impl_split_tuple!(A, B, C, D, E);

/// Calls `f` on consecutive pieces of `parts` that together cover it once: the whole of it on
/// this thread, or, inside [`spread`] and when it is long, about one piece per pool thread.
/// Each call runs under [`simd::wide`], so `f`'s loop is compiled for AVX2 where the CPU has it.
/// Allocates nothing (`rayon::join` keeps its jobs on the stack).
#[inline(always)]
pub(crate) fn for_each_piece<P: Split>(parts: P, f: impl Fn(P) + Sync) {
    let len = parts.len();
    if len >= 2 * MIN_PARALLEL_LEN && SPREAD.with(Cell::get) {
        let pieces = rayon::current_num_threads().min(len / MIN_PARALLEL_LEN);
        split_among(parts, pieces, &f);
    } else {
        // The common case, inlined into the caller: one piece, on this thread.
        simd::wide(
            len,
            #[inline(always)]
            || f(parts),
        );
    }
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
