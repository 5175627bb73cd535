//! How long `generate` takes for the library's busy strait (`simulators/scenarios/
//! busy_strait.toml`: 1,000 vessels, two radars, two AIS receivers, an hour): issue 7 asks
//! for it to run at least 100× faster than real time, i.e. its hour in under 36 s.
//!
//! `cargo bench -p borderfuse-sim --bench generate`. Benchmarks:
//! - `busy_strait_5_min`: the first 5 minutes, as `bordersim run` generates them (no truth);
//!   quick, for comparing changes;
//! - `busy_strait_1_h`: the whole hour, likewise (one iteration is several seconds, so
//!   criterion's 10 samples take a minute or two);
//! - `busy_strait_1_h_truth_1_s`: the hour with truth every second, as `bordersim generate
//!   --truth-period-s 1` builds it before writing files.
//!
//! The ratio to real time is the scenario's duration over the time reported.

use borderfuse_sim::Scenario;
use borderfuse_sim::generate::{GenerateOptions, TruthSampling, try_generate_with};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::num::NonZeroU64;
use std::time::Duration;

const START_UTC_MS: u64 = 1_767_225_600_000;

fn bench(c: &mut Criterion) {
    let no_truth = GenerateOptions {
        truth: TruthSampling::None,
    };
    let truth_every_second = GenerateOptions {
        truth: NonZeroU64::new(1_000).map_or(TruthSampling::None, TruthSampling::EveryMs),
    };
    let mut group = c.benchmark_group("generate");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    let hour = match Scenario::from_toml(include_str!("../scenarios/busy_strait.toml")) {
        Ok(s) => s,
        Err(e) => panic!("busy_strait.toml: {e}"),
    };
    let mut slice = hour.clone();
    slice.duration_s = 300.0;
    group.bench_function("busy_strait_5_min", |b| {
        b.iter(|| try_generate_with(black_box(&slice), START_UTC_MS, &no_truth))
    });
    group.bench_function("busy_strait_1_h", |b| {
        b.iter(|| try_generate_with(black_box(&hour), START_UTC_MS, &no_truth))
    });
    group.bench_function("busy_strait_1_h_truth_1_s", |b| {
        b.iter(|| try_generate_with(black_box(&hour), START_UTC_MS, &truth_every_second))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
