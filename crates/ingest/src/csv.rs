//! A small RFC 4180 reader that remembers where every cell starts.
//!
//! One pass over the bytes, no regex, no allocation beyond the cells
//! themselves. Lines are physical lines as an editor shows them (a quoted
//! newline starts a new line); columns are 1-based characters on that line;
//! a byte order mark is not a column.

use std::borrow::Cow;

use model::Diagnostic;
use sha2::{Digest, Sha256};

/// One cell: its text (quotes removed, `""` unescaped) and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    /// Physical line on which the cell starts (1-based).
    pub line: u32,
    /// 1-based character column where the cell starts on its line.
    pub column: u32,
}

/// One cell read in place: its text (borrowed from the file unless it had
/// to be unescaped) and the byte offset where it starts, from which
/// [`CsvTable::position`] gives its line and column when a message needs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field<'a> {
    pub text: Cow<'a, str>,
    pub at: usize,
}

/// One record (row) of a CSV file: where it is, not its cells. The cells
/// are read in place when asked for ([`CsvTable::fields`],
/// [`CsvTable::cells`]), so a file costs its bytes and a few words per
/// record, not an allocation per cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Physical line where the record starts, 1-based.
    pub line: u32,
    /// 16 lowercase hex digits of the SHA-256 of the record's raw bytes,
    /// without the line terminator.
    pub hash: String,
    /// Number of cells.
    len: usize,
    /// Byte range of the record's raw text in the file (BOM removed).
    start: usize,
    end: usize,
}

impl Record {
    /// Number of cells of the record.
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// A parsed CSV file: the header and the records below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvTable {
    /// The display path given to [`read_csv`], used in every diagnostic.
    pub path: String,
    pub header: Vec<Cell>,
    pub records: Vec<Record>,
    /// The file's text, byte order mark removed.
    text: String,
}

impl CsvTable {
    /// Index of the first header cell named `name`.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|c| c.text == name)
    }
    /// The line of the header (1 unless blank lines precede it).
    pub fn header_line(&self) -> u32 {
        self.header.first().map(|c| c.line).unwrap_or(1)
    }
    /// The record's cells read in place, into `out` (cleared first).
    pub fn fields<'a>(&'a self, record: &Record, out: &mut Vec<Field<'a>>) {
        out.clear();
        let b = self.text.as_bytes();
        let end = record.end;
        let mut i = record.start;
        loop {
            let (text, next) = cell_at(&self.text, i, end);
            out.push(Field { text, at: i });
            i = next;
            if i < end && b[i] == b',' {
                i += 1;
                continue;
            }
            break;
        }
    }
    /// The text of cell `index` of a record, if it has that many cells.
    pub fn text<'a>(&'a self, record: &Record, index: usize) -> Option<Cow<'a, str>> {
        if index >= record.len {
            return None;
        }
        let b = self.text.as_bytes();
        let mut i = record.start;
        let mut k = 0;
        loop {
            let (text, next) = cell_at(&self.text, i, record.end);
            if k == index {
                return Some(text);
            }
            i = next + 1;
            k += 1;
            if next >= record.end || b[next] != b',' {
                return None;
            }
        }
    }
    /// Line and column (1-based, in characters) of the byte `at` of a record.
    pub fn position(&self, record: &Record, at: usize) -> (u32, u32) {
        let b = &self.text.as_bytes()[record.start..at.clamp(record.start, self.text.len())];
        let newlines = b.iter().filter(|&&c| c == b'\n').count() as u32;
        let line_start = b
            .iter()
            .rposition(|&c| c == b'\n')
            .map(|i| i + 1)
            .unwrap_or(0);
        let column = b[line_start..]
            .iter()
            .filter(|&&c| (c & 0xC0) != 0x80)
            .count() as u32
            + 1;
        (record.line.saturating_add(newlines), column)
    }
    /// The record's cells as owned [`Cell`]s with their positions.
    pub fn cells(&self, record: &Record) -> Vec<Cell> {
        let mut fields = Vec::with_capacity(record.len);
        self.fields(record, &mut fields);
        fields
            .into_iter()
            .map(|f| {
                let (line, column) = self.position(record, f.at);
                Cell {
                    text: f.text.into_owned(),
                    line,
                    column,
                }
            })
            .collect()
    }
}

/// The cell starting at byte `i` of a record ending at `end` (already
/// checked by [`read_csv`]): its text and the byte after it.
fn cell_at(text: &str, i: usize, end: usize) -> (Cow<'_, str>, usize) {
    let b = text.as_bytes();
    if i < end && b[i] == b'"' {
        let mut j = i + 1;
        let mut seg = j;
        let mut owned: Option<String> = None;
        while j < end {
            if b[j] == b'"' {
                if j + 1 < end && b[j + 1] == b'"' {
                    owned
                        .get_or_insert_with(String::new)
                        .push_str(&text[seg..=j]);
                    j += 2;
                    seg = j;
                    continue;
                }
                break;
            }
            j += 1;
        }
        let close = j.min(end);
        let cell = match owned {
            Some(mut s) => {
                s.push_str(&text[seg..close]);
                Cow::Owned(s)
            }
            None => Cow::Borrowed(&text[seg..close]),
        };
        (cell, (close + 1).min(end))
    } else {
        let j = memchr_comma(b, i, end);
        (Cow::Borrowed(&text[i..j]), j)
    }
}

/// The first comma at or after `i`, or `end`.
fn memchr_comma(b: &[u8], i: usize, end: usize) -> usize {
    b[i..end]
        .iter()
        .position(|&c| c == b',')
        .map(|k| i + k)
        .unwrap_or(end)
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Tracks the physical line and, lazily, the character column.
struct Pos {
    line: u32,
    /// A byte offset on the current line whose column is known.
    col_pos: usize,
    col: u32,
}

impl Pos {
    fn newline(&mut self, next_line_start: usize) {
        self.line = self.line.saturating_add(1);
        self.col_pos = next_line_start;
        self.col = 1;
    }
    /// Column of byte `pos`, which is on the current line at or after `col_pos`.
    fn column_at(&mut self, b: &[u8], pos: usize) -> u32 {
        let pos = pos.min(b.len());
        if pos > self.col_pos {
            let chars = b[self.col_pos..pos]
                .iter()
                .filter(|&&c| (c & 0xC0) != 0x80)
                .count();
            self.col = self.col.saturating_add(chars as u32);
            self.col_pos = pos;
        }
        self.col
    }
}

/// 16 lowercase hex digits of the SHA-256 of `raw`.
pub fn row_hash(raw: &[u8]) -> String {
    lower_hex(&Sha256::digest(raw)[..8])
}

/// Bytes as lowercase hex digits, two a byte.
fn lower_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(2 * bytes.len());
    for byte in bytes {
        s.push(HEX[(byte >> 4) as usize] as char);
        s.push(HEX[(byte & 0x0f) as usize] as char);
    }
    s
}

/// Line and column (1-based, in characters) of the end of `prefix`.
fn end_position(prefix: &[u8]) -> (u32, u32) {
    let line_start = prefix
        .iter()
        .rposition(|&c| c == b'\n')
        .map(|i| i + 1)
        .unwrap_or(0);
    let line = prefix.iter().filter(|&&c| c == b'\n').count() as u32 + 1;
    let column = prefix[line_start..]
        .iter()
        .filter(|&&c| (c & 0xC0) != 0x80)
        .count() as u32
        + 1;
    (line, column)
}

fn is_terminator(b: &[u8], i: usize) -> bool {
    match b.get(i) {
        None | Some(b'\n') => true,
        Some(b'\r') => matches!(b.get(i + 1), None | Some(b'\n')),
        _ => false,
    }
}

/// Parse a CSV file (UTF-8, optional BOM, LF or CRLF, RFC 4180 quoting).
///
/// The first record is the header. Blank lines at the end are ignored.
/// Errors: bytes that are not UTF-8 (at the first bad byte), an unterminated
/// quoted cell (at the line and column where it started), text after a
/// closing quote, and a file without a header.
pub fn read_csv(bytes: &[u8], path: &str) -> Result<CsvTable, Diagnostic> {
    read_csv_owned(bytes.to_vec(), path)
}

/// [`read_csv`] of bytes the table may keep (no copy of the file).
pub fn read_csv_owned(bytes: Vec<u8>, path: &str) -> Result<CsvTable, Diagnostic> {
    parse(bytes, path, None)
}

/// [`read_csv_owned`] that also gives the SHA-256 of the whole file (64
/// lowercase hex digits), computed as the records are parsed, each
/// record's bytes hashed while they are at hand: one pass over the bytes
/// for the file's hash, the records and their hashes. The hash is given
/// whether or not the file parses.
pub fn read_csv_hashed(bytes: Vec<u8>, path: &str) -> (String, Result<CsvTable, Diagnostic>) {
    let mut file = Sha256::new();
    let table = parse(bytes, path, Some(&mut file));
    (lower_hex(&file.finalize()), table)
}

/// The parser; `file`, when given, is fed every byte of the file, in
/// order, as the parse passes it (and the rest when it stops early).
fn parse(
    mut bytes: Vec<u8>,
    path: &str,
    mut file: Option<&mut Sha256>,
) -> Result<CsvTable, Diagnostic> {
    if bytes.starts_with(BOM) {
        if let Some(file) = file.as_mut() {
            file.update(BOM);
        }
        bytes.drain(..BOM.len());
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let body = e.as_bytes();
            if let Some(file) = file.as_mut() {
                file.update(body);
            }
            let at = e.utf8_error().valid_up_to();
            let (line, column) = end_position(&body[..at]);
            let bad = body.get(at).copied().unwrap_or(0);
            return Err(Diagnostic::error(
                path,
                line,
                column,
                format!(
                    "expected UTF-8 text, found the byte 0x{bad:02X} that is not UTF-8 (export the file again as UTF-8)"
                ),
            ));
        }
    };
    let b = text.as_bytes();
    let n = b.len();
    let mut pos = Pos {
        line: 1,
        col_pos: 0,
        col: 1,
    };
    let mut records: Vec<Record> = Vec::new();
    let mut blank: Vec<bool> = Vec::new();
    let mut i = 0usize;
    // Bytes given to `file` so far; on an early return, the rest.
    let mut hashed = 0usize;
    let rest = |file: &mut Option<&mut Sha256>, hashed: usize| {
        if let Some(file) = file.as_mut() {
            file.update(&b[hashed..]);
        }
    };
    while i < n {
        let rec_start = i;
        let rec_line = pos.line;
        let mut cells = 0usize;
        let rec_end;
        loop {
            if b.get(i) == Some(&b'"') {
                let line = pos.line;
                let mut j = i + 1;
                loop {
                    match b.get(j) {
                        None => {
                            let line_start = b[..i]
                                .iter()
                                .rposition(|&c| c == b'\n')
                                .map(|k| k + 1)
                                .unwrap_or(0);
                            let column = b[line_start..i]
                                .iter()
                                .filter(|&&c| (c & 0xC0) != 0x80)
                                .count() as u32
                                + 1;
                            rest(&mut file, hashed);
                            return Err(Diagnostic::error(
                                path,
                                line,
                                column,
                                "expected a closing quote `\"` for the quoted cell that starts here, found the end of the file",
                            ));
                        }
                        Some(b'"') => {
                            if b.get(j + 1) == Some(&b'"') {
                                j += 2;
                            } else {
                                j += 1;
                                break;
                            }
                        }
                        Some(b'\n') => {
                            j += 1;
                            pos.newline(j);
                        }
                        Some(_) => j += 1,
                    }
                }
                i = j;
                cells += 1;
                if !(b.get(i) == Some(&b',') || is_terminator(b, i)) {
                    let col = pos.column_at(b, i);
                    let found = text.get(i..).and_then(|t| t.chars().next()).unwrap_or(' ');
                    rest(&mut file, hashed);
                    return Err(Diagnostic::error(
                        path,
                        pos.line,
                        col,
                        format!(
                            "expected a comma or the end of the line after a closing quote, found `{found}`"
                        ),
                    ));
                }
            } else {
                let mut j = i;
                while j < n {
                    match b[j] {
                        b',' | b'\n' => break,
                        b'\r' if is_terminator(b, j) => break,
                        _ => j += 1,
                    }
                }
                cells += 1;
                i = j;
            }
            if b.get(i) == Some(&b',') {
                i += 1;
                continue;
            }
            rec_end = i;
            if b.get(i) == Some(&b'\r') {
                i += 1;
            }
            if b.get(i) == Some(&b'\n') {
                i += 1;
                pos.newline(i);
            }
            break;
        }
        let raw = &b[rec_start..rec_end];
        if let Some(file) = file.as_mut() {
            // The record and its line end, while they are in cache.
            file.update(&b[hashed..i]);
            hashed = i;
        }
        blank.push(raw.iter().all(|&c| c == b' ' || c == b'\t'));
        records.push(Record {
            line: rec_line,
            hash: row_hash(raw),
            len: cells,
            start: rec_start,
            end: rec_end,
        });
    }
    rest(&mut file, hashed);
    while blank.last() == Some(&true) {
        blank.pop();
        records.pop();
    }
    if records.is_empty() {
        return Err(Diagnostic::error(
            path,
            1,
            0,
            "expected a header line naming the columns, found an empty file",
        ));
    }
    let first = records.remove(0);
    let mut table = CsvTable {
        path: path.to_string(),
        header: Vec::new(),
        records,
        text,
    };
    table.header = table.cells(&first);
    Ok(table)
}
