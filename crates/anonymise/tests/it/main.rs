//! Integration tests of `anonymise`, with planted identifiers. All data is
//! synthetic.

// Test helpers outside #[test] functions may unwrap: a failure is a test failure.
#![allow(clippy::unwrap_used)]

mod common;
mod disclosure;
mod guard;
mod pseudonyms;
mod redaction;
mod tables;
