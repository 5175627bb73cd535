//! A global-nearest-neighbour multi-target tracker for radar plots.
//!
//! One scan of one radar at a time: every track is predicted to the illumination time of each
//! plot, gated with the chi-square test on the Mahalanobis distance, and plots are assigned
//! to tracks by an optimal assignment in which each track may also be "missed" at the cost of
//! the gate. Assigned tracks get an extended Kalman update in range/bearing; plots left over
//! (and outside every track's gate) start tentative tracks; M-of-N confirms them; a confirmed
//! track missed on consecutive scans is deleted. Track ids are never reused.

use super::assign::min_cost_assignment;
use super::kalman::{ConstantVelocity, Gaussian, MeasurementModel, chi2_gate_2dof, update};
use crate::config::TrackerConfig;
use crate::decode::{PlotObservation, Time};
use nalgebra::Vector2;

/// A track's identity, unique for the agent's lifetime.
pub type TrackId = u64;

/// Where a track is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TrackStatus {
    /// Seen, not yet often enough to be believed.
    Tentative,
    /// Seen on M of its first N scans.
    Confirmed,
}

/// An AIS identity bound to a track.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AisBinding {
    /// The vessel's MMSI.
    pub mmsi: u32,
    /// When the binding was made.
    pub since: Time,
    /// Time of the latest AIS report found consistent with the track.
    pub last_match: Time,
}

/// One tracked target.
#[derive(Debug, Clone, PartialEq)]
pub struct Track {
    /// Identity.
    pub id: TrackId,
    /// Estimate at `t`.
    pub estimate: Gaussian,
    /// Time of the estimate (the last update).
    pub t: Time,
    /// Tentative or confirmed.
    pub status: TrackStatus,
    /// When the first plot was seen.
    pub created: Time,
    /// When it was confirmed.
    pub confirmed_at: Option<Time>,
    /// Detection history, one bit a scan, latest in bit 0.
    pub history: u32,
    /// Scans that could have detected it since it started.
    pub scans: u32,
    /// Consecutive scans without a detection.
    pub misses: u32,
    /// Plots used.
    pub updates: u32,
    /// Bit `i` set when radar `i` contributed a plot.
    pub radars: u64,
    /// The AIS identity bound to it, if any.
    pub ais: Option<AisBinding>,
}

impl Track {
    /// Speed over ground, m/s.
    pub fn speed_mps(&self) -> f64 {
        self.estimate.velocity().norm()
    }

    /// Course over ground, compass degrees.
    pub fn course_deg(&self) -> f64 {
        let v = self.estimate.velocity();
        borderfuse_common::geo::bearing_deg(v.x, v.y)
    }
}

/// A radar as the tracker sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RadarGeometry {
    /// Antenna position east, north in the local frame, metres.
    pub position: Vector2<f64>,
    /// Range standard deviation, m.
    pub sigma_range_m: f64,
    /// Bearing standard deviation, rad.
    pub sigma_bearing_rad: f64,
    /// Instrumented range, m.
    pub max_range_m: f64,
}

impl RadarGeometry {
    fn model(&self) -> MeasurementModel {
        MeasurementModel::RangeBearing {
            sensor: self.position,
            sigma_range_m: self.sigma_range_m,
            sigma_bearing_rad: self.sigma_bearing_rad,
        }
    }
}

/// What one scan changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScanReport {
    /// Plots assigned to existing tracks.
    pub assigned: usize,
    /// Tracks started.
    pub started: Vec<TrackId>,
    /// Tracks confirmed.
    pub confirmed: Vec<TrackId>,
    /// Tracks deleted, as they were last.
    pub deleted: Vec<Track>,
}

/// The tracker.
#[derive(Debug, Clone)]
pub struct Tracker {
    motion: ConstantVelocity,
    gate: f64,
    config: TrackerConfig,
    radars: Vec<RadarGeometry>,
    tracks: Vec<Track>,
    next_id: TrackId,
}

impl Tracker {
    /// A tracker for these radars (indexed as in the config).
    pub fn new(config: &TrackerConfig, radars: Vec<RadarGeometry>) -> Self {
        Tracker {
            motion: ConstantVelocity {
                q: config.process_noise,
            },
            gate: chi2_gate_2dof(config.gate_probability),
            config: config.clone(),
            radars,
            tracks: Vec::new(),
            next_id: 1,
        }
    }

    /// The live tracks.
    pub fn tracks(&self) -> &[Track] {
        &self.tracks
    }

    /// The live tracks, to bind identities.
    pub fn tracks_mut(&mut self) -> &mut [Track] {
        &mut self.tracks
    }

    /// A track's estimate moved to time `t`.
    pub fn predict(&self, track: &Track, t: Time) -> Gaussian {
        self.motion.predict(&track.estimate, t - track.t)
    }

    /// Processes one complete scan of radar `radar`, which ended at `t_end`.
    pub fn process_scan(
        &mut self,
        radar: usize,
        t_end: Time,
        plots: &[PlotObservation],
    ) -> ScanReport {
        let mut report = ScanReport::default();
        let Some(geometry) = self.radars.get(radar).copied() else {
            return report;
        };
        let model = geometry.model();
        let measurement = |p: &PlotObservation| Vector2::new(p.range_m, p.bearing_deg.to_radians());

        // Gate every (track, plot) pair at the plot's own illumination time.
        let n_tracks = self.tracks.len();
        let n_plots = plots.len();
        let mut cost = vec![f64::INFINITY; n_tracks * n_plots];
        let mut plot_gated = vec![false; n_plots];
        for (i, track) in self.tracks.iter().enumerate() {
            for (j, plot) in plots.iter().enumerate() {
                let pred = self.motion.predict(&track.estimate, plot.t - track.t);
                if let Some(inn) = model.innovation(&pred, measurement(plot))
                    && inn.d2 <= self.gate
                {
                    cost[i * n_plots + j] = inn.d2;
                    plot_gated[j] = true;
                }
            }
        }

        // Optimal assignment; column n_plots + i is "track i missed", at the gate's cost.
        let assignment = if n_tracks == 0 {
            Vec::new()
        } else {
            let cols = n_plots + n_tracks;
            let gate = self.gate;
            min_cost_assignment(n_tracks, cols, |i, j| {
                if j < n_plots {
                    cost[i * n_plots + j]
                } else if j - n_plots == i {
                    gate
                } else {
                    f64::INFINITY
                }
            })
            // Every row has its own finite "missed" column, so this cannot fail; were it to,
            // every track is treated as missed rather than guessing.
            .unwrap_or_else(|_| (0..n_tracks).map(|i| n_plots + i).collect())
        };

        let mut plot_used = vec![false; n_plots];
        let (confirm_m, confirm_n) = (
            u32::from(self.config.confirm_m),
            u32::from(self.config.confirm_n),
        );
        for (i, track) in self.tracks.iter_mut().enumerate() {
            let col = assignment.get(i).copied().unwrap_or(usize::MAX);
            if col < n_plots {
                let plot = &plots[col];
                let pred = self.motion.predict(&track.estimate, plot.t - track.t);
                if let Some(inn) = model.innovation(&pred, measurement(plot)) {
                    track.estimate = update(&pred, &inn);
                    track.t = plot.t;
                    track.history = track.history << 1 | 1;
                    track.scans = track.scans.saturating_add(1);
                    track.misses = 0;
                    track.updates += 1;
                    track.radars |= 1u64 << radar.min(63);
                    plot_used[col] = true;
                    report.assigned += 1;
                    continue;
                }
            }
            // Missed: only a scan that could have seen it counts against it.
            let predicted = self.motion.predict(&track.estimate, t_end - track.t);
            if (predicted.position() - geometry.position).norm() <= geometry.max_range_m {
                track.history <<= 1;
                track.scans = track.scans.saturating_add(1);
                track.misses += 1;
            }
        }

        // Confirmation (M of the first N scans) and deletion.
        let window = if confirm_n >= 32 {
            u32::MAX
        } else {
            (1u32 << confirm_n) - 1
        };
        let delete_after = u32::from(self.config.delete_after_misses);
        let mut kept = Vec::with_capacity(self.tracks.len());
        for mut track in self.tracks.drain(..) {
            let delete = match track.status {
                TrackStatus::Tentative => {
                    let seen = track.scans.min(confirm_n);
                    let hits = (track.history & window).count_ones();
                    if hits >= confirm_m {
                        track.status = TrackStatus::Confirmed;
                        track.confirmed_at = Some(track.t);
                        report.confirmed.push(track.id);
                        false
                    } else {
                        // Can it still reach M within its first N scans?
                        hits + (confirm_n - seen) < confirm_m
                    }
                }
                TrackStatus::Confirmed => track.misses >= delete_after,
            };
            if delete {
                report.deleted.push(track);
            } else {
                kept.push(track);
            }
        }
        self.tracks = kept;

        // Plots that no track took and no track gated start tentative tracks. A plot inside
        // some track's gate is most likely a second echo of that target, not a new one.
        for (j, plot) in plots.iter().enumerate() {
            if plot_used[j] || plot_gated[j] {
                continue;
            }
            let id = self.next_id;
            self.next_id += 1;
            self.tracks.push(Track {
                id,
                estimate: model.initiate(measurement(plot), self.config.initial_speed_sigma_mps),
                t: plot.t,
                status: TrackStatus::Tentative,
                created: plot.t,
                confirmed_at: None,
                history: 1,
                scans: 1,
                misses: 0,
                updates: 1,
                radars: 1u64 << radar.min(63),
                ais: None,
            });
            report.started.push(id);
        }
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn radar() -> RadarGeometry {
        RadarGeometry {
            position: Vector2::zeros(),
            sigma_range_m: 10.0,
            sigma_bearing_rad: 0.2_f64.to_radians(),
            max_range_m: 20_000.0,
        }
    }

    fn plot_at(t: Time, scan: u32, x: f64, y: f64) -> PlotObservation {
        PlotObservation {
            t,
            radar: 0,
            scan,
            range_m: x.hypot(y),
            bearing_deg: borderfuse_common::geo::bearing_deg(x, y),
            amplitude: 100,
        }
    }

    #[test]
    fn a_target_seen_three_scans_in_four_is_confirmed_and_tracked() {
        let mut tracker = Tracker::new(&TrackerConfig::default(), vec![radar()]);
        let truth = |t: f64| (2000.0 + 8.0 * t, 3000.0 - 4.0 * t);
        let mut confirmed = Vec::new();
        for scan in 0..10u32 {
            let t = f64::from(scan) * 2.0;
            let plots = if scan == 1 {
                vec![]
            } else {
                let (x, y) = truth(t);
                vec![plot_at(t, scan, x, y)]
            };
            let report = tracker.process_scan(0, t + 2.0, &plots);
            confirmed.extend(report.confirmed);
        }
        assert_eq!(confirmed, vec![1]);
        let track = &tracker.tracks()[0];
        assert_eq!(track.id, 1);
        assert!(
            (track.estimate.x[1] - 8.0).abs() < 1.0,
            "{:?}",
            track.estimate.x
        );
        assert!(
            (track.estimate.x[3] + 4.0).abs() < 1.0,
            "{:?}",
            track.estimate.x
        );
    }

    #[test]
    fn a_confirmed_track_is_deleted_after_consecutive_misses() {
        let mut tracker = Tracker::new(&TrackerConfig::default(), vec![radar()]);
        for scan in 0..4u32 {
            let t = f64::from(scan) * 2.0;
            tracker.process_scan(0, t + 2.0, &[plot_at(t, scan, 1000.0, 1000.0 + 10.0 * t)]);
        }
        assert_eq!(tracker.tracks()[0].status, TrackStatus::Confirmed);
        let mut deleted = Vec::new();
        for scan in 4..9u32 {
            deleted.extend(
                tracker
                    .process_scan(0, f64::from(scan) * 2.0 + 2.0, &[])
                    .deleted,
            );
        }
        assert_eq!(deleted.len(), 1);
        assert!(tracker.tracks().is_empty());
    }

    #[test]
    fn a_one_off_plot_starts_a_tentative_track_that_dies() {
        let mut tracker = Tracker::new(&TrackerConfig::default(), vec![radar()]);
        tracker.process_scan(0, 2.0, &[plot_at(1.0, 0, 5000.0, 0.0)]);
        assert_eq!(tracker.tracks().len(), 1);
        tracker.process_scan(0, 4.0, &[]);
        tracker.process_scan(0, 6.0, &[]);
        assert!(tracker.tracks().is_empty());
    }

    #[test]
    fn two_targets_keep_their_identities() {
        let mut tracker = Tracker::new(&TrackerConfig::default(), vec![radar()]);
        for scan in 0..15u32 {
            let t = f64::from(scan) * 2.0;
            let a = plot_at(t, scan, 3000.0 + 5.0 * t, 4000.0);
            let b = plot_at(t, scan, 3000.0 + 5.0 * t, 4400.0);
            tracker.process_scan(0, t + 2.0, &[b, a]);
        }
        let mut by_north: Vec<_> = tracker
            .tracks()
            .iter()
            .map(|t| (t.id, t.estimate.x[2]))
            .collect();
        by_north.sort_by(|a, b| a.1.total_cmp(&b.1));
        assert_eq!(by_north.len(), 2);
        assert_eq!(
            (by_north[0].0, by_north[1].0),
            (2, 1),
            "ids swapped: {by_north:?}"
        );
    }
}
