//! International applications under DAC 1 (IMO SN.1/Circ.236 and SN.1/Circ.289), other than
//! the meteorological and hydrological reports (in `meteo`). Bit offsets are from the start of
//! the application payload (after the DAC/FI header).

use super::{
    BinaryData, DataWriter, JsonObject, complete_groups, gpsd_group_count, legend, write_array,
    write_date_plain, write_date_z,
};
use core::fmt::{self, Write};
use heapless::{String, Vec};

/// IMO236 dangerous cargo indication (type 6, DAC 1, FI 12).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DangerousCargoImo236 {
    /// Last port of call (UN/LOCODE).
    pub lastport: String<5>,
    /// Departure from the last port: month, 1-12 (0 not available).
    pub lmonth: u8,
    /// Departure day, 1-31 (0 not available).
    pub lday: u8,
    /// Departure hour, 0-23 (24 not available).
    pub lhour: u8,
    /// Departure minute, 0-59 (60 not available).
    pub lminute: u8,
    /// Next port of call (UN/LOCODE).
    pub nextport: String<5>,
    /// ETA at the next port: month.
    pub nmonth: u8,
    /// ETA day.
    pub nday: u8,
    /// ETA hour.
    pub nhour: u8,
    /// ETA minute.
    pub nminute: u8,
    /// Main dangerous good.
    pub dangerous: String<20>,
    /// IMD category of the main dangerous good.
    pub imdcat: String<4>,
    /// UN number, 13 bits.
    pub unid: u16,
    /// Amount of cargo, 10 bits.
    pub amount: u16,
    /// Unit of the amount, 2 bits.
    pub unit: u8,
}

impl DangerousCargoImo236 {
    /// Standard payload length (gpsd decodes any length, reading missing fields as zero).
    pub const BITS: usize = 272;

    pub(super) fn decode(d: &BinaryData) -> Self {
        DangerousCargoImo236 {
            lastport: d.text(0, 5),
            lmonth: d.uint(30, 4) as u8,
            lday: d.uint(34, 5) as u8,
            lhour: d.uint(39, 5) as u8,
            lminute: d.uint(44, 6) as u8,
            nextport: d.text(50, 5),
            nmonth: d.uint(80, 4) as u8,
            nday: d.uint(84, 5) as u8,
            nhour: d.uint(89, 5) as u8,
            nminute: d.uint(94, 6) as u8,
            dangerous: d.text(100, 20),
            imdcat: d.text(220, 4),
            unid: d.uint(244, 13) as u16,
            amount: d.uint(257, 10) as u16,
            unit: d.uint(267, 2) as u8,
        }
    }

    pub(super) fn encode(&self, w: &mut DataWriter) {
        w.text(&self.lastport, 5);
        w.uint(self.lmonth.into(), 4);
        w.uint(self.lday.into(), 5);
        w.uint(self.lhour.into(), 5);
        w.uint(self.lminute.into(), 6);
        w.text(&self.nextport, 5);
        w.uint(self.nmonth.into(), 4);
        w.uint(self.nday.into(), 5);
        w.uint(self.nhour.into(), 5);
        w.uint(self.nminute.into(), 6);
        w.text(&self.dangerous, 20);
        w.text(&self.imdcat, 4);
        w.uint(self.unid.into(), 13);
        w.uint(self.amount.into(), 10);
        w.uint(self.unit.into(), 2);
        w.spare(3);
    }

    pub(super) fn write_gpsd<W: Write>(&self, obj: &mut JsonObject<'_, W>) -> fmt::Result {
        obj.str("lastport", &self.lastport);
        write_date_z(
            obj,
            "departure",
            [self.lmonth, self.lday, self.lhour, self.lminute],
        )?;
        obj.str("nextport", &self.nextport);
        write_date_z(
            obj,
            "eta",
            [self.nmonth, self.nday, self.nhour, self.nminute],
        )?;
        obj.str("dangerous", &self.dangerous)
            .str("imdcat", &self.imdcat)
            .uint("unid", self.unid.into())
            .uint("amount", self.amount.into())
            .uint("unit", self.unit.into());
        Ok(())
    }
}

/// The two layouts of a tidal window: IMO236 (FI 14) and IMO289 (FI 32).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TidalLayout {
    /// 93-bit windows: latitude 27 bits, longitude 28 bits (1/10 000 minute), speed 7 bits.
    Imo236,
    /// 88-bit windows: longitude 25 bits, latitude 24 bits (1/1 000 minute), speed 8 bits.
    Imo289,
}

impl TidalLayout {
    /// Bits before the first window (month and day).
    const BASE: usize = 9;

    fn size(self) -> usize {
        match self {
            TidalLayout::Imo236 => 93,
            TidalLayout::Imo289 => 88,
        }
    }
}

/// One tidal window: a position and the time span in which the current is as predicted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TidalEntry {
    /// Longitude: 1/10 000 minute (FI 14) or 1/1 000 minute (FI 32).
    pub lon: i32,
    /// Latitude, in the same unit as `lon`.
    pub lat: i32,
    /// From hour (UTC).
    pub from_hour: u8,
    /// From minute.
    pub from_min: u8,
    /// To hour (UTC).
    pub to_hour: u8,
    /// To minute.
    pub to_min: u8,
    /// Predicted current direction, degrees (360 not available).
    pub cdir: u16,
    /// Predicted current speed, 1/10 knot (127 not available in FI 32).
    pub cspeed: u8,
}

impl TidalEntry {
    fn decode_at(d: &BinaryData, at: usize, layout: TidalLayout) -> Self {
        let (lon, lat, times, cspeed_width) = match layout {
            TidalLayout::Imo236 => (d.int(at + 27, 28), d.int(at, 27), at + 55, 7),
            TidalLayout::Imo289 => (d.int(at, 25), d.int(at + 25, 24), at + 49, 8),
        };
        TidalEntry {
            lon,
            lat,
            from_hour: d.uint(times, 5) as u8,
            from_min: d.uint(times + 5, 6) as u8,
            to_hour: d.uint(times + 11, 5) as u8,
            to_min: d.uint(times + 16, 6) as u8,
            cdir: d.uint(times + 22, 9) as u16,
            cspeed: d.uint(times + 31, cspeed_width) as u8,
        }
    }

    fn encode(&self, w: &mut DataWriter, layout: TidalLayout) {
        let cspeed_width = match layout {
            TidalLayout::Imo236 => {
                w.int(self.lat, 27);
                w.int(self.lon, 28);
                7
            }
            TidalLayout::Imo289 => {
                w.int(self.lon, 25);
                w.int(self.lat, 24);
                8
            }
        };
        w.uint(self.from_hour.into(), 5);
        w.uint(self.from_min.into(), 6);
        w.uint(self.to_hour.into(), 5);
        w.uint(self.to_min.into(), 6);
        w.uint(self.cdir.into(), 9);
        w.uint(self.cspeed.into(), cspeed_width);
    }
}

/// Tidal window (type 6, DAC 1, FI 14 of IMO236 and FI 32 of IMO289).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TidalWindow {
    /// Month (UTC).
    pub month: u8,
    /// Day (UTC).
    pub day: u8,
    /// The complete windows in the payload (three in a standard message).
    pub tidals: Vec<TidalEntry, { TidalWindow::MAX_TIDALS }>,
}

impl TidalWindow {
    /// Most complete windows a five-slot payload holds.
    pub const MAX_TIDALS: usize = 10;

    pub(super) fn decode(d: &BinaryData, layout: TidalLayout) -> Self {
        let size = layout.size();
        let n = complete_groups(d, TidalLayout::BASE, size, Self::MAX_TIDALS);
        let mut tidals = Vec::new();
        for i in 0..n {
            let entry = TidalEntry::decode_at(d, TidalLayout::BASE + i * size, layout);
            if tidals.push(entry).is_err() {
                break;
            }
        }
        TidalWindow {
            month: d.uint(0, 4) as u8,
            day: d.uint(4, 5) as u8,
            tidals,
        }
    }

    pub(super) fn encode(&self, w: &mut DataWriter, layout: TidalLayout) {
        w.uint(self.month.into(), 4);
        w.uint(self.day.into(), 5);
        for t in &self.tidals {
            t.encode(w, layout);
        }
    }

    /// gpsd counts a window at every start offset up to and including the end of the payload.
    pub(super) fn write_gpsd<W: Write>(
        &self,
        data: &BinaryData,
        layout: TidalLayout,
        obj: &mut JsonObject<'_, W>,
    ) -> fmt::Result {
        obj.uint("month", self.month.into())
            .uint("day", self.day.into());
        let size = layout.size();
        let count = gpsd_group_count(data, TidalLayout::BASE, size, true);
        write_array(obj, "tidals", count, |i, o| {
            let t = TidalEntry::decode_at(data, TidalLayout::BASE + i * size, layout);
            o.int("lon", t.lon.into())
                .int("lat", t.lat.into())
                .uint("from_hour", t.from_hour.into())
                .uint("from_min", t.from_min.into())
                .uint("to_hour", t.to_hour.into())
                .uint("to_min", t.to_min.into())
                .uint("cdir", t.cdir.into())
                .uint("cspeed", t.cspeed.into());
            Ok(())
        })
    }
}

/// Air draught (types 6 and 8, DAC 1, FI 15: IMO236 extended ship static and voyage data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AirDraught {
    /// Air draught, metres, 11 bits (0 not available).
    pub airdraught: u16,
}

impl AirDraught {
    /// Standard payload length: 11 bits and 5 spare.
    pub const BITS: usize = 16;

    pub(super) fn decode(d: &BinaryData) -> Self {
        AirDraught {
            airdraught: d.uint(0, 11) as u16,
        }
    }

    pub(super) fn encode(&self, w: &mut DataWriter) {
        w.uint(self.airdraught.into(), 11);
        w.spare(5);
    }

    /// gpsd 3.22 reads the type 6 form at message bit 56, inside the header (`dest_mmsi`),
    /// not at the payload's first bit (88); this reads the payload.
    pub(super) fn write_gpsd<W: Write>(&self, obj: &mut JsonObject<'_, W>) -> fmt::Result {
        obj.uint("airdraught", self.airdraught.into());
        Ok(())
    }
}

/// Number of persons on board (types 6 and 8, DAC 1, FI 16).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonsOnBoard {
    /// Persons on board, 13 bits (0 not available, 8191 is 8191 or more).
    pub persons: u16,
}

impl PersonsOnBoard {
    /// Payload length written by the encoder: 136 bits, the length at which gpsd 3.22 reads
    /// the count from the payload in both message types (13 bits, then spare).
    pub const BITS: usize = 136;

    pub(super) fn decode(d: &BinaryData) -> Self {
        PersonsOnBoard {
            persons: d.uint(0, 13) as u16,
        }
    }

    pub(super) fn encode(&self, w: &mut DataWriter) {
        w.uint(self.persons.into(), 13);
        w.spare(Self::BITS - 13);
    }

    /// gpsd 3.22 reads the type 6 form at message bit 55 (inside `dest_mmsi`) unless the
    /// payload is 136 bits, and prints the type 8 form from the type 6 member of its union
    /// (always 0); this writes the count in the payload.
    pub(super) fn write_gpsd<W: Write>(&self, obj: &mut JsonObject<'_, W>) -> fmt::Result {
        obj.uint("persons", self.persons.into());
        Ok(())
    }
}

/// Clearance time to enter port (type 6, DAC 1, FI 18, IMO289).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClearanceTime {
    /// Message linkage id, 10 bits.
    pub linkage: u16,
    /// Clearance month (UTC).
    pub month: u8,
    /// Clearance day.
    pub day: u8,
    /// Clearance hour.
    pub hour: u8,
    /// Clearance minute.
    pub minute: u8,
    /// Name of port and berth.
    pub portname: String<20>,
    /// Destination (UN/LOCODE).
    pub destination: String<5>,
    /// Longitude, 1/1 000 minute, 25 bits.
    pub lon: i32,
    /// Latitude, 1/1 000 minute, 24 bits.
    pub lat: i32,
}

impl ClearanceTime {
    /// Standard payload length (gpsd decodes any length).
    pub const BITS: usize = 272;

    pub(super) fn decode(d: &BinaryData) -> Self {
        ClearanceTime {
            linkage: d.uint(0, 10) as u16,
            month: d.uint(10, 4) as u8,
            day: d.uint(14, 5) as u8,
            hour: d.uint(19, 5) as u8,
            minute: d.uint(24, 6) as u8,
            portname: d.text(30, 20),
            destination: d.text(150, 5),
            lon: d.int(180, 25),
            lat: d.int(205, 24),
        }
    }

    pub(super) fn encode(&self, w: &mut DataWriter) {
        w.uint(self.linkage.into(), 10);
        w.uint(self.month.into(), 4);
        w.uint(self.day.into(), 5);
        w.uint(self.hour.into(), 5);
        w.uint(self.minute.into(), 6);
        w.text(&self.portname, 20);
        w.text(&self.destination, 5);
        w.int(self.lon, 25);
        w.int(self.lat, 24);
        w.spare(43);
    }

    pub(super) fn write_gpsd<W: Write>(&self, obj: &mut JsonObject<'_, W>) -> fmt::Result {
        obj.uint("linkage", self.linkage.into());
        write_date_z(
            obj,
            "arrival",
            [self.month, self.day, self.hour, self.minute],
        )?;
        obj.str("portname", &self.portname)
            .str("destination", &self.destination)
            .int("lon", self.lon.into())
            .int("lat", self.lat.into());
        Ok(())
    }
}

/// gpsd's names of the 26 two-bit service fields of berthing data, in transmission order.
pub const SERVICE_NAMES: [&str; 26] = [
    "agent",
    "fuel",
    "chandler",
    "stevedore",
    "electrical",
    "water",
    "customs",
    "cartage",
    "crane",
    "lift",
    "medical",
    "navrepair",
    "provisions",
    "shiprepair",
    "surveyor",
    "steam",
    "tugs",
    "solidwaste",
    "liquidwaste",
    "hazardouswaste",
    "ballast",
    "additional",
    "regional1",
    "regional2",
    "future1",
    "future2",
];

const MOORING_POSITIONS: [&str; 8] = [
    "Not available",
    "Port-side to",
    "Starboard-side to",
    "Mediterranean (end-on) mooring",
    "Mooring buoy",
    "Anchorage",
    "Reserved for future use",
    "Reserved for future use",
];

/// Berthing data (type 6, DAC 1, FI 20, IMO289).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BerthingData {
    /// Message linkage id, 10 bits.
    pub linkage: u16,
    /// Berth length, metres, 9 bits.
    pub berth_length: u16,
    /// Water depth at berth, 1/10 metre, 8 bits.
    pub berth_depth: u8,
    /// Mooring position, 3 bits (`position_text` in gpsd's JSON).
    pub position: u8,
    /// Arrival month (UTC).
    pub month: u8,
    /// Arrival day.
    pub day: u8,
    /// Arrival hour.
    pub hour: u8,
    /// Arrival minute.
    pub minute: u8,
    /// Services availability flag (1 bit).
    pub availability: u8,
    /// The 26 two-bit service states, named by [`SERVICE_NAMES`].
    pub services: [u8; 26],
    /// Name of berth.
    pub berth_name: String<20>,
    /// Berth longitude, 1/1 000 minute, 25 bits.
    pub berth_lon: i32,
    /// Berth latitude, 1/1 000 minute, 24 bits.
    pub berth_lat: i32,
}

impl BerthingData {
    /// Standard payload length (gpsd decodes any length).
    pub const BITS: usize = 272;

    pub(super) fn decode(d: &BinaryData) -> Self {
        let mut services = [0u8; 26];
        for (i, s) in services.iter_mut().enumerate() {
            *s = d.uint(51 + 2 * i, 2) as u8;
        }
        BerthingData {
            linkage: d.uint(0, 10) as u16,
            berth_length: d.uint(10, 9) as u16,
            berth_depth: d.uint(19, 8) as u8,
            position: d.uint(27, 3) as u8,
            month: d.uint(30, 4) as u8,
            day: d.uint(34, 5) as u8,
            hour: d.uint(39, 5) as u8,
            minute: d.uint(44, 6) as u8,
            availability: d.uint(50, 1) as u8,
            services,
            berth_name: d.text(103, 20),
            berth_lon: d.int(223, 25),
            berth_lat: d.int(248, 24),
        }
    }

    pub(super) fn encode(&self, w: &mut DataWriter) {
        w.uint(self.linkage.into(), 10);
        w.uint(self.berth_length.into(), 9);
        w.uint(self.berth_depth.into(), 8);
        w.uint(self.position.into(), 3);
        w.uint(self.month.into(), 4);
        w.uint(self.day.into(), 5);
        w.uint(self.hour.into(), 5);
        w.uint(self.minute.into(), 6);
        w.uint(self.availability.into(), 1);
        for &s in &self.services {
            w.uint(s.into(), 2);
        }
        w.text(&self.berth_name, 20);
        w.int(self.berth_lon, 25);
        w.int(self.berth_lat, 24);
    }

    pub(super) fn write_gpsd<W: Write>(&self, obj: &mut JsonObject<'_, W>) -> fmt::Result {
        obj.uint("linkage", self.linkage.into())
            .uint("berth_length", self.berth_length.into())
            .uint("position", self.position.into())
            .str(
                "position_text",
                legend(&MOORING_POSITIONS, self.position.into(), ""),
            );
        write_date_plain(
            obj,
            "arrival",
            [self.month, self.day, self.hour, self.minute],
        )?;
        obj.uint("availability", self.availability.into());
        for (name, &s) in SERVICE_NAMES.iter().zip(&self.services) {
            obj.uint(name, s.into());
        }
        obj.str("berth_name", &self.berth_name)
            .int("berth_lon", self.berth_lon.into())
            .int("berth_lat", self.berth_lat.into())
            .uint("berth_depth", self.berth_depth.into());
        Ok(())
    }
}

/// One cargo of an IMO289 dangerous cargo indication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cargo {
    /// Code under which the cargo is classified (IMDG, BC, MARPOL...), 4 bits.
    pub code: u8,
    /// Subtype (class, UN number...), 13 bits.
    pub subtype: u16,
}

impl Cargo {
    const BASE: usize = 12;
    const SIZE: usize = 17;

    fn decode_at(d: &BinaryData, at: usize) -> Self {
        Cargo {
            code: d.uint(at, 4) as u8,
            subtype: d.uint(at + 4, 13) as u16,
        }
    }
}

/// Dangerous cargo indication (type 6, DAC 1, FI 25, IMO289).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DangerousCargo {
    /// Unit of the amount, 2 bits.
    pub unit: u8,
    /// Amount of cargo, 10 bits.
    pub amount: u16,
    /// The complete cargo entries in the payload.
    pub cargos: Vec<Cargo, { DangerousCargo::MAX_CARGOS }>,
}

impl DangerousCargo {
    /// Most complete cargo entries a five-slot payload holds.
    pub const MAX_CARGOS: usize = 55;

    pub(super) fn decode(d: &BinaryData) -> Self {
        let n = complete_groups(d, Cargo::BASE, Cargo::SIZE, Self::MAX_CARGOS);
        let mut cargos = Vec::new();
        for i in 0..n {
            if cargos
                .push(Cargo::decode_at(d, Cargo::BASE + i * Cargo::SIZE))
                .is_err()
            {
                break;
            }
        }
        DangerousCargo {
            unit: d.uint(0, 2) as u8,
            amount: d.uint(2, 10) as u16,
            cargos,
        }
    }

    pub(super) fn encode(&self, w: &mut DataWriter) {
        w.uint(self.unit.into(), 2);
        w.uint(self.amount.into(), 10);
        for c in &self.cargos {
            w.uint(c.code.into(), 4);
            w.uint(c.subtype.into(), 13);
        }
    }

    /// gpsd counts a cargo at every start offset strictly before the end of the payload.
    pub(super) fn write_gpsd<W: Write>(
        &self,
        data: &BinaryData,
        obj: &mut JsonObject<'_, W>,
    ) -> fmt::Result {
        obj.uint("unit", self.unit.into())
            .uint("amount", self.amount.into());
        let count = gpsd_group_count(data, Cargo::BASE, Cargo::SIZE, false);
        write_array(obj, "cargos", count, |i, o| {
            let c = Cargo::decode_at(data, Cargo::BASE + i * Cargo::SIZE);
            o.uint("code", c.code.into())
                .uint("subtype", c.subtype.into());
            Ok(())
        })
    }
}

const ROUTE_TYPES: [&str; 32] = {
    let mut t = ["Reserved for future use."; 32];
    t[0] = "Undefined (default)";
    t[1] = "Mandatory";
    t[2] = "Recommended";
    t[3] = "Alternative";
    t[4] = "Recommended route through ice";
    t[5] = "Ship route plan";
    t[31] = "Cancel route identified by message linkage";
    t
};

/// One waypoint of a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waypoint {
    /// Longitude, 1/10 000 minute, 28 bits.
    pub lon: i32,
    /// Latitude, 1/10 000 minute, 27 bits.
    pub lat: i32,
}

impl Waypoint {
    const BASE: usize = 61;
    const SIZE: usize = 55;

    fn decode_at(d: &BinaryData, at: usize) -> Self {
        Waypoint {
            lon: d.int(at, 28),
            lat: d.int(at + 28, 27),
        }
    }
}

/// Route information (type 6, DAC 1, FI 28 addressed; type 8, DAC 1, FI 27 broadcast;
/// IMO289).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteInfo {
    /// Message linkage id, 10 bits.
    pub linkage: u16,
    /// Sender classification, 3 bits.
    pub sender: u8,
    /// Route type, 5 bits (`rtype_text` in gpsd's JSON).
    pub rtype: u8,
    /// Start month (UTC).
    pub month: u8,
    /// Start day.
    pub day: u8,
    /// Start hour.
    pub hour: u8,
    /// Start minute.
    pub minute: u8,
    /// Duration, minutes, 18 bits.
    pub duration: u32,
    /// Number of waypoints announced, as transmitted (5 bits).
    pub waycount: u8,
    /// The waypoints present in full, at most `waycount`: the encoder writes `waycount` as
    /// given and then these.
    pub waypoints: Vec<Waypoint, { RouteInfo::MAX_WAYPOINTS }>,
}

impl RouteInfo {
    /// Most complete waypoints a five-slot payload holds.
    pub const MAX_WAYPOINTS: usize = 16;

    pub(super) fn decode(d: &BinaryData) -> Self {
        let waycount = d.uint(56, 5) as u8;
        let n = complete_groups(d, Waypoint::BASE, Waypoint::SIZE, Self::MAX_WAYPOINTS)
            .min(usize::from(waycount));
        let mut waypoints = Vec::new();
        for i in 0..n {
            let p = Waypoint::decode_at(d, Waypoint::BASE + i * Waypoint::SIZE);
            if waypoints.push(p).is_err() {
                break;
            }
        }
        RouteInfo {
            linkage: d.uint(0, 10) as u16,
            sender: d.uint(10, 3) as u8,
            rtype: d.uint(13, 5) as u8,
            month: d.uint(18, 4) as u8,
            day: d.uint(22, 5) as u8,
            hour: d.uint(27, 5) as u8,
            minute: d.uint(32, 6) as u8,
            duration: d.uint(38, 18),
            waycount,
            waypoints,
        }
    }

    pub(super) fn encode(&self, w: &mut DataWriter) {
        w.uint(self.linkage.into(), 10);
        w.uint(self.sender.into(), 3);
        w.uint(self.rtype.into(), 5);
        w.uint(self.month.into(), 4);
        w.uint(self.day.into(), 5);
        w.uint(self.hour.into(), 5);
        w.uint(self.minute.into(), 6);
        w.uint(self.duration, 18);
        w.uint(self.waycount.into(), 5);
        for p in &self.waypoints {
            w.int(p.lon, 28);
            w.int(p.lat, 27);
        }
    }

    /// gpsd writes `waycount` waypoints whatever the payload holds, zeros past its end.
    pub(super) fn write_gpsd<W: Write>(
        &self,
        data: &BinaryData,
        obj: &mut JsonObject<'_, W>,
    ) -> fmt::Result {
        obj.uint("linkage", self.linkage.into())
            .uint("sender", self.sender.into())
            .uint("rtype", self.rtype.into())
            .str("rtype_text", legend(&ROUTE_TYPES, self.rtype.into(), ""));
        write_date_z(obj, "start", [self.month, self.day, self.hour, self.minute])?;
        obj.uint("duration", self.duration.into());
        write_array(obj, "waypoints", self.waycount.into(), |i, o| {
            let p = Waypoint::decode_at(data, Waypoint::BASE + i * Waypoint::SIZE);
            o.int("lon", p.lon.into()).int("lat", p.lat.into());
            Ok(())
        })
    }
}

/// Text description (type 6, DAC 1, FI 30 addressed; type 8, DAC 1, FI 29 broadcast;
/// IMO289).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextDescription {
    /// Message linkage id, 10 bits.
    pub linkage: u16,
    /// The text: every whole six-bit character after the linkage id, to the first `@`.
    pub text: String<{ TextDescription::MAX_CHARS }>,
}

impl TextDescription {
    /// Most characters a five-slot payload holds.
    pub const MAX_CHARS: usize = (super::MAX_DATA_BITS - 10) / 6;

    pub(super) fn decode(d: &BinaryData) -> Self {
        TextDescription {
            linkage: d.uint(0, 10) as u16,
            text: d.text_to_end(10),
        }
    }

    pub(super) fn encode(&self, w: &mut DataWriter) {
        w.uint(self.linkage.into(), 10);
        w.text(&self.text, self.text.len());
    }

    pub(super) fn write_gpsd<W: Write>(&self, obj: &mut JsonObject<'_, W>) -> fmt::Result {
        obj.uint("linkage", self.linkage.into())
            .str("text", &self.text);
        Ok(())
    }
}

/// Fairway closed (type 8, DAC 1, FI 13, IMO236).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FairwayClosed {
    /// Reason for closing.
    pub reason: String<20>,
    /// Location of closing from.
    pub closefrom: String<20>,
    /// Location of closing to.
    pub closeto: String<20>,
    /// Radius extension, 10 bits.
    pub radius: u16,
    /// Unit of extension, 2 bits.
    pub extunit: u8,
    /// Closed from: day.
    pub fday: u8,
    /// Closed from: month.
    pub fmonth: u8,
    /// Closed from: hour.
    pub fhour: u8,
    /// Closed from: minute.
    pub fminute: u8,
    /// Closed to: day.
    pub tday: u8,
    /// Closed to: month.
    pub tmonth: u8,
    /// Closed to: hour.
    pub thour: u8,
    /// Closed to: minute.
    pub tminute: u8,
}

impl FairwayClosed {
    /// Standard payload length (gpsd decodes any length).
    pub const BITS: usize = 416;

    pub(super) fn decode(d: &BinaryData) -> Self {
        FairwayClosed {
            reason: d.text(0, 20),
            closefrom: d.text(120, 20),
            closeto: d.text(240, 20),
            radius: d.uint(360, 10) as u16,
            extunit: d.uint(370, 2) as u8,
            fday: d.uint(372, 5) as u8,
            fmonth: d.uint(377, 4) as u8,
            fhour: d.uint(381, 5) as u8,
            fminute: d.uint(386, 6) as u8,
            tday: d.uint(392, 5) as u8,
            tmonth: d.uint(397, 4) as u8,
            thour: d.uint(401, 5) as u8,
            tminute: d.uint(406, 6) as u8,
        }
    }

    pub(super) fn encode(&self, w: &mut DataWriter) {
        w.text(&self.reason, 20);
        w.text(&self.closefrom, 20);
        w.text(&self.closeto, 20);
        w.uint(self.radius.into(), 10);
        w.uint(self.extunit.into(), 2);
        w.uint(self.fday.into(), 5);
        w.uint(self.fmonth.into(), 4);
        w.uint(self.fhour.into(), 5);
        w.uint(self.fminute.into(), 6);
        w.uint(self.tday.into(), 5);
        w.uint(self.tmonth.into(), 4);
        w.uint(self.thour.into(), 5);
        w.uint(self.tminute.into(), 6);
        w.spare(4);
    }

    /// gpsd writes the two dates as `"MM-DDThh:mm"`, without the `Z` of its other dates.
    pub(super) fn write_gpsd<W: Write>(&self, obj: &mut JsonObject<'_, W>) -> fmt::Result {
        obj.str("reason", &self.reason)
            .str("closefrom", &self.closefrom)
            .str("closeto", &self.closeto)
            .uint("radius", self.radius.into())
            .uint("extunit", self.extunit.into());
        let out = obj.raw_value("from")?;
        write!(
            out,
            "\"{:02}-{:02}T{:02}:{:02}\"",
            self.fmonth, self.fday, self.fhour, self.fminute
        )?;
        let out = obj.raw_value("to")?;
        write!(
            out,
            "\"{:02}-{:02}T{:02}:{:02}\"",
            self.tmonth, self.tday, self.thour, self.tminute
        )
    }
}

/// How a VTS target is identified (2-bit type, then 42 bits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetId {
    /// Type 0: MMSI (42 bits as transmitted).
    Mmsi(u64),
    /// Type 1: IMO number (42 bits as transmitted).
    Imo(u64),
    /// Type 2: call sign, seven six-bit characters.
    Callsign(String<7>),
    /// Type 3: other, seven six-bit characters.
    Other(String<7>),
}

impl TargetId {
    fn idtype(&self) -> u8 {
        match self {
            TargetId::Mmsi(_) => 0,
            TargetId::Imo(_) => 1,
            TargetId::Callsign(_) => 2,
            TargetId::Other(_) => 3,
        }
    }
}

const ID_TYPES: [&str; 4] = ["mmsi", "imo", "callsign", "other"];

/// One VTS-generated or synthetic target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VtsTarget {
    /// The target's identifier.
    pub id: TargetId,
    /// Latitude, 1/1 000 minute, 24 bits.
    pub lat: i32,
    /// Longitude, 1/1 000 minute, 25 bits.
    pub lon: i32,
    /// Course over ground, degrees, 9 bits (360 not available).
    pub course: u16,
    /// UTC second, 6 bits.
    pub second: u8,
    /// Speed over ground, knots, 10 bits (255 not available).
    pub speed: u16,
}

impl VtsTarget {
    const SIZE: usize = 122;

    fn decode_at(d: &BinaryData, at: usize) -> Self {
        // A 42-bit number, read as 10 + 32 bits.
        let number = || u64::from(d.uint(at + 2, 10)) << 32 | u64::from(d.uint(at + 12, 32));
        let id = match d.uint(at, 2) {
            0 => TargetId::Mmsi(number()),
            1 => TargetId::Imo(number()),
            2 => TargetId::Callsign(d.text(at + 2, 7)),
            _ => TargetId::Other(d.text(at + 2, 7)),
        };
        VtsTarget {
            id,
            lat: d.int(at + 48, 24),
            lon: d.int(at + 72, 25),
            course: d.uint(at + 97, 9) as u16,
            second: d.uint(at + 106, 6) as u8,
            speed: d.uint(at + 112, 10) as u16,
        }
    }

    fn encode(&self, w: &mut DataWriter) {
        w.uint(self.id.idtype().into(), 2);
        match &self.id {
            TargetId::Mmsi(n) | TargetId::Imo(n) => {
                w.uint((n >> 32) as u32, 10);
                w.uint(*n as u32, 32);
            }
            TargetId::Callsign(s) | TargetId::Other(s) => w.text(s, 7),
        }
        w.spare(4);
        w.int(self.lat, 24);
        w.int(self.lon, 25);
        w.uint(self.course.into(), 9);
        w.uint(self.second.into(), 6);
        w.uint(self.speed.into(), 10);
    }
}

/// VTS-generated or synthetic targets (type 8, DAC 1, FI 17, IMO289).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VtsTargets {
    /// The complete targets in the payload (up to four in a standard message).
    pub targets: Vec<VtsTarget, { VtsTargets::MAX_TARGETS }>,
}

impl VtsTargets {
    /// Most complete targets a five-slot payload holds.
    pub const MAX_TARGETS: usize = 7;

    pub(super) fn decode(d: &BinaryData) -> Self {
        let n = complete_groups(d, 0, VtsTarget::SIZE, Self::MAX_TARGETS);
        let mut targets = Vec::new();
        for i in 0..n {
            if targets
                .push(VtsTarget::decode_at(d, i * VtsTarget::SIZE))
                .is_err()
            {
                break;
            }
        }
        VtsTargets { targets }
    }

    pub(super) fn encode(&self, w: &mut DataWriter) {
        for t in &self.targets {
            t.encode(w);
        }
    }

    /// gpsd counts a target at every start offset up to and including the end of the payload
    /// (so an empty payload has one all-zero target), and prints an MMSI or IMO number as a
    /// string of its low 32 bits (it keeps the 42-bit field in an `unsigned int`).
    pub(super) fn write_gpsd<W: Write>(
        data: &BinaryData,
        obj: &mut JsonObject<'_, W>,
    ) -> fmt::Result {
        let count = gpsd_group_count(data, 0, VtsTarget::SIZE, true);
        write_array(obj, "targets", count, |i, o| {
            let t = VtsTarget::decode_at(data, i * VtsTarget::SIZE);
            let idtype = t.id.idtype();
            let name = legend(&ID_TYPES, idtype.into(), "");
            o.uint("idtype", idtype.into()).str("idtype_text", name);
            match &t.id {
                TargetId::Mmsi(n) | TargetId::Imo(n) => {
                    let low = *n as u32;
                    write!(o.raw_value(name)?, "\"{low}\"")?;
                }
                TargetId::Callsign(s) | TargetId::Other(s) => {
                    o.str(name, s);
                }
            }
            o.int("lat", t.lat.into())
                .int("lon", t.lon.into())
                .uint("course", t.course.into())
                .uint("second", t.second.into())
                .uint("speed", t.speed.into());
            Ok(())
        })
    }
}

const SIGNALS: [&str; 15] = [
    "N/A",
    "Serious emergency \u{2013} stop or divert according to instructions.",
    "Vessels shall not proceed.",
    "Vessels may proceed. One way traffic.",
    "Vessels may proceed. Two way traffic.",
    "Vessels shall proceed on specific orders only.",
    "Vessels in main channel shall not proceed.",
    "Vessels in main channel shall proceed on specific orders only.",
    "Vessels in main channel shall proceed on specific orders only.",
    "I = \"in-bound\" only acceptable.",
    "O = \"out-bound\" only acceptable.",
    "F = both \"in- and out-bound\" acceptable.",
    "XI = Code will shift to \"I\" in due time.",
    "XO = Code will shift to \"O\" in due time.",
    "X = Vessels shall proceed only on direction.",
];

/// Marine traffic signal (type 8, DAC 1, FI 19, IMO289).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarineTrafficSignal {
    /// Message linkage id, 10 bits.
    pub linkage: u16,
    /// Name of the signal station.
    pub station: String<20>,
    /// Longitude, 1/1 000 minute, 25 bits.
    pub lon: i32,
    /// Latitude, 1/1 000 minute, 24 bits.
    pub lat: i32,
    /// Status of the signal, 2 bits.
    pub status: u8,
    /// Signal in service, 5 bits (`signal_text` in gpsd's JSON).
    pub signal: u8,
    /// UTC hour of the next shift.
    pub hour: u8,
    /// UTC minute of the next shift.
    pub minute: u8,
    /// Expected next signal, 5 bits.
    pub nextsignal: u8,
}

impl MarineTrafficSignal {
    /// Standard payload length (gpsd decodes any length).
    pub const BITS: usize = 304;

    pub(super) fn decode(d: &BinaryData) -> Self {
        MarineTrafficSignal {
            linkage: d.uint(0, 10) as u16,
            station: d.text(10, 20),
            lon: d.int(130, 25),
            lat: d.int(155, 24),
            status: d.uint(179, 2) as u8,
            signal: d.uint(181, 5) as u8,
            hour: d.uint(186, 5) as u8,
            minute: d.uint(191, 6) as u8,
            nextsignal: d.uint(197, 5) as u8,
        }
    }

    pub(super) fn encode(&self, w: &mut DataWriter) {
        w.uint(self.linkage.into(), 10);
        w.text(&self.station, 20);
        w.int(self.lon, 25);
        w.int(self.lat, 24);
        w.uint(self.status.into(), 2);
        w.uint(self.signal.into(), 5);
        w.uint(self.hour.into(), 5);
        w.uint(self.minute.into(), 6);
        w.uint(self.nextsignal.into(), 5);
        w.spare(102);
    }

    /// gpsd prints the position in degrees with four decimals even in unscaled mode, omits the
    /// comma before `nextsignal_text` and does not escape the quotes in its legends; this
    /// writes the same fields and values as valid JSON.
    pub(super) fn write_gpsd<W: Write>(&self, obj: &mut JsonObject<'_, W>) -> fmt::Result {
        const INVALID: &str = "INVALID SIGNAL TYPE";
        obj.uint("linkage", self.linkage.into())
            .str("station", &self.station)
            .fixed("lon", f64::from(self.lon) / 60_000.0, 4)
            .fixed("lat", f64::from(self.lat) / 60_000.0, 4)
            .uint("status", self.status.into())
            .uint("signal", self.signal.into())
            .str("signal_text", legend(&SIGNALS, self.signal.into(), INVALID))
            .uint("hour", self.hour.into())
            .uint("minute", self.minute.into())
            .uint("nextsignal", self.nextsignal.into())
            .str(
                "nextsignal_text",
                legend(&SIGNALS, self.nextsignal.into(), INVALID),
            );
        Ok(())
    }
}
