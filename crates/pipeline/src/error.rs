//! What can stop a run, and the exit code each maps to.

use model::Diagnostic;

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The study's data is wrong: every problem found, sorted. Exit 1.
    #[error("the study's data has {} problem(s)", .0.iter().filter(|d| d.is_error()).count())]
    Data(Vec<Diagnostic>),
    /// The pipeline file is wrong. Exit 2.
    #[error("the pipeline file has {} problem(s)", .0.len())]
    Plan(Vec<Diagnostic>),
    /// The command was asked for something it cannot do (missing folder, key). Exit 2.
    #[error("{0}")]
    Usage(String),
    /// The leak guard found identifying text in an output: nothing was published. Exit 1.
    #[error("the leak guard stopped the run: {} finding(s); nothing was published", .0.len())]
    Leak(Vec<String>),
    /// Reading or writing a file failed. Exit 1.
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    /// A stage failed in a way that is a bug in crosscase. Exit 1.
    #[error("stage `{stage}` failed: {message}")]
    Stage { stage: String, message: String },
}

impl PipelineError {
    pub fn exit_code(&self) -> u8 {
        match self {
            PipelineError::Plan(_) | PipelineError::Usage(_) => 2,
            _ => 1,
        }
    }
    pub fn io(path: impl std::fmt::Display, e: impl std::fmt::Display) -> PipelineError {
        PipelineError::Io {
            path: path.to_string(),
            message: e.to_string(),
        }
    }
}
