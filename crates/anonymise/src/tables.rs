//! Raw study tables to clean ones: pseudonyms, site labels, redacted free
//! text, withdrawals applied, rows in a deterministic order. Fails closed:
//! any value it does not expect is an error, never passed through.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use arrow_array::{
    Array, ArrayRef, BooleanArray, Int8Array, Int32Array, Int64Array, RecordBatch, StringArray,
    UInt8Array, UInt32Array,
};
use arrow_schema::{DataType, SchemaRef};
use model::column::{Categories, Text, categories, is_category, text};
use model::{Identities, Site, StudyTables, Withdrawal, WithdrawalScope, schema};

use crate::AnonymiseError;
use crate::key::{Key, Pseudonyms, normalise_record_id};
use crate::redact::Redactor;

/// One redaction, for the private anonymisation log: where and what kind,
/// never the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    /// The site's label (published anyway): a site's entries can be kept
    /// when its partition is reused.
    pub site: String,
    /// The participant's pseudonym; for document evidence
    /// `<site label>/<document>/<instance>`.
    pub participant: String,
    /// `accounts/<field>` (the REDCap field) or `evidence/excerpt`.
    pub field: String,
    /// [`crate::Kind::code`].
    pub kind: String,
    /// Byte offsets in the raw text.
    pub start: usize,
    pub end: usize,
}

/// The clean tables and the redaction log.
#[derive(Debug, Clone)]
pub struct Anonymised {
    pub tables: StudyTables,
    pub log: Vec<LogEntry>,
}

type R<T> = Result<T, AnonymiseError>;

fn check_schema(table: &'static str, batch: &RecordBatch, expected: &SchemaRef) -> R<()> {
    let got = batch.schema();
    if got.fields().len() != expected.fields().len() {
        return Err(AnonymiseError::Schema {
            table,
            detail: format!(
                "{} columns, expected {}",
                got.fields().len(),
                expected.fields().len()
            ),
        });
    }
    for (g, e) in got.fields().iter().zip(expected.fields().iter()) {
        if g.name() != e.name() || g.data_type() != e.data_type() {
            return Err(AnonymiseError::Schema {
                table,
                detail: format!(
                    "column `{}` {}, expected `{}` {}",
                    g.name(),
                    g.data_type(),
                    e.name(),
                    e.data_type()
                ),
            });
        }
    }
    Ok(())
}

fn strings<'a>(table: &'static str, batch: &'a RecordBatch, name: &str) -> R<Text<'a>> {
    text(batch, name).ok_or_else(|| AnonymiseError::Schema {
        table,
        detail: format!("no text column `{name}`"),
    })
}

fn required<'a>(table: &'static str, col: Text<'a>, row: usize, name: &str) -> R<&'a str> {
    col.get(row).ok_or_else(|| AnonymiseError::Row {
        table,
        row,
        detail: format!("`{name}` is empty"),
    })
}

/// The rows `idx` of `array`, for every column type of the model's schemas.
fn take(table: &'static str, array: &ArrayRef, idx: &[usize]) -> R<ArrayRef> {
    fn t<'a, A: Array + 'static>(table: &'static str, a: &'a ArrayRef) -> R<&'a A> {
        a.as_any()
            .downcast_ref::<A>()
            .ok_or_else(|| AnonymiseError::Schema {
                table,
                detail: format!("unexpected array for {}", a.data_type()),
            })
    }
    macro_rules! prim {
        ($ty:ty) => {{
            let a = t::<$ty>(table, array)?;
            Arc::new(
                idx.iter()
                    .map(|&i| (!a.is_null(i)).then(|| a.value(i)))
                    .collect::<$ty>(),
            ) as ArrayRef
        }};
    }
    Ok(match array.data_type() {
        DataType::Utf8 => prim!(StringArray),
        DataType::Boolean => prim!(BooleanArray),
        DataType::Int8 => prim!(Int8Array),
        DataType::Int32 => prim!(Int32Array),
        DataType::Int64 => prim!(Int64Array),
        DataType::UInt8 => prim!(UInt8Array),
        DataType::UInt32 => prim!(UInt32Array),
        // Categorical: the rows' keys are taken, the dictionary is shared.
        t if is_category(t) => {
            let idx: UInt32Array = idx.iter().map(|&i| i as u32).collect();
            arrow_select::take::take(array.as_ref(), &idx, None)?
        }
        other => {
            return Err(AnonymiseError::Schema {
                table,
                detail: format!("column type {other} is not handled"),
            });
        }
    })
}

/// Rebuilds `batch` with rows `idx`, some columns replaced (already in `idx` order).
fn rebuild(
    table: &'static str,
    batch: &RecordBatch,
    schema: SchemaRef,
    idx: &[usize],
    mut replace: BTreeMap<&str, ArrayRef>,
) -> R<RecordBatch> {
    let mut columns = Vec::with_capacity(schema.fields().len());
    for (field, column) in schema.fields().iter().zip(batch.columns()) {
        match replace.remove(field.name().as_str()) {
            Some(c) => columns.push(c),
            None => columns.push(take(table, column, idx)?),
        }
    }
    if let Some(name) = replace.keys().next() {
        return Err(AnonymiseError::Schema {
            table,
            detail: format!("no column `{name}`"),
        });
    }
    Ok(RecordBatch::try_new(schema, columns)?)
}

fn text_column<S: AsRef<str>>(values: impl IntoIterator<Item = Option<S>>) -> ArrayRef {
    Arc::new(values.into_iter().collect::<StringArray>())
}

struct Context<'a> {
    sites: BTreeMap<&'a str, &'a Site>,
    pseudonyms: Pseudonyms,
    /// Normalised record id -> strongest withdrawal scope.
    withdrawn: BTreeMap<String, WithdrawalScope>,
    participants: BTreeSet<String>,
}

impl Context<'_> {
    fn site(&self, table: &'static str, row: usize, code: &str) -> R<&Site> {
        self.sites
            .get(code)
            .copied()
            .ok_or_else(|| AnonymiseError::UnknownSite {
                table,
                row,
                site: code.to_string(),
            })
    }

    /// Checks the row's sector against the register (an empty raw sector is
    /// filled from it; a different one is an error).
    fn sector(
        &self,
        table: &'static str,
        row: usize,
        site: &Site,
        raw: Text<'_>,
    ) -> R<&'static str> {
        let code = site.sector.code();
        if !raw.is_null(row) && !raw.value(row).is_empty() && raw.value(row) != code {
            return Err(AnonymiseError::Row {
                table,
                row,
                detail: format!(
                    "sector `{}` but the register says `{code}` for `{}`",
                    raw.value(row),
                    site.site_id
                ),
            });
        }
        Ok(code)
    }
}

/// A participant-level table: participants, answers, top3, outcomes,
/// accounts, checkboxes.
fn participant_table(
    table: &'static str,
    batch: &RecordBatch,
    expected: SchemaRef,
    cx: &Context<'_>,
    of_site: &[usize],
    redactor: Option<&Redactor>,
    log: &mut Vec<LogEntry>,
) -> R<RecordBatch> {
    check_schema(table, batch, &expected)?;
    let pid = strings(table, batch, schema::PARTICIPANT)?;
    let site = strings(table, batch, schema::SITE)?;
    let sector = strings(table, batch, schema::SECTOR)?;
    // (label, pseudonym, row, sector), borrowed: no allocation per row.
    let mut rows: Vec<(&str, &str, usize, &'static str)> = Vec::with_capacity(of_site.len());
    // Rows of one record come together (answers: one per factor): the
    // checks and the lookup are done once per run of the same record.
    let mut last: Option<(&str, &str, &Site, Option<(&str, &str, &'static str)>)> = None;
    for &row in of_site {
        let record = required(table, pid, row, schema::PARTICIPANT)?;
        let code = required(table, site, row, schema::SITE)?;
        if let Some((r, c, s, kept)) = last
            && r == record
            && c == code
        {
            // Same record, same site: only the row's own sector is checked.
            let sector_code = cx.sector(table, row, s, sector)?;
            if let Some((label, p, _)) = kept {
                rows.push((label, p, row, sector_code));
            }
            continue;
        }
        let s = cx.site(table, row, code)?;
        let sector_code = cx.sector(table, row, s, sector)?;
        let norm = normalise_record_id(record);
        if !norm.starts_with(&format!("{}-", s.site_id.trim().to_uppercase())) {
            return Err(AnonymiseError::Row {
                table,
                row,
                detail: format!("record `{record}` is not a record of site `{code}`"),
            });
        }
        if !cx.participants.contains(&norm) {
            return Err(AnonymiseError::Row {
                table,
                row,
                detail: format!("record `{record}` has no row in the participants table"),
            });
        }
        let withdrawn = match cx.withdrawn.get(&norm) {
            Some(WithdrawalScope::All) => true,
            Some(WithdrawalScope::Quotes) => table == "accounts",
            _ => false,
        };
        let kept = if withdrawn {
            None
        } else {
            let p = cx
                .pseudonyms
                .get(record)
                .ok_or_else(|| AnonymiseError::Row {
                    table,
                    row,
                    detail: format!("record `{record}` has no pseudonym"),
                })?;
            Some((s.label.as_str(), p, sector_code))
        };
        if let Some((label, p, sector_code)) = kept {
            rows.push((label, p, row, sector_code));
        }
        last = Some((record, code, s, kept));
    }
    sort_by_record(&mut rows, of_site);
    let idx: Vec<usize> = rows.iter().map(|r| r.2).collect();
    let mut replace: BTreeMap<&str, ArrayRef> = BTreeMap::new();
    // Rows are in runs of one record: one lookup per run.
    let runs = rows.chunk_by(|a, b| (a.0, a.1, a.3) == (b.0, b.1, b.3));
    let (mut participant, mut site, mut sector) =
        (Categories::new(), Categories::new(), Categories::new());
    for run in runs {
        let (label, pseudonym, _, sector_code) = run[0];
        participant.append_n(pseudonym, run.len());
        site.append_n(label, run.len());
        sector.append_n(sector_code, run.len());
    }
    replace.insert(schema::PARTICIPANT, participant.finish());
    replace.insert(schema::SITE, site.finish());
    replace.insert(schema::SECTOR, sector.finish());
    if table == "participants" {
        let flag = batch
            .column_by_name("quotes_withdrawn")
            .and_then(|c| c.as_any().downcast_ref::<BooleanArray>())
            .ok_or_else(|| AnonymiseError::Schema {
                table,
                detail: "no boolean `quotes_withdrawn`".into(),
            })?;
        let values: BooleanArray = rows
            .iter()
            .map(|r| {
                let raw = !flag.is_null(r.2) && flag.value(r.2);
                let norm = normalise_record_id(pid.value(r.2));
                Some(raw || cx.withdrawn.get(&norm) == Some(&WithdrawalScope::Quotes))
            })
            .collect();
        replace.insert("quotes_withdrawn", Arc::new(values));
    }
    if table == "accounts" && !rows.is_empty() {
        let redactor = redactor.ok_or(AnonymiseError::NoRedactor(table))?;
        let field = strings(table, batch, "field")?;
        let text = strings(table, batch, "text")?;
        let bytes = rows.iter().map(|r| text.value(r.2).len()).sum();
        let mut out = arrow_array::builder::StringBuilder::with_capacity(rows.len(), bytes);
        for (label, p, row, _) in &rows {
            let raw = required(table, text, *row, "text")?;
            let f = required(table, field, *row, "field")?;
            let red = redactor.redact(raw);
            log.extend(red.hits.iter().map(|h| LogEntry {
                site: label.to_string(),
                participant: p.to_string(),
                field: format!("accounts/{f}"),
                kind: h.kind.code().to_string(),
                start: h.start,
                end: h.end,
            }));
            out.append_value(&red.text);
        }
        replace.insert("text", Arc::new(out.finish()));
    }
    rebuild(table, batch, expected, &idx, replace)
}

/// Sorts rows `(label, pseudonym, row, sector)` by label, pseudonym and row.
/// When the rows were taken in ascending order (as [`Anonymiser::split`]
/// gives them), a record's rows form runs of ascending rows, and runs of the
/// same record never interleave; sorting the runs by their first row's key
/// and keeping each run's order is then the same order, with one comparison
/// per record rather than per row (answers: one row per factor).
fn sort_by_record(rows: &mut Vec<(&str, &str, usize, &'static str)>, taken: &[usize]) {
    if !taken.windows(2).all(|w| w[0] < w[1]) {
        rows.sort();
        return;
    }
    let mut runs: Vec<std::ops::Range<usize>> = Vec::new();
    for i in 0..rows.len() {
        match runs.last_mut() {
            Some(run) if (rows[i].0, rows[i].1) == (rows[i - 1].0, rows[i - 1].1) => {
                run.end = i + 1
            }
            _ => runs.push(i..i + 1),
        }
    }
    runs.sort_by(|a, b| {
        let (x, y) = (&rows[a.start], &rows[b.start]);
        (x.0, x.1, x.2).cmp(&(y.0, y.1, y.2))
    });
    let mut sorted = Vec::with_capacity(rows.len());
    for run in runs {
        sorted.extend_from_slice(&rows[run]);
    }
    *rows = sorted;
}

#[cfg(test)]
mod tests {
    /// Sorting by runs is the full sort, for rows taken in ascending order
    /// with records in runs (also split runs of one record), and otherwise.
    #[test]
    fn sorting_by_record_is_the_full_sort() {
        let people = ["P-B", "P-A", "P-C", "P-A", "P-B"];
        let labels = ["Site B", "Site A"];
        let mut state = 12345u64;
        for case in 0..200 {
            let mut rows = Vec::new();
            let mut row = 0;
            for k in 0..(case % 9 + 1) {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let p = people[(state >> 33) as usize % people.len()];
                let label = labels[(k + case) % 2];
                for _ in 0..((state >> 40) % 4 + 1) {
                    rows.push((label, p, row, "statutory"));
                    row += 1 + (state >> 50) as usize % 2;
                }
            }
            let taken: Vec<usize> = rows.iter().map(|r| r.2).collect();
            let mut full = rows.clone();
            full.sort();
            let mut ours = rows.clone();
            super::sort_by_record(&mut ours, &taken);
            assert_eq!(ours, full, "case {case}");
            let mut shuffled = rows.clone();
            shuffled.reverse();
            let taken: Vec<usize> = shuffled.iter().map(|r| r.2).collect();
            super::sort_by_record(&mut shuffled, &taken);
            assert_eq!(shuffled, full, "case {case}, descending input");
        }
    }
}

/// A site-level table: documents, evidence.
fn site_table(
    table: &'static str,
    batch: &RecordBatch,
    expected: SchemaRef,
    cx: &Context<'_>,
    of_site: &[usize],
    redactor: Option<&Redactor>,
    log: &mut Vec<LogEntry>,
) -> R<RecordBatch> {
    check_schema(table, batch, &expected)?;
    let site = strings(table, batch, schema::SITE)?;
    let sector = strings(table, batch, schema::SECTOR)?;
    let mut rows: Vec<(String, usize, &'static str)> = Vec::new();
    for &row in of_site {
        let code = required(table, site, row, schema::SITE)?;
        let s = cx.site(table, row, code)?;
        let sector_code = cx.sector(table, row, s, sector)?;
        rows.push((s.label.clone(), row, sector_code));
    }
    rows.sort();
    let idx: Vec<usize> = rows.iter().map(|r| r.1).collect();
    let mut replace: BTreeMap<&str, ArrayRef> = BTreeMap::new();
    replace.insert(
        schema::SITE,
        categories(rows.iter().map(|r| Some(r.0.as_str()))),
    );
    replace.insert(schema::SECTOR, categories(rows.iter().map(|r| Some(r.2))));
    if table == "evidence" && !rows.is_empty() {
        let redactor = redactor.ok_or(AnonymiseError::NoRedactor(table))?;
        let excerpt = strings(table, batch, "excerpt")?;
        let document = strings(table, batch, "document")?;
        let instance = batch
            .column_by_name("instance")
            .and_then(|c| c.as_any().downcast_ref::<UInt32Array>())
            .ok_or_else(|| AnonymiseError::Schema {
                table,
                detail: "no u32 `instance`".into(),
            })?;
        let mut out: Vec<Option<String>> = Vec::with_capacity(rows.len());
        for (label, row, _) in &rows {
            if excerpt.is_null(*row) {
                out.push(None);
                continue;
            }
            let red = redactor.redact(excerpt.value(*row));
            let doc = required(table, document, *row, "document")?;
            let inst = if instance.is_null(*row) {
                0
            } else {
                instance.value(*row)
            };
            log.extend(red.hits.iter().map(|h| LogEntry {
                site: label.clone(),
                participant: format!("{label}/{doc}/{inst}"),
                field: "evidence/excerpt".into(),
                kind: h.kind.code().to_string(),
                start: h.start,
                end: h.end,
            }));
            out.push(Some(red.text));
        }
        replace.insert("excerpt", text_column(out));
    }
    rebuild(table, batch, expected, &idx, replace)
}

fn sites_table(batch: &RecordBatch, cx: &Context<'_>) -> R<RecordBatch> {
    let table = "sites";
    let expected = schema::sites();
    check_schema(table, batch, &expected)?;
    let site = strings(table, batch, schema::SITE)?;
    let sector = strings(table, batch, schema::SECTOR)?;
    let mut rows = Vec::new();
    let mut seen = BTreeSet::new();
    for row in 0..batch.num_rows() {
        let code = required(table, site, row, schema::SITE)?;
        let s = cx.site(table, row, code)?;
        cx.sector(table, row, s, sector)?;
        if !seen.insert(code) {
            return Err(AnonymiseError::Row {
                table,
                row,
                detail: format!("site `{code}` appears twice"),
            });
        }
        rows.push((s.label.clone(), row, s.sector.code()));
    }
    rows.sort();
    let idx: Vec<usize> = rows.iter().map(|r| r.1).collect();
    let mut replace: BTreeMap<&str, ArrayRef> = BTreeMap::new();
    replace.insert(
        schema::SITE,
        text_column(rows.iter().map(|r| Some(r.0.as_str()))),
    );
    replace.insert(schema::SECTOR, text_column(rows.iter().map(|r| Some(r.2))));
    rebuild(table, batch, expected, &idx, replace)
}

/// The rows of each raw table that belong to one site (indices into the
/// raw tables, in their order): a site's partition of the study.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteRows {
    pub participants: Vec<usize>,
    pub answers: Vec<usize>,
    pub top3: Vec<usize>,
    pub outcomes: Vec<usize>,
    pub accounts: Vec<usize>,
    pub documents: Vec<usize>,
    pub evidence: Vec<usize>,
    pub checkboxes: Vec<usize>,
}

/// Anonymisation of one study, site by site. [`Anonymiser::new`] does what
/// needs the whole study (the register, pseudonyms with collisions resolved
/// study-wide, withdrawals); [`Anonymiser::site`] turns one site's rows into
/// clean rows; [`Anonymiser::assemble`] puts sites together in label order.
/// A site's clean rows depend only on its raw rows, its participants'
/// pseudonyms and withdrawals, the register and the redactor, so a caller
/// may keep them and reuse them when none of those changed.
/// The tables of free text among a site's rows ([`Anonymiser::site`]).
const SITE_FREE_TEXT: [&str; 2] = ["accounts", "evidence"];

pub struct Anonymiser<'a> {
    cx: Context<'a>,
    sites: RecordBatch,
    /// The tables of free text left empty ([`Anonymiser::without_free_text`]).
    unmade: BTreeSet<&'static str>,
}

impl<'a> Anonymiser<'a> {
    /// Fails closed: a register with an empty or repeated label or code, a
    /// record id twice, two ids equal after normalisation, a withdrawal
    /// naming an unknown record of a site whose data has arrived.
    pub fn new(
        raw: &StudyTables,
        identities: &Identities,
        sites: &'a [Site],
        withdrawals: &[Withdrawal],
        key: &Key,
    ) -> R<Anonymiser<'a>> {
        let mut register: BTreeMap<&str, &Site> = BTreeMap::new();
        let mut labels = BTreeSet::new();
        for s in sites {
            if s.label.trim().is_empty() {
                return Err(AnonymiseError::Register(format!(
                    "site `{}` has an empty label",
                    s.site_id
                )));
            }
            if register.insert(s.site_id.as_str(), s).is_some() {
                return Err(AnonymiseError::Register(format!(
                    "site code `{}` appears twice",
                    s.site_id
                )));
            }
            if !labels.insert(s.label.as_str()) {
                return Err(AnonymiseError::Register(format!(
                    "label `{}` is used by two sites",
                    s.label
                )));
            }
        }

        let table = "participants";
        check_schema(table, &raw.participants, &schema::participants())?;
        let pid = strings(table, &raw.participants, schema::PARTICIPANT)?;
        let mut participants = BTreeSet::new();
        let mut ids: Vec<&str> = Vec::new();
        for row in 0..raw.participants.num_rows() {
            let id = required(table, pid, row, schema::PARTICIPANT)?;
            if !participants.insert(normalise_record_id(id)) {
                return Err(AnonymiseError::Row {
                    table,
                    row,
                    detail: format!("record `{id}` appears twice"),
                });
            }
            ids.push(id);
        }
        ids.extend(identities.people.iter().map(|p| p.record_id.as_str()));
        let pseudonyms = Pseudonyms::assign(key, ids)?;

        let mut withdrawn: BTreeMap<String, WithdrawalScope> = BTreeMap::new();
        // Sites with interview data; a withdrawal from an awaited site is pending.
        let sites_with_data: BTreeSet<String> = participants
            .iter()
            .filter_map(|id| id.split_once('-').map(|(site, _)| site.to_string()))
            .collect();
        for w in withdrawals {
            let norm = normalise_record_id(&w.record_id);
            if !participants.contains(&norm) {
                // Fail closed unless the record belongs to a registered site whose
                // data has not arrived: its withdrawal takes effect when it does.
                let site = norm
                    .split_once('-')
                    .map(|(site, _)| site)
                    .unwrap_or_default();
                let registered = register.keys().any(|id| normalise_record_id(id) == site);
                if registered && !sites_with_data.contains(site) {
                    continue;
                }
                return Err(AnonymiseError::UnknownWithdrawal(w.record_id.clone()));
            }
            let scope = withdrawn.entry(norm).or_insert(w.scope);
            if w.scope == WithdrawalScope::All {
                *scope = WithdrawalScope::All;
            }
        }
        let cx = Context {
            sites: register,
            pseudonyms,
            withdrawn,
            participants,
        };
        let sites = sites_table(&raw.sites, &cx)?;
        Ok(Anonymiser {
            cx,
            sites,
            unmade: BTreeSet::new(),
        })
    }

    /// Leave the free-text tables among `tables` (`accounts`, `evidence`:
    /// `model::schema::FREE_TEXT`) empty: their text is neither redacted
    /// nor kept, for a caller that publishes no stage reading them. Other
    /// names are ignored: every other table is always made.
    pub fn without_free_text(mut self, tables: &[&str]) -> Self {
        self.unmade = SITE_FREE_TEXT
            .into_iter()
            .filter(|t| tables.contains(t))
            .collect();
        self
    }

    /// Whether [`Anonymiser::site`] redacts text, so needs a redactor: some
    /// table of free text is made.
    pub fn redacts(&self) -> bool {
        SITE_FREE_TEXT.iter().any(|t| !self.unmade.contains(t))
    }

    /// The study's pseudonyms (a re-identification table: keep it in memory).
    pub fn pseudonyms(&self) -> &Pseudonyms {
        &self.cx.pseudonyms
    }

    /// The withdrawal in effect for a record id, if any.
    pub fn withdrawal(&self, record_id: &str) -> Option<WithdrawalScope> {
        self.cx
            .withdrawn
            .get(&normalise_record_id(record_id))
            .copied()
    }

    /// Each site's rows of the raw tables, by site code (as the rows spell
    /// it; a code missing from the register fails in [`Anonymiser::site`]).
    pub fn split(&self, raw: &StudyTables) -> R<BTreeMap<String, SiteRows>> {
        let mut out: BTreeMap<String, SiteRows> = BTreeMap::new();
        let tables: [(
            &'static str,
            &RecordBatch,
            fn(&mut SiteRows) -> &mut Vec<usize>,
        ); 8] = [
            ("participants", &raw.participants, |s| &mut s.participants),
            ("answers", &raw.answers, |s| &mut s.answers),
            ("top3", &raw.top3, |s| &mut s.top3),
            ("outcomes", &raw.outcomes, |s| &mut s.outcomes),
            ("accounts", &raw.accounts, |s| &mut s.accounts),
            ("documents", &raw.documents, |s| &mut s.documents),
            ("evidence", &raw.evidence, |s| &mut s.evidence),
            ("checkboxes", &raw.checkboxes, |s| &mut s.checkboxes),
        ];
        for (table, batch, rows_of) in tables {
            let site = strings(table, batch, schema::SITE)?;
            // Tables come sorted by site: one lookup per run of equal codes.
            let mut i = 0;
            while i < batch.num_rows() {
                let code = required(table, site, i, schema::SITE)?;
                let mut j = i + 1;
                while j < batch.num_rows() && !site.is_null(j) && site.value(j) == code {
                    j += 1;
                }
                rows_of(out.entry(code.to_string()).or_default()).extend(i..j);
                i = j;
            }
        }
        Ok(out)
    }

    /// One site's clean rows (every table but `sites`) and its redactions.
    /// `redactor` may be `None` when no table of free text is made
    /// ([`Anonymiser::without_free_text`]); otherwise that is an error.
    pub fn site<'r>(
        &self,
        raw: &StudyTables,
        rows: &'r SiteRows,
        redactor: Option<&Redactor>,
    ) -> R<Anonymised> {
        let cx = &self.cx;
        let mut log = Vec::new();
        let made = |table: &str, rows: &'r [usize]| -> &'r [usize] {
            if self.unmade.contains(table) {
                &[]
            } else {
                rows
            }
        };
        let tables = StudyTables {
            sites: RecordBatch::new_empty(schema::sites()),
            participants: participant_table(
                "participants",
                &raw.participants,
                schema::participants(),
                cx,
                &rows.participants,
                redactor,
                &mut log,
            )?,
            answers: participant_table(
                "answers",
                &raw.answers,
                schema::answers(),
                cx,
                &rows.answers,
                redactor,
                &mut log,
            )?,
            top3: participant_table(
                "top3",
                &raw.top3,
                schema::top3(),
                cx,
                &rows.top3,
                redactor,
                &mut log,
            )?,
            outcomes: participant_table(
                "outcomes",
                &raw.outcomes,
                schema::outcomes(),
                cx,
                &rows.outcomes,
                redactor,
                &mut log,
            )?,
            accounts: participant_table(
                "accounts",
                &raw.accounts,
                schema::accounts(),
                cx,
                made("accounts", &rows.accounts),
                redactor,
                &mut log,
            )?,
            documents: site_table(
                "documents",
                &raw.documents,
                schema::documents(),
                cx,
                &rows.documents,
                redactor,
                &mut log,
            )?,
            evidence: site_table(
                "evidence",
                &raw.evidence,
                schema::evidence(),
                cx,
                made("evidence", &rows.evidence),
                redactor,
                &mut log,
            )?,
            checkboxes: participant_table(
                "checkboxes",
                &raw.checkboxes,
                schema::checkboxes(),
                cx,
                &rows.checkboxes,
                redactor,
                &mut log,
            )?,
            coded_segments: RecordBatch::new_empty(schema::coded_segments()),
            workshop_notes: RecordBatch::new_empty(schema::workshop_notes()),
            workshop_verdicts: RecordBatch::new_empty(schema::workshop_verdicts()),
        };
        Ok(Anonymised { tables, log })
    }

    /// The label of a registered site code.
    pub fn label(&self, site_id: &str) -> Option<&str> {
        self.cx.sites.get(site_id).map(|s| s.label.as_str())
    }

    /// The clean study from its sites' parts, `(site code, part)` in any
    /// order: rows and log entries come out in site-label order, as if the
    /// whole study had been anonymised at once.
    pub fn assemble(&self, parts: Vec<(String, Anonymised)>) -> R<Anonymised> {
        let mut parts: Vec<(String, Anonymised)> = parts
            .into_iter()
            .map(|(code, part)| Ok((self.cx.site("sites", 0, &code)?.label.clone(), part)))
            .collect::<R<_>>()?;
        parts.sort_by(|a, b| a.0.cmp(&b.0));
        // Table by table, each part's rows are moved out and freed once
        // concatenated: the peak is the parts plus one assembled table.
        let mut concat = |schema: SchemaRef,
                          pick: fn(&mut StudyTables) -> &mut RecordBatch|
         -> R<RecordBatch> {
            let batches: Vec<RecordBatch> = parts
                .iter_mut()
                .map(|(_, p)| {
                    std::mem::replace(pick(&mut p.tables), RecordBatch::new_empty(schema.clone()))
                })
                .collect();
            Ok(model::column::concat_batches(&schema, &batches)?)
        };
        let tables = StudyTables {
            sites: self.sites.clone(),
            answers: concat(schema::answers(), |t| &mut t.answers)?,
            participants: concat(schema::participants(), |t| &mut t.participants)?,
            top3: concat(schema::top3(), |t| &mut t.top3)?,
            outcomes: concat(schema::outcomes(), |t| &mut t.outcomes)?,
            accounts: concat(schema::accounts(), |t| &mut t.accounts)?,
            documents: concat(schema::documents(), |t| &mut t.documents)?,
            evidence: concat(schema::evidence(), |t| &mut t.evidence)?,
            checkboxes: concat(schema::checkboxes(), |t| &mut t.checkboxes)?,
            // Transcripts are not site rows: the pipeline adds them.
            coded_segments: RecordBatch::new_empty(schema::coded_segments()),
            workshop_notes: RecordBatch::new_empty(schema::workshop_notes()),
            workshop_verdicts: RecordBatch::new_empty(schema::workshop_verdicts()),
        };
        let log = parts.into_iter().flat_map(|(_, p)| p.log).collect();
        Ok(Anonymised { tables, log })
    }
}

/// Raw tables to clean tables. `identities` supplies record ids for
/// pseudonym assignment (so collisions are resolved study-wide);
/// `redactor` should be built from the same study's identifiers. Sites are
/// anonymised in parallel; the result does not depend on the thread count.
///
/// Fails closed: a site code not in the register, a row of a record with no
/// participants row, a record id that does not belong to its site, a
/// withdrawal naming an unknown record, a sector that contradicts the
/// register, any schema difference: all errors.
pub fn anonymise(
    raw: &StudyTables,
    identities: &Identities,
    sites: &[Site],
    withdrawals: &[Withdrawal],
    key: &Key,
    redactor: &Redactor,
) -> Result<Anonymised, AnonymiseError> {
    use rayon::prelude::*;
    let anonymiser = Anonymiser::new(raw, identities, sites, withdrawals, key)?;
    let split: Vec<(String, SiteRows)> = anonymiser.split(raw)?.into_iter().collect();
    let parts: Vec<(String, Anonymised)> = split
        .into_par_iter()
        .map(|(code, rows)| Ok((code, anonymiser.site(raw, &rows, Some(redactor))?)))
        .collect::<R<_>>()?;
    anonymiser.assemble(parts)
}
