//! Which interviewee each transcript belongs to (data-schema/LAYOUT.md,
//! "Linking a transcript to its interviewee").

use std::collections::{BTreeMap, HashMap};

use model::Diagnostic;

use crate::{Guid, Project};

/// Links transcripts to the record ids of the interview data, across all
/// of a study's projects: one interviewee, one transcript.
#[derive(Debug, Clone, Default)]
pub struct Linker {
    /// Known record ids by their upper-case spelling, to the spelling of
    /// the interview data.
    known: HashMap<String, String>,
    /// Record id to the transcript already linked to it.
    linked: BTreeMap<String, LinkedFrom>,
}

#[derive(Debug, Clone)]
struct LinkedFrom {
    file: String,
    source: String,
    guid: Guid,
    line: u32,
}

/// How a transcript found its record id, for the messages.
enum Via {
    Case { name: String, line: u32 },
    Name,
}

impl Linker {
    /// A linker for the record ids of the interview data.
    pub fn new<I, S>(record_ids: I) -> Linker
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let known = record_ids
            .into_iter()
            .map(|r| (r.as_ref().to_uppercase(), r.as_ref().to_string()))
            .collect();
        Linker {
            known,
            linked: BTreeMap::new(),
        }
    }

    /// The record id of each of the project's transcripts (index-aligned
    /// with `project.transcripts`), by the first of: a case named by a record
    /// id that refers to the source; the source's name beginning with a
    /// record id. `None`, with an error, for a transcript linked to nothing,
    /// to a record id the interview data lacks, to two record ids by two
    /// cases, or to a record id already linked to another transcript (in
    /// this project or an earlier one).
    pub fn link(
        &mut self,
        project: &Project,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Vec<Option<String>> {
        // Source guid to the record-id cases that refer to it.
        let mut cases_of: HashMap<&Guid, BTreeMap<String, (String, u32)>> = HashMap::new();
        for case in &project.cases {
            let Some(id) = whole_record_id(&case.name) else {
                continue;
            };
            for source in &case.sources {
                cases_of
                    .entry(source)
                    .or_default()
                    .entry(id.to_uppercase())
                    .or_insert((case.name.clone(), case.line));
            }
        }
        let file = &project.file;
        let mut out = Vec::with_capacity(project.transcripts.len());
        for t in &project.transcripts {
            let err = |message: String| Diagnostic::error(file, t.line, t.column, message);
            let described = t.describe();
            let from_cases = cases_of.get(&t.guid);
            if let Some(ids) = from_cases
                && ids.len() > 1
            {
                let listed: Vec<String> = ids.values().map(|(n, _)| format!("`{n}`")).collect();
                diagnostics.push(err(format!(
                    "{described}: expected one case named by a record id to refer to it, found {}: {}",
                    ids.len(),
                    listed.join(", ")
                )));
                out.push(None);
                continue;
            }
            let found = match from_cases.and_then(|ids| ids.iter().next()) {
                Some((id, (name, line))) => Some((
                    id.clone(),
                    Via::Case {
                        name: name.clone(),
                        line: *line,
                    },
                )),
                None => record_id_prefix(&t.name).map(|p| (p.to_uppercase(), Via::Name)),
            };
            let Some((id, via)) = found else {
                diagnostics.push(err(format!(
                    "{described}: expected a case named by the interviewee's record id that refers to it, or a name that begins with the record id (`S03-07 transcript`), found neither"
                )));
                out.push(None);
                continue;
            };
            let how = match &via {
                Via::Case { name, line } => format!("by the case `{name}` (line {line})"),
                Via::Name => "by its name".to_string(),
            };
            let Some(record_id) = self.known.get(&id).cloned() else {
                diagnostics.push(err(format!(
                    "{described}: linked {how} to the record id `{id}`, expected a record id of the interview data, found none such"
                )));
                out.push(None);
                continue;
            };
            if let Some(first) = self.linked.get(&record_id) {
                let place = if first.file == *file {
                    format!("line {} of this project", first.line)
                } else {
                    format!("`{}`", first.file)
                };
                diagnostics.push(err(format!(
                    "{described}: linked {how} to `{record_id}`, expected one transcript per interviewee, found `{record_id}` already linked to source `{}` (guid {}) in {place}",
                    first.source, first.guid
                )));
                out.push(None);
                continue;
            }
            self.linked.insert(
                record_id.clone(),
                LinkedFrom {
                    file: file.clone(),
                    source: t.name.clone(),
                    guid: t.guid.clone(),
                    line: t.line,
                },
            );
            out.push(Some(record_id));
        }
        out
    }

    /// The record ids linked so far, each with the file of its transcript.
    pub fn linked(&self) -> impl Iterator<Item = (&str, &str)> {
        self.linked
            .iter()
            .map(|(id, from)| (id.as_str(), from.file.as_str()))
    }
}

/// The record id a name begins with (`S03-07`, `S03-07 transcript.docx`,
/// `s03-07_final`): `S`, digits, `-`, digits, then the end or a character
/// that is not a letter or digit. `Interview S03-07` begins with none.
pub fn record_id_prefix(name: &str) -> Option<&str> {
    let name = name.trim_start();
    let b = name.as_bytes();
    if !matches!(b.first(), Some(b'S' | b's')) {
        return None;
    }
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let site = digits(1);
    if site == 0 || b.get(1 + site) != Some(&b'-') {
        return None;
    }
    let number = digits(2 + site);
    if number == 0 {
        return None;
    }
    let end = 2 + site + number;
    match name[end..].chars().next() {
        Some(c) if c.is_alphanumeric() => None,
        _ => Some(&name[..end]),
    }
}

/// A case name that is a record id and nothing else (surrounding spaces
/// aside).
fn whole_record_id(name: &str) -> Option<&str> {
    let name = name.trim();
    record_id_prefix(name).filter(|id| id.len() == name.len())
}
