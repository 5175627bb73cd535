//! Application-specific payloads of binary messages (types 6 and 8; also 25 and 26): the
//! bits after the DAC/FI header, kept as transmitted, and decoded where the application is
//! known (IMO SN.1/Circ.236 and SN.1/Circ.289 international applications under DAC 1, inland
//! AIS under DAC 200, the GLA AtoN monitoring message under DAC 235/250).
//!
//! The applications decoded are exactly those gpsd 3.22 decodes, with gpsd's length rules
//! (several decode only at one exact length and are otherwise left raw, as gpsd leaves them),
//! gpsd's field names and raw (unscaled) values. [`write_gpsd_fields`] writes gpsd's
//! `gpsdecode -u -j` JSON for them, and gpsd's `"data":"<bitcount>:<hex>"` for everything
//! else.
//!
//! Two rules run through every decoder, both gpsd's:
//! - a field past the end of a short payload reads as zero (gpsd reads its zeroed buffer), so
//!   a truncated payload still decodes; compare [`BinaryData::bitcount`] with the
//!   application's `BITS` to tell;
//! - six-bit text ends at the first `@` and loses its trailing spaces.
//!
//! Repeated groups (tidal windows, targets, cargoes, waypoints) are the one place where the
//! typed value and gpsd's JSON part ways: gpsd counts a group for every start offset inside the
//! payload, so a payload that ends exactly on a group boundary gets an extra all-zero group
//! and a cut group is padded with zeros. The typed value keeps the complete groups only (so
//! that encoding and decoding are inverse), and the JSON writer reproduces gpsd's count from
//! the raw bits.
//!
//! gpsd's forms are kept even where odd (its legends and their spelling, the degrees of the
//! marine traffic signal's position in unscaled output, the low 32 bits of a 42-bit target
//! MMSI). Where gpsd's output is an accident rather than a decoding of the field it names,
//! the JSON deliberately differs; each case is documented where it is written and listed in
//! the conformance test's allow-list:
//! - type 6 DAC 1 FI 15 and FI 16 (other than 136 bits): gpsd reads the value from the
//!   message header (`dest_mmsi`) instead of the payload; here it is read from the payload.
//! - type 8 DAC 1 FI 16: gpsd prints the type 6 member of its union, always 0; here the
//!   decoded value.
//! - type 8 DAC 200 FI 23: gpsd's `start` date puts the hour in the day's place (its format
//!   arguments are out of order); here year, month, day, hour, minute.
//! - type 8 DAC 1 FI 19: gpsd omits the comma before `nextsignal_text` and leaves the quotes of
//!   its signal legends unescaped (invalid JSON); here the same fields as valid JSON.
//! - DAC 200 FI 21, 22, 24: gpsd does not escape `"` or `\` in their six-bit text; here they
//!   are escaped.
//! - type 6 undecoded payloads: gpsd's hex shows whatever the sender put in the fill bits;
//!   [`BinaryData`] keeps only the payload's bits, so the hex shows zeros there.

mod gla;
mod imo;
mod inland;
mod meteo;

pub use gla::AtonMonitoring;
pub use imo::{
    AirDraught, BerthingData, Cargo, ClearanceTime, DangerousCargo, DangerousCargoImo236,
    FairwayClosed, MarineTrafficSignal, PersonsOnBoard, RouteInfo, SERVICE_NAMES, TargetId,
    TextDescription, TidalEntry, TidalWindow, VtsTarget, VtsTargets, Waypoint,
};
pub use inland::{
    EmmaWarning, InlandLockEta, InlandLockRta, InlandPersons, InlandStaticVoyage, SignalStatus,
    WaterGauge, WaterLevel, WaterwayPoint,
};
pub use meteo::{MetHydro236, MetHydro289};

use super::AisBits;
use super::json::JsonObject;
use core::fmt::{self, Write};
use heapless::String;

/// Most bits an application payload has: a five-slot type 8 (1008 bits) less its 56-bit
/// header.
pub const MAX_DATA_BITS: usize = 1008 - 56;
const MAX_DATA_BYTES: usize = MAX_DATA_BITS.div_ceil(8);

/// The application payload of a binary message, as transmitted.
///
/// Bits past [`BinaryData::bitcount`] are always zero, so that equal payloads compare equal and
/// reads past the end give zero.
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
        self.write_to(&mut w);
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

    /// Unsigned field of `width` ≤ 32 bits at bit `start`; bits past the end read as 0, as
    /// gpsd reads them.
    pub fn uint(&self, start: usize, width: usize) -> u32 {
        let width = width.min(32);
        if width == 0 {
            return 0;
        }
        // Five bytes hold any 32-bit field whatever its alignment; bytes past the buffer
        // read as zero like the bits past `bitcount` inside it.
        let first = start / 8;
        let mut window = 0u64;
        for i in 0..5 {
            let byte = first
                .checked_add(i)
                .and_then(|at| self.bytes.get(at))
                .copied()
                .unwrap_or(0);
            window = window << 8 | u64::from(byte);
        }
        let shift = 40 - start % 8 - width;
        ((window >> shift) & ((1u64 << width) - 1)) as u32
    }

    /// Two's-complement signed field of `width` ≤ 32 bits at bit `start`.
    pub fn int(&self, start: usize, width: usize) -> i32 {
        let width = width.clamp(1, 32);
        let shift = 32 - width as u32;
        ((self.uint(start, width) << shift) as i32) >> shift
    }

    /// Boolean field at bit `start`.
    pub fn flag(&self, start: usize) -> bool {
        self.uint(start, 1) == 1
    }

    /// Six-bit text of at most `chars` characters (and at most `N`) at bit `start`, as gpsd
    /// reads it: it ends at the first `@` (ITU-R M.1371 §3.3.7; the zeros past the end of the
    /// payload read as `@` too) and loses its trailing spaces.
    pub fn text<const N: usize>(&self, start: usize, chars: usize) -> String<N> {
        let mut out = String::new();
        for i in 0..chars.min(N) {
            let v = self.uint(start.saturating_add(i * 6), 6) as u8;
            if v == 0 || out.push(char::from(text_char(v))).is_err() {
                break;
            }
        }
        while out.ends_with(' ') {
            out.pop();
        }
        out
    }

    /// Text running from bit `start` to the end of the payload, whole characters only (the
    /// free-text applications), at most `N` characters.
    fn text_to_end<const N: usize>(&self, start: usize) -> String<N> {
        let chars = self.bitcount().saturating_sub(start) / 6;
        self.text(start, chars)
    }
}

/// The ASCII character of a six-bit text value (ITU-R M.1371 table 47): `@A-Z[\]^_ !"#...?`.
fn text_char(v: u8) -> u8 {
    let v = v & 0x3f;
    if v < 32 { v + 64 } else { v }
}

/// The six-bit value of an ASCII character: lower case becomes upper case, characters outside
/// the table become `?`.
fn text_value(c: u8) -> u8 {
    match c.to_ascii_uppercase() {
        c @ b'@'..=b'_' => c - 64,
        c @ b' '..=b'?' => c,
        _ => b'?',
    }
}

/// Builds an application payload field by field, for the encoders.
struct DataWriter {
    data: BinaryData,
}

impl DataWriter {
    fn new() -> Self {
        DataWriter {
            data: BinaryData::default(),
        }
    }

    /// Appends the low `width` (≤ 32) bits of `value`.
    fn uint(&mut self, value: u32, width: usize) {
        let width = width.min(32);
        let at = self.data.bitcount();
        // The largest value of every application fits (the capacities of their repeated
        // groups and texts are chosen so, and tests check it); never write past the buffer.
        debug_assert!(at + width <= MAX_DATA_BITS, "application payload overflow");
        if at + width > MAX_DATA_BITS {
            return;
        }
        for i in 0..width {
            if value >> (width - 1 - i) & 1 == 1 {
                let bit = at + i;
                self.data.bytes[bit / 8] |= 0x80 >> (bit % 8);
            }
        }
        self.data.bitcount += width as u16;
    }

    /// Appends `value` as a `width`-bit two's-complement field.
    fn int(&mut self, value: i32, width: usize) {
        let mask = if width >= 32 {
            u32::MAX
        } else {
            (1u32 << width) - 1
        };
        self.uint(value as u32 & mask, width);
    }

    fn flag(&mut self, value: bool) {
        self.uint(u32::from(value), 1);
    }

    /// Appends `width` zero bits (spare).
    fn spare(&mut self, width: usize) {
        for _ in 0..width / 32 {
            self.uint(0, 32);
        }
        self.uint(0, width % 32);
    }

    /// Appends `text` as `chars` six-bit characters, padded with `@`.
    fn text(&mut self, text: &str, chars: usize) {
        let mut bytes = text.bytes();
        for _ in 0..chars {
            let v = bytes.next().map_or(0, text_value);
            self.uint(u32::from(v), 6);
        }
    }

    fn finish(self) -> BinaryData {
        self.data
    }
}

/// A decoded application payload: one variant per application gpsd 3.22 decodes.
///
/// Each value keeps the fields as transmitted (raw, unscaled, gpsd's names); the payload's
/// bits stay in the message's [`BinaryData`] whatever is decoded here.
#[derive(Debug, Clone, PartialEq)]
pub enum Application {
    /// Type 6, DAC 1, FI 12 (IMO236): dangerous cargo indication.
    DangerousCargoImo236(DangerousCargoImo236),
    /// Type 6, DAC 1, FI 14 (IMO236): tidal window (93-bit windows, latitude first).
    TidalWindowImo236(TidalWindow),
    /// Types 6 and 8, DAC 1, FI 15 (IMO236): extended ship static data, air draught.
    AirDraught(AirDraught),
    /// Types 6 and 8, DAC 1, FI 16 (IMO236/289): number of persons on board.
    PersonsOnBoard(PersonsOnBoard),
    /// Type 6, DAC 1, FI 18 (IMO289): clearance time to enter port.
    ClearanceTime(ClearanceTime),
    /// Type 6, DAC 1, FI 20 (IMO289): berthing data.
    BerthingData(BerthingData),
    /// Type 6, DAC 1, FI 25 (IMO289): dangerous cargo indication.
    DangerousCargo(DangerousCargo),
    /// Type 6, DAC 1, FI 28 (addressed) and type 8, DAC 1, FI 27 (broadcast) (IMO289): route
    /// information.
    RouteInfo(RouteInfo),
    /// Type 6, DAC 1, FI 30 (addressed) and type 8, DAC 1, FI 29 (broadcast) (IMO289): text
    /// description.
    TextDescription(TextDescription),
    /// Type 6, DAC 1, FI 32 (IMO289): tidal window (88-bit windows, longitude first).
    TidalWindow(TidalWindow),
    /// Type 8, DAC 1, FI 11 (IMO236): meteorological and hydrological data.
    MetHydroImo236(MetHydro236),
    /// Type 8, DAC 1, FI 13 (IMO236): fairway closed.
    FairwayClosed(FairwayClosed),
    /// Type 8, DAC 1, FI 17 (IMO289): VTS-generated or synthetic targets.
    VtsTargets(VtsTargets),
    /// Type 8, DAC 1, FI 19 (IMO289): marine traffic signal.
    MarineTrafficSignal(MarineTrafficSignal),
    /// Type 8, DAC 1, FI 31 (IMO289): meteorological and hydrological data.
    MetHydro(MetHydro289),
    /// Type 8, DAC 200, FI 10 (inland AIS): inland ship static and voyage related data.
    InlandStaticVoyage(InlandStaticVoyage),
    /// Type 8, DAC 200, FI 23 (inland AIS): EMMA weather warning.
    EmmaWarning(EmmaWarning),
    /// Type 8, DAC 200, FI 24 (inland AIS): water levels.
    WaterLevel(WaterLevel),
    /// Type 8, DAC 200, FI 40 (inland AIS): signal status.
    SignalStatus(SignalStatus),
    /// Type 6, DAC 200, FI 21 (inland AIS): ETA at lock, bridge or terminal.
    InlandLockEta(InlandLockEta),
    /// Type 6, DAC 200, FI 22 (inland AIS): RTA at lock, bridge or terminal.
    InlandLockRta(InlandLockRta),
    /// Type 6, DAC 200, FI 55 (inland AIS): number of persons on board.
    InlandPersons(InlandPersons),
    /// Type 6, DAC 235 or 250, FI 10 (UK and Ireland, GLA): AtoN monitoring data.
    AtonMonitoring(AtonMonitoring),
}

impl Application {
    /// Decodes the payload of a type `msg_type` message with `dac` and `fid`, where gpsd 3.22
    /// decodes that application at that length; `None` where gpsd leaves the payload raw.
    pub fn decode(msg_type: u8, dac: u16, fid: u8, data: &BinaryData) -> Option<Self> {
        use Application as A;
        let bits = data.bitcount();
        Some(match (msg_type, dac, fid) {
            (6, 1, 12) => A::DangerousCargoImo236(DangerousCargoImo236::decode(data)),
            (6, 1, 14) => A::TidalWindowImo236(TidalWindow::decode(data, imo::TidalLayout::Imo236)),
            (6 | 8, 1, 15) => A::AirDraught(AirDraught::decode(data)),
            (6, 1, 16) => A::PersonsOnBoard(PersonsOnBoard::decode(data)),
            // gpsd decodes the broadcast form only at the two lengths it knows.
            (8, 1, 16) if bits == 72 || bits == 136 => {
                A::PersonsOnBoard(PersonsOnBoard::decode(data))
            }
            (6, 1, 18) => A::ClearanceTime(ClearanceTime::decode(data)),
            (6, 1, 20) => A::BerthingData(BerthingData::decode(data)),
            (6, 1, 25) => A::DangerousCargo(DangerousCargo::decode(data)),
            (6, 1, 28) | (8, 1, 27) => A::RouteInfo(RouteInfo::decode(data)),
            (6, 1, 30) | (8, 1, 29) => A::TextDescription(TextDescription::decode(data)),
            (6, 1, 32) => A::TidalWindow(TidalWindow::decode(data, imo::TidalLayout::Imo289)),
            (8, 1, 11) => A::MetHydroImo236(MetHydro236::decode(data)),
            (8, 1, 13) => A::FairwayClosed(FairwayClosed::decode(data)),
            (8, 1, 17) => A::VtsTargets(VtsTargets::decode(data)),
            (8, 1, 19) => A::MarineTrafficSignal(MarineTrafficSignal::decode(data)),
            (8, 1, 31) => A::MetHydro(MetHydro289::decode(data)),
            (8, 200, 10) => A::InlandStaticVoyage(InlandStaticVoyage::decode(data)?),
            (8, 200, 23) => A::EmmaWarning(EmmaWarning::decode(data)?),
            (8, 200, 24) => A::WaterLevel(WaterLevel::decode(data)?),
            (8, 200, 40) => A::SignalStatus(SignalStatus::decode(data)?),
            (6, 200, 21) => A::InlandLockEta(InlandLockEta::decode(data)?),
            (6, 200, 22) => A::InlandLockRta(InlandLockRta::decode(data)?),
            (6, 200, 55) => A::InlandPersons(InlandPersons::decode(data)?),
            (6, 235 | 250, 10) => A::AtonMonitoring(AtonMonitoring::decode(data)?),
            _ => return None,
        })
    }

    /// Encodes the application into its payload bits: the full standard length with spare
    /// bits zero, repeated groups and free text as long as they are. Every value fits a
    /// five-slot type 8 payload ([`MAX_DATA_BITS`]); a type 6 payload holds 32 bits fewer,
    /// which the message encoder checks.
    pub fn encode(&self) -> BinaryData {
        let mut w = DataWriter::new();
        match self {
            Application::DangerousCargoImo236(a) => a.encode(&mut w),
            Application::TidalWindowImo236(a) => a.encode(&mut w, imo::TidalLayout::Imo236),
            Application::AirDraught(a) => a.encode(&mut w),
            Application::PersonsOnBoard(a) => a.encode(&mut w),
            Application::ClearanceTime(a) => a.encode(&mut w),
            Application::BerthingData(a) => a.encode(&mut w),
            Application::DangerousCargo(a) => a.encode(&mut w),
            Application::RouteInfo(a) => a.encode(&mut w),
            Application::TextDescription(a) => a.encode(&mut w),
            Application::TidalWindow(a) => a.encode(&mut w, imo::TidalLayout::Imo289),
            Application::MetHydroImo236(a) => a.encode(&mut w),
            Application::FairwayClosed(a) => a.encode(&mut w),
            Application::VtsTargets(a) => a.encode(&mut w),
            Application::MarineTrafficSignal(a) => a.encode(&mut w),
            Application::MetHydro(a) => a.encode(&mut w),
            Application::InlandStaticVoyage(a) => a.encode(&mut w),
            Application::EmmaWarning(a) => a.encode(&mut w),
            Application::WaterLevel(a) => a.encode(&mut w),
            Application::SignalStatus(a) => a.encode(&mut w),
            Application::InlandLockEta(a) => a.encode(&mut w),
            Application::InlandLockRta(a) => a.encode(&mut w),
            Application::InlandPersons(a) => a.encode(&mut w),
            Application::AtonMonitoring(a) => a.encode(&mut w),
        }
        w.finish()
    }

    /// Writes gpsd's JSON fields for this application; `data` is the payload it was decoded
    /// from, which gpsd's counts of repeated groups are taken from.
    fn write_gpsd<W: Write>(&self, data: &BinaryData, obj: &mut JsonObject<'_, W>) -> fmt::Result {
        match self {
            Application::DangerousCargoImo236(a) => a.write_gpsd(obj),
            Application::TidalWindowImo236(a) => a.write_gpsd(data, imo::TidalLayout::Imo236, obj),
            Application::AirDraught(a) => a.write_gpsd(obj),
            Application::PersonsOnBoard(a) => a.write_gpsd(obj),
            Application::ClearanceTime(a) => a.write_gpsd(obj),
            Application::BerthingData(a) => a.write_gpsd(obj),
            Application::DangerousCargo(a) => a.write_gpsd(data, obj),
            Application::RouteInfo(a) => a.write_gpsd(data, obj),
            Application::TextDescription(a) => a.write_gpsd(obj),
            Application::TidalWindow(a) => a.write_gpsd(data, imo::TidalLayout::Imo289, obj),
            Application::MetHydroImo236(a) => a.write_gpsd(obj),
            Application::FairwayClosed(a) => a.write_gpsd(obj),
            Application::VtsTargets(_) => VtsTargets::write_gpsd(data, obj),
            Application::MarineTrafficSignal(a) => a.write_gpsd(obj),
            Application::MetHydro(a) => a.write_gpsd(obj),
            Application::InlandStaticVoyage(a) => a.write_gpsd(obj),
            Application::EmmaWarning(a) => a.write_gpsd(obj),
            Application::WaterLevel(a) => a.write_gpsd(obj),
            Application::SignalStatus(a) => a.write_gpsd(obj),
            Application::InlandLockEta(a) => a.write_gpsd(obj),
            Application::InlandLockRta(a) => a.write_gpsd(obj),
            Application::InlandPersons(a) => a.write_gpsd(obj),
            Application::AtonMonitoring(a) => a.write_gpsd(obj),
        }
    }
}

/// Writes gpsd's JSON fields for an application payload of message `msg_type` with `dac` and
/// `fid`: the decoded fields where gpsd decodes that application, otherwise
/// `"data":"<bitcount>:<hex>"` as gpsd does.
pub fn write_gpsd_fields<W: Write>(
    msg_type: u8,
    dac: u16,
    fid: u8,
    data: &BinaryData,
    obj: &mut JsonObject<'_, W>,
) -> fmt::Result {
    match Application::decode(msg_type, dac, fid, data) {
        Some(app) => app.write_gpsd(data, obj),
        None => write_raw_data(data, obj),
    }
}

/// gpsd's `"data":"<bitcount>:<hex>"` form of an undecoded payload: the bit count, then the
/// bytes in lower-case hex, the last byte zero-padded.
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

/// gpsd's `"MM-DDThh:mmZ"` (zero-padded) partial date.
fn write_date_z<W: Write>(
    obj: &mut JsonObject<'_, W>,
    key: &str,
    [month, day, hour, minute]: [u8; 4],
) -> fmt::Result {
    let out = obj.raw_value(key)?;
    write!(out, "\"{month:02}-{day:02}T{hour:02}:{minute:02}Z\"")
}

/// gpsd's `"M-DThh:mm"` partial date without padding or zone (berthing data, inland ETA/RTA).
fn write_date_plain<W: Write>(
    obj: &mut JsonObject<'_, W>,
    key: &str,
    [month, day, hour, minute]: [u8; 4],
) -> fmt::Result {
    let out = obj.raw_value(key)?;
    write!(out, "\"{month}-{day}T{hour}:{minute}\"")
}

/// The legend at `index`, or `fallback` past the end of `table` (gpsd's `*_DISPLAY` macros).
fn legend(table: &[&'static str], index: u32, fallback: &'static str) -> &'static str {
    usize::try_from(index)
        .ok()
        .and_then(|i| table.get(i))
        .copied()
        .unwrap_or(fallback)
}

/// Writes a JSON array of `count` objects, each written by `element` (gpsd's nested arrays).
fn write_array<W: Write>(
    obj: &mut JsonObject<'_, W>,
    key: &str,
    count: usize,
    mut element: impl FnMut(usize, &mut JsonObject<'_, W>) -> fmt::Result,
) -> fmt::Result {
    let out = obj.raw_value(key)?;
    out.write_char('[')?;
    for i in 0..count {
        if i > 0 {
            out.write_char(',')?;
        }
        let mut o = JsonObject::begin(&mut *out);
        element(i, &mut o)?;
        o.end()?;
    }
    out.write_char(']')
}

/// gpsd's count of a repeated group of `size`-bit elements from bit `base`: one for every
/// start offset at or before (`inclusive`) or before the end of the payload.
fn gpsd_group_count(data: &BinaryData, base: usize, size: usize, inclusive: bool) -> usize {
    let Some(span) = data.bitcount().checked_sub(base) else {
        return 0;
    };
    if inclusive {
        span / size + 1
    } else {
        span.div_ceil(size)
    }
}

/// The number of complete `size`-bit groups from bit `base`, at most `cap`.
fn complete_groups(data: &BinaryData, base: usize, size: usize, cap: usize) -> usize {
    (data.bitcount().saturating_sub(base) / size).min(cap)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data_of(fields: &[(u32, usize)]) -> BinaryData {
        let mut w = DataWriter::new();
        for &(v, width) in fields {
            w.uint(v, width);
        }
        w.finish()
    }

    #[test]
    fn fields_read_across_byte_boundaries_and_as_zero_past_the_end() {
        let data = data_of(&[(0b101, 3), (0xdead_beef, 32), (0x3f, 6)]);
        assert_eq!(data.bitcount(), 41);
        assert_eq!(data.uint(0, 3), 0b101);
        assert_eq!(data.uint(3, 32), 0xdead_beef);
        assert_eq!(data.uint(35, 6), 0x3f);
        assert_eq!(data.uint(38, 32), 0b111 << 29);
        assert_eq!(data.uint(41, 32), 0);
        assert_eq!(data.uint(usize::MAX, 32), 0);
        assert_eq!(data.int(35, 6), -1);
    }

    #[test]
    fn text_stops_at_at_sign_and_drops_trailing_spaces() {
        let mut w = DataWriter::new();
        w.text("AB C  ", 8);
        w.text("X", 2);
        let data = w.finish();
        assert_eq!(data.text::<8>(0, 8).as_str(), "AB C");
        assert_eq!(data.text::<2>(48, 2).as_str(), "X");
        assert_eq!(data.text::<4>(200, 4).as_str(), "");
    }

    #[test]
    fn raw_data_is_bitcount_and_lower_case_hex() {
        let data = data_of(&[(0xab, 8), (0b1, 1)]);
        let mut s = String::<64>::new();
        let mut o = JsonObject::begin(&mut s);
        write_raw_data(&data, &mut o).unwrap();
        o.end().unwrap();
        assert_eq!(s.as_str(), r#"{"data":"9:ab80"}"#);
    }

    #[test]
    fn gpsd_counts_a_group_for_every_start_offset_in_the_payload() {
        let zeros = |n: usize| {
            let mut w = DataWriter::new();
            w.spare(n);
            w.finish()
        };
        let data = zeros(9 + 88);
        assert_eq!(gpsd_group_count(&data, 9, 88, true), 2);
        assert_eq!(complete_groups(&data, 9, 88, 10), 1);
        let data = zeros(12 + 17);
        assert_eq!(gpsd_group_count(&data, 12, 17, false), 1);
        assert_eq!(gpsd_group_count(&zeros(8), 9, 88, true), 0);
        assert_eq!(gpsd_group_count(&zeros(12), 12, 17, false), 0);
    }
}
