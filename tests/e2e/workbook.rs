//! The workbook's `fast` writer re-creates `rust_xlsxwriter`'s bytes (its
//! escaping, zip layout and skeleton XML; `crates/workbook/src/fast.rs`).
//! Here both write the workbook of every table of a real synthesis, so an
//! upgrade of `rust_xlsxwriter` that changes its output fails a test instead
//! of leaving `fast.rs` writing the old bytes.

use super::*;

/// The synthesis pipeline with a second workbook stage, written by
/// `rust_xlsxwriter` alone.
fn with_rust_xlsxwriter_workbook() -> String {
    let text = std::fs::read_to_string(synthesis_pipeline()).unwrap();
    let workbook = text
        .split("[[stage]]")
        .find(|stage| stage.contains("run = \"report.workbook\""))
        .expect("the synthesis has a workbook stage");
    let from = workbook
        .lines()
        .find(|l| l.starts_with("from = "))
        .expect("the workbook stage reads the tables");
    let second = format!(
        "[[stage]]\nid = \"workbook_rust_xlsxwriter\"\nrun = \"report.workbook\"\n{from}\n\
         file = \"tables-rust_xlsxwriter.xlsx\"\nwriter = \"rust_xlsxwriter\"\n\n"
    );
    let guard = text
        .find("# Last: scan every output")
        .expect("the leak guard comes last");
    format!("{}{second}{}", &text[..guard], &text[guard..])
}

#[test]
fn the_fast_writer_gives_rust_xlsxwriters_bytes_on_every_table() {
    let tmp = tempfile::tempdir().unwrap();
    let pipeline = tmp.path().join("two-workbooks.toml");
    std::fs::write(&pipeline, with_rust_xlsxwriter_workbook()).unwrap();
    for (study, name) in [(demo_study(), "demo"), (other_study(), "other study")] {
        let out = tmp.path().join(name);
        assert_ok(&run_pipeline(&pipeline, &study, &out, &[], &[OTHER_KEY]));
        // The fast writer leaves dates and decimals to rust_xlsxwriter: the
        // comparison is worth something only if no table holds one.
        let mut tables = 0;
        for (file, bytes) in tree(&out.join("tables")) {
            let Some(table) = file.strip_suffix(".parquet") else {
                continue;
            };
            let batch = pipeline::tables::from_parquet(bytes).unwrap();
            for field in batch.schema().fields() {
                let ty = field.data_type().to_string();
                assert!(
                    !["Date", "Time", "Decimal"]
                        .iter()
                        .any(|t| ty.starts_with(t)),
                    "{name}: {table}.{} is {ty}, which the fast writer leaves to rust_xlsxwriter",
                    field.name()
                );
            }
            tables += 1;
        }
        assert_eq!(tables, 17, "{name}: every table");
        let fast = std::fs::read(out.join("report/tables.xlsx")).unwrap();
        let plain = std::fs::read(out.join("report/tables-rust_xlsxwriter.xlsx")).unwrap();
        assert!(
            fast == plain,
            "{name}: the fast writer's workbook ({} bytes) is not rust_xlsxwriter's ({} bytes)",
            fast.len(),
            plain.len()
        );
    }
}

/// A writer this build lacks (low-memory worksheets are built only to be
/// measured) or that does not exist is refused when the pipeline file is
/// checked, before any stage runs.
#[test]
fn a_writer_not_in_this_build_is_refused_before_anything_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let text = with_rust_xlsxwriter_workbook();
    for (writer, expected) in [
        (
            "rust_xlsxwriter_low_memory",
            "the workbook writer `rust_xlsxwriter_low_memory` is not in this build",
        ),
        ("slow", "unknown variant `slow`"),
    ] {
        let pipeline = tmp.path().join(format!("{writer}.toml"));
        let line = format!("writer = \"{writer}\"");
        std::fs::write(
            &pipeline,
            text.replace("writer = \"rust_xlsxwriter\"", &line),
        )
        .unwrap();
        let out = tmp.path().join(writer);
        let run = run_pipeline(&pipeline, &demo_study(), &out, &[], &[]);
        let err = stderr(&run);
        assert_eq!(code(&run), 2, "{err}");
        assert!(err.contains(expected), "{err}");
        assert!(!out.join("tables").exists(), "{writer}: nothing written");
    }
}
