//! Pipeline files: raw TOML becomes a checked [`Plan`] in one place.
//!
//! A pipeline file has one `[pipeline]` table and a list of `[[stage]]`
//! tables. Each stage names its `id`, what it `run`s (a kind of the
//! registry, `kinds.rs`) and what it reads (`from`); every other key is a
//! setting of that kind. Everything is checked here, before any data is
//! read: every setting against the values it allows, and `from` against
//! what the kind needs (by kind, in any order). Each problem names the
//! file, the line and column of the value at fault, and what is allowed;
//! all are reported at once.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue, Deserializer, ValueDeserializer};

use model::Diagnostic;
use model::framework::line_col;

use crate::kinds::{Kind, Makes, Refused};
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
    /// The pipeline file's text, published as `pipeline.toml`.
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

    /// The clean tables the `anonymise` stage `id` makes and publishes:
    /// every table without free text, and a table of free text
    /// (`model::schema::FREE_TEXT`) only when a stage reading this one
    /// reads it (`Kind::reads`). Redacting text nobody reads is most of
    /// what anonymising would cost, and what is not made is not published.
    pub fn clean_tables(&self, id: &str) -> BTreeSet<&'static str> {
        let read: BTreeSet<&str> = self
            .stages
            .iter()
            .filter(|s| s.from.iter().any(|f| f == id))
            .flat_map(|s| s.kind.reads().iter().map(|(table, _)| *table))
            .collect();
        model::StudyTables::empty()
            .named()
            .into_iter()
            .map(|(name, _)| name)
            .filter(|name| !model::schema::is_free_text(name) || read.contains(name))
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    pub id: String,
    pub run: String,
    /// Its kind, from the registry.
    pub kind: &'static Kind,
    pub from: Vec<String>,
    /// The stage in `from` that fills each of the kind's needs, by role
    /// (`matrix` -> `pattern_matrix`).
    pub inputs: BTreeMap<&'static str, String>,
    pub settings: StageSettings,
    /// Every setting, defaults included, as canonical JSON (sorted keys):
    /// part of its cache key, and what provenance records.
    pub canonical: String,
    /// What the stage does, with every setting in words.
    pub method: String,
    pub line: u32,
}

impl Stage {
    /// The stage filling one of the kind's needs (`matrix`).
    pub fn input(&self, role: &str) -> Option<&str> {
        self.inputs.get(role).map(String::as_str)
    }

    /// Every setting, defaults included, as `key = value` in TOML, by key.
    pub fn settings_shown(&self) -> Vec<(String, String)> {
        match serde_json::from_str(&self.canonical) {
            Ok(serde_json::Value::Object(map)) => map
                .iter()
                .map(|(k, v)| (k.clone(), toml_value(v)))
                .collect(),
            _ => Vec::new(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    name: String,
    study: Option<String>,
    out: Option<String>,
}

/// A problem at a place in the pipeline file.
struct Problems<'a> {
    text: &'a str,
    path: &'a str,
    found: Vec<Diagnostic>,
}

impl Problems<'_> {
    fn at(&mut self, offset: usize, message: impl Into<String>) {
        let (line, column) = line_col(self.text, offset);
        self.found
            .push(Diagnostic::error(self.path, line, column, message));
    }
    fn toml(&mut self, e: &toml::de::Error) {
        self.found
            .push(model::framework::toml_diagnostic(self.path, self.text, e));
    }
}

/// Parse and check a pipeline file. Every problem found is returned.
pub fn parse(text: &str, path: &str) -> Result<Plan, Vec<Diagnostic>> {
    let mut problems = Problems {
        text,
        path,
        found: Vec::new(),
    };
    let root = DeTable::parse(text).map_err(|e| {
        problems.toml(&e);
        std::mem::take(&mut problems.found)
    })?;
    let mut root = root.into_inner();
    let header = root.remove("pipeline");
    let stage_list = root.remove("stage");
    for (key, _) in root.iter() {
        problems.at(
            key.span().start,
            format!(
                "unknown field `{}`, expected `pipeline` or `stage`",
                key.get_ref()
            ),
        );
    }
    let header = match header {
        Some(value) => match RawHeader::deserialize(ValueDeserializer::from(value)) {
            Ok(header) => Some(header),
            Err(e) => {
                problems.toml(&e);
                None
            }
        },
        None => {
            problems.at(0, "missing field `pipeline`: a pipeline file starts with a [pipeline] table with `name = \"...\"`");
            None
        }
    };
    let mut stages: Vec<Stage> = Vec::new();
    // Every stage seen, even one with errors, with its kind when known, so
    // that one mistake is reported once and not again by every stage that
    // reads from it.
    let mut seen: Vec<(String, Option<&'static Kind>)> = Vec::new();
    let items = match stage_list.map(|s| (s.span(), s.into_inner())) {
        None => Vec::new(),
        Some((_, DeValue::Array(items))) => items.into_iter().collect(),
        Some((span, _)) => {
            problems.at(span.start, "`stage` must be a list of [[stage]] tables");
            Vec::new()
        }
    };
    for item in items {
        let span = item.span();
        let DeValue::Table(table) = item.into_inner() else {
            problems.at(span.start, "a stage must be a [[stage]] table");
            continue;
        };
        if let Some(stage) = stage(&mut problems, span, table, &mut seen) {
            stages.push(stage);
        }
    }
    if stages.is_empty() && problems.found.is_empty() {
        problems.at(0, "the pipeline has no [[stage]]");
    }
    check_places(&mut problems, &stages);
    if problems.found.is_empty()
        && let Some(last) = stages.last()
        && last.kind.makes != Makes::Guard
    {
        // Fail closed: nothing is published unless the leak guard has scanned it.
        problems.found.push(Diagnostic::error(
            path,
            last.line,
            1,
            "the last stage of a pipeline must be the leak guard (run = \"guard.leaks\"), so that every output is scanned before it is published",
        ));
    }
    match header {
        Some(header) if problems.found.is_empty() => Ok(Plan {
            name: header.name,
            study: header.study,
            out: header.out,
            stages,
            source: text.to_string(),
            path: path.to_string(),
        }),
        _ => Err(problems.found),
    }
}

/// One `[[stage]]`: its id, kind, `from` and settings, each checked.
fn stage(
    problems: &mut Problems<'_>,
    span: Range<usize>,
    mut table: DeTable<'_>,
    seen: &mut Vec<(String, Option<&'static Kind>)>,
) -> Option<Stage> {
    let (line, _) = line_col(problems.text, span.start);
    let id = table.remove("id");
    let run = table.remove("run");
    let from = table.remove("from");
    let (Some((id, id_at)), Some((run, run_at))) = (
        id.as_ref()
            .and_then(|v| v.get_ref().as_str().map(|s| (s, v.span().start))),
        run.as_ref()
            .and_then(|v| v.get_ref().as_str().map(|s| (s, v.span().start))),
    ) else {
        problems.at(
            span.start,
            "a [[stage]] needs `id = \"...\"` and `run = \"...\"`",
        );
        return None;
    };
    if seen.iter().any(|(seen, _)| seen == id) {
        problems.at(id_at, format!("stage id `{id}` is used twice"));
        return None;
    }
    let mut ok = true;
    if !is_plain_id(id) {
        problems.at(
            id_at,
            format!(
                "stage id `{id}` names the stage's files (tables/{id}.csv); expected letters, digits, `_` or `-`"
            ),
        );
        ok = false;
    }
    let kind = Kind::named(run);
    seen.push((id.to_string(), kind));
    let Some(kind) = kind else {
        problems.at(
            run_at,
            format!(
                "stage `{id}`: unknown run `{run}`; expected one of {}",
                crate::kinds::KINDS
                    .iter()
                    .map(|k| format!("`{}`", k.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
        return None;
    };
    let from = read_from(problems, id, &span, from);
    let inputs = from
        .as_ref()
        .and_then(|from| resolve_from(problems, id, kind, from, &span, seen));
    let places: Places = table
        .iter()
        .map(|(key, value)| {
            let items = match value.get_ref() {
                DeValue::Array(items) => items.iter().map(Spanned::span).collect(),
                _ => Vec::new(),
            };
            (key.get_ref().to_string(), (value.span(), items))
        })
        .collect();
    let parsed = match kind.parse(Deserializer::from(Spanned::new(span.clone(), table))) {
        Ok(parsed) => Some(parsed),
        Err(refused) => {
            for refusal in refused {
                settings_problem(problems, id, run, &span, &places, refusal);
            }
            None
        }
    };
    let (Some(parsed), Some((from, inputs)), true) = (parsed, inputs, ok) else {
        return None;
    };
    let method = std::iter::once(kind.method.to_string())
        .chain(parsed.words)
        .collect::<Vec<_>>()
        .join(" ");
    Some(Stage {
        id: id.to_string(),
        run: run.to_string(),
        kind,
        from,
        inputs,
        settings: parsed.settings,
        canonical: canonical_json(&parsed.resolved),
        method,
        line,
    })
}

/// Stage ids name files (`tables/<id>.csv`): plain names only.
fn is_plain_id(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
}

/// `from`: a list of stage ids, each with where it is written.
type From = Vec<(String, Range<usize>)>;

/// `from` resolved: its ids, and the stage filling each need, by role.
type Resolved = (Vec<String>, BTreeMap<&'static str, String>);

/// Where each setting's value is, and each item of a list.
type Places = BTreeMap<String, (Range<usize>, Vec<Range<usize>>)>;

fn read_from(
    problems: &mut Problems<'_>,
    id: &str,
    span: &Range<usize>,
    from: Option<Spanned<DeValue<'_>>>,
) -> Option<(From, Range<usize>)> {
    let Some(from) = from else {
        return Some((Vec::new(), span.clone()));
    };
    let from_span = from.span();
    let ids: Option<From> = match from.into_inner() {
        DeValue::Array(items) => items
            .into_iter()
            .map(|item| {
                let at = item.span();
                item.get_ref().as_str().map(|s| (s.to_string(), at))
            })
            .collect(),
        _ => None,
    };
    match ids {
        Some(ids) => Some((ids, from_span)),
        None => {
            problems.at(
                from_span.start,
                format!(
                    "stage `{id}`: `from` must be a list of stage ids, like from = [\"clean\"]"
                ),
            );
            None
        }
    }
}

/// Check `from` against what the kind needs: each need filled by exactly
/// one stage of its kind, in any order; nothing else, but table stages
/// for a report. Returns the ids and each need's stage.
fn resolve_from(
    problems: &mut Problems<'_>,
    id: &str,
    kind: &'static Kind,
    (from, from_span): &(From, Range<usize>),
    span: &Range<usize>,
    seen: &[(String, Option<&'static Kind>)],
) -> Option<Resolved> {
    let before = problems.found.len();
    let above = &seen[..seen.len() - 1];
    let kind_of = |input: &str| above.iter().find(|(s, _)| s == input).map(|(_, k)| *k);
    let mut unknown_kind = false;
    for (i, (input, at)) in from.iter().enumerate() {
        match kind_of(input) {
            None => problems.at(
                at.start,
                format!("stage `{id}` reads from `{input}`, which is not a stage defined above it"),
            ),
            Some(None) => unknown_kind = true,
            Some(Some(_)) if from[..i].iter().any(|(s, _)| s == input) => problems.at(
                at.start,
                format!("stage `{id}` lists `{input}` twice in `from`"),
            ),
            Some(Some(_)) => {}
        }
    }
    if problems.found.len() > before || unknown_kind {
        return None;
    }
    let where_from = if from.is_empty() {
        span.start
    } else {
        from_span.start
    };
    let mut inputs = BTreeMap::new();
    for need in kind.needs {
        let filling: Vec<&(String, Range<usize>)> = from
            .iter()
            .filter(|(input, _)| {
                kind_of(input)
                    .flatten()
                    .is_some_and(|k| k.name == need.kind)
            })
            .collect();
        match filling.as_slice() {
            [(input, _)] => {
                inputs.insert(need.role, input.clone());
            }
            [] => {
                let candidates: Vec<String> = above
                    .iter()
                    .filter(|(_, k)| k.is_some_and(|k| k.name == need.kind))
                    .map(|(s, _)| format!("`{s}`"))
                    .collect();
                problems.at(
                    where_from,
                    format!(
                        "stage `{id}` ({}) needs {} `{}` stage in `from`; {}",
                        kind.name,
                        article(need.kind),
                        need.kind,
                        if candidates.is_empty() {
                            "there is none above it".to_string()
                        } else {
                            format!("above it: {}", candidates.join(", "))
                        }
                    ),
                );
            }
            [_, (second, at), ..] => problems.at(
                at.start,
                format!(
                    "stage `{id}` ({}) reads one `{}` stage; `from` names `{}` and `{second}`",
                    kind.name, need.kind, filling[0].0
                ),
            ),
        }
    }
    for (input, at) in from {
        let Some(Some(input_kind)) = kind_of(input) else {
            continue;
        };
        let needed = kind.needs.iter().any(|n| n.kind == input_kind.name);
        let table = kind.reads_tables && input_kind.makes == Makes::Table;
        if !needed && !table {
            problems.at(
                at.start,
                format!(
                    "stage `{id}` ({}) does not read `{input}` ({}); it reads {}",
                    kind.name,
                    input_kind.name,
                    what_it_reads(kind)
                ),
            );
        }
    }
    (problems.found.len() == before).then(|| {
        (
            from.iter().map(|(input, _)| input.clone()).collect(),
            inputs,
        )
    })
}

/// "a" or "an", before a kind's name.
fn article(name: &str) -> &'static str {
    if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// "one `anonymise` stage and any table stages".
fn what_it_reads(kind: &Kind) -> String {
    let mut parts: Vec<String> = kind
        .needs
        .iter()
        .map(|n| format!("one `{}` stage", n.kind))
        .collect();
    if kind.reads_tables {
        parts.push("any stages that make a table".into());
    }
    match parts.as_slice() {
        [] => "no other stage (`from` stays empty)".into(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// A refused setting, at its value (or the item of a list at fault).
fn settings_problem(
    problems: &mut Problems<'_>,
    id: &str,
    run: &str,
    span: &Range<usize>,
    places: &Places,
    refused: Refused,
) {
    match refused {
        Refused::Value(refusal) => {
            let at = places
                .get(refusal.key)
                .map(|(value, items)| {
                    refusal
                        .item
                        .and_then(|i| items.get(i))
                        .unwrap_or(value)
                        .start
                })
                .unwrap_or(span.start);
            problems.at(
                at,
                format!(
                    "stage `{id}` ({run}): `{}`: {}",
                    refusal.key, refusal.message
                ),
            );
        }
        Refused::Toml(e) => {
            let at = e.span().map(|s| s.start).unwrap_or(span.start);
            let message = e.message().trim();
            let message = match message.strip_prefix("unknown field `") {
                Some(rest) => unknown_key(rest),
                None => {
                    // Name the setting whose value is at fault.
                    match places.iter().find(|(_, (value, _))| value.contains(&at)) {
                        Some((key, _)) => format!("`{key}`: {message}"),
                        None => message.to_string(),
                    }
                }
            };
            problems.at(at, format!("stage `{id}` ({run}): {message}"));
        }
    }
}

/// serde's "unknown field `x`, expected one of `a`, `b`" as a message that
/// lists every key allowed in a stage.
fn unknown_key(rest: &str) -> String {
    let key = rest.split('`').next().unwrap_or_default();
    let expected = rest
        .split_once(", expected ")
        .map(|(_, e)| e)
        .unwrap_or("no settings");
    // serde says "`a` or `b`" for two, "one of `a`, `b`, `c`" for more,
    // and "there are no fields" for none.
    let expected = expected
        .trim_start_matches("one of ")
        .replace("` or `", "`, `");
    let allowed = if expected.starts_with('`') {
        format!("`id`, `run`, `from`, {expected}")
    } else {
        "`id`, `run`, `from` (this kind of stage has no settings)".to_string()
    };
    format!("unknown key `{key}`; the keys allowed here are {allowed}")
}

/// Two stages may not write the same place: the second would overwrite
/// the first's outputs.
fn check_places(problems: &mut Problems<'_>, stages: &[Stage]) {
    let mut written: BTreeMap<String, &str> = BTreeMap::new();
    for stage in stages {
        for place in places(stage) {
            if let Some(first) = written.get(&place) {
                problems.found.push(Diagnostic::error(
                    problems.path,
                    stage.line,
                    1,
                    format!(
                        "stage `{}` writes {place}, which stage `{first}` writes too",
                        stage.id
                    ),
                ));
            } else {
                written.insert(place, &stage.id);
            }
        }
    }
}

/// The files or folders of the output folder a stage writes.
fn places(stage: &Stage) -> Vec<String> {
    match (&stage.settings, stage.kind.makes) {
        (_, Makes::Table) => vec![format!("tables/{}.*", stage.id)],
        (_, Makes::CleanStudy) => vec!["data/".into()],
        (_, Makes::Guard) => vec![
            "pipeline.toml".into(),
            "provenance.json".into(),
            "ro-crate-metadata.json".into(),
        ],
        (StageSettings::Report(f) | StageSettings::ReportHtml(f), _) => {
            vec![format!("report/{}", f.file)]
        }
        (StageSettings::Workbook(w), _) => vec![format!("report/{}", w.file)],
        (StageSettings::SitePacks(_), _) => vec!["report/sites/".into()],
        (StageSettings::Handbook(_), _) => vec!["report/handbook/".into()],
        _ => Vec::new(),
    }
}

/// Settings as JSON with sorted keys: the same settings always hash the same.
fn canonical_json(value: &serde_json::Value) -> String {
    fn sorted(v: &serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::Object(map) => {
                let map: BTreeMap<&String, serde_json::Value> =
                    map.iter().map(|(k, v)| (k, sorted(v))).collect();
                serde_json::Value::Object(map.into_iter().map(|(k, v)| (k.clone(), v)).collect())
            }
            serde_json::Value::Array(items) => {
                serde_json::Value::Array(items.iter().map(sorted).collect())
            }
            other => other.clone(),
        }
    }
    serde_json::to_string(&sorted(value)).unwrap_or_default()
}

/// A JSON setting as it is written in a pipeline file.
fn toml_value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Array(items) => format!(
            "[{}]",
            items.iter().map(toml_value).collect::<Vec<_>>().join(", ")
        ),
        other => other.to_string(),
    }
}
