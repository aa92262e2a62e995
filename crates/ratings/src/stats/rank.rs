//! Rank tests from histograms: Kruskal-Wallis, Mann-Whitney, and the
//! Benjamini-Hochberg adjustment. With a categorical scale, every answer in
//! category k shares the mid-rank of its tie block, so rank sums and the
//! tie correction come straight from the pooled histogram. Formulas follow
//! scipy.stats (`kruskal`, `mannwhitneyu(method="asymptotic")`,
//! `false_discovery_control(method="bh")`) and are tested against it.

use super::describe::count;
use super::special::{chi2_sf, norm_sf};

/// Mid-rank of each category in the pooled histogram, and the tie term
/// `sum (t^3 - t)` over tie blocks.
fn midranks<const K: usize>(pooled: &[u64; K]) -> ([f64; K], f64) {
    let mut ranks = [0.0; K];
    let mut below = 0u64;
    let mut ties = 0.0;
    for k in 0..K {
        let t = pooled[k];
        ranks[k] = below as f64 + (t as f64 + 1.0) / 2.0;
        below += t;
        let tf = t as f64;
        ties += tf * tf * tf - tf;
    }
    (ranks, ties)
}

fn pool<const K: usize>(groups: &[[u64; K]]) -> [u64; K] {
    let mut pooled = [0; K];
    for g in groups {
        for k in 0..K {
            pooled[k] += g[k];
        }
    }
    pooled
}

fn rank_sum<const K: usize>(hist: &[u64; K], ranks: &[f64; K]) -> f64 {
    (0..K).map(|k| hist[k] as f64 * ranks[k]).sum()
}

/// Result of a Kruskal-Wallis test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Kruskal {
    /// Total answers in the groups that entered.
    pub n: u64,
    /// Groups that entered (at least one answer).
    pub groups: usize,
    /// H, tie-corrected (None when every answer is tied or < 2 groups).
    pub h: Option<f64>,
    /// Degrees of freedom, groups - 1 (None when < 2 groups).
    pub df: Option<u32>,
    /// Upper chi-square tail of H.
    pub p: Option<f64>,
    /// Epsilon squared, `H (n + 1) / (n^2 - 1)` = `H / (n - 1)`.
    pub epsilon_sq: Option<f64>,
}

/// Kruskal-Wallis H test across the non-empty groups, as scipy.stats.kruskal:
/// `H = [12 / (N (N + 1)) sum R_j^2 / n_j - 3 (N + 1)] / (1 - sum(t^3 - t) / (N^3 - N))`.
pub fn kruskal<const K: usize>(groups: &[[u64; K]]) -> Kruskal {
    let entered: Vec<[u64; K]> = groups.iter().copied().filter(|g| count(g) > 0).collect();
    let pooled = pool(&entered);
    let n = count(&pooled);
    let mut out = Kruskal {
        n,
        groups: entered.len(),
        h: None,
        df: None,
        p: None,
        epsilon_sq: None,
    };
    if entered.len() < 2 {
        return out;
    }
    let df = (entered.len() - 1) as u32;
    out.df = Some(df);
    let (ranks, ties) = midranks(&pooled);
    let nf = n as f64;
    let correction = 1.0 - ties / (nf * nf * nf - nf);
    if !(correction > 0.0) {
        return out;
    }
    let ssbn: f64 = entered
        .iter()
        .map(|g| rank_sum(g, &ranks).powi(2) / count(g) as f64)
        .sum();
    let h = (12.0 / (nf * (nf + 1.0)) * ssbn - 3.0 * (nf + 1.0)) / correction;
    out.h = super::finite(h);
    out.p = out.h.and_then(|h| chi2_sf(h, f64::from(df)));
    out.epsilon_sq = out
        .h
        .and_then(|h| super::finite(h * (nf + 1.0) / (nf * nf - 1.0)));
    out
}

/// Result of a two-sided asymptotic Mann-Whitney U test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannWhitney {
    pub n1: u64,
    pub n2: u64,
    /// U1 = R1 - n1 (n1 + 1) / 2, for the first sample (what scipy reports).
    pub u1: Option<f64>,
    /// Continuity-corrected z of the two-sided test, signed: positive when
    /// the first sample ranks higher (U1 > n1 n2 / 2).
    pub z: Option<f64>,
    pub p: Option<f64>,
    /// Rank-biserial correlation `2 U1 / (n1 n2) - 1`, positive when the
    /// first sample ranks higher.
    pub rank_biserial: Option<f64>,
}

/// Mann-Whitney U, as `scipy.stats.mannwhitneyu(x, y, method="asymptotic",
/// use_continuity=True, alternative="two-sided")`: `U = max(U1, U2)`,
/// `s = sqrt(n1 n2 / 12 ((n + 1) - sum(t^3 - t) / (n (n - 1))))`,
/// `z = (U - n1 n2 / 2 - 0.5) / s`, `p = clip(2 sf(z), 0, 1)`.
/// None statistics when a sample is empty; when every answer is tied, z is
/// None and p is 1 (as scipy).
pub fn mann_whitney<const K: usize>(x: &[u64; K], y: &[u64; K]) -> MannWhitney {
    let (n1, n2) = (count(x), count(y));
    let mut out = MannWhitney {
        n1,
        n2,
        u1: None,
        z: None,
        p: None,
        rank_biserial: None,
    };
    if n1 == 0 || n2 == 0 {
        return out;
    }
    let pooled = pool(&[*x, *y]);
    let (ranks, ties) = midranks(&pooled);
    let (f1, f2) = (n1 as f64, n2 as f64);
    let n = f1 + f2;
    let u1 = rank_sum(x, &ranks) - f1 * (f1 + 1.0) / 2.0;
    let u2 = f1 * f2 - u1;
    out.u1 = Some(u1);
    out.rank_biserial = super::finite(2.0 * u1 / (f1 * f2) - 1.0);
    let mu = f1 * f2 / 2.0;
    let s = (f1 * f2 / 12.0 * ((n + 1.0) - ties / (n * (n - 1.0)))).sqrt();
    if !(s > 0.0) {
        // Every answer tied: U1 = n1 n2 / 2 and scipy's z is -0.5 / 0 =
        // -inf, so its p is clip(2 sf(-inf)) = 1. No z is published.
        out.p = Some(1.0);
        return out;
    }
    let z = (u1.max(u2) - mu - 0.5) / s;
    out.p = norm_sf(z).map(|p| (2.0 * p).clamp(0.0, 1.0));
    out.z = super::finite(if u1 < mu { -z } else { z });
    out
}

/// Benjamini-Hochberg adjusted p-values, as
/// `scipy.stats.false_discovery_control(ps, method="bh")`: with the m
/// non-null p sorted ascending, `p_(i) m / i`, made monotone from the
/// largest down, capped at 1. Nulls stay null and do not count in m.
pub fn benjamini_hochberg(ps: &[Option<f64>]) -> Vec<Option<f64>> {
    let mut idx: Vec<usize> = (0..ps.len())
        .filter(|&i| ps[i].is_some_and(f64::is_finite))
        .collect();
    idx.sort_by(|&a, &b| {
        ps[a]
            .unwrap_or(0.0)
            .total_cmp(&ps[b].unwrap_or(0.0))
            .then(a.cmp(&b))
    });
    let m = idx.len() as f64;
    let mut out = vec![None; ps.len()];
    let mut running = f64::INFINITY;
    for (rank, &i) in idx.iter().enumerate().rev() {
        let adj = ps[i].unwrap_or(1.0) * (m / (rank + 1) as f64);
        running = running.min(adj);
        out[i] = Some(running.min(1.0));
    }
    out
}
