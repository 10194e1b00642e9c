//! The description language: widths from constants, initializers and activations of the user's
//! own, each against the same network written with literals and built-ins.

use nn::prelude::*;
use nn::{Initializer, LayerActivation, LayerShape};

mod config {
    pub const HIDDEN: usize = 16;
}
const FEATURES: usize = 4;

network! {
    pub struct Named: Input<FEATURES> -> Dense<{ 2 * FEATURES }, Tanh>
        -> Dense<config::HIDDEN, Relu> -> Dense<3, Softmax>;
    pub struct Written: Input<4> -> Dense<8, Tanh> -> Dense<16, Relu> -> Dense<3, Softmax>;
}

#[test]
fn named_widths_give_the_network_literals_give() {
    assert_eq!(Named::PARAMETERS, Written::PARAMETERS);
    assert_eq!(Named::PARAMETERS, 4 * 8 + 8 + 8 * 16 + 16 + 16 * 3 + 3);
    assert_eq!((Named::INPUTS, Named::OUTPUTS), (4, 3));
    assert_eq!(
        <Named as Network<4, 3>>::LAYERS,
        <Written as Network<4, 3>>::LAYERS
    );
    assert_eq!(
        <Named as Network<4, 3>>::LAYERS[1],
        LayerShape::dense("dense2", 16, 8)
    );
    let (named, written) = (Named::summary(), Written::summary());
    assert_eq!(named.rows, written.rows);
    assert_eq!(
        named.to_string().replace("Named", "Written"),
        written.to_string()
    );

    // The same draws make the same weights, and the same outputs.
    let a = Named::new(&mut StdRng::seed_from_u64(5));
    let b = Written::new(&mut StdRng::seed_from_u64(5));
    assert_eq!(a.dense2.weight.as_slice(), b.dense2.weight.as_slice());
    assert_eq!(
        a.forward(&[0.1, 0.2, -0.3, 0.4]),
        b.forward(&[0.1, 0.2, -0.3, 0.4])
    );
    assert_eq!(a.freeze().forward(&[0.5; 4]), b.forward(&[0.5; 4]));
}

#[test]
fn a_network_with_named_widths_trains_and_round_trips_through_a_model_file() {
    let inputs: Vec<[f32; 4]> = (0..60)
        .map(|i| [(i % 7) as f32 / 7.0, (i % 5) as f32 / 5.0, 0.5, -0.5])
        .collect();
    let targets: Vec<[f32; 3]> = (0..60)
        .map(|i| {
            let mut y = [0.0; 3];
            y[i % 3] = 1.0;
            y
        })
        .collect();
    let dataset = Dataset::from_arrays(&inputs, &targets).unwrap();
    let mut net = Named::new(&mut StdRng::seed_from_u64(1));
    let history = Trainer::new(Adam::new(0.01), SoftmaxCrossEntropy)
        .epochs(3)
        .batch_size(8)
        .seed(2)
        .progress(false)
        .fit(&mut net, &dataset)
        .unwrap();
    assert_eq!(history.epochs.len(), 3);
    let path = std::env::temp_dir().join(format!("nn-named-{}.nnm", std::process::id()));
    nn::model::save_binary(&net, &path).unwrap();
    let loaded: Named = nn::model::load_binary(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(loaded, net);
}

network! {
    pub struct Initialized<f64>: Input<64>
        -> Dense<32, Relu, init = HeNormal, bias = Constant<0.1>>
        -> Dense<32, Tanh, init = XavierNormal>
        -> Dense<32, init = LecunNormal, bias = Zeros>
        -> Dense<8, Sigmoid, init = Constant<0.25>>;
}

#[test]
fn each_layer_draws_its_weights_and_biases_by_its_initializers() {
    let net = Initialized::new(&mut StdRng::seed_from_u64(9));
    let deviation = |values: &[f64]| {
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / values.len() as f64).sqrt()
    };
    // 2 048 and 1 024 draws: within 8 % of the standard deviation (about 5 standard errors).
    let he = Initializer::HeNormal.scale(64, 32);
    assert!((deviation(net.dense1.weight.as_slice()) / he - 1.0).abs() < 0.08);
    assert!(net.dense1.bias.iter().all(|&b| b == 0.1));
    let glorot = Initializer::GlorotNormal.scale(32, 32);
    assert!((deviation(net.dense2.weight.as_slice()) / glorot - 1.0).abs() < 0.08);
    assert!(net.dense2.bias.iter().all(|&b| b == 0.0));
    let lecun = Initializer::LecunNormal.scale(32, 32);
    assert!((deviation(net.dense3.weight.as_slice()) / lecun - 1.0).abs() < 0.08);
    assert!(net.dense4.weight.iter().all(|&w| w == 0.25));
    // Normal draws, not uniform ones: some land past the uniform bound of the same deviation.
    let uniform_bound = he * 3f64.sqrt();
    assert!(net.dense1.weight.iter().any(|w| w.abs() > uniform_bound));
}

#[test]
fn layers_without_initializers_keep_the_default_draws() {
    network! {
        struct Default: Input<3> -> Dense<4, Relu> -> Dense<2>;
        struct Spelled: Input<3> -> Dense<4, Relu, init = HeUniform, bias = Zeros>
            -> Dense<2, Identity, init = GlorotUniform>;
    }
    let a = Default::new(&mut StdRng::seed_from_u64(3));
    let b = Spelled::new(&mut StdRng::seed_from_u64(3));
    assert_eq!(a.dense1, b.dense1);
    assert_eq!(a.dense2, b.dense2);
}

/// `z·tanh(softplus(z))` (Misra, 2019), one value at a time.
#[derive(Clone, Copy, Debug, Default)]
pub struct Mish;

impl ElementwiseActivation for Mish {
    const NAME: &'static str = "Mish";

    fn value<T: Float>(&self, z: T) -> T {
        z * (T::one() + z.exp()).ln().tanh()
    }

    fn derivative<T: Float>(&self, z: T, _a: T) -> T {
        let t = (T::one() + z.exp()).ln().tanh();
        let sigmoid = T::one() / (T::one() + (-z).exp());
        t + z * sigmoid * (T::one() - t * t)
    }
}

/// `z / (1 + |z|)`, written over the slice, with its derivative `(1 − |a|)²` from the outputs.
#[derive(Clone, Copy, Debug, Default)]
pub struct Softsign;

impl Activation for Softsign {
    const NAME: &'static str = "Softsign";

    fn apply<T: Float>(&self, values: &mut [T], _rows: usize) {
        for v in values {
            *v /= T::one() + v.abs();
        }
    }

    fn backward<T: Float>(&self, inputs: &[T], outputs: &[T], delta: &mut [T], _rows: usize) {
        assert!(inputs.is_empty(), "Softsign keeps no pre-activations");
        for (d, &a) in delta.iter_mut().zip(outputs) {
            let s = T::one() - a.abs();
            *d *= s * s;
        }
    }
}

mod activations {
    pub use super::Mish;
}

network! {
    pub struct Custom: Input<3> -> Dense<6, Mish> -> Dense<5, activations::Mish> -> Dense<2, Softsign>;
}

#[test]
fn user_activations_run_in_inference_training_the_frozen_type_and_the_summary() {
    let mut net = Custom::new(&mut StdRng::seed_from_u64(4));
    let x = [0.3f32, -1.2, 2.0];
    // The first layer's pre-activations, then Mish applied by hand, against the frozen type's
    // first layer run through the same activation by the runtime.
    let frozen = net.freeze();
    let mut z = [0.0f32; 6];
    nn::kernels::dense_vector(&frozen.dense1, &x, &mut z);
    let mut a = z;
    nn::Activation::apply(&Mish, &mut a, 6);
    for (a, z) in a.iter().zip(z) {
        let mish = z * (1.0 + z.exp()).ln().tanh();
        assert!((a - mish).abs() < 1e-6, "{a} against {mish}");
    }
    assert_ne!(a, z);
    assert_eq!(frozen.forward(&x), net.forward(&x));
    assert_eq!(
        <Custom as Network<3, 2>>::ACTIVATIONS,
        &[
            LayerActivation::Custom { name: "Mish" },
            LayerActivation::Custom { name: "Mish" },
            LayerActivation::Custom { name: "Softsign" }
        ]
    );
    // The summary names a user's activation by its `NAME`, however the description wrote it.
    let summary = Custom::summary().to_string();
    assert!(summary.contains("dense2 (Dense, Mish)"), "{summary}");
    assert!(summary.contains("dense3 (Dense, Softsign)"), "{summary}");

    // Training through both kinds of user activation: z ↦ (sin z, cos z)/2 on [−1, 1].
    let inputs: Vec<[f32; 3]> = (0..64)
        .map(|i| {
            let t = i as f32 / 32.0 - 1.0;
            [t, t * t, 1.0 - t]
        })
        .collect();
    let targets: Vec<[f32; 2]> = inputs
        .iter()
        .map(|x| [0.5 * (2.0 * x[0]).sin(), 0.5 * (2.0 * x[0]).cos()])
        .collect();
    let data = Dataset::from_arrays(&inputs, &targets).unwrap();
    let history = Trainer::new(Adam::new(0.01), MeanSquaredError)
        .epochs(200)
        .batch_size(16)
        .seed(3)
        .progress(false)
        .fit(&mut net, &data)
        .unwrap();
    let (first, last) = (history.epochs[0].train_loss, history.epochs[199].train_loss);
    assert!(last < 0.1 * first, "did not learn: {first} → {last}");
    // Model files hold shapes only: a user's activation round-trips like any other.
    let bytes = nn::model::to_bytes(&net).unwrap();
    assert_eq!(nn::model::from_bytes::<Custom, 3, 2>(&bytes).unwrap(), net);
}
