//! The analysis finds what was planted in the demo study (data/demo/README.md).

use std::collections::BTreeMap;

use super::*;

type Row = BTreeMap<String, String>;

fn one<'a>(rows: &'a [Row], keys: &[(&str, &str)]) -> &'a Row {
    let found: Vec<&Row> = rows
        .iter()
        .filter(|r| keys.iter().all(|(k, v)| r[*k] == *v))
        .collect();
    assert_eq!(found.len(), 1, "expected one row with {keys:?}");
    found[0]
}

#[test]
fn every_planted_effect_of_the_demo_study_is_found() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&demo_study(), &out, &[]));

    // A difference between stakeholder groups on accredited peer worker training.
    let tests = read_table(&out, "group_tests");
    let pw = one(&tests, &[("scope", "study"), ("factor", "pw_training")]);
    let p: f64 = pw["p_adj_bh"].parse().unwrap();
    assert!(p < 0.001, "pw_training: adjusted p {p}");
    let others_significant = tests
        .iter()
        .filter(|r| r["scope"] == "study" && r["factor"] != "pw_training")
        .filter(|r| r["p_adj_bh"].parse::<f64>().is_ok_and(|p| p < 0.05))
        .count();
    assert_eq!(
        others_significant, 0,
        "only the planted factor differs by group"
    );
    let tensions = read_table(&out, "tensions");
    assert!(
        tensions.iter().any(|r| r["scope"] == "study"
            && r["factor"] == "pw_training"
            && r["group_a"] == "peer_worker"
            && r["group_b"] == "managers"
            && r["flagged"] == "true"),
        "peer workers and managers disagree on pw_training"
    );

    // A factor in place only in statutory services, and one in place everywhere.
    let replication = read_table(&out, "replication");
    assert_eq!(
        one(&replication, &[("factor", "pay_parity")])["classification"],
        "statutory_specific"
    );
    assert_eq!(
        one(&replication, &[("factor", "supervision")])["classification"],
        "generic"
    );
    assert_eq!(
        one(&replication, &[("factor", "supervision")])["sites_in_place"],
        "9"
    );

    // Site B's documents claim role clarity; its interviewees say it is not in place.
    let matrix = read_table(&out, "pattern_matrix");
    let b = one(&matrix, &[("site", "Site B"), ("factor", "role_clarity")]);
    assert_eq!(
        (
            b["condition"].as_str(),
            b["doc_status"].as_str(),
            b["fidelity"].as_str()
        ),
        ("not_in_place", "addressed", "fidelity_gap")
    );

    // Acceptance by professional colleagues is clearly the most mentioned top-three factor.
    let top3 = read_table(&out, "top3_frequency");
    let study: Vec<&Row> = top3.iter().filter(|r| r["scope"] == "study").collect();
    let best = study
        .iter()
        .max_by_key(|r| r["score"].parse::<u32>().unwrap_or(0))
        .unwrap();
    assert_eq!(best["factor"], "staff_accept");
    let mentions = |r: &Row| r["mentions"].parse::<u32>().unwrap_or(0);
    let second = study
        .iter()
        .filter(|r| r["factor"] != "staff_accept")
        .map(|r| mentions(r))
        .max()
        .unwrap();
    assert!(
        mentions(best) >= 2 * second,
        "staff_accept {} mentions against {second}",
        mentions(best)
    );
}

/// The same kinds of effect, planted independently in a study folder that
/// crosscase's generator did not write (tests/fixtures/make_other_study.py).
#[test]
fn the_same_kinds_of_effect_are_found_in_a_study_we_did_not_write() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&other_study(), &out, &[]));
    let tests = read_table(&out, "group_tests");
    // 17 people: the smallest possible BH-adjusted p over 22 factors is about
    // 22 x 0.003, so the check is that the planted factor stands out.
    let career = one(&tests, &[("scope", "study"), ("factor", "career")]);
    let p = |r: &Row| r["p_value"].parse::<f64>().unwrap_or(1.0);
    assert!(p(career) < 0.01, "career differs by group: {career:?}");
    let others = tests
        .iter()
        .filter(|r| r["scope"] == "study" && r["factor"] != "career")
        .map(p)
        .fold(1.0, f64::min);
    assert!(
        p(career) * 10.0 < others,
        "career {} against the next smallest p {others}",
        p(career)
    );
    let tensions = read_table(&out, "tensions");
    assert!(tensions.iter().any(|r| r["scope"] == "study"
        && r["factor"] == "career"
        && r["group_a"] == "peer_worker"
        && r["group_b"] == "managers"
        && r["flagged"] == "true"));
    let replication = read_table(&out, "replication");
    assert_eq!(
        one(&replication, &[("factor", "hr_policy")])["classification"],
        "statutory_specific"
    );
    assert_eq!(
        one(&replication, &[("factor", "supervision")])["classification"],
        "generic"
    );
    let matrix = read_table(&out, "pattern_matrix");
    assert_eq!(
        one(&matrix, &[("site", "Hub East"), ("factor", "role_clarity")])["fidelity"],
        "fidelity_gap"
    );
    let top3 = read_table(&out, "top3_frequency");
    let best = top3
        .iter()
        .filter(|r| r["scope"] == "study")
        .max_by_key(|r| r["score"].parse::<u32>().unwrap_or(0))
        .unwrap();
    assert_eq!(best["factor"], "staff_accept");
}
