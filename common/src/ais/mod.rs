//! AIS messages (ITU-R M.1371-5) inside NMEA `VDM`/`VDO` sentences: six-bit armour, bit
//! fields, reassembly of multi-sentence messages, and every message type 1-27, both ways, with
//! gpsd's unscaled JSON ([`AisMessage::write_gpsd_json`]).
//!
//! Raw field values are kept exactly as transmitted, in gpsd's unscaled units (latitude and
//! longitude in 1/10 000 minute, speed in 1/10 knot, course in 1/10 degree) and under gpsd's
//! field names, with typed accessors beside them that turn "not available" sentinels into
//! `None`. Payloads whose length does not fit their type are rejected, never guessed at.

pub mod binary;
mod bits;
pub mod json;
mod messages;
mod reassembly;
mod sentences;

pub use bits::{AisBits, BitWriter, MAX_PAYLOAD_BITS, sixbit_char, sixbit_value};
pub use messages::{
    Acknowledge, AddressedBinary, AddressedSafety, AidToNavigationReport, AisMessage,
    ApplicationId, AssignedModeCommand, BaseStationReport, BinaryBroadcast, ChannelManagement,
    ChannelManagementTarget, ClassBExtendedReport, ClassBPositionReport, DataLinkManagement,
    DgnssBroadcast, GpsdJsonWriter, GroupAssignment, Interrogation, LongRangeReport,
    MAX_AID_NAME_CHARS, MAX_TEXT_CHARS, MultiSlotBinary, PositionReport, SafetyBroadcast,
    SarAircraftReport, SingleSlotBinary, SlotReservation, StaticDataPart, StaticDataReport,
    StaticVoyage, Type24Reference, UtcInquiry, aid_type_text, epfd_text, nav_status_text,
    ship_type_text, station_type_text,
};
pub use reassembly::{Reassembler, ReassemblyError, ReassemblyStats};
pub use sentences::{MAX_FRAGMENT_CHARS, encode_sentences};

/// Why an AIS payload could not be decoded, or a message not encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AisError {
    /// The payload holds no bits.
    Empty,
    /// More bits than any AIS message (five slots).
    TooLong,
    /// A character outside the six-bit armour alphabet.
    BadArmour(u8),
    /// The payload's length does not match its message type.
    WrongLength {
        /// Message type.
        msg_type: u8,
        /// Payload length in bits.
        bits: usize,
    },
    /// A message type ITU-R M.1371-5 does not define (0, 28-63).
    Unsupported(u8),
    /// A type 24 static data report whose part number is 2 or 3 (only A = 0 and B = 1 exist).
    UnknownPart(u8),
    /// Encoding: a field value does not fit its width in bits (or a text is longer than its
    /// field).
    FieldOverflow {
        /// Bit offset of the field in the payload.
        bit: usize,
    },
}

impl core::fmt::Display for AisError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            AisError::Empty => f.write_str("empty AIS payload"),
            AisError::TooLong => f.write_str("AIS payload longer than five slots"),
            AisError::BadArmour(c) => write!(f, "byte {c:#04x} outside six-bit armour"),
            AisError::WrongLength { msg_type, bits } => {
                write!(
                    f,
                    "type {msg_type} payload of {bits} bits has the wrong length"
                )
            }
            AisError::Unsupported(t) => write!(f, "AIS message type {t} is not defined"),
            AisError::UnknownPart(p) => write!(f, "type 24 part number {p} is not defined"),
            AisError::FieldOverflow { bit } => {
                write!(f, "value of the field at bit {bit} does not fit its width")
            }
        }
    }
}

impl core::error::Error for AisError {}
