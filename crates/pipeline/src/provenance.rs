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

use crate::plan::Plan;
use crate::settings::{RatingsKind, StageSettings};

/// Where a stage's figures come from.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Lineage {
    /// The de-identified table read (`answers` for `data/answers.parquet`).
    pub input: &'static str,
    /// The input columns whose values the figures are computed from.
    pub values: Vec<&'static str>,
    /// Key columns shared by a figure's row and its input rows.
    pub keys: Vec<&'static str>,
    /// In words, how the figures are computed.
    pub method: &'static str,
}

const WHO: [&str; 4] = ["site", "sector", "group", "factor"];

/// The lineage of a stage's table, if it publishes one.
pub fn lineage(settings: &StageSettings) -> Option<Lineage> {
    use StageSettings as S;
    let l = |input, values: &[&'static str], keys: &[&'static str], method| Lineage {
        input,
        values: values.to_vec(),
        keys: keys.to_vec(),
        method,
    };
    Some(match settings {
        S::Ratings(r) => match r.kind {
            RatingsKind::Summary => l(
                "answers",
                &["importance"],
                &WHO,
                "n, mean, sd (n-1), median, quartiles (R type 7) and share rating 4-5 of the valid importance ratings (1-5) of the rows below; the confidence interval is a percentile bootstrap of the mean seeded by the study seed and the figure id",
            ),
            RatingsKind::Top3 => l(
                "top3",
                &["rank"],
                &WHO,
                "counts of the rows below (each a top-three pick with its rank); score = 3 x first + 2 x second + 1 x third; respondents = participants in the scope who gave a top three",
            ),
            RatingsKind::Direction => l(
                "answers",
                &["direction"],
                &WHO,
                "counts and shares of the valid direction answers (1 facilitator, 2 barrier, 3 both, 4 neither) of the rows below",
            ),
            RatingsKind::Consensus => l(
                "answers",
                &["importance"],
                &WHO,
                "rwg = 1 - s²/2 (uniform null on 5 points, truncated at 0) and Tastle-Wierman consensus of the valid importance ratings of the rows below",
            ),
            RatingsKind::GroupTests => l(
                "answers",
                &["group", "importance"],
                &["sector", "factor"],
                "Kruskal-Wallis H across stakeholder groups (tie-corrected) of the valid importance ratings below; Benjamini-Hochberg adjustment across factors",
            ),
            RatingsKind::SectorTests => l(
                "answers",
                &["sector", "importance"],
                &["factor"],
                "Mann-Whitney U, statutory against voluntary (normal approximation, tie and continuity corrected) of the valid importance ratings below",
            ),
            RatingsKind::Top3Importance => l(
                "top3",
                &["rank"],
                &["factor"],
                "importance ratings of those who picked the factor in their top three against those who did not",
            ),
        },
        S::Tensions(_) => l(
            "answers",
            &["group", "importance", "pattern"],
            &["site", "sector", "factor"],
            "mean importance of each stakeholder group and their modal pattern-matching answers, compared pairwise",
        ),
        S::PatternMatrix(_) => l(
            "answers",
            &["pattern"],
            &["site", "factor"],
            "counts of the pattern-matching answers below; the condition is the modal valid answer when it holds the set share of valid answers; documents' evidence decides doc_status",
        ),
        S::Replication(_) => l(
            "answers",
            &["pattern"],
            &["factor"],
            "the site conditions of the pattern matrix, counted across sites by sector, partnership and BME focus",
        ),
        S::Outcomes(_) => l(
            "outcomes",
            &["answer"],
            &["site", "outcome"],
            "counts of the outcome answers below; the outcome condition by the same rule as the pattern matrix",
        ),
        S::Qca(_) => l(
            "answers",
            &["pattern"],
            &["factor"],
            "crisp-set consistency and coverage (Ragin) of condition in place against outcome present, across sites",
        ),
        S::Quotes(_) => l(
            "accounts",
            &["theme", "text"],
            &["sector", "group"],
            "redacted accounts per theme and stakeholder group across sites, with exemplars chosen by row hash; a cell with fewer people than the minimum cell size publishes none",
        ),
        S::QualMatrix(_) => l(
            "accounts",
            &["theme", "text"],
            &["site", "group"],
            "number of redacted accounts per site, stakeholder group and theme, with exemplars chosen by row hash",
        ),
        S::Demographics(_) => l(
            "participants",
            &["age_band", "gender", "ethnicity", "lived_experience"],
            &["site", "sector"],
            "counts of participants per characteristic and category",
        ),
        _ => return None,
    })
}

#[derive(Serialize)]
struct StageRecord<'a> {
    stage: &'a str,
    run: &'a str,
    crosscase: &'static str,
    settings: serde_json::Value,
    table: String,
    lineage: Lineage,
    /// `data/<input>.parquet` and its sha256 in this run.
    input: BTreeMap<String, String>,
}

/// `provenance.json`: one record per table stage, sorted by stage id.
pub fn store(plan: &Plan, data_hashes: &BTreeMap<String, String>) -> String {
    let mut records: Vec<StageRecord> = Vec::new();
    for stage in &plan.stages {
        let Some(lineage) = lineage(&stage.settings) else {
            continue;
        };
        let input_path = format!("data/{}.parquet", lineage.input);
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
