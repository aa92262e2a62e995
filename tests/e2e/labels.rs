//! The study's own words (issue 13, part 1): labels and choices come from
//! the study's dictionary and framework, never from the demo's. The other
//! study (`tests/fixtures/make_other_study.py`) words its stakeholder
//! groups and demographics in its own way, lets its dictionary name the
//! groups (its framework has no `[[group]]`), and adds an ethnic group
//! (code 7) that five of its counted participants chose.

use std::path::Path;

use super::*;

/// The other study's words for its groups, as its dictionary has them.
pub(crate) const GROUPS: [(&str, &str); 5] = [
    ("peer_worker", "Peer support worker"),
    ("professional", "Clinician or allied professional"),
    ("service_user", "Person using the service"),
    ("team_manager", "Team leader"),
    ("senior_manager", "Director or commissioner"),
];
const POOLED: &str = "Team leader and Director or commissioner, pooled";
const GENDER: [&str; 4] = [
    "Female (including trans women)",
    "Male (including trans men)",
    "In another way",
    "Would rather not say",
];
const TRAVELLER: &str = "Gypsy, Roma or Irish Traveller";

/// The demo's words for the same codes: its dictionary's choices, and
/// the report names its framework gives the groups.
const DEMO_WORDS: [&str; 30] = [
    "Peer workers",
    "Professionals",
    "Service users",
    "Team managers",
    "Senior managers",
    "Managers (team and senior)",
    "Peer worker",
    "Professional",
    "Service user",
    "Team manager",
    "Senior manager",
    "Mental health professional or other team member",
    "Team or service manager",
    "Senior or strategic manager or commissioner",
    "18-24",
    "25-34",
    "35-44",
    "45-54",
    "55-64",
    "65 or over",
    "Prefer not to say",
    "Woman",
    "Man",
    "Non-binary or other",
    "White",
    "Mixed or multiple ethnic groups",
    "Asian or Asian British",
    "Black, African, Caribbean or Black British",
    "Other ethnic group",
    "Ethnic group",
];

/// Where a document shows a label: a table cell (Markdown or HTML), the
/// start of a chart's text alternative for one group, a quote's label, or
/// the last part of a figure id.
fn shown_as_label(text: &str, label: &str) -> bool {
    let escaped = label.replace('&', "&amp;");
    [
        format!("| {label} |"),
        format!("<td>{escaped}</td>"),
        format!("<th>{escaped}</th>"),
        format!(". {label}: n = "),
        format!(". {label}: suppressed"),
        format!("— *{label}*"),
        format!("— <em>{escaped}</em>"),
        format!("/{label}`"),
    ]
    .iter()
    .any(|form| text.contains(form.as_str()))
}

/// The documents people read: the report, every site pack and handbook page.
fn documents(out: &Path) -> Vec<(String, String)> {
    tree(out)
        .into_iter()
        .filter(|(name, _)| {
            name.starts_with("report/") && (name.ends_with(".md") || name.ends_with(".html"))
        })
        .map(|(name, bytes)| (name, String::from_utf8(bytes).unwrap()))
        .collect()
}

/// The `About` sheet's rows as (column, code, value label), value rows only.
fn about_values(out: &Path) -> Vec<(String, String, String)> {
    let xlsx = std::fs::read(out.join("report/tables.xlsx")).unwrap();
    review::xlsx_sheet_text(&xlsx, "About")
        .lines()
        .map(|l| l.split('\t').map(String::from).collect::<Vec<_>>())
        .filter(|cells| cells.get(2).map(String::as_str) == Some("value"))
        .map(|cells| (cells[3].clone(), cells[6].clone(), cells[7].clone()))
        .collect()
}

#[test]
fn the_studys_own_words_reach_every_output_and_no_demo_word_does() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&other_study(), &out, &[]));

    // The report, each site pack and each domain's handbook page name the
    // groups in the study's words; codes stay codes in the figure ids.
    let docs = documents(&out);
    let pages: Vec<&(String, String)> = docs
        .iter()
        .filter(|(name, _)| !name.ends_with("index.md") && !name.ends_with("index.html"))
        .collect();
    assert!(pages.len() >= 15, "{} pages", pages.len());
    for (name, text) in &pages {
        assert!(
            shown_as_label(text, GROUPS[0].1),
            "{name} does not name the peer workers as the study does"
        );
        for word in DEMO_WORDS {
            assert!(
                !shown_as_label(text, word),
                "{name} shows the demo's {word:?}"
            );
        }
    }
    let (_, report) = docs
        .iter()
        .find(|(name, _)| name == "report/synthesis.md")
        .unwrap();
    for (code, label) in GROUPS {
        assert!(shown_as_label(report, label), "the report lacks {label:?}");
        assert!(
            report.contains(&format!("ratings/group/{code}/")),
            "figure ids keep the code {code}"
        );
    }
    for label in GENDER.iter().chain([&TRAVELLER]) {
        assert!(shown_as_label(report, label), "the report lacks {label:?}");
    }
    assert!(report.contains(&format!("| ethnicity | {TRAVELLER} | 5 |")));

    // Tables: codes in the code columns, the study's words in the label
    // columns and the demographics categories; the added category counted
    // (five participants chose it; the withdrawn one did not).
    for row in read_table(&out, "ratings_summary") {
        let group = &row["group"];
        assert!(
            group.is_empty() || GROUPS.iter().any(|(code, _)| code == group),
            "{group}"
        );
    }
    let demographics = read_table(&out, "demographics");
    let categories: Vec<&str> = demographics
        .iter()
        .map(|r| r["category"].as_str())
        .collect();
    for word in DEMO_WORDS {
        assert!(!categories.contains(&word), "demographics: {word:?}");
    }
    let study = |characteristic: &str, category: &str| {
        demographics
            .iter()
            .find(|r| {
                r["scope"] == "study"
                    && r["characteristic"] == characteristic
                    && r["category"] == category
            })
            .unwrap_or_else(|| panic!("no {characteristic} {category:?}"))
    };
    assert_eq!(study("ethnicity", TRAVELLER)["n"], "5");
    assert_eq!(
        study("ethnicity", TRAVELLER)["figure_id"],
        format!("demographics/study/ethnicity/{TRAVELLER}")
    );
    for label in GENDER {
        study("gender", label);
    }
    for (_, label) in GROUPS {
        study("group", label);
    }
    let quote_labels: Vec<String> = read_table(&out, "quotes")
        .into_iter()
        .chain(read_table(&out, "qual_matrix"))
        .flat_map(|row| {
            row.into_iter()
                .filter(|(column, value)| column.starts_with("label_") && !value.is_empty())
                .map(|(_, value)| value)
        })
        .collect();
    assert!(!quote_labels.is_empty());
    for label in &quote_labels {
        assert!(
            GROUPS.iter().any(|(_, words)| label == words),
            "a quote labelled {label:?}"
        );
    }

    // The workbook's About sheet: value labels are the study's dictionary's.
    let about = about_values(&out);
    let value = |column: &str, code: &str| {
        about
            .iter()
            .find(|(c, k, _)| c == column && k == code)
            .map(|(_, _, v)| v.as_str())
            .unwrap_or_else(|| panic!("About: no value label for {column} {code}"))
    };
    for (code, label) in GROUPS {
        assert_eq!(value("group", code), label);
        assert_eq!(value("group_a", code), label);
    }
    assert_eq!(value("group_b", "managers"), POOLED);
    let xlsx = std::fs::read(out.join("report/tables.xlsx")).unwrap();
    let about_text = review::xlsx_sheet_text(&xlsx, "About");
    assert!(
        about_text.contains("\tgroup\tUtf8\tRole in the service"),
        "the group column's label is the dictionary's field label"
    );
    for (_, _, label) in &about {
        assert!(!DEMO_WORDS.contains(&label.as_str()), "About: {label:?}");
    }
}

/// A label is part of what a stage's output depends on: changing only a
/// label in the dictionary reruns what shows it, and the folder is then
/// exactly a run from nothing.
#[test]
fn a_label_changed_in_the_dictionary_reruns_what_shows_it() {
    let tmp = tempfile::tempdir().unwrap();
    let study = tmp.path().join("study");
    copy_tree(&other_study(), &study);
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&study, &out, &[]));
    let dictionary = study.join("redcap/interview_dictionary.csv");
    let text = std::fs::read_to_string(&dictionary).unwrap();
    let renamed = text.replace(
        "2, Male (including trans men)",
        "2, Male (trans men included)",
    );
    assert_ne!(text, renamed);
    std::fs::write(&dictionary, renamed).unwrap();

    let rerun = synthesis(&study, &out, &[]);
    assert_ok(&rerun);
    let err = stderr(&rerun);
    assert!(!err.contains("nothing changed"), "{err}");
    for stage in ["demographics", "report", "report_html", "workbook"] {
        assert!(
            err.lines()
                .any(|l| l.contains(&format!("] {stage} ")) && l.contains("done in")),
            "{stage} did not run:\n{err}"
        );
    }
    let categories: Vec<String> = read_table(&out, "demographics")
        .into_iter()
        .map(|r| r["category"].clone())
        .collect();
    assert!(categories.iter().any(|c| c == "Male (trans men included)"));
    assert!(!categories.iter().any(|c| c == "Male (including trans men)"));
    let report = std::fs::read_to_string(out.join("report/synthesis.md")).unwrap();
    assert!(report.contains("| gender | Male (trans men included) |"));

    let fresh = tmp.path().join("fresh");
    assert_ok(&synthesis(&study, &fresh, &[]));
    assert!(
        tree(&out) == tree(&fresh),
        "the rerun equals a run from nothing"
    );
}

/// The outcomes are the framework's: a study whose framework, dictionary
/// and exports name an outcome otherwise (`out_wellbeing` for
/// `out_benefit`) has it summarised and labelled in its own words, not the
/// demo's list of outcome codes.
#[test]
fn outcomes_come_from_the_studys_framework() {
    let tmp = tempfile::tempdir().unwrap();
    let study = tmp.path().join("study");
    copy_tree(&other_study(), &study);
    let rename = |path: &Path| {
        let text = std::fs::read_to_string(path).unwrap();
        assert!(text.contains("out_benefit"), "{}", path.display());
        std::fs::write(path, text.replace("out_benefit", "out_wellbeing")).unwrap();
    };
    rename(&study.join("framework.toml"));
    rename(&study.join("redcap/interview_dictionary.csv"));
    for entry in std::fs::read_dir(study.join("raw/interviews")).unwrap() {
        rename(&entry.unwrap().path());
    }
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&study, &out, &[]));
    let outcomes: std::collections::BTreeSet<String> = read_table(&out, "outcome_summary")
        .into_iter()
        .map(|row| row["outcome"].clone())
        .collect();
    assert_eq!(
        outcomes.into_iter().collect::<Vec<_>>(),
        ["out_distinct", "out_practice", "out_wellbeing"]
    );
    let qca: Vec<String> = read_table(&out, "qca")
        .into_iter()
        .map(|row| row["outcome"].clone())
        .collect();
    assert!(qca.iter().any(|o| o == "out_wellbeing"), "{qca:?}");
    assert!(!qca.iter().any(|o| o == "out_benefit"), "{qca:?}");
}
