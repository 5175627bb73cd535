//! Binary messages: addressed (6) and broadcast (8) with their DAC/FI application payloads,
//! DGNSS corrections (17), single (25) and multiple slot (26) binary messages. Application
//! payloads stay bits ([`BinaryData`]); [`crate::ais::binary`] decodes the known ones.

use super::{check_len, header, lat_deg_tenth_minute, lon_deg_tenth_minute};
use crate::ais::binary::{self, BinaryData};
use crate::ais::json::JsonObject;
use crate::ais::{AisBits, AisError};
use core::fmt::{self, Write};

/// Longest payload of types 6, 8, 12, 14: five slots.
const FIVE_SLOTS: usize = 1008;

/// Addressed binary message (type 6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressedBinary {
    /// Repeat indicator, 0-3.
    pub repeat: u8,
    /// Maritime Mobile Service Identity of the sender.
    pub mmsi: u32,
    /// Sequence number, 0-3.
    pub seqno: u8,
    /// Destination MMSI.
    pub dest_mmsi: u32,
    /// Retransmitted flag.
    pub retransmit: bool,
    /// Designated area code of the application (1 international, 200 inland, ...).
    pub dac: u16,
    /// Function identifier of the application within its DAC, 0-63.
    pub fid: u8,
    /// The application payload, after the DAC/FI.
    pub data: BinaryData,
}

impl AddressedBinary {
    pub(super) fn decode(bits: &AisBits) -> Result<Self, AisError> {
        check_len(bits, (88..=FIVE_SLOTS).contains(&bits.len()))?;
        Ok(AddressedBinary {
            repeat: bits.uint(6, 2) as u8,
            mmsi: bits.uint(8, 30),
            seqno: bits.uint(38, 2) as u8,
            dest_mmsi: bits.uint(40, 30),
            retransmit: bits.flag(70),
            dac: bits.uint(72, 10) as u16,
            fid: bits.uint(82, 6) as u8,
            data: BinaryData::from_bits(bits, 88),
        })
    }

    pub(super) fn encode(&self) -> Result<AisBits, AisError> {
        let mut w = header(6, self.repeat, self.mmsi);
        w.uint(u32::from(self.seqno), 2)
            .uint(self.dest_mmsi, 30)
            .flag(self.retransmit)
            .uint(0, 1)
            .uint(u32::from(self.dac), 10)
            .uint(u32::from(self.fid), 6);
        self.data.write_to(&mut w);
        five_slots(w.finish()?)
    }

    pub(super) fn write_json<W: Write>(&self, o: &mut JsonObject<'_, W>) -> fmt::Result {
        o.uint("seqno", self.seqno.into())
            .uint("dest_mmsi", self.dest_mmsi.into())
            .bool("retransmit", self.retransmit)
            .uint("dac", self.dac.into())
            .uint("fid", self.fid.into());
        binary::write_gpsd_fields(6, self.dac, self.fid, &self.data, o)
    }
}

/// Binary broadcast message (type 8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BinaryBroadcast {
    /// Repeat indicator, 0-3.
    pub repeat: u8,
    /// Maritime Mobile Service Identity of the sender.
    pub mmsi: u32,
    /// Designated area code of the application.
    pub dac: u16,
    /// Function identifier of the application, 0-63.
    pub fid: u8,
    /// The application payload, after the DAC/FI.
    pub data: BinaryData,
}

impl BinaryBroadcast {
    pub(super) fn decode(bits: &AisBits) -> Result<Self, AisError> {
        check_len(bits, (56..=FIVE_SLOTS).contains(&bits.len()))?;
        Ok(BinaryBroadcast {
            repeat: bits.uint(6, 2) as u8,
            mmsi: bits.uint(8, 30),
            dac: bits.uint(40, 10) as u16,
            fid: bits.uint(50, 6) as u8,
            data: BinaryData::from_bits(bits, 56),
        })
    }

    pub(super) fn encode(&self) -> Result<AisBits, AisError> {
        let mut w = header(8, self.repeat, self.mmsi);
        w.uint(0, 2)
            .uint(u32::from(self.dac), 10)
            .uint(u32::from(self.fid), 6);
        self.data.write_to(&mut w);
        five_slots(w.finish()?)
    }

    pub(super) fn write_json<W: Write>(&self, o: &mut JsonObject<'_, W>) -> fmt::Result {
        o.uint("dac", self.dac.into()).uint("fid", self.fid.into());
        binary::write_gpsd_fields(8, self.dac, self.fid, &self.data, o)
    }
}

/// GNSS broadcast binary message (type 17): DGNSS corrections (ITU-R M.823 words) from a
/// reference station.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DgnssBroadcast {
    /// Repeat indicator, 0-3.
    pub repeat: u8,
    /// Maritime Mobile Service Identity of the base station.
    pub mmsi: u32,
    /// Reference station longitude, 1/10 minute; 181° not available.
    pub lon: i32,
    /// Reference station latitude, 1/10 minute; 91° not available.
    pub lat: i32,
    /// The correction data, up to 736 bits.
    pub data: BinaryData,
}

impl DgnssBroadcast {
    /// Longest payload: 80 header bits and 736 data bits.
    const MAX_BITS: usize = 816;

    pub(super) fn decode(bits: &AisBits) -> Result<Self, AisError> {
        check_len(bits, (80..=Self::MAX_BITS).contains(&bits.len()))?;
        Ok(DgnssBroadcast {
            repeat: bits.uint(6, 2) as u8,
            mmsi: bits.uint(8, 30),
            lon: bits.int(40, 18),
            lat: bits.int(58, 17),
            data: BinaryData::from_bits(bits, 80),
        })
    }

    pub(super) fn encode(&self) -> Result<AisBits, AisError> {
        let mut w = header(17, self.repeat, self.mmsi);
        w.uint(0, 2).int(self.lon, 18).int(self.lat, 17).uint(0, 5);
        self.data.write_to(&mut w);
        let bits = w.finish()?;
        if bits.len() > Self::MAX_BITS {
            return Err(AisError::TooLong);
        }
        Ok(bits)
    }

    pub(super) fn write_json<W: Write>(&self, o: &mut JsonObject<'_, W>) -> fmt::Result {
        o.int("lon", self.lon.into()).int("lat", self.lat.into());
        binary::write_raw_data(&self.data, o)
    }

    /// Reference station latitude in degrees, if available and in range.
    pub fn lat_deg(&self) -> Option<f64> {
        lat_deg_tenth_minute(self.lat)
    }

    /// Reference station longitude in degrees, if available and in range.
    pub fn lon_deg(&self) -> Option<f64> {
        lon_deg_tenth_minute(self.lon)
    }
}

/// The application identifier of a structured type 25 or 26 message: DAC and FI, as in
/// types 6 and 8 (gpsd writes them as one 16-bit `app_id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApplicationId {
    /// Designated area code.
    pub dac: u16,
    /// Function identifier, 0-63.
    pub fid: u8,
}

impl ApplicationId {
    fn read(bits: &AisBits, at: usize) -> Self {
        ApplicationId {
            dac: bits.uint(at, 10) as u16,
            fid: bits.uint(at + 10, 6) as u8,
        }
    }

    /// gpsd's `app_id`: DAC and FI as one 16-bit number.
    pub fn app_id(&self) -> u16 {
        (self.dac << 6) | u16::from(self.fid & 0x3f)
    }
}

/// Single slot binary message (type 25): addressed or broadcast, structured (with an
/// application identifier) or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SingleSlotBinary {
    /// Repeat indicator, 0-3.
    pub repeat: u8,
    /// Maritime Mobile Service Identity of the sender.
    pub mmsi: u32,
    /// Destination, when addressed (the addressed flag).
    pub dest_mmsi: Option<u32>,
    /// Application identifier, when structured (the structured flag).
    pub app_id: Option<ApplicationId>,
    /// The binary data after the header.
    pub data: BinaryData,
}

impl SingleSlotBinary {
    /// Longest payload: one slot.
    const MAX_BITS: usize = 168;

    pub(super) fn decode(bits: &AisBits) -> Result<Self, AisError> {
        let (dest_mmsi, app_id, start) = flagged_header(bits, 40, Self::MAX_BITS)?;
        Ok(SingleSlotBinary {
            repeat: bits.uint(6, 2) as u8,
            mmsi: bits.uint(8, 30),
            dest_mmsi,
            app_id,
            data: BinaryData::from_bits(bits, start),
        })
    }

    pub(super) fn encode(&self) -> Result<AisBits, AisError> {
        let mut w = header(25, self.repeat, self.mmsi);
        write_flagged_header(&mut w, self.dest_mmsi, self.app_id);
        self.data.write_to(&mut w);
        let bits = w.finish()?;
        if bits.len() > Self::MAX_BITS {
            return Err(AisError::TooLong);
        }
        Ok(bits)
    }

    pub(super) fn write_json<W: Write>(&self, o: &mut JsonObject<'_, W>) -> fmt::Result {
        write_flagged_json(25, self.dest_mmsi, self.app_id, &self.data, o)
    }
}

/// Multiple slot binary message with communication state (type 26).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultiSlotBinary {
    /// Repeat indicator, 0-3.
    pub repeat: u8,
    /// Maritime Mobile Service Identity of the sender.
    pub mmsi: u32,
    /// Destination, when addressed (the addressed flag).
    pub dest_mmsi: Option<u32>,
    /// Application identifier, when structured (the structured flag).
    pub app_id: Option<ApplicationId>,
    /// The binary data between the header and the communication state.
    pub data: BinaryData,
    /// Communication state selector and state (SOTDMA or ITDMA), 20 bits.
    pub radio: u32,
}

impl MultiSlotBinary {
    /// Longest payload gpsd takes.
    const MAX_BITS: usize = 1004;

    pub(super) fn decode(bits: &AisBits) -> Result<Self, AisError> {
        // The last 20 bits are the communication state.
        let (dest_mmsi, app_id, start) = flagged_header(bits, 60, Self::MAX_BITS)?;
        let end = bits.len() - 20;
        check_len(bits, end >= start)?;
        Ok(MultiSlotBinary {
            repeat: bits.uint(6, 2) as u8,
            mmsi: bits.uint(8, 30),
            dest_mmsi,
            app_id,
            data: BinaryData::from_bits(&bits.prefix(end), start),
            radio: bits.uint(end, 20),
        })
    }

    pub(super) fn encode(&self) -> Result<AisBits, AisError> {
        let mut w = header(26, self.repeat, self.mmsi);
        write_flagged_header(&mut w, self.dest_mmsi, self.app_id);
        self.data.write_to(&mut w);
        w.uint(self.radio, 20);
        let bits = w.finish()?;
        if bits.len() > Self::MAX_BITS {
            return Err(AisError::TooLong);
        }
        Ok(bits)
    }

    pub(super) fn write_json<W: Write>(&self, o: &mut JsonObject<'_, W>) -> fmt::Result {
        write_flagged_json(26, self.dest_mmsi, self.app_id, &self.data, o)?;
        // gpsd 3.22 never decodes this field and always writes 0.
        o.uint("radio", self.radio.into());
        Ok(())
    }
}

/// The addressed and structured flags of types 25 and 26 and the fields they announce;
/// returns them and where the data starts. The payload must be `min`..=`max` bits and hold
/// the announced fields plus `min - 40` more (the communication state of a type 26).
fn flagged_header(
    bits: &AisBits,
    min: usize,
    max: usize,
) -> Result<(Option<u32>, Option<ApplicationId>, usize), AisError> {
    check_len(bits, (min..=max).contains(&bits.len()))?;
    let addressed = bits.flag(38);
    let structured = bits.flag(39);
    let start = 40 + if addressed { 30 } else { 0 } + if structured { 16 } else { 0 };
    check_len(bits, bits.len() >= start + (min - 40))?;
    let dest_mmsi = addressed.then(|| bits.uint(40, 30));
    let app_id = structured.then(|| ApplicationId::read(bits, if addressed { 70 } else { 40 }));
    Ok((dest_mmsi, app_id, start))
}

fn write_flagged_header(
    w: &mut crate::ais::BitWriter,
    dest_mmsi: Option<u32>,
    app_id: Option<ApplicationId>,
) {
    w.flag(dest_mmsi.is_some()).flag(app_id.is_some());
    if let Some(dest) = dest_mmsi {
        w.uint(dest, 30);
    }
    if let Some(app) = app_id {
        w.uint(u32::from(app.dac), 10).uint(u32::from(app.fid), 6);
    }
}

fn write_flagged_json<W: Write>(
    msg_type: u8,
    dest_mmsi: Option<u32>,
    app_id: Option<ApplicationId>,
    data: &BinaryData,
    o: &mut JsonObject<'_, W>,
) -> fmt::Result {
    o.bool("addressed", dest_mmsi.is_some())
        .bool("structured", app_id.is_some())
        .uint("dest_mmsi", dest_mmsi.unwrap_or(0).into())
        .uint("app_id", app_id.map_or(0, |a| a.app_id()).into());
    match app_id {
        Some(app) => binary::write_gpsd_fields(msg_type, app.dac, app.fid, data, o),
        None => binary::write_raw_data(data, o),
    }
}

/// [`AisError::TooLong`] past five slots.
fn five_slots(bits: AisBits) -> Result<AisBits, AisError> {
    if bits.len() > FIVE_SLOTS {
        return Err(AisError::TooLong);
    }
    Ok(bits)
}
