//! Reading a model file, and replacing one atomically.

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
///
/// An existing file keeps its permissions. A read-only one (no write permission for anyone) is
/// refused with a permission error, as is anything at `path` that is not a regular file — a
/// symbolic link, a directory, a device, a FIFO or a socket ([`ModelError::NotAFile`]) — which
/// the rename would otherwise replace. (Something put at `path` between the check and the rename
/// is replaced all the same.)
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ModelError> {
    if path.file_name().is_none() {
        let source = io::Error::new(io::ErrorKind::InvalidInput, "the path does not name a file");
        return Err(io_error("write", path, source));
    }
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let permissions = existing_permissions(path)?;
    let (temporary, mut file) = create_temporary(directory, permissions.is_some())
        .map_err(|source| io_error("write", path, source))?;
    let written = match permissions {
        Some(permissions) => file.set_permissions(permissions),
        None => Ok(()),
    }
    .and_then(|()| file.write_all(bytes))
    .and_then(|()| file.sync_all());
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

/// The permissions of the regular, writable file at `path`, `None` if there is nothing there, or
/// the error that keeps it from being replaced.
fn existing_permissions(path: &Path) -> Result<Option<fs::Permissions>, ModelError> {
    let metadata = match fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(io_error("write", path, source)),
    };
    if let Some(kind) = not_a_file(&metadata.file_type()) {
        return Err(ModelError::NotAFile {
            path: path.to_owned(),
            kind,
        });
    }
    let permissions = metadata.permissions();
    // Checked on the mode bits, since a privileged process could write the file anyway.
    if permissions.readonly() {
        let source = io::Error::new(
            io::ErrorKind::PermissionDenied,
            "the file is read-only, expected a writable file to replace",
        );
        return Err(io_error("replace", path, source));
    }
    Ok(Some(permissions))
}

/// What `file_type` is, with its article, unless it is a regular file.
fn not_a_file(file_type: &fs::FileType) -> Option<&'static str> {
    if file_type.is_file() {
        return None;
    }
    if file_type.is_symlink() {
        return Some("a symbolic link");
    }
    if file_type.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_char_device() {
            return Some("a character device");
        }
        if file_type.is_block_device() {
            return Some("a block device");
        }
        if file_type.is_fifo() {
            return Some("a FIFO");
        }
        if file_type.is_socket() {
            return Some("a socket");
        }
    }
    Some("not a regular file")
}

/// Creates a new, uniquely named file in `directory`: `.nn-<pid>-<n>.tmp`, at most 39 bytes
/// whatever the target's name, so that any name the file system allows can be saved to. When it
/// is to replace a file (`replacing`), it is created private to its owner (mode 0600) until it is
/// given that file's permissions, so that the contents are never open to more users than the
/// file's.
fn create_temporary(directory: &Path, replacing: bool) -> io::Result<(PathBuf, File)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    for _ in 0..64 {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let candidate = directory.join(format!(".nn-{}-{n}.tmp", std::process::id()));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        if replacing {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        #[cfg(not(unix))]
        let _ = replacing;
        match options.open(&candidate) {
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
    fn a_directory_is_refused_and_kept() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("model.bin");
        fs::create_dir(&path).unwrap();
        fs::write(path.join("inside"), b"kept").unwrap();
        let error = write_atomic(&path, b"new").unwrap_err();
        assert!(
            matches!(&error, ModelError::NotAFile { path: named, kind: "a directory" } if *named == path),
            "{error}"
        );
        assert_eq!(entries(directory.path()), ["model.bin"]);
        assert_eq!(fs::read(path.join("inside")).unwrap(), b"kept");
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_is_refused_and_kept_with_its_target() {
        let directory = tempfile::tempdir().unwrap();
        let target = directory.path().join("real.bin");
        fs::write(&target, b"real").unwrap();
        let link = directory.path().join("model.bin");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let error = write_atomic(&link, b"new").unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "cannot replace `{}`: it is a symbolic link, expected a regular file",
                link.display()
            )
        );
        assert_eq!(fs::read_link(&link).unwrap(), target);
        assert_eq!(fs::read(&target).unwrap(), b"real");
        assert_eq!(entries(directory.path()), ["model.bin", "real.bin"]);
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_sockets_are_refused_and_kept() {
        use std::os::unix::fs::FileTypeExt;
        let null = Path::new("/dev/null");
        let error = write_atomic(null, b"new").unwrap_err();
        assert!(
            matches!(
                error,
                ModelError::NotAFile {
                    kind: "a character device",
                    ..
                }
            ),
            "{error}"
        );
        assert!(
            fs::symlink_metadata(null)
                .unwrap()
                .file_type()
                .is_char_device()
        );

        let directory = tempfile::tempdir().unwrap();
        let socket = directory.path().join("model.sock");
        let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
        let error = write_atomic(&socket, b"new").unwrap_err();
        assert!(
            matches!(
                error,
                ModelError::NotAFile {
                    kind: "a socket",
                    ..
                }
            ),
            "{error}"
        );
        assert!(
            fs::symlink_metadata(&socket)
                .unwrap()
                .file_type()
                .is_socket()
        );
        assert_eq!(entries(directory.path()), ["model.sock"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_file_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let directory = tempfile::tempdir().unwrap();
        for mode in [0o600, 0o640, 0o755, 0o200] {
            let path = directory.path().join(format!("model-{mode:o}.bin"));
            fs::write(&path, b"old").unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
            write_atomic(&path, b"new").unwrap();
            let found = fs::metadata(&path).unwrap().permissions().mode() & 0o7777;
            assert_eq!(found, mode, "{found:o}");
            fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
            assert_eq!(fs::read(&path).unwrap(), b"new");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_read_only_file_is_refused_and_kept() {
        use std::os::unix::fs::PermissionsExt;
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("model.bin");
        fs::write(&path, b"old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o444)).unwrap();
        let error = write_atomic(&path, b"new").unwrap_err();
        match &error {
            ModelError::Io {
                action: "replace",
                path: named,
                source,
            } => {
                assert_eq!(named, &path);
                assert_eq!(source.kind(), io::ErrorKind::PermissionDenied);
            }
            other => panic!("expected a permission error, got {other:?}"),
        }
        assert!(error.to_string().contains("read-only"), "{error}");
        assert_eq!(fs::read(&path).unwrap(), b"old");
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, 0o444);
        assert_eq!(entries(directory.path()), ["model.bin"]);
    }

    #[test]
    fn the_longest_file_name_can_be_saved_and_replaced() {
        let directory = tempfile::tempdir().unwrap();
        let name = "m".repeat(250);
        let path = directory.path().join(&name);
        write_atomic(&path, b"first").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"second");
        assert_eq!(entries(directory.path()), [name]);
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
