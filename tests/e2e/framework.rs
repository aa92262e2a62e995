//! The framework matrix and the joint display end to end (issue 15): counts
//! at every scope against an independent count, the demo's planted
//! qualitative effects, no suppressed cell recoverable by differencing,
//! exemplars only where the labels allow and never a withdrawn voice, and
//! late data rerun to the bytes of a run from nothing.

use std::collections::{BTreeMap, BTreeSet};

use super::privacy::parquet;
use super::transcripts::csv_rows;
use super::*;

type Row = BTreeMap<String, String>;
/// A cell: (scope, site, sector of a sector row, group).
type Cell = (String, String, String, String);

const GROUPS: [&str; 5] = [
    "peer_worker",
    "professional",
    "service_user",
    "team_manager",
    "senior_manager",
];

fn cell_of(r: &Row) -> Cell {
    let sector = if r["scope"] == "sector" {
        r["sector"].clone()
    } else {
        String::new()
    };
    (
        r["scope"].clone(),
        r["site"].clone(),
        sector,
        r["group"].clone(),
    )
}

/// (segments, participants) of every cell and theme, summed from counts
/// per (site, group, theme): an interviewee is in one site and one group.
fn aggregate(
    per_site_group: &BTreeMap<(String, String, String), (u64, u64)>,
    sector_of: &BTreeMap<String, String>,
) -> BTreeMap<(Cell, String), (u64, u64)> {
    let mut out: BTreeMap<(Cell, String), (u64, u64)> = BTreeMap::new();
    let e = String::new;
    for ((site, group, theme), (segs, people)) in per_site_group {
        let sector = &sector_of[site];
        for cell in [
            ("study".into(), e(), e(), e()),
            ("sector".into(), e(), sector.clone(), e()),
            ("site".into(), site.clone(), e(), e()),
            ("group".into(), e(), e(), group.clone()),
            ("site_group".into(), site.clone(), e(), group.clone()),
        ] {
            let v = out.entry((cell, theme.clone())).or_default();
            v.0 += segs;
            v.1 += people;
        }
    }
    out
}

/// The cells an attacker derives from a theme's published participants:
/// every relation (site = its site x group cells, group = its site x group
/// cells, sector = its sites, study = sectors = sites = groups) left with
/// one unknown gives it away. Empty cells count as known (the worst case).
fn derivable(
    matrix: &[Row],
    theme: &str,
    truth: &BTreeMap<(Cell, String), (u64, u64)>,
    sector_of: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut value: BTreeMap<Cell, Option<u64>> = BTreeMap::new();
    for r in matrix.iter().filter(|r| r["theme"] == theme) {
        let cell = cell_of(r);
        let true_n = truth
            .get(&(cell.clone(), theme.to_string()))
            .map_or(0, |v| v.1);
        let published = r["participants"].parse::<u64>().ok();
        value.insert(cell, if true_n == 0 { Some(0) } else { published });
    }
    let sites: BTreeSet<&String> = sector_of.keys().collect();
    let c = |scope: &str, site: &str, sector: &str, group: &str| -> Cell {
        (scope.into(), site.into(), sector.into(), group.into())
    };
    let mut relations: Vec<(Cell, Vec<Cell>)> = Vec::new();
    for s in &sites {
        relations.push((
            c("site", s, "", ""),
            GROUPS.iter().map(|g| c("site_group", s, "", g)).collect(),
        ));
    }
    for g in GROUPS {
        relations.push((
            c("group", "", "", g),
            sites.iter().map(|s| c("site_group", s, "", g)).collect(),
        ));
    }
    for sec in ["statutory", "voluntary"] {
        relations.push((
            c("sector", "", sec, ""),
            sites
                .iter()
                .filter(|s| sector_of[**s] == sec)
                .map(|s| c("site", s, "", ""))
                .collect(),
        ));
    }
    let study = c("study", "", "", "");
    relations.push((
        study.clone(),
        ["statutory", "voluntary"]
            .iter()
            .map(|s| c("sector", "", s, ""))
            .collect(),
    ));
    relations.push((
        study.clone(),
        sites.iter().map(|s| c("site", s, "", "")).collect(),
    ));
    relations.push((
        study,
        GROUPS.iter().map(|g| c("group", "", "", g)).collect(),
    ));
    let mut derived = Vec::new();
    loop {
        let mut changed = false;
        for (total, parts) in &relations {
            let unknown: Vec<&Cell> = std::iter::once(total)
                .chain(parts)
                .filter(|m| value.get(*m).copied().flatten().is_none())
                .collect();
            if unknown.len() != 1 {
                continue;
            }
            let sum: u64 = parts
                .iter()
                .filter_map(|p| value.get(p).copied().flatten())
                .sum();
            let u = unknown[0].clone();
            let v = if &u == total {
                sum
            } else {
                value[total].unwrap_or(0).saturating_sub(sum)
            };
            derived.push(format!("{u:?} = {v}"));
            value.insert(u, Some(v));
            changed = true;
        }
        if !changed {
            return derived;
        }
    }
}

/// Every published count equals the aggregate, every cell under min_cell
/// is suppressed, a suppressed cell shows nothing, and no suppressed cell
/// can be recovered by differencing.
fn check_counts(
    matrix: &[Row],
    truth: &BTreeMap<(Cell, String), (u64, u64)>,
    sector_of: &BTreeMap<String, String>,
    min_cell: u64,
) {
    let mut published = 0;
    for r in matrix {
        let key = (cell_of(r), r["theme"].clone());
        let (segs, people) = truth.get(&key).copied().unwrap_or((0, 0));
        if r["suppressed"] == "true" {
            for c in ["segments", "participants", "exemplar_1", "exemplar_2"] {
                assert_eq!(r[c], "", "{key:?}: {c}");
            }
        } else {
            published += 1;
            assert!(people >= min_cell, "{key:?}: {people} published");
            assert_eq!(r["participants"], people.to_string(), "{key:?}");
            assert_eq!(r["segments"], segs.to_string(), "{key:?}");
        }
    }
    // Site x group cells of a few people each are nearly all suppressed.
    assert!(
        published * 20 > matrix.len(),
        "{published} of {}",
        matrix.len()
    );
    let themes: BTreeSet<&String> = matrix.iter().map(|r| &r["theme"]).collect();
    for theme in themes {
        let leaks = derivable(matrix, theme, truth, sector_of);
        let revealed: Vec<&String> = leaks
            .iter()
            .filter(|d| {
                // A derived cell that the table suppressed and is not empty.
                matrix.iter().any(|r| {
                    r["theme"] == *theme
                        && r["suppressed"] == "true"
                        && d.starts_with(&format!("{:?} = ", cell_of(r)))
                        && !d.ends_with(" = 0")
                })
            })
            .collect();
        assert!(revealed.is_empty(), "{theme}: {revealed:?}");
    }
}

/// Exemplars: only in the scopes allowed, each a published segment's text
/// of the row's theme (and group, sector) from an interviewee not
/// withdrawn from quotes, labelled with what the label may say.
fn check_exemplars(
    matrix: &[Row],
    segments: &[Row],
    allowed_scopes: &[&str],
    label_of: impl Fn(&Row) -> String,
    min_cell: usize,
) -> usize {
    let withdrawn: BTreeSet<&String> = segments
        .iter()
        .filter(|s| s["text"].is_empty())
        .map(|s| &s["participant"])
        .collect();
    let mut quoted = 0;
    for r in matrix {
        for k in ["exemplar_1", "exemplar_2"] {
            let text = &r[k];
            if text.is_empty() {
                assert_eq!(r[&format!("{k}_label")], "");
                continue;
            }
            quoted += 1;
            assert!(allowed_scopes.contains(&r["scope"].as_str()), "{r:?}");
            let sources: Vec<&Row> = segments
                .iter()
                .filter(|s| &s["text"] == text && s["theme"] == r["theme"])
                .filter(|s| r["group"].is_empty() || s["group"] == r["group"])
                .filter(|s| r["sector"].is_empty() || s["sector"] == r["sector"])
                .filter(|s| label_of(s) == r[&format!("{k}_label")])
                .collect();
            assert!(!sources.is_empty(), "{k} of {}: {text}", r["figure_id"]);
            for s in &sources {
                assert!(!withdrawn.contains(&s["participant"]), "{text}");
                // The people the label points at.
                let behind: BTreeSet<&String> = segments
                    .iter()
                    .filter(|o| o["theme"] == r["theme"] && label_of(o) == label_of(s))
                    .map(|o| &o["participant"])
                    .collect();
                assert!(behind.len() >= min_cell, "{text}: {}", behind.len());
            }
        }
    }
    quoted
}

// --------------------------------------------------- a study we did not write

#[test]
fn framework_matrix_counts_equal_an_independent_count_at_every_scope() {
    let tmp = tempfile::tempdir().unwrap();
    let study = tmp.path().join("study");
    copy_tree(&other_study(), &study);
    let fixture = root().join("tests/fixtures/other-study-transcripts");
    copy_tree(&fixture.join("qualitative"), &study.join("qualitative"));
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&study, &out, &[]));
    let sector_of: BTreeMap<String, String> = csv_rows(&study.join("sites.csv"))
        .into_iter()
        .map(|r| (r["label"].clone(), r["sector"].clone()))
        .collect();
    // Python's count over the XML it wrote (make_other_study_transcripts.py).
    let expected: BTreeMap<(String, String, String), (u64, u64)> =
        csv_rows(&fixture.join("expected_segments.csv"))
            .into_iter()
            .map(|r| {
                (
                    (r["site"].clone(), r["group"].clone(), r["theme"].clone()),
                    (
                        r["segments"].parse().unwrap(),
                        r["participants"].parse().unwrap(),
                    ),
                )
            })
            .collect();
    let sites_with_talk: BTreeMap<String, String> = sector_of
        .iter()
        .filter(|(s, _)| expected.keys().any(|k| &k.0 == *s))
        .map(|(a, b)| (a.clone(), b.clone()))
        .collect();
    let truth = aggregate(&expected, &sector_of);
    let matrix = read_table(&out, "framework_matrix");
    let themes: BTreeSet<&String> = matrix.iter().map(|r| &r["theme"]).collect();
    // 1 study, 2 sectors, the sites, 5 groups and their site x group cells.
    let cells = 1 + 2 + sites_with_talk.len() * 6 + 5;
    assert_eq!(matrix.len(), cells * themes.len());
    assert!(themes.contains(&"bme".to_string()));
    check_counts(&matrix, &truth, &sites_with_talk, 2);
    // quote_label = ["group"]: study and group rows quote, labelled by group.
    let members: BTreeMap<&str, &str> = [
        ("peer_worker", "Peer support worker"),
        ("professional", "Clinician or allied professional"),
        ("service_user", "Person using the service"),
        ("team_manager", "Team leader"),
        ("senior_manager", "Director or commissioner"),
    ]
    .into();
    let segments = parquet(&out, "data/coded_segments.parquet");
    let quoted = check_exemplars(
        &matrix,
        &segments,
        &["study", "group"],
        |s| members[s["group"].as_str()].to_string(),
        2,
    );
    assert!(quoted > 10, "{quoted}");
}

// ------------------------------------------------------------------ the demo

fn row<'a>(rows: &'a [Row], id: &str) -> &'a Row {
    rows.iter()
        .find(|r| r["figure_id"] == id)
        .unwrap_or_else(|| panic!("no figure {id}"))
}

#[test]
fn the_demo_planted_qualitative_effects_are_found_and_nothing_suppressed_can_be_recovered() {
    let (tmp, study) = demo_copy();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&study, &out, &[]));
    let matrix = read_table(&out, "framework_matrix");
    let people = |id: &str| row(&matrix, id)["participants"].clone();
    let segs = |id: &str| row(&matrix, id)["segments"].clone();
    // 8: welfare advice, spoken of at voluntary sites only.
    assert_eq!(people("framework/study/welfare_advice"), "20");
    assert_eq!(segs("framework/sector/voluntary/welfare_advice"), "28");
    assert_eq!(people("framework/sector/voluntary/welfare_advice"), "20");
    assert_eq!(people("framework/sector/statutory/welfare_advice"), "");
    for (g, n) in [
        ("peer_worker", "8"),
        ("professional", "4"),
        ("service_user", "8"),
    ] {
        assert_eq!(people(&format!("framework/group/{g}/welfare_advice")), n);
    }
    // 9: risk sharing, hardly spoken of.
    assert_eq!(people("framework/study/risk_share"), "4");
    // 10: BME experiences at Site G; Site D's 6 are hidden, because the
    // voluntary sector's 7 less Site D would give away the one
    // interviewee at another voluntary site.
    assert_eq!(people("framework/site/Site G/bme"), "9");
    assert_eq!(people("framework/sector/voluntary/bme"), "7");
    assert_eq!(
        row(&matrix, "framework/site/Site D/bme")["suppressed"],
        "true"
    );
    // 11: supervision at Site E: 9 of 9, 32 segments; 32 of 69 elsewhere.
    assert_eq!(people("framework/site/Site E/supervision"), "9");
    assert_eq!(segs("framework/site/Site E/supervision"), "32");
    assert_eq!(people("framework/study/supervision"), "41");
    // 12: peer workers and service users all speak of their training.
    assert_eq!(people("framework/group/peer_worker/pw_training"), "18");
    assert_eq!(people("framework/group/service_user/pw_training"), "17");

    // explain: down to the project, the source and the selection.
    let explained = crosscase(&[
        "explain",
        "framework/site/Site G/supervision",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_ok(&explained);
    let text = String::from_utf8_lossy(&explained.stdout).to_string();
    let counted: Vec<&str> = text
        .lines()
        .filter(|l| l.trim_end().ends_with(" supervision") && l.starts_with("          "))
        .collect();
    assert_eq!(counted.len(), 4, "{text}");
    let site_g: Vec<Row> = parquet(&out, "data/coded_segments.parquet")
        .into_iter()
        .filter(|s| s["site"] == "Site G" && s["theme"] == "supervision")
        .collect();
    for s in &site_g {
        assert!(
            counted.iter().any(|l| l.contains(&s["participant"])
                && l.contains(&s["source"])
                && l.contains(&s["selection"])),
            "{}: {text}",
            s["selection"]
        );
        let sha = s["project"]
            .trim_start_matches("qualitative/")
            .trim_end_matches(".qdpx");
        assert!(
            text.contains(&format!("project   sha256 {sha} (here: qualitative/")),
            "{text}"
        );
    }
    assert!(!text.contains("S07-"), "no record id: {text}");
    assert!(text.contains("rows      site = \"Site G\" and sector = \"statutory\" and theme = \"supervision\": 4 row(s)"), "{text}");

    // Counts against the published segments, counted here.
    let segments = parquet(&out, "data/coded_segments.parquet");
    let mut per: BTreeMap<(String, String, String), (u64, BTreeSet<String>)> = BTreeMap::new();
    let mut sector_of = BTreeMap::new();
    for s in &segments {
        sector_of.insert(s["site"].clone(), s["sector"].clone());
        let e = per
            .entry((s["site"].clone(), s["group"].clone(), s["theme"].clone()))
            .or_default();
        e.0 += 1;
        e.1.insert(s["participant"].clone());
    }
    let per = per
        .into_iter()
        .map(|(k, (n, p))| (k, (n, p.len() as u64)))
        .collect();
    let truth = aggregate(&per, &sector_of);
    check_counts(&matrix, &truth, &sector_of, 3);
    let site_d = truth[&(
        ("site".into(), "Site D".into(), String::new(), String::new()),
        "bme".to_string(),
    )];
    assert_eq!(site_d.1, 6);
    // Exemplars: study, sector and group rows, "Peer worker, voluntary sector".
    assert!(
        segments.iter().any(|s| s["text"].is_empty()),
        "S05-02's segments"
    );
    let label = |s: &Row| {
        let member = match s["group"].as_str() {
            "peer_worker" => "Peer worker",
            "professional" => "Professional",
            "service_user" => "Service user",
            "team_manager" => "Team manager",
            _ => "Senior manager",
        };
        format!("{member}, {} sector", s["sector"])
    };
    let quoted = check_exemplars(&matrix, &segments, &["study", "sector", "group"], label, 3);
    assert!(quoted > 50, "{quoted}");

    // The joint display names the planted divergences and convergence.
    let joint = read_table(&out, "joint_display");
    let says = |id: &str| row(&joint, id)["convergence"].clone();
    assert_eq!(says("joint/study/risk_share"), "rated_high_talk_low");
    assert_eq!(
        says("joint/sector/voluntary/welfare_advice"),
        "rated_low_talk_high"
    );
    assert_eq!(says("joint/group/peer_worker/pw_training"), "agree");
    assert_eq!(says("joint/group/service_user/pw_training"), "agree");
    let w = row(&joint, "joint/sector/voluntary/welfare_advice");
    assert_eq!(
        (w["participants"].as_str(), w["interviewees"].as_str()),
        ("20", "34")
    );
    assert_eq!(w["top3_percent"], "0");
    let e = row(&joint, "joint/site/Site E/supervision");
    assert_eq!(e["condition"], "in_place");
    assert_eq!(e["exemplar"], "", "no quote ties a site");
    assert!(!row(&joint, "joint/study/supervision")["replication"].is_empty());

    report_shows_the_published_matrix(&out, &matrix, &joint);
}

/// The synthesis report's framework matrix charts show the numbers of
/// `tables/framework_matrix.csv`, cell by cell (each mark's tooltip is
/// `figure_id: value`), suppressed cells as suppressed; every site and
/// group cell of every factor is drawn once; the joint display's "spoke
/// of it" is the table's participants of interviewees.
fn report_shows_the_published_matrix(out: &Path, matrix: &[Row], joint: &[Row]) {
    let html = std::fs::read_to_string(out.join("report/synthesis.html")).unwrap();
    let md = std::fs::read_to_string(out.join("report/synthesis.md")).unwrap();
    let mut drawn = BTreeMap::new();
    for mark in html.split("\"><title>framework/").skip(1) {
        let title = mark.split("</title>").next().unwrap();
        let (id, value) = title.rsplit_once(": ").unwrap();
        drawn.insert(format!("framework/{id}"), value.to_string());
    }
    let factors: BTreeSet<&str> = joint.iter().map(|r| r["factor"].as_str()).collect();
    let mut expected = 0;
    for r in matrix.iter().filter(|r| {
        matches!(r["scope"].as_str(), "site" | "group") && factors.contains(r["theme"].as_str())
    }) {
        expected += 1;
        let shown = drawn
            .get(&r["figure_id"])
            .unwrap_or_else(|| panic!("{} is not drawn", r["figure_id"]));
        if r["suppressed"] == "true" {
            assert!(
                shown.starts_with("suppressed"),
                "{}: {shown}",
                r["figure_id"]
            );
        } else {
            assert_eq!(shown, &r["participants"], "{}", r["figure_id"]);
        }
    }
    assert_eq!(
        drawn.len(),
        expected,
        "only the site and group cells of factors"
    );
    assert_eq!(expected, (9 + 5) * 22);
    // A few by hand: Site H spoke most of peer worker training; team
    // managers' cell is suppressed.
    assert_eq!(drawn["framework/site/Site H/pw_training"], "7");
    assert_eq!(drawn["framework/group/peer_worker/pw_training"], "18");
    assert!(drawn["framework/group/team_manager/pw_training"].starts_with("suppressed"));
    // The joint display's counts, in both formats.
    for id in [
        "joint/study/pw_training",
        "joint/group/peer_worker/pw_training",
    ] {
        let r = row(joint, id);
        let said = format!("{} of {} (", r["participants"], r["interviewees"]);
        for doc in [&md, &html] {
            let line = doc
                .lines()
                .find(|l| l.contains(&format!("{id}`")) || l.contains(&format!("{id}</code>")))
                .unwrap_or_else(|| panic!("{id} not in the report"));
            assert!(line.contains(&said), "{id}: {said} not in {line}");
        }
    }
    // The BME section's count of the `bme` theme, and its sources named.
    let bme = row(matrix, "framework/study/bme");
    assert!(md.contains(&format!(
        "| All interviewees | {} | {} | `framework/study/bme` |",
        bme["participants"], bme["segments"]
    )));
    assert!(md.contains(", from an interview transcript (`framework/study/"));
    assert!(md.contains(", from the interview data sheet (`quotes/"));
}

/// A late site's project, then a changed `codes.csv`: the matrix and the
/// joint display are computed again, and equal a run from nothing.
#[test]
fn late_transcripts_and_changed_codes_rerun_the_matrix_to_the_bytes_of_a_fresh_run() {
    let (tmp, study) = demo_copy();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&study, &out, &[]));
    let before = std::fs::read(out.join("tables/framework_matrix.csv")).unwrap();
    add_late_site(&study);
    assert_ok(&synthesis(&study, &out, &[]));
    let matrix = read_table(&out, "framework_matrix");
    assert!(matrix.iter().any(|r| r["site"] == "Site J"));
    let codes = study.join("qualitative/codes.csv");
    let mut text = std::fs::read_to_string(&codes).unwrap();
    text.push_str("Anecdotes,risk_share\n");
    std::fs::write(&codes, text).unwrap();
    assert_ok(&synthesis(&study, &out, &[]));
    let after = read_table(&out, "framework_matrix");
    let risk = |rows: &[Row]| row(rows, "framework/study/risk_share")["participants"].clone();
    assert_ne!(risk(&after), risk(&matrix));
    assert_ne!(
        std::fs::read(out.join("tables/framework_matrix.csv")).unwrap(),
        before
    );
    let fresh = tmp.path().join("fresh");
    assert_ok(&synthesis(&study, &fresh, &[]));
    assert_eq!(tree(&out), tree(&fresh));
}

// ------------------------------------------------- the packs and the handbook

/// The rows of a site pack's "What interviewees spoke of" tables, each as
/// its seven cells.
fn talk_rows(pack: &str) -> Vec<Vec<String>> {
    let section = pack
        .split_once("## What interviewees spoke of")
        .and_then(|(_, rest)| rest.split_once("## What interviewees said"))
        .map(|(s, _)| s)
        .expect("a pack has the section");
    section
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| Theme |") && !l.starts_with("| ---"))
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().trim_matches('`').to_string())
                .collect()
        })
        .collect()
}

/// What a pack shows of one framework matrix row: participants, segments.
fn shown(row: &Row) -> (String, String) {
    if row["suppressed"] == "true" {
        ("suppressed".into(), "–".into())
    } else {
        (row["participants"].clone(), row["segments"].clone())
    }
}

#[test]
fn every_site_pack_shows_its_framework_matrix_rows_as_the_csv_has_them() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&demo_study(), &out, &[]));
    let matrix = csv_rows(&out.join("tables/framework_matrix.csv"));
    let by_figure: BTreeMap<&str, &Row> = matrix
        .iter()
        .map(|r| (r["figure_id"].as_str(), r))
        .collect();
    let sites: BTreeSet<&str> = matrix
        .iter()
        .filter(|r| r["scope"] == "site")
        .map(|r| r["site"].as_str())
        .collect();
    assert_eq!(sites.len(), 9);
    let mut suppressed = 0;
    for site in sites {
        let file = format!("report/sites/{}.md", site.to_lowercase().replace(' ', "-"));
        let pack = std::fs::read_to_string(out.join(&file)).unwrap();
        let rows = talk_rows(&pack);
        let expected = matrix
            .iter()
            .filter(|r| r["scope"] == "site" && r["site"] == site)
            .count();
        assert_eq!(rows.len(), expected, "{file}: one row per theme");
        for cells in &rows {
            assert_eq!(cells.len(), 7, "{file}: {cells:?}");
            let here = by_figure[cells[3].as_str()];
            assert_eq!(
                (here["scope"].as_str(), here["site"].as_str()),
                ("site", site)
            );
            assert_eq!(shown(here), (cells[1].clone(), cells[2].clone()), "{file}");
            let study = by_figure[cells[6].as_str()];
            assert_eq!(study["scope"], "study");
            assert_eq!(study["theme"], here["theme"]);
            assert_eq!(shown(study), (cells[4].clone(), cells[5].clone()), "{file}");
            suppressed += usize::from(here["suppressed"] == "true");
        }
        // No exemplar of the framework matrix in a pack.
        for r in &matrix {
            for k in ["exemplar_1", "exemplar_2"] {
                assert!(r[k].is_empty() || !pack.contains(&r[k]), "{file}: {}", r[k]);
            }
        }
    }
    // Demo: 234 site rows, of which these are suppressed (the CSV's count).
    let in_csv = matrix
        .iter()
        .filter(|r| r["scope"] == "site" && r["suppressed"] == "true")
        .count();
    assert_eq!(suppressed, in_csv);
}

/// The factors of the demo handbook with at least one quote, and how many
/// quotes of each source it holds.
#[test]
fn the_demo_handbook_quotes_transcripts_first_for_every_factor() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&demo_study(), &out, &[]));
    let (mut factors, mut quoted, mut transcript, mut sheet) = (0, 0, 0, 0);
    for entry in std::fs::read_dir(out.join("report/handbook")).unwrap() {
        let page = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for factor in page
            .split("\n## ")
            .filter(|f| f.contains("**The condition:**"))
        {
            factors += 1;
            let Some((_, words)) = factor.split_once("### In their words") else {
                continue;
            };
            let quotes: Vec<&str> = words.lines().filter(|l| l.starts_with("> ")).collect();
            quoted += usize::from(!quotes.is_empty());
            let from_transcript =
                |q: &str| q.contains(", from an interview transcript (`framework/");
            transcript += quotes.iter().filter(|q| from_transcript(q)).count();
            sheet += quotes
                .iter()
                .filter(|q| q.contains(", from the interview data sheet (`"))
                .count();
            // Transcripts first.
            let first_sheet = quotes.iter().position(|q| !from_transcript(q));
            if let Some(i) = first_sheet {
                assert!(quotes[i..].iter().all(|q| !from_transcript(q)), "{factor}");
            }
        }
    }
    assert_eq!(factors, 22);
    // Before the transcripts were quoted, 7 of the 22 factors had a quote.
    assert_eq!((quoted, transcript, sheet), (19, 107, 36));
}
