//! The synthesis report's methods section: each stage the pipeline ran, in
//! order, in words, with every setting it used, defaults included. The
//! words come from the pipeline's registry of stage kinds (the report
//! reads no pipeline file), so the report says what was done.

use serde::Serialize;

use crate::StageMethod;

/// What the methods section says about the run.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct MethodsView {
    pub stages: Vec<StageView>,
}

/// One stage, as a reader reads it.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct StageView {
    pub id: String,
    pub kind: String,
    /// The stages it read, `a, b and c`; empty for none.
    pub from: String,
    /// What it did, every setting in words.
    pub text: String,
    /// Every setting as written in a pipeline file: `key = value; ...`.
    pub settings: String,
}

pub(crate) fn methods(stages: &[StageMethod]) -> MethodsView {
    MethodsView {
        stages: stages
            .iter()
            .map(|s| StageView {
                id: s.id.clone(),
                kind: s.kind.clone(),
                from: and_list(&s.from),
                text: s.text.clone(),
                settings: s
                    .settings
                    .iter()
                    .map(|(key, value)| format!("{key} = {value}"))
                    .collect::<Vec<_>>()
                    .join("; "),
            })
            .collect(),
    }
}

/// "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
