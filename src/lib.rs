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

#![warn(missing_docs)]

extern crate self as nn;

pub use nn_macros::network;
pub use nn_runtime::{
    Activation, Adam, AdamW, BatchMatrix, BinaryCrossEntropy, DataError, Dataset, Dense,
    EarlyStopping, Float, HyperparameterError, Identity, Initializer, LayerShape, LeakyRelu, Loss,
    LrSchedule, MeanSquaredError, Metric, Network, Relu, RmsProp, Sgd, Side, Sigmoid, Softmax,
    SoftmaxCrossEntropy, Summary, SummaryRow, Tanh, TensorKind, Tensors, TrainError, Trainer, data,
    evaluate, kernels, loss, model, optim, train,
};

/// The nalgebra this crate is built on, so users never match versions by hand.
pub use nalgebra;
/// The rand this crate is built on, so users never match versions by hand.
pub use rand;

/// Everything a program that declares and trains networks needs.
pub mod prelude {
    pub use crate::network;
    pub use nalgebra::{SMatrix, SVector};
    pub use nn_runtime::optim::Optimizer;
    pub use nn_runtime::train::{EpochRecord, History, StopReason};
    pub use nn_runtime::{
        Adam, AdamW, BatchMatrix, BinaryCrossEntropy, Dataset, EarlyStopping, LrSchedule,
        MeanSquaredError, Metric, Network, RmsProp, Sgd, SoftmaxCrossEntropy, Tensors, TrainError,
        Trainer, evaluate,
    };
    pub use rand::SeedableRng;
    pub use rand::rngs::StdRng;
}

/// The README's examples, compiled as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// Paths used by code that `network!` generates. Not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use nalgebra;
    pub use nn_runtime::*;
    pub use rand;
    pub use serde;
}
