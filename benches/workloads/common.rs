//! The standard workloads N1–N5 of `BENCHMARKS.md`, built exactly as specified (architecture,
//! loss, optimizer, batch size, data), and the N3-shaped matrix products compared with
//! `matrixmultiply`. Shared by the criterion bench `benches/workloads.rs` and the one-shot
//! report `examples/bench.rs`.

#![allow(dead_code)]

use nn::kernels::{dense_forward, dense_input_gradient, dense_parameter_gradient};
use nn::prelude::*;
use nn::rand::RngExt;
use nn::train::{PassTotals, Penalty, Session};
use nn::{BatchMatrix, Dense, Initializer, Loss, Tensors};

network! {
    /// N1: XOR, 2-4-1 with a Tanh hidden layer and a Sigmoid output.
    pub struct Xor: Input<2> -> Dense<4, Tanh> -> Dense<1, Sigmoid>;

    /// N2: the 8×8 digits, 64-32-10 with a Relu hidden layer and a Softmax output.
    pub struct Digits: Input<64> -> Dense<32, Relu> -> Dense<10, Softmax>;

    /// N3: MNIST-sized, 784-128-10 with a Relu hidden layer and a Softmax output.
    pub struct Mnist784: Input<784> -> Dense<128, Relu> -> Dense<10, Softmax>;

    /// N4: a deeper small network, 32-64-64-10 with Relu hidden layers and a Softmax output.
    pub struct Deep: Input<32> -> Dense<64, Relu> -> Dense<64, Relu> -> Dense<10, Softmax>;
}

/// The seed of every random choice (weights, data, split, shuffling).
pub const SEED: u64 = 42;
/// The batch size of N2, N3 and N4.
pub const BATCH: usize = 32;
/// The number of synthetic N3 samples.
pub const N3_SAMPLES: usize = 8192;
/// The number of random N4 samples (a whole number of batches).
pub const N4_SAMPLES: usize = 1024;
/// The number of epochs after which N2's test accuracy is reported.
pub const N2_ACCURACY_EPOCHS: usize = 20;
/// The seeds over which N2's test accuracy is reported (median and range): one seed's figure
/// swings by ±0.01 with the initial weights.
pub const N2_ACCURACY_SEEDS: core::ops::Range<u64> = 0..9;

/// A training run ready to step: network, optimizer (state prepared), loss, data and a
/// [`Session`] holding every buffer, so steps and epochs allocate nothing.
pub struct Run<N, O, L, const IN: usize, const OUT: usize>
where
    N: Network<IN, OUT, Scalar = f32>,
{
    /// The network being trained.
    pub net: N,
    /// The optimizer, its state allocated for the network.
    pub optimizer: O,
    /// The loss.
    pub loss: L,
    /// The training data.
    pub data: Dataset<f32, IN, OUT>,
    /// The preallocated step state.
    pub session: Session<N, IN, OUT>,
    /// A fixed shuffled order of the samples, cut into batches by [`step`](Self::step).
    order: Vec<usize>,
    /// Where the next [`step`](Self::step) batch starts in `order`.
    next: usize,
    /// The batch size.
    batch: usize,
}

impl<N, O, L, const IN: usize, const OUT: usize> Run<N, O, L, IN, OUT>
where
    N: Network<IN, OUT, Scalar = f32>,
    O: Optimizer,
    L: Loss<N::OutputActivation>,
{
    /// Prepares `optimizer` for `net` and a session of `threads` threads for batches of `batch`
    /// over `data`.
    ///
    /// # Panics
    /// If the optimizer's hyperparameters are invalid or `data.len()` is not a multiple of
    /// `batch` (steps cycle through whole batches).
    pub fn new(
        net: N,
        optimizer: O,
        loss: L,
        data: Dataset<f32, IN, OUT>,
        batch: usize,
        threads: usize,
    ) -> Self {
        Self::seeded(net, optimizer, loss, data, batch, threads, SEED)
    }

    /// [`new`](Self::new) with the shuffling (and any dropout) drawn from `seed`.
    pub fn seeded(
        net: N,
        mut optimizer: O,
        loss: L,
        data: Dataset<f32, IN, OUT>,
        batch: usize,
        threads: usize,
        seed: u64,
    ) -> Self {
        optimizer.validate().expect("valid hyperparameters");
        optimizer.prepare::<f32>(<N as Tensors<f32>>::LEN);
        let mut session = Session::with_threads(batch, data.len(), seed, threads)
            .expect("a batch of at least 1 sample and threads that start");
        // The metrics `Trainer::fit` reports by default for this loss, as a user's training keeps.
        session.set_metrics(Metric::defaults(L::CLASSIFICATION));
        let mut order: Vec<usize> = (0..data.len()).collect();
        if data.len() > batch {
            use nn::rand::seq::SliceRandom;
            order.shuffle(&mut StdRng::seed_from_u64(seed));
        }
        Self {
            net,
            optimizer,
            loss,
            data,
            session,
            order,
            next: 0,
            batch,
        }
    }

    /// One training step (forward, loss, backward, update) on the next batch of the fixed order;
    /// returns the batch loss.
    pub fn step(&mut self) -> f64 {
        let indices = &self.order[self.next..self.next + self.batch];
        self.next = (self.next + self.batch) % self.order.len();
        let mut totals = PassTotals::default();
        self.session.step(
            &mut self.net,
            &self.data,
            indices,
            &mut self.optimizer,
            &self.loss,
            &Penalty::default(),
            &mut totals,
        )
    }

    /// One epoch over the data, reshuffled first; returns the mean loss.
    ///
    /// # Panics
    /// If the loss turns NaN or infinite.
    pub fn epoch(&mut self) -> f64 {
        self.session
            .epoch(
                &mut self.net,
                &self.data,
                &mut self.optimizer,
                &self.loss,
                &Penalty::default(),
                true,
            )
            .expect("the loss stays finite")
            .loss
    }

    /// The number of steps in one [`epoch`](Self::epoch).
    pub fn steps_per_epoch(&self) -> usize {
        self.data.len().div_ceil(self.batch)
    }

    /// The number of samples in one [`epoch`](Self::epoch).
    pub fn samples(&self) -> usize {
        self.data.len()
    }

    /// The thread count [`Trainer::auto_threads`] chooses for this run's network, optimizer,
    /// loss, batch size and data (one epoch of a copy of the network, in this process).
    pub fn auto_threads(&self) -> usize
    where
        N: Clone,
        O: Clone,
        L: Clone,
    {
        let mut net = self.net.clone();
        Trainer::new(self.optimizer.clone(), self.loss.clone())
            .batch_size(self.batch)
            .epochs(1)
            .auto_threads()
            .progress(false)
            .fit(&mut net, &self.data)
            .expect("one epoch trains")
            .threads
    }
}

/// Training floating-point operations per sample of network `N`: `2·in·out` forward and
/// `4·in·out` backward per dense layer, less the first layer's input gradient (`2·in·out`),
/// which nothing needs. Biases and activations are not counted.
pub fn training_flops<N: Network<IN, OUT>, const IN: usize, const OUT: usize>() -> f64 {
    let products: f64 = dense_layers::<N, IN, OUT>()
        .map(|l| (l.inputs * l.outputs) as f64)
        .sum();
    let first = dense_layers::<N, IN, OUT>()
        .next()
        .map_or(0.0, |l| (l.inputs * l.outputs) as f64);
    6.0 * products - 2.0 * first
}

/// The dense layers of `N` (normalization layers, linear in the width, are not counted).
fn dense_layers<N: Network<IN, OUT>, const IN: usize, const OUT: usize>()
-> impl Iterator<Item = &'static nn::LayerShape> {
    N::LAYERS.iter().filter(|l| l.kind == nn::LayerKind::Dense)
}

/// Inference floating-point operations per sample of network `N`: `2·in·out` per dense layer.
pub fn forward_flops<N: Network<IN, OUT>, const IN: usize, const OUT: usize>() -> f64 {
    dense_layers::<N, IN, OUT>()
        .map(|l| 2.0 * (l.inputs * l.outputs) as f64)
        .sum()
}

/// N1: the XOR truth table, SGD (lr 0.5, momentum 0.9), binary cross-entropy, batch 4.
pub fn n1_xor() -> Run<Xor, Sgd, BinaryCrossEntropy, 2, 1> {
    let data = Dataset::from_arrays(
        &[[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]],
        &[[0.0], [1.0], [1.0], [0.0]],
    )
    .expect("the XOR table is valid");
    let net = Xor::new(&mut StdRng::seed_from_u64(SEED));
    Run::new(
        net,
        Sgd::new(0.5).with_momentum(0.9),
        BinaryCrossEntropy,
        data,
        4,
        1,
    )
}

/// The 8×8 digits (1 797 samples from smartcore, pixels / 16) split 80/20 with a fixed seed:
/// `(train, test)`.
pub fn digits_split() -> (Dataset<f32, 64, 10>, Dataset<f32, 64, 10>) {
    let raw = smartcore::dataset::digits::load_dataset();
    let inputs: Vec<[f32; 64]> = raw
        .data
        .chunks_exact(64)
        .map(|pixels| core::array::from_fn(|i| pixels[i] / 16.0))
        .collect();
    let labels: Vec<usize> = raw.target.iter().map(|&label| label as usize).collect();
    let all = Dataset::from_labels(&inputs, &labels).expect("the digits are valid");
    all.split(0.2, SEED).expect("a valid split")
}

/// N2: 64-32-10 on the digits training split, Adam (lr 1e-3, β 0.9/0.999, ε 1e-8), softmax
/// cross-entropy, batch 32, reshuffled every epoch, on `threads` threads (1 for the
/// single-thread figure).
pub fn n2_digits(
    train: Dataset<f32, 64, 10>,
    threads: usize,
) -> Run<Digits, Adam, SoftmaxCrossEntropy, 64, 10> {
    n2_digits_seeded(train, SEED, threads)
}

/// [`n2_digits`] with the weights and the shuffling drawn from `seed`.
fn n2_digits_seeded(
    train: Dataset<f32, 64, 10>,
    seed: u64,
    threads: usize,
) -> Run<Digits, Adam, SoftmaxCrossEntropy, 64, 10> {
    let net = Digits::new(&mut StdRng::seed_from_u64(seed));
    let adam = Adam::new(1e-3).with_betas(0.9, 0.999).with_eps(1e-8);
    Run::seeded(net, adam, SoftmaxCrossEntropy, train, BATCH, threads, seed)
}

/// Trains N2 from scratch for `epochs` epochs once per seed in `seeds` (the weights and the
/// shuffling differ; the split does not) and returns the test accuracies, in seed order.
pub fn n2_test_accuracies(epochs: usize, seeds: core::ops::Range<u64>) -> Vec<f64> {
    let (train, test) = digits_split();
    seeds
        .map(|seed| {
            let mut run = n2_digits_seeded(train.clone(), seed, 1);
            for _ in 0..epochs {
                run.epoch();
            }
            evaluate(&run.net, &test, &SoftmaxCrossEntropy)
                .metrics
                .accuracy
                .expect("classification has an accuracy")
        })
        .collect()
}

/// A standard normal sample by the Box–Muller transform.
fn normal(rng: &mut StdRng) -> f32 {
    let u1: f64 = rng.random_range(f64::EPSILON..1.0);
    let u2: f64 = rng.random_range(0.0..1.0);
    ((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()) as f32
}

/// `count` samples with `IN` standard normal features and a class label given by the argmax of
/// a fixed random `CLASSES × IN` linear map of the features (entries also standard normal).
pub fn linear_teacher_data<const IN: usize, const CLASSES: usize>(
    count: usize,
    seed: u64,
) -> Dataset<f32, IN, CLASSES> {
    let mut rng = StdRng::seed_from_u64(seed);
    let map: Vec<[f32; IN]> = (0..CLASSES)
        .map(|_| core::array::from_fn(|_| normal(&mut rng)))
        .collect();
    let inputs: Vec<[f32; IN]> = (0..count)
        .map(|_| core::array::from_fn(|_| normal(&mut rng)))
        .collect();
    let labels: Vec<usize> = inputs
        .iter()
        .map(|x| {
            let scores = map
                .iter()
                .map(|row| row.iter().zip(x).map(|(w, v)| w * v).sum::<f32>());
            scores
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map_or(0, |(class, _)| class)
        })
        .collect();
    Dataset::from_labels(&inputs, &labels).expect("finite synthetic data")
}

/// N3: 784-128-10 on 8 192 synthetic samples, Adam 1e-3, softmax cross-entropy, batch 32, on
/// `threads` threads (1 for the single-thread figure).
pub fn n3_mnist(threads: usize) -> Run<Mnist784, Adam, SoftmaxCrossEntropy, 784, 10> {
    let data = linear_teacher_data::<784, 10>(N3_SAMPLES, SEED);
    let net = Mnist784::new(&mut StdRng::seed_from_u64(SEED));
    Run::new(
        net,
        Adam::new(1e-3),
        SoftmaxCrossEntropy,
        data,
        BATCH,
        threads,
    )
}

/// N4: 32-64-64-10 on 1 024 random samples (standard normal features, uniform random labels),
/// Adam 1e-3, softmax cross-entropy, batch 32, on `threads` threads (1 for the single-thread
/// figure).
pub fn n4_deep(threads: usize) -> Run<Deep, Adam, SoftmaxCrossEntropy, 32, 10> {
    let mut rng = StdRng::seed_from_u64(SEED + 4);
    let inputs: Vec<[f32; 32]> = (0..N4_SAMPLES)
        .map(|_| core::array::from_fn(|_| normal(&mut rng)))
        .collect();
    let labels: Vec<usize> = (0..N4_SAMPLES)
        .map(|_| rng.random_range(0..10usize))
        .collect();
    let data = Dataset::from_labels(&inputs, &labels).expect("finite random data");
    let net = Deep::new(&mut StdRng::seed_from_u64(SEED));
    Run::new(
        net,
        Adam::new(1e-3),
        SoftmaxCrossEntropy,
        data,
        BATCH,
        threads,
    )
}

/// N5: a random input of width `IN` (standard normal) for single-sample inference.
pub fn random_input<const IN: usize>() -> [f32; IN] {
    let mut rng = StdRng::seed_from_u64(SEED + 5);
    core::array::from_fn(|_| normal(&mut rng))
}

/// One of the matrix products of an N3 training step at batch 32 (and the first layer's input
/// gradient, which training skips), all column-major as the kernels store them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Product {
    /// Layer 1 forward `W₁·X`: 128×784 · 784×32.
    Forward1,
    /// Layer 1 weight gradient `Δ₁·Xᵀ`: 128×32 · 32×784.
    WeightGradient1,
    /// Layer 1 input gradient `W₁ᵀ·Δ₁`: 784×128 · 128×32 (not needed in training).
    InputGradient1,
    /// Layer 2 forward `W₂·H`: 10×128 · 128×32.
    Forward2,
    /// Layer 2 weight gradient `Δ₂·Hᵀ`: 10×32 · 32×128.
    WeightGradient2,
    /// Layer 2 input gradient `W₂ᵀ·Δ₂`: 128×10 · 10×32.
    InputGradient2,
}

impl Product {
    /// Every product, in the order of a training step.
    pub const ALL: [Product; 6] = [
        Product::Forward1,
        Product::Forward2,
        Product::InputGradient2,
        Product::WeightGradient2,
        Product::WeightGradient1,
        Product::InputGradient1,
    ];

    /// `(m, k, n)`: the product is `m×k · k×n`.
    pub fn shape(self) -> (usize, usize, usize) {
        match self {
            Product::Forward1 => (128, 784, BATCH),
            Product::WeightGradient1 => (128, BATCH, 784),
            Product::InputGradient1 => (784, 128, BATCH),
            Product::Forward2 => (10, 128, BATCH),
            Product::WeightGradient2 => (10, BATCH, 128),
            Product::InputGradient2 => (128, 10, BATCH),
        }
    }

    /// A short name: what it computes and its shape.
    pub fn label(self) -> String {
        let (m, k, n) = self.shape();
        let what = match self {
            Product::Forward1 => "fwd W1·X",
            Product::WeightGradient1 => "dW1 = Δ1·Xᵀ",
            Product::InputGradient1 => "dX = W1ᵀ·Δ1 (skipped in training)",
            Product::Forward2 => "fwd W2·H",
            Product::WeightGradient2 => "dW2 = Δ2·Hᵀ",
            Product::InputGradient2 => "dH = W2ᵀ·Δ2",
        };
        format!("{what}: {m}×{k} · {k}×{n}")
    }

    /// The product's floating-point operations, `2·m·k·n`.
    pub fn flops(self) -> f64 {
        let (m, k, n) = self.shape();
        2.0 * (m * k * n) as f64
    }
}

/// A read operand of `sgemm`: its values, row stride and column stride.
type Operand<'a> = (&'a [f32], isize, isize);

/// The written operand of `sgemm`: its values, row stride and column stride.
type OperandMut<'a> = (&'a mut [f32], isize, isize);

/// The operands of every N3 [`Product`], random, for both our kernels and `matrixmultiply`.
pub struct N3Products {
    layer1: Dense<f32, 128, 784>,
    layer2: Dense<f32, 10, 128>,
    gradient1: Dense<f32, 128, 784>,
    gradient2: Dense<f32, 10, 128>,
    x: BatchMatrix<f32, 784>,
    h: BatchMatrix<f32, 128>,
    z1: BatchMatrix<f32, 128>,
    z2: BatchMatrix<f32, 10>,
    delta1: BatchMatrix<f32, 128>,
    delta2: BatchMatrix<f32, 10>,
    dx: BatchMatrix<f32, 784>,
    dh: BatchMatrix<f32, 128>,
}

impl Default for N3Products {
    fn default() -> Self {
        Self::new()
    }
}

impl N3Products {
    /// Random weights and batches of 32.
    pub fn new() -> Self {
        let mut rng = StdRng::seed_from_u64(SEED + 3);
        let mut batch = |rows: usize| -> Vec<f32> {
            (0..rows * BATCH)
                .map(|_| rng.random_range(-1.0..1.0))
                .collect()
        };
        let mut x = BatchMatrix::zeros(BATCH);
        x.as_mut_slice().copy_from_slice(&batch(784));
        let mut h = BatchMatrix::zeros(BATCH);
        h.as_mut_slice().copy_from_slice(&batch(128));
        let mut delta1 = BatchMatrix::zeros(BATCH);
        delta1.as_mut_slice().copy_from_slice(&batch(128));
        let mut delta2 = BatchMatrix::zeros(BATCH);
        delta2.as_mut_slice().copy_from_slice(&batch(10));
        let mut rng = StdRng::seed_from_u64(SEED + 31);
        Self {
            layer1: Dense::random(Initializer::HeUniform, Initializer::Zeros, &mut rng),
            layer2: Dense::random(Initializer::GlorotUniform, Initializer::Zeros, &mut rng),
            gradient1: Dense::zeros(),
            gradient2: Dense::zeros(),
            x,
            h,
            z1: BatchMatrix::zeros(BATCH),
            z2: BatchMatrix::zeros(BATCH),
            delta1,
            delta2,
            dx: BatchMatrix::zeros(BATCH),
            dh: BatchMatrix::zeros(BATCH),
        }
    }

    /// Runs `product` with `nn::kernels` (which also add the bias on forward and sum the bias
    /// gradient with a weight gradient, as training does).
    pub fn ours(&mut self, product: Product) {
        match product {
            Product::Forward1 => dense_forward(&self.layer1, &self.x, &mut self.z1),
            Product::WeightGradient1 => {
                dense_parameter_gradient(&mut self.gradient1, &self.x, &self.delta1)
            }
            Product::InputGradient1 => {
                dense_input_gradient(&self.layer1, &self.delta1, &mut self.dx)
            }
            Product::Forward2 => dense_forward(&self.layer2, &self.h, &mut self.z2),
            Product::WeightGradient2 => {
                dense_parameter_gradient(&mut self.gradient2, &self.h, &self.delta2)
            }
            Product::InputGradient2 => {
                dense_input_gradient(&self.layer2, &self.delta2, &mut self.dh)
            }
        }
    }

    /// Runs `product` with `matrixmultiply::sgemm` on the same column-major operands (a
    /// transposed operand is passed by swapping its strides, never copied).
    pub fn reference(&mut self, product: Product) {
        let ((m, k, n), a, b, c) = self.operands(product);
        // SAFETY: each slice holds its whole operand (checked by `operands`) and the strides
        // address exactly the column-major (or, swapped, transposed) layout of that many values;
        // `c` is a unique borrow that overlaps neither input.
        unsafe {
            matrixmultiply::sgemm(
                m,
                k,
                n,
                1.0,
                a.0.as_ptr(),
                a.1,
                a.2,
                b.0.as_ptr(),
                b.1,
                b.2,
                0.0,
                c.0.as_mut_ptr(),
                c.1,
                c.2,
            );
        }
    }

    /// Runs `product` with the `gemm` crate (faer's kernels, single-threaded) on the same
    /// operands as [`reference`](Self::reference).
    pub fn gemm(&mut self, product: Product) {
        let ((m, k, n), a, b, c) = self.operands(product);
        // SAFETY: as in `reference`; `gemm` takes column stride before row stride, and with
        // `read_dst` false it writes `c` without reading it.
        unsafe {
            gemm::gemm(
                m,
                n,
                k,
                c.0.as_mut_ptr(),
                c.2,
                c.1,
                false,
                a.0.as_ptr(),
                a.2,
                a.1,
                b.0.as_ptr(),
                b.2,
                b.1,
                0.0f32,
                1.0f32,
                false,
                false,
                false,
                gemm::Parallelism::None,
            );
        }
    }

    /// The shape `(m, k, n)` and operands (values, row stride, column stride) of `product`:
    /// `A` (m×k), `B` (k×n) and `C` (m×n), each slice checked to hold its whole operand.
    fn operands(
        &mut self,
        product: Product,
    ) -> (
        (usize, usize, usize),
        Operand<'_>,
        Operand<'_>,
        OperandMut<'_>,
    ) {
        let (m, k, n) = product.shape();
        let (a, b, c): (Operand<'_>, Operand<'_>, OperandMut<'_>) = match product {
            Product::Forward1 => (
                (self.layer1.weight.as_slice(), 1, 128),
                (self.x.as_slice(), 1, 784),
                (self.z1.as_mut_slice(), 1, 128),
            ),
            Product::WeightGradient1 => (
                (self.delta1.as_slice(), 1, 128),
                (self.x.as_slice(), 784, 1),
                (self.gradient1.weight.as_mut_slice(), 1, 128),
            ),
            Product::InputGradient1 => (
                (self.layer1.weight.as_slice(), 128, 1),
                (self.delta1.as_slice(), 1, 128),
                (self.dx.as_mut_slice(), 1, 784),
            ),
            Product::Forward2 => (
                (self.layer2.weight.as_slice(), 1, 10),
                (self.h.as_slice(), 1, 128),
                (self.z2.as_mut_slice(), 1, 10),
            ),
            Product::WeightGradient2 => (
                (self.delta2.as_slice(), 1, 10),
                (self.h.as_slice(), 128, 1),
                (self.gradient2.weight.as_mut_slice(), 1, 10),
            ),
            Product::InputGradient2 => (
                (self.layer2.weight.as_slice(), 10, 1),
                (self.delta2.as_slice(), 1, 10),
                (self.dh.as_mut_slice(), 1, 128),
            ),
        };
        assert!(a.0.len() >= m * k && b.0.len() >= k * n && c.0.len() >= m * n);
        ((m, k, n), a, b, c)
    }

    /// The largest difference between our kernels' result for `product` and `reference`'s
    /// (forward results without the bias), as a sanity check of the comparison.
    pub fn max_difference(&mut self, product: Product, reference: fn(&mut Self, Product)) -> f32 {
        self.ours(product);
        let ours = self.output(product).to_vec();
        reference(self, product);
        let bias: &[f32] = match product {
            Product::Forward1 => self.layer1.bias.as_slice(),
            Product::Forward2 => self.layer2.bias.as_slice(),
            _ => &[],
        };
        let reference = self.output(product);
        ours.iter()
            .zip(reference)
            .enumerate()
            .map(|(i, (o, r))| {
                let b = if bias.is_empty() {
                    0.0
                } else {
                    bias[i % bias.len()]
                };
                (o - b - r).abs()
            })
            .fold(0.0, f32::max)
    }

    /// The output buffer of `product`.
    fn output(&self, product: Product) -> &[f32] {
        match product {
            Product::Forward1 => self.z1.as_slice(),
            Product::WeightGradient1 => self.gradient1.weight.as_slice(),
            Product::InputGradient1 => self.dx.as_slice(),
            Product::Forward2 => self.z2.as_slice(),
            Product::WeightGradient2 => self.gradient2.weight.as_slice(),
            Product::InputGradient2 => self.dh.as_slice(),
        }
    }
}

/// One dense layer's weight gradient over a batch of [`BATCH`] and the Adam step of its weights,
/// with the update fused into the gradient or run after it: what the fused update saves.
pub struct LayerUpdate<const OUT: usize, const IN: usize> {
    layer: Dense<f32, OUT, IN>,
    gradient: Dense<f32, OUT, IN>,
    x: BatchMatrix<f32, IN>,
    delta: BatchMatrix<f32, OUT>,
    adam: Adam,
}

/// The fused update of [`LayerUpdate`]: Adam's element-wise step on each block.
struct AdamBlocks<U>(U);

impl<U: nn::ElementwiseUpdate<f32>> nn::FusedUpdate<f32> for AdamBlocks<U> {
    fn claim(&mut self, _tensor: usize) -> bool {
        true
    }

    unsafe fn update(
        &self,
        _piece: usize,
        _tensor: usize,
        start: usize,
        p: &mut [f32],
        g: &mut [f32],
    ) {
        // SAFETY: forwarded from the caller, who vouches for it.
        unsafe { self.0.update(nn::TensorKind::Weight, p, g, start) }
    }
}

impl<const OUT: usize, const IN: usize> LayerUpdate<OUT, IN> {
    /// Random weights, inputs and output gradients.
    pub fn new() -> Self {
        let mut rng = StdRng::seed_from_u64(SEED + 6);
        let mut random = |values: &mut [f32], scale: f32| {
            values
                .iter_mut()
                .for_each(|v| *v = scale * normal(&mut rng));
        };
        let mut layer = Dense::<f32, OUT, IN>::zeros();
        random(layer.weight.as_mut_slice(), 0.05);
        let mut x = BatchMatrix::zeros(BATCH);
        random(x.as_mut_slice(), 1.0);
        let mut delta = BatchMatrix::zeros(BATCH);
        random(delta.as_mut_slice(), 1e-3);
        let mut adam = Adam::new(1e-3);
        adam.prepare::<f32>(OUT * IN);
        Self {
            layer,
            gradient: Dense::zeros(),
            x,
            delta,
            adam,
        }
    }

    /// The gradient, then Adam's update of the weights in a pass of its own.
    pub fn after(&mut self) {
        self.adam.begin_step();
        dense_parameter_gradient(&mut self.gradient, &self.x, &self.delta);
        let (weights, gradients) = (
            self.layer.weight.as_mut_slice(),
            self.gradient.weight.as_slice(),
        );
        self.adam
            .update(nn::TensorKind::Weight, weights, gradients, 0);
    }

    /// The gradient with Adam's update of each block as it is computed.
    pub fn fused(&mut self) {
        self.adam.begin_step();
        let rule = self
            .adam
            .elementwise::<f32>()
            .expect("Adam updates element-wise");
        let update = &mut AdamBlocks(rule);
        let (layer, gradient) = (&mut self.layer, &mut self.gradient);
        nn::kernels::dense_parameter_gradient_updating(
            layer,
            gradient,
            &self.x,
            &self.delta,
            update,
            0,
        );
    }
}
