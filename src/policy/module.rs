//! Whether a backend is a validated module build (FIPS 140-3), as far as this
//! binary can tell, and what that module's certificate covers.
//!
//! Two facts are kept apart, because FIPS mode on is not a certificate:
//! - what this process can detect: is the backend the module build, in FIPS
//!   mode, and which module version ([`status`]);
//! - what the module's certificates cover, from data files quoted from their
//!   sources (`policies/modules/*.toml`, [`ModuleFacts`]): per version, the
//!   certificate (or "in process"), whether anyone confirmed it on the CMVP
//!   list, and the approved algorithms, each with its citation.
//!
//! [`judge`] joins them into a deployment verdict that is COMPLIANT only when
//! every required algorithm lies inside a confirmed certificate's approved list.

use serde::{Deserialize, Serialize};

use crate::algorithm::{AlgorithmId, Operation};
use crate::backend::{Backend, Module};
use crate::Error;

/// The module data files, embedded.
const FACTS: &[(&str, &str)] = &[
    (
        "policies/modules/aws-lc-fips.toml",
        include_str!("../../policies/modules/aws-lc-fips.toml"),
    ),
    (
        "policies/modules/openssl-fips.toml",
        include_str!("../../policies/modules/openssl-fips.toml"),
    ),
];

/// One module's facts (a `policies/modules/*.toml` file).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ModuleFacts {
    pub module: String,
    pub backend: String,
    pub source: String,
    pub quoted_on: String,
    pub version: Vec<VersionFacts>,
    #[serde(default)]
    pub service: Vec<ServiceFacts>,
}

/// What one range of module versions has: a certificate or not, and its approved list.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct VersionFacts {
    /// "4" covers 4.x; "3.1" covers 3.1.x.
    pub versions: Vec<String>,
    pub status: CertStatus,
    pub certificates: Vec<String>,
    /// True only once someone checked the certificate on the CMVP list.
    pub confirmed: bool,
    pub citation: String,
    pub approved: Vec<String>,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum CertStatus {
    Validated,
    #[serde(rename = "in process")]
    InProcess,
}

/// How an algorithm must be used to count as an approved service.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ServiceFacts {
    pub algorithms: Vec<String>,
    pub approved_service: String,
    pub citation: String,
    /// The operation whose rows measure the approved service (`seal-module-iv`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measured_as: Option<Operation>,
    /// Operations whose rows measure a non-approved service (`seal`: a caller-chosen IV).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub non_approved: Vec<Operation>,
}

impl ModuleFacts {
    /// The facts of the version `v` ("4.2.0" matches "4" and "4.2").
    pub fn for_version(&self, v: &str) -> Option<&VersionFacts> {
        self.version.iter().find(|f| {
            f.versions
                .iter()
                .any(|p| v == p || v.strip_prefix(p.as_str()).is_some_and(|r| r.starts_with('.')))
        })
    }
}

/// Every built-in module data file, parsed (they are checked by a test).
pub fn facts() -> Vec<ModuleFacts> {
    FACTS
        .iter()
        .map(|(f, t)| parse_facts(f, t).unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

/// A module data file, e.g. a copy of a built-in one with a certificate
/// confirmed (`compliance --module-facts FILE`).
pub fn parse_facts(file: &str, text: &str) -> Result<ModuleFacts, Error> {
    let m: ModuleFacts = toml::from_str(text).map_err(|e| {
        let (loc, msg) = super::load::toml_error(text, &e);
        Error::file(file, format!("{loc}: {msg}"))
    })?;
    for v in &m.version {
        for a in &v.approved {
            a.parse::<AlgorithmId>()
                .map_err(|e| Error::value(format!("{file}: version {:?}: approved: {e}", v.versions)))?;
        }
        if v.citation.trim().is_empty() {
            return Err(Error::value(format!(
                "{file}: version {:?}: citation is empty (fix: cite where the certificate is listed)",
                v.versions
            )));
        }
    }
    Ok(m)
}

/// The built-in facts with the user's module data files (`--module-facts FILE`,
/// repeatable) in place of the built-in file for their backends.
pub fn load_facts(files: &[std::path::PathBuf]) -> Result<Vec<ModuleFacts>, Error> {
    let mine = files
        .iter()
        .map(|p| {
            let text = crate::input::read_text(p, crate::input::MAX_TEXT)
                .map_err(|e| Error::flag("--module-facts", format!("{}: {e}", p.display())))?;
            parse_facts(&p.display().to_string(), &text).map_err(|e| Error::flag("--module-facts", format!("{e}")))
        })
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(facts_with(&mine))
}

/// The built-in facts, with each backend's replaced by a user's file for it.
pub fn facts_with(overrides: &[ModuleFacts]) -> Vec<ModuleFacts> {
    let mut all: Vec<ModuleFacts> = facts()
        .into_iter()
        .filter(|m| !overrides.iter().any(|o| o.backend == m.backend))
        .collect();
    all.extend(overrides.iter().cloned());
    all
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ModuleStatus {
    /// True only when this backend is the module build and in FIPS mode in this
    /// process (aws-lc-rs with `--features fips`). An OpenSSL FIPS provider
    /// that merely loads does not count: the cells run on the default provider.
    pub fips_module: bool,
    pub detail: String,
    /// The module and the version running, when `fips_module`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

impl ModuleStatus {
    fn not_validated(why: &str) -> Self {
        ModuleStatus {
            fips_module: false,
            detail: format!("not validated ({why})"),
            version: None,
        }
    }
}

/// The module status of a backend in this process, from its [`Module`] fact:
/// a candidate is detected at run time, per module.
pub fn status(backend: &Backend) -> ModuleStatus {
    match backend.module {
        Module::Candidate("aws-lc-fips") => aws_lc(),
        Module::Candidate("openssl-fips") => openssl(),
        Module::Candidate(other) => {
            ModuleStatus::not_validated(&format!("this build cannot detect the {other} module"))
        }
        Module::NotValidated(why) => ModuleStatus::not_validated(why),
    }
}

/// What to do when no backend qualifies: the two routes this project supports.
pub const HOW_TO_GET_ONE: &str = "build with `cargo build --release --features fips` (needs Go and CMake) to make the \
    aws-lc-rs backend the AWS-LC FIPS module (then check that its version has a certificate on the CMVP list), or \
    link an OpenSSL whose FIPS provider is on a CMVP certificate and make the cells run on it (this build's openssl \
    adapter uses the default provider)";

/// A backend's standing for a deployment that needs a validated module.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "kebab-case")]
pub enum Judgement {
    /// A confirmed certificate whose approved list holds every required algorithm.
    Compliant {
        certificate: String,
    },
    NotAModule {
        reason: String,
    },
    /// The module version has no certificate yet.
    ModuleInProcess {
        reason: String,
    },
    AlgorithmOutsideApprovedList {
        algorithms: Vec<String>,
        reason: String,
    },
    /// A certificate is quoted for this version but nobody confirmed it on the CMVP list.
    CertificateNotConfirmed {
        reason: String,
    },
    /// A confirmed certificate, but a required algorithm did not pass its
    /// known-answer tests here, or its approved service was not tested here.
    NotTested {
        algorithms: Vec<String>,
        reason: String,
    },
}

impl Judgement {
    pub fn label(&self) -> &'static str {
        match self {
            Judgement::Compliant { .. } => "COMPLIANT",
            Judgement::NotAModule { .. } => "not a validated module",
            Judgement::ModuleInProcess { .. } => "module in process",
            Judgement::AlgorithmOutsideApprovedList { .. } => "algorithm outside the module's approved list",
            Judgement::CertificateNotConfirmed { .. } => "certificate not confirmed",
            Judgement::NotTested { .. } => "required algorithm not tested here",
        }
    }

    pub fn reason(&self) -> String {
        match self {
            Judgement::Compliant { certificate } => format!("certificate {certificate}, confirmed"),
            Judgement::NotAModule { reason }
            | Judgement::ModuleInProcess { reason }
            | Judgement::AlgorithmOutsideApprovedList { reason, .. }
            | Judgement::CertificateNotConfirmed { reason }
            | Judgement::NotTested { reason, .. } => reason.clone(),
        }
    }
}

/// The verdict for `backend` (its `status`) on a deployment needing
/// `required`, by the module facts `all`.
pub fn judge(all: &[ModuleFacts], backend: &str, status: &ModuleStatus, required: &[AlgorithmId]) -> Judgement {
    let Some(version) = status.version.as_deref().filter(|_| status.fips_module) else {
        return Judgement::NotAModule {
            reason: status.detail.clone(),
        };
    };
    let Some(m) = all.iter().find(|m| m.backend == backend) else {
        return Judgement::CertificateNotConfirmed {
            reason: format!("no module data for {backend} (add a policies/modules file with its certificate)"),
        };
    };
    let quoted = format!("quoted from {} on {}", m.source, m.quoted_on);
    let Some(v) = m.for_version(version) else {
        return Judgement::CertificateNotConfirmed {
            reason: format!(
                "{} {version} is not in the module data; check the CMVP list ({quoted})",
                m.module
            ),
        };
    };
    if v.status == CertStatus::InProcess {
        return Judgement::ModuleInProcess {
            reason: format!(
                "{} {version}: {} [{}]; no certificate yet: use a validated version, or wait for the certificate ({quoted})",
                m.module, "in process", v.citation
            ),
        };
    }
    let outside: Vec<String> = required
        .iter()
        .map(|a| a.name().to_string())
        .filter(|a| !v.approved.contains(a))
        .collect();
    if !outside.is_empty() {
        return Judgement::AlgorithmOutsideApprovedList {
            reason: format!(
                "{} {version} does not approve {} [{}]: use an approved algorithm ({quoted})",
                m.module,
                outside.join(", "),
                v.citation
            ),
            algorithms: outside,
        };
    }
    let certs = v.certificates.join(", ");
    if !v.confirmed {
        return Judgement::CertificateNotConfirmed {
            reason: format!(
                "{} {version}: certificate {certs} [{}] (unconfirmed): check it on the CMVP list, then pass a copy of the module file with confirmed = true to --module-facts ({quoted})",
                m.module, v.citation
            ),
        };
    }
    Judgement::Compliant { certificate: certs }
}

/// The approved-service notes for `required` (e.g. GCM encryption only with
/// an IV generated inside the module), from the backend's module data.
pub fn service_notes(all: &[ModuleFacts], backend: &str, required: &[AlgorithmId]) -> Vec<String> {
    let Some(m) = all.iter().find(|m| m.backend == backend) else {
        return Vec::new();
    };
    m.service
        .iter()
        .filter(|s| required.iter().any(|a| s.algorithms.iter().any(|x| x == a.name())))
        .map(|s| format!("{}: {} [{}]", s.algorithms.join(", "), s.approved_service, s.citation))
        .collect()
}

/// The module's approved-service rule for `alg` on `backend`, if its data names one.
pub fn service_for<'a>(all: &'a [ModuleFacts], backend: &str, alg: AlgorithmId) -> Option<&'a ServiceFacts> {
    let m = all.iter().find(|m| m.backend == backend)?;
    m.service.iter().find(|s| s.algorithms.iter().any(|a| a == alg.name()))
}

/// `aws_lc_rs::try_fips_mode()` in a `--features fips` build, else None.
pub fn aws_lc_fips_mode() -> Option<bool> {
    #[cfg(feature = "fips")]
    return Some(aws_lc_rs::try_fips_mode().is_ok());
    #[cfg(not(feature = "fips"))]
    None
}

#[cfg(feature = "fips")]
fn aws_lc() -> ModuleStatus {
    match aws_lc_rs::try_fips_mode() {
        Ok(()) => {
            let version = aws_lc_rs::fips_version().map_or("?".into(), |v| v.to_string());
            ModuleStatus {
                fips_module: true,
                detail: format!(
                    "AWS-LC FIPS module {version} (aws-lc-fips-sys {}, AWS-LC {}), try_fips_mode() = Ok: FIPS mode is on, \
                     which is not a certificate",
                    crate::dep_version!("aws-lc-fips-sys"),
                    aws_lc_rs::awslc_version(),
                ),
                version: Some(version),
            }
        }
        Err(e) => ModuleStatus::not_validated(&format!("aws-lc-fips-sys linked, but try_fips_mode() = Err({e})")),
    }
}

#[cfg(not(feature = "fips"))]
fn aws_lc() -> ModuleStatus {
    ModuleStatus::not_validated("aws-lc-rs built without its fips feature; build with --features fips")
}

#[cfg(feature = "openssl-system")]
fn openssl() -> ModuleStatus {
    if openssl_fips_provider_loads() {
        ModuleStatus::not_validated(
            "an OpenSSL FIPS provider loads, but every cell here runs on the default provider: a provider counts only when the cells ran on it",
        )
    } else {
        ModuleStatus::not_validated(
            "no OpenSSL FIPS provider loads at run time (the vendored build is configured without enable-fips)",
        )
    }
}

#[cfg(not(feature = "openssl-system"))]
fn openssl() -> ModuleStatus {
    ModuleStatus::not_validated("OpenSSL not compiled in")
}

/// Tries to load the "fips" provider into a private library context, then
/// unloads it and frees the context, so the process's default context (used by
/// the benchmarks) is never touched. OpenSSL ≥ 3.0 (OSSL_PROVIDER_try_load(3)).
#[cfg(feature = "openssl-system")]
fn openssl_fips_provider_loads() -> bool {
    openssl_sys::init();
    // SAFETY: a fresh context owned here; the provider handle is unloaded and the
    // context freed before returning; null results are checked.
    unsafe {
        let ctx = openssl_sys::OSSL_LIB_CTX_new();
        if ctx.is_null() {
            return false;
        }
        let prov = openssl_sys::OSSL_PROVIDER_try_load(ctx, c"fips".as_ptr(), 1);
        let found = !prov.is_null();
        if found {
            openssl_sys::OSSL_PROVIDER_unload(prov);
        }
        openssl_sys::OSSL_LIB_CTX_free(ctx);
        // A failed load leaves errors on this thread's queue; the adapters must not see them.
        openssl_sys::ERR_clear_error();
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algorithm::{AeadId, KexId};

    fn module(version: &str) -> ModuleStatus {
        ModuleStatus {
            fips_module: true,
            detail: "test".into(),
            version: Some(version.into()),
        }
    }

    #[test]
    fn every_module_file_parses_and_names_known_algorithms() {
        for m in facts() {
            for v in &m.version {
                for a in &v.approved {
                    assert!(a.parse::<AlgorithmId>().is_ok(), "{}: {a}", m.module);
                }
                assert!(
                    !v.citation.is_empty() && !v.confirmed,
                    "{}: built-in facts are quoted",
                    m.module
                );
            }
        }
    }

    #[test]
    fn fips_mode_is_not_a_certificate() {
        let all = facts();
        let judge = |b: &str, s: &ModuleStatus, r: &[AlgorithmId]| judge(&all, b, s, r);
        let gcm = [AlgorithmId::Aead(AeadId::Aes256Gcm)];
        let mlkem = [AlgorithmId::Kex(KexId::MlKem768)];
        // AWS-LC-FIPS 4.x: in process, whatever the algorithm.
        let j = judge("aws-lc-rs", &module("4.2.0"), &gcm);
        assert_eq!(j.label(), "module in process", "{j:?}");
        // 2.0: certified, but ML-KEM is outside its approved list.
        let j = judge("aws-lc-rs", &module("2.0.13"), &mlkem);
        assert!(
            matches!(&j, Judgement::AlgorithmOutsideApprovedList { algorithms, .. } if algorithms == &["ML-KEM-768"]),
            "{j:?}"
        );
        // 3.1 with ML-KEM: inside the list, but the certificate is only quoted.
        let j = judge("aws-lc-rs", &module("3.1.0"), &mlkem);
        assert_eq!(j.label(), "certificate not confirmed", "{j:?}");
        assert!(
            j.reason().contains("#5298") && j.reason().contains("(unconfirmed)"),
            "{j:?}"
        );
        // A version the data does not know, and a backend that is no module.
        assert_eq!(
            judge("aws-lc-rs", &module("9.0"), &gcm).label(),
            "certificate not confirmed"
        );
        let ring = Backend::new("ring", String::new).module(Module::NotValidated("no FIPS build"));
        assert_eq!(status(&ring).detail, "not validated (no FIPS build)");
        assert_eq!(judge("ring", &status(&ring), &gcm).label(), "not a validated module");
        let unknown = Backend::new("mine", String::new).module(Module::Candidate("mine-fips"));
        assert!(
            !status(&unknown).fips_module,
            "a module this build cannot detect is not one"
        );
        assert_eq!(
            ModuleFacts::for_version(&facts()[0], "3.10").map(|v| &v.versions[0]),
            None
        );
    }

    #[test]
    fn a_confirmed_certificate_covering_every_algorithm_is_compliant() {
        // What a user's own copy of the data looks like after checking the CMVP list.
        let text = include_str!("../../policies/modules/aws-lc-fips.toml");
        let confirmed = text.replacen("confirmed = false", "confirmed = true", 2);
        let mine = parse_facts("mine.toml", &confirmed).unwrap();
        let all = facts_with(&[mine]);
        let mlkem = [AlgorithmId::Kex(KexId::MlKem768)];
        let j = judge(&all, "aws-lc-rs", &module("3.1.2"), &mlkem);
        assert_eq!(
            j,
            Judgement::Compliant {
                certificate: "#5298, #5314".into()
            }
        );
        // Still in process for 4.x, whatever the user confirmed for 3.1.
        assert_eq!(
            judge(&all, "aws-lc-rs", &module("4.0"), &mlkem).label(),
            "module in process"
        );
        let gcm = [AlgorithmId::Aead(AeadId::Aes128Gcm)];
        assert!(service_notes(&all, "aws-lc-rs", &gcm)[0].contains("RandomizedNonceKey"));
        let e = parse_facts("bad.toml", &text.replacen("\"P-256\"", "\"P-999\"", 1))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("bad.toml: version") && e.contains("P-999"), "{e}");
    }
}
