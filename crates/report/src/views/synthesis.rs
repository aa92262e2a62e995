//! The synthesis report: the study and its sites, who took part, the
//! methods as run, the factors that matter most, differences between
//! groups and sectors, then a section per domain of the framework (each
//! factor's importance, the top three, the pattern matrix, replication,
//! fidelity, tensions, outcomes, accounts), then outcomes by site and the
//! accounts about BME communities.
//!
//! [`page`] is the whole document, in the order the templates show it; a
//! new section is a view built here and a field of its context.

use std::collections::BTreeMap;

use serde::Serialize;

use model::Group;

use super::cells::{
    count, figure, fixed, flag, float, in_factors, p_value, register_cells, text, whole, words,
};
use super::charts::{
    MatrixRows, Top3Measure, chart_id, factor_importance, framework_chart, has_rating_counts,
    pattern_chart, top3_chart,
};
use super::data::{Data, Scope};
use super::findings::{fidelity, outcomes, quotes, tensions};
use super::methods::methods;
use super::mixed::{bme_talk, joint_display, joint_display_by_group, study_exemplars};
use super::{ChartView, Page, QuoteView, TableView, chart_anchors, serde};
use crate::ReportInput;
use crate::table::{Row, Tables};

/// The synthesis report's content, shared by its two formats.
pub(crate) fn page(input: &ReportInput) -> Page {
    let tables = Tables::new(&input.tables);
    let data = Data::study_wide(input, &tables);
    // The framework matrix's sites x themes charts read its site rows,
    // which the study-wide view leaves out.
    let every_row = Data::new(input, &tables);
    let domains = domains(&data, &every_row);
    let top3 = study_top3(&data);
    let mut charts: Vec<&ChartView> = vec![&top3];
    for d in &domains {
        charts.extend(d.factors.iter().map(|f| &f.importance));
        charts.push(&d.top3);
        charts.push(&d.pattern);
        charts.push(&d.talk_by_site);
        charts.push(&d.talk_by_group);
    }
    let anchors = chart_anchors(charts);
    let ctx = minijinja::context! {
        study => input.study_name,
        pipeline => input.pipeline_name,
        min_cell => input.min_cell,
        version => model::VERSION,
        has_rating_counts => has_rating_counts(&data),
        has_quotes_table => data.has("quotes"),
        has_framework_matrix => data.has("framework_matrix"),
        has_joint_display => data.has("joint_display"),
        sites => serde(&sites_table(&data)),
        sectors => serde(&sector_summary(&data)),
        awaited => data.awaited_sites(),
        participants => serde(&participants_by_group(&data)),
        demographics => serde(&demographics(&data)),
        methods => serde(&methods(&input.methods)),
        top3 => serde(&top3),
        group_tests => serde(&group_tests(&data)),
        sector_tests => serde(&sector_tests(&data)),
        domains => serde(&domains),
        outcomes => serde(&outcomes(&data, None)),
        bme_talk => serde(&bme_talk(&data, &every_row)),
        bme_quotes => serde(&bme_quotes(&data)),
        workshops => serde(&super::workshops::synthesis_counts(input, &data)),
    };
    Page { ctx, anchors }
}

// ---------------------------------------------------------------- the study

pub(crate) fn sites_table(data: &Data) -> TableView {
    let mut t = TableView::new(
        &[
            "Site",
            "Sector",
            "Partnership",
            "BME focus",
            "Region",
            "Wave",
            "Data",
        ],
        "No site register among the report's inputs.",
    );
    for r in data.rows("sites") {
        let mut cells = vec![text(r, "site").unwrap_or("").to_string()];
        cells.extend(register_cells(r));
        cells.push(
            if flag(r, "has_data") {
                "received"
            } else {
                "awaited"
            }
            .into(),
        );
        t.push(cells, None);
    }
    t
}

/// Sites by sector: how many, in partnership, BME-focused, by wave.
pub(crate) fn sector_summary(data: &Data) -> TableView {
    let mut t = TableView::new(
        &[
            "Sector",
            "Sites",
            "Data received",
            "Partnership",
            "BME focus",
            "By wave",
        ],
        "",
    );
    let rows = data.rows("sites");
    let mut sectors: Vec<String> = Vec::new();
    for r in rows {
        if let Some(s) = text(r, "sector")
            && !sectors.iter().any(|x| x == s)
        {
            sectors.push(s.to_string());
        }
    }
    sectors.sort();
    let mut lines: Vec<(String, Vec<Row<'_>>)> = sectors
        .into_iter()
        .map(|s| {
            (
                s.clone(),
                rows.iter()
                    .filter(|r| text(r, "sector") == Some(&s))
                    .collect(),
            )
        })
        .collect();
    lines.push(("all".to_string(), rows.iter().collect()));
    for (sector, members) in lines {
        let mut waves: BTreeMap<String, usize> = BTreeMap::new();
        for r in &members {
            let w = r.shown("wave");
            *waves.entry(w).or_default() += 1;
        }
        let by_wave: Vec<String> = waves
            .iter()
            .map(|(w, n)| format!("wave {w}: {n}"))
            .collect();
        t.push(
            vec![
                sector,
                members.len().to_string(),
                members
                    .iter()
                    .filter(|r| flag(r, "has_data"))
                    .count()
                    .to_string(),
                members
                    .iter()
                    .filter(|r| flag(r, "partnership"))
                    .count()
                    .to_string(),
                members
                    .iter()
                    .filter(|r| flag(r, "bme_focus"))
                    .count()
                    .to_string(),
                by_wave.join(", "),
            ],
            None,
        );
    }
    t
}

/// Participants by stakeholder group and sector: the `group` rows of the
/// disclosure-controlled `demographics` table, as published (suppressed
/// cells stay suppressed).
pub(crate) fn participants_by_group(data: &Data) -> TableView {
    let rows = data.rows("demographics");
    let mut t = TableView::new(
        &[
            "Stakeholder group",
            "All interviewees",
            "Statutory",
            "Voluntary",
            "figure",
        ],
        "No demographics table among the report's inputs.",
    );
    let cell = |scope: &str, sector: Option<&str>, g: Group| {
        rows.iter().find(|r| {
            text(r, "scope") == Some(scope)
                && text(r, "characteristic") == Some("group")
                && text(r, "category") == Some(data.labels().group(g))
                && (sector.is_none() || text(r, "sector") == sector)
        })
    };
    let shown = |r: Option<&Row<'_>>| match r {
        Some(r) if !flag(r, "suppressed") => whole(count(r, "n")),
        Some(_) => "suppressed".into(),
        None => "–".into(),
    };
    for g in Group::ALL {
        let study = cell("study", None, g);
        let Some(row) = study else { continue };
        t.push(
            vec![
                data.labels().group(g).to_string(),
                shown(study.as_ref()),
                shown(cell("sector", Some("statutory"), g).as_ref()),
                shown(cell("sector", Some("voluntary"), g).as_ref()),
            ],
            figure(row),
        );
    }
    t
}

pub(crate) fn demographics(data: &Data) -> TableView {
    let mut t = TableView::new(&["Characteristic", "Category", "n", "figure"], "");
    for r in data
        .rows("demographics")
        .iter()
        .filter(|r| text(r, "scope") == Some("study"))
    {
        let n = if flag(r, "suppressed") {
            "suppressed".into()
        } else {
            whole(count(r, "n"))
        };
        let characteristic = text(r, "characteristic").unwrap_or("");
        // A checkbox choice is named by its question and choice.
        let named = match data.labels().checkbox_choice(characteristic) {
            Some((field, choice)) => format!("{}: {}", field.label, choice.label),
            None => words(characteristic),
        };
        t.push(
            vec![named, text(r, "category").unwrap_or("").into(), n],
            figure(r),
        );
    }
    t
}

/// A published test whose Benjamini-Hochberg adjusted p is below 0.05.
fn significant(r: &Row<'_>) -> bool {
    !flag(r, "suppressed") && float(r, "p_adj_bh").is_some_and(|p| p < 0.05)
}

pub(crate) fn group_tests(data: &Data) -> TableView {
    let mut t = TableView::new(
        &["Factor", "n", "H", "df", "p", "adjusted p", "ε²", "figure"],
        "No factor differed between groups (adjusted p < 0.05).",
    );
    for r in data
        .rows("group_tests")
        .iter()
        .filter(|r| text(r, "scope") == Some("study") && significant(r))
    {
        t.push(
            vec![
                data.factor_of(&r),
                whole(count(r, "n")),
                fixed(float(r, "h"), 2),
                whole(count(r, "df")),
                p_value(float(r, "p_value")),
                p_value(float(r, "p_adj_bh")),
                fixed(float(r, "epsilon_sq"), 2),
            ],
            figure(r),
        );
    }
    t
}

pub(crate) fn sector_tests(data: &Data) -> TableView {
    let mut t = TableView::new(
        &[
            "Factor",
            "n statutory",
            "n voluntary",
            "U",
            "z",
            "adjusted p",
            "rank-biserial r",
            "figure",
        ],
        "No factor differed between sectors (adjusted p < 0.05).",
    );
    for r in data.rows("sector_tests").iter().filter(|r| significant(r)) {
        t.push(
            vec![
                data.factor_of(&r),
                whole(count(r, "n_statutory")),
                whole(count(r, "n_voluntary")),
                fixed(float(r, "u"), 1),
                fixed(float(r, "z"), 2),
                p_value(float(r, "p_adj_bh")),
                fixed(float(r, "rank_biserial"), 2),
            ],
            figure(r),
        );
    }
    t
}

// ---------------------------------------------------------------- domains

#[derive(Debug, Clone, Serialize)]
pub(crate) struct FactorSection {
    pub code: String,
    pub label: String,
    pub condition: String,
    pub importance: ChartView,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct DomainSection {
    pub code: String,
    pub label: String,
    pub factors: Vec<FactorSection>,
    pub top3: ChartView,
    pub pattern: ChartView,
    /// The framework matrix of the domain's factors: sites x factors.
    pub talk_by_site: ChartView,
    /// The framework matrix of the domain's factors: groups x factors.
    pub talk_by_group: ChartView,
    /// Ratings beside talk, factor by factor: study-wide, and by group.
    pub joint: TableView,
    pub joint_by_group: TableView,
    pub replication: TableView,
    pub fidelity: TableView,
    pub tensions: TableView,
    pub outcomes: TableView,
    pub quotes: Vec<QuoteView>,
}

/// The domains' sections; `every_row` reads the site rows of the
/// framework matrix that the study-wide `data` leaves out.
pub(crate) fn domains(data: &Data, every_row: &Data) -> Vec<DomainSection> {
    let sites = data.pattern_sites();
    let talk_sites = every_row.sites_in("framework_matrix");
    data.input
        .framework
        .domains
        .iter()
        .map(|d| {
            let factors = data.factors_of(&d.code);
            let themes: Vec<&str> = factors.iter().map(|(c, _)| c.as_str()).collect();
            DomainSection {
                code: d.code.clone(),
                label: d.label.clone(),
                factors: data
                    .input
                    .framework
                    .factors
                    .iter()
                    .filter(|f| f.domain == d.code)
                    .map(|f| FactorSection {
                        code: f.code.clone(),
                        label: f.label.clone(),
                        condition: f.condition.clone(),
                        importance: factor_importance(data, &f.code, &f.label),
                    })
                    .collect(),
                top3: top3_chart(
                    data,
                    &chart_id("top3", &d.code),
                    &format!("{}: named among the top three", d.label),
                    &factors,
                    Scope::Study,
                    Top3Measure::Share,
                ),
                pattern: pattern_chart(
                    data,
                    &chart_id("pattern", &d.code),
                    &format!("{}: condition in place, by site", d.label),
                    &sites,
                    &factors,
                ),
                talk_by_site: framework_chart(
                    every_row,
                    &chart_id("framework-site", &d.code),
                    &format!("{}: who spoke of each factor, by site", d.label),
                    MatrixRows::Sites(&talk_sites),
                    &factors,
                ),
                talk_by_group: framework_chart(
                    data,
                    &chart_id("framework-group", &d.code),
                    &format!("{}: who spoke of each factor, by group", d.label),
                    MatrixRows::Groups,
                    &factors,
                ),
                joint: joint_display(data, &factors),
                joint_by_group: joint_display_by_group(data, &factors),
                replication: replication(data, &factors),
                fidelity: fidelity(data, &factors, None),
                tensions: tensions(data, &factors, None),
                outcomes: qca(data, &factors),
                quotes: domain_quotes(data, &themes),
            }
        })
        .collect()
}

/// What interviewees said of a domain's factors: the transcripts first
/// (the framework matrix's exemplars, less the first, which the joint
/// display quotes), then the data sheets' accounts.
fn domain_quotes(data: &Data, themes: &[&str]) -> Vec<QuoteView> {
    let from = if data.has("joint_display") { 2 } else { 1 };
    let mut out = study_exemplars(data, themes, from);
    out.extend(quotes(data, themes, None));
    out
}

/// Accounts about BME communities: the transcripts', then the data sheets'.
fn bme_quotes(data: &Data) -> Vec<QuoteView> {
    let mut out = study_exemplars(data, &["bme"], 1);
    out.extend(quotes(data, &["bme"], None));
    out
}

pub(crate) fn study_top3(data: &Data) -> ChartView {
    top3_chart(
        data,
        "chart-top3-study",
        "The factors that matter most: top-three score",
        &data.factors(),
        Scope::Study,
        Top3Measure::Score,
    )
}

fn replication(data: &Data, factors: &[(String, String)]) -> TableView {
    let mut t = TableView::new(
        &[
            "Factor",
            "In place",
            "Partly",
            "Not",
            "Contested",
            "Statutory",
            "Voluntary",
            "Classification",
            "Departing sites",
            "figure",
        ],
        "No replication table among the report's inputs.",
    );
    for r in data
        .rows("replication")
        .iter()
        .filter(|r| in_factors(r, factors))
    {
        let of = |a: &str, b: &str| format!("{}/{}", whole(count(r, a)), whole(count(r, b)));
        t.push(
            vec![
                data.factor_of(&r),
                whole(count(r, "sites_in_place")),
                whole(count(r, "sites_partly")),
                whole(count(r, "sites_not_in_place")),
                whole(count(r, "sites_contested")),
                of("statutory_in_place", "statutory_sites"),
                of("voluntary_in_place", "voluntary_sites"),
                words(text(r, "classification").unwrap_or("")),
                text(r, "alternative_patterns").unwrap_or("–").to_string(),
            ],
            figure(r),
        );
    }
    t
}

/// Crisp-set QCA rows of these factors whose presence is consistently
/// sufficient for an outcome (consistency >= 0.8 over at least two sites).
fn qca(data: &Data, factors: &[(String, String)]) -> TableView {
    let mut t = TableView::new(
        &[
            "Outcome",
            "Factor",
            "Sites",
            "Sufficiency consistency",
            "Coverage",
            "Necessity consistency",
            "figure",
        ],
        "No condition of this domain was consistently sufficient for an outcome.",
    );
    for r in data.rows("qca").iter().filter(|r| {
        in_factors(r, factors)
            && float(r, "sufficiency_consistency").is_some_and(|c| c >= 0.8)
            && count(r, "n_x").is_some_and(|n| n >= 2)
    }) {
        t.push(
            vec![
                data.outcome_of(&r),
                data.factor_of(&r),
                whole(count(r, "n_sites")),
                fixed(float(r, "sufficiency_consistency"), 2),
                fixed(float(r, "sufficiency_coverage"), 2),
                fixed(float(r, "necessity_consistency"), 2),
            ],
            figure(r),
        );
    }
    t
}
