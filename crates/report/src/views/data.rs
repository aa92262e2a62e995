//! What a document's view reads: some rows of the published tables (the
//! whole study's, or one site's), the framework's labels and the study's
//! words for its codes.

use std::collections::BTreeSet;

use model::{Group, Labels};

use super::cells::{flag, text};
use crate::ReportInput;
use crate::table::{Row, Rows, Selection, SiteIndex, Tables};

/// The published tables, some rows of each, and the framework's labels.
pub(crate) struct Data<'a> {
    pub input: &'a ReportInput<'a>,
    tables: Selection<'a>,
}

/// Whose figure a row of a result table is: the whole study's, one
/// stakeholder group's or one site's.
#[derive(Clone, Copy)]
pub(crate) enum Scope<'s> {
    Study,
    Group(Group),
    Site(&'s str),
}

impl Scope<'_> {
    /// Whether a row is this scope's.
    pub(crate) fn holds(self, r: &Row<'_>) -> bool {
        match self {
            Scope::Study => text(r, "scope") == Some("study"),
            Scope::Group(g) => {
                text(r, "scope") == Some("group") && text(r, "group") == Some(g.code())
            }
            Scope::Site(site) => text(r, "scope") == Some("site") && text(r, "site") == Some(site),
        }
    }
}

impl<'a> Data<'a> {
    /// Every row of every table.
    pub(crate) fn new(input: &'a ReportInput<'a>, tables: &'a Tables<'a>) -> Self {
        Data {
            input,
            tables: Selection::all(tables),
        }
    }

    /// The whole study's view: rows about one site (`scope` = `site` or
    /// `site_group`) are left out, since nothing study-wide reads them; at
    /// national scale they are nearly all the rows, and leaving them out
    /// keeps the study-wide views proportionate to what they show.
    pub(crate) fn study_wide(input: &'a ReportInput<'a>, tables: &'a Tables<'a>) -> Self {
        let tables = Selection::filter(tables, |r| {
            !matches!(r.text("scope"), Some("site" | "site_group"))
        });
        Data { input, tables }
    }

    /// For each table, the rows of each site and of no site.
    pub(crate) fn site_index(&self) -> SiteIndex<'a> {
        self.tables.site_index()
    }

    /// One site's view: the rows that name this site or no site (study,
    /// sector and group rows, to compare with), and the whole site register.
    pub(crate) fn for_site<'s>(&'s self, index: &'s SiteIndex<'a>, site: &str) -> Data<'s>
    where
        'a: 's,
    {
        Data {
            input: self.input,
            tables: self.tables.for_site(index, site, "sites"),
        }
    }

    pub(crate) fn has(&self, table: &str) -> bool {
        self.tables.has(table)
    }

    pub(crate) fn rows<'s>(&'s self, table: &str) -> Rows<'s, 'a> {
        self.tables.rows(table)
    }

    /// The rows of a table about one factor at one scope, in order.
    pub(crate) fn rows_about<'s>(
        &'s self,
        table: &str,
        scope: Scope<'s>,
        factor: &'s str,
    ) -> impl Iterator<Item = Row<'a>> + 's {
        self.rows(table)
            .into_iter()
            .filter(move |r| scope.holds(r) && text(r, "factor") == Some(factor))
    }

    pub(crate) fn min_cell(&self) -> u32 {
        self.input.min_cell
    }

    /// The study's words for its codes.
    pub(crate) fn labels(&self) -> &'a Labels {
        self.input.labels
    }

    /// The report's label of a stakeholder group code (`managers` too);
    /// an unknown code as it is.
    pub(crate) fn group_label(&self, code: &str) -> String {
        self.labels().group_code(code).unwrap_or(code).to_string()
    }

    fn factor_label(&self, code: &str) -> String {
        self.input
            .framework
            .factors
            .iter()
            .find(|f| f.code == code)
            .map(|f| f.label.clone())
            .unwrap_or_else(|| code.to_string())
    }

    /// The label of the factor a row is about.
    pub(crate) fn factor_of(&self, r: &Row<'_>) -> String {
        self.factor_label(text(r, "factor").unwrap_or(""))
    }

    /// Every factor of the framework (code, label), in its order.
    pub(crate) fn factors(&self) -> Vec<(String, String)> {
        self.factors_where(|_| true)
    }

    /// The factors of one domain (code, label), in the framework's order.
    pub(crate) fn factors_of(&self, domain: &str) -> Vec<(String, String)> {
        self.factors_where(|d| d == domain)
    }

    fn factors_where(&self, domain: impl Fn(&str) -> bool) -> Vec<(String, String)> {
        self.input
            .framework
            .factors
            .iter()
            .filter(|f| domain(&f.domain))
            .map(|f| (f.code.clone(), f.label.clone()))
            .collect()
    }

    /// The label of the outcome a row is about.
    pub(crate) fn outcome_of(&self, r: &Row<'_>) -> String {
        let code = text(r, "outcome").unwrap_or("");
        self.input
            .framework
            .outcomes
            .iter()
            .find(|o| o.code == code)
            .map(|o| o.label.clone())
            .unwrap_or_else(|| code.to_string())
    }

    /// Site labels in the register's order, with whether their data arrived.
    pub(crate) fn sites(&self) -> Vec<(String, bool)> {
        self.rows("sites")
            .iter()
            .filter_map(|r| Some((text(r, "site")?.to_string(), flag(r, "has_data"))))
            .collect()
    }

    /// Sites whose data has not arrived, in the register's order.
    pub(crate) fn awaited_sites(&self) -> Vec<String> {
        self.sites()
            .into_iter()
            .filter(|(_, has)| !has)
            .map(|(s, _)| s)
            .collect()
    }

    pub(crate) fn site_row(&self, site: &str) -> Option<Row<'a>> {
        self.rows("sites")
            .iter()
            .find(|r| text(r, "site") == Some(site))
    }

    /// Sites that appear in the pattern matrix, in register order (then any other).
    pub(crate) fn pattern_sites(&self) -> Vec<String> {
        self.sites_in("pattern_matrix")
    }

    /// Sites that some row of a table names, in register order (then any other).
    pub(crate) fn sites_in(&self, table: &str) -> Vec<String> {
        let present: BTreeSet<&str> = self
            .rows(table)
            .iter()
            .filter_map(|r| text(r, "site"))
            .collect();
        let mut out: Vec<String> = self
            .sites()
            .into_iter()
            .map(|(s, _)| s)
            .filter(|s| present.contains(s.as_str()))
            .collect();
        for s in &present {
            if !out.iter().any(|o| o == s) {
                out.push(s.to_string());
            }
        }
        out
    }
}
