//! The one error type of the crate. Messages name tables, rows, columns and
//! raw codes so a researcher can find the problem; they never quote free
//! text, names or key material.

use arrow_schema::ArrowError;

#[derive(Debug, thiserror::Error)]
pub enum AnonymiseError {
    #[error("pseudonymisation key too short: {len} bytes, expected at least {min}")]
    KeyTooShort { len: usize, min: usize },
    #[error("table `{table}`: schema differs from the model ({detail})")]
    Schema { table: &'static str, detail: String },
    #[error("table `{table}` row {row}: site code `{site}` is not in the site register")]
    UnknownSite {
        table: &'static str,
        row: usize,
        site: String,
    },
    #[error("table `{table}` row {row}: {detail}")]
    Row {
        table: &'static str,
        row: usize,
        detail: String,
    },
    #[error("site register: {0}")]
    Register(String),
    #[error("withdrawals: record `{0}` is not a participant of this study")]
    UnknownWithdrawal(String),
    #[error("record ids `{0}` and `{1}` are the same after normalisation (trim, uppercase)")]
    DuplicateRecord(String, String),
    #[error("pseudonym collision between record ids could not be resolved")]
    Collision,
    #[error("could not build the identifier matcher: {0}")]
    Matcher(String),
    #[error("table `{0}` holds free text to redact, and no redactor was given")]
    NoRedactor(&'static str),
    #[error(transparent)]
    Arrow(#[from] ArrowError),
}
