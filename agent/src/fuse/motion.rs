//! Motion models: how a target's state moves between measurements.
//!
//! - [`ConstantVelocity`]: nearly constant velocity, white acceleration noise (Stone Soup's
//!   `ConstantVelocity`); linear.
//! - [`CoordinatedTurn`]: a turn at a constant, unknown rate ω estimated in the state;
//!   nonlinear, predicted with its Jacobian (extended Kalman).
//!
//! Both work on the five-dimensional state of [`super::kalman`]; the IMM of
//! [`super::filter`] mixes them.

use super::kalman::{Covariance, DIM, Gaussian, OMEGA, State, VX, VY, X, Y};

/// How a state moves over `dt` seconds.
pub trait MotionModel {
    /// The estimate `dt` seconds later (or earlier, for `dt < 0`: retrodiction adds the same
    /// uncertainty as prediction, which is what a gate needs).
    fn predict(&self, g: &Gaussian, dt: f64) -> Gaussian;
}

/// White-noise acceleration covariance block for one axis over `dt`.
fn accel_block(q: f64, dt: f64) -> (f64, f64, f64) {
    let dt2 = dt * dt;
    (
        q * dt2 * dt.abs() / 3.0,
        q * dt2 * dt.signum() / 2.0,
        q * dt.abs(),
    )
}

/// Nearly-constant-velocity motion: white acceleration noise of power spectral density `q`
/// (m²/s³) on each axis. The turn rate is carried unchanged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConstantVelocity {
    /// Process noise power spectral density, m²/s³.
    pub q: f64,
}

impl MotionModel for ConstantVelocity {
    fn predict(&self, g: &Gaussian, dt: f64) -> Gaussian {
        if dt == 0.0 {
            return *g;
        }
        // F = I + dt (e_X e_VXᵀ + e_Y e_VYᵀ): F P Fᵀ is P with dt times the velocity rows
        // added to the position rows, then the same for the columns; twenty products where
        // two dense 5×5 products take 250.
        let mut x = g.x;
        let mut p = g.p;
        let (a, b, c) = accel_block(self.q, dt);
        for (pos, vel) in [(X, VX), (Y, VY)] {
            x[pos] += dt * x[vel];
            for col in 0..DIM {
                p[(pos, col)] += dt * p[(vel, col)];
            }
            for row in 0..DIM {
                p[(row, pos)] += dt * p[(row, vel)];
            }
            p[(pos, pos)] += a;
            p[(pos, vel)] += b;
            p[(vel, pos)] += b;
            p[(vel, vel)] += c;
        }
        Gaussian { x, p }.symmetrised()
    }
}

/// Coordinated turn with unknown turn rate: speed constant, heading changing at ω (rad/s,
/// counter-clockwise positive); white acceleration noise `q` (m²/s³) and turn-rate noise
/// `q_turn` (rad²/s³).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CoordinatedTurn {
    /// Acceleration power spectral density, m²/s³.
    pub q: f64,
    /// Turn-rate power spectral density, rad²/s³.
    pub q_turn: f64,
}

/// Below this |ω·dt| the turn's coefficients come from their Taylor series (exact to
/// ~1e-13 relative there), which avoids dividing by a vanishing ω.
const SMALL_TURN: f64 = 1e-3;

impl CoordinatedTurn {
    /// The mean after `dt` and the Jacobian of the motion at `x`.
    fn transition(x: &State, dt: f64) -> (State, Covariance) {
        let (vx, vy, w) = (x[VX], x[VY], x[OMEGA]);
        let wt = w * dt;
        let (s, c) = wt.sin_cos();
        // a = sin(ωT)/ω, b = (1 − cos(ωT))/ω, and their derivatives in ω.
        let (a, b, da, db) = if wt.abs() < SMALL_TURN {
            let wt2 = wt * wt;
            (
                dt * (1.0 - wt2 / 6.0),
                0.5 * w * dt * dt * (1.0 - wt2 / 12.0),
                -w * dt * dt * dt / 3.0,
                0.5 * dt * dt * (1.0 - wt2 / 4.0),
            )
        } else {
            let a = s / w;
            // 1 − cos x = 2 sin²(x/2), without the cancellation of the former.
            let b = 2.0 * (0.5 * wt).sin().powi(2) / w;
            (a, b, (dt * c - a) / w, (dt * s - b) / w)
        };
        let mut next = *x;
        next[X] = x[X] + a * vx - b * vy;
        next[VX] = c * vx - s * vy;
        next[Y] = x[Y] + b * vx + a * vy;
        next[VY] = s * vx + c * vy;
        let mut f = Covariance::identity();
        f[(X, VX)] = a;
        f[(X, VY)] = -b;
        f[(X, OMEGA)] = da * vx - db * vy;
        f[(VX, VX)] = c;
        f[(VX, VY)] = -s;
        f[(VX, OMEGA)] = -dt * s * vx - dt * c * vy;
        f[(Y, VX)] = b;
        f[(Y, VY)] = a;
        f[(Y, OMEGA)] = db * vx + da * vy;
        f[(VY, VX)] = s;
        f[(VY, VY)] = c;
        f[(VY, OMEGA)] = dt * c * vx - dt * s * vy;
        (next, f)
    }
}

impl MotionModel for CoordinatedTurn {
    fn predict(&self, g: &Gaussian, dt: f64) -> Gaussian {
        if dt == 0.0 {
            return *g;
        }
        let (x, f) = Self::transition(&g.x, dt);
        let mut q = Covariance::zeros();
        let (a, b, c) = accel_block(self.q, dt);
        for (p, v) in [(X, VX), (Y, VY)] {
            q[(p, p)] = a;
            q[(p, v)] = b;
            q[(v, p)] = b;
            q[(v, v)] = c;
        }
        q[(OMEGA, OMEGA)] = self.q_turn * dt.abs();
        Gaussian {
            x,
            p: f * g.p * f.transpose() + q,
        }
        .symmetrised()
    }
}

/// Dimension check kept next to the models that assume it.
const _: () = assert!(DIM == 5);

#[cfg(test)]
mod tests {
    use super::*;

    fn state(x: f64, vx: f64, y: f64, vy: f64, w: f64) -> Gaussian {
        Gaussian {
            x: State::from([x, vx, y, vy, w]),
            p: Covariance::identity(),
        }
    }

    #[test]
    fn constant_velocity_moves_the_mean_and_grows_the_covariance() {
        let cv = ConstantVelocity { q: 1.0 };
        let g = state(0.0, 2.0, 10.0, -1.0, 0.0);
        let p = cv.predict(&g, 3.0);
        assert_eq!(p.x, State::from([6.0, 2.0, 7.0, -1.0, 0.0]));
        assert!(p.p[(X, X)] > g.p[(X, X)] + 9.0);
    }

    #[test]
    fn constant_velocity_equals_the_dense_transition_product() {
        let cv = ConstantVelocity { q: 0.3 };
        let mut g = state(5.0, 2.0, -3.0, 1.5, 0.01);
        for r in 0..DIM {
            for c in 0..DIM {
                g.p[(r, c)] += 0.1 * ((r * 7 + c * 7) % 5) as f64 + if r == c { 4.0 } else { 0.0 };
            }
        }
        for dt in [2.0, -1.5] {
            let mut f = Covariance::identity();
            f[(X, VX)] = dt;
            f[(Y, VY)] = dt;
            let mut q = Covariance::zeros();
            let (a, b, c) = accel_block(0.3, dt);
            for (p, v) in [(X, VX), (Y, VY)] {
                q[(p, p)] = a;
                q[(p, v)] = b;
                q[(v, p)] = b;
                q[(v, v)] = c;
            }
            let dense = f * g.p * f.transpose() + q;
            let fast = cv.predict(&g, dt);
            assert!((fast.x - f * g.x).norm() < 1e-12);
            assert!(
                (fast.p - dense).norm() < 1e-12 * dense.norm(),
                "{fast:?}\n{dense}"
            );
        }
    }

    #[test]
    fn a_quarter_turn_ends_where_geometry_says() {
        // 10 m/s east, turning left at π/20 rad/s: after 10 s, heading north, on a circle of
        // radius v/ω = 200/π m.
        let ct = CoordinatedTurn {
            q: 0.0,
            q_turn: 0.0,
        };
        let w = std::f64::consts::PI / 20.0;
        let p = ct.predict(&state(0.0, 10.0, 0.0, 0.0, w), 10.0);
        let r = 10.0 / w;
        assert!(
            (p.x[X] - r).abs() < 1e-9 && (p.x[Y] - r).abs() < 1e-9,
            "{:?}",
            p.x
        );
        assert!(p.x[VX].abs() < 1e-9 && (p.x[VY] - 10.0).abs() < 1e-9);
    }

    #[test]
    fn a_turn_at_zero_rate_is_a_straight_line() {
        let ct = CoordinatedTurn {
            q: 0.0,
            q_turn: 0.0,
        };
        let p = ct.predict(&state(1.0, 3.0, 2.0, 4.0, 0.0), 5.0);
        assert_eq!(p.x, State::from([16.0, 3.0, 22.0, 4.0, 0.0]));
    }

    #[test]
    fn the_turn_jacobian_matches_finite_differences() {
        for w in [0.0, 1e-9, 0.05, -0.2] {
            let x = State::from([100.0, 7.0, -50.0, 3.0, w]);
            let (_, f) = CoordinatedTurn::transition(&x, 2.5);
            for j in 0..DIM {
                let eps = 1e-6;
                let mut hi = x;
                let mut lo = x;
                hi[j] += eps;
                lo[j] -= eps;
                let d = (CoordinatedTurn::transition(&hi, 2.5).0
                    - CoordinatedTurn::transition(&lo, 2.5).0)
                    / (2.0 * eps);
                for i in 0..DIM {
                    assert!(
                        (f[(i, j)] - d[i]).abs() < 1e-5,
                        "ω={w} ∂{i}/∂{j}: {} vs {}",
                        f[(i, j)],
                        d[i]
                    );
                }
            }
        }
    }
}
