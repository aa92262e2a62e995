use super::*;
use crate::{qual_matrix, quotes, quotes_schema};

type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

/// Peer workers on supervision: one per site at three statutory sites (and
/// PW-1 twice), two at voluntary sites; one senior manager.
const ROWS: [Row; 9] = [
    (
        "PW-1",
        "Site A",
        "statutory",
        "peer_worker",
        "supervision",
        "A: first by hash, PW-1",
        "00a0",
    ),
    (
        "PW-1",
        "Site A",
        "statutory",
        "peer_worker",
        "supervision",
        "A: second by hash, PW-1 again",
        "00b0",
    ),
    (
        "PW-2",
        "Site C",
        "statutory",
        "peer_worker",
        "supervision",
        "C: third by hash, PW-2",
        "00c0",
    ),
    (
        "PW-3",
        "Site E",
        "statutory",
        "peer_worker",
        "supervision",
        "E: fourth by hash, PW-3",
        "00d0",
    ),
    (
        "PW-4",
        "Site B",
        "voluntary",
        "peer_worker",
        "supervision",
        "B: voluntary, PW-4",
        "0010",
    ),
    (
        "PW-5",
        "Site D",
        "voluntary",
        "peer_worker",
        "supervision",
        "D: voluntary, PW-5",
        "0011",
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
        "other",
        "a comment [name]",
        "0003",
    ),
    (
        "PW-2",
        "Site C",
        "statutory",
        "peer_worker",
        "bme",
        "culturally specific",
        "0004",
    ),
];

fn labels(allowed: &[&str]) -> Settings {
    Settings {
        quote_label: allowed.iter().map(|s| s.to_string()).collect(),
        ..settings(&["supervision"])
    }
}

#[test]
fn quotes_pool_sites_so_cells_the_qual_matrix_suppresses_are_published() {
    let st = settings(&["supervision"]);
    let matrix = qual_matrix(&accounts(&ROWS), &st).unwrap();
    assert!(
        bools(&matrix, "suppressed").iter().all(|s| *s),
        "every site cell is below min_cell"
    );

    let b = quotes(&accounts(&ROWS), &st).unwrap();
    assert_eq!(b.schema(), quotes_schema(&st));
    assert_eq!(
        strs(&b, "theme"),
        ["supervision", "supervision", "supervision", "bme"],
        "other excluded"
    );
    assert_eq!(
        strs(&b, "group"),
        [
            "peer_worker",
            "peer_worker",
            "senior_manager",
            "peer_worker"
        ]
    );
    assert_eq!(
        strs(&b, "sector"),
        ["statutory", "voluntary", "statutory", "statutory"]
    );
    assert_eq!(u32s(&b, "participants"), [Some(3), None, None, None]);
    assert_eq!(u32s(&b, "accounts"), [Some(4), None, None, None]);
    assert_eq!(bools(&b, "suppressed"), [false, true, true, true]);
    // row_hash order, one per participant first: PW-1's second account waits.
    assert_eq!(
        strs(&b, "exemplar_1"),
        ["A: first by hash, PW-1", "-", "-", "-"]
    );
    assert_eq!(
        strs(&b, "exemplar_2"),
        ["C: third by hash, PW-2", "-", "-", "-"]
    );
    assert_eq!(
        strs(&b, "label_1"),
        ["Peer worker, statutory sector", "-", "-", "-"]
    );
    assert_eq!(strs(&b, "label_2")[0], "Peer worker, statutory sector");
    assert_eq!(
        strs(&b, "figure_id"),
        [
            "quotes/supervision/peer_worker/statutory",
            "quotes/supervision/peer_worker/voluntary",
            "quotes/supervision/senior_manager/statutory",
            "quotes/bme/peer_worker/statutory"
        ]
    );

    // Any input order gives the same table.
    let mut rev = ROWS;
    rev.reverse();
    assert_eq!(render(&b), render(&quotes(&accounts(&rev), &st).unwrap()));
}

#[test]
fn quotes_split_by_sector_only_when_a_label_may_say_the_sector() {
    let b = quotes(&accounts(&ROWS), &labels(&["group"])).unwrap();
    assert_eq!(strs(&b, "sector"), ["-", "-", "-"], "sectors pooled");
    assert_eq!(u32s(&b, "participants"), [Some(5), None, None]);
    assert_eq!(u32s(&b, "accounts"), [Some(6), None, None]);
    assert_eq!(strs(&b, "label_1")[0], "Peer worker");
    assert_eq!(strs(&b, "figure_id")[0], "quotes/supervision/peer_worker");
    assert!(crate::quotes_by_sector(&labels(&["sector"])));
    assert!(!crate::quotes_by_sector(&labels(&["group", "site"])));
}

#[test]
fn quotes_labels_carry_only_allowed_attributes_and_never_the_site() {
    for (allowed, want) in [
        (vec!["group", "sector"], "Peer worker, statutory sector"),
        (vec!["sector"], "Statutory sector"),
        (
            vec!["group", "site", "sector"],
            "Peer worker, statutory sector",
        ),
        (vec!["site"], "Participant"),
        (vec![], "Participant"),
    ] {
        let b = quotes(&accounts(&ROWS), &labels(&allowed)).unwrap();
        let published: Vec<String> = [strs(&b, "label_1"), strs(&b, "label_2")]
            .concat()
            .into_iter()
            .filter(|l| l != "-")
            .collect();
        assert!(!published.is_empty(), "{allowed:?}");
        for l in &published {
            assert_eq!(l, want, "quote_label {allowed:?}");
            assert!(
                !l.contains("Site") && !l.contains("PW-"),
                "no site, no pseudonym: {l}"
            );
        }
    }
}

#[test]
fn quotes_suppressed_cells_publish_no_exemplar_even_when_the_matrix_would() {
    let st = Settings {
        exemplars_in_suppressed: true,
        exemplars: 3,
        ..settings(&["supervision"])
    };
    let b = quotes(&accounts(&ROWS), &st).unwrap();
    for (i, suppressed) in bools(&b, "suppressed").into_iter().enumerate() {
        for c in [
            "exemplar_1",
            "exemplar_2",
            "exemplar_3",
            "label_1",
            "label_2",
            "label_3",
        ] {
            assert_eq!(
                strs(&b, c)[i] == "-",
                suppressed || c.ends_with('3') && i > 0,
                "row {i} {c}"
            );
        }
    }
    assert_eq!(strs(&b, "exemplar_3")[0], "E: fourth by hash, PW-3");
    // Below min_cell by one participant: withdrawn people must not be the difference.
    let fewer: Vec<Row> = ROWS.iter().copied().filter(|r| r.0 != "PW-3").collect();
    let b = quotes(&accounts(&fewer), &settings(&["supervision"])).unwrap();
    assert!(bools(&b, "suppressed")[0]);
    assert_eq!(strs(&b, "exemplar_1")[0], "-");
}

#[test]
fn quotes_other_themes_on_request_and_errors_name_the_row() {
    let st = Settings {
        qual_other_themes: true,
        min_cell: 1,
        ..labels(&["group"])
    };
    let b = quotes(&accounts(&ROWS), &st).unwrap();
    assert_eq!(
        strs(&b, "theme"),
        ["supervision", "supervision", "bme", "other"]
    );
    assert_eq!(strs(&b, "exemplar_1")[3], "a comment [name]");
    let bad = [(
        "PW-1",
        "Site A",
        "statutory",
        "peer_worker",
        "superv",
        "x",
        "01",
    )];
    let msg = quotes(&accounts(&bad), &settings(&["supervision"]))
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("`superv`") && msg.contains("raw/interviews/export.csv:2"),
        "{msg}"
    );
    let b = quotes(&accounts(&[]), &settings(&["supervision"])).unwrap();
    assert_eq!(b.num_rows(), 0);
    assert!(
        quotes(
            &accounts(&[]),
            &Settings {
                exemplars: 21,
                ..Settings::default()
            }
        )
        .is_err()
    );
}
