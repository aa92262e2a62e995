//! The leak guard: the last check before anything is written. It scans
//! output text for every known identifier and every detector, and reports
//! where (line) and what kind, never the value.

use std::fmt;

use model::{IdentifierEntry, Identities, Site};
use regex::Regex;

use crate::detect::Detectors;
use crate::fold::{fold_into, Literals};
use crate::redact::{name_variants, Kind, EMAIL_FIELD, NAME_FIELDS};
use crate::AnonymiseError;

/// One leak: the 1-based line and the kind (`name`, `email`, `identifier`,
/// `site`, `record_id`, `site_id`, `nhs_number`, `postcode`, `phone`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Leak {
    pub line: u32,
    pub kind: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Tag {
    kind: &'static str,
    /// Only a leak in published tables and reports (raw codes).
    published_only: bool,
}

/// Scans text for identifiers. Build once, scan every output file.
pub struct LeakGuard {
    literals: Literals<Tag>,
    detectors: Detectors,
    record_shape: Regex,
}

impl fmt::Debug for LeakGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LeakGuard")
    }
}

const GUARDED: [Kind; 4] = [Kind::NhsNumber, Kind::Postcode, Kind::Phone, Kind::Email];

impl LeakGuard {
    /// From the study's identities (names, name parts of three letters or
    /// more, emails, interviewers, record and site codes), identifiers.csv
    /// and the site register (names, codes).
    pub fn new(identities: &Identities, identifiers: &[IdentifierEntry], sites: &[Site]) -> Result<LeakGuard, AnonymiseError> {
        let any = |kind| Tag { kind, published_only: false };
        let published = |kind| Tag { kind, published_only: true };
        let mut items: Vec<(String, Tag)> = Vec::new();
        for entry in identifiers {
            items.push((entry.text.clone(), any("identifier")));
        }
        for site in sites {
            items.push((site.site_name.clone(), any("site")));
        }
        for person in &identities.people {
            for field in NAME_FIELDS {
                if let Some(name) = person.get(field) {
                    for v in name_variants(name) {
                        if v.chars().filter(|c| c.is_alphanumeric()).count() >= 3 {
                            items.push((v, any("name")));
                        }
                    }
                }
            }
            if let Some(email) = person.get(EMAIL_FIELD) {
                items.push((email.to_string(), any("email")));
            }
        }
        for person in &identities.people {
            items.push((person.record_id.clone(), published("record_id")));
        }
        for code in identities.people.iter().map(|p| &p.site_id).chain(sites.iter().map(|s| &s.site_id)) {
            items.push((code.clone(), published("site_id")));
        }
        let record_shape =
            Regex::new(r"\b[Ss][0-9]{2,4}-[0-9]{1,4}\b").map_err(|e| AnonymiseError::Matcher(e.to_string()))?;
        Ok(LeakGuard { literals: Literals::new(items)?, detectors: Detectors::new()?, record_shape })
    }

    /// Every leak in `text`, one per line and kind, sorted. `published`:
    /// the text is a published table or report, where raw record and site
    /// codes are leaks too.
    pub fn scan(&self, text: &str, published: bool) -> Vec<Leak> {
        let mut leaks = std::collections::BTreeSet::new();
        let line_of = {
            let newlines: Vec<usize> = text.match_indices('\n').map(|(i, _)| i).collect();
            move |offset: usize| u32::try_from(newlines.partition_point(|&nl| nl < offset) + 1).unwrap_or(u32::MAX)
        };
        let mut folded = String::new();
        for (n, line) in text.lines().enumerate() {
            let line_no = u32::try_from(n + 1).unwrap_or(u32::MAX);
            fold_into(line, &mut folded, None);
            self.literals.find_folded(&folded, |tag| {
                if published || !tag.published_only {
                    leaks.insert((line_no, tag.kind));
                }
            });
        }
        let mut dets = Vec::new();
        self.detectors.find(text, |k| GUARDED.contains(&k), &mut dets);
        for (start, _, kind) in &dets {
            leaks.insert((line_of(*start), kind.code()));
        }
        if published {
            for m in self.record_shape.find_iter(text) {
                leaks.insert((line_of(m.start()), "record_id"));
            }
        }
        leaks.into_iter().map(|(line, kind)| Leak { line, kind: kind.to_string() }).collect()
    }
}
