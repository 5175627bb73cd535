//! A minimal JSON object writer onto [`core::fmt::Write`], for gpsd's AIS JSON.
//!
//! gpsd's unscaled AIS JSON (`gpsdecode -u -j`) is the de facto interchange format for decoded
//! AIS (DESIGN.md). Each message writes its own fields, in gpsd's order and with gpsd's names,
//! through this writer; no allocation, so `borderfuse-agent ais-decode` allocates nothing per
//! sentence and the firmware could emit it too.

use core::fmt::{self, Write};

/// Bytes a [`JsonObject`] gathers before handing them to its writer: AIS objects but for long
/// binary payloads whole.
const STAGING: usize = 512;

/// Writes one JSON object, field by field. The first error sticks and is returned by
/// [`JsonObject::end`], so callers write fields without checking each one.
///
/// Output is gathered in a small buffer and handed to the writer in few large pieces: many
/// small `write_str` calls and `core::fmt` formatting cost more than the decoding itself.
pub struct JsonObject<'w, W: Write> {
    out: &'w mut W,
    first: bool,
    result: fmt::Result,
    /// Whole UTF-8 pieces not yet written to `out`.
    buf: [u8; STAGING],
    len: usize,
}

impl<'w, W: Write> JsonObject<'w, W> {
    /// Opens an object.
    pub fn begin(out: &'w mut W) -> Self {
        let mut o = JsonObject {
            out,
            first: true,
            result: Ok(()),
            buf: [0; STAGING],
            len: 0,
        };
        o.put("{");
        o
    }

    /// Writes the gathered bytes to the writer.
    fn flush(&mut self) {
        if self.len == 0 {
            return;
        }
        let staged = self.buf.get(..self.len).unwrap_or_default();
        // Only whole `&str` pieces and ASCII digits are staged, so this is valid UTF-8.
        if self.result.is_ok() {
            self.result = match core::str::from_utf8(staged) {
                Ok(text) => self.out.write_str(text),
                Err(_) => Err(fmt::Error),
            };
        }
        self.len = 0;
    }

    /// Appends a piece of output.
    #[inline]
    fn put(&mut self, s: &str) {
        if self.len + s.len() > STAGING {
            self.flush();
            if s.len() > STAGING {
                if self.result.is_ok() {
                    self.result = self.out.write_str(s);
                }
                return;
            }
        }
        self.stage(s.as_bytes());
    }

    /// Copies `bytes`, which fit, into the buffer. Pieces are mostly a few bytes (keys,
    /// digits, punctuation): up to 16 bytes are moved as two overlapping 4- or 8-byte words,
    /// which beats both a byte loop and a call to `memcpy`.
    #[inline(always)]
    fn stage(&mut self, bytes: &[u8]) {
        let n = bytes.len();
        let Some(dst) = self.buf.get_mut(self.len..self.len + n) else {
            return;
        };
        match n {
            0..4 => {
                for (d, s) in dst.iter_mut().zip(bytes) {
                    *d = *s;
                }
            }
            4..8 => {
                copy_word::<4>(dst, bytes, 0);
                copy_word::<4>(dst, bytes, n - 4);
            }
            8..=16 => {
                copy_word::<8>(dst, bytes, 0);
                copy_word::<8>(dst, bytes, n - 8);
            }
            _ => dst.copy_from_slice(bytes),
        }
        self.len += n;
    }

    /// Appends `v` in decimal. Digits come four at a time from one division, as two pairs
    /// from a table, so that a nine-digit MMSI or position costs two dependent divisions
    /// rather than nine.
    fn put_u64(&mut self, v: u64) {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        let mut n = v;
        while n >= 10_000 {
            let group = (n % 10_000) as usize;
            n /= 10_000;
            at -= 4;
            put_pair(&mut digits, at, group / 100);
            put_pair(&mut digits, at + 2, group % 100);
        }
        // Now n < 10 000: one to four digits.
        let n = n as usize;
        let (high, low) = (n / 100, n % 100);
        if high > 0 {
            at -= 2;
            put_pair(&mut digits, at, low);
        }
        let lead = if high > 0 { high } else { low };
        if lead >= 10 {
            at -= 2;
            put_pair(&mut digits, at, lead);
        } else {
            at -= 1;
            if let Some(d) = digits.get_mut(at) {
                *d = b'0' + lead as u8;
            }
        }
        let digits = digits.get(at..).unwrap_or_default();
        if self.len + digits.len() > STAGING {
            self.flush();
        }
        self.stage(digits);
    }

    fn key(&mut self, key: &str) {
        let sep = if self.first { "\"" } else { ",\"" };
        self.first = false;
        if self.len + sep.len() + key.len() + 2 > STAGING {
            self.flush();
        }
        if key.len() + 4 > STAGING {
            self.put(sep);
            self.put(key);
            self.put("\":");
            return;
        }
        self.stage(sep.as_bytes());
        self.stage(key.as_bytes());
        self.stage(b"\":");
    }

    /// An unsigned integer field.
    pub fn uint(&mut self, key: &str, v: u64) -> &mut Self {
        self.key(key);
        self.put_u64(v);
        self
    }

    /// A signed integer field.
    pub fn int(&mut self, key: &str, v: i64) -> &mut Self {
        self.key(key);
        if v < 0 {
            self.put("-");
        }
        self.put_u64(v.unsigned_abs());
        self
    }

    /// A boolean field.
    pub fn bool(&mut self, key: &str, v: bool) -> &mut Self {
        self.key(key);
        self.put(if v { "true" } else { "false" });
        self
    }

    /// A number with `decimals` digits after the point (scaled values).
    pub fn fixed(&mut self, key: &str, v: f64, decimals: usize) -> &mut Self {
        self.key(key);
        self.flush();
        if self.result.is_ok() {
            self.result = write!(self.out, "{v:.decimals$}");
        }
        self
    }

    /// A string field, escaped as JSON requires.
    pub fn str(&mut self, key: &str, v: &str) -> &mut Self {
        self.key(key);
        self.put("\"");
        let mut start = 0;
        for (i, b) in v.bytes().enumerate() {
            let escape = match b {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0..0x20 => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    self.put(v.get(start..i).unwrap_or_default());
                    self.put("\\u00");
                    for nibble in [b >> 4, b & 0xf] {
                        let h = HEX.get(usize::from(nibble)).copied().unwrap_or(b'0');
                        self.put(core::str::from_utf8(&[h]).unwrap_or_default());
                    }
                    start = i + 1;
                    continue;
                }
                _ => continue,
            };
            // `b` is ASCII, so `start..i` falls on character boundaries.
            self.put(v.get(start..i).unwrap_or_default());
            self.put(escape);
            start = i + 1;
        }
        self.put(v.get(start..).unwrap_or_default());
        self.put("\"");
        self
    }

    /// A string field formatted from `args` (`format_args!`), escaped as JSON requires:
    /// gpsd's dates such as `"eta":"05-15T14:00Z"`, without a buffer.
    pub fn str_fmt(&mut self, key: &str, args: fmt::Arguments<'_>) -> &mut Self {
        self.key(key);
        self.put("\"");
        self.flush();
        if self.result.is_ok() {
            self.result = Escaper(&mut *self.out).write_fmt(args);
        }
        self.put("\"");
        self
    }

    /// A field whose value is already JSON (a nested object or array written by the caller
    /// through [`JsonObject::raw_value`]).
    pub fn raw(&mut self, key: &str, json: &str) -> &mut Self {
        self.key(key);
        self.put(json);
        self
    }

    /// Starts a field whose value the caller writes directly to the returned writer (an array
    /// of objects, say); the caller must write exactly one JSON value.
    pub fn raw_value(&mut self, key: &str) -> Result<&mut W, fmt::Error> {
        self.key(key);
        self.flush();
        self.result?;
        Ok(self.out)
    }

    /// Closes the object.
    pub fn end(mut self) -> fmt::Result {
        self.put("}");
        self.flush();
        self.result
    }
}

/// Writes the two decimal digits of `pair` (< 100) at `at`.
#[inline(always)]
fn put_pair(digits: &mut [u8; 20], at: usize, pair: usize) {
    const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
        2021222324252627282930313233343536373839\
        4041424344454647484950515253545556575859\
        6061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899";
    if let (Some(d), Some(p)) = (
        digits.get_mut(at..at + 2),
        PAIRS.get(2 * pair..2 * pair + 2),
    ) {
        d.copy_from_slice(p);
    }
}

/// Copies the `N` bytes of `src` at `at` to `dst` at `at` (both at least `at + N` long).
#[inline(always)]
fn copy_word<const N: usize>(dst: &mut [u8], src: &[u8], at: usize) {
    if let (Some(d), Some(s)) = (dst.get_mut(at..at + N), src.get(at..at + N)) {
        d.copy_from_slice(s);
    }
}

/// Escapes what is written through it as the inside of a JSON string literal.
struct Escaper<'a, W: Write>(&'a mut W);

impl<W: Write> Write for Escaper<'_, W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        write_escaped_inner(self.0, s)
    }
}

/// Writes `s` as a JSON string literal. Control characters are escaped; six-bit AIS text has
/// none but `\` and `"`, which it can carry.
pub fn write_escaped<W: Write>(out: &mut W, s: &str) -> fmt::Result {
    out.write_char('"')?;
    write_escaped_inner(out, s)?;
    out.write_char('"')
}

/// Writes `s` escaped as the inside of a JSON string literal.
fn write_escaped_inner<W: Write>(out: &mut W, s: &str) -> fmt::Result {
    if !s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        return out.write_str(s);
    }
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let escape = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            c if (c as u32) < 0x20 => {
                out.write_str(&s[start..i])?;
                write!(out, "\\u{:04x}", c as u32)?;
                start = i + c.len_utf8();
                continue;
            }
            _ => continue,
        };
        out.write_str(&s[start..i])?;
        out.write_str(escape)?;
        start = i + c.len_utf8();
    }
    out.write_str(&s[start..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use heapless::String;

    #[test]
    fn an_object_is_written_in_field_order_with_escapes() {
        let mut s = String::<128>::new();
        let mut o = JsonObject::begin(&mut s);
        o.str("class", "AIS")
            .uint("type", 5)
            .int("turn", -127)
            .bool("accuracy", true)
            .str("shipname", "A\"B\\C\u{1}");
        o.end().unwrap();
        assert_eq!(
            s.as_str(),
            r#"{"class":"AIS","type":5,"turn":-127,"accuracy":true,"shipname":"A\"B\\C\u0001"}"#
        );
    }

    #[test]
    fn integers_are_written_in_full_at_their_extremes() {
        let mut s = String::<128>::new();
        let mut o = JsonObject::begin(&mut s);
        o.uint("a", 0)
            .uint("b", u64::MAX)
            .int("c", i64::MIN)
            .int("d", -7)
            .int("e", 42);
        o.end().unwrap();
        assert_eq!(
            s.as_str(),
            r#"{"a":0,"b":18446744073709551615,"c":-9223372036854775808,"d":-7,"e":42}"#
        );
    }

    #[test]
    fn a_formatted_string_field_is_quoted_and_escaped() {
        let mut s = String::<64>::new();
        let mut o = JsonObject::begin(&mut s);
        o.str_fmt(
            "eta",
            format_args!("{:02}-{:02}T{:02}:{:02}Z", 5, 15, 14, 0),
        )
        .str_fmt("q", format_args!("{}", "a\"b"));
        o.end().unwrap();
        assert_eq!(s.as_str(), r#"{"eta":"05-15T14:00Z","q":"a\"b"}"#);
    }

    #[test]
    fn a_full_buffer_is_an_error_not_a_panic() {
        let mut s = String::<8>::new();
        let mut o = JsonObject::begin(&mut s);
        o.str("shipname", "A LONG NAME");
        assert!(o.end().is_err());
    }
}
