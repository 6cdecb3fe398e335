//! What the recommend tests share: the fixtures, a KAT table that passes
//! everything (or fails what is listed), the library call, and hand-made
//! key-derivation cells.

#![allow(dead_code)] // each test binary uses a subset

use std::path::Path;

use cryptobench::algorithm::{AlgorithmId, Operation};
use cryptobench::analysis::recommend::{recommend, CellSource, MessageMix, Recommendation, Request};
use cryptobench::kat::VerdictCounts;
use cryptobench::keyschedule::KdfTask;
use cryptobench::policy::{kat_status::KatStatus, kat_status::KatTable, Policy};
use cryptobench::results::keyschedule::{KdfCell, KdfCells};
use cryptobench::results::{self, ResultFile};

#[path = "../fixtures/mod.rs"]
pub mod fixtures;

pub fn fixture(name: &str) -> ResultFile {
    results::read(Path::new(fixtures::path(name))).unwrap()
}

/// Every (backend, algorithm) in the file passes, except those listed as failing.
pub fn kat(file: &ResultFile, failing: &[(&str, &str)]) -> KatTable {
    let mut t = KatTable::new();
    let backends = file
        .cells
        .iter()
        .map(|c| &c.backend)
        .chain(file.failures.iter().map(|f| &f.backend));
    for b in backends.cloned() {
        for a in AlgorithmId::all() {
            let fails = failing.iter().any(|(fb, fa)| *fb == b && *fa == a.name());
            let s = if fails {
                KatStatus::Fail {
                    counts: VerdictCounts {
                        pass: 314,
                        fail: 2,
                        ..Default::default()
                    },
                    first: "wycheproof/aes_gcm_test tcId 7: wrong tag".into(),
                }
            } else {
                KatStatus::Pass {
                    counts: VerdictCounts {
                        pass: 316,
                        ..Default::default()
                    },
                    sets: 1,
                }
            };
            t.insert((b.clone(), a), s);
        }
    }
    t
}

/// The request the tests rank with: one thread, seal, 1000 resamples, seed 7.
pub fn request<'a>(
    w: &'a MessageMix,
    policy: Option<&'a Policy>,
    required: &'a [AlgorithmId],
    kdf: &'a KdfCells,
    source: CellSource<'a>,
) -> Request<'a> {
    Request {
        workload: w,
        threads: 1,
        required,
        backend: None,
        policy,
        operation: Operation::Seal,
        resamples: 1000,
        seed: 7,
        kdf,
        source,
        modules: &MODULES,
        backends: BUILTIN.backends(),
    }
}

/// The built-in backends, judged as the files' (module status, linked version).
static BUILTIN: std::sync::LazyLock<cryptobench::backend::Registry> =
    std::sync::LazyLock::new(cryptobench::backend::Registry::builtin);

/// The built-in module facts (policies/modules/).
static MODULES: std::sync::LazyLock<Vec<cryptobench::policy::module::ModuleFacts>> =
    std::sync::LazyLock::new(cryptobench::policy::module::facts);

/// Ranks `file` without key-derivation cells (a workload without key exchange needs none).
pub fn run(
    file: &ResultFile,
    kat: &KatTable,
    w: &MessageMix,
    policy: Option<&Policy>,
    required: &[AlgorithmId],
) -> Recommendation {
    let none = KdfCells::default();
    recommend(file, kat, &request(w, policy, required, &none, CellSource::MeasuredNow))
}

pub fn names(r: &Recommendation) -> Vec<&str> {
    r.ranking.iter().map(|x| x.backend.as_str()).collect()
}

/// Key-derivation cells at one thread: (backend, task, ops/s), each with 21
/// samples within ±1 % (7 rounds of 3, as the fixtures), the median exact.
pub fn kdf_cells(cells: &[(&str, KdfTask, f64)]) -> KdfCells {
    KdfCells {
        rounds: 7,
        cells: cells
            .iter()
            .map(|&(backend, task, ops)| {
                let samples: Vec<f64> = (0..21).map(|i| ops * (1.0 + (i as f64 - 10.0) / 1000.0)).collect();
                KdfCell {
                    backend: backend.into(),
                    task,
                    threads: 1,
                    hkdf: format!("{backend}'s HKDF"),
                    ops_per_sec: cryptobench::stats::summarize(&samples).unwrap(),
                    samples,
                }
            })
            .collect(),
        failures: Vec::new(),
    }
}

/// TLS's key derivations on both fixture backends for its only AEAD,
/// AES-256-GCM (TLS_AES_256_GCM_SHA384, so SHA-384): the key schedule 1e5/s,
/// a KiB of transcript hash 1e6/s.
pub fn tls_kdfs() -> KdfCells {
    let mut cells = Vec::new();
    for b in ["aws-lc-rs", "libcrux"] {
        cells.extend([
            (b, KdfTask::Tls13Schedule(cryptobench::algorithm::HashId::Sha384), 1e5),
            (b, KdfTask::Digest1K(cryptobench::algorithm::HashId::Sha384), 1e6),
        ]);
    }
    kdf_cells(&cells)
}
