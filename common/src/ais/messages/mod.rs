//! Message layouts (ITU-R M.1371-5 Annex 8), one struct a message, field names as gpsd's AIS
//! JSON.
//!
//! Length rules follow gpsd 3.22 (`gpsdecode`) where they are sound: a payload may be longer
//! than its type needs (the extra bits are ignored, as gpsd does), but never shorter than a
//! field it would have to report. Where gpsd accepts a short payload by reading bits that are
//! not there (it zero-fills them), we reject it with [`AisError::WrongLength`]; each such case
//! is named at its type. Messages made of repeated blocks (types 7/13, 15, 16, 20) carry as
//! many blocks as fit; a remainder of fewer than 8 bits is byte-alignment padding, a longer
//! one is a truncated block and rejected. Payloads longer than [`crate::ais::MAX_PAYLOAD_BITS`]
//! never get here (gpsd also takes some types of up to its own buffer's length).

mod binary_msgs;
mod legends;
mod link;
mod position;
mod safety;
mod static_data;

pub use binary_msgs::{
    AddressedBinary, ApplicationId, BinaryBroadcast, DgnssBroadcast, MultiSlotBinary,
    SingleSlotBinary,
};
pub use legends::{aid_type_text, epfd_text, nav_status_text, ship_type_text, station_type_text};
pub use link::{
    AssignedModeCommand, ChannelManagement, ChannelManagementTarget, DataLinkManagement,
    GroupAssignment, Interrogation, SlotReservation,
};
pub use position::{
    BaseStationReport, ClassBExtendedReport, ClassBPositionReport, LongRangeReport, PositionReport,
    SarAircraftReport,
};
pub use safety::{Acknowledge, AddressedSafety, MAX_TEXT_CHARS, SafetyBroadcast, UtcInquiry};
pub use static_data::{
    AidToNavigationReport, MAX_AID_NAME_CHARS, StaticDataPart, StaticDataReport, StaticVoyage,
    Type24Reference,
};

use super::json::JsonObject;
use super::{AisBits, AisError, BitWriter};
use core::fmt::{self, Write};

/// A decoded AIS message: one variant a message layout of ITU-R M.1371-5.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AisMessage {
    /// Types 1, 2, 3: class A position report.
    Position(PositionReport),
    /// Types 4 and 11: base station report, UTC/date response.
    BaseStation(BaseStationReport),
    /// Type 5: class A static and voyage related data.
    StaticVoyage(StaticVoyage),
    /// Type 6: addressed binary message.
    AddressedBinary(AddressedBinary),
    /// Types 7 and 13: binary and safety acknowledge.
    Acknowledge(Acknowledge),
    /// Type 8: binary broadcast message.
    BinaryBroadcast(BinaryBroadcast),
    /// Type 9: standard SAR aircraft position report.
    SarAircraft(SarAircraftReport),
    /// Type 10: UTC/date inquiry.
    UtcInquiry(UtcInquiry),
    /// Type 12: addressed safety related message.
    AddressedSafety(AddressedSafety),
    /// Type 14: safety related broadcast message.
    SafetyBroadcast(SafetyBroadcast),
    /// Type 15: interrogation.
    Interrogation(Interrogation),
    /// Type 16: assigned mode command.
    AssignedMode(AssignedModeCommand),
    /// Type 17: DGNSS broadcast binary message.
    DgnssBroadcast(DgnssBroadcast),
    /// Type 18: standard class B position report.
    ClassBPosition(ClassBPositionReport),
    /// Type 19: extended class B position report.
    ClassBExtended(ClassBExtendedReport),
    /// Type 20: data link management.
    DataLinkManagement(DataLinkManagement),
    /// Type 21: aid-to-navigation report.
    AidToNavigation(AidToNavigationReport),
    /// Type 22: channel management.
    ChannelManagement(ChannelManagement),
    /// Type 23: group assignment command.
    GroupAssignment(GroupAssignment),
    /// Type 24: static data report, part A or B.
    StaticData(StaticDataReport),
    /// Type 25: single slot binary message.
    SingleSlotBinary(SingleSlotBinary),
    /// Type 26: multiple slot binary message with communication state.
    MultiSlotBinary(MultiSlotBinary),
    /// Type 27: position report for long-range applications.
    LongRange(LongRangeReport),
}

impl AisMessage {
    /// Decodes a complete payload. Payloads whose length does not fit their type are
    /// rejected, never guessed at.
    pub fn decode(bits: &AisBits) -> Result<Self, AisError> {
        use AisMessage as M;
        Ok(match bits.msg_type().ok_or(AisError::Empty)? {
            1..=3 => M::Position(PositionReport::decode(bits)?),
            4 | 11 => M::BaseStation(BaseStationReport::decode(bits)?),
            5 => M::StaticVoyage(StaticVoyage::decode(bits)?),
            6 => M::AddressedBinary(AddressedBinary::decode(bits)?),
            7 | 13 => M::Acknowledge(Acknowledge::decode(bits)?),
            8 => M::BinaryBroadcast(BinaryBroadcast::decode(bits)?),
            9 => M::SarAircraft(SarAircraftReport::decode(bits)?),
            10 => M::UtcInquiry(UtcInquiry::decode(bits)?),
            12 => M::AddressedSafety(AddressedSafety::decode(bits)?),
            14 => M::SafetyBroadcast(SafetyBroadcast::decode(bits)?),
            15 => M::Interrogation(Interrogation::decode(bits)?),
            16 => M::AssignedMode(AssignedModeCommand::decode(bits)?),
            17 => M::DgnssBroadcast(DgnssBroadcast::decode(bits)?),
            18 => M::ClassBPosition(ClassBPositionReport::decode(bits)?),
            19 => M::ClassBExtended(ClassBExtendedReport::decode(bits)?),
            20 => M::DataLinkManagement(DataLinkManagement::decode(bits)?),
            21 => M::AidToNavigation(AidToNavigationReport::decode(bits)?),
            22 => M::ChannelManagement(ChannelManagement::decode(bits)?),
            23 => M::GroupAssignment(GroupAssignment::decode(bits)?),
            24 => M::StaticData(StaticDataReport::decode(bits)?),
            25 => M::SingleSlotBinary(SingleSlotBinary::decode(bits)?),
            26 => M::MultiSlotBinary(MultiSlotBinary::decode(bits)?),
            27 => M::LongRange(LongRangeReport::decode(bits)?),
            other => return Err(AisError::Unsupported(other)),
        })
    }

    /// Encodes the message into its payload bits. Fails with [`AisError::FieldOverflow`] if
    /// a value does not fit its field, [`AisError::TooLong`] if the payload would.
    pub fn encode(&self) -> Result<AisBits, AisError> {
        use AisMessage as M;
        match self {
            M::Position(m) => m.encode(),
            M::BaseStation(m) => m.encode(),
            M::StaticVoyage(m) => m.encode(),
            M::AddressedBinary(m) => m.encode(),
            M::Acknowledge(m) => m.encode(),
            M::BinaryBroadcast(m) => m.encode(),
            M::SarAircraft(m) => m.encode(),
            M::UtcInquiry(m) => m.encode(),
            M::AddressedSafety(m) => m.encode(),
            M::SafetyBroadcast(m) => m.encode(),
            M::Interrogation(m) => m.encode(),
            M::AssignedMode(m) => m.encode(),
            M::DgnssBroadcast(m) => m.encode(),
            M::ClassBPosition(m) => m.encode(),
            M::ClassBExtended(m) => m.encode(),
            M::DataLinkManagement(m) => m.encode(),
            M::AidToNavigation(m) => m.encode(),
            M::ChannelManagement(m) => m.encode(),
            M::GroupAssignment(m) => m.encode(),
            M::StaticData(m) => m.encode(),
            M::SingleSlotBinary(m) => m.encode(),
            M::MultiSlotBinary(m) => m.encode(),
            M::LongRange(m) => m.encode(),
        }
    }

    /// The message type, 1-27.
    pub fn msg_type(&self) -> u8 {
        use AisMessage as M;
        match self {
            M::Position(m) => m.msg_type,
            M::BaseStation(m) => m.msg_type,
            M::StaticVoyage(_) => 5,
            M::AddressedBinary(_) => 6,
            M::Acknowledge(m) => m.msg_type,
            M::BinaryBroadcast(_) => 8,
            M::SarAircraft(_) => 9,
            M::UtcInquiry(_) => 10,
            M::AddressedSafety(_) => 12,
            M::SafetyBroadcast(_) => 14,
            M::Interrogation(_) => 15,
            M::AssignedMode(_) => 16,
            M::DgnssBroadcast(_) => 17,
            M::ClassBPosition(_) => 18,
            M::ClassBExtended(_) => 19,
            M::DataLinkManagement(_) => 20,
            M::AidToNavigation(_) => 21,
            M::ChannelManagement(_) => 22,
            M::GroupAssignment(_) => 23,
            M::StaticData(_) => 24,
            M::SingleSlotBinary(_) => 25,
            M::MultiSlotBinary(_) => 26,
            M::LongRange(_) => 27,
        }
    }

    /// The repeat indicator, 0-3.
    pub fn repeat(&self) -> u8 {
        self.header().0
    }

    /// The sender's MMSI.
    pub fn mmsi(&self) -> u32 {
        self.header().1
    }

    fn header(&self) -> (u8, u32) {
        use AisMessage as M;
        match self {
            M::Position(m) => (m.repeat, m.mmsi),
            M::BaseStation(m) => (m.repeat, m.mmsi),
            M::StaticVoyage(m) => (m.repeat, m.mmsi),
            M::AddressedBinary(m) => (m.repeat, m.mmsi),
            M::Acknowledge(m) => (m.repeat, m.mmsi),
            M::BinaryBroadcast(m) => (m.repeat, m.mmsi),
            M::SarAircraft(m) => (m.repeat, m.mmsi),
            M::UtcInquiry(m) => (m.repeat, m.mmsi),
            M::AddressedSafety(m) => (m.repeat, m.mmsi),
            M::SafetyBroadcast(m) => (m.repeat, m.mmsi),
            M::Interrogation(m) => (m.repeat, m.mmsi),
            M::AssignedMode(m) => (m.repeat, m.mmsi),
            M::DgnssBroadcast(m) => (m.repeat, m.mmsi),
            M::ClassBPosition(m) => (m.repeat, m.mmsi),
            M::ClassBExtended(m) => (m.repeat, m.mmsi),
            M::DataLinkManagement(m) => (m.repeat, m.mmsi),
            M::AidToNavigation(m) => (m.repeat, m.mmsi),
            M::ChannelManagement(m) => (m.repeat, m.mmsi),
            M::GroupAssignment(m) => (m.repeat, m.mmsi),
            M::StaticData(m) => (m.repeat, m.mmsi),
            M::SingleSlotBinary(m) => (m.repeat, m.mmsi),
            M::MultiSlotBinary(m) => (m.repeat, m.mmsi),
            M::LongRange(m) => (m.repeat, m.mmsi),
        }
    }

    /// Writes the message as gpsd's unscaled AIS JSON object (`gpsdecode -u -j`): the same
    /// field names, order and value forms, `"device":"stdin"` as gpsdecode writes it, no line
    /// ending. Allocates nothing.
    ///
    /// Each message is written alone; [`GpsdJsonWriter`] adds gpsd's memory of type 24 part A
    /// names. Where gpsd 3.22 writes values that are not the message's, we write the
    /// message's: gpsd writes `"radio":0` for every type 26 (here the transmitted
    /// communication state), and its hex dumps of binary data show the padding bits of the
    /// last byte as received, or the first bits of a type 26's communication state (here
    /// zeros).
    pub fn write_gpsd_json<W: Write>(&self, out: &mut W) -> fmt::Result {
        self.write_gpsd_json_merged(None, out)
    }

    fn write_gpsd_json_merged<W: Write>(
        &self,
        part_a_name: Option<&str>,
        out: &mut W,
    ) -> fmt::Result {
        use AisMessage as M;
        let (repeat, mmsi) = self.header();
        let mut o = JsonObject::begin(out);
        o.str("class", "AIS")
            .str("device", "stdin")
            .uint("type", u64::from(self.msg_type()))
            .uint("repeat", u64::from(repeat))
            .uint("mmsi", u64::from(mmsi))
            .bool("scaled", false);
        match self {
            M::Position(m) => m.write_json(&mut o),
            M::BaseStation(m) => m.write_json(&mut o),
            M::StaticVoyage(m) => m.write_json(&mut o),
            M::AddressedBinary(m) => m.write_json(&mut o)?,
            M::Acknowledge(m) => m.write_json(&mut o),
            M::BinaryBroadcast(m) => m.write_json(&mut o)?,
            M::SarAircraft(m) => m.write_json(&mut o),
            M::UtcInquiry(m) => m.write_json(&mut o),
            M::AddressedSafety(m) => m.write_json(&mut o),
            M::SafetyBroadcast(m) => m.write_json(&mut o),
            M::Interrogation(m) => m.write_json(&mut o),
            M::AssignedMode(m) => m.write_json(&mut o),
            M::DgnssBroadcast(m) => m.write_json(&mut o)?,
            M::ClassBPosition(m) => m.write_json(&mut o),
            M::ClassBExtended(m) => m.write_json(&mut o),
            M::DataLinkManagement(m) => m.write_json(&mut o),
            M::AidToNavigation(m) => m.write_json(&mut o),
            M::ChannelManagement(m) => m.write_json(&mut o),
            M::GroupAssignment(m) => m.write_json(&mut o),
            M::StaticData(m) => m.write_json_merged(part_a_name, &mut o),
            M::SingleSlotBinary(m) => m.write_json(&mut o)?,
            M::MultiSlotBinary(m) => m.write_json(&mut o)?,
            M::LongRange(m) => m.write_json(&mut o),
        }
        o.end()
    }
}

/// How many type 24 part A names gpsd remembers (its `MAX_TYPE24_INTERLEAVE`).
const GPSD_PART_A_NAMES: usize = 8;

/// Writes messages as `gpsdecode -u -j -s` does, one after another: like
/// [`AisMessage::write_gpsd_json`], and with gpsd's memory of type 24 names. gpsd keeps the
/// name of each part A in a ring of eight; a part B whose MMSI is in the ring is written
/// merged with that name (no `"part"`, the name first) and takes it out of the ring.
#[derive(Debug, Clone, Default)]
pub struct GpsdJsonWriter {
    /// (MMSI, name) of the last part A reports; MMSI 0 marks a free entry, as in gpsd (where
    /// a part B from MMSI 0 therefore merges with an empty name).
    names: [(u32, heapless::String<20>); GPSD_PART_A_NAMES],
    next: usize,
}

impl GpsdJsonWriter {
    /// A writer that has seen no part A.
    pub fn new() -> Self {
        Self::default()
    }

    /// Writes one message as gpsdecode would at this point of the stream.
    pub fn write<W: Write>(&mut self, message: &AisMessage, out: &mut W) -> fmt::Result {
        let AisMessage::StaticData(report) = message else {
            return message.write_gpsd_json(out);
        };
        match &report.part {
            StaticDataPart::A { shipname } => {
                if let Some(entry) = self.names.get_mut(self.next) {
                    *entry = (report.mmsi, shipname.clone());
                }
                self.next = (self.next + 1) % GPSD_PART_A_NAMES;
                message.write_gpsd_json(out)
            }
            StaticDataPart::B { .. } => {
                match self.names.iter_mut().find(|(mmsi, _)| *mmsi == report.mmsi) {
                    Some(entry) => {
                        let name = core::mem::take(&mut entry.1);
                        entry.0 = 0;
                        message.write_gpsd_json_merged(Some(&name), out)
                    }
                    None => message.write_gpsd_json(out),
                }
            }
        }
    }
}

/// [`AisError::WrongLength`] for `bits` unless `ok`.
fn check_len(bits: &AisBits, ok: bool) -> Result<(), AisError> {
    if ok { Ok(()) } else { Err(wrong_length(bits)) }
}

fn wrong_length(bits: &AisBits) -> AisError {
    AisError::WrongLength {
        msg_type: bits.uint(0, 6) as u8,
        bits: bits.len(),
    }
}

/// How many of a message's consecutive blocks, ending at bit `ends[i]`, a payload of `bits`
/// carries. A remainder of fewer than 8 bits after the last whole block is byte-alignment
/// padding; a longer one is a truncated block (gpsd would read it zero-filled) and rejected.
/// After the last block, anything up to `max` bits is accepted and ignored, as gpsd does.
///
/// gpsd reads the padding too, as the start of the next block: where a transmitter sets
/// padding bits (ITU-R M.1371-5 says they are zero), gpsd reports a value in a block the
/// message does not carry (seen in libais test.aivdm: a type 15 of 112 bits with `mmsi2`
/// 805306368, a type 20 of 104 bits with `offset3` 1792); we report 0.
fn whole_blocks(bits: &AisBits, min: usize, ends: &[usize], max: usize) -> Result<usize, AisError> {
    let len = bits.len();
    let n = ends.iter().take_while(|&&end| end <= len).count();
    let ok = len >= min
        && len <= max
        && match ends.get(n.wrapping_sub(1)) {
            None => false,
            Some(&last_end) => n == ends.len() || len - last_end < 8,
        };
    check_len(bits, ok)?;
    Ok(n)
}

/// A payload writer that starts with the common header: type, repeat indicator, MMSI.
fn header(msg_type: u8, repeat: u8, mmsi: u32) -> BitWriter {
    let mut w = BitWriter::new();
    w.uint(u32::from(msg_type), 6)
        .uint(u32::from(repeat), 2)
        .uint(mmsi, 30);
    w
}

/// Degrees of a latitude in 1/10 000 minute, if in range (91° means not available).
fn lat_deg(lat: i32) -> Option<f64> {
    (lat.abs() <= 90 * 600_000).then(|| f64::from(lat) / 600_000.0)
}

/// Degrees of a longitude in 1/10 000 minute, if in range (181° means not available).
fn lon_deg(lon: i32) -> Option<f64> {
    (lon.abs() <= 180 * 600_000).then(|| f64::from(lon) / 600_000.0)
}

/// Degrees of a latitude in 1/10 minute (types 17, 22, 23, 27), if in range.
fn lat_deg_tenth_minute(lat: i32) -> Option<f64> {
    (lat.abs() <= 90 * 600).then(|| f64::from(lat) / 600.0)
}

/// Degrees of a longitude in 1/10 minute (types 17, 22, 23, 27), if in range.
fn lon_deg_tenth_minute(lon: i32) -> Option<f64> {
    (lon.abs() <= 180 * 600).then(|| f64::from(lon) / 600.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(payload: &str, fill: u8) -> Result<AisMessage, AisError> {
        AisMessage::decode(&AisBits::from_armour(payload, fill)?)
    }

    /// A payload of `len` bits: type `msg_type`, MMSI 1, the rest zero but for `ones`.
    fn payload(msg_type: u8, len: usize, ones: &[usize]) -> AisBits {
        let mut w = header(msg_type, 0, 1);
        for bit in 38..len {
            w.flag(ones.contains(&bit));
        }
        w.finish().unwrap()
    }

    fn wrong(msg_type: u8, bits: usize) -> Result<AisMessage, AisError> {
        Err(AisError::WrongLength { msg_type, bits })
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
    fn a_position_report_too_short_for_its_communication_state_is_rejected() {
        assert_eq!(decode("15RTgt0PAso;90TKcjM8h6g208C", 0), wrong(1, 162));
        assert_eq!(AisMessage::decode(&payload(1, 167, &[])), wrong(1, 167));
        assert!(AisMessage::decode(&payload(1, 204, &[])).is_ok());
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
            lon: 181 * 600_000,
            lat: 91 * 600_000,
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

    #[test]
    fn a_type_5_without_its_dte_bit_is_rejected_and_one_without_its_spare_bit_is_not() {
        assert_eq!(AisMessage::decode(&payload(5, 422, &[])), wrong(5, 422));
        let Ok(AisMessage::StaticVoyage(m)) = AisMessage::decode(&payload(5, 423, &[422])) else {
            panic!("423 bits carry every field");
        };
        assert!(m.dte);
    }

    #[test]
    fn acknowledgements_are_whole_or_the_payload_is_rejected() {
        let Ok(AisMessage::Acknowledge(a)) = AisMessage::decode(&payload(13, 104, &[40, 72]))
        else {
            panic!("two acknowledgements");
        };
        assert_eq!((a.mmsi1, a.mmsi2, a.mmsi3), (1 << 29, 1 << 29, 0));
        // sample.aivdm line 240: 124 bits, a third MMSI cut after 20 bits.
        assert_eq!(AisMessage::decode(&payload(7, 124, &[])), wrong(7, 124));
        // Byte-alignment padding after the last whole block is accepted.
        assert!(AisMessage::decode(&payload(7, 78, &[])).is_ok());
    }

    #[test]
    fn repeated_block_messages_take_their_itu_lengths() {
        for (msg_type, ok, bad) in [
            (15, [88, 112, 160], [104, 120, 150]),
            (16, [96, 144, 168], [100, 120, 143]),
            (20, [72, 104, 136], [80, 110, 150]),
        ] {
            for len in ok {
                assert!(AisMessage::decode(&payload(msg_type, len, &[])).is_ok());
            }
            for len in bad {
                assert_eq!(
                    AisMessage::decode(&payload(msg_type, len, &[])),
                    wrong(msg_type, len)
                );
            }
        }
    }

    #[test]
    fn a_type_24_of_an_undefined_part_is_an_error() {
        assert_eq!(
            AisMessage::decode(&payload(24, 168, &[38])),
            Err(AisError::UnknownPart(2))
        );
        assert_eq!(AisMessage::decode(&payload(24, 150, &[38])), wrong(24, 150));
    }

    #[test]
    fn binary_messages_must_hold_the_fields_their_flags_announce() {
        // Type 25, addressed and structured: 86 header bits.
        assert_eq!(
            AisMessage::decode(&payload(25, 80, &[38, 39])),
            wrong(25, 80)
        );
        assert!(AisMessage::decode(&payload(25, 86, &[38, 39])).is_ok());
        // Type 26 also needs its 20-bit communication state.
        assert_eq!(
            AisMessage::decode(&payload(26, 100, &[38, 39])),
            wrong(26, 100)
        );
        let Ok(AisMessage::MultiSlotBinary(m)) =
            AisMessage::decode(&payload(26, 110, &[38, 39, 109]))
        else {
            panic!("106 header bits and a communication state");
        };
        assert_eq!((m.data.bitcount(), m.radio), (4, 1));
    }

    #[test]
    fn a_type_27_is_one_long_range_slot_or_a_whole_slot() {
        assert!(AisMessage::decode(&payload(27, 96, &[])).is_ok());
        assert!(AisMessage::decode(&payload(27, 168, &[])).is_ok());
        assert_eq!(AisMessage::decode(&payload(27, 104, &[])), wrong(27, 104));
    }

    #[test]
    fn undefined_message_types_are_unsupported() {
        assert_eq!(
            AisMessage::decode(&payload(0, 168, &[])),
            Err(AisError::Unsupported(0))
        );
        assert_eq!(
            AisMessage::decode(&payload(28, 168, &[])),
            Err(AisError::Unsupported(28))
        );
        assert_eq!(AisMessage::decode(&AisBits::new()), Err(AisError::Empty));
    }

    #[test]
    fn a_value_wider_than_its_field_is_an_encoding_error() {
        let m = AisMessage::UtcInquiry(UtcInquiry {
            repeat: 4,
            mmsi: 1,
            dest_mmsi: 2,
        });
        assert_eq!(m.encode(), Err(AisError::FieldOverflow { bit: 6 }));
        let m = AisMessage::LongRange(LongRangeReport {
            repeat: 0,
            mmsi: 1,
            accuracy: false,
            raim: false,
            status: 0,
            lon: 1 << 17,
            lat: 0,
            speed: 0,
            course: 0,
            gnss: false,
        });
        assert_eq!(m.encode(), Err(AisError::FieldOverflow { bit: 44 }));
    }

    #[test]
    fn gpsd_merges_a_part_b_with_a_remembered_part_a_name_once() {
        let a = AisMessage::StaticData(StaticDataReport {
            repeat: 0,
            mmsi: 271041815,
            part: StaticDataPart::A {
                shipname: heapless::String::try_from("PROGUY").unwrap_or_default(),
            },
        });
        let b = AisMessage::StaticData(StaticDataReport {
            repeat: 0,
            mmsi: 271041815,
            part: StaticDataPart::B {
                shiptype: 60,
                vendorid: heapless::String::try_from("1D0").unwrap_or_default(),
                model: 0,
                serial: 0,
                callsign: heapless::String::try_from("TC6163").unwrap_or_default(),
                reference: Type24Reference::Dimensions {
                    to_bow: 0,
                    to_stern: 15,
                    to_port: 0,
                    to_starboard: 5,
                },
            },
        });
        let mut writer = GpsdJsonWriter::new();
        let mut out = heapless::String::<1024>::new();
        for m in [&a, &b, &b] {
            writer.write(m, &mut out).unwrap();
            out.push('\n').unwrap();
        }
        let lines: heapless::Vec<&str, 3> = out.lines().collect();
        assert!(lines[0].contains(r#""part":"A","shipname":"PROGUY"}"#));
        assert!(lines[1].contains(r#""scaled":false,"shipname":"PROGUY","shiptype":60"#));
        assert!(lines[2].contains(r#""scaled":false,"part":"B","shiptype":60"#));
    }
}
