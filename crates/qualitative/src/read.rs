//! A `.qdpx` export's bytes to a [`Project`], every problem a diagnostic.

use std::collections::{HashMap, HashSet};

use model::{Diagnostic, Positions};
use roxmltree::{Document, Node, NodeId};
use sha2::{Digest, Sha256};

use crate::archive::{Archive, decode_text};
use crate::positions::{Misplaced, byte_offsets};
use crate::project::describe_source;
use crate::{Case, Code, Codebook, Guid, PositionUnit, Project, Selection, Transcript};

pub use crate::archive::MAX_ENTRY_BYTES;

/// Reads one REFI-QDA project export.
///
/// `file` is the display path used in every diagnostic (the `.qdpx` path
/// relative to the study folder); line and column point into the project's
/// `.qde` XML where there is an element to point at, and are 0 when the
/// problem is the whole file. `positions` is the study's
/// `[qualitative] positions` setting.
///
/// Every problem found is pushed onto `diagnostics`, all in one pass.
/// `None` when the project cannot be read at all (not a zip, a truncated
/// zip, no `.qde`, malformed XML); otherwise the project without what was
/// wrong in it (a selection with a bad position, a coding that refers to no
/// code, a source whose text is missing), the errors saying what was left
/// out. Sources that are not plain text (rich text only, pictures, audio,
/// video, PDF) are skipped with a warning naming them.
pub fn read_project(
    bytes: &[u8],
    file: &str,
    positions: Positions,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Project> {
    let first = diagnostics.len();
    let project = read(bytes, file, positions, diagnostics);
    // In the order of the file, as a reader goes through it.
    diagnostics[first..].sort_by_key(|d| (d.line, d.column));
    project
}

fn read(
    bytes: &[u8],
    file: &str,
    positions: Positions,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Project> {
    let whole = |message: String| Diagnostic::error(file, 0, 0, message);
    let mut archive = match Archive::open(bytes) {
        Ok(archive) => archive,
        Err(message) => {
            diagnostics.push(whole(message));
            return None;
        }
    };
    let (qde_index, qde) = archive.qde.clone();
    let xml = match archive.read(qde_index).and_then(decode_text) {
        Ok(xml) => xml,
        Err(why) => {
            diagnostics.push(whole(format!("the project's XML `{qde}`: {why}")));
            return None;
        }
    };
    let doc = match Document::parse(&xml) {
        Ok(doc) => doc,
        Err(e) => {
            let pos = e.pos();
            diagnostics.push(Diagnostic::error(
                file,
                pos.row,
                pos.col,
                format!(
                    "expected well-formed XML in `{qde}`, found {}",
                    xml_problem(&e)
                ),
            ));
            return None;
        }
    };
    let root = doc.root_element();
    if root.tag_name().name() != "Project" {
        let (line, column) = Locator::new(&xml).at(root);
        diagnostics.push(Diagnostic::error(
            file,
            line,
            column,
            format!(
                "expected a REFI-QDA `<Project>` as the root element of `{qde}`, found `<{}>`",
                root.tag_name().name()
            ),
        ));
        return None;
    }
    let origin = root.attribute("origin").unwrap_or("").to_string();
    let unit = PositionUnit::resolve(positions, &origin);
    let mut reader = Reader {
        file,
        locator: Locator::new(&xml),
        diagnostics,
    };
    let codebook = reader.codebook(root);
    let cases = reader.cases(root);
    let transcripts = reader.transcripts(root, &codebook, unit, &mut archive);
    Some(Project {
        file: file.to_string(),
        sha256: sha256_hex(bytes),
        qde,
        name: root.attribute("name").unwrap_or("").to_string(),
        origin,
        positions: unit,
        codebook,
        cases,
        transcripts,
    })
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Elements are matched by local name: REFI-QDA's namespace has changed
/// (`urn:QDA-XML:project:1.0`, older `urn:QDA-XML:project:0:10`) and some
/// tools write a prefix.
fn is(node: Node<'_, '_>, name: &str) -> bool {
    node.is_element() && node.tag_name().name() == name
}

fn children_named<'a, 'i>(
    node: Node<'a, 'i>,
    name: &'static str,
) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(move |n| is(*n, name))
}

/// What went wrong in the XML, in words that never quote the document's
/// text (a transcript may be inline in it); tag and attribute names are
/// markup and may be named.
fn xml_problem(e: &roxmltree::Error) -> String {
    use roxmltree::Error as E;
    match e {
        E::UnexpectedCloseTag(expected, actual, _) => {
            format!("the closing tag `</{actual}>` where `</{expected}>` closes the open element")
        }
        E::UnexpectedEndOfStream | E::UnclosedRootNode => {
            "the end of the file before the XML is complete (the file is cut short)".into()
        }
        E::NoRootNode => "no element at all".into(),
        E::DtdDetected => "a DOCTYPE declaration, which REFI-QDA projects never have".into(),
        E::MalformedEntityReference(_) => {
            "an `&` that does not start a character reference (text must write it `&amp;`)".into()
        }
        E::UnknownEntityReference(..) => "a reference to an entity XML does not define".into(),
        E::NonXmlChar(..) => "a character that XML does not allow".into(),
        E::InvalidChar(expected, _, _) => {
            format!("another character where `{}` belongs", *expected as char)
        }
        E::InvalidChar2(expected, _, _) | E::InvalidString(expected, _) => {
            format!("something else where {expected} belongs")
        }
        E::InvalidAttributeValue(_) => "a `<` inside an attribute value".into(),
        E::DuplicatedAttribute(name, _) => format!("the attribute `{name}` twice on one element"),
        E::UnknownNamespace(prefix, _) => format!("the undeclared namespace prefix `{prefix}`"),
        E::InvalidName(_) => "an element or attribute name that XML does not allow".into(),
        E::UnexpectedDeclaration(_) => "a second XML declaration".into(),
        E::InvalidComment(_) => "a malformed comment".into(),
        _ => "malformed XML".into(),
    }
}

/// Line and column (1-based; the column in characters) of elements, met
/// in document order: one forward pass per walk over the document, not one
/// per element.
struct Locator<'t> {
    text: &'t str,
    at: usize,
    line: u32,
    column: u32,
}

impl<'t> Locator<'t> {
    fn new(text: &'t str) -> Self {
        Locator {
            text,
            at: 0,
            line: 1,
            column: 1,
        }
    }
    fn at(&mut self, node: Node<'_, '_>) -> (u32, u32) {
        let offset = node.range().start.min(self.text.len());
        if offset < self.at {
            *self = Locator::new(self.text);
        }
        let Some(between) = self.text.get(self.at..offset) else {
            return (self.line, self.column);
        };
        for c in between.chars() {
            if c == '\n' {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
        }
        self.at = offset;
        (self.line, self.column)
    }
}

struct Reader<'f, 't, 'd> {
    file: &'f str,
    locator: Locator<'t>,
    diagnostics: &'d mut Vec<Diagnostic>,
}

impl Reader<'_, '_, '_> {
    fn error(&mut self, node: Node<'_, '_>, message: String) {
        let (line, column) = self.locator.at(node);
        self.diagnostics
            .push(Diagnostic::error(self.file, line, column, message));
    }
    fn warning(&mut self, node: Node<'_, '_>, message: String) {
        let (line, column) = self.locator.at(node);
        self.diagnostics
            .push(Diagnostic::warning(self.file, line, column, message));
    }
    /// A required guid attribute, or an error naming the element.
    fn guid(&mut self, node: Node<'_, '_>, what: &str) -> Option<Guid> {
        match node.attribute("guid").map(Guid::new) {
            Some(g) if !g.as_str().is_empty() => Some(g),
            _ => {
                self.error(
                    node,
                    format!(
                        "expected a `guid` attribute on {what}, found {}",
                        if node.has_attribute("guid") {
                            "an empty one"
                        } else {
                            "none"
                        }
                    ),
                );
                None
            }
        }
    }

    /// Every `<Code>` under the `<CodeBook>`, parents before children.
    fn codebook(&mut self, root: Node<'_, '_>) -> Codebook {
        let mut codebook = Codebook::default();
        let mut index_of: HashMap<NodeId, usize> = HashMap::new();
        for book in root.descendants().filter(|n| is(*n, "CodeBook")) {
            for node in book.descendants().filter(|n| is(*n, "Code")) {
                let Some(guid) = self.guid(node, "a `<Code>`") else {
                    continue;
                };
                let name = node.attribute("name").unwrap_or("").trim().to_string();
                if name.is_empty() {
                    self.error(
                        node,
                        format!("code {guid}: expected a `name` attribute, found none"),
                    );
                }
                let ancestors: Vec<Node<'_, '_>> = node
                    .ancestors()
                    .skip(1)
                    .take_while(|a| !is(*a, "CodeBook"))
                    .filter(|a| is(*a, "Code"))
                    .collect();
                let parent = ancestors
                    .first()
                    .and_then(|p| index_of.get(&p.id()).copied());
                let mut names: Vec<&str> = ancestors
                    .iter()
                    .rev()
                    .map(|a| a.attribute("name").unwrap_or("").trim())
                    .collect();
                names.push(&name);
                let path = names.join(" / ");
                let codable = !matches!(node.attribute("isCodable"), Some("false" | "0"));
                let (line, column) = self.locator.at(node);
                let index = codebook.codes().len();
                let added = codebook.push(Code {
                    guid: guid.clone(),
                    name: name.clone(),
                    path,
                    parent,
                    codable,
                    line,
                    column,
                });
                if added {
                    index_of.insert(node.id(), index);
                } else {
                    self.error(
                        node,
                        format!(
                            "code `{name}`: expected each code's guid once, found {guid} again"
                        ),
                    );
                }
            }
        }
        codebook
    }

    fn cases(&mut self, root: Node<'_, '_>) -> Vec<Case> {
        let mut cases = Vec::new();
        for node in root.descendants().filter(|n| is(*n, "Case")) {
            let Some(guid) = self.guid(node, "a `<Case>`") else {
                continue;
            };
            let (line, column) = self.locator.at(node);
            let sources = children_named(node, "SourceRef")
                .filter_map(|r| r.attribute("targetGUID").map(Guid::new))
                .collect();
            cases.push(Case {
                guid,
                name: node.attribute("name").unwrap_or("").trim().to_string(),
                sources,
                line,
                column,
            });
        }
        cases
    }

    fn transcripts(
        &mut self,
        root: Node<'_, '_>,
        codebook: &Codebook,
        unit: PositionUnit,
        archive: &mut Archive<'_>,
    ) -> Vec<Transcript> {
        let mut transcripts = Vec::new();
        let mut seen: HashSet<Guid> = HashSet::new();
        let sources = root
            .descendants()
            .filter(|n| is(*n, "Sources"))
            .flat_map(|s| s.children().filter(|n| n.is_element()));
        for node in sources {
            // Located first: the locator only moves forward cheaply.
            let (line, column) = self.locator.at(node);
            let kind = node.tag_name().name();
            let name = node.attribute("name").unwrap_or("").trim().to_string();
            let Some(guid) = self.guid(node, &format!("the source `{name}`")) else {
                continue;
            };
            let described = describe_source(&name, &guid);
            let skipped = match kind {
                "TextSource" => None,
                "PictureSource" => Some("a picture"),
                "PDFSource" => Some("a PDF"),
                "AudioSource" => Some("an audio recording"),
                "VideoSource" => Some("a video"),
                _ => Some("not a kind of source crosscase knows"),
            };
            if let Some(what) = skipped {
                self.warning(
                    node,
                    format!(
                        "{described}: skipped: it is {what} (`<{kind}>`); only text sources are read (export the transcript as a text document)"
                    ),
                );
                continue;
            }
            if !seen.insert(guid.clone()) {
                self.error(
                    node,
                    format!("{described}: expected each source's guid once, found it again"),
                );
                continue;
            }
            let Some(text) = self.source_text(node, &described, archive) else {
                continue;
            };
            let selections = self.selections(node, &described, &text, codebook, unit);
            transcripts.push(Transcript {
                guid,
                name,
                text,
                selections,
                line,
                column,
            });
        }
        transcripts
    }

    /// The source's plain text: the `plainTextPath` file inside the
    /// project, or inline `<PlainTextContent>`. `None` after a diagnostic.
    fn source_text(
        &mut self,
        node: Node<'_, '_>,
        described: &str,
        archive: &mut Archive<'_>,
    ) -> Option<String> {
        if let Some(path) = node.attribute("plainTextPath") {
            let Some(internal) = strip_prefix_ignoring_case(path.trim(), "internal://") else {
                self.error(
                    node,
                    format!(
                        "{described}: expected its plain text inside the project (plainTextPath `internal://...`), found `{path}`, a file outside the export"
                    ),
                );
                return None;
            };
            let Some(entry) = archive.source_entry(internal) else {
                self.error(
                    node,
                    format!(
                        "{described}: expected its plain text `Sources/{internal}` in the project (plainTextPath `{path}`), found no such file"
                    ),
                );
                return None;
            };
            return match archive.read(entry).and_then(decode_text) {
                Ok(text) => Some(text),
                Err(why) => {
                    self.error(
                        node,
                        format!("{described}: its plain text `Sources/{internal}`: {why}"),
                    );
                    None
                }
            };
        }
        if let Some(content) = children_named(node, "PlainTextContent").next() {
            // Inline text is taken as XML delivers it (line ends as LF,
            // entities and CDATA resolved), all its text nodes together.
            return Some(
                content
                    .descendants()
                    .filter(|n| n.is_text())
                    .filter_map(|n| n.text())
                    .collect(),
            );
        }
        let rich = if node.has_attribute("richTextPath") {
            "only a rich-text copy (`richTextPath`)"
        } else {
            "no text"
        };
        self.warning(
            node,
            format!(
                "{described}: skipped: it has {rich}, no plain text (`plainTextPath` or `<PlainTextContent>`); export the project again with plain text"
            ),
        );
        None
    }

    fn selections(
        &mut self,
        source: Node<'_, '_>,
        described: &str,
        text: &str,
        codebook: &Codebook,
        unit: PositionUnit,
    ) -> Vec<Selection> {
        struct Raw {
            line: u32,
            column: u32,
            guid: Guid,
            start: u64,
            end: u64,
            codes: Vec<usize>,
        }
        let mut raws = Vec::new();
        for node in children_named(source, "PlainTextSelection") {
            let (line, column) = self.locator.at(node);
            let Some(guid) = self.guid(node, &format!("a selection of {described}")) else {
                continue;
            };
            let what = format!("selection {guid} of {described}");
            let start = self.position(node, "startPosition", &what);
            let end = self.position(node, "endPosition", &what);
            let mut codes = Vec::new();
            for coding in children_named(node, "Coding") {
                for code_ref in children_named(coding, "CodeRef") {
                    let target = Guid::new(code_ref.attribute("targetGUID").unwrap_or(""));
                    match codebook.index(&target) {
                        Some(code) => {
                            if !codes.contains(&code) {
                                codes.push(code);
                            }
                        }
                        None => self.error(
                            code_ref,
                            format!(
                                "{what}: expected a coding to refer to a code of the codebook, found a reference to `{target}`, which no code has"
                            ),
                        ),
                    }
                }
            }
            let (Some(start), Some(end)) = (start, end) else {
                continue;
            };
            if start > end {
                self.error(
                    node,
                    format!(
                        "{what}: expected a start no greater than the end, found start {start} and end {end}"
                    ),
                );
                continue;
            }
            raws.push(Raw {
                line,
                column,
                guid,
                start,
                end,
                codes,
            });
        }
        let wanted: Vec<u64> = raws.iter().flat_map(|r| [r.start, r.end]).collect();
        let offsets = byte_offsets(text, unit, &wanted);
        let mut selections = Vec::with_capacity(raws.len());
        for (raw, pair) in raws.into_iter().zip(offsets.chunks_exact(2)) {
            let what = format!("selection {} of {described}", raw.guid);
            match (pair[0], pair[1]) {
                (Ok(start), Ok(end)) => {
                    selections.push(Selection {
                        guid: raw.guid,
                        start: raw.start,
                        end: raw.end,
                        bytes: start..end,
                        codes: raw.codes,
                        line: raw.line,
                        column: raw.column,
                    });
                }
                (s, e) => {
                    let bad = if s.is_err() {
                        ("start", raw.start, s)
                    } else {
                        ("end", raw.end, e)
                    };
                    let problem = match bad.2 {
                        Err(Misplaced::SplitsCharacter) => format!(
                            "positions on character boundaries, found {} {} inside a character that takes two UTF-16 code units",
                            bad.0, bad.1
                        ),
                        _ => format!(
                            "positions within the text's {} {unit}, found {} {}",
                            unit.length(text),
                            bad.0,
                            bad.1
                        ),
                    };
                    self.diagnostics.push(Diagnostic::error(
                        self.file,
                        raw.line,
                        raw.column,
                        format!(
                            "{what}: expected {problem} (positions counted in {unit}; `[qualitative] positions` in study.toml says how a project counts)"
                        ),
                    ));
                }
            }
        }
        selections
    }

    fn position(&mut self, node: Node<'_, '_>, attribute: &str, what: &str) -> Option<u64> {
        let raw = node.attribute(attribute);
        match raw.map(|r| r.trim().parse::<u64>()) {
            Some(Ok(p)) => Some(p),
            _ => {
                let found = match raw {
                    None => "none".to_string(),
                    Some(r) => format!("`{}`", r.chars().take(24).collect::<String>()),
                };
                self.error(
                    node,
                    format!(
                        "{what}: expected `{attribute}` as a whole number from 0, found {found}"
                    ),
                );
                None
            }
        }
    }
}

fn strip_prefix_ignoring_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}
