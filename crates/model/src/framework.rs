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

/// How the report names a stakeholder group. Optional: a group the
/// framework does not name is named by the interview dictionary's choice
/// label of `stakeholder_group` (see [`crate::Labels`]).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupName {
    /// A group's code (`peer_worker`, ...), or `managers`: team and senior
    /// managers pooled, where a pipeline pools them.
    pub code: String,
    /// The group, as a row of a table or a bar of a chart names it
    /// (`Peer workers`).
    pub label: String,
    /// One of its members, as a quote's label names them (`peer worker`;
    /// default: the dictionary's choice label).
    #[serde(default)]
    pub member: Option<String>,
}

/// The code of the pooled team and senior managers in [`GroupName`].
pub const MANAGERS: &str = "managers";

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
    #[serde(rename = "group", default)]
    pub groups: Vec<GroupName>,
}

/// Where each `[[group]]`'s code is, read only to point at a wrong one.
#[derive(Deserialize)]
struct GroupSpans {
    #[serde(rename = "group", default)]
    groups: Vec<GroupSpan>,
}

#[derive(Deserialize)]
struct GroupSpan {
    code: toml::Spanned<String>,
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
        fw.check_groups(text, path)?;
        Ok(fw)
    }

    /// Each `[[group]]` names one of the protocol's groups (or the pooled
    /// managers) once, with a label of its own.
    fn check_groups(&self, text: &str, path: &str) -> Result<(), Diagnostic> {
        let mut seen: Vec<&str> = Vec::new();
        let mut labels: Vec<&str> = Vec::new();
        for (i, g) in self.groups.iter().enumerate() {
            let known = crate::Group::from_code(&g.code).is_some() || g.code == MANAGERS;
            let problem = if !known {
                let codes: Vec<&str> = crate::Group::ALL.iter().map(|g| g.code()).collect();
                Some(format!(
                    "[[group]]: expected the code of a stakeholder group ({}) or `{MANAGERS}`, found `{}`",
                    codes.join(", "),
                    g.code
                ))
            } else if seen.contains(&g.code.as_str()) {
                Some(format!(
                    "[[group]]: expected each group once, found `{}` again",
                    g.code
                ))
            } else if g.label.trim().is_empty() || labels.contains(&g.label.as_str()) {
                Some(format!(
                    "[[group]] `{}`: expected a label no other group has, found `{}`",
                    g.code, g.label
                ))
            } else {
                None
            };
            if let Some(message) = problem {
                let (line, column) = toml::from_str::<GroupSpans>(text)
                    .ok()
                    .and_then(|s| s.groups.get(i).map(|g| line_col(text, g.code.span().start)))
                    .unwrap_or((0, 0));
                return Err(Diagnostic::error(path, line, column, message));
            }
            seen.push(&g.code);
            labels.push(&g.label);
        }
        Ok(())
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
