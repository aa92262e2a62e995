//! The full synthesis on the demo study and on a study folder written
//! independently of crosscase: outputs pinned, statistics right,
//! byte-identical reruns, incremental reruns, provenance.

use std::collections::BTreeMap;

use super::*;

/// What a person can review of the demo synthesis is pinned by snapshots
/// in `snapshots/demo/`: the Markdown report, site packs and handbook, each
/// chart as an `.svg` file (`charts/`, taken from the HTML pages, where the
/// charts live), the CSV tables, the workbook's About sheet as text, and
/// the provenance files. The bytes of every output, HTML, Parquet and the
/// workbook included, are pinned by `outputs.lock`, itself a snapshot,
/// which is checked against the files. Every snapshot is checked before
/// the test fails, naming all that changed.
#[test]
fn demo_synthesis_outputs_are_pinned() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&demo_study(), &out, &[]));
    let files = tree(&out);
    let locked = review::assert_outputs_match_their_lock(&files);
    assert_eq!(locked, files.len() - 1, "every output but the lock itself");
    assert!(locked > 50, "{locked} outputs");
    let mut snapshots = review::Snapshots::new();
    let mut charts = 0;
    for (name, bytes) in &files {
        let flat = name.replace('/', "__");
        let text = || std::str::from_utf8(bytes).unwrap_or_else(|_| panic!("{name} is not UTF-8"));
        match name.rsplit_once('.').map_or("", |(_, ext)| ext) {
            "md" | "csv" | "json" | "toml" | "lock" => snapshots.text("demo", &flat, text()),
            "html" => {
                let page = name
                    .trim_start_matches("report/")
                    .trim_end_matches(".html")
                    .replace('/', "__");
                for (id, svg) in review::html_charts(text()) {
                    snapshots.file("demo/charts", &format!("{page}__{id}.svg"), svg.as_bytes());
                    charts += 1;
                }
            }
            "xlsx" => snapshots.text(
                "demo",
                &format!("{flat}__About"),
                &review::xlsx_sheet_text(bytes, "About"),
            ),
            "parquet" => {}
            _ => panic!("{name}: a new kind of output; decide how a reviewer sees it"),
        }
    }
    assert_eq!(
        charts, 87,
        "the report's 51 charts (37, and 2 framework matrix charts in each of 7 domains) and 4 in each of 9 site packs"
    );
    snapshots.finish();
}

/// Parquet and CSV hold the same table.
#[test]
fn parquet_tables_hold_what_the_csv_tables_hold() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&demo_study(), &out, &[]));
    let mut checked = 0;
    for (name, bytes) in tree(&out.join("tables")) {
        if let Some(stem) = name.strip_suffix(".parquet") {
            let batch = pipeline::tables::from_parquet(bytes).unwrap();
            let csv =
                std::fs::read_to_string(out.join("tables").join(format!("{stem}.csv"))).unwrap();
            assert_eq!(pipeline::tables::to_csv(&batch), csv, "{stem}");
            checked += 1;
        }
    }
    assert_eq!(checked, 17, "every table in both formats");
}

#[test]
fn same_inputs_give_the_same_bytes_with_1_and_4_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let one = tmp.path().join("one");
    let four = tmp.path().join("four");
    assert_ok(&synthesis(&demo_study(), &one, &["--threads", "1"]));
    assert_ok(&synthesis(&demo_study(), &four, &["--threads", "4"]));
    let (a, b) = (tree(&one), tree(&four));
    assert_eq!(a.len(), b.len());
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert!(x == y, "{name} differs between 1 and 4 threads");
    }
}

#[test]
fn a_rerun_with_nothing_changed_does_no_work_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&demo_study(), &out, &[]));
    let before = tree(&out);
    let again = synthesis(&demo_study(), &out, &[]);
    assert_ok(&again);
    let stages = stage_count();
    assert!(
        stderr(&again).contains(&format!(
            "nothing changed: all {stages} stages are up to date"
        )),
        "{}",
        stderr(&again)
    );
    assert!(
        !stderr(&again).contains("done in"),
        "no stage may run: {}",
        stderr(&again)
    );
    assert_eq!(before, tree(&out));
}

#[test]
fn a_changed_setting_reruns_that_stage_and_what_reads_it_only() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&demo_study(), &out, &[]));
    let pipeline = tmp.path().join("p.toml");
    let text = std::fs::read_to_string(synthesis_pipeline())
        .unwrap()
        .replace("threshold = 1.0", "threshold = 0.5");
    std::fs::write(&pipeline, text).unwrap();
    let output = crosscase_env(
        &[
            "run",
            pipeline.to_str().unwrap(),
            "--study",
            demo_study().to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert_ok(&output);
    let err = stderr(&output);
    assert!(
        err.contains("ratings_summary    ratings.summary            unchanged, skipped"),
        "{err}"
    );
    assert!(
        err.contains("tensions           ratings.tensions           done in"),
        "{err}"
    );
    assert!(
        err.contains("report             report.markdown            done in"),
        "{err}"
    );
    // The skipped stages' outputs are carried over, not lost: the folder is
    // exactly a run from nothing with the new setting, and nothing is stale.
    let run = |out: &std::path::Path| {
        crosscase_env(
            &[
                "run",
                pipeline.to_str().unwrap(),
                "--study",
                demo_study().to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
            &[],
        )
    };
    let fresh = tmp.path().join("fresh");
    assert_ok(&run(&fresh));
    assert_eq!(tree(&out), tree(&fresh));
    let again = run(&out);
    assert_ok(&again);
    assert!(
        stderr(&again).contains("Nothing to do"),
        "{}",
        stderr(&again)
    );
}

/// A late site's exports added to the study: the rerun reports changed
/// figures and gives the same bytes as a run from nothing.
#[test]
fn late_site_rerun_is_byte_identical_to_a_run_from_nothing() {
    let (tmp, study) = demo_copy();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&study, &out, &[]));
    add_late_site(&study);
    let rerun = synthesis(&study, &out, &[]);
    assert_ok(&rerun);
    let err = stderr(&rerun);
    assert!(
        err.contains(
            "(1 of 10 sites anonymised, 9 reused; 1 of 3 transcript projects redacted, 2 reused; 12 workshop files redacted)"
        ),
        "only the late site is anonymised: {err}"
    );
    assert!(
        err.contains("figure change(s) since the previous run"),
        "{err}"
    );
    assert!(
        err.contains("  ratings: ") && err.contains("figure(s) appeared"),
        "changes are summarised per table: {err}"
    );
    let fresh = tmp.path().join("fresh");
    assert_ok(&synthesis(&study, &fresh, &[]));
    assert_eq!(tree(&out), tree(&fresh));
    let diff = crosscase(&["diff", "--out", out.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&diff.stdout).contains("appeared    ratings/site/Site J/"));
}

/// `explain` lists the rows a figure came from; recomputing the figure
/// from those rows gives the published value.
#[test]
fn explain_lists_the_rows_that_recompute_each_figure() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&demo_study(), &out, &[]));
    let summary = read_table(&out, "ratings_summary");
    let sample: Vec<_> = summary
        .iter()
        .filter(|r| r["suppressed"] == "false")
        .step_by(41)
        .take(8)
        .collect();
    assert!(sample.len() >= 5);
    for row in sample {
        let id = format!("{}/mean", row["figure_id"]);
        let output = crosscase(&["explain", &id, "--out", out.to_str().unwrap()]);
        assert_ok(&output);
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            text.contains(&format!("value     mean = {}", row["mean"])),
            "{text}"
        );
        // Rows: participant, source file:line, importance value.
        let values: Vec<f64> = text
            .lines()
            .skip_while(|l| !l.trim_start().starts_with("participant"))
            .skip(1)
            .filter_map(|l| l.split_whitespace().last()?.parse::<f64>().ok())
            .filter(|v| (1.0..=5.0).contains(v))
            .collect();
        assert_eq!(values.len().to_string(), row["n"], "{text}");
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        let published: f64 = row["mean"].parse().unwrap();
        assert!(
            (mean - published).abs() < 1e-12,
            "{id}: recomputed {mean}, published {published}"
        );
        assert!(
            text.contains("raw/interviews/"),
            "rows trace back to raw files: {text}"
        );
    }
}

/// On a study folder written by a different program (tests/fixtures/
/// make_other_study.py), the statistics equal those Python's `statistics`
/// module computed.
#[test]
fn other_study_statistics_equal_independent_values() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&other_study(), &out, &[]));
    let published = read_table(&out, "ratings_summary");
    let index: BTreeMap<(String, String, String), &BTreeMap<String, String>> = published
        .iter()
        .filter(|r| r["scope"] == "study" || r["scope"] == "site")
        .map(|r| {
            (
                (r["scope"].clone(), r["site"].clone(), r["factor"].clone()),
                r,
            )
        })
        .collect();
    let mut reader =
        csv::Reader::from_path(root().join("tests/fixtures/other-study-expected.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let mut compared = 0;
    for record in reader.records() {
        let record = record.unwrap();
        let get = |name: &str| {
            record
                .get(headers.iter().position(|h| h == name).unwrap())
                .unwrap()
                .to_string()
        };
        let row = index[&(get("scope"), get("site"), get("factor"))];
        assert_eq!(row["suppressed"], "false", "{:?}", row);
        assert_eq!(row["n"], get("n"));
        for stat in ["mean", "sd", "median", "q1", "q3", "pct_high"] {
            let a: f64 = row[stat].parse().unwrap();
            let b: f64 = get(stat).parse().unwrap();
            assert!(
                (a - b).abs() < 1e-12,
                "{} {} {}: {stat} {a} != {b}",
                get("scope"),
                get("site"),
                get("factor")
            );
        }
        compared += 1;
    }
    assert_eq!(compared, 88);
}

#[test]
fn a_real_study_without_its_key_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let output = synthesis_env(&other_study(), &out, &[], &[]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("the environment variable OTHER_STUDY_KEY is not set"),
        "{}",
        stderr(&output)
    );
    assert!(!out.join("tables").exists());
}

/// The same on a study folder we did not write: a site's export arrives
/// late; the rerun equals a run from nothing.
#[test]
fn late_site_in_a_study_we_did_not_write() {
    let tmp = tempfile::tempdir().unwrap();
    let study = tmp.path().join("study");
    copy_tree(&other_study(), &study);
    let late = std::fs::read(study.join("raw/interviews/export_s23.csv")).unwrap();
    std::fs::remove_file(study.join("raw/interviews/export_s23.csv")).unwrap();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&study, &out, &[]));
    assert!(
        status_of(&study, &out).contains("wave 3 (South): data from Hub West"),
        "documents only so far"
    );
    std::fs::write(study.join("raw/interviews/export_s23.csv"), late).unwrap();
    let rerun = synthesis(&study, &out, &[]);
    assert_ok(&rerun);
    assert!(
        stderr(&rerun).contains("figure change(s) since the previous run"),
        "{}",
        stderr(&rerun)
    );
    assert!(
        stderr(&rerun).contains("(1 of 3 sites anonymised, 2 reused)"),
        "{}",
        stderr(&rerun)
    );
    let fresh = tmp.path().join("fresh");
    assert_ok(&synthesis(&study, &fresh, &[]));
    assert_eq!(tree(&out), tree(&fresh));
}

/// A late site brings new names to the redaction gazetteer. An earlier
/// site whose text holds one of them is anonymised again (its partition is
/// not reused), so the rerun still equals a run from nothing and the name is
/// redacted everywhere.
#[test]
fn a_late_name_in_an_earlier_sites_text_re_anonymises_that_site() {
    let (tmp, study) = demo_copy();
    let edit = |rel: &str, from: &str, to: &str| {
        let path = study.join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{rel} holds {from}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    };
    // The late site's participant gets a surname no one else has; an early
    // site's interview mentions it before anyone knows it is a name.
    edit(
        "late/raw/interviews/wave3_south_late.csv",
        "Imogen Nwosu",
        "Imogen Quennellow",
    );
    edit(
        "raw/interviews/wave1_london.csv",
        "From the commissioning side, the team",
        "From the commissioning side, Quennellow and the team",
    );
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&study, &out, &[]));
    let accounts = |dir: &std::path::Path| {
        std::fs::read_to_string(dir.join("tables/quotes.csv")).unwrap_or_default()
            + &std::fs::read_to_string(dir.join("report/synthesis.md")).unwrap()
    };
    let before = tree(&out);
    assert!(
        before
            .iter()
            .any(|(_, bytes)| String::from_utf8_lossy(bytes).contains("Quennellow")),
        "before the late site, nothing says Quennellow is a name: {}",
        accounts(&out).len()
    );
    add_late_site(&study);
    let rerun = synthesis(&study, &out, &[]);
    assert_ok(&rerun);
    assert!(
        stderr(&rerun).contains(
            "(2 of 10 sites anonymised, 8 reused; 1 of 3 transcript projects redacted, 2 reused; 12 workshop files redacted)"
        ),
        "{}",
        stderr(&rerun)
    );
    let after = tree(&out);
    assert!(
        !after
            .iter()
            .any(|(_, bytes)| String::from_utf8_lossy(bytes).contains("Quennellow")),
        "the late name is redacted everywhere"
    );
    let fresh = tmp.path().join("fresh");
    assert_ok(&synthesis(&study, &fresh, &[]));
    assert_eq!(after, tree(&fresh));
}

/// With a private anonymisation log, a rerun that reuses sites' partitions
/// writes the same log as a run from nothing (reused sites' entries are
/// kept from the previous log).
#[test]
fn reused_partitions_keep_their_anonymisation_log_entries() {
    let (tmp, study) = demo_copy();
    let toml = std::fs::read_to_string(study.join("study.toml")).unwrap();
    std::fs::write(
        study.join("study.toml"),
        format!("{toml}\n[anonymisation]\nlog = \"../private/log.csv\"\n"),
    )
    .unwrap();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&study, &out, &[]));
    add_late_site(&study);
    let rerun = synthesis(&study, &out, &[]);
    assert_ok(&rerun);
    assert!(
        stderr(&rerun).contains(
            "(1 of 10 sites anonymised, 9 reused; 1 of 3 transcript projects redacted, 2 reused; 12 workshop files redacted)"
        ),
        "{}",
        stderr(&rerun)
    );
    let log = std::fs::read_to_string(tmp.path().join("private/log.csv")).unwrap();
    assert!(
        log.lines().count() > 20 && log.lines().any(|l| l.starts_with("Site J,")),
        "{log}"
    );
    std::fs::remove_file(tmp.path().join("private/log.csv")).unwrap();
    assert_ok(&synthesis(&study, &tmp.path().join("fresh"), &[]));
    assert_eq!(
        log,
        std::fs::read_to_string(tmp.path().join("private/log.csv")).unwrap()
    );
    // A log that went missing cannot supply reused sites' entries: every
    // site is anonymised again, and the log is whole.
    std::fs::remove_file(tmp.path().join("private/log.csv")).unwrap();
    let toml = std::fs::read_to_string(study.join("sites.csv")).unwrap();
    std::fs::write(study.join("sites.csv"), toml).unwrap();
    std::fs::remove_file(out.join(".crosscase/cache.json")).unwrap();
    let again = synthesis(&study, &out, &[]);
    assert_ok(&again);
    assert!(
        stderr(&again).contains(
            "(10 of 10 sites anonymised, 0 reused; 3 of 3 transcript projects redacted, 0 reused; 12 workshop files redacted)"
        ),
        "{}",
        stderr(&again)
    );
    assert_eq!(
        log,
        std::fs::read_to_string(tmp.path().join("private/log.csv")).unwrap()
    );
}

/// Partitions are reused only from `data/` files that are exactly what the
/// previous run wrote: a site's partition file changed on disk means that
/// site is anonymised again (and the output is still that of a run from
/// nothing).
#[test]
fn a_tampered_data_table_is_never_reused() {
    let (tmp, study) = demo_copy();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&study, &out, &[]));
    std::fs::write(
        out.join("data/accounts/site=Site A/part-0.parquet"),
        b"not what the run wrote",
    )
    .unwrap();
    add_late_site(&study);
    let rerun = synthesis(&study, &out, &[]);
    assert_ok(&rerun);
    assert!(
        stderr(&rerun).contains(
            "(2 of 10 sites anonymised, 8 reused; 1 of 3 transcript projects redacted, 2 reused; 12 workshop files redacted)"
        ),
        "{}",
        stderr(&rerun)
    );
    let fresh = tmp.path().join("fresh");
    assert_ok(&synthesis(&study, &fresh, &[]));
    assert_eq!(tree(&out), tree(&fresh));
}
