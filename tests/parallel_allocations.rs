//! Exact heap-allocation count of training epochs on two threads, counted on every thread (this
//! binary holds one test, so nothing else allocates meanwhile).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use nn::prelude::*;
use nn::train::{Penalty, Session};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

network! {
    /// A first layer large enough for its products (2¹⁸ multiply-adds and more over a batch of
    /// 32), its optimizer update and its batch's inputs to be shared by the threads.
    struct Wide: Input<256> -> Dense<256, Relu> -> Dropout<0.2> -> Dense<10, Softmax>;
}

#[test]
fn two_thread_epochs_allocate_nothing_after_setup() {
    let inputs: Vec<[f32; 256]> = (0..100)
        .map(|i| core::array::from_fn(|p| ((i * p) % 7) as f32 / 7.0))
        .collect();
    let labels: Vec<usize> = (0..100).map(|i| i % 10).collect();
    let data = Dataset::from_labels(&inputs, &labels).unwrap();
    let mut net = Wide::new(&mut StdRng::seed_from_u64(1));
    let mut optimizer = Adam::new(1e-3);
    optimizer.prepare::<f32>(Wide::PARAMETERS);
    let mut session = Session::<Wide, 256, 10>::with_threads(32, data.len(), 7, 2).unwrap();
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    assert_eq!(session.threads(), 2.min(cores));
    let penalty = Penalty { l1: 1e-4, l2: 1e-3 };
    // Warm-up: the pool's threads start and their queues take their size.
    session
        .epoch(
            &mut net,
            &data,
            &mut optimizer,
            &SoftmaxCrossEntropy,
            &penalty,
            true,
        )
        .unwrap();

    let weights_before = net.dense1.weight.clone();
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    // More epochs than the 63 jobs after which rayon's injector queue would take a new block:
    // the session hands its epochs to the pool without it.
    let mut losses = [0.0; 100];
    for loss in &mut losses {
        *loss = session
            .epoch(
                &mut net,
                &data,
                &mut optimizer,
                &SoftmaxCrossEntropy,
                &penalty,
                true,
            )
            .unwrap()
            .loss;
    }
    let count = ALLOCATIONS.load(Ordering::SeqCst) - before;
    assert_eq!(count, 0, "{count} allocations in 100 epochs of 4 steps");
    // The epochs did train: finite losses and moved weights (dropout makes the losses too noisy
    // to compare at this learning rate).
    assert!(losses.iter().all(|loss| loss.is_finite()), "{losses:?}");
    assert_ne!(net.dense1.weight, weights_before);
}
