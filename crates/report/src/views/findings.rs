//! Findings about some factors that both the synthesis report (by domain,
//! `site` = `None`) and a site pack (its one site) show: where documents
//! and practice part, tensions between perspectives, outcomes, and the
//! published accounts.

use super::cells::{
    condition_words, count, exemplars, figure, fixed, flag, float, in_factors, text, whole, words,
    yes_no,
};
use super::data::{Data, Scope};
use super::{QuoteView, TableView};
use crate::table::Row;
use model::OutcomeAnswer;

fn is_divergent(r: &Row<'_>) -> bool {
    matches!(
        text(r, "fidelity"),
        Some("fidelity_gap" | "undocumented_practice")
    )
}

/// Pattern-matrix cells where documents and practice part.
pub(crate) fn fidelity(data: &Data, factors: &[(String, String)], site: Option<&str>) -> TableView {
    let mut t = TableView::new(
        &[
            "Site",
            "Factor",
            "In practice",
            "Documents",
            "Fidelity",
            "figure",
        ],
        "Documents and practice agree wherever both are known.",
    );
    for r in data.rows("pattern_matrix").iter().filter(|r| {
        in_factors(r, factors) && is_divergent(r) && site.is_none_or(|s| text(r, "site") == Some(s))
    }) {
        t.push(
            vec![
                text(r, "site").unwrap_or("").into(),
                data.factor_of(&r),
                condition_words(text(r, "condition").unwrap_or("unknown")),
                words(text(r, "doc_status").unwrap_or("")),
                words(text(r, "fidelity").unwrap_or("")),
            ],
            figure(r),
        );
    }
    t
}

/// Flagged tensions, published cells only; `site` selects one site's rows,
/// `None` the study and sector rows.
pub(crate) fn tensions(data: &Data, factors: &[(String, String)], site: Option<&str>) -> TableView {
    let mut t = TableView::new(
        &[
            "Where",
            "Factor",
            "Group A",
            "Group B",
            "Mean A",
            "Mean B",
            "Difference",
            "Pattern disagrees",
            "figure",
        ],
        "No difference between perspectives reached the pipeline's threshold.",
    );
    for r in data.rows("tensions").iter().filter(|r| {
        in_factors(r, factors)
            && !flag(r, "suppressed")
            && (flag(r, "flagged") || (site.is_some() && flag(r, "pattern_disagree")))
            && match site {
                Some(s) => Scope::Site(s).holds(r),
                None => text(r, "scope") != Some("site"),
            }
    }) {
        let where_ = match text(r, "scope") {
            Some("sector") => format!("{} sector", text(r, "sector").unwrap_or("")),
            Some("site") => text(r, "site").unwrap_or("").to_string(),
            _ => "whole study".to_string(),
        };
        t.push(
            vec![
                where_,
                data.factor_of(&r),
                data.group_label(text(r, "group_a").unwrap_or("")),
                data.group_label(text(r, "group_b").unwrap_or("")),
                fixed(float(r, "mean_a"), 2),
                fixed(float(r, "mean_b"), 2),
                fixed(float(r, "difference"), 2),
                yes_no(flag(r, "pattern_disagree")),
            ],
            figure(r),
        );
    }
    t
}

/// Each site's outcomes: every site's, or one site's.
pub(crate) fn outcomes(data: &Data, site: Option<&str>) -> TableView {
    let answer = |a| data.labels().outcome_answer(a);
    let mut t = TableView::new(
        &[
            "Site",
            "Outcome",
            answer(OutcomeAnswer::Yes),
            answer(OutcomeAnswer::Partly),
            answer(OutcomeAnswer::No),
            answer(OutcomeAnswer::DontKnow),
            "Outcome at the site",
            "figure",
        ],
        "No outcome table among the report's inputs.",
    );
    for r in data
        .rows("outcome_summary")
        .iter()
        .filter(|r| site.is_none_or(|s| text(r, "site") == Some(s)))
    {
        t.push(
            vec![
                text(r, "site").unwrap_or("").into(),
                data.outcome_of(&r),
                whole(count(r, "yes")),
                whole(count(r, "partly")),
                whole(count(r, "no")),
                whole(count(r, "dont_know")),
                words(text(r, "condition").unwrap_or("")),
            ],
            figure(r),
        );
    }
    t
}

/// Published exemplars of some themes: from the pooled `quotes` table when
/// the pipeline makes it, else from the qualitative matrix. Exemplar columns
/// come in pairs `exemplar_<i>` / `label_<i>`, however many there are.
pub(crate) fn quotes(data: &Data, themes: &[&str], site: Option<&str>) -> Vec<QuoteView> {
    let source = if data.has("quotes") && site.is_none() {
        "quotes"
    } else {
        "qual_matrix"
    };
    let mut out = Vec::new();
    for r in data.rows(source) {
        if !text(r, "theme").is_some_and(|t| themes.contains(&t))
            || site.is_some_and(|s| text(r, "site") != Some(s))
        {
            continue;
        }
        for (i, quote) in exemplars(r) {
            out.push(QuoteView {
                text: quote.to_string(),
                label: text(r, &format!("label_{i}"))
                    .unwrap_or("Participant")
                    .to_string(),
                figure: figure(r).unwrap_or("").to_string(),
                source: Some(QuoteView::DATA_SHEET),
            });
        }
    }
    out
}

/// The framework matrix's exemplars of one theme, from the coded interview
/// transcripts: the study's, then each sector's, then each stakeholder
/// group's (the table's order), each quote once. Only rows of those scopes,
/// whose labels say no more than `quote_label` allows; the table never
/// puts an exemplar in a site's row or a suppressed one, and neither is
/// read here.
pub(crate) fn transcript_quotes(data: &Data, theme: &str) -> Vec<QuoteView> {
    let mut out: Vec<QuoteView> = Vec::new();
    for r in data.rows("framework_matrix") {
        if text(r, "theme") != Some(theme)
            || !matches!(text(r, "scope"), Some("study" | "sector" | "group"))
            || flag(r, "suppressed")
        {
            continue;
        }
        for (i, quote) in exemplars(r) {
            let Some(label) = text(r, &format!("exemplar_{i}_label")).filter(|l| !l.is_empty())
            else {
                continue;
            };
            if out.iter().any(|q| q.text == quote) {
                continue;
            }
            out.push(QuoteView {
                text: quote.to_string(),
                label: label.to_string(),
                figure: figure(r).unwrap_or("").to_string(),
                source: Some(QuoteView::TRANSCRIPT),
            });
        }
    }
    out
}
