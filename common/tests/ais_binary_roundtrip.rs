//! Encoding and decoding of binary application payloads are inverse, and no bit pattern of any
//! length makes the decoders or the JSON writer panic.
//!
//! The values encoded are drawn as the decoder's own output on random bits of random length
//! (every field of every width takes arbitrary values that way, texts end at their first `@`
//! without trailing spaces, repeated groups come in every count), so `x` ranges over every
//! value the decoder can produce; then `decode(encode(x)) == x`.

use borderfuse_common::ais::BitWriter;
use borderfuse_common::ais::binary::{
    Application, BinaryData, Cargo, DangerousCargo, MAX_DATA_BITS, RouteInfo, TargetId,
    TextDescription, TidalEntry, TidalWindow, VtsTarget, VtsTargets, Waypoint, write_gpsd_fields,
};
use borderfuse_common::ais::json::JsonObject;
use heapless::{String, Vec};
use proptest::prelude::*;

fn data_of(bits: &[bool]) -> BinaryData {
    let mut w = BitWriter::new();
    for &b in bits {
        w.flag(b);
    }
    BinaryData::from_bits(&w.finish().unwrap(), 0)
}

fn check_round_trip(app: (u8, u16, u8), bits: &[bool]) -> Result<(), TestCaseError> {
    let (msg_type, dac, fid) = app;
    let decoded = Application::decode(msg_type, dac, fid, &data_of(bits));
    // Applications decoded at one exact length, or with a range check (inland hazard code),
    // leave other payloads raw: nothing to round-trip.
    let Some(x) = decoded else {
        return Err(TestCaseError::reject("gpsd leaves this payload raw"));
    };
    let encoded = x.encode();
    prop_assert!(encoded.bitcount() <= MAX_DATA_BITS);
    prop_assert_eq!(Application::decode(msg_type, dac, fid, &encoded), Some(x));
    Ok(())
}

macro_rules! round_trip {
    ($($name:ident: $app:expr, $len:expr;)*) => {
        proptest! {
            $(
                #[test]
                fn $name(bits in prop::collection::vec(any::<bool>(), $len)) {
                    check_round_trip($app, &bits)?;
                }
            )*
        }
    };
}

const TYPE6_MAX: usize = 1008 - 88;

round_trip! {
    imo236_dangerous_cargo_survives_encode_then_decode: (6, 1, 12), 0..=TYPE6_MAX;
    imo236_tidal_window_survives_encode_then_decode: (6, 1, 14), 0..=MAX_DATA_BITS;
    addressed_air_draught_survives_encode_then_decode: (6, 1, 15), 0..=64;
    broadcast_air_draught_survives_encode_then_decode: (8, 1, 15), 0..=64;
    addressed_persons_on_board_survives_encode_then_decode: (6, 1, 16), 0..=200;
    broadcast_persons_on_board_survives_encode_then_decode: (8, 1, 16), 136;
    clearance_time_survives_encode_then_decode: (6, 1, 18), 0..=TYPE6_MAX;
    berthing_data_survives_encode_then_decode: (6, 1, 20), 0..=TYPE6_MAX;
    imo289_dangerous_cargo_survives_encode_then_decode: (6, 1, 25), 0..=MAX_DATA_BITS;
    addressed_route_info_survives_encode_then_decode: (6, 1, 28), 0..=MAX_DATA_BITS;
    broadcast_route_info_survives_encode_then_decode: (8, 1, 27), 0..=MAX_DATA_BITS;
    addressed_text_survives_encode_then_decode: (6, 1, 30), 0..=MAX_DATA_BITS;
    broadcast_text_survives_encode_then_decode: (8, 1, 29), 0..=MAX_DATA_BITS;
    imo289_tidal_window_survives_encode_then_decode: (6, 1, 32), 0..=MAX_DATA_BITS;
    imo236_met_hydro_survives_encode_then_decode: (8, 1, 11), 0..=400;
    fairway_closed_survives_encode_then_decode: (8, 1, 13), 0..=500;
    vts_targets_survive_encode_then_decode: (8, 1, 17), 0..=MAX_DATA_BITS;
    marine_traffic_signal_survives_encode_then_decode: (8, 1, 19), 0..=400;
    imo289_met_hydro_survives_encode_then_decode: (8, 1, 31), 0..=400;
    inland_static_voyage_survives_encode_then_decode: (8, 200, 10), 112;
    emma_warning_survives_encode_then_decode: (8, 200, 23), 200;
    water_level_survives_encode_then_decode: (8, 200, 24), 112;
    signal_status_survives_encode_then_decode: (8, 200, 40), 112;
    inland_lock_eta_survives_encode_then_decode: (6, 200, 21), 160;
    inland_lock_rta_survives_encode_then_decode: (6, 200, 22), 144;
    inland_persons_survive_encode_then_decode: (6, 200, 55), 80;
    uk_aton_monitoring_survives_encode_then_decode: (6, 235, 10), 48;
    irish_aton_monitoring_survives_encode_then_decode: (6, 250, 10), 48;
}

/// DAC/FI pairs worth aiming at: every decoded application and some neighbours.
const DACS: [u16; 6] = [0, 1, 200, 235, 250, 1023];

proptest! {
    #[test]
    fn no_payload_of_any_length_makes_decoding_or_json_panic(
        msg_type in prop::sample::select(vec![6u8, 8, 25, 26]),
        dac in prop::sample::select(DACS.to_vec()),
        fid in 0u8..64,
        bits in prop::collection::vec(any::<bool>(), 0..=MAX_DATA_BITS),
    ) {
        let data = data_of(&bits);
        if let Some(app) = Application::decode(msg_type, dac, fid, &data) {
            let _ = app.encode();
        }
        let mut json = std::string::String::new();
        let mut obj = JsonObject::begin(&mut json);
        prop_assert!(write_gpsd_fields(msg_type, dac, fid, &data, &mut obj).is_ok());
        prop_assert!(obj.end().is_ok());
        prop_assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok(), "{}", json);
        // A buffer too small is an error, never a panic.
        let mut small = String::<32>::new();
        let mut obj = JsonObject::begin(&mut small);
        let _ = write_gpsd_fields(msg_type, dac, fid, &data, &mut obj);
        let _ = obj.end();
    }
}

fn text<const N: usize>(s: &str) -> String<N> {
    String::try_from(s).unwrap()
}

#[test]
fn the_largest_value_of_every_growable_application_fits_a_five_slot_payload() {
    let tidal = TidalEntry {
        lon: -1,
        lat: -1,
        from_hour: 23,
        from_min: 59,
        to_hour: 23,
        to_min: 59,
        cdir: 359,
        cspeed: 127,
    };
    let mut tidals = Vec::new();
    while tidals.push(tidal).is_ok() {}
    let window = TidalWindow {
        month: 12,
        day: 31,
        tidals,
    };
    let mut cargos = Vec::new();
    while cargos
        .push(Cargo {
            code: 15,
            subtype: 8191,
        })
        .is_ok()
    {}
    let mut waypoints = Vec::new();
    while waypoints.push(Waypoint { lon: -1, lat: 1 }).is_ok() {}
    let target = VtsTarget {
        id: TargetId::Callsign(text("ABCDEFG")),
        lat: -1,
        lon: 1,
        course: 359,
        second: 59,
        speed: 1022,
    };
    let mut targets = Vec::new();
    while targets.push(target.clone()).is_ok() {}
    let largest = [
        ((6, 1, 14), Application::TidalWindowImo236(window.clone())),
        ((6, 1, 32), Application::TidalWindow(window)),
        (
            (6, 1, 25),
            Application::DangerousCargo(DangerousCargo {
                unit: 3,
                amount: 1023,
                cargos,
            }),
        ),
        (
            (8, 1, 27),
            Application::RouteInfo(RouteInfo {
                linkage: 1,
                sender: 2,
                rtype: 3,
                month: 4,
                day: 5,
                hour: 6,
                minute: 7,
                duration: 8,
                waycount: 31,
                waypoints,
            }),
        ),
        (
            (8, 1, 29),
            Application::TextDescription(TextDescription {
                linkage: 1023,
                text: text(&"Z".repeat(TextDescription::MAX_CHARS)),
            }),
        ),
        ((8, 1, 17), Application::VtsTargets(VtsTargets { targets })),
    ];
    for ((msg_type, dac, fid), app) in largest {
        let encoded = app.encode();
        assert!(encoded.bitcount() <= MAX_DATA_BITS, "{app:?}");
        assert_eq!(
            Application::decode(msg_type, dac, fid, &encoded),
            Some(app),
            "{msg_type}/{dac}/{fid}"
        );
    }
}

#[test]
fn a_route_announcing_more_waypoints_than_it_carries_keeps_both_counts() {
    let route = RouteInfo {
        linkage: 7,
        sender: 1,
        rtype: 2,
        month: 6,
        day: 3,
        hour: 12,
        minute: 30,
        duration: 90,
        waycount: 5,
        waypoints: Vec::from_slice(&[Waypoint {
            lon: 1_000_000,
            lat: -500_000,
        }])
        .unwrap(),
    };
    let app = Application::RouteInfo(route);
    let encoded = app.encode();
    assert_eq!(encoded.bitcount(), 61 + 55);
    assert_eq!(Application::decode(6, 1, 28, &encoded), Some(app));
}

#[test]
fn an_mmsi_target_keeps_all_42_bits() {
    let target = VtsTarget {
        id: TargetId::Mmsi((1 << 41) | 244_123_456),
        lat: 1,
        lon: -1,
        course: 360,
        second: 60,
        speed: 255,
    };
    let app = Application::VtsTargets(VtsTargets {
        targets: Vec::from_slice(&[target]).unwrap(),
    });
    assert_eq!(Application::decode(8, 1, 17, &app.encode()), Some(app));
}
