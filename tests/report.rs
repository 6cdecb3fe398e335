//! `cryptobench report` (tables, Markdown, fleet merge, HTML page) and
//! `cryptobench run --workload messaging`, on the result files of
//! tests/fixtures (built there) and tests/data/results/ (real `--quick` runs;
//! see tests/data/README.md).
//! The headless-browser check of the page is ci/html-check.sh.

use assert_cmd::Command;
use predicates::prelude::*;

mod fixtures;

fn bin() -> Command {
    Command::cargo_bin("cryptobench").unwrap()
}

fn a() -> &'static str {
    fixtures::path("fleet-a.json")
}

fn b() -> &'static str {
    fixtures::path("fleet-b.json")
}

const MESSAGING: &str = "tests/data/results/messaging-workload.json";
const KAT: &str = "tests/data/results/kat-aes128-x25519.json";

#[test]
fn markdown_report_puts_machines_side_by_side_in_cycles() {
    let out = bin()
        .args(["report", a(), b(), "--format", "markdown"])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.contains("## runner-a") && text.contains("## runner-b"), "{text}");
    assert!(text.contains("## Fleet: 2 machines side by side"));
    assert!(text.contains("### AES-128-GCM seal (bulk), cycles/byte, 1 thread"));
    assert!(text.contains("### X25519 keygen+agree, cycles/operation, 1 thread"));
    // The header row names both machines as columns.
    assert!(text
        .lines()
        .any(|l| l.starts_with("| size") && l.contains("runner-a") && l.contains("runner-b")));
}

#[test]
fn mixed_methodology_versions_are_refused() {
    bin()
        .args(["report", a(), fixtures::path("fleet-methodology2.json")])
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            predicate::str::contains("methodology version 2 differs from 1")
                .and(predicate::str::contains("fleet-a.json")),
        );
}

#[test]
fn bad_inputs_get_one_line_and_exit_2() {
    for (args, needle) in [
        (vec!["report", "tests/data/results/nope.json"], "nope.json: cannot read"),
        (
            vec!["report", "tests/data/acvp/keyGen/prompt.json"],
            "not a cryptobench result file",
        ),
        (vec!["report", a(), "--kat", a()], "--kat:"),
        (
            vec!["report", a(), "--policy", "fips-140-4"],
            "fips-140-4: --policy: not a built-in policy",
        ),
        (
            vec!["report", a(), "--policy", "tests/data/results/kat-aes128-x25519.json"],
            "kat-aes128-x25519.json: line 1:",
        ),
        (
            vec!["run", "--workload", "messaging", "--sizes", "16"],
            "--workload messaging",
        ),
        (
            vec!["run", "--workload", "messaging", "--algorithm", "p-256"],
            "--algorithm",
        ),
    ] {
        let out = bin().args(&args).assert().code(2);
        let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
        assert!(err.contains(needle) && err.lines().count() == 1, "{args:?}: {err}");
    }
}

#[test]
fn html_page_is_self_contained_with_every_chart() {
    let dir = tempfile::tempdir().unwrap();
    bin()
        .args(["report", a(), b(), MESSAGING, "--kat", KAT, "--html"])
        .arg(dir.path())
        .assert()
        .success();
    let html = std::fs::read_to_string(dir.path().join("index.html")).unwrap();
    let charts = html.matches("<figure class=\"chart\"><svg").count();
    // Per machine: AES-128-GCM throughput + scaling, X25519 ops/s + cycles/op + scaling; messaging: 3 tasks.
    assert_eq!(charts, 2 * 5 + 3);
    assert!(html.contains(&format!("data-expected-charts=\"{charts}\"")));
    for needle in [
        "Methodology version <b>1</b>",
        "runner-b",
        "Fleet: 2 machines side by side",
        "HKDF-SHA-256 (RFC 5869)",
        "PQXDH handshake",
        "Known-answer audit",
        "class=\"pass\"",
    ] {
        assert!(html.contains(needle), "missing {needle}");
    }
    // Nothing fetched: no external resources, only the SVG namespace URI.
    for banned in [" src=", "<link", "url(", "@import", "https://"] {
        assert!(!html.contains(banned), "page references {banned}");
    }
    assert_eq!(
        html.matches("http://").count(),
        html.matches("http://www.w3.org/2000/svg").count()
    );
}

#[test]
fn messaging_workload_measures_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("m.json");
    let out = bin()
        .args(["run", "--workload", "messaging", "--quick", "--backend", "ring,openssl"])
        .args([
            "--algorithm",
            "chacha20-poly1305,x25519mlkem768",
            "--threads",
            "1,2",
            "--duration",
            "10ms",
        ])
        .arg("--output")
        .arg(&file)
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.contains("HKDF-SHA-256 (RFC 5869), each backend's own"), "{text}");
    assert!(text.contains("X3DH handshake: handshakes/s") && text.contains("message: messages/s"));
    assert!(text.contains("X25519MLKEM768 encapsulation") && text.contains("ChaCha20-Poly1305 key schedule"));
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(json["schema"], "cryptobench-messaging");
    assert_eq!(json["complete"], true);
    let rows = json["rows"].as_array().unwrap();
    // openssl runs all three tasks; ring offers no X25519MLKEM768, so no PQXDH (listed as not measured).
    assert_eq!(rows.len(), 5, "{rows:?}");
    assert_eq!(json["skipped"][0]["backend"], "ring");
    for r in rows {
        let rates = r["rates"].as_array().unwrap();
        assert_eq!(rates.len(), 2);
        assert!(rates.iter().all(|x| x["ops_per_sec"]["median"].as_f64().unwrap() > 0.0));
    }
    bin()
        .args(["report", "--format", "markdown"])
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains("## End-to-end messaging workload"));
}

/// The `<td>` cells of a backend's row in the page's compliance matrix: (class, title, text).
fn compliance_row(html: &str, backend: &str) -> Vec<(String, String, String)> {
    let section = &html[html
        .find("<h2>Compliance: fips-140-3</h2>")
        .expect("compliance section")..];
    let line = section
        .lines()
        .find(|l| l.starts_with("<tr><th title=") && l.contains(&format!(">{backend}</th>")))
        .unwrap_or_else(|| panic!("no row for {backend}"));
    line.split("<td class=\"")
        .skip(1)
        .map(|c| {
            let (class, rest) = c.split_once("\" title=\"").unwrap();
            let (title, rest) = rest.split_once("\">").unwrap();
            (class.into(), title.into(), rest.split("</td>").next().unwrap().into())
        })
        .collect()
}

#[test]
fn policy_adds_a_compliance_matrix_to_page_and_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .args([
            "report",
            a(),
            MESSAGING,
            "--policy",
            "fips-140-3",
            "--policy",
            "cnsa-2.0",
        ])
        .args(["--format", "markdown", "--html"])
        .arg(dir.path())
        .assert()
        .success();
    let html = std::fs::read_to_string(dir.path().join("index.html")).unwrap();
    // Algorithms of the sweep (AES-128-GCM, X25519) and of the messaging run (AES-256-GCM, ML-KEM-768).
    assert!(html
        .contains("<th>backend</th><th>AES-128-GCM</th><th>AES-256-GCM</th><th>X25519</th><th>ML-KEM-768</th></tr>"));
    let ring = compliance_row(&html, "ring");
    let states: Vec<&str> = ring.iter().map(|c| c.0.as_str()).collect();
    // FIPS 140-3: GCM under SP 800-38D conditions, X25519 not approved, ring has no ML-KEM.
    assert_eq!(
        states,
        ["c-conditional", "c-conditional", "c-not-allowed", "c-not-offered"]
    );
    assert!(
        ring[2]
            .1
            .starts_with("not allowed (note: the IG resolution and the July 2025 decision are quoted"),
        "{:?}",
        ring[2]
    );
    assert!(
        ring[2].1.contains("Source: NIST SP 800-56A Rev. 3 §5.7.1.2"),
        "{:?}",
        ring[2]
    );
    assert!(ring[2].1.contains("KAT: pass ("), "{:?}", ring[2]);
    assert!(ring[0].1.contains("IV of 96 bits"), "{:?}", ring[0]);
    let aws = compliance_row(&html, "aws-lc-rs");
    assert_eq!(aws[3].0, "c-conditional", "{:?}", aws[3]);
    assert!(aws[3].1.contains("FIPS 203 §7.2"));
    assert!(html.contains("<h2>Compliance: cnsa-2.0</h2>"));
    assert!(
        html.contains("<span class=\"c-kat-failed\">KAT failed</span>"),
        "legend"
    );
    // Still no charts beyond the results' own, and nothing fetched.
    let charts = html.matches("<figure class=\"chart\"><svg").count();
    assert!(html.contains(&format!("data-expected-charts=\"{charts}\"")));
    assert!(!html.contains("https://") && !html.contains(" src="));

    let md = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let fips = &md[md.find("## Compliance: fips-140-3").expect("markdown section")..];
    let ring_line = fips.lines().find(|l| l.starts_with("| ring ")).unwrap();
    let cells: Vec<&str> = ring_line.split('|').map(str::trim).collect();
    assert_eq!(
        cells[2..6],
        ["⚠ conditions", "⚠ conditions", "❌ not allowed", "— not offered"]
    );
    assert!(fips.contains("- X25519: not allowed [NIST SP 800-56A Rev. 3"));
    let cnsa = &md[md.find("## Compliance: cnsa-2.0").unwrap()..];
    let ring_line = cnsa.lines().find(|l| l.starts_with("| ring ")).unwrap();
    assert!(ring_line.contains("❌ not allowed") && ring_line.contains("✅ allowed"));
}

#[test]
fn policy_names_backends_this_binary_cannot_evaluate() {
    let dir = tempfile::tempdir().unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(a()).unwrap()).unwrap();
    let mut cell = json["cells"][0].clone();
    cell["backend"] = "boringssl".into();
    json["cells"].as_array_mut().unwrap().push(cell);
    let file = dir.path().join("other.json");
    std::fs::write(&file, json.to_string()).unwrap();
    bin()
        .args(["report", "--policy", "fips-140-3"])
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "backend boringssl not evaluated: not compiled into this binary",
        ));
}

/// Writes the built fixtures (ci/html-check.sh runs this test to get them) and
/// checks each is a result file `report` accepts.
#[test]
fn fixture_files_are_written_and_readable() {
    for (name, _) in fixtures::all() {
        let path = fixtures::path(name);
        let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert_eq!(json["schema"], "cryptobench-result", "{name}");
        bin().args(["report", path, "--format", "markdown"]).assert().success();
    }
}

/// The section between `<h2 id="at-a-glance">` and the next h2 of the page.
fn glance_section(html: &str) -> &str {
    let start = html
        .find("<h2 id=\"at-a-glance\">At a glance</h2>")
        .expect("At a glance heading");
    let rest = &html[start + 10..];
    &rest[..rest.find("<h2").unwrap_or(rest.len())]
}

#[test]
fn markdown_report_opens_with_the_answer() {
    let out = bin()
        .args([
            "report",
            a(),
            "--kat",
            KAT,
            "--policy",
            "fips-140-3",
            "--format",
            "markdown",
        ])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.starts_with("## At a glance\n"), "{text}");
    assert!(text.find("## At a glance") < text.find("## runner-a"));
    // Rows with the padding of the widest cell collapsed to one space.
    let row = |prefix: &str| {
        text.lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no row {prefix} in {text}"))
    };
    assert!(row("| use ").contains("| KAT ") && row("| use ").contains("| fips-140-3 "));
    // The fixture's 16 KiB cells of aws-lc-rs and OpenSSL are equal: a tie, no plain ★.
    let tls = row("| TLS records (16 KiB) | AES-128-GCM");
    assert!(tls.contains("aws-lc-rs, openssl ≈★") && !tls.contains(" ★ "), "{tls}");
    assert!(tls.contains("tie (ranges overlap)") && tls.contains("aws-lc-rs: pass") && tls.contains("allowed"));
    // Uses whose sizes the fixture lacks (16 B, 1 KiB, 16 KiB only) are read at
    // the nearest measured size (on a log scale), and the row says so.
    for nearest in [
        "| messaging (1 KiB, nearest to 256 B) ",
        "| TLS packets (1 KiB, nearest to 1350 B) ",
        "| storage blocks (16 KiB, nearest to 64 KiB) ",
    ] {
        assert!(!row(nearest).contains("not measured"), "{}", row(nearest));
    }
    assert!(text.contains("- AES-128-GCM seal: graviola is fastest wherever there is a clear winner"));
}

#[test]
fn run_markdown_opens_with_the_answer_too() {
    let out = bin()
        .args([
            "run",
            "--quick",
            "--algorithm",
            "aes-128-gcm",
            "--backend",
            "ring,openssl",
        ])
        .args(["--sizes", "256,16k", "--threads", "1", "--format", "markdown"])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.starts_with("### At a glance\n"), "{text}");
    // Column widths follow the widest cell (a tie lists two backends), so
    // rows are matched by their cells, not by padding.
    let cells = |prefix: &str| -> Vec<String> {
        let line = text
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in {text}"));
        line.split('|').map(|c| c.trim().to_string()).collect()
    };
    assert_eq!(cells("| messaging (256 B)")[2], "AES-128-GCM", "{text}");
    assert_eq!(cells("| TLS records (16 KiB)")[2], "AES-128-GCM", "{text}");
    let storage = cells("| storage blocks (16 KiB, nearest to 64 KiB)");
    assert_eq!(storage[2], "AES-128-GCM", "{text}");
    assert!(storage[3].contains('★'), "{text}");
}

#[test]
fn page_has_contents_a_chart_grid_and_the_figures_of_every_chart() {
    let dir = tempfile::tempdir().unwrap();
    bin()
        .args([
            "report",
            a(),
            b(),
            MESSAGING,
            "--kat",
            KAT,
            "--policy",
            "fips-140-3",
            "--html",
        ])
        .arg(dir.path())
        .assert()
        .success();
    let html = std::fs::read_to_string(dir.path().join("index.html")).unwrap();
    // Every link of the table of contents has its target, and every section is linked.
    let hrefs: Vec<&str> = html
        .split("href=\"#")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    assert!(hrefs.len() >= 10, "{hrefs:?}");
    for id in &hrefs {
        assert!(html.contains(&format!(" id=\"{id}\"")), "no target for #{id}");
    }
    for id in [
        "at-a-glance",
        "runner-a",
        "runner-b",
        "fleet-2-machines-side-by-side",
        "known-answer-audit",
    ] {
        assert!(hrefs.contains(&id), "{id} not in the contents: {hrefs:?}");
    }
    assert!(hrefs.contains(&"compliance-fips-140-3"));
    // The answer comes before the first machine, with the tie and the KAT column.
    assert!(html.find("id=\"at-a-glance\"") < html.find("id=\"runner-a\""));
    let glance = glance_section(&html);
    assert!(glance.contains("<h3 id=\"runner-a-at-a-glance\">"), "{glance}");
    assert!(
        glance.contains("<td class=\"tie\">aws-lc-rs, openssl ≈★</td>"),
        "{glance}"
    );
    assert!(glance.contains("<th>KAT</th>") && glance.contains("<th>fips-140-3</th>"));
    // Charts sit in the grid, each with its figures; ties are visible in those tables too.
    assert!(html.contains(".charts{display:grid;grid-template-columns:repeat(2,"));
    let figures: Vec<&str> = html.split("<figure class=\"chart\">").skip(1).collect();
    assert_eq!(figures.len(), 2 * 5 + 3);
    for f in &figures {
        let f = &f[..f.find("</figure>").unwrap()];
        assert!(
            f.contains("<details class=\"data\"><summary>") && f.contains("<table>"),
            "{f}"
        );
    }
    assert!(html.contains("X25519: core cycles per operation, 1 thread"));
    assert!(html.matches("<td class=\"tie\">").count() > 2);
    // One colour per backend: the key and the charts use plotters' value for ring.
    let ring = "#1F77B4";
    assert!(html.contains(&format!("background:{ring}\"></span>ring")));
    assert!(html.contains(&format!("stroke=\"{ring}\"")) && html.contains(&format!("fill=\"{ring}\"")));
}
