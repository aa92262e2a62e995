//! Damage a valid project every which way: reading it must give errors,
//! never a panic.

// Test helpers outside #[test] functions may unwrap: a failure is a test failure.
#![allow(clippy::unwrap_used)]

use std::io::{Cursor, Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

use model::{Diagnostic, Positions};
use qualitative::{Project, read_project};
use zip::ZipWriter;
use zip::write::SimpleFileOptions;

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/qualitative")
        .join(name);
    std::fs::read(path).unwrap()
}

/// Reads `bytes`; a panic fails the test naming what was done to them.
fn read_or_fail(bytes: &[u8], what: &str) -> (Option<Project>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let project = catch_unwind(AssertUnwindSafe(|| {
        read_project(bytes, "p.qdpx", Positions::Auto, &mut diagnostics)
    }))
    .unwrap_or_else(|_| panic!("reading panicked: {what}"));
    (project, diagnostics)
}

/// A deterministic byte stream (an LCG is plenty for choosing offsets).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

const PROJECTS: [&str; 3] = ["nvivo.qdpx", "atlas.qdpx", "maxqda.qdpx"];

#[test]
fn a_project_cut_short_at_any_byte_is_an_error() {
    for name in PROJECTS {
        let bytes = fixture(name);
        for end in 0..bytes.len() {
            let (project, diagnostics) =
                read_or_fail(&bytes[..end], &format!("{name} cut at {end}"));
            assert!(project.is_none(), "{name} cut at {end} was read");
            assert!(
                diagnostics.iter().any(Diagnostic::is_error),
                "{name} cut at {end}: no error"
            );
        }
    }
}

#[test]
fn flipped_bytes_never_panic() {
    let mut rng = Lcg(20260314);
    for name in PROJECTS {
        let bytes = fixture(name);
        for at in 0..bytes.len() {
            for mask in [0xFF, 0x01, 0x80] {
                let mut damaged = bytes.clone();
                damaged[at] ^= mask;
                read_or_fail(&damaged, &format!("{name}: byte {at} ^ {mask:#x}"));
            }
        }
        // Many bytes at once.
        for round in 0..2_000 {
            let mut damaged = bytes.clone();
            for _ in 0..1 + rng.next() % 8 {
                let at = rng.next() as usize % damaged.len();
                damaged[at] = rng.next() as u8;
            }
            read_or_fail(&damaged, &format!("{name}: round {round}"));
        }
    }
}

/// The project with every file unzipped, to damage the XML and the texts
/// themselves (damage to compressed bytes mostly stops at the checksum).
fn unzipped(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut file = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            file.read_to_end(&mut data).unwrap();
            (file.name().unwrap().to_string(), data)
        })
        .collect()
}

fn zipped(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in files {
        zip.start_file(name.as_str(), stored).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn damaged_xml_and_texts_inside_a_sound_zip_never_panic() {
    let mut rng = Lcg(7);
    for name in PROJECTS {
        let files = unzipped(&fixture(name));
        for (index, (file, data)) in files.iter().enumerate() {
            let step = (data.len() / 400).max(1);
            for end in (0..data.len()).step_by(step) {
                let mut damaged = files.clone();
                damaged[index].1.truncate(end);
                read_or_fail(&zipped(&damaged), &format!("{name}: {file} cut at {end}"));
            }
            for round in 0..300 {
                let mut damaged = files.clone();
                let data = &mut damaged[index].1;
                if data.is_empty() {
                    continue;
                }
                let at = rng.next() as usize % data.len();
                // Digits (positions), quotes and brackets (markup), any byte.
                let choices = [b'0', b'9', b'"', b'<', b'>', b'/', rng.next() as u8];
                data[at] = choices[rng.next() as usize % choices.len()];
                read_or_fail(
                    &zipped(&damaged),
                    &format!("{name}: {file} round {round} byte {at}"),
                );
            }
        }
    }
}
