//! The synthesis report's methods section: the stages the pipeline ran and
//! the settings it actually used, read from the pipeline file as run (not
//! from defaults), so the report says what was done.

use serde::Serialize;

use super::TableView;

/// What the methods section says about the run: the stages and the settings
/// actually used, read from the pipeline file as run.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct MethodsView {
    pub stages: TableView,
    pub bootstrap_resamples: Option<String>,
    pub confidence: Option<String>,
    pub pattern_share: Option<String>,
    pub pattern_min_valid: Option<String>,
    pub replication_share: Option<String>,
    pub tension_threshold: Option<String>,
    pub pool_managers: Option<String>,
    pub exemplars: Option<String>,
}

pub(crate) fn methods(source: &str) -> MethodsView {
    let mut view = MethodsView {
        stages: TableView::new(
            &["Stage", "Kind", "Reads", "Settings"],
            "The pipeline file could not be read.",
        ),
        ..Default::default()
    };
    let Ok(doc) = source.parse::<toml::Table>() else {
        return view;
    };
    let stages = doc
        .get("stage")
        .and_then(toml::Value::as_array)
        .cloned()
        .unwrap_or_default();
    let show = show_setting;
    for stage in &stages {
        let Some(table) = stage.as_table() else {
            continue;
        };
        let get = |k: &str| table.get(k).map(show);
        let run = get("run").unwrap_or_default();
        let reads = table
            .get("from")
            .and_then(toml::Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(toml::Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        let settings: Vec<String> = table
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "id" | "run" | "from"))
            .map(|(k, v)| format!("{k} = {}", show(v)))
            .collect();
        view.stages.push(
            vec![
                get("id").unwrap_or_default(),
                run.clone(),
                reads,
                settings.join("; "),
            ],
            None,
        );
        let first = |slot: &mut Option<String>, key: &str| {
            if slot.is_none() {
                *slot = get(key);
            }
        };
        match run.as_str() {
            "ratings.summary" => {
                first(&mut view.bootstrap_resamples, "bootstrap_resamples");
                first(&mut view.confidence, "confidence");
            }
            "patterns.matrix" => {
                first(&mut view.pattern_share, "share");
                first(&mut view.pattern_min_valid, "min_valid");
            }
            "patterns.replication" => first(&mut view.replication_share, "share"),
            "ratings.tensions" => {
                first(&mut view.tension_threshold, "threshold");
                first(&mut view.pool_managers, "pool_managers");
            }
            "patterns.qual_matrix" | "patterns.quotes" => first(&mut view.exemplars, "exemplars"),
            _ => {}
        }
    }
    view
}

/// A setting's value as a reader reads it.
fn show_setting(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Float(f) => {
            // Shares such as 2/3 are written with 16 digits; 4 read better.
            let short = format!("{f:.4}");
            short
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_string()
        }
        toml::Value::Array(items) => {
            format!(
                "[{}]",
                items
                    .iter()
                    .map(show_setting)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        toml::Value::Datetime(d) => format!("{d:?}"),
        toml::Value::Table(t) => {
            let parts: Vec<String> = t
                .iter()
                .map(|(k, v)| format!("{k} = {}", show_setting(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
    }
}
