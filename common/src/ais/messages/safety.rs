//! Acknowledgements (7, 13), UTC inquiry (10), safety related text (12, 14).

use super::{check_len, header, whole_blocks};
use crate::ais::json::JsonObject;
use crate::ais::{AisBits, AisError};
use core::fmt::Write;
use heapless::String;

/// Most characters of a safety related text: a five-slot type 14, (1008 - 40) / 6.
pub const MAX_TEXT_CHARS: usize = 161;

/// Binary acknowledge (type 7) or safety related acknowledge (type 13): up to four
/// destinations acknowledged. An MMSI of 0 is an acknowledgement the message does not carry
/// (the encoder drops trailing zero acknowledgements).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Acknowledge {
    /// 7 (binary acknowledge) or 13 (safety related acknowledge).
    pub msg_type: u8,
    /// Repeat indicator, 0-3.
    pub repeat: u8,
    /// Maritime Mobile Service Identity of the acknowledging station.
    pub mmsi: u32,
    /// First destination acknowledged.
    pub mmsi1: u32,
    /// Sequence number of the message acknowledged to the first destination, 0-3.
    pub seqno1: u8,
    /// Second destination; 0 if none.
    pub mmsi2: u32,
    /// Sequence number for the second destination.
    pub seqno2: u8,
    /// Third destination; 0 if none.
    pub mmsi3: u32,
    /// Sequence number for the third destination.
    pub seqno3: u8,
    /// Fourth destination; 0 if none.
    pub mmsi4: u32,
    /// Sequence number for the fourth destination.
    pub seqno4: u8,
}

impl Acknowledge {
    pub(super) fn decode(bits: &AisBits) -> Result<Self, AisError> {
        // 72, 104, 136 or 168 bits: one to four 32-bit acknowledgements. gpsd 3.22 takes any
        // length from 72 to 168 and reads a partial acknowledgement zero-filled (e.g. 88 or
        // 124 bits): guessed MMSIs, rejected here.
        let n = whole_blocks(bits, 72, &[72, 104, 136, 168], 168)?;
        let ack = |i: usize| {
            if i < n {
                (bits.uint(40 + 32 * i, 30), bits.uint(70 + 32 * i, 2) as u8)
            } else {
                (0, 0)
            }
        };
        let ((mmsi1, seqno1), (mmsi2, seqno2)) = (ack(0), ack(1));
        let ((mmsi3, seqno3), (mmsi4, seqno4)) = (ack(2), ack(3));
        Ok(Acknowledge {
            msg_type: bits.uint(0, 6) as u8,
            repeat: bits.uint(6, 2) as u8,
            mmsi: bits.uint(8, 30),
            mmsi1,
            seqno1,
            mmsi2,
            seqno2,
            mmsi3,
            seqno3,
            mmsi4,
            seqno4,
        })
    }

    fn acks(&self) -> [(u32, u8); 4] {
        [
            (self.mmsi1, self.seqno1),
            (self.mmsi2, self.seqno2),
            (self.mmsi3, self.seqno3),
            (self.mmsi4, self.seqno4),
        ]
    }

    pub(super) fn encode(&self) -> Result<AisBits, AisError> {
        let acks = self.acks();
        let n = acks
            .iter()
            .rposition(|&ack| ack != (0, 0))
            .map_or(1, |last| last + 1);
        let mut w = header(self.msg_type, self.repeat, self.mmsi);
        w.uint(0, 2);
        for &(mmsi, seqno) in acks.iter().take(n) {
            w.uint(mmsi, 30).uint(u32::from(seqno), 2);
        }
        w.finish()
    }

    pub(super) fn write_json<W: Write>(&self, o: &mut JsonObject<'_, W>) {
        o.uint("mmsi1", self.mmsi1.into())
            .uint("mmsi2", self.mmsi2.into())
            .uint("mmsi3", self.mmsi3.into())
            .uint("mmsi4", self.mmsi4.into());
    }
}

/// UTC and date inquiry (type 10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtcInquiry {
    /// Repeat indicator, 0-3.
    pub repeat: u8,
    /// Maritime Mobile Service Identity of the inquiring station.
    pub mmsi: u32,
    /// The station asked.
    pub dest_mmsi: u32,
}

impl UtcInquiry {
    /// Payload length of type 10.
    pub const BITS: usize = 72;

    pub(super) fn decode(bits: &AisBits) -> Result<Self, AisError> {
        check_len(bits, bits.len() >= Self::BITS)?;
        Ok(UtcInquiry {
            repeat: bits.uint(6, 2) as u8,
            mmsi: bits.uint(8, 30),
            dest_mmsi: bits.uint(40, 30),
        })
    }

    pub(super) fn encode(&self) -> Result<AisBits, AisError> {
        let mut w = header(10, self.repeat, self.mmsi);
        w.uint(0, 2).uint(self.dest_mmsi, 30).uint(0, 2);
        w.finish()
    }

    pub(super) fn write_json<W: Write>(&self, o: &mut JsonObject<'_, W>) {
        o.uint("dest_mmsi", self.dest_mmsi.into());
    }
}

/// Addressed safety related message (type 12).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressedSafety {
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
    /// The text, cut at the first `@` and trimmed of trailing spaces (up to 156 characters).
    pub text: String<MAX_TEXT_CHARS>,
}

impl AddressedSafety {
    pub(super) fn decode(bits: &AisBits) -> Result<Self, AisError> {
        check_len(bits, (72..=1008).contains(&bits.len()))?;
        Ok(AddressedSafety {
            repeat: bits.uint(6, 2) as u8,
            mmsi: bits.uint(8, 30),
            seqno: bits.uint(38, 2) as u8,
            dest_mmsi: bits.uint(40, 30),
            retransmit: bits.flag(70),
            // Whole characters only; a remainder of fewer than 6 bits is padding.
            text: bits.text(72, (bits.len() - 72) / 6),
        })
    }

    pub(super) fn encode(&self) -> Result<AisBits, AisError> {
        let mut w = header(12, self.repeat, self.mmsi);
        w.uint(u32::from(self.seqno), 2)
            .uint(self.dest_mmsi, 30)
            .flag(self.retransmit)
            .uint(0, 1)
            .text(&self.text, self.text.len());
        let bits = w.finish()?;
        // Five slots hold 156 characters here, against 161 in a type 14.
        if bits.len() > 1008 {
            return Err(AisError::TooLong);
        }
        Ok(bits)
    }

    pub(super) fn write_json<W: Write>(&self, o: &mut JsonObject<'_, W>) {
        o.uint("seqno", self.seqno.into())
            .uint("dest_mmsi", self.dest_mmsi.into())
            .bool("retransmit", self.retransmit)
            .str("text", &self.text);
    }
}

/// Safety related broadcast message (type 14).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafetyBroadcast {
    /// Repeat indicator, 0-3.
    pub repeat: u8,
    /// Maritime Mobile Service Identity of the sender.
    pub mmsi: u32,
    /// The text, cut at the first `@` and trimmed of trailing spaces (up to 161 characters).
    pub text: String<MAX_TEXT_CHARS>,
}

impl SafetyBroadcast {
    pub(super) fn decode(bits: &AisBits) -> Result<Self, AisError> {
        check_len(bits, (40..=1008).contains(&bits.len()))?;
        Ok(SafetyBroadcast {
            repeat: bits.uint(6, 2) as u8,
            mmsi: bits.uint(8, 30),
            text: bits.text(40, (bits.len() - 40) / 6),
        })
    }

    pub(super) fn encode(&self) -> Result<AisBits, AisError> {
        let mut w = header(14, self.repeat, self.mmsi);
        w.uint(0, 2).text(&self.text, self.text.len());
        w.finish()
    }

    pub(super) fn write_json<W: Write>(&self, o: &mut JsonObject<'_, W>) {
        o.str("text", &self.text);
    }
}
