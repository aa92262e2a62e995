//! The output tables as one `.xlsx` workbook, labelled from the study's
//! data dictionary and framework (the report input's labels).
//!
//! Only the published result tables go in (the report input's `tables`,
//! without the clean `sites` register), so the workbook can hold nothing
//! that the CSV tables do not already publish.

use model::{Group, PatternAnswer};

use crate::{ReportError, ReportInput};

/// One-line descriptions of the tables, for the `About` sheet.
const DESCRIPTIONS: &[(&str, &str)] = &[
    (
        "consensus",
        "Agreement on each factor's importance (rwg, Tastle-Wierman), by scope",
    ),
    (
        "demographics",
        "Participants by characteristic, under disclosure control",
    ),
    (
        "direction",
        "Each factor as a facilitator or a barrier, by scope",
    ),
    (
        "framework_matrix",
        "Coded transcripts: interviewees who spoke of each theme, by scope, with redacted exemplars",
    ),
    (
        "group_tests",
        "Kruskal-Wallis tests of importance across stakeholder groups",
    ),
    (
        "joint_display",
        "Ratings beside talk: importance, top three, condition and interviewees who spoke of each factor",
    ),
    (
        "outcome_summary",
        "Each site's interviewees' view of each outcome",
    ),
    (
        "pattern_matrix",
        "Site x factor: condition in place, documents, fidelity",
    ),
    (
        "qca",
        "Crisp-set QCA: each condition against each outcome across sites",
    ),
    (
        "qual_matrix",
        "Site x group x theme: accounts and redacted exemplars",
    ),
    (
        "quotes",
        "Theme x group, pooled across sites: redacted exemplars",
    ),
    (
        "ratings_summary",
        "Importance ratings (1-5) of each factor, by scope",
    ),
    (
        "replication",
        "Replication of each condition across sites and sectors",
    ),
    (
        "sector_tests",
        "Mann-Whitney tests of importance, statutory against voluntary",
    ),
    (
        "tensions",
        "Differences in importance between stakeholder perspectives",
    ),
    (
        "top3_frequency",
        "Factors named among the three most important, by scope",
    ),
    (
        "top3_importance",
        "Importance given by those who picked a factor in their top three and by others",
    ),
];

/// Human labels of the columns the result tables share.
const COLUMNS: &[(&str, &str)] = &[
    ("scope", "Level of aggregation"),
    ("site", "Case study site"),
    ("sector", "Sector"),
    ("group", "Stakeholder group"),
    ("group_a", "Stakeholder group A"),
    ("group_b", "Stakeholder group B"),
    ("factor", "Factor of the conceptual framework"),
    ("theme", "Theme (factor, outcome, or BME experiences)"),
    ("outcome", "Outcome (null hypothesis)"),
    ("n", "Valid responses"),
    ("mean", "Mean importance (1-5)"),
    ("sd", "Standard deviation"),
    ("median", "Median"),
    ("q1", "First quartile"),
    ("q3", "Third quartile"),
    ("pct_high", "% rating 4 or 5"),
    ("ci_low", "95% CI of the mean, lower"),
    ("ci_high", "95% CI of the mean, upper"),
    ("condition", "Condition at the site"),
    ("doc_status", "Documents address the condition"),
    ("fidelity", "Documents against practice"),
    ("classification", "Replication classification"),
    ("respondents", "Respondents naming a top three"),
    ("mentions", "Respondents naming the factor"),
    ("pct_mentions", "% of respondents naming the factor"),
    ("suppressed", "Suppressed (small cell)"),
    ("segments", "Coded segments"),
    ("participants", "Participants"),
    ("exemplar_1", "Exemplar quote"),
    ("exemplar_1_label", "Who the exemplar quote is from"),
    ("exemplar_2", "Second exemplar quote"),
    ("exemplar_2_label", "Who the second exemplar quote is from"),
    ("exemplar", "Exemplar quote (coded transcripts)"),
    ("exemplar_label", "Who the exemplar quote is from"),
    ("mean_importance", "Mean importance (1-5)"),
    ("top3_percent", "% naming the factor in their top three"),
    ("replication", "Replication classification"),
    ("interviewees", "Interviewees with coded transcripts"),
    ("talk_percent", "% of interviewees who spoke of the factor"),
    ("convergence", "Ratings and talk"),
    ("figure_id", "Figure id (crosscase explain)"),
];

/// The joint display's `convergence`, in words.
pub(crate) const CONVERGENCE: &[(&str, &str)] = &[
    ("agree", "Ratings and talk agree"),
    (
        "rated_high_talk_low",
        "Rated very important, yet hardly spoken of",
    ),
    ("rated_low_talk_high", "Spoken of by many, yet rated low"),
    ("neither", "Neither agree nor diverge"),
    ("unknown", "Not known (suppressed)"),
];

const SCOPES: &[(&str, &str)] = &[
    ("study", "Whole study"),
    ("sector", "Sector"),
    ("site", "Site"),
    ("group", "Stakeholder group"),
    ("site_group", "Site x stakeholder group"),
];

pub(crate) fn workbook(
    input: &ReportInput,
    writer: workbook::Writer,
) -> Result<Vec<u8>, ReportError> {
    let labels = labels(input);
    let sheets: Vec<workbook::Sheet> = input
        .tables
        .iter()
        // The clean tables a report reads are not result tables.
        .filter(|(name, _)| !crate::CLEAN_TABLES.contains(&name.as_str()))
        .map(|(name, batch)| workbook::Sheet {
            name,
            batch,
            description: DESCRIPTIONS
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, d)| *d)
                .unwrap_or("Result table"),
        })
        .collect();
    workbook::workbook_with(&sheets, &labels, writer)
        .map_err(|e| ReportError::Workbook(e.to_string()))
}

pub(crate) fn labels(input: &ReportInput) -> workbook::Labels {
    let mut labels = workbook::Labels::new();
    for (column, label) in COLUMNS {
        labels.column(column, label);
    }
    for (code, label) in SCOPES {
        labels.values("scope", code, label);
    }
    for sector in ["statutory", "voluntary"] {
        labels.values(
            "sector",
            sector,
            &format!("{}{} sector", sector[..1].to_uppercase(), &sector[1..]),
        );
    }
    for f in &input.framework.factors {
        labels.values("factor", &f.code, &f.label);
        labels.values("theme", &f.code, &f.label);
    }
    labels.values("theme", "bme", "Culturally specific experiences (BME)");
    for o in &input.framework.outcomes {
        labels.values("outcome", &o.code, &o.label);
        labels.values("theme", &o.code, &o.label);
    }
    for (code, label) in CONVERGENCE {
        labels.values("convergence", code, label);
    }
    // Value labels as the interview instrument words them, where a table
    // column carries the codes of a dictionary field.
    let study = input.labels;
    labels.column("group", study.group_field());
    for g in Group::ALL {
        for column in ["group", "group_a", "group_b"] {
            labels.values(column, g.code(), study.group_choice(g));
        }
    }
    for answer in [
        PatternAnswer::InPlace,
        PatternAnswer::Partly,
        PatternAnswer::NotInPlace,
    ] {
        labels.values("condition", answer.code(), study.pattern_answer(answer));
    }
    for column in ["group_a", "group_b"] {
        labels.values(column, model::framework::MANAGERS, study.managers());
    }
    labels.values(
        "condition",
        "contested",
        "Contested (no answer held the required share)",
    );
    labels.values("condition", "unknown", "Unknown (too few valid answers)");
    labels
}
