//! The AES-GCM seal whose IV the library draws itself (aws-lc-rs
//! `RandomizedNonceKey`, the approved service of the AWS-LC FIPS module). A
//! seal vector fixes the IV, so no known-answer test reaches it; it counts as
//! tested when the open KATs pass and every other backend opens what it
//! sealed. Seeded faults prove that cross-open fails when it should.
#![cfg(feature = "aws-lc-rs")]

use cryptobench::algorithm::{AeadId, AlgorithmId};
use cryptobench::backend::{self, AeadAlgorithm, AeadKey, Backend, ModuleIvKey, Registry, Result};
use cryptobench::crosscheck::{module_iv_problems, raw_openers, seal_module_iv};
use cryptobench::kat;
use cryptobench::policy::service::{cross_open, CrossOpen, MESSAGES};

const GCM: [AeadId; 2] = [AeadId::Aes128Gcm, AeadId::Aes256Gcm];

fn aws() -> &'static Backend {
    Registry::builtin().by_name("aws-lc-rs").unwrap()
}

/// Every backend of this build but aws-lc-rs that offers `id` as a raw AEAD.
fn others(id: AeadId) -> Vec<&'static str> {
    let all = Registry::builtin().backends().to_vec();
    let mut names: Vec<&str> = raw_openers(&all, id).into_iter().map(|(n, _)| n).collect();
    names.retain(|n| *n != "aws-lc-rs");
    names
}

#[test]
fn every_other_backend_opens_what_the_module_sealed() {
    let all = Registry::builtin().backends().to_vec();
    for id in GCM {
        let openers = others(id);
        assert!(!openers.is_empty(), "{id}: nothing else to open it with");
        match cross_open(aws(), id, &all) {
            CrossOpen::Passed { openers: o, messages } => {
                assert_eq!(
                    (o, messages),
                    (openers.iter().map(|s| s.to_string()).collect(), MESSAGES.len())
                )
            }
            other => panic!("{id}: {other:?}"),
        }
        // The module draws a fresh IV per seal: the same message twice, two ciphertexts.
        let alg = (aws().aead)(id).unwrap();
        let key = vec![7; id.key_len()];
        let (a, b) = (
            seal_module_iv(alg, &key, b"", b"same").unwrap(),
            seal_module_iv(alg, &key, b"", b"same").unwrap(),
        );
        assert_ne!((&a.iv, &a.ct), (&b.iv, &b.ct));
    }
    // With no other backend to open it, nothing was checked: not a pass.
    let alone = cross_open(aws(), AeadId::Aes256Gcm, &[aws()]);
    assert!(
        matches!(&alone, CrossOpen::NotRun { reason } if reason.contains("no other backend")),
        "{alone:?}"
    );
}

/// The other half of "tested": aws-lc-rs passes its known-answer tests on
/// AES-GCM, which open every valid vector and refuse every forgery.
#[test]
fn the_open_kats_pass_on_aws_lc_rs() {
    let algs: Vec<AlgorithmId> = GCM.iter().map(|&a| AlgorithmId::Aead(a)).collect();
    let results = kat::run(&[aws()], &kat::builtin_sets(&algs));
    let (pass, fail) = results
        .iter()
        .fold((0, 0), |(p, f), r| (p + r.counts.pass, f + r.counts.fail));
    assert_eq!(fail, 0);
    assert!(pass > 100, "{pass} vectors passed");
}

/// How a seeded fault breaks a module-IV seal.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Fault {
    /// The tag comes out with its first byte flipped.
    TagFlipped,
    /// The IV returned is not the one the message was sealed under.
    IvMisreported,
    /// The module repeats its first IV (and so its first output) for the same message.
    IvRepeated,
}

struct FaultyAlg(Fault);
struct FaultyKey(Box<dyn ModuleIvKey>, Fault, Option<(Vec<u8>, Vec<u8>, Vec<u8>)>);

impl AeadAlgorithm for FaultyAlg {
    fn id(&self) -> AeadId {
        AeadId::Aes256Gcm
    }
    fn key(&self, key: &[u8]) -> Result<Box<dyn AeadKey>> {
        (aws().aead)(AeadId::Aes256Gcm)?.key(key)
    }
    fn module_iv_key(&self, key: &[u8]) -> Result<Box<dyn ModuleIvKey>> {
        let real = (aws().aead)(AeadId::Aes256Gcm)?.module_iv_key(key)?;
        Ok(Box::new(FaultyKey(real, self.0, None)))
    }
}

impl ModuleIvKey for FaultyKey {
    fn seal_in_place(&mut self, aad: &[u8], buf: &mut [u8], iv: &mut [u8], tag: &mut [u8]) -> Result<()> {
        if let (Fault::IvRepeated, Some((i, c, t))) = (self.1, &self.2) {
            iv.copy_from_slice(i);
            buf.copy_from_slice(c);
            tag.copy_from_slice(t);
            return Ok(());
        }
        self.0.seal_in_place(aad, buf, iv, tag)?;
        match self.1 {
            Fault::TagFlipped => tag[0] ^= 1,
            Fault::IvMisreported => iv[0] ^= 1,
            Fault::IvRepeated => self.2 = Some((iv.to_vec(), buf.to_vec(), tag.to_vec())),
        }
        Ok(())
    }
}

macro_rules! fault_backend {
    ($static:ident, $name:literal, $fault:expr) => {
        static $static: Backend = Backend::new($name, || "test-only".into()).aead(|id| match id {
            AeadId::Aes256Gcm => Ok(&FaultyAlg($fault)),
            _ => backend::unsupported("test-only"),
        });
    };
}

fault_backend!(TAG_FLIPPED, "fault:module-iv-tag-flipped", Fault::TagFlipped);
fault_backend!(IV_MISREPORTED, "fault:module-iv-misreported", Fault::IvMisreported);
fault_backend!(IV_REPEATED, "fault:module-iv-repeated", Fault::IvRepeated);

/// Each fault is caught by the very check that runs before a `seal-module-iv`
/// cell is timed and behind the compliance verdict: a corrupted tag or IV is
/// refused by every opener, a repeated IV by the freshness check.
#[test]
fn seeded_module_iv_faults_fail_the_cross_open() {
    let all = Registry::builtin().backends().to_vec();
    let id = AeadId::Aes256Gcm;
    let openers = others(id);
    for (b, fault) in [
        (&TAG_FLIPPED, Fault::TagFlipped),
        (&IV_MISREPORTED, Fault::IvMisreported),
    ] {
        let problems = module_iv_problems(&[b], &all, id, 1350, 13);
        // aws-lc-rs refuses it too: every raw opener, itself included.
        assert_eq!(problems.len(), openers.len() + 1, "{fault:?}: {problems:?}");
        for o in &openers {
            assert!(
                problems
                    .iter()
                    .any(|(_, p)| p.starts_with(&format!("{o} cannot open its output"))),
                "{fault:?}: {o}"
            );
        }
        assert!(matches!(cross_open(b, id, &all), CrossOpen::Failed { .. }), "{fault:?}");
    }
    let problems = module_iv_problems(&[&IV_REPEATED], &all, id, 64, 0);
    assert!(
        matches!(&problems[..], [(_, p)] if p.contains("drew the same IV twice")),
        "{problems:?}"
    );
    // The genuine module, through the same calls: nothing to report.
    assert_eq!(module_iv_problems(&[aws()], &all, id, 1350, 13), []);
}
