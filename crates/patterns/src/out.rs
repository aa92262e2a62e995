//! Building output batches: a schema from a field list, columns from vectors.

use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Float64Array, RecordBatch, StringArray, UInt32Array};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};

pub(crate) fn utf8(name: &str) -> Field {
    Field::new(name, DataType::Utf8, false)
}
pub(crate) fn utf8_null(name: &str) -> Field {
    Field::new(name, DataType::Utf8, true)
}
pub(crate) fn count(name: &str) -> Field {
    Field::new(name, DataType::UInt32, false)
}
pub(crate) fn count_null(name: &str) -> Field {
    Field::new(name, DataType::UInt32, true)
}
pub(crate) fn ratio(name: &str) -> Field {
    Field::new(name, DataType::Float64, true)
}
pub(crate) fn flag(name: &str) -> Field {
    Field::new(name, DataType::Boolean, false)
}
pub(crate) fn schema(fields: Vec<Field>) -> SchemaRef {
    Arc::new(Schema::new(fields))
}

pub(crate) fn strings(v: Vec<String>) -> ArrayRef {
    Arc::new(StringArray::from(v))
}
pub(crate) fn opt_strings(v: Vec<Option<String>>) -> ArrayRef {
    Arc::new(StringArray::from(v))
}
pub(crate) fn counts(v: Vec<u32>) -> ArrayRef {
    Arc::new(UInt32Array::from(v))
}
pub(crate) fn opt_counts(v: Vec<Option<u32>>) -> ArrayRef {
    Arc::new(UInt32Array::from(v))
}
pub(crate) fn ratios(v: Vec<Option<f64>>) -> ArrayRef {
    Arc::new(Float64Array::from(v))
}
pub(crate) fn flags(v: Vec<bool>) -> ArrayRef {
    Arc::new(BooleanArray::from(v))
}

pub(crate) fn batch(schema: SchemaRef, columns: Vec<ArrayRef>) -> Result<RecordBatch, ArrowError> {
    RecordBatch::try_new(schema, columns)
}

/// `a / b`, or null when `b` is 0.
pub(crate) fn share(a: u32, b: u32) -> Option<f64> {
    (b > 0).then(|| f64::from(a) / f64::from(b))
}

/// The columns every accounts table ends with: counts, `suppressed`, then
/// `exemplar_<i>` and `label_<i>` for each exemplar, and `figure_id`.
pub(crate) fn accounts_tail(exemplars: usize) -> Vec<Field> {
    let mut f = vec![
        count_null("participants"),
        count_null("accounts"),
        flag("suppressed"),
    ];
    for i in 1..=exemplars {
        f.push(utf8_null(&format!("exemplar_{i}")));
        f.push(utf8_null(&format!("label_{i}")));
    }
    f.push(utf8("figure_id"));
    f
}
