//! Optimal assignment (minimum total cost) for global nearest neighbour association.
//!
//! The Hungarian method with potentials (Kuhn–Munkres, shortest augmenting paths as in
//! Jonker–Volgenant), O(n²·m) for n rows ≤ m columns. Costs may be `f64::INFINITY` for pairs
//! that must not be matched; the association adds one "missed" column per row so a solution
//! always exists.

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
}

/// Buffers of the assignment solver, kept between calls so that solving allocates nothing
/// once they have grown to the largest problem seen.
#[derive(Debug, Default, Clone)]
pub struct Solver {
    u: Vec<f64>,
    v: Vec<f64>,
    row_of_col: Vec<usize>,
    way: Vec<usize>,
    min_v: Vec<f64>,
    used: Vec<bool>,
    col_of_row: Vec<usize>,
}

impl Solver {
    /// A solver with empty buffers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Assigns each of `rows` rows a distinct column of `cols` so that the sum of
    /// `cost(row, col)` is minimal; returns the column of each row.
    pub fn solve(
        &mut self,
        rows: usize,
        cols: usize,
        cost: impl Fn(usize, usize) -> f64,
    ) -> Result<&[usize], AssignmentError> {
        if rows > cols {
            return Err(AssignmentError::TooManyRows { rows, cols });
        }
        let reset = |v: &mut Vec<f64>, n: usize, value: f64| {
            v.clear();
            v.resize(n, value);
        };
        // 1-based arrays as in the textbook formulation; index 0 is the virtual start column.
        reset(&mut self.u, rows + 1, 0.0);
        reset(&mut self.v, cols + 1, 0.0);
        self.row_of_col.clear();
        self.row_of_col.resize(cols + 1, 0);
        self.way.clear();
        self.way.resize(cols + 1, 0);
        let (u, v, row_of_col, way) = (
            &mut self.u,
            &mut self.v,
            &mut self.row_of_col,
            &mut self.way,
        );
        for i in 1..=rows {
            row_of_col[0] = i;
            let mut j0 = 0usize;
            reset(&mut self.min_v, cols + 1, f64::INFINITY);
            self.used.clear();
            self.used.resize(cols + 1, false);
            loop {
                self.used[j0] = true;
                let i0 = row_of_col[j0];
                let mut delta = f64::INFINITY;
                let mut j1 = 0usize;
                for j in 1..=cols {
                    if self.used[j] {
                        continue;
                    }
                    let reduced = cost(i0 - 1, j - 1) - u[i0] - v[j];
                    if reduced < self.min_v[j] {
                        self.min_v[j] = reduced;
                        way[j] = j0;
                    }
                    if self.min_v[j] < delta {
                        delta = self.min_v[j];
                        j1 = j;
                    }
                }
                if !delta.is_finite() {
                    return Err(AssignmentError::Infeasible);
                }
                for j in 0..=cols {
                    if self.used[j] {
                        u[row_of_col[j]] += delta;
                        v[j] -= delta;
                    } else {
                        self.min_v[j] -= delta;
                    }
                }
                j0 = j1;
                if row_of_col[j0] == 0 {
                    break;
                }
            }
            // Flip the augmenting path.
            loop {
                let j1 = way[j0];
                row_of_col[j0] = row_of_col[j1];
                j0 = j1;
                if j0 == 0 {
                    break;
                }
            }
        }
        self.col_of_row.clear();
        self.col_of_row.resize(rows, 0);
        for (j, &row) in row_of_col.iter().enumerate().skip(1) {
            if row != 0 {
                self.col_of_row[row - 1] = j - 1;
            }
        }
        Ok(&self.col_of_row)
    }
}

/// Assigns each of `rows` rows a distinct column of `cols` so that the sum of `cost(row, col)`
/// is minimal; returns the column of each row. (A one-off [`Solver`].)
pub fn min_cost_assignment(
    rows: usize,
    cols: usize,
    cost: impl Fn(usize, usize) -> f64,
) -> Result<Vec<usize>, AssignmentError> {
    Solver::new().solve(rows, cols, cost).map(<[usize]>::to_vec)
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
            rows in 1usize..5, extra in 0usize..3,
            seed in proptest::collection::vec(0u32..1000, 64),
        ) {
            let cols = rows + extra;
            let c: Vec<f64> = (0..rows * cols).map(|k| f64::from(seed[k % 64]) / 7.0).collect();
            let a = min_cost_assignment(rows, cols, |i, j| c[i * cols + j]).unwrap();
            let mut seen = std::collections::HashSet::new();
            prop_assert!(a.iter().all(|&j| j < cols && seen.insert(j)));
            let total: f64 = a.iter().enumerate().map(|(i, &j)| c[i * cols + j]).sum();
            prop_assert!((total - brute_force(rows, cols, &c)).abs() < 1e-9);
        }
    }
}
