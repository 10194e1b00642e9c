//! Every product against a naive sum in `f64`, on odd shapes and batch sizes, `f32` and `f64`,
//! on every path the CPU can take: the public functions with each path forced (on the testing
//! thread alone), the portable loops called directly, and each SIMD path's kernels called
//! directly (also for layers the public functions would hand to the portable loops). Every run
//! but the first places its operands against inaccessible pages (see `guard`), so that a read or
//! write past an operand, or before it, faults, and once misaligned; the first gives the batches
//! spare columns of NaN (inputs) or a sentinel (outputs), so that reading or writing past the
//! batch shows up.

#[cfg(target_arch = "x86_64")]
mod fused;
mod guard;
mod paths;
mod reference;
mod runs;
mod small;
#[cfg(target_arch = "x86_64")]
mod split;

use guard::Placement;
use reference::{Operands, Reference};

use super::path::testing::with_path;
use super::*;

/// The batch sizes each shape is checked with.
const BATCHES: [usize; 9] = [1, 2, 5, 15, 16, 31, 32, 33, 100];

/// The machine epsilon of `T`, which the checks' tolerances scale.
fn epsilon<T: Float>() -> f64 {
    if T::NAME == "f32" {
        f64::from(f32::EPSILON)
    } else {
        f64::EPSILON
    }
}

/// Checks every run on one shape and batch size in `T`.
fn check_batch<T: Float, const OUT: usize, const IN: usize>(n: usize) {
    let operands = Operands::new(OUT, IN, n);
    let reference = Reference::new(&operands);
    let eps = epsilon::<T>();
    for path in paths::supported() {
        with_path(path, || {
            let how = format!("{}, public on {path}", T::NAME);
            reference.check(&runs::public::<T, OUT, IN>(&operands), eps, &how);
            for placement in Placement::ALL {
                let got = runs::public_guarded::<T, OUT, IN>(&operands, placement);
                reference.check(&got, eps, &format!("{how}, guarded at the {placement:?}"));
            }
        });
    }
    let how = format!("{}, portable loops", T::NAME);
    reference.check(&runs::portable::<T, OUT, IN>(&operands), eps, &how);
    #[cfg(target_arch = "x86_64")]
    for path in paths::simd() {
        for placement in Placement::ALL {
            let got = runs::simd::<T>(path, &operands, placement).expect("a supported path");
            let how = format!("{}, {path} kernels, guarded at the {placement:?}", T::NAME);
            reference.check(&got, eps, &how);
        }
    }
}

/// Checks every run on one shape, every batch size, both element types.
fn check<const OUT: usize, const IN: usize>() {
    for n in BATCHES {
        check_batch::<f32, OUT, IN>(n);
        check_batch::<f64, OUT, IN>(n);
    }
}

#[test]
fn thin_shapes_match_the_reference() {
    check::<1, 1>();
    check::<1, 17>();
    check::<17, 1>();
    check::<1, 129>();
    check::<129, 1>();
    check::<3, 7>();
    check::<7, 3>();
}

#[test]
fn small_shapes_at_the_dispatch_threshold_match_the_reference() {
    check::<4, 2>();
    check::<1, 4>();
    check::<4, 8>();
    check::<3, 11>();
    check::<8, 5>();
}

#[test]
fn odd_shapes_match_the_reference() {
    check::<17, 33>();
    check::<33, 17>();
    check::<7, 65>();
    check::<65, 7>();
    check::<33, 33>();
    check::<3, 129>();
    check::<129, 3>();
    // The deepest input gradient transposed through registers on AVX2, with rows left over.
    check::<64, 41>();
}

#[test]
fn shapes_around_a_register_match_the_reference() {
    check::<15, 15>();
    check::<16, 16>();
    check::<15, 16>();
    check::<16, 15>();
    check::<100, 100>();
    check::<15, 100>();
    check::<100, 15>();
    check::<16, 100>();
    check::<100, 16>();
    // A depth just past AVX-512's transposed input gradients, summed as dot products.
    check::<129, 100>();
}

#[test]
fn tall_and_wide_shapes_match_the_reference() {
    check::<65, 129>();
    check::<129, 65>();
    check::<31, 31>();
    check::<32, 64>();
    check::<10, 32>();
    // One, two and three whole registers left after the wide tiles (16, 32 and 48 rows of f32
    // on AVX-512, 8, 16 and 24 of f64 or of f32 on AVX2), stored whole.
    check::<48, 33>();
    check::<24, 17>();
    check::<8, 9>();
    // Transposed in several blocks of rows.
    check::<31, 129>();
}

#[test]
fn mnist_shapes_with_full_and_short_batches_match_the_reference() {
    for n in [64, 32, 7] {
        check_batch::<f32, 128, 784>(n);
        check_batch::<f64, 128, 784>(n);
        check_batch::<f32, 10, 128>(n);
        check_batch::<f64, 10, 128>(n);
    }
}

#[test]
fn an_empty_batch_writes_only_the_zero_gradients() {
    check_batch::<f32, 33, 17>(0);
    check_batch::<f64, 4, 2>(0);
    check_batch::<f32, 10, 128>(0);
}

#[test]
fn a_batch_longer_than_a_block_of_the_reduction_matches_the_reference() {
    check_batch::<f32, 17, 33>(300);
    check_batch::<f64, 17, 33>(300);
}

#[test]
fn transposed_weight_gradients_over_long_batches_match_the_reference() {
    // Fewer outputs than a register's lanes: `∂Wᵀ = X·Δᵀ`, accumulated over several blocks of
    // the reduction in the stack buffer, then transposed.
    for n in [65, 100, 129, 200] {
        check_batch::<f32, 10, 128>(n);
        check_batch::<f64, 5, 128>(n);
        check_batch::<f32, 15, 100>(n);
        check_batch::<f64, 7, 33>(n);
    }
}
