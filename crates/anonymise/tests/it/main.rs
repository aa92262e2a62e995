//! Integration tests of `anonymise`, with planted identifiers. All data is
//! synthetic.

mod common;
mod disclosure;
mod guard;
mod pseudonyms;
mod redaction;
mod tables;
