//! A minimal JSON object writer onto [`core::fmt::Write`], for gpsd's AIS JSON.
//!
//! gpsd's unscaled AIS JSON (`gpsdecode -u -j`) is the de facto interchange format for decoded
//! AIS (DESIGN.md). Each message writes its own fields, in gpsd's order and with gpsd's names,
//! through this writer; no allocation, so `borderfuse-agent ais-decode` allocates nothing per
//! sentence and the firmware could emit it too.

use core::fmt::{self, Write};

/// Writes one JSON object, field by field. The first error sticks and is returned by
/// [`JsonObject::end`], so callers write fields without checking each one.
pub struct JsonObject<'w, W: Write> {
    out: &'w mut W,
    first: bool,
    result: fmt::Result,
}

impl<'w, W: Write> JsonObject<'w, W> {
    /// Opens an object.
    pub fn begin(out: &'w mut W) -> Self {
        let result = out.write_char('{');
        JsonObject {
            out,
            first: true,
            result,
        }
    }

    fn key(&mut self, key: &str) {
        if self.result.is_err() {
            return;
        }
        let sep = if self.first { "" } else { "," };
        self.first = false;
        self.result = write!(self.out, "{sep}\"{key}\":");
    }

    /// An unsigned integer field.
    pub fn uint(&mut self, key: &str, v: u64) -> &mut Self {
        self.key(key);
        if self.result.is_ok() {
            self.result = write!(self.out, "{v}");
        }
        self
    }

    /// A signed integer field.
    pub fn int(&mut self, key: &str, v: i64) -> &mut Self {
        self.key(key);
        if self.result.is_ok() {
            self.result = write!(self.out, "{v}");
        }
        self
    }

    /// A boolean field.
    pub fn bool(&mut self, key: &str, v: bool) -> &mut Self {
        self.key(key);
        if self.result.is_ok() {
            self.result = self.out.write_str(if v { "true" } else { "false" });
        }
        self
    }

    /// A number with `decimals` digits after the point (scaled values).
    pub fn fixed(&mut self, key: &str, v: f64, decimals: usize) -> &mut Self {
        self.key(key);
        if self.result.is_ok() {
            self.result = write!(self.out, "{v:.decimals$}");
        }
        self
    }

    /// A string field, escaped as JSON requires.
    pub fn str(&mut self, key: &str, v: &str) -> &mut Self {
        self.key(key);
        if self.result.is_ok() {
            self.result = write_escaped(self.out, v);
        }
        self
    }

    /// A field whose value is already JSON (a nested object or array written by the caller
    /// through [`JsonObject::raw_value`]).
    pub fn raw(&mut self, key: &str, json: &str) -> &mut Self {
        self.key(key);
        if self.result.is_ok() {
            self.result = self.out.write_str(json);
        }
        self
    }

    /// Starts a field whose value the caller writes directly to the returned writer (an array
    /// of objects, say); the caller must write exactly one JSON value.
    pub fn raw_value(&mut self, key: &str) -> Result<&mut W, fmt::Error> {
        self.key(key);
        self.result?;
        Ok(self.out)
    }

    /// Closes the object.
    pub fn end(self) -> fmt::Result {
        self.result?;
        self.out.write_char('}')
    }
}

/// Writes `s` as a JSON string literal. Control characters are escaped; six-bit AIS text has
/// none but `\` and `"`, which it can carry.
pub fn write_escaped<W: Write>(out: &mut W, s: &str) -> fmt::Result {
    out.write_char('"')?;
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
    out.write_str(&s[start..])?;
    out.write_char('"')
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
    fn a_full_buffer_is_an_error_not_a_panic() {
        let mut s = String::<8>::new();
        let mut o = JsonObject::begin(&mut s);
        o.str("shipname", "A LONG NAME");
        assert!(o.end().is_err());
    }
}
