//! Ground truth: where a vessel is, and how fast it goes, at any time.
//!
//! A vessel follows its waypoints in the scenario's local east/north frame at constant speed,
//! on straight legs, turning instantly at each waypoint, and stops at the last one. Straight
//! legs in the local frame rather than great circles: over the few kilometres of a scenario
//! the difference is centimetres, and the tracker works in this frame too.

use crate::scenario::VesselSpec;
use borderfuse_common::geo::{LocalFrame, bearing_deg};

/// One knot in metres per second (1852 m per hour).
pub const KNOT_MPS: f64 = 1852.0 / 3600.0;

/// A course change larger than this at a waypoint counts as "changing course" for AIS
/// reporting (smaller ones are within the course-keeping noise of a real ship).
pub const TURN_THRESHOLD_DEG: f64 = 5.0;

/// How long after an instantaneous turn the vessel counts as "changing course": a real ship
/// of these sizes and speeds needs about half a minute to swing through such a turn, and its
/// transponder reports at the shortened interval meanwhile. Not a multiple of the shortened
/// intervals (3⅓ s, 2 s), so that no report falls exactly on the window's end.
pub const TURN_WINDOW_S: f64 = 25.0;

/// Position and velocity in the local frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct State {
    /// Metres east of the origin.
    pub x: f64,
    /// Metres north of the origin.
    pub y: f64,
    /// East velocity, m/s.
    pub vx: f64,
    /// North velocity, m/s.
    pub vy: f64,
}

impl State {
    /// Speed over ground, m/s.
    pub fn speed_mps(&self) -> f64 {
        self.vx.hypot(self.vy)
    }

    /// Speed over ground, knots.
    pub fn speed_kn(&self) -> f64 {
        self.speed_mps() / KNOT_MPS
    }

    /// Course over ground, compass degrees `[0, 360)`; `None` when not moving.
    pub fn course_deg(&self) -> Option<f64> {
        (self.speed_mps() > 1e-9).then(|| bearing_deg(self.vx, self.vy))
    }

    /// Distance to a point of the local frame, metres.
    pub fn distance_to(&self, x: f64, y: f64) -> f64 {
        (self.x - x).hypot(self.y - y)
    }
}

/// A vessel's route in the local frame, ready to be sampled at any time.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// Waypoints (consecutive duplicates removed), metres east/north.
    points: Vec<(f64, f64)>,
    /// Distance along the route at each waypoint, metres.
    along: Vec<f64>,
    /// Time the vessel reaches each waypoint, s.
    arrive: Vec<f64>,
    /// Time it leaves each waypoint (its arrival plus the dwell there), s; the last one is
    /// its arrival: a vessel stays at its last waypoint.
    depart: Vec<f64>,
    speed_mps: f64,
}

impl Route {
    /// The route of `vessel` in `frame`.
    pub fn new(frame: &LocalFrame, vessel: &VesselSpec) -> Route {
        let points = vessel
            .route
            .iter()
            .map(|p| frame.to_east_north(*p))
            .collect();
        let mut dwells = vec![0.0; vessel.route.len()];
        for d in &vessel.dwells {
            if let Some(slot) = dwells.get_mut(d.at) {
                *slot += d.duration_s;
            }
        }
        Route::with_dwells(points, &dwells, vessel.speed_kn * KNOT_MPS)
    }

    /// A route through local points at `speed_mps`. Zero-length legs are dropped; a negative
    /// or non-finite speed is taken as 0 (the vessel stays at its first point).
    pub fn from_points(points: Vec<(f64, f64)>, speed_mps: f64) -> Route {
        Route::with_dwells(points, &[], speed_mps)
    }

    /// [`Route::from_points`] with a stop at some waypoints: `dwells_s[i]` seconds at point
    /// `i` (missing entries, negative or non-finite ones are no stop). A stop at the first
    /// point is a late start.
    pub fn with_dwells(points: Vec<(f64, f64)>, dwells_s: &[f64], speed_mps: f64) -> Route {
        let mut kept: Vec<(f64, f64)> = Vec::with_capacity(points.len());
        let mut dwell: Vec<f64> = Vec::with_capacity(points.len());
        for (i, p) in points.into_iter().enumerate() {
            let d = dwells_s
                .get(i)
                .copied()
                .filter(|d| d.is_finite() && *d > 0.0)
                .unwrap_or(0.0);
            // A repeated waypoint is no leg: it would give a direction of 0/0. Its stop adds
            // to the waypoint it repeats.
            match (kept.last(), dwell.last_mut()) {
                (Some(q), Some(last)) if (p.0 - q.0).hypot(p.1 - q.1) <= 1e-3 => *last += d,
                _ => {
                    kept.push(p);
                    dwell.push(d);
                }
            }
        }
        let mut along = Vec::with_capacity(kept.len());
        let mut total = 0.0;
        for (i, p) in kept.iter().enumerate() {
            if i > 0 {
                let q = kept[i - 1];
                total += (p.0 - q.0).hypot(p.1 - q.1);
            }
            along.push(total);
        }
        let speed_mps = if speed_mps.is_finite() && speed_mps > 0.0 {
            speed_mps
        } else {
            0.0
        };
        let mut arrive = Vec::with_capacity(kept.len());
        let mut depart = Vec::with_capacity(kept.len());
        let mut t = 0.0;
        for i in 0..kept.len() {
            if i > 0 {
                t += if speed_mps > 0.0 {
                    (along[i] - along[i - 1]) / speed_mps
                } else {
                    f64::INFINITY
                };
            }
            arrive.push(t);
            if i + 1 < kept.len() {
                t += dwell[i];
            }
            depart.push(t);
        }
        Route {
            points: kept,
            along,
            arrive,
            depart,
            speed_mps,
        }
    }

    /// The waypoints, metres east/north.
    pub fn points(&self) -> &[(f64, f64)] {
        &self.points
    }

    /// Speed along the route, m/s.
    pub fn speed_mps(&self) -> f64 {
        self.speed_mps
    }

    /// Length of the route, metres.
    pub fn length_m(&self) -> f64 {
        self.along.last().copied().unwrap_or(0.0)
    }

    /// Time the vessel reaches its last waypoint and stops, seconds (infinite at speed 0 on a
    /// route with legs).
    pub fn arrival_s(&self) -> f64 {
        if self.length_m() == 0.0 {
            0.0
        } else {
            self.arrive.last().copied().unwrap_or(0.0)
        }
    }

    /// Whether the vessel is stopped at a waypoint at `t` (waiting to start, in one of its
    /// stops, or arrived).
    pub fn stopped(&self, t: f64) -> bool {
        self.speed_mps <= 0.0
            || t < 0.0
            || self.arrived(t)
            || (0..self.points.len()).any(|i| self.arrive[i] <= t && t <= self.depart[i])
    }

    /// Times at which the vessel passes its intermediate waypoints, with the course change
    /// there in degrees (absolute, `[0, 180]`).
    pub fn turns(&self) -> Vec<(f64, f64)> {
        if self.speed_mps <= 0.0 {
            return Vec::new();
        }
        (1..self.points.len().saturating_sub(1))
            .map(|i| {
                let before = self.leg_course_deg(i - 1);
                let after = self.leg_course_deg(i);
                let change = (after - before).rem_euclid(360.0);
                (self.depart[i], change.min(360.0 - change))
            })
            .collect()
    }

    /// Whether a course change above [`TURN_THRESHOLD_DEG`] happened in the last
    /// [`TURN_WINDOW_S`] seconds up to `t` (inclusive).
    pub fn changing_course(&self, t: f64) -> bool {
        self.turns()
            .iter()
            .any(|&(tt, change)| change > TURN_THRESHOLD_DEG && tt <= t && t < tt + TURN_WINDOW_S)
    }

    /// The first turn above [`TURN_THRESHOLD_DEG`] strictly after `t` and strictly before
    /// `until`, if any.
    pub fn next_turn_between(&self, t: f64, until: f64) -> Option<f64> {
        self.turns()
            .into_iter()
            .filter(|&(tt, change)| change > TURN_THRESHOLD_DEG && tt > t && tt < until)
            .map(|(tt, _)| tt)
            .next()
    }

    /// Whether the vessel has reached its last waypoint at `t`.
    pub fn arrived(&self, t: f64) -> bool {
        t >= self.arrival_s()
    }

    /// Compass course of leg `i` (from waypoint `i` to `i + 1`).
    fn leg_course_deg(&self, i: usize) -> f64 {
        let (a, b) = (self.points[i], self.points[i + 1]);
        bearing_deg(b.0 - a.0, b.1 - a.1)
    }

    /// The vessel's heading at `t`: the course of its current leg, or of its last leg once it
    /// has stopped (a moored ship keeps pointing where it came from). `None` for a route
    /// without legs.
    pub fn heading_deg(&self, t: f64) -> Option<f64> {
        if self.points.len() < 2 {
            return None;
        }
        Some(self.leg_course_deg(self.leg_at(t)))
    }

    /// Index of the leg the vessel is on at `t` (the last leg once arrived).
    ///
    /// While stopped at a waypoint the vessel is on the leg that ends there (it keeps its
    /// heading), except at the first waypoint.
    fn leg_at(&self, t: f64) -> usize {
        let legs = self.points.len().saturating_sub(1);
        // The first leg the vessel has not finished at t; the last leg when it has arrived.
        (0..legs)
            .find(|&i| self.depart[i + 1] > t)
            .unwrap_or(legs.saturating_sub(1))
    }

    /// Position and velocity at `t` seconds. Before 0 the vessel waits at its first waypoint;
    /// after [`Route::arrival_s`] it rests at its last.
    pub fn state_at(&self, t: f64) -> State {
        let Some(&first) = self.points.first() else {
            return State {
                x: 0.0,
                y: 0.0,
                vx: 0.0,
                vy: 0.0,
            };
        };
        if self.points.len() < 2 || self.speed_mps <= 0.0 || t < 0.0 {
            return State {
                x: first.0,
                y: first.1,
                vx: 0.0,
                vy: 0.0,
            };
        }
        if t >= self.arrival_s() {
            let last = self.points[self.points.len() - 1];
            return State {
                x: last.0,
                y: last.1,
                vx: 0.0,
                vy: 0.0,
            };
        }
        let i = self.leg_at(t);
        let (a, b) = (self.points[i], self.points[i + 1]);
        // Waiting at the leg's first waypoint, or stopped at its last.
        let at_rest = |(x, y): (f64, f64)| State {
            x,
            y,
            vx: 0.0,
            vy: 0.0,
        };
        if t < self.depart[i] {
            return at_rest(a);
        }
        if t >= self.arrive[i + 1] {
            return at_rest(b);
        }
        let leg = self.along[i + 1] - self.along[i];
        let (ux, uy) = ((b.0 - a.0) / leg, (b.1 - a.1) / leg);
        let s = (t - self.depart[i]) * self.speed_mps;
        State {
            x: a.0 + ux * s,
            y: a.1 + uy * s,
            vx: ux * self.speed_mps,
            vy: uy * self.speed_mps,
        }
    }
}

/// The state of `vessel` at `t`, in `frame` (builds the route each call: use [`Route`] to
/// sample many times).
pub fn state_at(frame: &LocalFrame, vessel: &VesselSpec, t: f64) -> State {
    Route::new(frame, vessel).state_at(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l_route() -> Route {
        // 1000 m east, then 500 m north, at 10 m/s.
        Route::from_points(vec![(0.0, 0.0), (1000.0, 0.0), (1000.0, 500.0)], 10.0)
    }

    #[test]
    fn a_vessel_moves_along_its_legs_at_constant_speed() {
        let r = l_route();
        let s = r.state_at(50.0);
        assert!((s.x - 500.0).abs() < 1e-9 && s.y.abs() < 1e-9);
        assert!((s.vx - 10.0).abs() < 1e-9 && s.vy.abs() < 1e-9);
        let s = r.state_at(120.0);
        assert!((s.x - 1000.0).abs() < 1e-9 && (s.y - 200.0).abs() < 1e-9);
        assert!((s.vy - 10.0).abs() < 1e-9);
        assert_eq!(r.state_at(50.0).course_deg(), Some(90.0));
        assert_eq!(r.state_at(120.0).course_deg(), Some(0.0));
    }

    #[test]
    fn a_vessel_stops_at_its_last_waypoint_and_keeps_its_heading() {
        let r = l_route();
        assert_eq!(r.arrival_s(), 150.0);
        let s = r.state_at(1_000.0);
        assert_eq!((s.x, s.y, s.vx, s.vy), (1000.0, 500.0, 0.0, 0.0));
        assert_eq!(s.course_deg(), None);
        assert_eq!(r.heading_deg(1_000.0), Some(0.0));
        assert!(r.arrived(150.0) && !r.arrived(149.9));
    }

    #[test]
    fn before_the_start_a_vessel_waits_at_its_first_waypoint() {
        let s = l_route().state_at(-5.0);
        assert_eq!((s.x, s.y, s.vx), (0.0, 0.0, 0.0));
    }

    #[test]
    fn a_turn_makes_the_vessel_change_course_for_a_while() {
        let r = l_route();
        assert_eq!(r.turns(), vec![(100.0, 90.0)]);
        assert!(!r.changing_course(99.0));
        assert!(r.changing_course(100.0));
        assert!(r.changing_course(100.0 + TURN_WINDOW_S - 0.1));
        assert!(!r.changing_course(100.0 + TURN_WINDOW_S));
        assert_eq!(r.next_turn_between(50.0, 110.0), Some(100.0));
        assert_eq!(r.next_turn_between(100.0, 110.0), None);
    }

    #[test]
    fn a_vessel_waits_at_a_stop_then_goes_on() {
        // 1000 m east at 10 m/s, 60 s stop, 500 m north; 20 s late start.
        let r = Route::with_dwells(
            vec![(0.0, 0.0), (1000.0, 0.0), (1000.0, 500.0)],
            &[20.0, 60.0],
            10.0,
        );
        assert_eq!(r.state_at(10.0).x, 0.0);
        assert!(r.stopped(10.0));
        assert!((r.state_at(70.0).x - 500.0).abs() < 1e-9);
        assert!(!r.stopped(70.0));
        let waiting = r.state_at(150.0);
        assert_eq!(
            (waiting.x, waiting.y, waiting.vx, waiting.vy),
            (1000.0, 0.0, 0.0, 0.0)
        );
        assert!(r.stopped(150.0));
        assert_eq!(r.heading_deg(150.0), Some(90.0));
        assert!((r.state_at(200.0).y - 200.0).abs() < 1e-9);
        assert_eq!(r.arrival_s(), 230.0);
        assert_eq!(r.turns(), vec![(180.0, 90.0)]);
        assert!(r.arrived(230.0) && !r.arrived(229.9));
    }

    #[test]
    fn repeated_waypoints_do_not_break_the_route() {
        let r = Route::from_points(vec![(0.0, 0.0), (0.0, 0.0), (0.0, 100.0)], 5.0);
        assert_eq!(r.points().len(), 2);
        assert!((r.state_at(10.0).y - 50.0).abs() < 1e-9);
        let still = Route::from_points(vec![(3.0, 4.0), (3.0, 4.0)], 5.0);
        assert_eq!(still.state_at(10.0).x, 3.0);
        assert_eq!(still.heading_deg(10.0), None);
    }
}
