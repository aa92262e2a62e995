//! View models: what each document shows, built once in Rust from the
//! published tables and rendered by both the Markdown and the HTML
//! templates, so the two formats always carry the same content.
//!
//! One module per document, each building the template context of its
//! pages: [`synthesis`] (the synthesis report, section by section) with its
//! [`methods`] section, [`site_pack`] (one site's pack, and the index of
//! packs) and [`handbook`] (a page per domain, and an index). What several
//! documents show is written once beside them: [`charts`] (each chart with
//! the table behind it), [`findings`] (tables about some factors,
//! study-wide or at one site, and the accounts), [`data`] (the rows a
//! document reads, and the framework's labels) and [`cells`] (reading and
//! wording one cell). A new section of a document is a view built in that
//! document's module and a field of its context; a template lays it out.
//!
//! Every table behind a chart and every table of the report is a
//! [`TableView`]: plain text cells, each row with the `figure_id` it shows.
//! Charts come from the `charts` crate; a [`ChartView`] holds the SVG, its
//! text alternative and the table behind it.

use std::collections::BTreeSet;

use minijinja::Value;
use serde::Serialize;

pub(crate) mod cells;
pub(crate) mod charts;
pub(crate) mod data;
pub(crate) mod findings;
pub(crate) mod handbook;
pub(crate) mod methods;
pub(crate) mod mixed;
pub(crate) mod site_pack;
pub(crate) mod synthesis;
pub(crate) mod workshops;

pub(crate) use data::Data;

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
    /// Where the quote is from, in words ("from an interview transcript"),
    /// where a document says so.
    pub source: Option<&'static str>,
}

impl QuoteView {
    /// A quote of a coded interview transcript (the framework matrix).
    pub(crate) const TRANSCRIPT: &'static str = "from an interview transcript";
    /// A free-text account of the interview data sheet (`qual_matrix`,
    /// `quotes`).
    pub(crate) const DATA_SHEET: &'static str = "from the interview data sheet";

    /// The same quote, saying where it is from.
    pub(crate) fn with_source(self, source: &'static str) -> Self {
        QuoteView {
            source: Some(source),
            ..self
        }
    }
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

    /// A row whose cells are suppressed: its label, then `suppressed`,
    /// then empty cells as far as the other rows go (every column but the
    /// figure's).
    fn push_suppressed(&mut self, label: String, figure: Option<&str>) {
        let width = self.headers.iter().filter(|h| *h != "figure").count();
        let mut cells = vec![label, "suppressed".to_string()];
        cells.resize(width.max(cells.len()), String::new());
        self.push(cells, figure);
    }
}

/// One document's content, shared by its two formats: the template
/// context, and the element ids its charts already carry (so that the
/// templates anchor each figure id once; see `crate::render`).
pub(crate) struct Page {
    pub ctx: Value,
    pub anchors: BTreeSet<String>,
}

/// A view as a template value.
pub(crate) fn serde<T: Serialize>(v: &T) -> Value {
    Value::from(minijinja::value::Serde(v))
}

/// Element ids that the charts of a document already carry.
pub(crate) fn chart_anchors<'c>(
    charts: impl IntoIterator<Item = &'c ChartView>,
) -> BTreeSet<String> {
    charts
        .into_iter()
        .flat_map(|c| c.figures.iter())
        .filter(|f| !f.is_empty())
        .map(|f| format!("fig-{}", ::charts::sanitise_id(f)))
        .collect()
}
