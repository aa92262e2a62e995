//! The leak guard: the last stage of every pipeline scans every staged
//! output (text, Parquet decoded, workbooks unzipped) before anything is
//! published. Any finding stops the run; findings name file, line and kind,
//! never the value.

use arrow_array::RecordBatch;

use crate::error::PipelineError;
use crate::output::Staging;
use crate::tables::{cell_text, from_parquet};

/// Published files: raw record codes are findings here too.
fn is_published(rel: &str) -> bool {
    rel.starts_with("tables/") || rel.starts_with("report/")
}

pub fn scan_staging(guard: anonymise::LeakGuard, staging: &Staging) -> Result<(), PipelineError> {
    let mut findings = Vec::new();
    for (rel, path) in staging.files() {
        let bytes = std::fs::read(&path).map_err(|e| PipelineError::io(&path, e))?;
        let published = is_published(rel);
        if rel.ends_with(".parquet") {
            let batch = from_parquet(bytes).map_err(|e| PipelineError::io(rel, e))?;
            for (row, leak) in scan_batch(&guard, &batch, published) {
                findings.push(format!("{rel}: row {row}: {leak}"));
            }
        } else if rel.ends_with(".xlsx") {
            // A workbook is a zip of XML: compressed, its text is invisible
            // to a byte scan, so every entry is scanned. Unreadable: a finding.
            match zip_texts(&bytes) {
                Ok(entries) => {
                    for (name, text) in entries {
                        for leak in guard.scan(&text, published) {
                            findings.push(format!("{rel}!{name}:{}: {}", leak.line, leak.kind));
                        }
                    }
                }
                Err(e) => findings.push(format!("{rel}: cannot be unzipped to scan it ({e})")),
            }
        } else {
            let text = String::from_utf8_lossy(&bytes);
            for leak in guard.scan(&text, published) {
                findings.push(format!("{rel}:{}: {}", leak.line, leak.kind));
            }
        }
    }
    if findings.is_empty() { Ok(()) } else { Err(PipelineError::Leak(findings)) }
}

/// The text content of XML: each tag becomes a line break, so markup (an
/// Excel cell reference such as `S12` looks like a site code) is not
/// scanned, while every piece of text a reader can see is, on its own line.
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

/// Every entry of a zip archive as text: XML reduced to its text content,
/// character entities decoded (after the tags are gone, so an escaped `&lt;`
/// in a cell cannot open a tag).
fn zip_texts(bytes: &[u8]) -> Result<Vec<(String, String)>, zip::result::ZipError> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))?;
    let mut out = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i)?;
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_else(|_| format!("entry {i}"));
        let mut raw = Vec::new();
        entry.read_to_end(&mut raw)?;
        let text = xml_text(&String::from_utf8_lossy(&raw))
            .replace("&apos;", "'")
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&");
        out.push((name, text));
    }
    Ok(out)
}

/// Scan every cell of a batch; returns (1-based row, kind) for each finding.
///
/// The batch becomes one text, a line per row and cells separated by the
/// unit separator (U+001F: neither a word character nor a space, so no
/// match runs from one cell into the next), newlines inside a cell folded to
/// spaces so a line is a row. One pass over the text, not a scan per cell:
/// at national scale a table has millions of cells.
fn scan_batch(guard: &anonymise::LeakGuard, batch: &RecordBatch, published: bool) -> Vec<(usize, String)> {
    let mut text = String::new();
    for row in 0..batch.num_rows() {
        for (c, column) in batch.columns().iter().enumerate() {
            if c > 0 {
                text.push('\u{1f}');
            }
            if let Some(cell) = cell_text(column.as_ref(), row) {
                if cell.contains(['\n', '\r']) {
                    text.push_str(&cell.replace(['\n', '\r'], " "));
                } else {
                    text.push_str(&cell);
                }
            }
        }
        text.push('\n');
    }
    guard.scan(&text, published).into_iter().map(|leak| (leak.line as usize, leak.kind)).collect()
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
        let a = StringArray::from(vec!["first line\nsecond line", "call 020 7946 0958", "020", "ok"]);
        let b = StringArray::from(vec!["x", "y", "7946 0958", "z"]);
        let schema = Arc::new(arrow_schema::Schema::new(vec![
            arrow_schema::Field::new("a", arrow_schema::DataType::Utf8, false),
            arrow_schema::Field::new("b", arrow_schema::DataType::Utf8, false),
        ]));
        let batch = RecordBatch::try_new(schema, vec![Arc::new(a), Arc::new(b)]).unwrap();
        let guard = anonymise::LeakGuard::new(&Default::default(), &[], &[]).unwrap();
        assert_eq!(super::scan_batch(&guard, &batch, true), [(2, "phone".to_string())]);
    }

    #[test]
    fn a_compressed_workbook_hides_nothing_from_the_leak_guard() {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        w.start_file("xl/sharedStrings.xml", options).unwrap();
        w.write_all("<t>call 020 7946 0958 about O&apos;Neill</t>".repeat(20).as_bytes()).unwrap();
        let bytes = w.finish().unwrap().into_inner();
        assert!(!String::from_utf8_lossy(&bytes).contains("7946"), "deflated: a byte scan sees nothing");
        let texts = super::zip_texts(&bytes).unwrap();
        assert_eq!(texts[0].0, "xl/sharedStrings.xml");
        assert!(texts[0].1.starts_with("\ncall 020 7946 0958 about O'Neill\n"), "text content, entities decoded");
        let guard = anonymise::LeakGuard::new(&Default::default(), &[], &[]).unwrap();
        assert!(guard.scan(&texts[0].1, true).iter().any(|l| l.kind == "phone"));
        assert!(super::zip_texts(b"not a zip").is_err(), "unreadable is an error (a finding), never skipped");
    }

    #[test]
    fn workbook_markup_is_not_scanned_but_its_text_is() {
        // `S12` is a cell reference (column S), not a site code; `S03-07` in a cell is a record code.
        let text = super::xml_text(r#"<row r="12"><c r="S12" t="s"><v>4</v></c><c r="T12" t="inlineStr"><is><t>S03-07 said</t></is></c></row>"#);
        assert!(!text.contains("S12"));
        assert!(text.contains("\nS03-07 said\n"));
        let guard = anonymise::LeakGuard::new(&Default::default(), &[], &[]).unwrap();
        assert!(guard.scan(&text, true).iter().any(|l| l.kind.contains("record")), "{:?}", guard.scan(&text, true));
    }
}
