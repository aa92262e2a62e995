//! Provenance and the team's everyday commands: explain on every table,
//! the RO-Crate, status, verify.

use super::*;

#[test]
fn explain_resolves_a_figure_of_every_table() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&demo_study(), &out, &[]));
    let provenance: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("provenance.json")).unwrap())
            .unwrap();
    let stages = provenance["stages"].as_array().unwrap();
    assert!(stages.len() >= 14, "one provenance record per table stage");
    for record in stages {
        let table = record["stage"].as_str().unwrap();
        let rows = read_table(&out, table);
        let row = rows
            .iter()
            .find(|r| r.get("suppressed").is_none_or(|s| s == "false"))
            .unwrap_or(&rows[0]);
        let id = &row["figure_id"];
        let output = crosscase(&["explain", id, "--out", out.to_str().unwrap()]);
        assert_ok(&output);
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains(&format!("figure    {id}")), "{table}: {text}");
        assert!(
            text.contains(&format!("stage     {table} (run = ")),
            "{table}: {text}"
        );
        assert!(text.contains("input     data/"), "{table}: {text}");
        assert!(
            !text.contains("warning: this file has changed"),
            "{table}: {text}"
        );
    }
    let missing = crosscase(&[
        "explain",
        "ratings/study/no_such_factor",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&missing), 2);
    assert!(stderr(&missing).contains("no figure `ratings/study/no_such_factor`"));
}

#[test]
fn the_run_is_an_ro_crate_listing_every_stage_and_output() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&demo_study(), &out, &[]));
    let crate_json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("ro-crate-metadata.json")).unwrap())
            .unwrap();
    assert_eq!(
        crate_json["@context"],
        serde_json::json!([
            "https://w3id.org/ro/crate/1.1/context",
            { "sha256": "https://w3id.org/ro/terms/workflow-run#sha256" }
        ])
    );
    let graph = crate_json["@graph"].as_array().unwrap();
    let entity = |id: &str| {
        graph
            .iter()
            .find(|e| e["@id"] == id)
            .unwrap_or_else(|| panic!("no entity {id}"))
    };
    let root = entity("./");
    assert!(
        root["conformsTo"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["@id"] == "https://w3id.org/ro/wfrun/provenance/0.5")
    );
    assert_eq!(root["mainEntity"]["@id"], "pipeline.toml");
    // The licence and date of the demo's study.toml ([publication]).
    assert_eq!(root["datePublished"], "2026-11-30");
    assert_eq!(
        root["license"]["@id"],
        "https://spdx.org/licenses/CC-BY-4.0"
    );
    assert_eq!(
        entity("https://spdx.org/licenses/CC-BY-4.0")["name"],
        "CC-BY-4.0"
    );
    let workflow = entity("pipeline.toml");
    assert!(
        workflow["@type"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "ComputationalWorkflow")
    );
    let plan = std::fs::read_to_string(synthesis_pipeline()).unwrap();
    let stage_ids: Vec<&str> = plan
        .lines()
        .filter_map(|l| l.strip_prefix("id = \""))
        .map(|l| l.trim_end_matches('"'))
        .collect();
    for id in &stage_ids {
        let action = entity(&format!("#run-{id}"));
        assert_eq!(action["@type"], "CreateAction");
        assert_eq!(action["instrument"]["@id"], format!("#tool-{id}"));
        entity(&format!("#step-{id}"));
    }
    let ratings = entity("#run-ratings_summary");
    assert!(
        ratings["object"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["@id"] == "data/answers/")
    );
    assert!(
        ratings["result"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["@id"] == "tables/ratings_summary.csv")
    );
    // Every entity once.
    let mut ids: Vec<&str> = graph.iter().map(|e| e["@id"].as_str().unwrap()).collect();
    let all = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), all, "an @id appears twice in the crate");
    // Every output in outputs.lock is in the crate with the same hash; a
    // site partition as its table's folder, a Dataset that says how many
    // files it holds.
    let lock = std::fs::read_to_string(out.join("outputs.lock")).unwrap();
    let mut partitions: std::collections::BTreeMap<String, usize> = Default::default();
    for line in lock.lines().filter(|l| !l.starts_with('#')) {
        let (hash, path) = line.split_once("  ").unwrap();
        if path == "ro-crate-metadata.json" {
            continue;
        }
        if let Some((table, _)) = pipeline::partitions::parse_partition_rel(path) {
            *partitions.entry(format!("data/{table}/")).or_default() += 1;
            continue;
        }
        assert_eq!(entity(path)["sha256"], hash, "{path}");
        assert!(
            entity(path)["encodingFormat"].is_string(),
            "{path} has a media type"
        );
    }
    assert_eq!(partitions.len(), pipeline::partitions::TABLES.len());
    for (folder, files) in &partitions {
        let dataset = entity(folder);
        assert_eq!(dataset["@type"], "Dataset", "{folder}");
        assert_eq!(*files, 9, "{folder}: a file per site with data");
        assert!(
            dataset["description"]
                .as_str()
                .unwrap()
                .contains(&format!("({files} files,")),
            "{folder}"
        );
        assert!(
            root["hasPart"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["@id"] == folder.as_str()),
            "{folder}"
        );
    }
    // Every stage run is mentioned by the root and says what it did.
    let mentions = root["mentions"].as_array().unwrap();
    for id in &stage_ids {
        assert!(mentions.iter().any(|m| m["@id"] == format!("#run-{id}")));
    }
    assert_eq!(
        entity("#run-study")["description"],
        format!(
            "Stage `study` (kind `ingest.study`) read {} files of the study folder and wrote no \
             file (what it made stays in memory for the stages after it).",
            entity("#run")["object"].as_array().unwrap().len()
        )
    );
    let guard = entity("#run-leak_guard");
    assert_eq!(
        guard["result"],
        serde_json::json!([
            { "@id": "datapackage.json" },
            { "@id": "pipeline.toml" },
            { "@id": "provenance.json" },
            { "@id": "ro-crate-metadata.json" }
        ])
    );
    // Study inputs are named and hashed, never included.
    assert!(!tree(&out).iter().any(|(p, _)| p.starts_with("raw/")));
}

#[test]
fn status_lists_awaited_sites_and_stale_stages() {
    let (tmp, study) = demo_copy();
    let out = tmp.path().join("out");
    let text = status_of(&study, &out);
    assert!(text.contains("Sites in the register: 10"), "{text}");
    assert!(
        text.contains("wave 3 (South): data from Site H, Site I\n    awaited: Site J"),
        "{text}"
    );
    let stages = stage_count();
    assert!(
        text.contains(&format!("0 up to date, {stages} stale")),
        "{text}"
    );
    assert_ok(&synthesis(&study, &out, &[]));
    let after = status_of(&study, &out);
    assert!(
        after.contains(&format!("{stages} up to date, 0 stale")),
        "{after}"
    );
    add_late_site(&study);
    let late = status_of(&study, &out);
    assert!(
        late.contains("wave 3 (South): data from Site H, Site I, Site J\n"),
        "{late}"
    );
    assert!(late.contains("stale: study: study files changed"), "{late}");
}

use std::path::Path;

#[test]
fn verify_reruns_from_nothing_and_names_a_file_that_differs() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&demo_study(), &out, &[]));
    let verify = |out: &Path| {
        crosscase(&[
            "verify",
            "--study",
            demo_study().to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
    };
    let ok = verify(&out);
    assert_ok(&ok);
    assert!(stderr(&ok).contains("byte-identical to a run from nothing"));
    let table = out.join("tables/top3_frequency.csv");
    let edited = std::fs::read_to_string(&table)
        .unwrap()
        .replacen("study", "studY", 1);
    std::fs::write(&table, edited).unwrap();
    let bad = verify(&out);
    assert_eq!(code(&bad), 1);
    assert!(
        stderr(&bad).contains("differs: tables/top3_frequency.csv: edited since it was published"),
        "{}",
        stderr(&bad)
    );
}

/// `datapackage.json` lists the register's site labels (its `enum`s), an
/// awaited site's too: the leak guard scans it like every output. A label
/// that is the service's real name stops the run there as well.
#[test]
fn the_leak_guard_scans_the_data_package() {
    let (tmp, study) = demo_copy();
    let sites = std::fs::read_to_string(study.join("sites.csv")).unwrap();
    let name = "Chalkhurst Hearing Voices Peer Project";
    let relabelled = sites.replacen(&format!("{name},Site J,"), &format!("{name},{name},"), 1);
    assert_ne!(relabelled, sites, "the awaited Site J is in the register");
    std::fs::write(study.join("sites.csv"), relabelled).unwrap();
    let out = tmp.path().join("out");
    let run = synthesis(&study, &out, &[]);
    assert_eq!(code(&run), 1, "{}", stderr(&run));
    let err = stderr(&run);
    assert!(
        err.lines()
            .any(|l| l.starts_with("leak: datapackage.json:") && l.ends_with(": site")),
        "{err}"
    );
    assert!(!err.contains(name), "the value is never shown");
    assert!(!out.join("datapackage.json").exists(), "nothing published");
}
