//! Harness overhead: ring AES-128-GCM seal of 16-byte messages through
//! cryptobench's timed loop (trait objects, nonce counter, result checks)
//! against a tight hand-written ring loop, in the same criterion run.
//! The target: the harness reaches at least 95 % of the hand-written rate.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use cryptobench::algorithm::{AeadId, AlgorithmId};
use cryptobench::measure::workload::prepare;
use cryptobench::measure::{Mode, Operation, Shape};
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_128_GCM};

const SIZE: usize = 16;

fn overhead(c: &mut Criterion) {
    let mut group = c.benchmark_group("ring AES-128-GCM seal 16 B");
    group.throughput(Throughput::Bytes(SIZE as u64));

    group.bench_function("hand-written ring loop", |b| {
        let key = LessSafeKey::new(UnboundKey::new(&AES_128_GCM, &[1; 16]).unwrap());
        let mut buf = [4u8; SIZE];
        let mut counter: u64 = 0;
        b.iter(|| {
            counter += 1;
            let mut nonce = [2u8; 12];
            nonce[4..].copy_from_slice(&counter.to_be_bytes());
            let tag = key
                .seal_in_place_separate_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut buf)
                .unwrap();
            let _ = std::hint::black_box(tag);
        })
    });

    let ring = cryptobench::backend::Registry::builtin().by_name("ring").unwrap();
    let shape = Shape {
        algorithm: AlgorithmId::Aead(AeadId::Aes128Gcm),
        operation: Operation::Seal,
        mode: Some(Mode::Bulk),
        size: SIZE,
        aad: 0,
    };
    let mut w = prepare(ring, &shape).unwrap();
    group.bench_function("cryptobench timed loop", |b| {
        b.iter_custom(|iters| {
            w.reset(iters).unwrap();
            let t0 = std::time::Instant::now();
            w.run(iters).unwrap();
            t0.elapsed()
        })
    });
    group.finish();
}

criterion_group!(benches, overhead);
criterion_main!(benches);
