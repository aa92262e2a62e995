//! The settings of each kind of stage: a type per kind, with its defaults,
//! the values each setting allows, and the settings in words.
//!
//! Every value is checked when the plan is read, before any data is: a
//! setting a stage could not honour (`scopes = ["ward"]`, `confidence = 95`)
//! is an error naming the pipeline file's line and column and the values
//! allowed, never a failure halfway through a run. The registry
//! (`kinds.rs`) says which type each kind of stage reads.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// A setting's value that the plan refuses: its key, the item of a list
/// when one item is at fault, and what is allowed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Refusal {
    pub key: &'static str,
    pub item: Option<usize>,
    pub message: String,
}

impl Refusal {
    fn of(key: &'static str, message: String) -> Refusal {
        Refusal {
            key,
            item: None,
            message,
        }
    }
}

/// What the registry needs of a settings type. Each type is read with
/// `deny_unknown_fields` and a container `default`, so an absent key takes
/// its default and a misspelt one is refused with the keys allowed.
pub(crate) trait Settings: Serialize + DeserializeOwned {
    /// Every value outside what its setting allows.
    fn refusals(&self) -> Vec<Refusal>;
    /// The settings in words, a sentence each, for the methods section.
    fn words(&self) -> Vec<String>;
}

/// A stage's settings as the run uses them, one variant per settings type.
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
    FrameworkMatrix(ScopeSettings),
    JointDisplay(JointSettings),
    Demographics(NoSettings),
    Report(ReportFile),
    ReportHtml(ReportFile),
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

/// A `ratings.*` stage: which analysis, and the settings of the ratings
/// crate it takes (the kinds without a setting keep its defaults).
#[derive(Debug, Clone, PartialEq)]
pub struct RatingsStage {
    pub kind: RatingsKind,
    pub settings: RatingsSettings,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct NoSettings {}

impl Settings for NoSettings {
    fn refusals(&self) -> Vec<Refusal> {
        Vec::new()
    }
    fn words(&self) -> Vec<String> {
        Vec::new()
    }
}

/// `ingest.study`: which exports of the study folder it reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IngestSettings {
    /// Interview exports, relative to the study folder: a folder and `*.csv`.
    pub interviews: String,
    pub documents: String,
}

impl Default for IngestSettings {
    fn default() -> Self {
        IngestSettings {
            interviews: "raw/interviews/*.csv".into(),
            documents: "raw/documents/*.csv".into(),
        }
    }
}

impl Settings for IngestSettings {
    fn refusals(&self) -> Vec<Refusal> {
        [
            ("interviews", &self.interviews),
            ("documents", &self.documents),
        ]
        .into_iter()
        .filter(|(_, pattern)| !is_export_pattern(pattern))
        .map(|(key, pattern)| {
            Refusal::of(
                key,
                format!(
                    "`{pattern}` is not a pattern of export files; expected a folder inside the study folder and file names with at most one `*`, ending `.csv`, like \"raw/{key}/*.csv\" (no `..`, not absolute)"
                ),
            )
        })
        .collect()
    }
    fn words(&self) -> Vec<String> {
        // The patterns themselves are in the settings listed beside these
        // words: a `*` in running Markdown text would read as emphasis.
        vec!["It reads the interview and the document exports that its two patterns name, in file name order.".into()]
    }
}

/// `folder/name*.csv`: a relative folder (no `..`, no wildcard) and file
/// names with at most one `*`, as `study::glob` reads them.
fn is_export_pattern(pattern: &str) -> bool {
    let Some((folder, file)) = pattern.rsplit_once('/') else {
        return false;
    };
    let folder_ok = !folder.is_empty()
        && !folder.starts_with('/')
        && !folder.contains('\\')
        && folder
            .split('/')
            .all(|part| !part.is_empty() && part != ".." && !part.contains('*'));
    folder_ok && file.ends_with(".csv") && file.matches('*').count() <= 1
}

/// `anonymise`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct AnonymiseSettings {
    /// Redaction kinds to switch off (`name`, `email`, `phone`, ...). Only for
    /// testing the leak guard: with any kind off, identifying text reaches
    /// the outputs and the guard stops the run. Never set in a real pipeline.
    pub disable_redaction: Vec<String>,
}

impl Settings for AnonymiseSettings {
    fn refusals(&self) -> Vec<Refusal> {
        let codes: Vec<&str> = anonymise::Kind::ALL.iter().map(|k| k.code()).collect();
        self.disable_redaction
            .iter()
            .enumerate()
            .filter(|(_, code)| !codes.contains(&code.as_str()))
            .map(|(i, code)| Refusal {
                key: "disable_redaction",
                item: Some(i),
                message: format!(
                    "`{code}` is not a redaction kind; expected any of {}",
                    quoted(&codes)
                ),
            })
            .collect()
    }
    fn words(&self) -> Vec<String> {
        if self.disable_redaction.is_empty() {
            vec!["Every kind of redaction is on.".into()]
        } else {
            vec![format!(
                "Redaction switched off for {} (a setting for testing the leak guard only).",
                self.disable_redaction.join(", ")
            )]
        }
    }
}

/// The ratings crate's settings as a `ratings.*` stage hands them on.
#[derive(Debug, Clone, PartialEq)]
pub struct RatingsSettings {
    /// Scope codes: study, sector, site, group, site_group.
    pub scopes: Vec<String>,
    pub bootstrap_resamples: u32,
    pub confidence: f64,
}

impl Default for RatingsSettings {
    fn default() -> Self {
        let summary = SummarySettings::default();
        RatingsSettings {
            scopes: summary.scopes,
            bootstrap_resamples: summary.bootstrap_resamples,
            confidence: summary.confidence,
        }
    }
}

/// Every scope a ratings table can be computed at, in output order.
const ALL_SCOPES: &[&str] = &["study", "sector", "site", "group", "site_group"];

fn scopes(codes: &[&str]) -> Vec<String> {
    codes.iter().map(|s| s.to_string()).collect()
}

/// Scopes outside `allowed`, listed twice, or none at all.
fn scope_refusals(scopes: &[String], allowed: &[&str]) -> Vec<Refusal> {
    let mut refusals = Vec::new();
    if scopes.is_empty() {
        refusals.push(Refusal::of(
            "scopes",
            format!(
                "no scope listed; expected one or more of {}",
                quoted(allowed)
            ),
        ));
    }
    for (i, scope) in scopes.iter().enumerate() {
        let message = if !allowed.contains(&scope.as_str()) {
            format!(
                "`{scope}` is not a scope of this kind of stage; expected one or more of {}",
                quoted(allowed)
            )
        } else if scopes[..i].contains(scope) {
            format!("scope `{scope}` is listed twice")
        } else {
            continue;
        };
        refusals.push(Refusal {
            key: "scopes",
            item: Some(i),
            message,
        });
    }
    refusals
}

/// "the whole study, each sector and each site".
fn scope_words(scopes: &[String]) -> String {
    let words: Vec<&str> = scopes
        .iter()
        .map(|s| match s.as_str() {
            "study" => "the whole study",
            "sector" => "each sector",
            "site" => "each site",
            "group" => "each stakeholder group",
            "site_group" => "each stakeholder group at each site",
            other => other,
        })
        .collect();
    format!("Computed for {}.", and_list(&words))
}

/// `ratings.summary`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SummarySettings {
    pub scopes: Vec<String>,
    /// Resamples of the bootstrap interval of a mean; 0: no interval.
    pub bootstrap_resamples: u32,
    pub confidence: f64,
}

impl Default for SummarySettings {
    fn default() -> Self {
        SummarySettings {
            scopes: scopes(ALL_SCOPES),
            bootstrap_resamples: 2000,
            confidence: 0.95,
        }
    }
}

/// Fewer resamples than this give a percentile interval too coarse to
/// read; more make a national study's bootstrap run for hours.
const RESAMPLES: std::ops::RangeInclusive<u32> = 100..=100_000;

impl Settings for SummarySettings {
    fn refusals(&self) -> Vec<Refusal> {
        let mut refusals = scope_refusals(&self.scopes, ALL_SCOPES);
        if self.bootstrap_resamples != 0 && !RESAMPLES.contains(&self.bootstrap_resamples) {
            refusals.push(Refusal::of(
                "bootstrap_resamples",
                format!(
                    "expected 0 (no confidence interval) or a whole number from {} to {}, found {}",
                    RESAMPLES.start(),
                    RESAMPLES.end(),
                    self.bootstrap_resamples
                ),
            ));
        }
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            refusals.push(Refusal::of(
                "confidence",
                format!(
                    "expected a number strictly between 0 and 1 (0.95 for 95%), found {}",
                    self.confidence
                ),
            ));
        }
        refusals
    }
    fn words(&self) -> Vec<String> {
        let interval = if self.bootstrap_resamples == 0 {
            "No confidence interval is computed.".to_string()
        } else {
            format!(
                "The {} confidence interval of a mean is a percentile bootstrap of {} resamples, seeded by the study seed and the figure id.",
                percent(self.confidence),
                self.bootstrap_resamples
            )
        };
        vec![scope_words(&self.scopes), interval]
    }
}

impl From<SummarySettings> for RatingsSettings {
    fn from(s: SummarySettings) -> Self {
        RatingsSettings {
            scopes: s.scopes,
            bootstrap_resamples: s.bootstrap_resamples,
            confidence: s.confidence,
        }
    }
}

/// `ratings.top3`, `ratings.direction`, `ratings.consensus`: the scopes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScopeSettings {
    pub scopes: Vec<String>,
}

impl Default for ScopeSettings {
    fn default() -> Self {
        ScopeSettings {
            scopes: scopes(ALL_SCOPES),
        }
    }
}

impl Settings for ScopeSettings {
    fn refusals(&self) -> Vec<Refusal> {
        scope_refusals(&self.scopes, ALL_SCOPES)
    }
    fn words(&self) -> Vec<String> {
        vec![scope_words(&self.scopes)]
    }
}

impl From<ScopeSettings> for RatingsSettings {
    fn from(s: ScopeSettings) -> Self {
        RatingsSettings {
            scopes: s.scopes,
            ..Default::default()
        }
    }
}

/// The scopes at which groups are compared: the tests pool sites.
const TEST_SCOPES: &[&str] = &["study", "sector"];

/// `ratings.group_tests`: the whole study and each sector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GroupTestSettings {
    pub scopes: Vec<String>,
}

impl Default for GroupTestSettings {
    fn default() -> Self {
        GroupTestSettings {
            scopes: scopes(TEST_SCOPES),
        }
    }
}

impl Settings for GroupTestSettings {
    fn refusals(&self) -> Vec<Refusal> {
        scope_refusals(&self.scopes, TEST_SCOPES)
    }
    fn words(&self) -> Vec<String> {
        vec![scope_words(&self.scopes)]
    }
}

impl From<GroupTestSettings> for RatingsSettings {
    fn from(s: GroupTestSettings) -> Self {
        RatingsSettings {
            scopes: s.scopes,
            ..Default::default()
        }
    }
}

impl From<NoSettings> for RatingsSettings {
    fn from(_: NoSettings) -> Self {
        RatingsSettings::default()
    }
}

/// The largest difference of two means on the 1-5 importance scale.
const MAX_DIFFERENCE: f64 = 4.0;

/// `ratings.tensions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TensionSettings {
    /// Pool team and senior managers as one group, `managers`.
    pub pool_managers: bool,
    /// Difference in mean importance (1-5 scale) that is flagged.
    pub threshold: f64,
}

impl Default for TensionSettings {
    fn default() -> Self {
        TensionSettings {
            pool_managers: true,
            threshold: 1.0,
        }
    }
}

impl Settings for TensionSettings {
    fn refusals(&self) -> Vec<Refusal> {
        if self.threshold > 0.0 && self.threshold <= MAX_DIFFERENCE {
            return Vec::new();
        }
        vec![Refusal::of(
            "threshold",
            format!(
                "expected a difference of mean importance on the 1-5 scale, greater than 0 and at most {MAX_DIFFERENCE}, found {}",
                self.threshold
            ),
        )]
    }
    fn words(&self) -> Vec<String> {
        vec![
            format!(
                "A difference of at least {} in mean importance (on the 1–5 scale) is flagged as a tension.",
                short(self.threshold)
            ),
            if self.pool_managers {
                "Team managers and senior managers are pooled as one perspective, managers."
            } else {
                "The five stakeholder groups are compared as five perspectives."
            }
            .into(),
        ]
    }
}

/// A share of answers or sites: greater than 0, at most 1.
fn share_refusal(key: &'static str, share: f64) -> Option<Refusal> {
    (!(share > 0.0 && share <= 1.0)).then(|| {
        Refusal::of(
            key,
            format!("expected a share greater than 0 and at most 1 (0.8 for 80%), found {share}"),
        )
    })
}

/// `patterns.matrix`, `patterns.outcomes`: when a site's condition is known.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConditionSettings {
    /// The modal answer must hold at least this share of valid answers.
    pub share: f64,
    /// Fewer valid answers than this: the condition is unknown.
    pub min_valid: u32,
}

impl Default for ConditionSettings {
    fn default() -> Self {
        ConditionSettings {
            share: 2.0 / 3.0,
            min_valid: 2,
        }
    }
}

impl Settings for ConditionSettings {
    fn refusals(&self) -> Vec<Refusal> {
        let mut refusals: Vec<Refusal> = share_refusal("share", self.share).into_iter().collect();
        if self.min_valid == 0 {
            refusals.push(Refusal::of(
                "min_valid",
                "expected a whole number of valid answers, 1 or more, found 0".into(),
            ));
        }
        refusals
    }
    fn words(&self) -> Vec<String> {
        vec![format!(
            "A site's condition is the modal valid answer when it holds at least {} of the valid answers (otherwise contested), and unknown with fewer than {} valid answers.",
            short(self.share),
            self.min_valid
        )]
    }
}

/// `patterns.replication`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReplicationSettings {
    /// Share of sites (with a known condition) that makes a pattern replicated.
    pub share: f64,
}

impl Default for ReplicationSettings {
    fn default() -> Self {
        ReplicationSettings { share: 0.8 }
    }
}

impl Settings for ReplicationSettings {
    fn refusals(&self) -> Vec<Refusal> {
        share_refusal("share", self.share).into_iter().collect()
    }
    fn words(&self) -> Vec<String> {
        vec![format!(
            "A condition is replicated where it is in place at a share of at least {} of the sites whose condition is known.",
            short(self.share)
        )]
    }
}

/// At most this many exemplar accounts per cell: each is a column.
const MAX_EXEMPLARS: usize = 10;

/// `patterns.qual_matrix`, `patterns.quotes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QualSettings {
    /// Exemplar accounts published per cell.
    pub exemplars: usize,
}

impl Default for QualSettings {
    fn default() -> Self {
        QualSettings { exemplars: 2 }
    }
}

impl Settings for QualSettings {
    fn refusals(&self) -> Vec<Refusal> {
        if self.exemplars <= MAX_EXEMPLARS {
            return Vec::new();
        }
        vec![Refusal::of(
            "exemplars",
            format!(
                "expected a whole number from 0 (counts only, no accounts) to {MAX_EXEMPLARS}, found {}",
                self.exemplars
            ),
        )]
    }
    fn words(&self) -> Vec<String> {
        vec![match self.exemplars {
            0 => "No account is published, only counts.".to_string(),
            1 => "One exemplar account is published per cell, chosen by row hash.".to_string(),
            n => format!("Up to {n} exemplar accounts are published per cell, chosen by row hash."),
        }]
    }
}

/// `mixed.joint_display`: when ratings and talk are said to diverge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JointSettings {
    /// The share of a scope's factors, ranked by mean importance, that is
    /// rated very important (at the top) and rated low (at the bottom).
    pub rated_share: f64,
    /// A share of the scope's interviewees at or above this who speak of a
    /// factor: spoken of by many.
    pub talk_many: f64,
    /// At or below this: hardly spoken of.
    pub talk_few: f64,
}

impl Default for JointSettings {
    fn default() -> Self {
        JointSettings {
            rated_share: 1.0 / 3.0,
            talk_many: 0.5,
            talk_few: 0.1,
        }
    }
}

impl Settings for JointSettings {
    fn refusals(&self) -> Vec<Refusal> {
        let mut out = Vec::new();
        if !(self.rated_share > 0.0 && self.rated_share <= 0.5) {
            out.push(Refusal::of(
                "rated_share",
                format!(
                    "expected a share greater than 0 and at most 0.5 (a third of the factors: 0.3333), found {}",
                    self.rated_share
                ),
            ));
        }
        for (key, v) in [("talk_many", self.talk_many), ("talk_few", self.talk_few)] {
            if !(0.0..=1.0).contains(&v) {
                out.push(Refusal::of(
                    key,
                    format!("expected a share from 0 to 1 (0.5 for half), found {v}"),
                ));
            }
        }
        if out.is_empty() && self.talk_few >= self.talk_many {
            out.push(Refusal::of(
                "talk_few",
                format!(
                    "expected less than talk_many ({}), found {}",
                    self.talk_many, self.talk_few
                ),
            ));
        }
        out
    }
    fn words(&self) -> Vec<String> {
        vec![format!(
            "A factor is rated very important when fewer than {share} of its scope's factors (rounded down) have a higher mean importance, and rated low when fewer have a lower one; spoken of by many when at least {many}% of the scope's interviewees speak of it, hardly spoken of at {few}% or fewer. Rated very important yet hardly spoken of, or spoken of by many yet rated low, is a divergence; rated very important and spoken of by many, or rated low and hardly spoken of, is agreement; anything else is neither.",
            share = short(self.rated_share),
            many = short(self.talk_many * 100.0),
            few = short(self.talk_few * 100.0),
        )]
    }
}

/// The file a report stage writes under `report/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFile {
    pub file: String,
}

/// `report.markdown`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MarkdownSettings {
    pub file: String,
}

impl Default for MarkdownSettings {
    fn default() -> Self {
        MarkdownSettings {
            file: "synthesis.md".into(),
        }
    }
}

/// `report.html`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HtmlSettings {
    pub file: String,
}

impl Default for HtmlSettings {
    fn default() -> Self {
        HtmlSettings {
            file: "synthesis.html".into(),
        }
    }
}

/// `report.workbook`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorkbookSettings {
    pub file: String,
    /// Who writes it (`report::WorkbookWriter`): `fast` (the default),
    /// `rust_xlsxwriter` (the same bytes, slower) or
    /// `rust_xlsxwriter_low_memory` (only in a build for measuring it).
    /// For `just bench --workbook-writers`. Every writer gives the same
    /// bytes, so the default is left out of the canonical settings (cache
    /// key, provenance) and outputs do not depend on it.
    #[serde(skip_serializing_if = "WorkbookWriterName::is_default")]
    pub writer: WorkbookWriterName,
}

impl Default for WorkbookSettings {
    fn default() -> Self {
        WorkbookSettings {
            file: "tables.xlsx".into(),
            writer: WorkbookWriterName::default(),
        }
    }
}

impl Settings for WorkbookSettings {
    fn refusals(&self) -> Vec<Refusal> {
        let mut refusals = file_refusal(&self.file, ".xlsx");
        let writer = self.writer.writer();
        if !writer.is_built() {
            refusals.push(Refusal::of(
                "writer",
                format!(
                    "the workbook writer `{}` is not in this build of crosscase (it is built only to be measured: `just bench --workbook-writers`); expected `fast` or `rust_xlsxwriter`",
                    writer.name()
                ),
            ));
        }
        refusals
    }
    fn words(&self) -> Vec<String> {
        let mut words = vec![format!("Written to report/{}.", self.file)];
        if !self.writer.is_default() {
            words.push(format!(
                "Written by the `{}` writer.",
                self.writer.writer().name()
            ));
        }
        words
    }
}

/// [`report::WorkbookWriter`] as a pipeline file names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
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
    fn is_default(&self) -> bool {
        *self == WorkbookWriterName::default()
    }
}

/// A file name under `report/`: one plain name with the kind's extension
/// (no folder, nothing hidden, nothing that reaches outside `report/`).
fn file_refusal(file: &str, extension: &str) -> Vec<Refusal> {
    let stem = file.strip_suffix(extension).unwrap_or_default();
    let plain = !stem.is_empty()
        && !stem.starts_with('.')
        && stem
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if plain {
        return Vec::new();
    }
    vec![Refusal::of(
        "file",
        format!(
            "`{file}` is not a plain file name; expected a name of letters, digits, `_`, `-` or `.`, ending `{extension}`, written under report/ (no folder)"
        ),
    )]
}

macro_rules! report_file_settings {
    ($type:ty, $extension:literal, $what:literal) => {
        impl Settings for $type {
            fn refusals(&self) -> Vec<Refusal> {
                file_refusal(&self.file, $extension)
            }
            fn words(&self) -> Vec<String> {
                vec![format!(concat!($what, " report/{}."), self.file)]
            }
        }
        impl From<$type> for ReportFile {
            fn from(s: $type) -> Self {
                ReportFile { file: s.file }
            }
        }
    };
}

report_file_settings!(MarkdownSettings, ".md", "Written to");
report_file_settings!(HtmlSettings, ".html", "Written to");

/// `` `a`, `b`, `c` ``.
fn quoted(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "a, b and c".
fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// 0.95 as "95%", 0.975 as "97.5%".
fn percent(share: f64) -> String {
    format!("{}%", short(share * 100.0))
}

/// A setting's number as a reader reads it: at most four decimals
/// (a share of two thirds is written with sixteen).
pub(crate) fn short(v: f64) -> String {
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}
