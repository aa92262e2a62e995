//! Are the published files still what the run published? A file edited or
//! removed by hand after publishing must not be left standing as if a run
//! had made it: the run names it and runs again the stage that writes it.
//!
//! `outputs.lock` holds each file's SHA-256, but hashing every output on
//! every run would make a rerun with nothing changed cost as much as reading
//! the whole output folder. So the run keeps, in its private state
//! (`<out>/.crosscase/published.json`, never in `outputs.lock`), each
//! file's size and modification time as it last saw them match the lock.
//! A file whose size and time are as recorded is not read; any other is
//! hashed, and if it still matches, its new size and time are recorded.
//!
//! One subtlety (as in git's "racy" index entries): a file changed within
//! the file system's timestamp granularity of when its size and time were
//! recorded can keep both. Such a file is not trusted on its size and time
//! until later: it is hashed (once; then recorded as seen later).

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use camino::Utf8Path;
use serde::{Deserialize, Serialize};

use crate::error::PipelineError;
use crate::output::{STATE_DIR, read_lock, write_atomic};

const STATE_FILE: &str = "published.json";

/// Within this long of being recorded a file's time cannot vouch for it.
/// File systems with whole-second times (FAT: two seconds) get the long
/// window; the short one covers a kernel clock tick (1-10 ms).
const RACY_COARSE_NS: u64 = 2_000_000_000;
const RACY_FINE_NS: u64 = 50_000_000;

/// How each published file looked when it last matched `outputs.lock`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
struct State {
    /// When the sizes and times were taken (nanoseconds since 1970).
    recorded_ns: u64,
    files: BTreeMap<String, Seen>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
struct Seen {
    size: u64,
    modified_ns: u64,
    /// The lock's hash that the file matched.
    sha256: String,
}

/// The published files checked against `outputs.lock`.
#[derive(Debug, Clone, Default)]
pub struct Published {
    /// Files whose bytes are no longer those the lock records.
    pub edited: Vec<String>,
    /// Files the lock lists that are gone.
    pub removed: Vec<String>,
    /// Files the lock lists.
    pub checked: usize,
    /// Files read and hashed, because their size or time was not as recorded.
    pub hashed: usize,
    /// New sizes and times to record (a file hashed and found unchanged).
    refreshed: Option<State>,
}

impl Published {
    /// Is this published file edited or removed?
    pub fn changed(&self, rel: &str) -> bool {
        self.edited.iter().chain(&self.removed).any(|r| r == rel)
    }

    /// Record the sizes and times of files found unchanged by their hash,
    /// so the next run need not read them again.
    pub fn refresh(&self, out: &Utf8Path) -> Result<(), PipelineError> {
        match &self.refreshed {
            Some(state) => write_state(out, state),
            None => Ok(()),
        }
    }
}

/// Check every file `outputs.lock` lists: by size and time where they are
/// as recorded, by hash where not.
pub fn check(out: &Utf8Path) -> Published {
    let lock = read_lock(out);
    let state = read_state(out);
    let mut fresh = State {
        recorded_ns: now_ns(),
        files: BTreeMap::new(),
    };
    let mut published = Published {
        checked: lock.len(),
        ..Default::default()
    };
    for (rel, hash) in &lock {
        let path = out.join(rel);
        let Some(seen) = seen(&path, hash) else {
            published.removed.push(rel.clone());
            continue;
        };
        let trusted =
            state.files.get(rel) == Some(&seen) && !racy(seen.modified_ns, state.recorded_ns);
        if trusted {
            fresh.files.insert(rel.clone(), seen);
            continue;
        }
        published.hashed += 1;
        match std::fs::read(&path) {
            Ok(bytes) if crate::hash::sha256_hex(&bytes) == *hash => {
                fresh.files.insert(rel.clone(), seen);
            }
            _ => published.edited.push(rel.clone()),
        }
    }
    if published.hashed > published.edited.len() {
        published.refreshed = Some(fresh);
    }
    published
}

/// After publishing: record every published file's size and time.
pub fn record(out: &Utf8Path) -> Result<(), PipelineError> {
    let mut state = State {
        // Taken before the files are looked at: a file changed after this
        // moment but within its time's granularity is then found racy.
        recorded_ns: now_ns(),
        files: BTreeMap::new(),
    };
    for (rel, hash) in read_lock(out) {
        if let Some(seen) = seen(&out.join(&rel), &hash) {
            state.files.insert(rel, seen);
        }
    }
    write_state(out, &state)
}

/// A file's size and modification time, if it is a file.
fn seen(path: &Utf8Path, hash: &str) -> Option<Seen> {
    let meta = std::fs::metadata(path).ok().filter(|m| m.is_file())?;
    let modified_ns = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
        .unwrap_or(0);
    Some(Seen {
        size: meta.len(),
        modified_ns,
        sha256: hash.to_string(),
    })
}

/// Could the file have changed since `recorded_ns` and kept its time?
fn racy(modified_ns: u64, recorded_ns: u64) -> bool {
    let window = if modified_ns.is_multiple_of(1_000_000_000) {
        RACY_COARSE_NS
    } else {
        RACY_FINE_NS
    };
    modified_ns == 0 || modified_ns.saturating_add(window) >= recorded_ns
}

fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

fn read_state(out: &Utf8Path) -> State {
    std::fs::read_to_string(out.join(STATE_DIR).join(STATE_FILE))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

fn write_state(out: &Utf8Path, state: &State) -> Result<(), PipelineError> {
    let text = serde_json::to_string(state).unwrap_or_default();
    write_atomic(&out.join(STATE_DIR).join(STATE_FILE), text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_close_to_the_recording_does_not_vouch_for_a_file() {
        let second = 1_000_000_000;
        // Whole-second times: two seconds of doubt.
        assert!(racy(10 * second, 11 * second));
        assert!(!racy(10 * second, 13 * second));
        // Finer times: a clock tick's worth.
        assert!(racy(10 * second + 7, 10 * second + 30_000_000));
        assert!(!racy(10 * second + 7, 11 * second));
        // No time at all vouches for nothing.
        assert!(racy(0, 11 * second));
    }
}
