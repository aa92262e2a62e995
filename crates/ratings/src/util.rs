//! Shared plumbing: preparing cells and histograms, suppression per factor,
//! and building Arrow columns.

use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Float64Array, RecordBatch, StringArray, UInt32Array};
use arrow_schema::{ArrowError, SchemaRef};

use crate::grid::{Grid, Histograms};
use crate::input::{Input, Layout};
use crate::{disclosure, stats, Settings};

/// Cells, layout and histograms of the `answers` table.
pub(crate) struct Prepared {
    pub layout: Layout,
    pub grid: Grid,
    pub hist: Histograms,
}

pub(crate) fn prepare(input: &Input) -> Prepared {
    let grid = Grid::new(&input.layout);
    let hist = crate::grid::histograms(&grid, &input.layout, &input.answers);
    Prepared { layout: input.layout.clone(), grid, hist }
}

/// Primary and secondary suppression of every (cell, factor), indexed like
/// [`Histograms::at`]; each factor is its own set of additive relations.
pub(crate) fn suppression(
    grid: &Grid,
    layout: &Layout,
    settings: &Settings,
    n: impl Fn(usize, usize) -> u64,
) -> Vec<bool> {
    let factors = layout.factors.len();
    let equations = grid.equations(layout);
    let published: Vec<bool> = grid.cells.iter().map(|c| settings.wants(c.scope)).collect();
    let mut out = vec![true; grid.len() * factors];
    for f in 0..factors {
        let counts: Vec<u64> = (0..grid.len()).map(|c| n(c, f)).collect();
        let s = disclosure::secondary(&counts, &published, &equations, settings.min_cell);
        for (c, sup) in s.into_iter().enumerate() {
            out[c * factors + f] = sup;
        }
    }
    out
}

/// The suppression pattern of `ratings_summary` published at every scope:
/// the reference that the other tables publishing importance counts
/// (`tensions`, `group_tests`, `sector_tests`) must not undo.
pub(crate) fn summary_pattern(grid: &Grid, layout: &Layout, hist: &Histograms, settings: &Settings) -> Vec<bool> {
    let all = Settings { scopes: crate::Scope::ALL.to_vec(), ..settings.clone() };
    suppression(grid, layout, &all, |c, f| stats::describe::count(&hist.importance[hist.at(c, f)]))
}

/// Which extra cells (each `n` and the base cells it sums) can be
/// published, in order, without making any cell hidden in the base
/// pattern recoverable by subtraction ([`disclosure::first_revealed`]).
/// An extra cell below `min_cell` is never published.
pub(crate) fn publishable(
    base_n: &[u64],
    base_suppressed: &[bool],
    equations: &[(usize, Vec<usize>)],
    extras: &[(u64, Vec<usize>)],
    min_cell: u32,
) -> Vec<bool> {
    let base = base_n.len();
    let mut n = base_n.to_vec();
    let mut published = vec![true; base];
    let mut suppressed = base_suppressed.to_vec();
    let mut eqs = equations.to_vec();
    for (j, (count, parts)) in extras.iter().enumerate() {
        n.push(*count);
        published.push(false);
        suppressed.push(false);
        eqs.push((base + j, parts.clone()));
    }
    let mut out = vec![false; extras.len()];
    for (j, (count, _)) in extras.iter().enumerate() {
        if *count < u64::from(min_cell) {
            continue;
        }
        published[base + j] = true;
        if disclosure::first_revealed(&n, &published, &suppressed, &eqs).is_some() {
            published[base + j] = false;
        } else {
            out[j] = true;
        }
    }
    out
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
    pub fn text<S: AsRef<str>>(mut self, values: impl IntoIterator<Item = Option<S>>) -> Self {
        let v: Vec<Option<S>> = values.into_iter().collect();
        let arr: StringArray = v.iter().map(|s| s.as_ref().map(|s| s.as_ref())).collect();
        self.0.push(Arc::new(arr));
        self
    }
    pub fn count(mut self, values: impl IntoIterator<Item = Option<u64>>) -> Self {
        let arr: UInt32Array = values.into_iter().map(|v| v.map(count32)).collect();
        self.0.push(Arc::new(arr));
        self
    }
    pub fn float(mut self, values: impl IntoIterator<Item = Option<f64>>) -> Self {
        let arr: Float64Array = values.into_iter().map(|v| v.and_then(stats::finite)).collect();
        self.0.push(Arc::new(arr));
        self
    }
    pub fn flag(mut self, values: impl IntoIterator<Item = Option<bool>>) -> Self {
        let arr: BooleanArray = values.into_iter().collect();
        self.0.push(Arc::new(arr));
        self
    }
    pub fn finish(self, schema: SchemaRef) -> Result<RecordBatch, ArrowError> {
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
