//! A problem found in the study's files, pointing at file, line and column.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Does not stop the run (an incomplete form).
    Warning,
    /// Stops the run with exit 1 after every problem has been reported.
    Error,
}

/// One problem, shown as `file:line:column: message`, or `file: message`
/// when it is about the whole file (line 0).
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
        if self.line == 0 {
            // No line to point at: `file:0:0` would send an editor nowhere.
            return write!(f, "{}: {}{}", self.file, kind, self.message);
        }
        write!(
            f,
            "{}:{}:{}: {}{}",
            self.file, self.line, self.column, kind, self.message
        )
    }
}

#[cfg(test)]
mod tests {
    use super::Diagnostic;

    #[test]
    fn a_problem_shows_its_place_and_a_whole_file_problem_only_the_file() {
        let at = Diagnostic::error("raw/a.csv", 3, 7, "expected 1-5, found 9");
        assert_eq!(at.to_string(), "raw/a.csv:3:7: expected 1-5, found 9");
        let whole = Diagnostic::warning("study.toml", 0, 0, "no [publication]");
        assert_eq!(whole.to_string(), "study.toml: warning: no [publication]");
    }
}
