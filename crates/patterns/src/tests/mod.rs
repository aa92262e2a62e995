//! Tests: one helper per input table that builds a batch with the exact
//! `model::schema` schema from literal rows, and readers that pull a column
//! out of an output batch as plain values to assert on.

mod columns;
mod matrix;
mod planted;
mod qca;
mod qual;
mod quotes;
mod replication;
mod rules;

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, UInt32Type};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Int8Array, RecordBatch, StringArray, UInt8Array, UInt32Array,
};
use model::schema;

use crate::Settings;

fn s(v: Vec<&str>) -> ArrayRef {
    Arc::new(StringArray::from(v))
}
fn so(v: Vec<Option<&str>>) -> ArrayRef {
    Arc::new(StringArray::from(v))
}
fn provenance(file: &str, n: usize) -> [ArrayRef; 3] {
    [
        s(vec![file; n]),
        Arc::new(UInt32Array::from(
            (0..n as u32).map(|i| i + 2).collect::<Vec<_>>(),
        )),
        Arc::new(StringArray::from(
            (0..n)
                .map(|i| format!("{:016x}", i * 7919 % 1009))
                .collect::<Vec<_>>(),
        )),
    ]
}

/// `(site, sector, partnership, bme_focus, has_data)`.
pub(crate) fn sites(rows: &[(&str, &str, bool, bool, bool)]) -> RecordBatch {
    let cols: Vec<ArrayRef> = vec![
        s(rows.iter().map(|r| r.0).collect()),
        s(rows.iter().map(|r| r.1).collect()),
        Arc::new(BooleanArray::from(
            rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        )),
        Arc::new(BooleanArray::from(
            rows.iter().map(|r| r.3).collect::<Vec<_>>(),
        )),
        s(vec!["North"; rows.len()]),
        Arc::new(UInt8Array::from(vec![1u8; rows.len()])),
        Arc::new(BooleanArray::from(
            rows.iter().map(|r| r.4).collect::<Vec<_>>(),
        )),
    ];
    model::column::conform(schema::sites(), cols).unwrap()
}

/// `(participant, site, factor, pattern)`; sector and group are fixed.
pub(crate) fn answers(rows: &[(&str, &str, &str, Option<i8>)]) -> RecordBatch {
    let n = rows.len();
    let mut cols: Vec<ArrayRef> = vec![
        s(rows.iter().map(|r| r.0).collect()),
        s(rows.iter().map(|r| r.1).collect()),
        s(vec!["statutory"; n]),
        s(vec!["peer_worker"; n]),
        s(rows.iter().map(|r| r.2).collect()),
        Arc::new(Int8Array::from(
            rows.iter().map(|r| r.3).collect::<Vec<_>>(),
        )),
        Arc::new(Int8Array::from(vec![Some(4i8); n])),
        Arc::new(Int8Array::from(vec![None::<i8>; n])),
    ];
    cols.extend(provenance("raw/interviews/export.csv", n));
    model::column::conform(schema::answers(), cols).unwrap()
}

/// `(site, document, factor, status)`.
pub(crate) fn evidence(rows: &[(&str, &str, &str, Option<i8>)]) -> RecordBatch {
    let n = rows.len();
    let mut cols: Vec<ArrayRef> = vec![
        s(rows.iter().map(|r| r.0).collect()),
        s(vec!["statutory"; n]),
        s(rows.iter().map(|r| r.1).collect()),
        Arc::new(UInt32Array::from(vec![1u32; n])),
        s(rows.iter().map(|r| r.2).collect()),
        Arc::new(Int8Array::from(
            rows.iter().map(|r| r.3).collect::<Vec<_>>(),
        )),
        so(vec![None; n]),
        so(vec![None; n]),
    ];
    cols.extend(provenance("raw/documents/export.csv", n));
    model::column::conform(schema::evidence(), cols).unwrap()
}

/// `(participant, site, outcome, answer)`.
pub(crate) fn outcomes(rows: &[(&str, &str, &str, Option<i8>)]) -> RecordBatch {
    let n = rows.len();
    let mut cols: Vec<ArrayRef> = vec![
        s(rows.iter().map(|r| r.0).collect()),
        s(rows.iter().map(|r| r.1).collect()),
        s(vec!["statutory"; n]),
        s(vec!["peer_worker"; n]),
        s(rows.iter().map(|r| r.2).collect()),
        Arc::new(Int8Array::from(
            rows.iter().map(|r| r.3).collect::<Vec<_>>(),
        )),
    ];
    cols.extend(provenance("raw/interviews/export.csv", n));
    model::column::conform(schema::outcomes(), cols).unwrap()
}

/// `(participant, site, sector, group, theme, text, row_hash)`.
pub(crate) fn accounts(rows: &[(&str, &str, &str, &str, &str, &str, &str)]) -> RecordBatch {
    let n = rows.len();
    let cols: Vec<ArrayRef> = vec![
        s(rows.iter().map(|r| r.0).collect()),
        s(rows.iter().map(|r| r.1).collect()),
        s(rows.iter().map(|r| r.2).collect()),
        s(rows.iter().map(|r| r.3).collect()),
        s(vec!["top_1_impact"; n]),
        s(rows.iter().map(|r| r.4).collect()),
        s(rows.iter().map(|r| r.5).collect()),
        s(vec!["raw/interviews/export.csv"; n]),
        Arc::new(UInt32Array::from(
            (0..n as u32).map(|i| i + 2).collect::<Vec<_>>(),
        )),
        s(rows.iter().map(|r| r.6).collect()),
    ];
    model::column::conform(schema::accounts(), cols).unwrap()
}

/// A `pattern_matrix` batch from `(site, factor, condition)`; counts 0.
pub(crate) fn matrix_rows(rows: &[(&str, &str, &str)]) -> RecordBatch {
    let n = rows.len();
    let zeros = || -> ArrayRef { Arc::new(UInt32Array::from(vec![0u32; n])) };
    let cols: Vec<ArrayRef> = vec![
        s(rows.iter().map(|r| r.0).collect()),
        s(rows.iter().map(|r| r.1).collect()),
        zeros(),
        zeros(),
        zeros(),
        zeros(),
        s(rows.iter().map(|r| r.2).collect()),
        s(vec!["no_evidence"; n]),
        s(vec!["no_evidence"; n]),
        s(vec!["x"; n]),
    ];
    RecordBatch::try_new(crate::pattern_matrix_schema(), cols).unwrap()
}

/// An `outcome_summary` batch from `(site, outcome, condition)`; counts 0.
pub(crate) fn outcome_rows(rows: &[(&str, &str, &str)]) -> RecordBatch {
    let n = rows.len();
    let zeros = || -> ArrayRef { Arc::new(UInt32Array::from(vec![0u32; n])) };
    let cols: Vec<ArrayRef> = vec![
        s(rows.iter().map(|r| r.0).collect()),
        s(rows.iter().map(|r| r.1).collect()),
        zeros(),
        zeros(),
        zeros(),
        zeros(),
        s(rows.iter().map(|r| r.2).collect()),
        s(vec!["x"; n]),
    ];
    RecordBatch::try_new(crate::outcome_summary_schema(), cols).unwrap()
}

pub(crate) fn settings(factors: &[&str]) -> Settings {
    Settings {
        factors: factors.iter().map(|f| f.to_string()).collect(),
        ..Settings::default()
    }
}

/// A Utf8 column as strings; null as `-`.
pub(crate) fn strs(b: &RecordBatch, name: &str) -> Vec<String> {
    let a = b
        .column_by_name(name)
        .unwrap_or_else(|| panic!("no column {name}"))
        .as_string::<i32>();
    (0..a.len())
        .map(|i| {
            if a.is_null(i) {
                "-".to_string()
            } else {
                a.value(i).to_string()
            }
        })
        .collect()
}

pub(crate) fn u32s(b: &RecordBatch, name: &str) -> Vec<Option<u32>> {
    b.column_by_name(name)
        .unwrap_or_else(|| panic!("no column {name}"))
        .as_primitive::<UInt32Type>()
        .iter()
        .collect()
}

pub(crate) fn f64s(b: &RecordBatch, name: &str) -> Vec<Option<f64>> {
    b.column_by_name(name)
        .unwrap_or_else(|| panic!("no column {name}"))
        .as_primitive::<Float64Type>()
        .iter()
        .collect()
}

pub(crate) fn bools(b: &RecordBatch, name: &str) -> Vec<bool> {
    let a = b
        .column_by_name(name)
        .unwrap_or_else(|| panic!("no column {name}"))
        .as_boolean();
    (0..a.len()).map(|i| a.value(i)).collect()
}

/// The whole batch as text, one row a line, `|`-separated, nulls as `-`:
/// for snapshots a person can read.
pub(crate) fn render(b: &RecordBatch) -> String {
    let schema = b.schema();
    let mut lines = vec![
        schema
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect::<Vec<_>>()
            .join(" | "),
    ];
    for i in 0..b.num_rows() {
        let mut cells = Vec::new();
        for (f, c) in schema.fields().iter().zip(b.columns()) {
            let cell = if c.is_null(i) {
                "-".to_string()
            } else {
                match f.data_type() {
                    arrow_schema::DataType::Utf8 => c.as_string::<i32>().value(i).to_string(),
                    arrow_schema::DataType::UInt32 => {
                        c.as_primitive::<UInt32Type>().value(i).to_string()
                    }
                    arrow_schema::DataType::Float64 => {
                        format!("{:.3}", c.as_primitive::<Float64Type>().value(i))
                    }
                    arrow_schema::DataType::Boolean => c.as_boolean().value(i).to_string(),
                    other => format!("<{other}>"),
                }
            };
            cells.push(cell);
        }
        lines.push(cells.join(" | "));
    }
    lines.join("\n") + "\n"
}
