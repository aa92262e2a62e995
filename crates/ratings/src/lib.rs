//! Importance ratings, top three, direction, consensus, group comparisons
//! and tensions between perspectives: the quantitative half of the
//! protocol's analysis strategy ("mean scores will be reported for the whole
//! study, for each case study site, and for each stakeholder group";
//! "the frequency of 'top three' factors").
//!
//! The main type is [`Settings`]; every entry point is a pure function
//! `fn(&RecordBatch, &Settings) -> Result<RecordBatch, ArrowError>` taking the
//! `answers` or `top3` table of [`model::schema`] and returning one output
//! table (schemas in [`schema`], described in `data-schema/tables/`). No
//! files, no clock, no globals, no printing.
//!
//! A key design choice: **integer histograms are the sufficient statistics.**
//! A 1-5 rating is a category, so every cell (scope x factor) is reduced to
//! the counts of 1, 2, 3, 4, 5 (and of the four directions, the three
//! pattern answers). Mean, sd, type-7 quantiles, shares, rwg, Tastle-Wierman,
//! ranks for Kruskal-Wallis and Mann-Whitney are all computed from those
//! counts, so results are exact, independent of row order and thread count,
//! and mergeable: a cross-site cell is the sum of its sites' histograms.
//! The only resampling (bootstrap CI of a mean) draws from a histogram with a
//! counter-based generator keyed by the study seed and the figure id
//! ([`stats::bootstrap`]), so it is identical on every run and thread count;
//! cells of 4 or more answers resample block sums drawn from their exact
//! distribution, so its cost does not grow with resamples x answers.
//!
//! Disclosure control is part of every table: cells below `min_cell` are
//! suppressed (primary), and in the additive tables (`ratings_summary`,
//! `top3_frequency`, `direction`, and `consensus`, which shares the counts
//! of `ratings_summary`) complementary cells are suppressed until no
//! suppressed count can be recovered by subtraction ([`disclosure`]).
//! Tables that publish other sums of the same ratings (`tensions`,
//! `group_tests`, `sector_tests`) follow that pattern and publish a new sum
//! only if it reveals nothing it hides.

pub mod cells;
pub mod compare;
pub mod consensus;
pub mod direction;
pub mod disclosure;
mod grid;
mod input;
pub mod schema;
pub mod stats;
pub mod summary;
pub mod tensions;
pub mod top3;
pub mod top3_importance;
mod util;

#[cfg(test)]
mod tests;

pub use cells::ScopeCells;
pub use compare::{group_tests, sector_tests};
pub use consensus::consensus;
pub use direction::direction;
pub use summary::ratings_summary;
pub use tensions::tensions;
pub use top3::top3_frequency;
pub use top3_importance::top3_importance;

use arrow_schema::ArrowError;

/// The level at which a statistic is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// All participants.
    Study,
    /// Statutory or voluntary sites.
    Sector,
    /// One case study site.
    Site,
    /// One stakeholder group across all sites.
    Group,
    /// One stakeholder group at one site.
    SiteGroup,
}

impl Scope {
    /// Every scope, in output order.
    pub const ALL: [Scope; 5] = [
        Scope::Study,
        Scope::Sector,
        Scope::Site,
        Scope::Group,
        Scope::SiteGroup,
    ];

    /// The code used in the `scope` column and in figure ids.
    pub fn code(self) -> &'static str {
        match self {
            Scope::Study => "study",
            Scope::Sector => "sector",
            Scope::Site => "site",
            Scope::Group => "group",
            Scope::SiteGroup => "site_group",
        }
    }

    pub fn from_code(code: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// Settings of every ratings table. The pipeline builds one from the stage
/// and the study configuration; the functions only read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Scopes to publish. `group_tests` uses study and sector from this
    /// list, `tensions` study, sector and site; `sector_tests` and
    /// `top3_importance` are study-level and ignore it.
    pub scopes: Vec<Scope>,
    /// Factor codes in framework order. Every factor gets a row in every
    /// published cell, even with n = 0. Factors found in the data but not
    /// listed here are appended after them in code order (never dropped
    /// silently; `validate` reports them).
    pub factors: Vec<String>,
    /// Minimum cell size: fewer people means suppressed.
    pub min_cell: u32,
    /// Study seed (`study.toml`), keys the bootstrap.
    pub seed: u64,
    /// Bootstrap resamples for the CI of a mean; 0 means no CI (null).
    pub bootstrap_resamples: u32,
    /// Confidence level of the CI, strictly between 0 and 1.
    pub confidence: f64,
    /// Tensions: pool `team_manager` and `senior_manager` as `managers`.
    pub pool_managers: bool,
    /// Tensions: |mean difference| on the 1-5 scale that flags a tension.
    pub tension_threshold: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            scopes: Scope::ALL.to_vec(),
            factors: Vec::new(),
            min_cell: 3,
            seed: 0,
            bootstrap_resamples: 2000,
            confidence: 0.95,
            pool_managers: true,
            tension_threshold: 1.0,
        }
    }
}

impl Settings {
    /// Reject settings no table can honour, naming the offending value.
    fn check(&self) -> Result<(), ArrowError> {
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            return Err(ArrowError::InvalidArgumentError(format!(
                "ratings settings: confidence must be strictly between 0 and 1, found {}",
                self.confidence
            )));
        }
        if !self.tension_threshold.is_finite() || self.tension_threshold < 0.0 {
            return Err(ArrowError::InvalidArgumentError(format!(
                "ratings settings: tension_threshold must be a finite number >= 0, found {}",
                self.tension_threshold
            )));
        }
        Ok(())
    }

    fn wants(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }
}
