//! Tracker benchmarks: one filter predict + update, and one whole scan at 100, 1,000 and
//! 10,000 targets (position plots with clutter, and range/bearing radar plots).
//!
//! `cargo bench -p borderfuse-agent --bench tracker`

use borderfuse_agent::config::{AisFusionConfig, TrackerConfig};
use borderfuse_agent::fuse::filter::{Filter, FilterConfig};
use borderfuse_agent::fuse::kalman::MeasurementModel;
use borderfuse_agent::fuse::{Detection, SensorInfo, SensorKind, TrackStatus, Tracker};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nalgebra::Vector2;
use std::hint::black_box;
use std::time::{Duration, Instant};

const DT: f64 = 2.0;

/// Deterministic noise in [-1, 1).
fn noise(i: u64) -> f64 {
    let x = i.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17);
    (x >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
}

/// Target `i`'s position at time `t`: a lattice 400 m apart, each moving at its own
/// velocity of 2-8 m/s.
fn truth(i: usize, t: f64) -> Vector2<f64> {
    let (gx, gy) = ((i % 100) as f64, (i / 100) as f64);
    let (vx, vy) = (5.0 * noise(i as u64 * 2), 5.0 * noise(i as u64 * 2 + 1));
    Vector2::new(400.0 * gx + vx * t, 400.0 * gy + vy * t)
}

fn scan(n: usize, k: u64, radar: bool) -> Vec<Detection> {
    let t = k as f64 * DT;
    let sensor = Vector2::new(20_000.0, -5_000.0);
    let mut dets: Vec<Detection> = (0..n)
        .map(|i| {
            let p = truth(i, t)
                + Vector2::new(
                    15.0 * noise(k * 100_003 + i as u64),
                    15.0 * noise(k * 100_019 + i as u64),
                );
            position_or_radar(p, t, sensor, radar)
        })
        .collect();
    // As many clutter plots as a tenth of the targets, anywhere in the picture.
    let extent = 400.0 * 100.0;
    for c in 0..n / 10 {
        let p = Vector2::new(
            extent * 0.5 * (1.0 + noise(k * 7 + c as u64 * 13)),
            400.0 * (n / 100) as f64 * 0.5 * (1.0 + noise(k * 11 + c as u64 * 17)),
        );
        dets.push(position_or_radar(p, t, sensor, radar));
    }
    dets
}

fn position_or_radar(p: Vector2<f64>, t: f64, sensor: Vector2<f64>, radar: bool) -> Detection {
    if radar {
        let d = p - sensor;
        Detection {
            t,
            sensor: 0,
            z: Vector2::new(d.norm(), d.x.atan2(d.y)),
            model: MeasurementModel::range_bearing(sensor, 15.0, 0.3f64.to_radians()),
            mmsi: None,
            motion: None,
        }
    } else {
        Detection {
            t,
            sensor: 0,
            z: p,
            model: MeasurementModel::position(15.0),
            mmsi: None,
            motion: None,
        }
    }
}

/// A tracker that has tracked `n` targets for ten scans.
fn warmed(n: usize, filter: FilterConfig, radar: bool) -> (Tracker, u64) {
    let config = TrackerConfig {
        filter,
        confirm_m: 3,
        confirm_n: 4,
        max_tracks: 1_000_000,
        ..TrackerConfig::default()
    };
    let sensors = vec![SensorInfo {
        name: "sensor".into(),
        kind: if radar {
            SensorKind::Radar
        } else {
            SensorKind::Plots
        },
        coverage: None,
    }];
    let mut tracker = Tracker::new(&config, &AisFusionConfig::default(), sensors);
    for k in 0..10 {
        tracker.process_scan(k as f64 * DT, &scan(n, k, radar), &[0]);
    }
    (tracker, 10)
}

fn filter_step(c: &mut Criterion) {
    let mut group = c.benchmark_group("filter");
    let model = MeasurementModel::range_bearing(Vector2::zeros(), 15.0, 0.005);
    let z = Vector2::new(5000.0, 0.6);
    for (name, config) in [
        ("cv", FilterConfig::Cv { q: 0.05 }),
        ("imm", FilterConfig::default()),
    ] {
        let filter = Filter::new(config);
        let start = filter.initiate(MeasurementModel::position(15.0).initiate(
            Vector2::new(2800.0, 4100.0),
            10.0,
            0.03,
        ));
        group.bench_function(BenchmarkId::new("predict_update_rb", name), |b| {
            b.iter(|| {
                let predicted = filter.predict(black_box(&start), 2.0);
                black_box(filter.update(&predicted, &model, black_box(z)))
            })
        });
    }
    group.finish();
}

fn scans(c: &mut Criterion) {
    let mut group = c.benchmark_group("scan");
    group.sample_size(20);
    for (sensor, radar) in [("xy", false), ("rb", true)] {
        for n in [100usize, 1_000, 10_000] {
            for (name, filter) in [
                ("cv", FilterConfig::Cv { q: 0.05 }),
                ("imm", FilterConfig::default()),
            ] {
                // One tracker running scan after scan, as the agent does: each iteration is
                // the next scan, its plots made before the clock starts. (Cloning a warmed
                // tracker per iteration instead would time a tracker whose vectors have no
                // spare capacity, reallocating megabytes on its first new track.)
                let (mut tracker, mut k) = warmed(n, filter, radar);
                group.throughput(Throughput::Elements(n as u64));
                group.bench_function(BenchmarkId::new(format!("{sensor}_{name}"), n), |b| {
                    b.iter_custom(|iters| {
                        let mut total = Duration::ZERO;
                        for _ in 0..iters {
                            let dets = scan(n, k, radar);
                            let start = Instant::now();
                            black_box(tracker.process_scan(k as f64 * DT, &dets, &[0]));
                            total += start.elapsed();
                            k += 1;
                        }
                        total
                    })
                });
                // The tracker must still be holding the targets for its timing to mean
                // anything.
                let confirmed = tracker
                    .tracks()
                    .iter()
                    .filter(|t| t.status == TrackStatus::Confirmed)
                    .count();
                eprintln!(
                    "{sensor}_{name}/{n}: after {} scans, {confirmed} confirmed tracks for {n} targets",
                    k
                );
                assert!(
                    confirmed >= n * 95 / 100 && confirmed <= n * 11 / 10,
                    "lost the picture"
                );
            }
        }
    }
    group.finish();
}

criterion_group!(benches, filter_step, scans);
criterion_main!(benches);
