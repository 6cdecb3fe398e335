//! Which backends a process knows: the ones compiled into cryptobench, plus
//! any an outside crate brings ([`Registry::with`]).
//!
//! A registry is a value: the command line is one call over one
//! ([`crate::cli::main_with`]), which hands it, or the backends selected from
//! it, to every layer that needs backends. Nothing looks a backend up in a
//! process-wide list. Child processes (the `ab` worker, the instruction
//! counter under valgrind, the memcheck children) re-run the same executable,
//! so its `main` builds the same registry for them; names from outside the
//! process (flags, files, the worker's requests) are resolved against the
//! registry value at that edge.

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

    /// Looks a backend up by name (case-insensitive); the error lists the names
    /// known. For names from outside the process (flags, files, the `ab`
    /// worker's requests): inside, the layers are handed backends.
    pub fn by_name(&self, name: &str) -> Result<&'static Backend, crate::Error> {
        self.backends
            .iter()
            .find(|b| b.name.eq_ignore_ascii_case(name))
            .copied()
            .ok_or_else(|| {
                let names: Vec<_> = self.backends.iter().map(|b| b.name).collect();
                crate::Error::value(format!("unknown backend '{name}' (compiled in: {})", names.join(", ")))
            })
    }
}
