//! `quotes`: the publishable quotes of the study. The qualitative matrix
//! (site x group x theme) has cells too small to publish in a study of a
//! few people per group per site, so its exemplars are suppressed; here the
//! (already redacted) accounts are pooled across sites, one cell per theme
//! x stakeholder group, and per sector too when the study's `quote_label`
//! lets a quote say its sector.
//!
//! Why the sector splits the cell: a label is a disclosure. If a quote may
//! say "statutory sector", the people it could be are the cell's statutory
//! participants, so the `min_cell` rule has to hold for theme x group x
//! sector, not for theme x group. For the same reason a quote here never
//! says its site, even when `quote_label` allows `site`: this table exists
//! to pool across sites, and a site in the label would bring back the
//! site x group x theme cells that `qual_matrix` suppresses.
//!
//! Exemplars are chosen exactly as in [`crate::qual_matrix`] (the same code):
//! by `row_hash` order, one per participant first. A suppressed cell
//! publishes no counts and no exemplars, whatever
//! `settings.exemplars_in_suppressed` says.

use std::collections::BTreeMap;

use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, SchemaRef};
use model::{FigureId, Group, Sector};

use crate::out;
use crate::qual::{Account, cell, quote_label, read_accounts};
use crate::settings::Settings;

/// Whether quotes are split by sector: when `quote_label` allows `sector`.
pub fn quotes_by_sector(settings: &Settings) -> bool {
    settings.quote_label.iter().any(|a| a == "sector")
}

/// The schema of `quotes`: `theme`, `group`, `sector` (null when sectors
/// are pooled), counts, `settings.exemplars` pairs of `exemplar_<i>`,
/// `label_<i>`, and `figure_id`.
pub fn quotes_schema(settings: &Settings) -> SchemaRef {
    let mut f = vec![
        out::utf8("theme"),
        out::utf8("group"),
        out::utf8_null("sector"),
    ];
    f.extend(out::accounts_tail(settings.exemplars));
    out::schema(f)
}

/// One row per theme x group (x sector, see [`quotes_by_sector`]) with at
/// least one account, sorted by theme (factors in settings order, then
/// `bme`, then `role`, `other` when `settings.qual_other_themes`), group,
/// then sector (statutory, voluntary).
///
/// - `participants`, `accounts`: distinct participants and accounts pooled
///   across sites; both null and `suppressed` true when participants <
///   `min_cell`, and then no exemplar either.
/// - `exemplar_<i>`: the redacted text, verbatim from `accounts`;
///   `label_<i>`: [`quote_label`] with only the allowed attributes among
///   group and sector (never the site).
/// - `figure_id`: `quotes/<theme>/<group>` or `quotes/<theme>/<group>/<sector>`.
pub fn quotes(accounts: &RecordBatch, settings: &Settings) -> Result<RecordBatch, ArrowError> {
    let (rows, rank) = read_accounts(accounts, settings)?;
    let by_sector = quotes_by_sector(settings);
    let mut label_settings = settings.clone();
    label_settings.quote_label.retain(|a| a != "site");

    let mut cells: BTreeMap<(&str, Group, Option<Sector>), Vec<Account<'_>>> = BTreeMap::new();
    for a in rows {
        cells
            .entry((a.theme, a.group, by_sector.then_some(a.sector)))
            .or_default()
            .push(a);
    }
    let mut keys: Vec<(&str, Group, Option<Sector>)> = cells.keys().copied().collect();
    keys.sort_by_key(|(th, g, s)| (rank.get(*th).copied().unwrap_or(usize::MAX), *th, *g, *s));

    let k = settings.exemplars;
    let (mut theme_o, mut group_o, mut sector_o, mut id_o) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut people_o, mut accounts_o, mut supp_o) = (Vec::new(), Vec::new(), Vec::new());
    let mut ex: Vec<Vec<Option<String>>> = vec![Vec::new(); 2 * k];
    for key in keys {
        let Some(rows) = cells.get_mut(&key) else {
            continue;
        };
        let (th, g, sec) = key;
        let c = cell(rows, settings, k, false);
        for i in 0..k {
            let (e, l) = match c.chosen.get(i) {
                Some(a) => (
                    Some(a.text.to_string()),
                    Some(quote_label(&label_settings, g, "", a.sector)),
                ),
                None => (None, None),
            };
            ex[2 * i].push(e);
            ex[2 * i + 1].push(l);
        }
        theme_o.push(th.to_string());
        group_o.push(g.code().to_string());
        sector_o.push(sec.map(|s| s.code().to_string()));
        people_o.push(c.participants);
        accounts_o.push(c.accounts);
        supp_o.push(c.suppressed);
        let mut id = FigureId::new("quotes").part(th).part(g.code());
        if let Some(s) = sec {
            id = id.part(s.code());
        }
        id_o.push(id.into_string());
    }

    let mut columns: Vec<ArrayRef> = vec![
        out::strings(theme_o),
        out::strings(group_o),
        out::opt_strings(sector_o),
        out::opt_counts(people_o),
        out::opt_counts(accounts_o),
        out::flags(supp_o),
    ];
    columns.extend(ex.into_iter().map(out::opt_strings));
    columns.push(out::strings(id_o));
    out::batch(quotes_schema(settings), columns)
}
