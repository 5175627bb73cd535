//! Zones and border lines: GeoJSON (WGS-84 longitude/latitude) read and checked once, then
//! converted to the tracker's local east/north frame, where every test is planar geometry in
//! metres.
//!
//! Outside input: the GeoJSON is walked by hand (no conversion that indexes coordinates),
//! every position is checked to be a WGS-84 longitude/latitude, and size is bounded.

use crate::config::{ConfigError, invalid};
use borderfuse_common::geo::{Geodetic, LocalFrame};
use geo::{
    Area, BoundingRect, Contains, Coord, Distance, Euclidean, LineString, MultiLineString,
    MultiPolygon, Point, Polygon, Rect,
};
use geojson::GeoJson;
use nalgebra::Vector2;
use std::io::Read;
use std::path::Path;

/// Largest GeoJSON file read, bytes (a national border at 10 m resolution is a few MB).
const MAX_FILE_BYTES: u64 = 32 << 20;

/// Most vertices in one zone or border.
const MAX_VERTICES: usize = 1_000_000;

/// Where a zone's GeoJSON comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GeoSource<'a> {
    /// Inline: a JSON object (a TOML table) or a string holding GeoJSON text.
    Inline(&'a serde_json::Value),
    /// A file.
    File(&'a Path),
}

impl GeoSource<'_> {
    /// The config key this source was given under, below `base`.
    fn key(&self, base: &str) -> String {
        match self {
            GeoSource::Inline(_) => format!("{base}.geojson"),
            GeoSource::File(_) => format!("{base}.geojson_file"),
        }
    }
}

fn read(source: &GeoSource<'_>, base: &str) -> Result<GeoJson, ConfigError> {
    let key = source.key(base);
    match source {
        GeoSource::Inline(serde_json::Value::String(text)) => text
            .parse::<GeoJson>()
            .map_err(|e| invalid(key, format!("not GeoJSON: {e}"))),
        GeoSource::Inline(value) => GeoJson::from_json_value((*value).clone())
            .map_err(|e| invalid(key, format!("not GeoJSON: {e}"))),
        GeoSource::File(path) => {
            let file = std::fs::File::open(path)
                .map_err(|e| invalid(&key, format!("cannot read {}: {e}", path.display())))?;
            let mut text = String::new();
            file.take(MAX_FILE_BYTES + 1)
                .read_to_string(&mut text)
                .map_err(|e| invalid(&key, format!("cannot read {}: {e}", path.display())))?;
            if text.len() as u64 > MAX_FILE_BYTES {
                return Err(invalid(
                    key,
                    format!(
                        "{} is larger than {} MB",
                        path.display(),
                        MAX_FILE_BYTES >> 20
                    ),
                ));
            }
            text.parse::<GeoJson>()
                .map_err(|e| invalid(key, format!("{} is not GeoJSON: {e}", path.display())))
        }
    }
}

/// Every geometry value in a GeoJSON document (features' geometries, collections flattened).
fn values(gj: &GeoJson, key: &str) -> Result<Vec<geojson::Value>, ConfigError> {
    fn push(
        g: &geojson::Geometry,
        out: &mut Vec<geojson::Value>,
        depth: usize,
        key: &str,
    ) -> Result<(), ConfigError> {
        match &g.value {
            geojson::Value::GeometryCollection(gs) => {
                if depth > 8 {
                    return Err(invalid(key, "geometry collections nested too deep"));
                }
                for g in gs {
                    push(g, out, depth + 1, key)?;
                }
            }
            v => out.push(v.clone()),
        }
        Ok(())
    }
    let mut out = Vec::new();
    match gj {
        GeoJson::Geometry(g) => push(g, &mut out, 0, key)?,
        GeoJson::Feature(f) => match &f.geometry {
            Some(g) => push(g, &mut out, 0, key)?,
            None => return Err(invalid(key, "a feature without a geometry")),
        },
        GeoJson::FeatureCollection(fc) => {
            for (i, f) in fc.features.iter().enumerate() {
                match &f.geometry {
                    Some(g) => push(g, &mut out, 0, key)?,
                    None => {
                        return Err(invalid(key, format!("feature {i} has no geometry")));
                    }
                }
            }
        }
    }
    if out.is_empty() {
        return Err(invalid(key, "holds no geometry"));
    }
    Ok(out)
}

fn type_name(v: &geojson::Value) -> &'static str {
    match v {
        geojson::Value::Point(_) => "Point",
        geojson::Value::MultiPoint(_) => "MultiPoint",
        geojson::Value::LineString(_) => "LineString",
        geojson::Value::MultiLineString(_) => "MultiLineString",
        geojson::Value::Polygon(_) => "Polygon",
        geojson::Value::MultiPolygon(_) => "MultiPolygon",
        geojson::Value::GeometryCollection(_) => "GeometryCollection",
    }
}

/// A GeoJSON position as a longitude/latitude coordinate, checked.
fn coord(p: &[f64], key: &str) -> Result<Coord<f64>, ConfigError> {
    let (Some(&lon), Some(&lat)) = (p.first(), p.get(1)) else {
        return Err(invalid(
            key,
            format!("position {p:?} has fewer than 2 numbers"),
        ));
    };
    if !Geodetic::new(lat, lon).is_valid() {
        return Err(invalid(
            key,
            format!("position [{lon}, {lat}] is not WGS-84 longitude, latitude"),
        ));
    }
    Ok(Coord { x: lon, y: lat })
}

fn ring(positions: &[Vec<f64>], key: &str) -> Result<LineString<f64>, ConfigError> {
    let coords = positions
        .iter()
        .map(|p| coord(p, key))
        .collect::<Result<Vec<_>, _>>()?;
    // GeoJSON rings are closed (first = last): at least 4 positions for a triangle.
    if coords.len() < 4 {
        return Err(invalid(
            key,
            format!(
                "a polygon ring needs at least 4 positions, got {}",
                coords.len()
            ),
        ));
    }
    Ok(LineString::new(coords))
}

fn polygon(rings: &[Vec<Vec<f64>>], key: &str) -> Result<Polygon<f64>, ConfigError> {
    let Some((exterior, interiors)) = rings.split_first() else {
        return Err(invalid(key, "a polygon without rings"));
    };
    let polygon = Polygon::new(
        ring(exterior, key)?,
        interiors
            .iter()
            .map(|r| ring(r, key))
            .collect::<Result<_, _>>()?,
    );
    let area = polygon.unsigned_area();
    if !(area.is_finite() && area > 0.0) {
        return Err(invalid(key, "a polygon of no area"));
    }
    Ok(polygon)
}

fn count_vertices(n: usize, key: &str) -> Result<(), ConfigError> {
    if n > MAX_VERTICES {
        return Err(invalid(
            key,
            format!("{n} vertices; at most {MAX_VERTICES} are accepted"),
        ));
    }
    Ok(())
}

/// Reads the polygons of an area (Polygon or MultiPolygon geometries), longitude/latitude.
/// `base` is the area's key path; errors name `base.geojson` or `base.geojson_file`.
pub fn load_areas(source: &GeoSource<'_>, base: &str) -> Result<MultiPolygon<f64>, ConfigError> {
    let gj = read(source, base)?;
    let key = source.key(base);
    let mut polygons = Vec::new();
    let mut vertices = 0;
    for v in values(&gj, &key)? {
        match &v {
            geojson::Value::Polygon(rings) => {
                vertices += rings.iter().map(Vec::len).sum::<usize>();
                count_vertices(vertices, &key)?;
                polygons.push(polygon(rings, &key)?);
            }
            geojson::Value::MultiPolygon(ps) => {
                for rings in ps {
                    vertices += rings.iter().map(Vec::len).sum::<usize>();
                    count_vertices(vertices, &key)?;
                    polygons.push(polygon(rings, &key)?);
                }
            }
            other => {
                return Err(invalid(
                    key,
                    format!(
                        "a {} where an area (Polygon or MultiPolygon) is expected",
                        type_name(other)
                    ),
                ));
            }
        }
    }
    Ok(MultiPolygon::new(polygons))
}

/// Reads the lines of a border (LineString or MultiLineString geometries),
/// longitude/latitude. `base` is the border's key path.
pub fn load_lines(source: &GeoSource<'_>, base: &str) -> Result<MultiLineString<f64>, ConfigError> {
    let gj = read(source, base)?;
    let key = source.key(base);
    let mut lines = Vec::new();
    let mut vertices = 0;
    let mut line = |positions: &[Vec<f64>]| -> Result<(), ConfigError> {
        vertices += positions.len();
        count_vertices(vertices, &key)?;
        let coords = positions
            .iter()
            .map(|p| coord(p, &key))
            .collect::<Result<Vec<_>, _>>()?;
        if coords.len() < 2 {
            return Err(invalid(&key, "a line needs at least 2 positions"));
        }
        lines.push(LineString::new(coords));
        Ok(())
    };
    for v in values(&gj, &key)? {
        match &v {
            geojson::Value::LineString(ps) => line(ps)?,
            geojson::Value::MultiLineString(ls) => {
                for ps in ls {
                    line(ps)?;
                }
            }
            other => {
                return Err(invalid(
                    &key,
                    format!(
                        "a {} where a line (LineString or MultiLineString) is expected",
                        type_name(other)
                    ),
                ));
            }
        }
    }
    Ok(MultiLineString::new(lines))
}

fn to_local(frame: &LocalFrame, c: Coord<f64>) -> Coord<f64> {
    let (x, y) = frame.to_east_north(Geodetic::new(c.y, c.x));
    Coord { x, y }
}

fn point(p: Vector2<f64>) -> Point<f64> {
    Point::new(p.x, p.y)
}

/// An area in the local frame.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalArea {
    /// Its name.
    pub name: String,
    polygons: MultiPolygon<f64>,
    bbox: Option<Rect<f64>>,
}

impl LocalArea {
    /// The area of longitude/latitude polygons `lonlat`, in `frame`.
    pub fn new(name: &str, lonlat: &MultiPolygon<f64>, frame: &LocalFrame) -> Self {
        use geo::MapCoords;
        let polygons = lonlat.map_coords(|c| to_local(frame, c));
        let bbox = polygons.bounding_rect();
        LocalArea {
            name: name.to_string(),
            polygons,
            bbox,
        }
    }

    /// Whether `p` (east, north) is inside. Non-finite points are never inside.
    pub fn contains(&self, p: Vector2<f64>) -> bool {
        let Some(bbox) = self.bbox else {
            return false;
        };
        let pt = point(p);
        p.x.is_finite() && bbox.contains(&pt) && self.polygons.contains(&pt)
    }

    /// Distance from `p` to the nearest edge (exterior or hole), metres.
    pub fn edge_distance(&self, p: Vector2<f64>) -> f64 {
        let pt = point(p);
        self.polygons
            .iter()
            .flat_map(|poly| std::iter::once(poly.exterior()).chain(poly.interiors()))
            .map(|ring| Euclidean.distance(&pt, ring))
            .fold(f64::INFINITY, f64::min)
    }
}

/// Which side of a border line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    /// Left of the line, walking it from its first point to its last.
    Left,
    /// Right of it.
    Right,
}

/// One crossing of a line by a straight movement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Crossing {
    /// The side the movement ends on.
    pub to: Side,
    /// Where it crossed (east, north).
    pub at: Vector2<f64>,
    /// How far along the movement, 0 (start) to 1 (end).
    pub fraction: f64,
}

/// A border line in the local frame.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalLine {
    /// Its name.
    pub name: String,
    lines: MultiLineString<f64>,
    bbox: Option<Rect<f64>>,
}

fn cross(a: Vector2<f64>, b: Vector2<f64>) -> f64 {
    a.x * b.y - a.y * b.x
}

impl LocalLine {
    /// The line of longitude/latitude lines `lonlat`, in `frame`.
    pub fn new(name: &str, lonlat: &MultiLineString<f64>, frame: &LocalFrame) -> Self {
        use geo::MapCoords;
        let lines = lonlat.map_coords(|c| to_local(frame, c));
        let bbox = lines.bounding_rect();
        LocalLine {
            name: name.to_string(),
            lines,
            bbox,
        }
    }

    /// Distance from `p` to the line, metres.
    pub fn distance(&self, p: Vector2<f64>) -> f64 {
        let pt = point(p);
        self.lines
            .iter()
            .map(|l| Euclidean.distance(&pt, l))
            .fold(f64::INFINITY, f64::min)
    }

    /// Which side of the line `p` is on: the side of the nearest segment, or at a vertex
    /// that is nearest, of the bisector of its two segments (so points off a bend are
    /// judged the same from both). `None` for a non-finite point or a line of no length.
    pub fn side_of(&self, p: Vector2<f64>) -> Option<Side> {
        if !(p.x.is_finite() && p.y.is_finite()) {
            return None;
        }
        let v = |c: &Coord<f64>| Vector2::new(c.x, c.y);
        let mut best: Option<(f64, Side)> = None;
        for line in self.lines.iter() {
            let coords = &line.0;
            for (k, pair) in coords.windows(2).enumerate() {
                let (a, b) = (v(&pair[0]), v(&pair[1]));
                let d = b - a;
                let len2 = d.norm_squared();
                if len2 == 0.0 {
                    continue;
                }
                let u = ((p - a).dot(&d) / len2).clamp(0.0, 1.0);
                let closest = a + u * d;
                let dist2 = (p - closest).norm_squared();
                if best.is_some_and(|(b, _)| b <= dist2) {
                    continue;
                }
                let unit = |x: Vector2<f64>| x / x.norm().max(f64::MIN_POSITIVE);
                // At an inner vertex, the direction of the line there is the bisector.
                let dir = if u == 0.0 && k > 0 {
                    coords
                        .get(k - 1)
                        .map_or(d, |prev| unit(a - v(prev)) + unit(d))
                } else if u == 1.0 {
                    coords
                        .get(k + 2)
                        .map_or(d, |next| unit(d) + unit(v(next) - b))
                } else {
                    d
                };
                let side = if cross(dir, p - closest) > 0.0 {
                    Side::Left
                } else {
                    Side::Right
                };
                best = Some((dist2, side));
            }
        }
        best.map(|(_, s)| s)
    }

    /// The crossings of the movement from `a` to `b`, in the order they happen.
    ///
    /// A crossing is a segment whose ends lie on opposite sides of the movement and a
    /// movement whose ends lie on opposite sides of the segment, with "on the line" counted
    /// as the right side throughout. Each point's side is computed once from the same
    /// numbers, so a movement through a vertex crosses once, and a track stopping exactly on
    /// the line and moving on is seen to cross (or not) exactly as if it had not stopped.
    pub fn crossings(&self, a: Vector2<f64>, b: Vector2<f64>, out: &mut Vec<Crossing>) {
        out.clear();
        let Some(bbox) = self.bbox else {
            return;
        };
        if !(a.x.is_finite() && a.y.is_finite() && b.x.is_finite() && b.y.is_finite()) {
            return;
        }
        let moved = Rect::new(Coord { x: a.x, y: a.y }, Coord { x: b.x, y: b.y });
        if !geo::Intersects::intersects(&bbox, &moved) {
            return;
        }
        let m = b - a;
        for line in self.lines.iter() {
            let mut prev: Option<(Vector2<f64>, bool)> = None;
            for c in line.coords() {
                let q = Vector2::new(c.x, c.y);
                // Which side of the movement the vertex lies on.
                let q_left = cross(m, q - a) > 0.0;
                if let Some((p, p_left)) = prev
                    && p_left != q_left
                {
                    let d = q - p;
                    let a_left = cross(d, a - p) > 0.0;
                    let b_left = cross(d, b - p) > 0.0;
                    if a_left != b_left {
                        let denom = cross(m, d);
                        let t = if denom == 0.0 {
                            0.0
                        } else {
                            (cross(p - a, d) / denom).clamp(0.0, 1.0)
                        };
                        out.push(Crossing {
                            to: if b_left { Side::Left } else { Side::Right },
                            at: a + t * m,
                            fraction: t,
                        });
                    }
                }
                prev = Some((q, q_left));
            }
        }
        out.sort_by(|x, y| x.fraction.total_cmp(&y.fraction));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn frame() -> LocalFrame {
        LocalFrame::new(Geodetic::new(37.70, 27.00))
    }

    #[test]
    fn an_inline_polygon_is_read_and_contains_what_is_inside_it() {
        let v = json!({"type": "Polygon", "coordinates": [[[27.0, 37.7], [27.01, 37.7], [27.01, 37.71], [27.0, 37.71], [27.0, 37.7]]]});
        let mp = load_areas(&GeoSource::Inline(&v), "z").unwrap();
        let area = LocalArea::new("z", &mp, &frame());
        assert!(area.contains(Vector2::new(400.0, 500.0)));
        assert!(!area.contains(Vector2::new(-10.0, 500.0)));
        assert!(!area.contains(Vector2::new(f64::NAN, 500.0)));
        assert!((area.edge_distance(Vector2::new(400.0, 500.0)) - 400.0).abs() < 2.0);
    }

    #[test]
    fn geojson_text_features_and_collections_are_all_accepted() {
        let text = json!(
            r#"{"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [[[27.0, 37.7], [27.01, 37.7], [27.0, 37.71], [27.0, 37.7]]]}},
            {"type": "Feature", "properties": {}, "geometry": {"type": "GeometryCollection", "geometries": [{"type": "MultiPolygon", "coordinates": [[[[28.0, 37.7], [28.01, 37.7], [28.0, 37.71], [28.0, 37.7]]]]}]}}
        ]}"#
        );
        let mp = load_areas(&GeoSource::Inline(&text), "z").unwrap();
        assert_eq!(mp.0.len(), 2);
    }

    #[test]
    fn bad_geojson_is_refused_naming_the_key() {
        let cases = [
            (json!("not json"), "not GeoJSON"),
            (
                json!({"type": "Point", "coordinates": [27.0, 37.7]}),
                "a Point where an area",
            ),
            (
                json!({"type": "Polygon", "coordinates": [[[27.0, 37.7], [27.01, 37.7], [27.0, 37.7]]]}),
                "at least 4 positions",
            ),
            (
                json!({"type": "Polygon", "coordinates": [[[27.0, 97.7], [27.01, 37.7], [27.0, 37.71], [27.0, 97.7]]]}),
                "not WGS-84",
            ),
            (
                json!({"type": "Polygon", "coordinates": [[[27.0, 37.7], [27.01, 37.7], [27.02, 37.7], [27.0, 37.7]]]}),
                "no area",
            ),
            (
                json!({"type": "Feature", "properties": {}, "geometry": null}),
                "without a geometry",
            ),
        ];
        for (v, why) in cases {
            let e = load_areas(&GeoSource::Inline(&v), "rules.zone_entry.zones[2]")
                .unwrap_err()
                .to_string();
            assert!(
                e.starts_with("rules.zone_entry.zones[2].geojson: ") && e.contains(why),
                "{v}: {e}"
            );
        }
        let missing = Path::new("/nonexistent/zone.geojson");
        let e = load_lines(&GeoSource::File(missing), "rules.zone_entry.borders[0]")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("rules.zone_entry.borders[0].geojson_file: cannot read"),
            "{e}"
        );
    }

    fn line(coords: &[(f64, f64)]) -> LocalLine {
        let lonlat = MultiLineString::new(vec![LineString::from(coords.to_vec())]);
        // Around the origin, 0.001° of latitude is ~111 m; use metres directly instead: a
        // frame at (0, 0) maps small lon/lat to metres ~ degrees × 111 km.
        LocalLine::new("b", &lonlat, &LocalFrame::new(Geodetic::new(0.0, 0.0)))
    }

    #[test]
    fn a_movement_across_a_line_crosses_once_with_the_side_it_ends_on() {
        // A line going north along lon 0: east of it is its right.
        let l = line(&[(0.0, -0.01), (0.0, 0.0), (0.0, 0.01)]);
        let mut out = Vec::new();
        l.crossings(
            Vector2::new(-100.0, 0.0),
            Vector2::new(100.0, 0.0),
            &mut out,
        );
        // Through the middle vertex: one crossing, not two.
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].to, Side::Right);
        assert!(out[0].at.norm() < 1e-6);
        l.crossings(
            Vector2::new(100.0, 50.0),
            Vector2::new(-100.0, 50.0),
            &mut out,
        );
        assert_eq!(out[0].to, Side::Left);
        // Past its end: no crossing.
        l.crossings(
            Vector2::new(-100.0, 5000.0),
            Vector2::new(100.0, 5000.0),
            &mut out,
        );
        assert!(out.is_empty());
        // Along it: none either.
        l.crossings(Vector2::new(0.0, -50.0), Vector2::new(0.0, 50.0), &mut out);
        assert!(out.is_empty());
        assert!((l.distance(Vector2::new(30.0, 10.0)) - 30.0).abs() < 1e-6);
        assert_eq!(l.side_of(Vector2::new(30.0, 10.0)), Some(Side::Right));
        assert_eq!(l.side_of(Vector2::new(-30.0, 10.0)), Some(Side::Left));
        assert_eq!(l.side_of(Vector2::new(f64::NAN, 10.0)), None);
    }

    #[test]
    fn off_a_sharp_bend_both_segments_agree_on_the_side() {
        // North, then sharply right, back south-south-east: the inside of the V is right of
        // both segments, and a point beyond its tip is outside, on the left of both (the
        // nearest point is the tip, and either segment alone would say "on the line").
        let l = line(&[(0.0, 0.0), (0.0, 0.01), (0.005, 0.0)]);
        assert_eq!(l.side_of(Vector2::new(0.0, 1500.0)), Some(Side::Left));
        assert_eq!(l.side_of(Vector2::new(100.0, 900.0)), Some(Side::Right));
    }
}
