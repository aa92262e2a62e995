//! The projects of `tests/fixtures/qualitative/`, written the way NVivo,
//! ATLAS.ti and MAXQDA write them by an independent Python script
//! (`tests/fixtures/make_qdpx.py`), read here; every count is compared with
//! the one Python computed from the XML it wrote.

// Test helpers outside #[test] functions may unwrap: a failure is a test failure.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use model::{Diagnostic, Framework, Positions, Severity};
use qualitative::{CodeThemes, Speaker, StudyReader, Turns};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/qualitative")
}

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(name)).unwrap()
}

/// The rows of a fixture CSV, header dropped.
fn rows(name: &str) -> Vec<Vec<String>> {
    let table = ingest::read_csv(&bytes(name), name).unwrap();
    table
        .records
        .iter()
        .map(|r| table.cells(r).into_iter().map(|c| c.text).collect())
        .collect()
}

fn record_ids() -> Vec<String> {
    String::from_utf8(bytes("record_ids.txt"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn themes() -> CodeThemes {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let text = std::fs::read_to_string(root.join("data-schema/framework.toml")).unwrap();
    let framework = Framework::parse(&text, "framework.toml").unwrap();
    let table = ingest::read_csv(&bytes("codes.csv"), "qualitative/codes.csv").unwrap();
    CodeThemes::parse(&table, &framework).unwrap()
}

const PROJECTS: [&str; 3] = ["atlas.qdpx", "maxqda.qdpx", "nvivo.qdpx"];

/// `(file, line, column, severity, fragments)` of the expectation rows;
/// fragments are separated by `|` and must all be in the message.
fn matches(d: &Diagnostic, row: &[String]) -> bool {
    let severity = match row[3].as_str() {
        "error" => Severity::Error,
        _ => Severity::Warning,
    };
    d.file == row[0]
        && d.line.to_string() == row[1]
        && d.column.to_string() == row[2]
        && d.severity == severity
        && row[4].split('|').all(|f| d.message.contains(f))
}

#[test]
fn segment_theme_and_turn_counts_equal_the_independent_computation() {
    let mut reader = StudyReader::new(Positions::Auto, record_ids(), themes());
    let mut diagnostics = Vec::new();
    let mut by_code: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut by_theme: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut turns: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for name in PROJECTS {
        let file = format!("qualitative/{name}");
        let linked = reader.read(&bytes(name), &file, &mut diagnostics).unwrap();
        let project = &linked.project;
        for (i, t) in project.transcripts.iter().enumerate() {
            let record_id = linked.record_id(i).unwrap().to_string();
            for selection in &t.selections {
                for &code in &selection.codes {
                    let path = project.codebook.code(code).path.clone();
                    *by_code.entry((record_id.clone(), path)).or_default() += 1;
                }
            }
            let found = Turns::find(&t.text);
            let interviewer = found
                .all()
                .iter()
                .filter(|t| t.speaker == Speaker::Interviewer)
                .count();
            turns.insert(record_id, (found.all().len(), interviewer));
        }
        for s in linked.themed_segments() {
            *by_theme
                .entry((s.record_id.to_string(), s.theme.to_string()))
                .or_default() += 1;
        }
    }
    reader.finish(&mut diagnostics);
    let expected = |name: &str| -> BTreeMap<(String, String), u64> {
        rows(name)
            .into_iter()
            .map(|r| ((r[0].clone(), r[1].clone()), r[2].parse().unwrap()))
            .collect()
    };
    assert_eq!(by_code, expected("expected_segments.csv"));
    assert_eq!(by_theme, expected("expected_themes.csv"));
    let expected_turns: BTreeMap<String, (usize, usize)> = rows("expected_turns.csv")
        .into_iter()
        .map(|r| (r[0].clone(), (r[1].parse().unwrap(), r[2].parse().unwrap())))
        .collect();
    assert_eq!(turns, expected_turns);
    // The only diagnostics: the skipped sources and the unmapped code.
    let expected = rows("expected_warnings.csv");
    assert_eq!(diagnostics.len(), expected.len(), "{diagnostics:#?}");
    for row in &expected {
        assert!(
            diagnostics.iter().any(|d| matches(d, row)),
            "no diagnostic like {row:?} in {diagnostics:#?}"
        );
    }
}

#[test]
fn each_damaged_project_gives_its_error_naming_the_file() {
    for row in rows("damaged/expected_errors.csv") {
        let mut reader = StudyReader::new(Positions::Auto, record_ids(), themes());
        let mut diagnostics = Vec::new();
        if !row[5].is_empty() {
            let first = format!("qualitative/{}", row[5]);
            reader.read(&bytes(&row[5]), &first, &mut diagnostics);
            diagnostics.clear();
        }
        let name = row[0].trim_start_matches("qualitative/");
        reader.read(&bytes(name), &row[0], &mut diagnostics);
        let errors: Vec<&Diagnostic> = diagnostics.iter().filter(|d| d.is_error()).collect();
        assert_eq!(errors.len(), 1, "{name}: {diagnostics:#?}");
        assert!(matches(errors[0], &row), "{name}: {} vs {row:?}", errors[0]);
        // Sources are named, their words never quoted.
        for d in &diagnostics {
            for words in [
                "Nowak",
                "Riverside",
                "Supervision every",
                "peer support worker",
            ] {
                assert!(!d.message.contains(words), "{name}: {d}");
            }
        }
    }
}

#[test]
fn the_fixtures_plant_what_later_stages_must_redact() {
    // The transcripts hold names and characters outside the BMP (so the
    // redaction that comes later has something to find), and the positions
    // the reader converted land on the phrases the script coded.
    let mut reader = StudyReader::new(Positions::Auto, record_ids(), themes());
    let mut diagnostics = Vec::new();
    let linked = reader
        .read(
            &bytes("nvivo.qdpx"),
            "qualitative/nvivo.qdpx",
            &mut diagnostics,
        )
        .unwrap();
    let t = &linked.project.transcripts[0];
    assert!(t.text.contains("Tomasz Nowak") && t.text.contains('🍀'));
    assert!(t.text.contains("\r\n") && !t.text.starts_with('\u{feff}'));
    let quoted: Vec<&str> = linked
        .project
        .coded_segments()
        .filter(|s| std::ptr::eq(s.transcript, t))
        .map(|s| s.text())
        .collect();
    assert!(quoted.contains(&"Supervision every fortnight with Tomasz Nowak kept me going"));
    assert!(quoted.contains(&"the pay is lower than a support worker's"));
}
