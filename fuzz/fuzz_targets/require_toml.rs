//! `compliance --require FILE` / `recommend --require FILE`: the deployment TOML.
#![no_main]
use cryptobench::backend::Registry;
use cryptobench::policy::compliance::Deployment;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Err(e) = Deployment::from_toml(&Registry::builtin(), "fuzz.toml", text) {
            assert!(!e.to_string().is_empty());
        }
    }
});
