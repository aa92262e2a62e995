//! Per-site partitions of the `anonymise` stage: when a late site's export
//! arrives, only that site is anonymised again; every other site's clean
//! rows are taken from the previous run's `data/` tables.
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
//! row ranges of each site in the `data/` tables it wrote. Coded
//! transcripts are not site rows: `transcripts` reuses them per project,
//! keeping its keys in the same manifest.

use std::collections::{BTreeMap, BTreeSet};

use anonymise::{Anonymised, Anonymiser, LogEntry, SiteRows};
use arrow_array::{Array, RecordBatch};
use camino::Utf8Path;
use model::{StudyTables, schema};
use serde::{Deserialize, Serialize};

use crate::hash::sha256_hex;

/// The partition manifest, in the output folder's state directory.
pub const MANIFEST_FILE: &str = "partitions.json";

/// The clean tables that hold site partitions, as `data/<name>.parquet`.
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

/// What the last run that anonymised wrote, to decide what can be reused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Hash of what every partition depends on (see [`global_key`]).
    pub global: String,
    /// sha256 of each `data/<table>.parquet` the partitions are in.
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
    /// First row and number of rows in each `data/` table.
    pub rows: BTreeMap<String, [usize; 2]>,
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
    tables: BTreeMap<String, RecordBatch>,
    log: BTreeMap<String, Vec<LogEntry>>,
}

impl Previous {
    /// The manifest must be for the same shared key and (when a log is kept)
    /// the log readable. The `data/` tables are loaded only when some site
    /// turns out reusable ([`Previous::with_tables`]).
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
            tables: BTreeMap::new(),
            log,
        })
    }

    /// The previous `data/` tables, each on disk with the hash the manifest
    /// recorded: `None` (nothing reusable) otherwise.
    pub fn with_tables(mut self, out: &Utf8Path) -> Option<Previous> {
        use rayon::prelude::*;
        // Read, checked and decoded in parallel, one table per task.
        let made: Vec<&str> = self.made.iter().copied().collect();
        let loaded: Vec<Option<(String, RecordBatch)>> = made
            .par_iter()
            .map(|name| {
                let bytes = std::fs::read(out.join(format!("data/{name}.parquet"))).ok()?;
                if self.manifest.tables.get(*name) != Some(&sha256_hex(&bytes)) {
                    return None;
                }
                Some((name.to_string(), crate::tables::from_parquet(bytes).ok()?))
            })
            .collect();
        for table in loaded {
            let (name, batch) = table?;
            self.tables.insert(name, batch);
        }
        Some(self)
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

    /// A reused site's clean rows and log entries, as they were written.
    pub fn part(&self, site: &str, label: &str) -> Option<Anonymised> {
        let entry = self.manifest.sites.get(site)?;
        let slice = |name: &str| -> Option<RecordBatch> {
            if !self.made.contains(name) {
                // Not made by this run (free text nobody reads): empty.
                let empty = StudyTables::empty();
                let (_, batch) = empty.named().into_iter().find(|(n, _)| *n == name)?;
                return Some(batch.clone());
            }
            let [start, len] = *entry.rows.get(name)?;
            let batch = self.tables.get(name)?;
            (start + len <= batch.num_rows()).then(|| batch.slice(start, len))
        };
        let tables = StudyTables {
            sites: RecordBatch::new_empty(schema::sites()),
            participants: slice("participants")?,
            answers: slice("answers")?,
            top3: slice("top3")?,
            outcomes: slice("outcomes")?,
            accounts: slice("accounts")?,
            documents: slice("documents")?,
            evidence: slice("evidence")?,
            checkboxes: slice("checkboxes")?,
            coded_segments: RecordBatch::new_empty(schema::coded_segments()),
            workshop_notes: RecordBatch::new_empty(schema::workshop_notes()),
            workshop_verdicts: RecordBatch::new_empty(schema::workshop_verdicts()),
        };
        // The site's own entries: transcripts and workshops are not site
        // partitions.
        let log = self.log.get(label).into_iter().flatten();
        Some(Anonymised {
            tables,
            log: log
                .filter(|e| {
                    !e.field.starts_with(crate::transcripts::LOG_FIELD)
                        && !e.field.starts_with(crate::workshops::LOG_FIELD)
                })
                .cloned()
                .collect(),
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

/// Rows of each table per site, as the parts will be assembled (in label
/// order), for the next run's manifest.
pub fn row_ranges(
    parts: &[(String, String, &Anonymised)],
) -> BTreeMap<String, BTreeMap<String, [usize; 2]>> {
    let mut ordered: Vec<&(String, String, &Anonymised)> = parts.iter().collect();
    ordered.sort_by(|a, b| a.1.cmp(&b.1));
    let mut next: BTreeMap<&str, usize> = TABLES.iter().map(|t| (*t, 0)).collect();
    let mut out = BTreeMap::new();
    for (site, _, part) in ordered {
        let mut rows = BTreeMap::new();
        for (name, batch) in part.tables.named() {
            if let Some(start) = next.get_mut(name) {
                rows.insert(name.to_string(), [*start, batch.num_rows()]);
                *start += batch.num_rows();
            }
        }
        out.insert(site.clone(), rows);
    }
    out
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
