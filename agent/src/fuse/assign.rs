//! Optimal assignment (minimum total cost) for global nearest neighbour association.
//!
//! Successive shortest augmenting paths with potentials (the Hungarian method in the form of
//! Jonker–Volgenant), each path found by Dijkstra over the problem's finite-cost pairs only.
//! A gating cluster is sparse: a track gates a handful of the cluster's detections, and a
//! radar's long, overlapping gates chain thousands of tracks into one cluster. The dense
//! method scanned every column for every step of every path, O(n²·m); here a path costs
//! the pairs it reaches, O(e log e) at worst and a few pairs in the usual case.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Why no assignment exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AssignmentError {
    /// More rows than columns.
    #[error("{rows} rows cannot be assigned to {cols} columns")]
    TooManyRows {
        /// Rows.
        rows: usize,
        /// Columns.
        cols: usize,
    },
    /// Some row has no finite-cost column left.
    #[error("no finite-cost assignment exists")]
    Infeasible,
    /// A pair names a row or column outside the problem, or its cost is not a number.
    #[error("pair ({row}, {col}) is outside the problem or has no cost")]
    BadPair {
        /// Row.
        row: usize,
        /// Column.
        col: usize,
    },
}

/// A sparse assignment problem: for each row, the columns it may take and at what cost
/// (pairs not listed are forbidden). Built row by row; reused between problems without
/// allocating once grown.
#[derive(Debug, Default, Clone)]
pub struct SparseProblem {
    cols: usize,
    /// Row `r`'s pairs are `pairs[row_start[r]..row_start[r + 1]]`.
    row_start: Vec<usize>,
    pairs: Vec<(u32, f64)>,
}

impl SparseProblem {
    /// Empties the problem for one with `cols` columns.
    pub fn reset(&mut self, cols: usize) {
        self.cols = cols;
        self.row_start.clear();
        self.row_start.push(0);
        self.pairs.clear();
    }

    /// Adds the next row, with its allowed `(column, cost)` pairs (infinite costs are left
    /// out).
    pub fn push_row(&mut self, pairs: impl IntoIterator<Item = (usize, f64)>) {
        for (col, cost) in pairs {
            if cost != f64::INFINITY {
                // An index beyond u32 cannot be a column: it is reported by `solve`.
                self.pairs
                    .push((u32::try_from(col).unwrap_or(u32::MAX), cost));
            }
        }
        self.row_start.push(self.pairs.len());
    }

    /// Rows added.
    pub fn rows(&self) -> usize {
        self.row_start.len().saturating_sub(1)
    }

    fn row(&self, r: usize) -> &[(u32, f64)] {
        &self.pairs[self.row_start[r]..self.row_start[r + 1]]
    }
}

/// A column on the Dijkstra frontier, nearest first.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Frontier {
    dist: f64,
    col: u32,
}

impl Eq for Frontier {}

impl Ord for Frontier {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: BinaryHeap pops its greatest. Ties by column, so results are
        // deterministic.
        other
            .dist
            .total_cmp(&self.dist)
            .then_with(|| other.col.cmp(&self.col))
    }
}

impl PartialOrd for Frontier {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

const NONE: u32 = u32::MAX;

/// Buffers of the assignment solver, kept between calls so that solving allocates nothing
/// once they have grown to the largest problem seen.
#[derive(Debug, Default, Clone)]
pub struct Solver {
    /// Row and column potentials: every allowed pair's reduced cost
    /// `cost − u[row] − v[col]` stays ≥ 0, and is 0 on matched pairs.
    u: Vec<f64>,
    v: Vec<f64>,
    row_of_col: Vec<u32>,
    col_of_row: Vec<u32>,
    /// Per column: path length from the row being matched, valid when `reached == epoch`.
    dist: Vec<f64>,
    /// Per column: the row it was reached from.
    via_row: Vec<u32>,
    reached: Vec<u32>,
    /// Per column: `epoch` once its shortest path is final.
    settled: Vec<u32>,
    /// Settled columns of the current path search, with their distances.
    settled_list: Vec<(u32, f64)>,
    frontier: BinaryHeap<Frontier>,
    result: Vec<usize>,
}

impl Solver {
    /// A solver with empty buffers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Assigns each row of `problem` a distinct column among its allowed pairs so that the
    /// sum of costs is minimal; returns the column of each row.
    pub fn solve(&mut self, problem: &SparseProblem) -> Result<&[usize], AssignmentError> {
        let (rows, cols) = (problem.rows(), problem.cols);
        if rows > cols {
            return Err(AssignmentError::TooManyRows { rows, cols });
        }
        for r in 0..rows {
            if let Some(&(col, _)) = problem
                .row(r)
                .iter()
                .find(|(col, cost)| *col as usize >= cols || cost.is_nan())
            {
                return Err(AssignmentError::BadPair {
                    row: r,
                    col: col as usize,
                });
            }
        }
        let reset_f = |v: &mut Vec<f64>, n: usize, value: f64| {
            v.clear();
            v.resize(n, value);
        };
        let reset_u = |v: &mut Vec<u32>, n: usize, value: u32| {
            v.clear();
            v.resize(n, value);
        };
        reset_f(&mut self.u, rows, 0.0);
        reset_f(&mut self.v, cols, 0.0);
        reset_f(&mut self.dist, cols, f64::INFINITY);
        reset_u(&mut self.row_of_col, cols, NONE);
        reset_u(&mut self.col_of_row, rows, NONE);
        reset_u(&mut self.via_row, cols, NONE);
        reset_u(&mut self.reached, cols, 0);
        reset_u(&mut self.settled, cols, 0);
        for (epoch, start) in (1u32..).zip(0..rows) {
            self.augment(problem, start, epoch)?;
        }
        self.result.clear();
        self.result
            .extend(self.col_of_row.iter().map(|&c| c as usize));
        Ok(&self.result)
    }

    /// Matches row `start` along a shortest augmenting path, then adjusts the potentials.
    fn augment(
        &mut self,
        problem: &SparseProblem,
        start: usize,
        epoch: u32,
    ) -> Result<(), AssignmentError> {
        let v = &self.v;
        // The new row's potential: its cheapest reduced pair costs 0.
        self.u[start] = problem
            .row(start)
            .iter()
            .map(|&(col, cost)| cost - v[col as usize])
            .fold(f64::INFINITY, f64::min);
        if !self.u[start].is_finite() {
            return Err(AssignmentError::Infeasible);
        }
        self.frontier.clear();
        self.settled_list.clear();
        self.relax(problem, start, 0.0, epoch);
        let (sink, length) = loop {
            let Some(Frontier { dist, col }) = self.frontier.pop() else {
                return Err(AssignmentError::Infeasible);
            };
            let j = col as usize;
            if self.settled[j] == epoch || dist > self.dist[j] {
                continue;
            }
            self.settled[j] = epoch;
            match self.row_of_col[j] {
                NONE => break (j, dist),
                row => {
                    self.settled_list.push((col, dist));
                    self.relax(problem, row as usize, dist, epoch);
                }
            }
        };
        // Potentials: settled columns move by how much shorter their path was.
        for &(col, dist) in &self.settled_list {
            let delta = length - dist;
            self.v[col as usize] -= delta;
            self.u[self.row_of_col[col as usize] as usize] += delta;
        }
        self.u[start] += length;
        // Flip the path.
        let mut j = sink;
        loop {
            let row = self.via_row[j];
            let previous = self.col_of_row[row as usize];
            self.row_of_col[j] = row;
            self.col_of_row[row as usize] = j as u32;
            if row as usize == start {
                return Ok(());
            }
            j = previous as usize;
        }
    }

    /// Offers the columns of `row`'s pairs, reached at `base`, to the frontier.
    fn relax(&mut self, problem: &SparseProblem, row: usize, base: f64, epoch: u32) {
        let u = self.u[row];
        for &(col, cost) in problem.row(row) {
            let j = col as usize;
            if self.settled[j] == epoch {
                continue;
            }
            // Rounding may leave a reduced cost a hair below zero.
            let dist = base + (cost - u - self.v[j]).max(0.0);
            if self.reached[j] != epoch || dist < self.dist[j] {
                self.reached[j] = epoch;
                self.dist[j] = dist;
                self.via_row[j] = row as u32;
                self.frontier.push(Frontier { dist, col });
            }
        }
    }
}

/// Assigns each of `rows` rows a distinct column of `cols` so that the sum of `cost(row, col)`
/// is minimal (`f64::INFINITY`: not allowed); returns the column of each row. (A one-off
/// [`Solver`] on a dense problem.)
pub fn min_cost_assignment(
    rows: usize,
    cols: usize,
    cost: impl Fn(usize, usize) -> f64,
) -> Result<Vec<usize>, AssignmentError> {
    let mut problem = SparseProblem::default();
    problem.reset(cols);
    for r in 0..rows {
        problem.push_row((0..cols).map(|c| (c, cost(r, c))));
    }
    Solver::new().solve(&problem).map(<[usize]>::to_vec)
}

/// Union-find over `n` elements, to split an association problem into independent clusters.
#[derive(Debug, Default, Clone)]
pub struct Clusters {
    parent: Vec<u32>,
}

impl Clusters {
    /// Resets to `n` singletons.
    pub fn reset(&mut self, n: usize) {
        self.parent.clear();
        self.parent.extend(0..n as u32);
    }

    /// The representative of `i`'s cluster.
    pub fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] as usize != i {
            // Path halving.
            let grand = self.parent[self.parent[i] as usize];
            self.parent[i] = grand;
            i = grand as usize;
        }
        i
    }

    /// Joins the clusters of `a` and `b`.
    pub fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.parent[ra.max(rb)] = ra.min(rb) as u32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn brute_force(rows: usize, cols: usize, c: &[f64]) -> f64 {
        fn go(i: usize, rows: usize, cols: usize, c: &[f64], used: &mut Vec<bool>) -> f64 {
            if i == rows {
                return 0.0;
            }
            let mut best = f64::INFINITY;
            for j in 0..cols {
                if !used[j] {
                    used[j] = true;
                    best = best.min(c[i * cols + j] + go(i + 1, rows, cols, c, used));
                    used[j] = false;
                }
            }
            best
        }
        go(0, rows, cols, c, &mut vec![false; cols])
    }

    #[test]
    fn a_greedy_trap_is_solved_optimally() {
        // Greedy takes (0,0)=1 and is then forced into (1,1)=100; optimal is 2 + 3.
        let c = [1.0, 2.0, 3.0, 100.0];
        let a = min_cost_assignment(2, 2, |i, j| c[i * 2 + j]).unwrap();
        assert_eq!(a, vec![1, 0]);
    }

    #[test]
    fn clusters_join_transitively() {
        let mut c = Clusters::default();
        c.reset(6);
        c.union(0, 3);
        c.union(3, 5);
        c.union(1, 2);
        assert_eq!(c.find(5), c.find(0));
        assert_eq!(c.find(2), c.find(1));
        assert_ne!(c.find(4), c.find(0));
        assert_ne!(c.find(1), c.find(0));
    }

    #[test]
    fn forbidden_pairs_are_never_chosen() {
        let inf = f64::INFINITY;
        let c = [inf, 5.0, 1.0, inf];
        assert_eq!(
            min_cost_assignment(2, 2, |i, j| c[i * 2 + j]).unwrap(),
            vec![1, 0]
        );
        let c = [inf, inf, 1.0, 2.0];
        assert_eq!(
            min_cost_assignment(2, 2, |i, j| c[i * 2 + j]),
            Err(AssignmentError::Infeasible)
        );
    }

    proptest! {
        #[test]
        fn the_assignment_is_a_minimum_over_all_permutations(
            rows in 1usize..6, extra in 0usize..3,
            seed in proptest::collection::vec(0u32..1000, 64),
            forbid_one_in in 2u32..6,
        ) {
            let cols = rows + extra;
            // Some pairs forbidden, as outside a gate; some costs equal.
            let c: Vec<f64> = (0..rows * cols)
                .map(|k| seed[k % 64])
                .map(|s| if s % forbid_one_in == 0 { f64::INFINITY } else { f64::from(s % 50) / 7.0 })
                .collect();
            let best = brute_force(rows, cols, &c);
            match min_cost_assignment(rows, cols, |i, j| c[i * cols + j]) {
                Ok(a) => {
                    let mut seen = std::collections::HashSet::new();
                    prop_assert!(a.iter().all(|&j| j < cols && seen.insert(j)));
                    let total: f64 = a.iter().enumerate().map(|(i, &j)| c[i * cols + j]).sum();
                    prop_assert!((total - best).abs() < 1e-9, "{total} vs {best}");
                }
                Err(e) => {
                    prop_assert_eq!(e, AssignmentError::Infeasible);
                    prop_assert!(best.is_infinite());
                }
            }
        }
    }

    #[test]
    fn a_chain_of_a_hundred_thousand_rows_is_one_augmenting_path() {
        // Row r may take column r (cost 1) or r + 1 (cost 0); the last row only its own. Every
        // row but the last takes r + 1 at first, and the last row's path runs back through
        // all of them. The dense method needed n² steps for it (hours at this size); the
        // sparse one walks the chain once.
        let n = 100_000;
        let mut problem = SparseProblem::default();
        problem.reset(n);
        for r in 0..n - 1 {
            problem.push_row([(r, 1.0), (r + 1, 0.0)]);
        }
        problem.push_row([(n - 1, 0.0)]);
        let mut solver = Solver::new();
        let a = solver.solve(&problem).unwrap();
        assert!(a.iter().enumerate().all(|(r, &c)| c == r));
    }

    #[test]
    fn a_pair_outside_the_problem_is_an_error_not_a_panic() {
        let mut problem = SparseProblem::default();
        problem.reset(2);
        problem.push_row([(0, 1.0), (7, 0.5)]);
        assert_eq!(
            Solver::new().solve(&problem),
            Err(AssignmentError::BadPair { row: 0, col: 7 })
        );
        problem.reset(2);
        problem.push_row([(0, f64::NAN)]);
        assert!(matches!(
            Solver::new().solve(&problem),
            Err(AssignmentError::BadPair { .. })
        ));
    }
}
