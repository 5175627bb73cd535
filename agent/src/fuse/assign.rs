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

/// Assigns each of `rows` rows a distinct column of `cols` so that the sum of `cost(row, col)`
/// is minimal; returns the column of each row.
pub fn min_cost_assignment(
    rows: usize,
    cols: usize,
    cost: impl Fn(usize, usize) -> f64,
) -> Result<Vec<usize>, AssignmentError> {
    if rows > cols {
        return Err(AssignmentError::TooManyRows { rows, cols });
    }
    // 1-based arrays as in the textbook formulation; index 0 is the virtual start column.
    let mut u = vec![0.0f64; rows + 1];
    let mut v = vec![0.0f64; cols + 1];
    let mut row_of_col = vec![0usize; cols + 1];
    let mut way = vec![0usize; cols + 1];
    let mut min_v = vec![f64::INFINITY; cols + 1];
    let mut used = vec![false; cols + 1];
    for i in 1..=rows {
        row_of_col[0] = i;
        let mut j0 = 0usize;
        min_v.fill(f64::INFINITY);
        used.fill(false);
        loop {
            used[j0] = true;
            let i0 = row_of_col[j0];
            let mut delta = f64::INFINITY;
            let mut j1 = 0usize;
            for j in 1..=cols {
                if used[j] {
                    continue;
                }
                let reduced = cost(i0 - 1, j - 1) - u[i0] - v[j];
                if reduced < min_v[j] {
                    min_v[j] = reduced;
                    way[j] = j0;
                }
                if min_v[j] < delta {
                    delta = min_v[j];
                    j1 = j;
                }
            }
            if !delta.is_finite() {
                return Err(AssignmentError::Infeasible);
            }
            for j in 0..=cols {
                if used[j] {
                    u[row_of_col[j]] += delta;
                    v[j] -= delta;
                } else {
                    min_v[j] -= delta;
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
    let mut col_of_row = vec![0usize; rows];
    for j in 1..=cols {
        if row_of_col[j] != 0 {
            col_of_row[row_of_col[j] - 1] = j - 1;
        }
    }
    Ok(col_of_row)
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
