//! `joint_display`: for each factor at study, sector, site and stakeholder
//! group scope, the ratings beside the talk (Guetterman, Fetters & Creswell 2015).
//!
//! Every number is copied from a table that already applied disclosure
//! control (`ratings_summary`, `top3_frequency`, `framework_matrix`),
//! except `interviewees`: the distinct interviewees with at least one coded
//! segment in the cell, suppressed below `min_cell` with complementary
//! suppression over the relations of the four scopes (the ratings tables'
//! code).
//! `talk_percent` is `participants / interviewees x 100`, from two
//! published counts.
//!
//! **Convergence**, from where the factor's mean importance ranks among the
//! scope's factors and the share of the scope's interviewees who speak of
//! it (thresholds are stage settings). With `F` factors of the scope
//! having a published mean and `k = floor(rated_share x F)`, a factor is
//! *rated high* when fewer than `k` factors have a higher mean, *rated low*
//! when fewer than `k` have a lower mean (5-point ratings crowd together,
//! so a fixed mean would call almost every factor alike):
//! - `rated_high_talk_low`: rated high and a share at or below `talk_few`:
//!   rated very important, yet hardly spoken of;
//! - `rated_low_talk_high`: rated low and a share at or above `talk_many`:
//!   spoken of by many, yet rated low;
//! - `agree`: rated high and spoken of by many, or rated low and hardly
//!   spoken of;
//! - `neither`: both known, and neither agreeing nor diverging so (a
//!   middling rank or a middling share);
//! - `unknown`: the mean or the share is not published (suppressed).

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray, UInt32Array};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};
use ratings::{Scope, ScopeCells};

use crate::Settings;
use crate::matrix::read_talk;
use crate::read::Table;

/// The tables a joint display reads.
pub struct JointInput<'a> {
    /// `data/coded_segments`, for the interviewees of each scope.
    pub segments: &'a RecordBatch,
    /// The `framework_matrix` table.
    pub matrix: &'a RecordBatch,
    /// The `ratings_summary` table (its study, sector, site and group rows).
    pub summary: &'a RecordBatch,
    /// The `top3_frequency` table.
    pub top3: &'a RecordBatch,
    /// The `pattern_matrix` table, when the pipeline has one.
    pub pattern_matrix: Option<&'a RecordBatch>,
    /// The `replication` table, when the pipeline has one.
    pub replication: Option<&'a RecordBatch>,
}

/// `scope, site, sector, group, factor, mean_importance, top3_percent, condition,
/// replication, interviewees, participants, talk_percent, exemplar,
/// exemplar_label, convergence, figure_id`.
pub fn joint_display_schema() -> SchemaRef {
    let text = |n: &str| Field::new(n, DataType::Utf8, false);
    let text_null = |n: &str| Field::new(n, DataType::Utf8, true);
    let count_null = |n: &str| Field::new(n, DataType::UInt32, true);
    let ratio = |n: &str| Field::new(n, DataType::Float64, true);
    Arc::new(Schema::new(vec![
        text("scope"),
        text_null("site"),
        text_null("sector"),
        text_null("group"),
        text("factor"),
        ratio("mean_importance"),
        ratio("top3_percent"),
        text_null("condition"),
        text_null("replication"),
        count_null("interviewees"),
        count_null("participants"),
        ratio("talk_percent"),
        text_null("exemplar"),
        text_null("exemplar_label"),
        text("convergence"),
        text("figure_id"),
    ]))
}

/// The scopes of the joint display.
const SCOPES: [Scope; 4] = [Scope::Study, Scope::Sector, Scope::Site, Scope::Group];

/// A cell: (scope, site, sector, group), empty where the scope has none.
type Cell = (String, String, String, String);
/// A cell and a factor (or theme): how rows of the tables read are found.
type Key = (Cell, String);

fn keyed<'a>(
    name: &'a str,
    batch: &'a RecordBatch,
    code: &str,
) -> Result<(Table<'a>, BTreeMap<Key, usize>), ArrowError> {
    let t = Table::new(name, batch);
    let (scope, site, sector, group) = (
        t.text("scope")?,
        t.text_opt("site")?,
        t.text_opt("sector")?,
        t.text_opt("group")?,
    );
    let code_col = t.text(code)?;
    let mut index = BTreeMap::new();
    for i in 0..t.rows() {
        let part = |c: &Option<crate::read::Column<'_>>| {
            c.as_ref().and_then(|c| c.opt(i)).unwrap_or("").to_string()
        };
        index.insert(
            (
                (
                    scope.get(i)?.to_string(),
                    part(&site),
                    part(&sector),
                    part(&group),
                ),
                code_col.get(i)?.to_string(),
            ),
            i,
        );
    }
    Ok((t, index))
}

/// One row per factor (the `settings.themes` that `ratings_summary` rates)
/// and cell of `ratings_summary` at study, sector, site and group scope, in
/// its order (study, sectors, sites by label, groups; factors in framework
/// order). See the module docs.
pub fn joint_display(
    input: &JointInput<'_>,
    settings: &Settings,
) -> Result<RecordBatch, ArrowError> {
    settings.check()?;
    let (summary, at_summary) = keyed("ratings_summary", input.summary, "factor")?;
    let mean = summary.f64s("mean")?;
    let (top3, at_top3) = keyed("top3_frequency", input.top3, "factor")?;
    let pct = top3.f64s("pct_mentions")?;
    let (matrix, at_matrix) = keyed("framework_matrix", input.matrix, "theme")?;
    let talkers = matrix.u64s("participants")?;
    let exemplar = matrix.text("exemplar_1")?;
    let exemplar_label = matrix.text("exemplar_1_label")?;
    let conditions: BTreeMap<(String, String), String> = match input.pattern_matrix {
        Some(b) => {
            let t = Table::new("pattern_matrix", b);
            let (site, factor, condition) =
                (t.text("site")?, t.text("factor")?, t.text("condition")?);
            (0..t.rows())
                .map(|i| {
                    Ok((
                        (site.get(i)?.to_string(), factor.get(i)?.to_string()),
                        condition.get(i)?.to_string(),
                    ))
                })
                .collect::<Result<_, ArrowError>>()?
        }
        None => BTreeMap::new(),
    };
    let classes: BTreeMap<String, String> = match input.replication {
        Some(b) => {
            let t = Table::new("replication", b);
            let (factor, class) = (t.text("factor")?, t.text("classification")?);
            (0..t.rows())
                .map(|i| Ok((factor.get(i)?.to_string(), class.get(i)?.to_string())))
                .collect::<Result<_, ArrowError>>()?
        }
        None => BTreeMap::new(),
    };
    let interviewees = interviewees(input.segments, settings)?;

    // Rows: the summary's study, sector, site and group cells, in its order.
    let mut keys: Vec<(usize, &Key)> = at_summary
        .iter()
        .filter(|(k, _)| Scope::from_code(&k.0.0).is_some_and(|s| SCOPES.contains(&s)))
        .filter(|(k, _)| settings.themes.contains(&k.1))
        .map(|(k, &i)| (i, k))
        .collect();
    keys.sort();
    // Each cell's published means, for the ranking.
    let mut means: BTreeMap<&Cell, Vec<f64>> = BTreeMap::new();
    for (i, (cell, _)) in &keys {
        if let Some(m) = mean[*i].filter(|m| m.is_finite()) {
            means.entry(cell).or_default().push(m);
        }
    }

    let mut rows = Rows::default();
    for (i, key) in &keys {
        let ((scope, site, sector, group), factor) = key;
        let in_matrix = at_matrix.get(key).copied();
        let people = interviewees.get(&key.0).copied().flatten();
        let talk = in_matrix.and_then(|m| talkers[m]);
        let share = match (talk, people) {
            (Some(t), Some(p)) if p > 0 => Some(t as f64 / p as f64),
            _ => None,
        };
        let m = mean[*i].filter(|m| m.is_finite());
        let rated = m.map(|m| {
            rated(
                m,
                means.get(&key.0).map(Vec::as_slice).unwrap_or(&[]),
                settings,
            )
        });
        rows.scope.push(scope.clone());
        rows.site.push((!site.is_empty()).then(|| site.clone()));
        rows.sector
            .push((!sector.is_empty()).then(|| sector.clone()));
        rows.group.push((!group.is_empty()).then(|| group.clone()));
        rows.factor.push(factor.clone());
        rows.mean.push(m);
        rows.top3.push(at_top3.get(*key).and_then(|&j| pct[j]));
        rows.condition.push(if scope == Scope::Site.code() {
            conditions.get(&(site.clone(), factor.clone())).cloned()
        } else {
            None
        });
        rows.replication.push(if scope == Scope::Study.code() {
            classes.get(factor).cloned()
        } else {
            None
        });
        rows.interviewees.push(people.map(count32));
        rows.participants.push(talk.map(count32));
        rows.talk_percent.push(share.map(|s| s * 100.0));
        rows.exemplar
            .push(in_matrix.and_then(|m| exemplar.opt(m)).map(String::from));
        rows.exemplar_label.push(
            in_matrix
                .and_then(|m| exemplar_label.opt(m))
                .map(String::from),
        );
        rows.convergence.push(convergence(rated, share, settings));
        // As the ratings tables: a sector row keyed by its sector, a site
        // row by its label (its sector implied).
        let mut id = model::FigureId::new("joint").part(scope);
        if scope == Scope::Sector.code() {
            id = id.part(sector);
        }
        for part in [site, group] {
            if !part.is_empty() {
                id = id.part(part);
            }
        }
        rows.figure_id.push(id.part(factor).into_string());
    }
    rows.finish()
}

/// Where a mean ranks among its cell's means: `Some(true)` rated high,
/// `Some(false)` rated low, `None` neither (module docs).
pub(crate) fn rated(mean: f64, cell: &[f64], s: &Settings) -> Option<bool> {
    let k = (s.rated_share * cell.len() as f64).floor() as usize;
    let above = cell.iter().filter(|&&x| x > mean).count();
    let below = cell.iter().filter(|&&x| x < mean).count();
    if above < k {
        Some(true)
    } else if below < k {
        Some(false)
    } else {
        None
    }
}

/// The convergence of where a mean ranks ([`rated`]; `None` when there is
/// no mean) and the share of interviewees who speak of the factor.
pub(crate) fn convergence(
    rated: Option<Option<bool>>,
    share: Option<f64>,
    s: &Settings,
) -> &'static str {
    match (rated, share) {
        (Some(Some(true)), Some(t)) if t <= s.talk_few => "rated_high_talk_low",
        (Some(Some(false)), Some(t)) if t >= s.talk_many => "rated_low_talk_high",
        (Some(Some(true)), Some(t)) if t >= s.talk_many => "agree",
        (Some(Some(false)), Some(t)) if t <= s.talk_few => "agree",
        (Some(_), Some(_)) => "neither",
        _ => "unknown",
    }
}

/// Interviewees with at least one coded segment, per study, sector and
/// site cell, keyed like the tables ((scope, site, sector)); `None` when
/// suppressed.
fn interviewees(
    segments: &RecordBatch,
    settings: &Settings,
) -> Result<BTreeMap<Cell, Option<u64>>, ArrowError> {
    let talk = read_talk(segments, settings)?;
    let cells = ScopeCells::new(talk.sites.clone());
    let mut people = vec![0u64; cells.len()];
    let mut seen = vec![false; talk.participants.len()];
    for s in &talk.segments {
        if !std::mem::replace(&mut seen[s.participant], true) {
            for cell in cells.cells_of(s.site, s.group) {
                people[cell] += 1;
            }
        }
    }
    let suppressed = cells.suppressed(&people, &SCOPES, settings.min_cell);
    let mut out = BTreeMap::new();
    for cell in 0..cells.len() {
        let scope = cells.scope(cell);
        if !SCOPES.contains(&scope) {
            continue;
        }
        let (site, sector, group) = cells.keys(cell);
        out.insert(
            (
                scope.code().to_string(),
                site.unwrap_or("").to_string(),
                sector.unwrap_or("").to_string(),
                group.unwrap_or("").to_string(),
            ),
            (!suppressed[cell]).then_some(people[cell]),
        );
    }
    Ok(out)
}

fn count32(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[derive(Default)]
struct Rows {
    scope: Vec<String>,
    site: Vec<Option<String>>,
    sector: Vec<Option<String>>,
    group: Vec<Option<String>>,
    factor: Vec<String>,
    mean: Vec<Option<f64>>,
    top3: Vec<Option<f64>>,
    condition: Vec<Option<String>>,
    replication: Vec<Option<String>>,
    interviewees: Vec<Option<u32>>,
    participants: Vec<Option<u32>>,
    talk_percent: Vec<Option<f64>>,
    exemplar: Vec<Option<String>>,
    exemplar_label: Vec<Option<String>>,
    convergence: Vec<&'static str>,
    figure_id: Vec<String>,
}

impl Rows {
    fn finish(self) -> Result<RecordBatch, ArrowError> {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(self.scope)),
            Arc::new(StringArray::from(self.site)),
            Arc::new(StringArray::from(self.sector)),
            Arc::new(StringArray::from(self.group)),
            Arc::new(StringArray::from(self.factor)),
            Arc::new(Float64Array::from(self.mean)),
            Arc::new(Float64Array::from(self.top3)),
            Arc::new(StringArray::from(self.condition)),
            Arc::new(StringArray::from(self.replication)),
            Arc::new(UInt32Array::from(self.interviewees)),
            Arc::new(UInt32Array::from(self.participants)),
            Arc::new(Float64Array::from(self.talk_percent)),
            Arc::new(StringArray::from(self.exemplar)),
            Arc::new(StringArray::from(self.exemplar_label)),
            Arc::new(StringArray::from(self.convergence)),
            Arc::new(StringArray::from(self.figure_id)),
        ];
        RecordBatch::try_new(joint_display_schema(), columns)
    }
}
