//! Reading a model file, and replacing one atomically.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::ModelError;

/// Reads the whole file at `path`.
pub(crate) fn read(path: &Path) -> Result<Vec<u8>, ModelError> {
    fs::read(path).map_err(|source| io_error("read", path, source))
}

/// Reads the whole file at `path` as UTF-8 text (a JSON document).
pub(crate) fn read_text(path: &Path) -> Result<String, ModelError> {
    String::from_utf8(read(path)?).map_err(|error| {
        ModelError::Malformed(format!(
            "the file is not UTF-8 text: invalid byte at offset {}",
            error.utf8_error().valid_up_to()
        ))
    })
}

/// Writes `bytes` to `path` atomically: to a new temporary file in the same directory, flushed and
/// synced, then renamed over `path`. On failure the temporary file is removed and any existing
/// file at `path` is left as it was.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ModelError> {
    let Some(name) = path.file_name() else {
        let source = io::Error::new(io::ErrorKind::InvalidInput, "the path does not name a file");
        return Err(io_error("write", path, source));
    };
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let (temporary, mut file) =
        create_temporary(directory, name).map_err(|source| io_error("write", path, source))?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    drop(file);
    let result = match written {
        Ok(()) => fs::rename(&temporary, path).map_err(|source| io_error("replace", path, source)),
        Err(source) => Err(io_error("write", path, source)),
    };
    if result.is_err() {
        // Best effort: the error that matters is the one already in hand.
        let _ = fs::remove_file(&temporary);
    } else {
        sync_directory(directory);
    }
    result
}

/// Creates a new, uniquely named file next to the target: `.<name>.<pid>.<n>.tmp`.
fn create_temporary(directory: &Path, name: &std::ffi::OsStr) -> io::Result<(PathBuf, File)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    for _ in 0..64 {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let mut file_name = OsString::from(".");
        file_name.push(name);
        file_name.push(format!(".{}.{n}.tmp", std::process::id()));
        let candidate = directory.join(file_name);
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(file) => return Ok((candidate, file)),
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(error) => return Err(error),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        "no free name for a temporary file",
    ))
}

/// Makes the rename itself durable where the platform allows syncing a directory.
fn sync_directory(directory: &Path) {
    #[cfg(unix)]
    if let Ok(directory) = File::open(directory) {
        // The new file is already complete and in place; this only hardens it against a crash.
        let _ = directory.sync_all();
    }
    #[cfg(not(unix))]
    let _ = directory;
}

fn io_error(action: &'static str, path: &Path, source: io::Error) -> ModelError {
    ModelError::Io {
        action,
        path: path.to_owned(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(directory: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(directory)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn writes_then_replaces_leaving_no_temporary() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("model.bin");
        write_atomic(&path, b"first").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"second");
        assert_eq!(entries(directory.path()), ["model.bin"]);
        assert_eq!(read(&path).unwrap(), b"second");
    }

    #[test]
    fn a_failed_rename_removes_the_temporary_and_keeps_the_target() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("model.bin");
        fs::create_dir(&path).unwrap();
        fs::write(path.join("inside"), b"kept").unwrap();
        let error = write_atomic(&path, b"new").unwrap_err();
        assert!(
            matches!(
                error,
                ModelError::Io {
                    action: "replace",
                    ..
                }
            ),
            "{error}"
        );
        assert_eq!(entries(directory.path()), ["model.bin"]);
        assert_eq!(fs::read(path.join("inside")).unwrap(), b"kept");
    }

    #[test]
    fn errors_name_the_path() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("missing").join("model.bin");
        let error = write_atomic(&path, b"x").unwrap_err().to_string();
        assert!(error.starts_with("cannot write `"), "{error}");
        assert!(error.contains("model.bin"), "{error}");
        let error = read(&path).unwrap_err().to_string();
        assert!(error.starts_with("cannot read `"), "{error}");
        assert!(write_atomic(Path::new("/"), b"x").is_err());
    }
}
