//! Unit tests of the memcheck site matcher (memcheck_allow.rs).

use super::*;
use crate::audit::memcheck_run::{ChildLog, Row, Site};

fn finding(op: &str, frames: &[&str]) -> Finding {
    Finding {
        op: op.into(),
        site: Site {
            kind: "Conditional jump or move depends on uninitialised value(s)".into(),
            frames: frames.iter().map(|f| f.to_string()).collect(),
        },
        explained_by: None,
        known_open: None,
        stale_entry: None,
    }
}

const LIST: &str = r#"
[[entry]]
id = "verdict"
backends = ["ring"]
ops = ["agree"]
justification = "a public verdict"
spec = "SP 800-56A"
site = [{ symbol = "ring::limb::check", at = "ring/src/limb.rs:189", caller = "ring::ec::parse*" }]

[[known]]
id = "early-exit"
backends = ["ring"]
issue = "leaks leading zero bytes"
reproducer = "cryptobench audit ct --method memcheck --backend ring --algorithm P-256"
site = [{ symbol = "ring::zero", at = "src/zero.rs:7", caller = "ring::limb::check" }]
"#;

/// A branch in `ring::limb::check` at limb.rs:`line`, called from `caller`,
/// behind a standard-library frame (transparent).
fn at(line: u32, caller: &str) -> Finding {
    finding(
        "agree",
        &[
            "all<u8> (rustc/library/core/src/slice/iter/macros.rs:315)",
            &format!("ring::limb::check (ring-0.17.14/src/limb.rs:{line})"),
            &format!("{caller} (ring-0.17.14/src/ec/ops.rs:597)"),
        ],
    )
}

#[test]
fn an_entry_explains_its_innermost_site_only() {
    let l = MemcheckAllow::parse("t", LIST).unwrap();
    let ok = at(189, "ring::ec::parse_scalar");
    assert_eq!(l.judge("ring", "P-256", &ok), Judgement::AllowListed("verdict".into()));
    // A secret branch deeper, under the allow-listed function: frame 1 is the
    // entry's symbol, frame 2 the entry's caller; the old any-frame substring
    // match explained it. Now it is new.
    let deeper = finding(
        "agree",
        &[
            "ring::leaky (ring-0.17.14/src/leaky.rs:3)",
            "ring::limb::check (ring-0.17.14/src/limb.rs:189)",
            "ring::ec::parse_scalar (ring-0.17.14/src/ec/ops.rs:597)",
        ],
    );
    assert_eq!(l.judge("ring", "P-256", &deeper), Judgement::New(None));
    assert_eq!(l.judge("ring", "P-256", &at(189, "ring::other")), Judgement::New(None));
    assert_eq!(l.judge("aws-lc-rs", "P-256", &ok), Judgement::New(None));
    let mut other_op = ok.clone();
    other_op.op = "import".into();
    assert_eq!(l.judge("ring", "P-256", &other_op), Judgement::New(None));
}

#[test]
fn a_moved_line_fails_closed_with_one_actionable_line() {
    let l = MemcheckAllow::parse("t", LIST).unwrap();
    let Judgement::New(Some(why)) = l.judge("ring", "P-256", &at(191, "ring::ec::parse_scalar")) else {
        panic!("a moved line must not be explained");
    };
    assert_eq!(
        why,
        "allow-list entry 'verdict' matches symbol ring::limb::check but not line ring/src/limb.rs:189 \
         (now 191; dependency changed?): re-review"
    );
}

#[test]
fn a_known_open_finding_is_reported_without_failing_and_a_new_one_fails() {
    let l = MemcheckAllow::parse("t", LIST).unwrap();
    let known = finding(
        "import",
        &[
            "ring::zero (ring-0.17.14/src/zero.rs:7)",
            "ring::limb::check (ring-0.17.14/src/limb.rs:1)",
        ],
    );
    let new = finding(
        "import",
        &["ring::zero (ring-0.17.14/src/zero.rs:8)", "ring::limb::check (x.rs:1)"],
    );
    let mut log = ChildLog {
        complete: true,
        ..ChildLog::default()
    };
    log.findings = vec![known, new];
    log.findings.iter_mut().for_each(|f| f.judge(&l, "ring", "P-256"));
    let k = log.findings[0].known_open.as_ref().expect("known");
    assert_eq!((k.id.as_str(), log.findings[0].is_new()), ("early-exit", false));
    assert!(k.reproducer.starts_with("cryptobench audit ct"));
    let mut row = Row {
        backend: "ring".into(),
        algorithm: "P-256".into(),
        log: Some(log),
        not_run: None,
        seconds: 0.0,
    };
    assert_eq!((row.known_open(), row.unexplained()), (1, 1));
    assert!(row.status().contains("1 known open, 1 new"), "{}", row.status());
    row.log.as_mut().unwrap().findings.pop();
    assert_eq!((row.known_open(), row.unexplained()), (1, 0));
}

#[test]
fn libcrux_secret_noise_sampling_is_not_explained_by_the_public_matrix_entries() {
    let cbd = finding(
        "keygen",
        &[
            "sample_from_binomial_distribution<libcrux_ml_kem::vector::avx2::SIMD256Vector, 2> (libcrux-ml-kem-0.0.11/src/sampling.rs:240)",
            "sample_vector_cbd_then_ntt<3, libcrux_ml_kem::vector::avx2::SIMD256Vector> (libcrux-ml-kem-0.0.11/src/ind_cpa.rs:300)",
        ],
    );
    for alg in ["ML-KEM-512", "ML-KEM-768", "ML-KEM-1024"] {
        assert_eq!(
            MemcheckAllow::builtin().judge("libcrux", alg, &cbd),
            Judgement::New(None)
        );
    }
}

#[test]
fn patterns_and_paths_match_precisely() {
    assert!(glob("aws_lc_*_EC_KEY_check_key", "aws_lc_0_47_0_EC_KEY_check_key"));
    assert!(!glob("aws_lc_*_EC_KEY_check_key", "aws_lc_0_47_0_EC_KEY_check_key_x"));
    assert!(!glob("sample_from_", "sample_from_binomial_distribution"));
    assert!(glob("validate_scalar<*>", "validate_scalar<&[u8]>"));
    assert!(path_suffix("ring/src/limb.rs", "ring-0.17.14/src/limb.rs"));
    assert!(path_suffix(
        "crypto/bn/bn_lib.c",
        "/work/t/out/openssl-build/build/src/crypto/bn/bn_lib.c"
    ));
    assert!(!path_suffix("ring/src/limb.rs", "ringx-0.1.0/src/limb.rs"));
    assert!(!path_suffix("ing/src/limb.rs", "ring-0.17.14/src/limb.rs"));
    assert!(!path_suffix("ring-0.17.14/src/limb.rs", "src/limb.rs"));
    let f = Frame::parse("call_once<(), (dyn Fn<()> + Sync)> (rustc/library/core/src/ops/function.rs:287)");
    assert_eq!(
        (f.path, f.line),
        (Some("rustc/library/core/src/ops/function.rs"), Some(287))
    );
    assert_eq!(Frame::parse("malloc (in /usr/lib/vgpreload.so)").path, None);
}

#[test]
fn loose_or_unpinned_entries_are_refused() {
    let entry = |site: &str| {
        format!("[[entry]]\nid = \"e\"\nbackends = [\"ring\"]\njustification = \"j\"\nspec = \"s\"\nsite = [{site}]\n")
    };
    let pinned = "{ symbol = \"f\", at = \"a.rs:1\", caller = \"g\" }";
    assert!(MemcheckAllow::parse("t", &entry(pinned)).is_ok());
    for bad in [
        "",
        "{ symbol = \"*f\", at = \"a.rs:1\", caller = \"g\" }",
        "{ symbol = \"f\", at = \"a.rs\", caller = \"g\" }",
        "{ symbol = \"f\", at = \"a.rs:1\", caller = \"\" }",
    ] {
        assert!(MemcheckAllow::parse("t", &entry(bad)).is_err(), "{bad}");
    }
    let old = "[[entry]]\nid = \"e\"\nbackends = [\"ring\"]\nframe = \"x25519\"\njustification = \"j\"\nspec = \"s\"\n";
    let e = MemcheckAllow::parse("t", old).unwrap_err();
    assert!(e.to_string().contains("unknown field `frame`"), "{e}");
    let twice = format!("{}{}", entry(pinned), entry(pinned));
    assert!(MemcheckAllow::parse("t", &twice)
        .unwrap_err()
        .to_string()
        .contains("duplicate id"));
}

#[test]
fn the_builtin_list_parses_and_every_entry_says_why() {
    let l = MemcheckAllow::builtin();
    assert!(l.entry.iter().all(|e| !e.spec.is_empty() && !e.site.is_empty()));
    assert!(l
        .known
        .iter()
        .any(|k| k.id == "libcrux-p256-validate-scalar-early-exit"));
}

#[test]
fn an_unreviewed_entry_covers_its_scope_only_and_must_name_it() {
    let list = r#"
[[known]]
id = "ml-dsa-rejection-loop"
backends = ["ring"]
algorithms = ["ml-dsa-65"]
ops = ["sign"]
reviewed = false
issue = "FIPS 204 Algorithm 7 rejects candidates on secret-derived norms"
reproducer = "cryptobench audit ct --method memcheck --algorithm ml-dsa-65"
"#;
    let l = MemcheckAllow::parse("t", list).unwrap();
    let mut sign = finding("sign", &["anything (a.rs:1)", "caller (b.rs:2)"]);
    sign.judge(&l, "ring", "ml-dsa-65");
    let k = sign.known_open.as_ref().expect("covered");
    assert!(!k.reviewed && !sign.is_new());
    // Another op, algorithm or backend is outside it: new, and it fails.
    for (op, b, a) in [
        ("import", "ring", "ml-dsa-65"),
        ("sign", "ring", "ml-dsa-44"),
        ("sign", "openssl", "ml-dsa-65"),
    ] {
        let mut f = finding(op, &["anything (a.rs:1)", "caller (b.rs:2)"]);
        f.judge(&l, b, a);
        assert!(f.is_new(), "{op} {b} {a}");
    }
    // Unscoped or site-less reviewed entries are refused.
    let e = MemcheckAllow::parse("t", &list.replace("ops = [\"sign\"]\n", "")).unwrap_err();
    assert!(e.to_string().contains("must name its algorithms and ops"), "{e}");
    let e = MemcheckAllow::parse("t", &list.replace("reviewed = false\n", "")).unwrap_err();
    assert!(e.to_string().contains("needs at least one"), "{e}");
}
