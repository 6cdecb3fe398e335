//! What a backend did with one case, shared by the evaluators
//! ([`super::eval`] and [`super::sig`]).

use super::step::Call;
use crate::backend::Error;

/// What the backend did when it accepted the input.
#[derive(Default)]
pub(super) struct Accepted {
    /// What differed from the expected output, if anything.
    pub(super) mismatch: Option<String>,
    /// What could not be compared (e.g. a key the library does not export).
    pub(super) note: Option<String>,
}

/// Why a case ended before its outputs could be compared.
pub(super) enum Stop {
    Unsupported(String),
    /// The library refused, in `call`.
    Refused {
        call: Call,
        why: String,
    },
}

/// A library error, in the call that raised it.
pub(super) fn at(c: Call) -> impl FnOnce(Error) -> Stop {
    move |e| match e {
        Error::Unsupported(reason) => Stop::Unsupported(reason),
        Error::Rejected(why) => Stop::Refused { call: c, why },
    }
}

impl From<Error> for Stop {
    /// Only for calls that cannot refuse an input (looking an algorithm up).
    fn from(e: Error) -> Stop {
        at(Call {
            what: "setup",
            covers: Vec::new(),
        })(e)
    }
}

pub(super) type Observed = Result<Accepted, Stop>;

/// "what: got …, want …" when the bytes differ.
pub(super) fn diff(what: &str, got: &[u8], want: &[u8]) -> Option<String> {
    (got != want).then(|| format!("{what}: got {}, want {}", short_hex(got), short_hex(want)))
}

pub(super) fn short_hex(b: &[u8]) -> String {
    if b.len() <= 40 {
        hex::encode(b)
    } else {
        format!(
            "{}…{} ({} bytes)",
            hex::encode(&b[..16]),
            hex::encode(&b[b.len() - 4..]),
            b.len()
        )
    }
}

pub(super) fn compared(mismatch: Option<String>) -> Observed {
    Ok(Accepted { mismatch, note: None })
}
