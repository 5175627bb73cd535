//! ARPA radar sentences (`TTM`, `TLL`, `OSD`, `RSD`) against go-nmea's test vectors
//! (`data/arpa/`, see its PROVENANCE.md), with every expected value written out by hand from the
//! IEC 61162-1 field layout; writing and reading back; bad input never panics.

use borderfuse_common::arpa::{
    Acquisition, ArpaError, ArpaSentence, BearingReference, DisplayRotation, DistanceUnits,
    EastWest, FieldErrorKind, Latitude, Longitude, MotionReference, NorthSouth, Osd, Rsd, Tll, Ttm,
    UtcTime, Validity, WriteError, parse_arpa,
};
use borderfuse_common::frame::{MAX_TARGET_NAME_LEN, TargetStatus};
use borderfuse_common::nmea::{MAX_SENTENCE_LEN, parse};
use proptest::prelude::*;

const VECTORS: &str = include_str!("data/arpa/arpa-sentences.nmea");

/// The go-nmea `TTM` "good sentence".
const TTM_VECTOR: &str = "$RATTM,02,1.43,170.5,T,0.16,264.4,T,1.42,36.9,N,,T,,,M*2A";

fn arpa(line: &str) -> Result<ArpaSentence<'_>, ArpaError> {
    parse_arpa(&parse(line).expect("the vectors' checksums are valid"))
}

/// Each sentence of the vector file, with whether it is in the file's VALID section.
fn vectors() -> Vec<(bool, &'static str)> {
    let mut valid = false;
    let mut out = Vec::new();
    for line in VECTORS.lines() {
        if line.contains("===== VALID") {
            valid = true;
        } else if line.contains("===== INVALID") {
            valid = false;
        } else if !line.starts_with('#') && !line.trim().is_empty() {
            out.push((valid, line));
        }
    }
    out
}

const EMPTY_TTM: Ttm<'static> = Ttm {
    target: None,
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

/// The ARPA sentences of the VALID section and what each says, field by field.
fn valid_arpa_vectors() -> Vec<(&'static str, ArpaSentence<'static>)> {
    vec![
        (
            "$RAOSD,179.0,A,179.0,M,00.0,M,,,N*76",
            ArpaSentence::Osd(Osd {
                heading_deg: Some(179.0),
                heading_status: Some(Validity::Valid),
                course_deg: Some(179.0),
                course_reference: Some(MotionReference::Manual),
                speed: Some(0.0),
                speed_reference: Some(MotionReference::Manual),
                set_deg: None,
                drift: None,
                units: Some(DistanceUnits::NauticalMiles),
            }),
        ),
        (
            "$RARSD,0.00,,2.50,005.0,0.00,,4.50,355.0,,,3.0,N,H*51",
            ArpaSentence::Rsd(Rsd {
                origin1_range: Some(0.0),
                origin1_bearing_deg: None,
                vrm1_range: Some(2.5),
                ebl1_deg: Some(5.0),
                origin2_range: Some(0.0),
                origin2_bearing_deg: None,
                vrm2_range: Some(4.5),
                ebl2_deg: Some(355.0),
                cursor_range: None,
                cursor_bearing_deg: None,
                range_scale: Some(3.0),
                units: Some(DistanceUnits::NauticalMiles),
                display_rotation: Some(DisplayRotation::HeadUp),
            }),
        ),
        (
            "$RARSD,,,,,,,,,0.808,326.9,0.750,N,N*58",
            ArpaSentence::Rsd(Rsd {
                origin1_range: None,
                origin1_bearing_deg: None,
                vrm1_range: None,
                ebl1_deg: None,
                origin2_range: None,
                origin2_bearing_deg: None,
                vrm2_range: None,
                ebl2_deg: None,
                cursor_range: Some(0.808),
                cursor_bearing_deg: Some(326.9),
                range_scale: Some(0.75),
                units: Some(DistanceUnits::NauticalMiles),
                display_rotation: Some(DisplayRotation::NorthUp),
            }),
        ),
        (
            "$RATLL,,3647.422,N,01432.592,E,,,,*58",
            ArpaSentence::Tll(Tll {
                target: None,
                latitude: Latitude::new(36, 47.422, NorthSouth::North),
                longitude: Longitude::new(14, 32.592, EastWest::East),
                name: None,
                time: None,
                status: None,
                reference_target: false,
            }),
        ),
        (
            "$RATLL,1,3646.54266,N,00235.37778,W,test,020915,L,R*78",
            ArpaSentence::Tll(Tll {
                target: Some(1),
                latitude: Latitude::new(36, 46.54266, NorthSouth::North),
                longitude: Longitude::new(2, 35.37778, EastWest::West),
                name: Some("test"),
                time: UtcTime::new(2, 9, 15, 0),
                status: Some(TargetStatus::Lost),
                reference_target: true,
            }),
        ),
        (
            TTM_VECTOR,
            ArpaSentence::Ttm(Ttm {
                target: Some(2),
                distance: Some(1.43),
                bearing_deg: Some(170.5),
                bearing_reference: Some(BearingReference::True),
                speed: Some(0.16),
                course_deg: Some(264.4),
                course_reference: Some(BearingReference::True),
                cpa_distance: Some(1.42),
                tcpa_min: Some(36.9),
                units: Some(DistanceUnits::NauticalMiles),
                name: None,
                status: Some(TargetStatus::Tracking),
                reference_target: false,
                time: None,
                acquisition: Some(Acquisition::Manual),
            }),
        ),
    ]
}

/// Sentences of the VALID section that are other formatters (`TLB`, `TTD`).
const VALID_NOT_ARPA: [&str; 5] = [
    "$RATLB,1,XXX*20",
    "$RATLB,1,XXX,2.0,YYY*55",
    "!RATTD,1A,01,1,177KQJ5000G?tO`K>RA1wUbN0TKH,0*72",
    "!RATTD,1A,01,1,H77nSfPh4U=<E`H4U8G;:222220,2*32",
    "!RATTD,1A,01,1,,,0*27",
];

fn field(index: u8, name: &'static str, kind: FieldErrorKind) -> ArpaError {
    ArpaError::Field { index, name, kind }
}

/// The INVALID section, each sentence with the error it must get.
fn invalid_vectors() -> Vec<(&'static str, ArpaError)> {
    use FieldErrorKind::{Malformed, NotANumber, UnknownCode};
    vec![
        (
            "$RAOSD,x179.0,A,179.0,M,00.0,M,,,N*0e",
            field(1, "heading_deg", NotANumber),
        ),
        (
            "$RAOSD,179.0,xA,179.0,M,00.0,M,,,N*0e",
            field(2, "heading_status", UnknownCode),
        ),
        (
            "$RAOSD,179.0,A,x179.0,M,00.0,M,,,N*0e",
            field(3, "course_deg", NotANumber),
        ),
        (
            "$RAOSD,179.0,A,179.0,xM,00.0,M,,,N*0e",
            field(4, "course_reference", UnknownCode),
        ),
        (
            "$RAOSD,179.0,A,179.0,M,x00.0,M,,,N*0e",
            field(5, "speed", NotANumber),
        ),
        (
            "$RAOSD,179.0,A,179.0,M,00.0,xM,,,N*0e",
            field(6, "speed_reference", UnknownCode),
        ),
        (
            "$RAOSD,179.0,A,179.0,M,00.0,M,x,,N*0e",
            field(7, "set_deg", NotANumber),
        ),
        (
            "$RAOSD,179.0,A,179.0,M,00.0,M,,x,N*0e",
            field(8, "drift", NotANumber),
        ),
        (
            "$RAOSD,179.0,A,179.0,M,00.0,M,,,xN*0e",
            field(9, "units", UnknownCode),
        ),
        (
            "$RARSD,x,,2.50,005.0,0.00,,4.50,355.0,,,3.0,N,H*37",
            field(1, "origin1_range", NotANumber),
        ),
        (
            "$RARSD,,x,2.50,005.0,0.00,,4.50,355.0,,,3.0,N,H*37",
            field(2, "origin1_bearing_deg", NotANumber),
        ),
        (
            "$RARSD,,,x2.50,005.0,0.00,,4.50,355.0,,,3.0,N,H*37",
            field(3, "vrm1_range", NotANumber),
        ),
        (
            "$RARSD,,,2.50,x005.0,0.00,,4.50,355.0,,,3.0,N,H*37",
            field(4, "ebl1_deg", NotANumber),
        ),
        (
            "$RARSD,,,2.50,005.0,x0.00,,4.50,355.0,,,3.0,N,H*37",
            field(5, "origin2_range", NotANumber),
        ),
        (
            "$RARSD,,,2.50,005.0,0.00,x,4.50,355.0,,,3.0,N,H*37",
            field(6, "origin2_bearing_deg", NotANumber),
        ),
        (
            "$RARSD,,,2.50,005.0,0.00,,x4.50,355.0,,,3.0,N,H*37",
            field(7, "vrm2_range", NotANumber),
        ),
        (
            "$RARSD,,,2.50,005.0,0.00,,4.50,x355.0,,,3.0,N,H*37",
            field(8, "ebl2_deg", NotANumber),
        ),
        (
            "$RARSD,,,2.50,005.0,0.00,,4.50,355.0,x,,3.0,N,H*37",
            field(9, "cursor_range", NotANumber),
        ),
        (
            "$RARSD,,,2.50,005.0,0.00,,4.50,355.0,,x,3.0,N,H*37",
            field(10, "cursor_bearing_deg", NotANumber),
        ),
        // Twice in the file (go-nmea has two "RangeUnit" cases).
        (
            "$RARSD,,,2.50,005.0,0.00,,4.50,355.0,,,3.0,X,H*59",
            field(12, "units", UnknownCode),
        ),
        (
            "$RARSD,,,2.50,005.0,0.00,,4.50,355.0,,,3.0,N,X*5f",
            field(13, "display_rotation", UnknownCode),
        ),
        ("$RATLB,1*54", ArpaError::NotArpa),
        ("$RATLB,1,XXX,2.0*20", ArpaError::NotArpa),
        ("$RATLB,x,XXX*69", ArpaError::NotArpa),
        (
            "$RATLL,x,3647.422,N,01432.592,E,,,,*20",
            field(1, "target", NotANumber),
        ),
        (
            "$RATLL,1,x3647.422,N,01432.592,E,,,,*11",
            field(2, "latitude", NotANumber),
        ),
        (
            "$RATLL,1,3647.422,N,x01432.592,E,,,,*11",
            field(4, "longitude", NotANumber),
        ),
        (
            "$RATLL,1,3646.54266,N,00235.37778,W,test,x020915,L,R*00",
            field(7, "time", Malformed),
        ),
        (
            "$RATLL,1,3646.54266,N,00235.37778,W,test,020915,xL,R*00",
            field(8, "status", UnknownCode),
        ),
        (
            "$RATLL,1,3646.54266,N,00235.37778,W,test,020915,L,xR*00",
            field(9, "reference_target", UnknownCode),
        ),
        (
            "!RATTD,x,01,1,177KQJ5000G?tO`K>RA1wUbN0TKH,0*7A",
            ArpaError::NotArpa,
        ),
        ("!RATTD,1A,01,1,1 1,0*2b", ArpaError::NotArpa),
        (
            "!RATTD,1A,01,1,177KQJ5000G?tO`K>RA1wUbN0TKH,-1*5e",
            ArpaError::NotArpa,
        ),
        (
            "!RATTD,1A,01,1,177KQJ5000G?tO`K>RA1wUbN0TKH,20*40",
            ArpaError::NotArpa,
        ),
        ("!RATTD,1A,01,1,,2*09", ArpaError::NotArpa),
        (
            "$RATTM,x02,1.43,170.5,T,0.16,264.4,T,1.42,36.9,N,,T,,,M*52",
            field(1, "target", NotANumber),
        ),
        (
            "$RATTM,02,x1.43,170.5,T,0.16,264.4,T,1.42,36.9,N,,T,,,M*52",
            field(2, "distance", NotANumber),
        ),
        (
            "$RATTM,02,1.43,x170.5,T,0.16,264.4,T,1.42,36.9,N,,T,,,M*52",
            field(3, "bearing_deg", NotANumber),
        ),
        (
            "$RATTM,02,1.43,170.5,xT,0.16,264.4,T,1.42,36.9,N,,T,,,M*52",
            field(4, "bearing_reference", UnknownCode),
        ),
        (
            "$RATTM,02,1.43,170.5,T,x0.16,264.4,T,1.42,36.9,N,,T,,,M*52",
            field(5, "speed", NotANumber),
        ),
        (
            "$RATTM,02,1.43,170.5,T,0.16,x264.4,T,1.42,36.9,N,,T,,,M*52",
            field(6, "course_deg", NotANumber),
        ),
        (
            "$RATTM,02,1.43,170.5,T,0.16,264.4,xT,1.42,36.9,N,,T,,,M*52",
            field(7, "course_reference", UnknownCode),
        ),
        (
            "$RATTM,02,1.43,170.5,T,0.16,264.4,T,x1.42,36.9,N,,T,,,M*52",
            field(8, "cpa_distance", NotANumber),
        ),
        (
            "$RATTM,02,1.43,170.5,T,0.16,264.4,T,1.42,x36.9,N,,T,,,M*52",
            field(9, "tcpa_min", NotANumber),
        ),
        (
            "$RATTM,02,1.43,170.5,T,0.16,264.4,T,1.42,36.9,xN,,T,,,M*52",
            field(10, "units", UnknownCode),
        ),
        // Twice in the file (go-nmea has two "ReferenceTarget" cases).
        (
            "$RATTM,02,1.43,170.5,T,0.16,264.4,T,1.42,36.9,N,,T,x,,M*52",
            field(13, "reference_target", UnknownCode),
        ),
        // Twice in the file: go-nmea's "TypeOfAcquisition" case is this same sentence, with
        // the `x` in the time (field 14), not in the acquisition type (field 15).
        (
            "$RATTM,02,1.43,170.5,T,0.16,264.4,T,1.42,36.9,N,,T,,x,M*52",
            field(14, "time", Malformed),
        ),
    ]
}

#[test]
fn each_valid_arpa_vector_parses_to_the_values_read_by_hand() {
    for (line, expected) in valid_arpa_vectors() {
        assert!(
            vectors().contains(&(true, line)),
            "{line} is not a valid vector of the file"
        );
        assert_eq!(arpa(line), Ok(expected), "{line}");
    }
}

#[test]
fn the_valid_tlb_and_ttd_vectors_are_sentences_but_not_arpa() {
    for line in VALID_NOT_ARPA {
        assert!(vectors().contains(&(true, line)), "{line}");
        assert_eq!(arpa(line), Err(ArpaError::NotArpa), "{line}");
    }
}

#[test]
fn each_invalid_vector_is_rejected_naming_its_field_and_what_is_wrong() {
    for (line, expected) in invalid_vectors() {
        assert!(
            vectors().contains(&(false, line)),
            "{line} is not an invalid vector of the file"
        );
        assert_eq!(arpa(line), Err(expected), "{line}");
    }
}

#[test]
fn every_sentence_in_the_vector_file_is_checked_by_one_of_these_tests() {
    let valid = valid_arpa_vectors();
    let invalid = invalid_vectors();
    let all = vectors();
    assert_eq!(all.len(), 61, "the file changed: update the tables");
    for (in_valid_section, line) in all {
        let known = if in_valid_section {
            valid.iter().any(|(v, _)| *v == line) || VALID_NOT_ARPA.contains(&line)
        } else {
            invalid.iter().any(|(v, _)| *v == line)
        };
        assert!(known, "{line} is not in the expected tables");
    }
}

fn approx(actual: Option<f64>, expected: f64) {
    let actual = actual.expect("a value");
    assert!((actual - expected).abs() < 1e-3, "{actual} != {expected}");
}

#[test]
fn ttm_distances_and_speeds_convert_to_si_units() {
    let Ok(ArpaSentence::Ttm(ttm)) = arpa(TTM_VECTOR) else {
        panic!("TTM vector")
    };
    // 1.43 nm, 0.16 kn, CPA 1.42 nm in 36.9 min.
    approx(ttm.distance_m(), 1.43 * 1852.0);
    approx(ttm.speed_mps(), 0.16 * 1852.0 / 3600.0);
    approx(ttm.cpa_m(), 1.42 * 1852.0);
    approx(ttm.tcpa_s(), 36.9 * 60.0);
    let kilometres = Ttm {
        units: Some(DistanceUnits::Kilometres),
        ..ttm
    };
    approx(kilometres.distance_m(), 1430.0);
    approx(kilometres.speed_mps(), 160.0 / 3600.0);
    let miles = Ttm {
        units: Some(DistanceUnits::StatuteMiles),
        ..ttm
    };
    approx(miles.distance_m(), 1.43 * 1609.344);
    let no_units = Ttm { units: None, ..ttm };
    assert_eq!(no_units.distance_m(), None);
    assert_eq!(no_units.speed_mps(), None);
}

#[test]
fn osd_rsd_and_tll_convert_to_si_units_and_decimal_degrees() {
    let Ok(ArpaSentence::Osd(osd)) = arpa("$RAOSD,179.0,A,179.0,M,00.0,M,,,N*76") else {
        panic!("OSD vector")
    };
    approx(osd.speed_mps(), 0.0);
    assert_eq!(osd.drift_mps(), None);
    let Ok(ArpaSentence::Rsd(rsd)) = arpa("$RARSD,0.00,,2.50,005.0,0.00,,4.50,355.0,,,3.0,N,H*51")
    else {
        panic!("RSD vector")
    };
    approx(rsd.range_scale_m(), 3.0 * 1852.0);
    approx(rsd.to_metres(rsd.vrm2_range), 4.5 * 1852.0);
    assert_eq!(rsd.to_metres(rsd.cursor_range), None);
    let Ok(ArpaSentence::Tll(tll)) = arpa("$RATLL,1,3646.54266,N,00235.37778,W,test,020915,L,R*78")
    else {
        panic!("TLL vector")
    };
    approx(tll.latitude_deg(), 36.0 + 46.54266 / 60.0);
    approx(tll.longitude_deg(), -(2.0 + 35.37778 / 60.0));
    approx(
        tll.time.map(UtcTime::seconds_since_midnight),
        2.0 * 3600.0 + 9.0 * 60.0 + 15.0,
    );
}

#[test]
fn a_ttm_becomes_a_radar_track_frame_payload_in_si_units() {
    let Ok(ArpaSentence::Ttm(ttm)) = arpa(TTM_VECTOR) else {
        panic!("TTM vector")
    };
    let track = ttm
        .to_radar_track()
        .expect("every field the payload needs is present");
    assert_eq!(track.target, 2);
    assert!((track.distance_m - 2648.36).abs() < 1e-2);
    assert_eq!(track.bearing_deg, 170.5);
    assert!(track.bearing_true);
    assert!((track.speed_mps - 0.082_311).abs() < 1e-5);
    assert_eq!(track.course_deg, 264.4);
    assert!(track.course_true);
    assert!((track.cpa_m - 2629.84).abs() < 1e-2);
    assert!((track.tcpa_s - 2214.0).abs() < 1e-2);
    assert_eq!(track.name, "");
    assert_eq!(track.status, TargetStatus::Tracking);
    assert!(!track.reference);

    let relative = Ttm {
        bearing_reference: Some(BearingReference::Relative),
        name: Some("A NAME LONGER THAN SIXTEEN"),
        reference_target: true,
        ..ttm
    };
    let track = relative.to_radar_track().unwrap();
    assert!(!track.bearing_true);
    assert_eq!(track.name, "A NAME LONGER TH");
    assert_eq!(track.name.len(), MAX_TARGET_NAME_LEN);
    assert!(track.reference);
}

#[test]
fn a_ttm_missing_a_field_the_frame_requires_gives_no_radar_track() {
    let Ok(ArpaSentence::Ttm(ttm)) = arpa(TTM_VECTOR) else {
        panic!("TTM vector")
    };
    // A lost target as radars send it: no speed, course or CPA any more.
    let lost = Ttm {
        speed: None,
        course_deg: None,
        status: Some(TargetStatus::Lost),
        ..ttm
    };
    assert_eq!(lost.to_radar_track(), None);
    assert_eq!(Ttm { units: None, ..ttm }.to_radar_track(), None);
    assert_eq!(
        Ttm {
            target: None,
            ..ttm
        }
        .to_radar_track(),
        None
    );
}

#[test]
fn the_ttm_vector_is_written_back_byte_for_byte() {
    let Ok(sentence) = arpa(TTM_VECTOR) else {
        panic!("TTM vector")
    };
    assert_eq!(sentence.to_sentence("RA").unwrap(), TTM_VECTOR);
}

#[test]
fn a_tll_is_written_with_zero_padded_ddmm_and_dddmm_positions_and_hhmmss_ss_time() {
    let Ok(sentence) = arpa("$RATLL,1,3646.54266,N,00235.37778,W,test,020915,L,R*78") else {
        panic!("TLL vector")
    };
    assert_eq!(
        sentence.to_sentence("RA").unwrap(),
        "$RATLL,01,3646.54266,N,00235.37778,W,test,020915.00,L,R*66"
    );
}

#[test]
fn each_valid_vector_reads_back_the_same_after_writing_with_any_talker() {
    for (line, expected) in valid_arpa_vectors() {
        for talker in ["RA", "II", "ZZ", "A1"] {
            let written = expected.to_sentence(talker).unwrap();
            let sentence = parse(&written).unwrap();
            assert_eq!(sentence.talker(), talker);
            assert_eq!(parse_arpa(&sentence), Ok(expected), "{line} → {written}");
        }
    }
}

#[test]
fn a_ttm_from_before_nmea_3_has_thirteen_fields_and_no_time_or_acquisition() {
    let Ok(ArpaSentence::Ttm(ttm)) = arpa("$RATTM,02,1.43,170.5,T,0.16,264.4,T,1.42,36.9,N,,T,*67")
    else {
        panic!("13-field TTM")
    };
    assert_eq!(ttm.target, Some(2));
    assert_eq!(ttm.status, Some(TargetStatus::Tracking));
    assert_eq!((ttm.time, ttm.acquisition), (None, None));
    assert_eq!(
        arpa("$RATTM,02,1.43,170.5,T,0.16,264.4,T,1.42,36.9,N,,T*4B"),
        Err(ArpaError::FieldCount {
            min: 13,
            max: 15,
            found: 12
        })
    );
    assert_eq!(
        arpa("$RATTM,02,1.43,170.5,T,0.16,264.4,T,1.42,36.9,N,,T,,,M,*06"),
        Err(ArpaError::FieldCount {
            min: 13,
            max: 15,
            found: 16
        })
    );
    assert!(matches!(
        arpa("$RAOSD,179.0,A,179.0,M,00.0,M,,*14"),
        Err(ArpaError::FieldCount { found: 8, .. })
    ));
}

#[test]
fn a_full_ttm_with_time_name_and_three_digit_target_reads_every_field() {
    let Ok(ArpaSentence::Ttm(ttm)) =
        arpa("$RATTM,999,12.5,45.0,R,15.2,300.1,R,0.35,-4.5,K,FERRY 2,Q,R,235959.25,A*0B")
    else {
        panic!("full TTM")
    };
    assert_eq!(
        ttm,
        Ttm {
            target: Some(999),
            distance: Some(12.5),
            bearing_deg: Some(45.0),
            bearing_reference: Some(BearingReference::Relative),
            speed: Some(15.2),
            course_deg: Some(300.1),
            course_reference: Some(BearingReference::Relative),
            cpa_distance: Some(0.35),
            tcpa_min: Some(-4.5),
            units: Some(DistanceUnits::Kilometres),
            name: Some("FERRY 2"),
            status: Some(TargetStatus::Query),
            reference_target: true,
            time: UtcTime::new(23, 59, 59, 250_000_000),
            acquisition: Some(Acquisition::Automatic),
        }
    );
    approx(ttm.tcpa_s(), -270.0);
}

#[test]
fn target_numbers_take_one_to_three_digits() {
    let target = |line| match arpa(line) {
        Ok(ArpaSentence::Ttm(ttm)) => Ok(ttm.target),
        Ok(other) => panic!("{other:?}"),
        Err(e) => Err(e),
    };
    assert_eq!(target("$RATTM,0,,,,,,,,,,,,,,*42"), Ok(Some(0)));
    assert_eq!(target("$RATTM,999,,,,,,,,,,,,,,*4B"), Ok(Some(999)));
    assert_eq!(target("$RATTM,,,,,,,,,,,,,,,*72"), Ok(None));
    assert_eq!(
        target("$RATTM,1000,,,,,,,,,,,,,,*73"),
        Err(field(1, "target", FieldErrorKind::OutOfRange))
    );
    assert_eq!(
        target("$RATTM,-1,,,,,,,,,,,,,,*6E"),
        Err(field(1, "target", FieldErrorKind::NotANumber))
    );
}

#[test]
fn values_outside_their_range_are_rejected() {
    use FieldErrorKind::{BadText, NotANumber, OutOfRange};
    for (line, expected) in [
        (
            "$RATTM,1,-1.0,,,,,,,,,,,,,*41",
            field(2, "distance", OutOfRange),
        ),
        (
            "$RATTM,1,,360.1,,,,,,,,,,,,*69",
            field(3, "bearing_deg", OutOfRange),
        ),
        (
            "$RATTM,1,,1e2,,,,,,,,,,,,*25",
            field(3, "bearing_deg", NotANumber),
        ),
        (
            "$RATTM,1,,,,inf,,,,,,,,,,*22",
            field(5, "speed", NotANumber),
        ),
        ("$RATTM,1,,,,,,,,,,a~b,,,,*3E", field(11, "name", BadText)),
        (
            "$RATTM,1,,,,,,,,,,,,,250000,*44",
            field(14, "time", OutOfRange),
        ),
        (
            "$RATTM,1,,,,,,,,,,,,,,X*1B",
            field(15, "acquisition", FieldErrorKind::UnknownCode),
        ),
        ("$RAOSD,,,,,-0.1,,,,*65", field(5, "speed", OutOfRange)),
        (
            "$RATLL,1,9100.0,N,,,,,,*02",
            field(2, "latitude", OutOfRange),
        ),
        (
            "$RATLL,1,,N,,,,,,*14",
            field(2, "latitude", FieldErrorKind::Missing),
        ),
        (
            "$RATLL,1,,,18000.1,E,,,,*39",
            field(4, "longitude", OutOfRange),
        ),
        (
            "$RATLL,1,,,01432.592,X,,,,*26",
            field(5, "longitude_hemisphere", FieldErrorKind::UnknownCode),
        ),
    ] {
        assert_eq!(arpa(line), Err(expected), "{line}");
    }
}

#[test]
fn other_sentences_are_not_arpa() {
    for line in [
        "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A",
        "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47",
        // A proprietary sentence whose code happens to end in TTM.
        "$PXTTM,1*58",
        // TTM is a `$` sentence; an `!` one is something else.
        "!RATTM,02,1.43,170.5,T,0.16,264.4,T,1.42,36.9,N,,T,,,M*2A",
    ] {
        assert_eq!(arpa(line), Err(ArpaError::NotArpa), "{line}");
    }
}

#[test]
fn errors_say_which_field_is_wrong() {
    let error = arpa("$RATTM,02,1.43,170.5,T,0.16,264.4,T,1.42,x36.9,N,,T,,,M*52").unwrap_err();
    assert_eq!(error.to_string(), "field 9 (tcpa_min): not a number");
}

#[test]
fn writing_a_value_the_reader_would_reject_names_the_field() {
    let ttm = Ttm {
        tcpa_min: Some(f32::INFINITY),
        ..EMPTY_TTM
    };
    assert_eq!(
        ttm.to_sentence("RA"),
        Err(WriteError::Field {
            index: 9,
            name: "tcpa_min",
            kind: FieldErrorKind::OutOfRange
        })
    );
    let tll = Tll {
        target: None,
        latitude: None,
        longitude: None,
        name: Some("a,b"),
        time: None,
        status: None,
        reference_target: false,
    };
    assert_eq!(
        tll.to_sentence("RA"),
        Err(WriteError::Field {
            index: 6,
            name: "name",
            kind: FieldErrorKind::BadText
        })
    );
}

// ----- properties -----

/// Numbers as a radar writes them: `max` hundredths at most.
fn hundredths(max: u32) -> impl Strategy<Value = f32> {
    (0..=max).prop_map(|k| k as f32 / 100.0)
}

fn tenths_of_degree() -> impl Strategy<Value = f32> {
    (0u32..=3600).prop_map(|k| k as f32 / 10.0)
}

fn units() -> impl Strategy<Value = DistanceUnits> {
    prop_oneof![
        Just(DistanceUnits::Kilometres),
        Just(DistanceUnits::NauticalMiles),
        Just(DistanceUnits::StatuteMiles),
    ]
}

fn bearing_reference() -> impl Strategy<Value = BearingReference> {
    prop_oneof![
        Just(BearingReference::True),
        Just(BearingReference::Relative)
    ]
}

fn status() -> impl Strategy<Value = TargetStatus> {
    prop_oneof![
        Just(TargetStatus::Lost),
        Just(TargetStatus::Query),
        Just(TargetStatus::Tracking),
    ]
}

fn motion_reference() -> impl Strategy<Value = MotionReference> {
    prop_oneof![
        Just(MotionReference::BottomTrack),
        Just(MotionReference::Manual),
        Just(MotionReference::Water),
        Just(MotionReference::RadarTracking),
        Just(MotionReference::PositioningSystem),
    ]
}

/// Times to the hundredth of a second, as `hhmmss.ss` carries them.
fn utc_time() -> impl Strategy<Value = UtcTime> {
    (0u8..24, 0u8..60, 0u8..=60, 0u32..100)
        .prop_map(|(h, m, s, cs)| UtcTime::new(h, m, s, cs * 10_000_000).unwrap())
}

/// Names of up to eight characters: with every other field at its longest, a `TTM` then
/// still fits in 82 characters.
const NAME: &str = "[A-Za-z0-9 ._^/-]{1,8}";

/// What one field of a sentence holds, for [`arpa_shaped_fields`].
#[derive(Debug, Clone, Copy)]
enum Kind {
    Target,
    Number,
    /// A one-letter field and the letters it allows, as a regex class.
    Letter(&'static str),
    Text,
    Time,
    Latitude,
    Longitude,
}

/// One field: usually what the field allows, sometimes empty, sometimes junk (which may
/// carry `*`, `$`, `!`, `~` into the sentence).
fn token(kind: Kind) -> BoxedStrategy<String> {
    let valid = match kind {
        Kind::Target => "[0-9]{1,3}",
        Kind::Number => "[0-9]{1,3}(\\.[0-9]{1,2})?",
        Kind::Letter(class) => class,
        Kind::Text => "[A-Za-z0-9 ^]{1,8}",
        Kind::Time => "([01][0-9]|2[0-3])[0-5][0-9][0-5][0-9](\\.[0-9]{1,3})?",
        Kind::Latitude => "[0-8][0-9][0-5][0-9]\\.[0-9]{1,5}",
        Kind::Longitude => "(0[0-9][0-9]|1[0-7][0-9])[0-5][0-9]\\.[0-9]{1,5}",
    };
    prop_oneof![
        2 => Just(String::new()),
        12 => proptest::string::string_regex(valid).expect("valid regex"),
        1 => "[0-9A-Za-z.^~*$!x -]{1,6}",
    ]
    .boxed()
}

/// A formatter and its fields, each drawn by [`token`] for what the standard puts there.
fn arpa_shaped_fields() -> impl Strategy<Value = (&'static str, Vec<String>)> {
    use Kind::{Latitude as Lat, Letter, Longitude as Lon, Number as Num, Target, Text, Time};
    let layouts: [(&'static str, Vec<Kind>); 4] = [
        (
            "TTM",
            vec![
                Target,
                Num,
                Num,
                Letter("[TR]"),
                Num,
                Num,
                Letter("[TR]"),
                Num,
                Num,
                Letter("[KNS]"),
                Text,
                Letter("[LQT]"),
                Letter("R"),
                Time,
                Letter("[AMR]"),
            ],
        ),
        (
            "TLL",
            vec![
                Target,
                Lat,
                Letter("[NS]"),
                Lon,
                Letter("[EW]"),
                Text,
                Time,
                Letter("[LQT]"),
                Letter("R"),
            ],
        ),
        (
            "OSD",
            vec![
                Num,
                Letter("[AV]"),
                Num,
                Letter("[BMWRP]"),
                Num,
                Letter("[BMWRP]"),
                Num,
                Num,
                Letter("[KNS]"),
            ],
        ),
        (
            "RSD",
            vec![
                Num,
                Num,
                Num,
                Num,
                Num,
                Num,
                Num,
                Num,
                Num,
                Num,
                Num,
                Letter("[KNS]"),
                Letter("[CHN]"),
            ],
        ),
    ];
    proptest::sample::select(layouts.to_vec()).prop_flat_map(|(formatter, kinds)| {
        let fields: Vec<_> = kinds.into_iter().map(token).collect();
        (Just(formatter), fields)
    })
}

/// Writes `sentence`, reads it back, and requires the same value.
fn round_trip(sentence: ArpaSentence<'_>) -> Result<(), TestCaseError> {
    let written = sentence
        .to_sentence("RA")
        .map_err(|e| TestCaseError::fail(format!("{sentence:?}: {e}")))?;
    prop_assert!(written.len() <= MAX_SENTENCE_LEN);
    let parsed = parse(&written).map_err(|e| TestCaseError::fail(format!("{written}: {e}")))?;
    prop_assert_eq!(parse_arpa(&parsed), Ok(sentence), "{}", written);
    Ok(())
}

/// Reads back to the same value, or is refused as too long: nothing else.
fn round_trip_or_too_long(sentence: ArpaSentence<'_>) -> Result<(), TestCaseError> {
    match sentence.to_sentence("RA") {
        Ok(_) => round_trip(sentence),
        Err(WriteError::TooLong) => Ok(()),
        Err(e) => Err(TestCaseError::fail(format!("{sentence:?}: {e}"))),
    }
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics_the_sentence_layer_or_arpa_parser(
        line in prop_oneof![any::<String>(), "[$!]?[ -~]{0,100}"],
    ) {
        if let Ok(sentence) = parse(&line) {
            let _ = parse_arpa(&sentence);
        }
    }

    #[test]
    fn arpa_shaped_sentences_never_panic_and_what_parses_writes_back_the_same(
        (formatter, fields) in arpa_shaped_fields(),
    ) {
        let body = format!("RA{formatter},{}", fields.join(","));
        let sum = body.bytes().fold(0u8, |acc, b| acc ^ b);
        let line = format!("${body}*{sum:02X}");
        // `*` is reserved for the checksum: a field carrying one makes the line malformed
        // (or its checksum the wrong one).
        let sentence = match parse(&line) {
            Ok(sentence) => sentence,
            Err(_) if body.contains('*') => return Ok(()),
            Err(e) => return Err(TestCaseError::fail(format!("{line}: {e}"))),
        };
        match parse_arpa(&sentence) {
            Ok(arpa) => round_trip_or_too_long(arpa)?,
            Err(ArpaError::Field { index, .. }) => {
                prop_assert!((1..=fields.len()).contains(&usize::from(index)), "{}", line);
            }
            Err(e) => prop_assert!(false, "{line}: {e}"),
        }
    }

    #[test]
    fn a_ttm_as_radars_write_it_reads_back_as_written(
        target in proptest::option::of(0u16..=999),
        distance in proptest::option::of(hundredths(99_999)),
        bearing in proptest::option::of((tenths_of_degree(), bearing_reference())),
        speed in proptest::option::of((0u32..1000).prop_map(|k| k as f32 / 10.0)),
        course in proptest::option::of((tenths_of_degree(), bearing_reference())),
        cpa in proptest::option::of(hundredths(99_999)),
        tcpa in proptest::option::of((-9999i32..=9999).prop_map(|k| k as f32 / 10.0)),
        units in proptest::option::of(units()),
        name in proptest::option::of(NAME),
        tail in (
            proptest::option::of(status()),
            any::<bool>(),
            proptest::option::of(utc_time()),
            proptest::option::of(prop_oneof![
                Just(Acquisition::Automatic),
                Just(Acquisition::Manual),
                Just(Acquisition::Reported),
            ]),
        ),
    ) {
        let (status, reference_target, time, acquisition) = tail;
        round_trip(ArpaSentence::Ttm(Ttm {
            target,
            distance,
            bearing_deg: bearing.map(|b| b.0),
            bearing_reference: bearing.map(|b| b.1),
            speed,
            course_deg: course.map(|c| c.0),
            course_reference: course.map(|c| c.1),
            cpa_distance: cpa,
            tcpa_min: tcpa,
            units,
            name: name.as_deref(),
            status,
            reference_target,
            time,
            acquisition,
        }))?;
    }

    #[test]
    fn a_ttm_with_any_values_in_range_reads_back_exactly_or_is_refused_as_too_long(
        distance in 0f32..1e7,
        bearing in 0f32..=360.0,
        speed in 0f32..1e4,
        course in 0f32..=360.0,
        cpa in 0f32..1e7,
        tcpa in -1e6f32..1e6,
        nanosecond in 0u32..1_000_000_000,
    ) {
        round_trip_or_too_long(ArpaSentence::Ttm(Ttm {
            target: Some(7),
            distance: Some(distance),
            bearing_deg: Some(bearing),
            bearing_reference: Some(BearingReference::True),
            speed: Some(speed),
            course_deg: Some(course),
            course_reference: Some(BearingReference::True),
            cpa_distance: Some(cpa),
            tcpa_min: Some(tcpa),
            units: Some(DistanceUnits::NauticalMiles),
            time: UtcTime::new(12, 0, 0, nanosecond),
            ..EMPTY_TTM
        }))?;
        // Each field on its own always fits, whatever its digits.
        round_trip(ArpaSentence::Ttm(Ttm { distance: Some(distance), ..EMPTY_TTM }))?;
        round_trip(ArpaSentence::Ttm(Ttm { tcpa_min: Some(tcpa), ..EMPTY_TTM }))?;
    }

    #[test]
    fn a_tll_reads_back_as_written(
        target in proptest::option::of(0u16..=999),
        latitude in proptest::option::of((0u8..90, 0u32..6_000_000, any::<bool>())),
        longitude in proptest::option::of((0u8..180, 0f32..60.0, any::<bool>())),
        name in proptest::option::of(NAME),
        time in proptest::option::of(utc_time()),
        status in proptest::option::of(status()),
        reference_target in any::<bool>(),
    ) {
        let latitude = latitude.and_then(|(d, m, north)| {
            let side = if north { NorthSouth::North } else { NorthSouth::South };
            Latitude::new(d, m as f32 / 100_000.0, side)
        });
        let longitude = longitude.and_then(|(d, m, east)| {
            Longitude::new(d, m, if east { EastWest::East } else { EastWest::West })
        });
        round_trip(ArpaSentence::Tll(Tll {
            target,
            latitude,
            longitude,
            name: name.as_deref(),
            time,
            status,
            reference_target,
        }))?;
    }

    #[test]
    fn an_osd_reads_back_as_written(
        heading in proptest::option::of((tenths_of_degree(), prop_oneof![Just(Validity::Valid), Just(Validity::Invalid)])),
        course in proptest::option::of((tenths_of_degree(), motion_reference())),
        speed in proptest::option::of((hundredths(99_999), motion_reference())),
        set_deg in proptest::option::of(tenths_of_degree()),
        drift in proptest::option::of(hundredths(9_999)),
        units in proptest::option::of(units()),
    ) {
        round_trip(ArpaSentence::Osd(Osd {
            heading_deg: heading.map(|h| h.0),
            heading_status: heading.map(|h| h.1),
            course_deg: course.map(|c| c.0),
            course_reference: course.map(|c| c.1),
            speed: speed.map(|s| s.0),
            speed_reference: speed.map(|s| s.1),
            set_deg,
            drift,
            units,
        }))?;
    }

    #[test]
    fn an_rsd_reads_back_as_written(
        ranges in proptest::array::uniform6(proptest::option::of(hundredths(9_999))),
        bearings in proptest::array::uniform5(proptest::option::of(tenths_of_degree())),
        units in proptest::option::of(units()),
        rotation in proptest::option::of(prop_oneof![
            Just(DisplayRotation::CourseUp),
            Just(DisplayRotation::HeadUp),
            Just(DisplayRotation::NorthUp),
        ]),
    ) {
        let [origin1_range, vrm1_range, origin2_range, vrm2_range, cursor_range, range_scale] = ranges;
        let [origin1_bearing_deg, ebl1_deg, origin2_bearing_deg, ebl2_deg, cursor_bearing_deg] = bearings;
        round_trip(ArpaSentence::Rsd(Rsd {
            origin1_range,
            origin1_bearing_deg,
            vrm1_range,
            ebl1_deg,
            origin2_range,
            origin2_bearing_deg,
            vrm2_range,
            ebl2_deg,
            cursor_range,
            cursor_bearing_deg,
            range_scale,
            units,
            display_rotation: rotation,
        }))?;
    }
}
