//! Redaction of free text: a gazetteer of known identifiers (identifiers.csv,
//! site names, participants' and interviewers' names) plus the pattern
//! detectors. Every hit is replaced by its kind's label.

use std::fmt;

use model::{IdentifierEntry, Identities, Site};

use crate::detect::Detectors;
use crate::fold::Literals;
use crate::AnonymiseError;

/// What a hit is. The order is the tie-break when two hits of equal length
/// start at the same place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// An entry of identifiers.csv (replaced by its own replacement).
    Identifier,
    /// A site name from the register.
    Site,
    /// A participant's or interviewer's name, or part of it.
    Name,
    Email,
    Url,
    NhsNumber,
    Phone,
    Postcode,
    Date,
}

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::Identifier,
        Kind::Site,
        Kind::Name,
        Kind::Email,
        Kind::Url,
        Kind::NhsNumber,
        Kind::Phone,
        Kind::Postcode,
        Kind::Date,
    ];

    /// The code used in logs and leak reports.
    pub fn code(self) -> &'static str {
        match self {
            Kind::Identifier => "identifier",
            Kind::Site => "site",
            Kind::Name => "name",
            Kind::Email => "email",
            Kind::Url => "url",
            Kind::NhsNumber => "nhs_number",
            Kind::Phone => "phone",
            Kind::Postcode => "postcode",
            Kind::Date => "date",
        }
    }

    /// What the reader sees instead (identifiers use their own replacement).
    pub fn label(self) -> &'static str {
        match self {
            Kind::Identifier => "[redacted]",
            Kind::Site => "[site]",
            Kind::Name => "[name]",
            Kind::Email => "[email]",
            Kind::Url => "[url]",
            Kind::NhsNumber => "[NHS number]",
            Kind::Phone => "[phone]",
            Kind::Postcode => "[postcode]",
            Kind::Date => "[date]",
        }
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The set of kinds a [`Redactor`] redacts. All by default; disabling one
/// exists for tests (the leak guard must then catch what gets through).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RedactionKinds(u16);

impl RedactionKinds {
    pub fn all() -> RedactionKinds {
        RedactionKinds(Kind::ALL.iter().fold(0, |acc, k| acc | k.bit()))
    }
    pub fn none() -> RedactionKinds {
        RedactionKinds(0)
    }
    pub fn with(self, kind: Kind) -> RedactionKinds {
        RedactionKinds(self.0 | kind.bit())
    }
    pub fn without(self, kind: Kind) -> RedactionKinds {
        RedactionKinds(self.0 & !kind.bit())
    }
    pub fn contains(self, kind: Kind) -> bool {
        self.0 & kind.bit() != 0
    }
}

impl Default for RedactionKinds {
    fn default() -> Self {
        RedactionKinds::all()
    }
}

/// One redacted span, in byte offsets of the *original* text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

/// Redacted text and what was removed (positions only, never the text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redacted {
    pub text: String,
    pub hits: Vec<Hit>,
}

#[derive(Debug, Clone)]
pub(crate) struct Tag {
    pub kind: Kind,
    /// Index into the replacements (identifiers.csv) or `usize::MAX` for the kind's label.
    pub replacement: usize,
}

/// Titles and particles never redacted on their own (the rest of the name is).
const NOT_A_NAME: &[&str] = &[
    "dr", "mr", "mrs", "ms", "mx", "miss", "prof", "professor", "sir", "dame", "de", "da", "di", "du", "van", "von",
    "der", "den", "la", "le", "del", "della", "bin", "bint", "al", "el", "st",
];

/// Names of a person: the full name, each part, and the parts of hyphenated
/// and apostrophe names, skipping titles and single letters.
pub(crate) fn name_variants(full: &str) -> Vec<String> {
    let full = full.trim();
    let mut out = vec![full.to_string()];
    for part in full.split_whitespace() {
        let part = part.trim_matches(|c: char| !c.is_alphanumeric());
        let mut pieces = vec![part];
        if part.contains(['-', '\'', '\u{2019}']) {
            pieces.extend(part.split(['-', '\'', '\u{2019}']));
        }
        for p in pieces {
            if p.chars().count() >= 2 && !NOT_A_NAME.contains(&p.to_lowercase().as_str()) {
                out.push(p.to_string());
            }
        }
    }
    out
}

/// The identifier fields of an interview record that are names.
pub(crate) const NAME_FIELDS: [&str; 2] = ["participant_name", "interviewer"];
pub(crate) const EMAIL_FIELD: &str = "contact_email";

/// Redacts free text. Build once per study, use for every field.
pub struct Redactor {
    literals: Literals<Tag>,
    replacements: Vec<String>,
    detectors: Detectors,
    kinds: RedactionKinds,
}

impl fmt::Debug for Redactor {
    /// The gazetteer is identifying: Debug shows only its size.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redactor({} replacements, {:?})", self.replacements.len(), self.kinds)
    }
}

impl Redactor {
    /// The gazetteer: identifiers.csv entries first (their own replacement),
    /// then site names (`[site]`), then every participant's and
    /// interviewer's name and its parts (`[name]`) and contact emails.
    pub fn new(identifiers: &[IdentifierEntry], sites: &[Site], identities: &Identities) -> Result<Redactor, AnonymiseError> {
        let mut items: Vec<(String, Tag)> = Vec::new();
        let mut replacements = Vec::new();
        for entry in identifiers {
            let replacement = entry.replacement.trim();
            let tag = if replacement.is_empty() {
                Tag { kind: Kind::Identifier, replacement: usize::MAX }
            } else {
                replacements.push(replacement.to_string());
                Tag { kind: Kind::Identifier, replacement: replacements.len() - 1 }
            };
            items.push((entry.text.clone(), tag));
        }
        for site in sites {
            items.push((site.site_name.clone(), Tag { kind: Kind::Site, replacement: usize::MAX }));
        }
        for person in &identities.people {
            items.extend(participant_entries(person).into_iter().map(|(text, kind)| (text, Tag { kind, replacement: usize::MAX })));
        }
        Ok(Redactor { literals: Literals::new(items)?, replacements, detectors: Detectors::new()?, kinds: RedactionKinds::all() })
    }

    /// The same redactor with only these kinds enabled.
    pub fn with_kinds(mut self, kinds: RedactionKinds) -> Redactor {
        self.kinds = kinds;
        self
    }

    pub fn kinds(&self) -> RedactionKinds {
        self.kinds
    }

    /// Redact one text. Overlapping detections are merged into one span (so
    /// no fragment of either survives) labelled by the longest detection,
    /// then the earliest, then by [`Kind`] order.
    pub fn redact(&self, text: &str) -> Redacted {
        let mut cands: Vec<(usize, usize, Kind, usize)> = Vec::new();
        let mut lit = Vec::new();
        self.literals.find(text, &mut lit);
        cands.extend(
            lit.into_iter().filter(|(_, _, t)| self.kinds.contains(t.kind)).map(|(s, e, t)| (s, e, t.kind, t.replacement)),
        );
        let mut det = Vec::new();
        self.detectors.find(text, |k| self.kinds.contains(k), &mut det);
        cands.extend(det.into_iter().map(|(s, e, k)| (s, e, k, usize::MAX)));
        cands.retain(|c| c.0 < c.1 && c.1 <= text.len());
        cands.sort_by_key(|&(s, e, k, r)| (s, std::cmp::Reverse(e), k, r));

        let mut out = String::with_capacity(text.len());
        let mut hits = Vec::new();
        let mut pos = 0;
        let mut i = 0;
        while i < cands.len() {
            let (start, mut end, _, _) = cands[i];
            let mut best = cands[i];
            let mut j = i + 1;
            while j < cands.len() && cands[j].0 < end {
                let c = cands[j];
                let better = (c.1 - c.0, std::cmp::Reverse(c.0), std::cmp::Reverse(c.2))
                    > (best.1 - best.0, std::cmp::Reverse(best.0), std::cmp::Reverse(best.2));
                if better {
                    best = c;
                }
                end = end.max(c.1);
                j += 1;
            }
            out.push_str(&text[pos..start]);
            out.push_str(self.replacements.get(best.3).map_or(best.2.label(), String::as_str));
            hits.push(Hit { kind: best.2, start, end });
            pos = end;
            i = j;
        }
        out.push_str(&text[pos..]);
        Redacted { text: out, hits }
    }
}

/// The gazetteer entries a participant's record contributes (names and
/// their parts, contact email), as [`Redactor::new`] builds them.
fn participant_entries(person: &model::Identity) -> Vec<(String, Kind)> {
    let mut out = Vec::new();
    for field in NAME_FIELDS {
        if let Some(name) = person.get(field) {
            out.extend(name_variants(name).into_iter().map(|v| (v, Kind::Name)));
        }
    }
    if let Some(email) = person.get(EMAIL_FIELD) {
        out.push((email.to_string(), Kind::Email));
    }
    out
}

/// For each site code (of the identities), a keyed fingerprint of the
/// gazetteer entries its participants contribute: equal fingerprints, equal
/// entries. Keyed (HMAC with the study key), so a fingerprint kept in the
/// run's cache cannot be checked against a list of common names.
pub fn gazetteer_fingerprints(key: &crate::Key, identities: &Identities) -> std::collections::BTreeMap<String, String> {
    let mut by_site: std::collections::BTreeMap<&str, std::collections::BTreeSet<(Kind, String)>> = Default::default();
    for person in &identities.people {
        let entries = by_site.entry(person.site_id.as_str()).or_default();
        for (text, kind) in participant_entries(person) {
            let folded = crate::fold::fold(&text);
            if !folded.is_empty() {
                entries.insert((kind, folded));
            }
        }
    }
    by_site
        .into_iter()
        .map(|(site, entries)| {
            let mut message = String::from("crosscase gazetteer v1\n");
            for (kind, folded) in entries {
                message.push_str(kind.code());
                message.push('\t');
                message.push_str(&folded);
                message.push('\n');
            }
            let digest = key.digest(message.as_bytes());
            (site.to_string(), digest[..8].iter().map(|b| format!("{b:02x}")).collect())
        })
        .collect()
}

/// Finds whether some gazetteer entries occur in a text, exactly as the
/// [`Redactor`] would find them (same folding, same word boundaries). Used
/// to prove a site's redacted text unchanged when entries are added: a
/// text in which no added entry occurs is redacted exactly as before.
pub struct GazetteerScan {
    literals: Literals<()>,
}

impl GazetteerScan {
    /// The entries the participants of the `added` sites bring to the
    /// gazetteer, less those it already held with the same effect: an entry
    /// folding like an identifiers.csv entry or a site name (those come
    /// first and win), or like other participants' entries of the same kind
    /// only (same replacement either way). What is left is what can change
    /// a redaction of text that had been redacted without those sites.
    pub fn added(
        identifiers: &[IdentifierEntry],
        sites: &[Site],
        identities: &Identities,
        added: &std::collections::BTreeSet<String>,
    ) -> Result<GazetteerScan, AnonymiseError> {
        use crate::fold::fold;
        use std::collections::{BTreeMap, BTreeSet};
        let mut before: BTreeMap<String, BTreeSet<Kind>> = BTreeMap::new();
        for entry in identifiers {
            before.entry(fold(&entry.text)).or_default().insert(Kind::Identifier);
        }
        for site in sites {
            before.entry(fold(&site.site_name)).or_default().insert(Kind::Site);
        }
        for person in identities.people.iter().filter(|p| !added.contains(&p.site_id)) {
            for (text, kind) in participant_entries(person) {
                before.entry(fold(&text)).or_default().insert(kind);
            }
        }
        let items = identities
            .people
            .iter()
            .filter(|p| added.contains(&p.site_id))
            .flat_map(participant_entries)
            .filter(|(text, kind)| match before.get(&fold(text)) {
                None => true,
                Some(kinds) => {
                    !(kinds.contains(&Kind::Identifier) || kinds.contains(&Kind::Site) || kinds.iter().all(|k| k == kind))
                }
            })
            .map(|(text, _)| (text, ()));
        Ok(GazetteerScan { literals: Literals::new(items)? })
    }

    /// Whether any entry occurs in `text`.
    pub fn occurs_in(&self, text: &str) -> bool {
        let mut found = Vec::new();
        self.literals.find(text, &mut found);
        !found.is_empty()
    }
}
