//! Text columns, read and built the same way whether they are plain or
//! dictionary-encoded.
//!
//! Why dictionary encoding: the study's tables are long (one row per
//! participant and factor; 11 million answer rows at national scale) and
//! most of their text columns repeat a handful of values (site, sector,
//! group, factor, source file) or one value per record (participant, row
//! hash). A [`category`] column stores each distinct value once and a
//! 4-byte key per row, so a row costs tens of bytes instead of ~130, and
//! renaming a value (a site code to its label, a record id to its
//! pseudonym) rewrites the dictionary, not the rows.
//!
//! Readers never care which kind they got: [`Text`] reads both.

use std::sync::Arc;

use std::collections::HashMap;

use arrow_array::builder::{ArrayBuilder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use arrow_array::{Array, ArrayRef, DictionaryArray, Int32Array, RecordBatch, StringArray};
use arrow_schema::{ArrowError, DataType, Field, SchemaRef};

/// The Arrow type of a categorical text column: `Dictionary(Int32, Utf8)`.
pub fn category_type() -> DataType {
    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
}

/// A categorical text column (dictionary-encoded), never null.
pub fn category(name: &str) -> Field {
    Field::new(name, category_type(), false)
}

/// True for a categorical (dictionary-encoded) text type.
pub fn is_category(data_type: &DataType) -> bool {
    *data_type == category_type()
}

/// Read access to a text column of either kind.
#[derive(Debug, Clone, Copy)]
pub enum Text<'a> {
    Plain(&'a StringArray),
    Coded {
        keys: &'a Int32Array,
        values: &'a StringArray,
    },
}

impl<'a> Text<'a> {
    /// The column as text, or `None` when it is neither `Utf8` nor a
    /// dictionary of `Utf8` with `Int32` keys.
    pub fn of(array: &'a dyn Array) -> Option<Text<'a>> {
        match array.data_type() {
            DataType::Utf8 => Some(Text::Plain(array.as_string::<i32>())),
            t if is_category(t) => {
                let dict = array
                    .as_any()
                    .downcast_ref::<DictionaryArray<Int32Type>>()?;
                Some(Text::Coded {
                    keys: dict.keys(),
                    values: dict.values().as_string_opt::<i32>()?,
                })
            }
            _ => None,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Text::Plain(a) => a.len(),
            Text::Coded { keys, .. } => keys.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn is_null(&self, row: usize) -> bool {
        match self {
            Text::Plain(a) => a.is_null(row),
            Text::Coded { keys, values } => {
                keys.is_null(row) || values.is_null(keys.value(row) as usize)
            }
        }
    }

    /// The row's text; `""` for a null row (as `StringArray::value` gives).
    pub fn value(&self, row: usize) -> &'a str {
        self.get(row).unwrap_or("")
    }

    /// The row's text, `None` when null.
    pub fn get(&self, row: usize) -> Option<&'a str> {
        match self {
            Text::Plain(a) => (!a.is_null(row)).then(|| a.value(row)),
            Text::Coded { keys, values } => {
                if keys.is_null(row) {
                    return None;
                }
                let k = keys.value(row) as usize;
                (!values.is_null(k)).then(|| values.value(k))
            }
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = Option<&'a str>> + '_ {
        (0..self.len()).map(|row| self.get(row))
    }

    /// For a dictionary column: the dictionary's values and each row's key
    /// (a scan can look at each distinct value once).
    pub fn coded(&self) -> Option<(&'a Int32Array, &'a StringArray)> {
        match self {
            Text::Plain(_) => None,
            Text::Coded { keys, values } => Some((keys, values)),
        }
    }
}

/// The text column `name` of `batch`, or `None` when it is missing or not text.
pub fn text<'a>(batch: &'a RecordBatch, name: &str) -> Option<Text<'a>> {
    batch
        .column_by_name(name)
        .and_then(|c| Text::of(c.as_ref()))
}

/// The hasher of text lookups (codes, record ids): FxHash, much cheaper
/// than the default SipHash, and used for lookups only, so it never decides
/// an order or an output.
pub type FastHash = rustc_hash::FxBuildHasher;

/// Text -> dense id in first-seen order, for text borrowed from the table
/// being read (nothing copied). The last row's answer is remembered and the
/// id after it tried first: rows come in runs (one participant's rows) and
/// cycles (a participant's factors, in the order first seen).
#[derive(Debug, Default)]
pub struct Interner<'a> {
    /// The text of each id.
    pub names: Vec<&'a str>,
    index: HashMap<&'a str, u32, FastHash>,
    last: Option<(&'a str, u32)>,
}

impl<'a> Interner<'a> {
    pub fn new() -> Self {
        Self::default()
    }
    /// (id, whether `s` was new).
    pub fn get(&mut self, s: &'a str) -> (u32, bool) {
        if let Some((l, i)) = self.last {
            if l == s {
                return (i, false);
            }
            let next = (i as usize + 1) % self.names.len();
            if self.names[next] == s {
                self.last = Some((self.names[next], next as u32));
                return (next as u32, false);
            }
        }
        let next = u32::try_from(self.names.len()).expect("fewer than 2^32 distinct values");
        let mut new = false;
        let i = *self.index.entry(s).or_insert_with(|| {
            new = true;
            next
        });
        if new {
            self.names.push(s);
        }
        self.last = Some((s, i));
        (i, new)
    }
}

/// Builds a categorical column row by row: each distinct value stored once,
/// in order of first appearance (so the same rows give the same column).
/// Rows of one record come in runs (a participant's 22 answers), so a value
/// equal to the previous row's reuses its key without a lookup.
#[derive(Debug, Default)]
pub struct Categories {
    keys: Vec<i32>,
    nulls: Option<Vec<bool>>,
    values: StringBuilder,
    /// [`text_hash`] of a value -> its key. The value itself is in `values`; a
    /// value whose hash another value already holds goes to `collided`
    /// (rare), so no value is copied into the index.
    index: HashMap<u64, i32, std::hash::BuildHasherDefault<Prehashed>>,
    collided: HashMap<Box<str>, i32, FastHash>,
    last: Option<i32>,
}

/// For keys that are already hashes.
#[derive(Debug, Default, Clone, Copy)]
struct Prehashed(u64);

impl std::hash::Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[cfg(not(test))]
fn text_hash(bytes: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    FastHash::default().hash_one(bytes)
}

/// In this crate's tests, a hash with only four values: most distinct
/// values collide, so the collision path is what the tests exercise.
#[cfg(test)]
fn text_hash(bytes: &[u8]) -> u64 {
    bytes.iter().map(|&b| u64::from(b)).sum::<u64>() % 4
}

impl Categories {
    pub fn new() -> Self {
        Self::default()
    }
    /// Room for `rows` rows, `values` distinct values of `bytes` bytes in all.
    pub fn with_capacity(rows: usize, values: usize, bytes: usize) -> Self {
        Categories {
            keys: Vec::with_capacity(rows),
            values: StringBuilder::with_capacity(values, bytes),
            index: HashMap::with_capacity_and_hasher(values, Default::default()),
            ..Self::default()
        }
    }
    /// The key of `value`, stored in the dictionary if new (no row added).
    pub fn intern(&mut self, value: &str) -> i32 {
        match self.last {
            Some(k) if self.value_bytes(k) == value.as_bytes() => k,
            _ => {
                let hash = text_hash(value.as_bytes());
                match self.index.get(&hash) {
                    Some(&k) if self.value_bytes(k) == value.as_bytes() => k,
                    Some(_) => match self.collided.get(value) {
                        Some(&k) => k,
                        None => {
                            let k = self.push_value(value);
                            self.collided.insert(value.into(), k);
                            k
                        }
                    },
                    None => {
                        let k = self.push_value(value);
                        self.index.insert(hash, k);
                        k
                    }
                }
            }
        }
    }
    fn push_value(&mut self, value: &str) -> i32 {
        let k = i32::try_from(self.values.len()).expect("fewer than 2^31 distinct values");
        self.values.append_value(value);
        k
    }
    /// `n` rows of the value whose key [`Categories::intern`] gave.
    pub fn append_key(&mut self, key: i32, n: usize) {
        assert!(
            (key as usize) < self.values.len(),
            "a key from this builder's intern"
        );
        self.last = Some(key);
        self.keys.extend(std::iter::repeat_n(key, n));
        if let Some(valid) = &mut self.nulls {
            valid.extend(std::iter::repeat_n(true, n));
        }
    }
    pub fn append(&mut self, value: &str) {
        self.append_n(value, 1);
    }
    /// `n` rows of `value` (one lookup).
    pub fn append_n(&mut self, value: &str, n: usize) {
        let key = self.intern(value);
        self.append_key(key, n);
    }
    pub fn append_null(&mut self) {
        let n = self
            .nulls
            .get_or_insert_with(|| vec![true; self.keys.len()]);
        n.push(false);
        self.keys.push(0);
    }
    pub fn append_option(&mut self, value: Option<&str>) {
        match value {
            Some(v) => self.append(v),
            None => self.append_null(),
        }
    }
    fn value_bytes(&self, key: i32) -> &[u8] {
        let offsets = self.values.offsets_slice();
        &self.values.values_slice()
            [offsets[key as usize] as usize..offsets[key as usize + 1] as usize]
    }
    pub fn finish(mut self) -> ArrayRef {
        let keys = match self.nulls {
            None => Int32Array::from(self.keys),
            Some(valid) => self
                .keys
                .iter()
                .zip(valid)
                .map(|(&k, v)| v.then_some(k))
                .collect(),
        };
        let values = self.values.finish();
        // Keys are in range by construction; a null row's key 0 needs a value.
        let values = if values.is_empty() {
            StringArray::from(vec![""])
        } else {
            values
        };
        Arc::new(
            DictionaryArray::<Int32Type>::try_new(keys, Arc::new(values))
                .expect("keys index the dictionary"),
        )
    }
}

/// Categorical columns end to end, as one categorical column. Each
/// distinct dictionary (by identity, not content) is looked at once, and
/// only the values some row uses are kept: slices of one table (a site's
/// rows of last run's table) cost their keys only. `None` when a column is
/// not categorical.
pub fn concat(columns: &[&dyn Array]) -> Option<ArrayRef> {
    let rows = columns.iter().map(|c| c.len()).sum();
    let mut merged = Categories::with_capacity(rows, 0, 0);
    // (identity of a dictionary, its keys' new keys; -1 = not yet seen)
    let mut remaps: HashMap<(usize, usize, usize), Vec<i32>> = HashMap::new();
    for column in columns {
        let (keys, values) = Text::of(*column)?.coded()?;
        let id = (
            values.values().as_ptr() as usize,
            values.value_offsets().as_ptr() as usize,
            values.len(),
        );
        let remap = remaps.entry(id).or_insert_with(|| vec![-1; values.len()]);
        if keys.null_count() == 0
            && values.null_count() == 0
            && keys.values().iter().all(|&k| (k as usize) < values.len())
        {
            // The usual case: every row has a value; keys mapped in one pass.
            for &k in keys.values().iter() {
                if remap[k as usize] < 0 {
                    remap[k as usize] = merged.intern(values.value(k as usize));
                }
            }
            merged
                .keys
                .extend(keys.values().iter().map(|&k| remap[k as usize]));
            if let Some(valid) = &mut merged.nulls {
                valid.extend(std::iter::repeat_n(true, keys.len()));
            }
            merged.last = None;
            continue;
        }
        for row in 0..keys.len() {
            let k = keys.value(row) as usize;
            if keys.is_null(row) || k >= values.len() || values.is_null(k) {
                merged.append_null();
                continue;
            }
            if remap[k] < 0 {
                remap[k] = merged.intern(values.value(k));
            }
            merged.append_key(remap[k], 1);
        }
    }
    Some(merged.finish())
}

/// `batches` (each of `schema`) end to end: categorical columns with
/// [`concat`], the others with Arrow's own concatenation. A reused site's
/// rows are slices of last run's tables, sharing one dictionary, which
/// Arrow's concatenation would merge once per slice.
pub fn concat_batches(
    schema: &SchemaRef,
    batches: &[RecordBatch],
) -> Result<RecordBatch, ArrowError> {
    let mut columns = Vec::with_capacity(schema.fields().len());
    for (i, field) in schema.fields().iter().enumerate() {
        let parts: Vec<&dyn Array> = batches.iter().map(|b| b.column(i).as_ref()).collect();
        let joined = if is_category(field.data_type()) {
            concat(&parts)
        } else {
            None
        };
        columns.push(match joined {
            Some(c) => c,
            None => arrow_select::concat::concat(&parts)?,
        });
    }
    let rows = batches.iter().map(|b| b.num_rows()).sum();
    RecordBatch::try_new_with_options(
        schema.clone(),
        columns,
        &arrow_array::RecordBatchOptions::new().with_row_count(Some(rows)),
    )
}

/// `values` as a categorical column.
pub fn categories<S: AsRef<str>>(values: impl IntoIterator<Item = Option<S>>) -> ArrayRef {
    let mut b = Categories::new();
    for v in values {
        b.append_option(v.as_ref().map(|s| s.as_ref()));
    }
    b.finish()
}

/// A categorical column whose rows take `keys` into `dictionary`: for a
/// column whose values are renamed, the dictionary is renamed and the keys
/// are shared.
pub fn recoded(keys: Int32Array, dictionary: StringArray) -> Result<ArrayRef, ArrowError> {
    Ok(Arc::new(DictionaryArray::<Int32Type>::try_new(
        keys,
        Arc::new(dictionary),
    )?))
}

/// A batch of `schema` from `columns`, any plain text column encoded as a
/// dictionary where the schema asks for a categorical one (and a
/// categorical one decoded where it asks for plain text). For code that
/// builds tables from plain strings, tests above all.
pub fn conform(schema: SchemaRef, columns: Vec<ArrayRef>) -> Result<RecordBatch, ArrowError> {
    let columns = schema
        .fields()
        .iter()
        .zip(columns)
        .map(|(field, column)| {
            let (want, got) = (field.data_type(), column.data_type().clone());
            if is_category(want) && got == DataType::Utf8 {
                categories(column.as_string::<i32>().iter())
            } else if *want == DataType::Utf8 && is_category(&got) {
                let text = Text::of(column.as_ref()).expect("a categorical column");
                Arc::new(text.iter().collect::<StringArray>()) as ArrayRef
            } else {
                column
            }
        })
        .collect();
    RecordBatch::try_new(schema, columns)
}

/// For the tests of crates that read the model's tables: the same batch
/// with its text encoded differently, which must give the same results.
pub mod testing {
    use std::sync::Arc;

    use arrow_array::{Int32Array, RecordBatch, StringArray};
    use arrow_schema::{DataType, Schema};

    use super::{Text, conform, is_category, recoded};

    /// `b` with every categorical column decoded to plain Utf8, as the
    /// tables were before their repeated text became categorical.
    pub fn plain(b: &RecordBatch) -> RecordBatch {
        let fields: Vec<_> = b
            .schema()
            .fields()
            .iter()
            .map(|f| {
                let t = if is_category(f.data_type()) {
                    DataType::Utf8
                } else {
                    f.data_type().clone()
                };
                f.as_ref().clone().with_data_type(t)
            })
            .collect();
        conform(Arc::new(Schema::new(fields)), b.columns().to_vec())
            .expect("a batch of text columns")
    }

    /// `b` with column `name` recoded through a dictionary that lists each
    /// value twice (rows alternate between the copies), out of order, after
    /// one value no row uses: keys differ, text does not.
    pub fn recoded_oddly(b: &RecordBatch, name: &str) -> RecordBatch {
        let idx = b.schema().index_of(name).expect("a column of the batch");
        let text = Text::of(b.column(idx).as_ref()).expect("a text column");
        let mut dictionary: Vec<Option<String>> = vec![Some("unused".into())];
        let mut keys = Vec::new();
        for (i, v) in text.iter().enumerate() {
            let v = v.map(str::to_string);
            let copies: Vec<usize> = (0..dictionary.len())
                .filter(|&k| dictionary[k] == v)
                .collect();
            if copies.is_empty() {
                dictionary.splice(1..1, [v.clone(), v]);
                keys.iter_mut().for_each(|k| *k += 2);
                keys.push(1 + i % 2);
            } else {
                keys.push(copies[i % copies.len()]);
            }
        }
        let keys: Int32Array = keys.into_iter().map(|k| k as i32).collect();
        let mut cols = b.columns().to_vec();
        cols[idx] =
            recoded(keys, StringArray::from(dictionary)).expect("keys index the dictionary");
        let out = RecordBatch::try_new(b.schema(), cols).expect("the same schema");
        let got = Text::of(out.column(idx).as_ref()).expect("a text column");
        assert_eq!(
            got.iter().collect::<Vec<_>>(),
            text.iter().collect::<Vec<_>>()
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_schema::Schema;

    #[test]
    fn plain_and_coded_columns_read_alike() {
        let plain: ArrayRef = Arc::new(StringArray::from(vec![
            Some("b"),
            None,
            Some("a"),
            Some("b"),
        ]));
        let coded = categories(Text::of(plain.as_ref()).unwrap().iter());
        assert_eq!(coded.data_type(), &category_type());
        let (p, c) = (
            Text::of(plain.as_ref()).unwrap(),
            Text::of(coded.as_ref()).unwrap(),
        );
        assert_eq!(
            p.iter().collect::<Vec<_>>(),
            vec![Some("b"), None, Some("a"), Some("b")]
        );
        assert_eq!(c.iter().collect::<Vec<_>>(), p.iter().collect::<Vec<_>>());
        assert!(c.is_null(1) && !c.is_null(0));
        assert_eq!(c.value(1), "");
        let (keys, values) = c.coded().unwrap();
        assert_eq!(values.len(), 2, "each distinct value once");
        assert_eq!(keys.value(0), keys.value(3));
        assert!(p.coded().is_none());
    }

    #[test]
    fn conform_encodes_and_decodes_as_the_schema_asks() {
        let schema = Arc::new(Schema::new(vec![
            category("site"),
            Field::new("text", DataType::Utf8, true),
        ]));
        let site: ArrayRef = Arc::new(StringArray::from(vec!["Site A", "Site A"]));
        let text = categories([Some("x"), None::<&str>]);
        let b = conform(schema.clone(), vec![site, text]).unwrap();
        assert_eq!(b.schema(), schema);
        assert_eq!(super::text(&b, "site").unwrap().value(1), "Site A");
        assert_eq!(super::text(&b, "text").unwrap().get(1), None);
        assert!(super::text(&b, "nothing").is_none());
    }

    #[test]
    fn building_by_key_and_by_run_is_building_row_by_row() {
        let rows = [
            Some("F1"),
            Some("F2"),
            Some("F2"),
            None,
            Some("F1"),
            Some("F3"),
            Some("F3"),
            Some("F3"),
        ];
        let one_by_one = categories(rows);
        let mut b = Categories::new();
        let (f1, f2) = (b.intern("F1"), b.intern("F2"));
        b.append_key(f1, 1);
        b.append_key(f2, 2);
        b.append_null();
        b.append_key(f1, 1);
        b.append_n("F3", 3);
        let built = b.finish();
        let read = |a: &ArrayRef| {
            Text::of(a.as_ref())
                .unwrap()
                .iter()
                .map(|v| v.map(str::to_string))
                .collect::<Vec<_>>()
        };
        assert_eq!(read(&built), read(&one_by_one));
        assert_eq!(read(&built)[3], None);
        assert_eq!(
            Text::of(built.as_ref()).unwrap().coded().unwrap().1.len(),
            3
        );
    }

    #[test]
    fn colliding_hashes_still_give_each_value_one_key() {
        let values: Vec<String> = (0..200).map(|i| format!("S{:02}-{i:04}", i % 7)).collect();
        let mut b = Categories::new();
        let keys: Vec<i32> = values.iter().map(|v| b.intern(v)).collect();
        let again: Vec<i32> = values.iter().rev().map(|v| b.intern(v)).collect();
        assert_eq!(keys.iter().rev().copied().collect::<Vec<_>>(), again);
        let distinct: std::collections::BTreeSet<i32> = keys.iter().copied().collect();
        assert_eq!(distinct.len(), 200, "200 distinct values, 200 keys");
        for v in &values {
            b.append(v);
        }
        let a = b.finish();
        let t = Text::of(a.as_ref()).unwrap();
        assert_eq!(
            t.iter().map(|v| v.unwrap().to_string()).collect::<Vec<_>>(),
            values
        );
    }

    #[test]
    fn concatenating_keeps_values_and_drops_unused_dictionary_entries() {
        let whole = recoded(
            Int32Array::from(vec![0, 2, 0, 3]),
            StringArray::from(vec!["a", "unused", "b", "c"]),
        )
        .unwrap();
        let other = categories([Some("c"), None, Some("d")]);
        let parts = [whole.slice(0, 2), other.clone(), whole.slice(2, 2)];
        let refs: Vec<&dyn Array> = parts.iter().map(|a| a.as_ref()).collect();
        let joined = concat(&refs).unwrap();
        let t = Text::of(joined.as_ref()).unwrap();
        assert_eq!(
            t.iter().collect::<Vec<_>>(),
            vec![
                Some("a"),
                Some("b"),
                Some("c"),
                None,
                Some("d"),
                Some("a"),
                Some("c")
            ]
        );
        let (_, values) = t.coded().unwrap();
        let mut kept: Vec<&str> = values.iter().flatten().collect();
        kept.sort();
        assert_eq!(
            kept,
            vec!["a", "b", "c", "d"],
            "each used value once, `unused` gone"
        );
        let plain: ArrayRef = Arc::new(StringArray::from(vec!["x"]));
        assert!(concat(&[plain.as_ref()]).is_none());
    }

    #[test]
    fn interning_gives_first_seen_ids_in_runs_cycles_and_jumps() {
        let rows = ["F1", "F2", "F3", "F1", "F2", "F3", "F3", "F9", "F2", "F1"];
        let mut ids = Interner::new();
        let got: Vec<(u32, bool)> = rows.iter().map(|r| ids.get(r)).collect();
        assert_eq!(
            got,
            vec![
                (0, true),
                (1, true),
                (2, true),
                (0, false),
                (1, false),
                (2, false),
                (2, false),
                (3, true),
                (1, false),
                (0, false)
            ]
        );
        assert_eq!(ids.names, vec!["F1", "F2", "F3", "F9"]);
    }

    #[test]
    fn recoding_renames_values_and_keeps_rows() {
        let coded = categories([Some("S01"), Some("S02"), Some("S01")]);
        let (keys, _) = Text::of(coded.as_ref()).unwrap().coded().unwrap();
        let renamed = recoded(keys.clone(), StringArray::from(vec!["Site A", "Site B"])).unwrap();
        let t = Text::of(renamed.as_ref()).unwrap();
        assert_eq!(
            t.iter().collect::<Vec<_>>(),
            vec![Some("Site A"), Some("Site B"), Some("Site A")]
        );
        assert!(
            recoded(keys.clone(), StringArray::from(vec!["only one"])).is_err(),
            "a key past the dictionary"
        );
    }
}
