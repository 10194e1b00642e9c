//! What running a trained network needs, without `std` or a heap: frozen layers with their
//! weights inline, the input-width checks, layer shapes, the summary table and the compile-time
//! checks of baked weights.

pub(crate) mod bake;
pub(crate) mod frozen;
pub(crate) mod frozen_norm;
pub(crate) mod input;
pub(crate) mod layout;
pub(crate) mod summary;
pub(crate) mod width;
