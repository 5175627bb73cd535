//! An AIS transponder (ITU-R M.1371-5), class A or class B "CS", as an AIS receiver hears it:
//! NMEA `!AIVDM` sentences.
//!
//! What is modelled, and why:
//! - Class A position reports (message type 1) at the autonomous reporting interval of
//!   Annex 1 Table 1 for the vessel's speed: 3 min at anchor or moored (≤ 3 kn), 10 s at
//!   0–14 kn (3⅓ s while changing course), 6 s at 14–23 kn (2 s changing course), 2 s above
//!   23 kn. Class B CS position reports (type 18) at Annex 1 Table 2's: 3 min at 2 kn or
//!   less, 30 s above. The first report comes at a random phase within the first interval,
//!   as transponders switched on at different moments do.
//! - Static data right after switch-on and every 6 minutes: class A static and voyage data
//!   (type 5, two sentences sharing a sequential message id that cycles 0–9); class B static
//!   data report part A (type 24, the name), then part B (type, vendor, call sign,
//!   dimensions) [`CLASS_B_PART_B_DELAY_S`] later.
//! - Transmissions alternate between AIS channels A (161.975 MHz) and B (162.025 MHz), as
//!   SOTDMA does (and as CS units do too), except that a class B part B goes out on the
//!   channel of its part A, where receivers look for the pair (gpsd 3.22 pairs them per
//!   channel and drops a part B whose part A it did not hear on that channel).
//! - Positions carry GNSS noise (Gaussian, `gnss_sigma_m` on east and north) and are
//!   quantised to 1/10 000 minute like the message field; speed, course and heading are the
//!   truth, quantised to their fields (no current or leeway, so heading = course).
//! - A class A vessel that has stopped at its last waypoint reports navigational status 5
//!   (moored); under way it reports 0 (under way using engine).
//! - Switched off (`off_s`) a transponder sends nothing; switched on again (`on_s`) it starts
//!   over as at power-up.
//! - Spoofing (`spoof`): in its window every message carries the false MMSI, if one is set,
//!   and position reports the false position — a fixed one (sent as typed, speed 0, course
//!   not available) or the real fix shifted by the offsets. Only the messages lie: the vessel
//!   is heard from where it really is, and its reporting rate follows its real motion.

use crate::motion::Route;
use crate::scenario::{AisClass, AisTransponderSpec, SpoofSpec};
use borderfuse_common::ais::{
    AisMessage, ClassBPositionReport, PositionReport, StaticDataPart, StaticDataReport,
    StaticVoyage, Type24Reference, encode_sentences,
};
use borderfuse_common::geo::{Geodetic, LocalFrame};
use rand::Rng;
use rand_distr::StandardNormal;

/// Talker of the sentences a shore AIS receiver prints (`!AIVDM`).
pub const TALKER: &str = "AI";

/// Time from the start of a transmission to the receiver printing its sentence: the slot
/// itself (26.7 ms) plus the receiver's decoding.
pub const RECEPTION_LATENCY_S: f64 = 0.05;

/// Interval between static and voyage reports (message 5), ITU-R M.1371-5 Annex 1 §4.3.2.
pub const STATIC_REPORT_INTERVAL_S: f64 = 360.0;

/// Serial speed of a receiver's NMEA output (IEC 61162-2 high speed).
pub const RECEIVER_BAUD: f64 = 38_400.0;

/// The class A autonomous reporting interval, seconds (ITU-R M.1371-5 Annex 1 Table 1).
///
/// `moored` is "at anchor or moored"; such a ship moving faster than 3 kn reports like any
/// ship of its speed. Speed boundaries belong to the slower class (14 kn → 10 s).
pub fn reporting_interval_s(sog_kn: f64, changing_course: bool, moored: bool) -> f64 {
    if moored && sog_kn <= 3.0 {
        180.0
    } else if sog_kn <= 14.0 {
        if changing_course { 10.0 / 3.0 } else { 10.0 }
    } else if sog_kn <= 23.0 {
        if changing_course { 2.0 } else { 6.0 }
    } else {
        2.0
    }
}

/// One transmission of a transponder.
#[derive(Debug, Clone, PartialEq)]
pub struct Transmission {
    /// When it was sent (and, for a position report, the time of its position fix), seconds
    /// since the scenario start.
    pub t_s: f64,
    /// VHF channel, `'A'` or `'B'`.
    pub channel: char,
    /// The message.
    pub message: AisMessage,
    /// Its NMEA sentences, without line endings.
    pub sentences: Vec<String>,
    /// For a position report: the reported position (noisy and quantised, false while
    /// spoofing) in the local frame, metres east/north.
    pub reported_xy: Option<(f64, f64)>,
    /// Whether the message carries a false position or MMSI (the transponder's spoofing).
    pub spoofed: bool,
}

impl Transmission {
    /// The sentences as a receiver prints them: each followed by `"\r\n"`.
    pub fn nmea_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for s in &self.sentences {
            out.extend_from_slice(s.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out
    }
}

/// Typical hull dimensions and draught for a type of ship (the scenario does not carry them):
/// (to bow, to stern, to port, to starboard) in metres and draught in decimetres.
pub fn typical_dimensions(ship_type: u8) -> ((u16, u16, u8, u8), u8) {
    match ship_type {
        30 => ((14, 6, 3, 3), 25),           // fishing
        36 | 37 => ((8, 4, 2, 2), 20),       // sailing, pleasure craft
        40..=49 => ((28, 12, 5, 5), 18),     // high-speed craft
        50..=59 => ((22, 8, 4, 4), 30),      // pilot, SAR, tug, law enforcement, ...
        60..=69 => ((90, 30, 10, 10), 45),   // passenger
        70..=79 => ((120, 30, 12, 12), 80),  // cargo
        80..=89 => ((145, 35, 15, 15), 100), // tanker
        _ => ((18, 7, 3, 4), 20),            // other
    }
}

/// The class B "CS" (carrier-sense) autonomous reporting interval, seconds (ITU-R M.1371-5
/// Annex 1 Table 2): 3 min at 2 kn or less, 30 s above. Course changes do not shorten it.
pub fn class_b_reporting_interval_s(sog_kn: f64) -> f64 {
    if sog_kn <= 2.0 { 180.0 } else { 30.0 }
}

/// How long after a class B unit's static data part A its part B follows, seconds (ITU-R
/// M.1371-5 Annex 7 asks for it within a minute; units send it in the next free slot).
pub const CLASS_B_PART_B_DELAY_S: f64 = 1.0;

/// Communication state of a class B CS unit's type 18: selector 1 (ITDMA) and the fixed
/// state `1100000000000000110` that CS units send (ITU-R M.1371-5 Annex 7).
pub const CLASS_B_CS_RADIO: u32 = 0b1110_0000_0000_0000_0110;

/// The transponder's whole output over `[0, duration_s)`, in time order.
///
/// `rng` is the vessel's own stream (phase and GNSS noise); `other_stations` is the number of
/// other AIS stations the transponder hears (it goes into the SOTDMA communication state).
///
/// A transponder switched off (`off_s`) sends nothing from then on; switched on again
/// (`on_s`) it starts as at power-up: static data within a second, position reports at a
/// random phase. While spoofing, it sends the false position and/or MMSI of its
/// [`SpoofSpec`]; its reporting rate still follows the vessel's real motion.
pub fn transmissions<R: Rng>(
    spec: &AisTransponderSpec,
    route: &Route,
    frame: &LocalFrame,
    rng: &mut R,
    start_utc_ms: u64,
    duration_s: f64,
    other_stations: u32,
) -> Vec<Transmission> {
    let interval_at = |t: f64| match spec.class {
        AisClass::A => reporting_interval_s(
            route.state_at(t).speed_kn(),
            route.changing_course(t),
            route.arrived(t),
        ),
        AisClass::B => class_b_reporting_interval_s(route.state_at(t).speed_kn()),
    };

    let mut schedule: Vec<(f64, Kind)> = Vec::new();
    // The draws per period are in the same order for every transponder (position phase,
    // then static phase), so a scenario without off/on draws exactly what it always did.
    for (on, off) in on_periods(spec, duration_s) {
        // Position reports: each interval is set by the state at the previous report, but
        // (class A) a turn in between switches to the shortened interval from the moment it
        // starts, as the transponder's rate-of-turn / heading input triggers it.
        let mut t = on + rng.random::<f64>() * interval_at(on);
        while t < off {
            schedule.push((t, Kind::Position));
            let mut next = t + interval_at(t);
            if spec.class == AisClass::A
                && let Some(turn) = route.next_turn_between(t, next)
            {
                let speed = route.state_at(turn).speed_kn();
                next = next.min(turn.max(t + reporting_interval_s(speed, true, false)));
            }
            t = next;
        }
        // Static data shortly after switch-on, then every 6 minutes; a class B unit's part B
        // right after its part A.
        let mut t = on + rng.random::<f64>();
        while t < off {
            schedule.push((t, Kind::Static));
            let part_b = t + CLASS_B_PART_B_DELAY_S;
            if spec.class == AisClass::B && part_b < off {
                schedule.push((part_b, Kind::StaticPartB));
            }
            t += STATIC_REPORT_INTERVAL_S;
        }
    }
    schedule.sort_by(|a, b| a.0.total_cmp(&b.0));

    let mut out = Vec::with_capacity(schedule.len());
    let mut message_id = 0u8;
    let mut next_channel = 'A';
    let mut part_a_channel = 'A';
    for (t, kind) in schedule {
        // Channels alternate, except that a class B part B goes out on its part A's channel:
        // receivers pair the two parts per channel (gpsd does), and units send them so.
        let channel = if kind == Kind::StaticPartB {
            part_a_channel
        } else {
            let c = next_channel;
            next_channel = if c == 'A' { 'B' } else { 'A' };
            c
        };
        if kind == Kind::Static {
            part_a_channel = channel;
        }
        let spoof = active_spoof(spec, t);
        let mmsi = spoof.and_then(|s| s.mmsi).unwrap_or(spec.mmsi);
        let (message, reported_xy) = match (kind, spec.class) {
            (Kind::Position, class) => {
                let fix = position_fix(spec, route, frame, rng, start_utc_ms, t);
                let message = match class {
                    AisClass::A => AisMessage::Position(PositionReport {
                        msg_type: 1,
                        repeat: 0,
                        mmsi,
                        status: if route.arrived(t) { 5 } else { 0 },
                        // No rate-of-turn sensor: "not available" (the motion model turns
                        // instantly anyway).
                        turn: -128,
                        speed: fix.speed,
                        accuracy: fix.accuracy,
                        lon: fix.lon,
                        lat: fix.lat,
                        course: fix.course,
                        heading: fix.heading,
                        second: fix.second,
                        maneuver: 0,
                        raim: false,
                        radio: sotdma_state(fix.utc_ms, interval_at(t), other_stations),
                    }),
                    AisClass::B => AisMessage::ClassBPosition(ClassBPositionReport {
                        repeat: 0,
                        mmsi,
                        reserved: 0,
                        speed: fix.speed,
                        accuracy: fix.accuracy,
                        lon: fix.lon,
                        lat: fix.lat,
                        course: fix.course,
                        heading: fix.heading,
                        second: fix.second,
                        regional: 0,
                        // What a typical CS unit declares: carrier sense, no display, a DSC
                        // receiver, the whole marine band, channel management accepted.
                        cs: true,
                        display: false,
                        dsc: true,
                        band: true,
                        msg22: true,
                        assigned: false,
                        raim: false,
                        radio: CLASS_B_CS_RADIO,
                    }),
                };
                (message, Some(fix.reported_xy))
            }
            (Kind::Static, AisClass::A) => {
                let mut sv = static_voyage(spec, route, frame, start_utc_ms);
                sv.mmsi = mmsi;
                (AisMessage::StaticVoyage(sv), None)
            }
            (Kind::Static, AisClass::B) => (
                AisMessage::StaticData(StaticDataReport {
                    repeat: 0,
                    mmsi,
                    part: StaticDataPart::A {
                        shipname: truncated(&spec.shipname, 20).try_into().unwrap_or_default(),
                    },
                }),
                None,
            ),
            (Kind::StaticPartB, _) => (AisMessage::StaticData(static_part_b(spec, mmsi)), None),
        };
        let id = message_id;
        let sentences = match sentences(&message, channel, id) {
            Ok(s) => s,
            Err(e) => {
                // Cannot happen for the fixed-size messages built here; never worth a panic.
                tracing::error!(mmsi = spec.mmsi, error = %e, "AIS message not encodable; skipped");
                continue;
            }
        };
        if sentences.len() > 1 {
            message_id = (message_id + 1) % 10;
        }
        out.push(Transmission {
            t_s: t,
            channel,
            message,
            sentences,
            reported_xy,
            spoofed: spoof.is_some(),
        });
    }
    out
}

/// The intervals `[on, off)` in which the transponder is switched on.
fn on_periods(spec: &AisTransponderSpec, duration_s: f64) -> Vec<(f64, f64)> {
    let off = spec.off_s.map_or(duration_s, |off| off.min(duration_s));
    let mut periods = vec![(0.0, off)];
    if let (Some(_), Some(on)) = (spec.off_s, spec.on_s)
        && on > off
        && on < duration_s
    {
        periods.push((on, duration_s));
    }
    periods
}

/// The spoofing in force at `t`, if any.
fn active_spoof(spec: &AisTransponderSpec, t: f64) -> Option<&SpoofSpec> {
    spec.spoof
        .as_ref()
        .filter(|s| s.from_s <= t && s.until_s.is_none_or(|until| t < until))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Position,
    /// Type 5 (class A) or type 24 part A (class B).
    Static,
    /// Type 24 part B (class B).
    StaticPartB,
}

fn sentences(
    message: &AisMessage,
    channel: char,
    message_id: u8,
) -> Result<Vec<String>, borderfuse_common::ais::AisError> {
    let bits = message.encode()?;
    let mut lines = Vec::new();
    encode_sentences(&bits, TALKER, false, Some(channel), message_id, |l| {
        lines.push(l.to_string());
    })?;
    Ok(lines)
}

/// What a position report carries, in its fields' raw units.
struct Fix {
    lon: i32,
    lat: i32,
    speed: u16,
    course: u16,
    heading: u16,
    accuracy: bool,
    second: u8,
    utc_ms: u64,
    /// The reported position (noisy, maybe spoofed, quantised) back in the local frame.
    reported_xy: (f64, f64),
}

fn position_fix<R: Rng>(
    spec: &AisTransponderSpec,
    route: &Route,
    frame: &LocalFrame,
    rng: &mut R,
    start_utc_ms: u64,
    t: f64,
) -> Fix {
    let state = route.state_at(t);
    // Drawn whether used or not, so that spoofing does not shift later reports' noise.
    let ex: f64 = rng.sample::<f64, _>(StandardNormal) * spec.gnss_sigma_m;
    let ey: f64 = rng.sample::<f64, _>(StandardNormal) * spec.gnss_sigma_m;
    let spoof = active_spoof(spec, t);
    let (fix, moving) = match spoof {
        // A fixed false position: a stationary fake, sent as it was typed in.
        Some(SpoofSpec {
            position: Some(p), ..
        }) => (*p, false),
        // A shifted track: the real fix, noise and all, moved by the offsets.
        Some(s) => (
            frame.from_east_north(
                state.x + ex + s.offset_east_m,
                state.y + ey + s.offset_north_m,
                0.0,
            ),
            true,
        ),
        None => (frame.from_east_north(state.x + ex, state.y + ey, 0.0), true),
    };
    let (lon, lat) = PositionReport::raw_position(fix.lat_deg, fix.lon_deg);
    // What a receiver decodes: the quantised position, back in the local frame.
    let reported_xy = frame.to_east_north(Geodetic::new(
        f64::from(lat) / 600_000.0,
        f64::from(lon) / 600_000.0,
    ));
    let utc_ms = utc_at(start_utc_ms, t);
    let (speed, course) = if moving {
        (
            (state.speed_kn() * 10.0).round().min(1022.0) as u16,
            state
                .course_deg()
                .map_or(3600, |c| ((c * 10.0).round() as u16) % 3600),
        )
    } else {
        (0, 3600)
    };
    Fix {
        lon,
        lat,
        speed,
        course,
        heading: route
            .heading_deg(t)
            .map_or(511, |h| (h.round() as u16) % 360),
        // The flag means "better than 10 m" (DGNSS); 2.45 σ is the 95 % radius of a circular
        // Gaussian error.
        accuracy: 2.45 * spec.gnss_sigma_m <= 10.0,
        second: ((utc_ms / 1000) % 60) as u8,
        utc_ms,
        reported_xy,
    }
}

/// A class B unit's static data part B: type, vendor, call sign, dimensions.
fn static_part_b(spec: &AisTransponderSpec, mmsi: u32) -> StaticDataReport {
    let ((to_bow, to_stern, to_port, to_starboard), _) = typical_dimensions(spec.ship_type);
    let reference = if StaticDataReport::is_auxiliary(mmsi) {
        // The scenario names no mother ship: "not available".
        Type24Reference::Mothership(0)
    } else {
        Type24Reference::Dimensions {
            to_bow,
            to_stern,
            to_port,
            to_starboard,
        }
    };
    StaticDataReport {
        repeat: 0,
        mmsi,
        part: StaticDataPart::B {
            shiptype: spec.ship_type,
            vendorid: VENDOR_ID.try_into().unwrap_or_default(),
            model: 1,
            // A serial number of the unit, stable per transponder.
            serial: spec.mmsi & 0xf_ffff,
            callsign: truncated(&spec.callsign, 7).try_into().unwrap_or_default(),
            reference,
        },
    }
}

/// Manufacturer mnemonic of the simulated class B units ("borderfuse simulator").
pub const VENDOR_ID: &str = "BFS";

/// SOTDMA communication state (ITU-R M.1371-5 Annex 2 §3.3.7.2.2): sync state 0 (UTC direct),
/// a slot time-out counting down 7..0 once a frame (minute), and the sub-message that the
/// time-out selects: slot offset to the next report (0), UTC hour and minute (1), this slot's
/// number (2, 4, 6) or the number of stations received (3, 5, 7).
pub fn sotdma_state(utc_ms: u64, interval_s: f64, stations: u32) -> u32 {
    const SLOTS_PER_MINUTE: f64 = 2250.0;
    let minute = utc_ms / 60_000;
    let timeout = 7 - (minute % 8) as u32;
    let sub = match timeout {
        0 => (interval_s * SLOTS_PER_MINUTE / 60.0).round() as u32,
        1 => {
            let hour = ((utc_ms / 3_600_000) % 24) as u32;
            let min = (minute % 60) as u32;
            (hour << 9) | (min << 2)
        }
        2 | 4 | 6 => ((utc_ms % 60_000) as f64 / 60_000.0 * SLOTS_PER_MINUTE) as u32,
        _ => stations,
    };
    (timeout << 14) | (sub & 0x3fff)
}

fn static_voyage(
    spec: &AisTransponderSpec,
    route: &Route,
    frame: &LocalFrame,
    start_utc_ms: u64,
) -> StaticVoyage {
    let ((to_bow, to_stern, to_port, to_starboard), draught) = typical_dimensions(spec.ship_type);
    // The crew types a port name; the scenario has none, so the destination is where the
    // route ends, written as a position, and the ETA when the vessel gets there.
    let destination = route
        .points()
        .last()
        .map(|&(x, y)| position_text(frame.from_east_north(x, y, 0.0)))
        .unwrap_or_default();
    let arrival = route.arrival_s();
    let (month, day, hour, minute) = if arrival.is_finite() {
        let (_, month, day, hour, minute) = civil_utc(utc_at(start_utc_ms, arrival));
        (month, day, hour, minute)
    } else {
        (0, 0, 24, 60)
    };
    StaticVoyage {
        repeat: 0,
        mmsi: spec.mmsi,
        // 2: ITU-R M.1371-5.
        ais_version: 2,
        imo: 0,
        callsign: truncated(&spec.callsign, 7).try_into().unwrap_or_default(),
        shipname: truncated(&spec.shipname, 20).try_into().unwrap_or_default(),
        shiptype: spec.ship_type,
        to_bow,
        to_stern,
        to_port,
        to_starboard,
        // 1: GPS.
        epfd: 1,
        month,
        day,
        hour,
        minute,
        draught,
        destination: truncated(&destination, 20).try_into().unwrap_or_default(),
        dte: false,
    }
}

/// At most `max` bytes of `text`, cut at a character boundary (validated text is ASCII).
fn truncated(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// A position as AIS six-bit text, degrees and minutes to 0.1': `3744.3N 02705.0E`.
fn position_text(p: Geodetic) -> String {
    let part = |deg: f64, width: usize, pos: char, neg: char| {
        let tenths = (deg.abs() * 600.0).round() as u64;
        let (d, m) = (tenths / 600, tenths % 600);
        let hemi = if deg < 0.0 { neg } else { pos };
        format!("{d:0width$}{:02}.{}{hemi}", m / 10, m % 10)
    };
    format!(
        "{} {}",
        part(p.lat_deg, 2, 'N', 'S'),
        part(p.lon_deg, 3, 'E', 'W')
    )
}

/// UTC milliseconds at scenario time `t_s`.
pub fn utc_at(start_utc_ms: u64, t_s: f64) -> u64 {
    start_utc_ms.saturating_add_signed((t_s * 1000.0).round() as i64)
}

/// (year, month, day, hour, minute) of a Unix time in milliseconds (proleptic Gregorian).
fn civil_utc(utc_ms: u64) -> (i64, u8, u8, u8, u8) {
    let secs = (utc_ms / 1000) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // H. Hinnant's days_from_civil inverse.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        month,
        day,
        (rem / 3600) as u8,
        ((rem % 3600) / 60) as u8,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use borderfuse_common::ais::Reassembler;
    use borderfuse_common::nmea::{parse, parse_vdm};
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn spec() -> AisTransponderSpec {
        AisTransponderSpec {
            mmsi: 239_123_000,
            callsign: "SVA1234".into(),
            shipname: "AEGEAN STAR".into(),
            ship_type: 60,
            gnss_sigma_m: 3.0,
            class: crate::scenario::AisClass::A,
            off_s: None,
            on_s: None,
            spoof: None,
        }
    }

    fn decode_all(tx: &[Transmission]) -> Vec<AisMessage> {
        let mut r = Reassembler::<4>::new(10_000);
        let mut out = Vec::new();
        for t in tx {
            for line in &t.sentences {
                let s = parse(line).unwrap();
                if let Some(bits) = r.push(&parse_vdm(&s).unwrap(), 0).unwrap() {
                    out.push(AisMessage::decode(&bits).unwrap());
                }
            }
        }
        out
    }

    #[test]
    fn the_class_a_table_gives_the_interval_for_each_speed() {
        assert_eq!(reporting_interval_s(0.0, false, true), 180.0);
        assert_eq!(reporting_interval_s(5.0, false, true), 10.0);
        assert_eq!(reporting_interval_s(12.0, false, false), 10.0);
        assert_eq!(reporting_interval_s(14.0, true, false), 10.0 / 3.0);
        assert_eq!(reporting_interval_s(20.0, false, false), 6.0);
        assert_eq!(reporting_interval_s(20.0, true, false), 2.0);
        assert_eq!(reporting_interval_s(30.0, false, false), 2.0);
    }

    #[test]
    fn a_transponder_alternates_channels_and_cycles_message_ids() {
        let frame = LocalFrame::new(Geodetic::new(37.7, 27.0));
        let route = Route::from_points(vec![(0.0, 0.0), (0.0, 40_000.0)], 6.0);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let tx = transmissions(&spec(), &route, &frame, &mut rng, 0, 4_000.0, 0);
        for pair in tx.windows(2) {
            assert_ne!(pair[0].channel, pair[1].channel);
        }
        let ids: Vec<char> = tx
            .iter()
            .filter(|t| t.sentences.len() == 2)
            .map(|t| t.sentences[0].as_bytes()[11] as char)
            .collect();
        assert_eq!(ids.len(), 12);
        assert_eq!(
            ids[..11],
            ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '0']
        );
        assert_eq!(decode_all(&tx).len(), tx.len());
    }

    #[test]
    fn static_data_decodes_to_the_configured_identity() {
        let frame = LocalFrame::new(Geodetic::new(37.7, 27.0));
        let route = Route::from_points(vec![(0.0, 0.0), (1000.0, 1000.0)], 6.0);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let start = 1_767_225_600_000; // 2026-01-01T00:00:00Z
        let tx = transmissions(&spec(), &route, &frame, &mut rng, start, 60.0, 0);
        let Some(AisMessage::StaticVoyage(sv)) = decode_all(&tx)
            .into_iter()
            .find(|m| matches!(m, AisMessage::StaticVoyage(_)))
        else {
            panic!("no type 5");
        };
        assert_eq!(sv.mmsi, 239_123_000);
        assert_eq!(sv.callsign.as_str(), "SVA1234");
        assert_eq!(sv.shipname.as_str(), "AEGEAN STAR");
        assert_eq!(sv.shiptype, 60);
        assert_eq!((sv.to_bow, sv.to_stern), (90, 30));
        // 1414 m at 6 m/s: arrival 236 s after midnight.
        assert_eq!((sv.month, sv.day, sv.hour, sv.minute), (1, 1, 0, 3));
        assert!(sv.destination.as_str().ends_with('E'), "{}", sv.destination);
    }

    #[test]
    fn a_moored_vessel_reports_every_three_minutes_with_status_moored() {
        let frame = LocalFrame::new(Geodetic::new(37.7, 27.0));
        let route = Route::from_points(vec![(0.0, 0.0), (10.0, 0.0)], 5.0);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let tx = transmissions(&spec(), &route, &frame, &mut rng, 0, 1_000.0, 0);
        let times: Vec<f64> = tx
            .iter()
            .filter(|t| t.reported_xy.is_some())
            .map(|t| t.t_s)
            .collect();
        for pair in times.windows(2).skip(1) {
            assert!((pair[1] - pair[0] - 180.0).abs() < 1e-9, "{times:?}");
        }
        let Some(AisMessage::Position(p)) = tx.last().map(|t| t.message.clone()) else {
            panic!()
        };
        assert_eq!(p.status, 5);
        assert_eq!(p.speed, 0);
        assert_eq!(p.course, 3600);
        assert_eq!(p.heading, 90);
    }

    #[test]
    fn civil_time_matches_known_dates() {
        assert_eq!(civil_utc(0), (1970, 1, 1, 0, 0));
        assert_eq!(civil_utc(1_767_225_600_000 + 90_000), (2026, 1, 1, 0, 1));
        assert_eq!(civil_utc(951_782_400_000), (2000, 2, 29, 0, 0));
    }

    #[test]
    fn positions_are_written_as_degrees_and_minutes() {
        assert_eq!(
            position_text(Geodetic::new(37.73786, 27.08275)),
            "3744.3N 02705.0E"
        );
        assert_eq!(
            position_text(Geodetic::new(-0.5, -0.99999)),
            "0030.0S 00100.0W"
        );
    }

    #[test]
    fn the_communication_state_follows_the_slot_time_out() {
        // Minute 0 mod 8: time-out 7, received stations.
        assert_eq!(sotdma_state(0, 10.0, 3), (7 << 14) | 3);
        // Minute 7 mod 8: time-out 0, slot offset 10 s × 37.5 slots/s.
        assert_eq!(sotdma_state(7 * 60_000, 10.0, 3), 375);
    }
}
