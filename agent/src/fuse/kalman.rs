//! Constant-velocity motion and Kalman / extended Kalman updates on static matrices.
//!
//! The state is `[x, vx, y, vy]` (metres and metres per second, east and north), the order of
//! Stone Soup's CV model and of the tracker-neutral CSV format, so numbers can be compared
//! directly. Every matrix is a `nalgebra` static matrix: no allocation per update.

use nalgebra::{Matrix2, Matrix4, SMatrix, Vector2, Vector4};

/// Track state `[x, vx, y, vy]`.
pub type State = Vector4<f64>;
/// State covariance.
pub type Covariance = Matrix4<f64>;
/// Measurement Jacobian (2 measurements × 4 states).
pub type Jacobian = SMatrix<f64, 2, 4>;

/// A Gaussian state estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gaussian {
    /// Mean.
    pub x: State,
    /// Covariance.
    pub p: Covariance,
}

impl Gaussian {
    /// Position east, north.
    pub fn position(&self) -> Vector2<f64> {
        Vector2::new(self.x[0], self.x[2])
    }

    /// Velocity east, north.
    pub fn velocity(&self) -> Vector2<f64> {
        Vector2::new(self.x[1], self.x[3])
    }

    /// Covariance of the position.
    pub fn position_covariance(&self) -> Matrix2<f64> {
        Matrix2::new(
            self.p[(0, 0)],
            self.p[(0, 2)],
            self.p[(2, 0)],
            self.p[(2, 2)],
        )
    }

    /// Covariance of the velocity.
    pub fn velocity_covariance(&self) -> Matrix2<f64> {
        Matrix2::new(
            self.p[(1, 1)],
            self.p[(1, 3)],
            self.p[(3, 1)],
            self.p[(3, 3)],
        )
    }
}

/// Nearly-constant-velocity motion: white acceleration noise of power spectral density `q`
/// (m²/s³) on each axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConstantVelocity {
    /// Process noise power spectral density, m²/s³.
    pub q: f64,
}

impl ConstantVelocity {
    /// Transition matrix and process noise over `dt` seconds.
    pub fn transition(&self, dt: f64) -> (Matrix4<f64>, Matrix4<f64>) {
        let f = Matrix4::new(
            1.0, dt, 0.0, 0.0, //
            0.0, 1.0, 0.0, 0.0, //
            0.0, 0.0, 1.0, dt, //
            0.0, 0.0, 0.0, 1.0,
        );
        let dt2 = dt * dt;
        let (a, b, c) = (
            self.q * dt2 * dt / 3.0,
            self.q * dt2 / 2.0,
            self.q * dt.abs(),
        );
        let q = Matrix4::new(
            a, b, 0.0, 0.0, //
            b, c, 0.0, 0.0, //
            0.0, 0.0, a, b, //
            0.0, 0.0, b, c,
        );
        (f, q)
    }

    /// The estimate `dt` seconds later (or earlier, for `dt < 0`: retrodiction adds the same
    /// uncertainty as prediction, which is what a gate needs).
    pub fn predict(&self, g: &Gaussian, dt: f64) -> Gaussian {
        if dt == 0.0 {
            return *g;
        }
        let (f, q) = self.transition(dt);
        Gaussian {
            x: f * g.x,
            p: f * g.p * f.transpose() + q,
        }
    }
}

/// How a sensor measures a target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MeasurementModel {
    /// Position east, north with covariance `r` (AIS, a converted plot).
    Position {
        /// Measurement covariance, m².
        r: Matrix2<f64>,
    },
    /// Range and compass bearing from a sensor at `sensor` (a radar): `z = [range, bearing]`,
    /// bearing in radians clockwise from north.
    RangeBearing {
        /// Sensor position east, north.
        sensor: Vector2<f64>,
        /// Range standard deviation, m.
        sigma_range_m: f64,
        /// Bearing standard deviation, rad.
        sigma_bearing_rad: f64,
    },
}

/// The innovation of one measurement against one predicted estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Innovation {
    /// Measurement minus prediction (bearing residual wrapped to (-π, π]).
    pub nu: Vector2<f64>,
    /// Innovation covariance.
    pub s: Matrix2<f64>,
    /// Its inverse.
    pub s_inv: Matrix2<f64>,
    /// Measurement Jacobian at the prediction.
    pub h: Jacobian,
    /// Measurement covariance.
    pub r: Matrix2<f64>,
    /// Squared Mahalanobis distance `νᵀ S⁻¹ ν`.
    pub d2: f64,
}

/// Wraps an angle to (-π, π].
pub fn wrap_pi(a: f64) -> f64 {
    let w = (a + std::f64::consts::PI).rem_euclid(std::f64::consts::TAU) - std::f64::consts::PI;
    if w == -std::f64::consts::PI {
        std::f64::consts::PI
    } else {
        w
    }
}

impl MeasurementModel {
    /// Innovation of measurement `z` against `pred`; `None` where the model is singular (a
    /// target on top of the radar, a degenerate covariance).
    pub fn innovation(&self, pred: &Gaussian, z: Vector2<f64>) -> Option<Innovation> {
        let (nu, h, r) = match *self {
            MeasurementModel::Position { r } => {
                let h = Jacobian::new(1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0);
                (z - pred.position(), h, r)
            }
            MeasurementModel::RangeBearing {
                sensor,
                sigma_range_m,
                sigma_bearing_rad,
            } => {
                let d = pred.position() - sensor;
                let rho2 = d.norm_squared();
                let rho = rho2.sqrt();
                if rho < 1.0 {
                    return None;
                }
                let predicted = Vector2::new(rho, d.x.atan2(d.y));
                let h = Jacobian::new(
                    d.x / rho,
                    0.0,
                    d.y / rho,
                    0.0,
                    d.y / rho2,
                    0.0,
                    -d.x / rho2,
                    0.0,
                );
                let r = Matrix2::new(
                    sigma_range_m * sigma_range_m,
                    0.0,
                    0.0,
                    sigma_bearing_rad * sigma_bearing_rad,
                );
                let mut nu = z - predicted;
                nu.y = wrap_pi(nu.y);
                (nu, h, r)
            }
        };
        let s = h * pred.p * h.transpose() + r;
        let s = (s + s.transpose()) * 0.5;
        let s_inv = s.try_inverse()?;
        let d2 = (nu.transpose() * s_inv * nu)[(0, 0)];
        if !d2.is_finite() || d2 < 0.0 {
            return None;
        }
        Some(Innovation {
            nu,
            s,
            s_inv,
            h,
            r,
            d2,
        })
    }

    /// The first estimate of a target from one measurement: position from the measurement,
    /// velocity unknown (zero mean, standard deviation `speed_sigma_mps` per axis).
    pub fn initiate(&self, z: Vector2<f64>, speed_sigma_mps: f64) -> Gaussian {
        let (pos, pos_cov) = match *self {
            MeasurementModel::Position { r } => (z, r),
            MeasurementModel::RangeBearing {
                sensor,
                sigma_range_m,
                sigma_bearing_rad,
            } => {
                let (range, bearing) = (z.x, z.y);
                let (sin, cos) = bearing.sin_cos();
                let pos = sensor + Vector2::new(range * sin, range * cos);
                // Polar → Cartesian covariance through the Jacobian of (x, y) w.r.t. (r, θ).
                let j = Matrix2::new(sin, range * cos, cos, -range * sin);
                let r = Matrix2::new(
                    sigma_range_m * sigma_range_m,
                    0.0,
                    0.0,
                    sigma_bearing_rad * sigma_bearing_rad,
                );
                (pos, j * r * j.transpose())
            }
        };
        let v = speed_sigma_mps * speed_sigma_mps;
        let mut p = Covariance::zeros();
        p[(0, 0)] = pos_cov[(0, 0)];
        p[(0, 2)] = pos_cov[(0, 1)];
        p[(2, 0)] = pos_cov[(1, 0)];
        p[(2, 2)] = pos_cov[(1, 1)];
        p[(1, 1)] = v;
        p[(3, 3)] = v;
        Gaussian {
            x: State::new(pos.x, 0.0, pos.y, 0.0),
            p,
        }
    }
}

/// The (extended) Kalman update of `pred` with innovation `inn`, in Joseph form so the
/// covariance stays symmetric positive definite through thousands of updates.
pub fn update(pred: &Gaussian, inn: &Innovation) -> Gaussian {
    let k = pred.p * inn.h.transpose() * inn.s_inv;
    let i_kh = Matrix4::identity() - k * inn.h;
    let p = i_kh * pred.p * i_kh.transpose() + k * inn.r * k.transpose();
    Gaussian {
        x: pred.x + k * inn.nu,
        p: (p + p.transpose()) * 0.5,
    }
}

/// The chi-square threshold with 2 degrees of freedom for gate probability `p`
/// (closed form: the 2-dof chi-square CDF is `1 − e^(−g/2)`).
pub fn chi2_gate_2dof(p: f64) -> f64 {
    -2.0 * (1.0 - p).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prediction_moves_the_mean_and_grows_the_covariance() {
        let cv = ConstantVelocity { q: 1.0 };
        let g = Gaussian {
            x: State::new(0.0, 2.0, 10.0, -1.0),
            p: Covariance::identity(),
        };
        let p = cv.predict(&g, 3.0);
        assert_eq!(p.x, State::new(6.0, 2.0, 7.0, -1.0));
        assert!(p.p[(0, 0)] > g.p[(0, 0)] + 9.0);
    }

    #[test]
    fn the_range_bearing_jacobian_matches_finite_differences() {
        let model = MeasurementModel::RangeBearing {
            sensor: Vector2::new(100.0, -50.0),
            sigma_range_m: 10.0,
            sigma_bearing_rad: 0.01,
        };
        let g = Gaussian {
            x: State::new(3000.0, 0.0, 4000.0, 0.0),
            p: Covariance::identity(),
        };
        let h_of = |x: f64, y: f64| {
            let (dx, dy) = (x - 100.0, y + 50.0);
            Vector2::new((dx * dx + dy * dy).sqrt(), dx.atan2(dy))
        };
        let inn = model.innovation(&g, h_of(3000.0, 4000.0)).unwrap();
        let eps = 1e-3;
        let dx = (h_of(3000.0 + eps, 4000.0) - h_of(3000.0 - eps, 4000.0)) / (2.0 * eps);
        let dy = (h_of(3000.0, 4000.0 + eps) - h_of(3000.0, 4000.0 - eps)) / (2.0 * eps);
        for row in 0..2 {
            assert!((inn.h[(row, 0)] - dx[row]).abs() < 1e-8);
            assert!((inn.h[(row, 2)] - dy[row]).abs() < 1e-8);
        }
        assert!(inn.d2.abs() < 1e-12);
    }

    #[test]
    fn a_bearing_residual_across_north_wraps() {
        let model = MeasurementModel::RangeBearing {
            sensor: Vector2::zeros(),
            sigma_range_m: 10.0,
            sigma_bearing_rad: 0.01,
        };
        // Target just west of north; measured just east of north.
        let g = Gaussian {
            x: State::new(-10.0, 0.0, 5000.0, 0.0),
            p: Covariance::identity() * 100.0,
        };
        let inn = model.innovation(&g, Vector2::new(5000.0, 0.001)).unwrap();
        assert!(inn.nu.y.abs() < 0.01, "{}", inn.nu.y);
    }

    #[test]
    fn a_kalman_filter_on_noisy_positions_converges_on_the_true_velocity() {
        let cv = ConstantVelocity { q: 0.01 };
        let r = Matrix2::identity() * 25.0;
        let model = MeasurementModel::Position { r };
        // Deterministic pseudo-noise within ±5 m.
        let noise = |i: u32| ((i.wrapping_mul(2654435761) >> 16) % 1000) as f64 / 100.0 - 5.0;
        let truth = |t: f64| Vector2::new(100.0 + 7.0 * t, -3.0 * t);
        let mut g = model.initiate(truth(0.0), 20.0);
        for i in 1..200u32 {
            let t = f64::from(i);
            let pred = cv.predict(&g, 1.0);
            let z = truth(t) + Vector2::new(noise(2 * i), noise(2 * i + 1));
            g = update(&pred, &model.innovation(&pred, z).unwrap());
        }
        assert!((g.x[1] - 7.0).abs() < 0.3, "vx {}", g.x[1]);
        assert!((g.x[3] + 3.0).abs() < 0.3, "vy {}", g.x[3]);
    }

    #[test]
    fn the_2_dof_gate_matches_the_chi_square_table() {
        assert!((chi2_gate_2dof(0.99) - 9.2103).abs() < 1e-4);
        assert!((chi2_gate_2dof(0.9999) - 18.4207).abs() < 1e-4);
    }
}
