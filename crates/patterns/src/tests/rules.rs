use crate::Share;
use crate::rules::{
    Classification, Condition, DocStatus, Fidelity, Verdict, classify, fidelity, verdict,
};

fn two_thirds() -> Share {
    Share::new(2, 3).unwrap()
}

#[test]
fn condition_share_boundary_is_exact() {
    // 2 of 3 is exactly two thirds: reached.
    assert_eq!(verdict([2, 1, 0], two_thirds(), 2), Verdict::Mode(0));
    assert_eq!(verdict([0, 1, 2], two_thirds(), 2), Verdict::Mode(2));
    assert_eq!(verdict([6, 3, 0], two_thirds(), 2), Verdict::Mode(0));
    // Just below: 5 of 8 < 2/3, 2 of 4 < 2/3.
    assert_eq!(verdict([5, 3, 0], two_thirds(), 2), Verdict::Contested);
    assert_eq!(verdict([2, 1, 1], two_thirds(), 2), Verdict::Contested);
    // A stricter share moves the boundary.
    assert_eq!(
        verdict([2, 1, 0], Share::new(3, 4).unwrap(), 2),
        Verdict::Contested
    );
    assert_eq!(
        verdict([3, 1, 0], Share::new(3, 4).unwrap(), 2),
        Verdict::Mode(0)
    );
    // Unanimous partly.
    assert_eq!(verdict([0, 4, 0], two_thirds(), 2), Verdict::Mode(1));
}

#[test]
fn condition_tie_for_the_mode_is_contested_even_when_share_allows() {
    assert_eq!(verdict([1, 1, 0], two_thirds(), 2), Verdict::Contested);
    assert_eq!(
        verdict([2, 0, 2], Share::new(1, 2).unwrap(), 2),
        Verdict::Contested
    );
    assert_eq!(
        verdict([1, 1, 1], Share::new(0, 1).unwrap(), 2),
        Verdict::Contested
    );
}

#[test]
fn condition_unknown_below_min_valid() {
    assert_eq!(verdict([1, 0, 0], two_thirds(), 2), Verdict::Unknown);
    assert_eq!(verdict([0, 0, 0], two_thirds(), 2), Verdict::Unknown);
    assert_eq!(verdict([1, 0, 0], two_thirds(), 1), Verdict::Mode(0));
    // min_valid 0 still needs one valid answer.
    assert_eq!(verdict([0, 0, 0], two_thirds(), 0), Verdict::Unknown);
    assert_eq!(verdict([2, 0, 0], two_thirds(), 3), Verdict::Unknown);
}

#[test]
fn share_parses_fractions_and_decimals_and_rejects_the_rest() {
    let s = Share::parse("2/3").unwrap();
    assert_eq!((s.num(), s.den()), (2, 3));
    let s = Share::parse("0.8").unwrap();
    assert!(s.reached(4, 5) && !s.reached(3, 4));
    assert!(s.at_most_complement(1, 5) && !s.at_most_complement(2, 5));
    assert_eq!(Share::parse("1").unwrap().den(), 1);
    for bad in [
        "",
        "3/2",
        "1/0",
        "abc",
        "1.5",
        "-0.5",
        "0.1234567891",
        "/",
        ".",
    ] {
        assert!(Share::parse(bad).is_err(), "{bad:?} should be rejected");
    }
    assert!(Share::new(1, 0).is_err());
}

#[test]
fn doc_status_precedence() {
    assert_eq!(DocStatus::from_counts(0, 0, 0), DocStatus::NoEvidence);
    assert_eq!(DocStatus::from_counts(1, 5, 5), DocStatus::Addressed);
    assert_eq!(DocStatus::from_counts(0, 1, 5), DocStatus::Partly);
    assert_eq!(DocStatus::from_counts(0, 0, 1), DocStatus::NotAddressed);
}

#[test]
fn fidelity_decision_table_is_complete_and_as_documented() {
    use Fidelity::*;
    // Rows: in_place, partly, not_in_place, contested, unknown.
    // Columns: addressed, partly, not_addressed, no_evidence.
    let expected = [
        [
            Consistent,
            Mixed,
            UndocumentedPractice,
            UndocumentedPractice,
        ],
        [Mixed, Consistent, Mixed, NoEvidence],
        [FidelityGap, FidelityGap, Consistent, NoEvidence],
        [Mixed, Mixed, Mixed, NoEvidence],
        [NoEvidence, NoEvidence, NoEvidence, NoEvidence],
    ];
    let mut seen = std::collections::BTreeSet::new();
    for (r, c) in Condition::ALL.into_iter().enumerate() {
        for (k, d) in DocStatus::ALL.into_iter().enumerate() {
            let got = fidelity(c, d);
            assert_eq!(got, expected[r][k], "{} x {}", c.code(), d.code());
            seen.insert(got.code());
        }
    }
    assert_eq!(seen.len(), 5, "every fidelity value is reachable: {seen:?}");
    // The doc's markdown table says the same (data-schema and rustdoc).
    let doc = include_str!("../../../../data-schema/tables/pattern_matrix.md");
    for (r, c) in Condition::ALL.into_iter().enumerate() {
        let line = doc
            .lines()
            .find(|l| l.starts_with(&format!("| {} ", c.code())))
            .expect("row in pattern_matrix.md");
        let cells: Vec<&str> = line
            .split('|')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        let want: Vec<&str> = expected[r].iter().map(|f| f.code()).collect();
        assert_eq!(&cells[1..], &want[..], "pattern_matrix.md row {}", c.code());
    }
}

#[test]
fn replication_classification_at_thresholds() {
    let s = Share::new(4, 5).unwrap();
    use Classification::*;
    assert_eq!(classify((4, 5), (4, 5), s), Generic);
    assert_eq!(classify((5, 5), (3, 4), s), Mixed, "3 of 4 is below 4/5");
    assert_eq!(
        classify((4, 5), (1, 5), s),
        StatutorySpecific,
        "1 of 5 is exactly 1 - 4/5"
    );
    assert_eq!(
        classify((4, 5), (2, 5), s),
        Mixed,
        "2 of 5 is above 1 - 4/5"
    );
    assert_eq!(classify((0, 5), (5, 5), s), VoluntarySpecific);
    assert_eq!(classify((1, 5), (4, 5), s), VoluntarySpecific);
    assert_eq!(classify((1, 5), (1, 5), s), NotReplicated);
    assert_eq!(classify((0, 3), (0, 2), s), NotReplicated);
    assert_eq!(classify((2, 5), (2, 5), s), Mixed);
    assert_eq!(classify((5, 5), (0, 0), s), Insufficient);
    assert_eq!(classify((0, 0), (0, 0), s), Insufficient);
}

#[test]
fn share_from_decimal_recovers_the_simple_fraction() {
    let frac = |x: f64| Share::from_f64(x).map(|s| (s.num(), s.den())).unwrap();
    assert_eq!(frac(2.0 / 3.0), (2, 3));
    assert_eq!(
        frac(0.6666666666666666),
        (2, 3),
        "the pipeline file's literal"
    );
    assert_eq!(frac(0.8), (4, 5));
    assert_eq!(frac(0.75), (3, 4));
    assert_eq!(
        frac(0.667),
        (667, 1000),
        "a rounded decimal is taken at its word"
    );
    assert_eq!(frac(0.0), (0, 1));
    assert_eq!(frac(1.0), (1, 1));
    assert_eq!(frac(1.0 / 7.0), (1, 7));
    for bad in [f64::NAN, f64::INFINITY, -0.1, 1.01] {
        assert!(Share::from_f64(bad).is_err(), "{bad}");
    }
    // The default settings compare exactly at two thirds and four fifths.
    let st = crate::Settings::default();
    assert_eq!(st.condition_threshold().unwrap(), Share::new(2, 3).unwrap());
    assert_eq!(
        st.replication_threshold().unwrap(),
        Share::new(4, 5).unwrap()
    );
    let bad = crate::Settings {
        condition_share: 1.5,
        ..crate::Settings::default()
    };
    assert!(
        bad.check()
            .unwrap_err()
            .to_string()
            .contains("condition_share")
    );
}
