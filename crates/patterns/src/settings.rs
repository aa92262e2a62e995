//! The one settings struct of every analysis in this crate, and [`Share`],
//! an exact fraction so that thresholds such as "two thirds" compare
//! without floating-point error (`2 of 3` is exactly `>= 2/3`).
//!
//! The pipeline file writes shares as decimals (`share = 0.6666666666666666`),
//! so [`Settings`] holds them as `f64`; each analysis turns them into a
//! [`Share`] with [`Share::from_f64`], the simplest fraction within 1e-9 of
//! the decimal (2/3, 4/5), and only ever compares integers.

use arrow_schema::ArrowError;

/// An exact share `num/den` with `0 <= num <= den` and `den > 0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Share {
    num: u32,
    den: u32,
}

impl Share {
    /// `num/den`; an error unless `den > 0` and `num <= den`.
    pub fn new(num: u32, den: u32) -> Result<Share, ArrowError> {
        if den == 0 || num > den {
            return Err(invalid(format!(
                "share: expected a fraction between 0 and 1, found {num}/{den}"
            )));
        }
        Ok(Share { num, den })
    }

    /// Parse `2/3`, `0.8` or `1` (at most 9 decimal places).
    pub fn parse(text: &str) -> Result<Share, ArrowError> {
        let t = text.trim();
        let bad = || {
            invalid(format!(
                "share: expected a fraction such as `2/3` or `0.8`, found `{text}`"
            ))
        };
        if let Some((n, d)) = t.split_once('/') {
            let n: u32 = n.trim().parse().map_err(|_| bad())?;
            let d: u32 = d.trim().parse().map_err(|_| bad())?;
            return Share::new(n, d).map_err(|_| bad());
        }
        let (int, frac) = t.split_once('.').unwrap_or((t, ""));
        if int.is_empty() && frac.is_empty() {
            return Err(bad());
        }
        if frac.len() > 9 || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        let den = 10u64.pow(frac.len() as u32);
        let int: u64 = if int.is_empty() {
            0
        } else {
            int.parse().map_err(|_| bad())?
        };
        let frac_v: u64 = if frac.is_empty() {
            0
        } else {
            frac.parse().map_err(|_| bad())?
        };
        let num = int
            .checked_mul(den)
            .and_then(|v| v.checked_add(frac_v))
            .ok_or_else(bad)?;
        if num > den {
            return Err(bad());
        }
        Share::new(num as u32, den as u32).map_err(|_| bad())
    }

    /// The simplest fraction (smallest denominator, at most 1,000,000, found
    /// by continued fractions) within 1e-9 of `x`: `2.0 / 3.0` gives 2/3,
    /// `0.8` gives 4/5. An error unless `x` is finite and in [0, 1].
    pub fn from_f64(x: f64) -> Result<Share, ArrowError> {
        if !x.is_finite() || !(0.0..=1.0).contains(&x) {
            return Err(invalid(format!(
                "share: expected a number between 0 and 1, found {x}"
            )));
        }
        const MAX_DEN: u64 = 1_000_000;
        const TOLERANCE: f64 = 1e-9;
        // Convergents h/k of the continued fraction of x.
        let (mut h0, mut h1, mut k0, mut k1) = (0u64, 1u64, 1u64, 0u64);
        let mut best = (0u64, 1u64);
        let mut r = x;
        for _ in 0..64 {
            let a = r.floor();
            if !(0.0..=1e12).contains(&a) {
                break;
            }
            let a = a as u64;
            let (Some(h2), Some(k2)) = (
                a.checked_mul(h1).and_then(|v| v.checked_add(h0)),
                a.checked_mul(k1).and_then(|v| v.checked_add(k0)),
            ) else {
                break;
            };
            if k2 == 0 || k2 > MAX_DEN {
                break;
            }
            best = (h2, k2);
            if (x - h2 as f64 / k2 as f64).abs() <= TOLERANCE {
                break;
            }
            let frac = r - a as f64;
            if frac <= 0.0 {
                break;
            }
            r = 1.0 / frac;
            (h0, h1, k0, k1) = (h1, h2, k1, k2);
        }
        let (num, den) = (
            u32::try_from(best.0).unwrap_or(u32::MAX),
            u32::try_from(best.1).unwrap_or(u32::MAX),
        );
        Share::new(num.min(den), den)
    }

    pub fn num(self) -> u32 {
        self.num
    }
    pub fn den(self) -> u32 {
        self.den
    }

    /// `count >= share x total`, exactly.
    pub fn reached(self, count: u32, total: u32) -> bool {
        u64::from(count) * u64::from(self.den) >= u64::from(self.num) * u64::from(total)
    }

    /// `count <= (1 - share) x total`, exactly.
    pub fn at_most_complement(self, count: u32, total: u32) -> bool {
        u64::from(count) * u64::from(self.den) <= u64::from(self.den - self.num) * u64::from(total)
    }
}

impl std::fmt::Display for Share {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.num, self.den)
    }
}

/// Settings of every analysis in this crate. The pipeline file sets the
/// fields; [`Settings::default`] gives the protocol's choices.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Factor codes in framework order: the order of every output's factor
    /// key. Empty means "the factors found in the input, sorted by code";
    /// when non-empty, a factor (or account theme) not in this list is an
    /// error, because it means the data and the framework disagree.
    pub factors: Vec<String>,
    /// Outcome codes in framework order (default `out_distinct`,
    /// `out_practice`, `out_benefit`). An outcome not listed is an error.
    pub outcomes: Vec<String>,
    /// Share of valid answers the modal answer needs for a site's condition
    /// (default 2/3; compared exactly as the fraction of [`Share::from_f64`]).
    pub condition_share: f64,
    /// Fewest valid answers (in place, partly, not in place) for a
    /// condition other than `unknown` (default 2).
    pub condition_min_valid: u32,
    /// Share of sites (with a known condition) that makes a sector "high"
    /// for replication; `1 - share` or less makes it "low" (default 0.8,
    /// compared exactly as 4/5).
    pub replication_share: f64,
    /// Cells of the qualitative matrix with fewer participants are
    /// suppressed (default 3, the study's `[disclosure] min_cell`).
    pub min_cell: u32,
    /// Exemplar accounts per qualitative cell (default 2, at most 20).
    pub exemplars: usize,
    /// Attributes a quote label may carry: `group`, `sector`, `site`
    /// (default `group`, `sector`: the study's `[disclosure] quote_label`).
    pub quote_label: Vec<String>,
    /// The study's words for its stakeholder groups, as a quote's label
    /// names a member (default: each group's code in words).
    pub labels: model::Labels,
    /// Include the `role` and `other` themes in the qualitative matrix
    /// (default false: only factor themes and `bme`).
    pub qual_other_themes: bool,
    /// Publish exemplars in suppressed cells (default false: a suppressed
    /// cell publishes neither counts nor exemplars, since its row key
    /// already narrows the speaker to fewer than `min_cell` people).
    pub exemplars_in_suppressed: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            factors: Vec::new(),
            outcomes: vec![
                "out_distinct".into(),
                "out_practice".into(),
                "out_benefit".into(),
            ],
            condition_share: 2.0 / 3.0,
            condition_min_valid: 2,
            replication_share: 0.8,
            min_cell: 3,
            exemplars: 2,
            quote_label: vec!["group".into(), "sector".into()],
            labels: model::Labels::default(),
            qual_other_themes: false,
            exemplars_in_suppressed: false,
        }
    }
}

/// Most exemplar columns a qualitative matrix may have.
pub const MAX_EXEMPLARS: usize = 20;

impl Settings {
    /// `condition_share` as an exact fraction.
    pub fn condition_threshold(&self) -> Result<Share, ArrowError> {
        Share::from_f64(self.condition_share)
            .map_err(|e| invalid(format!("settings `condition_share`: {}", strip(&e))))
    }

    /// `replication_share` as an exact fraction.
    pub fn replication_threshold(&self) -> Result<Share, ArrowError> {
        Share::from_f64(self.replication_share)
            .map_err(|e| invalid(format!("settings `replication_share`: {}", strip(&e))))
    }

    /// Check the settings; every public analysis calls this first.
    pub fn check(&self) -> Result<(), ArrowError> {
        self.condition_threshold()?;
        self.replication_threshold()?;
        for (what, list) in [("factors", &self.factors), ("outcomes", &self.outcomes)] {
            let mut seen = std::collections::BTreeSet::new();
            for code in list {
                if code.is_empty() {
                    return Err(invalid(format!(
                        "settings `{what}`: expected a code, found an empty string"
                    )));
                }
                if !seen.insert(code.as_str()) {
                    return Err(invalid(format!(
                        "settings `{what}`: `{code}` is listed twice"
                    )));
                }
            }
        }
        if self.exemplars > MAX_EXEMPLARS {
            return Err(invalid(format!(
                "settings `exemplars`: expected at most {MAX_EXEMPLARS}, found {}",
                self.exemplars
            )));
        }
        for attr in &self.quote_label {
            if !matches!(attr.as_str(), "group" | "sector" | "site") {
                return Err(invalid(format!(
                    "settings `quote_label`: expected `group`, `sector` or `site`, found `{attr}`"
                )));
            }
        }
        Ok(())
    }
}

fn strip(e: &ArrowError) -> String {
    match e {
        ArrowError::InvalidArgumentError(m) => m.clone(),
        other => other.to_string(),
    }
}

pub(crate) fn invalid(msg: impl Into<String>) -> ArrowError {
    ArrowError::InvalidArgumentError(msg.into())
}
