//! Reading a study folder (LAYOUT.md) into memory, every problem collected.

use camino::{Utf8Path, Utf8PathBuf};

use ingest::CsvTable;
use model::{
    Diagnostic, Dictionary, Framework, IdentifierEntry, Labels, Site, StudyConfig, Withdrawal,
};

use crate::error::PipelineError;
use crate::settings::IngestSettings;

/// Everything the pipeline reads from a study folder, parsed but not yet
/// validated against each other. Holds identifying data: memory only.
#[derive(Debug, Clone)]
pub struct StudyInputs {
    pub dir: Utf8PathBuf,
    pub config: StudyConfig,
    pub framework: Framework,
    pub interview_dictionary: Dictionary,
    pub document_dictionary: Dictionary,
    /// The study's words for its codes, from the dictionary and framework.
    pub labels: Labels,
    pub sites: Vec<Site>,
    pub identifiers: Vec<IdentifierEntry>,
    pub withdrawals: Vec<Withdrawal>,
    pub interviews: Vec<CsvTable>,
    pub documents: Vec<CsvTable>,
    /// `qualitative/`: filled when the study is checked (`run::check`),
    /// which reads every project once.
    pub qualitative: crate::transcripts::Qualitative,
    /// `qualitative/workshops/`: filled when the study is checked.
    pub workshops: crate::workshops::Workshops,
    /// `(path relative to the study folder, sha256 hex)` of every file read,
    /// sorted; a transcript project by its hash, never its file name
    /// (`transcripts::published_name`).
    pub files: Vec<(String, String)>,
}

struct Reader<'a> {
    dir: &'a Utf8Path,
    problems: Vec<Diagnostic>,
    files: Vec<(String, String)>,
}

impl Reader<'_> {
    fn bytes(&mut self, rel: &str) -> Option<Vec<u8>> {
        match std::fs::read(self.dir.join(rel)) {
            Ok(bytes) => {
                self.files
                    .push((rel.to_string(), crate::hash::sha256_hex(&bytes)));
                Some(bytes)
            }
            Err(e) => {
                self.problems.push(Diagnostic::error(
                    rel,
                    0,
                    0,
                    format!("cannot read this file: {e}"),
                ));
                None
            }
        }
    }
    fn text(&mut self, rel: &str) -> Option<String> {
        let bytes = self.bytes(rel)?;
        match String::from_utf8(bytes) {
            Ok(text) => Some(text),
            Err(e) => {
                let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                let text = String::from_utf8_lossy(valid);
                let (line, column) = model::framework::line_col(&text, text.len());
                self.problems.push(Diagnostic::error(
                    rel,
                    line,
                    column,
                    "expected UTF-8 text, found bytes that are not UTF-8",
                ));
                None
            }
        }
    }
    fn csv(&mut self, rel: &str) -> Option<CsvTable> {
        let bytes = self.bytes(rel)?;
        match ingest::read_csv(&bytes, rel) {
            Ok(table) => Some(table),
            Err(d) => {
                self.problems.push(d);
                None
            }
        }
    }
    /// Every export matching `pattern`, read, then hashed and parsed in one
    /// pass, in parallel (one file per task), kept and reported in
    /// file-name order.
    fn exports(&mut self, pattern: &str) -> Vec<CsvTable> {
        use rayon::prelude::*;
        let rels = self.glob(pattern);
        let dir = self.dir;
        let read: Vec<(
            String,
            Result<(String, Result<CsvTable, Diagnostic>), Diagnostic>,
        )> = rels
            .into_par_iter()
            .map(|rel| {
                let result = match std::fs::read(dir.join(&rel)) {
                    // The file's hash is made as it is parsed: one pass.
                    Ok(bytes) => Ok(ingest::read_csv_hashed(bytes, &rel)),
                    Err(e) => Err(Diagnostic::error(
                        &rel,
                        0,
                        0,
                        format!("cannot read this file: {e}"),
                    )),
                };
                (rel, result)
            })
            .collect();
        let mut tables = Vec::new();
        for (rel, result) in read {
            match result {
                Ok((hash, parsed)) => {
                    self.files.push((rel, hash));
                    match parsed {
                        Ok(table) => tables.push(table),
                        Err(d) => self.problems.push(d),
                    }
                }
                Err(d) => self.problems.push(d),
            }
        }
        tables
    }
    fn parsed<T>(
        &mut self,
        table: Option<CsvTable>,
        parse: impl FnOnce(&CsvTable) -> Result<T, Vec<Diagnostic>>,
    ) -> Option<T> {
        match parse(&table?) {
            Ok(value) => Some(value),
            Err(problems) => {
                self.problems.extend(problems);
                None
            }
        }
    }
    fn glob(&mut self, pattern: &str) -> Vec<String> {
        glob(self.dir, pattern)
    }
}

/// Files matching `folder/*.ext` under `dir`, sorted by name. A missing folder is no files.
pub fn glob(dir: &Utf8Path, pattern: &str) -> Vec<String> {
    let (folder, file_pattern) = pattern.rsplit_once('/').unwrap_or((".", pattern));
    let (prefix, suffix) = file_pattern.split_once('*').unwrap_or((file_pattern, ""));
    let mut names = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir.join(folder)) {
        for entry in entries.flatten() {
            if let Some(name) = entry.file_name().to_str()
                && name.starts_with(prefix)
                && name.ends_with(suffix)
                && entry.path().is_file()
            {
                names.push(format!("{folder}/{name}"));
            }
        }
    }
    names.sort();
    names
}

/// The fixed files of a study folder, besides the exports.
pub const STUDY_FILES: [&str; 7] = [
    "study.toml",
    "framework.toml",
    "redcap/interview_dictionary.csv",
    "redcap/document_dictionary.csv",
    "sites.csv",
    "identifiers.csv",
    "withdrawals.csv",
];

/// Every file a run reads from the study folder with its sha256, sorted by
/// path: what the study stage's cache key is made of. A missing fixed file
/// is listed with an empty hash (the run will then report it); a
/// transcript project is named by its hash.
pub fn fingerprint(dir: &Utf8Path, settings: &IngestSettings) -> Vec<(String, String)> {
    let mut rels: Vec<String> = STUDY_FILES.iter().map(|s| s.to_string()).collect();
    rels.extend(glob(dir, &settings.interviews));
    rels.extend(glob(dir, &settings.documents));
    use rayon::prelude::*;
    // One file per task: at national scale the exports are gigabytes.
    let mut files: Vec<(String, String)> = rels
        .into_par_iter()
        .map(|rel| {
            let hash = std::fs::read(dir.join(&rel))
                .map(|b| crate::hash::sha256_hex(&b))
                .unwrap_or_default();
            (rel, hash)
        })
        .collect();
    files.extend(crate::transcripts::fingerprint(dir));
    files.extend(crate::workshops::fingerprint(dir));
    files.sort();
    files
}

/// What is new in the study folder since the run that read `before`, in
/// words for the progress line (files added, changed, removed), or `None`
/// when nothing is. Files published under their hash (transcript projects,
/// workshop files) are named here by their local name: this is never
/// written to an output.
pub fn changes(
    dir: &Utf8Path,
    before: &[(String, String)],
    now: &[(String, String)],
) -> Option<String> {
    let was: std::collections::BTreeMap<&str, &str> = before
        .iter()
        .map(|(p, h)| (p.as_str(), h.as_str()))
        .collect();
    let is: std::collections::BTreeMap<&str, &str> =
        now.iter().map(|(p, h)| (p.as_str(), h.as_str())).collect();
    let local = |path: &str, hash: &str| -> String {
        let folder = path.rsplit_once('/').map(|(f, _)| f).unwrap_or(".");
        let hashed = path.contains(hash) && !hash.is_empty();
        if !hashed {
            return path.to_string();
        }
        std::fs::read_dir(dir.join(folder))
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| e.file_name().to_str().map(String::from))
            .find(|name| {
                std::fs::read(dir.join(folder).join(name))
                    .is_ok_and(|b| crate::hash::sha256_hex(&b) == hash)
            })
            .map(|name| format!("{folder}/{name}"))
            .unwrap_or_else(|| path.to_string())
    };
    let mut said = Vec::new();
    for (path, hash) in &is {
        match was.get(path) {
            None if path.contains(hash) && !hash.is_empty() => {
                // A hashed name is new whenever its bytes are.
                said.push(format!("{} new", local(path, hash)));
            }
            None => said.push(format!("{path} new")),
            Some(h) if h != hash => said.push(format!("{path} changed")),
            Some(_) => {}
        }
    }
    let removed = was.keys().filter(|p| !is.contains_key(*p)).count();
    if said.is_empty() && removed == 0 {
        return None;
    }
    if removed > 0 {
        said.push(format!("{removed} file(s) gone or replaced"));
    }
    Some(format!("new data since the last run: {}", said.join(", ")))
}

/// The framework and the study's words for its codes, for a run whose
/// study stage was skipped (its files, hence these, are unchanged).
pub fn read_vocabulary(dir: &Utf8Path) -> Result<(Framework, Labels), PipelineError> {
    let path = dir.join("framework.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| PipelineError::io(&path, e))?;
    let framework =
        Framework::parse(&text, "framework.toml").map_err(|d| PipelineError::Data(vec![d]))?;
    let rel = "redcap/interview_dictionary.csv";
    let bytes = std::fs::read(dir.join(rel)).map_err(|e| PipelineError::io(dir.join(rel), e))?;
    let dictionary = ingest::read_csv(&bytes, rel)
        .map_err(|d| PipelineError::Data(vec![d]))
        .and_then(|t| ingest::parse_dictionary(&t).map_err(PipelineError::Data))?;
    let labels = Labels::new(&dictionary, &framework);
    Ok((framework, labels))
}

/// Just the site register, to name a site's files in an error message.
pub fn read_sites(dir: &Utf8Path) -> Result<Vec<Site>, PipelineError> {
    let rel = "sites.csv";
    let bytes = std::fs::read(dir.join(rel)).map_err(|e| PipelineError::io(dir.join(rel), e))?;
    ingest::read_csv(&bytes, rel)
        .map_err(|d| PipelineError::Data(vec![d]))
        .and_then(|t| ingest::parse_sites(&t).map_err(PipelineError::Data))
}

/// Just `study.toml`, for what is needed before the study is read (the key).
pub fn read_config(dir: &Utf8Path) -> Result<StudyConfig, PipelineError> {
    let path = dir.join("study.toml");
    let text = std::fs::read_to_string(&path).map_err(|_| {
        PipelineError::Usage(format!(
            "{dir} is not a study folder: it has no readable study.toml (see data-schema/LAYOUT.md)"
        ))
    })?;
    StudyConfig::parse(&text, "study.toml").map_err(|d| PipelineError::Data(vec![d]))
}

/// Read and parse every file of the study folder. Problems in one file do
/// not stop the others being read: all are reported together.
pub fn load(dir: &Utf8Path, settings: &IngestSettings) -> Result<StudyInputs, PipelineError> {
    if !dir.join("study.toml").is_file() {
        return Err(PipelineError::Usage(format!(
            "{dir} is not a study folder: it has no study.toml (see the README for the layout)"
        )));
    }
    let mut r = Reader {
        dir,
        problems: Vec::new(),
        files: Vec::new(),
    };
    let config = r
        .text("study.toml")
        .and_then(|t| match StudyConfig::parse(&t, "study.toml") {
            Ok(c) => Some(c),
            Err(d) => {
                r.problems.push(d);
                None
            }
        });
    let framework =
        r.text("framework.toml")
            .and_then(|t| match Framework::parse(&t, "framework.toml") {
                Ok(f) => Some(f),
                Err(d) => {
                    r.problems.push(d);
                    None
                }
            });
    let t = r.csv("redcap/interview_dictionary.csv");
    let interview_dictionary = r.parsed(t, ingest::parse_dictionary);
    let t = r.csv("redcap/document_dictionary.csv");
    let document_dictionary = r.parsed(t, ingest::parse_dictionary);
    let t = r.csv("sites.csv");
    let sites = r.parsed(t, ingest::parse_sites);
    let t = r.csv("identifiers.csv");
    let identifiers = r.parsed(t, ingest::parse_identifiers);
    let t = r.csv("withdrawals.csv");
    let withdrawals = r.parsed(t, ingest::parse_withdrawals);
    let interviews = r.exports(&settings.interviews);
    let documents = r.exports(&settings.documents);
    let mut problems = r.problems;
    let mut files = r.files;
    files.sort();
    match (
        config,
        framework,
        interview_dictionary,
        document_dictionary,
        sites,
        identifiers,
        withdrawals,
    ) {
        (
            Some(config),
            Some(framework),
            Some(idict),
            Some(ddict),
            Some(sites),
            Some(identifiers),
            Some(withdrawals),
        ) if problems.iter().all(|p| !p.is_error()) => Ok(StudyInputs {
            dir: dir.to_owned(),
            config,
            labels: Labels::new(&idict, &framework),
            framework,
            interview_dictionary: idict,
            document_dictionary: ddict,
            sites,
            identifiers,
            withdrawals,
            interviews,
            documents,
            qualitative: Default::default(),
            workshops: Default::default(),
            files,
        }),
        _ => {
            problems.sort();
            Err(PipelineError::Data(problems))
        }
    }
}
