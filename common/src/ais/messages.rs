//! Message layouts (ITU-R M.1371-5 Annex 8), field names as gpsd's AIS JSON.

use super::{AisBits, AisError, BitWriter};
use heapless::String;

/// Latitude sentinel: 91° in 1/10 000 minute.
const LAT_NOT_AVAILABLE: i32 = 91 * 600_000;
/// Longitude sentinel: 181° in 1/10 000 minute.
const LON_NOT_AVAILABLE: i32 = 181 * 600_000;

/// A decoded AIS message of a type this decoder knows.
#[derive(Debug, Clone, PartialEq)]
pub enum AisMessage {
    /// Types 1, 2, 3: class A position report.
    Position(PositionReport),
    /// Type 5: class A static and voyage related data.
    StaticVoyage(StaticVoyage),
}

impl AisMessage {
    /// Decodes a complete payload. Payloads whose length does not match their type are
    /// rejected, never guessed at.
    pub fn decode(bits: &AisBits) -> Result<Self, AisError> {
        match bits.msg_type().ok_or(AisError::Empty)? {
            1..=3 => PositionReport::decode(bits).map(AisMessage::Position),
            5 => StaticVoyage::decode(bits).map(AisMessage::StaticVoyage),
            other => Err(AisError::Unsupported(other)),
        }
    }

    /// Encodes the message into its payload bits.
    pub fn encode(&self) -> Result<AisBits, AisError> {
        match self {
            AisMessage::Position(m) => m.encode(),
            AisMessage::StaticVoyage(m) => m.encode(),
        }
    }

    /// The sender's MMSI.
    pub fn mmsi(&self) -> u32 {
        match self {
            AisMessage::Position(m) => m.mmsi,
            AisMessage::StaticVoyage(m) => m.mmsi,
        }
    }
}

fn check_len(bits: &AisBits, msg_type: u8, ok: impl Fn(usize) -> bool) -> Result<(), AisError> {
    if ok(bits.len()) {
        Ok(())
    } else {
        Err(AisError::WrongLength {
            msg_type,
            bits: bits.len(),
        })
    }
}

/// Class A position report (message types 1, 2 and 3), raw values in gpsd's unscaled units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PositionReport {
    /// 1 (scheduled), 2 (assigned scheduled) or 3 (special, response to interrogation).
    pub msg_type: u8,
    /// Repeat indicator, 0-3.
    pub repeat: u8,
    /// Maritime Mobile Service Identity.
    pub mmsi: u32,
    /// Navigational status, 0-15 (0 under way using engine, 1 at anchor, 15 not defined).
    pub status: u8,
    /// Rate of turn indicator ROT_AIS, -127..127; -128 not available.
    pub turn: i8,
    /// Speed over ground in 1/10 knot; 1023 not available, 1022 is 102.2 kn or more.
    pub speed: u16,
    /// Position accuracy flag: true for better than 10 m (DGNSS).
    pub accuracy: bool,
    /// Longitude in 1/10 000 minute, east positive; 181° not available.
    pub lon: i32,
    /// Latitude in 1/10 000 minute, north positive; 91° not available.
    pub lat: i32,
    /// Course over ground in 1/10 degree; 3600 not available.
    pub course: u16,
    /// True heading in degrees; 511 not available.
    pub heading: u16,
    /// UTC second of the position fix, 0-59; 60 not available, 61-63 special positioning
    /// modes.
    pub second: u8,
    /// Special manoeuvre indicator, 0-2.
    pub maneuver: u8,
    /// Receiver autonomous integrity monitoring in use.
    pub raim: bool,
    /// Communication state (SOTDMA/ITDMA radio status), 19 bits.
    pub radio: u32,
}

impl PositionReport {
    /// Payload length of types 1-3.
    pub const BITS: usize = 168;

    fn decode(bits: &AisBits) -> Result<Self, AisError> {
        let msg_type = bits.uint(0, 6) as u8;
        check_len(bits, msg_type, |n| n == Self::BITS)?;
        Ok(PositionReport {
            msg_type,
            repeat: bits.uint(6, 2) as u8,
            mmsi: bits.uint(8, 30),
            status: bits.uint(38, 4) as u8,
            turn: bits.int(42, 8) as i8,
            speed: bits.uint(50, 10) as u16,
            accuracy: bits.flag(60),
            lon: bits.int(61, 28),
            lat: bits.int(89, 27),
            course: bits.uint(116, 12) as u16,
            heading: bits.uint(128, 9) as u16,
            second: bits.uint(137, 6) as u8,
            maneuver: bits.uint(143, 2) as u8,
            raim: bits.flag(148),
            radio: bits.uint(149, 19),
        })
    }

    fn encode(&self) -> Result<AisBits, AisError> {
        let mut w = BitWriter::new();
        w.uint(u32::from(self.msg_type), 6)
            .uint(u32::from(self.repeat), 2)
            .uint(self.mmsi, 30)
            .uint(u32::from(self.status), 4)
            .int(i32::from(self.turn), 8)
            .uint(u32::from(self.speed), 10)
            .flag(self.accuracy)
            .int(self.lon, 28)
            .int(self.lat, 27)
            .uint(u32::from(self.course), 12)
            .uint(u32::from(self.heading), 9)
            .uint(u32::from(self.second), 6)
            .uint(u32::from(self.maneuver), 2)
            .uint(0, 3)
            .flag(self.raim)
            .uint(self.radio, 19);
        w.finish()
    }

    /// Latitude in degrees, if available and in range.
    pub fn lat_deg(&self) -> Option<f64> {
        (self.lat != LAT_NOT_AVAILABLE && self.lat.abs() <= 90 * 600_000)
            .then(|| f64::from(self.lat) / 600_000.0)
    }

    /// Longitude in degrees, if available and in range.
    pub fn lon_deg(&self) -> Option<f64> {
        (self.lon != LON_NOT_AVAILABLE && self.lon.abs() <= 180 * 600_000)
            .then(|| f64::from(self.lon) / 600_000.0)
    }

    /// Speed over ground in knots, if available.
    pub fn speed_knots(&self) -> Option<f64> {
        (self.speed < 1023).then(|| f64::from(self.speed) / 10.0)
    }

    /// Course over ground in degrees, if available.
    pub fn course_deg(&self) -> Option<f64> {
        (self.course < 3600).then(|| f64::from(self.course) / 10.0)
    }

    /// True heading in degrees, if available.
    pub fn heading_deg(&self) -> Option<f64> {
        (self.heading < 360).then(|| f64::from(self.heading))
    }

    /// Raw longitude and latitude fields (1/10 000 minute) of a position in degrees.
    pub fn raw_position(lat_deg: f64, lon_deg: f64) -> (i32, i32) {
        (
            libm::round(lon_deg * 600_000.0) as i32,
            libm::round(lat_deg * 600_000.0) as i32,
        )
    }
}

/// Class A static and voyage related data (message type 5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticVoyage {
    /// Repeat indicator, 0-3.
    pub repeat: u8,
    /// Maritime Mobile Service Identity.
    pub mmsi: u32,
    /// AIS version indicator, 0-3.
    pub ais_version: u8,
    /// IMO ship identification number; 0 not available.
    pub imo: u32,
    /// Call sign, up to 7 characters.
    pub callsign: String<7>,
    /// Ship name, up to 20 characters.
    pub shipname: String<20>,
    /// Type of ship and cargo, 0-255 as transmitted (reserved values kept).
    pub shiptype: u8,
    /// Distance from the reference point to the bow, metres.
    pub to_bow: u16,
    /// Distance from the reference point to the stern, metres.
    pub to_stern: u16,
    /// Distance from the reference point to port, metres.
    pub to_port: u8,
    /// Distance from the reference point to starboard, metres.
    pub to_starboard: u8,
    /// Type of position fixing device, 0-15.
    pub epfd: u8,
    /// ETA month, 1-12; 0 not available.
    pub month: u8,
    /// ETA day, 1-31; 0 not available.
    pub day: u8,
    /// ETA hour, 0-23; 24 not available.
    pub hour: u8,
    /// ETA minute, 0-59; 60 not available.
    pub minute: u8,
    /// Maximum present static draught in 1/10 metre.
    pub draught: u8,
    /// Destination, up to 20 characters.
    pub destination: String<20>,
    /// Data terminal equipment not ready.
    pub dte: bool,
}

impl StaticVoyage {
    /// Payload length of type 5.
    pub const BITS: usize = 424;

    fn decode(bits: &AisBits) -> Result<Self, AisError> {
        // Some class A transponders drop the final armour character's padding and send 420
        // bits; the four missing bits are the DTE flag and spare, which default to 0.
        check_len(bits, 5, |n| (420..=Self::BITS).contains(&n))?;
        Ok(StaticVoyage {
            repeat: bits.uint(6, 2) as u8,
            mmsi: bits.uint(8, 30),
            ais_version: bits.uint(38, 2) as u8,
            imo: bits.uint(40, 30),
            callsign: bits.text(70, 7),
            shipname: bits.text(112, 20),
            shiptype: bits.uint(232, 8) as u8,
            to_bow: bits.uint(240, 9) as u16,
            to_stern: bits.uint(249, 9) as u16,
            to_port: bits.uint(258, 6) as u8,
            to_starboard: bits.uint(264, 6) as u8,
            epfd: bits.uint(270, 4) as u8,
            month: bits.uint(274, 4) as u8,
            day: bits.uint(278, 5) as u8,
            hour: bits.uint(283, 5) as u8,
            minute: bits.uint(288, 6) as u8,
            draught: bits.uint(294, 8) as u8,
            destination: bits.text(302, 20),
            dte: bits.flag(422),
        })
    }

    fn encode(&self) -> Result<AisBits, AisError> {
        let mut w = BitWriter::new();
        w.uint(5, 6)
            .uint(u32::from(self.repeat), 2)
            .uint(self.mmsi, 30)
            .uint(u32::from(self.ais_version), 2)
            .uint(self.imo, 30)
            .text(&self.callsign, 7)
            .text(&self.shipname, 20)
            .uint(u32::from(self.shiptype), 8)
            .uint(u32::from(self.to_bow), 9)
            .uint(u32::from(self.to_stern), 9)
            .uint(u32::from(self.to_port), 6)
            .uint(u32::from(self.to_starboard), 6)
            .uint(u32::from(self.epfd), 4)
            .uint(u32::from(self.month), 4)
            .uint(u32::from(self.day), 5)
            .uint(u32::from(self.hour), 5)
            .uint(u32::from(self.minute), 6)
            .uint(u32::from(self.draught), 8)
            .text(&self.destination, 20)
            .flag(self.dte)
            .uint(0, 1);
        w.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(payload: &str, fill: u8) -> Result<AisMessage, AisError> {
        AisMessage::decode(&AisBits::from_armour(payload, fill)?)
    }

    /// gpsd test/sample.aivdm, first sentence, with `gpsdecode -u -j` values from
    /// sample.aivdm.ju.chk.
    #[test]
    fn a_real_type_1_decodes_to_gpsd_values() {
        let Ok(AisMessage::Position(m)) = decode("15RTgt0PAso;90TKcjM8h6g208CQ", 0) else {
            panic!("not a position report");
        };
        assert_eq!(m.msg_type, 1);
        assert_eq!(m.mmsi, 371798000);
        assert_eq!(m.status, 0);
        assert_eq!(m.turn, -127);
        assert_eq!(m.speed, 123);
        assert!(m.accuracy);
        assert_eq!(m.lon, -74_037_230);
        assert_eq!(m.lat, 29_028_980);
        assert_eq!(m.course, 2240);
        assert_eq!(m.heading, 215);
        assert_eq!(m.second, 33);
        assert_eq!(m.radio, 34017);
    }

    #[test]
    fn a_position_report_of_the_wrong_length_is_rejected() {
        assert_eq!(
            decode("15RTgt0PAso;90TKcjM8h6g208C", 0),
            Err(AisError::WrongLength {
                msg_type: 1,
                bits: 162
            })
        );
    }

    #[test]
    fn not_available_values_become_none() {
        let m = PositionReport {
            msg_type: 1,
            repeat: 0,
            mmsi: 1,
            status: 15,
            turn: -128,
            speed: 1023,
            accuracy: false,
            lon: LON_NOT_AVAILABLE,
            lat: LAT_NOT_AVAILABLE,
            course: 3600,
            heading: 511,
            second: 60,
            maneuver: 0,
            raim: false,
            radio: 0,
        };
        assert_eq!(m.lat_deg(), None);
        assert_eq!(m.lon_deg(), None);
        assert_eq!(m.speed_knots(), None);
        assert_eq!(m.course_deg(), None);
        assert_eq!(m.heading_deg(), None);
    }
}
