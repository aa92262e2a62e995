//! Tests of the CSV reader, the register parsers and `tidy`.

use arrow_array::cast::AsArray;
use arrow_array::types::{Int8Type, UInt8Type, UInt32Type};
use arrow_array::{Array, RecordBatch};
use model::{Framework, Sector, WithdrawalScope};

use super::*;

const INTERVIEW_DICT: &str = include_str!("../../../data-schema/redcap/interview_dictionary.csv");
const DOCUMENT_DICT: &str = include_str!("../../../data-schema/redcap/document_dictionary.csv");
const FRAMEWORK: &str = include_str!("../../../data-schema/framework.toml");

fn table(text: &str) -> CsvTable {
    read_csv(text.as_bytes(), "t.csv").expect("test CSV parses")
}
fn texts(t: &CsvTable, r: &Record) -> Vec<String> {
    t.cells(r).into_iter().map(|c| c.text).collect()
}
fn positions(t: &CsvTable, r: &Record) -> Vec<(u32, u32)> {
    t.cells(r).iter().map(|c| (c.line, c.column)).collect()
}
fn errors(e: Vec<model::Diagnostic>) -> Vec<String> {
    e.iter().map(ToString::to_string).collect()
}

// ------------------------------------------------------------------ CSV

/// The file's hash computed as it is parsed is the SHA-256 of every byte
/// (BOM, line ends, blank lines at the end), also when the file does not
/// parse; and the table is the one `read_csv_owned` gives.
#[test]
fn a_file_hashed_as_it_is_parsed_hashes_every_byte() {
    use sha2::{Digest, Sha256};
    let files: [&[u8]; 9] = [
        b"a,b\n1,2\n",
        b"\xEF\xBB\xBFa,b\r\n1,\"x\r\ny\"\r\n",
        b"a,b\n1,2\n\n  \n\t\n",
        b"a,b\n1,2",
        b"",
        b"a,b\n1,\"never closed\n",
        b"a,b\n1,\"x\"y\n",
        b"a,b\n1,\xFF\n",
        b"a,\"\"\"quoted\"\"\"\n\xC3\xA9,2\n",
    ];
    for bytes in files {
        let expected: String = Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let (hash, table) = read_csv_hashed(bytes.to_vec(), "t.csv");
        assert_eq!(hash, expected, "{:?}", String::from_utf8_lossy(bytes));
        assert_eq!(table, read_csv_owned(bytes.to_vec(), "t.csv"));
    }
}

#[test]
fn bom_crlf_and_quoted_newline_keep_positions() {
    let bytes = b"\xEF\xBB\xBFrecord_id,comments,age\r\nS01-01,\"two\r\nlines, \"\"quoted\"\"\",3\r\nS01-02,\xC3\xA9t\xC3\xA9,4\r\n\r\n";
    let t = read_csv(bytes, "raw/interviews/a.csv").expect("parses");
    assert_eq!(
        t.header.iter().map(|c| c.text.as_str()).collect::<Vec<_>>(),
        ["record_id", "comments", "age"]
    );
    assert_eq!(t.header[0].column, 1, "the BOM is not a column");
    assert_eq!(t.records.len(), 2, "the blank line at the end is ignored");
    let r = &t.records[0];
    assert_eq!(r.line, 2);
    assert_eq!(texts(&t, r), ["S01-01", "two\r\nlines, \"quoted\"", "3"]);
    assert_eq!(positions(&t, r), [(2, 1), (2, 8), (3, 20)]);
    let r = &t.records[1];
    assert_eq!(
        r.line, 4,
        "the record after a two-line cell starts on line 4"
    );
    assert_eq!(texts(&t, r), ["S01-02", "été", "4"]);
    assert_eq!(
        positions(&t, r),
        [(4, 1), (4, 8), (4, 12)],
        "columns count characters, not bytes"
    );
    assert_eq!(r.hash, row_hash("S01-02,été,4".as_bytes()));
    assert_eq!(r.hash.len(), 16);
    assert_eq!(
        t.records[0].hash,
        row_hash(b"S01-01,\"two\r\nlines, \"\"quoted\"\"\",3")
    );
}

#[test]
fn lf_without_final_newline_and_empty_cells() {
    let t = table("a,b,c\n1,,\n,\"\",x");
    assert_eq!(texts(&t, &t.records[0]), ["1", "", ""]);
    assert_eq!(positions(&t, &t.records[0]), [(2, 1), (2, 3), (2, 4)]);
    assert_eq!(texts(&t, &t.records[1]), ["", "", "x"]);
    assert_eq!(positions(&t, &t.records[1]), [(3, 1), (3, 2), (3, 5)]);
}

#[test]
fn hash_is_sha256_prefix() {
    // sha256("abc") = ba7816bf8f01cfea...
    assert_eq!(row_hash(b"abc"), "ba7816bf8f01cfea");
}

#[test]
fn unterminated_quote_points_at_where_the_cell_started() {
    let e = read_csv(b"a,b\n1,2\n3,\"open\nmore\n", "x.csv").unwrap_err();
    assert_eq!(
        e.to_string(),
        "x.csv:3:3: expected a closing quote `\"` for the quoted cell that starts here, found the end of the file"
    );
}

#[test]
fn text_after_closing_quote_is_an_error() {
    let e = read_csv(b"a,b\n\"x\"y,2\n", "x.csv").unwrap_err();
    assert_eq!(
        e.to_string(),
        "x.csv:2:4: expected a comma or the end of the line after a closing quote, found `y`"
    );
}

#[test]
fn bytes_that_are_not_utf8_are_an_error_at_the_first_bad_byte() {
    let e = read_csv(b"a,b\n1,caf\xE9\n", "x.csv").unwrap_err();
    assert_eq!(
        e.to_string(),
        "x.csv:2:6: expected UTF-8 text, found the byte 0xE9 that is not UTF-8 (export the file again as UTF-8)"
    );
}

#[test]
fn an_empty_file_is_an_error() {
    for bytes in [&b""[..], b"\xEF\xBB\xBF", b"\n\r\n"] {
        let e = read_csv(bytes, "x.csv").unwrap_err();
        assert_eq!(
            e.to_string(),
            "x.csv:1:0: expected a header line naming the columns, found an empty file"
        );
    }
}

#[test]
fn header_only_file_has_no_records() {
    let t = table("record_id,withdrawn_on,scope\r\n");
    assert_eq!(t.records.len(), 0);
    assert_eq!(t.header.len(), 3);
}

// ------------------------------------------------------------ registers

pub(crate) fn dictionaries() -> (model::Dictionary, model::Dictionary, Framework) {
    let d = parse_dictionary(
        &read_csv(INTERVIEW_DICT.as_bytes(), "redcap/interview_dictionary.csv").expect("csv"),
    )
    .expect("interview dictionary");
    let dd = parse_dictionary(
        &read_csv(DOCUMENT_DICT.as_bytes(), "redcap/document_dictionary.csv").expect("csv"),
    )
    .expect("document dictionary");
    let fw = Framework::parse(FRAMEWORK, "framework.toml").expect("framework");
    (d, dd, fw)
}

#[test]
fn the_shipped_dictionaries_parse() {
    let (d, dd, _) = dictionaries();
    assert_eq!(d.fields.len(), 91);
    let g = d.field("stakeholder_group").expect("field");
    assert!(g.required);
    assert_eq!(g.choices[1].code, "2");
    assert_eq!(
        g.choices[1].label,
        "Mental health professional or other team member"
    );
    let e = d.field("ethnicity").expect("field");
    assert_eq!(
        e.choices[3].label, "Black, African, Caribbean or Black British",
        "split on the first comma only"
    );
    assert!(d.field("contact_email").expect("field").identifier);
    assert_eq!(
        d.field("years_in_role").expect("field").max.as_deref(),
        Some("50")
    );
    assert_eq!(d.field("record_id").expect("field").line, 2);
    assert_eq!(dd.forms(), ["document", "evidence"]);
    let t = dd.field("top_1");
    assert!(t.is_none());
    let ev = dd.field("ev_factor").expect("field");
    assert_eq!(
        ev.choices.last().map(|c| c.label.as_str()),
        Some("Planned, resourced introduction")
    );
}

const DICT_HEADER: &str = "Variable / Field Name,Form Name,Section Header,Field Type,Field Label,\"Choices, Calculations, OR Slider Labels\",Field Note,Text Validation Type OR Show Slider Number,Text Validation Min,Text Validation Max,Identifier?,Branching Logic (Show field only if...),Required Field?,Custom Alignment,Question Number (surveys only),Matrix Group Name,Matrix Ranking?,Field Annotation\n";

#[test]
fn dictionary_problems_are_all_reported() {
    let text = format!(
        "{DICT_HEADER}\
Record ID,f,,text,x,,,,,,,,y,,,,,\n\
age,f,,drop down,x,,,,,,,,,,,,,\n\
age,f,,dropdown,x,\"1 Young | 2, Old | 2, Older\",,,,,yes,,,,,,,\n\
sex,f,,radio,x,,,,,,,,,,,,,\n\
yrs,f,,text,x,,,integer,zero,50,,,,,,,,\n\
short,f\n"
    );
    let e = parse_dictionary(&table(&text)).unwrap_err();
    assert_eq!(
        errors(e),
        [
            "t.csv:2:1: Variable / Field Name: expected lowercase letters, digits and underscores, starting with a letter, found `Record ID`",
            "t.csv:3:8: age: expected a field type (text, notes, dropdown, radio, checkbox, yesno, truefalse, calc, slider, descriptive, file, sql), found `drop down`",
            "t.csv:4:1: Variable / Field Name: expected each name once, found `age` again (first at line 3)",
            "t.csv:4:19: age: expected choices as `code, label | code, label`, found the item `1 Young`",
            "t.csv:4:19: age: expected each choice code once, found `2` twice",
            "t.csv:4:53: age: expected `y` or empty in `Identifier?`, found `yes`",
            "t.csv:5:16: sex: expected choices for a radio field, found none",
            "t.csv:6:25: yrs: expected `Text Validation Min` to suit its validation type, found `zero`",
            "t.csv:7:1: expected 18 cells as in the header, found 2",
        ]
    );
}

#[test]
fn dictionary_with_wrong_header() {
    let e = parse_dictionary(&table("Variable / Field Name,Form,Type\nx,f,text\n")).unwrap_err();
    assert_eq!(
        errors(e),
        [
            "t.csv:1:23: expected the column `Form Name` (column 2 of a REDCap data dictionary), found `Form`",
            "t.csv:1:28: expected the column `Section Header` (column 3 of a REDCap data dictionary), found `Type`",
            "t.csv:1:0: expected the 18 columns of a REDCap data dictionary, found 3",
        ]
    );
}

const SITES_HEADER: &str =
    "site_id,site_name,label,sector,partnership,bme_focus,region,wave,model\n";

#[test]
fn sites_parse() {
    let t = table(&format!(
        "{SITES_HEADER}S01,Riverside Trust,Site A,statutory,yes,no,London,1,\"Peer support workers, in teams\"\nS0412,Hope Project,Site B,voluntary,no,yes,North,7,x\n"
    ));
    let s = parse_sites(&t).expect("sites");
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].sector, Sector::Statutory);
    assert!(s[0].partnership && !s[0].bme_focus);
    assert_eq!(s[0].model, "Peer support workers, in teams");
    assert_eq!(s[1].wave, 7);
    assert_eq!(s[1].site_id, "S0412");
}

#[test]
fn site_problems_never_quote_the_site_name() {
    let t = table(&format!(
        "{SITES_HEADER}S01,Riverside Trust,Site A,statutory,yes,no,London,1,x\n\
s2,,Site A,NHS,y,no,,0,x\n\
S01,Hope,Site C,voluntary,no,no,South,3,x\n"
    ));
    let e = parse_sites(&t).unwrap_err();
    assert_eq!(
        errors(e),
        [
            "t.csv:3:1: site_id: expected `S` and digits (`S01`), found `s2`",
            "t.csv:3:4: site_name: expected the name of the service, found an empty cell",
            "t.csv:3:5: label: expected each label once, found `Site A` again (first at line 2)",
            "t.csv:3:12: sector: expected `statutory` or `voluntary`, found `NHS`",
            "t.csv:3:16: partnership: expected `yes` or `no`, found `y`",
            "t.csv:3:21: region: expected a region (`London`, `North`, `South`), found an empty cell",
            "t.csv:3:22: wave: expected a wave number from 1 to 255 (1, 2 or 3 in the protocol), found `0`",
            "t.csv:4:1: site_id: expected each site once, found `S01` again (first at line 2)",
        ]
    );
}

#[test]
fn register_columns_missing_or_unknown() {
    let e = parse_withdrawals(&table("record_id,date,scope\n")).unwrap_err();
    assert_eq!(
        errors(e),
        [
            "t.csv:1:11: date: expected one of the columns `record_id`, `withdrawn_on`, `scope`, found an unknown column",
            "t.csv:1:0: withdrawn_on: expected a column with this name, found none",
        ]
    );
}

#[test]
fn identifiers_parse_and_problems() {
    let ok = parse_identifiers(&table(
        "kind,text,replacement\nperson,Jo Bloggs,[peer worker]\nward,Oak Ward,[ward]\n",
    ))
    .expect("identifiers");
    assert_eq!(ok.len(), 2);
    assert_eq!(ok[1].kind, "ward");
    let e = parse_identifiers(&table(
        "kind,text,replacement\nstreet,High Street,\nplace,,[town]\n",
    ))
    .unwrap_err();
    assert_eq!(
        errors(e),
        [
            "t.csv:2:1: kind: expected one of person, site, organisation, place, ward, team, found `street`",
            "t.csv:2:20: replacement: expected what the reader sees instead (`[town]`), found an empty cell",
            "t.csv:3:7: text: expected the words to find and replace, found an empty cell",
        ]
    );
}

#[test]
fn withdrawals_parse_and_problems() {
    assert_eq!(
        parse_withdrawals(&table("record_id,withdrawn_on,scope\n")).expect("empty"),
        []
    );
    let w = parse_withdrawals(&table(
        "record_id,withdrawn_on,scope\nS03-07,2011-03-01,quotes\n",
    ))
    .expect("one");
    assert_eq!(w[0].scope, WithdrawalScope::Quotes);
    let e = parse_withdrawals(&table(
        "record_id,withdrawn_on,scope\nS03-07,2011-02-30,some\nS03-07,2011-03-01,all\nS3,01/03/2011,all\n",
    ))
    .unwrap_err();
    assert_eq!(
        errors(e),
        [
            "t.csv:2:8: withdrawn_on: expected a real date as YYYY-MM-DD, found `2011-02-30`",
            "t.csv:2:19: scope: expected `all` or `quotes`, found `some`",
            "t.csv:3:1: record_id: expected each participant once, found `S03-07` again (first at line 2)",
            "t.csv:4:1: record_id: expected a participant code: site code, hyphen, digits (`S03-07`), found `S3`",
            "t.csv:4:4: withdrawn_on: expected a real date as YYYY-MM-DD, found `01/03/2011`",
        ]
    );
}

// ------------------------------------------------------------------ tidy

/// A raw interview export with the dictionary's columns; unnamed cells empty.
pub(crate) fn interview_export(dict: &model::Dictionary, rows: &[&[(&str, &str)]]) -> String {
    let mut cols: Vec<String> = dict.fields.iter().map(|f| f.name.clone()).collect();
    cols.push("interview_data_sheet_complete".into());
    let mut s = cols.join(",");
    s.push('\n');
    for row in rows {
        let cells: Vec<String> = cols
            .iter()
            .map(|c| {
                let v = row
                    .iter()
                    .find(|(k, _)| k == c)
                    .map(|(_, v)| *v)
                    .unwrap_or("");
                if v.contains([',', '"', '\n']) {
                    format!("\"{}\"", v.replace('"', "\"\""))
                } else {
                    v.to_string()
                }
            })
            .collect();
        s.push_str(&cells.join(","));
        s.push('\n');
    }
    s
}

fn strings(b: &RecordBatch, col: &str) -> Vec<String> {
    let a = model::column::text(b, col).expect("text column");
    a.iter().map(|v| v.unwrap_or("∅").to_string()).collect()
}
fn codes(b: &RecordBatch, col: &str) -> Vec<Option<i8>> {
    let a = b
        .column_by_name(col)
        .expect("column")
        .as_primitive::<Int8Type>();
    (0..a.len())
        .map(|i| (!a.is_null(i)).then(|| a.value(i)))
        .collect()
}

fn register() -> Vec<model::Site> {
    parse_sites(&table(&format!(
        "{SITES_HEADER}S03,Riverside,Site C,statutory,yes,no,London,1,x\nS01,Hope,Site A,voluntary,no,yes,North,2,x\nS02,Elm,Site B,voluntary,no,no,South,3,x\n"
    )))
    .expect("sites")
}

#[test]
fn tidy_builds_raw_tables_from_dictionary_and_framework() {
    let (d, dd, fw) = dictionaries();
    let a = interview_export(
        &d,
        &[
            &[
                ("record_id", "S03-07"),
                ("site_id", "S03"),
                ("participant_name", "Jo Bloggs"),
                ("contact_email", "jo@example.org"),
                ("stakeholder_group", "1"),
                ("role_detail", "Peer support worker"),
                ("age_band", "3"),
                ("lived_experience", "1"),
                ("years_in_role", "2"),
                ("pm_role_clarity", "1"),
                ("imp_role_clarity", "-98"),
                ("dir_role_clarity", "2"),
                ("imp_supervision", "5"),
                ("top_1", "supervision"),
                ("top_1_impact", "Weekly supervision, with \"Jo\"\nhelped"),
                ("top_3", "career"),
                ("top_3_impact", "-99"),
                ("bme_experience", "Community link"),
                ("comments", ""),
                ("out_distinct", "9"),
                ("out_benefit", "-99"),
                ("interview_data_sheet_complete", "2"),
            ],
            &[
                ("record_id", "S01-02"),
                ("site_id", "S01"),
                ("stakeholder_group", "4"),
                ("comments", "Fine"),
            ],
        ],
    );
    // b.csv repeats S01-02 identically: it appears once, from a.csv.
    let b = interview_export(
        &d,
        &[&[
            ("record_id", "S01-02"),
            ("site_id", "S01"),
            ("stakeholder_group", "4"),
            ("comments", "Fine"),
        ]],
    );
    let docs = "record_id,redcap_repeat_instrument,redcap_repeat_instance,site_id,doc_type,doc_title,doc_date,ev_factor,ev_status,ev_excerpt,ev_page,document_complete,evidence_complete\n\
S03-D02,evidence,2,,,,,career,3,,p. 4,,2\n\
S03-D02,,,S03,3,Peer worker job description,2010-05-01,,,,,2,\n\
S03-D02,evidence,1,,,,,supervision,1,\"Supervision, monthly\",,,2\n\
S03-D01,,,S03,1,Strategy,,,,,,2,\n";
    let interviews = [
        read_csv(a.as_bytes(), "raw/interviews/a.csv").expect("a"),
        read_csv(b.as_bytes(), "raw/interviews/b.csv").expect("b"),
    ];
    let documents = [read_csv(docs.as_bytes(), "raw/documents/d.csv").expect("d")];
    let sites = register();
    let (t, ids) = tidy(
        &interviews,
        &documents,
        &d,
        &dd,
        &fw,
        &sites,
        Accounts::Built,
    );
    // Without accounts: that table is empty, everything else the same.
    let (lean, lean_ids) = tidy(
        &interviews,
        &documents,
        &d,
        &dd,
        &fw,
        &sites,
        Accounts::Left,
    );
    assert!(t.accounts.num_rows() > 0);
    assert_eq!(lean.accounts.num_rows(), 0);
    assert_eq!(lean.accounts.schema(), model::schema::accounts());
    assert_eq!(lean_ids, ids);
    for ((name, a), (_, b)) in t.named().into_iter().zip(lean.named()) {
        if name != "accounts" {
            assert_eq!(a, b, "{name}");
        }
    }

    // schemas are exactly model::schema's
    assert_eq!(t.participants.schema(), model::schema::participants());
    assert_eq!(t.answers.schema(), model::schema::answers());
    assert_eq!(t.top3.schema(), model::schema::top3());
    assert_eq!(t.outcomes.schema(), model::schema::outcomes());
    assert_eq!(t.accounts.schema(), model::schema::accounts());
    assert_eq!(t.documents.schema(), model::schema::documents());
    assert_eq!(t.evidence.schema(), model::schema::evidence());
    assert_eq!(t.sites.schema(), model::schema::sites());

    // participants, sorted by site then record; one S01-02 only
    let p = &t.participants;
    assert_eq!(strings(p, "participant"), ["S01-02", "S03-07"]);
    assert_eq!(strings(p, "sector"), ["voluntary", "statutory"]);
    assert_eq!(strings(p, "group"), ["team_manager", "peer_worker"]);
    assert_eq!(codes(p, "age_band"), [None, Some(3)]);
    assert_eq!(codes(p, "form_complete"), [None, Some(2)]);
    assert_eq!(
        strings(p, "source_file"),
        ["raw/interviews/a.csv", "raw/interviews/a.csv"]
    );
    let lines = p
        .column_by_name("source_line")
        .expect("line")
        .as_primitive::<UInt32Type>();
    assert_eq!(
        (lines.value(0), lines.value(1)),
        (4, 2),
        "S03-07's quoted newline pushes S01-02 to line 4"
    );
    assert_eq!(strings(p, "row_hash")[0], interviews[0].records[1].hash);
    for col in [
        "participant_name",
        "contact_email",
        "interviewer",
        "interview_date",
    ] {
        assert!(p.column_by_name(col).is_none());
    }

    // answers: every participant × every factor, framework order, missing = null
    let a = &t.answers;
    assert_eq!(a.num_rows(), 2 * fw.factors.len());
    let s3 = fw.factors.len();
    assert_eq!(strings(a, "factor")[s3], "role_clarity");
    assert_eq!(codes(a, "pattern")[s3], Some(1));
    assert_eq!(codes(a, "importance")[s3], None, "-98 is never a rating");
    assert_eq!(codes(a, "direction")[s3], Some(2));
    let sup = fw
        .factors
        .iter()
        .position(|f| f.code == "supervision")
        .expect("factor");
    assert_eq!(codes(a, "importance")[s3 + sup], Some(5));

    // top3: rank from the field, empty skipped
    let top = &t.top3;
    assert_eq!(strings(top, "factor"), ["supervision", "career"]);
    let ranks = top
        .column_by_name("rank")
        .expect("rank")
        .as_primitive::<UInt8Type>();
    assert_eq!((ranks.value(0), ranks.value(1)), (1, 3));

    // outcomes: framework outcomes in order
    assert_eq!(
        strings(&t.outcomes, "outcome")[3..],
        ["out_distinct", "out_practice", "out_benefit"]
    );
    assert_eq!(codes(&t.outcomes, "answer")[3..], [Some(9), None, None]);

    // accounts: free text, themes, unredacted, empty and missing codes skipped
    let acc = &t.accounts;
    assert_eq!(
        strings(acc, "participant"),
        ["S01-02", "S03-07", "S03-07", "S03-07"]
    );
    assert_eq!(
        strings(acc, "field"),
        ["comments", "role_detail", "top_1_impact", "bme_experience"]
    );
    assert_eq!(
        strings(acc, "theme"),
        ["other", "role", "supervision", "bme"]
    );
    assert_eq!(
        strings(acc, "text")[2],
        "Weekly supervision, with \"Jo\"\nhelped"
    );

    // documents and evidence
    assert_eq!(strings(&t.documents, "document"), ["D01", "D02"]);
    assert_eq!(strings(&t.documents, "doc_date"), ["∅", "2010-05-01"]);
    assert!(t.documents.column_by_name("doc_title").is_none());
    let ev = &t.evidence;
    assert_eq!(strings(ev, "factor"), ["supervision", "career"]);
    assert_eq!(strings(ev, "excerpt"), ["Supervision, monthly", "∅"]);
    assert_eq!(strings(ev, "page"), ["∅", "p. 4"]);
    assert_eq!(strings(ev, "site"), ["S03", "S03"]);

    // sites: the register, sorted, with has_data
    assert_eq!(strings(&t.sites, "site"), ["S01", "S02", "S03"]);
    let has = t
        .sites
        .column_by_name("has_data")
        .expect("has_data")
        .as_boolean();
    assert_eq!(
        (has.value(0), has.value(1), has.value(2)),
        (true, false, true)
    );

    // identities: one per interview record, identifier fields only
    assert_eq!(ids.people.len(), 2);
    assert_eq!(ids.people[1].record_id, "S03-07");
    assert_eq!(ids.people[1].site_id, "S03");
    assert_eq!(
        ids.people[1].fields,
        [
            ("participant_name".to_string(), "Jo Bloggs".to_string()),
            ("contact_email".to_string(), "jo@example.org".to_string())
        ]
    );
    assert_eq!(ids.people[0].fields, []);
}

#[test]
fn tidy_never_panics_on_odd_input() {
    let (d, dd, fw) = dictionaries();
    let odd = [
        table(
            "record_id,site_id,stakeholder_group\nS09-01,S09,1\nS03-01,S03,x\nshort\n,,\nS03-02,S03,1\n",
        ),
        table("nothing,here\n1,2\n"),
    ];
    let docs = [table(
        "record_id,redcap_repeat_instrument\nS03-D01,evidence\nS03-D02,\nS03-X,\n",
    )];
    let (t, ids) = tidy(&odd, &docs, &d, &dd, &fw, &register(), Accounts::Built);
    assert_eq!(strings(&t.participants, "participant"), ["S03-02"]);
    assert_eq!(t.answers.num_rows(), fw.factors.len());
    assert_eq!(strings(&t.documents, "document"), ["D02"]);
    assert_eq!(t.evidence.num_rows(), 0);
    assert_eq!(ids.people.len(), 3);
    let (t, ids) = tidy(
        &[],
        &[],
        &model::Dictionary::default(),
        &model::Dictionary::default(),
        &fw,
        &[],
        Accounts::Built,
    );
    assert_eq!(t.sites.num_rows(), 0);
    assert!(ids.people.is_empty());
}

#[test]
fn data_access_group_names_leave_out_what_is_published_anyway() {
    let sites = register();
    assert_eq!(
        tidy::data_access_group_names("riverside_peer_hub", &sites),
        ["riverside_peer_hub", "riverside peer hub"]
    );
    assert_eq!(
        tidy::data_access_group_names(" elmhouse ", &sites),
        ["elmhouse"]
    );
    // A site's label, code or region, a sector, or too short: nothing to hide.
    for published in [
        "site_c",
        "Site_A",
        "s02",
        "london",
        "south",
        "voluntary",
        "ab",
        "",
    ] {
        assert!(
            tidy::data_access_group_names(published, &sites).is_empty(),
            "{published}"
        );
    }
}

#[test]
fn tidy_reads_checkbox_choices_and_keeps_redcaps_own_columns_as_identities() {
    let (mut d, dd, fw) = dictionaries();
    let at = d
        .fields
        .iter()
        .position(|f| f.name == "role_detail")
        .unwrap();
    let mut settings = model::Field::checkbox(
        "work_settings",
        "Where do you work?",
        &[
            ("1", "Inpatient ward"),
            ("2", "Community team"),
            ("-3", "Crisis team"),
        ],
    );
    settings.form = "interview_data_sheet".into();
    d.fields.insert(at + 1, settings);
    let text = "record_id,redcap_data_access_group,redcap_survey_identifier,interview_data_sheet_timestamp,site_id,stakeholder_group,work_settings___1,work_settings___2,work_settings____3,comments\n\
S03-07,riverside_peer_hub,jo@example.org,2011-03-05 14:22:10,S03,1,1,0,1,Fine\n\
S03-08,riverside_peer_hub,,[not completed],S03,2,0,0,0,\n\
S01-02,site_a,,,S01,4,0,1,0,\n";
    let interviews = [read_csv(text.as_bytes(), "raw/interviews/a.csv").expect("a")];
    let (t, ids) = tidy(&interviews, &[], &d, &dd, &fw, &register(), Accounts::Built);
    let c = &t.checkboxes;
    assert_eq!(c.schema(), model::schema::checkboxes());
    assert_eq!(strings(c, "participant"), ["S01-02", "S03-07", "S03-07"]);
    assert_eq!(strings(c, "field"), ["work_settings"; 3]);
    assert_eq!(strings(c, "choice"), ["2", "1", "-3"]);
    assert_eq!(
        strings(c, "group"),
        ["team_manager", "peer_worker", "peer_worker"]
    );
    assert_eq!(strings(c, "source_file"), ["raw/interviews/a.csv"; 3]);
    // REDCap's own columns reach no table: only the identities.
    for (name, batch) in t.named() {
        for column in ["redcap_data_access_group", "redcap_survey_identifier"] {
            assert!(batch.column_by_name(column).is_none(), "{name}");
        }
    }
    let fields = |record: &str| -> Vec<(String, String)> {
        ids.people
            .iter()
            .find(|p| p.record_id == record)
            .unwrap()
            .fields
            .clone()
    };
    let pair = |f: &str, v: &str| (f.to_string(), v.to_string());
    assert_eq!(
        fields("S03-07"),
        [
            pair("redcap_data_access_group", "riverside_peer_hub"),
            pair("redcap_data_access_group", "riverside peer hub"),
            pair("redcap_survey_identifier", "jo@example.org"),
        ]
    );
    // `site_a` is Site A's published label: nothing to hide.
    assert_eq!(fields("S01-02"), []);
    // The free text is read as before, the timestamps not at all.
    assert_eq!(strings(&t.accounts, "text"), ["Fine"]);
}
