//! What a backend says about itself besides its algorithms: the cargo feature
//! that compiles it in, whether it can be a validated module, whether
//! `OPENSSL_ia32cap` reaches its CPU dispatch, and its colour in charts.
//!
//! Plain data, set with [`Backend`]'s `const` setters; the layers that use a
//! fact interpret it (`policy::module` the module status, `measure::cpu_mask`
//! the masking, the HTML report the colour, `env` the build's features), so a
//! new backend brings its facts in its own file instead of an entry in a table
//! keyed by its name in each of those layers.

use super::Backend;

/// Whether a backend can be a FIPS 140-3 validated module, as data:
/// `policy::module` interprets it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Module {
    /// A build of this backend can be the module whose certificate facts are
    /// `policies/modules/<name>.toml` (e.g. `"aws-lc-fips"`); whether this
    /// process runs it is detected at run time (FIPS mode on is not a certificate).
    Candidate(&'static str),
    /// Never a validated module, and why ("ring has no FIPS-validated build").
    NotValidated(&'static str),
}

/// Whether `run --cpu-features` can take a backend's faster CPU paths away.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CpuMasking {
    /// The library reads the `OPENSSL_ia32cap` mask once, at start-up
    /// (OpenSSL's `OPENSSL_cpuid_setup`, AWS-LC's `cpu_intel.c`).
    Ia32cap,
    /// No run-time mask reaches its dispatch, and why ("asks CPUID itself").
    Unmaskable(&'static str),
}

impl CpuMasking {
    /// Why the mask does not reach the backend; `None` when it does.
    pub fn why_not(self) -> Option<&'static str> {
        match self {
            CpuMasking::Ia32cap => None,
            CpuMasking::Unmaskable(why) => Some(why),
        }
    }
}

impl Backend {
    /// [`Backend::feature`] of a backend an outside crate registers.
    pub const OUTSIDE: &'static str = "outside";
    /// [`Backend::module`] of a backend that does not say.
    pub const NO_MODULE: Module = Module::NotValidated("no CMVP-validated build of this library");
    /// [`Backend::cpu_masking`] of a backend that does not say.
    pub const NO_MASK: CpuMasking = CpuMasking::Unmaskable("no documented run-time feature mask");

    /// The cargo feature that compiles the backend in, as result files name it.
    pub const fn feature(mut self, feature: &'static str) -> Backend {
        self.feature = feature;
        self
    }

    /// Whether it can be a validated module, and which.
    pub const fn module(mut self, module: Module) -> Backend {
        self.module = module;
        self
    }

    /// Whether `OPENSSL_ia32cap` reaches its CPU dispatch.
    pub const fn cpu_masking(mut self, masking: CpuMasking) -> Backend {
        self.cpu_masking = masking;
        self
    }

    /// Its colour in the HTML report's charts (sRGB).
    pub const fn colour(mut self, rgb: [u8; 3]) -> Backend {
        self.colour = Some(rgb);
        self
    }
}
