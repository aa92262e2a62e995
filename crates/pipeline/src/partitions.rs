//! Per-site partitions of the `anonymise` stage: when a late site's export
//! arrives, only that site is anonymised again; every other site keeps its
//! published partition files as they are.
//!
//! The clean tables that hold site rows ([`TABLES`]) are published as
//! Hive-style partitions, one Parquet file per site and table:
//! `data/<table>/site=<label>/part-0.parquet`, the label escaped as Hive
//! escapes a partition value ([`escape_label`]). DuckDB, Polars, Spark and
//! DataFusion read such a folder as one table with a `site` column; the
//! files hold the `site` column too, so a file read alone still says whose
//! rows it holds. A site with data has a file in every one of these tables
//! (with no rows where it has none), so each table's schema is always there.
//!
//! A site's clean rows are a function of: the crosscase version, the stage's
//! settings, the key, the study's fixed files (framework, dictionaries,
//! register, identifiers.csv, study.toml), the site's raw records (file,
//! line and hash of each), its participants' pseudonyms and withdrawals, and
//! the redaction gazetteer. All but the gazetteer go into the site's
//! partition key. The gazetteer holds every participant's name, so a late
//! site adds entries to it; a site's earlier redacted text is still exact if
//! none of the added entries occurs in its raw text (the redactor's
//! candidates are then the same), which is checked with the redactor's own
//! matcher. Any other change to the gazetteer (a name edited or removed)
//! re-anonymises every site. The run's cache keeps only hashes: partition
//! keys, keyed fingerprints of each site's gazetteer entries (HMAC with the
//! study key, so they cannot be checked against a list of names), and the
//! SHA-256 of each partition file a site wrote. Coded transcripts are not
//! site rows: `transcripts` reuses them per project (a project holds up to
//! twenty sites), as one file, keeping its keys in the same manifest.

use std::collections::{BTreeMap, BTreeSet};

use anonymise::{Anonymised, Anonymiser, LogEntry, SiteRows};
use arrow_array::{Array, RecordBatch};
use camino::Utf8Path;
use model::{StudyTables, schema};
use serde::{Deserialize, Serialize};

use crate::hash::sha256_hex;

/// The partition manifest, in the output folder's state directory.
pub const MANIFEST_FILE: &str = "partitions.json";

/// The clean tables that hold site rows, published as partitions
/// (`data/<name>/site=<label>/part-0.parquet`). The site register, the
/// workshops' tables and the coded segments stay one file each
/// (`data/<name>.parquet`): the register is about every site, awaited ones
/// too; the workshop tables are a few rows redacted on every run; the coded
/// segments are reused per transcript project, not per site.
pub const TABLES: [&str; 8] = [
    "participants",
    "answers",
    "top3",
    "outcomes",
    "accounts",
    "documents",
    "evidence",
    "checkboxes",
];

/// Whether a clean table is published as site partitions.
pub fn is_partitioned(table: &str) -> bool {
    TABLES.contains(&table)
}

/// How a clean table is named among the outputs: its folder
/// (`data/answers/`) when partitioned, else its file (`data/sites.parquet`).
pub fn table_rel(table: &str) -> String {
    if is_partitioned(table) {
        format!("data/{table}/")
    } else {
        format!("data/{table}.parquet")
    }
}

/// A site's partition file of a table.
pub fn partition_rel(table: &str, label: &str) -> String {
    format!("data/{table}/site={}/part-0.parquet", escape_label(label))
}

/// The table and site label of a partition file's path, if it is one.
pub fn parse_partition_rel(rel: &str) -> Option<(&str, String)> {
    let rest = rel.strip_prefix("data/")?;
    let (table, rest) = rest.split_once('/')?;
    let escaped = rest
        .strip_prefix("site=")?
        .strip_suffix("/part-0.parquet")?;
    if !is_partitioned(table) || escaped.contains('/') {
        return None;
    }
    Some((table, unescape_label(escaped)?))
}

/// A partition value as Hive writes it in a path (`FileUtils.escapePathName`):
/// the control characters, DEL and `"#%'*/:=?\{[]^` become `%` and two
/// upper-case hex digits; everything else (spaces, letters of any script)
/// stays as it is. DuckDB, Spark and Polars decode `%XX` when they read
/// the partition back.
pub fn escape_label(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    for c in label.chars() {
        if hive_escapes(c) {
            out.push_str(&format!("%{:02X}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

fn hive_escapes(c: char) -> bool {
    c < ' ' || c == '\u{7f}' || "\"#%'*/:=?\\{[]^".contains(c)
}

/// The label of an escaped partition value; `None` if it is not one
/// [`escape_label`] writes.
pub fn unescape_label(escaped: &str) -> Option<String> {
    let mut out = String::with_capacity(escaped.len());
    let mut rest = escaped;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let hex = rest.get(at + 1..at + 3)?;
        let c = char::from(u8::from_str_radix(hex, 16).ok()?);
        if !hive_escapes(c) {
            return None;
        }
        out.push(c);
        rest = &rest[at + 3..];
    }
    out.push_str(rest);
    Some(out)
}

/// The SHA-256 a partitioned table is known by (in `provenance.json`, the
/// stages' cache keys and `explain`): that of its partition files' lines
/// of `outputs.lock` (`<sha256>  <path>\n`, sorted by path). Any file
/// changed, added or removed changes it.
pub fn table_hash<'a>(
    table: &str,
    files: impl IntoIterator<Item = (&'a String, &'a String)>,
) -> String {
    let folder = format!("data/{table}/");
    let mut lines: Vec<String> = files
        .into_iter()
        .filter(|(rel, _)| rel.starts_with(&folder) && parse_partition_rel(rel).is_some())
        .map(|(rel, hash)| format!("{hash}  {rel}\n"))
        .collect();
    lines.sort();
    sha256_hex(lines.concat().as_bytes())
}

/// Every clean table's hash among output hashes, by [`table_rel`]: a
/// partitioned table's by [`table_hash`], another's that of its file.
pub fn clean_hashes(outputs: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut clean: BTreeMap<String, String> = outputs
        .iter()
        .filter(|(rel, _)| rel.starts_with("data/") && rel.ends_with(".parquet"))
        .filter(|(rel, _)| parse_partition_rel(rel).is_none())
        .map(|(rel, hash)| (rel.clone(), hash.clone()))
        .collect();
    for table in TABLES {
        let folder = table_rel(table);
        if outputs.keys().any(|rel| rel.starts_with(&folder)) {
            clean.insert(table_rel(table), table_hash(table, outputs));
        }
    }
    clean
}

/// Whether an output folder's lock lists a site table as one file
/// (`data/answers.parquet`): the layout before partitions.
pub fn old_layout(lock: &BTreeMap<String, String>) -> bool {
    TABLES
        .iter()
        .any(|table| lock.contains_key(&format!("data/{table}.parquet")))
}

/// A published clean table, whole: a partitioned one's files (as
/// `outputs.lock` lists them) read in parallel, keeping only `columns`
/// (all when `None`), joined in label order as `anonymise` assembled them.
pub fn read_table(
    out: &Utf8Path,
    table: &str,
    columns: Option<&[&str]>,
) -> Result<RecordBatch, crate::PipelineError> {
    use rayon::prelude::*;
    let read = |rel: &str| -> Result<RecordBatch, crate::PipelineError> {
        let path = out.join(rel);
        let bytes = std::fs::read(&path).map_err(|e| crate::PipelineError::io(&path, e))?;
        crate::tables::from_parquet_columns(bytes, columns)
            .map_err(|e| crate::PipelineError::io(&path, e))
    };
    if !is_partitioned(table) {
        return read(&format!("data/{table}.parquet"));
    }
    let mut parts: Vec<(String, String)> = crate::output::read_lock(out)
        .into_keys()
        .filter_map(|rel| match parse_partition_rel(&rel) {
            Some((t, label)) if t == table => Some((label, rel)),
            _ => None,
        })
        .collect();
    parts.sort();
    let batches: Vec<RecordBatch> = parts
        .par_iter()
        .map(|(_, rel)| read(rel))
        .collect::<Result<_, _>>()?;
    let schema = match batches.first() {
        Some(first) => first.schema(),
        None => crate::tables::projected_schema(table, columns),
    };
    model::column::concat_batches(&schema, &batches)
        .map_err(|e| crate::PipelineError::io(out.join(table_rel(table)), std::io::Error::other(e)))
}

/// What the last run that anonymised wrote, to decide what can be reused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Hash of what every partition depends on (see [`global_key`]).
    pub global: String,
    /// sha256 of each clean table written as one file
    /// (`data/<table>.parquet`, not partitioned).
    pub tables: BTreeMap<String, String>,
    /// The private anonymisation log the sites' redactions went to, if any.
    pub log: Option<String>,
    /// Keyed fingerprint of the gazetteer entries of each site's participants.
    pub gazetteer: BTreeMap<String, String>,
    /// Each site's partition, by site code.
    pub sites: BTreeMap<String, SiteEntry>,
    /// Each transcript project's key, by its sha256 (`transcripts`).
    #[serde(default)]
    pub projects: BTreeMap<String, String>,
}

/// One site's partition.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteEntry {
    pub key: String,
    /// The label its partition files are named by.
    pub label: String,
    /// The sha256 of its partition file of each table in [`TABLES`].
    pub files: BTreeMap<String, String>,
}

/// The part of every partition key shared by all sites: version, the
/// stage's kind and settings, the key's fingerprint, the clean tables the
/// plan makes (`Plan::clean_tables`: a run of another pipeline, making
/// other tables, reuses nothing) and the study's fixed files except
/// withdrawals (those count per site).
pub fn global_key(
    run: &str,
    canonical: &str,
    key_fingerprint: &str,
    made: &BTreeSet<&str>,
    files: &[(String, String)],
) -> String {
    let made: Vec<&str> = made.iter().copied().collect();
    let mut material = format!(
        "partition v1\n{}\n{run}\n{canonical}\n{key_fingerprint}\n{}\n",
        model::VERSION,
        made.join(",")
    );
    for (path, hash) in files {
        if crate::study::STUDY_FILES.contains(&path.as_str()) && path != "withdrawals.csv" {
            material.push_str(&format!("{hash}  {path}\n"));
        }
    }
    sha256_hex(material.as_bytes())
}

/// A site's partition key: the shared part, the provenance (file, line,
/// hash) of each of its raw records, and its participants' pseudonyms and
/// withdrawals.
pub fn site_key(
    global: &str,
    site: &str,
    raw: &StudyTables,
    rows: &SiteRows,
    anonymiser: &Anonymiser,
) -> String {
    let mut material = format!("{global}\n{site}\n");
    for (batch, idx) in [
        (&raw.participants, &rows.participants),
        (&raw.documents, &rows.documents),
        (&raw.evidence, &rows.evidence),
    ] {
        let text = |name: &str| model::column::text(batch, name);
        let (file, hash) = (text(schema::SOURCE_FILE), text(schema::ROW_HASH));
        let line = batch.column_by_name(schema::SOURCE_LINE).and_then(|c| {
            c.as_any()
                .downcast_ref::<arrow_array::UInt32Array>()
                .cloned()
        });
        let participant = text(schema::PARTICIPANT);
        for &row in idx {
            let cell = |a: &Option<model::column::Text>| {
                a.and_then(|a| a.get(row)).unwrap_or_default().to_string()
            };
            let line = line
                .as_ref()
                .filter(|a| !a.is_null(row))
                .map(|a| a.value(row))
                .unwrap_or(0);
            material.push_str(&format!("{}\t{line}\t{}", cell(&file), cell(&hash)));
            if let Some(id) = participant.and_then(|a| a.get(row)) {
                let pseudonym = anonymiser.pseudonyms().get(id).unwrap_or("");
                let withdrawal = anonymiser
                    .withdrawal(id)
                    .map(|w| format!("{w:?}"))
                    .unwrap_or_default();
                material.push_str(&format!("\t{pseudonym}\t{withdrawal}"));
            }
            material.push('\n');
        }
    }
    sha256_hex(material.as_bytes())
}

/// The previous run's partitions, loaded and checked: `None` when there is
/// nothing that can safely be reused.
pub struct Previous {
    manifest: Manifest,
    /// The tables that hold partitions and that this run makes.
    made: BTreeSet<&'static str>,
    log: BTreeMap<String, Vec<LogEntry>>,
}

/// A reused site's clean rows, read back from its partition files, and
/// those files (path and sha256), which stay published as they are.
pub struct Reused {
    pub part: Anonymised,
    pub files: Vec<(String, String)>,
}

impl Previous {
    /// The manifest must be for the same shared key and (when a log is kept)
    /// the log readable. A site's partition files are read only when that
    /// site is reused ([`Previous::part`]).
    /// `made`: the clean tables this run makes (part of `global`).
    pub fn load(
        state: &Utf8Path,
        global: &str,
        made: &BTreeSet<&str>,
        log: Option<&Utf8Path>,
    ) -> Option<Previous> {
        let text = std::fs::read_to_string(state.join(MANIFEST_FILE)).ok()?;
        let manifest: Manifest = serde_json::from_str(&text).ok()?;
        if manifest.global != global || manifest.log.as_deref() != log.map(|l| l.as_str()) {
            return None;
        }
        let log = match log {
            Some(path) => read_log(path)?,
            None => BTreeMap::new(),
        };
        Some(Previous {
            manifest,
            made: TABLES.into_iter().filter(|t| made.contains(t)).collect(),
            log,
        })
    }

    /// Sites whose partition can be reused as it is: same partition key, and
    /// no gazetteer entry added since that occurs in its raw text. Empty
    /// when an entry may have been changed or removed.
    pub fn reusable(
        &self,
        keys: &BTreeMap<String, String>,
        gazetteer: &BTreeMap<String, String>,
        inputs: &crate::study::StudyInputs,
        identities: &model::Identities,
        raw: &StudyTables,
        split: &BTreeMap<String, SiteRows>,
    ) -> Result<BTreeSet<String>, anonymise::AnonymiseError> {
        let Some(added) = added_sites(&self.manifest.gazetteer, gazetteer) else {
            return Ok(BTreeSet::new());
        };
        let same_key: Vec<&String> = keys
            .iter()
            .filter(|(site, key)| {
                self.manifest
                    .sites
                    .get(*site)
                    .is_some_and(|e| &e.key == *key)
            })
            .map(|(s, _)| s)
            .collect();
        if added.is_empty() {
            return Ok(same_key.into_iter().cloned().collect());
        }
        let scan = anonymise::GazetteerScan::added(
            &inputs.identifiers,
            &inputs.sites,
            identities,
            &added,
        )?;
        let texts = |batch: &RecordBatch, column: &str, idx: &[usize]| -> bool {
            let Some(col) = model::column::text(batch, column) else {
                return true; // unreadable: treat as touched (re-anonymise)
            };
            idx.iter()
                .any(|&row| !col.is_null(row) && scan.occurs_in(col.value(row)))
        };
        use rayon::prelude::*;
        let untouched: Vec<String> = same_key
            .par_iter()
            .filter(|site| {
                let rows = &split[site.as_str()];
                // Only the free text this run makes was redacted.
                let touched = |table: &str, batch: &RecordBatch, column: &str, idx: &[usize]| {
                    self.made.contains(table) && texts(batch, column, idx)
                };
                !touched("accounts", &raw.accounts, "text", &rows.accounts)
                    && !touched("evidence", &raw.evidence, "excerpt", &rows.evidence)
            })
            .map(|s| (*s).clone())
            .collect();
        Ok(untouched.into_iter().collect())
    }

    /// The manifest, as the last run that anonymised wrote it.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Every entry of the private log it wrote (none without one).
    pub fn log_entries(&self) -> impl Iterator<Item = &LogEntry> {
        self.log.values().flatten()
    }

    /// A reused site's clean rows and log entries, as they were written:
    /// its partition files read back, each checked against the sha256 the
    /// manifest recorded. `None` (anonymise it again) when a file is not.
    /// A table this run does not make (free text nobody reads) is empty.
    pub fn part(&self, out: &Utf8Path, site: &str, label: &str) -> Option<Reused> {
        let entry = self.manifest.sites.get(site).filter(|e| e.label == label)?;
        let mut files = Vec::new();
        let mut read = |table: &str| -> Option<RecordBatch> {
            if !self.made.contains(table) {
                return StudyTables::empty_of(table);
            }
            let rel = partition_rel(table, label);
            let hash = entry.files.get(table)?;
            let bytes = std::fs::read(out.join(&rel)).ok()?;
            if &sha256_hex(&bytes) != hash {
                return None;
            }
            files.push((rel, hash.clone()));
            crate::tables::from_parquet(bytes).ok()
        };
        let tables = StudyTables {
            sites: RecordBatch::new_empty(schema::sites()),
            participants: read("participants")?,
            answers: read("answers")?,
            top3: read("top3")?,
            outcomes: read("outcomes")?,
            accounts: read("accounts")?,
            documents: read("documents")?,
            evidence: read("evidence")?,
            checkboxes: read("checkboxes")?,
            coded_segments: RecordBatch::new_empty(schema::coded_segments()),
            workshop_notes: RecordBatch::new_empty(schema::workshop_notes()),
            workshop_verdicts: RecordBatch::new_empty(schema::workshop_verdicts()),
        };
        // The site's own entries: transcripts and workshops are not site
        // partitions.
        let log = self.log.get(label).into_iter().flatten();
        Some(Reused {
            part: Anonymised {
                tables,
                log: log
                    .filter(|e| {
                        !e.field.starts_with(crate::transcripts::LOG_FIELD)
                            && !e.field.starts_with(crate::workshops::LOG_FIELD)
                    })
                    .cloned()
                    .collect(),
            },
            files,
        })
    }
}

/// The sites whose gazetteer entries were added since `before` (keyed
/// fingerprints by site, see `anonymise::gazetteer_fingerprints`); `None`
/// when an earlier site's entries changed or went: then nothing redacted
/// before can be trusted.
pub fn added_sites(
    before: &BTreeMap<String, String>,
    now: &BTreeMap<String, String>,
) -> Option<BTreeSet<String>> {
    if before.iter().any(|(site, fp)| now.get(site) != Some(fp)) {
        return None;
    }
    Some(
        now.keys()
            .filter(|site| !before.contains_key(*site))
            .cloned()
            .collect(),
    )
}

/// The anonymisation log as `crate::key::write_log` writes it, by site label.
fn read_log(path: &Utf8Path) -> Option<BTreeMap<String, Vec<LogEntry>>> {
    let table = ingest::read_csv_owned(std::fs::read(path).ok()?, path.as_str()).ok()?;
    let names: Vec<&str> = table.header.iter().map(|c| c.text.as_str()).collect();
    if names != crate::key::LOG_COLUMNS {
        return None;
    }
    let mut out: BTreeMap<String, Vec<LogEntry>> = BTreeMap::new();
    for record in &table.records {
        let cells = table.cells(record);
        let [site, participant, field, kind, start, end] = cells.as_slice() else {
            return None;
        };
        out.entry(site.text.clone()).or_default().push(LogEntry {
            site: site.text.clone(),
            participant: participant.text.clone(),
            field: field.text.clone(),
            kind: kind.text.clone(),
            start: start.text.parse().ok()?,
            end: end.text.parse().ok()?,
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hive's escape set, and nothing else: spaces and other scripts stay.
    #[test]
    fn labels_are_escaped_as_hive_escapes_partition_values() {
        assert_eq!(escape_label("Site A"), "Site A");
        assert_eq!(escape_label("Zoë / São"), "Zoë %2F São");
        assert_eq!(
            escape_label("a=b%c#d:e?\"'*\\{[]^\t\u{7f}"),
            "a%3Db%25c%23d%3Ae%3F%22%27%2A%5C%7B%5B%5D%5E%09%7F"
        );
        assert_eq!(escape_label("Ліс (North) & co."), "Ліс (North) & co.");
        for label in ["Site A", "Zoë / São", "100% = all", "a%2Fb", "x\ny", "Ліс"] {
            let escaped = escape_label(label);
            assert!(!escaped.contains('/'), "{escaped}");
            assert_eq!(unescape_label(&escaped).as_deref(), Some(label));
            let rel = partition_rel("answers", label);
            assert_eq!(
                parse_partition_rel(&rel),
                Some(("answers", label.to_string()))
            );
        }
        // Not what escape_label writes: not a partition of ours.
        assert_eq!(unescape_label("a%41"), None);
        assert_eq!(unescape_label("a%4"), None);
        assert_eq!(
            parse_partition_rel("data/sites/site=A/part-0.parquet"),
            None
        );
        assert_eq!(parse_partition_rel("data/answers.parquet"), None);
    }

    /// A partitioned table's hash is that of its lines of outputs.lock.
    #[test]
    fn a_partitioned_table_is_hashed_over_its_files_paths_and_hashes() {
        let files: BTreeMap<String, String> = [
            ("data/answers/site=B/part-0.parquet", "bb"),
            ("data/answers/site=A/part-0.parquet", "aa"),
            ("data/top3/site=A/part-0.parquet", "cc"),
            ("data/sites.parquet", "dd"),
        ]
        .into_iter()
        .map(|(r, h)| (r.to_string(), h.to_string()))
        .collect();
        assert_eq!(
            table_hash("answers", &files),
            sha256_hex(
                b"aa  data/answers/site=A/part-0.parquet\nbb  data/answers/site=B/part-0.parquet\n"
            )
        );
        let clean = clean_hashes(&files);
        assert_eq!(
            clean.keys().collect::<Vec<_>>(),
            ["data/answers/", "data/sites.parquet", "data/top3/"]
        );
        assert!(old_layout(
            &[("data/answers.parquet".to_string(), "x".to_string())].into()
        ));
        assert!(!old_layout(&files));
    }
}
