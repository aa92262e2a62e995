//! A site's feedback pack: the site as the register describes it, its
//! pattern beside the whole study's, its ratings and top three beside the
//! study's, where its documents and practice part, its tensions, outcomes,
//! what its interviewees spoke of (its framework matrix row beside the
//! study's, never a quote) and its accounts; and the index of packs,
//! awaited sites included.
//!
//! [`page`] is one pack, read from that site's rows only (see
//! [`Data::for_site`]); [`index`] lists them all.

use std::collections::BTreeMap;

use minijinja::Value;
use serde::Serialize;

use super::cells::{
    condition_words, count, figure, fixed, float, publishable, register_cells, slug, text, whole,
    words,
};
use super::charts::{Top3Measure, has_rating_counts, importance_chart, pattern_chart, top3_chart};
use super::data::{Data, Scope};
use super::findings::{fidelity, outcomes, quotes, tensions};
use super::{ChartView, Page, QuoteView, TableView, chart_anchors, serde};
use crate::ReportInput;
use crate::table::Row;

#[derive(Debug, Clone, Serialize)]
pub(crate) struct SitePack {
    pub site: String,
    pub file: String,
    pub details: TableView,
    pub pattern: ChartView,
    pub pattern_vs_study: TableView,
    pub ratings: TableView,
    pub importance: ChartView,
    pub top3: ChartView,
    pub top3_study: ChartView,
    pub fidelity: TableView,
    pub tensions: TableView,
    pub outcomes: TableView,
    pub quotes: Vec<QuoteView>,
    /// The site's framework matrix row beside the study's, by domain, then
    /// outcomes, then `bme`.
    pub talk: Vec<TalkSection>,
    /// Said instead of `talk` when it is empty.
    pub talk_empty: String,
}

/// The themes of one domain (or the outcomes, or `bme`) in the framework
/// matrix.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TalkSection {
    pub heading: String,
    pub rows: Vec<TalkRow>,
}

/// One theme: how many interviewees spoke of it (and in how many coded
/// segments) at the site and in the whole study.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TalkRow {
    pub theme: String,
    pub site: TalkCell,
    pub study: TalkCell,
}

/// One framework matrix cell as the pack shows it: the counts, or
/// "suppressed" (as the table says), with its figure id.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TalkCell {
    pub participants: String,
    pub segments: String,
    pub figure: Option<String>,
}

/// One site's pack, shared by its two formats, with the file name (no
/// extension) it goes under. `awaited` lists the sites whose data has not
/// arrived, which every pack names.
pub(crate) fn page(data: &Data, site: &str, awaited: &[String]) -> (String, Page) {
    let pack = site_pack(data, site);
    let anchors = chart_anchors([
        &pack.pattern,
        &pack.importance,
        &pack.top3,
        &pack.top3_study,
    ]);
    let input = data.input;
    let ctx = minijinja::context! {
        study => input.study_name,
        version => model::VERSION,
        min_cell => input.min_cell,
        has_rating_counts => has_rating_counts(data),
        awaited => awaited.to_vec(),
        workshop => serde(&super::workshops::pack_section(data, site, &pack)),
        pack => serde(&pack),
    };
    (pack.file, Page { ctx, anchors })
}

/// The index of packs: every site of the register in its order, with the
/// file of its pack (`file_of`), or awaited.
pub(crate) fn index(
    input: &ReportInput,
    sites: &[(String, bool)],
    file_of: &BTreeMap<&str, String>,
) -> Value {
    let listed: Vec<Value> = sites
        .iter()
        .map(
            |(site, has_data)| match file_of.get(site.as_str()).filter(|_| *has_data) {
                Some(file) => minijinja::context! { site => site, file => file, awaited => false },
                None => {
                    minijinja::context! { site => site, file => Value::from(()), awaited => true }
                }
            },
        )
        .collect();
    minijinja::context! { study => input.study_name, version => model::VERSION, sites => listed }
}

pub(crate) fn site_pack(data: &Data, site: &str) -> SitePack {
    let all = data.factors();
    let mut details = TableView::new(
        &["Sector", "Partnership", "BME focus", "Region", "Wave"],
        "",
    );
    if let Some(r) = data.site_row(site) {
        details.push(register_cells(r), None);
    }
    let themes: Vec<&str> = all.iter().map(|(c, _)| c.as_str()).collect();
    let (ratings, importance_rows) = ratings(data, site, &all);
    SitePack {
        site: site.to_string(),
        file: slug(site),
        details,
        pattern: pattern_chart(
            data,
            "chart-pattern-site",
            &format!("{site}: condition in place"),
            &[site.to_string()],
            &all,
        ),
        pattern_vs_study: pattern_vs_study(data, site, &all),
        ratings,
        importance: importance_chart(
            data,
            "chart-importance-site",
            &format!("{site}: importance of each factor"),
            "Factor",
            &importance_rows,
        ),
        top3: top3_chart(
            data,
            "chart-top3-site",
            &format!("{site}: named among the top three"),
            &all,
            Scope::Site(site),
            Top3Measure::Share,
        ),
        top3_study: top3_chart(
            data,
            "chart-top3-study",
            "Whole study: named among the top three",
            &all,
            Scope::Study,
            Top3Measure::Share,
        ),
        fidelity: fidelity(data, &all, Some(site)),
        tensions: tensions(data, &all, Some(site)),
        outcomes: outcomes(data, Some(site)),
        quotes: quotes(data, &themes, Some(site))
            .into_iter()
            .map(|q| q.with_source(QuoteView::DATA_SHEET))
            .collect(),
        talk: talk(data, site),
        talk_empty: if data.has("framework_matrix") {
            format!("No coded interview transcripts from {site} are among the report's inputs.")
        } else {
            "No framework matrix among the report's inputs.".into()
        },
    }
}

/// The site's framework matrix row beside the study's: every theme the
/// table has a site row for, by domain in the framework's order, then the
/// outcomes, then `bme`. Suppression is the table's (its `suppressed`
/// column), never recomputed here; no exemplar is read, since a quote in a
/// site's pack would tie it to the site.
fn talk(data: &Data, site: &str) -> Vec<TalkSection> {
    let matrix = data.rows("framework_matrix");
    let row_of = |scope: &str, theme: &str| {
        matrix.iter().find(|r| {
            text(r, "scope") == Some(scope)
                && text(r, "theme") == Some(theme)
                && (scope != "site" || text(r, "site") == Some(site))
        })
    };
    let min_cell = data.min_cell();
    let cell = |r: Option<Row<'_>>| match r {
        Some(r) if publishable(r, "participants", min_cell) => TalkCell {
            participants: whole(count(r, "participants")),
            segments: whole(count(r, "segments")),
            figure: figure(r).map(String::from),
        },
        Some(r) => TalkCell {
            participants: "suppressed".into(),
            segments: String::new(),
            figure: figure(r).map(String::from),
        },
        None => TalkCell {
            participants: "–".into(),
            segments: "–".into(),
            figure: None,
        },
    };
    let framework = data.input.framework;
    let mut groups: Vec<(String, Vec<(String, String)>)> = framework
        .domains
        .iter()
        .map(|d| (d.label.clone(), data.factors_of(&d.code)))
        .collect();
    groups.push((
        "Outcomes".into(),
        framework
            .outcomes
            .iter()
            .map(|o| (o.code.clone(), o.label.clone()))
            .collect(),
    ));
    groups.push((BME_HEADING.into(), vec![("bme".into(), BME_THEME.into())]));
    groups
        .into_iter()
        .filter_map(|(heading, themes)| {
            let rows: Vec<TalkRow> = themes
                .into_iter()
                .filter_map(|(code, label)| {
                    let here = row_of("site", &code)?;
                    Some(TalkRow {
                        theme: label,
                        site: cell(Some(here)),
                        study: cell(row_of("study", &code)),
                    })
                })
                .collect();
            (!rows.is_empty()).then_some(TalkSection { heading, rows })
        })
        .collect()
}

/// The framework matrix's `bme` theme, as a pack names it.
const BME_HEADING: &str = "Culturally specific experiences";
const BME_THEME: &str = "Experiences of Black and minority ethnic (BME) people";

/// Each factor's condition at this site, beside how many sites of the
/// whole study have it in place.
fn pattern_vs_study(data: &Data, site: &str, factors: &[(String, String)]) -> TableView {
    let pm = data.rows("pattern_matrix");
    let mut vs = TableView::new(
        &[
            "Factor",
            "At this site",
            "Documents",
            "Fidelity",
            "Sites with it in place (whole study)",
            "figure",
        ],
        "No pattern matrix among the report's inputs.",
    );
    for (code, label) in factors {
        let Some(r) = pm
            .iter()
            .find(|r| text(r, "site") == Some(site) && text(r, "factor") == Some(code))
        else {
            continue;
        };
        let study = data
            .rows("replication")
            .iter()
            .find(|x| text(x, "factor") == Some(code));
        let study_text = study
            .map(|x| {
                let known = [
                    "sites_in_place",
                    "sites_partly",
                    "sites_not_in_place",
                    "sites_contested",
                ]
                .iter()
                .filter_map(|k| count(x, k))
                .sum::<u64>();
                format!("{} of {known}", whole(count(x, "sites_in_place")))
            })
            .unwrap_or_else(|| "–".into());
        vs.push(
            vec![
                label.clone(),
                condition_words(text(r, "condition").unwrap_or("unknown")),
                words(text(r, "doc_status").unwrap_or("")),
                words(text(r, "fidelity").unwrap_or("")),
                study_text,
            ],
            figure(r),
        );
    }
    vs
}

/// Each factor's ratings at this site beside the whole study's, and the
/// site's rows (label, row) its importance chart draws.
fn ratings<'a>(
    data: &Data<'a>,
    site: &str,
    factors: &[(String, String)],
) -> (TableView, Vec<(String, Row<'a>)>) {
    let min_cell = data.min_cell();
    let mut ratings = TableView::new(
        &[
            "Factor",
            "n (site)",
            "Mean (site)",
            "% 4–5 (site)",
            "Mean (study)",
            "% 4–5 (study)",
            "figure",
        ],
        "No ratings published for this site.",
    );
    let mut importance_rows: Vec<(String, Row<'a>)> = Vec::new();
    for (code, label) in factors {
        let Some(sr) = data
            .rows_about("ratings_summary", Scope::Site(site), code)
            .next()
        else {
            continue;
        };
        let study_row = data
            .rows_about("ratings_summary", Scope::Study, code)
            .next();
        importance_rows.push((label.clone(), sr));
        let (n, mean, high) = if publishable(sr, "n", min_cell) {
            (
                whole(count(sr, "n")),
                fixed(float(sr, "mean"), 2),
                fixed(float(sr, "pct_high"), 0),
            )
        } else {
            ("suppressed".into(), String::new(), String::new())
        };
        let (smean, shigh) = match study_row.filter(|r| publishable(r, "n", min_cell)) {
            Some(r) => (fixed(float(r, "mean"), 2), fixed(float(r, "pct_high"), 0)),
            None => ("–".into(), "–".into()),
        };
        ratings.push(vec![label.clone(), n, mean, high, smean, shigh], figure(sr));
    }
    (ratings, importance_rows)
}
