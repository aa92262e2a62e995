//! The coded transcripts in the synthesis report, beside the ratings: each
//! domain's joint display (`joint_display`: what interviewees rated beside
//! what they talked about, study-wide and by stakeholder group), the
//! framework matrix's exemplars (quoted as from a transcript), and what
//! the BME section takes from the matrix's `bme` theme.

use model::Group;

use super::cells::{
    count, exemplars, figure, fixed, float, in_factors, publishable, text, whole, words,
};
use super::data::{Data, Scope};
use super::{QuoteView, TableView};
use crate::table::Row;

/// The `convergence` code of `joint_display` in words
/// (`data-schema/tables/joint_display.md`).
pub(crate) fn convergence_words(code: &str) -> String {
    match code {
        "agree" => "ratings and talk agree".to_string(),
        "rated_high_talk_low" => "rated very important, yet hardly spoken of".to_string(),
        "rated_low_talk_high" => "spoken of by many, yet rated low".to_string(),
        "neither" => "a middling rank or a middling share".to_string(),
        "unknown" => "not known (a count is suppressed)".to_string(),
        other => words(other),
    }
}

/// "42 of 78 (54%)": interviewees who spoke of a factor, of those in the
/// cell with a coded transcript; "suppressed" where either is not published.
fn spoke_of(r: &Row<'_>, min_cell: u32) -> String {
    let (Some(n), Some(of)) = (count(r, "participants"), count(r, "interviewees")) else {
        return "suppressed".to_string();
    };
    // A second line of defence after the tables' own suppression.
    if of < u64::from(min_cell) || n < u64::from(min_cell) {
        return "suppressed".to_string();
    }
    format!("{n} of {of} ({}%)", fixed(float(r, "talk_percent"), 0))
}

/// An exemplar in a table cell: the quote, who said it and its source.
fn exemplar_cell(r: &Row<'_>) -> String {
    match text(r, "exemplar").filter(|q| !q.trim().is_empty()) {
        Some(q) => format!(
            "“{q}” ({}, {})",
            text(r, "exemplar_label").unwrap_or("Participant"),
            QuoteView::TRANSCRIPT
        ),
        None => "–".to_string(),
    }
}

/// The study-wide joint display of some factors, one row per factor.
pub(crate) fn joint_display(data: &Data, factors: &[(String, String)]) -> TableView {
    let min_cell = data.min_cell();
    let mut t = TableView::new(
        &[
            "Factor",
            "Mean importance",
            "% top three",
            "Replication",
            "Spoke of it",
            "Ratings and talk",
            "Exemplar",
            "figure",
        ],
        "No joint display among the report's inputs.",
    );
    for r in data
        .rows("joint_display")
        .iter()
        .filter(|r| Scope::Study.holds(r) && in_factors(r, factors))
    {
        t.push(
            vec![
                data.factor_of(&r),
                fixed(float(r, "mean_importance"), 2),
                fixed(float(r, "top3_percent"), 0),
                text(r, "replication").map(words).unwrap_or("–".into()),
                spoke_of(&r, min_cell),
                convergence_words(text(r, "convergence").unwrap_or("unknown")),
                exemplar_cell(&r),
            ],
            figure(r),
        );
    }
    t
}

/// The joint display of some factors by stakeholder group: factor by
/// factor, each group's mean, talk and convergence (no exemplar, which the
/// study-wide display gives).
pub(crate) fn joint_display_by_group(data: &Data, factors: &[(String, String)]) -> TableView {
    let min_cell = data.min_cell();
    let mut t = TableView::new(
        &[
            "Factor",
            "Stakeholder group",
            "Mean importance",
            "% top three",
            "Spoke of it",
            "Ratings and talk",
            "figure",
        ],
        "No joint display by stakeholder group among the report's inputs.",
    );
    for (code, _) in factors {
        for g in Group::ALL {
            for r in data.rows_about("joint_display", Scope::Group(g), code) {
                t.push(
                    vec![
                        data.factor_of(&r),
                        data.labels().group(g).to_string(),
                        fixed(float(r, "mean_importance"), 2),
                        fixed(float(r, "top3_percent"), 0),
                        spoke_of(&r, min_cell),
                        convergence_words(text(r, "convergence").unwrap_or("unknown")),
                    ],
                    figure(r),
                );
            }
        }
    }
    t
}

/// The framework matrix's exemplars of some themes at study scope, in the
/// framework's order; `from` is the first exemplar column to take (1 for
/// both, 2 when the joint display already quotes the first).
pub(crate) fn study_exemplars(data: &Data, themes: &[&str], from: usize) -> Vec<QuoteView> {
    let mut out = Vec::new();
    for theme in themes {
        for r in data.rows("framework_matrix").iter().filter(|r| {
            Scope::Study.holds(r) && text(r, "theme") == Some(theme) && !r.flag("suppressed")
        }) {
            // The matrix has two exemplar columns.
            for (i, quote) in exemplars(r).filter(|(i, _)| *i >= from) {
                out.push(QuoteView {
                    text: quote.to_string(),
                    label: text(r, &format!("exemplar_{i}_label"))
                        .unwrap_or("Participant")
                        .to_string(),
                    figure: figure(r).unwrap_or("").to_string(),
                    source: Some(QuoteView::TRANSCRIPT),
                });
            }
        }
    }
    out
}

/// The framework matrix's `bme` theme: interviewees who spoke of
/// culturally specific experiences, at every scope the table publishes
/// except site x group (study, sectors, stakeholder groups, sites).
pub(crate) fn bme_talk(data: &Data, every_row: &Data) -> TableView {
    let min_cell = data.min_cell();
    let mut t = TableView::new(
        &[
            "Who",
            "Interviewees who spoke of it",
            "Coded segments",
            "figure",
        ],
        "No framework matrix of coded transcripts among the report's inputs.",
    );
    let bme = |r: &Row<'_>| text(r, "theme") == Some("bme");
    let push = |t: &mut TableView, label: String, r: Row<'_>| {
        if publishable(r, "participants", min_cell) {
            t.push(
                vec![
                    label,
                    whole(count(r, "participants")),
                    whole(count(r, "segments")),
                ],
                figure(r),
            );
        } else {
            t.push_suppressed(label, figure(r));
        }
    };
    let rows = data.rows("framework_matrix");
    for r in rows.iter().filter(|r| bme(r) && Scope::Study.holds(r)) {
        push(&mut t, "All interviewees".to_string(), r);
    }
    for r in rows
        .iter()
        .filter(|r| bme(r) && text(r, "scope") == Some("sector"))
    {
        let sector = text(r, "sector").unwrap_or("");
        let mut letters = sector.chars();
        let label = match letters.next() {
            Some(first) => format!("{}{} sector", first.to_uppercase(), letters.as_str()),
            None => "Sector".to_string(),
        };
        push(&mut t, label, r);
    }
    for g in Group::ALL {
        for r in rows.iter().filter(|r| bme(r) && Scope::Group(g).holds(r)) {
            push(&mut t, data.labels().group(g).to_string(), r);
        }
    }
    for site in every_row.sites_in("framework_matrix") {
        for r in every_row
            .rows("framework_matrix")
            .iter()
            .filter(|r| bme(r) && Scope::Site(&site).holds(r))
        {
            push(&mut t, site.clone(), r);
        }
    }
    t
}
