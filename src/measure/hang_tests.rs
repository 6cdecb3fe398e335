//! A worker that cannot be spawned or that panics ends the visit with an
//! error, instead of leaving the other workers waiting at the latch forever.
//! Each test runs the visit on a helper thread and fails if it has not
//! returned within seconds.

use crate::Error;
use std::sync::mpsc;
use std::time::Duration;

use super::sample_threads_with;
use super::workload::{self, Workload};
use crate::algorithm::{AeadId, AlgorithmId};
use crate::measure::{Mode, Operation, Shape};

type Make = dyn Fn() -> Result<Box<dyn Workload>, Error> + Sync;

fn shape() -> Shape {
    Shape {
        algorithm: AlgorithmId::Aead(AeadId::ChaCha20Poly1305),
        operation: Operation::Seal,
        mode: Some(Mode::Bulk),
        size: 64,
        aad: 0,
    }
}

fn backend() -> &'static crate::backend::Backend {
    crate::backend::test_all()
        .into_iter()
        .find(|b| b.supports(shape().algorithm).is_ok())
        .expect("a backend with ChaCha20-Poly1305")
}

/// Runs a visit of 8 threads with `make` and `may_spawn`; panics on a hang.
fn visit_within_seconds(make: &'static Make, may_spawn: fn(usize) -> bool) -> Result<(Vec<f64>, Vec<f64>), Error> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(sample_threads_with(make, 8, 4, 50, true, &may_spawn));
    });
    rx.recv_timeout(Duration::from_secs(20)).expect("the visit hung")
}

#[test]
fn a_failed_spawn_is_an_error_not_a_hang() {
    let make: &'static Make = &|| workload::prepare(backend(), &shape());
    let e = visit_within_seconds(make, |i| i < 5).unwrap_err().to_string();
    assert!(e.contains("cannot start worker thread 6 of 8"), "{e}");
}

#[test]
fn a_panicking_worker_is_an_error_not_a_hang() {
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let make: &'static Make = &|| {
        if CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 3 {
            panic!("seeded worker panic");
        }
        workload::prepare(backend(), &shape())
    };
    let e = visit_within_seconds(make, |_| true).unwrap_err().to_string();
    assert!(e.contains("panicked"), "{e}");
}

#[test]
fn a_healthy_visit_returns_every_sample() {
    let make: &'static Make = &|| workload::prepare(backend(), &shape());
    let (agg, per) = visit_within_seconds(make, |_| true).unwrap();
    assert_eq!((agg.len(), per.len()), (50, 400));
}
