//! The built-in ACVP sigGen set holds the groups audit/vectors/acvp/README.md
//! lists, reproduces NIST's signatures on the backends that sign
//! deterministically, and fails a backend when an expected signature is wrong.

use super::*;
use crate::algorithm::{AlgorithmId, SigId};
use crate::kat::{builtin_sets, evaluate, Outcome, Verdict};

const IDS: [SigId; 3] = [SigId::MlDsa44, SigId::MlDsa65, SigId::MlDsa87];

fn built_in(id: SigId) -> VectorSet {
    let mut sets: Vec<VectorSet> = builtin_sets(&[AlgorithmId::Sig(id)])
        .into_iter()
        .filter(|s| s.name == SET)
        .collect();
    assert_eq!(sets.len(), 1, "{id}: one {SET} set");
    sets.remove(0)
}

/// "tcId flags" of each case, e.g. "31 external/pure/deterministic".
fn kept(set: &VectorSet) -> Vec<String> {
    set.cases
        .iter()
        .map(|c| format!("{} {}", c.id, c.flags.join("/")))
        .collect()
}

#[test]
fn each_parameter_set_gets_its_kept_tests_and_only_those() {
    let pure = "external/pure/deterministic";
    let internal = "internal/deterministic";
    let want = [
        ["1", "2", "3", "106"],
        ["31", "32", "33", "136"],
        ["61", "62", "63", "166"],
    ];
    for (id, ids) in IDS.into_iter().zip(want) {
        let set = built_in(id);
        assert_eq!(set.algorithm, AlgorithmId::Sig(id));
        let flags = [pure, pure, pure, internal];
        let expected: Vec<String> = ids.iter().zip(flags).map(|(t, f)| format!("{t} {f}")).collect();
        assert_eq!(kept(&set), expected, "{id}");
    }
    assert!(builtin_sets(&[AlgorithmId::Sig(SigId::Ed25519)])
        .iter()
        .all(|s| s.name != SET));
}

fn verdicts(outcomes: &[Outcome]) -> Vec<String> {
    outcomes
        .iter()
        .map(|o| match &o.verdict {
            Verdict::Pass => format!("{} pass", o.id),
            Verdict::Fail { detail } => format!("{} fail: {detail}", o.id),
            Verdict::Unsupported { reason } => format!("{} unsupported: {reason}", o.id),
            v => format!("{} {v:?}", o.id),
        })
        .collect()
}

/// RustCrypto, libcrux and OpenSSL sign deterministically from an expanded
/// key: the external-interface signatures come out as NIST's on all three;
/// the internal interface on RustCrypto and OpenSSL (`message-encoding` = 0),
/// not libcrux (libcrux-ml-dsa keeps it behind a feature). aws-lc-rs imports
/// no expanded key: no backend passes a case it cannot run.
#[cfg(all(feature = "rustcrypto", feature = "libcrux"))]
#[test]
fn ml_dsa_65_signatures_reproduce_acvp_on_rustcrypto_libcrux_and_openssl() {
    let set = built_in(SigId::MlDsa65);
    let all = ["31 pass", "32 pass", "33 pass", "136 pass"];
    let rc = verdicts(&evaluate(crate::backend::test_named("RustCrypto"), &set));
    assert_eq!(rc, all);
    let lc = verdicts(&evaluate(crate::backend::test_named("libcrux"), &set));
    assert_eq!(lc[..3], all[..3]);
    assert!(
        lc[3].starts_with("136 unsupported: ") && lc[3].contains("internal interface"),
        "{}",
        lc[3]
    );
    for b in crate::backend::test_all() {
        if (b.sig)(SigId::MlDsa65).is_err() || ["RustCrypto", "libcrux"].contains(&b.name) {
            continue;
        }
        let other = verdicts(&evaluate(b, &set));
        match b.name {
            "openssl" => assert_eq!(other, all),
            _ => assert!(
                other.iter().all(|v| v.contains(" unsupported: ")),
                "{}: {other:?}",
                b.name
            ),
        }
    }
}

/// One byte of tcId 32's expected signature changed: both backends that
/// reproduce the set must now fail that case, and only that one.
#[cfg(all(feature = "rustcrypto", feature = "libcrux"))]
#[test]
fn a_changed_byte_of_an_expected_signature_fails() {
    let mut answers: Value = serde_json::from_str(EXPECTED).unwrap();
    let group = answers["testGroups"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|g| g["tgId"] == 3)
        .expect("tgId 3 (ML-DSA-65, external, pure) is kept");
    let test = &mut group["tests"][1];
    assert_eq!(test["tcId"], 32);
    let sig = test["signature"].as_str().unwrap();
    let flipped = if sig.starts_with('0') { "1" } else { "0" };
    test["signature"] = Value::String(format!("{flipped}{}", &sig[1..]));
    let sets = with_answers(&answers);
    let set = sets
        .iter()
        .find(|s| s.algorithm == AlgorithmId::Sig(SigId::MlDsa65))
        .unwrap();
    for name in ["RustCrypto", "libcrux"] {
        let v = verdicts(&evaluate(crate::backend::test_named(name), set));
        assert_eq!(v[0], "31 pass", "{name}");
        assert!(v[1].starts_with("32 fail: signature: got "), "{name}: {}", v[1]);
        assert_eq!(v[2], "33 pass", "{name}");
    }
}

/// `kat --vectors` tells the committed prompt by its content and reads the
/// same cases from it; only the set's name differs.
#[test]
fn kat_vectors_reads_the_committed_files_to_the_same_cases() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("audit/vectors/acvp/ML-DSA-sigGen");
    let mut loaded = crate::kat::detect::load(&dir.join("prompt.json")).unwrap().sets;
    assert_eq!(loaded.len(), 3);
    for s in &mut loaded {
        assert_eq!(s.name, "acvp:ML-DSA-sigGen");
        s.name = SET.into();
    }
    assert_eq!(format!("{loaded:?}"), format!("{:?}", all()));
}
