use super::*;
use crate::qual_matrix;

type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

/// Site A peer workers on supervision: 3 people, 4 accounts.
/// Site A senior manager on supervision: 1 person (suppressed).
const ROWS: [Row; 8] = [
    (
        "PW-1",
        "Site A",
        "statutory",
        "peer_worker",
        "supervision",
        "first by hash, PW-1",
        "00a0",
    ),
    (
        "PW-1",
        "Site A",
        "statutory",
        "peer_worker",
        "supervision",
        "second by hash, PW-1 again",
        "00b0",
    ),
    (
        "PW-2",
        "Site A",
        "statutory",
        "peer_worker",
        "supervision",
        "third by hash, PW-2",
        "00c0",
    ),
    (
        "PW-3",
        "Site A",
        "statutory",
        "peer_worker",
        "supervision",
        "fourth by hash, PW-3",
        "00d0",
    ),
    (
        "SM-1",
        "Site A",
        "statutory",
        "senior_manager",
        "supervision",
        "only senior manager",
        "0001",
    ),
    (
        "PW-1",
        "Site A",
        "statutory",
        "peer_worker",
        "role",
        "about the role",
        "0002",
    ),
    (
        "PW-1",
        "Site A",
        "statutory",
        "peer_worker",
        "other",
        "a comment",
        "0003",
    ),
    (
        "PW-2",
        "Site A",
        "statutory",
        "peer_worker",
        "bme",
        "culturally specific",
        "0004",
    ),
];

#[test]
fn qual_matrix_cells_counts_and_deterministic_exemplars() {
    let b = qual_matrix(&accounts(&ROWS), &settings(&["supervision"])).unwrap();
    assert_eq!(
        strs(&b, "group"),
        ["peer_worker", "peer_worker", "senior_manager"]
    );
    assert_eq!(
        strs(&b, "theme"),
        ["supervision", "bme", "supervision"],
        "role and other excluded"
    );
    assert_eq!(u32s(&b, "participants"), [Some(3), None, None]);
    assert_eq!(u32s(&b, "accounts"), [Some(4), None, None]);
    assert_eq!(bools(&b, "suppressed"), [false, true, true]);
    // One account per participant first, in row_hash order: PW-1's second
    // account is skipped for PW-2's.
    assert_eq!(strs(&b, "exemplar_1"), ["first by hash, PW-1", "-", "-"]);
    assert_eq!(strs(&b, "exemplar_2"), ["third by hash, PW-2", "-", "-"]);
    assert_eq!(
        strs(&b, "label_1"),
        ["Peer worker, statutory sector", "-", "-"]
    );
    assert_eq!(
        strs(&b, "figure_id")[0],
        "qual/Site A/peer_worker/supervision"
    );

    // Any input order gives the same table.
    let mut rev = ROWS;
    rev.reverse();
    let c = qual_matrix(&accounts(&rev), &settings(&["supervision"])).unwrap();
    assert_eq!(render(&b), render(&c));
}

#[test]
fn qual_matrix_labels_carry_only_allowed_attributes() {
    let rows = [ROWS[0], ROWS[2], ROWS[3]];
    for (allowed, want) in [
        (vec!["group", "sector"], "Peer worker, statutory sector"),
        (vec!["sector", "group"], "Peer worker, statutory sector"),
        (vec!["sector"], "Statutory sector"),
        (vec!["site"], "Site A"),
        (
            vec!["group", "site", "sector"],
            "Peer worker, Site A, statutory sector",
        ),
        (vec![], "Participant"),
    ] {
        let st = Settings {
            quote_label: allowed.iter().map(|s| s.to_string()).collect(),
            ..settings(&["supervision"])
        };
        let b = qual_matrix(&accounts(&rows), &st).unwrap();
        let labels = [strs(&b, "label_1"), strs(&b, "label_2")].concat();
        for l in &labels {
            assert_eq!(l, want, "quote_label {allowed:?}");
            assert!(!l.contains("PW-"), "a label never carries a pseudonym: {l}");
            if !allowed.contains(&"site") {
                assert!(!l.contains("Site"), "site not allowed: {l}");
            }
        }
    }
}

#[test]
fn qual_matrix_settings_other_themes_exemplar_count_and_suppressed_exemplars() {
    let st = Settings {
        qual_other_themes: true,
        exemplars: 3,
        exemplars_in_suppressed: true,
        ..settings(&["supervision"])
    };
    let b = qual_matrix(&accounts(&ROWS), &st).unwrap();
    assert_eq!(
        strs(&b, "theme"),
        ["supervision", "bme", "role", "other", "supervision"]
    );
    assert_eq!(strs(&b, "exemplar_3")[0], "fourth by hash, PW-3");
    assert_eq!(
        strs(&b, "exemplar_1")[4],
        "only senior manager",
        "published on request"
    );
    assert_eq!(u32s(&b, "accounts")[4], None, "counts stay suppressed");
    assert!(b.column_by_name("exemplar_4").is_none());

    let st = Settings {
        exemplars: 0,
        min_cell: 1,
        ..settings(&["supervision"])
    };
    let b = qual_matrix(&accounts(&ROWS), &st).unwrap();
    assert!(b.column_by_name("exemplar_1").is_none());
    assert_eq!(u32s(&b, "accounts"), [Some(4), Some(1), Some(1)]);
    assert_eq!(b.schema(), crate::qual_matrix_schema(&st));

    // A second exemplar from the same participant when nobody else spoke.
    let st = Settings {
        min_cell: 1,
        ..settings(&["supervision"])
    };
    let b = qual_matrix(&accounts(&[ROWS[1], ROWS[0]]), &st).unwrap();
    assert_eq!(strs(&b, "exemplar_1"), ["first by hash, PW-1"]);
    assert_eq!(strs(&b, "exemplar_2"), ["second by hash, PW-1 again"]);
}

#[test]
fn qual_matrix_rejects_unknown_themes_and_groups() {
    let bad = [(
        "PW-1",
        "Site A",
        "statutory",
        "peer_worker",
        "superv",
        "x",
        "01",
    )];
    let msg = qual_matrix(&accounts(&bad), &settings(&["supervision"]))
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("`superv`") && msg.contains("raw/interviews/export.csv:2"),
        "{msg}"
    );
    let bad = [(
        "PW-1",
        "Site A",
        "statutory",
        "chief",
        "supervision",
        "x",
        "01",
    )];
    assert!(
        qual_matrix(&accounts(&bad), &settings(&["supervision"]))
            .unwrap_err()
            .to_string()
            .contains("`chief`")
    );
    let too_many = Settings {
        exemplars: 21,
        ..Settings::default()
    };
    assert!(qual_matrix(&accounts(&[]), &too_many).is_err());
}
