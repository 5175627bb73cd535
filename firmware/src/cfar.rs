//! Plot extraction from raw radar video: a constant-false-alarm-rate (CFAR) detector over one
//! sweep's range-bin amplitude profile.
//!
//! For each cell under test the noise level is estimated from `training` cells on each side,
//! skipping `guard` cells next to it (so a target's own spread does not raise its threshold).
//! Cell averaging (CA) averages the cells of both sides, each cell weighing the same; a side
//! cut short by the end of the profile is left out while the other has at least half its
//! cells. Greatest-of (GO) takes the larger side mean, which keeps false alarms down at
//! clutter edges (land, rain) at a small loss in clear water. A cell is a hit when it exceeds
//! both `factor` × noise and `min_amplitude`; runs of adjacent hits are one target, reported
//! at its strongest cell.

/// How the two training windows are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CfarMode {
    /// Mean of the cells of both windows (best in homogeneous noise).
    CellAveraging,
    /// The larger of the two window means (robust at clutter edges).
    GreatestOf,
}

/// Detector settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CfarConfig {
    /// Cells skipped on each side of the cell under test.
    pub guard: usize,
    /// Cells averaged on each side, beyond the guard cells.
    pub training: usize,
    /// Threshold as a multiple of the noise estimate.
    pub factor: f32,
    /// Absolute threshold: no hit at or below this amplitude, whatever the noise.
    pub min_amplitude: u16,
    /// How the windows are combined.
    pub mode: CfarMode,
}

impl Default for CfarConfig {
    fn default() -> Self {
        CfarConfig {
            guard: 2,
            training: 12,
            factor: 4.0,
            min_amplitude: 40,
            mode: CfarMode::GreatestOf,
        }
    }
}

/// One target found in a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detection {
    /// Cell of the strongest return.
    pub peak_bin: usize,
    /// Its amplitude.
    pub amplitude: u16,
    /// First and last cell of the run of hits.
    pub first_bin: usize,
    /// Last cell of the run of hits.
    pub last_bin: usize,
}

/// Sum of the amplitudes of `profile[start..end]` and the number of cells; `None` when the
/// window is empty.
fn window_sum(profile: &[u16], start: usize, end: usize) -> Option<(u32, usize)> {
    let window = profile.get(start..end.min(profile.len()))?;
    if window.is_empty() {
        return None;
    }
    Some((window.iter().map(|&a| u32::from(a)).sum(), window.len()))
}

fn mean((sum, n): (u32, usize)) -> f32 {
    sum as f32 / n as f32
}

/// The detection threshold of cell `i`.
fn threshold(profile: &[u16], i: usize, cfg: &CfarConfig) -> f32 {
    let reach = cfg.guard + cfg.training;
    let lead = window_sum(
        profile,
        i.saturating_sub(reach),
        i.saturating_sub(cfg.guard),
    );
    let lag_start = i.saturating_add(cfg.guard).saturating_add(1);
    let lag = window_sum(profile, lag_start, lag_start.saturating_add(cfg.training));
    // A window cut short by the end of the profile (one or two cells near range 0) is too
    // noisy an estimate to weigh like a full one: ignore it while the other side has enough.
    let enough = |w: Option<(u32, usize)>| w.is_some_and(|(_, n)| 2 * n >= cfg.training);
    let (lead, lag) = match (enough(lead), enough(lag)) {
        (true, false) => (lead, None),
        (false, true) => (None, lag),
        _ => (lead, lag),
    };
    let noise = match (lead, lag, cfg.mode) {
        (Some(a), Some(b), CfarMode::GreatestOf) => mean(a).max(mean(b)),
        // Every cell weighs the same, whichever side it is on.
        (Some((sa, na)), Some((sb, nb)), CfarMode::CellAveraging) => mean((sa + sb, na + nb)),
        (Some(a), None, _) | (None, Some(a), _) => mean(a),
        (None, None, _) => 0.0,
    };
    (cfg.factor * noise).max(f32::from(cfg.min_amplitude))
}

/// Runs the detector over `profile`, calling `found` for each target in range order. Returns
/// the number of targets found.
pub fn extract(profile: &[u16], cfg: &CfarConfig, mut found: impl FnMut(Detection)) -> usize {
    let mut count = 0;
    let mut run: Option<Detection> = None;
    for (i, &amplitude) in profile.iter().enumerate() {
        let hit = f32::from(amplitude) > threshold(profile, i, cfg);
        run = match (run, hit) {
            (None, true) => Some(Detection {
                peak_bin: i,
                amplitude,
                first_bin: i,
                last_bin: i,
            }),
            (Some(mut d), true) => {
                d.last_bin = i;
                if amplitude > d.amplitude {
                    d.amplitude = amplitude;
                    d.peak_bin = i;
                }
                Some(d)
            }
            (Some(d), false) => {
                found(d);
                count += 1;
                None
            }
            (None, false) => None,
        };
    }
    if let Some(d) = run {
        found(d);
        count += 1;
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    /// Deterministic noise: Rayleigh-like amplitudes around `mean` from a xorshift generator.
    fn noise(n: usize, mean: f32, seed: u64) -> Vec<u16> {
        // Spread small seeds over the state (xorshift starts slowly from sparse states).
        let mut s = seed.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                let u = ((s >> 11) as f64 / (1u64 << 53) as f64).max(1e-12);
                // Rayleigh with the given mean: sigma = mean / sqrt(pi/2).
                let sigma = f64::from(mean) / (core::f64::consts::PI / 2.0).sqrt();
                (sigma * (-2.0 * u.ln()).sqrt()) as u16
            })
            .collect()
    }

    fn detections(profile: &[u16], cfg: &CfarConfig) -> Vec<Detection> {
        let mut out = Vec::new();
        extract(profile, cfg, |d| out.push(d));
        out
    }

    #[test]
    fn known_targets_in_noise_are_found_at_their_range_cells() {
        let mut profile = noise(512, 20.0, 7);
        for (bin, amp) in [(60, 400), (61, 250), (200, 300), (420, 500)] {
            profile[bin] = amp;
        }
        for mode in [CfarMode::CellAveraging, CfarMode::GreatestOf] {
            let cfg = CfarConfig {
                mode,
                ..CfarConfig::default()
            };
            let peaks: Vec<_> = detections(&profile, &cfg)
                .iter()
                .map(|d| (d.peak_bin, d.amplitude))
                .collect();
            assert_eq!(peaks, [(60, 400), (200, 300), (420, 500)], "{mode:?}");
        }
    }

    #[test]
    fn flat_noise_raises_false_alarms_below_the_rate_bound() {
        // 200 sweeps of 512 cells of noise: with factor 4 on Rayleigh noise the expected
        // false-alarm rate is about 4e-6 per cell; allow 1e-4.
        let cfg = CfarConfig {
            min_amplitude: 0,
            ..CfarConfig::default()
        };
        let cells = 200 * 512;
        let alarms: usize = (0..200)
            .map(|seed| detections(&noise(512, 20.0, seed + 1), &cfg).len())
            .sum();
        assert!(
            (alarms as f64) < 1e-4 * cells as f64,
            "{alarms} false alarms in {cells} cells"
        );
    }

    #[test]
    fn a_target_in_clear_water_beside_a_clutter_edge_is_found_and_the_edge_is_not_a_target() {
        // Land clutter (mean 150) from cell 300 on; a boat in clear water at cell 290.
        let mut profile = noise(512, 15.0, 3);
        for (cell, clutter) in profile.iter_mut().zip(noise(512, 150.0, 5)).skip(300) {
            *cell = clutter;
        }
        profile[290] = 400;
        let cfg = CfarConfig::default();
        let found = detections(&profile, &cfg);
        assert!(found.iter().any(|d| d.peak_bin == 290), "{found:?}");
        let edge_alarms = found.iter().filter(|d| d.peak_bin >= 295).count();
        assert!(edge_alarms <= 1, "clutter edge raised {found:?}");
    }

    #[test]
    fn one_low_cell_at_range_zero_does_not_halve_the_cell_averaging_noise_estimate() {
        // Cell 3's leading window is cell 0 alone (guard 2). Weighted like the 12 cells of
        // the lagging window, its 0 halved the estimate (threshold 4 × 10 = 40), and a cell of
        // three times the noise level was a target.
        let cfg = CfarConfig {
            mode: CfarMode::CellAveraging,
            min_amplitude: 0,
            ..CfarConfig::default()
        };
        let mut profile = [20u16; 64];
        profile[0] = 0;
        profile[3] = 60;
        assert_eq!(detections(&profile, &cfg), []);
        profile[3] = 90;
        assert_eq!(
            detections(&profile, &cfg).len(),
            1,
            "a real target still shows"
        );
    }

    #[test]
    fn cell_averaging_near_range_zero_keeps_false_alarms_near_the_rate_inside_the_profile() {
        // The cells whose leading window is cut short by range 0 estimate the noise from fewer
        // cells, so some rise in false alarms is inherent (about 2.7 times the rate inside);
        // weighting a one-cell window like a full one made it about 7 times.
        let cfg = CfarConfig {
            mode: CfarMode::CellAveraging,
            min_amplitude: 0,
            ..CfarConfig::default()
        };
        let (len, edge, sweeps) = (128, cfg.guard + cfg.training, 10_000);
        let (mut at_edge, mut inside) = (0usize, 0usize);
        for seed in 0..sweeps {
            for d in detections(&noise(len, 20.0, seed + 1000), &cfg) {
                if d.first_bin < edge {
                    at_edge += 1;
                } else if d.last_bin < len - edge {
                    inside += 1;
                }
            }
        }
        let edge_rate = at_edge as f64 / (sweeps as usize * edge) as f64;
        let inside_rate = inside as f64 / (sweeps as usize * (len - 2 * edge)) as f64;
        assert!(inside > 20, "too few alarms inside ({inside}) to compare");
        assert!(
            edge_rate < 4.0 * inside_rate,
            "false alarms per cell: {edge_rate:.2e} near range 0, {inside_rate:.2e} inside"
        );
    }

    #[test]
    fn the_absolute_threshold_holds_in_a_silent_sweep() {
        let mut profile = [0u16; 64];
        profile[10] = 30;
        assert!(detections(&profile, &CfarConfig::default()).is_empty());
        profile[10] = 41;
        assert_eq!(detections(&profile, &CfarConfig::default()).len(), 1);
    }
}
