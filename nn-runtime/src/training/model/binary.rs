//! A typed network in the binary format (framed by `nn_format::binary`).

use bytemuck::Pod;
use nn_format::{Preprocessing, binary};

use super::header::{Layout, check};
use super::tensors::{check_finite, non_finite, visit};
use super::{ModelError, tensors};
use crate::Network;

/// A loaded network of element type `T` and the preprocessing section of its file, if any.
pub(crate) type Loaded<N, T> = (N, Option<Preprocessing<T>>);

/// Encodes `network`. Fails on a NaN or infinite value.
pub(crate) fn write<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    network: &N,
) -> Result<Vec<u8>, ModelError> {
    write_with(network, None)
}

/// Encodes `network` with a preprocessing `section` (already checked): its widths in the header,
/// its values after the network's. Fails on a NaN or infinite value of the network.
pub(crate) fn write_with<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    network: &N,
    section: Option<&Preprocessing<N::Scalar>>,
) -> Result<Vec<u8>, ModelError> {
    check_finite(network)?;
    let mut header = Layout::of::<N, IN, OUT>().header();
    header.preprocessing = section.map(Preprocessing::header);
    let extra = section.map(Preprocessing::values).unwrap_or_default();
    let values = (N::LEN + extra.len()) * size_of::<N::Scalar>();
    Ok(binary::encode(&header, values, |out| {
        visit(network, |_, _, values| push_le(out, values));
        push_le(out, &extra);
    }))
}

/// Decodes a new `N` from `bytes`, after checking the framing, the checksum and the header. A
/// preprocessing section is passed over.
pub(crate) fn read<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    bytes: &[u8],
) -> Result<N, ModelError> {
    read_with(bytes).map(|(network, _)| network)
}

/// Decodes a new `N` and any preprocessing section from `bytes`, after checking the framing, the
/// checksum and the header (the section's contents are the caller's to check).
pub(crate) fn read_with<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    bytes: &[u8],
) -> Result<Loaded<N, N::Scalar>, ModelError> {
    let framed = binary::split(bytes)?;
    check(&framed.header, Layout::of::<N, IN, OUT>())?;
    let network = from_le_values(framed.values)?;
    let section = framed.header.preprocessing.map(|header| {
        let count = framed.preprocessing.len() / size_of::<N::Scalar>();
        let mut values = vec![N::Scalar::default(); count];
        copy_le(framed.preprocessing, &mut values);
        Preprocessing::from_header(header, &values)
    });
    Ok((network, section))
}

/// A new `N` from the little-endian bytes of its values in file order, which a header checked
/// against `N` describes; fails on a short buffer or a NaN or infinite value.
pub(crate) fn from_le_values<N: Network<IN, OUT>, const IN: usize, const OUT: usize>(
    values: &[u8],
) -> Result<N, ModelError> {
    let mut network = N::zeros();
    let (mut offset, mut error) = (0, None);
    tensors::visit_mut(&mut network, |layer, kind, target| {
        if error.is_some() {
            return;
        }
        let len = size_of_val(target);
        match values.get(offset..offset + len) {
            Some(source) => copy_le(source, target),
            None => {
                error = Some(ModelError::Truncated {
                    what: "values",
                    expected: offset + len,
                    found: values.len(),
                });
                return;
            }
        }
        offset += len;
        error = non_finite(layer, kind, target);
    });
    error.map_or(Ok(network), Err)
}

/// Appends `values` as little-endian bytes.
pub(crate) fn push_le<T: Pod>(out: &mut Vec<u8>, values: &[T]) {
    let bytes: &[u8] = bytemuck::cast_slice(values);
    if cfg!(target_endian = "little") {
        out.extend_from_slice(bytes);
    } else {
        for value in bytes.chunks_exact(size_of::<T>()) {
            out.extend(value.iter().rev());
        }
    }
}

/// Fills `target` from little-endian bytes of the same length.
fn copy_le<T: Pod>(source: &[u8], target: &mut [T]) {
    let target: &mut [u8] = bytemuck::cast_slice_mut(target);
    for (to, from) in target.iter_mut().zip(source) {
        *to = *from;
    }
    if cfg!(target_endian = "big") {
        for value in target.chunks_exact_mut(size_of::<T>()) {
            value.reverse();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_little_endian_both_ways() {
        let mut bytes = Vec::new();
        push_le(&mut bytes, &[1.0f32, -2.5]);
        assert_eq!(bytes[..4], 1.0f32.to_le_bytes());
        assert_eq!(bytes[4..], (-2.5f32).to_le_bytes());
        let mut back = [0.0f32; 2];
        copy_le(&bytes, &mut back);
        assert_eq!(back, [1.0, -2.5]);
    }
}
