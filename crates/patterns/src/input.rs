//! Typed, checked access to input batches: a missing column, a wrong type
//! or a null where the schema forbids one is an error that names the table,
//! the column and the row (`file:line` when the row carries provenance).

use std::collections::BTreeMap;

use arrow_array::cast::AsArray;
use arrow_array::types::{Int8Type, UInt32Type};
use arrow_array::{Array, BooleanArray, RecordBatch};
use arrow_schema::{ArrowError, DataType};
use model::Sector;
use model::column::Text;

use crate::settings::invalid;

/// One input table with its name, for messages.
#[derive(Clone, Copy)]
pub(crate) struct Table<'a> {
    pub name: &'a str,
    pub batch: &'a RecordBatch,
}

impl<'a> Table<'a> {
    pub(crate) fn new(name: &'a str, batch: &'a RecordBatch) -> Self {
        Table { name, batch }
    }

    pub(crate) fn rows(&self) -> usize {
        self.batch.num_rows()
    }

    fn any_column(&self, name: &str) -> Result<&'a dyn Array, ArrowError> {
        match self.batch.column_by_name(name) {
            Some(col) => Ok(col.as_ref()),
            None => Err(ArrowError::SchemaError(format!(
                "table `{}`: expected a column `{name}`, found none",
                self.name
            ))),
        }
    }

    fn column(&self, name: &str, want: &DataType) -> Result<&'a dyn Array, ArrowError> {
        let col = self.any_column(name)?;
        if col.data_type() != want {
            return Err(ArrowError::SchemaError(format!(
                "table `{}`, column `{name}`: expected {want}, found {}",
                self.name,
                col.data_type()
            )));
        }
        Ok(col)
    }

    /// A text column, plain or categorical ([`model::column::Text`]).
    pub(crate) fn utf8(&self, name: &'a str) -> Result<Utf8Col<'a>, ArrowError> {
        let col = self.any_column(name)?;
        let text = Text::of(col).ok_or_else(|| {
            ArrowError::SchemaError(format!(
                "table `{}`, column `{name}`: expected {}, found {}",
                self.name,
                DataType::Utf8,
                col.data_type()
            ))
        })?;
        Ok(Utf8Col {
            table: *self,
            name,
            text,
        })
    }

    pub(crate) fn bool(&self, name: &'a str) -> Result<BoolCol<'a>, ArrowError> {
        let arr = self.column(name, &DataType::Boolean)?.as_boolean_opt();
        let arr = arr.ok_or_else(|| {
            ArrowError::SchemaError(format!(
                "table `{}`, column `{name}`: not Boolean",
                self.name
            ))
        })?;
        Ok(BoolCol {
            table: *self,
            name,
            arr,
        })
    }

    /// A nullable Int8 code column, read as `Option<i8>`.
    pub(crate) fn codes(&self, name: &str) -> Result<Vec<Option<i8>>, ArrowError> {
        let arr = self
            .column(name, &DataType::Int8)?
            .as_primitive_opt::<Int8Type>();
        let arr = arr.ok_or_else(|| {
            ArrowError::SchemaError(format!("table `{}`, column `{name}`: not Int8", self.name))
        })?;
        Ok(arr.iter().collect())
    }

    /// Where row `i` came from: `file:line` when the table carries
    /// provenance, else `row i`.
    pub(crate) fn locate(&self, i: usize) -> String {
        let file = model::column::text(self.batch, model::schema::SOURCE_FILE);
        let line = self
            .batch
            .column_by_name(model::schema::SOURCE_LINE)
            .and_then(|c| c.as_primitive_opt::<UInt32Type>());
        match (file, line) {
            (Some(f), Some(l)) if i < f.len() && i < l.len() && !f.is_null(i) && l.is_valid(i) => {
                format!("{}:{}", f.value(i), l.value(i))
            }
            _ => format!("row {}", i + 1),
        }
    }
}

pub(crate) struct Utf8Col<'a> {
    table: Table<'a>,
    name: &'a str,
    text: Text<'a>,
}

impl<'a> Utf8Col<'a> {
    /// The value at row `i`; a null is an error.
    pub(crate) fn get(&self, i: usize) -> Result<&'a str, ArrowError> {
        match (i < self.text.len()).then(|| self.text.get(i)).flatten() {
            Some(v) => Ok(v),
            None => Err(invalid(format!(
                "table `{}`, column `{}`, {}: expected a value, found null",
                self.table.name,
                self.name,
                self.table.locate(i)
            ))),
        }
    }
}

/// The distinct values of one text column as dense ids, in first-seen row
/// order. A categorical column is read by key: each dictionary key is
/// looked up once, not each row's text.
pub(crate) struct Distinct<'a> {
    /// Ids of the values, in first-seen order.
    pub ids: model::column::Interner<'a>,
    /// Id of each dictionary key seen so far (`u32::MAX`: not yet).
    by_key: Vec<u32>,
}

impl<'a> Distinct<'a> {
    pub(crate) fn new() -> Self {
        Distinct {
            ids: model::column::Interner::new(),
            by_key: Vec::new(),
        }
    }

    /// The id of row `i`'s value in `col` (always the same column), and
    /// whether this is the first row with that value; a null is the error
    /// of [`Utf8Col::get`].
    pub(crate) fn id(&mut self, col: &Utf8Col<'a>, i: usize) -> Result<(u32, bool), ArrowError> {
        let key = match col.text.coded() {
            Some((keys, values)) if i < keys.len() && keys.is_valid(i) => {
                if self.by_key.is_empty() {
                    self.by_key = vec![u32::MAX; values.len()];
                }
                let k = keys.value(i) as usize;
                match self.by_key.get(k) {
                    Some(&id) if id != u32::MAX => return Ok((id, false)),
                    _ => Some(k),
                }
            }
            _ => None,
        };
        let (id, new) = self.ids.get(col.get(i)?);
        if let Some(slot) = key.and_then(|k| self.by_key.get_mut(k)) {
            *slot = id;
        }
        Ok((id, new))
    }
}

/// Counts in `N` slots per pair of [`Distinct`] ids, grown as ids appear.
pub(crate) struct PairCounts<const N: usize> {
    cells: Vec<Vec<[u32; N]>>,
}

impl<const N: usize> PairCounts<N> {
    pub(crate) fn new() -> Self {
        PairCounts { cells: Vec::new() }
    }

    pub(crate) fn add(&mut self, a: u32, b: u32, slot: usize) {
        let (a, b) = (a as usize, b as usize);
        if self.cells.len() <= a {
            self.cells.resize_with(a + 1, Vec::new);
        }
        let row = &mut self.cells[a];
        if row.len() <= b {
            row.resize(b + 1, [0; N]);
        }
        row[b][slot] = row[b][slot].saturating_add(1);
    }

    /// The counts keyed by the pair's values.
    pub(crate) fn by_value<'a>(
        &self,
        a: &Distinct<'a>,
        b: &Distinct<'a>,
    ) -> BTreeMap<(&'a str, &'a str), [u32; N]> {
        let mut out = BTreeMap::new();
        for (x, row) in self.cells.iter().enumerate() {
            for (y, c) in row.iter().enumerate() {
                out.insert((a.ids.names[x], b.ids.names[y]), *c);
            }
        }
        out
    }
}

pub(crate) struct BoolCol<'a> {
    table: Table<'a>,
    name: &'a str,
    arr: &'a BooleanArray,
}

impl BoolCol<'_> {
    pub(crate) fn get(&self, i: usize) -> Result<bool, ArrowError> {
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
        let info = SiteInfo {
            sector: sec,
            partnership: partnership.get(i)?,
            bme_focus: bme.get(i)?,
            has_data: has_data.get(i)?,
        };
        if out.insert(label.to_string(), info).is_some() {
            return Err(invalid(format!(
                "table `sites`: site `{label}` is listed twice"
            )));
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
        invalid(format!(
            "table `{}`, {}: site `{label}` is not in the site register",
            t.name,
            t.locate(i)
        ))
    })
}

/// [`known_site`], which must also have data: a table row of an awaited
/// site is an error.
pub(crate) fn site_with_data(
    register: &BTreeMap<String, SiteInfo>,
    t: &Table<'_>,
    i: usize,
    label: &str,
) -> Result<(), ArrowError> {
    if known_site(register, t, i, label)?.has_data {
        return Ok(());
    }
    Err(invalid(format!(
        "table `{}`, {}: site `{label}` has answers but the register says it has no data",
        t.name,
        t.locate(i)
    )))
}

/// The key order of factors (or outcomes): the settings' list when given,
/// else the codes found, sorted. With a list, an unlisted code is an error.
pub(crate) struct KeyOrder {
    codes: Vec<String>,
    strict: bool,
}

impl KeyOrder {
    pub(crate) fn new(listed: &[String]) -> Self {
        KeyOrder {
            codes: listed.to_vec(),
            strict: !listed.is_empty(),
        }
    }

    /// Note a code seen in the input at `t`, row `i`.
    pub(crate) fn see(
        &mut self,
        what: &str,
        code: &str,
        t: &Table<'_>,
        i: usize,
    ) -> Result<(), ArrowError> {
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
    pub(crate) fn finish(mut self) -> Vec<String> {
        if !self.strict {
            self.codes.sort();
        }
        self.codes
    }
}

/// The count slot of a four-way answer (1, 2, 3, 9: in place / partly /
/// not / don't know, or yes / partly / no / don't know); `None` for a
/// missing answer; any other code is an error naming the row.
pub(crate) fn answer_slot(
    t: &Table,
    column: &str,
    i: usize,
    code: Option<i8>,
) -> Result<Option<usize>, ArrowError> {
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
