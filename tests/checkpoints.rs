//! Checkpoints and resuming: a run resumed from a checkpoint ends bit for bit where the run never
//! interrupted ends, for every optimizer, with dropout, L1/L2, a schedule, validation and early
//! stopping on; callbacks see the network and can stop; a second `fit` starts over unless told to
//! continue; a checkpoint that cannot be written or read is a typed error.

use std::ops::ControlFlow;
use std::path::PathBuf;

use nn::prelude::*;
use nn::train::{Checkpoint, Checkpoints};

network! {
    pub struct Classifier: Input<6> -> Dense<16, Relu> -> Dropout<0.2> -> Dense<12, Tanh>
        -> Dense<3, Softmax>;
}

fn data() -> Dataset<f32, 6, 3> {
    let mut rng = StdRng::seed_from_u64(3);
    let inputs: Vec<[f32; 6]> = (0..150)
        .map(|_| std::array::from_fn(|_| nn::rand::RngExt::random_range(&mut rng, -2.0..2.0)))
        .collect();
    let targets: Vec<[f32; 3]> = inputs
        .iter()
        .map(|x| {
            let class = usize::from(x[0] + x[1] > 0.0) + usize::from(x[2] > 1.0);
            std::array::from_fn(|c| f32::from(c == class))
        })
        .collect();
    Dataset::from_arrays(&inputs, &targets).unwrap()
}

/// A fresh directory for one test's files.
fn directory(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nn-checkpoints-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A trainer with everything that keeps state between epochs switched on.
fn trainer<'a, O: Optimizer>(optimizer: O) -> Trainer<'a, O, SoftmaxCrossEntropy> {
    Trainer::new(optimizer, SoftmaxCrossEntropy)
        .batch_size(16)
        .epochs(7)
        .seed(11)
        .l1(1e-4)
        .l2(1e-3)
        .validation_fraction(0.2)
        .early_stopping(EarlyStopping::new(50).with_restore_best_weights(true))
        .schedule(
            LrSchedule::reduce_on_plateau()
                .with_patience(1)
                .with_factor(0.5)
                .with_threshold(0.5),
        )
        .progress(false)
}

fn bits(net: &Classifier) -> Vec<u32> {
    let mut bits = Vec::new();
    net.for_each_tensor(|_, values| bits.extend(values.iter().map(|v| v.to_bits())));
    bits
}

fn resumed_run_equals_the_uninterrupted_one<O: Optimizer + Clone>(name: &str, optimizer: O) {
    let dir = directory(name);
    let data = data();
    let start = Classifier::new(&mut StdRng::seed_from_u64(5));

    let mut whole = start.clone();
    let history = trainer(optimizer.clone())
        .checkpoints(Checkpoints::to(dir.join("run-{epoch}.ckpt").to_str().unwrap()).every(3))
        .fit(&mut whole, &data)
        .unwrap();
    assert!(dir.join("run-3.ckpt").exists() && dir.join("run-6.ckpt").exists());
    assert!(!dir.join("run-4.ckpt").exists());

    let checkpoint = Checkpoint::load(dir.join("run-3.ckpt")).unwrap();
    assert_eq!(checkpoint.epoch(), 3);
    assert_eq!(checkpoint.history(), &history.epochs[..3]);
    let mut resumed = Classifier::new(&mut StdRng::seed_from_u64(99));
    let again = trainer(optimizer)
        .resume_from(checkpoint)
        .fit(&mut resumed, &data)
        .unwrap();
    assert_eq!(again, history, "{name}: histories differ");
    assert_eq!(bits(&resumed), bits(&whole), "{name}: weights differ");
    // The learning rate was halved on a plateau at least once, so the schedule's state mattered.
    let rates: Vec<f64> = history.epochs.iter().map(|r| r.learning_rate).collect();
    assert!(rates.windows(2).any(|w| w[1] < w[0]), "{name}: {rates:?}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn resuming_adam_is_bit_identical() {
    resumed_run_equals_the_uninterrupted_one("adam", Adam::new(0.01).with_amsgrad(true));
}

#[test]
fn resuming_adamw_is_bit_identical() {
    resumed_run_equals_the_uninterrupted_one("adamw", AdamW::new(0.01));
}

#[test]
fn resuming_sgd_with_nesterov_momentum_is_bit_identical() {
    resumed_run_equals_the_uninterrupted_one(
        "sgd",
        Sgd::new(0.1).with_momentum(0.9).with_nesterov(true),
    );
}

#[test]
fn resuming_rmsprop_is_bit_identical() {
    resumed_run_equals_the_uninterrupted_one(
        "rmsprop",
        RmsProp::new(0.005).with_momentum(0.5).with_centered(true),
    );
}

#[test]
fn a_second_fit_starts_over_unless_told_to_continue() {
    let data = data();
    let start = Classifier::new(&mut StdRng::seed_from_u64(5));
    let mut trainer = trainer(Adam::new(0.01)).epochs(3);

    // Six epochs in one go.
    let mut whole = start.clone();
    let six = self::trainer(Adam::new(0.01))
        .epochs(6)
        .fit(&mut whole, &data)
        .unwrap();

    // Three, then three more continuing from the trainer's own state.
    let mut net = start.clone();
    trainer.fit(&mut net, &data).unwrap();
    let checkpoint = trainer.checkpoint(&net).unwrap().unwrap();
    let mut trainer = trainer.epochs(6).resume_from(checkpoint);
    let continued = trainer.fit(&mut net, &data).unwrap();
    assert_eq!(continued.epochs.len(), 6);
    assert_eq!(continued, six);
    assert_eq!(bits(&net), bits(&whole));

    // Without `resume_from`, the next fit starts over: epoch 1, fresh optimizer state.
    let mut trainer = trainer.epochs(3);
    let mut restarted = start.clone();
    let fresh = trainer.fit(&mut restarted, &data).unwrap();
    assert_eq!(fresh.epochs[0].epoch, 1);
    assert_eq!(fresh.epochs[..], six.epochs[..3]);
}

#[test]
fn a_callback_sees_the_network_and_can_stop_training() {
    let data = data();
    let mut net = Classifier::new(&mut StdRng::seed_from_u64(5));
    let mut seen = Vec::new();
    let history = trainer(Adam::new(0.01))
        .fit_with(&mut net, &data, |record, network: &Classifier| {
            seen.push(nn::model::to_bytes(network).unwrap());
            if record.epoch == 2 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap();
    assert_eq!(history.stop_reason, StopReason::Callback { epoch: 2 });
    assert_eq!(history.epochs.len(), 2);
    assert_eq!(seen.len(), 2);
    assert_ne!(seen[0], seen[1]);
}

#[test]
fn a_checkpoint_that_cannot_be_written_stops_training_with_an_error_and_keeps_the_weights() {
    let data = data();
    let start = Classifier::new(&mut StdRng::seed_from_u64(5));
    let mut one_epoch = start.clone();
    trainer(Adam::new(0.01))
        .epochs(1)
        .fit(&mut one_epoch, &data)
        .unwrap();
    let mut net = start.clone();
    let missing = directory("unwritable").join("no/such/dir/run-{epoch}.ckpt");
    let error = trainer(Adam::new(0.01))
        .checkpoints(Checkpoints::to(missing.to_str().unwrap()))
        .fit(&mut net, &data)
        .unwrap_err();
    let TrainError::Checkpoint { epoch, path, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(*epoch, 1);
    assert!(path.ends_with("no/such/dir/run-1.ckpt"));
    assert!(
        error
            .to_string()
            .contains("the network holds the weights of epoch 1")
    );
    assert_eq!(bits(&net), bits(&one_epoch));
}

#[test]
fn damaged_or_mismatched_checkpoints_are_errors() {
    let dir = directory("damaged");
    let data = data();
    let mut net = Classifier::new(&mut StdRng::seed_from_u64(5));
    trainer(Adam::new(0.01))
        .epochs(2)
        .checkpoints(Checkpoints::to(dir.join("last.ckpt").to_str().unwrap()))
        .fit(&mut net, &data)
        .unwrap();
    let bytes = std::fs::read(dir.join("last.ckpt")).unwrap();
    let checkpoint = Checkpoint::from_bytes(&bytes).unwrap();
    assert_eq!(checkpoint.to_bytes().unwrap(), bytes);
    assert_eq!(checkpoint.network::<Classifier, 6, 3>().unwrap(), net);

    let mut damaged = bytes.clone();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 1;
    assert!(Checkpoint::from_bytes(&damaged).is_err());
    assert!(Checkpoint::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    assert!(
        Checkpoint::from_bytes(b"nn-model")
            .unwrap_err()
            .to_string()
            .contains("not an nn checkpoint")
    );

    // Another optimizer, another seed, or fewer epochs than done: refused, network untouched.
    let untouched = net.clone();
    let refuse = |trainer: Trainer<'_, Sgd, SoftmaxCrossEntropy>| {
        let mut copy = untouched.clone();
        let error = trainer
            .resume_from(checkpoint.clone())
            .fit(&mut copy, &data)
            .unwrap_err();
        assert_eq!(copy, untouched);
        error.to_string()
    };
    let sgd = || {
        Trainer::new(Sgd::new(0.1), SoftmaxCrossEntropy)
            .batch_size(16)
            .seed(11)
            .validation_fraction(0.2)
            .progress(false)
    };
    assert!(
        refuse(sgd()).contains("`Adam`, expected `Sgd`"),
        "{}",
        refuse(sgd())
    );
    assert!(refuse(sgd().seed(12)).contains("with seed 11"));
    assert!(refuse(sgd().epochs(1)).contains("after epoch 2"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_session_state_resumes_on_any_thread_count_and_refuses_several_dropout_streams() {
    use nn::train::Session;
    let mut one = Session::<Classifier, 6, 3>::with_threads(8, 40, 3, 1).unwrap();
    let mut two = Session::<Classifier, 6, 3>::with_threads(8, 40, 3, 2).unwrap();
    let mut state = one.state();
    assert_eq!(state.dropout.len(), 1);
    two.restore(&state).unwrap();
    assert_eq!(two.state(), state);
    // A checkpoint of an earlier version's multi-threaded run drew a stream per thread.
    state.dropout.push(state.dropout[0].clone());
    let error = one.restore(&state).unwrap_err();
    assert!(error.contains("2 dropout streams, expected 1"), "{error}");
}
