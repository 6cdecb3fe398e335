//! Safe replacement of a file: the new contents go to a randomly named temp
//! file created exclusively (O_EXCL, so a symlink planted under a guessable
//! name is never followed) in the target's directory, then renamed over the
//! target. The temp file is removed on every error path (tempfile deletes it
//! on drop), so a failed rename (`--output /`, a directory) leaves nothing.
//!
//! What is already there is respected: a target that is not a regular file
//! (`/dev/null`, `/dev/stdout`, a pipe from `>(…)`) is written in place,
//! never replaced by a regular file (as root, a rename would have turned
//! `/dev/null` into one); a symlink is followed to its file; a file keeps its
//! permissions, and a new one gets the usual 0666 less the umask.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Writes `contents` to `path` atomically (in place for a non-regular file).
pub fn write(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    if path.file_name().is_none() {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file name"));
    }
    let target = resolve(path);
    let existing = std::fs::metadata(&target).ok();
    if existing.as_ref().is_some_and(|m| !m.is_file() && !m.is_dir()) {
        return std::fs::OpenOptions::new()
            .write(true)
            .open(&target)?
            .write_all(contents);
    }
    let mode = existing.map_or(0o666, |m| m.permissions().mode() & 0o7777);
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".cryptobench-")
        .suffix(".tmp")
        .permissions(std::fs::Permissions::from_mode(mode))
        .tempfile_in(dir)?;
    tmp.write_all(contents)?;
    // An existing file's mode is copied exactly (the umask applied at creation).
    if std::fs::metadata(&target).is_ok() {
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(&target).map(drop).map_err(|e| e.error)
}

/// `path`, with a symlink at its end followed (to its target's path): the
/// link stays a link and its file is replaced.
fn resolve(path: &Path) -> PathBuf {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()),
        _ => path.to_path_buf(),
    }
}

/// Checks that [`write()`] could create a file beside `path`, without touching
/// `path` itself: an existing result stays as it is until there is something
/// new to write.
pub fn check_writable(path: &Path) -> std::io::Result<()> {
    let path = &resolve(path);
    if path.is_dir() {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "is a directory"));
    }
    // A device or pipe is written in place: it must open for writing (a FIFO
    // without a reader is refused now rather than blocking later).
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        use std::os::unix::fs::OpenOptionsExt;
        return std::fs::OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)
            .map(drop);
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    tempfile::Builder::new()
        .prefix(".cryptobench-")
        .tempfile_in(dir)
        .map(drop)
}

/// A private directory (mode 0700, random name, like mkdtemp(3)) removed
/// when dropped. tempfile's default is 0777 less the umask, usually 0755.
pub fn private_dir(prefix: &str) -> std::io::Result<tempfile::TempDir> {
    use std::os::unix::fs::PermissionsExt;
    tempfile::Builder::new()
        .prefix(prefix)
        .permissions(std::fs::Permissions::from_mode(0o700))
        .tempdir()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn replaces_and_leaves_no_temp_file() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("r.json");
        write(&p, b"one").unwrap();
        write(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(entries(d.path()), ["r.json"]);
    }

    #[test]
    fn failed_rename_removes_the_temp_file() {
        let d = tempfile::tempdir().unwrap();
        let target = d.path().join("sub");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("keep"), b"x").unwrap();
        assert!(write(&target, b"data").is_err());
        assert_eq!(entries(d.path()), ["sub"]);
        assert!(check_writable(&target).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_symlink_is_not_followed() {
        let d = tempfile::tempdir().unwrap();
        let victim = d.path().join("victim");
        std::fs::write(&victim, b"precious").unwrap();
        // The old predictable name, planted as a symlink to the victim.
        let planted = d.path().join(format!(".r.json.tmp{}", std::process::id()));
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        let p = d.path().join("r.json");
        write(&p, b"result").unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        assert_eq!(std::fs::read(&p).unwrap(), b"result");
    }

    #[test]
    fn check_does_not_touch_the_target() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("r.json");
        std::fs::write(&p, b"old").unwrap();
        check_writable(&p).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"old");
        assert_eq!(entries(d.path()), ["r.json"]);
        assert!(check_writable(Path::new("/nonexistent-dir/x.json")).is_err());
    }

    #[test]
    fn a_device_is_written_in_place_and_a_file_keeps_its_mode() {
        // /dev/null stays a character device (as root a rename would replace it).
        write(Path::new("/dev/null"), b"result").unwrap();
        check_writable(Path::new("/dev/null")).unwrap();
        use std::os::unix::fs::FileTypeExt;
        assert!(std::fs::metadata("/dev/null").unwrap().file_type().is_char_device());
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("r.json");
        std::fs::write(&p, b"old").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        write(&p, b"new").unwrap();
        assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o644);
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
        write(&p, b"newer").unwrap();
        assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o640);
        // A new file: 0666 less the umask, never tempfile's 0600 (the umask
        // here is at most 022 in practice, so the group and others can read).
        let fresh = d.path().join("fresh.json");
        write(&fresh, b"x").unwrap();
        assert_ne!(std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o077, 0);
    }

    #[test]
    fn a_symlink_stays_a_link_to_the_replaced_file() {
        let d = tempfile::tempdir().unwrap();
        let real = d.path().join("real.json");
        std::fs::write(&real, b"old").unwrap();
        let link = d.path().join("link.json");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
    }

    #[test]
    fn a_private_dir_is_the_owners_alone_and_removed_on_drop() {
        use std::os::unix::fs::PermissionsExt;
        let d = private_dir("cryptobench-test-").unwrap();
        let path = d.path().to_path_buf();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "{mode:o}");
        assert!(path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("cryptobench-test-"));
        let again = private_dir("cryptobench-test-").unwrap();
        assert_ne!(again.path(), path, "a fresh name each time");
        drop(d);
        assert!(!path.exists());
    }
}
