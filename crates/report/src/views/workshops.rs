//! The feedback workshops (data-schema/LAYOUT.md, `qualitative/workshops/`):
//! each site's redacted notes and what its workshop made of the findings of
//! its pack, shown in that pack ([`pack_section`]); the notes gathered for
//! the handbook ([`handbook_page`]); and, in the synthesis report, at how
//! many workshops each finding the packs carried was confirmed or
//! challenged ([`synthesis_counts`]).
//!
//! The notes are redacted free text, shown as text: never rendered as
//! Markdown or HTML (a `<script>` pasted into them reads as `<script>`).
//! A finding is found by its figure id in the pack; the same finding at
//! every site is its figure id with the site's label left out
//! (`patterns/(site)/supervision`).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::TableView;
use super::cells::text;
use super::data::Data;
use super::site_pack::SitePack;
use crate::table::{SiteIndex, Tables};
use crate::{Misplaced, ReportInput};

/// The notes table and the verdicts table (`data/`).
pub(crate) const NOTES: &str = "workshop_notes";
pub(crate) const VERDICTS: &str = "workshop_verdicts";

/// A site pack's workshop section.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct WorkshopView {
    /// `workshop/<site label>`.
    pub figure: String,
    /// The redacted notes, as written; `None` when none were received.
    pub notes: Option<String>,
    /// A Markdown code fence longer than any run of backticks in the notes.
    pub fence: String,
    /// Whether the workshop's verdicts on the findings were received.
    pub has_verdicts: bool,
    /// The findings it confirmed or challenged, in the file's order.
    pub marked: TableView,
    /// The findings it added.
    pub added: TableView,
}

/// What each finding of a pack is, by figure id: the first cell of the row
/// that shows it, and what the row says of it.
fn findings(pack: &SitePack) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let tables = [
        (&pack.pattern_vs_study, "in place"),
        (&pack.ratings, "importance"),
        (&pack.top3.table, "named in the top three"),
        (
            &pack.top3_study.table,
            "named in the top three, whole study",
        ),
        (&pack.fidelity, "fidelity"),
        (&pack.tensions, "where perspectives differ"),
        (&pack.outcomes, "outcome"),
        (&pack.pattern.table, "in place"),
        (&pack.importance.table, "importance"),
    ];
    for (table, what) in tables {
        for row in &table.rows {
            let label = row.cells.first().map(|c| c.text.as_str()).unwrap_or("");
            let ids = row
                .figure
                .iter()
                .chain(row.cells.iter().filter_map(|c| c.figure.as_ref()));
            for id in ids {
                out.entry(id.clone())
                    .or_insert_with(|| format!("{label} ({what})"));
            }
        }
    }
    for chart in [
        &pack.pattern,
        &pack.importance,
        &pack.top3,
        &pack.top3_study,
    ] {
        for id in chart.figures.iter().filter(|f| !f.is_empty()) {
            out.entry(id.clone()).or_insert_with(|| chart.title.clone());
        }
    }
    for quote in &pack.quotes {
        out.entry(quote.figure.clone())
            .or_insert_with(|| format!("an account ({})", quote.label));
    }
    out
}

/// The site's verdict rows: (line, figure id, verdict, comment).
fn verdicts<'d>(data: &'d Data, site: &str) -> Vec<(u64, &'d str, &'d str, &'d str)> {
    data.rows(VERDICTS)
        .iter()
        .filter(|r| text(r, "site") == Some(site))
        .map(|r| {
            (
                super::cells::count(r, "source_line").unwrap_or(0),
                text(r, "figure_id").unwrap_or(""),
                text(r, "verdict").unwrap_or(""),
                text(r, "comment").unwrap_or(""),
            )
        })
        .collect()
}

/// The workshop section of one site's pack.
pub(crate) fn pack_section(data: &Data, site: &str, pack: &SitePack) -> WorkshopView {
    let notes = data
        .rows(NOTES)
        .iter()
        .find(|r| text(r, "site") == Some(site))
        .and_then(|r| text(r, "text"))
        .map(|t| t.trim_end().to_string());
    let longest = notes.as_deref().map(longest_backticks).unwrap_or(0);
    let findings = findings(pack);
    let mut marked = TableView::new(
        &["Finding", "At the workshop", "Comment", "figure"],
        "The workshop confirmed or challenged none of the findings.",
    );
    let mut added = TableView::new(
        &["Belongs with", "What the workshop added", "figure"],
        "The workshop added no finding.",
    );
    let rows = verdicts(data, site);
    for (_, figure, verdict, comment) in &rows {
        let finding = findings.get(*figure).cloned().unwrap_or_default();
        if *verdict == "new" {
            added.push(vec![finding, comment.to_string()], Some(figure));
        } else {
            marked.push(
                vec![finding, verdict.to_string(), comment.to_string()],
                Some(figure),
            );
        }
    }
    WorkshopView {
        figure: format!("workshop/{site}"),
        notes,
        fence: "`".repeat(longest.max(2) + 1),
        has_verdicts: !rows.is_empty(),
        marked,
        added,
    }
}

/// The longest run of backticks in a text.
fn longest_backticks(text: &str) -> usize {
    let (mut longest, mut run) = (0, 0);
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

/// Every figure id a pack shows.
fn pack_figures(pack: &SitePack) -> BTreeSet<String> {
    findings(pack).into_keys().collect()
}

/// Verdicts whose figure is not in their site's pack (only the packs of
/// sites with verdicts are built).
pub(crate) fn misplaced(input: &ReportInput) -> Vec<Misplaced> {
    let tables = Tables::new(&input.tables);
    let all = Data::new(input, &tables);
    let sites: BTreeSet<&str> = all
        .rows(VERDICTS)
        .iter()
        .filter_map(|r| text(r, "site"))
        .collect();
    if sites.is_empty() {
        return Vec::new();
    }
    let index = all.site_index();
    let with_data: BTreeSet<String> = all
        .sites()
        .into_iter()
        .filter(|(_, has)| *has)
        .map(|(s, _)| s)
        .collect();
    let mut out = Vec::new();
    for site in sites {
        let figures = if with_data.contains(site) {
            pack_figures(&pack_of(&all, &index, site))
        } else {
            BTreeSet::new()
        };
        for (line, figure, _, _) in verdicts(&all, site) {
            if !figures.contains(figure) {
                out.push(Misplaced {
                    site: site.to_string(),
                    line: line as u32,
                    figure_id: figure.to_string(),
                });
            }
        }
    }
    out
}

fn pack_of(all: &Data, index: &SiteIndex, site: &str) -> SitePack {
    let data = all.for_site(index, site);
    super::site_pack::site_pack(&data, site)
}

/// A finding as the same finding at every site: its figure id with the
/// site's label left out.
fn across_sites(figure: &str, site: &str) -> String {
    figure
        .split('/')
        .map(|part| if part == site { "(site)" } else { part })
        .collect::<Vec<_>>()
        .join("/")
}

/// The synthesis report's account of the workshops: how many sent notes
/// and verdicts, and for each finding the packs carried that a workshop
/// marked, at how many it was confirmed, challenged or added to.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct WorkshopCounts {
    pub notes: usize,
    pub with_verdicts: usize,
    pub sites: usize,
    pub findings: TableView,
}

pub(crate) fn synthesis_counts(input: &ReportInput, all: &Data) -> WorkshopCounts {
    let notes = all.rows(NOTES).iter().count();
    let sites: BTreeSet<&str> = all
        .rows(VERDICTS)
        .iter()
        .filter_map(|r| text(r, "site"))
        .collect();
    // Per finding: what it is, and the sites that confirmed, challenged, added.
    let mut counted: BTreeMap<String, (String, [BTreeSet<String>; 3])> = BTreeMap::new();
    if !sites.is_empty() {
        let tables = Tables::new(&input.tables);
        let everything = Data::new(input, &tables);
        let index = everything.site_index();
        for site in &sites {
            let findings = findings(&pack_of(&everything, &index, site));
            for (_, figure, verdict, _) in verdicts(all, site) {
                let Some(k) = ["confirmed", "challenged", "new"]
                    .iter()
                    .position(|v| *v == verdict)
                else {
                    continue;
                };
                let what = findings.get(figure).cloned().unwrap_or_default();
                let entry = counted
                    .entry(across_sites(figure, site))
                    .or_insert_with(|| (what, Default::default()));
                entry.1[k].insert(site.to_string());
            }
        }
    }
    let mut findings = TableView::new(
        &[
            "Finding",
            "Figure in each site's pack",
            "Confirmed at",
            "Challenged at",
            "Added at",
        ],
        "No workshop's verdicts on the findings were received.",
    );
    for (id, (what, [confirmed, challenged, new])) in &counted {
        findings.push(
            vec![
                what.clone(),
                id.clone(),
                workshops(confirmed.len()),
                workshops(challenged.len()),
                workshops(new.len()),
            ],
            None,
        );
    }
    WorkshopCounts {
        notes,
        with_verdicts: sites.len(),
        sites: all.sites().iter().filter(|(_, has)| *has).count(),
        findings,
    }
}

fn workshops(n: usize) -> String {
    match n {
        0 => "–".into(),
        1 => "1 workshop".into(),
        n => format!("{n} workshops"),
    }
}

/// The handbook's page of the workshops' notes, each site's under its label.
pub(crate) fn handbook_page(input: &ReportInput) -> Option<minijinja::Value> {
    let tables = Tables::new(&input.tables);
    let all = Data::new(input, &tables);
    let notes: Vec<minijinja::Value> = all
        .sites()
        .into_iter()
        .filter_map(|(site, _)| {
            let row = all
                .rows(NOTES)
                .iter()
                .find(|r| text(r, "site") == Some(site.as_str()))?;
            let text = text(row, "text").unwrap_or("").trim_end().to_string();
            let fence = "`".repeat(longest_backticks(&text).max(2) + 1);
            Some(minijinja::context! {
                figure => format!("workshop/{site}"),
                site => site,
                text => text,
                fence => fence,
            })
        })
        .collect();
    if notes.is_empty() {
        return None;
    }
    let awaited: Vec<String> = all
        .sites()
        .into_iter()
        .filter(|(site, has)| {
            *has && !all
                .rows(NOTES)
                .iter()
                .any(|r| text(r, "site") == Some(site.as_str()))
        })
        .map(|(s, _)| s)
        .collect();
    Some(minijinja::context! {
        study => input.study_name,
        version => model::VERSION,
        notes => notes,
        without => awaited,
    })
}
