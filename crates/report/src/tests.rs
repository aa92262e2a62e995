//! Reports rendered from tiny hand-built tables: what each output says,
//! what it must never show, and that the same input gives the same bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Float64Array, RecordBatch, StringArray, UInt32Array};

use super::*;

const FRAMEWORK: &str = r#"
version = "1.0"
[[domain]]
code = "role"
label = "Role definition"
[[factor]]
code = "clarity"
domain = "role"
label = "Clarity of the role"
condition = "The role is clearly defined"
[[factor]]
code = "distinct"
domain = "role"
label = "Distinct expertise"
condition = "Peer workers have distinct tasks"
[[outcome]]
code = "out_benefit"
label = "Peer workers deliver benefits"
hypothesis = "iii"
[[group]]
code = "peer_worker"
label = "Peer workers"
member = "peer worker"
[[group]]
code = "service_user"
label = "Service users"
[[group]]
code = "managers"
label = "Managers (team and senior)"
"#;

/// The interview dictionary's coded fields that the report's words come from.
fn dictionary(groups: &[(&str, &str)], outcome: &[(&str, &str)]) -> model::Dictionary {
    model::Dictionary {
        path: "redcap/interview_dictionary.csv".into(),
        fields: vec![
            model::Field::dropdown("stakeholder_group", "Stakeholder group", groups),
            model::Field::dropdown(
                "pm_clarity",
                "In place at this service?",
                &[
                    ("1", "In place"),
                    ("2", "Partly in place"),
                    ("3", "Not in place"),
                    ("9", "Don't know"),
                ],
            ),
            model::Field::dropdown("out_benefit", "Benefits", outcome),
        ],
    }
}

const GROUPS: [(&str, &str); 5] = [
    ("1", "Peer worker"),
    ("2", "Mental health professional"),
    ("3", "Service user"),
    ("4", "Team manager"),
    ("5", "Senior manager"),
];
const OUTCOME: [(&str, &str); 4] = [
    ("1", "Yes"),
    ("2", "Partly"),
    ("3", "No"),
    ("9", "Don't know"),
];

fn labels(framework: &Framework) -> Labels {
    Labels::new(&dictionary(&GROUPS, &OUTCOME), framework)
}

fn s(v: &[Option<&str>]) -> ArrayRef {
    Arc::new(StringArray::from(v.to_vec()))
}
fn u(v: &[Option<u32>]) -> ArrayRef {
    Arc::new(UInt32Array::from(v.to_vec()))
}
fn f(v: &[Option<f64>]) -> ArrayRef {
    Arc::new(Float64Array::from(v.to_vec()))
}
fn b(v: &[bool]) -> ArrayRef {
    Arc::new(BooleanArray::from(v.to_vec()))
}
fn batch(columns: Vec<(&str, ArrayRef)>) -> RecordBatch {
    RecordBatch::try_from_iter(columns).expect("a valid test batch")
}

/// Two sites (B awaited), ratings for the study and two groups (service
/// users too few: suppressed), top three, the pattern matrix, replication,
/// tensions and pooled quotes.
fn tables(with_counts: bool) -> BTreeMap<String, RecordBatch> {
    let mut t = BTreeMap::new();
    t.insert(
        "sites".into(),
        batch(vec![
            ("site", s(&[Some("Site A"), Some("Site B")])),
            ("sector", s(&[Some("statutory"), Some("voluntary")])),
            ("partnership", b(&[true, false])),
            ("bme_focus", b(&[false, true])),
            ("region", s(&[Some("North"), Some("South")])),
            ("wave", u(&[Some(1), Some(2)])),
            ("has_data", b(&[true, false])),
        ]),
    );
    let scopes = [
        Some("study"),
        Some("group"),
        Some("group"),
        Some("site"),
        Some("study"),
        Some("group"),
        Some("group"),
        Some("site"),
    ];
    let groups = [
        None,
        Some("peer_worker"),
        Some("service_user"),
        None,
        None,
        Some("peer_worker"),
        Some("service_user"),
        None,
    ];
    let sites = [
        None,
        None,
        None,
        Some("Site A"),
        None,
        None,
        None,
        Some("Site A"),
    ];
    let factors = [Some("clarity"); 4]
        .into_iter()
        .chain([Some("distinct"); 4])
        .collect::<Vec<_>>();
    let n = [
        Some(12),
        Some(10),
        None,
        Some(12),
        Some(11),
        Some(9),
        None,
        Some(11),
    ];
    let suppressed = [false, false, true, false, false, false, true, false];
    let figure: Vec<String> = (0..8)
        .map(|i| match (scopes[i], groups[i], sites[i]) {
            (Some("group"), Some(g), _) => {
                format!("ratings/group/{g}/{}", factors[i].unwrap_or(""))
            }
            (Some("site"), _, Some(site)) => {
                format!("ratings/site/{site}/{}", factors[i].unwrap_or(""))
            }
            _ => format!("ratings/study/{}", factors[i].unwrap_or("")),
        })
        .collect();
    let mut columns = vec![
        ("scope", s(&scopes)),
        ("site", s(&sites)),
        ("sector", s(&[None; 8])),
        ("group", s(&groups)),
        ("factor", s(&factors)),
        ("n", u(&n)),
        (
            "mean",
            f(&[
                Some(4.25),
                Some(4.5),
                None,
                Some(4.25),
                Some(3.0),
                Some(2.875),
                None,
                Some(3.0),
            ]),
        ),
        (
            "median",
            f(&[
                Some(4.0),
                Some(4.5),
                None,
                Some(4.0),
                Some(3.0),
                Some(3.0),
                None,
                Some(3.0),
            ]),
        ),
        (
            "pct_high",
            f(&[
                Some(75.0),
                Some(80.0),
                None,
                Some(75.0),
                Some(27.3),
                Some(22.2),
                None,
                Some(27.3),
            ]),
        ),
        (
            "ci_low",
            f(&[
                Some(3.9),
                Some(4.1),
                None,
                Some(3.9),
                Some(2.5),
                Some(2.3),
                None,
                Some(2.5),
            ]),
        ),
        (
            "ci_high",
            f(&[
                Some(4.6),
                Some(4.9),
                None,
                Some(4.6),
                Some(3.5),
                Some(3.4),
                None,
                Some(3.5),
            ]),
        ),
    ];
    if with_counts {
        let counts: [[Option<u32>; 8]; 5] = [
            [
                Some(0),
                Some(0),
                None,
                Some(0),
                Some(1),
                Some(1),
                None,
                Some(1),
            ],
            [
                Some(1),
                Some(0),
                None,
                Some(1),
                Some(2),
                Some(2),
                None,
                Some(2),
            ],
            [
                Some(2),
                Some(2),
                None,
                Some(2),
                Some(5),
                Some(4),
                None,
                Some(5),
            ],
            [
                Some(2),
                Some(1),
                None,
                Some(2),
                Some(2),
                Some(1),
                None,
                Some(2),
            ],
            [
                Some(7),
                Some(7),
                None,
                Some(7),
                Some(1),
                Some(1),
                None,
                Some(1),
            ],
        ];
        for (k, name) in ["rated_1", "rated_2", "rated_3", "rated_4", "rated_5"]
            .into_iter()
            .enumerate()
        {
            columns.push((name, u(&counts[k])));
        }
    }
    columns.push(("suppressed", b(&suppressed)));
    columns.push((
        "figure_id",
        s(&figure.iter().map(|x| Some(x.as_str())).collect::<Vec<_>>()),
    ));
    t.insert("ratings_summary".into(), batch(columns));
    t.insert(
        "top3_frequency".into(),
        batch(vec![
            (
                "scope",
                s(&[
                    Some("study"),
                    Some("study"),
                    Some("group"),
                    Some("site"),
                    Some("site"),
                ]),
            ),
            (
                "site",
                s(&[None, None, None, Some("Site A"), Some("Site A")]),
            ),
            ("group", s(&[None, None, Some("peer_worker"), None, None])),
            (
                "factor",
                s(&[
                    Some("clarity"),
                    Some("distinct"),
                    Some("clarity"),
                    Some("clarity"),
                    Some("distinct"),
                ]),
            ),
            (
                "respondents",
                u(&[Some(12), Some(12), Some(10), Some(12), Some(12)]),
            ),
            (
                "mentions",
                u(&[Some(6), Some(3), Some(5), Some(6), Some(3)]),
            ),
            ("first", u(&[Some(3), Some(1), Some(2), Some(3), Some(1)])),
            ("second", u(&[Some(2), Some(1), Some(2), Some(2), Some(1)])),
            ("third", u(&[Some(1), Some(1), Some(1), Some(1), Some(1)])),
            (
                "score",
                u(&[Some(14), Some(6), Some(11), Some(14), Some(6)]),
            ),
            (
                "pct_mentions",
                f(&[Some(50.0), Some(25.0), Some(50.0), Some(50.0), Some(25.0)]),
            ),
            ("suppressed", b(&[false, false, false, false, false])),
            (
                "figure_id",
                s(&[
                    Some("top3/study/clarity"),
                    Some("top3/study/distinct"),
                    Some("top3/group/peer_worker/clarity"),
                    Some("top3/site/Site A/clarity"),
                    Some("top3/site/Site A/distinct"),
                ]),
            ),
        ]),
    );
    t.insert(
        "pattern_matrix".into(),
        batch(vec![
            ("site", s(&[Some("Site A"), Some("Site A")])),
            ("factor", s(&[Some("clarity"), Some("distinct")])),
            ("condition", s(&[Some("not_in_place"), Some("in_place")])),
            ("doc_status", s(&[Some("addressed"), Some("no_evidence")])),
            (
                "fidelity",
                s(&[Some("fidelity_gap"), Some("undocumented_practice")]),
            ),
            (
                "figure_id",
                s(&[
                    Some("patterns/Site A/clarity"),
                    Some("patterns/Site A/distinct"),
                ]),
            ),
        ]),
    );
    t.insert(
        "replication".into(),
        batch(vec![
            ("factor", s(&[Some("clarity"), Some("distinct")])),
            ("sites_in_place", u(&[Some(0), Some(1)])),
            ("sites_partly", u(&[Some(0), Some(0)])),
            ("sites_not_in_place", u(&[Some(1), Some(0)])),
            ("sites_contested", u(&[Some(0), Some(0)])),
            ("statutory_in_place", u(&[Some(0), Some(1)])),
            ("statutory_sites", u(&[Some(1), Some(1)])),
            ("voluntary_in_place", u(&[Some(0), Some(0)])),
            ("voluntary_sites", u(&[Some(0), Some(0)])),
            (
                "classification",
                s(&[Some("insufficient"), Some("insufficient")]),
            ),
            (
                "alternative_patterns",
                s(&[Some("Site A: not_in_place"), None]),
            ),
            (
                "figure_id",
                s(&[Some("replication/clarity"), Some("replication/distinct")]),
            ),
        ]),
    );
    t.insert(
        "tensions".into(),
        batch(vec![
            ("scope", s(&[Some("study"), Some("site")])),
            ("site", s(&[None, Some("Site A")])),
            ("sector", s(&[None, Some("statutory")])),
            ("group_a", s(&[Some("peer_worker"), Some("peer_worker")])),
            ("group_b", s(&[Some("managers"), Some("service_user")])),
            ("factor", s(&[Some("clarity"), Some("clarity")])),
            ("mean_a", f(&[Some(4.5), None])),
            ("mean_b", f(&[Some(3.25), None])),
            ("difference", f(&[Some(1.25), None])),
            ("pattern_disagree", b(&[true, true])),
            ("flagged", b(&[true, false])),
            ("suppressed", b(&[false, true])),
            (
                "figure_id",
                s(&[
                    Some("tensions/study/peer_worker~managers/clarity"),
                    Some("tensions/site/Site A/peer_worker~service_user/clarity"),
                ]),
            ),
        ]),
    );
    t.insert(
        "quotes".into(),
        batch(vec![
            ("theme", s(&[Some("clarity")])),
            ("group", s(&[Some("peer_worker")])),
            (
                "exemplar_1",
                s(&[Some("Nobody knew what we were for | at first.")]),
            ),
            ("label_1", s(&[Some("Peer worker, statutory sector")])),
            ("exemplar_2", s(&[None])),
            ("label_2", s(&[None])),
            ("figure_id", s(&[Some("quotes/clarity/peer_worker")])),
        ]),
    );
    t.insert("framework_matrix".into(), framework_matrix());
    t
}

/// The framework matrix of the tiny study: the study's, a sector's and two
/// groups' rows (one suppressed), and Site A's, one suppressed and one
/// carrying a quote the table would never publish (planted: no document
/// may show it).
fn framework_matrix() -> RecordBatch {
    let study_quote = Some("We all knew what the role was for.");
    let pw = Some("Peer worker, statutory sector");
    batch(vec![
        (
            "scope",
            s(&[
                Some("study"),
                Some("study"),
                Some("study"),
                Some("sector"),
                Some("group"),
                Some("group"),
                Some("site"),
                Some("site"),
                Some("site"),
            ]),
        ),
        (
            "site",
            s(&[
                None,
                None,
                None,
                None,
                None,
                None,
                Some("Site A"),
                Some("Site A"),
                Some("Site A"),
            ]),
        ),
        (
            "sector",
            s(&[
                None,
                None,
                None,
                Some("statutory"),
                None,
                None,
                Some("statutory"),
                Some("statutory"),
                Some("statutory"),
            ]),
        ),
        (
            "group",
            s(&[
                None,
                None,
                None,
                None,
                Some("peer_worker"),
                Some("service_user"),
                None,
                None,
                None,
            ]),
        ),
        (
            "theme",
            s(&[
                Some("clarity"),
                Some("distinct"),
                Some("bme"),
                Some("clarity"),
                Some("clarity"),
                Some("clarity"),
                Some("clarity"),
                Some("distinct"),
                Some("bme"),
            ]),
        ),
        (
            "segments",
            u(&[
                Some(15),
                Some(9),
                Some(4),
                Some(15),
                Some(6),
                None,
                Some(15),
                None,
                Some(4),
            ]),
        ),
        (
            "participants",
            u(&[
                Some(12),
                Some(7),
                Some(4),
                Some(12),
                Some(5),
                None,
                Some(12),
                None,
                Some(4),
            ]),
        ),
        (
            "suppressed",
            b(&[false, false, false, false, false, true, false, true, false]),
        ),
        (
            "exemplar_1",
            s(&[
                study_quote,
                None,
                None,
                study_quote,
                Some("The job description spelt it out."),
                None,
                Some("PLANTED: a quote tied to Site A"),
                None,
                None,
            ]),
        ),
        (
            "exemplar_1_label",
            s(&[pw, None, None, pw, pw, None, pw, None, None]),
        ),
        (
            "exemplar_2",
            s(&[
                None,
                None,
                None,
                Some("Supervision made it clear."),
                None,
                None,
                None,
                None,
                None,
            ]),
        ),
        (
            "exemplar_2_label",
            s(&[
                None,
                None,
                None,
                Some("Team manager, statutory sector"),
                None,
                None,
                None,
                None,
                None,
            ]),
        ),
        (
            "figure_id",
            s(&[
                Some("framework/study/clarity"),
                Some("framework/study/distinct"),
                Some("framework/study/bme"),
                Some("framework/sector/statutory/clarity"),
                Some("framework/group/peer_worker/clarity"),
                Some("framework/group/service_user/clarity"),
                Some("framework/site/Site A/clarity"),
                Some("framework/site/Site A/distinct"),
                Some("framework/site/Site A/bme"),
            ]),
        ),
    ])
}

/// The tiny study's report input from these parts.
fn input<'a>(
    framework: &'a Framework,
    labels: &'a Labels,
    demo_key: bool,
    owned: &'a BTreeMap<String, RecordBatch>,
) -> ReportInput<'a> {
    ReportInput {
        study_name: "Tiny study",
        framework,
        labels,
        min_cell: 3,
        pipeline_name: "tiny",
        methods: methods(),
        demo_key,
        tables: owned.iter().map(|(k, v)| (k.clone(), v)).collect(),
    }
}

fn render_with<T>(with_counts: bool, demo_key: bool, f: impl FnOnce(&ReportInput) -> T) -> T {
    let framework =
        Framework::parse(FRAMEWORK, "framework.toml").expect("the test framework parses");
    let owned = tables(with_counts);
    let labels = labels(&framework);
    let input = input(&framework, &labels, demo_key, &owned);
    f(&input)
}

/// Two stages of a run, as the pipeline's registry words them.
fn methods() -> Vec<StageMethod> {
    let settings = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    vec![
        StageMethod {
            id: "ratings_summary".into(),
            kind: "ratings.summary".into(),
            from: vec!["clean".into()],
            text: "Means of the valid ratings. The 90% confidence interval of a mean is a percentile bootstrap of 500 resamples.".into(),
            settings: settings(&[("bootstrap_resamples", "500"), ("confidence", "0.9")]),
        },
        StageMethod {
            id: "qca".into(),
            kind: "patterns.qca".into(),
            from: vec!["clean".into(), "pattern_matrix".into(), "outcomes".into()],
            text: "Crisp-set consistency & coverage.".into(),
            settings: Vec::new(),
        },
    ]
}

fn render<T>(f: impl FnOnce(&ReportInput) -> T) -> T {
    render_with(true, false, f)
}

/// Element ids that appear more than once in an HTML document.
fn duplicate_ids(html: &str) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut twice = Vec::new();
    for part in html.split(" id=\"").skip(1) {
        let id = part.split('"').next().unwrap_or("").to_string();
        if !seen.insert(id.clone()) {
            twice.push(id);
        }
    }
    twice
}

#[test]
fn synthesis_markdown_is_pinned() {
    let md = render(synthesis_markdown).expect("renders");
    insta::assert_snapshot!("synthesis_markdown", md);
}

#[test]
fn synthesis_says_the_same_in_markdown_and_html() {
    let (md, html) = render(|i| (synthesis_markdown(i).unwrap(), synthesis_html(i).unwrap()));
    for said in [
        "Site B",
        "awaited",
        "Data awaited from: Site B",
        "ratings/group/service_user/clarity",
        "replication/clarity",
        "patterns/Site A/clarity",
        "tensions/study/peer_worker~managers/clarity",
        "Peer worker, statutory sector",
        "The 90% confidence interval of a mean is a percentile bootstrap of 500 resamples.",
        "reading clean, pattern_matrix and outcomes",
    ] {
        assert!(md.contains(said), "markdown lacks {said:?}");
        assert!(html.contains(said), "html lacks {said:?}");
    }
    // The methods section: each stage in words, with its settings as written.
    assert!(
        md.contains(
            "1. **ratings_summary** (`ratings.summary`, reading clean): Means of the valid ratings."
        ),
        "{md}"
    );
    assert!(
        md.contains("Settings: `bootstrap_resamples = 500; confidence = 0.9`."),
        "{md}"
    );
    assert!(md.contains("2. **qca** (`patterns.qca`, reading clean, pattern_matrix and outcomes): Crisp-set consistency & coverage.\n"), "{md}");
    assert!(html.contains("<li><strong>ratings_summary</strong> (<code>ratings.summary</code>, reading clean): Means"), "{html}");
    assert!(
        html.contains("Settings: <code>bootstrap_resamples = 500; confidence = 0.9</code>."),
        "{html}"
    );
    assert!(
        html.contains("Crisp-set consistency &amp; coverage."),
        "escaped: {html}"
    );
    // A suppressed group shows as suppressed and never with a number.
    assert!(md.contains("| Service users | suppressed |"), "{md}");
    // Quotes keep their text but cannot break a Markdown table or quote.
    assert!(md.contains("Nobody knew what we were for \\| at first."));
}

#[test]
fn html_is_self_contained_and_every_figure_is_an_anchor() {
    let html = render(synthesis_html).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        html.contains("content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"")
    );
    // Only the SVG namespace looks like an address, and `url(` only names
    // a pattern defined in the page (`url(#...)`).
    let checked = html
        .replace("http://www.w3.org/2000/svg", "")
        .replace("url(#", "");
    for banned in ["<script", "http://", "https://", "@import", "url("] {
        assert!(
            !checked.contains(banned),
            "the report must not contain {banned:?}"
        );
    }
    assert_eq!(duplicate_ids(&html), Vec::<String>::new());
    // Chart marks carry the figure id; table rows link to them with a tooltip.
    assert!(html.contains("id=\"fig-ratings-group-peer_worker-clarity\""));
    assert!(html.contains("href=\"#fig-ratings-group-peer_worker-clarity\" title=\"figure_id: ratings/group/peer_worker/clarity\""));
    // A figure shown only in a table is an anchor there.
    assert!(html.contains(
        "<a class=\"fig\" id=\"fig-replication-clarity\" href=\"#fig-replication-clarity\""
    ));
}

#[test]
fn importance_is_a_likert_chart_when_counts_are_published_and_bars_otherwise() {
    let with = render_with(true, false, synthesis_html).unwrap();
    let without = render_with(false, false, synthesis_html).unwrap();
    assert!(
        with.contains("Importance ratings from 1 (not at all important) to 5"),
        "a Likert text alternative"
    );
    assert!(!with.contains("does not publish the count of each rating"));
    assert!(without.contains("does not publish the count of each rating"));
    assert!(without.contains("ratings/group/peer_worker/clarity/pct_high"));
}

#[test]
fn site_packs_cover_sites_with_data_and_list_awaited_ones() {
    let packs = render(site_packs).unwrap();
    let names: Vec<&str> = packs.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["index.html", "index.md", "site-a.html", "site-a.md"]
    );
    let index = &packs[1].1;
    assert!(
        index.contains("| Site B | awaited: no data yet |"),
        "{index}"
    );
    let md = &packs[3].1;
    insta::assert_snapshot!("site_pack_markdown", md);
    // The site's suppressed pair of groups is not shown at all.
    assert!(!md.contains("tensions/site/Site A/peer_worker~service_user/clarity"));
    assert_eq!(duplicate_ids(&packs[2].1), Vec::<String>::new());
}

#[test]
fn a_site_pack_shows_its_framework_matrix_row_beside_the_studys_and_no_quote() {
    let packs = render(site_packs).unwrap();
    let (html, md) = (&packs[2].1, &packs[3].1);
    assert!(
        md.contains(
            "| Clarity of the role | 12 | 15 | `framework/site/Site A/clarity` | 12 | 15 | `framework/study/clarity` |"
        ),
        "{md}"
    );
    // Suppressed as the table says, and the study's figure still shown.
    assert!(md.contains(
        "| Distinct expertise | suppressed | – | `framework/site/Site A/distinct` | 7 | 9 | `framework/study/distinct` |"
    ));
    assert!(md.contains(
        "| Experiences of Black and minority ethnic (BME) people | 4 | 4 | `framework/site/Site A/bme` | 4 | 4 | `framework/study/bme` |"
    ));
    // No outcome has a site row: no outcomes heading.
    assert!(md.contains("### Role definition") && !md.contains("### Outcomes"));
    for doc in [html, md] {
        assert!(!doc.contains("PLANTED"), "a site's quote is never shown");
        assert!(
            !doc.contains("We all knew"),
            "no transcript quote in a pack"
        );
    }
    assert!(html.contains("<td>suppressed</td>"));
    assert_eq!(duplicate_ids(html), Vec::<String>::new());
}

#[test]
fn the_handbook_quotes_transcripts_first_then_the_data_sheets_each_once() {
    let pages = render(handbook).unwrap();
    let role = &pages[1].1;
    let quoted: Vec<&str> = role.lines().filter(|l| l.starts_with("> ")).collect();
    assert_eq!(
        quoted,
        [
            "> We all knew what the role was for. — *Peer worker, statutory sector*, from an interview transcript (`framework/study/clarity`)",
            "> Supervision made it clear. — *Team manager, statutory sector*, from an interview transcript (`framework/sector/statutory/clarity`)",
            "> The job description spelt it out. — *Peer worker, statutory sector*, from an interview transcript (`framework/group/peer_worker/clarity`)",
            "> Nobody knew what we were for \\| at first. — *Peer worker, statutory sector*, from the interview data sheet (`quotes/clarity/peer_worker`)",
        ]
    );
    assert!(!role.contains("PLANTED"));
}

#[test]
fn handbook_has_a_page_per_domain() {
    let pages = render(handbook).unwrap();
    let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["index.md", "role.md"]);
    insta::assert_snapshot!("handbook_role", pages[1].1);
}

#[test]
fn workbook_holds_the_result_tables_and_is_deterministic() {
    let (one, two) = render(|i| (workbook(i).unwrap(), workbook(i).unwrap()));
    assert!(one.starts_with(b"PK\x03\x04"), "a zip file");
    assert_eq!(one, two);
    let labels = render(xlsx::labels);
    assert_eq!(labels.column_label("group"), Some("Stakeholder group"));
    let groups: Vec<(&str, &str)> = labels.value_labels("group").collect();
    assert_eq!(groups[0], ("peer_worker", "Peer worker"));
    assert!(
        labels
            .value_labels("factor")
            .any(|(c, l)| c == "clarity" && l == "Clarity of the role")
    );
    assert!(
        labels
            .value_labels("condition")
            .any(|(c, l)| c == "in_place" && l == "In place")
    );
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let a = render(|i| {
        (
            synthesis_markdown(i).unwrap(),
            synthesis_html(i).unwrap(),
            site_packs(i).unwrap(),
            handbook(i).unwrap(),
        )
    });
    let b = render(|i| {
        (
            synthesis_markdown(i).unwrap(),
            synthesis_html(i).unwrap(),
            site_packs(i).unwrap(),
            handbook(i).unwrap(),
        )
    });
    assert!(a == b);
}

/// Every text column of every table dictionary-encoded, as the model's
/// categorical columns are.
fn coded(tables: BTreeMap<String, RecordBatch>) -> BTreeMap<String, RecordBatch> {
    tables
        .into_iter()
        .map(|(name, batch)| {
            let columns =
                batch
                    .schema_ref()
                    .fields()
                    .iter()
                    .zip(batch.columns())
                    .map(|(field, column)| {
                        let column = match model::column::Text::of(column.as_ref()) {
                            Some(text) => model::column::categories(text.iter()),
                            None => column.clone(),
                        };
                        (field.name().clone(), column)
                    });
            (
                name,
                RecordBatch::try_from_iter(columns).expect("a valid coded batch"),
            )
        })
        .collect()
}

#[test]
fn dictionary_encoded_text_renders_the_same_bytes() {
    let framework =
        Framework::parse(FRAMEWORK, "framework.toml").expect("the test framework parses");
    let labels = labels(&framework);
    let render_all = |owned: &BTreeMap<String, RecordBatch>| {
        let input = input(&framework, &labels, false, owned);
        (
            synthesis_markdown(&input).unwrap(),
            synthesis_html(&input).unwrap(),
            site_packs(&input).unwrap(),
            handbook(&input).unwrap(),
            workbook(&input).unwrap(),
        )
    };
    let coded_tables = coded(tables(true));
    let text = coded_tables["sites"]
        .column_by_name("site")
        .expect("a site column");
    assert!(
        model::column::is_category(text.data_type()),
        "the test encodes text"
    );
    let (plain, coded) = (render_all(&tables(true)), render_all(&coded_tables));
    assert!(plain.0 == coded.0, "markdown");
    assert!(plain.1 == coded.1, "html");
    assert!(plain.2 == coded.2, "site packs");
    assert!(plain.3 == coded.3, "handbook");
    assert!(plain.4 == coded.4, "workbook");
}

#[test]
fn no_tables_and_no_pipeline_still_render_something() {
    let framework = Framework::parse(FRAMEWORK, "framework.toml").unwrap();
    let labels = Labels::default();
    let input = ReportInput {
        study_name: "Empty",
        framework: &framework,
        labels: &labels,
        min_cell: 3,
        pipeline_name: "empty",
        methods: Vec::new(),
        demo_key: false,
        tables: BTreeMap::new(),
    };
    let md = synthesis_markdown(&input).unwrap();
    assert!(md.contains("No site register among the report's inputs."));
    assert!(synthesis_html(&input).is_ok());
    assert_eq!(site_packs(&input).unwrap().len(), 2, "just the index");
    assert!(handbook(&input).is_ok());
    assert!(workbook(&input).is_ok());
}

/// A study that words its groups and answers otherwise reads its own words
/// in every document (none of the words above), and the codes stay codes.
#[test]
fn every_document_speaks_the_studys_own_words() {
    let text = &FRAMEWORK[..FRAMEWORK.find("[[group]]").expect("groups")];
    let framework = Framework::parse(text, "framework.toml").expect("parses");
    let groups = [
        ("1", "Peer support worker"),
        ("2", "Clinician"),
        ("3", "Person using the service"),
        ("4", "Team leader"),
        ("5", "Director"),
    ];
    let labels = Labels::new(&dictionary(&groups, &OUTCOME), &framework);
    let owned = tables(true);
    let input = input(&framework, &labels, false, &owned);
    let mut documents = vec![
        (
            "synthesis.md".to_string(),
            synthesis_markdown(&input).unwrap(),
        ),
        (
            "synthesis.html".to_string(),
            synthesis_html(&input).unwrap(),
        ),
    ];
    documents.extend(site_packs(&input).unwrap());
    documents.extend(handbook(&input).unwrap());
    let said = |name: &str, words: &str| {
        documents
            .iter()
            .any(|(n, text)| n.as_str() == name && text.contains(words))
    };
    for name in ["synthesis.md", "synthesis.html", "role.md"] {
        assert!(said(name, "Peer support worker"), "{name}");
    }
    assert!(said(
        "synthesis.md",
        "| whole study | Clarity of the role | Peer support worker | Team leader and Director, pooled |"
    ));
    assert!(said(
        "synthesis.md",
        "| Person using the service | suppressed |"
    ));
    // Codes stay codes.
    assert!(said("synthesis.md", "`ratings/group/peer_worker/clarity`"));
    for (name, text) in &documents {
        // (The framework's own text says "Peer workers have distinct tasks".)
        for other in [
            "| Peer workers |",
            "Peer workers: n",
            "| Service users |",
            "Service users: suppressed",
            "Managers (team and senior)",
        ] {
            assert!(!text.contains(other), "{name} says {other:?}");
        }
    }
    let about = xlsx::labels(&input);
    let values: Vec<(&str, &str)> = about.value_labels("group_b").collect();
    assert!(values.contains(&("service_user", "Person using the service")));
    assert!(values.contains(&("managers", "Team leader and Director, pooled")));
}

/// Every document of a study that uses the public demo key says so at its
/// top, in both formats; a study with a key of its own sees no banner.
#[test]
fn the_demo_key_puts_a_banner_on_every_report_and_pack() {
    const BANNER: &str = "Warning: pseudonyms made with the public demo key are not secret.";
    let documents = |input: &ReportInput| {
        let mut all = vec![
            (
                "synthesis.md".to_string(),
                synthesis_markdown(input).unwrap(),
            ),
            ("synthesis.html".to_string(), synthesis_html(input).unwrap()),
        ];
        all.extend(
            site_packs(input)
                .unwrap()
                .into_iter()
                .map(|(n, t)| (format!("sites/{n}"), t)),
        );
        all.extend(
            handbook(input)
                .unwrap()
                .into_iter()
                .map(|(n, t)| (format!("handbook/{n}"), t)),
        );
        all
    };
    let with = render_with(true, true, documents);
    assert_eq!(
        with.len(),
        2 + 4 + 2,
        "synthesis, a pack and index in two formats, handbook page and index"
    );
    for (name, text) in &with {
        let at = text
            .find(BANNER)
            .unwrap_or_else(|| panic!("{name} has no banner"));
        let title = if name.ends_with(".html") {
            "<h1>"
        } else {
            "# "
        };
        let heading = text
            .find(title)
            .unwrap_or_else(|| panic!("{name} has no title"));
        assert!(
            heading < at && at < heading + 200,
            "{name}: the banner comes right under the title"
        );
    }
    for (name, text) in render_with(true, false, documents) {
        assert!(
            !text.contains("demo key"),
            "{name} has a banner without the demo key"
        );
    }
}

#[test]
fn p_values_below_0_0001_read_less_than_0_0001() {
    use crate::views::cells::p_value;
    assert_eq!(p_value(Some(3.2e-9)), "< 0.0001");
    assert_eq!(p_value(Some(0.0)), "< 0.0001");
    assert_eq!(p_value(Some(0.000099)), "< 0.0001");
    assert_eq!(p_value(Some(0.0001)), "0.0001");
    assert_eq!(p_value(Some(0.0412)), "0.0412");
    assert_eq!(p_value(None), "–");
    assert_eq!(p_value(Some(f64::NAN)), "–");
}

/// The tiny study's tables with a framework matrix and a joint display:
/// Site A's `clarity` spoken of by 4, its `distinct` suppressed; peer
/// workers' `clarity` by 3, service users' suppressed; `bme` study-wide by 3.
fn with_transcripts(mut t: BTreeMap<String, RecordBatch>) -> BTreeMap<String, RecordBatch> {
    let n = 7;
    t.insert(
        "framework_matrix".into(),
        batch(vec![
            (
                "scope",
                s(&[
                    Some("study"),
                    Some("study"),
                    Some("site"),
                    Some("site"),
                    Some("group"),
                    Some("group"),
                    Some("site"),
                ]),
            ),
            (
                "site",
                s(&[
                    None,
                    None,
                    Some("Site A"),
                    Some("Site A"),
                    None,
                    None,
                    Some("Site A"),
                ]),
            ),
            (
                "sector",
                s(&[
                    None,
                    None,
                    Some("statutory"),
                    Some("statutory"),
                    None,
                    None,
                    Some("statutory"),
                ]),
            ),
            (
                "group",
                s(&[
                    None,
                    None,
                    None,
                    None,
                    Some("peer_worker"),
                    Some("service_user"),
                    None,
                ]),
            ),
            (
                "theme",
                s(&[
                    Some("clarity"),
                    Some("bme"),
                    Some("clarity"),
                    Some("distinct"),
                    Some("clarity"),
                    Some("clarity"),
                    Some("bme"),
                ]),
            ),
            (
                "segments",
                u(&[Some(9), Some(4), Some(5), None, Some(4), None, None]),
            ),
            (
                "participants",
                u(&[Some(7), Some(3), Some(4), None, Some(3), None, None]),
            ),
            (
                "suppressed",
                b(&[false, false, false, true, false, true, true]),
            ),
            (
                "exemplar_1",
                s(&[
                    Some("We knew what we were for."),
                    Some("Our community's own words."),
                    None,
                    None,
                    None,
                    None,
                    None,
                ]),
            ),
            (
                "exemplar_1_label",
                s(&[
                    Some("Peer worker, statutory sector"),
                    Some("Service user, voluntary sector"),
                    None,
                    None,
                    None,
                    None,
                    None,
                ]),
            ),
            (
                "exemplar_2",
                s(&[
                    Some("The role was clear from day one."),
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                ]),
            ),
            (
                "exemplar_2_label",
                s(&[
                    Some("Service user, statutory sector"),
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                ]),
            ),
            (
                "figure_id",
                s(&[
                    Some("framework/study/clarity"),
                    Some("framework/study/bme"),
                    Some("framework/site/Site A/clarity"),
                    Some("framework/site/Site A/distinct"),
                    Some("framework/group/peer_worker/clarity"),
                    Some("framework/group/service_user/clarity"),
                    Some("framework/site/Site A/bme"),
                ]),
            ),
        ]),
    );
    assert_eq!(t["framework_matrix"].num_rows(), n);
    t.insert(
        "joint_display".into(),
        batch(vec![
            ("scope", s(&[Some("study"), Some("group")])),
            ("site", s(&[None, None])),
            ("sector", s(&[None, None])),
            ("group", s(&[None, Some("peer_worker")])),
            ("factor", s(&[Some("clarity"), Some("clarity")])),
            ("mean_importance", f(&[Some(3.875), Some(4.5)])),
            ("top3_percent", f(&[Some(40.0), Some(50.0)])),
            ("condition", s(&[None, None])),
            ("replication", s(&[Some("theoretical_replication"), None])),
            ("interviewees", u(&[Some(8), Some(3)])),
            ("participants", u(&[Some(7), Some(3)])),
            ("talk_percent", f(&[Some(87.5), Some(100.0)])),
            ("exemplar", s(&[Some("We knew what we were for."), None])),
            (
                "exemplar_label",
                s(&[Some("Peer worker, statutory sector"), None]),
            ),
            (
                "convergence",
                s(&[Some("agree"), Some("rated_high_talk_low")]),
            ),
            (
                "figure_id",
                s(&[
                    Some("joint/study/clarity"),
                    Some("joint/group/peer_worker/clarity"),
                ]),
            ),
        ]),
    );
    t
}

fn render_with_transcripts<T>(f: impl FnOnce(&ReportInput) -> T) -> T {
    let framework =
        Framework::parse(FRAMEWORK, "framework.toml").expect("the test framework parses");
    let owned = with_transcripts(tables(true));
    let labels = labels(&framework);
    let input = input(&framework, &labels, false, &owned);
    f(&input)
}

#[test]
fn the_framework_matrix_is_drawn_by_site_and_by_group_with_suppressed_cells_marked() {
    let (md, html) =
        render_with_transcripts(|i| (synthesis_markdown(i).unwrap(), synthesis_html(i).unwrap()));
    // The tables behind the charts: sites x factors, groups x factors.
    assert!(
        md.contains(
            "| Site | clarity | distinct |\n| --- | --- | --- |\n| Site A | 4 | suppressed |\n"
        ),
        "{md}"
    );
    assert!(
        md.contains("| Stakeholder group | clarity | distinct |\n| --- | --- | --- |\n| Peer workers | 3 | – |\n| Service users | suppressed | – |\n"),
        "{md}"
    );
    // The heat maps: each cell a mark with its figure id and value; the
    // suppressed ones hatched with a dash; the text alternative lists them.
    assert!(html.contains("<g id=\"fig-framework-site-Site-A-clarity\"><title>framework/site/Site A/clarity: 4</title>"));
    let suppressed = html
        .split("<g id=\"fig-framework-site-Site-A-distinct\">")
        .nth(1)
        .and_then(|g| g.split("</g>").next())
        .expect("Site A's distinct is drawn");
    assert!(suppressed.contains("suppressed (fewer than 3, or to protect such a cell)</title>"));
    assert!(suppressed.contains("-suppressed) #ffffff\"") && suppressed.contains(">–</text>"));
    assert!(
        md.contains("Site A: clarity 4; suppressed: distinct."),
        "{md}"
    );
    assert!(md.contains("Peer workers: clarity 3; no data: distinct. Service users: suppressed: clarity; no data: distinct."), "{md}");
    // Groups without any row are not drawn.
    assert!(!md.contains("| Team managers |"));
    assert_eq!(duplicate_ids(&html), Vec::<String>::new());
}

#[test]
fn the_joint_display_and_the_bme_section_say_where_each_quote_is_from() {
    let md = render_with_transcripts(|i| synthesis_markdown(i).unwrap());
    assert!(
        md.contains("| Clarity of the role | 3.88 | 40 | theoretical replication | 7 of 8 (88%) | ratings and talk agree | “We knew what we were for.” (Peer worker, statutory sector, from an interview transcript) | `joint/study/clarity` |"),
        "{md}"
    );
    assert!(
        md.contains("| Clarity of the role | Peer workers | 4.50 | 50 | 3 of 3 (100%) | rated very important, yet hardly spoken of | `joint/group/peer_worker/clarity` |"),
        "{md}"
    );
    // What interviewees said: the transcript's second exemplar (the joint
    // display quotes the first), then the data sheets' accounts.
    let said = md
        .split("#### What interviewees said")
        .nth(1)
        .expect("quotes");
    let transcript = said
        .find("> The role was clear from day one. — *Service user, statutory sector*, from an interview transcript (`framework/study/clarity`)")
        .expect("the transcript's exemplar");
    let sheet = said
        .find(", from the interview data sheet (`quotes/clarity/peer_worker`)")
        .expect("the data sheet's account");
    assert!(transcript < sheet);
    assert!(
        !said
            .split("####")
            .next()
            .unwrap_or("")
            .contains("> We knew what we were for.")
    );
    // The BME section: the `bme` theme's counts where published, its exemplar.
    let bme = md
        .split("## Accounts from BME communities")
        .nth(1)
        .expect("bme");
    assert!(
        bme.contains("| All interviewees | 3 | 4 | `framework/study/bme` |"),
        "{bme}"
    );
    assert!(
        bme.contains("| Site A | suppressed | – | `framework/site/Site A/bme` |"),
        "{bme}"
    );
    assert!(bme.contains("> Our community's own words. — *Service user, voluntary sector*, from an interview transcript (`framework/study/bme`)"), "{bme}");
}
