//! `cryptobench list`: the capability matrix of the compiled-in backends, or
//! the core-clock probe with every reading.

use crate::algorithm::AlgorithmId;
use crate::backend::Registry;
use crate::capabilities;
use crate::measure::clock;
use crate::report::{self, Format};

/// Prints the capability matrix of `registry`, or with `clocks` the core-clock probe.
pub fn execute(registry: &Registry, clocks: bool, format: Format) {
    if clocks {
        let (probe, emulated) = (clock::probe(), clock::emulation());
        let view = report::clocks::Clocks {
            probe,
            emulated: emulated.as_deref(),
        };
        print!("{}", report::export(&view, format));
        return;
    }
    let algorithms: Vec<_> = AlgorithmId::all().collect();
    let caps = capabilities::probe(registry.backends(), &algorithms);
    print!("{}", report::export(caps.as_slice(), format));
}
