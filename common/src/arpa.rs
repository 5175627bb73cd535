//! Radar ARPA sentences of IEC 61162-1 (NMEA 0183): `TTM` (tracked target message), `TLL`
//! (target latitude and longitude), `OSD` (own ship data) and `RSD` (radar system data), read
//! from a checksum-verified [`Sentence`] and written back with their checksum.
//!
//! An ARPA (automatic radar plotting aid) radar runs its own tracker and reports it on its
//! NMEA port:
//!
//! | sentence | what it carries | what borderfuse uses it for |
//! |---|---|---|
//! | [`Ttm`] | one target of the radar's tracker: number (0-999), distance and bearing from own ship, speed and course, CPA and time to CPA, name, status (lost, acquiring, tracking), reference-target flag, UTC of the data, how it was acquired | the radar's own tracks: [`Ttm::to_radar_track`] makes the [`frame::RadarTrack`] a radar node sends to the agent; the simulators write `TTM` as a radar would |
//! | [`Tll`] | the same targets as geographic positions, with name, time, status and reference flag | target positions, usable by the tracker without own-ship data (latitude and longitude go to the east/north frame through [`crate::geo`]) |
//! | [`Osd`] | heading, course, speed, set and drift of the ship carrying the radar, each with where it comes from (bottom track, water, positioning system, ...) | own ship for a shipborne radar: turns relative bearings and courses into true ones, and own-ship-relative target motion into motion over ground |
//! | [`Rsd`] | the display: range scale and range units, two origins with their range markers (VRM) and bearing lines (EBL), the cursor, display rotation | the range scale: how far the radar is looking, so a vessel beyond it is "out of range", not "unseen" |
//!
//! Values are kept in the sentence's own units and the field names say which: angles in
//! degrees (`_deg`), time to CPA in minutes (`_min`), distances in the sentence's
//! [`DistanceUnits`] (`K`, `N`, `S`) and speeds in those units per hour. Latitude and
//! longitude stay degrees, minutes and hemisphere ([`Latitude`], [`Longitude`]). The `*_m()`,
//! `*_mps()` and `*_s()` helpers convert to SI. An empty field is `None`.
//!
//! Numbers are `f32`: the finest resolution radars report (0.001 nm, 0.1°, 0.00001 minute of
//! latitude) fits its 7 significant digits, and the Cortex-M4's FPU is single precision. A
//! number is an optional `-`, digits and at most one `.`: no exponent, no `inf` or `nan`. The
//! syntax is checked here, then core's correctly rounded `f32` parser reads it, so parsing
//! allocates nothing and never panics.
//!
//! Writing ([`Ttm::to_sentence`] and its siblings) prints every number in the shortest form
//! that reads back to the same `f32`, so parsing a written sentence gives back the value it
//! was written from. IEC 61162-1 limits a sentence to 82 characters: round values to the
//! resolution a real radar reports (e.g. 0.01 nm, 0.1°) before writing them, otherwise the
//! many digits of a computed `f32` make [`WriteError::TooLong`] likely.

use core::fmt::{self, Write as _};
use core::str::Split;

use heapless::String;

use crate::frame::{self, TargetStatus};
use crate::nmea::{MAX_SENTENCE_LEN, Sentence, checksum};

const METRES_PER_KILOMETRE: f64 = 1000.0;
const METRES_PER_NAUTICAL_MILE: f64 = 1852.0;
const METRES_PER_STATUTE_MILE: f64 = 1609.344;
const SECONDS_PER_HOUR: f64 = 3600.0;
const SECONDS_PER_MINUTE: f64 = 60.0;

/// Highest target number IEC 61162-1 allows in `TTM` and `TLL` (three digits).
pub const MAX_TARGET_NUMBER: u16 = 999;

/// Field names of each sentence, in order; field `n` (1-based, as the standard numbers them)
/// is `NAMES[n - 1]`. Reader and writer both take names from here, so errors name fields the
/// same way in both directions, and these are the struct fields' names.
const TTM_FIELDS: [&str; 15] = [
    "target",
    "distance",
    "bearing_deg",
    "bearing_reference",
    "speed",
    "course_deg",
    "course_reference",
    "cpa_distance",
    "tcpa_min",
    "units",
    "name",
    "status",
    "reference_target",
    "time",
    "acquisition",
];
const TLL_FIELDS: [&str; 9] = [
    "target",
    "latitude",
    "latitude_hemisphere",
    "longitude",
    "longitude_hemisphere",
    "name",
    "time",
    "status",
    "reference_target",
];
const OSD_FIELDS: [&str; 9] = [
    "heading_deg",
    "heading_status",
    "course_deg",
    "course_reference",
    "speed",
    "speed_reference",
    "set_deg",
    "drift",
    "units",
];
const RSD_FIELDS: [&str; 13] = [
    "origin1_range",
    "origin1_bearing_deg",
    "vrm1_range",
    "ebl1_deg",
    "origin2_range",
    "origin2_bearing_deg",
    "vrm2_range",
    "ebl2_deg",
    "cursor_range",
    "cursor_bearing_deg",
    "range_scale",
    "units",
    "display_rotation",
];

/// `TTM` sentences before NMEA 0183 3.0 end after the reference-target flag (field 13); the
/// UTC time and acquisition type came later.
const TTM_MIN_FIELDS: u8 = 13;

/// What is wrong with one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldErrorKind {
    /// Not a number: something other than an optional `-`, digits and one `.`.
    NotANumber,
    /// A number outside the field's range (negative distance, bearing over 360°, target
    /// number over 999, minute 60, not finite, ...).
    OutOfRange,
    /// Not one of the letters this field allows.
    UnknownCode,
    /// Laid out wrongly: a time that is not `hhmmss.ss`, a position that is not `ddmm.mm`.
    Malformed,
    /// Empty although its pair is not: a latitude without hemisphere, or the other way round.
    Missing,
    /// Text containing a character IEC 61162-1 reserves (`$ * , ! \ ~`) or outside printable
    /// ASCII; when writing, also an empty `Some("")`, which would read back as `None`.
    BadText,
}

impl fmt::Display for FieldErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FieldErrorKind::NotANumber => "not a number",
            FieldErrorKind::OutOfRange => "out of range",
            FieldErrorKind::UnknownCode => "not one of the allowed letters",
            FieldErrorKind::Malformed => "malformed",
            FieldErrorKind::Missing => "missing although its pair is present",
            FieldErrorKind::BadText => "text with a reserved or non-printable character",
        })
    }
}

/// Why a checksum-verified sentence is not a usable ARPA sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArpaError {
    /// Not `$--TTM`, `$--TLL`, `$--OSD` or `$--RSD` (another formatter, a proprietary
    /// sentence, or an `!` encapsulation sentence).
    NotArpa,
    /// Fewer or more data fields than the sentence has.
    FieldCount {
        /// Fewest fields accepted.
        min: u8,
        /// Most fields accepted.
        max: u8,
        /// Fields in the sentence.
        found: usize,
    },
    /// One field is wrong.
    Field {
        /// Field number, 1-based as IEC 61162-1 numbers them.
        index: u8,
        /// The field's name: the name of the struct field it goes to.
        name: &'static str,
        /// What is wrong with it.
        kind: FieldErrorKind,
    },
}

impl fmt::Display for ArpaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArpaError::NotArpa => f.write_str("not a TTM, TLL, OSD or RSD sentence"),
            ArpaError::FieldCount { min, max, found } => {
                write!(f, "{found} fields, expected {min} to {max}")
            }
            ArpaError::Field { index, name, kind } => {
                write!(f, "field {index} ({name}): {kind}")
            }
        }
    }
}

impl core::error::Error for ArpaError {}

/// Why a value could not be written as a sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteError {
    /// The talker is not two ASCII letters or digits, or starts with `P` (which would make
    /// the sentence proprietary).
    BadTalker,
    /// A field holds a value the reader would reject.
    Field {
        /// Field number, 1-based.
        index: u8,
        /// The struct field's name.
        name: &'static str,
        /// What is wrong with it.
        kind: FieldErrorKind,
    },
    /// The sentence would be longer than the 82 characters IEC 61162-1 allows.
    TooLong,
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::BadTalker => f.write_str("talker is not two letters or digits"),
            WriteError::Field { index, name, kind } => {
                write!(f, "field {index} ({name}): {kind}")
            }
            WriteError::TooLong => write!(f, "sentence longer than {MAX_SENTENCE_LEN} characters"),
        }
    }
}

impl core::error::Error for WriteError {}

/// A field holding one letter from a fixed set.
trait Code: Sized + Copy {
    fn from_code(code: &str) -> Option<Self>;
    fn code(self) -> &'static str;
}

/// Implements [`Code`] from one table, so reading and writing cannot disagree.
macro_rules! letter_codes {
    ($name:ident { $($variant:ident = $letter:literal),+ $(,)? }) => {
        impl Code for $name {
            fn from_code(code: &str) -> Option<Self> {
                match code {
                    $($letter => Some(Self::$variant),)+
                    _ => None,
                }
            }

            fn code(self) -> &'static str {
                match self {
                    $(Self::$variant => $letter,)+
                }
            }
        }
    };
}

/// Units of a sentence's distances and speeds; speeds are these units per hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DistanceUnits {
    /// `K`: kilometres, km/h.
    Kilometres,
    /// `N`: nautical miles, knots.
    NauticalMiles,
    /// `S`: statute miles, miles per hour.
    StatuteMiles,
}
letter_codes!(DistanceUnits {
    Kilometres = "K",
    NauticalMiles = "N",
    StatuteMiles = "S",
});

impl DistanceUnits {
    /// Metres in one unit.
    pub fn metres(self) -> f64 {
        match self {
            DistanceUnits::Kilometres => METRES_PER_KILOMETRE,
            DistanceUnits::NauticalMiles => METRES_PER_NAUTICAL_MILE,
            DistanceUnits::StatuteMiles => METRES_PER_STATUTE_MILE,
        }
    }

    /// `distance`, in these units, in metres.
    pub fn to_metres(self, distance: f32) -> f64 {
        f64::from(distance) * self.metres()
    }

    /// `speed`, in these units per hour, in metres per second.
    pub fn to_metres_per_second(self, speed: f32) -> f64 {
        self.to_metres(speed) / SECONDS_PER_HOUR
    }
}

/// What a bearing or course is measured from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BearingReference {
    /// `T`: from true north.
    True,
    /// `R`: relative to own ship's heading.
    Relative,
}
letter_codes!(BearingReference {
    True = "T",
    Relative = "R",
});

/// How a `TTM` target was acquired (`TTM` field 15).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acquisition {
    /// `A`: automatically, by the radar's acquisition zone.
    Automatic,
    /// `M`: manually, by the operator.
    Manual,
    /// `R`: reported (e.g. from AIS), not acquired by the radar.
    Reported,
}
letter_codes!(Acquisition {
    Automatic = "A",
    Manual = "M",
    Reported = "R",
});

letter_codes!(TargetStatus {
    Lost = "L",
    Query = "Q",
    Tracking = "T",
});

/// Whether a value can be trusted (`OSD` heading status).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    /// `A`: data valid.
    Valid,
    /// `V`: data invalid.
    Invalid,
}
letter_codes!(Validity {
    Valid = "A",
    Invalid = "V",
});

/// Where own ship's course or speed comes from (`OSD` fields 4 and 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MotionReference {
    /// `B`: bottom-tracking log (over ground).
    BottomTrack,
    /// `M`: entered by hand.
    Manual,
    /// `W`: water referenced (through the water).
    Water,
    /// `R`: radar tracking of a fixed target (over ground).
    RadarTracking,
    /// `P`: positioning system (GNSS), over ground.
    PositioningSystem,
}
letter_codes!(MotionReference {
    BottomTrack = "B",
    Manual = "M",
    Water = "W",
    RadarTracking = "R",
    PositioningSystem = "P",
});

/// Which way up the radar display is (`RSD` field 13).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisplayRotation {
    /// `C`: course up.
    CourseUp,
    /// `H`: head (ship's heading) up.
    HeadUp,
    /// `N`: true north up.
    NorthUp,
}
letter_codes!(DisplayRotation {
    CourseUp = "C",
    HeadUp = "H",
    NorthUp = "N",
});

/// Hemisphere of a latitude.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NorthSouth {
    /// `N`.
    North,
    /// `S`.
    South,
}
letter_codes!(NorthSouth {
    North = "N",
    South = "S",
});

/// Hemisphere of a longitude.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EastWest {
    /// `E`.
    East,
    /// `W`.
    West,
}
letter_codes!(EastWest {
    East = "E",
    West = "W",
});

/// A UTC time of day as `hhmmss.ss` gives it: no date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtcTime {
    hour: u8,
    minute: u8,
    second: u8,
    nanosecond: u32,
}

impl UtcTime {
    /// A time of day; `None` unless hour < 24, minute < 60, second ≤ 60 (60 is a leap second)
    /// and nanosecond < 10⁹.
    pub fn new(hour: u8, minute: u8, second: u8, nanosecond: u32) -> Option<Self> {
        (hour < 24 && minute < 60 && second <= 60 && nanosecond < 1_000_000_000).then_some(
            UtcTime {
                hour,
                minute,
                second,
                nanosecond,
            },
        )
    }

    /// Hour, 0-23.
    pub fn hour(self) -> u8 {
        self.hour
    }

    /// Minute, 0-59.
    pub fn minute(self) -> u8 {
        self.minute
    }

    /// Second, 0-60.
    pub fn second(self) -> u8 {
        self.second
    }

    /// Fraction of the second, nanoseconds.
    pub fn nanosecond(self) -> u32 {
        self.nanosecond
    }

    /// Seconds since midnight UTC.
    pub fn seconds_since_midnight(self) -> f64 {
        f64::from(
            u32::from(self.hour) * 3600 + u32::from(self.minute) * 60 + u32::from(self.second),
        ) + f64::from(self.nanosecond) / 1e9
    }

    /// Reads `hhmmss` with an optional fraction of up to nine digits.
    fn parse(text: &str) -> Result<Self, FieldErrorKind> {
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let &[h1, h2, m1, m2, s1, s2] = whole.as_bytes() else {
            return Err(FieldErrorKind::Malformed);
        };
        let (Some(hour), Some(minute), Some(second)) =
            (two_digits(h1, h2), two_digits(m1, m2), two_digits(s1, s2))
        else {
            return Err(FieldErrorKind::Malformed);
        };
        if fraction.len() > 9 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FieldErrorKind::Malformed);
        }
        let digits = fraction
            .bytes()
            .fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0'));
        // At most nine digits, so the scale is at least 10⁰ and the product below 10⁹.
        let scale = 10u32.pow(9 - fraction.len() as u32);
        UtcTime::new(hour, minute, second, digits * scale).ok_or(FieldErrorKind::OutOfRange)
    }

    /// Writes `hhmmss.ss`, with more fraction digits only when the value has them.
    fn write(self, out: &mut impl fmt::Write) -> fmt::Result {
        let mut fraction = self.nanosecond;
        let mut digits = 9;
        while digits > 2 && fraction % 10 == 0 {
            fraction /= 10;
            digits -= 1;
        }
        write!(
            out,
            "{:02}{:02}{:02}.{fraction:0digits$}",
            self.hour, self.minute, self.second
        )
    }
}

fn two_digits(tens: u8, units: u8) -> Option<u8> {
    (tens.is_ascii_digit() && units.is_ascii_digit()).then(|| (tens - b'0') * 10 + (units - b'0'))
}

/// A latitude as NMEA writes it: whole degrees, decimal minutes, hemisphere.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Latitude {
    degrees: u8,
    minutes: f32,
    hemisphere: NorthSouth,
}

impl Latitude {
    /// `None` unless degrees ≤ 90, 0 ≤ minutes < 60, and minutes are 0 at 90°.
    pub fn new(degrees: u8, minutes: f32, hemisphere: NorthSouth) -> Option<Self> {
        valid_degrees_minutes(degrees, minutes, 90).map(|minutes| Latitude {
            degrees,
            minutes,
            hemisphere,
        })
    }

    /// Whole degrees, 0-90.
    pub fn degrees(self) -> u8 {
        self.degrees
    }

    /// Minutes, in [0, 60).
    pub fn minutes(self) -> f32 {
        self.minutes
    }

    /// North or south.
    pub fn hemisphere(self) -> NorthSouth {
        self.hemisphere
    }

    /// Signed decimal degrees, north positive.
    pub fn to_degrees(self) -> f64 {
        let magnitude = f64::from(self.degrees) + f64::from(self.minutes) / 60.0;
        match self.hemisphere {
            NorthSouth::North => magnitude,
            NorthSouth::South => -magnitude,
        }
    }
}

/// A longitude as NMEA writes it: whole degrees, decimal minutes, hemisphere.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Longitude {
    degrees: u8,
    minutes: f32,
    hemisphere: EastWest,
}

impl Longitude {
    /// `None` unless degrees ≤ 180, 0 ≤ minutes < 60, and minutes are 0 at 180°.
    pub fn new(degrees: u8, minutes: f32, hemisphere: EastWest) -> Option<Self> {
        valid_degrees_minutes(degrees, minutes, 180).map(|minutes| Longitude {
            degrees,
            minutes,
            hemisphere,
        })
    }

    /// Whole degrees, 0-180.
    pub fn degrees(self) -> u8 {
        self.degrees
    }

    /// Minutes, in [0, 60).
    pub fn minutes(self) -> f32 {
        self.minutes
    }

    /// East or west.
    pub fn hemisphere(self) -> EastWest {
        self.hemisphere
    }

    /// Signed decimal degrees, east positive.
    pub fn to_degrees(self) -> f64 {
        let magnitude = f64::from(self.degrees) + f64::from(self.minutes) / 60.0;
        match self.hemisphere {
            EastWest::East => magnitude,
            EastWest::West => -magnitude,
        }
    }
}

/// The minutes to keep when degrees and minutes make a valid angle up to `max_degrees`.
fn valid_degrees_minutes(degrees: u8, minutes: f32, max_degrees: u8) -> Option<f32> {
    let valid = degrees <= max_degrees
        && (0.0..60.0).contains(&minutes)
        && (degrees < max_degrees || minutes == 0.0);
    // -0.0 passes the range check but would be written `-0`, inside `ddmm.mm`.
    valid.then_some(if minutes == 0.0 { 0.0 } else { minutes })
}

/// Splits `dddmm.mmm` into degrees and minutes; `max_degree_digits` is 2 for a latitude, 3
/// for a longitude. Leading zeros of the degrees may be left out, as some devices do.
fn parse_degrees_minutes(
    text: &str,
    max_degree_digits: usize,
) -> Result<(u8, f32), FieldErrorKind> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(whole) || !all_digits(fraction) {
        return Err(FieldErrorKind::NotANumber);
    }
    if !(3..=2 + max_degree_digits).contains(&whole.len()) {
        return Err(FieldErrorKind::Malformed);
    }
    let split = whole.len() - 2;
    let (Some(degree_digits), Some(minutes_text)) = (text.get(..split), text.get(split..)) else {
        return Err(FieldErrorKind::Malformed);
    };
    let degrees = degree_digits
        .bytes()
        .fold(0u16, |acc, b| acc * 10 + u16::from(b - b'0'));
    let degrees = u8::try_from(degrees).map_err(|_| FieldErrorKind::OutOfRange)?;
    let minutes = parse_decimal(minutes_text).ok_or(FieldErrorKind::NotANumber)?;
    Ok((degrees, minutes))
}

/// Reads an NMEA decimal: an optional `-`, digits, at most one `.`, at least one digit.
/// `None` for anything else, including what core's parser would also take (`1e3`, `inf`,
/// `+1`). A value too large for `f32` comes back infinite; range checks reject it.
fn parse_decimal(text: &str) -> Option<f32> {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let mut digits = 0usize;
    let mut points = 0usize;
    for b in unsigned.bytes() {
        match b {
            b'0'..=b'9' => digits += 1,
            b'.' => points += 1,
            _ => return None,
        }
    }
    if digits == 0 || points > 1 {
        return None;
    }
    text.parse().ok()
}

/// What values a numeric field takes.
#[derive(Debug, Clone, Copy)]
enum Range {
    /// Distances and speeds.
    NonNegative,
    /// Bearings, courses, headings: 0-360 degrees (some radars write north as 360).
    Degrees,
    /// Time to CPA, negative once the CPA is past.
    Signed,
}

impl Range {
    fn check(self, value: f32) -> Result<f32, FieldErrorKind> {
        let in_range = value.is_finite()
            && match self {
                Range::NonNegative => value >= 0.0,
                Range::Degrees => (0.0..=360.0).contains(&value),
                Range::Signed => true,
            };
        if in_range {
            Ok(value)
        } else {
            Err(FieldErrorKind::OutOfRange)
        }
    }
}

/// A character that may stand in a text field. `^` (the standard's hex escape) is allowed
/// and kept as written: names are not unescaped.
fn is_text_byte(b: u8) -> bool {
    (0x20..0x7f).contains(&b) && !matches!(b, b'$' | b'*' | b',' | b'!' | b'\\' | b'~')
}

/// The data fields of one sentence, read in order.
struct Fields<'a> {
    names: &'static [&'static str],
    iter: Split<'a, char>,
    read: usize,
}

impl<'a> Fields<'a> {
    /// Checks the field count; fields past the end of a short sentence read as empty.
    fn new(
        sentence: &Sentence<'a>,
        names: &'static [&'static str],
        min: u8,
    ) -> Result<Self, ArpaError> {
        let found = sentence.field_iter().count();
        let max = names.len();
        if found < usize::from(min) || found > max {
            return Err(ArpaError::FieldCount {
                min,
                max: u8::try_from(max).unwrap_or(u8::MAX),
                found,
            });
        }
        Ok(Fields {
            names,
            iter: sentence.field_iter(),
            read: 0,
        })
    }

    fn next(&mut self) -> Field<'a> {
        let name = self.names.get(self.read).copied().unwrap_or("");
        self.read += 1;
        Field {
            index: u8::try_from(self.read).unwrap_or(u8::MAX),
            name,
            text: self.iter.next().unwrap_or(""),
        }
    }
}

/// One data field with what an error about it needs.
#[derive(Clone, Copy)]
struct Field<'a> {
    index: u8,
    name: &'static str,
    text: &'a str,
}

impl<'a> Field<'a> {
    fn error(self, kind: FieldErrorKind) -> ArpaError {
        ArpaError::Field {
            index: self.index,
            name: self.name,
            kind,
        }
    }

    fn decimal(self, range: Range) -> Result<Option<f32>, ArpaError> {
        if self.text.is_empty() {
            return Ok(None);
        }
        let value =
            parse_decimal(self.text).ok_or_else(|| self.error(FieldErrorKind::NotANumber))?;
        range
            .check(value)
            .map(Some)
            .map_err(|kind| self.error(kind))
    }

    /// A target number: one to three digits.
    fn target_number(self) -> Result<Option<u16>, ArpaError> {
        if self.text.is_empty() {
            return Ok(None);
        }
        if !self.text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(self.error(FieldErrorKind::NotANumber));
        }
        if self.text.len() > 3 {
            return Err(self.error(FieldErrorKind::OutOfRange));
        }
        Ok(Some(
            self.text
                .bytes()
                .fold(0u16, |acc, b| acc * 10 + u16::from(b - b'0')),
        ))
    }

    fn code<T: Code>(self) -> Result<Option<T>, ArpaError> {
        if self.text.is_empty() {
            return Ok(None);
        }
        T::from_code(self.text)
            .map(Some)
            .ok_or_else(|| self.error(FieldErrorKind::UnknownCode))
    }

    /// The reference-target flag: `R`, or empty for any other target.
    fn reference_flag(self) -> Result<bool, ArpaError> {
        match self.text {
            "" => Ok(false),
            "R" => Ok(true),
            _ => Err(self.error(FieldErrorKind::UnknownCode)),
        }
    }

    fn time(self) -> Result<Option<UtcTime>, ArpaError> {
        if self.text.is_empty() {
            return Ok(None);
        }
        UtcTime::parse(self.text)
            .map(Some)
            .map_err(|kind| self.error(kind))
    }

    fn text(self) -> Result<Option<&'a str>, ArpaError> {
        if self.text.is_empty() {
            return Ok(None);
        }
        if self.text.bytes().all(is_text_byte) {
            Ok(Some(self.text))
        } else {
            Err(self.error(FieldErrorKind::BadText))
        }
    }
}

/// Reads a position field and its hemisphere: both present or both empty. Errors come in
/// field order, the value's before the hemisphere's.
fn position<H: Code, P>(
    value: Field<'_>,
    hemisphere: Field<'_>,
    max_degree_digits: usize,
    make: fn(u8, f32, H) -> Option<P>,
) -> Result<Option<P>, ArpaError> {
    let angle = match value.text {
        "" => None,
        text => {
            Some(parse_degrees_minutes(text, max_degree_digits).map_err(|kind| value.error(kind))?)
        }
    };
    match (angle, hemisphere.code::<H>()?) {
        (None, None) => Ok(None),
        (None, Some(_)) => Err(value.error(FieldErrorKind::Missing)),
        (Some(_), None) => Err(hemisphere.error(FieldErrorKind::Missing)),
        (Some((degrees, minutes)), Some(side)) => make(degrees, minutes, side)
            .map(Some)
            .ok_or_else(|| value.error(FieldErrorKind::OutOfRange)),
    }
}

/// Builds a sentence field by field in a buffer of the standard's maximum length.
struct Writer {
    names: &'static [&'static str],
    line: String<MAX_SENTENCE_LEN>,
    written: usize,
}

impl Writer {
    fn new(
        talker: &str,
        formatter: &str,
        names: &'static [&'static str],
    ) -> Result<Self, WriteError> {
        let valid_talker = talker.len() == 2
            && talker.bytes().all(|b| b.is_ascii_alphanumeric())
            && !talker.starts_with('P');
        if !valid_talker {
            return Err(WriteError::BadTalker);
        }
        let mut writer = Writer {
            names,
            line: String::new(),
            written: 0,
        };
        writer.push(format_args!("${talker}{formatter}"))?;
        Ok(writer)
    }

    fn push(&mut self, args: fmt::Arguments<'_>) -> Result<(), WriteError> {
        self.line.write_fmt(args).map_err(|_| WriteError::TooLong)
    }

    /// Starts the next field; returns what an error about it needs.
    fn begin(&mut self) -> Result<(u8, &'static str), WriteError> {
        let name = self.names.get(self.written).copied().unwrap_or("");
        self.written += 1;
        self.push(format_args!(","))?;
        Ok((u8::try_from(self.written).unwrap_or(u8::MAX), name))
    }

    fn error((index, name): (u8, &'static str), kind: FieldErrorKind) -> WriteError {
        WriteError::Field { index, name, kind }
    }

    /// Writes a number in the shortest form that reads back to the same `f32`, with at least
    /// one decimal, as the standard's `x.x`.
    fn number(&mut self, value: f32) -> Result<(), WriteError> {
        let start = self.line.len();
        self.push(format_args!("{value}"))?;
        if !self
            .line
            .get(start..)
            .is_some_and(|text| text.contains('.'))
        {
            self.push(format_args!(".0"))?;
        }
        Ok(())
    }

    fn decimal(&mut self, value: Option<f32>, range: Range) -> Result<(), WriteError> {
        let field = self.begin()?;
        match value {
            Some(value) => {
                range
                    .check(value)
                    .map_err(|kind| Self::error(field, kind))?;
                self.number(value)
            }
            None => Ok(()),
        }
    }

    fn target_number(&mut self, value: Option<u16>) -> Result<(), WriteError> {
        let field = self.begin()?;
        match value {
            Some(n) if n > MAX_TARGET_NUMBER => Err(Self::error(field, FieldErrorKind::OutOfRange)),
            Some(n) => self.push(format_args!("{n:02}")),
            None => Ok(()),
        }
    }

    fn code<T: Code>(&mut self, value: Option<T>) -> Result<(), WriteError> {
        self.begin()?;
        match value {
            Some(value) => self.push(format_args!("{}", value.code())),
            None => Ok(()),
        }
    }

    fn reference_flag(&mut self, reference: bool) -> Result<(), WriteError> {
        self.begin()?;
        if reference {
            self.push(format_args!("R"))?;
        }
        Ok(())
    }

    fn time(&mut self, value: Option<UtcTime>) -> Result<(), WriteError> {
        self.begin()?;
        match value {
            Some(time) => time.write(&mut self.line).map_err(|_| WriteError::TooLong),
            None => Ok(()),
        }
    }

    fn text(&mut self, value: Option<&str>) -> Result<(), WriteError> {
        let field = self.begin()?;
        match value {
            Some(text) if text.is_empty() || !text.bytes().all(is_text_byte) => {
                Err(Self::error(field, FieldErrorKind::BadText))
            }
            Some(text) => self.push(format_args!("{text}")),
            None => Ok(()),
        }
    }

    /// Writes `ddmm.mm` (`dddmm.mm` with `degree_digits` 3) and the hemisphere field.
    fn position(
        &mut self,
        value: Option<(u8, f32, &'static str)>,
        degree_digits: usize,
    ) -> Result<(), WriteError> {
        self.begin()?;
        let Some((degrees, minutes, hemisphere)) = value else {
            return self.begin().map(|_| ());
        };
        self.push(format_args!("{degrees:0degree_digits$}"))?;
        if minutes < 10.0 {
            self.push(format_args!("0"))?;
        }
        self.number(minutes)?;
        self.begin()?;
        self.push(format_args!("{hemisphere}"))
    }

    fn finish(mut self) -> Result<String<MAX_SENTENCE_LEN>, WriteError> {
        let sum = checksum(self.line.as_bytes().get(1..).unwrap_or_default());
        self.push(format_args!("*{sum:02X}"))?;
        Ok(self.line)
    }
}

/// `TTM`, tracked target message: one target of the radar's tracker.
///
/// `$--TTM,xx,x.x,x.x,a,x.x,x.x,a,x.x,x.x,a,c--c,a,a,hhmmss.ss,a*hh`. Sentences of
/// NMEA 0183 before 3.0 end after field 13; their `time` and `acquisition` are `None`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ttm<'a> {
    /// 1: target number, 0-999.
    pub target: Option<u16>,
    /// 2: distance from own ship, in `units`.
    pub distance: Option<f32>,
    /// 3: bearing from own ship, degrees, measured as `bearing_reference` says.
    pub bearing_deg: Option<f32>,
    /// 4: true or relative bearing.
    pub bearing_reference: Option<BearingReference>,
    /// 5: target speed, in `units` per hour.
    pub speed: Option<f32>,
    /// 6: target course, degrees, measured as `course_reference` says.
    pub course_deg: Option<f32>,
    /// 7: true or relative course.
    pub course_reference: Option<BearingReference>,
    /// 8: distance of the closest point of approach, in `units`.
    pub cpa_distance: Option<f32>,
    /// 9: time to the closest point of approach, minutes; negative once it is past.
    pub tcpa_min: Option<f32>,
    /// 10: units of distances and speeds.
    pub units: Option<DistanceUnits>,
    /// 11: target name or label, as written (`^hh` escapes are not decoded).
    pub name: Option<&'a str>,
    /// 12: lost, acquiring (query) or tracking.
    pub status: Option<TargetStatus>,
    /// 13: the radar uses this target as its reference (for speed over ground).
    pub reference_target: bool,
    /// 14: UTC of the data.
    pub time: Option<UtcTime>,
    /// 15: how the target was acquired.
    pub acquisition: Option<Acquisition>,
}

impl<'a> Ttm<'a> {
    fn parse(sentence: &Sentence<'a>) -> Result<Self, ArpaError> {
        let mut f = Fields::new(sentence, &TTM_FIELDS, TTM_MIN_FIELDS)?;
        Ok(Ttm {
            target: f.next().target_number()?,
            distance: f.next().decimal(Range::NonNegative)?,
            bearing_deg: f.next().decimal(Range::Degrees)?,
            bearing_reference: f.next().code()?,
            speed: f.next().decimal(Range::NonNegative)?,
            course_deg: f.next().decimal(Range::Degrees)?,
            course_reference: f.next().code()?,
            cpa_distance: f.next().decimal(Range::NonNegative)?,
            tcpa_min: f.next().decimal(Range::Signed)?,
            units: f.next().code()?,
            name: f.next().text()?,
            status: f.next().code()?,
            reference_target: f.next().reference_flag()?,
            time: f.next().time()?,
            acquisition: f.next().code()?,
        })
    }

    /// Distance from own ship, metres.
    pub fn distance_m(&self) -> Option<f64> {
        Some(self.units?.to_metres(self.distance?))
    }

    /// Target speed, metres per second.
    pub fn speed_mps(&self) -> Option<f64> {
        Some(self.units?.to_metres_per_second(self.speed?))
    }

    /// Distance of the closest point of approach, metres.
    pub fn cpa_m(&self) -> Option<f64> {
        Some(self.units?.to_metres(self.cpa_distance?))
    }

    /// Time to the closest point of approach, seconds; negative once it is past.
    pub fn tcpa_s(&self) -> Option<f64> {
        Some(f64::from(self.tcpa_min?) * SECONDS_PER_MINUTE)
    }

    /// The frame payload a radar node sends for this target, in SI units; `None` when a
    /// field the payload requires is empty (a lost target often has no speed, course or CPA).
    /// The name is cut to [`frame::MAX_TARGET_NAME_LEN`] bytes; `time` and `acquisition` have no
    /// place in the payload (the frame carries its own time).
    pub fn to_radar_track(&self) -> Option<frame::RadarTrack> {
        let mut name = String::new();
        for c in self.name.unwrap_or_default().chars() {
            if name.push(c).is_err() {
                break;
            }
        }
        Some(frame::RadarTrack {
            target: self.target?,
            distance_m: self.distance_m()? as f32,
            bearing_deg: self.bearing_deg?,
            bearing_true: self.bearing_reference? == BearingReference::True,
            speed_mps: self.speed_mps()? as f32,
            course_deg: self.course_deg?,
            course_true: self.course_reference? == BearingReference::True,
            cpa_m: self.cpa_m()? as f32,
            tcpa_s: self.tcpa_s()? as f32,
            name,
            status: self.status?,
            reference: self.reference_target,
        })
    }

    /// The sentence `$<talker>TTM,...*hh`, all 15 fields, without line ending.
    pub fn to_sentence(&self, talker: &str) -> Result<String<MAX_SENTENCE_LEN>, WriteError> {
        let mut w = Writer::new(talker, "TTM", &TTM_FIELDS)?;
        w.target_number(self.target)?;
        w.decimal(self.distance, Range::NonNegative)?;
        w.decimal(self.bearing_deg, Range::Degrees)?;
        w.code(self.bearing_reference)?;
        w.decimal(self.speed, Range::NonNegative)?;
        w.decimal(self.course_deg, Range::Degrees)?;
        w.code(self.course_reference)?;
        w.decimal(self.cpa_distance, Range::NonNegative)?;
        w.decimal(self.tcpa_min, Range::Signed)?;
        w.code(self.units)?;
        w.text(self.name)?;
        w.code(self.status)?;
        w.reference_flag(self.reference_target)?;
        w.time(self.time)?;
        w.code(self.acquisition)?;
        w.finish()
    }
}

/// `TLL`, target latitude and longitude: a tracked target's geographic position.
///
/// `$--TLL,xx,llll.ll,a,yyyyy.yy,a,c--c,hhmmss.ss,a,a*hh`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tll<'a> {
    /// 1: target number, 0-999.
    pub target: Option<u16>,
    /// 2-3: target latitude.
    pub latitude: Option<Latitude>,
    /// 4-5: target longitude.
    pub longitude: Option<Longitude>,
    /// 6: target name or label, as written (`^hh` escapes are not decoded).
    pub name: Option<&'a str>,
    /// 7: UTC of the data.
    pub time: Option<UtcTime>,
    /// 8: lost, acquiring (query) or tracking.
    pub status: Option<TargetStatus>,
    /// 9: the radar uses this target as its reference.
    pub reference_target: bool,
}

impl<'a> Tll<'a> {
    fn parse(sentence: &Sentence<'a>) -> Result<Self, ArpaError> {
        let mut f = Fields::new(sentence, &TLL_FIELDS, 9)?;
        let target = f.next().target_number()?;
        let (value, hemisphere) = (f.next(), f.next());
        let latitude = position(value, hemisphere, 2, Latitude::new)?;
        let (value, hemisphere) = (f.next(), f.next());
        let longitude = position(value, hemisphere, 3, Longitude::new)?;
        Ok(Tll {
            target,
            latitude,
            longitude,
            name: f.next().text()?,
            time: f.next().time()?,
            status: f.next().code()?,
            reference_target: f.next().reference_flag()?,
        })
    }

    /// Latitude in signed decimal degrees, north positive.
    pub fn latitude_deg(&self) -> Option<f64> {
        self.latitude.map(Latitude::to_degrees)
    }

    /// Longitude in signed decimal degrees, east positive.
    pub fn longitude_deg(&self) -> Option<f64> {
        self.longitude.map(Longitude::to_degrees)
    }

    /// The sentence `$<talker>TLL,...*hh`, without line ending.
    pub fn to_sentence(&self, talker: &str) -> Result<String<MAX_SENTENCE_LEN>, WriteError> {
        let mut w = Writer::new(talker, "TLL", &TLL_FIELDS)?;
        w.target_number(self.target)?;
        w.position(
            self.latitude
                .map(|l| (l.degrees, l.minutes, l.hemisphere.code())),
            2,
        )?;
        w.position(
            self.longitude
                .map(|l| (l.degrees, l.minutes, l.hemisphere.code())),
            3,
        )?;
        w.text(self.name)?;
        w.time(self.time)?;
        w.code(self.status)?;
        w.reference_flag(self.reference_target)?;
        w.finish()
    }
}

/// `OSD`, own ship data: heading and motion of the ship carrying the radar.
///
/// `$--OSD,x.x,A,x.x,a,x.x,a,x.x,x.x,a*hh`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Osd {
    /// 1: heading, degrees true.
    pub heading_deg: Option<f32>,
    /// 2: whether the heading is valid.
    pub heading_status: Option<Validity>,
    /// 3: course, degrees true.
    pub course_deg: Option<f32>,
    /// 4: where the course comes from.
    pub course_reference: Option<MotionReference>,
    /// 5: speed, in `units` per hour.
    pub speed: Option<f32>,
    /// 6: where the speed comes from.
    pub speed_reference: Option<MotionReference>,
    /// 7: set (direction of the current), degrees true.
    pub set_deg: Option<f32>,
    /// 8: drift (speed of the current), in `units` per hour.
    pub drift: Option<f32>,
    /// 9: units of `speed` and `drift`.
    pub units: Option<DistanceUnits>,
}

impl Osd {
    fn parse(sentence: &Sentence<'_>) -> Result<Self, ArpaError> {
        let mut f = Fields::new(sentence, &OSD_FIELDS, 9)?;
        Ok(Osd {
            heading_deg: f.next().decimal(Range::Degrees)?,
            heading_status: f.next().code()?,
            course_deg: f.next().decimal(Range::Degrees)?,
            course_reference: f.next().code()?,
            speed: f.next().decimal(Range::NonNegative)?,
            speed_reference: f.next().code()?,
            set_deg: f.next().decimal(Range::Degrees)?,
            drift: f.next().decimal(Range::NonNegative)?,
            units: f.next().code()?,
        })
    }

    /// Own ship's speed, metres per second.
    pub fn speed_mps(&self) -> Option<f64> {
        Some(self.units?.to_metres_per_second(self.speed?))
    }

    /// Speed of the current, metres per second.
    pub fn drift_mps(&self) -> Option<f64> {
        Some(self.units?.to_metres_per_second(self.drift?))
    }

    /// The sentence `$<talker>OSD,...*hh`, without line ending.
    pub fn to_sentence(&self, talker: &str) -> Result<String<MAX_SENTENCE_LEN>, WriteError> {
        let mut w = Writer::new(talker, "OSD", &OSD_FIELDS)?;
        w.decimal(self.heading_deg, Range::Degrees)?;
        w.code(self.heading_status)?;
        w.decimal(self.course_deg, Range::Degrees)?;
        w.code(self.course_reference)?;
        w.decimal(self.speed, Range::NonNegative)?;
        w.code(self.speed_reference)?;
        w.decimal(self.set_deg, Range::Degrees)?;
        w.decimal(self.drift, Range::NonNegative)?;
        w.code(self.units)?;
        w.finish()
    }
}

/// `RSD`, radar system data: what the radar display shows.
///
/// `$--RSD,x.x,x.x,x.x,x.x,x.x,x.x,x.x,x.x,x.x,x.x,x.x,a,a*hh`. Every range is in `units`;
/// bearings are degrees from 0° in the display's rotation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rsd {
    /// 1: range of origin 1 from own ship.
    pub origin1_range: Option<f32>,
    /// 2: bearing of origin 1 from own ship, degrees.
    pub origin1_bearing_deg: Option<f32>,
    /// 3: variable range marker 1, range from origin 1.
    pub vrm1_range: Option<f32>,
    /// 4: electronic bearing line 1, degrees.
    pub ebl1_deg: Option<f32>,
    /// 5: range of origin 2 from own ship.
    pub origin2_range: Option<f32>,
    /// 6: bearing of origin 2 from own ship, degrees.
    pub origin2_bearing_deg: Option<f32>,
    /// 7: variable range marker 2, range from origin 2.
    pub vrm2_range: Option<f32>,
    /// 8: electronic bearing line 2, degrees.
    pub ebl2_deg: Option<f32>,
    /// 9: cursor range from own ship.
    pub cursor_range: Option<f32>,
    /// 10: cursor bearing, degrees clockwise from 0°.
    pub cursor_bearing_deg: Option<f32>,
    /// 11: range scale in use: the radius the display covers.
    pub range_scale: Option<f32>,
    /// 12: units of every range.
    pub units: Option<DistanceUnits>,
    /// 13: course up, head up or north up.
    pub display_rotation: Option<DisplayRotation>,
}

impl Rsd {
    fn parse(sentence: &Sentence<'_>) -> Result<Self, ArpaError> {
        let mut f = Fields::new(sentence, &RSD_FIELDS, 13)?;
        Ok(Rsd {
            origin1_range: f.next().decimal(Range::NonNegative)?,
            origin1_bearing_deg: f.next().decimal(Range::Degrees)?,
            vrm1_range: f.next().decimal(Range::NonNegative)?,
            ebl1_deg: f.next().decimal(Range::Degrees)?,
            origin2_range: f.next().decimal(Range::NonNegative)?,
            origin2_bearing_deg: f.next().decimal(Range::Degrees)?,
            vrm2_range: f.next().decimal(Range::NonNegative)?,
            ebl2_deg: f.next().decimal(Range::Degrees)?,
            cursor_range: f.next().decimal(Range::NonNegative)?,
            cursor_bearing_deg: f.next().decimal(Range::Degrees)?,
            range_scale: f.next().decimal(Range::NonNegative)?,
            units: f.next().code()?,
            display_rotation: f.next().code()?,
        })
    }

    /// The range scale in use, metres.
    pub fn range_scale_m(&self) -> Option<f64> {
        self.to_metres(self.range_scale)
    }

    /// Any of this sentence's ranges in metres, e.g. `rsd.to_metres(rsd.vrm1_range)`.
    pub fn to_metres(&self, range: Option<f32>) -> Option<f64> {
        Some(self.units?.to_metres(range?))
    }

    /// The sentence `$<talker>RSD,...*hh`, without line ending.
    pub fn to_sentence(&self, talker: &str) -> Result<String<MAX_SENTENCE_LEN>, WriteError> {
        let mut w = Writer::new(talker, "RSD", &RSD_FIELDS)?;
        w.decimal(self.origin1_range, Range::NonNegative)?;
        w.decimal(self.origin1_bearing_deg, Range::Degrees)?;
        w.decimal(self.vrm1_range, Range::NonNegative)?;
        w.decimal(self.ebl1_deg, Range::Degrees)?;
        w.decimal(self.origin2_range, Range::NonNegative)?;
        w.decimal(self.origin2_bearing_deg, Range::Degrees)?;
        w.decimal(self.vrm2_range, Range::NonNegative)?;
        w.decimal(self.ebl2_deg, Range::Degrees)?;
        w.decimal(self.cursor_range, Range::NonNegative)?;
        w.decimal(self.cursor_bearing_deg, Range::Degrees)?;
        w.decimal(self.range_scale, Range::NonNegative)?;
        w.code(self.units)?;
        w.code(self.display_rotation)?;
        w.finish()
    }
}

/// One ARPA sentence, typed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ArpaSentence<'a> {
    /// Tracked target message.
    Ttm(Ttm<'a>),
    /// Target latitude and longitude.
    Tll(Tll<'a>),
    /// Own ship data.
    Osd(Osd),
    /// Radar system data.
    Rsd(Rsd),
}

impl ArpaSentence<'_> {
    /// The sentence `$<talker><formatter>,...*hh`, without line ending.
    pub fn to_sentence(&self, talker: &str) -> Result<String<MAX_SENTENCE_LEN>, WriteError> {
        match self {
            ArpaSentence::Ttm(ttm) => ttm.to_sentence(talker),
            ArpaSentence::Tll(tll) => tll.to_sentence(talker),
            ArpaSentence::Osd(osd) => osd.to_sentence(talker),
            ArpaSentence::Rsd(rsd) => rsd.to_sentence(talker),
        }
    }
}

/// Reads a `$--TTM`, `$--TLL`, `$--OSD` or `$--RSD` sentence from any two-character talker
/// (`RA` for a radar, `II` for integrated instrumentation, ...). Text fields borrow from the
/// sentence.
pub fn parse_arpa<'a>(sentence: &Sentence<'a>) -> Result<ArpaSentence<'a>, ArpaError> {
    if sentence.start != b'$' || sentence.talker().len() != 2 {
        return Err(ArpaError::NotArpa);
    }
    match sentence.formatter() {
        "TTM" => Ttm::parse(sentence).map(ArpaSentence::Ttm),
        "TLL" => Tll::parse(sentence).map(ArpaSentence::Tll),
        "OSD" => Osd::parse(sentence).map(ArpaSentence::Osd),
        "RSD" => Rsd::parse(sentence).map(ArpaSentence::Rsd),
        _ => Err(ArpaError::NotArpa),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nmea::parse;

    fn field_error(index: u8, name: &'static str, kind: FieldErrorKind) -> ArpaError {
        ArpaError::Field { index, name, kind }
    }

    #[test]
    fn decimals_take_only_sign_digits_and_one_point() {
        assert_eq!(parse_decimal("1.43"), Some(1.43));
        assert_eq!(parse_decimal("-36.9"), Some(-36.9));
        assert_eq!(parse_decimal("005.0"), Some(5.0));
        assert_eq!(parse_decimal(".5"), Some(0.5));
        assert_eq!(parse_decimal("5."), Some(5.0));
        for text in [
            "", "-", ".", "1e3", "inf", "NaN", "+1", "1.2.3", "1,2", " 1", "--1",
        ] {
            assert_eq!(parse_decimal(text), None, "{text:?}");
        }
    }

    #[test]
    fn a_number_too_large_for_f32_is_out_of_range() {
        let digits = "9".repeat(60);
        assert_eq!(
            Range::NonNegative.check(parse_decimal(&digits).unwrap()),
            Err(FieldErrorKind::OutOfRange)
        );
    }

    #[test]
    fn times_read_hours_minutes_seconds_and_up_to_nine_fraction_digits() {
        assert_eq!(
            UtcTime::parse("020915"),
            Ok(UtcTime::new(2, 9, 15, 0).unwrap())
        );
        assert_eq!(
            UtcTime::parse("235960.5"),
            Ok(UtcTime::new(23, 59, 60, 500_000_000).unwrap())
        );
        assert_eq!(
            UtcTime::parse("000000.123456789"),
            Ok(UtcTime::new(0, 0, 0, 123_456_789).unwrap())
        );
        assert_eq!(UtcTime::parse("240000"), Err(FieldErrorKind::OutOfRange));
        assert_eq!(UtcTime::parse("006000"), Err(FieldErrorKind::OutOfRange));
        for text in [
            "x020915",
            "02091",
            "0209150",
            "02:09:15",
            "020915.1234567890",
            "020915.x",
        ] {
            assert_eq!(
                UtcTime::parse(text),
                Err(FieldErrorKind::Malformed),
                "{text:?}"
            );
        }
    }

    #[test]
    fn times_are_written_with_at_least_two_fraction_digits() {
        let mut out: String<16> = String::new();
        UtcTime::new(2, 9, 15, 0).unwrap().write(&mut out).unwrap();
        assert_eq!(out, "020915.00");
        out.clear();
        UtcTime::new(23, 5, 7, 123_400_000)
            .unwrap()
            .write(&mut out)
            .unwrap();
        assert_eq!(out, "230507.1234");
    }

    #[test]
    fn positions_split_degrees_from_minutes() {
        assert_eq!(parse_degrees_minutes("3647.422", 2), Ok((36, 47.422)));
        assert_eq!(parse_degrees_minutes("01432.592", 3), Ok((14, 32.592)));
        assert_eq!(parse_degrees_minutes("532.5", 3), Ok((5, 32.5)));
        assert_eq!(
            parse_degrees_minutes("12345.0", 2),
            Err(FieldErrorKind::Malformed)
        );
        assert_eq!(
            parse_degrees_minutes("47.0", 2),
            Err(FieldErrorKind::Malformed)
        );
        assert_eq!(
            parse_degrees_minutes("-3647.4", 2),
            Err(FieldErrorKind::NotANumber)
        );
        assert!(Latitude::new(91, 0.0, NorthSouth::North).is_none());
        assert!(Latitude::new(90, 0.5, NorthSouth::North).is_none());
        assert!(Longitude::new(179, 60.0, EastWest::East).is_none());
        assert!(Longitude::new(180, 0.0, EastWest::West).is_some());
    }

    #[test]
    fn a_latitude_without_hemisphere_names_the_hemisphere_field() {
        let s = parse("$RATLL,1,3647.422,,01432.592,E,,,,*27").unwrap();
        assert_eq!(
            parse_arpa(&s),
            Err(field_error(
                3,
                "latitude_hemisphere",
                FieldErrorKind::Missing
            ))
        );
    }

    #[test]
    fn a_bad_position_is_reported_before_its_bad_hemisphere() {
        let s = parse("$RATLL,1,x3647.422,Y,01432.592,E,,,,*06").unwrap();
        assert_eq!(
            parse_arpa(&s),
            Err(field_error(2, "latitude", FieldErrorKind::NotANumber))
        );
    }

    #[test]
    fn a_minute_of_sixty_is_out_of_range() {
        let s = parse("$RATLL,1,3660.000,N,01432.592,E,,,,*68").unwrap();
        assert_eq!(
            parse_arpa(&s),
            Err(field_error(2, "latitude", FieldErrorKind::OutOfRange))
        );
    }

    #[test]
    fn the_writer_refuses_what_the_reader_would_reject() {
        let ttm = Ttm {
            target: Some(1000),
            distance: None,
            bearing_deg: None,
            bearing_reference: None,
            speed: None,
            course_deg: None,
            course_reference: None,
            cpa_distance: None,
            tcpa_min: None,
            units: None,
            name: None,
            status: None,
            reference_target: false,
            time: None,
            acquisition: None,
        };
        let bad = |index, name, kind| Err(WriteError::Field { index, name, kind });
        assert_eq!(
            ttm.to_sentence("RA"),
            bad(1, "target", FieldErrorKind::OutOfRange)
        );
        let ttm = Ttm {
            target: None,
            bearing_deg: Some(360.5),
            ..ttm
        };
        assert_eq!(
            ttm.to_sentence("RA"),
            bad(3, "bearing_deg", FieldErrorKind::OutOfRange)
        );
        let ttm = Ttm {
            bearing_deg: None,
            speed: Some(f32::NAN),
            ..ttm
        };
        assert_eq!(
            ttm.to_sentence("RA"),
            bad(5, "speed", FieldErrorKind::OutOfRange)
        );
        for name in ["", "a,b", "a*b", "é"] {
            let ttm = Ttm {
                speed: None,
                name: Some(name),
                ..ttm
            };
            assert_eq!(
                ttm.to_sentence("RA"),
                bad(11, "name", FieldErrorKind::BadText),
                "{name:?}"
            );
        }
        for talker in ["R", "RAD", "PR", "R*"] {
            let ttm = Ttm { speed: None, ..ttm };
            assert_eq!(
                ttm.to_sentence(talker),
                Err(WriteError::BadTalker),
                "{talker:?}"
            );
        }
    }

    #[test]
    fn a_sentence_over_82_characters_is_refused() {
        let rsd = Rsd {
            origin1_range: Some(1.234_567_9),
            origin1_bearing_deg: Some(123.456_79),
            vrm1_range: Some(1.234_567_9),
            ebl1_deg: Some(123.456_79),
            origin2_range: Some(1.234_567_9),
            origin2_bearing_deg: Some(123.456_79),
            vrm2_range: Some(1.234_567_9),
            ebl2_deg: Some(123.456_79),
            cursor_range: Some(1.234_567_9),
            cursor_bearing_deg: Some(123.456_79),
            range_scale: Some(1.5),
            units: Some(DistanceUnits::NauticalMiles),
            display_rotation: Some(DisplayRotation::NorthUp),
        };
        assert_eq!(rsd.to_sentence("RA"), Err(WriteError::TooLong));
    }

    #[test]
    fn every_letter_code_reads_back_as_itself() {
        fn round_trip<T: Code + PartialEq + core::fmt::Debug>(all: &[T]) {
            for &value in all {
                assert_eq!(T::from_code(value.code()), Some(value));
            }
        }
        round_trip(&[
            DistanceUnits::Kilometres,
            DistanceUnits::NauticalMiles,
            DistanceUnits::StatuteMiles,
        ]);
        round_trip(&[BearingReference::True, BearingReference::Relative]);
        round_trip(&[
            Acquisition::Automatic,
            Acquisition::Manual,
            Acquisition::Reported,
        ]);
        round_trip(&[
            TargetStatus::Lost,
            TargetStatus::Query,
            TargetStatus::Tracking,
        ]);
        round_trip(&[Validity::Valid, Validity::Invalid]);
        round_trip(&[
            MotionReference::BottomTrack,
            MotionReference::Manual,
            MotionReference::Water,
            MotionReference::RadarTracking,
            MotionReference::PositioningSystem,
        ]);
        round_trip(&[
            DisplayRotation::CourseUp,
            DisplayRotation::HeadUp,
            DisplayRotation::NorthUp,
        ]);
        round_trip(&[NorthSouth::North, NorthSouth::South]);
        round_trip(&[EastWest::East, EastWest::West]);
    }
}
