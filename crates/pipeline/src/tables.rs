//! Published tables as bytes: CSV and Parquet, both deterministic.
//!
//! CSV: header from the schema, fields quoted only when needed, floats in
//! Rust's shortest round-trip form (the same digits on every machine),
//! null as an empty cell. Parquet: a pinned `created_by`, fixed row-group
//! size and compression, no timestamps, so the same batch gives the same bytes.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::{EnabledStatistics, WriterProperties};

/// Rows per Parquet row group: fixed, so files do not depend on batch sizes.
const ROW_GROUP_SIZE: usize = 65_536;

/// One cell as text, exactly as it appears in the CSV (`None` for null).
pub fn cell_text(array: &dyn Array, row: usize) -> Option<String> {
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
            if v.is_finite() { format!("{v}") } else { return None }
        }
        other => format!("<unsupported {other}>"),
    })
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
) -> Result<impl Iterator<Item = Result<RecordBatch, parquet::errors::ParquetError>>, parquet::errors::ParquetError> {
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let reader = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(bytes))?.with_batch_size(rows.max(1)).build()?;
    Ok(reader.map(|batch| batch.map_err(|e| parquet::errors::ParquetError::General(e.to_string()))))
}

/// Read a Parquet file written by [`to_parquet`] back into one batch.
pub fn from_parquet(bytes: Vec<u8>) -> Result<RecordBatch, parquet::errors::ParquetError> {
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let builder = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(bytes))?;
    let schema = Arc::clone(builder.schema());
    let reader = builder.build()?;
    let mut batches = Vec::new();
    for batch in reader {
        batches.push(batch.map_err(|e| parquet::errors::ParquetError::General(e.to_string()))?);
    }
    arrow_select_concat(&schema, &batches)
}

fn arrow_select_concat(
    schema: &arrow_schema::SchemaRef,
    batches: &[RecordBatch],
) -> Result<RecordBatch, parquet::errors::ParquetError> {
    if batches.len() == 1 {
        return Ok(batches[0].clone());
    }
    if batches.is_empty() {
        return Ok(RecordBatch::new_empty(Arc::clone(schema)));
    }
    // Few tables have more than one row group; concatenate column by column.
    let mut columns = Vec::with_capacity(schema.fields().len());
    for i in 0..schema.fields().len() {
        let arrays: Vec<&dyn Array> = batches.iter().map(|b| b.column(i).as_ref()).collect();
        columns.push(arrow_select::concat::concat(&arrays).map_err(|e| parquet::errors::ParquetError::General(e.to_string()))?);
    }
    RecordBatch::try_new(Arc::clone(schema), columns).map_err(|e| parquet::errors::ParquetError::General(e.to_string()))
}
