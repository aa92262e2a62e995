//! The generated `qualitative/` folder read back by the study's own reader
//! (`crates/qualitative`): the projects read without errors, every
//! interviewee has exactly one transcript, the unmapped codes warn, the
//! selections are the stretches the generator coded, and the planted
//! effects are in the counts of distinct participants per theme.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read as _;

use model::{Diagnostic, Framework, Positions, Severity};
use qualitative::{CodeThemes, PositionUnit, Speaker, StudyReader, Turns};

use crate::projects::tool_of;
use crate::qdpx::Codebook;
use crate::tests::{default_files, file, interviews, parse};
use crate::transcripts::{self, Cut, NameForm};
use crate::{DemoFile, DemoSpec, generate, world};

fn framework() -> Framework {
    Framework::parse(crate::FRAMEWORK_TOML, "framework.toml").expect("framework parses")
}

fn themes(files: &[DemoFile]) -> CodeThemes {
    let table = ingest::read_csv(
        &file(files, "qualitative/codes.csv").bytes,
        "qualitative/codes.csv",
    )
    .expect("codes.csv reads");
    CodeThemes::parse(&table, &framework()).expect("codes.csv parses")
}

/// What the reader found in a study's projects.
struct Found {
    /// Record id to theme to coded segments.
    themes: BTreeMap<String, BTreeMap<String, usize>>,
    /// Record id to how many transcripts are linked to it.
    linked: BTreeMap<String, usize>,
    /// Record id to the transcript's text and its selections (text, code paths).
    transcripts: BTreeMap<String, (String, Vec<(String, Vec<String>)>)>,
    /// Record id to (turns, interviewer turns) found by the label finder.
    turns: BTreeMap<String, (usize, usize)>,
    units: BTreeMap<String, PositionUnit>,
    diagnostics: Vec<Diagnostic>,
}

fn read(files: &[DemoFile], projects: &[&str], record_ids: &[String]) -> Found {
    let mut reader = StudyReader::new(Positions::Auto, record_ids, themes(files));
    let mut out = Found {
        themes: BTreeMap::new(),
        linked: BTreeMap::new(),
        transcripts: BTreeMap::new(),
        turns: BTreeMap::new(),
        units: BTreeMap::new(),
        diagnostics: Vec::new(),
    };
    for path in projects {
        let linked = reader
            .read(&file(files, path).bytes, path, &mut out.diagnostics)
            .unwrap_or_else(|| panic!("{path} reads: {:#?}", out.diagnostics));
        out.units.insert(path.to_string(), linked.project.positions);
        for (i, t) in linked.project.transcripts.iter().enumerate() {
            let record = linked.record_id(i).expect("linked").to_string();
            *out.linked.entry(record.clone()).or_default() += 1;
            let selections = t
                .selections
                .iter()
                .map(|s| {
                    let mut paths: Vec<String> = s
                        .codes
                        .iter()
                        .map(|&c| linked.project.codebook.code(c).path.clone())
                        .collect();
                    paths.sort();
                    (t.text[s.bytes.clone()].to_string(), paths)
                })
                .collect();
            let found = Turns::find(&t.text);
            let interviewer = found
                .all()
                .iter()
                .filter(|turn| turn.speaker == Speaker::Interviewer)
                .count();
            out.turns
                .insert(record.clone(), (found.all().len(), interviewer));
            out.transcripts.insert(record, (t.text.clone(), selections));
        }
        for s in linked.themed_segments() {
            *out.themes
                .entry(s.record_id.to_string())
                .or_default()
                .entry(s.theme.to_string())
                .or_default() += 1;
        }
    }
    reader.finish(&mut out.diagnostics);
    out
}

fn projects_in(files: &[DemoFile], folder: &str) -> Vec<String> {
    files
        .iter()
        .filter(|f| f.path.starts_with(folder) && f.path.ends_with(".qdpx"))
        .map(|f| f.path.clone())
        .collect()
}

fn main_record_ids(files: &[DemoFile]) -> Vec<String> {
    let (_, records) = interviews(
        &files
            .iter()
            .filter(|f| !f.path.starts_with("late/"))
            .cloned()
            .collect::<Vec<_>>(),
    );
    records.into_keys().collect()
}

fn all_record_ids(files: &[DemoFile]) -> Vec<String> {
    interviews(files).1.into_keys().collect()
}

/// The main projects and, with `late`, the late site's, read.
fn read_demo(files: &[DemoFile], late: bool) -> Found {
    let mut projects = projects_in(files, "qualitative/");
    let ids = if late {
        projects.extend(projects_in(files, "late/qualitative/"));
        all_record_ids(files)
    } else {
        main_record_ids(files)
    };
    let projects: Vec<&str> = projects.iter().map(String::as_str).collect();
    read(files, &projects, &ids)
}

/// The only diagnostics are the two unmapped codes' warnings.
fn assert_only_unmapped_warnings(diagnostics: &[Diagnostic]) {
    assert_eq!(diagnostics.len(), 2, "{diagnostics:#?}");
    for (code, project) in [
        ("Anecdotes", "nww_waves1-2"),
        ("Stories", "Priya Ramanathan"),
    ] {
        assert!(
            diagnostics.iter().any(|d| d.severity == Severity::Warning
                && d.file == "qualitative/codes.csv"
                && d.message.contains(&format!("code `{code}`"))
                && d.message.contains(project)
                && d.message.contains("has no theme")),
            "no warning for `{code}`: {diagnostics:#?}"
        );
    }
}

#[test]
fn every_interviewee_has_one_transcript_and_the_projects_read_cleanly() {
    let files = default_files();
    let main = read_demo(&files, false);
    assert_only_unmapped_warnings(&main.diagnostics);
    let ids = main_record_ids(&files);
    assert_eq!(main.linked.keys().cloned().collect::<Vec<_>>(), ids);
    assert!(main.linked.values().all(|&n| n == 1));
    // Withdrawn participants have transcripts too.
    let withdrawals = parse(&file(&files, "withdrawals.csv").bytes);
    for row in &withdrawals.rows {
        assert!(main.linked.contains_key(&row[0]), "{}", row[0]);
    }

    // The late site's project brings its interviewees' transcripts.
    let all = read_demo(&files, true);
    assert_only_unmapped_warnings(&all.diagnostics);
    assert_eq!(
        all.linked.keys().cloned().collect::<Vec<_>>(),
        all_record_ids(&files)
    );
    assert!(all.linked.values().all(|&n| n == 1));
    assert!(all.linked.len() > main.linked.len());
}

#[test]
fn selections_and_turns_are_what_the_generator_wrote() {
    let files = default_files();
    let found = read_demo(&files, true);
    let (ctx, sites) = world(&DemoSpec::default());
    let mut checked = 0;
    let (mut shifted, mut astral_inside) = (0, 0);
    for site in &sites {
        let tool = tool_of(site);
        let book = Codebook::of(&ctx, tool);
        for t in transcripts::site_transcripts(&ctx, site, tool) {
            let (text, selections) = &found.transcripts[&t.record_id];
            assert_eq!(text, &t.text, "{}", t.record_id);
            let mut expected: Vec<(String, Vec<String>)> = t
                .coded
                .iter()
                .map(|c| {
                    let mut paths: Vec<String> = c
                        .codes
                        .iter()
                        .map(|&k| book.path(book.node_of(k).expect("a code")))
                        .collect();
                    paths.sort();
                    paths.dedup();
                    (t.text[c.bytes.clone()].to_string(), paths)
                })
                .collect();
            let mut got = selections.clone();
            expected.sort();
            got.sort();
            assert_eq!(got, expected, "{}", t.record_id);
            assert_eq!(
                found.turns[&t.record_id],
                (t.turns, t.interviewer_turns),
                "{}",
                t.record_id
            );
            // Where a character outside the BMP comes before a selection,
            // UTF-16 units and code points differ: the positions were
            // converted, not copied.
            let astral = |s: &str| s.chars().filter(|c| c.len_utf16() == 2).count();
            shifted += t
                .coded
                .iter()
                .filter(|c| astral(&t.text[..c.bytes.start]) > 0)
                .count();
            astral_inside += t
                .coded
                .iter()
                .filter(|c| astral(&t.text[c.bytes.clone()]) > 0)
                .count();
            checked += 1;
        }
    }
    assert_eq!(checked, found.linked.len());
    assert!(
        shifted >= 20 && astral_inside >= 10,
        "{shifted} shifted, {astral_inside} with emoji"
    );
    // NVivo counts UTF-16 code units, ATLAS.ti code points.
    assert_eq!(
        found.units["qualitative/nww_waves1-2.qdpx"],
        PositionUnit::Utf16
    );
    assert_eq!(
        found.units["qualitative/NWW wave 3 South (Priya Ramanathan).qdpx"],
        PositionUnit::CodePoints
    );
}

#[test]
fn the_exports_are_written_as_each_tool_writes_them() {
    let files = default_files();
    let entries = |path: &str| -> Vec<(String, Vec<u8>)> {
        let bytes = file(&files, path).bytes.clone();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
        (0..archive.len())
            .map(|i| {
                let mut entry = archive.by_index(i).expect("entry");
                let mut bytes = Vec::new();
                entry.read_to_end(&mut bytes).expect("read");
                (entry.name().expect("a name").to_string(), bytes)
            })
            .collect()
    };
    let nvivo = entries("qualitative/nww_waves1-2.qdpx");
    assert_eq!(nvivo[0].0, "project.qde");
    let qde = String::from_utf8(nvivo[0].1.clone()).expect("utf-8");
    assert!(qde.starts_with('\u{feff}') && qde.contains("\r\n"));
    assert!(qde.contains("origin=\"NVivo 12"));
    assert!(qde.contains("<Case ") && qde.contains("name=\"Interview 001\""));
    assert!(qde.contains("isCodable=\"false\""));
    let sources = &nvivo[1..];
    assert!(sources.iter().all(|(name, _)| name.starts_with("Sources/")));
    for (_, bytes) in sources {
        let text = std::str::from_utf8(bytes).expect("utf-8");
        assert!(text.starts_with('\u{feff}'));
        assert!(!text.replace("\r\n", "").contains('\n'), "CRLF only");
    }
    let texts: String = sources
        .iter()
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .collect();
    assert!(
        texts.chars().any(|c| c.len_utf16() == 2),
        "characters outside the BMP"
    );

    let atlas = entries("qualitative/NWW wave 3 South (Priya Ramanathan).qdpx");
    assert_eq!(atlas[0].0, "NWW wave 3 South (Priya Ramanathan).qde");
    let qde = String::from_utf8(atlas[0].1.clone()).expect("utf-8");
    assert!(!qde.starts_with('\u{feff}') && !qde.contains('\r'));
    assert!(!qde.contains("<Case"));
    let guid = qde.split("guid=\"").nth(1).expect("a guid");
    assert!(guid.starts_with('{') && guid[1..37].chars().all(|c| !c.is_ascii_lowercase()));
    assert!(qde.contains("name=\"S08-01 transcript\""));
    assert!(
        atlas[1..]
            .iter()
            .all(|(name, b)| name.starts_with("sources/") && !b.starts_with(b"\xEF\xBB\xBF"))
    );

    // Fixed timestamps and order: another run gives the same archive.
    let again = generate(&DemoSpec::default());
    assert_eq!(
        file(&again, "qualitative/nww_waves1-2.qdpx").bytes,
        file(&files, "qualitative/nww_waves1-2.qdpx").bytes
    );
}

#[test]
fn transcripts_plant_what_the_redactor_must_remove() {
    let files = default_files();
    let found = read_demo(&files, true);
    let (ctx, sites) = world(&DemoSpec::default());
    let (header, records) = interviews(&files);
    let name_col = header
        .iter()
        .position(|h| h == "participant_name")
        .expect("column");
    let mut nfd = 0;
    let mut stripped = 0;
    let mut cuts = BTreeSet::new();
    for site in &sites {
        for t in transcripts::site_transcripts(&ctx, site, tool_of(site)) {
            let name = &records[&t.record_id][name_col];
            let text = &found.transcripts[&t.record_id].0;
            let first = name.split(' ').next().expect("a first name");
            match t.name_form {
                NameForm::AsRegistered => {
                    assert!(
                        text.contains(name.as_str()),
                        "{}: the full name",
                        t.record_id
                    );
                    assert!(
                        text.contains(&format!("\n{first}: ")),
                        "{}: the label",
                        t.record_id
                    );
                }
                NameForm::Nfd => {
                    nfd += 1;
                    assert!(text.contains(&crate::text::nfd(name)), "{}", t.record_id);
                    assert!(
                        !text.contains(name.as_str()),
                        "{}: only in NFD",
                        t.record_id
                    );
                }
                NameForm::Stripped => {
                    stripped += 1;
                    let plain = crate::text::without_diacritics(name);
                    assert!(text.contains(&plain), "{}", t.record_id);
                    let label = plain.split(' ').next().expect("first");
                    assert!(text.contains(&format!("\n{label}: ")), "{}", t.record_id);
                }
            }
            assert!(
                text.contains(&site.name),
                "{}: the site's real name",
                t.record_id
            );
            assert!(text.contains("\nInterviewer: "));
            if let Some(cut) = t.cut {
                // A selection edge inside a colleague's name, as the reader cut it.
                let selections = &found.transcripts[&t.record_id].1;
                let colleague_cut = selections.iter().any(|(s, _)| {
                    site.colleagues.iter().any(|c| {
                        let forms = [
                            c.clone(),
                            crate::text::nfd(c),
                            crate::text::without_diacritics(c),
                        ];
                        forms.iter().any(|c| {
                            let chars: Vec<char> = c.chars().collect();
                            let head: String = chars[..chars.len() - 3].iter().collect();
                            let tail: String = chars[3..].iter().collect();
                            match cut {
                                Cut::Start => s.starts_with(&tail),
                                Cut::End => s.ends_with(&head) && !s.ends_with(c.as_str()),
                            }
                        })
                    })
                });
                assert!(colleague_cut, "{}: {cut:?}", t.record_id);
                cuts.insert(format!("{cut:?}"));
            }
        }
    }
    assert!(nfd >= 3 && stripped >= 3, "{nfd} NFD, {stripped} stripped");
    assert_eq!(cuts.len(), 2, "both edges are cut somewhere");
    let all: String = found
        .transcripts
        .values()
        .map(|(t, _)| t.as_str())
        .collect();
    for needle in [
        "07700 900",
        "020 7946 0",
        "+44 161 496 0",
        ".example.org",
        "Interviewer Helen Marchbank",
    ] {
        assert!(all.contains(needle), "{needle}");
    }
    // Identifiers inside coded selections too, where a quote would carry them.
    let coded: Vec<&str> = found
        .transcripts
        .values()
        .flat_map(|(_, selections)| selections.iter().map(|(s, _)| s.as_str()))
        .collect();
    let sites_csv = parse(&file(&files, "sites.csv").bytes);
    let inside = |found: &dyn Fn(&str) -> bool| coded.iter().filter(|s| found(s)).count();
    assert!(inside(&|s| s.contains(".example.org")) >= 3);
    assert!(
        inside(&|s| s.contains("07700 900")
            || s.contains("020 7946 0")
            || s.contains("+44 161 496 0"))
            >= 3
    );
    assert!(inside(&|s| sites_csv.rows.iter().any(|r| s.contains(r[1].as_str()))) >= 3);
    // Some selections include the interviewee's speaker label.
    let labelled = inside(&|s| {
        s.split_once(": ").is_some_and(|(label, _)| {
            !label.contains(' ') && label.chars().next().is_some_and(char::is_uppercase)
        })
    });
    assert!(labelled >= 5, "{labelled} selections with a label");
    // Every colleague and every other participant is named somewhere.
    let identifiers = parse(&file(&files, "identifiers.csv").bytes);
    let people: Vec<&str> = identifiers
        .rows
        .iter()
        .filter(|r| r[0] == "person")
        .map(|r| r[1].as_str())
        .collect();
    let named = people
        .iter()
        .filter(|p| {
            [
                p.to_string(),
                crate::text::nfd(p),
                crate::text::without_diacritics(p),
            ]
            .iter()
            .any(|form| all.contains(form.as_str()))
        })
        .count();
    assert_eq!(named, people.len(), "every colleague is named");
}

/// Distinct participants and segments of a theme among the records `keep`.
fn count(found: &Found, theme: &str, keep: impl Fn(&str) -> bool) -> (usize, usize, usize) {
    let kept: Vec<&String> = found.linked.keys().filter(|r| keep(r)).collect();
    let participants = kept
        .iter()
        .filter(|r| found.themes.get(**r).is_some_and(|t| t.contains_key(theme)))
        .count();
    let segments = kept
        .iter()
        .filter_map(|r| found.themes.get(*r)?.get(theme))
        .sum();
    (participants, kept.len(), segments)
}

/// Mean importance of each factor over every valid rating (1-5).
fn mean_importance(files: &[DemoFile]) -> BTreeMap<String, f64> {
    let (header, records) = interviews(files);
    let mut means = BTreeMap::new();
    for (c, h) in header.iter().enumerate() {
        let Some(factor) = h.strip_prefix("imp_") else {
            continue;
        };
        let values: Vec<f64> = records
            .values()
            .filter_map(|r| r[c].parse::<f64>().ok())
            .filter(|v| (1.0..=5.0).contains(v))
            .collect();
        means.insert(
            factor.to_string(),
            values.iter().sum::<f64>() / values.len() as f64,
        );
    }
    means
}

fn rank_from_top(means: &BTreeMap<String, f64>, factor: &str) -> usize {
    means.values().filter(|&&m| m > means[factor]).count() + 1
}

#[test]
fn planted_qualitative_effects_are_in_the_counts() {
    let files = default_files();
    let found = read_demo(&files, false);
    let (header, records) = interviews(&files);
    let group_col = header
        .iter()
        .position(|h| h == "stakeholder_group")
        .expect("column");
    let sites_csv = parse(&file(&files, "sites.csv").bytes);
    let site_of = |record: &str| record.split('-').next().expect("a site id").to_string();
    let sectors: BTreeMap<String, String> = sites_csv
        .rows
        .iter()
        .map(|r| (r[0].clone(), r[3].clone()))
        .collect();
    let sector = &sectors;
    let bme_sites: BTreeSet<String> = sites_csv
        .rows
        .iter()
        .filter(|r| r[5] == "yes")
        .map(|r| r[0].clone())
        .collect();
    let withdrawals = parse(&file(&files, "withdrawals.csv").bytes);
    let gone: BTreeSet<String> = withdrawals
        .rows
        .iter()
        .filter(|r| r[2] == "all")
        .map(|r| r[0].clone())
        .collect();
    let group = |record: &str| {
        records[record][group_col]
            .parse::<usize>()
            .expect("a group")
    };
    let kept = |record: &str| !gone.contains(record);
    let in_sector = |s: &'static str| move |r: &str| kept(r) && sector[&site_of(r)] == s;
    let in_group = |g: usize| move |r: &str| kept(r) && group(r) == g;
    let min_cell = 3;
    let means = mean_importance(&files);
    let factors = means.len();
    let top3: BTreeMap<String, usize> = {
        let mut named = BTreeMap::new();
        for row in records.values() {
            for k in ["top_1", "top_2", "top_3"] {
                let c = header.iter().position(|h| h == k).expect("column");
                if !row[c].is_empty() {
                    *named.entry(row[c].clone()).or_default() += 1;
                }
            }
        }
        named
    };

    // 8. Benefits advice: rated low, talked about by many at voluntary sites.
    let (voluntary, _, _) = count(&found, "welfare_advice", in_sector("voluntary"));
    let (statutory, _, _) = count(&found, "welfare_advice", in_sector("statutory"));
    let (peer_workers, _, _) = count(&found, "welfare_advice", in_group(1));
    let voluntary_peer_workers = found
        .linked
        .keys()
        .filter(|r| kept(r) && group(r) == 1 && sector[&site_of(r)] == "voluntary")
        .count();
    let (voluntary_pw_talk, _, _) = count(&found, "welfare_advice", |r| {
        kept(r) && group(r) == 1 && sector[&site_of(r)] == "voluntary"
    });
    let (managers, _, _) = count(&found, "welfare_advice", |r| kept(r) && group(r) >= 4);
    assert_eq!(voluntary_pw_talk, voluntary_peer_workers);
    assert!(
        voluntary >= 12 && voluntary >= 4 * statutory.max(1),
        "{voluntary} voluntary, {statutory} statutory"
    );
    assert!(
        peer_workers >= min_cell && managers <= 1,
        "{peer_workers} peer workers, {managers} managers"
    );
    assert!(
        rank_from_top(&means, "welfare_advice") > factors * 3 / 4,
        "{means:?}"
    );
    assert_eq!(top3.get("welfare_advice"), None);

    // 9. Risk sharing: rated very important, hardly spoken of.
    let (risk, people, _) = count(&found, "risk_share", kept);
    let mut others: Vec<usize> = means
        .keys()
        .filter(|f| *f != "risk_share")
        .map(|f| count(&found, f, kept).0)
        .collect();
    others.sort_unstable();
    let median = others[others.len() / 2];
    assert!((min_cell..=6).contains(&risk), "{risk} of {people}");
    assert!(risk * 3 <= median, "{risk} against a median of {median}");
    assert!(rank_from_top(&means, "risk_share") <= 5, "{means:?}");

    // 10. Culturally specific experiences at the BME-focused sites.
    for site in sector.keys() {
        let (talk, people, _) = count(&found, "bme", |r| kept(r) && site_of(r) == *site);
        if people == 0 {
            continue;
        }
        if bme_sites.contains(site) {
            assert!(
                talk * 4 >= people * 3 && talk >= 6,
                "{site}: {talk} of {people}"
            );
        } else {
            assert!(talk < min_cell, "{site}: {talk} of {people}");
        }
    }

    // 11. Supervision talk diverges at Site E (S05).
    let (here, people_here, segments_here) =
        count(&found, "supervision", |r| kept(r) && site_of(r) == "S05");
    let (elsewhere, people_elsewhere, segments_elsewhere) =
        count(&found, "supervision", |r| kept(r) && site_of(r) != "S05");
    assert_eq!(here, people_here);
    assert!(segments_here >= 3 * here, "{segments_here} segments");
    assert!(
        elsewhere * 10 <= people_elsewhere * 7,
        "{elsewhere} of {people_elsewhere}"
    );
    assert!(
        segments_elsewhere * 2 <= elsewhere * 3,
        "{segments_elsewhere} segments elsewhere"
    );

    // 12. Accredited training: ratings and talk converge.
    for g in [1, 3] {
        let (talk, people, _) = count(&found, "pw_training", in_group(g));
        assert_eq!(talk, people, "group {g}");
    }
    let (managers, all_managers, _) = count(&found, "pw_training", |r| kept(r) && group(r) >= 4);
    assert!(
        managers * 5 <= all_managers,
        "{managers} of {all_managers} managers"
    );

    // The README gives the same sizes.
    let readme = String::from_utf8(file(&files, "README.md").bytes.clone()).expect("utf-8");
    let (v, vn, vs) = count(&found, "welfare_advice", in_sector("voluntary"));
    assert!(
        readme.contains(&format!(
            "voluntary sites {v} of {vn} participants ({vs} segments)"
        )),
        "README: welfare_advice {v} of {vn} ({vs})"
    );
    assert!(readme.contains(&format!(
        "{risk} of {people} participants in the whole study"
    )));
    let (talk, at_d, _) = count(&found, "bme", |r| kept(r) && site_of(r) == "S04");
    assert!(readme.contains(&format!("Site D (S04) {talk} of {at_d}")));
    assert!(readme.contains(&format!("there {here} of {people_here} interviewees")));
}

#[test]
fn workshops_name_figures_of_their_site_pack() {
    let files = default_files();
    let sites = parse(&file(&files, "sites.csv").bytes);
    let framework = framework();
    let codes: BTreeSet<&str> = framework
        .factors
        .iter()
        .map(|f| f.code.as_str())
        .chain(framework.outcomes.iter().map(|o| o.code.as_str()))
        .collect();
    let mut notes = 0;
    let mut verdict_files = 0;
    for row in &sites.rows {
        let (id, name, label) = (&row[0], &row[1], &row[2]);
        let md = files
            .iter()
            .find(|f| f.path.ends_with(&format!("workshops/{id}.md")));
        if id == "S06" {
            assert!(md.is_none(), "one site has no notes");
            continue;
        }
        let md = String::from_utf8(md.expect("notes").bytes.clone()).expect("utf-8");
        assert!(md.contains(name.as_str()) && md.contains("<script>") && md.contains("<br>"));
        assert!(md.contains("@") && md.contains("Present: "));
        notes += 1;
        let Some(csv) = files
            .iter()
            .find(|f| f.path == format!("qualitative/workshops/{id}.csv"))
        else {
            continue;
        };
        verdict_files += 1;
        assert!(
            csv.bytes.starts_with(b"\xEF\xBB\xBF") && csv.bytes.windows(2).any(|w| w == b"\r\n")
        );
        let table = parse(&csv.bytes);
        assert_eq!(table.header, ["figure_id", "verdict", "comment"]);
        let verdicts: BTreeSet<&str> = table.rows.iter().map(|r| r[1].as_str()).collect();
        assert!(verdicts.is_subset(&BTreeSet::from(["confirmed", "challenged", "new"])));
        for r in &table.rows {
            // `patterns/<label>/<code>`, `ratings/site/<label>/<code>`, `top3/site/<label>/<code>`.
            let rest = ["patterns/", "ratings/site/", "top3/site/"]
                .iter()
                .find_map(|p| r[0].strip_prefix(p))
                .unwrap_or_else(|| panic!("{}", r[0]));
            let code = rest
                .strip_prefix(&format!("{label}/"))
                .unwrap_or_else(|| panic!("{}", r[0]));
            assert!(codes.contains(code), "{}", r[0]);
        }
    }
    assert_eq!((notes, verdict_files), (9, 3));
    // The diverging site challenges its supervision finding.
    let e = parse(&file(&files, "qualitative/workshops/S05.csv").bytes);
    assert!(
        e.rows
            .iter()
            .any(|r| r[0] == "patterns/Site E/supervision" && r[1] == "challenged")
    );
}

#[test]
fn transcripts_only_when_asked_and_many_sites_in_many_projects() {
    let spec = DemoSpec {
        sites: 45,
        per_site: Some(4),
        seed: 5,
        transcripts: false,
    };
    let without = generate(&spec);
    assert!(!without.iter().any(|f| f.path.contains("qualitative")));
    let with = generate(&DemoSpec {
        transcripts: true,
        ..spec
    });
    let main = projects_in(&with, "qualitative/");
    // 30 sites in waves 1-2 (two NVivo projects), 14 in wave 3 with one late.
    assert_eq!(
        main,
        [
            "qualitative/NWW wave 3 South (Priya Ramanathan).qdpx",
            "qualitative/nww_waves1-2_001.qdpx",
            "qualitative/nww_waves1-2_002.qdpx"
        ]
    );
    let found = read_demo(&with, true);
    assert_only_unmapped_warnings(&found.diagnostics);
    assert_eq!(found.linked.len(), 45 * 4);
    assert!(found.linked.values().all(|&n| n == 1));
    // Without the transcripts, the rest of the study is the same bytes.
    for f in &without {
        if f.path != "README.md" {
            assert_eq!(file(&with, &f.path).bytes, f.bytes, "{}", f.path);
        }
    }
}
