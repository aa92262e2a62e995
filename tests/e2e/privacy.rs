//! Confidentiality end to end (issue 4): identifiers planted in the raw
//! free text never reach any output file, a disabled redaction is caught by
//! the leak guard, and consent withdrawals remove a participant (scope
//! `all`) or their words (scope `quotes`) from everything a run writes.
//!
//! "Any output file" means every file under the output folder, the
//! `.crosscase` state folder included; Parquet is decoded to CSV text and
//! `.xlsx` workbooks are unzipped, so a value cannot hide in a binary format.
//! Planted strings are searched case-insensitively, and numbers also with
//! their separators squeezed out (`020 7946 0958` as `02079460958`).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use super::*;

// ------------------------------------------------------------------ helpers

/// Every file under `dir`, state folder included, as (relative path, text).
pub(crate) fn output_texts(dir: &Path) -> Vec<(String, String)> {
    fn walk(dir: &Path, base: &Path, into: &mut Vec<(String, String)>) {
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
            if path.is_dir() {
                walk(&path, base, into);
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            if rel.ends_with(".parquet") {
                let batch =
                    pipeline::tables::from_parquet(bytes).unwrap_or_else(|e| panic!("{rel}: {e}"));
                into.push((rel, pipeline::tables::to_csv(&batch)));
            } else if rel.ends_with(".xlsx") {
                let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
                for i in 0..archive.len() {
                    let mut file = archive.by_index(i).unwrap();
                    let name = format!(
                        "{rel}!{}",
                        file.name()
                            .map(|n| n.into_owned())
                            .unwrap_or_else(|_| i.to_string())
                    );
                    let mut inner = Vec::new();
                    file.read_to_end(&mut inner).unwrap();
                    into.push((name, String::from_utf8_lossy(&inner).into_owned()));
                }
            } else {
                into.push((rel, String::from_utf8_lossy(&bytes).into_owned()));
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, dir, &mut files);
    files.sort();
    assert!(!files.is_empty(), "no output under {}", dir.display());
    files
}

/// Separators between digits removed: `+44 (0)7700-900461` -> `+44077009004610`.
fn squeeze_digits(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let sep = |c: char| matches!(c, ' ' | '-' | '(' | ')' | '.' | '/' | '\u{a0}');
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        if sep(c)
            && out.ends_with(|p: char| p.is_ascii_digit())
            && chars[i + 1..]
                .iter()
                .find(|&&n| !sep(n))
                .is_some_and(char::is_ascii_digit)
        {
            continue;
        }
        out.push(c);
    }
    out
}

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// `needle` in `hay`, not inside a longer word: `Ben` is not in `benefit`
/// (a needle that starts or ends with punctuation is bounded there).
fn contains_word(hay: &str, needle: &str) -> bool {
    let word = |c: char| c.is_alphanumeric();
    hay.match_indices(needle).any(|(i, m)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + m.len()..].chars().next();
        let word_before = needle.starts_with(word) && before.is_some_and(word);
        let word_after = needle.ends_with(word) && after.is_some_and(word);
        !word_before && !word_after
    })
}

/// Where any of `needles` occurs in any file under `out`: (file, needle).
pub(crate) fn occurrences(out: &Path, needles: &[String]) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (file, text) in output_texts(out) {
        let lower = text.to_lowercase();
        let squeezed = squeeze_digits(&lower);
        for needle in needles {
            let n = needle.to_lowercase();
            let d = digits(&n);
            let numeric = d.len() >= 7;
            if contains_word(&lower, &n)
                || contains_word(&squeezed, &squeeze_digits(&n))
                || (numeric && squeezed.contains(&d))
            {
                found.push((file.clone(), needle.clone()));
            }
        }
    }
    found
}

#[track_caller]
pub(crate) fn assert_nothing_reaches(out: &Path, needles: &[String], what: &str) {
    let found = occurrences(out, needles);
    assert!(found.is_empty(), "{what} reached the outputs:\n{found:#?}");
}

/// A CSV export as (header, records), BOM kept aside.
fn read_export(path: &Path) -> (bool, csv::StringRecord, Vec<csv::StringRecord>) {
    let text = std::fs::read_to_string(path).unwrap();
    let bom = text.starts_with('\u{feff}');
    let body = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(body.as_bytes());
    let header = reader.headers().unwrap().clone();
    let records = reader.records().map(Result::unwrap).collect();
    (bom, header, records)
}

fn write_export(path: &Path, bom: bool, header: &csv::StringRecord, records: &[csv::StringRecord]) {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(header).unwrap();
    for r in records {
        writer.write_record(r).unwrap();
    }
    let mut bytes = if bom {
        "\u{feff}".as_bytes().to_vec()
    } else {
        Vec::new()
    };
    bytes.extend(writer.into_inner().unwrap());
    std::fs::write(path, bytes).unwrap();
}

fn col(header: &csv::StringRecord, name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

/// Planted identifiers that no list holds (the detectors must find them).
const NHS_SPACED: &str = "450 557 7104";
const NHS_HYPHENS: &str = "485-777-3457";
const NHS_PLAIN: &str = "6012345674";
const POSTCODE: &str = "SW1A 1AA";
const POSTCODE_2: &str = "ls11 5dt";
const PHONE_NATIONAL: &str = "020 7946 0958";
const PHONE_MOBILE: &str = "07700 900461";
const PHONE_INTL: &str = "+44 7700 900873";
const EMAIL: &str = "peer.lead@kestrel-support.org.uk";
const URL: &str = "https://lambury-peers.example.org/staff/rota";
const DATE: &str = "14/03/2012";
const DATE_WORDS: &str = "3rd of May 2012";

/// Plant identifiers in the free text of every record of the demo copy's
/// `raw/interviews/wave1_london.csv`: the participant's own name, first
/// name and possessive, a colleague from identifiers.csv, the site's real
/// name, NHS numbers in three formats, postcodes, phones, an email, a URL
/// and dates. Returns every planted string; the planted text reaches
/// published cells (`top_k_impact` themes, `bme`), not only comments.
pub(crate) fn plant(study: &Path) -> Vec<String> {
    let sites: BTreeMap<String, String> = {
        let mut r = csv::Reader::from_path(study.join("sites.csv")).unwrap();
        r.records()
            .map(|r| r.unwrap())
            .map(|r| (r[0].to_string(), r[1].to_string()))
            .collect()
    };
    let colleagues: Vec<String> = {
        let mut r = csv::Reader::from_path(study.join("identifiers.csv")).unwrap();
        r.records()
            .map(|r| r.unwrap())
            .filter(|r| &r[0] == "person")
            .map(|r| r[1].to_string())
            .collect()
    };
    let path = study.join("raw/interviews/wave1_london.csv");
    let (bom, header, records) = read_export(&path);
    let (name_c, site_c) = (col(&header, "participant_name"), col(&header, "site_id"));
    let mut needles: BTreeSet<String> = [
        NHS_SPACED,
        NHS_HYPHENS,
        NHS_PLAIN,
        POSTCODE,
        POSTCODE_2,
        PHONE_NATIONAL,
        PHONE_MOBILE,
        PHONE_INTL,
        EMAIL,
        URL,
        DATE,
        DATE_WORDS,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut planted = Vec::new();
    for (i, record) in records.iter().enumerate() {
        let name = record[name_c].to_string();
        let first = name.split_whitespace().next().unwrap().to_string();
        let last = name.split_whitespace().last().unwrap().to_string();
        let site_name = sites[&record[site_c]].clone();
        let colleague = colleagues[i % colleagues.len()].clone();
        needles.extend([
            name.clone(),
            first.clone(),
            last.clone(),
            format!("{first}'s"),
            site_name.clone(),
            colleague.clone(),
        ]);
        let shouted = last.to_uppercase();
        let mut fields: Vec<String> = record.iter().map(String::from).collect();
        let comment = format!(
            " {first}'s manager {colleague} at {site_name} has my details: NHS {NHS_SPACED}, {NHS_HYPHENS} or {NHS_PLAIN}; \
             {POSTCODE}, or {POSTCODE_2}; call {PHONE_NATIONAL}, {PHONE_MOBILE} or {PHONE_INTL}; {EMAIL}; {URL}; seen on {DATE} and the {DATE_WORDS}."
        );
        let c = col(&header, "comments");
        fields[c] = format!("{}{comment}", fields[c]);
        for field in [
            "top_1_impact",
            "top_2_impact",
            "top_3_impact",
            "bme_experience",
        ] {
            let c = col(&header, field);
            if !fields[c].trim().is_empty() && !fields[c].starts_with('-') {
                fields[c] = format!(
                    "{} I am {name} ({first}'s view, {shouted} if you like); {colleague} at {site_name} backed me, ring {PHONE_MOBILE} or {PHONE_INTL}, NHS {NHS_HYPHENS}, {POSTCODE}, {EMAIL}, {URL} on {DATE}.",
                    fields[c]
                );
            }
        }
        planted.push(csv::StringRecord::from(fields));
    }
    write_export(&path, bom, &header, &planted);
    needles.into_iter().collect()
}

/// Every participant's name, email and interviewer of the study's exports.
fn identities(study: &Path) -> Vec<String> {
    let mut out = BTreeSet::new();
    for entry in std::fs::read_dir(study.join("raw/interviews"))
        .unwrap()
        .flatten()
    {
        let (_, header, records) = read_export(&entry.path());
        for r in &records {
            for field in ["participant_name", "contact_email", "interviewer"] {
                let v = r[col(&header, field)].trim().to_string();
                if !v.is_empty() {
                    out.insert(v);
                }
            }
        }
    }
    out.into_iter().collect()
}

// -------------------------------------------------------------- leak guard

#[test]
fn planted_identifiers_reach_no_output_and_redacted_quotes_are_published() {
    let (tmp, study) = demo_copy();
    let needles = plant(&study);
    assert!(needles.len() > 40, "{} planted strings", needles.len());
    let out = tmp.path().join("out");
    let run = synthesis(&study, &out, &[]);
    assert_ok(&run);
    assert_nothing_reaches(&out, &needles, "a planted identifier");
    assert_nothing_reaches(
        &out,
        &identities(&study),
        "a participant's or interviewer's name or email",
    );
    let printed = format!("{}{}", String::from_utf8_lossy(&run.stdout), stderr(&run));
    for n in &needles {
        assert!(
            !printed.to_lowercase().contains(&n.to_lowercase()),
            "the run printed a planted identifier"
        );
    }

    // Redacted accounts are published: quotes carry the planted text's labels.
    let quotes = read_table(&out, "quotes");
    let exemplars: Vec<&String> = quotes
        .iter()
        .flat_map(|r| [&r["exemplar_1"], &r["exemplar_2"]])
        .filter(|e| !e.is_empty())
        .collect();
    assert!(
        !exemplars.is_empty(),
        "the quotes table publishes exemplars"
    );
    for label in [
        "[name]",
        "[colleague]",
        "[phone]",
        "[NHS number]",
        "[postcode]",
        "[email]",
        "[url]",
        "[date]",
    ] {
        assert!(
            exemplars.iter().any(|e| e.contains(label)),
            "a published quote shows {label}: {exemplars:#?}"
        );
    }
    let report = std::fs::read_to_string(out.join("report/synthesis.md")).unwrap();
    assert!(!report.is_empty());
}

#[test]
fn a_disabled_redaction_is_stopped_by_the_leak_guard_and_nothing_is_published_or_left_in_staging() {
    let (tmp, study) = demo_copy();
    let out = tmp.path().join("out");
    // A good run first (before the planting): its outputs must survive.
    assert_ok(&synthesis(&study, &out, &[]));
    let published = tree(&out);
    plant(&study);
    let pipeline = tmp.path().join("no-phone.toml");
    let text = std::fs::read_to_string(synthesis_pipeline()).unwrap();
    let text = text.replacen(
        "run = \"anonymise\"\nfrom = [\"study\"]\n",
        "run = \"anonymise\"\nfrom = [\"study\"]\ndisable_redaction = [\"phone\"]\n",
        1,
    );
    assert!(
        text.contains("disable_redaction"),
        "the pipeline copy disables a redaction"
    );
    std::fs::write(&pipeline, text).unwrap();
    let run = crosscase_env(
        &[
            "run",
            pipeline.to_str().unwrap(),
            "--study",
            study.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(
        code(&run),
        1,
        "the leak guard stops the run:\n{}",
        stderr(&run)
    );
    let err = stderr(&run);
    let leaks: Vec<&str> = err.lines().filter(|l| l.starts_with("leak: ")).collect();
    assert!(!leaks.is_empty(), "{err}");
    // file, then a line (text) or a row (Parquet), then the kind.
    assert!(
        leaks.iter().any(|l| l.contains("data/accounts/site=")
            && l.contains("/part-0.parquet: row ")
            && l.ends_with(": phone")),
        "{err}"
    );
    assert!(
        leaks
            .iter()
            .any(|l| l.starts_with("leak: tables/quotes.csv:") && l.ends_with(": phone")),
        "{err}"
    );
    assert!(
        leaks.iter().all(|l| l.ends_with(": phone")),
        "only the disabled kind leaks: {err}"
    );
    let printed = format!("{}{err}", String::from_utf8_lossy(&run.stdout));
    for phone in [PHONE_NATIONAL, PHONE_MOBILE, PHONE_INTL] {
        assert!(
            !printed.contains(phone) && !squeeze_digits(&printed).contains(&digits(phone)),
            "the value is never shown"
        );
    }
    assert_eq!(
        published,
        tree(&out),
        "a failed run changes no published file"
    );
    // Nor does the failed run leave what it refused to publish under the output folder.
    assert_nothing_reaches(
        &out,
        &[
            PHONE_NATIONAL.into(),
            PHONE_MOBILE.into(),
            PHONE_INTL.into(),
        ],
        "an unpublished phone",
    );
}

// ------------------------------------------------------------- withdrawals

/// The demo copy with `withdrawals.csv` holding only `rows`.
fn with_withdrawals(study: &Path, rows: &[&str]) {
    let mut text = String::from("record_id,withdrawn_on,scope\n");
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    std::fs::write(study.join("withdrawals.csv"), text).unwrap();
}

/// A published Parquet table's rows; `data/<table>.parquet` of a table
/// published as site partitions reads all its partitions, in label order.
pub(crate) fn parquet(out: &Path, rel: &str) -> Vec<BTreeMap<String, String>> {
    let partitioned = rel
        .strip_prefix("data/")
        .and_then(|r| r.strip_suffix(".parquet"))
        .filter(|t| pipeline::partitions::is_partitioned(t));
    let batch = match partitioned {
        Some(table) => {
            let out = camino::Utf8Path::from_path(out).unwrap();
            pipeline::partitions::read_table(out, table, None).unwrap()
        }
        None => pipeline::tables::from_parquet(std::fs::read(out.join(rel)).unwrap()).unwrap(),
    };
    super::csv_text_rows(&pipeline::tables::to_csv(&batch))
}

/// The (source_file, source_line) of a participant's rows in the run's data.
fn raw_lines(out: &Path, pseudonym: &str) -> BTreeSet<(String, String)> {
    parquet(out, "data/participants.parquet")
        .into_iter()
        .filter(|r| r["participant"] == pseudonym)
        .map(|r| (r["source_file"].clone(), r["source_line"].clone()))
        .collect()
}

/// Texts of a participant's accounts that nobody else wrote.
fn own_words(out: &Path, pseudonym: &str) -> Vec<String> {
    let accounts = parquet(out, "data/accounts.parquet");
    let mut by_text: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for r in &accounts {
        by_text
            .entry(r["text"].as_str())
            .or_default()
            .insert(r["participant"].as_str());
    }
    let others: Vec<&str> = accounts
        .iter()
        .filter(|r| r["participant"] != pseudonym)
        .map(|r| r["text"].as_str())
        .collect();
    by_text
        .into_iter()
        .filter(|(text, who)| who.len() == 1 && who.contains(pseudonym) && text.len() > 20)
        // Not a part of someone else's account either.
        .filter(|(text, _)| !others.iter().any(|o| o.to_lowercase().contains(&text.to_lowercase())))
        .map(|(text, _)| text.to_string())
        .collect()
}

/// Study-level rows of a table by factor.
fn study_rows(out: &Path, table: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    read_table(out, table)
        .into_iter()
        .filter(|r| r["scope"] == "study")
        .map(|r| (r["factor"].clone(), r))
        .collect()
}

/// Raw answers of one record: (factors rated 1-5, factors picked in the top three).
fn raw_answers(study: &Path, record: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    for entry in std::fs::read_dir(study.join("raw/interviews"))
        .unwrap()
        .flatten()
    {
        let (_, header, records) = read_export(&entry.path());
        if let Some(r) = records.iter().find(|r| &r[0] == record) {
            let mut rated = BTreeSet::new();
            let mut picked = BTreeSet::new();
            for (h, v) in header.iter().zip(r.iter()) {
                if let Some(f) = h.strip_prefix("imp_")
                    && matches!(v, "1" | "2" | "3" | "4" | "5")
                {
                    rated.insert(f.to_string());
                }
                if matches!(h, "top_1" | "top_2" | "top_3") && !v.is_empty() && !v.starts_with('-')
                {
                    picked.insert(v.to_string());
                }
            }
            return (rated, picked);
        }
    }
    panic!("no record {record}");
}

struct Runs {
    _tmp: tempfile::TempDir,
    study: PathBuf,
    without: PathBuf,
    with: PathBuf,
}

/// The demo run without any withdrawal and with `row` only.
fn runs_with_and_without(row: &str) -> Runs {
    let (tmp, study) = demo_copy();
    with_withdrawals(&study, &[]);
    let without = tmp.path().join("without");
    assert_ok(&synthesis(&study, &without, &[]));
    with_withdrawals(&study, &[row]);
    let with = tmp.path().join("with");
    assert_ok(&synthesis(&study, &with, &[]));
    Runs {
        _tmp: tmp,
        study,
        without,
        with,
    }
}

fn n_of(rows: &BTreeMap<String, BTreeMap<String, String>>, factor: &str, column: &str) -> u32 {
    rows[factor][column]
        .parse()
        .unwrap_or_else(|_| panic!("{factor}/{column} is published"))
}

#[test]
fn withdrawal_scope_all_removes_the_participant_from_every_output() {
    let record = "S03-05";
    let runs = runs_with_and_without(&format!("{record},2012-07-16,all"));
    let pseudonym = anonymise::pseudonym(&anonymise::Key::demo(), record);

    // Without the withdrawal they are there: the comparison means something.
    assert!(!occurrences(&runs.without, std::slice::from_ref(&pseudonym)).is_empty());
    let lines = raw_lines(&runs.without, &pseudonym);
    assert_eq!(lines.len(), 1);
    let words = own_words(&runs.without, &pseudonym);
    assert!(!words.is_empty(), "{record} wrote something of their own");

    // With it: no pseudonym, no words, anywhere.
    assert_nothing_reaches(
        &runs.with,
        std::slice::from_ref(&pseudonym),
        "the withdrawn participant's pseudonym",
    );
    assert_nothing_reaches(&runs.with, &words, "the withdrawn participant's words");
    // No data row (so no explain/provenance row) comes from their raw line.
    for rel in ["answers", "top3", "outcomes", "accounts", "participants"] {
        let rows = parquet(&runs.with, &format!("data/{rel}.parquet"));
        for (file, line) in &lines {
            assert!(
                !rows
                    .iter()
                    .any(|r| &r["source_file"] == file && &r["source_line"] == line),
                "data/{rel}.parquet keeps a row from {file}:{line}"
            );
        }
    }
    // Every count drops by them.
    let (rated, picked) = raw_answers(&runs.study, record);
    assert!(!rated.is_empty() && !picked.is_empty());
    let (before, after) = (
        study_rows(&runs.without, "ratings_summary"),
        study_rows(&runs.with, "ratings_summary"),
    );
    for factor in before.keys() {
        let drop = u32::from(rated.contains(factor));
        assert_eq!(
            n_of(&after, factor, "n"),
            n_of(&before, factor, "n") - drop,
            "ratings_summary n of {factor}"
        );
    }
    let (before, after) = (
        study_rows(&runs.without, "top3_frequency"),
        study_rows(&runs.with, "top3_frequency"),
    );
    for factor in before.keys() {
        assert_eq!(
            n_of(&after, factor, "respondents"),
            n_of(&before, factor, "respondents") - 1,
            "respondents"
        );
        let drop = u32::from(picked.contains(factor));
        assert_eq!(
            n_of(&after, factor, "mentions"),
            n_of(&before, factor, "mentions") - drop,
            "mentions of {factor}"
        );
    }
    let participants = |out: &Path| parquet(out, "data/participants.parquet").len();
    assert_eq!(participants(&runs.with), participants(&runs.without) - 1);
}

#[test]
fn withdrawal_scope_quotes_keeps_the_ratings_and_removes_the_words() {
    let record = "S05-02";
    let runs = runs_with_and_without(&format!("{record},2012-08-02,quotes"));
    let pseudonym = anonymise::pseudonym(&anonymise::Key::demo(), record);
    let words = own_words(&runs.without, &pseudonym);
    assert!(!words.is_empty(), "{record} wrote something of their own");
    assert!(!occurrences(&runs.without, &words).is_empty());

    // Their ratings stay: every ratings table is identical.
    for table in [
        "ratings_summary",
        "top3_frequency",
        "direction",
        "consensus",
        "demographics",
        "pattern_matrix",
    ] {
        let (a, b) = (
            std::fs::read(runs.without.join(format!("tables/{table}.csv"))).unwrap(),
            std::fs::read(runs.with.join(format!("tables/{table}.csv"))).unwrap(),
        );
        assert!(a == b, "{table} changed with a quotes-only withdrawal");
    }
    let answers = |out: &Path| {
        parquet(out, "data/answers.parquet")
            .iter()
            .filter(|r| r["participant"] == pseudonym)
            .count()
    };
    assert!(answers(&runs.with) > 0 && answers(&runs.with) == answers(&runs.without));
    let flagged = parquet(&runs.with, "data/participants.parquet");
    assert!(
        flagged
            .iter()
            .any(|r| r["participant"] == pseudonym && r["quotes_withdrawn"] == "true")
    );

    // Their words are nowhere: no account rows, no exemplar, no report line.
    assert!(
        !parquet(&runs.with, "data/accounts.parquet")
            .iter()
            .any(|r| r["participant"] == pseudonym)
    );
    assert_nothing_reaches(
        &runs.with,
        &words,
        "the words of a participant who withdrew them",
    );
    // Nor their interview transcript's: counted, never quoted (the
    // framework matrix, so the handbook and the report).
    let spoken = own_segments(&runs.without, &pseudonym);
    assert!(!spoken.is_empty(), "{record}'s transcript was coded");
    assert!(!occurrences(&runs.without, &spoken).is_empty());
    assert_nothing_reaches(
        &runs.with,
        &spoken,
        "the transcript of a participant who withdrew their words",
    );
}

/// The coded segments' texts that only this participant spoke.
fn own_segments(out: &Path, pseudonym: &str) -> Vec<String> {
    let segments = parquet(out, "data/coded_segments.parquet");
    let mine: BTreeSet<&str> = segments
        .iter()
        .filter(|r| r["participant"] == pseudonym)
        .map(|r| r["text"].as_str())
        .collect();
    mine.into_iter()
        .filter(|text| text.len() > 20)
        .filter(|text| {
            let t = text.to_lowercase();
            !segments
                .iter()
                .any(|r| r["participant"] != pseudonym && r["text"].to_lowercase().contains(&t))
        })
        .map(String::from)
        .collect()
}

// -------------------------------------------------- a study we did not write

/// Identifiers planted by tests/fixtures/make_other_study.py.
const OTHER_PLANTED: &[&str] = &[
    "401 023 2137",
    "943-476-5919",
    "LS1 4AP",
    "0113 496 0321",
    "+44 113 496 0999",
    "www.harbour-lights.org.uk",
    "12 March 2012",
    "Jo Fieldworker",
    "Leeds",
    "Riverside Peer Hub",
    "Harbour Lights Collective",
    "Moorland Recovery Network",
];

/// Sentences written only by the withdrawn participants of the other study.
const OTHER_WITHDRAWN_WORDS: &[&str] = &[
    "The ferry timetable made every visit a long day.",
    "The allotment group was where I found my feet.",
];

#[test]
fn on_a_study_we_did_not_write_no_planted_identifier_or_withdrawn_word_reaches_any_output() {
    let study = other_study();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let run = synthesis(&study, &out, &[]);
    assert_ok(&run);
    let mut needles: Vec<String> = OTHER_PLANTED.iter().map(|s| s.to_string()).collect();
    let people = identities(&study);
    assert!(people.len() > 30, "names, emails and the interviewer");
    for p in &people {
        needles.push(p.clone());
        if !p.contains('@') {
            needles.extend(p.split_whitespace().map(String::from));
            let first = p.split_whitespace().next().unwrap();
            needles.push(format!("{first}'s"));
        }
    }
    assert_nothing_reaches(&out, &needles, "an identifier planted in the other study");
    // The planted sentences are in the raw data: the check is not vacuous.
    let raw: String = std::fs::read_dir(study.join("raw/interviews"))
        .unwrap()
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect();
    for w in OTHER_WITHDRAWN_WORDS.iter().chain(OTHER_PLANTED) {
        assert!(raw.contains(w), "{w} is planted in the raw free text");
    }
    let words: Vec<String> = OTHER_WITHDRAWN_WORDS
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_nothing_reaches(&out, &words, "a withdrawn participant's words");
    // S22-03 withdrew completely: not even their pseudonym.
    let key = anonymise::Key::from_bytes(OTHER_KEY.1.as_bytes()).unwrap();
    assert_nothing_reaches(
        &out,
        &[anonymise::pseudonym(&key, "S22-03")],
        "the pseudonym of S22-03 (withdrawn: all)",
    );
    // S23-01 withdrew their words only: still rated, never quoted.
    let p = anonymise::pseudonym(&key, "S23-01");
    assert!(
        parquet(&out, "data/answers.parquet")
            .iter()
            .any(|r| r["participant"] == p)
    );
    assert!(
        !parquet(&out, "data/accounts.parquet")
            .iter()
            .any(|r| r["participant"] == p)
    );
    // Quotes are published in that study too (min_cell 2, labels by group).
    let quotes = read_table(&out, "quotes");
    assert!(
        quotes
            .iter()
            .any(|r| r["suppressed"] == "false" && !r["exemplar_1"].is_empty()),
        "{quotes:#?}"
    );
    // Its `[disclosure] quote_label = ["group"]` reaches every published
    // label: the group alone (in the study's words), never the sector or
    // site the default allows.
    for table in ["quotes", "qual_matrix"] {
        let mut published = 0;
        for r in read_table(&out, table) {
            let want = super::labels::GROUPS
                .iter()
                .find(|(code, _)| *code == r["group"])
                .map(|(_, words)| words.to_string())
                .unwrap_or_else(|| panic!("{table}: group {}", r["group"]));
            for (column, label) in r.iter().filter(|(c, _)| c.starts_with("label_")) {
                if label.is_empty() || label == "-" {
                    continue;
                }
                assert_eq!(label, &want, "{table} {column}: {r:#?}");
                published += 1;
            }
        }
        assert!(published > 0, "{table} publishes labelled quotes");
    }
}

/// The anonymisation log goes where study.toml says, outside the output
/// folder: pseudonym, field, kind and position of each redaction, never the
/// text. A log path inside the output folder is refused.
#[test]
fn the_anonymisation_log_is_private_and_holds_no_text() {
    let tmp = tempfile::tempdir().unwrap();
    let study = tmp.path().join("study");
    copy_tree(&other_study(), &study);
    let toml = std::fs::read_to_string(study.join("study.toml")).unwrap();
    let with_log = |log: &str| format!("{toml}\n[anonymisation]\nlog = \"{log}\"\n");
    std::fs::write(
        study.join("study.toml"),
        with_log("../private/anonymisation-log.csv"),
    )
    .unwrap();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&study, &out, &[]));
    let log = std::fs::read_to_string(tmp.path().join("private/anonymisation-log.csv")).unwrap();
    let mut lines = log.lines();
    assert_eq!(lines.next(), Some("site,participant,field,kind,start,end"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(
        rows.len() >= 18,
        "every planted identifier is logged: {log}"
    );
    assert!(
        rows.iter().all(|r| r.len() == 6
            && r[4].parse::<usize>().is_ok()
            && r[5].parse::<usize>().is_ok()),
        "{log}"
    );
    assert!(
        rows.iter()
            .any(|r| r[0].starts_with("Hub ") && r[1].starts_with("P-") && r[3] == "nhs_number"),
        "{log}"
    );
    for needle in [
        "Aoife",
        "Brennan",
        "401 023 2137",
        "LS1 4AP",
        "@example.org",
        "0113",
    ] {
        assert!(
            !log.contains(needle),
            "the log must not hold the redacted text ({needle})"
        );
    }
    assert!(
        !tree(&out)
            .iter()
            .any(|(p, _)| p.contains("anonymisation-log"))
    );
    // Inside the output folder: refused, nothing published.
    std::fs::write(study.join("study.toml"), with_log("../out2/log.csv")).unwrap();
    let inside = synthesis(&study, &tmp.path().join("out2"), &[]);
    assert_eq!(code(&inside), 2);
    assert!(
        stderr(&inside).contains("is inside the output folder; it must be private"),
        "{}",
        stderr(&inside)
    );
}

/// The pseudonymisation key appears in no output, no state file (cache,
/// ledger), and nothing the run prints, even when the run fails.
#[test]
fn the_key_is_never_written_or_printed() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let ok = synthesis(&other_study(), &out, &[]);
    assert_ok(&ok);
    let key = OTHER_KEY.1;
    for (path, text) in output_texts(&out) {
        assert!(!text.contains(key), "the key is in {path}");
    }
    assert!(!stderr(&ok).contains(key) && !String::from_utf8_lossy(&ok.stdout).contains(key));
    let bad = crosscase_env(&["validate", "--study", "/nonexistent"], &[OTHER_KEY]);
    assert!(!stderr(&bad).contains(key));
}

/// `[key] demo = true` lets any study use the key printed in crosscase's
/// source, but never quietly: every run warns, and every report and pack
/// (HTML and Markdown) carries a banner. A study with a key of its own
/// sees neither.
#[test]
fn the_public_demo_key_warns_on_every_run_and_bannered_every_report_and_pack() {
    const SAID: &str = "pseudonyms made with the public demo key are not secret";
    let tmp = tempfile::tempdir().unwrap();
    let study = tmp.path().join("study");
    copy_tree(&other_study(), &study);
    let config = std::fs::read_to_string(study.join("study.toml")).unwrap();
    assert!(config.contains("env = \"OTHER_STUDY_KEY\""));
    std::fs::write(
        study.join("study.toml"),
        config.replace("env = \"OTHER_STUDY_KEY\"", "demo = true"),
    )
    .unwrap();
    let out = tmp.path().join("out");
    // No key in the environment: the demo key is used.
    for run in ["first", "nothing changed"] {
        let output = synthesis_env(&study, &out, &[], &[]);
        assert_ok(&output);
        let err = stderr(&output);
        assert!(
            err.contains(&format!(
                "warning: {}/study.toml sets [key] demo = true: {SAID}",
                study.display()
            )),
            "{run}: {err}"
        );
    }
    let documents: Vec<(String, String)> = tree(&out.join("report"))
        .into_iter()
        .filter(|(name, _)| name.ends_with(".md") || name.ends_with(".html"))
        .map(|(name, bytes)| (name, String::from_utf8(bytes).unwrap()))
        .collect();
    let packs = documents
        .iter()
        .filter(|(n, _)| n.starts_with("sites/"))
        .count();
    assert!(
        packs >= 4,
        "site packs and their index in both formats: {packs}"
    );
    assert!(documents.iter().any(|(n, _)| n == "synthesis.html"));
    assert!(documents.iter().any(|(n, _)| n.starts_with("handbook/")));
    for (name, text) in &documents {
        assert!(
            text.contains(&format!("Warning: {SAID}.")),
            "{name} has no banner"
        );
    }

    // The same study with its own key: no warning, no banner.
    let own = tmp.path().join("own");
    let output = synthesis(&other_study(), &own, &[]);
    assert_ok(&output);
    assert!(!stderr(&output).contains("demo key"), "{}", stderr(&output));
    for (name, bytes) in tree(&own.join("report")) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("demo key"),
            "{name} has a banner"
        );
    }
}

/// The number of files the leak guard scanned and those it knew clean, from
/// its progress line.
fn guard_counts(output: &std::process::Output) -> (usize, usize) {
    let text = stderr(output);
    let line = text
        .lines()
        .find(|l| l.contains("guard.leaks") && l.contains("files scanned"))
        .unwrap_or_else(|| panic!("no leak guard line: {text}"));
    let numbers: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse().ok())
        .collect();
    let n = numbers.len();
    (numbers[n - 2], numbers[n - 1])
}

#[test]
fn the_leak_guard_rescans_only_changed_files_and_everything_when_its_list_changes() {
    let (tmp, study) = demo_copy();
    let out = tmp.path().join("out");
    let first = synthesis(&study, &out, &[]);
    assert_ok(&first);
    let published = read_lock_paths(&out);
    assert_eq!(
        guard_counts(&first),
        (published, 0),
        "a first run scans all"
    );
    // Another bootstrap: the ratings summary and what shows it change, the
    // rest is byte for byte what the guard found clean.
    let pipeline = tmp.path().join("resamples.toml");
    let text = std::fs::read_to_string(synthesis_pipeline()).unwrap();
    assert!(text.contains("bootstrap_resamples = 2000"));
    std::fs::write(
        &pipeline,
        text.replace("bootstrap_resamples = 2000", "bootstrap_resamples = 1999"),
    )
    .unwrap();
    let changed = run_pipeline(&pipeline, &study, &out, &[], &[OTHER_KEY]);
    assert_ok(&changed);
    let (scanned, known) = guard_counts(&changed);
    assert_eq!(scanned + known, published);
    assert!(
        scanned > 0 && known > published / 2,
        "{scanned} scanned, {known} known"
    );
    // A word added to identifiers.csv: what the guard looks for changed, so
    // every file is scanned again.
    let identifiers = study.join("identifiers.csv");
    let mut list = std::fs::read_to_string(&identifiers).unwrap();
    list.push_str("place,Gujarati,[language]\n");
    std::fs::write(&identifiers, list).unwrap();
    let relisted = run_pipeline(&pipeline, &study, &out, &[], &[OTHER_KEY]);
    assert_ok(&relisted);
    assert_eq!(guard_counts(&relisted), (published, 0));
}

/// How many files `outputs.lock` lists: every output but itself, all of
/// them staged and scanned.
fn read_lock_paths(out: &Path) -> usize {
    let lock = std::fs::read_to_string(out.join("outputs.lock")).unwrap();
    lock.lines().filter(|l| !l.starts_with('#')).count()
}
