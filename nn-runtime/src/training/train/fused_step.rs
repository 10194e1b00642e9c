//! The part of a training step that the backward pass applies to the blocks of large layers'
//! weights as it computes their gradients (see [`FusedUpdate`]): the weight penalty, clipping by
//! value and an element-wise optimizer's update, in the order of the step's update pass, so that
//! every weight, gradient and optimizer state ends with the same bits either way.
//!
//! What fuses: every optimizer that offers an [`ElementwiseUpdate`] (all of this crate's), with
//! or without L1/L2 penalties and clipping by value. What does not: clipping by norm, which needs
//! every gradient before the first update, and the steps whose gradient norms are measured for
//! the layer history (at most 16 per epoch), which then run the update pass alone.

use std::sync::atomic::{AtomicU64, Ordering};

use super::clipping::{self, GradientClipping};
use super::regularization::Penalty;
use crate::{ElementwiseUpdate, Float, FusedUpdate, LayerShape, TensorKind};

/// The buffers of the fused update, allocated once with a session.
#[derive(Debug)]
pub(super) struct FusedBuffers {
    /// The position of each trained tensor in the flat parameter order.
    offsets: Vec<usize>,
    /// Which tensors the current step's backward pass has updated.
    claimed: Vec<bool>,
    /// The penalty summed over the blocks of each piece of the team's jobs (as `f64` bits).
    penalties: Vec<AtomicU64>,
}

impl FusedBuffers {
    /// Buffers for the trained tensors of `layers` and a team of `threads` threads.
    pub(super) fn new(layers: &[LayerShape], threads: usize) -> Self {
        let lengths = layers.iter().flat_map(|layer| {
            let lengths = layer.tensor_lengths();
            lengths.filter_map(|(kind, len)| kind.is_trained().then_some(len))
        });
        let offsets: Vec<usize> = lengths
            .scan(0, |offset, len| {
                let start = *offset;
                *offset += len;
                Some(start)
            })
            .collect();
        Self {
            claimed: vec![false; offsets.len()],
            offsets,
            penalties: (0..threads.max(1)).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    /// Whether the current step's backward pass updated trained tensor number `tensor`.
    pub(super) fn claimed(&self, tensor: usize) -> bool {
        self.claimed.get(tensor).copied().unwrap_or(false)
    }

    /// Forgets the tensors claimed by the last step, when its update pass runs alone.
    pub(super) fn clear(&mut self) {
        self.claimed.fill(false);
    }
}

/// Whether a step with `clipping` whose gradient norms are `measured` may fuse its update.
pub(super) fn fuses(clipping: GradientClipping, measured: bool) -> bool {
    !matches!(clipping, GradientClipping::Norm { .. }) && !measured
}

/// One step's fused update: what the backward pass calls on each block of a large layer's
/// weights.
pub(super) struct FusedStep<'a, U> {
    /// The optimizer's step.
    rule: U,
    buffers: &'a mut FusedBuffers,
    penalty: Penalty,
    /// The bound of clipping by value, if on.
    clip: Option<f64>,
}

impl<'a, U> FusedStep<'a, U> {
    /// The fused update of a step with `rule`, `penalty` and `clipping` (not by norm), after
    /// [`FusedBuffers::clear`].
    pub(super) fn new(
        rule: U,
        buffers: &'a mut FusedBuffers,
        penalty: Penalty,
        clipping: GradientClipping,
    ) -> Self {
        for sum in &buffers.penalties {
            sum.store(0f64.to_bits(), Ordering::Relaxed);
        }
        let clip = match clipping {
            GradientClipping::Value { value } => Some(value),
            _ => None,
        };
        Self {
            rule,
            buffers,
            penalty,
            clip,
        }
    }

    /// The penalty of the claimed tensors' weights, the pieces' sums added in order.
    pub(super) fn penalty(&self) -> f64 {
        let sums = self.buffers.penalties.iter();
        sums.map(|sum| f64::from_bits(sum.load(Ordering::Relaxed)))
            .sum()
    }
}

impl<T: Float, U: ElementwiseUpdate<T>> FusedUpdate<T> for FusedStep<'_, U> {
    fn claim(&mut self, tensor: usize) -> bool {
        match self.buffers.claimed.get_mut(tensor) {
            Some(claimed) => {
                *claimed = true;
                true
            }
            None => false,
        }
    }

    #[inline(always)]
    unsafe fn update(
        &self,
        piece: usize,
        tensor: usize,
        start: usize,
        parameters: &mut [T],
        gradients: &mut [T],
    ) {
        // As the update pass does it: penalty, clipping, optimizer.
        let value = self
            .penalty
            .apply(TensorKind::Weight, parameters, gradients);
        if value != 0.0 {
            // Only the thread running this piece writes its sum.
            let sum = &self.buffers.penalties[piece];
            let total = f64::from_bits(sum.load(Ordering::Relaxed)) + value;
            sum.store(total.to_bits(), Ordering::Relaxed);
        }
        if let Some(bound) = self.clip {
            clipping::clamp(gradients, bound);
        }
        let offset = self.buffers.offsets[tensor] + start;
        // SAFETY: the caller vouches that calls running together have disjoint values of one
        // tensor, whose flat positions are therefore disjoint too.
        unsafe {
            self.rule
                .update(TensorKind::Weight, parameters, gradients, offset)
        };
    }
}
