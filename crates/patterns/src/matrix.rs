//! `pattern_matrix`: one row per site with data x factor. Yin's pattern
//! matching: is each proposed condition in place at each site, and do the
//! site's documents say the same (model fidelity)?

use arrow_array::RecordBatch;
use arrow_schema::{ArrowError, SchemaRef};
use model::FigureId;

use crate::input::{
    Distinct, KeyOrder, PairCounts, Table, known_site, site_register, site_with_data,
};
use crate::out;
use crate::rules::{Condition, DocStatus, fidelity, verdict};
use crate::settings::{Settings, invalid};

/// The schema of `pattern_matrix` (the DESIGN.md contract).
pub fn pattern_matrix_schema() -> SchemaRef {
    out::schema(vec![
        out::utf8("site"),
        out::utf8("factor"),
        out::count("in_place"),
        out::count("partly"),
        out::count("not_in_place"),
        out::count("dont_know"),
        out::utf8("condition"),
        out::utf8("doc_status"),
        out::utf8("fidelity"),
        out::utf8("figure_id"),
    ])
}

/// One row per site with data (`sites.has_data`) x factor, sorted by site
/// label then factor in `settings.factors` order.
///
/// - `in_place`, `partly`, `not_in_place`, `dont_know`: answers coded 1, 2,
///   3, 9 (null answers are missing and not counted).
/// - `condition`: [`crate::rules::verdict`] over the first three counts
///   (`in_place` | `partly` | `not_in_place` | `contested` | `unknown`).
/// - `doc_status`: [`DocStatus`] over every evidence item of the site's
///   documents for the factor.
/// - `fidelity`: the table of [`crate::rules::fidelity`].
/// - `figure_id`: `patterns/<site>/<factor>`.
///
/// Errors: an answer or evidence item for a site not in the register; an
/// answer for a site without data; a factor not in `settings.factors`
/// (when given); a pattern code other than 1, 2, 3, 9 or null; a status
/// other than 1, 2, 3 or null.
pub fn pattern_matrix(
    answers: &RecordBatch,
    evidence: &RecordBatch,
    sites: &RecordBatch,
    settings: &Settings,
) -> Result<RecordBatch, ArrowError> {
    settings.check()?;
    let share = settings.condition_threshold()?;
    let register = site_register(sites)?;
    let mut factors = KeyOrder::new(&settings.factors);

    // Rows go by id (by dictionary key where the column is categorical);
    // each site and factor is checked the first time it is seen.
    let mut answer_counts = PairCounts::<4>::new();
    let t = Table::new("answers", answers);
    let (site, factor, pattern) = (t.utf8("site")?, t.utf8("factor")?, t.codes("pattern")?);
    let (mut site_ids, mut factor_ids) = (Distinct::new(), Distinct::new());
    for (i, code) in pattern.iter().enumerate() {
        let (s, new_site) = site_ids.id(&site, i)?;
        let (f, new_factor) = factor_ids.id(&factor, i)?;
        if new_site {
            site_with_data(&register, &t, i, site_ids.ids.names[s as usize])?;
        }
        if new_factor {
            factors.see("factor", factor_ids.ids.names[f as usize], &t, i)?;
        }
        let Some(slot) = crate::input::answer_slot(&t, "pattern", i, *code)? else {
            continue;
        };
        answer_counts.add(s, f, slot);
    }
    let answer_counts = answer_counts.by_value(&site_ids, &factor_ids);

    let mut doc_counts = PairCounts::<3>::new();
    let e = Table::new("evidence", evidence);
    let (site, factor, status) = (e.utf8("site")?, e.utf8("factor")?, e.codes("status")?);
    let (mut site_ids, mut factor_ids) = (Distinct::new(), Distinct::new());
    for (i, code) in status.iter().enumerate() {
        let (s, new_site) = site_ids.id(&site, i)?;
        let (f, new_factor) = factor_ids.id(&factor, i)?;
        if new_site {
            known_site(&register, &e, i, site_ids.ids.names[s as usize])?;
        }
        if new_factor {
            factors.see("factor", factor_ids.ids.names[f as usize], &e, i)?;
        }
        let slot = match code {
            None => continue,
            Some(1) => 0,
            Some(2) => 1,
            Some(3) => 2,
            Some(other) => {
                return Err(invalid(format!(
                    "table `evidence`, column `status`, {}: expected 1, 2, 3 or empty, found {other}",
                    e.locate(i)
                )));
            }
        };
        doc_counts.add(s, f, slot);
    }
    let doc_counts = doc_counts.by_value(&site_ids, &factor_ids);

    let factors = factors.finish();
    let mut cols: [Vec<u32>; 4] = Default::default();
    let (mut site_o, mut factor_o, mut cond_o, mut doc_o, mut fid_o, mut id_o) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    for (label, info) in &register {
        if !info.has_data {
            continue;
        }
        for f in &factors {
            let key = (label.as_str(), f.as_str());
            let a = answer_counts.get(&key).copied().unwrap_or_default();
            let d = doc_counts.get(&key).copied().unwrap_or_default();
            let condition = Condition::from_verdict(verdict(
                [a[0], a[1], a[2]],
                share,
                settings.condition_min_valid,
            ));
            let doc = DocStatus::from_counts(d[0], d[1], d[2]);
            for (col, v) in cols.iter_mut().zip(a) {
                col.push(v);
            }
            site_o.push(label.clone());
            factor_o.push(f.clone());
            cond_o.push(condition.code().to_string());
            doc_o.push(doc.code().to_string());
            fid_o.push(fidelity(condition, doc).code().to_string());
            id_o.push(FigureId::new("patterns").part(label).part(f).into_string());
        }
    }
    let [ip, pa, nip, dk] = cols;
    out::batch(
        pattern_matrix_schema(),
        vec![
            out::strings(site_o),
            out::strings(factor_o),
            out::counts(ip),
            out::counts(pa),
            out::counts(nip),
            out::counts(dk),
            out::strings(cond_o),
            out::strings(doc_o),
            out::strings(fid_o),
            out::strings(id_o),
        ],
    )
}
