//! An outside crate brings its own backend: `examples/outside-backend`, copied
//! out of the repository and built against this checkout by absolute path
//! (`ci/outside-backend.sh`), gets `list`, `kat`, `run` and `ab` for it.

use std::process::Command;

use cryptobench::backend::{Backend, Registry, RegistryError};

#[test]
fn the_example_crate_gets_the_whole_command_line() {
    let out = Command::new("ci/outside-backend.sh").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("list names outside, kat passed"), "{stdout}");
}

static MINE: Backend = Backend::new("mine", || "mine 1.0".into());
static RING_AGAIN: Backend = Backend::new("RING", || "a second ring".into());
static BAD: Backend = Backend::new("my backend", || "spaces".into());

#[test]
fn a_registry_takes_each_name_once_and_only_usable_names() {
    let r = Registry::builtin().with(&MINE).unwrap();
    assert_eq!(r.backends().last().unwrap().name, "mine");
    assert!(r.by_name("Mine").is_ok());
    let e = r.by_name("theirs").unwrap_err().to_string();
    assert!(e.contains("unknown backend 'theirs'") && e.contains("mine"), "{e}");
    if cfg!(feature = "ring") {
        assert_eq!(
            Registry::builtin().with(&RING_AGAIN).err(),
            Some(RegistryError::Duplicate("RING".into()))
        );
    }
    assert_eq!(
        Registry::empty().with(&BAD).err(),
        Some(RegistryError::BadName("my backend".into()))
    );
}
