//! What a run changed: figures whose values changed, appeared or
//! disappeared since the previous run, with old and new values.

use std::collections::BTreeMap;

use arrow_array::{Array, RecordBatch};
use camino::Utf8Path;
use model::column::Text;

use crate::tables::{cell_text, from_parquet};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Changed {
        figure: String,
        column: String,
        old: String,
        new: String,
    },
    Appeared {
        figure: String,
    },
    Disappeared {
        figure: String,
    },
}

/// Whether cell `i` of `a` and cell `j` of `b` are certainly the same
/// value (same type, both null or equal values): their texts are then equal
/// too. `false` means "compare the texts".
fn same_value<'a>(a: &'a dyn Array, b: &'a dyn Array) -> Box<dyn Fn(usize, usize) -> bool + 'a> {
    use arrow_array::cast::AsArray;
    use arrow_array::types::*;
    use arrow_schema::DataType as T;
    // Text of either kind (plain or dictionary-encoded), alike or not.
    if let (Some(x), Some(y)) = (Text::of(a), Text::of(b)) {
        return Box::new(move |i, j| x.get(i) == y.get(j));
    }
    if a.data_type() != b.data_type() {
        return Box::new(|_, _| false);
    }
    macro_rules! prim {
        ($t:ty) => {{
            let (x, y) = (a.as_primitive::<$t>(), b.as_primitive::<$t>());
            Box::new(move |i, j| match (x.is_null(i), y.is_null(j)) {
                (true, true) => true,
                (false, false) => x.value(i).to_le_bytes() == y.value(j).to_le_bytes(),
                _ => false,
            })
        }};
    }
    match a.data_type() {
        T::Boolean => {
            let (x, y) = (a.as_boolean(), b.as_boolean());
            Box::new(move |i, j| match (x.is_null(i), y.is_null(j)) {
                (true, true) => true,
                (false, false) => x.value(i) == y.value(j),
                _ => false,
            })
        }
        T::Int8 => prim!(Int8Type),
        T::Int16 => prim!(Int16Type),
        T::Int32 => prim!(Int32Type),
        T::Int64 => prim!(Int64Type),
        T::UInt8 => prim!(UInt8Type),
        T::UInt16 => prim!(UInt16Type),
        T::UInt32 => prim!(UInt32Type),
        T::UInt64 => prim!(UInt64Type),
        T::Float64 => prim!(Float64Type),
        _ => Box::new(|_, _| false),
    }
}

/// Each figure id of a table with its (last) row, sorted by id.
fn figure_rows(batch: &RecordBatch) -> Vec<(String, usize)> {
    let Some(ids) = batch.column_by_name("figure_id") else {
        return Vec::new();
    };
    let mut rows: BTreeMap<String, usize> = BTreeMap::new();
    for row in 0..batch.num_rows() {
        if let Some(id) = cell_text(ids.as_ref(), row) {
            rows.insert(id, row);
        }
    }
    rows.into_iter().collect()
}

/// Compare a freshly computed table with the one published before (if any):
/// figures in id order, columns in name order. Cells are compared as typed
/// values and rendered as text only when they differ.
pub fn table_changes(previous: &Utf8Path, new: &RecordBatch) -> Vec<Change> {
    let Ok(bytes) = std::fs::read(previous) else {
        return Vec::new();
    };
    let Ok(old) = from_parquet(bytes) else {
        return Vec::new();
    };
    let old_rows = figure_rows(&old);
    let new_rows = figure_rows(new);
    let old_index: std::collections::HashMap<&str, usize> = old_rows
        .iter()
        .map(|(id, row)| (id.as_str(), *row))
        .collect();
    let schema = new.schema();
    let mut columns: Vec<(&str, &dyn Array, Option<&dyn Array>)> = schema
        .fields()
        .iter()
        .zip(new.columns())
        .filter(|(f, _)| f.name() != "figure_id")
        .map(|(f, c)| {
            (
                f.name().as_str(),
                c.as_ref(),
                old.column_by_name(f.name()).map(|c| c.as_ref()),
            )
        })
        .collect();
    columns.sort_by(|a, b| a.0.cmp(b.0));
    columns.dedup_by(|a, b| a.0 == b.0);
    let compare: Vec<Option<Box<dyn Fn(usize, usize) -> bool + '_>>> = columns
        .iter()
        .map(|(_, n, o)| o.map(|o| same_value(o, *n)))
        .collect();
    let mut changes = Vec::new();
    for (figure, new_row) in &new_rows {
        let Some(&old_row) = old_index.get(figure.as_str()) else {
            changes.push(Change::Appeared {
                figure: figure.clone(),
            });
            continue;
        };
        for ((column, new_col, old_col), same) in columns.iter().zip(&compare) {
            if same.as_ref().is_some_and(|same| same(old_row, *new_row)) {
                continue;
            }
            let value = cell_text(*new_col, *new_row).unwrap_or_default();
            let was = old_col
                .and_then(|c| cell_text(c, old_row))
                .unwrap_or_default();
            if was != value {
                changes.push(Change::Changed {
                    figure: figure.clone(),
                    column: column.to_string(),
                    old: was,
                    new: value,
                });
            }
        }
    }
    let new_ids: std::collections::HashSet<&str> =
        new_rows.iter().map(|(id, _)| id.as_str()).collect();
    for (figure, _) in &old_rows {
        if !new_ids.contains(figure.as_str()) {
            changes.push(Change::Disappeared {
                figure: figure.clone(),
            });
        }
    }
    changes
}

/// The changes as text, one per line: `changed figure/column: old -> new`.
pub fn render(changes: &[Change]) -> String {
    let mut text = String::new();
    for c in changes {
        // One change per line: newlines inside a value (a quote) are shown as \n.
        let show = |v: &str| {
            if v.is_empty() {
                "(empty)".to_string()
            } else {
                v.replace('\n', "\\n").replace('\r', "\\r")
            }
        };
        match c {
            Change::Changed {
                figure,
                column,
                old,
                new,
            } => text.push_str(&format!(
                "changed     {figure}/{column}: {} -> {}\n",
                show(old),
                show(new)
            )),
            Change::Appeared { figure } => text.push_str(&format!("appeared    {figure}\n")),
            Change::Disappeared { figure } => text.push_str(&format!("disappeared {figure}\n")),
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray};

    use super::*;

    /// The first implementation: every cell as text, in maps.
    fn reference(old: &RecordBatch, new: &RecordBatch) -> Vec<Change> {
        fn figures(batch: &RecordBatch) -> BTreeMap<String, BTreeMap<String, String>> {
            let mut map = BTreeMap::new();
            let schema = batch.schema();
            let ids = batch.column_by_name("figure_id").unwrap();
            for row in 0..batch.num_rows() {
                let Some(id) = cell_text(ids.as_ref(), row) else {
                    continue;
                };
                let values = schema
                    .fields()
                    .iter()
                    .zip(batch.columns())
                    .filter(|(f, _)| f.name() != "figure_id")
                    .map(|(f, c)| {
                        (
                            f.name().clone(),
                            cell_text(c.as_ref(), row).unwrap_or_default(),
                        )
                    })
                    .collect();
                map.insert(id, values);
            }
            map
        }
        let (old, new) = (figures(old), figures(new));
        let mut changes = Vec::new();
        for (figure, values) in &new {
            match old.get(figure) {
                None => changes.push(Change::Appeared {
                    figure: figure.clone(),
                }),
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
                changes.push(Change::Disappeared {
                    figure: figure.clone(),
                });
            }
        }
        changes
    }

    fn table(
        ids: &[&str],
        text: &[Option<&str>],
        x: &[Option<f64>],
        n: Vec<Option<i64>>,
        flag: Vec<Option<bool>>,
    ) -> RecordBatch {
        let columns: Vec<(&str, ArrayRef)> = vec![
            ("z_text", Arc::new(StringArray::from(text.to_vec()))),
            ("figure_id", Arc::new(StringArray::from(ids.to_vec()))),
            ("mean", Arc::new(Float64Array::from(x.to_vec()))),
            ("n", Arc::new(Int64Array::from(n))),
            ("flag", Arc::new(BooleanArray::from(flag))),
        ];
        RecordBatch::try_from_iter(columns).unwrap()
    }

    #[test]
    fn typed_comparison_reports_what_the_text_comparison_reported() {
        let old = table(
            &["b", "a", "c", "d", "d"],
            &[Some("x"), None, Some(""), Some("q"), Some("r")],
            &[Some(1.5), Some(0.0), None, Some(2.0), Some(3.0)],
            vec![Some(1), None, Some(3), Some(4), Some(5)],
            vec![Some(true), None, Some(false), None, Some(true)],
        );
        let new = table(
            &["a", "b", "e", "d"],
            &[Some(""), Some("x"), Some("new"), Some("r")],
            &[Some(-0.0), Some(1.5000000000000002), Some(1.0), Some(3.0)],
            vec![None, Some(1), Some(2), Some(6)],
            vec![Some(false), Some(true), None, Some(true)],
        );
        let dir = tempfile::tempdir().unwrap();
        let path = camino::Utf8PathBuf::from_path_buf(dir.path().join("old.parquet")).unwrap();
        std::fs::write(&path, crate::tables::to_parquet(&old).unwrap()).unwrap();
        let ours = table_changes(&path, &new);
        assert_eq!(ours, reference(&old, &new));
        assert!(ours.contains(&Change::Appeared { figure: "e".into() }));
        assert!(ours.contains(&Change::Disappeared { figure: "c".into() }));
        assert!(ours.iter().any(|c| matches!(c, Change::Changed { figure, column, .. } if figure == "a" && column == "mean")), "-0 vs 0: {ours:?}");
        assert!(ours.iter().any(|c| matches!(c, Change::Changed { figure, column, .. } if figure == "d" && column == "n")), "the last row of a repeated id: {ours:?}");
        assert!(!ours.iter().any(|c| matches!(c, Change::Changed { figure, column, .. } if figure == "a" && column == "z_text")), "null and empty read the same");
        // A table compared with itself: nothing.
        assert!(table_changes(&path, &old).is_empty());

        // Text columns dictionary-encoded (categorical), on either side or
        // both: the same changes.
        let coded = |batch: &RecordBatch| {
            let columns = batch
                .schema_ref()
                .fields()
                .iter()
                .zip(batch.columns())
                .map(|(f, c)| {
                    let c = match model::column::Text::of(c.as_ref()) {
                        Some(text) => model::column::categories(text.iter()),
                        None => c.clone(),
                    };
                    (f.name().clone(), c)
                });
            RecordBatch::try_from_iter(columns).unwrap()
        };
        let (old_coded, new_coded) = (coded(&old), coded(&new));
        assert!(model::column::is_category(
            old_coded.column_by_name("z_text").unwrap().data_type()
        ));
        let coded_path =
            camino::Utf8PathBuf::from_path_buf(dir.path().join("old-coded.parquet")).unwrap();
        std::fs::write(&coded_path, crate::tables::to_parquet(&old_coded).unwrap()).unwrap();
        assert_eq!(table_changes(&coded_path, &new_coded), ours, "both coded");
        assert_eq!(
            table_changes(&coded_path, &new),
            ours,
            "old coded, new plain"
        );
        assert_eq!(
            table_changes(&path, &new_coded),
            ours,
            "old plain, new coded"
        );
        assert!(
            table_changes(&coded_path, &old).is_empty(),
            "the same values, either kind"
        );
    }
}
