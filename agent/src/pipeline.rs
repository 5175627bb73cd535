//! The agent's synchronous core: decode → fuse → detect, driven by frames.
//!
//! It does no I/O and reads no clock: given the same frames with the same arrival times it
//! makes the same tracks and alerts, which is what lets the tests replay a scenario
//! without serial ports or a broker.

use crate::config::Config;
use crate::decode::{AisPosition, Decoder, Observation, PlotObservation, Time};
use crate::detect::scene::AisCoverage;
use crate::detect::{Alert, AlertState, RuleStats, Rules};
use crate::fuse::kalman::MeasurementModel;
use crate::fuse::reorder::{Batch, Pushed, ReorderBuffer};
use crate::fuse::{
    AisEvent, AisPicture, Detection, ReportedMotion, ScanReport, SensorId, SensorInfo, SensorKind,
    TrackStatus, Tracker,
};
use crate::metrics::{Metrics, RateLimit, add, inc, set};
use crate::plates::{PlateEngine, PlateStats};
use borderfuse_common::frame::Frame;
use borderfuse_common::geo::LocalFrame;
use nalgebra::{Matrix2, Vector2};
use std::sync::Arc;
use std::time::Duration;

/// A scan is closed without its north marker when no plot of it arrived for this many scan
/// periods (a lost marker must not stall the tracker).
const SCAN_TIMEOUT_PERIODS: f64 = 1.5;

/// Plots of the scan being received from one radar.
#[derive(Debug, Default)]
struct ScanBuffer {
    scan: Option<u32>,
    plots: Vec<PlotObservation>,
    /// The newest scan already processed.
    closed: Option<u32>,
    /// Latest plot or marker time.
    last_t: Time,
    /// Scan period from the last north marker, s.
    period_s: Option<f64>,
}

/// Most scans waiting in the re-ordering window (at one AIS report a scan, a busy strait
/// sends a few hundred a second).
const MAX_WAITING_SCANS: usize = 100_000;

/// AIS position standard deviation for reports flagged high accuracy (DGNSS, < 10 m) and
/// for the others (GNSS, tens of metres), per axis.
const AIS_SIGMA_HIGH_ACCURACY_M: f64 = 5.0;
const AIS_SIGMA_LOW_ACCURACY_M: f64 = 15.0;

/// Whether scan number `a` comes after `b` (serial number arithmetic, so wrapping works).
fn scan_after(a: u32, b: u32) -> bool {
    a != b && a.wrapping_sub(b) < u32::MAX / 2
}

/// Decode → fuse → detect.
#[derive(Debug)]
pub struct Pipeline {
    frame: LocalFrame,
    decoder: Decoder,
    tracker: Tracker,
    reorder: ReorderBuffer,
    /// Radar `i` is tracker sensor `i`; AIS receiver `k` is sensor `radars + k`.
    radar_sensors: Vec<(Vector2<f64>, Matrix2<f64>)>,
    ais_sensor_base: usize,
    picture: AisPicture,
    rules: Rules,
    scans: Vec<ScanBuffer>,
    max_plots_per_scan: usize,
    metrics: Arc<Metrics>,
    observations: Vec<Observation>,
    log_limit: RateLimit,
    /// The newest data time seen, and the arrival time (UTC, s) of the frame that carried it:
    /// the clock maps wall time to data time through it, so that a node whose clock is off
    /// does not make every vessel look silent (or none).
    data_clock: Option<(Time, Time)>,
    /// The plate engine, when plate-reader nodes are configured ([`Pipeline::set_plate_engine`]).
    plates: Option<PlateEngine>,
    /// Country and post, for the plate alerts' ids.
    origin: (String, String),
    /// Arrival time (UTC, s) of the frame being handled: the clock plate reads from the
    /// future are judged by.
    arrival: Time,
}

impl Pipeline {
    /// A pipeline for a validated config.
    pub fn new(config: &Config, metrics: Arc<Metrics>) -> Self {
        let frame = LocalFrame::new(config.post.origin.geodetic());
        let local = |p: &crate::config::Position| {
            let (e, n) = frame.to_east_north(p.geodetic());
            Vector2::new(e, n)
        };
        let mut sensors: Vec<SensorInfo> = config
            .radars
            .iter()
            .map(|r| SensorInfo {
                name: r.name.clone(),
                kind: SensorKind::Radar,
                coverage: Some((local(&r.position), r.max_range_m)),
            })
            .collect();
        sensors.extend(config.ais_receivers.iter().map(|a| SensorInfo {
            name: a.name.clone(),
            kind: SensorKind::Ais,
            coverage: Some((local(&a.position), a.range_m)),
        }));
        let radar_sensors = config
            .radars
            .iter()
            .map(|r| {
                let sigma_bearing = r.sigma_bearing_deg.to_radians();
                (
                    local(&r.position),
                    Matrix2::new(
                        r.sigma_range_m * r.sigma_range_m,
                        0.0,
                        0.0,
                        sigma_bearing * sigma_bearing,
                    ),
                )
            })
            .collect();
        let coverage = config
            .ais_receivers
            .iter()
            .map(|a| AisCoverage {
                name: a.name.clone(),
                position: local(&a.position),
                range_m: a.range_m,
            })
            .collect();
        let sensor_names = sensors.iter().map(|s| s.name.clone()).collect();
        Pipeline {
            frame,
            decoder: Decoder::new(config, metrics.clone()),
            tracker: Tracker::new(&config.tracker, &config.ais_fusion, sensors),
            reorder: ReorderBuffer::new(config.tracker.reorder_window_s, MAX_WAITING_SCANS),
            radar_sensors,
            ais_sensor_base: config.radars.len(),
            picture: AisPicture::new(),
            rules: Rules::new(
                &config.rules,
                &config.post.country,
                &config.post.post,
                frame,
                coverage,
                sensor_names,
            ),
            scans: config
                .radars
                .iter()
                .map(|_| ScanBuffer::default())
                .collect(),
            max_plots_per_scan: config.tracker.max_plots_per_scan,
            metrics,
            observations: Vec::new(),
            log_limit: RateLimit::new(Duration::from_secs(10)),
            data_clock: None,
            plates: None,
            origin: (config.post.country.clone(), config.post.post.clone()),
            arrival: 0.0,
        }
    }

    /// Feeds plate-reader frames to `engine` (built from `[plates]` with the plate key, see
    /// [`crate::plates::PlatesConfig::build_engine`]); without one they are counted unused.
    pub fn set_plate_engine(&mut self, engine: PlateEngine) {
        self.plates = Some(engine);
    }

    /// Applies a shared hotlist's update to the plate engine (without one there is nothing
    /// to match against: ignored).
    pub fn update_hotlist(&mut self, update: crate::plates::HotlistUpdate) {
        if let Some(engine) = self.plates.as_mut() {
            engine.update_hotlist(update);
        }
    }

    /// The plate engine's counters, when it runs.
    pub fn plate_stats(&self) -> Option<PlateStats> {
        self.plates.as_ref().map(|e| *e.stats())
    }

    /// Handles one frame that arrived at `arrival_ms` (UTC ms); returns the alerts it raised,
    /// updated or cleared.
    pub fn handle_frame(&mut self, frame: Frame, arrival_ms: u64) -> Vec<Alert> {
        let mut observations = std::mem::take(&mut self.observations);
        self.decoder.decode(frame, arrival_ms, &mut observations);
        self.absorb_observations(observations, arrival_ms)
    }

    /// Handles one line of `nmea_source[source]` (an AIS receiver's raw NMEA 0183 output)
    /// that arrived at `arrival_ms` (UTC ms); returns the alerts it raised, updated or
    /// cleared. AIS sentences are decoded as node-framed ones are; ARPA sentences are only
    /// counted (see [`Decoder::decode_nmea_line`]).
    pub fn handle_nmea_line(&mut self, source: usize, line: &str, arrival_ms: u64) -> Vec<Alert> {
        let mut observations = std::mem::take(&mut self.observations);
        self.decoder
            .decode_nmea_line(source, line, arrival_ms, &mut observations);
        self.absorb_observations(observations, arrival_ms)
    }

    /// Feeds decoded observations (of one frame or line) through fusion and the rules,
    /// keeping the buffer for the next call.
    fn absorb_observations(
        &mut self,
        mut observations: Vec<Observation>,
        arrival_ms: u64,
    ) -> Vec<Alert> {
        let mut alerts = Vec::new();
        let arrival = arrival_ms as f64 / 1000.0;
        self.arrival = arrival;
        for obs in observations.drain(..) {
            let t = match &obs {
                Observation::RadarPlot(p) => p.t,
                Observation::RadarScanEnd { t, .. } => *t,
                Observation::AisPosition(p) => p.t,
                Observation::AisStatic(s) => s.t,
                Observation::PlateRead { t, .. } => *t,
            };
            if t.is_finite() && self.data_clock.is_none_or(|(newest, _)| t > newest) {
                self.data_clock = Some((t, arrival));
            }
            self.handle_observation(obs, &mut alerts);
        }
        self.observations = observations;
        alerts
    }

    /// Handles one camera result (a JSON line a camera pushed to `checkpoint`'s listener)
    /// that arrived at `arrival_ms` (UTC ms): the plate engine checks it (counting and
    /// dropping a bad read) and returns the alerts it raises.
    pub fn handle_camera_json(
        &mut self,
        checkpoint: &str,
        text: &str,
        arrival_ms: u64,
    ) -> Vec<Alert> {
        self.handle_camera_read(checkpoint, text, arrival_ms).0
    }

    /// [`Pipeline::handle_camera_json`], also saying whether the engine took the read (the
    /// HTTP listener answers with it).
    pub fn handle_camera_read(
        &mut self,
        checkpoint: &str,
        text: &str,
        arrival_ms: u64,
    ) -> (Vec<Alert>, bool) {
        let mut alerts = Vec::new();
        let mut taken = false;
        self.plate_alerts(&mut alerts, |engine| {
            // The engine is this task's alone: the counter moves only for this read.
            let before = engine.stats().accepted;
            let events = engine.ingest_json(text, checkpoint, arrival_ms as f64 / 1000.0);
            taken = engine.stats().accepted > before;
            events
        });
        (alerts, taken)
    }

    /// Feeds the plate engine (`ingest`) and turns its events into counted alerts; without
    /// an engine the read is counted unused.
    fn plate_alerts(
        &mut self,
        alerts: &mut Vec<Alert>,
        ingest: impl FnOnce(&mut PlateEngine) -> Vec<crate::plates::PlateEvent>,
    ) {
        let Some(engine) = self.plates.as_mut() else {
            inc(&self.metrics.frames_unused);
            return;
        };
        let events = ingest(engine);
        let before = alerts.len();
        let (country, post) = &self.origin;
        alerts.extend(events.iter().map(|e| engine.alert(e, country, post)));
        self.count_alerts(&alerts[before..]);
    }

    /// Closes scans whose north marker is overdue at time `now` (UTC), and lets the rules
    /// that watch for silence look at the clock; call about once a second. Returns the
    /// alerts raised, updated or cleared.
    pub fn tick(&mut self, now: Time) -> Vec<Alert> {
        let mut alerts = Vec::new();
        for radar in 0..self.scans.len() {
            let buffer = &self.scans[radar];
            let (Some(_), Some(period)) = (buffer.scan, buffer.period_s) else {
                continue;
            };
            if now - buffer.last_t > SCAN_TIMEOUT_PERIODS * period {
                let t_end = buffer.last_t;
                self.close_scan(radar, t_end, &mut alerts);
            }
        }
        // Data that stopped coming must not wait in the window forever.
        self.reorder.advance_to(now);
        self.run_ready(&mut alerts);
        // Silence is noticed by the clock: with nothing arriving, no scan would notice it.
        // The rules run on data time: the newest data time plus the wall time since it came.
        if let Some((newest, arrival)) = self.data_clock {
            let data_now = newest + (now - arrival).max(0.0);
            let before = alerts.len();
            self.rules
                .tick(data_now, self.tracker.tracks(), &self.picture, &mut alerts);
            self.count_alerts(&alerts[before..]);
        }
        alerts
    }

    /// What the rules dropped, refused or forgot, and how many alerts are open.
    pub fn rule_stats(&self) -> RuleStats {
        self.rules.stats()
    }

    fn count_alerts(&self, alerts: &[Alert]) {
        for alert in alerts {
            inc(match alert.state {
                AlertState::Raised => &self.metrics.alerts_raised,
                AlertState::Updated => &self.metrics.alerts_updated,
                AlertState::Cleared => &self.metrics.alerts_cleared,
            });
        }
    }

    /// The tracker, for status and tests.
    pub fn tracker(&self) -> &Tracker {
        &self.tracker
    }

    /// The AIS picture.
    pub fn ais_picture(&self) -> &AisPicture {
        &self.picture
    }

    /// The local frame.
    pub fn local_frame(&self) -> &LocalFrame {
        &self.frame
    }

    fn handle_observation(&mut self, obs: Observation, alerts: &mut Vec<Alert>) {
        match obs {
            Observation::RadarPlot(plot) => {
                inc(&self.metrics.radar_plots);
                let buffer = &self.scans[plot.radar];
                if buffer.closed.is_some_and(|c| !scan_after(plot.scan, c)) {
                    return self.drop_plot(&plot, "its scan was already processed");
                }
                match buffer.scan {
                    Some(s) if scan_after(plot.scan, s) => {
                        // A newer scan began without the previous one's north marker.
                        let t_end = buffer.last_t;
                        self.close_scan(plot.radar, t_end, alerts);
                    }
                    Some(s) if s != plot.scan => {
                        return self.drop_plot(&plot, "it belongs to an older scan");
                    }
                    _ => {}
                }
                if self.scans[plot.radar].plots.len() >= self.max_plots_per_scan {
                    return self.drop_plot(&plot, "its scan exceeds tracker.max_plots_per_scan");
                }
                let buffer = &mut self.scans[plot.radar];
                buffer.scan = Some(plot.scan);
                buffer.last_t = buffer.last_t.max(plot.t);
                buffer.plots.push(plot);
            }
            Observation::RadarScanEnd {
                t,
                radar,
                scan,
                period_s,
            } => {
                let buffer = &mut self.scans[radar];
                if period_s > 0.0 {
                    buffer.period_s = Some(period_s);
                }
                if buffer.closed.is_some_and(|c| !scan_after(scan, c)) {
                    // A repeated or stale marker.
                    return;
                }
                if let Some(s) = buffer.scan
                    && scan_after(scan, s)
                {
                    // The marker of a later scan: the buffered one ended unmarked.
                    let t_end = buffer.last_t;
                    self.close_scan(radar, t_end, alerts);
                }
                // Close this scan, even without plots: an empty scan is a miss for every track
                // the radar could have seen.
                let buffer = &mut self.scans[radar];
                buffer.scan = Some(scan);
                buffer.last_t = buffer.last_t.max(t);
                self.close_scan(radar, t, alerts);
            }
            Observation::AisPosition(p) => {
                self.picture.update_position(&p, &self.frame);
                let before = alerts.len();
                self.rules.observe_ais(&p, p.class, &self.picture, alerts);
                self.count_alerts(&alerts[before..]);
                let batch = self.ais_batch(&p);
                self.submit(batch, alerts);
            }
            Observation::AisStatic(s) => self.picture.update_static(&s),
            Observation::PlateRead {
                read,
                t,
                checkpoint,
            } => {
                let arrival = self.arrival;
                self.plate_alerts(alerts, |engine| {
                    engine.ingest_frame(&read, t, &checkpoint, arrival)
                });
            }
        }
    }

    fn drop_plot(&mut self, plot: &PlotObservation, reason: &str) {
        inc(&self.metrics.radar_plots_dropped);
        if let Some(more) = self.log_limit.check() {
            tracing::warn!(
                radar = plot.radar,
                scan = plot.scan,
                more,
                "radar plot dropped: {reason}"
            );
        }
    }

    /// An AIS position report as a one-detection scan of its receiver.
    fn ais_batch(&self, p: &AisPosition) -> Batch {
        let (east, north) = self
            .frame
            .to_east_north(borderfuse_common::geo::Geodetic::new(p.lat_deg, p.lon_deg));
        let sigma = if p.accuracy {
            AIS_SIGMA_HIGH_ACCURACY_M
        } else {
            AIS_SIGMA_LOW_ACCURACY_M
        };
        let sensor = (self.ais_sensor_base + p.receiver) as SensorId;
        Batch {
            t: p.t,
            dets: vec![Detection {
                t: p.t,
                sensor,
                z: Vector2::new(east, north),
                model: MeasurementModel::position(sigma),
                mmsi: Some(p.mmsi),
                motion: p.speed_kn.map(|s| ReportedMotion {
                    speed_mps: s * crate::fuse::ais::KNOT_MPS,
                    course_deg: p.course_deg,
                }),
            }],
            looking: vec![sensor],
        }
    }

    /// Closes the buffered scan of `radar` and hands it to the re-ordering window.
    fn close_scan(&mut self, radar: usize, t_end: Time, alerts: &mut Vec<Alert>) {
        let buffer = &mut self.scans[radar];
        let Some(scan) = buffer.scan.take() else {
            return;
        };
        buffer.closed = Some(scan);
        buffer.last_t = buffer.last_t.max(t_end);
        let plots = std::mem::take(&mut buffer.plots);
        inc(&self.metrics.radar_scans);
        let (position, r) = self.radar_sensors[radar];
        let model = MeasurementModel::RangeBearing {
            sensor: position,
            r,
        };
        let batch = Batch {
            t: t_end,
            dets: plots
                .iter()
                .map(|p| Detection {
                    t: p.t,
                    sensor: radar as SensorId,
                    z: Vector2::new(p.range_m, p.bearing_deg.to_radians()),
                    model,
                    mmsi: None,
                    motion: None,
                })
                .collect(),
            looking: vec![radar as SensorId],
        };
        let mut plots = plots;
        plots.clear();
        self.scans[radar].plots = plots;
        self.submit(batch, alerts);
    }

    /// Puts a scan through the re-ordering window and runs what is due.
    fn submit(&mut self, batch: Batch, alerts: &mut Vec<Alert>) {
        match self.reorder.push(batch) {
            Pushed::Waiting => {}
            Pushed::Late(batch) => {
                let mut report = ScanReport::default();
                for det in &batch.dets {
                    self.tracker.process_late(det, &mut report);
                }
                self.absorb(report, batch.t, alerts);
            }
        }
        self.run_ready(alerts);
    }

    fn run_ready(&mut self, alerts: &mut Vec<Alert>) {
        while let Some(batch) = self.reorder.pop_ready() {
            let report = self
                .tracker
                .process_scan(batch.t, &batch.dets, &batch.looking);
            self.absorb(report, batch.t, alerts);
        }
    }

    /// Counts what a scan changed, then runs the rules at its time.
    fn absorb(&mut self, report: ScanReport, t: Time, alerts: &mut Vec<Alert>) {
        let m = &self.metrics;
        add(&m.tracks_started, report.started.len() as u64);
        add(&m.tracks_confirmed, report.confirmed.len() as u64);
        add(&m.tracks_deleted, report.deleted.len() as u64);
        for track in &report.deleted {
            tracing::debug!(track, "track deleted");
        }
        for id in &report.confirmed {
            tracing::info!(track = id, "track confirmed");
        }
        for event in &report.ais {
            match *event {
                AisEvent::Bound { track, mmsi } => {
                    inc(&m.ais_bindings);
                    tracing::info!(track, mmsi, "track bound to AIS");
                }
                AisEvent::Split {
                    track,
                    mmsi,
                    distance_m,
                } => {
                    inc(&m.ais_splits);
                    tracing::warn!(track, mmsi, distance_m, "track and AIS diverged; split");
                }
            }
        }
        self.picture.prune(t);
        let tracks = self.tracker.tracks();
        set(&m.tracks_alive, tracks.len() as u64);
        set(
            &m.tracks_confirmed_alive,
            tracks
                .iter()
                .filter(|t| t.status == TrackStatus::Confirmed)
                .count() as u64,
        );
        let before = alerts.len();
        self.rules
            .after_scan(t, tracks, &report.ais, &self.picture, alerts);
        self.count_alerts(&alerts[before..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use borderfuse_common::frame::{AisSentence, Payload, RadarNorthMarker, RadarPlot};

    const CONFIG: &str = r#"
[post]
country = "GR"
post = "unit"
origin = { lat = 37.70, lon = 27.00 }
[[radar]]
node_id = 17
name = "radar"
position = { lat = 37.70, lon = 27.00 }
sigma_range_m = 15.0
sigma_bearing_deg = 0.3
[[ais_receiver]]
node_id = 7
name = "ais"
position = { lat = 37.70, lon = 27.00 }
range_m = 40000.0
[tracker]
# Scans are processed as they close, so the tests see each step.
reorder_window_s = 0.0
[mqtt]
host = "localhost"
"#;

    const T0_MS: u64 = 1_764_331_200_000;

    struct Harness {
        pipeline: Pipeline,
        metrics: Arc<Metrics>,
        seq: u32,
    }

    impl Harness {
        fn new() -> Self {
            let metrics = Arc::new(Metrics::default());
            let config = Config::parse(CONFIG).unwrap();
            Harness {
                pipeline: Pipeline::new(&config, metrics.clone()),
                metrics,
                seq: 0,
            }
        }

        fn send(&mut self, node_id: u32, t_ms: u64, payload: Payload) -> Vec<Alert> {
            let frame = Frame::new(node_id, self.seq, t_ms * 1000, Some(T0_MS + t_ms), payload);
            self.seq += 1;
            self.pipeline.handle_frame(frame, T0_MS + t_ms + 3)
        }

        fn plot(&mut self, t_ms: u64, scan: u32, east_m: f64) {
            self.send(
                17,
                t_ms,
                Payload::RadarPlot(RadarPlot {
                    scan,
                    range_m: east_m as f32,
                    bearing_deg: 90.0,
                    amplitude: 500,
                }),
            );
        }

        fn north(&mut self, t_ms: u64, scan: u32) {
            self.send(
                17,
                t_ms,
                Payload::RadarNorthMarker(RadarNorthMarker {
                    scan,
                    period_ms: 2000,
                }),
            );
        }
    }

    #[test]
    fn a_scan_closes_at_its_north_marker() {
        let mut h = Harness::new();
        h.plot(500, 0, 3000.0);
        assert_eq!(h.pipeline.tracker().tracks().len(), 0);
        h.north(2000, 0);
        assert_eq!(h.pipeline.tracker().tracks().len(), 1);
        assert_eq!(h.metrics.snapshot().radar_scans, 1);
    }

    #[test]
    fn a_lost_north_marker_is_replaced_by_the_next_scans_first_plot() {
        let mut h = Harness::new();
        h.plot(500, 0, 3000.0);
        // Marker of scan 0 lost; scan 1 begins.
        h.plot(2500, 1, 3010.0);
        assert_eq!(h.metrics.snapshot().radar_scans, 1);
        h.north(4000, 1);
        assert_eq!(h.metrics.snapshot().radar_scans, 2);
        assert_eq!(h.pipeline.tracker().tracks()[0].updates, 2);
    }

    #[test]
    fn a_plot_of_a_processed_scan_is_dropped_and_counted() {
        let mut h = Harness::new();
        h.plot(500, 5, 3000.0);
        h.north(2000, 5);
        h.plot(1900, 5, 3000.0);
        assert_eq!(h.metrics.snapshot().radar_plots_dropped, 1);
    }

    #[test]
    fn empty_scans_count_as_misses_and_delete_tracks() {
        let mut h = Harness::new();
        h.plot(500, 0, 3000.0);
        h.north(2000, 0);
        for scan in 1..4 {
            h.north(2000 + 2000 * u64::from(scan), scan);
        }
        assert!(h.pipeline.tracker().tracks().is_empty());
        assert_eq!(h.metrics.snapshot().tracks_deleted, 1);
    }

    #[test]
    fn an_overdue_scan_is_closed_by_the_clock() {
        let mut h = Harness::new();
        h.north(0, 0);
        h.plot(2500, 1, 3000.0);
        assert!(h.pipeline.tick((T0_MS + 3000) as f64 / 1000.0).is_empty());
        assert_eq!(h.metrics.snapshot().radar_scans, 1);
        h.pipeline.tick((T0_MS + 6000) as f64 / 1000.0);
        assert_eq!(h.metrics.snapshot().radar_scans, 2);
    }

    #[test]
    fn unknown_nodes_wrong_kinds_and_sequence_gaps_are_counted() {
        let mut h = Harness::new();
        h.send(
            99,
            0,
            Payload::RadarNorthMarker(RadarNorthMarker {
                scan: 0,
                period_ms: 1,
            }),
        );
        let sentence = AisSentence::new("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A").unwrap();
        h.send(17, 10, Payload::AisSentence(sentence));
        h.seq += 3;
        h.north(20, 0);
        let s = h.metrics.snapshot();
        assert_eq!(s.frames_unknown_node, 1);
        assert_eq!(s.frames_wrong_kind, 1);
        assert_eq!(s.frames_lost, 3);
    }

    #[test]
    fn ais_sentences_with_bad_checksums_are_counted_and_good_ones_decoded() {
        let mut h = Harness::new();
        let good = AisSentence::new("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A").unwrap();
        let bad = AisSentence::new("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4B").unwrap();
        h.send(7, 0, Payload::AisSentence(good));
        h.send(7, 1, Payload::AisSentence(bad));
        let s = h.metrics.snapshot();
        assert_eq!(s.ais_messages, 1);
        assert_eq!(s.ais_bad_sentences, 1);
        assert!(h.pipeline.ais_picture().get(371_798_000).is_some());
    }

    #[test]
    fn nmea_lines_take_the_ais_path_and_arpa_and_other_sentences_are_counted() {
        let metrics = Arc::new(Metrics::default());
        let config = Config::parse(&CONFIG.replace(
            "[tracker]",
            "[[nmea_source]]\nname = \"net\"\nreceiver = \"ais\"\nudp = \"127.0.0.1:10110\"\n[tracker]",
        ))
        .unwrap();
        let mut pipeline = Pipeline::new(&config, metrics.clone());
        for line in [
            "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A",
            // Bad checksum: an AIS sentence rejected, as a node's would be.
            "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4B",
            // Radar ARPA: one parses, one has no latitude hemisphere.
            "$RATLL,1,3647.422,N,01432.592,E,,,,*69",
            "$RATLL,1,3647.422,,01432.592,E,,,,*27",
            "$GPZDA,120000.00,29,11,2026,00,00*68",
            "not nmea at all",
            "",
        ] {
            pipeline.handle_nmea_line(0, line, T0_MS);
        }
        // A source index the config does not have: counted, not a panic.
        pipeline.handle_nmea_line(5, "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A", T0_MS);
        let s = metrics.snapshot();
        assert_eq!(s.ais_messages, 1);
        assert_eq!(s.ais_bad_sentences, 1);
        assert_eq!(s.arpa_sentences, 1);
        assert_eq!(s.arpa_bad_sentences, 1);
        assert_eq!(s.nmea_lines_unused, 1);
        assert_eq!(s.nmea_lines_malformed, 3);
        assert!(pipeline.ais_picture().get(371_798_000).is_some());
    }
}

#[cfg(test)]
mod plate_tests {
    use super::*;
    use crate::plates::PlateDigest;
    use crate::share::PlateKey;
    use borderfuse_common::frame::{Direction, Payload, PlateRead};

    const CONFIG: &str = r#"
[post]
country = "GR"
post = "kipoi"
origin = { lat = 40.93, lon = 26.33 }
[mqtt]
host = "localhost"
[sharing]
plate_key = "/nonexistent/plate.key"
[[plates.checkpoint]]
id = "kipoi"
position = { lat = 40.93, lon = 26.33 }
nodes = [31]
"#;

    fn plate_frame(seq: u32, plate: &str, t_ms: u64) -> Frame {
        Frame::new(
            31,
            seq,
            t_ms * 1000,
            Some(t_ms),
            Payload::PlateRead(PlateRead {
                plate: plate.try_into().unwrap(),
                country: "FR".try_into().unwrap(),
                confidence: 0.9,
                camera: 1,
                lane: 2,
                direction: Direction::Entering,
            }),
        )
    }

    #[test]
    fn a_plate_reader_nodes_frame_raises_a_plate_hotlist_alert_through_the_pipeline() {
        let config = Config::parse(CONFIG).unwrap();
        let metrics = Arc::new(Metrics::default());
        let mut pipeline = Pipeline::new(&config, metrics.clone());
        let t_ms = 1_795_000_000_000;
        // Without the engine the frame is counted unused.
        assert!(
            pipeline
                .handle_frame(plate_frame(0, "AB123CD", t_ms), t_ms)
                .is_empty()
        );
        assert_eq!(
            metrics
                .frames_unused
                .load(std::sync::atomic::Ordering::Relaxed),
            1
        );

        let key = PlateKey::from_bytes(&[3; 32]).unwrap();
        let mut engine = config.plates.build_engine(key.clone()).unwrap();
        engine
            .hotlist_mut()
            .insert(PlateDigest::of(&key, "AB123CD"));
        pipeline.set_plate_engine(engine);
        let alerts = pipeline.handle_frame(plate_frame(1, "A8123CD", t_ms), t_ms + 5);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!(alerts[0].kind.as_str(), "plate_hotlist");
        assert_eq!(alerts[0].identity.plate.as_deref(), Some("AB123CD"));
        // A read from the future (the node's clock ahead of arrival by an hour) is refused.
        let late = plate_frame(2, "AB123CD", t_ms + 3_600_000);
        assert!(pipeline.handle_frame(late, t_ms + 10).is_empty());
        assert_eq!(pipeline.plate_stats().unwrap().rejected_time, 1);
    }

    #[test]
    fn a_camera_result_raises_a_plate_hotlist_alert_and_a_bad_one_is_counted() {
        let config = Config::parse(CONFIG).unwrap();
        let mut pipeline = Pipeline::new(&config, Arc::new(Metrics::default()));
        let key = PlateKey::from_bytes(&[3; 32]).unwrap();
        let mut engine = config.plates.build_engine(key.clone()).unwrap();
        engine
            .hotlist_mut()
            .insert(PlateDigest::of(&key, "AB123CD"));
        pipeline.set_plate_engine(engine);
        let t_ms: u64 = 1_795_000_000_000;
        let result = format!(
            r#"{{"plate": "ab-123-cd", "confidence": 0.91, "region": "fr", "camera_id": 3,
                "lane": 2, "direction": "towards", "epoch_time": {t_ms}}}"#
        );
        let alerts = pipeline.handle_camera_json("kipoi", &result, t_ms + 40);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!(alerts[0].kind.as_str(), "plate_hotlist");
        assert!(
            pipeline
                .handle_camera_json("kipoi", "{\"plate\": ", t_ms + 50)
                .is_empty()
        );
        assert_eq!(pipeline.plate_stats().unwrap().rejected_malformed, 1);
    }

    #[test]
    fn an_http_camera_listener_is_checked_with_its_key_and_must_not_share_an_address() {
        let with = |tcp: &str, http: &str| {
            format!("{CONFIG}camera_listen = \"{tcp}\"\ncamera_http_listen = \"{http}\"\n")
        };
        let ok = Config::parse(&with("0.0.0.0:9300", "0.0.0.0:9380")).unwrap();
        assert_eq!(
            ok.plates.camera_http_listeners(),
            [("kipoi".to_owned(), "0.0.0.0:9380".parse().unwrap())]
        );
        let e = Config::parse(&with("0.0.0.0:9300", "9380"))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("plates.checkpoint[0].camera_http_listen"),
            "{e}"
        );
        let e = Config::parse(&with("0.0.0.0:9300", "0.0.0.0:9300"))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("plates.checkpoint[0].camera_http_listen"),
            "{e}"
        );
        // An HTTP listener alone makes the engine run, and so needs the plate key.
        let http_only = format!("{CONFIG}camera_http_listen = \"127.0.0.1:9380\"\n")
            .replace("nodes = [31]\n", "")
            .replace("plate_key = \"/nonexistent/plate.key\"", "");
        let e = Config::parse(&http_only).unwrap_err().to_string();
        assert!(e.starts_with("sharing.plate_key"), "{e}");
    }

    #[tokio::test]
    async fn a_webhook_posted_over_http_reaches_the_engine_and_its_bad_reads_are_counted() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let config = Config::parse(CONFIG).unwrap();
        let metrics = Arc::new(Metrics::default());
        let mut pipeline = Pipeline::new(&config, metrics.clone());
        let key = PlateKey::from_bytes(&[3; 32]).unwrap();
        let mut engine = config.plates.build_engine(key.clone()).unwrap();
        engine
            .hotlist_mut()
            .insert(PlateDigest::of(&key, "AB123CD"));
        pipeline.set_plate_engine(engine);

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, mut rx) = tokio::sync::mpsc::channel(16);
        let (_stop, shutdown) = tokio::sync::watch::channel(false);
        tokio::spawn(crate::ingest::camera_http::serve(
            "kipoi".into(),
            listener,
            tx,
            metrics.clone(),
            shutdown,
        ));
        let now = crate::detect::rfc3339(crate::ingest::now_utc_ms() as f64 / 1000.0);
        // One good read of a listed plate, one outside the French alphabet, one without a
        // confidence.
        let body = format!(
            r#"{{"hook": {{"id": "lane1"}}, "data": {{"camera_id": "lane1", "timestamp": "{now}",
                "results": [{{"plate": "ab123cd", "score": 0.9, "region": {{"code": "fr"}}}},
                            {{"plate": "abЖ123", "score": 0.9, "region": {{"code": "fr"}}}},
                            {{"plate": "xy123zz", "region": {{"code": "fr"}}}}]}}}}"#
        );
        let client = tokio::spawn(async move {
            let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
            let request = format!(
                "POST /plates HTTP/1.1\r\nHost: agent\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            );
            stream.write_all(request.as_bytes()).await.unwrap();
            let mut answer = String::new();
            stream.read_to_string(&mut answer).await.unwrap();
            answer
        });
        // The pipeline task's part (run.rs): each read to the engine, the verdict back.
        let mut alerts = Vec::new();
        for _ in 0..3 {
            let m = rx.recv().await.unwrap();
            let (raised, taken) = pipeline.handle_camera_read(&m.checkpoint, &m.text, m.arrival_ms);
            alerts.extend(raised);
            m.verdict.unwrap().send(taken).unwrap();
        }
        let answer = client.await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 202"), "{answer}");
        assert!(
            answer.ends_with(r#"{"accepted":1,"rejected":2}"#),
            "{answer}"
        );
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!(alerts[0].kind.as_str(), "plate_hotlist");
        let stats = pipeline.plate_stats().unwrap();
        assert_eq!((stats.reads, stats.accepted), (3, 1));
        assert_eq!(stats.rejected_alphabet, 1);
        assert_eq!(stats.rejected_malformed, 1, "a read without a confidence");
    }

    #[test]
    fn a_camera_listener_must_be_an_address_of_its_own() {
        let with = |listen: &str, second: &str| {
            format!(
                "{CONFIG}camera_listen = \"{listen}\"\n[[plates.checkpoint]]\nid = \"b\"\n\
                 position = {{ lat = 40.9, lon = 26.3 }}\ncamera_listen = \"{second}\"\n"
            )
        };
        let ok = Config::parse(&with("0.0.0.0:9300", "0.0.0.0:9301")).unwrap();
        assert_eq!(ok.plates.camera_listeners().len(), 2);
        let e = Config::parse(&with("port 9300", "0.0.0.0:9301"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("plates.checkpoint[0].camera_listen"), "{e}");
        let e = Config::parse(&with("0.0.0.0:9300", "0.0.0.0:9300"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("plates.checkpoint[1].camera_listen"), "{e}");
        // A camera listener alone needs the plate key too.
        let cameras_only = with("0.0.0.0:9300", "0.0.0.0:9301")
            .replace("nodes = [31]\n", "")
            .replace("plate_key = \"/nonexistent/plate.key\"", "");
        let e = Config::parse(&cameras_only).unwrap_err().to_string();
        assert!(e.starts_with("sharing.plate_key"), "{e}");
    }

    #[test]
    fn plate_reader_nodes_need_the_plate_key_and_their_own_node_ids() {
        let without_key = CONFIG.replace("plate_key = \"/nonexistent/plate.key\"", "");
        let e = Config::parse(&without_key).unwrap_err().to_string();
        assert!(e.starts_with("sharing.plate_key"), "{e}");
        let clash = format!(
            "{CONFIG}[[ais_receiver]]\nnode_id = 31\nname = \"ais\"\n\
             position = {{ lat = 40.93, lon = 26.33 }}\nrange_m = 1000.0\n"
        );
        let e = Config::parse(&clash).unwrap_err().to_string();
        assert!(e.starts_with("plates.checkpoint[0].nodes"), "{e}");
    }
}
