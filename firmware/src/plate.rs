//! Plate-camera results, one a line, parsed into [`PlateRead`]s without an allocator.
//!
//! Two line formats, told apart by the first byte:
//!
//! - JSON, one flat object a line, as OpenALPR / Plate Recognizer style cameras print it:
//!   `{"plate":"ab-123cd","score":0.91,"region":{"code":"gr"},"camera_id":3,"lane":2,
//!   "direction":"entering"}`. Keys: `plate`; `confidence` or `score` (in `[0, 1]`);
//!   `country` or `region` (a code string, or an object with `code`); `camera` or
//!   `camera_id`; `lane`; `direction` (`entering`/`in`/`towards`, `leaving`/`out`/`away`).
//!   Other keys, and nested values under them, are skipped.
//! - CSV: `plate,confidence,country,camera,lane,direction` (a header line starting `plate,`
//!   is skipped).
//!
//! The scanner walks the line once, keeps no more than a few short fixed buffers, and never
//! recurses: nesting is skipped by counting brackets.

use borderfuse_common::frame::{Direction, MAX_PLATE_LEN, PlateRead};
use heapless::String;

/// Longest camera line the node accepts (a Plate Recognizer result with candidates is
/// ~400 bytes).
pub const MAX_CAMERA_LINE: usize = 512;

/// Why a camera line gave no plate read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlateLineError {
    /// The record was cut short: a JSON object without its end, a CSV line without all its
    /// fields.
    HalfRecord,
    /// The confidence was missing, not a plain number, or outside `[0, 1]`.
    BadConfidence,
    /// The plate was missing, empty, longer than [`MAX_PLATE_LEN`], or had characters other
    /// than ASCII letters, digits and separators (space, `-`, `.`).
    BadPlate,
    /// Not a camera record at all (line noise, a camera or lane number out of range).
    Malformed,
}

/// Parses one camera line; `Ok(None)` for a blank line or a CSV header.
pub fn parse_line(line: &[u8]) -> Result<Option<PlateRead>, PlateLineError> {
    let line = trim(line);
    match line.first() {
        None => Ok(None),
        Some(b'{') => parse_json(line).map(Some),
        Some(_) if line.starts_with(b"plate,") => Ok(None),
        Some(_) => parse_csv(line).map(Some),
    }
}

/// The fields of a read as they arrive, checked and converted at the end.
#[derive(Default)]
struct Fields<'a> {
    plate: Option<&'a [u8]>,
    confidence: Option<&'a [u8]>,
    country: Option<&'a [u8]>,
    camera: Option<&'a [u8]>,
    lane: Option<&'a [u8]>,
    direction: Option<&'a [u8]>,
}

impl<'a> Fields<'a> {
    fn set(&mut self, key: &[u8], value: &'a [u8]) {
        let slot = match key {
            b"plate" => &mut self.plate,
            b"confidence" | b"score" => &mut self.confidence,
            b"country" | b"region" => &mut self.country,
            b"camera" | b"camera_id" => &mut self.camera,
            b"lane" => &mut self.lane,
            b"direction" => &mut self.direction,
            _ => return,
        };
        *slot = Some(value);
    }

    fn into_read(self) -> Result<PlateRead, PlateLineError> {
        let plate = normalise_plate(self.plate.ok_or(PlateLineError::BadPlate)?)?;
        let confidence = parse_confidence(self.confidence.ok_or(PlateLineError::BadConfidence)?)?;
        Ok(PlateRead {
            plate,
            country: country_code(self.country.unwrap_or(b"")),
            confidence,
            camera: parse_small(self.camera)?,
            lane: parse_small(self.lane)?,
            direction: direction(self.direction.unwrap_or(b"")),
        })
    }
}

fn parse_csv(line: &[u8]) -> Result<PlateRead, PlateLineError> {
    let mut parts = line.split(|&b| b == b',').map(trim);
    let mut next = || parts.next().ok_or(PlateLineError::HalfRecord);
    let fields = Fields {
        plate: Some(next()?),
        confidence: Some(next()?),
        country: Some(next()?),
        camera: Some(next()?),
        lane: Some(next()?),
        direction: Some(next()?),
    };
    fields.into_read()
}

/// A cursor over a JSON line.
struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&mut self) -> Result<u8, PlateLineError> {
        while let Some(&b) = self.bytes.get(self.pos) {
            if !b.is_ascii_whitespace() {
                return Ok(b);
            }
            self.pos += 1;
        }
        Err(PlateLineError::HalfRecord)
    }

    fn expect_byte(&mut self, byte: u8) -> Result<(), PlateLineError> {
        if self.peek()? == byte {
            self.pos += 1;
            Ok(())
        } else {
            Err(PlateLineError::Malformed)
        }
    }

    /// A string's raw content (escapes left as they are: plates and codes have none).
    fn string(&mut self) -> Result<&'a [u8], PlateLineError> {
        self.expect_byte(b'"')?;
        let start = self.pos;
        let mut escaped = false;
        while let Some(&b) = self.bytes.get(self.pos) {
            self.pos += 1;
            match (escaped, b) {
                (false, b'\\') => escaped = true,
                (false, b'"') => {
                    return self
                        .bytes
                        .get(start..self.pos - 1)
                        .ok_or(PlateLineError::Malformed);
                }
                _ => escaped = false,
            }
        }
        Err(PlateLineError::HalfRecord)
    }

    /// A number or literal: the bytes up to the next delimiter.
    fn bare(&mut self) -> Result<&'a [u8], PlateLineError> {
        let start = self.pos;
        while let Some(&b) = self.bytes.get(self.pos) {
            if matches!(b, b',' | b'}' | b']') || b.is_ascii_whitespace() {
                break;
            }
            self.pos += 1;
        }
        if self.pos >= self.bytes.len() {
            return Err(PlateLineError::HalfRecord);
        }
        self.bytes
            .get(start..self.pos)
            .ok_or(PlateLineError::Malformed)
    }

    /// Skips a nested object or array, counting brackets outside strings.
    fn skip_nested(&mut self) -> Result<(), PlateLineError> {
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        while let Some(&b) = self.bytes.get(self.pos) {
            self.pos += 1;
            if in_string {
                match (escaped, b) {
                    (false, b'\\') => escaped = true,
                    (false, b'"') => in_string = false,
                    _ => escaped = false,
                }
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Ok(());
                    }
                }
                _ => {}
            }
        }
        Err(PlateLineError::HalfRecord)
    }

    /// The members of the top-level object (`top`), or of a `region` object within it, whose
    /// only member of interest is its `code`.
    fn object(&mut self, fields: &mut Fields<'a>, top: bool) -> Result<(), PlateLineError> {
        self.expect_byte(b'{')?;
        if self.peek()? == b'}' {
            self.pos += 1;
            return Ok(());
        }
        loop {
            let key = self.string()?;
            self.expect_byte(b':')?;
            match self.peek()? {
                b'"' => {
                    let value = self.string()?;
                    match (top, key) {
                        (true, _) => fields.set(key, value),
                        (false, b"code") => fields.set(b"country", value),
                        (false, _) => {}
                    }
                }
                // `region: {"code": "gr", ...}`: one level down, for its code.
                b'{' if top && matches!(key, b"region" | b"country") => {
                    self.object(fields, false)?;
                }
                b'{' | b'[' => self.skip_nested()?,
                _ => {
                    let value = self.bare()?;
                    if top {
                        fields.set(key, value);
                    }
                }
            }
            match self.peek()? {
                b',' => self.pos += 1,
                b'}' => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(PlateLineError::Malformed),
            }
        }
    }
}

fn parse_json(line: &[u8]) -> Result<PlateRead, PlateLineError> {
    let mut scanner = Scanner {
        bytes: line,
        pos: 0,
    };
    let mut fields = Fields::default();
    scanner.object(&mut fields, true)?;
    if scanner.pos != line.len() {
        return Err(PlateLineError::Malformed);
    }
    fields.into_read()
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    bytes.get(start..end).unwrap_or(&[])
}

/// Upper case, separators removed; anything but ASCII letters and digits refused.
fn normalise_plate(raw: &[u8]) -> Result<String<MAX_PLATE_LEN>, PlateLineError> {
    let mut plate = String::new();
    for &b in raw {
        match b {
            b' ' | b'-' | b'.' => {}
            b if b.is_ascii_alphanumeric() => plate
                .push(char::from(b.to_ascii_uppercase()))
                .map_err(|_| PlateLineError::BadPlate)?,
            _ => return Err(PlateLineError::BadPlate),
        }
    }
    if plate.is_empty() {
        return Err(PlateLineError::BadPlate);
    }
    Ok(plate)
}

/// A plain decimal in `[0, 1]` (`0.93`, `1`, `.5`); exponents and signs refused. Digits past
/// the seventh decimal are ignored (below an f32's resolution here).
fn parse_confidence(raw: &[u8]) -> Result<f32, PlateLineError> {
    let raw = raw
        .strip_prefix(b"\"")
        .and_then(|r| r.strip_suffix(b"\""))
        .unwrap_or(raw);
    let (int, frac) = match raw.iter().position(|&b| b == b'.') {
        Some(dot) => (
            raw.get(..dot).unwrap_or(&[]),
            raw.get(dot + 1..).unwrap_or(&[]),
        ),
        None => (raw, &[][..]),
    };
    if (int.is_empty() && frac.is_empty())
        || int.len() > 3
        || !int.iter().chain(frac).all(u8::is_ascii_digit)
    {
        return Err(PlateLineError::BadConfidence);
    }
    let whole = int.iter().fold(0u32, |a, &d| a * 10 + u32::from(d - b'0'));
    let mut scale = 1u32;
    let mut fraction = 0u32;
    for &d in frac.iter().take(7) {
        fraction = fraction * 10 + u32::from(d - b'0');
        scale *= 10;
    }
    let value = whole as f32 + fraction as f32 / scale as f32;
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(PlateLineError::BadConfidence)
    }
}

/// A camera or lane number, 0-255 (absent: 0); a quoted number is accepted.
fn parse_small(raw: Option<&[u8]>) -> Result<u8, PlateLineError> {
    let Some(raw) = raw else { return Ok(0) };
    let raw = raw
        .strip_prefix(b"\"")
        .and_then(|r| r.strip_suffix(b"\""))
        .unwrap_or(raw);
    if raw.is_empty() || raw.len() > 3 || !raw.iter().all(u8::is_ascii_digit) {
        return Err(PlateLineError::Malformed);
    }
    let n = raw.iter().fold(0u16, |a, &d| a * 10 + u16::from(d - b'0'));
    u8::try_from(n).map_err(|_| PlateLineError::Malformed)
}

/// `gr`, `GRC`, `gr-att` (a region within a country) → `GR`/`GRC`; anything else → empty.
fn country_code(raw: &[u8]) -> String<3> {
    let code = raw.split(|&b| b == b'-').next().unwrap_or(&[]);
    let mut out = String::new();
    if (2..=3).contains(&code.len()) && code.iter().all(u8::is_ascii_alphabetic) {
        for &b in code {
            // Cannot fail: at most 3 bytes.
            let _ = out.push(char::from(b.to_ascii_uppercase()));
        }
    }
    out
}

fn direction(raw: &[u8]) -> Direction {
    let mut lower = [0u8; 12];
    let Some(slot) = lower.get_mut(..raw.len()) else {
        return Direction::Unknown;
    };
    for (l, r) in slot.iter_mut().zip(raw) {
        *l = r.to_ascii_lowercase();
    }
    match &*slot {
        b"entering" | b"in" | b"towards" | b"incoming" | b"entry" => Direction::Entering,
        b"leaving" | b"out" | b"away" | b"outgoing" | b"exit" => Direction::Leaving,
        _ => Direction::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(line: &str) -> PlateRead {
        match parse_line(line.as_bytes()) {
            Ok(Some(read)) => read,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn a_plate_recognizer_style_json_line_gives_every_field() {
        let r = read(
            r#"{"plate":"ab-123cd","score":0.91,"region":{"code":"gr","score":0.8},"camera_id":"3","lane":2,"direction":"entering","candidates":[{"plate":"ab123c0","score":0.5}],"timestamp":"2026-11-29T02:00:00Z"}"#,
        );
        assert_eq!(r.plate.as_str(), "AB123CD");
        assert!((r.confidence - 0.91).abs() < 1e-6);
        assert_eq!(r.country.as_str(), "GR");
        assert_eq!((r.camera, r.lane, r.direction), (3, 2, Direction::Entering));
    }

    #[test]
    fn a_csv_line_gives_every_field_and_a_header_is_skipped() {
        assert_eq!(
            parse_line(b"plate,confidence,country,camera,lane,direction"),
            Ok(None)
        );
        let r = read("IKH 4521, 0.875, gr, 1, 4, leaving");
        assert_eq!(r.plate.as_str(), "IKH4521");
        assert_eq!(r.confidence, 0.875);
        assert_eq!((r.camera, r.lane, r.direction), (1, 4, Direction::Leaving));
    }

    #[test]
    fn bad_records_are_refused_with_their_reason() {
        use PlateLineError::*;
        let cases: [(&str, PlateLineError); 10] = [
            (r#"{"plate":"AB123CD","score":0.9,"lane""#, HalfRecord),
            (r#"{"plate":"AB12"#, HalfRecord),
            ("AB123,0.9,GR", HalfRecord),
            (r#"{"plate":"AB123CD","score":1.5}"#, BadConfidence),
            (r#"{"plate":"AB123CD","score":-0.1}"#, BadConfidence),
            (r#"{"plate":"AB123CD","score":9e-1}"#, BadConfidence),
            (r#"{"plate":"AB*123","score":0.9}"#, BadPlate),
            (
                r#"{"plate":"ABCDEFGHIJKLMNOPQRSTUVWXYZ","score":0.9}"#,
                BadPlate,
            ),
            (r#"{"plate":"AB123","score":0.9,"lane":300}"#, Malformed),
            (r#"{"plate" 5}"#, Malformed),
        ];
        for (line, want) in cases {
            assert_eq!(parse_line(line.as_bytes()), Err(want), "{line}");
        }
    }
}
