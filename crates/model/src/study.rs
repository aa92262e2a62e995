//! The study folder's settings and registers (`study.toml`, `sites.csv`,
//! `identifiers.csv`, `withdrawals.csv`), as typed values.

use serde::Deserialize;

use crate::framework::toml_diagnostic;
use crate::{Diagnostic, Sector};

/// `study.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StudyConfig {
    pub study: StudySection,
    pub key: KeySource,
    #[serde(default)]
    pub disclosure: Disclosure,
    #[serde(default)]
    pub anonymisation: AnonymisationSection,
    #[serde(default)]
    pub qualitative: QualitativeSection,
    #[serde(default)]
    pub publication: Publication,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StudySection {
    pub name: String,
    /// Seeds anything resampled, so reruns are identical.
    pub seed: u64,
}

/// Where the pseudonymisation key comes from. Never inside the study folder.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct KeySource {
    /// Read the key from this environment variable.
    pub env: Option<String>,
    /// Or from this file (outside the study folder).
    pub file: Option<String>,
    /// Only the shipped demo study: use the published demo key.
    #[serde(default)]
    pub demo: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disclosure {
    /// Cells with fewer people are suppressed.
    #[serde(default = "default_min_cell")]
    pub min_cell: u32,
    /// What a published quote's label may say (`group`, `sector`, `site`).
    #[serde(default = "default_quote_label")]
    pub quote_label: Vec<String>,
    /// The scopes at which demographics are published (`study`, `sector`, `site`).
    #[serde(default = "default_demographics")]
    pub demographics: Vec<String>,
}

fn default_min_cell() -> u32 {
    3
}
fn default_quote_label() -> Vec<String> {
    vec!["group".into(), "sector".into()]
}
fn default_demographics() -> Vec<String> {
    vec!["study".into(), "sector".into()]
}

impl Default for Disclosure {
    fn default() -> Self {
        Disclosure {
            min_cell: default_min_cell(),
            quote_label: default_quote_label(),
            demographics: default_demographics(),
        }
    }
}

/// Where the anonymisation log goes: a private place outside the output folder.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct AnonymisationSection {
    pub log: Option<String>,
}

/// `[qualitative]`: how the coded transcripts are read.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct QualitativeSection {
    #[serde(default)]
    pub positions: Positions,
}

/// How a REFI-QDA project counts a selection's start and end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Positions {
    /// UTF-16 code units where the project's `origin` names NVivo, code
    /// points otherwise.
    #[default]
    Auto,
    /// UTF-16 code units, as NVivo counts.
    Utf16,
    /// Unicode code points, as the REFI-QDA standard says.
    Codepoints,
}

/// `[publication]`: what the published outputs say about themselves in
/// `ro-crate-metadata.json` and `datapackage.json`. Given by the team, never
/// taken from the clock, so a rerun writes the same bytes. Optional: without
/// them a run warns, and its RO-Crate says that they were not given.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Publication {
    /// The licence the outputs are published under.
    pub license: Option<License>,
    /// The day the outputs are published.
    pub date_published: Option<PublicationDate>,
}

/// A licence: an SPDX licence identifier (`CC-BY-4.0`) or the URL of a
/// licence's text (`https://creativecommons.org/licenses/by/4.0/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum License {
    Spdx(String),
    Url(String),
}

impl License {
    pub fn parse(text: &str) -> Result<License, String> {
        let text = text.trim();
        let url = text
            .strip_prefix("https://")
            .or(text.strip_prefix("http://"));
        match url {
            Some(rest) if !rest.is_empty() && !rest.contains(char::is_whitespace) => {
                Ok(License::Url(text.to_string()))
            }
            Some(_) => Err(format!("expected the URL of a licence, found `{text}`")),
            None if !text.is_empty()
                && text
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphanumeric())
                && text
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+')) =>
            {
                Ok(License::Spdx(text.to_string()))
            }
            None => Err(format!(
                "expected an SPDX licence identifier (`CC-BY-4.0`, `CC0-1.0`, `OGL-UK-3.0`) \
                 or the URL of a licence, found `{text}`"
            )),
        }
    }

    /// What identifies the licence on the web: the SPDX licence list's page
    /// for an identifier, else the URL given.
    pub fn url(&self) -> String {
        match self {
            License::Spdx(id) => format!("https://spdx.org/licenses/{id}"),
            License::Url(url) => url.clone(),
        }
    }

    /// As `study.toml` gives it.
    pub fn as_str(&self) -> &str {
        match self {
            License::Spdx(text) | License::Url(text) => text,
        }
    }
}

impl<'de> Deserialize<'de> for License {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        License::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A day of the calendar as ISO 8601 writes it, `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicationDate(String);

impl PublicationDate {
    pub fn parse(text: &str) -> Result<PublicationDate, String> {
        let wrong = || format!("expected a date as YYYY-MM-DD (`2026-11-30`), found `{text}`");
        let parts: Vec<&str> = text.split('-').collect();
        let [year, month, day] = parts[..] else {
            return Err(wrong());
        };
        let number = |part: &str, digits: usize| {
            (part.len() == digits && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse::<u32>().ok())
                .flatten()
        };
        let (Some(year), Some(month), Some(day)) =
            (number(year, 4), number(month, 2), number(day, 2))
        else {
            return Err(wrong());
        };
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return Err(format!("{}: there is no month {month}", wrong())),
        };
        if day == 0 || day > days {
            return Err(format!(
                "{}: month {month} of {year} has {days} days",
                wrong()
            ));
        }
        Ok(PublicationDate(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for PublicationDate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        PublicationDate::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl StudyConfig {
    pub fn parse(text: &str, path: &str) -> Result<StudyConfig, Diagnostic> {
        let cfg: StudyConfig = toml::from_str(text).map_err(|e| toml_diagnostic(path, text, &e))?;
        if cfg.disclosure.min_cell == 0 {
            return Err(Diagnostic::error(
                path,
                0,
                0,
                "[disclosure] min_cell: expected 1 or more, found 0",
            ));
        }
        for label in &cfg.disclosure.quote_label {
            if !matches!(label.as_str(), "group" | "sector" | "site") {
                return Err(Diagnostic::error(
                    path,
                    0,
                    0,
                    format!(
                        "[disclosure] quote_label: expected `group`, `sector` or `site`, found `{label}`"
                    ),
                ));
            }
        }
        for level in &cfg.disclosure.demographics {
            if !matches!(level.as_str(), "study" | "sector" | "site") {
                return Err(Diagnostic::error(
                    path,
                    0,
                    0,
                    format!(
                        "[disclosure] demographics: expected `study`, `sector` or `site`, found `{level}`"
                    ),
                ));
            }
        }
        Ok(cfg)
    }
}

/// One row of the site register (`sites.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// Code used in the raw data (`S03`).
    pub site_id: String,
    /// The real name of the service: identifying, never published.
    pub site_name: String,
    /// The label used in every output (`Site C`).
    pub label: String,
    pub sector: Sector,
    pub partnership: bool,
    pub bme_focus: bool,
    pub region: String,
    pub wave: u8,
    pub model: String,
}

/// One row of `identifiers.csv`: text that must never reach an output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentifierEntry {
    /// `person`, `site`, `organisation`, `place`, `ward` or `team`.
    pub kind: String,
    pub text: String,
    /// What the reader sees instead (`[peer worker]`).
    pub replacement: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WithdrawalScope {
    /// Every trace of the participant is removed from every output.
    All,
    /// Ratings stay; none of their words are published.
    Quotes,
}

/// One row of `withdrawals.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withdrawal {
    pub record_id: String,
    pub withdrawn_on: String,
    pub scope: WithdrawalScope,
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "[study]\nname = \"S\"\nseed = 1\n\n[key]\ndemo = true\n";

    fn parse(publication: &str) -> Result<StudyConfig, Diagnostic> {
        StudyConfig::parse(&format!("{BASE}{publication}"), "study.toml")
    }

    #[test]
    fn publication_keys_are_read_and_optional() {
        let config = parse("").unwrap();
        assert_eq!(config.publication, Publication::default());
        let config =
            parse("\n[publication]\nlicense = \"CC-BY-4.0\"\ndate_published = \"2024-02-29\"\n")
                .unwrap();
        let license = config.publication.license.unwrap();
        assert_eq!(license, License::Spdx("CC-BY-4.0".into()));
        assert_eq!(license.url(), "https://spdx.org/licenses/CC-BY-4.0");
        assert_eq!(
            config.publication.date_published.unwrap().as_str(),
            "2024-02-29"
        );
        let url = "https://creativecommons.org/licenses/by/4.0/";
        let config = parse(&format!("\n[publication]\nlicense = \"{url}\"\n")).unwrap();
        let license = config.publication.license.unwrap();
        assert_eq!(license, License::Url(url.into()));
        assert_eq!(license.url(), url);
        assert_eq!(config.publication.date_published, None);
    }

    #[test]
    fn a_wrong_date_or_licence_names_its_line_and_column() {
        // Line 9 of the file: BASE is 6 lines, then a blank line and the header.
        for (value, expected) in [
            ("2026-11-31", "month 11 of 2026 has 30 days"),
            ("2023-02-29", "month 2 of 2023 has 28 days"),
            ("2026-13-01", "there is no month 13"),
            (
                "30/11/2026",
                "expected a date as YYYY-MM-DD (`2026-11-30`), found `30/11/2026`",
            ),
            ("2026-1-30", "found `2026-1-30`"),
            ("", "found ``"),
        ] {
            let err = parse(&format!(
                "\n[publication]\nlicense = \"MIT\"\ndate_published = \"{value}\"\n"
            ))
            .unwrap_err();
            assert_eq!((err.line, err.column), (10, 18), "{value}: {err}");
            assert!(err.message.contains(expected), "{value}: {err}");
        }
        for value in ["all rights reserved", "", "https://", "(MIT)"] {
            let err = parse(&format!("\n[publication]\nlicense = \"{value}\"\n")).unwrap_err();
            assert_eq!((err.line, err.column), (9, 11), "{value}: {err}");
            assert!(
                err.message.contains("SPDX licence identifier")
                    || err.message.contains("the URL of a licence"),
                "{value}: {err}"
            );
        }
        let err = parse("\n[publication]\nlicence = \"MIT\"\n").unwrap_err();
        assert!(err.message.contains("unknown field `licence`"), "{err}");
    }
}
