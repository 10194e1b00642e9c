//! Checkpoints: any bytes, read by `Checkpoint::from_bytes`, give a checkpoint or a typed
//! `CheckpointError`, never a panic. A checkpoint read writes and reads back equal; its network
//! is a network or a typed error; and a trainer resumed from it trains one more epoch or fails
//! with a typed `TrainError`. Each input is read twice: as it is, and with its last four bytes
//! replaced by the CRC-32 of the others, so that mutations reach the model and state behind the
//! checksum.
//!
//! The network, data and trainer are those `tests/loader_properties.rs` writes the corpus's
//! checkpoints with: a resumed run matches them, so that mutations of the state reach the
//! trainer.

#![no_main]

use libfuzzer_sys::fuzz_target;
use nn::prelude::*;

network! {
    struct Tiny: Input<3> -> Dense<4, Tanh> -> Dropout<0.1> -> Dense<2, Softmax>;
}

/// The training data of the corpus's checkpoints: 12 samples.
fn data() -> Dataset<f32, 3, 2> {
    let inputs: Vec<[f32; 3]> = (0..12)
        .map(|i| {
            let x = i as f32;
            [(x * 0.7).sin(), (x * 1.3).cos(), x / 12.0 - 0.5]
        })
        .collect();
    let labels: Vec<usize> = (0..12).map(|i| i % 2).collect();
    Dataset::from_labels(&inputs, &labels).expect("valid samples")
}

/// The settings of the corpus's checkpoints, with `optimizer`, for `epochs` epochs.
fn trainer<'a, O: Optimizer>(optimizer: O, epochs: usize) -> Trainer<'a, O, SoftmaxCrossEntropy> {
    Trainer::new(optimizer, SoftmaxCrossEntropy)
        .batch_size(4)
        .epochs(epochs)
        .seed(7)
        .early_stopping(EarlyStopping::new(5).with_restore_best_weights(true))
        .schedule(LrSchedule::reduce_on_plateau().with_patience(1))
        .progress(false)
        .threads(1)
}

/// Resumes a run from `checkpoint` for one more epoch; a run that ends well gives a checkpoint
/// of a finite network that writes and reads back.
fn resume<O: Optimizer>(optimizer: O, checkpoint: &Checkpoint, data: &Dataset<f32, 3, 2>) {
    let Some(epochs) = checkpoint.epoch().checked_add(1) else {
        return;
    };
    let mut trainer = trainer(optimizer, epochs).resume_from(checkpoint.clone());
    let mut net = Tiny::new(&mut StdRng::seed_from_u64(1));
    if trainer.fit(&mut net, data).is_err() {
        return;
    }
    // A run that ends well leaves a network of finite values, which a checkpoint holds.
    let next = trainer
        .checkpoint(&net)
        .expect("a run with Adam or Sgd gives a checkpoint");
    let next = next.expect("a trained network is finite");
    let bytes = next.to_bytes().expect("a checkpoint taken writes");
    // Compared as bytes: norms a checkpoint lacks read as NaN, which no value equals.
    let back = Checkpoint::from_bytes(&bytes).expect("it reads back");
    assert_eq!(back.to_bytes().expect("it writes again"), bytes);
}

fn read(bytes: &[u8]) {
    let Ok(checkpoint) = Checkpoint::from_bytes(bytes) else {
        return;
    };
    let written = checkpoint.to_bytes().expect("a checkpoint read writes");
    let back = Checkpoint::from_bytes(&written).expect("a written checkpoint reads back");
    assert_eq!(back.to_bytes().expect("it writes again"), written);
    assert_eq!(back.history().len(), back.epoch());
    if checkpoint.network::<Tiny, 3, 2>().is_err() {
        return;
    }
    let data = data();
    resume(Adam::new(0.01), &checkpoint, &data);
    resume(Sgd::new(0.1).with_momentum(0.9), &checkpoint, &data);
}

/// `bytes` with the last four replaced by the CRC-32 of the others, or `None` when shorter or
/// when that changes nothing.
fn resigned(bytes: &[u8]) -> Option<Vec<u8>> {
    let body = bytes.len().checked_sub(4)?;
    let mut out = bytes.to_vec();
    let checksum = crc32fast::hash(&bytes[..body]);
    out[body..].copy_from_slice(&checksum.to_le_bytes());
    (out != bytes).then_some(out)
}

fuzz_target!(|bytes: &[u8]| {
    read(bytes);
    if let Some(resigned) = resigned(bytes) {
        read(&resigned);
    }
});
