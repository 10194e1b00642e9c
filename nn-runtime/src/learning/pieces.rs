//! Elementwise loops over flat slices, run as one piece on this thread or, inside a training
//! session's `spread` (with the `train` feature), split over its thread pool. Each element is
//! computed by the same operations either way, so results do not depend on the split.

use crate::compute::simd;

/// Equal-length slices (or tuples of them) that can be cut at the same position.
pub(crate) trait Split: Sized + Send {
    /// The common length.
    fn len(&self) -> usize;
    /// The first `at` elements of each, and the rest (used where a session spreads loops over
    /// its threads).
    #[cfg_attr(not(feature = "train"), allow(dead_code))]
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
/// this thread, or, inside a session's `spread` and when it is long, about one piece per pool thread.
/// Each call runs under [`simd::wide`], so `f`'s loop is compiled for AVX2 where the CPU has it.
/// Allocates nothing (`rayon::join` keeps its jobs on the stack).
#[inline(always)]
pub(crate) fn for_each_piece<P: Split>(parts: P, f: impl Fn(P) + Sync) {
    let len = parts.len();
    #[cfg(feature = "train")]
    if crate::training::parallel::spreads(len) {
        return crate::training::parallel::split_over_pool(parts, &f);
    }
    // The common case, inlined into the caller: one piece, on this thread.
    simd::wide(
        len,
        #[inline(always)]
        || f(parts),
    );
}
