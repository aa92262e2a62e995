//! Disclosure control: primary and secondary (complementary) suppression.
//!
//! **Primary**: a cell with fewer than `min_cell` people is suppressed: its
//! counts and statistics are published empty, `suppressed = true`.
//!
//! **Secondary**: the scopes are additive hierarchies (study = sum of
//! groups = sum of sites = sum of sectors; sector = its sites; site = its
//! site x group cells; group = its site x group cells). If in any relation
//! `parent = sum(children)` exactly one member is unknown, it can be
//! recovered by subtraction. [`secondary`] finds such a member by closure
//! (a value derived in one relation is known in every other), and when it
//! is a suppressed cell, suppresses one more published cell of that
//! relation: the smallest published child (or, when the unknown is the
//! parent or no child is left, the parent), ties broken by output order.
//! It repeats to a fixed point.
//!
//! Known to an attacker: every published count, and every empty cell (n =
//! 0 is shown suppressed, but an empty cell has nobody to protect and never
//! protects anyone, so it is treated as known). Unknown: suppressed cells
//! and cells of scopes not published in this table (unless derivable).

/// Decide which cells are suppressed.
///
/// `n[i]` is the true count of cell `i`, `published[i]` whether the cell's
/// scope is published in this table, `equations` the additive relations
/// `(parent, children)`. Returns `suppressed[i]` (meaningful for published
/// cells; cells of unpublished scopes are reported as suppressed when
/// below `min_cell`, which no caller publishes).
pub fn secondary(n: &[u64], published: &[bool], equations: &[(usize, Vec<usize>)], min_cell: u32) -> Vec<bool> {
    let len = n.len();
    let mut suppressed: Vec<bool> = n.iter().map(|&x| x < u64::from(min_cell)).collect();
    // Each round suppresses one more nonzero published cell or stops, so
    // there are at most `len` rounds.
    for _ in 0..=len {
        let Some((eq, revealed)) = first_revealed(n, published, &suppressed, equations) else {
            return suppressed;
        };
        let candidate = |i: usize| i != revealed && published[i] && !suppressed[i] && n[i] > 0;
        let (parent, children) = &equations[eq];
        let pick = smallest(children.iter().copied().filter(|&i| candidate(i)), n)
            .or_else(|| Some(*parent).filter(|&p| candidate(p)))
            .or_else(|| smallest((0..len).filter(|&i| candidate(i)), n));
        match pick {
            Some(i) => suppressed[i] = true,
            None => return suppressed,
        }
    }
    suppressed
}

fn smallest(cells: impl Iterator<Item = usize>, n: &[u64]) -> Option<usize> {
    cells.min_by_key(|&i| (n[i], i))
}

/// The first suppressed, published, nonzero cell that an attacker can
/// derive, with the relation that derived it.
pub(crate) fn first_revealed(
    n: &[u64],
    published: &[bool],
    suppressed: &[bool],
    equations: &[(usize, Vec<usize>)],
) -> Option<(usize, usize)> {
    let mut known: Vec<bool> = (0..n.len()).map(|i| n[i] == 0 || (published[i] && !suppressed[i])).collect();
    loop {
        let mut changed = false;
        for (e, (parent, children)) in equations.iter().enumerate() {
            let mut unknown = std::iter::once(parent).chain(children.iter()).filter(|&&i| !known[i]);
            let (Some(&only), None) = (unknown.next(), unknown.next()) else {
                continue;
            };
            if published[only] && suppressed[only] {
                return Some((e, only));
            }
            known[only] = true;
            changed = true;
        }
        if !changed {
            return None;
        }
    }
}
