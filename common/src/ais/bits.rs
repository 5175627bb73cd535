//! Six-bit armour (ITU-R M.1371 / IEC 61162-1 §8) and big-endian bit fields.

use super::AisError;
use heapless::String;

/// Most payload bits kept: the longest AIS message (five slots, 1008 bits) rounded up to the
/// armour's 6-bit characters and a byte boundary.
pub const MAX_PAYLOAD_BITS: usize = 1024;
const MAX_PAYLOAD_BYTES: usize = MAX_PAYLOAD_BITS / 8;

/// Six-bit values of the armour characters by byte; 0xff for bytes outside the armour.
const SIXBIT: [u8; 256] = {
    let mut table = [0xff; 256];
    let mut c = 0;
    while c < 256 {
        table[c] = match c as u8 {
            b'0'..=b'W' => c as u8 - b'0',
            b'`'..=b'w' => c as u8 - b'`' + 40,
            _ => 0xff,
        };
        c += 1;
    }
    table
};

/// The six-bit value of an armour character: `0`-`W` are 0-39, `` ` ``-`w` are 40-63.
#[inline]
pub fn sixbit_value(c: u8) -> Option<u8> {
    // A table: this runs for every payload character.
    let v = SIXBIT[usize::from(c)];
    (v != 0xff).then_some(v)
}

/// The armour character of a six-bit value (only the low six bits are used).
pub fn sixbit_char(v: u8) -> u8 {
    let v = v & 0x3f;
    if v < 40 { v + b'0' } else { v - 40 + b'`' }
}

/// The ASCII character of a six-bit text value (ITU-R M.1371 table 47): `@A-Z[\]^_ !"#...?`.
pub(crate) fn text_char(v: u8) -> u8 {
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
///
/// Invariant: every bit at or past `len` is zero, so fields are read a word at a time without
/// masking stale bits and appends only need to set bits.
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
    /// fragments' bits), dropping its `fill_bits` trailing padding bits. On error nothing is
    /// appended.
    pub fn append_armour(&mut self, payload: &str, fill_bits: u8) -> Result<(), AisError> {
        let total = payload.len() * 6;
        let keep = total.saturating_sub(usize::from(fill_bits.min(5)));
        if self.len + keep > MAX_PAYLOAD_BITS {
            return Err(AisError::TooLong);
        }
        // Six-bit values go into an accumulator that hands out whole bytes, starting with the
        // bits already in the last, partial byte.
        let mut byte = self.len / 8;
        let mut pending = self.len % 8;
        let mut acc = match pending {
            0 => 0,
            _ => u64::from(self.bytes.get(byte).copied().unwrap_or(0) >> (8 - pending)),
        };
        for &c in payload.as_bytes() {
            let Some(v) = sixbit_value(c) else {
                // Leave no bits of the bad fragment behind past `len`.
                self.clear_from(self.len, byte * 8 + 8);
                return Err(AisError::BadArmour(c));
            };
            acc = (acc << 6) | u64::from(v);
            pending += 6;
            if pending >= 8 {
                pending -= 8;
                if let Some(b) = self.bytes.get_mut(byte) {
                    *b = (acc >> pending) as u8;
                }
                byte += 1;
            }
        }
        if pending > 0
            && let Some(b) = self.bytes.get_mut(byte)
        {
            *b = (acc << (8 - pending)) as u8;
        }
        let end = self.len + total;
        self.len += keep;
        // The fill bits are padding: clear them, keeping bits past `len` zero.
        self.clear_from(self.len, end);
        Ok(())
    }

    /// Sets the bits of `value` (`width` ≤ 57 bits, already masked) at bit `at`, in bits that
    /// are zero. Bits past the buffer are dropped.
    fn or_bits(&mut self, value: u64, width: usize, at: usize) {
        let byte = at / 8;
        let shift = 64 - width - at % 8;
        let word = (value << shift).to_be_bytes();
        for (dst, src) in self.bytes.iter_mut().skip(byte).zip(word) {
            *dst |= src;
        }
    }

    /// Clears bits `from..to`.
    fn clear_from(&mut self, from: usize, to: usize) {
        let to = to.min(MAX_PAYLOAD_BITS);
        let mut bit = from;
        while bit < to {
            let within = bit % 8;
            let n = (8 - within).min(to - bit);
            // The `n` bits from `within` in this byte.
            let mask = ((0xffu16 << (8 - n)) as u8) >> within;
            if let Some(b) = self.bytes.get_mut(bit / 8) {
                *b &= !mask;
            }
            bit += n;
        }
    }

    /// The first `len` bits (all of them if there are fewer).
    pub fn prefix(&self, len: usize) -> AisBits {
        let mut out = self.clone();
        if len < self.len {
            out.clear_from(len, self.len);
            out.len = len;
        }
        out
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
        let width = width.min(32);
        if width == 0 {
            return 0;
        }
        // One big-endian 64-bit load holds any 32-bit field at any bit offset within a byte.
        let byte = start / 8;
        let word = match self.bytes.get(byte..byte + 8) {
            Some(eight) => {
                let mut buf = [0u8; 8];
                buf.copy_from_slice(eight);
                u64::from_be_bytes(buf)
            }
            None => {
                let mut buf = [0u8; 8];
                for (dst, src) in buf.iter_mut().zip(self.bytes.iter().skip(byte)) {
                    *dst = *src;
                }
                u64::from_be_bytes(buf)
            }
        };
        let shift = 64 - width - start % 8;
        // Bits past `len` are zero (the struct's invariant), so no masking at the end.
        ((word >> shift) & ((1u64 << width) - 1)) as u32
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
    /// Characters not wholly inside the payload are not read.
    pub fn text<const N: usize>(&self, start: usize, chars: usize) -> String<N> {
        let mut out = self.text_untrimmed(start, chars);
        while out.ends_with(' ') {
            out.pop();
        }
        out
    }

    /// Like [`AisBits::text`] but keeps trailing spaces: for texts that continue in another
    /// field (the type 21 name and its extension).
    pub fn text_untrimmed<const N: usize>(&self, start: usize, chars: usize) -> String<N> {
        let mut out = String::new();
        let whole = self.len.saturating_sub(start) / 6;
        for i in 0..chars.min(whole) {
            let c = text_char(self.uint(start + i * 6, 6) as u8);
            if c == b'@' || out.push(char::from(c)).is_err() {
                break;
            }
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

/// Builds a payload field by field, for encoders. A value that does not fit its field, or a
/// payload longer than [`MAX_PAYLOAD_BITS`], makes [`BitWriter::finish`] fail.
#[derive(Debug, Clone, Default)]
pub struct BitWriter {
    bits: AisBits,
    error: Option<AisError>,
}

impl BitWriter {
    /// An empty payload.
    pub const fn new() -> Self {
        BitWriter {
            bits: AisBits::new(),
            error: None,
        }
    }

    /// Number of bits written so far.
    pub fn len(&self) -> usize {
        self.bits.len
    }

    /// Whether nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.bits.len == 0
    }

    fn fail(&mut self, e: AisError) {
        if self.error.is_none() {
            self.error = Some(e);
        }
    }

    /// Appends `value` as an unsigned `width`-bit field (`width` ≤ 32).
    pub fn uint(&mut self, value: u32, width: usize) -> &mut Self {
        let width = width.min(32);
        if width < 32 && value >> width != 0 {
            self.fail(AisError::FieldOverflow { bit: self.bits.len });
        }
        self.raw(u64::from(value), width)
    }

    fn raw(&mut self, value: u64, width: usize) -> &mut Self {
        if width == 0 {
            return self;
        }
        if self.bits.len + width > MAX_PAYLOAD_BITS {
            self.fail(AisError::TooLong);
            return self;
        }
        let at = self.bits.len;
        self.bits.or_bits(value & ((1u64 << width) - 1), width, at);
        self.bits.len += width;
        self
    }

    /// Appends `value` as a `width`-bit two's-complement field (`width` ≤ 32).
    pub fn int(&mut self, value: i32, width: usize) -> &mut Self {
        let width = width.clamp(1, 32);
        let min = -(1i64 << (width - 1));
        let max = (1i64 << (width - 1)) - 1;
        if !(min..=max).contains(&i64::from(value)) {
            self.fail(AisError::FieldOverflow { bit: self.bits.len });
        }
        self.raw(u64::from(value as u32), width)
    }

    /// Appends one bit.
    pub fn flag(&mut self, value: bool) -> &mut Self {
        self.raw(u64::from(value), 1)
    }

    /// Appends `text` as `chars` six-bit characters, padded with `@`. Lower case becomes upper
    /// case and characters outside the six-bit table become `?`; a text longer than `chars`
    /// fails.
    pub fn text(&mut self, text: &str, chars: usize) -> &mut Self {
        if text.len() > chars {
            self.fail(AisError::FieldOverflow { bit: self.bits.len });
        }
        let mut bytes = text.bytes();
        for _ in 0..chars {
            let v = bytes.next().map_or(0, text_value);
            self.raw(u64::from(v), 6);
        }
        self
    }

    /// Appends zero bits up to the next multiple of eight (ITU-R M.1371 spare bits that pad a
    /// variable-length message to a byte boundary).
    pub fn pad_to_byte(&mut self) -> &mut Self {
        let spare = (8 - self.bits.len % 8) % 8;
        self.raw(0, spare)
    }

    /// The payload, or the first error: [`AisError::TooLong`] if the payload outgrew
    /// [`MAX_PAYLOAD_BITS`], [`AisError::FieldOverflow`] if a value did not fit its field.
    pub fn finish(&self) -> Result<AisBits, AisError> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.bits.clone()),
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
    fn fields_read_at_every_offset_and_up_to_the_last_bit() {
        let mut w = BitWriter::new();
        w.uint(0, 5);
        for _ in 0..31 {
            w.uint(0xdead_beef, 32);
        }
        w.uint(0, 24).uint(0b101, 3);
        let bits = w.finish().unwrap();
        assert_eq!(bits.len(), MAX_PAYLOAD_BITS);
        for i in 0..31 {
            assert_eq!(bits.uint(5 + 32 * i, 32), 0xdead_beef);
            assert_eq!(bits.uint(5 + 32 * i + 4, 8), 0xea);
        }
        assert_eq!(bits.uint(MAX_PAYLOAD_BITS - 3, 3), 0b101);
        assert_eq!(bits.uint(MAX_PAYLOAD_BITS - 3, 32), 0b101 << 29);
        assert_eq!(bits.uint(MAX_PAYLOAD_BITS, 32), 0);
        assert_eq!(bits.uint(usize::MAX / 2, 32), 0);
    }

    #[test]
    fn bits_past_the_end_read_as_zero_even_after_a_rejected_fragment() {
        let mut bits = AisBits::from_armour("w", 4).unwrap();
        assert_eq!(bits.len(), 2);
        assert_eq!(bits.uint(0, 8), 0b1100_0000);
        assert_eq!(bits.append_armour("ww!", 0), Err(AisError::BadArmour(b'!')));
        assert_eq!(bits.len(), 2);
        assert_eq!(bits.uint(0, 32), 0b11 << 30);
        let prefix = AisBits::from_armour("wwww", 0).unwrap().prefix(9);
        assert_eq!((prefix.len(), prefix.uint(0, 16)), (9, 0xff80));
    }

    #[test]
    fn a_value_too_wide_for_its_field_fails_the_writer() {
        let mut w = BitWriter::new();
        w.uint(3, 2).int(-2, 2).uint(4, 2);
        assert_eq!(w.finish(), Err(AisError::FieldOverflow { bit: 4 }));
        let mut w = BitWriter::new();
        w.int(2, 2);
        assert_eq!(w.finish(), Err(AisError::FieldOverflow { bit: 0 }));
        let mut w = BitWriter::new();
        w.text("TOOLONG", 3);
        assert_eq!(w.finish(), Err(AisError::FieldOverflow { bit: 0 }));
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
