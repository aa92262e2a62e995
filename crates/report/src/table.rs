//! The published tables as the views read them: cells looked up in the
//! Arrow columns in place, rows picked by index. Nothing is copied, so a
//! view costs what it shows, not the size of the tables it reads.
//!
//! A cell reads as it did when rows were JSON objects:
//! `Utf8` (plain or dictionary-encoded, see [`model::column::Text`]) is
//! text, `Boolean` a flag, integers and `Float64` numbers (a
//! non-finite float is empty), and every other type is an empty cell.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type,
    UInt64Type,
};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use model::column::Text;

/// How a column's cells read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Flag,
    Signed,
    Unsigned,
    Float,
    /// A type a report does not read: every cell is empty.
    Empty,
}

struct Column<'a> {
    name: &'a str,
    array: &'a dyn Array,
    kind: Kind,
    /// The column's text, when it is text (plain or dictionary-encoded).
    text: Option<Text<'a>>,
}

/// A cell's value, as far as the views distinguish values.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Value<'a> {
    Null,
    Text(&'a str),
    Flag(bool),
    Signed(i64),
    Unsigned(u64),
    Float(f64),
}

impl<'a> Column<'a> {
    fn value(&self, i: usize) -> Value<'a> {
        let a = self.array;
        if let Some(text) = self.text {
            return text.get(i).map_or(Value::Null, Value::Text);
        }
        if self.kind == Kind::Empty || a.is_null(i) {
            return Value::Null;
        }
        match (self.kind, a.data_type()) {
            (Kind::Flag, _) => Value::Flag(a.as_boolean().value(i)),
            (_, DataType::Int8) => Value::Signed(a.as_primitive::<Int8Type>().value(i).into()),
            (_, DataType::Int16) => Value::Signed(a.as_primitive::<Int16Type>().value(i).into()),
            (_, DataType::Int32) => Value::Signed(a.as_primitive::<Int32Type>().value(i).into()),
            (_, DataType::Int64) => Value::Signed(a.as_primitive::<Int64Type>().value(i)),
            (_, DataType::UInt8) => Value::Unsigned(a.as_primitive::<UInt8Type>().value(i).into()),
            (_, DataType::UInt16) => {
                Value::Unsigned(a.as_primitive::<UInt16Type>().value(i).into())
            }
            (_, DataType::UInt32) => {
                Value::Unsigned(a.as_primitive::<UInt32Type>().value(i).into())
            }
            (_, DataType::UInt64) => Value::Unsigned(a.as_primitive::<UInt64Type>().value(i)),
            (_, DataType::Float64) => {
                let v = a.as_primitive::<Float64Type>().value(i);
                if v.is_finite() {
                    Value::Float(v)
                } else {
                    Value::Null
                }
            }
            _ => Value::Null,
        }
    }
}

/// One table's columns by name.
pub(crate) struct Table<'a> {
    columns: Vec<Column<'a>>,
    len: usize,
}

impl<'a> Table<'a> {
    pub(crate) fn new(batch: &'a RecordBatch) -> Self {
        let columns = batch
            .schema_ref()
            .fields()
            .iter()
            .zip(batch.columns())
            .map(|(field, array)| {
                let text = Text::of(array.as_ref());
                let kind = match array.data_type() {
                    _ if text.is_some() => Kind::Text,
                    DataType::Boolean => Kind::Flag,
                    DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64 => {
                        Kind::Signed
                    }
                    DataType::UInt8 | DataType::UInt16 | DataType::UInt32 | DataType::UInt64 => {
                        Kind::Unsigned
                    }
                    DataType::Float64 => Kind::Float,
                    _ => Kind::Empty,
                };
                Column {
                    name: field.name().as_str(),
                    array: array.as_ref(),
                    kind,
                    text,
                }
            })
            .collect();
        Table {
            columns,
            len: batch.num_rows(),
        }
    }

    /// The column of this name; the last one if two share it (as a JSON
    /// object built column by column kept the last).
    fn column(&self, name: &str) -> Option<&Column<'a>> {
        self.columns.iter().rev().find(|c| c.name == name)
    }
}

/// One row of a table.
#[derive(Clone, Copy)]
pub(crate) struct Row<'a> {
    table: &'a Table<'a>,
    index: usize,
}

impl<'a> Row<'a> {
    fn value(&self, key: &str) -> Option<Value<'a>> {
        let table: &'a Table<'a> = self.table;
        table.column(key).map(|c| c.value(self.index))
    }

    /// Whether the table has this column (a null cell counts).
    pub(crate) fn has(&self, key: &str) -> bool {
        self.table.column(key).is_some()
    }

    pub(crate) fn text(&self, key: &str) -> Option<&'a str> {
        match self.value(key)? {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    /// Any finite number, integers included.
    pub(crate) fn float(&self, key: &str) -> Option<f64> {
        match self.value(key)? {
            Value::Signed(v) => Some(v as f64),
            Value::Unsigned(v) => Some(v as f64),
            Value::Float(v) => Some(v),
            _ => None,
        }
    }

    /// A non-negative integer (never a float, even a whole one).
    pub(crate) fn count(&self, key: &str) -> Option<u64> {
        match self.value(key)? {
            Value::Signed(v) => u64::try_from(v).ok(),
            Value::Unsigned(v) => Some(v),
            _ => None,
        }
    }

    pub(crate) fn flag(&self, key: &str) -> bool {
        matches!(self.value(key), Some(Value::Flag(true)))
    }

    /// The cell as JSON shows it, without the quotes of a string (`null`
    /// when empty); an empty string when there is no such column.
    pub(crate) fn shown(&self, key: &str) -> String {
        let json = match self.value(key) {
            None => return String::new(),
            Some(Value::Null) => serde_json::Value::Null,
            Some(Value::Text(s)) => serde_json::Value::from(s),
            Some(Value::Flag(b)) => serde_json::Value::from(b),
            Some(Value::Signed(v)) => serde_json::Value::from(v),
            Some(Value::Unsigned(v)) => serde_json::Value::from(v),
            Some(Value::Float(v)) => serde_json::Value::from(v),
        };
        json.to_string().trim_matches('"').to_string()
    }
}

/// Every table of a report's input, read once.
pub(crate) struct Tables<'a> {
    tables: BTreeMap<&'a str, (Table<'a>, Vec<u32>)>,
}

impl<'a> Tables<'a> {
    pub(crate) fn new(batches: &'a BTreeMap<String, &'a RecordBatch>) -> Self {
        let tables = batches
            .iter()
            .map(|(name, batch)| {
                let table = Table::new(batch);
                let all = (0..index(table.len)).collect();
                (name.as_str(), (table, all))
            })
            .collect();
        Tables { tables }
    }
}

fn index(i: usize) -> u32 {
    u32::try_from(i).expect("a table of fewer than 2^32 rows")
}

/// Some rows of each table.
pub(crate) struct Selection<'a> {
    tables: BTreeMap<&'a str, (&'a Table<'a>, Cow<'a, [u32]>)>,
}

/// For each table, the rows of each site and the rows of no site.
pub(crate) struct SiteIndex<'a> {
    tables: BTreeMap<&'a str, BySite<'a>>,
}

/// One table's rows of no site, and of each site.
type BySite<'a> = (Vec<u32>, HashMap<&'a str, Vec<u32>>);

impl<'a> Selection<'a> {
    /// Every row.
    pub(crate) fn all(tables: &'a Tables<'a>) -> Self {
        Selection {
            tables: tables
                .tables
                .iter()
                .map(|(name, (t, all))| (*name, (t, Cow::Borrowed(all.as_slice()))))
                .collect(),
        }
    }

    /// The rows `keep` keeps, in order.
    pub(crate) fn filter(tables: &'a Tables<'a>, keep: impl Fn(Row<'a>) -> bool) -> Self {
        Selection {
            tables: tables
                .tables
                .iter()
                .map(|(name, (table, all))| {
                    let rows: Vec<u32> = all
                        .iter()
                        .copied()
                        .filter(|&i| {
                            keep(Row {
                                table,
                                index: i as usize,
                            })
                        })
                        .collect();
                    (*name, (table, Cow::Owned(rows)))
                })
                .collect(),
        }
    }

    pub(crate) fn has(&self, table: &str) -> bool {
        self.tables.contains_key(table)
    }

    /// The selected rows of a table, in order (none when it is not an input).
    pub(crate) fn rows<'s>(&'s self, table: &str) -> Rows<'s, 'a> {
        match self.tables.get(table) {
            Some((t, rows)) => Rows {
                table: Some(t),
                indices: rows,
            },
            None => Rows {
                table: None,
                indices: &[],
            },
        }
    }

    /// The rows of each site, by table.
    pub(crate) fn site_index(&self) -> SiteIndex<'a> {
        let tables = self
            .tables
            .iter()
            .map(|(name, (table, rows))| {
                let mut none = Vec::new();
                let mut by: HashMap<&'a str, Vec<u32>> = HashMap::new();
                for &i in rows.iter() {
                    match (Row {
                        table,
                        index: i as usize,
                    })
                    .text("site")
                    {
                        Some(site) => by.entry(site).or_default().push(i),
                        None => none.push(i),
                    }
                }
                (*name, (none, by))
            })
            .collect();
        SiteIndex { tables }
    }

    /// One site's rows: those that name this site or no site, in order;
    /// the `keep_all` tables whole.
    pub(crate) fn for_site<'s>(
        &'s self,
        index: &'s SiteIndex<'a>,
        site: &str,
        keep_all: &str,
    ) -> Selection<'s>
    where
        'a: 's,
    {
        let tables = self
            .tables
            .iter()
            .map(|(name, (table, rows))| {
                let table: &'s Table<'s> = table;
                if *name == keep_all {
                    return (*name, (table, Cow::Borrowed(&rows[..])));
                }
                let empty: &[u32] = &[];
                let (none, by) = index
                    .tables
                    .get(name)
                    .map(|(n, b)| (n.as_slice(), b.get(site)))
                    .unwrap_or((empty, None));
                let this = by.map(Vec::as_slice).unwrap_or(empty);
                (*name, (table, Cow::Owned(merge(none, this))))
            })
            .collect();
        Selection { tables }
    }
}

/// Two ascending lists as one.
fn merge(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] <= b[j] {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// Some rows of one table.
#[derive(Clone, Copy)]
pub(crate) struct Rows<'s, 'a> {
    table: Option<&'a Table<'a>>,
    indices: &'s [u32],
}

impl<'s, 'a: 's> Rows<'s, 'a> {
    pub(crate) fn iter(&self) -> impl Iterator<Item = Row<'a>> + Clone + 's {
        let table = self.table;
        let indices: &'s [u32] = if table.is_some() { self.indices } else { &[] };
        indices.iter().filter_map(move |&i| {
            Some(Row {
                table: table?,
                index: i as usize,
            })
        })
    }

    pub(crate) fn first(&self) -> Option<Row<'a>> {
        self.iter().next()
    }
}

impl<'s, 'a: 's> IntoIterator for Rows<'s, 'a> {
    type Item = Row<'a>;
    type IntoIter = Box<dyn Iterator<Item = Row<'a>> + 's>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

/// A row, or a reference to one: what the cell readers take.
pub(crate) trait AsRow<'a> {
    fn row(&self) -> Row<'a>;
}

impl<'a> AsRow<'a> for Row<'a> {
    fn row(&self) -> Row<'a> {
        *self
    }
}

impl<'a, T: AsRow<'a> + ?Sized> AsRow<'a> for &T {
    fn row(&self) -> Row<'a> {
        (**self).row()
    }
}
