//! `ais_spoofing`: AIS that cannot be true.
//!
//! - `invalid_mmsi`: a position report (messages 1-3, class A) from a number no station that
//!   sends them may hold (ITU-R M.585-9: ship stations `MIDXXXXXX` with MID 201-775, craft
//!   associated with a parent ship `98MIDXXXX`, and AIS-SART / MOB / EPIRB-AIS devices
//!   `970XXYYYY` / `972XXYYYY` / `974XXYYYY` are the ones that do).
//! - `implausible_jump`: two reports of one MMSI further apart than a vessel could travel
//!   between them (over `max_speed_kn`).
//! - `duplicate_mmsi`: reports of one MMSI alternating between two places too far apart for
//!   the time between them: two transmitters share the number.
//! - `position_contradicted`: the radar track bound to a vessel no longer gates the position
//!   the vessel reports, by more than `contradiction_m` (the tracker's split), while radar
//!   holds the track: AIS says one place, radar sees the vessel at another.
//!
//! Each check on each MMSI is one situation: raised, updated on new evidence, cleared after
//! `quiet_s` without any. Per-MMSI state is bounded; the stalest are forgotten first,
//! counted.

use super::config::AisSpoofingConfig;
use super::lifecycle::{Draft, Seen, Situations};
use super::scene::{Context, Scene, identity_of_mmsi, usable};
use super::{Alert, AlertKind, rfc3339, round_to};
use crate::decode::{AisPosition, Time};
use crate::fuse::TrackId;
use crate::fuse::ais::KNOT_MPS;
use nalgebra::Vector2;
use serde_json::json;
use std::collections::BTreeMap;

/// A split proves a contradiction only if radar saw the track this recently, seconds (a few
/// scans of a coastal radar; older, the track is coasting on a guess).
const RADAR_HOLD_S: f64 = 30.0;

/// What an MMSI says about its station (ITU-R M.585-9 Annexes 1 and 2). `mid` is the
/// Maritime Identification Digits (the country).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MmsiKind {
    /// `MIDXXXXXX`: a ship station.
    Ship {
        /// MID.
        mid: u16,
    },
    /// `0MIDXXXXX`: a group of ship stations.
    Group {
        /// MID.
        mid: u16,
    },
    /// `00MIDXXXX`: a coast station (AIS base station).
    Coast {
        /// MID.
        mid: u16,
    },
    /// `111MIDXXX`: an aircraft taking part in search and rescue.
    SarAircraft {
        /// MID.
        mid: u16,
    },
    /// `8MIDXXXXX`: a handheld VHF with DSC and GNSS.
    Handheld {
        /// MID.
        mid: u16,
    },
    /// `98MIDXXXX`: a craft associated with a parent ship (tender, RIB, pilot boat).
    CraftAssociated {
        /// MID.
        mid: u16,
    },
    /// `99MIDXXXX`: an AIS aid to navigation.
    AidToNavigation {
        /// MID.
        mid: u16,
    },
    /// `970XXYYYY`: AIS search and rescue transmitter.
    Sart,
    /// `972XXYYYY`: man overboard device.
    ManOverboard,
    /// `974XXYYYY`: EPIRB with AIS locating signal.
    EpirbAis,
    /// `979XXYYYY`: autonomous maritime radio device.
    Amrd,
    /// Not a number ITU-R M.585 assigns; the reason.
    Invalid(&'static str),
}

/// MIDs are allocated from 201 to 775 (ITU-R M.585 / the ITU's MID table).
fn mid_ok(mid: u32) -> bool {
    (201..=775).contains(&mid)
}

/// What `mmsi` is, per ITU-R M.585-9, read as nine digits (leading zeros included).
pub fn classify_mmsi(mmsi: u32) -> MmsiKind {
    let with_mid = |mid: u32, kind: fn(u16) -> MmsiKind| {
        if mid_ok(mid) {
            // mid ≤ 775 fits a u16.
            kind(mid as u16)
        } else {
            MmsiKind::Invalid("its MID is not in 201-775")
        }
    };
    if mmsi > 999_999_999 {
        return MmsiKind::Invalid("it has more than 9 digits");
    }
    let d1 = mmsi / 100_000_000;
    match d1 {
        0 if mmsi / 10_000_000 == 0 => with_mid(mmsi / 10_000, |mid| MmsiKind::Coast { mid }),
        0 => with_mid(mmsi / 100_000, |mid| MmsiKind::Group { mid }),
        1 if mmsi / 1_000_000 == 111 => {
            with_mid((mmsi / 1000) % 1000, |mid| MmsiKind::SarAircraft { mid })
        }
        1 => MmsiKind::Invalid("no station's number begins with 1 but SAR aircraft's 111"),
        2..=7 => with_mid(mmsi / 1_000_000, |mid| MmsiKind::Ship { mid }),
        8 => with_mid((mmsi / 100_000) % 1000, |mid| MmsiKind::Handheld { mid }),
        _ => match mmsi / 1_000_000 {
            970 => MmsiKind::Sart,
            972 => MmsiKind::ManOverboard,
            974 => MmsiKind::EpirbAis,
            979 => MmsiKind::Amrd,
            980..=989 => with_mid((mmsi / 10_000) % 1000, |mid| MmsiKind::CraftAssociated {
                mid,
            }),
            990..=999 => with_mid((mmsi / 10_000) % 1000, |mid| MmsiKind::AidToNavigation {
                mid,
            }),
            _ => MmsiKind::Invalid("9-prefixed numbers are 970/972/974/979, 98MID and 99MID only"),
        },
    }
}

/// Why `mmsi` may not send a class A position report (messages 1-3), or `None` when it may.
pub fn position_report_mmsi_problem(mmsi: u32) -> Option<&'static str> {
    match classify_mmsi(mmsi) {
        MmsiKind::Ship { .. }
        | MmsiKind::CraftAssociated { .. }
        | MmsiKind::Sart
        | MmsiKind::ManOverboard
        | MmsiKind::EpirbAis => None,
        MmsiKind::Group { .. } => Some("it is a group call number (0MID), not a station"),
        MmsiKind::Coast { .. } => Some("it is a coast station's (00MID)"),
        MmsiKind::SarAircraft { .. } => {
            Some("it is a SAR aircraft's (111MID), which report with message 9")
        }
        MmsiKind::Handheld { .. } => Some("it is a handheld VHF's (8MID), which has no AIS"),
        MmsiKind::AidToNavigation { .. } => {
            Some("it is an aid to navigation's (99MID), which report with message 21")
        }
        MmsiKind::Amrd => Some("it is an autonomous maritime radio device's (979)"),
        MmsiKind::Invalid(why) => Some(why),
    }
}

/// Which check a situation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Check {
    /// A number no ship station may hold.
    InvalidMmsi,
    /// A jump no vessel could make.
    ImplausibleJump,
    /// Two places at once.
    DuplicateMmsi,
    /// AIS and radar disagree.
    PositionContradicted,
}

impl Check {
    fn as_str(self) -> &'static str {
        match self {
            Check::InvalidMmsi => "invalid_mmsi",
            Check::ImplausibleJump => "implausible_jump",
            Check::DuplicateMmsi => "duplicate_mmsi",
            Check::PositionContradicted => "position_contradicted",
        }
    }
}

/// One place an MMSI was heard from.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Fix {
    t: Time,
    position: Vector2<f64>,
    lat: f64,
    lon: f64,
}

impl Fix {
    /// Time and place, as the alert's evidence gives them.
    fn evidence(&self) -> serde_json::Value {
        json!({"time": rfc3339(self.t), "lat": round_to(self.lat, 1e-6), "lon": round_to(self.lon, 1e-6)})
    }
}

/// What is known of one MMSI's positions: where it was heard, and a second place when its
/// reports stopped fitting the first.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Vessel {
    a: Fix,
    b: Option<Fix>,
    /// Which place the latest report fitted: false `a`, true `b`.
    last_was_b: bool,
    /// Reports that went to the other place than the one before.
    alternations: u32,
    jumps: u32,
    last_seen: Time,
}

/// The rule and what it knows of each MMSI.
#[derive(Debug, Clone)]
pub struct AisSpoofingRule {
    config: AisSpoofingConfig,
    vessels: BTreeMap<u32, Vessel>,
    capacity: usize,
    evicted: u64,
    open: Situations<(u32, Check)>,
}

impl AisSpoofingRule {
    /// The rule, keeping at most `capacity` MMSIs (and as many open alerts).
    pub fn new(config: &AisSpoofingConfig, capacity: usize) -> Self {
        AisSpoofingRule {
            config: config.clone(),
            vessels: BTreeMap::new(),
            capacity,
            evicted: 0,
            open: Situations::new(AlertKind::AisSpoofing, capacity),
        }
    }

    /// Tracks whose AIS identity radar contradicts in an open `position_contradicted`
    /// situation: the vessel is there but says it is elsewhere, which is this rule's alert,
    /// not `dark_target`'s.
    pub fn contradicted_tracks(&self) -> std::collections::BTreeSet<TrackId> {
        self.open
            .iter()
            .filter(|((_, check), _)| *check == Check::PositionContradicted)
            .filter_map(|(_, alert)| alert.track_id)
            .collect()
    }

    /// Open alerts.
    pub fn open(&self) -> &Situations<(u32, Check)> {
        &self.open
    }

    /// MMSIs forgotten to stay within capacity.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// MMSIs known.
    pub fn vessels(&self) -> usize {
        self.vessels.len()
    }

    /// Whether a report at `fix` can follow `prev`.
    fn fits(&self, prev: &Fix, fix: &Fix) -> bool {
        let d = (fix.position - prev.position).norm();
        // AIS fix times are whole seconds: never divide by less than one.
        let dt = (fix.t - prev.t).abs().max(1.0);
        d <= self.config.min_jump_m || d / dt <= self.config.max_speed_kn * KNOT_MPS
    }

    /// Takes in a position report (`position` east/north in the local frame).
    pub fn observe(
        &mut self,
        ctx: &Context,
        report: &AisPosition,
        position: Vector2<f64>,
        picture: &crate::fuse::AisPicture,
        out: &mut Vec<Alert>,
    ) {
        let usable = report.t.is_finite() && position.x.is_finite() && position.y.is_finite();
        if !(self.config.enabled && usable) {
            return;
        }
        let mmsi = report.mmsi;
        let now = report.t;
        let fix = Fix {
            t: report.t,
            position,
            lat: report.lat_deg,
            lon: report.lon_deg,
        };
        if self.config.check_mmsi
            && let Some(why) = position_report_mmsi_problem(mmsi)
        {
            let seen = Seen { position, state: 0 };
            let draft = || Draft {
                severity: self.config.severity,
                // An open situation keeps its own first_seen.
                first_seen: now,
                position,
                track_id: None,
                identity: identity_of_mmsi(picture, mmsi),
                evidence: json!({
                    "check": Check::InvalidMmsi.as_str(),
                    "mmsi": mmsi,
                    "reason": format!("MMSI {mmsi:09} may not send a class A position report: {why}"),
                    "standard": "ITU-R M.585-9",
                }),
            };
            self.open.report(
                &ctx.issuer,
                (mmsi, Check::InvalidMmsi),
                seen,
                now,
                draft,
                out,
            );
        }

        let Some(v) = self.vessels.get(&mmsi).copied() else {
            self.vessels.insert(
                mmsi,
                Vessel {
                    a: fix,
                    b: None,
                    last_was_b: false,
                    alternations: 0,
                    jumps: 0,
                    last_seen: now,
                },
            );
            self.enforce_capacity(ctx, now, out);
            return;
        };
        let mut v = v;
        v.last_seen = v.last_seen.max(now);
        // A place not heard from for `quiet_s` is history: the other takes its role.
        if let Some(b) = v.b
            && now - v.a.t > self.config.quiet_s
        {
            v.a = b;
            v.b = None;
            v.last_was_b = false;
            v.alternations = 0;
        }
        if v.b.is_some_and(|b| now - b.t > self.config.quiet_s) {
            v.b = None;
            v.last_was_b = false;
            v.alternations = 0;
        }
        let fits_a = self.fits(&v.a, &fix);
        let fits_b = v.b.is_some_and(|b| self.fits(&b, &fix));
        if fits_a || fits_b {
            // Prefer the place it fits more closely when both would do.
            let to_b = fits_b
                && (!fits_a
                    || v.b.is_some_and(|b| {
                        (b.position - fix.position).norm() < (v.a.position - fix.position).norm()
                    }));
            if to_b != v.last_was_b && v.b.is_some() {
                v.alternations = v.alternations.saturating_add(1);
            }
            v.last_was_b = to_b;
            let place = if to_b { v.b.as_mut() } else { Some(&mut v.a) };
            if let Some(place) = place
                && fix.t >= place.t
            {
                *place = fix;
            }
            if let Some(b) = v.b
                && v.alternations >= 2
            {
                let d = (b.position - v.a.position).norm();
                let dt = (b.t - v.a.t).abs();
                let seen = Seen {
                    position: fix.position,
                    state: 0,
                };
                let draft = || Draft {
                    severity: self.config.severity,
                    // An open situation keeps its own first_seen.
                    first_seen: now,
                    position: fix.position,
                    track_id: None,
                    identity: identity_of_mmsi(picture, mmsi),
                    evidence: json!({
                        "check": Check::DuplicateMmsi.as_str(),
                        "mmsi": mmsi,
                        "places": [v.a.evidence(), b.evidence()],
                        "distance_m": round_to(d, 1.0),
                        "time_between_s": round_to(dt, 0.1),
                        "alternations": v.alternations,
                    }),
                };
                self.open.report(
                    &ctx.issuer,
                    (mmsi, Check::DuplicateMmsi),
                    seen,
                    now,
                    draft,
                    out,
                );
            }
        } else {
            // A jump from the place heard most recently.
            let from = match v.b {
                Some(b) if b.t > v.a.t => b,
                _ => v.a,
            };
            let d = (fix.position - from.position).norm();
            let dt = (fix.t - from.t).abs();
            v.jumps = v.jumps.saturating_add(1);
            let seen = Seen {
                position: fix.position,
                state: u64::from(v.jumps),
            };
            let draft = || Draft {
                severity: self.config.severity,
                // An open situation keeps its own first_seen.
                first_seen: now,
                position: fix.position,
                track_id: None,
                identity: identity_of_mmsi(picture, mmsi),
                evidence: json!({
                    "check": Check::ImplausibleJump.as_str(),
                    "mmsi": mmsi,
                    "from": from.evidence(),
                    "to": fix.evidence(),
                    "distance_m": round_to(d, 1.0),
                    "time_between_s": round_to(dt, 0.1),
                    "implied_speed_kn": round_to(d / dt.max(1.0) / KNOT_MPS, 0.1),
                    "max_speed_kn": self.config.max_speed_kn,
                    "jumps": v.jumps,
                }),
            };
            self.open.report(
                &ctx.issuer,
                (mmsi, Check::ImplausibleJump),
                seen,
                now,
                draft,
                out,
            );
            // The new place becomes the second one (replacing an older second place).
            v.b = Some(fix);
            v.last_was_b = true;
            v.alternations = 0;
        }
        self.vessels.insert(mmsi, v);
    }

    /// Forgets the stalest eighth of the MMSIs when over capacity.
    fn enforce_capacity(&mut self, ctx: &Context, now: Time, out: &mut Vec<Alert>) {
        if self.vessels.len() <= self.capacity {
            return;
        }
        let excess = self.vessels.len() - self.capacity;
        let n = excess.max(self.capacity / 8).min(self.vessels.len());
        let mut by_age: Vec<(Time, u32)> = self
            .vessels
            .iter()
            .map(|(m, v)| (v.last_seen, *m))
            .collect();
        by_age.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        for &(_, mmsi) in by_age.iter().take(n) {
            self.vessels.remove(&mmsi);
            for check in [Check::ImplausibleJump, Check::DuplicateMmsi] {
                self.open
                    .clear(&ctx.issuer, &(mmsi, check), None, "forgotten", now, out);
            }
        }
        self.evicted += n as u64;
    }

    /// The tracker split track `track` from vessel `mmsi`, `distance_m` apart: a
    /// contradiction when radar holds the track and they are far enough apart.
    pub fn on_split(
        &mut self,
        ctx: &Context,
        scene: &Scene<'_>,
        track: TrackId,
        mmsi: u32,
        distance_m: f64,
        out: &mut Vec<Alert>,
    ) {
        let far = distance_m >= self.config.contradiction_m;
        if !(self.config.enabled && far) {
            return;
        }
        let Some(t) = scene.track(track).filter(|t| usable(t)) else {
            return;
        };
        // Radar must have seen the track lately: an AIS-only track proves nothing.
        let Some(radar_t) = t
            .last_radar_update
            .filter(|r| scene.now - r <= RADAR_HOLD_S)
        else {
            return;
        };
        let reported = scene.picture.get(mmsi);
        let seen = Seen {
            position: t.estimate.position(),
            state: 0,
        };
        let draft = || Draft {
            severity: self.config.severity,
            // An open situation keeps its own first_seen.
            first_seen: scene.now,
            position: t.estimate.position(),
            track_id: Some(track),
            identity: identity_of_mmsi(scene.picture, mmsi),
            evidence: json!({
                "check": Check::PositionContradicted.as_str(),
                "mmsi": mmsi,
                "distance_m": round_to(distance_m, 1.0),
                "threshold_m": self.config.contradiction_m,
                "radar_seen": rfc3339(radar_t),
                "reported": reported.map(|r| json!({
                    "time": rfc3339(r.t),
                    "lat": round_to(r.lat_deg, 1e-6),
                    "lon": round_to(r.lon_deg, 1e-6),
                })),
                "track": ctx.track_evidence(t),
            }),
        };
        self.open.report(
            &ctx.issuer,
            (mmsi, Check::PositionContradicted),
            seen,
            scene.now,
            draft,
            out,
        );
    }

    /// Clears what has been quiet for `quiet_s`; forgets MMSIs not heard for as long.
    pub fn evaluate(&mut self, ctx: &Context, scene: &Scene<'_>, out: &mut Vec<Alert>) {
        let now = scene.now;
        let quiet = self.config.quiet_s;
        // A contradiction goes on, without new splits, for as long as radar still holds the
        // track and the vessel still reports from far away: the tracker split them once and
        // has nothing to split again.
        let ongoing: std::collections::BTreeSet<(u32, Check)> = self
            .open
            .iter()
            .filter(|((_, check), _)| *check == Check::PositionContradicted)
            .filter_map(|(&(mmsi, check), alert)| {
                let track = scene.track(alert.track_id?)?;
                let held = track
                    .last_radar_update
                    .is_some_and(|r| now - r <= RADAR_HOLD_S);
                let reported = scene.picture.get(mmsi)?;
                let heard = now - reported.t <= quiet;
                let apart = (reported.position - track.estimate.position()).norm();
                (held && heard && apart >= self.config.contradiction_m).then_some((mmsi, check))
            })
            .collect();
        self.open
            .clear_where(&ctx.issuer, now, out, |key, touched| {
                (now - touched >= quiet && !ongoing.contains(key)).then_some("quiet")
            });
        self.vessels.retain(|_, v| now - v.last_seen <= quiet);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::AlertState;
    use crate::detect::testkit::{T0, World, states};

    #[test]
    fn mmsis_are_classified_as_itu_r_m585_says() {
        let cases = [
            (239_123_000, MmsiKind::Ship { mid: 239 }),
            (201_000_001, MmsiKind::Ship { mid: 201 }),
            (775_999_999, MmsiKind::Ship { mid: 775 }),
            (776_000_001, MmsiKind::Invalid("its MID is not in 201-775")),
            (200_000_001, MmsiKind::Invalid("its MID is not in 201-775")),
            (23_912_300, MmsiKind::Group { mid: 239 }),
            (2_391_230, MmsiKind::Coast { mid: 239 }),
            (111_239_100, MmsiKind::SarAircraft { mid: 239 }),
            (823_912_345, MmsiKind::Handheld { mid: 239 }),
            (982_391_234, MmsiKind::CraftAssociated { mid: 239 }),
            (992_391_234, MmsiKind::AidToNavigation { mid: 239 }),
            (970_011_234, MmsiKind::Sart),
            (972_011_234, MmsiKind::ManOverboard),
            (974_011_234, MmsiKind::EpirbAis),
            (979_011_234, MmsiKind::Amrd),
        ];
        for (mmsi, want) in cases {
            assert_eq!(classify_mmsi(mmsi), want, "{mmsi:09}");
        }
        for bad in [
            0,
            123_456_789,
            111_111_111,
            999_999_999,
            1_000_000_000,
            u32::MAX,
            950_000_000,
            982_001_234,
        ] {
            assert!(
                matches!(classify_mmsi(bad), MmsiKind::Invalid(_)),
                "{bad}: {:?}",
                classify_mmsi(bad)
            );
        }
    }

    #[test]
    fn only_ships_their_craft_and_distress_devices_may_send_position_reports() {
        for ok in [
            239_123_000,
            982_391_234,
            970_011_234,
            972_011_234,
            974_011_234,
        ] {
            assert_eq!(position_report_mmsi_problem(ok), None, "{ok}");
        }
        for bad in [2_391_230, 23_912_300, 111_239_100, 992_391_234, 123_456_789] {
            assert!(position_report_mmsi_problem(bad).is_some(), "{bad}");
        }
    }

    fn rule() -> AisSpoofingRule {
        AisSpoofingRule::new(&AisSpoofingConfig::default(), 1000)
    }

    fn feed(
        w: &World,
        r: &mut AisSpoofingRule,
        t: f64,
        mmsi: u32,
        x: f64,
        y: f64,
        out: &mut Vec<Alert>,
    ) {
        let report = w.ais_report(T0 + t, mmsi, x, y, 10.0, 0.0);
        let p = super::super::ais_gap::local_position(&w.ctx, &report);
        r.observe(&w.ctx, &report, p, &w.picture, out);
    }

    #[test]
    fn a_position_report_from_an_invalid_mmsi_raises_once() {
        let w = World::new();
        let mut r = rule();
        let mut out = Vec::new();
        // At anchor: ten reports from one place, ten minutes apart at most.
        for k in 0..10 {
            feed(
                &w,
                &mut r,
                60.0 * f64::from(k),
                123_456_789,
                1000.0,
                0.0,
                &mut out,
            );
        }
        assert_eq!(
            states(&out, AlertKind::AisSpoofing),
            vec![(AlertState::Raised, 0)]
        );
        assert_eq!(out[0].evidence["check"], "invalid_mmsi");
        assert_eq!(out[0].identity.mmsi, Some(123_456_789));
    }

    #[test]
    fn a_vessel_moving_plausibly_raises_nothing() {
        let w = World::new();
        let mut r = rule();
        let mut out = Vec::new();
        // 30 kn with 20 m of GNSS noise alternating, reports every 2 s.
        for k in 0..100 {
            let noise = if k % 2 == 0 { 20.0 } else { -20.0 };
            feed(
                &w,
                &mut r,
                2.0 * f64::from(k),
                239_123_000,
                1000.0 + noise,
                30.0 * f64::from(k),
                &mut out,
            );
        }
        assert!(out.is_empty(), "{out:?}");
    }

    #[test]
    fn a_jump_faster_than_80_knots_raises_an_implausible_jump() {
        let w = World::new();
        let mut r = rule();
        let mut out = Vec::new();
        feed(&w, &mut r, 0.0, 239_123_000, 1000.0, 0.0, &mut out);
        feed(&w, &mut r, 10.0, 239_123_000, 1000.0, 50.0, &mut out);
        // 5 km in 10 s: ~970 kn.
        feed(&w, &mut r, 20.0, 239_123_000, 6000.0, 50.0, &mut out);
        feed(&w, &mut r, 30.0, 239_123_000, 6000.0, 100.0, &mut out);
        assert_eq!(
            states(&out, AlertKind::AisSpoofing),
            vec![(AlertState::Raised, 0)]
        );
        assert_eq!(out[0].evidence["check"], "implausible_jump");
        assert!(out[0].evidence["implied_speed_kn"].as_f64().unwrap() > 900.0);
        // Quiet for 10 minutes: cleared.
        let mut w = w;
        w.eval(T0 + 700.0, |ctx, scene| r.evaluate(ctx, scene, &mut out));
        assert_eq!(out.last().unwrap().state, AlertState::Cleared);
        assert_eq!(out.last().unwrap().evidence["cleared"]["reason"], "quiet");
    }

    #[test]
    fn one_mmsi_heard_alternately_at_two_places_is_a_duplicate() {
        let w = World::new();
        let mut r = rule();
        let mut out = Vec::new();
        for k in 0..12 {
            let x = if k % 2 == 0 { 1000.0 } else { 15_000.0 };
            feed(
                &w,
                &mut r,
                5.0 * f64::from(k),
                239_123_000,
                x,
                10.0 * f64::from(k),
                &mut out,
            );
        }
        let checks: Vec<&str> = out
            .iter()
            .filter(|a| a.state == AlertState::Raised)
            .map(|a| a.evidence["check"].as_str().unwrap())
            .collect();
        assert_eq!(
            checks,
            vec!["implausible_jump", "duplicate_mmsi"],
            "{out:?}"
        );
        let dup = out
            .iter()
            .find(|a| a.evidence["check"] == "duplicate_mmsi")
            .unwrap();
        assert!((dup.evidence["distance_m"].as_f64().unwrap() - 14_000.0).abs() < 200.0);
    }

    #[test]
    fn per_mmsi_memory_is_bounded_and_evictions_are_counted() {
        let w = World::new();
        let mut r = AisSpoofingRule::new(&AisSpoofingConfig::default(), 50);
        let mut out = Vec::new();
        for k in 0..500u32 {
            feed(
                &w,
                &mut r,
                f64::from(k),
                239_000_000 + k,
                1000.0,
                0.0,
                &mut out,
            );
        }
        assert!(r.vessels() <= 50);
        assert_eq!(r.evicted(), 500 - r.vessels() as u64);
    }

    #[test]
    fn a_split_far_from_a_radar_held_track_is_a_contradiction_and_a_near_one_is_not() {
        let mut w = World::new();
        let mut r = rule();
        let mut out = Vec::new();
        let mut splits = Vec::new();
        // A radar track bound to the vessel, then the vessel reports 3 km away.
        for k in 0..20u32 {
            let t = T0 + 2.0 * f64::from(k);
            let y = 10.0 * f64::from(k);
            w.radar(t, &[(5000.0, y)]);
            let report = w.ais_report(t + 1.0, 239_123_000, 5000.0, y + 5.0, 9.7, 0.0);
            w.ais(&report);
        }
        let t = T0 + 41.0;
        let report = w.ais_report(t, 239_123_000, 8000.0, 200.0, 9.7, 0.0);
        let rep = w.ais(&report);
        for e in &rep.ais {
            if let crate::fuse::AisEvent::Split {
                track,
                mmsi,
                distance_m,
            } = *e
            {
                splits.push((track, mmsi, distance_m));
            }
        }
        assert_eq!(splits.len(), 1, "{rep:?}");
        let (track, mmsi, d) = splits[0];
        w.eval(t, |ctx, scene| {
            r.on_split(ctx, scene, track, mmsi, 300.0, &mut out);
            assert!(out.is_empty(), "300 m is under the threshold");
            r.on_split(ctx, scene, track, mmsi, d, &mut out);
        });
        assert_eq!(
            states(&out, AlertKind::AisSpoofing),
            vec![(AlertState::Raised, 0)]
        );
        assert_eq!(out[0].evidence["check"], "position_contradicted");
        assert_eq!(out[0].track_id, Some(track));
    }
}
