//! Reading the `answers` and `top3` tables into typed rows.
//!
//! Out-of-range codes (missing codes -98/-99, a 7 on a 1-5 scale) are not
//! answers: they read as `None`. Structural problems (a missing column, an
//! unknown group or sector code, a site in two sectors) are errors that
//! name the column and row, since no statistic can be right after them.

use std::collections::BTreeMap;

use arrow_array::{Array, ArrayRef, RecordBatch, StringArray};
use arrow_array::{Int8Array, Int16Array, Int32Array, Int64Array, UInt8Array, UInt16Array, UInt32Array};
use arrow_schema::ArrowError;
use model::{Group, Sector};

use crate::Settings;

fn invalid(msg: String) -> ArrowError {
    ArrowError::InvalidArgumentError(msg)
}

fn column<'a>(batch: &'a RecordBatch, table: &str, name: &str) -> Result<&'a ArrayRef, ArrowError> {
    batch.column_by_name(name).ok_or_else(|| invalid(format!("{table}: expected a column `{name}`, found none")))
}

/// A non-null string column.
fn strings(batch: &RecordBatch, table: &str, name: &str) -> Result<Vec<String>, ArrowError> {
    let col = column(batch, table, name)?;
    let arr = col.as_any().downcast_ref::<StringArray>().ok_or_else(|| {
        invalid(format!("{table}: expected column `{name}` to be Utf8, found {}", col.data_type()))
    })?;
    (0..arr.len())
        .map(|i| {
            if arr.is_null(i) {
                Err(invalid(format!("{table}: row {}: expected a value in `{name}`, found null", i + 1)))
            } else {
                Ok(arr.value(i).to_string())
            }
        })
        .collect()
}

/// An integer code column of any integer type; null stays null.
fn codes(batch: &RecordBatch, table: &str, name: &str) -> Result<Vec<Option<i64>>, ArrowError> {
    let col = column(batch, table, name)?;
    macro_rules! read {
        ($($t:ty),*) => {
            $(if let Some(a) = col.as_any().downcast_ref::<$t>() {
                return Ok((0..a.len()).map(|i| if a.is_null(i) { None } else { Some(a.value(i) as i64) }).collect());
            })*
        };
    }
    read!(Int8Array, Int16Array, Int32Array, Int64Array, UInt8Array, UInt16Array, UInt32Array);
    Err(invalid(format!("{table}: expected column `{name}` to be an integer code, found {}", col.data_type())))
}

fn in_range(v: Option<i64>, lo: i64, hi: i64) -> Option<u8> {
    v.filter(|x| (lo..=hi).contains(x)).map(|x| x as u8)
}

/// Sites, factors and participants as indexes, fixed in output order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Layout {
    /// (published label, sector), sorted by label.
    pub sites: Vec<(String, Sector)>,
    /// Factor codes: `Settings.factors`, then unknown ones in code order.
    pub factors: Vec<String>,
}

impl Layout {
    pub fn site_index(&self, label: &str) -> Option<usize> {
        self.sites.binary_search_by(|(l, _)| l.as_str().cmp(label)).ok()
    }
    pub fn factor_index(&self, code: &str) -> Option<usize> {
        self.factors.iter().position(|f| f == code)
    }
}

/// Who a row belongs to, with indexes into the [`Layout`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Who {
    pub participant: usize,
    pub site: usize,
    pub group: Group,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Answer {
    pub who: Who,
    pub factor: usize,
    /// 1 in place, 2 partly, 3 not in place; 9 (don't know) reads as None.
    pub pattern: Option<u8>,
    /// 1-5.
    pub importance: Option<u8>,
    /// 1-4.
    pub direction: Option<u8>,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Pick {
    pub who: Who,
    pub factor: usize,
    /// 1, 2 or 3.
    pub rank: u8,
}

struct Common {
    participants: Vec<String>,
    sites: Vec<String>,
    sectors: Vec<String>,
    groups: Vec<String>,
    factors: Vec<String>,
}

fn common(batch: &RecordBatch, table: &str) -> Result<Common, ArrowError> {
    Ok(Common {
        participants: strings(batch, table, model::schema::PARTICIPANT)?,
        sites: strings(batch, table, model::schema::SITE)?,
        sectors: strings(batch, table, model::schema::SECTOR)?,
        groups: strings(batch, table, model::schema::GROUP)?,
        factors: strings(batch, table, model::schema::FACTOR)?,
    })
}

/// Build the layout from one or more tables' rows and turn each row into a [`Who`].
fn layout(tables: &[(&str, &Common)], settings: &Settings) -> Result<(Layout, Vec<Vec<(Who, usize)>>), ArrowError> {
    let mut sites: BTreeMap<&str, Sector> = BTreeMap::new();
    let mut people: BTreeMap<&str, usize> = BTreeMap::new();
    let mut extra: BTreeMap<&str, ()> = BTreeMap::new();
    for (table, c) in tables {
        for i in 0..c.sites.len() {
            let sector = Sector::from_code(&c.sectors[i]).ok_or_else(|| {
                invalid(format!(
                    "{table}: row {}: expected sector `statutory` or `voluntary`, found `{}`",
                    i + 1,
                    c.sectors[i]
                ))
            })?;
            match sites.get(c.sites[i].as_str()) {
                Some(s) if *s != sector => {
                    return Err(invalid(format!(
                        "{table}: row {}: site `{}` is `{}` here but `{}` elsewhere; a site has one sector",
                        i + 1,
                        c.sites[i],
                        sector.code(),
                        s.code()
                    )));
                }
                _ => {
                    sites.insert(&c.sites[i], sector);
                }
            }
            if Group::from_code(&c.groups[i]).is_none() {
                return Err(invalid(format!(
                    "{table}: row {}: expected a stakeholder group code (peer_worker, professional, \
                     service_user, team_manager, senior_manager), found `{}`",
                    i + 1,
                    c.groups[i]
                )));
            }
            let next = people.len();
            people.entry(&c.participants[i]).or_insert(next);
            if !settings.factors.iter().any(|f| *f == c.factors[i]) {
                extra.insert(&c.factors[i], ());
            }
        }
    }
    let mut factors = settings.factors.clone();
    factors.extend(extra.keys().map(|s| s.to_string()));
    let layout = Layout { sites: sites.into_iter().map(|(l, s)| (l.to_string(), s)).collect(), factors };
    let mut out = Vec::new();
    for (_, c) in tables {
        let mut rows = Vec::with_capacity(c.sites.len());
        for i in 0..c.sites.len() {
            let (Some(site), Some(group), Some(&participant), Some(factor)) = (
                layout.site_index(&c.sites[i]),
                Group::from_code(&c.groups[i]),
                people.get(c.participants[i].as_str()),
                layout.factor_index(&c.factors[i]),
            ) else {
                return Err(invalid(format!("row {}: could not index the row", i + 1)));
            };
            rows.push((Who { participant, site, group }, factor));
        }
        out.push(rows);
    }
    Ok((layout, out))
}

/// The study's participants: one entry per pseudonym, in first-seen order
/// of the participant index (not published; used only to join tables).
pub(crate) struct Input {
    pub layout: Layout,
    pub answers: Vec<Answer>,
    pub picks: Vec<Pick>,
    pub participants: usize,
}

fn read_answers(batch: &RecordBatch) -> Result<(Common, Vec<[Option<i64>; 3]>), ArrowError> {
    let c = common(batch, "answers")?;
    let p = codes(batch, "answers", "pattern")?;
    let m = codes(batch, "answers", "importance")?;
    let d = codes(batch, "answers", "direction")?;
    let v = (0..c.sites.len()).map(|i| [p[i], m[i], d[i]]).collect();
    Ok((c, v))
}

fn read_top3(batch: &RecordBatch) -> Result<(Common, Vec<Option<i64>>), ArrowError> {
    let c = common(batch, "top3")?;
    let r = codes(batch, "top3", "rank")?;
    Ok((c, r))
}

/// Read `answers` and/or `top3` against one shared layout.
pub(crate) fn read(
    answers: Option<&RecordBatch>,
    top3: Option<&RecordBatch>,
    settings: &Settings,
) -> Result<Input, ArrowError> {
    settings.check()?;
    let a = answers.map(read_answers).transpose()?;
    let t = top3.map(read_top3).transpose()?;
    let mut tables: Vec<(&str, &Common)> = Vec::new();
    if let Some((c, _)) = &a {
        tables.push(("answers", c));
    }
    if let Some((c, _)) = &t {
        tables.push(("top3", c));
    }
    let (layout, rows) = layout(&tables, settings)?;
    let mut rows = rows.into_iter();
    let mut participants = 0;
    let mut out_answers = Vec::new();
    if let Some((_, values)) = &a {
        let r = rows.next().unwrap_or_default();
        for (i, (who, factor)) in r.into_iter().enumerate() {
            participants = participants.max(who.participant + 1);
            let [p, m, d] = values[i];
            out_answers.push(Answer {
                who,
                factor,
                pattern: in_range(p, 1, 3),
                importance: in_range(m, 1, 5),
                direction: in_range(d, 1, 4),
            });
        }
    }
    let mut picks = Vec::new();
    if let Some((_, ranks)) = &t {
        let r = rows.next().unwrap_or_default();
        for (i, (who, factor)) in r.into_iter().enumerate() {
            participants = participants.max(who.participant + 1);
            if let Some(rank) = in_range(ranks[i], 1, 3) {
                picks.push(Pick { who, factor, rank });
            }
        }
    }
    Ok(Input { layout, answers: out_answers, picks, participants })
}
