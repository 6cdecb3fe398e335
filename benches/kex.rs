//! criterion: key exchange per backend (ECDH keygen+agree; KEM keygen, encaps,
//! decaps), driven by the registry and the engine's timed loops.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use cryptobench::algorithm::{AlgorithmId, KexId};
use cryptobench::backend;
use cryptobench::measure::workload::prepare;
use cryptobench::measure::{Operation, Shape};

fn kex(c: &mut Criterion) {
    for id in KexId::ALL {
        let alg = AlgorithmId::Kex(id);
        let mut group = c.benchmark_group(id.name());
        for op in Operation::ALL
            .into_iter()
            .filter(|o| o.applies_to(alg) && *o != Operation::Agree)
        {
            for b in backend::Registry::builtin()
                .backends()
                .iter()
                .filter(|b| b.supports(alg).is_ok())
            {
                let shape = Shape {
                    algorithm: alg,
                    operation: op,
                    mode: None,
                    size: 0,
                    aad: 0,
                };
                let mut w = prepare(b, &shape).expect("workload");
                group.bench_function(BenchmarkId::new(op.name(), b.name), |bench| {
                    bench.iter_custom(|iters| {
                        w.reset(iters).unwrap();
                        let t0 = std::time::Instant::now();
                        w.run(iters).unwrap();
                        t0.elapsed()
                    })
                });
            }
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_millis(500)).warm_up_time(std::time::Duration::from_millis(200));
    targets = kex
}
criterion_main!(benches);
