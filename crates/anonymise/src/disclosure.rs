//! Disclosure control: demographic counts with small-cell suppression.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use arrow_array::{Array, BooleanArray, Int8Array, RecordBatch, StringArray, UInt32Array};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};
use model::labels::NOT_RECORDED;
use model::{Disclosure, FigureId, Group, Labels, Sector};

/// A `yesno` field: REDCap's own labels, whatever the study.
const LIVED: &str = "lived_experience";
const LIVED_CATEGORIES: [&str; 2] = ["Yes", "No"];
/// Stakeholder group. Every participant has one (a required field), so it
/// has no `Not recorded` category: a structural zero would only force a
/// real group's count to be suppressed.
const GROUP: &str = "group";
/// A checkbox choice: ticked or not. REDCap exports 0 or 1 for every
/// choice of every record, so there is nothing `Not recorded`.
const TICKED_CATEGORIES: [&str; 2] = ["Yes", "No"];

/// Each characteristic's categories, as the study words them: the coded
/// fields' choices then `Not recorded`, lived experience, the stakeholder
/// groups, then each checkbox choice's yes and no.
fn categories(labels: &Labels) -> Vec<Vec<&str>> {
    let mut out: Vec<Vec<&str>> = labels
        .characteristics()
        .iter()
        .map(|c| {
            c.choices
                .iter()
                .map(|(_, label)| label.as_str())
                .chain([NOT_RECORDED])
                .collect()
        })
        .collect();
    out.push(LIVED_CATEGORIES.into_iter().chain([NOT_RECORDED]).collect());
    out.push(Group::ALL.iter().map(|g| labels.group(*g)).collect());
    for field in labels.checkboxes() {
        out.extend(field.choices.iter().map(|_| TICKED_CATEGORIES.to_vec()));
    }
    out
}

/// Which checkbox choices each participant ticked, by pseudonym: indices
/// into the study's checkbox choices ([`Labels::checkboxes`] flattened).
/// Fails closed on a choice the dictionary does not have.
fn ticked<'a>(
    checkboxes: &'a RecordBatch,
    labels: &Labels,
) -> Result<HashMap<&'a str, BTreeSet<usize>>, ArrowError> {
    let choices: HashMap<(&str, &str), usize> = labels
        .checkboxes()
        .iter()
        .flat_map(|f| {
            f.choices
                .iter()
                .map(move |c| (f.field.as_str(), c.code.as_str()))
        })
        .enumerate()
        .map(|(k, key)| (key, k))
        .collect();
    let text = |name: &str| {
        model::column::text(checkboxes, name)
            .ok_or_else(|| ArrowError::SchemaError(format!("checkboxes: no text column `{name}`")))
    };
    let (participant, field, choice) = (
        text(model::schema::PARTICIPANT)?,
        text("field")?,
        text("choice")?,
    );
    let mut out: HashMap<&str, BTreeSet<usize>> = HashMap::new();
    for row in 0..checkboxes.num_rows() {
        let (Some(p), Some(f), Some(c)) = (participant.get(row), field.get(row), choice.get(row))
        else {
            return Err(invalid(format!("checkboxes row {row}: an empty cell")));
        };
        let k = choices.get(&(f, c)).ok_or_else(|| {
            invalid(format!(
                "checkboxes row {row}: `{f}` choice `{c}` is not a checkbox choice of the dictionary"
            ))
        })?;
        out.entry(p).or_default().insert(*k);
    }
    Ok(out)
}

fn invalid(msg: String) -> ArrowError {
    ArrowError::InvalidArgumentError(msg)
}

fn column<'a, A: Array + 'static>(batch: &'a RecordBatch, name: &str) -> Result<&'a A, ArrowError> {
    batch
        .column_by_name(name)
        .and_then(|c| c.as_any().downcast_ref::<A>())
        .ok_or_else(|| {
            ArrowError::SchemaError(format!(
                "participants: no column `{name}` of the expected type"
            ))
        })
}

fn text_column<'a>(
    batch: &'a RecordBatch,
    name: &str,
) -> Result<model::column::Text<'a>, ArrowError> {
    model::column::text(batch, name)
        .ok_or_else(|| ArrowError::SchemaError(format!("participants: no text column `{name}`")))
}

/// Schema of [`demographics`].
pub fn demographics_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("scope", DataType::Utf8, false),
        Field::new("sector", DataType::Utf8, true),
        Field::new("site", DataType::Utf8, true),
        Field::new("characteristic", DataType::Utf8, false),
        Field::new("category", DataType::Utf8, false),
        Field::new("n", DataType::UInt32, true),
        Field::new("suppressed", DataType::Boolean, false),
        Field::new("figure_id", DataType::Utf8, false),
    ]))
}

struct Cell {
    scope: &'static str,
    sector: Option<String>,
    site: Option<String>,
    characteristic: usize,
    category: usize,
    n: u32,
    suppressed: bool,
}

/// Suppresses the smallest published cell of `members` (first in order on
/// ties). Returns whether one was found.
fn suppress_smallest(cells: &mut [Cell], members: &[usize]) -> bool {
    let pick = members
        .iter()
        .copied()
        .filter(|&i| !cells[i].suppressed)
        .min_by_key(|&i| (cells[i].n, i));
    if let Some(i) = pick {
        cells[i].suppressed = true;
    }
    pick.is_some()
}

/// A group of cells whose sum is known: a characteristic's categories within
/// one scope (the scope's size is public), or the children of a published
/// parent cell. It is safe when no suppressed member is alone and the
/// suppressed members together hold at least `min_cell` people.
fn protect(cells: &mut [Cell], members: &[usize], min_cell: u32) -> bool {
    let hidden: Vec<usize> = members
        .iter()
        .copied()
        .filter(|&i| cells[i].suppressed)
        .collect();
    let sum: u32 = hidden.iter().map(|&i| cells[i].n).sum();
    if hidden.is_empty() || (hidden.len() >= 2 && sum >= min_cell) {
        return false;
    }
    suppress_smallest(cells, members)
}

/// Demographic counts per characteristic (`age_band`, `gender`,
/// `ethnicity`, `lived_experience`, `group`, then each choice of each
/// checkbox field by its export column, `<field>___<code>`) and category
/// (the study's words from `labels`: every choice its dictionary defines,
/// with `Not recorded` for missing; `Yes` and `No` for a checkbox choice,
/// ticked or not, from `checkboxes`) at the levels of
/// `disclosure.demographics` (`study`, `sector`, `site`). A participant may
/// tick several choices of one checkbox field: each choice is a
/// characteristic of its own, whose yes and no add up to the scope's size.
///
/// Primary suppression: every cell below `min_cell` (zero included) is
/// published as null with `suppressed = true`. Secondary suppression, to a
/// fixed point: within each scope and characteristic (whose total is
/// public), and between a published parent cell and its children (study =
/// sectors = sites, sector = its sites), no suppressed cell is alone and
/// the suppressed cells hold at least `min_cell` people together, so no
/// suppressed count can be recovered by subtraction.
pub fn demographics(
    participants: &RecordBatch,
    checkboxes: &RecordBatch,
    disclosure: &Disclosure,
    labels: &Labels,
) -> Result<RecordBatch, ArrowError> {
    for level in &disclosure.demographics {
        if !matches!(level.as_str(), "study" | "sector" | "site") {
            return Err(invalid(format!(
                "demographics level `{level}`: expected study, sector or site"
            )));
        }
    }
    let want = |l: &str| disclosure.demographics.iter().any(|x| x == l);
    let min_cell = disclosure.min_cell.max(1);

    let site = text_column(participants, model::schema::SITE)?;
    let sector = text_column(participants, model::schema::SECTOR)?;
    let coded = labels.characteristics();
    let codes: Vec<&Int8Array> = coded
        .iter()
        .map(|c| column::<Int8Array>(participants, &c.field))
        .collect::<Result<_, _>>()?;
    let lived = column::<BooleanArray>(participants, LIVED)?;
    let group = text_column(participants, model::schema::GROUP)?;
    let participant = text_column(participants, model::schema::PARTICIPANT)?;
    let categories = categories(labels);
    let mut ticked = ticked(checkboxes, labels)?;
    let checkbox_choices = labels
        .checkboxes()
        .iter()
        .map(|f| f.choices.len())
        .sum::<usize>();

    // Each participant: (sector, site, category index per characteristic).
    let mut people: Vec<(String, String, Vec<usize>)> = Vec::with_capacity(participants.num_rows());
    let mut site_sector: BTreeMap<String, String> = BTreeMap::new();
    for row in 0..participants.num_rows() {
        if site.is_null(row) || sector.is_null(row) {
            return Err(invalid(format!(
                "participants row {row}: site or sector is empty"
            )));
        }
        let (st, sc) = (site.value(row).to_string(), sector.value(row).to_string());
        if Sector::from_code(&sc).is_none() {
            return Err(invalid(format!(
                "participants row {row}: unknown sector `{sc}`"
            )));
        }
        if site_sector
            .insert(st.clone(), sc.clone())
            .is_some_and(|prev| prev != sc)
        {
            return Err(invalid(format!(
                "participants row {row}: site `{st}` is in two sectors"
            )));
        }
        let mut cats = Vec::with_capacity(categories.len());
        for (c, characteristic) in coded.iter().enumerate() {
            let a = codes[c];
            let choices = &characteristic.choices;
            let idx = if a.is_null(row) {
                choices.len()
            } else {
                let v = a.value(row);
                choices.iter().position(|ch| ch.0 == v).ok_or_else(|| {
                    invalid(format!(
                        "participants row {row}: `{}` code {v} is not a choice of the dictionary",
                        characteristic.field
                    ))
                })?
            };
            cats.push(idx);
        }
        cats.push(if lived.is_null(row) {
            2
        } else if lived.value(row) {
            0
        } else {
            1
        });
        let code = if group.is_null(row) {
            ""
        } else {
            group.value(row)
        };
        let g = Group::ALL
            .iter()
            .position(|g| g.code() == code)
            .ok_or_else(|| {
                invalid(format!(
                    "participants row {row}: unknown stakeholder group `{code}`"
                ))
            })?;
        cats.push(g);
        let own = participant.get(row).and_then(|p| ticked.remove(p));
        cats.extend((0..checkbox_choices).map(|k| {
            if own.as_ref().is_some_and(|t| t.contains(&k)) {
                0
            } else {
                1
            }
        }));
        people.push((sc, st, cats));
    }
    if let Some(p) = ticked.keys().next() {
        return Err(invalid(format!(
            "checkboxes: participant `{p}` has no row in the participants table"
        )));
    }

    // Scopes, in output order.
    let mut scopes: Vec<(&'static str, Option<String>, Option<String>)> = Vec::new();
    if want("study") {
        scopes.push(("study", None, None));
    }
    let sectors: Vec<String> = {
        let mut s: Vec<String> = site_sector.values().cloned().collect();
        s.sort();
        s.dedup();
        s
    };
    if want("sector") {
        scopes.extend(sectors.iter().map(|s| ("sector", Some(s.clone()), None)));
    }
    if want("site") {
        scopes.extend(
            site_sector
                .iter()
                .map(|(st, sc)| ("site", Some(sc.clone()), Some(st.clone()))),
        );
    }

    let mut cells: Vec<Cell> = Vec::new();
    // (scope index, characteristic, category) -> cell index
    let mut at: BTreeMap<(usize, usize, usize), usize> = BTreeMap::new();
    for (si, (scope, sc, st)) in scopes.iter().enumerate() {
        for (ch, names) in categories.iter().enumerate() {
            for cat in 0..names.len() {
                let n = people
                    .iter()
                    .filter(|p| match *scope {
                        "sector" => Some(&p.0) == sc.as_ref(),
                        "site" => Some(&p.1) == st.as_ref(),
                        _ => true,
                    })
                    .filter(|p| p.2[ch] == cat)
                    .count();
                let n = u32::try_from(n).map_err(|_| invalid("too many participants".into()))?;
                at.insert((si, ch, cat), cells.len());
                cells.push(Cell {
                    scope,
                    sector: sc.clone(),
                    site: st.clone(),
                    characteristic: ch,
                    category: cat,
                    n,
                    suppressed: n < min_cell,
                });
            }
        }
    }

    // Groups whose sum is known: (parent cell or None for a public total, members).
    let mut groups: Vec<(Option<usize>, Vec<usize>)> = Vec::new();
    for si in 0..scopes.len() {
        for (ch, names) in categories.iter().enumerate() {
            let members = (0..names.len())
                .filter_map(|cat| at.get(&(si, ch, cat)).copied())
                .collect();
            groups.push((None, members));
        }
    }
    let index_of = |scope: &str, key: Option<&String>| {
        scopes.iter().position(|(s, sc, st)| {
            *s == scope
                && (scope == "study"
                    || (if scope == "site" {
                        st.as_ref()
                    } else {
                        sc.as_ref()
                    }) == key)
        })
    };
    let mut links: Vec<(usize, Vec<usize>)> = Vec::new(); // (parent scope, child scopes)
    if let Some(study) = index_of("study", None) {
        let secs: Vec<usize> = sectors
            .iter()
            .filter_map(|s| index_of("sector", Some(s)))
            .collect();
        if !secs.is_empty() {
            links.push((study, secs));
        }
        let sites: Vec<usize> = site_sector
            .keys()
            .filter_map(|s| index_of("site", Some(s)))
            .collect();
        if !sites.is_empty() {
            links.push((study, sites));
        }
    }
    for sec in &sectors {
        if let Some(parent) = index_of("sector", Some(sec)) {
            let sites: Vec<usize> = site_sector
                .iter()
                .filter(|(_, sc)| *sc == sec)
                .filter_map(|(st, _)| index_of("site", Some(st)))
                .collect();
            if !sites.is_empty() {
                links.push((parent, sites));
            }
        }
    }
    for (parent, children) in &links {
        for (ch, names) in categories.iter().enumerate() {
            for cat in 0..names.len() {
                let Some(&p) = at.get(&(*parent, ch, cat)) else {
                    continue;
                };
                let members = children
                    .iter()
                    .filter_map(|c| at.get(&(*c, ch, cat)).copied())
                    .collect();
                groups.push((Some(p), members));
            }
        }
    }

    loop {
        let mut changed = false;
        for (parent, members) in &groups {
            match parent {
                Some(p) if cells[*p].suppressed => {
                    // parent = sum(children): all children published reveals the parent.
                    if members.iter().all(|&i| !cells[i].suppressed) {
                        changed |= suppress_smallest(&mut cells, members);
                    }
                }
                _ => changed |= protect(&mut cells, members, min_cell),
            }
        }
        if !changed {
            break;
        }
    }

    let names: Vec<&str> = coded
        .iter()
        .map(|c| c.field.as_str())
        .chain([LIVED, GROUP])
        .chain(
            labels
                .checkboxes()
                .iter()
                .flat_map(|f| f.choices.iter().map(|c| c.column.as_str())),
        )
        .collect();
    let figure = |c: &Cell| {
        let mut id = FigureId::new("demographics").part(c.scope);
        match c.scope {
            "sector" => id = id.part(c.sector.as_deref().unwrap_or_default()),
            "site" => id = id.part(c.site.as_deref().unwrap_or_default()),
            _ => {}
        }
        id.part(names[c.characteristic])
            .part(categories[c.characteristic][c.category])
            .into_string()
    };
    let columns: Vec<Arc<dyn Array>> = vec![
        Arc::new(cells.iter().map(|c| Some(c.scope)).collect::<StringArray>()),
        Arc::new(
            cells
                .iter()
                .map(|c| c.sector.as_deref())
                .collect::<StringArray>(),
        ),
        Arc::new(
            cells
                .iter()
                .map(|c| c.site.as_deref())
                .collect::<StringArray>(),
        ),
        Arc::new(
            cells
                .iter()
                .map(|c| Some(names[c.characteristic]))
                .collect::<StringArray>(),
        ),
        Arc::new(
            cells
                .iter()
                .map(|c| Some(categories[c.characteristic][c.category]))
                .collect::<StringArray>(),
        ),
        Arc::new(
            cells
                .iter()
                .map(|c| (!c.suppressed).then_some(c.n))
                .collect::<UInt32Array>(),
        ),
        Arc::new(
            cells
                .iter()
                .map(|c| Some(c.suppressed))
                .collect::<BooleanArray>(),
        ),
        Arc::new(
            cells
                .iter()
                .map(|c| Some(figure(c)))
                .collect::<StringArray>(),
        ),
    ];
    RecordBatch::try_new(demographics_schema(), columns)
}
