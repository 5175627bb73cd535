//! Encoding then decoding any valid AIS message of any type 1-27 gives the message back:
//! straight from bits, and through `!AIVDM` sentences, the NMEA parser and the reassembler
//! (multi-sentence messages included).

use borderfuse_common::ais::binary::BinaryData;
use borderfuse_common::ais::{
    Acknowledge, AddressedBinary, AddressedSafety, AidToNavigationReport, AisMessage,
    ApplicationId, AssignedModeCommand, BaseStationReport, BinaryBroadcast, BitWriter,
    ChannelManagement, ChannelManagementTarget, ClassBExtendedReport, ClassBPositionReport,
    DataLinkManagement, DgnssBroadcast, GroupAssignment, Interrogation, LongRangeReport,
    MultiSlotBinary, PositionReport, Reassembler, SafetyBroadcast, SarAircraftReport,
    SingleSlotBinary, SlotReservation, StaticDataPart, StaticDataReport, StaticVoyage,
    Type24Reference, UtcInquiry, encode_sentences,
};
use borderfuse_common::nmea::{parse, parse_vdm};
use heapless::String;
use proptest::prelude::*;

/// Unsigned values of `width` bits.
fn bits(width: u32) -> impl Strategy<Value = u32> {
    0..=((1u64 << width) - 1) as u32
}

/// Two's-complement values of `width` bits.
fn signed(width: u32) -> impl Strategy<Value = i32> {
    -(1i32 << (width - 1))..=((1i32 << (width - 1)) - 1)
}

fn u8_bits(width: u32) -> impl Strategy<Value = u8> {
    bits(width).prop_map(|v| v as u8)
}

fn u16_bits(width: u32) -> impl Strategy<Value = u16> {
    bits(width).prop_map(|v| v as u16)
}

/// The six-bit text characters that survive a round trip: the table less `@` (which ends a
/// text), upper case.
const TEXT_CHARS: &str = " !\"#$%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_";

/// A text of up to `max` characters without trailing spaces (which decoding trims).
fn text<const N: usize>(max: usize) -> impl Strategy<Value = String<N>> {
    proptest::collection::vec(proptest::sample::select(TEXT_CHARS.as_bytes()), 0..=max).prop_map(
        |chars| {
            let mut s = String::new();
            for c in chars {
                let _ = s.push(char::from(c));
            }
            while s.ends_with(' ') {
                s.pop();
            }
            s
        },
    )
}

/// Up to `max` bits of binary data.
fn data(max: usize) -> impl Strategy<Value = BinaryData> {
    proptest::collection::vec(any::<bool>(), 0..=max).prop_map(|v| {
        let mut w = BitWriter::new();
        for b in v {
            w.flag(b);
        }
        BinaryData::from_bits(&w.finish().unwrap(), 0)
    })
}

fn repeat_mmsi() -> impl Strategy<Value = (u8, u32)> {
    (u8_bits(2), bits(30))
}

fn position() -> impl Strategy<Value = AisMessage> {
    (
        (1u8..=3, repeat_mmsi(), u8_bits(4), signed(8), u16_bits(10)),
        (
            any::<bool>(),
            signed(28),
            signed(27),
            u16_bits(12),
            u16_bits(9),
        ),
        (u8_bits(6), u8_bits(2), any::<bool>(), bits(19)),
    )
        .prop_map(
            |(
                (msg_type, (repeat, mmsi), status, turn, speed),
                (accuracy, lon, lat, course, heading),
                (second, maneuver, raim, radio),
            )| {
                AisMessage::Position(PositionReport {
                    msg_type,
                    repeat,
                    mmsi,
                    status,
                    turn: turn as i8,
                    speed,
                    accuracy,
                    lon,
                    lat,
                    course,
                    heading,
                    second,
                    maneuver,
                    raim,
                    radio,
                })
            },
        )
}

fn base_station() -> impl Strategy<Value = AisMessage> {
    (
        (
            prop_oneof![Just(4u8), Just(11u8)],
            repeat_mmsi(),
            u16_bits(14),
        ),
        (u8_bits(4), u8_bits(5), u8_bits(5), u8_bits(6), u8_bits(6)),
        (any::<bool>(), signed(28), signed(27), u8_bits(4)),
        (any::<bool>(), bits(19)),
    )
        .prop_map(
            |(
                (msg_type, (repeat, mmsi), year),
                (month, day, hour, minute, second),
                (accuracy, lon, lat, epfd),
                (raim, radio),
            )| {
                AisMessage::BaseStation(BaseStationReport {
                    msg_type,
                    repeat,
                    mmsi,
                    year,
                    month,
                    day,
                    hour,
                    minute,
                    second,
                    accuracy,
                    lon,
                    lat,
                    epfd,
                    raim,
                    radio,
                })
            },
        )
}

fn static_voyage() -> impl Strategy<Value = AisMessage> {
    (
        (repeat_mmsi(), u8_bits(2), bits(30), text(7), text(20)),
        (u8_bits(8), u16_bits(9), u16_bits(9), u8_bits(6), u8_bits(6)),
        (u8_bits(4), u8_bits(4), u8_bits(5), u8_bits(5), u8_bits(6)),
        (u8_bits(8), text(20), any::<bool>()),
    )
        .prop_map(
            |(
                ((repeat, mmsi), ais_version, imo, callsign, shipname),
                (shiptype, to_bow, to_stern, to_port, to_starboard),
                (epfd, month, day, hour, minute),
                (draught, destination, dte),
            )| {
                AisMessage::StaticVoyage(StaticVoyage {
                    repeat,
                    mmsi,
                    ais_version,
                    imo,
                    callsign,
                    shipname,
                    shiptype,
                    to_bow,
                    to_stern,
                    to_port,
                    to_starboard,
                    epfd,
                    month,
                    day,
                    hour,
                    minute,
                    draught,
                    destination,
                    dte,
                })
            },
        )
}

fn addressed_binary() -> impl Strategy<Value = AisMessage> {
    (
        repeat_mmsi(),
        u8_bits(2),
        bits(30),
        any::<bool>(),
        u16_bits(10),
        u8_bits(6),
        data(1008 - 88),
    )
        .prop_map(
            |((repeat, mmsi), seqno, dest_mmsi, retransmit, dac, fid, data)| {
                AisMessage::AddressedBinary(AddressedBinary {
                    repeat,
                    mmsi,
                    seqno,
                    dest_mmsi,
                    retransmit,
                    dac,
                    fid,
                    data,
                })
            },
        )
}

fn acknowledge() -> impl Strategy<Value = AisMessage> {
    (
        prop_oneof![Just(7u8), Just(13u8)],
        repeat_mmsi(),
        proptest::array::uniform4((bits(30), u8_bits(2))),
    )
        .prop_map(|(msg_type, (repeat, mmsi), acks)| {
            AisMessage::Acknowledge(Acknowledge {
                msg_type,
                repeat,
                mmsi,
                mmsi1: acks[0].0,
                seqno1: acks[0].1,
                mmsi2: acks[1].0,
                seqno2: acks[1].1,
                mmsi3: acks[2].0,
                seqno3: acks[2].1,
                mmsi4: acks[3].0,
                seqno4: acks[3].1,
            })
        })
}

/// Up to four acknowledgements, the later ones often absent.
fn acknowledge_short() -> impl Strategy<Value = AisMessage> {
    (acknowledge(), 1usize..=4).prop_map(|(m, n)| match m {
        AisMessage::Acknowledge(mut a) => {
            if n < 4 {
                (a.mmsi4, a.seqno4) = (0, 0);
            }
            if n < 3 {
                (a.mmsi3, a.seqno3) = (0, 0);
            }
            if n < 2 {
                (a.mmsi2, a.seqno2) = (0, 0);
            }
            AisMessage::Acknowledge(a)
        }
        other => other,
    })
}

fn binary_broadcast() -> impl Strategy<Value = AisMessage> {
    (repeat_mmsi(), u16_bits(10), u8_bits(6), data(1008 - 56)).prop_map(
        |((repeat, mmsi), dac, fid, data)| {
            AisMessage::BinaryBroadcast(BinaryBroadcast {
                repeat,
                mmsi,
                dac,
                fid,
                data,
            })
        },
    )
}

fn sar_aircraft() -> impl Strategy<Value = AisMessage> {
    (
        (repeat_mmsi(), u16_bits(12), u16_bits(10), any::<bool>()),
        (signed(28), signed(27), u16_bits(12), u8_bits(6), u8_bits(8)),
        (any::<bool>(), any::<bool>(), any::<bool>(), bits(20)),
    )
        .prop_map(
            |(
                ((repeat, mmsi), alt, speed, accuracy),
                (lon, lat, course, second, regional),
                (dte, assigned, raim, radio),
            )| {
                AisMessage::SarAircraft(SarAircraftReport {
                    repeat,
                    mmsi,
                    alt,
                    speed,
                    accuracy,
                    lon,
                    lat,
                    course,
                    second,
                    regional,
                    dte,
                    assigned,
                    raim,
                    radio,
                })
            },
        )
}

fn utc_inquiry() -> impl Strategy<Value = AisMessage> {
    (repeat_mmsi(), bits(30)).prop_map(|((repeat, mmsi), dest_mmsi)| {
        AisMessage::UtcInquiry(UtcInquiry {
            repeat,
            mmsi,
            dest_mmsi,
        })
    })
}

fn addressed_safety() -> impl Strategy<Value = AisMessage> {
    (
        repeat_mmsi(),
        u8_bits(2),
        bits(30),
        any::<bool>(),
        text(156),
    )
        .prop_map(|((repeat, mmsi), seqno, dest_mmsi, retransmit, text)| {
            AisMessage::AddressedSafety(AddressedSafety {
                repeat,
                mmsi,
                seqno,
                dest_mmsi,
                retransmit,
                text,
            })
        })
}

fn safety_broadcast() -> impl Strategy<Value = AisMessage> {
    (repeat_mmsi(), text(161)).prop_map(|((repeat, mmsi), text)| {
        AisMessage::SafetyBroadcast(SafetyBroadcast { repeat, mmsi, text })
    })
}

fn interrogation() -> impl Strategy<Value = AisMessage> {
    (
        repeat_mmsi(),
        (bits(30), u8_bits(6), u16_bits(12)),
        prop_oneof![Just((0, 0)), (u8_bits(6), u16_bits(12))],
        prop_oneof![Just((0, 0, 0)), (bits(30), u8_bits(6), u16_bits(12))],
    )
        .prop_map(
            |(
                (repeat, mmsi),
                (mmsi1, type1_1, offset1_1),
                (type1_2, offset1_2),
                (mmsi2, type2_1, offset2_1),
            )| {
                AisMessage::Interrogation(Interrogation {
                    repeat,
                    mmsi,
                    mmsi1,
                    type1_1,
                    offset1_1,
                    type1_2,
                    offset1_2,
                    mmsi2,
                    type2_1,
                    offset2_1,
                })
            },
        )
}

fn assigned_mode() -> impl Strategy<Value = AisMessage> {
    (
        repeat_mmsi(),
        (bits(30), u16_bits(12), u16_bits(10)),
        prop_oneof![Just((0, 0, 0)), (bits(30), u16_bits(12), u16_bits(10))],
    )
        .prop_map(
            |((repeat, mmsi), (mmsi1, offset1, increment1), (mmsi2, offset2, increment2))| {
                AisMessage::AssignedMode(AssignedModeCommand {
                    repeat,
                    mmsi,
                    mmsi1,
                    offset1,
                    increment1,
                    mmsi2,
                    offset2,
                    increment2,
                })
            },
        )
}

fn dgnss() -> impl Strategy<Value = AisMessage> {
    (repeat_mmsi(), signed(18), signed(17), data(736)).prop_map(
        |((repeat, mmsi), lon, lat, data)| {
            AisMessage::DgnssBroadcast(DgnssBroadcast {
                repeat,
                mmsi,
                lon,
                lat,
                data,
            })
        },
    )
}

fn class_b() -> impl Strategy<Value = AisMessage> {
    (
        (repeat_mmsi(), u8_bits(8), u16_bits(10), any::<bool>()),
        (
            signed(28),
            signed(27),
            u16_bits(12),
            u16_bits(9),
            u8_bits(6),
        ),
        (
            u8_bits(2),
            proptest::array::uniform7(any::<bool>()),
            bits(20),
        ),
    )
        .prop_map(
            |(
                ((repeat, mmsi), reserved, speed, accuracy),
                (lon, lat, course, heading, second),
                (regional, [cs, display, dsc, band, msg22, assigned, raim], radio),
            )| {
                AisMessage::ClassBPosition(ClassBPositionReport {
                    repeat,
                    mmsi,
                    reserved,
                    speed,
                    accuracy,
                    lon,
                    lat,
                    course,
                    heading,
                    second,
                    regional,
                    cs,
                    display,
                    dsc,
                    band,
                    msg22,
                    assigned,
                    raim,
                    radio,
                })
            },
        )
}

fn class_b_extended() -> impl Strategy<Value = AisMessage> {
    (
        (repeat_mmsi(), u8_bits(8), u16_bits(10), any::<bool>()),
        (
            signed(28),
            signed(27),
            u16_bits(12),
            u16_bits(9),
            u8_bits(6),
        ),
        (u8_bits(4), text(20), u8_bits(8)),
        (u16_bits(9), u16_bits(9), u8_bits(6), u8_bits(6), u8_bits(4)),
        proptest::array::uniform3(any::<bool>()),
    )
        .prop_map(
            |(
                ((repeat, mmsi), reserved, speed, accuracy),
                (lon, lat, course, heading, second),
                (regional, shipname, shiptype),
                (to_bow, to_stern, to_port, to_starboard, epfd),
                [raim, dte, assigned],
            )| {
                AisMessage::ClassBExtended(ClassBExtendedReport {
                    repeat,
                    mmsi,
                    reserved,
                    speed,
                    accuracy,
                    lon,
                    lat,
                    course,
                    heading,
                    second,
                    regional,
                    shipname,
                    shiptype,
                    to_bow,
                    to_stern,
                    to_port,
                    to_starboard,
                    epfd,
                    raim,
                    dte,
                    assigned,
                })
            },
        )
}

fn data_link() -> impl Strategy<Value = AisMessage> {
    let reservation = prop_oneof![
        Just(SlotReservation::default()),
        (u16_bits(12), u8_bits(4), u8_bits(3), u16_bits(11)).prop_map(
            |(offset, number, timeout, increment)| SlotReservation {
                offset,
                number,
                timeout,
                increment,
            }
        ),
    ];
    (repeat_mmsi(), proptest::array::uniform4(reservation)).prop_map(
        |((repeat, mmsi), reservations)| {
            AisMessage::DataLinkManagement(DataLinkManagement {
                repeat,
                mmsi,
                reservations,
            })
        },
    )
}

fn aid_to_navigation() -> impl Strategy<Value = AisMessage> {
    (
        (repeat_mmsi(), u8_bits(5), text(36), any::<bool>()),
        (signed(28), signed(27), u16_bits(9), u16_bits(9), u8_bits(6)),
        (u8_bits(6), u8_bits(4), u8_bits(6), u8_bits(8)),
        proptest::array::uniform4(any::<bool>()),
    )
        .prop_map(
            |(
                ((repeat, mmsi), aid_type, name, accuracy),
                (lon, lat, to_bow, to_stern, to_port),
                (to_starboard, epfd, second, regional),
                [off_position, raim, virtual_aid, assigned],
            )| {
                AisMessage::AidToNavigation(AidToNavigationReport {
                    repeat,
                    mmsi,
                    aid_type,
                    name,
                    accuracy,
                    lon,
                    lat,
                    to_bow,
                    to_stern,
                    to_port,
                    to_starboard,
                    epfd,
                    second,
                    off_position,
                    regional,
                    raim,
                    virtual_aid,
                    assigned,
                })
            },
        )
}

fn channel_management() -> impl Strategy<Value = AisMessage> {
    let target = prop_oneof![
        (signed(18), signed(17), signed(18), signed(17)).prop_map(
            |(ne_lon, ne_lat, sw_lon, sw_lat)| ChannelManagementTarget::Area {
                ne_lon,
                ne_lat,
                sw_lon,
                sw_lat,
            }
        ),
        (bits(30), bits(30))
            .prop_map(|(dest1, dest2)| ChannelManagementTarget::Addressed { dest1, dest2 }),
    ];
    (
        (repeat_mmsi(), u16_bits(12), u16_bits(12), u8_bits(4)),
        (
            any::<bool>(),
            target,
            any::<bool>(),
            any::<bool>(),
            u8_bits(3),
        ),
    )
        .prop_map(
            |(
                ((repeat, mmsi), channel_a, channel_b, txrx),
                (power, target, band_a, band_b, zonesize),
            )| {
                AisMessage::ChannelManagement(ChannelManagement {
                    repeat,
                    mmsi,
                    channel_a,
                    channel_b,
                    txrx,
                    power,
                    target,
                    band_a,
                    band_b,
                    zonesize,
                })
            },
        )
}

fn group_assignment() -> impl Strategy<Value = AisMessage> {
    (
        (
            repeat_mmsi(),
            signed(18),
            signed(17),
            signed(18),
            signed(17),
        ),
        (u8_bits(4), u8_bits(8), u8_bits(2), u8_bits(4), u8_bits(4)),
    )
        .prop_map(
            |(
                ((repeat, mmsi), ne_lon, ne_lat, sw_lon, sw_lat),
                (stationtype, shiptype, txrx, interval, quiet),
            )| {
                AisMessage::GroupAssignment(GroupAssignment {
                    repeat,
                    mmsi,
                    ne_lon,
                    ne_lat,
                    sw_lon,
                    sw_lat,
                    stationtype,
                    shiptype,
                    txrx,
                    interval,
                    quiet,
                })
            },
        )
}

/// A vendor id: up to 3 table characters, trailing spaces kept (the field is not trimmed).
fn vendorid() -> impl Strategy<Value = String<3>> {
    proptest::collection::vec(proptest::sample::select(TEXT_CHARS.as_bytes()), 0..=3).prop_map(
        |chars| {
            let mut s = String::new();
            for c in chars {
                let _ = s.push(char::from(c));
            }
            s
        },
    )
}

fn static_data() -> impl Strategy<Value = AisMessage> {
    let mmsi = prop_oneof![bits(30), 980_000_000u32..=989_999_999];
    let part_b = (
        (u8_bits(8), vendorid(), u8_bits(4), bits(20), text(7)),
        (u16_bits(9), u16_bits(9), u8_bits(6), u8_bits(6), bits(30)),
    );
    (u8_bits(2), mmsi, any::<bool>(), text(20), part_b).prop_map(
        |(repeat, mmsi, is_a, shipname, part_b)| {
            let part = if is_a {
                StaticDataPart::A { shipname }
            } else {
                let (
                    (shiptype, vendorid, model, serial, callsign),
                    (to_bow, to_stern, to_port, to_starboard, mothership),
                ) = part_b;
                let reference = if StaticDataReport::is_auxiliary(mmsi) {
                    Type24Reference::Mothership(mothership)
                } else {
                    Type24Reference::Dimensions {
                        to_bow,
                        to_stern,
                        to_port,
                        to_starboard,
                    }
                };
                StaticDataPart::B {
                    shiptype,
                    vendorid,
                    model,
                    serial,
                    callsign,
                    reference,
                }
            };
            AisMessage::StaticData(StaticDataReport { repeat, mmsi, part })
        },
    )
}

fn flagged_header() -> impl Strategy<Value = (Option<u32>, Option<ApplicationId>)> {
    (
        proptest::option::of(bits(30)),
        proptest::option::of(
            (u16_bits(10), u8_bits(6)).prop_map(|(dac, fid)| ApplicationId { dac, fid }),
        ),
    )
}

fn header_bits(dest: Option<u32>, app: Option<ApplicationId>) -> usize {
    40 + if dest.is_some() { 30 } else { 0 } + if app.is_some() { 16 } else { 0 }
}

fn single_slot() -> impl Strategy<Value = AisMessage> {
    (repeat_mmsi(), flagged_header())
        .prop_flat_map(|(rm, (dest, app))| {
            (
                Just(rm),
                Just(dest),
                Just(app),
                data(168 - header_bits(dest, app)),
            )
        })
        .prop_map(|((repeat, mmsi), dest_mmsi, app_id, data)| {
            AisMessage::SingleSlotBinary(SingleSlotBinary {
                repeat,
                mmsi,
                dest_mmsi,
                app_id,
                data,
            })
        })
}

fn multi_slot() -> impl Strategy<Value = AisMessage> {
    (repeat_mmsi(), flagged_header(), bits(20))
        .prop_flat_map(|(rm, (dest, app), radio)| {
            (
                Just(rm),
                Just(dest),
                Just(app),
                data(1004 - 20 - header_bits(dest, app)),
                Just(radio),
            )
        })
        .prop_map(|((repeat, mmsi), dest_mmsi, app_id, data, radio)| {
            AisMessage::MultiSlotBinary(MultiSlotBinary {
                repeat,
                mmsi,
                dest_mmsi,
                app_id,
                data,
                radio,
            })
        })
}

fn long_range() -> impl Strategy<Value = AisMessage> {
    (
        (repeat_mmsi(), any::<bool>(), any::<bool>(), u8_bits(4)),
        (
            signed(18),
            signed(17),
            u8_bits(6),
            u16_bits(9),
            any::<bool>(),
        ),
    )
        .prop_map(
            |(((repeat, mmsi), accuracy, raim, status), (lon, lat, speed, course, gnss))| {
                AisMessage::LongRange(LongRangeReport {
                    repeat,
                    mmsi,
                    accuracy,
                    raim,
                    status,
                    lon,
                    lat,
                    speed,
                    course,
                    gnss,
                })
            },
        )
}

/// Any valid message of any type, the types drawn evenly.
fn message() -> impl Strategy<Value = AisMessage> {
    prop_oneof![
        position(),
        base_station(),
        static_voyage(),
        addressed_binary(),
        acknowledge_short(),
        binary_broadcast(),
        sar_aircraft(),
        utc_inquiry(),
        addressed_safety(),
        safety_broadcast(),
        interrogation(),
        assigned_mode(),
        dgnss(),
        class_b(),
        class_b_extended(),
        data_link(),
        aid_to_navigation(),
        channel_management(),
        group_assignment(),
        static_data(),
        single_slot(),
        multi_slot(),
        long_range(),
    ]
}

/// The message back through sentences: encode, split into `!AIVDM`/`!AIVDO` sentences, parse
/// and reassemble them, decode. Also returns the number of sentences.
fn through_sentences(
    message: &AisMessage,
    own_ship: bool,
    channel: Option<char>,
    message_id: u8,
) -> (AisMessage, usize) {
    let bits = message.encode().unwrap();
    let mut lines = Vec::new();
    let count = encode_sentences(&bits, "AI", own_ship, channel, message_id, |l| {
        lines.push(l.to_string())
    })
    .unwrap();
    assert_eq!(count, lines.len());
    let mut reassembler = Reassembler::<4>::new(60_000);
    let mut complete = None;
    for (i, line) in lines.iter().enumerate() {
        assert!(
            line.len() <= 82,
            "sentence longer than 82 characters: {line}"
        );
        let sentence = parse(line).unwrap();
        let vdm = parse_vdm(&sentence).unwrap();
        let pushed = reassembler.push(&vdm, i as u64 * 10).unwrap();
        assert_eq!(pushed.is_some(), i + 1 == lines.len());
        complete = pushed;
    }
    (AisMessage::decode(&complete.unwrap()).unwrap(), lines.len())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn every_message_decodes_to_itself_after_encoding(m in message()) {
        let bits = m.encode().unwrap();
        prop_assert_eq!(AisMessage::decode(&bits), Ok(m.clone()));
        prop_assert_eq!(m.msg_type(), bits.msg_type().unwrap());
        prop_assert_eq!(m.mmsi(), bits.uint(8, 30));
    }

    #[test]
    fn every_message_survives_sentences_and_reassembly(
        m in message(),
        own_ship in any::<bool>(),
        channel in prop_oneof![Just(None), Just(Some('A')), Just(Some('B'))],
        message_id in 0u8..=9,
    ) {
        let (back, _) = through_sentences(&m, own_ship, channel, message_id);
        prop_assert_eq!(back, m);
    }

    #[test]
    fn every_message_writes_one_json_object(m in message()) {
        let mut json = std::string::String::new();
        m.write_gpsd_json(&mut json).unwrap();
        let start = r#"{"class":"AIS","device":"stdin","type":"#;
        prop_assert!(json.starts_with(start), "{}", json);
        prop_assert!(json.ends_with('}'), "{}", json);
        prop_assert!(!json.contains('\n'), "{}", json);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Long payloads of the types that span several sentences.
    #[test]
    fn multi_sentence_messages_survive_reassembly(
        m in prop_oneof![
            static_voyage(),
            addressed_binary(),
            binary_broadcast(),
            class_b_extended(),
            aid_to_navigation(),
            multi_slot(),
            addressed_safety(),
        ],
    ) {
        let (back, sentences) = through_sentences(&m, false, Some('A'), 3);
        let bits = m.encode().unwrap().len();
        prop_assert_eq!(sentences, bits.div_ceil(6).div_ceil(60).max(1));
        prop_assert_eq!(back, m);
    }
}

#[test]
fn a_type_21_with_a_long_name_spans_two_sentences_and_keeps_its_extension() {
    let name: String<36> = String::try_from("CHINA ROSE MURPHY EXPRESS ALERT 2024").unwrap();
    let m = AisMessage::AidToNavigation(AidToNavigationReport {
        repeat: 0,
        mmsi: 123456789,
        aid_type: 20,
        name,
        accuracy: false,
        lon: -73619155,
        lat: 28752371,
        to_bow: 5,
        to_stern: 5,
        to_port: 5,
        to_starboard: 5,
        epfd: 1,
        second: 50,
        off_position: false,
        regional: 165,
        raim: false,
        virtual_aid: false,
        assigned: false,
    });
    // 20 + 16 characters: 272 + 96 bits, the longest type 21 gpsd takes, in 62 characters.
    assert_eq!(m.encode().unwrap().len(), 368);
    let (back, sentences) = through_sentences(&m, false, Some('B'), 7);
    assert_eq!(sentences, 2);
    assert_eq!(back, m);
}

/// Any payload: a type 0-63 (mostly 1-27), a length (often one a type takes), random bits.
fn payload() -> impl Strategy<Value = borderfuse_common::ais::AisBits> {
    let msg_type = prop_oneof![9 => 1u32..=27, 1 => 0u32..=63];
    let len = prop_oneof![
        proptest::sample::select(vec![
            40usize, 56, 60, 72, 80, 88, 96, 104, 112, 136, 144, 160, 162, 168, 186, 272, 312, 360,
            368, 423, 424, 1004, 1008,
        ]),
        6usize..=1024,
    ];
    (msg_type, len).prop_flat_map(|(msg_type, len)| {
        proptest::collection::vec(any::<bool>(), len.saturating_sub(6)).prop_map(move |rest| {
            let mut w = BitWriter::new();
            w.uint(msg_type, 6);
            for b in rest {
                w.flag(b);
            }
            w.finish().unwrap()
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(5_000))]

    /// Whatever the decoder accepts, it can write as JSON and encode, and the encoding decodes
    /// to the same message: no field is read from bits the encoder would not write.
    #[test]
    fn any_accepted_payload_re_encodes_to_the_same_message(bits in payload()) {
        if let Ok(m) = AisMessage::decode(&bits) {
            let mut json = std::string::String::new();
            prop_assert!(m.write_gpsd_json(&mut json).is_ok());
            let again = m.encode().unwrap();
            prop_assert_eq!(AisMessage::decode(&again), Ok(m));
        }
    }
}
