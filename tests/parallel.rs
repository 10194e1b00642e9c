//! Training on several threads, which share each step: the same weights as one thread, bit for
//! bit, where no product is large enough to split; within rounding where the forward pass of a
//! large layer sums the threads' parts; always the same for a seed and a thread count.

use nn::prelude::*;
use nn::rand::RngExt;

network! {
    struct Plain: Input<16> -> Dense<32, Tanh> -> Dense<4, Softmax>;
    struct WithDropout: Input<16> -> Dense<32, Relu> -> Dropout<0.3> -> Dense<4, Softmax>;
    /// A first layer of 32 768 weights: large enough for its products and its optimizer update
    /// to be split across the threads.
    struct Wide: Input<16> -> Dense<2048, Relu> -> Dense<4, Softmax>;
}

fn data() -> Dataset<f32, 16, 4> {
    let mut rng = StdRng::seed_from_u64(21);
    let inputs: Vec<[f32; 16]> = (0..200)
        .map(|_| core::array::from_fn(|_| rng.random_range(-1.0..1.0)))
        .collect();
    let labels: Vec<usize> = inputs
        .iter()
        .map(|x| usize::from(x[0] > 0.0) + 2 * usize::from(x[1] > 0.0))
        .collect();
    Dataset::from_labels(&inputs, &labels).unwrap()
}

fn train<N: Network<16, 4, Scalar = f32> + Clone>(
    net: &N,
    threads: usize,
    shuffle: bool,
) -> (N, History)
where
    SoftmaxCrossEntropy: nn::Loss<N::OutputActivation>,
{
    train_with(net, shuffle, |trainer| trainer.threads(threads))
}

/// Five epochs of `net` in batches of 33 on [`data`], the trainer's threads set by `threads`.
fn train_with<N: Network<16, 4, Scalar = f32> + Clone>(
    net: &N,
    shuffle: bool,
    threads: impl FnOnce(
        Trainer<'static, Adam, SoftmaxCrossEntropy>,
    ) -> Trainer<'static, Adam, SoftmaxCrossEntropy>,
) -> (N, History)
where
    SoftmaxCrossEntropy: nn::Loss<N::OutputActivation>,
{
    let mut net = net.clone();
    let trainer = Trainer::new(Adam::new(1e-2), SoftmaxCrossEntropy)
        .batch_size(33)
        .epochs(5)
        .shuffle(shuffle)
        .seed(4)
        .progress(false);
    let history = threads(trainer).fit(&mut net, &data()).unwrap();
    (net, history)
}

/// Asserts that two runs' epoch losses agree within `loss_tolerance` (relative) and their
/// `weights` within `weight_tolerance` (absolute).
fn assert_runs_agree(
    histories: [&History; 2],
    loss_tolerance: f64,
    weights: [&[f32]; 2],
    weight_tolerance: f32,
) {
    for (a, b) in histories[0].train_losses().zip(histories[1].train_losses()) {
        assert!(
            (a - b).abs() <= loss_tolerance * a.abs(),
            "losses {a} and {b}"
        );
    }
    let max_difference = weights[0]
        .iter()
        .zip(weights[1])
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(
        max_difference < weight_tolerance,
        "weights differ by {max_difference}"
    );
}

#[test]
fn small_layers_train_bit_for_bit_alike_on_any_thread_count() {
    let net = Plain::new(&mut StdRng::seed_from_u64(1));
    let (one, one_history) = train(&net, 1, true);
    let (two, two_history) = train(&net, 2, true);
    assert_eq!(one, two);
    assert_eq!(one_history.epochs, two_history.epochs);
    assert!(one_history.last().unwrap().train_loss < one_history.epochs[0].train_loss);
}

#[test]
fn dropout_draws_the_same_masks_on_any_thread_count() {
    let net = WithDropout::new(&mut StdRng::seed_from_u64(2));
    let (first, _) = train(&net, 2, true);
    let (second, _) = train(&net, 2, true);
    assert_eq!(first, second);
    let (one, _) = train(&net, 1, true);
    let (three, _) = train(&net, 3, true);
    assert_eq!(first, one);
    assert_eq!(first, three);
    assert_ne!(first, net, "the weights moved");
}

#[test]
fn a_layer_long_enough_to_split_its_update_trains_alike_on_one_and_two_threads() {
    let net = Wide::new(&mut StdRng::seed_from_u64(3));
    let (one, one_history) = train(&net, 1, true);
    let (two, two_history) = train(&net, 2, true);
    let weights = [one.dense1.weight.as_slice(), two.dense1.weight.as_slice()];
    assert_runs_agree([&one_history, &two_history], 1e-4, weights, 1e-3);
    assert_ne!(one.dense1.weight, net.dense1.weight, "the weights moved");
    let (again, _) = train(&net, 2, true);
    assert_eq!(two, again, "two threads are deterministic");
}

#[test]
fn the_history_records_the_thread_count() {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let wide = Wide::new(&mut StdRng::seed_from_u64(5));
    assert_eq!(train(&wide, 1, true).1.threads, 1);
    assert_eq!(train(&wide, 2, true).1.threads, 2.min(cores));
    // More threads than cores run on the cores.
    assert_eq!(train(&wide, cores + 1, true).1.threads, cores);
    // Nothing in a small network is worth sharing: it runs on one thread.
    let plain = Plain::new(&mut StdRng::seed_from_u64(5));
    assert_eq!(train(&plain, 3, true).1.threads, 1);
}

#[test]
fn auto_threads_trains_exactly_as_the_thread_count_it_chose() {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let wide = Wide::new(&mut StdRng::seed_from_u64(6));
    let (auto, auto_history) = train_with(&wide, true, |trainer| trainer.auto_threads());
    assert!(
        auto_history.threads == 1 || auto_history.threads == cores,
        "auto chose {} threads on {cores} cores",
        auto_history.threads
    );
    let (fixed, fixed_history) = train(&wide, auto_history.threads, true);
    assert_eq!(auto, fixed, "the same weights as the count it chose");
    assert_eq!(auto_history.epochs, fixed_history.epochs);
    // Asked again in this process, it gives the same answer without measuring.
    assert_eq!(
        train_with(&wide, true, |trainer| trainer.auto_threads())
            .1
            .threads,
        auto_history.threads
    );
}

#[test]
fn auto_threads_keeps_a_network_with_nothing_to_share_on_one_thread() {
    let net = Plain::new(&mut StdRng::seed_from_u64(7));
    let (_, history) = train_with(&net, true, |trainer| trainer.auto_threads());
    assert_eq!(history.threads, 1);
    let (_, history) = train_with(&net, true, |trainer| trainer.auto_threads().batch_size(1));
    assert_eq!(history.threads, 1);
}
