//! The same workbook, byte for byte, written without holding every cell in
//! `rust_xlsxwriter`'s cell tables and with its parts compressed in
//! parallel.
//!
//! `rust_xlsxwriter` still writes everything but the data sheets' cells: a
//! *skeleton* workbook with the `About` sheet in full and each data sheet's
//! name, column widths, frozen header and filter, but no cell. Its parts are
//! then taken as they are, except the data sheets' `<sheetData>` (and
//! `<dimension>`) and the shared strings, which are written here as
//! `rust_xlsxwriter` writes them, straight from the Arrow columns, each part
//! deflated as the `zip` crate deflates it (level 6, one stream per part)
//! and the whole stored in the same zip layout.
//!
//! Dictionary columns (categorical text) are read through their keys: each
//! cell is written as the same value in a plain column would be.
//!
//! What this does not reproduce (dates and times, which take cell formats;
//! decimal columns; text that `rust_xlsxwriter` would take
//! for rich text; anything past Excel's limits) makes [`workbook`] answer
//! `None`, and the caller writes the workbook the plain way.
//!
//! Re-creating another crate's bytes is kept honest by tests, not by
//! copying its code: the shared strings are escaped here from the format's
//! rules ([`xml_text`]), and the bytes are compared with `rust_xlsxwriter`'s
//! on edge cases (the unit tests below) and on every table of the demo and
//! of the other test study (`tests/e2e/workbook.rs`). An upgrade of
//! `rust_xlsxwriter`, `zip` or `flate2` that changes the bytes fails them;
//! one that changes the skeleton so this cannot read it fails the unit
//! tests, which require this way to take their sheets.
//!
//! Why this is kept (issue 12; `just bench --workbook-writers`,
//! `bench/results.md`, 2 cores shared with other builds, load 4 to 9, so
//! times varied by up to 2x between runs; the ratios are of stage times
//! in the same run). The workbook stage of the synthesis, against
//! `rust_xlsxwriter`'s own paths on the same tables, in standard, `ryu`
//! and `zlib` (C) builds; memory is the stage's peak resident memory over
//! the process's when it began:
//!
//! | interviews | this writer       | `rust_xlsxwriter`, closest build | low-memory, closest build |
//! | ---------- | ----------------- | -------------------------------- | ------------------------- |
//! | 50,000     | 0.73 s, +54 MiB   | 1.86x (ryu), +361 MiB            | 1.16x (ryu), +36 MiB      |
//! | 500,000    | 13.7 s, +293 MiB  | 1.65x (zlib), +3,504 MiB         | 0.91x (zlib), +358 MiB    |
//!
//! No path that writes no temporary file comes within 1.5x of this one, the
//! issue's rule for keeping it. Low-memory worksheets
//! (`add_worksheet_with_low_memory`) do, but they are `rust_xlsxwriter`'s
//! `constant_memory` feature: every sheet's rows go to a temporary file,
//! which only `pipeline` may write (they are built only to be measured,
//! [`crate::Writer::RustXlsxwriterLowMemory`]).

use std::borrow::Cow;
use std::io::{self, Read, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use arrow_array::{Array, DictionaryArray, Int32Array, RecordBatch};
use arrow_schema::DataType;
use flate2::Compression;
use flate2::write::DeflateEncoder;
use rustc_hash::FxHashMap;

use crate::{
    ABOUT_SHEET, About, Cell, Formats, Labels, MAX_COLUMNS, MAX_ROWS, Sheet, WorkbookError,
    cell_text, column_width, number_width, sheet_names, text_width, value,
};

/// The workbook [`crate::workbook`] writes, or `None` when these sheets
/// need what only the plain way does.
pub(crate) fn workbook(
    sheets: &[Sheet],
    labels: &Labels,
) -> Result<Option<Vec<u8>>, WorkbookError> {
    workbook_with(sheets, labels, HOLD)
}

/// [`workbook`], holding `hold` bytes ahead of the encoder (see [`Deflate`]).
fn workbook_with(
    sheets: &[Sheet],
    labels: &Labels,
    hold: usize,
) -> Result<Option<Vec<u8>>, WorkbookError> {
    if !sheets.iter().all(supported) {
        return Ok(None);
    }
    let names = sheet_names(sheets.iter().map(|s| s.name));

    // The About sheet first: its strings come first in the shared strings.
    let mut about = About::default();
    for (sheet, name) in sheets.iter().zip(&names) {
        about.table(name, sheet, labels, crate::notes(sheet));
    }
    let mut strings = Strings::default();
    for name in crate::ABOUT_COLUMNS {
        if !strings.add(Cow::Borrowed(name)) {
            return Ok(None);
        }
    }
    for row in &about.rows {
        for text in row.iter().filter(|t| !t.is_empty()) {
            if !strings.add(Cow::Owned(cell_text(text).0.into_owned())) {
                return Ok(None);
            }
        }
    }
    let about_unique = strings.order.len();

    // Each data sheet's cells, row by row: shared string ids, column widths.
    let mut tables = Vec::with_capacity(sheets.len());
    for sheet in sheets {
        match Table::read(sheet, &mut strings) {
            Some(table) => tables.push(table),
            None => return Ok(None),
        }
    }

    // The skeleton: everything but the data sheets' cells.
    let formats = Formats::new();
    let mut book = crate::new_book()?;
    let about_sheet = book.add_worksheet();
    about_sheet.set_name(ABOUT_SHEET)?;
    for (table, name) in tables.iter().zip(&names) {
        let worksheet = book.add_worksheet();
        worksheet.set_name(name.as_str())?;
        for (c, width) in table.widths.iter().enumerate() {
            let col = u16::try_from(c).map_err(|_| table.too_large())?;
            worksheet.set_column_width(col, *width)?;
        }
        worksheet.set_freeze_panes(1, 0)?;
        if !table.widths.is_empty() {
            let last_row = u32::try_from(table.rows).map_err(|_| table.too_large())?;
            let last_col = u16::try_from(table.widths.len() - 1).map_err(|_| table.too_large())?;
            worksheet.autofilter(0, 0, last_row, last_col)?;
        }
    }
    about.write(book.worksheet_from_index(0)?, &formats)?;
    let skeleton = book.save_to_buffer()?;
    let Some(parts) = parts(&skeleton) else {
        return Ok(None);
    };

    // The skeleton's About holds just its own strings, and the header format.
    let Some(shared) = parts
        .iter()
        .find(|(name, _)| name == "xl/sharedStrings.xml")
    else {
        return Ok(None);
    };
    if attribute(&shared.1, "<sst ", "uniqueCount") != Some(about_unique.to_string().as_str()) {
        return Ok(None);
    }
    let Some(about_xml) = parts
        .iter()
        .find(|(name, _)| name == "xl/worksheets/sheet1.xml")
    else {
        return Ok(None);
    };
    let Some(header_xf) =
        attribute(&about_xml.1, "<c r=\"A1\" ", "s").and_then(|s| s.parse::<u32>().ok())
    else {
        return Ok(None);
    };

    let mut jobs = Vec::with_capacity(parts.len());
    for (name, xml) in &parts {
        let job = if name == "xl/sharedStrings.xml" {
            Job::Strings
        } else if let Some(k) = name
            .strip_prefix("xl/worksheets/sheet")
            .and_then(|n| n.strip_suffix(".xml"))
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|k| (2..=tables.len() + 1).contains(k))
        {
            let table = &tables[k - 2];
            if table.last_row.is_none() {
                Job::Verbatim(xml)
            } else {
                let Some((before, after)) = split_sheet(xml, table) else {
                    return Ok(None);
                };
                Job::Sheet {
                    table,
                    sheet: &sheets[k - 2],
                    before,
                    after,
                    header_xf,
                }
            }
        } else {
            Job::Verbatim(xml)
        };
        jobs.push((name.as_str(), job));
    }
    let entries = compress_all(&jobs, &strings, hold)?;
    Ok(Some(zip(&entries)?))
}

/// Whether every column is of a type written here.
fn supported(sheet: &Sheet) -> bool {
    use DataType as T;
    let batch: &RecordBatch = sheet.batch;
    batch.num_rows() < MAX_ROWS
        && batch.num_columns() <= MAX_COLUMNS
        && batch.columns().iter().all(|a| {
            // A dictionary column is written as its values would be.
            let data_type = match a.data_type() {
                T::Dictionary(_, values) => values.as_ref(),
                t => t,
            };
            matches!(
                data_type,
                T::Null
                    | T::Boolean
                    | T::Int8
                    | T::Int16
                    | T::Int32
                    | T::Int64
                    | T::UInt8
                    | T::UInt16
                    | T::UInt32
                    | T::UInt64
                    | T::Float16
                    | T::Float32
                    | T::Float64
                    | T::Utf8
                    | T::LargeUtf8
                    | T::Utf8View
            )
        })
}

/// One cell as the plain way writes it.
enum Value<'a> {
    /// No cell: null, empty text, or a number Excel cannot hold.
    None,
    Text(&'a str),
    Other(Cell),
}

/// Reads one column's cells; a dictionary column's through its keys, as
/// the plain way reads them (a null key, a key past the dictionary or a
/// null value is no cell).
struct Column<'a> {
    /// The column, or a dictionary column's values.
    array: &'a dyn Array,
    keys: Keys<'a>,
}

/// Where a row's value is in [`Column::array`].
enum Keys<'a> {
    /// A plain column: at the row.
    Plain,
    /// `Int32` keys (the model's categorical text), read in place.
    Int32(&'a Int32Array),
    /// Other keys, widened once; the dictionary for its nulls.
    Other(&'a dyn Array, Vec<usize>),
}

impl<'a> Column<'a> {
    fn new(array: &'a dyn Array) -> Self {
        let Some(dict) = array.as_any_dictionary_opt() else {
            return Column {
                array,
                keys: Keys::Plain,
            };
        };
        let values = dict.values().as_ref();
        if let Some(coded) = array.as_any().downcast_ref::<DictionaryArray<Int32Type>>() {
            return Column {
                array: values,
                keys: Keys::Int32(coded.keys()),
            };
        }
        // normalized_keys panics on empty values; every key is null then.
        let keys = if values.is_empty() {
            Vec::new()
        } else {
            dict.normalized_keys()
        };
        Column {
            array: values,
            keys: Keys::Other(array, keys),
        }
    }

    /// Where row `row`'s value is in `array`, `None` for no value.
    fn index(&self, row: usize) -> Option<usize> {
        let index = match &self.keys {
            Keys::Plain => Some(row),
            Keys::Int32(keys) => (!keys.is_null(row))
                .then(|| usize::try_from(keys.value(row)).ok())
                .flatten(),
            Keys::Other(dict, keys) => (!dict.is_null(row))
                .then(|| keys.get(row).copied())
                .flatten(),
        };
        index.filter(|&i| i < self.array.len())
    }

    fn get(&self, row: usize) -> Value<'a> {
        let a = self.array;
        let Some(i) = self.index(row) else {
            return Value::None;
        };
        if a.is_null(i) {
            return Value::None;
        }
        let text = match a.data_type() {
            DataType::Null => return Value::None,
            DataType::Utf8 => a.as_string::<i32>().value(i),
            DataType::LargeUtf8 => a.as_string::<i64>().value(i),
            DataType::Utf8View => a.as_string_view().value(i),
            _ => return Value::Other(value(a, i)),
        };
        Value::Text(text)
    }
}

/// The shared strings, in the order `rust_xlsxwriter` numbers them (first
/// use, sheet by sheet, row by row).
#[derive(Default)]
struct Strings<'a> {
    /// FxHash: the strings are the study's own tables, nothing adversarial.
    ids: FxHashMap<Cow<'a, str>, u32>,
    order: Vec<Cow<'a, str>>,
    /// String cells, repeats included.
    count: u64,
}

impl<'a> Strings<'a> {
    /// Adds one string cell; `false` for text `rust_xlsxwriter` would take
    /// for rich text (written as XML, not escaped).
    fn add(&mut self, s: Cow<'a, str>) -> bool {
        self.id(s).is_some()
    }

    fn id(&mut self, s: Cow<'a, str>) -> Option<u32> {
        use std::collections::hash_map::Entry;
        self.count += 1;
        let next = u32::try_from(self.order.len()).ok()?;
        match self.ids.entry(s) {
            Entry::Occupied(e) => Some(*e.get()),
            Entry::Vacant(e) => {
                if e.key().starts_with("<r>") && e.key().ends_with("</r>") {
                    return None;
                }
                self.order.push(e.key().clone());
                e.insert(next);
                Some(next)
            }
        }
    }
}

/// One data sheet, read: the shared string id of each string cell (in row
/// order), widths, and the last row holding a cell.
struct Table<'a> {
    name: &'a str,
    rows: usize,
    /// Shared string id of each header cell (`None`: an empty name).
    header: Vec<Option<u32>>,
    /// Ids of the string cells of the data rows, row by row.
    ids: Vec<u32>,
    widths: Vec<f64>,
    /// The last sheet row (0 = header) with a cell; `None` with no column.
    last_row: Option<usize>,
}

impl<'a> Table<'a> {
    fn read(sheet: &Sheet<'a>, strings: &mut Strings<'a>) -> Option<Self> {
        let batch: &'a RecordBatch = sheet.batch;
        let schema = batch.schema_ref();
        let columns: Vec<Column<'a>> = batch
            .columns()
            .iter()
            .map(|a| Column::new(a.as_ref()))
            .collect();
        let mut widths = Vec::with_capacity(columns.len());
        let mut header = Vec::with_capacity(columns.len());
        for field in schema.fields() {
            let name: &'a str = field.name();
            let (text, _) = cell_text(name);
            header.push(if text.is_empty() {
                None
            } else {
                Some(strings.id(text)?)
            });
            widths.push(column_width(text_width(name), true));
        }
        let mut ids = Vec::new();
        let mut last_row = (!columns.is_empty()).then_some(0);
        for r in 0..batch.num_rows() {
            let mut any = false;
            for (c, column) in columns.iter().enumerate() {
                let (chars, stored) = match column.get(r) {
                    Value::None => (0, false),
                    Value::Text(s) => {
                        let (text, _) = cell_text(s);
                        let chars = text_width(&text);
                        if text.is_empty() {
                            (chars, false)
                        } else {
                            ids.push(strings.id(text)?);
                            (chars, true)
                        }
                    }
                    Value::Other(cell) => match cell {
                        Cell::Number(x) => (number_width(x), true),
                        Cell::Bool(_) => (5, true),
                        Cell::BigInteger(s) => {
                            let chars = text_width(&s);
                            ids.push(strings.id(Cow::Owned(s))?);
                            (chars, true)
                        }
                        Cell::Blank | Cell::NotFinite => (0, false),
                        // Not among the supported types.
                        Cell::Text(_) | Cell::Date(..) => return None,
                    },
                };
                any |= stored;
                widths[c] = f64::max(widths[c], column_width(chars, false));
            }
            if any {
                last_row = Some(r + 1);
            }
        }
        Some(Table {
            name: sheet.name,
            rows: batch.num_rows(),
            header,
            ids,
            widths,
            last_row,
        })
    }

    fn too_large(&self) -> WorkbookError {
        WorkbookError::TooLarge {
            table: self.name.to_owned(),
            rows: self.rows,
            columns: self.widths.len(),
        }
    }
}

/// The entries of a zip archive, in order.
fn parts(zip: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
    let mut archive = zip::ZipArchive::new(io::Cursor::new(zip)).ok()?;
    let mut out = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).ok()?;
        let mut bytes = Vec::with_capacity(usize::try_from(file.size()).ok()?);
        file.read_to_end(&mut bytes).ok()?;
        let name = file.name().ok()?.into_owned();
        out.push((name, bytes));
    }
    Some(out)
}

/// The value of `name="..."` in the first element of `xml` starting with `start`.
fn attribute<'x>(xml: &'x [u8], start: &str, name: &str) -> Option<&'x str> {
    let xml = std::str::from_utf8(xml).ok()?;
    let element = &xml[xml.find(start)?..];
    let element = &element[..element.find('>')?];
    let key = format!(" {name}=\"");
    let value = &element[element.find(&key)? + key.len()..];
    Some(&value[..value.find('"')?])
}

/// A skeleton data sheet around its cells: the XML before the first row
/// (its dimension set) and after the last.
fn split_sheet(xml: &[u8], table: &Table) -> Option<(Vec<u8>, Vec<u8>)> {
    let xml = std::str::from_utf8(xml).ok()?;
    let last_row = table.last_row?;
    let last_col = table.widths.len().checked_sub(1)?;
    let dimension = if last_row == 0 && last_col == 0 {
        "A1".to_owned()
    } else {
        format!("A1:{}{}", column_name(last_col), last_row + 1)
    };
    const EMPTY_DIMENSION: &str = "<dimension ref=\"A1\"/>";
    const EMPTY_DATA: &str = "<sheetData/>";
    let d = xml.find(EMPTY_DIMENSION)?;
    let s = xml.find(EMPTY_DATA)?;
    if s < d {
        return None;
    }
    let mut before = String::with_capacity(s + 32);
    before.push_str(&xml[..d]);
    before.push_str(&format!("<dimension ref=\"{dimension}\"/>"));
    before.push_str(&xml[d + EMPTY_DIMENSION.len()..s]);
    before.push_str("<sheetData>");
    let mut after = String::from("</sheetData>");
    after.push_str(&xml[s + EMPTY_DATA.len()..]);
    Some((before.into_bytes(), after.into_bytes()))
}

/// Excel's name of a column (0 = `A`).
fn column_name(col: usize) -> String {
    let mut name = Vec::new();
    let mut n = col + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        name.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

/// A part of the workbook to write.
enum Job<'a> {
    Verbatim(&'a [u8]),
    Strings,
    Sheet {
        table: &'a Table<'a>,
        sheet: &'a Sheet<'a>,
        before: Vec<u8>,
        after: Vec<u8>,
        header_xf: u32,
    },
}

impl Job<'_> {
    /// Roughly how long it takes, to start the longest first.
    fn weight(&self, strings: &Strings) -> usize {
        match self {
            Job::Verbatim(xml) => xml.len() / 64,
            Job::Strings => strings.order.len() * 2,
            Job::Sheet { table, .. } => table.rows * table.widths.len(),
        }
    }

    fn write(&self, out: &mut impl Write, strings: &Strings) -> io::Result<()> {
        match self {
            Job::Verbatim(xml) => out.write_all(xml),
            Job::Strings => write_strings(out, strings),
            Job::Sheet {
                table,
                sheet,
                before,
                after,
                header_xf,
            } => {
                out.write_all(before)?;
                write_rows(out, table, sheet, *header_xf)?;
                out.write_all(after)
            }
        }
    }
}

/// One compressed zip entry.
struct Entry {
    name: String,
    crc: u32,
    size: u64,
    data: Vec<u8>,
}

/// Deflates the parts, longest first, on as many threads as the run has
/// workers; each part is one deflate stream, so the bytes do not depend on
/// the number of threads.
fn compress_all(
    jobs: &[(&str, Job)],
    strings: &Strings,
    hold: usize,
) -> Result<Vec<Entry>, WorkbookError> {
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(jobs[i].1.weight(strings)));
    let results: Vec<Mutex<Option<io::Result<Entry>>>> =
        jobs.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    // As many as the run's worker threads (`--threads`).
    let threads = rayon::current_num_threads().clamp(1, jobs.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let (name, job) = &jobs[i];
                    let entry = compress(name, job, strings, hold);
                    if let Ok(mut slot) = results[i].lock() {
                        *slot = Some(entry);
                    }
                }
            });
        }
    });
    results
        .into_iter()
        .map(|slot| match slot.into_inner() {
            Ok(Some(Ok(entry))) => Ok(entry),
            Ok(Some(Err(e))) => Err(WorkbookError::Xlsx(e.to_string())),
            _ => Err(WorkbookError::Xlsx(
                "a workbook part was not written".to_owned(),
            )),
        })
        .collect()
}

fn compress(name: &str, job: &Job, strings: &Strings, hold: usize) -> io::Result<Entry> {
    if let Job::Verbatim(xml) = job {
        return whole(name, xml);
    }
    let mut sink = Deflate::new(hold);
    {
        let mut out = io::BufWriter::with_capacity(1 << 16, &mut sink);
        job.write(&mut out, strings)?;
        out.flush()?;
    }
    match sink.finish(name)? {
        Some(entry) => Ok(entry),
        None => {
            // Too compressible to vouch for the streamed bytes: in full.
            let mut xml = Vec::new();
            job.write(&mut xml, strings)?;
            whole(name, &xml)
        }
    }
}

/// One part deflated as the `zip` crate deflates it: the encoder is given
/// the whole part at once (and takes it in as its output buffer allows).
fn whole(name: &str, xml: &[u8]) -> io::Result<Entry> {
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::new(6));
    encoder.write_all(xml)?;
    let mut crc = flate2::Crc::new();
    crc.update(xml);
    Ok(Entry {
        name: name.to_owned(),
        crc: crc.sum(),
        size: xml.len() as u64,
        data: encoder.finish()?,
    })
}

/// Input held ahead of the encoder: more than one call of the encoder can
/// take in before its output buffer fills, at any ratio a part of a
/// workbook compresses by (a call takes in about 32 KiB of output's worth).
const HOLD: usize = 4 << 20;

/// Deflates what is written to it to the bytes [`whole`] would give,
/// without the whole part in memory (holding `hold` bytes ahead).
///
/// The encoder's output depends on where its input ran out between calls
/// (zlib-rs forgets a pending match when it returns for more input), not
/// only on the input. Given the whole part, each call returns when its
/// output buffer is full; here each call is given at least [`HOLD`] bytes,
/// and a call that takes them all (its input ran out, which at any
/// ordinary ratio it never does) is reported, so the part is done in full.
struct Deflate {
    encoder: DeflateEncoder<Vec<u8>>,
    crc: flate2::Crc,
    size: u64,
    pending: Vec<u8>,
    start: usize,
    hold: usize,
    ran_out: bool,
}

impl Deflate {
    fn new(hold: usize) -> Self {
        Deflate {
            encoder: DeflateEncoder::new(Vec::new(), Compression::new(6)),
            crc: flate2::Crc::new(),
            size: 0,
            pending: Vec::new(),
            start: 0,
            hold,
            ran_out: false,
        }
    }

    fn pump(&mut self) -> io::Result<()> {
        while !self.ran_out && self.pending.len() - self.start >= self.hold {
            let ahead = &self.pending[self.start..];
            let n = self.encoder.write(ahead)?;
            self.ran_out |= n == ahead.len();
            self.start += n;
        }
        if self.start >= self.hold {
            self.pending.drain(..self.start);
            self.start = 0;
        }
        Ok(())
    }

    /// The entry, or `None` if the encoder ran out of input between calls.
    fn finish(mut self, name: &str) -> io::Result<Option<Entry>> {
        if self.ran_out {
            return Ok(None);
        }
        self.encoder.write_all(&self.pending[self.start..])?;
        let data = self.encoder.finish()?;
        Ok(Some(Entry {
            name: name.to_owned(),
            crc: self.crc.sum(),
            size: self.size,
            data,
        }))
    }
}

impl Write for Deflate {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.crc.update(buf);
        self.size += buf.len() as u64;
        if !self.ran_out {
            self.pending.extend_from_slice(buf);
            self.pump()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// `xl/sharedStrings.xml`, as `rust_xlsxwriter` writes it.
fn write_strings(out: &mut impl Write, strings: &Strings) -> io::Result<()> {
    out.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n")?;
    write!(
        out,
        "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"{}\" uniqueCount=\"{}\">",
        strings.count,
        strings.order.len()
    )?;
    for s in &strings.order {
        let whitespace = ['\t', '\n', ' '];
        let preserve = s.starts_with(whitespace) || s.ends_with(whitespace);
        let text = xml_text(s);
        if preserve {
            write!(out, "<si><t xml:space=\"preserve\">{text}</t></si>")?;
        } else {
            write!(out, "<si><t>{text}</t></si>")?;
        }
    }
    out.write_all(b"</sst>")
}

/// The `<row>` elements of one data sheet, as `rust_xlsxwriter` writes them.
fn write_rows(
    out: &mut impl Write,
    table: &Table,
    sheet: &Sheet,
    header_xf: u32,
) -> io::Result<()> {
    let Some(last_row) = table.last_row else {
        return Ok(());
    };
    let columns: Vec<Column> = sheet
        .batch
        .columns()
        .iter()
        .map(|a| Column::new(a.as_ref()))
        .collect();
    let names: Vec<String> = (0..columns.len()).map(column_name).collect();
    let mut ids = table.ids.iter().copied();
    let mut cells: Vec<(usize, Value)> = Vec::with_capacity(columns.len());
    // Rows go in blocks of 16, each with the span of columns its cells use.
    let mut block: Vec<Vec<(usize, Value)>> = Vec::with_capacity(16);
    let mut first = 0;
    while first <= last_row {
        let end = (first + 16).min(last_row + 1);
        block.clear();
        let (mut lo, mut hi) = (usize::MAX, 0);
        for row in first..end {
            cells.clear();
            if row == 0 {
                for c in 0..columns.len() {
                    cells.push((c, Value::None));
                }
            } else {
                for (c, column) in columns.iter().enumerate() {
                    match column.get(row - 1) {
                        Value::Text("") => {}
                        Value::None | Value::Other(Cell::Blank | Cell::NotFinite) => {}
                        v => cells.push((c, v)),
                    }
                }
            }
            if let (Some(a), Some(b)) = (cells.first(), cells.last()) {
                lo = lo.min(a.0);
                hi = hi.max(b.0);
            }
            block.push(std::mem::take(&mut cells));
        }
        for (row, cells) in (first..end).zip(&block) {
            if cells.is_empty() {
                continue;
            }
            let r = row + 1;
            write!(out, "<row r=\"{r}\" spans=\"{}:{}\">", lo + 1, hi + 1)?;
            for (c, v) in cells {
                let name = &names[*c];
                if row == 0 {
                    match table.header[*c] {
                        Some(id) => write!(
                            out,
                            "<c r=\"{name}{r}\" s=\"{header_xf}\" t=\"s\"><v>{id}</v></c>"
                        )?,
                        None => write!(out, "<c r=\"{name}{r}\" s=\"{header_xf}\"/>")?,
                    }
                    continue;
                }
                match v {
                    Value::Text(_) | Value::Other(Cell::BigInteger(_)) => {
                        let id = ids
                            .next()
                            .ok_or_else(|| io::Error::other("string ids ran out"))?;
                        write!(out, "<c r=\"{name}{r}\" t=\"s\"><v>{id}</v></c>")?;
                    }
                    Value::Other(Cell::Number(x)) => {
                        // As `{x}` shows it; whole numbers as integers, faster.
                        if x.fract() == 0.0
                            && x.abs() < 1e15
                            && !(*x == 0.0 && x.is_sign_negative())
                        {
                            write!(out, "<c r=\"{name}{r}\"><v>{}</v></c>", *x as i64)?;
                        } else {
                            write!(out, "<c r=\"{name}{r}\"><v>{x}</v></c>")?;
                        }
                    }
                    Value::Other(Cell::Bool(b)) => write!(
                        out,
                        "<c r=\"{name}{r}\" t=\"b\"><v>{}</v></c>",
                        i32::from(*b)
                    )?,
                    _ => return Err(io::Error::other("a cell of an unsupported kind")),
                }
            }
            out.write_all(b"</row>")?;
        }
        // Reuse the row buffers of this block.
        cells = block.pop().unwrap_or_default();
        first = end;
    }
    Ok(())
}

/// The zip archive `rust_xlsxwriter` (through the `zip` crate) writes:
/// deflated entries, each followed by a data descriptor, Unix mode 0600,
/// the DOS time 1980-01-01 00:00, no zip64.
fn zip(entries: &[Entry]) -> Result<Vec<u8>, WorkbookError> {
    let too_large = || {
        WorkbookError::Xlsx("the workbook is larger than a zip file without zip64 holds".to_owned())
    };
    let total: usize = entries
        .iter()
        .map(|e| e.data.len() + 2 * e.name.len() + 100)
        .sum();
    let mut out = Vec::with_capacity(total + 22);
    let mut central = Vec::new();
    let count = u16::try_from(entries.len()).map_err(|_| too_large())?;
    for e in entries {
        let offset = u32::try_from(out.len()).map_err(|_| too_large())?;
        let compressed = u32::try_from(e.data.len()).map_err(|_| too_large())?;
        let size = u32::try_from(e.size).map_err(|_| too_large())?;
        let name_len = u16::try_from(e.name.len()).map_err(|_| too_large())?;
        // Local header: version 2.0, data descriptor flag, deflate, time 0, date 1980-01-01.
        out.extend_from_slice(&0x0403_4b50_u32.to_le_bytes());
        for v in [20_u16, 0x0008, 8, 0, 0x0021] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&[0; 12]);
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0_u16.to_le_bytes());
        out.extend_from_slice(e.name.as_bytes());
        out.extend_from_slice(&e.data);
        out.extend_from_slice(&0x0807_4b50_u32.to_le_bytes());
        for v in [e.crc, compressed, size] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        // Central directory header: made by Unix 2.0, mode 0100600.
        central.extend_from_slice(&0x0201_4b50_u32.to_le_bytes());
        for v in [0x0314_u16, 20, 0x0008, 8, 0, 0x0021] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        for v in [e.crc, compressed, size] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        for v in [name_len, 0, 0, 0, 0] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        central.extend_from_slice(&0x8180_0000_u32.to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(e.name.as_bytes());
    }
    let central_offset = u32::try_from(out.len()).map_err(|_| too_large())?;
    let central_len = u32::try_from(central.len()).map_err(|_| too_large())?;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50_u32.to_le_bytes());
    for v in [0_u16, 0, count, count] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&central_len.to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&0_u16.to_le_bytes());
    Ok(out)
}

/// `text` as the character data of a shared string, the way Excel reads it
/// (ECMA-376 Part 1, 22.9.2.19, ST_Xstring): `&`, `<` and `>` as entities;
/// the control characters but tab and line feed, and U+FFFE and U+FFFF, as
/// `_xHHHH_`; and text that would read as such an escape kept as it is by
/// escaping its underscore (`_x005F_xHHHH_`). `rust_xlsxwriter` escapes so
/// too but does not export how; the tests compare the bytes (edge cases in
/// the unit tests, every table of the demo end to end).
fn xml_text(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    // 0xEF starts the UTF-8 of U+F000 to U+FFFF, U+FFFE and U+FFFF among them.
    let maybe = |b: &u8| match *b {
        b'\t' | b'\n' => false,
        b => b < 0x20 || matches!(b, b'&' | b'<' | b'>' | 0xEF),
    };
    if !bytes.iter().any(maybe) && !text.contains("_x") {
        return Cow::Borrowed(text);
    }
    let reads_as_escape = |i: usize| {
        bytes.len() >= i + 7
            && bytes[i + 1] == b'x'
            && bytes[i + 2..i + 6].iter().all(u8::is_ascii_hexdigit)
            && bytes[i + 6] == b'_'
    };
    let mut out = String::with_capacity(text.len() + 16);
    for (i, c) in text.char_indices() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\t' | '\n' => out.push(c),
            '\0'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}' => {
                let _ =
                    std::fmt::Write::write_fmt(&mut out, format_args!("_x{:04X}_", u32::from(c)));
            }
            '_' if reads_as_escape(i) => out.push_str("_x005F_"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{
        ArrayRef, BooleanArray, Float32Array, Float64Array, Int64Array, LargeStringArray,
        NullArray, StringArray, StringViewArray, UInt8Array,
    };
    use arrow_schema::{Field, Schema};

    use super::*;

    fn batch(columns: Vec<(&str, ArrayRef)>) -> RecordBatch {
        let schema = Schema::new(
            columns
                .iter()
                .map(|(n, a)| Field::new(*n, a.data_type().clone(), true))
                .collect::<Vec<_>>(),
        );
        RecordBatch::try_new(
            Arc::new(schema),
            columns.into_iter().map(|(_, a)| a).collect(),
        )
        .expect("a batch")
    }

    fn labels() -> Labels {
        let mut labels = Labels::new();
        labels.column("scope", "Level of aggregation");
        labels.values("scope", "study", "Whole study");
        labels.values("scope", "site", "Site");
        labels.column("n", "Valid responses");
        labels
    }

    fn same(sheets: &[Sheet], labels: &Labels) {
        let fast = workbook(sheets, labels)
            .expect("no error")
            .expect("the fast way takes these sheets");
        let plain = crate::by_rust_xlsxwriter(sheets, labels, false).expect("no error");
        if fast != plain {
            let _ = std::fs::write("/tmp/wb-fast.xlsx", &fast);
            let _ = std::fs::write("/tmp/wb-plain.xlsx", &plain);
        }
        assert!(
            fast == plain,
            "the fast way wrote other bytes ({} against {})",
            fast.len(),
            plain.len()
        );
        #[cfg(feature = "low-memory")]
        {
            // Low-memory worksheets write the same parts, but for the rows'
            // optional `spans`, which they cannot know ahead.
            let low = crate::by_rust_xlsxwriter(sheets, labels, true).expect("no error");
            let without_spans = |zip: &[u8]| -> Vec<(String, String)> {
                parts(zip)
                    .expect("a zip")
                    .into_iter()
                    .map(|(name, xml)| {
                        let xml = String::from_utf8(xml).expect("utf-8");
                        let mut kept = String::new();
                        let mut rest = xml.as_str();
                        while let Some(at) = rest.find(" spans=\"") {
                            kept.push_str(&rest[..at]);
                            let value = &rest[at + 8..];
                            rest = &value[value.find('"').expect("a closing quote") + 1..];
                        }
                        kept.push_str(rest);
                        (name, kept)
                    })
                    .collect()
            };
            assert!(
                without_spans(&low) == without_spans(&plain),
                "low-memory worksheets wrote other parts"
            );
        }
    }

    /// An exemplar longer than Excel's 32,767 characters per cell (a long
    /// coded segment of a transcript) is cut with a marker in the workbook,
    /// both ways alike, and said in the About sheet; the table itself (what
    /// the CSV and Parquet publish) keeps every character.
    #[test]
    fn a_cell_longer_than_excel_allows_is_cut_with_a_marker_only_in_the_workbook() {
        // 'é' is one UTF-16 unit, '🙂' two: the cut counts units, as Excel does.
        let long = format!("{}{}", "é".repeat(30_000), "🙂".repeat(5_000));
        let exemplar: ArrayRef =
            Arc::new(StringArray::from(vec![Some(long.as_str()), Some("short")]));
        let b = batch(vec![("exemplar_1", exemplar)]);
        let sheets = [Sheet {
            name: "framework_matrix",
            batch: &b,
            description: "Result table",
        }];
        same(&sheets, &labels());
        let book = workbook(&sheets, &labels())
            .expect("no error")
            .expect("fast");
        let parts = parts(&book).expect("a zip");
        let strings = parts
            .iter()
            .find(|(n, _)| n == "xl/sharedStrings.xml")
            .map(|(_, x)| String::from_utf8(x.clone()).expect("utf-8"))
            .expect("shared strings");
        let cut: &str = strings
            .split("<t>")
            .filter_map(|t| t.split("</t>").next())
            .find(|t| t.starts_with("éé"))
            .expect("the long text");
        assert!(cut.ends_with("… [truncated]"), "{}", &cut[cut.len() - 40..]);
        assert_eq!(cut.encode_utf16().count(), 32_767);
        assert!(cut.starts_with(&"é".repeat(30_000)));
        assert!(strings.contains("<t>short</t>"));
        assert!(
            strings.contains("truncated and marked"),
            "the About sheet says so"
        );
        // The table is untouched.
        let text = b
            .column(0)
            .as_any()
            .downcast_ref::<StringArray>()
            .expect("text");
        assert_eq!(text.value(0), long);
    }

    #[test]
    fn the_same_bytes_as_the_plain_way() {
        let rows = 53;
        let long = "é".repeat(40_000);
        let text: Vec<Option<String>> = (0..rows)
            .map(|i| match i % 11 {
                0 => None,
                1 => Some(String::new()),
                2 => Some(format!(" lead {i}")),
                3 => Some("a < b & c > d \"q\" 'x'".to_owned()),
                4 => Some("ctrl \u{1} \u{1f} tab\tnl\n".to_owned()),
                5 => Some("_x0041_ and _x00zz_ _x12".to_owned()),
                6 => Some("study".to_owned()),
                7 => Some("ünïcødé 🦀 \u{FFFE}".to_owned()),
                8 if i == 8 => Some(long.clone()),
                _ => Some(format!("row {}", i / 3)),
            })
            .collect();
        let ints: Vec<Option<i64>> = (0..rows as i64)
            .map(|i| match i % 7 {
                0 => None,
                1 => Some(i64::MAX),
                2 => Some(-(1 << 53) - 1),
                _ => Some(i * 1000 - 3),
            })
            .collect();
        let floats: Vec<Option<f64>> = (0..rows)
            .map(|i| match i % 9 {
                0 => None,
                1 => Some(f64::NAN),
                2 => Some(f64::INFINITY),
                3 => Some(-0.0),
                4 => Some(1e21),
                5 => Some(0.1 + 0.2),
                _ => Some(i as f64 / 7.0),
            })
            .collect();
        let main = batch(vec![
            (
                "scope",
                Arc::new(StringArray::from(text.clone())) as ArrayRef,
            ),
            ("n", Arc::new(Int64Array::from(ints))),
            ("mean", Arc::new(Float64Array::from(floats))),
            (
                "flag",
                Arc::new(BooleanArray::from(
                    (0..rows)
                        .map(|i| (i % 4 != 0).then_some(i % 3 == 0))
                        .collect::<Vec<_>>(),
                )),
            ),
            (
                "small",
                Arc::new(UInt8Array::from(
                    (0..rows)
                        .map(|i| (i > 20).then_some(i as u8))
                        .collect::<Vec<_>>(),
                )),
            ),
            (
                "f32",
                Arc::new(Float32Array::from(
                    (0..rows).map(|i| Some(i as f32 * 0.5)).collect::<Vec<_>>(),
                )),
            ),
            ("nothing", Arc::new(NullArray::new(rows))),
            (
                "large",
                Arc::new(LargeStringArray::from(
                    text.iter().rev().cloned().collect::<Vec<_>>(),
                )),
            ),
            (
                "view",
                Arc::new(StringViewArray::from(
                    text.iter().map(|t| t.as_deref()).collect::<Vec<_>>(),
                )),
            ),
            (
                "",
                Arc::new(StringArray::from(
                    (0..rows)
                        .map(|i| Some(format!("blank name {i}")))
                        .collect::<Vec<_>>(),
                )),
            ),
        ]);
        // Wide and sparse: spans differ block by block, trailing rows empty.
        let mut wide: Vec<(String, ArrayRef)> = Vec::new();
        for c in 0..30 {
            let values: Vec<Option<f64>> = (0..40)
                .map(|r| (r < 35 && (r / 16) % 2 == c % 2 && r % 5 != 1).then_some((r * c) as f64))
                .collect();
            wide.push((format!("c{c}"), Arc::new(Float64Array::from(values))));
        }
        let wide = batch(wide.iter().map(|(n, a)| (n.as_str(), a.clone())).collect());
        let empty = batch(vec![(
            "only",
            Arc::new(StringArray::from(Vec::<Option<&str>>::new())) as ArrayRef,
        )]);
        let no_columns = RecordBatch::new_empty(Arc::new(Schema::empty()));
        let one = batch(vec![(
            "x",
            Arc::new(StringArray::from(vec![Some("")])) as ArrayRef,
        )]);
        let sheets = [
            Sheet {
                name: "ratings_summary",
                batch: &main,
                description: "Importance & more <ratings>",
            },
            Sheet {
                name: "wide/sheet:with*bad?chars[and a very long name]",
                batch: &wide,
                description: "Wide",
            },
            Sheet {
                name: "about",
                batch: &empty,
                description: "Clashes with About",
            },
            Sheet {
                name: "History",
                batch: &no_columns,
                description: "",
            },
            Sheet {
                name: "one",
                batch: &one,
                description: "One empty cell",
            },
            Sheet {
                name: "ratings_summary",
                batch: &main,
                description: "Twice",
            },
        ];
        same(&sheets, &labels());
        same(&sheets[..1], &Labels::new());
        same(&sheets[1..2], &labels());
        same(&[], &labels());
    }

    /// Parts larger than what is held ahead of the encoder are streamed
    /// (and, held too little ahead, done in full): the same bytes.
    #[test]
    fn large_parts_streamed_give_the_same_bytes() {
        let rows = 60_000;
        let big = batch(vec![
            (
                "figure_id",
                Arc::new(StringArray::from(
                    (0..rows)
                        .map(|i| Some(format!("ratings/site/Site {}/f{}", i / 22, i % 22)))
                        .collect::<Vec<_>>(),
                )) as ArrayRef,
            ),
            (
                "mean",
                Arc::new(Float64Array::from(
                    (0..rows)
                        .map(|i| Some((i % 97) as f64 / 13.0))
                        .collect::<Vec<_>>(),
                )),
            ),
            (
                "n",
                Arc::new(Int64Array::from(
                    (0..rows as i64).map(Some).collect::<Vec<_>>(),
                )),
            ),
        ]);
        let sheets = [Sheet {
            name: "big",
            batch: &big,
            description: "Big",
        }];
        let plain = crate::by_rust_xlsxwriter(&sheets, &labels(), false).expect("no error");
        for hold in [256 << 10, 1 << 10, HOLD] {
            let fast = workbook_with(&sheets, &labels(), hold)
                .expect("no error")
                .expect("the fast way");
            assert!(fast == plain, "holding {hold} bytes ahead gave other bytes");
        }
    }

    /// Dictionary columns go the fast way, and a workbook of them is the
    /// workbook of the same columns decoded, byte for byte.
    #[test]
    fn dictionary_columns_write_as_their_values() {
        use arrow_array::UInt16Array;
        use arrow_array::types::{Int8Type, UInt16Type};
        let rows = 40;
        let text: Vec<Option<String>> = (0..rows)
            .map(|i| match i % 7 {
                0 => None,
                1 => Some(String::new()),
                2 => Some(format!(" site {} ", i / 5)),
                3 => Some("a < b & _x0041_".to_owned()),
                4 if i == 4 => Some("é".repeat(40_000)),
                _ => Some(format!("S{:02}", i % 3)),
            })
            .collect();
        let plain: ArrayRef = Arc::new(StringArray::from(text.clone()));
        let reversed: ArrayRef = Arc::new(StringArray::from(
            text.iter().rev().cloned().collect::<Vec<_>>(),
        ));
        let int32: DictionaryArray<Int32Type> = text.iter().map(|t| t.as_deref()).collect();
        let int8: DictionaryArray<Int8Type> = text.iter().rev().map(|t| t.as_deref()).collect();
        // A null value and an unused one in the dictionary; null keys.
        let values = StringArray::from(vec![Some("unused"), None, Some("x"), Some("y")]);
        let keys = UInt16Array::from(
            (0..rows)
                .map(|i| (i % 5 != 0).then_some(1 + (i % 3) as u16))
                .collect::<Vec<_>>(),
        );
        let odd =
            DictionaryArray::<UInt16Type>::try_new(keys, Arc::new(values)).expect("keys in range");
        let odd_plain: ArrayRef = Arc::new(StringArray::from(
            (0..rows)
                .map(|i| match (i % 5, i % 3) {
                    (0, _) | (_, 0) => None,
                    (_, 1) => Some("x"),
                    _ => Some("y"),
                })
                .collect::<Vec<_>>(),
        ));
        // Numbers too (a big integer is a note).
        let numbers = DictionaryArray::<Int32Type>::try_new(
            Int32Array::from((0..rows).map(|i| i % 2).collect::<Vec<_>>()),
            Arc::new(Int64Array::from(vec![i64::MAX, 7])),
        )
        .expect("keys in range");
        let numbers_plain: ArrayRef = Arc::new(Int64Array::from(
            (0..rows)
                .map(|i| if i % 2 == 0 { i64::MAX } else { 7 })
                .collect::<Vec<_>>(),
        ));
        let empty = DictionaryArray::<Int32Type>::try_new(
            Int32Array::new_null(3),
            Arc::new(StringArray::from(Vec::<&str>::new())),
        )
        .expect("all keys null");
        let coded = batch(vec![
            ("scope", Arc::new(int32) as ArrayRef),
            ("site", Arc::new(int8)),
            ("odd", Arc::new(odd)),
            ("n", Arc::new(numbers)),
        ]);
        let nothing = batch(vec![("none", Arc::new(empty) as ArrayRef)]);
        let sheets = [
            Sheet {
                name: "coded",
                batch: &coded,
                description: "Categorical",
            },
            Sheet {
                name: "none",
                batch: &nothing,
                description: "",
            },
        ];
        same(&sheets, &labels());

        let decoded = batch(vec![
            ("scope", plain),
            ("site", reversed),
            ("odd", odd_plain),
            ("n", numbers_plain),
        ]);
        let nothing = batch(vec![(
            "none",
            Arc::new(StringArray::from(vec![None::<&str>; 3])) as ArrayRef,
        )]);
        let as_plain = [
            Sheet {
                name: "coded",
                batch: &decoded,
                description: "Categorical",
            },
            Sheet {
                name: "none",
                batch: &nothing,
                description: "",
            },
        ];
        let coded = workbook(&sheets, &labels())
            .expect("no error")
            .expect("the fast way");
        let decoded = workbook(&as_plain, &labels())
            .expect("no error")
            .expect("the fast way");
        assert!(
            coded == decoded,
            "a dictionary column wrote other bytes than its values"
        );
    }

    /// The shared strings are escaped here as `rust_xlsxwriter` escapes
    /// them: every control character, the characters around the escapes'
    /// edges, and text that reads as an escape, whole, cut short, with
    /// other than hex digits, overlapping or back to back.
    #[test]
    fn text_is_escaped_as_rust_xlsxwriter_escapes_it() {
        let mut text: Vec<String> = (0_u32..0x21)
            .chain([
                0x7F, 0x80, 0x9F, 0xA0, 0xD7FF, 0xE000, 0xFFFD, 0xFFFE, 0xFFFF, 0x1_0000,
            ])
            .filter_map(char::from_u32)
            .map(|c| format!("a{c}b"))
            .collect();
        for s in [
            "&",
            "<",
            ">",
            "\"",
            "'",
            "&amp;",
            "]]>",
            "_x0041_",
            "_X0041_",
            "_xabcd_",
            "_xABCD_",
            "_x004_",
            "_x00411_",
            "_x0041",
            "x0041_",
            "_x00g1_",
            "_x00é1_",
            "__x0041_",
            "_x_x0041_",
            "_x0041__x0042_",
            "_x0041_x0042_",
            "_x",
            "_",
            "end _x0041_",
            "_x0041_ start",
            "\t lead",
            "trail\n",
            " both ",
            "\r\n",
            "\u{1}_x0001_",
        ] {
            text.push(s.to_owned());
        }
        let table = batch(vec![(
            "text",
            Arc::new(StringArray::from(text.clone())) as ArrayRef,
        )]);
        let sheets = [Sheet {
            name: "escapes",
            batch: &table,
            description: "_x0041_ & <escapes>",
        }];
        same(&sheets, &Labels::new());
        // Each string shows in the shared strings as itself, not borrowed.
        for s in ["plain text", "é and 🦀", "tab\tand\nnewline", "x0041_"] {
            assert!(matches!(xml_text(s), Cow::Borrowed(_)), "{s:?}");
        }
    }

    #[test]
    fn rich_looking_text_and_dates_go_the_plain_way() {
        let rich = batch(vec![(
            "t",
            Arc::new(StringArray::from(vec![Some("<r>x</r>")])) as ArrayRef,
        )]);
        let sheets = [Sheet {
            name: "t",
            batch: &rich,
            description: "",
        }];
        assert!(workbook(&sheets, &labels()).expect("no error").is_none());
        let dates = batch(vec![(
            "d",
            Arc::new(arrow_array::Date32Array::from(vec![Some(1)])) as ArrayRef,
        )]);
        let sheets = [Sheet {
            name: "d",
            batch: &dates,
            description: "",
        }];
        assert!(workbook(&sheets, &labels()).expect("no error").is_none());
    }
}
