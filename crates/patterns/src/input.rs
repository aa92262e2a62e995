//! Typed, checked access to input batches: a missing column, a wrong type
//! or a null where the schema forbids one is an error that names the table,
//! the column and the row (`file:line` when the row carries provenance).

use std::collections::BTreeMap;

use arrow_array::cast::AsArray;
use arrow_array::types::{Int8Type, UInt32Type};
use arrow_array::{Array, BooleanArray, RecordBatch, StringArray};
use arrow_schema::{ArrowError, DataType};
use model::Sector;

use crate::settings::invalid;

/// One input table with its name, for messages.
#[derive(Clone, Copy)]
pub(crate) struct Table<'a> {
    pub name: &'a str,
    pub batch: &'a RecordBatch,
}

impl<'a> Table<'a> {
    pub fn new(name: &'a str, batch: &'a RecordBatch) -> Self {
        Table { name, batch }
    }

    pub fn rows(&self) -> usize {
        self.batch.num_rows()
    }

    fn column(&self, name: &str, want: &DataType) -> Result<&'a dyn Array, ArrowError> {
        let Some(col) = self.batch.column_by_name(name) else {
            return Err(ArrowError::SchemaError(format!(
                "table `{}`: expected a column `{name}`, found none",
                self.name
            )));
        };
        if col.data_type() != want {
            return Err(ArrowError::SchemaError(format!(
                "table `{}`, column `{name}`: expected {want}, found {}",
                self.name,
                col.data_type()
            )));
        }
        Ok(col.as_ref())
    }

    pub fn utf8(&self, name: &'a str) -> Result<Utf8Col<'a>, ArrowError> {
        let arr = self.column(name, &DataType::Utf8)?.as_string_opt::<i32>();
        let arr = arr.ok_or_else(|| ArrowError::SchemaError(format!("table `{}`, column `{name}`: not Utf8", self.name)))?;
        Ok(Utf8Col { table: *self, name, arr })
    }

    pub fn bool(&self, name: &'a str) -> Result<BoolCol<'a>, ArrowError> {
        let arr = self.column(name, &DataType::Boolean)?.as_boolean_opt();
        let arr =
            arr.ok_or_else(|| ArrowError::SchemaError(format!("table `{}`, column `{name}`: not Boolean", self.name)))?;
        Ok(BoolCol { table: *self, name, arr })
    }

    /// A nullable Int8 code column, read as `Option<i8>`.
    pub fn codes(&self, name: &str) -> Result<Vec<Option<i8>>, ArrowError> {
        let arr = self.column(name, &DataType::Int8)?.as_primitive_opt::<Int8Type>();
        let arr = arr.ok_or_else(|| ArrowError::SchemaError(format!("table `{}`, column `{name}`: not Int8", self.name)))?;
        Ok(arr.iter().collect())
    }

    /// Where row `i` came from: `file:line` when the table carries
    /// provenance, else `row i`.
    pub fn locate(&self, i: usize) -> String {
        let file = self.batch.column_by_name(model::schema::SOURCE_FILE).and_then(|c| c.as_string_opt::<i32>());
        let line = self.batch.column_by_name(model::schema::SOURCE_LINE).and_then(|c| c.as_primitive_opt::<UInt32Type>());
        match (file, line) {
            (Some(f), Some(l)) if i < f.len() && i < l.len() && f.is_valid(i) && l.is_valid(i) => {
                format!("{}:{}", f.value(i), l.value(i))
            }
            _ => format!("row {}", i + 1),
        }
    }
}

pub(crate) struct Utf8Col<'a> {
    table: Table<'a>,
    name: &'a str,
    arr: &'a StringArray,
}

impl<'a> Utf8Col<'a> {
    /// The value at row `i`; a null is an error.
    pub fn get(&self, i: usize) -> Result<&'a str, ArrowError> {
        if i >= self.arr.len() || self.arr.is_null(i) {
            return Err(invalid(format!(
                "table `{}`, column `{}`, {}: expected a value, found null",
                self.table.name,
                self.name,
                self.table.locate(i)
            )));
        }
        Ok(self.arr.value(i))
    }
}

pub(crate) struct BoolCol<'a> {
    table: Table<'a>,
    name: &'a str,
    arr: &'a BooleanArray,
}

impl BoolCol<'_> {
    pub fn get(&self, i: usize) -> Result<bool, ArrowError> {
        if i >= self.arr.len() || self.arr.is_null(i) {
            return Err(invalid(format!(
                "table `{}`, column `{}`, {}: expected true or false, found null",
                self.table.name,
                self.name,
                self.table.locate(i)
            )));
        }
        Ok(self.arr.value(i))
    }
}

/// One site of the register, as this crate needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SiteInfo {
    pub sector: Sector,
    pub partnership: bool,
    pub bme_focus: bool,
    pub has_data: bool,
}

/// The site register (`model::schema::sites()`), keyed by site label. A
/// `BTreeMap`, so iterating it gives the output order: by label.
pub(crate) fn site_register(sites: &RecordBatch) -> Result<BTreeMap<String, SiteInfo>, ArrowError> {
    let t = Table::new("sites", sites);
    let site = t.utf8("site")?;
    let sector = t.utf8("sector")?;
    let partnership = t.bool("partnership")?;
    let bme = t.bool("bme_focus")?;
    let has_data = t.bool("has_data")?;
    let mut out = BTreeMap::new();
    for i in 0..t.rows() {
        let label = site.get(i)?;
        let code = sector.get(i)?;
        let Some(sec) = Sector::from_code(code) else {
            return Err(invalid(format!(
                "table `sites`, column `sector`, {}: expected `statutory` or `voluntary`, found `{code}`",
                t.locate(i)
            )));
        };
        let info =
            SiteInfo { sector: sec, partnership: partnership.get(i)?, bme_focus: bme.get(i)?, has_data: has_data.get(i)? };
        if out.insert(label.to_string(), info).is_some() {
            return Err(invalid(format!("table `sites`: site `{label}` is listed twice")));
        }
    }
    Ok(out)
}

/// Look a site up in the register; an unknown site is an error.
pub(crate) fn known_site<'r>(
    register: &'r BTreeMap<String, SiteInfo>,
    t: &Table<'_>,
    i: usize,
    label: &str,
) -> Result<&'r SiteInfo, ArrowError> {
    register.get(label).ok_or_else(|| {
        invalid(format!("table `{}`, {}: site `{label}` is not in the site register", t.name, t.locate(i)))
    })
}

/// The key order of factors (or outcomes): the settings' list when given,
/// else the codes found, sorted. With a list, an unlisted code is an error.
pub(crate) struct KeyOrder {
    codes: Vec<String>,
    strict: bool,
}

impl KeyOrder {
    pub fn new(listed: &[String]) -> Self {
        KeyOrder { codes: listed.to_vec(), strict: !listed.is_empty() }
    }

    /// Note a code seen in the input at `t`, row `i`.
    pub fn see(&mut self, what: &str, code: &str, t: &Table<'_>, i: usize) -> Result<(), ArrowError> {
        if self.codes.iter().any(|c| c == code) {
            return Ok(());
        }
        if self.strict {
            return Err(invalid(format!(
                "table `{}`, {}: {what} `{code}` is not in the settings' list of {what}s",
                t.name,
                t.locate(i)
            )));
        }
        self.codes.push(code.to_string());
        Ok(())
    }

    /// The codes in output order.
    pub fn finish(mut self) -> Vec<String> {
        if !self.strict {
            self.codes.sort();
        }
        self.codes
    }
}

/// The count slot of a four-way answer (1, 2, 3, 9: in place / partly /
/// not / don't know, or yes / partly / no / don't know); `None` for a
/// missing answer; any other code is an error naming the row.
pub(crate) fn answer_slot(t: &Table, column: &str, i: usize, code: Option<i8>) -> Result<Option<usize>, ArrowError> {
    Ok(match code {
        None => None,
        Some(1) => Some(0),
        Some(2) => Some(1),
        Some(3) => Some(2),
        Some(9) => Some(3),
        Some(other) => {
            return Err(invalid(format!(
                "table `{}`, column `{column}`, {}: expected 1, 2, 3, 9 or empty, found {other}",
                t.name,
                t.locate(i)
            )));
        }
    })
}
