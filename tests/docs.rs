//! The capability matrix in docs/capabilities.md is the output of
//! `cryptobench list --format markdown`, committed between marker comments;
//! this test fails when the committed copy is stale.
//!
//! Regenerate: `CRYPTOBENCH_UPDATE_DOCS=1 cargo test --release --test docs`.

use assert_cmd::Command;

const DOC: &str = "docs/capabilities.md";
const BEGIN: &str = "<!-- BEGIN generated: cryptobench list --format markdown -->\n";
const END: &str = "<!-- END generated -->";

/// The committed copy describes the default build on a CPU graviola accepts.
const DEFAULT_BUILD: bool = cfg!(all(
    feature = "ring",
    feature = "aws-lc-rs",
    feature = "openssl",
    feature = "rustcrypto",
    feature = "graviola",
    feature = "libcrux",
    not(feature = "rustls")
));

#[test]
fn capability_matrix_in_docs_is_current() {
    if !DEFAULT_BUILD {
        eprintln!("skipped: {DOC} describes the default feature set; this build has other backends");
        return;
    }
    let out = Command::cargo_bin("cryptobench")
        .unwrap()
        .args(["list", "--format", "markdown"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "list failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let generated = String::from_utf8(out.stdout).unwrap();
    if generated.contains("this CPU lacks one") {
        eprintln!("skipped: {DOC} describes a CPU graviola runs on; this one lacks a feature it needs");
        return;
    }
    let doc = std::fs::read_to_string(DOC).unwrap();
    let start = doc.find(BEGIN).map(|i| i + BEGIN.len());
    let end = doc.find(END);
    let (Some(start), Some(end)) = (start, end) else {
        panic!("{DOC}: the markers {BEGIN:?} and {END:?} are missing");
    };
    if doc[start..end] == generated {
        return;
    }
    if std::env::var_os("CRYPTOBENCH_UPDATE_DOCS").is_some() {
        std::fs::write(DOC, format!("{}{generated}{}", &doc[..start], &doc[end..])).unwrap();
        eprintln!("{DOC} regenerated");
        return;
    }
    panic!(
        "{DOC} is stale: it differs from `cryptobench list --format markdown` of this build.\n\
         Regenerate it with `CRYPTOBENCH_UPDATE_DOCS=1 cargo test --release --test docs` and commit it."
    );
}
