//! `qual_matrix`: Averill's (2002) matrix analysis of the free-text
//! accounts: one row per site x stakeholder group x theme, with how many
//! accounts fall in the cell and a few exemplar accounts to read across
//! sites and groups.
//!
//! Exemplars are chosen without randomness: the cell's accounts are ordered
//! by `row_hash` (then source file, line and text), and the first account of
//! each participant in that order is taken until `exemplars` are chosen,
//! then, if too few participants spoke, the next accounts in the same order.
//! Text is copied verbatim from the (already redacted) `accounts` table.

use std::collections::{BTreeMap, BTreeSet};

use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, SchemaRef};
use model::{FigureId, Group, Sector};

use crate::input::{KeyOrder, Table};
use crate::out;
use crate::settings::{Settings, invalid};

/// Themes other than factor codes, in output order after the factors.
pub(crate) const BME: &str = "bme";
const OTHER_THEMES: [&str; 2] = ["role", "other"];

/// The schema of `qual_matrix`: it has `settings.exemplars` pairs of
/// `exemplar_<i>`, `label_<i>` columns.
pub fn qual_matrix_schema(settings: &Settings) -> SchemaRef {
    let mut f = vec![out::utf8("site"), out::utf8("group"), out::utf8("theme")];
    f.extend(out::accounts_tail(settings.exemplars));
    out::schema(f)
}

/// A published quote's label, from only the attributes in
/// `settings.quote_label`, always in the order group, site, sector:
/// `["group", "sector"]` gives "Peer worker, statutory sector", the group
/// as the study names one of its members (`settings.labels`). With no
/// attribute allowed the label is "Participant".
pub fn quote_label(settings: &Settings, group: Group, site: &str, sector: Sector) -> String {
    let allowed = |a: &str| settings.quote_label.iter().any(|x| x == a);
    let mut parts: Vec<String> = Vec::new();
    if allowed("group") {
        parts.push(settings.labels.member(group).to_string());
    }
    if allowed("site") {
        parts.push(site.to_string());
    }
    if allowed("sector") {
        parts.push(format!("{} sector", sector.code()));
    }
    let label = parts.join(", ");
    let mut chars = label.chars();
    match chars.next() {
        None => "Participant".to_string(),
        Some(first) => first.to_uppercase().chain(chars).collect(),
    }
}

/// One account as the analyses of this module and [`crate::quotes`] read it.
pub(crate) struct Account<'a> {
    pub participant: &'a str,
    pub site: &'a str,
    pub group: Group,
    pub theme: &'a str,
    pub sector: Sector,
    pub text: &'a str,
    /// (row_hash, source file, source line): the deterministic order.
    pub order: (&'a str, &'a str, u32),
}

/// The accounts of the input that these analyses read (factor themes and
/// `bme`; `role` and `other` only when `settings.qual_other_themes`), checked,
/// and the theme order: factors in settings order, then bme, role, other.
pub(crate) fn read_accounts<'a>(
    accounts: &'a RecordBatch,
    settings: &Settings,
) -> Result<(Vec<Account<'a>>, BTreeMap<String, usize>), ArrowError> {
    settings.check()?;
    let t = Table::new("accounts", accounts);
    let participant = t.utf8("participant")?;
    let (site, sector, group) = (t.utf8("site")?, t.utf8("sector")?, t.utf8("group")?);
    let (theme, text) = (t.utf8("theme")?, t.utf8("text")?);
    let (hash, file) = (
        t.utf8(model::schema::ROW_HASH)?,
        t.utf8(model::schema::SOURCE_FILE)?,
    );
    let line = line_numbers(&t)?;

    let mut factors = KeyOrder::new(&settings.factors);
    let mut out = Vec::with_capacity(t.rows());
    for i in 0..t.rows() {
        let th = theme.get(i)?;
        if OTHER_THEMES.contains(&th) && !settings.qual_other_themes {
            continue;
        }
        if th != BME && !OTHER_THEMES.contains(&th) {
            factors.see("theme", th, &t, i)?;
        }
        let g = group.get(i)?;
        let g = Group::from_code(g).ok_or_else(|| {
            invalid(format!(
                "table `accounts`, column `group`, {}: unknown group `{g}`",
                t.locate(i)
            ))
        })?;
        let sec = sector.get(i)?;
        let sec = Sector::from_code(sec).ok_or_else(|| {
            invalid(format!(
                "table `accounts`, column `sector`, {}: unknown sector `{sec}`",
                t.locate(i)
            ))
        })?;
        out.push(Account {
            participant: participant.get(i)?,
            site: site.get(i)?,
            group: g,
            theme: th,
            sector: sec,
            text: text.get(i)?,
            order: (
                hash.get(i)?,
                file.get(i)?,
                line.get(i).copied().flatten().unwrap_or(0),
            ),
        });
    }
    // Theme rank: factors, then bme, role, other.
    let mut rank: BTreeMap<String, usize> = BTreeMap::new();
    let factors = factors.finish();
    for (r, th) in factors
        .iter()
        .map(String::as_str)
        .chain([BME])
        .chain(OTHER_THEMES)
        .enumerate()
    {
        rank.entry(th.to_string()).or_insert(r);
    }
    Ok((out, rank))
}

/// What one cell publishes: counts (None when suppressed) and exemplars.
pub(crate) struct Cell<'r, 'a> {
    pub participants: Option<u32>,
    pub accounts: Option<u32>,
    pub suppressed: bool,
    pub chosen: Vec<&'r Account<'a>>,
}

/// Sort a cell's accounts into the deterministic order, count, suppress
/// below `settings.min_cell` participants, and choose up to `k` exemplars
/// (in a suppressed cell only when `exemplars_in_suppressed`).
pub(crate) fn cell<'r, 'a>(
    rows: &'r mut [Account<'a>],
    settings: &Settings,
    k: usize,
    exemplars_in_suppressed: bool,
) -> Cell<'r, 'a> {
    rows.sort_by(|a, b| (a.order, a.text).cmp(&(b.order, b.text)));
    let people = rows
        .iter()
        .map(|a| a.participant)
        .collect::<BTreeSet<_>>()
        .len() as u32;
    let suppressed = people < settings.min_cell;
    let n = rows.len() as u32;
    let chosen = if suppressed && !exemplars_in_suppressed {
        Vec::new()
    } else {
        choose(rows, k)
    };
    Cell {
        participants: (!suppressed).then_some(people),
        accounts: (!suppressed).then_some(n),
        suppressed,
        chosen,
    }
}

/// One row per site x group x theme that has at least one account, sorted
/// by site label, group (peer_worker, professional, service_user,
/// team_manager, senior_manager), then theme (factors in settings order,
/// then `bme`, then `role`, `other` when `settings.qual_other_themes`).
///
/// - `participants`, `accounts`: distinct participants and accounts in the
///   cell; both null and `suppressed` true when participants < `min_cell`.
///   A suppressed cell's exemplars are null too, unless
///   `settings.exemplars_in_suppressed`.
/// - `exemplar_<i>`, `label_<i>`: see the module docs and [`quote_label`].
/// - `figure_id`: `qual/<site>/<group>/<theme>`.
pub fn qual_matrix(accounts: &RecordBatch, settings: &Settings) -> Result<RecordBatch, ArrowError> {
    let (rows, rank) = read_accounts(accounts, settings)?;
    let mut cells: BTreeMap<(&str, Group, &str), Vec<Account<'_>>> = BTreeMap::new();
    for a in rows {
        cells.entry((a.site, a.group, a.theme)).or_default().push(a);
    }
    let mut keys: Vec<(&str, Group, &str)> = cells.keys().copied().collect();
    keys.sort_by_key(|(s, g, th)| (*s, *g, rank.get(*th).copied().unwrap_or(usize::MAX), *th));

    let k = settings.exemplars;
    let (mut site_o, mut group_o, mut theme_o, mut id_o) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut people_o, mut accounts_o, mut supp_o) = (Vec::new(), Vec::new(), Vec::new());
    let mut ex: Vec<Vec<Option<String>>> = vec![Vec::new(); 2 * k];
    for key in keys {
        let Some(rows) = cells.get_mut(&key) else {
            continue;
        };
        let (s, g, th) = key;
        let c = cell(rows, settings, k, settings.exemplars_in_suppressed);
        for i in 0..k {
            let (e, l) = match c.chosen.get(i) {
                Some(a) => (
                    Some(a.text.to_string()),
                    Some(quote_label(settings, g, s, a.sector)),
                ),
                None => (None, None),
            };
            ex[2 * i].push(e);
            ex[2 * i + 1].push(l);
        }
        site_o.push(s.to_string());
        group_o.push(g.code().to_string());
        theme_o.push(th.to_string());
        people_o.push(c.participants);
        accounts_o.push(c.accounts);
        supp_o.push(c.suppressed);
        id_o.push(
            FigureId::new("qual")
                .part(s)
                .part(g.code())
                .part(th)
                .into_string(),
        );
    }

    let mut columns: Vec<ArrayRef> = vec![
        out::strings(site_o),
        out::strings(group_o),
        out::strings(theme_o),
        out::opt_counts(people_o),
        out::opt_counts(accounts_o),
        out::flags(supp_o),
    ];
    columns.extend(ex.into_iter().map(out::opt_strings));
    columns.push(out::strings(id_o));
    out::batch(qual_matrix_schema(settings), columns)
}

/// Up to `k` accounts of a sorted cell: [`choose_exemplars`].
fn choose<'r, 'a>(rows: &'r [Account<'a>], k: usize) -> Vec<&'r Account<'a>> {
    choose_exemplars(rows, k, |a| a.participant, |a| a.text)
}

/// Up to `k` of `rows` (already in the order that decides): one per
/// participant first, in order, then the remaining rows in order. Blank
/// text (a participant withdrawn from quotes) is never chosen. The rule of
/// every table that publishes exemplars.
pub fn choose_exemplars<T>(
    rows: &[T],
    k: usize,
    participant: impl Fn(&T) -> &str,
    text: impl Fn(&T) -> &str,
) -> Vec<&T> {
    let candidates: Vec<(usize, &T)> = rows
        .iter()
        .enumerate()
        .filter(|(_, a)| !text(a).trim().is_empty())
        .collect();
    let mut taken: BTreeSet<usize> = BTreeSet::new();
    let mut speakers: BTreeSet<&str> = BTreeSet::new();
    let mut chosen = Vec::new();
    for (i, a) in &candidates {
        if chosen.len() == k {
            break;
        }
        if speakers.insert(participant(a)) {
            taken.insert(*i);
            chosen.push(*a);
        }
    }
    for (i, a) in &candidates {
        if chosen.len() == k {
            break;
        }
        if !taken.contains(i) {
            chosen.push(*a);
        }
    }
    chosen
}

fn line_numbers(t: &Table<'_>) -> Result<Vec<Option<u32>>, ArrowError> {
    use arrow_array::cast::AsArray;
    use arrow_array::types::UInt32Type;
    let col = t
        .batch
        .column_by_name(model::schema::SOURCE_LINE)
        .ok_or_else(|| {
            ArrowError::SchemaError(format!(
                "table `{}`: expected a column `{}`, found none",
                t.name,
                model::schema::SOURCE_LINE
            ))
        })?;
    let arr = col.as_primitive_opt::<UInt32Type>().ok_or_else(|| {
        ArrowError::SchemaError(format!(
            "table `{}`, column `{}`: expected UInt32, found {}",
            t.name,
            model::schema::SOURCE_LINE,
            col.data_type()
        ))
    })?;
    Ok(arr.iter().collect())
}
