//! Every real-export behaviour and every problem of the issue, on projects
//! built here in memory (the fixtures of `tests/fixtures/qualitative/`,
//! written by an independent Python script, are read in `tests/fixtures.rs`).

use std::io::{Cursor, Write};

use model::{Diagnostic, Positions, Severity};
use zip::ZipWriter;
use zip::write::SimpleFileOptions;

use crate::*;

const NS: &str = "urn:QDA-XML:project:1.0";

/// A `.qdpx`: the `.qde` under `qde_name` and the other files as given.
fn qdpx(qde_name: &str, qde: &str, files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file(qde_name, options).unwrap();
    zip.write_all(qde.as_bytes()).unwrap();
    for (name, bytes) in files {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// A project XML around `body` (CodeBook, Cases, Sources as the test needs).
fn project_xml(origin: &str, body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Project xmlns=\"{NS}\" name=\"Study\" origin=\"{origin}\">\n{body}\n</Project>\n"
    )
}

fn read(bytes: &[u8], positions: Positions) -> (Option<Project>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let project = read_project(bytes, "qualitative/p.qdpx", positions, &mut diagnostics);
    (project, diagnostics)
}

fn errors(diagnostics: &[Diagnostic]) -> Vec<&Diagnostic> {
    diagnostics.iter().filter(|d| d.is_error()).collect()
}

fn warnings(diagnostics: &[Diagnostic]) -> Vec<&Diagnostic> {
    diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .collect()
}

/// The 1-based line of the first occurrence of `needle` in `xml`.
fn line_of(xml: &str, needle: &str) -> u32 {
    let at = xml.find(needle).unwrap();
    xml[..at].matches('\n').count() as u32 + 1
}

const CODEBOOK: &str = r#"<CodeBook><Codes>
  <Code guid="c0000000-0000-0000-0000-000000000001" name="Framework" isCodable="false">
    <Code guid="c0000000-0000-0000-0000-000000000002" name="Supervision and support">
      <Code guid="c0000000-0000-0000-0000-000000000003" name="Team support" isCodable="true"/>
    </Code>
  </Code>
  <Code guid="c0000000-0000-0000-0000-000000000004" name="Other"/>
</Codes></CodeBook>"#;

/// One coded selection of `source_guid` on the code `code`.
fn selection(guid: &str, start: u64, end: u64, codes: &[&str]) -> String {
    let codings: String = codes
        .iter()
        .map(|c| format!("<Coding guid=\"{guid}-{c}\"><CodeRef targetGUID=\"{c}\"/></Coding>"))
        .collect();
    format!(
        "<PlainTextSelection guid=\"{guid}\" startPosition=\"{start}\" endPosition=\"{end}\">{codings}</PlainTextSelection>"
    )
}

const TEAM: &str = "c0000000-0000-0000-0000-000000000003";
const SUPERVISION: &str = "c0000000-0000-0000-0000-000000000002";
const OTHER: &str = "c0000000-0000-0000-0000-000000000004";

/// The text of each coded segment, with its code path.
fn segments(project: &Project) -> Vec<(String, String)> {
    project
        .coded_segments()
        .map(|s| (s.code.path.clone(), s.text().to_string()))
        .collect()
}

#[test]
fn the_single_qde_of_any_name_is_the_project_and_two_are_an_error() {
    let xml = project_xml("ATLAS.ti 23.2", CODEBOOK);
    for name in ["project.qde", "Wave 2 coding.qde", "NESTED/Project.QDE"] {
        let (project, diagnostics) = read(&qdpx(name, &xml, &[]), Positions::Auto);
        assert!(diagnostics.is_empty(), "{name}: {diagnostics:?}");
        let project = project.unwrap();
        assert_eq!(project.qde, name);
        assert_eq!(project.codebook.codes().len(), 4);
    }
    let bytes = qdpx("a.qde", &xml, &[("b.qde", xml.as_bytes())]);
    let (project, diagnostics) = read(&bytes, Positions::Auto);
    assert!(project.is_none());
    assert_eq!(diagnostics.len(), 1);
    let d = &diagnostics[0];
    assert_eq!(
        (d.file.as_str(), d.line, d.column),
        ("qualitative/p.qdpx", 0, 0)
    );
    assert!(
        d.message
            .contains("expected one `*.qde` file in the archive, found 2: `a.qde`, `b.qde`"),
        "{}",
        d.message
    );
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file("Sources/x.txt", SimpleFileOptions::default())
        .unwrap();
    let none = zip.finish().unwrap().into_inner();
    let (_, diagnostics) = read(&none, Positions::Auto);
    assert!(
        diagnostics[0]
            .message
            .contains("found none among its 1 entries")
    );
}

#[test]
fn sources_folder_and_internal_paths_match_ignoring_case() {
    let text = "Interviewer: hello\nS01-01: team support was good\n";
    let at = text.find("team support").unwrap() as u64;
    for (folder, path) in [
        ("Sources", "internal://AB12.txt"),
        ("sources", "internal://ab12.TXT"),
        ("SOURCES", "INTERNAL://Ab12.txt"),
    ] {
        let body = format!(
            "{CODEBOOK}<Sources><TextSource guid=\"s1\" name=\"S01-01\" plainTextPath=\"{path}\">{}</TextSource></Sources>",
            selection("x1", at, at + 12, &[TEAM])
        );
        let entry = format!("{folder}/ab12.txt");
        let bytes = qdpx(
            "project.qde",
            &project_xml("MAXQDA 2022", &body),
            &[(&entry, text.as_bytes())],
        );
        let (project, diagnostics) = read(&bytes, Positions::Auto);
        assert!(diagnostics.is_empty(), "{folder} {path}: {diagnostics:?}");
        assert_eq!(
            segments(&project.unwrap()),
            vec![(
                "Framework / Supervision and support / Team support".to_string(),
                "team support".to_string()
            )]
        );
    }
}

#[test]
fn elements_are_matched_by_local_name_whatever_the_namespace() {
    let body = format!(
        "{CODEBOOK}<Sources><TextSource guid=\"s1\" name=\"S01-01\"><PlainTextContent>abcdef</PlainTextContent>{}</TextSource></Sources>",
        selection("x1", 1, 3, &[OTHER])
    );
    let standard = project_xml("QualCoder", &body);
    let older = standard.replace(NS, "urn:QDA-XML:project:0:10");
    let none = standard.replace(&format!(" xmlns=\"{NS}\""), "");
    // Every element prefixed, the namespace bound to the prefix.
    let prefixed = standard
        .replace(&format!(" xmlns=\"{NS}\""), &format!(" xmlns:qda=\"{NS}\""))
        .replace("<", "<qda:")
        .replace("<qda:/", "</qda:")
        .replace("<qda:?xml", "<?xml");
    for xml in [&standard, &older, &none, &prefixed] {
        let (project, diagnostics) = read(&qdpx("project.qde", xml, &[]), Positions::Auto);
        assert!(diagnostics.is_empty(), "{xml}\n{diagnostics:?}");
        assert_eq!(
            segments(&project.unwrap()),
            vec![("Other".to_string(), "bc".to_string())]
        );
    }
}

#[test]
fn guids_match_in_any_case_with_or_without_braces_and_forward() {
    // Sources before the codebook (a forward reference), the coding's
    // reference upper case and braced, the code's lower case.
    let upper = format!("{{{}}}", TEAM.to_uppercase());
    let body = format!(
        "<Cases><Case guid=\"K1\" name=\"S01-01\"><SourceRef targetGUID=\"{{S1}}\"/></Case></Cases>\
         <Sources><TextSource guid=\"s1\" name=\"Interview one\"><PlainTextContent>abcdef</PlainTextContent>{}</TextSource></Sources>{CODEBOOK}",
        selection("x1", 0, 2, &[&upper])
    );
    let (project, diagnostics) = read(
        &qdpx("project.qde", &project_xml("ATLAS.ti", &body), &[]),
        Positions::Auto,
    );
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let project = project.unwrap();
    assert_eq!(segments(&project).len(), 1);
    assert_eq!(project.cases[0].sources, vec![Guid::new("S1")]);
    assert_eq!(Guid::new(" {AB-Cd} ").as_str(), "ab-cd");
    let mut linker = Linker::new(["S01-01"]);
    let mut diagnostics = Vec::new();
    assert_eq!(
        linker.link(&project, &mut diagnostics),
        vec![Some("S01-01".to_string())]
    );
}

#[test]
fn codes_nest_codable_defaults_to_true_and_a_parent_may_be_coded() {
    let body = format!(
        "{CODEBOOK}<Sources><TextSource guid=\"s1\" name=\"S01-01\"><PlainTextContent>abcdefgh</PlainTextContent>{}{}</TextSource></Sources>",
        selection("x1", 0, 4, &[SUPERVISION]),
        selection("x2", 2, 6, &[TEAM])
    );
    let (project, diagnostics) = read(
        &qdpx("project.qde", &project_xml("", &body), &[]),
        Positions::Auto,
    );
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let project = project.unwrap();
    let codes = project.codebook.codes();
    let paths: Vec<(&str, bool, Option<usize>)> = codes
        .iter()
        .map(|c| (c.path.as_str(), c.codable, c.parent))
        .collect();
    assert_eq!(
        paths,
        vec![
            ("Framework", false, None),
            ("Framework / Supervision and support", true, Some(0)),
            (
                "Framework / Supervision and support / Team support",
                true,
                Some(1)
            ),
            ("Other", true, None),
        ]
    );
    assert_eq!(
        segments(&project),
        vec![
            (
                "Framework / Supervision and support".to_string(),
                "abcd".to_string()
            ),
            (
                "Framework / Supervision and support / Team support".to_string(),
                "cdef".to_string()
            ),
        ]
    );
    assert_eq!(
        project.codebook.lineage(2).collect::<Vec<_>>(),
        vec![2, 1, 0]
    );
}

/// An NVivo-style transcript: BOM, CRLF, characters outside the BMP.
const NVIVO_TEXT: &str =
    "\u{feff}Interviewer: Wie geht's? 🙂\r\nS01-01: Łukasz said 😀😀 the team 👍🏽 helped.\r\n";

#[test]
fn positions_are_utf16_for_nvivo_code_points_otherwise_over_text_without_bom() {
    let stored = NVIVO_TEXT.trim_start_matches('\u{feff}');
    let phrase = "the team 👍🏽 helped";
    let at = stored.find(phrase).unwrap();
    let before = &stored[..at];
    let utf16 = |s: &str| s.encode_utf16().count() as u64;
    let cps = |s: &str| s.chars().count() as u64;
    let (u_start, u_end) = (utf16(before), utf16(before) + utf16(phrase));
    let (c_start, c_end) = (cps(before), cps(before) + cps(phrase));
    assert_ne!(
        u_start, c_start,
        "the test needs astral characters before the phrase"
    );
    let project_with = |origin: &str, start: u64, end: u64| {
        let body = format!(
            "{CODEBOOK}<Sources><TextSource guid=\"s1\" name=\"S01-01\" plainTextPath=\"internal://t.txt\">{}</TextSource></Sources>",
            selection("x1", start, end, &[TEAM])
        );
        qdpx(
            "project.qde",
            &project_xml(origin, &body),
            &[("Sources/t.txt", NVIVO_TEXT.as_bytes())],
        )
    };
    for (origin, setting, start, end) in [
        ("NVivo 14.23.0", Positions::Auto, u_start, u_end),
        ("ATLAS.ti 23", Positions::Auto, c_start, c_end),
        ("ATLAS.ti 23", Positions::Utf16, u_start, u_end),
        ("NVivo 14", Positions::Codepoints, c_start, c_end),
    ] {
        let (project, diagnostics) = read(&project_with(origin, start, end), setting);
        assert!(diagnostics.is_empty(), "{origin}: {diagnostics:?}");
        let project = project.unwrap();
        let t = &project.transcripts[0];
        assert_eq!(t.text, stored, "the BOM is gone, CRLF kept");
        assert_eq!(t.selections[0].bytes, at..at + phrase.len());
        assert_eq!((t.selections[0].start, t.selections[0].end), (start, end));
        assert_eq!(segments(&project)[0].1, phrase);
    }
}

#[test]
fn a_position_out_of_range_or_splitting_a_character_is_an_error_naming_file_source_and_selection() {
    let stored = NVIVO_TEXT.trim_start_matches('\u{feff}');
    let length = stored.encode_utf16().count() as u64;
    // Inside the surrogate pair of the first 😀.
    let split = stored[..stored.find('😀').unwrap()].encode_utf16().count() as u64 + 1;
    let body = format!(
        "{CODEBOOK}<Sources>\n<TextSource guid=\"s1\" name=\"S01-01 interview\" plainTextPath=\"internal://t.txt\">\n{}\n{}\n{}\n{}\n</TextSource></Sources>",
        selection("aa-out", 2, length + 1, &[TEAM]),
        selection("bb-split", split, split + 3, &[TEAM]),
        selection("cc-good", 0, length, &[TEAM]),
        selection("dd-backwards", 5, 4, &[TEAM]),
    );
    let xml = project_xml("NVivo 12", &body);
    let (project, diagnostics) = read(
        &qdpx(
            "project.qde",
            &xml,
            &[("Sources/t.txt", NVIVO_TEXT.as_bytes())],
        ),
        Positions::Auto,
    );
    let errors = errors(&diagnostics);
    assert_eq!(errors.len(), 3, "{diagnostics:?}");
    let out = errors[0];
    assert_eq!(
        (out.file.as_str(), out.line, out.column),
        ("qualitative/p.qdpx", line_of(&xml, "aa-out"), 1)
    );
    assert!(
        out.message
            .contains("selection aa-out of source `S01-01 interview` (guid s1)")
    );
    assert!(
        out.message.contains(&format!(
            "expected positions within the text's {length} UTF-16 code units, found end {}",
            length + 1
        )),
        "{}",
        out.message
    );
    assert!(errors[1].message.contains("selection bb-split"));
    assert!(
        errors[1].message.contains(&format!(
            "found start {split} inside a character that takes two UTF-16 code units"
        )),
        "{}",
        errors[1].message
    );
    assert!(errors[2].message.contains("dd-backwards"));
    assert!(errors[2].message.contains("found start 5 and end 4"));
    // The good selection is kept; the transcript is not lost.
    let project = project.unwrap();
    assert_eq!(project.transcripts[0].selections.len(), 1);
    assert_eq!(segments(&project)[0].1, stored);
    // Never the transcript's words in a message.
    for d in &diagnostics {
        for word in ["Łukasz", "team", "helped", "Interviewer"] {
            assert!(!d.message.contains(word), "{d}");
        }
    }
}

#[test]
fn sources_that_are_not_plain_text_are_skipped_with_a_warning_naming_them() {
    let body = format!(
        "{CODEBOOK}<Sources>\
         <TextSource guid=\"r1\" name=\"S01-02 notes.docx\" richTextPath=\"internal://r1.docx\"/>\
         <PictureSource guid=\"p1\" name=\"ward photo.jpg\" path=\"internal://p1.jpg\"/>\
         <PDFSource guid=\"f1\" name=\"policy.pdf\" path=\"internal://f1.pdf\"/>\
         <AudioSource guid=\"a1\" name=\"S01-01.m4a\" path=\"relative:///a.m4a\"/>\
         <VideoSource guid=\"v1\" name=\"clip.mp4\" path=\"absolute:///c.mp4\"/>\
         <TextSource guid=\"s1\" name=\"S01-01\"><PlainTextContent>kept</PlainTextContent>{}</TextSource>\
         </Sources>",
        selection("x1", 0, 4, &[OTHER])
    );
    let (project, diagnostics) = read(
        &qdpx("project.qde", &project_xml("MAXQDA", &body), &[]),
        Positions::Auto,
    );
    assert!(errors(&diagnostics).is_empty(), "{diagnostics:?}");
    let warnings: Vec<&str> = warnings(&diagnostics)
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(warnings.len(), 5, "{warnings:?}");
    assert!(warnings[0].starts_with(
        "source `S01-02 notes.docx` (guid r1): skipped: it has only a rich-text copy (`richTextPath`)"
    ));
    assert!(warnings[1].starts_with("source `ward photo.jpg` (guid p1): skipped: it is a picture"));
    assert!(warnings[2].contains("(guid f1): skipped: it is a PDF"));
    assert!(warnings[3].contains("(guid a1): skipped: it is an audio recording"));
    assert!(warnings[4].contains("(guid v1): skipped: it is a video"));
    let project = project.unwrap();
    assert_eq!(project.transcripts.len(), 1);
    assert_eq!(segments(&project), vec![("Other".into(), "kept".into())]);
}

#[test]
fn overlapping_selections_and_several_codings_of_one_selection_are_normal() {
    let body = format!(
        "{CODEBOOK}<Sources><TextSource guid=\"s1\" name=\"S01-01\"><PlainTextContent>abcdefghij</PlainTextContent>{}{}</TextSource></Sources>",
        // Three codings, one of them twice: two coded segments.
        selection("x1", 0, 6, &[TEAM, OTHER, TEAM]),
        selection("x2", 3, 9, &[TEAM]),
    );
    let (project, diagnostics) = read(
        &qdpx("project.qde", &project_xml("", &body), &[]),
        Positions::Auto,
    );
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let got: Vec<(String, String, String)> = project
        .unwrap()
        .coded_segments()
        .map(|s| {
            (
                s.selection.guid.to_string(),
                s.code.name.clone(),
                s.text().to_string(),
            )
        })
        .collect();
    let want = [
        ("x1", "Team support", "abcdef"),
        ("x1", "Other", "abcdef"),
        ("x2", "Team support", "defghi"),
    ];
    assert_eq!(
        got,
        want.map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    );
}

#[test]
fn utf16_and_non_utf8_source_files() {
    let text = "S01-01: 王芳 😀 ok";
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    let body = format!(
        "{CODEBOOK}<Sources><TextSource guid=\"s1\" name=\"S01-01\" plainTextPath=\"internal://u.txt\">{}</TextSource>\
         <TextSource guid=\"s2\" name=\"S01-02\" plainTextPath=\"internal://bad.txt\"/></Sources>",
        selection("x1", 13, 15, &[OTHER])
    );
    let (project, diagnostics) = read(
        &qdpx(
            "project.qde",
            &project_xml("", &body),
            &[
                ("sources/u.txt", &utf16),
                ("sources/bad.txt", b"ok \xFF\xFE no"),
            ],
        ),
        Positions::Auto,
    );
    let errors = errors(&diagnostics);
    assert_eq!(errors.len(), 1, "{diagnostics:?}");
    assert!(errors[0].message.contains(
        "source `S01-02` (guid s2): its plain text `Sources/bad.txt`: expected UTF-8 text, found a byte that is not UTF-8 at byte 3"
    ), "{}", errors[0].message);
    assert_eq!(segments(&project.unwrap())[0].1, "ok");
}

#[test]
fn damaged_projects_are_errors_naming_the_file_never_panics() {
    let (project, d) = read(b"", Positions::Auto);
    assert!(project.is_none());
    assert!(d[0].message.contains("found an empty file"));
    let (_, d) = read(b"code,theme\nA,bme\n", Positions::Auto);
    assert!(
        d[0].message.contains("found a file that is not a zip"),
        "{}",
        d[0].message
    );
    let good = qdpx("project.qde", &project_xml("", CODEBOOK), &[]);
    let (_, d) = read(&good[..good.len() / 2], Positions::Auto);
    assert_eq!(d.len(), 1);
    assert!(
        d[0].message
            .starts_with("expected a complete zip archive, found a truncated or damaged one"),
        "{}",
        d[0].message
    );
    // Malformed XML: line and column of the problem.
    let xml = "<?xml version=\"1.0\"?>\n<Project>\n  <CodeBook>\n  </Codes>\n</Project>\n";
    let (project, d) = read(&qdpx("project.qde", xml, &[]), Positions::Auto);
    assert!(project.is_none());
    assert_eq!((d[0].line, d[0].column), (4, 3), "{}", d[0]);
    assert_eq!(
        d[0].message,
        "expected well-formed XML in `project.qde`, found the closing tag `</Codes>` where `</CodeBook>` closes the open element"
    );
    let (_, d) = read(
        &qdpx("project.qde", "<Project><Sources>", &[]),
        Positions::Auto,
    );
    assert!(d[0].message.contains("the file is cut short"), "{}", d[0]);
    let (_, d) = read(&qdpx("project.qde", "<Workbook/>", &[]), Positions::Auto);
    assert!(d[0].message.contains("found `<Workbook>`"), "{}", d[0]);
    let (_, d) = read(
        &qdpx(
            "project.qde",
            "<!DOCTYPE p [<!ENTITY a \"aaaa\">]><Project>&a;</Project>",
            &[],
        ),
        Positions::Auto,
    );
    assert!(d[0].message.contains("DOCTYPE"), "{}", d[0]);
}

#[test]
fn a_missing_source_file_and_a_coding_of_no_code_are_errors_at_their_element() {
    let body = format!(
        "{CODEBOOK}\n<Sources>\n<TextSource guid=\"s1\" name=\"S01-01\" plainTextPath=\"internal://gone.txt\"/>\n\
         <TextSource guid=\"s2\" name=\"S01-02\" plainTextPath=\"relative:///C:/Users/x/t.txt\"/>\n\
         <TextSource guid=\"s3\" name=\"S01-03\"><PlainTextContent>abc</PlainTextContent>\n{}</TextSource>\n</Sources>",
        selection("x1", 0, 2, &["c0000000-dead"]),
    );
    let xml = project_xml("", &body);
    let (project, diagnostics) = read(&qdpx("project.qde", &xml, &[]), Positions::Auto);
    let e = errors(&diagnostics);
    assert_eq!(e.len(), 3, "{diagnostics:?}");
    assert_eq!(e[0].line, line_of(&xml, "guid=\"s1\""));
    assert_eq!(
        e[0].message,
        "source `S01-01` (guid s1): expected its plain text `Sources/gone.txt` in the project (plainTextPath `internal://gone.txt`), found no such file"
    );
    assert!(e[1].message.contains("a file outside the export"));
    assert_eq!(e[2].line, line_of(&xml, "c0000000-dead"));
    assert_eq!(
        e[2].message,
        "selection x1 of source `S01-03` (guid s3): expected a coding to refer to a code of the codebook, found a reference to `c0000000-dead`, which no code has"
    );
    let project = project.unwrap();
    assert_eq!(project.transcripts.len(), 1);
    assert_eq!(project.coded_segments().count(), 0);
}

fn linked_project(file: &str, sources: &[(&str, &str)], cases: &[(&str, &[&str])]) -> Project {
    let sources: String = sources
        .iter()
        .map(|(guid, name)| {
            format!(
                "<TextSource guid=\"{guid}\" name=\"{name}\"><PlainTextContent>x</PlainTextContent></TextSource>\n"
            )
        })
        .collect();
    let cases: String = cases
        .iter()
        .map(|(name, refs)| {
            let refs: String = refs
                .iter()
                .map(|r| format!("<SourceRef targetGUID=\"{r}\"/>"))
                .collect();
            format!("<Case guid=\"k-{name}\" name=\"{name}\">{refs}</Case>\n")
        })
        .collect();
    let xml = project_xml(
        "",
        &format!("<Cases>\n{cases}</Cases>\n<Sources>\n{sources}</Sources>"),
    );
    let mut d = Vec::new();
    let project = read_project(
        &qdpx("project.qde", &xml, &[]),
        file,
        Positions::Auto,
        &mut d,
    );
    assert!(d.is_empty(), "{d:?}");
    project.unwrap()
}

#[test]
fn transcripts_link_by_case_then_by_name_and_every_problem_is_reported() {
    let mut linker = Linker::new(["S01-01", "S01-02", "S01-03", "S02-01", "S02-02"]);
    let first = linked_project(
        "qualitative/a.qdpx",
        &[
            ("g1", "Interview with Aoife"),   // by its case
            ("g2", "s01-02 transcript.docx"), // by its name, any case
            ("g3", "Interview S01-03"),       // neither
            ("g4", "S09-01"),                 // a record id the data lacks
            ("g5", "Focus group"),            // two cases
            ("g6", "S01-01 again"),           // a record id taken in this project
        ],
        &[
            ("S01-01", &["g1"]),
            ("Participants", &["g1", "g3"]), // not a record id: no link
            ("S02-01", &["g5"]),
            ("S02-02", &["g5"]),
        ],
    );
    let mut d = Vec::new();
    let ids = linker.link(&first, &mut d);
    assert_eq!(
        ids,
        vec![
            Some("S01-01".to_string()),
            Some("S01-02".to_string()),
            None,
            None,
            None,
            None
        ]
    );
    let messages: Vec<&str> = d.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(messages.len(), 4, "{messages:#?}");
    assert!(messages[0].starts_with(
        "source `Interview S01-03` (guid g3): expected a case named by the interviewee's record id"
    ));
    assert_eq!(
        messages[1],
        "source `S09-01` (guid g4): linked by its name to the record id `S09-01`, expected a record id of the interview data, found none such"
    );
    assert_eq!(
        messages[2],
        "source `Focus group` (guid g5): expected one case named by a record id to refer to it, found 2: `S02-01`, `S02-02`"
    );
    assert!(messages[3].contains(
        "found `S01-01` already linked to source `Interview with Aoife` (guid g1) in line"
    ));
    assert!(
        d.iter()
            .all(|d| d.file == "qualitative/a.qdpx" && d.line > 0)
    );
    // A second project linking a record id again: both files named.
    let second = linked_project("qualitative/b.qdpx", &[("h1", "S01-02")], &[]);
    let mut d = Vec::new();
    assert_eq!(linker.link(&second, &mut d), vec![None]);
    assert_eq!(d[0].file, "qualitative/b.qdpx");
    assert!(
        d[0].message.ends_with(
            "expected one transcript per interviewee, found `S01-02` already linked to source `s01-02 transcript.docx` (guid g2) in `qualitative/a.qdpx`"
        ),
        "{}",
        d[0].message
    );
    let linked: Vec<(&str, &str)> = linker.linked().collect();
    assert_eq!(
        linked,
        vec![
            ("S01-01", "qualitative/a.qdpx"),
            ("S01-02", "qualitative/a.qdpx")
        ]
    );
}

#[test]
fn a_record_id_begins_the_name_or_is_not_there() {
    for (name, want) in [
        ("S03-07", Some("S03-07")),
        ("S03-07 transcript.docx", Some("S03-07")),
        ("s0412-3_final", Some("s0412-3")),
        ("  S03-07", Some("S03-07")),
        ("S03-07.txt", Some("S03-07")),
        ("Interview S03-07", None),
        ("S03-07a", None),
        ("S03-", None),
        ("S-07", None),
        ("SA3-07", None),
        ("", None),
        ("S😀", None),
    ] {
        assert_eq!(record_id_prefix(name), want, "{name}");
    }
}

fn framework() -> model::Framework {
    model::Framework::parse(
        r#"version = "1"
[[domain]]
code = "org"
label = "Organisation"
[[factor]]
code = "supervision"
domain = "org"
label = "Supervision"
condition = "c"
[[factor]]
code = "career"
domain = "org"
label = "Career"
condition = "c"
[[outcome]]
code = "recovery"
label = "Recovery"
hypothesis = "h"
"#,
        "framework.toml",
    )
    .unwrap()
}

fn code_themes(csv: &str) -> Result<CodeThemes, Vec<Diagnostic>> {
    let table = ingest::read_csv(csv.as_bytes(), "qualitative/codes.csv").unwrap();
    CodeThemes::parse(&table, &framework())
}

#[test]
fn codes_csv_is_checked_against_the_framework_in_one_pass() {
    let errors =
        code_themes("code,theme\nFramework,supervision\n ,bme\nOther,recovry\nframework ,career\n")
            .unwrap_err();
    let got: Vec<String> = errors.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        got,
        vec![
            "qualitative/codes.csv:3:1: code: expected a code's path in the codebook (`Framework / Supervision`), found an empty cell",
            "qualitative/codes.csv:4:7: theme: expected a factor code or an outcome code of the framework, `bme` or `ignore`, found `recovry`",
            "qualitative/codes.csv:5:1: code: expected each code once, found `framework` again (first at line 2)",
        ]
    );
    let errors = code_themes("path,theme\nA,bme\n").unwrap_err();
    assert!(errors[0].message.contains("found an unknown column"));
}

#[test]
fn a_code_takes_its_own_theme_or_its_nearest_listed_ancestors() {
    let themes = code_themes(
        "code,theme\n FRAMEWORK/supervision and SUPPORT ,supervision\nFramework,IGNORE\nOther,Recovery\n",
    )
    .unwrap();
    let body = format!(
        "{CODEBOOK}<Sources><TextSource guid=\"s1\" name=\"S01-01\"><PlainTextContent>abcdef</PlainTextContent>{}</TextSource></Sources>",
        selection(
            "x1",
            0,
            2,
            &[TEAM, OTHER, "c0000000-0000-0000-0000-000000000001"]
        )
    );
    let (project, _) = read(
        &qdpx("project.qde", &project_xml("", &body), &[]),
        Positions::Auto,
    );
    let resolved = themes.resolve(&project.unwrap().codebook);
    assert_eq!(
        resolved,
        vec![
            Some(Theme::Ignored),
            Some(Theme::Named("supervision".into())),
            Some(Theme::Named("supervision".into())),
            Some(Theme::Named("recovery".into())),
        ]
    );
    assert_eq!(
        normalise_code_path(" A/ b  /C "),
        normalise_code_path("a / B / c")
    );
}

#[test]
fn the_study_reader_links_themes_and_checks_across_projects() {
    let themes = code_themes(
        "code,theme\nFramework / Supervision and support,supervision\nFramework / Typo,bme\n",
    )
    .unwrap();
    let mut reader = StudyReader::new(Positions::Auto, ["S01-01", "S01-02"], themes);
    let project = |name: &str, codes: &[&str]| {
        let body = format!(
            "{CODEBOOK}<Sources><TextSource guid=\"s-{name}\" name=\"{name}\"><PlainTextContent>abcdef</PlainTextContent>{}{}</TextSource></Sources>",
            selection("x1", 0, 2, codes),
            selection("x2", 1, 3, &[OTHER]),
        );
        qdpx("project.qde", &project_xml("", &body), &[])
    };
    let mut d = Vec::new();
    let a = reader
        .read(
            &project("S01-01", &[TEAM, OTHER]),
            "qualitative/a.qdpx",
            &mut d,
        )
        .unwrap();
    let themed: Vec<(&str, &str, &str, &str)> = a
        .themed_segments()
        .map(|s| {
            (
                s.record_id,
                s.theme,
                s.segment.code.name.as_str(),
                s.segment.text(),
            )
        })
        .collect();
    assert_eq!(
        themed,
        vec![("S01-01", "supervision", "Team support", "ab")]
    );
    assert_eq!(a.record_id(0), Some("S01-01"));
    drop(a);
    let b = reader
        .read(
            &project("S01-02", &[SUPERVISION]),
            "qualitative/b.qdpx",
            &mut d,
        )
        .unwrap();
    assert_eq!(b.themed_segments().count(), 1);
    assert!(d.is_empty(), "{d:?}");
    reader.finish(&mut d);
    let got: Vec<String> = d.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        got,
        vec![
            "qualitative/codes.csv:3:1: code: expected the path of a code in a project's codebook, found `Framework / Typo`, which no project has (check the spelling and the ` / ` between names)",
            "qualitative/codes.csv: warning: code `Other` (in `qualitative/a.qdpx`, `qualitative/b.qdpx`) has no theme: neither it nor a code above it is listed here, so its 3 coded segments are left out",
        ]
    );
}

#[test]
fn positions_setting_is_read_from_study_toml() {
    let base = "[study]\nname = \"x\"\nseed = 1\n[key]\ndemo = true\n";
    let cfg = model::StudyConfig::parse(base, "study.toml").unwrap();
    assert_eq!(cfg.qualitative.positions, Positions::Auto);
    for (value, want) in [
        ("auto", Positions::Auto),
        ("utf16", Positions::Utf16),
        ("codepoints", Positions::Codepoints),
    ] {
        let text = format!("{base}[qualitative]\npositions = \"{value}\"\n");
        let cfg = model::StudyConfig::parse(&text, "study.toml").unwrap();
        assert_eq!(cfg.qualitative.positions, want);
    }
    let err = model::StudyConfig::parse(
        &format!("{base}[qualitative]\npositions = \"bytes\"\n"),
        "study.toml",
    )
    .unwrap_err();
    assert_eq!(err.line, 7);
    assert!(
        err.message.contains("unknown variant `bytes`"),
        "{}",
        err.message
    );
}

#[test]
fn inline_text_is_read_as_xml_delivers_it() {
    // Entities and CDATA resolved, a comment between text nodes skipped.
    let body = format!(
        "{CODEBOOK}<Sources><TextSource guid=\"s1\" name=\"S01-01\"><PlainTextContent>a &amp; b<![CDATA[ <c> ]]><!-- a note -->d 😀e</PlainTextContent>{}</TextSource></Sources>",
        selection("x1", 2, 9, &[OTHER])
    );
    let (project, diagnostics) = read(
        &qdpx("project.qde", &project_xml("ATLAS.ti", &body), &[]),
        Positions::Auto,
    );
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let project = project.unwrap();
    assert_eq!(project.transcripts[0].text, "a & b <c> d 😀e");
    assert_eq!(segments(&project)[0].1, "& b <c>");
}
