//! `framework_matrix`: the coded segments counted per theme and cell of the
//! five scopes, suppressed as the ratings tables are, with exemplars.
//!
//! **Counts.** `segments`: the coded segments (one code applied to one
//! selection) of the theme in the cell; `participants`: the distinct
//! interviewees with at least one. Each interviewee is in one site and one
//! group, so both counts add up: a site's are the sum of its site x group
//! cells, a sector's of its sites, the study's of its sectors, its sites
//! and its groups.
//!
//! **Disclosure control.** A cell with fewer than `min_cell` participants
//! is suppressed (counts and exemplars empty, `suppressed` true); then,
//! theme by theme, complementary cells are suppressed until no suppressed
//! count can be recovered by subtraction from any published total it adds
//! up to ([`ratings::ScopeCells::suppressed`], the ratings tables' code).
//! Segments are suppressed with participants: an empty cell has neither.
//!
//! **Exemplars.** Only in rows whose scope `quote_label` allows
//! ([`crate::Settings::quotes_at`]; with `["group", "sector"]`: study,
//! sector and group rows, never a site or site x group row, which would tie
//! a quote to a site), never in a suppressed row. The rule, deterministic:
//! the cell's segments in the order of (project sha256, source guid,
//! start, end, selection guid); the first segment of each interviewee in
//! that order until two are chosen, then the next in that order
//! ([`patterns::choose_exemplars`], the rule of `qual_matrix` and
//! `quotes`). Never a blank text (an interviewee withdrawn from `quotes`
//! keeps segments with empty text), and never a segment whose label would
//! point at fewer than `min_cell` people: the label says what `quote_label`
//! allows ("Peer worker, voluntary sector", [`patterns::quote_label`]), and
//! the interviewees of the theme sharing that label must be at least
//! `min_cell`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, RecordBatch, StringArray, UInt32Array};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};
use model::{Group, Sector};
use ratings::{Scope, ScopeCells};

use crate::Settings;
use crate::read::{Table, invalid};

/// The table's short name in figure ids: `framework/site/Site G/supervision`.
pub(crate) const FIGURES: &str = "framework";
/// Exemplar columns per row.
const EXEMPLARS: usize = 2;

/// `scope, site, sector, group, theme, segments, participants, suppressed,
/// exemplar_1, exemplar_1_label, exemplar_2, exemplar_2_label, figure_id`.
pub fn framework_matrix_schema() -> SchemaRef {
    let text = |n: &str| Field::new(n, DataType::Utf8, false);
    let text_null = |n: &str| Field::new(n, DataType::Utf8, true);
    let count_null = |n: &str| Field::new(n, DataType::UInt32, true);
    Arc::new(Schema::new(vec![
        text("scope"),
        text_null("site"),
        text_null("sector"),
        text_null("group"),
        text("theme"),
        count_null("segments"),
        count_null("participants"),
        Field::new("suppressed", DataType::Boolean, false),
        text_null("exemplar_1"),
        text_null("exemplar_1_label"),
        text_null("exemplar_2"),
        text_null("exemplar_2_label"),
        text("figure_id"),
    ]))
}

/// One coded segment as the matrix reads it.
pub(crate) struct Segment<'a> {
    pub participant: usize,
    pub site: usize,
    pub sector: Sector,
    pub group: Group,
    pub theme: usize,
    pub text: &'a str,
    /// (project, source, start, end, selection): the exemplar order.
    pub order: (&'a str, &'a str, u64, u64, &'a str),
}

/// The coded segments, read and checked, with the sites they come from.
pub(crate) struct Talk<'a> {
    /// (label, sector), by label.
    pub sites: Vec<(String, Sector)>,
    pub participants: Vec<&'a str>,
    pub segments: Vec<Segment<'a>>,
}

/// Read `coded_segments`: every theme must be one of `settings.themes`,
/// each site of one sector.
pub(crate) fn read_talk<'a>(
    segments: &'a RecordBatch,
    settings: &Settings,
) -> Result<Talk<'a>, ArrowError> {
    let t = Table::new("coded_segments", segments);
    let participant = t.text("participant")?;
    let (site, sector, group) = (t.text("site")?, t.text("sector")?, t.text("group")?);
    let (theme, text) = (t.text("theme")?, t.text("text")?);
    let (project, source, selection) =
        (t.text("project")?, t.text("source")?, t.text("selection")?);
    let (start, end) = (t.u64s("start")?, t.u64s("end")?);
    let theme_index: BTreeMap<&str, usize> = settings
        .themes
        .iter()
        .enumerate()
        .map(|(i, th)| (th.as_str(), i))
        .collect();

    let mut site_sector: BTreeMap<&str, Sector> = BTreeMap::new();
    let mut people: BTreeMap<&str, usize> = BTreeMap::new();
    for i in 0..t.rows() {
        let s = site.get(i)?;
        let sec = sector.sector(i)?;
        if *site_sector.entry(s).or_insert(sec) != sec {
            return Err(invalid(format!(
                "table `coded_segments`, row {}: site `{s}` is in two sectors",
                i + 1
            )));
        }
        let n = people.len();
        people.entry(participant.get(i)?).or_insert(n);
    }
    let site_index: BTreeMap<&str, usize> = site_sector
        .keys()
        .enumerate()
        .map(|(i, s)| (*s, i))
        .collect();
    let mut out = Vec::with_capacity(t.rows());
    for i in 0..t.rows() {
        let th = theme.get(i)?;
        let Some(&th_i) = theme_index.get(th) else {
            return Err(invalid(format!(
                "table `coded_segments`, column `theme`, row {}: `{th}` is not a factor, an outcome of the framework or `bme`",
                i + 1
            )));
        };
        let s = site.get(i)?;
        out.push(Segment {
            participant: people[participant.get(i)?],
            site: site_index[s],
            sector: site_sector[s],
            group: group.group(i)?,
            theme: th_i,
            text: text.opt(i).unwrap_or(""),
            order: (
                project.get(i)?,
                source.get(i)?,
                start[i].unwrap_or(0),
                end[i].unwrap_or(0),
                selection.get(i)?,
            ),
        });
    }
    let mut names: Vec<&str> = vec![""; people.len()];
    for (name, i) in people {
        names[i] = name;
    }
    Ok(Talk {
        sites: site_sector
            .into_iter()
            .map(|(s, sec)| (s.to_string(), sec))
            .collect(),
        participants: names,
        segments: out,
    })
}

/// Counts per (cell, theme), indexed `cell * themes + theme`.
pub(crate) struct Counts {
    pub themes: usize,
    pub segments: Vec<u64>,
    pub participants: Vec<u64>,
}

pub(crate) fn count(talk: &Talk<'_>, cells: &ScopeCells, themes: usize) -> Counts {
    let mut c = Counts {
        themes,
        segments: vec![0; cells.len() * themes],
        participants: vec![0; cells.len() * themes],
    };
    let mut seen: BTreeSet<(usize, usize)> = BTreeSet::new();
    for s in &talk.segments {
        let first = seen.insert((s.participant, s.theme));
        for cell in cells.cells_of(s.site, s.group) {
            c.segments[cell * themes + s.theme] += 1;
            if first {
                c.participants[cell * themes + s.theme] += 1;
            }
        }
    }
    c
}

/// Suppression of every (cell, theme), indexed like [`Counts`]: each theme
/// is its own set of additive relations.
pub(crate) fn suppression(
    counts: &Counts,
    cells: &ScopeCells,
    scopes: &[Scope],
    min_cell: u32,
) -> Vec<bool> {
    let t = counts.themes;
    let mut out = vec![true; cells.len() * t];
    for theme in 0..t {
        let people: Vec<u64> = (0..cells.len())
            .map(|c| counts.participants[c * t + theme])
            .collect();
        for (c, s) in cells
            .suppressed(&people, scopes, min_cell)
            .into_iter()
            .enumerate()
        {
            out[c * t + theme] = s;
        }
    }
    out
}

/// One row per published cell (scopes in `settings.scopes`, in the
/// ratings tables' order: study, sectors, sites by label, groups, site x
/// group) and theme (in `settings.themes` order). Sites are those with
/// coded segments. See the module docs for counts, suppression and
/// exemplars; `figure_id` is `framework/<scope>/<keys...>/<theme>`.
pub fn framework_matrix(
    segments: &RecordBatch,
    settings: &Settings,
) -> Result<RecordBatch, ArrowError> {
    let talk = read_talk(segments, settings)?;
    let cells = ScopeCells::new(talk.sites.clone());
    let themes = settings.themes.len();
    let counts = count(&talk, &cells, themes);
    let suppressed = suppression(&counts, &cells, &settings.scopes, settings.min_cell);
    let exemplars = exemplars(&talk, &cells, &counts, &suppressed, settings);

    let mut rows = Rows::default();
    for cell in 0..cells.len() {
        let scope = cells.scope(cell);
        if !settings.scopes.contains(&scope) {
            continue;
        }
        let (site, sector, group) = cells.keys(cell);
        for (theme, code) in settings.themes.iter().enumerate() {
            let i = cell * themes + theme;
            let hidden = suppressed[i];
            rows.scope.push(scope.code());
            rows.site.push(site.map(String::from));
            rows.sector.push(sector);
            rows.group.push(group);
            rows.theme.push(code.clone());
            rows.segments
                .push((!hidden).then(|| count32(counts.segments[i])));
            rows.participants
                .push((!hidden).then(|| count32(counts.participants[i])));
            rows.suppressed.push(hidden);
            let chosen = exemplars.get(&i).map(Vec::as_slice).unwrap_or(&[]);
            for k in 0..EXEMPLARS {
                let (text, label) = match chosen.get(k) {
                    Some((t, l)) => (Some(t.clone()), Some(l.clone())),
                    None => (None, None),
                };
                rows.exemplars[2 * k].push(text);
                rows.exemplars[2 * k + 1].push(label);
            }
            rows.figure_id
                .push(cells.figure_id(FIGURES, cell, code).into_string());
        }
    }
    rows.finish()
}

/// The label a quote of this interviewee may carry, and the key of the
/// people it points at: the theme and the attributes the label says.
fn label_key(
    settings: &Settings,
    s: &Segment<'_>,
) -> (usize, Option<Group>, Option<usize>, Option<Sector>) {
    let allowed = |a: &str| settings.quote_label.iter().any(|x| x == a);
    (
        s.theme,
        allowed("group").then_some(s.group),
        allowed("site").then_some(s.site),
        allowed("sector").then_some(s.sector),
    )
}

/// Up to two (text, label) per published, unsuppressed (cell, theme)
/// whose scope allows quotes.
fn exemplars(
    talk: &Talk<'_>,
    cells: &ScopeCells,
    counts: &Counts,
    suppressed: &[bool],
    settings: &Settings,
) -> BTreeMap<usize, Vec<(String, String)>> {
    let t = counts.themes;
    // Interviewees behind each label.
    let mut behind: BTreeMap<_, BTreeSet<usize>> = BTreeMap::new();
    for s in &talk.segments {
        behind
            .entry(label_key(settings, s))
            .or_default()
            .insert(s.participant);
    }
    let quotable = |s: &Segment<'_>| {
        !s.text.trim().is_empty()
            && behind
                .get(&label_key(settings, s))
                .is_some_and(|p| p.len() >= settings.min_cell as usize)
    };
    let mut candidates: BTreeMap<usize, Vec<&Segment<'_>>> = BTreeMap::new();
    for s in talk.segments.iter().filter(|s| quotable(s)) {
        for cell in cells.cells_of(s.site, s.group) {
            let scope = cells.scope(cell);
            let i = cell * t + s.theme;
            if settings.scopes.contains(&scope) && settings.quotes_at(scope) && !suppressed[i] {
                candidates.entry(i).or_default().push(s);
            }
        }
    }
    let label_settings = patterns::Settings {
        quote_label: settings.quote_label.clone(),
        labels: settings.labels.clone(),
        ..Default::default()
    };
    candidates
        .into_iter()
        .map(|(i, mut segs)| {
            segs.sort_by(|a, b| (a.order, a.text).cmp(&(b.order, b.text)));
            let chosen = patterns::choose_exemplars(
                &segs,
                EXEMPLARS,
                |s| talk.participants[s.participant],
                |s| s.text,
            );
            let quotes = chosen
                .into_iter()
                .map(|s| {
                    let site = &talk.sites[s.site].0;
                    (
                        s.text.to_string(),
                        patterns::quote_label(&label_settings, s.group, site, s.sector),
                    )
                })
                .collect();
            (i, quotes)
        })
        .collect()
}

fn count32(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[derive(Default)]
struct Rows {
    scope: Vec<&'static str>,
    site: Vec<Option<String>>,
    sector: Vec<Option<&'static str>>,
    group: Vec<Option<&'static str>>,
    theme: Vec<String>,
    segments: Vec<Option<u32>>,
    participants: Vec<Option<u32>>,
    suppressed: Vec<bool>,
    exemplars: [Vec<Option<String>>; 2 * EXEMPLARS],
    figure_id: Vec<String>,
}

impl Rows {
    fn finish(self) -> Result<RecordBatch, ArrowError> {
        let mut columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(self.scope)),
            Arc::new(StringArray::from(self.site)),
            Arc::new(StringArray::from(self.sector)),
            Arc::new(StringArray::from(self.group)),
            Arc::new(StringArray::from(self.theme)),
            Arc::new(UInt32Array::from(self.segments)),
            Arc::new(UInt32Array::from(self.participants)),
            Arc::new(BooleanArray::from(self.suppressed)),
        ];
        columns.extend(
            self.exemplars
                .into_iter()
                .map(|v| Arc::new(StringArray::from(v)) as ArrayRef),
        );
        columns.push(Arc::new(StringArray::from(self.figure_id)));
        RecordBatch::try_new(framework_matrix_schema(), columns)
    }
}
