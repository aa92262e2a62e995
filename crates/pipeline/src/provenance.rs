//! Provenance: for every figure, the stage, its settings, the crosscase
//! version, the de-identified table it read (with its hash) and the rows it
//! was computed from.
//!
//! A key design choice: rows are recorded as a *predicate* over a hashed
//! intermediate, not as a list per figure. Every published row has key
//! columns (`site`, `sector`, `group`, `factor`, `outcome`); a figure's
//! contributing rows are the rows of its stage's input table that share the
//! figure's non-empty key values. So the store holds one record per stage
//! (`provenance.json`), stays small at national scale, and `explain` can
//! still list every contributing row down to raw `file:line`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::kinds::Figures;
use crate::plan::Plan;

/// Where a stage's figures come from.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Lineage {
    #[serde(flatten)]
    pub figures: Figures,
    /// In words, how the figures are computed, with every setting.
    pub method: String,
}

#[derive(Serialize)]
struct StageRecord<'a> {
    stage: &'a str,
    run: &'a str,
    crosscase: &'static str,
    settings: serde_json::Value,
    table: String,
    lineage: Lineage,
    /// The clean table read and its sha256 in this run: `data/<input>/`
    /// for a table published as site partitions, hashed over its files
    /// (`partitions::table_hash`), else `data/<input>.parquet`.
    input: BTreeMap<String, String>,
}

/// `provenance.json`: one record per table stage, sorted by stage id.
pub fn store(plan: &Plan, outputs: &BTreeMap<String, String>) -> String {
    let data_hashes = crate::partitions::clean_hashes(outputs);
    let mut records: Vec<StageRecord> = Vec::new();
    for stage in &plan.stages {
        let Some(figures) = stage.kind.figures else {
            continue;
        };
        let lineage = Lineage {
            figures,
            method: stage.method.clone(),
        };
        let input_path = crate::partitions::table_rel(lineage.figures.input);
        let mut input = BTreeMap::new();
        input.insert(
            input_path.clone(),
            data_hashes.get(&input_path).cloned().unwrap_or_default(),
        );
        records.push(StageRecord {
            stage: &stage.id,
            run: &stage.run,
            crosscase: model::VERSION,
            settings: serde_json::from_str(&stage.canonical).unwrap_or(serde_json::Value::Null),
            table: format!("tables/{}.parquet", stage.id),
            lineage,
            input,
        });
    }
    records.sort_by(|a, b| a.stage.cmp(b.stage));
    let mut text = serde_json::to_string_pretty(&serde_json::json!({
        "pipeline": plan.name,
        "crosscase": model::VERSION,
        "stages": records,
    }))
    .unwrap_or_default();
    text.push('\n');
    text
}
