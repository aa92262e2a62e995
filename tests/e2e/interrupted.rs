//! A run killed mid-stage or mid-publish leaves the last good outputs (or,
//! once publishing has begun, completes them on the next run), and the next
//! run gives the same bytes as a run from nothing.

use std::process::Command;

use super::*;

/// Start a synthesis that stops at `point`, wait until it is there, kill it.
fn kill_at(study: &Path, out: &Path, point: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_crosscase"))
        .args([
            "run",
            synthesis_pipeline().to_str().unwrap(),
            "--study",
            study.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .env("CROSSCASE_FAILPOINT", point)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    // Read progress until the failpoint says it is waiting.
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    use std::io::Read;
    while !seen.contains(&format!("failpoint {point}: waiting")) {
        let n = stderr.read(&mut buf).unwrap();
        assert!(n > 0, "the run ended before reaching {point}:\n{seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
}

use std::path::Path;

#[test]
fn a_run_killed_mid_stage_leaves_the_last_good_outputs_and_the_next_run_completes() {
    let (tmp, study) = demo_copy();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&study, &out, &[]));
    let good = tree(&out);
    // New data arrives; the run is killed after the ratings have been staged.
    add_late_site(&study);
    kill_at(&study, &out, "stage:ratings_summary");
    assert!(
        tree(&out) == good,
        "a killed run must not change the published outputs"
    );
    assert_ok(&synthesis(&study, &out, &[]));
    let fresh = tmp.path().join("fresh");
    assert_ok(&synthesis(&study, &fresh, &[]));
    assert_eq!(tree(&out), tree(&fresh));
}

#[test]
fn a_run_killed_while_publishing_is_completed_by_the_next_run() {
    let (tmp, study) = demo_copy();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&study, &out, &[]));
    add_late_site(&study);
    kill_at(&study, &out, "publish:5");
    // Half published: the next run rolls forward, then finds nothing to do
    // or redoes what it must; either way the result is a run from nothing's.
    let next = synthesis(&study, &out, &[]);
    assert_ok(&next);
    let fresh = tmp.path().join("fresh");
    assert_ok(&synthesis(&study, &fresh, &[]));
    assert_eq!(tree(&out), tree(&fresh));
    // And the cache is usable: one more run has nothing to do.
    let again = synthesis(&study, &out, &[]);
    assert!(
        stderr(&again).contains("nothing changed"),
        "{}",
        stderr(&again)
    );
}
