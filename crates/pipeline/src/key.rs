//! The pseudonymisation key and the anonymisation log: the two private
//! things a run handles, neither ever written under the output folder.

use camino::{Utf8Path, Utf8PathBuf};

use crate::error::PipelineError;
use crate::study::StudyInputs;

/// Find the study's key as `study.toml` says. A real study whose key cannot
/// be found is refused; the message names where it looked, never the key.
pub fn resolve(
    config: &model::StudyConfig,
    study_dir: &Utf8Path,
) -> Result<anonymise::Key, PipelineError> {
    let source = &config.key;
    if source.demo {
        return Ok(anonymise::Key::demo());
    }
    if let Some(var) = &source.env {
        return match std::env::var(var) {
            Ok(value) if !value.trim().is_empty() => {
                anonymise::Key::from_bytes(value.trim().as_bytes()).map_err(|e| {
                    PipelineError::Usage(format!("study.toml: [key] env = \"{var}\": {e}"))
                })
            }
            _ => Err(PipelineError::Usage(format!(
                "study.toml: [key] env = \"{var}\", but the environment variable {var} is not set or is empty. \
                 Set it to the study's pseudonymisation key before running (the key is never written anywhere)."
            ))),
        };
    }
    if let Some(file) = &source.file {
        let path = Utf8PathBuf::from(file);
        let path = if path.is_absolute() {
            path
        } else {
            study_dir.join(path)
        };
        if is_inside(&path, study_dir) {
            return Err(PipelineError::Usage(format!(
                "study.toml: [key] file = \"{file}\" is inside the study folder; keep the key outside it, \
                 so that sharing the study folder never shares the key"
            )));
        }
        return match std::fs::read(&path) {
            Ok(bytes) if !bytes.trim_ascii().is_empty() => {
                anonymise::Key::from_bytes(bytes.trim_ascii()).map_err(|e| {
                    PipelineError::Usage(format!("study.toml: [key] file = \"{file}\": {e}"))
                })
            }
            _ => Err(PipelineError::Usage(format!(
                "study.toml: [key] file = \"{file}\", but that file cannot be read or is empty"
            ))),
        };
    }
    Err(PipelineError::Usage(
        "study.toml: [key] names no key: set env = \"VARIABLE\" or file = \"/path/outside/the/study\"".to_string(),
    ))
}

/// The study's `study.toml` says `[key] demo = true`: its pseudonyms are
/// made with the key printed in crosscase's source, so they are not secret.
pub fn uses_demo_key(study_dir: &Utf8Path) -> bool {
    crate::study::read_config(study_dir).is_ok_and(|config| config.key.demo)
}

fn is_inside(path: &Utf8Path, dir: &Utf8Path) -> bool {
    let canonical = |p: &Utf8Path| {
        std::fs::canonicalize(p).ok().or_else(|| {
            p.parent()
                .and_then(|parent| std::fs::canonicalize(parent).ok())
        })
    };
    match (canonical(path), canonical(dir)) {
        (Some(p), Some(d)) => p.starts_with(d),
        _ => false,
    }
}

/// The columns of the anonymisation log.
pub const LOG_COLUMNS: [&str; 6] = ["site", "participant", "field", "kind", "start", "end"];

/// Where `study.toml` puts the anonymisation log, if anywhere.
pub fn log_path(inputs: &StudyInputs) -> Option<Utf8PathBuf> {
    let rel = inputs.config.anonymisation.log.as_ref()?;
    let path = Utf8PathBuf::from(rel);
    Some(if path.is_absolute() {
        path
    } else {
        inputs.dir.join(path)
    })
}

/// Write the anonymisation log where `study.toml` says, outside the output
/// folder. Each line: site label, pseudonym, field, kind and position;
/// never the text.
pub fn write_log(
    inputs: &StudyInputs,
    out: &Utf8Path,
    log: &[anonymise::LogEntry],
) -> Result<(), PipelineError> {
    let (Some(rel), Some(path)) = (&inputs.config.anonymisation.log, log_path(inputs)) else {
        return Ok(());
    };
    std::fs::create_dir_all(out).map_err(|e| PipelineError::io(out, e))?;
    if is_inside(&path, out) {
        return Err(PipelineError::Usage(format!(
            "study.toml: [anonymisation] log = \"{rel}\" is inside the output folder; it must be private"
        )));
    }
    let mut text = LOG_COLUMNS.join(",");
    text.push('\n');
    for entry in log {
        let cells = [
            entry.site.as_str(),
            &entry.participant,
            &entry.field,
            &entry.kind,
        ];
        for cell in cells {
            crate::tables::push_csv_field(&mut text, cell);
            text.push(',');
        }
        text.push_str(&format!("{},{}\n", entry.start, entry.end));
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| PipelineError::io(parent, e))?;
    }
    std::fs::write(&path, text).map_err(|e| PipelineError::io(&path, e))
}
