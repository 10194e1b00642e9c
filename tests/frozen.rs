//! Frozen networks: baked in while compiling with `include_model!` (binary and JSON files, `f32`
//! and `f64`, every activation) or frozen at run time, giving the loaded network's outputs bit
//! for bit, and running from `static` memory whatever their size.
//!
//! The model files under `tests/models/` are made by `fixtures_are_what_their_networks_save`:
//! run it with `NN_WRITE_FIXTURES=1` to write them again.

use nn::prelude::*;
use nn::rand::RngExt;
use nn::{Dense, TensorKind};

network! {
    /// Every activation, and a dropout layer that inference skips.
    pub struct EveryActivation: Input<5> -> Dense<16, Relu> -> Dense<12, Tanh> -> Dense<8, Sigmoid>
        -> Dense<8, LeakyRelu<0.2>> -> Dropout<0.1> -> Dense<6> -> Dense<3, Softmax>;

    /// The same in `f64`.
    pub struct EveryActivation64<f64>: Input<5> -> Dense<16, Relu> -> Dense<12, Tanh>
        -> Dense<8, Sigmoid> -> Dense<8, LeakyRelu<0.2>> -> Dropout<0.1> -> Dense<6>
        -> Dense<3, Softmax>;

    /// The activations and normalization layers added since, in `f32` and `f64`.
    pub struct Modern: Input<5> -> Dense<12, Gelu> -> BatchNorm<GeluTanh> -> Dense<10, Silu>
        -> LayerNorm<Elu<0.5>> -> Dense<8, Softplus> -> Dense<6, HardTanh> -> Dense<3, Softmax>;
    pub struct Modern64<f64>: Input<5> -> Dense<12, Gelu> -> BatchNorm<GeluTanh>
        -> Dense<10, Silu> -> LayerNorm<Elu<0.5>> -> Dense<8, Softplus> -> Dense<6, HardTanh>
        -> Dense<3, Softmax>;

    /// A large network: 235 146 parameters, 940 KB of `f32`.
    pub struct Large: Input<784> -> Dense<256, Relu> -> Dense<128, Relu> -> Dense<10, Softmax>;
}

/// Networks whose files the compile-fail cases of `include_model!` bake into the wrong type.
mod ui_fixtures {
    use nn::prelude::*;

    network! {
        pub struct Xor: Input<2> -> Dense<4, Tanh> -> Dense<1, Sigmoid>;
    }

    pub mod double {
        use nn::prelude::*;
        network! {
            pub struct Xor<f64>: Input<2> -> Dense<4, Tanh> -> Dense<1, Sigmoid>;
        }
    }

    pub mod wide {
        use nn::prelude::*;
        network! {
            pub struct Xor: Input<2> -> Dense<8, Tanh> -> Dense<1, Sigmoid>;
        }
    }

    /// The files, by name under `tests/ui/models/`.
    pub fn files() -> Vec<(&'static str, Vec<u8>)> {
        let xor = nn::model::to_bytes(&Xor::new(&mut StdRng::seed_from_u64(1))).unwrap();
        let mut corrupt = xor.clone();
        let last_value = corrupt.len() - 5;
        corrupt[last_value] ^= 0x40;
        vec![
            ("xor.nnm", xor),
            ("xor_corrupt.nnm", corrupt),
            (
                "xor_f64.nnm",
                nn::model::to_bytes(&double::Xor::new(&mut StdRng::seed_from_u64(1))).unwrap(),
            ),
            (
                "xor_wide.json",
                nn::model::to_json_string(&wide::Xor::new(&mut StdRng::seed_from_u64(1)))
                    .unwrap()
                    .into_bytes(),
            ),
        ]
    }
}

/// The untrained regressor that the embedded example bakes and trains on the device.
mod embedded_fixtures {
    use nn::prelude::*;

    network! {
        pub struct Regressor: Input<8> -> Dense<16, Tanh> -> Dense<1>;

        /// The network of the `digits` example, whose trained file the embedded example bakes.
        pub struct Digits: Input<64> -> Dense<32, Relu> -> Dropout<0.2> -> Dense<10, Softmax>;
    }

    pub static DIGITS: DigitsFrozen =
        include_model!(Digits, "../examples/embedded/models/digits.nnm");

    /// `examples/embedded/models/regressor_start.nnm`.
    pub fn start() -> Vec<u8> {
        nn::model::to_bytes(&Regressor::new(&mut StdRng::seed_from_u64(8))).unwrap()
    }
}

static BAKED_F32: EveryActivationFrozen =
    include_model!(EveryActivation, "models/every_activation_f32.nnm");
static BAKED_F32_JSON: EveryActivationFrozen =
    include_model!(EveryActivation, "models/every_activation_f32.json");
static BAKED_F64: EveryActivation64Frozen =
    include_model!(EveryActivation64, "models/every_activation_f64.nnm");
static BAKED_F64_JSON: EveryActivation64Frozen =
    include_model!(EveryActivation64, "models/every_activation_f64.json");
static LARGE: LargeFrozen = include_model!(Large, "models/large.nnm");
static MODERN: ModernFrozen = include_model!(Modern, "models/modern_f32.nnm");
static MODERN_64: Modern64Frozen = include_model!(Modern64, "models/modern_f64.json");
/// A `const` works too.
const BAKED_CONST: EveryActivationFrozen =
    include_model!(EveryActivation, "models/every_activation_f32.nnm");

/// The directory of the model files.
fn models() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/models")
}

/// Random weights (seeded) and non-zero biases, so that every parameter matters.
fn with_biases<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(mut net: N) -> N {
    let mut i = 0u32;
    net.for_each_tensor_mut(|kind, values| {
        if kind == TensorKind::Bias {
            for value in values {
                i += 1;
                *value = nn::Float::of_f64(f64::from(i % 7) * 0.05 - 0.15);
            }
        }
    });
    net
}

fn every_activation() -> EveryActivation {
    with_biases(EveryActivation::new(&mut StdRng::seed_from_u64(11)))
}

fn every_activation_64() -> EveryActivation64 {
    with_biases(EveryActivation64::new(&mut StdRng::seed_from_u64(12)))
}

/// Random weights, and every bias, scale, shift and running statistic set to a value of its
/// own (variances positive), so that every value matters.
fn varied<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(mut net: N) -> N {
    let mut i = 0u32;
    net.for_each_tensor_mut(|kind, values| {
        for value in values {
            i += 1;
            let pattern = f64::from(i % 7) * 0.05;
            let v = match kind {
                TensorKind::Weight => continue,
                TensorKind::Scale | TensorKind::RunningVariance => 0.8 + pattern,
                _ => pattern - 0.15,
            };
            *value = nn::Float::of_f64(v);
        }
    });
    net
}

fn modern() -> Modern {
    varied(Modern::new(&mut StdRng::seed_from_u64(13)))
}

fn modern_64() -> Modern64 {
    varied(Modern64::new(&mut StdRng::seed_from_u64(14)))
}

/// Weights in a short repeating pattern, so that the 940 KB file compresses to little in git.
fn large() -> Large {
    let mut net = <Large as Network<784, 10>>::zeros();
    let mut i = 0usize;
    net.for_each_tensor_mut(|_, values| {
        for value in values {
            i += 1;
            *value = ((i * 7919) % 1000) as f32 / 1000.0 * 0.1 - 0.05;
        }
    });
    net
}

#[test]
fn fixtures_are_what_their_networks_save() {
    let ui = ui_fixtures::files()
        .into_iter()
        .map(|(name, bytes)| (std::path::Path::new("../ui/models").join(name), bytes));
    let files: [(&str, Vec<u8>); 7] = [
        ("modern_f32.nnm", nn::model::to_bytes(&modern()).unwrap()),
        (
            "modern_f64.json",
            nn::model::to_json_string(&modern_64())
                .unwrap()
                .into_bytes(),
        ),
        (
            "every_activation_f32.nnm",
            nn::model::to_bytes(&every_activation()).unwrap(),
        ),
        (
            "every_activation_f32.json",
            nn::model::to_json_string(&every_activation())
                .unwrap()
                .into_bytes(),
        ),
        (
            "every_activation_f64.nnm",
            nn::model::to_bytes(&every_activation_64()).unwrap(),
        ),
        (
            "every_activation_f64.json",
            nn::model::to_json_string(&every_activation_64())
                .unwrap()
                .into_bytes(),
        ),
        ("large.nnm", nn::model::to_bytes(&large()).unwrap()),
    ];
    let files = files.map(|(name, bytes)| (std::path::PathBuf::from(name), bytes));
    let embedded = [(
        std::path::PathBuf::from("../../examples/embedded/models/regressor_start.nnm"),
        embedded_fixtures::start(),
    )];
    for (name, bytes) in files.into_iter().chain(ui).chain(embedded) {
        let path = models().join(&name);
        if std::env::var_os("NN_WRITE_FIXTURES").is_some() {
            std::fs::write(&path, &bytes).unwrap();
        }
        let committed = std::fs::read(&path).unwrap();
        assert!(
            committed == bytes,
            "{} differs from what its network saves; run with NN_WRITE_FIXTURES=1",
            name.display()
        );
    }
}

/// Inputs spread over the activations' interesting ranges.
fn inputs<T: nn::Float, const N: usize>(count: usize) -> Vec<[T; N]> {
    let mut rng = StdRng::seed_from_u64(5);
    (0..count)
        .map(|_| std::array::from_fn(|_| T::of_f64(rng.random_range(-4.0..4.0))))
        .collect()
}

fn bits<T: nn::Float, const N: usize>(v: &SVector<T, N>) -> Vec<u64> {
    v.iter().map(|x| x.as_f64().to_bits()).collect()
}

#[test]
fn baked_networks_give_the_loaded_outputs_bit_for_bit() {
    let loaded: EveryActivation =
        nn::model::load_binary(models().join("every_activation_f32.nnm")).unwrap();
    assert_eq!(loaded, every_activation());
    let loaded64: EveryActivation64 =
        nn::model::load_json(models().join("every_activation_f64.json")).unwrap();
    assert_eq!(loaded64, every_activation_64());
    for x in inputs::<f32, 5>(200) {
        let expected = bits(&loaded.forward(&x));
        assert_eq!(bits(&BAKED_F32.forward(&x)), expected, "input {x:?}");
        assert_eq!(bits(&BAKED_F32_JSON.forward(&x)), expected, "input {x:?}");
        assert_eq!(bits(&BAKED_CONST.forward(&x)), expected, "input {x:?}");
    }
    for x in inputs::<f64, 5>(200) {
        let expected = bits(&loaded64.forward(&x));
        assert_eq!(bits(&BAKED_F64.forward(&x)), expected, "input {x:?}");
        assert_eq!(bits(&BAKED_F64_JSON.forward(&x)), expected, "input {x:?}");
    }
    // Every activation saturates somewhere over these inputs, and the outputs differ.
    let first = BAKED_F32.forward(&[4.0; 5]);
    assert!((first.sum() - 1.0).abs() < 1e-6);
    assert_ne!(first, BAKED_F32.forward(&[-4.0; 5]));
}

#[test]
fn baked_normalization_layers_and_new_activations_give_the_loaded_outputs_bit_for_bit() {
    let loaded: Modern = nn::model::load_binary(models().join("modern_f32.nnm")).unwrap();
    assert_eq!(loaded, modern());
    let loaded64: Modern64 = nn::model::load_json(models().join("modern_f64.json")).unwrap();
    assert_eq!(loaded64, modern_64());
    assert_eq!(*loaded.freeze(), MODERN);
    assert_eq!(*loaded64.freeze(), MODERN_64);
    assert_eq!(
        MODERN.batchnorm1.tensors[3],
        loaded.batchnorm1.running_variance.data.0[0]
    );
    for x in inputs::<f32, 5>(200) {
        assert_eq!(
            bits(&MODERN.forward(&x)),
            bits(&loaded.forward(&x)),
            "input {x:?}"
        );
    }
    for x in inputs::<f64, 5>(200) {
        assert_eq!(
            bits(&MODERN_64.forward(&x)),
            bits(&loaded64.forward(&x)),
            "input {x:?}"
        );
    }
}

#[test]
fn networks_frozen_at_run_time_equal_the_baked_ones() {
    let net = every_activation();
    let frozen = net.freeze();
    assert_eq!(*frozen, BAKED_F32);
    assert_eq!(*every_activation_64().freeze(), BAKED_F64);
    let mut again = BAKED_CONST;
    again.dense1.bias[0] = 1.0;
    net.freeze_into(&mut again);
    assert_eq!(again, BAKED_F32);
    for x in inputs::<f32, 5>(20) {
        assert_eq!(bits(&frozen.forward(&x)), bits(&net.forward(&x)));
    }
}

#[test]
fn the_embedded_example_bakes_a_trained_digits_network() {
    use embedded_fixtures::{DIGITS, Digits};
    let loaded: Digits = nn::model::load_binary(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples/embedded/models/digits.nnm"),
    )
    .unwrap();
    assert_eq!(*loaded.freeze(), DIGITS);
    // Trained: a one-hot-ish input gives a confident answer, not the uniform 0.1 of random weights.
    let x: [f32; 64] = std::array::from_fn(|i| if (i / 8 + i % 8) % 3 == 0 { 1.0 } else { 0.0 });
    assert!(DIGITS.forward(&x).max() > 0.3);
}

#[test]
fn the_frozen_type_describes_its_network() {
    assert_eq!(EveryActivationFrozen::NAME, "EveryActivation");
    assert_eq!(EveryActivationFrozen::INPUTS, 5);
    assert_eq!(EveryActivationFrozen::OUTPUTS, 3);
    assert_eq!(
        EveryActivationFrozen::PARAMETERS,
        EveryActivation::PARAMETERS
    );
    assert_eq!(
        EveryActivationFrozen::LAYERS,
        <EveryActivation as Network<5, 3>>::LAYERS
    );
    assert_eq!(EveryActivationFrozen::summary(), EveryActivation::summary());
    assert_eq!(LargeFrozen::PARAMETERS, 235_146);
    let mut count = 0;
    BAKED_F32.for_each_tensor(|_, values| count += values.len());
    assert_eq!(count, EveryActivation::PARAMETERS);
}

#[test]
fn a_large_baked_network_runs_from_static_memory_on_a_small_stack() {
    let loaded = large();
    let x: [f32; 784] = std::array::from_fn(|i| (i % 13) as f32 / 13.0);
    let expected = bits(&loaded.forward(&x));
    // 64 KiB of stack, far less than the 940 KB of weights: they are read where they lie.
    let baked = std::thread::Builder::new()
        .stack_size(64 * 1024)
        .spawn(move || bits(&LARGE.forward(&x)))
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(baked, expected);
    let in_binary = (&raw const LARGE).addr();
    let on_stack = (&raw const x).addr();
    assert!(
        in_binary.abs_diff(on_stack) > 1 << 20,
        "the weights are not on the stack"
    );
}

/// The training layer type stays in use beside the frozen one.
#[allow(dead_code)]
fn layer_types(_: &Dense<f32, 16, 5>) {}
