//! `top3_frequency`: how often each factor is among a person's top three.

use std::collections::BTreeMap;

use arrow_array::RecordBatch;
use arrow_schema::ArrowError;

use crate::grid::Grid;
use crate::input::{self, Pick};
use crate::util::{self, key_columns};
use crate::{Settings, schema};

/// One pick per (participant, factor), keeping the best (lowest) rank if
/// a factor was picked twice; ranks outside 1-3 are already dropped.
pub(crate) fn unique_picks(picks: &[Pick]) -> Vec<Pick> {
    let mut best: BTreeMap<(u32, u32), Pick> = BTreeMap::new();
    for p in picks {
        best.entry((p.who.participant, p.factor))
            .and_modify(|b| {
                if p.rank < b.rank {
                    *b = *p;
                }
            })
            .or_insert(*p);
    }
    best.into_values().collect()
}

/// Top-three picks per scope x factor: `respondents` (people in the cell
/// with at least one valid pick), `mentions` (respondents who picked the
/// factor), `first`, `second`, `third` (picks at each rank), `score` =
/// 3 first + 2 second + 1 third, `pct_mentions` = mentions / respondents
/// x 100. A person's cell is taken from their first pick row.
///
/// Suppression is by respondents: primary below `min_cell`, then secondary
/// over the scope hierarchy ([`crate::disclosure`]); a suppressed row has
/// every count and share null.
pub fn top3_frequency(top3: &RecordBatch, settings: &Settings) -> Result<RecordBatch, ArrowError> {
    let input = input::read(None, Some(top3), settings)?;
    let layout = &input.layout;
    let grid = Grid::new(layout);
    let factors = layout.factors.len();
    let picks = unique_picks(&input.picks);
    // Respondents: each person once, in the cells of their first pick row.
    let mut seen = vec![false; input.participants];
    let mut respondents = vec![0u64; grid.len()];
    for p in &input.picks {
        if !std::mem::replace(&mut seen[p.who.participant()], true) {
            for c in grid.cells_of(layout, p.who.site(), p.who.group) {
                respondents[c] += 1;
            }
        }
    }
    let mut home = vec![None; input.participants];
    for p in &input.picks {
        home[p.who.participant()].get_or_insert(p.who);
    }
    let mut ranks = vec![[0u64; 3]; grid.len() * factors];
    for p in &picks {
        let Some(who) = home[p.who.participant()] else {
            continue;
        };
        for c in grid.cells_of(layout, who.site(), who.group) {
            ranks[c * factors + p.factor()][usize::from(p.rank) - 1] += 1;
        }
    }
    let suppressed = util::suppression(&grid, layout, settings, |c, _| respondents[c]);
    let rows = util::rows(&grid, layout, settings);
    let shown =
        |c: usize, f: usize| (!suppressed[c * factors + f]).then_some(&ranks[c * factors + f]);
    let resp = |c: usize, f: usize| shown(c, f).map(|_| respondents[c]);
    key_columns(&grid, layout, &rows)
        .count(rows.iter().map(|&(c, f)| resp(c, f)))
        .count(
            rows.iter()
                .map(|&(c, f)| shown(c, f).map(|r| r.iter().sum())),
        )
        .count(rows.iter().map(|&(c, f)| shown(c, f).map(|r| r[0])))
        .count(rows.iter().map(|&(c, f)| shown(c, f).map(|r| r[1])))
        .count(rows.iter().map(|&(c, f)| shown(c, f).map(|r| r[2])))
        .count(
            rows.iter()
                .map(|&(c, f)| shown(c, f).map(|r| 3 * r[0] + 2 * r[1] + r[2])),
        )
        .float(rows.iter().map(|&(c, f)| {
            let r = shown(c, f)?;
            let n = respondents[c];
            (n > 0).then(|| r.iter().sum::<u64>() as f64 / n as f64 * 100.0)
        }))
        .flag(rows.iter().map(|&(c, f)| Some(suppressed[c * factors + f])))
        .text(rows.iter().map(|&(c, f)| {
            Some(
                grid.figure_id(layout, "top3", c, &layout.factors[f])
                    .into_string(),
            )
        }))
        .finish(schema::top3_frequency())
}
