//! Reports people read, rendered from the published tables with minijinja
//! templates kept in this crate's `templates/` folder.
//!
//! Every entry ([`synthesis_markdown`], [`synthesis_html`], [`site_packs`],
//! [`handbook`], [`workbook()`]) takes a [`ReportInput`]: the framework, the
//! study's labels and the published tables as Arrow batches, nothing else, so a report can never
//! reach data that was not published, and every number shown is a number of
//! a table, with its `figure_id` beside it.
//!
//! The key design choice: each section is built once, in `views` (a module
//! per document: `synthesis`, its `methods`, `site_pack`, `handbook`), as
//! plain view models (tables of text cells, each row with its figure id;
//! charts as SVG from the `charts` crate with their text alternative and
//! the table behind them), and the Markdown and HTML templates only lay
//! those out. So the two formats always say the same thing, and the
//! templates stay short. This file compiles the templates, renders, and
//! hands the files on (site packs in parallel).
//!
//! HTML is self-contained: inline CSS and SVG, no script, no font, nothing
//! fetched (a Content-Security-Policy of `default-src 'none'` says so to the
//! browser). Every figure id shown is an anchor (`#fig-<id>`) with the id as
//! its tooltip; an id drawn in a chart anchors the chart mark itself.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use arrow_array::RecordBatch;

use minijinja::{Environment, Value};
use rayon::prelude::*;

use model::{Framework, Labels};

mod table;
mod views;
mod xlsx;

pub use workbook::Writer as WorkbookWriter;

#[cfg(test)]
mod tests;

use table::Tables;
use views::Data;

#[derive(Debug, Clone, thiserror::Error)]
pub enum ReportError {
    #[error("template {template}: {message}")]
    Template { template: String, message: String },
    #[error("workbook: {0}")]
    Workbook(String),
    /// Handing a rendered file on failed (writing it, say).
    #[error("{0}")]
    Output(String),
}

/// The de-identified (`data/`) tables a report reads beside the result
/// tables, by the names [`ReportInput::tables`] holds them under.
pub const CLEAN_TABLES: [&str; 3] = ["sites", "workshop_notes", "workshop_verdicts"];

/// What a report is made from.
pub struct ReportInput<'a> {
    pub study_name: &'a str,
    pub framework: &'a Framework,
    /// The study's words for the codes the tables hold (stakeholder
    /// groups, answers), from its dictionary and framework.
    pub labels: &'a Labels,
    pub min_cell: u32,
    pub pipeline_name: &'a str,
    /// Each stage of the run, for the methods section.
    pub methods: Vec<StageMethod>,
    /// The study's pseudonyms were made with the published demo key: every
    /// report and pack says that they are not secret.
    pub demo_key: bool,
    /// Result tables by name (`ratings_summary`, `top3_frequency`, ...),
    /// and the [`CLEAN_TABLES`].
    pub tables: BTreeMap<String, &'a RecordBatch>,
}

/// One stage of the run, as the methods section describes it.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct StageMethod {
    pub id: String,
    /// Its kind (`ratings.summary`).
    pub kind: String,
    /// The stages it read.
    pub from: Vec<String>,
    /// What it did, with every setting in words.
    pub text: String,
    /// Every setting, defaults included: (key, value as written in TOML).
    pub settings: Vec<(String, String)>,
}

/// The templates, by the name they are rendered under: `.html` names are
/// HTML-escaped automatically, `.md` names are not.
const TEMPLATES: &[(&str, &str)] = &[
    ("macros.md", include_str!("../templates/macros.md.j2")),
    ("macros.html", include_str!("../templates/macros.html.j2")),
    ("synthesis.md", include_str!("../templates/synthesis.md.j2")),
    (
        "synthesis.html",
        include_str!("../templates/synthesis.html.j2"),
    ),
    ("site.md", include_str!("../templates/site.md.j2")),
    ("site.html", include_str!("../templates/site.html.j2")),
    (
        "sites_index.md",
        include_str!("../templates/sites_index.md.j2"),
    ),
    (
        "sites_index.html",
        include_str!("../templates/sites_index.html.j2"),
    ),
    ("handbook.md", include_str!("../templates/handbook.md.j2")),
    (
        "handbook_index.md",
        include_str!("../templates/handbook_index.md.j2"),
    ),
    (
        "handbook_workshops.md",
        include_str!("../templates/handbook_workshops.md.j2"),
    ),
];

thread_local! {
    /// The element ids already in the document being rendered on this
    /// thread (see [`render`]).
    static ANCHORED: RefCell<BTreeSet<String>> = const { RefCell::new(BTreeSet::new()) };
}

/// The template environment, compiled once and shared by every document
/// and thread. The `fig` filter's memory of the ids a document already
/// holds is per render (see [`render`]), not per environment.
fn environment() -> Result<&'static Environment<'static>, ReportError> {
    static ENV: OnceLock<Result<Environment<'static>, ReportError>> = OnceLock::new();
    ENV.get_or_init(compile).as_ref().map_err(Clone::clone)
}

fn compile() -> Result<Environment<'static>, ReportError> {
    let mut env = Environment::new();
    if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .build()
    {
        env.set_syntax(syntax);
    }
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)
            .map_err(|e| template_error(name, e))?;
    }
    // `num(x, 2)`: fixed decimals; an empty cell shows as an en dash.
    env.add_filter("num", |v: Value, digits: Option<usize>| -> String {
        if v.is_none() || v.is_undefined() {
            return "–".to_string();
        }
        match f64::try_from(v.clone()) {
            Ok(f) => views::cells::fixed(Some(f), digits.unwrap_or(2)),
            Err(_) => v.to_string(),
        }
    });
    // `cell(x)`: any value, or an en dash when empty.
    env.add_filter("cell", |v: Value| -> String {
        if v.is_none() || v.is_undefined() {
            "–".to_string()
        } else {
            v.to_string()
        }
    });
    // Markdown table cells and quotes: no pipe or line break may end them.
    env.add_filter("md", |v: String| -> String {
        v.replace('|', "\\|").replace(['\n', '\r'], " ")
    });
    // `fig(id)`: the figure id as an HTML anchor with a tooltip; the first
    // mention in a document (chart marks first) is the element with that id.
    env.add_filter("fig", |id: String| -> Value {
        let target = format!("fig-{}", charts::sanitise_id(&id));
        let first = ANCHORED.with(|seen| seen.borrow_mut().insert(target.clone()));
        let escaped = charts::escape(&id);
        let own_id = if first { format!(" id=\"{target}\"") } else { String::new() };
        Value::from_safe_string(format!(
            "<a class=\"fig\"{own_id} href=\"#{target}\" title=\"figure_id: {escaped}\"><code>{escaped}</code></a>"
        ))
    });
    Ok(env)
}

/// Renders one document. `anchored` holds the element ids already in the
/// document (chart marks first), so that each figure id is an element id
/// once and every other mention links to it; it comes back with the ids the
/// document added. Every document also gets `demo_key`, for its banner.
fn render(
    name: &str,
    ctx: &Value,
    input: &ReportInput,
    anchored: &mut BTreeSet<String>,
) -> Result<String, ReportError> {
    let env = environment()?;
    let template = env
        .get_template(name)
        .map_err(|e| template_error(name, e))?;
    let ctx = minijinja::context! { demo_key => input.demo_key, ..ctx.clone() };
    ANCHORED.with(|seen| std::mem::swap(&mut *seen.borrow_mut(), anchored));
    let out = template.render(ctx).map_err(|e| template_error(name, e));
    ANCHORED.with(|seen| std::mem::swap(&mut *seen.borrow_mut(), anchored));
    out
}

/// The synthesis report as Markdown.
pub fn synthesis_markdown(input: &ReportInput) -> Result<String, ReportError> {
    let mut page = views::synthesis::page(input);
    render("synthesis.md", &page.ctx, input, &mut page.anchors)
}

/// The synthesis report as one self-contained HTML file.
pub fn synthesis_html(input: &ReportInput) -> Result<String, ReportError> {
    let mut page = views::synthesis::page(input);
    render("synthesis.html", &page.ctx, input, &mut page.anchors)
}

fn template_error(template: &str, e: minijinja::Error) -> ReportError {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        message.push_str(&format!(": {s}"));
        source = s.source();
    }
    ReportError::Template {
        template: template.to_string(),
        message,
    }
}

/// A verdict of a site's workshop (`workshop_verdicts`) on a figure that
/// the site's pack does not show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Misplaced {
    /// The site's label.
    pub site: String,
    /// The line of the verdicts file.
    pub line: u32,
    pub figure_id: String,
}

/// The workshops' verdicts whose figure is not in their site's pack (the
/// reports must not count or show them: the run stops on any).
pub fn misplaced_verdicts(input: &ReportInput) -> Vec<Misplaced> {
    views::workshops::misplaced(input)
}

/// One feedback pack per site with data, `<site>.md` and `<site>.html`, and
/// `index.md` / `index.html` listing every site, awaited ones included.
pub fn site_packs(input: &ReportInput) -> Result<Vec<(String, String)>, ReportError> {
    let mut out = Vec::new();
    site_packs_each(input, &mut |name, text| {
        out.push((name, text));
        Ok(())
    })?;
    out.sort();
    Ok(out)
}

/// Sites rendered at once (in parallel) before they are handed on, so that
/// only this many packs are ever held in memory.
const SITES_AT_ONCE: usize = 64;

/// As [`site_packs`], handing each file (name, text) to `each` as soon as it
/// is rendered instead of holding them all. The files are the same whatever
/// the number of threads; they come in the register's order of sites, then
/// the two index files (in name order if two sites share a file name, so
/// that the last one handed on is the one [`site_packs`] lists last).
pub fn site_packs_each(
    input: &ReportInput,
    each: &mut dyn FnMut(String, String) -> Result<(), ReportError>,
) -> Result<(), ReportError> {
    let tables = Tables::new(&input.tables);
    let all = Data::new(input, &tables);
    let index = all.site_index();
    let sites = all.sites();
    let awaited = all.awaited_sites();
    let with_data: Vec<&str> = sites
        .iter()
        .filter(|(_, has)| *has)
        .map(|(s, _)| s.as_str())
        .collect();
    let mut files = BTreeSet::new();
    let clash = with_data
        .iter()
        .any(|s| !files.insert(views::cells::slug(s)));
    let pack = |site: &str| -> Result<(String, [(String, String); 2]), ReportError> {
        let data = all.for_site(&index, site);
        let (file, page) = views::site_pack::page(&data, site, &awaited);
        let md = render("site.md", &page.ctx, input, &mut page.anchors.clone())?;
        let html = render("site.html", &page.ctx, input, &mut page.anchors.clone())?;
        Ok((
            file.clone(),
            [(format!("{file}.md"), md), (format!("{file}.html"), html)],
        ))
    };
    let mut file_of: BTreeMap<&str, String> = BTreeMap::new();
    let mut held = Vec::new();
    // Chunks of sites are rendered (in parallel) on one side while the
    // chunk before is handed on here: at most two chunks are held.
    std::thread::scope(|scope| -> Result<(), ReportError> {
        let (send, receive) = std::sync::mpsc::sync_channel(1);
        let with_data = &with_data;
        scope.spawn(move || {
            for chunk in with_data.chunks(SITES_AT_ONCE) {
                let rendered: Result<Vec<_>, _> = chunk.par_iter().map(|site| pack(site)).collect();
                let failed = rendered.is_err();
                if send.send(rendered.map(|r| (chunk, r))).is_err() || failed {
                    return;
                }
            }
        });
        for rendered in receive {
            let (chunk, rendered) = rendered?;
            for (site, (file, pages)) in chunk.iter().zip(rendered) {
                file_of.insert(site, file);
                for (name, text) in pages {
                    if clash {
                        held.push((name, text))
                    } else {
                        each(name, text)?
                    }
                }
            }
        }
        Ok(())
    })?;
    let ctx = views::site_pack::index(input, &sites, &file_of);
    for (name, template) in [
        ("index.md", "sites_index.md"),
        ("index.html", "sites_index.html"),
    ] {
        let text = render(template, &ctx, input, &mut BTreeSet::new())?;
        if clash {
            held.push((name.to_string(), text))
        } else {
            each(name.to_string(), text)?
        }
    }
    held.sort();
    for (name, text) in held {
        each(name, text)?;
    }
    Ok(())
}

/// The handbook's page of the feedback workshops' notes.
const WORKSHOPS_PAGE: &str = "feedback-workshops.md";

/// Handbook guidance, one Markdown document per domain (`<domain>.md`),
/// the feedback workshops' notes (`feedback-workshops.md`, when any were
/// received), and `index.md` listing them.
pub fn handbook(input: &ReportInput) -> Result<Vec<(String, String)>, ReportError> {
    let handbook = views::handbook::pages(input);
    // One memory of anchored ids for all the pages, as one environment had.
    let mut anchored = BTreeSet::new();
    let mut out = Vec::new();
    for (file, ctx) in handbook.pages {
        out.push((file, render("handbook.md", &ctx, input, &mut anchored)?));
    }
    let workshops = views::workshops::handbook_page(input);
    if let Some(ctx) = &workshops {
        out.push((
            WORKSHOPS_PAGE.to_string(),
            render("handbook_workshops.md", ctx, input, &mut anchored)?,
        ));
    }
    let index = minijinja::context! {
        workshops => workshops.is_some().then_some(WORKSHOPS_PAGE),
        ..handbook.index
    };
    out.push((
        "index.md".to_string(),
        render("handbook_index.md", &index, input, &mut anchored)?,
    ));
    out.sort();
    Ok(out)
}

/// Every result table as one `.xlsx` workbook: an `About` sheet with the
/// labels from the data dictionary and the framework, then one sheet per
/// table with a frozen header row.
pub fn workbook(input: &ReportInput) -> Result<Vec<u8>, ReportError> {
    xlsx::workbook(input, WorkbookWriter::default())
}

/// [`workbook`], written by `writer` (to measure one against another).
pub fn workbook_with(input: &ReportInput, writer: WorkbookWriter) -> Result<Vec<u8>, ReportError> {
    xlsx::workbook(input, writer)
}
