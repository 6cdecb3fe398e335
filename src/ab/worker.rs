//! The child side of `cryptobench ab` (the hidden `cryptobench worker`):
//! answers the parent's requests one line at a time until `quit` or EOF, over
//! the registry its executable's `main` built (the parent names cells' backends;
//! the worker resolves each name in that registry).

use std::io::{BufRead, Write};
use std::time::Duration;

use super::protocol::{line, CellSpec, Hello, Request, Response, OLDEST, PROTOCOL};
use crate::backend::{Backend, Registry};
use crate::measure::{self, clock, Shape};
use crate::Error;

/// Chain rounds for one core-clock reading (~0.1 M cycles, ~40 µs).
const CLOCK_ROUNDS: u64 = 15_000;
/// Readings per clock measurement; the fastest counts, because a reading can
/// only be slowed (by preemption), never sped up.
const CLOCK_READINGS: usize = 3;
/// Longest calibrated sample a parent may ask for.
const MAX_TARGET: Duration = Duration::from_secs(1);

/// This build's `hello`: `registry`'s backends and what each offers.
pub fn hello(registry: &Registry) -> Hello {
    let all = registry.backends();
    let offers = all
        .iter()
        .map(|b| {
            let algs = crate::algorithm::AlgorithmId::all()
                .filter(|a| b.supports(*a).is_ok())
                .map(|a| a.name().to_string())
                .collect();
            (b.name.to_string(), algs)
        })
        .collect();
    Hello {
        protocol: PROTOCOL,
        crate_version: env!("CARGO_PKG_VERSION").to_string(),
        git_commit: crate::env::git_commit().map(String::from),
        cargo_lock_sha256: crate::env::cargo_lock_sha256().map(String::from),
        backends: all.iter().map(|b| (b.name.to_string(), (b.version)())).collect(),
        dispatch_env: measure::cpu_mask::dispatch_env(),
        offers,
        seeded_slowdown: measure::workload::seeded_slowdown(),
        clock: Some(clock::probe().clone()),
    }
}

/// Serves requests from `input` until `quit` or EOF. A line that is not a
/// request ends the session with an error (the parent wrote it, so it is a bug).
pub fn serve(registry: &Registry, input: impl BufRead, mut output: impl Write) -> Result<(), Error> {
    // The version agreed in `hello`: the newest both sides speak.
    let mut speak: Option<u32> = None;
    for text in input.lines() {
        let text = text.map_err(|e| Error::process(format!("worker: reading the request: {e}")))?;
        let req: Request =
            serde_json::from_str(&text).map_err(|e| Error::process(format!("worker: not a protocol request: {e}")))?;
        let resp = match (req, speak) {
            (Request::Hello { protocol, clock, warm }, _) => {
                // Before `hello` reads the probe, so it reports the adopted one.
                if let Some(probe) = clock {
                    clock::adopt(probe);
                }
                if let Some(cell) = warm {
                    warm_up(registry, &cell);
                }
                if protocol < OLDEST {
                    return Err(Error::process(format!(
                        "worker: the parent speaks protocol {protocol}, this build {OLDEST} to {PROTOCOL}"
                    )));
                }
                let v = protocol.min(PROTOCOL);
                speak = Some(v);
                Response::Hello(Box::new(Hello {
                    protocol: v,
                    ..hello(registry)
                }))
            }
            (Request::Quit, _) => return Ok(()),
            (_, None) => return Err(Error::process("worker: the first request must be hello")),
            (Request::Prepare { cell, target_us }, _) => prepare(registry, &cell, target_us),
            (Request::Sample { cell, batch, samples }, Some(v)) => sample(registry, &cell, batch, samples, v),
        };
        output
            .write_all(line(&resp).as_bytes())
            .and_then(|()| output.flush())
            .map_err(|e| Error::process(format!("worker: writing the response: {e}")))?;
    }
    Ok(())
}

fn failed(reason: impl Into<String>) -> Response {
    Response::Failed {
        reason: crate::limits::one_line(&reason.into()),
    }
}

/// The cell's backend in `registry` and its shape.
fn resolve(registry: &Registry, cell: &CellSpec) -> Result<(&'static Backend, Shape), Error> {
    let b = registry.by_name(&cell.backend)?;
    b.supports(cell.algorithm)?;
    if !cell.operation.applies_to(cell.algorithm) {
        return Err(Error::process(format!(
            "{} does not apply to {}",
            cell.operation, cell.algorithm
        )));
    }
    crate::limits::size("size", cell.size)?;
    crate::limits::count("aad", cell.aad, crate::limits::MAX_AAD)?;
    crate::limits::count("threads", cell.threads.max(1), crate::limits::max_threads())?;
    let shape = Shape {
        algorithm: cell.algorithm,
        operation: cell.operation,
        mode: cell.mode,
        size: cell.size,
        aad: cell.aad,
    };
    Ok((b, shape))
}

fn prepare(registry: &Registry, cell: &CellSpec, target_us: u64) -> Response {
    let run = || -> Result<(u64, Duration), Error> {
        let (b, shape) = resolve(registry, cell)?;
        let peers: Vec<&Backend> = registry
            .backends()
            .iter()
            .copied()
            .filter(|p| p.supports(cell.algorithm).is_ok())
            .collect();
        let target = Duration::from_micros(target_us).clamp(Duration::from_micros(10), MAX_TARGET);
        measure::check_and_calibrate(b, &peers, &shape, target)
    };
    match run() {
        Ok((batch, per_sample)) => Response::Prepared {
            batch,
            per_sample_ns: per_sample.as_nanos().min(u64::MAX as u128) as u64,
        },
        Err(e) => failed(e),
    }
}

/// One untimed operation of `cell` on this (the visits') thread, so its
/// one-time costs are paid before the first visit; errors are left for the
/// visit to report.
fn warm_up(registry: &Registry, cell: &CellSpec) {
    if let Ok((b, shape)) = resolve(registry, cell) {
        let _ = measure::visit_cell(b, &shape, 1, 1, 1);
    }
}

/// The core clock now: the fastest of [`CLOCK_READINGS`] short readings.
/// Version 1 meant the unchecked `add reg, imm` chain, and a parent that
/// speaks 1 gets exactly that, so it compares like with like; version 2
/// means the clock the start-up probe vouched for, or none.
fn core_hz(version: u32) -> Option<f64> {
    let read = || match version {
        1 => clock::chain_hz(clock::Chain::AddImm, CLOCK_ROUNDS),
        _ => clock::core_hz(CLOCK_ROUNDS),
    };
    (0..CLOCK_READINGS).filter_map(|_| read()).reduce(f64::max)
}

/// One visit, with the core clock read immediately before and after it, so
/// the parent turns ops/s into cycles/op with the clock of this very visit.
fn sample(registry: &Registry, cell: &CellSpec, batch: u64, samples: usize, version: u32) -> Response {
    let (b, shape) = match resolve(registry, cell) {
        Ok(x) => x,
        Err(e) => return failed(e),
    };
    if batch == 0 || samples == 0 {
        return failed("batch and samples must be at least 1");
    }
    let core_hz_before = core_hz(version);
    let visited = measure::visit_cell(b, &shape, cell.threads.max(1), batch, samples);
    let core_hz_after = core_hz(version);
    match visited {
        Ok(ops_per_sec) => Response::Samples {
            ops_per_sec,
            core_hz_before,
            core_hz_after,
        },
        Err(e) => failed(format!("failed while timed: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn talk(requests: &[Request]) -> (Result<(), String>, Vec<Response>) {
        let input: String = requests.iter().map(line).collect();
        let mut out = Vec::new();
        let r = serve(&Registry::builtin(), input.as_bytes(), &mut out);
        let resp = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (r.map_err(String::from), resp)
    }

    #[test]
    fn hello_first_then_requests_and_a_refused_protocol() {
        let (r, resp) = talk(&[
            Request::Hello {
                protocol: PROTOCOL,
                clock: None,
                warm: None,
            },
            Request::Quit,
        ]);
        assert!(r.is_ok());
        let Response::Hello(h) = &resp[0] else {
            panic!("{resp:?}")
        };
        assert_eq!(
            (h.protocol, h.backends.len()),
            (PROTOCOL, Registry::builtin().backends().len())
        );
        assert_eq!(h.clock.as_ref().map(|c| c.method), Some(clock::probe().method));
        // A newer parent is answered in this build's newest version, an older
        // one in its own; version 0 never existed.
        for (asked, spoken) in [(PROTOCOL + 97, PROTOCOL), (1, 1)] {
            let (r, resp) = talk(&[Request::Hello {
                protocol: asked,
                clock: None,
                warm: None,
            }]);
            assert!(r.is_ok());
            assert!(
                matches!(&resp[0], Response::Hello(h) if h.protocol == spoken),
                "{resp:?}"
            );
        }
        assert!(talk(&[Request::Hello {
            protocol: 0,
            clock: None,
            warm: None,
        }])
        .0
        .unwrap_err()
        .contains("protocol 0"));
        assert!(talk(&[Request::Quit]).0.is_ok());
        let cell = CellSpec {
            backend: "no-such".into(),
            algorithm: crate::algorithm::AlgorithmId::all().next().unwrap(),
            operation: crate::algorithm::Operation::Seal,
            mode: None,
            size: 16,
            aad: 0,
            threads: 1,
        };
        let early = Request::Prepare {
            cell: cell.clone(),
            target_us: 100,
        };
        assert!(talk(std::slice::from_ref(&early))
            .0
            .unwrap_err()
            .contains("first request"));
        let (_, resp) = talk(&[
            Request::Hello {
                protocol: PROTOCOL,
                clock: None,
                warm: None,
            },
            early,
        ]);
        assert!(
            matches!(&resp[1], Response::Failed { reason } if reason.contains("unknown backend")),
            "{resp:?}"
        );
    }

    /// A `hello` that names a cell to warm up on is answered the same,
    /// whether the cell runs here or not (the visit reports a bad cell).
    #[test]
    fn a_hello_with_a_warm_up_cell_is_answered_either_way() {
        use crate::algorithm::{AeadId, AlgorithmId, Mode, Operation};
        let registry = Registry::builtin();
        let real = registry.backends()[0].name.to_string();
        for backend in [real.as_str(), "no-such"] {
            let warm = CellSpec {
                backend: backend.into(),
                algorithm: AlgorithmId::Aead(AeadId::ChaCha20Poly1305),
                operation: Operation::Seal,
                mode: Some(Mode::Bulk),
                size: 64,
                aad: 0,
                threads: 1,
            };
            let (r, resp) = talk(&[Request::Hello {
                protocol: PROTOCOL,
                clock: None,
                warm: Some(warm),
            }]);
            assert!(
                r.is_ok() && matches!(&resp[..], [Response::Hello(_)]),
                "{backend}: {resp:?}"
            );
        }
    }

    /// A `seal-module-iv` cell crosses the protocol, prepares where the
    /// library draws the IV (aws-lc-rs AES-GCM) and is unsupported elsewhere.
    #[test]
    fn a_module_iv_cell_prepares_where_the_library_draws_the_iv() {
        use crate::algorithm::{AeadId, AlgorithmId, Mode, Operation};
        let registry = Registry::builtin();
        let cell = |b: &str| CellSpec {
            backend: b.into(),
            algorithm: AlgorithmId::Aead(AeadId::Aes128Gcm),
            operation: Operation::SealModuleIv,
            mode: Some(Mode::Bulk),
            size: 64,
            aad: 0,
            threads: 1,
        };
        let aws = cell("aws-lc-rs");
        assert_eq!(aws.label(), "aws-lc-rs AES-128-GCM seal-module-iv bulk 64 ×1");
        let text = line(&Request::Prepare {
            cell: aws.clone(),
            target_us: 200,
        });
        assert!(text.contains("\"operation\":\"seal-module-iv\""), "{text}");
        if registry.by_name("aws-lc-rs").is_ok() {
            let Response::Prepared { batch, .. } = prepare(&registry, &aws, 200) else {
                panic!()
            };
            assert!(matches!(
                sample(&registry, &aws, batch, 2, PROTOCOL),
                Response::Samples { .. }
            ));
        }
        if registry.by_name("ring").is_ok() {
            let r = prepare(&registry, &cell("ring"), 200);
            assert!(
                matches!(&r, Response::Failed { reason } if reason.starts_with("unsupported: ")),
                "{r:?}"
            );
        }
    }

    /// ChaCha20-Poly1305 seal of 64 bytes, one thread, on `backend`.
    fn chacha_seal(backend: &str) -> CellSpec {
        CellSpec {
            backend: backend.into(),
            algorithm: crate::algorithm::AlgorithmId::Aead(crate::algorithm::AeadId::ChaCha20Poly1305),
            operation: crate::algorithm::Operation::Seal,
            mode: Some(crate::algorithm::Mode::Bulk),
            size: 64,
            aad: 0,
            threads: 1,
        }
    }

    #[test]
    fn a_cell_prepares_and_samples_with_the_clock_around_the_visit() {
        let registry = Registry::builtin();
        let Some(b) = registry.backends().first() else {
            return;
        };
        let cell = chacha_seal(b.name);
        let Response::Prepared { batch, .. } = prepare(&registry, &cell, 200) else {
            panic!()
        };
        let Response::Samples {
            ops_per_sec,
            core_hz_before,
            core_hz_after,
        } = sample(&registry, &cell, batch, 3, PROTOCOL)
        else {
            panic!()
        };
        assert_eq!(ops_per_sec.len(), 3);
        assert!(ops_per_sec.iter().all(|x| *x > 0.0));
        // Version 2: a clock only where the probe vouched for one, and then in its band.
        let vouched = clock::probe().core_hz.is_some();
        assert_eq!(core_hz_before.is_some(), vouched);
        assert_eq!(core_hz_after.is_some(), vouched);
        let tsc = clock::probe().tsc_hz.unwrap_or(1.0);
        for hz in [core_hz_before, core_hz_after].into_iter().flatten() {
            assert!(clock::TSC_RATIO.contains(&(hz / tsc)), "a core clock of {hz} Hz");
        }
        // Version 1: the legacy chain's reading, always, on x86-64.
        let Response::Samples { core_hz_before, .. } = sample(&registry, &cell, batch, 1, 1) else {
            panic!()
        };
        assert_eq!(core_hz_before.is_some(), cfg!(target_arch = "x86_64"));
        for (batch, samples) in [(0, 3), (batch, 0)] {
            let Response::Failed { reason } = sample(&registry, &cell, batch, samples, PROTOCOL) else {
                panic!("batch {batch}, samples {samples}")
            };
            assert_eq!(reason, "batch and samples must be at least 1");
        }
    }

    /// The worker answers for the registry it was started with, not for the
    /// built-in one: an outside binary's worker offers its own backend under
    /// its name and knows no other.
    #[test]
    fn the_worker_resolves_names_in_its_own_registry() {
        static MINE: Backend =
            Backend::new("mine", || "mine 1.0".into()).aead(|id| (crate::backend::test_named("ring").aead)(id));
        let only_mine = Registry::empty().with(&MINE).unwrap();
        let mut cell = chacha_seal("MINE");
        let h = hello(&only_mine);
        assert_eq!(h.backends, [("mine".to_string(), "mine 1.0".to_string())]);
        assert!(
            h.offers[0].1.contains(&"ChaCha20-Poly1305".to_string()),
            "{:?}",
            h.offers
        );
        assert!(matches!(prepare(&only_mine, &cell, 100), Response::Prepared { .. }));
        cell.backend = "ring".into();
        let Response::Failed { reason } = prepare(&only_mine, &cell, 100) else {
            panic!("ring is not in this worker's registry")
        };
        assert_eq!(reason, "unknown backend 'ring' (compiled in: mine)");
        assert!(matches!(
            prepare(&Registry::builtin(), &cell, 100),
            Response::Prepared { .. }
        ));
    }
}
