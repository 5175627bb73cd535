//! WGS-84 geodetic coordinates ↔ a local east/north/up (ENU) frame.
//!
//! The tracker works in metres in a flat frame tangent to the ellipsoid at a configured origin
//! (the post). Conversions go through Earth-centred Earth-fixed (ECEF) coordinates, in closed
//! form both ways (Heikkinen 1982 for ECEF → geodetic), so they are exact to well below a
//! millimetre anywhere a border post can be; `common/tests/geodesy.rs` checks them against
//! GeographicLib's `LocalCartesian`.

use libm::{asin, atan, atan2, cbrt, cos, sin, sqrt};

/// WGS-84 semi-major axis, metres.
pub const WGS84_A: f64 = 6_378_137.0;
/// WGS-84 flattening.
pub const WGS84_F: f64 = 1.0 / 298.257_223_563;
/// First eccentricity squared.
const E2: f64 = WGS84_F * (2.0 - WGS84_F);
/// Semi-minor axis, metres.
const WGS84_B: f64 = WGS84_A * (1.0 - WGS84_F);

/// A WGS-84 position: latitude and longitude in degrees, height above the ellipsoid in metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geodetic {
    /// Latitude, degrees, positive north.
    pub lat_deg: f64,
    /// Longitude, degrees, positive east.
    pub lon_deg: f64,
    /// Height above the WGS-84 ellipsoid, metres.
    pub alt_m: f64,
}

impl Geodetic {
    /// A position on the ellipsoid (height 0).
    pub const fn new(lat_deg: f64, lon_deg: f64) -> Self {
        Geodetic {
            lat_deg,
            lon_deg,
            alt_m: 0.0,
        }
    }

    /// A position at `alt_m` metres above the ellipsoid.
    pub const fn with_alt(lat_deg: f64, lon_deg: f64, alt_m: f64) -> Self {
        Geodetic {
            lat_deg,
            lon_deg,
            alt_m,
        }
    }

    /// Whether latitude is in `[-90, 90]`, longitude in `[-180, 180]` and all are finite.
    pub fn is_valid(&self) -> bool {
        self.lat_deg.is_finite()
            && self.lon_deg.is_finite()
            && self.alt_m.is_finite()
            && (-90.0..=90.0).contains(&self.lat_deg)
            && (-180.0..=180.0).contains(&self.lon_deg)
    }
}

/// Earth-centred Earth-fixed coordinates, metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ecef {
    /// Towards latitude 0, longitude 0.
    pub x: f64,
    /// Towards latitude 0, longitude 90° E.
    pub y: f64,
    /// Towards the north pole.
    pub z: f64,
}

/// A position in a local frame: metres east, north and up of its origin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Enu {
    /// Metres east of the origin.
    pub east_m: f64,
    /// Metres north of the origin.
    pub north_m: f64,
    /// Metres up from the origin, along the ellipsoid normal at the origin.
    pub up_m: f64,
}

/// WGS-84 geodetic → ECEF.
pub fn geodetic_to_ecef(p: Geodetic) -> Ecef {
    let (lat, lon) = (p.lat_deg.to_radians(), p.lon_deg.to_radians());
    let (sin_lat, cos_lat) = (sin(lat), cos(lat));
    let n = WGS84_A / sqrt(1.0 - E2 * sin_lat * sin_lat);
    Ecef {
        x: (n + p.alt_m) * cos_lat * cos(lon),
        y: (n + p.alt_m) * cos_lat * sin(lon),
        z: (n * (1.0 - E2) + p.alt_m) * sin_lat,
    }
}

/// ECEF → WGS-84 geodetic, in closed form (J. Zhu 1993 / M. Heikkinen 1982).
///
/// Exact to nanometres for points near the Earth's surface; undefined at the Earth's centre.
pub fn ecef_to_geodetic(p: Ecef) -> Geodetic {
    let a2 = WGS84_A * WGS84_A;
    let b2 = WGS84_B * WGS84_B;
    let e4 = E2 * E2;
    let ep2 = (a2 - b2) / b2;
    let z2 = p.z * p.z;
    let r2 = p.x * p.x + p.y * p.y;
    let r = sqrt(r2);
    let f = 54.0 * b2 * z2;
    let g = r2 + (1.0 - E2) * z2 - E2 * (a2 - b2);
    let c = e4 * f * r2 / (g * g * g);
    let s = cbrt(1.0 + c + sqrt(c * c + 2.0 * c));
    let k = s + 1.0 + 1.0 / s;
    let pp = f / (3.0 * k * k * g * g);
    let q = sqrt(1.0 + 2.0 * e4 * pp);
    let r0 = -(pp * E2 * r) / (1.0 + q)
        + sqrt(0.5 * a2 * (1.0 + 1.0 / q) - pp * (1.0 - E2) * z2 / (q * (1.0 + q)) - 0.5 * pp * r2);
    let t = r - E2 * r0;
    let u = sqrt(t * t + z2);
    let v = sqrt(t * t + (1.0 - E2) * z2);
    let z0 = b2 * p.z / (WGS84_A * v);
    let lat = if r > 0.0 {
        atan((p.z + ep2 * z0) / r)
    } else {
        atan2(p.z + ep2 * z0, 0.0)
    };
    Geodetic {
        lat_deg: lat.to_degrees(),
        lon_deg: atan2(p.y, p.x).to_degrees(),
        alt_m: u * (1.0 - b2 / (WGS84_A * v)),
    }
}

/// A local east/north/up frame tangent to the WGS-84 ellipsoid at an origin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocalFrame {
    origin: Geodetic,
    origin_ecef: Ecef,
    /// Rows: the east, north and up unit vectors in ECEF.
    axes: [[f64; 3]; 3],
}

impl LocalFrame {
    /// The frame at `origin`.
    pub fn new(origin: Geodetic) -> Self {
        let (lat, lon) = (origin.lat_deg.to_radians(), origin.lon_deg.to_radians());
        let (sin_lat, cos_lat, sin_lon, cos_lon) = (sin(lat), cos(lat), sin(lon), cos(lon));
        LocalFrame {
            origin,
            origin_ecef: geodetic_to_ecef(origin),
            axes: [
                [-sin_lon, cos_lon, 0.0],
                [-sin_lat * cos_lon, -sin_lat * sin_lon, cos_lat],
                [cos_lat * cos_lon, cos_lat * sin_lon, sin_lat],
            ],
        }
    }

    /// The frame's origin.
    pub fn origin(&self) -> Geodetic {
        self.origin
    }

    /// Geodetic → local ENU.
    pub fn to_enu(&self, p: Geodetic) -> Enu {
        let e = geodetic_to_ecef(p);
        let d = [
            e.x - self.origin_ecef.x,
            e.y - self.origin_ecef.y,
            e.z - self.origin_ecef.z,
        ];
        let dot = |row: &[f64; 3]| row[0] * d[0] + row[1] * d[1] + row[2] * d[2];
        Enu {
            east_m: dot(&self.axes[0]),
            north_m: dot(&self.axes[1]),
            up_m: dot(&self.axes[2]),
        }
    }

    /// Local ENU → geodetic.
    pub fn to_geodetic(&self, p: Enu) -> Geodetic {
        let [east, north, up] = self.axes;
        let v = [p.east_m, p.north_m, p.up_m];
        let col = |i: usize| east[i] * v[0] + north[i] * v[1] + up[i] * v[2];
        ecef_to_geodetic(Ecef {
            x: self.origin_ecef.x + col(0),
            y: self.origin_ecef.y + col(1),
            z: self.origin_ecef.z + col(2),
        })
    }

    /// The tracker's horizontal coordinates of a position: metres east and north of the origin
    /// (the up component, which the Earth's curvature makes negative far away, is dropped).
    pub fn to_east_north(&self, p: Geodetic) -> (f64, f64) {
        let enu = self.to_enu(p);
        (enu.east_m, enu.north_m)
    }

    /// The position at height `alt_m` whose horizontal coordinates are (`east_m`, `north_m`):
    /// the inverse of [`LocalFrame::to_east_north`] for a point at that height.
    pub fn from_east_north(&self, east_m: f64, north_m: f64, alt_m: f64) -> Geodetic {
        // The point lies on the line through (east, north, 0) along the local up axis; start
        // from the spherical-Earth drop and correct by the height error, which converges to
        // sub-millimetre in two or three steps within hundreds of kilometres.
        let d2 = east_m * east_m + north_m * north_m;
        let mut up = alt_m - self.origin.alt_m - d2 / (2.0 * WGS84_A);
        let mut p = self.to_geodetic(Enu {
            east_m,
            north_m,
            up_m: up,
        });
        for _ in 0..4 {
            let error = p.alt_m - alt_m;
            if error.abs() < 1e-6 {
                break;
            }
            up -= error;
            p = self.to_geodetic(Enu {
                east_m,
                north_m,
                up_m: up,
            });
        }
        p
    }
}

/// Mean Earth radius (IUGG), metres.
pub const MEAN_EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle distance between two points on the mean sphere, metres (haversine; heights
/// ignored). Within 0.5 % of the ellipsoidal distance: enough for "could a car have driven
/// there", too coarse for tracking, which uses [`LocalFrame`].
pub fn great_circle_m(a: Geodetic, b: Geodetic) -> f64 {
    let (la1, la2) = (a.lat_deg.to_radians(), b.lat_deg.to_radians());
    let half_dlat = (la2 - la1) / 2.0;
    let half_dlon = (b.lon_deg - a.lon_deg).to_radians() / 2.0;
    let h = sin(half_dlat) * sin(half_dlat) + cos(la1) * cos(la2) * sin(half_dlon) * sin(half_dlon);
    2.0 * MEAN_EARTH_RADIUS_M * asin(sqrt(h).min(1.0))
}

/// Compass bearing (degrees clockwise from north, `[0, 360)`) of a local east/north vector.
pub fn bearing_deg(east_m: f64, north_m: f64) -> f64 {
    let b = atan2(east_m, north_m).to_degrees();
    if b < 0.0 { b + 360.0 } else { b }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn great_circle_distances_are_the_haversines() {
        // One degree of a meridian on the mean sphere.
        let d = great_circle_m(Geodetic::new(40.0, 26.0), Geodetic::new(41.0, 26.0));
        assert!((d - MEAN_EARTH_RADIUS_M.to_radians()).abs() < 1e-6, "{d}");
        // Kipoi to Evzonoi, about 317 km as the crow flies.
        let d = great_circle_m(Geodetic::new(40.93, 26.33), Geodetic::new(41.11, 22.56));
        assert!((d - 317_000.0).abs() < 2_000.0, "{d}");
        assert_eq!(
            great_circle_m(Geodetic::new(1.0, 2.0), Geodetic::new(1.0, 2.0)),
            0.0
        );
    }

    #[test]
    fn ecef_round_trip_is_exact_to_the_nanometre_scale() {
        for &(lat, lon, alt) in &[
            (37.75, 26.98, 0.0),
            (-33.9, 151.2, 120.0),
            (89.9, 10.0, 5.0),
            (0.0, -179.9, -30.0),
        ] {
            let p = Geodetic::with_alt(lat, lon, alt);
            let q = ecef_to_geodetic(geodetic_to_ecef(p));
            assert!((q.lat_deg - lat).abs() < 1e-11, "{q:?}");
            assert!((q.lon_deg - lon).abs() < 1e-11, "{q:?}");
            assert!((q.alt_m - alt).abs() < 1e-6, "{q:?}");
        }
    }

    #[test]
    fn east_north_round_trip_at_sea_level() {
        let frame = LocalFrame::new(Geodetic::new(36.0, -5.6));
        let p = Geodetic::new(36.3, -5.2);
        let (e, n) = frame.to_east_north(p);
        let q = frame.from_east_north(e, n, 0.0);
        assert!((q.lat_deg - p.lat_deg).abs() < 1e-10);
        assert!((q.lon_deg - p.lon_deg).abs() < 1e-10);
        assert!(q.alt_m.abs() < 1e-5);
    }

    #[test]
    fn bearings_are_compass_bearings() {
        assert_eq!(bearing_deg(0.0, 1.0), 0.0);
        assert!((bearing_deg(1.0, 0.0) - 90.0).abs() < 1e-12);
        assert!((bearing_deg(-1.0, 0.0) - 270.0).abs() < 1e-12);
    }
}
