//! The main job: a 64-32-10 network with dropout learns the 8×8 handwritten digits (1 797
//! samples shipped with smartcore), with Adam, early stopping on a validation split, a progress
//! bar, a confusion matrix and per-class precision, recall and F1 on held-out test data, an SVG
//! of the loss curves and a saved model.
//!
//! `cargo run --release --example digits`

mod support;

use nn::prelude::*;
use nn::{metrics, model};

network! {
    /// Reads an 8×8 digit (pixels scaled to [0, 1]) and gives the probability of each class.
    pub struct Digits: Input<64> -> Dense<32, Relu> -> Dropout<0.2> -> Dense<10, Softmax>;
}

const SEED: u64 = 42;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let raw = smartcore::dataset::digits::load_dataset();
    let inputs: Vec<[f32; 64]> = raw
        .data
        .chunks_exact(64)
        .map(|pixels| core::array::from_fn(|i| pixels[i] / 16.0))
        .collect();
    let labels: Vec<usize> = raw.target.iter().map(|&label| label as usize).collect();
    let all = Dataset::<f32, 64, 10>::from_labels(&inputs, &labels)?;
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
        "stopped: {:?} after {} epochs; best epoch {} (validation loss {:.4}, accuracy {:.3})",
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

    let dir = support::output_dir()?;
    let plot = dir.join("digits-loss.svg");
    support::plot_losses(&history, "Digits: loss per epoch", &plot)?;
    let model_path = dir.join("digits.nnm");
    model::save_binary(&net, &model_path)?;
    let reloaded: Digits = model::load_binary(&model_path)?;
    assert_eq!(reloaded, net, "the saved model reloads to the same weights");
    println!(
        "\nloss curves: {}\nmodel: {}",
        plot.display(),
        model_path.display()
    );
    Ok(())
}
