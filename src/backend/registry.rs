//! Which backends a process knows: the ones compiled into cryptobench, plus
//! any an outside crate brings ([`Registry::with`]).
//!
//! The command line is one call over a registry ([`crate::cli::main_with`]).
//! It installs the registry once, at start, so every layer and every child
//! process (the `ab` worker, the instruction counter under valgrind, the
//! memcheck children: each re-runs the same executable) sees the same
//! backends under the same names.

use std::sync::OnceLock;

use super::Backend;

/// An ordered set of backends with unique names.
#[derive(Clone, Debug, Default)]
pub struct Registry {
    backends: Vec<&'static Backend>,
}

/// Why a backend cannot join a registry.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// Names are flag values (`--backend a,b`) and JSON keys.
    #[error("backend name {0:?} is not usable: use 1-40 characters from letters, digits and - _ . : +")]
    BadName(String),
    /// Two backends under one name would make `--backend` and the results ambiguous.
    #[error("a backend named {0:?} is already registered (names are compared case-insensitively)")]
    Duplicate(String),
    /// [`install`] runs once per process.
    #[error("a registry is already installed in this process")]
    AlreadyInstalled,
}

impl Registry {
    /// No backends.
    pub fn empty() -> Registry {
        Registry::default()
    }

    /// Every backend compiled into this build, in a stable order (by cargo feature).
    pub fn builtin() -> Registry {
        Registry {
            backends: super::builtin(),
        }
    }

    /// This registry with `backend` appended.
    ///
    /// ```
    /// use cryptobench::backend::{Backend, Registry};
    /// static MINE: Backend = Backend::new("mine", || "mine 1.0".into());
    /// let r = Registry::builtin().with(&MINE).unwrap();
    /// assert_eq!(r.by_name("MINE").unwrap().name, "mine");
    /// assert!(r.with(&MINE).is_err(), "a name is registered once");
    /// ```
    pub fn with(mut self, backend: &'static Backend) -> Result<Registry, RegistryError> {
        let name = backend.name;
        let ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '+');
        if name.is_empty() || name.len() > 40 || !name.chars().all(ok) {
            return Err(RegistryError::BadName(name.into()));
        }
        if self.backends.iter().any(|b| b.name.eq_ignore_ascii_case(name)) {
            return Err(RegistryError::Duplicate(name.into()));
        }
        self.backends.push(backend);
        Ok(self)
    }

    /// The backends, in registration order.
    pub fn backends(&self) -> &[&'static Backend] {
        &self.backends
    }

    /// Looks a backend up by name (case-insensitive); the error lists the names known.
    pub fn by_name(&self, name: &str) -> Result<&'static Backend, String> {
        self.backends
            .iter()
            .find(|b| b.name.eq_ignore_ascii_case(name))
            .copied()
            .ok_or_else(|| {
                let names: Vec<_> = self.backends.iter().map(|b| b.name).collect();
                format!("unknown backend '{name}' (compiled in: {})", names.join(", "))
            })
    }
}

static INSTALLED: OnceLock<Registry> = OnceLock::new();

/// Makes `registry` the process's registry ([`installed`]). Once per process,
/// before the first lookup; [`crate::cli::main_with`] does it.
pub fn install(registry: Registry) -> Result<(), RegistryError> {
    INSTALLED.set(registry).map_err(|_| RegistryError::AlreadyInstalled)
}

/// The process's registry: the one [`install`]ed, else [`Registry::builtin`].
pub fn installed() -> &'static Registry {
    INSTALLED.get_or_init(Registry::builtin)
}
