//! `direction`: was the factor a facilitator, a barrier, both or neither?

use arrow_array::RecordBatch;
use arrow_schema::ArrowError;

use crate::stats::describe;
use crate::util::{self, Prepared, key_columns};
use crate::{Settings, input, schema};

/// Direction answers per scope x factor: `n` valid answers (1-4; missing
/// codes are not answers), the count of each direction and its percent of
/// `n`. Primary suppression below `min_cell` answers, then secondary
/// suppression over the scope hierarchy ([`crate::disclosure`]).
pub fn direction(answers: &RecordBatch, settings: &Settings) -> Result<RecordBatch, ArrowError> {
    let input = input::read(Some(answers), None, settings)?;
    let Prepared { layout, grid, hist } = util::prepare(&input);
    let suppressed = util::suppression(&grid, &layout, settings, |c, f| {
        describe::count(&hist.direction[hist.at(c, f)])
    });
    let rows = util::rows(&grid, &layout, settings);
    let pub_hist = |c: usize, f: usize| {
        let i = hist.at(c, f);
        (!suppressed[i]).then_some(&hist.direction[i])
    };
    let mut cols = key_columns(&grid, &layout, &rows).count(
        rows.iter()
            .map(|&(c, f)| pub_hist(c, f).map(describe::count)),
    );
    for k in 0..4 {
        cols = cols.count(rows.iter().map(|&(c, f)| pub_hist(c, f).map(|h| h[k])));
    }
    for k in 0..4 {
        cols = cols.float(
            rows.iter()
                .map(|&(c, f)| pub_hist(c, f).and_then(|h| describe::percent(h, &[k]))),
        );
    }
    cols.flag(rows.iter().map(|&(c, f)| Some(suppressed[hist.at(c, f)])))
        .text(rows.iter().map(|&(c, f)| {
            Some(
                grid.figure_id(&layout, "direction", c, &layout.factors[f])
                    .into_string(),
            )
        }))
        .finish(schema::direction())
}
