//! `cryptobench recommend`: its flags, then `pipeline::recommend::execute`.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::backend::Registry;
use crate::pipeline::recommend::{self, RecommendOutcome, RecommendPlan};
use crate::report::Format;
use crate::results::format as formats;
use clap::Args;

use super::usage_error;

#[derive(Args)]
pub struct RecommendArgs {
    /// Built-in workload: messaging, tls, storage (the same names as `run --workload`).
    #[arg(long, default_value = "messaging", conflicts_with = "mix")]
    workload: String,
    /// tls (or a --mix): one TLS handshake's key exchange per N records (default 100; 1..=10000000).
    #[arg(long, value_name = "N")]
    records_per_handshake: Option<u32>,
    /// messaging: messages one party sends per turn; one Double Ratchet DH step per turn (default 3; 1..=20).
    #[arg(long, value_name = "N")]
    messages_per_turn: Option<u32>,
    /// messaging: messages per session; one X3DH/PQXDH session setup per session (default 1000; 1..=10000000).
    #[arg(long, value_name = "N")]
    messages_per_session: Option<u32>,
    /// messaging with a KEM: turns per post-quantum ratchet step (default 25; 1..=10000).
    #[arg(long, value_name = "TURNS")]
    pq_ratchet_every: Option<u32>,
    /// Group of the key exchange: tls x25519, p-256, x25519mlkem768, ...; messaging a DH group
    /// (x25519, p-256, p-384) or a KEM for PQXDH and the post-quantum ratchet (ml-kem-768,
    /// x25519mlkem768). Default: each backend's cheapest allowed group (messaging: X25519 when allowed).
    #[arg(long, value_name = "GROUP")]
    kex_group: Option<String>,
    /// Signature of the handshake: tls the server's CertificateVerify (signed once, verified
    /// once); messaging the signed prekey(s) the initiator verifies. ed25519, ecdsa-p256-sha256,
    /// ecdsa-p384-sha384, ml-dsa-44/65/87. Default: tls ecdsa-p256-sha256, messaging ed25519
    /// (standing in for XEdDSA), or the first of the defaults the policy allows.
    #[arg(long, value_name = "ALG")]
    sig_alg: Option<String>,
    /// Custom size mix instead: SIZE:WEIGHT list (64:0.5,1k:0.3,1m:0.2; weights are fractions
    /// of messages) or a TOML file (mix = { "64" = 0.5, "1m" = 0.5 }, optional messages_per_handshake).
    #[arg(long, value_name = "SPEC|FILE")]
    mix: Option<String>,
    /// Worker threads the deployment runs (cells at this thread count are used).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Algorithms the deployment must use: a comma list or a TOML file (algorithms = [...], optional
    /// backend). With it, an incomplete ranking (a cost that could not be priced) exits 1.
    #[arg(long, value_name = "LIST|FILE")]
    require: Option<String>,
    /// Policy profile the choice must satisfy (fips-140-3, cnsa-2.0, bsi-tr-02102-1 or a TOML file).
    #[arg(long, value_name = "NAME|FILE")]
    policy: Option<String>,
    /// Result file from `cryptobench run --output FILE.json` (default: measure the needed cells now).
    #[arg(long, value_name = "FILE")]
    results: Option<PathBuf>,
    /// Backends to consider (default: all in the result file, or all compiled in).
    #[arg(long)]
    backend: Vec<String>,
    /// Timed duration per cell when measuring (default 60ms).
    #[arg(long, default_value = "60ms")]
    duration: String,
    /// A module data file (as in policies/modules/), e.g. a copy with a certificate you
    /// confirmed on the CMVP list (confirmed = true), for a policy that requires a validated module.
    #[arg(long = "module-facts", value_name = "FILE")]
    module_facts: Vec<PathBuf>,
    /// table, json or markdown (for a design document).
    #[arg(long, default_value = "table", value_parser = formats::DOC.parser())]
    format: Format,
}

pub fn run(a: RecommendArgs, registry: &Registry) -> ExitCode {
    let plan = RecommendPlan {
        workload: a.workload,
        records_per_handshake: a.records_per_handshake,
        messages_per_turn: a.messages_per_turn,
        messages_per_session: a.messages_per_session,
        pq_ratchet_every: a.pq_ratchet_every,
        kex_group: a.kex_group,
        sig_alg: a.sig_alg,
        mix: a.mix,
        threads: a.threads,
        require: a.require,
        policy: a.policy,
        results: a.results,
        backend: a.backend,
        duration: a.duration,
        module_facts: a.module_facts,
        format: a.format,
    };
    match recommend::execute(registry, &plan) {
        Ok(RecommendOutcome::Ranked) => ExitCode::SUCCESS,
        Ok(RecommendOutcome::NoneQualifies | RecommendOutcome::Incomplete) => ExitCode::from(1),
        Err(e) => usage_error(e),
    }
}
