//! The products split across the threads of a training session's team (`kernels::split`): the
//! public functions inside a team of 2 and 3 threads, on every SIMD path, against the naive
//! reference, against the same functions on one thread (the gradients bit for bit; the forward
//! pass, which sums the threads' parts, within rounding), and against themselves (the same bits
//! on every run).

use super::reference::{Operands, Outputs, Reference};
use super::*;
use crate::training::team::Team;

/// `run` with the public functions on `path`, inside a team of `threads` threads whose helpers
/// have room for a forward pass's part of `out × n` values of `T`.
pub(super) fn in_team<T: Float>(
    path: KernelPath,
    threads: usize,
    (out, n): (usize, usize),
    run: impl FnOnce() -> Outputs + Send,
) -> Outputs {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a pool");
    let team = Team::new(threads, out * n * core::mem::size_of::<T>());
    // The forced path holds on the thread that runs the team's scope.
    pool.install(|| with_path(path, || team.serve(run)))
}

/// Checks the split products of one shape and batch size in `T` on every SIMD path.
fn check_split<T: Float, const OUT: usize, const IN: usize>(n: usize) {
    assert!(
        crate::compute::kernels::split::splits(OUT * IN * n),
        "{OUT}×{IN} over {n} samples is too small to be split"
    );
    let operands = Operands::new(OUT, IN, n);
    let reference = Reference::new(&operands);
    let eps = epsilon::<T>();
    for path in paths::simd() {
        let alone = with_path(path, || runs::public::<T, OUT, IN>(&operands));
        for threads in [2, 3] {
            let shared = || {
                in_team::<T>(path, threads, (OUT, n), || {
                    runs::public::<T, OUT, IN>(&operands)
                })
            };
            let (first, second) = (shared(), shared());
            let how = format!("{}, {path} kernels on {threads} threads", T::NAME);
            reference.check(&first, eps, &how);
            assert!(first.dw == alone.dw, "{how}: ∂W differs from one thread's");
            assert!(first.db == alone.db, "{how}: ∂b differs from one thread's");
            assert!(first.dx == alone.dx, "{how}: ∂X differs from one thread's");
            assert!(first.z == second.z, "{how}: Z differs between two runs");
            // The parts of the sums were added apart (rounding differs somewhere): the forward
            // pass was split.
            assert!(first.z != alone.z, "{how}: the forward pass was not split");
        }
    }
}

#[test]
fn split_products_match_the_reference_and_one_thread() {
    for n in [32, 7] {
        check_split::<f32, 128, 784>(n);
        check_split::<f64, 128, 784>(n);
    }
    check_split::<f32, 129, 100>(100);
    check_split::<f64, 65, 129>(33);
    check_split::<f32, 100, 100>(31);
    // Fewer outputs than a panel: the weight gradient transposed, by pieces of columns.
    check_split::<f32, 10, 4096>(8);
    check_split::<f64, 5, 3001>(19);
}

#[test]
fn outside_a_team_nothing_is_split() {
    // The products run whole on this thread: the forward pass equals one thread's bit for bit.
    let operands = Operands::new(128, 784, 32);
    for path in paths::simd() {
        let first = with_path(path, || runs::public::<f32, 128, 784>(&operands));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let second = pool.install(|| with_path(path, || runs::public::<f32, 128, 784>(&operands)));
        assert!(first.z == second.z && first.dw == second.dw);
    }
}
