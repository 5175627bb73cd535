//! `borderfuse-agent ais-decode`: AIS in NMEA 0183 lines → gpsd's AIS JSON, one object a line.
//!
//! The stream is read line by line into one reused buffer; each line is classified (comment,
//! not NMEA, proprietary such as Gatehouse `$PGHP`, other NMEA, AIS `VDM`/`VDO`), AIS fragments
//! are joined by [`Reassembler`], complete payloads decoded by [`AisMessage::decode`] and
//! written as gpsd writes them (`gpsdecode -u -j -s`: unscaled, type 24 parts A and B as two
//! objects unless a part B follows its part A closely, see [`GpsdJsonWriter`]) through one
//! reused `String`. Nothing is allocated per sentence, and every line that does not end in a
//! message is counted by why in a [`DecodeSummary`].
//!
//! Where the stream layer parts from gpsdecode, on purpose (`tests/gpsd_conformance.rs` holds
//! the full account, message by message):
//! - fragments are keyed on sequential message id and tag-block group as well as channel, and
//!   may arrive out of order, so messages gpsd loses to interleaving are decoded;
//! - a last line without a line ending is decoded (gpsdecode waits for its end forever);
//! - a sentence without a checksum is rejected and counted (gpsd accepts it unchecked);
//! - like gpsd, a sentence behind a corrupt tag block is decoded without it, and text after
//!   the two checksum digits is ignored.

use borderfuse_common::ais::{
    AisBits, AisError, AisMessage, GpsdJsonWriter, Reassembler, ReassemblyStats,
};
use borderfuse_common::nmea::{self, NmeaError, VdmError};
use std::fmt;
use std::io::{self, BufRead, ErrorKind, Write};
use std::time::Instant;

/// Longest line kept, line ending excluded. IEC 61162-1 allows 82 characters a sentence; a
/// tag block and a receiver's trailing fields (USCG feeds append `,d-109,S1234,...`) can take
/// a line to about 250, so 1024 leaves room for every real feed while bounding memory.
pub const MAX_LINE_LEN: usize = 1024;

/// Incomplete multi-sentence messages held at once; the oldest is dropped (and counted) when
/// a new one does not fit.
pub const REASSEMBLY_SLOTS: usize = 32;

/// Most AIS message types: the six-bit type field.
const MSG_TYPES: usize = 64;

/// What time a fragment's age is measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FragmentClock {
    /// Milliseconds of wall-clock time since the stream began: for a live feed on stdin.
    Wall,
    /// One "millisecond" per input line: deterministic, for replays of recorded files and
    /// tests, where wall-clock time says nothing about when sentences were received.
    Lines,
}

/// How [`decode_stream`] decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeOptions {
    /// A multi-sentence message still incomplete this long after its first fragment is
    /// abandoned, in the unit of `clock`.
    pub fragment_timeout_ms: u64,
    /// The clock fragment ages are measured with.
    pub clock: FragmentClock,
}

impl Default for DecodeOptions {
    /// Ten seconds of wall-clock time: a message's fragments are sent in consecutive slots,
    /// so ten seconds is far more than any receiver needs to deliver them.
    fn default() -> Self {
        DecodeOptions {
            fragment_timeout_ms: 10_000,
            clock: FragmentClock::Wall,
        }
    }
}

/// Why `VDM`/`VDO` sentences were rejected, by [`VdmError`] kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VdmCounts {
    /// Fewer or more than six data fields.
    pub field_count: u64,
    /// Fragment count or number missing, zero, over 9, or number > count.
    pub bad_fragment: u64,
    /// Sequential message id not a digit.
    pub bad_message_id: u64,
    /// Fill bits not 0-5.
    pub bad_fill_bits: u64,
    /// Payload characters outside the six-bit armour.
    pub bad_payload: u64,
}

/// Every line of a stream, counted by what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeSummary {
    /// Non-empty lines read (line endings `\n`, `\r\n` or `\r`).
    pub lines: u64,
    /// Messages decoded and written.
    pub messages: u64,
    /// `VDM`/`VDO` sentences handed to reassembly.
    pub ais_sentences: u64,
    /// Lines starting with `#`, skipped.
    pub comments: u64,
    /// Lines that are not NMEA (no `!`, `$` or tag block at the start), skipped.
    pub not_nmea: u64,
    /// Lines longer than [`MAX_LINE_LEN`], skipped.
    pub overlong: u64,
    /// Lines holding bytes outside printable ASCII (control characters, non-ASCII, invalid
    /// UTF-8), skipped.
    pub not_ascii: u64,
    /// Sentences with data after their checksum: receivers' own fields (`*hh,b003669794,...`
    /// on USCG feeds), or any text (gpsd ignores it too); decoded, the trailer ignored.
    pub trailing_fields: u64,
    /// Sentences whose checksum does not match.
    pub checksum_mismatch: u64,
    /// Sentences without a checksum: decoded, as gpsd does, and flagged by this count (not
    /// a fault: some talkers never send one).
    pub checksum_missing: u64,
    /// Sentences whose `*` is not followed by two hexadecimal digits.
    pub checksum_malformed: u64,
    /// Tag blocks not closed or with a bad checksum. A closed one is dropped and its sentence
    /// decoded without it (the sentence has its own checksum), as gpsd does.
    pub bad_tag_block: u64,
    /// Sentences whose address field is not a talker and formatter.
    pub bad_address: u64,
    /// Proprietary sentences (`$P...`, e.g. Gatehouse `$PGHP`), skipped.
    pub proprietary: u64,
    /// Valid NMEA sentences that are not AIS (`$GPGGA`, `$IIMWV`, ...), skipped.
    pub other_nmea: u64,
    /// `VDM`/`VDO` sentences with invalid fields.
    pub vdm: VdmCounts,
    /// What reassembly did with the fragments (duplicates, conflicts, expiries, ...).
    pub reassembly: ReassemblyStats,
    /// Multi-sentence messages still incomplete when the input ended.
    pub incomplete_at_end: u64,
    /// Complete payloads with no bits.
    pub empty_payloads: u64,
    /// Complete payloads longer than any AIS message.
    pub too_long: u64,
    /// Complete payloads with a character outside the armour (caught before reassembly in
    /// practice; kept so that every decoder error has a counter).
    pub bad_armour: u64,
    /// Payloads whose length is wrong for their type, by type.
    pub wrong_length: [u64; MSG_TYPES],
    /// Payloads of a type ITU-R M.1371-5 does not define (0, 28-63), by type.
    pub unsupported: [u64; MSG_TYPES],
    /// Type 24 reports with part number 2 or 3 (only A and B exist).
    pub unknown_part: u64,
    /// Payloads with a field out of its range.
    pub field_overflow: u64,
    /// Messages whose JSON could not be written.
    pub json_errors: u64,
}

impl Default for DecodeSummary {
    fn default() -> Self {
        DecodeSummary {
            lines: 0,
            messages: 0,
            ais_sentences: 0,
            comments: 0,
            not_nmea: 0,
            overlong: 0,
            not_ascii: 0,
            trailing_fields: 0,
            checksum_mismatch: 0,
            checksum_missing: 0,
            checksum_malformed: 0,
            bad_tag_block: 0,
            bad_address: 0,
            proprietary: 0,
            other_nmea: 0,
            vdm: VdmCounts::default(),
            reassembly: ReassemblyStats::default(),
            incomplete_at_end: 0,
            empty_payloads: 0,
            too_long: 0,
            bad_armour: 0,
            wrong_length: [0; MSG_TYPES],
            unsupported: [0; MSG_TYPES],
            unknown_part: 0,
            field_overflow: 0,
            json_errors: 0,
        }
    }
}

impl DecodeSummary {
    fn count_nmea_error(&mut self, e: NmeaError) {
        let counter = match e {
            // `parse` sees only non-empty lines starting with a start character here.
            NmeaError::Empty | NmeaError::NoStartCharacter => &mut self.not_nmea,
            NmeaError::NotPrintableAscii => &mut self.not_ascii,
            NmeaError::MissingChecksum => &mut self.checksum_missing,
            NmeaError::MalformedChecksum => &mut self.checksum_malformed,
            NmeaError::ChecksumMismatch { .. } => &mut self.checksum_mismatch,
            NmeaError::BadTagBlock => &mut self.bad_tag_block,
            NmeaError::BadAddress => &mut self.bad_address,
        };
        *counter += 1;
    }

    fn count_vdm_error(&mut self, e: VdmError) {
        let counter = match e {
            VdmError::NotVdm => &mut self.other_nmea,
            VdmError::FieldCount => &mut self.vdm.field_count,
            VdmError::BadFragment => &mut self.vdm.bad_fragment,
            VdmError::BadMessageId => &mut self.vdm.bad_message_id,
            VdmError::BadFillBits => &mut self.vdm.bad_fill_bits,
            VdmError::BadPayload => &mut self.vdm.bad_payload,
        };
        *counter += 1;
    }

    fn count_ais_error(&mut self, e: AisError) {
        let counter = match e {
            AisError::Empty => &mut self.empty_payloads,
            AisError::TooLong => &mut self.too_long,
            AisError::BadArmour(_) => &mut self.bad_armour,
            AisError::WrongLength { msg_type, .. } => by_type(&mut self.wrong_length, msg_type),
            AisError::Unsupported(msg_type) => by_type(&mut self.unsupported, msg_type),
            AisError::UnknownPart(_) => &mut self.unknown_part,
            AisError::FieldOverflow { .. } => &mut self.field_overflow,
        };
        *counter += 1;
    }

    /// Faults found in the input: the sum of every error counter (comments, blank lines,
    /// proprietary and other NMEA sentences and receivers' trailing fields are not faults).
    pub fn errors(&self) -> u64 {
        let r = &self.reassembly;
        let v = &self.vdm;
        self.not_nmea
            + self.overlong
            + self.not_ascii
            + self.checksum_mismatch
            + self.checksum_malformed
            + self.bad_tag_block
            + self.bad_address
            + v.field_count
            + v.bad_fragment
            + v.bad_message_id
            + v.bad_fill_bits
            + v.bad_payload
            + r.duplicates
            + r.conflicts
            + r.expired
            + r.evicted
            + r.bad_payloads
            + self.incomplete_at_end
            + self.empty_payloads
            + self.too_long
            + self.bad_armour
            + self.wrong_length.iter().sum::<u64>()
            + self.unsupported.iter().sum::<u64>()
            + self.unknown_part
            + self.field_overflow
            + self.json_errors
    }
}

/// The counter of message type `msg_type` (a six-bit value, so always in range; a value out of
/// range would land on the last counter rather than panic).
fn by_type(counters: &mut [u64; MSG_TYPES], msg_type: u8) -> &mut u64 {
    let last = MSG_TYPES - 1;
    &mut counters[usize::from(msg_type).min(last)]
}

impl fmt::Display for DecodeSummary {
    /// One `label: count` line per non-zero counter.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.reassembly;
        let v = &self.vdm;
        let counters = [
            ("lines read", self.lines),
            ("AIS sentences", self.ais_sentences),
            ("messages decoded", self.messages),
            ("comment lines skipped", self.comments),
            ("proprietary sentences skipped", self.proprietary),
            ("other NMEA sentences skipped", self.other_nmea),
            (
                "sentences with fields after the checksum",
                self.trailing_fields,
            ),
            ("lines not NMEA", self.not_nmea),
            ("lines too long", self.overlong),
            ("lines not printable ASCII", self.not_ascii),
            ("NMEA checksum mismatch", self.checksum_mismatch),
            (
                "NMEA checksum missing (decoded, flagged)",
                self.checksum_missing,
            ),
            ("NMEA checksum malformed", self.checksum_malformed),
            ("NMEA tag block bad", self.bad_tag_block),
            ("NMEA address field bad", self.bad_address),
            ("VDM wrong field count", v.field_count),
            ("VDM bad fragment count or number", v.bad_fragment),
            ("VDM bad sequential message id", v.bad_message_id),
            ("VDM bad fill bits", v.bad_fill_bits),
            ("VDM bad payload character", v.bad_payload),
            ("multi-sentence messages reassembled", r.multi_sentence),
            ("of which from out-of-order fragments", r.reordered),
            ("fragment duplicate, ignored", r.duplicates),
            ("message abandoned: a fragment contradicted it", r.conflicts),
            ("message abandoned: expired incomplete", r.expired),
            ("message abandoned: evicted, all slots in use", r.evicted),
            (
                "message abandoned: incomplete at end of input",
                self.incomplete_at_end,
            ),
            ("fragment payload bad", r.bad_payloads),
            ("AIS payload empty", self.empty_payloads),
            ("AIS payload too long", self.too_long),
            ("AIS payload bad armour", self.bad_armour),
            ("AIS type 24 unknown part", self.unknown_part),
            ("AIS field out of range", self.field_overflow),
            ("JSON not written", self.json_errors),
        ];
        for (label, n) in counters {
            if n > 0 {
                writeln!(f, "{label}: {n}")?;
            }
        }
        for (msg_type, &n) in self.wrong_length.iter().enumerate() {
            if n > 0 {
                writeln!(f, "AIS wrong length for type {msg_type}: {n}")?;
            }
        }
        for (msg_type, &n) in self.unsupported.iter().enumerate() {
            if n > 0 {
                writeln!(f, "AIS undefined type {msg_type}: {n}")?;
            }
        }
        Ok(())
    }
}

/// Decodes every AIS message in `input` (NMEA lines) onto `output` as gpsd JSON, one object a
/// line, and returns the counts of what happened to every line. Only I/O errors end it early;
/// bad input is counted and skipped. `output` is flushed at the end; give it a buffered
/// writer.
pub fn decode_stream<R: BufRead, W: Write>(
    mut input: R,
    mut output: W,
    options: &DecodeOptions,
) -> io::Result<DecodeSummary> {
    let mut decoder = Decoder::new(options);
    let mut line = Vec::with_capacity(MAX_LINE_LEN);
    // Large enough for the longest object gpsd writes (a five-slot binary message in hex),
    // so that it never grows after the first messages.
    let mut json = String::with_capacity(4096);
    // gpsdecode merges a type 24 part B with the name of a part A it saw shortly before.
    let mut writer = GpsdJsonWriter::new();
    while let Some(overlong) = read_line(&mut input, &mut line)? {
        if line.is_empty() && !overlong {
            continue;
        }
        decoder.summary.lines += 1;
        if overlong {
            decoder.summary.overlong += 1;
            continue;
        }
        let Some(bits) = decoder.payload(&line) else {
            continue;
        };
        match AisMessage::decode(&bits) {
            Ok(message) => {
                json.clear();
                if writer.write(&message, &mut json).is_err() {
                    decoder.summary.json_errors += 1;
                    continue;
                }
                json.push('\n');
                output.write_all(json.as_bytes())?;
                decoder.summary.messages += 1;
            }
            Err(e) => decoder.summary.count_ais_error(e),
        }
    }
    output.flush()?;
    Ok(decoder.finish())
}

/// Reads one line into `line` (cleared first), without its ending: `\n`, `\r\n` and a lone `\r`
/// all end a line (a `\r\n` yields an empty line after the `\r`, which the caller skips).
/// Keeps at most [`MAX_LINE_LEN`] bytes and discards the rest of a longer line, so that memory
/// stays bounded on any input. Returns `None` at the end of input, `Some(true)` for a line
/// that was too long.
///
/// `read_until` cannot end lines at a lone `\r` nor stop storing at a limit, hence
/// `fill_buf`/`consume`: the same reused buffer, no allocation once it has grown to the limit.
fn read_line<R: BufRead>(input: &mut R, line: &mut Vec<u8>) -> io::Result<Option<bool>> {
    line.clear();
    let mut overlong = false;
    let mut read_any = false;
    loop {
        let available = match input.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            // End of input: a last line without a line ending still counts.
            return Ok(read_any.then_some(overlong));
        }
        read_any = true;
        let end = find_line_end(available);
        let content = end.map_or(available, |i| &available[..i]);
        let room = MAX_LINE_LEN.saturating_sub(line.len());
        if content.len() > room {
            overlong = true;
        }
        line.extend_from_slice(&content[..content.len().min(room)]);
        let used = end.map_or(available.len(), |i| i + 1);
        input.consume(used);
        if end.is_some() {
            return Ok(Some(overlong));
        }
    }
}

/// The index of the first `\n` or `\r` in `bytes`. Eight bytes at a time: this search runs
/// over every byte of input, and a byte-by-byte loop was the largest cost of reading.
fn find_line_end(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // Non-zero exactly when some byte of `word` equals `byte` (the classic zero-byte test on
    // `word ^ byte…byte`).
    let has = |word: u64, byte: u8| {
        let x = word ^ (ONES * u64::from(byte));
        x.wrapping_sub(ONES) & !x & HIGHS
    };
    let mut start = 0;
    for chunk in bytes.chunks_exact(8) {
        let Ok(word) = <[u8; 8]>::try_from(chunk).map(u64::from_ne_bytes) else {
            break;
        };
        if has(word, b'\n') | has(word, b'\r') != 0 {
            break;
        }
        start += 8;
    }
    let rest = bytes.get(start..)?;
    let i = rest.iter().position(|&b| b == b'\n' || b == b'\r')?;
    Some(start + i)
}

/// The sentence layer and reassembly, with their counters.
struct Decoder {
    reassembler: Reassembler<REASSEMBLY_SLOTS>,
    summary: DecodeSummary,
    clock: FragmentClock,
    started: Instant,
    /// The wall clock when last read, in ms since `started`.
    wall_ms: u64,
}

impl Decoder {
    fn new(options: &DecodeOptions) -> Self {
        Decoder {
            reassembler: Reassembler::new(options.fragment_timeout_ms),
            summary: DecodeSummary::default(),
            clock: options.clock,
            started: Instant::now(),
            wall_ms: 0,
        }
    }

    /// The time of a fragment of a message of `fragment_count` sentences. The wall clock is
    /// read for fragments only: a single-sentence message gets the time of the last fragment,
    /// which is never later than now, so it can only delay expiries (which the next fragment
    /// catches up on), never hasten them, and the clock is not read a million times a second.
    fn now_ms(&mut self, fragment_count: u8) -> u64 {
        match self.clock {
            FragmentClock::Wall => {
                if fragment_count > 1 {
                    let elapsed = self.started.elapsed().as_millis();
                    self.wall_ms = u64::try_from(elapsed).unwrap_or(u64::MAX);
                }
                self.wall_ms
            }
            FragmentClock::Lines => self.summary.lines,
        }
    }

    /// Classifies one line, counts it, and returns the payload of the message it completes.
    fn payload(&mut self, line: &[u8]) -> Option<AisBits> {
        let summary = &mut self.summary;
        let line = line.trim_ascii();
        // Comments are skipped whatever they hold (gpsd's test data has UTF-8 in them).
        if line.starts_with(b"#") {
            summary.comments += 1;
            return None;
        }
        // NMEA is printable ASCII: a line that is not (binary noise, another encoding) is
        // rejected whole, before any parsing.
        let Ok(text) = std::str::from_utf8(line) else {
            summary.not_ascii += 1;
            return None;
        };
        if !text.is_ascii() {
            summary.not_ascii += 1;
            return None;
        }
        if !text.starts_with(['!', '$', '\\']) {
            summary.not_nmea += 1;
            return None;
        }
        let text = match without_text_after_checksum(text) {
            Some(sentence) => {
                summary.trailing_fields += 1;
                sentence
            }
            None => text,
        };
        let sentence = match nmea::parse(text) {
            Ok(sentence) => sentence,
            Err(NmeaError::BadTagBlock) => {
                summary.bad_tag_block += 1;
                // A corrupt tag block is metadata lost, not the sentence: the sentence has a
                // checksum of its own. Decode it without the tag block, as gpsd (which ignores
                // tag blocks) does.
                let after = text.get(1..).and_then(|t| t.split_once('\\'));
                match after.map(|(_, sentence)| nmea::parse(sentence)) {
                    Some(Ok(sentence)) => sentence,
                    Some(Err(e)) => {
                        summary.count_nmea_error(e);
                        return None;
                    }
                    None => return None,
                }
            }
            Err(e) => {
                summary.count_nmea_error(e);
                return None;
            }
        };
        if sentence.trailer.is_some() {
            summary.trailing_fields += 1;
        }
        if sentence.checksum == nmea::ChecksumStatus::Missing {
            summary.checksum_missing += 1;
        }
        if sentence.talker() == "P" {
            summary.proprietary += 1;
            return None;
        }
        let vdm = match nmea::parse_vdm(&sentence) {
            Ok(vdm) => vdm,
            Err(e) => {
                summary.count_vdm_error(e);
                return None;
            }
        };
        summary.ais_sentences += 1;
        let now_ms = self.now_ms(vdm.fragment_count);
        // Errors are counted by the reassembler itself, by kind (see `finish`).
        self.reassembler.push(&vdm, now_ms).ok().flatten()
    }

    fn finish(mut self) -> DecodeSummary {
        self.summary.reassembly = *self.reassembler.stats();
        self.summary.incomplete_at_end = self.reassembler.pending() as u64;
        self.summary
    }
}

/// The sentence without the text that follows its checksum digits, when that text is not
/// receiver fields (which start with a comma and which `nmea::parse` keeps): gpsd ignores
/// whatever follows `*hh`, so that a line whose line ending a logger wrote out as text
/// (`*47\\x0d\\x0a`, in gpsd's own test data) still decodes. `None` when there is no such
/// text.
fn without_text_after_checksum(line: &str) -> Option<&str> {
    // Nearly every line ends at its checksum: say so without searching.
    if let [.., b'*', h, l] = line.as_bytes()
        && h.is_ascii_hexdigit()
        && l.is_ascii_hexdigit()
    {
        return None;
    }
    // Skip the tag block, whose own checksum is followed by `\\`, not by the sentence's end.
    let start = match line.strip_prefix('\\') {
        Some(after) => after.find('\\').map_or(line.len(), |i| i + 2),
        None => 0,
    };
    let star = start + line.get(start..)?.find('*')?;
    let end = star + 3;
    let checksum = line.as_bytes().get(star + 1..end)?;
    let after = line.as_bytes().get(end)?;
    (checksum.iter().all(u8::is_ascii_hexdigit) && *after != b',')
        .then(|| line.get(..end))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(input: &[u8]) -> (String, DecodeSummary) {
        let options = DecodeOptions {
            fragment_timeout_ms: 10,
            clock: FragmentClock::Lines,
        };
        let mut out = Vec::new();
        let summary = decode_stream(input, &mut out, &options).unwrap();
        (String::from_utf8(out).unwrap(), summary)
    }

    /// gpsd test/sample.aivdm, first sentence.
    const TYPE1: &str = "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A";
    /// gpsd test/sample.aivdm: a two-sentence type 5.
    const TYPE5: [&str; 2] = [
        "!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C",
        "!AIVDM,2,2,1,A,88888888880,2*25",
    ];

    #[test]
    fn a_type_1_sentence_becomes_one_json_line() {
        let (out, summary) = decode(format!("{TYPE1}\n").as_bytes());
        assert_eq!(out.lines().count(), 1);
        assert!(out.starts_with(r#"{"class":"AIS","#), "{out}");
        assert!(out.contains(r#""mmsi":371798000"#), "{out}");
        assert!(out.ends_with('\n'));
        assert_eq!(summary.messages, 1);
        assert_eq!(summary.errors(), 0);
    }

    #[test]
    fn every_line_ending_ends_a_line_and_the_last_line_needs_none() {
        let input = format!("{TYPE1}\r\n{TYPE1}\n{TYPE1}\r{TYPE1}");
        let (out, summary) = decode(input.as_bytes());
        assert_eq!(out.lines().count(), 4);
        assert_eq!(summary.lines, 4);
    }

    #[test]
    fn a_two_sentence_message_is_reassembled() {
        let (out, summary) = decode(format!("{}\n{}\n", TYPE5[0], TYPE5[1]).as_bytes());
        assert!(out.contains(r#""shipname":"EVER DIADEM""#), "{out}");
        assert_eq!(summary.messages, 1);
        assert_eq!(summary.ais_sentences, 2);
    }

    #[test]
    fn two_type_5_messages_interleaved_on_one_channel_are_both_decoded() {
        // gpsd keeps one fragment buffer per channel and loses one of these; the sequential
        // message ids tell them apart.
        let with_id = |line: &str, id: char| {
            let body = line[..line.rfind('*').unwrap()].replacen(",1,A,", &format!(",{id},A,"), 1);
            let sum = nmea::checksum_suffix(&body);
            format!("{body}{}\n", std::str::from_utf8(&sum).unwrap())
        };
        let input = [
            with_id(TYPE5[0], '3'),
            with_id(TYPE5[0], '4'),
            with_id(TYPE5[1], '3'),
            with_id(TYPE5[1], '4'),
        ]
        .concat();
        let (out, summary) = decode(input.as_bytes());
        assert_eq!(out.lines().count(), 2, "{out}");
        assert_eq!(summary.reassembly.multi_sentence, 2);
        assert_eq!(summary.errors(), 0);
    }

    #[test]
    fn comments_proprietary_and_other_sentences_are_counted_not_errors() {
        let input = "# a comment\n\
                     $PGHP,1,2008,5,9,0,0,0,10,338,2,,1,09*17\n\
                     $GPGGA,184353.07,1929.045,S,02410.506,E,1,04,2.6,100.00,M,-33.9,M,,0000*6D\n\
                     foobar\n";
        let (out, summary) = decode(input.as_bytes());
        assert!(out.is_empty());
        assert_eq!(summary.comments, 1);
        assert_eq!(summary.proprietary, 1);
        assert_eq!(summary.other_nmea, 1);
        assert_eq!(summary.not_nmea, 1);
        assert_eq!(summary.errors(), 1);
    }

    #[test]
    fn a_wrong_checksum_is_rejected_and_a_missing_one_flagged_and_decoded() {
        let wrong = TYPE1.replace("*4A", "*4B");
        let missing = &TYPE1[..TYPE1.len() - 3];
        let (out, summary) = decode(format!("{wrong}\n{missing}\n").as_bytes());
        let (good, _) = decode(format!("{TYPE1}\n").as_bytes());
        assert_eq!(
            out, good,
            "the sentence without a checksum decodes as the intact one"
        );
        assert_eq!(summary.checksum_mismatch, 1);
        assert_eq!(summary.checksum_missing, 1);
        assert_eq!(summary.errors(), 1, "only the mismatch is a fault");
    }

    #[test]
    fn fields_after_the_checksum_are_ignored() {
        // libais test/data/test.aivdm (USCG): receiver fields after the checksum.
        let line = "!AIVDM,1,1,,A,15B4FT5000JRP>PE6E68Nbkl0PS5,0*70,b003669794,1272412827\n";
        let (out, summary) = decode(line.as_bytes());
        assert_eq!(out.lines().count(), 1);
        assert_eq!(summary.trailing_fields, 1);
    }

    #[test]
    fn anything_after_the_two_checksum_digits_is_ignored_as_gpsd_does() {
        // gpsd test/sample.aivdm has escapes written out as text after a checksum.
        let (out, summary) = decode(format!("{TYPE1}\\x0d\\x0a\n").as_bytes());
        assert_eq!(out.lines().count(), 1);
        assert_eq!(summary.trailing_fields, 1);
        assert_eq!(without_text_after_checksum(&TYPE1[..TYPE1.len() - 1]), None);
    }

    #[test]
    fn a_sentence_behind_a_corrupt_tag_block_still_decodes() {
        // pyais tests/mixed.txt: a one-digit tag-block checksum.
        let line = "\\g:1-2-73874*A\\!AIVDM,1,1,,A,15MrVH0000KH<:V:NtBLoqFP2H9:,0*2F\n";
        let (out, summary) = decode(line.as_bytes());
        assert_eq!(out.lines().count(), 1);
        assert_eq!(summary.bad_tag_block, 1);
        let (out, summary) = decode(b"\\g:1-2-73874*A!AIVDM,1,1,,A,1,0*2F\n");
        assert!(out.is_empty());
        assert_eq!(summary.bad_tag_block, 1);
    }

    #[test]
    fn comments_may_hold_any_bytes() {
        let mut input = "# Latitude=0x30CAFD(53°017.693 N)\n".as_bytes().to_vec();
        input.extend_from_slice(b"#\xff\n");
        let (out, summary) = decode(&input);
        assert!(out.is_empty());
        assert_eq!(summary.comments, 2);
        assert_eq!(summary.errors(), 0);
    }

    #[test]
    fn an_overlong_line_is_counted_and_the_next_line_still_decodes() {
        let input = format!("{}\n{TYPE1}\n", "!".repeat(10 * MAX_LINE_LEN));
        let (out, summary) = decode(input.as_bytes());
        assert_eq!(summary.overlong, 1);
        assert_eq!(summary.lines, 2);
        assert_eq!(out.lines().count(), 1);
    }

    #[test]
    fn a_line_of_exactly_the_limit_is_not_overlong() {
        let mut line = vec![b'x'; MAX_LINE_LEN];
        line.push(b'\n');
        let (_, summary) = decode(&line);
        assert_eq!(summary.overlong, 0);
        assert_eq!(summary.not_nmea, 1);
    }

    #[test]
    fn non_ascii_and_invalid_utf8_lines_are_rejected_and_counted() {
        let mut input = Vec::new();
        input.extend_from_slice("!AIVDM,1,1,,A,é,0*00\n".as_bytes());
        input.extend_from_slice(b"!AIVDM,\xff\xfe\n");
        input.extend_from_slice(b"!AIVDM,1,1,,A,1\x01,0*00\n");
        let (out, summary) = decode(&input);
        assert!(out.is_empty());
        assert_eq!(summary.not_ascii, 3);
    }

    #[test]
    fn a_zero_fragment_count_is_a_vdm_error() {
        // pyais tests/ais_test_messages: `!AAVDM,0,1,...` (its tag block's checksum, wrong
        // there, corrected so that the sentence reaches the VDM layer).
        let line = "\\s:blah,c:1747818025*38\\!AAVDM,0,1,,B,16UK7Fi0?w4tQF0l4Q@>401v1PS;,0*0F\n";
        let (out, summary) = decode(line.as_bytes());
        assert!(out.is_empty());
        assert_eq!(summary.vdm.bad_fragment, 1);
    }

    #[test]
    fn a_fragment_that_never_completes_expires_by_the_line_clock() {
        let mut input = format!("{}\n", TYPE5[0]);
        for _ in 0..20 {
            input.push_str(TYPE1);
            input.push('\n');
        }
        input.push_str(TYPE5[1]);
        input.push('\n');
        let (out, summary) = decode(input.as_bytes());
        assert_eq!(out.lines().count(), 20);
        assert_eq!(summary.reassembly.expired, 1);
        // The second fragment now waits for a first fragment that will not come again.
        assert_eq!(summary.incomplete_at_end, 1);
    }

    #[test]
    fn a_wrong_length_is_counted_by_type() {
        // TYPE1 less its last character: 162 bits.
        let body = "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208C,0";
        let sum = nmea::checksum_suffix(body);
        let line = format!("{body}{}\n", std::str::from_utf8(&sum).unwrap());
        let (out, summary) = decode(line.as_bytes());
        assert!(out.is_empty());
        assert_eq!(summary.wrong_length[1], 1);
        assert!(
            summary
                .to_string()
                .contains("AIS wrong length for type 1: 1")
        );
    }

    #[test]
    fn the_summary_has_one_line_per_non_zero_counter() {
        let (_, summary) = decode(format!("{TYPE1}\n# c\n").as_bytes());
        assert_eq!(
            summary.to_string(),
            "lines read: 2\nAIS sentences: 1\nmessages decoded: 1\ncomment lines skipped: 1\n"
        );
    }

    #[test]
    fn the_line_end_search_finds_the_first_end_at_any_position() {
        for len in 0..40 {
            for end in [b'\n', b'\r'] {
                for at in 0..len {
                    let mut bytes = vec![b'!'; len];
                    bytes[at] = end;
                    if at + 1 < len {
                        bytes[len - 1] = b'\n';
                    }
                    assert_eq!(find_line_end(&bytes), Some(at), "len {len} at {at}");
                }
                assert_eq!(find_line_end(&vec![0x8a; len]), None, "len {len}");
            }
        }
    }

    #[test]
    fn tag_block_checksums_are_not_mistaken_for_text_after_the_checksum() {
        let line = r"\s:rORBCOMM104,q:u,c:1418172113,T:2014-12-10 00.41.53*55\!AIVDM,1,1,,B,13F?Vv700<DJuLEtvep`iToV0<00,0*78";
        assert_eq!(without_text_after_checksum(line), None);
        assert_eq!(
            without_text_after_checksum(&format!("{line}xyz")),
            Some(line),
            "text after a sentence with a tag block"
        );
        // Receiver fields are the sentence layer's to keep.
        assert_eq!(without_text_after_checksum(&format!("{line},b0036")), None);
    }
}
