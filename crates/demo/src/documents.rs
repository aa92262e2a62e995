//! Document extraction exports: one row per document and one per evidence
//! item of the repeating `evidence` instrument, as REDCap writes them.

use std::fmt::Write;

use crate::Context;
use crate::csvout;
use crate::rng::Rng;
use crate::sites::{Site, Tendency};

/// Factors a document of each type (`doc_type` 1-7) tends to speak to.
fn relevant(doc_type: u8) -> &'static [&'static str] {
    match doc_type {
        1 => &[
            "strategy_fit",
            "culture_recovery",
            "planned_intro",
            "career",
            "partnership",
        ],
        2 => &[
            "role_clarity",
            "role_distinct",
            "planned_intro",
            "partnership",
            "team_capacity",
        ],
        3 => &[
            "role_clarity",
            "role_distinct",
            "pay_parity",
            "hr_policy",
            "career",
            "su_relation",
        ],
        4 => &["hr_policy", "role_distinct", "disclosure"],
        5 => &["pw_training", "staff_training", "su_relation", "disclosure"],
        6 => &[
            "supervision",
            "disclosure",
            "confidential",
            "risk_share",
            "wellbeing",
            "welfare_advice",
        ],
        _ => &[
            "peer_network",
            "staff_accept",
            "team_capacity",
            "risk_share",
        ],
    }
}

/// Documents every site shows first: a service specification that speaks
/// to role clarity and supervision, and a job description that speaks to pay.
const FIRST_DOCUMENTS: [(u8, &[&str]); 2] =
    [(2, &["role_clarity", "supervision"]), (3, &["pay_parity"])];

pub(crate) fn document_count(ctx: &Context, site: &Site) -> usize {
    4 + Rng::new(ctx.seed, &[7, site.index as u64]).below(4) as usize
}

pub(crate) fn site_rows(ctx: &Context, site: &Site, eol: &str) -> Vec<u8> {
    let mut rng = Rng::new(ctx.seed, &[8, site.index as u64]);
    let documents = document_count(ctx, site);
    let mut out = Vec::with_capacity(documents * 900);
    let mut scratch = String::with_capacity(256);
    for d in 0..documents {
        let (doc_type, forced): (u8, &[&str]) = match FIRST_DOCUMENTS.get(d) {
            Some(&(t, f)) => (t, f),
            None => ([1, 3, 4, 5, 5, 6, 6, 7][rng.index(8)], &[]),
        };
        let record = format!("{}-D{:02}", site.id, d + 1);

        // The document row: repeat columns and evidence fields empty.
        write_row(
            ctx,
            &mut out,
            eol,
            &record,
            None,
            |field, out| match field {
                "site_id" => out.extend_from_slice(site.id.as_bytes()),
                "doc_type" => csvout::int(out, doc_type as i64),
                "doc_title" => {
                    scratch.clear();
                    title(&mut scratch, site, doc_type, &mut rng);
                    csvout::field(out, &scratch, eol);
                }
                "doc_date" => csvout::date(
                    out,
                    (
                        2008 + rng.below(3) as u32,
                        1 + rng.below(12) as u32,
                        1 + rng.below(28) as u32,
                    ),
                ),
                "document_complete" => out.push(if rng.chance(60) { b'1' } else { b'2' }),
                _ => {}
            },
        );

        // Evidence items: distinct factors, forced ones first.
        let mut chosen: Vec<usize> = forced.iter().filter_map(|c| ctx.factor_index(c)).collect();
        let items = 2 + rng.index(5);
        let pool: Vec<usize> = relevant(doc_type)
            .iter()
            .filter_map(|c| ctx.factor_index(c))
            .collect();
        let mut attempts = 0;
        while chosen.len() < items && attempts < 40 {
            attempts += 1;
            let f = if rng.chance(750) {
                *rng.pick(&pool)
            } else {
                rng.index(ctx.factors.len())
            };
            if !chosen.contains(&f) {
                chosen.push(f);
            }
        }
        for (k, &f) in chosen.iter().enumerate() {
            let status = evidence_status(ctx, site, f, &mut rng);
            write_row(
                ctx,
                &mut out,
                eol,
                &record,
                Some(k + 1),
                |field, out| match field {
                    "ev_factor" => out.extend_from_slice(ctx.factors[f].code.as_bytes()),
                    "ev_status" => csvout::int(out, status),
                    "ev_excerpt" => {
                        scratch.clear();
                        excerpt(&mut scratch, ctx, site, f, status, &mut rng);
                        if d == 0 && k == 0 {
                            // Every site's specification ends with its contacts,
                            // so each listed identifier is planted at least once.
                            let _ = write!(
                                scratch,
                                "\nFrom the document footer: {} (peer worker lead), {} and {}, {}, {}; ward liaison {}; {}",
                                site.colleagues[0],
                                site.colleagues[1],
                                site.colleagues[2],
                                site.team,
                                site.short,
                                site.ward,
                                site.organisation
                            );
                            if let Some(partner) = &site.partner {
                                let _ = write!(scratch, " with {partner}");
                            }
                            let _ = write!(scratch, ", {}.", site.place);
                        }
                        csvout::field(out, &scratch, eol);
                    }
                    "ev_page" => match rng.index(10) {
                        0 => {}
                        1..=3 => {
                            let _ = std::io::Write::write_fmt(
                                out,
                                format_args!("Section {}.{}", 1 + rng.below(6), 1 + rng.below(4)),
                            );
                        }
                        _ => {
                            let _ = std::io::Write::write_fmt(
                                out,
                                format_args!("p. {}", 1 + rng.below(30)),
                            );
                        }
                    },
                    "evidence_complete" => out.push(if rng.chance(40) { b'1' } else { b'2' }),
                    _ => {}
                },
            );
        }
    }
    out
}

/// Write one export row; `fill` writes the value of a named column.
fn write_row(
    ctx: &Context,
    out: &mut Vec<u8>,
    eol: &str,
    record: &str,
    instance: Option<usize>,
    mut fill: impl FnMut(&str, &mut Vec<u8>),
) {
    out.extend_from_slice(record.as_bytes());
    out.push(b',');
    if let Some(k) = instance {
        out.extend_from_slice(b"evidence,");
        csvout::int(out, k as i64);
    } else {
        out.push(b',');
    }
    for (field, form) in &ctx.document_fields {
        out.push(b',');
        let this_row = if instance.is_some() {
            form == "evidence"
        } else {
            form != "evidence"
        };
        if this_row {
            fill(field, out);
        }
    }
    out.push(b',');
    if instance.is_none() {
        fill("document_complete", out);
    }
    out.push(b',');
    if instance.is_some() {
        fill("evidence_complete", out);
    }
    out.extend_from_slice(eol.as_bytes());
}

/// Documents mostly agree with what people say, except where planted.
fn evidence_status(ctx: &Context, site: &Site, factor: usize, rng: &mut Rng) -> i64 {
    if factor == ctx.role_clarity && site.index == 1 {
        // Planted fidelity gap: Site B's documents promise role clarity that
        // its interviewees do not find.
        return 1;
    }
    let weights: [u32; 3] = match site.tendency[factor] {
        // Planted conditions: documents agree with the interviews.
        Tendency::Fixed(1) => return 1,
        Tendency::Fixed(_) => return 3,
        Tendency::InPlace => [82, 13, 5],
        Tendency::NotInPlace => [8, 22, 70],
        Tendency::Partly => [25, 55, 20],
        Tendency::Mixed => [40, 30, 30],
    };
    1 + rng.weighted(&weights) as i64
}

fn title(out: &mut String, site: &Site, doc_type: u8, rng: &mut Rng) {
    let _ = match doc_type {
        1 => write!(out, "{} business plan 2010-2013", site.organisation),
        2 => write!(out, "{}: service specification", site.name),
        3 => write!(
            out,
            "Job description: {}",
            ["Peer Support Worker", "Peer Mentor", "Senior Peer Worker"][rng.index(3)]
        ),
        4 => write!(
            out,
            "Person specification, Peer Support Worker ({})",
            site.short
        ),
        5 => write!(out, "Peer worker induction and training handbook"),
        6 => write!(
            out,
            "{}",
            [
                "Supervision and lone working policy",
                "Policy on disclosure and confidentiality for peer workers"
            ][rng.index(2)]
        ),
        _ => write!(
            out,
            "Minutes of the peer worker steering group, {}",
            site.place
        ),
    };
}

fn excerpt(
    out: &mut String,
    ctx: &Context,
    site: &Site,
    factor: usize,
    status: i64,
    rng: &mut Rng,
) {
    let f = &ctx.factors[factor];
    let _ = match status {
        1 => {
            let mut chars = f.condition.chars();
            let first: String = chars
                .next()
                .map(|c| c.to_lowercase().collect())
                .unwrap_or_default();
            let r = write!(out, "\"{}{}.\"", first, chars.as_str());
            if rng.chance(150) {
                let _ = write!(out, "\nContact: {}, {}.", site.colleagues[0], site.team);
            }
            r
        }
        2 => write!(
            out,
            "Mentioned in passing: \"{}\" appears under Staffing, with no detail.",
            f.label
        ),
        _ => write!(
            out,
            "No reference to {} anywhere in the document.",
            f.label.to_lowercase()
        ),
    };
}
