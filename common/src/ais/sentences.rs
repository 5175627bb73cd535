//! AIS payloads into `!xxVDM` / `!xxVDO` sentences, as a transponder's receiver sends them.

use super::{AisBits, AisError};
use crate::nmea::{MAX_SENTENCE_LEN, checksum_suffix};
use core::fmt::Write;
use heapless::String;

/// Most armour characters per sentence, so that a sentence stays within IEC 61162-1's 82
/// characters (this is what receivers in the field use).
pub const MAX_FRAGMENT_CHARS: usize = 60;

/// Splits `bits` into as many sentences as needed and calls `emit` with each, in order.
/// `message_id` (0-9) is written only for multi-sentence messages; `channel` is `A` or `B`.
/// Returns the number of sentences.
pub fn encode_sentences(
    bits: &AisBits,
    talker: &str,
    own_ship: bool,
    channel: Option<char>,
    message_id: u8,
    mut emit: impl FnMut(&str),
) -> Result<usize, AisError> {
    let mut armour = String::<{ super::MAX_PAYLOAD_BITS / 6 + 1 }>::new();
    let fill_bits = bits.armour(&mut armour)?;
    let chunks = armour.len().div_ceil(MAX_FRAGMENT_CHARS).max(1);
    if chunks > 9 {
        return Err(AisError::TooLong);
    }
    let formatter = if own_ship { "VDO" } else { "VDM" };
    for i in 0..chunks {
        let start = i * MAX_FRAGMENT_CHARS;
        let end = (start + MAX_FRAGMENT_CHARS).min(armour.len());
        let last = i + 1 == chunks;
        let mut line = String::<{ MAX_SENTENCE_LEN + 2 }>::new();
        let id = if chunks > 1 {
            char::from(b'0' + message_id % 10)
        } else {
            '\0'
        };
        let written = write!(line, "!{talker}{formatter},{chunks},{},", i + 1)
            .and_then(|()| {
                if chunks > 1 {
                    line.write_char(id)
                } else {
                    Ok(())
                }
            })
            .and_then(|()| write!(line, ","))
            .and_then(|()| channel.map_or(Ok(()), |c| line.write_char(c)))
            .and_then(|()| {
                write!(
                    line,
                    ",{},{}",
                    &armour[start..end],
                    if last { fill_bits } else { 0 }
                )
            });
        let suffix = checksum_suffix(&line);
        let written = written.and_then(|()| {
            suffix
                .iter()
                .try_for_each(|&b| line.write_char(char::from(b)))
        });
        if written.is_err() {
            return Err(AisError::TooLong);
        }
        emit(&line);
    }
    Ok(chunks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ais::{AisMessage, PositionReport};
    use crate::nmea::{parse, parse_vdm};

    #[test]
    fn a_real_type_1_re_encodes_to_the_same_sentence() {
        let line = "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A";
        let s = parse(line).unwrap();
        let v = parse_vdm(&s).unwrap();
        let bits = AisBits::from_armour(v.payload, v.fill_bits).unwrap();
        let msg = AisMessage::decode(&bits).unwrap();
        let mut out = std::vec::Vec::new();
        encode_sentences(&msg.encode().unwrap(), "AI", false, Some('A'), 0, |l| {
            out.push(std::string::String::from(l))
        })
        .unwrap();
        assert_eq!(out, [line]);
        assert!(matches!(
            msg,
            AisMessage::Position(PositionReport {
                mmsi: 371798000,
                ..
            })
        ));
    }
}
