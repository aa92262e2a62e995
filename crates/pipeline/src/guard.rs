//! The leak guard: the last stage of every pipeline scans every staged
//! output (text, and Parquet decoded cell by cell) before anything is
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
        } else {
            let text = String::from_utf8_lossy(&bytes);
            for leak in guard.scan(&text, published) {
                findings.push(format!("{rel}:{}: {}", leak.line, leak.kind));
            }
        }
    }
    if findings.is_empty() { Ok(()) } else { Err(PipelineError::Leak(findings)) }
}

/// Scan a batch's text cells; returns (1-based row, kind) for each finding.
fn scan_batch(guard: &anonymise::LeakGuard, batch: &RecordBatch, published: bool) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for row in 0..batch.num_rows() {
        for column in batch.columns() {
            if let Some(text) = cell_text(column.as_ref(), row) {
                for leak in guard.scan(&text, published) {
                    found.push((row + 1, leak.kind.to_string()));
                }
            }
        }
    }
    found
}
