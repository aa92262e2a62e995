//! `top3_importance`: do people rate the factors they pick as most
//! important higher? Top-three picks against importance ratings, study scope.

use arrow_array::RecordBatch;
use arrow_schema::ArrowError;
use model::FigureId;

use crate::stats::describe;
use crate::top3::unique_picks;
use crate::util::Columns;
use crate::{Settings, input, schema};

/// Per factor, among the people who gave a top three (at least one valid
/// pick) and rated that factor (valid 1-5):
/// - `n_picked`, `mean_picked`: those who picked it, their mean importance;
/// - `n_not_picked`, `mean_not_picked`: those who did not pick it;
/// - `pct_picked_rated_5`: percent of pickers rating it 5;
/// - `pct_picked_rated_own_max`: percent of pickers whose rating of it
///   equals their own highest rating over all factors.
///
/// The two tables are joined on the pseudonym; no id enters a figure id.
/// Suppressed (every count and statistic null) when either `n_picked` or
/// `n_not_picked` is below `min_cell`: publishing one side would let the
/// other be recovered from the factor's study n.
pub fn top3_importance(
    top3: &RecordBatch,
    answers: &RecordBatch,
    settings: &Settings,
) -> Result<RecordBatch, ArrowError> {
    let input = input::read(Some(answers), Some(top3), settings)?;
    let factors = input.layout.factors.len();
    let people = input.participants;
    // rating[p * factors + f]: the first valid rating.
    let mut rating: Vec<Option<u8>> = vec![None; people * factors];
    for a in &input.answers {
        let slot = &mut rating[a.who.participant() * factors + a.factor()];
        if slot.is_none() {
            *slot = a.importance;
        }
    }
    let own_max: Vec<Option<u8>> = (0..people)
        .map(|p| {
            rating[p * factors..(p + 1) * factors]
                .iter()
                .flatten()
                .copied()
                .max()
        })
        .collect();
    let mut respondent = vec![false; people];
    let mut picked = vec![false; people * factors];
    for p in unique_picks(&input.picks) {
        respondent[p.who.participant()] = true;
        picked[p.who.participant() * factors + p.factor()] = true;
    }
    let min = u64::from(settings.min_cell);
    let mut cols: [Vec<Option<f64>>; 4] = Default::default();
    let mut counts: [Vec<Option<u64>>; 2] = Default::default();
    let mut suppressed = Vec::new();
    for f in 0..factors {
        let mut yes = [0u64; 5];
        let mut no = [0u64; 5];
        let mut at_max = 0u64;
        for p in (0..people).filter(|&p| respondent[p]) {
            let Some(r) = rating[p * factors + f] else {
                continue;
            };
            if picked[p * factors + f] {
                yes[usize::from(r) - 1] += 1;
                at_max += u64::from(own_max[p] == Some(r));
            } else {
                no[usize::from(r) - 1] += 1;
            }
        }
        let (ny, nn) = (describe::count(&yes), describe::count(&no));
        let hide = ny < min || nn < min;
        suppressed.push(hide);
        let show = |v: Option<f64>| if hide { None } else { v };
        counts[0].push((!hide).then_some(ny));
        counts[1].push((!hide).then_some(nn));
        cols[0].push(show(describe::mean(&yes)));
        cols[1].push(show(describe::mean(&no)));
        cols[2].push(show(describe::percent(&yes, &[4])));
        cols[3].push(show((ny > 0).then(|| at_max as f64 / ny as f64 * 100.0)));
    }
    let [c0, c1] = counts;
    let [m_yes, m_no, pct5, pct_max] = cols;
    Columns::default()
        .text(input.layout.factors.iter().map(Some))
        .count(c0)
        .float(m_yes)
        .count(c1)
        .float(m_no)
        .float(pct5)
        .float(pct_max)
        .flag(suppressed.into_iter().map(Some))
        .text(
            input
                .layout
                .factors
                .iter()
                .map(|f| Some(FigureId::new("top3_importance").part(f).into_string())),
        )
        .finish(schema::top3_importance())
}
