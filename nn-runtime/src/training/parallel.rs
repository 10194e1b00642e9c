//! Elementwise loops over long flat slices split across the threads of a training session's
//! team: the optimizers' updates.
//!
//! A loop runs in parallel only inside [`Team::serve`](super::team::Team::serve), which a
//! session with more than one thread runs its steps in; everywhere else it runs on the calling
//! thread. A loop is cut into one run of consecutive elements per thread, the same pieces of a
//! dense layer's weights as the dense kernels cut their large products into (by columns), so
//! that each thread updates the weights, gradients and optimizer state it finds in its own cache.
//! Each piece runs under [`simd::wide`]. Each element is computed by the same operations either
//! way, so results do not depend on the split.

use super::team;
use crate::compute::simd;
use crate::learning::pieces::Split;
#[cfg(test)]
use crate::learning::pieces::for_each_piece;

/// Slices shorter than this stay on one thread: below it, handing a piece to another thread costs
/// more than the loop (an Adam update of 16 384 `f32` takes about 6 µs).
const MIN_PARALLEL_LEN: usize = 16_384;

/// Whether a loop over `len` elements started on this thread should spread over the team: in
/// its scope and long enough.
#[inline(always)]
pub(crate) fn spreads(len: usize) -> bool {
    len >= 2 * MIN_PARALLEL_LEN && team::threads() > 1
}

/// Whether a training step of a network of `layers` over batches of `batch_size` samples gives
/// other threads of a team any work: a product or a tensor's update large enough to split.
pub(crate) fn shares_work(layers: &[crate::LayerShape], batch_size: usize) -> bool {
    layers.iter().any(|layer| {
        let splits = layer.kind == crate::LayerKind::Dense
            && crate::kernels::splits_products(layer.outputs, layer.inputs, batch_size);
        splits
            || layer
                .tensor_lengths()
                .any(|(_, len)| len >= 2 * MIN_PARALLEL_LEN)
    })
}

/// Runs `f` on one piece of consecutive elements of `parts` per thread of the team, in parallel.
pub(crate) fn split_over_team<P: Split>(parts: P, f: &(impl Fn(P) + Sync)) {
    let len = parts.len();
    let pieces = team::threads().min(len / MIN_PARALLEL_LEN);
    if pieces <= 1 {
        return simd::wide(
            len,
            #[inline(always)]
            || f(parts),
        );
    }
    let raw = parts.into_raw();
    team::run(pieces, &|piece| {
        let range = team::cut(len, pieces, piece);
        simd::wide(
            range.len(),
            #[inline(always)]
            // SAFETY: `raw` borrows `parts` until `run` returns; the ranges are disjoint and
            // within `0..len`.
            || f(unsafe { P::piece(raw, range) }),
        )
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::training::team::Team;

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
    fn outside_a_team_the_whole_runs_as_one_piece() {
        let mut values: Vec<u32> = (0..100_000).collect();
        assert_eq!(double(&mut values), vec![100_000]);
        assert!(values.iter().enumerate().all(|(i, &v)| v == 2 * i as u32));
    }

    #[test]
    fn inside_a_team_long_slices_split_over_its_threads() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let mut long: Vec<u32> = (0..100_000).collect();
        let mut short: Vec<u32> = (0..1_000).collect();
        let team = Team::new(3, 0);
        let (long_pieces, short_pieces) =
            pool.install(|| team.serve(|| (double(&mut long), double(&mut short))));
        assert_eq!(long_pieces, vec![33_333, 33_333, 33_334]);
        assert_eq!(short_pieces, vec![1_000]);
        assert!(long.iter().enumerate().all(|(i, &v)| v == 2 * i as u32));
        assert!(short.iter().enumerate().all(|(i, &v)| v == 2 * i as u32));
        // The split ends with the team's scope.
        assert_eq!(pool.install(|| double(&mut long)), vec![100_000]);
    }
}
