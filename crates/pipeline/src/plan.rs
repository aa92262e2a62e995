//! Pipeline files: raw TOML becomes a checked [`Plan`] in one place.
//!
//! A pipeline file has one `[pipeline]` table and a list of `[[stage]]`
//! tables. Each stage names its `id`, what it `run`s and what it reads
//! (`from`); every other key is a setting of that kind of stage. Settings
//! are checked here, against the kind's own settings type, so that an
//! unknown or misspelt key is an error naming the file, the line and the
//! keys that are allowed, before any data is read.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use toml::{Spanned, Table};

use model::Diagnostic;
use model::framework::line_col;

use crate::settings::StageSettings;

/// A checked pipeline, ready to run.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub name: String,
    /// Default study folder (relative to the current directory); `--study` overrides.
    pub study: Option<String>,
    /// Default output folder; `--out` overrides.
    pub out: Option<String>,
    pub stages: Vec<Stage>,
    /// The pipeline file's text, for the methods section and cache keys.
    pub source: String,
    pub path: String,
}

impl Plan {
    /// The settings of the study stage: which exports it reads.
    pub fn ingest_settings(&self) -> crate::settings::IngestSettings {
        self.stages
            .iter()
            .find_map(|s| match &s.settings {
                StageSettings::Ingest(i) => Some(i.clone()),
                _ => None,
            })
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    pub id: String,
    pub run: String,
    pub from: Vec<String>,
    pub settings: StageSettings,
    /// The stage's settings as canonical JSON (sorted keys): part of its cache key.
    pub canonical: String,
    pub line: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    pipeline: Spanned<RawHeader>,
    #[serde(rename = "stage", default)]
    stages: Vec<Spanned<Table>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    name: String,
    study: Option<String>,
    out: Option<String>,
}

/// Parse and check a pipeline file. Every problem found is returned.
pub fn parse(text: &str, path: &str) -> Result<Plan, Vec<Diagnostic>> {
    let raw: RawFile = toml::from_str(text)
        .map_err(|e| vec![model::framework::toml_diagnostic(path, text, &e)])?;
    let header = raw.pipeline.into_inner();
    let mut problems = Vec::new();
    let mut stages: Vec<Stage> = Vec::new();
    // Every stage id seen, even of stages with errors, so that one mistake
    // is reported once and not again by every stage that reads from it.
    let mut ids: Vec<String> = Vec::new();
    for spanned in raw.stages {
        let span = spanned.span();
        let (line, _) = line_col(text, span.start);
        let mut table = spanned.into_inner();
        let id = take_string(&mut table, "id");
        let run = take_string(&mut table, "run");
        let from = take_string_list(&mut table, "from");
        let (Some(id), Some(run)) = (id, run) else {
            problems.push(Diagnostic::error(
                path,
                line,
                1,
                "a [[stage]] needs `id = \"...\"` and `run = \"...\"`",
            ));
            continue;
        };
        let Some(from) = from else {
            problems.push(Diagnostic::error(
                path,
                line,
                1,
                format!(
                    "stage `{id}`: `from` must be a list of stage ids, like from = [\"clean\"]"
                ),
            ));
            continue;
        };
        if ids.contains(&id) {
            problems.push(Diagnostic::error(
                path,
                line,
                1,
                format!("stage id `{id}` is used twice"),
            ));
            continue;
        }
        for input in &from {
            if !ids.contains(input) {
                problems.push(Diagnostic::error(
                    path,
                    line,
                    1,
                    format!(
                        "stage `{id}` reads from `{input}`, which is not a stage defined above it"
                    ),
                ));
            }
        }
        ids.push(id.clone());
        let canonical = canonical_json(&table);
        match StageSettings::parse(&run, table) {
            Ok(settings) => stages.push(Stage {
                id,
                run,
                from,
                settings,
                canonical,
                line,
            }),
            Err(SettingsError::UnknownKind) => problems.push(Diagnostic::error(
                path,
                line,
                1,
                format!(
                    "stage `{id}`: unknown run `{run}`; expected one of {}",
                    crate::settings::KINDS
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
            Err(SettingsError::Invalid { key, message }) => {
                // The span covers the `[[stage]]` header only: the stage's
                // keys run from there to the next table header.
                let end = text[span.end..]
                    .find("\n[")
                    .map(|i| span.end + i)
                    .unwrap_or(text.len());
                let stage_text = &text[span.start..end];
                let (line, column) = key
                    .as_deref()
                    .and_then(|k| find_key(stage_text, k))
                    .map(|offset| line_col(text, span.start + offset))
                    .unwrap_or((line, 1));
                problems.push(Diagnostic::error(
                    path,
                    line,
                    column,
                    format!("stage `{id}` ({run}): {message}"),
                ));
            }
        }
    }
    if stages.is_empty() && problems.is_empty() {
        problems.push(Diagnostic::error(
            path,
            1,
            1,
            "the pipeline has no [[stage]]",
        ));
    }
    if problems.is_empty() && stages.last().is_some_and(|s| s.run != "guard.leaks") {
        // Fail closed: nothing is published unless the leak guard has scanned it.
        problems.push(Diagnostic::error(
            path,
            stages.last().map(|s| s.line).unwrap_or(1),
            1,
            "the last stage of a pipeline must be the leak guard (run = \"guard.leaks\"), so that every output is scanned before it is published",
        ));
    }
    if problems.is_empty() {
        Ok(Plan {
            name: header.name,
            study: header.study,
            out: header.out,
            stages,
            source: text.to_string(),
            path: path.to_string(),
        })
    } else {
        Err(problems)
    }
}

pub(crate) enum SettingsError {
    UnknownKind,
    Invalid {
        key: Option<String>,
        message: String,
    },
}

/// Deserialize a stage's settings table into `T`, turning serde's unknown
/// field message into one that lists every allowed key.
pub(crate) fn settings_from<T: DeserializeOwned>(table: Table) -> Result<T, SettingsError> {
    toml::Value::Table(table).try_into::<T>().map_err(|e| {
        let message = e.message().trim().to_string();
        // serde: "unknown field `x`, expected one of `a`, `b`" or "expected `a`"
        if let Some(rest) = message.strip_prefix("unknown field `") {
            let key = rest.split('`').next().unwrap_or_default().to_string();
            let expected = rest
                .split_once(", expected ")
                .map(|(_, e)| e)
                .unwrap_or("no settings");
            // serde says "`a` or `b`" for two, "one of `a`, `b`, `c`" for more.
            let expected = expected
                .trim_start_matches("one of ")
                .replace("` or `", "`, `");
            let allowed = format!("`id`, `run`, `from`, {expected}");
            SettingsError::Invalid {
                key: Some(key.clone()),
                message: format!("unknown key `{key}`; the keys allowed here are {allowed}"),
            }
        } else {
            SettingsError::Invalid { key: None, message }
        }
    })
}

fn take_string(table: &mut Table, key: &str) -> Option<String> {
    match table.remove(key)? {
        toml::Value::String(s) => Some(s),
        _ => None,
    }
}

fn take_string_list(table: &mut Table, key: &str) -> Option<Vec<String>> {
    match table.remove(key) {
        None => Some(Vec::new()),
        Some(toml::Value::Array(items)) => items
            .into_iter()
            .map(|v| match v {
                toml::Value::String(s) => Some(s),
                _ => None,
            })
            .collect(),
        Some(_) => None,
    }
}

/// Byte offset of `key = ` at the start of a line within a stage's text.
fn find_key(stage_text: &str, key: &str) -> Option<usize> {
    let mut offset = 0;
    for line in stage_text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key)
            && rest.trim_start().starts_with('=')
        {
            return Some(offset + (line.len() - trimmed.len()));
        }
        offset += line.len();
    }
    None
}

/// Settings as JSON with sorted keys: the same settings always hash the same.
fn canonical_json(table: &Table) -> String {
    fn value(v: &toml::Value) -> serde_json::Value {
        match v {
            toml::Value::String(s) => serde_json::Value::String(s.clone()),
            toml::Value::Integer(i) => serde_json::Value::from(*i),
            toml::Value::Float(f) => serde_json::Value::from(*f),
            toml::Value::Boolean(b) => serde_json::Value::Bool(*b),
            toml::Value::Datetime(d) => serde_json::Value::String(d.to_string()),
            toml::Value::Array(a) => serde_json::Value::Array(a.iter().map(value).collect()),
            toml::Value::Table(t) => {
                let sorted: std::collections::BTreeMap<_, _> =
                    t.iter().map(|(k, v)| (k.clone(), value(v))).collect();
                serde_json::Value::Object(sorted.into_iter().collect())
            }
        }
    }
    let sorted: std::collections::BTreeMap<_, _> =
        table.iter().map(|(k, v)| (k.clone(), value(v))).collect();
    serde_json::to_string(&sorted).unwrap_or_default()
}
