//! Criterion benches of the standard workloads N1–N5 (`/work/shared/BENCHMARKS.md`) and of the
//! N3 matrix products against `matrixmultiply::sgemm` (group `reference_gemm`).
//!
//! `cargo bench --bench workloads` (add `-- --quick` for a short run, or a filter such as
//! `-- reference_gemm`). For one table with allocation counts, GFLOP/s and targets, run
//! `cargo run --release --example bench` instead.

#[path = "workloads/common.rs"]
mod common;

use std::hint::black_box;
use std::time::Duration;

use common::{N3Products, Product};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use nn::prelude::{SeedableRng, StdRng};

/// N1–N4: one training step or epoch each, single-threaded.
fn training(c: &mut Criterion) {
    let mut group = c.benchmark_group("training");

    let mut n1 = common::n1_xor();
    group.throughput(Throughput::Elements(4));
    group.bench_function("N1 xor step (batch 4)", |b| b.iter(|| black_box(n1.step())));

    let (train, _) = common::digits_split();
    for threads in [1, 2] {
        let mut n2 = common::n2_digits(train.clone(), threads);
        group.throughput(Throughput::Elements(n2.samples() as u64));
        group.bench_function(
            format!("N2 digits epoch (batch 32, {})", threads_label(threads)),
            |b| b.iter(|| black_box(n2.epoch())),
        );
    }

    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    for threads in [1, 2] {
        let mut n3 = common::n3_mnist(threads);
        group.throughput(Throughput::Elements(n3.samples() as u64));
        group.bench_function(
            format!(
                "N3 mnist784 epoch (8192 samples, batch 32, {})",
                threads_label(threads)
            ),
            |b| b.iter(|| black_box(n3.epoch())),
        );
    }
    group
        .sample_size(100)
        .measurement_time(Duration::from_secs(2));

    let mut n4 = common::n4_deep(1);
    group.throughput(Throughput::Elements(common::BATCH as u64));
    group.bench_function("N4 deep step (batch 32)", |b| {
        b.iter(|| black_box(n4.step()))
    });
    group.finish();
}

/// N5: single-sample inference on the N2 and N3 networks.
fn inference(c: &mut Criterion) {
    let mut group = c.benchmark_group("inference");
    let digits = common::Digits::new(&mut StdRng::seed_from_u64(common::SEED));
    let mnist = common::Mnist784::new(&mut StdRng::seed_from_u64(common::SEED));
    let x64 = common::random_input::<64>();
    let x784 = common::random_input::<784>();
    group.bench_function("N5 forward 64-32-10", |b| {
        b.iter(|| black_box(digits.forward(black_box(&x64))))
    });
    group.bench_function("N5 forward 784-128-10", |b| {
        b.iter(|| black_box(mnist.forward(black_box(&x784))))
    });
    group.finish();
}

/// The N3 products at batch 32: `nn::kernels` against `matrixmultiply::sgemm` and the `gemm`
/// crate on the same column-major operands. Throughput is in flops (`2·m·k·n`), so criterion's elements/s read as
/// flop/s.
fn reference_gemm(c: &mut Criterion) {
    let mut group = c.benchmark_group("reference_gemm");
    let mut products = N3Products::new();
    for product in Product::ALL {
        let (m, k, n) = product.shape();
        group.throughput(Throughput::Elements(product.flops() as u64));
        group.bench_function(format!("ours {m}x{k}x{n}"), |b| {
            b.iter(|| products.ours(black_box(product)))
        });
        group.bench_function(format!("matrixmultiply {m}x{k}x{n}"), |b| {
            b.iter(|| products.reference(black_box(product)))
        });
        group.bench_function(format!("gemm {m}x{k}x{n}"), |b| {
            b.iter(|| products.gemm(black_box(product)))
        });
    }
    group.finish();
}

/// Shorter than criterion's defaults: a whole run takes about a minute.
fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

criterion_group! {
    name = benches;
    config = config();
    targets = training, inference, reference_gemm
}
criterion_main!(benches);

/// "1 thread" or "n threads".
fn threads_label(threads: usize) -> String {
    if threads == 1 {
        "1 thread".to_owned()
    } else {
        format!("{threads} threads")
    }
}
