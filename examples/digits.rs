//! The main job: a 64-32-10 network with dropout learns the 8×8 handwritten digits (1 797
//! samples shipped with smartcore), with Adam, early stopping on a validation split, a progress
//! bar, a confusion matrix and per-class precision, recall and F1 on held-out test data, an SVG
//! of the loss curves and a saved model: one file with the network, its input scaling and the
//! class names, which the next run loads first to read raw digits with the last run's network.
//!
//! `cargo run --release --example digits`

mod support;

use nn::data::{Labels, Standardizer};
use nn::metrics;
use nn::model::Model;
use nn::prelude::*;

network! {
    /// Reads an 8×8 digit (pixels scaled to [0, 1]) and gives the probability of each class.
    pub struct Digits: Input<64> -> Dense<32, Relu> -> Dropout<0.2> -> Dense<10, Softmax>;
}

const SEED: u64 = 42;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let raw = smartcore::dataset::digits::load_dataset();
    // Raw pixels: 0 (white) to 16 (black).
    let pixels: Vec<[f32; 64]> = raw
        .data
        .chunks_exact(64)
        .map(|pixels| core::array::from_fn(|i| pixels[i]))
        .collect();
    let labels: Vec<usize> = raw.target.iter().map(|&label| label as usize).collect();
    let dir = support::output_dir()?;
    let model_path = dir.join("digits.nnm");
    read_with_last_model(&model_path, &pixels[..3], &labels[..3])?;

    // The network reads pixels scaled to [0, 1]; the scaling is saved with it.
    let scale = Standardizer::new([0.0; 64], [16.0; 64])?;
    let mut all = Dataset::<f32, 64, 10>::from_labels(&pixels, &labels)?;
    scale.transform(&mut all)?;
    let (train, test) = all.split(0.2, SEED)?;
    println!("{} training and {} test samples\n", train.len(), test.len());
    println!("{}\n", Digits::summary());

    let mut net = Digits::new(&mut StdRng::seed_from_u64(SEED));
    let mut trainer = Trainer::new(Adam::new(1e-3), SoftmaxCrossEntropy)
        .batch_size(32)
        .epochs(300)
        .validation_fraction(0.15)
        .early_stopping(EarlyStopping::new(15))
        .seed(SEED);
    let history = trainer.fit(&mut net, &train)?;
    let best = history.best().expect("at least one epoch ran");
    println!(
        "{} ({} epochs); best epoch {} (validation loss {:.4}, accuracy {:.3})",
        history.stop_reason,
        history.epochs.len(),
        best.epoch,
        best.monitored_loss(),
        best.validation_metrics
            .and_then(|m| m.accuracy)
            .unwrap_or(f64::NAN),
    );

    let evaluation = evaluate(&net, &test, &SoftmaxCrossEntropy);
    let accuracy = evaluation.metrics.accuracy.unwrap_or(0.0);
    println!(
        "\ntest loss {:.4}, test accuracy {:.2}%\n",
        evaluation.loss,
        100.0 * accuracy
    );
    let confusion = metrics::confusion_matrix(&net, &test)?;
    println!("{confusion}\n\n{}", confusion.report());
    let report = dir.join("digits-report.html");
    nn::viz::TrainingReport::new(&history)
        .title("Digits")
        .classification(&net, &test)?
        .save(&report)?;
    println!("\ntraining report: {}", report.display());

    // One test digit through the trained network, step by step (dropout off), with the step
    // Adam would take next.
    let page = dir.join("digits.html");
    let (digit, target) = (test.input(0), test.target(0));
    let penalty = nn::train::Penalty::default();
    let adam = Adam::new(1e-3);
    nn::viz::save_network_page(
        &page,
        &net,
        digit,
        target,
        &SoftmaxCrossEntropy,
        &adam,
        &penalty,
    )?;
    println!("one test digit through the network: {}", page.display());

    let plot = dir.join("digits-loss.svg");
    support::plot_losses(&history, "Digits: loss per epoch", &plot)?;
    let names = Labels::new((0..10).map(|digit| digit.to_string()))?;
    let model = Model::new(net).with_inputs(scale).with_labels(names)?;
    model.save_binary(&model_path)?;
    let reloaded = Model::<Digits, 64, 10>::load_binary(&model_path)?;
    assert_eq!(
        reloaded, model,
        "the saved model reloads to the same weights and parts"
    );
    println!(
        "\nloss curves: {}\nmodel: {}",
        plot.display(),
        model_path.display()
    );
    Ok(())
}

/// Reads `pixels` (raw, 0 to 16) with the model an earlier run saved at `path`, if there is one:
/// one call per digit, from raw pixels to a class name.
fn read_with_last_model(
    path: &std::path::Path,
    pixels: &[[f32; 64]],
    labels: &[usize],
) -> Result<(), Box<dyn std::error::Error>> {
    if !path.exists() {
        println!("no model from an earlier run yet; this run saves one\n");
        return Ok(());
    }
    let model = match Model::<Digits, 64, 10>::load_binary(path) {
        Ok(model) => model,
        Err(error) => {
            // Another network's file, say: a typed error, and this run replaces the file.
            println!("the last run's model cannot be used: {error}\n");
            return Ok(());
        }
    };
    println!(
        "the model the last run saved ({}) reads raw digits:",
        path.display()
    );
    for (digit, label) in pixels.iter().zip(labels) {
        match model.classify_raw(digit) {
            Some((name, probability)) => {
                println!("  a {label} as {name} (probability {probability:.3})")
            }
            None => println!("  (the file has no class names)"),
        }
    }
    println!();
    Ok(())
}
