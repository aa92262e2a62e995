//! The leak guard: the last check before anything is written. It scans
//! output text for every known identifier and every detector, and reports
//! where (line) and what kind, never the value.

use std::fmt;

use model::{IdentifierEntry, Identities, Site};

use crate::AnonymiseError;
use crate::detect::{Found, GuardDetectors};
use crate::fold::{Literals, Subject, fold, fold_into, fold_lines, is_word};

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

impl Subject for Tag {
    fn names_a_person(&self) -> bool {
        self.kind == "name"
    }
}

/// Scans text for identifiers. Build once, scan every output file.
pub struct LeakGuard {
    literals: Literals<Tag>,
    /// Literals whose fold is a record code (`s`, digits, `-`, digits), by
    /// fold: looked up, not put in the automaton (a national study has
    /// hundreds of thousands of them; see [`record_codes`]).
    codes: std::collections::HashMap<String, Tag>,
    /// Literals with exactly one `@` (emails), by fold, with whether they
    /// start and end with a word char: looked up around each `@` of a line
    /// (see [`at_signs`]), not put in the automaton.
    emails: std::collections::HashMap<String, (Tag, bool, bool)>,
    /// Longest part before and after the `@` of those literals, in bytes.
    email_reach: (usize, usize),
    /// The detectors, and raw record codes by shape ([`RECORD_SHAPE`]).
    detectors: GuardDetectors,
    /// SHA-256 of everything the guard looks for, in the order given: in
    /// memory only, published keyed ([`LeakGuard::fingerprint`]).
    contents: [u8; 32],
}

impl fmt::Debug for LeakGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LeakGuard")
    }
}

/// Raw record codes by shape.
const RECORD_SHAPE: &str = r"\b[Ss][0-9]{2,4}-[0-9]{1,4}\b";

impl LeakGuard {
    /// From the study's identities (names and their parts, as the redactor
    /// has them, emails, interviewers, record and site codes),
    /// identifiers.csv and the site register (names, codes). Names match as
    /// the redactor matches them: in any Unicode form and case, with or
    /// without diacritics, short ones where they read as names
    /// ([`crate::names`]).
    pub fn new(
        identities: &Identities,
        identifiers: &[IdentifierEntry],
        sites: &[Site],
    ) -> Result<LeakGuard, AnonymiseError> {
        let any = |kind| Tag {
            kind,
            published_only: false,
        };
        let published = |kind| Tag {
            kind,
            published_only: true,
        };
        let mut items: Vec<(String, Tag)> = Vec::new();
        for entry in identifiers {
            items.push((entry.text.clone(), any("identifier")));
        }
        for site in sites {
            items.push((site.site_name.clone(), any("site")));
        }
        // What the redactor has of each record: names and their parts,
        // emails, data access groups (kind `site`).
        for person in &identities.people {
            crate::redact::each_participant_entry(
                person,
                |_| true,
                |text, kind| items.push((text.to_string(), any(kind.code()))),
            );
        }
        for person in &identities.people {
            items.push((person.record_id.clone(), published("record_id")));
        }
        for code in identities
            .people
            .iter()
            .map(|p| &p.site_id)
            .chain(sites.iter().map(|s| &s.site_id))
        {
            items.push((code.clone(), published("site_id")));
        }
        let contents = {
            use sha2::Digest;
            let mut hash = sha2::Sha256::new();
            hash.update(RECORD_SHAPE.as_bytes());
            for (text, tag) in &items {
                let flag = if tag.published_only { "p" } else { "a" };
                hash.update(format!("{}\t{}\t{flag}\t{text}\n", text.len(), tag.kind).as_bytes());
            }
            hash.finalize().into()
        };
        // Record codes are found by shape and looked up; everything else is
        // in the automaton. The first tag of a fold wins, as in `Literals`.
        let mut codes = std::collections::HashMap::new();
        let mut emails = std::collections::HashMap::new();
        let mut email_reach = (0, 0);
        let mut rest = Vec::with_capacity(items.len());
        for (text, tag) in items {
            let folded = fold(&text);
            if is_record_code(&folded) {
                codes.entry(folded).or_insert(tag);
            } else if let Some((local, domain)) =
                folded.split_once('@').filter(|(_, d)| !d.contains('@'))
            {
                email_reach = (
                    email_reach.0.max(local.len()),
                    email_reach.1.max(domain.len()),
                );
                let left = folded.chars().next().is_some_and(is_word);
                let right = folded.chars().next_back().is_some_and(is_word);
                emails.entry(folded).or_insert((tag, left, right));
            } else {
                rest.push((text, tag));
            }
        }
        let detectors = GuardDetectors::new(RECORD_SHAPE)?;
        Ok(LeakGuard {
            literals: Literals::new(rest)?,
            codes,
            emails,
            email_reach,
            detectors,
            contents,
        })
    }

    /// Sixteen hex digits that change whenever what the guard looks for
    /// changes (a late site's names, an identifier added), keyed with the
    /// study's key so that it reveals nothing about the names: what a scan
    /// found clean stays clean only under the same fingerprint.
    pub fn fingerprint(&self, key: &crate::Key) -> String {
        let mut message = b"crosscase leak guard v1\n".to_vec();
        message.extend_from_slice(&self.contents);
        key.digest(&message)[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Every leak in `text`, one per line and kind, sorted. `published`:
    /// the text is a published table or report, where raw record and site
    /// codes are leaks too.
    pub fn scan(&self, text: &str, published: bool) -> Vec<Leak> {
        use rayon::prelude::*;
        // A long text is scanned in parts of whole lines, in parallel. No
        // finding spans a line (literals are matched line by line; no
        // guarded detector matches a line break), so the parts find exactly
        // what one pass finds; their line numbers are shifted back.
        let mut parts: Vec<(u32, &str)> = Vec::new();
        let (mut start, mut lines_before) = (0usize, 0u32);
        while start < text.len() {
            let mut end = (start + SCAN_PART).min(text.len());
            if end < text.len() {
                end = text[end..]
                    .find('\n')
                    .map(|k| end + k + 1)
                    .unwrap_or(text.len());
            }
            let part = &text[start..end];
            parts.push((lines_before, part));
            lines_before =
                lines_before.saturating_add(part.bytes().filter(|&c| c == b'\n').count() as u32);
            start = end;
        }
        let found: Vec<std::collections::BTreeSet<(u32, &'static str)>> = parts
            .par_iter()
            .map(|(before, part)| {
                self.scan_part(part, published)
                    .into_iter()
                    .map(|(line, kind)| (line.saturating_add(*before), kind))
                    .collect()
            })
            .collect();
        let leaks: std::collections::BTreeSet<(u32, &'static str)> =
            found.into_iter().flatten().collect();
        leaks
            .into_iter()
            .map(|(line, kind)| Leak {
                line,
                kind: kind.to_string(),
            })
            .collect()
    }

    fn scan_part(
        &self,
        text: &str,
        published: bool,
    ) -> std::collections::BTreeSet<(u32, &'static str)> {
        let mut leaks = std::collections::BTreeSet::new();
        self.find_literals(text, published, true, &mut leaks);
        self.detect(text, published, true, &mut leaks);
        leaks
    }

    /// The listed identifiers' findings in `text`, by line: the automaton,
    /// record codes and emails looked up, on the text folded line by line.
    /// `whole`: the folded lines, each followed by `\n`, are searched as one
    /// text, not one by one. The same findings: no literal holds a `\n`
    /// (folding makes every whitespace char a space), so no match spans a
    /// line, and a `\n` next to a match is, as the end of a line is, no
    /// word char.
    ///
    /// A short name's match counts only where it reads as a name, which
    /// the folded text cannot tell: the lines holding one are searched
    /// again on their original text, as the redactor searches (seeing
    /// only that line around a match, the rule finds no more names there
    /// than in the whole text: see [`crate::names`]).
    fn find_literals(
        &self,
        text: &str,
        published: bool,
        whole: bool,
        leaks: &mut std::collections::BTreeSet<(u32, &'static str)>,
    ) {
        let mut recheck = std::collections::BTreeSet::new();
        let mut folded = String::new();
        if whole {
            let mut bytes = Vec::new();
            fold_lines(text, &mut bytes);
            // Folded text is UTF-8 (a lossy conversion would never change it).
            let folded = String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
            let newlines = folded
                .match_indices('\n')
                .map(|(i, _)| i)
                .collect::<Vec<usize>>();
            let line_of = |offset: usize| {
                u32::try_from(newlines.partition_point(|&nl| nl < offset) + 1).unwrap_or(u32::MAX)
            };
            self.find_folded(&folded, published, line_of, leaks, &mut recheck);
        } else {
            for (n, line) in text.lines().enumerate() {
                let line_no = u32::try_from(n + 1).unwrap_or(u32::MAX);
                if line.is_ascii() {
                    folded.clear();
                    ascii_fold(line, &mut folded);
                } else {
                    fold_into(line, &mut folded, None);
                }
                self.find_folded(&folded, published, |_| line_no, leaks, &mut recheck);
            }
        }
        if recheck.is_empty() {
            return;
        }
        let mut found = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line_no = u32::try_from(n + 1).unwrap_or(u32::MAX);
            if !recheck.contains(&line_no) {
                continue;
            }
            found.clear();
            self.literals.find(line, &mut found);
            for (_, _, tag) in &found {
                if published || !tag.published_only {
                    leaks.insert((line_no, tag.kind));
                }
            }
        }
    }

    /// The listed identifiers in folded text, by line (`line_of` a byte offset).
    fn find_folded(
        &self,
        folded: &str,
        published: bool,
        line_of: impl Fn(usize) -> u32,
        leaks: &mut std::collections::BTreeSet<(u32, &'static str)>,
        recheck: &mut std::collections::BTreeSet<u32>,
    ) {
        let mut hit = |offset: usize, tag: &Tag| {
            if published || !tag.published_only {
                leaks.insert((line_of(offset), tag.kind));
            }
        };
        self.literals.find_folded(folded, |offset, tag, short| {
            if short {
                recheck.insert(line_of(offset));
            } else {
                hit(offset, tag);
            }
        });
        if !self.codes.is_empty() {
            record_codes(folded, |at, code| {
                if let Some(tag) = self.codes.get(code) {
                    hit(at, tag);
                }
            });
        }
        if !self.emails.is_empty() {
            at_signs(folded, self.email_reach, |at, candidate, before, after| {
                if let Some((tag, left, right)) = self.emails.get(candidate)
                    && !(*left && before.is_some_and(is_word))
                    && !(*right && after.is_some_and(is_word))
                {
                    hit(at, tag);
                }
            });
        }
    }

    /// The detectors' findings (and, in published files, raw record codes
    /// by shape) in `text`, by line. `fast`: on the ASCII stand-in when
    /// there is one (the same findings; see [`GuardDetectors`]).
    fn detect(
        &self,
        text: &str,
        published: bool,
        fast: bool,
        leaks: &mut std::collections::BTreeSet<(u32, &'static str)>,
    ) {
        self.detectors.find(text, published, fast, |line, found| {
            leaks.insert((
                line,
                match found {
                    Found::Kind(kind) => kind.code(),
                    Found::RecordShape => "record_id",
                },
            ));
        });
    }
}

/// Bytes of text per part of a parallel scan.
const SCAN_PART: usize = 4 << 20;

/// [`fold_into`] of an ASCII line, byte by byte, appended to `out`:
/// lowercase, a grave accent straightened to an apostrophe, whitespace runs
/// collapsed to one space. (The same result; a test checks it on every
/// ASCII char.)
fn ascii_fold(line: &str, out: &mut String) {
    let mut prev_space = false;
    for &b in line.as_bytes() {
        if matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ') {
            if !prev_space {
                out.push(' ');
                prev_space = true;
            }
            continue;
        }
        prev_space = false;
        out.push(match b {
            b'`' => '\'',
            b => char::from(b.to_ascii_lowercase()),
        });
    }
}

/// A folded record code: `s`, ASCII digits, `-`, ASCII digits.
fn is_record_code(folded: &str) -> bool {
    let Some(rest) = folded.strip_prefix('s') else {
        return false;
    };
    let Some((a, b)) = rest.split_once('-') else {
        return false;
    };
    !a.is_empty()
        && !b.is_empty()
        && a.bytes().all(|c| c.is_ascii_digit())
        && b.bytes().all(|c| c.is_ascii_digit())
}

/// Every place in a folded line where a record-code literal could match, as
/// the automaton matches it: starting at `s` with no word char before it,
/// ending with no word char after it. Such a match is `s`, the maximal run
/// of digits, `-`, the maximal run of digits (a shorter one has a digit, a
/// word char, after it), so there is at most one candidate per `s`, and
/// looking the candidate up finds exactly what the automaton would.
fn record_codes(folded: &str, mut candidate: impl FnMut(usize, &str)) {
    let b = folded.as_bytes();
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let mut from = 0;
    while let Some(k) = b[from..].iter().position(|&c| c == b's') {
        let p = from + k;
        from = p + 1;
        if folded[..p].chars().next_back().is_some_and(is_word) {
            continue;
        }
        let d1 = digits(p + 1);
        if d1 == 0 || b.get(p + 1 + d1) != Some(&b'-') {
            continue;
        }
        let d2 = digits(p + 2 + d1);
        let end = p + 2 + d1 + d2;
        if d2 == 0 || folded[end..].chars().next().is_some_and(is_word) {
            continue;
        }
        candidate(p, &folded[p..end]);
    }
}

/// Every substring of a folded line that contains one of its `@` with at
/// most `reach.0` bytes before it and `reach.1` after it, with the chars
/// around it: any match of a literal with one `@` is one of these, so
/// looking each up (and checking word boundaries as the automaton does)
/// finds exactly what the automaton would. Lines rarely hold an `@`.
fn at_signs(
    folded: &str,
    reach: (usize, usize),
    mut candidate: impl FnMut(usize, &str, Option<char>, Option<char>),
) {
    for (q, _) in folded.match_indices('@') {
        let lo = q.saturating_sub(reach.0);
        let hi = (q + 1 + reach.1).min(folded.len());
        for s in (lo..=q).filter(|&s| folded.is_char_boundary(s)) {
            let before = folded[..s].chars().next_back();
            for e in (q + 1..=hi).filter(|&e| folded.is_char_boundary(e)) {
                let after = folded[e..].chars().next();
                candidate(q, &folded[s..e], before, after);
            }
        }
    }
}

#[cfg(test)]
mod record_code_tests {
    use super::*;

    fn found(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        record_codes(text, |_, c| out.push(c.to_string()));
        out
    }

    #[test]
    fn ascii_fold_is_fold_into_on_ascii() {
        let every: String = (0u8..128).map(char::from).collect();
        for text in [
            every.as_str(),
            "  Mixed CASE\t\t`quoted`  \r",
            "",
            " ",
            "a\x0b\x0cb",
        ] {
            let (mut a, mut b) = (String::new(), String::new());
            ascii_fold(text, &mut a);
            fold_into(text, &mut b, None);
            assert_eq!(a, b, "{text:?}");
        }
    }

    #[test]
    fn a_long_text_scanned_in_parts_finds_what_one_pass_finds() {
        let guard = LeakGuard::new(&Identities::default(), &[], &[]).unwrap();
        let mut text = String::new();
        for i in 0..300_000 {
            text.push_str(if i % 75_000 == 7 {
                "call 020 7946 0958 now S01-02\r\n"
            } else {
                "nothing to see here, 0.5 and 12\n"
            });
        }
        assert!(text.len() > 2 * SCAN_PART);
        let lines: Vec<(u32, String)> = guard
            .scan(&text, true)
            .into_iter()
            .map(|l| (l.line, l.kind))
            .collect();
        let whole: Vec<(u32, String)> = guard
            .scan_part(&text, true)
            .into_iter()
            .map(|(l, k)| (l, k.to_string()))
            .collect();
        assert_eq!(lines, whole);
        assert_eq!(lines.len(), 8, "{lines:?}");
        assert_eq!(lines[0].0, 8);
    }

    /// A guard with Unicode names, an email, record and site codes, an
    /// identifier and a site name.
    fn tricky_guard() -> LeakGuard {
        let person = |record: &str, name: &str, email: &str| model::Identity {
            record_id: record.into(),
            site_id: "S03".into(),
            fields: vec![
                ("participant_name".into(), name.into()),
                ("interviewer".into(), "Ayşe Kaya".into()),
                ("contact_email".into(), email.into()),
            ],
        };
        let identities = Identities {
            people: vec![
                person("S03-07", "Zoë O'Neill", "Zoe.Smith@Example.org"),
                person("S03-8", "José Núñez", "jn+1@nhs.net"),
            ],
        };
        let identifiers = [IdentifierEntry {
            kind: "team".into(),
            text: "Team Ω-7".into(),
            replacement: "[team]".into(),
        }];
        let sites = [model::Site {
            site_id: "S03".into(),
            site_name: "Riverside Clinic".into(),
            label: "Site C".into(),
            sector: model::Sector::Statutory,
            partnership: false,
            bme_focus: false,
            region: "North".into(),
            wave: 1,
            model: "A".into(),
        }];
        LeakGuard::new(&identities, &identifiers, &sites).unwrap()
    }

    /// The slow path: each line folded and searched on its own, detectors
    /// with the Unicode regexes on the text itself.
    fn slow_scan(guard: &LeakGuard, text: &str, published: bool) -> Vec<(u32, &'static str)> {
        let mut leaks = std::collections::BTreeSet::new();
        guard.find_literals(text, published, false, &mut leaks);
        guard.detect(text, published, false, &mut leaks);
        leaks.into_iter().collect()
    }

    fn fast_scan(guard: &LeakGuard, text: &str, published: bool) -> Vec<(u32, &'static str)> {
        guard.scan_part(text, published).into_iter().collect()
    }

    const PIECES: [&str; 58] = [
        "Zoë",
        "ZOË",
        "zoe\u{308}",
        "Zoe",
        "O'Neill",
        "o\u{2019}neill",
        "O`NEILL",
        "José",
        "JOSE\u{301}",
        "Núñez",
        "Ayşe",
        "AYSE",
        "Kaya",
        "S03-07",
        "s03-07",
        "S03-8",
        "S03",
        "s03",
        "S12-345",
        "Zoe.Smith@Example.org",
        "zoe.smith@example.orgs",
        "jn+1@nhs.net",
        "@",
        ".",
        "-",
        " ",
        "  ",
        "\t",
        "\n",
        "\r\n",
        "\r",
        "020 7946 0958",
        "(020) 7946 0958",
        "+44 7700 900123",
        "943 476 5919",
        "0.9434765919",
        "SE1 7EH",
        "se17eh",
        "GIR 0AA",
        "\u{17f}E1 7EH",
        "\u{212a}",
        "é",
        "—",
        "_",
        "#",
        "x",
        "1",
        "0",
        "\u{663}",
        "\u{a0}",
        "İ",
        "\u{301}",
        "Riverside  Clinic",
        "team ω-7",
        "Team Ω-7x",
        "ﬁ",
        "\u{2028}",
        "a\u{0}b",
    ];

    /// The fast paths (ASCII stand-ins, one screening pass, all lines
    /// folded at once) find what the slow path finds, on the same lines.
    #[test]
    fn the_fast_scan_finds_what_the_slow_scan_finds() {
        let guard = tricky_guard();
        let fixed = [
            "",
            "Zoë said\nZOE\u{308} said\r\nzoë\r",
            "x.zoe.smith@example.org and xzoe.smith@example.org\nzoe.smith@example.org.",
            "call 020 7946 0958\u{a0}now\né020 7946 0958 and 020 7946 0958é\n_020 7946 0958",
            "NHS 943 476 5919.\n1.943 476 5919 and 943-476-5919\u{2014}\n٣943 476 5919",
            "\u{17f}e1 7eh and SE1 7EH\nse1 7eh in ſ text\n\u{212a}W1 1AA",
            "S03-07é\nS03-07\u{301}\nsaid S03-07.\nxS03-07 S03-070 S03-8\u{2014}",
            "Riverside\tClinic\nRiverside\u{a0}Clinic\nteam ω-7 and TEAM Ω-7\nTeam Ω-7x",
            "line one\n\nline three Ayşe Kaya\r\n\r\nAYSE KAYA\n",
        ];
        for text in fixed {
            for published in [true, false] {
                assert_eq!(
                    fast_scan(&guard, text, published),
                    slow_scan(&guard, text, published),
                    "{text:?} {published}"
                );
            }
        }
        // Random texts of the pieces above (a fixed sequence: no test
        // depends on chance).
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let mut kinds = std::collections::BTreeSet::new();
        for round in 0..4000 {
            let text: String = (0..1 + next(24))
                .map(|_| PIECES[next(PIECES.len())])
                .collect();
            let published = round % 2 == 0;
            let slow = slow_scan(&guard, &text, published);
            assert_eq!(
                fast_scan(&guard, &text, published),
                slow,
                "{text:?} {published}"
            );
            kinds.extend(slow.into_iter().map(|(_, kind)| kind));
        }
        let every = [
            "email",
            "identifier",
            "name",
            "nhs_number",
            "phone",
            "postcode",
            "record_id",
            "site",
            "site_id",
        ];
        assert_eq!(
            kinds.into_iter().collect::<Vec<_>>(),
            every,
            "the random texts hold findings of every kind"
        );
    }

    #[test]
    fn candidates_are_whole_codes_on_word_boundaries() {
        assert_eq!(
            found("s01-02 and (s0412-007) s1-2-3"),
            ["s01-02", "s0412-007", "s1-2"]
        );
        assert!(found("xs01-02 s01-02a s01- s-01 s01-02é").is_empty());
        assert!(
            is_record_code("s0412-007") && !is_record_code("s04-") && !is_record_code("site-1")
        );
    }

    #[test]
    fn a_record_code_is_found_as_the_automaton_found_it() {
        let identities = Identities {
            people: vec![model::Identity {
                record_id: "S03-07".into(),
                site_id: "S03".into(),
                fields: vec![],
            }],
        };
        let guard = LeakGuard::new(&identities, &[], &[]).unwrap();
        let kinds = |t: &str, published| {
            guard
                .scan(t, published)
                .into_iter()
                .map(|l| (l.line, l.kind))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            kinds("ok\nsaid s03-07.\n", true),
            [(2, "record_id".to_string()), (2, "site_id".to_string())]
        );
        assert!(
            kinds("said S03-07\n", false).is_empty(),
            "raw codes are findings in published files only"
        );
    }

    #[test]
    fn an_email_is_found_as_the_automaton_found_it() {
        let identities = Identities {
            people: vec![model::Identity {
                record_id: "S03-07".into(),
                site_id: "S03".into(),
                fields: vec![("contact_email".into(), "Zoe.Smith@Example.org".into())],
            }],
        };
        let guard = LeakGuard::new(&identities, &[], &[]).unwrap();
        assert!(guard.emails.contains_key("zoe.smith@example.org"));
        let literal = |t: &str| {
            let mut hits = Vec::new();
            at_signs(t, guard.email_reach, |_, c, b, a| {
                if let Some((_, l, r)) = guard.emails.get(c)
                    && !(*l && b.is_some_and(is_word))
                    && !(*r && a.is_some_and(is_word))
                {
                    hits.push(c.to_string());
                }
            });
            hits
        };
        assert_eq!(
            literal("write to zoe.smith@example.org."),
            ["zoe.smith@example.org"]
        );
        assert_eq!(
            literal("x.zoe.smith@example.org"),
            ["zoe.smith@example.org"],
            "a dot is a word boundary"
        );
        assert!(literal("xzoe.smith@example.org zoe.smith@example.orgs").is_empty());
        assert!(
            guard
                .scan("Mail ZOË.Smith@example.org\n", false)
                .iter()
                .any(|l| l.kind == "email")
        );
    }
}
