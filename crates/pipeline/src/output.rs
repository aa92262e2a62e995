//! Writing outputs so that a failed or interrupted run never leaves a half-
//! written output folder.
//!
//! Every output of a run is first written under `<out>/.crosscase/staging/`.
//! Only when the whole run has succeeded (leak guard included) is the
//! staging folder marked complete and each file renamed into place; files
//! the previous run published and this one did not are removed. A run that
//! is killed while publishing leaves the marker behind, and the next run
//! finishes the publishing before it starts (roll forward). A run killed
//! earlier leaves the last good outputs untouched; its staging is discarded.

use std::collections::BTreeMap;

use camino::{Utf8Path, Utf8PathBuf};

use crate::error::PipelineError;
use crate::hash::sha256_hex;

/// The folder, under the output folder, that holds everything that is not an
/// output: staging, cache and the run ledger.
pub const STATE_DIR: &str = ".crosscase";
pub const LOCK_FILE: &str = "outputs.lock";
const COMPLETE_MARKER: &str = ".complete";

pub struct Staging {
    out: Utf8PathBuf,
    dir: Utf8PathBuf,
    /// Relative path -> sha256 of every staged output.
    files: BTreeMap<String, String>,
}

impl Staging {
    /// Start a run's staging: finish an interrupted publish, discard an
    /// interrupted run's partial staging.
    pub fn begin(out: &Utf8Path) -> Result<Staging, PipelineError> {
        let dir = out.join(STATE_DIR).join("staging");
        roll_forward(out)?;
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| PipelineError::io(&dir, e))?;
        }
        std::fs::create_dir_all(&dir).map_err(|e| PipelineError::io(&dir, e))?;
        Ok(Staging {
            out: out.to_owned(),
            dir,
            files: BTreeMap::new(),
        })
    }

    pub fn write(&mut self, rel: &str, bytes: &[u8]) -> Result<(), PipelineError> {
        let path = self.dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| PipelineError::io(parent, e))?;
        }
        std::fs::write(&path, bytes).map_err(|e| PipelineError::io(&path, e))?;
        self.files.insert(rel.to_string(), sha256_hex(bytes));
        Ok(())
    }

    /// Keep an output of the previous run, unchanged, as an output of this
    /// run (its stage was skipped). Publishing leaves it where it is.
    pub fn carry(&mut self, rel: &str, hash: &str) {
        self.files.insert(rel.to_string(), hash.to_string());
    }

    /// Staged outputs: relative path and where the bytes are now (carried
    /// outputs are where they were published).
    pub fn files(&self) -> impl Iterator<Item = (&str, Utf8PathBuf)> + '_ {
        self.files.keys().map(|rel| {
            let staged = self.dir.join(rel);
            let path = if staged.exists() {
                staged
            } else {
                self.out.join(rel)
            };
            (rel.as_str(), path)
        })
    }

    /// The output folder this staging publishes into.
    pub fn out(&self) -> &Utf8Path {
        &self.out
    }

    pub fn hashes(&self) -> &BTreeMap<String, String> {
        &self.files
    }

    /// Write `outputs.lock`, mark staging complete, and move every file into place.
    pub fn publish(mut self) -> Result<(), PipelineError> {
        let lock = lock_text(&self.files);
        self.write(LOCK_FILE, lock.as_bytes())?;
        let marker = self.dir.join(COMPLETE_MARKER);
        std::fs::write(&marker, b"").map_err(|e| PipelineError::io(&marker, e))?;
        publish_dir(&self.out, &self.dir)
    }
}

/// Finish publishing a staging folder that was marked complete when its
/// run was killed (roll forward); anything else is left for `begin`.
pub fn roll_forward(out: &Utf8Path) -> Result<(), PipelineError> {
    let dir = out.join(STATE_DIR).join("staging");
    if dir.join(COMPLETE_MARKER).is_file() {
        publish_dir(out, &dir)?;
    }
    Ok(())
}

/// A run that stops with an error (the leak guard refusing, a stage
/// failing) discards its staging at once: what the guard refused to publish
/// may be identifying, and must not stay on disk under the output folder
/// until the next run. A staging marked complete is kept for roll-forward;
/// a killed run runs no destructor, and the next run discards its staging.
impl Drop for Staging {
    fn drop(&mut self) {
        if !self.dir.join(COMPLETE_MARKER).exists() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// `outputs.lock`: one line per output, `sha256  path`, sorted by path.
pub fn lock_text(files: &BTreeMap<String, String>) -> String {
    let mut text =
        String::from("# crosscase outputs.lock: sha256 and path of every output of the last run\n");
    for (rel, hash) in files {
        if rel != LOCK_FILE {
            text.push_str(&format!("{hash}  {rel}\n"));
        }
    }
    text
}

/// Parse `outputs.lock` into path -> hash.
pub fn read_lock(out: &Utf8Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    if let Ok(text) = std::fs::read_to_string(out.join(LOCK_FILE)) {
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            if let Some((hash, rel)) = line.split_once("  ") {
                files.insert(rel.to_string(), hash.to_string());
            }
        }
    }
    files
}

fn staged_files(dir: &Utf8Path, base: &Utf8Path, into: &mut Vec<String>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = Utf8PathBuf::try_from(entry.path()).map_err(std::io::Error::other)?;
        if path.is_dir() {
            staged_files(&path, base, into)?;
        } else if let Ok(rel) = path.strip_prefix(base)
            && rel.as_str() != COMPLETE_MARKER
        {
            into.push(rel.as_str().to_string());
        }
    }
    Ok(())
}

/// Move a complete staging folder's files into the output folder.
fn publish_dir(out: &Utf8Path, dir: &Utf8Path) -> Result<(), PipelineError> {
    let previous = read_lock(out);
    let mut rels = Vec::new();
    staged_files(dir, dir, &mut rels).map_err(|e| PipelineError::io(dir, e))?;
    rels.sort();
    // The lock goes last: until it moves, the old lock still lists the old files.
    rels.retain(|r| r != LOCK_FILE);
    rels.push(LOCK_FILE.to_string());
    for (moved, rel) in rels.iter().enumerate() {
        crate::failpoint::hit(&format!("publish:{moved}"));
        let from = dir.join(rel);
        let to = out.join(rel);
        if !from.exists() {
            continue; // moved by an earlier, interrupted publish
        }
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(|e| PipelineError::io(parent, e))?;
        }
        // The old file goes first: ext4 flushes a file renamed over
        // another to disk before the rename commits (`auto_da_alloc`),
        // which made replacing thousands of partition files take minutes.
        // A kill in between leaves the staged file, moved by roll-forward.
        if to.is_file() {
            std::fs::remove_file(&to).map_err(|e| PipelineError::io(&to, e))?;
        }
        std::fs::rename(&from, &to).map_err(|e| PipelineError::io(&to, e))?;
    }
    // The new lock lists every output of the run, including those carried
    // over from skipped stages (published before, not in staging): only
    // what it no longer lists is removed.
    let current = read_lock(out);
    for old in previous.keys() {
        if !current.contains_key(old) {
            let path = out.join(old);
            if path.is_file() {
                std::fs::remove_file(&path).map_err(|e| PipelineError::io(&path, e))?;
                // A site partition's folder goes with its last file.
                if crate::partitions::parse_partition_rel(old).is_some()
                    && let Some(folder) = path.parent()
                {
                    let _ = std::fs::remove_dir(folder);
                }
            }
        }
    }
    std::fs::remove_dir_all(dir).map_err(|e| PipelineError::io(dir, e))?;
    Ok(())
}

/// Write a file by writing a temporary sibling and renaming it into place.
pub fn write_atomic(path: &Utf8Path, bytes: &[u8]) -> Result<(), PipelineError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| PipelineError::io(parent, e))?;
    }
    let tmp = Utf8PathBuf::from(format!("{path}.tmp"));
    std::fs::write(&tmp, bytes).map_err(|e| PipelineError::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| PipelineError::io(path, e))
}
