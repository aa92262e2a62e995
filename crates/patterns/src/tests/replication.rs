use super::*;
use crate::replication;

fn register() -> RecordBatch {
    sites(&[
        ("Site A", "statutory", true, false, true),
        ("Site B", "statutory", false, false, true),
        ("Site C", "statutory", false, true, true),
        ("Site D", "voluntary", true, true, true),
        ("Site E", "voluntary", false, false, true),
    ])
}

#[test]
fn replication_counts_by_condition_sector_partnership_and_bme() {
    let m = matrix_rows(&[
        ("Site A", "career", "in_place"),
        ("Site B", "career", "in_place"),
        ("Site C", "career", "unknown"),
        ("Site D", "career", "contested"),
        ("Site E", "career", "not_in_place"),
        ("Site A", "supervision", "in_place"),
        ("Site B", "supervision", "in_place"),
        ("Site C", "supervision", "in_place"),
        ("Site D", "supervision", "in_place"),
        ("Site E", "supervision", "in_place"),
    ]);
    let b = replication(
        &m,
        &register(),
        &settings(&["supervision", "career", "wellbeing"]),
    )
    .unwrap();
    assert_eq!(strs(&b, "factor"), ["supervision", "career", "wellbeing"]);
    assert_eq!(u32s(&b, "sites_in_place"), [Some(5), Some(2), Some(0)]);
    assert_eq!(u32s(&b, "sites_partly"), [Some(0), Some(0), Some(0)]);
    assert_eq!(u32s(&b, "sites_not_in_place"), [Some(0), Some(1), Some(0)]);
    assert_eq!(u32s(&b, "sites_contested"), [Some(0), Some(1), Some(0)]);
    assert_eq!(u32s(&b, "sites_unknown"), [Some(0), Some(1), Some(0)]);
    assert_eq!(u32s(&b, "statutory_in_place"), [Some(3), Some(2), Some(0)]);
    assert_eq!(
        u32s(&b, "statutory_sites"),
        [Some(3), Some(2), Some(0)],
        "unknown Site C is not counted"
    );
    assert_eq!(u32s(&b, "voluntary_in_place"), [Some(2), Some(0), Some(0)]);
    assert_eq!(u32s(&b, "voluntary_sites"), [Some(2), Some(2), Some(0)]);
    assert_eq!(
        u32s(&b, "partnership_in_place"),
        [Some(2), Some(1), Some(0)]
    );
    assert_eq!(u32s(&b, "partnership_sites"), [Some(2), Some(2), Some(0)]);
    assert_eq!(
        u32s(&b, "non_partnership_sites"),
        [Some(3), Some(2), Some(0)]
    );
    assert_eq!(u32s(&b, "bme_in_place"), [Some(2), Some(0), Some(0)]);
    assert_eq!(u32s(&b, "bme_sites"), [Some(2), Some(1), Some(0)]);
    assert_eq!(u32s(&b, "non_bme_in_place"), [Some(3), Some(2), Some(0)]);
    assert_eq!(
        strs(&b, "classification"),
        ["generic", "statutory_specific", "insufficient"]
    );
    assert_eq!(
        strs(&b, "alternative_patterns"),
        ["-", "Site D: contested; Site E: not_in_place", "-"]
    );
    assert_eq!(
        strs(&b, "figure_id"),
        [
            "replication/supervision",
            "replication/career",
            "replication/wellbeing"
        ]
    );
}

#[test]
fn replication_alternative_patterns_follow_site_label_order() {
    let reg = sites(&[
        ("Site B", "statutory", false, false, true),
        ("Site B2", "voluntary", false, false, true),
        ("Site A", "voluntary", false, false, true),
    ]);
    let m = matrix_rows(&[
        ("Site B2", "career", "partly"),
        ("Site B", "career", "not_in_place"),
        ("Site A", "career", "contested"),
    ]);
    let b = replication(&m, &reg, &settings(&["career"])).unwrap();
    assert_eq!(
        strs(&b, "alternative_patterns"),
        ["Site A: contested; Site B: not_in_place; Site B2: partly"]
    );
    assert_eq!(strs(&b, "classification"), ["not_replicated"]);
}

#[test]
fn replication_threshold_uses_the_setting() {
    let m = matrix_rows(&[
        ("Site A", "career", "in_place"),
        ("Site B", "career", "in_place"),
        ("Site C", "career", "partly"),
        ("Site D", "career", "in_place"),
        ("Site E", "career", "in_place"),
    ]);
    let mut st = settings(&["career"]);
    // Statutory 2 of 3 is below 4/5: mixed.
    assert_eq!(
        strs(
            &replication(&m, &register(), &st).unwrap(),
            "classification"
        ),
        ["mixed"]
    );
    st.replication_share = 2.0 / 3.0;
    assert_eq!(
        strs(
            &replication(&m, &register(), &st).unwrap(),
            "classification"
        ),
        ["generic"]
    );
}

#[test]
fn replication_rejects_unknown_conditions_sites_and_duplicates() {
    let st = settings(&["career"]);
    let msg = replication(
        &matrix_rows(&[("Site A", "career", "maybe")]),
        &register(),
        &st,
    )
    .unwrap_err()
    .to_string();
    assert!(msg.contains("`maybe`"), "{msg}");
    let msg = replication(
        &matrix_rows(&[("Site Q", "career", "in_place")]),
        &register(),
        &st,
    )
    .unwrap_err()
    .to_string();
    assert!(msg.contains("Site Q"), "{msg}");
    let dup = matrix_rows(&[
        ("Site A", "career", "in_place"),
        ("Site A", "career", "partly"),
    ]);
    assert!(
        replication(&dup, &register(), &st)
            .unwrap_err()
            .to_string()
            .contains("twice")
    );
}
