//! Raw study files to typed values and raw Arrow tables: [`CsvTable`] (a
//! parsed export whose every [`Cell`] knows its line and column), the
//! register parsers, and [`tidy`], which turns REDCap exports into the raw
//! [`model::StudyTables`].
//!
//! A key design choice: this crate is pure. It takes bytes and a display
//! path and never touches the file system, and it parses CSV itself, in one
//! pass over the bytes, so that every cell keeps its physical position and
//! every record the hash of its raw bytes. That is what lets every
//! diagnostic say `file:line:column` and every figure be traced back to raw
//! `file:line` (the `source_file`, `source_line`, `row_hash` provenance).
//!
//! `tidy` is driven by the data dictionary and the framework (answers from
//! `pm_/imp_/dir_<factor>`, outcomes from the framework's outcome codes,
//! accounts from the dictionary's free-text fields), assumes `validate`
//! passed, and skips what it cannot read instead of panicking.

pub mod check;
pub mod csv;
pub mod registers;
pub mod tidy;

pub use csv::{Cell, CsvTable, Field, Record, read_csv, read_csv_hashed, read_csv_owned, row_hash};
pub use registers::{parse_dictionary, parse_identifiers, parse_sites, parse_withdrawals};
pub use tidy::{Accounts, tidy};

#[cfg(test)]
mod tests;
