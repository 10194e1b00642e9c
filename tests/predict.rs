//! Batched prediction: the outputs of evaluation's batched forward pass to the bit whatever the
//! batch capacity, and of `forward` per sample (to the bit where the kernels are the same, within
//! roundoff where the SIMD kernels sum in another order: see [`assert_forward`]); classes,
//! probabilities, typed errors, and no heap allocation once a predictor is set up (counted per
//! thread, as in `tests/allocations.rs`).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use nn::prelude::*;
use nn::{Float, PredictError};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards every call to the system allocator unchanged.
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
    /// Layers of at most 32 weights, which every CPU computes with the portable kernels.
    struct Small: Input<4> -> Dense<8, Tanh> -> Dropout<0.5> -> Dense<3, Softmax>;
    struct Small64<f64>: Input<3> -> Dense<8, Relu> -> Dropout<0.3> -> Dense<4, Softmax>;
    struct SmallNorm<f64>: Input<4> -> Dense<6> -> BatchNorm<Relu> -> Dense<5, Silu> -> LayerNorm
        -> Dense<2>;
    /// Layers large enough for the SIMD kernels, with dropout (off in inference).
    struct Classifier: Input<40> -> Dense<24, Relu> -> Dropout<0.3> -> Dense<5, Softmax>;
    struct Classifier64<f64>: Input<40> -> Dense<24, Tanh> -> Dropout<0.5> -> Dense<5, Softmax>;
    /// The N3 network of the benchmarks.
    struct Mnist: Input<784> -> Dense<128, Relu> -> Dense<10, Softmax>;
    struct Binary: Input<6> -> Dense<8, Tanh> -> Dense<1, Sigmoid>;
    struct MultiLabel<f64>: Input<6> -> Dropout<0.2> -> Dense<16, Gelu> -> Dense<3, Sigmoid>;
    struct Regressor<f64>: Input<12> -> Dense<16> -> BatchNorm<Relu> -> Dense<8, Silu>
        -> LayerNorm -> Dense<2>;
}

/// `count` deterministic inputs of width `IN`, spread over about [−2, 2].
fn inputs<T: Float, const IN: usize>(count: usize, seed: usize) -> Vec<[T; IN]> {
    (0..count)
        .map(|s| {
            core::array::from_fn(|i| {
                let phase = ((s * 31 + i * 17 + seed * 7) % 97) as f64;
                T::of_f64((phase * 0.37).sin() * 2.0)
            })
        })
        .collect()
}

/// The outputs of one `forward_batch` over all of `inputs`: what evaluation computes.
fn one_batch<N, const IN: usize, const OUT: usize>(
    net: &N,
    inputs: &[[N::Scalar; IN]],
) -> Vec<[N::Scalar; OUT]>
where
    N: Network<IN, OUT>,
{
    let columns: Vec<SVector<N::Scalar, IN>> = inputs.iter().map(|&x| x.into()).collect();
    let mut workspace = N::workspace(inputs.len());
    let output = net.forward_batch(&BatchMatrix::from_columns(&columns), &mut workspace);
    output
        .columns_iter()
        .map(|column| column.try_into().unwrap())
        .collect()
}

/// Asserts each output is `forward` of its input: to the bit when `exact`, otherwise within
/// 64 units of roundoff of `max(|forward|, 1)` (the terms summed are of order 1, and a small
/// output of a regression has cancelled most of them).
///
/// The SIMD kernels of a layer with more than 32 weights (on x86-64 with AVX2 and FMA) sum a
/// single sample's products in several interleaved chains, to hide the latency of each FMA, and a
/// batch's in one chain per value (its many columns hide the latency): the two round differently,
/// by a few units in the last place. The portable kernels, which every layer of at most 32 weights
/// takes, compute a batch one sample at a time, to the bit as `forward` does.
fn assert_forward<N, const IN: usize, const OUT: usize>(
    net: &N,
    inputs: &[[N::Scalar; IN]],
    outputs: &[[N::Scalar; OUT]],
    exact: bool,
) where
    N: Network<IN, OUT>,
{
    assert_eq!(inputs.len(), outputs.len());
    let roundoff = if N::Scalar::NAME == "f32" {
        f64::from(f32::EPSILON)
    } else {
        f64::EPSILON
    };
    for (sample, (input, output)) in inputs.iter().zip(outputs).enumerate() {
        let single = net.forward(&SVector::from(*input));
        for (i, (&batched, &single)) in output.iter().zip(single.iter()).enumerate() {
            let (batched, single) = (batched.as_f64(), single.as_f64());
            let tolerance = if exact {
                0.0
            } else {
                64.0 * roundoff * single.abs().max(1.0)
            };
            assert!(
                (batched - single).abs() <= tolerance && batched.is_finite(),
                "{}: sample {sample}, output {i}: batched {batched:e}, forward {single:e}",
                N::NAME
            );
        }
    }
}

/// Predicts `inputs` with predictors of several capacities (one that divides the count, several
/// that do not, one larger than it): each gives the bits of one batch over all the inputs, and
/// `forward`'s as [`assert_forward`] checks them.
fn check_every_capacity<N, const IN: usize, const OUT: usize>(
    net: &N,
    inputs: &[[N::Scalar; IN]],
    exact: bool,
) where
    N: Network<IN, OUT>,
{
    let zero = <N::Scalar as Default>::default();
    let evaluated = one_batch(net, inputs);
    for capacity in [1, 7, 16, 64, 256] {
        let mut predictor = Predictor::<N, IN, OUT>::with_capacity(capacity).unwrap();
        assert_eq!(predictor.capacity(), capacity);
        let mut outputs = vec![[zero; OUT]; inputs.len()];
        predictor.predict(net, inputs, &mut outputs).unwrap();
        assert!(
            outputs == evaluated,
            "{}: capacity {capacity} differs from one batch",
            N::NAME
        );
        assert_forward(net, inputs, &outputs, exact);
    }
}

/// Running statistics away from 0 and 1, so that inference mode shows.
fn with_running_statistics<N: Tensors<f64>>(mut net: N) -> N {
    net.for_each_tensor_mut(|kind, values| match kind {
        nn::TensorKind::RunningMean => values.fill(0.3),
        nn::TensorKind::RunningVariance => values.fill(2.0),
        _ => {}
    });
    net
}

#[test]
fn small_layers_predict_forward_to_the_bit_in_f32_and_f64() {
    let small = Small::new(&mut StdRng::seed_from_u64(1));
    check_every_capacity(&small, &inputs::<f32, 4>(103, 0), true);
    let small64 = Small64::new(&mut StdRng::seed_from_u64(2));
    check_every_capacity(&small64, &inputs::<f64, 3>(103, 1), true);
    let norm = with_running_statistics(SmallNorm::new(&mut StdRng::seed_from_u64(3)));
    check_every_capacity(&norm, &inputs::<f64, 4>(103, 2), true);
}

#[test]
fn large_layers_predict_one_batch_to_the_bit_and_forward_within_roundoff() {
    let classifier = Classifier::new(&mut StdRng::seed_from_u64(4));
    check_every_capacity(&classifier, &inputs::<f32, 40>(103, 3), false);
    let precise = Classifier64::new(&mut StdRng::seed_from_u64(5));
    check_every_capacity(&precise, &inputs::<f64, 40>(103, 4), false);
    let mnist = Mnist::new(&mut StdRng::seed_from_u64(6));
    check_every_capacity(&mnist, &inputs::<f32, 784>(37, 5), false);
    let regressor = with_running_statistics(Regressor::new(&mut StdRng::seed_from_u64(7)));
    check_every_capacity(&regressor, &inputs::<f64, 12>(50, 6), false);
    let multi_label = MultiLabel::new(&mut StdRng::seed_from_u64(8));
    check_every_capacity(&multi_label, &inputs::<f64, 6>(50, 7), false);
}

#[test]
fn a_dataset_whose_length_is_not_a_multiple_of_the_capacity() {
    let net = Classifier::new(&mut StdRng::seed_from_u64(6));
    let samples = inputs::<f32, 40>(300, 5);
    let labels: Vec<usize> = (0..samples.len()).map(|i| i % 5).collect();
    let data = Dataset::from_labels(&samples, &labels).unwrap();
    let mut predictor = Predictor::new();
    assert_eq!(predictor.capacity(), 256);
    let mut outputs = vec![[0.0; 5]; data.len()];
    predictor
        .predict_dataset(&net, &data, &mut outputs)
        .unwrap();
    assert!(outputs == one_batch(&net, data.inputs()));
    assert_forward(&net, data.inputs(), &outputs, false);
    assert_eq!(nn::predict(&net, data.inputs()).unwrap(), outputs);
}

#[test]
fn classes_are_the_argmax_of_the_outputs() {
    let net = Classifier::new(&mut StdRng::seed_from_u64(7));
    let samples = inputs::<f32, 40>(90, 6);
    let mut classes = vec![usize::MAX; samples.len()];
    let mut predictor = Predictor::with_capacity(32).unwrap();
    predictor
        .predict_classes(&net, &samples, &mut classes)
        .unwrap();
    let outputs = nn::predict(&net, &samples).unwrap();
    for (output, &class) in outputs.iter().zip(&classes) {
        assert_eq!(class, nn::train::argmax(output));
        assert!(output.iter().all(|&p| p <= output[class]));
    }
    // Not all one class, or the check would be weak.
    assert!(classes.iter().any(|&c| c != classes[0]));
    assert_eq!(nn::predict_classes(&net, &samples).unwrap(), classes);
}

#[test]
fn a_single_sigmoid_output_is_classified_by_the_half_threshold() {
    let net = Binary::new(&mut StdRng::seed_from_u64(8));
    let samples = inputs::<f32, 6>(64, 7);
    let classes = nn::predict_classes(&net, &samples).unwrap();
    let outputs = nn::predict(&net, &samples).unwrap();
    for (output, &class) in outputs.iter().zip(&classes) {
        assert_eq!(class, usize::from(output[0] > 0.5));
    }
    assert!(classes.contains(&0) && classes.contains(&1), "{classes:?}");
}

#[test]
fn probabilities_of_softmax_outputs_sum_to_one_and_sigmoid_outputs_lie_in_between() {
    let net = Classifier64::new(&mut StdRng::seed_from_u64(9));
    let samples = inputs::<f64, 40>(70, 8);
    let mut probabilities = vec![[0.0; 5]; samples.len()];
    Predictor::new()
        .predict_probabilities(&net, &samples, &mut probabilities)
        .unwrap();
    for p in &probabilities {
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-14, "{p:?}");
        assert!(p.iter().all(|&p| p > 0.0 && p < 1.0));
    }
    assert!(probabilities == one_batch(&net, &samples));
    assert_eq!(
        nn::predict_probabilities(&net, &samples).unwrap(),
        probabilities
    );

    let multi_label = MultiLabel::new(&mut StdRng::seed_from_u64(10));
    let labels = nn::predict_probabilities(&multi_label, &inputs::<f64, 6>(20, 9)).unwrap();
    assert!(labels.iter().flatten().all(|&p| p > 0.0 && p < 1.0));
}

#[test]
fn mismatched_counts_and_values_that_are_not_finite_are_typed_errors() {
    let net = Classifier::new(&mut StdRng::seed_from_u64(11));
    let mut samples = inputs::<f32, 40>(20, 10);
    let mut predictor = Predictor::with_capacity(8).unwrap();
    let mut outputs = vec![[0.0; 5]; 19];
    assert_eq!(
        predictor.predict(&net, &samples, &mut outputs),
        Err(PredictError::CountMismatch {
            inputs: 20,
            outputs: 19
        })
    );
    let mut classes = vec![0; 21];
    let error = predictor
        .predict_classes(&net, &samples, &mut classes)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "20 inputs but room for 21 results, expected as many of each"
    );

    // In the second batch of 8, so that the index counts from the first input.
    samples[13][5] = f32::NAN;
    let mut outputs = vec![[0.0; 5]; 20];
    let error = predictor.predict(&net, &samples, &mut outputs).unwrap_err();
    assert!(matches!(
        error,
        PredictError::NotFinite {
            sample: 13,
            column: 5,
            value
        } if value.is_nan()
    ));
    assert_eq!(
        error.to_string(),
        "input 13, column 5 is NaN, expected a finite number"
    );
    // The first batch was written, the failing one and the rest were not.
    assert_eq!(outputs[..8], nn::predict(&net, &samples[..8]).unwrap());
    assert!(outputs[8..].iter().all(|o| *o == [0.0; 5]));

    samples[13][5] = 0.0;
    samples[19][39] = f32::NEG_INFINITY;
    assert_eq!(
        nn::predict(&net, &samples),
        Err(PredictError::NotFinite {
            sample: 19,
            column: 39,
            value: f64::NEG_INFINITY
        })
    );
    assert_eq!(
        Predictor::<Classifier, 40, 5>::with_capacity(0).err(),
        Some(PredictError::ZeroCapacity)
    );
    // No inputs: nothing to do, and no error.
    assert_eq!(nn::predict(&net, &[]), Ok(Vec::new()));
}

#[test]
fn predicting_allocates_nothing_after_setup() {
    let classifier = Classifier::new(&mut StdRng::seed_from_u64(12));
    let mnist = Mnist::new(&mut StdRng::seed_from_u64(13));
    let regressor = Regressor::new(&mut StdRng::seed_from_u64(14));
    let (small, large, normalized) = (
        inputs::<f32, 40>(300, 11),
        inputs::<f32, 784>(70, 12),
        inputs::<f64, 12>(300, 13),
    );
    let mut predictors = (
        Predictor::new(),
        Predictor::with_capacity(32).unwrap(),
        Predictor::with_capacity(64).unwrap(),
    );
    let mut outputs = (
        vec![[0.0f32; 5]; small.len()],
        vec![[0.0f32; 10]; large.len()],
        vec![[0.0f64; 2]; normalized.len()],
    );
    let mut classes = vec![0; 300];
    let (count, results) = allocations(|| {
        [
            predictors.0.predict(&classifier, &small, &mut outputs.0),
            predictors
                .0
                .predict_classes(&classifier, &small, &mut classes),
            predictors
                .0
                .predict_probabilities(&classifier, &small, &mut outputs.0),
            predictors.1.predict(&mnist, &large, &mut outputs.1),
            predictors
                .1
                .predict_classes(&mnist, &large, &mut classes[..70]),
            predictors
                .2
                .predict(&regressor, &normalized, &mut outputs.2),
            // Errors allocate nothing either.
            predictors
                .0
                .predict(&classifier, &small[..3], &mut outputs.0),
        ]
    });
    assert_eq!(count, 0, "predicting allocated {count} times");
    assert!(results[..6].iter().all(Result::is_ok), "{results:?}");
    assert!(results[6].is_err());
}
