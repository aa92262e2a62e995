//! The study folder's settings and registers (`study.toml`, `sites.csv`,
//! `identifiers.csv`, `withdrawals.csv`), as typed values.

use serde::Deserialize;

use crate::framework::toml_diagnostic;
use crate::{Diagnostic, Sector};

/// `study.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StudyConfig {
    pub study: StudySection,
    pub key: KeySource,
    #[serde(default)]
    pub disclosure: Disclosure,
    #[serde(default)]
    pub anonymisation: AnonymisationSection,
    #[serde(default)]
    pub qualitative: QualitativeSection,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StudySection {
    pub name: String,
    /// Seeds anything resampled, so reruns are identical.
    pub seed: u64,
}

/// Where the pseudonymisation key comes from. Never inside the study folder.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct KeySource {
    /// Read the key from this environment variable.
    pub env: Option<String>,
    /// Or from this file (outside the study folder).
    pub file: Option<String>,
    /// Only the shipped demo study: use the published demo key.
    #[serde(default)]
    pub demo: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disclosure {
    /// Cells with fewer people are suppressed.
    #[serde(default = "default_min_cell")]
    pub min_cell: u32,
    /// What a published quote's label may say (`group`, `sector`, `site`).
    #[serde(default = "default_quote_label")]
    pub quote_label: Vec<String>,
    /// The scopes at which demographics are published (`study`, `sector`, `site`).
    #[serde(default = "default_demographics")]
    pub demographics: Vec<String>,
}

fn default_min_cell() -> u32 {
    3
}
fn default_quote_label() -> Vec<String> {
    vec!["group".into(), "sector".into()]
}
fn default_demographics() -> Vec<String> {
    vec!["study".into(), "sector".into()]
}

impl Default for Disclosure {
    fn default() -> Self {
        Disclosure {
            min_cell: default_min_cell(),
            quote_label: default_quote_label(),
            demographics: default_demographics(),
        }
    }
}

/// Where the anonymisation log goes: a private place outside the output folder.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct AnonymisationSection {
    pub log: Option<String>,
}

/// `[qualitative]`: how the coded transcripts are read.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct QualitativeSection {
    #[serde(default)]
    pub positions: Positions,
}

/// How a REFI-QDA project counts a selection's start and end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Positions {
    /// UTF-16 code units where the project's `origin` names NVivo, code
    /// points otherwise.
    #[default]
    Auto,
    /// UTF-16 code units, as NVivo counts.
    Utf16,
    /// Unicode code points, as the REFI-QDA standard says.
    Codepoints,
}

impl StudyConfig {
    pub fn parse(text: &str, path: &str) -> Result<StudyConfig, Diagnostic> {
        let cfg: StudyConfig = toml::from_str(text).map_err(|e| toml_diagnostic(path, text, &e))?;
        if cfg.disclosure.min_cell == 0 {
            return Err(Diagnostic::error(
                path,
                0,
                0,
                "[disclosure] min_cell: expected 1 or more, found 0",
            ));
        }
        for label in &cfg.disclosure.quote_label {
            if !matches!(label.as_str(), "group" | "sector" | "site") {
                return Err(Diagnostic::error(
                    path,
                    0,
                    0,
                    format!(
                        "[disclosure] quote_label: expected `group`, `sector` or `site`, found `{label}`"
                    ),
                ));
            }
        }
        for level in &cfg.disclosure.demographics {
            if !matches!(level.as_str(), "study" | "sector" | "site") {
                return Err(Diagnostic::error(
                    path,
                    0,
                    0,
                    format!(
                        "[disclosure] demographics: expected `study`, `sector` or `site`, found `{level}`"
                    ),
                ));
            }
        }
        Ok(cfg)
    }
}

/// One row of the site register (`sites.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// Code used in the raw data (`S03`).
    pub site_id: String,
    /// The real name of the service: identifying, never published.
    pub site_name: String,
    /// The label used in every output (`Site C`).
    pub label: String,
    pub sector: Sector,
    pub partnership: bool,
    pub bme_focus: bool,
    pub region: String,
    pub wave: u8,
    pub model: String,
}

/// One row of `identifiers.csv`: text that must never reach an output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentifierEntry {
    /// `person`, `site`, `organisation`, `place`, `ward` or `team`.
    pub kind: String,
    pub text: String,
    /// What the reader sees instead (`[peer worker]`).
    pub replacement: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WithdrawalScope {
    /// Every trace of the participant is removed from every output.
    All,
    /// Ratings stay; none of their words are published.
    Quotes,
}

/// One row of `withdrawals.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withdrawal {
    pub record_id: String,
    pub withdrawn_on: String,
    pub scope: WithdrawalScope,
}
