//! The study's vocabulary: sites, stakeholder groups, factors, scales, the
//! study settings, diagnostics and the Arrow schemas of every de-identified
//! table that flows between stages.
//!
//! A key design choice: every crate speaks in these types, and the Arrow
//! schemas here are the only contract between stages. An analysis crate
//! takes a `RecordBatch` with one of the schemas in [`schema`] and returns a
//! `RecordBatch` of its own; it never reads files. Nothing in this crate
//! touches the file system either: loaders take `&str` and a display path.

pub mod column;
pub mod diagnostic;
pub mod dictionary;
pub mod figure;
pub mod framework;
pub mod labels;
pub mod schema;
pub mod study;
pub mod tables;
pub mod vocab;

pub use diagnostic::{Diagnostic, Severity};
pub use dictionary::{Choice, Dictionary, Field, FieldType, Validation};
pub use figure::FigureId;
pub use framework::{Domain, Factor, Framework, GroupName, Outcome};
pub use labels::{Characteristic, Checkbox, CheckboxChoice, Labels};
pub use study::{
    Disclosure, IdentifierEntry, KeySource, License, Positions, Publication, PublicationDate,
    QualitativeSection, Site, StudyConfig, Withdrawal, WithdrawalScope,
};
pub use tables::{Identities, Identity, StudyTables};
pub use vocab::{
    Direction, DocStatus, Group, MISSING_DECLINED, MISSING_NOT_ASKED, OutcomeAnswer, PatternAnswer,
    Scale, Sector,
};

/// The crosscase version, part of every cache key and provenance record.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The published key of the shipped demo study. Accepted only where
/// `study.toml` says `demo = true`; a real study must bring its own key.
pub const DEMO_KEY: &[u8] = b"crosscase published demo key: not a secret, synthetic data only";
