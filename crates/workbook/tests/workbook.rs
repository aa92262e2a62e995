//! The workbook's bytes are deterministic and its XML holds what Excel and
//! SPSS need.

use std::io::{Cursor, Read};
use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, DictionaryArray, Float64Array, Int64Array, ListArray,
    RecordBatch, StringArray, TimestampSecondArray, UInt64Array,
};
use arrow_schema::{DataType, Field, Schema};
use workbook::{Labels, Sheet, WorkbookError, workbook};

fn batch(columns: Vec<(&str, ArrayRef)>) -> RecordBatch {
    RecordBatch::try_from_iter(columns).expect("valid test batch")
}

fn ratings() -> RecordBatch {
    batch(vec![
        (
            "site",
            Arc::new(StringArray::from(vec!["Northfield", "Eastbay", "Westmoor"])) as ArrayRef,
        ),
        (
            "theme",
            Arc::new(StringArray::from(vec![
                Some("supervision"),
                Some("role_clarity"),
                None,
            ])),
        ),
        ("n", Arc::new(Int64Array::from(vec![12, 7, 0]))),
        (
            "mean_rating",
            Arc::new(Float64Array::from(vec![Some(3.25), None, Some(4.0)])),
        ),
        (
            "peer_led",
            Arc::new(BooleanArray::from(vec![Some(true), Some(false), None])),
        ),
    ])
}

fn labels() -> Labels {
    let mut labels = Labels::new();
    labels.column("theme", "Theme of the peer role");
    labels.column("mean_rating", "Mean rating (1-5)");
    labels.values("theme", "supervision", "Supervision and team support");
    labels.values("theme", "role_clarity", "Clarity of the peer role");
    labels
}

fn build(batch: &RecordBatch) -> Vec<u8> {
    let sheets = [Sheet {
        name: "ratings_summary",
        batch,
        description: "Mean ratings by site and theme",
    }];
    workbook(&sheets, &labels()).expect("workbook")
}

/// Every entry of the zip, by name, as text, in archive order.
fn unzip(bytes: &[u8]) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).expect("entry");
            let mut text = String::new();
            file.read_to_string(&mut text).expect("utf-8 xml");
            (file.name().expect("utf-8 name").into_owned(), text)
        })
        .collect()
}

fn entry<'a>(entries: &'a [(String, String)], name: &str) -> &'a str {
    entries
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, t)| t.as_str())
        .unwrap_or_else(|| panic!("no {name} in {:?}", names(entries)))
}

fn names(entries: &[(String, String)]) -> Vec<&str> {
    entries.iter().map(|(n, _)| n.as_str()).collect()
}

#[test]
fn same_input_same_bytes_across_a_second_boundary() {
    let data = ratings();
    let first = build(&data);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let second = build(&data);
    assert!(first == second, "two builds of the same workbook differ");
}

#[test]
fn zip_entries_and_properties_carry_no_clock_time() {
    let bytes = build(&ratings());
    let mut archive = zip::ZipArchive::new(Cursor::new(&bytes[..])).expect("a zip");
    for i in 0..archive.len() {
        let file = archive.by_index(i).expect("entry");
        let t = file.last_modified().expect("a DOS timestamp");
        assert_eq!(
            (
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            ),
            (1980, 1, 1, 0, 0, 0),
            "{} has a changing timestamp",
            file.name().expect("utf-8 name")
        );
    }
    let entries = unzip(&bytes);
    let core = entry(&entries, "docProps/core.xml");
    assert!(core.contains(
        r#"<dcterms:created xsi:type="dcterms:W3CDTF">2011-03-01T00:00:00Z</dcterms:created>"#
    ));
    assert!(core.contains(
        r#"<dcterms:modified xsi:type="dcterms:W3CDTF">2011-03-01T00:00:00Z</dcterms:modified>"#
    ));
    assert_eq!(workbook::CREATION_TIME, "2011-03-01T00:00:00Z");
}

/// Guards "the same bytes on any machine": CI and every developer must get
/// this digest. It changes only when the output or a dependency that writes
/// it (rust_xlsxwriter, zip, flate2, zlib-rs) changes: then check the
/// workbook in Excel and update the digest in the same commit.
#[test]
fn bytes_match_the_recorded_digest() {
    let bytes = build(&ratings());
    // FNV-1a, 64 bits: enough to notice a change, no dependency.
    let digest = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    assert_eq!(
        (bytes.len(), format!("{digest:016x}")),
        (6979, "d0fcb03049bdbb3a".to_owned()),
        "workbook bytes changed"
    );
}

#[test]
fn sheet_xml_has_header_numbers_frozen_pane_and_filter() {
    let entries = unzip(&build(&ratings()));
    let book = entry(&entries, "xl/workbook.xml");
    let about_at = book.find(r#"<sheet name="About""#).expect("About sheet");
    let data_at = book
        .find(r#"<sheet name="ratings_summary""#)
        .expect("data sheet");
    assert!(about_at < data_at, "About comes first");

    let strings = entry(&entries, "xl/sharedStrings.xml");
    for header in ["site", "theme", "n", "mean_rating", "peer_led"] {
        assert!(strings.contains(&format!("<t>{header}</t>")), "{header}");
    }
    let sheet = entry(&entries, "xl/worksheets/sheet2.xml");
    // Header: five shared-string cells in row 1, in one style, and bold.
    let row1 = &sheet[sheet.find(r#"<row r="1""#).expect("row 1")..];
    let row1 = &row1[..row1.find("</row>").expect("end of row 1")];
    let style = &row1[row1.find(r#"<c r="A1" s=""#).expect("styled A1") + 13..];
    let style = &style[..style.find('"').expect("style index")];
    for col in ["A", "B", "C", "D", "E"] {
        assert!(
            row1.contains(&format!(r#"<c r="{col}1" s="{style}" t="s">"#)),
            "header {col}1 in {row1}"
        );
    }
    let styles = entry(&entries, "xl/styles.xml");
    let xfs = &styles[styles.find("<cellXfs").expect("cell formats")..];
    let xf = xfs
        .split("<xf ")
        .nth(1 + style.parse::<usize>().expect("index"))
        .expect("xf");
    let font = &xf[xf.find(r#"fontId=""#).expect("font") + 8..];
    let font: usize = font[..font.find('"').expect("font id")]
        .parse()
        .expect("font id");
    let fonts = &styles[styles.find("<fonts").expect("fonts")..];
    let font = fonts.split("<font>").nth(1 + font).expect("font");
    assert!(font.starts_with("<b/>"), "header font is bold: {font}");
    // Numbers as numbers, booleans as booleans, nulls as no cell at all.
    assert!(sheet.contains(r#"<c r="C2"><v>12</v></c>"#), "{sheet}");
    assert!(sheet.contains(r#"<c r="D2"><v>3.25</v></c>"#), "{sheet}");
    assert!(sheet.contains(r#"<c r="E2" t="b"><v>1</v></c>"#), "{sheet}");
    assert!(sheet.contains(r#"<c r="E3" t="b"><v>0</v></c>"#), "{sheet}");
    assert!(!sheet.contains(r#"r="D3""#), "null is an empty cell");
    assert!(!sheet.contains(r#"r="E4""#), "null is an empty cell");
    // Codes stay codes in the data.
    assert!(strings.contains("<t>supervision</t>"));
    // Frozen header row, autofilter over the table, bounded widths.
    assert!(
        sheet.contains(
            r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
        ),
        "{sheet}"
    );
    assert!(sheet.contains(r#"<autoFilter ref="A1:E4"/>"#), "{sheet}");
    assert!(sheet.contains("<cols>"), "column widths");
}

#[test]
fn about_sheet_lists_tables_columns_labels_and_value_labels() {
    let entries = unzip(&build(&ratings()));
    let strings = entry(&entries, "xl/sharedStrings.xml");
    for text in [
        "kind",
        "value_label",
        "Mean ratings by site and theme",
        "3 rows × 5 columns",
        "Theme of the peer role",
        "Mean rating (1-5)",
        "Supervision and team support",
        "Clarity of the peer role",
        "Int64",
        "Float64",
        "Boolean",
        "Utf8",
    ] {
        assert!(strings.contains(&format!("<t>{text}</t>")), "{text}");
    }
    let about = entry(&entries, "xl/worksheets/sheet1.xml");
    assert!(about.contains(r#"state="frozen""#));
    assert!(about.contains("<autoFilter "));
    // 1 table row + 5 column rows + 2 value rows, below the header.
    assert!(about.contains(r#"<row r="9""#) && !about.contains(r#"<row r="10""#));
}

#[test]
fn sheet_names_are_valid_truncated_and_unique() {
    let data = ratings();
    let sheet = |name| Sheet {
        name,
        batch: &data,
        description: "",
    };
    let sheets = [
        sheet("a_table_name_that_is_far_longer_than_excel_allows"),
        sheet("a_table_name_that_is_far_longer_than_excel_allows_too"),
        sheet("about"),
        sheet("sites/roles: [draft]?"),
        sheet("'quoted'"),
        sheet(""),
        sheet("history"),
        sheet("table_with_a_quote_at_char_31_'_tail"),
    ];
    let entries = unzip(&workbook(&sheets, &Labels::new()).expect("workbook"));
    let book = entry(&entries, "xl/workbook.xml");
    for name in [
        "About",
        "a_table_name_that_is_far_longer",
        "a_table_name_that_is_far_long~2",
        "about~2",
        "sites_roles_ _draft__",
        "quoted",
        "Sheet",
        "history_",
        "table_with_a_quote_at_char_31_",
    ] {
        assert!(
            book.contains(&format!(r#"<sheet name="{name}""#)),
            "{name} in {book}"
        );
    }
}

#[test]
fn empty_tables_and_no_tables_make_valid_workbooks() {
    let empty_rows = RecordBatch::new_empty(Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("label", DataType::Utf8, true),
    ])));
    let no_columns = RecordBatch::new_empty(Arc::new(Schema::empty()));
    let sheets = [
        Sheet {
            name: "empty",
            batch: &empty_rows,
            description: "no rows",
        },
        Sheet {
            name: "nothing",
            batch: &no_columns,
            description: "no columns",
        },
    ];
    let entries = unzip(&workbook(&sheets, &Labels::new()).expect("workbook"));
    let sheet = entry(&entries, "xl/worksheets/sheet2.xml");
    assert!(sheet.contains(r#"<autoFilter ref="A1:B1"/>"#), "{sheet}");
    assert!(entry(&entries, "xl/worksheets/sheet3.xml").contains(r#"state="frozen""#));

    let entries = unzip(&workbook(&[], &Labels::new()).expect("workbook"));
    assert!(entry(&entries, "xl/workbook.xml").contains(r#"<sheet name="About""#));
}

#[test]
fn what_excel_cannot_hold_is_written_safely_and_noted() {
    let long = "x".repeat(40_000);
    let data = batch(vec![
        (
            "text",
            Arc::new(StringArray::from(vec![
                long.as_str(),
                "short",
                "ctl\u{1}char",
            ])) as ArrayRef,
        ),
        (
            "big",
            Arc::new(UInt64Array::from(vec![1, u64::MAX, 9_007_199_254_740_992])),
        ),
        (
            "ratio",
            Arc::new(Float64Array::from(vec![f64::NAN, 0.5, f64::INFINITY])),
        ),
    ]);
    let sheets = [Sheet {
        name: "odd",
        batch: &data,
        description: "",
    }];
    let bytes = workbook(&sheets, &Labels::new()).expect("workbook");
    let entries = unzip(&bytes);
    let strings = entry(&entries, "xl/sharedStrings.xml");
    let kept = format!("{}… [truncated]", "x".repeat(32_767 - 13));
    assert!(strings.contains(&format!("<t>{kept}</t>")));
    assert!(!strings.contains(&"x".repeat(32_767 - 12)));
    assert!(
        strings.contains("<t>18446744073709551615</t>"),
        "big integer as text"
    );
    assert!(!strings.contains('\u{1}'), "control characters are escaped");
    let sheet = entry(&entries, "xl/worksheets/sheet2.xml");
    assert!(
        sheet.contains(r#"<c r="B4"><v>9007199254740992</v></c>"#),
        "2^53 is exact"
    );
    assert!(sheet.contains(r#"<c r="C3"><v>0.5</v></c>"#));
    assert!(
        !sheet.contains(r#"r="C2""#) && !sheet.contains(r#"r="C4""#),
        "NaN, inf empty"
    );
    for note in [
        "1 value(s): text longer than Excel",
        "1 value(s): integer beyond ±2^53",
        "2 value(s): NaN or infinite number, which Excel cannot hold, left empty; row(s) 2, 4",
    ] {
        assert!(strings.contains(note), "note {note}");
    }
}

#[test]
fn dictionaries_dates_and_timestamps() {
    let codes: DictionaryArray<Int32Type> = vec![Some("supervision"), None, Some("training")]
        .into_iter()
        .collect();
    let data = batch(vec![
        ("theme", Arc::new(codes) as ArrayRef),
        (
            "day",
            Arc::new(Date32Array::from(vec![Some(0), Some(-100_000), None])),
        ),
        (
            "at",
            Arc::new(TimestampSecondArray::from(vec![86_400 + 43_200, 0, 1]).with_timezone("UTC")),
        ),
    ]);
    let sheets = [Sheet {
        name: "typed",
        batch: &data,
        description: "",
    }];
    let entries = unzip(&workbook(&sheets, &Labels::new()).expect("workbook"));
    let strings = entry(&entries, "xl/sharedStrings.xml");
    assert!(strings.contains("<t>supervision</t>") && strings.contains("<t>training</t>"));
    // 1696-03-17 is before Excel's first date: ISO text.
    assert!(strings.contains("<t>1696-03-17</t>"), "{strings}");
    let sheet = entry(&entries, "xl/worksheets/sheet2.xml");
    assert!(!sheet.contains(r#"r="A3""#), "null code is empty");
    assert!(
        sheet.contains(r#"<v>25569</v>"#),
        "1970-01-01 as a date serial"
    );
    assert!(
        sheet.contains(r#"<v>25570.5</v>"#),
        "1970-01-02 12:00 as a serial"
    );
    let styles = entry(&entries, "xl/styles.xml");
    assert!(styles.contains("yyyy-mm-dd hh:mm:ss"));
}

#[test]
fn unsupported_type_is_a_clear_error() {
    let list = ListArray::from_iter_primitive::<Int32Type, _, _>(vec![Some(vec![Some(1)])]);
    let data = batch(vec![("nested", Arc::new(list) as ArrayRef)]);
    let sheets = [Sheet {
        name: "bad",
        batch: &data,
        description: "",
    }];
    let err = workbook(&sheets, &Labels::new()).expect_err("lists have no cell form");
    assert!(matches!(
        &err,
        WorkbookError::UnsupportedType { table, column, .. } if table == "bad" && column == "nested"
    ));
    assert!(err.to_string().contains("cannot be written"), "{err}");
}

#[test]
fn labels_replace_and_keep_order() {
    let mut labels = Labels::new();
    labels.values("rating", "5", "Strongly agree");
    labels.values("rating", "1", "Strongly disagree");
    labels.values("rating", "5", "Agree strongly");
    labels.column("rating", "Rating");
    labels.column("rating", "Agreement rating");
    assert_eq!(labels.column_label("rating"), Some("Agreement rating"));
    assert_eq!(
        labels.value_labels("rating").collect::<Vec<_>>(),
        [("5", "Agree strongly"), ("1", "Strongly disagree")]
    );
    assert_eq!(labels.column_label("other"), None);
}

/// Excel's last row number: 1,048,575 data rows fit below a header.
const EXCEL_ROWS: usize = 1_048_576;

#[test]
fn a_table_longer_than_a_sheet_continues_on_numbered_sheets_noted_in_about() {
    let rows = EXCEL_ROWS - 1 + 2;
    let long = batch(vec![(
        "n",
        Arc::new(Int64Array::from_iter_values(1..=rows as i64)) as ArrayRef,
    )]);
    let sheets = [Sheet {
        name: "ratings_summary",
        batch: &long,
        description: "Every figure.",
    }];
    let bytes = workbook(&sheets, &Labels::new()).expect("a workbook, not an error");
    let entries = unzip(&bytes);
    let book = entry(&entries, "xl/workbook.xml");
    for name in ["About", "ratings_summary", "ratings_summary (2)"] {
        assert!(book.contains(&format!("name=\"{name}\"")), "{name}: {book}");
    }
    // The first part ends on Excel's last row with the table's 1,048,575th
    // value; the second holds the last two, below its own header.
    let first = entry(&entries, "xl/worksheets/sheet2.xml");
    assert!(first.contains(&format!("<c r=\"A{EXCEL_ROWS}\"><v>1048575</v></c>")));
    assert!(!first.contains(&format!("r=\"A{}\"", EXCEL_ROWS + 1)));
    let second = entry(&entries, "xl/worksheets/sheet3.xml");
    assert!(
        second.contains("<c r=\"A2\"><v>1048576</v></c>"),
        "{second}"
    );
    assert!(
        second.contains("<c r=\"A3\"><v>1048577</v></c>"),
        "{second}"
    );
    assert!(!second.contains("r=\"A4\""));
    let strings = entry(&entries, "xl/sharedStrings.xml");
    assert!(
        strings.contains(
            "Every figure. Table `ratings_summary`, part 2 of 2: rows 1048576 to 1048577 of 1048577 (an Excel sheet holds 1048575 rows below its header)."
        ),
        "the About sheet notes the cut"
    );
}
