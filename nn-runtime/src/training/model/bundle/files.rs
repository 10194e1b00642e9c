//! A [`Model`] in the binary and JSON model files, with its preprocessing section.

use std::path::Path;

use super::Model;
use crate::Network;
use crate::model::{ModelError, binary, file, json};

impl<N: Network<IN, OUT>, const IN: usize, const OUT: usize> Model<N, IN, OUT> {
    /// Saves the model in the binary format at `path`, replacing any file there atomically: the
    /// network as [`save_binary`](crate::model::save_binary) saves it, the preprocessing in the
    /// header's `preprocessing` section and its values after the network's (see
    /// [`nn_format::preprocessing`]).
    ///
    /// Fails, leaving any existing file untouched, on a NaN or infinite value or an I/O error.
    pub fn save_binary(&self, path: impl AsRef<Path>) -> Result<(), ModelError> {
        file::write_atomic(path.as_ref(), &self.to_bytes()?)
    }

    /// Loads a model from the binary file at `path`: the network checked as
    /// [`load_binary`](crate::model::load_binary) checks it, then any preprocessing section
    /// against it (a file without one gives a model without preprocessing).
    pub fn load_binary(path: impl AsRef<Path>) -> Result<Self, ModelError> {
        Self::from_bytes(&file::read(path.as_ref())?)
    }

    /// Saves the model as a JSON document at `path`, replacing any file there atomically: the
    /// network as [`save_json`](crate::model::save_json) saves it, with a `preprocessing` object
    /// before its `layers`.
    ///
    /// Fails, leaving any existing file untouched, on a NaN or infinite value or an I/O error.
    pub fn save_json(&self, path: impl AsRef<Path>) -> Result<(), ModelError> {
        file::write_atomic(path.as_ref(), self.to_json_string()?.as_bytes())
    }

    /// Loads a model from the JSON document at `path`, checked as
    /// [`load_binary`](Self::load_binary) checks a binary file.
    pub fn load_json(path: impl AsRef<Path>) -> Result<Self, ModelError> {
        Self::from_json_str(&file::read_text(path.as_ref())?)
    }

    /// Encodes the model in the binary format (the bytes [`save_binary`](Self::save_binary)
    /// writes).
    pub fn to_bytes(&self) -> Result<Vec<u8>, ModelError> {
        binary::write_with(&self.network, self.section().as_ref())
    }

    /// Decodes a model from the binary format, checking it as
    /// [`load_binary`](Self::load_binary) does.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ModelError> {
        let (network, section) = binary::read_with(bytes)?;
        Self::from_file(network, section)
    }

    /// Writes the model as a JSON document (the text [`save_json`](Self::save_json) writes).
    pub fn to_json_string(&self) -> Result<String, ModelError> {
        json::write_with(&self.network, self.section().as_ref())
    }

    /// Reads a model from a JSON document, checking it as [`load_json`](Self::load_json) does.
    pub fn from_json_str(text: &str) -> Result<Self, ModelError> {
        let (network, section) = json::read_with(text)?;
        Self::from_file(network, section)
    }
}
