//! `qca`: crisp-set qualitative comparative analysis (Ragin 2006, 2008) of
//! each factor against each outcome across sites: is a condition in place
//! sufficient, or necessary, for the outcome? A test of the protocol's null
//! hypothesis, one condition at a time (no truth-table minimisation).

use std::collections::BTreeMap;

use arrow_array::RecordBatch;
use arrow_schema::{ArrowError, SchemaRef};
use model::FigureId;

use crate::input::{KeyOrder, Table};
use crate::out;
use crate::rules::{Condition, OutcomeCondition};
use crate::settings::{Settings, invalid};

/// The schema of `qca`.
pub fn qca_schema() -> SchemaRef {
    out::schema(vec![
        out::utf8("outcome"),
        out::utf8("factor"),
        out::count("n_sites"),
        out::count("n_x"),
        out::count("n_y"),
        out::count("n_xy"),
        out::ratio("sufficiency_consistency"),
        out::ratio("sufficiency_coverage"),
        out::ratio("necessity_consistency"),
        out::ratio("necessity_coverage"),
        out::utf8("figure_id"),
    ])
}

/// One row per outcome x factor (settings order), over the sites present
/// in both batches.
///
/// X = 1 when the site's condition is `in_place` (else 0: partly, not in
/// place, contested); Y = 1 when the outcome is `present` (else 0). A site
/// whose condition or outcome is `unknown`, or that has no outcome row, is
/// excluded. `n_sites` counts the sites included, `n_x` those with X = 1,
/// `n_y` with Y = 1, `n_xy` with both.
///
/// sufficiency consistency = n_xy / n_x, sufficiency coverage = n_xy / n_y;
/// necessity consistency = n_xy / n_y, necessity coverage = n_xy / n_x
/// (for crisp sets the pairs coincide by definition; both are published so
/// each reads under its own name). Null when the denominator is 0.
/// `figure_id`: `qca/<outcome>/<factor>`.
pub fn qca(
    pattern_matrix: &RecordBatch,
    outcome_summary: &RecordBatch,
    settings: &Settings,
) -> Result<RecordBatch, ArrowError> {
    settings.check()?;
    let t = Table::new("pattern_matrix", pattern_matrix);
    let (site, factor, condition) = (t.utf8("site")?, t.utf8("factor")?, t.utf8("condition")?);
    let mut factors = KeyOrder::new(&settings.factors);
    let mut x: BTreeMap<&str, BTreeMap<&str, Condition>> = BTreeMap::new();
    for i in 0..t.rows() {
        let (s, f, c) = (site.get(i)?, factor.get(i)?, condition.get(i)?);
        factors.see("factor", f, &t, i)?;
        let c = Condition::from_code(c).ok_or_else(|| {
            invalid(format!(
                "table `pattern_matrix`, column `condition`, {}: unknown condition `{c}`",
                t.locate(i)
            ))
        })?;
        if x.entry(f).or_default().insert(s, c).is_some() {
            return Err(invalid(format!(
                "table `pattern_matrix`, {}: site `{s}` and factor `{f}` appear twice",
                t.locate(i)
            )));
        }
    }

    let u = Table::new("outcome_summary", outcome_summary);
    let (site, outcome, condition) = (u.utf8("site")?, u.utf8("outcome")?, u.utf8("condition")?);
    let mut outcomes = KeyOrder::new(&settings.outcomes);
    let mut y: BTreeMap<(&str, &str), OutcomeCondition> = BTreeMap::new();
    for i in 0..u.rows() {
        let (s, o, c) = (site.get(i)?, outcome.get(i)?, condition.get(i)?);
        outcomes.see("outcome", o, &u, i)?;
        let c = OutcomeCondition::from_code(c).ok_or_else(|| {
            invalid(format!(
                "table `outcome_summary`, column `condition`, {}: unknown condition `{c}`",
                u.locate(i)
            ))
        })?;
        if y.insert((o, s), c).is_some() {
            return Err(invalid(format!(
                "table `outcome_summary`, {}: site `{s}` and outcome `{o}` appear twice",
                u.locate(i)
            )));
        }
    }

    let (factors, outcomes) = (factors.finish(), outcomes.finish());
    let empty = BTreeMap::new();
    let mut n: [Vec<u32>; 4] = Default::default();
    let mut r: [Vec<Option<f64>>; 4] = Default::default();
    let (mut outcome_o, mut factor_o, mut id_o) = (Vec::new(), Vec::new(), Vec::new());
    for o in &outcomes {
        for f in &factors {
            let (mut sites, mut nx, mut ny, mut nxy) = (0u32, 0u32, 0u32, 0u32);
            for (s, c) in x.get(f.as_str()).unwrap_or(&empty) {
                let Some(oc) = y.get(&(o.as_str(), *s)) else {
                    continue;
                };
                if *c == Condition::Unknown || *oc == OutcomeCondition::Unknown {
                    continue;
                }
                let xi = *c == Condition::InPlace;
                let yi = *oc == OutcomeCondition::Present;
                sites += 1;
                nx += u32::from(xi);
                ny += u32::from(yi);
                nxy += u32::from(xi && yi);
            }
            for (col, v) in n.iter_mut().zip([sites, nx, ny, nxy]) {
                col.push(v);
            }
            let ratios = [
                out::share(nxy, nx),
                out::share(nxy, ny),
                out::share(nxy, ny),
                out::share(nxy, nx),
            ];
            for (col, v) in r.iter_mut().zip(ratios) {
                col.push(v);
            }
            outcome_o.push(o.clone());
            factor_o.push(f.clone());
            id_o.push(FigureId::new("qca").part(o).part(f).into_string());
        }
    }
    let [n_sites, n_x, n_y, n_xy] = n;
    let [sc, sv, nc, nv] = r;
    out::batch(
        qca_schema(),
        vec![
            out::strings(outcome_o),
            out::strings(factor_o),
            out::counts(n_sites),
            out::counts(n_x),
            out::counts(n_y),
            out::counts(n_xy),
            out::ratios(sc),
            out::ratios(sv),
            out::ratios(nc),
            out::ratios(nv),
            out::strings(id_o),
        ],
    )
}
