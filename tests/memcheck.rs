//! `audit ct --method memcheck` proven as `seeded_faults` proves the other
//! audits: test-only AEADs whose tag compare exits at the first differing byte,
//! or whose key schedule reads a table at a key-byte index, must be flagged;
//! the constant-time control must come out clean; a leak placed under an
//! allow-listed function must still be new. Each runs in a child (this test
//! binary again, one ignored test) under valgrind. Without valgrind the tests
//! skip with the reason, except under CI=true, where they fail.

mod common;
mod faults;

use std::process::Command;

use std::hint::black_box;

use cryptobench::algorithm::{AeadId, AlgorithmId};
use cryptobench::audit::memcheck;
use cryptobench::audit::memcheck_allow::{site_of, MemcheckAllow};
use cryptobench::audit::memcheck_run::{self, ChildLog, Finding};
use cryptobench::backend::{AeadAlgorithm, AeadKey, Backend, Registry, Result};

const CHILD: &str = "CRYPTOBENCH_MEMCHECK_CANARY";

fn canary(name: &str) -> &'static Backend {
    match name {
        "early-exit" => &faults::EARLY_EXIT_TAG,
        "key-indexed" => &faults::KEY_INDEXED_LOOKUP,
        "under-allow-listed" => &UNDER_ALLOW_LISTED,
        "under-allow-listed-control" => &UNDER_ALLOW_LISTED_CONTROL,
        _ => &faults::CONSTANT_TIME_TAG,
    }
}

// ---- A leak inside an allow-listed call tree ----
//
// `reviewed_parent` calls `reviewed_site`, whose key-indexed read the test's
// allow-list entry explains (symbol reviewed_site, caller reviewed_parent).
// The leaky variant adds key-indexed reads in `leak_under_site` (its caller is
// the entry's symbol) and `leak_beside_site` (its caller is the entry's
// caller). An entry matching any frame by substring explained all three.

/// Distinct values, so the compiler cannot fold a read into a constant.
static TABLE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = (i as u8).wrapping_mul(167).wrapping_add(13);
        i += 1;
    }
    t
};

#[inline(never)]
fn reviewed_parent(key: &[u8], leak: bool) -> u8 {
    let v = reviewed_site(key, leak);
    if leak {
        v ^ leak_beside_site(key)
    } else {
        v
    }
}

/// The line of the reviewed read: the test pins its entry here.
const REVIEWED_LINE: u32 = line!() + 4;

#[inline(never)]
fn reviewed_site(key: &[u8], leak: bool) -> u8 {
    let v = TABLE[black_box(key)[0] as usize];
    if leak {
        v ^ leak_under_site(key)
    } else {
        v
    }
}

#[inline(never)]
fn leak_under_site(key: &[u8]) -> u8 {
    TABLE[black_box(key)[1] as usize]
}

#[inline(never)]
fn leak_beside_site(key: &[u8]) -> u8 {
    TABLE[black_box(key)[2] as usize]
}

/// The clean control AEAD; its open first runs the canary over a copy of the (secret) key.
struct UnderAllowListed(bool);
struct UnderKey(Box<dyn AeadKey>, Vec<u8>, bool);

impl AeadAlgorithm for UnderAllowListed {
    fn id(&self) -> AeadId {
        AeadId::Aes128Gcm
    }
    fn key(&self, key: &[u8]) -> Result<Box<dyn AeadKey>> {
        let inner = (faults::CONSTANT_TIME_TAG.aead)(AeadId::Aes128Gcm)?.key(key)?;
        Ok(Box::new(UnderKey(inner, key.to_vec(), self.0)))
    }
}

impl AeadKey for UnderKey {
    fn seal_in_place(&mut self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &mut [u8]) -> Result<()> {
        self.0.seal_in_place(nonce, aad, buf, tag)
    }
    fn open_in_place(&mut self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &[u8]) -> Result<()> {
        black_box(reviewed_parent(&self.1, self.2));
        self.0.open_in_place(nonce, aad, buf, tag)
    }
}

macro_rules! under_backend {
    ($static:ident, $name:literal, $leak:expr) => {
        static $static: Backend = Backend::new($name, || "test-only".into()).aead(|id| match id {
            AeadId::Aes128Gcm => Ok(&UnderAllowListed($leak)),
            _ => cryptobench::backend::unsupported("test-only"),
        });
    };
}
under_backend!(UNDER_ALLOW_LISTED, "leaky:under-allow-listed", true);
under_backend!(UNDER_ALLOW_LISTED_CONTROL, "control:under-allow-listed", false);

#[test]
#[ignore = "the child of the memcheck tests: runs inside valgrind"]
fn memcheck_child() {
    if let Ok(name) = std::env::var(CHILD) {
        memcheck::exercise(
            &Registry::builtin(),
            canary(&name),
            AlgorithmId::Aead(AeadId::Aes128Gcm),
        )
        .unwrap();
    }
}

/// False (and the reason printed) when valgrind is missing; a failure under CI.
fn have_valgrind() -> bool {
    match memcheck_run::valgrind_version() {
        Ok(_) => true,
        Err(why) if std::env::var("CI").as_deref() == Ok("true") => panic!("CI=true but {why}"),
        Err(why) => {
            eprintln!("skipped: {why}");
            false
        }
    }
}

fn child(name: &str) -> Command {
    let mut c = Command::new(std::env::current_exe().unwrap());
    c.args([
        "--exact",
        "memcheck_child",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(CHILD, name);
    c
}

fn run(name: &str) -> ChildLog {
    let (log, _) = memcheck_run::run_child(&child(name)).unwrap();
    assert!(log.complete, "{name}: the child did not finish: {}", log.last_line);
    log
}

fn in_faults(log: &ChildLog, op: &str, kind: &str) -> bool {
    log.findings
        .iter()
        .any(|f| f.op == op && f.site.kind.starts_with(kind) && f.site.frames.iter().any(|fr| fr.contains("mod.rs")))
}

#[test]
fn memcheck_flags_the_leaky_canaries_and_not_the_control() {
    if !have_valgrind() {
        return;
    }
    let early = run("early-exit");
    assert!(
        in_faults(&early, "open", "Conditional jump"),
        "early-exit tag compare not flagged: {early:#?}"
    );
    let lookup = run("key-indexed");
    assert!(
        in_faults(&lookup, "key", "Use of uninitialised value"),
        "key-indexed lookup not flagged: {lookup:#?}"
    );
    let control = run("control");
    assert!(
        control.findings.is_empty(),
        "the constant-time control is not clean: {control:#?}"
    );
}

/// The site ("function", "caller") of a finding, as the matcher sees it.
fn site(f: &Finding) -> (String, String) {
    let (s, c) = site_of(&f.site.frames).expect("a site");
    (
        s.function.to_string(),
        c.map(|c| c.function.to_string()).unwrap_or_default(),
    )
}

/// The reviewed read, pinned as an allow-list entry would pin it.
fn canary_list() -> MemcheckAllow {
    let text = format!(
        "[[entry]]\nid = \"canary-reviewed-site\"\nbackends = [\"canary\"]\nops = [\"open\", \"open-forged\"]\n\
         justification = \"the canary's reviewed read\"\nspec = \"tests/memcheck.rs\"\n\
         site = [{{ symbol = \"memcheck::reviewed_site\", at = \"tests/memcheck.rs:{REVIEWED_LINE}\", \
         caller = \"memcheck::reviewed_parent\" }}]\n"
    );
    MemcheckAllow::parse("canary", &text).unwrap()
}

#[test]
fn a_leak_under_an_allow_listed_function_is_still_new() {
    if !have_valgrind() {
        return;
    }
    let jobs = [("canary", "control"), ("canary", "leaky")].map(|(b, a)| (b.to_string(), a.to_string()));
    let rows = memcheck_run::run_all(
        &jobs,
        |_, a| {
            child(if a == "leaky" {
                "under-allow-listed"
            } else {
                "under-allow-listed-control"
            })
        },
        &canary_list(),
    );
    let findings = |i: usize| rows[i].log.as_ref().map(|l| l.findings.clone()).unwrap_or_default();
    let (control, leaky) = (findings(0), findings(1));
    let reviewed = |f: &Finding| f.explained_by.as_deref() == Some("canary-reviewed-site");
    assert!(
        !control.is_empty() && control.iter().all(reviewed) && rows[0].unexplained() == 0,
        "the control must show only the reviewed read, explained: {control:#?}"
    );
    for f in &leaky {
        let (fun, caller) = site(f);
        eprintln!(
            "canary {}: {fun} called from {caller}: {}",
            f.op,
            f.explained_by.as_deref().unwrap_or("NEW")
        );
    }
    let new: Vec<(String, String)> = leaky.iter().filter(|f| f.is_new()).map(site).collect();
    let want = [
        ("memcheck::leak_under_site", "memcheck::reviewed_site"),
        ("memcheck::leak_beside_site", "memcheck::reviewed_parent"),
    ];
    for (fun, caller) in want {
        assert!(
            new.contains(&(fun.into(), caller.into())),
            "{fun} under {caller} not reported as new: {leaky:#?}"
        );
    }
    assert!(
        leaky.iter().any(reviewed) && new.len() == rows[1].unexplained(),
        "{leaky:#?}"
    );
    // Each leak has the allow-listed function among its frames: what the old
    // any-frame substring match took as explained.
    assert!(leaky
        .iter()
        .filter(|f| f.is_new())
        .all(|f| f.site.frames[1..].iter().any(|fr| fr.contains("memcheck::reviewed_"))));
}

#[test]
fn a_known_open_finding_is_listed_and_passes_while_the_same_finding_unknown_fails() {
    if !have_valgrind() {
        return;
    }
    if Registry::builtin().by_name("libcrux").is_err() {
        eprintln!("skipped: this build has no libcrux backend (its P-256 has the known open finding used here)");
        return;
    }
    let lc = || {
        let mut c = cli_for("libcrux", "P-256");
        c.arg("--format").arg("markdown");
        c
    };
    let out = String::from_utf8(lc().assert().code(0).get_output().stdout.clone()).unwrap();
    assert!(
        out.contains("KNOWN OPEN libcrux-p256-validate-scalar-early-exit"),
        "{out}"
    );
    assert!(
        out.contains("reproduce: cryptobench audit ct --method memcheck --backend libcrux"),
        "{out}"
    );
    let json = cli_for("libcrux", "P-256")
        .args(["--format", "json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(json).unwrap().contains("\"known_open\": {"));
    // The same list without its [[known]] part: the finding is new and fails.
    let full = std::fs::read_to_string("audit/memcheck-allow.toml").unwrap();
    let cut = full
        .find("\n[[known]]")
        .expect("the built-in list has known open findings");
    let dir = tempfile::tempdir().unwrap();
    let allow_only = dir.path().join("allow.toml");
    std::fs::write(&allow_only, &full[..cut]).unwrap();
    let out = lc()
        .arg("--memcheck-allow-list")
        .arg(&allow_only)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(out).unwrap().contains("[NEW]"));
}

fn cli_for(backend: &str, algorithm: &str) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("cryptobench").unwrap();
    c.args([
        "audit",
        "ct",
        "--method",
        "memcheck",
        "--backend",
        backend,
        "--algorithm",
        algorithm,
    ]);
    c
}

fn cli() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("cryptobench").unwrap();
    c.args([
        "audit",
        "ct",
        "--method",
        "memcheck",
        "--backend",
        "ring",
        "--algorithm",
        "AES-128-GCM",
    ]);
    c
}

#[test]
fn the_cli_explains_with_the_allow_list_and_fails_without_it() {
    if !have_valgrind() {
        return;
    }
    let out = cli().assert().code(0).get_output().stdout.clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("aead-open-verdict") && text.contains("AVX-512"), "{text}");
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("allow.toml");
    std::fs::write(&empty, "").unwrap();
    cli().arg("--memcheck-allow-list").arg(&empty).assert().code(1);
}

#[test]
fn no_valgrind_is_a_usage_error_with_the_install_hint() {
    let err = common::usage_error(cli().env("PATH", "/nonexistent").assert());
    assert!(err.contains("apt-get install valgrind"), "{err}");
}
