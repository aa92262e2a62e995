//! `consensus`: agreement within a cell on a factor's importance.

use arrow_array::RecordBatch;
use arrow_schema::ArrowError;

use crate::stats::describe;
use crate::util::{self, Prepared, key_columns};
use crate::{Settings, input, schema};

/// Agreement per scope x factor on the importance ratings:
/// - `rwg` = `1 - s^2 / sigma_EU^2`, `sigma_EU^2 = (A^2 - 1) / 12 = 2` for
///   A = 5 categories, `s^2` the sample variance (n - 1); truncated at 0;
///   null when n < 2.
/// - `tastle_wierman` = `1 + sum_i p_i log2(1 - |X_i - mu| / 4)` (Tastle &
///   Wierman 2007), 1 = full consensus, 0 = split between 1 and 5.
///
/// Its `n` is the `n` of `ratings_summary`, so it shares that table's
/// suppression pattern exactly (primary and secondary): a count hidden
/// there is never published here.
pub fn consensus(answers: &RecordBatch, settings: &Settings) -> Result<RecordBatch, ArrowError> {
    let input = input::read(Some(answers), None, settings)?;
    let Prepared { layout, grid, hist } = util::prepare(&input);
    let suppressed = util::suppression(&grid, &layout, settings, |c, f| {
        describe::count(&hist.importance[hist.at(c, f)])
    });
    let rows = util::rows(&grid, &layout, settings);
    let pub_hist = |c: usize, f: usize| {
        let i = hist.at(c, f);
        (!suppressed[i]).then_some(&hist.importance[i])
    };
    key_columns(&grid, &layout, &rows)
        .count(
            rows.iter()
                .map(|&(c, f)| pub_hist(c, f).map(describe::count)),
        )
        .float(
            rows.iter()
                .map(|&(c, f)| pub_hist(c, f).and_then(describe::rwg)),
        )
        .float(
            rows.iter()
                .map(|&(c, f)| pub_hist(c, f).and_then(describe::tastle_wierman)),
        )
        .flag(rows.iter().map(|&(c, f)| Some(suppressed[hist.at(c, f)])))
        .text(rows.iter().map(|&(c, f)| {
            Some(
                grid.figure_id(&layout, "consensus", c, &layout.factors[f])
                    .into_string(),
            )
        }))
        .finish(schema::consensus())
}
