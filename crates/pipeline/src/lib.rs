//! Runs a pipeline: a checked [`plan::Plan`] of stages, each reading what
//! earlier stages made, from the study folder to published outputs.
//!
//! This is the only crate that touches the file system. The key design
//! choice: identifying data never leaves memory. `ingest.study` reads and
//! validates the study folder into raw tables held in memory; `anonymise`
//! turns them into de-identified tables; only those, and what is computed
//! from them, are ever written. Everything a run writes goes to a staging
//! folder first and is published (renamed into place) only after the leak
//! guard has scanned it, so a failed run leaves the last good outputs as
//! they were.

pub mod datapackage;
pub mod diff;
pub mod error;
pub mod explain;
mod explain_coded;
pub mod failpoint;
pub mod guard;
pub mod hash;
pub mod key;
pub mod kinds;
pub mod output;
pub mod partitions;
pub mod plan;
pub mod provenance;
pub mod published;
pub mod rocrate;
pub mod run;
pub mod settings;
pub mod status;
pub mod study;
pub mod tables;
pub mod transcripts;
pub mod workshops;

pub use error::PipelineError;
pub use plan::{Plan, Stage};
pub use run::{
    RunOptions, RunSummary, last_diff, last_run, planned_keys, run, stage_keys, validate_study,
};

/// Set the number of worker threads for the whole run. Outputs do not depend on it.
pub fn set_threads(n: usize) -> Result<(), String> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n.max(1))
        .build_global()
        .map_err(|e| format!("cannot set up {n} threads: {e}"))
}

/// Write a set of files under `dir` (the demo study), each written to a
/// temporary name and renamed into place. Files already there that are not
/// in the set are left alone.
pub fn write_tree<'a>(
    dir: &camino::Utf8Path,
    files: impl Iterator<Item = (&'a str, &'a [u8])>,
) -> Result<(), PipelineError> {
    for (rel, bytes) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| PipelineError::io(parent, e))?;
        }
        // Appended, not replacing the extension: `S01.md` and `S01.csv`
        // must not share a temporary name.
        let tmp = camino::Utf8PathBuf::from(format!("{path}.crosscase-tmp"));
        std::fs::write(&tmp, bytes).map_err(|e| PipelineError::io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| PipelineError::io(&path, e))?;
    }
    Ok(())
}
