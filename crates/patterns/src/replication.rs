//! `replication`: one row per factor. Is the proposed pattern (the condition
//! in place) replicated across sites (Yin's literal replication), and is it
//! generic or specific to a sector; which sites show alternative patterns?

use std::collections::BTreeMap;

use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, SchemaRef};
use model::{FigureId, Sector};

use crate::input::{KeyOrder, SiteInfo, Table, known_site, site_register};
use crate::out;
use crate::rules::{Condition, classify};
use crate::settings::{Settings, invalid};

/// The subgroups counted per factor: column prefix and membership test.
/// The `<prefix>_sites` column counts the subgroup's sites with a known
/// condition (not `unknown`): the denominator of every share.
const GROUPS: [(&str, fn(&SiteInfo) -> bool); 6] = [
    ("statutory", |s| s.sector == Sector::Statutory),
    ("voluntary", |s| s.sector == Sector::Voluntary),
    ("partnership", |s| s.partnership),
    ("non_partnership", |s| !s.partnership),
    ("bme", |s| s.bme_focus),
    ("non_bme", |s| !s.bme_focus),
];

/// The schema of `replication`.
pub fn replication_schema() -> SchemaRef {
    let mut f = vec![out::utf8("factor")];
    for c in Condition::ALL {
        f.push(out::count(&format!("sites_{}", c.code())));
    }
    for (prefix, _) in GROUPS {
        f.push(out::count(&format!("{prefix}_in_place")));
        f.push(out::count(&format!("{prefix}_sites")));
    }
    f.extend([
        out::utf8("classification"),
        out::utf8_null("alternative_patterns"),
        out::utf8("figure_id"),
    ]);
    out::schema(f)
}

/// One row per factor (in `settings.factors` order) over the rows of a
/// `pattern_matrix` batch, with sector, partnership and BME focus from the
/// site register.
///
/// - `sites_<condition>`: sites per condition (`in_place`, `partly`,
///   `not_in_place`, `contested`, `unknown`).
/// - `<group>_in_place`, `<group>_sites`: for statutory, voluntary,
///   partnership, non_partnership, bme, non_bme sites: how many have the
///   condition in place, out of how many with a known condition.
/// - `classification`: [`crate::rules::Classification`] from the statutory
///   and voluntary counts and `settings.replication_share`.
/// - `alternative_patterns`: `Site B: not_in_place; Site F: contested`, the
///   sites whose known condition is not `in_place`, sorted by site label;
///   null when there are none. Sites with `unknown` are not listed.
/// - `figure_id`: `replication/<factor>`.
pub fn replication(
    pattern_matrix: &RecordBatch,
    sites: &RecordBatch,
    settings: &Settings,
) -> Result<RecordBatch, ArrowError> {
    settings.check()?;
    let share = settings.replication_threshold()?;
    let register = site_register(sites)?;
    let t = Table::new("pattern_matrix", pattern_matrix);
    let (site, factor, condition) = (t.utf8("site")?, t.utf8("factor")?, t.utf8("condition")?);
    let mut factors = KeyOrder::new(&settings.factors);
    // factor -> site -> condition; BTreeMap gives site label order.
    let mut by_factor: BTreeMap<&str, BTreeMap<&str, (Condition, &SiteInfo)>> = BTreeMap::new();
    for i in 0..t.rows() {
        let (s, f, c) = (site.get(i)?, factor.get(i)?, condition.get(i)?);
        let info = known_site(&register, &t, i, s)?;
        factors.see("factor", f, &t, i)?;
        let Some(cond) = Condition::from_code(c) else {
            return Err(invalid(format!(
                "table `pattern_matrix`, column `condition`, {}: unknown condition `{c}`",
                t.locate(i)
            )));
        };
        if by_factor
            .entry(f)
            .or_default()
            .insert(s, (cond, info))
            .is_some()
        {
            return Err(invalid(format!(
                "table `pattern_matrix`, {}: site `{s}` and factor `{f}` appear twice",
                t.locate(i)
            )));
        }
    }

    let factors = factors.finish();
    let empty = BTreeMap::new();
    let n_counts = Condition::ALL.len() + 2 * GROUPS.len();
    let mut counts: Vec<Vec<u32>> = vec![Vec::new(); n_counts];
    let (mut factor_o, mut class_o, mut alt_o, mut id_o) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for f in &factors {
        let rows = by_factor.get(f.as_str()).unwrap_or(&empty);
        let mut col = 0;
        for c in Condition::ALL {
            counts[col].push(rows.values().filter(|(x, _)| *x == c).count() as u32);
            col += 1;
        }
        let mut sector_counts = [(0, 0); 2];
        for (prefix, member) in GROUPS.iter() {
            let known: Vec<Condition> = rows
                .values()
                .filter(|(c, s)| member(s) && *c != Condition::Unknown)
                .map(|(c, _)| *c)
                .collect();
            let k = known.iter().filter(|c| **c == Condition::InPlace).count() as u32;
            let n = known.len() as u32;
            counts[col].push(k);
            counts[col + 1].push(n);
            col += 2;
            match *prefix {
                "statutory" => sector_counts[0] = (k, n),
                "voluntary" => sector_counts[1] = (k, n),
                _ => {}
            }
        }
        let class = classify(sector_counts[0], sector_counts[1], share);
        // `rows` iterates by site label, so the list is sorted by label.
        let alternatives: Vec<String> = rows
            .iter()
            .filter(|(_, (c, _))| !matches!(c, Condition::InPlace | Condition::Unknown))
            .map(|(s, (c, _))| format!("{s}: {}", c.code()))
            .collect();
        factor_o.push(f.clone());
        class_o.push(class.code().to_string());
        alt_o.push((!alternatives.is_empty()).then(|| alternatives.join("; ")));
        id_o.push(FigureId::new("replication").part(f).into_string());
    }

    let mut columns: Vec<ArrayRef> = vec![out::strings(factor_o)];
    columns.extend(counts.into_iter().map(out::counts));
    columns.extend([
        out::strings(class_o),
        out::opt_strings(alt_o),
        out::strings(id_o),
    ]);
    out::batch(replication_schema(), columns)
}
