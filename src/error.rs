//! The library's one error type. Its variants say who must act: the user
//! (a flag or a file), the machine (I/O, a child process), or a backend (it
//! lacks or refused something, or computed a wrong result). Messages are
//! the one-line texts the command line prints; the CLI turns an `Error` into
//! text only at its edge, and picks the exit code from the variant
//! ([`Error::is_bad_input`]).

use std::path::{Path, PathBuf};

/// What went wrong, by who must act.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A command-line value is malformed or out of its bounds. The message
    /// names the flag and says how to fix it.
    #[error("{flag}: {why}")]
    Flag {
        /// The flag as typed, e.g. `--sizes`.
        flag: String,
        /// What is wrong and the fix.
        why: String,
    },
    /// A value with no flag of its own (a size, a list, a name) is malformed;
    /// the caller adds the flag with [`Error::for_flag`].
    #[error("{0}")]
    Value(String),
    /// A file cannot be used: unreadable, malformed, or inconsistent.
    #[error("{}: {why}", path.display())]
    File {
        /// The file, as the user gave it.
        path: PathBuf,
        /// What is wrong and the fix.
        why: String,
    },
    /// The backend lacks or refused what was asked.
    #[error(transparent)]
    Backend(#[from] crate::backend::Error),
    /// A backend ran and computed a wrong result (a forged tag accepted, a
    /// different shared secret): a finding about the backend, not bad input.
    #[error("{0}")]
    WrongResult(String),
    /// A thread, child process or tool (valgrind, a worker) failed.
    #[error("{0}")]
    Process(String),
}

/// What most library calls return.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// `Error::Value(why)`.
    pub fn value(why: impl Into<String>) -> Error {
        Error::Value(why.into())
    }

    /// `Error::Flag` naming `flag`.
    pub fn flag(flag: impl Into<String>, why: impl Into<String>) -> Error {
        Error::Flag {
            flag: flag.into(),
            why: why.into(),
        }
    }

    /// `Error::File` naming `path`.
    pub fn file(path: impl AsRef<Path>, why: impl std::fmt::Display) -> Error {
        Error::File {
            path: path.as_ref().to_path_buf(),
            why: why.to_string(),
        }
    }

    /// `Error::WrongResult(what)`.
    pub fn wrong(what: impl Into<String>) -> Error {
        Error::WrongResult(what.into())
    }

    /// `Error::Process(what)`.
    pub fn process(what: impl Into<String>) -> Error {
        Error::Process(what.into())
    }

    /// A [`Error::Value`] becomes a [`Error::Flag`] naming `flag`; other
    /// variants are returned as they are.
    pub fn for_flag(self, flag: &str) -> Error {
        match self {
            Error::Value(why) => Error::flag(flag, why),
            other => other,
        }
    }

    /// Bad usage or input (a flag, a value, a file): the CLI exits 2.
    pub fn is_bad_input(&self) -> bool {
        matches!(self, Error::Flag { .. } | Error::Value(_) | Error::File { .. })
    }
}

/// A layer's own error whose message already names the flag or file (a
/// policy, a result or vector file, a comparison's refusal) converts into
/// [`Error::Value`]: bad input, the message kept as it is. Invoked next to
/// each such type so that this module imports no layer.
macro_rules! bad_input_converts {
    ($($t:ty),+ $(,)?) => {$(
        impl From<$t> for $crate::Error {
            fn from(e: $t) -> $crate::Error {
                $crate::Error::Value(e.to_string())
            }
        }
    )+};
}
pub(crate) use bad_input_converts;

impl From<Error> for String {
    /// The one-line message, for the places that still carry text (a cell's
    /// failure reason in a result file).
    fn from(e: Error) -> String {
        e.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_flag_or_file_and_bad_input_is_told_apart() {
        let e = Error::value("'x' is not a size").for_flag("--sizes");
        assert_eq!(e.to_string(), "--sizes: 'x' is not a size");
        assert!(e.is_bad_input());
        assert_eq!(Error::file("v.json", "not JSON").to_string(), "v.json: not JSON");
        let b = Error::from(crate::backend::Error::Rejected("bad tag".into()));
        assert_eq!(b.to_string(), "rejected: bad tag");
        assert!(!b.is_bad_input() && !Error::wrong("x").is_bad_input());
        assert!(!Error::process("valgrind died").for_flag("--x").is_bad_input());
    }
}
