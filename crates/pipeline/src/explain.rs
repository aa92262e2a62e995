//! `crosscase explain FIGURE_ID`: a figure's value, how it was computed, and
//! the de-identified rows it was computed from, down to raw `file:line`.

use arrow_array::RecordBatch;
use camino::Utf8Path;

use crate::error::PipelineError;
use crate::hash::sha256_hex;
use crate::tables::{cell_text, from_parquet};

/// A figure found in a published table.
pub struct Found {
    pub stage: String,
    pub batch: RecordBatch,
    pub row: usize,
    /// The statistic asked for (`mean` in `.../supervision/mean`), if any.
    pub column: Option<String>,
}

fn read_json(path: &Utf8Path) -> Result<serde_json::Value, PipelineError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        PipelineError::Usage(format!(
            "cannot read {path}: {e}. Run the pipeline first, or give --out DIR"
        ))
    })?;
    serde_json::from_str(&text).map_err(|e| PipelineError::io(path, e))
}

fn read_table(path: &Utf8Path) -> Result<RecordBatch, PipelineError> {
    let bytes = std::fs::read(path).map_err(|e| PipelineError::io(path, e))?;
    from_parquet(bytes).map_err(|e| PipelineError::io(path, e))
}

/// The sha256 of a clean table as its files are now (for a partitioned
/// table, `partitions::table_hash` of the files `outputs.lock` lists, each
/// hashed from its bytes).
fn input_hash(out: &Utf8Path, table: &str) -> Result<String, PipelineError> {
    let rel = crate::partitions::table_rel(table);
    if !crate::partitions::is_partitioned(table) {
        let path = out.join(&rel);
        let bytes = std::fs::read(&path).map_err(|e| PipelineError::io(&path, e))?;
        return Ok(sha256_hex(&bytes));
    }
    let files: std::collections::BTreeMap<String, String> = crate::output::read_lock(out)
        .into_keys()
        .filter(|f| f.starts_with(&rel))
        .map(|f| {
            let hash = std::fs::read(out.join(&f))
                .map(|b| sha256_hex(&b))
                .unwrap_or_default();
            (f, hash)
        })
        .collect();
    Ok(crate::partitions::table_hash(table, &files))
}

fn figure_row(batch: &RecordBatch, id: &str) -> Option<usize> {
    let ids = model::column::text(batch, "figure_id")?;
    (0..ids.len()).find(|&i| ids.get(i) == Some(id))
}

/// Find a figure among the published tables of an output folder.
pub fn find(out: &Utf8Path, figure: &str) -> Result<Found, PipelineError> {
    let provenance = read_json(&out.join("provenance.json"))?;
    let stages = provenance["stages"].as_array().cloned().unwrap_or_default();
    for record in &stages {
        let stage = record["stage"].as_str().unwrap_or_default().to_string();
        let batch = read_table(&out.join(record["table"].as_str().unwrap_or_default()))?;
        if let Some(row) = figure_row(&batch, figure) {
            return Ok(Found {
                stage,
                batch,
                row,
                column: None,
            });
        }
        if let Some((base, column)) = figure.rsplit_once('/')
            && batch.schema().column_with_name(column).is_some()
            && let Some(row) = figure_row(&batch, base)
        {
            return Ok(Found {
                stage,
                batch,
                row,
                column: Some(column.to_string()),
            });
        }
    }
    Err(PipelineError::Usage(format!(
        "no figure `{figure}` in {out}: figure ids are in the `figure_id` column of every table under {out}/tables \
         (add a column name, such as /mean, to ask for one statistic); a coded transcript project by its sha256 \
         and a coded selection by its guid are in {out}/data/coded_segments.parquet"
    )))
}

/// The explanation of a figure, as text for a person; or of a coded
/// transcript project (`qualitative/<sha256>.qdpx`, its sha256 or the
/// sha256's first 8 or more characters) or a coded selection (its guid)
/// of `data/coded_segments.parquet`.
pub fn explain(out: &Utf8Path, figure: &str) -> Result<String, PipelineError> {
    if let Some(site) = figure.strip_prefix("workshop/") {
        return crate::workshops::explain(out, site);
    }
    if let Some(text) = crate::explain_coded::explain(out, figure)? {
        return Ok(text);
    }
    let found = find(out, figure)?;
    let provenance = read_json(&out.join("provenance.json"))?;
    let record = provenance["stages"]
        .as_array()
        .and_then(|s| s.iter().find(|r| r["stage"] == found.stage.as_str()))
        .cloned()
        .unwrap_or_default();
    let batch = &found.batch;
    let schema = batch.schema();
    let mut text = String::new();
    text.push_str(&format!("figure    {figure}\n"));
    text.push_str(&format!(
        "table     tables/{}.csv, row {}\n",
        found.stage,
        found.row + 1
    ));
    let value_of = |name: &str| {
        batch
            .column_by_name(name)
            .and_then(|c| cell_text(c.as_ref(), found.row))
            .unwrap_or_default()
    };
    match &found.column {
        Some(column) => text.push_str(&format!(
            "value     {column} = {}\n",
            show(&value_of(column))
        )),
        None => {
            text.push_str("values   ");
            for field in schema.fields() {
                if field.name() != "figure_id" {
                    text.push_str(&format!(
                        " {}={}",
                        field.name(),
                        show(&value_of(field.name()))
                    ));
                }
            }
            text.push('\n');
        }
    }
    if value_of("suppressed") == "true" {
        text.push_str("          suppressed: fewer people than the study's minimum cell size; the rows are not shown\n");
    }
    text.push_str(&format!(
        "stage     {} (run = \"{}\"), crosscase {}\n",
        found.stage,
        record["run"].as_str().unwrap_or_default(),
        record["crosscase"].as_str().unwrap_or_default()
    ));
    text.push_str(&format!("settings  {}\n", record["settings"]));
    let lineage = &record["lineage"];
    text.push_str(&format!(
        "method    {}\n",
        lineage["method"].as_str().unwrap_or_default()
    ));
    let input = lineage["input"].as_str().unwrap_or_default();
    let input_rel = crate::partitions::table_rel(input);
    let recorded = record["input"][&input_rel]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let now = input_hash(out, input)?;
    text.push_str(&format!(
        "input     {input_rel} (sha256 {})\n",
        &recorded[..recorded.len().min(16)]
    ));
    if now != recorded {
        text.push_str("          warning: this file has changed since the figure was computed; rerun the pipeline\n");
    }
    if value_of("suppressed") == "true" {
        return Ok(text);
    }
    // A figure of one site reads that site's partition only.
    let site = lineage["keys"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|k| k == "site")
        .then(|| {
            batch
                .column_by_name("site")
                .and_then(|c| cell_text(c.as_ref(), found.row))
        })
        .flatten()
        .filter(|_| crate::partitions::is_partitioned(input));
    let rows = match &site {
        Some(label) => {
            let path = out.join(crate::partitions::partition_rel(input, label));
            match std::fs::read(&path) {
                Ok(bytes) => from_parquet(bytes).map_err(|e| PipelineError::io(&path, e))?,
                // No partition: the site has no rows of this table.
                Err(_) => crate::partitions::read_table(out, input, None)?,
            }
        }
        None => crate::partitions::read_table(out, input, None)?,
    };
    let keys: Vec<(String, String)> = lineage["keys"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|k| k.as_str())
        .filter(|k| rows.schema().column_with_name(k).is_some())
        .filter_map(|k| {
            let v = batch
                .column_by_name(k)
                .and_then(|c| cell_text(c.as_ref(), found.row))?;
            Some((k.to_string(), v))
        })
        .collect();
    let values: Vec<String> = lineage["values"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(String::from))
        .filter(|v| rows.schema().column_with_name(v).is_some())
        .collect();
    let predicate = if keys.is_empty() {
        "all rows".to_string()
    } else {
        keys.iter()
            .map(|(k, v)| format!("{k} = \"{v}\""))
            .collect::<Vec<_>>()
            .join(" and ")
    };
    let matching: Vec<usize> = (0..rows.num_rows())
        .filter(|&i| {
            keys.iter().all(|(k, v)| {
                rows.column_by_name(k)
                    .and_then(|c| cell_text(c.as_ref(), i))
                    .as_deref()
                    == Some(v.as_str())
            })
        })
        .collect();
    text.push_str(&format!(
        "rows      {predicate}: {} row(s)\n",
        matching.len()
    ));
    let column = |name: &str, i: usize| {
        rows.column_by_name(name)
            .and_then(|c| cell_text(c.as_ref(), i))
    };
    if input == crate::transcripts::TABLE {
        segments_counted(out, &rows, &matching, &mut text);
        return Ok(text);
    }
    text.push_str(&format!(
        "          participant  source                                        {}\n",
        values.join("  ")
    ));
    // Coded segments come from a project's selection, not a raw line.
    let mut projects = crate::explain_coded::ProjectFiles::new(out);
    for i in matching {
        let source = match (column("source_file", i), column("project", i)) {
            (None, Some(sha256)) => format!(
                "{} {}",
                projects
                    .file(&sha256)
                    .map(|f| f.to_string())
                    .unwrap_or_else(|| format!("qualitative/{sha256}.qdpx")),
                column("selection", i).unwrap_or_default()
            ),
            (file, _) => format!(
                "{}:{}",
                file.unwrap_or_default(),
                column("source_line", i).unwrap_or_default()
            ),
        };
        let vals: Vec<String> = values
            .iter()
            .map(|v| show(&column(v, i).unwrap_or_default()))
            .collect();
        text.push_str(&format!(
            "          {:<12} {:<45} {}\n",
            column("participant", i)
                .or_else(|| column("document", i))
                .unwrap_or_default(),
            source,
            vals.join("  ")
        ));
    }
    Ok(text)
}

/// The coded segments a figure counted: pseudonym, project, source and
/// selection GUIDs, theme. Each project is named by its SHA-256, and, when
/// the study folder of the last run is at hand, by its file name there
/// (printed here, never published: a file name may hold a coder's name).
fn segments_counted(out: &Utf8Path, rows: &RecordBatch, matching: &[usize], text: &mut String) {
    let column = |name: &str, i: usize| {
        rows.column_by_name(name)
            .and_then(|c| cell_text(c.as_ref(), i))
            .unwrap_or_default()
    };
    text.push_str("          participant  project           source                                  selection                               theme\n");
    let mut projects = std::collections::BTreeSet::new();
    for &i in matching {
        let project = column("project", i);
        let sha = project_sha(&project);
        text.push_str(&format!(
            "          {:<12} {:<17} {:<39} {:<39} {}\n",
            column("participant", i),
            &sha[..sha.len().min(16)],
            column("source", i),
            column("selection", i),
            column("theme", i),
        ));
        projects.insert(sha.to_string());
    }
    let local = local_projects(out);
    for sha in projects {
        match local.get(&sha) {
            Some(name) => text.push_str(&format!("project   sha256 {sha} (here: {name})\n")),
            None => text.push_str(&format!("project   sha256 {sha}\n")),
        }
    }
}

/// A project's SHA-256 from its published name (`qualitative/<sha256>.qdpx`).
fn project_sha(project: &str) -> &str {
    project
        .trim_start_matches("qualitative/")
        .trim_end_matches(".qdpx")
}

/// SHA-256 to file name of the projects in the last run's study folder.
fn local_projects(out: &Utf8Path) -> std::collections::BTreeMap<String, String> {
    let mut found = std::collections::BTreeMap::new();
    let Some((study, _)) = crate::run::last_run(out) else {
        return found;
    };
    let folder = Utf8Path::new(&study).join("qualitative");
    let Ok(entries) = std::fs::read_dir(&folder) else {
        return found;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if !name.to_lowercase().ends_with(".qdpx") {
            continue;
        }
        if let Ok(bytes) = std::fs::read(entry.path()) {
            found.insert(sha256_hex(&bytes), format!("qualitative/{name}"));
        }
    }
    found
}

fn show(value: &str) -> String {
    if value.is_empty() {
        "(empty)".to_string()
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, RecordBatch, StringArray};

    #[test]
    fn figure_ids_are_found_in_plain_and_dictionary_columns() {
        let ids = vec![Some("ratings/study/a"), None, Some("ratings/study/b")];
        let plain: ArrayRef = Arc::new(StringArray::from(ids.clone()));
        for column in [plain, model::column::categories(ids)] {
            let batch = RecordBatch::try_from_iter([("figure_id", column)]).unwrap();
            assert_eq!(super::figure_row(&batch, "ratings/study/b"), Some(2));
            assert_eq!(super::figure_row(&batch, "ratings/study/c"), None);
        }
    }
}
