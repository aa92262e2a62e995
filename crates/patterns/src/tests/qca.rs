use super::*;
use crate::{outcome_summary, qca};

#[test]
fn outcome_summary_counts_and_conditions() {
    let reg = sites(&[
        ("Site A", "statutory", false, false, true),
        ("Site B", "voluntary", false, false, true),
    ]);
    let o = outcomes(&[
        ("P1", "Site A", "out_benefit", Some(1)),
        ("P2", "Site A", "out_benefit", Some(1)),
        ("P3", "Site A", "out_benefit", Some(3)),
        ("P1", "Site A", "out_distinct", Some(2)),
        ("P2", "Site A", "out_distinct", Some(3)),
        ("P3", "Site A", "out_distinct", Some(9)),
        ("P4", "Site B", "out_distinct", Some(3)),
        ("P5", "Site B", "out_distinct", Some(3)),
        ("P6", "Site B", "out_practice", Some(2)),
        ("P7", "Site B", "out_practice", Some(2)),
        ("P8", "Site B", "out_practice", None),
    ]);
    let b = outcome_summary(&o, &reg, &Settings::default()).unwrap();
    assert_eq!(
        strs(&b, "site"),
        ["Site A", "Site A", "Site A", "Site B", "Site B", "Site B"]
    );
    assert_eq!(
        strs(&b, "outcome"),
        ["out_distinct", "out_practice", "out_benefit"].repeat(2)
    );
    assert_eq!(
        strs(&b, "condition"),
        [
            "contested",
            "unknown",
            "present",
            "absent",
            "partly",
            "unknown"
        ]
    );
    assert_eq!(u32s(&b, "yes"), [0, 0, 2, 0, 0, 0].map(Some));
    assert_eq!(u32s(&b, "partly"), [1, 0, 0, 0, 2, 0].map(Some));
    assert_eq!(u32s(&b, "no"), [1, 0, 1, 2, 0, 0].map(Some));
    assert_eq!(u32s(&b, "dont_know"), [1, 0, 0, 0, 0, 0].map(Some));
    assert_eq!(strs(&b, "figure_id")[2], "outcomes/Site A/out_benefit");

    let bad = outcomes(&[("P1", "Site A", "out_happiness", Some(1))]);
    let msg = outcome_summary(&bad, &reg, &Settings::default())
        .unwrap_err()
        .to_string();
    assert!(msg.contains("out_happiness"), "{msg}");
    let bad = outcomes(&[("P1", "Site A", "out_benefit", Some(5))]);
    assert!(outcome_summary(&bad, &reg, &Settings::default()).is_err());
}

/// Hand-computed 2x2 over 8 included sites:
///
/// |        | Y = 1 | Y = 0 |
/// |--------|-------|-------|
/// | X = 1  |   3   |   1   |
/// | X = 0  |   2   |   2   |
///
/// n_x = 4, n_y = 5, n_xy = 3: sufficiency consistency 3/4, coverage 3/5;
/// necessity consistency 3/5, coverage 3/4. Two more sites are excluded
/// (unknown condition; unknown outcome) and one has no outcome row.
#[test]
fn qca_matches_a_hand_computed_two_by_two() {
    let m = matrix_rows(&[
        ("S1", "career", "in_place"),
        ("S2", "career", "in_place"),
        ("S3", "career", "in_place"),
        ("S4", "career", "in_place"),
        ("S5", "career", "partly"),
        ("S6", "career", "contested"),
        ("S7", "career", "not_in_place"),
        ("S8", "career", "not_in_place"),
        ("S9", "career", "unknown"),
        ("S10", "career", "in_place"),
        ("S11", "career", "in_place"),
    ]);
    let o = outcome_rows(&[
        ("S1", "out_benefit", "present"),
        ("S2", "out_benefit", "present"),
        ("S3", "out_benefit", "present"),
        ("S4", "out_benefit", "partly"),
        ("S5", "out_benefit", "present"),
        ("S6", "out_benefit", "present"),
        ("S7", "out_benefit", "contested"),
        ("S8", "out_benefit", "absent"),
        ("S9", "out_benefit", "present"),
        ("S10", "out_benefit", "unknown"),
    ]);
    let st = Settings {
        outcomes: vec!["out_benefit".into()],
        ..settings(&["career"])
    };
    let b = qca(&m, &o, &st).unwrap();
    assert_eq!(b.num_rows(), 1);
    assert_eq!(u32s(&b, "n_sites"), [Some(8)]);
    assert_eq!(u32s(&b, "n_x"), [Some(4)]);
    assert_eq!(u32s(&b, "n_y"), [Some(5)]);
    assert_eq!(u32s(&b, "n_xy"), [Some(3)]);
    assert_eq!(f64s(&b, "sufficiency_consistency"), [Some(0.75)]);
    assert_eq!(f64s(&b, "sufficiency_coverage"), [Some(0.6)]);
    assert_eq!(f64s(&b, "necessity_consistency"), [Some(0.6)]);
    assert_eq!(f64s(&b, "necessity_coverage"), [Some(0.75)]);
    assert_eq!(strs(&b, "figure_id"), ["qca/out_benefit/career"]);
}

#[test]
fn qca_zero_denominators_are_null_and_rows_follow_outcome_then_factor_order() {
    let m = matrix_rows(&[
        ("S1", "career", "partly"),
        ("S1", "supervision", "in_place"),
    ]);
    let o = outcome_rows(&[
        ("S1", "out_distinct", "absent"),
        ("S1", "out_benefit", "absent"),
    ]);
    let st = Settings {
        outcomes: vec!["out_distinct".into(), "out_benefit".into()],
        ..settings(&["supervision", "career"])
    };
    let b = qca(&m, &o, &st).unwrap();
    assert_eq!(
        strs(&b, "outcome"),
        ["out_distinct", "out_distinct", "out_benefit", "out_benefit"]
    );
    assert_eq!(
        strs(&b, "factor"),
        ["supervision", "career", "supervision", "career"]
    );
    // supervision: X = 1, Y = 0 -> consistency 0, coverage null (no Y).
    assert_eq!(
        f64s(&b, "sufficiency_consistency"),
        [Some(0.0), None, Some(0.0), None]
    );
    assert_eq!(f64s(&b, "sufficiency_coverage"), [None; 4]);
    assert_eq!(f64s(&b, "necessity_consistency"), [None; 4]);
    assert_eq!(
        f64s(&b, "necessity_coverage"),
        [Some(0.0), None, Some(0.0), None]
    );
}
