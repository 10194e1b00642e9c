//! Exact heap-allocation counts, taken with a counting global allocator that counts per thread
//! (tests run in parallel threads).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use nn::prelude::*;
use nn::train::{Penalty, Session};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|count| count.set(count.get() + 1));
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|count| count.set(count.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The number of heap allocations `f` makes on this thread.
fn allocations<R>(f: impl FnOnce() -> R) -> (usize, R) {
    let before = ALLOCATIONS.with(Cell::get);
    let result = f();
    (ALLOCATIONS.with(Cell::get) - before, result)
}

network! {
    struct Digits: Input<64> -> Dense<32, Relu> -> Dropout<0.2> -> Dense<10, Softmax>;
    struct Mnist: Input<784> -> Dense<128, Relu> -> Dense<10, Softmax>;
    struct Normalized: Input<64> -> Dense<32> -> BatchNorm<Silu> -> Dense<16, Gelu>
        -> LayerNorm -> Dense<10, Softmax>;
}

#[test]
fn the_counter_sees_allocations() {
    let (count, _) = allocations(|| vec![1u8; 16]);
    assert_eq!(count, 1);
}

#[test]
fn inference_allocates_nothing() {
    let digits = Digits::new(&mut StdRng::seed_from_u64(0));
    let mnist = Mnist::new(&mut StdRng::seed_from_u64(0));
    let (count, _) = allocations(|| {
        let a = digits.forward(&[0.5f32; 64]);
        let b = mnist.forward(&[0.5f32; 784]);
        a[0] + b[0]
    });
    assert_eq!(count, 0);
}

/// Three epochs of `net` (batch 32 over 100 samples: three full batches and a short one of 4)
/// with `penalty`, each followed by a validation pass; returns the allocations during the epochs
/// and the losses. With `weighted`, the samples weigh 0.5, 1.5 and 2.5 in turn.
fn epochs_allocations<N: Network<64, 10, Scalar = f32>, O: Optimizer>(
    net: &mut N,
    mut optimizer: O,
    penalty: Penalty,
    weighted: bool,
) -> (usize, [f64; 3])
where
    N::OutputActivation: nn::loss::FusedOutput<SoftmaxCrossEntropy>,
{
    let inputs: Vec<[f32; 64]> = (0..100)
        .map(|i| core::array::from_fn(|p| ((i * p) % 7) as f32 / 7.0))
        .collect();
    let targets: Vec<[f32; 10]> = (0..100)
        .map(|i| core::array::from_fn(|c| f32::from(c == i % 10)))
        .collect();
    let mut data = Dataset::from_arrays(&inputs, &targets).unwrap();
    if weighted {
        let weights: Vec<f32> = (0..100).map(|i| (i % 3) as f32 + 0.5).collect();
        data = data.with_sample_weights(&weights).unwrap();
    }
    optimizer.validate().unwrap();
    optimizer.prepare::<f32>(N::LEN);
    let mut session = Session::<N, 64, 10>::new(32, data.len(), 7).unwrap();

    allocations(|| {
        let mut losses = [0.0; 3];
        for loss in &mut losses {
            let totals = session
                .epoch(
                    net,
                    &data,
                    &mut optimizer,
                    &SoftmaxCrossEntropy,
                    &penalty,
                    true,
                )
                .unwrap();
            // Validation in inference mode reuses the same buffers.
            session.evaluate(net, &data, &SoftmaxCrossEntropy);
            *loss = totals.loss;
        }
        losses
    })
}

/// [`epochs_allocations`] of a fresh `Digits` with dropout and both weight penalties on.
fn digits_allocations<O: Optimizer>(optimizer: O) -> (usize, [f64; 3]) {
    let mut net = Digits::new(&mut StdRng::seed_from_u64(1));
    epochs_allocations(&mut net, optimizer, Penalty { l1: 1e-4, l2: 1e-3 }, false)
}

#[test]
fn training_epochs_allocate_nothing_after_setup_with_every_optimizer() {
    let runs = [
        (
            "sgd",
            digits_allocations(
                Sgd::new(0.1)
                    .with_momentum(0.9)
                    .with_nesterov(true)
                    .with_weight_decay(1e-4),
            ),
        ),
        (
            "rmsprop",
            digits_allocations(RmsProp::new(1e-3).with_momentum(0.9).with_centered(true)),
        ),
        (
            "adam",
            digits_allocations(Adam::new(1e-3).with_amsgrad(true).with_weight_decay(1e-4)),
        ),
        ("adamw", digits_allocations(AdamW::new(1e-3))),
    ];
    for (name, (count, losses)) in runs {
        assert_eq!(count, 0, "{name} allocated {count} times");
        assert!(losses.iter().all(|l| l.is_finite()), "{name}: {losses:?}");
        assert!(losses[2] < losses[0], "{name} did not learn: {losses:?}");
    }
}

#[test]
fn normalization_layers_and_activations_that_keep_their_inputs_allocate_nothing() {
    let mut net = Normalized::new(&mut StdRng::seed_from_u64(1));
    let penalty = Penalty { l1: 0.0, l2: 1e-3 };
    let (count, losses) = epochs_allocations(&mut net, Adam::new(1e-2), penalty, false);
    assert_eq!(count, 0, "allocated {count} times");
    assert!(losses[2] < losses[0], "did not learn: {losses:?}");
    let (count, _) = allocations(|| net.forward(&[0.5f32; 64]));
    assert_eq!(count, 0);
}

#[test]
fn weighted_training_allocates_nothing() {
    let mut net = Digits::new(&mut StdRng::seed_from_u64(1));
    let (count, losses) = epochs_allocations(&mut net, Adam::new(1e-3), Penalty::default(), true);
    assert_eq!(count, 0, "allocated {count} times");
    assert!(losses[2] < losses[0], "did not learn: {losses:?}");
}
