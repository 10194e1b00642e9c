//! The binary format's framing: compact and checksummed.
//!
//! ```text
//! offset  size  content
//! 0       8     magic bytes `nn-model`
//! 8       4     format version, u32 little-endian
//! 12      4     header length H, u32 little-endian
//! 16      H     header, compact JSON: {"network":…,"scalar":…,"layers":[{"name":…,"shape":[o,i]},…]}
//! 16+H    V     values, little-endian f32/f64: per layer the weight (column-major), then the bias
//! 16+H+V  P     preprocessing values, if the header has a `preprocessing` section, in the same type
//! 16+H+V+P 4    CRC-32 (IEEE) of every byte before it, u32 little-endian
//! ```
//!
//! A header's optional `"preprocessing":{"version":1,"inputs":…,"targets":…,"classes":[…]}`
//! (see [`crate::preprocessing`]) gives the widths of the preprocessing values; a file without
//! it is exactly a file of the network alone.

use crate::ModelError;
use crate::header::{FORMAT, Header, VERSION};
use crate::preprocessing::check_version;

/// The first bytes of every binary model file: the format tag.
pub const MAGIC: &[u8; 8] = b"nn-model";
/// The size of the magic bytes, version and header length.
const PREFIX: usize = 16;
/// The size of the trailing checksum.
const CHECKSUM: usize = 4;

/// Frames `header` and the value bytes that `values` appends (`value_len` of them) into a
/// complete file, checksum included.
pub fn encode(header: &Header, value_len: usize, values: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let header =
        serde_json::to_vec(header).expect("a header of strings and integers always serializes");
    let header_len = u32::try_from(header.len()).expect("a header is far below 4 GiB");
    let mut out = Vec::with_capacity(PREFIX + header.len() + value_len + CHECKSUM);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&header_len.to_le_bytes());
    out.extend_from_slice(&header);
    values(&mut out);
    let checksum = crc32fast::hash(&out);
    out.extend_from_slice(&checksum.to_le_bytes());
    out
}

/// A binary file taken apart by [`split`].
#[derive(Clone, Debug, PartialEq)]
pub struct Framed<'a> {
    /// The header.
    pub header: Header,
    /// The bytes of the network's values.
    pub values: &'a [u8],
    /// The bytes of the preprocessing section's values (none without a section).
    pub preprocessing: &'a [u8],
}

/// Checks the framing, the checksum and the version of any preprocessing section; returns the
/// header and the value bytes of the network and of the preprocessing section.
pub fn split(bytes: &[u8]) -> Result<Framed<'_>, ModelError> {
    match bytes.get(..MAGIC.len()) {
        Some(magic) if magic == MAGIC => {}
        _ if MAGIC.starts_with(bytes) => return Err(truncated("format tag", MAGIC.len(), bytes)),
        _ => {
            let found = &bytes[..bytes.len().min(MAGIC.len())];
            return Err(ModelError::Format {
                found: found.escape_ascii().to_string(),
                expected: FORMAT,
            });
        }
    }
    let version = read_u32(bytes, 8, "format version")?;
    if version != VERSION {
        return Err(ModelError::Version {
            found: version.into(),
            expected: VERSION,
        });
    }
    let header_len = read_u32(bytes, 12, "header length")? as usize;
    let rest = bytes.get(PREFIX..).unwrap_or_default();
    let (Some(header), Some(rest)) = (rest.get(..header_len), rest.get(header_len..)) else {
        return Err(truncated("header", header_len, rest));
    };
    let header: Header = serde_json::from_slice(header).map_err(|error| {
        // A damaged header is better reported as damage than as a syntax error.
        verify_checksum(bytes)
            .err()
            .unwrap_or_else(|| ModelError::Malformed(format!("the header is invalid: {error}")))
    })?;
    if let Some(section) = &header.preprocessing {
        check_version(section.version).map_err(|error| {
            verify_checksum(bytes)
                .err()
                .unwrap_or_else(|| ModelError::from(error))
        })?;
    }
    let preprocessing_count = match &header.preprocessing {
        Some(section) => section.value_count(),
        None => Some(0),
    };
    let scalar_size = header.scalar_size().ok();
    let network_len = header
        .value_count()
        .and_then(|count| count.checked_mul(scalar_size?));
    let preprocessing_len = preprocessing_count.and_then(|count| count.checked_mul(scalar_size?));
    let value_len = network_len
        .zip(preprocessing_len)
        .and_then(|(network, preprocessing)| network.checked_add(preprocessing))
        .and_then(|len| len.checked_add(CHECKSUM));
    let (Some(expected), Some(network_len)) = (value_len, network_len) else {
        header.scalar_size()?;
        return Err(ModelError::Malformed(
            "the header's layers or preprocessing are too large".into(),
        ));
    };
    if rest.len() < expected {
        return Err(truncated("values and checksum", expected, rest));
    }
    if rest.len() > expected {
        return Err(ModelError::TrailingBytes {
            found: rest.len() - expected,
        });
    }
    verify_checksum(bytes)?;
    let (values, preprocessing) = rest[..expected - CHECKSUM].split_at(network_len);
    Ok(Framed {
        header,
        values,
        preprocessing,
    })
}

/// Compares the CRC-32 in the last 4 bytes with that of the bytes before them.
fn verify_checksum(bytes: &[u8]) -> Result<(), ModelError> {
    let Some((body, stored)) = bytes
        .len()
        .checked_sub(CHECKSUM)
        .map(|at| bytes.split_at(at))
    else {
        return Err(truncated("checksum", CHECKSUM, bytes));
    };
    let stored = u32::from_le_bytes(stored.try_into().unwrap_or_default());
    let computed = crc32fast::hash(body);
    if stored == computed {
        Ok(())
    } else {
        Err(ModelError::Checksum { stored, computed })
    }
}

fn read_u32(bytes: &[u8], at: usize, what: &'static str) -> Result<u32, ModelError> {
    let field = bytes
        .get(at..at + 4)
        .and_then(|field| field.try_into().ok());
    field
        .map(u32::from_le_bytes)
        .ok_or_else(|| truncated(what, 4, bytes.get(at..).unwrap_or_default()))
}

fn truncated(what: &'static str, expected: usize, found: &[u8]) -> ModelError {
    ModelError::Truncated {
        what,
        expected,
        found: found.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(header: &[u8], values: &[u8]) -> Vec<u8> {
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&VERSION.to_le_bytes());
        bytes.extend_from_slice(&(header.len() as u32).to_le_bytes());
        bytes.extend_from_slice(header);
        bytes.extend_from_slice(values);
        let checksum = crc32fast::hash(&bytes);
        bytes.extend_from_slice(&checksum.to_le_bytes());
        bytes
    }

    const HEADER: &[u8] =
        br#"{"network":"T","scalar":"f32","layers":[{"name":"dense1","shape":[1,2]}]}"#;

    #[test]
    fn a_well_framed_file_splits_into_header_and_values() {
        let bytes = framed(HEADER, &[0; 12]);
        let parts = split(&bytes).unwrap();
        assert_eq!(parts.header.network, "T");
        assert_eq!(parts.values.len(), 12);
        assert!(parts.preprocessing.is_empty());
    }

    const WITH_PREPROCESSING: &[u8] = br#"{"network":"T","scalar":"f32","layers":[{"name":"dense1","shape":[1,2]}],"preprocessing":{"version":1,"inputs":2,"classes":["a","b"]}}"#;

    #[test]
    fn preprocessing_values_follow_the_network_values() {
        let bytes = framed(WITH_PREPROCESSING, &[&[1; 12][..], &[3; 16]].concat());
        let parts = split(&bytes).unwrap();
        assert_eq!(parts.values, [1; 12]);
        assert_eq!(parts.preprocessing, [3; 16]);
        let section = parts.header.preprocessing.unwrap();
        assert_eq!(section.inputs, Some(2));
        assert_eq!(section.classes.unwrap(), ["a", "b"]);
        // Without them the file is short; a section of another version is refused.
        let error = split(&framed(WITH_PREPROCESSING, &[0; 12])).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the file is truncated: expected 32 bytes of values and checksum, found 16"
        );
        let newer = String::from_utf8(WITH_PREPROCESSING.to_vec())
            .unwrap()
            .replace(r#""version":1"#, r#""version":2"#);
        let error = split(&framed(newer.as_bytes(), &[0; 28])).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the model file's preprocessing section has version 2, expected version 1"
        );
    }

    #[test]
    fn every_prefix_and_every_flipped_byte_is_an_error() {
        let bytes = framed(HEADER, &[7; 12]);
        for len in 0..bytes.len() {
            assert!(split(&bytes[..len]).is_err(), "prefix of {len} bytes");
        }
        for at in 0..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x10;
            assert!(split(&damaged).is_err(), "byte {at} flipped");
        }
    }

    #[test]
    fn framing_errors_say_what_is_wrong() {
        let bytes = framed(HEADER, &[0; 12]);
        let mut other = bytes.clone();
        other[..8].copy_from_slice(b"PK\x03\x04abcd");
        assert!(matches!(split(&other), Err(ModelError::Format { .. })));
        let mut newer = bytes.clone();
        newer[8] = 9;
        assert!(matches!(
            split(&newer),
            Err(ModelError::Version { found: 9, .. })
        ));
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(matches!(
            split(&longer),
            Err(ModelError::TrailingBytes { found: 1 })
        ));
        let error = split(&bytes[..bytes.len() - 6]).unwrap_err().to_string();
        assert_eq!(
            error,
            "the file is truncated: expected 16 bytes of values and checksum, found 10"
        );
        let mut flipped = bytes.clone();
        flipped[PREFIX + HEADER.len() + 3] ^= 1;
        let error = split(&flipped).unwrap_err().to_string();
        assert!(
            error.starts_with("the file is corrupt: checksum mismatch"),
            "{error}"
        );
        let unknown = framed(&HEADER.to_ascii_uppercase(), &[]);
        assert!(matches!(split(&unknown), Err(ModelError::Malformed(_))));
    }
}
