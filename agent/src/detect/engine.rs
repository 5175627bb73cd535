//! All the rules together, as the pipeline drives them: AIS reports as they arrive, the
//! fused picture after every scan, and the clock once a second for the rules that watch for
//! silence.

use super::Alert;
use super::ais_gap::{AisClass, AisGapRule, local_position};
use super::ais_spoofing::AisSpoofingRule;
use super::config::{AreaConfig, RulesConfig};
use super::dark_target::DarkTargetRule;
use super::geometry::{self, LocalArea};
use super::lifecycle::Issuer;
use super::loitering::LoiteringRule;
use super::rendezvous::RendezvousRule;
use super::scene::{AisCoverage, Context, SceneIndex};
use super::zone::{Border, Zone, ZoneEntryRule};
use crate::config::ConfigError;
use crate::decode::{AisPosition, Time};
use crate::fuse::{AisEvent, AisPicture, Track};
use crate::metrics::RateLimit;
use borderfuse_common::geo::LocalFrame;
use serde::Serialize;
use std::time::Duration;

/// Most MMSIs each AIS rule keeps state for (as many as the AIS picture holds).
pub const MAX_VESSELS: usize = crate::fuse::ais::MAX_AIS_TARGETS;

/// Most alerts one rule keeps open; situations beyond are counted, not raised (a flood of
/// forged AIS must not exhaust memory or the outbox).
pub const MAX_OPEN_ALERTS: usize = 10_000;

/// Most pairs of tracks `rendezvous` follows at once.
pub const MAX_MEETINGS: usize = 100_000;

/// The picture is evaluated at most this often (data time), seconds. Every AIS report is a
/// scan of its receiver, and a busy strait sends hundreds a second: the rules need the
/// picture about once a radar scan, not once a report. Splits are judged at every scan.
pub const MIN_EVALUATION_INTERVAL_S: f64 = 0.5;

/// Counters of what the rules dropped, refused or forgot.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RuleStats {
    /// Alerts open now, all rules (gauge).
    pub open_alerts: u64,
    /// MMSIs the AIS rules forgot to stay within [`MAX_VESSELS`] (stalest first).
    pub vessels_evicted: u64,
    /// Situations not raised because their rule had [`MAX_OPEN_ALERTS`] open.
    pub alerts_refused: u64,
    /// Close pairs not followed because [`MAX_MEETINGS`] were.
    pub meetings_refused: u64,
    /// Zones, borders and ports that could not be read when the rules started (each logged
    /// as an error); their rule runs without them.
    pub zones_unavailable: u64,
    /// AIS reports the rules skipped for a non-finite time or a position that is not WGS-84.
    pub reports_skipped: u64,
}

/// The rules of a post.
#[derive(Debug)]
pub struct Rules {
    ctx: Context,
    index: SceneIndex,
    dark_target: DarkTargetRule,
    ais_gap: AisGapRule,
    ais_spoofing: AisSpoofingRule,
    zone_entry: ZoneEntryRule,
    loitering: LoiteringRule,
    rendezvous: RendezvousRule,
    zones_unavailable: u64,
    reports_skipped: u64,
    /// Latest evaluation time: evaluations never go back in time.
    now: Time,
    /// When the whole picture was last evaluated.
    evaluated: Time,
    /// Drops already logged.
    logged: RuleStats,
    log_limit: RateLimit,
}

/// Loads a list of areas, logging and counting those that cannot be read.
fn load_areas(
    list: &[AreaConfig],
    key: &str,
    frame: &LocalFrame,
    unavailable: &mut u64,
) -> Vec<LocalArea> {
    list.iter()
        .enumerate()
        .filter_map(|(i, a)| {
            let key = format!("{key}[{i}]");
            let loaded = a
                .source(&key)
                .and_then(|s| geometry::load_areas(&s, &key))
                .map(|lonlat| LocalArea::new(&a.name, &lonlat, frame));
            keep(loaded, unavailable)
        })
        .collect()
}

fn keep<T>(loaded: Result<T, ConfigError>, unavailable: &mut u64) -> Option<T> {
    match loaded {
        Ok(v) => Some(v),
        Err(e) => {
            // The config was validated at start-up: a file that changed or vanished since.
            *unavailable += 1;
            tracing::error!(error = %e, "zone unavailable; its rule runs without it");
            None
        }
    }
}

impl Rules {
    /// The rules of `config` for post `post` of `country`, in `frame`, with the post's AIS
    /// coverage and the tracker's sensor names (by sensor id, for evidence). Zones are read
    /// (again) here; one that cannot be read any more is logged, counted in
    /// [`RuleStats::zones_unavailable`] and left out.
    pub fn new(
        config: &RulesConfig,
        country: &str,
        post: &str,
        frame: LocalFrame,
        coverage: Vec<AisCoverage>,
        sensor_names: Vec<String>,
    ) -> Self {
        let mut unavailable = 0;
        let z = &config.zone_entry;
        let zones = z
            .zones
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let key = format!("rules.zone_entry.zones[{i}]");
                keep(Zone::load(c, &key, &frame), &mut unavailable)
            })
            .collect();
        let borders = z
            .borders
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let key = format!("rules.zone_entry.borders[{i}]");
                keep(Border::load(c, &key, &frame), &mut unavailable)
            })
            .collect();
        let loiter_zones = load_areas(
            &config.loitering.zones,
            "rules.loitering.zones",
            &frame,
            &mut unavailable,
        );
        let ports = load_areas(
            &config.rendezvous.ports,
            "rules.rendezvous.ports",
            &frame,
            &mut unavailable,
        );
        Rules {
            ctx: Context {
                issuer: Issuer::new(
                    country,
                    post,
                    frame,
                    config.update_interval_s,
                    config.update_distance_m,
                ),
                coverage,
                sensor_names,
            },
            index: SceneIndex::default(),
            dark_target: DarkTargetRule::new(
                &config.dark_target,
                config.ais_gap.enabled,
                MAX_OPEN_ALERTS,
            ),
            ais_gap: AisGapRule::new(&config.ais_gap, MAX_VESSELS),
            ais_spoofing: AisSpoofingRule::new(&config.ais_spoofing, MAX_VESSELS),
            zone_entry: ZoneEntryRule::new(z, zones, borders, MAX_OPEN_ALERTS),
            loitering: LoiteringRule::new(&config.loitering, loiter_zones, MAX_OPEN_ALERTS),
            rendezvous: RendezvousRule::new(&config.rendezvous, ports, MAX_MEETINGS),
            zones_unavailable: unavailable,
            reports_skipped: 0,
            now: f64::NEG_INFINITY,
            evaluated: f64::NEG_INFINITY,
            logged: RuleStats::default(),
            log_limit: RateLimit::new(Duration::from_secs(10)),
        }
    }

    /// What the rules dropped, refused or forgot, and how many alerts are open.
    pub fn stats(&self) -> RuleStats {
        RuleStats {
            open_alerts: (self.dark_target.open().len()
                + self.ais_gap.open().len()
                + self.ais_spoofing.open().len()
                + self.zone_entry.open().len()
                + self.loitering.open().len()
                + self.rendezvous.open().len()) as u64,
            vessels_evicted: self.ais_gap.evicted() + self.ais_spoofing.evicted(),
            alerts_refused: self.dark_target.open().refused()
                + self.ais_gap.open().refused()
                + self.ais_spoofing.open().refused()
                + self.zone_entry.open().refused()
                + self.loitering.open().refused()
                + self.rendezvous.open().refused(),
            meetings_refused: self.rendezvous.refused(),
            zones_unavailable: self.zones_unavailable,
            reports_skipped: self.reports_skipped,
        }
    }

    /// Takes in an AIS position report of a station of `class` as it arrives (after the
    /// picture took it, so identities are current).
    pub fn observe_ais(
        &mut self,
        report: &AisPosition,
        class: AisClass,
        picture: &AisPicture,
        out: &mut Vec<Alert>,
    ) {
        let valid = report.t.is_finite()
            && borderfuse_common::geo::Geodetic::new(report.lat_deg, report.lon_deg).is_valid();
        let position = local_position(&self.ctx, report);
        if !(valid && position.x.is_finite() && position.y.is_finite()) {
            self.reports_skipped += 1;
            self.log_drops();
            return;
        }
        self.ais_gap
            .observe(&self.ctx, report, class, position, out);
        self.ais_spoofing
            .observe(&self.ctx, report, position, picture, out);
        self.log_drops();
    }

    /// Moves the rules' clock forward to `now` (never back, ignoring a non-finite `now`);
    /// whether there is a clock to run the rules at.
    fn advance(&mut self, now: Time) -> bool {
        if now.is_finite() {
            self.now = self.now.max(now);
        }
        self.now.is_finite()
    }

    /// Runs every rule on the picture after a scan at `now` (at most every
    /// [`MIN_EVALUATION_INTERVAL_S`]), with the AIS events of that scan (always).
    pub fn after_scan(
        &mut self,
        now: Time,
        tracks: &[Track],
        events: &[AisEvent],
        picture: &AisPicture,
        out: &mut Vec<Alert>,
    ) {
        if !self.advance(now) {
            return;
        }
        let scene = self.index.scene(self.now, tracks, picture);
        for event in events {
            if let AisEvent::Split {
                track,
                mmsi,
                distance_m,
            } = *event
            {
                self.ais_spoofing
                    .on_split(&self.ctx, &scene, track, mmsi, distance_m, out);
            }
        }
        let due = self.now - self.evaluated >= MIN_EVALUATION_INTERVAL_S;
        if !due {
            self.log_drops();
            return;
        }
        self.evaluated = self.now;
        let contradicted = self.ais_spoofing.contradicted_tracks();
        self.dark_target
            .evaluate(&self.ctx, &scene, &contradicted, out);
        self.ais_gap.evaluate(&self.ctx, &scene, out);
        self.ais_spoofing.evaluate(&self.ctx, &scene, out);
        self.zone_entry.evaluate(&self.ctx, &scene, out);
        self.loitering.evaluate(&self.ctx, &scene, out);
        self.rendezvous.evaluate(&self.ctx, &scene, out);
        self.log_drops();
    }

    /// Runs the rules that watch for silence (`ais_gap`, and the clearing of quiet
    /// `ais_spoofing` alerts) at `now`: when nothing arrives, no scan triggers them.
    pub fn tick(
        &mut self,
        now: Time,
        tracks: &[Track],
        picture: &AisPicture,
        out: &mut Vec<Alert>,
    ) {
        if !self.advance(now) {
            return;
        }
        let scene = self.index.scene(self.now, tracks, picture);
        self.ais_gap.evaluate(&self.ctx, &scene, out);
        self.ais_spoofing.evaluate(&self.ctx, &scene, out);
        self.log_drops();
    }

    /// Logs new drops, at a rate limit.
    fn log_drops(&mut self) {
        let s = self.stats();
        let l = self.logged;
        if (
            s.vessels_evicted,
            s.alerts_refused,
            s.meetings_refused,
            s.reports_skipped,
        ) == (
            l.vessels_evicted,
            l.alerts_refused,
            l.meetings_refused,
            l.reports_skipped,
        ) {
            return;
        }
        if let Some(more) = self.log_limit.check() {
            tracing::warn!(
                vessels_evicted = s.vessels_evicted - l.vessels_evicted,
                alerts_refused = s.alerts_refused - l.alerts_refused,
                meetings_refused = s.meetings_refused - l.meetings_refused,
                reports_skipped = s.reports_skipped - l.reports_skipped,
                more,
                "rules dropped state or situations to stay within their bounds"
            );
            self.logged = s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::testkit::T0;
    use borderfuse_common::geo::Geodetic;
    use proptest::prelude::*;

    fn rules() -> Rules {
        let frame = LocalFrame::new(Geodetic::new(37.7, 27.0));
        let coverage = vec![AisCoverage {
            name: "ais".into(),
            position: nalgebra::Vector2::zeros(),
            range_m: 40_000.0,
        }];
        Rules::new(
            &RulesConfig::default(),
            "GR",
            "unit",
            frame,
            coverage,
            vec!["radar".into(), "ais".into()],
        )
    }

    fn report(t: f64, mmsi: u32, lat: f64, lon: f64, speed: Option<f64>) -> AisPosition {
        AisPosition {
            t,
            t_received: t,
            receiver: 0,
            mmsi,
            lat_deg: lat,
            lon_deg: lon,
            speed_kn: speed,
            course_deg: speed.map(|s| s * 7.0),
            heading_deg: None,
            accuracy: false,
            class: crate::decode::AisClass::A,
        }
    }

    #[test]
    fn reports_that_are_not_wgs84_are_skipped_and_counted() {
        let mut r = rules();
        let picture = AisPicture::new();
        let mut out = Vec::new();
        for (t, lat, lon) in [
            (f64::NAN, 37.7, 27.0),
            (T0, f64::NAN, 27.0),
            (T0, 97.0, 27.0),
            (T0, 37.7, f64::INFINITY),
        ] {
            r.observe_ais(
                &report(t, 239_123_000, lat, lon, None),
                AisClass::A,
                &picture,
                &mut out,
            );
        }
        assert!(out.is_empty());
        assert_eq!(r.stats().reports_skipped, 4);
    }

    #[test]
    fn the_picture_is_evaluated_at_most_every_half_second_but_the_clock_goes_on() {
        let mut r = rules();
        let picture = AisPicture::new();
        let mut out = Vec::new();
        r.after_scan(T0, &[], &[], &picture, &mut out);
        assert_eq!(r.evaluated, T0);
        r.after_scan(T0 + 0.2, &[], &[], &picture, &mut out);
        assert_eq!((r.evaluated, r.now), (T0, T0 + 0.2));
        r.after_scan(T0 + 0.6, &[], &[], &picture, &mut out);
        assert_eq!(r.evaluated, T0 + 0.6);
        // Time never goes back.
        r.after_scan(T0, &[], &[], &picture, &mut out);
        assert_eq!(r.now, T0 + 0.6);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn odd_ais_input_never_panics_and_every_alert_is_finite(
            reports in proptest::collection::vec(
                (
                    prop_oneof![Just(f64::NAN), Just(f64::INFINITY), -1e12..1e12f64, 0.0..600.0f64],
                    any::<u32>(),
                    prop_oneof![Just(f64::NAN), -200.0..200.0f64, 37.5..37.9f64],
                    prop_oneof![Just(f64::NAN), -400.0..400.0f64, 26.8..27.2f64],
                    proptest::option::of(prop_oneof![Just(f64::NAN), Just(-1.0), 0.0..120.0f64]),
                ),
                0..60,
            ),
            ticks in proptest::collection::vec(prop_oneof![Just(f64::NAN), 0.0..10_000.0f64], 0..10),
        ) {
            let mut r = rules();
            let picture = AisPicture::new();
            let mut out = Vec::new();
            for (dt, mmsi, lat, lon, speed) in reports {
                // Times near T0 mostly, so that reports meet each other.
                let t = if dt.abs() <= 600.0 { T0 + dt } else { dt };
                r.observe_ais(&report(t, mmsi, lat, lon, speed), AisClass::A, &picture, &mut out);
            }
            for dt in ticks {
                r.tick(T0 + dt, &[], &picture, &mut out);
                r.after_scan(T0 + dt, &[], &[], &picture, &mut out);
            }
            for a in &out {
                prop_assert!(a.lat.is_finite() && a.lon.is_finite(), "{a:?}");
                prop_assert!(a.time.is_finite() && a.raised.is_finite());
                prop_assert!(a.evidence.is_object());
            }
        }
    }
}
