//! The NMEA 0183 / IEC 61162-1 sentence layer: framing, checksums, fields, and the AIS
//! encapsulation sentences `VDM`/`VDO`.
//!
//! A sentence is `[\tag block\]` `$` or `!`, an address field (two-character talker and
//! three-character formatter, or `P` and a proprietary code), comma-separated fields, and
//! `*hh`, the XOR of every byte between the start character and `*`.
//!
//! A wrong checksum rejects the sentence. A missing one does not: IEC 61162-1 makes the
//! checksum mandatory for `VDM`/`VDO`, but old talkers and hand-made feeds omit it, and gpsd
//! decodes such lines. [`parse`] flags it ([`Sentence::checksum`] is
//! [`ChecksumStatus::Missing`]) and the caller decides: [`Sentence::require_checksum`] for
//! links where only intact sentences may pass.

/// Longest sentence IEC 61162-1 allows, start character to checksum, line ending excluded.
pub const MAX_SENTENCE_LEN: usize = 82;

/// Why a line is not a usable NMEA sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NmeaError {
    /// Nothing but whitespace.
    Empty,
    /// Does not start with `$`, `!` or a tag block.
    NoStartCharacter,
    /// Contains a byte outside printable ASCII.
    NotPrintableAscii,
    /// No `*hh` checksum where one is required ([`Sentence::require_checksum`]): nothing
    /// tells the sentence is intact.
    MissingChecksum,
    /// `*` is not followed by exactly two hexadecimal digits.
    MalformedChecksum,
    /// The checksum does not match the sentence.
    ChecksumMismatch {
        /// Checksum written in the sentence.
        expected: u8,
        /// Checksum computed over the sentence.
        computed: u8,
    },
    /// A tag block opened with `\` is not closed, or its checksum is wrong.
    BadTagBlock,
    /// The address field is not a talker and formatter.
    BadAddress,
}

impl core::fmt::Display for NmeaError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            NmeaError::Empty => f.write_str("empty line"),
            NmeaError::NoStartCharacter => f.write_str("no '$' or '!' start character"),
            NmeaError::NotPrintableAscii => f.write_str("byte outside printable ASCII"),
            NmeaError::MissingChecksum => f.write_str("missing checksum"),
            NmeaError::MalformedChecksum => f.write_str("malformed checksum"),
            NmeaError::ChecksumMismatch { expected, computed } => write!(
                f,
                "checksum mismatch (sentence says {expected:02X}, computed {computed:02X})"
            ),
            NmeaError::BadTagBlock => f.write_str("malformed tag block"),
            NmeaError::BadAddress => f.write_str("malformed address field"),
        }
    }
}

impl core::error::Error for NmeaError {}

/// The NMEA checksum: XOR of all bytes.
pub fn checksum(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0, |acc, b| acc ^ b)
}

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

/// Whether a sentence carried a checksum. (One that did not match was rejected.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChecksumStatus {
    /// `*hh` was there and matched.
    Verified,
    /// There was no `*hh`: nothing was verified.
    Missing,
}

/// Splits `text*hh[,trailer]` and verifies hh against the XOR of `text`; returns the body and
/// the trailer (after its comma), if any. `*` is reserved in NMEA, so the first one starts
/// the checksum. Without a `*`, the whole text is the body, flagged [`ChecksumStatus::Missing`].
fn split_checked(text: &str) -> Result<(&str, Option<&str>, ChecksumStatus), NmeaError> {
    let Some(star) = text.find('*') else {
        return Ok((text, None, ChecksumStatus::Missing));
    };
    let (body, tail) = text.split_at(star);
    let (digits, trailer) = match tail.as_bytes() {
        [b'*', h, l] => ([*h, *l], None),
        // Some receivers (the US Coast Guard's network among them) append their own
        // comma-separated metadata after the checksum: kept, not checked.
        [b'*', h, l, b',', ..] => ([*h, *l], Some(&tail[4..])),
        _ => return Err(NmeaError::MalformedChecksum),
    };
    let expected = match (hex_digit(digits[0]), hex_digit(digits[1])) {
        (Some(h), Some(l)) => h << 4 | l,
        _ => return Err(NmeaError::MalformedChecksum),
    };
    let computed = checksum(body.as_bytes());
    if expected != computed {
        return Err(NmeaError::ChecksumMismatch { expected, computed });
    }
    Ok((body, trailer, ChecksumStatus::Verified))
}

/// One sentence whose checksum matched or was missing, borrowed from the line it was parsed
/// from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sentence<'a> {
    /// The NMEA 4.10 tag block's content (between the `\`s, checksum removed), if any.
    pub tag_block: Option<&'a str>,
    /// `$` (parametric) or `!` (encapsulation, as AIS).
    pub start: u8,
    /// The address field, e.g. `AIVDM`, `RATTM`, `PGHP`.
    pub address: &'a str,
    /// Everything after the address field's comma up to `*`.
    pub fields: &'a str,
    /// Receiver metadata after the checksum (`*hh,s…,d…,T…` on US Coast Guard feeds), if any.
    pub trailer: Option<&'a str>,
    /// Whether the checksum was there (and matched) or missing.
    pub checksum: ChecksumStatus,
}

impl<'a> Sentence<'a> {
    /// The sentence if its checksum was verified; [`NmeaError::MissingChecksum`] if it had
    /// none.
    pub fn require_checksum(self) -> Result<Sentence<'a>, NmeaError> {
        match self.checksum {
            ChecksumStatus::Verified => Ok(self),
            ChecksumStatus::Missing => Err(NmeaError::MissingChecksum),
        }
    }

    /// The talker: the first two characters of the address (`AI`, `AB`, `RA`, ...), or `P`
    /// for proprietary sentences.
    pub fn talker(&self) -> &'a str {
        if self.address.starts_with('P') {
            &self.address[..1]
        } else {
            &self.address[..2]
        }
    }

    /// The sentence formatter (`VDM`, `TTM`, ...), or the proprietary code after `P`.
    pub fn formatter(&self) -> &'a str {
        &self.address[self.talker().len()..]
    }

    /// The comma-separated data fields.
    pub fn field_iter(&self) -> core::str::Split<'a, char> {
        self.fields.split(',')
    }

    /// The tag block's fields, if the sentence has a tag block.
    pub fn tags(&self) -> Option<TagBlock<'a>> {
        self.tag_block.map(TagBlock::parse)
    }
}

/// A sentence group from a tag block's `g:` field: sentence `number` of `total` in group `id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TagGroup {
    /// This sentence's number in the group, 1-based.
    pub number: u8,
    /// Sentences in the group.
    pub total: u8,
    /// Group id, shared by the group's sentences.
    pub id: u32,
}

/// The fields of an NMEA 4.10 tag block (`\s:source,c:time,g:1-2-42*hh\`). Fields that do not
/// parse are `None`; the raw text stays in [`TagBlock::raw`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TagBlock<'a> {
    /// The tag block's content, checksum removed.
    pub raw: &'a str,
    /// `s:`: source (station or receiver) identifier.
    pub source: Option<&'a str>,
    /// `c:`: UNIX time of reception, seconds (some receivers send milliseconds; see
    /// [`TagBlock::time_ms`]).
    pub time: Option<u64>,
    /// `d:`: destination identifier.
    pub destination: Option<&'a str>,
    /// `g:`: sentence grouping.
    pub group: Option<TagGroup>,
    /// `n:`: line count.
    pub line_count: Option<u32>,
    /// `r:`: relative time.
    pub relative_time: Option<u64>,
    /// `t:`: free text.
    pub text: Option<&'a str>,
}

impl<'a> TagBlock<'a> {
    /// Reads the fields of a tag block's content (without the `\`s and checksum).
    pub fn parse(raw: &'a str) -> TagBlock<'a> {
        let mut tags = TagBlock {
            raw,
            source: None,
            time: None,
            destination: None,
            group: None,
            line_count: None,
            relative_time: None,
            text: None,
        };
        for field in raw.split(',') {
            let Some((key, value)) = field.split_once(':') else {
                continue;
            };
            match key {
                "s" => tags.source = Some(value),
                "c" => tags.time = value.parse().ok(),
                "d" => tags.destination = Some(value),
                "g" => tags.group = parse_group(value),
                "n" => tags.line_count = value.parse().ok(),
                "r" => tags.relative_time = value.parse().ok(),
                "t" => tags.text = Some(value),
                _ => {}
            }
        }
        tags
    }

    /// `c:` as milliseconds since the Unix epoch: values past the year 5000 in seconds are
    /// taken as milliseconds already (receivers differ).
    pub fn time_ms(&self) -> Option<u64> {
        const SECONDS_LIMIT: u64 = 100_000_000_000;
        self.time.map(|t| {
            if t >= SECONDS_LIMIT {
                t
            } else {
                t.saturating_mul(1000)
            }
        })
    }
}

fn parse_group(value: &str) -> Option<TagGroup> {
    let mut parts = value.split('-');
    let number = parts.next()?.parse().ok()?;
    let total = parts.next()?.parse().ok()?;
    let id = parts.next()?.parse().ok()?;
    if parts.next().is_some() || number == 0 || number > total {
        return None;
    }
    Some(TagGroup { number, total, id })
}

/// Parses one line (with or without its `\r\n`) and verifies its checksums (a missing one is
/// flagged in [`Sentence::checksum`], not an error).
pub fn parse(line: &str) -> Result<Sentence<'_>, NmeaError> {
    let line = line.trim_end_matches(['\r', '\n']);
    if line.trim().is_empty() {
        return Err(NmeaError::Empty);
    }
    if !line.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Err(NmeaError::NotPrintableAscii);
    }
    let (tag_block, rest) = match line.strip_prefix('\\') {
        Some(after) => {
            let end = after.find('\\').ok_or(NmeaError::BadTagBlock)?;
            let tag = &after[..end];
            // A tag block's own checksum covers its content; a tag block without one is kept.
            let tag = if tag.contains('*') {
                match split_checked(tag) {
                    Ok((content, None, ChecksumStatus::Verified)) => content,
                    _ => return Err(NmeaError::BadTagBlock),
                }
            } else {
                tag
            };
            (Some(tag), &after[end + 1..])
        }
        None => (None, line),
    };
    let start = match rest.as_bytes().first() {
        Some(&c @ (b'$' | b'!')) => c,
        _ => return Err(NmeaError::NoStartCharacter),
    };
    let (body, trailer, checksum) = split_checked(&rest[1..])?;
    let (address, fields) = body.split_once(',').unwrap_or((body, ""));
    let valid_address = address.bytes().all(|b| b.is_ascii_alphanumeric())
        && if address.starts_with('P') {
            address.len() >= 2
        } else {
            address.len() == 5
        };
    if !valid_address {
        return Err(NmeaError::BadAddress);
    }
    Ok(Sentence {
        tag_block,
        start,
        address,
        fields,
        trailer,
        checksum,
    })
}

/// Why a checksum-valid sentence is not a usable `VDM`/`VDO`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VdmError {
    /// Not a `VDM` or `VDO` sentence.
    NotVdm,
    /// Fewer or more than the six data fields.
    FieldCount,
    /// Fragment count or number missing, zero, over 9, or number > count.
    BadFragment,
    /// Sequential message id not a digit 0-9.
    BadMessageId,
    /// Fill bits not 0-5.
    BadFillBits,
    /// A payload character outside the six-bit armour alphabet.
    BadPayload,
}

impl core::fmt::Display for VdmError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            VdmError::NotVdm => "not a VDM/VDO sentence",
            VdmError::FieldCount => "wrong number of VDM fields",
            VdmError::BadFragment => "bad fragment count or number",
            VdmError::BadMessageId => "bad sequential message id",
            VdmError::BadFillBits => "bad fill-bit count",
            VdmError::BadPayload => "payload character outside six-bit armour",
        })
    }
}

impl core::error::Error for VdmError {}

/// One fragment of an AIS message: the fields of a `!xxVDM` / `!xxVDO` sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vdm<'a> {
    /// Two-character talker (`AI`, `AB`, `BS`, ...).
    pub talker: &'a str,
    /// `VDO`: the receiver's own ship, not a received message.
    pub own_ship: bool,
    /// Number of sentences the message spans, 1-9.
    pub fragment_count: u8,
    /// This sentence's number, 1-based.
    pub fragment_number: u8,
    /// Sequential message id (0-9) linking the fragments of a multi-sentence message.
    pub message_id: Option<u8>,
    /// Radio channel (`A`/`B`, or `1`/`2`), when given.
    pub channel: Option<u8>,
    /// Six-bit armoured payload.
    pub payload: &'a str,
    /// Bits of the last payload character that are padding, 0-5.
    pub fill_bits: u8,
    /// The tag block's sentence group (`g:`), which links the fragments of a message on feeds
    /// that tag them (it tells apart messages that reuse a sequential message id).
    pub group: Option<TagGroup>,
}

/// Reads the `VDM`/`VDO` fields of a verified sentence.
pub fn parse_vdm<'a>(sentence: &Sentence<'a>) -> Result<Vdm<'a>, VdmError> {
    let own_ship = match sentence.formatter() {
        "VDM" => false,
        "VDO" => true,
        _ => return Err(VdmError::NotVdm),
    };
    if sentence.talker() == "P" {
        return Err(VdmError::NotVdm);
    }
    let mut fields = sentence.field_iter();
    let mut next = || fields.next().ok_or(VdmError::FieldCount);
    let count = parse_digit(next()?).ok_or(VdmError::BadFragment)?;
    let number = parse_digit(next()?).ok_or(VdmError::BadFragment)?;
    if count == 0 || number == 0 || number > count {
        return Err(VdmError::BadFragment);
    }
    let message_id = match next()? {
        "" => None,
        id => Some(parse_digit(id).ok_or(VdmError::BadMessageId)?),
    };
    let channel = match next()?.as_bytes() {
        [] => None,
        [c] => Some(*c),
        _ => return Err(VdmError::FieldCount),
    };
    let payload = next()?;
    if !payload
        .bytes()
        .all(|c| crate::ais::sixbit_value(c).is_some())
    {
        return Err(VdmError::BadPayload);
    }
    let fill_bits = match next()? {
        "" => 0,
        f => parse_digit(f)
            .filter(|&f| f <= 5)
            .ok_or(VdmError::BadFillBits)?,
    };
    if fields.next().is_some() {
        return Err(VdmError::FieldCount);
    }
    Ok(Vdm {
        talker: sentence.talker(),
        own_ship,
        fragment_count: count,
        fragment_number: number,
        message_id,
        channel,
        payload,
        fill_bits,
        group: sentence.tags().and_then(|t| t.group),
    })
}

fn parse_digit(s: &str) -> Option<u8> {
    match s.as_bytes() {
        [d @ b'0'..=b'9'] => Some(d - b'0'),
        _ => None,
    }
}

/// Writes `*hh` for the sentence in `line` (which starts with `$` or `!`) into `out`, after
/// `line`. Used by encoders.
pub fn checksum_suffix(line: &str) -> [u8; 3] {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let sum = checksum(line.as_bytes().get(1..).unwrap_or_default());
    [
        b'*',
        HEX[usize::from(sum >> 4)],
        HEX[usize::from(sum & 0xf)],
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_vdm_sentence_parses() {
        // gpsd test/sample.aivdm, first sentence.
        let s = parse("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A\r\n").unwrap();
        assert_eq!(s.talker(), "AI");
        assert_eq!(s.formatter(), "VDM");
        let vdm = parse_vdm(&s).unwrap();
        assert_eq!(vdm.fragment_count, 1);
        assert_eq!(vdm.channel, Some(b'A'));
        assert_eq!(vdm.payload, "15RTgt0PAso;90TKcjM8h6g208CQ");
        assert!(!vdm.own_ship);
    }

    #[test]
    fn a_wrong_checksum_is_rejected_with_both_values() {
        assert_eq!(
            parse("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4B"),
            Err(NmeaError::ChecksumMismatch {
                expected: 0x4B,
                computed: 0x4A
            })
        );
    }

    #[test]
    fn a_missing_checksum_is_flagged_and_the_sentence_parsed() {
        let s = parse("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0\r\n").unwrap();
        assert_eq!(s.checksum, ChecksumStatus::Missing);
        assert_eq!(s.address, "AIVDM");
        assert_eq!(s.fields, "1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0");
        assert_eq!(s.require_checksum(), Err(NmeaError::MissingChecksum));
        let checked = parse("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A").unwrap();
        assert_eq!(checked.checksum, ChecksumStatus::Verified);
        assert_eq!(checked.require_checksum(), Ok(checked));
    }

    #[test]
    fn a_tag_block_is_kept_as_metadata() {
        // libais test/data/tagblock.nmea (ORBCOMM).
        let line = "\\s:rORBCOMM104,q:u,c:1418172113,T:2014-12-10 00.41.53*55\\\
                    !AIVDM,1,1,,B,13F?Vv700<DJuLEtvep`iToV0<00,0*78";
        let s = parse(line).unwrap();
        assert_eq!(
            s.tag_block,
            Some("s:rORBCOMM104,q:u,c:1418172113,T:2014-12-10 00.41.53")
        );
        assert_eq!(s.formatter(), "VDM");
        let corrupted = line.replace("q:u", "q:v");
        assert_eq!(parse(&corrupted), Err(NmeaError::BadTagBlock));
    }

    #[test]
    fn receiver_metadata_after_the_checksum_is_kept_not_rejected() {
        // libais test/data/test.aivdm (USCG feed).
        let s =
            parse("!AIVDM,1,1,,A,15B4FT5000JRP>PE6E68Nbkl0PS5,0*70,b003669794,1272412827").unwrap();
        assert_eq!(s.trailer, Some("b003669794,1272412827"));
        assert_eq!(
            parse_vdm(&s).unwrap().payload,
            "15B4FT5000JRP>PE6E68Nbkl0PS5"
        );
        assert_eq!(
            parse("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4Ab"),
            Err(NmeaError::MalformedChecksum)
        );
    }

    #[test]
    fn tag_block_fields_are_read() {
        // libais test/data/tagblock.nmea (ORBCOMM).
        let s = parse(
            "\\g:1-2-1604,s:rORBCOMM008,c:1418169601,T:2014-12-10 00.00.01*37\\\
             !AIVDM,2,1,6,A,53@o0E000001Q0CG37U8u<Tp4q@D00000000000018330400000000000000,0*63",
        )
        .unwrap();
        let tags = s.tags().unwrap();
        assert_eq!(tags.source, Some("rORBCOMM008"));
        assert_eq!(tags.time_ms(), Some(1_418_169_601_000));
        let group = TagGroup {
            number: 1,
            total: 2,
            id: 1604,
        };
        assert_eq!(tags.group, Some(group));
        assert_eq!(parse_vdm(&s).unwrap().group, Some(group));
    }

    #[test]
    fn malformed_tag_fields_are_none_not_errors() {
        let tags = TagBlock::parse("g:3-2-1,c:soon,n:x,s:");
        assert_eq!(tags.group, None);
        assert_eq!(tags.time, None);
        assert_eq!(tags.line_count, None);
        assert_eq!(tags.source, Some(""));
    }

    #[test]
    fn a_gatehouse_wrapper_is_a_proprietary_sentence_not_ais() {
        // pyais examples/gatehouse.nmea.
        let s = parse("$PGHP,1,2008,5,9,0,0,0,10,338,2,,1,09*17").unwrap();
        assert_eq!(s.talker(), "P");
        assert_eq!(s.formatter(), "GHP");
        assert_eq!(parse_vdm(&s), Err(VdmError::NotVdm));
    }

    #[test]
    fn a_zero_fragment_count_is_rejected() {
        // pyais tests: `!AAVDM,0,1,...`
        let body = "!AAVDM,0,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0";
        let line = std::format!(
            "{body}{}",
            core::str::from_utf8(&checksum_suffix(body)).unwrap()
        );
        assert_eq!(
            parse_vdm(&parse(&line).unwrap()),
            Err(VdmError::BadFragment)
        );
    }

    #[test]
    fn the_checksum_suffix_matches_what_parse_verifies() {
        let body = "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0";
        assert_eq!(&checksum_suffix(body), b"*4A");
    }

    #[test]
    fn garbage_is_rejected_without_panicking() {
        for line in [
            "",
            "\u{0}\u{1}",
            "$",
            "!*",
            "!AIVDM*00",
            "\\abc",
            "$GPGGA,*zz",
            "!A,*41",
        ] {
            assert!(parse(line).is_err(), "{line:?}");
        }
    }
}
