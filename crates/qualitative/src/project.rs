//! What a REFI-QDA project holds, in the study's words.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use crate::PositionUnit;

/// A REFI-QDA identifier, normalised: trimmed, without braces, lower case
/// (ATLAS.ti writes `{9F1C...}`, NVivo `9f1c...`; both name the same thing).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Guid(String);

impl Guid {
    pub fn new(raw: &str) -> Guid {
        let t = raw.trim();
        let t = t.strip_prefix('{').unwrap_or(t);
        let t = t.strip_suffix('}').unwrap_or(t);
        Guid(t.trim().to_lowercase())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A code of the codebook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    pub guid: Guid,
    pub name: String,
    /// The names from the top of the codebook down to this code, joined
    /// with ` / ` (`Framework / Supervision / Team support`).
    pub path: String,
    /// Index of the parent code in [`Codebook::codes`].
    pub parent: Option<usize>,
    /// `isCodable` (true when the attribute is missing). Informative only:
    /// a coding of a code marked not codable is still read.
    pub codable: bool,
    /// Line and column of the `<Code>` element in the `.qde`.
    pub line: u32,
    pub column: u32,
}

/// The project's codes, in document order (a parent before its children).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Codebook {
    codes: Vec<Code>,
    by_guid: HashMap<Guid, usize>,
}

impl Codebook {
    pub fn codes(&self) -> &[Code] {
        &self.codes
    }
    /// The index of the code with this guid.
    pub fn index(&self, guid: &Guid) -> Option<usize> {
        self.by_guid.get(guid).copied()
    }
    pub fn code(&self, index: usize) -> &Code {
        &self.codes[index]
    }
    /// The code and its ancestors' indices, nearest first.
    pub fn lineage(&self, index: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(Some(index), |&i| self.codes[i].parent)
    }
    /// Adds a code; `false` (and nothing added) when its guid is taken.
    pub(crate) fn push(&mut self, code: Code) -> bool {
        if self.by_guid.contains_key(&code.guid) {
            return false;
        }
        self.by_guid.insert(code.guid.clone(), self.codes.len());
        self.codes.push(code);
        true
    }
}

/// A case (`<Case>`): NVivo names one after each interviewee and lists the
/// sources that belong to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub guid: Guid,
    pub name: String,
    /// The sources it refers to (`<SourceRef targetGUID>`).
    pub sources: Vec<Guid>,
    pub line: u32,
    pub column: u32,
}

/// A stretch of a transcript and the codes applied to it
/// (`<PlainTextSelection>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    pub guid: Guid,
    /// `startPosition` and `endPosition` as the project wrote them, in the
    /// project's [`PositionUnit`] (end exclusive).
    pub start: u64,
    pub end: u64,
    /// The same stretch as byte offsets of [`Transcript::text`].
    pub bytes: Range<usize>,
    /// Indices in the [`Codebook`] of the codes applied, each once, in the
    /// order of the project's codings.
    pub codes: Vec<usize>,
    pub line: u32,
    pub column: u32,
}

/// A text source (`<TextSource>`): one interview's transcript.
///
/// `text` is identifying (names said aloud, speaker labels): it never leaves
/// memory unredacted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transcript {
    pub guid: Guid,
    pub name: String,
    /// The plain text as stored, without its byte order mark (line endings
    /// kept as they are, CRLF included).
    pub text: String,
    /// Selections in document order; those with a position error are left out.
    pub selections: Vec<Selection>,
    /// Line and column of the `<TextSource>` element in the `.qde`.
    pub line: u32,
    pub column: u32,
}

impl Transcript {
    /// `source `name` (guid …)`, the way every message names a source.
    pub fn describe(&self) -> String {
        describe_source(&self.name, &self.guid)
    }
}

pub(crate) fn describe_source(name: &str, guid: &Guid) -> String {
    format!("source `{name}` (guid {guid})")
}

/// One coding of one selection: the unit that is counted and quoted.
#[derive(Debug, Clone, Copy)]
pub struct CodedSegment<'a> {
    pub transcript: &'a Transcript,
    pub selection: &'a Selection,
    /// Index of the code in the project's [`Codebook`].
    pub code_index: usize,
    pub code: &'a Code,
}

impl<'a> CodedSegment<'a> {
    /// The coded text (identifying until redacted).
    pub fn text(&self) -> &'a str {
        &self.transcript.text[self.selection.bytes.clone()]
    }
}

/// One REFI-QDA project export, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// The display path given to [`crate::read_project`] (relative to the
    /// study folder). Local diagnostics only: published provenance names a
    /// project by its `sha256`, since file names often hold a person's name.
    pub file: String,
    /// Lower-case hex SHA-256 of the `.qdpx` bytes.
    pub sha256: String,
    /// The `.qde` file's name inside the archive.
    pub qde: String,
    /// The `<Project>`'s `name` and `origin` attributes (empty when missing).
    pub name: String,
    pub origin: String,
    /// How this project's positions were counted.
    pub positions: PositionUnit,
    pub codebook: Codebook,
    pub cases: Vec<Case>,
    /// The readable text sources; skipped sources are not here.
    pub transcripts: Vec<Transcript>,
}

impl Project {
    /// Every coded segment: each selection once per code applied to it.
    pub fn coded_segments(&self) -> impl Iterator<Item = CodedSegment<'_>> {
        self.transcripts.iter().flat_map(move |transcript| {
            transcript.selections.iter().flat_map(move |selection| {
                selection.codes.iter().map(move |&code_index| CodedSegment {
                    transcript,
                    selection,
                    code_index,
                    code: self.codebook.code(code_index),
                })
            })
        })
    }
}
