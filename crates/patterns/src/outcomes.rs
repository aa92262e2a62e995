//! `outcome_summary`: one row per site with data x outcome. The protocol's
//! null hypothesis speaks of three outcomes (distinct role, practice drawing
//! on lived experience, benefits); this is the site's verdict on each.

use arrow_array::RecordBatch;
use arrow_schema::{ArrowError, SchemaRef};
use model::FigureId;

use crate::input::{Distinct, KeyOrder, PairCounts, Table, site_register, site_with_data};
use crate::out;
use crate::rules::{OutcomeCondition, verdict};
use crate::settings::Settings;

/// The schema of `outcome_summary`.
pub fn outcome_summary_schema() -> SchemaRef {
    out::schema(vec![
        out::utf8("site"),
        out::utf8("outcome"),
        out::count("yes"),
        out::count("partly"),
        out::count("no"),
        out::count("dont_know"),
        out::utf8("condition"),
        out::utf8("figure_id"),
    ])
}

/// One row per site with data x outcome (in `settings.outcomes` order),
/// sorted by site label then outcome.
///
/// - `yes`, `partly`, `no`, `dont_know`: answers coded 1, 2, 3, 9.
/// - `condition`: the rule of [`crate::rules::verdict`] with the same
///   settings as `pattern_matrix`: `present` | `partly` | `absent` |
///   `contested` | `unknown`.
/// - `figure_id`: `outcomes/<site>/<outcome>`.
pub fn outcome_summary(
    outcomes: &RecordBatch,
    sites: &RecordBatch,
    settings: &Settings,
) -> Result<RecordBatch, ArrowError> {
    settings.check()?;
    let share = settings.condition_threshold()?;
    let register = site_register(sites)?;
    let t = Table::new("outcomes", outcomes);
    let (site, outcome, answer) = (t.utf8("site")?, t.utf8("outcome")?, t.codes("answer")?);
    let mut order = KeyOrder::new(&settings.outcomes);
    let mut counts = PairCounts::<4>::new();
    let (mut site_ids, mut outcome_ids) = (Distinct::new(), Distinct::new());
    for (i, code) in answer.iter().enumerate() {
        let ((s, new_site), (o, new_outcome)) =
            (site_ids.id(&site, i)?, outcome_ids.id(&outcome, i)?);
        if new_site {
            site_with_data(&register, &t, i, site_ids.ids.names[s as usize])?;
        }
        if new_outcome {
            order.see("outcome", outcome_ids.ids.names[o as usize], &t, i)?;
        }
        let Some(slot) = crate::input::answer_slot(&t, "answer", i, *code)? else {
            continue;
        };
        counts.add(s, o, slot);
    }
    let counts = counts.by_value(&site_ids, &outcome_ids);

    let order = order.finish();
    let mut cols: [Vec<u32>; 4] = Default::default();
    let (mut site_o, mut outcome_o, mut cond_o, mut id_o) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (label, info) in &register {
        if !info.has_data {
            continue;
        }
        for o in &order {
            let c = counts
                .get(&(label.as_str(), o.as_str()))
                .copied()
                .unwrap_or_default();
            let v = verdict([c[0], c[1], c[2]], share, settings.condition_min_valid);
            for (col, x) in cols.iter_mut().zip(c) {
                col.push(x);
            }
            site_o.push(label.clone());
            outcome_o.push(o.clone());
            cond_o.push(OutcomeCondition::from_verdict(v).code().to_string());
            id_o.push(FigureId::new("outcomes").part(label).part(o).into_string());
        }
    }
    let [yes, partly, no, dk] = cols;
    out::batch(
        outcome_summary_schema(),
        vec![
            out::strings(site_o),
            out::strings(outcome_o),
            out::counts(yes),
            out::counts(partly),
            out::counts(no),
            out::counts(dk),
            out::strings(cond_o),
            out::strings(id_o),
        ],
    )
}
