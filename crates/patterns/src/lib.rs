//! Pattern matching across case study sites (Yin 1994): is each proposed
//! condition of the conceptual framework in place at each site, do the
//! site's documents say the same (model fidelity), is the pattern
//! replicated across sites and sectors (generic or setting-specific), how
//! do conditions line up with outcomes (crisp-set QCA), and what do the
//! free-text accounts say, cell by cell (Averill's matrix analysis).
//!
//! The main entry points are [`pattern_matrix`], [`replication`],
//! [`outcome_summary`], [`qca`], [`qual_matrix`] and [`quotes`]; all take [`Settings`].
//! Each is a pure function, Arrow in and Arrow out: no files, no clock, no
//! global state, no printing; bad input is an [`arrow_schema::ArrowError`]
//! that names the table, column and `file:line`, never a panic.
//!
//! A key design choice: every verdict (a site's condition, a document
//! status, a fidelity judgement, a replication class) is made by one small
//! total function over enums in [`rules`], from integer counts and exact
//! fractions ([`Share`]), so thresholds such as "two thirds" hold exactly
//! at their boundary and every combination of inputs has exactly one,
//! documented, tested answer. The analyses only count and sort; the rules
//! decide. Outputs are sorted by explicit keys (site label, then factor in
//! `Settings::factors` order) and never depend on input row order.

mod input;
mod matrix;
mod out;
mod outcomes;
mod qca;
mod qual;
mod quotes;
mod replication;
pub mod rules;
mod settings;

pub use matrix::{pattern_matrix, pattern_matrix_schema};
pub use outcomes::{outcome_summary, outcome_summary_schema};
pub use qca::{qca, qca_schema};
pub use qual::{choose_exemplars, qual_matrix, qual_matrix_schema, quote_label};
pub use quotes::{quotes, quotes_by_sector, quotes_schema};
pub use replication::{replication, replication_schema};
pub use settings::{MAX_EXEMPLARS, Settings, Share};

#[cfg(test)]
mod tests;
