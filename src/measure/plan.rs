//! Which groups a sweep measures: every algorithm × operation × mode × size ×
//! thread count the configuration asks for, with the backends that carry it.

use super::{Config, Group, Mode, Operation, Shape};
use crate::algorithm::AlgorithmId;
use crate::backend::Backend;
use crate::results::CellFailure;

/// Every group the configuration asks for, in a stable order.
pub fn plan(cfg: &Config) -> Vec<Group> {
    let mut groups = Vec::new();
    for &algorithm in &cfg.algorithms {
        let backends: Vec<_> = cfg
            .backends
            .iter()
            .copied()
            .filter(|b| b.supports(algorithm).is_ok())
            .collect();
        if backends.is_empty() {
            continue;
        }
        groups.extend(shapes(cfg, algorithm).into_iter().filter_map(|(shape, threads)| {
            let backends: Vec<_> = backends
                .iter()
                .copied()
                .filter(|b| carries(b, &shape).is_ok())
                .collect();
            (!backends.is_empty()).then_some(Group {
                shape,
                threads,
                backends,
            })
        }));
    }
    groups
}

/// Whether `b` carries `shape`: every shape but an AEAD message a record
/// layer does not frame ([`Backend::carries`]), or a `seal-module-iv` of a
/// backend without that service ([`crate::backend::module_iv::offered`]).
pub(super) fn carries(b: &Backend, shape: &Shape) -> crate::backend::Result<()> {
    match shape.algorithm {
        AlgorithmId::Aead(id) if shape.operation == Operation::SealModuleIv => {
            crate::backend::module_iv::offered((b.aead)(id)?)
        }
        AlgorithmId::Aead(id) => b.carries(id, shape.size, shape.aad),
        AlgorithmId::Kex(_) | AlgorithmId::Sig(_) => Ok(()),
    }
}

/// The cells `plan` leaves out because the backend offers the algorithm but
/// not the shape, each with the reason: a result file's `skipped`.
pub fn not_carried(cfg: &Config) -> Vec<CellFailure> {
    let mut out = Vec::new();
    for &algorithm in &cfg.algorithms {
        for b in cfg.backends.iter().filter(|b| b.supports(algorithm).is_ok()) {
            for (shape, threads) in shapes(cfg, algorithm) {
                if let Err(e) = carries(b, &shape) {
                    out.push(CellFailure {
                        backend: b.name.to_string(),
                        algorithm,
                        operation: shape.operation,
                        size: shape.size,
                        threads,
                        reason: e.to_string(),
                    });
                }
            }
        }
    }
    out
}

/// Every (shape, thread count) of `algorithm` that `cfg` asks for, in the
/// plan's stable order, whoever measures it.
pub fn shapes(cfg: &Config, algorithm: AlgorithmId) -> Vec<(Shape, usize)> {
    let is_aead = matches!(algorithm, AlgorithmId::Aead(_));
    let modes: Vec<Option<Mode>> = if is_aead {
        cfg.modes.iter().map(|m| Some(*m)).collect()
    } else {
        vec![None]
    };
    let sizes: &[usize] = if is_aead { &cfg.sizes } else { &[0] };
    let mut out = Vec::new();
    for &operation in cfg.operations.iter().filter(|o| o.applies_to(algorithm)) {
        for &mode in &modes {
            for &size in sizes {
                for &threads in &cfg.threads {
                    let aad = if is_aead { cfg.aad } else { 0 };
                    out.push((
                        Shape {
                            algorithm,
                            operation,
                            mode,
                            size,
                            aad,
                        },
                        threads,
                    ));
                }
            }
        }
    }
    out
}
