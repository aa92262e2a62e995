//! Shared helpers: run the binary, copy study folders, read outputs.

mod broken;
mod browser;
mod demo;
mod edited;
mod findings;
mod framework;
mod interrupted;
mod labels;
mod names;
mod partitions;
mod pipeline_file;
mod privacy;
mod provenance;
mod redcap;
mod review;
mod synthesis;
mod transcripts;
mod unread;
mod validators;
mod workbook;
mod workshops;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub(crate) fn demo_study() -> PathBuf {
    root().join("data/demo")
}

pub(crate) fn synthesis_pipeline() -> PathBuf {
    root().join("pipelines/synthesis.toml")
}

/// How many stages the synthesis pipeline has.
pub(crate) fn stage_count() -> usize {
    std::fs::read_to_string(synthesis_pipeline())
        .unwrap()
        .lines()
        .filter(|l| l.trim() == "[[stage]]")
        .count()
}

/// Run `crosscase` with arguments, from the repository root.
pub(crate) fn crosscase(args: &[&str]) -> Output {
    crosscase_env(args, &[])
}

/// The key of `tests/fixtures/other-study` (its study.toml: env = "OTHER_STUDY_KEY").
pub(crate) const OTHER_KEY: (&str, &str) = (
    "OTHER_STUDY_KEY",
    "a test key for the other study, kept outside it",
);

/// Run `crosscase` with extra environment variables.
pub(crate) fn crosscase_env(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_crosscase"));
    command
        .args(args)
        .current_dir(root())
        .env_remove("CROSSCASE_KEY")
        .env_remove("OTHER_STUDY_KEY");
    for (k, v) in envs {
        command.env(k, v);
    }
    command.output().expect("the crosscase binary runs")
}

pub(crate) fn other_study() -> PathBuf {
    root().join("tests/fixtures/other-study")
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub(crate) fn code(output: &Output) -> i32 {
    output.status.code().unwrap_or(-1)
}

/// Run the synthesis pipeline on a study into an output folder.
pub(crate) fn synthesis(study: &Path, out: &Path, extra: &[&str]) -> Output {
    synthesis_env(study, out, extra, &[OTHER_KEY])
}

pub(crate) fn synthesis_env(
    study: &Path,
    out: &Path,
    extra: &[&str],
    envs: &[(&str, &str)],
) -> Output {
    run_pipeline(&synthesis_pipeline(), study, out, extra, envs)
}

/// Run a pipeline file on a study into an output folder.
pub(crate) fn run_pipeline(
    pipeline: &Path,
    study: &Path,
    out: &Path,
    extra: &[&str],
    envs: &[(&str, &str)],
) -> Output {
    let mut args = vec![
        "run",
        pipeline.to_str().unwrap(),
        "--study",
        study.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    crosscase_env(&args, envs)
}

/// `crosscase status` of a study and output folder: what it printed.
pub(crate) fn status_of(study: &Path, out: &Path) -> String {
    let output = crosscase_env(
        &[
            "status",
            "--study",
            study.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        &[OTHER_KEY],
    );
    assert_ok(&output);
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Assert success, showing stderr when not.
#[track_caller]
pub(crate) fn assert_ok(output: &Output) {
    assert_eq!(code(output), 0, "crosscase failed:\n{}", stderr(output));
}

/// A table of an output folder as rows of (column -> value).
pub(crate) fn read_table(
    out: &Path,
    table: &str,
) -> Vec<std::collections::BTreeMap<String, String>> {
    csv_text_rows(
        &std::fs::read_to_string(out.join("tables").join(format!("{table}.csv"))).unwrap(),
    )
}

/// CSV text (a byte-order mark allowed) as rows of (column -> value).
pub(crate) fn csv_text_rows(text: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            headers
                .iter()
                .zip(r.unwrap().iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// Copy a folder tree (a study) into a new place.
pub(crate) fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file under a folder, as (relative path, bytes), sorted; skipping
/// the `.crosscase` state folder.
pub(crate) fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(dir: &Path, base: &Path, into: &mut Vec<(String, Vec<u8>)>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let rel = path
                .strip_prefix(base)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if rel == ".crosscase" || rel.starts_with(".crosscase/") {
                continue;
            }
            if path.is_dir() {
                walk(&path, base, into);
            } else {
                into.push((rel, std::fs::read(&path).unwrap()));
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, dir, &mut files);
    files.sort();
    files
}

/// The demo's held-back late site arrives: its exports and its coded
/// transcripts' project.
pub(crate) fn add_late_site(study: &Path) {
    copy_tree(&study.join("late/raw"), &study.join("raw"));
    copy_tree(&study.join("late/qualitative"), &study.join("qualitative"));
}

/// A fresh study copy of the demo in a temporary folder.
pub(crate) fn demo_copy() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let study = tmp.path().join("study");
    copy_tree(&demo_study(), &study);
    (tmp, study)
}

/// insta settings that keep snapshots in the repository's `snapshots/`.
pub(crate) fn snapshot_settings(folder: &str) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(root().join("snapshots").join(folder));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings
}
