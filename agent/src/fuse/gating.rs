//! A spatial index for gating: which detections may fall in which track's gate, found in
//! near-linear time before the exact chi-square test.
//!
//! Detections are bucketed into square cells of a uniform grid (sorted by cell, no hashing,
//! no allocation once the buffers have grown); a track with a gate circle of radius `r`
//! visits only the cells that circle overlaps. With a cell about the size of a typical gate,
//! each track looks at a handful of detections whatever the number of targets, where the
//! naive test looks at all of them.

use nalgebra::Vector2;

/// Cells a single query may visit before it falls back to scanning every detection (a gate
/// wider than the whole picture).
const MAX_CELLS_PER_QUERY: i64 = 4096;

/// Detections bucketed by grid cell.
#[derive(Debug, Default, Clone)]
pub struct GridIndex {
    cell: f64,
    /// (cell key, detection index), sorted by key.
    entries: Vec<(u64, u32)>,
}

/// The sort key of a cell: row-major, so the cells of one row are contiguous and a query's row
/// is one sorted range; the sign bit is flipped so negative cells sort before positive ones.
fn key(cx: i32, cy: i32) -> u64 {
    (u64::from(cy as u32 ^ 0x8000_0000) << 32) | u64::from(cx as u32 ^ 0x8000_0000)
}

fn cell_of(v: f64, cell: f64) -> i32 {
    (v / cell)
        .floor()
        .clamp(f64::from(i32::MIN / 2), f64::from(i32::MAX / 2)) as i32
}

impl GridIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// Rebuilds the index over `positions` with cells of `cell` metres.
    pub fn build(&mut self, positions: impl Iterator<Item = Vector2<f64>>, cell: f64) {
        self.cell = if cell.is_finite() && cell > 0.0 {
            cell
        } else {
            1000.0
        };
        self.entries.clear();
        for (i, p) in positions.enumerate() {
            let (cx, cy) = (cell_of(p.x, self.cell), cell_of(p.y, self.cell));
            self.entries.push((key(cx, cy), i as u32));
        }
        self.entries.sort_unstable();
    }

    /// Number of detections indexed.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Calls `visit` with every detection whose cell overlaps the disc of `radius` around
    /// `center` (a superset of those inside the disc: the caller tests exactly).
    pub fn query(&self, center: Vector2<f64>, radius: f64, mut visit: impl FnMut(usize)) {
        if self.entries.is_empty() {
            return;
        }
        let radius = if radius.is_finite() {
            radius.max(0.0)
        } else {
            f64::MAX
        };
        let (x0, x1) = (
            cell_of(center.x - radius, self.cell),
            cell_of(center.x + radius, self.cell),
        );
        let (y0, y1) = (
            cell_of(center.y - radius, self.cell),
            cell_of(center.y + radius, self.cell),
        );
        let cells = (i64::from(x1) - i64::from(x0) + 1) * (i64::from(y1) - i64::from(y0) + 1);
        if cells > MAX_CELLS_PER_QUERY || !center.x.is_finite() || !center.y.is_finite() {
            for &(_, i) in &self.entries {
                visit(i as usize);
            }
            return;
        }
        for cy in y0..=y1 {
            let lo = key(x0, cy);
            let hi = key(x1, cy);
            let start = self.entries.partition_point(|&(k, _)| k < lo);
            for &(k, i) in &self.entries[start..] {
                if k > hi {
                    break;
                }
                visit(i as usize);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_finds_every_point_in_its_disc_and_few_others() {
        // A 50 × 50 lattice, 100 m apart, around the origin (negative coordinates included).
        let points: Vec<Vector2<f64>> = (0..2500)
            .map(|i| {
                Vector2::new(
                    f64::from(i % 50) * 100.0 - 2500.0,
                    f64::from(i / 50) * 100.0 - 2500.0,
                )
            })
            .collect();
        let mut index = GridIndex::new();
        index.build(points.iter().copied(), 250.0);
        for center in [
            Vector2::new(0.0, 0.0),
            Vector2::new(-2450.0, 1310.0),
            Vector2::new(2400.0, -2400.0),
        ] {
            let mut found = Vec::new();
            index.query(center, 260.0, |i| found.push(i));
            for (i, p) in points.iter().enumerate() {
                if (p - center).norm() <= 260.0 {
                    assert!(found.contains(&i), "missed {p:?} near {center:?}");
                }
            }
            assert!(found.len() < 150, "visited {} of 2500", found.len());
        }
    }

    #[test]
    fn an_infinite_radius_visits_everything_without_looping_forever() {
        let mut index = GridIndex::new();
        index.build(
            [Vector2::new(1.0, 1.0), Vector2::new(1e7, -1e7)].into_iter(),
            100.0,
        );
        let mut n = 0;
        index.query(Vector2::zeros(), f64::INFINITY, |_| n += 1);
        assert_eq!(n, 2);
        n = 0;
        index.query(Vector2::new(f64::NAN, 0.0), 10.0, |_| n += 1);
        assert_eq!(n, 2);
    }
}
