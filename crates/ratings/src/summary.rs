//! `ratings_summary`: importance ratings per scope and factor.

use arrow_array::RecordBatch;
use arrow_schema::ArrowError;
use rayon::prelude::*;

use crate::stats::{bootstrap, describe};
use crate::util::{self, Prepared, key_columns};
use crate::{Settings, input, schema};

struct Row {
    n: Option<u64>,
    mean: Option<f64>,
    sd: Option<f64>,
    median: Option<f64>,
    q1: Option<f64>,
    q3: Option<f64>,
    pct_high: Option<f64>,
    ci: Option<(f64, f64)>,
    /// How many rated 1, 2, 3, 4 and 5: what a diverging Likert chart draws.
    counts: Option<[u64; 5]>,
    suppressed: bool,
    figure_id: String,
}

/// Importance ratings (1-5) per scope x factor: n, mean, sd (n - 1),
/// median, q1, q3 (R type 7), pct_high (share rating 4 or 5, percent) and
/// a bootstrap CI of the mean, and the counts of each rating (`rated_1` ..
/// `rated_5`), all from the cell's histogram of 1..5.
///
/// The CI is a percentile bootstrap with `settings.bootstrap_resamples`
/// resamples drawn from the histogram by a counter-based generator keyed by
/// `(settings.seed, figure_id, resample, draw)` (see
/// [`crate::stats::bootstrap`]): identical on every run and thread count.
/// A cell of fewer than [`bootstrap::BLOCKS_FROM`] (4) ratings is
/// resampled rating by rating (cost B n); a larger cell by block sums:
/// about `(B n / 2)^(1/3)` ratings per block, each block's sum drawn by
/// inversion from its exact distribution (convolution of the histogram,
/// `+` and `*` only), so a resample costs about `(2 n^2 / B)^(1/3)`
/// draws instead of n and the cost of the table grows with the number of
/// cells rather than with resamples x ratings. Both give each resample
/// sum the same distribution; only the random stream differs. Suppressed
/// cells get no CI computed. Cells are computed in parallel with rayon and
/// collected in output order.
///
/// Suppression: primary below `min_cell` valid ratings, then secondary
/// across the scope hierarchy ([`crate::disclosure`]). Rows: every
/// published scope in `settings.scopes` x every factor, sorted by scope,
/// site, sector, group, factor.
pub fn ratings_summary(
    answers: &RecordBatch,
    settings: &Settings,
) -> Result<RecordBatch, ArrowError> {
    let input = input::read(Some(answers), None, settings)?;
    let Prepared { layout, grid, hist } = util::prepare(&input);
    let suppressed = util::suppression(&grid, &layout, settings, |c, f| {
        describe::count(&hist.importance[hist.at(c, f)])
    });
    let rows = util::rows(&grid, &layout, settings);
    let resampler = bootstrap::Resampler::new(settings.bootstrap_resamples, settings.confidence);
    let out: Vec<Row> = rows
        .par_iter()
        .map(|&(c, f)| {
            let i = hist.at(c, f);
            let h = &hist.importance[i];
            let figure_id = grid
                .figure_id(&layout, "ratings", c, &layout.factors[f])
                .into_string();
            if suppressed[i] {
                return Row {
                    n: None,
                    mean: None,
                    sd: None,
                    median: None,
                    q1: None,
                    q3: None,
                    pct_high: None,
                    ci: None,
                    counts: None,
                    suppressed: true,
                    figure_id,
                };
            }
            let key = bootstrap::key(settings.seed, &figure_id);
            Row {
                n: Some(describe::count(h)),
                mean: describe::mean(h),
                sd: describe::sd(h),
                median: describe::quantile(h, 0.5),
                q1: describe::quantile(h, 0.25),
                q3: describe::quantile(h, 0.75),
                pct_high: describe::percent(h, &[3, 4]),
                ci: resampler.mean_ci(h, key),
                counts: Some(std::array::from_fn(|k| h[k])),
                suppressed: false,
                figure_id,
            }
        })
        .collect();
    key_columns(&grid, &layout, &rows)
        .count(out.iter().map(|r| r.n))
        .float(out.iter().map(|r| r.mean))
        .float(out.iter().map(|r| r.sd))
        .float(out.iter().map(|r| r.median))
        .float(out.iter().map(|r| r.q1))
        .float(out.iter().map(|r| r.q3))
        .float(out.iter().map(|r| r.pct_high))
        .float(out.iter().map(|r| r.ci.map(|c| c.0)))
        .float(out.iter().map(|r| r.ci.map(|c| c.1)))
        .count(out.iter().map(|r| r.counts.map(|c| c[0])))
        .count(out.iter().map(|r| r.counts.map(|c| c[1])))
        .count(out.iter().map(|r| r.counts.map(|c| c[2])))
        .count(out.iter().map(|r| r.counts.map(|c| c[3])))
        .count(out.iter().map(|r| r.counts.map(|c| c[4])))
        .flag(out.iter().map(|r| Some(r.suppressed)))
        .text(out.iter().map(|r| Some(r.figure_id.as_str())))
        .finish(schema::ratings_summary())
}
