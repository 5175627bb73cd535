//! Static data: class A static and voyage data (5), aids to navigation (21), class B static
//! data (24).

use super::legends::{aid_type_text, epfd_text, ship_type_text};
use super::{check_len, header, lat_deg, lon_deg, wrong_length};
use crate::ais::json::JsonObject;
use crate::ais::{AisBits, AisError};
use core::fmt::Write;
use heapless::String;

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

    pub(super) fn decode(bits: &AisBits) -> Result<Self, AisError> {
        // The DTE flag is bit 422. gpsd 3.22 also takes 420-422 bits (transmitters that drop
        // the last armour character's bits) and reports DTE as 0 there: a guessed field,
        // rejected here. 423 bits lack only the spare bit.
        check_len(bits, bits.len() >= 423)?;
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

    pub(super) fn encode(&self) -> Result<AisBits, AisError> {
        let mut w = header(5, self.repeat, self.mmsi);
        w.uint(u32::from(self.ais_version), 2)
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

    pub(super) fn write_json<W: Write>(&self, o: &mut JsonObject<'_, W>) {
        o.uint("imo", self.imo.into())
            .uint("ais_version", self.ais_version.into())
            .str("callsign", &self.callsign)
            .str("shipname", &self.shipname)
            .uint("shiptype", self.shiptype.into())
            .str("shiptype_text", ship_type_text(self.shiptype))
            .uint("to_bow", self.to_bow.into())
            .uint("to_stern", self.to_stern.into())
            .uint("to_port", self.to_port.into())
            .uint("to_starboard", self.to_starboard.into())
            .uint("epfd", self.epfd.into())
            .str("epfd_text", epfd_text(self.epfd))
            .str_fmt(
                "eta",
                format_args!(
                    "{:02}-{:02}T{:02}:{:02}Z",
                    self.month, self.day, self.hour, self.minute
                ),
            )
            .uint("draught", self.draught.into())
            .str("destination", &self.destination)
            .uint("dte", self.dte.into());
    }

    /// Maximum present static draught in metres, if available (0 means not available).
    pub fn draught_m(&self) -> Option<f64> {
        (self.draught > 0).then(|| f64::from(self.draught) / 10.0)
    }
}

/// Most characters of an aid-to-navigation name with its extension: 20 + 14 per ITU-R
/// M.1371-5, 20 + 16 in the 368-bit messages gpsd also takes.
pub const MAX_AID_NAME_CHARS: usize = 36;

/// Aid-to-navigation report (type 21).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AidToNavigationReport {
    /// Repeat indicator, 0-3.
    pub repeat: u8,
    /// Maritime Mobile Service Identity.
    pub mmsi: u32,
    /// Type of aid to navigation, 0-31.
    pub aid_type: u8,
    /// Name, with the name extension appended as gpsd does: the extension is read only when
    /// the 20-character name field is full (no `@`), and the whole is cut at the first `@`
    /// and trimmed of trailing spaces.
    pub name: String<MAX_AID_NAME_CHARS>,
    /// Position accuracy flag: true for better than 10 m.
    pub accuracy: bool,
    /// Longitude in 1/10 000 minute; 181° not available.
    pub lon: i32,
    /// Latitude in 1/10 000 minute; 91° not available.
    pub lat: i32,
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
    /// UTC second of the fix, 0-59; 60 not available, 61-63 special modes.
    pub second: u8,
    /// Off-position indicator (valid only for floating aids, when `second` ≤ 59).
    pub off_position: bool,
    /// Eight bits reserved for regional applications.
    pub regional: u8,
    /// Receiver autonomous integrity monitoring in use.
    pub raim: bool,
    /// Virtual aid: transmitted for a position where there is no physical aid.
    pub virtual_aid: bool,
    /// Station in assigned mode.
    pub assigned: bool,
}

impl AidToNavigationReport {
    /// Payload length of type 21 without a name extension.
    pub const BITS: usize = 272;
    /// Longest payload gpsd takes: 16 extension characters.
    const MAX_BITS: usize = 368;

    pub(super) fn decode(bits: &AisBits) -> Result<Self, AisError> {
        check_len(bits, (Self::BITS..=Self::MAX_BITS).contains(&bits.len()))?;
        let mut name: String<MAX_AID_NAME_CHARS> = bits.text_untrimmed(43, 20);
        if name.len() == 20 {
            let ext: String<{ MAX_AID_NAME_CHARS - 20 }> =
                bits.text_untrimmed(272, (bits.len() - 272) / 6);
            // Cannot fail: 20 + 16 characters fit.
            let _ = name.push_str(&ext);
        }
        while name.ends_with(' ') {
            name.pop();
        }
        Ok(AidToNavigationReport {
            repeat: bits.uint(6, 2) as u8,
            mmsi: bits.uint(8, 30),
            aid_type: bits.uint(38, 5) as u8,
            name,
            accuracy: bits.flag(163),
            lon: bits.int(164, 28),
            lat: bits.int(192, 27),
            to_bow: bits.uint(219, 9) as u16,
            to_stern: bits.uint(228, 9) as u16,
            to_port: bits.uint(237, 6) as u8,
            to_starboard: bits.uint(243, 6) as u8,
            epfd: bits.uint(249, 4) as u8,
            second: bits.uint(253, 6) as u8,
            off_position: bits.flag(259),
            regional: bits.uint(260, 8) as u8,
            raim: bits.flag(268),
            virtual_aid: bits.flag(269),
            assigned: bits.flag(270),
        })
    }

    pub(super) fn encode(&self) -> Result<AisBits, AisError> {
        // The first 20 characters fill the name field, the rest the extension.
        let cut = (0..=self.name.len().min(20))
            .rev()
            .find(|&i| self.name.is_char_boundary(i))
            .unwrap_or(0);
        let (first, ext) = self.name.split_at(cut);
        let mut w = header(21, self.repeat, self.mmsi);
        w.uint(u32::from(self.aid_type), 5)
            .text(first, 20)
            .flag(self.accuracy)
            .int(self.lon, 28)
            .int(self.lat, 27)
            .uint(u32::from(self.to_bow), 9)
            .uint(u32::from(self.to_stern), 9)
            .uint(u32::from(self.to_port), 6)
            .uint(u32::from(self.to_starboard), 6)
            .uint(u32::from(self.epfd), 4)
            .uint(u32::from(self.second), 6)
            .flag(self.off_position)
            .uint(u32::from(self.regional), 8)
            .flag(self.raim)
            .flag(self.virtual_aid)
            .flag(self.assigned)
            .uint(0, 1)
            .text(ext, ext.len())
            // ITU-R M.1371-5: spare bits pad the extension to a byte boundary.
            .pad_to_byte();
        w.finish()
    }

    pub(super) fn write_json<W: Write>(&self, o: &mut JsonObject<'_, W>) {
        o.uint("aid_type", self.aid_type.into())
            .str("aid_type_text", aid_type_text(self.aid_type))
            .str("name", &self.name)
            .bool("accuracy", self.accuracy)
            .int("lon", self.lon.into())
            .int("lat", self.lat.into())
            .uint("to_bow", self.to_bow.into())
            .uint("to_stern", self.to_stern.into())
            .uint("to_port", self.to_port.into())
            .uint("to_starboard", self.to_starboard.into())
            .uint("epfd", self.epfd.into())
            .str("epfd_text", epfd_text(self.epfd))
            .uint("second", self.second.into())
            .uint("regional", self.regional.into())
            .bool("off_position", self.off_position)
            .bool("raim", self.raim)
            .bool("virtual_aid", self.virtual_aid);
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

/// Class B static data report (type 24), sent in two parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticDataReport {
    /// Repeat indicator, 0-3.
    pub repeat: u8,
    /// Maritime Mobile Service Identity.
    pub mmsi: u32,
    /// Part A (name) or part B (type, vendor, call sign, dimensions).
    pub part: StaticDataPart,
}

/// The two parts of a type 24 static data report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaticDataPart {
    /// Part A (part number 0).
    A {
        /// Ship name, up to 20 characters.
        shipname: String<20>,
    },
    /// Part B (part number 1).
    B {
        /// Type of ship and cargo, 0-255 as transmitted.
        shiptype: u8,
        /// Vendor identification: manufacturer's mnemonic, 3 characters (ITU-R
        /// M.1371-4 on), cut at the first `@` but not trimmed, because gpsd reports a
        /// 7-character vendor id running on into the model and serial bits (ITU-R M.1371-3).
        vendorid: String<3>,
        /// Unit model code, 0-15.
        model: u8,
        /// Unit serial number, 20 bits.
        serial: u32,
        /// Call sign, up to 7 characters.
        callsign: String<7>,
        /// Dimensions, or the mother ship of an auxiliary craft.
        reference: Type24Reference,
    },
}

/// What the last 30 bits of a type 24 part B carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type24Reference {
    /// Dimensions to the reference point, metres.
    Dimensions {
        /// To the bow, 0-511.
        to_bow: u16,
        /// To the stern, 0-511.
        to_stern: u16,
        /// To port, 0-63.
        to_port: u8,
        /// To starboard, 0-63.
        to_starboard: u8,
    },
    /// The mother ship's MMSI: only for auxiliary craft, whose MMSI is 98xxxxxxx.
    Mothership(u32),
}

impl StaticDataReport {
    /// Payload length of part A (ITU-R M.1371-5); many units send 168 bits, as part B.
    pub const BITS_A: usize = 160;
    /// Payload length of part B.
    pub const BITS_B: usize = 168;

    /// Whether `mmsi` is an auxiliary craft's (98xxxxxxx), whose part B carries a mother
    /// ship's MMSI instead of dimensions.
    pub fn is_auxiliary(mmsi: u32) -> bool {
        mmsi / 10_000_000 == 98
    }

    pub(super) fn decode(bits: &AisBits) -> Result<Self, AisError> {
        let mmsi = bits.uint(8, 30);
        let part = match bits.uint(38, 2) as u8 {
            0 => {
                check_len(bits, (Self::BITS_A..=Self::BITS_B).contains(&bits.len()))?;
                StaticDataPart::A {
                    shipname: bits.text(40, 20),
                }
            }
            1 => {
                // The last field ends at bit 162; gpsd wants the 8 spare bits too.
                check_len(bits, bits.len() >= Self::BITS_B)?;
                let reference = if Self::is_auxiliary(mmsi) {
                    Type24Reference::Mothership(bits.uint(132, 30))
                } else {
                    Type24Reference::Dimensions {
                        to_bow: bits.uint(132, 9) as u16,
                        to_stern: bits.uint(141, 9) as u16,
                        to_port: bits.uint(150, 6) as u8,
                        to_starboard: bits.uint(156, 6) as u8,
                    }
                };
                StaticDataPart::B {
                    shiptype: bits.uint(40, 8) as u8,
                    vendorid: bits.text_untrimmed(48, 3),
                    model: bits.uint(66, 4) as u8,
                    serial: bits.uint(70, 20),
                    callsign: bits.text(90, 7),
                    reference,
                }
            }
            other => {
                // Check the length first, so that noise is counted as such.
                if bits.len() < Self::BITS_A {
                    return Err(wrong_length(bits));
                }
                return Err(AisError::UnknownPart(other));
            }
        };
        Ok(StaticDataReport {
            repeat: bits.uint(6, 2) as u8,
            mmsi,
            part,
        })
    }

    pub(super) fn encode(&self) -> Result<AisBits, AisError> {
        let mut w = header(24, self.repeat, self.mmsi);
        match &self.part {
            StaticDataPart::A { shipname } => {
                w.uint(0, 2).text(shipname, 20);
            }
            StaticDataPart::B {
                shiptype,
                vendorid,
                model,
                serial,
                callsign,
                reference,
            } => {
                w.uint(1, 2)
                    .uint(u32::from(*shiptype), 8)
                    .text(vendorid, 3)
                    .uint(u32::from(*model), 4)
                    .uint(*serial, 20)
                    .text(callsign, 7);
                match *reference {
                    Type24Reference::Dimensions {
                        to_bow,
                        to_stern,
                        to_port,
                        to_starboard,
                    } => w
                        .uint(u32::from(to_bow), 9)
                        .uint(u32::from(to_stern), 9)
                        .uint(u32::from(to_port), 6)
                        .uint(u32::from(to_starboard), 6),
                    Type24Reference::Mothership(mmsi) => w.uint(mmsi, 30),
                };
                w.uint(0, 6);
            }
        }
        w.finish()
    }

    /// gpsd's fields; for a part B with the name of an earlier part A (`part_a_name`), the
    /// merged form gpsd writes then: no `"part"`, the name before part B's fields.
    pub(super) fn write_json_merged<W: Write>(
        &self,
        part_a_name: Option<&str>,
        o: &mut JsonObject<'_, W>,
    ) {
        match &self.part {
            StaticDataPart::A { shipname } => {
                o.str("part", "A").str("shipname", shipname);
            }
            StaticDataPart::B {
                shiptype,
                vendorid,
                model,
                serial,
                callsign,
                reference,
            } => {
                match part_a_name {
                    Some(name) => o.str("shipname", name),
                    None => o.str("part", "B"),
                };
                o.uint("shiptype", (*shiptype).into())
                    .str("shiptype_text", ship_type_text(*shiptype))
                    .str("vendorid", &gpsd_vendorid(vendorid, *model, *serial))
                    .uint("model", (*model).into())
                    .uint("serial", (*serial).into())
                    .str("callsign", callsign);
                match *reference {
                    Type24Reference::Dimensions {
                        to_bow,
                        to_stern,
                        to_port,
                        to_starboard,
                    } => o
                        .uint("to_bow", to_bow.into())
                        .uint("to_stern", to_stern.into())
                        .uint("to_port", to_port.into())
                        .uint("to_starboard", to_starboard.into()),
                    Type24Reference::Mothership(mmsi) => o.uint("mothership_mmsi", mmsi.into()),
                };
            }
        }
    }
}

/// gpsd's 7-character vendor id: the 3-character vendor id followed by the model and serial
/// bits read as four more six-bit characters, cut at the first `@` and trimmed.
fn gpsd_vendorid(vendorid: &str, model: u8, serial: u32) -> String<7> {
    let mut out: String<7> = String::new();
    let _ = out.push_str(vendorid);
    if vendorid.len() == 3 {
        let tail = (u32::from(model & 0xf) << 20) | (serial & 0xf_ffff);
        for shift in [18, 12, 6, 0] {
            let c = crate::ais::bits::text_char((tail >> shift) as u8);
            if c == b'@' {
                break;
            }
            let _ = out.push(char::from(c));
        }
    }
    while out.ends_with(' ') {
        out.pop();
    }
    out
}
