use std::collections::BTreeMap;
use std::sync::Arc;

use anonymise::demographics;
use arrow_array::{
    Array, ArrayRef, BooleanArray, Int8Array, RecordBatch, StringArray, UInt32Array,
};
use model::{Dictionary, Disclosure, Field, Framework, Labels, schema};

/// A dictionary's demographic fields and stakeholder groups.
fn dictionary(gender: &[(&str, &str)], ethnicity: &[(&str, &str)]) -> Dictionary {
    Dictionary {
        path: "interview_dictionary.csv".into(),
        fields: vec![
            Field::dropdown(
                "stakeholder_group",
                "Stakeholder group",
                &[
                    ("1", "Peer worker"),
                    ("2", "Professional"),
                    ("3", "Service user"),
                    ("4", "Team manager"),
                    ("5", "Senior manager"),
                ],
            ),
            Field::dropdown(
                "age_band",
                "Age",
                &[
                    ("1", "18-24"),
                    ("2", "25-34"),
                    ("3", "35-44"),
                    ("4", "45-54"),
                    ("5", "55-64"),
                    ("6", "65 or over"),
                    ("7", "Prefer not to say"),
                ],
            ),
            Field::dropdown("gender", "Gender", gender),
            Field::dropdown("ethnicity", "Ethnic group", ethnicity),
        ],
    }
}

const GENDER: [(&str, &str); 4] = [
    ("1", "Woman"),
    ("2", "Man"),
    ("3", "Non-binary or other"),
    ("4", "Prefer not to say"),
];
const ETHNICITY: [(&str, &str); 6] = [
    ("1", "White"),
    ("2", "Mixed or multiple ethnic groups"),
    ("3", "Asian or Asian British"),
    ("4", "Black, African, Caribbean or Black British"),
    ("5", "Other ethnic group"),
    ("6", "Prefer not to say"),
];

/// The demo's words: its dictionary, and its framework's group labels.
fn labels() -> Labels {
    let framework = Framework::parse(
        r#"version = "1"
domain = []
factor = []
[[group]]
code = "peer_worker"
label = "Peer workers"
[[group]]
code = "professional"
label = "Professionals"
[[group]]
code = "service_user"
label = "Service users"
[[group]]
code = "team_manager"
label = "Team managers"
[[group]]
code = "senior_manager"
label = "Senior managers"
"#,
        "framework.toml",
    )
    .unwrap();
    Labels::new(&dictionary(&GENDER, &ETHNICITY), &framework)
}

/// 14 participants: Site A (statutory) 6, Site B (statutory) 2, Site C (voluntary) 6.
fn participants() -> RecordBatch {
    let sites = [
        "Site A", "Site A", "Site A", "Site A", "Site A", "Site A", "Site B", "Site B", "Site C",
        "Site C", "Site C", "Site C", "Site C", "Site C",
    ];
    let n = sites.len();
    let sector: Vec<&str> = sites
        .iter()
        .map(|s| {
            if *s == "Site C" {
                "voluntary"
            } else {
                "statutory"
            }
        })
        .collect();
    let gender = [1, 1, 1, 2, 2, 3, 1, 2, 1, 1, 1, 1, 2, 2];
    let age = [2, 2, 2, 3, 3, 3, 4, 4, 2, 2, 3, 3, 5, 5];
    let cols: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(
            (0..n).map(|i| format!("P-{i:06}")).collect::<Vec<_>>(),
        )),
        Arc::new(StringArray::from(sites.to_vec())),
        Arc::new(StringArray::from(sector)),
        Arc::new(StringArray::from(vec!["peer_worker"; n])),
        Arc::new(Int8Array::from(
            age.iter().map(|&a| Some(a)).collect::<Vec<_>>(),
        )),
        Arc::new(Int8Array::from(
            gender.iter().map(|&g| Some(g)).collect::<Vec<_>>(),
        )),
        Arc::new(Int8Array::from(
            (0..n)
                .map(|i| if i == 0 { None } else { Some(1) })
                .collect::<Vec<_>>(),
        )),
        Arc::new(BooleanArray::from(vec![Some(true); n])),
        Arc::new(arrow_array::Int32Array::from(vec![Some(1); n])),
        Arc::new(Int8Array::from(vec![Some(2); n])),
        Arc::new(BooleanArray::from(vec![false; n])),
        Arc::new(StringArray::from(vec!["raw/a.csv"; n])),
        Arc::new(UInt32Array::from(vec![2u32; n])),
        Arc::new(StringArray::from(vec!["0123456789abcdef"; n])),
    ];
    model::column::conform(schema::participants(), cols).unwrap()
}

fn no_checkboxes() -> RecordBatch {
    RecordBatch::new_empty(schema::checkboxes())
}

/// The ticked choices `(participant index, field, choice)` of [`participants`].
fn checkboxes(ticks: &[(usize, &str, &str)]) -> RecordBatch {
    let people = participants();
    let of = |column: &str| strs(&people, column);
    let (pid, site, sector) = (of("participant"), of("site"), of("sector"));
    let n = ticks.len();
    let pick = |col: &[Option<String>]| -> ArrayRef {
        Arc::new(StringArray::from(
            ticks
                .iter()
                .map(|(i, _, _)| col[*i].clone())
                .collect::<Vec<_>>(),
        ))
    };
    let cols: Vec<ArrayRef> = vec![
        pick(&pid),
        pick(&site),
        pick(&sector),
        Arc::new(StringArray::from(vec!["peer_worker"; n])),
        Arc::new(StringArray::from(
            ticks.iter().map(|t| t.1).collect::<Vec<_>>(),
        )),
        Arc::new(StringArray::from(
            ticks.iter().map(|t| t.2).collect::<Vec<_>>(),
        )),
        Arc::new(StringArray::from(vec!["raw/a.csv"; n])),
        Arc::new(UInt32Array::from(vec![2u32; n])),
        Arc::new(StringArray::from(vec!["0123456789abcdef"; n])),
    ];
    model::column::conform(schema::checkboxes(), cols).unwrap()
}

fn strs(b: &RecordBatch, c: &str) -> Vec<Option<String>> {
    let a = model::column::text(b, c).unwrap();
    a.iter().map(|v| v.map(str::to_string)).collect()
}

/// The published count of a figure (`None` when suppressed).
fn count(out: &RecordBatch, id: &str) -> Option<u32> {
    let i = strs(out, "figure_id")
        .iter()
        .position(|x| x.as_deref() == Some(id))
        .unwrap_or_else(|| panic!("no figure {id}"));
    let n = out
        .column_by_name("n")
        .unwrap()
        .as_any()
        .downcast_ref::<UInt32Array>()
        .unwrap();
    (!n.is_null(i)).then(|| n.value(i))
}

#[test]
fn demographics_suppress_small_cells_and_their_complements() {
    let d = Disclosure {
        min_cell: 3,
        quote_label: vec![],
        demographics: vec!["study".into(), "sector".into(), "site".into()],
    };
    let out = demographics(&participants(), &no_checkboxes(), &d, &labels()).unwrap();
    let ids = strs(&out, "figure_id");
    let n = out
        .column_by_name("n")
        .unwrap()
        .as_any()
        .downcast_ref::<UInt32Array>()
        .unwrap();
    let sup = out
        .column_by_name("suppressed")
        .unwrap()
        .as_any()
        .downcast_ref::<BooleanArray>()
        .unwrap();
    let get = |id: &str| count(&out, id);
    assert_eq!(get("demographics/study/gender/Woman"), Some(8));
    assert_eq!(get("demographics/site/Site B/gender/Woman"), None, "1 < 3");
    // Site C: 4 women, 2 men: the men (2 < 3) cannot be hidden alone, and
    // the hidden cells must hold 3 or more, so the women go too...
    assert_eq!(get("demographics/sector/voluntary/gender/Woman"), None);
    // ...and then statutory women (8 - 4 = voluntary) must go as well.
    assert_eq!(get("demographics/sector/statutory/gender/Woman"), None);

    // Primary: every published n is >= min_cell; suppressed rows have null n.
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(sup.value(i), n.is_null(i));
        assert!(n.is_null(i) || n.value(i) >= 3, "{id:?}");
    }
    // Secondary, within each scope and characteristic (the scope's size is
    // public): no lone hidden cell; hidden cells hold >= min_cell together
    // unless every cell is hidden.
    let size = |g: &str| match g.split('/').nth(2).unwrap() {
        "statutory" | "voluntary" if g.contains("/sector/") => {
            if g.contains("statutory") {
                8
            } else {
                6
            }
        }
        "Site A" | "Site C" => 6,
        "Site B" => 2,
        _ => 14,
    };
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, id) in ids.iter().enumerate() {
        let id = id.as_deref().unwrap();
        groups
            .entry(id[..id.rfind('/').unwrap()].to_string())
            .or_default()
            .push(i);
    }
    for (g, rows) in &groups {
        let hidden: Vec<usize> = rows.iter().copied().filter(|&i| sup.value(i)).collect();
        let published: u32 = rows
            .iter()
            .filter(|&&i| !sup.value(i))
            .map(|&i| n.value(i))
            .sum();
        let sum = size(g) - published;
        assert!(
            hidden.is_empty() || hidden.len() == rows.len() || (hidden.len() >= 2 && sum >= 3),
            "{g}"
        );
    }
    // Across levels: parent = sum of children; a published parent never has
    // exactly one hidden child, and a hidden parent never has all children published.
    let by_id = |id: &str| ids.iter().position(|x| x.as_deref() == Some(id)).unwrap();
    let families = [
        (
            "demographics/study",
            vec![
                "demographics/sector/statutory",
                "demographics/sector/voluntary",
            ],
        ),
        (
            "demographics/study",
            vec![
                "demographics/site/Site A",
                "demographics/site/Site B",
                "demographics/site/Site C",
            ],
        ),
        (
            "demographics/sector/statutory",
            vec!["demographics/site/Site A", "demographics/site/Site B"],
        ),
        (
            "demographics/sector/voluntary",
            vec!["demographics/site/Site C"],
        ),
    ];
    for id in ids
        .iter()
        .flatten()
        .filter(|id| id.starts_with("demographics/study/"))
    {
        let tail = &id["demographics/study/".len()..];
        for (parent, children) in &families {
            let p = by_id(&format!("{parent}/{tail}"));
            let hidden = children
                .iter()
                .filter(|c| sup.value(by_id(&format!("{c}/{tail}"))))
                .count();
            if sup.value(p) {
                assert!(hidden > 0, "{parent}/{tail} recoverable from its children");
            } else {
                assert!(hidden != 1, "{parent}/{tail}: a lone hidden child");
            }
        }
    }
    let table: String = (0..out.num_rows())
        .map(|i| {
            format!(
                "{} {}\n",
                ids[i].as_deref().unwrap(),
                if n.is_null(i) {
                    "-".to_string()
                } else {
                    n.value(i).to_string()
                }
            )
        })
        .collect();
    insta::assert_snapshot!("demographics_three_levels", table);
}

#[test]
fn demographics_refuse_unknown_codes() {
    let mut cols = participants().columns().to_vec();
    cols[5] = Arc::new(Int8Array::from(vec![Some(9); 14]));
    let bad = model::column::conform(schema::participants(), cols).unwrap();
    let e = demographics(&bad, &no_checkboxes(), &Disclosure::default(), &labels()).unwrap_err();
    assert!(
        e.to_string()
            .contains("`gender` code 9 is not a choice of the dictionary"),
        "{e}"
    );
}

/// Categories are the study's words, and every choice its dictionary
/// defines is counted: one that crosscase's demo does not have included.
#[test]
fn demographics_count_every_choice_of_the_study_in_its_words() {
    let mut ethnicity = ETHNICITY.to_vec();
    ethnicity.push(("7", "Gypsy, Roma or Irish Traveller"));
    let gender = [
        ("1", "Female (including trans women)"),
        ("2", "Male (including trans men)"),
        ("3", "In another way"),
    ];
    let labels = Labels::new(
        &dictionary(&gender, &ethnicity),
        &Framework::parse(
            "version = \"1\"\ndomain = []\nfactor = []\n",
            "framework.toml",
        )
        .unwrap(),
    );
    let mut cols = participants().columns().to_vec();
    // Ethnicity 7 for five people, 1 for the others (one not recorded).
    cols[6] = Arc::new(Int8Array::from(
        (0..14)
            .map(|i| match i {
                0 => None,
                1..=5 => Some(7),
                _ => Some(1),
            })
            .collect::<Vec<_>>(),
    ));
    let batch = model::column::conform(schema::participants(), cols).unwrap();
    let d = Disclosure {
        min_cell: 1,
        quote_label: vec![],
        demographics: vec!["study".into()],
    };
    let out = demographics(&batch, &no_checkboxes(), &d, &labels).unwrap();
    let categories = strs(&out, "category");
    let count = |id: &str| count(&out, id);
    assert_eq!(
        count("demographics/study/ethnicity/Gypsy, Roma or Irish Traveller"),
        Some(5)
    );
    assert_eq!(count("demographics/study/ethnicity/White"), Some(8));
    assert_eq!(
        count("demographics/study/gender/Female (including trans women)"),
        Some(8)
    );
    assert_eq!(
        count("demographics/study/gender/Male (including trans men)"),
        Some(5)
    );
    // One person (published as suppressed: the empty `Not recorded` cell
    // cannot be hidden alone).
    assert_eq!(count("demographics/study/gender/In another way"), None);
    // Without framework labels, a group is the dictionary's choice label
    // (everyone is a peer worker: that cell is hidden with the empty ones).
    assert_eq!(count("demographics/study/group/Peer worker"), None);
    assert_eq!(count("demographics/study/group/Senior manager"), None);
    for demo in ["Woman", "Man", "Peer workers"] {
        assert!(
            !categories.iter().flatten().any(|c| c == demo),
            "the demo's {demo:?} in a study that does not say it"
        );
    }
}

/// A checkbox field's choices are characteristics of their own, ticked or
/// not (`Yes`/`No`, adding up to the scope's size), counted and suppressed
/// like the others. Counts worked out by hand from the ticks below.
#[test]
fn demographics_count_each_checkbox_choice_as_yes_and_no() {
    let mut dict = dictionary(&GENDER, &ETHNICITY);
    let settings = Field::checkbox(
        "work_settings",
        "Where do you work?",
        &[
            ("1", "Inpatient ward"),
            ("2", "Community team"),
            ("-3", "Crisis team"),
        ],
    );
    dict.fields.push(settings);
    let labels = Labels::new(
        &dict,
        &Framework::parse(
            "version = \"1\"\ndomain = []\nfactor = []\n",
            "framework.toml",
        )
        .unwrap(),
    );
    // Statutory: participants 0-7 (Sites A and B); voluntary: 8-13 (Site C).
    let ticks: Vec<(usize, &str, &str)> = [
        (0, "1"),
        (0, "2"),
        (1, "1"),
        (2, "2"),
        (4, "1"),
        (4, "2"),
        (4, "-3"),
        (5, "2"),
        (6, "1"),
        (7, "2"),
        (7, "-3"),
        (8, "-3"),
        (9, "-3"),
        (10, "2"),
        (10, "-3"),
        (12, "2"),
        (13, "1"),
    ]
    .iter()
    .map(|(i, c)| (*i, "work_settings", *c))
    .collect();
    let d = Disclosure {
        min_cell: 2,
        quote_label: vec![],
        demographics: vec!["study".into(), "sector".into()],
    };
    let out = demographics(&participants(), &checkboxes(&ticks), &d, &labels).unwrap();
    let count = |id: &str| count(&out, id);
    let at = |scope: &str, choice: &str, yes: &str| {
        count(&format!(
            "demographics/{scope}/work_settings___{choice}/{yes}"
        ))
    };
    // Ward: 5 of 14; 4 of 8 statutory, 1 of 6 voluntary. The voluntary 1 is
    // suppressed, with its No (5, else 6 - 5 gives it away); the statutory
    // pair too, else the study's 5 less the statutory 4 gives it away.
    assert_eq!(
        (at("study", "1", "Yes"), at("study", "1", "No")),
        (Some(5), Some(9))
    );
    assert_eq!(
        (
            at("sector/voluntary", "1", "Yes"),
            at("sector/voluntary", "1", "No")
        ),
        (None, None)
    );
    assert_eq!(
        (
            at("sector/statutory", "1", "Yes"),
            at("sector/statutory", "1", "No")
        ),
        (None, None)
    );
    // Community team: 7 of 14; 5 of 8; 2 of 6: nothing small.
    assert_eq!(
        (at("study", "2", "Yes"), at("study", "2", "No")),
        (Some(7), Some(7))
    );
    assert_eq!(
        (
            at("sector/statutory", "2", "Yes"),
            at("sector/statutory", "2", "No")
        ),
        (Some(5), Some(3))
    );
    assert_eq!(
        (
            at("sector/voluntary", "2", "Yes"),
            at("sector/voluntary", "2", "No")
        ),
        (Some(2), Some(4))
    );
    // Crisis team (code -3, column `work_settings____3`): 5; 2 of 8; 3 of 6.
    assert_eq!(
        (at("study", "_3", "Yes"), at("study", "_3", "No")),
        (Some(5), Some(9))
    );
    assert_eq!(
        (
            at("sector/statutory", "_3", "Yes"),
            at("sector/statutory", "_3", "No")
        ),
        (Some(2), Some(6))
    );
    assert_eq!(
        (
            at("sector/voluntary", "_3", "Yes"),
            at("sector/voluntary", "_3", "No")
        ),
        (Some(3), Some(3))
    );
    // Choices are not exclusive: their Yes counts add up to more than the 14.
    let yes: u32 = ["1", "2", "_3"]
        .iter()
        .map(|c| at("study", c, "Yes").unwrap())
        .sum();
    assert!(yes > 14, "{yes}");
    // The other characteristics are as in a study without the field.
    let plain = Labels::new(
        &dictionary(&GENDER, &ETHNICITY),
        &Framework::parse(
            "version = \"1\"\ndomain = []\nfactor = []\n",
            "framework.toml",
        )
        .unwrap(),
    );
    let without = demographics(&participants(), &no_checkboxes(), &d, &plain).unwrap();
    assert_eq!(without.num_rows() + 3 * 3 * 2, out.num_rows());
    let cells = |b: &RecordBatch| -> Vec<(Option<String>, Option<u32>)> {
        let n = b
            .column_by_name("n")
            .unwrap()
            .as_any()
            .downcast_ref::<UInt32Array>()
            .unwrap();
        strs(b, "figure_id")
            .into_iter()
            .enumerate()
            .filter(|(_, id)| !id.as_deref().unwrap_or("").contains("work_settings"))
            .map(|(i, id)| (id, (!n.is_null(i)).then(|| n.value(i))))
            .collect()
    };
    assert_eq!(cells(&out), cells(&without));
    let characteristics = strs(&out, "characteristic");
    assert_eq!(
        characteristics.last().unwrap().as_deref(),
        Some("work_settings____3"),
        "checkbox choices come after the group"
    );
}

#[test]
fn demographics_refuse_a_tick_the_dictionary_or_the_participants_do_not_have() {
    let mut dict = dictionary(&GENDER, &ETHNICITY);
    let settings = Field::checkbox("work_settings", "Where?", &[("1", "Ward")]);
    dict.fields.push(settings);
    let labels = Labels::new(
        &dict,
        &Framework::parse(
            "version = \"1\"\ndomain = []\nfactor = []\n",
            "framework.toml",
        )
        .unwrap(),
    );
    let d = Disclosure::default();
    let e = demographics(
        &participants(),
        &checkboxes(&[(3, "work_settings", "2")]),
        &d,
        &labels,
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("`work_settings` choice `2` is not a checkbox choice of the dictionary"),
        "{e}"
    );
    // A participant withdrawn from `participants` but left in `checkboxes`.
    let people = participants().slice(0, 13);
    let e = demographics(
        &people,
        &checkboxes(&[(13, "work_settings", "1")]),
        &d,
        &labels,
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("participant `P-000013` has no row in the participants table"),
        "{e}"
    );
}
