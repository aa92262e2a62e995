//! The run as a Workflow Run RO-Crate (`ro-crate-metadata.json`), following
//! the Provenance Run Crate profile: the pipeline file is the workflow, its
//! stages are steps, each stage run is a `CreateAction` with the files it
//! read and wrote. No times: they stay in the run ledger, so the crate is
//! byte-identical from run to run.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::plan::Plan;

const PROFILES: [&str; 3] = [
    "https://w3id.org/ro/wfrun/process/0.5",
    "https://w3id.org/ro/wfrun/workflow/0.5",
    "https://w3id.org/ro/wfrun/provenance/0.5",
];

fn id(s: &str) -> Value {
    json!({ "@id": s })
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
        None => path.to_string(),
    }
}

/// `ro-crate-metadata.json` for a run. `outputs` maps every output file
/// (relative path) to its sha256; `study_files` the study files read.
pub fn metadata(
    plan: &Plan,
    stages: &BTreeMap<String, StageFiles>,
    outputs: &BTreeMap<String, String>,
    study_files: &[(String, String)],
) -> String {
    let mut graph: Vec<Value> = Vec::new();
    // Every output once; `pipeline.toml` among them is the workflow entity.
    let parts: Vec<Value> = outputs.keys().map(|p| id(p)).collect();
    graph.push(json!({
        "@id": "ro-crate-metadata.json",
        "@type": "CreativeWork",
        "conformsTo": [id("https://w3id.org/ro/crate/1.1"), id("https://w3id.org/workflowhub/workflow-ro-crate/1.0")],
        "about": id("./"),
    }));
    graph.push(json!({
        "@id": "./",
        "@type": "Dataset",
        "name": format!("crosscase run of the pipeline `{}`", plan.name),
        "description": "Outputs of a crosscase synthesis: tables, report and de-identified data, with the provenance of every figure (provenance.json).",
        "conformsTo": PROFILES.iter().map(|p| id(p)).collect::<Vec<_>>(),
        "hasPart": parts,
        "mainEntity": id("pipeline.toml"),
        "mentions": [id("#run")],
    }));
    for p in PROFILES {
        graph.push(json!({ "@id": p, "@type": "CreativeWork", "name": p.rsplit('/').nth(1).unwrap_or(p), "version": "0.5" }));
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
    let steps: Vec<Value> = plan
        .stages
        .iter()
        .map(|s| id(&format!("#step-{}", s.id)))
        .collect();
    let tools: Vec<Value> = plan
        .stages
        .iter()
        .map(|s| id(&format!("#tool-{}", s.id)))
        .collect();
    graph.push(json!({
        "@id": "pipeline.toml",
        "@type": ["File", "SoftwareSourceCode", "ComputationalWorkflow", "HowTo"],
        "name": plan.name,
        "sha256": outputs.get("pipeline.toml").cloned().unwrap_or_default(),
        "programmingLanguage": id("#crosscase-pipeline"),
        "step": steps,
        "hasPart": tools,
    }));
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
            "description": format!("crosscase stage kind `{}` with settings {}", stage.run, stage.canonical),
        }));
        let files = stages.get(&stage.id).cloned().unwrap_or_default();
        graph.push(json!({
            "@id": format!("#run-{}", stage.id),
            "@type": "CreateAction",
            "name": format!("Run of stage {}", stage.id),
            "instrument": id(&format!("#tool-{}", stage.id)),
            "object": files.read.iter().map(|p| id(&entity_id(p))).collect::<Vec<_>>(),
            "result": files.wrote.iter().map(|p| id(&entity_id(p))).collect::<Vec<_>>(),
        }));
        graph.push(json!({
            "@id": format!("#control-{}", stage.id),
            "@type": "ControlAction",
            "instrument": id(&format!("#step-{}", stage.id)),
            "object": id(&format!("#run-{}", stage.id)),
        }));
        actions.push(id(&format!("#control-{}", stage.id)));
    }
    graph.push(json!({
        "@id": "#run",
        "@type": "CreateAction",
        "name": format!("Run of the pipeline {}", plan.name),
        "instrument": id("pipeline.toml"),
        "object": study_files.iter().map(|(p, _)| id(&format!("#study/{p}"))).collect::<Vec<_>>(),
        "result": outputs.keys().map(|p| id(p)).collect::<Vec<_>>(),
    }));
    graph.push(json!({
        "@id": "#orchestrate",
        "@type": "OrganizeAction",
        "name": "crosscase run",
        "instrument": id("#crosscase"),
        "object": actions,
        "result": id("#run"),
    }));
    for (path, hash) in outputs
        .iter()
        .filter(|(p, _)| p.as_str() != "pipeline.toml")
    {
        graph.push(json!({ "@id": path, "@type": "File", "sha256": hash }));
    }
    for (path, hash) in study_files {
        // Study files stay with the team: named and hashed, never included.
        graph.push(json!({
            "@id": format!("#study/{path}"),
            "@type": "File",
            "name": path,
            "sha256": hash,
            "description": "study input (not included: it may identify people)",
        }));
    }
    let mut text = serde_json::to_string_pretty(&json!({
        "@context": "https://w3id.org/ro/crate/1.1/context",
        "@graph": graph,
    }))
    .unwrap_or_default();
    text.push('\n');
    text
}
