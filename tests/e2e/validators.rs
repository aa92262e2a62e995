//! The outputs judged by the validators that the formats' own projects
//! publish: `ro-crate-metadata.json` by the RO-Crate project's
//! `rocrate-validator` (profile `provenance-run-crate-0.5`, with the
//! Workflow Run Crate, Process Run Crate, Workflow RO-Crate and RO-Crate 1.1
//! profiles it inherits), `datapackage.json` by `frictionless validate`,
//! on the demo and on the other study. Their reports are read as JSON.
//!
//! The validators are Python packages pinned in
//! `tests/validators/requirements.txt`, which `just test` installs into
//! `target/validators-venv` (`CROSSCASE_VALIDATORS_VENV` names another
//! venv). Without them the tests say SKIPPED and pass, unless
//! `CROSSCASE_REQUIRE_VALIDATORS=1` (as CI sets it): then a missing
//! validator, or one of another version, fails. The RO-Crate validator runs
//! with no network (`tests/validators/rocrate_offline.py`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::*;

struct Validators {
    python: PathBuf,
    frictionless: PathBuf,
}

/// The pinned version of a package in `tests/validators/requirements.txt`.
pub(crate) fn pinned(package: &str) -> String {
    let pins = std::fs::read_to_string(root().join("tests/validators/requirements.txt")).unwrap();
    pins.lines()
        .find_map(|l| l.strip_prefix(&format!("{package}==")))
        .unwrap_or_else(|| panic!("{package} is not pinned"))
        .trim()
        .to_string()
}

/// The validators, or why their tests are skipped (none is installed, or
/// another version is, and none is required; a required one that is
/// missing fails here).
/// The validators' venv (`target/validators-venv`, or
/// `CROSSCASE_VALIDATORS_VENV`).
pub(crate) fn venv() -> PathBuf {
    std::env::var_os("CROSSCASE_VALIDATORS_VENV")
        .filter(|p| !p.is_empty())
        .map_or_else(|| root().join("target/validators-venv"), PathBuf::from)
}

fn validators() -> Result<Validators, String> {
    let venv = venv();
    let required =
        std::env::var("CROSSCASE_REQUIRE_VALIDATORS").is_ok_and(|v| !v.is_empty() && v != "0");
    let python = venv.join("bin/python");
    let frictionless = venv.join("bin/frictionless");
    let problem = if python.is_file() && frictionless.is_file() {
        let versions = Command::new(&python)
            .args([
                "-c",
                "import importlib.metadata as m; print(m.version('roc-validator'), m.version('frictionless'))",
            ])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default();
        let expected = format!("{} {}", pinned("roc-validator"), pinned("frictionless"));
        if versions == expected {
            return Ok(Validators {
                python,
                frictionless,
            });
        }
        format!(
            "{} has roc-validator and frictionless `{versions}`, the pins are `{expected}`",
            venv.display()
        )
    } else {
        format!("no validators in {}", venv.display())
    };
    assert!(
        !required,
        "CROSSCASE_REQUIRE_VALIDATORS is set and {problem}: `just test` installs them"
    );
    Err(format!(
        "SKIPPED: {problem}; `just test` installs them (pip, tests/validators/requirements.txt)"
    ))
}

/// The RO-Crate validator's report on an output folder (`-p
/// provenance-run-crate-0.5`, REQUIRED checks and above), as JSON.
fn rocrate_report(validators: &Validators, out: &Path) -> Value {
    let report = out.with_extension("rocrate.json");
    let output = Command::new(&validators.python)
        .arg(root().join("tests/validators/rocrate_offline.py"))
        .args(["-y", "--disable-color", "validate", "--no-cache"])
        .args(["-p", "provenance-run-crate-0.5", "-f", "json", "-o"])
        .arg(&report)
        .arg(out)
        .output()
        .expect("the RO-Crate validator runs");
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        !err.contains("offline: refused"),
        "the validator asked for something it has no local copy of:\n{err}"
    );
    let text = std::fs::read_to_string(&report)
        .unwrap_or_else(|e| panic!("no report from the RO-Crate validator ({e}):\n{err}"));
    serde_json::from_str(&text).expect("the RO-Crate validator's report is JSON")
}

/// `frictionless validate --json` on an output folder's `datapackage.json`.
fn frictionless_report(validators: &Validators, out: &Path) -> Value {
    let output = Command::new(&validators.frictionless)
        .args(["validate", "--json", "datapackage.json"])
        .current_dir(out)
        .output()
        .expect("frictionless runs");
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "frictionless did not report JSON ({e}):\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// The checks an RO-Crate report failed, as `severity check-id: message`.
fn failed_checks(report: &Value) -> Vec<String> {
    report["issues"]
        .as_array()
        .expect("issues")
        .iter()
        .map(|i| {
            format!(
                "{} {}: {}",
                i["severity"].as_str().unwrap_or("?"),
                i["check"]["identifier"].as_str().unwrap_or("?"),
                i["message"].as_str().unwrap_or("?")
            )
        })
        .collect()
}

/// Every error of a Frictionless report, as `table: type: message`.
fn frictionless_errors(report: &Value) -> Vec<String> {
    let mut errors: Vec<String> = report["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| format!("package: {}", e["message"]))
        .collect();
    for task in report["tasks"].as_array().expect("tasks") {
        for e in task["errors"].as_array().expect("a task's errors") {
            errors.push(format!(
                "{}: {}: {}",
                task["name"].as_str().unwrap_or("?"),
                e["type"].as_str().unwrap_or("?"),
                e["message"].as_str().unwrap_or("?")
            ));
        }
    }
    errors
}

/// The CSV tables of an output folder, by name.
fn csv_tables(out: &Path) -> BTreeSet<String> {
    tree(out)
        .into_iter()
        .filter_map(|(path, _)| {
            path.strip_prefix("tables/")?
                .strip_suffix(".csv")
                .map(str::to_string)
        })
        .collect()
}

#[test]
fn the_validators_of_ro_crate_and_frictionless_accept_the_outputs() {
    let validators = match validators() {
        Ok(validators) => validators,
        Err(skipped) => {
            println!("{skipped}");
            return;
        }
    };
    let tmp = tempfile::tempdir().unwrap();
    for (name, study) in [("demo", demo_study()), ("other", other_study())] {
        let out = tmp.path().join(name);
        assert_ok(&synthesis(&study, &out, &[]));

        let report = rocrate_report(&validators, &out);
        assert_eq!(
            report["validation_settings"]["profile_identifier"],
            "provenance-run-crate-0.5"
        );
        assert_eq!(
            report["validation_settings"]["enable_profile_inheritance"],
            true
        );
        assert_eq!(
            report["validation_settings"]["requirement_severity"],
            "REQUIRED"
        );
        assert_eq!(
            failed_checks(&report),
            Vec::<String>::new(),
            "{name}: REQUIRED checks failed"
        );
        assert_eq!(report["passed"], true, "{name}");

        let report = frictionless_report(&validators, &out);
        assert_eq!(frictionless_errors(&report), Vec::<String>::new(), "{name}");
        assert_eq!(report["valid"], true, "{name}");
        assert_eq!(report["stats"]["errors"], 0, "{name}");
        // Every table was checked, row by row.
        let checked: BTreeSet<String> = report["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                assert!(t["stats"]["rows"].as_u64().unwrap() > 0, "{name}: {t}");
                t["name"].as_str().unwrap().to_string()
            })
            .collect();
        assert_eq!(checked, csv_tables(&out), "{name}");
        assert_eq!(checked.len(), 17, "{name}");
    }
}

/// The validators are real judges: the same outputs with what they require
/// taken away fail them, and say what is wrong.
#[test]
fn the_validators_reject_a_crate_without_licence_and_a_table_that_breaks_its_schema() {
    let validators = match validators() {
        Ok(validators) => validators,
        Err(skipped) => {
            println!("{skipped}");
            return;
        }
    };
    // A study whose study.toml does not say how its outputs are published.
    let (tmp, study) = demo_copy();
    let toml = std::fs::read_to_string(study.join("study.toml")).unwrap();
    let start = toml
        .find("[publication]")
        .expect("the demo has [publication]");
    std::fs::write(study.join("study.toml"), &toml[..start]).unwrap();
    let out = tmp.path().join("out");
    let run = synthesis(&study, &out, &[]);
    assert_ok(&run);
    assert!(
        stderr(&run)
            .contains("study.toml: warning: [publication] has no license and no date_published"),
        "{}",
        stderr(&run)
    );
    let crate_json: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("ro-crate-metadata.json")).unwrap())
            .unwrap();
    let root_entity = crate_json["@graph"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["@id"] == "./")
        .unwrap();
    assert!(root_entity.get("license").is_none() && root_entity.get("datePublished").is_none());
    assert!(
        root_entity["description"]
            .as_str()
            .unwrap()
            .contains("study.toml gave no license and no date_published ([publication])"),
        "{root_entity}"
    );
    let report = rocrate_report(&validators, &out);
    assert_eq!(report["passed"], false);
    let failed: BTreeSet<String> = report["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            assert_eq!(i["severity"], "REQUIRED");
            assert_eq!(i["violatingEntity"], "./");
            i["check"]["identifier"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(
        failed,
        BTreeSet::from(
            [
                "ro-crate-1.1_8.3",
                "ro-crate-1.1_8.4",
                "workflow-ro-crate-1.0_5.1"
            ]
            .map(String::from)
        ),
        "licence (twice: RO-Crate and Workflow RO-Crate) and publication date"
    );

    // A site that is not in the register, written into a published table.
    let table = out.join("tables/outcome_summary.csv");
    let text = std::fs::read_to_string(&table).unwrap();
    let edited = text.replacen("\nSite A,", "\nSite Z,", 1);
    assert_ne!(edited, text);
    std::fs::write(&table, edited).unwrap();
    let report = frictionless_report(&validators, &out);
    assert_eq!(report["valid"], false);
    let mut errors = frictionless_errors(&report);
    errors.sort();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(
        errors[0].starts_with("outcome_summary: constraint-error: The cell \"Site Z\"")
            && errors[0].contains("field \"site\""),
        "{errors:#?}"
    );
    assert!(
        errors[1].starts_with("outcome_summary: hash-count: "),
        "the bytes are not those the package was made for: {errors:#?}"
    );
}
