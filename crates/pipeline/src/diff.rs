//! What a run changed: figures whose values changed, appeared or
//! disappeared since the previous run, with old and new values.

use std::collections::BTreeMap;

use arrow_array::RecordBatch;
use camino::Utf8Path;

use crate::tables::{cell_text, from_parquet};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Changed { figure: String, column: String, old: String, new: String },
    Appeared { figure: String },
    Disappeared { figure: String },
}

/// figure_id -> (column -> value text) of a table.
fn figures(batch: &RecordBatch) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut map = BTreeMap::new();
    let schema = batch.schema();
    let Some(ids) = batch.column_by_name("figure_id") else { return map };
    for row in 0..batch.num_rows() {
        let Some(id) = cell_text(ids.as_ref(), row) else { continue };
        let values = schema
            .fields()
            .iter()
            .zip(batch.columns())
            .filter(|(f, _)| f.name() != "figure_id")
            .map(|(f, c)| (f.name().clone(), cell_text(c.as_ref(), row).unwrap_or_default()))
            .collect();
        map.insert(id, values);
    }
    map
}

/// Compare a freshly computed table with the one published before (if any).
pub fn table_changes(_table: &str, previous: &Utf8Path, new: &RecordBatch) -> Vec<Change> {
    let Ok(bytes) = std::fs::read(previous) else { return Vec::new() };
    let Ok(old) = from_parquet(bytes) else { return Vec::new() };
    let old = figures(&old);
    let new = figures(new);
    let mut changes = Vec::new();
    for (figure, values) in &new {
        match old.get(figure) {
            None => changes.push(Change::Appeared { figure: figure.clone() }),
            Some(before) => {
                for (column, value) in values {
                    let was = before.get(column).cloned().unwrap_or_default();
                    if &was != value {
                        changes.push(Change::Changed {
                            figure: figure.clone(),
                            column: column.clone(),
                            old: was,
                            new: value.clone(),
                        });
                    }
                }
            }
        }
    }
    for figure in old.keys() {
        if !new.contains_key(figure) {
            changes.push(Change::Disappeared { figure: figure.clone() });
        }
    }
    changes
}

/// The changes as text, one per line: `changed figure/column: old -> new`.
pub fn render(changes: &[Change]) -> String {
    let mut text = String::new();
    for c in changes {
        // One change per line: newlines inside a value (a quote) are shown as \n.
        let show = |v: &str| if v.is_empty() { "(empty)".to_string() } else { v.replace('\n', "\\n").replace('\r', "\\r") };
        match c {
            Change::Changed { figure, column, old, new } => {
                text.push_str(&format!("changed     {figure}/{column}: {} -> {}\n", show(old), show(new)))
            }
            Change::Appeared { figure } => text.push_str(&format!("appeared    {figure}\n")),
            Change::Disappeared { figure } => text.push_str(&format!("disappeared {figure}\n")),
        }
    }
    text
}
