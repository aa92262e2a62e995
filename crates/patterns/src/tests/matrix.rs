use arrow_array::RecordBatch;
use model::schema;

use super::*;
use crate::pattern_matrix;

fn register() -> RecordBatch {
    sites(&[
        ("Site B", "voluntary", false, false, true),
        ("Site A", "statutory", true, false, true),
        ("Site C", "statutory", false, true, false),
    ])
}

#[test]
fn pattern_matrix_counts_conditions_and_sorts_by_site_then_framework_order() {
    let a = answers(&[
        ("P3", "Site B", "supervision", Some(3)),
        ("P1", "Site A", "supervision", Some(1)),
        ("P2", "Site A", "supervision", Some(1)),
        ("P4", "Site A", "supervision", Some(2)),
        ("P5", "Site A", "supervision", Some(9)),
        ("P6", "Site A", "supervision", None),
        ("P1", "Site A", "role_clarity", Some(1)),
        ("P2", "Site A", "role_clarity", Some(3)),
        ("P3", "Site B", "role_clarity", Some(9)),
        ("P7", "Site B", "role_clarity", Some(1)),
    ]);
    let e = evidence(&[
        ("Site A", "D01", "supervision", Some(3)),
        ("Site A", "D02", "supervision", Some(1)),
        ("Site B", "D01", "role_clarity", Some(2)),
        ("Site B", "D02", "supervision", None),
    ]);
    let b = pattern_matrix(
        &a,
        &e,
        &register(),
        &settings(&["supervision", "role_clarity"]),
    )
    .unwrap();
    assert_eq!(b.schema(), crate::pattern_matrix_schema());
    assert_eq!(
        strs(&b, "site"),
        ["Site A", "Site A", "Site B", "Site B"],
        "Site C has no data"
    );
    assert_eq!(
        strs(&b, "factor"),
        ["supervision", "role_clarity", "supervision", "role_clarity"]
    );
    assert_eq!(u32s(&b, "in_place"), [Some(2), Some(1), Some(0), Some(1)]);
    assert_eq!(u32s(&b, "partly"), [Some(1), Some(0), Some(0), Some(0)]);
    assert_eq!(
        u32s(&b, "not_in_place"),
        [Some(0), Some(1), Some(1), Some(0)]
    );
    assert_eq!(u32s(&b, "dont_know"), [Some(1), Some(0), Some(0), Some(1)]);
    assert_eq!(
        strs(&b, "condition"),
        ["in_place", "contested", "unknown", "unknown"]
    );
    assert_eq!(
        strs(&b, "doc_status"),
        ["addressed", "no_evidence", "no_evidence", "partly"]
    );
    assert_eq!(
        strs(&b, "fidelity"),
        ["consistent", "no_evidence", "no_evidence", "no_evidence"]
    );
    assert_eq!(strs(&b, "figure_id")[1], "patterns/Site A/role_clarity");
}

#[test]
fn pattern_matrix_fidelity_from_data() {
    let a = answers(&[
        ("P1", "Site A", "supervision", Some(3)),
        ("P2", "Site A", "supervision", Some(3)),
        ("P1", "Site A", "career", Some(1)),
        ("P2", "Site A", "career", Some(1)),
        ("P1", "Site A", "pay_parity", Some(2)),
        ("P2", "Site A", "pay_parity", Some(2)),
    ]);
    let e = evidence(&[
        ("Site A", "D01", "supervision", Some(2)),
        ("Site A", "D01", "career", Some(3)),
        ("Site A", "D02", "career", Some(3)),
        ("Site A", "D01", "pay_parity", Some(1)),
    ]);
    let sites = sites(&[("Site A", "statutory", false, false, true)]);
    let b = pattern_matrix(
        &a,
        &e,
        &sites,
        &settings(&["supervision", "career", "pay_parity"]),
    )
    .unwrap();
    assert_eq!(
        strs(&b, "condition"),
        ["not_in_place", "in_place", "partly"]
    );
    assert_eq!(
        strs(&b, "doc_status"),
        ["partly", "not_addressed", "addressed"]
    );
    assert_eq!(
        strs(&b, "fidelity"),
        ["fidelity_gap", "undocumented_practice", "mixed"]
    );
}

#[test]
fn pattern_matrix_does_not_depend_on_input_row_order() {
    let rows = [
        ("P1", "Site B", "career", Some(1)),
        ("P2", "Site A", "career", Some(3)),
        ("P3", "Site A", "career", Some(3)),
        ("P4", "Site B", "career", Some(1)),
        ("P5", "Site A", "supervision", Some(2)),
    ];
    let mut reversed = rows;
    reversed.reverse();
    let e = evidence(&[]);
    let st = settings(&[]);
    let one = pattern_matrix(&answers(&rows), &e, &register(), &st).unwrap();
    let two = pattern_matrix(&answers(&reversed), &e, &register(), &st).unwrap();
    assert_eq!(render(&one), render(&two));
    // Without a factor list, factors found are sorted by code.
    assert_eq!(
        strs(&one, "factor"),
        ["career", "supervision", "career", "supervision"]
    );
}

#[test]
fn pattern_matrix_site_without_answers_gets_unknown_rows() {
    let a = answers(&[
        ("P1", "Site A", "career", Some(1)),
        ("P2", "Site A", "career", Some(1)),
    ]);
    let b = pattern_matrix(&a, &evidence(&[]), &register(), &settings(&["career"])).unwrap();
    assert_eq!(strs(&b, "site"), ["Site A", "Site B"]);
    assert_eq!(strs(&b, "condition"), ["in_place", "unknown"]);
    assert_eq!(
        strs(&b, "fidelity"),
        ["undocumented_practice", "no_evidence"]
    );
}

#[test]
fn pattern_matrix_rejects_bad_input_with_a_location() {
    let st = settings(&["career"]);
    let no_ev = evidence(&[]);
    let err = |a: &RecordBatch, e: &RecordBatch| {
        pattern_matrix(a, e, &register(), &st)
            .unwrap_err()
            .to_string()
    };

    let msg = err(&answers(&[("P1", "Site A", "career", Some(4))]), &no_ev);
    assert!(
        msg.contains("raw/interviews/export.csv:2") && msg.contains("found 4"),
        "{msg}"
    );
    let msg = err(&answers(&[("P1", "Site A", "carer", Some(1))]), &no_ev);
    assert!(msg.contains("`carer`"), "{msg}");
    let msg = err(&answers(&[("P1", "Site Z", "career", Some(1))]), &no_ev);
    assert!(msg.contains("Site Z") && msg.contains("register"), "{msg}");
    let msg = err(&answers(&[("P1", "Site C", "career", Some(1))]), &no_ev);
    assert!(msg.contains("no data"), "{msg}");
    let msg = err(
        &answers(&[]),
        &evidence(&[("Site A", "D01", "career", Some(0))]),
    );
    assert!(msg.contains("raw/documents/export.csv:2"), "{msg}");

    // A batch without the expected columns is a schema error, not a panic.
    let msg = pattern_matrix(&register(), &no_ev, &register(), &st)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("`factor`"), "{msg}");
}

#[test]
fn pattern_matrix_of_empty_inputs_is_empty_with_the_contract_schema() {
    let empty = |s| RecordBatch::new_empty(s);
    let b = pattern_matrix(
        &empty(schema::answers()),
        &empty(schema::evidence()),
        &empty(schema::sites()),
        &Settings::default(),
    )
    .unwrap();
    assert_eq!(b.num_rows(), 0);
    let names: Vec<String> = b
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(
        names,
        [
            "site",
            "factor",
            "in_place",
            "partly",
            "not_in_place",
            "dont_know",
            "condition",
            "doc_status",
            "fidelity",
            "figure_id"
        ]
    );
}

#[test]
fn settings_are_checked() {
    let mut st = settings(&["career", "career"]);
    let e = RecordBatch::new_empty(schema::evidence());
    let a = RecordBatch::new_empty(schema::answers());
    assert!(
        pattern_matrix(&a, &e, &register(), &st)
            .unwrap_err()
            .to_string()
            .contains("twice")
    );
    st.factors = vec!["career".into()];
    st.quote_label = vec!["name".into()];
    assert!(
        pattern_matrix(&a, &e, &register(), &st)
            .unwrap_err()
            .to_string()
            .contains("quote_label")
    );
}
