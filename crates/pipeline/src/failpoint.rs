//! Failpoints for the tests that kill a run: `CROSSCASE_FAILPOINT=NAME`
//! makes the run stop and wait at the named point (`stage:<id>` after a
//! stage has run, `publish:<n>` after the n-th file is moved into place), so
//! a test can kill the process there with SIGKILL. Unset, they cost one
//! environment lookup per point.

/// Pause here (for a test to kill the process) if `CROSSCASE_FAILPOINT` names this point.
pub fn hit(point: &str) {
    if std::env::var("CROSSCASE_FAILPOINT").is_ok_and(|p| p == point) {
        // The test waits for this line on stderr before it kills the run.
        #[allow(clippy::print_stderr)]
        {
            eprintln!("failpoint {point}: waiting to be killed");
        }
        std::thread::sleep(std::time::Duration::from_secs(600));
    }
}
