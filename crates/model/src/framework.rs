//! The conceptual framework (`framework.toml`): domains, factors, outcomes.

use serde::Deserialize;

use crate::Diagnostic;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Domain {
    pub code: String,
    pub label: String,
}

/// A proposed organisational condition for introducing peer workers.
/// `code` is the stable key of `pm_<code>`, `imp_<code>`, `dir_<code>`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Factor {
    pub code: String,
    pub domain: String,
    pub label: String,
    pub condition: String,
    #[serde(default)]
    pub sources: Vec<String>,
}

/// An outcome the null hypothesis speaks of (`out_<...>` fields).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    pub code: String,
    pub label: String,
    pub hypothesis: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    pub version: String,
    #[serde(rename = "domain")]
    pub domains: Vec<Domain>,
    #[serde(rename = "factor")]
    pub factors: Vec<Factor>,
    #[serde(rename = "outcome", default)]
    pub outcomes: Vec<Outcome>,
}

impl Framework {
    /// Parse and check a framework: unique codes, known domains.
    pub fn parse(text: &str, path: &str) -> Result<Framework, Diagnostic> {
        let fw: Framework = toml::from_str(text).map_err(|e| toml_diagnostic(path, text, &e))?;
        let mut seen = std::collections::BTreeSet::new();
        for f in &fw.factors {
            if !seen.insert(f.code.as_str()) {
                return Err(Diagnostic::error(
                    path,
                    0,
                    0,
                    format!("factor code `{}` is defined twice", f.code),
                ));
            }
            if !fw.domains.iter().any(|d| d.code == f.domain) {
                return Err(Diagnostic::error(
                    path,
                    0,
                    0,
                    format!(
                        "factor `{}`: expected a domain defined in this file, found `{}`",
                        f.code, f.domain
                    ),
                ));
            }
        }
        Ok(fw)
    }
    pub fn factor(&self, code: &str) -> Option<&Factor> {
        self.factors.iter().find(|f| f.code == code)
    }
    pub fn domain(&self, code: &str) -> Option<&Domain> {
        self.domains.iter().find(|d| d.code == code)
    }
    /// Factor codes in framework order.
    pub fn factor_codes(&self) -> Vec<&str> {
        self.factors.iter().map(|f| f.code.as_str()).collect()
    }
}

/// A TOML error as a diagnostic pointing at line and column.
pub fn toml_diagnostic(path: &str, text: &str, e: &toml::de::Error) -> Diagnostic {
    let (line, column) = match e.span() {
        Some(span) => line_col(text, span.start),
        None => (0, 0),
    };
    Diagnostic::error(path, line, column, e.message().trim().to_string())
}

/// 1-based line and character column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = text[line_start..offset].chars().count() as u32 + 1;
    (line, column)
}
