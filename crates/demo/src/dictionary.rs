//! Just enough of a REDCap data dictionary to lay out an export: each
//! field's name and form, in dictionary order. The dictionaries are
//! embedded copies of `data-schema/redcap/*.csv`.

/// `(field name, form name)` per dictionary row, header skipped.
pub(crate) fn fields(dictionary: &str) -> Vec<(String, String)> {
    records(dictionary)
        .into_iter()
        .skip(1)
        .filter_map(|mut cells| {
            if cells.len() < 2 || cells[0].is_empty() {
                return None;
            }
            let form = std::mem::take(&mut cells[1]);
            Some((std::mem::take(&mut cells[0]), form))
        })
        .collect()
}

/// RFC 4180 records: quoted fields may hold commas, quotes and newlines.
fn records(text: &str) -> Vec<Vec<String>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_names_and_forms_past_quoted_commas() {
        let dict = "Variable,Form,Label\nrecord_id,doc,\"Code, with comma\"\nev_factor,evidence,\"a \"\"b\"\"\nc\"\n";
        assert_eq!(
            fields(dict),
            [
                ("record_id".to_string(), "doc".to_string()),
                ("ev_factor".to_string(), "evidence".to_string())
            ]
        );
    }
}
