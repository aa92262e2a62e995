//! `group_tests` and `sector_tests`: do stakeholder groups, or sectors,
//! rate a factor differently?

use arrow_array::RecordBatch;
use arrow_schema::ArrowError;
use model::{FigureId, Group, Sector};

use crate::stats::rank::{self, Kruskal, MannWhitney};
use crate::util::{self, Columns, Prepared};
use crate::{Scope, Settings, input, schema};

/// Kruskal-Wallis across stakeholder groups, per factor, at study scope
/// and per sector (each only if in `settings.scopes`).
///
/// Only groups with at least one valid rating enter. `h` is tie-corrected
/// (as `scipy.stats.kruskal`), `df` = groups - 1, `p_value` its upper
/// chi-square tail (regularized incomplete gamma, [`crate::stats::special`]),
/// `epsilon_sq` = `H (n + 1) / (n^2 - 1)`, `p_adj_bh` the Benjamini-Hochberg
/// adjustment across the factors of the same scope (and sector), over the
/// published, non-null p-values. Fewer than two groups, or every rating
/// tied: null statistics. Suppressed (all null) when n < `min_cell` or when
/// `ratings_summary` suppresses that study or sector cell (secondary).
///
/// Figure id: `group_tests/<scope>[/<sector>]/<factor>`.
pub fn group_tests(answers: &RecordBatch, settings: &Settings) -> Result<RecordBatch, ArrowError> {
    let input = input::read(Some(answers), None, settings)?;
    let Prepared { layout, grid, hist } = util::prepare(&input);
    // Families: (scope, sector) with per factor the group histograms.
    let mut families: Vec<(Scope, Option<Sector>, Vec<Vec<[u64; 5]>>)> = Vec::new();
    if settings.wants(Scope::Study) {
        let per_factor = (0..layout.factors.len())
            .map(|f| {
                Group::ALL
                    .iter()
                    .map(|&g| hist.importance[hist.at(grid.group(g), f)])
                    .collect()
            })
            .collect();
        families.push((Scope::Study, None, per_factor));
    }
    if settings.wants(Scope::Sector) {
        for sector in Sector::ALL {
            let sites: Vec<usize> = (0..layout.sites.len())
                .filter(|&s| layout.sites[s].1 == sector)
                .collect();
            let per_factor = (0..layout.factors.len())
                .map(|f| {
                    Group::ALL
                        .iter()
                        .map(|&g| {
                            let mut h = [0u64; 5];
                            for &s in &sites {
                                let sg = hist.importance[hist.at(grid.site_group(s, g), f)];
                                for k in 0..5 {
                                    h[k] += sg[k];
                                }
                            }
                            h
                        })
                        .collect()
                })
                .collect();
            families.push((Scope::Sector, Some(sector), per_factor));
        }
    }
    // A row publishes the n of its study or sector cell: it follows the
    // suppression pattern of `ratings_summary` (at every scope).
    let pattern = util::summary_pattern(&grid, &layout, &hist, settings);
    let mut scope = Vec::new();
    let mut sector_col = Vec::new();
    let mut factor = Vec::new();
    let mut tests: Vec<Option<Kruskal>> = Vec::new();
    let mut adjusted = Vec::new();
    let mut ids = Vec::new();
    for (sc, sector, per_factor) in &families {
        let cell = sector.map_or(grid.study(), |s| grid.sector(s));
        let family: Vec<Option<Kruskal>> = per_factor
            .iter()
            .enumerate()
            .map(|(f, groups)| Some(rank::kruskal(groups)).filter(|_| !pattern[hist.at(cell, f)]))
            .collect();
        adjusted.extend(rank::benjamini_hochberg(
            &family
                .iter()
                .map(|k| k.and_then(|k| k.p))
                .collect::<Vec<_>>(),
        ));
        for (f, k) in family.into_iter().enumerate() {
            scope.push(sc.code());
            sector_col.push(sector.map(Sector::code));
            factor.push(layout.factors[f].as_str());
            let mut id = FigureId::new("group_tests").part(sc.code());
            if let Some(s) = sector {
                id = id.part(s.code());
            }
            ids.push(id.part(&layout.factors[f]).into_string());
            tests.push(k);
        }
    }
    Columns::default()
        .text(scope.iter().map(Some))
        .text(sector_col)
        .text(factor.iter().map(Some))
        .count(tests.iter().map(|k| k.map(|k| k.n)))
        .count(tests.iter().map(|k| k.map(|k| k.groups as u64)))
        .float(tests.iter().map(|k| k.and_then(|k| k.h)))
        .count(tests.iter().map(|k| k.and_then(|k| k.df).map(u64::from)))
        .float(tests.iter().map(|k| k.and_then(|k| k.p)))
        .float(tests.iter().map(|k| k.and_then(|k| k.epsilon_sq)))
        .float(adjusted)
        .flag(tests.iter().map(|k| Some(k.is_none())))
        .text(ids.iter().map(Some))
        .finish(schema::group_tests())
}

/// Mann-Whitney U, statutory (first sample) vs voluntary, per factor at
/// study level, as `scipy.stats.mannwhitneyu(statutory, voluntary,
/// method="asymptotic", use_continuity=True, alternative="two-sided")`:
/// `u` is scipy's statistic U1 = R1 - n1 (n1 + 1) / 2 of the statutory
/// sample; `z` = `(max(U1, U2) - n1 n2 / 2 - 0.5) / s` with the tie-corrected
/// `s = sqrt(n1 n2 / 12 ((n + 1) - sum(t^3 - t) / (n (n - 1))))`, signed
/// positive when statutory ranks higher; `p_value` = min(1, 2 sf(z));
/// `rank_biserial` = 2 U1 / (n1 n2) - 1 (positive: statutory higher);
/// `p_adj_bh` Benjamini-Hochberg across factors. Suppressed (all null)
/// when either sector has fewer than `min_cell` valid ratings, or
/// `ratings_summary` suppresses either sector cell (secondary).
///
/// Figure id: `sector_tests/<factor>`.
pub fn sector_tests(answers: &RecordBatch, settings: &Settings) -> Result<RecordBatch, ArrowError> {
    let input = input::read(Some(answers), None, settings)?;
    let Prepared { layout, grid, hist } = util::prepare(&input);
    let pattern = util::summary_pattern(&grid, &layout, &hist, settings);
    let (st, vo) = (
        grid.sector(Sector::Statutory),
        grid.sector(Sector::Voluntary),
    );
    let tests: Vec<Option<MannWhitney>> = (0..layout.factors.len())
        .map(|f| {
            let hidden = pattern[hist.at(st, f)] || pattern[hist.at(vo, f)];
            let (x, y) = (
                hist.importance[hist.at(st, f)],
                hist.importance[hist.at(vo, f)],
            );
            Some(rank::mann_whitney(&x, &y)).filter(|_| !hidden)
        })
        .collect();
    let adjusted = rank::benjamini_hochberg(
        &tests
            .iter()
            .map(|m| m.and_then(|m| m.p))
            .collect::<Vec<_>>(),
    );
    Columns::default()
        .text(layout.factors.iter().map(Some))
        .count(tests.iter().map(|m| m.map(|m| m.n1)))
        .count(tests.iter().map(|m| m.map(|m| m.n2)))
        .float(tests.iter().map(|m| m.and_then(|m| m.u1)))
        .float(tests.iter().map(|m| m.and_then(|m| m.z)))
        .float(tests.iter().map(|m| m.and_then(|m| m.p)))
        .float(tests.iter().map(|m| m.and_then(|m| m.rank_biserial)))
        .float(adjusted)
        .flag(tests.iter().map(|m| Some(m.is_none())))
        .text(
            layout
                .factors
                .iter()
                .map(|f| Some(FigureId::new("sector_tests").part(f).into_string())),
        )
        .finish(schema::sector_tests())
}
