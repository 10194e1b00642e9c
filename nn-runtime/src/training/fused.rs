//! The fused update: a large dense layer's weights updated piece by piece during the backward
//! pass, each piece as soon as its gradient is computed and still in the cache, instead of in a
//! pass of their own after it.

/// What [`Network::backward_updating`](crate::Network::backward_updating) updates the weights of
/// large dense layers through: the trainer's optimizer step (weight penalty, clipping by value
/// and an element-wise optimizer), applied to each block of columns of `∂W` right after the
/// kernel has written it, by the thread that wrote it.
pub trait FusedUpdate<T>: Sync {
    /// Whether trained tensor number `tensor` (counted in the order of
    /// [`Network::update`](crate::Network::update)), a dense layer's weights, is updated
    /// during this backward pass through [`update`](Self::update). Called on the step's thread
    /// before the tensor's gradient is computed, and only for layers whose products are large.
    fn claim(&mut self, tensor: usize) -> bool;

    /// Updates `parameters`, the values `start..start + parameters.len()` of trained tensor
    /// number `tensor` (which [`claim`](Self::claim) claimed), from `gradients`, their gradient,
    /// which it may change (a penalty's term, clipping) as the unfused step does. `piece` is the
    /// index of the team's piece the values belong to (0 outside a team): one thread makes all
    /// the calls of a piece, one after the other, in order of the values.
    ///
    /// # Safety
    /// Calls running at the same time have distinct `piece`s and disjoint values.
    unsafe fn update(
        &self,
        piece: usize,
        tensor: usize,
        start: usize,
        parameters: &mut [T],
        gradients: &mut [T],
    );
}
