//! One-shot performance report for the standard workloads N1–N5 of `BENCHMARKS.md`: the median
//! time of several repetitions after a warm-up, heap allocations per step, effective GFLOP/s,
//! batched prediction against single-sample inference, and our dense kernels against
//! `matrixmultiply::sgemm` and the `gemm` crate on the N3 shapes measured in the same run. Prints markdown tables
//! ready to paste into an issue. Takes about 15 s.
//!
//! `cargo run --release --example bench`
//!
//! `NN_KERNELS=avx2` (or `avx512`, `portable`) measures another path of the dense kernels than
//! the best the CPU has; the report names the path it ran.
//!
//! The criterion benches of the same workloads are in `benches/workloads.rs`.

#[path = "../benches/workloads/common.rs"]
mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{N3Products, Product};
use nn::prelude::{Predictor, SeedableRng, StdRng};

/// A global allocator that counts allocations (and reallocations) on every thread.
struct Counting;

/// The number of allocations so far.
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call to the system allocator unchanged.
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

/// The time budget of one measurement (after warm-up).
const BUDGET: Duration = Duration::from_millis(400);
/// The fewest repetitions a median is taken over.
const MIN_REPETITIONS: usize = 7;
/// The shortest a repetition may be: faster calls are batched into one repetition.
const MIN_REPETITION: Duration = Duration::from_millis(2);

/// The median and the shortest time of one call of `f`, in seconds: warm-up, then at least
/// [`MIN_REPETITIONS`] repetitions (within about [`BUDGET`]), each timing enough calls to last
/// [`MIN_REPETITION`].
fn time_calls(mut f: impl FnMut()) -> Timing {
    let warm_up = Instant::now();
    let mut calls = 0u32;
    while calls < 3 || warm_up.elapsed() < Duration::from_millis(50) {
        f();
        calls += 1;
    }
    let per_call = warm_up.elapsed().as_secs_f64() / f64::from(calls);
    let batch = (MIN_REPETITION.as_secs_f64() / per_call).ceil().max(1.0) as u32;
    let repetitions = ((BUDGET.as_secs_f64() / (per_call * f64::from(batch))) as usize)
        .clamp(MIN_REPETITIONS, 201);
    let mut times: Vec<f64> = (0..repetitions)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..batch {
                f();
            }
            start.elapsed().as_secs_f64() / f64::from(batch)
        })
        .collect();
    times.sort_by(f64::total_cmp);
    Timing {
        median: times[times.len() / 2],
        best: times[0],
    }
}

/// Seconds per call over the repetitions of [`time_calls`].
#[derive(Clone, Copy)]
struct Timing {
    /// The median repetition: the figure reported and checked against the targets.
    median: f64,
    /// The fastest repetition: what the code does when nothing else disturbs the machine.
    best: f64,
}

impl Timing {
    /// The median and the best, multiplied by `scale` (to the unit reported) and printed with
    /// `decimals` decimals.
    fn figures(self, scale: f64, decimals: usize) -> [String; 2] {
        [self.median, self.best].map(|seconds| format!("{:.decimals$}", seconds * scale))
    }
}

/// The mean number of heap allocations per call of `f` over `calls` calls (after warm-up).
fn allocations_per_call(calls: usize, mut f: impl FnMut()) -> f64 {
    f();
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for _ in 0..calls {
        f();
    }
    (ALLOCATIONS.load(Ordering::Relaxed) - before) as f64 / calls as f64
}

/// One line of the workload table.
struct Row {
    workload: &'static str,
    /// The figure of the median repetition.
    figure: String,
    /// The figure of the fastest repetition.
    best: String,
    unit: &'static str,
    gflops: Option<f64>,
    allocations: Option<f64>,
    target: String,
}

/// Times `a` and `b` in alternating rounds, so that both see the same machine: for each, the
/// timing of the round whose median is the middle one.
fn alternating_timings(mut a: impl FnMut(), mut b: impl FnMut()) -> [Timing; 2] {
    const ROUNDS: usize = 3;
    let mut rounds = [Vec::new(), Vec::new()];
    for _ in 0..ROUNDS {
        rounds[0].push(time_calls(&mut a));
        rounds[1].push(time_calls(&mut b));
    }
    rounds.map(|mut timings| {
        timings.sort_by(|x, y| x.median.total_cmp(&y.median));
        timings[timings.len() / 2]
    })
}

/// The N5 rows of one network, loaded and frozen, timed in alternating rounds so that both see
/// the same machine: `labels`, the unit with its scale from seconds and its decimals, the target
/// as text and in seconds, the flops of one call, and the two calls. Returns the rows and the
/// ratio of the frozen median to the loaded one.
fn n5_rows<A, B>(
    labels: [&'static str; 2],
    (unit, scale, decimals): (&'static str, f64, usize),
    (bound, limit): (&str, f64),
    flops: f64,
    mut loaded: impl FnMut() -> A,
    mut frozen: impl FnMut() -> B,
) -> (Vec<Row>, f64) {
    let timings = alternating_timings(
        || {
            loaded();
        },
        || {
            frozen();
        },
    );
    let ratio = timings[1].median / timings[0].median;
    let rows = (0..2)
        .map(|which| {
            let timing = timings[which];
            let allocations = allocations_per_call(1000, || {
                if which == 0 {
                    loaded();
                } else {
                    frozen();
                }
            });
            let [figure, best] = timing.figures(scale, decimals);
            Row {
                workload: labels[which],
                figure,
                best,
                unit,
                gflops: Some(flops / timing.median / 1e9),
                allocations: Some(allocations),
                target: target(bound, timing.median <= limit),
            }
        })
        .collect();
    (rows, ratio)
}

/// A target cell: the bound and whether `met`.
fn target(bound: &str, met: bool) -> String {
    format!("{bound} {}", if met { "✓" } else { "✗" })
}

/// Formats a count with thin groups of three digits (`153 600`).
fn grouped(value: f64) -> String {
    let digits = format!("{:.0}", value);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// The CPU model name from `/proc/cpuinfo`, if there is one.
fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|name| name.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Which of AVX2, FMA and AVX-512F the CPU has.
fn cpu_features() -> String {
    #[cfg(target_arch = "x86_64")]
    {
        let yes = |on: bool| if on { "yes" } else { "no" };
        format!(
            "AVX2 {}, FMA {}, AVX-512F {}",
            yes(is_x86_feature_detected!("avx2")),
            yes(is_x86_feature_detected!("fma")),
            yes(is_x86_feature_detected!("avx512f")),
        )
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        "not x86-64: AVX2/FMA/AVX-512 not applicable".to_owned()
    }
}

/// The N3 products' median seconds with each implementation.
struct ProductTimes {
    product: Product,
    ours: f64,
    matrixmultiply: f64,
    gemm: f64,
}

/// A reference implementation of the N3 products.
type Reference = fn(&mut N3Products, Product);

/// Measures the N3 products with our kernels, `matrixmultiply` and `gemm`.
fn gemm_times() -> Vec<ProductTimes> {
    let mut products = N3Products::new();
    let references: [(&str, Reference); 2] = [
        ("matrixmultiply", N3Products::reference),
        ("gemm", N3Products::gemm),
    ];
    Product::ALL
        .iter()
        .map(|&product| {
            for (name, reference) in references {
                let difference = products.max_difference(product, reference);
                if difference > 1e-3 {
                    eprintln!(
                        "warning: {} differs from {name} by {difference}",
                        product.label()
                    );
                }
            }
            ProductTimes {
                product,
                ours: time_calls(|| products.ours(black_box(product))).median,
                matrixmultiply: time_calls(|| products.reference(black_box(product))).median,
                gemm: time_calls(|| products.gemm(black_box(product))).median,
            }
        })
        .collect()
}

fn main() {
    if cfg!(debug_assertions) {
        eprintln!("warning: a debug build; run with --release for meaningful figures");
    }
    let started = Instant::now();
    let mut rows = Vec::new();

    // N1: one step over the four XOR samples.
    let mut n1 = common::n1_xor();
    let timing = time_calls(|| {
        black_box(n1.step());
    });
    let allocations = allocations_per_call(1000, || {
        n1.step();
    });
    let flops = 4.0 * common::training_flops::<common::Xor, 2, 1>();
    let [figure, best] = timing.figures(1e6, 3);
    rows.push(Row {
        workload: "N1 xor 2-4-1, SGD, batch 4",
        figure,
        best,
        unit: "µs/step",
        gflops: Some(flops / timing.median / 1e9),
        allocations: Some(allocations),
        target: target("≤ 0.2", timing.median <= 0.2e-6),
    });

    // N2: one epoch over the training split (single-threaded, then on two threads), then the
    // accuracy after 20 epochs from scratch.
    let (train, _) = common::digits_split();
    let mut n2_rows = Vec::new();
    // Seconds per epoch (N2) and samples per second (N3), on one thread and on two.
    let (mut n2_epoch, mut n3_rate) = ([0.0; 2], [0.0; 2]);
    for threads in [1, 2] {
        let mut n2 = common::n2_digits(train.clone(), threads);
        let steps = n2.steps_per_epoch() as f64;
        let timing = time_calls(|| {
            black_box(n2.epoch());
        });
        // More epochs than 63, after which a queue that grows per hand-off would show.
        let allocations = allocations_per_call(70, || {
            n2.epoch();
        }) / steps;
        let flops = n2.samples() as f64 * common::training_flops::<common::Digits, 64, 10>();
        n2_epoch[threads - 1] = timing.median;
        let [figure, best] = timing.figures(1e3, 3);
        n2_rows.push(Row {
            workload: match (threads, n2.session.threads()) {
                (1, _) => "N2 digits 64-32-10, Adam, batch 32",
                (_, 1) => "N2 digits, 2 threads asked: runs on 1, nothing large to share",
                _ => "N2 digits, 2 threads (multi-core)",
            },
            figure,
            best,
            unit: "ms/epoch",
            gflops: Some(flops / timing.median / 1e9),
            allocations: Some(allocations),
            target: if threads == 1 {
                target("≤ 0.25", timing.median <= 0.25e-3)
            } else {
                "—".to_owned()
            },
        });
    }
    let n2_two_threads = n2_rows.pop().expect("two N2 rows");
    rows.extend(n2_rows);
    let mut accuracies =
        common::n2_test_accuracies(common::N2_ACCURACY_EPOCHS, common::N2_ACCURACY_SEEDS);
    accuracies.sort_by(f64::total_cmp);
    let accuracy = accuracies[accuracies.len() / 2];
    rows.push(Row {
        workload: "N2 digits, test accuracy after 20 epochs (median of 9 seeds)",
        figure: format!(
            "{accuracy:.4} ({:.3}–{:.3})",
            accuracies[0],
            accuracies[accuracies.len() - 1]
        ),
        best: "—".to_owned(),
        unit: "accuracy",
        gflops: None,
        allocations: None,
        target: target("≥ 0.95", accuracy >= 0.95),
    });
    rows.push(n2_two_threads);

    // N3: epochs over the 8 192 synthetic samples, single-threaded then on two threads.
    let per_sample = common::training_flops::<common::Mnist784, 784, 10>();
    let mut n3_step_seconds = 0.0;
    for threads in [1, 2] {
        let mut n3 = common::n3_mnist(threads);
        let steps = n3.steps_per_epoch() as f64;
        let timing = time_calls(|| {
            black_box(n3.epoch());
        });
        let allocations = allocations_per_call(2, || {
            n3.epoch();
        }) / steps;
        let rate = n3.samples() as f64 / timing.median;
        n3_rate[threads - 1] = rate;
        if threads == 1 {
            n3_step_seconds = timing.median / steps;
        }
        rows.push(Row {
            workload: match (threads, n3.session.threads()) {
                (1, _) => "N3 mnist784 784-128-10, Adam, batch 32",
                (_, 1) => "N3 mnist784, 2 threads asked: runs on 1, nothing large to share",
                _ => "N3 mnist784, 2 threads (multi-core)",
            },
            figure: grouped(rate),
            best: grouped(n3.samples() as f64 / timing.best),
            unit: "samples/s",
            gflops: Some(rate * per_sample / 1e9),
            allocations: Some(allocations),
            target: if threads == 1 {
                target("≥ 250 000", rate >= 250_000.0)
            } else {
                target("≥ 450 000 on 2 cores", rate >= 450_000.0)
            },
        });
    }

    // N4: one step of 32 random samples, single-threaded then on two threads.
    let mut n4_step = [0.0; 2];
    for threads in [1, 2] {
        let mut n4 = common::n4_deep(threads);
        let timing = time_calls(|| {
            black_box(n4.step());
        });
        let allocations = allocations_per_call(1000, || {
            n4.step();
        });
        let flops = common::BATCH as f64 * common::training_flops::<common::Deep, 32, 10>();
        n4_step[threads - 1] = timing.median;
        let [figure, best] = timing.figures(1e6, 2);
        rows.push(Row {
            workload: match (threads, n4.session.threads()) {
                (1, _) => "N4 deep 32-64-64-10, Adam, batch 32",
                (_, 1) => "N4 deep, 2 threads asked: runs on 1, nothing large to share",
                _ => "N4 deep, 2 threads (multi-core)",
            },
            figure,
            best,
            unit: "µs/step",
            gflops: Some(flops / timing.median / 1e9),
            allocations: Some(allocations),
            target: if threads == 1 {
                target("≤ 12", timing.median <= 12e-6)
            } else {
                "—".to_owned()
            },
        });
    }
    // What `Trainer::auto_threads` chooses for each, measured in this run like the rows above.
    let auto_choices = [
        common::n2_digits(train.clone(), 1).auto_threads(),
        common::n3_mnist(1).auto_threads(),
        common::n4_deep(1).auto_threads(),
    ];

    // N5: single-sample forward calls, the loaded (heap) and frozen (inline) networks side by
    // side.
    let digits = common::Digits::new(&mut StdRng::seed_from_u64(common::SEED));
    let digits_frozen = digits.freeze();
    let x64 = common::random_input::<64>();
    let n5_small = n5_rows(
        [
            "N5 forward, N2 net 64-32-10",
            "N5 forward, N2 net 64-32-10, frozen",
        ],
        ("ns/call", 1e9, 1),
        ("≤ 100", 100e-9),
        common::forward_flops::<common::Digits, 64, 10>(),
        || black_box(digits.forward(black_box(&x64))),
        || black_box(digits_frozen.forward(black_box(&x64))),
    );
    let mnist = common::Mnist784::new(&mut StdRng::seed_from_u64(common::SEED));
    let mnist_frozen = mnist.freeze();
    let x784 = common::random_input::<784>();
    let n5_large = n5_rows(
        [
            "N5 forward, N3 net 784-128-10",
            "N5 forward, N3 net 784-128-10, frozen",
        ],
        ("µs/call", 1e6, 3),
        ("≤ 3", 3e-6),
        common::forward_flops::<common::Mnist784, 784, 10>(),
        || black_box(mnist.forward(black_box(&x784))),
        || black_box(mnist_frozen.forward(black_box(&x784))),
    );
    let frozen_ratios = [n5_small.1, n5_large.1];
    rows.extend(n5_small.0);
    rows.extend(n5_large.0);

    // Batched prediction over the N3 inputs, against single-sample `forward` over the same
    // inputs, timed in alternating rounds.
    let n3_inputs = common::linear_teacher_data::<784, 10>(common::N3_SAMPLES, common::SEED);
    let n3_inputs = n3_inputs.inputs();
    let mut predictor = Predictor::new();
    let mut predictions = vec![[0.0f32; 10]; n3_inputs.len()];
    let mut predict = || {
        predictor
            .predict(&mnist, black_box(n3_inputs), &mut predictions)
            .expect("finite inputs");
        black_box(&predictions);
    };
    let [batched, single] = alternating_timings(&mut predict, || {
        for input in n3_inputs {
            black_box(mnist.forward(black_box(input)));
        }
    });
    let samples = n3_inputs.len() as f64;
    let predict_rates = [samples / batched.median, samples / single.median];
    rows.push(Row {
        workload: "N3 net 784-128-10, batched predict (capacity 256)",
        figure: grouped(predict_rates[0]),
        best: grouped(samples / batched.best),
        unit: "samples/s",
        gflops: Some(predict_rates[0] * common::forward_flops::<common::Mnist784, 784, 10>() / 1e9),
        // Per call, each over the 8 192 samples.
        allocations: Some(allocations_per_call(5, predict)),
        target: "—".to_owned(),
    });

    let gemm = gemm_times();

    println!("CPU: {} ({})", cpu_model(), cpu_features());
    // The dense kernels in use: the best the CPU has, or what `NN_KERNELS` forces.
    println!("kernels: {}", nn::kernels::path());
    println!(
        "nn {} release build, single thread unless labelled; median and best of ≥ \
         {MIN_REPETITIONS} repetitions after warm-up (targets are checked on the median; on a \
         shared machine the best shows the code undisturbed)\n",
        env!("CARGO_PKG_VERSION")
    );
    println!("| workload | median | best | unit | GFLOP/s | allocations/step | target |");
    println!("|---|---:|---:|---|---:|---:|---|");
    for row in &rows {
        let gflops = row.gflops.map_or("—".to_owned(), |g| format!("{g:.2}"));
        let allocations = row.allocations.map_or("—".to_owned(), |a| {
            if a == 0.0 {
                "0".to_owned()
            } else {
                format!("{a:.2}")
            }
        });
        println!(
            "| {} | {} | {} | {} | {gflops} | {allocations} | {} |",
            row.workload, row.figure, row.best, row.unit, row.target
        );
    }
    println!(
        "\nGFLOP/s counts only the dense products: per sample and dense layer 2·in·out forward and \
         4·in·out backward, minus 2·in·out for the first layer's input gradient (not computed); \
         inference 2·in·out per layer. Biases, activations, loss and optimizer are not counted. \
         N3: {:.3} MFLOP per training sample.\n",
        per_sample / 1e6
    );
    println!(
        "Two threads against one (medians): N2 {:.2}×, N3 {:.2}×, N4 {:.2}×. \
         Trainer::auto_threads chose, measuring for itself in this process: N2 {}, N3 {}, N4 {} \
         thread(s).\n",
        n2_epoch[0] / n2_epoch[1],
        n3_rate[1] / n3_rate[0],
        n4_step[0] / n4_step[1],
        auto_choices[0],
        auto_choices[1],
        auto_choices[2]
    );
    println!(
        "Frozen against loaded, N5 (time per call, medians of alternating rounds): N2 net \
         {:.2}×, N3 net {:.2}× (below 1: the frozen network is faster).\n",
        frozen_ratios[0], frozen_ratios[1]
    );
    println!(
        "Batched predict against single-sample forward in a loop, N3 net over the {} N3 inputs \
         (medians of alternating rounds): {} against {} samples/s, {:.2}×.\n",
        grouped(samples),
        grouped(predict_rates[0]),
        grouped(predict_rates[1]),
        predict_rates[0] / predict_rates[1]
    );

    println!(
        "| N3 product (batch 32) | ours GFLOP/s | matrixmultiply GFLOP/s | gemm GFLOP/s | ours as % \
         of the faster |"
    );
    println!("|---|---:|---:|---:|---:|");
    let mut total = ProductTimes {
        product: Product::Forward1,
        ours: 0.0,
        matrixmultiply: 0.0,
        gemm: 0.0,
    };
    let mut flops_total = 0.0;
    for times in &gemm {
        let flops = times.product.flops();
        if times.product != Product::InputGradient1 {
            total.ours += times.ours;
            total.matrixmultiply += times.matrixmultiply;
            total.gemm += times.gemm;
            flops_total += flops;
        }
        println!(
            "| {} | {:.2} | {:.2} | {:.2} | {:.0} % |",
            times.product.label(),
            flops / times.ours / 1e9,
            flops / times.matrixmultiply / 1e9,
            flops / times.gemm / 1e9,
            100.0 * times.matrixmultiply.min(times.gemm) / times.ours
        );
    }
    println!(
        "| all five products of a training step | {:.2} | {:.2} | {:.2} | {:.0} % |",
        flops_total / total.ours / 1e9,
        flops_total / total.matrixmultiply / 1e9,
        flops_total / total.gemm / 1e9,
        100.0 * total.matrixmultiply.min(total.gemm) / total.ours
    );
    println!(
        "\nOurs include the bias add (forward) and the bias-gradient row sums (weight gradient); \
         matrixmultiply 0.3 (AVX-512 where the CPU has it) and gemm 0.19 (faer's kernels, one \
         thread; AVX2+FMA on stable Rust, its AVX-512 kernels need its nightly feature) compute \
         the bare product on the same column-major operands.\n\
         One N3 step takes {:.1} µs; its five products take {:.1} µs with our kernels ({:.0} %) \
         and would take {:.1} µs with matrixmultiply, {:.1} µs with gemm.",
        n3_step_seconds * 1e6,
        total.ours * 1e6,
        100.0 * total.ours / n3_step_seconds,
        total.matrixmultiply * 1e6,
        total.gemm * 1e6,
    );
    print_fused_update();
    eprintln!("\n(measured in {:.1} s)", started.elapsed().as_secs_f64());
}

/// Times the weight gradient and Adam step of a layer whose state fits the L2 cache (N3's first)
/// and of one whose state does not, with the update fused and after the gradient, in alternating
/// rounds, and prints the table.
fn print_fused_update() {
    println!(
        "\n| weight gradient + Adam step, batch 32 | fused µs | after the gradient µs | fused / after |"
    );
    println!("|---|---:|---:|---:|");
    fn row<const OUT: usize, const IN: usize>(label: &str) {
        let (mut a, mut b) = (
            common::LayerUpdate::<OUT, IN>::new(),
            common::LayerUpdate::<OUT, IN>::new(),
        );
        let [fused, after] = alternating_timings(|| a.fused(), || b.after());
        println!(
            "| {label} | {:.1} | {:.1} | {:.2} |",
            fused.median * 1e6,
            after.median * 1e6,
            fused.median / after.median
        );
    }
    row::<128, 784>("128×784 (N3's first layer: W, ∂W and Adam's moments 1.6 MB)");
    row::<1024, 1024>("1024×1024 (16.8 MB)");
}
