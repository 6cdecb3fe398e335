//! Constant-time check without timing (ctgrind, Langley 2010; SUPERCOP's
//! TIMECOP; BoringSSL/AWS-LC `CONSTTIME_SECRET`): each operation runs under
//! valgrind memcheck with its secret inputs marked *undefined* by a client
//! request. Memcheck then reports every conditional branch and every memory
//! address computed from them. Outputs and public verdicts are marked defined
//! (declassified) before the caller uses them.
//!
//! This file is the child side (what runs inside valgrind); `memcheck_run::run_all`
//! starts the children and judges their logs. memcheck sees addresses, branches
//! and syscall arguments only: a variable-latency instruction (a secret `DIV`,
//! the KyberSlash class) is not found. Valgrind does not emulate AVX-512, VAES
//! or ADX, so CPUID-dispatching libraries take their AVX2 (or older) path here.

#[path = "../family/aead/memcheck.rs"]
mod aead;
#[path = "../family/kex/memcheck.rs"]
mod kex;
#[path = "../family/sig/memcheck.rs"]
mod sig;

pub use aead::exercise_aead;
pub use kex::{exercise_ecdh, exercise_kem};

use std::io::Write;

use crate::algorithm::AlgorithmId;
use crate::backend::{Backend, Error, KeyExchange, Registry};
use crate::measure::callgrind::request2;

const fn tool_base(a: u8, b: u8) -> u64 {
    ((a as u64) << 24) | ((b as u64) << 16)
}
// memcheck.h: enum Vg_MemCheckClientRequest.
const MAKE_MEM_UNDEFINED: u64 = tool_base(b'M', b'C') + 1;
const MAKE_MEM_DEFINED: u64 = tool_base(b'M', b'C') + 2;

/// Prefix of the lines the child writes on stderr, in the same stream as
/// valgrind's own log, so each error is attributed to the operation before it.
pub const MARK: &str = "cryptobench-memcheck:";

/// Marks `buf` secret: memcheck reports any branch or address that depends on it.
/// A no-op outside valgrind.
pub fn secret(buf: &[u8]) {
    request2(MAKE_MEM_UNDEFINED, buf.as_ptr() as u64, buf.len() as u64);
}

/// Declassifies `buf` (an output, or a verdict the caller may learn).
pub fn public(buf: &[u8]) {
    request2(MAKE_MEM_DEFINED, buf.as_ptr() as u64, buf.len() as u64);
}

/// Declassifies a whole value, e.g. the `Result` an open returns: whether a tag
/// verified is public (the caller learns it), its bytes need not be.
pub fn declassify<T>(v: &T) {
    request2(MAKE_MEM_DEFINED, v as *const T as u64, std::mem::size_of_val(v) as u64);
}

fn mark(what: &str) {
    // stderr is unbuffered: the line lands between valgrind's reports in order.
    let _ = writeln!(std::io::stderr(), "{MARK} {what}");
}

/// Starts operation `op`: errors reported after this line belong to it.
pub fn begin(op: &str) {
    mark(&format!("op {op}"));
}

/// Records an operation that could not be checked with a marked secret.
pub fn note(text: &str) {
    mark(&format!("note {text}"));
}

/// Runs `alg` on `backend` with secrets marked (the child, inside valgrind).
/// Ends with a `done` line so the parent knows the run was complete. A KEM
/// key the backend cannot derive from a seed is made by another of `registry`'s.
pub fn exercise(registry: &Registry, backend: &Backend, alg: AlgorithmId) -> Result<(), Error> {
    let run = || match alg {
        AlgorithmId::Aead(id) => exercise_aead((backend.aead)(id)?),
        AlgorithmId::Kex(id) => match (backend.kex)(id)? {
            KeyExchange::Ecdh(e) => exercise_ecdh(e),
            KeyExchange::Kem(k) => exercise_kem(registry.backends(), k),
        },
        AlgorithmId::Sig(id) => sig::exercise_sig((backend.sig)(id)?),
    };
    match run() {
        Ok(()) => mark("done"),
        // Not a failure of the audit: the parent reports it as unsupported.
        Err(Error::Unsupported(why)) => mark(&format!("unsupported {why}")),
        Err(e) => return Err(e),
    }
    Ok(())
}
