//! Traffic generators: many vessels or vehicles from a few lines of a scenario file.
//!
//! ```toml
//! [[vessel_traffic]]
//! name = "strait"                  # vessels are named "strait 0000", "strait 0001", ...
//! count = 1000
//! lanes = [[{ lat_deg = 36.0, lon_deg = -5.9 }, { lat_deg = 35.95, lon_deg = -5.3 }]]
//! lane_width_m = 2000.0
//! speed_kn = [6.0, 20.0]           # uniform between the two
//! class_b_fraction = 0.2
//! dark_fraction = 0.0
//! first_mmsi = 247000000           # vessel i gets first_mmsi + i
//! two_way = false                  # lanes are sailed first point to last (a traffic
//!                                  # separation scheme); true: either way
//!
//! [vehicle_traffic]
//! count = 10000
//! countries = ["GR", "TR", "BG"]   # plates drawn in each country's current format
//! hotlisted = 100                  # vehicles on the watchlist
//! cloned = 50                      # plates also carried by a second vehicle elsewhere
//! return_fraction = 0.3            # vehicles that cross back later the same run
//! ```
//!
//! Every draw comes from the scenario seed (one stream per table), so a file always expands
//! to the same actors. Vessels start spread along their lane (each somewhere between its
//! start and 90 % of its length, offset sideways within the lane's width) so the strait is
//! busy from the first second. Vehicles cross at uniform times
//! over the run at a random checkpoint and camera-watched lane; a clone crosses a distant
//! checkpoint sooner after the original than a car could drive there.

use crate::generate::stream_rng;
use crate::scenario::{
    AisClass, AisTransponderSpec, PositionFile, Scenario, ScenarioError, VesselSpec, invalid,
    probability,
};
use crate::world::{CrossingSpec, TravelDirection, VehicleSpec, watched_lanes};
use borderfuse_common::geo::{Enu, Geodetic};
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Most vessels one `[[vessel_traffic]]` table may ask for.
pub const MAX_TRAFFIC_VESSELS: usize = 100_000;
/// Most vehicles `[vehicle_traffic]` may ask for.
pub const MAX_TRAFFIC_VEHICLES: usize = 1_000_000;
/// Road speed no car exceeds between two checkpoints (the clone test's bound), km/h.
pub const CLONE_MAX_SPEED_KMH: f64 = 130.0;
/// Road distance over great-circle distance assumed between checkpoints.
pub const CLONE_DETOUR_FACTOR: f64 = 1.3;
/// Checkpoints must be at least this far apart for `cloned` plates to be impossible to
/// drive, m.
pub const MIN_CLONE_DISTANCE_M: f64 = 10_000.0;

fn default_lane_width() -> f64 {
    1_000.0
}

fn default_first_mmsi() -> u32 {
    247_000_000
}

/// `[[vessel_traffic]]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VesselTrafficFile {
    name: String,
    count: usize,
    lanes: Vec<Vec<PositionFile>>,
    #[serde(default = "default_lane_width")]
    lane_width_m: f64,
    speed_kn: [f64; 2],
    #[serde(default)]
    class_b_fraction: f64,
    #[serde(default)]
    dark_fraction: f64,
    #[serde(default = "default_first_mmsi")]
    first_mmsi: u32,
    #[serde(default)]
    two_way: bool,
}

/// Ship types drawn for traffic, with their share and radar cross-section (m²).
const SHIP_TYPES: [(u8, f64, f64); 5] = [
    (70, 0.45, 5_000.0), // cargo
    (80, 0.20, 8_000.0), // tanker
    (60, 0.10, 3_000.0), // passenger
    (30, 0.15, 100.0),   // fishing
    (37, 0.10, 10.0),    // pleasure craft
];

impl VesselTrafficFile {
    /// The vessels this table stands for (`index` is its place among the tables).
    pub(crate) fn expand(
        &self,
        scenario: &Scenario,
        index: usize,
    ) -> Result<Vec<VesselSpec>, ScenarioError> {
        let key = format!("vessel_traffic[{index}]");
        if self.name.trim().is_empty() {
            return Err(invalid(format!("{key}.name"), "must not be empty"));
        }
        if self.count == 0 || self.count > MAX_TRAFFIC_VESSELS {
            return Err(invalid(
                format!("{key}.count"),
                format!("must be 1-{MAX_TRAFFIC_VESSELS}, got {}", self.count),
            ));
        }
        if self.lanes.is_empty() {
            return Err(invalid(format!("{key}.lanes"), "needs at least one lane"));
        }
        let frame = scenario.frame();
        let mut lanes = Vec::with_capacity(self.lanes.len());
        for (i, lane) in self.lanes.iter().enumerate() {
            if lane.len() < 2 {
                return Err(invalid(
                    format!("{key}.lanes[{i}]"),
                    format!("needs at least 2 points, got {}", lane.len()),
                ));
            }
            let mut points = Vec::with_capacity(lane.len());
            for (j, p) in lane.iter().enumerate() {
                let g = Geodetic::from(*p);
                crate::scenario::position(&format!("{key}.lanes[{i}][{j}]"), &g)?;
                points.push(frame.to_east_north(g));
            }
            if polyline_length(&points) < 1.0 {
                return Err(invalid(format!("{key}.lanes[{i}]"), "has no length"));
            }
            lanes.push(points);
        }
        let width_ok =
            self.lane_width_m.is_finite() && (0.0..=100_000.0).contains(&self.lane_width_m);
        if !width_ok {
            return Err(invalid(
                format!("{key}.lane_width_m"),
                format!("must be 0-100000, got {}", self.lane_width_m),
            ));
        }
        let [low, high] = self.speed_kn;
        let speeds_ok = low.is_finite()
            && high.is_finite()
            && 0.0 < low
            && low <= high
            && high <= crate::scenario::MAX_SPEED_KN;
        if !speeds_ok {
            return Err(invalid(
                format!("{key}.speed_kn"),
                format!(
                    "must be [low, high] with 0 < low <= high <= {}, got [{low}, {high}]",
                    crate::scenario::MAX_SPEED_KN
                ),
            ));
        }
        probability(
            &format!("{key}.class_b_fraction"),
            self.class_b_fraction,
            true,
        )?;
        probability(&format!("{key}.dark_fraction"), self.dark_fraction, true)?;
        let last_mmsi = u64::from(self.first_mmsi) + self.count as u64 - 1;
        if self.first_mmsi < 100_000_000 || last_mmsi > 999_999_999 {
            return Err(invalid(
                format!("{key}.first_mmsi"),
                format!(
                    "first_mmsi + count - 1 must stay within nine digits, got {} .. {last_mmsi}",
                    self.first_mmsi
                ),
            ));
        }

        let mut rng = stream_rng(
            scenario.seed,
            &[b"vessel-traffic", &(index as u64).to_le_bytes()],
        );
        let mut vessels = Vec::with_capacity(self.count);
        for i in 0..self.count {
            let mut points = lanes[rng.random_range(0..lanes.len())].clone();
            // Always draw, so that two_way changes directions and nothing else.
            let reverse: bool = rng.random();
            if self.two_way && reverse {
                points.reverse();
            }
            let offset = (rng.random::<f64>() - 0.5) * self.lane_width_m;
            let points = shifted_sideways(&points, offset);
            let start = rng.random::<f64>() * 0.9 * polyline_length(&points);
            let route_xy = from_distance(&points, start);
            let speed_kn = low + rng.random::<f64>() * (high - low);
            let draw: f64 = rng.random();
            let mut acc = 0.0;
            let (ship_type, rcs_m2) = SHIP_TYPES
                .iter()
                .find(|(_, share, _)| {
                    acc += share;
                    draw < acc
                })
                .map_or((70, 5_000.0), |&(t, _, rcs)| (t, rcs));
            let dark = rng.random::<f64>() < self.dark_fraction;
            let class_b = rng.random::<f64>() < self.class_b_fraction;
            let mmsi = self.first_mmsi + i as u32;
            let name = format!("{} {i:04}", self.name);
            let ais = (!dark).then(|| AisTransponderSpec {
                mmsi,
                callsign: format!("TR{:05}", i % 100_000),
                shipname: ais_name(&name),
                ship_type,
                gnss_sigma_m: 5.0,
                class: if class_b { AisClass::B } else { AisClass::A },
                off_s: None,
                on_s: None,
                spoof: None,
            });
            vessels.push(VesselSpec {
                name,
                route: route_xy
                    .into_iter()
                    .map(|(x, y)| {
                        frame.to_geodetic(Enu {
                            east_m: x,
                            north_m: y,
                            up_m: 0.0,
                        })
                    })
                    .collect(),
                speed_kn,
                ais,
                rcs_m2,
                dwells: Vec::new(),
            });
        }
        Ok(vessels)
    }
}

/// A name in the AIS six-bit table, at most 20 characters.
fn ais_name(name: &str) -> String {
    name.to_ascii_uppercase()
        .chars()
        .map(|c| {
            if (' '..='_').contains(&c) && c != '@' {
                c
            } else {
                ' '
            }
        })
        .take(20)
        .collect()
}

fn polyline_length(points: &[(f64, f64)]) -> f64 {
    points
        .windows(2)
        .map(|w| (w[1].0 - w[0].0).hypot(w[1].1 - w[0].1))
        .sum()
}

/// The polyline moved `offset` metres to the right of its overall direction.
fn shifted_sideways(points: &[(f64, f64)], offset: f64) -> Vec<(f64, f64)> {
    let (Some(a), Some(b)) = (points.first(), points.last()) else {
        return points.to_vec();
    };
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len = dx.hypot(dy);
    if len == 0.0 {
        return points.to_vec();
    }
    // Right of (dx, dy) in east/north is (dy, -dx).
    let (rx, ry) = (dy / len * offset, -dx / len * offset);
    points.iter().map(|&(x, y)| (x + rx, y + ry)).collect()
}

/// The rest of the polyline from `distance` metres along it.
fn from_distance(points: &[(f64, f64)], distance: f64) -> Vec<(f64, f64)> {
    let mut left = distance;
    for (i, w) in points.windows(2).enumerate() {
        let leg = (w[1].0 - w[0].0).hypot(w[1].1 - w[0].1);
        if left < leg && leg > 0.0 {
            let f = left / leg;
            let start = (
                w[0].0 + f * (w[1].0 - w[0].0),
                w[0].1 + f * (w[1].1 - w[0].1),
            );
            let mut out = vec![start];
            out.extend_from_slice(&points[i + 1..]);
            return out;
        }
        left -= leg;
    }
    points.to_vec()
}

fn default_countries() -> Vec<String> {
    vec!["GR".to_string()]
}

/// `[vehicle_traffic]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VehicleTrafficFile {
    count: usize,
    #[serde(default = "default_countries")]
    countries: Vec<String>,
    #[serde(default)]
    hotlisted: usize,
    #[serde(default)]
    cloned: usize,
    #[serde(default)]
    return_fraction: f64,
}

/// How a country's current plates are written: `L` a letter of `letters`, `D` a digit.
pub(crate) fn plate_pattern(country: &str) -> (&'static str, &'static str) {
    const LATIN: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    match country {
        // The 14 letters Greek and Latin share.
        "GR" => ("LLLDDDD", "ABEHIKMNOPTXYZ"),
        // Cyrillic letters with Latin look-alikes.
        "BG" => ("LLDDDDLL", "ABEKMHOPCTYX"),
        "TR" => ("DDLLDDD", "ABCDEFGHIJKLMNOPRSTUVYZ"),
        "DE" => ("LLLLDDD", LATIN),
        "FR" => ("LLDDDLL", LATIN),
        "IT" => ("LLDDDLL", "ABCDEFGHJKLMNPRSTVWXYZ"),
        "ES" => ("DDDDLLL", "BCDFGHJKLMNPRSTVWXYZ"),
        "PL" => ("LLDDDDD", LATIN),
        _ => ("LLDDDD", LATIN),
    }
}

fn draw_plate<R: Rng>(rng: &mut R, country: &str) -> String {
    let (pattern, letters) = plate_pattern(country);
    let letters = letters.as_bytes();
    pattern
        .bytes()
        .map(|p| match p {
            b'L' => char::from(letters[rng.random_range(0..letters.len())]),
            _ => char::from(b'0' + rng.random_range(0..10u8)),
        })
        .collect()
}

impl VehicleTrafficFile {
    /// The vehicles this table stands for.
    pub(crate) fn expand(&self, scenario: &Scenario) -> Result<Vec<VehicleSpec>, ScenarioError> {
        let key = "vehicle_traffic";
        if self.count == 0 || self.count > MAX_TRAFFIC_VEHICLES {
            return Err(invalid(
                format!("{key}.count"),
                format!("must be 1-{MAX_TRAFFIC_VEHICLES}, got {}", self.count),
            ));
        }
        if scenario.checkpoints.is_empty() {
            return Err(invalid(key, "needs at least one [[checkpoints]]"));
        }
        if self.countries.is_empty() {
            return Err(invalid(format!("{key}.countries"), "needs at least one"));
        }
        for (i, c) in self.countries.iter().enumerate() {
            if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(invalid(
                    format!("{key}.countries[{i}]"),
                    format!("must be an ISO 3166-1 alpha-2 code, got {c:?}"),
                ));
            }
        }
        if self.hotlisted + self.cloned > self.count {
            return Err(invalid(
                format!("{key}.cloned"),
                format!(
                    "hotlisted + cloned must not exceed count ({}), got {} + {}",
                    self.count, self.hotlisted, self.cloned
                ),
            ));
        }
        probability(
            &format!("{key}.return_fraction"),
            self.return_fraction,
            true,
        )?;
        let frame = scenario.frame();
        let sites: Vec<(f64, f64)> = scenario
            .checkpoints
            .iter()
            .map(|c| frame.to_east_north(c.position))
            .collect();
        let farthest = |i: usize| {
            (0..sites.len())
                .map(|j| (j, (sites[i].0 - sites[j].0).hypot(sites[i].1 - sites[j].1)))
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .unwrap_or((i, 0.0))
        };
        if self.cloned > 0 && (0..sites.len()).all(|i| farthest(i).1 < MIN_CLONE_DISTANCE_M) {
            return Err(invalid(
                format!("{key}.cloned"),
                format!(
                    "needs two checkpoints at least {} km apart",
                    MIN_CLONE_DISTANCE_M / 1000.0
                ),
            ));
        }

        let duration = scenario.duration_s;
        let mut rng = stream_rng(scenario.seed, &[b"vehicle-traffic"]);
        let mut plates: HashSet<String> =
            scenario.vehicles.iter().map(|v| v.plate.clone()).collect();
        let mut vehicles = Vec::with_capacity(self.count + self.cloned);
        let crossing = |rng: &mut rand_chacha::ChaCha8Rng,
                        checkpoint: usize,
                        preferred: TravelDirection,
                        t_s: f64|
         -> Option<CrossingSpec> {
            let c = &scenario.checkpoints[checkpoint];
            let other = match preferred {
                TravelDirection::Entering => TravelDirection::Leaving,
                TravelDirection::Leaving => TravelDirection::Entering,
            };
            [preferred, other].into_iter().find_map(|direction| {
                let lanes = watched_lanes(c, direction);
                (!lanes.is_empty()).then(|| CrossingSpec {
                    checkpoint: c.id.clone(),
                    t_s,
                    lane: lanes[rng.random_range(0..lanes.len())],
                    direction,
                })
            })
        };
        for i in 0..self.count {
            let country = &self.countries[rng.random_range(0..self.countries.len())];
            let mut plate = draw_plate(&mut rng, country);
            // Plates are unique per vehicle (clones are made on purpose below).
            while !plates.insert(plate.clone()) {
                plate = draw_plate(&mut rng, country);
            }
            let checkpoint = rng.random_range(0..sites.len());
            let direction = if rng.random::<bool>() {
                TravelDirection::Entering
            } else {
                TravelDirection::Leaving
            };
            let t = rng.random::<f64>() * duration * 0.95;
            let mut crossings: Vec<CrossingSpec> = crossing(&mut rng, checkpoint, direction, t)
                .into_iter()
                .collect();
            if rng.random::<f64>() < self.return_fraction {
                let back = t + 3_600.0 + rng.random::<f64>() * 7.0 * 3_600.0;
                let reverse = match direction {
                    TravelDirection::Entering => TravelDirection::Leaving,
                    TravelDirection::Leaving => TravelDirection::Entering,
                };
                if back < duration {
                    crossings.extend(crossing(&mut rng, checkpoint, reverse, back));
                }
            }
            vehicles.push(VehicleSpec {
                plate,
                country: country.clone(),
                hotlisted: i < self.hotlisted,
                crossings,
            });
        }
        for k in 0..self.cloned {
            let original = &vehicles[self.hotlisted + k];
            let Some(first) = original.crossings.first() else {
                continue;
            };
            let Some(at) = scenario
                .checkpoints
                .iter()
                .position(|c| c.id == first.checkpoint)
            else {
                continue;
            };
            let (far, distance_m) = farthest(at);
            let min_travel_s = distance_m * CLONE_DETOUR_FACTOR / (CLONE_MAX_SPEED_KMH / 3.6);
            // Well inside the impossible: between a tenth and half the fastest drive.
            let gap = min_travel_s * (0.1 + 0.4 * rng.random::<f64>());
            let t = if first.t_s + gap < duration {
                first.t_s + gap
            } else {
                (first.t_s - gap).max(0.0)
            };
            let direction = first.direction;
            let clone = VehicleSpec {
                plate: original.plate.clone(),
                country: original.country.clone(),
                hotlisted: false,
                crossings: crossing(&mut rng, far, direction, t).into_iter().collect(),
            };
            vehicles.push(clone);
        }
        Ok(vehicles)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plates_follow_their_country_pattern() {
        let mut rng = stream_rng(1, &[b"t"]);
        for _ in 0..100 {
            let p = draw_plate(&mut rng, "GR");
            assert_eq!(p.len(), 7);
            assert!(p[..3].chars().all(|c| "ABEHIKMNOPTXYZ".contains(c)), "{p}");
            assert!(p[3..].chars().all(|c| c.is_ascii_digit()), "{p}");
        }
    }

    #[test]
    fn a_route_can_start_part_way_along_a_lane() {
        let lane = [(0.0, 0.0), (100.0, 0.0), (100.0, 100.0)];
        assert_eq!(
            from_distance(&lane, 50.0),
            vec![(50.0, 0.0), (100.0, 0.0), (100.0, 100.0)]
        );
        assert_eq!(
            from_distance(&lane, 150.0),
            vec![(100.0, 50.0), (100.0, 100.0)]
        );
        let right = shifted_sideways(&[(0.0, 0.0), (0.0, 100.0)], 10.0);
        assert_eq!(right, vec![(10.0, 0.0), (10.0, 100.0)]);
    }
}
