//! Elementwise loops over flat slices, run as one piece on this thread or, inside a training
//! session's team (with the `train` feature), split over its threads. Each element is
//! computed by the same operations either way, so results do not depend on the split.

use core::marker::PhantomData;
use core::ops::Range;

use crate::compute::simd;

/// Equal-length slices (or tuples of them) whose pieces, the same elements of each, can be
/// handed to several threads.
pub(crate) trait Split: Sized + Send {
    /// The slices as pointers that threads share, from which pieces are borrowed anew.
    #[cfg_attr(not(feature = "train"), allow(dead_code))]
    type Raw: Copy + Send + Sync;
    /// The common length.
    fn len(&self) -> usize;
    /// The slices as pointers, borrowed for as long as `self` was.
    #[cfg_attr(not(feature = "train"), allow(dead_code))]
    fn into_raw(self) -> Self::Raw;
    /// Elements `range` of each slice.
    ///
    /// # Safety
    /// `raw` comes from [`into_raw`](Self::into_raw) (whose borrow it carries), `range` lies within
    /// the length, and no two pieces in use at the same time overlap.
    #[cfg_attr(not(feature = "train"), allow(dead_code))]
    unsafe fn piece(raw: Self::Raw, range: Range<usize>) -> Self;
}

/// A shared slice as a pointer.
pub(crate) struct RawSlice<'a, T>(*const T, PhantomData<&'a [T]>);
/// A mutable slice as a pointer.
pub(crate) struct RawSliceMut<'a, T>(*mut T, PhantomData<&'a mut [T]>);

impl<T> Clone for RawSlice<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for RawSlice<'_, T> {}
impl<T> Clone for RawSliceMut<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for RawSliceMut<'_, T> {}
// SAFETY: a `RawSlice` only gives out shared pieces of `T: Sync`.
unsafe impl<T: Sync> Send for RawSlice<'_, T> {}
// SAFETY: as above.
unsafe impl<T: Sync> Sync for RawSlice<'_, T> {}
// SAFETY: a `RawSliceMut` gives out disjoint mutable pieces (the caller of `piece` vouches for
// it), each usable on one thread, of `T: Send`.
unsafe impl<T: Send> Send for RawSliceMut<'_, T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for RawSliceMut<'_, T> {}

impl<'a, T: Sync> Split for &'a [T] {
    type Raw = RawSlice<'a, T>;
    fn len(&self) -> usize {
        <[T]>::len(self)
    }
    fn into_raw(self) -> Self::Raw {
        RawSlice(self.as_ptr(), PhantomData)
    }
    unsafe fn piece(raw: Self::Raw, range: Range<usize>) -> Self {
        // SAFETY: the caller vouches that `range` lies within the slice, borrowed for `'a`.
        unsafe { core::slice::from_raw_parts(raw.0.add(range.start), range.len()) }
    }
}

impl<'a, T: Send> Split for &'a mut [T] {
    type Raw = RawSliceMut<'a, T>;
    fn len(&self) -> usize {
        <[T]>::len(self)
    }
    fn into_raw(self) -> Self::Raw {
        RawSliceMut(self.as_mut_ptr(), PhantomData)
    }
    unsafe fn piece(raw: Self::Raw, range: Range<usize>) -> Self {
        // SAFETY: the caller vouches that `range` lies within the slice, borrowed mutably for
        // `'a`, and that no other piece in use overlaps it.
        unsafe { core::slice::from_raw_parts_mut(raw.0.add(range.start), range.len()) }
    }
}

/// An absent slice has absent pieces; a present one, its pieces.
impl<S: Split> Split for Option<S> {
    type Raw = Option<S::Raw>;
    fn len(&self) -> usize {
        self.as_ref().map_or(0, Split::len)
    }
    fn into_raw(self) -> Self::Raw {
        self.map(S::into_raw)
    }
    unsafe fn piece(raw: Self::Raw, range: Range<usize>) -> Self {
        // SAFETY: as the caller vouches.
        raw.map(|raw| unsafe { S::piece(raw, range) })
    }
}

/// Implements [`Split`] for a tuple of `Split`s; the first sets the length.
macro_rules! impl_split_tuple {
    ($first:ident $(, $rest:ident)*) => {
        impl<$first: Split $(, $rest: Split)*> Split for ($first, $($rest,)*) {
            type Raw = ($first::Raw, $($rest::Raw,)*);
            fn len(&self) -> usize {
                self.0.len()
            }
            #[allow(non_snake_case)]
            fn into_raw(self) -> Self::Raw {
                let ($first, $($rest,)*) = self;
                ($first.into_raw(), $($rest.into_raw(),)*)
            }
            #[allow(non_snake_case)]
            unsafe fn piece(raw: Self::Raw, range: Range<usize>) -> Self {
                let ($first, $($rest,)*) = raw;
                // SAFETY: as the caller vouches, for each slice.
                unsafe { ($first::piece($first, range.clone()), $($rest::piece($rest, range.clone()),)*) }
            }
        }
    };
}

impl_split_tuple!(A, B);
impl_split_tuple!(A, B, C);
impl_split_tuple!(A, B, C, D);
impl_split_tuple!(A, B, C, D, E);

/// Calls `f` on consecutive pieces of `parts` that together cover it once: the whole of it on
/// this thread, or, inside a session's team and when it is long, one piece per thread of the team.
/// Each call runs under [`simd::wide`], so `f`'s loop is compiled for AVX2 where the CPU has it.
/// Allocates nothing (`rayon::join` keeps its jobs on the stack).
#[inline(always)]
pub(crate) fn for_each_piece<P: Split>(parts: P, f: impl Fn(P) + Sync) {
    let len = parts.len();
    #[cfg(feature = "train")]
    if crate::training::parallel::spreads(len) {
        return crate::training::parallel::split_over_team(parts, &f);
    }
    // The common case, inlined into the caller: one piece, on this thread.
    simd::wide(
        len,
        #[inline(always)]
        || f(parts),
    );
}
