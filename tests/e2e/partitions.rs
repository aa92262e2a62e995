//! The site tables in `data/` as Hive-style partitions
//! (`data/<table>/site=<label>/part-0.parquet`): read back by DuckDB with
//! every label (spaces, other scripts, the characters Hive escapes), the
//! README's DuckDB query, an output folder of the earlier layout rebuilt,
//! and every stage after a skipped `anonymise` reading its partitions
//! column-projected.
//!
//! DuckDB is the `duckdb` Python package pinned in
//! `tests/validators/requirements.txt`, in the validators' venv; without it
//! the DuckDB test says SKIPPED, unless `CROSSCASE_REQUIRE_VALIDATORS=1`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::*;

type Row = BTreeMap<String, String>;

/// The venv's python with the pinned DuckDB, or why the test is skipped.
fn duckdb_python() -> Result<PathBuf, String> {
    let venv = super::validators::venv();
    let required =
        std::env::var("CROSSCASE_REQUIRE_VALIDATORS").is_ok_and(|v| !v.is_empty() && v != "0");
    let python = venv.join("bin/python");
    let expected = super::validators::pinned("duckdb");
    let found = Command::new(&python)
        .args(["-c", "import duckdb; print(duckdb.__version__)"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    if found == expected {
        return Ok(python);
    }
    let problem = format!(
        "{} has duckdb `{found}`, the pin is `{expected}`",
        venv.display()
    );
    assert!(
        !required,
        "CROSSCASE_REQUIRE_VALIDATORS is set and {problem}: `just test` installs it"
    );
    Err(format!(
        "SKIPPED: {problem}; `just test` installs it (pip, tests/validators/requirements.txt)"
    ))
}

/// Every row of `query` (each value as DuckDB casts it to text, null as
/// empty), run by DuckDB in `dir`.
fn duckdb_rows(python: &Path, dir: &Path, query: &str) -> Vec<Row> {
    let script = "import duckdb, json, sys\n\
        rel = duckdb.sql(sys.argv[1])\n\
        names = rel.columns\n\
        rows = duckdb.sql('SELECT COLUMNS(*)::VARCHAR FROM rel').fetchall()\n\
        print(json.dumps([{n: ('' if v is None else v) for n, v in zip(names, r)} for r in rows]))\n";
    let output = Command::new(python)
        .args(["-c", script, query])
        .current_dir(dir)
        .output()
        .expect("python runs");
    assert!(
        output.status.success(),
        "DuckDB failed on {query}:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("DuckDB's rows as JSON")
}

/// A published clean table's rows as crosscase reads them (every
/// partition, in label order), as the CSV writer prints each cell.
fn crosscase_rows(out: &Path, table: &str) -> Vec<Row> {
    let out = camino::Utf8Path::from_path(out).unwrap();
    let batch = pipeline::partitions::read_table(out, table, None).unwrap();
    csv_text_rows(&pipeline::tables::to_csv(&batch))
}

fn sorted(mut rows: Vec<Row>) -> Vec<Row> {
    rows.sort();
    rows
}

/// The unicode study with site labels that hold a space, letters of other
/// scripts and characters Hive escapes (`/ # ' : % = ?`).
const LABELS: [(&str, &str); 2] = [
    ("Service One", "Zoë's Team / North #1"),
    ("Service Two", "Ліс: 100% = ок?"),
];

#[test]
fn duckdb_reads_every_partition_with_its_site_label() {
    let python = match duckdb_python() {
        Ok(python) => python,
        Err(skipped) => {
            println!("{skipped}");
            return;
        }
    };
    let tmp = tempfile::tempdir().unwrap();
    let study = tmp.path().join("study");
    copy_tree(&root().join("tests/fixtures/unicode-study"), &study);
    let register = study.join("sites.csv");
    let mut text = std::fs::read_to_string(&register).unwrap();
    for (label, awkward) in LABELS {
        text = text.replace(&format!(",{label},"), &format!(",\"{awkward}\","));
    }
    std::fs::write(&register, text).unwrap();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&study, &out, &[]));

    // The folders are named as Hive names them.
    let mut folders: Vec<String> = std::fs::read_dir(out.join("data/answers"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    assert_eq!(
        folders,
        [
            "site=Zoë%27s Team %2F North %231",
            "site=Ліс%3A 100%25 %3D ок%3F"
        ]
    );
    for table in pipeline::partitions::TABLES {
        let query = format!(
            "SELECT * FROM read_parquet('data/{table}/*/*.parquet', hive_partitioning = true)"
        );
        let duck = sorted(duckdb_rows(&python, &out, &query));
        let ours = sorted(crosscase_rows(&out, table));
        assert_eq!(duck.len(), ours.len(), "{table}");
        // Same rows, the site decoded from the folder equal to the site
        // column in the file.
        assert_eq!(duck, ours, "{table}");
    }
    let sites = duckdb_rows(
        &python,
        &out,
        "SELECT DISTINCT site FROM read_parquet('data/participants/*/*.parquet', hive_partitioning = true) ORDER BY site",
    );
    let labels: Vec<&str> = sites.iter().map(|r| r["site"].as_str()).collect();
    assert_eq!(labels, [LABELS[0].1, LABELS[1].1]);

    // The README's query, on the demo's outputs.
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let line = readme
        .lines()
        .find(|l| l.contains("hive_partitioning = true"))
        .expect("the README gives a DuckDB query");
    let query = line
        .trim()
        .trim_end_matches(';')
        .replace("out/demo/", "demo/");
    let demo = tmp.path().join("demo");
    assert_ok(&synthesis(&demo_study(), &demo, &[]));
    let counted = duckdb_rows(&python, tmp.path(), &query);
    let mut expected: BTreeMap<String, usize> = BTreeMap::new();
    for row in crosscase_rows(&demo, "answers") {
        if !row["importance"].is_empty() {
            *expected.entry(row["site"].clone()).or_default() += 1;
        }
    }
    assert_eq!(counted.len(), 9, "{counted:?}");
    for row in &counted {
        assert_eq!(
            row["ratings"],
            expected[&row["site"]].to_string(),
            "{row:?}"
        );
    }
}

/// A folder whose `data/` is one file per table (before partitions) is
/// rebuilt from nothing: every stage runs, the run says why, and the
/// result is that of a run into an empty folder.
#[test]
fn an_output_folder_in_the_old_layout_is_rebuilt_from_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&demo_study(), &out, &[]));
    let fresh = tree(&out);
    // The earlier layout: each site table one file, the lock listing it.
    let lock_path = out.join("outputs.lock");
    let mut lock: Vec<String> = std::fs::read_to_string(&lock_path)
        .unwrap()
        .lines()
        .filter(|l| !l.contains("/site="))
        .map(str::to_string)
        .collect();
    for table in pipeline::partitions::TABLES {
        let batch = pipeline::partitions::read_table(
            camino::Utf8Path::from_path(&out).unwrap(),
            table,
            None,
        )
        .unwrap();
        let bytes = pipeline::tables::to_parquet(&batch).unwrap();
        std::fs::remove_dir_all(out.join("data").join(table)).unwrap();
        std::fs::write(out.join(format!("data/{table}.parquet")), &bytes).unwrap();
        lock.push(format!(
            "{}  data/{table}.parquet",
            pipeline::hash::sha256_hex(&bytes)
        ));
    }
    lock[1..].sort_by(|a, b| a[66..].cmp(&b[66..]));
    std::fs::write(&lock_path, lock.join("\n") + "\n").unwrap();

    let rerun = synthesis(&demo_study(), &out, &[]);
    assert_ok(&rerun);
    let err = stderr(&rerun);
    assert!(
        err.contains("holds data/ in the layout of an earlier crosscase")
            && err.contains("every stage runs again from nothing"),
        "{err}"
    );
    assert!(!err.contains("unchanged, skipped"), "{err}");
    assert!(err.contains("(9 of 9 sites anonymised, 0 reused"), "{err}");
    assert!(!out.join("data/answers.parquet").exists());
    assert_eq!(tree(&out), fresh);
}

/// With `anonymise` skipped, every later stage reads the clean tables back
/// from their partitions (column-projected, only the tables it reads) and
/// makes the same bytes as when they were in memory.
#[test]
fn every_stage_reads_the_partitions_back_after_a_skipped_anonymise() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&demo_study(), &out, &[]));
    let fresh = tree(&out);
    std::fs::remove_dir_all(out.join("tables")).unwrap();
    std::fs::remove_dir_all(out.join("report")).unwrap();
    let rerun = synthesis(&demo_study(), &out, &[]);
    assert_ok(&rerun);
    let err = stderr(&rerun);
    let line = |stage: &str| {
        err.lines()
            .find(|l| l.starts_with('[') && l.contains(&format!(" {stage} ")))
            .unwrap_or_default()
    };
    assert!(line("clean").ends_with("unchanged, skipped"), "{err}");
    // Every stage between the clean study and the guard ran (the study
    // and the guard have nothing new to do: the outputs come back the same).
    let ran = err
        .lines()
        .filter(|l| l.starts_with('[') && l.contains(" done in "))
        .count();
    assert_eq!(ran, stage_count() - 3, "{err}");
    assert_eq!(tree(&out), fresh);
}
