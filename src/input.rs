//! Reading a file a user names (vector files, result files, policies, mixes,
//! deployments, allow-lists): one reader with the bounds every loader needs.
//!
//! - Only regular files: a FIFO with no writer would block forever and
//!   `/dev/zero` would be read until memory ran out.
//! - At most `max` bytes, checked while reading (a file may grow).
//! - UTF-8, with a leading byte-order mark dropped: editors on Windows write
//!   one, and it is not part of the content (Unicode §23.8).

use std::io::Read;
use std::path::Path;

/// Result files, policies, mixes and allow-lists are far below this.
pub const MAX_TEXT: u64 = 64 << 20;

/// Why a file could not be read, in words that name the fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("cannot read the file: {0}")]
    Io(String),
    #[error("not a regular file ({0}): give the path of a file")]
    NotAFile(&'static str),
    #[error("larger than {} MiB: not a file of this kind", .0 >> 20)]
    TooLarge(u64),
    #[error("not UTF-8 text (byte {0}): save it as UTF-8")]
    NotUtf8(usize),
}

crate::error::bad_input_converts!(InputError);

/// The text of `path`, read with the bounds above.
pub fn read_text(path: &Path, max: u64) -> Result<String, InputError> {
    let meta = std::fs::metadata(path).map_err(|e| InputError::Io(e.to_string()))?;
    let kind = meta.file_type();
    if !kind.is_file() {
        return Err(InputError::NotAFile(describe(&kind)));
    }
    let f = std::fs::File::open(path).map_err(|e| InputError::Io(e.to_string()))?;
    let mut bytes = Vec::new();
    f.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| InputError::Io(e.to_string()))?;
    if bytes.len() as u64 > max {
        return Err(InputError::TooLarge(max));
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    String::from_utf8(body.to_vec()).map_err(|e| InputError::NotUtf8(e.utf8_error().valid_up_to()))
}

fn describe(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_fifos_and_directories_are_refused_without_reading() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            // A FIFO with no writer: refused at once, never opened (which would block).
            assert_eq!(read_text(&fifo, 10), Err(InputError::NotAFile("a FIFO")));
        }
        assert_eq!(
            read_text(Path::new("/dev/zero"), 10),
            Err(InputError::NotAFile("a character device"))
        );
        assert_eq!(read_text(dir.path(), 10), Err(InputError::NotAFile("a directory")));
        assert!(matches!(
            read_text(&dir.path().join("absent"), 10),
            Err(InputError::Io(_))
        ));
    }

    #[test]
    fn a_bom_is_dropped_and_the_bound_holds() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b"\xEF\xBB\xBF{\"a\":1}").unwrap();
        assert_eq!(read_text(&p, 100).unwrap(), "{\"a\":1}");
        assert_eq!(read_text(&p, 4), Err(InputError::TooLarge(4)));
        std::fs::write(&p, b"ab\xFFcd").unwrap();
        assert_eq!(read_text(&p, 100), Err(InputError::NotUtf8(2)));
        assert_eq!(
            InputError::TooLarge(64 << 20).to_string(),
            "larger than 64 MiB: not a file of this kind"
        );
    }
}
