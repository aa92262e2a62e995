//! `tensions`: triangulation by perspective. Where do two stakeholder
//! groups see a factor differently?

use arrow_array::RecordBatch;
use arrow_schema::ArrowError;
use model::{FigureId, Group, Sector};

use crate::stats::describe;
use crate::util::{self, Columns, Prepared};
use crate::{Scope, Settings, input, schema};

/// The perspective of team and senior managers pooled (`pool_managers`).
pub const POOLED_MANAGERS: &str = "managers";

/// The groups compared: the five groups, or with `pool_managers` four,
/// `team_manager` + `senior_manager` pooled as `managers`.
fn perspectives(pool_managers: bool) -> Vec<(&'static str, Vec<Group>)> {
    if pool_managers {
        let mut v: Vec<(&'static str, Vec<Group>)> = Group::ALL
            .iter()
            .filter(|g| !g.is_manager())
            .map(|&g| (g.code(), vec![g]))
            .collect();
        v.push((
            POOLED_MANAGERS,
            Group::ALL
                .iter()
                .copied()
                .filter(|g| g.is_manager())
                .collect(),
        ));
        v
    } else {
        Group::ALL.iter().map(|&g| (g.code(), vec![g])).collect()
    }
}

#[derive(Default)]
struct Out {
    scope: Vec<&'static str>,
    site: Vec<Option<String>>,
    sector: Vec<Option<&'static str>>,
    a: Vec<&'static str>,
    b: Vec<&'static str>,
    factor: Vec<String>,
    n_a: Vec<Option<u64>>,
    n_b: Vec<Option<u64>>,
    mean_a: Vec<Option<f64>>,
    mean_b: Vec<Option<f64>>,
    difference: Vec<Option<f64>>,
    disagree: Vec<Option<bool>>,
    flagged: Vec<Option<bool>>,
    suppressed: Vec<Option<bool>>,
    id: Vec<String>,
}

fn add<const K: usize>(into: &mut [u64; K], h: &[u64; K]) {
    for k in 0..K {
        into[k] += h[k];
    }
}

/// Per factor and pair of perspectives (a before b in `Group::ALL` order,
/// `managers` last), at study, sector and site scope (those in
/// `settings.scopes`):
/// - `n_a`, `n_b`, `mean_a`, `mean_b`: valid importance ratings and their
///   means; `difference` = mean_a - mean_b;
/// - `pattern_disagree`: the modal pattern-matching answers (1 in place,
///   2 partly, 3 not in place; 9 and missing excluded) differ. With tied
///   modes a group's modal set has several answers; the groups disagree
///   when their modal sets do not overlap. Null when either group has no
///   pattern answer.
/// - `flagged`: at study and sector scope `|difference| >= tension_threshold`
///   and both groups have at least `min_cell` ratings. At site scope, where
///   groups are small, the flag is `|difference| >= tension_threshold` with
///   both groups rating at all, but no n or mean of a group below
///   `min_cell` is published.
/// - `suppressed`: either group below `min_cell`, or publishing its n
///   would let a count hidden in `ratings_summary` (suppression pattern at
///   every scope) be recovered by subtraction (sector x group and pooled
///   cells add new sums, so each is checked in output order);
///   then both groups' n and mean and the difference are null (one mean and
///   a difference would give the other).
///
/// Figure id: `tensions/<scope>[/<sector or site>]/<a>~<b>/<factor>`.
pub fn tensions(answers: &RecordBatch, settings: &Settings) -> Result<RecordBatch, ArrowError> {
    let input = input::read(Some(answers), None, settings)?;
    let Prepared { layout, grid, hist } = util::prepare(&input);
    let groups = perspectives(settings.pool_managers);
    // Scope cells: (scope, site, sector).
    let mut cells: Vec<(Scope, Option<usize>, Option<Sector>)> = Vec::new();
    if settings.wants(Scope::Study) {
        cells.push((Scope::Study, None, None));
    }
    if settings.wants(Scope::Sector) {
        cells.extend(Sector::ALL.map(|s| (Scope::Sector, None, Some(s))));
    }
    if settings.wants(Scope::Site) {
        cells.extend(
            layout
                .sites
                .iter()
                .enumerate()
                .map(|(i, (_, s))| (Scope::Site, Some(i), Some(*s))),
        );
    }
    let site_lists: Vec<Vec<usize>> = cells
        .iter()
        .map(|&(scope, site, sector)| match (scope, site) {
            (Scope::Site, Some(s)) => vec![s],
            (Scope::Sector, _) => (0..layout.sites.len())
                .filter(|&s| Some(layout.sites[s].1) == sector)
                .collect(),
            _ => (0..layout.sites.len()).collect(),
        })
        .collect();
    // The site x group cells a perspective of a scope cell sums.
    let parts = |ci: usize, p: usize| -> Vec<usize> {
        let mut v = Vec::new();
        for &s in &site_lists[ci] {
            for &g in &groups[p].1 {
                v.push(grid.site_group(s, g));
            }
        }
        v
    };
    let of = |ci: usize, p: usize, f: usize| {
        let mut imp = [0u64; 5];
        let mut pat = [0u64; 3];
        for c in parts(ci, p) {
            let i = hist.at(c, f);
            add(&mut imp, &hist.importance[i]);
            add(&mut pat, &hist.pattern[i]);
        }
        (imp, pat)
    };
    // Per factor, which (scope cell, perspective) n and mean can be
    // published without undoing the suppression of `ratings_summary`.
    let pattern = util::summary_pattern(&grid, &layout, &hist, settings);
    let equations = grid.equations(&layout);
    let shown: Vec<Vec<bool>> = (0..layout.factors.len())
        .map(|f| {
            let base_n: Vec<u64> = (0..grid.len())
                .map(|c| describe::count(&hist.importance[hist.at(c, f)]))
                .collect();
            let base_sup: Vec<bool> = (0..grid.len()).map(|c| pattern[hist.at(c, f)]).collect();
            let mut extras: Vec<(u64, Vec<usize>)> = Vec::new();
            for ci in 0..cells.len() {
                for p in 0..groups.len() {
                    extras.push((describe::count(&of(ci, p, f).0), parts(ci, p)));
                }
            }
            util::publishable(&base_n, &base_sup, &equations, &extras, settings.min_cell)
        })
        .collect();
    let mut out = Out::default();
    for (ci, &(scope, site, sector)) in cells.iter().enumerate() {
        for ia in 0..groups.len() {
            for ib in ia + 1..groups.len() {
                for (f, shown) in shown.iter().enumerate() {
                    let (imp_a, pat_a) = of(ci, ia, f);
                    let (imp_b, pat_b) = of(ci, ib, f);
                    let (na, nb) = (describe::count(&imp_a), describe::count(&imp_b));
                    let p = groups.len();
                    let suppressed = !(shown[ci * p + ia] && shown[ci * p + ib]);
                    let diff = match (describe::mean(&imp_a), describe::mean(&imp_b)) {
                        (Some(a), Some(b)) => Some(a - b),
                        _ => None,
                    };
                    let big = diff.is_some_and(|d| d.abs() >= settings.tension_threshold);
                    let flagged = if scope == Scope::Site {
                        big
                    } else {
                        big && !suppressed
                    };
                    let (ma, mb) = (describe::modes(&pat_a), describe::modes(&pat_b));
                    let disagree = (!ma.is_empty() && !mb.is_empty())
                        .then(|| !ma.iter().any(|m| mb.contains(m)));
                    let show = |v: Option<f64>| if suppressed { None } else { v };
                    out.scope.push(scope.code());
                    out.site.push(site.map(|s| layout.sites[s].0.clone()));
                    out.sector.push(sector.map(Sector::code));
                    out.a.push(groups[ia].0);
                    out.b.push(groups[ib].0);
                    out.factor.push(layout.factors[f].clone());
                    out.n_a.push((!suppressed).then_some(na));
                    out.n_b.push((!suppressed).then_some(nb));
                    out.mean_a.push(show(describe::mean(&imp_a)));
                    out.mean_b.push(show(describe::mean(&imp_b)));
                    out.difference.push(show(diff));
                    out.disagree.push(disagree);
                    out.flagged.push(Some(flagged));
                    out.suppressed.push(Some(suppressed));
                    let mut id = FigureId::new("tensions").part(scope.code());
                    if let Some(s) = site {
                        id = id.part(&layout.sites[s].0);
                    } else if let Some(s) = sector {
                        id = id.part(s.code());
                    }
                    let pair = format!("{}~{}", groups[ia].0, groups[ib].0);
                    out.id
                        .push(id.part(&pair).part(&layout.factors[f]).into_string());
                }
            }
        }
    }
    Columns::default()
        .text(out.scope.iter().map(Some))
        .text(out.site)
        .text(out.sector)
        .text(out.a.iter().map(Some))
        .text(out.b.iter().map(Some))
        .text(out.factor.iter().map(Some))
        .count(out.n_a)
        .count(out.n_b)
        .float(out.mean_a)
        .float(out.mean_b)
        .float(out.difference)
        .flag(out.disagree)
        .flag(out.flagged)
        .flag(out.suppressed)
        .text(out.id.iter().map(Some))
        .finish(schema::tensions())
}
