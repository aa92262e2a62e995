//! Feedback workshops end to end (issue 15): the notes and verdicts of
//! `qualitative/workshops/` are checked by the study stage, redacted by
//! `anonymise`, shown as text in their site's pack, gathered in the
//! handbook and counted per finding in the synthesis report; broken files
//! stop the run naming file, line and column; a new workshop file reruns
//! only the reports, to the bytes of a run from nothing.

use std::collections::BTreeMap;
use std::path::Path;

use super::privacy::{output_texts, parquet};
use super::transcripts::{csv_rows, has_word, planted_number, register};
use super::*;

fn read(out: &Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every published output as text, the private state folder left out.
fn published_texts(out: &Path) -> Vec<(String, String)> {
    output_texts(out)
        .into_iter()
        .filter(|(rel, _)| !rel.starts_with(".crosscase"))
        .collect()
}

/// The words of the demo's workshop files that must never be published:
/// every name, service, place and organisation the study knows, and the
/// emails and phone numbers the notes plant.
fn demo_planted(study: &Path) -> Vec<String> {
    let mut planted: Vec<String> = register(study).identifying.into_iter().collect();
    for entry in std::fs::read_dir(study.join("qualitative/workshops")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for word in text.split([' ', '(', ')', ',']) {
            if word.contains('@') {
                planted.push(word.to_string());
            }
        }
        for (at, _) in text.match_indices(" ring ") {
            let number: String = text[at + 6..]
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == ' ' || *c == '+')
                .collect();
            let number = number.trim();
            if number.len() > 6 {
                planted.push(number.to_string());
            }
        }
    }
    planted
}

#[test]
fn the_demo_workshops_are_redacted_shown_as_text_and_counted() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&demo_study(), &out, &[]));

    // Notes of every site with notes (all but Site F), redacted.
    let notes = parquet(&out, "data/workshop_notes.parquet");
    let sites: Vec<&str> = notes.iter().map(|r| r["site"].as_str()).collect();
    assert_eq!(
        sites,
        [
            "Site A", "Site B", "Site C", "Site D", "Site E", "Site G", "Site H", "Site I"
        ]
    );
    let verdicts = parquet(&out, "data/workshop_verdicts.parquet");
    assert_eq!(verdicts.len(), 12, "four rows from each of three sites");
    let planted = demo_planted(&demo_study());
    assert!(
        planted.iter().any(|p| p.contains('@')),
        "emails are planted"
    );
    let mut found = Vec::new();
    for (rel, text) in published_texts(&out) {
        let workshop_text = rel.contains("workshop")
            || rel.starts_with("report/sites/")
            || rel.starts_with("report/handbook/");
        if !workshop_text {
            continue;
        }
        for needle in &planted {
            if has_word(&text, needle) {
                found.push(format!("{needle} in {rel}"));
            }
        }
    }
    for row in notes
        .iter()
        .map(|r| &r["text"])
        .chain(verdicts.iter().map(|r| &r["comment"]))
    {
        if let Some(kind) = planted_number(row) {
            found.push(format!("a {kind} in {row}"));
        }
    }
    assert!(found.is_empty(), "{found:#?}");
    // What the redactor put in their place, and no line end from Word.
    let e = &notes.iter().find(|r| r["site"] == "Site E").unwrap()["text"];
    assert!(e.contains("Facilitated by [name]; notes by [name]."), "{e}");
    assert!(e.contains("([email])") && e.contains("ring [phone]"), "{e}");
    let c = &notes.iter().find(|r| r["site"] == "Site C").unwrap()["text"];
    assert!(!c.contains('\r'), "Site C's notes were typed with CRLF");
    assert!(
        notes
            .iter()
            .all(|r| r["source"].starts_with("qualitative/workshops/")
                && r["source"].len() == "qualitative/workshops/".len() + 64 + 3),
        "files are named by their sha256"
    );

    // The pack shows the notes as text: the pasted script is never run.
    let html = read(&out, "report/sites/site-e.html");
    assert!(!html.contains("<script"), "a script element in the pack");
    assert!(
        html.contains("&lt;script&gt;alert("),
        "the script shown as text"
    );
    assert!(
        html.contains("&lt;p style="),
        "the pasted HTML shown as text"
    );
    let md = read(&out, "report/sites/site-e.md");
    assert!(md.contains("## The feedback workshop"), "{md}");
    assert!(
        md.contains("```text\n# Feedback workshop: [site]\n"),
        "the notes in a fence, their heading as text"
    );
    // Each finding the workshop marked, with its verdict and comment.
    assert!(
        md.contains("| Supervision and team support (in place) | challenged | In place on paper only: cancelled most weeks when the ward is short ([name] and [colleague]). | `patterns/Site E/supervision` |"),
        "{md}"
    );
    assert!(
        md.contains("| Team capacity to support peer workers (in place) | The team asked for protected supervision time in the handbook; ring [phone] to join the working group. | `patterns/Site E/team_capacity` |"),
        "{md}"
    );
    let f = read(&out, "report/sites/site-f.md");
    assert!(
        f.contains("No notes of Site F's feedback workshop were received."),
        "{f}"
    );
    assert!(f.contains("No verdicts of the workshop on these findings were received."));

    // The handbook gathers the notes; the report counts the verdicts.
    let handbook = read(&out, "report/handbook/feedback-workshops.md");
    for site in &sites {
        assert!(handbook.contains(&format!("## {site}\n\nFigure `workshop/{site}`.")));
    }
    assert!(handbook.contains("No notes were received from Site F."));
    assert!(read(&out, "report/handbook/index.md").contains("(feedback-workshops.md)"));
    let report = read(&out, "report/synthesis.md");
    // Counted by hand from the demo's S01.csv, S05.csv and S07.csv:
    // supervision in place confirmed at Sites A and G, challenged at E.
    for row in [
        "| Supervision and team support (in place) | patterns/(site)/supervision | 2 workshops | 1 workshop | – |",
        "| Pay and appraisal parity (in place) | patterns/(site)/pay_parity | 2 workshops | – | – |",
        "| Acceptance by professional colleagues (named in the top three) | top3/site/(site)/staff_accept | – | 1 workshop | – |",
        "| Links with partner organisations (in place) | patterns/(site)/partnership | – | – | 1 workshop |",
    ] {
        assert!(report.contains(row), "{row}\n{report}");
    }
    assert!(report.contains("8 of the 9 sites with data sent notes"));

    // explain resolves the notes to their file, locally.
    let explained = crosscase(&["explain", "workshop/Site E", "--out", out.to_str().unwrap()]);
    assert_ok(&explained);
    let said = String::from_utf8_lossy(&explained.stdout);
    assert!(
        said.contains("qualitative/workshops/S05.md (local"),
        "{said}"
    );
    let none = crosscase(&["explain", "workshop/Site F", "--out", out.to_str().unwrap()]);
    assert_eq!(code(&none), 2, "Site F sent no notes");
}

#[test]
fn broken_workshop_files_are_named_at_once_and_leave_the_outputs() {
    let (tmp, study) = demo_copy();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&study, &out, &[]));
    let lock = read(&out, "outputs.lock");
    let folder = study.join("qualitative/workshops");
    std::fs::write(folder.join("S99.md"), "# Notes of a site we do not have\n").unwrap();
    std::fs::write(folder.join("notes.txt"), "stray\n").unwrap();
    std::fs::write(
        folder.join("S02.csv"),
        "\u{feff}figure_id,verdict,comment,who\r\npatterns/Site B/supervision,agreed,,Jo\r\n,new,x,\r\n",
    )
    .unwrap();
    let run = synthesis(&study, &out, &[]);
    assert_eq!(code(&run), 1, "{}", stderr(&run));
    let err = stderr(&run);
    for expected in [
        "qualitative/workshops/S99.md: expected a file named after a site_id of sites.csv",
        "qualitative/workshops/notes.txt: expected a workshop file named <site_id>.md (notes) or <site_id>.csv (verdicts), found `notes.txt`",
        "qualitative/workshops/S02.csv:1:27: expected the columns figure_id, verdict and comment, found a column `who`",
        "qualitative/workshops/S02.csv:2:29: expected a verdict of confirmed, challenged or new, found `agreed`",
        "qualitative/workshops/S02.csv:3:1: expected the figure_id of a finding of the site's pack, found nothing",
    ] {
        assert!(err.contains(expected), "{expected}\n{err}");
    }
    assert_eq!(
        read(&out, "outputs.lock"),
        lock,
        "earlier outputs untouched"
    );

    // Well-formed, but a figure the site's pack does not show.
    for name in ["S99.md", "notes.txt", "S02.csv"] {
        std::fs::remove_file(folder.join(name)).unwrap();
    }
    let mut s01 = std::fs::read_to_string(folder.join("S01.csv")).unwrap();
    s01.push_str("patterns/Site A/no_such_factor,confirmed,\r\nratings/site/Site B/supervision,challenged,\r\n");
    std::fs::write(folder.join("S01.csv"), s01).unwrap();
    let run = synthesis(&study, &out, &[]);
    assert_eq!(code(&run), 1, "{}", stderr(&run));
    let err = stderr(&run);
    for expected in [
        "qualitative/workshops/S01.csv:6:1: expected the figure_id of a finding of Site A's pack, found `patterns/Site A/no_such_factor`",
        "qualitative/workshops/S01.csv:7:1: expected the figure_id of a finding of Site A's pack, found `ratings/site/Site B/supervision`",
    ] {
        assert!(err.contains(expected), "{expected}\n{err}");
    }
    assert_eq!(
        read(&out, "outputs.lock"),
        lock,
        "earlier outputs untouched"
    );
}

#[test]
fn a_new_workshop_file_reruns_only_the_reports_to_the_bytes_of_a_run_from_nothing() {
    let (tmp, study) = demo_copy();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&study, &out, &[]));
    let before = parquet(&out, "data/workshop_notes.parquet").len();
    // Site F's notes arrive, naming its people.
    let people: Vec<String> = csv_rows(&study.join("raw/interviews/wave2_north.csv"))
        .into_iter()
        .filter(|r| r["site_id"] == "S06")
        .map(|r| r["participant_name"].clone())
        .take(2)
        .collect();
    assert_eq!(people.len(), 2);
    std::fs::write(
        study.join("qualitative/workshops/S06.md"),
        format!(
            "# Brackenfield Survivors Peer Network\n\n{} and {} led the discussion <b>together</b>.\n",
            people[0], people[1]
        ),
    )
    .unwrap();
    let rerun = synthesis(&study, &out, &[]);
    assert_ok(&rerun);
    let said = stderr(&rerun);
    assert!(
        said.contains("new data since the last run: qualitative/workshops/S06.md new"),
        "{said}"
    );
    let line = |id: &str| {
        said.lines()
            .find(|l| l.contains(&format!("] {id} ")))
            .unwrap_or_else(|| panic!("{id}: {said}"))
            .to_string()
    };
    for skipped in ["ratings_summary", "pattern_matrix", "quotes", "workbook"] {
        assert!(line(skipped).ends_with("unchanged, skipped"), "{said}");
    }
    for ran in [
        "study",
        "clean",
        "report",
        "site_packs",
        "handbook",
        "leak_guard",
    ] {
        assert!(line(ran).contains("done in"), "{said}");
    }
    assert!(
        line("clean").contains("0 of 9 sites anonymised, 9 reused"),
        "{said}"
    );
    let notes = parquet(&out, "data/workshop_notes.parquet");
    assert_eq!(notes.len(), before + 1);
    let f = &notes.iter().find(|r| r["site"] == "Site F").unwrap()["text"];
    assert_eq!(
        f,
        // The second is a colleague of identifiers.csv too: its replacement wins.
        "# [site]\n\n[name] and [colleague] led the discussion <b>together</b>.\n"
    );
    let fresh = tmp.path().join("fresh");
    assert_ok(&synthesis(&study, &fresh, &[]));
    assert!(
        tree(&out) == tree(&fresh),
        "the rerun equals a run from nothing"
    );
}

#[test]
fn workshop_notes_of_a_site_whose_data_has_not_arrived_wait_for_it() {
    let (tmp, study) = demo_copy();
    let out = tmp.path().join("out");
    // The late site's notes come before its exports.
    copy_tree(
        &study.join("late/qualitative/workshops"),
        &study.join("qualitative/workshops"),
    );
    let run = synthesis(&study, &out, &[]);
    assert_ok(&run);
    assert!(
        stderr(&run).contains("qualitative/workshops/S10.md: warning: site S10 has no data yet"),
        "{}",
        stderr(&run)
    );
    let notes = parquet(&out, "data/workshop_notes.parquet");
    assert!(notes.iter().all(|r| r["site"] != "Site J"));
    // Its data arrives: the notes are published, redacted with its names.
    add_late_site(&study);
    assert_ok(&synthesis(&study, &out, &[]));
    let notes = parquet(&out, "data/workshop_notes.parquet");
    let j = &notes.iter().find(|r| r["site"] == "Site J").unwrap()["text"];
    let mut found = Vec::new();
    for needle in &register(&study).identifying {
        if has_word(j, needle) {
            found.push(needle.clone());
        }
    }
    assert!(found.is_empty(), "{found:?} in\n{j}");
    let fresh = tmp.path().join("fresh");
    assert_ok(&synthesis(&study, &fresh, &[]));
    assert!(
        tree(&out) == tree(&fresh),
        "the rerun equals a run from nothing"
    );
}

#[test]
fn a_name_the_redactor_is_told_to_leave_in_workshop_notes_stops_the_run() {
    let (tmp, study) = demo_copy();
    let out = tmp.path().join("out");
    // Only the workshop notes hold this phone number.
    std::fs::write(
        study.join("qualitative/workshops/S06.md"),
        "Ring the peer network on 0161 496 0999 to book.\n",
    )
    .unwrap();
    let pipeline = tmp.path().join("pipeline.toml");
    let text = std::fs::read_to_string(synthesis_pipeline())
        .unwrap()
        .replacen(
            "run = \"anonymise\"\nfrom = [\"study\"]\n",
            "run = \"anonymise\"\nfrom = [\"study\"]\ndisable_redaction = [\"phone\"]\n",
            1,
        );
    std::fs::write(&pipeline, text).unwrap();
    let run = run_pipeline(&pipeline, &study, &out, &[], &[]);
    assert_eq!(code(&run), 1, "{}", stderr(&run));
    let err = stderr(&run);
    assert!(
        err.lines()
            .any(|l| l.starts_with("leak: data/workshop_notes.parquet") && l.contains("phone")),
        "{err}"
    );
    assert!(
        !err.contains("0161 496 0999"),
        "the guard never shows the value"
    );
    assert!(!out.join("outputs.lock").exists(), "nothing published");
}

#[test]
fn workshops_of_a_study_we_did_not_write_equal_the_independent_expectations() {
    let tmp = tempfile::tempdir().unwrap();
    let study = tmp.path().join("study");
    copy_tree(&other_study(), &study);
    let fixture = root().join("tests/fixtures/other-study-workshops");
    copy_tree(&fixture.join("qualitative"), &study.join("qualitative"));
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&study, &out, &[]));

    let columns = |rows: Vec<BTreeMap<String, String>>| -> Vec<Vec<String>> {
        let keep = ["site", "source_line", "figure_id", "verdict"];
        rows.iter()
            .map(|r| keep.iter().map(|c| r[*c].clone()).collect())
            .collect()
    };
    assert_eq!(
        columns(parquet(&out, "data/workshop_verdicts.parquet")),
        columns(csv_rows(&fixture.join("expected_verdicts.csv")))
    );

    // Nothing the files plant is published, anywhere.
    let must_not = std::fs::read_to_string(fixture.join("must_not_appear.txt")).unwrap();
    let mut found = Vec::new();
    for (rel, text) in published_texts(&out) {
        for needle in must_not.lines().filter(|l| !l.is_empty()) {
            if has_word(&text, needle) {
                found.push(format!("{needle} in {rel}"));
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");

    let notes = parquet(&out, "data/workshop_notes.parquet");
    let east = &notes.iter().find(|r| r["site"] == "Hub East").unwrap()["text"];
    assert!(
        east.starts_with("# [site]: feedback workshop\n\n[name] came,"),
        "BOM and CRLF gone, the withdrawn participant's name redacted: {east:?}"
    );
    let north = read(&out, "report/sites/hub-north.html");
    assert!(!north.contains("<script") && !north.contains("<img"));
    assert!(north.contains("&lt;script&gt;") && north.contains("&lt;img src=x onerror="));
    let north_md = read(&out, "report/sites/hub-north.md");
    assert!(
        north_md.contains("`````text\n"),
        "a fence longer than the notes' four backticks:\n{north_md}"
    );
    let west = read(&out, "report/sites/hub-west.md");
    assert!(west.contains("No notes of Hub West's feedback workshop were received."));
    assert!(west.contains("| challenged | Acceptance is no longer the issue. | `top3/site/Hub West/staff_accept` |"), "{west}");

    // The synthesis counts equal those Python counted.
    let report = read(&out, "report/synthesis.md");
    let counted: BTreeMap<String, [String; 3]> = report
        .lines()
        .filter(|l| l.contains("/(site)/"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
            let n = |c: &str| match c {
                "–" => "0".to_string(),
                c => c.split(' ').next().unwrap().to_string(),
            };
            (
                cells[1].to_string(),
                [n(cells[2]), n(cells[3]), n(cells[4])],
            )
        })
        .collect();
    let expected: BTreeMap<String, [String; 3]> = csv_rows(&fixture.join("expected_counts.csv"))
        .into_iter()
        .map(|r| {
            (
                r["finding"].clone(),
                [
                    r["confirmed"].clone(),
                    r["challenged"].clone(),
                    r["new"].clone(),
                ],
            )
        })
        .collect();
    assert_eq!(counted, expected);
}
