//! `crosscase status` and `crosscase verify`: what a study folder holds,
//! what is still awaited, which stages are stale, and whether the published
//! outputs are what a run from nothing gives.

use std::collections::{BTreeMap, BTreeSet};

use camino::Utf8Path;

use crate::error::PipelineError;
use crate::output::{STATE_DIR, read_lock};
use crate::plan::Plan;
use crate::settings::StageSettings;

/// The state of a study and its output folder.
#[derive(Debug, Clone, Default)]
pub struct Status {
    pub study_name: String,
    /// (wave, label, region, has data), in register order.
    pub sites: Vec<(u8, String, String, bool)>,
    /// (stage id, why it is stale), for stages that would run.
    pub stale: Vec<(String, String)>,
    pub up_to_date: Vec<String>,
    /// Published files edited, or removed, since they were published (a
    /// run puts them back).
    pub edited: Vec<String>,
    pub removed: Vec<String>,
}

pub fn status(plan: &Plan, study: &Utf8Path, out: &Utf8Path) -> Result<Status, PipelineError> {
    let settings = plan.ingest_settings();
    let inputs = crate::study::load(study, &settings)?;
    let mut with_data: BTreeSet<String> = BTreeSet::new();
    for table in inputs.interviews.iter().chain(&inputs.documents) {
        if let Some(column) = table.column("site_id") {
            for record in &table.records {
                if let Some(site) = table.text(record, column) {
                    with_data.insert(site.to_string());
                }
            }
        }
    }
    let sites = inputs
        .sites
        .iter()
        .map(|s| {
            (
                s.wave,
                s.label.clone(),
                s.region.clone(),
                with_data.contains(&s.site_id),
            )
        })
        .collect();
    let key = crate::key::resolve(&inputs.config, study)?;
    let files = crate::study::fingerprint(study, &settings);
    let published = crate::published::check(out);
    let keys = crate::run::planned_keys(
        plan,
        &files,
        &anonymise::key_fingerprint(&key),
        out,
        &published,
    );
    let cache: BTreeMap<String, crate::run::CacheEntry> =
        std::fs::read_to_string(out.join(STATE_DIR).join("cache.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
    let lock = read_lock(out);
    let mut stale = Vec::new();
    let mut up_to_date = Vec::new();
    for stage in &plan.stages {
        let why = match cache.get(&stage.id) {
            None => Some("never run into this output folder".to_string()),
            Some(entry) if entry.key != keys[&stage.id] => Some(match &stage.settings {
                StageSettings::Ingest(_) => "study files changed".to_string(),
                _ => "its settings or its inputs changed".to_string(),
            }),
            Some(entry) => entry.outputs.iter().find_map(|(rel, hash)| {
                if published.removed.contains(rel) {
                    Some(format!(
                        "its output {rel} was removed since it was published"
                    ))
                } else if published.edited.contains(rel) {
                    Some(format!(
                        "its output {rel} was edited since it was published"
                    ))
                } else if lock.get(rel) != Some(hash) {
                    Some(format!(
                        "its output {rel} is not the one outputs.lock lists"
                    ))
                } else {
                    None
                }
            }),
        };
        match why {
            Some(why) => stale.push((stage.id.clone(), why)),
            None => up_to_date.push(stage.id.clone()),
        }
    }
    Ok(Status {
        study_name: inputs.config.study.name.clone(),
        sites,
        stale,
        up_to_date,
        edited: published.edited,
        removed: published.removed,
    })
}

/// Files whose bytes differ between two output folders' `outputs.lock`.
pub fn compare_locks(published: &Utf8Path, fresh: &Utf8Path) -> Vec<String> {
    let a = read_lock(published);
    let b = read_lock(fresh);
    let mut differ = Vec::new();
    for (rel, hash) in &a {
        match b.get(rel) {
            Some(h) if h == hash => {}
            Some(_) => differ.push(format!("{rel}: different bytes")),
            None => differ.push(format!("{rel}: not produced by a run from nothing")),
        }
    }
    for rel in b.keys() {
        if !a.contains_key(rel) {
            differ.push(format!(
                "{rel}: produced by a run from nothing, but not published"
            ));
        }
    }
    // A published file edited by hand after the run.
    for (rel, hash) in &a {
        if let Ok(bytes) = std::fs::read(published.join(rel))
            && &crate::hash::sha256_hex(&bytes) != hash
        {
            differ.push(format!(
                "{rel}: edited since it was published (does not match outputs.lock)"
            ));
        }
    }
    differ.sort();
    differ.dedup();
    differ
}
