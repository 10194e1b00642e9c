//! Trains a 2-4-1 network on the XOR truth table and prints the loss as it falls, then writes
//! a page that walks one sample through the trained network (`target/nn-examples/xor.html`).
//!
//! `cargo run --release --example xor`

mod support;

use nn::prelude::*;
use nn::train::Penalty;

network! {
    /// Learns XOR: two inputs, one hidden layer of four `Tanh` units, one `Sigmoid` output.
    pub struct Xor: Input<2> -> Dense<4, Tanh> -> Dense<1, Sigmoid>;
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let inputs = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];
    let targets = [[0.0], [1.0], [1.0], [0.0]];
    let data = Dataset::from_arrays(&inputs, &targets)?;

    let mut net = Xor::new(&mut StdRng::seed_from_u64(7));
    println!("{}\n", Xor::summary());

    let optimizer = Sgd::new(0.5).with_momentum(0.9);
    let mut trainer = Trainer::new(optimizer.clone(), BinaryCrossEntropy)
        .batch_size(4)
        .epochs(500)
        .on_epoch(|record| {
            if record.epoch == 1 || record.epoch % 50 == 0 {
                println!("epoch {:>4}  loss {:.6}", record.epoch, record.train_loss);
            }
        });
    trainer.fit(&mut net, &data)?;

    println!();
    let mut correct = 0;
    for (input, target) in inputs.iter().zip(&targets) {
        let output = net.forward(input)[0];
        let predicted = if output > 0.5 { 1.0 } else { 0.0 };
        correct += usize::from(predicted == target[0]);
        println!("{input:?} -> {output:.4} (target {})", target[0]);
    }
    println!("\n{correct}/4 correct");

    // The sample [0, 1] through the trained network, step by step, with the next update.
    let page = support::output_dir()?.join("xor.html");
    let (input, target) = (&inputs[1], &targets[1]);
    let penalty = Penalty::default();
    nn::viz::save_network_page(
        &page,
        &net,
        input,
        target,
        &BinaryCrossEntropy,
        &optimizer,
        &penalty,
    )?;
    println!("one sample through the network: {}", page.display());
    Ok(())
}
