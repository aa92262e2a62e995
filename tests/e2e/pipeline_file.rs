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
    // Refused before any data is read: the study stage never ran, so not
    // even the output folder (or its state folder) was made.
    assert!(
        !out.exists(),
        "a bad pipeline file must not read data or write anything"
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

/// Every setting is checked when the pipeline file is read: a value the
/// stage could not honour exits 2 before any data is read, naming the line
/// and column of the value and the values allowed.
#[test]
fn settings_are_checked_before_any_data_is_read() {
    // (a line as the synthesis pipeline writes it, made wrong where it
    // first occurs, the value's column, the message after
    // `bad.toml:line:column: `)
    let cases: &[(&str, &str, usize, &str)] = &[
        (
            "scopes = [\"study\", \"sector\", \"site\", \"group\", \"site_group\"]",
            "scopes = [\"study\", \"ward\"]",
            20,
            "stage `ratings_summary` (ratings.summary): `scopes`: `ward` is not a scope of this kind of stage; expected one or more of `study`, `sector`, `site`, `group`, `site_group`",
        ),
        (
            "confidence = 0.95",
            "confidence = 95",
            14,
            "stage `ratings_summary` (ratings.summary): `confidence`: expected a number strictly between 0 and 1 (0.95 for 95%), found 95",
        ),
        (
            "bootstrap_resamples = 2000",
            "bootstrap_resamples = 50000000",
            23,
            "stage `ratings_summary` (ratings.summary): `bootstrap_resamples`: expected 0 (no confidence interval) or a whole number from 100 to 100000, found 50000000",
        ),
        (
            "threshold = 1.0",
            "threshold = -1",
            13,
            "stage `tensions` (ratings.tensions): `threshold`: expected a difference of mean importance on the 1-5 scale, greater than 0 and at most 4, found -1",
        ),
        (
            "min_valid = 2",
            "min_valid = 0",
            13,
            "stage `pattern_matrix` (patterns.matrix): `min_valid`: expected a whole number of valid answers, 1 or more, found 0",
        ),
        (
            "share = 0.8",
            "share = 0",
            9,
            "stage `replication` (patterns.replication): `share`: expected a share greater than 0 and at most 1 (0.8 for 80%), found 0",
        ),
        (
            "exemplars = 2",
            "exemplars = 11",
            13,
            "stage `qual_matrix` (patterns.qual_matrix): `exemplars`: expected a whole number from 0 (counts only, no accounts) to 10, found 11",
        ),
        (
            "file = \"synthesis.md\"",
            "file = \"/tmp/synthesis.md\"",
            8,
            "stage `report` (report.markdown): `file`: `/tmp/synthesis.md` is not a plain file name; expected a name of letters, digits, `_`, `-` or `.`, ending `.md`, written under report/ (no folder)",
        ),
        (
            "interviews = \"raw/interviews/*.csv\"",
            "interviews = \"../elsewhere/*.csv\"",
            14,
            "stage `study` (ingest.study): `interviews`: `../elsewhere/*.csv` is not a pattern of export files; expected a folder inside the study folder and file names with at most one `*`, ending `.csv`, like \"raw/interviews/*.csv\" (no `..`, not absolute)",
        ),
        (
            "from = [\"clean\", \"pattern_matrix\"]",
            "from = [\"clean\"]",
            8,
            "stage `replication` (patterns.replication) needs a `patterns.matrix` stage in `from`; above it: `pattern_matrix`",
        ),
        (
            "from = [\"clean\", \"pattern_matrix\", \"outcome_summary\"]",
            "from = [\"clean\", \"outcome_summary\"]",
            8,
            "stage `qca` (patterns.qca) needs a `patterns.matrix` stage in `from`; above it: `pattern_matrix`",
        ),
    ];
    let original = std::fs::read_to_string(synthesis_pipeline()).unwrap();
    for (from, to, column, message) in cases {
        let text = original.replacen(from, to, 1);
        let line = original.lines().position(|l| l == *from).expect("the line") + 1;
        assert_eq!(text.lines().nth(line - 1), Some(*to));
        let (code, err) = run_pipeline_text(&text);
        assert_eq!(code, 2, "{to}: {err}");
        let expected = format!("bad.toml:{line}:{column}: {message}");
        assert!(err.contains(&expected), "expected\n{expected}\nin\n{err}");
        assert!(
            !err.contains("Invalid argument") && !err.contains("running `"),
            "nothing ran: {err}"
        );
    }
}
