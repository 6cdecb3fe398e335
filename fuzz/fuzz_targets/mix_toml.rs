//! `recommend --mix`: the SIZE:WEIGHT list and the TOML mix file. Whatever is
//! accepted has finite weights that sum to 1 and sizes inside the bound.
#![no_main]
use cryptobench::analysis::recommend::MessageMix;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for w in [MessageMix::from_toml("fuzz.toml", text), MessageMix::from_mix(text)].into_iter().flatten() {
        let total: f64 = w.mix.iter().map(|(_, x)| x).sum();
        assert!((total - 1.0).abs() < 1e-9, "weights sum to {total}");
        assert!(w.mix.iter().all(|(s, x)| *x > 0.0 && *s <= cryptobench::limits::MAX_SIZE));
    }
});
