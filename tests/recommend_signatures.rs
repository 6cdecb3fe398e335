//! `recommend`'s signatures on hand-written cells: TLS 1.3's CertificateVerify
//! (the server signs, the client verifies, once per handshake) with the
//! algorithm `--sig-alg` names or the first the policy allows; the split of a
//! message's time into AEAD, key exchange, key derivation and signature; and
//! the flag's errors.

mod common;
mod recommend_support;

use assert_cmd::Command;
use cryptobench::analysis::recommend::{recommend, CellSource, MessageMix, Recommendation, WorkloadFlags};
use cryptobench::policy::{self, Policy};
use recommend_support::{fixture, fixtures, kat, request, tls_kdfs};

fn tls(sig_alg: Option<&'static str>) -> MessageMix {
    MessageMix::from_flags(&WorkloadFlags {
        workload: "tls",
        sig_alg,
        ..Default::default()
    })
    .unwrap()
}

fn rank(w: &MessageMix, policy: Option<&Policy>) -> Recommendation {
    let f = fixture("messaging.json");
    let path = std::path::Path::new(fixtures::path("messaging.json"));
    let kdf = tls_kdfs();
    recommend(
        &f,
        &kat(&f, &[]),
        &request(w, policy, &[], &kdf, CellSource::File(path)),
    )
}

fn close(got: f64, want: f64) {
    assert!((got - want).abs() < 1e-9 + 1e-6 * want, "{got} vs {want}");
}

#[test]
fn tls_names_the_signatures_share_of_a_records_time() {
    let plain = rank(&MessageMix::from_mix("1350:1,16k:1").unwrap(), None);
    let bytes = (1350.0 + 16384.0) / 2.0;
    let aead = bytes / (plain.ranking[0].mb_per_sec * 1e6);
    let r = rank(&tls(None), None);
    assert!(r.incomplete.is_empty(), "{:?}", r.incomplete);
    let top = &r.ranking[0];
    assert_eq!(
        (top.backend.as_str(), top.signature.as_deref()),
        ("aws-lc-rs", Some("ecdsa-p256-sha256"))
    );
    // Per record, a hundredth of a handshake: two X25519 keygen+agree; two key
    // schedules and two transcripts of 3064 B; one ECDSA P-256 sign and one verify.
    let kex = 2.0 / 20000.0 / 100.0;
    let kdf = (2.0 / 1e5 + 2.0 * 3064.0 / 1024.0 / 1e6) / 100.0;
    let sig = (1.0 / 40000.0 + 1.0 / 16000.0) / 100.0;
    let total = aead + kex + kdf + sig;
    let s = top.split;
    close(s.aead, aead / total);
    close(s.key_exchange, kex / total);
    close(s.key_derivation, kdf / total);
    close(s.signature, sig / total);
    close(s.aead + s.key_exchange + s.key_derivation + s.signature, 1.0);
    assert!(
        r.model
            .contains("the CertificateVerify signature (§4.4.3: the server signs, the client verifies), signature: ecdsa-p256-sha256 (RFC 8446 §9.1"),
        "{}",
        r.model
    );
    // Storage has no handshake: every moment is the AEAD's.
    let storage = rank(&MessageMix::builtin("storage").unwrap(), None);
    assert_eq!(
        storage.ranking.iter().map(|x| x.split.aead).collect::<Vec<_>>(),
        [1.0, 1.0]
    );
    assert!(storage.ranking.iter().all(|x| x.signature.is_none()));
}

#[test]
fn a_signature_the_file_lacks_is_left_out_for_every_backend_and_the_policy_picks_the_default() {
    // The fixture has Ed25519 verify cells but no Ed25519 sign cells.
    let r = rank(&tls(Some("ed25519")), None);
    assert_eq!(r.ranking[0].signature.as_deref(), Some("ed25519"));
    assert_eq!(r.incomplete.len(), 1, "{:?}", r.incomplete);
    assert!(
        r.incomplete[0].starts_with("the TLS handshake's signature (")
            && r.incomplete[0].contains("messaging.json has no ed25519 sign + verify cells at 1 thread(s)"),
        "{:?}",
        r.incomplete
    );
    assert_eq!(r.ranking[0].split.signature, 0.0, "left out of the score");
    // CNSA 2.0 does not allow ECDSA P-256: the first allowed default is ECDSA P-384.
    let cnsa = policy::builtin("cnsa-2.0").unwrap();
    let r = rank(&tls(None), Some(&cnsa));
    assert!(
        r.model
            .contains("signature: ecdsa-p384-sha384, the first allowed of the defaults (ecdsa-p256-sha256: not allowed by cnsa-2.0"),
        "{}",
        r.model
    );
}

fn recommend_cli(args: &[&str]) -> assert_cmd::assert::Assert {
    let file = fixtures::path("messaging.json");
    Command::cargo_bin("cryptobench")
        .unwrap()
        .args(["recommend", "--results", file, "--duration", "10ms"])
        .args(args)
        .assert()
}

#[test]
fn cli_prints_the_split_and_refuses_a_signature_that_cannot_apply() {
    let out = recommend_cli(&["--workload", "tls", "--backend", "aws-lc-rs"]).code(0);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        text.contains("signature") && text.contains("time: AEAD / KEX / KDF / sig"),
        "{text}"
    );
    assert!(text.contains("ecdsa-p256-sha256"), "{text}");
    for (args, want) in [
        (
            &["--workload", "storage", "--sig-alg", "ed25519"][..],
            "--sig-alg: the storage workload has no handshake",
        ),
        (
            &["--workload", "tls", "--sig-alg", "x25519"][..],
            "--sig-alg: 'x25519' is not a signature algorithm (use ed25519, ",
        ),
        (
            &["--workload", "tls", "--policy", "cnsa-2.0", "--sig-alg", "ed25519"][..],
            "--sig-alg: ed25519 is not allowed by cnsa-2.0",
        ),
    ] {
        let err = common::usage_error(recommend_cli(args));
        assert!(err.contains(want), "{args:?}: {err}");
    }
}
