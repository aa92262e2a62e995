//! Properties of the generated study, checked by parsing the output with the
//! `csv` crate as the pipeline would.

use std::collections::{BTreeMap, BTreeSet};

use crate::text::passes_mod11;
use crate::{DemoFile, DemoSpec, generate};

pub(crate) struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub(crate) fn col(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    }
    pub(crate) fn get<'a>(&self, row: &'a [String], name: &str) -> &'a str {
        &row[self.col(name)]
    }
}

pub(crate) fn parse(bytes: &[u8]) -> Table {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(bytes);
    let header = reader
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.expect("record").iter().map(String::from).collect())
        .collect();
    Table { header, rows }
}

pub(crate) fn file<'a>(files: &'a [DemoFile], path: &str) -> &'a DemoFile {
    files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("no file {path}"))
}

/// Every interview row, raw and late, each record once.
pub(crate) fn interviews(files: &[DemoFile]) -> (Vec<String>, BTreeMap<String, Vec<String>>) {
    let mut header = Vec::new();
    let mut records = BTreeMap::new();
    for f in files.iter().filter(|f| f.path.contains("raw/interviews/")) {
        let table = parse(&f.bytes);
        header = table.header.clone();
        for row in table.rows {
            records.insert(row[0].clone(), row);
        }
    }
    (header, records)
}

pub(crate) fn default_files() -> Vec<DemoFile> {
    generate(&DemoSpec::default())
}

#[test]
fn generate_is_byte_deterministic() {
    let a = default_files();
    let b = default_files();
    assert_eq!(a, b);
    let other = generate(&DemoSpec {
        seed: 7,
        ..DemoSpec::default()
    });
    assert_ne!(
        file(&a, "raw/interviews/wave1_london.csv").bytes,
        file(&other, "raw/interviews/wave1_london.csv").bytes
    );
}

#[test]
fn default_file_list() {
    let files = default_files();
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "README.md",
            "framework.toml",
            "identifiers.csv",
            "late/qualitative/wave3_south_late.qdpx",
            "late/qualitative/workshops/S10.md",
            "late/raw/documents/wave3_south_late.csv",
            "late/raw/interviews/wave3_south_late.csv",
            "qualitative/NWW wave 3 South (Priya Ramanathan).qdpx",
            "qualitative/codes.csv",
            "qualitative/nww_waves1-2.qdpx",
            "qualitative/workshops/S01.csv",
            "qualitative/workshops/S01.md",
            "qualitative/workshops/S02.md",
            "qualitative/workshops/S03.md",
            "qualitative/workshops/S04.md",
            "qualitative/workshops/S05.csv",
            "qualitative/workshops/S05.md",
            "qualitative/workshops/S07.csv",
            "qualitative/workshops/S07.md",
            "qualitative/workshops/S08.md",
            "qualitative/workshops/S09.md",
            "raw/documents/wave1_london.csv",
            "raw/documents/wave2_north.csv",
            "raw/documents/wave3_south.csv",
            "raw/interviews/wave1_london.csv",
            "raw/interviews/wave2_north.csv",
            "raw/interviews/wave3_south.csv",
            "raw/interviews/wave3_south_followup.csv",
            "redcap/document_dictionary.csv",
            "redcap/interview_dictionary.csv",
            "sites.csv",
            "study.toml",
            "withdrawals.csv",
        ]
    );
}

#[test]
fn schema_files_are_byte_copies() {
    let files = default_files();
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data-schema/");
    for path in ["framework.toml", "redcap/document_dictionary.csv"] {
        let on_disk = std::fs::read(format!("{root}{path}")).expect("data-schema file");
        assert_eq!(file(&files, path).bytes, on_disk, "{path}");
    }
    // The interview dictionary is the protocol's with the demo's own
    // checkbox field: that one row removed, a byte copy.
    let path = "redcap/interview_dictionary.csv";
    let demo = String::from_utf8(file(&files, path).bytes.clone()).unwrap();
    let row = format!("{}\r\n", crate::WORK_SETTINGS_ROW);
    assert_eq!(demo.matches(&row).count(), 1);
    let on_disk = std::fs::read_to_string(format!("{root}{path}")).expect("data-schema file");
    assert_eq!(demo.replacen(&row, "", 1), on_disk);
    let parsed = ingest::parse_dictionary(&ingest::read_csv(demo.as_bytes(), path).unwrap())
        .expect("the demo's dictionary parses");
    let field = parsed.field("work_settings").unwrap();
    assert!(field.is_checkbox());
    assert_eq!(
        field
            .choices
            .iter()
            .map(|c| c.code.as_str())
            .collect::<Vec<_>>(),
        crate::WORK_SETTINGS_CODES
    );
    assert_eq!(
        parsed.fields.iter().position(|f| f.name == "work_settings"),
        parsed
            .fields
            .iter()
            .position(|f| f.name == "role_detail")
            .map(|i| i + 1)
    );
}

#[test]
fn study_toml_parses_as_a_demo_study() {
    let files = default_files();
    let text = String::from_utf8(file(&files, "study.toml").bytes.clone()).expect("utf-8");
    let config = model::StudyConfig::parse(&text, "study.toml").expect("study.toml parses");
    assert!(config.key.demo);
    assert_eq!(config.study.seed, 20110301);
    assert_eq!(config.study.name, "New Ways of Working");
    assert_eq!(config.disclosure.min_cell, 3);
    assert_eq!(config.disclosure.quote_label, ["group", "sector"]);
    let publication = config.publication;
    assert_eq!(
        publication.license,
        Some(model::License::Spdx("CC-BY-4.0".into()))
    );
    assert_eq!(
        publication.date_published.as_ref().map(|d| d.as_str()),
        Some("2026-11-30")
    );
}

#[test]
fn site_register_follows_the_protocol_design() {
    let files = default_files();
    let sites = parse(&file(&files, "sites.csv").bytes);
    assert_eq!(
        sites.header,
        [
            "site_id",
            "site_name",
            "label",
            "sector",
            "partnership",
            "bme_focus",
            "region",
            "wave",
            "model"
        ]
    );
    assert_eq!(sites.rows.len(), 10);
    let ids: Vec<&str> = sites.rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        ids,
        [
            "S01", "S02", "S03", "S04", "S05", "S06", "S07", "S08", "S09", "S10"
        ]
    );
    let labels: Vec<&str> = sites.rows.iter().map(|r| r[2].as_str()).collect();
    assert_eq!(
        labels,
        [
            "Site A", "Site B", "Site C", "Site D", "Site E", "Site F", "Site G", "Site H",
            "Site I", "Site J"
        ]
    );
    let count = |f: &dyn Fn(&Vec<String>) -> bool| sites.rows.iter().filter(|r| f(r)).count();
    assert_eq!(count(&|r| r[3] == "statutory"), 5);
    assert_eq!(count(&|r| r[3] == "voluntary"), 5);
    assert!(count(&|r| r[3] == "statutory" && r[4] == "yes") >= 1);
    assert!(count(&|r| r[5] == "yes") >= 2);
    assert!(count(&|r| r[3] == "voluntary" && r[8].contains("Service-user led")) >= 1);
    for (wave, region) in [("1", "London"), ("2", "North"), ("3", "South")] {
        assert!(
            count(&|r| r[7] == wave && r[6] == region) >= 3,
            "wave {wave}"
        );
        assert_eq!(count(&|r| r[7] == wave && r[6] != region), 0);
    }
    let names: BTreeSet<&str> = sites.rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(names.len(), 10);
}

#[test]
fn interview_exports_have_every_dictionary_field() {
    let files = default_files();
    let dictionary = crate::dictionary::fields(&crate::interview_dictionary());
    // As REDCap writes them: the data access group after the record id, a
    // column per checkbox choice.
    let mut expected: Vec<String> = Vec::new();
    for (name, _) in &dictionary {
        if name == "work_settings" {
            expected.extend((1..=5).map(|c| format!("work_settings___{c}")));
        } else {
            expected.push(name.clone());
        }
        if name == "record_id" {
            expected.push("redcap_data_access_group".into());
        }
    }
    expected.push("interview_data_sheet_complete".into());
    let factors: Vec<String> = crate::Context::new(&DemoSpec::default(), &[8])
        .factors
        .iter()
        .map(|f| f.code.clone())
        .collect();
    for f in files.iter().filter(|f| f.path.contains("raw/interviews/")) {
        let table = parse(&f.bytes);
        assert_eq!(table.header, expected, "{}", f.path);
        assert!(!table.rows.is_empty());
        for row in &table.rows {
            assert_eq!(row.len(), expected.len(), "{}: {}", f.path, row[0]);
            let id = table.get(row, "record_id");
            let site = table.get(row, "site_id");
            assert!(
                id.starts_with(&format!("{site}-")) && id.len() == site.len() + 3,
                "{id}"
            );
            let date = table.get(row, "interview_date");
            assert!(
                date.len() == 10 && (date.starts_with("2011-") || date.starts_with("2012-")),
                "{date}"
            );
            assert!(table.get(row, "contact_email").contains('@'));
            // The site's group, named after the service (never its label).
            let group = table.get(row, "redcap_data_access_group");
            assert!(
                group.len() > 10 && group.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{group}"
            );
            for c in 1..=5 {
                assert!(["0", "1"].contains(&table.get(row, &format!("work_settings___{c}"))));
            }
            assert!(["0", "1", "2"].contains(&table.get(row, "interview_data_sheet_complete")));
            let tops: Vec<&str> = (1..=3)
                .map(|k| table.get(row, &format!("top_{k}")))
                .collect();
            if tops[0].is_empty() {
                assert!(tops.iter().all(|t| t.is_empty()));
            } else {
                let distinct: BTreeSet<&str> = tops.iter().copied().collect();
                assert_eq!(distinct.len(), 3, "{id}: {tops:?}");
                assert!(tops.iter().all(|t| factors.iter().any(|f| f == t)));
            }
            for k in 1..=3 {
                assert_eq!(
                    tops[k - 1].is_empty(),
                    table.get(row, &format!("top_{k}_impact")).is_empty()
                );
            }
            for factor in &factors {
                let pm = table.get(row, &format!("pm_{factor}"));
                assert!(
                    ["1", "2", "3", "9", "-98", "-99", ""].contains(&pm),
                    "{id} pm_{factor}={pm}"
                );
                let imp = table.get(row, &format!("imp_{factor}"));
                assert!(
                    ["1", "2", "3", "4", "5", "-98", "-99", ""].contains(&imp),
                    "{id} imp_{factor}={imp}"
                );
                let dir = table.get(row, &format!("dir_{factor}"));
                assert!(
                    ["1", "2", "3", "4", "-98", "-99", ""].contains(&dir),
                    "{id} dir_{factor}={dir}"
                );
            }
        }
    }
}

#[test]
fn messy_export_details_are_present() {
    let files = default_files();
    let london = &file(&files, "raw/interviews/wave1_london.csv").bytes;
    assert_eq!(&london[..3], &[0xEF, 0xBB, 0xBF]);
    let north = &file(&files, "raw/interviews/wave2_north.csv").bytes;
    assert!(north.windows(2).any(|w| w == b"\r\n"));
    for (i, &b) in north.iter().enumerate() {
        if b == b'\n' {
            assert_eq!(north[i - 1], b'\r', "bare LF at byte {i}");
        }
    }
    let south = &file(&files, "raw/interviews/wave3_south.csv").bytes;
    assert!(!south.contains(&b'\r'));
    assert_ne!(&south[..3], &[0xEF, 0xBB, 0xBF]);

    let (_, records) = interviews(&files);
    let all_text: String = records
        .values()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join("\u{1}");
    assert!(all_text.contains('\n'), "a quoted newline");
    assert!(
        all_text.contains("\"are you here") || all_text.contains("\"cheap option\""),
        "a quoted quote"
    );
    assert!(
        all_text.contains("Zoë") || all_text.contains("José"),
        "accented names"
    );
    let (header, _) = interviews(&files);
    let cells = |prefix: &str| -> Vec<&str> {
        records
            .values()
            .flat_map(|row| {
                header
                    .iter()
                    .zip(row)
                    .filter(|(h, _)| h.starts_with(prefix))
                    .map(|(_, v)| v.as_str())
            })
            .collect()
    };
    let ratings = cells("imp_");
    for code in ["-98", "-99", ""] {
        assert!(
            ratings.contains(&code),
            "missing code {code:?} among ratings"
        );
    }
    assert!(cells("pm_").contains(&"9"), "don't know answers");
    let status = cells("interview_data_sheet_complete");
    for code in ["0", "1", "2"] {
        assert!(status.contains(&code));
    }
    assert!(
        status.iter().filter(|s| **s == "2").count() * 10 > status.len() * 8,
        "most forms complete"
    );
}

#[test]
fn split_site_shares_one_identical_record() {
    let files = default_files();
    let lines = |path: &str| -> Vec<String> {
        let text = String::from_utf8(file(&files, path).bytes.clone()).expect("utf-8");
        // Rows of this site have no quoted newlines across these lines only
        // if we split on record ids; use the csv crate's view instead.
        let table = parse(text.as_bytes());
        table
            .rows
            .iter()
            .filter(|r| table.get(r, "site_id") == "S09")
            .map(|r| r.join("\u{1}"))
            .collect()
    };
    let first = lines("raw/interviews/wave3_south.csv");
    let second = lines("raw/interviews/wave3_south_followup.csv");
    let shared: Vec<&String> = first.iter().filter(|r| second.contains(r)).collect();
    assert_eq!(shared.len(), 1);
    assert!(!first.is_empty() && !second.is_empty());
    // No other record id is in both files.
    let ids = |rows: &[String]| -> BTreeSet<String> {
        rows.iter()
            .map(|r| r.split('\u{1}').next().unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(ids(&first).intersection(&ids(&second)).count(), 1);
    // And the raw bytes of that record are identical in both files.
    let id = shared[0].split('\u{1}').next().unwrap_or("");
    let raw_line = |path: &str| -> Vec<u8> {
        let bytes = &file(&files, path).bytes;
        let start = bytes
            .windows(id.len() + 1)
            .position(|w| w == format!("\n{id}").as_bytes())
            .expect("record")
            + 1;
        let end = bytes[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |e| start + e);
        bytes[start..end].to_vec()
    };
    assert_eq!(
        raw_line("raw/interviews/wave3_south.csv"),
        raw_line("raw/interviews/wave3_south_followup.csv")
    );
}

#[test]
fn late_site_is_registered_but_held_back() {
    let files = default_files();
    for f in files.iter().filter(|f| f.path.starts_with("raw/")) {
        let table = parse(&f.bytes);
        assert!(
            table.rows.iter().all(|r| !r[0].starts_with("S10-")),
            "{}",
            f.path
        );
    }
    let late = parse(&file(&files, "late/raw/interviews/wave3_south_late.csv").bytes);
    assert!((8..=10).contains(&late.rows.len()));
    assert!(late.rows.iter().all(|r| r[0].starts_with("S10-")));
    let docs = parse(&file(&files, "late/raw/documents/wave3_south_late.csv").bytes);
    assert!(docs.rows.iter().all(|r| r[0].starts_with("S10-D")));
    let sites = parse(&file(&files, "sites.csv").bytes);
    assert!(
        sites
            .rows
            .iter()
            .any(|r| r[0] == "S10" && r[2] == "Site J" && r[7] == "3")
    );
}

#[test]
fn protocol_mix_of_eight_to_ten_per_site() {
    let files = default_files();
    let (header, records) = interviews(&files);
    let group = header
        .iter()
        .position(|h| h == "stakeholder_group")
        .expect("column");
    let mut by_site: BTreeMap<&str, [usize; 5]> = BTreeMap::new();
    for (id, row) in &records {
        let g: usize = row[group].parse().expect("group code");
        by_site.entry(&id[..3]).or_default()[g - 1] += 1;
    }
    assert_eq!(by_site.len(), 10);
    for (site, counts) in by_site {
        let total: usize = counts.iter().sum();
        assert!((8..=10).contains(&total), "{site}: {total}");
        assert_eq!(&counts[..3], &[2, 2, 2], "{site}");
        assert!(
            (1..=2).contains(&counts[3]) && (1..=2).contains(&counts[4]),
            "{site}"
        );
    }
}

#[test]
fn documents_use_the_repeating_evidence_instrument() {
    let files = default_files();
    let mut docs_per_site: BTreeMap<String, usize> = BTreeMap::new();
    let mut s02_role_clarity = Vec::new();
    for f in files.iter().filter(|f| f.path.contains("raw/documents/")) {
        let table = parse(&f.bytes);
        assert_eq!(
            table.header,
            [
                "record_id",
                "redcap_repeat_instrument",
                "redcap_repeat_instance",
                "site_id",
                "doc_type",
                "doc_title",
                "doc_date",
                "ev_factor",
                "ev_status",
                "ev_excerpt",
                "ev_page",
                "document_complete",
                "evidence_complete"
            ]
        );
        let mut expected_instance = 0;
        for row in &table.rows {
            assert_eq!(row.len(), 13);
            let id = &row[0];
            assert!(id.len() == 7 && &id[3..5] == "-D", "{id}");
            if row[1].is_empty() {
                assert!(
                    row[2].is_empty()
                        && row[7..11].iter().all(String::is_empty)
                        && row[12].is_empty()
                );
                assert_eq!(&row[3], &id[..3]);
                assert!(!row[5].is_empty() && row[6].len() == 10);
                *docs_per_site.entry(id[..3].to_string()).or_default() += 1;
                expected_instance = 1;
            } else {
                assert_eq!(row[1], "evidence");
                assert_eq!(row[2], expected_instance.to_string());
                expected_instance += 1;
                assert!(row[3..7].iter().all(String::is_empty) && row[11].is_empty());
                assert!(["1", "2", "3"].contains(&row[8].as_str()));
                if id.starts_with("S02") && row[7] == "role_clarity" {
                    s02_role_clarity.push(row[8].clone());
                }
            }
        }
    }
    assert_eq!(docs_per_site.len(), 10);
    assert!(
        docs_per_site.values().all(|n| (4..=7).contains(n)),
        "{docs_per_site:?}"
    );
    assert!(!s02_role_clarity.is_empty() && s02_role_clarity.iter().all(|s| s == "1"));
}

/// Share of valid answers (1, 2, 3, 9) equal to `code`, per site.
fn pattern_shares(files: &[DemoFile], factor: &str, code: &str) -> BTreeMap<String, f64> {
    let (header, records) = interviews(files);
    let col = header
        .iter()
        .position(|h| h == &format!("pm_{factor}"))
        .expect("column");
    let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (id, row) in &records {
        if ["1", "2", "3", "9"].contains(&row[col].as_str()) {
            let site = id.split('-').next().unwrap_or("").to_string();
            let entry = counts.entry(site).or_default();
            entry.1 += 1;
            if row[col] == code {
                entry.0 += 1;
            }
        }
    }
    counts
        .into_iter()
        .map(|(s, (hit, n))| (s, hit as f64 / n as f64))
        .collect()
}

fn sectors(files: &[DemoFile]) -> BTreeMap<String, String> {
    parse(&file(files, "sites.csv").bytes)
        .rows
        .into_iter()
        .map(|r| (r[0].clone(), r[3].clone()))
        .collect()
}

fn check_planted_conditions(files: &[DemoFile]) {
    let sectors = sectors(files);
    let in_place = pattern_shares(files, "pay_parity", "1");
    let not_in_place = pattern_shares(files, "pay_parity", "3");
    assert_eq!(in_place.len(), sectors.len());
    for (site, sector) in &sectors {
        if sector == "statutory" {
            assert!(
                in_place[site] >= 0.8,
                "pay_parity at {site}: {}",
                in_place[site]
            );
        } else {
            assert!(
                not_in_place[site] >= 0.8,
                "pay_parity at {site}: {}",
                not_in_place[site]
            );
        }
    }
    for (site, share) in pattern_shares(files, "supervision", "1") {
        assert!(share >= 0.8, "supervision at {site}: {share}");
    }
    let site_b = sectors.keys().nth(1).expect("two sites").clone();
    let role = pattern_shares(files, "role_clarity", "3");
    assert!(
        role[&site_b] >= 0.8,
        "role_clarity at {site_b}: {}",
        role[&site_b]
    );
}

#[test]
fn planted_pattern_conditions_hold() {
    check_planted_conditions(&default_files());
}

/// Kruskal-Wallis H with the tie correction.
fn kruskal_wallis(groups: &[Vec<f64>]) -> f64 {
    let mut all: Vec<(f64, usize)> = groups
        .iter()
        .enumerate()
        .flat_map(|(g, v)| v.iter().map(move |&x| (x, g)))
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n = all.len() as f64;
    let mut rank_sums = vec![0.0; groups.len()];
    let mut ties = 0.0;
    let mut i = 0;
    while i < all.len() {
        let mut j = i;
        while j < all.len() && all[j].0 == all[i].0 {
            j += 1;
        }
        let rank = (i + j + 1) as f64 / 2.0;
        for item in &all[i..j] {
            rank_sums[item.1] += rank;
        }
        let t = (j - i) as f64;
        ties += t * t * t - t;
        i = j;
    }
    let h: f64 = 12.0 / (n * (n + 1.0))
        * groups
            .iter()
            .zip(&rank_sums)
            .map(|(g, r)| r * r / g.len() as f64)
            .sum::<f64>()
        - 3.0 * (n + 1.0);
    h / (1.0 - ties / (n * n * n - n))
}

#[test]
fn pw_training_importance_differs_by_group() {
    let files = default_files();
    let (header, records) = interviews(&files);
    let imp = header
        .iter()
        .position(|h| h == "imp_pw_training")
        .expect("column");
    let group = header
        .iter()
        .position(|h| h == "stakeholder_group")
        .expect("column");
    let mut groups = vec![Vec::new(); 5];
    for row in records.values() {
        if let (Ok(g), Ok(v)) = (row[group].parse::<usize>(), row[imp].parse::<f64>())
            && v > 0.0
        {
            groups[g - 1].push(v);
        }
    }
    for g in [0, 2] {
        assert!(groups[g].iter().all(|&v| v >= 4.0), "group {}", g + 1);
    }
    for g in [3, 4] {
        assert!(groups[g].iter().all(|&v| v <= 3.0), "group {}", g + 1);
    }
    // Chi-square with 4 degrees of freedom: 18.47 is p = 0.001.
    let h = kruskal_wallis(&groups);
    assert!(h > 18.47, "H = {h}");
}

#[test]
fn staff_acceptance_leads_the_top_three() {
    let files = default_files();
    let (header, records) = interviews(&files);
    let cols: Vec<usize> = (1..=3)
        .map(|k| {
            header
                .iter()
                .position(|h| h == &format!("top_{k}"))
                .expect("column")
        })
        .collect();
    let mut mentions: BTreeMap<&str, usize> = BTreeMap::new();
    let mut firsts: BTreeMap<&str, usize> = BTreeMap::new();
    for row in records.values() {
        for (k, &c) in cols.iter().enumerate() {
            if !row[c].is_empty() {
                *mentions.entry(&row[c]).or_default() += 1;
                if k == 0 {
                    *firsts.entry(&row[c]).or_default() += 1;
                }
            }
        }
    }
    let top = |m: &BTreeMap<&str, usize>| {
        m.iter()
            .max_by_key(|(_, n)| **n)
            .map(|(f, _)| f.to_string())
    };
    assert_eq!(top(&mentions).as_deref(), Some("staff_accept"));
    assert_eq!(top(&firsts).as_deref(), Some("staff_accept"));
    assert!(
        mentions["staff_accept"] * 10 >= records.len() * 6,
        "{} of {}",
        mentions["staff_accept"],
        records.len()
    );
    let empty = records.values().filter(|r| r[cols[0]].is_empty()).count();
    assert!(empty > 0, "some leave the top three empty");
}

#[test]
fn outcomes_follow_supervision_and_role_clarity() {
    let files = default_files();
    let (header, records) = interviews(&files);
    let at = |name: &str| header.iter().position(|h| h == name).expect("column");
    let (sup, role, out) = (
        at("pm_supervision"),
        at("pm_role_clarity"),
        at("out_distinct"),
    );
    let (mut yes_both, mut n_both, mut yes_other, mut n_other) = (0, 0, 0, 0);
    for row in records.values() {
        if !["1", "2", "3", "9"].contains(&row[out].as_str()) {
            continue;
        }
        if row[sup] == "1" && row[role] == "1" {
            n_both += 1;
            yes_both += (row[out] == "1") as usize;
        } else {
            n_other += 1;
            yes_other += (row[out] == "1") as usize;
        }
    }
    let (a, b) = (
        yes_both as f64 / n_both as f64,
        yes_other as f64 / n_other as f64,
    );
    assert!(a > b + 0.3, "yes with both in place {a}, otherwise {b}");
}

#[test]
fn some_conditions_are_contested() {
    let files = default_files();
    let (header, records) = interviews(&files);
    let mut contested = 0;
    for factor in header.iter().filter_map(|h| h.strip_prefix("pm_")) {
        let shares = [
            pattern_shares(&files, factor, "1"),
            pattern_shares(&files, factor, "2"),
            pattern_shares(&files, factor, "3"),
        ];
        for site in shares[0].keys() {
            if shares.iter().all(|s| s[site] < 0.5) {
                contested += 1;
            }
        }
    }
    assert!(
        contested >= 10,
        "{contested} contested site x factor conditions of {}",
        records.len()
    );
}

fn free_text(files: &[DemoFile]) -> Vec<String> {
    let (header, records) = interviews(files);
    let text_cols: Vec<usize> = header
        .iter()
        .enumerate()
        .filter(|(_, h)| {
            h.ends_with("_impact")
                || *h == "comments"
                || *h == "bme_experience"
                || *h == "role_detail"
        })
        .map(|(i, _)| i)
        .collect();
    records
        .values()
        .flat_map(|r| text_cols.iter().map(|&c| r[c].clone()))
        .filter(|t| !t.is_empty())
        .collect()
}

/// The text between `before` and `after` wherever it occurs.
fn between<'a>(texts: &'a [String], before: &str, after: &str) -> Vec<&'a str> {
    texts
        .iter()
        .flat_map(|t| {
            t.match_indices(before).filter_map(move |(i, _)| {
                let rest = &t[i + before.len()..];
                rest.find(after).map(|j| &rest[..j])
            })
        })
        .collect()
}

#[test]
fn planted_identifiers_and_lookalikes() {
    let files = default_files();
    let texts = free_text(&files);
    let nhs = between(&texts, "My NHS number is ", " if you need");
    assert!(nhs.len() >= 3);
    assert!(nhs.iter().all(|n| passes_mod11(n)), "{nhs:?}");
    assert!(nhs.contains(&"943 476 5919"));
    assert!(nhs.iter().any(|n| n.contains('-')) && nhs.iter().any(|n| n.len() == 10));
    let lookalikes = between(&texts, "advert was ", ".");
    assert!(!lookalikes.is_empty());
    assert!(
        lookalikes
            .iter()
            .all(|n| n.len() == 10 && n.bytes().all(|b| b.is_ascii_digit()) && !passes_mod11(n))
    );
    let phones = between(&texts, "Ring the office on ", " if");
    assert!(phones.iter().any(|p| p.starts_with("020 7946 0")));
    assert!(phones.iter().any(|p| p.starts_with("+44 161 496 0")));
    assert!(phones.iter().any(|p| p.starts_with("07700 900")));
    let postcodes = between(&texts, "new base at ", " last");
    assert!(!postcodes.is_empty());
    for p in &postcodes {
        let (outward, inward) = p.split_once(' ').expect("two parts");
        assert!((2..=4).contains(&outward.len()) && inward.len() == 3, "{p}");
    }
    assert!(!between(&texts, "email me at ", ".example.org").is_empty());
    let all = texts.join("\n");
    assert!(all.contains("Role clarity and staff training"));
    assert!(all.contains("hope"));

    // Every listed identifier is planted somewhere in the exports.
    let exports: String = files
        .iter()
        .filter(|f| f.path.contains("raw/"))
        .map(|f| String::from_utf8_lossy(&f.bytes).into_owned())
        .collect();
    let identifiers = parse(&file(&files, "identifiers.csv").bytes);
    assert_eq!(identifiers.header, ["kind", "text", "replacement"]);
    let kinds: BTreeSet<&str> = identifiers.rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        kinds,
        BTreeSet::from(["organisation", "person", "place", "site", "team", "ward"])
    );
    for row in &identifiers.rows {
        assert!(
            exports.contains(&row[1]),
            "{} `{}` is never planted",
            row[0],
            row[1]
        );
        assert!(row[2].starts_with('[') && row[2].ends_with(']'));
    }
    // Participants name themselves and each other.
    let (header, records) = interviews(&files);
    let name = header
        .iter()
        .position(|h| h == "participant_name")
        .expect("column");
    assert!(
        records
            .values()
            .any(|r| all.contains(&format!("I'm {},", r[name])))
    );
    // No planted look-alike word is anyone's name.
    for row in records.values() {
        for word in crate::text::LOOKALIKE_WORDS {
            assert!(!row[name].to_lowercase().split(' ').any(|part| part == word));
        }
    }
}

#[test]
fn withdrawals_name_existing_records() {
    let files = default_files();
    let withdrawals = parse(&file(&files, "withdrawals.csv").bytes);
    assert_eq!(withdrawals.header, ["record_id", "withdrawn_on", "scope"]);
    let scopes: Vec<&str> = withdrawals.rows.iter().map(|r| r[2].as_str()).collect();
    assert_eq!(scopes, ["all", "quotes"]);
    let (header, records) = interviews(&files);
    let comments = header.iter().position(|h| h == "comments").expect("column");
    for row in &withdrawals.rows {
        assert!(records.contains_key(&row[0]), "{}", row[0]);
    }
    assert!(
        !records[&withdrawals.rows[1][0]][comments].is_empty(),
        "the quotes withdrawal has words"
    );
}

#[test]
fn readme_names_the_planted_effects() {
    let files = default_files();
    let readme = String::from_utf8(file(&files, "README.md").bytes.clone()).expect("utf-8");
    for needle in [
        "pw_training",
        "pay_parity",
        "supervision",
        "role_clarity",
        "staff_accept",
        "Site B (S02)",
        "Site J (S10)",
        "S09-05",
        "late/raw",
    ] {
        assert!(readme.contains(needle), "README lacks {needle}");
    }
}

#[test]
fn larger_specs_keep_the_layout_and_the_effects() {
    let spec = DemoSpec {
        sites: 60,
        per_site: Some(120),
        seed: 11,
        transcripts: false,
    };
    let files = generate(&spec);
    let sites = parse(&file(&files, "sites.csv").bytes);
    assert_eq!(sites.rows.len(), 60);
    assert_eq!(sites.rows[0][0], "S01");
    assert_eq!(sites.rows[0][2], "Site 0001");
    assert_eq!(
        sites.rows.iter().filter(|r| r[3] == "statutory").count(),
        30
    );
    let names: BTreeSet<&str> = sites.rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(names.len(), 60);
    let (_, records) = interviews(&files);
    assert_eq!(records.len(), 60 * 120);
    assert!(records.contains_key("S01-001") && records.contains_key("S60-120"));
    assert!(
        files
            .iter()
            .any(|f| f.path == "raw/interviews/wave1_london.csv")
    );
    check_planted_conditions(&files);

    // Many sites per wave: several exports per wave, at most 20 sites each.
    let many = generate(&DemoSpec {
        sites: 130,
        per_site: Some(2),
        seed: 3,
        transcripts: false,
    });
    assert!(
        many.iter()
            .any(|f| f.path == "raw/interviews/wave1_london_003.csv")
    );
    for f in many
        .iter()
        .filter(|f| f.path.starts_with("raw/interviews/"))
    {
        let table = parse(&f.bytes);
        let sites: BTreeSet<&str> = table.rows.iter().map(|r| table.get(r, "site_id")).collect();
        assert!(sites.len() <= 20, "{}", f.path);
    }
    assert_eq!(parse(&file(&many, "sites.csv").bytes).rows[129][0], "S130");
}

#[test]
fn tiny_specs_do_not_panic() {
    for sites in 0..4 {
        for per_site in [Some(0), Some(1), Some(2), None] {
            let files = generate(&DemoSpec {
                sites,
                per_site,
                seed: 1,
                transcripts: true,
            });
            assert!(files.iter().any(|f| f.path == "sites.csv"));
        }
    }
}
