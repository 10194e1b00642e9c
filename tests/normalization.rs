//! Networks with `LayerNorm` and `BatchNorm`: training updates the running statistics and not
//! through the optimizer, inference normalizes by them, model files keep them, the summary
//! counts as Keras does, and the trainer refuses setups batch statistics cannot work with.

use nn::prelude::*;
use nn::{TensorKind, TrainError};

network! {
    pub struct Normalized: Input<6> -> Dense<16> -> BatchNorm<Relu> -> Dense<12, Gelu>
        -> LayerNorm -> Dense<3, Softmax>;
    pub struct Explicit: Input<6> -> Dense<16> -> BatchNorm<16, Relu, momentum = 0.2, eps = 1e-3>
        -> Dense<12, Gelu> -> LayerNorm<12> -> Dense<3, Softmax>;
}

/// Three classes by the sign pattern of two features, with the other features noise.
fn data(samples: usize) -> Dataset<f32, 6, 3> {
    let mut rng = StdRng::seed_from_u64(3);
    let inputs: Vec<[f32; 6]> = (0..samples)
        .map(|_| std::array::from_fn(|_| nn::rand::RngExt::random_range(&mut rng, -2.0..2.0)))
        .collect();
    let targets: Vec<[f32; 3]> = inputs
        .iter()
        .map(|x| {
            let class = if x[0] > 0.5 {
                0
            } else if x[1] > 0.0 {
                1
            } else {
                2
            };
            std::array::from_fn(|c| f32::from(c == class))
        })
        .collect();
    Dataset::from_arrays(&inputs, &targets).unwrap()
}

fn running_statistics(net: &Normalized) -> Vec<f32> {
    let mut values = Vec::new();
    net.for_each_tensor(|kind, tensor| {
        if !kind.is_trained() {
            values.extend_from_slice(tensor);
        }
    });
    values
}

#[test]
fn training_learns_and_moves_the_running_statistics_which_inference_uses() {
    let train = data(300);
    let mut net = Normalized::new(&mut StdRng::seed_from_u64(1));
    let start = running_statistics(&net);
    assert_eq!(start.len(), 32);
    assert!(start[..16].iter().all(|&m| m == 0.0) && start[16..].iter().all(|&v| v == 1.0));
    let history = Trainer::new(Adam::new(0.01), SoftmaxCrossEntropy)
        .epochs(15)
        .batch_size(20)
        .seed(4)
        .progress(false)
        .fit(&mut net, &train)
        .unwrap();
    let first = history.epochs[0].train_loss;
    let last = history.epochs.last().unwrap().train_loss;
    assert!(last < 0.5 * first, "did not learn: {first} → {last}");
    let moved = running_statistics(&net);
    assert!(moved.iter().zip(&start).all(|(a, b)| a != b));
    assert!(moved[16..].iter().all(|&v| v > 0.0));

    // Inference normalizes by the running statistics: changing them changes the outputs,
    // and the frozen type gives the same bits.
    let x = [0.9f32, -0.3, 0.1, 1.2, -1.5, 0.4];
    let frozen = net.freeze();
    assert_eq!(frozen.forward(&x), net.forward(&x));
    let accuracy = nn::evaluate(&net, &train, &SoftmaxCrossEntropy)
        .metrics
        .accuracy
        .unwrap();
    assert!(accuracy > 0.85, "accuracy {accuracy}");
    let mut shifted = net.clone();
    shifted.batchnorm1.running_mean[0] += 1.0;
    assert_ne!(shifted.forward(&x), net.forward(&x));
}

#[test]
fn the_optimizer_never_touches_the_running_statistics() {
    let mut net = Normalized::new(&mut StdRng::seed_from_u64(1));
    let mut visited = Vec::new();
    let mut gradients = <Normalized as Network<6, 3>>::gradients();
    net.update(&mut gradients, |kind, parameters, _| {
        visited.push((kind, parameters.len()))
    });
    assert_eq!(
        visited,
        [
            (TensorKind::Weight, 96),
            (TensorKind::Bias, 16),
            (TensorKind::Scale, 16),
            (TensorKind::Shift, 16),
            (TensorKind::Weight, 192),
            (TensorKind::Bias, 12),
            (TensorKind::Scale, 12),
            (TensorKind::Shift, 12),
            (TensorKind::Weight, 36),
            (TensorKind::Bias, 3),
        ]
    );
    assert_eq!(
        Normalized::PARAMETERS,
        visited.iter().map(|v| v.1).sum::<usize>()
    );
    assert_eq!(
        <Normalized as Tensors<f32>>::LEN,
        Normalized::PARAMETERS + 32
    );
}

#[test]
fn model_files_keep_scales_shifts_and_running_statistics() {
    let mut net = Normalized::new(&mut StdRng::seed_from_u64(2));
    let mut i = 0.0f32;
    net.for_each_tensor_mut(|_, values| {
        for v in values {
            i += 1.0;
            *v = (i * 0.37).sin().abs() + 0.1;
        }
    });
    let binary = nn::model::to_bytes(&net).unwrap();
    assert_eq!(
        nn::model::from_bytes::<Normalized, 6, 3>(&binary).unwrap(),
        net
    );
    let json = nn::model::to_json_string(&net).unwrap();
    assert!(json.contains("\"kind\": \"batch_norm\"") && json.contains("\"running_var\""));
    assert_eq!(
        nn::model::from_json_str::<Normalized, 6, 3>(&json).unwrap(),
        net
    );
    // The same layers under another network's name: a file of `Normalized` is refused.
    let other = nn::model::from_bytes::<Explicit, 6, 3>(&binary).unwrap_err();
    assert_eq!(
        other.to_string(),
        "the model file holds network `Normalized`, expected `Explicit`"
    );
}

#[test]
fn the_summary_counts_running_statistics_as_non_trainable_parameters() {
    let summary = Normalized::summary().to_string();
    assert!(
        summary.contains("batchnorm1 (BatchNorm, Relu)"),
        "{summary}"
    );
    assert!(summary.contains("layernorm1 (LayerNorm)"), "{summary}");
    // Keras: BatchNormalization(16) has 64 parameters, 32 of them non-trainable.
    let total = Normalized::PARAMETERS + 32;
    let grouped = |n: usize| {
        let s = n.to_string();
        if s.len() > 3 {
            format!("{},{}", &s[..s.len() - 3], &s[s.len() - 3..])
        } else {
            s
        }
    };
    assert!(
        summary.contains(&format!("Total params: {}", grouped(total))),
        "{summary}"
    );
    assert!(
        summary.contains(&format!(
            "Trainable params: {}",
            grouped(Normalized::PARAMETERS)
        )),
        "{summary}"
    );
    assert!(summary.contains("Non-trainable params: 32"), "{summary}");
    assert_eq!(
        Normalized::PARAMETERS,
        96 + 16 + 32 + 192 + 12 + 24 + 36 + 3
    );
}

#[test]
fn a_batch_of_one_sample_is_refused_and_several_threads_train_as_one() {
    let train = data(41);
    let net = Normalized::new(&mut StdRng::seed_from_u64(1));
    let fit = |trainer: Trainer<'_, Adam, SoftmaxCrossEntropy>| {
        let mut copy = net.clone();
        let result = trainer.progress(false).fit(&mut copy, &train);
        assert_eq!(copy, net, "a refused fit changed the network");
        result.unwrap_err()
    };
    let error = fit(Trainer::new(Adam::new(0.01), SoftmaxCrossEntropy).batch_size(10));
    assert_eq!(
        error,
        TrainError::BatchTooSmall {
            network: "Normalized",
            batch_size: 10,
            samples: 41,
            smallest: 1
        }
    );
    assert!(error.to_string().contains("leave a batch of 1"), "{error}");
    // Batch statistics need the whole batch, which every thread count sees: two threads
    // train as one does, bit for bit, and so does `auto_threads`.
    let trained = |trainer: Trainer<'_, Adam, SoftmaxCrossEntropy>| {
        let mut copy = net.clone();
        trainer
            .batch_size(7)
            .epochs(2)
            .progress(false)
            .fit(&mut copy, &train)
            .unwrap();
        copy
    };
    let one = trained(Trainer::new(Adam::new(0.01), SoftmaxCrossEntropy));
    assert_ne!(one, net);
    let two = trained(Trainer::new(Adam::new(0.01), SoftmaxCrossEntropy).threads(2));
    assert_eq!(one, two);
    let auto = trained(Trainer::new(Adam::new(0.01), SoftmaxCrossEntropy).auto_threads());
    assert_eq!(one, auto);
}

#[test]
fn explicit_widths_and_options_describe_the_same_layers() {
    assert_eq!(
        <Explicit as Network<6, 3>>::LAYERS,
        <Normalized as Network<6, 3>>::LAYERS
    );
    assert!(
        Explicit::summary()
            .to_string()
            .contains("batchnorm1 (BatchNorm, Relu)")
    );
}

#[test]
fn momentum_and_epsilon_options_reach_the_running_statistics_and_inference() {
    let mut net = Explicit::new(&mut StdRng::seed_from_u64(6));
    let train = data(5);
    let mut input = nn::BatchMatrix::<f32, 6>::zeros(5);
    for (column, x) in input.columns_mut().zip(train.inputs()) {
        column.copy_from_slice(x);
    }
    let mut workspace = <Explicit as Network<6, 3>>::workspace(5);
    net.forward_train(&input, &mut workspace);
    // The batch statistics of `dense1`'s outputs, by hand, in f64.
    let z = workspace.dense1.output.as_slice().to_vec();
    let mean: Vec<f64> = (0..16)
        .map(|f| (0..5).map(|c| f64::from(z[c * 16 + f])).sum::<f64>() / 5.0)
        .collect();
    let variance: Vec<f64> = (0..16)
        .map(|f| {
            (0..5)
                .map(|c| (f64::from(z[c * 16 + f]) - mean[f]).powi(2))
                .sum::<f64>()
                / 4.0
        })
        .collect();
    net.update_statistics(&workspace);
    for f in 0..16 {
        // momentum = 0.2 from 0 and 1, the variance unbiased (n − 1 = 4).
        let expected_mean = 0.2 * mean[f];
        let expected_variance = 0.8 + 0.2 * variance[f];
        let found_mean = f64::from(net.batchnorm1.running_mean[f]);
        let found_variance = f64::from(net.batchnorm1.running_variance[f]);
        assert!((found_mean - expected_mean).abs() < 1e-5, "feature {f}");
        assert!(
            (found_variance - expected_variance).abs() < 1e-4,
            "feature {f}"
        );
    }
    // Inference divides by √(running variance + ε) with ε = 1e-3: with running statistics
    // 0, the layer's output is relu(z/√0.001·γ + β).
    net.batchnorm1.running_variance.fill(0.0);
    net.batchnorm1.running_mean.fill(0.0);
    net.forward_batch(&input, &mut workspace);
    let outputs = workspace.batchnorm1.output.as_slice();
    for (index, (&z, &a)) in z.iter().zip(outputs).enumerate() {
        let f = index % 16;
        let y = f64::from(z) / 0.001f64.sqrt() * f64::from(net.batchnorm1.scale[f])
            + f64::from(net.batchnorm1.shift[f]);
        let expected = y.max(0.0);
        assert!(
            (f64::from(a) - expected).abs() < 1e-4 * expected.abs().max(1.0),
            "{index}"
        );
    }
}
