//! The settings of each kind of stage, as a pipeline file spells them.
//!
//! Every kind has its own settings type with `deny_unknown_fields`, so a
//! misspelt key is caught when the plan is checked, not when the stage runs.

use serde::Deserialize;
use toml::Table;

use crate::plan::{SettingsError, settings_from};

/// Every kind of stage a pipeline can run.
pub const KINDS: &[&str] = &[
    "ingest.study",
    "anonymise",
    "ratings.summary",
    "ratings.top3",
    "ratings.direction",
    "ratings.consensus",
    "ratings.group_tests",
    "ratings.sector_tests",
    "ratings.tensions",
    "ratings.top3_importance",
    "patterns.matrix",
    "patterns.replication",
    "patterns.outcomes",
    "patterns.qca",
    "patterns.qual_matrix",
    "patterns.quotes",
    "disclosure.demographics",
    "report.markdown",
    "report.html",
    "report.site_packs",
    "report.handbook",
    "report.workbook",
    "guard.leaks",
];

#[derive(Debug, Clone, PartialEq)]
pub enum StageSettings {
    Ingest(IngestSettings),
    Anonymise(AnonymiseSettings),
    Ratings(RatingsStage),
    Tensions(TensionSettings),
    PatternMatrix(ConditionSettings),
    Replication(ReplicationSettings),
    Outcomes(ConditionSettings),
    Qca(NoSettings),
    QualMatrix(QualSettings),
    Quotes(QualSettings),
    Demographics(NoSettings),
    Report(ReportSettings),
    ReportHtml(ReportSettings),
    SitePacks(NoSettings),
    Handbook(NoSettings),
    Workbook(WorkbookSettings),
    LeakGuard(NoSettings),
}

/// Which ratings analysis a `ratings.*` stage runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RatingsKind {
    Summary,
    Top3,
    Direction,
    Consensus,
    GroupTests,
    SectorTests,
    Top3Importance,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RatingsStage {
    pub kind: RatingsKind,
    pub settings: RatingsSettings,
}

impl StageSettings {
    pub(crate) fn parse(run: &str, table: Table) -> Result<StageSettings, SettingsError> {
        use StageSettings as S;
        let ratings = |kind, table| -> Result<StageSettings, SettingsError> {
            Ok(S::Ratings(RatingsStage {
                kind,
                settings: settings_from(table)?,
            }))
        };
        Ok(match run {
            "ingest.study" => S::Ingest(settings_from(table)?),
            "anonymise" => S::Anonymise(settings_from(table)?),
            "ratings.summary" => ratings(RatingsKind::Summary, table)?,
            "ratings.top3" => ratings(RatingsKind::Top3, table)?,
            "ratings.direction" => ratings(RatingsKind::Direction, table)?,
            "ratings.consensus" => ratings(RatingsKind::Consensus, table)?,
            "ratings.group_tests" => ratings(RatingsKind::GroupTests, table)?,
            "ratings.sector_tests" => ratings(RatingsKind::SectorTests, table)?,
            "ratings.top3_importance" => ratings(RatingsKind::Top3Importance, table)?,
            "ratings.tensions" => S::Tensions(settings_from(table)?),
            "patterns.matrix" => S::PatternMatrix(settings_from(table)?),
            "patterns.replication" => S::Replication(settings_from(table)?),
            "patterns.outcomes" => S::Outcomes(settings_from(table)?),
            "patterns.qca" => S::Qca(settings_from(table)?),
            "patterns.qual_matrix" => S::QualMatrix(settings_from(table)?),
            "patterns.quotes" => S::Quotes(settings_from(table)?),
            "disclosure.demographics" => S::Demographics(settings_from(table)?),
            "report.markdown" => S::Report(settings_from(table)?),
            "report.html" => S::ReportHtml(settings_from(table)?),
            "report.site_packs" => S::SitePacks(settings_from(table)?),
            "report.handbook" => S::Handbook(settings_from(table)?),
            "report.workbook" => {
                let settings: WorkbookSettings = settings_from(table)?;
                let writer = settings.writer.writer();
                if !writer.is_built() {
                    return Err(SettingsError::Invalid {
                        key: Some("writer".into()),
                        message: format!(
                            "the workbook writer `{}` is not in this build of crosscase (it is built only to be measured: `just bench --workbook-writers`)",
                            writer.name()
                        ),
                    });
                }
                S::Workbook(settings)
            }
            "guard.leaks" => S::LeakGuard(settings_from(table)?),
            _ => return Err(SettingsError::UnknownKind),
        })
    }

    /// Does this stage publish a table under `tables/`?
    pub fn publishes_table(&self) -> bool {
        !matches!(
            self,
            StageSettings::Ingest(_)
                | StageSettings::Anonymise(_)
                | StageSettings::Report(_)
                | StageSettings::ReportHtml(_)
                | StageSettings::SitePacks(_)
                | StageSettings::Handbook(_)
                | StageSettings::Workbook(_)
                | StageSettings::LeakGuard(_)
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct NoSettings {}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IngestSettings {
    /// Interview exports, relative to the study folder: a folder and `*.csv`.
    #[serde(default = "default_interviews")]
    pub interviews: String,
    #[serde(default = "default_documents")]
    pub documents: String,
}

impl Default for IngestSettings {
    fn default() -> Self {
        IngestSettings {
            interviews: default_interviews(),
            documents: default_documents(),
        }
    }
}

fn default_interviews() -> String {
    "raw/interviews/*.csv".into()
}
fn default_documents() -> String {
    "raw/documents/*.csv".into()
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatingsSettings {
    /// Scopes: study, sector, site, group, site_group.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    #[serde(default = "default_resamples")]
    pub bootstrap_resamples: u32,
    #[serde(default = "default_confidence")]
    pub confidence: f64,
}

impl Default for RatingsSettings {
    fn default() -> Self {
        RatingsSettings {
            scopes: default_scopes(),
            bootstrap_resamples: default_resamples(),
            confidence: default_confidence(),
        }
    }
}

fn default_scopes() -> Vec<String> {
    ["study", "sector", "site", "group", "site_group"]
        .map(String::from)
        .to_vec()
}
fn default_resamples() -> u32 {
    2000
}
fn default_confidence() -> f64 {
    0.95
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TensionSettings {
    /// Pool team and senior managers as one group, `managers`.
    #[serde(default = "yes")]
    pub pool_managers: bool,
    /// Difference in mean importance (1-5 scale) that is flagged.
    #[serde(default = "default_threshold")]
    pub threshold: f64,
}

fn yes() -> bool {
    true
}
fn default_threshold() -> f64 {
    1.0
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionSettings {
    /// The modal answer must hold at least this share of valid answers.
    #[serde(default = "two_thirds")]
    pub share: f64,
    /// Fewer valid answers than this: the condition is unknown.
    #[serde(default = "two")]
    pub min_valid: u32,
}

fn two_thirds() -> f64 {
    2.0 / 3.0
}
fn two() -> u32 {
    2
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplicationSettings {
    /// Share of sites (with a known condition) that makes a pattern replicated.
    #[serde(default = "default_replication")]
    pub share: f64,
}

fn default_replication() -> f64 {
    0.8
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualSettings {
    /// Exemplar accounts published per cell.
    #[serde(default = "two_usize")]
    pub exemplars: usize,
}

fn two_usize() -> usize {
    2
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSettings {
    /// File name of the report under `report/` (default `synthesis.md`, or
    /// `synthesis.html` for `report.html`).
    pub file: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkbookSettings {
    /// File name of the workbook under `report/`.
    #[serde(default = "default_workbook")]
    pub file: String,
    /// Who writes it (`report::WorkbookWriter`): `fast` (the default),
    /// `rust_xlsxwriter` (the same bytes, slower) or
    /// `rust_xlsxwriter_low_memory` (only in a build for measuring it).
    /// For `just bench --workbook-writers`.
    #[serde(default)]
    pub writer: WorkbookWriterName,
}

/// [`report::WorkbookWriter`] as a pipeline file names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkbookWriterName {
    #[default]
    Fast,
    RustXlsxwriter,
    RustXlsxwriterLowMemory,
}

impl WorkbookWriterName {
    pub fn writer(self) -> report::WorkbookWriter {
        match self {
            WorkbookWriterName::Fast => report::WorkbookWriter::Fast,
            WorkbookWriterName::RustXlsxwriter => report::WorkbookWriter::RustXlsxwriter,
            WorkbookWriterName::RustXlsxwriterLowMemory => {
                report::WorkbookWriter::RustXlsxwriterLowMemory
            }
        }
    }
}

fn default_workbook() -> String {
    "tables.xlsx".into()
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct AnonymiseSettings {
    /// Redaction kinds to switch off (`name`, `email`, `phone`, ...). Only for
    /// testing the leak guard: with any kind off, identifying text reaches
    /// the outputs and the guard stops the run. Never set in a real pipeline.
    #[serde(default)]
    pub disable_redaction: Vec<String>,
}
