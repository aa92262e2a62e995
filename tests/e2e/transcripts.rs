//! Coded interview transcripts end to end (issue 14): the demo's projects
//! and a study crosscase's generator did not write become
//! `data/coded_segments.parquet`, redacted whole before any selection is
//! cut, speaker labels replaced, withdrawals applied; damaged projects stop
//! the run naming the file; a late project's rerun equals a run from
//! nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use unicode_normalization::UnicodeNormalization;

use super::privacy::{output_texts, parquet};
use super::*;

// ------------------------------------------------------------------ helpers

type Row = BTreeMap<String, String>;

fn segments(out: &Path) -> Vec<Row> {
    parquet(out, "data/coded_segments.parquet")
}

/// Text as the checks compare it: compatibility-decomposed, marks
/// dropped, lower case (so `Zoë` in NFC, NFD or without its diaeresis is
/// `zoe`).
pub(super) fn folded(text: &str) -> String {
    text.nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase()
}

/// Whether `needle` occurs in `hay` as whole words (both folded).
pub(super) fn has_word(hay: &str, needle: &str) -> bool {
    let (hay, needle) = (folded(hay), folded(needle));
    let word = |c: char| c.is_alphanumeric();
    hay.match_indices(&needle).any(|(at, _)| {
        let before = hay[..at].chars().next_back();
        let after = hay[at + needle.len()..].chars().next();
        let inside_a_word = (needle.starts_with(word) && before.is_some_and(word))
            || (needle.ends_with(word) && after.is_some_and(word));
        !inside_a_word
    })
}

/// The rows of a CSV file of a study, by column name.
pub(crate) fn csv_rows(path: &Path) -> Vec<Row> {
    super::csv_text_rows(&std::fs::read_to_string(path).unwrap())
}

/// A study's interviewees as its exports and register say: record id to
/// (site label, stakeholder group code), and their names, emails and
/// interviewers (what must never be published).
pub(super) struct Register {
    people: BTreeMap<String, (String, String)>,
    pub(super) identifying: BTreeSet<String>,
    withdrawn: BTreeMap<String, String>,
}

pub(super) fn register(study: &Path) -> Register {
    let labels: BTreeMap<String, String> = csv_rows(&study.join("sites.csv"))
        .into_iter()
        .map(|r| (r["site_id"].clone(), r["label"].clone()))
        .collect();
    let mut identifying: BTreeSet<String> = csv_rows(&study.join("sites.csv"))
        .into_iter()
        .map(|r| r["site_name"].clone())
        .collect();
    identifying.extend(
        csv_rows(&study.join("identifiers.csv"))
            .into_iter()
            .map(|r| r["text"].clone()),
    );
    let mut people = BTreeMap::new();
    for entry in std::fs::read_dir(study.join("raw/interviews"))
        .unwrap()
        .flatten()
    {
        for r in csv_rows(&entry.path()) {
            let group = model::Group::from_redcap(r["stakeholder_group"].parse().unwrap())
                .unwrap()
                .code()
                .to_string();
            people.insert(
                r["record_id"].clone(),
                (labels[&r["site_id"]].clone(), group),
            );
            identifying.insert(r["record_id"].clone());
            for field in ["participant_name", "contact_email", "interviewer"] {
                let v = r[field].trim();
                if !v.is_empty() {
                    identifying.insert(v.to_string());
                    // Every part of a name, as the redactor takes them.
                    identifying.extend(
                        v.split([' ', '-'])
                            .filter(|p| p.chars().count() >= 4)
                            .map(str::to_string),
                    );
                }
            }
        }
    }
    let withdrawn = csv_rows(&study.join("withdrawals.csv"))
        .into_iter()
        .map(|r| (r["record_id"].clone(), r["scope"].clone()))
        .collect();
    Register {
        people,
        identifying,
        withdrawn,
    }
}

/// The themed segments of a study's projects, read with the `qualitative`
/// crate (not the pipeline): (record id, theme, selection guid) and the
/// selection's raw text (identifying) with its byte range in the
/// transcript, and the transcript.
struct Coded {
    record_id: String,
    theme: String,
    selection: String,
    bytes: std::ops::Range<usize>,
    transcript: String,
}

fn coded(study: &Path, record_ids: &[String]) -> Vec<Coded> {
    let framework = model::Framework::parse(
        &std::fs::read_to_string(study.join("framework.toml")).unwrap(),
        "framework.toml",
    )
    .unwrap();
    let codes = std::fs::read(study.join("qualitative/codes.csv")).unwrap();
    let table = ingest::read_csv(&codes, "qualitative/codes.csv").unwrap();
    let themes = qualitative::CodeThemes::parse(&table, &framework).unwrap();
    let mut reader = qualitative::StudyReader::new(model::Positions::Auto, record_ids, themes);
    let mut out = Vec::new();
    let mut projects: Vec<_> = std::fs::read_dir(study.join("qualitative"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "qdpx"))
        .collect();
    projects.sort();
    let mut diagnostics = Vec::new();
    for path in projects {
        let linked = reader
            .read(&std::fs::read(&path).unwrap(), "p", &mut diagnostics)
            .unwrap();
        for s in linked.themed_segments() {
            out.push(Coded {
                record_id: s.record_id.to_string(),
                theme: s.theme.to_string(),
                selection: s.segment.selection.guid.to_string(),
                bytes: s.segment.selection.bytes.clone(),
                transcript: s.segment.transcript.text.clone(),
            });
        }
    }
    assert!(diagnostics.iter().all(|d| !d.is_error()), "{diagnostics:?}");
    out
}

/// Counts per (site, group, theme) of rows, or of distinct participants.
fn counts<'a>(
    rows: impl IntoIterator<Item = (&'a str, &'a str, &'a str, &'a str)>,
) -> BTreeMap<(String, String, String), (usize, usize)> {
    let mut seen: BTreeMap<(String, String, String), (usize, BTreeSet<&str>)> = BTreeMap::new();
    for (site, group, theme, who) in rows {
        let cell = seen
            .entry((site.to_string(), group.to_string(), theme.to_string()))
            .or_default();
        cell.0 += 1;
        cell.1.insert(who);
    }
    seen.into_iter()
        .map(|(k, (n, people))| (k, (n, people.len())))
        .collect()
}

/// No name, email, record id, real site name, listed identifier, phone
/// number or speaker label in any published segment.
#[track_caller]
fn assert_nothing_identifying(rows: &[Row], register: &Register, member_labels: &[&str]) {
    let mut found = Vec::new();
    for row in rows {
        let text = &row["text"];
        for needle in &register.identifying {
            if has_word(text, needle) {
                found.push(format!("{} in selection {}", needle, row["selection"]));
            }
        }
        if let Some(kind) = planted_number(text) {
            found.push(format!("{kind} in selection {}: {text}", row["selection"]));
        }
        // Every speaker label left is one crosscase wrote.
        for line in text.lines() {
            let line = line.trim_start();
            if let Some(label) = qualitative::speaker_label(line).map(|r| &line[r]) {
                found.push(format!("label {label} in selection {}", row["selection"]));
            }
            if let Some(rest) = line.strip_prefix('[')
                && let Some((label, _)) = rest.split_once("]:")
                && !member_labels.contains(&label)
                && label != "interviewer"
            {
                found.push(format!(
                    "label [{label}]: in selection {}",
                    row["selection"]
                ));
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

/// A phone number, NHS number, postcode or email of the forms the demo
/// generator plants (`crates/demo/src/text.rs`: Ofcom's drama ranges, NHS
/// numbers from 999, the regions' postcodes), if `text` holds one; the
/// look-alikes it plants (ten digits failing the NHS check, from 1 to 8)
/// are not.
pub(super) fn planted_number(text: &str) -> Option<&'static str> {
    let squeezed: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '+'))
        .collect();
    if ["02079460", "441614960", "07700900"]
        .iter()
        .any(|p| squeezed.contains(p))
    {
        return Some("a phone number");
    }
    let digit_runs = squeezed.split(|c: char| !c.is_ascii_digit());
    if digit_runs
        .into_iter()
        .any(|run| run.len() >= 10 && run.contains("999"))
    {
        return Some("an NHS number");
    }
    if text.contains('@') {
        return Some("an email");
    }
    let outward = [
        "SE1", "SE15", "N7", "E8", "SW9", "NW6", "LS6", "M14", "S10", "BD3", "HX1", "OL9", "BN2",
        "SO15", "PO4", "SP2", "GU11", "RH10",
    ];
    let words: Vec<&str> = text.split_whitespace().collect();
    let postcode = words.windows(2).any(|w| {
        let inward = w[1].trim_end_matches(['.', ',', ';', ')']).as_bytes();
        outward.contains(&w[0])
            && inward.len() == 3
            && inward[0].is_ascii_digit()
            && inward[1..].iter().all(u8::is_ascii_uppercase)
    });
    postcode.then_some("a postcode")
}

fn demo_member_labels() -> Vec<&'static str> {
    vec![
        "peer worker",
        "professional",
        "service user",
        "team manager",
        "senior manager",
    ]
}

// -------------------------------------------------------------------- demo

/// Every linked interviewee's coded segments are published, counted as the
/// projects count them (read here with the `qualitative` crate, grouped by
/// the registers), but the participant who withdrew everything; the one
/// withdrawn from quotes is counted with empty text; nothing identifying
/// reaches a segment, however a selection cuts a name.
#[test]
fn the_demo_transcripts_become_redacted_coded_segments() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let study = demo_study();
    assert_ok(&synthesis(&study, &out, &[]));
    let rows = segments(&out);
    let reg = register(&study);
    let ids: Vec<String> = reg.people.keys().cloned().collect();
    let pseudonyms =
        anonymise::Pseudonyms::assign(&anonymise::Key::demo(), ids.iter().map(String::as_str))
            .unwrap();
    let coded = coded(&study, &ids);
    let kept: Vec<&Coded> = coded
        .iter()
        .filter(|c| reg.withdrawn.get(&c.record_id).map(String::as_str) != Some("all"))
        .collect();
    assert!(kept.len() < coded.len(), "S03-05 withdrew everything");

    // Counts per site, group and theme, and per participant and theme.
    let expected = counts(kept.iter().map(|c| {
        let (site, group) = &reg.people[&c.record_id];
        (
            site.as_str(),
            group.as_str(),
            c.theme.as_str(),
            c.record_id.as_str(),
        )
    }));
    let published = counts(rows.iter().map(|r| {
        (
            r["site"].as_str(),
            r["group"].as_str(),
            r["theme"].as_str(),
            r["participant"].as_str(),
        )
    }));
    assert_eq!(published, expected);
    let by_person = |pairs: Vec<(String, String)>| {
        let mut m: BTreeMap<(String, String), usize> = BTreeMap::new();
        for p in pairs {
            *m.entry(p).or_default() += 1;
        }
        m
    };
    assert_eq!(
        by_person(
            rows.iter()
                .map(|r| (r["participant"].clone(), r["theme"].clone()))
                .collect()
        ),
        by_person(
            kept.iter()
                .map(|c| (
                    pseudonyms.get(&c.record_id).unwrap().to_string(),
                    c.theme.clone()
                ))
                .collect()
        )
    );
    // Every linked interviewee but the withdrawn one is there.
    let people: BTreeSet<&str> = rows.iter().map(|r| r["participant"].as_str()).collect();
    let linked: BTreeSet<&str> = kept
        .iter()
        .map(|c| pseudonyms.get(&c.record_id).unwrap())
        .collect();
    assert_eq!(people, linked);
    assert!(!people.contains(pseudonyms.get("S03-05").unwrap()));
    // Withdrawn from quotes: counted, never quoted.
    let quotes = pseudonyms.get("S05-02").unwrap();
    let theirs: Vec<&Row> = rows.iter().filter(|r| r["participant"] == quotes).collect();
    assert!(theirs.len() >= 5, "{}", theirs.len());
    assert!(theirs.iter().all(|r| r["text"].is_empty()));
    assert!(
        rows.iter()
            .filter(|r| r["participant"] != quotes)
            .all(|r| !r["text"].trim().is_empty())
    );
    // The planted effect 8 of data/demo/README.md: welfare advice at
    // voluntary sites, 28 segments from 20 participants.
    let welfare: Vec<&Row> = rows
        .iter()
        .filter(|r| r["theme"] == "welfare_advice" && r["sector"] == "voluntary")
        .collect();
    let speakers: BTreeSet<&str> = welfare.iter().map(|r| r["participant"].as_str()).collect();
    assert_eq!((welfare.len(), speakers.len()), (28, 20));

    assert_nothing_identifying(&rows, &reg, &demo_member_labels());
    // NVivo coders selected whole paragraphs: their labels are replaced.
    assert!(
        rows.iter()
            .filter(|r| r["positions"] == "utf16")
            .any(|r| r["text"].starts_with("[peer worker]: "))
    );

    // Where a selection starts or ends inside a name, the published text
    // holds the name's whole replacement.
    let names: Vec<&String> = reg.identifying.iter().filter(|n| n.contains(' ')).collect();
    let by_selection: BTreeMap<(&str, &str), &Row> = rows
        .iter()
        .map(|r| ((r["selection"].as_str(), r["theme"].as_str()), r))
        .collect();
    let (mut starts, mut ends) = (0, 0);
    for c in &kept {
        let inside = |at: usize| {
            names.iter().any(|n| {
                c.transcript
                    .match_indices(n.as_str())
                    .any(|(i, m)| i < at && at < i + m.len())
            })
        };
        let Some(row) = by_selection.get(&(c.selection.as_str(), c.theme.as_str())) else {
            continue;
        };
        if row["text"].is_empty() {
            continue;
        }
        if inside(c.bytes.start) {
            starts += 1;
            assert!(row["text"].starts_with('['), "{}", row["selection"]);
        }
        if inside(c.bytes.end) {
            ends += 1;
            assert!(row["text"].ends_with(']'), "{}", row["selection"]);
        }
    }
    assert!(
        starts >= 10 && ends >= 9,
        "{starts} starts, {ends} ends inside a name"
    );

    // Projects are named by their hash: no file name, no coder's name.
    let hashes: BTreeSet<String> = std::fs::read_dir(study.join("qualitative"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "qdpx"))
        .map(|e| sha256(&std::fs::read(e.path()).unwrap()))
        .collect();
    let projects: BTreeSet<String> = rows.iter().map(|r| r["project"].clone()).collect();
    assert_eq!(projects, hashes);
    for (file, text) in output_texts(&out) {
        for needle in ["Priya Ramanathan", "nww_waves1-2", "NWW wave 3 South"] {
            assert!(
                !text.contains(needle),
                "{file} names the project file: {needle}"
            );
        }
    }
}

fn sha256(bytes: &[u8]) -> String {
    pipeline::hash::sha256_hex(bytes)
}

/// A run from nothing of `study` (into `<tmp>/fresh`) writes what `out` holds.
#[track_caller]
fn assert_same_as_a_run_from_nothing(tmp: &Path, study: &Path, out: &Path) {
    let fresh = tmp.join("fresh");
    assert_ok(&synthesis(study, &fresh, &[]));
    assert_eq!(tree(out), tree(&fresh));
}

/// The late site's project arrives with its exports: only it is redacted
/// (the earlier projects are reused: none holds one of the late site's
/// names), and the rerun equals a run from nothing, byte for byte.
#[test]
fn a_late_project_reruns_to_the_bytes_of_a_run_from_nothing() {
    let (tmp, study) = demo_copy();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&study, &out, &[]));
    let before = segments(&out).len();
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
    let rows = segments(&out);
    assert!(rows.len() > before);
    assert!(rows.iter().any(|r| r["site"] == "Site J"));
    let fresh = tmp.path().join("fresh");
    let from_nothing = synthesis(&study, &fresh, &[]);
    assert_ok(&from_nothing);
    // The study stage says what it read: every interviewee has a transcript.
    let interviewees = register(&study).people.len();
    assert!(
        stderr(&from_nothing).contains("ingest.study               done in "),
        "{}",
        stderr(&from_nothing)
    );
    assert!(
        stderr(&from_nothing).contains(&format!(
            "({interviewees} coded transcripts in 3 projects read and checked)"
        )),
        "{}",
        stderr(&from_nothing)
    );
    assert!(
        stderr(&from_nothing).contains("3 of 3 transcript projects redacted, 0 reused"),
        "{}",
        stderr(&from_nothing)
    );
    assert_eq!(tree(&out), tree(&fresh));
}

/// A late site's participant whose name an earlier project's transcript
/// mentions: that project is redacted again (its name now redacted), the
/// other reused; the rerun equals a run from nothing.
#[test]
fn a_late_name_in_an_earlier_transcript_redacts_that_project_again() {
    let (tmp, study) = demo_copy();
    let late = study.join("late/raw/interviews/wave3_south_late.csv");
    let text = std::fs::read_to_string(&late).unwrap();
    let name = "Imogen Nwosu";
    assert!(text.contains(name));
    std::fs::write(&late, text.replacen(name, "Imogen Quennellow", 1)).unwrap();
    // An early transcript mentions the name before anyone knows it is one.
    let project = study.join("qualitative/nww_waves1-2.qdpx");
    let edited = edit_sources(&std::fs::read(&project).unwrap(), |text| {
        text.replacen("[recording ends]", "[recording ends] Quennellow", 1)
    });
    std::fs::write(&project, edited).unwrap();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&study, &out, &[]));
    add_late_site(&study);
    let rerun = synthesis(&study, &out, &[]);
    assert_ok(&rerun);
    assert!(
        stderr(&rerun).contains("2 of 3 transcript projects redacted, 1 reused"),
        "{}",
        stderr(&rerun)
    );
    assert_same_as_a_run_from_nothing(tmp.path(), &study, &out);
}

/// A project with every source's text edited by `edit` (positions are left
/// as they were: edits after the last selection only).
fn edit_sources(qdpx: &[u8], edit: impl Fn(&str) -> String) -> Vec<u8> {
    rezip(qdpx, |name, bytes| {
        if name.to_lowercase().starts_with("sources/") && name.ends_with(".txt") {
            let text = String::from_utf8(bytes.to_vec()).unwrap();
            Some(edit(&text).into_bytes())
        } else {
            Some(bytes.to_vec())
        }
    })
}

/// A zip with each entry's bytes replaced by `with` (`None` drops it).
fn rezip(zip: &[u8], with: impl Fn(&str, &[u8]) -> Option<Vec<u8>>) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        if let Some(bytes) = with(&name, &bytes) {
            out.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            out.write_all(&bytes).unwrap();
        }
    }
    out.finish().unwrap().into_inner()
}

/// `codes.csv` edited: every project is cut again (themes changed), the
/// sites are reused, and the rerun equals a run from nothing.
#[test]
fn a_changed_codes_csv_reruns_the_segments() {
    let (tmp, study) = demo_copy();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&study, &out, &[]));
    let before = segments(&out);
    let codes = study.join("qualitative/codes.csv");
    let mut text = std::fs::read_to_string(&codes).unwrap();
    text.push_str("Anecdotes,staff_accept\n");
    std::fs::write(&codes, text).unwrap();
    let rerun = synthesis(&study, &out, &[]);
    assert_ok(&rerun);
    assert!(
        stderr(&rerun).contains(
            "(0 of 9 sites anonymised, 9 reused; 2 of 2 transcript projects redacted, 0 reused; 11 workshop files redacted)"
        ),
        "{}",
        stderr(&rerun)
    );
    let after = segments(&out);
    let staff = |rows: &[Row]| rows.iter().filter(|r| r["theme"] == "staff_accept").count();
    assert!(staff(&after) > staff(&before));
    assert!(after.iter().any(|r| r["code"] == "Anecdotes"));
    assert_same_as_a_run_from_nothing(tmp.path(), &study, &out);
}

/// A gazetteer change (the team lists a word as identifying) redacts every
/// transcript again, as it does the data-sheet text: no project is reused,
/// the word is gone from every segment, and the rerun equals a run from
/// nothing.
#[test]
fn a_changed_gazetteer_redacts_every_transcript_again() {
    let (tmp, study) = demo_copy();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&study, &out, &[]));
    let before = segments(&out);
    let word = "Gujarati";
    let with_word = before.iter().filter(|r| has_word(&r["text"], word)).count();
    assert!(with_word >= 2, "the demo's segments mention {word}");
    let identifiers = study.join("identifiers.csv");
    let mut text = std::fs::read_to_string(&identifiers).unwrap();
    text.push_str(&format!("place,{word},[language]\n"));
    std::fs::write(&identifiers, text).unwrap();
    let rerun = synthesis(&study, &out, &[]);
    assert_ok(&rerun);
    assert!(
        stderr(&rerun).contains(
            "(9 of 9 sites anonymised, 0 reused; 2 of 2 transcript projects redacted, 0 reused; "
        ),
        "{}",
        stderr(&rerun)
    );
    let after = segments(&out);
    assert_eq!(after.len(), before.len());
    assert!(after.iter().all(|r| !has_word(&r["text"], word)));
    assert_eq!(
        after
            .iter()
            .filter(|r| r["text"].contains("[language]"))
            .count(),
        with_word
    );
    assert_same_as_a_run_from_nothing(tmp.path(), &study, &out);
}

/// With the redaction of names switched off, the leak guard finds the
/// names in `data/coded_segments.parquet` (by row and kind, never the
/// value) and stops the run: nothing published changes.
#[test]
fn the_leak_guard_scans_the_coded_segments() {
    let (tmp, study) = demo_copy();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&study, &out, &[]));
    let published = tree(&out);
    let pipeline = tmp.path().join("no-names.toml");
    let text = std::fs::read_to_string(synthesis_pipeline()).unwrap();
    let changed = text.replacen(
        "run = \"anonymise\"\nfrom = [\"study\"]\n",
        "run = \"anonymise\"\nfrom = [\"study\"]\ndisable_redaction = [\"name\"]\n",
        1,
    );
    assert_ne!(changed, text, "the pipeline copy disables a redaction");
    std::fs::write(&pipeline, changed).unwrap();
    let run = run_pipeline(&pipeline, &study, &out, &[], &[]);
    let err = stderr(&run);
    assert_eq!(code(&run), 1, "{err}");
    let leaks: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("leak: data/coded_segments.parquet: row "))
        .collect();
    assert!(!leaks.is_empty(), "{err}");
    assert!(leaks.iter().all(|l| l.ends_with(": name")), "{err}");
    for name in register(&study).identifying {
        assert!(!has_word(&err, &name), "{name} printed");
    }
    assert_eq!(tree(&out), published);
}

/// `explain` resolves what provenance names by sha256 to the project's
/// file in the study folder (the team runs it locally), by the full
/// published name or a prefix of the hash; and a coded selection by its
/// guid, with its codes and published text.
#[test]
fn explain_names_a_project_file_and_a_selection_locally() {
    let (tmp, study) = demo_copy();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&study, &out, &[]));
    let rows = segments(&out);
    let file = "nww_waves1-2.qdpx";
    let sha = sha256(&std::fs::read(study.join("qualitative").join(file)).unwrap());
    let explain = |what: &str| {
        let run = crosscase(&["explain", what, "--out", out.to_str().unwrap()]);
        assert_ok(&run);
        String::from_utf8(run.stdout).unwrap()
    };
    let theirs: Vec<&Row> = rows.iter().filter(|r| r["project"] == sha).collect();
    let people: BTreeSet<&str> = theirs.iter().map(|r| r["participant"].as_str()).collect();
    for what in [format!("qualitative/{sha}.qdpx"), sha[..10].to_string()] {
        let text = explain(&what);
        assert!(
            text.contains(&format!("project   qualitative/{sha}.qdpx\n")),
            "{text}"
        );
        assert!(
            text.contains(&format!("qualitative/{file} (local only")),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "segments  {} coded segments of {} participants",
                theirs.len(),
                people.len()
            )),
            "{text}"
        );
    }
    // A selection: its codes (the most a demo selection has), the text once.
    let mut by_selection: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
    for r in &rows {
        by_selection
            .entry(r["selection"].as_str())
            .or_default()
            .push(r);
    }
    let (guid, coded) = by_selection
        .iter()
        .filter(|(_, rs)| rs[0]["text"].len() > 40)
        .max_by_key(|(_, rs)| rs.len())
        .unwrap();
    let text = explain(guid);
    assert!(text.starts_with(&format!("selection {guid}\n")), "{text}");
    for r in coded {
        assert!(
            text.contains(&format!("coded     theme {}: {}\n", r["theme"], r["code"])),
            "{text}"
        );
    }
    assert_eq!(text.matches(coded[0]["text"].as_str()).count(), 1, "{text}");
    assert!(text.contains("(local only"), "{text}");
    // Nothing else answers to a word that is neither.
    let run = crosscase(&["explain", "no-such-thing", "--out", out.to_str().unwrap()]);
    assert_eq!(code(&run), 2);
}

/// A study without `qualitative/` has no coded segments and no error.
#[test]
fn a_study_without_transcripts_publishes_an_empty_table() {
    let (tmp, study) = demo_copy();
    std::fs::remove_dir_all(study.join("qualitative")).unwrap();
    let out = tmp.path().join("out");
    let run = synthesis(&study, &out, &[]);
    assert_ok(&run);
    assert!(!stderr(&run).contains("transcript"), "{}", stderr(&run));
    assert!(segments(&out).is_empty());
}

/// Each kind of damaged project stops the run with exit 1 naming the
/// file (and `validate` says the same), never a panic, and the outputs of
/// the last good run are untouched.
#[test]
fn a_damaged_project_stops_the_run_naming_it_and_leaves_the_outputs() {
    let (tmp, study) = demo_copy();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&study, &out, &[]));
    let published = tree(&out);
    let file = "qualitative/nww_waves1-2.qdpx";
    let good = std::fs::read(study.join(file)).unwrap();
    let qde = |f: &dyn Fn(&str) -> String| {
        rezip(&good, |name, bytes| {
            Some(if name == "project.qde" {
                f(&String::from_utf8_lossy(bytes)).into_bytes()
            } else {
                bytes.to_vec()
            })
        })
    };
    let damaged: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "truncated",
            good[..good.len() * 2 / 3].to_vec(),
            "truncated or damaged",
        ),
        (
            "not a zip",
            b"{\\rtf1 exported as rich text}".to_vec(),
            "not a zip",
        ),
        (
            "malformed XML",
            qde(&|x| x.replacen("</PlainTextSelection>", "</PlainTextSelections>", 1)),
            "expected well-formed XML",
        ),
        (
            "a position out of range",
            qde(&|x| x.replacen("endPosition=\"", "endPosition=\"99999", 1)),
            "positions within the text",
        ),
        (
            "a dropped source file",
            rezip(&good, |name, bytes| {
                (!name.to_lowercase().starts_with("sources/0")).then(|| bytes.to_vec())
            }),
            "found no such file",
        ),
    ];
    for (what, bytes, message) in damaged {
        std::fs::write(study.join(file), &bytes).unwrap();
        let run = synthesis(&study, &out, &[]);
        let err = stderr(&run);
        assert_eq!(code(&run), 1, "{what}: {err}");
        assert!(
            err.contains(file) && err.contains(message),
            "{what}: the message names the file and the problem: {err}"
        );
        assert!(!err.contains("panicked"), "{what}: {err}");
        assert_eq!(
            tree(&out),
            published,
            "{what}: the outputs are as they were"
        );
        let validate = crosscase(&["validate", "--study", study.to_str().unwrap()]);
        assert_eq!(code(&validate), 1, "{what}");
        assert!(
            stderr(&validate).contains(file),
            "{what}: {}",
            stderr(&validate)
        );
    }
    // Both projects damaged: both named in one pass.
    let other = "qualitative/NWW wave 3 South (Priya Ramanathan).qdpx";
    std::fs::write(study.join(file), b"PK\x03\x04 cut short").unwrap();
    let bytes = std::fs::read(study.join(other)).unwrap();
    std::fs::write(study.join(other), &bytes[..bytes.len() / 2]).unwrap();
    let run = synthesis(&study, &out, &[]);
    let err = stderr(&run);
    assert_eq!(code(&run), 1, "{err}");
    assert!(err.contains(file) && err.contains(other), "{err}");
    assert_eq!(tree(&out), published);
}

// ------------------------------------------------------- a study we did not write

/// `other-study/` with the coded transcripts that
/// `tests/fixtures/make_other_study_transcripts.py` wrote for it (an NVivo
/// and an ATLAS.ti style project, a coder's name in a file name).
fn other_study_with_transcripts(into: &Path) -> std::path::PathBuf {
    let study = into.join("study");
    copy_tree(&other_study(), &study);
    copy_tree(
        &root().join("tests/fixtures/other-study-transcripts/qualitative"),
        &study.join("qualitative"),
    );
    study
}

fn fixture(name: &str) -> std::path::PathBuf {
    root()
        .join("tests/fixtures/other-study-transcripts")
        .join(name)
}

/// Segments and participants per (site, group, theme) equal those Python
/// counted from the XML it wrote; the selections it chose publish exactly
/// the text it expects (a name cut by a selection's edge replaced whole, a
/// decomposed speaker label replaced, a participant withdrawn from quotes
/// empty); nothing planted reaches a segment or any output.
#[test]
fn coded_segments_of_a_study_we_did_not_write_equal_the_independent_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let study = other_study_with_transcripts(tmp.path());
    let out = tmp.path().join("out");
    let run = synthesis(&study, &out, &[]);
    assert_ok(&run);
    // An unmapped code is a warning that names the code, not the text.
    assert!(
        stderr(&run).contains("code `Misc`") && stderr(&run).contains("has no theme"),
        "{}",
        stderr(&run)
    );
    let rows = segments(&out);
    let published = counts(rows.iter().map(|r| {
        (
            r["site"].as_str(),
            r["group"].as_str(),
            r["theme"].as_str(),
            r["participant"].as_str(),
        )
    }));
    let expected: BTreeMap<(String, String, String), (usize, usize)> =
        csv_rows(&fixture("expected_segments.csv"))
            .into_iter()
            .map(|r| {
                (
                    (r["site"].clone(), r["group"].clone(), r["theme"].clone()),
                    (
                        r["segments"].parse().unwrap(),
                        r["participants"].parse().unwrap(),
                    ),
                )
            })
            .collect();
    assert_eq!(published, expected);
    // The chosen selections' texts.
    let texts: BTreeMap<&str, BTreeSet<&str>> = rows.iter().fold(BTreeMap::new(), |mut m, r| {
        m.entry(r["selection"].as_str())
            .or_default()
            .insert(r["text"].as_str());
        m
    });
    let expected_texts = csv_rows(&fixture("expected_texts.csv"));
    assert!(expected_texts.len() >= 30);
    for e in &expected_texts {
        assert_eq!(
            texts.get(e["selection"].as_str()),
            Some(&BTreeSet::from([e["text"].as_str()])),
            "selection {}",
            e["selection"]
        );
    }
    let reg = register(&study);
    let members = [
        "Peer support worker",
        "Clinician or allied professional",
        "Person using the service",
        "Team leader",
        "Director or commissioner",
    ];
    assert_nothing_identifying(&rows, &reg, &members);
    let planted: Vec<String> = std::fs::read_to_string(fixture("must_not_appear.txt"))
        .unwrap()
        .lines()
        .map(folded)
        .collect();
    for (file, text) in output_texts(&out) {
        let text = folded(&text);
        for needle in &planted {
            assert!(!text.contains(needle.as_str()), "{file}: {needle}");
        }
        assert!(
            !text.contains("hubs north and east"),
            "{file} names a project file"
        );
    }
}

/// A site's export and its project arrive late in a study we did not
/// write, a private log kept: only the new project is redacted, and the
/// outputs and the log equal a run from nothing's. The log records the
/// transcripts' redactions by position, never their text.
#[test]
fn a_late_project_in_a_study_we_did_not_write_with_a_private_log() {
    let tmp = tempfile::tempdir().unwrap();
    let study = other_study_with_transcripts(tmp.path());
    let toml = std::fs::read_to_string(study.join("study.toml")).unwrap();
    std::fs::write(
        study.join("study.toml"),
        format!("{toml}\n[anonymisation]\nlog = \"../private/log.csv\"\n"),
    )
    .unwrap();
    let held = tmp.path().join("held");
    std::fs::create_dir_all(&held).unwrap();
    for rel in ["raw/interviews/export_s23.csv", "qualitative/hub_west.qdpx"] {
        std::fs::rename(study.join(rel), held.join(rel.rsplit('/').next().unwrap())).unwrap();
    }
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&study, &out, &[]));
    assert!(segments(&out).iter().all(|r| r["site"] != "Hub West"));
    std::fs::rename(
        held.join("export_s23.csv"),
        study.join("raw/interviews/export_s23.csv"),
    )
    .unwrap();
    std::fs::rename(
        held.join("hub_west.qdpx"),
        study.join("qualitative/hub_west.qdpx"),
    )
    .unwrap();
    let rerun = synthesis(&study, &out, &[]);
    assert_ok(&rerun);
    assert!(
        stderr(&rerun).contains(
            "(1 of 3 sites anonymised, 2 reused; 1 of 2 transcript projects redacted, 1 reused)"
        ),
        "{}",
        stderr(&rerun)
    );
    let log_path = tmp.path().join("private/log.csv");
    let log = std::fs::read_to_string(&log_path).unwrap();
    let transcript_lines: Vec<&str> = log.lines().filter(|l| l.contains(",transcript:")).collect();
    assert!(transcript_lines.len() > 50, "{log}");
    for line in &transcript_lines {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells.len(), 6, "{line}");
        assert!(
            cells[1].starts_with("P-") && cells[4].parse::<usize>().is_ok(),
            "{line}"
        );
    }
    for name in register(&study).identifying {
        assert!(!has_word(&log, &name), "{name} in the log");
    }
    std::fs::remove_file(&log_path).unwrap();
    assert_same_as_a_run_from_nothing(tmp.path(), &study, &out);
    assert_eq!(log, std::fs::read_to_string(&log_path).unwrap());
}
