//! The committed demo study is exactly what `crosscase demo` writes.

use super::*;

#[test]
fn demo_study_regenerates_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("demo");
    let output = crosscase(&["demo", "--out", out.to_str().unwrap()]);
    assert_ok(&output);
    let generated = tree(&out);
    let committed = tree(&demo_study());
    let names = |t: &[(String, Vec<u8>)]| t.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&generated),
        names(&committed),
        "the demo study's file list changed: run `just demo`"
    );
    for ((name, a), (_, b)) in generated.iter().zip(&committed) {
        assert!(
            a == b,
            "{name} differs from what `crosscase demo` writes: run `just demo` and review"
        );
    }
}

/// A generated study of any size runs end to end; its many incomplete-form
/// warnings are summarised after the first twenty, not all printed.
#[test]
fn a_generated_study_runs_and_its_many_warnings_are_summarised() {
    let tmp = tempfile::tempdir().unwrap();
    let study = tmp.path().join("study");
    let s = study.to_str().unwrap();
    assert_ok(&crosscase(&[
        "demo",
        "--out",
        s,
        "--sites",
        "30",
        "--per-site",
        "8",
    ]));
    assert!(
        !study.join("qualitative").exists(),
        "transcripts only when asked"
    );
    let out = tmp.path().join("out");
    let run = crosscase(&[
        "run",
        root().join("bench/stats.toml").to_str().unwrap(),
        "--study",
        s,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_ok(&run);
    let err = stderr(&run);
    assert_eq!(
        err.lines().filter(|l| l.contains(": warning: ")).count(),
        20,
        "{err}"
    );
    let more: usize = err
        .lines()
        .find_map(|l| {
            l.strip_prefix("... and ")?
                .split_once(" more warning(s); `crosscase validate --study ")?
                .0
                .parse()
                .ok()
        })
        .unwrap_or_else(|| panic!("a summary line: {err}"));
    let validate = crosscase(&["validate", "--study", s]);
    assert_ok(&validate);
    let all = stderr(&validate)
        .lines()
        .filter(|l| l.contains(": warning: "))
        .count();
    assert_eq!(all, 20 + more, "validate lists every warning");
}

/// `--transcripts` adds the coded transcripts to a study of any size.
#[test]
fn transcripts_are_written_when_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let study = tmp.path().join("study");
    let output = crosscase(&[
        "demo",
        "--out",
        study.to_str().unwrap(),
        "--sites",
        "12",
        "--per-site",
        "3",
        "--transcripts",
    ]);
    assert_ok(&output);
    for file in [
        "qualitative/codes.csv",
        "qualitative/nww_waves1-2.qdpx",
        "qualitative/NWW wave 3 South (Priya Ramanathan).qdpx",
        "qualitative/workshops/S01.md",
        "late/qualitative/wave3_south_late.qdpx",
    ] {
        assert!(study.join(file).is_file(), "{file}");
    }
}
