//! Pipeline files are checked before anything runs: exit 2, file and line.

use super::*;

fn run_pipeline_text(text: &str) -> (i32, String) {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("bad.toml");
    std::fs::write(&path, text).unwrap();
    let out = tmp.path().join("out");
    let output = crosscase(&[
        "run",
        path.to_str().unwrap(),
        "--study",
        demo_study().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        !out.join("tables").exists(),
        "a bad pipeline file must not write outputs"
    );
    (
        code(&output),
        stderr(&output).replace(path.to_str().unwrap(), "bad.toml"),
    )
}

#[test]
fn unknown_stage_key_names_file_line_and_allowed_keys() {
    let text = std::fs::read_to_string(synthesis_pipeline())
        .unwrap()
        .replace(
            "bootstrap_resamples = 2000",
            "bootstrap_resamples = 2000\nbootstrap_samples = 10",
        );
    let line = text
        .lines()
        .position(|l| l.starts_with("bootstrap_samples"))
        .unwrap()
        + 1;
    let (code, err) = run_pipeline_text(&text);
    assert_eq!(code, 2, "{err}");
    let expected = format!(
        "bad.toml:{line}:1: stage `ratings_summary` (ratings.summary): unknown key `bootstrap_samples`; the keys allowed here are `id`, `run`, `from`, `scopes`, `bootstrap_resamples`, `confidence`"
    );
    assert!(err.contains(&expected), "expected\n{expected}\nin\n{err}");
    assert!(
        err.contains(&format!("bad.toml:{line}:1: stage `ratings_summary` (ratings.summary): unknown key `bootstrap_samples`; the keys allowed here are `id`, `run`, `from`, `scopes`, `bootstrap_resamples`, `confidence`")),
        "{err}"
    );
}

#[test]
fn unknown_run_kind_is_refused() {
    let text = std::fs::read_to_string(synthesis_pipeline())
        .unwrap()
        .replace("run = \"ratings.top3\"", "run = \"ratings.top4\"");
    let (code, err) = run_pipeline_text(&text);
    assert_eq!(code, 2);
    assert!(
        err.contains(
            "stage `top3_frequency`: unknown run `ratings.top4`; expected one of `ingest.study`"
        ),
        "{err}"
    );
}

#[test]
fn a_pipeline_must_end_with_the_leak_guard() {
    let text = std::fs::read_to_string(synthesis_pipeline()).unwrap();
    let cut = text.find("# Last: scan every output").unwrap();
    let (code, err) = run_pipeline_text(&text[..cut]);
    assert_eq!(code, 2);
    assert!(
        err.contains("the last stage of a pipeline must be the leak guard"),
        "{err}"
    );
}

#[test]
fn unknown_header_key_is_refused() {
    let text = std::fs::read_to_string(synthesis_pipeline())
        .unwrap()
        .replace(
            "name = \"synthesis\"",
            "name = \"synthesis\"\ntitle = \"x\"",
        );
    let (code, err) = run_pipeline_text(&text);
    assert_eq!(code, 2);
    assert!(
        err.contains("bad.toml:7:1: unknown field `title`, expected one of `name`, `study`, `out`"),
        "{err}"
    );
}
