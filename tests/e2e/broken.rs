//! Broken copies of a study folder: each gives exit 1, a message naming the
//! file, line and column, what was expected and what was found, and leaves
//! the outputs of the last good run untouched.

use std::path::Path;

use super::*;

const EXPORT: &str = "raw/interviews/export_s21.csv";
const DICTIONARY: &str = "redcap/interview_dictionary.csv";

/// A CSV file as rows of cells, and back, written the way REDCap and
/// Python's csv module write them (quotes only where needed, LF).
fn read_rows(path: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap();
    reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

fn quoted(cell: &str) -> String {
    if cell.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_string()
    }
}

fn write_rows(path: &Path, rows: &[Vec<String>]) {
    let text: String = rows
        .iter()
        .map(|r| r.iter().map(|c| quoted(c)).collect::<Vec<_>>().join(",") + "\n")
        .collect();
    std::fs::write(path, text).unwrap();
}

/// The 1-based character column where cell `index` of a written row starts.
fn column_of(row: &[String], index: usize) -> usize {
    1 + row[..index]
        .iter()
        .map(|c| quoted(c).chars().count() + 1)
        .sum::<usize>()
}

struct Case {
    name: &'static str,
    /// Break the study; return the text stderr must contain (after the study path).
    apply: fn(&Path) -> String,
}

fn field(rows: &[Vec<String>], name: &str) -> usize {
    rows[0].iter().position(|h| h == name).unwrap()
}

fn edit(study: &Path, rel: &str, change: impl FnOnce(&mut Vec<Vec<String>>) -> String) -> String {
    let path = study.join(rel);
    let mut rows = read_rows(&path);
    let expected = change(&mut rows);
    write_rows(&path, &rows);
    expected
}

const CASES: &[Case] = &[
    Case {
        name: "a rating of 7",
        apply: |study| {
            edit(study, EXPORT, |rows| {
                let f = field(rows, "imp_supervision");
                rows[2][f] = "7".into();
                format!(
                    "{EXPORT}:3:{}: imp_supervision: expected one of the codes 1, 2, 3, 4, 5 (or -98, -99, empty), found `7`",
                    column_of(&rows[2], f)
                )
            })
        },
    },
    Case {
        name: "an ethnic group the dictionary does not define",
        apply: |study| {
            edit(study, EXPORT, |rows| {
                let f = field(rows, "ethnicity");
                rows[2][f] = "8".into();
                format!(
                    "{EXPORT}:3:{}: ethnicity: expected one of the codes 1, 2, 3, 4, 5, 6, 7 (or -98, -99, empty), found `8`",
                    column_of(&rows[2], f)
                )
            })
        },
    },
    Case {
        name: "a sixth stakeholder group in the dictionary",
        apply: |study| {
            edit(study, DICTIONARY, |rows| {
                let line = rows
                    .iter()
                    .position(|r| r[0] == "stakeholder_group")
                    .unwrap();
                rows[line][5].push_str(" | 6, Volunteer");
                format!(
                    "{DICTIONARY}:{}:{}: stakeholder_group: expected exactly the protocol's five stakeholder groups, coded 1 (peer worker), 2 (professional), 3 (service user), 4 (team manager), 5 (senior manager); found a group beyond the five, `6, Volunteer`",
                    line + 1,
                    column_of(&rows[line], 5)
                )
            })
        },
    },
    Case {
        name: "a pattern answer missing from the dictionary",
        apply: |study| {
            edit(study, DICTIONARY, |rows| {
                let line = rows.iter().position(|r| r[0] == "pm_career").unwrap();
                rows[line][5] = rows[line][5].replace(" | 9, Don't know", "");
                format!(
                    "{DICTIONARY}:{}:{}: pm_career: expected exactly the pattern-matching answers, coded 1 (in place), 2 (partly in place), 3 (not in place), 9 (don't know); found no choice coded 9 (don't know)",
                    line + 1,
                    column_of(&rows[line], 5)
                )
            })
        },
    },
    Case {
        name: "an unknown factor in a top three",
        apply: |study| {
            edit(study, EXPORT, |rows| {
                let f = field(rows, "top_1");
                rows[1][f] = "teamwork".into();
                format!(
                    "{EXPORT}:2:{}: top_1: expected one of the 22 codes",
                    column_of(&rows[1], f)
                )
            })
        },
    },
    Case {
        name: "the same factor twice in a top three",
        apply: |study| {
            edit(study, EXPORT, |rows| {
                let (f1, f2) = (field(rows, "top_1"), field(rows, "top_2"));
                rows[1][f2] = rows[1][f1].clone();
                format!(
                    "{EXPORT}:2:{}: top_2: expected a factor different from top_1, found `{}` again",
                    column_of(&rows[1], f2),
                    rows[1][f1]
                )
            })
        },
    },
    Case {
        name: "conflicting duplicate records",
        apply: |study| {
            let rows = read_rows(&study.join(EXPORT));
            let f = field(&rows, "imp_career");
            let mut copy = rows[2].clone();
            copy[f] = if copy[f] == "5" {
                "4".into()
            } else {
                "5".into()
            };
            let column = column_of(&copy, f);
            write_rows(
                &study.join("raw/interviews/export_zz.csv"),
                &[rows[0].clone(), copy],
            );
            format!(
                "raw/interviews/export_zz.csv:2:{column}: record S21-02 differs between {EXPORT}:3 and raw/interviews/export_zz.csv:2 in `imp_career`"
            )
        },
    },
    Case {
        name: "an unknown site",
        apply: |study| {
            edit(study, EXPORT, |rows| {
                let (id, site) = (field(rows, "record_id"), field(rows, "site_id"));
                rows[3][id] = "S99-03".into();
                rows[3][site] = "S99".into();
                format!(
                    "{EXPORT}:4:{}: site_id: expected a site_id of sites.csv (S21, S22, S23), found `S99`",
                    column_of(&rows[3], site)
                )
            })
        },
    },
    Case {
        name: "a missing required column",
        apply: |study| {
            edit(study, EXPORT, |rows| {
                let f = field(rows, "consent_recorded");
                for row in rows.iter_mut() {
                    row.remove(f);
                }
                format!(
                    "{EXPORT}:1:0: consent_recorded: expected a column for this required field, found none"
                )
            })
        },
    },
    Case {
        name: "bytes that are not UTF-8",
        apply: |study| {
            let path = study.join(EXPORT);
            let mut bytes = std::fs::read(&path).unwrap();
            let line_start = bytes
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .nth(2)
                .unwrap()
                .0
                + 1;
            bytes.insert(line_start + 3, 0xE9);
            std::fs::write(&path, bytes).unwrap();
            format!("{EXPORT}:4:4: expected UTF-8 text, found the byte 0xE9 that is not UTF-8")
        },
    },
    Case {
        name: "a short row",
        apply: |study| {
            edit(study, EXPORT, |rows| {
                let header = rows[0].len();
                rows[4].truncate(10);
                format!("{EXPORT}:5:1: expected {header} cells as in the header, found 10")
            })
        },
    },
    Case {
        name: "an impossible date",
        apply: |study| {
            edit(study, "raw/documents/documents.csv", |rows| {
                let f = field(rows, "doc_date");
                rows[1][f] = "2011-02-30".into();
                format!(
                    "raw/documents/documents.csv:2:{}: doc_date: expected a real date as YYYY-MM-DD (or -98, -99, empty), found `2011-02-30`",
                    column_of(&rows[1], f)
                )
            })
        },
    },
    Case {
        name: "an impossible date in an identifier field, not quoted",
        apply: |study| {
            edit(study, EXPORT, |rows| {
                let f = field(rows, "interview_date");
                rows[1][f] = "2012-02-30".into();
                format!(
                    "{EXPORT}:2:{}: interview_date: expected a real date as YYYY-MM-DD",
                    column_of(&rows[1], f)
                )
            })
        },
    },
    Case {
        name: "an empty file",
        apply: |study| {
            std::fs::write(study.join("raw/interviews/export_s22.csv"), b"").unwrap();
            "raw/interviews/export_s22.csv:1:0: expected a header line naming the columns, found an empty file".to_string()
        },
    },
    Case {
        name: "a checkbox choice neither ticked nor not",
        apply: |study| {
            edit(study, EXPORT, |rows| {
                let f = field(rows, "support____3");
                rows[1][f] = "2".into();
                format!(
                    "{EXPORT}:2:{}: support____3: expected 1 (ticked) or 0 (not ticked), a choice of the checkbox field support, found `2`",
                    column_of(&rows[1], f)
                )
            })
        },
    },
    Case {
        name: "an empty checkbox cell",
        apply: |study| {
            edit(study, EXPORT, |rows| {
                let f = field(rows, "support___a");
                rows[3][f] = String::new();
                format!(
                    "{EXPORT}:4:{}: support___a: expected 1 (ticked) or 0 (not ticked), a choice of the checkbox field support, found an empty cell",
                    column_of(&rows[3], f)
                )
            })
        },
    },
    Case {
        name: "a record in two events of a longitudinal export",
        apply: |study| {
            edit(study, EXPORT, |rows| {
                // REDCap writes the event after the record id.
                for (i, row) in rows.iter_mut().enumerate() {
                    let event = if i == 0 {
                        "redcap_event_name"
                    } else {
                        "interview_arm_1"
                    };
                    row.insert(1, event.into());
                }
                let mut again = rows[2].clone();
                again[1] = "follow_up_arm_1".into();
                rows.push(again);
                let line = rows.len();
                format!(
                    "{EXPORT}:{line}:{}: redcap_event_name: expected one event for record `S21-02`, found `follow_up_arm_1` here and `interview_arm_1` at {EXPORT}:3: crosscase reads one event per interviewee",
                    column_of(&rows[line - 1], 1)
                )
            })
        },
    },
    Case {
        name: "a labels export",
        apply: |study| {
            std::fs::copy(
                root().join("tests/fixtures/other-study-broken/labels_export_s21.csv"),
                study.join(EXPORT),
            )
            .unwrap();
            format!(
                "{EXPORT}:1:1: expected a REDCap \"CSV (raw data)\" export (field names such as `record_id` as the header, codes as values), found a \"CSV (labels)\" export"
            )
        },
    },
];

#[test]
fn each_broken_copy_exits_1_names_the_place_and_keeps_earlier_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&other_study(), &out, &[]));
    let good = tree(&out);
    for case in CASES {
        let study = tmp.path().join(case.name.replace(' ', "_"));
        copy_tree(&other_study(), &study);
        let expected = (case.apply)(&study);
        let output = synthesis(&study, &out, &[]);
        let err = stderr(&output);
        assert_eq!(code(&output), 1, "{}: expected exit 1\n{err}", case.name);
        let shown = format!("{}/{expected}", study.display());
        assert!(
            err.contains(&shown),
            "{}: expected\n  {shown}\nin\n{err}",
            case.name
        );
        assert!(
            !err.contains("2012-02-30"),
            "{}: an identifier field's value was quoted\n{err}",
            case.name
        );
        assert!(!err.contains("panicked"), "{}: {err}", case.name);
        assert!(
            tree(&out) == good,
            "{}: the outputs of the last good run changed",
            case.name
        );
        // `validate` finds the same problem.
        let check = crosscase(&["validate", "--study", study.to_str().unwrap()]);
        assert_eq!(code(&check), 1, "{}: validate", case.name);
        assert!(
            stderr(&check).contains(&shown),
            "{}: validate\n{}",
            case.name,
            stderr(&check)
        );
    }
}
