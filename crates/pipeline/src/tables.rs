//! Published tables as bytes: CSV and Parquet, both deterministic.
//!
//! CSV: header from the schema, fields quoted only when needed, floats in
//! Rust's shortest round-trip form (the same digits on every machine),
//! null as an empty cell. Parquet: a pinned `created_by`, fixed row-group
//! size and compression, no timestamps, so the same batch gives the same bytes.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type,
    UInt64Type,
};
use arrow_array::{Array, RecordBatch, downcast_dictionary_array};
use arrow_schema::DataType;
use model::column::Text;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::{EnabledStatistics, WriterProperties};

/// Rows per Parquet row group: fixed, so files do not depend on batch sizes.
const ROW_GROUP_SIZE: usize = 65_536;

/// One cell as text, exactly as it appears in the CSV (`None` for null).
/// A dictionary-encoded (categorical) cell reads as its value: the same
/// text as the plain column would give.
pub fn cell_text(array: &dyn Array, row: usize) -> Option<String> {
    if let Some(text) = Text::of(array) {
        return text.get(row).map(str::to_string);
    }
    if let DataType::Dictionary(..) = array.data_type() {
        return downcast_dictionary_array!(
            array => {
                let keys = array.keys();
                if keys.is_null(row) {
                    return None;
                }
                // Any key type: a negative key (or one past the dictionary) is no value.
                #[allow(clippy::unnecessary_fallible_conversions)]
                let key = usize::try_from(keys.value(row)).ok().filter(|&k| k < array.values().len())?;
                cell_text(array.values().as_ref(), key)
            },
            other => Some(format!("<unsupported {other}>"))
        );
    }
    if array.is_null(row) {
        return None;
    }
    Some(match array.data_type() {
        DataType::Utf8 => array.as_string::<i32>().value(row).to_string(),
        DataType::LargeUtf8 => array.as_string::<i64>().value(row).to_string(),
        DataType::Boolean => array.as_boolean().value(row).to_string(),
        DataType::Int8 => array.as_primitive::<Int8Type>().value(row).to_string(),
        DataType::Int16 => array.as_primitive::<Int16Type>().value(row).to_string(),
        DataType::Int32 => array.as_primitive::<Int32Type>().value(row).to_string(),
        DataType::Int64 => array.as_primitive::<Int64Type>().value(row).to_string(),
        DataType::UInt8 => array.as_primitive::<UInt8Type>().value(row).to_string(),
        DataType::UInt16 => array.as_primitive::<UInt16Type>().value(row).to_string(),
        DataType::UInt32 => array.as_primitive::<UInt32Type>().value(row).to_string(),
        DataType::UInt64 => array.as_primitive::<UInt64Type>().value(row).to_string(),
        DataType::Float64 => {
            let v = array.as_primitive::<Float64Type>().value(row);
            if v.is_finite() {
                format!("{v}")
            } else {
                return None;
            }
        }
        other => format!("<unsupported {other}>"),
    })
}

/// Whether [`cell_text`] reads cells of this type (else it shows
/// `<unsupported TYPE>`): a scan of a table must refuse any other.
pub fn renders(data_type: &DataType) -> bool {
    use DataType as T;
    match data_type {
        T::Dictionary(_, values) => renders(values),
        T::Utf8
        | T::LargeUtf8
        | T::Boolean
        | T::Int8
        | T::Int16
        | T::Int32
        | T::Int64
        | T::UInt8
        | T::UInt16
        | T::UInt32
        | T::UInt64
        | T::Float64 => true,
        _ => false,
    }
}

/// One CSV field (RFC 4180: quoted when it holds a comma, quote or line break).
pub fn push_csv_field(out: &mut String, text: &str) {
    if text.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

/// The batch as CSV text with LF line endings.
pub fn to_csv(batch: &RecordBatch) -> String {
    let mut out = String::new();
    let schema = batch.schema();
    for (i, field) in schema.fields().iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_csv_field(&mut out, field.name());
    }
    out.push('\n');
    for row in 0..batch.num_rows() {
        for (i, column) in batch.columns().iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            if let Some(text) = cell_text(column.as_ref(), row) {
                push_csv_field(&mut out, &text);
            }
        }
        out.push('\n');
    }
    out
}

/// The batch as Parquet bytes with pinned writer settings.
pub fn to_parquet(batch: &RecordBatch) -> Result<Vec<u8>, parquet::errors::ParquetError> {
    let props = WriterProperties::builder()
        .set_created_by(format!("crosscase {}", model::VERSION))
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROW_GROUP_SIZE))
        .set_statistics_enabled(EnabledStatistics::Chunk)
        .build();
    let mut bytes = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut bytes, Arc::clone(&batch.schema()), Some(props))?;
    writer.write(batch)?;
    writer.close()?;
    Ok(bytes)
}

/// Read a Parquet file in batches of at most `rows` rows, in order: for a
/// scan that need not hold the whole table.
pub fn parquet_batches(
    bytes: Vec<u8>,
    rows: usize,
) -> Result<
    impl Iterator<Item = Result<RecordBatch, parquet::errors::ParquetError>>,
    parquet::errors::ParquetError,
> {
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let reader = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(bytes))?
        .with_batch_size(rows.max(1))
        .build()?;
    Ok(
        reader
            .map(|batch| batch.map_err(|e| parquet::errors::ParquetError::General(e.to_string()))),
    )
}

/// Read a Parquet file written by [`to_parquet`] back into one batch.
pub fn from_parquet(bytes: Vec<u8>) -> Result<RecordBatch, parquet::errors::ParquetError> {
    from_parquet_columns(bytes, None)
}

/// [`from_parquet`] decoding only the named columns (a Parquet
/// `ProjectionMask`: the others' pages are never decompressed), in the
/// file's order; all of them when `None`.
pub fn from_parquet_columns(
    bytes: Vec<u8>,
    columns: Option<&[&str]>,
) -> Result<RecordBatch, parquet::errors::ParquetError> {
    use parquet::arrow::ProjectionMask;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let mut builder = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(bytes))?;
    if let Some(columns) = columns {
        let mask = ProjectionMask::columns(builder.parquet_schema(), columns.iter().copied());
        builder = builder.with_projection(mask);
    }
    let schema = Arc::clone(builder.schema());
    let reader = builder.build()?;
    let mut batches = Vec::new();
    for batch in reader {
        batches.push(batch.map_err(|e| parquet::errors::ParquetError::General(e.to_string()))?);
    }
    let schema = match batches.first() {
        Some(first) => first.schema(),
        None => project_schema(&schema, columns),
    };
    concat_row_groups(&schema, &batches)
}

/// A clean table's schema, keeping only `columns` (all when `None`).
pub fn projected_schema(table: &str, columns: Option<&[&str]>) -> arrow_schema::SchemaRef {
    let schema = model::StudyTables::empty_of(table)
        .map(|batch| batch.schema())
        .unwrap_or_else(|| Arc::new(arrow_schema::Schema::empty()));
    project_schema(&schema, columns)
}

fn project_schema(
    schema: &arrow_schema::SchemaRef,
    columns: Option<&[&str]>,
) -> arrow_schema::SchemaRef {
    match columns {
        None => Arc::clone(schema),
        Some(columns) => Arc::new(arrow_schema::Schema::new(
            schema
                .fields()
                .iter()
                .filter(|f| columns.contains(&f.name().as_str()))
                .cloned()
                .collect::<Vec<_>>(),
        )),
    }
}

fn concat_row_groups(
    schema: &arrow_schema::SchemaRef,
    batches: &[RecordBatch],
) -> Result<RecordBatch, parquet::errors::ParquetError> {
    if batches.len() == 1 {
        return Ok(batches[0].clone());
    }
    if batches.is_empty() {
        return Ok(RecordBatch::new_empty(Arc::clone(schema)));
    }
    // Each row group comes with its own dictionaries.
    model::column::concat_batches(schema, batches)
        .map_err(|e| parquet::errors::ParquetError::General(e.to_string()))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::types::{Int8Type, Int32Type, UInt16Type};
    use arrow_array::{
        ArrayRef, DictionaryArray, Int8Array, Int32Array, Int64Array, StringArray, UInt16Array,
    };

    use super::*;

    /// A dictionary-encoded column prints as the plain column of its values:
    /// the same CSV, nulls (a null key or a null value) empty.
    #[test]
    fn dictionary_cells_print_as_their_values() {
        let text = vec![
            Some("Site A"),
            None,
            Some("a, \"quoted\"\nvalue"),
            Some("Site A"),
            Some(""),
        ];
        let coded = model::column::categories(text.iter().copied());
        assert!(model::column::is_category(coded.data_type()));
        // Other key and value types, a null value, an unused one.
        let small: DictionaryArray<Int8Type> = DictionaryArray::try_new(
            Int8Array::from(vec![Some(1), Some(0), None, Some(2), Some(1)]),
            Arc::new(StringArray::from(vec![
                None,
                Some("x"),
                Some("y"),
                Some("unused"),
            ])),
        )
        .unwrap();
        let numbers: DictionaryArray<UInt16Type> = DictionaryArray::try_new(
            UInt16Array::from(vec![0, 1, 1, 0, 1]),
            Arc::new(Int64Array::from(vec![Some(-3), None])),
        )
        .unwrap();
        let ints: DictionaryArray<Int32Type> = DictionaryArray::try_new(
            Int32Array::from(vec![0, 0, 0, 0, 0]),
            Arc::new(Int32Array::from(vec![7])),
        )
        .unwrap();
        let batch = |columns: Vec<ArrayRef>| {
            RecordBatch::try_from_iter(["site", "small", "n", "k"].into_iter().zip(columns))
                .unwrap()
        };
        let coded = batch(vec![
            coded,
            Arc::new(small),
            Arc::new(numbers),
            Arc::new(ints),
        ]);
        let plain = batch(vec![
            Arc::new(StringArray::from(text)),
            Arc::new(StringArray::from(vec![
                Some("x"),
                None,
                None,
                Some("y"),
                Some("x"),
            ])),
            Arc::new(Int64Array::from(vec![Some(-3), None, None, Some(-3), None])),
            Arc::new(Int32Array::from(vec![7; 5])),
        ]);
        assert_eq!(to_csv(&coded), to_csv(&plain));
        assert!(!to_csv(&coded).contains("unsupported"));
        for column in coded.columns() {
            assert!(renders(column.data_type()), "{}", column.data_type());
        }
        assert!(!renders(&DataType::Binary));
        assert!(!renders(&DataType::Dictionary(
            Box::new(DataType::Int32),
            Box::new(DataType::Binary)
        )));
    }
}
