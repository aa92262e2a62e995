//! Redaction of free text: a gazetteer of known identifiers (identifiers.csv,
//! site names, participants' and interviewers' names) plus the pattern
//! detectors. Every hit is replaced by its kind's label.

use std::fmt;

use model::{IdentifierEntry, Identities, Site};

use crate::AnonymiseError;
use crate::detect::Detectors;
use crate::fold::{Literals, Subject, fold, fold_keeping_diacritics, is_word};

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
    /// Where each hit's replacement lies in `text` (index-aligned with
    /// `hits`): how offsets of the original map onto the redacted text.
    pub replaced: Vec<std::ops::Range<usize>>,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Tag {
    pub kind: Kind,
    /// Index into the replacements (identifiers.csv) or `usize::MAX` for the kind's label.
    pub replacement: usize,
}

impl Subject for Tag {
    fn names_a_person(&self) -> bool {
        self.kind == Kind::Name
    }
}

/// Particles never redacted on their own (the rest of the name is), as
/// titles ([`crate::names::TITLES`]) are not.
const PARTICLES: &[&str] = &[
    "de", "da", "di", "du", "van", "von", "der", "den", "la", "le", "del", "della", "bin", "bint",
    "al", "el", "st",
];

/// Names of a person: the full name, each part, and the parts of hyphenated
/// and apostrophe names, skipping titles and single letters.
#[cfg(test)]
pub(crate) fn name_variants(full: &str) -> Vec<String> {
    let mut out = Vec::new();
    each_name_variant(full, |v| out.push(v.to_string()));
    out
}

/// [`name_variants`], as parts of `full`.
fn each_name_variant<'a>(full: &'a str, mut variant: impl FnMut(&'a str)) {
    let full = full.trim();
    variant(full);
    let mut take = |p: &'a str| {
        if p.chars().nth(1).is_some() && !not_a_name(p) {
            variant(p);
        }
    };
    for part in full.split_whitespace() {
        // A name ending in a combining mark (`Hà` decomposed) keeps it.
        let part = part.trim_matches(|c: char| !is_word(c));
        take(part);
        if part.contains(['-', '\'', '\u{2019}']) {
            part.split(['-', '\'', '\u{2019}']).for_each(&mut take);
        }
    }
}

/// Whether `p` lowercased is a title or one of [`PARTICLES`] (ASCII text
/// compared without allocating: its lowercase is its ASCII lowercase).
fn not_a_name(p: &str) -> bool {
    let titles = crate::names::TITLES.iter();
    if p.is_ascii() {
        titles.chain(PARTICLES).any(|n| n.eq_ignore_ascii_case(p))
    } else {
        let lower = p.to_lowercase();
        titles.chain(PARTICLES).any(|n| *n == lower)
    }
}

/// The identifier fields of an interview record that are names.
pub(crate) const NAME_FIELDS: [&str; 2] = ["participant_name", "interviewer"];
pub(crate) const EMAIL_FIELD: &str = "contact_email";
/// REDCap's own columns kept as identities: the record's data access
/// group (its names as `ingest` gives them: often the service's real name,
/// redacted as a site's) and the survey identifier (an email address, as
/// an email).
pub(crate) const GROUP_FIELD: &str = model::dictionary::redcap::DATA_ACCESS_GROUP;
pub(crate) const SURVEY_FIELD: &str = model::dictionary::redcap::SURVEY_IDENTIFIER;

/// A survey identifier that is an email address: one `@`, no spaces.
fn is_email_like(text: &str) -> bool {
    text.split_once('@')
        .is_some_and(|(l, d)| !l.is_empty() && !d.is_empty() && !d.contains('@'))
        && !text.chars().any(char::is_whitespace)
}

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
        write!(
            f,
            "Redactor({} replacements, {:?})",
            self.replacements.len(),
            self.kinds
        )
    }
}

impl Redactor {
    /// The gazetteer: identifiers.csv entries first (their own replacement),
    /// then site names (`[site]`), then every participant's and
    /// interviewer's name and its parts (`[name]`) and contact emails.
    pub fn new(
        identifiers: &[IdentifierEntry],
        sites: &[Site],
        identities: &Identities,
    ) -> Result<Redactor, AnonymiseError> {
        let mut items: Vec<(&str, Tag)> = Vec::new();
        let mut replacements = Vec::new();
        for entry in identifiers {
            let replacement = entry.replacement.trim();
            let tag = if replacement.is_empty() {
                Tag {
                    kind: Kind::Identifier,
                    replacement: usize::MAX,
                }
            } else {
                replacements.push(replacement.to_string());
                Tag {
                    kind: Kind::Identifier,
                    replacement: replacements.len() - 1,
                }
            };
            items.push((&entry.text, tag));
        }
        for site in sites {
            items.push((
                &site.site_name,
                Tag {
                    kind: Kind::Site,
                    replacement: usize::MAX,
                },
            ));
        }
        // A name seen before (interviewers recur) adds nothing: its entries
        // are in already, with the same tag, and the first of a fold wins.
        let mut names_seen = rustc_hash::FxHashSet::default();
        for person in &identities.people {
            each_participant_entry(
                person,
                |name| names_seen.insert(name),
                |text, kind| {
                    items.push((
                        text,
                        Tag {
                            kind,
                            replacement: usize::MAX,
                        },
                    ));
                },
            );
        }
        Ok(Redactor {
            literals: Literals::new(items)?,
            replacements,
            detectors: Detectors::new()?,
            kinds: RedactionKinds::all(),
        })
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
        SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            let Scratch { lit, det, cands } = &mut *scratch;
            lit.clear();
            det.clear();
            cands.clear();
            self.literals.find(text, lit);
            cands.extend(
                lit.iter()
                    .filter(|(_, _, t)| self.kinds.contains(t.kind))
                    .map(|&(s, e, t)| (s, e, t.kind, t.replacement)),
            );
            self.detectors.find(text, |k| self.kinds.contains(k), det);
            cands.extend(det.iter().map(|&(s, e, k)| (s, e, k, usize::MAX)));
            self.merge(text, cands)
        })
    }

    /// The redaction of `text` by its candidate spans `(start, end, kind,
    /// replacement)`. (Equal keys of the sort are equal candidates, so an
    /// unstable sort sorts as a stable one.)
    fn merge(&self, text: &str, cands: &mut Vec<(usize, usize, Kind, usize)>) -> Redacted {
        cands.retain(|c| c.0 < c.1 && c.1 <= text.len());
        if cands.is_empty() {
            return Redacted {
                text: text.to_string(),
                hits: Vec::new(),
                replaced: Vec::new(),
            };
        }
        cands.sort_unstable_by_key(|&(s, e, k, r)| (s, std::cmp::Reverse(e), k, r));

        let mut out = String::with_capacity(text.len());
        let mut hits = Vec::new();
        let mut replaced = Vec::new();
        let mut pos = 0;
        let mut i = 0;
        while i < cands.len() {
            let (start, mut end, _, _) = cands[i];
            let mut best = cands[i];
            let mut j = i + 1;
            while j < cands.len() && cands[j].0 < end {
                let c = cands[j];
                let better = (c.1 - c.0, std::cmp::Reverse(c.0), std::cmp::Reverse(c.2))
                    > (
                        best.1 - best.0,
                        std::cmp::Reverse(best.0),
                        std::cmp::Reverse(best.2),
                    );
                if better {
                    best = c;
                }
                end = end.max(c.1);
                j += 1;
            }
            out.push_str(&text[pos..start]);
            let at = out.len();
            out.push_str(
                self.replacements
                    .get(best.3)
                    .map_or(best.2.label(), String::as_str),
            );
            replaced.push(at..out.len());
            hits.push(Hit {
                kind: best.2,
                start,
                end,
            });
            pos = end;
            i = j;
        }
        out.push_str(&text[pos..]);
        Redacted {
            text: out,
            hits,
            replaced,
        }
    }

    /// [`Redactor::redact`] as it was before its fast paths (literal
    /// matching and detectors), to test them against; both merge alike.
    #[cfg(test)]
    pub(crate) fn redact_reference(
        &self,
        reference: &crate::fold::reference::Literals<Tag>,
        text: &str,
    ) -> Redacted {
        let mut cands: Vec<(usize, usize, Kind, usize)> = Vec::new();
        let mut lit = Vec::new();
        reference.find(text, &mut lit);
        cands.extend(
            lit.into_iter()
                .filter(|(_, _, t)| self.kinds.contains(t.kind))
                .map(|(s, e, t)| (s, e, t.kind, t.replacement)),
        );
        let mut det = Vec::new();
        self.detectors
            .find_reference(text, |k| self.kinds.contains(k), &mut det);
        cands.extend(det.into_iter().map(|(s, e, k)| (s, e, k, usize::MAX)));
        self.merge(text, &mut cands)
    }
}

/// Buffers of [`Redactor::redact`], reused from call to call.
#[derive(Default)]
struct Scratch {
    lit: Vec<(usize, usize, Tag)>,
    det: Vec<(usize, usize, Kind)>,
    cands: Vec<(usize, usize, Kind, usize)>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// The gazetteer entries a participant's record contributes (names and
/// their parts, contact email), as [`Redactor::new`] builds them.
fn participant_entries(person: &model::Identity) -> Vec<(String, Kind)> {
    let mut out = Vec::new();
    each_participant_entry(
        person,
        |_| true,
        |text, kind| out.push((text.to_string(), kind)),
    );
    out
}

/// [`participant_entries`], in order, as parts of the record; the entries
/// of a name for which `expand` is false are left out.
pub(crate) fn each_participant_entry<'a>(
    person: &'a model::Identity,
    mut expand: impl FnMut(&'a str) -> bool,
    mut entry: impl FnMut(&'a str, Kind),
) {
    // Each field as `Identity::get` finds it (the first of its name), in
    // one pass; a data access group's every name (as exported, in words).
    let mut found: [Option<&'a str>; 4] = [None; 4];
    let mut groups: [Option<&'a str>; 2] = [None; 2];
    for (field, value) in &person.fields {
        let slot = match field.as_str() {
            f if f == NAME_FIELDS[0] => 0,
            f if f == NAME_FIELDS[1] => 1,
            f if f == EMAIL_FIELD => 2,
            f if f == SURVEY_FIELD => 3,
            f if f == GROUP_FIELD => {
                if let Some(free) = groups.iter_mut().find(|g| g.is_none()) {
                    *free = Some(value.as_str());
                }
                continue;
            }
            _ => continue,
        };
        found[slot].get_or_insert(value.as_str());
    }
    for name in found[..2].iter().flatten() {
        if expand(name) {
            each_name_variant(name, |v| entry(v, Kind::Name));
        }
    }
    if let Some(email) = found[2] {
        entry(email, Kind::Email);
    }
    if let Some(survey) = found[3].filter(|s| is_email_like(s)) {
        entry(survey, Kind::Email);
    }
    for group in groups.into_iter().flatten() {
        entry(group, Kind::Site);
    }
}

/// What a gazetteer fingerprint hashes first: v2 entries are folded
/// keeping their diacritics (a short name's matches depend on them).
const GAZETTEER_VERSION: &str = "crosscase gazetteer v2\n";

/// For each site code (of the identities), a keyed fingerprint of the
/// gazetteer entries its participants contribute: equal fingerprints, equal
/// entries (folded keeping diacritics: two entries that fold alike so
/// match alike). Keyed (HMAC with the study key), so a fingerprint kept in the
/// run's cache cannot be checked against a list of common names.
pub fn gazetteer_fingerprints(
    key: &crate::Key,
    identities: &Identities,
) -> std::collections::BTreeMap<String, String> {
    use rayon::prelude::*;
    let mut by_site: std::collections::BTreeMap<&str, Vec<&model::Identity>> = Default::default();
    for person in &identities.people {
        by_site
            .entry(person.site_id.as_str())
            .or_default()
            .push(person);
    }
    let by_site: Vec<(&str, Vec<&model::Identity>)> = by_site.into_iter().collect();
    by_site
        .into_par_iter()
        .map(|(site, people)| {
            // An entry seen before in the site (interviewers recur) is in already.
            let mut seen = rustc_hash::FxHashSet::default();
            let mut entries: std::collections::BTreeSet<(Kind, String)> = Default::default();
            for person in people {
                each_participant_entry(
                    person,
                    |_| true,
                    |text, kind| {
                        if seen.insert((kind, text)) {
                            let folded = fold_keeping_diacritics(text);
                            if !folded.is_empty() {
                                entries.insert((kind, folded));
                            }
                        }
                    },
                );
            }
            let mut message = String::from(GAZETTEER_VERSION);
            for (kind, folded) in entries {
                message.push_str(kind.code());
                message.push('\t');
                message.push_str(&folded);
                message.push('\n');
            }
            let digest = key.digest(message.as_bytes());
            (
                site.to_string(),
                digest[..8].iter().map(|b| format!("{b:02x}")).collect(),
            )
        })
        .collect()
}

/// The original gazetteer fingerprints, to test the fast ones against.
#[cfg(test)]
pub(crate) fn gazetteer_fingerprints_reference(
    key: &crate::Key,
    identities: &Identities,
) -> std::collections::BTreeMap<String, String> {
    let mut by_site: std::collections::BTreeMap<&str, std::collections::BTreeSet<(Kind, String)>> =
        Default::default();
    for person in &identities.people {
        let entries = by_site.entry(person.site_id.as_str()).or_default();
        for (text, kind) in participant_entries_reference(person) {
            let folded = fold_keeping_diacritics(&text);
            if !folded.is_empty() {
                entries.insert((kind, folded));
            }
        }
    }
    by_site
        .into_iter()
        .map(|(site, entries)| {
            let mut message = String::from(GAZETTEER_VERSION);
            for (kind, folded) in entries {
                message.push_str(kind.code());
                message.push('\t');
                message.push_str(&folded);
                message.push('\n');
            }
            let digest = key.digest(message.as_bytes());
            (
                site.to_string(),
                digest[..8].iter().map(|b| format!("{b:02x}")).collect(),
            )
        })
        .collect()
}

/// The original name variants, to test the fast ones against.
#[cfg(test)]
pub(crate) fn name_variants_reference(full: &str) -> Vec<String> {
    let full = full.trim();
    let mut out = vec![full.to_string()];
    for part in full.split_whitespace() {
        let part = part.trim_matches(|c: char| !is_word(c));
        let mut pieces = vec![part];
        if part.contains(['-', '\'', '\u{2019}']) {
            pieces.extend(part.split(['-', '\'', '\u{2019}']));
        }
        for p in pieces {
            let lower = p.to_lowercase();
            let titled = crate::names::TITLES.contains(&lower.as_str());
            if p.chars().count() >= 2 && !titled && !PARTICLES.contains(&lower.as_str()) {
                out.push(p.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
fn participant_entries_reference(person: &model::Identity) -> Vec<(String, Kind)> {
    let mut out = Vec::new();
    for field in NAME_FIELDS {
        if let Some(name) = person.get(field) {
            out.extend(
                name_variants_reference(name)
                    .into_iter()
                    .map(|v| (v, Kind::Name)),
            );
        }
    }
    if let Some(email) = person.get(EMAIL_FIELD) {
        out.push((email.to_string(), Kind::Email));
    }
    if let Some(survey) = person.get(SURVEY_FIELD).filter(|s| is_email_like(s)) {
        out.push((survey.to_string(), Kind::Email));
    }
    for (_, group) in person
        .fields
        .iter()
        .filter(|(f, _)| f == GROUP_FIELD)
        .take(2)
    {
        out.push((group.clone(), Kind::Site));
    }
    out
}

/// The original gazetteer, to test the fast one against: the reference
/// literals of [`Redactor::new`] as it was.
#[cfg(test)]
pub(crate) fn reference_literals(
    identifiers: &[IdentifierEntry],
    sites: &[Site],
    identities: &Identities,
) -> crate::fold::reference::Literals<Tag> {
    let mut items: Vec<(String, Tag)> = Vec::new();
    let mut replacements = 0;
    for entry in identifiers {
        let replacement = entry.replacement.trim();
        let tag = if replacement.is_empty() {
            Tag {
                kind: Kind::Identifier,
                replacement: usize::MAX,
            }
        } else {
            replacements += 1;
            Tag {
                kind: Kind::Identifier,
                replacement: replacements - 1,
            }
        };
        items.push((entry.text.clone(), tag));
    }
    for site in sites {
        items.push((
            site.site_name.clone(),
            Tag {
                kind: Kind::Site,
                replacement: usize::MAX,
            },
        ));
    }
    for person in &identities.people {
        items.extend(
            participant_entries_reference(person)
                .into_iter()
                .map(|(text, kind)| {
                    (
                        text,
                        Tag {
                            kind,
                            replacement: usize::MAX,
                        },
                    )
                }),
        );
    }
    crate::fold::reference::Literals::new(items).unwrap()
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
    /// only (same replacement either way), and for a short name, written
    /// with diacritics already known (its matches depend on them). What is
    /// left is what can change a redaction of text that had been redacted
    /// without those sites.
    ///
    /// The scan finds every match of those entries, in any form, without
    /// the short-name rule ([`crate::names`]): whether a match of a short
    /// name counts depends on the names around it, so any match may change
    /// the redaction (fail closed: a site re-anonymised needlessly costs
    /// time, never a name).
    pub fn added(
        identifiers: &[IdentifierEntry],
        sites: &[Site],
        identities: &Identities,
        added: &std::collections::BTreeSet<String>,
    ) -> Result<GazetteerScan, AnonymiseError> {
        use std::collections::{BTreeMap, BTreeSet};
        // A short name's forms with diacritics, as the rule keeps them.
        let written = |text: &str, folded: &str| -> Option<String> {
            (!text.is_ascii() && crate::names::is_short(folded))
                .then(|| fold_keeping_diacritics(text))
                .filter(|w| w != folded)
        };
        let mut before: BTreeMap<String, BTreeSet<Kind>> = BTreeMap::new();
        for entry in identifiers {
            before
                .entry(fold(&entry.text))
                .or_default()
                .insert(Kind::Identifier);
        }
        for site in sites {
            before
                .entry(fold(&site.site_name))
                .or_default()
                .insert(Kind::Site);
        }
        let mut known_forms: BTreeSet<String> = BTreeSet::new();
        for person in identities
            .people
            .iter()
            .filter(|p| !added.contains(&p.site_id))
        {
            for (text, kind) in participant_entries(person) {
                let folded = fold(&text);
                if kind == Kind::Name {
                    known_forms.extend(written(&text, &folded));
                }
                before.entry(folded).or_default().insert(kind);
            }
        }
        let items = identities
            .people
            .iter()
            .filter(|p| added.contains(&p.site_id))
            .flat_map(participant_entries)
            .filter(|(text, kind)| {
                let folded = fold(text);
                match before.get(&folded) {
                    None => true,
                    Some(kinds) => {
                        !(kinds.contains(&Kind::Identifier)
                            || kinds.contains(&Kind::Site)
                            || kinds.iter().all(|k| k == kind)
                                && (*kind != Kind::Name
                                    || written(text, &folded)
                                        .is_none_or(|w| known_forms.contains(&w))))
                    }
                }
            })
            .map(|(text, _)| (text, ()));
        Ok(GazetteerScan {
            literals: Literals::new(items)?,
        })
    }

    /// Whether any entry occurs in `text`.
    pub fn occurs_in(&self, text: &str) -> bool {
        let mut found = Vec::new();
        self.literals.find(text, &mut found);
        !found.is_empty()
    }
}

#[cfg(test)]
mod fast_path_tests {
    //! The fast paths against the implementation they replaced, on many
    //! generated tricky texts.
    use super::*;
    use model::{Identity, Sector};

    /// A small deterministic generator (xorshift).
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[self.below(items.len())]
        }
    }

    const NAMES: [(&str, &str, &str); 12] = [
        ("Zoë Brennan", "Rachel Adeyemi", "zoe.brennan@example.net"),
        ("José Fernandes", "Tom Whitfield", "Jose.F@Exämple.org"),
        ("Siobhan O'Neill", "Rachel Adeyemi", "o'neill@nhs.net"),
        (
            "Kwame Mensah-Boateng",
            "Tom O\u{2019}Brien",
            "k.mensah-boateng@sub.example.co.uk",
        ),
        ("Dr Ayşe Yılmaz", "Tom Whitfield", "a@b@c.org"),
        ("Ólafur \u{212a}elvinsson", "Rachel Adeyemi", "tail@"),
        ("Mary-Jane van der Berg", "Li Ng", "@lead.org"),
        ("İlker Şahin", "Ståle Ssen", "mj+peer@example.org"),
        ("Jo E", "Tom Whitfield", "j\u{2019}o@x.io"),
        (
            "Maria  Hughes\u{a0}Smith",
            "Anne-Marie St. Clair",
            "maria.hughes@example.net",
        ),
        (
            "Zoe\u{308} Adams",
            "Rachel Adeyemi",
            "ZOE.ADAMS@EXAMPLE.NET",
        ),
        ("Ng", "", "x@y"),
    ];

    fn gazetteer() -> (Vec<IdentifierEntry>, Vec<Site>, Identities) {
        let identifiers = [
            ("Bell Ward", "[ward]"),
            ("Okafor", ""),
            ("St. Mary's", "[hospital]"),
            ("A&E", "[dept]"),
            ("-dash-", ""),
            ("Ward 7", "[ward]"),
            ("NHS", "[nhs]"),
            ("café", "[cafe]"),
            ("Straße", "[street]"),
            ("(Lewisham)", "[borough]"),
            ("#tag", ""),
            ("  Fairfield   Road ", "[street]"),
            ("okafor", "[other]"),
            ("020 7946", "[part]"),
        ]
        .into_iter()
        .map(|(text, replacement)| IdentifierEntry {
            kind: "place".into(),
            text: text.into(),
            replacement: replacement.into(),
        })
        .collect();
        let site = |id: &str, name: &str| Site {
            site_id: id.into(),
            site_name: name.into(),
            label: format!("Site {id}"),
            sector: Sector::Statutory,
            partnership: false,
            bme_focus: false,
            region: "London".into(),
            wave: 1,
            model: String::new(),
        };
        let sites = vec![
            site("S01", "Riverside Recovery College"),
            site("S02", "St Brigid's Hospital"),
            site("S03", "Zoë's Place"),
        ];
        let people = NAMES
            .iter()
            .enumerate()
            .map(|(i, (name, interviewer, email))| {
                let mut fields = vec![("participant_name".to_string(), name.to_string())];
                if !interviewer.is_empty() {
                    fields.push(("interviewer".to_string(), interviewer.to_string()));
                }
                fields.push(("contact_email".to_string(), email.to_string()));
                // A repeated field: the first counts.
                fields.push(("participant_name".to_string(), "Shadow Person".to_string()));
                Identity {
                    record_id: format!("S0{}-{i:02}", i % 3 + 1),
                    site_id: format!("S0{}", i % 3 + 1),
                    fields,
                }
            })
            .collect();
        (identifiers, sites, Identities { people })
    }

    /// Accent, case and form changes a reader may meet.
    fn vary(rng: &mut Rng, atom: &str) -> String {
        match rng.below(8) {
            0 => atom.to_uppercase(),
            1 => atom.to_lowercase(),
            2 => atom
                .replace('é', "e\u{301}")
                .replace('ë', "e\u{308}")
                .replace('ö', "o\u{308}"),
            3 => atom.replace('s', "\u{17f}").replace(['K', 'k'], "\u{212a}"),
            4 => atom.replace(['é', 'ë'], "e").replace('ş', "s"),
            5 => atom.replace(' ', "  ").replace('\'', "\u{2019}"),
            _ => atom.to_string(),
        }
    }

    fn texts(n: usize) -> Vec<String> {
        let mut atoms: Vec<&str> = vec![
            "’s",
            "'s",
            "s",
            "peer",
            "Support",
            "word",
            "Kelvin",
            "mass",
            "the",
            "and",
            "020 7946 0123",
            "+44 7700 900123",
            "+44 (0)20 7946 0123",
            "(020) 7946 0123",
            "07700900123",
            "0207946012",
            "SE1 7EH",
            "gir 0aa",
            "sw1a1aa",
            "EC1A 1BB",
            "M1 1AE",
            "943 476 5919",
            "9434765919",
            "943-476-5919",
            "0.9434765919",
            "9434765918",
            "1234567890",
            "12 March 2011",
            "2011-07-01",
            "1/2/11",
            "March 3rd, 2012",
            "3rd of May",
            "Sept 4",
            "31.12.1999",
            "www.example.org/peer.",
            "https://x.y/z?a=b",
            "http://localhost",
            "nhs.uk",
            "EXAMPLE.COM",
            "foo.io,",
            "a.uk",
            "e.g.",
            "etc.",
            "i.e.",
            ".Info",
            "WWW.X",
            "ftp://x",
            "mailto:",
            "x.eu!",
            "someone@example.org",
            "first.last+tag@sub.domain.co.uk",
            "o'neill@nhs.net",
            "@",
            "@@",
            "x@",
            "@y",
            "\u{17f}",
            "\u{212a}",
            "İ",
            "ß",
            "\u{301}",
            "\u{308}",
            "\r\n",
            "\n",
            "\t",
            "  ",
            "\u{a0}",
            "\u{2028}",
            "\u{85}",
            "—",
            "–",
            "`",
            "’",
            "‘",
            ".",
            ":",
            "//",
            "0",
            "12",
            "3.5",
            "12:30",
            "£20",
            "日本",
            "😀",
            "e\u{301}",
            "ǅ",
            "ﬃ",
        ];
        let (identifiers, sites, identities) = gazetteer();
        let mut gaz: Vec<String> = identifiers
            .iter()
            .map(|e| e.text.clone())
            .chain(sites.iter().map(|s| s.site_name.clone()))
            .collect();
        for p in &identities.people {
            for (_, v) in &p.fields {
                gaz.push(v.clone());
                gaz.extend(name_variants_reference(v));
            }
        }
        atoms.extend(gaz.iter().map(String::as_str));
        let seps = [
            "", " ", " ", " ", "  ", "\r\n", ",", ".", "'", "-", "_", "é", "\t", ". ", "@", "/",
        ];
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        (0..n)
            .map(|i| {
                let mut t = String::new();
                for _ in 0..rng.below(14) {
                    t.push_str(rng.pick(&seps));
                    let atom = rng.pick(&atoms);
                    t.push_str(&vary(&mut rng, atom));
                }
                t.push_str(rng.pick(&seps));
                // Half the texts ASCII (the fast path of most free text).
                if i % 2 == 0 {
                    t.retain(|c| c.is_ascii());
                }
                t
            })
            .collect()
    }

    #[test]
    fn redaction_is_the_reference_redaction() {
        let (identifiers, sites, identities) = gazetteer();
        let reference = reference_literals(&identifiers, &sites, &identities);
        let n = if cfg!(debug_assertions) {
            6_000
        } else {
            40_000
        };
        let texts = texts(n);
        let kinds = [
            RedactionKinds::all(),
            RedactionKinds::all().without(Kind::Name),
            RedactionKinds::all().without(Kind::Email),
            RedactionKinds::none().with(Kind::Url).with(Kind::Date),
            RedactionKinds::none(),
        ];
        let mut hits = 0;
        for (k, kinds) in kinds.into_iter().enumerate() {
            let redactor = Redactor::new(&identifiers, &sites, &identities)
                .unwrap()
                .with_kinds(kinds);
            for text in texts.iter().skip(k).step_by(if k == 0 { 1 } else { 7 }) {
                let fast = redactor.redact(text);
                let slow = redactor.redact_reference(&reference, text);
                assert_eq!(fast, slow, "{text:?} with {kinds:?}");
                hits += fast.hits.len();
            }
        }
        // The texts exercise every kind.
        let redactor = Redactor::new(&identifiers, &sites, &identities).unwrap();
        let mut seen = std::collections::BTreeSet::new();
        for text in &texts {
            seen.extend(redactor.redact(text).hits.iter().map(|h| h.kind));
        }
        assert_eq!(seen.len(), Kind::ALL.len(), "{seen:?}");
        assert!(hits > n, "{hits} hits");
    }

    #[test]
    fn literal_matches_are_the_reference_matches() {
        let (identifiers, sites, identities) = gazetteer();
        let reference = reference_literals(&identifiers, &sites, &identities);
        let redactor = Redactor::new(&identifiers, &sites, &identities).unwrap();
        let key = |v: Vec<(usize, usize, Tag)>| {
            let mut v: Vec<_> = v
                .into_iter()
                .map(|(s, e, t)| (s, e, t.kind, t.replacement))
                .collect();
            v.sort();
            v
        };
        for text in texts(5_000) {
            let (mut fast, mut slow) = (Vec::new(), Vec::new());
            redactor.literals.find(&text, &mut fast);
            reference.find(&text, &mut slow);
            assert_eq!(key(fast), key(slow), "{text:?}");
        }
    }

    #[test]
    fn gazetteer_entries_and_fingerprints_are_the_reference_ones() {
        let (_, _, identities) = gazetteer();
        for p in &identities.people {
            for (_, v) in &p.fields {
                assert_eq!(name_variants(v), name_variants_reference(v), "{v:?}");
            }
            assert_eq!(participant_entries(p), participant_entries_reference(p));
        }
        for name in [
            "",
            "  ",
            "DR. X",
            "Prof Mx Le Li",
            "İİ Ab",
            "\u{212a}O ok",
            "Sir  Al-Bin-Da",
            "a'b’c-dd",
        ] {
            assert_eq!(
                name_variants(name),
                name_variants_reference(name),
                "{name:?}"
            );
        }
        let key = crate::Key::demo();
        assert_eq!(
            gazetteer_fingerprints(&key, &identities),
            gazetteer_fingerprints_reference(&key, &identities)
        );
    }
}
