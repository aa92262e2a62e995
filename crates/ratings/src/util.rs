//! Shared plumbing: preparing cells and histograms, suppression per factor,
//! and building Arrow columns.

use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Float64Array, RecordBatch, StringArray, UInt32Array};
use arrow_schema::{ArrowError, SchemaRef};
use rayon::prelude::*;

use crate::grid::{Grid, Histograms};
use crate::input::{Input, Layout};
use crate::{Settings, disclosure, stats};

/// Cells, layout and histograms of the `answers` table.
pub(crate) struct Prepared {
    pub layout: Layout,
    pub grid: Grid,
    pub hist: Histograms,
}

pub(crate) fn prepare(input: &Input) -> Prepared {
    let grid = Grid::new(&input.layout);
    let hist = crate::grid::histograms(&grid, &input.layout, &input.answers);
    Prepared {
        layout: input.layout.clone(),
        grid,
        hist,
    }
}

/// Primary and secondary suppression of every (cell, factor), indexed like
/// [`Histograms::at`]; each factor is its own set of additive relations.
/// Factors are solved in parallel, and a factor whose counts equal an
/// earlier factor's takes its pattern (the same function of the same input).
pub(crate) fn suppression(
    grid: &Grid,
    layout: &Layout,
    settings: &Settings,
    n: impl Fn(usize, usize) -> u64 + Sync,
) -> Vec<bool> {
    let factors = layout.factors.len();
    let equations = grid.equations(layout);
    let published: Vec<bool> = grid.cells.iter().map(|c| settings.wants(c.scope)).collect();
    let counts: Vec<Vec<u64>> = (0..factors)
        .map(|f| (0..grid.len()).map(|c| n(c, f)).collect())
        .collect();
    // same[f]: the first factor with the same counts.
    let same: Vec<usize> = (0..factors)
        .map(|f| (0..f).find(|&g| counts[g] == counts[f]).unwrap_or(f))
        .collect();
    let solved: Vec<Option<Vec<bool>>> = (0..factors)
        .into_par_iter()
        .map(|f| {
            (same[f] == f).then(|| {
                disclosure::secondary(&counts[f], &published, &equations, settings.min_cell)
            })
        })
        .collect();
    let mut out = vec![true; grid.len() * factors];
    for f in 0..factors {
        if let Some(s) = &solved[same[f]] {
            for (c, &sup) in s.iter().enumerate() {
                out[c * factors + f] = sup;
            }
        }
    }
    out
}

/// The suppression pattern of `ratings_summary` published at every scope:
/// the reference that the other tables publishing importance counts
/// (`tensions`, `group_tests`, `sector_tests`) must not undo.
pub(crate) fn summary_pattern(
    grid: &Grid,
    layout: &Layout,
    hist: &Histograms,
    settings: &Settings,
) -> Vec<bool> {
    let all = Settings {
        scopes: crate::Scope::ALL.to_vec(),
        ..settings.clone()
    };
    suppression(grid, layout, &all, |c, f| {
        stats::describe::count(&hist.importance[hist.at(c, f)])
    })
}

/// Which extra cells (each `n` and the base cells it sums) can be
/// published, in order, without making any cell hidden in the base
/// pattern recoverable by subtraction ([`disclosure::System::first_revealed`]).
/// An extra cell below `min_cell` is never published.
///
/// The same decisions as checking [`disclosure::System::first_revealed`] on
/// the whole system once per extra cell, but the closure of what is known is
/// kept up to date ([`disclosure::Closure`]): publishing a cell costs only
/// the derivations it enables.
pub(crate) fn publishable(
    base_n: &[u64],
    base_suppressed: &[bool],
    equations: &[(usize, Vec<usize>)],
    extras: &[(u64, Vec<usize>)],
    min_cell: u32,
) -> Vec<bool> {
    let base = base_n.len();
    let mut eqs = equations.to_vec();
    eqs.extend(
        extras
            .iter()
            .enumerate()
            .map(|(j, (_, parts))| (base + j, parts.clone())),
    );
    let system = disclosure::System::new(base + extras.len(), &eqs);
    drop(eqs);
    // Known: empty cells and published base cells; extras start unpublished.
    let known: Vec<bool> = (0..base)
        .map(|i| base_n[i] == 0 || !base_suppressed[i])
        .chain(extras.iter().map(|(count, _)| *count == 0))
        .collect();
    let protected: Vec<bool> = (0..base)
        .map(|i| base_suppressed[i])
        .chain(extras.iter().map(|_| false))
        .collect();
    let mut closure = disclosure::Closure::new(&system, known, protected);
    extras
        .iter()
        .enumerate()
        .map(|(j, (count, _))| *count >= u64::from(min_cell) && closure.publish(base + j))
        .collect()
}

/// The published (cell, factor) pairs in output order.
pub(crate) fn rows(grid: &Grid, layout: &Layout, settings: &Settings) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (c, cell) in grid.cells.iter().enumerate() {
        if settings.wants(cell.scope) {
            for f in 0..layout.factors.len() {
                out.push((c, f));
            }
        }
    }
    out
}

pub(crate) fn count32(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Columns in schema order.
#[derive(Default)]
pub(crate) struct Columns(Vec<ArrayRef>);

impl Columns {
    pub(crate) fn text<S: AsRef<str>>(
        mut self,
        values: impl IntoIterator<Item = Option<S>>,
    ) -> Self {
        let v: Vec<Option<S>> = values.into_iter().collect();
        let arr: StringArray = v.iter().map(|s| s.as_ref().map(|s| s.as_ref())).collect();
        self.0.push(Arc::new(arr));
        self
    }
    pub(crate) fn count(mut self, values: impl IntoIterator<Item = Option<u64>>) -> Self {
        let arr: UInt32Array = values.into_iter().map(|v| v.map(count32)).collect();
        self.0.push(Arc::new(arr));
        self
    }
    pub(crate) fn float(mut self, values: impl IntoIterator<Item = Option<f64>>) -> Self {
        let arr: Float64Array = values
            .into_iter()
            .map(|v| v.and_then(stats::finite))
            .collect();
        self.0.push(Arc::new(arr));
        self
    }
    pub(crate) fn flag(mut self, values: impl IntoIterator<Item = Option<bool>>) -> Self {
        let arr: BooleanArray = values.into_iter().collect();
        self.0.push(Arc::new(arr));
        self
    }
    pub(crate) fn finish(self, schema: SchemaRef) -> Result<RecordBatch, ArrowError> {
        RecordBatch::try_new(schema, self.0)
    }
}

/// The key columns every cell table starts with: scope, site, sector,
/// group, factor.
pub(crate) fn key_columns(grid: &Grid, layout: &Layout, rows: &[(usize, usize)]) -> Columns {
    let keys: Vec<_> = rows.iter().map(|&(c, _)| grid.keys(layout, c)).collect();
    Columns::default()
        .text(rows.iter().map(|&(c, _)| Some(grid.cells[c].scope.code())))
        .text(keys.iter().map(|k| k.0))
        .text(keys.iter().map(|k| k.1))
        .text(keys.iter().map(|k| k.2))
        .text(rows.iter().map(|&(_, f)| Some(layout.factors[f].as_str())))
}
