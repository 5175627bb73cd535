//! The busy-strait scenario: a thousand vessels in a 30 × 20 km strait for an hour, watched
//! by two radars and two AIS receivers. It is the load the speed requirement names
//! ("runs faster than real time by at least 100× in as-fast-as-possible mode"), built in code
//! so that the benchmark, the tests and `cargo run --example busy_strait` share one definition.
//!
//! The traffic, drawn from the seed (positions in metres east/north of the origin, the strait
//! running east–west between shores at y = ±10 km):
//! - 70 % through traffic on a traffic separation scheme — eastbound lane at y ∈ [−4, −1] km,
//!   westbound at y ∈ [1, 4] km — from a random point of its lane to the end of the strait,
//!   over to the other lane and back, 8–22 kn (one in ten a 25–35 kn high-speed craft);
//! - 15 % ferries shuttling between the shores at 12–20 kn;
//! - 10 % fishing boats zig-zagging in a 2 km box at 3–7 kn;
//! - 5 % ships at anchor (ten metres of route, then moored).
//!
//! One vessel in ten carries no AIS (dark); the others have class A transponders with unique
//! MMSIs.

use crate::generate::stream_rng;
use crate::scenario::{
    AisClass, AisReceiverSpec, AisTransponderSpec, DEFAULT_FALSE_ALARM_PROBABILITY, DEFAULT_RCS_M2,
    RadarSpec, Scenario, VesselSpec,
};
use borderfuse_common::geo::{Geodetic, LocalFrame};
use rand::Rng;

/// Number of vessels of [`busy_strait`].
pub const BUSY_STRAIT_VESSELS: usize = 1_000;
/// Length of [`busy_strait`], seconds.
pub const BUSY_STRAIT_DURATION_S: f64 = 3_600.0;

/// Half the strait's length (east–west) and width (north–south), metres.
const HALF_LENGTH_M: f64 = 15_000.0;
const HALF_WIDTH_M: f64 = 10_000.0;

/// The busy strait with [`BUSY_STRAIT_VESSELS`] vessels over [`BUSY_STRAIT_DURATION_S`].
pub fn busy_strait(seed: u64) -> Scenario {
    busy_strait_with(seed, BUSY_STRAIT_VESSELS, BUSY_STRAIT_DURATION_S)
}

/// The busy strait with `vessels` vessels over `duration_s` seconds (the same vessel `i` for
/// any count: vessel `i`'s draws come from its own stream).
pub fn busy_strait_with(seed: u64, vessels: usize, duration_s: f64) -> Scenario {
    // The Strait of Gibraltar's latitude, but a generic strait: no coastline is modelled.
    let origin = Geodetic::new(36.0, -5.6);
    let frame = LocalFrame::new(origin);
    let geo = |x: f64, y: f64| frame.from_east_north(x, y, 0.0);
    let north_mast = Geodetic::with_alt(
        geo(5_000.0, HALF_WIDTH_M).lat_deg,
        geo(5_000.0, 0.0).lon_deg,
        80.0,
    );
    let south_mast = Geodetic::with_alt(
        geo(-5_000.0, -HALF_WIDTH_M).lat_deg,
        geo(-5_000.0, 0.0).lon_deg,
        80.0,
    );
    let radar = |node_id: u32, name: &str, position: Geodetic| RadarSpec {
        node_id,
        name: name.to_string(),
        position,
        scan_period_s: 2.5,
        max_range_m: 24_000.0,
        detection_probability: 0.9,
        sigma_range_m: 20.0,
        sigma_bearing_deg: 0.3,
        clutter_per_scan: 10.0,
        reference_range_m: None,
        reference_rcs_m2: DEFAULT_RCS_M2,
        false_alarm_probability: DEFAULT_FALSE_ALARM_PROBABILITY,
    };
    let receiver = |node_id: u32, name: &str, position: Geodetic| AisReceiverSpec {
        node_id,
        name: name.to_string(),
        position,
        range_m: 40_000.0,
        loss_probability: 0.0,
    };
    Scenario {
        name: "busy_strait".to_string(),
        seed,
        origin,
        duration_s,
        // The median line of the strait.
        border: vec![geo(-HALF_LENGTH_M, 0.0), geo(HALF_LENGTH_M, 0.0)],
        radars: vec![
            radar(21, "radar-north", north_mast),
            radar(22, "radar-south", south_mast),
        ],
        ais_receivers: vec![
            receiver(11, "ais-north", north_mast),
            receiver(12, "ais-south", south_mast),
        ],
        vessels: (0..vessels).map(|i| vessel(seed, i, &frame)).collect(),
        border_sides: None,
        land: Vec::new(),
        ports: Vec::new(),
        zones: Vec::new(),
        checkpoints: Vec::new(),
        vehicles: Vec::new(),
    }
}

fn vessel(seed: u64, i: usize, frame: &LocalFrame) -> VesselSpec {
    let name = format!("vessel {i:04}");
    let mut rng = stream_rng(seed, &[b"busy-strait", name.as_bytes()]);
    let kind: f64 = rng.random();
    let (points, speed_kn, ship_type) = if kind < 0.70 {
        through_traffic(&mut rng)
    } else if kind < 0.85 {
        ferry(&mut rng)
    } else if kind < 0.95 {
        fishing(&mut rng)
    } else {
        anchored(&mut rng)
    };
    let dark = rng.random::<f64>() < 0.1;
    // Unique nine-digit MMSIs in the Spanish (224) and Moroccan (242) blocks.
    let mid: u32 = if i % 2 == 0 { 224 } else { 242 };
    let mmsi = mid * 1_000_000 + 100_000 + i as u32;
    VesselSpec {
        route: points
            .into_iter()
            .map(|(x, y)| frame.from_east_north(x, y, 0.0))
            .collect(),
        speed_kn,
        ais: (!dark).then(|| AisTransponderSpec {
            mmsi,
            callsign: format!("EA{i:04}"),
            shipname: format!("STRAIT {i:04}"),
            ship_type,
            gnss_sigma_m: 5.0,
            class: AisClass::A,
            off_s: None,
            on_s: None,
            spoof: None,
        }),
        rcs_m2: DEFAULT_RCS_M2,
        dwells: Vec::new(),
        name,
    }
}

type Drawn = (Vec<(f64, f64)>, f64, u8);

fn through_traffic<R: Rng>(rng: &mut R) -> Drawn {
    let lane = |rng: &mut R, eastbound: bool| {
        let y = rng.random_range(1_000.0..4_000.0);
        if eastbound { -y } else { y }
    };
    let eastbound = rng.random::<bool>();
    let x0 = rng.random_range(-HALF_LENGTH_M..HALF_LENGTH_M);
    let y0 = lane(rng, eastbound);
    let (end, back) = if eastbound {
        (HALF_LENGTH_M, -HALF_LENGTH_M)
    } else {
        (-HALF_LENGTH_M, HALF_LENGTH_M)
    };
    let y1 = lane(rng, !eastbound);
    // Along the lane, over to the other one and back: longer than an hour at any speed
    // drawn here, so nobody stops.
    let points = vec![
        (x0, y0),
        (end, y0),
        (end, y1),
        (back, y1),
        (back, y0),
        (end, y0),
    ];
    let (speed, ship_type) = if rng.random::<f64>() < 0.1 {
        (rng.random_range(25.0..35.0), 40)
    } else {
        (
            rng.random_range(8.0..22.0),
            [70, 80, 60, 79][rng.random_range(0..4)],
        )
    };
    (points, speed, ship_type)
}

fn ferry<R: Rng>(rng: &mut R) -> Drawn {
    let x = rng.random_range(-12_000.0..12_000.0);
    let shore = HALF_WIDTH_M - 500.0;
    let mut points = Vec::new();
    // Eight crossings: 19 km each, ~8 h at the slowest speed drawn.
    for k in 0..8 {
        let y = if k % 2 == 0 { -shore } else { shore };
        points.push((x + rng.random_range(-300.0..300.0), y));
    }
    (points, rng.random_range(12.0..20.0), 60)
}

fn fishing<R: Rng>(rng: &mut R) -> Drawn {
    let (cx, cy) = (
        rng.random_range(-13_000.0..13_000.0),
        rng.random_range(-8_000.0..8_000.0),
    );
    let points = (0..40)
        .map(|_| {
            (
                cx + rng.random_range(-1_000.0..1_000.0),
                cy + rng.random_range(-1_000.0..1_000.0),
            )
        })
        .collect();
    (points, rng.random_range(3.0..7.0), 30)
}

fn anchored<R: Rng>(rng: &mut R) -> Drawn {
    let (x, y) = (
        rng.random_range(-14_000.0..14_000.0),
        rng.random_range(-9_000.0..9_000.0),
    );
    (vec![(x, y), (x + 10.0, y)], 2.0, 70)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_busy_strait_is_valid_and_has_its_thousand_vessels() {
        let s = busy_strait(1);
        s.validate().unwrap();
        assert_eq!(s.vessels.len(), BUSY_STRAIT_VESSELS);
        let dark = s.vessels.iter().filter(|v| v.ais.is_none()).count();
        assert!((50..150).contains(&dark), "{dark} dark vessels");
    }

    #[test]
    fn a_vessel_is_the_same_whatever_the_count() {
        assert_eq!(
            busy_strait_with(3, 10, 60.0).vessels[..],
            busy_strait_with(3, 20, 60.0).vessels[..10]
        );
    }
}
