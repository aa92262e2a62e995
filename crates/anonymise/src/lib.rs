//! anonymise: the line after which nothing identifies a participant.
//!
//! Main types: [`Key`] and [`pseudonym`] (keyed HMAC-SHA256 pseudonyms,
//! `P-` + six Crockford base32 characters, [`Pseudonyms`] for a whole study
//! with collision handling), [`Redactor`] (gazetteer + detectors for free
//! text, returning [`Redacted`] with [`Hit`]s), [`anonymise`] (raw
//! [`model::StudyTables`] to clean ones, with withdrawals applied and a
//! [`LogEntry`] log of positions, never text), [`RedactedTranscript`] (a
//! transcript redacted whole, its speaker labels replaced, and its coded
//! selections mapped onto the result, never cutting a name in two), [`demographics`]
//! (disclosure control with primary and secondary suppression; a quote's
//! label is `patterns::quote_label`), and [`LeakGuard`] (the last scan of every output).
//!
//! A key design choice: **fail closed**. Anything unexpected (a site code
//! missing from the register, a record with no participants row, a
//! withdrawal naming an unknown record, an unknown demographic code, a
//! schema that differs from [`model::schema`]) is an error, never passed
//! through; overlapping detections are merged so no fragment survives; names
//! match in any Unicode form, case- and accent-insensitively (`JOSÉ`,
//! `Jose`, `José` decomposed and full-width `ＪＯＳＥ` are the same person;
//! `fold.rs`), short ones where they read as names
//! (`names.rs`). A leaked name is a real harm; a refused run is not.
//!
//! The crate is pure: no file system, no environment, no clock. The key
//! arrives as bytes, tables as Arrow batches; `Debug` never prints key
//! material, names or the pseudonym table.

mod detect;
mod disclosure;
mod error;
mod fold;
mod guard;
mod key;
mod names;
mod redact;
mod tables;
mod transcript;

pub use detect::nhs_number_is_valid;
pub use disclosure::{demographics, demographics_schema};
pub use error::AnonymiseError;
pub use guard::{Leak, LeakGuard};
pub use key::{
    EXTENDED_LEN, Key, PSEUDONYM_LEN, Pseudonyms, key_fingerprint, normalise_record_id, pseudonym,
};
pub use redact::{
    GazetteerScan, Hit, Kind, Redacted, RedactionKinds, Redactor, gazetteer_fingerprints,
};
pub use tables::{Anonymised, Anonymiser, LogEntry, SiteRows, anonymise};
pub use transcript::RedactedTranscript;
