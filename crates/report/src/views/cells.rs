//! Reading a row's cells and wording them for a reader: fixed decimals,
//! whole numbers, codes in words, an en dash for an empty cell. Every
//! document's view reads its tables through these, so a number or a code
//! reads the same wherever it is shown.

use crate::table::{AsRow, Row};

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

/// A row's exemplar quotes (`exemplar_1`, `exemplar_2`, ... as far as its
/// table has such columns), each that is not blank, with its number.
pub(crate) fn exemplars<'a>(row: impl AsRow<'a>) -> impl Iterator<Item = (usize, &'a str)> {
    let row = row.row();
    (1..)
        .map(|i| (i, format!("exemplar_{i}")))
        .take_while(move |(_, key)| row.has(key))
        .filter_map(move |(i, key)| Some((i, row.text(&key).filter(|q| !q.trim().is_empty())?)))
}

/// The figure id of a result table's row.
pub(crate) fn figure<'a>(row: impl AsRow<'a>) -> Option<&'a str> {
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

/// A p-value to four decimals; below 0.0001, "< 0.0001" (never a
/// p of "0.0000").
pub(crate) fn p_value(p: Option<f64>) -> String {
    match p {
        Some(p) if p.is_finite() && p < 0.0001 => "< 0.0001".to_string(),
        _ => fixed(p, 4),
    }
}

pub(crate) fn whole(v: Option<u64>) -> String {
    v.map(|n| n.to_string()).unwrap_or_else(|| "–".into())
}

/// A cell is shown only when the table publishes it and it is about at
/// least `min_cell` people (a second line of defence after the tables' own
/// suppression).
pub(crate) fn publishable<'a>(row: impl AsRow<'a>, n_column: &str, min_cell: u32) -> bool {
    let row = row.row();
    !flag(row, "suppressed") && count(row, n_column).is_some_and(|n| n >= u64::from(min_cell))
}

/// Whether a row is about one of these factors (code, label).
pub(crate) fn in_factors(r: &Row<'_>, factors: &[(String, String)]) -> bool {
    factors
        .iter()
        .any(|(code, _)| text(r, "factor") == Some(code))
}

pub(crate) fn condition_words(code: &str) -> String {
    let c = charts::Condition::parse(code);
    if c == charts::Condition::Unknown && !matches!(code, "unknown" | "dont_know") {
        return code.replace('_', " ");
    }
    format!("{} {}", c.symbol(), c.label().to_lowercase())
}

pub(crate) fn words(code: &str) -> String {
    code.replace('_', " ")
}

pub(crate) fn yes_no(v: bool) -> String {
    if v { "yes" } else { "no" }.to_string()
}

/// What the site register says of a site, as the synthesis report's list
/// of sites and a site pack show it: sector, partnership, BME focus,
/// region, wave.
pub(crate) fn register_cells(r: Row<'_>) -> Vec<String> {
    vec![
        text(r, "sector").unwrap_or("").into(),
        yes_no(flag(r, "partnership")),
        yes_no(flag(r, "bme_focus")),
        text(r, "region").unwrap_or("").into(),
        r.shown("wave"),
    ]
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
