//! A learning-rate schedule given as a function, for [`LrSchedule::custom`](super::LrSchedule::custom).

use std::fmt;
use std::sync::Arc;

/// `f(epoch, base_lr)`: the rate of the epoch after `epoch` finished epochs.
#[derive(Clone)]
pub(crate) struct CustomRate(pub Arc<dyn Fn(usize, f64) -> f64 + Send + Sync>);

impl fmt::Debug for CustomRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CustomRate(..)")
    }
}

impl PartialEq for CustomRate {
    /// The same function (the same `Arc`).
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}
