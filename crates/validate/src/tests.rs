//! Every diagnostic kind, with its exact message.

use ingest::{CsvTable, parse_dictionary, parse_sites, read_csv};
use model::{Dictionary, Framework, Site};

use super::check_study;

const INTERVIEW_DICT: &str = include_str!("../../../data-schema/redcap/interview_dictionary.csv");
const DOCUMENT_DICT: &str = include_str!("../../../data-schema/redcap/document_dictionary.csv");
const FRAMEWORK: &str = include_str!("../../../data-schema/framework.toml");
const SITES: &str = "site_id,site_name,label,sector,partnership,bme_focus,region,wave,model\n\
S01,Hope,Site A,voluntary,no,yes,North,2,x\n\
S03,Riverside,Site C,statutory,yes,no,London,1,x\n";

/// The columns every interview export needs: the required fields.
const REQ: &str = "record_id,site_id,consent_recorded,stakeholder_group";
/// The required fields with the two identifier fields checked here.
const REQ_ID: &str =
    "record_id,site_id,contact_email,interview_date,consent_recorded,stakeholder_group";
const DOC_HEAD: &str = "record_id,redcap_repeat_instrument,redcap_repeat_instance,site_id,doc_type,doc_title,doc_date,ev_factor,ev_status,ev_excerpt,ev_page,document_complete,evidence_complete";

struct Study {
    dict: Dictionary,
    doc_dict: Dictionary,
    framework: Framework,
    sites: Vec<Site>,
}

fn study() -> Study {
    let csv = |text: &str, path: &str| read_csv(text.as_bytes(), path).expect("csv");
    Study {
        dict: parse_dictionary(&csv(INTERVIEW_DICT, "redcap/interview_dictionary.csv"))
            .expect("dict"),
        doc_dict: parse_dictionary(&csv(DOCUMENT_DICT, "redcap/document_dictionary.csv"))
            .expect("doc dict"),
        framework: Framework::parse(FRAMEWORK, "framework.toml").expect("framework"),
        sites: parse_sites(&csv(SITES, "sites.csv")).expect("sites"),
    }
}

fn export(text: &str, path: &str) -> CsvTable {
    read_csv(text.as_bytes(), path).expect("export parses")
}

impl Study {
    fn run(&self, interviews: &[CsvTable], documents: &[CsvTable]) -> Vec<String> {
        check_study(
            interviews,
            documents,
            &self.dict,
            &self.doc_dict,
            &self.framework,
            &self.sites,
        )
        .iter()
        .map(ToString::to_string)
        .collect()
    }
    fn interviews(&self, text: &str) -> Vec<String> {
        self.run(&[export(text, "raw/interviews/a.csv")], &[])
    }
    fn documents(&self, text: &str) -> Vec<String> {
        self.run(&[], &[export(text, "raw/documents/d.csv")])
    }
}

#[test]
fn a_clean_export_has_no_diagnostics() {
    let s = study();
    let text = format!(
        "{REQ_ID},years_in_role,imp_supervision,top_1,top_2,comments,interview_data_sheet_complete\n\
S01-01,S01,jo@example.org,2011-03-01,1,2,0,-98,supervision,career,\"Said a lot,\nover two lines\",2\n\
S03-02,S03,,,1,5,-99,,,,,\n"
    );
    assert_eq!(s.interviews(&text), Vec::<String>::new());
    let docs = format!(
        "{DOC_HEAD}\nS03-D01,,,S03,1,Title,2010-05-01,,,,,2,\nS03-D01,evidence,1,,,,,career,2,Excerpt,p. 3,,2\n"
    );
    assert_eq!(s.documents(&docs), Vec::<String>::new());
}

#[test]
fn header_problems() {
    let s = study();
    let text = "record_id,site_id,stakeholder_group,comments,age_band,nickname,age_band\nS01-01,S01,2,,,,\n";
    assert_eq!(
        s.interviews(text),
        [
            "raw/interviews/a.csv:1:0: consent_recorded: expected a column for this required field, found none",
            "raw/interviews/a.csv:1:46: age_band: expected the columns in dictionary order, found it after `comments`",
            "raw/interviews/a.csv:1:55: nickname: expected a column named after a field of redcap/interview_dictionary.csv, found an unknown column",
            "raw/interviews/a.csv:1:64: age_band: expected each column once, found it again (first at column 46)",
        ]
    );
}

#[test]
fn record_with_wrong_cell_count() {
    let s = study();
    let text = format!("{REQ},comments\nS01-01,S01,1\nS01-02,S01,1,2,ok,extra\n");
    assert_eq!(
        s.interviews(&text),
        [
            "raw/interviews/a.csv:2:1: expected 5 cells as in the header, found 3",
            "raw/interviews/a.csv:3:1: expected 5 cells as in the header, found 6",
        ]
    );
}

#[test]
fn value_problems() {
    let s = study();
    let text = format!(
        "{REQ_ID},age_band,years_in_role,imp_supervision,top_1\n\
S01-01,S01,someone at nhs,2011-02-30,y,,8,51,7,teamwork\n\
S01-02,S01,,30/03/2011,1,-98,-99,3.5,-98,\n"
    );
    assert_eq!(
        s.interviews(&text),
        [
            "raw/interviews/a.csv:2:12: contact_email: expected an email address (or -98, -99, empty), found a value that is not an email address (identifier: not shown)",
            "raw/interviews/a.csv:2:27: interview_date: expected a real date as YYYY-MM-DD (or -98, -99, empty), found a value that is not a real date as YYYY-MM-DD (identifier: not shown)",
            "raw/interviews/a.csv:2:38: consent_recorded: expected 1 (yes) or 0 (no), found `y`",
            "raw/interviews/a.csv:2:40: stakeholder_group: expected a value (required field), found an empty cell",
            "raw/interviews/a.csv:2:41: age_band: expected one of the codes 1, 2, 3, 4, 5, 6, 7 (or -98, -99, empty), found `8`",
            "raw/interviews/a.csv:2:43: years_in_role: expected a whole number from 0 to 50 (or -98, -99, empty), found `51`",
            "raw/interviews/a.csv:2:46: imp_supervision: expected one of the codes 1, 2, 3, 4, 5 (or -98, -99, empty), found `7`",
            "raw/interviews/a.csv:2:48: top_1: expected one of the 22 codes listed for top_1 in redcap/interview_dictionary.csv (or -98, -99, empty), found `teamwork`",
            "raw/interviews/a.csv:3:13: interview_date: expected a real date as YYYY-MM-DD (or -98, -99, empty), found a value that is not a real date as YYYY-MM-DD (identifier: not shown)",
            "raw/interviews/a.csv:3:26: stakeholder_group: expected a value (required field), found the missing code `-98`",
            "raw/interviews/a.csv:3:34: years_in_role: expected a whole number from 0 to 50 (or -98, -99, empty), found `3.5`",
        ]
    );
}

#[test]
fn identifier_values_are_never_quoted() {
    let s = study();
    let text = format!("{REQ_ID}\nS01-01,S01,Jo Bloggs,1 March,1,2\n");
    let out = s.interviews(&text).join("\n");
    assert!(
        !out.contains("Jo Bloggs") && !out.contains("1 March"),
        "{out}"
    );
    assert_eq!(out.matches("(identifier: not shown)").count(), 2);
}

#[test]
fn dates_of_documents() {
    let s = study();
    let docs = format!(
        "{DOC_HEAD}\nS03-D01,,,S03,1,Title,2011-02-30,,,,,2,\nS03-D02,,,S03,1,Title,1/5/2010,,,,,2,\n"
    );
    assert_eq!(
        s.documents(&docs),
        [
            "raw/documents/d.csv:2:23: doc_date: expected a real date as YYYY-MM-DD (or -98, -99, empty), found `2011-02-30`",
            "raw/documents/d.csv:3:23: doc_date: expected a real date as YYYY-MM-DD (or -98, -99, empty), found `1/5/2010`",
        ]
    );
}

#[test]
fn framework_against_dictionary() {
    let mut s = study();
    s.dict
        .fields
        .retain(|f| f.name != "imp_supervision" && f.name != "out_benefit");
    if let Some(top) = s.dict.fields.iter_mut().find(|f| f.name == "top_2") {
        top.choices.push(model::Choice {
            code: "teamwork".into(),
            label: "Teamwork".into(),
        });
    }
    assert_eq!(
        s.run(&[], &[]),
        [
            "redcap/interview_dictionary.csv: imp_supervision: expected a field of the dictionary for the framework factor `supervision`, found none",
            "redcap/interview_dictionary.csv: out_benefit: expected a field of the dictionary for the framework outcome `out_benefit`, found none",
            "redcap/interview_dictionary.csv:87:0: top_2: expected choice codes that are factors of the framework, found `teamwork`",
        ]
    );
}

#[test]
fn top_three_repeated_and_out_of_order() {
    let s = study();
    let text = format!(
        "{REQ},top_1,top_2,top_3\n\
S01-01,S01,1,2,career,supervision,career\n\
S01-02,S01,1,2,,career,wellbeing\n\
S01-03,S01,1,2,career,-99,career\n"
    );
    assert_eq!(
        s.interviews(&text),
        [
            "raw/interviews/a.csv:2:35: top_3: expected a factor different from top_1, found `career` again",
            "raw/interviews/a.csv:3:17: warning: top_2: expected top_1 to be filled first, found top_1 empty",
            "raw/interviews/a.csv:4:27: warning: top_3: expected top_2 to be filled first, found top_2 empty",
            "raw/interviews/a.csv:4:27: top_3: expected a factor different from top_1, found `career` again",
        ]
    );
}

#[test]
fn sites_and_record_ids() {
    let s = study();
    let text = format!("{REQ}\nS11-01,S11,1,2\nS0101,S01,1,2\nS03-07,S01,1,2\n");
    assert_eq!(
        s.interviews(&text),
        [
            "raw/interviews/a.csv:2:8: site_id: expected a site_id of sites.csv (S01, S03), found `S11`",
            "raw/interviews/a.csv:3:1: record_id: expected the site code, a hyphen and digits (`S03-07`), found `S0101`",
            "raw/interviews/a.csv:4:1: record_id: expected a code starting with `S01-` (the site_id of this row), found `S03-07`",
        ]
    );
    let docs =
        format!("{DOC_HEAD}\nS03-02,,,S03,1,T,,,,,,2,\nS09-D01,evidence,1,,,,,career,1,,,,2\n");
    assert_eq!(
        s.documents(&docs),
        [
            "raw/documents/d.csv:2:1: record_id: expected the site code, `-D` and digits (`S03-D02`), found `S03-02`",
            "raw/documents/d.csv:3:1: record_id: expected a code starting with a site_id of sites.csv (S01, S03), found `S09-D01`",
            "raw/documents/d.csv:3:1: record_id: expected a document row for `S09-D01` (redcap_repeat_instrument empty), found only repeating rows",
        ]
    );
}

#[test]
fn a_record_in_two_files_must_be_identical() {
    let s = study();
    let a = export(
        &format!(
            "{REQ},imp_supervision,comments\nS03-01,S03,1,2,4,x\nS03-02,S03,1,2,4,x\nS03-07,S03,1,2,4,x\n"
        ),
        "raw/interviews/a.csv",
    );
    let b = export(
        &format!("{REQ},imp_supervision\nS03-07,S03,1,2,5\nS03-01,S03,1,2,4\n"),
        "raw/interviews/b.csv",
    );
    let c = export(
        &format!("{REQ},imp_supervision\nS03-02,S03,1,3,5\n"),
        "raw/interviews/c.csv",
    );
    assert_eq!(
        s.run(&[a, b, c], &[]),
        [
            "raw/interviews/b.csv:2:16: record S03-07 differs between raw/interviews/a.csv:4 and raw/interviews/b.csv:2 in `imp_supervision`",
            "raw/interviews/c.csv:2:14: record S03-02 differs between raw/interviews/a.csv:3 and raw/interviews/c.csv:2 in `stakeholder_group` and 1 other field",
        ]
    );
    let twice = format!("{REQ}\nS03-01,S03,1,2\nS03-01,S03,1,2\nS03-01,S03,1,3\n");
    assert_eq!(
        s.interviews(&twice),
        [
            "raw/interviews/a.csv:4:14: record S03-01 differs between raw/interviews/a.csv:2 and raw/interviews/a.csv:4 in `stakeholder_group`"
        ]
    );
    let docs = format!(
        "{DOC_HEAD}\nS03-D01,,,S03,1,T,,,,,,2,\nS03-D01,evidence,1,,,,,career,1,,,,2\nS03-D01,evidence,1,,,,,career,2,,,,2\n"
    );
    assert_eq!(
        s.documents(&docs),
        [
            "raw/documents/d.csv:4:31: record S03-D01 (evidence 1) differs between raw/documents/d.csv:3 and raw/documents/d.csv:4 in `ev_status`"
        ]
    );
}

#[test]
fn form_completeness() {
    let s = study();
    let text = format!(
        "{REQ},interview_data_sheet_complete\nS01-01,S01,1,2,0\nS01-02,S01,1,2,1\nS01-03,S01,1,2,3\nS01-04,S01,1,2,2\n"
    );
    assert_eq!(
        s.interviews(&text),
        [
            "raw/interviews/a.csv:2:16: warning: interview_data_sheet_complete: form not complete: expected 2 (complete), found 0 (incomplete)",
            "raw/interviews/a.csv:3:16: warning: interview_data_sheet_complete: form not complete: expected 2 (complete), found 1 (unverified)",
            "raw/interviews/a.csv:4:16: interview_data_sheet_complete: expected 0 (incomplete), 1 (unverified) or 2 (complete), found `3`",
        ]
    );
}

#[test]
fn repeating_instrument_rows() {
    let s = study();
    let docs = format!(
        "{DOC_HEAD}\n\
S03-D01,,1,S03,1,T,,,,,,2,\n\
S03-D01,evidnce,1,,,,,career,1,,,,2\n\
S03-D01,evidence,x,,,,,,1,,,,2\n"
    );
    assert_eq!(
        s.documents(&docs),
        [
            "raw/documents/d.csv:2:10: redcap_repeat_instance: expected an empty cell on a document row, found `1`",
            "raw/documents/d.csv:3:9: redcap_repeat_instrument: expected an empty cell (a document row) or `evidence`, found `evidnce`",
            "raw/documents/d.csv:4:18: redcap_repeat_instance: expected a whole number from 1 on a `evidence` row, found `x`",
            "raw/documents/d.csv:4:24: ev_factor: expected a value (required field), found an empty cell",
        ]
    );
}

#[test]
fn bom_crlf_and_quoted_newline_positions_of_errors() {
    let s = study();
    let bytes = format!(
        "\u{FEFF}{REQ},age_band,comments,interview_data_sheet_complete\r\nS01-01,S01,1,2,9,\"first line\r\nsecond, line\r\nthird\",7\r\nS01-02,S01,1,7,,,2\r\n"
    );
    let t = read_csv(bytes.as_bytes(), "raw/interviews/a.csv").expect("parses");
    assert_eq!(t.header[0].column, 1);
    let cells = t.cells(&t.records[0]);
    assert_eq!(cells[5].text, "first line\r\nsecond, line\r\nthird");
    assert_eq!((cells[5].line, cells[5].column), (2, 18));
    assert_eq!((cells[6].line, cells[6].column), (4, 8));
    assert_eq!(t.records[1].line, 5);
    assert_eq!(
        s.run(&[t], &[]),
        [
            "raw/interviews/a.csv:2:16: age_band: expected one of the codes 1, 2, 3, 4, 5, 6, 7 (or -98, -99, empty), found `9`",
            "raw/interviews/a.csv:4:8: interview_data_sheet_complete: expected 0 (incomplete), 1 (unverified) or 2 (complete), found `7`",
            "raw/interviews/a.csv:5:14: stakeholder_group: expected one of the codes 1, 2, 3, 4, 5, found `7`",
        ]
    );
}

/// The study with its interview dictionary edited: `edit(line)` rewrites
/// each line of the data-schema copy.
fn study_with(edit: impl Fn(&str) -> String) -> Study {
    let text: String = INTERVIEW_DICT.lines().map(|l| edit(l) + "\n").collect();
    let table = read_csv(text.as_bytes(), "redcap/interview_dictionary.csv").expect("csv");
    Study {
        dict: parse_dictionary(&table).expect("dict"),
        ..study()
    }
}

/// `path:line:column` of a field's choices cell in the data-schema
/// dictionary, counted here from the text (1-based, characters).
fn choices_at(field: &str) -> String {
    let (i, line) = INTERVIEW_DICT
        .lines()
        .enumerate()
        .find(|(_, l)| l.starts_with(&format!("{field},")))
        .expect("a field of the dictionary");
    // The choices are the sixth cell; every field's first five hold no comma
    // outside quotes except the quoted label, so count cells properly.
    let mut cells = 0;
    let mut quoted = false;
    let mut column = 0;
    for (k, c) in line.chars().enumerate() {
        if cells == 5 {
            column = k + 1;
            break;
        }
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => cells += 1,
            _ => {}
        }
    }
    format!("redcap/interview_dictionary.csv:{}:{column}", i + 1)
}

/// The problems of the study's dictionaries alone (no export).
fn dictionary_problems(s: &Study) -> Vec<String> {
    s.run(&[], &[])
}

#[test]
fn a_dictionary_lacking_a_code_crosscase_reads_is_an_error() {
    let s = study_with(|l| {
        if l.starts_with("pm_supervision,") {
            l.replace(" | 9, Don't know", "")
        } else {
            l.to_string()
        }
    });
    assert_eq!(
        dictionary_problems(&s),
        [format!(
            "{}: pm_supervision: expected exactly the pattern-matching answers, coded 1 (in place), 2 (partly in place), 3 (not in place), 9 (don't know); found no choice coded 9 (don't know)",
            choices_at("pm_supervision")
        )]
    );
}

#[test]
fn a_sixth_stakeholder_group_is_an_error() {
    let s = study_with(|l| {
        if l.starts_with("stakeholder_group,") {
            l.replace("commissioner\"", "commissioner | 6, Volunteer\"")
        } else {
            l.to_string()
        }
    });
    assert_eq!(
        dictionary_problems(&s),
        [format!(
            "{}: stakeholder_group: expected exactly the protocol's five stakeholder groups, coded 1 (peer worker), 2 (professional), 3 (service user), 4 (team manager), 5 (senior manager); found a group beyond the five, `6, Volunteer`",
            choices_at("stakeholder_group")
        )]
    );
}

#[test]
fn a_direction_code_out_of_its_scale_and_a_missing_group_are_errors() {
    let s = study_with(|l| {
        if l.starts_with("dir_career,") {
            l.replace("4, Neither", "5, Neither")
        } else if l.starts_with("stakeholder_group,") {
            l.replace(" | 3, Service user", "")
        } else {
            l.to_string()
        }
    });
    let at = choices_at("dir_career");
    let group = choices_at("stakeholder_group");
    assert_eq!(
        dictionary_problems(&s),
        [
            format!(
                "{group}: stakeholder_group: expected exactly the protocol's five stakeholder groups, coded 1 (peer worker), 2 (professional), 3 (service user), 4 (team manager), 5 (senior manager); found no choice coded 3 (service user)"
            ),
            format!(
                "{at}: dir_career: expected exactly the directions, coded 1 (facilitator), 2 (barrier), 3 (both), 4 (neither); found `5, Neither`, a code crosscase gives no meaning to"
            ),
            format!(
                "{at}: dir_career: expected exactly the directions, coded 1 (facilitator), 2 (barrier), 3 (both), 4 (neither); found no choice coded 4 (neither)"
            ),
        ]
    );
}

#[test]
fn missing_data_codes_and_demographic_codes_are_checked() {
    let s = study_with(|l| {
        if l.starts_with("gender,") {
            l.replace("4, Prefer not to say", "-99, Not asked")
        } else if l.starts_with("age_band,") {
            l.replace("7, Prefer not to say", "200, Prefer not to say | 8, 18-24")
        } else if l.starts_with("ethnicity,") {
            l.replace("5, Other ethnic group", "5, Not recorded")
        } else if l.starts_with("out_benefit,") {
            l.replace("dropdown", "text")
                .replace("\"1, Yes | 2, Partly | 3, No | 9, Don't know\"", "")
        } else {
            l.to_string()
        }
    });
    let problems = dictionary_problems(&s);
    let age = choices_at("age_band");
    let ethnicity = choices_at("ethnicity");
    let gender = choices_at("gender");
    // Its choices cell is now empty: the line is the field's, the column moved.
    let outcome = choices_at("out_benefit");
    let outcome = outcome.rsplit_once(':').expect("a column").0;
    let expected = [
        format!(
            "{age}: age_band: expected a label for each choice that no other choice has, nor `Not recorded` (the demographics table's missing answers); found `8, 18-24`"
        ),
        format!(
            "{age}: age_band: expected choice codes that are whole numbers from 0 to 127; found `200, Prefer not to say`"
        ),
        format!(
            "{gender}: gender: expected no choice coded -99, since crosscase reads -98 (declined), -99 (not asked) as missing data in every field without it being listed; found `-99, Not asked` (reading it as not asked)"
        ),
        format!(
            "{gender}: gender: expected choice codes that are whole numbers from 0 to 127; found `-99, Not asked`"
        ),
        format!(
            "{ethnicity}: ethnicity: expected a label for each choice that no other choice has, nor `Not recorded` (the demographics table's missing answers); found `5, Not recorded`"
        ),
    ];
    for e in &expected {
        assert!(problems.contains(e), "{e}\n not in {problems:#?}");
    }
    // A field crosscase reads as a scale, without choices.
    assert!(
        problems.iter().any(|p| p.starts_with(&format!("{outcome}:"))
            && p.contains("out_benefit: expected a dropdown or radio field with the outcome answers, coded 1 (yes), 2 (partly), 3 (no), 9 (don't know); found a field without choices")),
        "{problems:#?}"
    );
    assert_eq!(problems.len(), expected.len() + 1, "{problems:#?}");
}

/// A study's own words and an added choice are fine; a value its
/// dictionary does not define is an error at the export's cell.
#[test]
fn reworded_choices_and_an_added_one_validate_and_undefined_values_do_not() {
    let s = study_with(|l| {
        if l.starts_with("stakeholder_group,") {
            l.replace("1, Peer worker", "1, Peer support worker")
        } else if l.starts_with("gender,") {
            l.replace("1, Woman", "1, Female (including trans women)")
        } else if l.starts_with("ethnicity,") {
            l.replace(
                "6, Prefer not to say\"",
                "6, Prefer not to say | 7, Gypsy, Roma or Irish Traveller\"",
            )
        } else {
            l.to_string()
        }
    });
    assert_eq!(dictionary_problems(&s), Vec::<String>::new());
    let text = format!("{REQ},gender,ethnicity\nS01-01,S01,1,1,1,7\nS01-02,S01,1,1,1,8\n");
    assert_eq!(
        s.interviews(&text),
        [
            "raw/interviews/a.csv:3:18: ethnicity: expected one of the codes 1, 2, 3, 4, 5, 6, 7 (or -98, -99, empty), found `8`"
        ]
    );
}

/// Two groups the report would name alike are an error: the demographics
/// table could not tell them apart.
#[test]
fn two_groups_named_alike_are_an_error() {
    let s = study_with(|l| {
        if l.starts_with("stakeholder_group,") {
            l.replace(
                "5, Senior or strategic manager or commissioner",
                "5, Team or service manager",
            )
        } else {
            l.to_string()
        }
    });
    let mut s = s;
    // Without the framework's names, the dictionary's words are the labels.
    s.framework.groups.clear();
    assert_eq!(
        dictionary_problems(&s),
        [format!(
            "{}: stakeholder_group: expected each stakeholder group to be named apart (here or in framework.toml's [[group]]); found `Team or service manager` for two groups",
            choices_at("stakeholder_group")
        )]
    );
}

/// The study's dictionary with a checkbox field after `role_detail`.
fn with_checkbox(s: &mut Study, required: bool) {
    let at = s
        .dict
        .fields
        .iter()
        .position(|f| f.name == "role_detail")
        .unwrap();
    let mut field = model::Field::checkbox(
        "work_settings",
        "Where do you work?",
        &[
            ("1", "Inpatient ward"),
            ("2", "Community team"),
            ("-3", "Elsewhere"),
        ],
    );
    field.form = "interview_data_sheet".into();
    field.required = required;
    s.dict.fields.insert(at + 1, field);
}

#[test]
fn redcap_own_columns_are_read_where_redcap_writes_them() {
    let s = study();
    // Record id, event, repeat instrument and instance, data access group,
    // survey identifier, then the instrument's timestamp, fields, complete.
    let text = "record_id,redcap_event_name,redcap_repeat_instrument,redcap_repeat_instance,redcap_data_access_group,redcap_survey_identifier,interview_data_sheet_timestamp,site_id,consent_recorded,stakeholder_group,interview_data_sheet_complete\n\
S01-01,interview_arm_1,,,hope_house,ann@example.org,2011-03-05 14:22:10,S01,1,2,2\n\
S01-02,interview_arm_1,,,hope_house,,[not completed],S01,1,2,2\n\
S03-01,interview_arm_1,,,,,,S03,1,1,2\n";
    assert_eq!(s.interviews(text), Vec::<String>::new());
    // Out of place (the group after a field), repeating rows, and bad timestamps.
    let text = "record_id,site_id,redcap_data_access_group,redcap_repeat_instrument,redcap_repeat_instance,consent_recorded,stakeholder_group,interview_data_sheet_timestamp\n\
S01-01,S01,hope_house,follow_up,1,1,2,2011-03-05 24:00:00\n\
S01-02,S01,hope_house,,,1,2,05/03/2011 14:22\n";
    assert_eq!(
        s.interviews(text),
        [
            "raw/interviews/a.csv:1:19: redcap_data_access_group: expected the columns in dictionary order, found it after `site_id`",
            "raw/interviews/a.csv:1:44: redcap_repeat_instrument: expected the columns in dictionary order, found it after `site_id`",
            "raw/interviews/a.csv:1:69: redcap_repeat_instance: expected the columns in dictionary order, found it after `site_id`",
            "raw/interviews/a.csv:2:23: redcap_repeat_instrument: expected an empty cell (the interview data sheet is one row per interviewee, so crosscase reads no repeating instrument or event), found `follow_up`",
            "raw/interviews/a.csv:2:33: redcap_repeat_instance: expected an empty cell (the interview data sheet is one row per interviewee, so crosscase reads no repeating instrument or event), found `1`",
            "raw/interviews/a.csv:2:39: interview_data_sheet_timestamp: expected a survey timestamp (`YYYY-MM-DD HH:MM:SS`), `[not completed]` or an empty cell, found a value that is none of these (not shown)",
            "raw/interviews/a.csv:3:29: interview_data_sheet_timestamp: expected a survey timestamp (`YYYY-MM-DD HH:MM:SS`), `[not completed]` or an empty cell, found a value that is none of these (not shown)",
        ]
    );
    // Documents: REDCap writes each instrument's complete column after its
    // fields, and the group after the repeat columns.
    let docs = "record_id,redcap_repeat_instrument,redcap_repeat_instance,redcap_data_access_group,site_id,doc_type,doc_title,doc_date,document_complete,ev_factor,ev_status,ev_excerpt,ev_page,evidence_complete\n\
S03-D01,,,riverside,S03,1,Title,2010-05-01,2,,,,,\n\
S03-D01,evidence,1,riverside,,,,,,career,2,Excerpt,p. 3,2\n";
    assert_eq!(s.documents(docs), Vec::<String>::new());
}

#[test]
fn a_record_in_two_events_is_an_error_naming_both_rows() {
    let s = study();
    let head = "record_id,redcap_event_name,site_id,consent_recorded,stakeholder_group";
    let first = format!(
        "{head}\nS01-01,baseline_arm_1,S01,1,2\nS01-02,baseline_arm_1,S01,1,2\nS01-01,followup_arm_1,S01,1,2\nS01-01,third_arm_1,S01,1,2\n"
    );
    // The same record and event again in another file is a duplicate, as before.
    let second = format!("{head}\nS01-02,baseline_arm_1,S01,1,2\nS03-01,followup_arm_1,S03,1,1\n");
    assert_eq!(
        s.run(
            &[
                export(&first, "raw/interviews/a.csv"),
                export(&second, "raw/interviews/b.csv")
            ],
            &[]
        ),
        [
            "raw/interviews/a.csv:4:8: redcap_event_name: expected one event for record `S01-01`, found `followup_arm_1` here and `baseline_arm_1` at raw/interviews/a.csv:2: crosscase reads one event per interviewee (one row of the interview data sheet each); export the data of one event (REDCap lets an export choose its events)"
        ]
    );
}

#[test]
fn a_site_in_two_data_access_groups_is_warned_about_once_without_naming_them() {
    let s = study();
    let text = "record_id,redcap_data_access_group,site_id,consent_recorded,stakeholder_group\n\
S01-01,hope_house,S01,1,2\nS01-02,hope_house,S01,1,2\nS01-03,old_hope,S01,1,2\nS01-04,,S01,1,2\nS03-01,,S03,1,1\nS03-02,,S03,1,1\n";
    let found = s.interviews(text);
    assert_eq!(
        found,
        [
            "raw/interviews/a.csv:4:8: warning: redcap_data_access_group: expected every record of site S01 in one data access group (as at raw/interviews/a.csv:2), found a record in another data access group (groups' names are not shown)"
        ]
    );
    assert!(!found[0].contains("old_hope") && !found[0].contains("hope_house"));
}

#[test]
fn checkbox_fields_are_read_as_one_column_per_choice() {
    let mut s = study();
    with_checkbox(&mut s, false);
    let head = "record_id,site_id,consent_recorded,stakeholder_group,work_settings___1,work_settings___2,work_settings____3";
    let good = format!("{head}\nS01-01,S01,1,2,1,0,1\nS01-02,S01,1,2,0,0,0\n");
    assert_eq!(s.interviews(&good), Vec::<String>::new());
    // An optional field's columns may be left out, as any optional field.
    assert_eq!(
        s.interviews("record_id,site_id,consent_recorded,stakeholder_group\nS01-01,S01,1,2\n"),
        Vec::<String>::new()
    );
    let bad = format!("{head}\nS01-01,S01,1,2,2,,-98\nS01-02,S01,1,2,yes,1,0\n");
    assert_eq!(
        s.interviews(&bad),
        [
            "raw/interviews/a.csv:2:16: work_settings___1: expected 1 (ticked) or 0 (not ticked), a choice of the checkbox field work_settings, found `2`",
            "raw/interviews/a.csv:2:18: work_settings___2: expected 1 (ticked) or 0 (not ticked), a choice of the checkbox field work_settings, found an empty cell",
            "raw/interviews/a.csv:2:19: work_settings____3: expected 1 (ticked) or 0 (not ticked), a choice of the checkbox field work_settings, found `-98`",
            "raw/interviews/a.csv:3:16: work_settings___1: expected 1 (ticked) or 0 (not ticked), a choice of the checkbox field work_settings, found `yes`",
        ]
    );
    // The field's own name is not a column of a raw export.
    assert_eq!(
        s.interviews(
            "record_id,site_id,consent_recorded,stakeholder_group,work_settings\nS01-01,S01,1,2,1\n"
        ),
        [
            "raw/interviews/a.csv:1:54: work_settings: expected a column named after a field of redcap/interview_dictionary.csv, found an unknown column"
        ]
    );
    // A required checkbox field needs every choice's column.
    let mut s = study();
    with_checkbox(&mut s, true);
    assert_eq!(
        s.interviews(&format!(
            "{REQ},work_settings___1,work_settings___2\nS01-01,S01,1,2,1,0\n"
        )),
        [
            "raw/interviews/a.csv:1:0: work_settings____3: expected a column for this required field, found none"
        ]
    );
}

#[test]
fn two_checkbox_codes_exported_to_one_column_are_an_error() {
    let mut s = study();
    with_checkbox(&mut s, false);
    let field = s
        .dict
        .fields
        .iter_mut()
        .find(|f| f.name == "work_settings")
        .unwrap();
    field.choices[1].code = "A".into();
    field.choices[2].code = "a".into();
    let found = s.interviews(&format!("{REQ}\nS01-01,S01,1,2\n"));
    assert_eq!(
        found,
        [
            "redcap/interview_dictionary.csv: work_settings: expected checkbox choice codes that REDCap exports to different columns, found `A` and `a`, both exported as `work_settings___a`"
        ]
    );
}

#[test]
fn a_labels_export_is_said_once_per_file() {
    let mut s = study();
    with_checkbox(&mut s, false);
    // As REDCap writes "CSV (labels)": labels as the header, labels as values.
    let text = "\"Participant code (site code, hyphen, two digits)\",Data Access Group,Case study site code,Informed consent recorded,Stakeholder group,Where do you work? (choice=Inpatient ward),Where do you work? (choice=Community team),Complete?\n\
S01-01,Hope House,S01,Yes,Mental health professional or other team member,Checked,Unchecked,Complete\n\
S01-02,Hope House,S01,Yes,Peer worker,Unchecked,Unchecked,Complete\n";
    let raw = format!("{REQ}\nS03-01,S03,1,1\n");
    assert_eq!(
        s.run(
            &[
                export(text, "raw/interviews/a.csv"),
                export(&raw, "raw/interviews/b.csv")
            ],
            &[]
        ),
        [
            "raw/interviews/a.csv:1:1: expected a REDCap \"CSV (raw data)\" export (field names such as `record_id` as the header, codes as values), found a \"CSV (labels)\" export: 8 of its 8 columns are headed by a label of redcap/interview_dictionary.csv (`Participant code (site code, hyphen, two digits)` at column 1); export the data again as \"CSV (raw data)\""
        ]
    );
    // A raw export with one odd column is not taken for a labels export.
    let one = format!("{REQ},Stakeholder group\nS01-01,S01,1,2,x\n");
    assert_eq!(
        s.interviews(&one),
        [
            "raw/interviews/a.csv:1:54: Stakeholder group: expected a column named after a field of redcap/interview_dictionary.csv, found an unknown column"
        ]
    );
}
