//! Learning without `std` or a heap (feature `learn`): losses, the SGD and Adam update rules and
//! the elementwise loops they run on, shared by the trainer (feature `train`, which builds on
//! this) and by the inline learner `network!` generates for a device, so that both compute the
//! same bits.

pub(crate) mod error;
pub(crate) mod inline;
pub mod loss;
pub mod optim;
pub(crate) mod pieces;
pub(crate) mod rule;
