//! The handbook: a page of guidance per domain of the framework, each
//! factor told in sentences a service can read (how much it matters, to
//! whom, where it was in place, where documents and practice part, what
//! people said: the coded transcripts' exemplars first, then the data
//! sheets' accounts), every sentence ending with its figure ids; and an
//! index.

use minijinja::Value;
use serde::Serialize;

use model::Group;

use super::cells::{count, figure, fixed, float, publishable, slug, text, whole, words};
use super::data::{Data, Scope};
use super::findings::{quotes, transcript_quotes};
use super::{QuoteView, TableView, serde};
use crate::ReportInput;
use crate::table::{Row, Tables};

/// The handbook's pages: (file, context) per domain in the framework's
/// order, and the index's context.
pub(crate) struct Handbook {
    pub pages: Vec<(String, Value)>,
    pub index: Value,
}

pub(crate) fn pages(input: &ReportInput) -> Handbook {
    let tables = Tables::new(&input.tables);
    let data = Data::study_wide(input, &tables);
    let mut pages = Vec::new();
    let mut listed = Vec::new();
    let sites = data.sites().iter().filter(|(_, has)| *has).count();
    for d in &input.framework.domains {
        let factors: Vec<HandbookFactor> = input
            .framework
            .factors
            .iter()
            .filter(|f| f.domain == d.code)
            .map(|f| handbook_factor(&data, &f.code, &f.label, &f.condition))
            .collect();
        let file = format!("{}.md", slug(&d.code));
        listed.push(minijinja::context! { code => d.code.clone(), label => d.label.clone(), file => file.clone() });
        let ctx = minijinja::context! {
            study => input.study_name,
            version => model::VERSION,
            min_cell => input.min_cell,
            domain => minijinja::context! { code => d.code.clone(), label => d.label.clone() },
            factors => serde(&factors),
            sites => sites,
        };
        pages.push((file, ctx));
    }
    let index = minijinja::context! { study => input.study_name, version => model::VERSION, domains => listed };
    Handbook { pages, index }
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct HandbookFactor {
    pub code: String,
    pub label: String,
    pub condition: String,
    /// Sentences a service can read, each ending with its figure id.
    pub importance: Vec<Sentence>,
    pub by_group: TableView,
    pub in_place: Vec<Sentence>,
    pub documents: Vec<Sentence>,
    pub quotes: Vec<QuoteView>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Sentence {
    pub text: String,
    pub figures: Vec<String>,
}

impl Sentence {
    /// A sentence about one row, ending with its figure id.
    fn about(text: String, r: Row<'_>) -> Self {
        Sentence {
            text,
            figures: figure(r).map(String::from).into_iter().collect(),
        }
    }
}

fn handbook_factor(data: &Data, code: &str, label: &str, condition: &str) -> HandbookFactor {
    let min_cell = data.min_cell();
    let mut importance = Vec::new();
    if let Some(r) = data
        .rows_about("ratings_summary", Scope::Study, code)
        .find(|r| publishable(r, "n", min_cell))
    {
        importance.push(Sentence::about(
            format!(
                "Across all {} interviewees who rated it, the mean importance was {} on a scale of 1 to 5, and {}% rated it very or extremely important.",
                whole(count(r, "n")),
                fixed(float(r, "mean"), 1),
                fixed(float(r, "pct_high"), 0)
            ),
            r,
        ));
    }
    if let Some(r) = data
        .rows_about("top3_frequency", Scope::Study, code)
        .find(|r| publishable(r, "respondents", min_cell))
    {
        importance.push(Sentence::about(
            format!(
                "{}% of interviewees named it among the three factors that matter most.",
                fixed(float(r, "pct_mentions"), 0)
            ),
            r,
        ));
    }
    let mut by_group = TableView::new(
        &[
            "Who",
            "n",
            "Mean importance",
            "% rating 4–5",
            "% naming it in their top three",
            "figure",
        ],
        "No ratings by group published.",
    );
    for g in Group::ALL {
        let find = |table: &str| data.rows_about(table, Scope::Group(g), code).next();
        let Some(r) = find("ratings_summary") else {
            continue;
        };
        let top = find("top3_frequency")
            .filter(|t| publishable(t, "respondents", min_cell))
            .map(|t| fixed(float(t, "pct_mentions"), 0))
            .unwrap_or_else(|| "–".into());
        if publishable(r, "n", min_cell) {
            by_group.push(
                vec![
                    data.labels().group(g).into(),
                    whole(count(r, "n")),
                    fixed(float(r, "mean"), 2),
                    fixed(float(r, "pct_high"), 0),
                    top,
                ],
                figure(r),
            );
        } else {
            by_group.push_suppressed(data.labels().group(g).into(), figure(r));
        }
    }
    let mut in_place = Vec::new();
    if let Some(r) = data
        .rows("replication")
        .iter()
        .find(|r| text(r, "factor") == Some(code))
    {
        in_place.push(Sentence::about(
            format!(
                "The condition was in place at {} of the sites studied (partly at {}, not at {}, contested at {}): at {} of {} statutory and {} of {} voluntary sector sites with a known condition, so the finding is classed as {}.",
                whole(count(r, "sites_in_place")),
                whole(count(r, "sites_partly")),
                whole(count(r, "sites_not_in_place")),
                whole(count(r, "sites_contested")),
                whole(count(r, "statutory_in_place")),
                whole(count(r, "statutory_sites")),
                whole(count(r, "voluntary_in_place")),
                whole(count(r, "voluntary_sites")),
                words(text(r, "classification").unwrap_or("")),
            ),
            r,
        ));
    }
    let mut documents = Vec::new();
    let pm: Vec<Row<'_>> = data
        .rows("pattern_matrix")
        .iter()
        .filter(|r| text(r, "factor") == Some(code))
        .collect();
    for (kind, what) in [
        (
            "fidelity_gap",
            "documents address the condition but interviewees said it was not in place in practice",
        ),
        (
            "undocumented_practice",
            "the condition was in place in practice without documents addressing it",
        ),
    ] {
        let at: Vec<&Row<'_>> = pm
            .iter()
            .filter(|r| text(r, "fidelity") == Some(kind))
            .collect();
        let sites: Vec<&str> = at.iter().filter_map(|r| text(r, "site")).collect();
        if !sites.is_empty() {
            documents.push(Sentence {
                text: format!("At {} site(s) ({}), {what}.", sites.len(), sites.join(", ")),
                figures: at
                    .iter()
                    .filter_map(|r| figure(r).map(String::from))
                    .collect(),
            });
        }
    }
    HandbookFactor {
        code: code.into(),
        label: label.into(),
        condition: condition.into(),
        importance,
        by_group,
        in_place,
        documents,
        quotes: factor_quotes(data, code),
    }
}

/// A factor's exemplars: the coded transcripts' first (the framework
/// matrix), then the data sheets' accounts, each saying which it is from.
fn factor_quotes(data: &Data, code: &str) -> Vec<QuoteView> {
    let mut out = transcript_quotes(data, code);
    out.extend(
        quotes(data, &[code], None)
            .into_iter()
            .map(|q| q.with_source(QuoteView::DATA_SHEET)),
    );
    out
}
