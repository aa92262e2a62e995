//! The run as a Workflow Run RO-Crate (`ro-crate-metadata.json`), following
//! the Provenance Run Crate profile 0.5 (and the Workflow Run Crate,
//! Process Run Crate, Workflow RO-Crate 1.0 and RO-Crate 1.1 it builds on):
//! the pipeline file is the workflow, its stages are steps, each stage run
//! is a `CreateAction` with the files it read and wrote. The licence and
//! publication date come from `study.toml` (`[publication]`), never from
//! the clock; no times at all (they stay in the run ledger), so the crate is
//! byte-identical from run to run. The RO-Crate project's validator
//! (`rocrate-validator`) accepts it: `tests/e2e/validators.rs`.

use std::collections::BTreeMap;

use model::{Diagnostic, Publication};
use serde_json::{Value, json};

use crate::plan::Plan;
use crate::settings::StageSettings;

/// The profiles the crate conforms to, as (id, name).
const PROFILES: [(&str, &str); 4] = [
    ("https://w3id.org/ro/wfrun/process/0.5", "Process Run Crate"),
    (
        "https://w3id.org/ro/wfrun/workflow/0.5",
        "Workflow Run Crate",
    ),
    (
        "https://w3id.org/ro/wfrun/provenance/0.5",
        "Provenance Run Crate",
    ),
    (
        "https://w3id.org/workflowhub/workflow-ro-crate/1.0",
        "Workflow RO-Crate",
    ),
];

const RO_CRATE_CONTEXT: &str = "https://w3id.org/ro/crate/1.1/context";
/// `sha256` is not a term of the RO-Crate 1.1 context: it is the Workflow
/// Run terms' (`https://w3id.org/ro/terms/workflow-run/context`), named
/// here so that no second context has to be fetched to read the crate.
const SHA256_TERM: &str = "https://w3id.org/ro/terms/workflow-run#sha256";

fn id(s: &str) -> Value {
    json!({ "@id": s })
}

/// A list of references, as RO-Crate 1.1 recommends: a single value when
/// there is one, an array otherwise.
fn ids<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> Value {
    let mut list: Vec<Value> = items.into_iter().map(|s| id(s.as_ref())).collect();
    if list.len() == 1 {
        list.remove(0)
    } else {
        Value::Array(list)
    }
}

/// What one stage read and wrote, as paths: output-folder files by their
/// relative path, study files as `study:<relative path>`.
#[derive(Debug, Clone, Default)]
pub struct StageFiles {
    pub read: Vec<String>,
    pub wrote: Vec<String>,
}

fn entity_id(path: &str) -> String {
    match path.strip_prefix("study:") {
        Some(rel) => format!("#study/{rel}"),
        None => match crate::partitions::parse_partition_rel(path) {
            // A site partition is part of its table's folder, the entity
            // the crate describes (one per table, not one per site).
            Some((table, _)) => crate::partitions::table_rel(table),
            None => path.to_string(),
        },
    }
}

/// The crate's entities for a list of paths, each once, in order.
fn entity_ids<'a>(paths: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    paths
        .into_iter()
        .map(|p| entity_id(p))
        .filter(|e| seen.insert(e.clone()))
        .collect()
}

/// The media type of a file the pipeline reads or writes, by extension.
pub fn media_type(path: &str) -> Option<&'static str> {
    let extension = path.rsplit_once('.').map(|(_, e)| e)?;
    Some(match extension.to_ascii_lowercase().as_str() {
        "csv" => "text/csv",
        "parquet" => "application/vnd.apache.parquet",
        "html" => "text/html",
        "md" => "text/markdown",
        "json" => "application/json",
        "toml" => "application/toml",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "lock" | "txt" => "text/plain",
        "svg" => "image/svg+xml",
        "zip" | "qdpx" => "application/zip",
        _ => return None,
    })
}

/// What `[publication]` of `study.toml` leaves out, in its own words
/// (`license`, `date_published`).
fn missing(publication: &Publication) -> Vec<&'static str> {
    let mut missing = Vec::new();
    if publication.license.is_none() {
        missing.push("license");
    }
    if publication.date_published.is_none() {
        missing.push("date_published");
    }
    missing
}

/// A warning for each run of a study whose `study.toml` does not say how
/// its outputs are published: the crate then says so, and RO-Crate 1.1
/// (which requires a licence and a publication date) is not met.
pub fn publication_warning(publication: &Publication) -> Option<Diagnostic> {
    let missing = missing(publication);
    if missing.is_empty() {
        return None;
    }
    Some(Diagnostic::warning(
        "study.toml",
        0,
        0,
        format!(
            "[publication] has no {}: ro-crate-metadata.json will say that none was given, \
             and RO-Crate validators will reject it (RO-Crate 1.1 requires a licence and a \
             publication date); add them, e.g. `license = \"CC-BY-4.0\"` and \
             `date_published = \"2026-11-30\"` (data-schema/LAYOUT.md)",
            missing.join(" and no ")
        ),
    ))
}

/// `ro-crate-metadata.json` for a run. `outputs` maps every output file
/// (relative path) to its sha256; `study_files` the study files read;
/// `stages` what each stage that has finished read and wrote. The one
/// stage not among them is the one writing this crate, the leak guard
/// (always last): it scans every output, and writes the run's own records
/// (the outputs no other stage wrote, and this crate).
pub fn metadata(
    plan: &Plan,
    stages: &BTreeMap<String, StageFiles>,
    outputs: &BTreeMap<String, String>,
    study_files: &[(String, String)],
    publication: &Publication,
) -> String {
    let mut graph: Vec<Value> = Vec::new();
    graph.push(json!({
        "@id": "ro-crate-metadata.json",
        "@type": "CreativeWork",
        "conformsTo": [id("https://w3id.org/ro/crate/1.1"), id("https://w3id.org/workflowhub/workflow-ro-crate/1.0")],
        "about": id("./"),
    }));
    let mut description = String::from(
        "Outputs of a crosscase synthesis: tables, report and de-identified data, with the \
         provenance of every figure (provenance.json) and a Frictionless Data Package of the \
         tables (datapackage.json).",
    );
    let missing = missing(publication);
    if !missing.is_empty() {
        description.push_str(&format!(
            " study.toml gave no {} ([publication]): this crate has none, and does not meet \
             RO-Crate 1.1, which requires a licence and a publication date.",
            missing.join(" and no ")
        ));
    }
    let mut mentions = vec![String::from("#run")];
    mentions.extend(plan.stages.iter().map(|s| format!("#run-{}", s.id)));
    let mut root = json!({
        "@id": "./",
        "@type": "Dataset",
        "name": format!("crosscase run of the pipeline `{}`", plan.name),
        "description": description,
        "conformsTo": ids(PROFILES.iter().map(|(p, _)| p)),
        "hasPart": ids(entity_ids(outputs.keys())),
        "mainEntity": id("pipeline.toml"),
        "mentions": ids(&mentions),
    });
    if let Some(license) = &publication.license {
        root["license"] = id(&license.url());
    }
    if let Some(date) = &publication.date_published {
        root["datePublished"] = json!(date.as_str());
    }
    graph.push(root);
    for (profile, name) in PROFILES {
        let version = profile.rsplit('/').next().unwrap_or(profile);
        graph.push(
            json!({ "@id": profile, "@type": "CreativeWork", "name": name, "version": version }),
        );
    }
    if let Some(license) = &publication.license {
        let description = match license {
            model::License::Spdx(_) => {
                "The licence the outputs are published under, by its SPDX identifier (study.toml, [publication] license)."
            }
            model::License::Url(_) => {
                "The licence the outputs are published under (study.toml, [publication] license)."
            }
        };
        graph.push(json!({
            "@id": license.url(),
            "@type": "CreativeWork",
            "name": license.as_str(),
            "description": description,
        }));
    }
    graph.push(json!({
        "@id": "#crosscase-pipeline",
        "@type": "ComputerLanguage",
        "name": "crosscase pipeline (TOML)",
        "version": model::VERSION,
    }));
    graph.push(json!({
        "@id": "#crosscase",
        "@type": "SoftwareApplication",
        "name": "crosscase",
        "version": model::VERSION,
    }));
    let steps = plan.stages.iter().map(|s| format!("#step-{}", s.id));
    let tools = plan.stages.iter().map(|s| format!("#tool-{}", s.id));
    graph.push(json!({
        "@id": "pipeline.toml",
        "@type": ["File", "SoftwareSourceCode", "ComputationalWorkflow", "HowTo"],
        "name": plan.name,
        "encodingFormat": media_type("pipeline.toml"),
        "sha256": outputs.get("pipeline.toml").cloned().unwrap_or_default(),
        "programmingLanguage": id("#crosscase-pipeline"),
        "step": ids(steps),
        "hasPart": ids(tools),
    }));
    let written: std::collections::BTreeSet<&String> =
        stages.values().flat_map(|f| &f.wrote).collect();
    let writing_this_crate = StageFiles {
        read: outputs.keys().cloned().collect(),
        wrote: outputs
            .keys()
            .filter(|p| !written.contains(p))
            .cloned()
            .chain(std::iter::once("ro-crate-metadata.json".to_string()))
            .collect(),
    };
    let mut actions = Vec::new();
    for (position, stage) in plan.stages.iter().enumerate() {
        graph.push(json!({
            "@id": format!("#step-{}", stage.id),
            "@type": "HowToStep",
            "name": stage.id,
            "position": (position + 1).to_string(),
            "workExample": id(&format!("#tool-{}", stage.id)),
        }));
        graph.push(json!({
            "@id": format!("#tool-{}", stage.id),
            "@type": "SoftwareApplication",
            "name": stage.run,
            "softwareVersion": model::VERSION,
            "description": format!("crosscase stage kind `{}` with settings {}", stage.run, stage.canonical),
        }));
        let (files, description) = match stages.get(&stage.id) {
            // The study stage reads the study folder itself.
            Some(files) if matches!(stage.settings, StageSettings::Ingest(_)) => {
                let files = StageFiles {
                    read: study_files
                        .iter()
                        .map(|(p, _)| format!("study:{p}"))
                        .collect(),
                    wrote: files.wrote.clone(),
                };
                let description = action_description(&stage.id, &stage.run, &files);
                (files, description)
            }
            Some(files) => (
                files.clone(),
                action_description(&stage.id, &stage.run, files),
            ),
            None => (
                writing_this_crate.clone(),
                format!(
                    "Stage `{}` (kind `{}`) scanned every output ({} files) for identifying \
                     text before anything was published, and wrote the run's own records: {}.",
                    stage.id,
                    stage.run,
                    writing_this_crate.read.len() + 1,
                    writing_this_crate.wrote.join(", ")
                ),
            ),
        };
        let mut action = json!({
            "@id": format!("#run-{}", stage.id),
            "@type": "CreateAction",
            "name": format!("Run of stage {}", stage.id),
            "description": description,
            "instrument": id(&format!("#tool-{}", stage.id)),
        });
        // Absent rather than empty: a stage that reads or writes no file.
        if !files.read.is_empty() {
            action["object"] = ids(entity_ids(&files.read));
        }
        if !files.wrote.is_empty() {
            action["result"] = ids(entity_ids(&files.wrote));
        }
        graph.push(action);
        graph.push(json!({
            "@id": format!("#control-{}", stage.id),
            "@type": "ControlAction",
            "instrument": id(&format!("#step-{}", stage.id)),
            "object": id(&format!("#run-{}", stage.id)),
        }));
        actions.push(format!("#control-{}", stage.id));
    }
    graph.push(json!({
        "@id": "#run",
        "@type": "CreateAction",
        "name": format!("Run of the pipeline {}", plan.name),
        "description": "The whole pipeline: every study file it read, every output it published.",
        "instrument": id("pipeline.toml"),
        "object": ids(study_files.iter().map(|(p, _)| format!("#study/{p}"))),
        "result": ids(entity_ids(outputs.keys())),
    }));
    graph.push(json!({
        "@id": "#orchestrate",
        "@type": "OrganizeAction",
        "name": "crosscase run",
        "instrument": id("#crosscase"),
        "object": ids(&actions),
        "result": id("#run"),
    }));
    // Each table published as site partitions is one Dataset (its folder):
    // the SHA-256 of each file is in outputs.lock.
    let clean = crate::partitions::clean_hashes(outputs);
    for (table, folder) in crate::partitions::TABLES
        .iter()
        .map(|t| (t, crate::partitions::table_rel(t)))
        .filter(|(_, folder)| clean.contains_key(folder))
    {
        let files = outputs.keys().filter(|p| p.starts_with(&folder)).count();
        graph.push(json!({
            "@id": folder,
            "@type": "Dataset",
            "name": format!("data/{table}"),
            "description": format!(
                "The de-identified table `{table}` as Hive-style partitions, one Parquet file per site \
                 ({files} files, `site=<label>/part-0.parquet`, the label escaped as Hive escapes a \
                 partition value); outputs.lock holds the SHA-256 of each file."
            ),
        }));
    }
    for (path, hash) in outputs
        .iter()
        .filter(|(p, _)| p.as_str() != "pipeline.toml")
        .filter(|(p, _)| crate::partitions::parse_partition_rel(p).is_none())
    {
        let mut file = json!({ "@id": path, "@type": "File", "sha256": hash });
        if let Some(format) = media_type(path) {
            file["encodingFormat"] = json!(format);
        }
        graph.push(file);
    }
    for (path, hash) in study_files {
        // Study files stay with the team: named and hashed, never included.
        let mut file = json!({
            "@id": format!("#study/{path}"),
            "@type": "File",
            "name": path,
            "sha256": hash,
            "description": "study input (not included: it may identify people)",
        });
        if let Some(format) = media_type(path) {
            file["encodingFormat"] = json!(format);
        }
        graph.push(file);
    }
    let mut text = serde_json::to_string_pretty(&json!({
        "@context": [RO_CRATE_CONTEXT, { "sha256": SHA256_TERM }],
        "@graph": graph,
    }))
    .unwrap_or_default();
    text.push('\n');
    text
}

/// What a stage run did, in words, from the files it read and wrote.
fn action_description(stage: &str, kind: &str, files: &StageFiles) -> String {
    let count = |n: usize| match n {
        0 => "no file".to_string(),
        1 => "1 file".to_string(),
        n => format!("{n} files"),
    };
    let read = files.read.len();
    let study = files
        .read
        .iter()
        .filter(|p| p.starts_with("study:"))
        .count();
    let read = if study == read && read > 0 {
        format!("{} of the study folder", count(read))
    } else {
        count(read)
    };
    let wrote = if files.wrote.is_empty() {
        "wrote no file (what it made stays in memory for the stages after it)".to_string()
    } else {
        format!("wrote {}", count(files.wrote.len()))
    };
    format!("Stage `{stage}` (kind `{kind}`) read {read} and {wrote}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_reference_is_a_value_and_several_an_array() {
        assert_eq!(ids(["a"]), json!({ "@id": "a" }));
        assert_eq!(ids(["a", "b"]), json!([{ "@id": "a" }, { "@id": "b" }]));
        assert_eq!(ids(Vec::<String>::new()), json!([]));
    }

    #[test]
    fn every_output_kind_has_a_media_type() {
        for (path, expected) in [
            ("tables/qca.csv", "text/csv"),
            ("data/answers.parquet", "application/vnd.apache.parquet"),
            ("report/synthesis.html", "text/html"),
            ("report/synthesis.md", "text/markdown"),
            ("datapackage.json", "application/json"),
            ("pipeline.toml", "application/toml"),
            (
                "report/tables.xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            ("outputs.lock", "text/plain"),
        ] {
            assert_eq!(media_type(path), Some(expected), "{path}");
        }
        assert_eq!(media_type("README"), None);
    }

    #[test]
    fn a_study_without_publication_keys_is_warned_and_its_crate_says_so() {
        let none = Publication::default();
        let warning = publication_warning(&none).unwrap();
        assert!(!warning.is_error());
        assert!(
            warning
                .message
                .starts_with("[publication] has no license and no date_published"),
            "{warning}"
        );
        let dated = Publication {
            license: None,
            date_published: Some(model::PublicationDate::parse("2026-11-30").unwrap()),
        };
        let warning = publication_warning(&dated).unwrap();
        assert!(
            warning.message.starts_with("[publication] has no license:"),
            "{warning}"
        );
        let full = Publication {
            license: Some(model::License::parse("CC-BY-4.0").unwrap()),
            ..dated
        };
        assert_eq!(publication_warning(&full), None);
    }

    #[test]
    fn stage_actions_say_what_they_read_and_wrote() {
        let files = |read: &[&str], wrote: &[&str]| StageFiles {
            read: read.iter().map(|s| s.to_string()).collect(),
            wrote: wrote.iter().map(|s| s.to_string()).collect(),
        };
        assert_eq!(
            action_description(
                "study",
                "ingest.study",
                &files(&["study:a.csv", "study:b.csv"], &[])
            ),
            "Stage `study` (kind `ingest.study`) read 2 files of the study folder and wrote no \
             file (what it made stays in memory for the stages after it)."
        );
        assert_eq!(
            action_description(
                "qca",
                "patterns.qca",
                &files(&["tables/a.csv"], &["tables/qca.csv", "tables/qca.parquet"])
            ),
            "Stage `qca` (kind `patterns.qca`) read 1 file and wrote 2 files."
        );
    }
}
