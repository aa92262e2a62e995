//! Inputs whose text columns are plain, categorical, or categorical with
//! an odd dictionary (values twice, out of order, one unused) give the
//! same tables and the same errors.

use arrow_schema::{DataType, Schema};
use model::column::testing::{plain, recoded_oddly};
use model::column::{categories, is_category};

use super::*;
use crate::{outcome_summary, pattern_matrix, qual_matrix, quotes};

fn odd_all(b: &RecordBatch, names: &[&str]) -> RecordBatch {
    names.iter().fold(b.clone(), |b, n| recoded_oddly(&b, n))
}

#[test]
fn plain_and_categorical_inputs_give_the_same_tables() {
    let (reg, ans, ev, outs) = super::planted::study();
    for b in [&ans, &ev, &outs] {
        assert!(is_category(
            b.schema().field_with_name("site").unwrap().data_type()
        ));
    }
    let factors = [
        "role_clarity",
        "supervision",
        "peer_network",
        "career",
        "pay_parity",
    ];
    let st = Settings {
        outcomes: vec!["out_benefit".into()],
        ..settings(&factors)
    };
    let want = pattern_matrix(&ans, &ev, &reg, &st).unwrap();
    assert_eq!(want.num_rows(), 50);
    assert_eq!(
        pattern_matrix(&plain(&ans), &plain(&ev), &reg, &st).unwrap(),
        want
    );
    let (oa, oe) = (
        odd_all(&ans, &["site", "factor"]),
        odd_all(&ev, &["site", "factor", model::schema::SOURCE_FILE]),
    );
    assert_eq!(pattern_matrix(&oa, &oe, &reg, &st).unwrap(), want);
    // Without a factor list: factors found, sorted.
    let loose = Settings {
        factors: Vec::new(),
        ..st.clone()
    };
    let want_loose = pattern_matrix(&ans, &ev, &reg, &loose).unwrap();
    assert_eq!(
        pattern_matrix(&plain(&ans), &plain(&ev), &reg, &loose).unwrap(),
        want_loose
    );
    assert_eq!(pattern_matrix(&oa, &oe, &reg, &loose).unwrap(), want_loose);

    let want = outcome_summary(&outs, &reg, &st).unwrap();
    assert_eq!(outcome_summary(&plain(&outs), &reg, &st).unwrap(), want);
    assert_eq!(
        outcome_summary(&odd_all(&outs, &["site", "outcome"]), &reg, &st).unwrap(),
        want
    );

    let rows = [
        (
            "PW-1",
            "Site A",
            "statutory",
            "peer_worker",
            "supervision",
            "A: first",
            "00a0",
        ),
        (
            "PW-1",
            "Site A",
            "statutory",
            "peer_worker",
            "supervision",
            "A: second",
            "00b0",
        ),
        (
            "PW-2",
            "Site C",
            "statutory",
            "peer_worker",
            "supervision",
            "C: third",
            "00c0",
        ),
        (
            "PW-3",
            "Site E",
            "statutory",
            "peer_worker",
            "supervision",
            "E: fourth",
            "00d0",
        ),
        (
            "PW-4",
            "Site B",
            "voluntary",
            "peer_worker",
            "supervision",
            "B: voluntary",
            "0010",
        ),
        (
            "SM-1",
            "Site A",
            "statutory",
            "senior_manager",
            "supervision",
            "senior",
            "0001",
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
    let acc = accounts(&rows);
    let odd_acc = odd_all(
        &acc,
        &[
            "participant",
            "site",
            "sector",
            "group",
            "theme",
            model::schema::ROW_HASH,
        ],
    );
    let st = Settings {
        min_cell: 1,
        ..settings(&["supervision"])
    };
    let want = qual_matrix(&acc, &st).unwrap();
    assert_eq!(qual_matrix(&plain(&acc), &st).unwrap(), want);
    assert_eq!(qual_matrix(&odd_acc, &st).unwrap(), want);
    let want = quotes(&acc, &st).unwrap();
    assert_eq!(quotes(&plain(&acc), &st).unwrap(), want);
    assert_eq!(quotes(&odd_acc, &st).unwrap(), want);
}

#[test]
fn errors_name_the_same_row_whatever_the_column_kind() {
    let reg = sites(&[
        ("Site A", "statutory", false, false, true),
        ("Site C", "statutory", false, false, false),
    ]);
    let st = settings(&["career"]);
    let err = |a: &RecordBatch| {
        pattern_matrix(a, &evidence(&[]), &reg, &st)
            .unwrap_err()
            .to_string()
    };
    for (rows, says) in [
        (
            vec![
                ("P1", "Site A", "career", Some(1)),
                ("P2", "Site Z", "career", Some(1)),
            ],
            "export.csv:3: site `Site Z`",
        ),
        (
            vec![
                ("P1", "Site A", "career", Some(1)),
                ("P1", "Site C", "career", Some(1)),
            ],
            "no data",
        ),
        (
            vec![
                ("P1", "Site A", "career", Some(1)),
                ("P1", "Site A", "carer", Some(1)),
            ],
            "`carer`",
        ),
        (
            vec![
                ("P1", "Site A", "career", Some(1)),
                ("P1", "Site A", "career", Some(5)),
            ],
            "export.csv:3",
        ),
    ] {
        let a = answers(&rows);
        let want = err(&a);
        assert!(want.contains(says), "{want}");
        assert_eq!(err(&plain(&a)), want);
        assert_eq!(
            err(&odd_all(
                &a,
                &["site", "factor", model::schema::SOURCE_FILE]
            )),
            want
        );
    }
    // A null in a categorical column is an error that names the row.
    let a = answers(&[
        ("P1", "Site A", "career", Some(1)),
        ("P2", "Site A", "career", Some(1)),
    ]);
    let mut cols = a.columns().to_vec();
    let idx = a.schema().index_of("factor").unwrap();
    cols[idx] = categories([Some("career"), None]);
    let fields: Vec<_> = a
        .schema()
        .fields()
        .iter()
        .map(|f| f.as_ref().clone().with_nullable(true))
        .collect();
    let nulls = RecordBatch::try_new(Arc::new(Schema::new(fields)), cols).unwrap();
    let want = err(&nulls);
    assert!(
        want.contains("column `factor`, raw/interviews/export.csv:3: expected a value, found null"),
        "{want}"
    );
    assert_eq!(err(&plain(&nulls)), want);
    // A column that is not text at all is a schema error.
    let mut cols = a.columns().to_vec();
    cols[idx] = Arc::new(UInt32Array::from(vec![1u32, 2]));
    let fields: Vec<_> = a
        .schema()
        .fields()
        .iter()
        .map(|f| {
            let t = if f.name() == "factor" {
                DataType::UInt32
            } else {
                f.data_type().clone()
            };
            f.as_ref().clone().with_data_type(t)
        })
        .collect();
    let numbers = RecordBatch::try_new(Arc::new(Schema::new(fields)), cols).unwrap();
    assert!(
        err(&numbers).contains("column `factor`: expected Utf8, found UInt32"),
        "{}",
        err(&numbers)
    );
}
