//! Published files edited or removed by hand after a run are noticed by
//! the next run, named, and restored by running again the stages that
//! write them; a file only touched (new time, same bytes) runs nothing.
//! A rerun with nothing changed reads no published file.

use std::path::Path;
use std::time::{Duration, SystemTime};

use super::*;

/// Give every published file the same old modification time, so that no
/// file's time can be within the clock's granularity of a recording.
fn age_outputs(out: &Path, ago: Duration) {
    let when = SystemTime::now() - ago;
    for (rel, _) in tree(out) {
        set_modified(&out.join(rel), when);
    }
}

fn set_modified(path: &Path, when: SystemTime) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(when)
        .unwrap();
}

/// How many published files the run said it read to tell they were unchanged.
fn read_to_tell(err: &str) -> usize {
    let (_, rest) = err
        .split_once("published files are as outputs.lock says, ")
        .unwrap_or_else(|| panic!("not a run with nothing changed:\n{err}"));
    rest.split(' ').next().unwrap().parse().unwrap()
}

fn edited_outputs_are_noticed_and_restored(study: &Path) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let run = || {
        let output = synthesis(study, &out, &[]);
        assert_ok(&output);
        stderr(&output)
    };
    run();
    let original = tree(&out);
    let stages = stage_count();

    // Nothing changed: no stage runs and, once the recorded times are
    // settled, no published file is even read.
    age_outputs(&out, Duration::from_secs(3600));
    let err = run();
    assert!(
        err.contains(&format!(
            "nothing changed: all {stages} stages are up to date"
        )),
        "{err}"
    );
    assert_eq!(
        read_to_tell(&err),
        original.len() - 1,
        "every time differs: {err}"
    );
    let err = run();
    assert_eq!(
        read_to_tell(&err),
        0,
        "size and time vouch for every file: {err}"
    );

    // A value edited by hand in a published table.
    let table = out.join("tables/ratings_summary.csv");
    let text = std::fs::read_to_string(&table).unwrap();
    let line = text.lines().nth(1).unwrap();
    let (head, tail) = line.split_once(',').unwrap();
    std::fs::write(
        &table,
        text.replacen(line, &format!("{head},edited{tail}"), 1),
    )
    .unwrap();
    let said = status_of(study, &out);
    assert!(
        said.contains("stale: ratings_summary: its output tables/ratings_summary.csv was edited since it was published"),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "Edited since it was published: {}/tables/ratings_summary.csv",
            out.display()
        )),
        "{said}"
    );
    let err = run();
    assert!(
        err.contains("tables/ratings_summary.csv was edited since it was published; stage ratings_summary runs again to restore it"),
        "{err}"
    );
    assert!(
        err.contains("ratings_summary    ratings.summary            done in"),
        "{err}"
    );
    assert!(
        err.contains("top3_frequency     ratings.top3               unchanged, skipped"),
        "only the stage that writes it: {err}"
    );
    assert!(
        tree(&out) == original,
        "the published folder is again a run from nothing's"
    );

    // A report page deleted.
    std::fs::remove_file(out.join("report/synthesis.html")).unwrap();
    let err = run();
    assert!(
        err.contains("report/synthesis.html was removed since it was published; stage report_html runs again to restore it"),
        "{err}"
    );
    assert!(tree(&out) == original, "the page is back, byte for byte");

    // A file touched: a new time, the same bytes. Nothing runs; the file is
    // read once, and its new time recorded.
    age_outputs(&out, Duration::from_secs(3600));
    run();
    set_modified(
        &out.join("tables/qca.csv"),
        SystemTime::now() - Duration::from_secs(1800),
    );
    let err = run();
    assert!(err.contains("nothing changed"), "{err}");
    assert!(!err.contains("done in"), "no stage runs: {err}");
    assert_eq!(
        read_to_tell(&err),
        1,
        "only the touched file is read: {err}"
    );
    let err = run();
    assert_eq!(read_to_tell(&err), 0, "its new time was recorded: {err}");
    assert!(tree(&out) == original);
}

#[test]
fn edited_outputs_are_noticed_and_restored_on_the_demo() {
    edited_outputs_are_noticed_and_restored(&demo_study());
}

#[test]
fn edited_outputs_are_noticed_and_restored_on_a_study_we_did_not_write() {
    edited_outputs_are_noticed_and_restored(&other_study());
}
