//! The run engine: stages in the order the pipeline file gives them, each
//! reading the artifacts of the stages it names in `from`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use arrow_array::RecordBatch;
use camino::{Utf8Path, Utf8PathBuf};

use model::{Diagnostic, Framework, Identities, Labels, StudyConfig, StudyTables};

use crate::error::PipelineError;
use crate::kinds::Makes;
use crate::output::{STATE_DIR, Staging};
use crate::plan::{Plan, Stage};
use crate::rocrate::StageFiles;
use crate::settings::{RatingsKind, RatingsSettings, StageSettings};
use crate::study::StudyInputs;
use crate::tables::{to_csv, to_parquet};

/// Where a run reads and writes, and how it reports progress.
pub struct RunOptions<'a> {
    pub study: Utf8PathBuf,
    pub out: Utf8PathBuf,
    /// One line per stage as it finishes (`[3/18] ratings_summary ... done`).
    pub progress: &'a mut dyn FnMut(&str),
}

/// What a finished run did.
#[derive(Debug, Clone, Default)]
pub struct RunSummary {
    pub out: Utf8PathBuf,
    /// Warnings that did not stop the run (incomplete forms).
    pub warnings: Vec<Diagnostic>,
    /// Published outputs, relative to the output folder.
    pub outputs: Vec<String>,
    pub sites_with_data: Vec<String>,
    pub sites_awaited: Vec<String>,
    /// Nothing had changed: no stage ran, nothing was written.
    pub unchanged: bool,
    /// Published files edited, or removed, since the last run published
    /// them: their stages ran again.
    pub edited: Vec<String>,
    pub removed: Vec<String>,
    /// Figures changed, appeared or disappeared since the previous run.
    pub changes: usize,
    /// Those changes, as text (also kept for `crosscase diff`).
    pub diff: String,
    /// What the stage that just ran has to say beyond its time.
    pub(crate) stage_note: Option<String>,
    /// The anonymise stage's partitions, written to the state folder when
    /// the run publishes.
    pub(crate) partitions: Option<crate::partitions::Manifest>,
    /// Parts of the stage that just ran, timed on their own (the run
    /// ledger's `parts`: a benchmark reads them).
    pub(crate) stage_parts: Vec<StagePart>,
}

/// A part of a stage, as the run ledger records it.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub(crate) struct StagePart {
    pub part: String,
    pub seconds: f64,
    /// Resident memory when it began and the process's peak when it ended.
    pub resident_mib: Option<f64>,
    pub peak_mib: Option<f64>,
}

/// What the study stage hands on: identifying, memory only.
struct RawStudy {
    inputs: StudyInputs,
    tables: StudyTables,
    identities: Identities,
}

impl RawStudy {
    /// Drop what only `anonymise` reads: the raw tables and the exports.
    fn release_tables(&mut self) {
        self.tables = StudyTables::empty();
        self.inputs.interviews = Vec::new();
        self.inputs.documents = Vec::new();
    }
}

/// The study's settings that analyses need, and its de-identified tables.
struct CleanStudy {
    config: StudyConfig,
    framework: Framework,
    labels: Labels,
    tables: StudyTables,
}

enum Artifact {
    Raw(Box<RawStudy>),
    Clean(Box<CleanStudy>),
    Table(RecordBatch),
    Report,
    Guard,
    /// Unchanged since the last run; loaded from its outputs if needed.
    Skipped,
}

/// Read and validate a study folder without running anything else.
pub fn validate_study(dir: &Utf8Path) -> Result<Vec<Diagnostic>, PipelineError> {
    let mut inputs = crate::study::load(dir, &Default::default())?;
    let diagnostics = check(&mut inputs);
    if diagnostics.iter().any(Diagnostic::is_error) {
        Err(PipelineError::Data(diagnostics))
    } else {
        Ok(diagnostics)
    }
}

/// Every problem of the study in one pass: the exports, the coded
/// transcripts (read one project at a time, what was found kept in
/// `inputs.qualitative`) and the workshops' notes and verdicts.
fn check(inputs: &mut StudyInputs) -> Vec<Diagnostic> {
    let mut diagnostics = validate::check_study(
        &inputs.interviews,
        &inputs.documents,
        &inputs.interview_dictionary,
        &inputs.document_dictionary,
        &inputs.framework,
        &inputs.sites,
    );
    let record_ids =
        crate::transcripts::record_ids(&inputs.interviews, &inputs.interview_dictionary);
    inputs.qualitative = crate::transcripts::check(
        &inputs.dir,
        &inputs.framework,
        inputs.config.qualitative.positions,
        &record_ids,
        &mut diagnostics,
    );
    inputs.files.extend(inputs.qualitative.files());
    inputs.workshops = crate::workshops::check(&inputs.dir, &inputs.sites, &mut diagnostics);
    inputs.files.extend(inputs.workshops.files());
    inputs.files.sort();
    diagnostics.sort();
    // About every output rather than one row: first, where a run shows it.
    if let Some(warning) = crate::rocrate::publication_warning(&inputs.config.publication) {
        diagnostics.insert(0, warning);
    }
    diagnostics
}

/// The cache record of one stage: its key and the outputs it published.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct CacheEntry {
    pub key: String,
    pub outputs: BTreeMap<String, String>,
}

const CACHE_FILE: &str = "cache.json";
/// The study files the last published run read, `(path, sha256)`.
const STUDY_FILES_FILE: &str = "study-files.json";
const DIFF_FILE: &str = "last-diff.txt";
const LEDGER_FILE: &str = "runs.jsonl";

fn read_cache(out: &Utf8Path) -> BTreeMap<String, CacheEntry> {
    std::fs::read_to_string(out.join(STATE_DIR).join(CACHE_FILE))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

/// The study files whose words every stage after `anonymise` reads beside
/// the clean tables: the settings, the framework and the labels.
const VOCABULARY: [&str; 4] = [
    "study.toml",
    "framework.toml",
    "redcap/interview_dictionary.csv",
    "redcap/document_dictionary.csv",
];

/// Every stage's cache key: a hash of its kind, canonical settings, the
/// crosscase version and the keys of what it reads. The study stage's key is
/// made of the hashes of every study file; `anonymise` adds a fingerprint of
/// the key (never the key itself).
///
/// A stage that reads an `anonymise` stage's clean tables depends on their
/// bytes, not on how they were made: given `clean` (`data/<table>/` or
/// `data/<table>.parquet` to its sha256, `partitions::clean_hashes`), that input's part of its key is the hashes of the clean
/// tables its kind reads (`Kind::reads`) and of the [`VOCABULARY`] files.
/// So new data that changes some clean tables (a workshop file changes the
/// workshop tables only) reruns only the stages that read them.
pub fn stage_keys(
    plan: &Plan,
    study_files: &[(String, String)],
    key_fingerprint: &str,
    clean: Option<&BTreeMap<String, String>>,
) -> BTreeMap<String, String> {
    let mut keys: BTreeMap<String, String> = BTreeMap::new();
    let anonymises = |id: &str| {
        plan.stages
            .iter()
            .any(|s| s.id == id && matches!(s.settings, StageSettings::Anonymise(_)))
    };
    for stage in &plan.stages {
        let mut material = format!(
            "{}\n{}\n{}\n{}\n",
            model::VERSION,
            stage.run,
            stage.canonical,
            stage.from.join(",")
        );
        for from in &stage.from {
            match clean.filter(|_| anonymises(from)) {
                Some(clean) => {
                    material.push_str("clean tables\n");
                    for (table, _) in stage.kind.reads() {
                        let rel = crate::partitions::table_rel(table);
                        let hash = clean.get(&rel).map(String::as_str).unwrap_or("");
                        material.push_str(&format!("{hash}  {rel}\n"));
                    }
                    for (path, hash) in study_files {
                        if VOCABULARY.contains(&path.as_str()) {
                            material.push_str(&format!("{hash}  {path}\n"));
                        }
                    }
                }
                None => {
                    material.push_str(keys.get(from).map(String::as_str).unwrap_or(""));
                    material.push('\n');
                }
            }
        }
        match &stage.settings {
            StageSettings::Ingest(_) => {
                for (path, hash) in study_files {
                    material.push_str(&format!("{hash}  {path}\n"));
                }
            }
            // Which clean tables it makes follows from the stages that
            // read it: another pipeline may make others (free text).
            StageSettings::Anonymise(_) => {
                material.push_str(key_fingerprint);
                let made: Vec<&str> = plan.clean_tables(&stage.id).into_iter().collect();
                material.push_str(&format!("\nmakes {}\n", made.join(",")));
            }
            // The guard scans everything: it depends on every stage before it.
            StageSettings::LeakGuard(_) => {
                for key in keys.values() {
                    material.push_str(key);
                }
            }
            _ => {}
        }
        keys.insert(
            stage.id.clone(),
            crate::hash::sha256_hex(material.as_bytes()),
        );
    }
    keys
}

/// Every stage's key as far as it can be known before anything runs: when
/// no `anonymise` stage will run (its key and published outputs are as the
/// last run left them), the later stages' keys are made from the clean
/// tables it published; otherwise they are made once it has run.
pub fn planned_keys(
    plan: &Plan,
    study_files: &[(String, String)],
    key_fingerprint: &str,
    out: &Utf8Path,
    published: &crate::published::Published,
) -> BTreeMap<String, String> {
    let keys = stage_keys(plan, study_files, key_fingerprint, None);
    let cache = read_cache(out);
    let lock = crate::output::read_lock(out);
    let mut clean = BTreeMap::new();
    for stage in &plan.stages {
        if !matches!(stage.settings, StageSettings::Anonymise(_)) {
            continue;
        }
        match cache.get(&stage.id) {
            Some(entry)
                if entry.key == keys[&stage.id]
                    && entry.outputs.iter().all(|(rel, hash)| {
                        lock.get(rel) == Some(hash) && !published.changed(rel)
                    }) =>
            {
                clean.extend(crate::partitions::clean_hashes(&entry.outputs));
            }
            _ => return keys,
        }
    }
    stage_keys(plan, study_files, key_fingerprint, Some(&clean))
}

/// Which stages must run: those whose key changed or whose outputs are not
/// as they were published (edited or removed since); plus what a running
/// stage needs in memory and cannot load from disk (the raw study:
/// identifying, never stored).
fn stages_to_run(
    plan: &Plan,
    keys: &BTreeMap<String, String>,
    out: &Utf8Path,
    published: &crate::published::Published,
) -> Vec<bool> {
    let cache = read_cache(out);
    let lock = crate::output::read_lock(out);
    let mut runs: Vec<bool> =
        plan.stages
            .iter()
            .map(|stage| match cache.get(&stage.id) {
                Some(entry) => {
                    entry.key != keys[&stage.id]
                        || entry.outputs.iter().any(|(rel, hash)| {
                            lock.get(rel) != Some(hash) || published.changed(rel)
                        })
                }
                None => true,
            })
            .collect();
    if runs.iter().any(|&r| r) {
        for (i, stage) in plan.stages.iter().enumerate().rev() {
            if !runs[i] {
                continue;
            }
            for from in &stage.from {
                if let Some(j) = plan.stages.iter().position(|s| &s.id == from)
                    && matches!(plan.stages[j].settings, StageSettings::Ingest(_))
                {
                    runs[j] = true;
                }
            }
        }
    }
    runs
}

/// Run a pipeline from its checked plan. Stages whose cache key is
/// unchanged are skipped; a rerun with nothing changed does no analysis.
pub fn run(plan: &Plan, options: RunOptions<'_>) -> Result<RunSummary, PipelineError> {
    let RunOptions {
        study,
        out,
        progress,
    } = options;
    let started_run = Instant::now();
    let ingest_settings = plan.ingest_settings();
    let config = crate::study::read_config(&study)?;
    let key = crate::key::resolve(&config, &study)?;
    let study_files = crate::study::fingerprint(&study, &ingest_settings);
    let key_fingerprint = anonymise::key_fingerprint(&key);
    std::fs::create_dir_all(out.join(STATE_DIR)).map_err(|e| PipelineError::io(&out, e))?;
    let mut summary = RunSummary {
        out: out.clone(),
        ..Default::default()
    };
    // A publish that was interrupted is finished first, so that what is
    // checked below is what the last run published.
    crate::output::roll_forward(&out)?;
    let published = crate::published::check(&out);
    // An output folder whose data/ predates partitions (one file per site
    // table) is rebuilt from nothing: every stage runs, and publishing
    // removes the old files.
    let rebuild = crate::partitions::old_layout(&crate::output::read_lock(&out));
    if rebuild {
        progress(&format!(
            "{out} holds data/ in the layout of an earlier crosscase (one file per table, such as data/answers.parquet); \
             every stage runs again from nothing to write it as partitions, data/<table>/site=<label>/part-0.parquet"
        ));
    }
    let mut keys = planned_keys(plan, &study_files, &key_fingerprint, &out, &published);
    let mut runs = stages_to_run(plan, &keys, &out, &published);
    if rebuild {
        runs.fill(true);
    }
    // Read once: thousands of partition files may be named here.
    let cache_before = read_cache(&out);
    for (rel, what) in published
        .edited
        .iter()
        .map(|r| (r, "was edited"))
        .chain(published.removed.iter().map(|r| (r, "was removed")))
    {
        progress(&format!(
            "{rel} {what} since it was published; {}",
            match writer(plan, &cache_before, rel) {
                Some(stage) => format!("stage {stage} runs again to restore it"),
                None => "no stage of this pipeline writes it".to_string(),
            }
        ));
    }
    summary.edited = published.edited.clone();
    summary.removed = published.removed.clone();
    let total = plan.stages.len();
    if !runs.iter().any(|&r| r) {
        published.refresh(&out)?;
        progress(&format!(
            "nothing changed: all {total} stages are up to date (cache keys match; the {} published files are as outputs.lock says, {} of them read to tell)",
            published.checked, published.hashed
        ));
        summary.outputs = crate::output::read_lock(&out).into_keys().collect();
        summary.unchanged = true;
        ledger(&out, plan, &study, started_run, &[], "unchanged");
        return Ok(summary);
    }
    let mut staging = Staging::begin(&out)?;
    let cache = read_cache(&out);
    let mut artifacts: BTreeMap<String, Artifact> = BTreeMap::new();
    let mut stage_files: BTreeMap<String, StageFiles> = BTreeMap::new();
    let mut timings = Vec::new();
    let mut changes = Vec::new();
    for (index, stage) in plan.stages.iter().enumerate() {
        let started = Instant::now();
        let before: std::collections::BTreeSet<String> = staging.hashes().keys().cloned().collect();
        if runs[index] {
            for from in &stage.from {
                materialise(plan, &runs, from, &out, &study, &mut artifacts)?;
            }
            let anonymises = |s: &Stage| matches!(s.settings, StageSettings::Anonymise(_));
            let artifact = match &stage.settings {
                StageSettings::Anonymise(settings) => {
                    let Some(Artifact::Raw(raw)) = stage
                        .input("study")
                        .and_then(|from| artifacts.get_mut(from))
                    else {
                        return Err(stage_error(
                            stage,
                            "expected an `ingest.study` stage in `from`",
                        ));
                    };
                    anonymise_stage(
                        stage,
                        settings,
                        &study,
                        raw,
                        plan,
                        &mut staging,
                        &mut summary,
                    )?
                }
                _ => run_stage(
                    plan,
                    stage,
                    &study,
                    &artifacts,
                    &mut staging,
                    &mut summary,
                    &stage_files,
                )?,
            };
            if let Artifact::Table(batch) = &artifact {
                // Every table a stage makes is published, as CSV and Parquet.
                publish_table(&mut staging, stage, batch)?;
                changes.extend(crate::diff::table_changes(
                    &out.join(format!("tables/{}.parquet", stage.id)),
                    batch,
                ));
            }
            artifacts.insert(stage.id.clone(), artifact);
            // The clean tables exist now: the stages after are keyed by
            // the bytes of those they read, and run only if those changed.
            if anonymises(stage) {
                keys = stage_keys(
                    plan,
                    &study_files,
                    &key_fingerprint,
                    Some(&crate::partitions::clean_hashes(staging.hashes())),
                );
                let now = stages_to_run(plan, &keys, &out, &published);
                if !rebuild {
                    runs[index + 1..].copy_from_slice(&now[index + 1..]);
                }
            }
            // The raw tables and the exports' text are read by `anonymise`
            // only: after the last such stage they are freed (at national
            // scale they are gigabytes); identities stay for the leak guard.
            if anonymises(stage) && !plan.stages[index + 1..].iter().any(anonymises) {
                for from in &stage.from {
                    if let Some(Artifact::Raw(raw)) = artifacts.get_mut(from) {
                        raw.release_tables();
                    }
                }
            }
        } else {
            for (rel, hash) in cache
                .get(&stage.id)
                .map(|e| e.outputs.clone())
                .unwrap_or_default()
            {
                staging.carry(&rel, &hash);
            }
            artifacts.insert(stage.id.clone(), Artifact::Skipped);
        }
        let wrote: Vec<String> = staging
            .hashes()
            .keys()
            .filter(|k| !before.contains(*k))
            .cloned()
            .collect();
        let mut read = Vec::new();
        for from in &stage.from {
            if matches!(
                plan.stages
                    .iter()
                    .find(|s| &s.id == from)
                    .map(|s| &s.settings),
                Some(StageSettings::Ingest(_))
            ) {
                read.extend(study_files.iter().map(|(p, _)| format!("study:{p}")));
            } else {
                read.extend(
                    stage_files
                        .get(from)
                        .map(|f| f.wrote.clone())
                        .unwrap_or_default(),
                );
            }
        }
        stage_files.insert(stage.id.clone(), StageFiles { read, wrote });
        crate::failpoint::hit(&format!("stage:{}", stage.id));
        let seconds = started.elapsed().as_secs_f64();
        timings.push((
            stage.id.clone(),
            runs[index],
            seconds,
            peak_memory_mib(),
            std::mem::take(&mut summary.stage_parts),
        ));
        if runs[index] && matches!(stage.settings, StageSettings::Ingest(_)) {
            let before: Option<Vec<(String, String)>> =
                std::fs::read_to_string(out.join(STATE_DIR).join(STUDY_FILES_FILE))
                    .ok()
                    .and_then(|t| serde_json::from_str(&t).ok());
            if let Some(said) = before.and_then(|b| crate::study::changes(&study, &b, &study_files))
            {
                summary.stage_note = Some(said);
            }
        }
        let what = match (runs[index], summary.stage_note.take()) {
            (true, Some(note)) => format!("done in {seconds:.2}s ({note})"),
            (true, None) => format!("done in {seconds:.2}s"),
            (false, _) => "unchanged, skipped".to_string(),
        };
        progress(&format!(
            "[{:>2}/{total}] {:<18} {:<26} {what}",
            index + 1,
            stage.id,
            stage.run
        ));
    }
    summary.outputs = staging.hashes().keys().cloned().collect();
    summary.outputs.push(crate::output::LOCK_FILE.to_string());
    summary.outputs.sort();
    let new_cache: BTreeMap<String, CacheEntry> = plan
        .stages
        .iter()
        .map(|s| {
            let outputs = stage_files[&s.id]
                .wrote
                .iter()
                .filter_map(|rel| staging.hashes().get(rel).map(|h| (rel.clone(), h.clone())))
                .collect();
            (
                s.id.clone(),
                CacheEntry {
                    key: keys[&s.id].clone(),
                    outputs,
                },
            )
        })
        .collect();
    let publishing = Instant::now();
    staging.publish()?;
    crate::published::record(&out)?;
    let state = out.join(STATE_DIR);
    let cache_text = serde_json::to_string_pretty(&new_cache).unwrap_or_default();
    crate::output::write_atomic(&state.join(CACHE_FILE), cache_text.as_bytes())?;
    let files_text = serde_json::to_string_pretty(&study_files).unwrap_or_default();
    crate::output::write_atomic(&state.join(STUDY_FILES_FILE), files_text.as_bytes())?;
    if let Some(manifest) = summary.partitions.take() {
        let text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
        crate::output::write_atomic(
            &state.join(crate::partitions::MANIFEST_FILE),
            text.as_bytes(),
        )?;
    }
    let diff_text = crate::diff::render(&changes);
    crate::output::write_atomic(&state.join(DIFF_FILE), diff_text.as_bytes())?;
    summary.changes = changes.len();
    summary.diff = diff_text;
    timings.push((
        "(publish)".to_string(),
        true,
        publishing.elapsed().as_secs_f64(),
        peak_memory_mib(),
        Vec::new(),
    ));
    ledger(&out, plan, &study, started_run, &timings, "published");
    Ok(summary)
}

/// The stage whose outputs, as the last run cached them, include `rel`.
fn writer(plan: &Plan, cache: &BTreeMap<String, CacheEntry>, rel: &str) -> Option<String> {
    plan.stages
        .iter()
        .find(|s| {
            cache
                .get(&s.id)
                .is_some_and(|e| e.outputs.contains_key(rel))
        })
        .map(|s| s.id.clone())
}

/// The last run's list of changed figures (`crosscase diff`).
pub fn last_diff(out: &Utf8Path) -> Result<String, PipelineError> {
    std::fs::read_to_string(out.join(STATE_DIR).join(DIFF_FILE)).map_err(|_| {
        PipelineError::Usage(format!(
            "{out} has no record of a previous run's changes; run the pipeline first"
        ))
    })
}

/// Append one line to the run ledger: the only place times are written.
/// The process's peak resident memory so far, in MiB, where the system says
/// (Linux `VmHWM`); for the run ledger, so a benchmark can see which stage
/// raised the peak.
fn peak_memory_mib() -> Option<f64> {
    memory_mib("VmHWM:")
}

/// The process's resident memory now, in MiB (Linux `VmRSS`).
fn resident_memory_mib() -> Option<f64> {
    memory_mib("VmRSS:")
}

fn memory_mib(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix(field))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib / 1024.0)
}

/// Stage id, whether it ran, seconds, peak memory after it (MiB), and
/// its parts timed on their own.
type Timing = (String, bool, f64, Option<f64>, Vec<StagePart>);

fn ledger(
    out: &Utf8Path,
    plan: &Plan,
    study: &Utf8Path,
    started: Instant,
    timings: &[Timing],
    outcome: &str,
) {
    use std::io::Write;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let line = serde_json::json!({
        "finished_unix": now,
        "seconds": started.elapsed().as_secs_f64(),
        "pipeline": plan.name,
        "pipeline_file": plan.path,
        "study": study.as_str(),
        "crosscase": model::VERSION,
        "outcome": outcome,
        "stages": timings
            .iter()
            .map(|(id, ran, s, peak, parts)| {
                let mut stage = serde_json::json!({"stage": id, "ran": ran, "seconds": s, "peak_mib": peak});
                if !parts.is_empty() {
                    stage["parts"] = serde_json::json!(parts);
                }
                stage
            })
            .collect::<Vec<_>>(),
    });
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(out.join(STATE_DIR).join(LEDGER_FILE))
    {
        let _ = writeln!(f, "{line}");
    }
}

/// The study and pipeline of the last run recorded in the ledger.
pub fn last_run(out: &Utf8Path) -> Option<(String, String)> {
    let text = std::fs::read_to_string(out.join(STATE_DIR).join(LEDGER_FILE)).ok()?;
    let line = text.lines().rev().find(|l| !l.trim().is_empty())?;
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    Some((
        v["study"].as_str()?.to_string(),
        v["pipeline_file"].as_str()?.to_string(),
    ))
}

/// Load a skipped stage's artifact from its published outputs when a stage
/// that runs needs it. A skipped `anonymise` stage's clean tables are read
/// from `data/` as far as the stages that run read them (`Kind::reads`): a
/// site table no running stage reads is left empty, the others are read
/// column-projected, partition files in parallel.
fn materialise(
    plan: &Plan,
    runs: &[bool],
    id: &str,
    out: &Utf8Path,
    study: &Utf8Path,
    artifacts: &mut BTreeMap<String, Artifact>,
) -> Result<(), PipelineError> {
    if !matches!(artifacts.get(id), Some(Artifact::Skipped)) {
        return Ok(());
    }
    let Some(stage) = plan.stages.iter().find(|s| s.id == id) else {
        return Ok(());
    };
    let load = |rel: String| -> Result<RecordBatch, PipelineError> {
        let path = out.join(&rel);
        let bytes = std::fs::read(&path).map_err(|e| PipelineError::io(&path, e))?;
        crate::tables::from_parquet(bytes).map_err(|e| PipelineError::io(&path, e))
    };
    let artifact = match &stage.settings {
        StageSettings::Anonymise(_) => {
            let config = crate::study::read_config(study)?;
            let (framework, labels) = crate::study::read_vocabulary(study)?;
            let mut read: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
            for (reader, _) in plan
                .stages
                .iter()
                .zip(runs)
                .filter(|(s, runs)| **runs && s.from.iter().any(|f| f == id))
            {
                for (table, columns) in reader.kind.reads() {
                    read.entry(table).or_default().extend(columns.iter());
                }
            }
            let mut tables = StudyTables::empty();
            // The tables it made were published (the others are empty), a
            // partitioned one read as far as the running stages read it.
            let made = plan.clean_tables(id);
            for (name, batch) in tables.named_mut() {
                *batch = if !made.contains(name) {
                    continue;
                } else if !crate::partitions::is_partitioned(name) {
                    load(format!("data/{name}.parquet"))?
                } else if let Some(columns) = read.get(name) {
                    crate::partitions::read_table(out, name, Some(columns))?
                } else {
                    continue;
                };
            }
            Artifact::Clean(Box::new(CleanStudy {
                config,
                framework,
                labels,
                tables,
            }))
        }
        _ if stage.kind.makes == Makes::Table => {
            Artifact::Table(load(format!("tables/{id}.parquet"))?)
        }
        _ => return Ok(()),
    };
    artifacts.insert(id.to_string(), artifact);
    Ok(())
}

/// The artifact of the stage that fills one of the kind's needs (the
/// plan has checked that one does).
fn input<'a>(
    stage: &Stage,
    artifacts: &'a BTreeMap<String, Artifact>,
    role: &str,
) -> Result<&'a Artifact, PipelineError> {
    stage
        .input(role)
        .and_then(|id| artifacts.get(id))
        .ok_or_else(|| stage_error(stage, format!("no `{role}` stage among `from`")))
}

fn stage_error(stage: &Stage, message: impl Into<String>) -> PipelineError {
    PipelineError::Stage {
        stage: stage.id.clone(),
        message: message.into(),
    }
}

/// The clean study among a stage's inputs (the first `from` that is one).
fn clean<'a>(
    stage: &Stage,
    artifacts: &'a BTreeMap<String, Artifact>,
) -> Result<&'a CleanStudy, PipelineError> {
    stage
        .from
        .iter()
        .find_map(|id| match artifacts.get(id) {
            Some(Artifact::Clean(c)) => Some(c.as_ref()),
            _ => None,
        })
        .ok_or_else(|| stage_error(stage, "expected an `anonymise` stage among `from`"))
}

fn table<'a>(
    stage: &Stage,
    artifacts: &'a BTreeMap<String, Artifact>,
    role: &str,
) -> Result<&'a RecordBatch, PipelineError> {
    match input(stage, artifacts, role)? {
        Artifact::Table(t) => Ok(t),
        _ => Err(stage_error(
            stage,
            format!("expected the `{role}` stage to make a table"),
        )),
    }
}

/// Tables among a stage's inputs, by stage id.
fn tables_of<'a>(
    stage: &Stage,
    artifacts: &'a BTreeMap<String, Artifact>,
) -> BTreeMap<String, &'a RecordBatch> {
    stage
        .from
        .iter()
        .filter_map(|id| match artifacts.get(id) {
            Some(Artifact::Table(t)) => Some((id.clone(), t)),
            _ => None,
        })
        .collect()
}

fn arrow_error(stage: &Stage) -> impl Fn(arrow_schema::ArrowError) -> PipelineError + '_ {
    move |e| stage_error(stage, e.to_string())
}

fn publish_table(
    staging: &mut Staging,
    stage: &Stage,
    batch: &RecordBatch,
) -> Result<(), PipelineError> {
    staging.write(
        &format!("tables/{}.csv", stage.id),
        to_csv(batch).as_bytes(),
    )?;
    let parquet = to_parquet(batch).map_err(|e| stage_error(stage, e.to_string()))?;
    staging.write(&format!("tables/{}.parquet", stage.id), &parquet)
}

fn ratings_settings(clean: &CleanStudy, s: &RatingsSettings) -> Result<ratings::Settings, String> {
    let mut scopes = Vec::new();
    for scope in &s.scopes {
        scopes.push(ratings::Scope::from_code(scope).ok_or_else(|| {
            format!("unknown scope `{scope}`; expected study, sector, site, group or site_group")
        })?);
    }
    Ok(ratings::Settings {
        scopes,
        factors: clean
            .framework
            .factor_codes()
            .into_iter()
            .map(String::from)
            .collect(),
        min_cell: clean.config.disclosure.min_cell,
        seed: clean.config.study.seed,
        bootstrap_resamples: s.bootstrap_resamples,
        confidence: s.confidence,
        ..Default::default()
    })
}

fn run_stage(
    plan: &Plan,
    stage: &Stage,
    study_dir: &Utf8Path,
    artifacts: &BTreeMap<String, Artifact>,
    staging: &mut Staging,
    summary: &mut RunSummary,
    stage_files: &BTreeMap<String, StageFiles>,
) -> Result<Artifact, PipelineError> {
    match &stage.settings {
        StageSettings::Ingest(settings) => {
            let mut inputs = crate::study::load(study_dir, settings)?;
            let diagnostics = check(&mut inputs);
            if diagnostics.iter().any(Diagnostic::is_error) {
                return Err(PipelineError::Data(diagnostics));
            }
            summary.warnings = diagnostics;
            let projects = &inputs.qualitative.projects;
            if !projects.is_empty() {
                let linked: usize = projects.iter().map(|p| p.record_ids.len()).sum();
                summary.stage_note = Some(format!(
                    "{linked} coded transcript{} in {} project{} read and checked",
                    if linked == 1 { "" } else { "s" },
                    projects.len(),
                    if projects.len() == 1 { "" } else { "s" }
                ));
            }
            // Raw free text that no anonymise stage reading this one makes
            // (`Plan::clean_tables`) is never redacted: not kept either.
            let made: std::collections::BTreeSet<&str> = plan
                .stages
                .iter()
                .filter(|s| matches!(s.settings, StageSettings::Anonymise(_)))
                .filter(|s| s.from.contains(&stage.id))
                .flat_map(|s| plan.clean_tables(&s.id))
                .collect();
            let (mut tables, identities) = ingest::tidy(
                &inputs.interviews,
                &inputs.documents,
                &inputs.interview_dictionary,
                &inputs.document_dictionary,
                &inputs.framework,
                &inputs.sites,
                match made.contains("accounts") {
                    true => ingest::Accounts::Built,
                    false => ingest::Accounts::Left,
                },
            );
            for (name, batch) in tables.named_mut() {
                if model::schema::is_free_text(name) && !made.contains(name) {
                    *batch = RecordBatch::new_empty(batch.schema());
                }
            }
            // The exports' text is in the tables now: freed before anonymise
            // (the stage with the highest peak) rather than after it.
            inputs.interviews = Vec::new();
            inputs.documents = Vec::new();
            Ok(Artifact::Raw(Box::new(RawStudy {
                inputs,
                tables,
                identities,
            })))
        }
        StageSettings::Anonymise(_) => Err(stage_error(
            stage,
            "an anonymise stage runs through `anonymise_stage`",
        )),
        StageSettings::Ratings(r) => {
            let clean = clean(stage, artifacts)?;
            let settings =
                ratings_settings(clean, &r.settings).map_err(|m| stage_error(stage, m))?;
            let t = &clean.tables;
            let batch = match r.kind {
                RatingsKind::Summary => ratings::ratings_summary(&t.answers, &settings),
                RatingsKind::Top3 => ratings::top3_frequency(&t.top3, &settings),
                RatingsKind::Direction => ratings::direction(&t.answers, &settings),
                RatingsKind::Consensus => ratings::consensus(&t.answers, &settings),
                RatingsKind::GroupTests => ratings::group_tests(&t.answers, &settings),
                RatingsKind::SectorTests => ratings::sector_tests(&t.answers, &settings),
                RatingsKind::Top3Importance => {
                    ratings::top3_importance(&t.top3, &t.answers, &settings)
                }
            }
            .map_err(arrow_error(stage))?;
            Ok(Artifact::Table(batch))
        }
        StageSettings::Tensions(s) => {
            let clean = clean(stage, artifacts)?;
            let mut settings = ratings_settings(clean, &RatingsSettings::default())
                .map_err(|m| stage_error(stage, m))?;
            settings.pool_managers = s.pool_managers;
            settings.tension_threshold = s.threshold;
            let batch =
                ratings::tensions(&clean.tables.answers, &settings).map_err(arrow_error(stage))?;
            Ok(Artifact::Table(batch))
        }
        StageSettings::PatternMatrix(s) => {
            let clean = clean(stage, artifacts)?;
            let settings = patterns_settings(clean, |p| {
                p.condition_share = s.share;
                p.condition_min_valid = s.min_valid;
            });
            let t = &clean.tables;
            let batch = patterns::pattern_matrix(&t.answers, &t.evidence, &t.sites, &settings)
                .map_err(arrow_error(stage))?;
            Ok(Artifact::Table(batch))
        }
        StageSettings::Replication(s) => {
            let clean = clean(stage, artifacts)?;
            let matrix = table(stage, artifacts, "matrix")?;
            let settings = patterns_settings(clean, |p| p.replication_share = s.share);
            let batch = patterns::replication(matrix, &clean.tables.sites, &settings)
                .map_err(arrow_error(stage))?;
            Ok(Artifact::Table(batch))
        }
        StageSettings::Outcomes(s) => {
            let clean = clean(stage, artifacts)?;
            let settings = patterns_settings(clean, |p| {
                p.condition_share = s.share;
                p.condition_min_valid = s.min_valid;
            });
            let batch =
                patterns::outcome_summary(&clean.tables.outcomes, &clean.tables.sites, &settings)
                    .map_err(arrow_error(stage))?;
            Ok(Artifact::Table(batch))
        }
        StageSettings::Qca(_) => {
            let clean = clean(stage, artifacts)?;
            let matrix = table(stage, artifacts, "matrix")?;
            let outcomes = table(stage, artifacts, "outcomes")?;
            let settings = patterns_settings(clean, |_| {});
            let batch = patterns::qca(matrix, outcomes, &settings).map_err(arrow_error(stage))?;
            Ok(Artifact::Table(batch))
        }
        StageSettings::QualMatrix(s) => {
            let clean = clean(stage, artifacts)?;
            let settings = patterns_settings(clean, |p| p.exemplars = s.exemplars);
            let batch = patterns::qual_matrix(&clean.tables.accounts, &settings)
                .map_err(arrow_error(stage))?;
            Ok(Artifact::Table(batch))
        }
        StageSettings::Quotes(s) => {
            let clean = clean(stage, artifacts)?;
            let settings = patterns_settings(clean, |p| p.exemplars = s.exemplars);
            let batch =
                patterns::quotes(&clean.tables.accounts, &settings).map_err(arrow_error(stage))?;
            Ok(Artifact::Table(batch))
        }
        StageSettings::FrameworkMatrix(s) => {
            let clean = clean(stage, artifacts)?;
            let mut settings = mixed_settings(clean);
            settings.scopes = s
                .scopes
                .iter()
                .filter_map(|c| ratings::Scope::from_code(c))
                .collect();
            let batch = mixed::framework_matrix(&clean.tables.coded_segments, &settings)
                .map_err(arrow_error(stage))?;
            Ok(Artifact::Table(batch))
        }
        StageSettings::JointDisplay(s) => {
            let clean = clean(stage, artifacts)?;
            let settings = mixed::Settings {
                rated_share: s.rated_share,
                talk_many: s.talk_many,
                talk_few: s.talk_few,
                ..mixed_settings(clean)
            };
            let input = mixed::JointInput {
                segments: &clean.tables.coded_segments,
                matrix: table(stage, artifacts, "framework")?,
                summary: table(stage, artifacts, "summary")?,
                top3: table(stage, artifacts, "top3")?,
                pattern_matrix: Some(table(stage, artifacts, "matrix")?),
                replication: Some(table(stage, artifacts, "replication")?),
            };
            let batch = mixed::joint_display(&input, &settings).map_err(arrow_error(stage))?;
            Ok(Artifact::Table(batch))
        }
        StageSettings::Demographics(_) => {
            let clean = clean(stage, artifacts)?;
            let batch = anonymise::demographics(
                &clean.tables.participants,
                &clean.tables.checkboxes,
                &clean.config.disclosure,
                &clean.labels,
            )
            .map_err(arrow_error(stage))?;
            Ok(Artifact::Table(batch))
        }
        StageSettings::Report(_)
        | StageSettings::ReportHtml(_)
        | StageSettings::SitePacks(_)
        | StageSettings::Handbook(_)
        | StageSettings::Workbook(_) => {
            let clean = clean(stage, artifacts)?;
            let input = report_input(plan, stage, clean, artifacts);
            // A verdict on a figure its site's pack lacks stops the run
            // before a report shows or counts it (the workbook shows none).
            if !matches!(stage.settings, StageSettings::Workbook(_)) {
                let missing = report::misplaced_verdicts(&input);
                if !missing.is_empty() {
                    let sites = crate::study::read_sites(study_dir)?;
                    return Err(PipelineError::Data(crate::workshops::misplaced(
                        &missing, &sites,
                    )));
                }
            }
            render_report(stage, &input, staging)?;
            Ok(Artifact::Report)
        }
        StageSettings::LeakGuard(_) => {
            let raw = stage
                .from
                .iter()
                .find_map(|id| match artifacts.get(id) {
                    Some(Artifact::Raw(r)) => Some(r.as_ref()),
                    _ => None,
                })
                .ok_or_else(|| {
                    stage_error(stage, "expected the `ingest.study` stage among `from`")
                })?;
            // The run's own records go in before the scan, so they are scanned too.
            staging.write("pipeline.toml", plan.source.as_bytes())?;
            let provenance = crate::provenance::store(plan, staging.hashes());
            staging.write("provenance.json", provenance.as_bytes())?;
            let inputs = &raw.inputs;
            let publication = &inputs.config.publication;
            crate::datapackage::stage(
                staging,
                plan,
                &inputs.framework,
                &inputs.sites,
                publication,
            )?;
            let crate_text = crate::rocrate::metadata(
                plan,
                stage_files,
                staging.hashes(),
                &inputs.files,
                publication,
            );
            staging.write("ro-crate-metadata.json", crate_text.as_bytes())?;
            let guard = anonymise::LeakGuard::new(
                &raw.identities,
                &raw.inputs.identifiers,
                &raw.inputs.sites,
            )
            .map_err(|e| stage_error(stage, e.to_string()))?;
            // Files the guard found clean before, byte for byte and looking
            // for exactly the same things, need no second scan.
            let key = crate::key::resolve(&inputs.config, study_dir)?;
            let fingerprint = guard.fingerprint(&key);
            let out = staging.out().to_owned();
            let known = crate::guard::scanned_clean(&out, &fingerprint);
            let scanned = crate::guard::scan_staging(guard, staging, &known)?;
            crate::guard::record_clean(&out, &fingerprint, staging.hashes())?;
            summary.stage_note = Some(format!(
                "{scanned} files scanned, {} unchanged since a clean scan",
                staging.hashes().len() - scanned
            ));
            Ok(Artifact::Guard)
        }
    }
}

/// The `anonymise` stage (see `partitions` for how sites are reused). It
/// makes the clean tables `plan` reads (`Plan::clean_tables`); when no
/// later stage anonymises, the raw tables are freed as soon as every
/// site's clean rows exist.
fn anonymise_stage(
    stage: &Stage,
    settings: &crate::settings::AnonymiseSettings,
    study_dir: &Utf8Path,
    raw: &mut RawStudy,
    plan: &Plan,
    staging: &mut Staging,
    summary: &mut RunSummary,
) -> Result<Artifact, PipelineError> {
    let anonymises = |s: &Stage| matches!(s.settings, StageSettings::Anonymise(_));
    let mut later = plan.stages.iter().skip_while(|s| s.id != stage.id).skip(1);
    let last = !later.any(anonymises);
    let made = &plan.clean_tables(&stage.id);
    let key = crate::key::resolve(&raw.inputs.config, study_dir)?;
    let kinds = redaction_kinds(stage, settings)?;
    let fail = |e: anonymise::AnonymiseError| PipelineError::Stage {
        stage: stage.id.clone(),
        message: e.to_string(),
    };
    let tables = &raw.tables;
    let anonymiser = anonymise::Anonymiser::new(
        tables,
        &raw.identities,
        &raw.inputs.sites,
        &raw.inputs.withdrawals,
        &key,
    )
    .map_err(fail)?
    .without_free_text(
        &model::schema::FREE_TEXT
            .iter()
            .map(|(t, _)| *t)
            .filter(|t| !made.contains(t))
            .collect::<Vec<_>>(),
    );
    let split = anonymiser.split(tables).map_err(fail)?;
    // Per-site partitions: a site whose partition key is unchanged and
    // whose text no added gazetteer entry touches keeps its published
    // partition files, read back for the stages after (see `partitions`).
    let global = crate::partitions::global_key(
        &stage.run,
        &stage.canonical,
        &anonymise::key_fingerprint(&key),
        made,
        &raw.inputs.files,
    );
    let site_keys: BTreeMap<String, String> = split
        .iter()
        .map(|(site, rows)| {
            (
                site.clone(),
                crate::partitions::site_key(&global, site, tables, rows, &anonymiser),
            )
        })
        .collect();
    let gazetteer = anonymise::gazetteer_fingerprints(&key, &raw.identities);
    let log_path = crate::key::log_path(&raw.inputs);
    let state = staging.out().join(STATE_DIR);
    let previous = crate::partitions::Previous::load(&state, &global, made, log_path.as_deref());
    let earlier = previous.as_ref().map(crate::transcripts::Earlier::of);
    let reusable = match &previous {
        Some(p) => p
            .reusable(
                &site_keys,
                &gazetteer,
                &raw.inputs,
                &raw.identities,
                tables,
                &split,
            )
            .map_err(fail)?,
        None => Default::default(),
    };
    // One redactor for sites and transcripts, built when first needed.
    let built: std::sync::Mutex<Option<Arc<anonymise::Redactor>>> = Default::default();
    let make_redactor = || -> Result<Arc<anonymise::Redactor>, PipelineError> {
        let mut slot = built.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(r) = slot.as_ref() {
            return Ok(Arc::clone(r));
        }
        let r =
            anonymise::Redactor::new(&raw.inputs.identifiers, &raw.inputs.sites, &raw.identities)
                .map_err(fail)?
                .with_kinds(kinds);
        Ok(Arc::clone(slot.insert(Arc::new(r))))
    };
    // Sites redact only the free text that is made (accounts, evidence).
    let redacts = anonymiser.redacts();
    // A reusable site's partition files are read (and checked) by the
    // task that would otherwise anonymise it; a file not as the manifest
    // says has that site anonymised again.
    let out_dir = staging.out().to_owned();
    let parts: Vec<(String, anonymise::Anonymised, Option<Vec<(String, String)>>)> = {
        use rayon::prelude::*;
        let split: Vec<(&String, &anonymise::SiteRows)> = split.iter().collect();
        split
            .into_par_iter()
            .map(|(site, rows)| {
                let label = anonymiser.label(site).unwrap_or_default();
                if let Some(reused) = previous
                    .as_ref()
                    .filter(|_| reusable.contains(site))
                    .and_then(|p| p.part(&out_dir, site, label))
                {
                    return Ok((site.clone(), reused.part, Some(reused.files)));
                }
                // Built once, by the first site that needs it (a reusable
                // site whose files are not as recorded needs it too).
                let redactor = if redacts {
                    Some(make_redactor()?)
                } else {
                    None
                };
                Ok((
                    site.clone(),
                    anonymiser
                        .site(tables, rows, redactor.as_deref())
                        .map_err(fail)?,
                    None,
                ))
            })
            .collect::<Result<_, PipelineError>>()?
    };
    let reused = parts.iter().filter(|p| p.2.is_some()).count();
    summary.stage_note = Some(format!(
        "{} of {} sites anonymised, {reused} reused",
        parts.len() - reused,
        parts.len()
    ));
    // Each site's partitions: a reused site's files stay as they are
    // (carried), an anonymised site's are encoded (in parallel: a file's
    // bytes do not depend on it) and staged in label order.
    let mut site_files: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    {
        use rayon::prelude::*;
        let mut ordered: Vec<(
            &str,
            &str,
            &anonymise::Anonymised,
            &Option<Vec<(String, String)>>,
        )> = parts
            .iter()
            .map(|(site, part, reused)| {
                (
                    site.as_str(),
                    anonymiser.label(site).unwrap_or_default(),
                    part,
                    reused,
                )
            })
            .collect();
        ordered.sort_by(|a, b| a.1.cmp(b.1));
        // A few sites at a time, so the encoded bytes held at once stay small.
        let chunk = rayon::current_num_threads() * 8;
        for sites in ordered.chunks(chunk) {
            let encoded: Vec<Vec<(String, String, Result<Vec<u8>, String>)>> = sites
                .par_iter()
                .map(|(_, label, part, reused)| match reused {
                    Some(_) => Vec::new(),
                    None => part
                        .tables
                        .named()
                        .into_iter()
                        .filter(|(name, _)| {
                            made.contains(name) && crate::partitions::is_partitioned(name)
                        })
                        .map(|(name, batch)| {
                            (
                                name.to_string(),
                                crate::partitions::partition_rel(name, label),
                                to_parquet(batch).map_err(|e| e.to_string()),
                            )
                        })
                        .collect(),
                })
                .collect();
            for ((site, _, _, reused), files) in sites.iter().zip(encoded) {
                let entry = site_files.entry(site.to_string()).or_default();
                if let Some(reused) = reused {
                    for (rel, hash) in reused {
                        staging.carry(rel, hash);
                        if let Some((table, _)) = crate::partitions::parse_partition_rel(rel) {
                            entry.insert(table.to_string(), hash.clone());
                        }
                    }
                }
                for (table, rel, parquet) in files {
                    let parquet = parquet.map_err(|e| stage_error(stage, e))?;
                    let hash = crate::hash::sha256_hex(&parquet);
                    // A site anonymised again into the very bytes already
                    // published keeps its file (no rewrite).
                    let published = std::fs::read(out_dir.join(&rel))
                        .is_ok_and(|old| crate::hash::sha256_hex(&old) == hash);
                    if published {
                        staging.carry(&rel, &hash);
                    } else {
                        staging.write(&rel, &parquet)?;
                    }
                    entry.insert(table, hash);
                }
            }
        }
    }
    drop(previous);
    // The coded transcripts and the workshops are redacted only when a
    // stage reads them (`Plan::clean_tables`); the study stage has checked
    // them either way.
    let no_projects = crate::transcripts::Qualitative::default();
    let qualitative = if made.contains(crate::transcripts::TABLE) {
        &raw.inputs.qualitative
    } else {
        &no_projects
    };
    let no_workshops = crate::workshops::Workshops::default();
    let workshops = if made.contains("workshop_notes") || made.contains("workshop_verdicts") {
        &raw.inputs.workshops
    } else {
        &no_workshops
    };
    if qualitative.projects.is_empty()
        && workshops.notes.is_empty()
        && workshops.verdicts.is_empty()
    {
        // Nothing else will redact: freed before the tables are assembled.
        built.lock().unwrap_or_else(|e| e.into_inner()).take();
    }
    // Who each transcript's interviewee is, read before the raw tables go.
    let who = if qualitative.projects.is_empty() {
        Default::default()
    } else {
        crate::transcripts::interviewees(
            &raw.tables.participants,
            &anonymiser,
            &raw.inputs.sites,
            &raw.inputs.labels,
        )
        .map_err(|m| stage_error(stage, m))?
    };
    // The sites-with-data summary reads the raw register table; then the
    // raw tables are freed before the clean ones are assembled (at
    // national scale both are gigabytes) when no later stage needs them.
    for site in &raw.inputs.sites {
        let has = raw.tables_has_site(&site.site_id);
        if has {
            summary.sites_with_data.push(site.label.clone())
        } else {
            summary
                .sites_awaited
                .push(format!("{} (wave {})", site.label, site.wave))
        }
    }
    if last {
        raw.tables = StudyTables::empty();
    }
    let mut anonymised = anonymiser
        .assemble(
            parts
                .into_iter()
                .map(|(site, part, _)| (site, part))
                .collect(),
        )
        .map_err(fail)?;
    // The coded transcripts, one project at a time (`transcripts`).
    let mut projects = BTreeMap::new();
    if !qualitative.projects.is_empty() {
        let resident = resident_memory_mib();
        let made = crate::transcripts::Transcripts {
            study: study_dir,
            out: staging.out(),
            qualitative,
            positions: raw.inputs.config.qualitative.positions,
            who: &who,
            global: &global,
            gazetteer: &gazetteer,
            earlier,
            scan: &|added| {
                anonymise::GazetteerScan::added(
                    &raw.inputs.identifiers,
                    &raw.inputs.sites,
                    &raw.identities,
                    added,
                )
                .map_err(fail)
            },
            redactor: &make_redactor,
        }
        .run()?;
        summary.stage_note = Some(format!(
            "{}; {} of {} transcript projects redacted, {} reused",
            summary.stage_note.take().unwrap_or_default(),
            made.redacted,
            made.redacted + made.reused,
            made.reused
        ));
        summary.stage_parts.push(StagePart {
            part: "transcripts".into(),
            seconds: made.seconds,
            resident_mib: resident,
            peak_mib: peak_memory_mib(),
        });
        anonymised.tables.coded_segments = made.table;
        anonymised.log.extend(made.log);
        projects = made.projects;
    }
    // The workshops' notes and verdicts, redacted on every run (a few
    // files): those of sites with data; the others wait for it.
    if !workshops.notes.is_empty() || !workshops.verdicts.is_empty() {
        let with_data: BTreeMap<String, String> = raw
            .inputs
            .sites
            .iter()
            .filter(|s| summary.sites_with_data.contains(&s.label))
            .map(|s| (s.site_id.clone(), s.label.clone()))
            .collect();
        let mut redacted = crate::workshops::redact(workshops, &with_data, &*make_redactor()?)
            .map_err(arrow_error(stage))?;
        // Both are redacted together; one that no stage reads is not kept.
        if !made.contains("workshop_notes") {
            redacted.notes = RecordBatch::new_empty(model::schema::workshop_notes());
            let notes = format!("{}notes", crate::workshops::LOG_FIELD);
            redacted.log.retain(|e| e.field != notes);
        }
        if !made.contains("workshop_verdicts") {
            redacted.verdicts = RecordBatch::new_empty(model::schema::workshop_verdicts());
            let verdicts = format!("{}verdicts/", crate::workshops::LOG_FIELD);
            redacted.log.retain(|e| !e.field.starts_with(&verdicts));
        }
        let ids = with_data.keys().map(String::as_str).collect();
        summary
            .warnings
            .extend(crate::workshops::held_back(workshops, &ids));
        // In file order, after the warning about every output that the
        // study stage put first (it must show among the first few).
        let first = usize::from(
            crate::rocrate::publication_warning(&raw.inputs.config.publication).is_some(),
        );
        summary.warnings[first..].sort();
        summary.stage_note = Some(format!(
            "{}; {} workshop files redacted{}",
            summary.stage_note.take().unwrap_or_default(),
            workshops.notes.len() + workshops.verdicts.len() - redacted.held,
            match redacted.held {
                0 => String::new(),
                n => format!(", {n} held back (no data yet)"),
            }
        ));
        anonymised.tables.workshop_notes = redacted.notes;
        anonymised.tables.workshop_verdicts = redacted.verdicts;
        anonymised.log.extend(redacted.log);
    }
    drop(built);
    crate::key::write_log(&raw.inputs, staging.out(), &anonymised.log)?;
    let tables = anonymised.tables;
    let mut manifest = crate::partitions::Manifest {
        global,
        log: log_path.map(|p| p.to_string()),
        gazetteer,
        projects,
        ..Default::default()
    };
    // The study-wide tables (the register, the coded segments, the
    // workshops), one file each, encoded in parallel, written in their
    // fixed order.
    let encoded: Vec<(&str, Result<Vec<u8>, String>)> = {
        use rayon::prelude::*;
        tables
            .named()
            .into_par_iter()
            .filter(|(name, _)| made.contains(name) && !crate::partitions::is_partitioned(name))
            .map(|(name, batch)| (name, to_parquet(batch).map_err(|e| e.to_string())))
            .collect()
    };
    for (name, parquet) in encoded {
        let parquet = parquet.map_err(|e| stage_error(stage, e))?;
        staging.write(&format!("data/{name}.parquet"), &parquet)?;
        manifest
            .tables
            .insert(name.to_string(), crate::hash::sha256_hex(&parquet));
    }
    manifest.sites = site_keys
        .into_iter()
        .map(|(site, key)| {
            let label = anonymiser.label(&site).unwrap_or_default().to_string();
            let files = site_files.remove(&site).unwrap_or_default();
            (site, crate::partitions::SiteEntry { key, label, files })
        })
        .collect();
    summary.partitions = Some(manifest);
    Ok(Artifact::Clean(Box::new(CleanStudy {
        config: raw.inputs.config.clone(),
        framework: raw.inputs.framework.clone(),
        labels: raw.inputs.labels.clone(),
        tables,
    })))
}

/// The redaction kinds the stage's settings leave on.
fn redaction_kinds(
    stage: &Stage,
    settings: &crate::settings::AnonymiseSettings,
) -> Result<anonymise::RedactionKinds, PipelineError> {
    let mut kinds = anonymise::RedactionKinds::all();
    for code in &settings.disable_redaction {
        let kind = anonymise::Kind::ALL
            .into_iter()
            .find(|k| k.code() == code)
            .ok_or_else(|| {
                stage_error(stage, format!("disable_redaction: unknown kind `{code}`"))
            })?;
        kinds = kinds.without(kind);
    }
    Ok(kinds)
}

fn patterns_settings(
    clean: &CleanStudy,
    adjust: impl FnOnce(&mut patterns::Settings),
) -> patterns::Settings {
    let mut settings = patterns::Settings {
        factors: clean
            .framework
            .factor_codes()
            .into_iter()
            .map(String::from)
            .collect(),
        // The study's outcomes, never the demo's list (the default).
        outcomes: clean
            .framework
            .outcomes
            .iter()
            .map(|o| o.code.clone())
            .collect(),
        min_cell: clean.config.disclosure.min_cell,
        quote_label: clean.config.disclosure.quote_label.clone(),
        labels: clean.labels.clone(),
        ..Default::default()
    };
    adjust(&mut settings);
    settings
}

/// The mixed-methods tables' settings from the study: themes (factors,
/// outcomes, `bme`), disclosure and the study's words for its groups.
fn mixed_settings(clean: &CleanStudy) -> mixed::Settings {
    let framework = &clean.framework;
    mixed::Settings {
        themes: framework
            .factor_codes()
            .into_iter()
            .map(String::from)
            .chain(framework.outcomes.iter().map(|o| o.code.clone()))
            .chain([qualitative::BME_THEME.to_string()])
            .collect(),
        min_cell: clean.config.disclosure.min_cell,
        quote_label: clean.config.disclosure.quote_label.clone(),
        labels: clean.labels.clone(),
        ..Default::default()
    }
}

impl RawStudy {
    fn tables_has_site(&self, site_id: &str) -> bool {
        use arrow_array::cast::AsArray;
        let sites = &self.tables.sites;
        let (Some(site), Some(has)) = (
            sites.column_by_name("site"),
            sites.column_by_name("has_data"),
        ) else {
            return false;
        };
        let site = site.as_string::<i32>();
        let has = has.as_boolean();
        (0..sites.num_rows()).any(|i| site.value(i) == site_id && has.value(i))
    }
}

/// Renders a report stage and stages its files, by path under the output
/// folder. Site packs are staged as they are rendered, never all held.
fn render_report(
    stage: &Stage,
    input: &report::ReportInput,
    staging: &mut Staging,
) -> Result<(), PipelineError> {
    let failed = |e: report::ReportError| stage_error(stage, e.to_string());
    let under = |staging: &mut Staging,
                 folder: &str,
                 files: Vec<(String, String)>|
     -> Result<(), PipelineError> {
        for (name, text) in files {
            staging.write(&format!("report/{folder}/{name}"), text.as_bytes())?;
        }
        Ok(())
    };
    match &stage.settings {
        StageSettings::Report(s) => {
            let text = report::synthesis_markdown(input).map_err(failed)?;
            staging.write(&format!("report/{}", s.file), text.as_bytes())
        }
        StageSettings::ReportHtml(s) => {
            let text = report::synthesis_html(input).map_err(failed)?;
            staging.write(&format!("report/{}", s.file), text.as_bytes())
        }
        StageSettings::SitePacks(_) => {
            let mut write_error = None;
            let rendered = report::site_packs_each(input, &mut |name, text| {
                staging
                    .write(&format!("report/sites/{name}"), text.as_bytes())
                    .map_err(|e| {
                        let message = e.to_string();
                        write_error = Some(e);
                        report::ReportError::Output(message)
                    })
            });
            match (rendered, write_error) {
                (_, Some(e)) => Err(e),
                (result, None) => result.map_err(failed),
            }
        }
        StageSettings::Handbook(_) => under(
            staging,
            "handbook",
            report::handbook(input).map_err(failed)?,
        ),
        StageSettings::Workbook(s) => staging.write(
            &format!("report/{}", s.file),
            &report::workbook_with(input, s.writer.writer()).map_err(failed)?,
        ),
        _ => Ok(()),
    }
}

/// What every report stage renders from: the study's settings and framework,
/// the clean sites table, and the result tables among the stage's inputs.
fn report_input<'a>(
    plan: &'a Plan,
    stage: &Stage,
    clean: &'a CleanStudy,
    artifacts: &'a BTreeMap<String, Artifact>,
) -> report::ReportInput<'a> {
    let mut tables = tables_of(stage, artifacts);
    tables.insert("sites".to_string(), &clean.tables.sites);
    tables.insert("workshop_notes".to_string(), &clean.tables.workshop_notes);
    tables.insert(
        "workshop_verdicts".to_string(),
        &clean.tables.workshop_verdicts,
    );
    report::ReportInput {
        study_name: &clean.config.study.name,
        framework: &clean.framework,
        labels: &clean.labels,
        min_cell: clean.config.disclosure.min_cell,
        pipeline_name: &plan.name,
        methods: stage_methods(plan),
        demo_key: clean.config.key.demo,
        tables,
    }
}

/// Every stage of the plan as the report's methods section describes it.
fn stage_methods(plan: &Plan) -> Vec<report::StageMethod> {
    plan.stages
        .iter()
        .map(|s| report::StageMethod {
            id: s.id.clone(),
            kind: s.run.clone(),
            from: s.from.clone(),
            text: s.method.clone(),
            settings: s.settings_shown(),
        })
        .collect()
}
