//! A problem found in the study's files, pointing at file, line and column.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Does not stop the run (an incomplete form).
    Warning,
    /// Stops the run with exit 1 after every problem has been reported.
    Error,
}

/// One problem, shown as `file:line:column: message`.
///
/// `line` is the physical line on which the record starts, as an editor
/// shows it (1-based); `column` is the 1-based character column where the
/// offending cell starts on its own line (0 when the problem is the whole
/// file). `message` says what was expected and what was found, and never
/// quotes a value from a field flagged as an identifier.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Diagnostic {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub severity: Severity,
    pub message: String,
}

impl Diagnostic {
    pub fn error(
        file: impl Into<String>,
        line: u32,
        column: u32,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            file: file.into(),
            line,
            column,
            severity: Severity::Error,
            message: message.into(),
        }
    }
    pub fn warning(
        file: impl Into<String>,
        line: u32,
        column: u32,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            file: file.into(),
            line,
            column,
            severity: Severity::Warning,
            message: message.into(),
        }
    }
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Warning => "warning: ",
            Severity::Error => "",
        };
        write!(
            f,
            "{}:{}:{}: {}{}",
            self.file, self.line, self.column, kind, self.message
        )
    }
}
