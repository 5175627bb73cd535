//! Position reports: class A (1-3), base station and UTC response (4, 11), SAR aircraft (9),
//! class B (18, 19), long range (27).

use super::legends::{epfd_text, nav_status_text, ship_type_text};
use super::{check_len, header, lat_deg, lat_deg_tenth_minute, lon_deg, lon_deg_tenth_minute};
use crate::ais::json::JsonObject;
use crate::ais::{AisBits, AisError};
use core::fmt::Write;
use heapless::String;

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

    pub(super) fn decode(bits: &AisBits) -> Result<Self, AisError> {
        // gpsd 3.22 also takes 163-167 bits, reading the communication state's missing low
        // bits as zeros: a guessed radio field, rejected here.
        check_len(bits, bits.len() >= Self::BITS)?;
        Ok(PositionReport {
            msg_type: bits.uint(0, 6) as u8,
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

    pub(super) fn encode(&self) -> Result<AisBits, AisError> {
        let mut w = header(self.msg_type, self.repeat, self.mmsi);
        w.uint(u32::from(self.status), 4)
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

    pub(super) fn write_json<W: Write>(&self, o: &mut JsonObject<'_, W>) {
        o.uint("status", self.status.into())
            .str("status_text", nav_status_text(self.status))
            .int("turn", self.turn.into())
            .uint("speed", self.speed.into())
            .bool("accuracy", self.accuracy)
            .int("lon", self.lon.into())
            .int("lat", self.lat.into())
            .uint("course", self.course.into())
            .uint("heading", self.heading.into())
            .uint("second", self.second.into())
            .uint("maneuver", self.maneuver.into())
            .bool("raim", self.raim)
            .uint("radio", self.radio.into());
    }

    /// Latitude in degrees, if available and in range.
    pub fn lat_deg(&self) -> Option<f64> {
        lat_deg(self.lat)
    }

    /// Longitude in degrees, if available and in range.
    pub fn lon_deg(&self) -> Option<f64> {
        lon_deg(self.lon)
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

/// Base station report (type 4) or UTC/date response (type 11): the station's UTC and
/// position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BaseStationReport {
    /// 4 (base station report) or 11 (UTC/date response).
    pub msg_type: u8,
    /// Repeat indicator, 0-3.
    pub repeat: u8,
    /// Maritime Mobile Service Identity.
    pub mmsi: u32,
    /// UTC year, 1-9999; 0 not available.
    pub year: u16,
    /// UTC month, 1-12; 0 not available.
    pub month: u8,
    /// UTC day, 1-31; 0 not available.
    pub day: u8,
    /// UTC hour, 0-23; 24 not available.
    pub hour: u8,
    /// UTC minute, 0-59; 60 not available.
    pub minute: u8,
    /// UTC second, 0-59; 60 not available.
    pub second: u8,
    /// Position accuracy flag: true for better than 10 m.
    pub accuracy: bool,
    /// Longitude in 1/10 000 minute; 181° not available.
    pub lon: i32,
    /// Latitude in 1/10 000 minute; 91° not available.
    pub lat: i32,
    /// Type of electronic position fixing device, 0-15.
    pub epfd: u8,
    /// Receiver autonomous integrity monitoring in use.
    pub raim: bool,
    /// Communication state (SOTDMA), 19 bits.
    pub radio: u32,
}

impl BaseStationReport {
    /// Payload length of types 4 and 11.
    pub const BITS: usize = 168;

    pub(super) fn decode(bits: &AisBits) -> Result<Self, AisError> {
        check_len(bits, bits.len() >= Self::BITS)?;
        Ok(BaseStationReport {
            msg_type: bits.uint(0, 6) as u8,
            repeat: bits.uint(6, 2) as u8,
            mmsi: bits.uint(8, 30),
            year: bits.uint(38, 14) as u16,
            month: bits.uint(52, 4) as u8,
            day: bits.uint(56, 5) as u8,
            hour: bits.uint(61, 5) as u8,
            minute: bits.uint(66, 6) as u8,
            second: bits.uint(72, 6) as u8,
            accuracy: bits.flag(78),
            lon: bits.int(79, 28),
            lat: bits.int(107, 27),
            epfd: bits.uint(134, 4) as u8,
            raim: bits.flag(148),
            radio: bits.uint(149, 19),
        })
    }

    pub(super) fn encode(&self) -> Result<AisBits, AisError> {
        let mut w = header(self.msg_type, self.repeat, self.mmsi);
        w.uint(u32::from(self.year), 14)
            .uint(u32::from(self.month), 4)
            .uint(u32::from(self.day), 5)
            .uint(u32::from(self.hour), 5)
            .uint(u32::from(self.minute), 6)
            .uint(u32::from(self.second), 6)
            .flag(self.accuracy)
            .int(self.lon, 28)
            .int(self.lat, 27)
            .uint(u32::from(self.epfd), 4)
            .uint(0, 10)
            .flag(self.raim)
            .uint(self.radio, 19);
        w.finish()
    }

    pub(super) fn write_json<W: Write>(&self, o: &mut JsonObject<'_, W>) {
        // gpsd prints the fields as they are, out-of-range values included: "%04u-%02u-..."
        o.str_fmt(
            "timestamp",
            format_args!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                self.year, self.month, self.day, self.hour, self.minute, self.second
            ),
        )
        .bool("accuracy", self.accuracy)
        .int("lon", self.lon.into())
        .int("lat", self.lat.into())
        .uint("epfd", self.epfd.into())
        .str("epfd_text", epfd_text(self.epfd))
        .bool("raim", self.raim)
        .uint("radio", self.radio.into());
    }

    /// Latitude in degrees, if available and in range.
    pub fn lat_deg(&self) -> Option<f64> {
        lat_deg(self.lat)
    }

    /// Longitude in degrees, if available and in range.
    pub fn lon_deg(&self) -> Option<f64> {
        lon_deg(self.lon)
    }
}

/// Standard SAR aircraft position report (type 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SarAircraftReport {
    /// Repeat indicator, 0-3.
    pub repeat: u8,
    /// Maritime Mobile Service Identity.
    pub mmsi: u32,
    /// Altitude (GNSS) in metres; 4095 not available, 4094 is 4094 m or higher.
    pub alt: u16,
    /// Speed over ground in knots; 1023 not available, 1022 is 1022 kn or more.
    pub speed: u16,
    /// Position accuracy flag: true for better than 10 m.
    pub accuracy: bool,
    /// Longitude in 1/10 000 minute; 181° not available.
    pub lon: i32,
    /// Latitude in 1/10 000 minute; 91° not available.
    pub lat: i32,
    /// Course over ground in 1/10 degree; 3600 not available.
    pub course: u16,
    /// UTC second of the fix, 0-59; 60 not available, 61-63 special modes.
    pub second: u8,
    /// Eight bits gpsd calls regional: ITU-R M.1371-5's altitude sensor flag (top bit) and
    /// seven spare bits.
    pub regional: u8,
    /// Data terminal equipment not ready.
    pub dte: bool,
    /// Station in assigned mode.
    pub assigned: bool,
    /// Receiver autonomous integrity monitoring in use.
    pub raim: bool,
    /// Communication state selector and state (SOTDMA or ITDMA), 20 bits.
    pub radio: u32,
}

impl SarAircraftReport {
    /// Payload length of type 9.
    pub const BITS: usize = 168;

    pub(super) fn decode(bits: &AisBits) -> Result<Self, AisError> {
        check_len(bits, bits.len() >= Self::BITS)?;
        Ok(SarAircraftReport {
            repeat: bits.uint(6, 2) as u8,
            mmsi: bits.uint(8, 30),
            alt: bits.uint(38, 12) as u16,
            speed: bits.uint(50, 10) as u16,
            accuracy: bits.flag(60),
            lon: bits.int(61, 28),
            lat: bits.int(89, 27),
            course: bits.uint(116, 12) as u16,
            second: bits.uint(128, 6) as u8,
            regional: bits.uint(134, 8) as u8,
            dte: bits.flag(142),
            assigned: bits.flag(146),
            raim: bits.flag(147),
            radio: bits.uint(148, 20),
        })
    }

    pub(super) fn encode(&self) -> Result<AisBits, AisError> {
        let mut w = header(9, self.repeat, self.mmsi);
        w.uint(u32::from(self.alt), 12)
            .uint(u32::from(self.speed), 10)
            .flag(self.accuracy)
            .int(self.lon, 28)
            .int(self.lat, 27)
            .uint(u32::from(self.course), 12)
            .uint(u32::from(self.second), 6)
            .uint(u32::from(self.regional), 8)
            .flag(self.dte)
            .uint(0, 3)
            .flag(self.assigned)
            .flag(self.raim)
            .uint(self.radio, 20);
        w.finish()
    }

    pub(super) fn write_json<W: Write>(&self, o: &mut JsonObject<'_, W>) {
        o.uint("alt", self.alt.into())
            .uint("speed", self.speed.into())
            .bool("accuracy", self.accuracy)
            .int("lon", self.lon.into())
            .int("lat", self.lat.into())
            .uint("course", self.course.into())
            .uint("second", self.second.into())
            .uint("regional", self.regional.into())
            .uint("dte", self.dte.into())
            .bool("raim", self.raim)
            .uint("radio", self.radio.into());
    }

    /// Altitude in metres, if available.
    pub fn altitude_m(&self) -> Option<f64> {
        (self.alt < 4095).then(|| f64::from(self.alt))
    }

    /// Speed over ground in knots, if available.
    pub fn speed_knots(&self) -> Option<f64> {
        (self.speed < 1023).then(|| f64::from(self.speed))
    }

    /// Course over ground in degrees, if available.
    pub fn course_deg(&self) -> Option<f64> {
        (self.course < 3600).then(|| f64::from(self.course) / 10.0)
    }

    /// Latitude in degrees, if available and in range.
    pub fn lat_deg(&self) -> Option<f64> {
        lat_deg(self.lat)
    }

    /// Longitude in degrees, if available and in range.
    pub fn lon_deg(&self) -> Option<f64> {
        lon_deg(self.lon)
    }
}

/// Standard class B equipment position report (type 18).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClassBPositionReport {
    /// Repeat indicator, 0-3.
    pub repeat: u8,
    /// Maritime Mobile Service Identity.
    pub mmsi: u32,
    /// Eight bits reserved for regional or local applications.
    pub reserved: u8,
    /// Speed over ground in 1/10 knot; 1023 not available.
    pub speed: u16,
    /// Position accuracy flag: true for better than 10 m.
    pub accuracy: bool,
    /// Longitude in 1/10 000 minute; 181° not available.
    pub lon: i32,
    /// Latitude in 1/10 000 minute; 91° not available.
    pub lat: i32,
    /// Course over ground in 1/10 degree; 3600 not available.
    pub course: u16,
    /// True heading in degrees; 511 not available.
    pub heading: u16,
    /// UTC second of the fix, 0-59; 60 not available, 61-63 special modes.
    pub second: u8,
    /// Two bits reserved for regional applications.
    pub regional: u8,
    /// Class B unit flag: true for a carrier-sense (CS) unit, false for SOTDMA.
    pub cs: bool,
    /// Display flag: the unit has a display for messages 12 and 14.
    pub display: bool,
    /// DSC flag: the unit is attached to a VHF DSC receiver.
    pub dsc: bool,
    /// Band flag: the unit can use the whole marine band.
    pub band: bool,
    /// Message 22 flag: the unit accepts channel management by message 22.
    pub msg22: bool,
    /// Station in assigned mode.
    pub assigned: bool,
    /// Receiver autonomous integrity monitoring in use.
    pub raim: bool,
    /// Communication state selector and state, 20 bits.
    pub radio: u32,
}

impl ClassBPositionReport {
    /// Payload length of type 18.
    pub const BITS: usize = 168;

    pub(super) fn decode(bits: &AisBits) -> Result<Self, AisError> {
        check_len(bits, bits.len() >= Self::BITS)?;
        Ok(ClassBPositionReport {
            repeat: bits.uint(6, 2) as u8,
            mmsi: bits.uint(8, 30),
            reserved: bits.uint(38, 8) as u8,
            speed: bits.uint(46, 10) as u16,
            accuracy: bits.flag(56),
            lon: bits.int(57, 28),
            lat: bits.int(85, 27),
            course: bits.uint(112, 12) as u16,
            heading: bits.uint(124, 9) as u16,
            second: bits.uint(133, 6) as u8,
            regional: bits.uint(139, 2) as u8,
            cs: bits.flag(141),
            display: bits.flag(142),
            dsc: bits.flag(143),
            band: bits.flag(144),
            msg22: bits.flag(145),
            assigned: bits.flag(146),
            raim: bits.flag(147),
            radio: bits.uint(148, 20),
        })
    }

    pub(super) fn encode(&self) -> Result<AisBits, AisError> {
        let mut w = header(18, self.repeat, self.mmsi);
        w.uint(u32::from(self.reserved), 8)
            .uint(u32::from(self.speed), 10)
            .flag(self.accuracy)
            .int(self.lon, 28)
            .int(self.lat, 27)
            .uint(u32::from(self.course), 12)
            .uint(u32::from(self.heading), 9)
            .uint(u32::from(self.second), 6)
            .uint(u32::from(self.regional), 2)
            .flag(self.cs)
            .flag(self.display)
            .flag(self.dsc)
            .flag(self.band)
            .flag(self.msg22)
            .flag(self.assigned)
            .flag(self.raim)
            .uint(self.radio, 20);
        w.finish()
    }

    pub(super) fn write_json<W: Write>(&self, o: &mut JsonObject<'_, W>) {
        // gpsd 3.22 does not write the assigned-mode flag of type 18.
        o.uint("reserved", self.reserved.into())
            .uint("speed", self.speed.into())
            .bool("accuracy", self.accuracy)
            .int("lon", self.lon.into())
            .int("lat", self.lat.into())
            .uint("course", self.course.into())
            .uint("heading", self.heading.into())
            .uint("second", self.second.into())
            .uint("regional", self.regional.into())
            .bool("cs", self.cs)
            .bool("display", self.display)
            .bool("dsc", self.dsc)
            .bool("band", self.band)
            .bool("msg22", self.msg22)
            .bool("raim", self.raim)
            .uint("radio", self.radio.into());
    }

    /// Latitude in degrees, if available and in range.
    pub fn lat_deg(&self) -> Option<f64> {
        lat_deg(self.lat)
    }

    /// Longitude in degrees, if available and in range.
    pub fn lon_deg(&self) -> Option<f64> {
        lon_deg(self.lon)
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
}

/// Extended class B equipment position report (type 19): position and static data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassBExtendedReport {
    /// Repeat indicator, 0-3.
    pub repeat: u8,
    /// Maritime Mobile Service Identity.
    pub mmsi: u32,
    /// Eight bits reserved for regional or local applications.
    pub reserved: u8,
    /// Speed over ground in 1/10 knot; 1023 not available.
    pub speed: u16,
    /// Position accuracy flag: true for better than 10 m.
    pub accuracy: bool,
    /// Longitude in 1/10 000 minute; 181° not available.
    pub lon: i32,
    /// Latitude in 1/10 000 minute; 91° not available.
    pub lat: i32,
    /// Course over ground in 1/10 degree; 3600 not available.
    pub course: u16,
    /// True heading in degrees; 511 not available.
    pub heading: u16,
    /// UTC second of the fix, 0-59; 60 not available, 61-63 special modes.
    pub second: u8,
    /// Four bits reserved for regional applications.
    pub regional: u8,
    /// Ship name, up to 20 characters.
    pub shipname: String<20>,
    /// Type of ship and cargo, 0-255 as transmitted.
    pub shiptype: u8,
    /// Distance from the reference point to the bow, metres.
    pub to_bow: u16,
    /// Distance from the reference point to the stern, metres.
    pub to_stern: u16,
    /// Distance from the reference point to port, metres.
    pub to_port: u8,
    /// Distance from the reference point to starboard, metres.
    pub to_starboard: u8,
    /// Type of electronic position fixing device, 0-15.
    pub epfd: u8,
    /// Receiver autonomous integrity monitoring in use.
    pub raim: bool,
    /// Data terminal equipment not ready.
    pub dte: bool,
    /// Station in assigned mode.
    pub assigned: bool,
}

impl ClassBExtendedReport {
    /// Payload length of type 19.
    pub const BITS: usize = 312;

    pub(super) fn decode(bits: &AisBits) -> Result<Self, AisError> {
        check_len(bits, bits.len() >= Self::BITS)?;
        Ok(ClassBExtendedReport {
            repeat: bits.uint(6, 2) as u8,
            mmsi: bits.uint(8, 30),
            reserved: bits.uint(38, 8) as u8,
            speed: bits.uint(46, 10) as u16,
            accuracy: bits.flag(56),
            lon: bits.int(57, 28),
            lat: bits.int(85, 27),
            course: bits.uint(112, 12) as u16,
            heading: bits.uint(124, 9) as u16,
            second: bits.uint(133, 6) as u8,
            regional: bits.uint(139, 4) as u8,
            shipname: bits.text(143, 20),
            shiptype: bits.uint(263, 8) as u8,
            to_bow: bits.uint(271, 9) as u16,
            to_stern: bits.uint(280, 9) as u16,
            to_port: bits.uint(289, 6) as u8,
            to_starboard: bits.uint(295, 6) as u8,
            epfd: bits.uint(301, 4) as u8,
            raim: bits.flag(305),
            dte: bits.flag(306),
            assigned: bits.flag(307),
        })
    }

    pub(super) fn encode(&self) -> Result<AisBits, AisError> {
        let mut w = header(19, self.repeat, self.mmsi);
        w.uint(u32::from(self.reserved), 8)
            .uint(u32::from(self.speed), 10)
            .flag(self.accuracy)
            .int(self.lon, 28)
            .int(self.lat, 27)
            .uint(u32::from(self.course), 12)
            .uint(u32::from(self.heading), 9)
            .uint(u32::from(self.second), 6)
            .uint(u32::from(self.regional), 4)
            .text(&self.shipname, 20)
            .uint(u32::from(self.shiptype), 8)
            .uint(u32::from(self.to_bow), 9)
            .uint(u32::from(self.to_stern), 9)
            .uint(u32::from(self.to_port), 6)
            .uint(u32::from(self.to_starboard), 6)
            .uint(u32::from(self.epfd), 4)
            .flag(self.raim)
            .flag(self.dte)
            .flag(self.assigned)
            .uint(0, 4);
        w.finish()
    }

    pub(super) fn write_json<W: Write>(&self, o: &mut JsonObject<'_, W>) {
        o.uint("reserved", self.reserved.into())
            .uint("speed", self.speed.into())
            .bool("accuracy", self.accuracy)
            .int("lon", self.lon.into())
            .int("lat", self.lat.into())
            .uint("course", self.course.into())
            .uint("heading", self.heading.into())
            .uint("second", self.second.into())
            .uint("regional", self.regional.into())
            .str("shipname", &self.shipname)
            .uint("shiptype", self.shiptype.into())
            .str("shiptype_text", ship_type_text(self.shiptype))
            .uint("to_bow", self.to_bow.into())
            .uint("to_stern", self.to_stern.into())
            .uint("to_port", self.to_port.into())
            .uint("to_starboard", self.to_starboard.into())
            .uint("epfd", self.epfd.into())
            .str("epfd_text", epfd_text(self.epfd))
            .bool("raim", self.raim)
            .uint("dte", self.dte.into())
            .bool("assigned", self.assigned);
    }

    /// Latitude in degrees, if available and in range.
    pub fn lat_deg(&self) -> Option<f64> {
        lat_deg(self.lat)
    }

    /// Longitude in degrees, if available and in range.
    pub fn lon_deg(&self) -> Option<f64> {
        lon_deg(self.lon)
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
}

/// Position report for long-range applications (type 27, received by satellite), with
/// coarse units: position in 1/10 minute, speed in knots, course in degrees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LongRangeReport {
    /// Repeat indicator, 0-3.
    pub repeat: u8,
    /// Maritime Mobile Service Identity.
    pub mmsi: u32,
    /// Position accuracy flag: true for better than 10 m.
    pub accuracy: bool,
    /// Receiver autonomous integrity monitoring in use.
    pub raim: bool,
    /// Navigational status, 0-15, as in types 1-3.
    pub status: u8,
    /// Longitude in 1/10 minute; 181° (108 600) not available.
    pub lon: i32,
    /// Latitude in 1/10 minute; 91° (54 600) not available.
    pub lat: i32,
    /// Speed over ground in knots, 0-62; 63 not available.
    pub speed: u8,
    /// Course over ground in degrees, 0-359; 511 not available.
    pub course: u16,
    /// GNSS position status: false when the position is the current GNSS position, true
    /// when it is not.
    pub gnss: bool,
}

impl LongRangeReport {
    /// Payload length of type 27 (one 96-bit long-range slot).
    pub const BITS: usize = 96;

    pub(super) fn decode(bits: &AisBits) -> Result<Self, AisError> {
        // gpsd accepts exactly 96 bits, or a full 168-bit slot that some transmitters send.
        check_len(bits, matches!(bits.len(), 96 | 168))?;
        Ok(LongRangeReport {
            repeat: bits.uint(6, 2) as u8,
            mmsi: bits.uint(8, 30),
            accuracy: bits.flag(38),
            raim: bits.flag(39),
            status: bits.uint(40, 4) as u8,
            lon: bits.int(44, 18),
            lat: bits.int(62, 17),
            speed: bits.uint(79, 6) as u8,
            course: bits.uint(85, 9) as u16,
            gnss: bits.flag(94),
        })
    }

    pub(super) fn encode(&self) -> Result<AisBits, AisError> {
        let mut w = header(27, self.repeat, self.mmsi);
        w.flag(self.accuracy)
            .flag(self.raim)
            .uint(u32::from(self.status), 4)
            .int(self.lon, 18)
            .int(self.lat, 17)
            .uint(u32::from(self.speed), 6)
            .uint(u32::from(self.course), 9)
            .flag(self.gnss)
            .uint(0, 1);
        w.finish()
    }

    pub(super) fn write_json<W: Write>(&self, o: &mut JsonObject<'_, W>) {
        o.uint("status", self.status.into())
            .bool("accuracy", self.accuracy)
            .int("lon", self.lon.into())
            .int("lat", self.lat.into())
            .uint("speed", self.speed.into())
            .uint("course", self.course.into())
            .bool("raim", self.raim)
            .bool("gnss", self.gnss);
    }

    /// Latitude in degrees, if available and in range.
    pub fn lat_deg(&self) -> Option<f64> {
        lat_deg_tenth_minute(self.lat)
    }

    /// Longitude in degrees, if available and in range.
    pub fn lon_deg(&self) -> Option<f64> {
        lon_deg_tenth_minute(self.lon)
    }

    /// Speed over ground in knots, if available.
    pub fn speed_knots(&self) -> Option<f64> {
        (self.speed < 63).then(|| f64::from(self.speed))
    }

    /// Course over ground in degrees, if available.
    pub fn course_deg(&self) -> Option<f64> {
        (self.course < 360).then(|| f64::from(self.course))
    }
}
