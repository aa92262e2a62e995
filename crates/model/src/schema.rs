//! Arrow schemas of the de-identified tables that flow from `anonymise` to
//! the analysis stages. Nothing identifying has a column here: participants
//! are pseudonyms, sites are their published labels, free text is redacted.
//!
//! Every table that comes from raw rows carries that row's provenance:
//! [`SOURCE_FILE`] (path relative to the study folder), [`SOURCE_LINE`]
//! (physical line where the record starts) and [`ROW_HASH`] (16 hex digits
//! of the SHA-256 of the raw record's bytes), so that any figure can be
//! traced back to raw `file:line`.
//!
//! Text that repeats down a long table (who, factor, provenance, field
//! names) is categorical: dictionary-encoded, read with
//! [`crate::column::Text`]. Free text and the small sites table are plain.

use std::sync::Arc;

use arrow_schema::{DataType, Field, Schema, SchemaRef};

pub const SOURCE_FILE: &str = "source_file";
pub const SOURCE_LINE: &str = "source_line";
pub const ROW_HASH: &str = "row_hash";

pub const PARTICIPANT: &str = "participant";
pub const SITE: &str = "site";
pub const SECTOR: &str = "sector";
pub const GROUP: &str = "group";
pub const FACTOR: &str = "factor";

/// The clean tables that hold redacted free text, each with its text
/// column. Redacting is most of what anonymising costs, so such a table is
/// made (and published) only when a stage of the pipeline reads it; every
/// other clean table is always made.
pub const FREE_TEXT: [(&str, &str); 5] = [
    ("accounts", "text"),
    ("evidence", "excerpt"),
    ("coded_segments", "text"),
    ("workshop_notes", "text"),
    ("workshop_verdicts", "comment"),
];

/// Whether a clean table holds free text ([`FREE_TEXT`]).
pub fn is_free_text(table: &str) -> bool {
    FREE_TEXT.iter().any(|(t, _)| *t == table)
}

fn utf8(name: &str) -> Field {
    Field::new(name, DataType::Utf8, false)
}
fn utf8_null(name: &str) -> Field {
    Field::new(name, DataType::Utf8, true)
}
/// Categorical text: dictionary-encoded (see [`crate::column`]).
fn cat(name: &str) -> Field {
    crate::column::category(name)
}
fn code(name: &str) -> Field {
    Field::new(name, DataType::Int8, true)
}
fn provenance() -> [Field; 3] {
    [
        cat(SOURCE_FILE),
        Field::new(SOURCE_LINE, DataType::UInt32, false),
        cat(ROW_HASH),
    ]
}
fn who() -> [Field; 4] {
    [cat(PARTICIPANT), cat(SITE), cat(SECTOR), cat(GROUP)]
}
fn schema(fields: Vec<Field>) -> SchemaRef {
    Arc::new(Schema::new(fields))
}

/// The site register, published part: one row per site in the register.
/// `has_data` is false for a site whose exports have not arrived (awaited).
pub fn sites() -> SchemaRef {
    schema(vec![
        utf8(SITE),
        utf8(SECTOR),
        Field::new("partnership", DataType::Boolean, false),
        Field::new("bme_focus", DataType::Boolean, false),
        utf8("region"),
        Field::new("wave", DataType::UInt8, false),
        Field::new("has_data", DataType::Boolean, false),
    ])
}

/// One row per participant (withdrawn-`all` participants are absent).
/// Demographic codes are the dictionary's choice codes; missing is null.
pub fn participants() -> SchemaRef {
    let mut f: Vec<Field> = who().into();
    f.extend([
        code("age_band"),
        code("gender"),
        code("ethnicity"),
        Field::new("lived_experience", DataType::Boolean, true),
        Field::new("years_in_role", DataType::Int32, true),
        code("form_complete"),
        Field::new("quotes_withdrawn", DataType::Boolean, false),
    ]);
    f.extend(provenance());
    schema(f)
}

/// One row per participant and factor: `pattern` (1 in place, 2 partly,
/// 3 not in place, 9 don't know), `importance` (1-5), `direction` (1-4).
/// Missing codes (-98, -99, blank) are null: never a rating.
pub fn answers() -> SchemaRef {
    let mut f: Vec<Field> = who().into();
    f.extend([
        cat(FACTOR),
        code("pattern"),
        code("importance"),
        code("direction"),
    ]);
    f.extend(provenance());
    schema(f)
}

/// One row per top-three pick: `rank` 1, 2 or 3.
pub fn top3() -> SchemaRef {
    let mut f: Vec<Field> = who().into();
    f.extend([Field::new("rank", DataType::UInt8, false), cat(FACTOR)]);
    f.extend(provenance());
    schema(f)
}

/// One row per participant and outcome: `answer` 1 yes, 2 partly, 3 no, 9 don't know.
pub fn outcomes() -> SchemaRef {
    let mut f: Vec<Field> = who().into();
    f.extend([cat("outcome"), code("answer")]);
    f.extend(provenance());
    schema(f)
}

/// One row per non-empty free-text field, after redaction. `theme` is how the
/// protocol codes it: a factor code for `top_k_impact`, `bme` for
/// `bme_experience`, `role` for `role_detail`, `other` for `comments`.
/// Participants withdrawn with scope `quotes` or `all` have no rows.
pub fn accounts() -> SchemaRef {
    let mut f: Vec<Field> = who().into();
    f.extend([cat("field"), cat("theme"), utf8("text")]);
    f.extend(provenance());
    schema(f)
}

/// One row per checkbox choice a participant ticked (a checkbox field of
/// the interview dictionary, `<field>___<code>` = 1 in the export): `field`
/// is the dictionary field, `choice` the dictionary's code of the choice. A
/// choice not ticked has no row; a participant may tick several choices of
/// one field, or none. Withdrawn-`all` participants have no rows.
pub fn checkboxes() -> SchemaRef {
    let mut f: Vec<Field> = who().into();
    f.extend([cat("field"), cat("choice")]);
    f.extend(provenance());
    schema(f)
}

/// One row per coded segment of an interview transcript (one code of a
/// theme applied to one selection: data-schema/coded_segments.md), of every
/// interviewee who has not withdrawn everything. `text` is the selection
/// cut from the transcript after it was redacted whole and its speaker
/// labels replaced; empty for an interviewee withdrawn from quotes. Where
/// it came from: the project's SHA-256 (never its file name), the source's
/// and the selection's guid, `start` and `end` as the project wrote them,
/// in `positions` (`utf16` or `codepoints`). Sorted by site, participant,
/// start, end, selection, code, theme.
pub fn coded_segments() -> SchemaRef {
    let mut f: Vec<Field> = who().into();
    f.extend([
        cat("theme"),
        cat("code"),
        utf8("text"),
        cat("project"),
        cat("source"),
        utf8("selection"),
        Field::new("start", DataType::UInt64, false),
        Field::new("end", DataType::UInt64, false),
        cat("positions"),
    ]);
    schema(f)
}

/// One row per site whose feedback workshop notes
/// (`qualitative/workshops/<site_id>.md`) were received and whose data has
/// arrived: `text` is the notes redacted whole, line ends as LF. `source`
/// names the file by its SHA-256 (`qualitative/workshops/<sha256>.md`),
/// never by its name (a site id). Sorted by site.
pub fn workshop_notes() -> SchemaRef {
    schema(vec![utf8(SITE), utf8("text"), utf8("source")])
}

/// One row per line of a site's workshop verdicts
/// (`qualitative/workshops/<site_id>.csv`): the figure of the site's pack
/// the workshop marked, `verdict` (`confirmed`, `challenged` or `new`) and
/// the redacted `comment`; `source` the file by its SHA-256 and
/// `source_line` its line. Sorted by site and line.
pub fn workshop_verdicts() -> SchemaRef {
    schema(vec![
        utf8(SITE),
        utf8("figure_id"),
        utf8("verdict"),
        utf8("comment"),
        utf8("source"),
        Field::new(SOURCE_LINE, DataType::UInt32, false),
    ])
}

/// One row per document: `document` is the site-local number (`D02`).
pub fn documents() -> SchemaRef {
    let mut f = vec![
        cat(SITE),
        cat(SECTOR),
        cat("document"),
        code("doc_type"),
        utf8_null("doc_date"),
    ];
    f.extend(provenance());
    schema(f)
}

/// One row per evidence item: `status` 1 addressed, 2 partly, 3 not addressed.
pub fn evidence() -> SchemaRef {
    let mut f = vec![
        cat(SITE),
        cat(SECTOR),
        cat("document"),
        Field::new("instance", DataType::UInt32, false),
        cat(FACTOR),
        code("status"),
        utf8_null("excerpt"),
        utf8_null("page"),
    ];
    f.extend(provenance());
    schema(f)
}
