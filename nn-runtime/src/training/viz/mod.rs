//! Pictures of a declared network: a self-contained HTML page that steps through one sample's
//! forward pass, loss, backward pass and optimizer update with nn's own numbers
//! ([`network_page`]), and a static SVG of the network for documents ([`network_svg`]); and the
//! HTML report of a training run ([`TrainingReport`]).

mod page;
mod page_data;
mod page_error;
mod report;
mod svg;
mod svg_layout;
mod trace;
mod trace_layer;
mod trace_recompute;

pub use page::{network_page, save_network_page};
pub use page_error::VizError;
pub use report::{ReportError, TrainingReport, training_report};
pub use svg::{network_svg, save_network_svg};
pub use trace_layer::{LayerTrace, TraceKind};
pub use trace_recompute::{
    batch_norm_pre_activation, dense_pre_activation, gradient_through_batch_norm,
    gradient_through_dense, gradient_through_dropout, gradient_through_layer_norm,
    layer_norm_pre_activation,
};
