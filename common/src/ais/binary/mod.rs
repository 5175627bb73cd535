//! Application-specific payloads of binary messages (types 6 and 8; also 25 and 26): the
//! bits after the DAC/FI header, kept as transmitted, and decoded where the application is
//! known (IMO SN.1/Circ.289 international applications under DAC 1, inland AIS under DAC 200,
//! ...).

use super::AisBits;
use super::json::JsonObject;
use core::fmt::{self, Write};

/// Most bits an application payload has: a five-slot type 8 (1008 bits) less its 56-bit
/// header.
pub const MAX_DATA_BITS: usize = 1008 - 56;
const MAX_DATA_BYTES: usize = MAX_DATA_BITS.div_ceil(8);

/// The application payload of a binary message, as transmitted.
#[derive(Clone, PartialEq, Eq)]
pub struct BinaryData {
    bytes: [u8; MAX_DATA_BYTES],
    bitcount: u16,
}

impl core::fmt::Debug for BinaryData {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "BinaryData({} bits)", self.bitcount)
    }
}

impl Default for BinaryData {
    fn default() -> Self {
        BinaryData {
            bytes: [0; MAX_DATA_BYTES],
            bitcount: 0,
        }
    }
}

impl BinaryData {
    /// The bits of `bits` from bit `start` to its end (at most [`MAX_DATA_BITS`]).
    pub fn from_bits(bits: &AisBits, start: usize) -> Self {
        let mut data = BinaryData::default();
        let n = bits.len().saturating_sub(start).min(MAX_DATA_BITS);
        let mut i = 0;
        while i < n {
            let width = (n - i).min(8);
            let v = bits.uint(start + i, width) as u8;
            data.bytes[i / 8] = v << (8 - width);
            i += width;
        }
        data.bitcount = n as u16;
        data
    }

    /// Number of bits.
    pub fn bitcount(&self) -> usize {
        usize::from(self.bitcount)
    }

    /// The bits as bytes, most significant bit first, the last byte zero-padded.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes[..self.bitcount().div_ceil(8)]
    }

    /// The bits as an [`AisBits`], to read fields with the usual accessors (bit 0 is the first
    /// bit after the DAC/FI header).
    pub fn to_bits(&self) -> AisBits {
        let mut w = super::BitWriter::new();
        let mut i = 0;
        while i < self.bitcount() {
            let width = (self.bitcount() - i).min(8);
            w.uint(u32::from(self.bytes[i / 8] >> (8 - width)), width);
            i += width;
        }
        // Cannot overflow: MAX_DATA_BITS < MAX_PAYLOAD_BITS.
        w.finish().unwrap_or_default()
    }

    /// Appends the payload to `w`, for encoders.
    pub fn write_to(&self, w: &mut super::BitWriter) {
        let mut i = 0;
        while i < self.bitcount() {
            let width = (self.bitcount() - i).min(8);
            w.uint(u32::from(self.bytes[i / 8] >> (8 - width)), width);
            i += width;
        }
    }
}

/// Writes gpsd's JSON fields for an application payload of message `msg_type` with `dac` and
/// `fid`: the decoded fields where gpsd decodes that application, otherwise
/// `"data":"<bitcount>:<hex>"` as gpsd does.
pub fn write_gpsd_fields<W: Write>(
    _msg_type: u8,
    _dac: u16,
    _fid: u8,
    data: &BinaryData,
    obj: &mut JsonObject<'_, W>,
) -> fmt::Result {
    write_raw_data(data, obj)
}

/// gpsd's `"data":"<bitcount>:<hex>"` form of an undecoded payload.
pub fn write_raw_data<W: Write>(data: &BinaryData, obj: &mut JsonObject<'_, W>) -> fmt::Result {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let out = obj.raw_value("data")?;
    write!(out, "\"{}:", data.bitcount())?;
    for &b in data.bytes() {
        out.write_char(char::from(HEX[usize::from(b >> 4)]))?;
        out.write_char(char::from(HEX[usize::from(b & 0xf)]))?;
    }
    out.write_char('"')
}
