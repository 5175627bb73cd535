//! Link management: interrogation (15), assigned mode (16), data link management (20),
//! channel management (22), group assignment (23).

use super::legends::{ship_type_text, station_type_text};
use super::{check_len, header, lat_deg_tenth_minute, lon_deg_tenth_minute, whole_blocks};
use crate::ais::json::JsonObject;
use crate::ais::{AisBits, AisError};
use core::fmt::Write;

/// Interrogation (type 15): asks one or two stations for messages. Fields of requests the
/// message does not carry are 0 (message type 0 does not exist); the encoder writes the
/// shortest of ITU-R M.1371-5's three forms (88, 112, 160 bits) that holds the non-zero
/// fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrogation {
    /// Repeat indicator, 0-3.
    pub repeat: u8,
    /// Maritime Mobile Service Identity of the interrogating station.
    pub mmsi: u32,
    /// First station interrogated.
    pub mmsi1: u32,
    /// First message type requested from the first station.
    pub type1_1: u8,
    /// Slot offset of the first response.
    pub offset1_1: u16,
    /// Second message type requested from the first station; 0 if none.
    pub type1_2: u8,
    /// Slot offset of the second response.
    pub offset1_2: u16,
    /// Second station interrogated; 0 if none.
    pub mmsi2: u32,
    /// Message type requested from the second station.
    pub type2_1: u8,
    /// Slot offset of the second station's response.
    pub offset2_1: u16,
}

impl Interrogation {
    pub(super) fn decode(bits: &AisBits) -> Result<Self, AisError> {
        // gpsd 3.22 takes 88-168 bits and reads a partial second request (91-107 bits) or
        // second station (111-157 bits) zero-filled: guessed fields, rejected here.
        let n = whole_blocks(bits, 88, &[88, 108, 158], 168)?;
        let (type1_2, offset1_2) = if n >= 2 {
            (bits.uint(90, 6) as u8, bits.uint(96, 12) as u16)
        } else {
            (0, 0)
        };
        let (mmsi2, type2_1, offset2_1) = if n >= 3 {
            (
                bits.uint(110, 30),
                bits.uint(140, 6) as u8,
                bits.uint(146, 12) as u16,
            )
        } else {
            (0, 0, 0)
        };
        Ok(Interrogation {
            repeat: bits.uint(6, 2) as u8,
            mmsi: bits.uint(8, 30),
            mmsi1: bits.uint(40, 30),
            type1_1: bits.uint(70, 6) as u8,
            offset1_1: bits.uint(76, 12) as u16,
            type1_2,
            offset1_2,
            mmsi2,
            type2_1,
            offset2_1,
        })
    }

    pub(super) fn encode(&self) -> Result<AisBits, AisError> {
        let second_station = (self.mmsi2, self.type2_1, self.offset2_1) != (0, 0, 0);
        let second_request = second_station || (self.type1_2, self.offset1_2) != (0, 0);
        let mut w = header(15, self.repeat, self.mmsi);
        w.uint(0, 2)
            .uint(self.mmsi1, 30)
            .uint(u32::from(self.type1_1), 6)
            .uint(u32::from(self.offset1_1), 12);
        if second_request {
            w.uint(0, 2)
                .uint(u32::from(self.type1_2), 6)
                .uint(u32::from(self.offset1_2), 12);
        }
        if second_station {
            w.uint(0, 2)
                .uint(self.mmsi2, 30)
                .uint(u32::from(self.type2_1), 6)
                .uint(u32::from(self.offset2_1), 12);
        }
        w.pad_to_byte();
        w.finish()
    }

    pub(super) fn write_json<W: Write>(&self, o: &mut JsonObject<'_, W>) {
        o.uint("mmsi1", self.mmsi1.into())
            .uint("type1_1", self.type1_1.into())
            .uint("offset1_1", self.offset1_1.into())
            .uint("type1_2", self.type1_2.into())
            .uint("offset1_2", self.offset1_2.into())
            .uint("mmsi2", self.mmsi2.into())
            .uint("type2_1", self.type2_1.into())
            .uint("offset2_1", self.offset2_1.into());
    }
}

/// Assigned mode command (type 16) for one or two stations. The second station's fields
/// are 0 when the message carries one station (96 bits rather than 144).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssignedModeCommand {
    /// Repeat indicator, 0-3.
    pub repeat: u8,
    /// Maritime Mobile Service Identity of the assigning station.
    pub mmsi: u32,
    /// First station assigned.
    pub mmsi1: u32,
    /// Its slot offset.
    pub offset1: u16,
    /// Its slot increment.
    pub increment1: u16,
    /// Second station assigned; 0 if none.
    pub mmsi2: u32,
    /// Its slot offset.
    pub offset2: u16,
    /// Its slot increment.
    pub increment2: u16,
}

impl AssignedModeCommand {
    pub(super) fn decode(bits: &AisBits) -> Result<Self, AisError> {
        // 96 (one station and 4 spare bits) or 144 bits. gpsd 3.22 also takes 100-143 bits
        // as one station, ignoring a truncated second one; rejected here as wrong lengths.
        let n = whole_blocks(bits, 96, &[92, 144], 168)?;
        let (mmsi2, offset2, increment2) = if n >= 2 {
            (
                bits.uint(92, 30),
                bits.uint(122, 12) as u16,
                bits.uint(134, 10) as u16,
            )
        } else {
            (0, 0, 0)
        };
        Ok(AssignedModeCommand {
            repeat: bits.uint(6, 2) as u8,
            mmsi: bits.uint(8, 30),
            mmsi1: bits.uint(40, 30),
            offset1: bits.uint(70, 12) as u16,
            increment1: bits.uint(82, 10) as u16,
            mmsi2,
            offset2,
            increment2,
        })
    }

    pub(super) fn encode(&self) -> Result<AisBits, AisError> {
        let mut w = header(16, self.repeat, self.mmsi);
        w.uint(0, 2)
            .uint(self.mmsi1, 30)
            .uint(u32::from(self.offset1), 12)
            .uint(u32::from(self.increment1), 10);
        if (self.mmsi2, self.offset2, self.increment2) != (0, 0, 0) {
            w.uint(self.mmsi2, 30)
                .uint(u32::from(self.offset2), 12)
                .uint(u32::from(self.increment2), 10);
        } else {
            w.uint(0, 4);
        }
        w.finish()
    }

    pub(super) fn write_json<W: Write>(&self, o: &mut JsonObject<'_, W>) {
        o.uint("mmsi1", self.mmsi1.into())
            .uint("offset1", self.offset1.into())
            .uint("increment1", self.increment1.into())
            .uint("mmsi2", self.mmsi2.into())
            .uint("offset2", self.offset2.into())
            .uint("increment2", self.increment2.into());
    }
}

/// One slot reservation of a data link management message (type 20). All zero when the
/// message does not carry it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SlotReservation {
    /// Offset number: first reserved slot, relative to the message's slot.
    pub offset: u16,
    /// Number of consecutive slots reserved, 1-15; 0 none.
    pub number: u8,
    /// Time-out in minutes, 0-7.
    pub timeout: u8,
    /// Increment to repeat the reservation, slots; 0 one reservation only.
    pub increment: u16,
}

/// Data link management message (type 20): up to four slot reservations by a base station.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataLinkManagement {
    /// Repeat indicator, 0-3.
    pub repeat: u8,
    /// Maritime Mobile Service Identity of the base station.
    pub mmsi: u32,
    /// Reservations 1-4 (gpsd's `offset1`, `number1`, ... `increment4`); the encoder drops
    /// trailing all-zero ones.
    pub reservations: [SlotReservation; 4],
}

impl DataLinkManagement {
    pub(super) fn decode(bits: &AisBits) -> Result<Self, AisError> {
        // 72, 104, 136 or 160 bits: one to four 30-bit reservations padded to a byte. gpsd
        // 3.22 takes 72-186 bits and reads a partial reservation zero-filled (e.g. 80 or 150
        // bits): guessed fields, rejected here.
        let n = whole_blocks(bits, 72, &[70, 100, 130, 160], 186)?;
        let mut reservations = [SlotReservation::default(); 4];
        for (i, r) in reservations.iter_mut().enumerate().take(n) {
            let at = 40 + 30 * i;
            *r = SlotReservation {
                offset: bits.uint(at, 12) as u16,
                number: bits.uint(at + 12, 4) as u8,
                timeout: bits.uint(at + 16, 3) as u8,
                increment: bits.uint(at + 19, 11) as u16,
            };
        }
        Ok(DataLinkManagement {
            repeat: bits.uint(6, 2) as u8,
            mmsi: bits.uint(8, 30),
            reservations,
        })
    }

    pub(super) fn encode(&self) -> Result<AisBits, AisError> {
        let n = self
            .reservations
            .iter()
            .rposition(|r| *r != SlotReservation::default())
            .map_or(1, |last| last + 1);
        let mut w = header(20, self.repeat, self.mmsi);
        w.uint(0, 2);
        for r in self.reservations.iter().take(n) {
            w.uint(u32::from(r.offset), 12)
                .uint(u32::from(r.number), 4)
                .uint(u32::from(r.timeout), 3)
                .uint(u32::from(r.increment), 11);
        }
        w.pad_to_byte();
        w.finish()
    }

    pub(super) fn write_json<W: Write>(&self, o: &mut JsonObject<'_, W>) {
        const KEYS: [[&str; 4]; 4] = [
            ["offset1", "number1", "timeout1", "increment1"],
            ["offset2", "number2", "timeout2", "increment2"],
            ["offset3", "number3", "timeout3", "increment3"],
            ["offset4", "number4", "timeout4", "increment4"],
        ];
        for (r, [offset, number, timeout, increment]) in self.reservations.iter().zip(KEYS) {
            o.uint(offset, r.offset.into())
                .uint(number, r.number.into())
                .uint(timeout, r.timeout.into())
                .uint(increment, r.increment.into());
        }
    }
}

/// Where a channel management message (type 22) applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelManagementTarget {
    /// Broadcast to a rectangle, corners in 1/10 minute.
    Area {
        /// North-east corner longitude.
        ne_lon: i32,
        /// North-east corner latitude.
        ne_lat: i32,
        /// South-west corner longitude.
        sw_lon: i32,
        /// South-west corner latitude.
        sw_lat: i32,
    },
    /// Addressed to one or two stations.
    Addressed {
        /// First station.
        dest1: u32,
        /// Second station; 0 if none.
        dest2: u32,
    },
}

/// Channel management (type 22), by a base station.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelManagement {
    /// Repeat indicator, 0-3.
    pub repeat: u8,
    /// Maritime Mobile Service Identity of the base station.
    pub mmsi: u32,
    /// Channel A number (ITU-R M.1084).
    pub channel_a: u16,
    /// Channel B number.
    pub channel_b: u16,
    /// Transmit/receive mode, 0-15 (0-3 defined).
    pub txrx: u8,
    /// Power level: true for low.
    pub power: bool,
    /// The area, or the stations addressed (the addressed flag, bit 139).
    pub target: ChannelManagementTarget,
    /// Channel A bandwidth flag.
    pub band_a: bool,
    /// Channel B bandwidth flag.
    pub band_b: bool,
    /// Size of the transitional zone in nautical miles less one, 0-7.
    pub zonesize: u8,
}

impl ChannelManagement {
    /// Payload length of type 22.
    pub const BITS: usize = 168;

    pub(super) fn decode(bits: &AisBits) -> Result<Self, AisError> {
        check_len(bits, bits.len() >= Self::BITS)?;
        let target = if bits.flag(139) {
            ChannelManagementTarget::Addressed {
                dest1: bits.uint(69, 30),
                dest2: bits.uint(104, 30),
            }
        } else {
            ChannelManagementTarget::Area {
                ne_lon: bits.int(69, 18),
                ne_lat: bits.int(87, 17),
                sw_lon: bits.int(104, 18),
                sw_lat: bits.int(122, 17),
            }
        };
        Ok(ChannelManagement {
            repeat: bits.uint(6, 2) as u8,
            mmsi: bits.uint(8, 30),
            channel_a: bits.uint(40, 12) as u16,
            channel_b: bits.uint(52, 12) as u16,
            txrx: bits.uint(64, 4) as u8,
            power: bits.flag(68),
            target,
            band_a: bits.flag(140),
            band_b: bits.flag(141),
            zonesize: bits.uint(142, 3) as u8,
        })
    }

    pub(super) fn encode(&self) -> Result<AisBits, AisError> {
        let mut w = header(22, self.repeat, self.mmsi);
        w.uint(0, 2)
            .uint(u32::from(self.channel_a), 12)
            .uint(u32::from(self.channel_b), 12)
            .uint(u32::from(self.txrx), 4)
            .flag(self.power);
        match self.target {
            ChannelManagementTarget::Area {
                ne_lon,
                ne_lat,
                sw_lon,
                sw_lat,
            } => w
                .int(ne_lon, 18)
                .int(ne_lat, 17)
                .int(sw_lon, 18)
                .int(sw_lat, 17)
                .flag(false),
            ChannelManagementTarget::Addressed { dest1, dest2 } => w
                .uint(dest1, 30)
                .uint(0, 5)
                .uint(dest2, 30)
                .uint(0, 5)
                .flag(true),
        };
        w.flag(self.band_a)
            .flag(self.band_b)
            .uint(u32::from(self.zonesize), 3)
            .uint(0, 23);
        w.finish()
    }

    pub(super) fn write_json<W: Write>(&self, o: &mut JsonObject<'_, W>) {
        o.uint("channel_a", self.channel_a.into())
            .uint("channel_b", self.channel_b.into())
            .uint("txrx", self.txrx.into())
            .bool("power", self.power);
        let addressed = match self.target {
            ChannelManagementTarget::Area {
                ne_lon,
                ne_lat,
                sw_lon,
                sw_lat,
            } => {
                o.int("ne_lon", ne_lon.into())
                    .int("ne_lat", ne_lat.into())
                    .int("sw_lon", sw_lon.into())
                    .int("sw_lat", sw_lat.into());
                false
            }
            ChannelManagementTarget::Addressed { dest1, dest2 } => {
                o.uint("dest1", dest1.into()).uint("dest2", dest2.into());
                true
            }
        };
        o.bool("addressed", addressed)
            .bool("band_a", self.band_a)
            .bool("band_b", self.band_b)
            .uint("zonesize", self.zonesize.into());
    }
}

/// Group assignment command (type 23): sets reporting of the stations of a type in an area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupAssignment {
    /// Repeat indicator, 0-3.
    pub repeat: u8,
    /// Maritime Mobile Service Identity of the base station.
    pub mmsi: u32,
    /// North-east corner longitude, 1/10 minute.
    pub ne_lon: i32,
    /// North-east corner latitude, 1/10 minute.
    pub ne_lat: i32,
    /// South-west corner longitude, 1/10 minute.
    pub sw_lon: i32,
    /// South-west corner latitude, 1/10 minute.
    pub sw_lat: i32,
    /// Station type addressed, 0-15.
    pub stationtype: u8,
    /// Type of ship and cargo addressed, 0-255 (0 all types).
    pub shiptype: u8,
    /// Transmit/receive mode, 0-3.
    pub txrx: u8,
    /// Reporting interval code, 0-15.
    pub interval: u8,
    /// Quiet time in minutes, 0-15 (0 none).
    pub quiet: u8,
}

impl GroupAssignment {
    /// Payload length of type 23.
    pub const BITS: usize = 160;

    pub(super) fn decode(bits: &AisBits) -> Result<Self, AisError> {
        check_len(bits, bits.len() >= Self::BITS)?;
        Ok(GroupAssignment {
            repeat: bits.uint(6, 2) as u8,
            mmsi: bits.uint(8, 30),
            ne_lon: bits.int(40, 18),
            ne_lat: bits.int(58, 17),
            sw_lon: bits.int(75, 18),
            sw_lat: bits.int(93, 17),
            stationtype: bits.uint(110, 4) as u8,
            shiptype: bits.uint(114, 8) as u8,
            txrx: bits.uint(144, 2) as u8,
            interval: bits.uint(146, 4) as u8,
            quiet: bits.uint(150, 4) as u8,
        })
    }

    pub(super) fn encode(&self) -> Result<AisBits, AisError> {
        let mut w = header(23, self.repeat, self.mmsi);
        w.uint(0, 2)
            .int(self.ne_lon, 18)
            .int(self.ne_lat, 17)
            .int(self.sw_lon, 18)
            .int(self.sw_lat, 17)
            .uint(u32::from(self.stationtype), 4)
            .uint(u32::from(self.shiptype), 8)
            .uint(0, 22)
            .uint(u32::from(self.txrx), 2)
            .uint(u32::from(self.interval), 4)
            .uint(u32::from(self.quiet), 4)
            .uint(0, 6);
        w.finish()
    }

    pub(super) fn write_json<W: Write>(&self, o: &mut JsonObject<'_, W>) {
        // gpsd 3.22 does not write the tx/rx mode of type 23.
        o.int("ne_lon", self.ne_lon.into())
            .int("ne_lat", self.ne_lat.into())
            .int("sw_lon", self.sw_lon.into())
            .int("sw_lat", self.sw_lat.into())
            .uint("stationtype", self.stationtype.into())
            .str("stationtype_text", station_type_text(self.stationtype))
            .uint("shiptype", self.shiptype.into())
            .str("shiptype_text", ship_type_text(self.shiptype))
            .uint("interval", self.interval.into())
            .uint("quiet", self.quiet.into());
    }

    /// North-east corner as (latitude, longitude) in degrees, if in range.
    pub fn ne_deg(&self) -> Option<(f64, f64)> {
        lat_deg_tenth_minute(self.ne_lat).zip(lon_deg_tenth_minute(self.ne_lon))
    }

    /// South-west corner as (latitude, longitude) in degrees, if in range.
    pub fn sw_deg(&self) -> Option<(f64, f64)> {
        lat_deg_tenth_minute(self.sw_lat).zip(lon_deg_tenth_minute(self.sw_lon))
    }
}
