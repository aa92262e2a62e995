//! No work nobody reads: a pipeline none of whose stages reads free text
//! redacts none and publishes no table of it (`Plan::clean_tables`), yet
//! its statistics are the synthesis's, its leak guard still fails closed,
//! and switching pipelines over one output folder gives a run from nothing.

use super::*;

/// The synthesis's own ratings stages (same settings), and nothing that
/// reads free text.
const RATINGS_ONLY: &str = r#"[pipeline]
name = "ratings only"

[[stage]]
id = "study"
run = "ingest.study"

[[stage]]
id = "clean"
run = "anonymise"
from = ["study"]

[[stage]]
id = "ratings_summary"
run = "ratings.summary"
from = ["clean"]
scopes = ["study", "sector", "site", "group", "site_group"]
bootstrap_resamples = 2000
confidence = 0.95

[[stage]]
id = "top3_frequency"
run = "ratings.top3"
from = ["clean"]
scopes = ["study", "sector", "site", "group", "site_group"]

[[stage]]
id = "leak_guard"
run = "guard.leaks"
from = ["study"]
"#;

/// The tables of free text (`model::schema::FREE_TEXT`) as published.
const FREE_TEXT: [&str; 5] = [
    "data/accounts",
    "data/evidence",
    "data/coded_segments.parquet",
    "data/workshop_notes.parquet",
    "data/workshop_verdicts.parquet",
];

fn ratings_only(tmp: &Path) -> PathBuf {
    let path = tmp.join("ratings-only.toml");
    std::fs::write(&path, RATINGS_ONLY).unwrap();
    path
}

fn file(out: &Path, rel: &str) -> Vec<u8> {
    std::fs::read(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn a_pipeline_reading_no_free_text_publishes_none_and_its_statistics_are_the_synthesis() {
    let (tmp, study) = demo_copy();
    let pipeline = ratings_only(tmp.path());
    let lean = tmp.path().join("lean");
    let run = run_pipeline(&pipeline, &study, &lean, &[], &[]);
    assert_ok(&run);
    let err = stderr(&run);
    // The demo has coded transcripts and workshops: none was redacted.
    assert!(
        err.contains("(9 of 9 sites anonymised, 0 reused)\n"),
        "no transcript or workshop is redacted: {err}"
    );
    let full = tmp.path().join("full");
    assert_ok(&synthesis(&study, &full, &[]));
    for rel in FREE_TEXT {
        assert!(full.join(rel).exists(), "the synthesis publishes {rel}");
        assert!(!lean.join(rel).exists(), "{rel} is published");
    }
    // Every other clean table and both statistics, byte for byte.
    let data: Vec<String> = tree(&lean)
        .into_iter()
        .map(|(rel, _)| rel)
        .filter(|rel| rel.starts_with("data/"))
        .collect();
    // Every site's partition of each table without free text, and the register.
    let mut expected: Vec<String> = [
        "answers",
        "checkboxes",
        "documents",
        "outcomes",
        "participants",
        "top3",
    ]
    .iter()
    .flat_map(|table| {
        ('A'..='I').map(move |site| format!("data/{table}/site=Site {site}/part-0.parquet"))
    })
    .chain(["data/sites.parquet".to_string()])
    .collect();
    expected.sort();
    assert_eq!(data, expected);
    for rel in data.iter().map(String::as_str).chain([
        "tables/ratings_summary.csv",
        "tables/ratings_summary.parquet",
        "tables/top3_frequency.csv",
        "tables/top3_frequency.parquet",
    ]) {
        assert!(file(&lean, rel) == file(&full, rel), "{rel} differs");
    }
    // What describes the run names no table it did not publish.
    for rel in [
        "outputs.lock",
        "provenance.json",
        "ro-crate-metadata.json",
        "datapackage.json",
    ] {
        let text = String::from_utf8(file(&lean, rel)).unwrap();
        for table in ["accounts", "evidence", "coded_segments", "workshop_"] {
            assert!(!text.contains(table), "{rel} mentions {table}");
        }
    }
    let provenance: serde_json::Value =
        serde_json::from_slice(&file(&lean, "provenance.json")).unwrap();
    assert!(
        provenance.to_string().contains("\"data/answers/\""),
        "{provenance}"
    );
}

/// Identifiers planted in the free text stay out of every output (nothing
/// publishes that text), and the leak guard, whose list is still built
/// from every participant, stops the run when a name reaches a published
/// file by another way: an export named after an interviewee, which
/// `source_file` publishes.
#[test]
fn the_leak_guard_still_fails_closed_when_no_free_text_is_published() {
    let (tmp, study) = demo_copy();
    let pipeline = ratings_only(tmp.path());
    let needles = super::privacy::plant(&study);
    let out = tmp.path().join("out");
    assert_ok(&run_pipeline(&pipeline, &study, &out, &[], &[]));
    super::privacy::assert_nothing_reaches(&out, &needles, "a planted identifier");
    let published = tree(&out);
    // An interviewee of another export names this one.
    let south = study.join("raw/interviews/wave3_south.csv");
    let mut reader = csv::Reader::from_path(&south).unwrap();
    let column = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "participant_name")
        .unwrap();
    let name = reader.records().next().unwrap().unwrap()[column].to_string();
    let renamed = study.join(format!("raw/interviews/wave1_london {name}.csv"));
    std::fs::rename(study.join("raw/interviews/wave1_london.csv"), &renamed).unwrap();
    let run = run_pipeline(&pipeline, &study, &out, &[], &[]);
    assert_eq!(
        code(&run),
        1,
        "the leak guard stops the run:\n{}",
        stderr(&run)
    );
    let err = stderr(&run);
    assert!(
        err.lines()
            .any(|l| l.starts_with("leak: data/answers/site=")
                && l.contains("/part-0.parquet: row ")
                && l.ends_with(": name")),
        "{err}"
    );
    assert!(
        err.lines()
            .filter(|l| l.starts_with("leak: "))
            .all(|l| !l.contains(&name)),
        "the guard never shows the name: {err}"
    );
    assert_eq!(published, tree(&out), "a failed run publishes nothing");
}

/// One output folder, pipelines taking turns: every run gives the bytes
/// of a run of its pipeline from nothing (the anonymise stage's key and
/// its partitions' shared key name the tables it makes), and a late site
/// under the lean pipeline still reuses every other site.
#[test]
fn switching_pipelines_over_one_output_folder_gives_a_run_from_nothing() {
    let (tmp, study) = demo_copy();
    let pipeline = ratings_only(tmp.path());
    let out = tmp.path().join("out");
    let fresh = |name: &str, pipeline: &Path| {
        let dir = tmp.path().join(name);
        assert_ok(&run_pipeline(pipeline, &study, &dir, &[], &[]));
        tree(&dir)
    };
    assert_ok(&run_pipeline(&pipeline, &study, &out, &[], &[]));
    let rerun = synthesis(&study, &out, &[]);
    assert_ok(&rerun);
    assert!(
        stderr(&rerun).contains(
            "(9 of 9 sites anonymised, 0 reused; 2 of 2 transcript projects redacted, 0 reused"
        ),
        "nothing the lean run made is reused: {}",
        stderr(&rerun)
    );
    assert!(tree(&out) == fresh("full", &synthesis_pipeline()));
    assert_ok(&run_pipeline(&pipeline, &study, &out, &[], &[]));
    assert!(tree(&out) == fresh("lean", &pipeline));
    add_late_site(&study);
    let late = run_pipeline(&pipeline, &study, &out, &[], &[]);
    assert_ok(&late);
    assert!(
        stderr(&late).contains("(1 of 10 sites anonymised, 9 reused)\n"),
        "{}",
        stderr(&late)
    );
    assert!(tree(&out) == fresh("lean-late", &pipeline));
}
