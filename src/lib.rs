//! # nn
//!
//! Neural networks declared in source with [`network!`] and compiled into specialized code:
//! statically sized weights, generated forward and backward passes, shapes checked at compile
//! time, and training that allocates nothing per step.
//!
//! ```
//! use nn::prelude::*;
//!
//! network! {
//!     /// Learns XOR.
//!     pub struct Xor: Input<2> -> Dense<4, Tanh> -> Dense<1, Sigmoid>;
//! }
//!
//! let mut rng = StdRng::seed_from_u64(1);
//! let net = Xor::new(&mut rng);
//! let y = net.forward(&[0.0, 1.0]);
//! assert!(y[0] > 0.0 && y[0] < 1.0);
//! assert_eq!(Xor::PARAMETERS, 2 * 4 + 4 + 4 + 1);
//! ```
//!
//! # Features
//!
//! * `train` (default): the heap-backed network type with its `Network` impl, the other
//!   optimizers and schedules, datasets, the trainer with its threads and progress bar, metrics
//!   ([`metrics`]: scikit-learn's classification and regression scores) and model files.
//!   Implies `std` and `learn`.
//! * `learn`: learning without `std` or a heap: the losses, [`Sgd`] and [`Adam`], and each
//!   network's inline learner (`<Name>Learner`).
//! * `std`: links the standard library.
//!
//! Without default features only inference remains, with neither `std` nor a heap: every
//! description still compiles into its frozen type (`<Name>Frozen`), whose weights are baked in
//! with [`include_model!`] and which runs `forward` in `f32` or `f64`.

#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

extern crate self as nn;

pub use nn_macros::{include_model, network};
pub use nn_runtime::{
    Activation, BakedLayout, DenseParameters, ElementwiseActivation, Elu, Float, FrozenDense,
    FrozenNorm, Gelu, GeluTanh, HardTanh, Identity, LayerActivation, LayerKind, LayerShape,
    LeakyRelu, Relu, Sigmoid, Silu, Softmax, Softplus, Summary, SummaryRow, Tanh, TensorKind,
    Tensors, kernels,
};
#[cfg(feature = "learn")]
pub use nn_runtime::{
    Adam, BinaryCrossEntropy, Huber, HyperparameterError, InlineRule, LearnError, Loss,
    MeanSquaredError, Sgd, SmoothL1, SoftmaxCrossEntropy, loss, optim,
};
#[cfg(feature = "train")]
pub use nn_runtime::{
    AdamW, BatchMatrix, BatchNorm, DataError, Dataset, Dense, EarlyStopping, ElementwiseUpdate,
    FusedUpdate, Initializer, LayerNorm, LrSchedule, Metric, Network, PredictError, Predictor,
    ProbabilityOutput, RmsProp, Side, TrainError, Trainer, WholeTensors, data, evaluate, metrics,
    model, predict, predict_classes, predict_probabilities, train,
};
#[cfg(feature = "train")]
pub use nn_runtime::{LayerTrace, TraceKind, viz};

/// The nalgebra this crate is built on, so users never match versions by hand.
pub use nalgebra;
/// The rand this crate is built on, so users never match versions by hand.
#[cfg(feature = "train")]
pub use rand;

/// Everything a program that declares and trains networks needs.
pub mod prelude {
    pub use crate::{include_model, network};
    pub use nalgebra::{SMatrix, SVector};
    pub use nn_runtime::Tensors;
    #[cfg(feature = "train")]
    pub use nn_runtime::optim::Optimizer;
    #[cfg(feature = "train")]
    pub use nn_runtime::train::{
        Checkpoint, Checkpoints, ClassWeights, EpochRecord, History, StopReason,
    };
    /// The activations, so that a misspelt one in a description gets the compiler's "a struct
    /// with a similar name exists" help, and the traits for writing one's own.
    pub use nn_runtime::{
        Activation, ElementwiseActivation, Float, Identity, LeakyRelu, Relu, Sigmoid, Softmax, Tanh,
    };
    #[cfg(feature = "learn")]
    pub use nn_runtime::{
        Adam, BinaryCrossEntropy, Huber, MeanSquaredError, Sgd, SmoothL1, SoftmaxCrossEntropy,
    };
    #[cfg(feature = "train")]
    pub use nn_runtime::{
        AdamW, BatchMatrix, Dataset, EarlyStopping, LrSchedule, Metric, Network, PredictError,
        Predictor, RmsProp, TrainError, Trainer, evaluate, predict, predict_classes,
        predict_probabilities,
    };
    #[cfg(feature = "train")]
    pub use rand::SeedableRng;
    #[cfg(feature = "train")]
    pub use rand::rngs::StdRng;
}

/// The README's examples, compiled as doctests so they stay true.
#[cfg(all(doctest, feature = "train"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// Paths used by code that `network!` generates. Not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::__learn_only as learn_only;
    pub use crate::__train_only as train_only;
    pub use bytemuck;
    pub use nalgebra;
    pub use nn_runtime::*;
    #[cfg(feature = "train")]
    pub use rand;
    pub use serde;
    #[cfg(feature = "train")]
    pub use std::boxed::Box;
}

/// Keeps the items it wraps where the `learn` feature is on and drops them where it is off: the
/// inline learner of each network.
#[cfg(feature = "learn")]
#[doc(hidden)]
#[macro_export]
macro_rules! __learn_only {
    ($($item:item)*) => { $($item)* };
}

/// See the other definition: without `learn`, the items are dropped.
#[cfg(not(feature = "learn"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __learn_only {
    ($($item:item)*) => {};
}

/// Keeps the items it wraps where the `train` feature is on and drops them where it is off:
/// `network!` wraps the heap-backed training type in it, so that the code it generates follows
/// this crate's features, not the macro's.
#[cfg(feature = "train")]
#[doc(hidden)]
#[macro_export]
macro_rules! __train_only {
    ($($item:item)*) => { $($item)* };
}

/// See the other definition: without `train`, the items are dropped.
#[cfg(not(feature = "train"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __train_only {
    ($($item:item)*) => {};
}
