//! The leak guard: the last stage of every pipeline scans every staged
//! output (text, Parquet decoded, workbooks unzipped) before anything is
//! published. Any finding stops the run; findings name file, line and kind,
//! never the value.

use arrow_array::RecordBatch;

use crate::error::PipelineError;
use crate::output::Staging;
use crate::tables::{cell_text, parquet_batches, renders};
use model::column::Text;

/// Rows of a Parquet table scanned at a time.
const PARQUET_BATCH_ROWS: usize = 1 << 16;

/// Published files: raw record codes are findings here too.
fn is_published(rel: &str) -> bool {
    rel.starts_with("tables/") || rel.starts_with("report/")
}

/// The private record of what the guard found clean: each file's path and
/// SHA-256, under the guard's keyed fingerprint and crosscase's version.
const SCANNED_FILE: &str = "guard.json";

/// The files the last successful scans found clean (path to SHA-256), if
/// they looked for what `fingerprint` says and this crosscase scanned them;
/// otherwise none. An unreadable record is no record: everything is scanned.
pub fn scanned_clean(
    out: &camino::Utf8Path,
    fingerprint: &str,
) -> std::collections::BTreeMap<String, String> {
    let path = out.join(crate::output::STATE_DIR).join(SCANNED_FILE);
    let Ok(text) = std::fs::read_to_string(path) else {
        return Default::default();
    };
    let Ok(record) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Default::default();
    };
    if record["version"] != env!("CARGO_PKG_VERSION") || record["fingerprint"] != fingerprint {
        return Default::default();
    }
    record["files"]
        .as_object()
        .map(|files| {
            files
                .iter()
                .filter_map(|(rel, hash)| Some((rel.clone(), hash.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// After a scan found nothing: every staged file is clean under `fingerprint`.
pub fn record_clean(
    out: &camino::Utf8Path,
    fingerprint: &str,
    files: &std::collections::BTreeMap<String, String>,
) -> Result<(), PipelineError> {
    let record = serde_json::json!({
        "version": env!("CARGO_PKG_VERSION"),
        "fingerprint": fingerprint,
        "files": files,
    });
    crate::output::write_atomic(
        &out.join(crate::output::STATE_DIR).join(SCANNED_FILE),
        record.to_string().as_bytes(),
    )
}

/// Scan every staged file but those `known_clean` holds with the same
/// SHA-256 (scanned before by the same guard); how many were scanned.
pub fn scan_staging(
    guard: anonymise::LeakGuard,
    staging: &Staging,
    known_clean: &std::collections::BTreeMap<String, String>,
) -> Result<usize, PipelineError> {
    use rayon::prelude::*;
    // Files are scanned in parallel; findings are merged in file order, so
    // the report is the same whatever the number of threads.
    let hashes = staging.hashes();
    let files: Vec<(&str, camino::Utf8PathBuf)> = staging
        .files()
        .filter(|(rel, _)| {
            let known = known_clean.get(*rel);
            known.is_none() || known != hashes.get(*rel)
        })
        .collect();
    // The largest files are started first (a workbook alone can be a third
    // of the work; started last, it would run on one core at the end).
    let mut order: Vec<(u64, usize)> = files
        .iter()
        .enumerate()
        .map(|(i, (_, path))| (std::fs::metadata(path).map(|m| m.len()).unwrap_or(0), i))
        .collect();
    order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut scanned: Vec<(usize, Result<Vec<String>, PipelineError>)> = order
        .par_iter()
        .with_max_len(1)
        .map(|&(_, i)| (i, scan_file(&guard, files[i].0, &files[i].1)))
        .collect();
    scanned.sort_by_key(|(i, _)| *i);
    let per_file = scanned.into_iter().map(|(_, found)| found);
    let mut findings = Vec::new();
    for found in per_file {
        findings.extend(found?);
    }
    if findings.is_empty() {
        Ok(files.len())
    } else {
        Err(PipelineError::Leak(findings))
    }
}

/// Every finding in one staged file, as `file:line: kind` (`file: row N: kind`).
fn scan_file(
    guard: &anonymise::LeakGuard,
    rel: &str,
    path: &camino::Utf8Path,
) -> Result<Vec<String>, PipelineError> {
    let mut findings = Vec::new();
    let bytes = std::fs::read(path).map_err(|e| PipelineError::io(path, e))?;
    let published = is_published(rel);
    if rel.ends_with(".parquet") {
        // Batch by batch: a national study's answers table is gigabytes in
        // memory; rows are numbered across batches, so findings are the same.
        let mut before = 0;
        for batch in
            parquet_batches(bytes, PARQUET_BATCH_ROWS).map_err(|e| PipelineError::io(rel, e))?
        {
            let batch = batch.map_err(|e| PipelineError::io(rel, e))?;
            for (row, leak) in
                scan_batch(guard, &batch, published).map_err(|e| PipelineError::io(rel, e))?
            {
                findings.push(format!("{rel}: row {}: {leak}", before + row));
            }
            before += batch.num_rows();
        }
    } else if rel.ends_with(".xlsx") {
        // A workbook is a zip of XML: compressed, its text is invisible
        // to a byte scan, so every entry is scanned. Unreadable: a finding.
        // Entry by entry, so only one entry's text is in memory at a time.
        let scanned = map_zip_texts(&bytes, |name, text| {
            guard
                .scan(&text, published)
                .into_iter()
                .map(|leak| format!("{rel}!{name}:{}: {}", leak.line, leak.kind))
                .collect::<Vec<_>>()
        });
        match scanned {
            Ok(per_entry) => findings.extend(per_entry.into_iter().flatten()),
            Err(e) => findings.push(format!("{rel}: cannot be unzipped to scan it ({e})")),
        }
    } else {
        let text = String::from_utf8_lossy(&bytes);
        for leak in guard.scan(&text, published) {
            findings.push(format!("{rel}:{}: {}", leak.line, leak.kind));
        }
    }
    Ok(findings)
}

/// The text content of XML: each tag becomes a line break, so markup (an
/// Excel cell reference such as `S12` looks like a site code) is not
/// scanned, while every piece of text a reader can see is, on its own line.
#[cfg(test)]
fn xml_text(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut in_tag = false;
    for c in xml.chars() {
        match (in_tag, c) {
            (false, '<') => {
                in_tag = true;
                out.push('\n');
            }
            (true, '>') => in_tag = false,
            (false, c) => out.push(c),
            (true, _) => {}
        }
    }
    out
}

/// [`xml_text`] with the five character entities decoded, in one pass
/// (the same text as decoding `&apos;`, `&quot;`, `&lt;`, `&gt;` and then
/// `&amp;` one after the other: a decoded char is never part of an entity).
fn xml_text_decoded(xml: &str) -> String {
    const ENTITIES: [(&str, char); 5] = [
        ("&apos;", '\''),
        ("&quot;", '"'),
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&amp;", '&'),
    ];
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    let mut in_tag = false;
    while !rest.is_empty() {
        if in_tag {
            match rest.find('>') {
                Some(k) => {
                    in_tag = false;
                    rest = &rest[k + 1..];
                }
                None => break,
            }
            continue;
        }
        match rest.find(['<', '&']) {
            None => {
                out.push_str(rest);
                break;
            }
            Some(k) => {
                out.push_str(&rest[..k]);
                rest = &rest[k..];
                if rest.starts_with('<') {
                    out.push('\n');
                    in_tag = true;
                    rest = &rest[1..];
                } else if let Some((name, c)) =
                    ENTITIES.iter().find(|(name, _)| rest.starts_with(name))
                {
                    out.push(*c);
                    rest = &rest[name.len()..];
                } else {
                    out.push('&');
                    rest = &rest[1..];
                }
            }
        }
    }
    out
}

/// Every entry of a zip archive as text: XML reduced to its text content,
/// character entities decoded (after the tags are gone, so an escaped `&lt;`
/// in a cell cannot open a tag).
#[cfg(test)]
fn zip_texts(bytes: &[u8]) -> Result<Vec<(String, String)>, zip::result::ZipError> {
    map_zip_texts(bytes, |name, text| (name, text))
}

/// `each(name, text)` of every entry of [`zip_texts`], in archive order.
/// Entries are inflated and handled in parallel, each on its own reader of
/// the archive; only the entries in progress are held as text.
fn map_zip_texts<T: Send>(
    bytes: &[u8],
    each: impl Fn(String, String) -> T + Sync,
) -> Result<Vec<T>, zip::result::ZipError> {
    use rayon::prelude::*;
    use std::io::Read;
    let entries = zip::ZipArchive::new(std::io::Cursor::new(bytes))?.len();
    (0..entries)
        .into_par_iter()
        .with_max_len(1)
        .map(|i| {
            let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))?;
            let mut entry = archive.by_index(i)?;
            let name = entry
                .name()
                .map(|n| n.into_owned())
                .unwrap_or_else(|_| format!("entry {i}"));
            let mut raw = Vec::new();
            entry.read_to_end(&mut raw)?;
            let text = xml_text_decoded(&String::from_utf8_lossy(&raw));
            Ok(each(name, text))
        })
        .collect()
}

/// Scan every cell of a batch; returns (1-based row, kind) for each
/// finding, sorted, one per row and kind; an error for a column whose type
/// the scan cannot read (fail closed: never skipped).
///
/// Column by column, each *distinct* cell text is scanned once: the
/// distinct texts of a column become one text, a line per value (newlines
/// inside a cell folded to spaces so a line is a value), scanned in one
/// pass, and a finding on a line is reported on every row holding that
/// value. Every cell is covered (a cell is its value), so this is the scan
/// cell by cell; no match can join two cells. At national scale a table has
/// millions of cells but few distinct values per column (a participant's
/// code, a site, a factor, a file repeat on many rows), so this is
/// proportionate to the distinct text, not to the rows. A dictionary
/// (categorical) column already holds each value once: its values that
/// some row points at are scanned, and a finding is reported on the first
/// row pointing at the value (see [`scan_coded`]).
fn scan_batch(
    guard: &anonymise::LeakGuard,
    batch: &RecordBatch,
    published: bool,
) -> Result<Vec<(usize, String)>, String> {
    use rayon::prelude::*;
    let schema = batch.schema_ref();
    let per_column: Vec<Result<Vec<(usize, String)>, String>> = batch
        .columns()
        .par_iter()
        .zip(schema.fields().par_iter())
        .map(|(column, field)| {
            scan_column(guard, column.as_ref(), published).ok_or_else(|| {
                format!(
                    "column `{}` of type {} cannot be read by the leak guard",
                    field.name(),
                    column.data_type()
                )
            })
        })
        .collect();
    let mut found = std::collections::BTreeSet::new();
    for column in per_column {
        found.extend(column?);
    }
    Ok(found.into_iter().collect())
}

/// A dictionary column's findings as (1-based row, kind): each value some
/// row points at is scanned once, a finding reported on the first row
/// pointing at it (the row a scan of the decoded column finds first).
/// Values no row of this batch points at are not part of it (a batch read
/// from Parquet may share its row group's dictionary): the batch whose rows
/// point at them scans them.
fn scan_coded(
    guard: &anonymise::LeakGuard,
    keys: &arrow_array::Int32Array,
    values: &arrow_array::StringArray,
    published: bool,
) -> Vec<(usize, String)> {
    use arrow_array::Array;
    const NONE: usize = usize::MAX;
    // `first[value]`: the first row whose key is `value`.
    let mut first = vec![NONE; values.len()];
    let mut last: Option<i32> = None;
    for (row, key) in keys.iter().enumerate() {
        // Rows of one record come in runs: a repeated key was seen.
        if key.is_none() || key == last {
            continue;
        }
        last = key;
        if let Some(slot) = key
            .and_then(|k| usize::try_from(k).ok())
            .and_then(|k| first.get_mut(k))
            && *slot == NONE
        {
            *slot = row;
        }
    }
    // A line per value pointed at (a null value is a null cell).
    let mut text = String::new();
    let mut line_rows = Vec::new();
    for (value, &row) in first.iter().enumerate() {
        if row != NONE && !values.is_null(value) {
            push_line(&mut text, values.value(value));
            line_rows.push(row);
        }
    }
    guard
        .scan(&text, published)
        .into_iter()
        .map(|leak| {
            // Every line is a value; a line past them (never) is put on the
            // first row rather than dropped.
            let row = line_rows
                .get(leak.line.saturating_sub(1) as usize)
                .or(line_rows.first())
                .copied()
                .unwrap_or(0);
            (row + 1, leak.kind)
        })
        .collect()
}

/// Adds one cell's text as one line (its own line breaks folded to spaces).
fn push_line(text: &mut String, cell: &str) {
    if cell.contains(['\n', '\r']) {
        text.push_str(&cell.replace(['\n', '\r'], " "));
    } else {
        text.push_str(cell);
    }
    text.push('\n');
}

/// A value's identity in a numeric or boolean column (equal keys, equal
/// text); `None` for other types, which are rendered row by row.
fn numeric_key(column: &dyn arrow_array::Array) -> Option<Box<dyn Fn(usize) -> u64 + '_>> {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{
        Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type,
        UInt64Type,
    };
    use arrow_schema::DataType;
    Some(match column.data_type() {
        DataType::Boolean => Box::new(move |r| u64::from(column.as_boolean().value(r))),
        DataType::Int8 => Box::new(move |r| column.as_primitive::<Int8Type>().value(r) as u64),
        DataType::Int16 => Box::new(move |r| column.as_primitive::<Int16Type>().value(r) as u64),
        DataType::Int32 => Box::new(move |r| column.as_primitive::<Int32Type>().value(r) as u64),
        DataType::Int64 => Box::new(move |r| column.as_primitive::<Int64Type>().value(r) as u64),
        DataType::UInt8 => {
            Box::new(move |r| u64::from(column.as_primitive::<UInt8Type>().value(r)))
        }
        DataType::UInt16 => {
            Box::new(move |r| u64::from(column.as_primitive::<UInt16Type>().value(r)))
        }
        DataType::UInt32 => {
            Box::new(move |r| u64::from(column.as_primitive::<UInt32Type>().value(r)))
        }
        DataType::UInt64 => Box::new(move |r| column.as_primitive::<UInt64Type>().value(r)),
        DataType::Float64 => {
            Box::new(move |r| column.as_primitive::<Float64Type>().value(r).to_bits())
        }
        _ => return None,
    })
}

/// The distinct texts of one column: findings as (1-based row, kind);
/// `None` for a column of a type it cannot read.
fn scan_column(
    guard: &anonymise::LeakGuard,
    column: &dyn arrow_array::Array,
    published: bool,
) -> Option<Vec<(usize, String)>> {
    use arrow_array::cast::AsArray;
    use arrow_schema::DataType;
    use std::collections::HashMap;
    if let Some((keys, values)) = Text::of(column).and_then(|t| t.coded()) {
        return Some(scan_coded(guard, keys, values, published));
    }
    match column.data_type() {
        // Nothing but nulls: nothing to scan.
        DataType::Null => return Some(Vec::new()),
        // Other dictionaries read cell by cell below, as the CSV shows them.
        t if !renders(t) => return None,
        _ => {}
    }
    let rows = column.len();
    // `ids[row]`: the distinct value of the row (u32::MAX: null, nothing to scan).
    let mut ids: Vec<u32> = Vec::with_capacity(rows);
    let mut text = String::new();
    let mut count: u32 = 0;
    match column.data_type() {
        DataType::Utf8 | DataType::LargeUtf8 => {
            let value = |row: usize| -> &str {
                match column.data_type() {
                    DataType::Utf8 => column.as_string::<i32>().value(row),
                    _ => column.as_string::<i64>().value(row),
                }
            };
            let mut seen: HashMap<&str, u32> = HashMap::new();
            let mut last: Option<(&str, u32)> = None;
            for row in 0..rows {
                if column.is_null(row) {
                    ids.push(u32::MAX);
                    continue;
                }
                let v = value(row);
                // Sorted tables repeat a value on consecutive rows: no hashing then.
                if let Some((lv, id)) = last
                    && lv == v
                {
                    ids.push(id);
                    continue;
                }
                let id = *seen.entry(v).or_insert_with(|| {
                    push_line(&mut text, v);
                    count += 1;
                    count - 1
                });
                last = Some((v, id));
                ids.push(id);
            }
        }
        _ => {
            // Numbers and booleans: deduplicated on the value, each distinct
            // value rendered exactly as the CSV shows it (`cell_text`).
            let key = numeric_key(column);
            let mut seen: HashMap<u64, u32> = HashMap::new();
            let mut by_text: HashMap<String, u32> = HashMap::new();
            let mut last: Option<(u64, u32)> = None;
            for row in 0..rows {
                if column.is_null(row) {
                    ids.push(u32::MAX);
                    continue;
                }
                let k = key.as_ref().map(|f| f(row));
                if let (Some(k), Some((lk, id))) = (k, last)
                    && k == lk
                {
                    ids.push(id);
                    continue;
                }
                let known = k.and_then(|k| seen.get(&k).copied());
                let id = match known {
                    Some(id) => id,
                    None => match cell_text(column, row) {
                        None => u32::MAX,
                        Some(v) => {
                            let id = match by_text.get(&v) {
                                Some(&id) => id,
                                None => {
                                    push_line(&mut text, &v);
                                    count += 1;
                                    by_text.insert(v, count - 1);
                                    count - 1
                                }
                            };
                            if let Some(k) = k {
                                seen.insert(k, id);
                            }
                            id
                        }
                    },
                };
                if let Some(k) = k {
                    last = Some((k, id));
                }
                ids.push(id);
            }
        }
    }
    let leaks = guard.scan(&text, published);
    if leaks.is_empty() {
        return Some(Vec::new());
    }
    // Rare (the run stops): every row holding a value with a finding.
    let mut by_id: HashMap<u32, Vec<String>> = HashMap::new();
    for leak in leaks {
        by_id
            .entry(leak.line.saturating_sub(1))
            .or_default()
            .push(leak.kind);
    }
    let mut found = Vec::new();
    for (row, id) in ids.iter().enumerate() {
        if let Some(kinds) = by_id.get(id) {
            for kind in kinds {
                found.push((row + 1, kind.clone()));
            }
        }
    }
    Some(found)
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::Arc;

    use arrow_array::{RecordBatch, StringArray};

    /// Findings name the row of the cell, also after a cell with a newline;
    /// no match joins two cells.
    #[test]
    fn a_batch_is_scanned_row_by_row() {
        let a = StringArray::from(vec![
            "first line\nsecond line",
            "call 020 7946 0958",
            "020",
            "ok",
        ]);
        let b = StringArray::from(vec!["x", "y", "7946 0958", "z"]);
        let schema = Arc::new(arrow_schema::Schema::new(vec![
            arrow_schema::Field::new("a", arrow_schema::DataType::Utf8, false),
            arrow_schema::Field::new("b", arrow_schema::DataType::Utf8, false),
        ]));
        let batch = RecordBatch::try_new(schema, vec![Arc::new(a), Arc::new(b)]).unwrap();
        let guard = anonymise::LeakGuard::new(&Default::default(), &[], &[]).unwrap();
        assert_eq!(
            super::scan_batch(&guard, &batch, true).unwrap(),
            [(2, "phone".to_string())]
        );
    }

    /// A Parquet table longer than one scan batch: a finding in a later
    /// batch is reported on its row of the whole table.
    #[test]
    fn a_long_parquet_table_is_scanned_batch_by_batch_with_whole_table_rows() {
        let n = 2 * super::PARQUET_BATCH_ROWS + 10;
        let planted = [3, super::PARQUET_BATCH_ROWS + 7, n - 1];
        let cells: Vec<String> = (0..n)
            .map(|i| {
                if planted.contains(&i) {
                    format!("ring 020 7946 {:04}", i % 10_000)
                } else {
                    format!("row {}", i % 50)
                }
            })
            .collect();
        let schema = Arc::new(arrow_schema::Schema::new(vec![arrow_schema::Field::new(
            "a",
            arrow_schema::DataType::Utf8,
            false,
        )]));
        let batch = RecordBatch::try_new(schema, vec![Arc::new(StringArray::from(cells))]).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = camino::Utf8PathBuf::from_path_buf(dir.path().join("t.parquet")).unwrap();
        std::fs::write(&path, crate::tables::to_parquet(&batch).unwrap()).unwrap();
        let guard = anonymise::LeakGuard::new(&Default::default(), &[], &[]).unwrap();
        let found = super::scan_file(&guard, "data/t.parquet", &path).unwrap();
        let expected: Vec<String> = planted
            .iter()
            .map(|i| format!("data/t.parquet: row {}: phone", i + 1))
            .collect();
        assert_eq!(found, expected);
        assert_eq!(
            found,
            super::scan_batch(&guard, &batch, false)
                .unwrap()
                .iter()
                .map(|(r, k)| format!("data/t.parquet: row {r}: {k}"))
                .collect::<Vec<_>>()
        );
    }

    fn guard_with(identifier: &str) -> anonymise::LeakGuard {
        let listed = model::IdentifierEntry {
            kind: "person".into(),
            text: identifier.into(),
            replacement: "[person]".into(),
        };
        anonymise::LeakGuard::new(&Default::default(), &[listed], &[]).unwrap()
    }

    /// A planted identifier is found in a dictionary column (scanned once
    /// per distinct value, reported on the first row pointing at it) and in
    /// a plain column (every row holding it), and the dictionary column's
    /// first hit is the row a scan of the same column decoded finds first.
    #[test]
    fn planted_identifiers_are_found_in_dictionary_and_plain_columns() {
        use arrow_array::{ArrayRef, DictionaryArray, Int32Array};
        let guard = guard_with("Dorothea Quill");
        let site: Vec<Option<&str>> = vec![
            Some("Site A"),
            Some("Site A"),
            None,
            Some("Site B"),
            Some("met dorothea quill\nthere"),
            Some("Site A"),
            Some("met dorothea quill\nthere"),
            Some("ring 020 7946 0958"),
        ];
        let text = vec![
            Some("fine"),
            None,
            Some("fine"),
            Some("fine"),
            Some("fine"),
            Some("Dorothea Quill said"),
            Some("fine"),
            Some("Dorothea Quill said"),
        ];
        let coded = model::column::categories(site.iter().copied());
        assert!(model::column::is_category(coded.data_type()));
        let batch = RecordBatch::try_from_iter([
            ("site", coded.clone()),
            ("text", Arc::new(StringArray::from(text)) as ArrayRef),
        ])
        .unwrap();
        let found = super::scan_batch(&guard, &batch, true).unwrap();
        let expected: Vec<(usize, String)> = [
            (5, "identifier"),
            (6, "identifier"),
            (8, "identifier"),
            (8, "phone"),
        ]
        .iter()
        .map(|(r, k)| (*r, k.to_string()))
        .collect();
        assert_eq!(
            found, expected,
            "the dictionary's hit on its first row (5) only; the plain column's on rows 6 and 8"
        );

        // The same column decoded: the same first row for each kind.
        let decoded = super::scan_column(&guard, &StringArray::from(site.clone()), true).unwrap();
        let dictionary = super::scan_column(&guard, coded.as_ref(), true).unwrap();
        assert_eq!(
            dictionary,
            [(5, "identifier".to_string()), (8, "phone".to_string())]
        );
        for (row, kind) in &dictionary {
            assert_eq!(
                decoded.iter().find(|(_, k)| k == kind).map(|(r, _)| r),
                Some(row),
                "{kind}"
            );
        }

        // A value no row points at is not in the column; one a null key or
        // a null value stands for is an empty cell.
        let values = StringArray::from(vec![
            Some("Dorothea Quill"),
            None,
            Some("Site A"),
            Some("020 7946 0958"),
        ]);
        let keys = Int32Array::from(vec![Some(2), None, Some(1), Some(2), Some(3)]);
        let odd: ArrayRef = Arc::new(DictionaryArray::try_new(keys, Arc::new(values)).unwrap());
        assert_eq!(
            super::scan_column(&guard, odd.as_ref(), true).unwrap(),
            [(5, "phone".to_string())]
        );
    }

    /// Dictionary columns read back from Parquet as dictionaries, batch by
    /// batch: a hit is reported on the first row of each batch that holds it.
    #[test]
    fn a_dictionary_column_in_parquet_is_scanned_with_whole_table_rows() {
        let guard = guard_with("Dorothea Quill");
        let n = super::PARQUET_BATCH_ROWS + 100;
        let planted = [
            10,
            11,
            super::PARQUET_BATCH_ROWS + 7,
            super::PARQUET_BATCH_ROWS + 50,
        ];
        let cells: Vec<Option<String>> = (0..n)
            .map(|i| {
                Some(if planted.contains(&i) {
                    "Dorothea Quill".to_string()
                } else {
                    format!("P{:03}", i / 22 % 300)
                })
            })
            .collect();
        let schema = Arc::new(arrow_schema::Schema::new(vec![model::column::category(
            "participant",
        )]));
        let plain: arrow_array::ArrayRef = Arc::new(StringArray::from(cells));
        let batch = model::column::conform(schema, vec![plain]).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = camino::Utf8PathBuf::from_path_buf(dir.path().join("answers.parquet")).unwrap();
        std::fs::write(&path, crate::tables::to_parquet(&batch).unwrap()).unwrap();
        let back = crate::tables::parquet_batches(std::fs::read(&path).unwrap(), 10)
            .unwrap()
            .next()
            .unwrap()
            .unwrap();
        assert!(
            model::column::is_category(back.column(0).data_type()),
            "read back as a dictionary"
        );
        let found = super::scan_file(&guard, "data/answers.parquet", &path).unwrap();
        let expected = [11, super::PARQUET_BATCH_ROWS + 8]
            .map(|r| format!("data/answers.parquet: row {r}: identifier"));
        assert_eq!(found, expected);
    }

    /// Fail closed: a column the guard cannot read stops the scan with an
    /// error naming it, and is never skipped.
    #[test]
    fn a_column_the_guard_cannot_read_is_an_error() {
        use arrow_array::{ArrayRef, BinaryArray};
        let guard = guard_with("Dorothea Quill");
        let batch = RecordBatch::try_from_iter([
            (
                "text",
                Arc::new(StringArray::from(vec!["fine"])) as ArrayRef,
            ),
            (
                "blob",
                Arc::new(BinaryArray::from(vec![b"Dorothea Quill".as_slice()])) as ArrayRef,
            ),
        ])
        .unwrap();
        let err = super::scan_batch(&guard, &batch, true).unwrap_err();
        assert!(err.contains("`blob`") && err.contains("Binary"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let path = camino::Utf8PathBuf::from_path_buf(dir.path().join("t.parquet")).unwrap();
        std::fs::write(&path, crate::tables::to_parquet(&batch).unwrap()).unwrap();
        assert!(super::scan_file(&guard, "data/t.parquet", &path).is_err());
    }

    #[test]
    fn a_compressed_workbook_hides_nothing_from_the_leak_guard() {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        w.start_file("xl/sharedStrings.xml", options).unwrap();
        w.write_all(
            "<t>call 020 7946 0958 about O&apos;Neill</t>"
                .repeat(20)
                .as_bytes(),
        )
        .unwrap();
        let bytes = w.finish().unwrap().into_inner();
        assert!(
            !String::from_utf8_lossy(&bytes).contains("7946"),
            "deflated: a byte scan sees nothing"
        );
        let texts = super::zip_texts(&bytes).unwrap();
        assert_eq!(texts[0].0, "xl/sharedStrings.xml");
        assert!(
            texts[0]
                .1
                .starts_with("\ncall 020 7946 0958 about O'Neill\n"),
            "text content, entities decoded"
        );
        let guard = anonymise::LeakGuard::new(&Default::default(), &[], &[]).unwrap();
        assert!(
            guard
                .scan(&texts[0].1, true)
                .iter()
                .any(|l| l.kind == "phone")
        );
        assert!(
            super::zip_texts(b"not a zip").is_err(),
            "unreadable is an error (a finding), never skipped"
        );
    }

    #[test]
    fn one_pass_decoding_is_the_five_replacements() {
        for xml in [
            r#"<t>O&apos;Neill &amp;lt; &amp;amp; &lt;b&gt; &quot;x&quot; & &am; a&amp;</t><x a="&gt;">é &apos</x>tail"#,
            "",
            "no markup at all &",
            "<unclosed tag",
        ] {
            let slow = super::xml_text(xml)
                .replace("&apos;", "'")
                .replace("&quot;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&");
            assert_eq!(super::xml_text_decoded(xml), slow, "{xml}");
        }
    }

    #[test]
    fn workbook_markup_is_not_scanned_but_its_text_is() {
        // `S12` is a cell reference (column S), not a site code; `S03-07` in a cell is a record code.
        let text = super::xml_text(
            r#"<row r="12"><c r="S12" t="s"><v>4</v></c><c r="T12" t="inlineStr"><is><t>S03-07 said</t></is></c></row>"#,
        );
        assert!(!text.contains("S12"));
        assert!(text.contains("\nS03-07 said\n"));
        let guard = anonymise::LeakGuard::new(&Default::default(), &[], &[]).unwrap();
        assert!(
            guard
                .scan(&text, true)
                .iter()
                .any(|l| l.kind.contains("record")),
            "{:?}",
            guard.scan(&text, true)
        );
    }

    /// A Vietnamese name staged in any Unicode form (decomposed, without
    /// its diacritics, in capitals, in full-width letters) is found in
    /// every kind of output and fails the run, file and line named; the
    /// words its short parts spell (`an`, `ha`, `thi`) in the same outputs
    /// are not names.
    #[test]
    fn a_name_in_any_unicode_form_fails_the_run_and_short_words_do_not() {
        use arrow_array::ArrayRef;
        let person = model::Identity {
            record_id: "S01-01".into(),
            site_id: "S01".into(),
            fields: vec![
                ("participant_name".into(), "Nguyễn Thị Ngọc Hà".into()),
                ("interviewer".into(), "Trần Văn Ân".into()),
            ],
        };
        let identities = model::Identities {
            people: vec![person],
        };
        let guard = || anonymise::LeakGuard::new(&identities, &[], &[]).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let out = camino::Utf8PathBuf::from_path_buf(tmp.path().join("out")).unwrap();
        let stage = |files: &[(&str, Vec<u8>)]| {
            let mut staging = crate::output::Staging::begin(&out).unwrap();
            for (rel, bytes) in files {
                staging.write(rel, bytes).unwrap();
            }
            staging
        };
        let parquet = |cells: Vec<&str>| {
            let batch = RecordBatch::try_from_iter([(
                "text",
                Arc::new(StringArray::from(cells)) as ArrayRef,
            )])
            .unwrap();
            crate::tables::to_parquet(&batch).unwrap()
        };
        let words = "An advocate said ha, an hour, to do: the HA board.\n";
        let clean = stage(&[
            (
                "tables/quotes.csv",
                format!("label,text\nA,{words}").into_bytes(),
            ),
            (
                "data/accounts.parquet",
                parquet(vec![words, "[name] said so"]),
            ),
            ("report/synthesis.md", words.repeat(3).into_bytes()),
        ]);
        assert!(super::scan_staging(guard(), &clean, &Default::default()).is_ok());

        let leaky = stage(&[
            (
                "tables/quotes.csv",
                "label,text\nA,fine\nB,NGUYEN said so\n".as_bytes().to_vec(),
            ),
            (
                "data/accounts.parquet",
                parquet(vec!["fine", "Nguye\u{302}\u{303}n Thi\u{323} said", "ok"]),
            ),
            (
                "report/synthesis.md",
                "# Findings\nfine\nThen Ha\u{300} spoke.\n"
                    .as_bytes()
                    .to_vec(),
            ),
            (
                "report/pack.html",
                "<p>ask \u{ff2e}\u{ff47}\u{ff4f}\u{ff43}</p>\n"
                    .as_bytes()
                    .to_vec(),
            ),
            ("data/evidence.parquet", parquet(vec!["An Tran wrote it"])),
        ]);
        let Err(crate::error::PipelineError::Leak(findings)) =
            super::scan_staging(guard(), &leaky, &Default::default())
        else {
            panic!("the run must fail closed");
        };
        assert_eq!(
            findings,
            [
                "data/accounts.parquet: row 2: name",
                "data/evidence.parquet: row 1: name",
                "report/pack.html:1: name",
                "report/synthesis.md:3: name",
                "tables/quotes.csv:3: name",
            ]
        );
    }

    /// A file is skipped only when the record of clean scans holds its very
    /// bytes under the same guard; anything else is scanned, and a record
    /// of another guard, another version or unreadable counts for nothing.
    #[test]
    fn only_the_very_bytes_a_guard_found_clean_are_not_scanned_again() {
        let person = model::Identity {
            record_id: "S01-01".into(),
            site_id: "S01".into(),
            fields: vec![("participant_name".into(), "Wilhelmina Quennell".into())],
        };
        let identities = model::Identities {
            people: vec![person],
        };
        let guard = || anonymise::LeakGuard::new(&identities, &[], &[]).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let out = camino::Utf8PathBuf::from_path_buf(tmp.path().join("out")).unwrap();
        let mut staging = crate::output::Staging::begin(&out).unwrap();
        staging.write("report/a.md", b"fine\n").unwrap();
        staging
            .write("report/b.md", b"Wilhelmina Quennell said\n")
            .unwrap();
        let hashes = staging.hashes().clone();
        // Nothing recorded: both scanned, the leak found.
        assert!(super::scan_staging(guard(), &staging, &Default::default()).is_err());
        // The clean file recorded: one file scanned, the leak still found.
        let only_a: std::collections::BTreeMap<String, String> =
            [("report/a.md".to_string(), hashes["report/a.md"].clone())].into();
        let Err(crate::error::PipelineError::Leak(found)) =
            super::scan_staging(guard(), &staging, &only_a)
        else {
            panic!("the leak must be found");
        };
        assert_eq!(found, ["report/b.md:1: name"]);
        // A record that claims the leaky file under other bytes: scanned.
        let mut wrong = only_a.clone();
        wrong.insert("report/b.md".into(), "0".repeat(64));
        assert!(super::scan_staging(guard(), &staging, &wrong).is_err());
        // The record round-trips under its fingerprint only.
        super::record_clean(&out, "fp-1", &only_a).unwrap();
        assert_eq!(super::scanned_clean(&out, "fp-1"), only_a);
        assert!(super::scanned_clean(&out, "fp-2").is_empty());
        let record = out.join(".crosscase").join(super::SCANNED_FILE);
        std::fs::write(&record, "{not json").unwrap();
        assert!(super::scanned_clean(&out, "fp-1").is_empty());
        let other_version =
            serde_json::json!({"version": "0.0.0", "fingerprint": "fp-1", "files": only_a});
        std::fs::write(&record, other_version.to_string()).unwrap();
        assert!(super::scanned_clean(&out, "fp-1").is_empty());
        // A clean pass scans only what is not recorded.
        let mut clean = crate::output::Staging::begin(&out).unwrap();
        clean.write("report/a.md", b"fine\n").unwrap();
        clean.write("report/c.md", b"also fine\n").unwrap();
        assert_eq!(super::scan_staging(guard(), &clean, &only_a).unwrap(), 1);
    }
}
