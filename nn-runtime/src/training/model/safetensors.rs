//! A typed network in a safetensors file (read and written by `nn_format::safetensors`): each
//! layer's tensors as PyTorch's `nn.Linear`, `nn.LayerNorm` and `nn.BatchNorm1d` hold them
//! (`weight`, `bias`, `running_mean`, `running_var`), checked against the network: its layers'
//! names, kinds and shapes. A `state_dict` of a `torch.nn.Sequential` is read by position, its
//! modules named as `network!` names fields (`dense1`, `batchnorm1`, `layernorm1`, …); an
//! explicit map of tensor names ([`TensorNames::Explicit`]) names dense layers only.

use nn_format::safetensors::{self, TensorNames};

use super::ModelError;
use super::binary::{from_le_values, push_le};
use super::header::{Layout, check};
use super::tensors::{check_finite, visit};
use crate::Network;

/// Encodes `network`. Fails on a NaN or infinite value.
pub(crate) fn write<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    network: &N,
) -> Result<Vec<u8>, ModelError> {
    check_finite(network)?;
    let mut values = Vec::with_capacity(N::LEN * size_of::<N::Scalar>());
    visit(network, |_, _, tensor| push_le(&mut values, tensor));
    safetensors::encode(&Layout::of::<N, IN, OUT>().header(), &values)
}

/// Decodes a new `N`, its layers found by `names`, after checking every tensor against `N`
/// (a batch normalization's running statistics are loaded as they are in the file; PyTorch's
/// `num_batches_tracked` is ignored).
pub(crate) fn read<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    bytes: &[u8],
    names: TensorNames,
) -> Result<N, ModelError> {
    let file = safetensors::decode(bytes, names)?;
    check(&file.header, Layout::of::<N, IN, OUT>())?;
    from_le_values(&file.values.to_le_bytes())
}
