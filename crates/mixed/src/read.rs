//! Reading the input tables: text columns plain or categorical, every
//! problem an error naming the table, column and row.

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, UInt32Type, UInt64Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::ArrowError;
use model::column::Text;
use model::{Group, Sector};

pub(crate) fn invalid(message: String) -> ArrowError {
    ArrowError::InvalidArgumentError(message)
}

/// A table by name, for messages.
pub(crate) struct Table<'a> {
    pub name: &'a str,
    pub batch: &'a RecordBatch,
}

impl<'a> Table<'a> {
    pub(crate) fn new(name: &'a str, batch: &'a RecordBatch) -> Table<'a> {
        Table { name, batch }
    }

    pub(crate) fn rows(&self) -> usize {
        self.batch.num_rows()
    }

    fn column(&self, name: &str) -> Result<&'a dyn Array, ArrowError> {
        self.batch
            .column_by_name(name)
            .map(|c| c.as_ref())
            .ok_or_else(|| {
                ArrowError::SchemaError(format!(
                    "table `{}`: expected a column `{name}`, found none",
                    self.name
                ))
            })
    }

    /// A text column, plain or categorical.
    pub(crate) fn text(&self, name: &str) -> Result<Column<'a>, ArrowError> {
        let col = self.column(name)?;
        let text = Text::of(col).ok_or_else(|| {
            ArrowError::SchemaError(format!(
                "table `{}`, column `{name}`: expected text, found {}",
                self.name,
                col.data_type()
            ))
        })?;
        Ok(Column {
            table: self.name.to_string(),
            name: name.to_string(),
            text,
        })
    }

    /// A text column that may be absent (null everywhere then).
    pub(crate) fn text_opt(&self, name: &str) -> Result<Option<Column<'a>>, ArrowError> {
        if self.batch.column_by_name(name).is_none() {
            return Ok(None);
        }
        self.text(name).map(Some)
    }

    pub(crate) fn u64s(&self, name: &str) -> Result<Vec<Option<u64>>, ArrowError> {
        let col = self.column(name)?;
        if let Some(a) = col.as_primitive_opt::<UInt64Type>() {
            return Ok(a.iter().collect());
        }
        if let Some(a) = col.as_primitive_opt::<UInt32Type>() {
            return Ok(a.iter().map(|v| v.map(u64::from)).collect());
        }
        Err(ArrowError::SchemaError(format!(
            "table `{}`, column `{name}`: expected an unsigned integer, found {}",
            self.name,
            col.data_type()
        )))
    }

    pub(crate) fn f64s(&self, name: &str) -> Result<Vec<Option<f64>>, ArrowError> {
        let col = self.column(name)?;
        col.as_primitive_opt::<Float64Type>()
            .map(|a| a.iter().collect())
            .ok_or_else(|| {
                ArrowError::SchemaError(format!(
                    "table `{}`, column `{name}`: expected Float64, found {}",
                    self.name,
                    col.data_type()
                ))
            })
    }
}

pub(crate) struct Column<'a> {
    table: String,
    name: String,
    text: Text<'a>,
}

impl<'a> Column<'a> {
    /// The value of a row; null is an error naming the row.
    pub(crate) fn get(&self, row: usize) -> Result<&'a str, ArrowError> {
        self.text.get(row).ok_or_else(|| {
            invalid(format!(
                "table `{}`, column `{}`, row {}: expected a value, found null",
                self.table,
                self.name,
                row + 1
            ))
        })
    }

    pub(crate) fn opt(&self, row: usize) -> Option<&'a str> {
        self.text.get(row)
    }

    pub(crate) fn group(&self, row: usize) -> Result<Group, ArrowError> {
        let g = self.get(row)?;
        Group::from_code(g).ok_or_else(|| {
            invalid(format!(
                "table `{}`, column `{}`, row {}: unknown stakeholder group `{g}`",
                self.table,
                self.name,
                row + 1
            ))
        })
    }

    pub(crate) fn sector(&self, row: usize) -> Result<Sector, ArrowError> {
        let s = self.get(row)?;
        Sector::from_code(s).ok_or_else(|| {
            invalid(format!(
                "table `{}`, column `{}`, row {}: unknown sector `{s}`",
                self.table,
                self.name,
                row + 1
            ))
        })
    }
}
