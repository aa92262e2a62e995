//! Coded interview transcripts from REFI-QDA project exports (`.qdpx`, as
//! NVivo, ATLAS.ti, MAXQDA and QualCoder write them).
//!
//! The main type is [`Project`]: one export's codebook (each [`Code`] with
//! its path from the top, `Framework / Supervision / Team support`), its
//! [`Case`]s, and its text sources as [`Transcript`]s, whose
//! [`Selection`]s carry the codes applied to them. A coded segment
//! ([`CodedSegment`]) is one (selection, code) pair. [`StudyReader`] reads a
//! study's projects one at a time, links every transcript to its
//! interviewee's record id ([`Linker`]), gives every code its theme from
//! `codes.csv` ([`CodeThemes`]) and checks across projects (a record id
//! linked twice, a listed code no project has). [`Turns`] finds the speaker
//! turns of a transcript so that a later stage can replace their labels.
//!
//! A key design choice: selection positions are converted once, at
//! reading, from the project's units (UTF-16 code units for NVivo, code
//! points for the standard) to byte offsets of the transcript text as
//! stored without its byte order mark. Every later stage (redaction,
//! quoting, speaker labels) then slices UTF-8 text and never counts code
//! units again, and a position that is outside the text or splits a
//! character is an error here, naming the file, the source and the
//! selection's guid.
//!
//! The crate is pure: bytes and a display path in, typed values and
//! [`model::Diagnostic`]s out; no file system, no printing. Memory is
//! bounded by one project's text: the caller hands the projects over one at
//! a time and may drop each before reading the next. Diagnostics name
//! sources by name and guid and never quote transcript text.

mod archive;
mod link;
mod positions;
mod project;
mod read;
mod speakers;
mod study;
mod themes;

pub use link::{Linker, record_id_prefix};
pub use model::Positions;
pub use positions::PositionUnit;
pub use project::{Case, Code, Codebook, CodedSegment, Guid, Project, Selection, Transcript};
pub use read::{MAX_ENTRY_BYTES, read_project};
pub use speakers::{
    INTERVIEWER_LABELS, MAX_LABEL_CHARS, MAX_LABEL_WORDS, Speaker, Turn, Turns, speaker_label,
};
pub use study::{LinkedProject, StudyReader, ThemedSegment};
pub use themes::{BME_THEME, CODES_COLUMNS, CodeThemes, IGNORE_THEME, Theme, normalise_code_path};

#[cfg(test)]
mod tests;
