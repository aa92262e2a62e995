//! How long reading 100 interviews' projects takes (not a timed test: run
//! `cargo test --release -p qualitative --test timing -- --ignored --nocapture`).

// Test helpers outside #[test] functions may unwrap: a failure is a test failure.
#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::io::{Cursor, Write};
use std::time::Instant;

use model::Positions;
use qualitative::{CodeThemes, StudyReader, Turns};
use zip::ZipWriter;
use zip::write::SimpleFileOptions;

/// An hour's interview: about 9,000 words, CRLF, a BOM, an emoji per turn.
fn transcript(n: usize) -> String {
    let mut text = String::from("\u{feff}");
    for turn in 0..240 {
        let label = if turn % 2 == 0 {
            "Interviewer"
        } else {
            "Aoife"
        };
        let _ = write!(
            text,
            "{label}: In week {turn} of interview {n} we talked about supervision, the team 🙂 and how Tomasz Nowak \
             supported the peer workers at Riverside; the pay, the rota and the role were discussed at length too.\r\n"
        );
    }
    text
}

/// A project of `people` NVivo-style transcripts, 60 selections each.
fn project(first: usize, people: usize) -> Vec<u8> {
    let codes = ["a", "b", "c", "d", "e", "f"];
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"t\" origin=\"NVivo 14\"><CodeBook><Codes><Code guid=\"root\" name=\"Framework\">",
    );
    for c in codes {
        let _ = write!(xml, "<Code guid=\"{c}\" name=\"Code {c}\"/>");
    }
    xml.push_str("</Code></Codes></CodeBook><Sources>");
    let mut files = Vec::new();
    for n in first..first + people {
        let text = transcript(n);
        let units = text.trim_start_matches('\u{feff}').encode_utf16().count();
        let _ = write!(
            xml,
            "<TextSource guid=\"s{n}\" name=\"S{:02}-{:02}\" plainTextPath=\"internal://s{n}.txt\">",
            n / 10 + 1,
            n % 10 + 1
        );
        // Selections start at a turn (never inside the emoji's surrogate pair).
        let mut starts = Vec::new();
        let mut at = 0;
        for line in text.trim_start_matches('\u{feff}').split_inclusive('\n') {
            starts.push(at);
            at += line.encode_utf16().count();
        }
        for k in 0..60 {
            let start = k * units / 61;
            let s = starts.iter().copied().find(|&p| p >= start).unwrap_or(0);
            let _ = write!(
                xml,
                "<PlainTextSelection guid=\"x{n}-{k}\" startPosition=\"{s}\" endPosition=\"{}\"><Coding guid=\"g{n}-{k}\"><CodeRef targetGUID=\"{}\"/></Coding><Coding guid=\"h{n}-{k}\"><CodeRef targetGUID=\"{}\"/></Coding></PlainTextSelection>",
                s + 40,
                codes[k % 6],
                codes[(k + 1) % 6]
            );
        }
        xml.push_str("</TextSource>");
        files.push((format!("Sources/s{n}.txt"), text.into_bytes()));
    }
    xml.push_str("</Sources></Project>");
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("project.qde", options).unwrap();
    zip.write_all(xml.as_bytes()).unwrap();
    for (name, data) in files {
        zip.start_file(name, options).unwrap();
        zip.write_all(&data).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
#[ignore = "a timing to read, not a test: run with --ignored --nocapture"]
fn reading_100_interviews() {
    // Four waves of 25 interviews each.
    let projects: Vec<Vec<u8>> = (0..4).map(|w| project(w * 25, 25)).collect();
    let record_ids: Vec<String> = (0..100)
        .map(|n| format!("S{:02}-{:02}", n / 10 + 1, n % 10 + 1))
        .collect();
    let size: usize = projects.iter().map(Vec::len).sum();
    let started = Instant::now();
    let mut reader = StudyReader::new(Positions::Auto, &record_ids, CodeThemes::none("codes.csv"));
    let mut diagnostics = Vec::new();
    let (mut segments, mut bytes, mut turns) = (0, 0, 0);
    for (w, data) in projects.iter().enumerate() {
        let linked = reader
            .read(data, &format!("wave{w}.qdpx"), &mut diagnostics)
            .unwrap();
        segments += linked.project.coded_segments().count();
        for t in &linked.project.transcripts {
            bytes += t.text.len();
            turns += Turns::find(&t.text).all().len();
        }
    }
    reader.finish(&mut diagnostics);
    let elapsed = started.elapsed();
    assert!(diagnostics.iter().all(|d| !d.is_error()), "{diagnostics:?}");
    assert_eq!(segments, 100 * 60 * 2);
    println!(
        "read 100 interviews ({} MB of text, {turns} turns, {segments} coded segments) from 4 projects ({} KB zipped) in {:.1} ms",
        bytes / 1_000_000,
        size / 1000,
        elapsed.as_secs_f64() * 1000.0
    );
}
