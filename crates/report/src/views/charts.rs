//! The charts the documents draw, each a [`ChartView`] with the table
//! behind it: importance (a diverging Likert chart, or ranked bars when
//! the rating counts are not published), top-three frequency and the
//! pattern grid. The synthesis report draws them by domain, a site pack
//! for its one site.

use std::collections::BTreeMap;

use model::Group;

use super::cells::{
    condition_words, count, figure, fixed, float, in_factors, publishable, text, whole,
};
use super::data::{Data, Scope};
use super::{CellView, ChartView, RowView, TableView};
use crate::table::{AsRow, Row};

impl ChartView {
    /// Ranked bars, with the table behind them.
    fn ranked_bars(id: &str, chart: &charts::BarChart, table: TableView) -> Self {
        ChartView {
            id: id.to_string(),
            title: chart.title.clone(),
            svg: charts::ranked_bars(chart),
            alt: chart.text_alternative(),
            figures: chart.bars.iter().map(|b| b.figure_id.clone()).collect(),
            table,
        }
    }
}

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

pub(crate) fn chart_id(kind: &str, key: &str) -> String {
    format!("chart-{kind}-{}", charts::sanitise_id(key))
}

/// Importance of one set of `ratings_summary` rows (label, row): a diverging
/// Likert chart when the counts are published, else the share rating 4 or 5.
pub(crate) fn importance_chart(
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
            table.push_suppressed(label.clone(), figure(r));
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
        ChartView::ranked_bars(id, &chart, table)
    }
}

/// One factor's importance: all interviewees, then each stakeholder group.
pub(crate) fn factor_importance(data: &Data, factor: &str, label: &str) -> ChartView {
    let mut rows: Vec<(String, Row<'_>)> = Vec::new();
    if let Some(r) = data
        .rows_about("ratings_summary", Scope::Study, factor)
        .next()
    {
        rows.push(("All interviewees".to_string(), r));
    }
    for g in Group::ALL {
        if let Some(r) = data
            .rows_about("ratings_summary", Scope::Group(g), factor)
            .next()
        {
            rows.push((data.labels().group(g).to_string(), r));
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

/// What a top-three chart draws for each factor.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Top3Measure {
    /// The percent of respondents naming it among their top three.
    Share,
    /// The score (3 for a first place, 2 for a second, 1 for a third): the
    /// synthesis report's chart of the factors that matter most draws this,
    /// so that two charts of one page never draw the same figure.
    Score,
}

/// Top-three frequency of some factors at one scope, ranked by score.
pub(crate) fn top3_chart(
    data: &Data,
    id: &str,
    title: &str,
    factors: &[(String, String)],
    scope: Scope<'_>,
    measure: Top3Measure,
) -> ChartView {
    let by_score = measure == Top3Measure::Score;
    let min_cell = data.min_cell();
    let mut rows: Vec<Row<'_>> = data
        .rows("top3_frequency")
        .iter()
        .filter(|r| scope.holds(r) && in_factors(r, factors))
        .collect();
    // Highest score first; ties in framework order (the table's order), suppressed last.
    rows.sort_by_key(|r| {
        std::cmp::Reverse(if publishable(r, "respondents", min_cell) {
            count(r, "score").unwrap_or(0)
        } else {
            0
        })
    });
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
                    data.factor_of(r),
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
            table.push_suppressed(data.factor_of(r), figure(r));
        }
        let (column, value) = if by_score {
            ("score", count(r, "score").map(|v| v as f64))
        } else {
            ("pct_mentions", float(r, "pct_mentions"))
        };
        bars.push(charts::Bar {
            label: data.factor_of(r),
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
    ChartView::ranked_bars(id, &chart, table)
}

/// The pattern matrix of some sites x some factors, as a grid and a table.
pub(crate) fn pattern_chart(
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

/// Who the rows of a framework matrix chart are: the sites (by label) or
/// the stakeholder groups.
pub(crate) enum MatrixRows<'s> {
    Sites(&'s [String]),
    Groups,
}

/// The framework matrix of some themes at one scope (sites or stakeholder
/// groups): interviewees who spoke of each theme, as a heat map and a
/// table. Suppressed cells stay suppressed, marked in both.
pub(crate) fn framework_chart(
    data: &Data,
    id: &str,
    title: &str,
    rows: MatrixRows<'_>,
    themes: &[(String, String)],
) -> ChartView {
    let min_cell = data.min_cell();
    let (scope, key_column, row_header, keys): (&str, &str, &str, Vec<(String, String)>) =
        match rows {
            MatrixRows::Sites(sites) => (
                "site",
                "site",
                "Site",
                sites.iter().map(|s| (s.clone(), s.clone())).collect(),
            ),
            MatrixRows::Groups => (
                "group",
                "group",
                "Stakeholder group",
                Group::ALL
                    .iter()
                    .map(|g| (g.code().to_string(), data.labels().group(*g).to_string()))
                    .collect(),
            ),
        };
    // One lookup, not a scan per cell.
    let mut cell_of: BTreeMap<(&str, &str), Row<'_>> = BTreeMap::new();
    for r in data.rows("framework_matrix") {
        if text(r, "scope") == Some(scope)
            && let (Some(key), Some(theme)) = (text(r, key_column), text(r, "theme"))
        {
            cell_of.entry((key, theme)).or_insert(r);
        }
    }
    let mut headers: Vec<&str> = vec![row_header];
    headers.extend(themes.iter().map(|(code, _)| code.as_str()));
    let mut table = TableView::new(
        &headers,
        "No framework matrix of coded transcripts among the report's inputs.",
    );
    let mut labels = Vec::new();
    let mut cells = Vec::new();
    for (key, label) in &keys {
        let found: Vec<Option<Row<'_>>> = themes
            .iter()
            .map(|(code, _)| cell_of.get(&(key.as_str(), code.as_str())).copied())
            .collect();
        // A group or site with no row at all is not in the matrix.
        if found.iter().all(Option::is_none) {
            continue;
        }
        let mut row = vec![CellView {
            text: label.clone(),
            figure: None,
        }];
        let mut chart_row = Vec::new();
        for r in found {
            let Some(r) = r else {
                row.push(CellView {
                    text: "–".to_string(),
                    figure: None,
                });
                chart_row.push(None);
                continue;
            };
            let value = if publishable(r, "participants", min_cell) {
                count(r, "participants").and_then(|v| u32::try_from(v).ok())
            } else {
                None
            };
            let fig = figure(r).unwrap_or("").to_string();
            row.push(CellView {
                text: value.map_or_else(|| "suppressed".to_string(), |v| v.to_string()),
                figure: Some(fig.clone()),
            });
            chart_row.push(Some(charts::HeatCell {
                value,
                figure_id: fig,
            }));
        }
        table.rows.push(RowView {
            cells: row,
            figure: None,
        });
        labels.push(label.clone());
        cells.push(chart_row);
    }
    let chart = charts::HeatMatrix {
        title: title.to_string(),
        value_label: "Interviewees who spoke of it in their transcript".to_string(),
        rows: labels,
        columns: themes.to_vec(),
        cells,
        min_cell,
    };
    ChartView {
        id: id.to_string(),
        title: title.to_string(),
        svg: charts::heat_matrix(&chart),
        alt: chart.text_alternative(),
        figures: chart
            .cells
            .iter()
            .flatten()
            .flatten()
            .map(|c| c.figure_id.clone())
            .filter(|f| !f.is_empty())
            .collect(),
        table,
    }
}
