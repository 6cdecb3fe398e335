//! C2SP CCTV ML-KEM accumulated test (https://c2sp.org/CCTV/ML-KEM) on every
//! backend with deterministic keygen, encaps and dk export: each must finish
//! the stream (Decaps(ct) = Encaps' k on each test) and reach the digest CCTV
//! publishes for FIPS 203 final (its README's revision that appends k to d,
//! "don't forget to append k as the 33rd byte"; the older revision's digests
//! were for FIPS 203 ipd). The 1,000,000-test run is ignored (minutes per backend).

use std::io::Write;
use std::time::Instant;

use cryptobench::algorithm::KexId;
use cryptobench::backend::{self, Error};
use cryptobench::kat::cctv;

fn accumulated_on_every_backend(id: KexId, tests: u32, want: &str) {
    let mut digests: Vec<(&str, String)> = Vec::new();
    let t = Instant::now();
    let runs = cctv::accumulated_on(backend::Registry::builtin().backends(), id, tests);
    let mut out = format!(
        "\nCCTV accumulated {id}, {tests} tests ({:.1} s for all backends, in parallel):\n",
        t.elapsed().as_secs_f64()
    );
    for (name, run) in runs {
        match run {
            Ok(d) => {
                out += &format!("  {name:<12} {}\n", hex::encode(&d));
                digests.push((name, hex::encode(d)));
            }
            Err(Error::Unsupported(why)) => out += &format!("  {name:<12} unsupported: {why}\n"),
            Err(e) => panic!("{name} {id}: {e}"),
        }
    }
    std::io::stderr().write_all(out.as_bytes()).unwrap();
    assert!(digests.len() >= 2, "fewer than two backends ran it:{out}");
    let wrong: Vec<&str> = digests.iter().filter(|d| d.1 != want).map(|d| d.0).collect();
    assert!(wrong.is_empty(), "{wrong:?} miss CCTV's digest {want}:{out}");
}

#[test]
fn accumulated_10k_matches_cctv_on_every_backend() {
    for (id, want, _) in cctv::PUBLISHED {
        accumulated_on_every_backend(id, 10_000, want);
    }
}

#[test]
#[ignore = "1,000,000 tests per backend and parameter set: cargo test --release --test cctv -- --ignored"]
fn accumulated_1m_matches_cctv_on_every_backend() {
    for (id, _, want) in cctv::PUBLISHED {
        accumulated_on_every_backend(id, 1_000_000, want);
    }
}

#[test]
fn unlucky_strcmp_and_modulus_sets_pass_on_every_backend() {
    use cryptobench::kat;
    let sets = cctv::all();
    let mut out = String::from("\nCCTV unlucky+strcmp+modulus:\n");
    let mut fails = 0;
    for b in backend::Registry::builtin().backends().to_vec() {
        let t = Instant::now();
        let results = kat::run(&[b], &sets);
        let mut c = kat::VerdictCounts::default();
        for r in &results {
            r.outcomes.iter().for_each(|o| c.add(&o.verdict));
        }
        fails += c.fail;
        out += &format!(
            "  {:<12} {} cases: {} pass, {} fail, {} unsupported ({:.2} s)\n",
            b.name,
            c.total(),
            c.pass,
            c.fail,
            c.unsupported,
            t.elapsed().as_secs_f64()
        );
    }
    std::io::stderr().write_all(out.as_bytes()).unwrap();
    assert_eq!(fails, 0, "{out}");
}
