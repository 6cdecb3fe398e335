//! criterion: AEAD seal and open per backend and size, driven by the same
//! registry and the same timed loops as `cryptobench run`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use cryptobench::algorithm::{AeadId, AlgorithmId};
use cryptobench::backend;
use cryptobench::measure::workload::prepare;
use cryptobench::measure::{Mode, Operation, Shape};

const SIZES: [usize; 4] = [16, 1350, 16384, 1 << 20];

fn aead(c: &mut Criterion) {
    for id in AeadId::ALL {
        for op in [Operation::Seal, Operation::Open] {
            let mut group = c.benchmark_group(format!("{id}/{}", op.name()));
            for size in SIZES {
                group.throughput(Throughput::Bytes(size as u64));
                for b in backend::Registry::builtin()
                    .backends()
                    .iter()
                    .filter(|b| (b.aead)(id).is_ok())
                {
                    let shape = Shape {
                        algorithm: AlgorithmId::Aead(id),
                        operation: op,
                        mode: Some(Mode::Bulk),
                        size,
                        aad: 0,
                    };
                    let mut w = prepare(b, &shape).expect("workload");
                    let cap = w.max_batch().unwrap_or(u64::MAX);
                    group.bench_function(BenchmarkId::new(b.name, size), |bench| {
                        bench.iter_custom(|iters| {
                            // Untimed preparation per chunk, as in the engine.
                            let mut total = std::time::Duration::ZERO;
                            let mut left = iters;
                            while left > 0 {
                                let n = left.min(cap);
                                w.reset(n).unwrap();
                                let t0 = std::time::Instant::now();
                                w.run(n).unwrap();
                                total += t0.elapsed();
                                left -= n;
                            }
                            total
                        })
                    });
                }
            }
            group.finish();
        }
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_millis(500)).warm_up_time(std::time::Duration::from_millis(200));
    targets = aead
}
criterion_main!(benches);
