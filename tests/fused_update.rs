//! The fused update: a large layer's weights updated block by block during the backward pass,
//! as each block of their gradient is computed. It must give the same weights, bit for bit, as
//! updating every tensor whole after the backward pass, for every optimizer, with L1/L2
//! penalties and clipping, on one thread and on a team of two.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use nn::optim::OptimizerState;
use nn::prelude::*;
use nn::rand::RngExt;
use nn::{ElementwiseUpdate, HyperparameterError, TensorKind};

network! {
    /// A first layer of 32 768 weights over batches of 8: its products are large enough for its
    /// update to be fused.
    struct Wide: Input<16> -> Dense<2048, Relu> -> Dense<4, Softmax>;
    struct Wide64<f64>: Input<16> -> Dense<2048, Tanh> -> Dense<4, Softmax>;
}

/// The weights of the first layer, the only tensor large enough to be fused.
const FUSED_LEN: usize = 2048 * 16;
/// Samples per epoch and per batch: 50 steps an epoch, of which the 13 whose gradient norms are
/// measured for the layer history update every tensor after the backward pass.
const SAMPLES: usize = 400;
const BATCH: usize = 8;
const EPOCHS: usize = 2;

fn data<T: Float>() -> Dataset<T, 16, 4> {
    let mut rng = StdRng::seed_from_u64(21);
    let inputs: Vec<[T; 16]> = (0..SAMPLES)
        .map(|_| core::array::from_fn(|_| T::of_f64(rng.random_range(-1.0..1.0))))
        .collect();
    let labels: Vec<usize> = inputs
        .iter()
        .map(|x| usize::from(x[0] > T::zero()) + 2 * usize::from(x[1] > T::zero()))
        .collect();
    Dataset::from_labels(&inputs, &labels).unwrap()
}

/// `O` without its element-wise update: the trainer updates every tensor whole after the
/// backward pass.
#[derive(Clone)]
struct Unfused<O>(O);

/// `O`, counting the weights its fused update went through and the tensors of the first
/// layer's size it updated whole after the backward pass.
struct Counting<O> {
    inner: O,
    fused: Arc<AtomicUsize>,
    whole: Arc<AtomicUsize>,
}

/// An element-wise update that counts the values it updates.
struct CountingRule<'a, U> {
    rule: U,
    fused: &'a AtomicUsize,
}

impl<T, U: ElementwiseUpdate<T>> ElementwiseUpdate<T> for CountingRule<'_, U> {
    unsafe fn update(
        &self,
        kind: TensorKind,
        parameters: &mut [T],
        gradients: &[T],
        offset: usize,
    ) {
        assert_eq!(kind, TensorKind::Weight, "only dense weights are fused");
        self.fused.fetch_add(parameters.len(), Ordering::Relaxed);
        // SAFETY: forwarded from the caller, who vouches for it.
        unsafe { self.rule.update(kind, parameters, gradients, offset) }
    }
}

/// Implements [`Optimizer`] for a wrapper by delegating to its `inner` optimizer, with
/// `update` and `elementwise` given.
macro_rules! delegate {
    ($inner:tt) => {
        fn validate(&self) -> Result<(), HyperparameterError> {
            self.$inner.validate()
        }
        fn learning_rate(&self) -> f64 {
            self.$inner.learning_rate()
        }
        fn set_learning_rate(&mut self, lr: f64) {
            self.$inner.set_learning_rate(lr)
        }
        fn prepare<T: Float>(&mut self, parameters: usize) {
            self.$inner.prepare::<T>(parameters)
        }
        fn begin_step(&mut self) {
            self.$inner.begin_step()
        }
        fn state(&self) -> Option<OptimizerState> {
            self.$inner.state()
        }
    };
}

impl<O: Optimizer> Optimizer for Unfused<O> {
    delegate!(0);

    fn update<T: Float>(&mut self, kind: TensorKind, p: &mut [T], g: &[T], offset: usize) {
        self.0.update(kind, p, g, offset)
    }
}

impl<O: Optimizer> Optimizer for Counting<O> {
    delegate!(inner);

    fn update<T: Float>(&mut self, kind: TensorKind, p: &mut [T], g: &[T], offset: usize) {
        if p.len() == FUSED_LEN {
            self.whole.fetch_add(1, Ordering::Relaxed);
        }
        self.inner.update(kind, p, g, offset)
    }

    fn elementwise<T: Float>(&mut self) -> Option<impl ElementwiseUpdate<T>> {
        let fused = &*self.fused;
        let rule = self.inner.elementwise::<T>()?;
        Some(CountingRule { rule, fused })
    }
}

/// What differs between the runs compared: the trainer's penalty and clipping.
#[derive(Clone, Copy, Debug)]
enum Extras {
    None,
    Penalties,
    ClipValue,
    ClipNorm,
}

fn trainer<O: Optimizer>(
    optimizer: O,
    extras: Extras,
    threads: usize,
) -> Trainer<'static, O, SoftmaxCrossEntropy> {
    let trainer = Trainer::new(optimizer, SoftmaxCrossEntropy)
        .batch_size(BATCH)
        .epochs(EPOCHS)
        .seed(9)
        .threads(threads)
        .progress(false);
    match extras {
        Extras::None => trainer,
        Extras::Penalties => trainer.l1(1e-4).l2(1e-3),
        Extras::ClipValue => trainer.clip_grad_value(0.01),
        Extras::ClipNorm => trainer.clip_grad_norm(0.5),
    }
}

/// A dataset that `N` trains on, `f32` or `f64`.
trait Fit<N> {
    fn fit<O: Optimizer>(
        &self,
        trainer: Trainer<'static, O, SoftmaxCrossEntropy>,
        net: &mut N,
    ) -> History;
}

/// Implements [`Fit`] for the datasets of one element type.
macro_rules! fit {
    ($scalar:ty) => {
        impl<N: Network<16, 4, Scalar = $scalar>> Fit<N> for Dataset<$scalar, 16, 4>
        where
            SoftmaxCrossEntropy: nn::Loss<N::OutputActivation>,
        {
            fn fit<O: Optimizer>(
                &self,
                mut trainer: Trainer<'static, O, SoftmaxCrossEntropy>,
                net: &mut N,
            ) -> History {
                trainer.fit(net, self).unwrap()
            }
        }
    };
}

fit!(f32);
fit!(f64);

/// Trains `net` with `optimizer` fused and unfused on `threads` threads, asserts the same
/// weights bit for bit (and the same losses within 1e-12, the penalty being summed in `f64` by
/// blocks when fused), and returns how many weight values went through the fused update.
fn compare<N, O>(net: &N, optimizer: O, extras: Extras, threads: usize) -> usize
where
    N: Network<16, 4> + Clone + PartialEq + std::fmt::Debug,
    SoftmaxCrossEntropy: nn::Loss<N::OutputActivation>,
    O: Optimizer + Clone + std::fmt::Debug,
    Dataset<N::Scalar, 16, 4>: Fit<N>,
{
    let data = data::<N::Scalar>();
    let (fused, whole) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let counting = Counting {
        inner: optimizer.clone(),
        fused: fused.clone(),
        whole: whole.clone(),
    };
    let (mut a, mut b) = (net.clone(), net.clone());
    let history_a = data.fit(trainer(counting, extras, threads), &mut a);
    let history_b = data.fit(trainer(Unfused(optimizer.clone()), extras, threads), &mut b);
    let case = format!("{optimizer:?}, {extras:?}, {threads} threads");
    assert_eq!(a, b, "{case}: fused and unfused weights differ");
    assert_ne!(&a, net, "{case}: the weights moved");
    for (x, y) in history_a.train_losses().zip(history_b.train_losses()) {
        assert!(
            (x - y).abs() <= 1e-12 * x.abs(),
            "{case}: losses {x} and {y}"
        );
    }
    // Every step updated the first layer's weights once, fused or whole.
    let fused = fused.load(Ordering::Relaxed);
    let steps = EPOCHS * SAMPLES / BATCH;
    assert_eq!(fused % FUSED_LEN, 0, "{case}: a block was left out");
    assert_eq!(
        fused / FUSED_LEN + whole.load(Ordering::Relaxed),
        steps,
        "{case}"
    );
    fused
}

/// Every optimizer, in its variants, with each kind of penalty and clipping that fuses.
fn optimizers_fuse_bit_for_bit(threads: usize) {
    let net = Wide::new(&mut StdRng::seed_from_u64(3));
    let sgd = [
        Sgd::new(0.05),
        Sgd::new(0.05)
            .with_momentum(0.9)
            .with_nesterov(true)
            .with_weight_decay(1e-3),
        Sgd::new(0.05).with_momentum(0.8).with_dampening(0.3),
    ];
    let adam = [
        Adam::new(1e-3),
        Adam::new(1e-3).with_weight_decay(1e-2).with_amsgrad(true),
    ];
    let adamw = [AdamW::new(1e-3), AdamW::new(1e-3).with_amsgrad(true)];
    let rmsprop = [
        RmsProp::new(1e-3),
        RmsProp::new(1e-3)
            .with_centered(true)
            .with_momentum(0.9)
            .with_weight_decay(1e-3),
    ];
    for extras in [Extras::None, Extras::Penalties, Extras::ClipValue] {
        // Steps whose gradient norms are not measured fuse: 37 of an epoch's 50.
        let fused_steps = EPOCHS * 37;
        let expect = |fused: usize| assert_eq!(fused, fused_steps * FUSED_LEN, "{extras:?}");
        sgd.iter()
            .for_each(|o| expect(compare(&net, o.clone(), extras, threads)));
        adam.iter()
            .for_each(|o| expect(compare(&net, o.clone(), extras, threads)));
        adamw
            .iter()
            .for_each(|o| expect(compare(&net, o.clone(), extras, threads)));
        rmsprop
            .iter()
            .for_each(|o| expect(compare(&net, o.clone(), extras, threads)));
    }
}

#[test]
fn every_optimizer_fuses_bit_for_bit_on_one_thread() {
    optimizers_fuse_bit_for_bit(1);
}

#[test]
fn every_optimizer_fuses_bit_for_bit_on_two_threads() {
    optimizers_fuse_bit_for_bit(2);
}

#[test]
fn f64_networks_fuse_bit_for_bit() {
    let net = Wide64::new(&mut StdRng::seed_from_u64(4));
    for threads in [1, 2] {
        let fused = compare(&net, Adam::new(1e-3), Extras::Penalties, threads);
        assert!(fused > 0);
        let fused = compare(
            &net,
            Sgd::new(0.05).with_momentum(0.9),
            Extras::ClipValue,
            threads,
        );
        assert!(fused > 0);
    }
}

#[test]
fn clipping_by_norm_does_not_fuse() {
    let net = Wide::new(&mut StdRng::seed_from_u64(5));
    assert_eq!(compare(&net, Adam::new(1e-3), Extras::ClipNorm, 1), 0);
    assert_eq!(compare(&net, Adam::new(1e-3), Extras::ClipNorm, 2), 0);
}
