//! Planted effects on a crafted ten-site study: the analyses must find what
//! was put in.
//!
//! Sites A-E are statutory, F-J voluntary; A and F are partnerships, E and J
//! BME-focused. Three interviewees per site answer every factor:
//! - `role_clarity`: in place everywhere                -> generic
//! - `supervision`: in place only in statutory sites     -> statutory_specific
//! - `peer_network`: in place only in voluntary sites    -> voluntary_specific
//! - `career`: not in place anywhere                     -> not_replicated
//! - `pay_parity`: in place except at Site C, whose documents address it
//!   while its interviewees say it is not in place       -> fidelity_gap
//! - `out_benefit` is present exactly where `supervision` is in place, so
//!   supervision is sufficient and necessary (consistency 1, coverage 1).

use super::*;
use crate::{outcome_summary, pattern_matrix, qca, replication};

const SITES: [&str; 10] = [
    "Site A", "Site B", "Site C", "Site D", "Site E", "Site F", "Site G", "Site H", "Site I",
    "Site J",
];
const FACTORS: [&str; 5] = [
    "role_clarity",
    "supervision",
    "peer_network",
    "career",
    "pay_parity",
];

fn statutory(site: &str) -> bool {
    SITES.iter().position(|s| *s == site).is_some_and(|i| i < 5)
}

fn planted_answer(site: &str, factor: &str) -> i8 {
    let yes = match factor {
        "role_clarity" => true,
        "supervision" => statutory(site),
        "peer_network" => !statutory(site),
        "career" => false,
        _ => site != "Site C",
    };
    if yes { 1 } else { 3 }
}

pub(super) fn study() -> (RecordBatch, RecordBatch, RecordBatch, RecordBatch) {
    let reg: Vec<(&str, &str, bool, bool, bool)> = SITES
        .iter()
        .map(|s| {
            let sector = if statutory(s) {
                "statutory"
            } else {
                "voluntary"
            };
            (
                *s,
                sector,
                matches!(*s, "Site A" | "Site F"),
                matches!(*s, "Site E" | "Site J"),
                true,
            )
        })
        .collect();
    let people: Vec<String> = (0..30).map(|i| format!("P{i:02}")).collect();
    let mut ans = Vec::new();
    let mut outs = Vec::new();
    for (k, s) in SITES.iter().enumerate() {
        for p in &people[3 * k..3 * k + 3] {
            for f in FACTORS {
                ans.push((p.as_str(), *s, f, Some(planted_answer(s, f))));
            }
            outs.push((
                p.as_str(),
                *s,
                "out_benefit",
                Some(if statutory(s) { 1 } else { 3 }),
            ));
        }
    }
    let ev = [
        ("Site C", "D01", "pay_parity", Some(1i8)),
        ("Site C", "D02", "pay_parity", Some(3)),
    ];
    (sites(&reg), answers(&ans), evidence(&ev), outcomes(&outs))
}

#[test]
fn planted_effects_are_found() {
    let (reg, ans, ev, outs) = study();
    let st = settings(&FACTORS);
    let m = pattern_matrix(&ans, &ev, &reg, &st).unwrap();
    assert_eq!(m.num_rows(), 50);

    let sites = strs(&m, "site");
    let factors = strs(&m, "factor");
    let fidelity = strs(&m, "fidelity");
    let gaps: Vec<(String, String)> = (0..m.num_rows())
        .filter(|&i| fidelity[i] == "fidelity_gap")
        .map(|i| (sites[i].clone(), factors[i].clone()))
        .collect();
    assert_eq!(gaps, [("Site C".to_string(), "pay_parity".to_string())]);

    let r = replication(&m, &reg, &st).unwrap();
    assert_eq!(strs(&r, "factor"), FACTORS);
    assert_eq!(
        strs(&r, "classification"),
        [
            "generic",
            "statutory_specific",
            "voluntary_specific",
            "not_replicated",
            "generic"
        ],
        "pay_parity: 4 of 5 statutory sites is exactly the 4/5 share"
    );
    assert_eq!(strs(&r, "alternative_patterns")[4], "Site C: not_in_place");
    insta::assert_snapshot!("planted_replication", render(&r));

    let o = outcome_summary(&outs, &reg, &st).unwrap();
    let q = qca(&m, &o, &st).unwrap();
    let rows: Vec<usize> = (0..q.num_rows())
        .filter(|&i| strs(&q, "outcome")[i] == "out_benefit")
        .collect();
    let sup = rows
        .iter()
        .copied()
        .find(|&i| strs(&q, "factor")[i] == "supervision")
        .unwrap();
    assert_eq!(f64s(&q, "sufficiency_consistency")[sup], Some(1.0));
    assert_eq!(f64s(&q, "sufficiency_coverage")[sup], Some(1.0));
    let role = rows
        .iter()
        .copied()
        .find(|&i| strs(&q, "factor")[i] == "role_clarity")
        .unwrap();
    assert_eq!(
        f64s(&q, "sufficiency_consistency")[role],
        Some(0.5),
        "in place everywhere, outcome at half"
    );
    assert_eq!(f64s(&q, "necessity_consistency")[role], Some(1.0));
}
