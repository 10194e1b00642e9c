//! L1 drives the weights of irrelevant inputs to about zero: the breast-cancer diagnosis data
//! (569 patients, 30 measurements, shipped with smartcore) gets 20 extra columns of pure noise,
//! and we count the inputs whose every first-layer weight ends below 0.01 in magnitude, with and
//! without an L1 penalty.
//!
//! `cargo run --release --example sparse_features`

use nn::data::Standardizer;
use nn::prelude::*;
use nn::rand::RngExt;

const REAL: usize = 30;
const NOISE: usize = 20;
const SEED: u64 = 3;
/// The magnitude below which a weight counts as zero.
const ZERO: f32 = 0.01;

network! {
    /// Malignant (1) or benign (0) from 30 real and 20 noise inputs.
    pub struct Diagnosis: Input<50> -> Dense<16, Relu> -> Dense<1, Sigmoid>;
}

/// Trains with L1 strength `lambda`; returns the held-out accuracy and, for the real and the noise
/// inputs, how many have all their first-layer weights below `ZERO`.
fn train(
    lambda: f64,
    train: &Dataset<f32, 50, 1>,
    test: &Dataset<f32, 50, 1>,
) -> Result<(f64, usize, usize), TrainError> {
    let mut net = Diagnosis::new(&mut StdRng::seed_from_u64(SEED));
    Trainer::new(Adam::new(1e-3), BinaryCrossEntropy)
        .batch_size(32)
        .epochs(300)
        .l1(lambda)
        .seed(SEED)
        .fit(&mut net, train)?;
    let accuracy = evaluate(&net, test, &BinaryCrossEntropy)
        .metrics
        .accuracy
        .unwrap_or(0.0);
    let silent = |input: usize| {
        net.dense1
            .weight
            .column(input)
            .iter()
            .all(|w| w.abs() < ZERO)
    };
    let real = (0..REAL).filter(|&i| silent(i)).count();
    let noise = (REAL..REAL + NOISE).filter(|&i| silent(i)).count();
    Ok((accuracy, real, noise))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let raw = smartcore::dataset::breast_cancer::load_dataset();
    let mut rng = StdRng::seed_from_u64(SEED);
    let inputs: Vec<[f32; 50]> = raw
        .data
        .chunks_exact(REAL)
        .map(|row| {
            core::array::from_fn(|i| {
                if i < REAL {
                    row[i]
                } else {
                    rng.random_range(-1.0..1.0)
                }
            })
        })
        .collect();
    let targets: Vec<[f32; 1]> = raw.target.iter().map(|&label| [label as f32]).collect();
    let all = Dataset::<f32, 50, 1>::from_arrays(&inputs, &targets)?;
    let (mut train_set, mut test_set) = all.split(0.25, SEED)?;
    let features = Standardizer::fit(&train_set);
    features.transform(&mut train_set)?;
    features.transform(&mut test_set)?;

    println!("inputs whose every first-layer weight is below {ZERO} in magnitude:\n");
    println!(
        "{:>8}  {:>18}  {:>18}  {:>18}",
        "l1", "held-out accuracy", "real (of 30) ~ 0", "noise (of 20) ~ 0"
    );
    for lambda in [0.0, 1e-3, 1e-2, 3e-2] {
        let (accuracy, real, noise) = train(lambda, &train_set, &test_set)?;
        println!("{lambda:>8}  {accuracy:>18.3}  {real:>18}  {noise:>18}");
    }
    Ok(())
}
