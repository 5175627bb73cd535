//! Gaussian estimates, measurement models, and the (extended) Kalman update, on static
//! matrices.
//!
//! The state is `[x, vx, y, vy, ω]`: position and velocity east and north (metres, metres per
//! second) as in Stone Soup's constant-velocity model and the tracker-neutral CSV format,
//! plus the turn rate ω (rad/s, counter-clockwise positive) that the coordinated-turn model
//! needs; the constant-velocity model carries ω without using it, so both models of an IMM
//! share one state space. Every matrix is a `nalgebra` static matrix: no allocation per
//! update.

use nalgebra::{Matrix2, SMatrix, SVector, Vector2};

/// Dimension of the state.
pub const DIM: usize = 5;
/// Track state `[x, vx, y, vy, ω]`.
pub type State = SVector<f64, DIM>;
/// State covariance.
pub type Covariance = SMatrix<f64, DIM, DIM>;
/// Measurement Jacobian (2 measurements × 5 states).
pub type Jacobian = SMatrix<f64, 2, DIM>;

/// Index of east position in [`State`].
pub const X: usize = 0;
/// Index of east velocity.
pub const VX: usize = 1;
/// Index of north position.
pub const Y: usize = 2;
/// Index of north velocity.
pub const VY: usize = 3;
/// Index of turn rate.
pub const OMEGA: usize = 4;

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
        Vector2::new(self.x[X], self.x[Y])
    }

    /// Velocity east, north.
    pub fn velocity(&self) -> Vector2<f64> {
        Vector2::new(self.x[VX], self.x[VY])
    }

    /// Covariance of the position.
    pub fn position_covariance(&self) -> Matrix2<f64> {
        Matrix2::new(
            self.p[(X, X)],
            self.p[(X, Y)],
            self.p[(Y, X)],
            self.p[(Y, Y)],
        )
    }

    /// Covariance of the velocity.
    pub fn velocity_covariance(&self) -> Matrix2<f64> {
        Matrix2::new(
            self.p[(VX, VX)],
            self.p[(VX, VY)],
            self.p[(VY, VX)],
            self.p[(VY, VY)],
        )
    }

    /// Whether every value is finite and the variances are positive: a filter that produced
    /// anything else has diverged and must not be used.
    pub fn is_sane(&self) -> bool {
        self.x.iter().all(|v| v.is_finite())
            && self.p.iter().all(|v| v.is_finite())
            && (0..DIM).all(|i| self.p[(i, i)] >= 0.0)
    }

    /// Symmetrises the covariance (rounding makes it drift).
    pub fn symmetrised(mut self) -> Self {
        self.p = (self.p + self.p.transpose()) * 0.5;
        self
    }
}

/// How a sensor measures a target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MeasurementModel {
    /// Position east, north with covariance `r` (AIS, a plot extractor's Cartesian plots).
    Position {
        /// Measurement covariance, m².
        r: Matrix2<f64>,
    },
    /// Range and compass bearing from a sensor at `sensor` (a radar): `z = [range, bearing]`,
    /// bearing in radians clockwise from north.
    RangeBearing {
        /// Sensor position east, north.
        sensor: Vector2<f64>,
        /// Measurement covariance of `[range, bearing]` (m², m·rad, rad²).
        r: Matrix2<f64>,
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
    /// `ln det S`, for likelihoods.
    pub ln_det_s: f64,
}

/// [`MeasurementModel::gate_test`]: a prediction linearised for gating.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GateTest {
    predicted: Vector2<f64>,
    bearing: bool,
    s_inv: Matrix2<f64>,
}

impl GateTest {
    /// Squared Mahalanobis distance of `z`, equal to [`Innovation::d2`] of
    /// [`MeasurementModel::innovation`]; `None` if not finite.
    pub fn d2(&self, z: Vector2<f64>) -> Option<f64> {
        let mut nu = z - self.predicted;
        if self.bearing {
            nu.y = wrap_pi(nu.y);
        }
        let d2 = quadratic_form(&self.s_inv, nu);
        (d2.is_finite() && d2 >= 0.0).then_some(d2)
    }
}

impl Innovation {
    /// Gaussian likelihood of the innovation, `N(ν; 0, S)`, as a natural logarithm.
    pub fn log_likelihood(&self) -> f64 {
        -0.5 * (self.d2 + self.ln_det_s) - std::f64::consts::TAU.ln()
    }
}

/// `νᵀ S⁻¹ ν` for a symmetric 2×2 `S⁻¹`, written out: the gate evaluates it for every
/// candidate pair, and the generic matrix product costs several times these five products.
fn quadratic_form(s_inv: &Matrix2<f64>, nu: Vector2<f64>) -> f64 {
    s_inv[(0, 0)] * nu.x * nu.x
        + (s_inv[(0, 1)] + s_inv[(1, 0)]) * nu.x * nu.y
        + s_inv[(1, 1)] * nu.y * nu.y
}

/// Wraps an angle to (-π, π].
pub fn wrap_pi(a: f64) -> f64 {
    // Most residuals are already in range; the remainder (a libm fmod) is for the others.
    if a > -std::f64::consts::PI && a <= std::f64::consts::PI {
        return a;
    }
    let w = (a + std::f64::consts::PI).rem_euclid(std::f64::consts::TAU) - std::f64::consts::PI;
    if w == -std::f64::consts::PI {
        std::f64::consts::PI
    } else {
        w
    }
}

/// Why a measurement was refused before it reached a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MeasurementError {
    /// A value is NaN or infinite.
    #[error("measurement has a non-finite value")]
    NotFinite,
    /// The covariance is not symmetric positive definite.
    #[error("measurement covariance is not positive definite")]
    NotPositiveDefinite,
    /// A range that is negative.
    #[error("negative range")]
    NegativeRange,
}

impl MeasurementModel {
    /// Position-measurement model with independent east/north noise.
    pub fn position(sigma_m: f64) -> Self {
        MeasurementModel::Position {
            r: Matrix2::new(sigma_m * sigma_m, 0.0, 0.0, sigma_m * sigma_m),
        }
    }

    /// Range/bearing model with independent range and bearing noise.
    pub fn range_bearing(sensor: Vector2<f64>, sigma_range_m: f64, sigma_bearing_rad: f64) -> Self {
        MeasurementModel::RangeBearing {
            sensor,
            r: Matrix2::new(
                sigma_range_m * sigma_range_m,
                0.0,
                0.0,
                sigma_bearing_rad * sigma_bearing_rad,
            ),
        }
    }

    /// The same model with its covariance multiplied by `factor`.
    pub fn inflated(&self, factor: f64) -> Self {
        match *self {
            MeasurementModel::Position { r } => MeasurementModel::Position { r: r * factor },
            MeasurementModel::RangeBearing { sensor, r } => MeasurementModel::RangeBearing {
                sensor,
                r: r * factor,
            },
        }
    }

    /// The measurement covariance.
    pub fn r(&self) -> Matrix2<f64> {
        match *self {
            MeasurementModel::Position { r } | MeasurementModel::RangeBearing { r, .. } => r,
        }
    }

    /// Checks a measurement `z` under this model.
    pub fn validate(&self, z: Vector2<f64>) -> Result<(), MeasurementError> {
        let r = self.r();
        let sensor_ok = match self {
            MeasurementModel::RangeBearing { sensor, .. } => sensor.iter().all(|v| v.is_finite()),
            MeasurementModel::Position { .. } => true,
        };
        if !z.iter().all(|v| v.is_finite()) || !r.iter().all(|v| v.is_finite()) || !sensor_ok {
            return Err(MeasurementError::NotFinite);
        }
        // Symmetric positive definite 2×2: positive diagonal and determinant.
        let symmetric = (r[(0, 1)] - r[(1, 0)]).abs() <= 1e-9 * (r[(0, 0)].abs() + r[(1, 1)].abs());
        if !(symmetric && r[(0, 0)] > 0.0 && r.determinant() > 0.0) {
            return Err(MeasurementError::NotPositiveDefinite);
        }
        if matches!(self, MeasurementModel::RangeBearing { .. }) && z.x < 0.0 {
            return Err(MeasurementError::NegativeRange);
        }
        Ok(())
    }

    /// The measured position in the local frame (for a range/bearing measurement, converted
    /// from polar) and its covariance, to index and initiate.
    pub fn position_of(&self, z: Vector2<f64>) -> (Vector2<f64>, Matrix2<f64>) {
        match *self {
            MeasurementModel::Position { r } => (z, r),
            MeasurementModel::RangeBearing { sensor, r } => {
                let (range, bearing) = (z.x, z.y);
                let (sin, cos) = bearing.sin_cos();
                let pos = sensor + Vector2::new(range * sin, range * cos);
                // Polar → Cartesian covariance through the Jacobian of (x, y) w.r.t. (r, θ).
                let j = Matrix2::new(sin, range * cos, cos, -range * sin);
                (pos, j * r * j.transpose())
            }
        }
    }

    /// The radius of a circle around `pred`'s position that holds the plane position of every
    /// measurement within the χ² `gate` of `pred` (the spatial index is queried with it, so it
    /// must not be smaller); `None` where the model is singular.
    ///
    /// For a range/bearing radar: a measurement `a` further in range and `δ` off in bearing
    /// lies at distance² `a² + 2ρ(ρ + a)(1 − cos δ) ≤ (a² + w²)(1 + a/ρ)` from the prediction
    /// at range ρ, with `w = ρδ`; `a² + w²` is at most the gate times the largest eigenvalue
    /// of the innovation covariance with bearing scaled to metres, and `a` at most the gate's
    /// range half-width. The linear bound alone falls short by up to a fifth for a near,
    /// uncertain track.
    pub fn gate_extent(&self, pred: &Gaussian, gate: f64) -> Option<f64> {
        self.gate(pred, gate).map(|(_, extent)| extent)
    }

    /// [`MeasurementModel::gate_test`] and [`MeasurementModel::gate_extent`] together, from
    /// one linearisation.
    pub fn gate(&self, pred: &Gaussian, gate: f64) -> Option<(GateTest, f64)> {
        let (predicted, h, r, bearing) = self.linearise(pred)?;
        let (s, _) = Self::innovation_covariance(pred, &h, &r)?;
        let test = GateTest {
            predicted,
            bearing,
            s_inv: s.try_inverse()?,
        };
        let scale = if bearing { predicted.x } else { 1.0 };
        let (a, b, d) = (s[(0, 0)], scale * s[(0, 1)], scale * scale * s[(1, 1)]);
        let largest = 0.5 * (a + d) + ((0.5 * (a - d)).powi(2) + b * b).sqrt();
        let curvature = if bearing {
            1.0 + (gate * a).sqrt() / predicted.x
        } else {
            1.0
        };
        Some((test, (gate * largest * curvature).sqrt()))
    }

    /// The predicted measurement of `pred`, the Jacobian there, the measurement covariance,
    /// and whether the second component is a bearing (wrapped); `None` where the model is
    /// singular (a target on top of the radar).
    fn linearise(&self, pred: &Gaussian) -> Option<(Vector2<f64>, Jacobian, Matrix2<f64>, bool)> {
        match *self {
            MeasurementModel::Position { r } => {
                let mut h = Jacobian::zeros();
                h[(0, X)] = 1.0;
                h[(1, Y)] = 1.0;
                Some((pred.position(), h, r, false))
            }
            MeasurementModel::RangeBearing { sensor, r } => {
                let d = pred.position() - sensor;
                let rho2 = d.norm_squared();
                let rho = rho2.sqrt();
                if rho < 1.0 {
                    return None;
                }
                let mut h = Jacobian::zeros();
                h[(0, X)] = d.x / rho;
                h[(0, Y)] = d.y / rho;
                h[(1, X)] = d.y / rho2;
                h[(1, Y)] = -d.x / rho2;
                Some((Vector2::new(rho, d.x.atan2(d.y)), h, r, true))
            }
        }
    }

    /// The innovation covariance `H P Hᵀ + R` (symmetrised) and its determinant, if positive.
    fn innovation_covariance(
        pred: &Gaussian,
        h: &Jacobian,
        r: &Matrix2<f64>,
    ) -> Option<(Matrix2<f64>, f64)> {
        // H is zero outside the position columns (see [`position_part`]): only the position
        // block of P meets it.
        let hp = position_part(h);
        let s = hp * pred.position_covariance() * hp.transpose() + r;
        let s = (s + s.transpose()) * 0.5;
        let det = s.determinant();
        (det > 0.0 && det.is_finite()).then_some((s, det))
    }

    /// Innovation of measurement `z` against `pred`; `None` where the model is singular (a
    /// target on top of the radar, a degenerate covariance).
    pub fn innovation(&self, pred: &Gaussian, z: Vector2<f64>) -> Option<Innovation> {
        let (predicted, h, r, bearing) = self.linearise(pred)?;
        let (s, det) = Self::innovation_covariance(pred, &h, &r)?;
        let s_inv = s.try_inverse()?;
        let mut nu = z - predicted;
        if bearing {
            nu.y = wrap_pi(nu.y);
        }
        let d2 = quadratic_form(&s_inv, nu);
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
            ln_det_s: det.ln(),
        })
    }

    /// What the squared Mahalanobis distance of any measurement of this model from `pred`
    /// needs, computed once: a track gated against many plots of one radar linearises once.
    pub fn gate_test(&self, pred: &Gaussian) -> Option<GateTest> {
        let (predicted, h, r, bearing) = self.linearise(pred)?;
        let (s, _) = Self::innovation_covariance(pred, &h, &r)?;
        Some(GateTest {
            predicted,
            bearing,
            s_inv: s.try_inverse()?,
        })
    }

    /// The first estimate of a target from one measurement: position from the measurement,
    /// velocity unknown (zero mean, `speed_sigma_mps` per axis), turn rate zero
    /// (`turn_sigma_rad_s`).
    pub fn initiate(
        &self,
        z: Vector2<f64>,
        speed_sigma_mps: f64,
        turn_sigma_rad_s: f64,
    ) -> Gaussian {
        let (pos, pos_cov) = self.position_of(z);
        let v = speed_sigma_mps * speed_sigma_mps;
        let mut p = Covariance::zeros();
        p[(X, X)] = pos_cov[(0, 0)];
        p[(X, Y)] = pos_cov[(0, 1)];
        p[(Y, X)] = pos_cov[(1, 0)];
        p[(Y, Y)] = pos_cov[(1, 1)];
        p[(VX, VX)] = v;
        p[(VY, VY)] = v;
        p[(OMEGA, OMEGA)] = turn_sigma_rad_s * turn_sigma_rad_s;
        let mut x = State::zeros();
        x[X] = pos.x;
        x[Y] = pos.y;
        Gaussian { x, p }
    }
}

/// The (extended) Kalman update of `pred` with innovation `inn`, in Joseph form so the
/// covariance stays symmetric positive definite through thousands of updates.
///
/// Computed as `A = P − K(HP)`, then `A − (AHᵀ)Kᵀ + KRKᵀ`: the same Joseph product
/// `(I − KH)P(I − KH)ᵀ + KRKᵀ`, with H's zero columns (it measures position only) left out of
/// the arithmetic instead of multiplied through two 5×5 products.
pub fn update(pred: &Gaussian, inn: &Innovation) -> Gaussian {
    let pht = times_h_transpose(&pred.p, &inn.h);
    let k = pht * inn.s_inv;
    // HP = (PHᵀ)ᵀ, P being symmetric.
    let a = pred.p - k * pht.transpose();
    let p = a - times_h_transpose(&a, &inn.h) * k.transpose() + k * inn.r * k.transpose();
    Gaussian {
        x: pred.x + k * inn.nu,
        p,
    }
    .symmetrised()
}

/// `M Hᵀ` for a Jacobian that is zero outside the position columns.
fn times_h_transpose(m: &Covariance, h: &Jacobian) -> SMatrix<f64, DIM, 2> {
    debug_assert!(is_position_only(h), "{h:?}");
    let mut out = SMatrix::<f64, DIM, 2>::zeros();
    for row in 0..DIM {
        for k in 0..2 {
            out[(row, k)] = m[(row, X)] * h[(k, X)] + m[(row, Y)] * h[(k, Y)];
        }
    }
    out
}

/// The position columns of a Jacobian. Every measurement model here measures where a target
/// is, not how it moves, so the rest of H is zero and the filter's products skip it (a
/// Doppler model would have to change [`update`] and the innovation covariance).
fn position_part(h: &Jacobian) -> Matrix2<f64> {
    debug_assert!(is_position_only(h), "{h:?}");
    Matrix2::new(h[(0, X)], h[(0, Y)], h[(1, X)], h[(1, Y)])
}

fn is_position_only(h: &Jacobian) -> bool {
    (0..DIM)
        .filter(|&c| c != X && c != Y)
        .all(|c| h[(0, c)] == 0.0 && h[(1, c)] == 0.0)
}

/// The chi-square threshold with 2 degrees of freedom for gate probability `p`
/// (closed form: the 2-dof chi-square CDF is `1 − e^(−g/2)`).
pub fn chi2_gate_2dof(p: f64) -> f64 {
    -2.0 * (1.0 - p).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(x: f64, y: f64, var: f64) -> Gaussian {
        let mut s = State::zeros();
        s[X] = x;
        s[Y] = y;
        Gaussian {
            x: s,
            p: Covariance::identity() * var,
        }
    }

    #[test]
    fn the_update_equals_the_dense_joseph_product() {
        let mut g = at(3000.0, 4000.0, 1.0);
        for r in 0..DIM {
            for c in 0..DIM {
                g.p[(r, c)] = 0.3 * ((r + c) % 3) as f64 + if r == c { 50.0 } else { 0.0 };
            }
        }
        g.x[VX] = 3.0;
        for (model, z) in [
            (
                MeasurementModel::range_bearing(Vector2::new(100.0, -50.0), 10.0, 0.01),
                Vector2::new(5001.0, 0.64),
            ),
            (
                MeasurementModel::position(15.0),
                Vector2::new(3010.0, 3990.0),
            ),
        ] {
            let inn = model.innovation(&g, z).unwrap();
            let dense_s = inn.h * g.p * inn.h.transpose() + inn.r;
            assert!((inn.s - dense_s).norm() < 1e-9 * dense_s.norm());
            let k = g.p * inn.h.transpose() * inn.s_inv;
            let i_kh = Covariance::identity() - k * inn.h;
            let dense = i_kh * g.p * i_kh.transpose() + k * inn.r * k.transpose();
            let fast = update(&g, &inn);
            assert!((fast.x - (g.x + k * inn.nu)).norm() < 1e-9);
            assert!(
                (fast.p - dense).norm() < 1e-9 * dense.norm(),
                "{fast:?}\n{dense}"
            );
        }
    }

    #[test]
    fn the_range_bearing_jacobian_matches_finite_differences() {
        let model = MeasurementModel::range_bearing(Vector2::new(100.0, -50.0), 10.0, 0.01);
        let g = at(3000.0, 4000.0, 1.0);
        let h_of = |x: f64, y: f64| {
            let (dx, dy) = (x - 100.0, y + 50.0);
            Vector2::new((dx * dx + dy * dy).sqrt(), dx.atan2(dy))
        };
        let inn = model.innovation(&g, h_of(3000.0, 4000.0)).unwrap();
        let eps = 1e-3;
        let dx = (h_of(3000.0 + eps, 4000.0) - h_of(3000.0 - eps, 4000.0)) / (2.0 * eps);
        let dy = (h_of(3000.0, 4000.0 + eps) - h_of(3000.0, 4000.0 - eps)) / (2.0 * eps);
        for row in 0..2 {
            assert!((inn.h[(row, X)] - dx[row]).abs() < 1e-8);
            assert!((inn.h[(row, Y)] - dy[row]).abs() < 1e-8);
        }
        assert!(inn.d2.abs() < 1e-12);
    }

    #[test]
    fn a_bearing_residual_across_north_wraps() {
        let model = MeasurementModel::range_bearing(Vector2::zeros(), 10.0, 0.01);
        // Target just west of north; measured just east of north.
        let g = at(-10.0, 5000.0, 100.0);
        let inn = model.innovation(&g, Vector2::new(5000.0, 0.001)).unwrap();
        assert!(inn.nu.y.abs() < 0.01, "{}", inn.nu.y);
    }

    #[test]
    fn a_gate_test_gives_the_innovations_distance() {
        let rb = MeasurementModel::range_bearing(Vector2::new(100.0, -50.0), 10.0, 0.01);
        let xy = MeasurementModel::position(15.0);
        // Targets east, and just west of north of the radar (bearings across ±π too).
        for g in [
            at(3000.0, 4000.0, 50.0),
            at(-3.0, 4000.0, 50.0),
            at(100.0, -4000.0, 5.0),
        ] {
            for model in [rb, xy] {
                let test = model.gate_test(&g).unwrap();
                for z in [
                    Vector2::new(5000.0, 0.6),
                    Vector2::new(4050.0, -0.002),
                    Vector2::new(4000.0, std::f64::consts::PI - 0.001),
                    Vector2::new(3010.0, 3990.0),
                ] {
                    let inn = model.innovation(&g, z).unwrap();
                    let d2 = test.d2(z).unwrap();
                    assert!(
                        (d2 - inn.d2).abs() <= 1e-9 * inn.d2.max(1.0),
                        "{d2} vs {}",
                        inn.d2
                    );
                }
            }
        }
    }

    #[test]
    fn the_2_dof_gate_matches_the_chi_square_table() {
        assert!((chi2_gate_2dof(0.99) - 9.2103).abs() < 1e-4);
        assert!((chi2_gate_2dof(0.9999) - 18.4207).abs() < 1e-4);
    }

    #[test]
    fn bad_measurements_are_refused_with_a_reason() {
        let ok = MeasurementModel::position(10.0);
        assert_eq!(ok.validate(Vector2::new(1.0, 2.0)), Ok(()));
        assert_eq!(
            ok.validate(Vector2::new(f64::NAN, 2.0)),
            Err(MeasurementError::NotFinite)
        );
        let not_pd = MeasurementModel::Position {
            r: Matrix2::new(1.0, 2.0, 2.0, 1.0),
        };
        assert_eq!(
            not_pd.validate(Vector2::zeros()),
            Err(MeasurementError::NotPositiveDefinite)
        );
        let rb = MeasurementModel::range_bearing(Vector2::zeros(), 10.0, 0.01);
        assert_eq!(
            rb.validate(Vector2::new(-5.0, 0.0)),
            Err(MeasurementError::NegativeRange)
        );
    }

    #[test]
    fn the_joseph_update_keeps_the_covariance_symmetric_and_positive() {
        let model = MeasurementModel::range_bearing(Vector2::zeros(), 1e-3, 1e-7);
        let mut g = at(3000.0, 4000.0, 1e6);
        for i in 0..1000 {
            let z = Vector2::new(5000.0 + f64::from(i % 3), 0.6435);
            let inn = model.innovation(&g, z).unwrap();
            g = update(&g, &inn);
            assert!(g.is_sane());
            assert_eq!(g.p, g.p.transpose());
        }
    }
}
