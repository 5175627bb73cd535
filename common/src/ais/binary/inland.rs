//! Inland AIS applications under DAC 200 (CCNR/UNECE Inland AIS standard). gpsd 3.22 decodes
//! each only at its exact standard length and leaves any other length raw; so do these.

use super::{BinaryData, DataWriter, JsonObject, legend, write_array, write_date_plain};
use core::fmt::{self, Write};
use heapless::String;

/// The ERI ship type table as gpsd 3.22 carries it: (ERI code, the ITU ship type gpsd also
/// matches, legend). gpsd takes the first entry whose code or ITU type equals the value.
const ERI_SHIP_TYPES: [(u16, u16, &str); 42] = [
    (8000, 99, "Vessel, type unknown"),
    (8010, 79, "Motor freighter"),
    (8020, 89, "Motor tanker"),
    (8021, 80, "Motor tanker, liquid cargo, type N"),
    (8022, 80, "Motor tanker, liquid cargo, type C"),
    (
        8023,
        89,
        "Motor tanker, dry cargo as if liquid (e.g. cement)",
    ),
    (8030, 79, "Container vessel"),
    (8040, 80, "Gas tanker"),
    (8050, 79, "Motor freighter, tug"),
    (8060, 89, "Motor tanker, tug"),
    (8070, 79, "Motor freighter with one or more ships alongside"),
    (8080, 89, "Motor freighter with tanker"),
    (8090, 79, "Motor freighter pushing one or more freighters"),
    (8100, 89, "Motor freighter pushing at least one tank-ship"),
    (8110, 79, "Tug, freighter"),
    (8120, 89, "Tug, tanker"),
    (8130, 31, "Tug freighter, coupled"),
    (8140, 31, "Tug, freighter/tanker, coupled"),
    (8150, 99, "Freightbarge"),
    (8160, 99, "Tankbarge"),
    (8161, 90, "Tankbarge, liquid cargo, type N"),
    (8162, 90, "Tankbarge, liquid cargo, type C"),
    (8163, 99, "Tankbarge, dry cargo as if liquid (e.g. cement)"),
    (8170, 99, "Freightbarge with containers"),
    (8180, 90, "Tankbarge, gas"),
    (8210, 79, "Pushtow, one cargo barge"),
    (8220, 79, "Pushtow, two cargo barges"),
    (8230, 79, "Pushtow, three cargo barges"),
    (8240, 79, "Pushtow, four cargo barges"),
    (8250, 79, "Pushtow, five cargo barges"),
    (8260, 79, "Pushtow, six cargo barges"),
    (8270, 79, "Pushtow, seven cargo barges"),
    (8280, 79, "Pushtow, eigth cargo barges"),
    (8290, 79, "Pushtow, nine or more barges"),
    (8310, 80, "Pushtow, one tank/gas barge"),
    (
        8320,
        80,
        "Pushtow, two barges at least one tanker or gas barge",
    ),
    (
        8330,
        80,
        "Pushtow, three barges at least one tanker or gas barge",
    ),
    (
        8340,
        80,
        "Pushtow, four barges at least one tanker or gas barge",
    ),
    (
        8350,
        80,
        "Pushtow, five barges at least one tanker or gas barge",
    ),
    (
        8360,
        80,
        "Pushtow, six barges at least one tanker or gas barge",
    ),
    (
        8370,
        80,
        "Pushtow, seven barges at least one tanker or gas barg",
    ),
    (0, 0, "Illegal ship type value."),
];

fn eri_ship_type_text(shiptype: u16) -> &'static str {
    ERI_SHIP_TYPES
        .iter()
        .find(|&&(code, itu, _)| code == shiptype || itu == shiptype || code == 0)
        .map_or("Illegal ship type value.", |&(_, _, text)| text)
}

const HAZARDS: [&str; 6] = [
    "0 blue cones/lights",
    "1 blue cone/light",
    "2 blue cones/lights",
    "3 blue cones/lights",
    "4 B-Flag",
    "Unknown",
];

const LOAD_STATES: [&str; 3] = ["N/A (default)", "Unloaded", "Loaded"];

/// Inland ship static and voyage related data (type 8, DAC 200, FI 10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlandStaticVoyage {
    /// European Vessel Identification Number (ENI), eight six-bit characters.
    pub vin: String<8>,
    /// Length of ship, 1/10 metre, 13 bits.
    pub length: u16,
    /// Beam of ship, 1/10 metre, 10 bits.
    pub beam: u16,
    /// ERI ship or combination type, 14 bits (`shiptype_text` in gpsd's JSON).
    pub shiptype: u16,
    /// Hazardous cargo: number of blue cones, 4 B-flag, 5 unknown (3 bits; gpsd leaves the
    /// payload raw above 5).
    pub hazard: u8,
    /// Draught, 1/100 metre, 11 bits.
    pub draught: u16,
    /// Loaded (2), unloaded (1), not available (0), 2 bits.
    pub loaded: u8,
    /// Quality of the speed information: true for high (certified sensor).
    pub speed_q: bool,
    /// Quality of the course information.
    pub course_q: bool,
    /// Quality of the heading information.
    pub heading_q: bool,
}

impl InlandStaticVoyage {
    /// Payload length, the only one gpsd decodes.
    pub const BITS: usize = 112;

    /// gpsd rejects a hazard code above 5 to avoid mistaking another payload for this one.
    pub(super) fn decode(d: &BinaryData) -> Option<Self> {
        let hazard = d.uint(85, 3) as u8;
        (d.bitcount() == Self::BITS && usize::from(hazard) < HAZARDS.len()).then(|| {
            InlandStaticVoyage {
                vin: d.text(0, 8),
                length: d.uint(48, 13) as u16,
                beam: d.uint(61, 10) as u16,
                shiptype: d.uint(71, 14) as u16,
                hazard,
                draught: d.uint(88, 11) as u16,
                loaded: d.uint(99, 2) as u8,
                speed_q: d.flag(101),
                course_q: d.flag(102),
                heading_q: d.flag(103),
            }
        })
    }

    pub(super) fn encode(&self, w: &mut DataWriter) {
        w.text(&self.vin, 8);
        w.uint(self.length.into(), 13);
        w.uint(self.beam.into(), 10);
        w.uint(self.shiptype.into(), 14);
        w.uint(self.hazard.into(), 3);
        w.uint(self.draught.into(), 11);
        w.uint(self.loaded.into(), 2);
        w.flag(self.speed_q);
        w.flag(self.course_q);
        w.flag(self.heading_q);
        w.spare(8);
    }

    pub(super) fn write_gpsd<W: Write>(&self, obj: &mut JsonObject<'_, W>) -> fmt::Result {
        obj.str("vin", &self.vin)
            .uint("length", self.length.into())
            .uint("beam", self.beam.into())
            .uint("shiptype", self.shiptype.into())
            .str("shiptype_text", eri_ship_type_text(self.shiptype))
            .uint("hazard", self.hazard.into())
            .str(
                "hazard_text",
                legend(&HAZARDS, self.hazard.into(), "INVALID HAZARD TYPE"),
            )
            .uint("draught", self.draught.into())
            .uint("loaded", self.loaded.into())
            .str(
                "loaded_text",
                legend(&LOAD_STATES, self.loaded.into(), "INVALID LOAD STATUS"),
            )
            .bool("speed_q", self.speed_q)
            .bool("course_q", self.course_q)
            .bool("heading_q", self.heading_q);
        Ok(())
    }
}

/// The position on the waterway shared by the ETA and RTA messages (FI 21 and 22).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaterwayPoint {
    /// UN country code, two characters.
    pub country: String<2>,
    /// UN/LOCODE, three characters.
    pub locode: String<3>,
    /// Fairway section number, five characters.
    pub section: String<5>,
    /// Terminal code, five characters.
    pub terminal: String<5>,
    /// Fairway hectometre, five characters.
    pub hectometre: String<5>,
}

impl WaterwayPoint {
    const BITS: usize = 120;

    fn decode(d: &BinaryData) -> Self {
        WaterwayPoint {
            country: d.text(0, 2),
            locode: d.text(12, 3),
            section: d.text(30, 5),
            terminal: d.text(60, 5),
            hectometre: d.text(90, 5),
        }
    }

    fn encode(&self, w: &mut DataWriter) {
        w.text(&self.country, 2);
        w.text(&self.locode, 3);
        w.text(&self.section, 5);
        w.text(&self.terminal, 5);
        w.text(&self.hectometre, 5);
    }

    /// gpsd prints these five without JSON escaping (a `"` or `\` in the text makes its
    /// output invalid); they are escaped here.
    fn write_gpsd<W: Write>(&self, obj: &mut JsonObject<'_, W>) {
        obj.str("country", &self.country)
            .str("locode", &self.locode)
            .str("section", &self.section)
            .str("terminal", &self.terminal)
            .str("hectometre", &self.hectometre);
    }
}

/// ETA at lock, bridge or terminal (type 6, DAC 200, FI 21).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlandLockEta {
    /// Where.
    pub point: WaterwayPoint,
    /// ETA month (UTC).
    pub month: u8,
    /// ETA day.
    pub day: u8,
    /// ETA hour.
    pub hour: u8,
    /// ETA minute.
    pub minute: u8,
    /// Number of assisting tugboats, 3 bits.
    pub tugs: u8,
    /// Air draught, 1/100 metre, 12 bits.
    pub airdraught: u16,
}

impl InlandLockEta {
    /// Payload length, the only one gpsd decodes.
    pub const BITS: usize = 160;

    pub(super) fn decode(d: &BinaryData) -> Option<Self> {
        (d.bitcount() == Self::BITS).then(|| InlandLockEta {
            point: WaterwayPoint::decode(d),
            month: d.uint(120, 4) as u8,
            day: d.uint(124, 5) as u8,
            hour: d.uint(129, 5) as u8,
            minute: d.uint(134, 6) as u8,
            tugs: d.uint(140, 3) as u8,
            airdraught: d.uint(143, 12) as u16,
        })
    }

    pub(super) fn encode(&self, w: &mut DataWriter) {
        self.point.encode(w);
        w.uint(self.month.into(), 4);
        w.uint(self.day.into(), 5);
        w.uint(self.hour.into(), 5);
        w.uint(self.minute.into(), 6);
        w.uint(self.tugs.into(), 3);
        w.uint(self.airdraught.into(), 12);
        w.spare(Self::BITS - WaterwayPoint::BITS - 35);
    }

    pub(super) fn write_gpsd<W: Write>(&self, obj: &mut JsonObject<'_, W>) -> fmt::Result {
        self.point.write_gpsd(obj);
        write_date_plain(obj, "eta", [self.month, self.day, self.hour, self.minute])?;
        obj.uint("tugs", self.tugs.into())
            .uint("airdraught", self.airdraught.into());
        Ok(())
    }
}

const RTA_STATES: [&str; 4] = ["Operational", "Limited operation", "Out of order", "N/A"];

/// RTA (requested time of arrival) at lock, bridge or terminal (type 6, DAC 200, FI 22).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlandLockRta {
    /// Where.
    pub point: WaterwayPoint,
    /// RTA month (UTC).
    pub month: u8,
    /// RTA day.
    pub day: u8,
    /// RTA hour.
    pub hour: u8,
    /// RTA minute.
    pub minute: u8,
    /// Status of the lock, bridge or terminal, 2 bits (`status_text` in gpsd's JSON).
    pub status: u8,
}

impl InlandLockRta {
    /// Payload length, the only one gpsd decodes.
    pub const BITS: usize = 144;

    pub(super) fn decode(d: &BinaryData) -> Option<Self> {
        (d.bitcount() == Self::BITS).then(|| InlandLockRta {
            point: WaterwayPoint::decode(d),
            month: d.uint(120, 4) as u8,
            day: d.uint(124, 5) as u8,
            hour: d.uint(129, 5) as u8,
            minute: d.uint(134, 6) as u8,
            status: d.uint(140, 2) as u8,
        })
    }

    pub(super) fn encode(&self, w: &mut DataWriter) {
        self.point.encode(w);
        w.uint(self.month.into(), 4);
        w.uint(self.day.into(), 5);
        w.uint(self.hour.into(), 5);
        w.uint(self.minute.into(), 6);
        w.uint(self.status.into(), 2);
        w.spare(2);
    }

    pub(super) fn write_gpsd<W: Write>(&self, obj: &mut JsonObject<'_, W>) -> fmt::Result {
        self.point.write_gpsd(obj);
        write_date_plain(obj, "eta", [self.month, self.day, self.hour, self.minute])?;
        obj.uint("status", self.status.into())
            .str("status_text", legend(&RTA_STATES, self.status.into(), ""));
        Ok(())
    }
}

const EMMA_TYPES: [&str; 10] = [
    "Not Available",
    "Wind",
    "Rain",
    "Snow and ice",
    "Thunderstorm",
    "Fog",
    "Low temperature",
    "High temperature",
    "Flood",
    "Forest Fire",
];

const EMMA_CLASSES: [&str; 3] = ["Slight", "Medium", "Strong"];

const EMMA_WINDS: [&str; 9] = [
    "N/A",
    "North",
    "North East",
    "East",
    "South East",
    "South",
    "South West",
    "West",
    "North West",
];

/// EMMA weather warning (type 8, DAC 200, FI 23).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmmaWarning {
    /// Start year, since 2000, 8 bits.
    pub start_year: u8,
    /// Start month.
    pub start_month: u8,
    /// Start day.
    pub start_day: u8,
    /// End year, since 2000.
    pub end_year: u8,
    /// End month.
    pub end_month: u8,
    /// End day.
    pub end_day: u8,
    /// Start hour.
    pub start_hour: u8,
    /// Start minute.
    pub start_minute: u8,
    /// End hour.
    pub end_hour: u8,
    /// End minute.
    pub end_minute: u8,
    /// Start of the area: longitude, 1/10 000 minute, 28 bits.
    pub start_lon: i32,
    /// Start of the area: latitude, 1/10 000 minute, 27 bits.
    pub start_lat: i32,
    /// End of the area: longitude.
    pub end_lon: i32,
    /// End of the area: latitude.
    pub end_lat: i32,
    /// Type of weather warning, 4 bits (gpsd's `type`, with `type_text`).
    pub warning_type: u8,
    /// Minimum value, signed 9 bits.
    pub min: i16,
    /// Maximum value, signed 9 bits.
    pub max: i16,
    /// Classification, 2 bits (gpsd's `class`, with `class_text`).
    pub intensity: u8,
    /// Wind direction, 4 bits (`wind_text` in gpsd's JSON).
    pub wind: u8,
}

impl EmmaWarning {
    /// Payload length, the only one gpsd decodes.
    pub const BITS: usize = 200;

    pub(super) fn decode(d: &BinaryData) -> Option<Self> {
        (d.bitcount() == Self::BITS).then(|| EmmaWarning {
            start_year: d.uint(0, 8) as u8,
            start_month: d.uint(8, 4) as u8,
            start_day: d.uint(12, 5) as u8,
            end_year: d.uint(17, 8) as u8,
            end_month: d.uint(25, 4) as u8,
            end_day: d.uint(29, 5) as u8,
            start_hour: d.uint(34, 5) as u8,
            start_minute: d.uint(39, 6) as u8,
            end_hour: d.uint(45, 5) as u8,
            end_minute: d.uint(50, 6) as u8,
            start_lon: d.int(56, 28),
            start_lat: d.int(84, 27),
            end_lon: d.int(111, 28),
            end_lat: d.int(139, 27),
            warning_type: d.uint(166, 4) as u8,
            min: d.int(170, 9) as i16,
            max: d.int(179, 9) as i16,
            intensity: d.uint(188, 2) as u8,
            wind: d.uint(190, 4) as u8,
        })
    }

    pub(super) fn encode(&self, w: &mut DataWriter) {
        w.uint(self.start_year.into(), 8);
        w.uint(self.start_month.into(), 4);
        w.uint(self.start_day.into(), 5);
        w.uint(self.end_year.into(), 8);
        w.uint(self.end_month.into(), 4);
        w.uint(self.end_day.into(), 5);
        w.uint(self.start_hour.into(), 5);
        w.uint(self.start_minute.into(), 6);
        w.uint(self.end_hour.into(), 5);
        w.uint(self.end_minute.into(), 6);
        w.int(self.start_lon, 28);
        w.int(self.start_lat, 27);
        w.int(self.end_lon, 28);
        w.int(self.end_lat, 27);
        w.uint(self.warning_type.into(), 4);
        w.int(self.min.into(), 9);
        w.int(self.max.into(), 9);
        w.uint(self.intensity.into(), 2);
        w.uint(self.wind.into(), 4);
        w.spare(6);
    }

    /// gpsd 3.22 passes the start date's fields in the order year, month, hour, minute, day,
    /// so its `start` puts the hour in the day's place; this writes year, month, day, hour,
    /// minute, as its `end` does. gpsd also repeats the keys `type` and `class`, which its
    /// envelope already uses; so does this, to keep gpsd's names.
    pub(super) fn write_gpsd<W: Write>(&self, obj: &mut JsonObject<'_, W>) -> fmt::Result {
        let out = obj.raw_value("start")?;
        write!(
            out,
            "\"{:4}-{:02}-{:02}T{:02}:{:02}\"",
            u16::from(self.start_year) + 2000,
            self.start_month,
            self.start_day,
            self.start_hour,
            self.start_minute
        )?;
        let out = obj.raw_value("end")?;
        write!(
            out,
            "\"{:4}-{:02}-{:02}T{:02}:{:02}\"",
            u16::from(self.end_year) + 2000,
            self.end_month,
            self.end_day,
            self.end_hour,
            self.end_minute
        )?;
        obj.int("start_lon", self.start_lon.into())
            .int("start_lat", self.start_lat.into())
            .int("end_lon", self.end_lon.into())
            .int("end_lat", self.end_lat.into())
            .uint("type", self.warning_type.into())
            .str(
                "type_text",
                legend(&EMMA_TYPES, self.warning_type.into(), "INVALID EMMA TYPE"),
            )
            .int("min", self.min.into())
            .int("max", self.max.into())
            .uint("class", self.intensity.into())
            .str(
                "class_text",
                legend(&EMMA_CLASSES, self.intensity.into(), "INVALID EMMA TYPE"),
            )
            .uint("wind", self.wind.into())
            .str(
                "wind_text",
                legend(&EMMA_WINDS, self.wind.into(), "INVALID EMMA WIND DIRECTION"),
            );
        Ok(())
    }
}

/// One gauge of a water level report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaterGauge {
    /// Gauge id, 11 bits (0 unknown).
    pub id: u16,
    /// Water level, centimetres, signed 14 bits (0 unknown).
    pub level: i16,
}

/// Water levels (type 8, DAC 200, FI 24).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaterLevel {
    /// UN country code, two characters.
    pub country: String<2>,
    /// The four gauges.
    pub gauges: [WaterGauge; 4],
}

impl WaterLevel {
    /// Payload length, the only one gpsd decodes.
    pub const BITS: usize = 112;

    pub(super) fn decode(d: &BinaryData) -> Option<Self> {
        (d.bitcount() == Self::BITS).then(|| {
            let gauge = |i: usize| WaterGauge {
                id: d.uint(12 + 25 * i, 11) as u16,
                level: d.int(23 + 25 * i, 14) as i16,
            };
            WaterLevel {
                country: d.text(0, 2),
                gauges: [gauge(0), gauge(1), gauge(2), gauge(3)],
            }
        })
    }

    pub(super) fn encode(&self, w: &mut DataWriter) {
        w.text(&self.country, 2);
        for g in &self.gauges {
            w.uint(g.id.into(), 11);
            w.int(g.level.into(), 14);
        }
        w.spare(Self::BITS - 12 - 4 * 25);
    }

    /// gpsd prints `country` without JSON escaping; it is escaped here.
    pub(super) fn write_gpsd<W: Write>(&self, obj: &mut JsonObject<'_, W>) -> fmt::Result {
        obj.str("country", &self.country);
        write_array(obj, "gauges", self.gauges.len(), |i, o| {
            if let Some(g) = self.gauges.get(i) {
                o.uint("id", g.id.into()).int("level", g.level.into());
            }
            Ok(())
        })
    }
}

const DIRECTIONS: [&str; 5] = [
    "Unknown",
    "Upstream",
    "Downstream",
    "To left bank",
    "To right bank",
];

const LIGHT_STATES: [&str; 8] = [
    "Unknown",
    "No light",
    "White",
    "Yellow",
    "Green",
    "Red",
    "White flashing",
    "Yellow flashing.",
];

/// Signal status (type 8, DAC 200, FI 40).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignalStatus {
    /// Signal position: longitude, 1/10 000 minute, 28 bits.
    pub lon: i32,
    /// Signal position: latitude, 1/10 000 minute, 27 bits.
    pub lat: i32,
    /// Signal form, 4 bits.
    pub form: u8,
    /// Orientation of the signal, degrees, 9 bits.
    pub facing: u16,
    /// Direction of impact, 3 bits (`direction_text` in gpsd's JSON).
    pub direction: u8,
    /// Light status, 30 bits (`status_text` in gpsd's JSON).
    pub status: u32,
}

impl SignalStatus {
    /// Payload length, the only one gpsd decodes.
    pub const BITS: usize = 112;

    pub(super) fn decode(d: &BinaryData) -> Option<Self> {
        (d.bitcount() == Self::BITS).then(|| SignalStatus {
            lon: d.int(0, 28),
            lat: d.int(28, 27),
            form: d.uint(55, 4) as u8,
            facing: d.uint(59, 9) as u16,
            direction: d.uint(68, 3) as u8,
            status: d.uint(71, 30),
        })
    }

    pub(super) fn encode(&self, w: &mut DataWriter) {
        w.int(self.lon, 28);
        w.int(self.lat, 27);
        w.uint(self.form.into(), 4);
        w.uint(self.facing.into(), 9);
        w.uint(self.direction.into(), 3);
        w.uint(self.status, 30);
        w.spare(11);
    }

    pub(super) fn write_gpsd<W: Write>(&self, obj: &mut JsonObject<'_, W>) -> fmt::Result {
        obj.int("lon", self.lon.into())
            .int("lat", self.lat.into())
            .uint("form", self.form.into())
            .uint("facing", self.facing.into())
            .uint("direction", self.direction.into())
            .str(
                "direction_text",
                legend(&DIRECTIONS, self.direction.into(), "INVALID DIRECTION"),
            )
            .uint("status", self.status.into())
            .str(
                "status_text",
                legend(&LIGHT_STATES, self.status, "INVALID STATUS"),
            );
        Ok(())
    }
}

/// Number of persons on board (type 6, DAC 200, FI 55).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InlandPersons {
    /// Crew members, 8 bits (255 not available).
    pub crew: u8,
    /// Passengers, 13 bits (8191 not available).
    pub passengers: u16,
    /// Shipboard personnel, 8 bits (255 not available).
    pub personnel: u8,
}

impl InlandPersons {
    /// Payload length, the only one gpsd decodes.
    pub const BITS: usize = 80;

    pub(super) fn decode(d: &BinaryData) -> Option<Self> {
        (d.bitcount() == Self::BITS).then(|| InlandPersons {
            crew: d.uint(0, 8) as u8,
            passengers: d.uint(8, 13) as u16,
            personnel: d.uint(21, 8) as u8,
        })
    }

    pub(super) fn encode(&self, w: &mut DataWriter) {
        w.uint(self.crew.into(), 8);
        w.uint(self.passengers.into(), 13);
        w.uint(self.personnel.into(), 8);
        w.spare(Self::BITS - 29);
    }

    pub(super) fn write_gpsd<W: Write>(&self, obj: &mut JsonObject<'_, W>) -> fmt::Result {
        obj.uint("crew", self.crew.into())
            .uint("passengers", self.passengers.into())
            .uint("personnel", self.personnel.into());
        Ok(())
    }
}
