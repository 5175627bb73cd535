//! Six-bit armour (ITU-R M.1371 / IEC 61162-1 §8) and big-endian bit fields.

use super::AisError;
use heapless::String;

/// Most payload bits kept: the longest AIS message (five slots, 1008 bits) rounded up to the
/// armour's 6-bit characters and a byte boundary.
pub const MAX_PAYLOAD_BITS: usize = 1024;
const MAX_PAYLOAD_BYTES: usize = MAX_PAYLOAD_BITS / 8;

/// The six-bit value of an armour character: `0`-`W` are 0-39, `` ` ``-`w` are 40-63.
pub fn sixbit_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'W' => Some(c - b'0'),
        b'`'..=b'w' => Some(c - b'`' + 40),
        _ => None,
    }
}

/// The armour character of a six-bit value (only the low six bits are used).
pub fn sixbit_char(v: u8) -> u8 {
    let v = v & 0x3f;
    if v < 40 { v + b'0' } else { v - 40 + b'`' }
}

/// The ASCII character of a six-bit text value (ITU-R M.1371 table 47): `@A-Z[\]^_ !"#...?`.
fn text_char(v: u8) -> u8 {
    let v = v & 0x3f;
    if v < 32 { v + 64 } else { v }
}

/// The six-bit text value of an ASCII character: lower case becomes upper case, characters
/// outside the table become `?`.
fn text_value(c: u8) -> u8 {
    match c.to_ascii_uppercase() {
        c @ b'@'..=b'_' => c - 64,
        c @ b' '..=b'?' => c,
        _ => b'?',
    }
}

/// A de-armoured AIS payload: up to [`MAX_PAYLOAD_BITS`] bits, most significant bit first.
#[derive(Clone, PartialEq, Eq)]
pub struct AisBits {
    bytes: [u8; MAX_PAYLOAD_BYTES],
    len: usize,
}

impl core::fmt::Debug for AisBits {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "AisBits({} bits)", self.len)
    }
}

impl Default for AisBits {
    fn default() -> Self {
        Self::new()
    }
}

impl AisBits {
    /// No bits.
    pub const fn new() -> Self {
        AisBits {
            bytes: [0; MAX_PAYLOAD_BYTES],
            len: 0,
        }
    }

    /// De-armours one sentence's payload.
    pub fn from_armour(payload: &str, fill_bits: u8) -> Result<Self, AisError> {
        let mut bits = Self::new();
        bits.append_armour(payload, fill_bits)?;
        Ok(bits)
    }

    /// Appends one fragment's payload (multi-sentence messages are the concatenation of their
    /// fragments' bits), dropping its `fill_bits` trailing padding bits.
    pub fn append_armour(&mut self, payload: &str, fill_bits: u8) -> Result<(), AisError> {
        let total = payload.len() * 6;
        let keep = total.saturating_sub(usize::from(fill_bits.min(5)));
        if self.len + keep > MAX_PAYLOAD_BITS {
            return Err(AisError::TooLong);
        }
        let start = self.len;
        for (i, c) in payload.bytes().enumerate() {
            let v = sixbit_value(c).ok_or(AisError::BadArmour(c))?;
            self.push_bits(u32::from(v), 6, start + i * 6);
        }
        self.len = start + keep;
        // Clear the padding so that equal payloads compare equal.
        for bit in self.len..start + total {
            self.bytes[bit / 8] &= !(0x80 >> (bit % 8));
        }
        Ok(())
    }

    fn push_bits(&mut self, value: u32, width: usize, at: usize) {
        for i in 0..width {
            let bit = at + i;
            if bit >= MAX_PAYLOAD_BITS {
                return;
            }
            let mask = 0x80u8 >> (bit % 8);
            if value >> (width - 1 - i) & 1 == 1 {
                self.bytes[bit / 8] |= mask;
            } else {
                self.bytes[bit / 8] &= !mask;
            }
        }
    }

    /// Number of bits.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no bits.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The message type (first six bits), if any.
    pub fn msg_type(&self) -> Option<u8> {
        (self.len >= 6).then(|| self.uint(0, 6) as u8)
    }

    /// Unsigned field of `width` ≤ 32 bits at bit `start`; bits past the end read as 0.
    pub fn uint(&self, start: usize, width: usize) -> u32 {
        let mut v = 0u32;
        for bit in start..start + width.min(32) {
            let set = bit < self.len && self.bytes[bit / 8] & (0x80 >> (bit % 8)) != 0;
            v = v << 1 | u32::from(set);
        }
        v
    }

    /// Two's-complement signed field of `width` ≤ 32 bits at bit `start`.
    pub fn int(&self, start: usize, width: usize) -> i32 {
        let width = width.clamp(1, 32);
        let raw = self.uint(start, width);
        let shift = 32 - width as u32;
        ((raw << shift) as i32) >> shift
    }

    /// Boolean field at bit `start`.
    pub fn flag(&self, start: usize) -> bool {
        self.uint(start, 1) == 1
    }

    /// Six-bit text of `chars` characters at bit `start`, cut at the first `@` (ITU-R M.1371
    /// §3.3.7: `@` means "not available" and ends the text) and without trailing spaces.
    pub fn text<const N: usize>(&self, start: usize, chars: usize) -> String<N> {
        let mut out = String::new();
        for i in 0..chars {
            let at = start + i * 6;
            if at + 6 > self.len {
                break;
            }
            let c = text_char(self.uint(at, 6) as u8);
            if c == b'@' || out.push(char::from(c)).is_err() {
                break;
            }
        }
        while out.ends_with(' ') {
            out.pop();
        }
        out
    }

    /// Armours the bits into `out` (six bits a character, zero-padded); returns the number of
    /// fill bits.
    pub fn armour<const N: usize>(&self, out: &mut String<N>) -> Result<u8, AisError> {
        let chars = self.len.div_ceil(6);
        for i in 0..chars {
            let c = sixbit_char(self.uint(i * 6, 6) as u8);
            out.push(char::from(c)).map_err(|_| AisError::TooLong)?;
        }
        Ok((chars * 6 - self.len) as u8)
    }
}

/// Builds a payload field by field, for encoders.
#[derive(Debug, Clone, Default)]
pub struct BitWriter {
    bits: AisBits,
    overflow: bool,
}

impl BitWriter {
    /// An empty payload.
    pub const fn new() -> Self {
        BitWriter {
            bits: AisBits::new(),
            overflow: false,
        }
    }

    /// Appends the low `width` bits of `value`.
    pub fn uint(&mut self, value: u32, width: usize) -> &mut Self {
        if self.bits.len + width > MAX_PAYLOAD_BITS {
            self.overflow = true;
            return self;
        }
        let at = self.bits.len;
        self.bits.push_bits(value, width, at);
        self.bits.len += width;
        self
    }

    /// Appends `value` as a `width`-bit two's-complement field.
    pub fn int(&mut self, value: i32, width: usize) -> &mut Self {
        self.uint(value as u32, width)
    }

    /// Appends one bit.
    pub fn flag(&mut self, value: bool) -> &mut Self {
        self.uint(u32::from(value), 1)
    }

    /// Appends `text` as `chars` six-bit characters, padded with `@`.
    pub fn text(&mut self, text: &str, chars: usize) -> &mut Self {
        let mut bytes = text.bytes();
        for _ in 0..chars {
            let v = bytes.next().map_or(0, text_value);
            self.uint(u32::from(v), 6);
        }
        self
    }

    /// The payload, or [`AisError::TooLong`] if a field did not fit.
    pub fn finish(&self) -> Result<AisBits, AisError> {
        if self.overflow {
            Err(AisError::TooLong)
        } else {
            Ok(self.bits.clone())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_armour_character_round_trips() {
        for v in 0..64u8 {
            assert_eq!(sixbit_value(sixbit_char(v)), Some(v));
        }
        assert_eq!(sixbit_value(b'X'), None);
        assert_eq!(sixbit_value(b'x'), None);
    }

    #[test]
    fn signed_fields_sign_extend() {
        let mut w = BitWriter::new();
        w.int(-5, 8).int(100, 28).int(-1, 27);
        let bits = w.finish().unwrap();
        assert_eq!(bits.int(0, 8), -5);
        assert_eq!(bits.int(8, 28), 100);
        assert_eq!(bits.int(36, 27), -1);
    }

    #[test]
    fn text_stops_at_the_first_at_sign_and_drops_trailing_spaces() {
        let mut w = BitWriter::new();
        w.text("SEA WITCH  ", 11).text("AB", 4);
        let bits = w.finish().unwrap();
        assert_eq!(bits.text::<20>(0, 11).as_str(), "SEA WITCH");
        assert_eq!(bits.text::<20>(66, 4).as_str(), "AB");
    }

    #[test]
    fn armour_and_dearmour_agree_with_fill_bits() {
        let mut w = BitWriter::new();
        w.uint(0b1011, 4).uint(0x3ff, 10);
        let bits = w.finish().unwrap();
        let mut s = String::<8>::new();
        let fill = bits.armour(&mut s).unwrap();
        assert_eq!(fill, 4);
        assert_eq!(AisBits::from_armour(&s, fill).unwrap(), bits);
    }
}
