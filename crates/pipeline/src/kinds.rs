//! The registry of stage kinds: every kind a pipeline can run, written once.
//!
//! Each [`Kind`] says how a pipeline file names it, which settings type it
//! reads (with its defaults and allowed values, `settings.rs`), what it
//! needs from `from` (by kind, never by position), which de-identified
//! tables and columns it reads, what it hands on, how its figures link to
//! their rows, and its method in words. The plan, the run, provenance and
//! the report's methods section all read it from here.

use serde::Serialize;
use toml::de::Deserializer;

use crate::settings::{
    AnonymiseSettings, ConditionSettings, GroupTestSettings, HtmlSettings, IngestSettings,
    JointSettings, MarkdownSettings, NoSettings, QualSettings, RatingsKind, RatingsStage, Refusal,
    ReplicationSettings, ScopeSettings, Settings, StageSettings, SummarySettings, TensionSettings,
    WorkbookSettings,
};

/// One kind of stage.
pub struct Kind {
    /// As a pipeline file names it: `run = "ratings.summary"`.
    pub name: &'static str,
    /// What a stage of this kind hands on to the stages that read it.
    pub makes: Makes,
    /// The stages it needs in `from`, one of each, in any order.
    pub needs: &'static [Need],
    /// Whether it also reads any number of table stages (the reports).
    pub reads_tables: bool,
    /// The de-identified tables (`data/<table>.parquet`) and the columns
    /// of each that it reads.
    pub reads: &'static [(&'static str, &'static [&'static str])],
    /// How its figures link to their rows (table kinds only).
    pub figures: Option<Figures>,
    /// What it does, in words; the settings' own words follow.
    pub method: &'static str,
    parse: fn(Deserializer<'_>) -> Result<Parsed, Vec<Refused>>,
}

/// What a stage hands on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Makes {
    /// The raw study, in memory only (identifying).
    RawStudy,
    /// The de-identified study tables (`data/`).
    CleanStudy,
    /// A result table (`tables/<id>.csv` and `.parquet`).
    Table,
    /// Files under `report/`.
    Report,
    /// The leak guard's verdict, and the run's own records.
    Guard,
}

/// A stage that a kind needs in `from`, by its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Need {
    /// The name the run asks for it by (`matrix`).
    pub role: &'static str,
    /// The kind of stage that fills it (`patterns.matrix`).
    pub kind: &'static str,
}

/// How a table's figures link to the rows they were computed from: every
/// figure's rows are the rows of `input` that share its non-empty `keys`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Figures {
    /// The de-identified table read (`answers` for `data/answers.parquet`).
    pub input: &'static str,
    /// The input columns whose values the figures are computed from.
    pub values: &'static [&'static str],
    /// Key columns shared by a figure's row and its input rows.
    pub keys: &'static [&'static str],
}

/// A stage's settings, read and checked.
pub(crate) struct Parsed {
    pub settings: StageSettings,
    /// Every setting, defaults included, as JSON.
    pub resolved: serde_json::Value,
    /// The settings in words.
    pub words: Vec<String>,
}

/// Why a stage's settings were refused: where, and what is allowed.
pub(crate) enum Refused {
    /// A TOML value of the wrong type or an unknown key, with its span.
    Toml(toml::de::Error),
    /// A value outside what the setting allows.
    Value(Refusal),
}

impl std::fmt::Debug for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// Kinds are one of each: the same name is the same kind.
impl PartialEq for Kind {
    fn eq(&self, other: &Kind) -> bool {
        self.name == other.name
    }
}

impl Kind {
    /// The kind a pipeline file names, if there is one.
    pub fn named(name: &str) -> Option<&'static Kind> {
        KINDS.iter().find(|k| k.name == name)
    }

    /// The de-identified tables and columns a stage of this kind reads.
    pub fn reads(&self) -> &'static [(&'static str, &'static [&'static str])] {
        self.reads
    }

    /// Read a stage's settings (everything but `id`, `run` and `from`).
    pub(crate) fn parse(&self, table: Deserializer<'_>) -> Result<Parsed, Vec<Refused>> {
        (self.parse)(table)
    }
}

/// Read `T`, check it, and wrap it as the run's settings.
fn read<T: Settings>(
    table: Deserializer<'_>,
    wrap: impl FnOnce(T) -> StageSettings,
) -> Result<Parsed, Vec<Refused>> {
    let settings = T::deserialize(table).map_err(|e| vec![Refused::Toml(e)])?;
    let refusals = settings.refusals();
    if !refusals.is_empty() {
        return Err(refusals.into_iter().map(Refused::Value).collect());
    }
    Ok(Parsed {
        resolved: serde_json::to_value(&settings).unwrap_or(serde_json::Value::Null),
        words: settings.words(),
        settings: wrap(settings),
    })
}

fn ratings<T: Settings + Into<crate::settings::RatingsSettings>>(
    kind: RatingsKind,
    table: Deserializer<'_>,
) -> Result<Parsed, Vec<Refused>> {
    read::<T>(table, |s| {
        StageSettings::Ratings(RatingsStage {
            kind,
            settings: s.into(),
        })
    })
}

const STUDY: Need = Need {
    role: "study",
    kind: "ingest.study",
};
const CLEAN: Need = Need {
    role: "clean",
    kind: "anonymise",
};
const MATRIX: Need = Need {
    role: "matrix",
    kind: "patterns.matrix",
};
const OUTCOMES: Need = Need {
    role: "outcomes",
    kind: "patterns.outcomes",
};
const REPLICATION: Need = Need {
    role: "replication",
    kind: "patterns.replication",
};
const SUMMARY: Need = Need {
    role: "summary",
    kind: "ratings.summary",
};
const TOP3_FREQUENCY: Need = Need {
    role: "top3",
    kind: "ratings.top3",
};
const FRAMEWORK: Need = Need {
    role: "framework",
    kind: "mixed.framework_matrix",
};

/// Who a row belongs to, in every table of answers and picks.
const WHO: &[&str] = &["site", "sector", "group", "factor"];
const ANSWERS: (&str, &[&str]) = (
    "answers",
    &[
        "participant",
        "site",
        "sector",
        "group",
        "factor",
        "pattern",
        "importance",
        "direction",
    ],
);
const TOP3: (&str, &[&str]) = (
    "top3",
    &["participant", "site", "sector", "group", "factor", "rank"],
);
const SITES: (&str, &[&str]) = (
    "sites",
    &["site", "sector", "partnership", "bme_focus", "has_data"],
);
const ACCOUNTS: (&str, &[&str]) = (
    "accounts",
    &[
        "participant",
        "site",
        "sector",
        "group",
        "theme",
        "text",
        "row_hash",
        "source_file",
        "source_line",
    ],
);

/// The coded segments of the interview transcripts, as a stage that counts
/// and quotes them reads them (the framework matrix and the joint
/// display): who, theme, the redacted text, and where each came from (the
/// exemplars' order, and `explain`).
pub const CODED_SEGMENTS: (&str, &[&str]) = (
    "coded_segments",
    &[
        "participant",
        "site",
        "sector",
        "group",
        "theme",
        "text",
        "project",
        "source",
        "selection",
        "start",
        "end",
    ],
);

/// A kind with no figures, reading no de-identified table by itself.
const fn kind(
    name: &'static str,
    makes: Makes,
    needs: &'static [Need],
    method: &'static str,
    parse: fn(Deserializer<'_>) -> Result<Parsed, Vec<Refused>>,
) -> Kind {
    Kind {
        name,
        makes,
        needs,
        reads_tables: false,
        reads: &[],
        figures: None,
        method,
        parse,
    }
}

/// A kind that makes a result table from the clean study.
const fn table(
    name: &'static str,
    needs: &'static [Need],
    reads: &'static [(&'static str, &'static [&'static str])],
    figures: Figures,
    method: &'static str,
    parse: fn(Deserializer<'_>) -> Result<Parsed, Vec<Refused>>,
) -> Kind {
    Kind {
        name,
        makes: Makes::Table,
        needs,
        reads_tables: false,
        reads,
        figures: Some(figures),
        method,
        parse,
    }
}

/// The feedback workshops' notes and verdicts.
const WORKSHOPS: [(&str, &[&str]); 2] = [
    ("workshop_notes", &["site", "text", "source"]),
    (
        "workshop_verdicts",
        &["site", "figure_id", "verdict", "comment", "source_line"],
    ),
];

/// A report kind: the clean study (its site register, and for the reports
/// people read the workshops) and any table stages.
const fn report(
    name: &'static str,
    method: &'static str,
    parse: fn(Deserializer<'_>) -> Result<Parsed, Vec<Refused>>,
) -> Kind {
    Kind {
        name,
        makes: Makes::Report,
        needs: &[CLEAN],
        reads_tables: true,
        reads: &[SITES, WORKSHOPS[0], WORKSHOPS[1]],
        figures: None,
        method,
        parse,
    }
}

/// Every kind of stage, in the order the synthesis runs them.
pub static KINDS: &[Kind] = &[
    kind(
        "ingest.study",
        Makes::RawStudy,
        &[],
        "Reads the study folder and checks every export against the data dictionaries, the framework and the site register; any error stops the run before anything else runs.",
        |t| read::<IngestSettings>(t, StageSettings::Ingest),
    ),
    kind(
        "anonymise",
        Makes::CleanStudy,
        &[STUDY],
        "Replaces every participant by a keyed pseudonym and every site by its label, applies withdrawals, and redacts the names, emails, phone numbers, NHS numbers, postcodes, dates and web addresses in free text; nothing identifying passes this stage.",
        |t| read::<AnonymiseSettings>(t, StageSettings::Anonymise),
    ),
    table(
        "disclosure.demographics",
        &[CLEAN],
        &[
            (
                "participants",
                &[
                    "participant",
                    "site",
                    "sector",
                    "group",
                    "age_band",
                    "gender",
                    "ethnicity",
                    "lived_experience",
                ],
            ),
            ("checkboxes", &["participant", "field", "choice"]),
        ],
        Figures {
            input: "participants",
            values: &["age_band", "gender", "ethnicity", "lived_experience"],
            keys: &["site", "sector"],
        },
        "Counts of participants per characteristic and category, at the levels study.toml allows, with small cells suppressed; each choice of a checkbox field counted as ticked or not.",
        |t| read::<NoSettings>(t, StageSettings::Demographics),
    ),
    table(
        "ratings.summary",
        &[CLEAN],
        &[ANSWERS],
        Figures {
            input: "answers",
            values: &["importance"],
            keys: WHO,
        },
        "n, mean, standard deviation (n − 1), median, quartiles (R type 7) and the share rating 4–5, of the valid importance ratings (1–5) each figure covers.",
        |t| ratings::<SummarySettings>(RatingsKind::Summary, t),
    ),
    table(
        "ratings.top3",
        &[CLEAN],
        &[TOP3],
        Figures {
            input: "top3",
            values: &["rank"],
            keys: WHO,
        },
        "Counts of the top-three picks each figure covers, by rank; score = 3 × first + 2 × second + 1 × third; respondents are the participants in the scope who gave a top three.",
        |t| ratings::<ScopeSettings>(RatingsKind::Top3, t),
    ),
    table(
        "ratings.direction",
        &[CLEAN],
        &[ANSWERS],
        Figures {
            input: "answers",
            values: &["direction"],
            keys: WHO,
        },
        "Counts and shares of the valid direction answers (1 facilitator, 2 barrier, 3 both, 4 neither) each figure covers.",
        |t| ratings::<ScopeSettings>(RatingsKind::Direction, t),
    ),
    table(
        "ratings.consensus",
        &[CLEAN],
        &[ANSWERS],
        Figures {
            input: "answers",
            values: &["importance"],
            keys: WHO,
        },
        "Agreement of the valid importance ratings each figure covers: rwg = 1 − s²/2 (uniform null on 5 points, truncated at 0) and Tastle-Wierman consensus.",
        |t| ratings::<ScopeSettings>(RatingsKind::Consensus, t),
    ),
    table(
        "ratings.group_tests",
        &[CLEAN],
        &[ANSWERS],
        Figures {
            input: "answers",
            values: &["group", "importance"],
            keys: &["sector", "factor"],
        },
        "Kruskal-Wallis H across stakeholder groups (tie-corrected) of the valid importance ratings, with the Benjamini-Hochberg adjustment across factors.",
        |t| ratings::<GroupTestSettings>(RatingsKind::GroupTests, t),
    ),
    table(
        "ratings.sector_tests",
        &[CLEAN],
        &[ANSWERS],
        Figures {
            input: "answers",
            values: &["sector", "importance"],
            keys: &["factor"],
        },
        "Mann-Whitney U, statutory against voluntary services (normal approximation, tie and continuity corrected), of the valid importance ratings of the whole study.",
        |t| ratings::<NoSettings>(RatingsKind::SectorTests, t),
    ),
    table(
        "ratings.tensions",
        &[CLEAN],
        &[ANSWERS],
        Figures {
            input: "answers",
            values: &["group", "importance", "pattern"],
            keys: &["site", "sector", "factor"],
        },
        "Mean importance of each stakeholder perspective and its modal pattern-matching answer, compared pairwise for the whole study, each sector and each site.",
        |t| read::<TensionSettings>(t, StageSettings::Tensions),
    ),
    table(
        "ratings.top3_importance",
        &[CLEAN],
        &[TOP3, ANSWERS],
        Figures {
            input: "top3",
            values: &["rank"],
            keys: &["factor"],
        },
        "Importance ratings of those who picked the factor in their top three against those who did not, for the whole study.",
        |t| ratings::<NoSettings>(RatingsKind::Top3Importance, t),
    ),
    table(
        "patterns.matrix",
        &[CLEAN],
        &[ANSWERS, ("evidence", &["site", "factor", "status"]), SITES],
        Figures {
            input: "answers",
            values: &["pattern"],
            keys: &["site", "factor"],
        },
        "Counts of the pattern-matching answers at each site for each factor, and the site's condition; the documents' evidence decides doc_status and fidelity.",
        |t| read::<ConditionSettings>(t, StageSettings::PatternMatrix),
    ),
    table(
        "patterns.replication",
        &[CLEAN, MATRIX],
        &[SITES],
        Figures {
            input: "answers",
            values: &["pattern"],
            keys: &["factor"],
        },
        "The site conditions of the pattern matrix, counted across sites, by sector, partnership and BME focus.",
        |t| read::<ReplicationSettings>(t, StageSettings::Replication),
    ),
    table(
        "patterns.outcomes",
        &[CLEAN],
        &[("outcomes", &["site", "outcome", "answer"]), SITES],
        Figures {
            input: "outcomes",
            values: &["answer"],
            keys: &["site", "outcome"],
        },
        "Counts of the outcome answers at each site, and the outcome's condition there.",
        |t| read::<ConditionSettings>(t, StageSettings::Outcomes),
    ),
    table(
        "patterns.qca",
        &[CLEAN, MATRIX, OUTCOMES],
        &[],
        Figures {
            input: "answers",
            values: &["pattern"],
            keys: &["factor"],
        },
        "Crisp-set consistency and coverage (Ragin) of each condition in place against each outcome present, across sites.",
        |t| read::<NoSettings>(t, StageSettings::Qca),
    ),
    table(
        "patterns.qual_matrix",
        &[CLEAN],
        &[ACCOUNTS],
        Figures {
            input: "accounts",
            values: &["theme", "text"],
            keys: &["site", "group"],
        },
        "The number of redacted accounts per site, stakeholder group and theme.",
        |t| read::<QualSettings>(t, StageSettings::QualMatrix),
    ),
    table(
        "patterns.quotes",
        &[CLEAN],
        &[ACCOUNTS],
        Figures {
            input: "accounts",
            values: &["theme", "text"],
            keys: &["sector", "group"],
        },
        "Redacted accounts per theme and stakeholder group, pooled across sites; a cell with fewer people than the minimum cell size publishes none.",
        |t| read::<QualSettings>(t, StageSettings::Quotes),
    ),
    table(
        "mixed.framework_matrix",
        &[CLEAN],
        &[CODED_SEGMENTS],
        Figures {
            input: "coded_segments",
            values: &["theme", "participant"],
            keys: &["site", "sector", "group", "theme"],
        },
        "The framework matrix (Averill): the coded segments of the interview transcripts and the interviewees who spoke of each theme (factor, outcome or BME experiences), per cell of each scope, with small cells suppressed and complementary cells suppressed until none can be recovered by subtraction; up to two redacted exemplar quotes where the study's quote label allows (one per interviewee first, in the order of project, source and position; never from an interviewee withdrawn from quotes, never under a label that fits fewer people than the minimum cell size).",
        |t| read::<ScopeSettings>(t, StageSettings::FrameworkMatrix),
    ),
    table(
        "mixed.joint_display",
        &[
            CLEAN,
            SUMMARY,
            TOP3_FREQUENCY,
            MATRIX,
            REPLICATION,
            FRAMEWORK,
        ],
        &[CODED_SEGMENTS],
        Figures {
            input: "answers",
            values: &["importance"],
            keys: WHO,
        },
        "The joint display (Guetterman, Fetters and Creswell): for each factor of the whole study, each sector, each site and each stakeholder group, the mean importance, the share naming it in their top three, the site's pattern-matching condition and the study's replication class, beside the interviewees who spoke of it (of those with coded transcripts) and an exemplar quote, and whether ratings and talk agree.",
        |t| read::<JointSettings>(t, StageSettings::JointDisplay),
    ),
    report(
        "report.markdown",
        "The synthesis report in Markdown, from the tables it reads.",
        |t| read::<MarkdownSettings>(t, |s| StageSettings::Report(s.into())),
    ),
    report(
        "report.html",
        "The synthesis report as one self-contained HTML file, from the tables it reads.",
        |t| read::<HtmlSettings>(t, |s| StageSettings::ReportHtml(s.into())),
    ),
    report(
        "report.site_packs",
        "A feedback pack for each site with data (HTML and Markdown, under report/sites/): the site's findings beside the whole study's.",
        |t| read::<NoSettings>(t, StageSettings::SitePacks),
    ),
    report(
        "report.handbook",
        "Handbook guidance, one page per domain of the framework, under report/handbook/.",
        |t| read::<NoSettings>(t, StageSettings::Handbook),
    ),
    // The workbook holds result tables only: it reads no workshop.
    Kind {
        reads: &[SITES],
        ..report(
            "report.workbook",
            "Every table it reads as one Excel workbook, with an About sheet of labels.",
            |t| read::<WorkbookSettings>(t, StageSettings::Workbook),
        )
    },
    kind(
        "guard.leaks",
        Makes::Guard,
        &[STUDY],
        "Scans every output for the names, emails, NHS numbers, postcodes and phone numbers of the raw data and for raw record codes; any finding stops the run and nothing is published.",
        |t| read::<NoSettings>(t, StageSettings::LeakGuard),
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_named_once_and_its_defaults_pass_its_checks() {
        for (i, kind) in KINDS.iter().enumerate() {
            assert!(
                KINDS[..i].iter().all(|k| k.name != kind.name),
                "{} twice",
                kind.name
            );
            let empty = toml::de::DeTable::default();
            assert!(
                kind.parse(Deserializer::from(toml::Spanned::new(0..0, empty)))
                    .is_ok(),
                "{}: its defaults are refused",
                kind.name
            );
        }
    }

    #[test]
    fn table_kinds_and_only_they_link_figures_to_rows_they_read() {
        for kind in KINDS {
            assert_eq!(
                kind.figures.is_some(),
                kind.makes == Makes::Table,
                "{}",
                kind.name
            );
            let Some(figures) = kind.figures else {
                continue;
            };
            // Replication and QCA read the pattern matrix's table, whose
            // rows come from the answers.
            if kind.needs.contains(&MATRIX) {
                continue;
            }
            let columns = kind
                .reads
                .iter()
                .find(|(table, _)| *table == figures.input)
                .map(|(_, c)| *c)
                .unwrap_or_else(|| panic!("{} does not read {}", kind.name, figures.input));
            for column in figures.values.iter().chain(figures.keys) {
                assert!(
                    columns.contains(column),
                    "{}: {column} is not read",
                    kind.name
                );
            }
        }
    }

    #[test]
    fn what_a_kind_reads_are_columns_of_the_clean_tables() {
        let empty = model::StudyTables::empty();
        let tables = empty.named();
        let reads = KINDS
            .iter()
            .flat_map(|kind| kind.reads().iter().map(move |r| (kind.name, r)))
            .chain([("coded segments", &CODED_SEGMENTS)]);
        for (kind, (table, columns)) in reads {
            let (_, batch) = tables
                .iter()
                .find(|(name, _)| name == table)
                .unwrap_or_else(|| panic!("{kind}: no clean table {table}"));
            for column in *columns {
                assert!(
                    batch.schema().column_with_name(column).is_some(),
                    "{kind}: {table} has no column {column}"
                );
            }
        }
    }

    #[test]
    fn needs_name_kinds_of_the_registry() {
        for kind in KINDS {
            for need in kind.needs {
                assert!(Kind::named(need.kind).is_some(), "{}", need.kind);
            }
        }
    }
}
