//! Every problem in a study's raw exports, found in one pass:
//! [`check_study`] returns a sorted list of [`model::Diagnostic`]s, each
//! `file:line:column: <field>: expected ..., found ...`.
//!
//! A key design choice: validation is driven by the REDCap data dictionary
//! and the framework, never by field lists written here, and it never stops
//! at the first problem, so a researcher fixes an export once, not once per
//! run. Values of fields flagged `Identifier?` are never quoted: a message
//! says what was expected and that the value is not shown.
//!
//! Like `ingest`, this crate is pure: it takes parsed [`ingest::CsvTable`]s
//! and typed registers, and touches no file.

use std::collections::{HashMap, HashSet};

use ingest::check;
use ingest::tidy::{REPEAT_INSTANCE, REPEAT_INSTRUMENT, SITE_ID, record_id_field, top_fields};
use ingest::{Cell, CsvTable, Field as CellField, Record};
use model::dictionary::redcap::{
    COMPLETE_SUFFIX, DATA_ACCESS_GROUP, EVENT_NAME, SURVEY_IDENTIFIER, TIMESTAMP_SUFFIX,
};
use model::labels::{NOT_RECORDED, STAKEHOLDER_GROUP};
use model::{
    Diagnostic, Dictionary, Field, FieldType, Framework, Group, Labels, Scale, Site, Validation,
    vocab,
};
use rayon::prelude::*;

/// The factor-valued field of the document dictionary.
const EV_FACTOR: &str = ingest::tidy::EV_FACTOR;
/// At most this many choice codes are listed in a message.
const MAX_LISTED: usize = 12;

/// What a header column of an export is.
#[derive(Clone, Copy)]
enum Col<'a> {
    Field(&'a Field),
    /// One choice of a checkbox field: `<field>___<code>`, 0 or 1.
    Checkbox(&'a Field),
    /// `<form>_complete`.
    Complete(&'a str),
    /// `<form>_timestamp` (survey instruments).
    Timestamp(&'a str),
    RepeatInstrument,
    RepeatInstance,
    /// REDCap's own columns that crosscase reads but never publishes.
    Event,
    DataAccessGroup,
    SurveyIdentifier,
    /// Unknown or repeated: already reported, not checked.
    Skip,
}

impl Col<'_> {
    /// REDCap writes these where their instrument is; crosscase reads
    /// them by name, wherever they are.
    fn anywhere(self) -> bool {
        matches!(self, Col::Complete(_) | Col::Timestamp(_))
    }
}

/// The two kinds of export.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Interviews,
    Documents,
}

struct Ctx<'a> {
    dict: &'a Dictionary,
    kind: Kind,
    /// What a "CSV (labels)" export's header holds ([`label_headers`]).
    labels: HashSet<String>,
    /// Expected columns in order: name and what it is.
    expected: Vec<(String, Col<'a>)>,
    site_ids: &'a HashSet<&'a str>,
    sites_list: String,
    rid: &'a str,
    tops: Vec<(u8, &'a str)>,
}

/// The columns of a "CSV (raw data)" export, in REDCap's order: the record
/// id, REDCap's own columns (event, repeat instrument and instance, data
/// access group, survey identifier: each only where the project has them),
/// then the fields, a checkbox field as one column per choice; each
/// instrument's `_timestamp` and `_complete` columns are read wherever they are.
fn expected_columns(dict: &Dictionary) -> Vec<(String, Col<'_>)> {
    let mut cols: Vec<(String, Col)> = Vec::new();
    let rid = record_id_field(dict);
    if let Some(f) = dict.field(rid) {
        cols.push((f.name.clone(), Col::Field(f)));
    }
    cols.push((EVENT_NAME.to_string(), Col::Event));
    cols.push((REPEAT_INSTRUMENT.to_string(), Col::RepeatInstrument));
    cols.push((REPEAT_INSTANCE.to_string(), Col::RepeatInstance));
    cols.push((DATA_ACCESS_GROUP.to_string(), Col::DataAccessGroup));
    cols.push((SURVEY_IDENTIFIER.to_string(), Col::SurveyIdentifier));
    for f in dict.fields.iter().filter(|f| f.name != rid) {
        if f.is_checkbox() {
            for (_, column) in f.checkbox_columns() {
                cols.push((column, Col::Checkbox(f)));
            }
        } else {
            cols.push((f.name.clone(), Col::Field(f)));
        }
    }
    for form in dict.forms() {
        cols.push((format!("{form}{TIMESTAMP_SUFFIX}"), Col::Timestamp(form)));
        cols.push((format!("{form}{COMPLETE_SUFFIX}"), Col::Complete(form)));
    }
    cols
}

/// The headers of REDCap's "CSV (labels)" export for a dictionary: each
/// field's label (`<label> (choice=<choice label>)` for a checkbox choice)
/// and the words REDCap uses for its own columns, lower-cased.
fn label_headers(dict: &Dictionary) -> HashSet<String> {
    let mut labels: HashSet<String> = [
        "Event Name",
        "Repeat Instrument",
        "Repeat Instance",
        "Data Access Group",
        "Survey Identifier",
        "Survey Timestamp",
        "Complete?",
    ]
    .iter()
    .map(|l| l.to_lowercase())
    .collect();
    for f in &dict.fields {
        let label = f.label.trim();
        if f.is_checkbox() {
            labels.extend(
                f.choices
                    .iter()
                    .map(|c| format!("{label} (choice={})", c.label.trim()).to_lowercase()),
            );
        } else if !label.is_empty() {
            labels.insert(label.to_lowercase());
        }
    }
    labels
}

/// If the export is a "CSV (labels)" export (more of its header is the
/// dictionary's labels than its field names), the one problem to report
/// for the whole file.
fn labels_export(table: &CsvTable, ctx: &Ctx) -> Option<Diagnostic> {
    let names: HashSet<&str> = ctx.expected.iter().map(|(n, _)| n.as_str()).collect();
    let (mut as_names, mut as_labels) = (0usize, Vec::new());
    for cell in &table.header {
        if names.contains(cell.text.as_str()) {
            as_names += 1;
        } else if ctx.labels.contains(&cell.text.trim().to_lowercase()) {
            as_labels.push(cell);
        }
    }
    let first = as_labels.first()?;
    if as_labels.len() <= as_names || as_labels.len() * 2 < table.header.len() {
        return None;
    }
    Some(Diagnostic::error(
        &table.path,
        table.header_line(),
        1,
        format!(
            "expected a REDCap \"CSV (raw data)\" export (field names such as `{}` as the header, codes as values), found a \"CSV (labels)\" export: {} of its {} columns are headed by a label of {} (`{}` at column {}); export the data again as \"CSV (raw data)\"",
            ctx.rid,
            as_labels.len(),
            table.header.len(),
            ctx.dict.path,
            first.text.trim(),
            first.column
        ),
    ))
}

fn quoted_list(items: &[&str]) -> String {
    items.join(", ")
}

/// `expected` and the `found` part of a message for a bad value, without
/// quoting an identifier.
fn found(field: &Field, value: &str, expected_core: &str) -> String {
    if field.identifier {
        format!("a value that is not {expected_core} (identifier: not shown)")
    } else {
        format!("`{value}`")
    }
}

fn range_words(min: Option<&str>, max: Option<&str>) -> String {
    match (min, max) {
        (Some(a), Some(b)) => format!(" from {a} to {b}"),
        (Some(a), None) => format!(" of at least {a}"),
        (None, Some(b)) => format!(" of at most {b}"),
        (None, None) => String::new(),
    }
}

/// What a valid value of `field` looks like, if the value is not one.
fn value_problem(field: &Field, v: &str, dict_path: &str) -> Option<String> {
    match field.field_type {
        FieldType::Dropdown | FieldType::Radio => {
            if field.choice(v).is_some() {
                return None;
            }
            let codes: Vec<&str> = field.choices.iter().map(|c| c.code.as_str()).collect();
            Some(if codes.len() <= MAX_LISTED {
                format!("one of the codes {}", quoted_list(&codes))
            } else {
                format!(
                    "one of the {} codes listed for {} in {dict_path}",
                    codes.len(),
                    field.name
                )
            })
        }
        FieldType::YesNo => (v != "0" && v != "1").then(|| "1 (yes) or 0 (no)".to_string()),
        FieldType::TrueFalse => (v != "0" && v != "1").then(|| "1 (true) or 0 (false)".to_string()),
        FieldType::Text => {
            let (min, max) = (field.min.as_deref(), field.max.as_deref());
            match &field.validation {
                Validation::Integer => {
                    let ok = v.parse::<i64>().is_ok_and(|n| {
                        min.and_then(|m| m.parse::<i64>().ok())
                            .is_none_or(|m| n >= m)
                            && max
                                .and_then(|m| m.parse::<i64>().ok())
                                .is_none_or(|m| n <= m)
                    });
                    (!ok).then(|| format!("a whole number{}", range_words(min, max)))
                }
                Validation::Number => {
                    let ok = v.parse::<f64>().is_ok_and(|n| {
                        n.is_finite()
                            && min
                                .and_then(|m| m.parse::<f64>().ok())
                                .is_none_or(|m| n >= m)
                            && max
                                .and_then(|m| m.parse::<f64>().ok())
                                .is_none_or(|m| n <= m)
                    });
                    (!ok).then(|| format!("a number{}", range_words(min, max)))
                }
                d if d.is_date() => {
                    let ok = check::is_real_date(v)
                        && min
                            .filter(|m| check::is_real_date(m))
                            .is_none_or(|m| v >= m)
                        && max
                            .filter(|m| check::is_real_date(m))
                            .is_none_or(|m| v <= m);
                    (!ok).then(|| format!("a real date as YYYY-MM-DD{}", range_words(min, max)))
                }
                Validation::Email => (!check::is_email(v)).then(|| "an email address".to_string()),
                _ => None,
            }
        }
        _ => None,
    }
}

fn err(path: &str, cell: &Cell, message: String) -> Diagnostic {
    Diagnostic::error(path, cell.line, cell.column, message)
}

/// Where a cell read in place is: its position is worked out only when a
/// message needs it.
#[derive(Clone, Copy)]
struct Loc<'a> {
    table: &'a CsvTable,
    record: &'a Record,
    at: usize,
}

impl Loc<'_> {
    fn pos(&self) -> (u32, u32) {
        self.table.position(self.record, self.at)
    }
    fn err(&self, message: String) -> Diagnostic {
        let (line, column) = self.pos();
        Diagnostic::error(&self.table.path, line, column, message)
    }
    fn warning(&self, message: String) -> Diagnostic {
        let (line, column) = self.pos();
        Diagnostic::warning(&self.table.path, line, column, message)
    }
}

fn check_value(
    dict_path: &str,
    field: &Field,
    v: &str,
    loc: Loc,
    required: bool,
    out: &mut Vec<Diagnostic>,
) {
    let name = &field.name;
    if v.is_empty() {
        if required {
            out.push(loc.err(format!(
                "{name}: expected a value (required field), found an empty cell"
            )));
        }
        return;
    }
    if v == "-98" || v == "-99" {
        if required {
            out.push(loc.err(format!(
                "{name}: expected a value (required field), found the missing code `{v}`"
            )));
        }
        return;
    }
    if let Some(expected) = value_problem(field, v, dict_path) {
        let missing = if required {
            ""
        } else {
            " (or -98, -99, empty)"
        };
        out.push(loc.err(format!(
            "{name}: expected {expected}{missing}, found {}",
            found(field, v, &expected)
        )));
    }
}

/// Check the header; returns what each column is.
fn check_header<'a>(table: &CsvTable, ctx: &Ctx<'a>, out: &mut Vec<Diagnostic>) -> Vec<Col<'a>> {
    let path = table.path.as_str();
    let mut plan = Vec::with_capacity(table.header.len());
    let mut seen: HashMap<&str, u32> = HashMap::new();
    let mut last: Option<(usize, &str)> = None;
    for cell in &table.header {
        let name = cell.text.as_str();
        if let Some(first) = seen.get(name) {
            out.push(err(
                path,
                cell,
                format!(
                    "{name}: expected each column once, found it again (first at column {first})"
                ),
            ));
            plan.push(Col::Skip);
            continue;
        }
        seen.insert(name, cell.column);
        match ctx.expected.iter().position(|(n, _)| n == name) {
            None => {
                out.push(err(
                    path,
                    cell,
                    format!("{name}: expected a column named after a field of {}, found an unknown column", ctx.dict.path),
                ));
                plan.push(Col::Skip);
            }
            Some(k) if ctx.expected[k].1.anywhere() => plan.push(ctx.expected[k].1),
            Some(k) => {
                if let Some((lk, lname)) = last
                    && k < lk
                {
                    out.push(err(
                            path,
                            cell,
                            format!("{name}: expected the columns in dictionary order, found it after `{lname}`"),
                        ));
                }
                if last.is_none_or(|(lk, _)| k > lk) {
                    last = Some((k, name));
                }
                plan.push(ctx.expected[k].1);
            }
        }
    }
    for (name, col) in &ctx.expected {
        let needed = match col {
            Col::Field(f) | Col::Checkbox(f) => f.required,
            Col::RepeatInstrument | Col::RepeatInstance => ctx.kind == Kind::Documents,
            _ => false,
        };
        if needed && !seen.contains_key(name.as_str()) {
            out.push(Diagnostic::error(
                path,
                table.header_line(),
                0,
                format!("{name}: expected a column for this required field, found none"),
            ));
        }
    }
    plan
}

/// A record kept for the duplicate check.
struct Seen<'a> {
    table: &'a CsvTable,
    record: &'a Record,
}

fn label_of(key: &Key) -> String {
    if key.1.is_empty() {
        format!("record {}", key.0)
    } else {
        format!("record {} ({} {})", key.0, key.1, key.2)
    }
}

fn compare(first: &Seen, second: &Seen, key: &Key, out: &mut Vec<Diagnostic>) {
    let (mut a_cells, mut b_cells) = (Vec::new(), Vec::new());
    first.table.fields(first.record, &mut a_cells);
    second.table.fields(second.record, &mut b_cells);
    let mut differing: Vec<(&str, &CellField)> = Vec::new();
    for (i, h) in second.table.header.iter().enumerate() {
        let Some(j) = first.table.column(&h.text) else {
            continue;
        };
        let (Some(a), Some(b)) = (a_cells.get(j), b_cells.get(i)) else {
            continue;
        };
        if a.text != b.text {
            differing.push((h.text.as_str(), b));
        }
    }
    let Some((name, cell)) = differing.first() else {
        return;
    };
    let more = match differing.len() - 1 {
        0 => String::new(),
        1 => " and 1 other field".to_string(),
        n => format!(" and {n} other fields"),
    };
    let loc = Loc {
        table: second.table,
        record: second.record,
        at: cell.at,
    };
    out.push(loc.err(format!(
        "{} differs between {}:{} and {}:{} in `{name}`{more}",
        label_of(key),
        first.table.path,
        first.record.line,
        second.table.path,
        second.record.line
    )));
}

fn site_problem(ctx: &Ctx, site: &str) -> Option<String> {
    (!ctx.site_ids.contains(site)).then(|| format!("a site_id of sites.csv ({})", ctx.sites_list))
}

/// A row's key: record id, repeat instrument, repeat instance, event.
type Key = (String, String, String, String);

/// What checking one export found: its problems, and what the checks
/// across files need (record keys in file order, document rows, evidence).
#[derive(Default)]
struct TableCheck<'a> {
    out: Vec<Diagnostic>,
    /// Each row's [`Key`] and the record.
    keys: Vec<(Key, &'a Record)>,
    doc_rows: Vec<String>,
    /// Evidence rows: record id and where its id cell is.
    evidence: Vec<(String, Loc<'a>)>,
    /// Longitudinal exports: record id, event, where the event cell is.
    events: Vec<(String, String, Loc<'a>)>,
    /// Exports with data access groups: site, group, where the group cell is.
    groups: Vec<(String, String, Loc<'a>)>,
}

/// `YYYY-MM-DD HH:MM:SS` with a real date and time, as REDCap writes a
/// survey's timestamp.
fn is_timestamp(v: &str) -> bool {
    let Some((date, time)) = v.split_once(' ') else {
        return false;
    };
    let t = time.as_bytes();
    let two = |i: usize| -> Option<u8> {
        let (a, b) = (*t.get(i)?, *t.get(i + 1)?);
        (a.is_ascii_digit() && b.is_ascii_digit()).then(|| (a - b'0') * 10 + (b - b'0'))
    };
    check::is_real_date(date)
        && t.len() == 8
        && t[2] == b':'
        && t[5] == b':'
        && two(0).is_some_and(|h| h < 24)
        && two(3).is_some_and(|m| m < 60)
        && two(6).is_some_and(|s| s < 60)
}

/// Check one export on its own (exports are checked in parallel).
fn check_table<'a>(table: &'a CsvTable, ctx: &Ctx) -> TableCheck<'a> {
    let mut result = TableCheck::default();
    // A labels export is said once: its every column would be unknown.
    if let Some(d) = labels_export(table, ctx) {
        result.out.push(d);
        return result;
    }
    let out = &mut result.out;
    let path = table.path.as_str();
    let dict_path = ctx.dict.path.as_str();
    let plan = check_header(table, ctx, out);
    let index = |name: &str| table.column(name);
    let rid_col = index(ctx.rid);
    let site_col = index(SITE_ID);
    let inst_col = index(REPEAT_INSTRUMENT);
    let instance_col = index(REPEAT_INSTANCE);
    let event_col = index(EVENT_NAME);
    let group_col = index(DATA_ACCESS_GROUP);
    let forms = ctx.dict.forms();
    let first_form = forms.first().copied().unwrap_or("");
    let tops: Vec<(u8, &str, usize)> = ctx
        .tops
        .iter()
        .filter_map(|(k, name)| Some((*k, *name, index(name)?)))
        .collect();
    let mut cells: Vec<CellField> = Vec::with_capacity(table.header.len());
    for record in &table.records {
        if record.len() != table.header.len() {
            out.push(Diagnostic::error(
                path,
                record.line,
                1,
                ingest::registers::cell_count_message(table.header.len(), record.len()),
            ));
            continue;
        }
        table.fields(record, &mut cells);
        let loc = |c: &CellField| Loc {
            table,
            record,
            at: c.at,
        };
        let cell = |i: Option<usize>| i.and_then(|i| cells.get(i));
        // Which form this row belongs to (documents: repeating instrument).
        let mut row_form = first_form;
        let mut instrument = "";
        let mut instance = "";
        if ctx.kind == Kind::Documents {
            if let Some(c) = cell(inst_col) {
                instrument = c.text.as_ref();
                if !instrument.is_empty() {
                    if forms.iter().skip(1).any(|f| *f == instrument) {
                        row_form = instrument;
                    } else {
                        let repeating: Vec<String> =
                            forms.iter().skip(1).map(|f| format!("`{f}`")).collect();
                        out.push(loc(c).err(format!(
                            "{REPEAT_INSTRUMENT}: expected an empty cell (a document row) or {}, found `{instrument}`",
                            repeating.join(" or ")
                        )));
                        row_form = "";
                    }
                }
            }
            if let Some(c) = cell(instance_col) {
                instance = c.text.as_ref();
                if instrument.is_empty() && !instance.is_empty() {
                    out.push(loc(c).err(format!("{REPEAT_INSTANCE}: expected an empty cell on a document row, found `{instance}`")));
                } else if !instrument.is_empty() && !instance.parse::<u32>().is_ok_and(|n| n >= 1) {
                    out.push(loc(c).err(format!(
                        "{REPEAT_INSTANCE}: expected a whole number from 1 on a `{instrument}` row, found `{instance}`"
                    )));
                }
            }
        } else {
            // The data sheet is one row per interviewee: no repeats.
            for (i, name) in [
                (inst_col, REPEAT_INSTRUMENT),
                (instance_col, REPEAT_INSTANCE),
            ] {
                if let Some(c) = cell(i).filter(|c| !c.text.is_empty()) {
                    out.push(loc(c).err(format!(
                        "{name}: expected an empty cell (the interview data sheet is one row per interviewee, so crosscase reads no repeating instrument or event), found `{}`",
                        c.text
                    )));
                }
            }
        }
        for (i, col) in plan.iter().enumerate() {
            let Some(c) = cells.get(i) else { continue };
            match col {
                Col::Field(f) => {
                    let required = f.required && (f.form == row_form || f.name == ctx.rid);
                    check_value(dict_path, f, c.text.as_ref(), loc(c), required, out);
                }
                // REDCap writes 0 or 1 on a row of the field's instrument.
                Col::Checkbox(f) if f.form == row_form => {
                    let v = c.text.as_ref();
                    if v != "0" && v != "1" {
                        let found = if v.is_empty() {
                            "an empty cell".to_string()
                        } else {
                            found(f, v, "0 or 1")
                        };
                        out.push(loc(c).err(format!(
                            "{}: expected 1 (ticked) or 0 (not ticked), a choice of the checkbox field {}, found {found}",
                            table.header[i].text, f.name
                        )));
                    }
                }
                Col::Timestamp(form) => {
                    let v = c.text.as_ref();
                    if !(v.is_empty() || v == "[not completed]" || is_timestamp(v)) {
                        out.push(loc(c).err(format!(
                            "{form}{TIMESTAMP_SUFFIX}: expected a survey timestamp (`YYYY-MM-DD HH:MM:SS`), `[not completed]` or an empty cell, found a value that is none of these (not shown)"
                        )));
                    }
                }
                Col::Complete(form) => match c.text.as_ref() {
                    "2" | "" => {}
                    v @ ("0" | "1") => {
                        let what = if v == "0" { "incomplete" } else { "unverified" };
                        out.push(loc(c).warning(format!(
                            "{form}_complete: form not complete: expected 2 (complete), found {v} ({what})"
                        )));
                    }
                    v => out.push(loc(c).err(format!(
                        "{form}_complete: expected 0 (incomplete), 1 (unverified) or 2 (complete), found `{v}`"
                    ))),
                },
                _ => {}
            }
        }
        // Site register and record id.
        let rid_cell = cell(rid_col);
        let site_cell = cell(site_col).filter(|c| !check::is_missing(&c.text));
        if let Some(sc) = site_cell
            && let Some(expected) = site_problem(ctx, &sc.text)
        {
            out.push(loc(sc).err(format!(
                "{SITE_ID}: expected {expected}, found `{}`",
                sc.text
            )));
        }
        let record_id = rid_cell.map(|c| c.text.as_ref()).unwrap_or("");
        if let Some(rc) = rid_cell.filter(|c| !c.text.is_empty()) {
            let prefix = match ctx.kind {
                Kind::Interviews => check::interview_site(record_id),
                Kind::Documents => check::document_parts(record_id).map(|(s, _)| s),
            };
            match prefix {
                None => {
                    let shape = match ctx.kind {
                        Kind::Interviews => "the site code, a hyphen and digits (`S03-07`)",
                        Kind::Documents => "the site code, `-D` and digits (`S03-D02`)",
                    };
                    out.push(loc(rc).err(format!("{}: expected {shape}, found `{record_id}`", ctx.rid)));
                }
                Some(prefix) => match site_cell {
                    Some(sc) if sc.text != prefix => out.push(loc(rc).err(format!(
                        "{}: expected a code starting with `{}-` (the site_id of this row), found `{record_id}`",
                        ctx.rid, sc.text
                    ))),
                    Some(_) => {}
                    None => {
                        if let Some(expected) = site_problem(ctx, prefix) {
                            out.push(loc(rc).err(format!("{}: expected a code starting with {expected}, found `{record_id}`", ctx.rid)));
                        }
                    }
                },
            }
        }
        // The top three: different factors, ranked in order.
        let mut picks: Vec<(&str, &str)> = Vec::new();
        let mut gap: Option<&str> = None;
        let mut warned = false;
        for (_, name, i) in &tops {
            let Some(c) = cells.get(*i) else { continue };
            let v = c.text.as_ref();
            if check::is_missing(v) {
                gap.get_or_insert(name);
                continue;
            }
            if let Some((earlier, _)) = picks.iter().find(|(_, p)| *p == v) {
                out.push(loc(c).err(format!(
                    "{name}: expected a factor different from {earlier}, found `{v}` again"
                )));
            }
            if let (Some(empty), false) = (gap, warned) {
                out.push(loc(c).warning(format!(
                    "{name}: expected {empty} to be filled first, found {empty} empty"
                )));
                warned = true;
            }
            picks.push((name, v));
        }
        // Duplicates across and within files: checked in file order after.
        if record_id.is_empty() {
            continue;
        }
        if ctx.kind == Kind::Documents {
            if instrument.is_empty() {
                result.doc_rows.push(record_id.to_string());
            } else if let Some(rc) = rid_cell {
                result.evidence.push((record_id.to_string(), loc(rc)));
            }
        }
        let event = cell(event_col).map(|c| c.text.as_ref()).unwrap_or("");
        if let Some(c) = cell(event_col) {
            result
                .events
                .push((record_id.to_string(), event.to_string(), loc(c)));
        }
        if let Some(c) = cell(group_col) {
            let site = match site_cell {
                Some(sc) => Some(sc.text.as_ref()),
                None => match ctx.kind {
                    Kind::Interviews => check::interview_site(record_id),
                    Kind::Documents => check::document_parts(record_id).map(|(s, _)| s),
                },
            };
            if let Some(site) = site {
                result
                    .groups
                    .push((site.to_string(), c.text.to_string(), loc(c)));
            }
        }
        result.keys.push((
            (
                record_id.to_string(),
                instrument.to_string(),
                instance.to_string(),
                event.to_string(),
            ),
            record,
        ));
    }
    result
}

/// A longitudinal export is read when each record has one event: crosscase
/// reads one data sheet row per interviewee (one document per record).
/// Each record found in a second event is an error, once, naming where.
fn one_event_per_record(checked: &[TableCheck], kind: Kind, out: &mut Vec<Diagnostic>) {
    let mut first: HashMap<&str, (&str, &Loc)> = HashMap::new();
    let mut reported: HashSet<&str> = HashSet::new();
    for (record_id, event, loc) in checked.iter().flat_map(|c| &c.events) {
        match first.get(record_id.as_str()) {
            None => {
                first.insert(record_id, (event, loc));
            }
            Some((e, at)) if *e != event && reported.insert(record_id) => {
                let what = match kind {
                    Kind::Interviews => {
                        "one event per interviewee (one row of the interview data sheet each)"
                    }
                    Kind::Documents => "one event per document",
                };
                out.push(loc.err(format!(
                    "{EVENT_NAME}: expected one event for record `{record_id}`, found `{event}` here and `{e}` at {}:{}: crosscase reads {what}; export the data of one event (REDCap lets an export choose its events)",
                    at.table.path, at.record.line
                )));
            }
            Some(_) => {}
        }
    }
}

/// Data access groups are one per site, as a multi-site project sets them
/// up: a site whose records are in different groups (or some in none) is
/// warned about, once, at its first record in another group. A group's
/// name is never shown: it is often the service's real name.
fn one_group_per_site(checked: &[TableCheck], out: &mut Vec<Diagnostic>) {
    let mut first: HashMap<&str, (&str, &Loc)> = HashMap::new();
    let mut warned: HashSet<&str> = HashSet::new();
    for (site, group, loc) in checked.iter().flat_map(|c| &c.groups) {
        match first.get(site.as_str()) {
            None => {
                first.insert(site, (group, loc));
            }
            Some((g, at)) if *g != group && warned.insert(site) => {
                let found = if group.is_empty() {
                    "a record in no data access group"
                } else {
                    "a record in another data access group"
                };
                out.push(loc.warning(format!(
                    "{DATA_ACCESS_GROUP}: expected every record of site {site} in one data access group (as at {}:{}), found {found} (groups' names are not shown)",
                    at.table.path, at.record.line
                )));
            }
            Some(_) => {}
        }
    }
}

/// Dictionary against framework: every factor has its three fields, every
/// outcome its field, and factor-valued fields offer only framework factors.
fn check_framework(
    dict: &Dictionary,
    doc_dict: &Dictionary,
    framework: &Framework,
    out: &mut Vec<Diagnostic>,
) {
    for f in &framework.factors {
        for prefix in ["pm", "imp", "dir"] {
            let name = format!("{prefix}_{}", f.code);
            if dict.field(&name).is_none() {
                out.push(Diagnostic::error(
                    &dict.path,
                    0,
                    0,
                    format!("{name}: expected a field of the dictionary for the framework factor `{}`, found none", f.code),
                ));
            }
        }
    }
    for o in &framework.outcomes {
        if dict.field(&o.code).is_none() {
            out.push(Diagnostic::error(
                &dict.path,
                0,
                0,
                format!("{}: expected a field of the dictionary for the framework outcome `{}`, found none", o.code, o.code),
            ));
        }
    }
    let factor_fields = top_fields(dict)
        .into_iter()
        .filter_map(|(_, n)| dict.field(n).map(|f| (dict, f)))
        .chain(doc_dict.field(EV_FACTOR).map(|f| (doc_dict, f)));
    for (d, field) in factor_fields {
        for c in &field.choices {
            if framework.factor(&c.code).is_none() {
                out.push(Diagnostic::error(
                    &d.path,
                    field.line,
                    0,
                    format!(
                        "{}: expected choice codes that are factors of the framework, found `{}`",
                        field.name, c.code
                    ),
                ));
            }
        }
    }
}

/// The coded fields whose codes crosscase gives meaning to, with the
/// scale each must define exactly: the stakeholder group, each framework
/// factor's three fields, each outcome's field, and the document status.
fn scaled_fields<'a>(
    dict: &'a Dictionary,
    doc_dict: &'a Dictionary,
    framework: &Framework,
) -> Vec<(&'a Dictionary, &'a Field, &'static Scale)> {
    let mut fields = Vec::new();
    let mut add = |d: &'a Dictionary, name: &str, scale: &'static Scale| {
        if let Some(f) = d.field(name) {
            fields.push((d, f, scale));
        }
    };
    add(dict, STAKEHOLDER_GROUP, &vocab::STAKEHOLDER_GROUPS);
    for f in &framework.factors {
        add(dict, &format!("pm_{}", f.code), &vocab::PATTERN_ANSWERS);
        add(dict, &format!("imp_{}", f.code), &vocab::IMPORTANCE);
        add(dict, &format!("dir_{}", f.code), &vocab::DIRECTIONS);
    }
    for o in &framework.outcomes {
        add(dict, &o.code, &vocab::OUTCOME_ANSWERS);
    }
    add(doc_dict, ingest::tidy::EV_STATUS, &vocab::DOCUMENT_STATUSES);
    fields
}

fn at_choices(d: &Dictionary, field: &Field, message: String) -> Diagnostic {
    Diagnostic::error(&d.path, field.choices_at.0, field.choices_at.1, message)
}

/// The dictionaries against the codes crosscase gives meaning to: each
/// scaled field defines exactly its scale's codes (worded as the study
/// likes); no choice uses a missing-data code; the demographic fields'
/// codes fit their columns and their labels tell categories apart.
fn check_vocabulary(
    dict: &Dictionary,
    doc_dict: &Dictionary,
    framework: &Framework,
    out: &mut Vec<Diagnostic>,
) {
    if dict.field(STAKEHOLDER_GROUP).is_none() {
        out.push(Diagnostic::error(
            &dict.path,
            0,
            0,
            format!(
                "{STAKEHOLDER_GROUP}: expected a field giving {}, coded {}; found none",
                vocab::STAKEHOLDER_GROUPS.name,
                vocab::STAKEHOLDER_GROUPS.describe()
            ),
        ));
    }
    for (d, field, scale) in scaled_fields(dict, doc_dict, framework) {
        let name = &field.name;
        let expected = format!("{}, coded {}", scale.name, scale.describe());
        if !field.is_coded() {
            out.push(at_choices(
                d,
                field,
                format!("{name}: expected a dropdown or radio field with {expected}; found a field without choices"),
            ));
            continue;
        }
        for c in &field.choices {
            let code = c.code.trim().parse::<i64>().ok();
            let known = code.and_then(|n| scale.meaning(n)).is_some();
            let missing = code.is_some_and(|n| vocab::MISSING_CODES.meaning(n).is_some());
            if !known && !missing {
                let which = if *scale == vocab::STAKEHOLDER_GROUPS {
                    format!("a group beyond the five, `{}, {}`", c.code, c.label)
                } else {
                    format!(
                        "`{}, {}`, a code crosscase gives no meaning to",
                        c.code, c.label
                    )
                };
                out.push(at_choices(
                    d,
                    field,
                    format!("{name}: expected exactly {expected}; found {which}"),
                ));
            }
        }
        for (code, meaning) in scale.codes {
            if field.numbered_choice(*code).is_none() {
                out.push(at_choices(
                    d,
                    field,
                    format!("{name}: expected exactly {expected}; found no choice coded {code} ({meaning})"),
                ));
            }
        }
    }
    // A missing-data code is never an answer: crosscase reads it as missing.
    for d in [dict, doc_dict] {
        for field in &d.fields {
            for c in &field.choices {
                if let Some(meaning) = c
                    .code
                    .trim()
                    .parse::<i64>()
                    .ok()
                    .and_then(|n| vocab::MISSING_CODES.meaning(n))
                {
                    out.push(at_choices(
                        d,
                        field,
                        format!(
                            "{}: expected no choice coded {}, since crosscase reads {} as missing data in every field without it being listed; found `{}, {}` (reading it as {meaning})",
                            field.name,
                            c.code.trim(),
                            vocab::MISSING_CODES.describe(),
                            c.code,
                            c.label
                        ),
                    ));
                }
            }
        }
    }
    for name in vocab::DEMOGRAPHIC_FIELDS {
        let Some(field) = dict.field(name) else {
            continue;
        };
        if !field.is_coded() {
            out.push(at_choices(
                dict,
                field,
                format!("{name}: expected a dropdown or radio field (its choices are the demographics table's categories); found a field without choices"),
            ));
            continue;
        }
        let mut seen: Vec<&str> = Vec::new();
        for c in &field.choices {
            if !c.code.trim().parse::<i8>().is_ok_and(|n| n >= 0) {
                out.push(at_choices(
                    dict,
                    field,
                    format!("{name}: expected choice codes that are whole numbers from 0 to 127; found `{}, {}`", c.code, c.label),
                ));
            }
            if c.label.trim() == NOT_RECORDED || seen.contains(&c.label.as_str()) {
                out.push(at_choices(
                    dict,
                    field,
                    format!("{name}: expected a label for each choice that no other choice has, nor `{NOT_RECORDED}` (the demographics table's missing answers); found `{}, {}`", c.code, c.label),
                ));
            }
            seen.push(&c.label);
        }
    }
    // REDCap exports a checkbox choice as a column named from its code:
    // two codes that name one column could not be told apart.
    for field in dict.fields.iter().filter(|f| f.is_checkbox()) {
        let columns = field.checkbox_columns();
        for (k, (choice, column)) in columns.iter().enumerate() {
            if let Some((other, _)) = columns[..k].iter().find(|(_, c)| c == column) {
                out.push(at_choices(
                    dict,
                    field,
                    format!(
                        "{}: expected checkbox choice codes that REDCap exports to different columns, found `{}` and `{}`, both exported as `{column}`",
                        field.name, other.code, choice.code
                    ),
                ));
            }
        }
    }
    // The groups' labels are categories of the demographics table too.
    if let Some(field) = dict.field(STAKEHOLDER_GROUP) {
        let labels = Labels::new(dict, framework);
        let mut seen: Vec<&str> = Vec::new();
        for g in Group::ALL {
            let label = labels.group(g);
            if seen.contains(&label) {
                out.push(at_choices(
                    dict,
                    field,
                    format!("{STAKEHOLDER_GROUP}: expected each stakeholder group to be named apart (here or in framework.toml's [[group]]); found `{label}` for two groups"),
                ));
            }
            seen.push(label);
        }
    }
}

/// Check every raw export against the dictionaries, the framework and the
/// site register. Returns every problem, sorted by file, line and column.
pub fn check_study(
    interviews: &[CsvTable],
    documents: &[CsvTable],
    dict: &Dictionary,
    doc_dict: &Dictionary,
    framework: &Framework,
    sites: &[Site],
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    check_framework(dict, doc_dict, framework, &mut out);
    check_vocabulary(dict, doc_dict, framework, &mut out);
    let site_ids: HashSet<&str> = sites.iter().map(|s| s.site_id.as_str()).collect();
    let mut sorted: Vec<&str> = site_ids.iter().copied().collect();
    sorted.sort();
    let sites_list = if sorted.is_empty() {
        "none listed".to_string()
    } else if sorted.len() <= MAX_LISTED {
        sorted.join(", ")
    } else {
        format!("{} sites", sorted.len())
    };
    for (kind, d, tables) in [
        (Kind::Interviews, dict, interviews),
        (Kind::Documents, doc_dict, documents),
    ] {
        let ctx = Ctx {
            dict: d,
            kind,
            labels: label_headers(d),
            expected: expected_columns(d),
            site_ids: &site_ids,
            sites_list: sites_list.clone(),
            rid: record_id_field(d),
            tops: if kind == Kind::Interviews {
                top_fields(d)
            } else {
                Vec::new()
            },
        };
        let checked: Vec<TableCheck> = tables.par_iter().map(|t| check_table(t, &ctx)).collect();
        let mut seen: HashMap<&Key, Seen> = HashMap::new();
        let mut doc_rows: HashSet<&str> = HashSet::new();
        for (t, c) in tables.iter().zip(&checked) {
            out.extend(c.out.iter().cloned());
            for (key, record) in &c.keys {
                let this = Seen { table: t, record };
                match seen.get(key) {
                    Some(first) => compare(first, &this, key, &mut out),
                    None => {
                        seen.insert(key, this);
                    }
                }
            }
            doc_rows.extend(c.doc_rows.iter().map(String::as_str));
        }
        one_event_per_record(&checked, kind, &mut out);
        one_group_per_site(&checked, &mut out);
        let mut reported = HashSet::new();
        for (record_id, loc) in checked.iter().flat_map(|c| &c.evidence) {
            if !doc_rows.contains(record_id.as_str())
                && check::document_parts(record_id).is_some()
                && reported.insert(record_id.clone())
            {
                out.push(loc.err(format!(
                    "{}: expected a document row for `{record_id}` ({REPEAT_INSTRUMENT} empty), found only repeating rows",
                    ctx.rid
                )));
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests;
