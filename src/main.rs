//! The `crosscase` command line: parse arguments, call the pipeline, print.
//! Exit codes: 0 success, 1 the study's data is wrong, 2 the command or
//! the pipeline file is wrong.

// The binary is the one place that prints.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use camino::{Utf8Path, Utf8PathBuf};
use clap::{Parser, Subcommand};

use pipeline::PipelineError;

#[derive(Parser)]
#[command(
    name = "crosscase",
    version,
    about = "Reproducible synthesis of a comparative, multi-site case study"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a pipeline (e.g. pipelines/synthesis.toml) on a study folder.
    Run {
        /// The pipeline file.
        pipeline: Utf8PathBuf,
        /// The study folder (default: the pipeline's `study`).
        #[arg(long)]
        study: Option<Utf8PathBuf>,
        /// The output folder (default: the pipeline's `out`).
        #[arg(long)]
        out: Option<Utf8PathBuf>,
        /// Worker threads (default: all cores). Outputs are identical whatever the number.
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Check a study folder against its dictionaries, framework and site register.
    Validate {
        #[arg(long, default_value = "data/demo")]
        study: Utf8PathBuf,
    },
    /// Show a figure's value, how it was computed and the rows it came from.
    Explain {
        /// A figure id from any table's `figure_id` column, optionally with a
        /// column name appended (`ratings/site/Site C/supervision/mean`).
        figure: String,
        #[arg(long, default_value = "out/demo")]
        out: Utf8PathBuf,
    },
    /// What the study holds, which sites are awaited, which stages are stale.
    Status {
        #[arg(long, default_value = "pipelines/synthesis.toml")]
        pipeline: Utf8PathBuf,
        #[arg(long)]
        study: Option<Utf8PathBuf>,
        #[arg(long)]
        out: Option<Utf8PathBuf>,
    },
    /// The figures the last run changed, with old and new values.
    Diff {
        #[arg(long, default_value = "out/demo")]
        out: Utf8PathBuf,
    },
    /// Rerun from nothing into a scratch folder and compare with the published outputs.
    Verify {
        #[arg(long, default_value = "pipelines/synthesis.toml")]
        pipeline: Utf8PathBuf,
        #[arg(long)]
        study: Option<Utf8PathBuf>,
        #[arg(long)]
        out: Option<Utf8PathBuf>,
    },
    /// Write the synthetic demo study (deterministic from the seed).
    Demo {
        #[arg(long, default_value = "data/demo")]
        out: Utf8PathBuf,
        #[arg(long, default_value_t = 20110301)]
        seed: u64,
        /// Number of sites (the protocol's design is 10).
        #[arg(long, default_value_t = 10)]
        sites: usize,
        /// Interviews per site (default: the protocol's mix of 8-10).
        #[arg(long)]
        per_site: Option<usize>,
        /// Also write coded transcripts (`qualitative/`) at a size other than
        /// the demo's; the demo's own size always has them.
        #[arg(long)]
        transcripts: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run {
            pipeline,
            study,
            out,
            threads,
        } => run(&pipeline, study, out, threads),
        Command::Validate { study } => validate(&study),
        Command::Demo {
            out,
            seed,
            sites,
            per_site,
            transcripts,
        } => demo(&out, seed, sites, per_site, transcripts),
        Command::Explain { figure, out } => explain(&out, &figure),
        Command::Status {
            pipeline,
            study,
            out,
        } => status(&pipeline, study, out),
        Command::Diff { out } => diff(&out),
        Command::Verify {
            pipeline,
            study,
            out,
        } => verify(&pipeline, study, out),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err((error, study)) => {
            report_error(&error, study.as_deref());
            ExitCode::from(error.exit_code())
        }
    }
}

/// Print to stdout; a reader that closed the pipe early (`| head`) is not an error.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

type CliResult = Result<(), (PipelineError, Option<Utf8PathBuf>)>;

/// Print an error for a person: every diagnostic on its own line, with
/// study files shown by the path the user gave.
fn report_error(error: &PipelineError, study: Option<&Utf8Path>) {
    match error {
        PipelineError::Data(diagnostics) | PipelineError::Plan(diagnostics) => {
            for d in diagnostics {
                let shown = match (study, matches!(error, PipelineError::Data(_))) {
                    (Some(dir), true) => model::Diagnostic {
                        file: dir.join(&d.file).to_string(),
                        ..d.clone()
                    },
                    _ => d.clone(),
                };
                eprintln!("{shown}");
            }
            eprintln!("error: {error}; nothing was written, earlier outputs are untouched");
        }
        PipelineError::Leak(findings) => {
            for f in findings {
                eprintln!("leak: {f}");
            }
            eprintln!("error: {error}");
        }
        other => eprintln!("error: {other}"),
    }
}

/// Read and check a pipeline file; fill in the study and output folders.
fn load_plan(
    pipeline_path: &Utf8Path,
    study: Option<Utf8PathBuf>,
    out: Option<Utf8PathBuf>,
) -> Result<(pipeline::Plan, Utf8PathBuf, Utf8PathBuf), (PipelineError, Option<Utf8PathBuf>)> {
    let text = std::fs::read_to_string(pipeline_path).map_err(|e| {
        (
            PipelineError::Usage(format!(
                "cannot read the pipeline file {pipeline_path}: {e}"
            )),
            None,
        )
    })?;
    let plan = pipeline::plan::parse(&text, pipeline_path.as_str())
        .map_err(|d| (PipelineError::Plan(d), None))?;
    let study = study
        .or_else(|| plan.study.clone().map(Utf8PathBuf::from))
        .ok_or_else(|| {
            (
                PipelineError::Usage(
                    "no study folder: give --study DIR or set `study` in [pipeline]".into(),
                ),
                None,
            )
        })?;
    let out = out
        .or_else(|| plan.out.clone().map(Utf8PathBuf::from))
        .ok_or_else(|| {
            (
                PipelineError::Usage(
                    "no output folder: give --out DIR or set `out` in [pipeline]".into(),
                ),
                None,
            )
        })?;
    Ok((plan, study, out))
}

/// Every run of a study that uses the published demo key says so.
fn warn_if_demo_key(study: &Utf8Path) {
    if pipeline::key::uses_demo_key(study) {
        eprintln!(
            "warning: {study}/study.toml sets [key] demo = true: pseudonyms made with the public demo key are not secret \
             (anyone who knows a record id can work out its pseudonym). Give the study a key of its own \
             ([key] env or file) before sharing any output; every report and pack says so."
        );
    }
}

/// Warnings a run prints before summarising the rest.
const SHOWN_WARNINGS: usize = 20;

fn run(
    pipeline_path: &Utf8Path,
    study: Option<Utf8PathBuf>,
    out: Option<Utf8PathBuf>,
    threads: Option<usize>,
) -> CliResult {
    let (plan, study, out) = load_plan(pipeline_path, study, out)?;
    if let Some(n) = threads {
        rayon_threads(n).map_err(|e| (e, None))?;
    }
    eprintln!(
        "crosscase {}: running `{}` on {study} into {out}",
        env!("CARGO_PKG_VERSION"),
        plan.name
    );
    warn_if_demo_key(&study);
    let mut progress = |line: &str| eprintln!("{line}");
    let summary = pipeline::run(
        &plan,
        pipeline::RunOptions {
            study: study.clone(),
            out: out.clone(),
            progress: &mut progress,
        },
    )
    .map_err(|e| (e, Some(study.clone())))?;
    if summary.unchanged {
        eprintln!("Nothing to do: the outputs in {out} are up to date with {study}.");
        return Ok(());
    }
    // A national study can have thousands of warnings: the first few here,
    // all of them from `crosscase validate`.
    for w in summary.warnings.iter().take(SHOWN_WARNINGS) {
        eprintln!(
            "{}",
            model::Diagnostic {
                file: study.join(&w.file).to_string(),
                ..w.clone()
            }
        );
    }
    if summary.warnings.len() > SHOWN_WARNINGS {
        eprintln!(
            "... and {} more warning(s); `crosscase validate --study {study}` lists them all.",
            summary.warnings.len() - SHOWN_WARNINGS
        );
    }
    eprintln!(
        "Done. Sites with data: {}; awaited: {}.",
        summary.sites_with_data.len(),
        if summary.sites_awaited.is_empty() {
            "none".to_string()
        } else {
            summary.sites_awaited.join(", ")
        }
    );
    let restored = summary.edited.len() + summary.removed.len();
    if restored > 0 {
        eprintln!(
            "Restored {restored} published file(s) edited or removed since the last run; the outputs are again those of a run from nothing."
        );
    }
    eprintln!("{} outputs in {out}:", summary.outputs.len());
    for folder in ["tables", "report", "data"] {
        let n = summary
            .outputs
            .iter()
            .filter(|o| o.starts_with(&format!("{folder}/")))
            .count();
        if n > 0 {
            eprintln!("  {out}/{folder}/  ({n} files)");
        }
    }
    let report = ["report/synthesis.html", "report/synthesis.md"]
        .into_iter()
        .find(|r| summary.outputs.iter().any(|o| o == r));
    if let Some(report) = report {
        eprintln!("Read the report first: {out}/{report}");
    }
    if summary.changes > 0 {
        eprintln!(
            "{} figure change(s) since the previous run; `crosscase diff --out {out}` lists them all:",
            summary.changes
        );
        // Per table: how many figures changed, appeared and disappeared.
        let mut per_table: std::collections::BTreeMap<&str, [usize; 3]> =
            std::collections::BTreeMap::new();
        for line in summary.diff.lines() {
            let (kind, rest) = line.split_once(' ').unwrap_or((line, ""));
            let table = rest.trim_start().split('/').next().unwrap_or_default();
            let slot = match kind {
                "changed" => 0,
                "appeared" => 1,
                _ => 2,
            };
            per_table.entry(table).or_default()[slot] += 1;
        }
        for (table, [changed, appeared, disappeared]) in per_table {
            eprintln!(
                "  {table}: {changed} value(s) changed, {appeared} figure(s) appeared, {disappeared} disappeared"
            );
        }
    }
    Ok(())
}

fn status(
    pipeline_path: &Utf8Path,
    study: Option<Utf8PathBuf>,
    out: Option<Utf8PathBuf>,
) -> CliResult {
    let (plan, study, out) = load_plan(pipeline_path, study, out)?;
    let status =
        pipeline::status::status(&plan, &study, &out).map_err(|e| (e, Some(study.clone())))?;
    say!("{} ({study})", status.study_name);
    say!("Sites in the register: {}", status.sites.len());
    let waves: std::collections::BTreeSet<u8> = status.sites.iter().map(|s| s.0).collect();
    for wave in waves {
        let here: Vec<_> = status.sites.iter().filter(|s| s.0 == wave).collect();
        let region = here.first().map(|s| s.2.as_str()).unwrap_or_default();
        let have: Vec<&str> = here.iter().filter(|s| s.3).map(|s| s.1.as_str()).collect();
        let awaited: Vec<&str> = here.iter().filter(|s| !s.3).map(|s| s.1.as_str()).collect();
        say!(
            "  wave {wave} ({region}): data from {}",
            if have.is_empty() {
                "none yet".into()
            } else {
                have.join(", ")
            }
        );
        if !awaited.is_empty() {
            say!("    awaited: {}", awaited.join(", "));
        }
    }
    say!(
        "Stages (against {out}): {} up to date, {} stale",
        status.up_to_date.len(),
        status.stale.len()
    );
    for (stage, why) in &status.stale {
        say!("  stale: {stage}: {why}");
    }
    for rel in &status.edited {
        say!("Edited since it was published: {out}/{rel} (the next run restores it)");
    }
    for rel in &status.removed {
        say!("Removed since it was published: {out}/{rel} (the next run restores it)");
    }
    Ok(())
}

fn diff(out: &Utf8Path) -> CliResult {
    let text = pipeline::last_diff(out).map_err(|e| (e, None))?;
    if text.is_empty() {
        say!("The last run in {out} changed no figure.");
    } else {
        say!("{}", text.trim_end_matches('\n'));
    }
    Ok(())
}

fn verify(
    pipeline_path: &Utf8Path,
    study: Option<Utf8PathBuf>,
    out: Option<Utf8PathBuf>,
) -> CliResult {
    let (plan, study, out) = load_plan(pipeline_path, study, out)?;
    let scratch = out.join(".crosscase").join("verify");
    if scratch.exists() {
        std::fs::remove_dir_all(&scratch).map_err(|e| (PipelineError::io(&scratch, e), None))?;
    }
    eprintln!(
        "verify: running `{}` from nothing into {scratch} ...",
        plan.name
    );
    warn_if_demo_key(&study);
    let mut quiet = |_: &str| {};
    pipeline::run(
        &plan,
        pipeline::RunOptions {
            study: study.clone(),
            out: scratch.clone(),
            progress: &mut quiet,
        },
    )
    .map_err(|e| (e, Some(study.clone())))?;
    let differ = pipeline::status::compare_locks(&out, &scratch);
    let _ = std::fs::remove_dir_all(&scratch);
    if differ.is_empty() {
        eprintln!("verify: every output in {out} is byte-identical to a run from nothing.");
        Ok(())
    } else {
        for d in &differ {
            eprintln!("differs: {d}");
        }
        Err((
            PipelineError::Stage {
                stage: "verify".into(),
                message: format!(
                    "{} output(s) in {out} differ from a run from nothing",
                    differ.len()
                ),
            },
            None,
        ))
    }
}

fn rayon_threads(n: usize) -> Result<(), PipelineError> {
    pipeline::set_threads(n).map_err(PipelineError::Usage)
}

fn validate(study: &Utf8Path) -> CliResult {
    let diagnostics = pipeline::validate_study(study).map_err(|e| (e, Some(study.to_owned())))?;
    for d in &diagnostics {
        eprintln!(
            "{}",
            model::Diagnostic {
                file: study.join(&d.file).to_string(),
                ..d.clone()
            }
        );
    }
    eprintln!("{study}: no errors ({} warning(s))", diagnostics.len());
    Ok(())
}

fn explain(out: &Utf8Path, figure: &str) -> CliResult {
    let text = pipeline::explain::explain(out, figure).map_err(|e| (e, None))?;
    say!("{}", text.trim_end_matches('\n'));
    Ok(())
}

fn demo(
    out: &Utf8Path,
    seed: u64,
    sites: usize,
    per_site: Option<usize>,
    transcripts: bool,
) -> CliResult {
    let default = demo::DemoSpec::default();
    // National-scale studies get transcripts only when asked: they are
    // most of the bytes.
    let demo_size = sites == default.sites && per_site == default.per_site;
    let spec = demo::DemoSpec {
        sites,
        per_site,
        seed,
        transcripts: transcripts || demo_size,
    };
    let files = demo::generate(&spec);
    pipeline::write_tree(
        out,
        files.iter().map(|f| (f.path.as_str(), f.bytes.as_slice())),
    )
    .map_err(|e| (e, None))?;
    eprintln!(
        "wrote a synthetic study of {sites} sites ({} files) to {out}",
        files.len()
    );
    Ok(())
}
