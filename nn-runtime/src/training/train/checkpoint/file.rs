//! The checkpoint file: a framed, checksummed container of a network's model file (the binary
//! format, itself versioned and checksummed) and the training state as JSON.
//!
//! ```text
//! "nn-ckpt\0" | version (u32 LE) | model length (u64 LE) | model file | state length (u64 LE)
//! | state (JSON) | CRC-32 of everything before (u32 LE)
//! ```

use super::CheckpointError;

/// The first bytes of every checkpoint.
const MAGIC: &[u8; 8] = b"nn-ckpt\0";
/// The format version written, and the only one read.
const VERSION: u32 = 1;

/// Frames a model file and a training state.
pub(super) fn encode(model: &[u8], state: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + 4 + 8 + model.len() + 8 + state.len() + 4);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&(model.len() as u64).to_le_bytes());
    out.extend_from_slice(model);
    out.extend_from_slice(&(state.len() as u64).to_le_bytes());
    out.extend_from_slice(state);
    let checksum = crc32fast::hash(&out);
    out.extend_from_slice(&checksum.to_le_bytes());
    out
}

/// The model file and the state of a framed checkpoint, after checking its framing and checksum.
pub(super) fn decode(bytes: &[u8]) -> Result<(&[u8], &[u8]), CheckpointError> {
    match bytes.get(..MAGIC.len()) {
        Some(magic) if magic == MAGIC => {}
        _ if MAGIC.starts_with(bytes) => {
            return Err(CheckpointError::Truncated { what: "format tag" });
        }
        _ => {
            let found = &bytes[..bytes.len().min(MAGIC.len())];
            return Err(CheckpointError::Format {
                found: found.escape_ascii().to_string(),
            });
        }
    }
    let mut reader = Reader {
        bytes,
        at: MAGIC.len(),
    };
    let version = u32::from_le_bytes(
        reader
            .take("format version", 4)?
            .try_into()
            .expect("4 bytes"),
    );
    if version != VERSION {
        return Err(CheckpointError::Version {
            found: version,
            expected: VERSION,
        });
    }
    let model_len = reader.length("model length")?;
    let model = reader.take("model", model_len)?;
    let state_len = reader.length("state length")?;
    let state = reader.take("state", state_len)?;
    let body = reader.at;
    let stored = u32::from_le_bytes(reader.take("checksum", 4)?.try_into().expect("4 bytes"));
    if reader.at != bytes.len() {
        return Err(CheckpointError::State(format!(
            "{} bytes follow the checksum",
            bytes.len() - reader.at
        )));
    }
    let computed = crc32fast::hash(&bytes[..body]);
    if stored != computed {
        return Err(CheckpointError::Checksum { stored, computed });
    }
    Ok((model, state))
}

/// Reads fields in order.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, what: &'static str, len: usize) -> Result<&'a [u8], CheckpointError> {
        let end = self
            .at
            .checked_add(len)
            .filter(|&end| end <= self.bytes.len());
        let end = end.ok_or(CheckpointError::Truncated { what })?;
        let field = &self.bytes[self.at..end];
        self.at = end;
        Ok(field)
    }

    fn length(&mut self, what: &'static str) -> Result<usize, CheckpointError> {
        let field = self.take(what, 8)?;
        let length = u64::from_le_bytes(field.try_into().expect("8 bytes"));
        usize::try_from(length).map_err(|_| CheckpointError::Truncated { what })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_prefix_and_every_flipped_byte_is_an_error() {
        let bytes = encode(b"model bytes", br#"{"epoch":3}"#);
        assert_eq!(
            decode(&bytes).unwrap(),
            (&b"model bytes"[..], &br#"{"epoch":3}"#[..])
        );
        for len in 0..bytes.len() {
            assert!(decode(&bytes[..len]).is_err(), "prefix of {len} bytes");
        }
        for at in 0..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x04;
            assert!(decode(&damaged).is_err(), "byte {at} flipped");
        }
        assert!(matches!(
            decode(b"nn-model and more"),
            Err(CheckpointError::Format { .. })
        ));
    }
}
