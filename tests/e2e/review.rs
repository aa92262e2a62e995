//! What a reviewer reads of an output folder: snapshots checked all
//! together (every changed one named, not only the first), the charts
//! inside an HTML page as SVG files, a workbook sheet as text, and
//! `outputs.lock` checked against the bytes it pins.

use std::collections::BTreeMap;
use std::io::Read;
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::*;

/// Checks many snapshots and fails once, at the end, naming every one that
/// changed. insta fails a snapshot by panicking; each check catches that
/// panic (insta has already printed the diff and, outside CI, written the
/// `.snap.new` file next to the snapshot) and goes on to the next.
pub(crate) struct Snapshots {
    checked: usize,
    changed: Vec<String>,
}

impl Snapshots {
    pub(crate) fn new() -> Snapshots {
        Snapshots {
            checked: 0,
            changed: Vec::new(),
        }
    }

    /// A text snapshot `<folder>/<name>.snap`.
    pub(crate) fn text(&mut self, folder: &str, name: &str, text: &str) {
        self.check(folder, name, || insta::assert_snapshot!(name, text));
    }

    /// A binary snapshot kept as a file of its own, `<folder>/<name>.snap.<ext>`
    /// (next to a small `<name>.snap` that says what it is), so that a chart
    /// can be opened as the `.svg` it is. `name_and_extension`: `name.svg`.
    pub(crate) fn file(&mut self, folder: &str, name_and_extension: &str, bytes: &[u8]) {
        self.check(folder, name_and_extension, || {
            insta::assert_binary_snapshot!(name_and_extension, bytes.to_vec())
        });
    }

    fn check(&mut self, folder: &str, name: &str, assert: impl FnOnce()) {
        self.checked += 1;
        let settings = snapshot_settings(folder);
        if catch_unwind(AssertUnwindSafe(|| settings.bind(assert))).is_err() {
            self.changed.push(format!("{folder}/{name}"));
        }
    }

    /// Fail, naming every changed snapshot, if any changed.
    #[track_caller]
    pub(crate) fn finish(self) -> usize {
        assert!(
            self.changed.is_empty(),
            "{} of {} snapshots changed (each diff is printed above; insta's \
             \"stopped on the first failure\" is per snapshot: all were checked):\n  {}\n\
             Read each one; accept with INSTA_UPDATE=always or by moving the .snap.new files into place.",
            self.changed.len(),
            self.checked,
            self.changed.join("\n  ")
        );
        self.checked
    }
}

/// The charts of an HTML page: each `<figure class="chart" id="...">`'s
/// inline `<svg>`, as (figure id, SVG text). Every `<svg>` of the page is in
/// a chart figure, so none goes unpinned.
pub(crate) fn html_charts(html: &str) -> Vec<(String, String)> {
    const FIGURE: &str = "<figure class=\"chart\" id=\"";
    let mut charts = Vec::new();
    for part in html.split(FIGURE).skip(1) {
        let (id, rest) = part.split_once('"').expect("a chart figure's id");
        let start = rest.find("<svg").expect("a chart figure holds an <svg>");
        let end = rest[start..].find("</svg>").expect("the <svg> is closed") + start;
        charts.push((
            id.to_string(),
            rest[start..end + "</svg>".len()].to_string(),
        ));
    }
    assert_eq!(
        charts.len(),
        html.matches("<svg").count(),
        "an <svg> outside a chart figure"
    );
    charts
}

/// A sheet of an `.xlsx` workbook as text: one line per row (line n is row
/// n), cells separated by tabs, shared strings resolved; a tab, line break
/// or backslash inside a cell is written `\t`, `\n`, `\r`, `\\`.
pub(crate) fn xlsx_sheet_text(xlsx: &[u8], sheet: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).expect("an xlsx is a zip");
    let mut part = |name: &str| -> Option<String> {
        let mut file = archive.by_name(name).ok()?;
        let mut text = String::new();
        file.read_to_string(&mut text)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        Some(text)
    };
    let workbook = part("xl/workbook.xml").expect("xl/workbook.xml");
    let rels = part("xl/_rels/workbook.xml.rels").expect("xl/_rels/workbook.xml.rels");
    let shared: Vec<String> = part("xl/sharedStrings.xml")
        .map(|sst| {
            elements(&sst, "si")
                .map(|(_, si)| elements(si, "t").map(|(_, t)| unescape(t)).collect())
                .collect()
        })
        .unwrap_or_default();
    let rel_id = elements(&workbook, "sheet")
        .find(|(tag, _)| attribute(tag, "name").as_deref() == Some(sheet))
        .and_then(|(tag, _)| attribute(tag, "r:id"))
        .unwrap_or_else(|| panic!("no sheet named {sheet}"));
    let target = elements(&rels, "Relationship")
        .find(|(tag, _)| attribute(tag, "Id").as_deref() == Some(rel_id.as_str()))
        .and_then(|(tag, _)| attribute(tag, "Target"))
        .unwrap_or_else(|| panic!("no relationship {rel_id}"));
    let path = match target.strip_prefix('/') {
        Some(absolute) => absolute.to_string(),
        None => format!("xl/{target}"),
    };
    let xml = part(&path).unwrap_or_else(|| panic!("{path} is not in the workbook"));

    let mut rows: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for (cell, body) in elements(&xml, "c") {
        let reference = attribute(cell, "r").expect("a cell's reference");
        let (column, row) = cell_position(&reference);
        let value = elements(body, "v").next().map(|(_, v)| unescape(v));
        let text = match attribute(cell, "t").as_deref() {
            Some("s") => {
                let index: usize = value
                    .expect("a shared string's index")
                    .parse()
                    .expect("a number");
                shared[index].clone()
            }
            Some("inlineStr") => elements(body, "t").map(|(_, t)| unescape(t)).collect(),
            Some("b") => match value.as_deref() {
                Some("1") => "TRUE".to_string(),
                _ => "FALSE".to_string(),
            },
            None | Some("n" | "str" | "e") => value.unwrap_or_default(),
            Some(other) => panic!("{reference}: cell type {other}"),
        };
        let cells = rows.entry(row).or_default();
        if cells.len() <= column {
            cells.resize(column + 1, String::new());
        }
        cells[column] = text;
    }
    let mut out = String::new();
    let mut line = 1;
    for (row, cells) in rows {
        while line < row {
            out.push('\n');
            line += 1;
        }
        let cells: Vec<String> = cells
            .iter()
            .map(|c| {
                c.replace('\\', "\\\\")
                    .replace('\t', "\\t")
                    .replace('\n', "\\n")
                    .replace('\r', "\\r")
            })
            .collect();
        out.push_str(&cells.join("\t"));
        out.push('\n');
        line += 1;
    }
    out
}

/// The elements `<name ...>body</name>` and `<name .../>` of an XML text,
/// as (start tag, body), in order. Enough for the flat parts of an xlsx:
/// the named elements do not nest in themselves.
fn elements<'a>(xml: &'a str, name: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
    let open = format!("<{name}");
    let close = format!("</{name}>");
    let mut rest = xml;
    std::iter::from_fn(move || {
        loop {
            let at = rest.find(&open)?;
            let after = &rest[at + open.len()..];
            // `<t` must not match `<tableParts`: the name ends the tag name.
            if !after.starts_with([' ', '>', '/']) {
                rest = after;
                continue;
            }
            let end = after.find('>').expect("a closed tag");
            let tag = &rest[at..at + open.len() + end + 1];
            if tag.ends_with("/>") {
                rest = &after[end + 1..];
                return Some((tag, ""));
            }
            let body_and_rest = &after[end + 1..];
            let body_end = body_and_rest.find(&close).expect("a closing tag");
            rest = &body_and_rest[body_end + close.len()..];
            return Some((tag, &body_and_rest[..body_end]));
        }
    })
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = start + tag[start..].find('"')?;
    Some(unescape(&tag[start..end]))
}

/// `B12` -> (column 1, row 12).
fn cell_position(reference: &str) -> (usize, usize) {
    let digits = reference
        .find(|c: char| c.is_ascii_digit())
        .expect("a row number");
    let column = reference[..digits]
        .bytes()
        .fold(0, |n, b| n * 26 + usize::from(b - b'A' + 1));
    (
        column - 1,
        reference[digits..].parse().expect("a row number"),
    )
}

/// XML character references and entities, then OOXML's `_xHHHH_` escapes
/// (how a workbook writes control characters; `_x005F_` is a literal `_`).
fn unescape(text: &str) -> String {
    let mut xml = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        xml.push_str(&rest[..at]);
        let end = rest[at..].find(';').expect("an entity ends with ;") + at;
        let entity = &rest[at + 1..end];
        let c = match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = match entity.strip_prefix("#x") {
                    Some(hex) => u32::from_str_radix(hex, 16),
                    None => entity.trim_start_matches('#').parse(),
                }
                .unwrap_or_else(|_| panic!("unknown entity &{entity};"));
                char::from_u32(code).expect("a character")
            }
        };
        xml.push(c);
        rest = &rest[end + 1..];
    }
    xml.push_str(rest);

    let mut out = String::with_capacity(xml.len());
    let mut rest = xml.as_str();
    while let Some(at) = rest.find("_x") {
        out.push_str(&rest[..at]);
        let candidate = rest.get(at + 2..at + 7);
        let decoded = candidate
            .filter(|c| c.ends_with('_'))
            .and_then(|c| u32::from_str_radix(&c[..4], 16).ok())
            .and_then(char::from_u32);
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[at + 7..];
            }
            None => {
                out.push_str("_x");
                rest = &rest[at + 2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every published file of an output folder is in its `outputs.lock` with
/// the sha256 of its bytes, and the lock lists nothing else: with the lock
/// pinned by a snapshot, this pins every output byte, including those (HTML,
/// Parquet, xlsx) that no reviewer reads as a diff.
/// Returns how many files it checked.
pub(crate) fn assert_outputs_match_their_lock(files: &[(String, Vec<u8>)]) -> usize {
    // The hash is the one the pipeline writes the lock with; check it is
    // SHA-256 as published (FIPS 180-2's "abc") so the comparison means something.
    assert_eq!(
        pipeline::hash::sha256_hex(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    let lock = files
        .iter()
        .find(|(name, _)| name == "outputs.lock")
        .map(|(_, bytes)| String::from_utf8(bytes.clone()).expect("outputs.lock is text"))
        .expect("the run wrote outputs.lock");
    let listed: BTreeMap<&str, &str> = lock
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let (hash, path) = l.split_once("  ").expect("`sha256  path`");
            (path, hash)
        })
        .collect();
    let published: BTreeMap<&str, String> = files
        .iter()
        .filter(|(name, _)| name != "outputs.lock")
        .map(|(name, bytes)| (name.as_str(), pipeline::hash::sha256_hex(bytes)))
        .collect();
    let mut wrong = Vec::new();
    for (path, hash) in &published {
        match listed.get(path) {
            Some(h) if h == hash => {}
            Some(h) => wrong.push(format!("{path}: lock says {h}, the bytes hash to {hash}")),
            None => wrong.push(format!("{path}: published but not in outputs.lock")),
        }
    }
    for path in listed.keys() {
        if !published.contains_key(path) {
            wrong.push(format!("{path}: in outputs.lock but not published"));
        }
    }
    assert!(wrong.is_empty(), "outputs.lock:\n{}", wrong.join("\n"));
    published.len()
}

#[test]
fn an_output_that_differs_from_its_lock_is_named() {
    let hash = pipeline::hash::sha256_hex;
    let lock = |lines: &[(&str, &[u8])]| {
        let mut text = String::from("# outputs.lock\n");
        for (path, bytes) in lines {
            text.push_str(&format!("{}  {path}\n", hash(bytes)));
        }
        (String::from("outputs.lock"), text.into_bytes())
    };
    let file = |path: &str, bytes: &[u8]| (path.to_string(), bytes.to_vec());
    let good = vec![
        file("a.csv", b"a"),
        file("b/c.html", b"c"),
        lock(&[("a.csv", b"a"), ("b/c.html", b"c")]),
    ];
    assert_eq!(assert_outputs_match_their_lock(&good), 2);
    let failure = |files: Vec<(String, Vec<u8>)>| {
        let err = catch_unwind(|| assert_outputs_match_their_lock(&files)).unwrap_err();
        err.downcast_ref::<String>().unwrap().clone()
    };
    let edited = failure(vec![
        file("a.csv", b"a"),
        file("b/c.html", b"edited"),
        lock(&[("a.csv", b"a"), ("b/c.html", b"c")]),
    ]);
    assert!(edited.contains("b/c.html: lock says"), "{edited}");
    let unlisted = failure(vec![
        file("a.csv", b"a"),
        file("b/c.html", b"c"),
        lock(&[("a.csv", b"a")]),
    ]);
    assert!(
        unlisted.contains("b/c.html: published but not in outputs.lock"),
        "{unlisted}"
    );
    let missing = failure(vec![
        file("a.csv", b"a"),
        lock(&[("a.csv", b"a"), ("b/c.html", b"c")]),
    ]);
    assert!(
        missing.contains("b/c.html: in outputs.lock but not published"),
        "{missing}"
    );
}

#[test]
fn xlsx_text_reads_cells_as_written() {
    assert_eq!(cell_position("A1"), (0, 1));
    assert_eq!(cell_position("AB12"), (27, 12));
    assert_eq!(
        unescape("a &amp; b &lt;c&gt; &#10;&#x41;_x000D__x005F_x0001_ _x12"),
        "a & b <c> \nA\r_x0001_ _x12"
    );
    let found: Vec<_> = elements(
        "<sst><si><t>one</t></si><si><r><t xml:space=\"preserve\">t</t></r><r><t>wo</t></r></si><si/></sst>",
        "si",
    )
    .map(|(_, body)| {
        elements(body, "t")
            .map(|(_, t)| t.to_string())
            .collect::<String>()
    })
    .collect();
    assert_eq!(found, ["one", "two", ""]);
}
