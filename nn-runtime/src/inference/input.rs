//! What `forward` accepts: a vector or an array of the network's input width, checked at compile
//! time with an error that states both widths.

use nalgebra::SVector;

/// A single sample of `N` values: an nalgebra `SVector<T, N>` or an array `[T; N]`.
#[diagnostic::on_unimplemented(
    message = "`forward` takes a `[{T}; N]` or an `SVector<{T}, N>` of the network's input width, not `{Self}`",
    label = "not an array or a vector of a width known while compiling",
    note = "a slice or a `Vec` can be converted with `<[{T}; N]>::try_from(&values[..])`"
)]
pub trait InputVector<T, const N: usize> {
    /// The values as an array.
    fn as_array(&self) -> &[T; N];
}

impl<T: nalgebra::Scalar, const N: usize> InputVector<T, N> for SVector<T, N> {
    #[inline(always)]
    fn as_array(&self) -> &[T; N] {
        &self.data.0[0]
    }
}

impl<T, const N: usize> InputVector<T, N> for [T; N] {
    #[inline(always)]
    fn as_array(&self) -> &[T; N] {
        self
    }
}

/// Proof that a sample of `FOUND` values fits a network of `EXPECTED` inputs: implemented only
/// when the two are equal, so a wrong width is a compile error stating both.
#[diagnostic::on_unimplemented(
    message = "the network's input width is {EXPECTED}, but this vector's width is {FOUND}",
    label = "a vector of width {FOUND}, expected {EXPECTED}",
    note = "the input width is the `N` of the network's `Input<N>`"
)]
pub trait InputWidth<const FOUND: usize, const EXPECTED: usize> {
    /// The same array, at the network's width.
    fn fit<T>(values: &[T; FOUND]) -> &[T; EXPECTED];
}

/// Every type, at equal widths: which types are samples at all is [`InputVector`]'s to say, so
/// that a `Vec` gets that one error rather than a second about a width it does not have.
impl<V: ?Sized, const N: usize> InputWidth<N, N> for V {
    #[inline(always)]
    fn fit<U>(values: &[U; N]) -> &[U; N] {
        values
    }
}
