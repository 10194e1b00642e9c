//! The large products of a training step split across the threads of a session's team.
//!
//! Inside the scope of a session's team (see `training::team`), a product of at least
//! [`MIN_SPLIT_WORK`] multiply-adds is cut into one piece per thread and the pieces run in
//! parallel. The forward pass and the weight gradient are cut by columns of the weights, the same
//! contiguous pieces of `W` and `∂W` as the optimizer's split update takes (see
//! `training::parallel`), so that each thread finds its weights, gradients and optimizer state in
//! its own cache from one step to the next: moving them between cores costs more than the
//! products save (measured on a 2-vCPU Xeon: 200 KB written by one core took 15 µs to read on
//! the other, 4 µs on its own; a split by rows of `W`, whose pieces interleave within each
//! column, made an N3 step slower on two threads than on one). The input gradient is cut by its
//! rows, which come from the same columns of `W`.
//!
//! The weight gradient and the input gradient give the same bits as on one thread. The forward
//! pass sums each thread's part of the reduction, in thread order: its results depend on the
//! number of threads (within rounding), and are the same for the same number.

use std::sync::OnceLock;

use super::simd::{self, Simd};
use crate::compute::simd as flat;
use crate::training::team::{self, SharedMut, cut};

/// Products of fewer multiply-adds than this stay on one thread: below it, handing a piece to
/// another thread costs more than it saves (2¹⁸ multiply-adds take about 2 µs on one AVX-512
/// core).
const MIN_SPLIT_WORK: usize = 1 << 18;

/// Whether a product of `work` multiply-adds is split inside a team (on the SIMD paths).
pub(crate) fn splits(work: usize) -> bool {
    work >= MIN_SPLIT_WORK
}

/// How many pieces a product of `work` multiply-adds over `units` columns of `W` is cut into:
/// one per thread of the session's team for a large product (at most one per column), else 1.
fn pieces(work: usize, units: usize) -> usize {
    if !splits(work) {
        return 1;
    }
    team::threads().min(units).max(1)
}

/// [`simd::forward`], split by columns of `W` (the reduction) inside a session's team: piece 0
/// computes its part with the bias into `z`, each other piece its part into the team's scratch,
/// and the parts are then added to `z` in piece order.
pub(super) fn forward<S: Simd + Send + Sync>(
    s: S,
    w: &[S::Elem],
    bias: &[S::Elem],
    x: &[S::Elem],
    z: &mut [S::Elem],
    (out, inp, n): (usize, usize, usize),
) where
    S::Elem: Send + Sync + core::ops::AddAssign,
{
    let pieces = pieces(out * inp * n, inp);
    // SAFETY: piece `k` writes only part `k`, read below after `run` has returned.
    let scratch = match pieces {
        1 => None,
        _ => unsafe { team::scratch::<S::Elem>(out * n) },
    };
    let Some(scratch) = scratch else {
        return simd::forward(s, w, bias, x, z, (out, inp, n));
    };
    assert!(z.len() == out * n);
    let result = SharedMut(z.as_mut_ptr());
    team::run(pieces, &|piece| {
        let (result, columns) = (result, cut(inp, pieces, piece));
        let (target, bias) = match piece {
            0 => (result.0, Some(bias)),
            _ => (scratch.piece(piece), None),
        };
        // SAFETY: `z` (borrowed until every piece has ended) and each part of the scratch hold
        // `out × n` values; each piece writes only its own.
        unsafe { simd::forward_columns(s, w, bias, x, target, (out, inp, n), columns) }
    });
    for piece in 1..pieces {
        // SAFETY: the pieces have ended; part `piece` holds their `out × n` values.
        let part = unsafe { core::slice::from_raw_parts(scratch.piece(piece), out * n) };
        flat::wide(
            z.len(),
            #[inline(always)]
            || z.iter_mut().zip(part).for_each(|(z, &p)| *z += p),
        );
    }
}

/// [`simd::weight_gradient`], split by columns of `∂W` inside a session's team.
pub(super) fn weight_gradient<S: Simd + Send + Sync>(
    s: S,
    dw: &mut [S::Elem],
    x: &[S::Elem],
    delta: &[S::Elem],
    (out, inp, n): (usize, usize, usize),
) where
    S::Elem: Send + Sync,
{
    let pieces = pieces(out * inp * n, inp);
    if pieces <= 1 {
        return simd::weight_gradient(s, dw, x, delta, (out, inp, n));
    }
    assert!(dw.len() == out * inp);
    let result = SharedMut(dw.as_mut_ptr());
    team::run(pieces, &|piece| {
        let (result, columns) = (result, cut(inp, pieces, piece));
        // SAFETY: `dw` holds `out × inp` values and stays borrowed until every piece has ended;
        // the pieces' columns, each `out` contiguous values, are disjoint.
        let dw = unsafe {
            core::slice::from_raw_parts_mut(result.0.add(columns.start * out), columns.len() * out)
        };
        simd::weight_gradient_columns(s, dw, x, delta, (out, inp, n), columns);
    });
}

/// The bytes of `∂W` that [`weight_gradient_then`] computes before handing them on, where
/// [`fused_blocks`] says blocks pay: the block and the weights and two moments an update reads
/// with it (4 × 128 KiB) stay in a core's L2. Measured on a Xeon (2 MiB L2) for the weight
/// gradient and Adam update of a 1024×1024 layer over 32 samples, whose state does not fit the
/// L2: 11–15 % faster than the update after the gradient; 64 KiB and 256 KiB blocks gained about
/// as much, 16 KiB blocks (one L1) 3 %.
const FUSED_BLOCK_BYTES: usize = 128 * 1024;

/// A piece with at most this many bytes of `∂W` is one block: its state stays in the L2 cache
/// anyway, and blocks cost time there (2–6 % on N3's 128×784 layer on one thread, 4 blocks).
const SINGLE_BLOCK_BYTES: usize = 4 * FUSED_BLOCK_BYTES;

/// How [`weight_gradient_then`] hands a thread's piece of `∂W` to the update.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FusedBlocks {
    /// In blocks of [`FUSED_BLOCK_BYTES`] (a piece of up to [`SINGLE_BLOCK_BYTES`] whole).
    Blocks,
    /// Whole: the update of a piece right after its gradient, on the same thread.
    WholePieces,
}

/// The choice of [`fused_blocks`], made at its first call.
static FUSED_BLOCKS: OnceLock<FusedBlocks> = OnceLock::new();

/// How the fused update takes `∂W` on this CPU, by the cores it was measured on. On Intel cores
/// (a Xeon of the Sapphire Rapids class) blocks pay, as [`FUSED_BLOCK_BYTES`] says. On AMD cores
/// (an EPYC of the Zen 5 class: 1 MiB of L2 per core, and an L3 that held a 1024×1024 layer's
/// whole 16.8 MB state) the same layer's gradient and Adam step took 1.05–1.20× the time of the
/// update after the gradient in 128 KiB blocks, and 1.00–1.01× in whole pieces: computing `∂W`
/// by blocks of columns alone cost 11 % there (each block reads all of `Δ` again), and Adam's
/// pass streams from that L3 as fast as it does from the L2. Other CPUs, unmeasured, take whole
/// pieces, which are never slower than the update after the gradient.
pub(crate) fn fused_blocks() -> FusedBlocks {
    #[cfg(test)]
    if let Some(forced) = testing::FORCED.with(core::cell::Cell::get) {
        return forced;
    }
    *FUSED_BLOCKS.get_or_init(|| match &cpu_vendor() {
        b"GenuineIntel" => FusedBlocks::Blocks,
        _ => FusedBlocks::WholePieces,
    })
}

/// The CPU's vendor string (`GenuineIntel`, `AuthenticAMD`…), from `cpuid` leaf 0.
fn cpu_vendor() -> [u8; 12] {
    // SAFETY: `cpuid` exists on every x86-64 CPU.
    #[allow(unused_unsafe)]
    let leaf = unsafe { core::arch::x86_64::__cpuid(0) };
    let mut vendor = [0; 12];
    for (bytes, register) in vendor
        .chunks_exact_mut(4)
        .zip([leaf.ebx, leaf.edx, leaf.ecx])
    {
        bytes.copy_from_slice(&register.to_le_bytes());
    }
    vendor
}

/// [`weight_gradient`], calling `then(piece, values)` on each block of columns of `∂W` (`values`
/// its range of `∂W`'s elements) right after computing it, on the thread that computed it
/// (`piece`: the index of the team's piece it belongs to, 0 outside a team): the fused update of
/// the block, while it is in the cache. Each piece takes the same columns as in
/// [`weight_gradient`], whole or in blocks as [`fused_blocks`] says; the gradient is the same
/// bits.
pub(super) fn weight_gradient_then<S: Simd + Send + Sync>(
    s: S,
    dw: &mut [S::Elem],
    x: &[S::Elem],
    delta: &[S::Elem],
    (out, inp, n): (usize, usize, usize),
    then: &(dyn Fn(usize, core::ops::Range<usize>) + Sync),
) where
    S::Elem: Send + Sync,
{
    assert!(dw.len() == out * inp);
    let pieces = pieces(out * inp * n, inp);
    let column_bytes = (out * size_of::<S::Elem>()).max(1);
    let blocks = fused_blocks();
    let result = SharedMut(dw.as_mut_ptr());
    team::run(pieces, &|piece| {
        let (result, columns) = (result, cut(inp, pieces, piece));
        let whole = blocks == FusedBlocks::WholePieces
            || columns.len() * column_bytes <= SINGLE_BLOCK_BYTES;
        let block = match whole {
            true => columns.len(),
            false => (FUSED_BLOCK_BYTES / column_bytes).max(1),
        };
        let mut start = columns.start;
        while start < columns.end {
            let end = (start + block).min(columns.end);
            // SAFETY: `dw` holds `out × inp` values and stays borrowed until every piece has
            // ended; the blocks, each `out` contiguous values per column, are disjoint.
            let dw = unsafe {
                core::slice::from_raw_parts_mut(result.0.add(start * out), (end - start) * out)
            };
            simd::weight_gradient_columns(s, dw, x, delta, (out, inp, n), start..end);
            then(piece, start * out..end * out);
            start = end;
        }
    });
}

/// [`simd::input_gradient`], split by rows of `∂X` (columns of `W`, the same pieces as the
/// layer's other products) inside a session's team.
pub(super) fn input_gradient<S: Simd + Send + Sync>(
    s: S,
    w: &[S::Elem],
    delta: &[S::Elem],
    dx: &mut [S::Elem],
    (out, inp, n): (usize, usize, usize),
) where
    S::Elem: Send + Sync,
{
    let pieces = pieces(out * inp * n, inp.div_ceil(simd::INPUT_GRADIENT_GROUP));
    if pieces <= 1 {
        return simd::input_gradient(s, w, delta, dx, (out, inp, n));
    }
    assert!(dx.len() == inp * n);
    let result = SharedMut(dx.as_mut_ptr());
    // Cut at groups of rows that finish their sums together, which then end as on one thread.
    let group = simd::INPUT_GRADIENT_GROUP;
    let groups = inp.div_ceil(group);
    team::run(pieces, &|piece| {
        let (result, bounds) = (result, cut(groups, pieces, piece));
        let rows = (bounds.start * group).min(inp)..(bounds.end * group).min(inp);
        // SAFETY: `dx` holds the `inp × n` result and stays borrowed until every piece has
        // ended; the pieces' row ranges are disjoint.
        unsafe { simd::input_gradient_rows(s, w, delta, result.0, (out, inp, n), rows) }
    });
}

/// Forcing [`fused_blocks`]' choice in tests, which cover both on any CPU.
#[cfg(test)]
pub(crate) mod testing {
    use core::cell::Cell;

    use super::FusedBlocks;

    std::thread_local! {
        /// The choice forced on this thread, if any.
        pub(super) static FORCED: Cell<Option<FusedBlocks>> = const { Cell::new(None) };
    }

    /// Runs `f` with `blocks` forced on this thread (the one that calls the weight gradient).
    pub(crate) fn with_fused_blocks<R>(blocks: FusedBlocks, f: impl FnOnce() -> R) -> R {
        let before = FORCED.with(|forced| forced.replace(Some(blocks)));
        let result = f();
        FORCED.with(|forced| forced.set(before));
        result
    }
}
