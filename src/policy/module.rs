//! Whether a backend is a validated module build (FIPS 140-3), as far as this
//! binary can tell. We report only what can be detected; everything else is
//! "not validated".

use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ModuleStatus {
    /// True only when a FIPS module is present and in FIPS mode (aws-lc-rs) or
    /// loadable (OpenSSL's provider) in this process.
    pub fips_module: bool,
    pub detail: String,
}

impl ModuleStatus {
    fn not_validated(why: &str) -> Self {
        ModuleStatus {
            fips_module: false,
            detail: format!("not validated ({why})"),
        }
    }
}

/// The module status of a backend, by name.
pub fn status(backend: &str) -> ModuleStatus {
    match backend {
        "aws-lc-rs" => aws_lc(),
        "openssl" => openssl(),
        "ring" => ModuleStatus::not_validated("ring has no FIPS-validated build"),
        "libcrux" => ModuleStatus::not_validated("formally verified, but no CMVP-validated build"),
        _ => ModuleStatus::not_validated("no CMVP-validated build of this library"),
    }
}

/// What to do when no backend qualifies: the two routes this project supports.
pub const HOW_TO_GET_ONE: &str = "build with `cargo build --release --features fips` (needs Go and CMake) to make the \
    aws-lc-rs backend the AWS-LC FIPS module, or install an OpenSSL FIPS provider on a CMVP certificate and build with \
    --no-default-features --features openssl-system";

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
        // The certificate status only as aws-lc-rs's README ("fips" feature) states it.
        Ok(()) => ModuleStatus {
            fips_module: true,
            detail: format!(
                "AWS-LC FIPS module {} (aws-lc-fips-sys {}), try_fips_mode() = Ok; built from the AWS-LC-FIPS {}.x \
                 source that aws-lc-rs's README says completed lab testing and was submitted to NIST for \
                 certification: check its certificate on the CMVP list",
                aws_lc_rs::awslc_version(),
                crate::dep_version!("aws-lc-fips-sys"),
                aws_lc_rs::fips_version().map_or("?".into(), |v| v.to_string()),
            ),
        },
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
        ModuleStatus {
            fips_module: true,
            detail: "OpenSSL FIPS provider loads at run time (validated only if its version is on a CMVP certificate; \
                     the benchmarks use the default provider)"
                .into(),
        }
    } else {
        ModuleStatus::not_validated("no OpenSSL FIPS provider loads at run time")
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
