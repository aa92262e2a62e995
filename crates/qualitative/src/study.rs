//! A study's projects, read one at a time and checked across.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use model::{Diagnostic, Positions};

use crate::{CodeThemes, CodedSegment, Linker, Project, Theme, normalise_code_path, read_project};

/// Reads a study's `qualitative/*.qdpx` one project at a time, linking
/// transcripts to interviewees and codes to themes, and remembering only
/// what the checks across projects need (record ids linked, code paths
/// seen, unmapped codes counted), so memory holds one project's text.
///
/// ```text
/// let mut reader = StudyReader::new(positions, record_ids, themes);
/// for (file, bytes) in projects {            // sorted, one at a time
///     if let Some(linked) = reader.read(&bytes, file, &mut diagnostics) {
///         for segment in linked.themed_segments() { ... }
///     }                                      // the project is dropped here
/// }
/// reader.finish(&mut diagnostics);           // any error: exit 1
/// ```
#[derive(Debug, Clone)]
pub struct StudyReader {
    positions: Positions,
    linker: Linker,
    themes: CodeThemes,
    /// Normalised paths of every code of every project read.
    present: HashSet<String>,
    /// Codes without a theme that were applied: normalised path to the path
    /// as first met, the number of coded segments and the projects.
    unmapped: BTreeMap<String, (String, u64, BTreeSet<String>)>,
}

/// A project whose transcripts are linked to record ids and whose codes
/// have their themes.
#[derive(Debug, Clone)]
pub struct LinkedProject {
    pub project: Project,
    /// Index-aligned with `project.transcripts`.
    record_ids: Vec<Option<String>>,
    /// Index-aligned with `project.codebook.codes()`.
    themes: Vec<Option<Theme>>,
}

/// A coded segment of a linked transcript whose code has a theme.
#[derive(Debug, Clone, Copy)]
pub struct ThemedSegment<'a> {
    pub record_id: &'a str,
    /// A factor code, an outcome code or `bme`.
    pub theme: &'a str,
    pub segment: CodedSegment<'a>,
}

impl LinkedProject {
    /// The record id of transcript `index`, `None` when it could not be
    /// linked (an error has said why).
    pub fn record_id(&self, transcript: usize) -> Option<&str> {
        self.record_ids.get(transcript)?.as_deref()
    }
    /// The theme of code `index` (its own or its nearest listed ancestor's).
    pub fn theme(&self, code: usize) -> Option<&Theme> {
        self.themes.get(code)?.as_ref()
    }
    /// The segments that reach the analysis: linked transcripts, codes with
    /// a theme other than `ignore`; each (selection, code) once.
    pub fn themed_segments(&self) -> impl Iterator<Item = ThemedSegment<'_>> {
        (0..self.project.transcripts.len()).flat_map(|i| self.segments_of(i))
    }

    /// [`Self::themed_segments`] of transcript `index` alone (none when it
    /// is not linked).
    pub fn segments_of(&self, index: usize) -> impl Iterator<Item = ThemedSegment<'_>> {
        let project = &self.project;
        let linked = self
            .record_id(index)
            .and_then(|record_id| Some((record_id, project.transcripts.get(index)?)));
        linked.into_iter().flat_map(move |(record_id, transcript)| {
            transcript.selections.iter().flat_map(move |selection| {
                selection.codes.iter().filter_map(move |&code_index| {
                    let theme = self.theme(code_index)?.name()?;
                    Some(ThemedSegment {
                        record_id,
                        theme,
                        segment: CodedSegment {
                            transcript,
                            selection,
                            code_index,
                            code: project.codebook.code(code_index),
                        },
                    })
                })
            })
        })
    }
}

impl StudyReader {
    /// A reader for a study whose interview data has `record_ids`, with
    /// its `codes.csv` read (or [`CodeThemes::none`]).
    pub fn new<I, S>(positions: Positions, record_ids: I, themes: CodeThemes) -> StudyReader
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        StudyReader {
            positions,
            linker: Linker::new(record_ids),
            themes,
            present: HashSet::new(),
            unmapped: BTreeMap::new(),
        }
    }

    /// Reads, links and themes one project (see [`read_project`]); every
    /// problem is pushed onto `diagnostics`.
    pub fn read(
        &mut self,
        bytes: &[u8],
        file: &str,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<LinkedProject> {
        let project = read_project(bytes, file, self.positions, diagnostics)?;
        let record_ids = self.linker.link(&project, diagnostics);
        let themes = self.themes.resolve(&project.codebook);
        for code in project.codebook.codes() {
            self.present.insert(normalise_code_path(&code.path));
        }
        for segment in project.coded_segments() {
            if themes[segment.code_index].is_none() {
                let entry = self
                    .unmapped
                    .entry(normalise_code_path(&segment.code.path))
                    .or_insert_with(|| (segment.code.path.clone(), 0, BTreeSet::new()));
                entry.1 += 1;
                entry.2.insert(file.to_string());
            }
        }
        Some(LinkedProject {
            project,
            record_ids,
            themes,
        })
    }

    /// After the last project: an error for each `codes.csv` code no
    /// project has, and a warning for each applied code without a theme,
    /// with its number of coded segments.
    pub fn finish(self, diagnostics: &mut Vec<Diagnostic>) {
        diagnostics.extend(self.themes.unused(&self.present));
        for (path, segments, files) in self.unmapped.into_values() {
            let files: Vec<String> = files.into_iter().map(|f| format!("`{f}`")).collect();
            diagnostics.push(Diagnostic::warning(
                self.themes.path(),
                0,
                0,
                format!(
                    "code `{path}` (in {}) has no theme: neither it nor a code above it is listed here, so its {segments} coded segment{} left out",
                    files.join(", "),
                    if segments == 1 { " is" } else { "s are" }
                ),
            ));
        }
    }

    /// The linker, to ask which record ids have a transcript.
    pub fn linker(&self) -> &Linker {
        &self.linker
    }
}
