//! View models: what each section of a report shows, built once in Rust from
//! the published tables and rendered by both the Markdown and the HTML
//! templates, so the two formats always carry the same content.
//!
//! Every table behind a chart and every table of the report is a
//! [`TableView`]: plain text cells, each row with the `figure_id` it shows.
//! Charts come from the `charts` crate; a [`ChartView`] holds the SVG, its
//! text alternative and the table behind it.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use model::Group;

use crate::ReportInput;
use crate::table::{AsRow, Row, Rows, Selection, SiteIndex, Tables};

/// A table as a reader sees it.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct TableView {
    pub headers: Vec<String>,
    pub rows: Vec<RowView>,
    /// Shown instead of the table when it has no rows.
    pub empty: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct RowView {
    pub cells: Vec<CellView>,
    /// The figure the row shows, if it is one row of a result table.
    pub figure: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct CellView {
    pub text: String,
    /// The figure of this one cell, when a row holds several (a grid).
    pub figure: Option<String>,
}

/// A chart with its text alternative and the table behind it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ChartView {
    /// Element id of the figure block (`chart-...`), unique in a document.
    pub id: String,
    pub title: String,
    pub svg: String,
    pub alt: String,
    pub table: TableView,
    /// Figure ids drawn as marks in the SVG (each is an element id there).
    pub figures: Vec<String>,
}

/// A published, redacted account with its permitted label.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct QuoteView {
    pub text: String,
    pub label: String,
    pub figure: String,
}

impl TableView {
    fn new(headers: &[&str], empty: &str) -> Self {
        TableView {
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
            empty: empty.into(),
        }
    }

    fn push(&mut self, cells: Vec<String>, figure: Option<&str>) {
        self.rows.push(RowView {
            cells: cells
                .into_iter()
                .map(|text| CellView { text, figure: None })
                .collect(),
            figure: figure.map(String::from),
        });
    }
}

// ---------------------------------------------------------------- cells

pub(crate) fn text<'a>(row: impl AsRow<'a>, key: &str) -> Option<&'a str> {
    row.row().text(key)
}

pub(crate) fn float<'a>(row: impl AsRow<'a>, key: &str) -> Option<f64> {
    row.row().float(key).filter(|v| v.is_finite())
}

pub(crate) fn count<'a>(row: impl AsRow<'a>, key: &str) -> Option<u64> {
    row.row().count(key)
}

pub(crate) fn flag<'a>(row: impl AsRow<'a>, key: &str) -> bool {
    row.row().flag(key)
}

fn figure<'a>(row: impl AsRow<'a>) -> Option<&'a str> {
    text(row, "figure_id")
}

/// Fixed decimals; never `-0.0`; an empty cell is an en dash.
pub(crate) fn fixed(v: Option<f64>, decimals: usize) -> String {
    match v {
        Some(v) if v.is_finite() => {
            let s = format!("{v:.decimals$}");
            if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
                s[1..].to_string()
            } else {
                s
            }
        }
        _ => "–".to_string(),
    }
}

fn whole(v: Option<u64>) -> String {
    v.map(|n| n.to_string()).unwrap_or_else(|| "–".into())
}

/// A cell is shown only when the table publishes it and it is about at
/// least `min_cell` people (a second line of defence after the tables' own
/// suppression).
pub(crate) fn publishable<'a>(row: impl AsRow<'a>, n_column: &str, min_cell: u32) -> bool {
    let row = row.row();
    !flag(row, "suppressed") && count(row, n_column).is_some_and(|n| n >= u64::from(min_cell))
}

pub(crate) fn group_label(code: &str) -> String {
    match Group::from_code(code) {
        Some(g) => g.label().to_string(),
        None if code == "managers" => "Managers (team and senior)".to_string(),
        None => code.to_string(),
    }
}

pub(crate) fn condition_words(code: &str) -> String {
    let c = charts::Condition::parse(code);
    if c == charts::Condition::Unknown && !matches!(code, "unknown" | "dont_know") {
        return code.replace('_', " ");
    }
    format!("{} {}", c.symbol(), c.label().to_lowercase())
}

fn words(code: &str) -> String {
    code.replace('_', " ")
}

fn yes_no(v: bool) -> String {
    if v { "yes" } else { "no" }.to_string()
}

/// `Site A` -> `site-a`: a file name part made of ASCII letters, digits and `-`.
pub(crate) fn slug(label: &str) -> String {
    let mut out = String::new();
    for c in label.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_matches('-');
    if trimmed.is_empty() {
        "site".to_string()
    } else {
        trimmed.to_string()
    }
}

// ---------------------------------------------------------------- the input

/// The published tables, some rows of each, and the framework's labels.
pub(crate) struct Data<'a> {
    pub input: &'a ReportInput<'a>,
    tables: Selection<'a>,
}

impl<'a> Data<'a> {
    /// Every row of every table.
    pub(crate) fn new(input: &'a ReportInput<'a>, tables: &'a Tables<'a>) -> Self {
        Data {
            input,
            tables: Selection::all(tables),
        }
    }

    /// The whole study's view: rows about one site (`scope` = `site` or
    /// `site_group`) are left out, since nothing study-wide reads them; at
    /// national scale they are nearly all the rows, and leaving them out
    /// keeps the study-wide views proportionate to what they show.
    pub(crate) fn study_wide(input: &'a ReportInput<'a>, tables: &'a Tables<'a>) -> Self {
        let tables = Selection::filter(tables, |r| {
            !matches!(r.text("scope"), Some("site" | "site_group"))
        });
        Data { input, tables }
    }

    /// For each table, the rows of each site and of no site.
    pub(crate) fn site_index(&self) -> SiteIndex<'a> {
        self.tables.site_index()
    }

    /// One site's view: the rows that name this site or no site (study,
    /// sector and group rows, to compare with), and the whole site register.
    pub(crate) fn for_site<'s>(&'s self, index: &'s SiteIndex<'a>, site: &str) -> Data<'s>
    where
        'a: 's,
    {
        Data {
            input: self.input,
            tables: self.tables.for_site(index, site, "sites"),
        }
    }

    pub(crate) fn has(&self, table: &str) -> bool {
        self.tables.has(table)
    }

    pub(crate) fn rows<'s>(&'s self, table: &str) -> Rows<'s, 'a> {
        self.tables.rows(table)
    }

    pub(crate) fn min_cell(&self) -> u32 {
        self.input.min_cell
    }

    pub(crate) fn factor_label(&self, code: &str) -> String {
        self.input
            .framework
            .factors
            .iter()
            .find(|f| f.code == code)
            .map(|f| f.label.clone())
            .unwrap_or_else(|| code.to_string())
    }

    pub(crate) fn factors_of(&self, domain: &str) -> Vec<(String, String)> {
        self.input
            .framework
            .factors
            .iter()
            .filter(|f| f.domain == domain)
            .map(|f| (f.code.clone(), f.label.clone()))
            .collect()
    }

    fn outcome_label(&self, code: &str) -> String {
        self.input
            .framework
            .outcomes
            .iter()
            .find(|o| o.code == code)
            .map(|o| o.label.clone())
            .unwrap_or_else(|| code.to_string())
    }

    /// Site labels in the register's order, with whether their data arrived.
    pub(crate) fn sites(&self) -> Vec<(String, bool)> {
        self.rows("sites")
            .iter()
            .filter_map(|r| Some((text(r, "site")?.to_string(), flag(r, "has_data"))))
            .collect()
    }

    pub(crate) fn site_row(&self, site: &str) -> Option<Row<'a>> {
        self.rows("sites")
            .iter()
            .find(|r| text(r, "site") == Some(site))
    }

    /// Sites that appear in the pattern matrix, in register order (then any other).
    fn pattern_sites(&self) -> Vec<String> {
        let present: BTreeSet<&str> = self
            .rows("pattern_matrix")
            .iter()
            .filter_map(|r| text(r, "site"))
            .collect();
        let mut out: Vec<String> = self
            .sites()
            .into_iter()
            .map(|(s, _)| s)
            .filter(|s| present.contains(s.as_str()))
            .collect();
        for s in &present {
            if !out.iter().any(|o| o == s) {
                out.push(s.to_string());
            }
        }
        out
    }
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
        t.push(
            vec![
                text(r, "site").unwrap_or("").into(),
                text(r, "sector").unwrap_or("").into(),
                yes_no(flag(r, "partnership")),
                yes_no(flag(r, "bme_focus")),
                text(r, "region").unwrap_or("").into(),
                r.row().shown("wave"),
                if flag(r, "has_data") {
                    "received"
                } else {
                    "awaited"
                }
                .into(),
            ],
            None,
        );
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
            let w = r.row().shown("wave");
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
                && text(r, "category") == Some(g.label())
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
                g.label().to_string(),
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
        t.push(
            vec![
                words(text(r, "characteristic").unwrap_or("")),
                text(r, "category").unwrap_or("").into(),
                n,
            ],
            figure(r),
        );
    }
    t
}

// ---------------------------------------------------------------- methods

/// What the methods section says about the run: the stages and the settings
/// actually used, read from the pipeline file as run.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct MethodsView {
    pub stages: TableView,
    pub bootstrap_resamples: Option<String>,
    pub confidence: Option<String>,
    pub pattern_share: Option<String>,
    pub pattern_min_valid: Option<String>,
    pub replication_share: Option<String>,
    pub tension_threshold: Option<String>,
    pub pool_managers: Option<String>,
    pub exemplars: Option<String>,
}

pub(crate) fn methods(source: &str) -> MethodsView {
    let mut view = MethodsView {
        stages: TableView::new(
            &["Stage", "Kind", "Reads", "Settings"],
            "The pipeline file could not be read.",
        ),
        ..Default::default()
    };
    let Ok(doc) = source.parse::<toml::Table>() else {
        return view;
    };
    let stages = doc
        .get("stage")
        .and_then(toml::Value::as_array)
        .cloned()
        .unwrap_or_default();
    let show = show_setting;
    for stage in &stages {
        let Some(table) = stage.as_table() else {
            continue;
        };
        let get = |k: &str| table.get(k).map(show);
        let run = get("run").unwrap_or_default();
        let reads = table
            .get("from")
            .and_then(toml::Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(toml::Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        let settings: Vec<String> = table
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "id" | "run" | "from"))
            .map(|(k, v)| format!("{k} = {}", show(v)))
            .collect();
        view.stages.push(
            vec![
                get("id").unwrap_or_default(),
                run.clone(),
                reads,
                settings.join("; "),
            ],
            None,
        );
        let first = |slot: &mut Option<String>, key: &str| {
            if slot.is_none() {
                *slot = get(key);
            }
        };
        match run.as_str() {
            "ratings.summary" => {
                first(&mut view.bootstrap_resamples, "bootstrap_resamples");
                first(&mut view.confidence, "confidence");
            }
            "patterns.matrix" => {
                first(&mut view.pattern_share, "share");
                first(&mut view.pattern_min_valid, "min_valid");
            }
            "patterns.replication" => first(&mut view.replication_share, "share"),
            "ratings.tensions" => {
                first(&mut view.tension_threshold, "threshold");
                first(&mut view.pool_managers, "pool_managers");
            }
            "patterns.qual_matrix" | "patterns.quotes" => first(&mut view.exemplars, "exemplars"),
            _ => {}
        }
    }
    view
}

/// A setting's value as a reader reads it.
fn show_setting(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Float(f) => {
            // Shares such as 2/3 are written with 16 digits; 4 read better.
            let short = format!("{f:.4}");
            short
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_string()
        }
        toml::Value::Array(items) => {
            format!(
                "[{}]",
                items
                    .iter()
                    .map(show_setting)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        toml::Value::Datetime(d) => format!("{d:?}"),
        toml::Value::Table(t) => {
            let parts: Vec<String> = t
                .iter()
                .map(|(k, v)| format!("{k} = {}", show_setting(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
    }
}

// ---------------------------------------------------------------- charts

/// Counts of ratings 1..5 of a `ratings_summary` row, when the table
/// publishes them (`rated_1` ... `rated_5`): `None` when it does not,
/// `Some(None)` when this row's counts are suppressed.
fn rating_counts<'a>(row: impl AsRow<'a>, min_cell: u32) -> Option<Option<[u32; 5]>> {
    let row = row.row();
    if !row.has("rated_1") {
        return None;
    }
    if !publishable(row, "n", min_cell) {
        return Some(None);
    }
    let mut out = [0u32; 5];
    for (k, slot) in out.iter_mut().enumerate() {
        match count(row, &format!("rated_{}", k + 1)).and_then(|v| u32::try_from(v).ok()) {
            Some(v) => *slot = v,
            None => return Some(None),
        }
    }
    Some(Some(out))
}

/// Whether `ratings_summary` publishes the counts a Likert chart needs.
pub(crate) fn has_rating_counts(data: &Data) -> bool {
    data.rows("ratings_summary")
        .first()
        .is_some_and(|r| r.has("rated_1"))
}

fn chart_id(kind: &str, key: &str) -> String {
    format!("chart-{kind}-{}", charts::sanitise_id(key))
}

/// Importance of one set of `ratings_summary` rows (label, row): a diverging
/// Likert chart when the counts are published, else the share rating 4 or 5.
fn importance_chart(
    data: &Data,
    id: &str,
    title: &str,
    row_header: &str,
    rows: &[(String, Row<'_>)],
) -> ChartView {
    let min_cell = data.min_cell();
    let mut table = TableView::new(
        &[
            row_header,
            "n",
            "Mean (95% CI)",
            "Median",
            "% rating 4–5",
            "figure",
        ],
        "No ratings published.",
    );
    for (label, r) in rows {
        if publishable(r, "n", min_cell) {
            table.push(
                vec![
                    label.clone(),
                    whole(count(r, "n")),
                    format!(
                        "{} ({}–{})",
                        fixed(float(r, "mean"), 2),
                        fixed(float(r, "ci_low"), 2),
                        fixed(float(r, "ci_high"), 2)
                    ),
                    fixed(float(r, "median"), 1),
                    fixed(float(r, "pct_high"), 0),
                ],
                figure(r),
            );
        } else {
            table.push(
                vec![
                    label.clone(),
                    "suppressed".into(),
                    String::new(),
                    String::new(),
                    String::new(),
                ],
                figure(r),
            );
        }
    }
    let counted = rows
        .first()
        .is_some_and(|(_, r)| rating_counts(r, min_cell).is_some());
    if counted {
        let chart = charts::LikertChart {
            title: title.to_string(),
            min_cell,
            rows: rows
                .iter()
                .map(|(label, r)| charts::LikertRow {
                    label: label.clone(),
                    counts: rating_counts(r, min_cell).flatten(),
                    figure_id: figure(r).unwrap_or("").to_string(),
                })
                .collect(),
        };
        ChartView {
            id: id.to_string(),
            title: title.to_string(),
            svg: charts::diverging_likert(&chart),
            alt: chart.text_alternative(),
            figures: chart.rows.iter().map(|r| r.figure_id.clone()).collect(),
            table,
        }
    } else {
        let chart = charts::BarChart {
            title: title.to_string(),
            value_label: "% rating it very or extremely important (4–5)".to_string(),
            unit: charts::BarUnit::Percent,
            min_cell,
            bars: rows
                .iter()
                .map(|(label, r)| charts::Bar {
                    label: label.clone(),
                    value: if publishable(r, "n", min_cell) {
                        float(r, "pct_high")
                    } else {
                        None
                    },
                    figure_id: figure(r)
                        .map(|f| format!("{f}/pct_high"))
                        .unwrap_or_default(),
                })
                .collect(),
        };
        ChartView {
            id: id.to_string(),
            title: title.to_string(),
            svg: charts::ranked_bars(&chart),
            alt: chart.text_alternative(),
            figures: chart.bars.iter().map(|b| b.figure_id.clone()).collect(),
            table,
        }
    }
}

/// One factor's importance: all interviewees, then each stakeholder group.
fn factor_importance(data: &Data, factor: &str, label: &str) -> ChartView {
    let rs = data.rows("ratings_summary");
    let mut rows: Vec<(String, Row<'_>)> = Vec::new();
    if let Some(r) = rs
        .iter()
        .find(|r| text(r, "scope") == Some("study") && text(r, "factor") == Some(factor))
    {
        rows.push(("All interviewees".to_string(), r));
    }
    for g in Group::ALL {
        if let Some(r) = rs.iter().find(|r| {
            text(r, "scope") == Some("group")
                && text(r, "group") == Some(g.code())
                && text(r, "factor") == Some(factor)
        }) {
            rows.push((g.label().to_string(), r));
        }
    }
    importance_chart(
        data,
        &chart_id("importance", factor),
        &format!("Importance of {label}, by stakeholder group"),
        "Who",
        &rows,
    )
}

/// Top-three frequency of some factors at one scope, ranked by score.
fn top3_chart(
    data: &Data,
    id: &str,
    title: &str,
    factors: &[(String, String)],
    scope: (&str, Option<&str>),
) -> ChartView {
    top3_chart_of(data, id, title, factors, scope, false)
}

/// As [`top3_chart`]; `by_score` draws the score (3 for a first place, 2 for
/// a second, 1 for a third) instead of the percent naming each factor, so
/// that two charts of one page never draw the same figure.
fn top3_chart_of(
    data: &Data,
    id: &str,
    title: &str,
    factors: &[(String, String)],
    scope: (&str, Option<&str>),
    by_score: bool,
) -> ChartView {
    let min_cell = data.min_cell();
    let mut rows: Vec<Row<'_>> = data
        .rows("top3_frequency")
        .iter()
        .filter(|r| {
            text(r, "scope") == Some(scope.0)
                && scope.1.is_none_or(|site| text(r, "site") == Some(site))
                && factors
                    .iter()
                    .any(|(code, _)| text(r, "factor") == Some(code))
        })
        .collect();
    // Highest score first; ties in framework order (the table's order), suppressed last.
    rows.sort_by_key(|r| {
        std::cmp::Reverse(if publishable(r, "respondents", min_cell) {
            count(r, "score").unwrap_or(0)
        } else {
            0
        })
    });
    let label = |r: &Row<'_>| data.factor_label(text(r, "factor").unwrap_or(""));
    let mut table = TableView::new(
        &[
            "Factor",
            "Named by",
            "% of respondents",
            "First",
            "Second",
            "Third",
            "Score",
            "figure",
        ],
        "No top-three table among the report's inputs.",
    );
    let mut bars = Vec::new();
    for r in &rows {
        let shown = publishable(r, "respondents", min_cell);
        if shown {
            table.push(
                vec![
                    label(r),
                    whole(count(r, "mentions")),
                    fixed(float(r, "pct_mentions"), 1),
                    whole(count(r, "first")),
                    whole(count(r, "second")),
                    whole(count(r, "third")),
                    whole(count(r, "score")),
                ],
                figure(r),
            );
        } else {
            table.push(
                vec![
                    label(r),
                    "suppressed".into(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                ],
                figure(r),
            );
        }
        let (column, value) = if by_score {
            ("score", count(r, "score").map(|v| v as f64))
        } else {
            ("pct_mentions", float(r, "pct_mentions"))
        };
        bars.push(charts::Bar {
            label: label(r),
            value: if shown { value } else { None },
            figure_id: figure(r)
                .map(|f| format!("{f}/{column}"))
                .unwrap_or_default(),
        });
    }
    let chart = charts::BarChart {
        title: title.to_string(),
        value_label: if by_score {
            "Score (3 for a first place, 2 for a second, 1 for a third)"
        } else {
            "% of respondents naming it in their top three"
        }
        .to_string(),
        unit: if by_score {
            charts::BarUnit::Score
        } else {
            charts::BarUnit::Percent
        },
        bars,
        min_cell,
    };
    ChartView {
        id: id.to_string(),
        title: title.to_string(),
        svg: charts::ranked_bars(&chart),
        alt: chart.text_alternative(),
        figures: chart.bars.iter().map(|b| b.figure_id.clone()).collect(),
        table,
    }
}

/// The pattern matrix of some sites x some factors, as a grid and a table.
fn pattern_chart(
    data: &Data,
    id: &str,
    title: &str,
    sites: &[String],
    factors: &[(String, String)],
) -> ChartView {
    // One lookup table, not a scan per cell: sites x factors can be 2,000 x 22.
    let mut cell_of: BTreeMap<(&str, &str), Row<'_>> = BTreeMap::new();
    for r in data.rows("pattern_matrix") {
        if let (Some(site), Some(factor)) = (text(r, "site"), text(r, "factor")) {
            cell_of.entry((site, factor)).or_insert(r);
        }
    }
    let find = |site: &str, factor: &str| cell_of.get(&(site, factor)).copied();
    let mut headers: Vec<&str> = vec!["Site"];
    headers.extend(factors.iter().map(|(code, _)| code.as_str()));
    let mut table = TableView::new(&headers, "No pattern matrix among the report's inputs.");
    let mut cells = Vec::new();
    for site in sites {
        let mut row = vec![CellView {
            text: site.clone(),
            figure: None,
        }];
        let mut grid_row = Vec::new();
        for (code, _) in factors {
            let r = find(site, code);
            let condition = r.and_then(|r| text(r, "condition")).unwrap_or("unknown");
            let fig = r.and_then(figure).map(String::from);
            row.push(CellView {
                text: condition_words(condition),
                figure: fig.clone(),
            });
            grid_row.push(charts::Cell {
                condition: condition.to_string(),
                figure_id: fig.unwrap_or_default(),
            });
        }
        table.rows.push(RowView {
            cells: row,
            figure: None,
        });
        cells.push(grid_row);
    }
    let chart = charts::PatternGrid {
        title: title.to_string(),
        sites: sites.to_vec(),
        factors: factors.to_vec(),
        cells,
    };
    ChartView {
        id: id.to_string(),
        title: title.to_string(),
        svg: charts::pattern_grid(&chart),
        alt: chart.text_alternative(),
        figures: chart
            .cells
            .iter()
            .flatten()
            .map(|c| c.figure_id.clone())
            .filter(|f| !f.is_empty())
            .collect(),
        table,
    }
}

// ---------------------------------------------------------------- tables by factor

fn in_factors(r: &Row<'_>, factors: &[(String, String)]) -> bool {
    factors
        .iter()
        .any(|(code, _)| text(r, "factor") == Some(code))
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
                data.factor_label(text(r, "factor").unwrap_or("")),
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

fn is_divergent(r: &Row<'_>) -> bool {
    matches!(
        text(r, "fidelity"),
        Some("fidelity_gap" | "undocumented_practice")
    )
}

fn fidelity(data: &Data, factors: &[(String, String)], site: Option<&str>) -> TableView {
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
                data.factor_label(text(r, "factor").unwrap_or("")),
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
fn tensions(data: &Data, factors: &[(String, String)], site: Option<&str>) -> TableView {
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
                Some(s) => text(r, "scope") == Some("site") && text(r, "site") == Some(s),
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
                data.factor_label(text(r, "factor").unwrap_or("")),
                group_label(text(r, "group_a").unwrap_or("")),
                group_label(text(r, "group_b").unwrap_or("")),
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
                data.outcome_label(text(r, "outcome").unwrap_or("")),
                data.factor_label(text(r, "factor").unwrap_or("")),
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

pub(crate) fn outcomes(data: &Data, site: Option<&str>) -> TableView {
    let mut t = TableView::new(
        &[
            "Site",
            "Outcome",
            "Yes",
            "Partly",
            "No",
            "Don't know",
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
                data.outcome_label(text(r, "outcome").unwrap_or("")),
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
        for i in 1.. {
            let key = format!("exemplar_{i}");
            if !r.has(&key) {
                break;
            }
            let Some(quote) = text(r, &key).filter(|q| !q.trim().is_empty()) else {
                continue;
            };
            out.push(QuoteView {
                text: quote.to_string(),
                label: text(r, &format!("label_{i}"))
                    .unwrap_or("Participant")
                    .to_string(),
                figure: figure(r).unwrap_or("").to_string(),
            });
        }
    }
    out
}

pub(crate) fn group_tests(data: &Data) -> TableView {
    let mut t = TableView::new(
        &["Factor", "n", "H", "df", "p", "adjusted p", "ε²", "figure"],
        "No factor differed between groups (adjusted p < 0.05).",
    );
    for r in data.rows("group_tests").iter().filter(|r| {
        text(r, "scope") == Some("study")
            && !flag(r, "suppressed")
            && float(r, "p_adj_bh").is_some_and(|p| p < 0.05)
    }) {
        t.push(
            vec![
                data.factor_label(text(r, "factor").unwrap_or("")),
                whole(count(r, "n")),
                fixed(float(r, "h"), 2),
                whole(count(r, "df")),
                fixed(float(r, "p_value"), 4),
                fixed(float(r, "p_adj_bh"), 4),
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
    for r in data
        .rows("sector_tests")
        .iter()
        .filter(|r| !flag(r, "suppressed") && float(r, "p_adj_bh").is_some_and(|p| p < 0.05))
    {
        t.push(
            vec![
                data.factor_label(text(r, "factor").unwrap_or("")),
                whole(count(r, "n_statutory")),
                whole(count(r, "n_voluntary")),
                fixed(float(r, "u"), 1),
                fixed(float(r, "z"), 2),
                fixed(float(r, "p_adj_bh"), 4),
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
    pub replication: TableView,
    pub fidelity: TableView,
    pub tensions: TableView,
    pub outcomes: TableView,
    pub quotes: Vec<QuoteView>,
}

pub(crate) fn domains(data: &Data) -> Vec<DomainSection> {
    let sites = data.pattern_sites();
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
                    ("study", None),
                ),
                pattern: pattern_chart(
                    data,
                    &chart_id("pattern", &d.code),
                    &format!("{}: condition in place, by site", d.label),
                    &sites,
                    &factors,
                ),
                replication: replication(data, &factors),
                fidelity: fidelity(data, &factors, None),
                tensions: tensions(data, &factors, None),
                outcomes: qca(data, &factors),
                quotes: quotes(data, &themes, None),
            }
        })
        .collect()
}

pub(crate) fn study_top3(data: &Data) -> ChartView {
    let all: Vec<(String, String)> = data
        .input
        .framework
        .factors
        .iter()
        .map(|f| (f.code.clone(), f.label.clone()))
        .collect();
    top3_chart_of(
        data,
        "chart-top3-study",
        "The factors that matter most: top-three score",
        &all,
        ("study", None),
        true,
    )
}

// ---------------------------------------------------------------- site packs

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
}

pub(crate) fn site_pack(data: &Data, site: &str) -> SitePack {
    let min_cell = data.min_cell();
    let all: Vec<(String, String)> = data
        .input
        .framework
        .factors
        .iter()
        .map(|f| (f.code.clone(), f.label.clone()))
        .collect();
    let mut details = TableView::new(
        &["Sector", "Partnership", "BME focus", "Region", "Wave"],
        "",
    );
    if let Some(r) = data.site_row(site) {
        details.push(
            vec![
                text(r, "sector").unwrap_or("").into(),
                yes_no(flag(r, "partnership")),
                yes_no(flag(r, "bme_focus")),
                text(r, "region").unwrap_or("").into(),
                r.row().shown("wave"),
            ],
            None,
        );
    }

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
    for (code, label) in &all {
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

    let rs = data.rows("ratings_summary");
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
    let mut importance_rows: Vec<(String, Row<'_>)> = Vec::new();
    for (code, label) in &all {
        let site_row = rs.iter().find(|r| {
            text(r, "scope") == Some("site")
                && text(r, "site") == Some(site)
                && text(r, "factor") == Some(code)
        });
        let study_row = rs
            .iter()
            .find(|r| text(r, "scope") == Some("study") && text(r, "factor") == Some(code));
        let Some(sr) = site_row else { continue };
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

    let themes: Vec<&str> = all.iter().map(|(c, _)| c.as_str()).collect();
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
        pattern_vs_study: vs,
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
            ("site", Some(site)),
        ),
        top3_study: top3_chart(
            data,
            "chart-top3-study",
            "Whole study: named among the top three",
            &all,
            ("study", None),
        ),
        fidelity: fidelity(data, &all, Some(site)),
        tensions: tensions(data, &all, Some(site)),
        outcomes: outcomes(data, Some(site)),
        quotes: quotes(data, &themes, Some(site)),
    }
}

// ---------------------------------------------------------------- handbook

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

pub(crate) fn handbook_factor(
    data: &Data,
    code: &str,
    label: &str,
    condition: &str,
) -> HandbookFactor {
    let min_cell = data.min_cell();
    let rs = data.rows("ratings_summary");
    let mut importance = Vec::new();
    if let Some(r) = rs.iter().find(|r| {
        text(r, "scope") == Some("study")
            && text(r, "factor") == Some(code)
            && publishable(r, "n", min_cell)
    }) {
        importance.push(Sentence {
            text: format!(
                "Across all {} interviewees who rated it, the mean importance was {} on a scale of 1 to 5, and {}% rated it very or extremely important.",
                whole(count(r, "n")),
                fixed(float(r, "mean"), 1),
                fixed(float(r, "pct_high"), 0)
            ),
            figures: figure(r).map(String::from).into_iter().collect(),
        });
    }
    if let Some(r) = data.rows("top3_frequency").iter().find(|r| {
        text(r, "scope") == Some("study")
            && text(r, "factor") == Some(code)
            && publishable(r, "respondents", min_cell)
    }) {
        importance.push(Sentence {
            text: format!(
                "{}% of interviewees named it among the three factors that matter most.",
                fixed(float(r, "pct_mentions"), 0)
            ),
            figures: figure(r).map(String::from).into_iter().collect(),
        });
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
        let find = |table: &str| {
            data.rows(table).iter().find(|r| {
                text(r, "scope") == Some("group")
                    && text(r, "group") == Some(g.code())
                    && text(r, "factor") == Some(code)
            })
        };
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
                    g.label().into(),
                    whole(count(r, "n")),
                    fixed(float(r, "mean"), 2),
                    fixed(float(r, "pct_high"), 0),
                    top,
                ],
                figure(r),
            );
        } else {
            by_group.push(
                vec![
                    g.label().into(),
                    "suppressed".into(),
                    String::new(),
                    String::new(),
                    String::new(),
                ],
                figure(r),
            );
        }
    }
    let mut in_place = Vec::new();
    if let Some(r) = data
        .rows("replication")
        .iter()
        .find(|r| text(r, "factor") == Some(code))
    {
        in_place.push(Sentence {
            text: format!(
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
            figures: figure(r).map(String::from).into_iter().collect(),
        });
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
        let sites: Vec<&str> = pm
            .iter()
            .filter(|r| text(r, "fidelity") == Some(kind))
            .filter_map(|r| text(r, "site"))
            .collect();
        if !sites.is_empty() {
            documents.push(Sentence {
                text: format!("At {} site(s) ({}), {what}.", sites.len(), sites.join(", ")),
                figures: pm
                    .iter()
                    .filter(|r| text(r, "fidelity") == Some(kind))
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
        quotes: quotes(data, &[code], None),
    }
}
