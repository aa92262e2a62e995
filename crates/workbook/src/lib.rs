//! Output tables as one Excel workbook, for colleagues who work in Excel or SPSS.
//!
//! The main function is [`workbook`]: it takes the tables ([`Sheet`]s, each an
//! Arrow [`RecordBatch`]) and their [`Labels`], and returns the bytes of an
//! `.xlsx` file. It touches no file system.
//!
//! Two design choices matter:
//!
//! - **Deterministic bytes.** The same input gives the same bytes on every run
//!   and every machine. The document's creation time is fixed
//!   ([`CREATION_TIME`]) rather than "now", every zip entry carries the fixed
//!   DOS timestamp 1980-01-01 00:00:00 written by `rust_xlsxwriter`, and
//!   nothing in the output depends on hash order, the clock or the locale.
//!   Bytes can still change when a dependency that writes or compresses them
//!   (`rust_xlsxwriter`, `zip`, `flate2`, `zlib-rs`) changes version; the
//!   lock file pins them.
//! - **Labels kept apart from the data.** Every data sheet is a plain
//!   rectangle: one bold, frozen, filterable header row of column names, then
//!   one row per record, with codes left as codes. Human column labels, value
//!   labels for coded columns and the table descriptions go to a first sheet,
//!   `About`, itself a plain table. SPSS (and R, pandas, Stata) import any
//!   sheet as it is, with the column names as variable names, and the value
//!   labels can be applied from `About`.
//!
//! Cells: numbers as numbers, booleans as `TRUE`/`FALSE`, nulls as empty
//! cells, strings as strings, dates and timestamps as Excel dates (UTC). What
//! Excel cannot hold exactly is written in the nearest safe form and listed as
//! a `note` row in `About`: text over 32,767 characters (truncated), integers
//! beyond ±2^53 (written as text) and NaN or infinite floats (empty cells).
//! A table longer than a sheet (1,048,575 rows below the header) continues
//! on sheets named `<table> (2)`, `<table> (3)`, ..., each listed in `About`
//! with the rows it holds. Nested and binary Arrow types give [`WorkbookError::UnsupportedType`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal32Type, Decimal64Type, Decimal128Type, Decimal256Type,
    DecimalType, Float16Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type,
    Time32MillisecondType, Time32SecondType, Time64MicrosecondType, Time64NanosecondType,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, PrimitiveArray, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet};

mod fast;

/// The creation (and modification) time written into the document
/// properties, fixed so that the bytes never depend on the clock.
pub const CREATION_TIME: &str = "2011-03-01T00:00:00Z";
/// [`CREATION_TIME`] as (year, month, day) at midnight UTC.
const CREATION_DATE: (u16, u8, u8) = (2011, 3, 1);

/// Name of the first sheet, which describes all the others.
pub const ABOUT_SHEET: &str = "About";

/// Excel's limit on the text in one cell, in UTF-16 code units.
const MAX_CELL_TEXT: usize = 32_767;
/// Appended to text cut to [`MAX_CELL_TEXT`].
const TRUNCATED_MARK: &str = "… [truncated]";
/// Excel's limit on a sheet name, in UTF-16 code units.
const MAX_SHEET_NAME: usize = 31;
/// Excel's rows per sheet, the header row included.
const MAX_ROWS: usize = 1_048_576;
/// Excel's columns per sheet.
const MAX_COLUMNS: usize = 16_384;
/// Integers beyond this magnitude lose precision as an Excel number.
const MAX_EXACT_INTEGER: u64 = 1 << 53;
/// Column width bounds, in Excel character units.
const MIN_WIDTH: f64 = 6.0;
const MAX_WIDTH: f64 = 60.0;
/// Rows listed by number in one note before the rest are only counted.
const NOTE_ROWS_LISTED: usize = 10;
/// Excel's serial number of 1970-01-01.
const UNIX_EPOCH_SERIAL: i64 = 25_569;
/// Excel's serial numbers of 1900-03-01 and 9999-12-31: the dates it can show
/// (it believes 1900 was a leap year, so earlier serials are off by one).
const FIRST_SAFE_SERIAL: i64 = 61;
const LAST_SERIAL: i64 = 2_958_465;

/// One output table, written as one sheet.
#[derive(Debug, Clone, Copy)]
pub struct Sheet<'a> {
    /// Table name, e.g. `ratings_summary`. The sheet name is this, made valid
    /// for Excel (31 characters at most, no `[]:*?/\`, unique).
    pub name: &'a str,
    /// The table's data.
    pub batch: &'a RecordBatch,
    /// One-line description of the table, listed in the `About` sheet.
    pub description: &'a str,
}

/// Human labels for columns, and value labels for coded columns.
///
/// Labels are matched by column name in every sheet, and are listed in the
/// `About` sheet, never written over the data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Labels {
    columns: BTreeMap<String, ColumnLabels>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct ColumnLabels {
    label: Option<String>,
    /// In the order given: the order of an ordinal scale's codes matters.
    values: Vec<(String, String)>,
}

impl Labels {
    /// No labels.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the human label of `column`, e.g. `supervision_type` ->
    /// "Type of supervision". A second call replaces the label.
    pub fn column(&mut self, column: &str, label: &str) {
        self.columns.entry(column.to_owned()).or_default().label = Some(label.to_owned());
    }

    /// Sets the label of `code` in the coded `column`, e.g. `supervision` ->
    /// "Supervision and team support". Codes keep the order of their first
    /// call; a second call for the same code replaces its label.
    pub fn values(&mut self, column: &str, code: &str, label: &str) {
        let values = &mut self.columns.entry(column.to_owned()).or_default().values;
        match values.iter_mut().find(|(c, _)| c == code) {
            Some(entry) => entry.1 = label.to_owned(),
            None => values.push((code.to_owned(), label.to_owned())),
        }
    }

    /// The human label of `column`, if set.
    pub fn column_label(&self, column: &str) -> Option<&str> {
        self.columns.get(column)?.label.as_deref()
    }

    /// The value labels of `column` as (code, label), in the order given.
    pub fn value_labels(&self, column: &str) -> impl Iterator<Item = (&str, &str)> {
        self.columns.get(column).into_iter().flat_map(|c| {
            c.values
                .iter()
                .map(|(code, label)| (code.as_str(), label.as_str()))
        })
    }
}

/// Why a workbook could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkbookError {
    /// A column's Arrow type has no cell form (nested, binary, interval, ...).
    #[error(
        "table `{table}`, column `{column}`: Arrow type {data_type} cannot be written to a workbook; cast it to text or numbers first"
    )]
    UnsupportedType {
        table: String,
        column: String,
        data_type: String,
    },
    /// A table is wider than one Excel sheet (a longer one is cut into
    /// parts), or `About` itself is longer.
    #[error(
        "table `{table}` has {rows} rows and {columns} columns; an Excel sheet holds at most {} rows below the header and {MAX_COLUMNS} columns",
        MAX_ROWS - 1
    )]
    TooLarge {
        table: String,
        rows: usize,
        columns: usize,
    },
    /// The xlsx writer refused something (a bug here if it happens).
    #[error("writing the workbook failed: {0}")]
    Xlsx(String),
    /// The writer asked for is not in this build.
    #[error(
        "the workbook writer `{0}` is not in this build (`cargo build --release -p crosscase -p workbook --features workbook/low-memory` has it)"
    )]
    NotBuilt(&'static str),
}

impl From<rust_xlsxwriter::XlsxError> for WorkbookError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        WorkbookError::Xlsx(e.to_string())
    }
}

/// Writes `sheets` as one `.xlsx` workbook and returns its bytes.
///
/// The first sheet is `About`, one row per table (`kind` = `table`, its
/// shape in `type` and its description in `label`), per column (`column`:
/// Arrow type, a dictionary's value type, and human label)
/// and per value label (`value`: code and label), plus `note` rows for any
/// value that Excel could not hold as it was. Then one sheet per table, in
/// the order given.
///
/// The same arguments always give the same bytes.
pub fn workbook(sheets: &[Sheet], labels: &Labels) -> Result<Vec<u8>, WorkbookError> {
    workbook_with(sheets, labels, Writer::Fast)
}

/// Who writes a workbook's XML and zip. Every writer gives a workbook of the
/// same sheets, cells, widths, frozen headers and filters; [`Writer::Fast`]
/// and [`Writer::RustXlsxwriter`] give the same bytes (tested on every table
/// of the demo). The others are there to be measured against
/// [`Writer::Fast`] (`just bench --workbook-writers`, `bench/results.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Writer {
    /// `rust_xlsxwriter` writes a skeleton workbook without the data
    /// sheets' cells, which are written here straight from the Arrow
    /// columns, the parts deflated in parallel (`fast.rs`). Where it cannot
    /// give `rust_xlsxwriter`'s bytes (dates, decimals), `RustXlsxwriter`
    /// writes the workbook instead.
    #[default]
    Fast,
    /// `rust_xlsxwriter` writes everything, holding every cell in its
    /// worksheets' cell tables until it saves.
    RustXlsxwriter,
    /// `rust_xlsxwriter`'s low-memory worksheets, each row written out to a
    /// temporary file as the next begins. Only in a build with this crate's
    /// `low-memory` feature: the temporary files break the rule that only
    /// `pipeline` touches the file system, so it is there to be measured.
    RustXlsxwriterLowMemory,
}

impl Writer {
    /// The writer's name, as a pipeline file gives it.
    pub fn name(self) -> &'static str {
        match self {
            Writer::Fast => "fast",
            Writer::RustXlsxwriter => "rust_xlsxwriter",
            Writer::RustXlsxwriterLowMemory => "rust_xlsxwriter_low_memory",
        }
    }

    /// Whether this build has the writer.
    pub fn is_built(self) -> bool {
        self != Writer::RustXlsxwriterLowMemory || cfg!(feature = "low-memory")
    }
}

/// [`workbook`], written by `writer`.
pub fn workbook_with(
    sheets: &[Sheet],
    labels: &Labels,
    writer: Writer,
) -> Result<Vec<u8>, WorkbookError> {
    let parts = long_tables_in_parts(sheets, MAX_ROWS - 1);
    let part_sheets: Vec<Sheet> = parts.iter().map(Part::sheet).collect();
    let sheets = if parts.is_empty() {
        sheets
    } else {
        &part_sheets
    };
    match writer {
        Writer::Fast => match fast::workbook(sheets, labels)? {
            Some(bytes) => Ok(bytes),
            None => by_rust_xlsxwriter(sheets, labels, false),
        },
        Writer::RustXlsxwriter => by_rust_xlsxwriter(sheets, labels, false),
        Writer::RustXlsxwriterLowMemory if writer.is_built() => {
            by_rust_xlsxwriter(sheets, labels, true)
        }
        Writer::RustXlsxwriterLowMemory => Err(WorkbookError::NotBuilt(writer.name())),
    }
}

/// One sheet's share of a table: the whole table, or one part of a table
/// longer than a sheet allows.
struct Part {
    name: String,
    batch: RecordBatch,
    description: String,
}

impl Part {
    fn sheet(&self) -> Sheet<'_> {
        Sheet {
            name: &self.name,
            batch: &self.batch,
            description: &self.description,
        }
    }
}

/// When some table has more than `rows_per_sheet` rows: every table as the
/// sheets it needs, a long one cut into parts of `rows_per_sheet` rows named
/// `ratings_summary`, `ratings_summary (2)`, ..., each part's description
/// saying which rows it holds (the `About` sheet lists it). Empty when every
/// table fits, which is the usual case and costs nothing.
fn long_tables_in_parts(sheets: &[Sheet], rows_per_sheet: usize) -> Vec<Part> {
    if sheets.iter().all(|s| s.batch.num_rows() <= rows_per_sheet) {
        return Vec::new();
    }
    let mut parts = Vec::new();
    for sheet in sheets {
        let rows = sheet.batch.num_rows();
        let count = rows.div_ceil(rows_per_sheet).max(1);
        if count == 1 {
            parts.push(Part {
                name: sheet.name.to_owned(),
                batch: sheet.batch.clone(),
                description: sheet.description.to_owned(),
            });
            continue;
        }
        for k in 0..count {
            let first = k * rows_per_sheet;
            let length = rows_per_sheet.min(rows - first);
            let name = if k == 0 {
                sheet.name.to_owned()
            } else {
                // The suffix survives the cut to Excel's 31 characters.
                let suffix = format!(" ({})", k + 1);
                let stem = truncate_utf16(sheet.name, MAX_SHEET_NAME - suffix.len());
                format!("{stem}{suffix}")
            };
            parts.push(Part {
                name,
                batch: sheet.batch.slice(first, length),
                description: format!(
                    "{} Table `{}`, part {} of {count}: rows {} to {} of {rows} (an Excel sheet holds {rows_per_sheet} rows below its header).",
                    sheet.description,
                    sheet.name,
                    k + 1,
                    first + 1,
                    first + length,
                ),
            });
        }
    }
    parts
}

/// A workbook with the document properties every writer sets.
fn new_book() -> Result<Workbook, WorkbookError> {
    let mut book = Workbook::new();
    let (year, month, day) = CREATION_DATE;
    let creation_time = ExcelDateTime::from_ymd(year, month, day)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&creation_time));
    Ok(book)
}

/// [`workbook`] with every cell given to `rust_xlsxwriter`, in standard or
/// low-memory worksheets: what [`fast::workbook`] reproduces, and the way
/// taken where it does not.
///
/// Rows are written in order, sheet by sheet, `About` first (its notes
/// found beforehand): a low-memory worksheet takes rows only in order and
/// numbers the shared strings as they come, which standard worksheets do
/// when saved, in the same order.
fn by_rust_xlsxwriter(
    sheets: &[Sheet],
    labels: &Labels,
    low_memory: bool,
) -> Result<Vec<u8>, WorkbookError> {
    let formats = Formats::new();
    let mut book = new_book()?;
    let names = sheet_names(sheets.iter().map(|s| s.name));
    let mut about = About::default();
    for (sheet, name) in sheets.iter().zip(&names) {
        about.table(name, sheet, labels, notes(sheet));
    }
    about.write(add_worksheet(&mut book, ABOUT_SHEET, low_memory)?, &formats)?;
    for (sheet, name) in sheets.iter().zip(&names) {
        write_table(add_worksheet(&mut book, name, low_memory)?, sheet, &formats)?;
    }
    Ok(book.save_to_buffer()?)
}

/// A new worksheet named `name`, standard or low-memory.
fn add_worksheet<'b>(
    book: &'b mut Workbook,
    name: &str,
    low_memory: bool,
) -> Result<&'b mut Worksheet, WorkbookError> {
    let worksheet = if low_memory {
        low_memory_worksheet(book)?
    } else {
        book.add_worksheet()
    };
    worksheet.set_name(name)?;
    Ok(worksheet)
}

#[cfg(feature = "low-memory")]
fn low_memory_worksheet(book: &mut Workbook) -> Result<&mut Worksheet, WorkbookError> {
    Ok(book.add_worksheet_with_low_memory()?)
}

#[cfg(not(feature = "low-memory"))]
fn low_memory_worksheet(_: &mut Workbook) -> Result<&mut Worksheet, WorkbookError> {
    Err(WorkbookError::NotBuilt(
        Writer::RustXlsxwriterLowMemory.name(),
    ))
}

/// Cell formats shared by all sheets.
struct Formats {
    header: Format,
    date: Format,
    datetime: Format,
    time: Format,
    wrap: Format,
}

impl Formats {
    fn new() -> Self {
        Formats {
            header: Format::new().set_bold(),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            datetime: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
            time: Format::new().set_num_format("hh:mm:ss"),
            wrap: Format::new().set_text_wrap(),
        }
    }
}

/// Valid, unique (case-insensitively, as Excel compares) sheet names: the
/// first is reserved for `About`.
fn sheet_names<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut taken = BTreeSet::from([ABOUT_SHEET.to_lowercase()]);
    names
        .map(|name| {
            let base: String = name
                .chars()
                .map(|c| match c {
                    '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '_',
                    c if c.is_control() => '_',
                    c => c,
                })
                .collect();
            let base = base.trim_matches('\'');
            let base = match base {
                "" => "Sheet".to_owned(),
                // Excel reserves this name for its change history.
                b if b.eq_ignore_ascii_case("history") => format!("{b}_"),
                b => b.to_owned(),
            };
            let mut candidate = truncate_utf16(&base, MAX_SHEET_NAME)
                .trim_end_matches('\'')
                .to_owned();
            let mut n = 1_usize;
            while !taken.insert(candidate.to_lowercase()) {
                n += 1;
                let suffix = format!("~{n}");
                let stem = truncate_utf16(&base, MAX_SHEET_NAME - suffix.len());
                let stem = stem.trim_end_matches('\'');
                candidate = format!("{stem}{suffix}");
            }
            candidate
        })
        .collect()
}

/// The longest prefix of `s` of at most `max` UTF-16 code units, cut at a
/// character boundary.
fn truncate_utf16(s: &str, max: usize) -> &str {
    let mut units = 0;
    for (i, c) in s.char_indices() {
        units += c.len_utf16();
        if units > max {
            return &s[..i];
        }
    }
    s
}

/// `s` if Excel can hold it in one cell, else its longest prefix that can,
/// with [`TRUNCATED_MARK`].
fn cell_text(s: &str) -> (std::borrow::Cow<'_, str>, bool) {
    if s.len() <= MAX_CELL_TEXT || s.encode_utf16().count() <= MAX_CELL_TEXT {
        return (s.into(), false);
    }
    let keep = truncate_utf16(s, MAX_CELL_TEXT - TRUNCATED_MARK.encode_utf16().count());
    (format!("{keep}{TRUNCATED_MARK}").into(), true)
}

/// Display width in characters, counted only up to what a column shows.
fn text_width(s: &str) -> usize {
    s.chars().take(MAX_WIDTH as usize + 1).count()
}

/// Column width for content of `chars` characters.
fn column_width(chars: usize, bold: bool) -> f64 {
    // Chars are at most MAX_WIDTH + 1 here, so the cast is exact.
    let chars = chars.min(MAX_WIDTH as usize + 1) as f64;
    let chars = if bold { chars * 1.1 } else { chars };
    (chars + 2.0).clamp(MIN_WIDTH, MAX_WIDTH)
}

/// What a note is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Issue {
    Truncated,
    BigInteger,
    NotFinite,
}

impl Issue {
    fn describe(self) -> &'static str {
        match self {
            Issue::Truncated => {
                "text longer than Excel's 32,767 characters per cell, truncated and marked \"… [truncated]\""
            }
            Issue::BigInteger => {
                "integer beyond ±2^53, which Excel cannot hold exactly, written as text"
            }
            Issue::NotFinite => "NaN or infinite number, which Excel cannot hold, left empty",
        }
    }
}

/// Rows (1-based, as Excel shows them) with an issue, by column and issue.
type Notes = BTreeMap<(usize, Issue), Vec<usize>>;

/// The notes of one table: its values that Excel cannot hold as they are.
fn notes(sheet: &Sheet) -> Notes {
    let mut notes = Notes::new();
    for (c, array) in sheet.batch.columns().iter().enumerate() {
        let Some(reader) = ColumnReader::new(array.as_ref()) else {
            continue;
        };
        use DataType as T;
        // Only text, 64-bit integers and floats can hold such values.
        let text = matches!(
            reader.array.data_type(),
            T::Utf8 | T::LargeUtf8 | T::Utf8View
        );
        let number = matches!(
            reader.array.data_type(),
            T::Int64 | T::UInt64 | T::Float16 | T::Float32 | T::Float64
        );
        if !(text || number) {
            continue;
        }
        for r in 0..sheet.batch.num_rows() {
            let issue = if text {
                match reader.text(r) {
                    Some(s) if cell_text(s).1 => Issue::Truncated,
                    _ => continue,
                }
            } else {
                match reader.cell(r) {
                    Cell::BigInteger(_) => Issue::BigInteger,
                    Cell::NotFinite => Issue::NotFinite,
                    _ => continue,
                }
            };
            notes.entry((c, issue)).or_default().push(r + 2);
        }
    }
    notes
}

/// Writes one table, row by row (as a low-memory worksheet takes them).
fn write_table(
    worksheet: &mut Worksheet,
    sheet: &Sheet,
    formats: &Formats,
) -> Result<(), WorkbookError> {
    let batch = sheet.batch;
    let schema = batch.schema();
    let (rows, columns) = (batch.num_rows(), batch.num_columns());
    let too_large = || WorkbookError::TooLarge {
        table: sheet.name.to_owned(),
        rows,
        columns,
    };
    if rows >= MAX_ROWS || columns > MAX_COLUMNS {
        return Err(too_large());
    }
    // Checked against Excel's limits above, so these fit.
    let last_row = u32::try_from(rows).map_err(|_| too_large())?;
    let mut readers = Vec::with_capacity(columns);
    let mut widths = Vec::with_capacity(columns);
    for (c, (field, array)) in schema.fields().iter().zip(batch.columns()).enumerate() {
        let col = u16::try_from(c).map_err(|_| too_large())?;
        let reader =
            ColumnReader::new(array.as_ref()).ok_or_else(|| WorkbookError::UnsupportedType {
                table: sheet.name.to_owned(),
                column: field.name().clone(),
                data_type: field.data_type().to_string(),
            })?;
        readers.push((col, reader));
        let (header, _) = cell_text(field.name());
        worksheet.write_string_with_format(0, col, header.as_ref(), &formats.header)?;
        widths.push(column_width(text_width(field.name()), true));
    }

    for (r, row) in (1..=last_row).enumerate() {
        for ((col, reader), width) in readers.iter().zip(&mut widths) {
            let col = *col;
            let chars = match reader.cell(r) {
                Cell::Blank | Cell::NotFinite => 0,
                Cell::Number(x) => {
                    worksheet.write_number(row, col, x)?;
                    number_width(x)
                }
                Cell::Bool(b) => {
                    worksheet.write_boolean(row, col, b)?;
                    5
                }
                Cell::Text(s) => {
                    let (text, _) = cell_text(&s);
                    worksheet.write_string(row, col, text.as_ref())?;
                    text_width(&text)
                }
                Cell::BigInteger(s) => {
                    worksheet.write_string(row, col, &s)?;
                    text_width(&s)
                }
                Cell::Date(serial, kind) => {
                    let (format, chars) = match kind {
                        DateKind::Date => (&formats.date, 10),
                        DateKind::DateTime => (&formats.datetime, 19),
                        DateKind::Time => (&formats.time, 8),
                    };
                    worksheet.write_number_with_format(row, col, serial, format)?;
                    chars
                }
            };
            *width = width.max(column_width(chars, false));
        }
    }
    for ((col, _), width) in readers.iter().zip(&widths) {
        worksheet.set_column_width(*col, *width)?;
    }

    worksheet.set_freeze_panes(1, 0)?;
    if columns > 0 {
        let last_col = u16::try_from(columns - 1).map_err(|_| too_large())?;
        worksheet.autofilter(0, 0, last_row, last_col)?;
    }
    Ok(())
}

/// Characters Excel's General format shows for `x`, roughly.
fn number_width(x: f64) -> usize {
    let mut s = String::new();
    let _ = write!(s, "{x}");
    // General shows at most about 11 significant digits.
    s.len().min(12)
}

/// One cell's content.
enum Cell {
    Blank,
    Number(f64),
    Bool(bool),
    Text(String),
    /// An integer Excel cannot hold exactly, as text.
    BigInteger(String),
    NotFinite,
    /// Excel serial date-time and how to show it.
    Date(f64, DateKind),
}

#[derive(Clone, Copy)]
enum DateKind {
    Date,
    DateTime,
    Time,
}

/// Reads cells of one column, looking through a dictionary once.
struct ColumnReader<'a> {
    array: &'a dyn Array,
    /// For a dictionary column: `array` is its values, this its keys.
    keys: Option<(&'a dyn Array, Vec<usize>)>,
}

impl<'a> ColumnReader<'a> {
    /// `None` if the column's type has no cell form.
    fn new(array: &'a dyn Array) -> Option<Self> {
        if let Some(dict) = array.as_any_dictionary_opt() {
            let values = dict.values().as_ref();
            if !supported(values.data_type()) {
                return None;
            }
            // normalized_keys panics on empty values; every key is null then.
            let keys = if values.is_empty() {
                Vec::new()
            } else {
                dict.normalized_keys()
            };
            return Some(ColumnReader {
                array: values,
                keys: Some((array, keys)),
            });
        }
        supported(array.data_type()).then_some(ColumnReader { array, keys: None })
    }

    /// Where `row`'s value is in `array`; `None` for no value (null, or a
    /// null key or one past the dictionary).
    fn index(&self, row: usize) -> Option<usize> {
        let index = match &self.keys {
            None => row,
            Some((dict, keys)) => {
                if dict.is_null(row) {
                    return None;
                }
                *keys.get(row)?
            }
        };
        (index < self.array.len() && !self.array.is_null(index)).then_some(index)
    }

    fn cell(&self, row: usize) -> Cell {
        match self.index(row) {
            Some(index) => value(self.array, index),
            None => Cell::Blank,
        }
    }

    /// `row`'s text, borrowed, in a text column.
    fn text(&self, row: usize) -> Option<&'a str> {
        let i = self.index(row)?;
        match self.array.data_type() {
            DataType::Utf8 => Some(self.array.as_string::<i32>().value(i)),
            DataType::LargeUtf8 => Some(self.array.as_string::<i64>().value(i)),
            DataType::Utf8View => Some(self.array.as_string_view().value(i)),
            _ => None,
        }
    }
}

/// Types [`value`] can read (dictionaries are looked through by the caller).
fn supported(data_type: &DataType) -> bool {
    use DataType as T;
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
            | T::Decimal32(..)
            | T::Decimal64(..)
            | T::Decimal128(..)
            | T::Decimal256(..)
            | T::Utf8
            | T::LargeUtf8
            | T::Utf8View
            | T::Date32
            | T::Date64
            | T::Timestamp(..)
            | T::Time32(TimeUnit::Second | TimeUnit::Millisecond)
            | T::Time64(TimeUnit::Microsecond | TimeUnit::Nanosecond)
    )
}

/// The cell for the non-null value at `i` of `array`, whose type is
/// [`supported`].
fn value(array: &dyn Array, i: usize) -> Cell {
    fn float(x: f64) -> Cell {
        if x.is_finite() {
            Cell::Number(x)
        } else {
            Cell::NotFinite
        }
    }
    fn signed(x: i64) -> Cell {
        if x.unsigned_abs() <= MAX_EXACT_INTEGER {
            // Exact: |x| <= 2^53.
            Cell::Number(x as f64)
        } else {
            Cell::BigInteger(x.to_string())
        }
    }
    fn unsigned(x: u64) -> Cell {
        if x <= MAX_EXACT_INTEGER {
            // Exact: x <= 2^53.
            Cell::Number(x as f64)
        } else {
            Cell::BigInteger(x.to_string())
        }
    }
    fn decimal<T: DecimalType>(array: &dyn Array, i: usize) -> Cell {
        let text = array.as_primitive::<T>().value_as_string(i);
        match text.parse::<f64>() {
            Ok(x) if x.is_finite() => Cell::Number(x),
            _ => Cell::Text(text),
        }
    }
    fn prim<T: arrow_array::ArrowPrimitiveType>(array: &dyn Array) -> &PrimitiveArray<T> {
        array.as_primitive::<T>()
    }

    use DataType as T;
    match array.data_type() {
        T::Boolean => Cell::Bool(array.as_boolean().value(i)),
        T::Int8 => signed(prim::<Int8Type>(array).value(i).into()),
        T::Int16 => signed(prim::<Int16Type>(array).value(i).into()),
        T::Int32 => signed(prim::<Int32Type>(array).value(i).into()),
        T::Int64 => signed(prim::<Int64Type>(array).value(i)),
        T::UInt8 => unsigned(prim::<UInt8Type>(array).value(i).into()),
        T::UInt16 => unsigned(prim::<UInt16Type>(array).value(i).into()),
        T::UInt32 => unsigned(prim::<UInt32Type>(array).value(i).into()),
        T::UInt64 => unsigned(prim::<UInt64Type>(array).value(i)),
        T::Float16 => float(prim::<Float16Type>(array).value(i).to_f64()),
        T::Float32 => float(prim::<Float32Type>(array).value(i).into()),
        T::Float64 => float(prim::<Float64Type>(array).value(i)),
        T::Decimal32(..) => decimal::<Decimal32Type>(array, i),
        T::Decimal64(..) => decimal::<Decimal64Type>(array, i),
        T::Decimal128(..) => decimal::<Decimal128Type>(array, i),
        T::Decimal256(..) => decimal::<Decimal256Type>(array, i),
        T::Utf8 => Cell::Text(array.as_string::<i32>().value(i).to_owned()),
        T::LargeUtf8 => Cell::Text(array.as_string::<i64>().value(i).to_owned()),
        T::Utf8View => Cell::Text(array.as_string_view().value(i).to_owned()),
        T::Date32 => date(
            i64::from(prim::<Date32Type>(array).value(i)),
            0,
            DateKind::Date,
        ),
        T::Date64 => {
            let ms = prim::<Date64Type>(array).value(i);
            date_time(i128::from(ms), 1_000, DateKind::Date)
        }
        T::Timestamp(unit, _) => {
            let (v, per_second) = match unit {
                TimeUnit::Second => (prim::<TimestampSecondType>(array).value(i), 1),
                TimeUnit::Millisecond => (prim::<TimestampMillisecondType>(array).value(i), 1_000),
                TimeUnit::Microsecond => {
                    (prim::<TimestampMicrosecondType>(array).value(i), 1_000_000)
                }
                TimeUnit::Nanosecond => (
                    prim::<TimestampNanosecondType>(array).value(i),
                    1_000_000_000,
                ),
            };
            date_time(i128::from(v), per_second, DateKind::DateTime)
        }
        T::Time32(TimeUnit::Second) => time(prim::<Time32SecondType>(array).value(i).into(), 1),
        T::Time32(_) => time(prim::<Time32MillisecondType>(array).value(i).into(), 1_000),
        T::Time64(TimeUnit::Microsecond) => {
            time(prim::<Time64MicrosecondType>(array).value(i), 1_000_000)
        }
        T::Time64(_) => time(prim::<Time64NanosecondType>(array).value(i), 1_000_000_000),
        // Null, and anything `supported` let through by mistake.
        _ => Cell::Blank,
    }
}

/// A date `days` after 1970-01-01 plus `fraction_ns` nanoseconds into it.
fn date(days: i64, fraction_ns: i64, kind: DateKind) -> Cell {
    let serial = days.saturating_add(UNIX_EPOCH_SERIAL);
    if (FIRST_SAFE_SERIAL..=LAST_SERIAL).contains(&serial) {
        // Exact: |serial| < 2^22, and the fraction is < 1.
        let x = serial as f64 + fraction_ns as f64 / 86_400e9;
        return Cell::Date(x, kind);
    }
    // Outside Excel's dates: ISO 8601 text.
    let (y, m, d) = civil_from_days(days);
    let mut s = format!("{y:04}-{m:02}-{d:02}");
    if let DateKind::DateTime = kind {
        let secs = fraction_ns / 1_000_000_000;
        let _ = write!(
            s,
            "T{:02}:{:02}:{:02}",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        );
    }
    Cell::Text(s)
}

/// A point in time `v` units (`per_second` a second) after 1970-01-01.
fn date_time(v: i128, per_second: i128, kind: DateKind) -> Cell {
    let per_day = per_second * 86_400;
    let days = v.div_euclid(per_day);
    let rest = v.rem_euclid(per_day);
    let fraction_ns = rest * (1_000_000_000 / per_second);
    match i64::try_from(days) {
        // rest < one day in ns, which fits an i64.
        Ok(days) => date(days, i64::try_from(fraction_ns).unwrap_or(0), kind),
        Err(_) => Cell::Text(v.to_string()),
    }
}

/// A time of day `v` units (`per_second` a second) after midnight.
fn time(v: i64, per_second: i64) -> Cell {
    let per_day = per_second as f64 * 86_400.0;
    let x = v as f64 / per_day;
    if (0.0..1.0).contains(&x) {
        Cell::Date(x, DateKind::Time)
    } else {
        Cell::Text(v.to_string())
    }
}

/// (year, month, day) of the date `days` after 1970-01-01, in the proleptic
/// Gregorian calendar (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = i128::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i128::from(m <= 2);
    // |y| < 2^50 for any i64 day count.
    (y as i64, m as i64, d as i64)
}

/// A column's type as `About` shows it: what its cells hold, so a
/// dictionary-encoded (categorical) column shows as its values' type and
/// the workbook does not depend on how a table stores its text.
fn shown_type(data_type: &DataType) -> String {
    match data_type {
        DataType::Dictionary(_, values) => shown_type(values),
        t => t.to_string(),
    }
}

/// The `About` sheet's rows.
#[derive(Default)]
struct About {
    rows: Vec<[String; ABOUT_COLUMNS.len()]>,
}

/// `About`'s columns: a plain table, so it imports like the data sheets.
const ABOUT_COLUMNS: [&str; 8] = [
    "sheet",
    "table",
    "kind",
    "column",
    "type",
    "label",
    "code",
    "value_label",
];

impl About {
    fn table(&mut self, sheet_name: &str, sheet: &Sheet, labels: &Labels, notes: Notes) {
        let row = |kind: &str, column: &str, ty: String, label: &str, code: &str, value: &str| {
            [
                sheet_name.to_owned(),
                sheet.name.to_owned(),
                kind.to_owned(),
                column.to_owned(),
                ty,
                label.to_owned(),
                code.to_owned(),
                value.to_owned(),
            ]
        };
        let schema = sheet.batch.schema();
        let shape = format!(
            "{} rows × {} columns",
            sheet.batch.num_rows(),
            sheet.batch.num_columns()
        );
        self.rows
            .push(row("table", "", shape, sheet.description, "", ""));
        for field in schema.fields() {
            let name = field.name();
            let label = labels.column_label(name).unwrap_or("");
            self.rows.push(row(
                "column",
                name,
                shown_type(field.data_type()),
                label,
                "",
                "",
            ));
            for (code, value) in labels.value_labels(name) {
                self.rows
                    .push(row("value", name, String::new(), "", code, value));
            }
        }
        for ((c, issue), rows) in notes {
            let column = schema.fields().get(c).map_or("", |f| f.name().as_str());
            let mut text = format!("{} value(s): {}; row(s) ", rows.len(), issue.describe());
            for (k, r) in rows.iter().take(NOTE_ROWS_LISTED).enumerate() {
                let sep = if k == 0 { "" } else { ", " };
                let _ = write!(text, "{sep}{r}");
            }
            if rows.len() > NOTE_ROWS_LISTED {
                let _ = write!(text, " and {} more", rows.len() - NOTE_ROWS_LISTED);
            }
            self.rows
                .push(row("note", column, String::new(), &text, "", ""));
        }
    }

    fn write(&self, worksheet: &mut Worksheet, formats: &Formats) -> Result<(), WorkbookError> {
        let too_large = || WorkbookError::TooLarge {
            table: ABOUT_SHEET.to_owned(),
            rows: self.rows.len(),
            columns: ABOUT_COLUMNS.len(),
        };
        if self.rows.len() >= MAX_ROWS {
            return Err(too_large());
        }
        // Long descriptions and labels wrap within their bounded width (set
        // before the cells, which take their column's format when written).
        for name in ["label", "value_label"] {
            if let Some(c) = ABOUT_COLUMNS.iter().position(|n| *n == name) {
                let col = u16::try_from(c).map_err(|_| too_large())?;
                worksheet.set_column_format(col, &formats.wrap)?;
            }
        }
        let mut widths = [0.0_f64; ABOUT_COLUMNS.len()];
        for (c, name) in ABOUT_COLUMNS.iter().enumerate() {
            let col = u16::try_from(c).map_err(|_| too_large())?;
            worksheet.write_string_with_format(0, col, *name, &formats.header)?;
            widths[c] = column_width(text_width(name), true);
        }
        for (r, cells) in self.rows.iter().enumerate() {
            let row = u32::try_from(r + 1).map_err(|_| too_large())?;
            for (c, text) in cells.iter().enumerate() {
                if text.is_empty() {
                    continue;
                }
                let col = u16::try_from(c).map_err(|_| too_large())?;
                let (text, _) = cell_text(text);
                worksheet.write_string(row, col, text.as_ref())?;
                widths[c] = widths[c].max(column_width(text_width(&text), false));
            }
        }
        for (c, width) in widths.iter().enumerate() {
            let col = u16::try_from(c).map_err(|_| too_large())?;
            worksheet.set_column_width(col, *width)?;
        }
        worksheet.set_freeze_panes(1, 0)?;
        let last_row = u32::try_from(self.rows.len()).map_err(|_| too_large())?;
        let last_col = u16::try_from(ABOUT_COLUMNS.len() - 1).map_err(|_| too_large())?;
        worksheet.autofilter(0, 0, last_row, last_col)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{Int64Array, RecordBatch};

    use super::{Sheet, long_tables_in_parts};

    fn numbers(n: i64) -> RecordBatch {
        RecordBatch::try_from_iter([("n", Arc::new(Int64Array::from_iter_values(1..=n)) as _)])
            .unwrap()
    }

    #[test]
    fn a_long_table_is_cut_into_parts_named_and_described_in_order() {
        let (short, long) = (numbers(3), numbers(11));
        let long_name = "a_table_named_thirty_one_chars_";
        let sheets = [
            Sheet {
                name: "short",
                batch: &short,
                description: "Short.",
            },
            Sheet {
                name: long_name,
                batch: &long,
                description: "Long.",
            },
        ];
        let parts = long_tables_in_parts(&sheets, 4);
        let names: Vec<&str> = parts.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "short",
                long_name,
                "a_table_named_thirty_one_ch (2)",
                "a_table_named_thirty_one_ch (3)"
            ]
        );
        let firsts: Vec<i64> = parts
            .iter()
            .map(|p| {
                let n = p.batch.column(0).as_any().downcast_ref::<Int64Array>();
                n.unwrap().value(0)
            })
            .collect();
        assert_eq!(firsts, [1, 1, 5, 9]);
        let rows: Vec<usize> = parts.iter().map(|p| p.batch.num_rows()).collect();
        assert_eq!(rows, [3, 4, 4, 3]);
        assert_eq!(parts[0].description, "Short.");
        assert_eq!(
            parts[3].description,
            format!(
                "Long. Table `{long_name}`, part 3 of 3: rows 9 to 11 of 11 (an Excel sheet holds 4 rows below its header)."
            )
        );
    }

    #[test]
    fn tables_that_fit_are_left_as_they_are() {
        let batch = numbers(4);
        let sheets = [Sheet {
            name: "t",
            batch: &batch,
            description: "",
        }];
        assert!(long_tables_in_parts(&sheets, 4).is_empty());
    }
}
