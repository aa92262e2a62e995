//! The notes and verdicts of each site's feedback workshop
//! (`qualitative/workshops/<site_id>.md` and `.csv`, data-schema/LAYOUT.md):
//! read and checked by the study stage, redacted by `anonymise` with the
//! study's redactor into `data/workshop_notes.parquet` and
//! `data/workshop_verdicts.parquet`, shown by the reports.
//!
//! The files are identifying (the notes name the people who were there, the
//! service, its staff): their text stays in memory until it is redacted,
//! and a file is published by its SHA-256, never by its name (a site id,
//! which the leak guard treats as a raw code). The notes are not anyone's
//! account: no withdrawal removes them, and every name in them, a withdrawn
//! participant's too, is redacted. A site whose data has not arrived has
//! no pack and no names in the gazetteer yet: its files are held back (a
//! warning) until its data arrives.
//!
//! Whether each verdict's figure is in the site's pack is known only once
//! the pack can be built: the report stages check it ([`misplaced`]).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use anonymise::{LogEntry, Redactor};
use arrow_array::{ArrayRef, RecordBatch, StringArray, UInt32Array};
use camino::Utf8Path;
use model::{Diagnostic, Site};

use crate::error::PipelineError;
use crate::hash::sha256_hex;

/// Where the files lie in a study folder.
pub const FOLDER: &str = "qualitative/workshops";
/// The private log's field of a workshop's redactions.
pub const LOG_FIELD: &str = "workshop:";
/// What a verdict may say.
pub const VERDICTS: [&str; 3] = ["confirmed", "challenged", "new"];
const COLUMNS: [&str; 3] = ["figure_id", "verdict", "comment"];

/// How published provenance names a workshop file: by its SHA-256.
pub fn published_name(sha256: &str, extension: &str) -> String {
    format!("{FOLDER}/{sha256}.{extension}")
}

/// One site's notes, as read (identifying).
#[derive(Debug, Clone)]
pub struct Notes {
    pub rel: String,
    pub sha256: String,
    pub site_id: String,
    /// Byte order mark removed, line ends LF.
    pub text: String,
}

/// One line of a site's verdicts, as read (identifying).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub line: u32,
    pub figure_id: String,
    /// One of [`VERDICTS`].
    pub verdict: String,
    pub comment: String,
}

/// One site's verdicts file.
#[derive(Debug, Clone)]
pub struct Verdicts {
    pub rel: String,
    pub sha256: String,
    pub site_id: String,
    pub rows: Vec<Verdict>,
}

/// What the study stage found in `qualitative/workshops/`.
#[derive(Debug, Clone, Default)]
pub struct Workshops {
    /// In file-name order.
    pub notes: Vec<Notes>,
    pub verdicts: Vec<Verdicts>,
}

impl Workshops {
    /// `(published path, sha256)` of the files read, for provenance.
    pub fn files(&self) -> Vec<(String, String)> {
        let notes = self
            .notes
            .iter()
            .map(|n| (published_name(&n.sha256, "md"), n.sha256.clone()));
        let verdicts = self
            .verdicts
            .iter()
            .map(|v| (published_name(&v.sha256, "csv"), v.sha256.clone()));
        notes.chain(verdicts).collect()
    }
}

/// The files of the folder (hidden ones left out), sorted by name.
fn listed(dir: &Utf8Path) -> Vec<String> {
    let mut names = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir.join(FOLDER)) {
        for entry in entries.flatten() {
            if let Some(name) = entry.file_name().to_str()
                && !name.starts_with('.')
                && entry.path().is_file()
            {
                names.push(name.to_string());
            }
        }
    }
    names.sort();
    names
}

/// `(published path, sha256)` of every file of the folder, for the study
/// stage's cache key: a new or changed workshop file is new data.
pub fn fingerprint(dir: &Utf8Path) -> Vec<(String, String)> {
    listed(dir)
        .into_iter()
        .map(|name| {
            let hash = std::fs::read(dir.join(FOLDER).join(&name))
                .map(|b| sha256_hex(&b))
                .unwrap_or_default();
            let extension = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
            (published_name(&hash, extension), hash)
        })
        .collect()
}

/// Reads and checks every file of the folder; every problem is pushed onto
/// `diagnostics` (never quoting the notes). A study without the folder has
/// no workshops.
pub fn check(dir: &Utf8Path, sites: &[Site], diagnostics: &mut Vec<Diagnostic>) -> Workshops {
    let mut found = Workshops::default();
    let ids: BTreeSet<&str> = sites.iter().map(|s| s.site_id.as_str()).collect();
    for name in listed(dir) {
        let rel = format!("{FOLDER}/{name}");
        let (stem, extension) = name.rsplit_once('.').unwrap_or((name.as_str(), ""));
        if extension != "md" && extension != "csv" {
            diagnostics.push(Diagnostic::error(
                &rel,
                0,
                0,
                format!(
                    "expected a workshop file named <site_id>.md (notes) or <site_id>.csv (verdicts), found `{name}`"
                ),
            ));
            continue;
        }
        if !ids.contains(stem) {
            diagnostics.push(Diagnostic::error(
                &rel,
                0,
                0,
                format!(
                    "expected a file named after a site_id of sites.csv ({}), found `{stem}`",
                    ids.iter().copied().collect::<Vec<_>>().join(", ")
                ),
            ));
            continue;
        }
        let bytes = match std::fs::read(dir.join(&rel)) {
            Ok(bytes) => bytes,
            Err(e) => {
                diagnostics.push(Diagnostic::error(
                    &rel,
                    0,
                    0,
                    format!("cannot read this file: {e}"),
                ));
                continue;
            }
        };
        let sha256 = sha256_hex(&bytes);
        if extension == "md" {
            if let Some(text) = notes_text(bytes, &rel, diagnostics) {
                found.notes.push(Notes {
                    rel,
                    sha256,
                    site_id: stem.to_string(),
                    text,
                });
            }
        } else if let Some(rows) = verdict_rows(&bytes, &rel, diagnostics) {
            found.verdicts.push(Verdicts {
                rel,
                sha256,
                site_id: stem.to_string(),
                rows,
            });
        }
    }
    found
}

/// The notes as UTF-8 text, byte order mark removed and line ends LF.
fn notes_text(bytes: Vec<u8>, rel: &str, diagnostics: &mut Vec<Diagnostic>) -> Option<String> {
    match String::from_utf8(bytes) {
        Ok(text) => {
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            Some(text.replace("\r\n", "\n").replace('\r', "\n"))
        }
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let text = String::from_utf8_lossy(valid);
            let (line, column) = model::framework::line_col(&text, text.len());
            diagnostics.push(Diagnostic::error(
                rel,
                line,
                column,
                "expected UTF-8 text, found bytes that are not UTF-8",
            ));
            None
        }
    }
}

/// The rows of a verdicts file, or `None` when any is wrong (each problem
/// pushed, with its line and column).
fn verdict_rows(
    bytes: &[u8],
    rel: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Vec<Verdict>> {
    let table = match ingest::read_csv(bytes, rel) {
        Ok(table) => table,
        Err(d) => {
            diagnostics.push(d);
            return None;
        }
    };
    let before = diagnostics.len();
    for cell in &table.header {
        if !COLUMNS.contains(&cell.text.trim()) {
            diagnostics.push(Diagnostic::error(
                rel,
                cell.line,
                cell.column,
                format!(
                    "expected the columns figure_id, verdict and comment, found a column `{}`",
                    cell.text
                ),
            ));
        }
    }
    let column = |name: &str| table.header.iter().position(|c| c.text.trim() == name);
    let (Some(figure), Some(verdict)) = (column("figure_id"), column("verdict")) else {
        diagnostics.push(Diagnostic::error(
            rel,
            table.header_line(),
            1,
            "expected a header with the columns figure_id, verdict and comment",
        ));
        return None;
    };
    let comment = column("comment");
    let mut rows = Vec::new();
    for record in &table.records {
        let cells = table.cells(record);
        let cell = |i: usize| cells.get(i);
        let at = |i: Option<usize>| {
            i.and_then(|i| cells.get(i))
                .map(|c| (c.line, c.column))
                .unwrap_or((record.line, 1))
        };
        let figure_id = cell(figure).map(|c| c.text.trim()).unwrap_or("");
        if figure_id.is_empty() {
            let (line, col) = at(Some(figure));
            diagnostics.push(Diagnostic::error(
                rel,
                line,
                col,
                "expected the figure_id of a finding of the site's pack, found nothing",
            ));
        }
        let said = cell(verdict).map(|c| c.text.trim()).unwrap_or("");
        let known = VERDICTS.iter().find(|v| v.eq_ignore_ascii_case(said));
        if known.is_none() {
            let (line, col) = at(Some(verdict));
            diagnostics.push(Diagnostic::error(
                rel,
                line,
                col,
                format!("expected a verdict of confirmed, challenged or new, found `{said}`"),
            ));
        }
        rows.push(Verdict {
            line: record.line,
            figure_id: figure_id.to_string(),
            verdict: known.copied().unwrap_or_default().to_string(),
            comment: comment
                .and_then(cell)
                .map(|c| c.text.trim().replace("\r\n", "\n"))
                .unwrap_or_default(),
        });
    }
    (diagnostics.len() == before).then_some(rows)
}

/// The redacted tables and the private log's entries.
pub struct Redacted {
    pub notes: RecordBatch,
    pub verdicts: RecordBatch,
    pub log: Vec<LogEntry>,
    /// Files held back: their site's data has not arrived.
    pub held: usize,
}

/// Redacts every workshop file of a site with data, in the register's
/// label order (`sites` maps site id to label, for those with data).
pub fn redact(
    workshops: &Workshops,
    labels: &BTreeMap<String, String>,
    redactor: &Redactor,
) -> Result<Redacted, arrow_schema::ArrowError> {
    let mut log = Vec::new();
    let mut entry = |site: &str, field: String, hits: &[anonymise::Hit]| {
        log.extend(hits.iter().map(|h| LogEntry {
            site: site.to_string(),
            participant: String::new(),
            field: field.clone(),
            kind: h.kind.code().to_string(),
            start: h.start,
            end: h.end,
        }));
    };
    let mut held = 0;
    let mut notes: Vec<(String, String, String)> = Vec::new();
    for n in &workshops.notes {
        let Some(label) = labels.get(&n.site_id) else {
            held += 1;
            continue;
        };
        let redacted = redactor.redact(&n.text);
        entry(label, format!("{LOG_FIELD}notes"), &redacted.hits);
        notes.push((
            label.clone(),
            redacted.text,
            published_name(&n.sha256, "md"),
        ));
    }
    let mut verdicts: Vec<(String, u32, Verdict, String)> = Vec::new();
    for v in &workshops.verdicts {
        let Some(label) = labels.get(&v.site_id) else {
            held += 1;
            continue;
        };
        for row in &v.rows {
            let redacted = redactor.redact(&row.comment);
            entry(
                label,
                format!("{LOG_FIELD}verdicts/{}", row.line),
                &redacted.hits,
            );
            verdicts.push((
                label.clone(),
                row.line,
                Verdict {
                    comment: redacted.text,
                    ..row.clone()
                },
                published_name(&v.sha256, "csv"),
            ));
        }
    }
    notes.sort();
    verdicts.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    let text = |values: Vec<&str>| -> ArrayRef { Arc::new(StringArray::from(values)) };
    let notes_batch = RecordBatch::try_new(
        model::schema::workshop_notes(),
        vec![
            text(notes.iter().map(|n| n.0.as_str()).collect()),
            text(notes.iter().map(|n| n.1.as_str()).collect()),
            text(notes.iter().map(|n| n.2.as_str()).collect()),
        ],
    )?;
    let verdicts_batch = RecordBatch::try_new(
        model::schema::workshop_verdicts(),
        vec![
            text(verdicts.iter().map(|v| v.0.as_str()).collect()),
            text(verdicts.iter().map(|v| v.2.figure_id.as_str()).collect()),
            text(verdicts.iter().map(|v| v.2.verdict.as_str()).collect()),
            text(verdicts.iter().map(|v| v.2.comment.as_str()).collect()),
            text(verdicts.iter().map(|v| v.3.as_str()).collect()),
            Arc::new(verdicts.iter().map(|v| v.1).collect::<UInt32Array>()),
        ],
    )?;
    Ok(Redacted {
        notes: notes_batch,
        verdicts: verdicts_batch,
        log,
        held,
    })
}

/// The warnings for files held back: their site has no data yet.
pub fn held_back(workshops: &Workshops, with_data: &BTreeSet<&str>) -> Vec<Diagnostic> {
    let notes = workshops.notes.iter().map(|n| (&n.rel, &n.site_id));
    let verdicts = workshops.verdicts.iter().map(|v| (&v.rel, &v.site_id));
    notes
        .chain(verdicts)
        .filter(|(_, site)| !with_data.contains(site.as_str()))
        .map(|(rel, site)| {
            Diagnostic::warning(
                rel.as_str(),
                0,
                0,
                format!(
                    "site {site} has no data yet: its workshop file is held back until its data arrives"
                ),
            )
        })
        .collect()
}

/// Verdicts whose figure is not in their site's pack, as errors naming the
/// study's file (`qualitative/workshops/<site_id>.csv`, found by the
/// site's label in `sites`), line and column 1.
pub fn misplaced(missing: &[report::Misplaced], sites: &[Site]) -> Vec<Diagnostic> {
    missing
        .iter()
        .map(|m| {
            let id = sites
                .iter()
                .find(|s| s.label == m.site)
                .map(|s| s.site_id.as_str())
                .unwrap_or("?");
            Diagnostic::error(
                format!("{FOLDER}/{id}.csv"),
                m.line,
                1,
                format!(
                    "expected the figure_id of a finding of {}'s pack, found `{}`",
                    m.site, m.figure_id
                ),
            )
        })
        .collect()
}

/// `crosscase explain workshop/<site label>`: where the notes came from,
/// locally (the study folder's file, named by the last run's study).
pub fn explain(out: &Utf8Path, label: &str) -> Result<String, PipelineError> {
    let path = out.join("data/workshop_notes.parquet");
    let bytes = std::fs::read(&path).map_err(|e| {
        PipelineError::Usage(format!(
            "cannot read {path}: {e}. Run the pipeline first, or give --out DIR"
        ))
    })?;
    let notes = crate::tables::from_parquet(bytes).map_err(|e| PipelineError::io(&path, e))?;
    let column = |name: &str| model::column::text(&notes, name);
    let (Some(site), Some(source), Some(text)) = (column("site"), column("source"), column("text"))
    else {
        return Err(PipelineError::io(&path, "not a workshop notes table"));
    };
    let Some(row) = (0..notes.num_rows()).find(|&i| site.get(i) == Some(label)) else {
        return Err(PipelineError::Usage(format!(
            "no figure `workshop/{label}` in {out}: no workshop notes of a site labelled `{label}` were published"
        )));
    };
    let source = source.get(row).unwrap_or_default();
    let sha256 = source
        .rsplit_once('/')
        .and_then(|(_, f)| f.split_once('.'))
        .map(|(h, _)| h)
        .unwrap_or_default();
    let mut said = format!(
        "figure    workshop/{label}\ntable     data/workshop_notes.parquet, row {}\nvalues    the notes of {label}'s feedback workshop, redacted ({} characters)\nstage     the anonymise stage redacted them with the study's redactor\ninput     {source} (sha256 {})\n",
        row + 1,
        text.get(row).unwrap_or_default().chars().count(),
        &sha256[..sha256.len().min(16)],
    );
    // Locally, the file of the study folder the last run read.
    let local = crate::run::last_run(out).and_then(|(study, _)| {
        let dir = Utf8Path::new(&study);
        listed(dir)
            .into_iter()
            .find(|name| {
                name.ends_with(".md")
                    && std::fs::read(dir.join(FOLDER).join(name))
                        .is_ok_and(|b| sha256_hex(&b) == sha256)
            })
            .map(|name| format!("{study}/{FOLDER}/{name}"))
    });
    match local {
        Some(file) => said.push_str(&format!("file      {file} (local: never published)\n")),
        None => said.push_str(
            "file      not found in the study folder of the last run (changed or removed since)\n",
        ),
    }
    Ok(said)
}
