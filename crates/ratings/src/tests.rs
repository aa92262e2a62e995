//! Tests of the ratings tables: hand-computed values, scipy-checked rank
//! tests, bootstrap determinism, disclosure control.

use std::sync::Arc;

use arrow_array::{
    Array, ArrayRef, BooleanArray, Float64Array, Int8Array, RecordBatch, StringArray, UInt8Array,
    UInt32Array,
};

use arrow_schema::ArrowError;

use crate::stats::{describe, rank, special};
use crate::*;

// ---------------------------------------------------------------- helpers

/// One answers row: (participant, site, sector, group, factor, pattern, importance, direction).
type Row<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    Option<i8>,
    Option<i8>,
    Option<i8>,
);

fn text(v: impl IntoIterator<Item = String>) -> ArrayRef {
    Arc::new(StringArray::from(v.into_iter().collect::<Vec<_>>()))
}

fn answers(rows: &[Row]) -> RecordBatch {
    let col = |f: fn(&Row) -> String| text(rows.iter().map(f));
    let code = |f: fn(&Row) -> Option<i8>| -> ArrayRef {
        Arc::new(rows.iter().map(f).collect::<Int8Array>())
    };
    model::column::conform(
        model::schema::answers(),
        vec![
            col(|r| r.0.into()),
            col(|r| r.1.into()),
            col(|r| r.2.into()),
            col(|r| r.3.into()),
            col(|r| r.4.into()),
            code(|r| r.5),
            code(|r| r.6),
            code(|r| r.7),
            col(|_| "raw/interviews/x.csv".into()),
            Arc::new(UInt32Array::from_iter_values(2..rows.len() as u32 + 2)),
            col(|_| "0123456789abcdef".into()),
        ],
    )
    .expect("answers batch")
}

/// One top3 row: (participant, site, sector, group, rank, factor).
fn top3(rows: &[(&str, &str, &str, &str, u8, &str)]) -> RecordBatch {
    let col = |f: fn(&(&str, &str, &str, &str, u8, &str)) -> String| text(rows.iter().map(f));
    model::column::conform(
        model::schema::top3(),
        vec![
            col(|r| r.0.into()),
            col(|r| r.1.into()),
            col(|r| r.2.into()),
            col(|r| r.3.into()),
            Arc::new(rows.iter().map(|r| r.4).collect::<UInt8Array>()),
            col(|r| r.5.into()),
            col(|_| "raw/interviews/x.csv".into()),
            Arc::new(UInt32Array::from_iter_values(2..rows.len() as u32 + 2)),
            col(|_| "0123456789abcdef".into()),
        ],
    )
    .expect("top3 batch")
}

fn f64s(b: &RecordBatch, name: &str) -> Vec<Option<f64>> {
    let a = b
        .column_by_name(name)
        .unwrap()
        .as_any()
        .downcast_ref::<Float64Array>()
        .unwrap();
    (0..a.len())
        .map(|i| a.is_valid(i).then(|| a.value(i)))
        .collect()
}
fn u32s(b: &RecordBatch, name: &str) -> Vec<Option<u32>> {
    let a = b
        .column_by_name(name)
        .unwrap()
        .as_any()
        .downcast_ref::<UInt32Array>()
        .unwrap();
    (0..a.len())
        .map(|i| a.is_valid(i).then(|| a.value(i)))
        .collect()
}
fn strs(b: &RecordBatch, name: &str) -> Vec<Option<String>> {
    let a = b
        .column_by_name(name)
        .unwrap()
        .as_any()
        .downcast_ref::<StringArray>()
        .unwrap();
    (0..a.len())
        .map(|i| a.is_valid(i).then(|| a.value(i).to_string()))
        .collect()
}
fn bools(b: &RecordBatch, name: &str) -> Vec<Option<bool>> {
    let a = b
        .column_by_name(name)
        .unwrap()
        .as_any()
        .downcast_ref::<BooleanArray>()
        .unwrap();
    (0..a.len())
        .map(|i| a.is_valid(i).then(|| a.value(i)))
        .collect()
}

fn close(got: Option<f64>, want: f64, tol: f64) {
    let g = got.unwrap_or_else(|| panic!("expected {want}, found null"));
    assert!(
        (g - want).abs() <= tol,
        "expected {want}, found {g} (diff {})",
        (g - want).abs()
    );
}

fn settings(scopes: &[Scope], factors: &[&str], min_cell: u32) -> Settings {
    Settings {
        scopes: scopes.to_vec(),
        factors: factors.iter().map(|s| s.to_string()).collect(),
        min_cell,
        seed: 20110501,
        ..Settings::default()
    }
}

/// Ratings 1, 2, 2, 3, 4, 5, 5 plus a null and two missing codes (-98, -99),
/// all peer workers at one statutory site.
fn seven() -> RecordBatch {
    let ratings = [
        Some(1),
        Some(2),
        Some(2),
        Some(3),
        Some(4),
        Some(5),
        Some(5),
        None,
        Some(-98),
        Some(-99),
    ];
    let ids: Vec<String> = (0..ratings.len()).map(|i| format!("P{i}")).collect();
    let rows: Vec<Row> = ratings
        .iter()
        .zip(&ids)
        .map(|(r, id)| {
            (
                id.as_str(),
                "Site A",
                "statutory",
                "peer_worker",
                "supervision",
                Some(1),
                *r,
                None,
            )
        })
        .collect();
    answers(&rows)
}

// ------------------------------------------------- hand-computed fixture

#[test]
fn summary_of_seven_ratings_matches_hand_computation() {
    let out = ratings_summary(&seven(), &settings(&[Scope::Study], &["supervision"], 3)).unwrap();
    assert_eq!(out.num_rows(), 1);
    assert_eq!(
        u32s(&out, "n"),
        [Some(7)],
        "nulls and missing codes are not ratings"
    );
    // sum 22, sum of squares 84: mean 22/7, var (7*84 - 22^2)/(7*6) = 104/42.
    close(f64s(&out, "mean")[0], 22.0 / 7.0, 1e-12);
    close(f64s(&out, "sd")[0], (104.0f64 / 42.0).sqrt(), 1e-12);
    // R: quantile(c(1,2,2,3,4,5,5), type = 7) -> 25%: 2, 50%: 3, 75%: 4.5
    // (h = (n-1)p = 1.5 -> x[1] + .5 (x[2] - x[1]) = 2; h = 4.5 -> 4 + .5 (5 - 4)).
    close(f64s(&out, "q1")[0], 2.0, 1e-12);
    close(f64s(&out, "median")[0], 3.0, 1e-12);
    close(f64s(&out, "q3")[0], 4.5, 1e-12);
    // 4, 5, 5 are high: 3/7.
    close(f64s(&out, "pct_high")[0], 300.0 / 7.0, 1e-12);
    // One 1, two 2s, one 3, one 4, two 5s: the bars of a Likert chart.
    let counts: Vec<Option<u32>> = (1..=5)
        .map(|k| u32s(&out, &format!("rated_{k}"))[0])
        .collect();
    assert_eq!(counts, [Some(1), Some(2), Some(1), Some(1), Some(2)]);
    assert_eq!(bools(&out, "suppressed"), [Some(false)]);
    assert_eq!(
        strs(&out, "figure_id"),
        [Some("ratings/study/supervision".to_string())]
    );
    assert_eq!(strs(&out, "site"), [None]);
    assert_eq!(strs(&out, "group"), [None]);
}

#[test]
fn quantiles_type7_on_even_and_single_samples() {
    // 1, 1, 4, 5: R quantile type 7 -> 25%: 1, 50%: 2.5, 75%: 4.25.
    let h = [2, 0, 0, 1, 1];
    assert_eq!(describe::quantile(&h, 0.25), Some(1.0));
    assert_eq!(describe::quantile(&h, 0.5), Some(2.5));
    assert_eq!(describe::quantile(&h, 0.75), Some(4.25));
    assert_eq!(describe::quantile(&[0, 0, 1, 0, 0], 0.25), Some(3.0));
    assert_eq!(describe::quantile(&[0u64; 5], 0.5), None);
    assert_eq!(describe::sd(&[0, 0, 1, 0, 0]), None, "sd needs n >= 2");
}

#[test]
fn consensus_of_seven_ratings_matches_hand_computation() {
    let out = consensus(&seven(), &settings(&[Scope::Study], &["supervision"], 3)).unwrap();
    assert_eq!(u32s(&out, "n"), [Some(7)]);
    // s^2 = 104/42 = 2.476 > sigma_EU^2 = (25 - 1)/12 = 2: rwg = 1 - 2.476/2 < 0, truncated to 0.
    close(f64s(&out, "rwg")[0], 0.0, 0.0);
    // mu = 22/7; 1 - |X - mu|/4 for X = 1..5: 13/28, 20/28, 27/28, 22/28, 15/28;
    // p = 1/7, 2/7, 1/7, 1/7, 2/7.
    let l = |x: f64| (x / 28.0).log2();
    let cns = 1.0 + (l(13.0) + 2.0 * l(20.0) + l(27.0) + l(22.0) + 2.0 * l(15.0)) / 7.0;
    close(f64s(&out, "tastle_wierman")[0], cns, 1e-12);
    // 3, 3, 4, 4, 4: mean 3.6, s^2 = (5*66 - 18^2)/(5*4) = 0.3, rwg = 1 - 0.3/2 = 0.85;
    // Cns = 1 + 0.4 log2(1 - 0.6/4) + 0.6 log2(1 - 0.4/4).
    let h = [0, 0, 2, 3, 0];
    close(describe::rwg(&h), 0.85, 1e-12);
    close(
        describe::tastle_wierman(&h),
        1.0 + 0.4 * 0.85f64.log2() + 0.6 * 0.9f64.log2(),
        1e-12,
    );
    // Full agreement and an even split between the extremes.
    assert_eq!(describe::tastle_wierman(&[0, 0, 0, 4, 0]), Some(1.0));
    close(describe::tastle_wierman(&[3, 0, 0, 0, 3]), 0.0, 1e-12);
    assert_eq!(describe::rwg(&[0, 0, 0, 1, 0]), None, "rwg needs n >= 2");
}

#[test]
fn top3_counts_and_scores() {
    let s = "Site A";
    let t = top3(&[
        ("P1", s, "statutory", "peer_worker", 1, "a"),
        ("P1", s, "statutory", "peer_worker", 2, "b"),
        ("P1", s, "statutory", "peer_worker", 3, "c"),
        ("P2", s, "statutory", "peer_worker", 1, "b"),
        ("P2", s, "statutory", "peer_worker", 2, "a"),
        ("P3", s, "statutory", "professional", 1, "a"),
        ("P4", s, "statutory", "professional", 1, "c"),
        ("P4", s, "statutory", "professional", 3, "a"),
        ("P4", s, "statutory", "professional", 7, "b"), // not a rank: ignored
    ]);
    let out = top3_frequency(
        &t,
        &settings(&[Scope::Study, Scope::Group], &["a", "b", "c", "d"], 1),
    )
    .unwrap();
    // study rows a, b, c, d then group rows (5 groups x 4 factors).
    assert_eq!(out.num_rows(), 4 + 20);
    assert_eq!(&u32s(&out, "respondents")[..4], [Some(4); 4]);
    // a: first P1, P3; second P2; third P4 -> 4 mentions, score 3*2 + 2 + 1 = 9.
    assert_eq!(
        &u32s(&out, "first")[..4],
        [Some(2), Some(1), Some(1), Some(0)]
    );
    assert_eq!(
        &u32s(&out, "second")[..4],
        [Some(1), Some(1), Some(0), Some(0)]
    );
    assert_eq!(
        &u32s(&out, "third")[..4],
        [Some(1), Some(0), Some(1), Some(0)]
    );
    assert_eq!(
        &u32s(&out, "mentions")[..4],
        [Some(4), Some(2), Some(2), Some(0)]
    );
    assert_eq!(
        &u32s(&out, "score")[..4],
        [Some(9), Some(5), Some(4), Some(0)]
    );
    let pct = f64s(&out, "pct_mentions");
    for (got, want) in pct[..4].iter().zip([100.0, 50.0, 50.0, 0.0]) {
        close(*got, want, 1e-12);
    }
    // peer_worker group: P1, P2; a mentioned by both, score 3 + 2.
    assert_eq!(
        strs(&out, "figure_id")[4],
        Some("top3/group/peer_worker/a".to_string())
    );
    assert_eq!(u32s(&out, "respondents")[4], Some(2));
    assert_eq!(u32s(&out, "score")[4], Some(5));
    // service_user: no respondents at all -> suppressed, everything null.
    assert_eq!(strs(&out, "group")[12], Some("service_user".to_string()));
    assert_eq!(bools(&out, "suppressed")[12], Some(true));
    assert_eq!(u32s(&out, "respondents")[12], None);
}

#[test]
fn direction_shares() {
    let rows: Vec<Row> = [
        Some(1),
        Some(1),
        Some(2),
        Some(3),
        Some(4),
        None,
        Some(-99),
        Some(9),
    ]
    .iter()
    .enumerate()
    .map(|(i, d)| {
        (
            ["P0", "P1", "P2", "P3", "P4", "P5", "P6", "P7"][i],
            "Site A",
            "statutory",
            "professional",
            "pay",
            None,
            Some(3),
            *d,
        )
    })
    .collect();
    let out = direction(&answers(&rows), &settings(&[Scope::Study], &["pay"], 3)).unwrap();
    assert_eq!(u32s(&out, "n"), [Some(5)]);
    assert_eq!(u32s(&out, "facilitator"), [Some(2)]);
    assert_eq!(u32s(&out, "barrier"), [Some(1)]);
    assert_eq!(u32s(&out, "both"), [Some(1)]);
    assert_eq!(u32s(&out, "neither"), [Some(1)]);
    close(f64s(&out, "pct_facilitator")[0], 40.0, 1e-12);
    close(f64s(&out, "pct_barrier")[0], 20.0, 1e-12);
    close(f64s(&out, "pct_both")[0], 20.0, 1e-12);
    close(f64s(&out, "pct_neither")[0], 20.0, 1e-12);
    assert_eq!(
        strs(&out, "figure_id"),
        [Some("direction/study/pay".to_string())]
    );
}

// ----------------------------------------------------- scipy-checked tests

/// The rows of tests/fixtures/rank_tests.csv (written by rank_tests.py).
fn rank_fixture() -> RecordBatch {
    let csv = include_str!("../tests/fixtures/rank_tests.csv");
    let lines: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let rows: Vec<Row> = lines
        .iter()
        .map(|c| {
            (
                c[0],
                c[1],
                c[2],
                c[3],
                c[4],
                None,
                c[5].parse::<i8>().ok(),
                None,
            )
        })
        .collect();
    answers(&rows)
}

/// Expected values from scipy 1.17.1 (Python 3.11.7), printed by
/// `python3 crates/ratings/tests/fixtures/rank_tests.py` (run in that folder):
/// scipy.stats.kruskal per factor over the non-empty groups (study, then
/// each sector), scipy.stats.mannwhitneyu(statutory, voluntary,
/// method="asymptotic", use_continuity=True, alternative="two-sided"),
/// scipy.stats.false_discovery_control(method="bh") over the non-NaN p of
/// each family. `delta` is all 4s: scipy's H is NaN (null here), its MW p is 1.
#[test]
fn rank_tests_agree_with_scipy() {
    let data = rank_fixture();
    let s = settings(&Scope::ALL, &["alpha", "beta", "delta"], 3);
    let kw = group_tests(&data, &s).unwrap();
    let nan = f64::NAN;
    // (scope, sector, factor, n, k, h, p, eps, bh)
    let want: [(&str, Option<&str>, &str, u32, u32, f64, f64, f64, f64); 9] = [
        (
            "study",
            None,
            "alpha",
            35,
            5,
            12.406123400972431,
            0.014573426248380013,
            0.36488598238154213,
            0.029146852496760026,
        ),
        (
            "study",
            None,
            "beta",
            34,
            5,
            1.7291074668363284,
            0.7854236745528758,
            0.05239719596473722,
            0.7854236745528758,
        ),
        ("study", None, "delta", 34, 5, nan, nan, nan, nan),
        (
            "sector",
            Some("statutory"),
            "alpha",
            18,
            5,
            6.808333333333328,
            0.14637029454765307,
            0.40049019607843106,
            0.29274058909530615,
        ),
        (
            "sector",
            Some("statutory"),
            "beta",
            17,
            5,
            2.569209431345357,
            0.6322871117540214,
            0.16057558945908482,
            0.6322871117540214,
        ),
        (
            "sector",
            Some("statutory"),
            "delta",
            17,
            5,
            nan,
            nan,
            nan,
            nan,
        ),
        (
            "sector",
            Some("voluntary"),
            "alpha",
            17,
            5,
            8.683400809716597,
            0.06951891711816134,
            0.5427125506072873,
            0.13903783423632268,
        ),
        (
            "sector",
            Some("voluntary"),
            "beta",
            17,
            5,
            2.8351449275362266,
            0.5857814324188824,
            0.17719655797101416,
            0.5857814324188824,
        ),
        (
            "sector",
            Some("voluntary"),
            "delta",
            17,
            5,
            nan,
            nan,
            nan,
            nan,
        ),
    ];
    assert_eq!(kw.num_rows(), want.len());
    let (h, p, eps, bh) = (
        f64s(&kw, "h"),
        f64s(&kw, "p_value"),
        f64s(&kw, "epsilon_sq"),
        f64s(&kw, "p_adj_bh"),
    );
    for (i, w) in want.iter().enumerate() {
        assert_eq!(strs(&kw, "scope")[i].as_deref(), Some(w.0));
        assert_eq!(strs(&kw, "sector")[i].as_deref(), w.1);
        assert_eq!(strs(&kw, "factor")[i].as_deref(), Some(w.2));
        assert_eq!(u32s(&kw, "n")[i], Some(w.3));
        assert_eq!(u32s(&kw, "groups")[i], Some(w.4));
        assert_eq!(u32s(&kw, "df")[i], Some(w.4 - 1));
        for (got, want) in [(h[i], w.5), (p[i], w.6), (eps[i], w.7), (bh[i], w.8)] {
            if want.is_nan() {
                assert_eq!(got, None, "row {i}: scipy gives NaN, we give null");
            } else {
                close(got, want, 1e-9);
            }
        }
    }
    assert_eq!(
        strs(&kw, "figure_id")[3].as_deref(),
        Some("group_tests/sector/statutory/alpha")
    );

    let mw = sector_tests(&data, &s).unwrap();
    // (factor, n1, n2, U1, p, rank-biserial, bh)
    let want = [
        (
            "alpha",
            18,
            17,
            141.0,
            0.6963929663376986,
            -0.07843137254901966,
            1.0,
        ),
        (
            "beta",
            17,
            17,
            194.0,
            0.0795099664574488,
            0.3425605536332179,
            0.23852989937234642,
        ),
        ("delta", 17, 17, 144.5, 1.0, 0.0, 1.0),
    ];
    for (i, w) in want.iter().enumerate() {
        assert_eq!(strs(&mw, "factor")[i].as_deref(), Some(w.0));
        assert_eq!(u32s(&mw, "n_statutory")[i], Some(w.1));
        assert_eq!(u32s(&mw, "n_voluntary")[i], Some(w.2));
        close(f64s(&mw, "u")[i], w.3, 1e-9);
        close(f64s(&mw, "p_value")[i], w.4, 1e-9);
        close(f64s(&mw, "rank_biserial")[i], w.5, 1e-9);
        close(f64s(&mw, "p_adj_bh")[i], w.6, 1e-9);
    }
    // z: p = 2 sf(|z|); alpha has U1 < n1 n2 / 2, so its z is negative.
    let z = f64s(&mw, "z");
    assert!(z[0].unwrap() < 0.0 && z[1].unwrap() > 0.0 && z[2].is_none());
    close(
        special::norm_sf(z[1].unwrap()).map(|q| 2.0 * q),
        0.0795099664574488,
        1e-12,
    );
}

/// Same provenance as `rank_tests_agree_with_scipy` (scipy 1.17.1,
/// rank_tests.py): chi2.sf, norm.sf, false_discovery_control.
#[test]
fn special_functions_agree_with_scipy() {
    let chi2 = [
        (0.5, 1.0, 0.47950012218695337),
        (3.2, 2.0, 0.2018965179946554),
        (7.81, 3.0, 0.05010605635000589),
        (12.0, 4.0, 0.01735126523666451),
        (0.01, 4.0, 0.9999875415886458),
        (40.0, 3.0, 1.065509033425585e-08),
    ];
    for (x, df, want) in chi2 {
        let got = special::chi2_sf(x, df).unwrap();
        assert!(
            (got - want).abs() <= 1e-12 * want.max(1e-3),
            "chi2.sf({x}, {df}): {got} vs {want}"
        );
    }
    let norm = [
        (-2.5, 0.9937903346742238),
        (-0.3, 0.6179114221889526),
        (0.0, 0.5),
        (0.7, 0.24196365222307303),
        (1.959963984540054, 0.025),
        (4.0, 3.167124183311986e-05),
        (8.0, 6.22096057427174e-16),
    ];
    for (z, want) in norm {
        let got = special::norm_sf(z).unwrap();
        assert!(
            (got - want).abs() <= 1e-12 * want,
            "norm.sf({z}): {got} vs {want}"
        );
    }
    let ps = [0.01, 0.04, 0.03, 0.04, 0.2, 0.5, 0.001].map(Some);
    let want = [
        0.035,
        0.055999999999999994,
        0.055999999999999994,
        0.055999999999999994,
        0.23333333333333336,
        0.5,
        0.007,
    ];
    for (got, want) in rank::benjamini_hochberg(&ps).into_iter().zip(want) {
        close(got, want, 1e-15);
    }
    assert_eq!(
        rank::benjamini_hochberg(&[None, Some(0.5)]),
        [None, Some(0.5)],
        "nulls do not count in m"
    );
    close(
        special::ln_gamma(0.5),
        std::f64::consts::PI.sqrt().ln(),
        1e-14,
    );
    close(special::ln_gamma(10.0), 362880f64.ln(), 1e-12);
}

#[test]
fn kruskal_needs_two_groups() {
    let k = rank::kruskal(&[[1, 2, 3, 0, 0], [0; 5], [0; 5]]);
    assert_eq!((k.groups, k.h, k.df, k.p), (1, None, None, None));
}

// --------------------------------------------------------------- bootstrap

/// 200 ratings: half 1s, half 5s, across two sites and groups.
fn bimodal() -> RecordBatch {
    let ids: Vec<String> = (0..200).map(|i| format!("P{i:03}")).collect();
    let rows: Vec<Row> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let (site, sector) = if i % 2 == 0 {
                ("Site A", "statutory")
            } else {
                ("Site B", "voluntary")
            };
            let group = model::Group::ALL[i % 5].code();
            (
                id.as_str(),
                site,
                sector,
                group,
                "supervision",
                Some(1),
                Some(if i % 4 < 2 { 1 } else { 5 }),
                None,
            )
        })
        .collect();
    answers(&rows)
}

#[test]
fn bootstrap_is_identical_across_calls_and_thread_counts() {
    let data = bimodal();
    let s = settings(&Scope::ALL, &["supervision"], 3);
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let four = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .unwrap();
    let a = one.install(|| ratings_summary(&data, &s)).unwrap();
    let b = four.install(|| ratings_summary(&data, &s)).unwrap();
    let c = ratings_summary(&data, &s).unwrap();
    assert_eq!(a, b);
    assert_eq!(a, c);
    let (lo, hi, mean) = (f64s(&a, "ci_low"), f64s(&a, "ci_high"), f64s(&a, "mean"));
    for i in 0..a.num_rows() {
        if let (Some(l), Some(h), Some(m)) = (lo[i], hi[i], mean[i]) {
            assert!(
                l <= m && m <= h,
                "row {i}: CI [{l}, {h}] does not contain the mean {m}"
            );
        }
    }
    // A different seed moves the CI: the seed is used.
    let other = ratings_summary(
        &data,
        &Settings {
            seed: 7,
            ..s.clone()
        },
    )
    .unwrap();
    assert_ne!(f64s(&other, "ci_low"), lo);
}

#[test]
fn bootstrap_ci_is_sane_on_a_known_distribution() {
    let out = ratings_summary(&bimodal(), &settings(&[Scope::Study], &["supervision"], 3)).unwrap();
    close(f64s(&out, "mean")[0], 3.0, 1e-12);
    // Population sd 2, SE of the mean 2 / sqrt(200) = 0.1414: the 95% CI is
    // about 3 -/+ 1.96 * 0.1414 = [2.72, 3.28].
    let (lo, hi) = (
        f64s(&out, "ci_low")[0].unwrap(),
        f64s(&out, "ci_high")[0].unwrap(),
    );
    assert!((2.64..2.80).contains(&lo), "ci_low {lo}");
    assert!((3.20..3.36).contains(&hi), "ci_high {hi}");
    // No spread, no interval width; no resamples, no CI.
    let key = stats::bootstrap::key(1, "x");
    assert_eq!(
        stats::bootstrap::mean_ci(&[0, 0, 0, 9, 0], key, 500, 0.95),
        Some((4.0, 4.0))
    );
    assert_eq!(
        stats::bootstrap::mean_ci(&[0, 0, 0, 9, 0], key, 0, 0.95),
        None
    );
}

// ------------------------------------------------------------- disclosure

/// People per (site, sector, [peer, professional, service user, team
/// manager, senior manager]): Site A's lone team manager is suppressed
/// with no partner in its site; Site D (2 people) is suppressed with no
/// partner among the sites of its sector.
const CRAFTED: [(&str, &str, [u32; 5]); 4] = [
    ("Site A", "statutory", [4, 3, 3, 1, 0]),
    ("Site B", "statutory", [3, 4, 3, 2, 3]),
    ("Site C", "voluntary", [5, 3, 2, 3, 1]),
    ("Site D", "voluntary", [1, 1, 0, 0, 0]),
];

fn crafted() -> RecordBatch {
    let mut ids = Vec::new();
    let mut keys = Vec::new();
    for (site, sector, counts) in CRAFTED {
        for (g, &c) in counts.iter().enumerate() {
            for _ in 0..c {
                ids.push(format!("P{}", ids.len()));
                keys.push((site, sector, model::Group::ALL[g].code()));
            }
        }
    }
    let rows: Vec<Row> = ids
        .iter()
        .zip(&keys)
        .map(|(id, k)| (id.as_str(), k.0, k.1, k.2, "pay", Some(1), Some(4), Some(1)))
        .collect();
    answers(&rows)
}

/// An attacker with the published table: every published n is known, so
/// is every empty cell (the strongest attacker: knows who was not
/// interviewed). They solve any relation `parent = sum(children)` with one
/// unknown, repeatedly. Returns the suppressed cells they recover, with
/// their value.
fn recovered(table: &RecordBatch, truth: &RecordBatch) -> Vec<(String, u32)> {
    let key = |b: &RecordBatch, i: usize| {
        ["scope", "site", "sector", "group"]
            .map(|c| strs(b, c)[i].clone().unwrap_or_default())
            .join("|")
    };
    let ids: Vec<String> = (0..table.num_rows()).map(|i| key(table, i)).collect();
    let truth_n: Vec<u32> = u32s(truth, "n")
        .into_iter()
        .map(|n| n.unwrap_or(0))
        .collect();
    assert_eq!(
        (0..truth.num_rows())
            .map(|i| key(truth, i))
            .collect::<Vec<_>>(),
        ids
    );
    let mut known: Vec<Option<u32>> = u32s(table, "n");
    for (i, k) in known.iter_mut().enumerate() {
        if truth_n[i] == 0 {
            *k = Some(0);
        }
    }
    let find = |scope: &str, site: &str, sector: &str, group: &str| {
        ids.iter()
            .position(|k| *k == format!("{scope}|{site}|{sector}|{group}"))
            .unwrap()
    };
    // The relations, built from the table's own keys.
    let groups = model::Group::ALL.map(|g| g.code());
    let mut eqs: Vec<(usize, Vec<usize>)> = Vec::new();
    let study = find("study", "", "", "");
    eqs.push((
        study,
        groups.iter().map(|g| find("group", "", "", g)).collect(),
    ));
    eqs.push((
        study,
        CRAFTED
            .iter()
            .map(|(s, c, _)| find("site", s, c, ""))
            .collect(),
    ));
    eqs.push((
        study,
        ["statutory", "voluntary"]
            .iter()
            .map(|c| find("sector", "", c, ""))
            .collect(),
    ));
    for sector in ["statutory", "voluntary"] {
        let sites = CRAFTED
            .iter()
            .filter(|x| x.1 == sector)
            .map(|(s, c, _)| find("site", s, c, ""))
            .collect();
        eqs.push((find("sector", "", sector, ""), sites));
    }
    for (s, c, _) in CRAFTED {
        eqs.push((
            find("site", s, c, ""),
            groups.iter().map(|g| find("site_group", s, c, g)).collect(),
        ));
    }
    for g in groups {
        eqs.push((
            find("group", "", "", g),
            CRAFTED
                .iter()
                .map(|(s, c, _)| find("site_group", s, c, g))
                .collect(),
        ));
    }
    loop {
        let mut changed = false;
        for (parent, children) in &eqs {
            let unknown: Vec<usize> = std::iter::once(parent)
                .chain(children)
                .copied()
                .filter(|&i| known[i].is_none())
                .collect();
            if let [only] = unknown[..] {
                let sum: u32 = children
                    .iter()
                    .filter(|&&c| c != only)
                    .map(|&c| known[c].unwrap_or(0))
                    .sum();
                known[only] = Some(if only == *parent {
                    sum
                } else {
                    known[*parent].unwrap_or(0) - sum
                });
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let published = u32s(table, "n");
    (0..ids.len())
        .filter(|&i| published[i].is_none() && truth_n[i] > 0 && known[i].is_some())
        .map(|i| (ids[i].clone(), known[i].unwrap_or(0)))
        .collect()
}

#[test]
fn no_suppressed_count_can_be_recovered_by_subtraction() {
    let data = crafted();
    let s = settings(&Scope::ALL, &["pay"], 3);
    let truth = ratings_summary(
        &data,
        &Settings {
            min_cell: 0,
            ..s.clone()
        },
    )
    .unwrap();
    assert!(
        bools(&truth, "suppressed")
            .iter()
            .all(|b| *b == Some(false))
    );
    for table in [
        ratings_summary(&data, &s).unwrap(),
        direction(&data, &s).unwrap(),
        consensus(&data, &s).unwrap(),
    ] {
        assert_eq!(recovered(&table, &truth), Vec::new());
        // Secondary suppression happened: some suppressed cell has n >= min_cell.
        let sup = bools(&table, "suppressed");
        let n = u32s(&truth, "n");
        assert!((0..n.len()).any(|i| sup[i] == Some(true) && n[i] >= Some(3)));
    }
    // Primary suppression alone would leak: Site A's team manager is
    // recoverable from Site A's total.
    let primary: Vec<Option<u32>> = u32s(&truth, "n")
        .into_iter()
        .map(|n| n.filter(|&x| x >= 3))
        .collect();
    let mut cols = truth.columns().to_vec();
    let idx = truth.schema().index_of("n").unwrap();
    cols[idx] = Arc::new(UInt32Array::from(primary));
    let naive = RecordBatch::try_new(truth.schema(), cols).unwrap();
    assert!(
        recovered(&naive, &truth)
            .contains(&("site_group|Site A|statutory|team_manager".to_string(), 1))
    );
}

#[test]
fn suppression_pattern_of_the_crafted_study() {
    let out = ratings_summary(&crafted(), &settings(&Scope::ALL, &["pay"], 3)).unwrap();
    let mut text = String::new();
    let (scope, site, sector, group, n, sup) = (
        strs(&out, "scope"),
        strs(&out, "site"),
        strs(&out, "sector"),
        strs(&out, "group"),
        u32s(&out, "n"),
        bools(&out, "suppressed"),
    );
    for i in 0..out.num_rows() {
        let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
        let n = n[i].map(|n| n.to_string()).unwrap_or_else(|| "-".into());
        let flag = if sup[i] == Some(true) {
            "suppressed"
        } else {
            ""
        };
        text.push_str(&format!(
            "{:<10} {:<7} {:<9} {:<14} n={:<3} {flag}\n",
            show(&scope[i]),
            show(&site[i]),
            show(&sector[i]),
            show(&group[i]),
            n
        ));
    }
    insta::assert_snapshot!(text);
}

#[test]
fn primary_suppression_nulls_counts_and_statistics() {
    let out = ratings_summary(&seven(), &settings(&Scope::ALL, &["supervision"], 8)).unwrap();
    // 7 ratings < 8: the study row is suppressed with everything null.
    assert_eq!(bools(&out, "suppressed")[0], Some(true));
    for col in [
        "mean", "sd", "median", "q1", "q3", "pct_high", "ci_low", "ci_high",
    ] {
        assert_eq!(f64s(&out, col)[0], None, "{col}");
    }
    assert_eq!(u32s(&out, "n")[0], None);
    for k in 1..=5 {
        assert_eq!(
            u32s(&out, &format!("rated_{k}"))[0],
            None,
            "rated_{k} of a suppressed cell"
        );
    }
}

// ------------------------------------------------------ sorting and keys

#[test]
fn rows_are_sorted_and_keyed_by_scope() {
    let rows: Vec<Row> = vec![
        (
            "P1",
            "Site C",
            "voluntary",
            "service_user",
            "b",
            None,
            Some(4),
            None,
        ),
        (
            "P2",
            "Site A",
            "statutory",
            "peer_worker",
            "a",
            None,
            Some(5),
            None,
        ),
    ];
    let out = ratings_summary(&answers(&rows), &settings(&Scope::ALL, &["a", "b"], 1)).unwrap();
    // study 1 + sector 2 + site 2 + group 5 + site_group 10 cells, 2 factors each.
    assert_eq!(out.num_rows(), 20 * 2);
    let ids: Vec<String> = strs(&out, "figure_id").into_iter().flatten().collect();
    assert_eq!(ids[0], "ratings/study/a");
    assert_eq!(ids[1], "ratings/study/b");
    assert_eq!(ids[2], "ratings/sector/statutory/a");
    assert_eq!(ids[4], "ratings/sector/voluntary/a");
    assert_eq!(ids[6], "ratings/site/Site A/a");
    assert_eq!(ids[8], "ratings/site/Site C/a");
    assert_eq!(ids[10], "ratings/group/peer_worker/a");
    assert_eq!(ids[20], "ratings/site_group/Site A/peer_worker/a");
    assert_eq!(ids[39], "ratings/site_group/Site C/senior_manager/b");
    // A site row carries its sector but no group; a group row neither site nor sector.
    assert_eq!(strs(&out, "sector")[8].as_deref(), Some("voluntary"));
    assert_eq!(strs(&out, "group")[8], None);
    assert_eq!(strs(&out, "site")[10], None);
    assert_eq!(strs(&out, "sector")[10], None);
    // site_group Site C / service_user / b holds P1's 4.
    let i = ids
        .iter()
        .position(|s| s == "ratings/site_group/Site C/service_user/b")
        .unwrap();
    assert_eq!(f64s(&out, "mean")[i], Some(4.0));
    assert_eq!(strs(&out, "sector")[i].as_deref(), Some("voluntary"));
    // Empty cells are rows too, suppressed, with no NaN anywhere.
    assert_eq!(u32s(&out, "n")[3], None);
    assert!(f64s(&out, "mean").iter().flatten().all(|x| x.is_finite()));
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let rows: Vec<Row> = vec![(
        "P1",
        "Site A",
        "statutory",
        "doctor",
        "a",
        None,
        Some(4),
        None,
    )];
    let err = ratings_summary(&answers(&rows), &Settings::default()).unwrap_err();
    assert!(err.to_string().contains("`doctor`"), "{err}");
    let rows: Vec<Row> = vec![
        (
            "P1",
            "Site A",
            "statutory",
            "peer_worker",
            "a",
            None,
            Some(4),
            None,
        ),
        (
            "P2",
            "Site A",
            "voluntary",
            "peer_worker",
            "a",
            None,
            Some(4),
            None,
        ),
    ];
    assert!(ratings_summary(&answers(&rows), &Settings::default()).is_err());
    let bad = Settings {
        confidence: 1.5,
        ..Settings::default()
    };
    assert!(ratings_summary(&answers(&[]), &bad).is_err());
    // Empty input: every factor still gets a row, suppressed.
    let out = ratings_summary(&answers(&[]), &settings(&[Scope::Study], &["a", "b"], 3)).unwrap();
    assert_eq!(out.num_rows(), 2);
    assert_eq!(bools(&out, "suppressed"), [Some(true), Some(true)]);
    for f in [group_tests, sector_tests, tensions, consensus, direction] {
        assert!(f(&answers(&[]), &Settings::default()).is_ok());
    }
}

#[test]
fn factors_outside_the_framework_are_appended_not_dropped() {
    let rows: Vec<Row> = vec![(
        "P1",
        "Site A",
        "statutory",
        "peer_worker",
        "zz",
        None,
        Some(4),
        None,
    )];
    let out = ratings_summary(&answers(&rows), &settings(&[Scope::Study], &["b", "a"], 1)).unwrap();
    let f: Vec<String> = strs(&out, "factor").into_iter().flatten().collect();
    assert_eq!(f, ["b", "a", "zz"]);
}

// ------------------------------------------------ plain and categorical

use model::column::testing::{plain, recoded_oddly};

#[test]
fn plain_and_categorical_inputs_give_the_same_tables() {
    let s = Settings {
        tension_threshold: 1.0,
        ..settings(&Scope::ALL, &["pay", "supervision"], 3)
    };
    type Table = fn(&RecordBatch, &Settings) -> Result<RecordBatch, ArrowError>;
    let by_answers: [Table; 6] = [
        ratings_summary,
        direction,
        consensus,
        group_tests,
        sector_tests,
        tensions,
    ];
    for data in [seven(), bimodal(), crafted(), tension_data()] {
        assert!(model::column::is_category(
            data.schema().field_with_name("site").unwrap().data_type()
        ));
        let (flat, odd) = (
            plain(&data),
            recoded_oddly(&recoded_oddly(&data, "site"), "participant"),
        );
        for f in by_answers {
            let want = f(&data, &s).unwrap();
            assert_eq!(f(&flat, &s).unwrap(), want);
            assert_eq!(f(&odd, &s).unwrap(), want);
        }
    }
    let picks: Vec<(&str, &str, &str, &str, u8, &str)> = (0..8)
        .map(|i| {
            let (site, factor) = (
                if i < 4 { "Site A" } else { "Site B" },
                ["pay", "supervision"][i % 2],
            );
            (
                ["P0", "P1", "P2", "P3"][i / 2],
                site,
                "statutory",
                "peer_worker",
                1 + (i % 2) as u8,
                factor,
            )
        })
        .collect();
    let t = top3(&picks);
    let rows: Vec<Row> = picks
        .iter()
        .map(|p| (p.0, p.1, p.2, p.3, p.5, Some(1), Some(1 + p.4 as i8), None))
        .collect();
    let a = answers(&rows);
    let want = top3_frequency(&t, &s).unwrap();
    assert_eq!(top3_frequency(&plain(&t), &s).unwrap(), want);
    assert_eq!(
        top3_frequency(&recoded_oddly(&t, "factor"), &s).unwrap(),
        want
    );
    let want = top3_importance(&t, &a, &s).unwrap();
    assert_eq!(top3_importance(&plain(&t), &a, &s).unwrap(), want);
    assert_eq!(top3_importance(&t, &plain(&a), &s).unwrap(), want);
    assert_eq!(
        top3_importance(
            &recoded_oddly(&t, "participant"),
            &recoded_oddly(&a, "site"),
            &s
        )
        .unwrap(),
        want
    );
    // The same bad row gives the same error either way.
    let rows: Vec<Row> = vec![
        (
            "P1",
            "Site A",
            "statutory",
            "peer_worker",
            "a",
            None,
            Some(4),
            None,
        ),
        (
            "P2",
            "Site B",
            "voluntary",
            "peer_worker",
            "a",
            None,
            Some(4),
            None,
        ),
        (
            "P3",
            "Site A",
            "voluntary",
            "peer_worker",
            "a",
            None,
            Some(4),
            None,
        ),
        (
            "P4",
            "Site A",
            "statutory",
            "doctor",
            "a",
            None,
            Some(4),
            None,
        ),
    ];
    let bad = answers(&rows);
    let want = ratings_summary(&bad, &s).unwrap_err().to_string();
    assert!(
        want.contains("row 3") && want.contains("a site has one sector"),
        "{want}"
    );
    assert_eq!(
        ratings_summary(&plain(&bad), &s).unwrap_err().to_string(),
        want
    );
    assert_eq!(
        ratings_summary(&recoded_oddly(&bad, "site"), &s)
            .unwrap_err()
            .to_string(),
        want
    );
    let want = ratings_summary(&answers(&rows[3..]), &s)
        .unwrap_err()
        .to_string();
    assert!(
        want.contains("row 1") && want.contains("`doctor`"),
        "{want}"
    );
    assert_eq!(
        ratings_summary(&recoded_oddly(&answers(&rows[3..]), "group"), &s)
            .unwrap_err()
            .to_string(),
        want
    );
    // A null in a categorical column is named, as in a plain one.
    let mut cols = bad.columns().to_vec();
    cols[1] = model::column::categories([Some("Site A"), Some("Site B"), None, Some("Site A")]);
    let nulls = RecordBatch::try_new(
        Arc::new(arrow_schema::Schema::new(
            bad.schema()
                .fields()
                .iter()
                .map(|f| f.as_ref().clone().with_nullable(true))
                .collect::<Vec<_>>(),
        )),
        cols,
    )
    .unwrap();
    let want = "row 3: expected a value in `site`, found null";
    assert!(
        ratings_summary(&nulls, &s)
            .unwrap_err()
            .to_string()
            .contains(want)
    );
    assert!(
        ratings_summary(&plain(&nulls), &s)
            .unwrap_err()
            .to_string()
            .contains(want)
    );
}

// ------------------------------------------------------------- tensions

fn tension_data() -> RecordBatch {
    let mut rows: Vec<(String, &str, &str, &str, i8, i8)> = Vec::new();
    // Peer workers rate 5 and say "not in place" (3); professionals rate 3,
    // "in place" (1); managers (one team, one senior at each site) rate 4.
    for (site, sector) in [("Site A", "statutory"), ("Site B", "voluntary")] {
        for i in 0..3 {
            rows.push((format!("{site}pw{i}"), site, sector, "peer_worker", 3, 5));
            rows.push((format!("{site}pr{i}"), site, sector, "professional", 1, 3));
        }
        rows.push((format!("{site}tm"), site, sector, "team_manager", 1, 4));
        rows.push((format!("{site}sm"), site, sector, "senior_manager", 9, 4));
    }
    let rows: Vec<Row> = rows
        .iter()
        .map(|r| {
            (
                r.0.as_str(),
                r.1,
                r.2,
                r.3,
                "pay",
                Some(r.4),
                Some(r.5),
                None,
            )
        })
        .collect();
    answers(&rows)
}

#[test]
fn tensions_flag_differences_between_perspectives() {
    let s = Settings {
        tension_threshold: 1.0,
        ..settings(&[Scope::Study, Scope::Site], &["pay"], 3)
    };
    let out = tensions(&tension_data(), &s).unwrap();
    // 4 perspectives (managers pooled) -> 6 pairs; study + 2 sites.
    assert_eq!(out.num_rows(), 6 * 3);
    let ids: Vec<String> = strs(&out, "figure_id").into_iter().flatten().collect();
    assert_eq!(ids[0], "tensions/study/peer_worker~professional/pay");
    assert_eq!(ids[2], "tensions/study/peer_worker~managers/pay");
    assert_eq!(ids[6], "tensions/site/Site A/peer_worker~professional/pay");
    // Study: 6 peer workers (5) vs 6 professionals (3): difference 2, flagged.
    assert_eq!(
        (u32s(&out, "n_a")[0], u32s(&out, "n_b")[0]),
        (Some(6), Some(6))
    );
    close(f64s(&out, "difference")[0], 2.0, 1e-12);
    assert_eq!(bools(&out, "pattern_disagree")[0], Some(true));
    assert_eq!(bools(&out, "flagged")[0], Some(true));
    // Peer workers vs managers (4 people, rated 4): difference 1 >= 1, flagged;
    // managers' modal pattern is in place (1; the 9 is excluded): disagree.
    close(f64s(&out, "mean_b")[2], 4.0, 1e-12);
    assert_eq!(bools(&out, "flagged")[2], Some(true));
    assert_eq!(bools(&out, "pattern_disagree")[2], Some(true));
    // Professionals vs managers: both "in place", difference -1.
    assert_eq!(bools(&out, "pattern_disagree")[4], Some(false));
    close(f64s(&out, "difference")[4], -1.0, 1e-12);
    // Site A, peer workers vs managers: 2 managers < 3: n, means, difference
    // null and suppressed, yet the disagreement is flagged for the site.
    assert_eq!(bools(&out, "suppressed")[8], Some(true));
    assert_eq!((u32s(&out, "n_a")[8], u32s(&out, "n_b")[8]), (None, None));
    assert_eq!(
        (f64s(&out, "mean_a")[8], f64s(&out, "difference")[8]),
        (None, None)
    );
    assert_eq!(bools(&out, "flagged")[8], Some(true));
    // Unpooled: team vs senior manager at study level, 2 each: suppressed, not flagged.
    let out = tensions(
        &tension_data(),
        &Settings {
            pool_managers: false,
            ..s
        },
    )
    .unwrap();
    assert_eq!(out.num_rows(), 10 * 3);
    let i = strs(&out, "figure_id")
        .iter()
        .position(|x| x.as_deref() == Some("tensions/study/team_manager~senior_manager/pay"))
        .unwrap();
    assert_eq!(bools(&out, "suppressed")[i], Some(true));
    assert_eq!(bools(&out, "flagged")[i], Some(false));
}

// ------------------------------------------------------- top3 x importance

#[test]
fn top3_importance_crosstab() {
    // Six people rate a and b. P0-P2 pick a; P3-P5 pick b.
    let imp_a = [5, 5, 4, 2, 3, 3];
    let imp_b = [5, 3, 4, 4, 5, 1];
    let ids: Vec<String> = (0..6).map(|i| format!("P{i}")).collect();
    let mut rows: Vec<Row> = Vec::new();
    for i in 0..6 {
        rows.push((
            ids[i].as_str(),
            "Site A",
            "statutory",
            "peer_worker",
            "a",
            None,
            Some(imp_a[i]),
            None,
        ));
        rows.push((
            ids[i].as_str(),
            "Site A",
            "statutory",
            "peer_worker",
            "b",
            None,
            Some(imp_b[i]),
            None,
        ));
    }
    let picks: Vec<(&str, &str, &str, &str, u8, &str)> = (0..6)
        .map(|i| {
            (
                ids[i].as_str(),
                "Site A",
                "statutory",
                "peer_worker",
                1,
                if i < 3 { "a" } else { "b" },
            )
        })
        .collect();
    let out = top3_importance(
        &top3(&picks),
        &answers(&rows),
        &settings(&[], &["a", "b"], 3),
    )
    .unwrap();
    assert_eq!(u32s(&out, "n_picked"), [Some(3), Some(3)]);
    assert_eq!(u32s(&out, "n_not_picked"), [Some(3), Some(3)]);
    // a: pickers rate 5, 5, 4 -> 14/3; others 2, 3, 3 -> 8/3; 2 of 3 rate 5.
    close(f64s(&out, "mean_picked")[0], 14.0 / 3.0, 1e-12);
    close(f64s(&out, "mean_not_picked")[0], 8.0 / 3.0, 1e-12);
    close(f64s(&out, "pct_picked_rated_5")[0], 200.0 / 3.0, 1e-12);
    // Own max: P0 max 5 (a = 5 yes), P1 max 5 (a = 5 yes), P2 max 4 (a = 4 yes).
    close(f64s(&out, "pct_picked_rated_own_max")[0], 100.0, 1e-12);
    // b: pickers P3 (4, max 4 yes), P4 (5, max 5 yes), P5 (1, max 3 no).
    close(f64s(&out, "mean_picked")[1], 10.0 / 3.0, 1e-12);
    close(
        f64s(&out, "pct_picked_rated_own_max")[1],
        200.0 / 3.0,
        1e-12,
    );
    assert_eq!(
        strs(&out, "figure_id")[1].as_deref(),
        Some("top3_importance/b")
    );
    let out = top3_importance(
        &top3(&picks),
        &answers(&rows),
        &settings(&[], &["a", "b"], 4),
    )
    .unwrap();
    assert_eq!(bools(&out, "suppressed"), [Some(true), Some(true)]);
    assert_eq!(f64s(&out, "mean_picked"), [None, None]);
}

#[test]
fn tensions_never_reveal_a_count_hidden_in_ratings_summary() {
    // In the crafted study ratings_summary hides Site D's single peer worker
    // and publishes Site C's five: a voluntary-sector peer-worker n of 6
    // would give Site D's 1 by subtraction, so it is not published, though
    // 6 >= min_cell.
    let s = Settings {
        pool_managers: false,
        ..settings(&[Scope::Study, Scope::Sector], &["pay"], 3)
    };
    let out = tensions(&crafted(), &s).unwrap();
    let ids = strs(&out, "figure_id");
    let row = |id: &str| ids.iter().position(|x| x.as_deref() == Some(id)).unwrap();
    let i = row("tensions/sector/voluntary/peer_worker~professional/pay");
    assert_eq!(bools(&out, "suppressed")[i], Some(true));
    assert_eq!(u32s(&out, "n_a")[i], None);
    // Study level: 13 peer workers, 11 professionals, both published in ratings_summary.
    let i = row("tensions/study/peer_worker~professional/pay");
    assert_eq!(
        (u32s(&out, "n_a")[i], u32s(&out, "n_b")[i]),
        (Some(13), Some(11))
    );
    assert_eq!(bools(&out, "suppressed")[i], Some(false));
}

// ------------------------------------------- bootstrap at national scale

use crate::stats::bootstrap::{self as boot, Resampler};

/// The bootstrap as first written (O(n) per resample, a linear search of
/// the position): the reference the answer-by-answer method must equal bit
/// for bit.
fn reference_mean_ci<const K: usize>(
    hist: &[u64; K],
    key: u64,
    resamples: u32,
    confidence: f64,
) -> Option<(f64, f64)> {
    let n: u64 = hist.iter().sum();
    if n == 0 || resamples == 0 || !(confidence > 0.0 && confidence < 1.0) {
        return None;
    }
    let mut cum = [0u64; K];
    let mut acc = 0;
    for k in 0..K {
        acc += hist[k];
        cum[k] = acc;
    }
    let mut sums: Vec<u64> = (0..resamples)
        .map(|b| {
            (0..n as u32)
                .map(|i| {
                    let pos = ((u128::from(boot::draw(key, b, i)) * u128::from(n)) >> 64) as u64;
                    (cum.iter().position(|&c| pos < c).unwrap_or(K - 1) + 1) as u64
                })
                .sum()
        })
        .collect();
    sums.sort_unstable();
    let at = |p: f64| {
        let h = (sums.len() - 1) as f64 * p;
        let lo = h.floor();
        let j = lo as usize;
        let x0 = sums[j] as f64;
        let x1 = sums[(j + 1).min(sums.len() - 1)] as f64;
        (x0 + (h - lo) * (x1 - x0)) / n as f64
    };
    let alpha = 1.0 - confidence;
    Some((at(alpha / 2.0), at(1.0 - alpha / 2.0)))
}

#[test]
fn answer_by_answer_bootstrap_equals_the_reference_bit_for_bit() {
    let hists: [[u64; 5]; 9] = [
        [1, 2, 2, 1, 1],
        [0, 0, 3, 0, 0],
        [0, 0, 0, 9, 0],
        [5, 0, 0, 0, 0],
        [0, 0, 0, 0, 7],
        [0, 4, 0, 0, 3],
        [3, 6, 15, 25, 28],
        [20, 0, 0, 0, 79],
        [1, 1, 1, 1, 95],
    ];
    for (i, h) in hists.iter().enumerate() {
        let n: u64 = h.iter().sum();
        for (b, conf) in [(2000, 0.95), (999, 0.9), (1, 0.5), (7, 0.99)] {
            let key = boot::key(20110301, &format!("ratings/x/{i}"));
            let want = reference_mean_ci(h, key, b, conf);
            let r = Resampler::new(b, conf);
            assert_eq!(r.mean_ci_exact(h, key), want, "histogram {h:?}, B = {b}");
            // Cells below BLOCKS_FROM take this path.
            if n < boot::BLOCKS_FROM {
                assert_eq!(
                    r.mean_ci(h, key),
                    want,
                    "histogram {h:?}, B = {b}, confidence {conf}"
                );
            }
            assert_eq!(
                boot::mean_ci(h, key, b, conf),
                r.mean_ci(h, key),
                "histogram {h:?}, B = {b}"
            );
        }
    }
    // The smallest cells of all (0, 1 or 2 answers, n = 3) answer by answer.
    for h in [[1, 1, 1, 0, 0], [0, 0, 2, 0, 1], [3, 0, 0, 0, 0]] {
        let key = boot::key(5, "tiny");
        assert!(h.iter().sum::<u64>() < boot::BLOCKS_FROM);
        assert_eq!(
            Resampler::new(2000, 0.95).mean_ci(&h, key),
            reference_mean_ci(&h, key, 2000, 0.95)
        );
    }
    // A cell beyond the table of inner mixes still equals the reference.
    let big = [40, 30, 50, 60, 70];
    let key = boot::key(1, "wide");
    assert_eq!(
        Resampler::new(300, 0.95).mean_ci_exact(&big, key),
        reference_mean_ci(&big, key, 300, 0.95)
    );
}

#[test]
fn order_statistics_by_counting_and_by_selection_equal_a_sort() {
    let mut state = 17u64;
    let mut next = || {
        state = boot::mix(state.wrapping_add(1));
        state
    };
    for (len, spread) in [
        (1usize, 5u64),
        (2, 1),
        (2000, 30),
        (2000, 1 << 40),
        (999, 7),
        (50, 1 << 20),
    ] {
        let values: Vec<u64> = (0..len).map(|_| 1000 + next() % spread).collect();
        let mut sorted = values.clone();
        sorted.sort_unstable();
        for ranks in [
            [0, 0, 0, 0],
            [0, 1.min(len - 1), len - 1, len - 1],
            [
                len / 40,
                (len / 40 + 1).min(len - 1),
                len * 39 / 40,
                (len * 39 / 40 + 1).min(len - 1),
            ],
        ] {
            let mut v = values.clone();
            let got = boot::order_statistics(&mut v, ranks);
            assert_eq!(
                got,
                ranks.map(|r| sorted[r]),
                "len {len}, spread {spread}, ranks {ranks:?}"
            );
        }
    }
}

#[test]
fn block_sum_distribution_equals_enumeration() {
    // The distribution of the sum of 3 draws (of answer - 1) from a
    // histogram, against all 5^3 ordered triples.
    let hist = [3u64, 0, 5, 9, 2];
    let n: u64 = hist.iter().sum();
    let p: [f64; 5] = std::array::from_fn(|k| hist[k] as f64 / n as f64);
    let d = boot::Dist::one().add_draw(&p).add_draw(&p).add_draw(&p);
    let mut want = [0.0f64; 13];
    for a in 0..5 {
        for b in 0..5 {
            for c in 0..5 {
                want[a + b + c] += p[a] * p[b] * p[c];
            }
        }
    }
    for (s, w) in want.iter().enumerate() {
        let got = (s as u64)
            .checked_sub(d.lo)
            .and_then(|i| d.mass.get(i as usize))
            .copied()
            .unwrap_or(0.0);
        assert!(
            (got - w).abs() < 1e-15,
            "P(sum = {s}) = {got}, expected {w}"
        );
    }
    // No mass is lost: the lowest sum (0, all three 1s) has p_1^3.
    assert_eq!(d.lo, 0);
    assert!((d.mass.iter().sum::<f64>() - 1.0).abs() < 1e-14);
}

#[test]
fn block_plan_covers_every_draw() {
    for n in [100u64, 101, 250, 4999, 5000, 48_883, 500_000, 4_000_000] {
        let (q, m1, e) = boot::plan(n, 2000);
        assert_eq!(e * (m1 + 1) + (q - e) * m1, n, "n = {n}");
        assert!(e < q && (1..=boot::MAX_BLOCK).contains(&m1));
        // About n / (B n / 2)^(1/3) blocks.
        let blocks = n as f64 / (1000.0 * n as f64).cbrt();
        assert!(
            q as f64 <= blocks.ceil() + 1.0 && q as f64 >= blocks.floor(),
            "n = {n}: {q} blocks"
        );
    }
    assert_eq!(boot::plan(250, 2000), (4, 62, 2));
    assert_eq!(boot::plan(500_000, 2000), (630, 793, 410));
}

/// The type-7 quantiles of the exact bootstrap distribution of the mean
/// (the n-fold convolution of the histogram), from the CDF: the values
/// both methods estimate with 2000 resamples.
fn exact_bootstrap_quantiles(hist: &[u64; 5], lo_p: f64, hi_p: f64) -> (f64, f64) {
    let n: u64 = hist.iter().sum();
    let p: [f64; 5] = std::array::from_fn(|k| hist[k] as f64 / n as f64);
    let mut d = boot::Dist::one();
    for _ in 0..n {
        d = d.add_draw(&p);
    }
    let quantile = |q: f64| {
        let mut f = 0.0;
        for (i, m) in d.mass.iter().enumerate() {
            f += m;
            if f >= q {
                return (n + d.lo + i as u64) as f64 / n as f64;
            }
        }
        (n + d.lo + d.mass.len() as u64 - 1) as f64 / n as f64
    };
    (quantile(lo_p), quantile(hi_p))
}

#[test]
fn block_sums_agree_with_answer_by_answer_resampling() {
    // n in the thousands; the two methods draw different random streams
    // from the same distribution of the resample sum, so their CIs differ
    // by Monte Carlo error only: with B = 2000 the sd of a 2.5% quantile is
    // about 0.06 standard errors of the mean; the tolerance is 0.3 standard
    // errors (and both are as close to the exact bootstrap quantiles).
    let hists: [[u64; 5]; 6] = [
        [300, 500, 1200, 1500, 1500],
        [0, 0, 2000, 0, 1000],
        [1000, 0, 0, 0, 1000],
        [10, 20, 30, 1500, 2440],
        [400, 400, 400, 400, 400],
        [1, 0, 0, 0, 1199],
    ];
    let r = Resampler::new(2000, 0.95);
    for (i, h) in hists.iter().enumerate() {
        let n: u64 = h.iter().sum();
        assert!(n >= boot::BLOCKS_FROM);
        let mean = describe::mean(h).unwrap();
        let se = describe::sd(h).unwrap() / (n as f64).sqrt();
        let key = boot::key(20110301, &format!("ratings/study/f{i}"));
        let (bl, bh) = r.mean_ci(h, key).unwrap();
        assert_eq!(r.mean_ci_blocks(h, key), Some((bl, bh)));
        let (el, eh) = r.mean_ci_exact(h, key).unwrap();
        let (tl, th) = exact_bootstrap_quantiles(h, 0.025, 0.975);
        for (name, got, want) in [
            ("low", bl, el),
            ("high", bh, eh),
            ("low vs exact", bl, tl),
            ("high vs exact", bh, th),
        ] {
            assert!(
                (got - want).abs() <= 0.3 * se,
                "histogram {h:?}: block CI {name} {got}, expected {want} +/- {}",
                0.3 * se
            );
        }
        assert!(
            bl < mean && mean < bh,
            "histogram {h:?}: CI [{bl}, {bh}] around {mean}"
        );
        // The interval is about mean -/+ 1.96 se (not for the last, a sum
        // that is nearly Poisson).
        if i < 5 {
            assert!(
                ((bh - bl) / (2.0 * 1.96 * se) - 1.0).abs() < 0.1,
                "histogram {h:?}: width {}",
                bh - bl
            );
        }
    }
}

#[test]
fn block_sums_of_small_cells_agree_with_the_exact_bootstrap() {
    // Cells of 4 to 99 answers (every cell of the demo from 4 answers) take
    // block sums: their CI must be as close to the quantiles of the exact
    // bootstrap distribution (the n-fold convolution) as answer-by-answer
    // resampling is, within Monte Carlo error (0.3 standard errors) plus
    // one step of the discrete mean (at most the answers' spread / n).
    let r = Resampler::new(2000, 0.95);
    let mut state = 99u64;
    for n in [4u64, 5, 7, 12, 20, 33, 50, 78, 99] {
        for shape in [
            [3u64, 10, 35, 70, 100],
            [50, 50, 50, 50, 100],
            [0, 0, 60, 60, 100],
        ] {
            let mut h = [0u64; 5];
            for _ in 0..n {
                state = boot::mix(state.wrapping_add(1));
                h[shape.iter().position(|&t| state % 100 < t).unwrap()] += 1;
            }
            let key = boot::key(20110301, &format!("ratings/site_group/{n}/{state}"));
            let (bl, bh) = r.mean_ci(&h, key).unwrap();
            assert_eq!(r.mean_ci_blocks(&h, key), Some((bl, bh)));
            let (el, eh) = r.mean_ci_exact(&h, key).unwrap();
            let (tl, th) = exact_bootstrap_quantiles(&h, 0.025, 0.975);
            let se = describe::sd(&h).unwrap_or(0.0) / (n as f64).sqrt();
            // The sum moves in steps of up to the spread of the answers.
            let first = h.iter().position(|&c| c > 0).unwrap();
            let last = h.iter().rposition(|&c| c > 0).unwrap();
            let tolerance = 0.3 * se + (last - first) as f64 / n as f64;
            for (name, got, want) in [
                ("low vs exact", bl, tl),
                ("high vs exact", bh, th),
                ("answer by answer low vs exact", el, tl),
                ("answer by answer high vs exact", eh, th),
            ] {
                assert!(
                    (got - want).abs() <= tolerance,
                    "histogram {h:?}: {name} {got}, expected {want} +/- {tolerance}"
                );
            }
            let mean = describe::mean(&h).unwrap();
            assert!(bl <= mean && mean <= bh, "histogram {h:?}: [{bl}, {bh}]");
        }
    }
}

#[test]
fn block_sums_are_identical_across_thread_counts() {
    // 2,000 ratings at one site: every scope's cell takes the block path.
    let ids: Vec<String> = (0..2000).map(|i| format!("P{i:04}")).collect();
    let rows: Vec<Row> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let group = model::Group::ALL[i % 5].code();
            (
                id.as_str(),
                "Site A",
                "statutory",
                group,
                "pay",
                None,
                Some((boot::mix(i as u64) % 5) as i8 + 1),
                None,
            )
        })
        .collect();
    let data = answers(&rows);
    let s = settings(&Scope::ALL, &["pay"], 3);
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let three = rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .unwrap();
    let a = one.install(|| ratings_summary(&data, &s)).unwrap();
    let b = three.install(|| ratings_summary(&data, &s)).unwrap();
    assert_eq!(a, b);
    let n = u32s(&a, "n");
    assert!(
        n.iter()
            .flatten()
            .all(|&n| u64::from(n) >= boot::BLOCKS_FROM)
    );
    // Published cells (all but the empty voluntary sector) each have a CI
    // around their mean.
    let (lo, hi, mean, sd) = (
        f64s(&a, "ci_low"),
        f64s(&a, "ci_high"),
        f64s(&a, "mean"),
        f64s(&a, "sd"),
    );
    assert_eq!(n.iter().filter(|n| n.is_none()).count(), 1);
    for i in (0..a.num_rows()).filter(|&i| n[i].is_some()) {
        let (l, h, m) = (lo[i].unwrap(), hi[i].unwrap(), mean[i].unwrap());
        let width = 2.0 * 1.96 * sd[i].unwrap() / f64::from(n[i].unwrap()).sqrt();
        assert!(
            l < m && m < h && ((h - l) / width - 1.0).abs() < 0.15,
            "row {i}: [{l}, {h}] around {m}"
        );
    }
}

// ----------------------------------------------- disclosure at scale

/// A random grid-like system: `sites` sites with 5 groups, random counts
/// (many small), random published scopes.
fn random_system(seed: u64, sites: usize) -> (Vec<u64>, Vec<bool>, Vec<(usize, Vec<usize>)>) {
    let mut state = seed;
    let mut next = || {
        state = boot::mix(state.wrapping_add(0x9E37));
        state
    };
    let layout = crate::input::Layout {
        sites: (0..sites)
            .map(|s| {
                (
                    format!("Site {s:03}"),
                    if next() % 3 == 0 {
                        model::Sector::Voluntary
                    } else {
                        model::Sector::Statutory
                    },
                )
            })
            .collect(),
        factors: vec!["f".into()],
    };
    let grid = crate::grid::Grid::new(&layout);
    let mut n = vec![0u64; grid.len()];
    for s in 0..sites {
        for g in model::Group::ALL {
            let v = match next() % 4 {
                0 => 0,
                1 => next() % 3,
                _ => next() % 9,
            };
            for c in grid.cells_of(&layout, s, g) {
                n[c] += v;
            }
        }
    }
    let scopes: Vec<Scope> = Scope::ALL.into_iter().filter(|_| next() % 4 != 0).collect();
    let published = grid
        .cells
        .iter()
        .map(|c| scopes.contains(&c.scope))
        .collect();
    (n, published, grid.equations(&layout))
}

/// Secondary suppression with the pass-by-pass scan: the reference.
fn reference_secondary(
    n: &[u64],
    published: &[bool],
    equations: &[(usize, Vec<usize>)],
    min_cell: u32,
) -> Vec<bool> {
    let len = n.len();
    let mut suppressed: Vec<bool> = n.iter().map(|&x| x < u64::from(min_cell)).collect();
    for _ in 0..=len {
        let Some((eq, revealed)) =
            disclosure::first_revealed_by_passes(n, published, &suppressed, equations)
        else {
            return suppressed;
        };
        let candidate = |i: usize| i != revealed && published[i] && !suppressed[i] && n[i] > 0;
        let smallest = |cells: &mut dyn Iterator<Item = usize>| cells.min_by_key(|&i| (n[i], i));
        let (parent, children) = &equations[eq];
        let pick = smallest(&mut children.iter().copied().filter(|&i| candidate(i)))
            .or_else(|| Some(*parent).filter(|&p| candidate(p)))
            .or_else(|| smallest(&mut (0..len).filter(|&i| candidate(i))));
        match pick {
            Some(i) => suppressed[i] = true,
            None => return suppressed,
        }
    }
    suppressed
}

#[test]
fn event_driven_closure_finds_what_the_pass_by_pass_scan_finds() {
    for seed in 0..60u64 {
        let (n, published, eqs) = random_system(seed, 3 + (seed as usize % 9));
        for min_cell in [1, 3, 5] {
            assert_eq!(
                disclosure::secondary(&n, &published, &eqs, min_cell),
                reference_secondary(&n, &published, &eqs, min_cell),
                "seed {seed}, min_cell {min_cell}"
            );
            // Every intermediate state too: the first revealed cell and relation.
            let mut suppressed: Vec<bool> = n.iter().map(|&x| x < u64::from(min_cell)).collect();
            let system = disclosure::System::new(n.len(), &eqs);
            for i in 0..n.len() {
                assert_eq!(
                    system.first_revealed(&n, &published, &suppressed),
                    disclosure::first_revealed_by_passes(&n, &published, &suppressed, &eqs),
                    "seed {seed}, step {i}"
                );
                suppressed[(boot::mix(seed * 1000 + i as u64) % n.len() as u64) as usize] ^= true;
            }
        }
    }
}

#[test]
fn incremental_publishing_decides_as_a_check_from_scratch() {
    for seed in 0..40u64 {
        let (n, _, eqs) = random_system(seed + 100, 2 + (seed as usize % 7));
        let all = vec![true; n.len()];
        let base_sup = disclosure::secondary(&n, &all, &eqs, 3);
        // Extras: sums of random sets of the site x group cells (the last 5 * sites cells).
        let sites = (n.len() - 8) / 6;
        let first_sg = n.len() - 5 * sites;
        let extras: Vec<(u64, Vec<usize>)> = (0..12u64)
            .map(|j| {
                let parts: Vec<usize> = (first_sg..n.len())
                    .filter(|&c| boot::mix(seed * 77 + j * 13 + c as u64).is_multiple_of(3))
                    .collect();
                (parts.iter().map(|&c| n[c]).sum(), parts)
            })
            .collect();
        // The reference: the whole system checked again for every extra.
        let base = n.len();
        let mut nn = n.clone();
        let mut published = vec![true; base];
        let mut suppressed = base_sup.clone();
        let mut all_eqs = eqs.clone();
        for (j, (count, parts)) in extras.iter().enumerate() {
            nn.push(*count);
            published.push(false);
            suppressed.push(false);
            all_eqs.push((base + j, parts.clone()));
        }
        let mut want = vec![false; extras.len()];
        for (j, (count, _)) in extras.iter().enumerate() {
            if *count < 3 {
                continue;
            }
            published[base + j] = true;
            if disclosure::first_revealed_by_passes(&nn, &published, &suppressed, &all_eqs)
                .is_some()
            {
                published[base + j] = false;
            } else {
                want[j] = true;
            }
        }
        assert_eq!(
            util::publishable(&n, &base_sup, &eqs, &extras, 3),
            want,
            "seed {seed}"
        );
    }
}
