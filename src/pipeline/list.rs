//! `cryptobench list`: the capability matrix of the compiled-in backends, or
//! the core-clock probe with every reading.

use crate::algorithm::AlgorithmId;
use crate::measure::clock;
use crate::report::{self, Format};
use crate::{backend, capabilities};

/// Prints the capability matrix, or with `clocks` the core-clock probe.
pub fn execute(clocks: bool, format: Format) {
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
    let caps = capabilities::probe(&backend::all(), &algorithms);
    print!("{}", report::export(caps.as_slice(), format));
}
