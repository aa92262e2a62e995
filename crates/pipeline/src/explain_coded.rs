//! `crosscase explain` for the coded transcripts: a project named by its
//! sha256 (as published provenance names it) or a coded selection by its
//! guid. The team runs `explain` locally, so it may print what is never
//! published: the project's file name, found by hashing the `.qdpx` files
//! of the study folder the last run read.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use arrow_array::RecordBatch;
use camino::{Utf8Path, Utf8PathBuf};

use crate::error::PipelineError;
use crate::hash::sha256_hex;
use crate::tables::{cell_text, from_parquet};
use crate::transcripts::{PROJECTS, TABLE};

/// The shortest sha256 prefix taken for a project.
const MIN_PREFIX: usize = 8;

/// The local file names of the projects of the study the last run read,
/// by sha256; hashed the first time one is asked for.
pub(crate) struct ProjectFiles {
    study: Option<Utf8PathBuf>,
    by_hash: Option<HashMap<String, String>>,
}

impl ProjectFiles {
    pub(crate) fn new(out: &Utf8Path) -> ProjectFiles {
        ProjectFiles {
            study: crate::run::last_run(out).map(|(study, _)| Utf8PathBuf::from(study)),
            by_hash: None,
        }
    }

    /// `<study>/qualitative/<file>.qdpx` of the project with this sha256.
    pub(crate) fn file(&mut self, sha256: &str) -> Option<Utf8PathBuf> {
        let study = self.study.as_ref()?;
        let by_hash = self.by_hash.get_or_insert_with(|| {
            crate::study::glob(study, PROJECTS)
                .into_iter()
                .filter_map(|rel| {
                    let bytes = std::fs::read(study.join(&rel)).ok()?;
                    Some((sha256_hex(&bytes), rel))
                })
                .collect()
        });
        by_hash.get(sha256).map(|rel| study.join(rel))
    }

    /// The project as a line of `explain`: its file, or why there is none.
    fn describe(&mut self, sha256: &str) -> String {
        match (self.file(sha256), &self.study) {
            (Some(file), _) => format!("{file} (local only: published outputs name it by sha256)"),
            (None, Some(study)) => format!(
                "no file of {study}/{PROJECTS} (the study the last run read) has this sha256: changed or moved since"
            ),
            (None, None) => "unknown: no run of this output folder is recorded".to_string(),
        }
    }
}

/// The explanation of `what` when it names a project or a selection of
/// `data/coded_segments.parquet`, `None` otherwise (or without the table).
pub(crate) fn explain(out: &Utf8Path, what: &str) -> Result<Option<String>, PipelineError> {
    let path = out.join(format!("data/{TABLE}.parquet"));
    let Ok(bytes) = std::fs::read(&path) else {
        return Ok(None);
    };
    let table = from_parquet(bytes).map_err(|e| PipelineError::io(&path, e))?;
    let cell = |name: &str, row: usize| {
        table
            .column_by_name(name)
            .and_then(|c| cell_text(c.as_ref(), row))
            .unwrap_or_default()
    };
    let wanted = what
        .strip_prefix("qualitative/")
        .and_then(|w| w.strip_suffix(".qdpx"))
        .unwrap_or(what)
        .to_ascii_lowercase();
    let is_hex = wanted.len() >= MIN_PREFIX && wanted.bytes().all(|b| b.is_ascii_hexdigit());
    let mut projects = BTreeSet::new();
    let mut selection_rows = Vec::new();
    for row in 0..table.num_rows() {
        let project = cell("project", row);
        if is_hex && project.starts_with(&wanted) {
            projects.insert(project);
        } else if cell("selection", row) == what {
            selection_rows.push(row);
        }
    }
    let mut files = ProjectFiles::new(out);
    if projects.len() == 1 {
        let sha256 = projects.pop_first().unwrap_or_default();
        return Ok(Some(project(&table, &sha256, &mut files)));
    }
    if projects.len() > 1 {
        return Err(PipelineError::Usage(format!(
            "`{what}` begins the sha256 of {} projects in {path}: give more of it",
            projects.len()
        )));
    }
    if selection_rows.is_empty() {
        return Ok(None);
    }
    let mut text = format!("selection {what}\n");
    let first = selection_rows[0];
    let sha256 = cell("project", first);
    text.push_str(&format!("project   qualitative/{sha256}.qdpx\n"));
    text.push_str(&format!("file      {}\n", files.describe(&sha256)));
    text.push_str(&format!(
        "source    guid {}, {} to {} in {}\n",
        cell("source", first),
        cell("start", first),
        cell("end", first),
        match cell("positions", first).as_str() {
            "utf16" => "UTF-16 code units",
            _ => "code points",
        }
    ));
    text.push_str(&format!(
        "who       {} of {} ({}, group {})\n",
        cell("participant", first),
        cell("site", first),
        cell("sector", first),
        cell("group", first)
    ));
    for &row in &selection_rows {
        text.push_str(&format!(
            "coded     theme {}: {}\n",
            cell("theme", row),
            cell("code", row)
        ));
    }
    let words = cell("text", first);
    if words.is_empty() {
        text.push_str(
            "text      (none: the participant withdrew their words from quotes; the segment is counted)\n",
        );
    } else {
        text.push_str(&format!(
            "text      (redacted, speaker labels replaced) {words}\n"
        ));
    }
    text.push_str(&format!(
        "table     data/{TABLE}.parquet, row{} {}\n",
        if selection_rows.len() == 1 { "" } else { "s" },
        selection_rows
            .iter()
            .map(|r| (r + 1).to_string())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    Ok(Some(text))
}

/// A project: its file, and what its segments hold.
fn project(table: &RecordBatch, sha256: &str, files: &mut ProjectFiles) -> String {
    let cell = |name: &str, row: usize| {
        table
            .column_by_name(name)
            .and_then(|c| cell_text(c.as_ref(), row))
            .unwrap_or_default()
    };
    let rows: Vec<usize> = (0..table.num_rows())
        .filter(|&r| cell("project", r) == sha256)
        .collect();
    let distinct =
        |name: &str| -> BTreeSet<String> { rows.iter().map(|&r| cell(name, r)).collect() };
    let mut themes: BTreeMap<String, usize> = BTreeMap::new();
    for &r in &rows {
        *themes.entry(cell("theme", r)).or_default() += 1;
    }
    let mut text = format!("project   qualitative/{sha256}.qdpx\n");
    text.push_str(&format!("file      {}\n", files.describe(sha256)));
    text.push_str(&format!(
        "segments  {} coded segments of {} participants ({} transcripts) at {} sites; positions in {}\n",
        rows.len(),
        distinct("participant").len(),
        distinct("source").len(),
        distinct("site").len(),
        distinct("positions").into_iter().collect::<Vec<_>>().join(", ")
    ));
    text.push_str(&format!(
        "themes    {}\n",
        themes
            .iter()
            .map(|(theme, n)| format!("{theme} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    text.push_str(&format!(
        "table     data/{TABLE}.parquet, rows where project = \"{sha256}\"\n"
    ));
    text
}
