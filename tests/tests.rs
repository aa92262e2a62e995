//! End-to-end tests of the `crosscase` binary, one test binary for all.

mod e2e;
