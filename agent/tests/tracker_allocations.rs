//! The tracker's hot path allocates nothing once its buffers have grown to the scene: a
//! scan in which no track is born, confirmed or deleted makes no heap allocation, and the
//! memory it holds is bounded by `max_tracks`, not by how long it runs.

mod support;
use support::counting_allocator;

use borderfuse_agent::config::{AisFusionConfig, TrackerConfig};
use borderfuse_agent::fuse::kalman::MeasurementModel;
use borderfuse_agent::fuse::{Detection, SensorInfo, SensorKind, TrackStatus, Tracker};
use nalgebra::{Matrix2, Vector2};

#[global_allocator]
static ALLOCATOR: counting_allocator::Counting = counting_allocator::Counting;

const TARGETS: usize = 300;

/// Target `k` at time `t`: a grid 1 km apart, each sailing its own straight line.
fn position(k: usize, t: f64) -> (f64, f64) {
    let (gx, gy) = ((k % 20) as f64 * 1000.0, (k / 20) as f64 * 1000.0);
    let heading = k as f64 * 0.7;
    (gx + 4.0 * heading.cos() * t, gy + 4.0 * heading.sin() * t)
}

/// A deterministic, roughly normal noise in metres (sum of three uniforms), so that updates
/// do real work.
fn noise(seed: usize) -> f64 {
    let u = |n: usize| ((n.wrapping_mul(2_654_435_761) % 10_007) as f64 / 10_007.0) - 0.5;
    10.0 * (u(seed) + u(seed + 1) + u(seed + 2))
}

fn scan(k: u32, radar: bool, dets: &mut Vec<Detection>) -> f64 {
    let t = f64::from(k) * 2.0;
    dets.clear();
    for target in 0..TARGETS {
        let (x, y) = position(target, t);
        let seed = target * 7919 + k as usize * 104_729;
        let (x, y) = (x + noise(seed), y + noise(seed + 3));
        let (z, model) = if radar {
            // A radar at (10 km, -5 km): range and compass bearing.
            let (dx, dy) = (x - 10_000.0, y + 5_000.0);
            (
                Vector2::new(dx.hypot(dy), dx.atan2(dy).rem_euclid(std::f64::consts::TAU)),
                MeasurementModel::RangeBearing {
                    sensor: Vector2::new(10_000.0, -5_000.0),
                    r: Matrix2::new(225.0, 0.0, 0.0, 0.3f64.to_radians().powi(2)),
                },
            )
        } else {
            (
                Vector2::new(x, y),
                MeasurementModel::Position {
                    r: Matrix2::new(100.0, 0.0, 0.0, 100.0),
                },
            )
        };
        dets.push(Detection {
            t,
            sensor: 0,
            z,
            model,
            mmsi: None,
            motion: None,
        });
    }
    t
}

fn steady_scans_allocate_nothing(radar: bool) {
    let sensors = vec![SensorInfo {
        name: "radar".into(),
        kind: if radar {
            SensorKind::Radar
        } else {
            SensorKind::Plots
        },
        coverage: None,
    }];
    let config = TrackerConfig {
        max_tracks: 1000,
        ..TrackerConfig::default()
    };
    let mut tracker = Tracker::new(&config, &AisFusionConfig::default(), sensors);
    let mut dets = Vec::with_capacity(TARGETS);
    // Warm-up: every target confirmed, every buffer grown.
    for k in 0..30 {
        let t = scan(k, radar, &mut dets);
        tracker.process_scan(t, &dets, &[0]);
    }
    let confirmed = tracker
        .tracks()
        .iter()
        .filter(|t| t.status == TrackStatus::Confirmed)
        .count();
    assert_eq!((confirmed, tracker.tracks().len()), (TARGETS, TARGETS));

    let mut allocations = 0;
    for k in 30..60 {
        let t = scan(k, radar, &mut dets);
        let before = counting_allocator::count();
        let report = tracker.process_scan(t, &dets, &[0]);
        allocations += counting_allocator::count() - before;
        assert_eq!(report.assigned, TARGETS);
        drop(report);
    }
    assert_eq!(tracker.tracks().len(), TARGETS);
    assert_eq!(allocations, 0, "allocations in 30 steady scans");
}

#[test]
fn steady_scans_of_position_plots_make_no_heap_allocation() {
    steady_scans_allocate_nothing(false);
}

#[test]
fn steady_scans_of_range_bearing_plots_make_no_heap_allocation() {
    steady_scans_allocate_nothing(true);
}

#[test]
fn tracks_never_outnumber_max_tracks_however_much_clutter_comes() {
    let sensors = vec![SensorInfo {
        name: "radar".into(),
        kind: SensorKind::Plots,
        coverage: None,
    }];
    let config = TrackerConfig {
        max_tracks: 500,
        ..TrackerConfig::default()
    };
    let mut tracker = Tracker::new(&config, &AisFusionConfig::default(), sensors);
    let mut dets = Vec::new();
    for k in 0..20u32 {
        // 2,000 plots a scan scattered anew every time: every one a would-be track.
        dets.clear();
        for n in 0..2000usize {
            let seed = n * 31 + k as usize * 100_003;
            dets.push(Detection {
                t: f64::from(k),
                sensor: 0,
                z: Vector2::new(noise(seed) * 5000.0, noise(seed + 5) * 5000.0),
                model: MeasurementModel::Position {
                    r: Matrix2::new(100.0, 0.0, 0.0, 100.0),
                },
                mmsi: None,
                motion: None,
            });
        }
        tracker.process_scan(f64::from(k), &dets, &[0]);
        assert!(tracker.tracks().len() <= 500);
    }
    assert!(tracker.stats().initiations_refused > 0);
}
