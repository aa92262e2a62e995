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
//!
//! **Cost.** The closure is event-driven: each relation keeps the number
//! and the sum of the indexes of its unknown members, so a relation left
//! with one unknown names it at once, and a cell becoming known touches
//! only the relations it is in. One closure is linear in the size of the
//! relations (times a log for the scan order), not in passes x size.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// The relations `parent = sum(children)` in compact form, with the
/// relations each cell is in.
pub(crate) struct System {
    /// Members of relation `e`: `members[start[e]..start[e + 1]]`, parent first.
    start: Vec<usize>,
    members: Vec<u32>,
    /// Relations of cell `c` (ascending, with multiplicity):
    /// `relations[at[c]..at[c + 1]]`.
    at: Vec<usize>,
    relations: Vec<u32>,
}

impl System {
    pub(crate) fn new(cells: usize, equations: &[(usize, Vec<usize>)]) -> System {
        let mut start = Vec::with_capacity(equations.len() + 1);
        let mut members = Vec::new();
        let mut degree = vec![0usize; cells + 1];
        start.push(0);
        for (parent, children) in equations {
            for &c in std::iter::once(parent).chain(children) {
                members.push(c as u32);
                degree[c] += 1;
            }
            start.push(members.len());
        }
        let mut at = Vec::with_capacity(cells + 1);
        let mut acc = 0;
        for d in &degree[..cells] {
            at.push(acc);
            acc += d;
        }
        at.push(acc);
        let mut fill = at.clone();
        let mut relations = vec![0u32; acc];
        for e in 0..equations.len() {
            for &c in &members[start[e]..start[e + 1]] {
                relations[fill[c as usize]] = e as u32;
                fill[c as usize] += 1;
            }
        }
        System {
            start,
            members,
            at,
            relations,
        }
    }

    fn len(&self) -> usize {
        self.start.len() - 1
    }

    fn relations_of(&self, c: usize) -> &[u32] {
        &self.relations[self.at[c]..self.at[c + 1]]
    }

    /// Per relation, (number of unknown members, sum of their indexes).
    fn unknowns(&self, known: &[bool]) -> (Vec<u32>, Vec<u64>) {
        let mut count = vec![0u32; self.len()];
        let mut sum = vec![0u64; self.len()];
        for e in 0..self.len() {
            for &c in &self.members[self.start[e]..self.start[e + 1]] {
                if !known[c as usize] {
                    count[e] += 1;
                    sum[e] += u64::from(c);
                }
            }
        }
        (count, sum)
    }

    /// The first suppressed, published, nonzero cell that an attacker can
    /// derive, with the relation that derived it.
    ///
    /// Equivalent to scanning the relations in order, pass after pass,
    /// deriving every relation left with one unknown as it is met, until a
    /// pass derives nothing; returns the first protected cell met (a
    /// published, suppressed cell). The scan is simulated with a queue of
    /// (pass, relation): a relation left with one unknown while the scan
    /// is at relation `e` of pass `p` is met at `(p, r)` if `r > e`, else
    /// at `(p + 1, r)`.
    pub(crate) fn first_revealed(
        &self,
        n: &[u64],
        published: &[bool],
        suppressed: &[bool],
    ) -> Option<(usize, usize)> {
        let mut known: Vec<bool> = (0..n.len())
            .map(|i| n[i] == 0 || (published[i] && !suppressed[i]))
            .collect();
        let (mut count, mut sum) = self.unknowns(&known);
        let mut queue: BinaryHeap<Reverse<(u32, u32)>> = (0..self.len())
            .filter(|&e| count[e] == 1)
            .map(|e| Reverse((0, e as u32)))
            .collect();
        while let Some(Reverse((pass, e))) = queue.pop() {
            let e = e as usize;
            if count[e] != 1 {
                continue;
            }
            let only = sum[e] as usize;
            if published[only] && suppressed[only] {
                return Some((e, only));
            }
            known[only] = true;
            for &r in self.relations_of(only) {
                let r = r as usize;
                count[r] -= 1;
                sum[r] -= only as u64;
                if count[r] == 1 {
                    queue.push(Reverse((if r > e { pass } else { pass + 1 }, r as u32)));
                }
            }
        }
        None
    }
}

/// Decide which cells are suppressed.
///
/// `n[i]` is the true count of cell `i`, `published[i]` whether the cell's
/// scope is published in this table, `equations` the additive relations
/// `(parent, children)`. Returns `suppressed[i]` (meaningful for published
/// cells; cells of unpublished scopes are reported as suppressed when
/// below `min_cell`, which no caller publishes).
pub fn secondary(
    n: &[u64],
    published: &[bool],
    equations: &[(usize, Vec<usize>)],
    min_cell: u32,
) -> Vec<bool> {
    let len = n.len();
    let system = System::new(len, equations);
    let mut suppressed: Vec<bool> = n.iter().map(|&x| x < u64::from(min_cell)).collect();
    // Each round suppresses one more nonzero published cell or stops, so
    // there are at most `len` rounds.
    for _ in 0..=len {
        let Some((eq, revealed)) = system.first_revealed(n, published, &suppressed) else {
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

/// What an attacker can derive, kept up to date as cells are published
/// one at a time: [`Closure::publish`] adds a cell to what is known unless
/// that would let a protected cell be derived.
pub(crate) struct Closure<'a> {
    system: &'a System,
    known: Vec<bool>,
    protected: Vec<bool>,
    count: Vec<u32>,
    sum: Vec<u64>,
    /// A protected cell is derivable from the start: nothing can be published.
    leaking: bool,
}

impl<'a> Closure<'a> {
    /// The closure of `known`; `protected` cells must never be derived.
    pub(crate) fn new(system: &'a System, known: Vec<bool>, protected: Vec<bool>) -> Closure<'a> {
        let (count, sum) = system.unknowns(&known);
        let mut c = Closure {
            system,
            known,
            protected,
            count,
            sum,
            leaking: false,
        };
        let mut log = Vec::new();
        let ready: Vec<usize> = (0..system.len()).filter(|&e| c.count[e] == 1).collect();
        for e in ready {
            if c.count[e] != 1 {
                continue;
            }
            let only = c.sum[e] as usize;
            if c.protected[only] {
                c.leaking = true;
                return c;
            }
            c.known[only] = true;
            let from = log.len();
            log.push(only);
            if c.spread(&mut log, from) {
                c.leaking = true;
                return c;
            }
        }
        c
    }

    /// Make the cells `log[from..]` (already marked known) known in their
    /// relations, deriving what follows (appended to `log`). True when a
    /// protected cell became derivable (then `log[from..]` is all
    /// processed, and the derivation stopped there).
    fn spread(&mut self, log: &mut Vec<usize>, from: usize) -> bool {
        let mut next = from;
        let mut leak = false;
        while next < log.len() && !leak {
            let c = log[next];
            next += 1;
            for &r in self.system.relations_of(c) {
                let r = r as usize;
                self.count[r] -= 1;
                self.sum[r] -= c as u64;
                if self.count[r] == 1 {
                    let d = self.sum[r] as usize;
                    if self.known[d] {
                        continue;
                    }
                    if self.protected[d] {
                        leak = true;
                    } else {
                        self.known[d] = true;
                        log.push(d);
                    }
                }
            }
        }
        // Unprocessed entries were never spread: drop them from the log
        // after unmarking, so the log holds exactly the spread cells.
        for &d in &log[next..] {
            self.known[d] = false;
        }
        log.truncate(next);
        leak
    }

    /// Publish `cell` unless that lets a protected cell be derived; true
    /// when published (it is then known from now on).
    pub(crate) fn publish(&mut self, cell: usize) -> bool {
        if self.leaking {
            return false;
        }
        if self.known[cell] {
            return true;
        }
        self.known[cell] = true;
        let mut log = vec![cell];
        if !self.spread(&mut log, 0) {
            return true;
        }
        // Undo: every logged cell was spread.
        for &c in &log {
            self.known[c] = false;
            for &r in self.system.relations_of(c) {
                self.count[r as usize] += 1;
                self.sum[r as usize] += c as u64;
            }
        }
        false
    }
}

/// The pass-by-pass scan [`System::first_revealed`] simulates, kept as the
/// reference for the tests.
#[cfg(test)]
pub(crate) fn first_revealed_by_passes(
    n: &[u64],
    published: &[bool],
    suppressed: &[bool],
    equations: &[(usize, Vec<usize>)],
) -> Option<(usize, usize)> {
    let mut known: Vec<bool> = (0..n.len())
        .map(|i| n[i] == 0 || (published[i] && !suppressed[i]))
        .collect();
    loop {
        let mut changed = false;
        for (e, (parent, children)) in equations.iter().enumerate() {
            let mut unknown = std::iter::once(parent)
                .chain(children.iter())
                .filter(|&&i| !known[i]);
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
