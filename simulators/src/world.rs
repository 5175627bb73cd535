//! The scene around the sensors: land, ports and watched zones (polygons, from GeoJSON or
//! listed points), the names of the border's two sides, and land checkpoints with their
//! plate cameras and the vehicles that cross them.
//!
//! These are plain data like the rest of [`crate::scenario`]; the file shapes below mirror
//! them with `deny_unknown_fields`, and validation names the key path of the first problem.

use crate::scenario::{PositionFile, ScenarioError, invalid, position, probability};
use borderfuse_common::geo::{Geodetic, LocalFrame};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// A named polygon: a piece of land, a port area or a zone that is watched.
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    /// Name, unique among areas of its kind.
    pub name: String,
    /// Outer ring (not repeating its first point at the end); holes are not kept.
    pub polygon: Vec<Geodetic>,
}

impl Area {
    /// The ring in `frame`, metres east/north.
    pub fn ring(&self, frame: &LocalFrame) -> Vec<(f64, f64)> {
        self.polygon
            .iter()
            .map(|p| frame.to_east_north(*p))
            .collect()
    }

    /// The polygon as GeoJSON geometry text (closed ring, `[lon, lat]`), as the agent's
    /// zone configuration reads it.
    pub fn to_geojson(&self) -> String {
        let mut ring: Vec<[f64; 2]> = self
            .polygon
            .iter()
            .map(|p| [p.lon_deg, p.lat_deg])
            .collect();
        if let Some(&first) = ring.first() {
            ring.push(first);
        }
        serde_json::json!({ "type": "Polygon", "coordinates": [ring] }).to_string()
    }
}

/// Whether `(x, y)` is inside `ring` (even-odd rule; a point on an edge may go either way).
pub fn inside(ring: &[(f64, f64)], (x, y): (f64, f64)) -> bool {
    let mut inside = false;
    let n = ring.len();
    for i in 0..n {
        let (xi, yi) = ring[i];
        let (xj, yj) = ring[(i + n - 1) % n];
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            inside = !inside;
        }
    }
    inside
}

/// Names of the two sides of the border line, and which crossings the agent should alert
/// on.
#[derive(Debug, Clone, PartialEq)]
pub struct BorderSides {
    /// The side on the left of the line walked from its first point to its last.
    pub left: String,
    /// The side on its right.
    pub right: String,
    /// Crossings into this side are expected to raise `zone_entry` (`None`: none are).
    pub alert_into: Option<String>,
}

/// Direction of travel through a checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TravelDirection {
    /// Into the post's country.
    Entering,
    /// Out of it.
    Leaving,
}

impl TravelDirection {
    /// As camera JSON says it.
    pub fn as_str(self) -> &'static str {
        match self {
            TravelDirection::Entering => "entering",
            TravelDirection::Leaving => "leaving",
        }
    }
}

/// A plate camera over one lane, one direction.
#[derive(Debug, Clone, PartialEq)]
pub struct CameraSpec {
    /// Camera id (unique in the scenario), e.g. `kipoi-l1-in`.
    pub id: String,
    /// Lane it watches.
    pub lane: u8,
    /// Direction of the traffic it reads.
    pub direction: TravelDirection,
    /// When the camera sits behind a plate-reader node: the node's id (its reads go out as
    /// `PlateRead` frames); otherwise it pushes JSON itself.
    pub node_id: Option<u32>,
    /// Probability that a passing plate is read at all, `(0, 1]`.
    pub read_probability: f64,
    /// Probability that a read's best reading has one OCR confusion (O/0, I/1, B/8, S/5,
    /// Z/2), `[0, 1]`.
    pub misread_probability: f64,
}

/// A land border checkpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckpointSpec {
    /// Id (unique), as the agent's `[[plates.checkpoint]] id`.
    pub id: String,
    /// Where it is.
    pub position: Geodetic,
    /// ISO 3166-1 alpha-2 code of the post's country.
    pub country: String,
    /// Its cameras.
    pub cameras: Vec<CameraSpec>,
}

/// One passage of a vehicle through a checkpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct CrossingSpec {
    /// Checkpoint id.
    pub checkpoint: String,
    /// When, seconds since the scenario start.
    pub t_s: f64,
    /// Lane taken.
    pub lane: u8,
    /// Direction.
    pub direction: TravelDirection,
}

/// A vehicle and its crossings. Two vehicles with the same plate are a cloned plate.
#[derive(Debug, Clone, PartialEq)]
pub struct VehicleSpec {
    /// The plate as issued: upper-case letters and digits, no separators.
    pub plate: String,
    /// ISO 3166-1 alpha-2 code of the plate's country.
    pub country: String,
    /// On the partners' watchlist.
    pub hotlisted: bool,
    /// Its passages, in any order.
    pub crossings: Vec<CrossingSpec>,
}

// ---- file shapes ----

/// An area in the file: `geojson` (a Polygon, or a Feature or one-feature collection of
/// one) or `polygon` (a list of positions), exactly one of them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AreaFile {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    geojson: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    polygon: Option<Vec<PositionFile>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BorderSidesFile {
    left: String,
    right: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    alert_into: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CameraFile {
    id: String,
    lane: u8,
    direction: TravelDirection,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    node_id: Option<u32>,
    #[serde(default = "one")]
    read_probability: f64,
    #[serde(default)]
    misread_probability: f64,
}

fn one() -> f64 {
    1.0
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CheckpointFile {
    id: String,
    position: PositionFile,
    country: String,
    cameras: Vec<CameraFile>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CrossingFile {
    checkpoint: String,
    t_s: f64,
    lane: u8,
    direction: TravelDirection,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VehicleFile {
    plate: String,
    country: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    hotlisted: bool,
    crossings: Vec<CrossingFile>,
}

impl AreaFile {
    /// The area, or why its shape cannot be read (`key` is its path in the file).
    pub(crate) fn into_area(self, key: &str) -> Result<Area, ScenarioError> {
        let polygon = match (self.geojson, self.polygon) {
            (Some(text), None) => polygon_of_geojson(&format!("{key}.geojson"), &text)?,
            (None, Some(points)) => points.into_iter().map(Geodetic::from).collect(),
            _ => {
                return Err(invalid(
                    key,
                    "needs exactly one of `geojson` (a GeoJSON Polygon) and `polygon` (a list \
                     of positions)",
                ));
            }
        };
        Ok(Area {
            name: self.name,
            polygon,
        })
    }

    pub(crate) fn of(area: &Area) -> AreaFile {
        AreaFile {
            name: area.name.clone(),
            geojson: None,
            polygon: Some(area.polygon.iter().map(PositionFile::from).collect()),
        }
    }
}

fn polygon_of_geojson(key: &str, text: &str) -> Result<Vec<Geodetic>, ScenarioError> {
    let parsed: geojson::GeoJson = text
        .parse()
        .map_err(|e| invalid(key, format!("is not GeoJSON: {e}")))?;
    let geometry = match parsed {
        geojson::GeoJson::Geometry(g) => Some(g),
        geojson::GeoJson::Feature(f) => f.geometry,
        geojson::GeoJson::FeatureCollection(c) if c.features.len() == 1 => {
            c.features.into_iter().next().and_then(|f| f.geometry)
        }
        geojson::GeoJson::FeatureCollection(c) => {
            return Err(invalid(
                key,
                format!("must hold one polygon, got {} features", c.features.len()),
            ));
        }
    };
    let Some(geojson::Geometry {
        value: geojson::Value::Polygon(rings),
        ..
    }) = geometry
    else {
        return Err(invalid(key, "must be a Polygon"));
    };
    let Some(outer) = rings.into_iter().next() else {
        return Err(invalid(key, "has no ring"));
    };
    let mut points: Vec<Geodetic> = outer
        .iter()
        .map(|c| {
            let (lon, lat) = (c.first().copied(), c.get(1).copied());
            Geodetic::new(lat.unwrap_or(f64::NAN), lon.unwrap_or(f64::NAN))
        })
        .collect();
    // GeoJSON closes its rings; the scene keeps them open.
    if points.len() > 1 && points.first() == points.last() {
        points.pop();
    }
    Ok(points)
}

impl From<BorderSidesFile> for BorderSides {
    fn from(f: BorderSidesFile) -> Self {
        BorderSides {
            left: f.left,
            right: f.right,
            alert_into: f.alert_into,
        }
    }
}

impl From<&BorderSides> for BorderSidesFile {
    fn from(b: &BorderSides) -> Self {
        BorderSidesFile {
            left: b.left.clone(),
            right: b.right.clone(),
            alert_into: b.alert_into.clone(),
        }
    }
}

impl From<CheckpointFile> for CheckpointSpec {
    fn from(f: CheckpointFile) -> Self {
        CheckpointSpec {
            id: f.id,
            position: f.position.into(),
            country: f.country,
            cameras: f
                .cameras
                .into_iter()
                .map(|c| CameraSpec {
                    id: c.id,
                    lane: c.lane,
                    direction: c.direction,
                    node_id: c.node_id,
                    read_probability: c.read_probability,
                    misread_probability: c.misread_probability,
                })
                .collect(),
        }
    }
}

impl From<&CheckpointSpec> for CheckpointFile {
    fn from(c: &CheckpointSpec) -> Self {
        CheckpointFile {
            id: c.id.clone(),
            position: (&c.position).into(),
            country: c.country.clone(),
            cameras: c
                .cameras
                .iter()
                .map(|c| CameraFile {
                    id: c.id.clone(),
                    lane: c.lane,
                    direction: c.direction,
                    node_id: c.node_id,
                    read_probability: c.read_probability,
                    misread_probability: c.misread_probability,
                })
                .collect(),
        }
    }
}

impl From<VehicleFile> for VehicleSpec {
    fn from(f: VehicleFile) -> Self {
        VehicleSpec {
            plate: f.plate,
            country: f.country,
            hotlisted: f.hotlisted,
            crossings: f
                .crossings
                .into_iter()
                .map(|c| CrossingSpec {
                    checkpoint: c.checkpoint,
                    t_s: c.t_s,
                    lane: c.lane,
                    direction: c.direction,
                })
                .collect(),
        }
    }
}

impl From<&VehicleSpec> for VehicleFile {
    fn from(v: &VehicleSpec) -> Self {
        VehicleFile {
            plate: v.plate.clone(),
            country: v.country.clone(),
            hotlisted: v.hotlisted,
            crossings: v
                .crossings
                .iter()
                .map(|c| CrossingFile {
                    checkpoint: c.checkpoint.clone(),
                    t_s: c.t_s,
                    lane: c.lane,
                    direction: c.direction,
                })
                .collect(),
        }
    }
}

// ---- validation ----

/// Checks a list of areas (`key` is the list's name in the file, e.g. `ports`).
pub(crate) fn validate_areas(key: &str, areas: &[Area]) -> Result<(), ScenarioError> {
    let mut names = HashMap::new();
    for (i, a) in areas.iter().enumerate() {
        let key = format!("{key}[{i}]");
        if a.name.trim().is_empty() {
            return Err(invalid(format!("{key}.name"), "must not be empty"));
        }
        if let Some(first) = names.insert(a.name.as_str(), i) {
            return Err(invalid(
                format!("{key}.name"),
                format!("duplicates [{first}].name ({:?})", a.name),
            ));
        }
        if a.polygon.len() < 3 {
            return Err(invalid(
                format!("{key}.polygon"),
                format!("needs at least 3 points, got {}", a.polygon.len()),
            ));
        }
        for (j, p) in a.polygon.iter().enumerate() {
            position(&format!("{key}.polygon[{j}]"), p)?;
        }
    }
    Ok(())
}

/// Checks the border's side names.
pub(crate) fn validate_border_sides(sides: &BorderSides) -> Result<(), ScenarioError> {
    if sides.left.trim().is_empty() || sides.right.trim().is_empty() || sides.left == sides.right {
        return Err(invalid(
            "border_sides",
            format!(
                "left and right must be two different non-empty names, got {:?} and {:?}",
                sides.left, sides.right
            ),
        ));
    }
    if let Some(into) = &sides.alert_into
        && *into != sides.left
        && *into != sides.right
    {
        return Err(invalid(
            "border_sides.alert_into",
            format!(
                "must be {:?} or {:?}, got {into:?}",
                sides.left, sides.right
            ),
        ));
    }
    Ok(())
}

fn country_code(key: &str, code: &str) -> Result<(), ScenarioError> {
    if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(invalid(
            key,
            format!("must be an ISO 3166-1 alpha-2 code (two upper-case letters), got {code:?}"),
        ));
    }
    Ok(())
}

/// Longest plate accepted, characters (what cameras and the node frame carry).
pub const MAX_PLATE_LEN: usize = 10;

/// Checks checkpoints and vehicles against each other and the scenario's duration; camera
/// node ids go through `node` (which checks them against every other node id).
pub(crate) fn validate_checkpoints(
    checkpoints: &[CheckpointSpec],
    vehicles: &[VehicleSpec],
    duration_s: f64,
    mut node: impl FnMut(&str, u32) -> Result<(), ScenarioError>,
) -> Result<(), ScenarioError> {
    let mut ids: HashMap<&str, usize> = HashMap::new();
    let mut camera_ids: HashMap<&str, String> = HashMap::new();
    for (i, c) in checkpoints.iter().enumerate() {
        let key = format!("checkpoints[{i}]");
        if c.id.trim().is_empty() {
            return Err(invalid(format!("{key}.id"), "must not be empty"));
        }
        if let Some(first) = ids.insert(&c.id, i) {
            return Err(invalid(
                format!("{key}.id"),
                format!("duplicates checkpoints[{first}].id ({:?})", c.id),
            ));
        }
        position(&format!("{key}.position"), &c.position)?;
        country_code(&format!("{key}.country"), &c.country)?;
        if c.cameras.is_empty() {
            return Err(invalid(
                format!("{key}.cameras"),
                "needs at least one camera",
            ));
        }
        for (j, cam) in c.cameras.iter().enumerate() {
            let key = format!("{key}.cameras[{j}]");
            if cam.id.trim().is_empty() {
                return Err(invalid(format!("{key}.id"), "must not be empty"));
            }
            if let Some(first) = camera_ids.insert(&cam.id, key.clone()) {
                return Err(invalid(
                    format!("{key}.id"),
                    format!("duplicates {first}.id ({:?})", cam.id),
                ));
            }
            if let Some(id) = cam.node_id {
                node(&key, id)?;
            }
            probability(
                &format!("{key}.read_probability"),
                cam.read_probability,
                false,
            )?;
            probability(
                &format!("{key}.misread_probability"),
                cam.misread_probability,
                true,
            )?;
        }
    }
    for (i, v) in vehicles.iter().enumerate() {
        let key = format!("vehicles[{i}]");
        let plate_ok = !v.plate.is_empty()
            && v.plate.len() <= MAX_PLATE_LEN
            && v.plate
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if !plate_ok {
            return Err(invalid(
                format!("{key}.plate"),
                format!(
                    "must be 1-{MAX_PLATE_LEN} upper-case letters and digits, got {:?}",
                    v.plate
                ),
            ));
        }
        country_code(&format!("{key}.country"), &v.country)?;
        if v.crossings.is_empty() {
            return Err(invalid(
                format!("{key}.crossings"),
                "needs at least one crossing",
            ));
        }
        for (j, x) in v.crossings.iter().enumerate() {
            let key = format!("{key}.crossings[{j}]");
            let Some(&c) = ids.get(x.checkpoint.as_str()) else {
                return Err(invalid(
                    format!("{key}.checkpoint"),
                    format!("names no checkpoint: {:?}", x.checkpoint),
                ));
            };
            if !(x.t_s.is_finite() && (0.0..duration_s).contains(&x.t_s)) {
                return Err(invalid(
                    format!("{key}.t_s"),
                    format!("must be in [0, duration_s = {duration_s}), got {}", x.t_s),
                ));
            }
            let watched = checkpoints[c]
                .cameras
                .iter()
                .any(|cam| cam.lane == x.lane && cam.direction == x.direction);
            if !watched {
                return Err(invalid(
                    format!("{key}.lane"),
                    format!(
                        "lane {} {} at {:?} has no camera",
                        x.lane,
                        x.direction.as_str(),
                        x.checkpoint
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The lanes with a camera for `direction` at `checkpoint`, in order, without repeats.
pub fn watched_lanes(checkpoint: &CheckpointSpec, direction: TravelDirection) -> Vec<u8> {
    let mut seen = HashSet::new();
    checkpoint
        .cameras
        .iter()
        .filter(|c| c.direction == direction && seen.insert(c.lane))
        .map(|c| c.lane)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_point_is_inside_a_square_and_not_outside_it() {
        let square = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)];
        assert!(inside(&square, (5.0, 5.0)));
        assert!(!inside(&square, (15.0, 5.0)));
        assert!(!inside(&square, (5.0, -1.0)));
    }

    #[test]
    fn geojson_polygons_features_and_collections_are_read() {
        let ring = "[[[27.0,37.0],[27.1,37.0],[27.1,37.1],[27.0,37.0]]]";
        let texts = [
            format!(r#"{{"type":"Polygon","coordinates":{ring}}}"#),
            format!(
                r#"{{"type":"Feature","properties":{{}},"geometry":{{"type":"Polygon","coordinates":{ring}}}}}"#
            ),
            format!(
                r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{}},"geometry":{{"type":"Polygon","coordinates":{ring}}}}}]}}"#
            ),
        ];
        for text in texts {
            let p = polygon_of_geojson("zones[0].geojson", &text).unwrap();
            assert_eq!(p.len(), 3, "{text}");
            assert_eq!((p[1].lat_deg, p[1].lon_deg), (37.0, 27.1));
        }
    }

    #[test]
    fn geojson_that_is_not_one_polygon_is_refused_naming_the_key() {
        for text in [
            "not json",
            r#"{"type":"LineString","coordinates":[[27.0,37.0],[27.1,37.0]]}"#,
            r#"{"type":"FeatureCollection","features":[]}"#,
        ] {
            let err = polygon_of_geojson("ports[1].geojson", text).unwrap_err();
            assert!(err.to_string().starts_with("ports[1].geojson "), "{err}");
        }
    }

    #[test]
    fn an_area_written_as_geojson_reads_back() {
        let area = Area {
            name: "a".into(),
            polygon: vec![
                Geodetic::new(37.0, 27.0),
                Geodetic::new(37.0, 27.1),
                Geodetic::new(37.1, 27.1),
            ],
        };
        let back = polygon_of_geojson("x", &area.to_geojson()).unwrap();
        assert_eq!(back, area.polygon);
    }
}
