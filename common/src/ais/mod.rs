//! AIS messages (ITU-R M.1371-5) inside NMEA `VDM`/`VDO` sentences: six-bit armour, bit
//! fields, reassembly of multi-sentence messages, and the messages the tracker uses today:
//! position reports (types 1, 2, 3) and static and voyage data (type 5), both ways.
//!
//! Raw field values are kept exactly as transmitted, in gpsd's unscaled units (latitude and
//! longitude in 1/10 000 minute, speed in 1/10 knot, course in 1/10 degree), with typed
//! accessors beside them that turn "not available" sentinels into `None`.

pub mod binary;
mod bits;
pub mod json;
mod messages;
mod reassembly;
mod sentences;

pub use bits::{AisBits, BitWriter, MAX_PAYLOAD_BITS, sixbit_char, sixbit_value};
pub use messages::{AisMessage, PositionReport, StaticVoyage};
pub use reassembly::{Reassembler, ReassemblyError, ReassemblyStats};
pub use sentences::{MAX_FRAGMENT_CHARS, encode_sentences};

/// Why an AIS payload could not be decoded.
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
    /// A message type this decoder does not decode yet.
    Unsupported(u8),
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
            AisError::Unsupported(t) => write!(f, "AIS message type {t} not decoded"),
        }
    }
}

impl core::error::Error for AisError {}
