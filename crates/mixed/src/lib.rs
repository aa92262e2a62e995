//! Mixed methods: what interviewees talk about, beside what they rate.
//!
//! [`framework_matrix`] is the protocol's matrix analysis (Averill 2002) of
//! the coded interview transcripts (`data/coded_segments`): for each theme
//! of the framework (a factor, an outcome, or `bme`) and each cell of the
//! five scopes (study, sector, site, stakeholder group, site x group), the
//! coded segments and the interviewees who spoke of it, under the same
//! disclosure control as the ratings tables, with exemplar quotes where the
//! study's `quote_label` lets a quote say who it is from.
//!
//! [`joint_display`] sets that talk beside the ratings, the top three, the
//! pattern matching and its replication, factor by factor at study, sector
//! site and stakeholder group scope (Guetterman, Fetters & Creswell 2015), and says where
//! ratings and talk agree and where they diverge.
//!
//! Both are pure functions, Arrow in and Arrow out: no files, no clock, no
//! printing; bad input is an [`arrow_schema::ArrowError`] naming the table,
//! column and row, never a panic. Outputs are sorted by explicit keys.

mod joint;
mod matrix;
mod read;

pub use joint::{JointInput, joint_display, joint_display_schema};
pub use matrix::{framework_matrix, framework_matrix_schema};
pub use ratings::Scope;

/// The settings of both tables. The pipeline builds them from the stage
/// and the study (`framework.toml`, `study.toml`'s `[disclosure]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Themes in output order: the framework's factor codes, then its
    /// outcome codes, then `bme`. A theme in the data not listed is an
    /// error (the data and the framework disagree).
    pub themes: Vec<String>,
    /// Scopes published in the framework matrix.
    pub scopes: Vec<Scope>,
    /// Fewer interviewees than this in a cell: suppressed.
    pub min_cell: u32,
    /// What a quote's label may say (`group`, `site`, `sector`): also
    /// which scopes may carry exemplars (those whose every key it allows).
    pub quote_label: Vec<String>,
    /// The study's words for a member of each stakeholder group.
    pub labels: model::Labels,
    /// Joint display: the share of a scope's factors, ranked by mean
    /// importance, that is "rated very important" at the top and "rated
    /// low" at the bottom (ratings on a 5-point scale crowd together, so
    /// the rule ranks them within the scope rather than fixing a mean).
    pub rated_share: f64,
    /// Joint display: a share of the scope's interviewees at or above this
    /// who speak of a factor is "spoken of by many".
    pub talk_many: f64,
    /// Joint display: a share at or below this is "hardly spoken of".
    pub talk_few: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            themes: Vec::new(),
            scopes: Scope::ALL.to_vec(),
            min_cell: 3,
            quote_label: vec!["group".into(), "sector".into()],
            labels: model::Labels::default(),
            rated_share: 1.0 / 3.0,
            talk_many: 0.5,
            talk_few: 0.1,
        }
    }
}

impl Settings {
    /// Whether rows of `scope` may carry exemplars: every key the scope
    /// fixes (its site, sector, group) is one a quote's label may say, so a
    /// quote never narrows its speaker beyond what its label already says.
    pub fn quotes_at(&self, scope: Scope) -> bool {
        let allowed = |a: &str| self.quote_label.iter().any(|x| x == a);
        match scope {
            Scope::Study => true,
            Scope::Sector => allowed("sector"),
            Scope::Group => allowed("group"),
            Scope::Site => allowed("site"),
            Scope::SiteGroup => allowed("site") && allowed("group"),
        }
    }

    fn check(&self) -> Result<(), arrow_schema::ArrowError> {
        let bad = |m: String| Err(arrow_schema::ArrowError::InvalidArgumentError(m));
        if !(self.rated_share > 0.0 && self.rated_share <= 0.5) {
            return bad(format!(
                "joint display: expected 0 < rated_share <= 0.5, found {}",
                self.rated_share
            ));
        }
        if !(0.0..=1.0).contains(&self.talk_few)
            || !(0.0..=1.0).contains(&self.talk_many)
            || self.talk_few >= self.talk_many
        {
            return bad(format!(
                "joint display: expected 0 <= talk_few < talk_many <= 1, found {} and {}",
                self.talk_few, self.talk_many
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
