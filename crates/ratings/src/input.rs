//! Reading the `answers` and `top3` tables into typed rows.
//!
//! Out-of-range codes (missing codes -98/-99, a 7 on a 1-5 scale) are not
//! answers: they read as `None`. Structural problems (a missing column, an
//! unknown group or sector code, a site in two sectors) are errors that
//! name the column and row, since no statistic can be right after them.
//!
//! Strings are read in place from the Arrow arrays (no copy per row), in
//! one pass per table; a row is stored as a few small integers. Text
//! columns may be plain or categorical ([`model::column::Text`]); for a
//! categorical one, each distinct value is looked at once and rows go by key.

use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_array::{
    Int8Array, Int16Array, Int32Array, Int64Array, UInt8Array, UInt16Array, UInt32Array,
};
use arrow_schema::ArrowError;
use model::column::{Interner, Text};
use model::{Group, Sector};

use crate::Settings;

fn invalid(msg: String) -> ArrowError {
    ArrowError::InvalidArgumentError(msg)
}

fn column<'a>(batch: &'a RecordBatch, table: &str, name: &str) -> Result<&'a ArrayRef, ArrowError> {
    batch
        .column_by_name(name)
        .ok_or_else(|| invalid(format!("{table}: expected a column `{name}`, found none")))
}

/// A non-null text column, plain or categorical.
fn strings<'a>(batch: &'a RecordBatch, table: &str, name: &str) -> Result<Text<'a>, ArrowError> {
    let col = column(batch, table, name)?;
    let text = Text::of(col.as_ref()).ok_or_else(|| {
        invalid(format!(
            "{table}: expected column `{name}` to be Utf8, found {}",
            col.data_type()
        ))
    })?;
    let may_be_null = match text {
        Text::Plain(a) => a.null_count() > 0,
        Text::Coded { keys, values } => keys.null_count() > 0 || values.null_count() > 0,
    };
    if may_be_null && let Some(i) = (0..text.len()).find(|&i| text.is_null(i)) {
        return Err(invalid(format!(
            "{table}: row {}: expected a value in `{name}`, found null",
            i + 1
        )));
    }
    Ok(text)
}

/// A non-null text column read once per distinct value where it is
/// categorical: `memo` keeps what each dictionary key came to.
struct Keyed<'a, T> {
    text: Text<'a>,
    memo: Vec<Option<T>>,
}

impl<'a, T: Copy> Keyed<'a, T> {
    fn new(text: Text<'a>) -> Self {
        let distinct = text.coded().map_or(0, |(_, values)| values.len());
        Keyed {
            text,
            memo: vec![None; distinct],
        }
    }

    /// `read` of row `i`'s value; for a categorical column, called once per
    /// key (the first row with it) and remembered.
    fn get(
        &mut self,
        i: usize,
        read: impl FnOnce(&'a str) -> Result<T, ArrowError>,
    ) -> Result<T, ArrowError> {
        let Some((keys, _)) = self.text.coded() else {
            return read(self.text.value(i));
        };
        let k = keys.value(i) as usize;
        if let Some(Some(x)) = self.memo.get(k) {
            return Ok(*x);
        }
        let x = read(self.text.value(i))?;
        if let Some(slot) = self.memo.get_mut(k) {
            *slot = Some(x);
        }
        Ok(x)
    }
}

/// An integer code column of any integer type, read in place; null stays null.
enum Codes<'a> {
    I8(&'a Int8Array),
    I16(&'a Int16Array),
    I32(&'a Int32Array),
    I64(&'a Int64Array),
    U8(&'a UInt8Array),
    U16(&'a UInt16Array),
    U32(&'a UInt32Array),
}

impl Codes<'_> {
    fn get(&self, i: usize) -> Option<i64> {
        macro_rules! at {
            ($a:expr) => {
                if $a.is_null(i) {
                    None
                } else {
                    Some($a.value(i) as i64)
                }
            };
        }
        match self {
            Codes::I8(a) => at!(a),
            Codes::I16(a) => at!(a),
            Codes::I32(a) => at!(a),
            Codes::I64(a) => at!(a),
            Codes::U8(a) => at!(a),
            Codes::U16(a) => at!(a),
            Codes::U32(a) => at!(a),
        }
    }

    /// The code at row `i` when in `lo..=hi`.
    fn in_range(&self, i: usize, lo: i64, hi: i64) -> Option<u8> {
        self.get(i)
            .filter(|x| (lo..=hi).contains(x))
            .map(|x| x as u8)
    }
}

fn codes<'a>(batch: &'a RecordBatch, table: &str, name: &str) -> Result<Codes<'a>, ArrowError> {
    let col = column(batch, table, name)?;
    let any = col.as_any();
    macro_rules! read {
        ($($t:ty => $v:ident),*) => {
            $(if let Some(a) = any.downcast_ref::<$t>() {
                return Ok(Codes::$v(a));
            })*
        };
    }
    read!(Int8Array => I8, Int16Array => I16, Int32Array => I32, Int64Array => I64, UInt8Array => U8, UInt16Array => U16, UInt32Array => U32);
    Err(invalid(format!(
        "{table}: expected column `{name}` to be an integer code, found {}",
        col.data_type()
    )))
}

/// Sites, factors and participants as indexes, fixed in output order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Layout {
    /// (published label, sector), sorted by label.
    pub sites: Vec<(String, Sector)>,
    /// Factor codes: `Settings.factors`, then unknown ones in code order.
    pub factors: Vec<String>,
}

/// Who a row belongs to, with indexes into the [`Layout`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Who {
    pub participant: u32,
    pub site: u32,
    pub group: Group,
}

impl Who {
    pub(crate) fn participant(&self) -> usize {
        self.participant as usize
    }
    pub(crate) fn site(&self) -> usize {
        self.site as usize
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Answer {
    pub who: Who,
    pub factor: u32,
    /// 1 in place, 2 partly, 3 not in place; 9 (don't know) reads as None.
    pub pattern: Option<u8>,
    /// 1-5.
    pub importance: Option<u8>,
    /// 1-4.
    pub direction: Option<u8>,
}

impl Answer {
    pub(crate) fn factor(&self) -> usize {
        self.factor as usize
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Pick {
    pub who: Who,
    pub factor: u32,
    /// 1, 2 or 3.
    pub rank: u8,
}

impl Pick {
    pub(crate) fn factor(&self) -> usize {
        self.factor as usize
    }
}

/// The key columns every table shares.
struct Common<'a> {
    participants: Text<'a>,
    sites: Text<'a>,
    sectors: Text<'a>,
    groups: Text<'a>,
    factors: Text<'a>,
}

fn common<'a>(batch: &'a RecordBatch, table: &str) -> Result<Common<'a>, ArrowError> {
    Ok(Common {
        participants: strings(batch, table, model::schema::PARTICIPANT)?,
        sites: strings(batch, table, model::schema::SITE)?,
        sectors: strings(batch, table, model::schema::SECTOR)?,
        groups: strings(batch, table, model::schema::GROUP)?,
        factors: strings(batch, table, model::schema::FACTOR)?,
    })
}

/// The study's participants: one entry per pseudonym, in first-seen order
/// of the participant index (not published; used only to join tables).
pub(crate) struct Input {
    pub layout: Layout,
    pub answers: Vec<Answer>,
    pub picks: Vec<Pick>,
    pub participants: usize,
}

/// Read `answers` and/or `top3` against one shared layout.
pub(crate) fn read(
    answers: Option<&RecordBatch>,
    top3: Option<&RecordBatch>,
    settings: &Settings,
) -> Result<Input, ArrowError> {
    settings.check()?;
    // Every column is checked (presence, type, nulls) before any row.
    let a = match answers {
        Some(batch) => Some((
            common(batch, "answers")?,
            codes(batch, "answers", "pattern")?,
            codes(batch, "answers", "importance")?,
            codes(batch, "answers", "direction")?,
        )),
        None => None,
    };
    let t = match top3 {
        Some(batch) => Some((common(batch, "top3")?, codes(batch, "top3", "rank")?)),
        None => None,
    };
    let mut tables: Vec<(&str, &Common)> = Vec::new();
    if let Some((c, ..)) = &a {
        tables.push(("answers", c));
    }
    if let Some((c, _)) = &t {
        tables.push(("top3", c));
    }
    // One pass: check each row, intern its strings.
    let mut sites = Interner::new();
    let mut site_sector: Vec<Sector> = Vec::new();
    let mut people = Interner::new();
    let mut factors = Interner::new();
    let mut sector_last: Option<(&str, Sector)> = None;
    let mut group_last: Option<(&str, Group)> = None;
    // Rows get provisional site and factor indexes (first-seen order) until
    // the layout is fixed below.
    let mut out_answers: Vec<Answer> = Vec::new();
    let mut picks: Vec<Pick> = Vec::new();
    for (ti, (table, c)) in tables.iter().enumerate() {
        let is_answers = ti == 0 && a.is_some();
        if is_answers {
            out_answers.reserve_exact(c.sites.len());
        }
        // Per table: a categorical column's values are read once per key.
        let (mut sector_col, mut site_col) = (Keyed::new(c.sectors), Keyed::new(c.sites));
        let (mut group_col, mut people_col, mut factor_col) = (
            Keyed::new(c.groups),
            Keyed::new(c.participants),
            Keyed::new(c.factors),
        );
        for i in 0..c.sites.len() {
            let sector = sector_col.get(i, |sector_code| match sector_last {
                Some((l, s)) if l == sector_code => Ok(s),
                _ => {
                    let s = Sector::from_code(sector_code).ok_or_else(|| {
                        invalid(format!(
                            "{table}: row {}: expected sector `statutory` or `voluntary`, found `{sector_code}`",
                            i + 1
                        ))
                    })?;
                    sector_last = Some((sector_code, s));
                    Ok(s)
                }
            })?;
            let site = site_col.get(i, |label| {
                let (site, new) = sites.get(label);
                if new {
                    site_sector.push(sector);
                }
                Ok(site)
            })?;
            if site_sector[site as usize] != sector {
                return Err(invalid(format!(
                    "{table}: row {}: site `{}` is `{}` here but `{}` elsewhere; a site has one sector",
                    i + 1,
                    c.sites.value(i),
                    sector.code(),
                    site_sector[site as usize].code()
                )));
            }
            let group = group_col.get(i, |group_code| match group_last {
                Some((l, g)) if l == group_code => Ok(g),
                _ => {
                    let g = Group::from_code(group_code).ok_or_else(|| {
                        invalid(format!(
                            "{table}: row {}: expected a stakeholder group code (peer_worker, professional, \
                             service_user, team_manager, senior_manager), found `{group_code}`",
                            i + 1
                        ))
                    })?;
                    group_last = Some((group_code, g));
                    Ok(g)
                }
            })?;
            let participant = people_col.get(i, |p| Ok(people.get(p).0))?;
            let factor = factor_col.get(i, |f| Ok(factors.get(f).0))?;
            let who = Who {
                participant,
                site,
                group,
            };
            if is_answers {
                if let Some((_, p, m, d)) = &a {
                    out_answers.push(Answer {
                        who,
                        factor,
                        pattern: p.in_range(i, 1, 3),
                        importance: m.in_range(i, 1, 5),
                        direction: d.in_range(i, 1, 4),
                    });
                }
            } else if let Some((_, ranks)) = &t
                && let Some(rank) = ranks.in_range(i, 1, 3)
            {
                picks.push(Pick { who, factor, rank });
            }
        }
    }
    // The layout: sites by label; factors as listed, then unknown ones in
    // code order. Provisional indexes map to final ones.
    let mut order: Vec<u32> = (0..sites.names.len() as u32).collect();
    order.sort_unstable_by(|&x, &y| sites.names[x as usize].cmp(sites.names[y as usize]));
    let mut site_final = vec![0u32; order.len()];
    for (rank, &p) in order.iter().enumerate() {
        site_final[p as usize] = rank as u32;
    }
    let mut extra: Vec<&str> = factors
        .names
        .iter()
        .copied()
        .filter(|f| !settings.factors.iter().any(|s| s == f))
        .collect();
    extra.sort_unstable();
    extra.dedup();
    let factor_final: Vec<u32> = factors
        .names
        .iter()
        .map(|f| match settings.factors.iter().position(|s| s == f) {
            Some(k) => k as u32,
            None => (settings.factors.len() + extra.binary_search(f).unwrap_or(0)) as u32,
        })
        .collect();
    let mut layout_factors = settings.factors.clone();
    layout_factors.extend(extra.iter().map(|s| s.to_string()));
    let layout = Layout {
        sites: order
            .iter()
            .map(|&p| (sites.names[p as usize].to_string(), site_sector[p as usize]))
            .collect(),
        factors: layout_factors,
    };
    for x in &mut out_answers {
        x.who.site = site_final[x.who.site as usize];
        x.factor = factor_final[x.factor as usize];
    }
    for x in &mut picks {
        x.who.site = site_final[x.who.site as usize];
        x.factor = factor_final[x.factor as usize];
    }
    let participants = people.names.len();
    Ok(Input {
        layout,
        answers: out_answers,
        picks,
        participants,
    })
}
