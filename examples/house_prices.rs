//! Regression with an L2 penalty: predicting Boston house prices (506 districts, 13 features,
//! shipped with smartcore) with a network wide enough to overfit, trained with and without L2,
//! and compared on held-out districts; then the same width written as a constant, with batch
//! normalization, GELU and SiLU, He-normal initialization and layer normalization, as tabular
//! models in PyTorch often are.
//!
//! `cargo run --release --example house_prices`

use nn::data::{Standardizer, TargetStandardizer};
use nn::prelude::*;

/// The hidden width of both networks.
const WIDTH: usize = 64;

network! {
    /// Median value of a district's homes (standardized) from its 13 standardized features.
    pub struct HousePrices: Input<13> -> Dense<WIDTH, Relu> -> Dense<WIDTH, Relu> -> Dense<1>;

    /// The same task with normalization layers and smooth activations.
    pub struct NormalizedPrices: Input<13> -> Dense<WIDTH, init = HeNormal> -> BatchNorm<Gelu>
        -> Dense<WIDTH, Silu> -> LayerNorm -> Dense<1>;
}

const SEED: u64 = 5;

/// Test mean absolute error in thousands of dollars, and the test MSE on standardized prices.
fn train_and_test(
    lambda: f64,
    train: &Dataset<f32, 13, 1>,
    test: &Dataset<f32, 13, 1>,
    price_std: f32,
) -> Result<(f64, f64), TrainError> {
    let mut net = HousePrices::new(&mut StdRng::seed_from_u64(SEED));
    Trainer::new(Adam::new(1e-3), MeanSquaredError)
        .batch_size(16)
        .epochs(400)
        .l2(lambda)
        .seed(SEED)
        .fit(&mut net, train)?;
    let evaluation = evaluate(&net, test, &MeanSquaredError);
    let mae_dollars = evaluation.metrics.mae.unwrap_or(f64::NAN) * f64::from(price_std);
    Ok((mae_dollars, evaluation.loss))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let raw = smartcore::dataset::boston::load_dataset();
    let inputs: Vec<[f32; 13]> = raw
        .data
        .chunks_exact(13)
        .map(|row| core::array::from_fn(|i| row[i]))
        .collect();
    let targets: Vec<[f32; 1]> = raw.target.iter().map(|&price| [price]).collect();
    let all = Dataset::<f32, 13, 1>::from_arrays(&inputs, &targets)?;
    let (mut train, mut test) = all.split(0.25, SEED)?;

    // Statistics come from the training districts only, then apply to the held-out ones.
    let features = Standardizer::fit(&train);
    let prices = TargetStandardizer::fit(&train);
    for data in [&mut train, &mut test] {
        features.transform(data)?;
        prices.transform(data)?;
    }
    println!(
        "{} training and {} held-out districts\n",
        train.len(),
        test.len()
    );

    println!(
        "{:>8}  {:>22}  {:>20}",
        "l2", "held-out MAE ($1000s)", "held-out MSE (std.)"
    );
    let mut results = Vec::new();
    for lambda in [0.0, 1e-4, 1e-3, 1e-2] {
        let (mae, mse) = train_and_test(lambda, &train, &test, prices.std()[0])?;
        println!("{lambda:>8}  {mae:>22.3}  {mse:>20.4}");
        results.push((lambda, mse));
    }
    let (baseline, best) = (
        results[0].1,
        results
            .iter()
            .copied()
            .fold(results[0], |a, b| if b.1 < a.1 { b } else { a }),
    );
    println!(
        "\nbest held-out MSE with l2 = {}: {:.4} against {:.4} without ({:+.1}%)",
        best.0,
        best.1,
        baseline,
        100.0 * (best.1 - baseline) / baseline
    );

    let mut net = NormalizedPrices::new(&mut StdRng::seed_from_u64(SEED));
    println!("\n{}", NormalizedPrices::summary());
    Trainer::new(Adam::new(1e-3), MeanSquaredError)
        .batch_size(16)
        .epochs(400)
        .seed(SEED)
        .fit(&mut net, &train)?;
    let evaluation = evaluate(&net, &test, &MeanSquaredError);
    let mae = evaluation.metrics.mae.unwrap_or(f64::NAN) * f64::from(prices.std()[0]);
    println!(
        "\nwith BatchNorm, GELU, SiLU and LayerNorm: held-out MAE {mae:.3} ($1000s), MSE {:.4}",
        evaluation.loss
    );
    Ok(())
}
