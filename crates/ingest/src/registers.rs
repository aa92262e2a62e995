//! Typed registers from parsed CSV: the REDCap data dictionary, the site
//! register, the identifier list and the withdrawals. Each parser reports
//! every problem it finds, not just the first.

use std::collections::HashMap;

use model::dictionary::DICTIONARY_COLUMNS;
use model::{
    Choice, Diagnostic, Dictionary, Field, FieldType, IdentifierEntry, Sector, Site, Validation,
    Withdrawal, WithdrawalScope,
};

use crate::check;
use crate::csv::{CsvTable, Record};

/// The message for a record whose cell count differs from the header's.
pub fn cell_count_message(expected: usize, found: usize) -> String {
    format!("expected {expected} cells as in the header, found {found}")
}

/// Find the `expected` columns by name (any order); every other column and
/// every missing one is an error.
pub fn named_columns(
    table: &CsvTable,
    expected: &[&str],
    errors: &mut Vec<Diagnostic>,
) -> Option<Vec<usize>> {
    let list = expected
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut ok = true;
    for cell in &table.header {
        if !expected.contains(&cell.text.as_str()) {
            errors.push(Diagnostic::error(
                &table.path,
                cell.line,
                cell.column,
                format!(
                    "{}: expected one of the columns {list}, found an unknown column",
                    cell.text
                ),
            ));
            ok = false;
        }
    }
    let mut idx = Vec::with_capacity(expected.len());
    for name in expected {
        match table.column(name) {
            Some(i) => idx.push(i),
            None => {
                errors.push(Diagnostic::error(
                    &table.path,
                    table.header_line(),
                    0,
                    format!("{name}: expected a column with this name, found none"),
                ));
                ok = false;
            }
        }
    }
    ok.then_some(idx)
}

/// Whether the record has as many cells as the header (an error if not).
pub fn full(table: &CsvTable, record: &Record, errors: &mut Vec<Diagnostic>) -> bool {
    if record.len() != table.header.len() {
        errors.push(Diagnostic::error(
            &table.path,
            record.line,
            1,
            cell_count_message(table.header.len(), record.len()),
        ));
        return false;
    }
    true
}

struct At<'a> {
    path: &'a str,
    line: u32,
    cells: Vec<crate::csv::Cell>,
}

impl At<'_> {
    fn text(&self, i: usize) -> &str {
        self.cells.get(i).map(|c| c.text.as_str()).unwrap_or("")
    }
    /// Line and column of cell `i` (the record's start if it has none).
    fn position(&self, i: usize) -> (u32, u32) {
        self.cells
            .get(i)
            .map(|c| (c.line, c.column))
            .unwrap_or((self.line, 1))
    }
    fn err(&self, i: usize, message: String) -> Diagnostic {
        let (line, column) = self.position(i);
        Diagnostic::error(self.path, line, column, message)
    }
}

fn y_flag(at: &At, i: usize, field: &str, column: &str, errors: &mut Vec<Diagnostic>) -> bool {
    match at.text(i) {
        "y" => true,
        "" => false,
        other => {
            errors.push(at.err(
                i,
                format!("{field}: expected `y` or empty in `{column}`, found `{other}`"),
            ));
            false
        }
    }
}

fn parse_choices(at: &At, i: usize, field: &str, errors: &mut Vec<Diagnostic>) -> Vec<Choice> {
    let mut choices: Vec<Choice> = Vec::new();
    let raw = at.text(i);
    if raw.trim().is_empty() {
        return choices;
    }
    for item in raw.split('|') {
        let item = item.trim();
        match item.split_once(',') {
            Some((code, label)) if !code.trim().is_empty() => {
                let code = code.trim().to_string();
                if choices.iter().any(|c| c.code == code) {
                    errors.push(at.err(i, format!("{field}: expected each choice code once, found `{code}` twice")));
                }
                choices.push(Choice { code, label: label.trim().to_string() });
            }
            _ => errors.push(at.err(
                i,
                format!("{field}: expected choices as `code, label | code, label`, found the item `{item}`"),
            )),
        }
    }
    choices
}

/// Parse a REDCap data dictionary (its 18 columns, in REDCap's order).
pub fn parse_dictionary(table: &CsvTable) -> Result<Dictionary, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let path = table.path.as_str();
    for (k, expected) in DICTIONARY_COLUMNS.iter().enumerate() {
        match table.header.get(k) {
            Some(cell) if cell.text == *expected => {}
            Some(cell) => errors.push(Diagnostic::error(
                path,
                cell.line,
                cell.column,
                format!("expected the column `{expected}` (column {} of a REDCap data dictionary), found `{}`", k + 1, cell.text),
            )),
            None => {}
        }
    }
    if table.header.len() != DICTIONARY_COLUMNS.len() {
        errors.push(Diagnostic::error(
            path,
            table.header_line(),
            0,
            format!(
                "expected the {} columns of a REDCap data dictionary, found {}",
                DICTIONARY_COLUMNS.len(),
                table.header.len()
            ),
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut fields: Vec<Field> = Vec::new();
    let mut seen: HashMap<String, u32> = HashMap::new();
    for record in &table.records {
        if !full(table, record, &mut errors) {
            continue;
        }
        let at = At {
            path,
            line: record.line,
            cells: table.cells(record),
        };
        let name = at.text(0).to_string();
        if !check::is_variable_name(&name) {
            errors.push(at.err(
                0,
                format!("Variable / Field Name: expected lowercase letters, digits and underscores, starting with a letter, found `{name}`"),
            ));
        } else if let Some(first) = seen.get(&name) {
            errors.push(at.err(0, format!("Variable / Field Name: expected each name once, found `{name}` again (first at line {first})")));
        } else {
            seen.insert(name.clone(), record.line);
        }
        let field_type = match FieldType::parse(at.text(3)) {
            Some(t) => t,
            None => {
                errors.push(at.err(
                    3,
                    format!(
                        "{name}: expected a field type (text, notes, dropdown, radio, checkbox, yesno, truefalse, calc, slider, descriptive, file, sql), found `{}`",
                        at.text(3)
                    ),
                ));
                FieldType::Text
            }
        };
        let choices = if matches!(
            field_type,
            FieldType::Dropdown | FieldType::Radio | FieldType::Checkbox
        ) {
            let c = parse_choices(&at, 5, &name, &mut errors);
            if c.is_empty() {
                errors.push(at.err(
                    5,
                    format!(
                        "{name}: expected choices for a {} field, found none",
                        at.text(3)
                    ),
                ));
            }
            c
        } else {
            Vec::new()
        };
        let validation = Validation::parse(at.text(7));
        let bound = |i: usize, column: &str, errors: &mut Vec<Diagnostic>| -> Option<String> {
            let v = at.text(i).trim();
            if v.is_empty() {
                return None;
            }
            let ok = match validation {
                Validation::Integer => v.parse::<i64>().is_ok(),
                Validation::Number => v.parse::<f64>().is_ok_and(f64::is_finite),
                Validation::DateDmy | Validation::DateMdy | Validation::DateYmd => {
                    check::is_real_date(v)
                }
                _ => true,
            };
            if !ok {
                errors.push(at.err(
                    i,
                    format!("{name}: expected `{column}` to suit its validation type, found `{v}`"),
                ));
            }
            Some(v.to_string())
        };
        let min = bound(8, "Text Validation Min", &mut errors);
        let max = bound(9, "Text Validation Max", &mut errors);
        let identifier = y_flag(&at, 10, &name, "Identifier?", &mut errors);
        let required = y_flag(&at, 12, &name, "Required Field?", &mut errors);
        let matrix_ranking = y_flag(&at, 16, &name, "Matrix Ranking?", &mut errors);
        fields.push(Field {
            name,
            form: at.text(1).to_string(),
            section_header: at.text(2).to_string(),
            field_type,
            label: at.text(4).to_string(),
            choices,
            note: at.text(6).to_string(),
            validation,
            min,
            max,
            identifier,
            branching: at.text(11).to_string(),
            required,
            alignment: at.text(13).to_string(),
            question_number: at.text(14).to_string(),
            matrix_group: at.text(15).to_string(),
            matrix_ranking,
            annotation: at.text(17).to_string(),
            line: record.line,
            choices_at: at.position(5),
        });
    }
    if fields.is_empty() && errors.is_empty() {
        errors.push(Diagnostic::error(
            path,
            table.header_line(),
            0,
            "expected at least one field below the header, found none",
        ));
    }
    if errors.is_empty() {
        Ok(Dictionary {
            path: path.to_string(),
            fields,
        })
    } else {
        Err(errors)
    }
}

/// The columns of `sites.csv` (LAYOUT.md).
pub const SITES_COLUMNS: [&str; 9] = [
    "site_id",
    "site_name",
    "label",
    "sector",
    "partnership",
    "bme_focus",
    "region",
    "wave",
    "model",
];

fn yes_no(at: &At, i: usize, column: &str, errors: &mut Vec<Diagnostic>) -> bool {
    match at.text(i) {
        "yes" => true,
        "no" => false,
        other => {
            errors.push(at.err(
                i,
                format!("{column}: expected `yes` or `no`, found `{other}`"),
            ));
            false
        }
    }
}

/// Parse the site register. The site name is identifying and never quoted.
pub fn parse_sites(table: &CsvTable) -> Result<Vec<Site>, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let Some(c) = named_columns(table, &SITES_COLUMNS, &mut errors) else {
        return Err(errors);
    };
    let mut sites = Vec::new();
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut labels: HashMap<String, u32> = HashMap::new();
    for record in &table.records {
        if !full(table, record, &mut errors) {
            continue;
        }
        let at = At {
            path: &table.path,
            line: record.line,
            cells: table.cells(record),
        };
        let site_id = at.text(c[0]).to_string();
        if !check::is_site_id(&site_id) {
            errors.push(at.err(
                c[0],
                format!("site_id: expected `S` and digits (`S01`), found `{site_id}`"),
            ));
        } else if let Some(first) = ids.get(&site_id) {
            errors.push(at.err(c[0], format!("site_id: expected each site once, found `{site_id}` again (first at line {first})")));
        } else {
            ids.insert(site_id.clone(), record.line);
        }
        if at.text(c[1]).trim().is_empty() {
            errors.push(at.err(
                c[1],
                "site_name: expected the name of the service, found an empty cell".to_string(),
            ));
        }
        let label = at.text(c[2]).to_string();
        if label.trim().is_empty() {
            errors.push(
                at.err(
                    c[2],
                    "label: expected the label used in outputs (`Site A`), found an empty cell"
                        .to_string(),
                ),
            );
        } else if let Some(first) = labels.get(&label) {
            errors.push(at.err(
                c[2],
                format!(
                    "label: expected each label once, found `{label}` again (first at line {first})"
                ),
            ));
        } else {
            labels.insert(label.clone(), record.line);
        }
        let sector = Sector::from_code(at.text(c[3]));
        if sector.is_none() {
            errors.push(at.err(
                c[3],
                format!(
                    "sector: expected `statutory` or `voluntary`, found `{}`",
                    at.text(c[3])
                ),
            ));
        }
        let partnership = yes_no(&at, c[4], "partnership", &mut errors);
        let bme_focus = yes_no(&at, c[5], "bme_focus", &mut errors);
        let region = at.text(c[6]).to_string();
        if region.trim().is_empty() {
            errors.push(
                at.err(
                    c[6],
                    "region: expected a region (`London`, `North`, `South`), found an empty cell"
                        .to_string(),
                ),
            );
        }
        let wave = match at.text(c[7]).parse::<u8>() {
            Ok(w) if w >= 1 => w,
            _ => {
                errors.push(at.err(c[7], format!("wave: expected a wave number from 1 to 255 (1, 2 or 3 in the protocol), found `{}`", at.text(c[7]))));
                0
            }
        };
        if let Some(sector) = sector {
            sites.push(Site {
                site_id,
                site_name: at.text(c[1]).to_string(),
                label,
                sector,
                partnership,
                bme_focus,
                region,
                wave,
                model: at.text(c[8]).to_string(),
            });
        }
    }
    if errors.is_empty() {
        Ok(sites)
    } else {
        Err(errors)
    }
}

/// The columns of `identifiers.csv`.
pub const IDENTIFIERS_COLUMNS: [&str; 3] = ["kind", "text", "replacement"];
/// The kinds of identifier `identifiers.csv` may list.
pub const IDENTIFIER_KINDS: [&str; 6] = ["person", "site", "organisation", "place", "ward", "team"];

/// Parse the identifier list. The identifying `text` is never quoted.
pub fn parse_identifiers(table: &CsvTable) -> Result<Vec<IdentifierEntry>, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let Some(c) = named_columns(table, &IDENTIFIERS_COLUMNS, &mut errors) else {
        return Err(errors);
    };
    let mut out = Vec::new();
    for record in &table.records {
        if !full(table, record, &mut errors) {
            continue;
        }
        let at = At {
            path: &table.path,
            line: record.line,
            cells: table.cells(record),
        };
        let kind = at.text(c[0]);
        if !IDENTIFIER_KINDS.contains(&kind) {
            errors.push(at.err(
                c[0],
                format!("kind: expected one of person, site, organisation, place, ward, team, found `{kind}`"),
            ));
        }
        if at.text(c[1]).trim().is_empty() {
            errors.push(at.err(
                c[1],
                "text: expected the words to find and replace, found an empty cell".to_string(),
            ));
        }
        if at.text(c[2]).trim().is_empty() {
            errors.push(at.err(c[2], "replacement: expected what the reader sees instead (`[town]`), found an empty cell".to_string()));
        }
        out.push(IdentifierEntry {
            kind: kind.to_string(),
            text: at.text(c[1]).to_string(),
            replacement: at.text(c[2]).to_string(),
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The columns of `withdrawals.csv`.
pub const WITHDRAWALS_COLUMNS: [&str; 3] = ["record_id", "withdrawn_on", "scope"];

/// Parse the withdrawals; a file with only the header is an empty list.
pub fn parse_withdrawals(table: &CsvTable) -> Result<Vec<Withdrawal>, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let Some(c) = named_columns(table, &WITHDRAWALS_COLUMNS, &mut errors) else {
        return Err(errors);
    };
    let mut out = Vec::new();
    let mut seen: HashMap<String, u32> = HashMap::new();
    for record in &table.records {
        if !full(table, record, &mut errors) {
            continue;
        }
        let at = At {
            path: &table.path,
            line: record.line,
            cells: table.cells(record),
        };
        let record_id = at.text(c[0]).to_string();
        if check::interview_site(&record_id).is_none() {
            errors.push(at.err(
                c[0],
                format!("record_id: expected a participant code: site code, hyphen, digits (`S03-07`), found `{record_id}`"),
            ));
        } else if let Some(first) = seen.get(&record_id) {
            errors.push(at.err(c[0], format!("record_id: expected each participant once, found `{record_id}` again (first at line {first})")));
        } else {
            seen.insert(record_id.clone(), record.line);
        }
        let withdrawn_on = at.text(c[1]).to_string();
        if !check::is_real_date(&withdrawn_on) {
            errors.push(at.err(
                c[1],
                format!("withdrawn_on: expected a real date as YYYY-MM-DD, found `{withdrawn_on}`"),
            ));
        }
        let scope = match at.text(c[2]) {
            "all" => WithdrawalScope::All,
            "quotes" => WithdrawalScope::Quotes,
            other => {
                errors.push(at.err(
                    c[2],
                    format!("scope: expected `all` or `quotes`, found `{other}`"),
                ));
                WithdrawalScope::All
            }
        };
        out.push(Withdrawal {
            record_id,
            withdrawn_on,
            scope,
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}
