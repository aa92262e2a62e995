//! The transcripts as REFI-QDA project exports (`.qdpx`), written the way
//! two tools write them, and `codes.csv`, which maps both codebooks to the
//! framework's themes.
//!
//! - NVivo: `project.qde` and `Sources/`, a byte order mark and CRLF line
//!   endings (XML and texts), positions in UTF-16 code units, lower-case
//!   GUIDs, sources named `Interview 001` and linked to their interviewee
//!   by a case named by the record id, a nested codebook
//!   (`Framework / <domain> / <factor> / <sub-code>`).
//! - ATLAS.ti: `<Project name>.qde` and `sources/`, no byte order mark, LF,
//!   positions in code points, upper-case braced GUIDs, sources named by
//!   the record id and no cases, a flat codebook (`FW - <factor>`).
//!
//! Entries are stored uncompressed, in a fixed order, with fixed
//! timestamps: the bytes depend on no compressor's version, and the same
//! spec gives the same archive on any machine.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::ops::Range;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, System, ZipWriter};

use crate::Context;
use crate::csvout;
use crate::rng::Rng;
use crate::transcripts::{BME_ASPECTS, CodeKey, Tool, Transcript};

/// A code of a project's codebook.
#[derive(Debug, Clone)]
struct Node {
    name: String,
    parent: Option<usize>,
    /// What a coding with this code means (several keys share a code in a
    /// coarser codebook).
    keys: Vec<CodeKey>,
    /// Its theme in `codes.csv` (listed codes only).
    theme: Option<String>,
    codable: bool,
}

/// One tool's codebook, parents before children.
#[derive(Debug, Clone)]
pub(crate) struct Codebook {
    nodes: Vec<Node>,
}

impl Codebook {
    fn push(
        &mut self,
        name: &str,
        parent: Option<usize>,
        keys: &[CodeKey],
        theme: Option<&str>,
    ) -> usize {
        self.nodes.push(Node {
            name: name.to_string(),
            parent,
            keys: keys.to_vec(),
            theme: theme.map(str::to_string),
            codable: true,
        });
        self.nodes.len() - 1
    }

    pub(crate) fn of(ctx: &Context, tool: Tool) -> Codebook {
        let mut book = Codebook { nodes: Vec::new() };
        match tool {
            Tool::NVivo => {
                let framework = book.push("Framework", None, &[], None);
                book.nodes[framework].codable = false;
                for domain in &ctx.domains {
                    let d = book.push(&domain.label, Some(framework), &[], None);
                    for (f, factor) in ctx.factors.iter().enumerate() {
                        if factor.domain != domain.code {
                            continue;
                        }
                        let node = book.push(
                            &factor.label,
                            Some(d),
                            &[CodeKey::Factor(f)],
                            Some(&factor.code),
                        );
                        if f == ctx.supervision {
                            book.push(
                                "Cancelled or missing",
                                Some(node),
                                &[CodeKey::SupervisionMissing],
                                None,
                            );
                        }
                    }
                }
                let outcomes = book.push("Outcomes", None, &[], None);
                book.nodes[outcomes].codable = false;
                for (o, label) in ctx.outcome_labels.iter().enumerate() {
                    book.push(
                        label,
                        Some(outcomes),
                        &[CodeKey::Outcome(o)],
                        Some(&ctx.outcomes[o]),
                    );
                }
                let bme = book.push("BME experiences", None, &[], Some("bme"));
                for (a, aspect) in BME_ASPECTS.iter().enumerate() {
                    book.push(aspect, Some(bme), &[CodeKey::Bme(a)], None);
                }
                let emerging = book.push("Emerging", None, &[], Some("ignore"));
                book.push("Funding worries", Some(emerging), &[CodeKey::Funding], None);
                book.push("Anecdotes", None, &[CodeKey::Anecdote], None);
            }
            Tool::Atlas => {
                for (f, factor) in ctx.factors.iter().enumerate() {
                    let node = book.push(
                        &format!("FW - {}", factor.label),
                        None,
                        &[CodeKey::Factor(f)],
                        Some(&factor.code),
                    );
                    if f == ctx.supervision {
                        book.push(
                            "cancelled",
                            Some(node),
                            &[CodeKey::SupervisionMissing],
                            None,
                        );
                    }
                }
                for (o, label) in ctx.outcome_labels.iter().enumerate() {
                    book.push(
                        &format!("OUT - {label}"),
                        None,
                        &[CodeKey::Outcome(o)],
                        Some(&ctx.outcomes[o]),
                    );
                }
                let bme = book.push(
                    "BME - culturally specific experiences",
                    None,
                    &[CodeKey::Bme(1), CodeKey::Bme(2)],
                    Some("bme"),
                );
                book.push("language", Some(bme), &[CodeKey::Bme(0)], None);
                book.push("ADMIN - funding", None, &[CodeKey::Funding], Some("ignore"));
                book.push("Stories", None, &[CodeKey::Anecdote], None);
            }
        }
        book
    }

    /// The code's path from the top, names joined with ` / `.
    pub(crate) fn path(&self, index: usize) -> String {
        let mut names = vec![self.nodes[index].name.as_str()];
        let mut at = self.nodes[index].parent;
        while let Some(parent) = at {
            names.push(&self.nodes[parent].name);
            at = self.nodes[parent].parent;
        }
        names.reverse();
        names.join(" / ")
    }

    pub(crate) fn node_of(&self, key: CodeKey) -> Option<usize> {
        self.nodes.iter().position(|n| n.keys.contains(&key))
    }

    /// The `codes.csv` rows of this codebook: listed codes and their themes.
    fn listed(&self) -> impl Iterator<Item = (String, &str)> + '_ {
        self.nodes
            .iter()
            .enumerate()
            .filter_map(|(i, n)| Some((self.path(i), n.theme.as_deref()?)))
    }

    fn children(&self, parent: Option<usize>) -> impl Iterator<Item = usize> + '_ {
        (0..self.nodes.len()).filter(move |&i| self.nodes[i].parent == parent)
    }
}

/// The theme a coding with `key` counts under (what `codes.csv` says, the
/// same in both codebooks); `None` for `ignore` and for the unmapped code.
pub(crate) fn theme(ctx: &Context, key: CodeKey) -> Option<&str> {
    match key {
        CodeKey::Factor(f) => Some(&ctx.factors[f].code),
        CodeKey::SupervisionMissing => Some(&ctx.factors[ctx.supervision].code),
        CodeKey::Outcome(o) => Some(&ctx.outcomes[o]),
        CodeKey::Bme(_) => Some("bme"),
        CodeKey::Anecdote | CodeKey::Funding => None,
    }
}

/// `codes.csv` for the codebooks of `tools`: typed by a person, so one
/// path is in lower case and one has spaces around it (matching ignores
/// both).
pub(crate) fn codes_csv(ctx: &Context, tools: &[Tool]) -> Vec<u8> {
    let mut out = b"code,theme\n".to_vec();
    for &tool in tools {
        for (path, theme) in Codebook::of(ctx, tool).listed() {
            let typed = match (tool, theme) {
                (Tool::NVivo, "pw_training") => path.to_lowercase(),
                (Tool::Atlas, "staff_accept") => format!(" {path} "),
                _ => path,
            };
            csvout::field(&mut out, &typed, "\n");
            out.push(b',');
            csvout::field(&mut out, theme, "\n");
            out.push(b'\n');
        }
    }
    out
}

/// A GUID from the project's stream: version 4 layout, written as `tool` does.
fn guid(seed: u64, project: u64, kind: u64, n: u64, tool: Tool) -> String {
    let mut rng = Rng::new(seed, &[11, project, kind, n]);
    let a = (rng.next_u64() & !0xf000) | 0x4000;
    let b = (rng.next_u64() & !(0b11 << 62)) | (0b10 << 62);
    let plain = format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    );
    match tool {
        Tool::NVivo => plain,
        Tool::Atlas => format!("{{{}}}", plain.to_uppercase()),
    }
}

const GUID_USER: u64 = 0;
const GUID_CODE: u64 = 1;
const GUID_CASE: u64 = 2;
const GUID_SOURCE: u64 = 3;
const GUID_SELECTION: u64 = 4;
const GUID_CODING: u64 = 5;

/// Start and end of each range as the tool counts positions: UTF-16 code
/// units (NVivo) or code points (the standard, ATLAS.ti), from the start of
/// the text without its byte order mark, end exclusive. One pass.
fn positions(text: &str, ranges: &[Range<usize>], tool: Tool) -> Vec<(u64, u64)> {
    let mut offsets: Vec<usize> = ranges.iter().flat_map(|r| [r.start, r.end]).collect();
    offsets.sort_unstable();
    offsets.dedup();
    let mut units = BTreeMap::new();
    let mut count = 0u64;
    let mut next = offsets.iter().peekable();
    for (at, c) in text.char_indices().chain([(text.len(), '\0')]) {
        while let Some(&&offset) = next.peek() {
            if offset > at {
                break;
            }
            units.insert(offset, count);
            next.next();
        }
        count += match tool {
            Tool::NVivo => c.len_utf16() as u64,
            Tool::Atlas => 1,
        };
    }
    ranges
        .iter()
        .map(|r| (units[&r.start], units[&r.end]))
        .collect()
}

fn escape(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
}

/// An element's start tag with its attributes (`close`: self-closing).
fn tag(
    out: &mut String,
    indent: usize,
    name: &str,
    attributes: &[(&str, &str)],
    close: bool,
    eol: &str,
) {
    for _ in 0..indent {
        out.push_str("  ");
    }
    out.push('<');
    out.push_str(name);
    for (key, value) in attributes {
        out.push(' ');
        out.push_str(key);
        out.push_str("=\"");
        escape(out, value);
        out.push('"');
    }
    out.push_str(if close { "/>" } else { ">" });
    out.push_str(eol);
}

fn end_tag(out: &mut String, indent: usize, name: &str, eol: &str) {
    for _ in 0..indent {
        out.push_str("  ");
    }
    out.push_str("</");
    out.push_str(name);
    out.push('>');
    out.push_str(eol);
}

fn timestamp((y, m, d): (u32, u32, u32), hour: u32) -> String {
    format!("{y:04}-{m:02}-{d:02}T{hour:02}:00:00Z")
}

/// What a project export holds besides its transcripts.
pub(crate) struct ProjectSpec<'a> {
    pub tool: Tool,
    /// The project's name (ATLAS.ti names its `.qde` after it).
    pub name: &'a str,
    /// Keys the project's GUID stream: no two projects share GUIDs.
    pub key: u64,
}

/// The `.qdpx` archive of `transcripts`.
pub(crate) fn project(
    ctx: &Context,
    spec: &ProjectSpec<'_>,
    transcripts: &[Transcript],
) -> Vec<u8> {
    let tool = spec.tool;
    let seed = ctx.seed;
    let id = |kind: u64, n: usize| guid(seed, spec.key, kind, n as u64, tool);
    let eol = match tool {
        Tool::NVivo => "\r\n",
        Tool::Atlas => "\n",
    };
    let book = Codebook::of(ctx, tool);
    let mut coders: Vec<&str> = transcripts.iter().map(|t| t.interviewer).collect();
    coders.sort_unstable();
    coders.dedup();
    let coder = |name: &str| {
        id(
            GUID_USER,
            coders.iter().position(|c| *c == name).unwrap_or(0),
        )
    };
    let first_day = transcripts
        .iter()
        .map(|t| t.date)
        .min()
        .unwrap_or((2011, 5, 3));
    let last_day = transcripts
        .iter()
        .map(|t| t.date)
        .max()
        .unwrap_or((2011, 5, 3));
    let modified = crate::interviews::add_days(last_day, 60);

    let mut x = String::with_capacity(1024 + transcripts.len() * 2048);
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    x.push_str(eol);
    let origin = match tool {
        Tool::NVivo => "NVivo 12 (12.6.1.970)",
        Tool::Atlas => "ATLAS.ti 9.1.7.0 (Windows)",
    };
    let creator = coder(coders.first().copied().unwrap_or(""));
    tag(
        &mut x,
        0,
        "Project",
        &[
            ("xmlns", "urn:QDA-XML:project:1.0"),
            ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
            (
                "xsi:schemaLocation",
                "urn:QDA-XML:project:1.0 http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd",
            ),
            ("name", spec.name),
            ("origin", origin),
            ("creatingUserGUID", &creator),
            ("creationDateTime", &timestamp(first_day, 9)),
            ("modifyingUserGUID", &creator),
            ("modifiedDateTime", &timestamp(modified, 17)),
        ],
        false,
        eol,
    );
    tag(&mut x, 1, "Users", &[], false, eol);
    for (i, name) in coders.iter().enumerate() {
        tag(
            &mut x,
            2,
            "User",
            &[("guid", &id(GUID_USER, i)), ("name", name)],
            true,
            eol,
        );
    }
    end_tag(&mut x, 1, "Users", eol);

    tag(&mut x, 1, "CodeBook", &[], false, eol);
    tag(&mut x, 2, "Codes", &[], false, eol);
    write_codes(&mut x, &book, None, 3, &id, eol);
    end_tag(&mut x, 2, "Codes", eol);
    end_tag(&mut x, 1, "CodeBook", eol);

    // NVivo: one case per interviewee, named by the record id, before the
    // sources it refers to (a forward reference).
    if tool == Tool::NVivo {
        tag(&mut x, 1, "Cases", &[], false, eol);
        for (i, t) in transcripts.iter().enumerate() {
            tag(
                &mut x,
                2,
                "Case",
                &[("guid", &id(GUID_CASE, i)), ("name", &t.record_id)],
                false,
                eol,
            );
            tag(
                &mut x,
                3,
                "SourceRef",
                &[("targetGUID", &id(GUID_SOURCE, i))],
                true,
                eol,
            );
            end_tag(&mut x, 2, "Case", eol);
        }
        end_tag(&mut x, 1, "Cases", eol);
    }

    let mut files: Vec<(String, Vec<u8>)> = Vec::with_capacity(transcripts.len() + 1);
    let folder = match tool {
        Tool::NVivo => "Sources",
        Tool::Atlas => "sources",
    };
    let mut selection_count = 0;
    let mut coding_count = 0;
    tag(&mut x, 1, "Sources", &[], false, eol);
    for (i, t) in transcripts.iter().enumerate() {
        let guid = id(GUID_SOURCE, i);
        let file = format!("{}.txt", guid.trim_matches(|c| c == '{' || c == '}'));
        let name = match tool {
            Tool::NVivo => format!("Interview {:03}", i + 1),
            Tool::Atlas => format!("{} transcript", t.record_id),
        };
        let user = coder(t.interviewer);
        let typed = timestamp(crate::interviews::add_days(t.date, 14), 10);
        let coded_on = timestamp(crate::interviews::add_days(t.date, 45), 15);
        tag(
            &mut x,
            2,
            "TextSource",
            &[
                ("guid", &guid),
                ("name", &name),
                ("plainTextPath", &format!("internal://{file}")),
                ("creatingUser", &user),
                ("creationDateTime", &typed),
            ],
            false,
            eol,
        );
        let mut coded: Vec<&crate::transcripts::Coded> = t.coded.iter().collect();
        coded.sort_by_key(|c| (c.bytes.start, c.bytes.end));
        let ranges: Vec<Range<usize>> = coded.iter().map(|c| c.bytes.clone()).collect();
        for (c, (start, end)) in coded.iter().zip(positions(&t.text, &ranges, tool)) {
            tag(
                &mut x,
                3,
                "PlainTextSelection",
                &[
                    ("guid", &id(GUID_SELECTION, selection_count)),
                    ("startPosition", &start.to_string()),
                    ("endPosition", &end.to_string()),
                    ("creatingUser", &user),
                    ("creationDateTime", &coded_on),
                ],
                false,
                eol,
            );
            selection_count += 1;
            for &key in &c.codes {
                let Some(node) = book.node_of(key) else {
                    continue;
                };
                tag(
                    &mut x,
                    4,
                    "Coding",
                    &[
                        ("guid", &id(GUID_CODING, coding_count)),
                        ("creatingUser", &user),
                        ("creationDateTime", &coded_on),
                    ],
                    false,
                    eol,
                );
                coding_count += 1;
                tag(
                    &mut x,
                    5,
                    "CodeRef",
                    &[("targetGUID", &id(GUID_CODE, node))],
                    true,
                    eol,
                );
                end_tag(&mut x, 4, "Coding", eol);
            }
            end_tag(&mut x, 3, "PlainTextSelection", eol);
        }
        end_tag(&mut x, 2, "TextSource", eol);
        let mut bytes = Vec::with_capacity(t.text.len() + 3);
        if tool == Tool::NVivo {
            bytes.extend_from_slice("\u{feff}".as_bytes());
        }
        bytes.extend_from_slice(t.text.as_bytes());
        files.push((format!("{folder}/{file}"), bytes));
    }
    end_tag(&mut x, 1, "Sources", eol);
    end_tag(&mut x, 0, "Project", eol);

    let qde = match tool {
        Tool::NVivo => "project.qde".to_string(),
        Tool::Atlas => format!("{}.qde", spec.name),
    };
    let mut qde_bytes = Vec::with_capacity(x.len() + 3);
    if tool == Tool::NVivo {
        qde_bytes.extend_from_slice("\u{feff}".as_bytes());
    }
    qde_bytes.extend_from_slice(x.as_bytes());
    files.insert(0, (qde, qde_bytes));
    zip_files(&files, modified)
        .unwrap_or_else(|e| panic!("writing a .qdpx in memory cannot fail: {e}"))
}

fn write_codes(
    x: &mut String,
    book: &Codebook,
    parent: Option<usize>,
    indent: usize,
    id: &dyn Fn(u64, usize) -> String,
    eol: &str,
) {
    for i in book.children(parent) {
        let node = &book.nodes[i];
        let has_children = book.children(Some(i)).next().is_some();
        tag(
            x,
            indent,
            "Code",
            &[
                ("guid", &id(GUID_CODE, i)),
                ("name", &node.name),
                ("isCodable", if node.codable { "true" } else { "false" }),
            ],
            !has_children,
            eol,
        );
        if has_children {
            write_codes(x, book, Some(i), indent + 1, id, eol);
            end_tag(x, indent, "Code", eol);
        }
    }
}

fn zip_files(
    files: &[(String, Vec<u8>)],
    (y, m, d): (u32, u32, u32),
) -> zip::result::ZipResult<Vec<u8>> {
    let size: usize = files.iter().map(|(n, b)| n.len() * 2 + b.len() + 100).sum();
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::with_capacity(size + 64)));
    let stamp =
        DateTime::from_date_and_time(y as u16, m as u8, d as u8, 17, 30, 0).unwrap_or_default();
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .system(System::Dos)
        .unix_permissions(0o644)
        .last_modified_time(stamp);
    for (name, bytes) in files {
        zip.start_file(name.as_str(), options)?;
        zip.write_all(bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units_or_code_points() {
        let text = "a😀b\r\nc";
        // byte offsets: a=0, 😀=1..5, b=5, \r=6, \n=7, c=8
        let ranges = [0..1, 5..6, 8..9, 0..9];
        assert_eq!(
            positions(text, &ranges, Tool::NVivo),
            [(0, 1), (3, 4), (6, 7), (0, 7)]
        );
        assert_eq!(
            positions(text, &ranges, Tool::Atlas),
            [(0, 1), (2, 3), (5, 6), (0, 6)]
        );
    }

    #[test]
    fn guids_are_written_as_each_tool_writes_them() {
        let nvivo = guid(1, 2, 3, 4, Tool::NVivo);
        let atlas = guid(1, 2, 3, 4, Tool::Atlas);
        assert_eq!(atlas, format!("{{{}}}", nvivo.to_uppercase()));
        assert_eq!(nvivo.len(), 36);
        assert_eq!(&nvivo[14..15], "4", "version 4: {nvivo}");
        assert!("89ab".contains(&nvivo[19..20]), "variant: {nvivo}");
        assert_ne!(nvivo, guid(1, 2, 3, 5, Tool::NVivo));
    }
}
