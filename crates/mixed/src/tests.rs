use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, RecordBatch, StringArray, UInt32Array, UInt64Array};
use model::Group;

use super::*;

/// (participant, site, sector, group, theme, text, source)
type Seg = (
    &'static str,
    &'static str,
    &'static str,
    Group,
    &'static str,
    String,
    String,
);

fn segments(rows: &[Seg]) -> RecordBatch {
    let col = |f: &dyn Fn(&Seg) -> String| -> ArrayRef {
        Arc::new(StringArray::from(rows.iter().map(f).collect::<Vec<_>>()))
    };
    let n = rows.len() as u64;
    RecordBatch::try_from_iter([
        ("participant", col(&|r| r.0.to_string())),
        ("site", col(&|r| r.1.to_string())),
        ("sector", col(&|r| r.2.to_string())),
        ("group", col(&|r| r.3.code().to_string())),
        ("theme", col(&|r| r.4.to_string())),
        ("text", col(&|r| r.5.clone())),
        ("project", col(&|_| "p".to_string())),
        ("source", col(&|r| r.6.clone())),
        ("selection", col(&|r| format!("sel-{}-{}", r.6, r.4))),
        (
            "start",
            Arc::new(UInt64Array::from((0..n).collect::<Vec<_>>())) as ArrayRef,
        ),
        (
            "end",
            Arc::new(UInt64Array::from((1..=n).collect::<Vec<_>>())) as ArrayRef,
        ),
    ])
    .unwrap()
}

fn settings() -> Settings {
    Settings {
        themes: vec!["supervision".into(), "pay".into(), "bme".into()],
        ..Default::default()
    }
}

/// A study of three sites: A and B statutory, C voluntary; `per` people
/// per group at each site; who talks of what is decided by `talks`.
fn study(per: usize, talks: impl Fn(usize, usize, Group, &str) -> usize) -> Vec<Seg> {
    let sites = [
        ("Site A", "statutory"),
        ("Site B", "statutory"),
        ("Site C", "voluntary"),
    ];
    let mut out = Vec::new();
    for (s, (site, sector)) in sites.iter().enumerate() {
        for g in Group::ALL {
            for p in 0..per {
                let who: &'static str =
                    Box::leak(format!("{site}-{}-{p}", g.code()).into_boxed_str());
                for theme in ["supervision", "pay", "bme"] {
                    for k in 0..talks(s, p, g, theme) {
                        out.push((
                            who,
                            *site,
                            *sector,
                            g,
                            theme,
                            format!("{who} on {theme}, {k}"),
                            format!("src-{who}-{k}"),
                        ));
                    }
                }
            }
        }
    }
    out
}

fn text(b: &RecordBatch, name: &str, i: usize) -> Option<String> {
    let c = b.column_by_name(name).unwrap();
    let c = c.as_any().downcast_ref::<StringArray>().unwrap();
    (!c.is_null(i)).then(|| c.value(i).to_string())
}

fn count(b: &RecordBatch, name: &str, i: usize) -> Option<u32> {
    let c = b.column_by_name(name).unwrap();
    let c = c.as_any().downcast_ref::<UInt32Array>().unwrap();
    (!c.is_null(i)).then(|| c.value(i))
}

fn row_of(b: &RecordBatch, id: &str) -> usize {
    (0..b.num_rows())
        .find(|&i| text(b, "figure_id", i).as_deref() == Some(id))
        .unwrap_or_else(|| panic!("no row {id}"))
}

#[test]
fn counts_at_every_scope_equal_a_count_by_brute_force() {
    let rows = study(3, |s, p, g, th| match th {
        "supervision" => (s + p) % 3,
        "pay" => usize::from(g == Group::PeerWorker || p == 0),
        _ => usize::from(s == 2),
    });
    let batch = segments(&rows);
    let m = framework_matrix(&batch, &settings()).unwrap();
    assert_eq!(m.schema(), framework_matrix_schema());
    // 1 study + 2 sectors + 3 sites + 5 groups + 15 site x group cells, 3 themes.
    assert_eq!(m.num_rows(), 26 * 3);
    for i in 0..m.num_rows() {
        let scope = text(&m, "scope", i).unwrap();
        let (site, sector, group, theme) = (
            text(&m, "site", i),
            text(&m, "sector", i),
            text(&m, "group", i),
            text(&m, "theme", i).unwrap(),
        );
        let inside: Vec<&Seg> = rows
            .iter()
            .filter(|r| r.4 == theme)
            .filter(|r| site.as_deref().is_none_or(|s| s == r.1))
            .filter(|r| sector.as_deref().is_none_or(|s| s == r.2))
            .filter(|r| group.as_deref().is_none_or(|g| g == r.3.code()))
            .collect();
        let people = inside.iter().map(|r| r.0).collect::<BTreeSet<_>>().len() as u32;
        let suppressed = text(&m, "figure_id", i).is_some()
            && m.column_by_name("suppressed")
                .unwrap()
                .as_any()
                .downcast_ref::<arrow_array::BooleanArray>()
                .unwrap()
                .value(i);
        if people < 3 {
            assert!(suppressed, "{scope} {site:?} {group:?} {theme}: {people}");
        }
        if suppressed {
            assert_eq!(count(&m, "participants", i), None);
            assert_eq!(count(&m, "segments", i), None);
        } else {
            assert_eq!(count(&m, "participants", i), Some(people), "row {i}");
            assert_eq!(count(&m, "segments", i), Some(inside.len() as u32));
        }
    }
    assert_eq!(
        row_of(&m, "framework/site/Site C/bme"),
        row_of(&m, "framework/site/Site C/supervision") + 2
    );
    row_of(&m, "framework/sector/voluntary/pay");
    row_of(&m, "framework/site_group/Site A/peer_worker/pay");
    // Every bme talker is at Site C: its statutory sites are empty (known
    // zeros), so the voluntary sector and Site C publish the same 15.
    let c = row_of(&m, "framework/site/Site C/bme");
    assert_eq!(count(&m, "participants", c), Some(15));
}

/// What an attacker derives from the published counts: every relation
/// left with one unknown member gives it away. Suppressed empty cells are
/// taken as known (the disclosure rule's own assumption, the worst case).
fn derivable(m: &RecordBatch, theme: &str, rows: &[Seg]) -> Vec<String> {
    let mut known: BTreeMap<(String, String, String, String), Option<u64>> = BTreeMap::new();
    for i in 0..m.num_rows() {
        if text(m, "theme", i).as_deref() != Some(theme) {
            continue;
        }
        let key = (
            text(m, "scope", i).unwrap(),
            text(m, "site", i).unwrap_or_default(),
            if text(m, "scope", i).as_deref() == Some("sector") {
                text(m, "sector", i).unwrap_or_default()
            } else {
                String::new()
            },
            text(m, "group", i).unwrap_or_default(),
        );
        let (site, group) = (text(m, "site", i), text(m, "group", i));
        let sector = text(m, "sector", i);
        let empty = !rows.iter().any(|r| {
            r.4 == theme
                && site.as_deref().is_none_or(|s| s == r.1)
                && sector.as_deref().is_none_or(|s| s == r.2)
                && group.as_deref().is_none_or(|g| g == r.3.code())
        });
        let published = count(m, "participants", i).map(u64::from);
        known.insert(key, if empty { Some(0) } else { published });
    }
    let sites: BTreeSet<String> = known
        .keys()
        .map(|k| k.1.clone())
        .filter(|s| !s.is_empty())
        .collect();
    let sector_of: BTreeMap<String, String> = (0..m.num_rows())
        .filter(|&i| text(m, "scope", i).as_deref() == Some("site"))
        .map(|i| (text(m, "site", i).unwrap(), text(m, "sector", i).unwrap()))
        .collect();
    let k = |scope: &str, site: &str, sector: &str, group: &str| {
        (
            scope.to_string(),
            site.to_string(),
            sector.to_string(),
            group.to_string(),
        )
    };
    let mut relations = Vec::new();
    for s in &sites {
        relations.push((
            k("site", s, "", ""),
            Group::ALL
                .iter()
                .map(|g| k("site_group", s, "", g.code()))
                .collect::<Vec<_>>(),
        ));
    }
    for g in Group::ALL {
        relations.push((
            k("group", "", "", g.code()),
            sites
                .iter()
                .map(|s| k("site_group", s, "", g.code()))
                .collect(),
        ));
    }
    for sec in ["statutory", "voluntary"] {
        relations.push((
            k("sector", "", sec, ""),
            sites
                .iter()
                .filter(|s| sector_of[*s] == sec)
                .map(|s| k("site", s, "", ""))
                .collect(),
        ));
    }
    relations.push((
        k("study", "", "", ""),
        ["statutory", "voluntary"]
            .iter()
            .map(|s| k("sector", "", s, ""))
            .collect(),
    ));
    relations.push((
        k("study", "", "", ""),
        sites.iter().map(|s| k("site", s, "", "")).collect(),
    ));
    relations.push((
        k("study", "", "", ""),
        Group::ALL
            .iter()
            .map(|g| k("group", "", "", g.code()))
            .collect(),
    ));
    let mut values = known.clone();
    let mut derived = Vec::new();
    loop {
        let mut changed = false;
        for (total, parts) in &relations {
            let members: Vec<_> = std::iter::once(total).chain(parts).collect();
            let unknown: Vec<_> = members
                .iter()
                .filter(|m| values.get(**m).copied().flatten().is_none())
                .collect();
            if unknown.len() != 1 {
                continue;
            }
            let sum: u64 = parts
                .iter()
                .filter_map(|p| values.get(p).copied().flatten())
                .sum();
            let u = (*unknown[0]).clone();
            let v = if &u == total {
                sum
            } else {
                values[total].unwrap_or(0) - sum
            };
            if v > 0 {
                derived.push(format!("{u:?} = {v}"));
            }
            values.insert(u, Some(v));
            changed = true;
        }
        if !changed {
            return derived;
        }
    }
}

#[test]
fn no_suppressed_cell_can_be_recovered_from_the_totals_it_adds_up_to() {
    // Site A has two supervision talkers: suppressed, and so must be
    // another statutory site or the sector, or the study gives it away.
    let rows = study(2, |s, p, g, th| match (s, th) {
        (0, "supervision") => {
            usize::from(p == 0 && (g == Group::PeerWorker || g == Group::Professional))
        }
        (_, "supervision") => 1,
        (_, "pay") => usize::from(p == 0 && g != Group::SeniorManager),
        _ => usize::from(s == 1 && g == Group::ServiceUser),
    });
    let m = framework_matrix(&segments(&rows), &settings()).unwrap();
    let a = row_of(&m, "framework/site/Site A/supervision");
    assert_eq!(count(&m, "participants", a), None);
    for theme in ["supervision", "pay", "bme"] {
        assert_eq!(derivable(&m, theme, &rows), Vec::<String>::new(), "{theme}");
    }
    // Secondary suppression did something: Site B or the statutory sector
    // (each of at least 3 people) is hidden too, or the sector total less
    // Site B would give Site A away.
    let hidden = |id: &str| count(&m, "participants", row_of(&m, id)).is_none();
    assert!(
        hidden("framework/site/Site B/supervision")
            || hidden("framework/sector/statutory/supervision")
    );
    assert!(!hidden("framework/site/Site C/supervision"));
}

#[test]
fn exemplars_only_where_quote_label_allows_never_withdrawn_never_a_small_label_cell() {
    // Everybody talks of supervision; Site C's peer workers withdrew their
    // words (empty text); only two service users at voluntary Site C talk
    // of pay, so a quote labelled "service user, voluntary sector" would
    // point at two people.
    let mut rows = study(2, |s, _, g, th| match th {
        "supervision" => 1,
        "pay" => usize::from(s < 2 || g == Group::ServiceUser),
        _ => 0,
    });
    for r in rows.iter_mut() {
        if r.1 == "Site C" && r.3 == Group::PeerWorker {
            r.5 = String::new();
        }
    }
    let settings = settings();
    let m = framework_matrix(&segments(&rows), &settings).unwrap();
    for i in 0..m.num_rows() {
        let scope = text(&m, "scope", i).unwrap();
        let e1 = text(&m, "exemplar_1", i);
        if ["site", "site_group"].contains(&scope.as_str()) {
            assert_eq!(e1, None, "{scope}: no quote ties a site");
        }
        for k in ["exemplar_1", "exemplar_2"] {
            if let Some(e) = text(&m, k, i) {
                assert!(!e.contains("Site C-peer_worker"), "{e}: withdrawn");
                assert!(!e.is_empty());
                let label = text(&m, &format!("{k}_label"), i).unwrap();
                assert!(label.ends_with("sector"), "{label}");
                if text(&m, "theme", i).as_deref() == Some("pay") {
                    assert!(
                        !(e.contains("Site C") && e.contains("service_user")),
                        "{e}: a label cell of two"
                    );
                }
            }
        }
    }
    // Group rows of voluntary service users' pay: the cell is large enough
    // (A and B's service users too) but the Site C quotes are not quotable.
    let su = row_of(&m, "framework/group/service_user/pay");
    assert_eq!(count(&m, "participants", su), Some(6));
    assert!(text(&m, "exemplar_1", su).is_some());
    // The rule: one per interviewee, in (project, source, start) order.
    let study = row_of(&m, "framework/study/supervision");
    let mut expected: Vec<&Seg> = rows
        .iter()
        .filter(|r| r.4 == "supervision" && !r.5.is_empty())
        .collect();
    expected.sort_by_key(|r| r.6.clone());
    assert_eq!(
        text(&m, "exemplar_1", study).as_deref(),
        Some(expected[0].5.as_str())
    );
    assert_eq!(
        text(&m, "exemplar_2", study).as_deref(),
        Some(expected[1].5.as_str())
    );
    // Same input, same bytes; row order of the input does not matter.
    let mut reversed = rows.clone();
    reversed.reverse();
    assert_eq!(
        framework_matrix(&segments(&reversed), &settings).unwrap(),
        m
    );
    // With a site allowed in labels, site rows may quote.
    let mut with_site = settings.clone();
    with_site.quote_label = vec!["group".into(), "site".into(), "sector".into()];
    assert!(with_site.quotes_at(Scope::Site));
    let m = framework_matrix(&segments(&rows), &with_site).unwrap();
    let a = row_of(&m, "framework/site/Site A/supervision");
    assert_eq!(
        text(&m, "exemplar_1", a),
        None,
        "a label cell of 2 at site x group"
    );
}

#[test]
fn an_unknown_theme_is_an_error_naming_the_row() {
    let mut rows = study(1, |_, _, _, _| 1);
    rows[4].4 = "wellbeing";
    let err = framework_matrix(&segments(&rows), &settings()).unwrap_err();
    assert!(
        err.to_string().contains("row 5") && err.to_string().contains("wellbeing"),
        "{err}"
    );
}

#[test]
fn convergence_ranks_means_within_the_scope() {
    let s = Settings::default();
    let means = [3.1, 3.3, 3.4, 3.5, 3.6, 3.7, 3.8, 3.9, 4.0];
    // k = 3: the three highest are rated high, the three lowest low.
    assert_eq!(joint::rated(4.0, &means, &s), Some(true));
    assert_eq!(joint::rated(3.8, &means, &s), Some(true));
    assert_eq!(joint::rated(3.7, &means, &s), None);
    assert_eq!(joint::rated(3.4, &means, &s), Some(false));
    let cases = [
        (Some(Some(true)), Some(0.05), "rated_high_talk_low"),
        (Some(Some(true)), Some(0.11), "neither"),
        (Some(Some(true)), Some(0.5), "agree"),
        (Some(Some(false)), Some(0.5), "rated_low_talk_high"),
        (Some(Some(false)), Some(0.49), "neither"),
        (Some(Some(false)), Some(0.1), "agree"),
        (Some(None), Some(0.9), "neither"),
        (None, Some(0.9), "unknown"),
        (Some(Some(true)), None, "unknown"),
    ];
    for (rated, share, expected) in cases {
        assert_eq!(
            joint::convergence(rated, share, &s),
            expected,
            "{rated:?} {share:?}"
        );
    }
}
