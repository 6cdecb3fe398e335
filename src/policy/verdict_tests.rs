//! The module verdict counts an algorithm whose module approves it only as a
//! service used one way (AES-GCM: an IV generated inside the module) only
//! when that path was tested in this run.

use super::*;
use crate::algorithm::{AeadId, AlgorithmId};
use crate::kat::VerdictCounts;
use crate::policy::compliance;
use crate::policy::kat_status::KatStatus;
use crate::policy::module::{facts_with, parse_facts, ModuleStatus};
use crate::policy::service::{CrossOpen, ServiceStanding};

const GCM: AlgorithmId = AlgorithmId::Aead(AeadId::Aes256Gcm);

/// aws-lc-rs as the AWS-LC FIPS module 3.1, whose certificate a user confirmed.
fn module_row(cross_open: Option<CrossOpen>) -> (ComplianceRow, Vec<ModuleFacts>) {
    let text = include_str!("../../policies/modules/aws-lc-fips.toml");
    let mine = parse_facts("mine.toml", &text.replacen("confirmed = false", "confirmed = true", 2)).unwrap();
    let facts = facts_with(&[mine]);
    let s = module::service_for(&facts, "aws-lc-rs", GCM).unwrap();
    let row = ComplianceRow {
        backend: "aws-lc-rs".into(),
        backend_version: "test".into(),
        algorithm: GCM,
        policy: crate::policy::builtin("fips-140-3").unwrap().decide(GCM),
        kat: KatStatus::Pass {
            counts: VerdictCounts {
                pass: 300,
                ..Default::default()
            },
            sets: 2,
        },
        module: ModuleStatus {
            fips_module: true,
            detail: "test".into(),
            version: Some("3.1.0".into()),
        },
        service: cross_open.map(|cross_open| ServiceStanding {
            approved_service: s.approved_service.clone(),
            citation: s.citation.clone(),
            measured_as: s.measured_as,
            non_approved: s.non_approved.clone(),
            cross_open,
        }),
    };
    (row, facts)
}

fn verdict(row: ComplianceRow, facts: &[ModuleFacts]) -> ModuleVerdict {
    let policy = crate::policy::builtin("fips-140-3").unwrap();
    let dep = compliance::Deployment {
        algorithms: vec![GCM],
        backend: None,
        source: "--require".into(),
    };
    module_verdict(&policy, &[row], Some(&dep), facts).unwrap()
}

fn passed() -> CrossOpen {
    CrossOpen::Passed {
        openers: vec!["ring".into(), "openssl".into()],
        messages: 5,
    }
}

#[test]
fn a_module_qualifies_only_once_its_approved_path_was_tested() {
    let (row, facts) = module_row(Some(passed()));
    let v = verdict(row, &facts);
    assert_eq!(v.qualifying, ["aws-lc-rs"]);
    let line = &v.approved_paths[0];
    assert!(line.starts_with("AES-256-GCM on aws-lc-rs: `seal-module-iv` is the approved service, tested: its output opened by ring, openssl (5 messages, 0 B to 16 KiB)"), "{line}");
    assert!(
        line.contains("`seal` is a non-approved service [FIPS 140-3 IG C.H"),
        "{line}"
    );
    for not_tested in [
        CrossOpen::NotRun {
            reason: "no other backend in this build offers AES-256-GCM to open its output".into(),
        },
        CrossOpen::Failed {
            problems: vec!["ring cannot open its output".into()],
        },
    ] {
        let (row, facts) = module_row(Some(not_tested));
        let v = verdict(row, &facts);
        assert!(v.qualifying.is_empty() && !v.compliant, "{v:?}");
        assert!(
            v.approved_paths[0].contains("`seal-module-iv` is the approved service, NOT tested: "),
            "{v:?}"
        );
        // The certificate stands; the verdict names what was not tested here.
        let (b, j) = &v.judgements[0];
        assert_eq!(
            (b.as_str(), j.label()),
            ("aws-lc-rs", "required algorithm not tested here")
        );
        assert!(
            v.modules[0]
                .contains("#5298, #5314, confirmed: AES-256-GCM: `seal-module-iv` is the approved service, NOT tested"),
            "{v:?}"
        );
    }
    // Failed known-answer tests: the same verdict, naming them.
    let (mut row, facts) = module_row(Some(passed()));
    row.kat = KatStatus::Fail {
        counts: VerdictCounts::default(),
        first: "tcId 7".into(),
    };
    let v = verdict(row, &facts);
    assert!(v.modules[0].contains("AES-256-GCM: known-answer tests FAIL"), "{v:?}");
    // A module data file without the service fields (an older copy) gives
    // no standing: the module is judged on its certificate and KATs alone.
    let (row, facts) = module_row(None);
    assert_eq!(verdict(row, &facts).qualifying, ["aws-lc-rs"]);
}

/// `attach` runs the cross-open with the real backends, and only under a
/// policy that requires a validated module.
#[test]
fn attach_tests_the_approved_path_under_a_module_policy_only() {
    let backends = crate::backend::test_all();
    let kat = crate::policy::kat_status::KatTable::new();
    for (name, want) in [("fips-140-3", true), ("cnsa-2.0", false)] {
        let policy = crate::policy::builtin(name).unwrap();
        let mut rows = compliance::rows(&policy, &backends, &[GCM], &kat);
        crate::policy::compliance::attach_services(&mut rows, &policy, &backends, &module::facts());
        for r in &rows {
            let aws = r.backend == "aws-lc-rs";
            match &r.service {
                Some(s) => {
                    assert!(want && aws, "{name} {}", r.backend);
                    assert!(matches!(s.cross_open, CrossOpen::Passed { .. }), "{s:?}");
                }
                None => assert!(!(want && aws), "{name}: aws-lc-rs has no standing"),
            }
        }
    }
}
