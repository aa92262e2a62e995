//! `codes.csv`: which codes of the projects' codebooks mean which theme.

use std::collections::{HashMap, HashSet};

use ingest::CsvTable;
use ingest::registers::{full, named_columns};
use model::{Diagnostic, Framework};

use crate::Codebook;

/// The columns of `codes.csv`.
pub const CODES_COLUMNS: [&str; 2] = ["code", "theme"];
/// The theme of the culturally specific experiences of BME participants.
pub const BME_THEME: &str = "bme";
/// The theme that leaves a code (and the codes under it) out on purpose.
pub const IGNORE_THEME: &str = "ignore";

/// What `codes.csv` says a code means.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Theme {
    /// A factor code or an outcome code of the framework, or `bme`.
    Named(String),
    /// `ignore`: left out, and not counted as unmapped.
    Ignored,
}

impl Theme {
    /// The theme's code, `None` for `ignore`.
    pub fn name(&self) -> Option<&str> {
        match self {
            Theme::Named(name) => Some(name),
            Theme::Ignored => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Listed {
    /// The code path as written (spaces around it trimmed).
    code: String,
    theme: Theme,
    line: u32,
    column: u32,
}

/// The parsed `codes.csv`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeThemes {
    path: String,
    listed: Vec<Listed>,
    /// Normalised code path to its row in `listed`.
    by_path: HashMap<String, usize>,
}

/// A code path as `codes.csv` matches it: each name trimmed and lower-cased,
/// joined with ` / ` (so `Framework/ Supervision ` is `framework / supervision`).
pub fn normalise_code_path(path: &str) -> String {
    path.split('/')
        .map(|name| name.trim().to_lowercase())
        .collect::<Vec<_>>()
        .join(" / ")
}

impl CodeThemes {
    /// No `codes.csv`: every code is unmapped. `path` is where it would be,
    /// for the warnings.
    pub fn none(path: &str) -> CodeThemes {
        CodeThemes {
            path: path.to_string(),
            ..CodeThemes::default()
        }
    }

    /// Parse `codes.csv` (`code,theme`), checking each theme against the
    /// framework; every problem in one pass.
    pub fn parse(table: &CsvTable, framework: &Framework) -> Result<CodeThemes, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let Some(c) = named_columns(table, &CODES_COLUMNS, &mut errors) else {
            return Err(errors);
        };
        let themes: Vec<&str> = framework
            .factors
            .iter()
            .map(|f| f.code.as_str())
            .chain(framework.outcomes.iter().map(|o| o.code.as_str()))
            .chain([BME_THEME])
            .collect();
        let mut out = CodeThemes::none(&table.path);
        for record in &table.records {
            if !full(table, record, &mut errors) {
                continue;
            }
            let cells = table.cells(record);
            let (code_cell, theme_cell) = (&cells[c[0]], &cells[c[1]]);
            let at = |cell: &ingest::Cell, message: String| {
                Diagnostic::error(&table.path, cell.line, cell.column, message)
            };
            let code = code_cell.text.trim();
            let written = theme_cell.text.trim();
            let theme = if written.eq_ignore_ascii_case(IGNORE_THEME) {
                Some(Theme::Ignored)
            } else {
                themes
                    .iter()
                    .find(|t| t.eq_ignore_ascii_case(written))
                    .map(|t| Theme::Named(t.to_string()))
            };
            let Some(theme) = theme else {
                errors.push(at(
                    theme_cell,
                    format!(
                        "theme: expected a factor code or an outcome code of the framework, `{BME_THEME}` or `{IGNORE_THEME}`, found `{written}`"
                    ),
                ));
                continue;
            };
            if code.is_empty() {
                errors.push(at(
                    code_cell,
                    "code: expected a code's path in the codebook (`Framework / Supervision`), found an empty cell".into(),
                ));
                continue;
            }
            let key = normalise_code_path(code);
            if let Some(&first) = out.by_path.get(&key) {
                errors.push(at(
                    code_cell,
                    format!(
                        "code: expected each code once, found `{code}` again (first at line {})",
                        out.listed[first].line
                    ),
                ));
                continue;
            }
            out.by_path.insert(key, out.listed.len());
            out.listed.push(Listed {
                code: code.to_string(),
                theme,
                line: code_cell.line,
                column: code_cell.column,
            });
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }

    /// The display path of `codes.csv`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The theme listed for exactly this code path (matched ignoring case
    /// and spaces around each name), not looking at ancestors.
    pub fn listed(&self, code_path: &str) -> Option<&Theme> {
        self.by_path
            .get(&normalise_code_path(code_path))
            .map(|&i| &self.listed[i].theme)
    }

    /// Each code's theme (index-aligned with `codebook.codes()`): its own
    /// listing, else its nearest listed ancestor's; `None` when neither it
    /// nor any ancestor is listed.
    pub fn resolve(&self, codebook: &Codebook) -> Vec<Option<Theme>> {
        let own: Vec<Option<&Theme>> = codebook
            .codes()
            .iter()
            .map(|c| self.listed(&c.path))
            .collect();
        (0..codebook.codes().len())
            .map(|i| codebook.lineage(i).find_map(|a| own[a]).cloned())
            .collect()
    }

    /// An error for each listed code that is not in `present` (the
    /// normalised paths of every code of every project read): a typo there
    /// would silently leave data out.
    pub fn unused(&self, present: &HashSet<String>) -> Vec<Diagnostic> {
        self.listed
            .iter()
            .filter(|l| !present.contains(&normalise_code_path(&l.code)))
            .map(|l| {
                Diagnostic::error(
                    &self.path,
                    l.line,
                    l.column,
                    format!(
                        "code: expected the path of a code in a project's codebook, found `{}`, which no project has (check the spelling and the ` / ` between names)",
                        l.code
                    ),
                )
            })
            .collect()
    }
}
