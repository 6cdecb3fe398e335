//! Older-CPU paths: measuring as if on a machine without AVX-512/VAES, or
//! without AVX, or without AES-NI, through the one documented run-time mask
//! the backends honour, and the environment variables that change a backend's
//! dispatch (recorded in every fingerprint).
//!
//! What each backend honours (read from the sources of the versions we link;
//! each backend states it as its [`CpuMasking`] fact):
//! - OpenSSL (`crypto/cpuid.c`, `OPENSSL_cpuid_setup`) and AWS-LC
//!   (`crypto/fipsmodule/cpucap/cpu_intel.c`) read `OPENSSL_ia32cap` once, when
//!   the library initialises: `~X` clears bits of the CPUID leaf 1 word
//!   (EDX | ECX<<32), `:~Y` of the leaf 7 word (EBX | ECX<<32). An empty value
//!   zeroes every capability (AES-NI off). `OPENSSL_armcap` is the AArch64 twin.
//!   OpenSSL's `OPENSSL_CONF` / `OPENSSL_MODULES` can load other providers.
//! - ring 0.17 detects features itself (no getenv in its Rust or C parts).
//! - RustCrypto (`cpufeatures`) and libcrux (`libcrux-platform`) ask CPUID
//!   only; their overrides are compile-time `cfg`s (`aes_force_soft`, …).
//! - graviola reads `GRAVIOLA_CPU_DISABLE_<feature>` only in builds with
//!   debug assertions (`low/x86_64/cpu.rs`, `test_toggle`); release builds ignore it.
//!
//! Because OpenSSL reads the mask in a constructor before `main`, the mask
//! cannot be set from inside the process: `run --cpu-features` re-executes
//! itself with the variable set ([`prepare`]).

use crate::backend::{Backend, CpuMasking, Registry};
use crate::Error;

/// The variable both OpenSSL and AWS-LC read on x86-64.
pub const IA32CAP: &str = "OPENSSL_ia32cap";
/// Set in the re-executed child to the profile name it was started for.
pub const CHILD_ENV: &str = "CRYPTOBENCH_CPU_FEATURES";

/// Variables that change which code path a backend takes, and who reads them.
pub const DISPATCH_VARS: &[(&str, &str)] = &[
    (IA32CAP, "OpenSSL and AWS-LC: x86 CPU capability mask"),
    ("OPENSSL_armcap", "OpenSSL and AWS-LC: AArch64 capability mask"),
    ("OPENSSL_CONF", "OpenSSL: configuration, may load other providers"),
    ("OPENSSL_MODULES", "OpenSSL: provider directory"),
];
/// graviola's per-feature switch (debug builds only, see the module docs).
pub const GRAVIOLA_PREFIX: &str = "GRAVIOLA_CPU_DISABLE_";

/// A CPU profile to measure as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// AVX2 and AES-NI, no AVX-512, VAES or VPCLMULQDQ (Haswell … Skylake client).
    Avx2,
    /// AES-NI and PCLMULQDQ, no AVX at all (Westmere-class).
    Aesni,
    /// No AES-NI, PCLMULQDQ, AVX, SSSE3 or SSE4 (the x86-64 SSE2 baseline).
    Baseline,
}

impl Profile {
    pub const ALL: [Profile; 3] = [Profile::Avx2, Profile::Aesni, Profile::Baseline];

    pub fn name(self) -> &'static str {
        match self {
            Profile::Avx2 => "avx2",
            Profile::Aesni => "aesni",
            Profile::Baseline => "baseline",
        }
    }

    pub fn parse(s: &str) -> Result<Profile, Error> {
        Profile::ALL.into_iter().find(|p| p.name() == s).ok_or_else(|| {
            Error::flag(
                "--cpu-features",
                format!("unknown profile '{s}' (avx2, aesni, baseline)"),
            )
        })
    }

    /// The `OPENSSL_ia32cap` value. Bits: leaf 1 ECX is the high half of the
    /// first word (AVX 28 → 60, AES 25 → 57, SSE4.2 20 → 52, SSE4.1 19 → 51,
    /// SSSE3 9 → 41, PCLMULQDQ 1 → 33); leaf 7 EBX the low half of the second
    /// (AVX2 5, AVX512F 16) and ECX its high half (VAES 9 → 41, VPCLMULQDQ 10 → 42).
    /// "~0x0" leaves the first word alone (AWS-LC ignores a bare ":").
    pub fn ia32cap(self) -> &'static str {
        match self {
            Profile::Avx2 => "~0x0:~0x60000010000",
            Profile::Aesni => "~0x1000000000000000:~0x60000010020",
            Profile::Baseline => "~0x1218020200000000:~0x60000010020",
        }
    }
}

/// The mask record is a result-file type; re-exported at its old path.
pub use crate::results::CpuMask;

/// Every dispatch-changing variable set in this process, sorted.
pub fn dispatch_env() -> Vec<(String, String)> {
    dispatch_vars(std::env::vars_os())
}

/// The dispatch-changing variables among `vars`, sorted.
fn dispatch_vars(vars: impl Iterator<Item = (std::ffi::OsString, std::ffi::OsString)>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = vars
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.to_string_lossy().into_owned())))
        .filter(|(k, _)| DISPATCH_VARS.iter().any(|(n, _)| n == k) || k.starts_with(GRAVIOLA_PREFIX))
        .collect();
    out.sort();
    out
}

/// The stderr warning for a set variable, naming who it affects.
pub fn warning(name: &str, value: &str) -> String {
    let who = DISPATCH_VARS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, w)| *w)
        .unwrap_or("graviola (debug builds only): CPU feature switch");
    format!(
        "warning: {name}='{value}' is set ({who}); the figures are for the paths it allows, not this machine's full ones. Recorded in the result's fingerprint."
    )
}

/// What `run --cpu-features` must do in this process.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// This is the re-executed child: measure here.
    Measure,
    /// Re-execute with these variables set.
    Reexec(Vec<(String, String)>),
}

/// Decides, from the current environment, whether to measure here or re-execute.
pub fn prepare(profile: Profile, env: &[(String, String)]) -> Result<Step, Error> {
    if !cfg!(target_arch = "x86_64") {
        return Err(Error::flag(
            "--cpu-features",
            "profiles are defined for x86-64 only (OPENSSL_ia32cap)",
        ));
    }
    let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    match (get(CHILD_ENV), get(IA32CAP)) {
        (Some(p), Some(v)) if p == profile.name() && v == profile.ia32cap() => Ok(Step::Measure),
        (_, Some(v)) => Err(Error::flag(
            "--cpu-features",
            format!("{IA32CAP} is already set to '{v}'; unset it or drop --cpu-features"),
        )),
        _ => Ok(Step::Reexec(vec![
            (IA32CAP.into(), profile.ia32cap().into()),
            (CHILD_ENV.into(), profile.name().into()),
        ])),
    }
}

/// Runs this executable again with the same arguments and `vars` set; its exit code.
pub fn reexec(vars: &[(String, String)]) -> Result<i32, Error> {
    let exe = std::env::current_exe()
        .map_err(|e| Error::flag("--cpu-features", format!("cannot find this executable: {e}")))?;
    let status = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .envs(vars.iter().map(|(k, v)| (k, v)))
        .status()
        .map_err(|e| Error::flag("--cpu-features", format!("cannot re-execute: {e}")))?;
    Ok(status.code().unwrap_or(1))
}

/// What `run --cpu-features NAME` does here.
pub enum Applied {
    /// No profile asked for: measure everything, unmasked.
    Unmasked,
    /// This is the masked child: `backends` was narrowed to the maskable ones.
    Masked(CpuMask),
    /// The parent re-executed itself under the mask; this is the child's exit code.
    Reexecuted(u8),
}

/// `--cpu-features`: in the parent, re-execute with the mask set; in the
/// child, keep the maskable `backends` and say which were left out. The mask
/// must be in the environment before the library initialises (OpenSSL reads
/// `OPENSSL_ia32cap` once, at start-up), hence the re-execution. `registry`
/// names the backends to choose instead when none of `backends` is maskable.
pub fn apply(name: Option<&str>, registry: &Registry, backends: &mut Vec<&'static Backend>) -> Result<Applied, Error> {
    let Some(name) = name else {
        return Ok(Applied::Unmasked);
    };
    let profile = Profile::parse(name)?;
    let masked = |b: &&&Backend| b.cpu_masking == CpuMasking::Ia32cap;
    let (maskable, rest): (Vec<&'static Backend>, Vec<&'static Backend>) = backends.iter().partition(masked);
    if maskable.is_empty() {
        let names: Vec<&str> = registry.backends().iter().filter(masked).map(|b| b.name).collect();
        return Err(Error::flag(
            "--cpu-features",
            format!(
                "none of the selected backends honours {IA32CAP} (only {})",
                names.join(", ")
            ),
        ));
    }
    let env: Vec<(String, String)> = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect();
    match prepare(profile, &env)? {
        Step::Reexec(vars) => Ok(Applied::Reexecuted(reexec(&vars)?.clamp(0, 255) as u8)),
        Step::Measure => {
            let reason = |b: &Backend| b.cpu_masking.why_not().unwrap_or("").to_string();
            let not_maskable = rest.iter().map(|b| (b.name.to_string(), reason(b))).collect();
            *backends = maskable;
            Ok(Applied::Masked(CpuMask {
                profile: profile.name().into(),
                variable: IA32CAP.into(),
                value: profile.ia32cap().into(),
                not_maskable,
            }))
        }
    }
}

/// One stderr line per dispatch-changing variable: a note for our own mask, a warning otherwise.
pub fn notes(mask: Option<&CpuMask>) -> Vec<String> {
    notes_for(mask, &dispatch_env())
}

/// [`notes`] for the dispatch variables `set`.
fn notes_for(mask: Option<&CpuMask>, set: &[(String, String)]) -> Vec<String> {
    let note = |m: &CpuMask, k: &str, v: &str| {
        let skipped: Vec<&str> = m.not_maskable.iter().map(|(b, _)| b.as_str()).collect();
        let skipped = if skipped.is_empty() {
            "none".into()
        } else {
            skipped.join(", ")
        };
        format!(
            "note: --cpu-features {}: {k}='{v}'; not maskable, so not measured: {skipped}",
            m.profile
        )
    };
    set.iter()
        .map(|(k, v)| match mask {
            Some(m) if &m.variable == k && &m.value == v => note(m, k, v),
            _ => warning(k, v),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn masks_clear_the_documented_bits() {
        let word = |s: &str, i: usize| {
            let part = s.split(':').nth(i).unwrap().trim_start_matches('~');
            u64::from_str_radix(part.trim_start_matches("0x"), 16).unwrap()
        };
        let (avx512f, vaes, vpclmul, avx2) = (1u64 << 16, 1u64 << 41, 1u64 << 42, 1u64 << 5);
        let (avx, aes, pclmul) = (1u64 << 60, 1u64 << 57, 1u64 << 33);
        let a = Profile::Avx2.ia32cap();
        assert_eq!(word(a, 0), 0);
        assert_eq!(word(a, 1), avx512f | vaes | vpclmul);
        let n = Profile::Aesni.ia32cap();
        assert_eq!((word(n, 0), word(n, 1)), (avx, avx512f | vaes | vpclmul | avx2));
        let b = Profile::Baseline.ia32cap();
        assert_eq!(word(b, 0) & (avx | aes | pclmul), avx | aes | pclmul);
        assert_eq!(word(b, 1), word(n, 1));
    }

    #[test]
    fn dispatch_variables_are_picked_sorted_and_explained() {
        let os = |pairs: &[(&str, &str)]| -> Vec<(std::ffi::OsString, std::ffi::OsString)> {
            pairs.iter().map(|(k, v)| (k.into(), v.into())).collect()
        };
        let vars = os(&[
            ("PATH", "/bin"),
            ("OPENSSL_CONF", "/etc/x.cnf"),
            ("GRAVIOLA_CPU_DISABLE_AVX2", "1"),
            (IA32CAP, "~0x0"),
            ("OPENSSL_ia32capX", "not ours"),
        ]);
        let set = dispatch_vars(vars.into_iter());
        // The process's own list is the same selection over its environment.
        assert_eq!(dispatch_env(), dispatch_vars(std::env::vars_os()));
        assert_eq!(
            set,
            env(&[
                ("GRAVIOLA_CPU_DISABLE_AVX2", "1"),
                ("OPENSSL_CONF", "/etc/x.cnf"),
                (IA32CAP, "~0x0")
            ])
        );
        // Each warning names who reads that variable.
        assert!(warning("OPENSSL_CONF", "x").contains("(OpenSSL: configuration"));
        assert!(warning("GRAVIOLA_CPU_DISABLE_AVX2", "1").contains("(graviola (debug builds only)"));
        // Our own mask is a note naming what was left out; anything else is a warning.
        let mask = CpuMask {
            profile: "avx2".into(),
            variable: IA32CAP.into(),
            value: "~0x0".into(),
            not_maskable: vec![("ring".into(), "why".into())],
        };
        let lines = notes_for(Some(&mask), &set);
        assert_eq!(lines.len(), 3);
        assert!(
            lines[0].starts_with("warning: GRAVIOLA_CPU_DISABLE_AVX2='1'"),
            "{lines:?}"
        );
        assert!(lines[1].starts_with("warning: OPENSSL_CONF="), "{lines:?}");
        assert_eq!(
            lines[2],
            "note: --cpu-features avx2: OPENSSL_ia32cap='~0x0'; not maskable, so not measured: ring"
        );
        // The same variable with another value, or no mask at all: a warning.
        let other = env(&[(IA32CAP, "~0x1")]);
        assert!(notes_for(Some(&mask), &other)[0].starts_with("warning: OPENSSL_ia32cap='~0x1'"));
        assert!(notes_for(None, &set)[2].starts_with("warning: OPENSSL_ia32cap='~0x0'"));
        let renamed = CpuMask {
            variable: "OPENSSL_armcap".into(),
            ..mask.clone()
        };
        assert!(notes_for(Some(&renamed), &set)[2].starts_with("warning: "));
    }

    #[test]
    fn parse_names_and_rejects_unknown() {
        for p in Profile::ALL {
            assert_eq!(Profile::parse(p.name()), Ok(p));
        }
        assert!(Profile::parse("avx512")
            .unwrap_err()
            .to_string()
            .starts_with("--cpu-features:"));
    }

    #[test]
    #[cfg(target_arch = "x86_64")]
    fn the_parent_reexecutes_and_the_child_measures() {
        let p = Profile::Avx2;
        let Step::Reexec(vars) = prepare(p, &env(&[("PATH", "/bin")])).unwrap() else {
            panic!("parent must re-execute");
        };
        assert!(vars.contains(&(IA32CAP.to_string(), p.ia32cap().to_string())));
        assert_eq!(prepare(p, &vars), Ok(Step::Measure));
        // A user's own mask is never overridden silently.
        let e = prepare(p, &env(&[(IA32CAP, "")])).unwrap_err().to_string();
        assert!(e.contains("already set"), "{e}");
        // A child started for another profile does not measure.
        let other = env(&[(CHILD_ENV, "aesni"), (IA32CAP, p.ia32cap())]);
        assert!(prepare(p, &other).is_err());
    }

    #[test]
    fn openssl_and_aws_lc_are_maskable_and_the_others_say_why_not() {
        // Each native backend states its own reason (the one its sources give),
        // not the generic one a backend that says nothing gets.
        let generic = Backend::NO_MASK.why_not().unwrap();
        let builtin = Registry::builtin();
        let natives = builtin.backends().iter().filter(|b| b.feature != "rustls");
        let mut maskable = Vec::new();
        for b in natives {
            match b.cpu_masking.why_not() {
                None => maskable.push(b.name),
                Some(reason) => assert!(!reason.is_empty() && reason != generic, "{}: {reason}", b.name),
            }
        }
        // Both libraries read the mask (module docs); another backend may join them.
        for name in [
            #[cfg(feature = "aws-lc-rs")]
            "aws-lc-rs",
            #[cfg(feature = "openssl-system")]
            "openssl",
        ] {
            assert!(maskable.contains(&name), "{name} is masked by {IA32CAP}: {maskable:?}");
        }
        assert!(warning(IA32CAP, "").contains("OpenSSL and AWS-LC"));
    }
}
