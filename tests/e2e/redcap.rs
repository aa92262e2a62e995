//! Exports as REDCap really writes them (issue 16, part 1), on the study we
//! did not write (`tests/fixtures/make_other_study.py`): data access groups
//! named after the services, a survey identifier and timestamp, a checkbox
//! field with odd codes, and a "CSV (labels)" export by mistake.

use std::collections::BTreeMap;
use std::path::Path;

use super::privacy::{assert_nothing_reaches, output_texts, parquet};
use super::*;

/// The data access groups of the other study, as exported and in words.
const GROUPS: &[&str] = &[
    "riverside_peer_hub",
    "harbour_lights",
    "moorland_recovery",
    "Harbour Lights",
    "moorland recovery",
];

/// A CSV file as rows of maps, header first.
fn csv_rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    super::csv_text_rows(&std::fs::read_to_string(path).unwrap())
}

/// Every file under a folder, the state folder included.
fn walkdir(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if entry.path().is_dir() {
            files.extend(walkdir(&entry.path()));
        } else {
            files.push(entry.path());
        }
    }
    files
}

/// Every raw interview export of a study, as text.
fn raw_exports(study: &Path) -> String {
    std::fs::read_dir(study.join("raw/interviews"))
        .unwrap()
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect()
}

#[test]
fn redcaps_own_columns_are_read_and_never_reach_any_output() {
    let study = other_study();
    let raw = raw_exports(&study);
    // Not vacuous: the exports carry every group, survey emails and
    // timestamps, and free text naming a service by its group's words.
    for needle in GROUPS[..4].iter().chain(&[
        "redcap_survey_identifier",
        "2012-03-10 10:20:05",
        "[not completed]",
    ]) {
        assert!(raw.contains(needle), "{needle} is in the raw exports");
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&study, &out, &[]));
    let mut needles: Vec<String> = GROUPS.iter().map(|s| s.to_string()).collect();
    needles.extend([
        "redcap_data_access_group".to_string(),
        "redcap_survey_identifier".to_string(),
        "interview_data_sheet_timestamp".to_string(),
        "2012-03-10 10:20:05".to_string(),
        "[not completed]".to_string(),
    ]);
    assert_nothing_reaches(&out, &needles, "a data access group or a survey column");
    // The group's words were redacted as a site's name where people wrote them.
    let key = anonymise::Key::from_bytes(OTHER_KEY.1.as_bytes()).unwrap();
    let s22_02 = anonymise::pseudonym(&key, "S22-02");
    let comments: Vec<String> = parquet(&out, "data/accounts.parquet")
        .into_iter()
        .filter(|r| r["participant"] == s22_02 && r["field"] == "comments")
        .map(|r| r["text"].clone())
        .collect();
    assert!(
        comments
            .iter()
            .any(|t| t.contains("Everyone here just calls it [site].")),
        "{comments:#?}"
    );
}

/// A group's name in an output stops the run: with redaction of site names
/// switched off and the register's names taken out of the free text, only
/// the data access group knows `Harbour Lights`; the leak guard finds it.
#[test]
fn a_data_access_group_name_in_an_output_fails_the_leak_guard() {
    let tmp = tempfile::tempdir().unwrap();
    let study = tmp.path().join("study");
    copy_tree(&other_study(), &study);
    let names: Vec<String> = csv_rows(&study.join("sites.csv"))
        .into_iter()
        .map(|r| r["site_name"].clone())
        .collect();
    for entry in std::fs::read_dir(study.join("raw/interviews"))
        .unwrap()
        .flatten()
    {
        let mut text = std::fs::read_to_string(entry.path()).unwrap();
        for name in &names {
            text = text.replace(name.as_str(), "the service");
        }
        std::fs::write(entry.path(), text).unwrap();
    }
    let pipeline = tmp.path().join("no-site-redaction.toml");
    let text = std::fs::read_to_string(synthesis_pipeline())
        .unwrap()
        .replacen(
            "run = \"anonymise\"\nfrom = [\"study\"]\n",
            "run = \"anonymise\"\nfrom = [\"study\"]\ndisable_redaction = [\"site\"]\n",
            1,
        );
    assert!(text.contains("disable_redaction"));
    std::fs::write(&pipeline, text).unwrap();
    let out = tmp.path().join("out");
    let run = run_pipeline(&pipeline, &study, &out, &[], &[OTHER_KEY]);
    let err = stderr(&run);
    assert_eq!(code(&run), 1, "the leak guard stops the run:\n{err}");
    let leaks: Vec<&str> = err.lines().filter(|l| l.starts_with("leak: ")).collect();
    assert!(
        leaks
            .iter()
            .any(|l| l.starts_with("leak: data/accounts/site=")
                && l.contains("/part-0.parquet: row ")
                && l.ends_with(": site")),
        "{err}"
    );
    assert!(leaks.iter().all(|l| l.ends_with(": site")), "{err}");
    assert!(!err.contains("Harbour Lights") && !err.contains("harbour_lights"));
    // Nothing was published, and nothing is left behind (staging included).
    assert!(tree(&out).is_empty());
    let left: Vec<_> = walkdir(&out);
    assert!(
        left.iter().all(|p| !std::fs::read_to_string(p)
            .unwrap_or_default()
            .contains("Harbour Lights")),
        "{left:?}"
    );
    // Without the group column, nothing knows the name: it would be
    // published. The guard's finding above is the group's doing.
    for entry in std::fs::read_dir(study.join("raw/interviews"))
        .unwrap()
        .flatten()
    {
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let without: String = text
            .lines()
            .map(|line| {
                let mut cells: Vec<&str> = line.splitn(3, ',').collect();
                cells.remove(1);
                cells.join(",") + "\n"
            })
            .collect();
        assert!(!without.contains("redcap_data_access_group"));
        std::fs::write(entry.path(), without).unwrap();
    }
    let blind = tmp.path().join("blind");
    assert_ok(&run_pipeline(&pipeline, &study, &blind, &[], &[OTHER_KEY]));
    assert!(
        output_texts(&blind)
            .iter()
            .any(|(_, text)| text.contains("Harbour Lights"))
    );
}

/// The long table of ticked choices and the demographics counts, against
/// the values the Python fixture computed on its own.
#[test]
fn checkbox_choices_and_their_counts_equal_independent_values() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&other_study(), &out, &[]));
    let key = anonymise::Key::from_bytes(OTHER_KEY.1.as_bytes()).unwrap();
    let expected: Vec<(String, String, String, String)> =
        csv_rows(&root().join("tests/fixtures/other-study-checkboxes-expected.csv"))
            .into_iter()
            .map(|r| {
                (
                    r["site"].clone(),
                    anonymise::pseudonym(&key, &r["record_id"]),
                    r["field"].clone(),
                    r["choice"].clone(),
                )
            })
            .collect();
    let mut expected_sorted = expected.clone();
    expected_sorted.sort();
    let published: Vec<(String, String, String, String)> = parquet(&out, "data/checkboxes.parquet")
        .into_iter()
        .map(|r| {
            (
                r["site"].clone(),
                r["participant"].clone(),
                r["field"].clone(),
                r["choice"].clone(),
            )
        })
        .collect();
    // Same rows; sorted by site label and pseudonym, choices in dictionary order.
    let mut published_sorted = published.clone();
    published_sorted.sort();
    assert_eq!(published_sorted, expected_sorted);
    assert!(published.len() > 20, "{}", published.len());
    let withdrawn = anonymise::pseudonym(&key, "S22-03");
    assert!(published.iter().all(|r| r.1 != withdrawn));
    for pair in published.windows(2) {
        assert!(
            (&pair[0].0, &pair[0].1) <= (&pair[1].0, &pair[1].1),
            "{pair:?}"
        );
    }
    // The codes as the dictionary writes them, `-3` and `A` included.
    for code in ["-3", "A"] {
        assert!(published.iter().any(|r| r.3 == code), "{code}");
    }

    // Demographics: each choice's Yes and No, at the study and sector
    // levels; published where Python's count allows, equal to it.
    let min_cell = 2;
    let demographics: BTreeMap<String, BTreeMap<String, String>> = read_table(&out, "demographics")
        .into_iter()
        .map(|r| (r["figure_id"].clone(), r))
        .collect();
    let (mut compared, mut hidden) = (0, 0);
    for row in csv_rows(&root().join("tests/fixtures/other-study-checkbox-counts.csv")) {
        let scope = match row["scope"].as_str() {
            "study" => "study".to_string(),
            _ => format!("sector/{}", row["sector"]),
        };
        let id = format!(
            "demographics/{scope}/{}/{}",
            row["characteristic"], row["category"]
        );
        let cell = &demographics[&id];
        let n: u32 = row["n"].parse().unwrap();
        if cell["suppressed"] == "false" {
            assert_eq!(cell["n"], row["n"], "{id}");
            compared += 1;
        } else {
            assert_eq!(cell["n"], "", "{id}");
            hidden += 1;
        }
        if n < min_cell {
            assert_eq!(cell["suppressed"], "true", "{id}: {n} is a small cell");
        }
        // Yes and No add up to the scope's size: hidden together or not at all.
        let other = if row["category"] == "Yes" {
            "No"
        } else {
            "Yes"
        };
        let partner = id.replace(&format!("/{}", row["category"]), &format!("/{other}"));
        assert_eq!(
            cell["suppressed"], demographics[&partner]["suppressed"],
            "{id}"
        );
    }
    assert!(
        compared >= 12 && hidden >= 2,
        "{compared} published, {hidden} hidden"
    );
    // The report names each choice by the question and the choice.
    let report = std::fs::read_to_string(out.join("report/synthesis.md")).unwrap();
    assert!(
        report.contains(
            "| Which support have you had in this role?: Reflective practice | Yes | 6 |"
        ),
        "the report's demographics table"
    );
}

/// A "CSV (labels)" export is said once, for the whole file, with what to
/// do; the other files are checked as usual.
#[test]
fn a_labels_export_is_said_once_per_file() {
    let tmp = tempfile::tempdir().unwrap();
    let study = tmp.path().join("study");
    copy_tree(&other_study(), &study);
    std::fs::copy(
        root().join("tests/fixtures/other-study-broken/labels_export_s21.csv"),
        study.join("raw/interviews/labels_export_s21.csv"),
    )
    .unwrap();
    std::fs::remove_file(study.join("raw/interviews/export_s21.csv")).unwrap();
    let check = crosscase(&["validate", "--study", study.to_str().unwrap()]);
    let err = stderr(&check);
    assert_eq!(code(&check), 1, "{err}");
    let about: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("labels_export_s21.csv"))
        .collect();
    assert_eq!(about.len(), 1, "{err}");
    assert!(
        about[0].ends_with(&format!(
            "raw/interviews/labels_export_s21.csv:1:1: expected a REDCap \"CSV (raw data)\" export (field names such as `record_id` as the header, codes as values), found a \"CSV (labels)\" export: {n} of its {n} columns are headed by a label of redcap/interview_dictionary.csv (`Participant code (site code, hyphen, two digits)` at column 1); export the data again as \"CSV (raw data)\"",
            n = 99
        )),
        "{err}"
    );
    // Errors are `file:line:column: message`, warnings say `warning:`.
    let errors: Vec<&str> = err
        .lines()
        .filter(|l| l.contains(".csv:") && !l.contains(": warning: "))
        .collect();
    assert_eq!(errors, about, "one problem in all");
}

/// A site whose records are in two data access groups is warned about,
/// once, where the second group starts, without naming either group.
#[test]
fn a_site_in_two_data_access_groups_is_warned_about() {
    let tmp = tempfile::tempdir().unwrap();
    let study = tmp.path().join("study");
    copy_tree(&other_study(), &study);
    let path = study.join("raw/interviews/export_s22.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    for line in [4, 5] {
        lines[line - 1] = lines[line - 1].replacen(",harbour_lights,", ",harbour_lights_east,", 1);
    }
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let check = crosscase(&["validate", "--study", study.to_str().unwrap()]);
    let err = stderr(&check);
    assert_eq!(code(&check), 0, "a warning, not an error: {err}");
    let warnings: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("redcap_data_access_group"))
        .collect();
    assert_eq!(
        warnings,
        [format!(
            "{}/raw/interviews/export_s22.csv:4:8: warning: redcap_data_access_group: expected every record of site S22 in one data access group (as at raw/interviews/export_s22.csv:2), found a record in another data access group (groups' names are not shown)",
            study.display()
        )],
        "{err}"
    );
}
