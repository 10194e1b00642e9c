//! Every optimizer's update gives the same bits on every kernel path: its loops, compiled for
//! AVX-512, AVX2 or the baseline as the path in use says, round alike.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use crate::TensorKind;
use crate::compute::kernels::{KernelPath, with_path};
use crate::{Adam, AdamW, Optimizer, RmsProp, Sgd};

/// The parameters after four updates of `optimizer` on `path`, for 1 000 parameters (long enough
/// for the wide builds) in two tensors, from fixed random values and gradients.
fn after_updates<O: Optimizer + Clone>(optimizer: &O, path: KernelPath) -> Vec<u32> {
    let mut optimizer = optimizer.clone();
    let mut rng = StdRng::seed_from_u64(9);
    let mut parameters: Vec<f32> = (0..1000).map(|_| rng.random_range(-1.0..1.0)).collect();
    optimizer.validate().unwrap();
    optimizer.prepare::<f32>(parameters.len());
    with_path(path, || {
        for _ in 0..4 {
            let gradients: Vec<f32> = (0..1000).map(|_| rng.random_range(-2.0..2.0)).collect();
            optimizer.begin_step();
            let (weights, biases) = parameters.split_at_mut(900);
            optimizer.update(TensorKind::Weight, weights, &gradients[..900], 0);
            optimizer.update(TensorKind::Bias, biases, &gradients[900..], 900);
        }
    });
    parameters.iter().map(|p| p.to_bits()).collect()
}

/// Asserts that `optimizer` updates alike on every path the CPU supports, and says which paths
/// it could not check.
fn assert_same_bits_on_every_path<O: Optimizer + Clone>(name: &str, optimizer: O) {
    let portable = after_updates(&optimizer, KernelPath::Portable);
    for path in [KernelPath::Avx512, KernelPath::Avx2] {
        if !path.is_supported() {
            println!("{name}: this CPU lacks {path}: that path is not checked here");
            continue;
        }
        assert_eq!(
            after_updates(&optimizer, path),
            portable,
            "{name} on {path} against portable"
        );
    }
}

#[test]
fn every_optimizer_updates_alike_on_every_path() {
    assert_same_bits_on_every_path("sgd", Sgd::new(0.1).with_weight_decay(0.01));
    assert_same_bits_on_every_path(
        "nesterov",
        Sgd::new(0.1).with_momentum(0.9).with_nesterov(true),
    );
    assert_same_bits_on_every_path(
        "rmsprop",
        RmsProp::new(0.01).with_momentum(0.5).with_centered(true),
    );
    assert_same_bits_on_every_path("adam", Adam::new(1e-3).with_weight_decay(0.01));
    assert_same_bits_on_every_path("amsgrad", AdamW::new(1e-3).with_amsgrad(true));
}
