//! End-to-end tests of the `crosscase` binary, one test binary for all.

// Test helpers outside #[test] functions may unwrap: a failure is a test failure.
#![allow(clippy::unwrap_used)]

mod e2e;
