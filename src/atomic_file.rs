//! Safe replacement of a file: the new contents go to a randomly named temp
//! file created exclusively (O_EXCL, so a symlink planted under a guessable
//! name is never followed) in the target's directory, then renamed over the
//! target. The temp file is removed on every error path (tempfile deletes it
//! on drop), so a failed rename (`--output /`, a directory) leaves nothing.

use std::io::Write;
use std::path::Path;

/// Writes `contents` to `path` atomically.
pub fn write(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if path.file_name().is_none() {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file name"));
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".cryptobench-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map(drop).map_err(|e| e.error)
}

/// Checks that [`write`] could create a file beside `path`, without touching
/// `path` itself: an existing result stays as it is until there is something
/// new to write.
pub fn check_writable(path: &Path) -> std::io::Result<()> {
    if path.is_dir() {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "is a directory"));
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
