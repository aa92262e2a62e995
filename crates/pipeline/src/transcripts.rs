//! The coded interview transcripts of a study's `qualitative/` folder
//! (data-schema/LAYOUT.md): checked by the study stage, then redacted and
//! cut into `data/coded_segments.parquet` by the `anonymise` stage; both
//! read the projects one at a time, so memory holds one project's text.
//!
//! Privacy, in order: each transcript is redacted whole by the study's
//! redactor, its speaker labels replaced (`[peer worker]:`,
//! `[interviewer]:`), and only then are selections cut from it, each mapped
//! onto the redacted text so that a selection touching a name holds the
//! whole replacement (`anonymise::RedactedTranscript`). A participant
//! withdrawn from everything has no segments; one withdrawn from quotes
//! keeps them, with empty text. A project is published by its SHA-256,
//! never by its file name (file names often hold a coder's name).
//!
//! Reuse: a project's segments depend on its bytes, `codes.csv`, the
//! partition key's shared part (version, settings, the key, the fixed study
//! files), its interviewees' pseudonyms, sites, groups and withdrawals, and
//! the gazetteer. A project whose key is unchanged is taken from the
//! previous `data/coded_segments.parquet` (checked against the hash the
//! manifest recorded), unless a gazetteer entry added since (a late site's
//! names) occurs in one of its published transcripts, found with the
//! redactor's own matcher; any other gazetteer change redacts every
//! project again. So a rerun writes what a run from nothing writes.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Instant;

use anonymise::{Anonymiser, GazetteerScan, LogEntry, RedactedTranscript, Redactor};
use arrow_array::builder::StringBuilder;
use arrow_array::{Array, ArrayRef, RecordBatch, UInt64Array};
use camino::Utf8Path;
use ingest::CsvTable;
use model::column::{Categories, Text};
use model::{Diagnostic, Dictionary, Framework, Group, Labels, Positions, Site, WithdrawalScope};
use qualitative::{CodeThemes, LinkedProject, PositionUnit, Speaker, StudyReader, Turns};

use crate::error::PipelineError;
use crate::hash::sha256_hex;

/// The projects of a study folder.
pub const PROJECTS: &str = "qualitative/*.qdpx";
/// Which code means which theme.
pub const CODES: &str = "qualitative/codes.csv";
/// The private log's field of a transcript's redactions: `transcript:<guid>`.
pub const LOG_FIELD: &str = "transcript:";
/// The published table.
pub const TABLE: &str = "coded_segments";

/// How published provenance names a project: by its SHA-256.
pub fn published_name(sha256: &str) -> String {
    format!("qualitative/{sha256}.qdpx")
}

/// A project the study stage read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectFile {
    /// Relative to the study folder: local messages only.
    pub rel: String,
    pub sha256: String,
    /// The record ids its transcripts are linked to, sorted.
    pub record_ids: Vec<String>,
}

/// What the study stage found in `qualitative/`.
#[derive(Debug, Clone)]
pub struct Qualitative {
    pub themes: CodeThemes,
    /// SHA-256 of `codes.csv`, `None` without one.
    pub codes_sha256: Option<String>,
    /// In file-name order.
    pub projects: Vec<ProjectFile>,
}

impl Default for Qualitative {
    fn default() -> Self {
        Qualitative {
            themes: CodeThemes::none(CODES),
            codes_sha256: None,
            projects: Vec::new(),
        }
    }
}

impl Qualitative {
    /// `(published path, sha256)` of the files read, for provenance.
    pub fn files(&self) -> Vec<(String, String)> {
        let codes = self
            .codes_sha256
            .iter()
            .map(|h| (CODES.to_string(), h.clone()));
        let projects = self
            .projects
            .iter()
            .map(|p| (published_name(&p.sha256), p.sha256.clone()));
        codes.chain(projects).collect()
    }
}

/// `(published path, sha256)` of every file of `qualitative/` that a run
/// reads, for the study stage's cache key: a project under its hash.
pub fn fingerprint(dir: &Utf8Path) -> Vec<(String, String)> {
    let mut files = Vec::new();
    if let Ok(bytes) = std::fs::read(dir.join(CODES)) {
        files.push((CODES.to_string(), sha256_hex(&bytes)));
    }
    for rel in crate::study::glob(dir, PROJECTS) {
        let hash = std::fs::read(dir.join(&rel))
            .map(|b| sha256_hex(&b))
            .unwrap_or_default();
        files.push((published_name(&hash), hash));
    }
    files
}

/// The record ids of the interview exports.
pub fn record_ids(interviews: &[CsvTable], dictionary: &Dictionary) -> Vec<String> {
    let field = ingest::tidy::record_id_field(dictionary);
    let mut ids = Vec::new();
    for table in interviews {
        let Some(column) = table.column(field) else {
            continue;
        };
        for record in &table.records {
            if let Some(id) = table.text(record, column) {
                let id = id.trim();
                if !id.is_empty() {
                    ids.push(id.to_string());
                }
            }
        }
    }
    ids
}

/// Reads `codes.csv` and every project, one at a time, linking transcripts
/// to `record_ids`; every problem is pushed onto `diagnostics`, never
/// quoting transcript text. A study without `qualitative/` has nothing.
pub fn check(
    dir: &Utf8Path,
    framework: &Framework,
    positions: Positions,
    record_ids: &[String],
    diagnostics: &mut Vec<Diagnostic>,
) -> Qualitative {
    let mut found = Qualitative::default();
    let unreadable = |rel: &str, e: std::io::Error| {
        Diagnostic::error(rel, 0, 0, format!("cannot read this file: {e}"))
    };
    match std::fs::read(dir.join(CODES)) {
        Ok(bytes) => {
            found.codes_sha256 = Some(sha256_hex(&bytes));
            match ingest::read_csv(&bytes, CODES) {
                Ok(table) => match CodeThemes::parse(&table, framework) {
                    Ok(themes) => found.themes = themes,
                    Err(problems) => diagnostics.extend(problems),
                },
                Err(d) => diagnostics.push(d),
            }
        }
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            diagnostics.push(unreadable(CODES, e))
        }
        Err(_) => {}
    }
    let rels = crate::study::glob(dir, PROJECTS);
    if rels.is_empty() {
        return found;
    }
    let mut reader = StudyReader::new(positions, record_ids, found.themes.clone());
    for rel in rels {
        let bytes = match std::fs::read(dir.join(&rel)) {
            Ok(bytes) => bytes,
            Err(e) => {
                diagnostics.push(unreadable(&rel, e));
                continue;
            }
        };
        if let Some(linked) = reader.read(&bytes, &rel, diagnostics) {
            let mut record_ids: Vec<String> = (0..linked.project.transcripts.len())
                .filter_map(|i| linked.record_id(i).map(str::to_string))
                .collect();
            record_ids.sort();
            found.projects.push(ProjectFile {
                rel,
                sha256: linked.project.sha256.clone(),
                record_ids,
            });
        }
    }
    reader.finish(diagnostics);
    found
}

/// A transcript's interviewee as the coded segments show them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interviewee {
    pub pseudonym: String,
    /// The site's label.
    pub site: String,
    pub sector: &'static str,
    pub group: &'static str,
    /// What replaces their speaker labels: `[peer worker]:`.
    pub label: String,
    pub withdrawal: Option<WithdrawalScope>,
}

/// Every interviewee of the raw participants table, by record id.
pub fn interviewees(
    participants: &RecordBatch,
    anonymiser: &Anonymiser<'_>,
    sites: &[Site],
    labels: &Labels,
) -> Result<HashMap<String, Interviewee>, String> {
    let column = |name: &str| {
        model::column::text(participants, name)
            .ok_or_else(|| format!("the participants table has no text column `{name}`"))
    };
    let (record, site, group) = (column("participant")?, column("site")?, column("group")?);
    let register: HashMap<&str, &Site> = sites.iter().map(|s| (s.site_id.as_str(), s)).collect();
    let mut out = HashMap::with_capacity(participants.num_rows());
    for row in 0..participants.num_rows() {
        let (Some(id), Some(code), Some(group)) = (record.get(row), site.get(row), group.get(row))
        else {
            continue;
        };
        let (Some(site), Some(group), Some(pseudonym)) = (
            register.get(code),
            Group::from_code(group),
            anonymiser.pseudonyms().get(id),
        ) else {
            return Err(format!(
                "participants row {row}: no site, stakeholder group or pseudonym for a transcript's interviewee"
            ));
        };
        out.insert(
            id.to_string(),
            Interviewee {
                pseudonym: pseudonym.to_string(),
                site: site.label.clone(),
                sector: site.sector.code(),
                group: group.code(),
                label: format!("[{}]:", labels.member(group)),
                withdrawal: anonymiser.withdrawal(id),
            },
        );
    }
    Ok(out)
}

/// What an earlier run that anonymised left for the projects.
#[derive(Debug, Clone, Default)]
pub struct Earlier {
    /// Project sha256 to its key.
    projects: BTreeMap<String, String>,
    /// The sha256 of `data/coded_segments.parquet` it wrote.
    table: Option<String>,
    gazetteer: BTreeMap<String, String>,
    /// Its transcripts' log entries (when a log is kept).
    log: Vec<LogEntry>,
}

impl Earlier {
    pub fn of(previous: &crate::partitions::Previous) -> Earlier {
        let manifest = previous.manifest();
        Earlier {
            projects: manifest.projects.clone(),
            table: manifest.tables.get(TABLE).cloned(),
            gazetteer: manifest.gazetteer.clone(),
            log: previous
                .log_entries()
                .filter(|e| e.field.starts_with(LOG_FIELD))
                .cloned()
                .collect(),
        }
    }
}

/// What the transcripts part of `anonymise` needs.
pub struct Transcripts<'a> {
    pub study: &'a Utf8Path,
    pub out: &'a Utf8Path,
    pub qualitative: &'a Qualitative,
    pub positions: Positions,
    pub who: &'a HashMap<String, Interviewee>,
    /// The partition key's shared part.
    pub global: &'a str,
    /// Keyed fingerprints of each site's gazetteer entries, now.
    pub gazetteer: &'a BTreeMap<String, String>,
    pub earlier: Option<Earlier>,
    /// Finds the gazetteer entries of the given sites (those added since).
    pub scan: &'a (dyn Fn(&BTreeSet<String>) -> Result<GazetteerScan, PipelineError> + Sync),
    /// The study's redactor, built the first time a transcript needs it.
    pub redactor: &'a (dyn Fn() -> Result<Arc<Redactor>, PipelineError> + Sync),
}

/// The coded segments table and what the run keeps of it.
#[derive(Debug)]
pub struct Made {
    pub table: RecordBatch,
    /// The transcripts' redactions, for the private log.
    pub log: Vec<LogEntry>,
    /// Each project's key, by sha256, for the next run.
    pub projects: BTreeMap<String, String>,
    pub redacted: usize,
    pub reused: usize,
    pub seconds: f64,
}

/// One row of the table; repeated text by its id in [`Names`].
struct Row {
    site: u32,
    participant: u32,
    sector: u32,
    group: u32,
    theme: u32,
    code: u32,
    project: u32,
    source: u32,
    positions: u32,
    selection: String,
    start: u64,
    end: u64,
    text: String,
}

/// Repeated text of the rows, each stored once.
#[derive(Default)]
struct Names {
    all: Vec<String>,
    ids: HashMap<String, u32>,
}

impl Names {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.all.len() as u32;
        self.all.push(s.to_string());
        self.ids.insert(s.to_string(), id);
        id
    }
    fn get(&self, id: u32) -> &str {
        &self.all[id as usize]
    }
}

/// A row with its repeated text as text, before it is interned.
struct Cut<'a> {
    who: &'a Interviewee,
    theme: &'a str,
    code: &'a str,
    source: &'a str,
    selection: &'a str,
    start: u64,
    end: u64,
    text: String,
}

fn unit_name(unit: PositionUnit) -> &'static str {
    match unit {
        PositionUnit::Utf16 => "utf16",
        PositionUnit::CodePoints => "codepoints",
    }
}

impl Transcripts<'_> {
    /// Reads, redacts and cuts every project (or takes it from the previous
    /// run), one at a time; the rows in the documented order.
    pub fn run(self) -> Result<Made, PipelineError> {
        let started = Instant::now();
        let mut names = Names::default();
        let mut rows: Vec<Row> = Vec::new();
        let mut log: Vec<LogEntry> = Vec::new();
        let mut keys = BTreeMap::new();
        let (mut redacted, mut reused) = (0, 0);
        // Reuse needs the earlier gazetteer unchanged but for added sites.
        let earlier = self.earlier.as_ref().and_then(|e| {
            let added = crate::partitions::added_sites(&e.gazetteer, self.gazetteer)?;
            Some((e, added))
        });
        let mut previous: Option<Option<Previous>> = None;
        let mut scan: Option<GazetteerScan> = None;
        let mut reader = StudyReader::new(
            self.positions,
            self.who.keys(),
            self.qualitative.themes.clone(),
        );
        for project in &self.qualitative.projects {
            let key = self.key(project);
            keys.insert(project.sha256.clone(), key.clone());
            let mut linked = None;
            if let Some((earlier, added)) = &earlier
                && earlier.projects.get(&project.sha256) == Some(&key)
                && previous
                    .get_or_insert_with(|| Previous::load(self.out, earlier.table.as_deref()))
                    .is_some()
            {
                let touched = if added.is_empty() {
                    false
                } else {
                    if scan.is_none() {
                        scan = Some((self.scan)(added)?);
                    }
                    let read = self.read(&mut reader, project)?;
                    let touched = scan.as_ref().is_some_and(|scan| self.touched(&read, scan));
                    linked = Some(read);
                    touched
                };
                if !touched && let Some(Some(previous)) = &previous {
                    previous.take(&project.sha256, &mut names, &mut rows);
                    let published: BTreeSet<&str> = self.published(project);
                    log.extend(
                        earlier
                            .log
                            .iter()
                            .filter(|e| published.contains(e.participant.as_str()))
                            .cloned(),
                    );
                    reused += 1;
                    continue;
                }
            }
            let linked = match linked {
                Some(linked) => linked,
                None => self.read(&mut reader, project)?,
            };
            let (cuts, entries) = self.cut(&linked)?;
            let project_id = names.id(&project.sha256);
            let unit = names.id(unit_name(linked.project.positions));
            for c in cuts {
                rows.push(Row {
                    site: names.id(&c.who.site),
                    participant: names.id(&c.who.pseudonym),
                    sector: names.id(c.who.sector),
                    group: names.id(c.who.group),
                    theme: names.id(c.theme),
                    code: names.id(c.code),
                    project: project_id,
                    source: names.id(c.source),
                    positions: unit,
                    selection: c.selection.to_string(),
                    start: c.start,
                    end: c.end,
                    text: c.text,
                });
            }
            log.extend(entries);
            redacted += 1;
        }
        rows.sort_by(|a, b| {
            let n = |id| names.get(id);
            (n(a.site), n(a.participant), a.start, a.end, &a.selection)
                .cmp(&(n(b.site), n(b.participant), b.start, b.end, &b.selection))
                .then_with(|| {
                    (n(a.code), n(a.theme), &a.text).cmp(&(n(b.code), n(b.theme), &b.text))
                })
        });
        log.sort_by(|a, b| {
            (&a.site, &a.participant, &a.field, a.start, a.end, &a.kind).cmp(&(
                &b.site,
                &b.participant,
                &b.field,
                b.start,
                b.end,
                &b.kind,
            ))
        });
        let table = batch(&names, &rows).map_err(|e| self.error(e.to_string()))?;
        Ok(Made {
            table,
            log,
            projects: keys,
            redacted,
            reused,
            seconds: started.elapsed().as_secs_f64(),
        })
    }

    fn error(&self, message: String) -> PipelineError {
        PipelineError::Stage {
            stage: "anonymise".into(),
            message: format!("coded transcripts: {message}"),
        }
    }

    /// What a project's segments depend on besides the shared part of the
    /// partition key: its bytes, `codes.csv`, and who its interviewees are.
    fn key(&self, project: &ProjectFile) -> String {
        let mut material = format!(
            "transcripts v1\n{}\n{}\n{}\n",
            self.global,
            self.qualitative.codes_sha256.as_deref().unwrap_or(""),
            project.sha256
        );
        for id in &project.record_ids {
            if let Some(who) = self.who.get(id) {
                material.push_str(&format!(
                    "{}\t{}\t{}\t{}\t{:?}\n",
                    who.pseudonym, who.site, who.sector, who.group, who.withdrawal
                ));
            }
        }
        sha256_hex(material.as_bytes())
    }

    /// The pseudonyms of a project's interviewees whose words are published.
    fn published(&self, project: &ProjectFile) -> BTreeSet<&str> {
        project
            .record_ids
            .iter()
            .filter_map(|id| self.who.get(id))
            .filter(|who| who.withdrawal.is_none())
            .map(|who| who.pseudonym.as_str())
            .collect()
    }

    /// Reads a project again (the study stage checked it): it must be the
    /// file the study stage read, and read without error.
    fn read(
        &self,
        reader: &mut StudyReader,
        project: &ProjectFile,
    ) -> Result<LinkedProject, PipelineError> {
        let path = self.study.join(&project.rel);
        let bytes = std::fs::read(&path).map_err(|e| PipelineError::io(&path, e))?;
        let mut diagnostics = Vec::new();
        let linked = reader.read(&bytes, &project.rel, &mut diagnostics);
        diagnostics.retain(Diagnostic::is_error);
        match linked {
            Some(linked) if diagnostics.is_empty() && linked.project.sha256 == project.sha256 => {
                Ok(linked)
            }
            _ if !diagnostics.is_empty() => Err(PipelineError::Data(diagnostics)),
            _ => Err(PipelineError::Data(vec![Diagnostic::error(
                &project.rel,
                0,
                0,
                "expected the project the run checked at its start, found the file changed since: run again",
            )])),
        }
    }

    /// Whether an added gazetteer entry occurs in a published transcript.
    fn touched(&self, linked: &LinkedProject, scan: &GazetteerScan) -> bool {
        use rayon::prelude::*;
        let transcripts = &linked.project.transcripts;
        (0..transcripts.len()).into_par_iter().any(|i| {
            let published = linked
                .record_id(i)
                .and_then(|id| self.who.get(id))
                .is_some_and(|who| who.withdrawal.is_none());
            published && scan.occurs_in(&transcripts[i].text)
        })
    }

    /// Every themed segment of a project's linked transcripts, cut from
    /// the redacted transcript; transcripts in parallel.
    #[allow(clippy::type_complexity)]
    fn cut<'p>(
        &'p self,
        linked: &'p LinkedProject,
    ) -> Result<(Vec<Cut<'p>>, Vec<LogEntry>), PipelineError> {
        use rayon::prelude::*;
        let project = &linked.project;
        let needs_redactor = (0..project.transcripts.len()).any(|i| {
            linked.segments_of(i).next().is_some()
                && linked
                    .record_id(i)
                    .and_then(|id| self.who.get(id))
                    .is_some_and(|who| who.withdrawal.is_none())
        });
        let redactor = if needs_redactor {
            Some((self.redactor)()?)
        } else {
            None
        };
        let parts: Vec<(Vec<Cut<'p>>, Vec<LogEntry>)> = (0..project.transcripts.len())
            .into_par_iter()
            .map(|i| {
                let segments: Vec<_> = linked.segments_of(i).collect();
                let Some(first) = segments.first() else {
                    return Ok((Vec::new(), Vec::new()));
                };
                let who = self.who.get(first.record_id).ok_or_else(|| {
                    self.error(format!(
                        "{} of `{}` is linked to a record the participants table lacks",
                        project.transcripts[i].describe(),
                        project.file
                    ))
                })?;
                let transcript = &project.transcripts[i];
                let redacted = match (who.withdrawal, &redactor) {
                    (Some(WithdrawalScope::All), _) => return Ok((Vec::new(), Vec::new())),
                    (Some(WithdrawalScope::Quotes), _) => None,
                    (None, Some(redactor)) => Some(RedactedTranscript::new(
                        redactor,
                        &transcript.text,
                        &labels(transcript, who),
                    )),
                    (None, None) => return Err(self.error("no redactor".into())),
                };
                let cuts = segments
                    .iter()
                    .map(|s| {
                        let selection = s.segment.selection;
                        Cut {
                            who,
                            theme: s.theme,
                            code: &s.segment.code.path,
                            source: transcript.guid.as_str(),
                            selection: selection.guid.as_str(),
                            start: selection.start,
                            end: selection.end,
                            text: redacted
                                .as_ref()
                                .map(|r| r.cut(selection.bytes.clone()).to_string())
                                .unwrap_or_default(),
                        }
                    })
                    .collect();
                let entries = redacted
                    .iter()
                    .flat_map(|r| &r.hits)
                    .map(|h| LogEntry {
                        site: who.site.clone(),
                        participant: who.pseudonym.clone(),
                        field: format!("{LOG_FIELD}{}", transcript.guid),
                        kind: h.kind.code().to_string(),
                        start: h.start,
                        end: h.end,
                    })
                    .collect();
                Ok((cuts, entries))
            })
            .collect::<Result<_, PipelineError>>()?;
        let mut cuts = Vec::new();
        let mut entries = Vec::new();
        for (c, e) in parts {
            cuts.extend(c);
            entries.extend(e);
        }
        Ok((cuts, entries))
    }
}

/// What replaces each speaker label of a transcript: the interviewer's
/// `[interviewer]:`, everyone else's the interviewee's group.
fn labels(
    transcript: &qualitative::Transcript,
    who: &Interviewee,
) -> Vec<(std::ops::Range<usize>, String)> {
    Turns::find(&transcript.text)
        .all()
        .iter()
        .map(|turn| {
            let with = match turn.speaker {
                Speaker::Interviewer => "[interviewer]:".to_string(),
                Speaker::Interviewee => who.label.clone(),
            };
            (turn.label.clone(), with)
        })
        .collect()
}

/// The previous run's table, its rows by project.
struct Previous {
    batch: RecordBatch,
    rows: HashMap<String, Vec<usize>>,
}

/// The columns of the table, in order, and whether each is categorical.
const TEXT_COLUMNS: [&str; 11] = [
    "participant",
    "site",
    "sector",
    "group",
    "theme",
    "code",
    "text",
    "project",
    "source",
    "selection",
    "positions",
];

impl Previous {
    /// `data/coded_segments.parquet` as the manifest recorded it, or `None`.
    fn load(out: &Utf8Path, sha256: Option<&str>) -> Option<Previous> {
        let bytes = std::fs::read(out.join(format!("data/{TABLE}.parquet"))).ok()?;
        if Some(sha256_hex(&bytes).as_str()) != sha256 {
            return None;
        }
        let batch = crate::tables::from_parquet(bytes).ok()?;
        let expected = model::schema::coded_segments();
        let same = batch.schema().fields().len() == expected.fields().len()
            && batch
                .schema()
                .fields()
                .iter()
                .zip(expected.fields())
                .all(|(a, b)| a.name() == b.name() && a.data_type() == b.data_type());
        if !same {
            return None;
        }
        let project = model::column::text(&batch, "project")?;
        let mut rows: HashMap<String, Vec<usize>> = HashMap::new();
        for row in 0..batch.num_rows() {
            rows.entry(project.get(row)?.to_string())
                .or_default()
                .push(row);
        }
        Some(Previous { batch, rows })
    }

    /// A reused project's rows, as they were written.
    fn take(&self, sha256: &str, names: &mut Names, out: &mut Vec<Row>) {
        let Some(rows) = self.rows.get(sha256) else {
            return;
        };
        let text = |name: &str| model::column::text(&self.batch, name);
        let columns: Vec<Option<Text<'_>>> = TEXT_COLUMNS.iter().map(|c| text(c)).collect();
        let number = |name: &str| {
            self.batch
                .column_by_name(name)
                .and_then(|c| c.as_any().downcast_ref::<UInt64Array>())
        };
        let (start, end) = (number("start"), number("end"));
        for &row in rows {
            let cell = |i: usize| {
                columns[i]
                    .and_then(|c| c.get(row))
                    .unwrap_or_default()
                    .to_string()
            };
            let at = |a: Option<&UInt64Array>| a.map(|a| a.value(row)).unwrap_or(0);
            out.push(Row {
                participant: names.id(&cell(0)),
                site: names.id(&cell(1)),
                sector: names.id(&cell(2)),
                group: names.id(&cell(3)),
                theme: names.id(&cell(4)),
                code: names.id(&cell(5)),
                text: cell(6),
                project: names.id(&cell(7)),
                source: names.id(&cell(8)),
                selection: cell(9),
                positions: names.id(&cell(10)),
                start: at(start),
                end: at(end),
            });
        }
    }
}

/// The rows as the table `model::schema::coded_segments`.
fn batch(names: &Names, rows: &[Row]) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let category = |pick: fn(&Row) -> u32| -> ArrayRef {
        let mut c = Categories::new();
        for row in rows {
            c.append(names.get(pick(row)));
        }
        c.finish()
    };
    let plain = |pick: fn(&Row) -> &str| -> ArrayRef {
        let bytes = rows.iter().map(|r| pick(r).len()).sum();
        let mut b = StringBuilder::with_capacity(rows.len(), bytes);
        for row in rows {
            b.append_value(pick(row));
        }
        Arc::new(b.finish())
    };
    let number = |pick: fn(&Row) -> u64| -> ArrayRef {
        Arc::new(rows.iter().map(pick).collect::<UInt64Array>())
    };
    RecordBatch::try_new(
        model::schema::coded_segments(),
        vec![
            category(|r| r.participant),
            category(|r| r.site),
            category(|r| r.sector),
            category(|r| r.group),
            category(|r| r.theme),
            category(|r| r.code),
            plain(|r| &r.text),
            category(|r| r.project),
            category(|r| r.source),
            plain(|r| &r.selection),
            number(|r| r.start),
            number(|r| r.end),
            category(|r| r.positions),
        ],
    )
}
