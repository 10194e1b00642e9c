//! A typed network in the JSON format (the document of `nn_format::json`).

use nn_format::Preprocessing;
use nn_format::json::{self, Document};

use super::ModelError;
use super::binary::{Loaded, from_le_values, push_le};
use super::header::{Layout, check};
use super::tensors::{check_finite, visit};
use crate::Network;

/// Writes `network` as a pretty-printed JSON document. Fails on a NaN or infinite value.
pub(crate) fn write<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    network: &N,
) -> Result<String, ModelError> {
    write_with(network, None)
}

/// Writes `network` with a preprocessing `section` (already checked) as a pretty-printed JSON
/// document. Fails on a NaN or infinite value of the network.
pub(crate) fn write_with<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    network: &N,
    section: Option<&Preprocessing<N::Scalar>>,
) -> Result<String, ModelError> {
    check_finite(network)?;
    let mut values: Vec<Vec<Vec<N::Scalar>>> = Vec::with_capacity(N::LAYERS.len());
    let mut previous: Option<&'static str> = None;
    visit(network, |layer, _, tensor| {
        if previous != Some(layer.name) {
            values.push(Vec::new());
            previous = Some(layer.name);
        }
        if let Some(tensors) = values.last_mut() {
            tensors.push(tensor.to_vec());
        }
    });
    let mut document = Document::new(Layout::of::<N, IN, OUT>().header(), values);
    document.preprocessing = section.cloned();
    serde_json::to_string_pretty(&document)
        .map_err(|error| ModelError::Malformed(error.to_string()))
}

/// Reads a JSON document into a new `N`, after checking every field against `N`. A
/// preprocessing section is passed over.
pub(crate) fn read<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    text: &str,
) -> Result<N, ModelError> {
    read_with(text).map(|(network, _)| network)
}

/// Reads a JSON document into a new `N` and any preprocessing section, after checking every field
/// of the network against `N` (the section's contents are the caller's to check).
pub(crate) fn read_with<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    text: &str,
) -> Result<Loaded<N, N::Scalar>, ModelError> {
    let document = json::parse::<N::Scalar>(text)?;
    check(&document.header(), Layout::of::<N, IN, OUT>())?;
    let mut bytes = Vec::with_capacity(N::LEN * size_of::<N::Scalar>());
    push_le(&mut bytes, &document.values()?);
    Ok((from_le_values(&bytes)?, document.preprocessing))
}
